"""Unpaired importance sampling: real and generated rows drawn separately."""

from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval, StrOptions

from .._losses import BCELoss
from ._base import BaseSampler, Selection, effective_sample_size
from ._proposal import (
    AdaptiveSwitchMixin,
    draw_units,
    importance_weights,
    uniform_units,
    variance_ratio,
)
from ._scores import SCORES, row_scores

__all__ = ["ImportanceSampler"]


class ImportanceSampler(AdaptiveSwitchMixin, BaseSampler):
    """Draw real and generated rows separately, each in proportion to its gradient norm.

    This is per-sample importance sampling without pairs, the ablation that
    shows what pairing adds to :class:`PairedImportanceSampler`. One step
    draws a pool of ``M = pool_factor * batch_size`` real and ``M``
    generated rows, scores each row on its own, and draws ``batch_size``
    real rows from the real proposal and ``batch_size`` generated rows from
    the generated proposal, each ``q_i = (1 - smoothing) * s_i / sum(s) +
    smoothing / M``. The real losses get the weights of the real draw and
    the generated losses those of the generated draw, so each part is an
    unbiased estimate of its pool mean. Nothing cancels inside a row, so
    rows in the overlap of the two distributions keep large scores.

    Parameters
    ----------
    pool_factor : int, default=4
        Ratio of the pool size to the batch size.
    smoothing : float in (0, 1], default=0.1
        Weight of the uniform part of each proposal; every weight is at
        most ``1 / smoothing``.
    score : {'last_layer', 'loss', 'full'}, default='last_layer'
        Score of a row: the exact norm of its loss gradient over the
        discriminator's last linear layer, its absolute loss, or the exact
        norm over all parameters. See
        :func:`~isgan_sk.sampling.row_scores`.
    replace : bool, default=True
        Draw with replacement (weights ``1 / (M q_i)``) or distinct rows by
        systematic sampling (Horvitz-Thompson weights).
    self_normalize : bool, default=False
        Divide each side's weights by their mean: biased, lower variance.
    threshold : float > 0 or None, default=None
        Draw uniformly until the moving average of ``1 / variance_ratio``
        exceeds ``threshold``; None importance-samples in every step.
    ema_decay : float in [0, 1), default=0.9
        Decay of that moving average.

    Attributes
    ----------
    variance_reduction_ : float
        Moving average of ``1 / variance_ratio``, set by the first ``select``.
    n_steps_ : int
        Number of discriminator steps seen.

    Notes
    -----
    The ``i``-th drawn real row and the ``i``-th drawn generated row share
    a row of the :class:`Selection` only because the estimator's loop works
    on rows of pairs. A loss penalty that needs both rows, such as the
    Wasserstein gradient penalty, is weighted by the product of the two
    weights, which is unbiased for its mean over all ``M * M`` real and
    generated combinations of the pool.

    Diagnostics per step: ``'ess'`` over the weights of both draws and
    ``'variance_ratio'``, the estimated variance of the summed gradient
    relative to uniform draws, for draws with replacement.

    Examples
    --------
    >>> import torch
    >>> from isgan_sk.networks import MLPDiscriminator
    >>> from isgan_sk.sampling import ImportanceSampler
    >>> sampler = ImportanceSampler(pool_factor=2)
    >>> rng = torch.Generator().manual_seed(0)
    >>> real, fake = torch.randn(8, 3, generator=rng), torch.randn(8, 3, generator=rng)
    >>> selection = sampler.select(MLPDiscriminator(3), real, fake, 4, rng)
    >>> selection.weights.shape, selection.fake_weights.shape
    (torch.Size([4]), torch.Size([4]))
    """

    _parameter_constraints = {
        "pool_factor": [Interval(Integral, 1, None, closed="left")],
        "smoothing": [Interval(Real, 0, 1, closed="right")],
        "score": [StrOptions(set(SCORES))],
        "replace": ["boolean"],
        "self_normalize": ["boolean"],
        **AdaptiveSwitchMixin._switch_constraints,
    }

    def __init__(
        self,
        pool_factor=4,
        smoothing=0.1,
        score="last_layer",
        replace=True,
        self_normalize=False,
        threshold=None,
        ema_decay=0.9,
    ):
        self.pool_factor = pool_factor
        self.smoothing = smoothing
        self.score = score
        self.replace = replace
        self.self_normalize = self_normalize
        self.threshold = threshold
        self.ema_decay = ema_decay

    def pool_size(self, batch_size):
        self._check_params()
        return self.pool_factor * batch_size

    def _draw(self, proposal, batch_size, rng, active):
        if not active:
            return uniform_units(proposal.numel(), batch_size, rng)
        index, weights = draw_units(proposal, batch_size, rng, replace=self.replace)
        if self.self_normalize:
            weights = weights / weights.mean()
        return index, weights

    def select(self, discriminator, real, fake, batch_size, rng, loss=None):
        loss = BCELoss() if loss is None else loss
        real_scores = row_scores(discriminator, real, loss, "real", score=self.score)
        fake_scores = row_scores(discriminator, fake, loss, "fake", score=self.score)
        real_proposal, _ = importance_weights(real_scores, self.smoothing)
        fake_proposal, _ = importance_weights(fake_scores, self.smoothing)

        # The two draws are independent, so the variance of the summed
        # gradient is the sum of the two parts' variances.
        n_rows = real.shape[0]
        moment = _second_moment(real_scores, real_proposal) + _second_moment(
            fake_scores, fake_proposal
        )
        uniform_moment = _second_moment(
            real_scores, torch.full_like(real_proposal, 1.0 / n_rows)
        ) + _second_moment(fake_scores, torch.full_like(fake_proposal, 1.0 / n_rows))
        ratio = moment / uniform_moment if uniform_moment > 0 else 1.0
        active = self._update_switch(ratio)

        real_index, real_weights = self._draw(real_proposal, batch_size, rng, active)
        fake_index, fake_weights = self._draw(fake_proposal, batch_size, rng, active)
        diagnostics = {
            "ess": effective_sample_size(torch.cat([real_weights, fake_weights])),
            "variance_ratio": ratio,
        }
        if self.threshold is not None:
            diagnostics["importance_active"] = float(active)

        return Selection(
            real=real[real_index.to(real.device)],
            fake=fake[fake_index.to(fake.device)],
            weights=real_weights.to(real.device, real.dtype),
            fake_weights=fake_weights.to(fake.device, fake.dtype),
            diagnostics=diagnostics,
        )


def _second_moment(scores, proposal):
    """Return ``sum(s^2 / q)``, the second moment of one weighted draw times ``M^2``."""
    scores = torch.nan_to_num(scores.detach().to("cpu", torch.float64), nan=0.0, posinf=0.0)
    return float((scores.square() / proposal).sum())
