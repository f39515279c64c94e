"""Tests of the two-sample metrics and the sample scorer."""

import re

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.model_selection import GridSearchCV, KFold

from isgan_sk import ImportanceSampledGAN
from isgan_sk.metrics import (
    ModeCoverage,
    classifier_two_sample_test,
    energy_distance,
    frechet_distance,
    make_sample_scorer,
    median_bandwidth,
    mmd2,
    mode_coverage,
    sliced_wasserstein,
    wasserstein_1d,
)

# Results that differ from the exact value only by float64 rounding in sums
# over a few hundred terms of order 1 stay far inside this relative tolerance.
ROUNDING_RTOL = 1e-9


def _sample_with_moments(rng, mean, covariance, n_samples):
    """Draw rows whose sample mean and ddof=1 covariance equal the arguments."""
    mean = np.asarray(mean, dtype=np.float64)
    covariance = np.atleast_2d(covariance)
    noise = rng.standard_normal(size=(n_samples, mean.size))
    noise -= noise.mean(axis=0)
    # Whiten the noise so that its sample covariance is exactly the identity,
    # then colour it with the Cholesky factor of the target covariance.
    noise_factor = np.linalg.cholesky(np.atleast_2d(np.cov(noise, rowvar=False)))
    white = np.linalg.solve(noise_factor, noise.T).T
    return mean + white @ np.linalg.cholesky(covariance).T


def _random_covariance(rng, n_features):
    factor = rng.normal(size=(n_features, n_features))
    return factor @ factor.T + 0.5 * np.eye(n_features)


# -- wasserstein_1d ---------------------------------------------------------


@pytest.mark.parametrize("shift", [[0.0, 0.0, 0.0], [1.5, -2.0, 0.25]])
def test_wasserstein_1d_translation_gives_shift(shift):
    X = np.random.default_rng(0).normal(size=(50, 3))

    distances = wasserstein_1d(X, X + shift, multioutput="raw_values")

    assert distances.shape == (3,)
    np.testing.assert_allclose(distances, np.abs(shift), atol=ROUNDING_RTOL)


def test_wasserstein_1d_equals_mean_sorted_difference():
    # For equal sizes, the optimal plan matches the i-th smallest values.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 2))
    Y = rng.exponential(size=(80, 2))

    expected = np.abs(np.sort(X, axis=0) - np.sort(Y, axis=0)).mean(axis=0)

    np.testing.assert_allclose(
        wasserstein_1d(X, Y, multioutput="raw_values"), expected, rtol=ROUNDING_RTOL
    )


@pytest.mark.parametrize("loc_X, loc_Y, scale", [(0.0, 1.0, 1.0), (-2.0, 3.0, 0.5)])
def test_wasserstein_1d_gaussians_match_closed_form(loc_X, loc_Y, scale):
    # W1(N(a, s^2), N(b, s^2)) = |a - b|. By the triangle inequality the
    # estimate is off by at most the sum of W1(sample, its distribution)
    # over both samples. Each term has mean 1.29 * scale / sqrt(n), which
    # is 0.029 * scale for n = 2000, so 0.15 is 2.6 times the mean of the
    # bound at scale 1. Over 20 seeds the error at scale 0.5 stayed below
    # 0.027.
    rng = np.random.default_rng(2)
    X = rng.normal(loc_X, scale, size=(2000, 1))
    Y = rng.normal(loc_Y, scale, size=(2000, 1))

    assert wasserstein_1d(X, Y) == pytest.approx(abs(loc_X - loc_Y), abs=0.15)


def test_wasserstein_1d_symmetric_and_zero_for_identical():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    Y = rng.normal(size=(25, 2))

    assert wasserstein_1d(X, X) == 0.0
    assert wasserstein_1d(X, Y) == pytest.approx(
        wasserstein_1d(Y, X), rel=ROUNDING_RTOL
    )


