"""Measure the seconds per training step of each sampler strategy.

A training step is one discriminator update and one generator update at
the estimator's default networks and batch size (64). Each fit trains
``--epochs`` epochs after one warm-up epoch, and the per-epoch durations
from the history are divided by the steps per epoch. Every strategy is fit
once per round, ``--repeats`` rounds in all, and the median over epochs and
rounds is reported with its ratio to UniformSampler. A second table
times the parts of a default paired step on the digits, and a third the
pairings alone on random pools of 64 features.

Run from the repository root:

    python benchmarks/step_cost.py --threads 1 --output docs/step_cost.md

This is a benchmark, not a test: its figures depend on the machine and on
whatever else runs on it.
"""

import argparse
import platform
import statistics
import subprocess
import time

import numpy as np
import scipy
import sklearn
import skorch
import torch
from sklearn.datasets import load_digits

from isgan_sk import ImportanceSampledGAN
from isgan_sk import _pairing
from isgan_sk._pairing import pair_pools
from isgan_sk.networks import discriminator_logits
from isgan_sk.sampling import (
    ImportanceSampler,
    PairedImportanceSampler,
    TopKSampler,
    UniformSampler,
    pair_scores,
)

BATCH_SIZE = 64
SORTED_FEATURES = 784
SORTED_POOL = 256

STRATEGIES = {
    "UniformSampler()": UniformSampler(),
    "PairedImportanceSampler() (default)": PairedImportanceSampler(),
    "PairedImportanceSampler(pairing='sorted')": PairedImportanceSampler(pairing="sorted"),
    "PairedImportanceSampler(pairing='nearest')": PairedImportanceSampler(pairing="nearest"),
    "PairedImportanceSampler(pairing='random')": PairedImportanceSampler(pairing="random"),
    "PairedImportanceSampler(replace=False)": PairedImportanceSampler(replace=False),
    "PairedImportanceSampler(score='loss')": PairedImportanceSampler(score="loss"),
    "PairedImportanceSampler(score='full')": PairedImportanceSampler(score="full"),
    "PairedImportanceSampler(generator_sampling=True)": PairedImportanceSampler(
        generator_sampling=True
    ),
    "PairedImportanceSampler(pool_factor=2)": PairedImportanceSampler(pool_factor=2),
    "PairedImportanceSampler(pool_factor=2, pairing='random')": PairedImportanceSampler(
        pool_factor=2, pairing="random"
    ),
    "PairedImportanceSampler(pool_factor=1)": PairedImportanceSampler(pool_factor=1),
    "ImportanceSampler()": ImportanceSampler(),
    "TopKSampler()": TopKSampler(),
}


def load_datasets():
    """Return the benchmark data sets: the 8x8 digits and 1-D Gaussian rows."""
    digits = load_digits().data
    gaussian = np.random.default_rng(0).normal(size=(2048, 1))
    return {"digits (1797 x 64)": digits, "1-D Gaussian (2048 x 1)": gaussian}


