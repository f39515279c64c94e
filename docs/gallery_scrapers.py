"""An image scraper that shows the figures of ``isgan_sk.plotting`` in the gallery.

The functions of ``isgan_sk.plotting`` return matplotlib Figures that
pyplot does not manage, and sphinx-gallery's matplotlib scraper collects
only the figures that pyplot manages. conf.py lists this scraper by its
dotted name, so that the Sphinx configuration stays picklable.
"""

from pathlib import PurePosixPath

from sphinx_gallery.scrapers import figure_rst

# The key in sphinx-gallery's per-example variables under which this
# scraper keeps the figures it has already handled.
HANDLED_FIGURES_KEY = "isgan_sk_handled_figures"


def scrape_unmanaged_figures(block, block_vars, gallery_conf):
    """Save each new Figure in the example's globals that pyplot does not manage.

    It must run before sphinx-gallery's matplotlib scraper, which closes
    pyplot's figures and so detaches them from pyplot. A figure that pyplot
    manages when this scraper first finds it is left to the matplotlib
    scraper, in this block and in later ones.

    Parameters
    ----------
    block : tuple
        The code block that just ran, as sphinx-gallery passes it.
    block_vars : dict
        sphinx-gallery's variables of the example, with
        ``example_globals`` and ``image_path_iterator``.
    gallery_conf : dict
        The sphinx-gallery configuration.

    Returns
    -------
    rst : str
        The reST that shows the saved images, or an empty string.
    """
    from matplotlib.figure import Figure

    handled = block_vars.setdefault(HANDLED_FIGURES_KEY, [])
    new_figures = [
        value
        for value in block_vars["example_globals"].values()
        if isinstance(value, Figure) and not any(value is figure for figure in handled)
    ]
    handled.extend(new_figures)
    unmanaged = [figure for figure in new_figures if figure.canvas.manager is None]

    image_paths = []
    for figure, image_path in zip(unmanaged, block_vars["image_path_iterator"]):
        figure.savefig(image_path)
        image_paths.append(PurePosixPath(image_path))
    if not image_paths:
        return ""
    return figure_rst(image_paths, gallery_conf["src_dir"])
