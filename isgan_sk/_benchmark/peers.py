"""Comparisons outside the strategies: a hand-written loop and CTGAN."""

import time

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.model_selection import train_test_split

from .._estimator import ImportanceSampledGAN
from ..metrics import classifier_two_sample_test, mmd2
from ..networks import MLPDiscriminator, MLPGenerator
from ..sampling import UniformSampler

__all__ = ["loop_overhead", "tabular_peers"]


def _plain_loop(X, n_steps, batch_size, latent_dim, seed):
    """Train the default networks with the usual hand-written GAN loop.

    It is the reference for the estimator's overhead: the same networks,
    Adam settings, batch and number of steps, with no sampler, history or
    callbacks.
    """
    generator_rng = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        generator = MLPGenerator(latent_dim, X.shape[1])
        discriminator = MLPDiscriminator(X.shape[1])
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    softplus = torch.nn.functional.softplus
    X = torch.as_tensor(X, dtype=torch.float32)

    start = time.perf_counter()
    for _ in range(n_steps):
        # Discriminator: real rows toward 1, generated rows toward 0. The
        # generated batch is detached so this step leaves the generator alone.
        real = X[torch.randint(len(X), (batch_size,), generator=generator_rng)]
        fake = generator(torch.randn(batch_size, latent_dim, generator=generator_rng)).detach()
        loss_d = (softplus(-discriminator(real)) + softplus(discriminator(fake))).mean()
        optimizer_d.zero_grad()
        loss_d.backward()
        optimizer_d.step()

        # Generator: the non-saturating loss pushes its rows toward 1.
        fake = generator(torch.randn(batch_size, latent_dim, generator=generator_rng))
        loss_g = softplus(-discriminator(fake)).mean()
        optimizer_g.zero_grad()
        loss_g.backward()
        optimizer_g.step()
    return (time.perf_counter() - start) / n_steps


def loop_overhead(X, epochs=5, batch_size=64, latent_dim=32, seed=0, repeats=3):
    """Return seconds per step of the estimator with UniformSampler and of a plain loop."""
    X = np.asarray(X, dtype=np.float64)
    X_scaled = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    n_steps = epochs * -(-len(X) // batch_size)
    estimator_times, loop_times = [], []
    for repeat in range(repeats):
        gan = ImportanceSampledGAN(
            sampler=UniformSampler(),
            max_epochs=epochs,
            batch_size=batch_size,
            latent_dim=latent_dim,
            random_state=seed + repeat,
        )
        start = time.perf_counter()
        gan.fit(X)
        estimator_times.append((time.perf_counter() - start) / n_steps)
        loop_times.append(_plain_loop(X_scaled, n_steps, batch_size, latent_dim, seed + repeat))
    estimator = float(np.median(estimator_times))
    loop = float(np.median(loop_times))
    return {
        "n_steps": n_steps,
        "estimator_seconds_per_step": estimator,
        "loop_seconds_per_step": loop,
        "ratio": estimator / loop,
    }


def _evaluate(X_test, generated, seed):
    return {
        "c2st_accuracy": float(classifier_two_sample_test(X_test, generated, random_state=seed)),
        "mmd2": float(mmd2(X_test, generated)),
    }


def tabular_peers(seeds, quick=False, log=print):
    """Compare ImportanceSampledGAN with CTGAN on wine and breast cancer.

    Returns ``None`` with a logged reason when the ``ctgan`` package is not
    installed. Both models see the same standardised training split; the
    held-out split is compared with as many generated rows.
    """
    try:
        from ctgan import CTGAN
    except ImportError:
        log("CTGAN skipped: the 'ctgan' package is not installed (pip install ctgan).")
        return None

    epochs = 30 if quick else 300
    results = []
    for name, load in (("wine", load_wine), ("breast_cancer", load_breast_cancer)):
        X = load().data
        for seed in seeds:
            X_train, X_test = train_test_split(X, test_size=0.3, random_state=seed)
            mean, std = X_train.mean(axis=0), X_train.std(axis=0)
            X_train_scaled = (X_train - mean) / std
            X_test_scaled = (X_test - mean) / std

            start = time.perf_counter()
            gan = ImportanceSampledGAN(max_epochs=epochs, batch_size=32, random_state=seed)
            gan.fit(X_train_scaled)
            gan_seconds = time.perf_counter() - start
            gan_rows = gan.sample(len(X_test), random_state=seed)

            start = time.perf_counter()
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                peer = CTGAN(epochs=epochs, batch_size=50, pac=10, cuda=False)
                peer.set_random_state(seed)
                peer.fit(X_train_scaled)
                peer_rows = np.asarray(peer.sample(len(X_test)), dtype=np.float64)
            peer_seconds = time.perf_counter() - start

            for model, rows, seconds in (
                ("ImportanceSampledGAN", gan_rows, gan_seconds),
                ("CTGAN", peer_rows, peer_seconds),
            ):
                row = {"data": name, "model": model, "seed": seed, "fit_seconds": seconds}
                row.update(_evaluate(X_test_scaled, rows, seed))
                results.append(row)
                log(
                    f"{name:13s} {model:20s} seed {seed}: C2ST {row['c2st_accuracy']:.3f}, "
                    f"MMD2 {row['mmd2']:.4f}, {seconds:.1f} s"
                )
    return {"epochs": epochs, "runs": results}