def step_durations(sampler, X, epochs, seed):
    """Return the seconds per training step of each epoch after a warm-up epoch."""
    steps_per_epoch = -(-X.shape[0] // BATCH_SIZE)
    gan = ImportanceSampledGAN(
        sampler=sampler, max_epochs=epochs + 1, batch_size=BATCH_SIZE, random_state=seed
    ).fit(X)
    # The first epoch pays for allocations and lazy initialisation.
    return [epoch["dur"] / steps_per_epoch for epoch in gan.history_[1:]]


def seconds_per_step(datasets, epochs, repeats):
    """Return the median seconds per step of every strategy on every data set.

    The repeats are the outer loop, so a burst of load from other processes
    slows every strategy of one round alike instead of one strategy.
    """
    durations = {dataset: {name: [] for name in STRATEGIES} for dataset in datasets}
    for repeat in range(repeats):
        for dataset, X in datasets.items():
            for name, sampler in STRATEGIES.items():
                durations[dataset][name] += step_durations(sampler, X, epochs, repeat)
                median = statistics.median(durations[dataset][name])
                print(f"round {repeat}: {dataset}: {name}: {1000 * median:.2f} ms", flush=True)
    return {
        dataset: {name: statistics.median(values) for name, values in rows.items()}
        for dataset, rows in durations.items()
    }


def median_seconds(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_step_parts(X, repeats):
    """Return the median seconds of each part of a default paired step on ``X``.

    The pools are standardised rows of ``X`` and rows of a generator
    trained for two epochs, so the assignment problem has the structure it
    has in training. It is slower on these pools than on Gaussian ones.
    """
    gan = ImportanceSampledGAN(max_epochs=2, batch_size=BATCH_SIZE, random_state=0).fit(X)
    net = gan.net_
    rows = torch.as_tensor(gan.scaler_.transform(X), dtype=torch.float32)
    rng = torch.Generator().manual_seed(0)
    pool_size = 4 * BATCH_SIZE
    real = rows[torch.randint(rows.shape[0], (pool_size,), generator=rng)]
    with torch.no_grad():
        fake = net.generate(torch.randn(pool_size, gan.latent_dim, generator=rng))
    sampler = PairedImportanceSampler()

    def generate(n_rows):
        with torch.no_grad():
            net.generate(torch.randn(n_rows, gan.latent_dim, generator=rng))

    def selected_loss_and_backward():
        # The part a uniform step also has: the weighted loss of the
        # minibatch pairs and its backward pass.
        net.discriminator_.zero_grad()
        minibatch = torch.cat([real[:BATCH_SIZE], fake[:BATCH_SIZE]])
        logits = discriminator_logits(net.discriminator_, minibatch)
        logits.sum().backward()

    parts = {
        f"generate {BATCH_SIZE} rows (the uniform pool)": lambda: generate(BATCH_SIZE),
        f"generate {pool_size} rows (the paired pool)": lambda: generate(pool_size),
        f"pair_pools 'optimal', {pool_size} + {pool_size} rows": lambda: pair_pools(
            real, fake, "optimal", rng
        ),
        f"pair_scores of {pool_size} pairs ({2 * pool_size} rows forward)": lambda: (
            pair_scores(net.discriminator_, real, fake)
        ),
        "pairing, then scoring, in one thread": lambda: pair_scores(
            net.discriminator_, real, fake[pair_pools(real, fake, "optimal", rng)]
        ),
        "select with pairing='optimal' (solver in a worker thread beside the scoring)": (
            lambda: sampler.select(net.discriminator_, real, fake, BATCH_SIZE, rng)
        ),
        f"discriminator loss and backward of {BATCH_SIZE} pairs": selected_loss_and_backward,
    }
    # Interleaved, so that load from other processes hits every part alike.
    times = {name: [] for name in parts}
    for _ in range(repeats):
        for name, function in parts.items():
            times[name].append(median_seconds(function, 3))
    return {name: statistics.median(values) for name, values in times.items()}


def time_pairings(sizes, repeats, n_features=64):
    """Return the median seconds of each pairing on random pools of each size."""
    rng = torch.Generator().manual_seed(0)
    rows = {}
    for size in sizes:
        real = torch.randn(size, n_features, generator=rng)
        fake = 0.5 + torch.randn(size, n_features, generator=rng)
        row = {}
        for pairing in ("sorted", "nearest", "optimal"):
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                pair_pools(real, fake, pairing, rng)
                times.append(time.perf_counter() - start)
            row[pairing] = statistics.median(times)
        rows[size] = row
    return rows


def time_sorted_pairing(n_features, pool_size, repeats):
    """Return the median seconds of 'sorted' pairing with power iteration and with eigh."""
    rng = torch.Generator().manual_seed(0)
    real = torch.randn(pool_size, n_features, generator=rng)
    fake = 0.5 + torch.randn(pool_size, n_features, generator=rng)
    row = {}
    for method, limit in (("power iteration", _pairing.MAX_EIGH_FEATURES), ("eigh", n_features)):
        saved, _pairing.MAX_EIGH_FEATURES = _pairing.MAX_EIGH_FEATURES, limit
        try:
            row[method] = median_seconds(lambda: pair_pools(real, fake, "sorted", rng), repeats)
        finally:
            _pairing.MAX_EIGH_FEATURES = saved
    return row


def machine_description():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {torch.get_num_threads()} torch thread(s), {platform.system()} {platform.release()}"


def render(step_rows, part_rows, pairing_rows, sorted_row, args, date):
    lines = [
        "# Cost of a training step per sampler strategy",
        "",
        "Seconds per training step (one discriminator and one generator update)",
        f"at the default networks and batch size {BATCH_SIZE}, median over "
        f"{args.epochs} epochs x {args.repeats} rounds, each fit after one warm-up epoch,",
        "and the ratio to `UniformSampler()` on the same data. PyTorch runs on",
        f"{args.threads} thread(s); the assignment solver of `'optimal'` pairing runs in a",
        "worker thread beside the scoring pass, so a paired step can use one more core.",
        "",
        f"- Command: `python benchmarks/step_cost.py --threads {args.threads} "
        f"--epochs {args.epochs} --repeats {args.repeats} --output {args.output}`",
        f"- Date: {date}",
        f"- Machine: {machine_description()}",
        f"- Versions: Python {platform.python_version()}, torch {torch.__version__}, "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"skorch {skorch.__version__}, numpy {np.__version__}",
        "",
    ]
    if args.note:
        lines += [f"Note: {args.note}", ""]

    for dataset, rows in step_rows.items():
        baseline = rows["UniformSampler()"]
        lines += [f"## {dataset}", "", "| strategy | ms per step | ratio to uniform |", "|---|---:|---:|"]
        for name, seconds in rows.items():
            lines.append(f"| `{name}` | {1000 * seconds:.2f} | {seconds / baseline:.2f} |")
        lines.append("")

    lines += [
        "## Parts of a default step on the digits",
        "",
        f"Milliseconds per call, median of {args.repeats * 3} interleaved rounds, at the default",
        "networks after two epochs of training, on pools of standardised digits and",
        "generated rows.",
        "",
        "| part | ms |",
        "|---|---:|",
    ]
    for name, seconds in part_rows.items():
        lines.append(f"| {name} | {1000 * seconds:.2f} |")
    lines.append("")

    lines += [
        "## Pairing alone",
        "",
        "Milliseconds of `pair_pools` on random pools of 64 features, median of "
        f"{args.repeats * 3} runs. `'optimal'` includes building the cost matrix,",
        "and above `MAX_OPTIMAL_POOL` (1024) rows it is the `'nearest'` fallback.",
        "",
        "| pool size | sorted | nearest | optimal |",
        "|---:|---:|---:|---:|",
    ]
    for size, row in pairing_rows.items():
        cells = " | ".join(f"{1000 * row[p]:.1f}" for p in ("sorted", "nearest", "optimal"))
        lines.append(f"| {size} | {cells} |")
    lines.append("")

    lines += [
        "## Sorted pairing at the width of MNIST",
        "",
        f"Milliseconds of `pair_pools(..., 'sorted')` on random pools of {SORTED_POOL} rows of",
        f"{SORTED_FEATURES} features, median of {args.repeats * 3} runs. Above",
        f"`MAX_EIGH_FEATURES` ({_pairing.MAX_EIGH_FEATURES}) features the principal axis comes "
        "from power iteration.",
        "",
        "| principal axis by | ms |",
        "|---|---:|",
    ]
    for method, seconds in sorted_row.items():
        lines.append(f"| {method} | {1000 * seconds:.1f} |")
    lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs per fit")
    parser.add_argument("--repeats", type=int, default=5, help="fits per strategy and data set")
    parser.add_argument("--output", default="docs/step_cost.md", help="Markdown file to write")
    parser.add_argument("--note", default="", help="remark to print under the header")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    step_rows = seconds_per_step(load_datasets(), args.epochs, args.repeats)
    part_rows = time_step_parts(load_digits().data, args.repeats * 3)
    pairing_rows = time_pairings((256, 512, 1024, 2048), args.repeats * 3)
    sorted_row = time_sorted_pairing(SORTED_FEATURES, SORTED_POOL, args.repeats * 3)

    date = subprocess.run(["date"], capture_output=True, text=True, check=True).stdout.strip()
    with open(args.output, "w") as output:
        output.write(render(step_rows, part_rows, pairing_rows, sorted_row, args, date))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
