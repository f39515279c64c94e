import csv
import io
import json
import re

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal

from isgan_sk import ImportanceSampledGAN
from isgan_sk.__main__ import load_model, main, read_table, save_model

RUN_KEYS = {"strategy", "final_score", "fit_seconds", "epochs", "learning_curve"}


@pytest.fixture(autouse=True)
def one_torch_thread():
    # The demo and fit train small networks, which one thread runs about
    # as fast as several on a shared machine.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def table_path(tmp_path):
    """Write a CSV table of 300 rows with a constant column and return its path."""
    rng = np.random.default_rng(0)
    X = np.column_stack(
        [rng.normal(10.0, 2.0, 300), rng.exponential(1.0, 300), np.full(300, 7.5)]
    )
    path = tmp_path / "table.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["height", "wait time", "constant"])
        writer.writerows(X.tolist())
    return path


def read_csv_text(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], np.array(rows[1:], dtype=np.float64)


def check_summary(path, epochs):
    runs = json.loads(path.read_text())

    assert isinstance(runs, list)
    assert [run["strategy"] for run in runs] == ["uniform", "paired"]
    for run in runs:
        assert RUN_KEYS <= set(run)
        assert run["epochs"] == epochs
        assert run["fit_seconds"] > 0
        assert np.isfinite(run["final_score"])
        assert run["learning_curve"], "the learning curve is empty"
        assert run["learning_curve"][-1] == {"epoch": epochs, "score": run["final_score"]}
        curve_epochs = [point["epoch"] for point in run["learning_curve"]]
        assert curve_epochs == sorted(set(curve_epochs))
    return runs


def test_demo_quick_digits(tmp_path, capsys):
    out = tmp_path / "demo"

    main(["demo", "--quick", "--out", str(out), "--seed", "1"])

    runs = check_summary(out / "summary.json", epochs=12)
    for name in ["samples_uniform.png", "samples_paired.png", "learning_curves.png"]:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "final score" in printed
    assert "fit seconds" in printed
    assert str(out / "summary.json") in printed
    assert runs[0]["learning_curve"] != runs[1]["learning_curve"]


def test_demo_two_gaussians(tmp_path):
    out = tmp_path / "demo"

    main(["demo", "--quick", "--dataset", "two-gaussians", "--out", str(out)])

    check_summary(out / "summary.json", epochs=10)
    assert (out / "samples_paired.png").exists()
    assert (out / "learning_curves.png").exists()


def test_demo_csv_table(tmp_path, table_path):
    out = tmp_path / "demo"

    main(["demo", "--dataset", str(table_path), "--epochs", "2", "--out", str(out)])

    check_summary(out / "summary.json", epochs=2)
    assert (out / "samples_uniform.png").exists()


def test_demo_epochs_match_partial_fit_budget(tmp_path, table_path):
    # The demo trains with one partial_fit call per epoch. This must equal
    # fit with max_epochs, so that each strategy gets the stated budget.
    X, _ = read_table(str(table_path))
    stepwise = ImportanceSampledGAN(sampler="uniform", max_epochs=3, random_state=0)
    for _ in range(3):
        stepwise.partial_fit(X)
    at_once = ImportanceSampledGAN(sampler="uniform", max_epochs=3, random_state=0).fit(X)

    assert len(stepwise.history_) == len(at_once.history_) == 3
    assert_array_equal(stepwise.sample(20, random_state=0), at_once.sample(20, random_state=0))


def test_fit_sample_round_trip(tmp_path, table_path):
    model_path = tmp_path / "model.pt"
    out_path = tmp_path / "generated.csv"

    main(["fit", str(table_path), "--model", str(model_path), "--epochs", "3", "--seed", "0"])
    main(["sample", str(model_path), "50", "-o", str(out_path), "--seed", "4"])

    header, rows = read_csv_text(out_path.read_text())
    assert header == ["height", "wait time", "constant"]
    assert rows.shape == (50, 3)
    assert np.isfinite(rows).all()
    assert_array_equal(rows[:, 2], 7.5)

    X, _ = read_table(str(table_path))
    gan = ImportanceSampledGAN(max_epochs=3, random_state=0).fit(X)
    # The CSV stores the shortest repr that reads back as the same float,
    # so the rows match the estimator's bit for bit.
    assert_array_equal(rows, gan.sample(50, random_state=4))


def test_sample_to_stdout(tmp_path, table_path, capsys):
    model_path = tmp_path / "model.pt"
    main(["fit", str(table_path), "--model", str(model_path), "--epochs", "1"])
    capsys.readouterr()

    main(["sample", str(model_path), "5", "--seed", "0"])

    header, rows = read_csv_text(capsys.readouterr().out)
    assert header == ["height", "wait time", "constant"]
    assert rows.shape == (5, 3)


def test_model_file_loads_weights_only(tmp_path, table_path):
    model_path = tmp_path / "model.pt"
    main(["fit", str(table_path), "--model", str(model_path), "--epochs", "1"])

    model = torch.load(model_path, weights_only=True)

    assert model["metadata"]["feature_names"] == ["height", "wait time", "constant"]
    assert model["format_version"] == 1
    gan, _ = load_model(str(model_path))
    assert gan.sample(0).shape == (0, 3)


