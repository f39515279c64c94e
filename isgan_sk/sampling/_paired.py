"""Paired importance sampling of the discriminator minibatch."""

from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval, StrOptions

from .._losses import BCELoss
from .._pairing import PAIRINGS, pair_pools
from ._base import BaseSampler, Selection, effective_sample_size
from ._scores import pair_scores

__all__ = ["PairedImportanceSampler", "importance_weights"]


def importance_weights(scores, smoothing):
    """Return the proposal ``q`` and the weights ``1 / (M q)`` of a pool.

    The proposal mixes the normalised scores with the uniform distribution,
    ``q_i = (1 - smoothing) * s_i / sum(s) + smoothing / M``, so every
    weight is at most ``1 / smoothing``. Scores that are all zero, or not
    finite, give the uniform proposal.

    Parameters
    ----------
    scores : torch.Tensor of shape (M,)
        Non-negative scores of the M pairs of the pool.
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
    scores = scores.detach().to("cpu", torch.float64).clamp_min(0.0)
    n_pairs = scores.numel()
    total = scores.sum()
    uniform = torch.full_like(scores, 1.0 / n_pairs)
    if not torch.isfinite(total) or total <= 0:
        proposal = uniform
    else:
        proposal = (1.0 - smoothing) * scores / total + smoothing * uniform
    return proposal, 1.0 / (n_pairs * proposal)


def variance_ratio(scores, proposal):
    """Return the estimated gradient variance of sampling from ``proposal`` over uniform.

    With the scores ``s`` taken as the pairs' gradient norms, one draw from
    ``q`` has second moment ``sum(s^2 / q) / M^2`` and one uniform draw has
    ``sum(s^2) / M``. Their ratio is below 1 when the proposal lowers the
    variance of the minibatch gradient.
    """
    scores = scores.detach().to("cpu", torch.float64)
    squared = scores.square()
    uniform_moment = squared.sum()
    if not torch.isfinite(uniform_moment) or uniform_moment <= 0:
        return 1.0
    return float((squared / proposal).sum() / (scores.numel() * uniform_moment))


class PairedImportanceSampler(BaseSampler):
    """Draw discriminator pairs with probability proportional to their gradient norm.

    One step draws a pool of ``M = pool_factor * batch_size`` real and ``M``
    generated rows, pairs them, scores each pair by the norm of its loss
    gradient, and draws ``batch_size`` pairs with replacement from the
    proposal ``q_i = (1 - smoothing) * s_i / sum(s) + smoothing / M``. Each
    drawn pair's loss is multiplied by ``w_i = 1 / (M q_i)``, which makes the
    weighted minibatch mean an unbiased estimate of the pool's mean pair
    loss, for any pairing and any scores.

    Parameters
    ----------
    pairing : {'optimal', 'sorted', 'nearest', 'random'}, default='optimal'
        How real and generated rows are paired. ``'optimal'`` minimises the
        total squared distance; ``'sorted'`` sorts both pools along their
        leading principal axis (the optimal coupling in 1-D); ``'nearest'``
        is greedy nearest-neighbour matching; ``'random'`` pairs at random.
    pool_factor : int, default=4
        Ratio of the pool size to the batch size. A pool larger than the
        batch gives the proposal pairs to choose between.
    smoothing : float in (0, 1], default=0.1
        Weight of the uniform part of the proposal. It bounds every weight
        by ``1 / smoothing``; 1 gives uniform sampling from the pool.

    Notes
    -----
    The score of a pair is the exact norm of its loss gradient with respect
    to the discriminator's last linear layer when the discriminator exposes
    ``features`` and ``output_layer``, as the default
    :class:`~isgan_sk.networks.MLPDiscriminator` does. Any other
    discriminator is scored by the norm of the pair loss's gradient with
    respect to its two logits.

    Diagnostics per step: ``'ess'``, Kish's effective sample size of the
    drawn weights as a fraction of the batch, and ``'variance_ratio'``, the
    estimated gradient variance under the proposal relative to uniform
    draws from the same pool (below 1 means the proposal helps).

    Examples
    --------
    >>> import torch
    >>> from isgan_sk.networks import MLPDiscriminator
    >>> from isgan_sk.sampling import PairedImportanceSampler
    >>> sampler = PairedImportanceSampler(pool_factor=2)
    >>> rng = torch.Generator().manual_seed(0)
    >>> real, fake = torch.randn(8, 3, generator=rng), torch.randn(8, 3, generator=rng)
    >>> selection = sampler.select(MLPDiscriminator(3), real, fake, 4, rng)
    >>> selection.real.shape, selection.weights.shape
    (torch.Size([4, 3]), torch.Size([4]))
    """

    _parameter_constraints = {
        "pairing": [StrOptions(set(PAIRINGS))],
        "pool_factor": [Interval(Integral, 1, None, closed="left")],
        "smoothing": [Interval(Real, 0, 1, closed="right")],
    }

    def __init__(self, pairing="optimal", pool_factor=4, smoothing=0.1):
        self.pairing = pairing
        self.pool_factor = pool_factor
        self.smoothing = smoothing

    def pool_size(self, batch_size):
        self._validate_params()
        return self.pool_factor * batch_size

    def select(self, discriminator, real, fake, batch_size, rng, loss=None):
        loss = BCELoss() if loss is None else loss

        # Pair first: the score of a pair depends on both of its members.
        perm = pair_pools(real, fake, self.pairing, rng)
        fake = fake[perm.to(fake.device)]

        scores = pair_scores(discriminator, real, fake, loss)
        proposal, weights = importance_weights(scores, self.smoothing)

        # Draws with replacement keep the weights 1 / (M q) exact.
        index = torch.multinomial(proposal, batch_size, replacement=True, generator=rng)
        batch_weights = weights[index]
        index = index.to(real.device)
        return Selection(
            real=real[index],
            fake=fake[index],
            weights=batch_weights.to(real.device, real.dtype),
            diagnostics={
                "ess": effective_sample_size(batch_weights),
                "variance_ratio": variance_ratio(scores, proposal),
            },
        )
