import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from click.testing import CliRunner

import nn3
from nn3.cli import cli

DATA = Path(__file__).resolve().parent.parent / "data"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_version_and_help():
    r = run("--version")
    assert r.exit_code == 0 and r.output.strip() == f"nn3 {nn3.__version__}"
    r = run("train", "--help")
    assert r.exit_code == 0
    for option in ("--hidden", "--lambda", "--maxiter", "--seed", "--init", "--out", "--x-var"):
        assert option in r.output


def test_train_digits_defaults_end_to_end(tmp_path):
    out = tmp_path / "w.mat"
    r = run("train", DATA / "digits.mat", "--out", out)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    # CliRunner is not a terminal: one progress line per fmincg iteration.
    assert sum(line.startswith("Iteration ") for line in lines) == 50
    acc = float(lines[-2].removeprefix("Training Set Accuracy: ").removesuffix("%"))
    assert acc >= 97.0
    w = scipy.io.loadmat(out)
    assert w["Theta1"].shape == (25, 65) and w["Theta2"].shape == (10, 26)
    assert w["nn_params"].shape == (25 * 65 + 10 * 26, 1)
    assert w["cost"].shape == (50, 1)
    assert np.all(np.diff(w["cost"].ravel()) <= 0)  # fmincg only accepts decreases
    np.testing.assert_array_equal(
        w["nn_params"].ravel(), np.concatenate([w["Theta1"].ravel("F"), w["Theta2"].ravel("F")])
    )
    assert w["lambda"][0, 0] == 1.0 and w["hidden_layer_size"][0, 0] == 25
    assert w["iterations"][0, 0] == 50 and not w["interrupted"][0, 0]
    # The initial weights are MATLAB's rng(0); randInitializeWeights(64, 25); (25, 10).
    rng = nn3.MatlabRNG(0)
    t1 = rng.rand(25, 65) * 0.24 - 0.12
    t2 = rng.rand(10, 26) * 0.24 - 0.12
    np.testing.assert_array_equal(w["initial_params"].ravel(), nn3.unroll(t1, t2))
    # Predicting with the saved weights gives the same accuracy.
    r = run("predict", out, DATA / "digits.mat")
    assert r.exit_code == 0 and f"Accuracy: {acc:.2f}%" in r.output


def test_document_example_2_4_1_and_single_sample(tmp_path):
    out = tmp_path / "doc.mat"
    r = run(
        "train",
        DATA / "data.mat",
        "--hidden",
        4,
        "--lambda",
        0,
        "--maxiter",
        300,
        "--out",
        out,
        "--quiet",
    )
    assert r.exit_code == 0, r.output
    assert not any(line.startswith("Iteration") for line in r.output.splitlines())
    w = scipy.io.loadmat(out)
    assert w["Theta1"].shape == (4, 3) and w["Theta2"].shape == (1, 5)
    r = run("predict", out, "--x", "1.5,2.0")
    assert r.exit_code == 0
    assert "Prediction: 1" in r.output  # x_new lies inside the class-1 disc (data/README.md)
    pred_out = tmp_path / "p.mat"
    r = run("predict", out, DATA / "data.mat", "--out", pred_out)
    assert r.exit_code == 0
    p = scipy.io.loadmat(pred_out)["p"]
    assert p.shape == (400, 1) and set(np.unique(p)) <= {0.0, 1.0}


def test_init_from_file_reproduces_same_run(tmp_path):
    first = tmp_path / "a.mat"
    assert (
        run(
            "train", DATA / "data.mat", "--hidden", 3, "--maxiter", 5, "--out", first, "-q"
        ).exit_code
        == 0
    )
    init = tmp_path / "init.mat"
    a = scipy.io.loadmat(first)
    T1, T2 = nn3.roll(a["initial_params"], 2, 3, 1)
    scipy.io.savemat(init, {"Theta1": T1, "Theta2": T2})
    second = tmp_path / "b.mat"
    r = run("train", DATA / "data.mat", "--init", init, "--maxiter", 5, "--out", second, "-q")
    assert r.exit_code == 0, r.output
    b = scipy.io.loadmat(second)
    np.testing.assert_array_equal(a["nn_params"], b["nn_params"])
    r = run("train", DATA / "data.mat", "--init", init, "--hidden", 7, "--out", second)
    assert r.exit_code == 2 and "--hidden is 7" in r.output


@pytest.mark.parametrize(
    "args, needle",
    [
        (["train", "no/such/file.mat"], "no/such/file.mat: no such file"),
        (["train", "{data}", "--hidden", "0"], "--hidden must be at least 1"),
        (["train", "{data}", "--lambda", "-1"], "--lambda must be a non-negative"),
        (["train", "{data}", "--x-var", "Z"], "no variable 'Z'"),
        (["train", "{data}", "--out", "no/such/dir/w.mat"], "does not exist"),
        (["predict", "{data}", "--x", "1,2"], "no weights found"),
    ],
)
def test_bad_input_one_line_exit_2(args, needle):
    args = [a.format(data=DATA / "data.mat") for a in args]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2
    assert needle in r.output
    assert "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_python_dash_m_and_no_traceback_in_a_real_process(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "nn3", "train", str(tmp_path / "missing.mat")],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2
    assert r.stderr.strip() == f"nn3: error: {tmp_path / 'missing.mat'}: no such file"
    assert r.stdout == ""
    r = subprocess.run(
        [sys.executable, "-m", "nn3", "--debug", "train", str(tmp_path / "missing.mat")],
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_train_refuses_to_save_a_nan_result(tmp_path, monkeypatch):
    """A cost that becomes NaN: one line, exit status 3, --out untouched."""
    from nn3.workflow import training

    real = training.memory_objective

    def nan_after_three(*args, **kwargs):
        objective = real(*args, **kwargs)
        calls = []

        def fun(p):
            calls.append(1)
            J, grad = objective(p)
            return (float("nan") if len(calls) > 3 else J), grad

        return fun

    monkeypatch.setattr(training, "memory_objective", nan_after_three)
    out = tmp_path / "w.mat"
    nn3.save_mat(out, {"previous": 1.0})
    before = out.read_bytes()
    r = CliRunner().invoke(
        cli, ["train", str(DATA / "data.mat"), "--hidden", "4", "--out", str(out), "-q"]
    )
    assert r.exit_code == 3, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nn3: error: ")
    assert "became NaN at evaluation 4" in lines[0] and "nothing saved" in lines[0]
    assert out.read_bytes() == before
    assert "Traceback" not in r.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["check-grad", "--hidden", "0"], "--hidden must be at least 1, got 0"),
        (["check-grad", "--examples", "0"], "--examples must be at least 1, got 0"),
        (["train", "{data}", "--maxiter", "0"], "--maxiter must be non-zero"),
        (["train", "{data}", "--holdout", "1.5"], "--holdout must be a fraction between 0 and 1"),
    ],
)
def test_parameter_errors_name_the_option(args, message):
    args = [a.format(data=DATA / "data.mat") for a in args]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2
    assert len(r.output.strip().splitlines()) == 1
    assert r.output.startswith(f"nn3: error: {message}")
