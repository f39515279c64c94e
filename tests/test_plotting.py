import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from isgan_sk import plotting  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def save_png(figure, path):
    figure.savefig(path, dpi=60)
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_plot_history_panels(tmp_path):
    history = [
        {"epoch": epoch, "d_loss": 1.4 - 0.1 * epoch, "g_loss": 0.7, "ess": 0.9,
         "variance_ratio": 0.5}
        for epoch in range(1, 6)
    ]

    figure = plotting.plot_history(history)

    assert isinstance(figure, Figure)
    loss_ax, ess_ax, ratio_ax = figure.axes
    assert [line.get_label() for line in loss_ax.get_lines()] == ["d_loss", "g_loss"]
    assert list(loss_ax.get_lines()[0].get_xdata()) == [1, 2, 3, 4, 5]
    assert [line.get_label() for line in ess_ax.get_lines()] == ["ess"]
    assert [line.get_label() for line in ratio_ax.get_lines()] == ["variance_ratio"]
    save_png(figure, tmp_path / "history.png")


def test_plot_history_missing_key():
    figure = plotting.plot_history([{"epoch": 1, "d_loss": 1.0, "g_loss": 0.5}])

    ratio_ax = figure.axes[2]
    assert ratio_ax.get_lines() == []
    assert [text.get_text() for text in ratio_ax.texts] == ["not recorded"]


def test_plot_history_of_fitted_estimator(tmp_path, X_small):
    from _small import make_small_gan

    gan = make_small_gan(max_epochs=3).fit(X_small)

    figure = plotting.plot_history(gan.history_)

    assert len(figure.axes[0].get_lines()[0].get_xdata()) == 3
    assert len(figure.axes[1].get_lines()) == 1
    save_png(figure, tmp_path / "fitted_history.png")


def test_plot_histogram_against_target(tmp_path):
    rng = np.random.default_rng(0)

    figure = plotting.plot_histogram(rng.normal(size=200), rng.normal(size=(150, 1)))

    (ax,) = figure.axes
    assert len(ax.containers) == 2
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Target", "Generated"]
    save_png(figure, tmp_path / "histogram.png")


def test_plot_scatter_modes(tmp_path):
    rng = np.random.default_rng(0)
    centers = np.array([[np.cos(angle), np.sin(angle)] for angle in np.arange(8) * np.pi / 4])
    X_real = centers[rng.integers(8, size=400)] * 4 + rng.normal(scale=0.2, size=(400, 2))
    X_generated = centers[rng.integers(8, size=300)] * 4 + rng.normal(scale=0.3, size=(300, 2))

    figure = plotting.plot_scatter_modes(X_generated, centers * 4, X_real=X_real)

    (ax,) = figure.axes
    collections = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [len(c.get_offsets()) for c in collections] == [400, 300, 8]
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Target", "Generated", "Mode centres"]
    save_png(figure, tmp_path / "modes.png")


def test_plot_scatter_modes_rejects_1d_centers():
    with pytest.raises(ValueError, match="'centers' must be 2-D .* Got shape \\(3,\\)"):
        plotting.plot_scatter_modes(np.zeros((5, 2)), np.zeros(3))


def test_plot_image_grid(tmp_path):
    images = np.random.default_rng(0).uniform(0, 16, size=(12, 64))

    figure = plotting.plot_image_grid(images, reference=images[:5], n_columns=6)

    # Two rows of six panels per grid, one grid of generated and one of real images.
    assert len(figure.axes) == 24
    assert sum(len(ax.images) for ax in figure.axes) == 17
    save_png(figure, tmp_path / "grid.png")


def test_plot_image_grid_wrong_shape():
    with pytest.raises(ValueError, match="row of 64 pixel values"):
        plotting.plot_image_grid(np.zeros((3, 10)))


def test_plot_feature_histograms(tmp_path):
    rng = np.random.default_rng(0)

    figure = plotting.plot_feature_histograms(
        rng.normal(size=(80, 3)), rng.normal(size=(60, 3)), feature_names=["a", "b", "c"]
    )

    assert [ax.get_title() for ax in figure.axes] == ["a", "b", "c"]
    save_png(figure, tmp_path / "features.png")


def test_plot_learning_curves(tmp_path):
    curves = {"uniform": [{"epoch": 1, "score": -0.5}, {"epoch": 2, "score": -0.2}]}

    figure = plotting.plot_learning_curves(curves)

    (line,) = figure.axes[0].get_lines()[:1]
    assert list(line.get_ydata()) == [-0.5, -0.2]
    save_png(figure, tmp_path / "curves.png")
