import multiprocessing

import numpy as np
import pytest
import torch
from scipy.optimize import linear_sum_assignment

from isgan_sk import _pairing
from isgan_sk._pairing import PAIRINGS, pair_pools, pairing_cost, start_pairing

torch.set_num_threads(1)


def _pools(seed, n_rows, n_features):
    rng = torch.Generator().manual_seed(seed)
    real = torch.randn(n_rows, n_features, generator=rng, dtype=torch.float64)
    fake = 0.5 + 1.5 * torch.randn(n_rows, n_features, generator=rng, dtype=torch.float64)
    return real, fake


def _assignment_cost(real, fake):
    distances = torch.cdist(real, fake).square().numpy()
    rows, cols = linear_sum_assignment(distances)
    return float(distances[rows, cols].sum())


@pytest.mark.parametrize("pairing", PAIRINGS)
@pytest.mark.parametrize("n_features", [1, 3])
def test_pair_pools_returns_permutation(pairing, n_features):
    real, fake = _pools(0, 17, n_features)
    perm = pair_pools(real, fake, pairing, torch.Generator().manual_seed(1))
    assert perm.dtype == torch.int64
    assert sorted(perm.tolist()) == list(range(17))


@pytest.mark.parametrize("seed", range(5))
def test_sorted_pairing_is_optimal_in_1d(seed):
    real, fake = _pools(seed, 40, 1)
    perm = pair_pools(real, fake, "sorted", torch.Generator())
    # Both costs add the same 40 squared distances in another order, so
    # they agree up to float64 rounding.
    assert pairing_cost(real, fake, perm) == pytest.approx(
        _assignment_cost(real, fake), rel=1e-12
    )


@pytest.mark.parametrize("seed", range(5))
def test_optimal_pairing_matches_assignment_solver(seed):
    real, fake = _pools(seed, 30, 3)
    perm = pair_pools(real, fake, "optimal", torch.Generator())
    assert pairing_cost(real, fake, perm) == pytest.approx(
        _assignment_cost(real, fake), rel=1e-12
    )


def test_pairing_costs_are_ordered():
    optimal, nearest, random = [], [], []
    for seed in range(30):
        real, fake = _pools(seed, 24, 3)
        rng = torch.Generator().manual_seed(seed)
        optimal.append(pairing_cost(real, fake, pair_pools(real, fake, "optimal", rng)))
        nearest.append(pairing_cost(real, fake, pair_pools(real, fake, "nearest", rng)))
        random.append(pairing_cost(real, fake, pair_pools(real, fake, "random", rng)))
    optimal, nearest, random = map(np.array, (optimal, nearest, random))

    # 'optimal' is the minimum over all permutations, so it applies to
    # each pool, and the relative 1e-12 allows for float64 rounding of the sums.
    assert np.all(optimal <= nearest * (1 + 1e-12))
    assert np.all(optimal <= random * (1 + 1e-12))
    # Greedy matching can lose to a lucky random permutation on a single
    # pool, so it is compared in expectation, over 30 pools. On these pools
    # random pairing costs about 1.7 times as much as greedy matching.
    assert nearest.mean() < random.mean()


def test_optimal_pairing_large_pool_uses_nearest(monkeypatch):
    monkeypatch.setattr(_pairing, "MAX_OPTIMAL_POOL", 8)
    real, fake = _pools(0, 9, 3)
    perm = pair_pools(real, fake, "optimal", torch.Generator().manual_seed(3))
    expected = pair_pools(real, fake, "nearest", torch.Generator().manual_seed(3))
    assert perm.tolist() == expected.tolist()


def test_optimal_pairing_sorts_in_1d_at_any_size(monkeypatch):
    monkeypatch.setattr(_pairing, "MAX_OPTIMAL_POOL", 8)
    real, fake = _pools(0, 50, 1)
    perm = pair_pools(real, fake, "optimal", torch.Generator())
    assert pairing_cost(real, fake, perm) == pytest.approx(
        _assignment_cost(real, fake), rel=1e-12
    )


def test_pair_pools_rejects_shape_mismatch():
    with pytest.raises(ValueError, match=r"same shape. Got \(3, 2\) and \(4, 2\)"):
        pair_pools(torch.zeros(3, 2), torch.zeros(4, 2), "sorted", torch.Generator())


def test_pair_pools_rejects_unknown_pairing():
    with pytest.raises(ValueError, match="The pairing must be one of .* Got 'best'"):
        pair_pools(torch.zeros(3, 2), torch.zeros(3, 2), "best", torch.Generator())


