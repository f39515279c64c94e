"""Proposals, draws and weights shared by the importance samplers.

Every importance sampler here follows one recipe. It scores the ``M``
units of a pool and mixes the normalised scores with the uniform
distribution into a proposal ``q``. Then it draws ``m`` units and weights
each so that the weighted minibatch mean is an unbiased estimate of the
pool mean.

With replacement the weight of unit ``i`` is ``1 / (M q_i)``. Without
replacement the units are drawn by systematic sampling with inclusion
probabilities ``pi_i`` proportional to ``q_i`` (capped at 1), and the
Horvitz-Thompson weight is ``m / (M pi_i)``.
"""

import math
from numbers import Real

import torch
from sklearn.utils._param_validation import Interval

__all__ = [
    "draw_units",
    "importance_weights",
    "inclusion_probabilities",
    "proposal_and_ratio",
    "systematic_indices",
    "variance_ratio",
]


def _finite_scores(scores):
    """Return the scores as float64 on the CPU, with NaN and +inf set to 0."""
    scores = scores.detach().to("cpu", torch.float64)
    return torch.nan_to_num(scores, nan=0.0, posinf=0.0)


def _mixture(scores, smoothing):
    """Return ``(1 - smoothing) * scores / sum(scores) + smoothing / M``, or uniform."""
    n_units = scores.numel()
    # One Python float in place of tensor comparisons: this runs every
    # step, and on small networks each tensor operation counts.
    total = float(scores.sum())
    if not math.isfinite(total) or total <= 0:
        return torch.full_like(scores, 1.0 / n_units)
    return scores * ((1.0 - smoothing) / total) + smoothing / n_units


def _ratio_of_moments(squared, proposal):
    """Return ``sum(squared / proposal) / (M * sum(squared))``, or 1 when undefined."""
    uniform_moment = float(squared.sum())
    if not math.isfinite(uniform_moment) or uniform_moment <= 0:
        return 1.0
    return float((squared / proposal).sum()) / (squared.numel() * uniform_moment)


def importance_weights(scores, smoothing):
    """Return the proposal ``q`` and the weights ``1 / (M q)`` of a pool.

    The proposal mixes the normalised scores with the uniform distribution,
    ``q_i = (1 - smoothing) * s_i / sum(s) + smoothing / M``, so every
    weight is at most ``1 / smoothing``. Negative scores count as 0, and
    scores that are all zero, or not finite, give the uniform proposal.

    Parameters
    ----------
    scores : torch.Tensor of shape (M,)
        Non-negative scores of the M units of the pool.
    smoothing : float in (0, 1]
        Weight of the uniform part of the proposal.

    Returns
    -------
    proposal : torch.Tensor of shape (M,), dtype float64
    weights : torch.Tensor of shape (M,), dtype float64

    Examples
    --------
    >>> import torch
    >>> from isgan_sk.sampling import importance_weights
    >>> proposal, weights = importance_weights(torch.tensor([3.0, 1.0]), 0.5)
    >>> proposal.tolist(), weights.tolist()
    ([0.625, 0.375], [0.8, 1.3333333333333333])
    """
    proposal = _mixture(_finite_scores(scores).clamp_min(0.0), smoothing)
    return proposal, 1.0 / (proposal.numel() * proposal)


def variance_ratio(scores, proposal):
    """Return the estimated gradient variance of sampling from ``proposal`` over uniform.

    With the scores ``s`` taken as the units' gradient norms, one draw from
    ``q`` has second moment ``sum(s^2 / q) / M^2`` and one uniform draw has
    ``sum(s^2) / M``. Their ratio is below 1 when the proposal lowers the
    variance of the minibatch gradient. It is the ratio for draws with
    replacement; it ignores the mean gradient, which both estimates share.
    """
    return _ratio_of_moments(_finite_scores(scores).square(), proposal)


def proposal_and_ratio(scores, smoothing):
    """Return the proposal of :func:`importance_weights` and its :func:`variance_ratio`.

    A sampler needs both in every step, and this computes them from one
    cleaned copy of the scores, without the weights of the whole pool.
    """
    finite = _finite_scores(scores)
    proposal = _mixture(finite.clamp_min(0.0), smoothing)
    return proposal, _ratio_of_moments(finite.square(), proposal)


def inclusion_probabilities(proposal, n_draws):
    """Return inclusion probabilities proportional to ``proposal`` that sum to ``n_draws``.

    ``pi_i = c * q_i`` with ``c`` chosen so that ``sum(pi) == n_draws``,
    except that a unit whose ``pi_i`` would exceed 1 is included with
    certainty (``pi_i = 1``) and the others are rescaled, repeatedly.

    Parameters
    ----------
    proposal : torch.Tensor of shape (M,)
        Positive proposal probabilities.
    n_draws : int
        Number of distinct units to draw, at most M.

    Returns
    -------
    inclusion : torch.Tensor of shape (M,), dtype float64
    """
    proposal = proposal.detach().to("cpu", torch.float64)
    certain = torch.zeros(proposal.numel(), dtype=torch.bool)
    while True:
        n_left = n_draws - int(certain.sum())
        mass_left = proposal[~certain].sum()
        scaled = n_left * proposal / mass_left if mass_left > 0 else proposal * 0.0
        newly_certain = ~certain & (scaled >= 1.0)
        if not newly_certain.any():
            break
        certain |= newly_certain
    return torch.where(certain, torch.ones_like(scaled), scaled)


