"""
Read the sampler's diagnostics
==============================

Fit a paired importance-sampled GAN on a 1-D bimodal target for a few
epochs and plot the two diagnostics that the sampler records in the
estimator's history every epoch:

- ``ess``: Kish's effective sample size of the drawn weights, as a
  fraction of the batch. It is 1 when all weights are equal and falls as a
  few pairs dominate the minibatch.
- ``variance_ratio``: the estimated variance of the discriminator's
  gradient under the importance proposal, relative to uniform draws from
  the same pool. Below 1, importance sampling lowers the variance.

``UniformSampler`` records 1 for both, which the dashed line marks. The
run takes a few seconds on one CPU core.
"""

# %%
# Fit the estimator
# -----------------
# A small generator and discriminator and 15 epochs are enough to show
# how the diagnostics move in the first epochs of training.

import matplotlib.pyplot as plt
import numpy as np
import torch

from isgan_sk import ImportanceSampledGAN, PairedImportanceSampler
from isgan_sk.datasets import make_two_gaussians

# One torch thread keeps this small fit from competing for the cores.
torch.set_num_threads(1)

X, _ = make_two_gaussians(1000, target="bimodal", random_state=0)
gan = ImportanceSampledGAN(
    sampler=PairedImportanceSampler(smoothing=0.1),
    max_epochs=15,
    lr=1e-3,
    random_state=0,
    generator__hidden_units=(32, 32),
    discriminator__hidden_units=(32, 32),
)
gan.fit(X)

# %%
# Plot the history
# ----------------
# ``history_`` is a skorch ``History``: ``history_[:, "ess"]`` is the list
# of per-epoch means of the ``ess`` diagnostic.

epochs = gan.history_[:, "epoch"]
fig, (ax_ess, ax_ratio) = plt.subplots(1, 2, figsize=(9, 3.5), sharex=True)
ax_ess.plot(epochs, gan.history_[:, "ess"], marker="o")
ax_ess.set_ylabel("effective sample size (fraction)")
ax_ratio.plot(epochs, gan.history_[:, "variance_ratio"], marker="o")
ax_ratio.set_ylabel("variance ratio (proposal / uniform)")
for ax in (ax_ess, ax_ratio):
    ax.axhline(1.0, color="gray", linestyle="--", linewidth=0.8)
    ax.set_xlabel("epoch")
fig.tight_layout()

# %%
# Compare generated and real rows
# -------------------------------
# After 15 epochs the generator covers the range of the target but has not
# yet separated its two modes, so a real fit needs more epochs. ``score``
# is the negative squared MMD, and 0 is a perfect match.

X_new = gan.sample(1000, random_state=0)
bins = np.linspace(-4.0, 4.0, 61)
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.hist(X[:, 0], bins=bins, alpha=0.5, label="target")
ax.hist(X_new[:, 0], bins=bins, alpha=0.5, label="generated")
ax.set_title(f"score {gan.score(X):.4f}")
ax.legend()
fig.tight_layout()
