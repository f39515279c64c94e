"""Two-sample statistics that measure how close generated rows are to real ones.

Each statistic compares a sample ``X`` with a sample ``Y`` that has the
same number of features and any number of rows. The distances are 0 when
the two empirical distributions are equal, and ``mmd2`` is 0 in
expectation when both samples come from one distribution.
:func:`make_sample_scorer` turns any of them into a scorer for
:class:`~sklearn.model_selection.GridSearchCV`.
"""

import inspect
import numbers
from collections import namedtuple

import numpy as np
from scipy.linalg import eigh
from scipy.spatial.distance import cdist
from scipy.stats import wasserstein_distance
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.utils import check_array, check_random_state
from threadpoolctl import threadpool_limits

from ._features import ClassifierFeatures

__all__ = [
    "ClassifierFeatures",
    "ModeCoverage",
    "classifier_two_sample_test",
    "energy_distance",
    "frechet_distance",
    "make_sample_scorer",
    "median_bandwidth",
    "mmd2",
    "mode_coverage",
    "sliced_wasserstein",
    "wasserstein_1d",
]


def _check_two_samples(X, Y, function, min_rows=1, names=("X", "Y")):
    """Validate two samples as float64 arrays with the same number of features."""
    X = check_array(X, dtype=np.float64, input_name=names[0])
    Y = check_array(Y, dtype=np.float64, input_name=names[1])
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of features. "
            f"Got {X.shape[1]} and {Y.shape[1]}."
        )
    for name, sample in zip(names, (X, Y)):
        if sample.shape[0] < min_rows:
            raise ValueError(
                f"{function} needs at least {min_rows} rows in {name}. Got "
                f"{sample.shape[0]}; pass a larger sample."
            )
    return X, Y


def _check_random_state(random_state):
    """Return a RandomState from an int, RandomState, Generator or None."""
    if isinstance(random_state, np.random.Generator):
        return np.random.RandomState(random_state.integers(2**32))
    return check_random_state(random_state)


def _check_positive_int(value, name, function, minimum=1):
    if (
        not isinstance(value, numbers.Integral)
        or isinstance(value, bool)
        or value < minimum
    ):
        raise ValueError(
            f"The '{name}' parameter of {function} must be an int >= {minimum}. "
            f"Got {value!r} instead."
        )
    return int(value)


def median_bandwidth(X):
    """Return the median pairwise Euclidean distance between the rows of ``X``.

    This is the median heuristic for the RBF bandwidth. Zero distances are
    left out, so repeated rows do not shrink it; a sample whose rows are all
    equal gives 1.0.

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.metrics import median_bandwidth
    >>> median_bandwidth(np.array([[0.0], [1.0], [3.0]]))
    2.0
    """
    X = check_array(X, dtype=np.float64)
    distances = euclidean_distances(X)
    upper = distances[np.triu_indices_from(distances, k=1)]
    upper = upper[upper > 0]
    if upper.size == 0:
        return 1.0
    return float(np.median(upper))


