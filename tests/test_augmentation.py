"""GANOversampler: imbalanced-learn's sampler API backed by a conditional GAN."""

import subprocess
import sys
import textwrap
from collections import Counter

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score

from _small import make_small_gan
from isgan_sk import GANOversampler, ImportanceSampledGAN
from isgan_sk.augmentation import _FallbackOverSampler, _GANOversamplerMixin


def _imbalanced(n_major=60, n_middle=30, n_minor=10, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack(
        [
            rng.normal(0.0, 1.0, (n_major, 2)),
            rng.normal(3.0, 1.0, (n_middle, 2)),
            rng.normal(-3.0, 1.0, (n_minor, 2)),
        ]
    )
    y = np.array([0] * n_major + [1] * n_middle + [2] * n_minor)
    return X, y


def _oversampler(**params):
    return GANOversampler(estimator=make_small_gan(), random_state=0, **params)


@pytest.mark.parametrize(
    "sampling_strategy, expected",
    [
        ("auto", {0: 60, 1: 60, 2: 60}),
        ("not majority", {0: 60, 1: 60, 2: 60}),
        ("minority", {0: 60, 1: 30, 2: 60}),
        ("not minority", {0: 60, 1: 60, 2: 10}),
        ("all", {0: 60, 1: 60, 2: 60}),
        ({2: 25}, {0: 60, 1: 30, 2: 25}),
        ({}, {0: 60, 1: 30, 2: 10}),
        (lambda y: {1: 40}, {0: 60, 1: 40, 2: 10}),
    ],
)
def test_fit_resample_class_counts(sampling_strategy, expected):
    X, y = _imbalanced()

    X_res, y_res = _oversampler(sampling_strategy=sampling_strategy).fit_resample(X, y)

    assert dict(Counter(y_res.tolist())) == expected
    assert X_res.shape == (len(y_res), 2)


def test_fit_resample_float_strategy_two_classes():
    X, y = _imbalanced(n_minor=0)

    _, y_res = _oversampler(sampling_strategy=0.8).fit_resample(X, y)

    assert Counter(y_res.tolist()) == {0: 60, 1: 48}


def test_fit_resample_keeps_original_rows_first():
    X, y = _imbalanced()

    X_res, y_res = _oversampler().fit_resample(X, y)

    assert_array_equal(X_res[: len(X)], X)
    assert_array_equal(y_res[: len(y)], y)


def test_fit_resample_augment_ratio_adds_to_every_class():
    X, y = _imbalanced()

    oversampler = _oversampler(sampling_strategy={}, augment_ratio=0.5)
    _, y_res = oversampler.fit_resample(X, y)

    assert Counter(y_res.tolist()) == {0: 90, 1: 45, 2: 15}
    assert oversampler.n_synthetic_ == {0: 30, 1: 15, 2: 5}


def test_fit_resample_augment_ratio_on_top_of_balancing():
    X, y = _imbalanced()

    _, y_res = _oversampler(augment_ratio=0.1).fit_resample(X, y)

    assert Counter(y_res.tolist()) == {0: 66, 1: 63, 2: 61}


def test_fit_resample_synthetic_rows_follow_their_class():
    X, y = _imbalanced(n_major=200, n_middle=200, n_minor=40)
    gan = make_small_gan(
        max_epochs=60,
        lr=1e-3,
        generator__hidden_units=(32,),
        discriminator__hidden_units=(32,),
    )

    X_res, y_res = GANOversampler(estimator=gan, random_state=0).fit_resample(X, y)

    # Minority rows sit around (-3, -3), three standard deviations from
    # the majority class, so generated minority rows must land on that side.
    synthetic_minor = X_res[len(X):][y_res[len(X):] == 2]
    assert len(synthetic_minor) == 160
    assert np.median(synthetic_minor.sum(axis=1)) < -2.0


def test_fit_resample_clones_the_estimator():
    X, y = _imbalanced()
    gan = make_small_gan()

    oversampler = GANOversampler(estimator=gan).fit_resample(X, y)

    assert not hasattr(gan, "net_")
    assert oversampler is not None


def test_fit_resample_seeds_the_clone():
    X, y = _imbalanced()
    gan = make_small_gan(random_state=None)

    first = GANOversampler(estimator=gan, random_state=3).fit_resample(X, y)[0]
    second = GANOversampler(estimator=clone(gan), random_state=3).fit_resample(X, y)[0]

    assert_array_equal(first, second)


def test_fit_resample_preserves_float32():
    X, y = _imbalanced()

    X_res, y_res = _oversampler().fit_resample(X.astype(np.float32), y.astype(np.int32))

    assert X_res.dtype == np.float32
    assert y_res.dtype == np.int32


def test_fit_resample_string_labels():
    X, y = _imbalanced()
    names = np.array(["cat", "dog", "eel"])[y]

    _, y_res = _oversampler().fit_resample(X, names)

    assert Counter(y_res.tolist()) == {"cat": 60, "dog": 60, "eel": 60}


def test_fit_resample_dataframe_round_trip():
    pd = pytest.importorskip("pandas")
    X, y = _imbalanced()
    frame = pd.DataFrame(X, columns=["a", "b"])
    labels = pd.Series(y, name="target")

    X_res, y_res = _oversampler().fit_resample(frame, labels)

    assert list(X_res.columns) == ["a", "b"]
    assert y_res.name == "target"


@pytest.mark.parametrize(
    "sampling_strategy, y, match",
    [
        ("auto", np.zeros(20), "class"),
        ({0: 5}, np.array([0] * 10 + [1] * 10), "greater or equal|must be at least"),
        (0.5, np.array([0] * 8 + [1] * 6 + [2] * 6), "float only when|only valid for two"),
    ],
)
def test_fit_resample_invalid_strategy_raises(sampling_strategy, y, match):
    X = np.random.default_rng(0).normal(size=(len(y), 2))

    with pytest.raises(ValueError, match=match):
        _oversampler(sampling_strategy=sampling_strategy).fit_resample(X, y)


def test_fit_resample_sparse_input_raises():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    X, y = _imbalanced()

    with pytest.raises(TypeError, match="Sparse data was passed"):
        _oversampler().fit_resample(scipy_sparse.csr_matrix(X), y)


class SpyGAN(ImportanceSampledGAN):
    """An ImportanceSampledGAN that records every X it is fitted on."""

    fitted_rows = []

    def fit(self, X, y=None):
        SpyGAN.fitted_rows.append(np.array(X, copy=True))
        return super().fit(X, y)


def test_pipeline_gan_sees_training_folds_only():
    pipeline_module = pytest.importorskip("imblearn.pipeline")
    X, y = _imbalanced()
    # A row identifier in the first column makes every row recognisable.
    X = np.column_stack([np.arange(len(X), dtype=float), X])
    gan = SpyGAN(
        max_epochs=1,
        batch_size=16,
        latent_dim=4,
        random_state=0,
        generator__hidden_units=(8,),
        discriminator__hidden_units=(8,),
    )
    pipeline = pipeline_module.Pipeline(
        [
            ("augment", GANOversampler(estimator=gan, random_state=0)),
            ("model", LogisticRegression(max_iter=500)),
        ]
    )
    folds = list(KFold(n_splits=3, shuffle=True, random_state=0).split(X))
    SpyGAN.fitted_rows.clear()

    cross_val_score(pipeline, X, y, cv=folds)

    assert len(SpyGAN.fitted_rows) == len(folds)
    for rows, (train, test) in zip(SpyGAN.fitted_rows, folds):
        seen = set(rows[:, 0].astype(int).tolist())
        assert seen == set(train.tolist())
        assert seen.isdisjoint(test.tolist())


class FallbackGANOversampler(_GANOversamplerMixin, _FallbackOverSampler):
    """The oversampler on the base used when imbalanced-learn is missing."""


@pytest.mark.parametrize("sampling_strategy", ["auto", "minority", {2: 30}, 0.8])
def test_fallback_base_matches_imblearn_counts(sampling_strategy):
    X, y = _imbalanced(n_minor=0) if sampling_strategy == 0.8 else _imbalanced()
    params = dict(estimator=make_small_gan(), random_state=0, sampling_strategy=sampling_strategy)

    _, y_fallback = FallbackGANOversampler(**params).fit_resample(X, y)
    _, y_imblearn = GANOversampler(**params).fit_resample(X, y)

    assert Counter(y_fallback.tolist()) == Counter(y_imblearn.tolist())


def test_fit_resample_works_without_imblearn():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["imblearn"] = None  # makes "import imblearn" raise ImportError
        import numpy as np
        from isgan_sk import GANOversampler, ImportanceSampledGAN
        from isgan_sk.augmentation import _FallbackOverSampler

        assert issubclass(GANOversampler, _FallbackOverSampler)
        X = np.random.default_rng(0).normal(size=(40, 2))
        y = np.array([0] * 30 + [1] * 10)
        gan = ImportanceSampledGAN(max_epochs=1, batch_size=16, random_state=0)
        X_res, y_res = GANOversampler(estimator=gan).fit_resample(X, y)
        print(np.bincount(y_res).tolist())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[30, 30]"