def test_wasserstein_1d_multioutput_averages():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 3))
    Y = rng.normal(size=(30, 3)) + [0.0, 1.0, 2.0]
    raw = wasserstein_1d(X, Y, multioutput="raw_values")

    assert wasserstein_1d(X, Y) == pytest.approx(raw.mean(), rel=ROUNDING_RTOL)
    weighted = wasserstein_1d(X, Y, multioutput=[0.0, 1.0, 3.0])
    assert weighted == pytest.approx((raw[1] + 3 * raw[2]) / 4, rel=ROUNDING_RTOL)


@pytest.mark.parametrize(
    "multioutput", ["mean", [1.0, 1.0], [-1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
)
def test_wasserstein_1d_invalid_multioutput(multioutput):
    X = np.zeros((4, 3))

    with pytest.raises(
        ValueError, match="The 'multioutput' parameter of wasserstein_1d"
    ):
        wasserstein_1d(X, X, multioutput=multioutput)


# -- energy_distance --------------------------------------------------------


@pytest.mark.parametrize("n_samples_X, n_samples_Y", [(60, 60), (45, 70)])
def test_energy_distance_matches_scipy_in_1d(n_samples_X, n_samples_Y):
    rng = np.random.default_rng(5)
    x = rng.normal(size=n_samples_X)
    y = rng.standard_t(df=3, size=n_samples_Y) + 0.3
    expected = scipy.stats.energy_distance(x, y)

    value = energy_distance(x[:, None], y[:, None])
    squared = energy_distance(x[:, None], y[:, None], squared=True)

    assert value == pytest.approx(expected, rel=ROUNDING_RTOL)
    assert squared == pytest.approx(expected**2, rel=ROUNDING_RTOL)


def test_energy_distance_symmetric_and_zero_for_identical():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(40, 3))
    Y = rng.normal(size=(30, 3))

    assert energy_distance(X, X) == 0.0
    assert energy_distance(X, Y) == pytest.approx(
        energy_distance(Y, X), rel=ROUNDING_RTOL
    )


def test_energy_distance_invariant_to_rotation_and_translation():
    # The statistic only depends on Euclidean distances between rows.
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 3))
    Y = rng.normal(size=(30, 3)) * 2.0
    rotation, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    offset = rng.normal(size=3)

    moved = energy_distance(X @ rotation + offset, Y @ rotation + offset)

    assert moved == pytest.approx(energy_distance(X, Y), rel=ROUNDING_RTOL)


@pytest.mark.parametrize("factor", [0.1, 4.0])
def test_energy_distance_scales_with_square_root(factor):
    # Distances scale by the factor, so the statistic does and its root
    # scales by the square root of the factor.
    rng = np.random.default_rng(8)
    X = rng.normal(size=(40, 2))
    Y = rng.normal(size=(30, 2)) + 1.0

    scaled = energy_distance(factor * X, factor * Y)

    assert scaled == pytest.approx(
        np.sqrt(factor) * energy_distance(X, Y), rel=ROUNDING_RTOL
    )


# -- mmd2 -------------------------------------------------------------------


@pytest.mark.parametrize("bandwidth", [None, 0.5, 3.0])
def test_mmd2_matches_rbf_kernel(bandwidth):
    rng = np.random.default_rng(9)
    X = rng.normal(size=(50, 2))
    Y = rng.normal(size=(35, 2)) + 0.5
    width = median_bandwidth(X) if bandwidth is None else bandwidth
    gamma = 1.0 / (2.0 * width**2)
    k_xx = rbf_kernel(X, gamma=gamma)
    k_yy = rbf_kernel(Y, gamma=gamma)
    k_xy = rbf_kernel(X, Y, gamma=gamma)
    n_x, n_y = len(X), len(Y)
    expected = (
        (k_xx.sum() - n_x) / (n_x * (n_x - 1))
        + (k_yy.sum() - n_y) / (n_y * (n_y - 1))
        - 2.0 * k_xy.mean()
    )

    assert mmd2(X, Y, bandwidth=bandwidth) == pytest.approx(expected, rel=ROUNDING_RTOL)


def test_mmd2_near_zero_for_one_distribution():
    # The estimate is unbiased, so its mean is 0. Over 40 seeds with 300
    # rows each, its standard deviation measured 0.0017, and 0.015 is about
    # nine of them.
    rng = np.random.default_rng(10)
    X = rng.normal(size=(300, 2))
    Y = rng.normal(size=(300, 2))

    assert abs(mmd2(X, Y)) < 0.015


