"""Default generator and discriminator modules.

Both are multilayer perceptrons whose width is sized from the number of
features when ``hidden_units`` is left at ``None``. The estimator passes
``latent_dim`` and ``n_features`` to the constructors itself; every other
argument is set through the nested parameters ``generator__<name>`` and
``discriminator__<name>``.

The discriminator exposes the two parts that the exact last-layer
importance score needs: :meth:`MLPDiscriminator.features` returns the
penultimate activations ``h`` and :attr:`MLPDiscriminator.output_layer` is
the final :class:`torch.nn.Linear`, so that ``forward(X) ==
output_layer(features(X))``. A user discriminator with the same two members
gets the same exact score; see :mod:`isgan_sk.sampling`.
"""

import torch
from torch import nn

__all__ = ["MLPGenerator", "MLPDiscriminator", "default_hidden_units"]


def default_hidden_units(n_features):
    """Return the default hidden-layer widths for ``n_features`` features.

    Four units per feature, clipped to the range [64, 512], in two layers:
    64 units for 1-D data and 256 for the 64-pixel digits.

    Parameters
    ----------
    n_features : int
        Number of features of the data.

    Returns
    -------
    hidden_units : tuple of int
        Widths of the two hidden layers.

    Examples
    --------
    >>> from isgan_sk.networks import default_hidden_units
    >>> default_hidden_units(64)
    (256, 256)
    """
    width = int(min(512, max(64, 4 * n_features)))
    return (width, width)


def _check_hidden_units(hidden_units, n_features, owner):
    if hidden_units is None:
        return default_hidden_units(n_features)
    if isinstance(hidden_units, int):
        hidden_units = (hidden_units,)
    hidden_units = tuple(hidden_units)
    if not hidden_units or any(
        not isinstance(width, int) or isinstance(width, bool) or width < 1
        for width in hidden_units
    ):
        raise ValueError(
            f"The 'hidden_units' parameter of {owner} must be None, a positive "
            f"int or a non-empty sequence of positive ints. Got {hidden_units!r} "
            "instead."
        )
    return hidden_units


def _mlp_body(in_features, hidden_units, negative_slope):
    layers = []
    for width in hidden_units:
        layers.append(nn.Linear(in_features, width))
        layers.append(nn.LeakyReLU(negative_slope))
        in_features = width
    return nn.Sequential(*layers), in_features


class MLPGenerator(nn.Module):
    """Multilayer perceptron that maps latent noise to data rows.

    The output layer is linear, because the estimator trains on
    standardised data with unbounded range.

    Parameters
    ----------
    latent_dim : int
        Dimension of the latent noise.
    n_features : int
        Number of features of the generated rows.
    n_classes : int, default=0
        Number of classes of a conditional GAN, whose generator input is
        the noise followed by the one-hot label; 0 for an unconditional GAN.
    hidden_units : int, sequence of int or None, default=None
        Widths of the hidden layers. ``None`` uses
        :func:`default_hidden_units`.
    negative_slope : float, default=0.2
        Slope of the LeakyReLU activations for negative inputs.

    Examples
    --------
    >>> import torch
    >>> from isgan_sk.networks import MLPGenerator
    >>> generator = MLPGenerator(latent_dim=8, n_features=3)
    >>> generator(torch.zeros(5, 8)).shape
    torch.Size([5, 3])
    """

    def __init__(
        self, latent_dim, n_features, n_classes=0, hidden_units=None, negative_slope=0.2
    ):
        super().__init__()
        hidden_units = _check_hidden_units(hidden_units, n_features, "MLPGenerator")
        self.body, width = _mlp_body(latent_dim + n_classes, hidden_units, negative_slope)
        self.output_layer = nn.Linear(width, n_features)

    def forward(self, z):
        return self.output_layer(self.body(z))


class MLPDiscriminator(nn.Module):
    """Multilayer perceptron that returns one logit per row.

    Parameters
    ----------
    n_features : int
        Number of features of the input rows.
    n_classes : int, default=0
        Number of classes of a conditional GAN, whose discriminator input is
        the row followed by the one-hot label; 0 for an unconditional GAN.
    hidden_units : int, sequence of int or None, default=None
        Widths of the hidden layers. ``None`` uses
        :func:`default_hidden_units`.
    negative_slope : float, default=0.2
        Slope of the LeakyReLU activations for negative inputs.

    Examples
    --------
    >>> import torch
    >>> from isgan_sk.networks import MLPDiscriminator
    >>> discriminator = MLPDiscriminator(n_features=3)
    >>> discriminator(torch.zeros(5, 3)).shape
    torch.Size([5])
    """

    def __init__(self, n_features, n_classes=0, hidden_units=None, negative_slope=0.2):
        super().__init__()
        hidden_units = _check_hidden_units(hidden_units, n_features, "MLPDiscriminator")
        self.body, width = _mlp_body(n_features + n_classes, hidden_units, negative_slope)
        self.output_layer = nn.Linear(width, 1)

    def features(self, X):
        """Return the penultimate activations, the input of ``output_layer``."""
        return self.body(X)

    def forward(self, X):
        return self.output_layer(self.features(X)).squeeze(-1)


def discriminator_logits(discriminator, X):
    """Run ``discriminator`` on ``X`` and return a 1-D tensor of logits.

    User modules may return shape (n,) or (n, 1); anything else is an error
    because the losses assume one logit per row.
    """
    logits = discriminator(X)
    if logits.ndim == 2 and logits.shape[1] == 1:
        logits = logits[:, 0]
    if logits.ndim != 1 or logits.shape[0] != X.shape[0]:
        raise ValueError(
            "The discriminator must return one logit per row, of shape "
            f"(n_samples,) or (n_samples, 1). Got shape {tuple(logits.shape)} "
            f"for an input of shape {tuple(X.shape)}."
        )
    return logits


def has_last_layer(discriminator):
    """Return whether ``discriminator`` exposes ``features`` and ``output_layer``."""
    output_layer = getattr(discriminator, "output_layer", None)
    return (
        callable(getattr(discriminator, "features", None))
        and isinstance(output_layer, nn.Linear)
        and output_layer.out_features == 1
    )