def _groups(seed, n_rows, n_groups=3):
    return torch.randint(n_groups, (n_rows,), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("pairing", PAIRINGS)
@pytest.mark.parametrize("n_features", [1, 3])
def test_pair_pools_with_groups_pairs_within_group(pairing, n_features):
    real, fake = _pools(0, 40, n_features)
    groups = _groups(0, 40)

    perm = pair_pools(real, fake, pairing, torch.Generator().manual_seed(1), groups=groups)

    assert sorted(perm.tolist()) == list(range(40))
    assert torch.equal(groups[perm], groups)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("n_features", [1, 3])
def test_optimal_pairing_with_groups_is_optimal_per_group(seed, n_features):
    real, fake = _pools(seed, 45, n_features)
    groups = _groups(seed, 45)

    perm = pair_pools(real, fake, "optimal", torch.Generator(), groups=groups)

    expected = sum(
        _assignment_cost(real[groups == group], fake[groups == group])
        for group in torch.unique(groups)
    )
    # Same pairs summed in another order: equal up to float64 rounding.
    assert pairing_cost(real, fake, perm) == pytest.approx(expected, rel=1e-12)


def test_optimal_pairing_at_benchmark_size_matches_solver():
    # 256 rows of 64 features is the default pool on the digits. The
    # reduced cost matrix must keep the solver's optimum there too.
    real, fake = _pools(0, 256, 64)
    perm = pair_pools(real, fake, "optimal", torch.Generator())
    assert pairing_cost(real, fake, perm) == pytest.approx(
        _assignment_cost(real, fake), rel=1e-12
    )


def test_pair_pools_single_group_equals_no_groups():
    real, fake = _pools(0, 20, 3)
    groups = torch.zeros(20, dtype=torch.int64)

    grouped = pair_pools(real, fake, "optimal", torch.Generator(), groups=groups)
    plain = pair_pools(real, fake, "optimal", torch.Generator())

    assert grouped.tolist() == plain.tolist()


def test_pair_pools_rejects_groups_of_wrong_length():
    with pytest.raises(ValueError, match="one entry per pool row, 3. Got 2 instead"):
        pair_pools(
            torch.zeros(3, 2), torch.zeros(3, 2), "sorted", torch.Generator(),
            groups=torch.zeros(2, dtype=torch.int64),
        )


@pytest.mark.parametrize("pairing", PAIRINGS)
@pytest.mark.parametrize("n_features", [1, 5])
@pytest.mark.parametrize("grouped", [False, True])
def test_background_pairing_equals_pair_pools(pairing, n_features, grouped):
    real, fake = _pools(0, 60, n_features)
    groups = _groups(0, 60) if grouped else None
    rng = torch.Generator().manual_seed(4)

    finish = start_pairing(real, fake, pairing, rng, groups=groups)
    # Every use of rng happened before start_pairing returned, so drawing
    # from it now must not change the pairing.
    after_start = torch.rand(3, generator=rng)
    perm = finish()

    expected_rng = torch.Generator().manual_seed(4)
    expected = pair_pools(real, fake, pairing, expected_rng, groups=groups)
    assert perm.tolist() == expected.tolist()
    assert torch.equal(after_start, torch.rand(3, generator=expected_rng))


def test_optimal_pairing_rejects_nonfinite_pools():
    real, fake = _pools(0, 10, 3)
    fake[4, 1] = float("nan")
    with pytest.raises(ValueError, match="NaN or infinite values.*diverged"):
        start_pairing(real, fake, "optimal", torch.Generator())


@pytest.mark.parametrize("seed", range(3))
def test_power_iteration_matches_eigh(seed, monkeypatch):
    # 150 features is above MAX_EIGH_FEATURES, so the axis comes from power
    # iteration. One axis has three times the spread of the others, so the
    # iteration converges fast and must give the exact pairing.
    n_features = 150
    assert n_features > _pairing.MAX_EIGH_FEATURES
    real, fake = _pools(seed, 80, n_features)
    scale = torch.ones(n_features, dtype=torch.float64)
    scale[7] = 3.0
    real, fake = real * scale, fake * scale

    power = pair_pools(real, fake, "sorted", torch.Generator())
    monkeypatch.setattr(_pairing, "MAX_EIGH_FEATURES", n_features)
    exact = pair_pools(real, fake, "sorted", torch.Generator())

    # Either axis sign orders both pools the same way round, so the
    # permutations agree whatever sign each method returns.
    assert power.tolist() == exact.tolist()


def _pair_in_child(queue):
    real, fake = _pools(1, 40, 3)
    perm = start_pairing(real, fake, "optimal", torch.Generator())()
    queue.put(sorted(perm.tolist()))


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method"
)
def test_background_pairing_works_in_forked_child():
    # The parent's worker threads do not exist in a forked child, so the
    # child must start its own pool instead of waiting on the parent's.
    # The module runs torch on one thread, so the child does not inherit
    # an OpenMP thread pool, which is not safe to use after a fork.
    assert torch.get_num_threads() == 1
    real, fake = _pools(0, 40, 3)
    start_pairing(real, fake, "optimal", torch.Generator())()

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_pair_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0
    assert queue.get(timeout=5) == list(range(40))
