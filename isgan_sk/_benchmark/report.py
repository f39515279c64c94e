"""Summaries, the Markdown report and the learning-curve plots of the benchmark."""

import numpy as np

from .runner import median_iqr

__all__ = ["summarize", "write_markdown", "plot_curves"]


def _ratio_summary(values, baseline):
    """Per-seed ratios to the baseline, with significance by seed spread.

    A ratio counts as significant when its interquartile range over seeds
    lies entirely on one side of 1.
    """
    ratios = [
        value / base
        for value, base in zip(values, baseline)
        if value is not None and base not in (None, 0)
    ]
    summary = median_iqr(ratios)
    if summary is None:
        return None
    summary["significant"] = bool(summary["q3"] < 1.0 or summary["q1"] > 1.0)
    return summary


def summarize(case, case_result, strategies, seeds):
    """Return per-strategy medians, interquartile ranges and ratios to uniform."""
    runs = case_result["runs"]

    def per_seed(strategy, getter):
        by_seed = {run["seed"]: run for run in runs if run["strategy"] == strategy}
        return [getter(by_seed[seed]) if seed in by_seed else None for seed in seeds]

    def updates_to_target(run):
        return None if run["reached"] is None else run["reached"]["updates"]

    def seconds_to_target(run):
        return None if run["reached"] is None else run["reached"]["seconds"]

    def final_primary(run):
        return run["final"][case.primary]

    def variance_ratio(run):
        return run["gradient_variance"] / run["gradient_variance_uniform"]

    measures = sorted(key for key in runs[0]["final"] if key not in ("epoch", "updates", "seconds"))
    summary = {}
    for strategy in strategies:
        entry = {
            "final": {m: median_iqr(per_seed(strategy, lambda r, m=m: r["final"][m])) for m in measures},
            "updates_to_target": median_iqr(per_seed(strategy, updates_to_target)),
            "seconds_to_target": median_iqr(per_seed(strategy, seconds_to_target)),
            "reached": sum(run is not None for run in per_seed(strategy, lambda r: r["reached"])),
            "gradient_variance_ratio": median_iqr(per_seed(strategy, variance_ratio)),
            "seconds_per_step": median_iqr(per_seed(strategy, lambda r: r["seconds_per_step"])),
        }
        if strategy != "uniform" and "uniform" in strategies:
            entry["ratio_to_uniform"] = {
                "final_" + case.primary: _ratio_summary(
                    per_seed(strategy, final_primary), per_seed("uniform", final_primary)
                ),
                "updates_to_target": _ratio_summary(
                    per_seed(strategy, updates_to_target), per_seed("uniform", updates_to_target)
                ),
                "seconds_per_step": _ratio_summary(
                    per_seed(strategy, lambda r: r["seconds_per_step"]),
                    per_seed("uniform", lambda r: r["seconds_per_step"]),
                ),
            }
        summary[strategy] = entry
    return summary


def _cell(stats, digits=3):
    if stats is None:
        return "n/a"
    return f"{stats['median']:.{digits}g} [{stats['q1']:.{digits}g}, {stats['q3']:.{digits}g}]"


def _ratio_cell(stats):
    if stats is None:
        return "n/a"
    mark = "" if stats["significant"] else " (n.s.)"
    return f"{stats['median']:.2f} [{stats['q1']:.2f}, {stats['q3']:.2f}]{mark}"


