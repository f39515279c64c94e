"""Plain GAN training: the whole pool is the minibatch."""

import torch

from ._base import BaseSampler, Selection

__all__ = ["UniformSampler"]


class UniformSampler(BaseSampler):
    """Draw the discriminator minibatch uniformly, with all weights 1.

    This is ordinary GAN training and the baseline every other strategy is
    compared with. The pool is the minibatch, and real and generated rows
    are paired in the order they were drawn, which is random.

    Examples
    --------
    >>> import torch
    >>> from isgan_sk.sampling import UniformSampler
    >>> sampler = UniformSampler()
    >>> real, fake = torch.zeros(4, 2), torch.ones(4, 2)
    >>> selection = sampler.select(None, real, fake, 4, torch.Generator())
    >>> selection.weights.tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    def select(self, discriminator, real, fake, batch_size, rng, loss=None):
        real, fake = real[:batch_size], fake[:batch_size]
        weights = torch.ones(real.shape[0], dtype=real.dtype, device=real.device)
        return Selection(
            real=real,
            fake=fake,
            weights=weights,
            diagnostics={"ess": 1.0, "variance_ratio": 1.0},
        )
