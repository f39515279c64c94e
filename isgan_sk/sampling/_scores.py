"""Importance scores: estimates of the loss-gradient norm of a pair or a row.

Every score comes from the loss's derivatives with respect to the logits,
``loss.real_grad`` and ``loss.fake_grad``, so it is exact for each loss.
The scores cover the adversarial terms ``loss.real(a) + loss.fake(b)``. A
loss's ``penalty`` is not scored: the scores only shape the proposal, and
the weights keep the estimate unbiased whatever the scores are.
"""

import torch
from torch.func import functional_call, grad, vmap

from .._losses import BCELoss
from ..networks import discriminator_logits, has_last_layer

__all__ = [
    "SCORES",
    "full_scores",
    "generator_row_scores",
    "last_layer_scores",
    "logit_scores",
    "loss_scores",
    "pair_scorer",
    "pair_scores",
    "row_scores",
]

SCORES = ("last_layer", "loss", "full")

# Pairs per vmap call of the 'full' score. Per-pair gradients take
# (number of parameters) floats each, so this bounds the memory.
FULL_SCORE_CHUNK = 64


@torch.no_grad()
def _pool_features(discriminator, real, fake):
    """Return the penultimate features and the logits of both pools, real rows first."""
    # One forward pass of both pools saves the per-layer call overhead,
    # which dominates for small networks.
    features = discriminator.features(torch.cat([real, fake]))
    logits = discriminator.output_layer(features).reshape(-1)
    return features, logits


@torch.no_grad()
def _last_layer_pair_scores(features, logits, n_pairs, loss, perm=None):
    real_features, fake_features = features[:n_pairs], features[n_pairs:]
    real_logits, fake_logits = logits[:n_pairs], logits[n_pairs:]
    if perm is not None:
        fake_features, fake_logits = fake_features[perm], fake_logits[perm]
    real_grad = loss.real_grad(real_logits)
    fake_grad = loss.fake_grad(fake_logits)
    # The weights' gradient is real_grad * h + fake_grad * g and the bias's
    # is real_grad + fake_grad. Adding their squared norms avoids building
    # the (M, n_features + 1) matrix with a column of ones.
    weight_grad = real_grad[:, None] * real_features + fake_grad[:, None] * fake_features
    bias_grad = real_grad + fake_grad
    return torch.sqrt(weight_grad.square().sum(dim=1) + bias_grad.square())


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
    features, logits = _pool_features(discriminator, real, fake)
    return _last_layer_pair_scores(features, logits, real.shape[0], loss)


@torch.no_grad()
def _row_parts(discriminator, real, fake, loss, score):
    """Return each real and each generated row's part of a 'loss' or logit score."""
    # The discriminator runs on each pool on its own, as in training, in
    # case it uses statistics of its input batch.
    real_logits = discriminator_logits(discriminator, real)
    fake_logits = discriminator_logits(discriminator, fake)
    if score == "loss":
        return loss.real(real_logits), loss.fake(fake_logits)
    return loss.real_grad(real_logits), loss.fake_grad(fake_logits)


def _combine_row_parts(real_part, fake_part, score):
    if score == "loss":
        return (real_part + fake_part).abs()
    return torch.sqrt(real_part.square() + fake_part.square())


def logit_scores(discriminator, real, fake, loss):
    """Return the norm of each pair loss's gradient with respect to its two logits.

    This fallback needs only ``discriminator(X)``. By the chain rule it
    bounds the full gradient norm up to the norm of the logits' Jacobian,
    but it cannot see the two rows' gradients cancel.
    """
    parts = _row_parts(discriminator, real, fake, loss, "logit")
    return _combine_row_parts(*parts, "logit")


def loss_scores(discriminator, real, fake, loss):
    """Return the absolute pair loss ``|loss.real(a) + loss.fake(b)|``.

    Drawing in proportion to ``|l_i|`` minimises the variance of the
    estimate of the mean loss value (not of its gradient). The absolute
    value keeps the score valid for losses that can be negative, such as
    the Wasserstein loss.
    """
    parts = _row_parts(discriminator, real, fake, loss, "loss")
    return _combine_row_parts(*parts, "loss")


def _per_example_grad_norms(discriminator, example_loss, inputs):
    """Return the norm of each example's gradient over all discriminator parameters.

    ``example_loss(params, *rows)`` is the loss of one example; ``inputs``
    are tensors whose first dimension indexes the examples.
    """
    params = {name: p.detach() for name, p in discriminator.named_parameters()}
    in_dims = (None,) + (0,) * len(inputs)
    per_example = vmap(grad(example_loss), in_dims=in_dims, chunk_size=FULL_SCORE_CHUNK)
    gradients = per_example(params, *inputs)
    squared = sum(g.flatten(1).square().sum(dim=1) for g in gradients.values())
    return squared.sqrt().detach()


def _single_logit(discriminator, params, buffers, row):
    return functional_call(discriminator, (params, buffers), (row[None],)).reshape(())


def full_scores(discriminator, real, fake, loss):
    """Return the exact gradient norm of each pair loss over all discriminator parameters.

    The per-pair gradients come from :mod:`torch.func` (``functional_call``,
    ``grad`` and ``vmap``). They cost about one backward pass per pair, so
    this score is for validation and small networks.
    """
    buffers = dict(discriminator.named_buffers())

    def pair_loss(params, real_row, fake_row):
        real_logit = _single_logit(discriminator, params, buffers, real_row)
        fake_logit = _single_logit(discriminator, params, buffers, fake_row)
        return loss.real(real_logit) + loss.fake(fake_logit)

    return _per_example_grad_norms(discriminator, pair_loss, (real, fake))


