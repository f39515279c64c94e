#!/usr/bin/env bash
# Build the HTML documentation into docs/_build/html, treating every
# Sphinx warning as an error. Extra arguments go to sphinx, for example
# `-D plot_gallery=0` to skip running the gallery examples. The gallery
# runs the examples at their small size, which trains for a few epochs,
# unless ISGAN_EXAMPLE_SIZE is set to another size.
set -euo pipefail

cd "$(dirname "$0")/.."

python -m sphinx -W --keep-going -b html "$@" docs docs/_build/html