def mmd2(X, Y, bandwidth=None):
    """Return the unbiased estimate of the squared MMD between two samples.

    The kernel is ``k(x, y) = exp(-||x - y||^2 / (2 * bandwidth^2))``. The
    estimate leaves out the diagonal of the within-sample kernel matrices,
    so its expectation is exactly the squared maximum mean discrepancy: 0
    when both samples come from one distribution, and it may then come out
    slightly negative.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample, at least 2 rows.
    Y : array-like of shape (n_samples_Y, n_features)
        Second sample, at least 2 rows.
    bandwidth : float, default=None
        RBF bandwidth. ``None`` uses :func:`median_bandwidth` of ``X``.

    Returns
    -------
    mmd2 : float

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.metrics import mmd2
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> round(mmd2(X, X + 3.0), 2) > 0.5
    True
    """
    X = check_array(X, dtype=np.float64)
    Y = check_array(Y, dtype=np.float64)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of features. Got {X.shape[1]} "
            f"and {Y.shape[1]}."
        )
    if X.shape[0] < 2 or Y.shape[0] < 2:
        raise ValueError(
            "The unbiased MMD needs at least 2 rows in each sample. Got "
            f"{X.shape[0]} and {Y.shape[0]}."
        )
    if bandwidth is None:
        bandwidth = median_bandwidth(X)
    if not bandwidth > 0:
        raise ValueError(f"The bandwidth must be positive. Got {bandwidth!r} instead.")

    gamma = 1.0 / (2.0 * bandwidth**2)
    n_x, n_y = X.shape[0], Y.shape[0]
    k_xx = np.exp(-gamma * euclidean_distances(X, squared=True))
    k_yy = np.exp(-gamma * euclidean_distances(Y, squared=True))
    k_xy = np.exp(-gamma * euclidean_distances(X, Y, squared=True))
    within_x = (k_xx.sum() - np.trace(k_xx)) / (n_x * (n_x - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (n_y * (n_y - 1))
    return float(within_x + within_y - 2.0 * k_xy.mean())


def wasserstein_1d(X, Y, multioutput="uniform_average"):
    """Compute the exact Wasserstein-1 distance between each pair of marginals.

    For every feature, the distance is between the empirical distribution
    of that column of ``X`` and that of ``Y``, computed exactly by
    :func:`scipy.stats.wasserstein_distance`. The features are compared one
    at a time, so two samples with equal marginals but different joint
    distributions are at distance 0. :func:`sliced_wasserstein` and
    :func:`energy_distance` account for the dependence between features.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample.
    Y : array-like of shape (n_samples_Y, n_features)
        Second sample.
    multioutput : {'raw_values', 'uniform_average'} or array-like of shape \
            (n_features,), default='uniform_average'
        How the per-feature distances are combined. 'raw_values' returns
        all of them, 'uniform_average' their mean, and an array the mean
        weighted by it. The default returns a float, as scikit-learn's
        regression metrics do, so the function works unchanged in
        :func:`make_sample_scorer`.

    Returns
    -------
    distance : float or ndarray of shape (n_features,)
        Distances in the units of the features.

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.metrics import wasserstein_1d
    >>> X = np.array([[0.0, 0.0], [1.0, 2.0]])
    >>> wasserstein_1d(X, X + [1.0, 3.0], multioutput="raw_values")
    array([1., 3.])
    >>> wasserstein_1d(X, X + [1.0, 3.0])
    2.0
    """
    X, Y = _check_two_samples(X, Y, "wasserstein_1d")
    distances = np.array(
        [wasserstein_distance(X[:, j], Y[:, j]) for j in range(X.shape[1])]
    )

    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return distances
        if multioutput == "uniform_average":
            return float(distances.mean())
    else:
        weights = np.asarray(multioutput, dtype=np.float64)
        if (
            weights.shape == distances.shape
            and np.all(weights >= 0)
            and weights.sum() > 0
        ):
            return float(np.average(distances, weights=weights))
    raise ValueError(
        "The 'multioutput' parameter of wasserstein_1d must be 'raw_values', "
        "'uniform_average' or non-negative weights of shape "
        f"({X.shape[1]},) with a positive sum. Got {multioutput!r} instead."
    )


def energy_distance(X, Y, squared=False):
    """Compute the energy distance between two samples of any dimension.

    With ``squared=True`` this is the statistic of Székely and Rizzo,
    ``2 E||X - Y|| - E||X - X'|| - E||Y - Y'||``, on the empirical
    distributions: the within-sample means include each row's zero distance
    to itself, so the value is the energy distance between the two
    empirical distributions, never negative and 0 only when they are equal.
    The default returns its square root, which is a metric between
    distributions and is the definition in the documentation of
    :func:`scipy.stats.energy_distance`, so for one feature the two
    functions agree (checked against SciPy 1.17).

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample.
    Y : array-like of shape (n_samples_Y, n_features)
        Second sample.
    squared : bool, default=False
        Return the statistic itself instead of its square root.

    Returns
    -------
    distance : float
        In the units of the features, or their square root with
        ``squared=True``.

    Notes
    -----
    The three matrices of pairwise distances are held in memory, which
    takes ``8 * (n_samples_X + n_samples_Y) ** 2`` bytes.

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.metrics import energy_distance
    >>> X = np.array([[0.0], [1.0]])
    >>> energy_distance(X, X + 2.0, squared=True)
    3.0
    >>> round(energy_distance(X, X + 2.0), 4)
    1.7321
    """
    X, Y = _check_two_samples(X, Y, "energy_distance")
    between = cdist(X, Y).mean()
    within_x = cdist(X, X).mean()
    within_y = cdist(Y, Y).mean()

    # Exact arithmetic gives a value >= 0, but rounding can leave about -1e-16.
    statistic = max(2.0 * between - within_x - within_y, 0.0)
    return float(statistic if squared else np.sqrt(statistic))


def sliced_wasserstein(X, Y, n_projections=100, random_state=None):
    """Estimate the sliced Wasserstein-1 distance by random projections.

    The sliced distance is the mean, over directions ``theta`` uniform on
    the unit sphere, of the Wasserstein-1 distance between the projections
    ``X @ theta`` and ``Y @ theta``. The estimate averages it over
    ``n_projections`` directions, drawn as normalised standard normal
    vectors, and each 1-D distance is exact. Its Monte Carlo error shrinks
    as ``1 / sqrt(n_projections)``. For a single feature every direction
    is +1 or -1, so the result equals :func:`wasserstein_1d`.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample.
    Y : array-like of shape (n_samples_Y, n_features)
        Second sample.
    n_projections : int, default=100
        Number of random directions.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the directions. Pass an int for a reproducible value; two
        calls with the same int use the same directions.

    Returns
    -------
    distance : float
        In the units of the features.

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.metrics import sliced_wasserstein
    >>> X = np.random.default_rng(0).normal(size=(100, 3))
    >>> sliced_wasserstein(X, X, random_state=0)
    0.0
    >>> sliced_wasserstein(X, X + 1.0, random_state=0) > 0.5
    True
    """
    X, Y = _check_two_samples(X, Y, "sliced_wasserstein")
    n_projections = _check_positive_int(
        n_projections, "n_projections", "sliced_wasserstein"
    )
    rng = _check_random_state(random_state)

    directions = rng.standard_normal(size=(X.shape[1], n_projections))
    directions /= np.linalg.norm(directions, axis=0)
    X_projected = X @ directions
    Y_projected = Y @ directions
    distances = [
        wasserstein_distance(X_projected[:, k], Y_projected[:, k])
        for k in range(n_projections)
    ]
    return float(np.mean(distances))


def _apply_feature_extractor(feature_extractor, rows, name):
    if hasattr(feature_extractor, "transform"):
        features = feature_extractor.transform(rows)
    else:
        features = feature_extractor(rows)
    return check_array(
        features, dtype=np.float64, input_name=f"feature_extractor({name})"
    )


def _psd_sqrt(matrix):
    """Return the symmetric square root of a symmetric positive semi-definite matrix."""
    eigenvalues, eigenvectors = eigh(matrix)
    # Rounding can make the eigenvalues of a singular covariance slightly negative.
    roots = np.sqrt(np.clip(eigenvalues, 0.0, None))
    return (eigenvectors * roots) @ eigenvectors.T


def frechet_distance(features_X, features_Y, feature_extractor=None):
    """Compute the Fréchet distance between Gaussians fitted to two sets of features.

    Each set gets a Gaussian with its sample mean and its unbiased
    (``ddof=1``) covariance, and the result is the squared 2-Wasserstein
    distance between the two Gaussians,
    ``||mu_X - mu_Y||^2 + Tr(S_X + S_Y - 2 (S_X^(1/2) S_Y S_X^(1/2))^(1/2))``.
    This is the statistic behind the Fréchet Inception Distance (FID), which
    applies it to features of a pretrained network, and like FID it is the
    squared distance.

    Parameters
    ----------
    features_X : array-like of shape (n_samples_X, n_features)
        First set of rows, at least 2.
    features_Y : array-like of shape (n_samples_Y, n_features)
        Second set of rows, at least 2.
    feature_extractor : callable or transformer, default=None
        Maps the rows of ``features_X`` and ``features_Y`` to the features
        that the Gaussians are fitted to: an object with a ``transform``
        method (a fitted scikit-learn transformer) or a callable that
        returns an array of shape (n_samples, n_extracted_features).
        ``None`` uses the columns as given.

    Returns
    -------
    distance : float
        Squared distance, in the squared units of the features.

    Notes
    -----
    The usual formula takes ``scipy.linalg.sqrtm(S_X @ S_Y)``. That product
    is not symmetric, so ``sqrtm`` can return small imaginary parts from
    rounding, and it can fail when a covariance is singular, as it is with
    fewer rows than features or with a constant feature. This function uses
    the symmetric form above instead. Both square roots come from
    eigendecompositions of symmetric positive semi-definite matrices
    (:func:`scipy.linalg.eigh`), and eigenvalues that rounding makes
    slightly negative are set to 0. The result is always real, with no
    ridge added to singular covariances. The trace equals that of
    ``(S_X S_Y)^(1/2)`` in the usual formula, because ``S_X S_Y`` and
    ``S_X^(1/2) S_Y S_X^(1/2)`` have the same eigenvalues. A negative total
    left by rounding is returned as 0.

    The plug-in estimate is biased, with a bias that shrinks as the number
    of rows grows, so compare values computed from equal numbers of rows.

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.metrics import frechet_distance
    >>> X = np.random.default_rng(0).normal(size=(500, 2))
    >>> frechet_distance(X, X)
    0.0
    >>> round(frechet_distance(X, X + [3.0, 4.0]), 6)
    25.0
    """
    names = ("features_X", "features_Y")
    features_X, features_Y = _check_two_samples(
        features_X, features_Y, "frechet_distance", min_rows=2, names=names
    )
    if feature_extractor is not None:
        if not (hasattr(feature_extractor, "transform") or callable(feature_extractor)):
            raise TypeError(
                "The 'feature_extractor' parameter of frechet_distance must be None, "
                "a callable or an object with a transform method. Got "
                f"{feature_extractor!r} instead."
            )
        features_X = _apply_feature_extractor(feature_extractor, features_X, names[0])
        features_Y = _apply_feature_extractor(feature_extractor, features_Y, names[1])
        features_X, features_Y = _check_two_samples(
            features_X, features_Y, "frechet_distance", min_rows=2, names=names
        )

    mean_difference = features_X.mean(axis=0) - features_Y.mean(axis=0)
    covariance_X = np.atleast_2d(np.cov(features_X, rowvar=False))
    covariance_Y = np.atleast_2d(np.cov(features_Y, rowvar=False))

    sqrt_covariance_X = _psd_sqrt(covariance_X)
    middle = sqrt_covariance_X @ covariance_Y @ sqrt_covariance_X
    # Rounding leaves the product slightly asymmetric, and eigh reads only
    # one triangle, so average the matrix with its transpose.
    middle = (middle + middle.T) / 2.0
    trace_of_root = np.sqrt(np.clip(eigh(middle, eigvals_only=True), 0.0, None)).sum()

    distance = (
        mean_difference @ mean_difference
        + np.trace(covariance_X)
        + np.trace(covariance_Y)
        - 2.0 * trace_of_root
    )
    return float(max(distance, 0.0))


def classifier_two_sample_test(X, Y, classifier=None, cv=5, random_state=None):
    """Estimate how accurately a classifier separates the rows of X from those of Y.

    Rows of ``X`` get label 0 and rows of ``Y`` label 1. The larger sample
    is first subsampled without replacement to the size of the smaller, so
    that a classifier that ignores its input scores 0.5. The result is the
    mean accuracy over the cross-validation folds: 0.5 means the classifier
    finds no difference between the samples, 1.0 means it separates them.
    Values a little below 0.5 are noise.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample, usually real rows.
    Y : array-like of shape (n_samples_Y, n_features)
        Second sample, usually generated rows.
    classifier : classifier, default=None
        Unfitted scikit-learn classifier, cloned for each fold. ``None``
        uses :class:`~sklearn.ensemble.HistGradientBoostingClassifier`. It
        is nonlinear, so it detects differences in spread and shape, which
        a linear model such as
        :class:`~sklearn.linear_model.LogisticRegression` misses when the
        means agree, and it bins each feature, so it needs no scaling. It
        runs on one OpenMP thread, because threads that wait at OpenMP
        barriers spin and slow the fit many times over when other processes
        keep the cores busy. Pass ``HistGradientBoostingClassifier()`` to
        use the process-wide setting, which can be faster on large samples.
    cv : int, cross-validation generator or iterable, default=5
        An int is the number of folds of a shuffled
        :class:`~sklearn.model_selection.StratifiedKFold`; each sample then
        needs at least that many rows. Other values go to
        :func:`~sklearn.model_selection.cross_val_score` as they are.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the subsampling, the fold assignment of an int ``cv`` and
        the default classifier.

    Returns
    -------
    accuracy : float
        Mean cross-validated accuracy, between 0 and 1.

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.metrics import classifier_two_sample_test
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> Y = rng.normal(loc=4.0, size=(150, 2))
    >>> classifier_two_sample_test(X, Y, random_state=0) > 0.95
    True
    """
    X, Y = _check_two_samples(X, Y, "classifier_two_sample_test")
    if isinstance(cv, numbers.Integral):
        cv = _check_positive_int(cv, "cv", "classifier_two_sample_test", minimum=2)
        _check_two_samples(
            X, Y, f"classifier_two_sample_test with cv={cv}", min_rows=cv
        )
    rng = _check_random_state(random_state)

    n_rows = min(X.shape[0], Y.shape[0])
    X = X[rng.choice(X.shape[0], n_rows, replace=False)]
    Y = Y[rng.choice(Y.shape[0], n_rows, replace=False)]
    rows = np.vstack([X, Y])
    labels = np.repeat([0, 1], n_rows)

    if isinstance(cv, numbers.Integral):
        cv = StratifiedKFold(
            n_splits=cv, shuffle=True, random_state=rng.randint(np.iinfo(np.int32).max)
        )
    if classifier is not None:
        accuracies = cross_val_score(
            classifier, rows, labels, cv=cv, scoring="accuracy"
        )
        return float(np.mean(accuracies))

    classifier = HistGradientBoostingClassifier(
        random_state=rng.randint(np.iinfo(np.int32).max)
    )
    # The gradient boosting threads meet at an OpenMP barrier for every
    # histogram, and the waiting threads spin while another process runs on
    # a core. On a 2-core machine shared with other jobs, 5 folds on 600 rows
    # took 20 s with 2 threads and 0.4 s with 1.
    # NOTE: the gain from more threads on large samples and idle cores was
    # not measured, so one thread may be slower there.
    with threadpool_limits(limits=1, user_api="openmp"):
        accuracies = cross_val_score(
            classifier, rows, labels, cv=cv, scoring="accuracy"
        )
    return float(np.mean(accuracies))


ModeCoverage = namedtuple(
    "ModeCoverage",
    ["n_modes_captured", "high_quality_fraction", "reverse_kl", "counts"],
)
ModeCoverage.__doc__ = """\
Result of :func:`mode_coverage`.

Attributes
----------
n_modes_captured : int
    Number of modes with at least ``min_samples`` high-quality samples.
high_quality_fraction : float
    Fraction of all generated rows that are high quality.
reverse_kl : float
    ``KL(q || u)`` in nats, from the distribution ``q`` of the high-quality
    samples over the modes to the uniform distribution ``u``. NaN when no
    sample is high quality.
counts : ndarray of shape (n_modes,)
    Number of high-quality samples assigned to each mode.

Examples
--------
>>> import numpy as np
>>> from isgan_sk.metrics import mode_coverage
>>> result = mode_coverage(np.zeros((5, 2)), centers=[[0.0, 0.0], [4.0, 0.0]], std=0.1)
>>> result.counts
array([5, 0])
"""


def mode_coverage(X_generated, centers, std, threshold=3.0, min_samples=1):
    """Count the modes of a known Gaussian mixture that generated rows reach.

    This is the protocol for synthetic mixtures such as the ring of 8
    Gaussians or the grid of 25. Each generated row is assigned to the mode
    nearest to it in standardised distance ``||x - center_k|| / std_k``.
    The row is high quality when that distance is below ``threshold``
    (three standard deviations by default). A mode is captured when at
    least ``min_samples`` high-quality rows are assigned to it. The
    assignment and the high-quality rule follow the evaluation code that
    the PacGAN authors published (``synthetic_data_experiments/PacGAN/
    pacgan/extensions.py`` in github.com/fjxmlzn/PacGAN), and the default
    ``min_samples=1`` counts modes as that code does. The reverse KL is
    ``KL(q || u) = sum_k q_k log(q_k * n_modes)``, where ``q`` is the
    histogram of high-quality rows over the modes, normalised, and ``u`` is
    uniform: 0 when every mode gets an equal share, and ``log(n_modes /
    m)`` when ``m`` modes share the rows equally.

    NOTE: that code reports a Jensen-Shannon divergence to the uniform
    distribution, not this KL, so the KL values are not comparable with
    its output.

    Parameters
    ----------
    X_generated : array-like of shape (n_samples, n_features)
        Generated rows.
    centers : array-like of shape (n_modes, n_features)
        Means of the mixture components.
    std : float or array-like of shape (n_modes,)
        Standard deviation of the isotropic components, one for all or one
        per mode.
    threshold : float, default=3.0
        Largest standardised distance of a high-quality row, in standard
        deviations.
    min_samples : int, default=1
        Number of high-quality rows a mode needs to count as captured.

    Returns
    -------
    result : ModeCoverage
        Named tuple ``(n_modes_captured, high_quality_fraction,
        reverse_kl, counts)``; see :class:`ModeCoverage`.

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.metrics import mode_coverage
    >>> angles = 2 * np.pi * np.arange(8) / 8
    >>> ring = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    >>> collapsed = np.repeat(ring[:4], 25, axis=0)
    >>> result = mode_coverage(collapsed, ring, std=0.02)
    >>> result.n_modes_captured, result.high_quality_fraction
    (4, 1.0)
    >>> round(result.reverse_kl, 4)  # log(8 / 4): half the modes, equal shares
    0.6931
    """
    X_generated, centers = _check_two_samples(
        X_generated, centers, "mode_coverage", names=("X_generated", "centers")
    )
    n_modes = centers.shape[0]
    std_array = np.asarray(std, dtype=np.float64)
    if std_array.ndim == 0:
        std_array = np.full(n_modes, float(std_array))
    if std_array.shape != (n_modes,) or not np.all(std_array > 0):
        raise ValueError(
            "The 'std' parameter of mode_coverage must be a positive float or "
            f"positive values of shape ({n_modes},), one per center. Got {std!r} "
            "instead."
        )
    if not (isinstance(threshold, numbers.Real) and threshold > 0):
        raise ValueError(
            "The 'threshold' parameter of mode_coverage must be a positive number "
            f"of standard deviations. Got {threshold!r} instead."
        )
    min_samples = _check_positive_int(min_samples, "min_samples", "mode_coverage")

    standardised = cdist(X_generated, centers) / std_array
    nearest = standardised.argmin(axis=1)
    is_high_quality = standardised[np.arange(len(nearest)), nearest] < threshold
    counts = np.bincount(nearest[is_high_quality], minlength=n_modes)

    n_high_quality = counts.sum()
    if n_high_quality == 0:
        reverse_kl = float("nan")
    else:
        shares = counts[counts > 0] / n_high_quality
        reverse_kl = float(np.sum(shares * np.log(shares * n_modes)))
    return ModeCoverage(
        n_modes_captured=int(np.sum(counts >= min_samples)),
        high_quality_fraction=float(n_high_quality / X_generated.shape[0]),
        reverse_kl=reverse_kl,
        counts=counts,
    )


_METRICS = {
    "classifier_two_sample_test": classifier_two_sample_test,
    "energy_distance": energy_distance,
    "frechet_distance": frechet_distance,
    "mmd2": mmd2,
    "sliced_wasserstein": sliced_wasserstein,
    "wasserstein_1d": wasserstein_1d,
}


def _takes_random_state(function):
    try:
        return "random_state" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        # Some callables, such as builtins, have no inspectable signature.
        return False


class _SampleScorer:
    """Scorer that compares held-out rows with rows the estimator generates."""

    def __init__(self, metric, sign, n_samples, random_state, metric_kwargs):
        self.metric = metric
        self.sign = sign
        self.n_samples = n_samples
        self.random_state = random_state
        self.metric_kwargs = metric_kwargs

    def __call__(self, estimator, X, y=None):
        X = check_array(X, dtype=np.float64)
        n_samples = X.shape[0] if self.n_samples is None else self.n_samples
        X_generated = estimator.sample(n_samples, random_state=self.random_state)
        metric_kwargs = dict(self.metric_kwargs)
        if _takes_random_state(self.metric):
            metric_kwargs["random_state"] = self.random_state
        value = self.metric(X, X_generated, **metric_kwargs)
        if np.ndim(value) != 0:
            raise ValueError(
                f"The metric {self._metric_name()} returned an array of shape "
                f"{np.shape(value)}, but a scorer needs a float. Pass metric "
                "arguments that make it return one, for example "
                "multioutput='uniform_average' for wasserstein_1d."
            )
        return self.sign * float(value)

    def _metric_name(self):
        return getattr(self.metric, "__name__", repr(self.metric))

    def __repr__(self):
        arguments = [
            self._metric_name(),
            f"greater_is_better={self.sign > 0}",
            f"n_samples={self.n_samples!r}",
            f"random_state={self.random_state!r}",
        ]
        arguments += [f"{key}={value!r}" for key, value in self.metric_kwargs.items()]
        return f"make_sample_scorer({', '.join(arguments)})"


def make_sample_scorer(
    metric, greater_is_better=False, n_samples=None, random_state=0, **metric_kwargs
):
    """Make a scorer that compares held-out rows with generated rows.

    The scorer has the signature ``scorer(estimator, X, y=None)`` that
    :class:`~sklearn.model_selection.GridSearchCV` and
    :func:`~sklearn.model_selection.cross_validate` expect. It draws rows
    with ``estimator.sample(n, random_state=random_state)``, where ``n`` is
    ``len(X)`` or ``n_samples``, and returns
    ``metric(X, generated, **metric_kwargs)``. When lower values of the
    metric are better, it negates them, so that higher scores are always
    better. The rows are compared in the units of ``X``, so scale the
    features first when their ranges differ a lot.

    Parameters
    ----------
    metric : str or callable
        The name of a metric in this module ('mmd2', 'energy_distance',
        'wasserstein_1d', 'sliced_wasserstein', 'frechet_distance' or
        'classifier_two_sample_test'), or a callable
        ``metric(X, X_generated, **metric_kwargs)`` that returns a float.
    greater_is_better : bool, default=False
        Whether higher metric values mean a better model. All distances
        in this module are lower for better models. For
        'classifier_two_sample_test', keep False: the accuracy falls
        towards 0.5 as the model improves.
    n_samples : int, default=None
        Number of generated rows. ``None`` draws as many as ``X`` has.
    random_state : int, RandomState instance, Generator or None, default=0
        Passed to ``estimator.sample`` and, when ``metric`` has a
        ``random_state`` parameter ('sliced_wasserstein' and
        'classifier_two_sample_test' do), to the metric too. The default
        int draws the same latent noise and the same metric randomness on
        every call, so that candidates in a search are compared on the same
        draws. A RandomState or Generator instance advances from call to
        call.
    **metric_kwargs : dict
        Further arguments of ``metric``, such as ``n_projections`` of
        'sliced_wasserstein'.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``; ``y`` is ignored.

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk import ImportanceSampledGAN
    >>> from isgan_sk.metrics import make_sample_scorer
    >>> X = np.random.default_rng(0).normal(size=(128, 1))
    >>> gan = ImportanceSampledGAN(max_epochs=2, batch_size=32, random_state=0).fit(X)
    >>> scorer = make_sample_scorer("energy_distance")
    >>> scorer
    make_sample_scorer(energy_distance, greater_is_better=False,
                       n_samples=None, random_state=0)
    >>> scorer(gan, X) <= 0.0
    True
    """
    if isinstance(metric, str):
        if metric not in _METRICS:
            raise ValueError(
                "The 'metric' parameter of make_sample_scorer must be one of "
                f"{sorted(_METRICS)} or a callable. Got {metric!r} instead."
            )
        metric = _METRICS[metric]
    elif not callable(metric):
        raise TypeError(
            "The 'metric' parameter of make_sample_scorer must be a str or a "
            f"callable. Got {metric!r} instead."
        )
    if not isinstance(greater_is_better, (bool, np.bool_)):
        raise TypeError(
            "The 'greater_is_better' parameter of make_sample_scorer must be a bool. "
            f"Got {greater_is_better!r} instead."
        )
    if n_samples is not None:
        n_samples = _check_positive_int(n_samples, "n_samples", "make_sample_scorer")

    sign = 1.0 if greater_is_better else -1.0
    return _SampleScorer(metric, sign, n_samples, random_state, metric_kwargs)
