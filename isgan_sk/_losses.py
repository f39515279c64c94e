"""Adversarial losses written per logit, with their derivatives.

A pair of one real row (logit ``a``) and one generated row (logit ``b``)
has the discriminator loss ``real(a) + fake(b)``. The importance scores in
:mod:`isgan_sk.sampling` need ``real_grad(a)`` and ``fake_grad(b)``, the
derivatives of those terms with respect to the logits, so every loss
defines them in closed form next to the loss itself.
"""

import torch
from torch.nn import functional as F

__all__ = ["GANLoss", "BCELoss", "HingeLoss", "WassersteinGPLoss", "get_loss", "LOSSES"]


class GANLoss:
    """Base class of the per-logit adversarial losses."""

    name = None

    def real(self, logits):
        """Discriminator loss of each real row."""
        raise NotImplementedError

    def fake(self, logits):
        """Discriminator loss of each generated row."""
        raise NotImplementedError

    def real_grad(self, logits):
        """Derivative of :meth:`real` with respect to the logit."""
        raise NotImplementedError

    def fake_grad(self, logits):
        """Derivative of :meth:`fake` with respect to the logit."""
        raise NotImplementedError

    def generator(self, logits):
        """Generator loss of each generated row."""
        raise NotImplementedError

    def penalty(self, discriminator, real, fake, rng):
        """Extra discriminator loss of each pair, or None when the loss has none.

        A penalty is added to the pair loss before the importance weights
        apply, so it is estimated without bias like the rest of the loss.
        """
        return None

    def __repr__(self):
        return f"{type(self).__name__}()"


class BCELoss(GANLoss):
    """Binary cross-entropy with the non-saturating generator loss.

    With ``sigma`` the logistic function, the discriminator minimises
    ``-log sigma(a) - log(1 - sigma(b))`` and the generator minimises
    ``-log sigma(b)``, which keeps its gradient large while the
    discriminator still rejects generated rows.
    """

    name = "bce"

    def real(self, logits):
        return F.softplus(-logits)

    def fake(self, logits):
        return F.softplus(logits)

    def real_grad(self, logits):
        return torch.sigmoid(logits) - 1.0

    def fake_grad(self, logits):
        return torch.sigmoid(logits)

    def generator(self, logits):
        return F.softplus(-logits)


class HingeLoss(GANLoss):
    """Hinge loss: ``max(0, 1 - a) + max(0, 1 + b)``; the generator minimises ``-b``.

    The derivative at the kink is taken as 0, the subgradient autograd uses.
    """

    name = "hinge"

    def real(self, logits):
        return F.relu(1.0 - logits)

    def fake(self, logits):
        return F.relu(1.0 + logits)

    def real_grad(self, logits):
        return -(logits < 1.0).to(logits.dtype)

    def fake_grad(self, logits):
        return (logits > -1.0).to(logits.dtype)

    def generator(self, logits):
        return -logits


class WassersteinGPLoss(GANLoss):
    """Wasserstein loss with a gradient penalty (WGAN-GP).

    The discriminator (the critic) minimises ``-a + b`` and the generator
    minimises ``-b``. :meth:`penalty` adds, for each pair, the gradient
    penalty ``penalty_weight * (||grad_x D(x_hat)|| - 1)^2`` at a point
    ``x_hat`` drawn uniformly on the segment between the pair's real and
    generated row (Gulrajani et al., 2017, "Improved Training of Wasserstein
    GANs"). The penalty is part of each pair's loss, so the importance
    weights multiply it too and its estimate stays unbiased.

    Parameters
    ----------
    penalty_weight : float, default=10.0
        Factor ``lambda`` of the gradient penalty.

    Examples
    --------
    >>> import torch
    >>> from isgan_sk._losses import WassersteinGPLoss
    >>> loss = WassersteinGPLoss()
    >>> loss.real(torch.tensor([2.0])), loss.fake_grad(torch.tensor([2.0]))
    (tensor([-2.]), tensor([1.]))
    """

    name = "wasserstein"

    def __init__(self, penalty_weight=10.0):
        self.penalty_weight = penalty_weight

    def real(self, logits):
        return -logits

    def fake(self, logits):
        return logits

    def real_grad(self, logits):
        return torch.full_like(logits, -1.0)

    def fake_grad(self, logits):
        return torch.ones_like(logits)

    def generator(self, logits):
        return -logits

    def penalty(self, discriminator, real, fake, rng):
        # One mixing fraction per pair, drawn on the CPU generator that
        # carries the training stream.
        fraction = torch.rand(real.shape[0], 1, generator=rng)
        fraction = fraction.to(real.device, real.dtype)
        between = (fraction * real + (1.0 - fraction) * fake.detach()).detach()
        between.requires_grad_(True)

        with torch.enable_grad():
            logits = discriminator(between).reshape(-1)
            # Rows are independent, so the gradient of the sum contains
            # each row's own input gradient. create_graph lets the penalty be
            # differentiated with respect to the discriminator's weights.
            (input_grad,) = torch.autograd.grad(logits.sum(), between, create_graph=True)
        norms = torch.linalg.vector_norm(input_grad.flatten(1), dim=1)
        return self.penalty_weight * (norms - 1.0).square()

    def __repr__(self):
        return f"{type(self).__name__}(penalty_weight={self.penalty_weight!r})"


LOSSES = {loss.name: loss for loss in (BCELoss, HingeLoss, WassersteinGPLoss)}


def get_loss(loss):
    """Return the :class:`GANLoss` for a name or an instance.

    Names are the keys of ``LOSSES``: ``'bce'``, ``'hinge'`` and
    ``'wasserstein'``.
    """
    if isinstance(loss, GANLoss):
        return loss
    if loss not in LOSSES:
        raise ValueError(
            f"The loss must be one of {sorted(LOSSES)} or a GANLoss instance. "
            f"Got {loss!r} instead."
        )
    return LOSSES[loss]()
