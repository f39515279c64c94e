"""Adversarial losses written per logit, with their derivatives.

A pair of one real row (logit ``a``) and one generated row (logit ``b``)
has the discriminator loss ``real(a) + fake(b)``. The importance scores in
:mod:`isgan_sk.sampling` need ``real_grad(a)`` and ``fake_grad(b)``, the
derivatives of those terms with respect to the logits, so every loss
defines them in closed form next to the loss itself.
"""

import torch
from torch.nn import functional as F

__all__ = ["GANLoss", "BCELoss", "HingeLoss", "get_loss", "LOSSES"]


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


LOSSES = {loss.name: loss for loss in (BCELoss, HingeLoss)}


def get_loss(loss):
    """Return the :class:`GANLoss` for a name or an instance."""
    if isinstance(loss, GANLoss):
        return loss
    return LOSSES[loss]()
