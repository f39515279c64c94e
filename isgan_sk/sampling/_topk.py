"""Top-k generator updates with a uniform discriminator minibatch."""

import math
from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval

from ..networks import discriminator_logits
from ._base import GeneratorSelection
from ._uniform import UniformSampler

__all__ = ["TopKSampler"]


class TopKSampler(UniformSampler):
    """Train the generator on the k generated rows the discriminator rates most real.

    The top-k update of Sinha et al. (NeurIPS 2020, "Top-k Training of
    GANs: Improving GAN Performance by Throwing Away Bad Samples"). Each
    generator step generates ``batch_size`` rows, keeps the ``k`` with the
    largest discriminator logit and averages the generator loss over those
    only. The generator is then not pulled by rows the discriminator
    already rejects. The discriminator's minibatch is drawn
    as by :class:`UniformSampler`.

    ``k`` starts at ``batch_size`` and decays geometrically toward a floor:
    after ``t`` generator steps,
    ``k = max(ceil(gamma ** (t / decay_steps) * batch_size),
    ceil(min_fraction * batch_size))``. Sinha et al. anneal ``k`` once per
    epoch. A sampler is called per step and is not told about epochs, so
    it counts generator steps. Setting ``decay_steps`` to the generator
    steps per epoch, ``ceil(n_samples / (batch_size * n_critic))``, gives a
    per-epoch schedule.

    Parameters
    ----------
    gamma : float in (0, 1], default=0.99
        Factor by which ``k`` decays every ``decay_steps`` generator steps.
    min_fraction : float in (0, 1], default=0.5
        Floor of ``k`` as a fraction of ``batch_size`` (Sinha et al.'s nu).
    decay_steps : int, default=100
        Generator steps per decay by ``gamma``.

    Attributes
    ----------
    n_generator_steps_ : int
        Generator steps taken, set by the first ``select_generator``.

    Examples
    --------
    >>> import torch
    >>> from isgan_sk.sampling import TopKSampler
    >>> sampler = TopKSampler(gamma=0.5, decay_steps=1)
    >>> discriminator = torch.nn.Linear(1, 1)
    >>> fake = torch.arange(8.0).reshape(8, 1)
    >>> [sampler.select_generator(discriminator, fake, 8, None).index.numel()
    ...  for _ in range(3)]
    [8, 4, 4]
    """

    selects_generator_batch = True

    _parameter_constraints = {
        "gamma": [Interval(Real, 0, 1, closed="right")],
        "min_fraction": [Interval(Real, 0, 1, closed="right")],
        "decay_steps": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, gamma=0.99, min_fraction=0.5, decay_steps=100):
        self.gamma = gamma
        self.min_fraction = min_fraction
        self.decay_steps = decay_steps

    def pool_size(self, batch_size):
        self._check_params()
        return batch_size

    def n_kept(self, batch_size, n_generator_steps):
        """Return ``k`` for a generator step after ``n_generator_steps`` steps."""
        decayed = math.ceil(self.gamma ** (n_generator_steps / self.decay_steps) * batch_size)
        floor = math.ceil(self.min_fraction * batch_size)
        return max(1, min(batch_size, max(decayed, floor)))

    def select_generator(self, discriminator, fake, batch_size, rng, loss=None):
        n_steps = getattr(self, "n_generator_steps_", 0)
        k = self.n_kept(batch_size, n_steps)
        self.n_generator_steps_ = n_steps + 1

        # A larger logit means "more real" for every loss in isgan_sk.
        with torch.no_grad():
            logits = discriminator_logits(discriminator, fake)
        index = torch.topk(logits, k).indices.cpu()
        return GeneratorSelection(index=index, diagnostics={"k_fraction": k / batch_size})
