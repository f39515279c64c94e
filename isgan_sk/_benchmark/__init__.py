"""The learning-speed benchmark behind ``python -m isgan_sk benchmark``."""

import argparse
import datetime
import functools
import json
import os
import platform
import sys
import time

import torch

from .cases import CASES
from .peers import loop_overhead, tabular_peers
from .report import plot_curves, summarize, write_markdown
from .runner import STRATEGIES, run_case

__all__ = ["CASES", "STRATEGIES", "run_benchmark"]


def _versions():
    import numpy
    import scipy
    import sklearn
    import skorch

    from .. import __version__

    return (
        f"isgan_sk {__version__}, Python {platform.python_version()}, torch {torch.__version__}, "
        f"skorch {skorch.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {numpy.__version__}, scipy {scipy.__version__}"
    )


def _machine():
    return (
        f"{platform.machine()}, {os.cpu_count()} logical CPUs, {platform.system()} "
        f"{platform.release()}, CPU only"
    )


def run_benchmark(
    cases,
    strategies,
    seeds,
    *,
    quick=False,
    results_path="results.json",
    docs_dir="docs",
    peers=True,
    jobs=1,
    command="",
    log=print,
):
    """Run the benchmark and write ``results.json``, the report and the plots.

    Parameters
    ----------
    cases : list of str
        Names from :data:`CASES`.
    strategies : list of str
        Names from :data:`STRATEGIES`; ``'uniform'`` is the baseline of
        every ratio.
    seeds : list of int
        One run per case, strategy and seed.
    quick : bool, default=False
        Use each case's short budget.
    results_path : str
        Where the raw figures go, as JSON.
    docs_dir : str
        Folder of ``benchmarks.md``; plots go to ``docs_dir/benchmarks/``.
    peers : bool, default=True
        Also measure the loop overhead and the CTGAN comparison.
    jobs : int, default=1
        Runs trained at once, each in its own process.
    command : str
        The command line, recorded in the report.
    log : callable
        Receives one line of progress at a time.

    Returns
    -------
    results : dict
    """
    start = time.perf_counter()
    plot_dir = os.path.join(docs_dir, "benchmarks")
    os.makedirs(plot_dir, exist_ok=True)
    results = {
        "meta": {
            "command": command,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": _machine(),
            "versions": _versions(),
            "seeds": list(seeds),
            "threads": torch.get_num_threads(),
            "jobs": jobs,
            "quick": quick,
            "strategies": list(strategies),
        },
        "cases": {},
    }

    for name in cases:
        case = CASES[name]
        available, reason = case.available()
        if not available:
            log(f"{name}: skipped, {reason}")
            results["cases"][name] = {"skipped": reason}
            continue
        case_result = run_case(
            case,
            strategies,
            seeds,
            quick=quick,
            jobs=jobs,
            threads=torch.get_num_threads(),
            log=log,
        )
        case_result["case"] = {
            "description": case.description,
            "primary": case.primary,
            "lower_is_better": case.lower_is_better,
            "target": case.target,
            "epochs": case.quick_epochs if quick else case.epochs,
        }
        case_result["summary"] = summarize(case, case_result, strategies, seeds)
        plot_name = f"{name}.png"
        try:
            plot_curves(case, case_result, strategies, os.path.join(plot_dir, plot_name))
            case_result["plot"] = f"benchmarks/{plot_name}"
        except ImportError:
            log("matplotlib is not installed: no plots (pip install isgan-sk[plot]).")
        results["cases"][name] = case_result

    if peers:
        digits = CASES["digits"].load(seeds[0])[0]
        results["overhead"] = loop_overhead(digits, epochs=2 if quick else 10)
        log(f"overhead: estimator / plain loop = {results['overhead']['ratio']:.2f}")
        results["tabular_peers"] = tabular_peers(seeds[:3], quick=quick, log=log)

    results["meta"]["wall_seconds"] = time.perf_counter() - start
    with open(results_path, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1)
    write_markdown(results, os.path.join(docs_dir, "benchmarks.md"))
    log(f"wrote {results_path} and {os.path.join(docs_dir, 'benchmarks.md')}")
    return results


def _names(text, known, what):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {unknown or [text]}; choose from {', '.join(known)}"
        )
    return names


def run_command(args):
    """Run ``python -m isgan_sk benchmark`` with parsed ``args``."""
    cases, strategies = args.cases, list(args.strategies)
    if "uniform" not in strategies:
        strategies.insert(0, "uniform")
    if args.threads:
        torch.set_num_threads(args.threads)
    command = " ".join(["python -m isgan_sk"] + sys.argv[1:]) if args.record_argv else ""
    n_seeds = args.seeds
    if n_seeds is None:
        n_seeds = 2 if args.quick else 5
    run_benchmark(
        cases,
        strategies,
        list(range(n_seeds)),
        quick=args.quick,
        results_path=args.results,
        docs_dir=args.docs,
        peers=not args.no_peers,
        jobs=args.jobs,
        command=command,
        log=lambda line: print(line, flush=True),
    )


def add_parser(subparsers, positive_int):
    """Add the ``benchmark`` subcommand to the command line's ``subparsers``."""
    parser = subparsers.add_parser(
        "benchmark",
        help="compare the sampler strategies' learning speed on several cases",
        description=(
            "Train every strategy on every case with the same networks, seeds and "
            "budget; write the raw figures as JSON, a Markdown report and "
            "learning-curve plots."
        ),
    )
    parser.add_argument(
        "--cases",
        type=functools.partial(_names, known=CASES, what="cases"),
        default=list(CASES),
        help=f"comma-separated cases (default: all of {', '.join(CASES)})",
    )
    parser.add_argument(
        "--strategies",
        type=functools.partial(_names, known=STRATEGIES, what="strategies"),
        default=list(STRATEGIES),
        help="comma-separated strategies; 'uniform' is always added as the "
        f"baseline (default: all of {', '.join(STRATEGIES)})",
    )

    parser.add_argument(
        "--seeds",
        type=positive_int,
        help="number of seeds, 0 to N-1 (default: 5, or 2 with --quick)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="use each case's short training budget"
    )

    parser.add_argument(
        "--results", default="results.json", help="JSON file of raw figures (default: results.json)"
    )
    parser.add_argument(
        "--docs", default="docs", help="folder of benchmarks.md and its plots (default: docs)"
    )
    parser.add_argument(
        "--no-peers",
        action="store_true",
        help="skip the overhead measurement against a plain loop and the CTGAN comparison",
    )

    parser.add_argument(
        "--jobs",
        type=positive_int,
        default=2,
        help="runs trained at once, each in its own process with --threads "
        "torch threads (default: 2, for a machine of 2 cores)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads; 0 keeps torch's default (default: 1)",
    )
    parser.set_defaults(handler=run_command, record_argv=True)
    return parser