def write_markdown(results, path):
    """Write the benchmark report as Markdown to ``path``."""
    meta = results["meta"]
    lines = [
        "# Benchmarks",
        "",
        "Learning speed of the sampler strategies of isgan_sk, each trained with the",
        "same networks, seeds and budget. Every figure below was measured by the",
        "command shown, on the machine described; `results.json` holds the raw runs.",
        "",
        f"- Command: `{meta['command']}`",
        f"- Date: {meta['date']}",
        f"- Machine: {meta['machine']}",
        f"- Versions: {meta['versions']}",
        f"- Seeds: {meta['seeds']}; torch threads per run: {meta['threads']}; "
        f"runs at once: {meta.get('jobs', 1)}",
        f"- Wall time of the whole run: {meta['wall_seconds'] / 60:.1f} minutes",
        "",
        "Cells show the median over seeds and, in brackets, the interquartile range.",
        "Ratios are taken per seed against `uniform` (plain GAN training); a ratio",
        "whose interquartile range contains 1 is marked (n.s.), not significant.",
        "A ratio below 1 favours the strategy for a lower-is-better measure, updates",
        "and seconds per step; above 1 favours it for a higher-is-better measure.",
        "Updates to target are compared only on seeds where both runs reached it.",
        "The gradient-variance ratio is the trace of the covariance of the",
        "discriminator's minibatch gradient under the strategy divided by that",
        "under uniform sampling, at the end of training with the networks fixed.",
        "",
    ]
    for case_name, case_result in results["cases"].items():
        if "skipped" in case_result:
            lines += [f"## {case_name}", "", f"Skipped: {case_result['skipped']}", ""]
            continue
        info = case_result["case"]
        arrow = "lower is better" if info["lower_is_better"] else "higher is better"
        floor = case_result["noise_floor"]
        lines += [
            f"## {case_name}",
            "",
            f"{info['description']}. Target: {info['primary']} "
            f"{'<=' if info['lower_is_better'] else '>='} {info['target']} ({arrow}); "
            f"{info['epochs']} epochs.",
            "",
            "Noise floor (two independent real samples of the evaluation size): "
            + ", ".join(f"{k} = {v:.4g}" for k, v in floor.items())
            + ".",
            "",
        ]
        if case_result.get("evaluator"):
            lines += [
                "The Frechet distance uses the hidden layer of a one-layer MLP "
                "classifier trained on 75% of the real images; its accuracy on the "
                f"other 25% is {case_result['evaluator']['classifier_accuracy']:.3f}.",
                "",
            ]
        lines += [
            f"| strategy | final {info['primary']} | reached | updates to target "
            "| seconds to target | grad. variance ratio | s / step | "
            f"ratio: final {info['primary']} | ratio: updates to target |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for strategy, entry in case_result["summary"].items():
            ratios = entry.get("ratio_to_uniform", {})
            lines.append(
                f"| {strategy} | {_cell(entry['final'][info['primary']])} "
                f"| {entry['reached']}/{len(meta['seeds'])} "
                f"| {_cell(entry['updates_to_target'])} | {_cell(entry['seconds_to_target'])} "
                f"| {_cell(entry['gradient_variance_ratio'])} "
                f"| {_cell(entry['seconds_per_step'])} "
                f"| {_ratio_cell(ratios.get('final_' + info['primary'])) if ratios else '1'} "
                f"| {_ratio_cell(ratios.get('updates_to_target')) if ratios else '1'} |"
            )
        other = [m for m in next(iter(case_result["summary"].values()))["final"] if m != info["primary"]]
        if other:
            lines += ["", "Other final measures:", "", "| strategy | " + " | ".join(other) + " |",
                      "|---|" + "---|" * len(other)]
            for strategy, entry in case_result["summary"].items():
                lines.append(
                    f"| {strategy} | " + " | ".join(_cell(entry["final"][m]) for m in other) + " |"
                )
        if case_result.get("plot"):
            lines += ["", f"![{case_name} learning curves]({case_result['plot']})"]
        lines.append("")

    overhead = results.get("overhead")
    if overhead:
        lines += [
            "## Overhead of the estimator",
            "",
            "`ImportanceSampledGAN(sampler=UniformSampler())` against a hand-written",
            f"PyTorch loop with the same networks, batch and {overhead['n_steps']} steps:",
            f"{overhead['estimator_seconds_per_step'] * 1e3:.2f} ms against "
            f"{overhead['loop_seconds_per_step'] * 1e3:.2f} ms per step, a ratio of "
            f"{overhead['ratio']:.2f}.",
            "",
        ]
    peers = results.get("tabular_peers")
    lines += ["## CTGAN on real tables", ""]
    if not peers:
        lines += ["Skipped: the `ctgan` package was not installed.", ""]
    else:
        lines += [
            f"Both models trained for {peers['epochs']} epochs on a standardised 70%",
            "split and were compared with the other 30%: the cross-validated",
            "accuracy of a classifier telling real from generated rows (0.5 is",
            "ideal) and the unbiased MMD^2.",
            "",
            "| data | model | C2ST accuracy | MMD^2 | fit seconds |",
            "|---|---|---|---|---|",
        ]
        keys = sorted({(r["data"], r["model"]) for r in peers["runs"]})
        for data, model in keys:
            rows = [r for r in peers["runs"] if r["data"] == data and r["model"] == model]
            lines.append(
                f"| {data} | {model} | {_cell(median_iqr([r['c2st_accuracy'] for r in rows]))} "
                f"| {_cell(median_iqr([r['mmd2'] for r in rows]))} "
                f"| {_cell(median_iqr([r['fit_seconds'] for r in rows]))} |"
            )
        lines.append("")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


def plot_curves(case, case_result, strategies, path):
    """Plot the primary measure against generator updates and seconds, median and IQR band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for strategy in strategies:
        runs = [run for run in case_result["runs"] if run["strategy"] == strategy]
        if not runs:
            continue
        values = np.array([[point[case.primary] for point in run["curve"]] for run in runs])
        updates = np.median([[point["updates"] for point in run["curve"]] for run in runs], axis=0)
        seconds = np.median([[point["seconds"] for point in run["curve"]] for run in runs], axis=0)
        q1, median, q3 = np.percentile(values, [25, 50, 75], axis=0)
        for axis, x in zip(axes, (updates, seconds)):
            (line,) = axis.plot(x, median, label=strategy)
            axis.fill_between(x, q1, q3, color=line.get_color(), alpha=0.2)
    for axis, label in zip(axes, ("generator updates", "training seconds")):
        axis.set_xlabel(label)
        axis.set_ylabel(case.primary)
        axis.axhline(case.target, color="grey", linestyle=":", linewidth=1)
        if case.lower_is_better:
            axis.set_yscale("log")
    axes[0].legend(fontsize=8)
    figure.suptitle(f"{case.name}: median and interquartile band over seeds")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
