"""Pairings of a real and a generated pool of equal size.

A pairing is a permutation ``perm`` such that ``real[i]`` is paired with
``fake[perm[i]]``. Because it is a permutation, every pairing leaves the
pool's mean pair loss unchanged: it only moves variance between pairs, and
close pairs let the real and generated gradients cancel inside a pair.
"""

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

__all__ = ["MAX_OPTIMAL_POOL", "PAIRINGS", "pair_pools", "pairing_cost", "start_pairing"]

PAIRINGS = ("random", "sorted", "nearest", "optimal")

# Largest pool that 'optimal' solves with linear_sum_assignment, because its
# time grows about cubically with the pool. On random pools of 64 features
# (scipy 1.17, one thread), benchmarks/step_cost.py measured 2 ms at 256
# rows, 14 ms at 512 and 93 ms at 1024. Greedy 'nearest' took 17 ms at 1024.
# Larger pools of more than one feature use 'nearest' instead.
MAX_OPTIMAL_POOL = 1024


def _squared_distances(real, fake):
    real = real.detach().to("cpu", torch.float64)
    fake = fake.detach().to("cpu", torch.float64)
    return torch.cdist(real, fake).square_().numpy()


# Widest pools whose principal axis comes from an exact eigendecomposition,
# whose time grows with the cube of the number of features. With one
# thread it took 0.3 ms at 64 features, 1.1 ms at 128, 6.6 ms at 256 and
# 88 ms at 784 (MNIST). There, 30 power iterations over 512 rows took 4 ms.
MAX_EIGH_FEATURES = 128
POWER_ITERATIONS = 50


def _principal_direction(centred):
    """Return the leading principal axis of the centred rows."""
    n_features = centred.shape[1]
    if n_features <= MAX_EIGH_FEATURES:
        # The eigenvector of the largest eigenvalue of the scatter matrix
        # is the direction of largest spread. Its eigh, of a small square
        # matrix of side n_features, costs about half as much as an SVD.
        _, eigenvectors = torch.linalg.eigh(centred.T @ centred)
        return eigenvectors[:, -1]

    # Power iteration on the scatter matrix, without forming it. It starts
    # from the feature of largest variance, which is deterministic and
    # rarely orthogonal to the axis sought. Any direction still gives a
    # valid pairing: the axis only orders the rows.
    direction = torch.zeros(n_features, dtype=centred.dtype)
    direction[int(centred.square().sum(dim=0).argmax())] = 1.0
    for _ in range(POWER_ITERATIONS):
        following = centred.T @ (centred @ direction)
        norm = float(torch.linalg.vector_norm(following))
        if norm == 0.0:
            break
        following /= norm
        converged = float(torch.linalg.vector_norm(following - direction)) < 1e-6
        direction = following
        if converged:
            break
    return direction


def _sorted_pairing(real, fake):
    real, fake = real.detach().cpu(), fake.detach().cpu()
    if real.shape[1] == 1:
        # Sorting needs no wider type: the order of the values is exact.
        real_key, fake_key = real[:, 0], fake[:, 0]
    else:
        real, fake = real.double(), fake.double()
        both = torch.cat([real, fake])
        direction = _principal_direction(both - both.mean(dim=0))
        real_key, fake_key = real @ direction, fake @ direction
    perm = torch.empty(real.shape[0], dtype=torch.int64)
    perm[torch.argsort(real_key)] = torch.argsort(fake_key)
    return perm


def _nearest_pairing(real, fake, rng):
    """Greedy nearest neighbour: real rows in random order take the closest free fake."""
    distances = _squared_distances(real, fake)
    n_pairs = distances.shape[0]
    order = torch.randperm(n_pairs, generator=rng).numpy()
    taken = np.zeros(n_pairs, dtype=bool)
    perm = np.empty(n_pairs, dtype=np.int64)
    for i in order:
        row = np.where(taken, np.inf, distances[i])
        j = int(np.argmin(row))
        perm[i] = j
        taken[j] = True
    return torch.from_numpy(perm)


