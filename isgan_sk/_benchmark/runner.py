"""Training runs of the learning-speed benchmark."""

import time

import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.base import clone

from .._estimator import ImportanceSampledGAN
from ..sampling import (
    ImportanceSampler,
    PairedImportanceSampler,
    TopKSampler,
    UniformSampler,
)

__all__ = ["STRATEGIES", "gradient_variance", "run_case", "run_one"]

# Every strategy runs with the same networks, seeds and budget. The
# 'pairing-only' run pairs optimally and draws uniformly from the pool
# (smoothing 1), which separates the gain of pairing from that of the
# importance weights.
STRATEGIES = {
    "uniform": UniformSampler(),
    "paired-optimal": PairedImportanceSampler(pairing="optimal"),
    "paired-sorted": PairedImportanceSampler(pairing="sorted"),
    "paired-nearest": PairedImportanceSampler(pairing="nearest"),
    "paired-random": PairedImportanceSampler(pairing="random"),
    "pairing-only": PairedImportanceSampler(pairing="optimal", smoothing=1.0),
    "importance": ImportanceSampler(),
    "topk": TopKSampler(),
}


def _flat_gradient(module):
    return torch.cat(
        [
            parameter.grad.reshape(-1)
            if parameter.grad is not None
            else torch.zeros(parameter.numel())
            for parameter in module.parameters()
        ]
    )


def gradient_variance(gan, X, sampler, n_batches=32, seed=0):
    """Return the trace of the covariance of the discriminator's minibatch gradient.

    The fitted generator and discriminator stay fixed. ``n_batches``
    minibatches are drawn with ``sampler``, and the gradient of each
    weighted minibatch loss is recorded without an optimizer step.
    """
    net = gan.net_
    X_tensor = gan._scaled_tensor(X)
    rng = torch.Generator().manual_seed(seed)
    sampler = clone(sampler)
    gradients = []
    for _ in range(n_batches):
        net.discriminator_.zero_grad()
        loss, _ = net.discriminator_loss(X_tensor, None, rng, sampler=sampler)
        loss.backward()
        gradients.append(_flat_gradient(net.discriminator_).double())
    net.discriminator_.zero_grad()
    stacked = torch.stack(gradients)
    return float(stacked.var(dim=0, unbiased=True).sum())


def run_one(case, strategy, seed, quick=False, threads=None):
    """Train one strategy on one case with one seed; return its curve and figures."""
    if threads:
        torch.set_num_threads(threads)
    X, evaluator = case.load(seed)
    epochs = case.quick_epochs if quick else case.epochs
    eval_every = case.quick_eval_every if quick else case.eval_every
    gan = ImportanceSampledGAN(
        sampler=clone(STRATEGIES[strategy]),
        max_epochs=epochs,
        random_state=seed,
        **case.estimator_params,
    )

    curve = []
    fit_seconds = 0.0
    reached = None
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        gan.partial_fit(X)
        fit_seconds += time.perf_counter() - start
        if epoch % eval_every and epoch != epochs:
            continue
        generated = gan.sample(evaluator.n_eval, random_state=seed)
        measures = evaluator(generated)
        updates = _generator_updates(gan)
        curve.append({"epoch": epoch, "updates": updates, "seconds": fit_seconds, **measures})
        if reached is None and case.reached(measures[case.primary]):
            reached = {"updates": updates, "seconds": fit_seconds, "epoch": epoch}

    n_steps = sum("d_loss" in batch for row in gan.history_ for batch in row["batches"])
    return {
        "case": case.name,
        "strategy": strategy,
        "seed": seed,
        "epochs": epochs,
        "curve": curve,
        "final": curve[-1],
        "reached": reached,
        "fit_seconds": fit_seconds,
        "seconds_per_step": fit_seconds / max(n_steps, 1),
        "gradient_variance": gradient_variance(gan, X, gan.sampler_, seed=seed),
        "gradient_variance_uniform": gradient_variance(gan, X, UniformSampler(), seed=seed),
    }


def _generator_updates(gan):
    return int(sum("g_loss" in batch for row in gan.history_ for batch in row["batches"]))


def run_case(case, strategies, seeds, quick=False, jobs=1, threads=None, log=print):
    """Run every strategy with every seed on ``case``; return the runs and the noise floor.

    With ``jobs`` above 1 the runs go to as many worker processes. Every run
    draws only from its own seed, so the figures other than seconds do not
    depend on ``jobs``. Seconds are measured with that many runs at once.
    """
    evaluator = case.load(seeds[0])[1]
    noise_floor = evaluator.noise_floor()
    info = evaluator.info() if hasattr(evaluator, "info") else {}
    tasks = [(seed, strategy) for seed in seeds for strategy in strategies]
    results = Parallel(n_jobs=jobs, return_as="generator")(
        delayed(run_one)(case, strategy, seed, quick=quick, threads=threads)
        for seed, strategy in tasks
    )
    runs = []
    for run in results:
        runs.append(run)
        final = run["final"][case.primary]
        log(
            f"{case.name:8s} {run['strategy']:15s} seed {run['seed']}: "
            f"{case.primary} {final:.4g}, {run['fit_seconds']:.1f} s"
        )
    return {"runs": runs, "noise_floor": noise_floor, "evaluator": info}


def median_iqr(values):
    """Return the median and the interquartile range of ``values``, NaN-safe."""
    values = np.asarray([v for v in values if v is not None], dtype=np.float64)
    if values.size == 0:
        return None
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {"median": float(median), "q1": float(q1), "q3": float(q3), "n": int(values.size)}