def pair_scorer(discriminator, real, fake, loss=None, score="last_layer"):
    """Run the discriminator on two pools and return a function that scores a pairing.

    Only the combination of two rows' outputs depends on the pairing, so
    for every score but ``'full'`` the discriminator runs here, once on
    both pools, before the pairing is known. A sampler can then compute
    the pairing while the forward pass runs. ``'full'`` needs the
    gradient of each pair as a whole, so its work waits for the pairing.

    Parameters
    ----------
    discriminator : torch.nn.Module
    real, fake : torch.Tensor of shape (M, n_features)
    loss : GANLoss, default=None
        The adversarial loss; None means binary cross-entropy.
    score : {'last_layer', 'loss', 'full'}, default='last_layer'
        As in :func:`pair_scores`.

    Returns
    -------
    scores_for : callable
        ``scores_for(perm)`` returns the scores, of shape (M,), of the pairs
        ``(real[i], fake[perm[i]])``; ``perm=None`` keeps the rows' order.
    """
    loss = BCELoss() if loss is None else loss
    n_pairs = real.shape[0]

    if score == "full":
        def scores_for(perm=None):
            paired = fake if perm is None else fake[perm.to(fake.device)]
            return full_scores(discriminator, real, paired, loss)

        return scores_for

    if score == "last_layer" and has_last_layer(discriminator):
        features, logits = _pool_features(discriminator, real, fake)

        def scores_for(perm=None):
            perm = None if perm is None else perm.to(logits.device)
            return _last_layer_pair_scores(features, logits, n_pairs, loss, perm)

        return scores_for

    real_part, fake_part = _row_parts(discriminator, real, fake, loss, score)

    def scores_for(perm=None):
        paired = fake_part if perm is None else fake_part[perm.to(fake_part.device)]
        return _combine_row_parts(real_part, paired, score)

    return scores_for


def pair_scores(discriminator, real, fake, loss=None, score="last_layer"):
    """Return the importance score of each pair ``(real[i], fake[i])``.

    Parameters
    ----------
    discriminator : torch.nn.Module
    real, fake : torch.Tensor of shape (M, n_features)
    loss : GANLoss, default=None
        The adversarial loss; None means binary cross-entropy.
    score : {'last_layer', 'loss', 'full'}, default='last_layer'
        ``'last_layer'`` is :func:`last_layer_scores` for a discriminator
        that exposes ``features`` and ``output_layer`` (see
        :mod:`isgan_sk.networks`) and :func:`logit_scores` for any other.
        ``'loss'`` is :func:`loss_scores` and ``'full'`` is
        :func:`full_scores`.

    Returns
    -------
    scores : torch.Tensor of shape (M,)
    """
    return pair_scorer(discriminator, real, fake, loss, score)()


def row_scores(discriminator, rows, loss, side, score="last_layer"):
    """Return the importance score of each row on its own, without a partner.

    Parameters
    ----------
    discriminator : torch.nn.Module
    rows : torch.Tensor of shape (M, n_features)
    loss : GANLoss
    side : {'real', 'fake'}
        Whether the rows are real (loss ``loss.real``) or generated
        (loss ``loss.fake``).
    score : {'last_layer', 'loss', 'full'}, default='last_layer'
        ``'last_layer'`` is ``|d loss / d a| * ||[h, 1]||``, the exact norm
        of the row's gradient over the last linear layer, or ``|d loss / d a|``
        for a discriminator without ``features`` and ``output_layer``.
        ``'loss'`` is the absolute loss, ``'full'`` the exact norm over all
        parameters.

    Returns
    -------
    scores : torch.Tensor of shape (M,)
    """
    row_loss = loss.real if side == "real" else loss.fake
    row_grad = loss.real_grad if side == "real" else loss.fake_grad

    if score == "full":
        buffers = dict(discriminator.named_buffers())

        def example_loss(params, row):
            return row_loss(_single_logit(discriminator, params, buffers, row))

        return _per_example_grad_norms(discriminator, example_loss, (rows,))

    with torch.no_grad():
        if score == "loss":
            return row_loss(discriminator_logits(discriminator, rows)).abs()
        if not has_last_layer(discriminator):
            return row_grad(discriminator_logits(discriminator, rows)).abs()
        features = discriminator.features(rows)
        logits = discriminator.output_layer(features).reshape(-1)
        # This is ||[h, 1]||, computed without the matrix with a column of ones.
        return row_grad(logits).abs() * torch.sqrt(features.square().sum(dim=1) + 1.0)


def generator_row_scores(discriminator, rows, loss):
    """Return the norm of each generated row's generator-loss gradient over the row.

    The score of row ``x`` is ``||d loss.generator(D(x)) / d x||``. The
    generator's parameter gradient for that row is this vector times the
    generator's Jacobian, so the score ranks rows by their gradient up to
    that Jacobian, which the sampler does not see.
    """
    rows = rows.detach().requires_grad_(True)
    with torch.enable_grad():
        row_loss = loss.generator(discriminator_logits(discriminator, rows))
        # Rows are independent, so the gradient of the sum contains each
        # row's own gradient.
        (row_grad,) = torch.autograd.grad(row_loss.sum(), rows)
    return torch.linalg.vector_norm(row_grad.flatten(1), dim=1)