def test_mmd2_symmetric_with_fixed_bandwidth():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(40, 2))
    Y = rng.normal(size=(30, 2)) + 1.0

    assert mmd2(X, Y, bandwidth=1.0) == pytest.approx(
        mmd2(Y, X, bandwidth=1.0), rel=ROUNDING_RTOL
    )


def test_mmd2_grows_with_shift():
    # The population values for shifts 0.5, 1 and 2 at bandwidth 1 are
    # about 0.1, 0.35 and 0.75 in 2-D, far apart compared with the noise.
    X = np.random.default_rng(12).normal(size=(200, 2))

    values = [mmd2(X, X + shift, bandwidth=1.0) for shift in (0.5, 1.0, 2.0)]

    assert values[0] < values[1] < values[2]


@pytest.mark.parametrize(
    "X, Y, bandwidth, message",
    [
        (
            np.zeros((5, 2)),
            np.zeros((5, 3)),
            None,
            "same number of features. Got 2 and 3",
        ),
        (
            np.zeros((1, 2)),
            np.zeros((5, 2)),
            None,
            "at least 2 rows in each sample. Got 1 and 5",
        ),
        (np.ones((5, 2)), np.zeros((5, 2)), 0.0, "bandwidth must be positive. Got 0.0"),
    ],
)
def test_mmd2_invalid_input(X, Y, bandwidth, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        mmd2(X, Y, bandwidth=bandwidth)


# -- sliced_wasserstein -----------------------------------------------------


def test_sliced_wasserstein_equals_wasserstein_1d_for_one_feature():
    rng = np.random.default_rng(13)
    X = rng.normal(size=(40, 1))
    Y = rng.exponential(size=(55, 1))

    value = sliced_wasserstein(X, Y, n_projections=5, random_state=0)

    assert value == pytest.approx(wasserstein_1d(X, Y), rel=ROUNDING_RTOL)


def test_sliced_wasserstein_translation_matches_closed_form():
    # Projected on theta, a shift c moves every row by theta . c, so the
    # distance is |theta . c| exactly, and its mean over the unit circle is
    # ||c|| * 2 / pi. The Monte Carlo error has standard deviation
    # 5 * 0.31 / sqrt(2000) = 0.034, and 0.25 is about seven of them.
    X = np.random.default_rng(14).normal(size=(30, 2))
    shift = np.array([3.0, 4.0])

    value = sliced_wasserstein(X, X + shift, n_projections=2000, random_state=0)

    assert value == pytest.approx(5.0 * 2.0 / np.pi, abs=0.25)


def test_sliced_wasserstein_reproducible_and_symmetric():
    rng = np.random.default_rng(15)
    X = rng.normal(size=(40, 3))
    Y = rng.normal(size=(30, 3)) + 0.5

    first = sliced_wasserstein(X, Y, random_state=3)

    assert sliced_wasserstein(X, Y, random_state=3) == first
    assert sliced_wasserstein(Y, X, random_state=3) == pytest.approx(
        first, rel=ROUNDING_RTOL
    )
    assert sliced_wasserstein(X, X, random_state=3) == 0.0


@pytest.mark.parametrize("n_projections", [0, 2.5, True])
def test_sliced_wasserstein_invalid_n_projections(n_projections):
    X = np.zeros((4, 2))

    with pytest.raises(
        ValueError, match="The 'n_projections' parameter of sliced_wasserstein"
    ):
        sliced_wasserstein(X, X, n_projections=n_projections)


# -- frechet_distance -------------------------------------------------------


@pytest.mark.parametrize(
    "mean_X, variances_X, mean_Y, variances_Y",
    [
        ([0.0], [1.0], [2.0], [4.0]),
        ([0.0, 1.0, -1.0], [1.0, 2.0, 0.5], [1.0, 1.0, 0.0], [1.0, 0.5, 3.0]),
    ],
)
def test_frechet_distance_diagonal_gaussians_closed_form(
    mean_X, variances_X, mean_Y, variances_Y
):
    # With diagonal covariances the trace term is sum((sqrt(a) - sqrt(b))^2).
    # The samples have exactly these moments, so only rounding separates
    # the result from the closed form.
    rng = np.random.default_rng(16)
    X = _sample_with_moments(rng, mean_X, np.diag(variances_X), 100)
    Y = _sample_with_moments(rng, mean_Y, np.diag(variances_Y), 80)
    expected = np.sum((np.subtract(mean_X, mean_Y)) ** 2) + np.sum(
        (np.sqrt(variances_X) - np.sqrt(variances_Y)) ** 2
    )

    assert frechet_distance(X, Y) == pytest.approx(expected, rel=ROUNDING_RTOL)


def test_frechet_distance_matches_sqrtm_formula():
    # The usual formula with scipy.linalg.sqrtm on well-conditioned
    # covariances; sqrtm itself is accurate to about 1e-12 relative here.
    rng = np.random.default_rng(17)
    covariance_X = _random_covariance(rng, 4)
    covariance_Y = _random_covariance(rng, 4)
    mean_X, mean_Y = rng.normal(size=4), rng.normal(size=4)
    X = _sample_with_moments(rng, mean_X, covariance_X, 60)
    Y = _sample_with_moments(rng, mean_Y, covariance_Y, 60)
    root = np.real(scipy.linalg.sqrtm(covariance_X @ covariance_Y))
    expected = (
        np.sum((mean_X - mean_Y) ** 2)
        + np.trace(covariance_X)
        + np.trace(covariance_Y)
        - 2.0 * np.trace(root)
    )

    assert frechet_distance(X, Y) == pytest.approx(expected, rel=1e-7)


def test_frechet_distance_symmetric_and_zero_for_identical():
    rng = np.random.default_rng(18)
    X = rng.normal(size=(50, 3))
    Y = rng.normal(size=(40, 3)) * [1.0, 2.0, 0.5]

    assert frechet_distance(X, X) == 0.0
    assert frechet_distance(X, Y) == pytest.approx(frechet_distance(Y, X), rel=1e-7)


@pytest.mark.parametrize("n_samples", [5, 40])
def test_frechet_distance_singular_covariance_is_real(n_samples):
    # Five rows in ten features, or a constant feature, give a singular
    # covariance. A shift leaves the covariance unchanged, so the distance
    # is the squared norm of the shift. Eigenvalues that are 0 in theory
    # come out near 1e-16, about 1e-8 after the square root, and the
    # tolerance covers a sum of ten of them.
    rng = np.random.default_rng(19)
    X = rng.normal(size=(n_samples, 10))
    X[:, 0] = 1.0
    shift = np.arange(10, dtype=np.float64)

    distance = frechet_distance(X, X + shift)

    assert np.isfinite(distance)
    assert distance == pytest.approx(shift @ shift, abs=1e-6)


def test_frechet_distance_feature_extractor():
    rng = np.random.default_rng(20)
    X = rng.normal(size=(60, 4))
    Y = rng.normal(size=(50, 4)) + 1.0
    pca = PCA(n_components=2).fit(X)
    expected = frechet_distance(pca.transform(X), pca.transform(Y))

    assert frechet_distance(X, Y, feature_extractor=pca) == pytest.approx(
        expected, rel=ROUNDING_RTOL
    )
    assert frechet_distance(X, Y, feature_extractor=pca.transform) == pytest.approx(
        expected, rel=ROUNDING_RTOL
    )


@pytest.mark.parametrize(
    "features_Y, feature_extractor, error, message",
    [
        (
            np.zeros((1, 2)),
            None,
            ValueError,
            "needs at least 2 rows in features_Y. Got 1",
        ),
        (
            np.zeros((5, 2)),
            3,
            TypeError,
            "The 'feature_extractor' parameter of frechet_distance",
        ),
    ],
)
def test_frechet_distance_invalid_input(features_Y, feature_extractor, error, message):
    with pytest.raises(error, match=re.escape(message)):
        frechet_distance(
            np.ones((5, 2)), features_Y, feature_extractor=feature_extractor
        )


# -- classifier_two_sample_test ---------------------------------------------


def test_classifier_two_sample_test_one_distribution_near_half():
    # 600 held-out predictions with no signal give an accuracy with standard
    # deviation sqrt(0.25 / 600) = 0.02, and 0.1 is five of them.
    rng = np.random.default_rng(21)
    X = rng.normal(size=(300, 2))
    Y = rng.normal(size=(300, 2))

    accuracy = classifier_two_sample_test(X, Y, random_state=0)

    assert abs(accuracy - 0.5) < 0.1


def test_classifier_two_sample_test_balances_classes():
    # Without subsampling, always predicting the larger class would score
    # 600 / 660 = 0.91. Balanced, 120 predictions with no signal have a
    # standard deviation of 0.046, and 0.75 is more than five above 0.5.
    rng = np.random.default_rng(22)
    X = rng.normal(size=(600, 2))
    Y = rng.normal(size=(60, 2))

    assert classifier_two_sample_test(X, Y, random_state=0) < 0.75


def test_classifier_two_sample_test_default_detects_spread():
    # Equal means and standard deviations 1 and 4, so a linear classifier
    # has nothing to use. Over 8 seeds the accuracies measured 0.87 +- 0.01
    # and 0.49 +- 0.02, so the bounds 0.7 and 0.62 each leave more than
    # five standard deviations.
    rng = np.random.default_rng(23)
    X = rng.normal(size=(300, 2))
    Y = rng.normal(scale=4.0, size=(300, 2))

    default = classifier_two_sample_test(X, Y, random_state=0)
    linear = classifier_two_sample_test(
        X, Y, classifier=LogisticRegression(), random_state=0
    )

    assert default > 0.7
    assert linear < 0.62


def test_classifier_two_sample_test_reproducible_and_accepts_splitter():
    rng = np.random.default_rng(24)
    X = rng.normal(size=(60, 2))
    Y = rng.normal(size=(50, 2)) + 3.0

    first = classifier_two_sample_test(X, Y, random_state=5)

    assert classifier_two_sample_test(X, Y, random_state=5) == first
    splitter = KFold(n_splits=3, shuffle=True, random_state=0)
    assert classifier_two_sample_test(X, Y, cv=splitter, random_state=5) > 0.9


@pytest.mark.parametrize(
    "n_rows_Y, cv, message",
    [
        (
            20,
            1,
            "The 'cv' parameter of classifier_two_sample_test must be an int >= 2. "
            "Got 1",
        ),
        (
            3,
            5,
            "classifier_two_sample_test with cv=5 needs at least 5 rows in Y. Got 3",
        ),
    ],
)
def test_classifier_two_sample_test_invalid_input(n_rows_Y, cv, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        classifier_two_sample_test(np.zeros((20, 2)), np.ones((n_rows_Y, 2)), cv=cv)


# -- mode_coverage ----------------------------------------------------------


def _grid_centers():
    steps = np.arange(-4.0, 5.0, 2.0)
    return np.array([[x, y] for x in steps for y in steps])


def _rows_near(rng, center, std, n_rows, max_deviations=2.9):
    """Draw rows within ``max_deviations`` standard deviations of ``center``."""
    noise = rng.normal(size=(n_rows, 2))
    norms = np.linalg.norm(noise, axis=1, keepdims=True)
    noise *= np.minimum(1.0, max_deviations / norms)
    return center + std * noise


@pytest.mark.parametrize("captured_modes", [[0], [0, 3, 24], list(range(25))])
def test_mode_coverage_counts_known_modes(captured_modes):
    rng = np.random.default_rng(25)
    centers = _grid_centers()
    std = 0.05
    inliers = np.vstack([_rows_near(rng, centers[k], std, 10) for k in captured_modes])
    # Midpoints between neighbouring centers are 1 / 0.05 = 20 standard
    # deviations from both, so they are never high quality.
    outliers = np.tile([[-3.0, -3.0], [1.0, 0.0]], (5, 1))
    rows = np.vstack([inliers, outliers])

    result = mode_coverage(rows, centers, std)

    assert isinstance(result, ModeCoverage)
    assert result.n_modes_captured == len(captured_modes)
    assert result.high_quality_fraction == pytest.approx(len(inliers) / len(rows))
    expected_counts = np.zeros(25, dtype=int)
    expected_counts[captured_modes] = 10
    np.testing.assert_array_equal(result.counts, expected_counts)
    # Equal shares over m of 25 modes give KL(q || u) = log(25 / m).
    assert result.reverse_kl == pytest.approx(
        np.log(25 / len(captured_modes)), abs=1e-12
    )


def test_mode_coverage_min_samples():
    rng = np.random.default_rng(26)
    centers = _grid_centers()
    rows = np.vstack(
        [_rows_near(rng, centers[0], 0.05, 10), _rows_near(rng, centers[1], 0.05, 3)]
    )

    assert mode_coverage(rows, centers, 0.05).n_modes_captured == 2
    assert mode_coverage(rows, centers, 0.05, min_samples=5).n_modes_captured == 1


def test_mode_coverage_reverse_kl_matches_scipy_entropy():
    # scipy.stats.entropy(p, q) is KL(p || q).
    rng = np.random.default_rng(27)
    centers = _grid_centers()
    sizes = rng.integers(0, 6, size=25)
    sizes[0] = 1
    rows = np.vstack(
        [_rows_near(rng, centers[k], 0.05, n) for k, n in enumerate(sizes) if n]
    )

    result = mode_coverage(rows, centers, 0.05)

    expected = scipy.stats.entropy(sizes / sizes.sum(), np.full(25, 1 / 25))
    assert result.reverse_kl == pytest.approx(expected, rel=ROUNDING_RTOL)


def test_mode_coverage_without_high_quality_rows():
    rows = np.full((4, 2), 100.0)

    result = mode_coverage(rows, _grid_centers(), 0.05)

    assert result.n_modes_captured == 0
    assert result.high_quality_fraction == 0.0
    assert np.isnan(result.reverse_kl)


def test_mode_coverage_per_mode_std_and_threshold():
    # The row is 1.0 from the first center and 3.0 from the second; in
    # units of their standard deviations, 5 and 1.5.
    centers = np.array([[0.0, 0.0], [4.0, 0.0]])
    row = np.array([[1.0, 0.0]])

    assert mode_coverage(row, centers, std=[0.2, 2.0]).counts.tolist() == [0, 1]
    assert mode_coverage(row, centers, std=0.2).high_quality_fraction == 0.0
    assert mode_coverage(row, centers, std=0.2, threshold=6.0).counts.tolist() == [1, 0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"std": 0.0}, "The 'std' parameter of mode_coverage must be a positive float"),
        ({"std": [1.0, 1.0, 1.0]}, "positive values of shape (2,), one per center"),
        ({"std": 1.0, "threshold": -1.0}, "The 'threshold' parameter of mode_coverage"),
        (
            {"std": 1.0, "min_samples": 0},
            "The 'min_samples' parameter of mode_coverage",
        ),
        (
            {"centers": np.zeros((2, 3)), "std": 1.0},
            "X_generated and centers must have the same number of features. "
            "Got 2 and 3",
        ),
    ],
)
def test_mode_coverage_invalid_input(kwargs, message):
    kwargs = {"centers": np.array([[0.0, 0.0], [4.0, 0.0]]), **kwargs}

    with pytest.raises(ValueError, match=re.escape(message)):
        mode_coverage(np.zeros((3, 2)), **kwargs)


