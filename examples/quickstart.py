"""
Compare two sampling strategies on handwritten digits
=====================================================

Train ``ImportanceSampledGAN`` with plain uniform minibatches and with
paired importance sampling on scikit-learn's 8x8 digits, print the
held-out score of each, and show generated digits beside real ones. At
the full size it also saves them to ``quickstart_digits.png``. Run it with
``python examples/quickstart.py``.

The environment variable ``ISGAN_EXAMPLE_SIZE`` sets the length of the
training. ``full`` (the default) trains for 60 epochs, which takes about a
minute on two CPU cores. ``small`` trains for 3 epochs and finishes in
seconds. The documentation build runs the small size, so the generated
images on this page come from networks trained far too briefly.
"""

# %%
import os

import torch
from sklearn.model_selection import train_test_split

from isgan_sk import ImportanceSampledGAN, PairedImportanceSampler, UniformSampler
from isgan_sk.datasets import load_digits
from isgan_sk.plotting import plot_image_grid

# The networks are small, and one thread ran them faster than two on a
# busy 2-core machine (docs/demo.md).
torch.set_num_threads(1)

EPOCHS = {"full": 60, "small": 3}
size = os.environ.get("ISGAN_EXAMPLE_SIZE", "full")
if size not in EPOCHS:
    raise ValueError(
        f"ISGAN_EXAMPLE_SIZE must be one of {sorted(EPOCHS)}. Got {size!r} instead."
    )

X, _ = load_digits()
X_train, X_test = train_test_split(X, test_size=0.2, random_state=0)

samples = {}
for name, sampler in [("uniform", UniformSampler()), ("paired", PairedImportanceSampler())]:
    gan = ImportanceSampledGAN(sampler=sampler, max_epochs=EPOCHS[size], lr=5e-4, random_state=0)
    gan.fit(X_train)
    # Higher is better; 0 means the generated rows match the held-out ones.
    print(f"{name:>8}: score {gan.score(X_test):.4f}")
    samples[name] = gan.sample(30, random_state=0)

# %%
# ``plot_image_grid`` builds the figure without pyplot, and the gallery
# shows it through a scraper of its own. The small run, which the
# documentation build makes, writes no file into the source tree.
figure = plot_image_grid(
    samples["paired"],
    reference=X_test[:30],
    titles=("Generated (paired)", "Real"),
    vmin=0.0,
    vmax=16.0,
)
if size == "full":
    figure.savefig("quickstart_digits.png")
    print("Wrote quickstart_digits.png")