def test_model_minmax_scaler_round_trip(tmp_path, table_path):
    X, names = read_table(str(table_path))
    gan = ImportanceSampledGAN(max_epochs=1, scaler="minmax", random_state=0).fit(X)
    save_model(tmp_path / "model.pt", gan, names)

    loaded, loaded_names = load_model(str(tmp_path / "model.pt"))

    assert loaded_names == names
    assert_array_equal(loaded.sample(30, random_state=2), gan.sample(30, random_state=2))


def run_with_error(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1, f"expected one line on stderr, got {error!r}"
    assert "Traceback" not in error
    return error


def test_error_missing_csv(tmp_path, capsys):
    missing = tmp_path / "missing.csv"

    error = run_with_error(["fit", str(missing), "--model", str(tmp_path / "m.pt")], capsys)

    assert "not found" in error
    assert "missing.csv" in error


def test_error_non_numeric_cell(tmp_path, capsys):
    path = tmp_path / "text.csv"
    path.write_text("a,b\n1,2\n3,abc\n")

    error = run_with_error(["fit", str(path), "--model", str(tmp_path / "m.pt")], capsys)

    assert "invalid value 'abc' in column 'b', line 3" in error
    assert "finite number" in error


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "is empty"),
        ("a,b\n", "no data rows"),
        ("a,b\n1,2\n3\n", "line 3 .* has 1 cells but the header has 2"),
        ("a,b\n1,\n", "invalid value '' in column 'b'"),
        ("a,b\n1,nan\n", "invalid value 'nan'"),
    ],
)
def test_error_bad_table(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)

    error = run_with_error(["demo", "--dataset", str(path), "--out", str(tmp_path)], capsys)

    assert re.search(message, error), error


def test_error_negative_n(tmp_path, capsys):
    error = run_with_error(["sample", str(tmp_path / "model.pt"), "-5"], capsys)

    assert "expected a non-negative integer, got '-5'" in error


def test_error_missing_model(tmp_path, capsys):
    error = run_with_error(["sample", str(tmp_path / "model.pt"), "5"], capsys)

    assert "model file" in error
    assert "not found" in error


def test_error_foreign_model_file(tmp_path, capsys):
    path = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, path)

    error = run_with_error(["sample", str(path), "5"], capsys)

    assert "is not an isgan_sk model file" in error


def test_error_unknown_dataset(tmp_path, capsys):
    error = run_with_error(["demo", "--dataset", "iris", "--out", str(tmp_path)], capsys)

    assert "unknown data set 'iris'" in error


@pytest.mark.parametrize("command", [[], ["demo"], ["fit"], ["sample"]])
def test_help_exits_zero(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])

    assert exit_info.value.code == 0
    assert "usage: isgan-sk" in capsys.readouterr().out


def test_sample_without_seed_draws_fresh_rows(tmp_path, table_path, capsys):
    model_path = tmp_path / "model.pt"
    main(["fit", str(table_path), "--model", str(model_path), "--epochs", "1"])
    capsys.readouterr()

    main(["sample", str(model_path), "4"])
    first = read_csv_text(capsys.readouterr().out)[1]
    main(["sample", str(model_path), "4"])
    second = read_csv_text(capsys.readouterr().out)[1]

    assert first.shape == (4, 3)
    assert not np.array_equal(first[:, :2], second[:, :2])


def test_error_model_path_is_the_data(table_path, capsys):
    before = table_path.read_bytes()

    error = run_with_error(["fit", str(table_path), "--model", str(table_path)], capsys)

    assert "is the input file itself" in error
    assert table_path.read_bytes() == before


def test_error_model_folder_missing(tmp_path, table_path, capsys):
    model_path = tmp_path / "no-such-folder" / "model.pt"

    error = run_with_error(["fit", str(table_path), "--model", str(model_path)], capsys)

    assert "does not exist; create it" in error


def test_error_sample_output_is_the_model(tmp_path, table_path, capsys):
    model_path = tmp_path / "model.pt"
    main(["fit", str(table_path), "--model", str(model_path), "--epochs", "1"])
    capsys.readouterr()

    error = run_with_error(["sample", str(model_path), "3", "-o", str(model_path)], capsys)

    assert "is the input file itself" in error


@pytest.mark.parametrize("seed", ["-1", "4294967296"])
def test_error_seed_out_of_range(tmp_path, seed, capsys):
    error = run_with_error(["sample", str(tmp_path / "m.pt"), "3", "--seed", seed], capsys)

    assert "--seed" in error


def test_error_demo_out_is_a_file(tmp_path, table_path, capsys):
    error = run_with_error(["demo", "--out", str(table_path)], capsys)

    assert "is a file; give a folder" in error


def test_error_csv_not_utf8(tmp_path, capsys):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,x\n\xe9t\xe9,1\n".encode("latin-1"))

    error = run_with_error(["fit", str(path), "--model", str(tmp_path / "m.pt")], capsys)

    assert "is not UTF-8 text" in error


def test_numeric_header_warns(tmp_path, capsys):
    path = tmp_path / "no_header.csv"
    path.write_text("0.5,1.5\n2.0,3.0\n4.0,5.0\n")

    X, names = read_table(str(path))

    assert names == ["0.5", "1.5"]
    assert X.shape == (2, 2)
    assert "contains only numbers; it is read as the header" in capsys.readouterr().err
