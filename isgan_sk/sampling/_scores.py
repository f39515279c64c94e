"""Importance scores of pairs: estimates of each pair's loss-gradient norm."""

import torch

from .._losses import BCELoss
from ..networks import discriminator_logits, has_last_layer

__all__ = ["last_layer_scores", "logit_scores", "pair_scores"]


def _with_bias_column(features):
    ones = torch.ones(features.shape[0], 1, dtype=features.dtype, device=features.device)
    return torch.cat([features, ones], dim=1)


@torch.no_grad()
def last_layer_scores(discriminator, real, fake, loss):
    """Return the exact gradient norm of each pair loss over the last linear layer.

    For the pair ``(real[i], fake[i])`` with logits ``a`` and ``b`` and
    penultimate features ``h`` and ``g``, the gradient of
    ``loss.real(a) + loss.fake(b)`` with respect to the weights and bias of
    ``discriminator.output_layer`` is
    ``loss.real_grad(a) * [h, 1] + loss.fake_grad(b) * [g, 1]``.
    When the two rows look alike to the discriminator the two terms point in
    opposite directions and the norm is small.
    """
    real_features = discriminator.features(real)
    fake_features = discriminator.features(fake)
    real_logits = discriminator.output_layer(real_features).reshape(-1)
    fake_logits = discriminator.output_layer(fake_features).reshape(-1)
    gradient = (
        loss.real_grad(real_logits)[:, None] * _with_bias_column(real_features)
        + loss.fake_grad(fake_logits)[:, None] * _with_bias_column(fake_features)
    )
    return torch.linalg.vector_norm(gradient, dim=1)


@torch.no_grad()
def logit_scores(discriminator, real, fake, loss):
    """Return the norm of each pair loss's gradient with respect to its two logits.

    This fallback needs only ``discriminator(X)``. By the chain rule it
    bounds the full gradient norm up to the norm of the logits' Jacobian,
    but it cannot see the two rows' gradients cancel.
    """
    real_grad = loss.real_grad(discriminator_logits(discriminator, real))
    fake_grad = loss.fake_grad(discriminator_logits(discriminator, fake))
    return torch.sqrt(real_grad.square() + fake_grad.square())


def pair_scores(discriminator, real, fake, loss=None):
    """Return the default pair score: exact last-layer norm where possible.

    A discriminator that exposes ``features`` and ``output_layer`` (see
    :mod:`isgan_sk.networks`) gets :func:`last_layer_scores`; any other gets
    :func:`logit_scores`.
    """
    loss = BCELoss() if loss is None else loss
    if has_last_layer(discriminator):
        return last_layer_scores(discriminator, real, fake, loss)
    return logit_scores(discriminator, real, fake, loss)
