"""The sampler-strategy interface shared by every strategy."""

from dataclasses import dataclass, field

import torch
from sklearn.base import BaseEstimator

__all__ = ["BaseSampler", "GeneratorSelection", "Selection", "effective_sample_size"]


@dataclass
class Selection:
    """Discriminator minibatch chosen by a sampler strategy.

    Attributes
    ----------
    real : torch.Tensor of shape (batch_size, n_features)
        Real rows of the minibatch.
    fake : torch.Tensor of shape (batch_size, n_features)
        Generated rows, paired row by row with ``real``.
    weights : torch.Tensor of shape (batch_size,)
        Factor that multiplies each pair's loss. The discriminator
        minimises ``mean(weights * (real_loss + fake_loss + penalty))``.
    diagnostics : dict of str to float
        Per-step figures that the estimator averages per epoch into its
        history, for example ``'ess'`` and ``'variance_ratio'``.
    fake_weights : torch.Tensor of shape (batch_size,) or None
        For strategies that draw real and generated rows separately: the
        factor of each generated row's loss. ``weights`` then multiplies
        the real loss only, ``weights * fake_weights`` multiplies a loss
        penalty, and the discriminator minimises
        ``mean(weights * real_loss + fake_weights * fake_loss
        + weights * fake_weights * penalty)``. None means ``weights``.
    """

    real: torch.Tensor
    fake: torch.Tensor
    weights: torch.Tensor
    diagnostics: dict = field(default_factory=dict)
    fake_weights: torch.Tensor = None


@dataclass
class GeneratorSelection:
    """Generator minibatch chosen by a sampler strategy.

    Attributes
    ----------
    index : torch.Tensor of shape (batch_size,), dtype int64
        Rows of the generated pool to train the generator on.
    weights : torch.Tensor of shape (batch_size,) or None
        Factor that multiplies each row's generator loss; None means 1.
    diagnostics : dict of str to float
        Per-step figures, recorded in the history with the prefix ``g_``.
    """

    index: torch.Tensor
    weights: torch.Tensor = None
    diagnostics: dict = field(default_factory=dict)


def effective_sample_size(weights):
    """Return Kish's effective sample size of ``weights`` as a fraction of their count.

    ``(sum w)^2 / (n * sum w^2)`` is 1 for equal weights and falls toward
    ``1 / n`` as a single weight dominates.

    Examples
    --------
    >>> import torch
    >>> from isgan_sk.sampling import effective_sample_size
    >>> effective_sample_size(torch.ones(4))
    1.0
    """
    weights = weights.detach().double()
    return float(weights.sum() ** 2 / (weights.numel() * weights.square().sum()))


class BaseSampler(BaseEstimator):
    """Base class of the sampler strategies.

    A strategy decides which real and generated rows form each
    discriminator minibatch and how much each pair's loss counts. It needs
    two methods:

    ``pool_size(batch_size) -> int``
        Number of real rows and of generated rows the estimator draws for
        one discriminator step.
    ``select(discriminator, real, fake, batch_size, rng, loss=None) -> Selection``
        Choose ``batch_size`` pairs from the pools. ``real`` and ``fake``
        are tensors of ``pool_size(batch_size)`` rows each, ``rng`` is a CPU
        :class:`torch.Generator` that carries all of the strategy's
        randomness, and ``loss`` is the estimator's
        :class:`~isgan_sk._losses.GANLoss`. A strategy whose ``select`` does
        not accept ``loss`` still works; the estimator then omits it.
        In a conditional GAN the estimator also passes ``labels``, the
        class index of each pool row, to a ``select`` that accepts it. The
        generated pool is drawn with the real pool's labels, so ``real[i]``
        and ``fake[i]`` share ``labels[i]``.

    A strategy may also choose the generator's minibatch. It then sets
    ``selects_generator_batch = True`` and implements

    ``generator_pool_size(batch_size) -> int``
        Number of generated rows drawn for one generator step.
    ``select_generator(discriminator, fake, batch_size, rng, loss=None) -> GeneratorSelection``
        Choose the rows of the generated pool ``fake`` (computed without
        gradients) to train on, with their weights. The estimator generates
        the chosen rows again with gradients.

    Parameters live in ``__init__`` and are stored unchanged, as in any
    scikit-learn estimator, so ``get_params``, ``set_params`` and
    :func:`sklearn.base.clone` work and nested names such as
    ``sampler__smoothing`` can be searched. The estimator fits a clone, so
    a strategy may keep state in attributes that end with ``_``.
    """

    selects_generator_batch = False

    def _check_params(self):
        """Validate the parameters unless these values were validated before.

        ``pool_size`` runs once per training step, and scikit-learn's
        ``_validate_params`` took about 40 microseconds, 1 to 2% of a step
        on 1-D data, so unchanged values are not checked again.
        """
        # The types take part because 1 == 1.0 == True, while only the int
        # is a valid pool factor.
        values = tuple(
            (type(value), value)
            for value in (getattr(self, name) for name in self._parameter_constraints)
        )
        if getattr(self, "_validated_values", None) != values:
            self._validate_params()
            self._validated_values = values

    def pool_size(self, batch_size):
        """Return the number of real and of generated rows drawn per step."""
        return batch_size

    def generator_pool_size(self, batch_size):
        """Return the number of generated rows drawn per generator step."""
        return batch_size

    def select_generator(self, discriminator, fake, batch_size, rng, loss=None):
        """Return the :class:`GeneratorSelection` of a generator step."""
        raise NotImplementedError

    def select(self, discriminator, real, fake, batch_size, rng, loss=None):
        """Return the :class:`Selection` of ``batch_size`` pairs from the pools."""
        raise NotImplementedError
