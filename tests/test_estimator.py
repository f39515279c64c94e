"""Behaviour of ImportanceSampledGAN: fitting, sampling, scoring and input checks."""

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError
from torch import nn

from _small import make_small_gan
from isgan_sk import ImportanceSampledGAN, PairedImportanceSampler, UniformSampler
from isgan_sk import _estimator
from isgan_sk.sampling import BaseSampler, Selection


def test_fit_sets_fitted_attributes(X_small):
    gan = make_small_gan()

    assert gan.fit(X_small) is gan
    assert gan.n_features_in_ == 2
    assert isinstance(gan.generator_, nn.Module)
    assert isinstance(gan.discriminator_, nn.Module)
    assert isinstance(gan.sampler_, PairedImportanceSampler)
    assert len(gan.history_) == gan.max_epochs


@pytest.mark.parametrize("sampler", ["paired", "uniform", "importance", "topk"])
def test_fit_history_records_losses_and_diagnostics(X_small, sampler):
    gan = make_small_gan(sampler=sampler, max_epochs=3).fit(X_small)

    for key in ("d_loss", "g_loss", "ess", "variance_ratio", "dur"):
        values = gan.history_[:, key]
        assert len(values) == 3
        assert np.all(np.isfinite(values)), key
    assert np.all(0 < np.array(gan.history_[:, "ess"]))
    assert np.all(np.array(gan.history_[:, "ess"]) <= 1)


def test_fit_nested_parameters_reach_networks_and_optimizers(X_small):
    gan = make_small_gan(
        generator__hidden_units=(8, 8),
        optimizer_discriminator__lr=1e-3,
        optimizer_generator__lr=5e-4,
    ).fit(X_small)

    hidden = [layer for layer in gan.generator_.body if isinstance(layer, nn.Linear)]
    assert [layer.out_features for layer in hidden] == [8, 8]
    assert gan.net_.optimizer_discriminator_.param_groups[0]["lr"] == 1e-3
    assert gan.net_.optimizer_generator_.param_groups[0]["lr"] == 5e-4


def test_fit_adam_betas_default_for_gans(X_small):
    gan = make_small_gan(optimizer_generator__betas=(0.9, 0.99)).fit(X_small)

    assert gan.net_.optimizer_discriminator_.param_groups[0]["betas"] == (0.5, 0.999)
    assert gan.net_.optimizer_generator_.param_groups[0]["betas"] == (0.9, 0.99)


def test_fit_n_critic_counts_generator_steps(X_small):
    gan = make_small_gan(n_critic=3, max_epochs=2, batch_size=32).fit(X_small)

    # 96 rows at batch 32 give 3 discriminator steps per epoch, 6 in all,
    # and every third is followed by a generator step.
    batches = [batch for epoch in gan.history_ for batch in epoch["batches"]]
    assert sum("d_loss" in batch for batch in batches) == 6
    assert sum("g_loss" in batch for batch in batches) == 2


def test_fit_unknown_nested_parameter_raises(X_small):
    gan = make_small_gan(generater__hidden_units=(8,))

    with pytest.raises(ValueError, match=r"Unknown parameters \['generater__hidden_units'\]"):
        gan.fit(X_small)


def test_fit_module_instance_is_copied(X_small):
    discriminator = make_small_gan().fit(X_small).discriminator_
    before = {name: p.clone() for name, p in discriminator.state_dict().items()}
    gan = make_small_gan(discriminator=discriminator)

    gan.fit(X_small)

    assert gan.discriminator_ is not discriminator
    for name, value in discriminator.state_dict().items():
        assert torch.equal(value, before[name]), name


