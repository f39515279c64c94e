"""Paired importance sampling of the discriminator minibatch."""

from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval, StrOptions

from .._losses import BCELoss
from .._pairing import PAIRINGS, start_pairing
from ._base import BaseSampler, GeneratorSelection, Selection, effective_sample_size
from ._proposal import (
    AdaptiveSwitchMixin,
    draw_units,
    proposal_and_ratio,
    uniform_units,
)
from ._scores import SCORES, generator_row_scores, pair_scorer

__all__ = ["PairedImportanceSampler"]


class PairedImportanceSampler(AdaptiveSwitchMixin, BaseSampler):
    """Draw discriminator pairs with probability proportional to their gradient norm.

    One step draws a pool of ``M = pool_factor * batch_size`` real and ``M``
    generated rows, pairs them, scores each pair by the norm of its loss
    gradient, and draws ``batch_size`` pairs from the proposal
    ``q_i = (1 - smoothing) * s_i / sum(s) + smoothing / M``. Each drawn
    pair's loss is multiplied by an importance weight, ``1 / (M q_i)`` for
    draws with replacement, which makes the weighted minibatch mean an
    unbiased estimate of the pool's mean pair loss, for any pairing and any
    scores.

    Parameters
    ----------
    pairing : {'optimal', 'sorted', 'nearest', 'random'}, default='optimal'
        How real and generated rows are paired. ``'optimal'`` minimises the
        total squared distance, exactly in 1-D and for pools of up to
        :data:`~isgan_sk._pairing.MAX_OPTIMAL_POOL` rows, and greedily for
        larger pools. ``'sorted'`` sorts both pools along their leading
        principal axis (by power iteration above 128 features), which is
        the optimal coupling in 1-D. ``'nearest'``
        is greedy nearest-neighbour matching, and ``'random'`` pairs at
        random.
    pool_factor : int, default=4
        Ratio of the pool size to the batch size. A pool larger than the
        batch gives the proposal pairs to choose between.
    smoothing : float in (0, 1], default=0.1
        Weight of the uniform part of the proposal. It bounds every weight
        by ``1 / smoothing``; 1 gives uniform sampling from the pool.
    score : {'last_layer', 'loss', 'full'}, default='last_layer'
        Score of a pair. ``'last_layer'`` is the exact norm of the pair
        loss's gradient with respect to the discriminator's last linear
        layer, from one forward pass of the pool without gradients.
        ``'loss'`` is the absolute pair loss. ``'full'`` is the exact norm
        of the gradient over all discriminator parameters, from
        :mod:`torch.func`; it costs about one backward pass per pair, so it
        is meant for validation and small networks.
    replace : bool, default=True
        Draw pairs independently with replacement, with weights
        ``1 / (M q_i)``, or draw ``batch_size`` distinct pairs by systematic
        sampling with inclusion probabilities ``pi_i`` proportional to
        ``q_i`` (capped at 1), with the Horvitz-Thompson weights
        ``batch_size / (M pi_i)``. Both are unbiased; distinct pairs avoid
        spending the batch on repeats.
    self_normalize : bool, default=False
        Divide the drawn weights by their mean. The estimate is then biased
        (its bias shrinks as ``1 / batch_size``) but has lower variance when
        the weights vary a lot.
    threshold : float > 0 or None, default=None
        With a float, draw uniformly from the pool (weights 1) until the
        exponential moving average of the estimated variance-reduction
        factor ``1 / variance_ratio`` exceeds ``threshold``, and importance
        sample in the steps where it does (Katharopoulos and Fleuret, ICML
        2018). None importance-samples in every step.
    ema_decay : float in [0, 1), default=0.9
        Decay of that moving average.
    generator_sampling : bool, default=False
        Also choose the generator's minibatch: draw ``M`` generated rows,
        score each by ``||d loss.generator(D(x)) / d x||`` and draw
        ``batch_size`` rows from the smoothed proposal, with weights
        ``1 / (M q_i)`` (or the Horvitz-Thompson weights when ``replace``
        is False).

    Attributes
    ----------
    variance_reduction_ : float
        Moving average of ``1 / variance_ratio``, set by the first ``select``.
    n_steps_ : int
        Number of discriminator steps seen.

    Notes
    -----
    ``select`` accepts ``labels``, a tensor of class indices of shape
    ``(M,)`` that is the same for ``real[i]`` and ``fake[i]``, as in a
    conditional GAN whose generated pool is drawn with the real pool's
    labels row by row. The rows are then paired within their class only,
    so every pair shares a label. The weights stay unbiased because the
    pairing is still a permutation of the whole pool.

    A discriminator without ``features`` and ``output_layer`` (see
    :mod:`isgan_sk.networks`) gets, for ``score='last_layer'``, the norm of
    the pair loss's gradient with respect to its two logits.

    With ``'optimal'`` pairing of more than one feature, scipy's
    assignment solver runs in a worker thread while the discriminator
    scores the pools, so a step can use two cores.

    Diagnostics per step: ``'ess'``, Kish's effective sample size of the
    drawn weights as a fraction of the batch, and ``'variance_ratio'``, the
    estimated gradient variance under the proposal relative to uniform
    draws from the same pool, for draws with replacement (below 1 means the
    proposal helps). With a ``threshold``, ``'importance_active'`` is 1 in
    the steps that importance-sample and 0 in the others. With
    ``generator_sampling``, the generator step reports the same figures
    with the prefix ``g_``.

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
        "score": [StrOptions(set(SCORES))],
        "replace": ["boolean"],
        "self_normalize": ["boolean"],
        **AdaptiveSwitchMixin._switch_constraints,
        "generator_sampling": ["boolean"],
    }

    def __init__(
        self,
        pairing="optimal",
        pool_factor=4,
        smoothing=0.1,
        score="last_layer",
        replace=True,
        self_normalize=False,
        threshold=None,
        ema_decay=0.9,
        generator_sampling=False,
    ):
        self.pairing = pairing
        self.pool_factor = pool_factor
        self.smoothing = smoothing
        self.score = score
        self.replace = replace
        self.self_normalize = self_normalize
        self.threshold = threshold
        self.ema_decay = ema_decay
        self.generator_sampling = generator_sampling

    @property
    def selects_generator_batch(self):
        return bool(self.generator_sampling)

    def pool_size(self, batch_size):
        self._check_params()
        return self.pool_factor * batch_size

    def generator_pool_size(self, batch_size):
        return self.pool_factor * batch_size if self.generator_sampling else batch_size

    def _draw(self, proposal, batch_size, rng):
        index, weights = draw_units(proposal, batch_size, rng, replace=self.replace)
        if self.self_normalize:
            weights = weights / weights.mean()
        return index, weights

    def select(self, discriminator, real, fake, batch_size, rng, loss=None, labels=None):
        loss = BCELoss() if loss is None else loss

        # The score of a pair depends on both of its members, but the
        # forward pass of the pools does not, so the pairing is computed
        # while it runs. With labels, rows are paired within their class only.
        finish_pairing = start_pairing(real, fake, self.pairing, rng, groups=labels)
        scores_for = pair_scorer(discriminator, real, fake, loss, score=self.score)
        perm = finish_pairing()
        scores = scores_for(perm)
        fake = fake[perm.to(fake.device)]
        proposal, ratio = proposal_and_ratio(scores, self.smoothing)
        active = self._update_switch(ratio)

        if active:
            index, batch_weights = self._draw(proposal, batch_size, rng)
        else:
            index, batch_weights = uniform_units(real.shape[0], batch_size, rng)
        diagnostics = {"ess": effective_sample_size(batch_weights), "variance_ratio": ratio}
        if self.threshold is not None:
            diagnostics["importance_active"] = float(active)

        index = index.to(real.device)
        return Selection(
            real=real[index],
            fake=fake[index],
            weights=batch_weights.to(real.device, real.dtype),
            diagnostics=diagnostics,
        )

    def select_generator(self, discriminator, fake, batch_size, rng, loss=None):
        loss = BCELoss() if loss is None else loss
        if not self.generator_sampling:
            return GeneratorSelection(index=torch.arange(batch_size))

        scores = generator_row_scores(discriminator, fake, loss)
        proposal, ratio = proposal_and_ratio(scores, self.smoothing)
        index, weights = self._draw(proposal, batch_size, rng)
        return GeneratorSelection(
            index=index,
            weights=weights.to(fake.device, fake.dtype),
            diagnostics={"ess": effective_sample_size(weights), "variance_ratio": ratio},
        )