def systematic_indices(inclusion, order, start):
    """Return the units that systematic sampling picks for one start point.

    Units with ``inclusion == 1`` are always picked. The others are laid end
    to end in ``order`` as intervals of length ``inclusion[i]``, and the unit
    whose interval contains one of the points ``start, start + 1, ...`` is
    picked. With ``start`` uniform on [0, 1) each unit is then picked with
    probability exactly ``inclusion[i]``, and never twice.

    Parameters
    ----------
    inclusion : torch.Tensor of shape (M,), dtype float64
        Inclusion probabilities, in [0, 1], with an integer sum.
    order : torch.Tensor of shape (M,), dtype int64
        Permutation of the units that sets the order of the intervals.
    start : float in [0, 1)
        The first point.

    Returns
    -------
    index : torch.Tensor of shape (sum(inclusion),), dtype int64
    """
    certain = inclusion >= 1.0
    order = order[~certain[order]]
    lengths = inclusion[order]
    n_points = int(round(float(lengths.sum())))
    ends = torch.cumsum(lengths, 0)
    points = start + torch.arange(n_points, dtype=torch.float64)
    # The interval of unit k is [ends[k] - lengths[k], ends[k]); clamping
    # guards the last point against rounding in the cumulative sum.
    positions = torch.searchsorted(ends, points, right=True).clamp_max(len(order) - 1)
    return torch.cat([torch.nonzero(certain).reshape(-1), order[positions]])


def draw_units(proposal, n_draws, rng, replace=True):
    """Draw ``n_draws`` units from ``proposal`` and return them with unbiased weights.

    Parameters
    ----------
    proposal : torch.Tensor of shape (M,), dtype float64
        Positive proposal probabilities that sum to 1.
    n_draws : int
        Number of units to draw; at most M when ``replace`` is False.
    rng : torch.Generator
        CPU generator of the draws.
    replace : bool, default=True
        Draw independently with replacement, with weights ``1 / (M q_i)``,
        or draw distinct units by systematic sampling, with weights
        ``n_draws / (M pi_i)`` from :func:`inclusion_probabilities`.

    Returns
    -------
    index : torch.Tensor of shape (n_draws,), dtype int64
    weights : torch.Tensor of shape (n_draws,), dtype float64
        Either way ``mean(weights * values[index])`` has expectation
        ``mean(values)`` for any ``values`` of the pool.

    Examples
    --------
    >>> import torch
    >>> from isgan_sk.sampling import draw_units
    >>> proposal = torch.tensor([0.5, 0.25, 0.25], dtype=torch.float64)
    >>> index, weights = draw_units(proposal, 3, torch.Generator(), replace=False)
    >>> sorted(index.tolist()), weights.tolist()
    ([0, 1, 2], [1.0, 1.0, 1.0])
    """
    n_units = proposal.numel()
    if replace:
        index = torch.multinomial(proposal, n_draws, replacement=True, generator=rng)
        return index, 1.0 / (n_units * proposal[index])

    if n_draws > n_units:
        raise ValueError(
            f"Cannot draw {n_draws} distinct units from a pool of {n_units}. "
            "Use replace=True or a larger pool."
        )
    inclusion = inclusion_probabilities(proposal, n_draws)
    order = torch.randperm(n_units, generator=rng)
    start = float(torch.rand((), generator=rng, dtype=torch.float64))
    index = systematic_indices(inclusion, order, start)
    # Systematic sampling returns the units in pool order. Shuffling them
    # keeps any later row-by-row matching of two draws random.
    index = index[torch.randperm(index.numel(), generator=rng)]
    return index, n_draws / (n_units * inclusion[index])


class AdaptiveSwitchMixin:
    """Uniform sampling until the smoothed variance reduction passes ``threshold``.

    The estimated variance-reduction factor of a step is
    ``1 / variance_ratio``. Its exponential moving average, with decay
    ``ema_decay``, is kept in ``variance_reduction_``. Importance sampling
    runs in the steps where that average exceeds ``threshold``, as
    Katharopoulos and Fleuret (ICML 2018, "Not All Samples Are Created
    Equal") switch it on only once its estimated benefit is large enough.
    The pool is still paired and scored in the uniform steps, so the switch
    changes the draws, not the cost of a step.
    """

    _switch_constraints = {
        "threshold": [Interval(Real, 0, None, closed="neither"), None],
        "ema_decay": [Interval(Real, 0, 1, closed="left")],
    }

    def _update_switch(self, ratio):
        """Record one step's ``variance_ratio`` and return whether to importance-sample."""
        reduction = 1.0 / ratio if ratio > 0 else 1.0
        previous = getattr(self, "variance_reduction_", None)
        if previous is None:
            self.variance_reduction_ = reduction
        else:
            self.variance_reduction_ = (
                self.ema_decay * previous + (1.0 - self.ema_decay) * reduction
            )
        self.n_steps_ = getattr(self, "n_steps_", 0) + 1
        return self.threshold is None or self.variance_reduction_ > self.threshold


def uniform_units(n_units, n_draws, rng):
    """Draw ``n_draws`` distinct units uniformly, all with weight 1."""
    index = torch.randperm(n_units, generator=rng)[:n_draws]
    return index, torch.ones(n_draws, dtype=torch.float64)