# -- make_sample_scorer -----------------------------------------------------


class _ShiftedNormal:
    """Stand-in for a fitted generative model that records its calls."""

    def __init__(self, shift):
        self.shift = shift
        self.calls = []

    def sample(self, n_samples=1, random_state=None):
        self.calls.append((n_samples, random_state))
        rng = np.random.default_rng(random_state)
        return rng.normal(size=(n_samples, 2)) + self.shift


def test_make_sample_scorer_negates_lower_is_better():
    X = np.random.default_rng(28).normal(size=(50, 2))
    model = _ShiftedNormal(shift=1.0)
    expected = energy_distance(X, model.sample(50, random_state=0))

    assert make_sample_scorer("energy_distance")(model, X) == -expected
    assert (
        make_sample_scorer(energy_distance, greater_is_better=True)(model, X)
        == expected
    )


def test_make_sample_scorer_passes_sample_arguments():
    X = np.zeros((30, 2))
    model = _ShiftedNormal(shift=0.0)

    make_sample_scorer("wasserstein_1d")(model, X)
    make_sample_scorer("wasserstein_1d", n_samples=7, random_state=3)(model, X, None)

    assert model.calls == [(30, 0), (7, 3)]


def test_make_sample_scorer_forwards_metric_arguments():
    X = np.random.default_rng(29).normal(size=(40, 2))
    model = _ShiftedNormal(shift=0.5)
    scorer = make_sample_scorer("sliced_wasserstein", random_state=1, n_projections=7)

    # The metric gets the scorer's random_state because it has that parameter.
    expected = sliced_wasserstein(
        X, model.sample(40, random_state=1), n_projections=7, random_state=1
    )

    assert scorer(model, X) == -expected


