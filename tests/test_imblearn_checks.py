"""imbalanced-learn's estimator checks on GANOversampler."""

import pytest

from _small import make_small_gan
from isgan_sk import GANOversampler

estimator_checks = pytest.importorskip("imblearn.utils.estimator_checks")

EXPECTED_FAILED_CHECKS = {
    "check_samplers_pandas_sparse": (
        "The GAN trains on dense float rows, so GANOversampler rejects sparse "
        "input, pandas sparse columns included, instead of densifying it."
    ),
}


@estimator_checks.parametrize_with_checks(
    [GANOversampler(estimator=make_small_gan(max_epochs=1), random_state=0)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS,
)
def test_imblearn_compatible_sampler(estimator, check):
    check(estimator)
