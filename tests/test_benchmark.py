"""The learning-speed benchmark writes well-formed results on a tiny case."""

import dataclasses
import json

import pytest

from isgan_sk import _benchmark
from isgan_sk.__main__ import main
from isgan_sk._benchmark import CASES


@pytest.fixture
def tiny_case(monkeypatch):
    """The 1-D Gaussian case cut to two epochs of small networks."""
    case = dataclasses.replace(
        CASES["gaussian"],
        quick_epochs=2,
        quick_eval_every=1,
        estimator_params={
            "generator__hidden_units": (16,),
            "discriminator__hidden_units": (16,),
            "batch_size": 256,
        },
    )
    monkeypatch.setitem(_benchmark.CASES, "gaussian", case)
    return case


def test_benchmark_quick_writes_results(tmp_path, tiny_case):
    results_path = tmp_path / "results.json"
    docs = tmp_path / "docs"

    main(
        [
            "benchmark",
            "--quick",
            "--seeds",
            "1",
            "--cases",
            "gaussian",
            "--strategies",
            "paired-optimal",
            "--no-peers",
            "--results",
            str(results_path),
            "--docs",
            str(docs),
        ]
    )

    results = json.loads(results_path.read_text())
    assert results["meta"]["seeds"] == [0]
    case = results["cases"]["gaussian"]
    assert [run["strategy"] for run in case["runs"]] == ["uniform", "paired-optimal"]
    for run in case["runs"]:
        assert [point["epoch"] for point in run["curve"]] == [1, 2]
        assert run["final"]["w1"] > 0
        assert run["gradient_variance"] > 0
        assert run["seconds_per_step"] > 0
        assert run["curve"][-1]["updates"] == run["final"]["updates"]
    assert case["noise_floor"]["w1"] > 0
    ratio = case["summary"]["paired-optimal"]["ratio_to_uniform"]["final_w1"]
    assert ratio["median"] > 0
    assert "significant" in ratio
    report = (docs / "benchmarks.md").read_text()
    assert "## gaussian" in report
    assert "paired-optimal" in report
    assert (docs / "benchmarks" / "gaussian.png").stat().st_size > 0


def test_benchmark_unknown_case_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["benchmark", "--cases", "moons"])

    assert exit_info.value.code == 2
    assert "unknown cases ['moons']" in capsys.readouterr().err
