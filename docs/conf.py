"""Sphinx configuration of the isgan_sk documentation.

Build the site with ``bash docs/build.sh``. The build reads nothing from
the network and treats every warning as an error.
"""

import os
import sys
from pathlib import Path

# The gallery runs the examples, which must not open a window.
os.environ.setdefault("MPLBACKEND", "Agg")
# The examples read their size from this variable. The small size trains
# for a few epochs, so the whole gallery runs in seconds per example.
os.environ.setdefault("ISGAN_EXAMPLE_SIZE", "small")

import isgan_sk  # noqa: E402  (imported after choosing the backend)

DOCS_DIR = Path(__file__).resolve().parent
# sphinx-gallery imports the image scraper of gallery_scrapers.py by name.
sys.path.insert(0, str(DOCS_DIR))

project = "isgan_sk"
author = "isgan_sk developers"
copyright = "isgan_sk developers"
release = isgan_sk.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    # Copies MathJax into the site, so that pages with maths load no
    # script from a CDN.
    "sphinx-mathjax-offline",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb"]
templates_path = []

# The pages that index.rst lists in its own toctrees. Every other page in
# docs/ is written by another part of the project (the method, measured
# results) and goes into the index's last toctree, so that a new page
# is listed without an edit here. Sphinx would otherwise warn that the
# page is in no toctree, and the build turns warnings into errors.
SITE_PAGES = {"index", "install", "guide", "augmentation", "api"}
# Written into docs/ by sphinx-gallery and marked orphan.
GENERATED_PAGES = {"sg_execution_times"}
# Known project pages come first, in this order, and the others follow
# by name.
PROJECT_PAGE_ORDER = ["method", "step_cost", "tuning", "demo", "benchmarks"]
PROJECT_PAGES_MARKER = ".. project-pages"


def _project_pages():
    """Return the names of the top-level pages that index.rst does not list."""
    found = {path.stem for suffix in source_suffix for path in DOCS_DIR.glob(f"*{suffix}")}
    found -= SITE_PAGES | GENERATED_PAGES
    ordered = [page for page in PROJECT_PAGE_ORDER if page in found]
    return ordered + sorted(found - set(ordered))


def _list_project_pages(app, docname, source):
    """Replace the index's marker line with the project pages."""
    if docname != root_doc:
        return
    entries = "\n".join(f"   {page}" for page in _project_pages())
    source[0] = source[0].replace(f"   {PROJECT_PAGES_MARKER}", entries)


def _reread_index(app, env, added, changed, removed):
    """Read the index again in every build, because the set of pages may change."""
    return [root_doc]


def setup(app):
    app.connect("source-read", _list_project_pages)
    app.connect("env-get-outdated", _reread_index)


# autodoc: members in the order of the source, and no type hints in the
# signatures because the numpydoc sections give the types.
autodoc_member_order = "bysource"
autodoc_typehints = "none"
add_module_names = False

# numpydoc: the class docstrings list their attributes and the API page
# documents the public methods, so numpydoc adds no member tables.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# MyST: $...$ and $$...$$ for the maths in the Markdown pages, and anchors
# for headings up to level 3 so that pages can link to sections.
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# sphinx-gallery runs every example it includes (filename_pattern matches
# any .py path) and writes the pages to docs/auto_examples. Pass
# ``-D plot_gallery=0`` to sphinx to show the code without running it.
sphinx_gallery_conf = {
    "examples_dirs": str(DOCS_DIR.parent / "examples"),
    "gallery_dirs": str(DOCS_DIR / "auto_examples"),
    "filename_pattern": r"\.py$",
    "ignore_pattern": r"__init__\.py$",
    "download_all_examples": False,
    "remove_config_comments": True,
    # The first scraper shows the figures of isgan_sk.plotting, which
    # pyplot does not manage. It must run before the matplotlib scraper,
    # which closes pyplot's figures.
    "image_scrapers": ("gallery_scrapers.scrape_unmanaged_figures", "matplotlib"),
    "matplotlib_animations": False,
    "reference_url": {},
    "show_memory": False,
    "abort_on_example_error": True,
    # The timing pages load jQuery and DataTables from CDNs.
    "write_computation_times": False,
}

html_theme = "alabaster"
html_static_path = []
html_title = f"isgan_sk {release}"
html_theme_options = {
    "description": "GAN training as a scikit-learn estimator",
    "fixed_sidebar": True,
}