def test_make_sample_scorer_accepts_generator():
    X = np.random.default_rng(30).normal(size=(40, 2))
    scorer = make_sample_scorer(
        "sliced_wasserstein", random_state=np.random.default_rng(0)
    )

    assert scorer(_ShiftedNormal(shift=0.5), X) < 0.0


def test_make_sample_scorer_repr():
    scorer = make_sample_scorer("sliced_wasserstein", n_samples=20, n_projections=7)

    assert repr(scorer) == (
        "make_sample_scorer(sliced_wasserstein, greater_is_better=False, "
        "n_samples=20, random_state=0, n_projections=7)"
    )


def test_make_sample_scorer_array_metric_raises():
    scorer = make_sample_scorer("wasserstein_1d", multioutput="raw_values")

    with pytest.raises(
        ValueError, match="returned an array of shape \\(2,\\), but a scorer"
    ):
        scorer(_ShiftedNormal(shift=0.0), np.zeros((10, 2)))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"metric": "fid"},
            ValueError,
            "The 'metric' parameter of make_sample_scorer must be one of",
        ),
        ({"metric": 3}, TypeError, "must be a str or a callable. Got 3"),
        ({"metric": "mmd2", "n_samples": 0}, ValueError, "The 'n_samples' parameter"),
        (
            {"metric": "mmd2", "greater_is_better": "yes"},
            TypeError,
            "must be a bool. Got 'yes'",
        ),
    ],
)
def test_make_sample_scorer_invalid_input(kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make_sample_scorer(**kwargs)


def test_make_sample_scorer_in_grid_search():
    X = np.random.default_rng(31).normal(2.0, 0.5, size=(96, 1))
    scoring = {
        "energy": make_sample_scorer("energy_distance"),
        "wasserstein": make_sample_scorer("wasserstein_1d"),
    }
    search = GridSearchCV(
        ImportanceSampledGAN(max_epochs=2, batch_size=32, random_state=0),
        param_grid={"latent_dim": [2, 4]},
        scoring=scoring,
        refit="energy",
        cv=2,
    )

    search.fit(X)

    for name in scoring:
        scores = search.cv_results_[f"mean_test_{name}"]
        assert np.all(np.isfinite(scores))
        assert np.all(scores <= 0.0)
    assert search.best_params_["latent_dim"] in (2, 4)
    assert search.best_estimator_.sample(3, random_state=0).shape == (3, 1)


def test_classifier_features_distance_separates_real_from_noise():
    from isgan_sk.datasets import load_digits
    from isgan_sk.metrics import ClassifierFeatures

    X, y = load_digits()
    features = ClassifierFeatures(max_iter=100).fit(X, y)
    noise = np.random.default_rng(0).uniform(0, 16, size=(900, 64))

    real_halves = frechet_distance(X[::2], X[1::2], feature_extractor=features)
    real_to_noise = frechet_distance(X[::2], noise, feature_extractor=features)

    # A one-layer MLP reaches about 0.95 on held-out digits. Uniform noise
    # images are nothing like digits, so their distance is far larger than
    # that of two halves of the real set.
    assert features.accuracy_ > 0.9
    assert real_to_noise > 10 * real_halves
    assert features.class_coverage(X) == 1.0