def test_fit_module_instance_rejects_nested_parameters(X_small):
    instance = make_small_gan().fit(X_small).generator_
    gan = make_small_gan(generator=instance, generator__hidden_units=(8,))

    with pytest.raises(ValueError, match="cannot be applied because 'generator' is an instance"):
        gan.fit(X_small)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"batch_size": 0}, "'batch_size' parameter of ImportanceSampledGAN"),
        ({"lr": -1.0}, "'lr' parameter of ImportanceSampledGAN"),
        ({"sampler": "pairs"}, "'sampler' parameter of ImportanceSampledGAN"),
        ({"scaler": "robust"}, "'scaler' parameter of ImportanceSampledGAN"),
        ({"loss": "l2"}, "'loss' parameter of ImportanceSampledGAN"),
        ({"max_epochs": 1.5}, "'max_epochs' parameter of ImportanceSampledGAN"),
    ],
)
def test_fit_invalid_parameter_raises(X_small, params, match):
    with pytest.raises(InvalidParameterError, match=match):
        make_small_gan(**params).fit(X_small)


def test_fit_sampler_pool_factor_invalid_raises(X_small):
    gan = make_small_gan(sampler=PairedImportanceSampler(pool_factor=0))

    with pytest.raises(InvalidParameterError, match="'pool_factor' parameter"):
        gan.fit(X_small)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA error")
def test_fit_cuda_without_cuda_raises(X_small):
    with pytest.raises(ValueError, match="requests CUDA, but torch.cuda.is_available"):
        make_small_gan(device="cuda").fit(X_small)


def test_fit_does_not_change_user_sampler(X_small):
    sampler = PairedImportanceSampler(smoothing=0.5)
    params_before = sampler.get_params()

    gan = make_small_gan(sampler=sampler).fit(X_small)

    assert gan.sampler_ is not sampler
    assert sampler.get_params() == params_before
    assert gan.sampler_.get_params() == params_before


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[0.0, np.nan], [1.0, 2.0]]), "Input X contains NaN"),
        (np.array([[0.0, np.inf], [1.0, 2.0]]), "Input X contains infinity"),
        (np.arange(5.0), "Expected 2D array, got 1D array instead"),
        (np.empty((0, 3)), "0 sample"),
        (np.empty((4, 0)), "0 feature"),
        ([["a", "b"], ["c", "d"]], "could not convert string to float"),
    ],
)
def test_fit_invalid_input_raises(X, match):
    with pytest.raises(ValueError, match=match):
        make_small_gan().fit(X)


@pytest.mark.parametrize("method", ["sample", "score"])
def test_unfitted_methods_raise(X_small, method):
    gan = make_small_gan()
    args = () if method == "sample" else (X_small,)

    with pytest.raises(NotFittedError, match="is not fitted yet"):
        getattr(gan, method)(*args)


def test_unfitted_history_raises():
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        make_small_gan().history_


def test_score_with_other_n_features_raises(X_small):
    gan = make_small_gan().fit(X_small)

    with pytest.raises(ValueError, match="X has 3 features, but ImportanceSampledGAN is expecting 2"):
        gan.score(np.ones((10, 3)))


def test_partial_fit_with_other_n_features_raises(X_small):
    gan = make_small_gan().partial_fit(X_small)

    with pytest.raises(ValueError, match="X has 1 features, but ImportanceSampledGAN is expecting 2"):
        gan.partial_fit(X_small[:, :1])


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_fit_accepts_numeric_dtypes(X_small, dtype):
    X = (X_small * 10).astype(dtype)

    samples = make_small_gan().fit(X).sample(5, random_state=0)

    assert samples.dtype == np.float64
    assert samples.shape == (5, 2)
    assert np.all(np.isfinite(samples))


def test_fit_dataframe_sets_feature_names(X_small):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X_small, columns=["height", "weight"])

    gan = make_small_gan().fit(frame)

    assert_array_equal(gan.feature_names_in_, ["height", "weight"])
    assert gan.sample(3, random_state=0).shape == (3, 2)
    assert isinstance(gan.score(frame), float)


def test_partial_fit_trains_one_epoch_per_call(X_small):
    gan = make_small_gan()

    gan.partial_fit(X_small)
    gan.partial_fit(X_small)

    assert len(gan.history_) == 2


def test_partial_fit_continues_like_fit(X_small):
    fitted = make_small_gan(max_epochs=3).fit(X_small)
    stepped = make_small_gan(max_epochs=3)
    for _ in range(3):
        stepped.partial_fit(X_small)

    # One fit of three epochs and three one-epoch calls draw the same
    # random stream, so they reach the same networks.
    for name, value in fitted.generator_.state_dict().items():
        assert_allclose(stepped.generator_.state_dict()[name].numpy(), value.numpy())