def _needs_solver(real, pairing):
    # In 1-D the monotone coupling minimises any convex cost, so sorting is
    # exact and costs O(M log M) in place of the assignment problem.
    return pairing == "optimal" and real.shape[1] > 1 and real.shape[0] <= MAX_OPTIMAL_POOL


def _assignment_cost(real, fake):
    """Return a cost matrix whose minimum assignment minimises the squared distances."""
    # sum ||r_i - f_perm(i)||^2 = sum ||r||^2 + sum ||f||^2 - 2 sum <r_i, f_perm(i)>,
    # and the first two sums do not depend on the permutation, so the
    # negated inner products give the same optimum. The solver also takes
    # half the time or less on them, measured on pools of 256 to 1024 rows.
    real = real.detach().to("cpu", torch.float64)
    fake = fake.detach().to("cpu", torch.float64)
    cost = -(real @ fake.T).numpy()
    # Subtracting each row's minimum and then each column's minimum changes
    # every permutation's total by the same constant, so the optimum stays.
    # scipy's solver starts from zero dual variables, and the reduced matrix
    # gives it a better start: the median solve took 4 to 8% less time on
    # pools of 256 rows of 64 features (digits and Gaussian, one thread).
    cost -= cost.min(axis=1, keepdims=True)
    cost -= cost.min(axis=0, keepdims=True)
    if not math.isfinite(cost.sum()):
        raise ValueError(
            "The real or generated pool contains NaN or infinite values, so it "
            "cannot be paired. If the data are finite, training has diverged: "
            "lower optimizer_generator__lr and optimizer_discriminator__lr."
        )
    return cost


def _solve_assignment(cost):
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(len(rows), dtype=np.int64)
    perm[rows] = cols
    return torch.from_numpy(perm)


def _pair_group(real, fake, pairing, rng):
    if pairing == "random":
        return torch.randperm(real.shape[0], generator=rng)
    if pairing == "sorted" or (pairing == "optimal" and real.shape[1] == 1):
        return _sorted_pairing(real, fake)
    if _needs_solver(real, pairing):
        return _solve_assignment(_assignment_cost(real, fake))
    # 'nearest', and 'optimal' above MAX_OPTIMAL_POOL rows.
    return _nearest_pairing(real, fake, rng)


def pair_pools(real, fake, pairing, rng, groups=None):
    """Return the permutation that pairs ``real[i]`` with ``fake[perm[i]]``.

    Parameters
    ----------
    real, fake : torch.Tensor of shape (n_pairs, n_features)
        The two pools.
    pairing : {'random', 'sorted', 'nearest', 'optimal'}
        ``'random'`` is a uniform random permutation, the unpaired
        baseline. ``'sorted'`` sorts both pools along their leading
        principal axis, the optimal-transport coupling in 1-D; above
        ``MAX_EIGH_FEATURES`` features the axis comes from power
        iteration, which costs far less than an eigendecomposition.
        ``'nearest'`` is greedy nearest-neighbour matching.
        ``'optimal'`` minimises the total squared distance: by sorting
        in 1-D, with :func:`scipy.optimize.linear_sum_assignment` for
        pools of up to ``MAX_OPTIMAL_POOL`` rows, and by falling back to
        ``'nearest'`` above that size, because the solver's time grows
        about cubically with the pool.
    rng : torch.Generator
        CPU generator for the random parts.
    groups : torch.Tensor of shape (n_pairs,), dtype int64, default=None
        Group of each row, the same for ``real[i]`` and ``fake[i]``, such
        as the class label of a conditional GAN. With groups, the pairing
        is applied inside each group on its own, so every pair shares a
        group, and the size limit of ``'optimal'`` applies per group. The
        result is still a permutation of the whole pool.

    Returns
    -------
    perm : torch.Tensor of shape (n_pairs,), dtype int64, on the CPU

    Examples
    --------
    >>> import torch
    >>> from isgan_sk._pairing import pair_pools
    >>> real = torch.tensor([[0.0], [5.0], [1.0]])
    >>> fake = torch.tensor([[5.1], [0.9], [0.1]])
    >>> pair_pools(real, fake, "optimal", torch.Generator().manual_seed(0)).tolist()
    [2, 0, 1]
    >>> groups = torch.tensor([0, 1, 1])
    >>> pair_pools(real, fake, "optimal", torch.Generator(), groups=groups).tolist()
    [0, 1, 2]
    """
    return start_pairing(real, fake, pairing, rng, groups, background=False)()


