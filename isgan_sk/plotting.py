"""Figures of generated samples and learning curves.

matplotlib is optional: install it with ``pip install isgan-sk[plot]``.
Every function returns a :class:`matplotlib.figure.Figure` built without
pyplot, so it works on machines without a display and leaves pyplot's
current figure alone. Save it with ``figure.savefig(path)``.
"""

import numpy as np

__all__ = [
    "plot_feature_histograms",
    "plot_histogram",
    "plot_history",
    "plot_image_grid",
    "plot_learning_curves",
    "plot_scatter_modes",
]

# Panels of plot_history: the history keys drawn in each, and its y label.
HISTORY_PANELS = (
    (("d_loss", "g_loss"), "loss"),
    (("ess",), "effective sample size"),
    (("variance_ratio",), "variance ratio"),
)


def _new_figure(figsize):
    """Create a Figure with an Agg canvas, or raise an ImportError naming the fix."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            "Plotting needs matplotlib, which is not installed. Install it with "
            "'pip install isgan-sk[plot]'."
        ) from error
    figure = Figure(figsize=figsize)
    FigureCanvasAgg(figure)
    return figure


def plot_image_grid(
    images,
    image_shape=(8, 8),
    *,
    n_columns=10,
    reference=None,
    titles=("Generated", "Real"),
    vmin=None,
    vmax=None,
    cmap="gray_r",
):
    """Plot rows of pixel values as a grid of images.

    Parameters
    ----------
    images : array-like of shape (n_images, height * width)
        One image per row, in row-major order.
    image_shape : tuple of (int, int), default=(8, 8)
        Height and width of each image.
    n_columns : int, default=10
        Number of images per grid row.
    reference : array-like of shape (n_reference, height * width), default=None
        Images to show in a second grid to the right, for example real
        images beside generated ones.
    titles : tuple of str, default=("Generated", "Real")
        Titles of the grid of ``images`` and of the grid of ``reference``.
    vmin, vmax : float, default=None
        Range of the colour map. None takes the minimum and maximum of all
        images shown, so that both grids share one scale.
    cmap : str, default="gray_r"
        Name of the matplotlib colour map; the default draws ink in black.

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.plotting import plot_image_grid
    >>> figure = plot_image_grid(np.zeros((20, 64)), reference=np.ones((20, 64)))
    >>> len(figure.axes)
    40
    """
    height, width = image_shape
    grids = [np.asarray(images, dtype=np.float64)]
    if reference is not None:
        grids.append(np.asarray(reference, dtype=np.float64))
    for grid in grids:
        if grid.ndim != 2 or grid.shape[1] != height * width:
            raise ValueError(
                f"Each image must be a row of {height * width} pixel values for "
                f"image_shape={tuple(image_shape)}. Got an array of shape "
                f"{grid.shape}; pass image_shape=(height, width) of your images."
            )
    if vmin is None:
        vmin = min(float(grid.min()) for grid in grids if grid.size)
    if vmax is None:
        vmax = max(float(grid.max()) for grid in grids if grid.size)

    n_rows = max(1, max(-(-len(grid) // n_columns) for grid in grids))
    figure = _new_figure((1.0 * n_columns * len(grids) + 0.5, 1.0 * n_rows + 0.6))
    subfigures = np.atleast_1d(figure.subfigures(1, len(grids)))
    for subfigure, grid, title in zip(subfigures, grids, titles):
        subfigure.suptitle(title)
        axes = subfigure.subplots(n_rows, n_columns, squeeze=False)
        for index, ax in enumerate(axes.ravel()):
            ax.set_axis_off()
            if index < len(grid):
                ax.imshow(
                    grid[index].reshape(height, width),
                    cmap=cmap,
                    vmin=vmin,
                    vmax=vmax,
                    interpolation="nearest",
                )
    return figure


def plot_histogram(real, generated, *, bins=50, labels=("Target", "Generated")):
    """Plot the histograms of a real and a generated 1-D sample on shared bins.

    Parameters
    ----------
    real : array-like of shape (n_samples,) or (n_samples, 1)
        The target sample.
    generated : array-like of shape (n_generated,) or (n_generated, 1)
        The generated sample.
    bins : int, default=50
        Number of bins over the range of both samples.
    labels : tuple of str, default=("Target", "Generated")
        Legend entries of ``real`` and ``generated``.

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.plotting import plot_histogram
    >>> rng = np.random.default_rng(0)
    >>> figure = plot_histogram(rng.normal(size=100), rng.normal(size=100))
    >>> len(figure.axes)
    1
    """
    samples = [np.asarray(real, dtype=np.float64), np.asarray(generated, dtype=np.float64)]
    for name, sample in zip(("real", "generated"), samples):
        if sample.ndim > 2 or (sample.ndim == 2 and sample.shape[1] != 1):
            raise ValueError(
                f"plot_histogram draws 1-D samples, but '{name}' has shape "
                f"{sample.shape}. Use plot_feature_histograms for several features."
            )
    real, generated = (sample.ravel() for sample in samples)

    edges = np.histogram_bin_edges(np.concatenate([real, generated]), bins=bins)
    figure = _new_figure((6.0, 4.0))
    ax = figure.add_subplot()
    ax.hist(real, bins=edges, density=True, alpha=0.5, label=labels[0])
    ax.hist(generated, bins=edges, density=True, alpha=0.5, label=labels[1])
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.legend()
    return figure


def plot_feature_histograms(
    real, generated, *, feature_names=None, max_features=4, bins=30
):
    """Plot real against generated histograms of the first features of a table.

    Parameters
    ----------
    real : array-like of shape (n_samples, n_features)
        The real rows.
    generated : array-like of shape (n_generated, n_features)
        The generated rows.
    feature_names : sequence of str, default=None
        Titles of the panels. None uses ``feature 0``, ``feature 1``, ...
    max_features : int, default=4
        Number of leading features to plot, one panel each.
    bins : int, default=30
        Number of bins of each panel, over the range of both samples.

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.plotting import plot_feature_histograms
    >>> rng = np.random.default_rng(0)
    >>> figure = plot_feature_histograms(rng.normal(size=(50, 6)), rng.normal(size=(50, 6)))
    >>> len(figure.axes)
    4
    """
    real = np.asarray(real, dtype=np.float64)
    generated = np.asarray(generated, dtype=np.float64)
    if real.ndim != 2 or generated.ndim != 2 or real.shape[1] != generated.shape[1]:
        raise ValueError(
            "real and generated must be 2-D with the same number of features. Got "
            f"shapes {real.shape} and {generated.shape}."
        )
    n_features = min(real.shape[1], max_features)
    if feature_names is None:
        feature_names = [f"feature {index}" for index in range(real.shape[1])]

    figure = _new_figure((3.2 * n_features, 3.0))
    axes = np.atleast_1d(figure.subplots(1, n_features, squeeze=False)[0])
    for index, ax in enumerate(axes):
        column = np.concatenate([real[:, index], generated[:, index]])
        edges = np.histogram_bin_edges(column, bins=bins)
        ax.hist(real[:, index], bins=edges, density=True, alpha=0.5, label="Real")
        ax.hist(generated[:, index], bins=edges, density=True, alpha=0.5, label="Generated")
        ax.set_title(str(feature_names[index]))
    axes[0].legend()
    figure.tight_layout()
    return figure


def plot_learning_curves(curves, *, xlabel="epoch", ylabel="score (-MMD²)"):
    """Plot one score-against-epoch line per training strategy.

    Parameters
    ----------
    curves : dict of str to sequence of (int, float)
        For each strategy name, its ``(epoch, score)`` points. Sequences of
        ``{'epoch': ..., 'score': ...}`` dicts, as the command line's
        ``summary.json`` stores them, work too.
    xlabel : str, default="epoch"
        Label of the x axis.
    ylabel : str, default="score (-MMD²)"
        Label of the y axis; the default matches
        :meth:`ImportanceSampledGAN.score <isgan_sk.ImportanceSampledGAN.score>`.

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> from isgan_sk.plotting import plot_learning_curves
    >>> curves = {"uniform": [(1, -0.5), (2, -0.2)], "paired": [(1, -0.4), (2, -0.1)]}
    >>> figure = plot_learning_curves(curves)
    >>> [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    ['uniform', 'paired']
    """
    figure = _new_figure((6.0, 4.0))
    ax = figure.add_subplot()
    for name, points in curves.items():
        points = [
            (point["epoch"], point["score"]) if isinstance(point, dict) else point
            for point in points
        ]
        epochs = [epoch for epoch, _ in points]
        scores = [score for _, score in points]
        ax.plot(epochs, scores, marker="o", label=name)
    ax.axhline(0.0, color="gray", linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    figure.tight_layout()
    return figure


def plot_history(history):
    """Plot the losses and the sampler's diagnostics per epoch.

    Parameters
    ----------
    history : skorch.History or list of dict
        The ``history_`` of a fitted estimator, or its rows. Panels show
        ``d_loss`` and ``g_loss``, then ``ess`` (effective sample size of
        the importance weights, as a fraction of the batch) and
        ``variance_ratio``. A key missing from every epoch, such as the
        diagnostics of a sampler that records none, leaves its panel empty
        with the text "not recorded".

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> from isgan_sk.plotting import plot_history
    >>> history = [{"epoch": 1, "d_loss": 1.4, "g_loss": 0.7, "ess": 0.9},
    ...            {"epoch": 2, "d_loss": 1.3, "g_loss": 0.8, "ess": 0.8}]
    >>> figure = plot_history(history)
    >>> [ax.get_ylabel() for ax in figure.axes]
    ['loss', 'effective sample size', 'variance ratio']
    """
    rows = list(history)
    figure = _new_figure((4.0 * len(HISTORY_PANELS), 3.2))
    axes = figure.subplots(1, len(HISTORY_PANELS), squeeze=False)[0]
    for ax, (keys, ylabel) in zip(axes, HISTORY_PANELS):
        drawn = False
        for key in keys:
            points = [
                (row.get("epoch", index + 1), row[key])
                for index, row in enumerate(rows)
                if key in row
            ]
            if points:
                epochs, values = zip(*points)
                ax.plot(epochs, values, marker=".", label=key)
                drawn = True
        if not drawn:
            ax.text(0.5, 0.5, "not recorded", ha="center", va="center", transform=ax.transAxes)
        elif len(keys) > 1:
            ax.legend()
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
    figure.tight_layout()
    return figure


def plot_scatter_modes(
    X_generated, centers, *, X_real=None, features=(0, 1), max_points=2000, labels=None
):
    """Plot generated rows over the known mode centres of a 2-D mixture.

    Parameters
    ----------
    X_generated : array-like of shape (n_generated, n_features)
        Generated rows.
    centers : array-like of shape (n_modes, n_features)
        Centres of the target's modes, drawn as crosses.
    X_real : array-like of shape (n_samples, n_features), default=None
        Target rows, drawn under the generated ones.
    features : tuple of (int, int), default=(0, 1)
        Columns drawn on the x and y axes.
    max_points : int, default=2000
        Draw at most the first ``max_points`` rows of each sample.
    labels : tuple of str, default=None
        Legend entries of the generated rows, the real rows and the
        centres; None uses ("Generated", "Target", "Mode centres").

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from isgan_sk.plotting import plot_scatter_modes
    >>> centers = np.array([[0.0, 0.0], [4.0, 4.0]])
    >>> X = np.random.default_rng(0).normal(size=(100, 2)) + centers[[0, 1] * 50]
    >>> figure = plot_scatter_modes(X, centers)
    >>> len(figure.axes[0].collections)
    2
    """
    generated = np.asarray(X_generated, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    samples = {"X_generated": generated, "centers": centers}
    if X_real is not None:
        samples["X_real"] = np.asarray(X_real, dtype=np.float64)
    for name, sample in samples.items():
        if sample.ndim != 2 or sample.shape[1] <= max(features):
            raise ValueError(
                f"'{name}' must be 2-D with a column for each of features="
                f"{tuple(features)}. Got shape {sample.shape}."
            )
    labels = ("Generated", "Target", "Mode centres") if labels is None else labels
    x, y = features

    figure = _new_figure((5.0, 5.0))
    ax = figure.add_subplot()
    if X_real is not None:
        real = samples["X_real"][:max_points]
        ax.scatter(real[:, x], real[:, y], s=4, alpha=0.3, color="tab:gray", label=labels[1])
    shown = generated[:max_points]
    ax.scatter(shown[:, x], shown[:, y], s=4, alpha=0.5, color="tab:blue", label=labels[0])
    ax.scatter(
        centers[:, x], centers[:, y], s=80, marker="x", color="tab:red", label=labels[2]
    )
    ax.set_xlabel(f"feature {x}")
    ax.set_ylabel(f"feature {y}")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="best")
    figure.tight_layout()
    return figure