def test_warm_start_continues_training(X_small):
    gan = make_small_gan(warm_start=True, max_epochs=2).fit(X_small)
    first_weight = gan.generator_.output_layer.weight.detach().clone()

    gan.fit(X_small)

    assert len(gan.history_) == 4
    assert not torch.equal(first_weight, gan.generator_.output_layer.weight)


def test_fit_without_warm_start_restarts(X_small):
    gan = make_small_gan(max_epochs=2).fit(X_small)

    gan.fit(X_small)

    assert len(gan.history_) == 2


def test_verbose_zero_prints_nothing(X_small, capsys):
    make_small_gan(verbose=0).fit(X_small)

    assert capsys.readouterr().out == ""


def test_verbose_one_prints_a_line_per_epoch(X_small, capsys):
    make_small_gan(verbose=1, max_epochs=3).fit(X_small)

    out = capsys.readouterr().out
    assert "d_loss" in out
    assert "g_loss" in out
    epoch_lines = [line for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(epoch_lines) == 3


def test_sample_returns_exact_shape(X_small):
    gan = make_small_gan().fit(X_small)

    for n_samples in (0, 1, 7):
        assert gan.sample(n_samples).shape == (n_samples, 2)


@pytest.mark.parametrize("n_samples", [-1, 1.5, "3", True, None])
def test_sample_invalid_n_samples_raises(X_small, n_samples):
    gan = make_small_gan().fit(X_small)

    with pytest.raises(ValueError, match="n_samples must be a non-negative integer"):
        gan.sample(n_samples)


def test_sample_generates_in_bounded_chunks(X_small, monkeypatch):
    gan = make_small_gan().fit(X_small)
    monkeypatch.setattr(_estimator, "SAMPLE_CHUNK_SIZE", 10)
    seen = []
    gan.generator_.register_forward_hook(
        lambda module, inputs, output: seen.append((inputs[0].shape[0], module.training))
    )

    samples = gan.sample(25, random_state=0)

    assert samples.shape == (25, 2)
    assert [size for size, _ in seen] == [10, 10, 5]
    assert not any(training for _, training in seen)
    assert gan.generator_.training


def test_sample_same_random_state_repeats(X_small):
    gan = make_small_gan().fit(X_small)

    assert_array_equal(gan.sample(20, random_state=3), gan.sample(20, random_state=3))
    assert not np.array_equal(gan.sample(20, random_state=3), gan.sample(20, random_state=4))


def test_sample_without_random_state_draws_new_rows(X_small):
    gan = make_small_gan().fit(X_small)
    again = make_small_gan().fit(X_small)

    first, second = gan.sample(20), gan.sample(20)

    assert not np.array_equal(first, second)
    # The stream is seeded by fit, so the same calls on an identically
    # fitted estimator return the same rows.
    assert_array_equal(again.sample(20), first)
    assert_array_equal(again.sample(20), second)


def test_sample_in_units_of_X():
    rng = np.random.default_rng(1)
    X = rng.normal(loc=1000.0, scale=50.0, size=(128, 1))

    samples = make_small_gan(max_epochs=1).fit(X).sample(500, random_state=0)

    # Even an untrained generator, after the inverse scaling, emits rows
    # centred near 1000 with a spread of tens, not values around 0.
    assert abs(np.median(samples) - 1000.0) < 200.0
    assert 1.0 < samples.std() < 500.0


@pytest.mark.parametrize("scaler", ["standard", "minmax"])
def test_sample_constant_column_returns_constant(scaler):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=64), np.full(64, 7.5), rng.normal(size=64)])

    gan = make_small_gan(scaler=scaler).fit(X)
    samples = gan.sample(50, random_state=0)

    assert_array_equal(gan.constant_features_, [False, True, False])
    assert np.all(samples[:, 1] == 7.5)
    assert samples[:, 0].std() > 0


def test_score_is_deterministic(X_small):
    gan = make_small_gan().fit(X_small)

    assert gan.score(X_small) == gan.score(X_small)


