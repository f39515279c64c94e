"""scikit-learn's estimator checks on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from _small import make_small_gan
from isgan_sk import GANOversampler


# Both built-in strategies, with nested network parameters set, so the
# checks also cover cloning and repr of the ``generator__*`` parameters.
@parametrize_with_checks(
    [
        make_small_gan(sampler="paired"),
        make_small_gan(sampler="uniform"),
        GANOversampler(estimator=make_small_gan(max_epochs=1), random_state=0),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