# Thread pool of the assignment solves that run while the caller works.
_EXECUTOR = None
_EXECUTOR_LOCK = threading.Lock()


def _executor():
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None:
            # Up to one worker per core, so that fits running in threads,
            # as under GridSearchCV's threading backend, do not queue.
            workers = min(4, os.cpu_count() or 1)
            _EXECUTOR = ThreadPoolExecutor(workers, thread_name_prefix="isgan-pairing")
        return _EXECUTOR


def _forget_executor():
    # A forked child has none of its parent's threads, and the lock may
    # have been held by one of them, so the child starts afresh.
    global _EXECUTOR, _EXECUTOR_LOCK
    _EXECUTOR = None
    _EXECUTOR_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_executor)


def start_pairing(real, fake, pairing, rng, groups=None, background=True):
    """Start :func:`pair_pools` and return a function that waits for its result.

    Everything but the assignment solves of ``'optimal'`` pairing runs
    before this function returns, in the calling thread, including every
    use of ``rng``. With ``background=True`` the solves run in a worker
    thread. scipy's solver releases the GIL, so the caller can run the
    discriminator on the pools on another core in the meantime.

    Returns
    -------
    finish : callable
        ``finish()`` waits for the solves and returns the permutation that
        ``pair_pools(real, fake, pairing, rng, groups)`` returns. It raises
        the solver's error, if any.
    """
    if real.shape != fake.shape:
        raise ValueError(
            "The real and generated pools must have the same shape. Got "
            f"{tuple(real.shape)} and {tuple(fake.shape)}."
        )
    if pairing not in PAIRINGS:
        raise ValueError(
            f"The pairing must be one of {PAIRINGS}. Got {pairing!r} instead."
        )

    def start_group(group_real, group_fake):
        if not _needs_solver(group_real, pairing):
            perm = _pair_group(group_real, group_fake, pairing, rng)
            return lambda: perm
        cost = _assignment_cost(group_real, group_fake)
        if not background:
            return lambda: _solve_assignment(cost)
        return _executor().submit(_solve_assignment, cost).result

    if groups is None:
        return start_group(real, fake)

    groups = groups.detach().to("cpu").reshape(-1)
    if groups.numel() != real.shape[0]:
        raise ValueError(
            f"The groups must have one entry per pool row, {real.shape[0]}. "
            f"Got {groups.numel()} instead."
        )
    parts = []
    for group in torch.unique(groups):
        rows = torch.nonzero(groups == group).reshape(-1)
        device_rows = rows.to(real.device)
        parts.append((rows, start_group(real[device_rows], fake[device_rows])))

    def finish():
        # Each group's rows are paired among themselves, and the group's
        # permutation of its own positions is written back in place. The
        # union of these permutations of disjoint sets is a permutation of
        # the whole pool.
        perm = torch.empty(real.shape[0], dtype=torch.int64)
        for rows, finish_group in parts:
            perm[rows] = rows[finish_group()]
        return perm

    return finish


def pairing_cost(real, fake, perm):
    """Return the total squared distance of the pairs ``(real[i], fake[perm[i]])``."""
    difference = real.detach().double() - fake.detach().double()[perm]
    return float(difference.square().sum())