def test_score_ranks_closer_data_higher(X_small):
    gan = make_small_gan(max_epochs=30, batch_size=32).fit(X_small)
    shifted = X_small + np.array([5 * 1.25, 5 * 0.5])

    # Data shifted by five standard deviations is far from anything the
    # generator produces, so its MMD is much larger.
    assert gan.score(X_small) > gan.score(shifted)
    assert gan.score(shifted) < -0.1


def test_score_one_row_raises(X_small):
    gan = make_small_gan().fit(X_small)

    with pytest.raises(ValueError, match="score needs at least 2 rows of X"):
        gan.score(X_small[:1])


def test_score_matches_sample_quality_sign(X_small):
    gan = make_small_gan().fit(X_small)

    assert isinstance(gan.score(X_small), float)
    assert gan.score(X_small) <= 0.05


class LogitOnlyDiscriminator(nn.Module):
    """A discriminator without ``features``, which gets the fallback score."""

    def __init__(self, n_features):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_features, 8), nn.Tanh(), nn.Linear(8, 1))

    def forward(self, X):
        return self.net(X)


def test_fit_discriminator_without_last_layer_uses_fallback(X_small):
    gan = make_small_gan(discriminator=LogitOnlyDiscriminator)

    gan.fit(X_small)

    assert np.all(np.isfinite(gan.history_[:, "variance_ratio"]))


class FirstRowsSampler(BaseSampler):
    """A strategy whose ``select`` does not take the ``loss`` keyword."""

    def select(self, discriminator, real, fake, batch_size, rng):
        weights = torch.ones(batch_size)
        return Selection(real[:batch_size], fake[:batch_size], weights, {"ess": 1.0})


def test_fit_custom_sampler_without_loss_keyword(X_small):
    gan = make_small_gan(sampler=FirstRowsSampler()).fit(X_small)

    assert gan.history_[-1, "ess"] == 1.0


def test_fit_leaves_global_generators_untouched(X_small):
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()

    for random_state in (None, 0):
        gan = make_small_gan(random_state=random_state).fit(X_small)
        gan.sample(5)
        gan.score(X_small)

    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.random.get_state()[1].tolist() == numpy_state[1].tolist()
    assert np.random.get_state()[2] == numpy_state[2]


def test_fit_with_one_row_works():
    samples = make_small_gan().fit(np.array([[1.0, 2.0]])).sample(3, random_state=0)

    assert_array_equal(samples, np.tile([1.0, 2.0], (3, 1)))


@pytest.mark.parametrize("loss", ["hinge", "wasserstein"])
def test_fit_other_losses(X_small, loss):
    gan = make_small_gan(loss=loss).fit(X_small)

    assert np.isfinite(gan.history_[-1, "d_loss"])
    assert np.isfinite(gan.history_[-1, "g_loss"])


def test_uniform_sampler_weights_are_one(X_small):
    gan = make_small_gan(sampler=UniformSampler()).fit(X_small)

    assert gan.history_[-1, "ess"] == 1.0
    assert gan.history_[-1, "variance_ratio"] == 1.0


def test_default_estimator_fits(X_small):
    gan = ImportanceSampledGAN(max_epochs=1, random_state=0).fit(X_small)

    assert gan.sample(2).shape == (2, 2)


def test_fit_unknown_device_raises(X_small):
    with pytest.raises(ValueError, match="'device' parameter of ImportanceSampledGAN must name"):
        make_small_gan(device="nonsense").fit(X_small)


@pytest.mark.parametrize("sampler", ["paired", "uniform"])
def test_fit_values_too_large_to_scale_raise(X_small, sampler):
    # Finite values whose variance overflows float64 would scale to NaN and
    # make every generated row NaN.
    with pytest.raises(ValueError, match="Feature 0 of X has values too large to scale"):
        make_small_gan(sampler=sampler).fit(X_small * 1e160)


def test_fit_invalid_optimizer_parameter_raises(X_small):
    gan = make_small_gan(optimizer_discriminator__lr=-1.0)

    with pytest.raises(ValueError, match="parameters of optimizer_discriminator .Adam. are invalid"):
        gan.fit(X_small)
