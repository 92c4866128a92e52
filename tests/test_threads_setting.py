"""The ``threads`` setting reaches the evaluation from every entry point (``nn3 train
--threads``, ``nn3.fit``, ``nn3.train``, ``nn3.make_objective``, ``NN3Classifier(n_jobs=)``), is
checked once like every setting, is refused with the block engines, and changes no bit."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import nn3
from nn3.cli import cli
from nn3.core import network
from nn3.errors import ParameterConflictError, ParameterError
from nn3.settings import TrainingSettings
from nn3.workflow import model_selection

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def seen_threads(monkeypatch):
    """The ``threads`` each in-memory objective is made with."""
    seen = []
    real = network.memory_objective

    def spy(*args, threads=None, **kwargs):
        seen.append(threads)
        return real(*args, threads=threads, **kwargs)

    monkeypatch.setattr("nn3.workflow.training.memory_objective", spy)
    return seen


def _digits(rows=600):
    d = nn3.load_mat(DATA / "digits.mat")
    return d["X"][:rows], d["y"][:rows].ravel()


@pytest.mark.parametrize("bad", [0, 257, 1.5, "2", True])
def test_settings_refuse_bad_thread_counts_naming_threads(bad):
    with pytest.raises(ParameterError) as info:
        TrainingSettings(threads=bad)
    assert info.value.parameter == "threads"
    assert str(info.value).startswith("threads must be")


def test_threads_is_for_in_memory_training():
    assert TrainingSettings(threads=2.0).threads == 2
    with pytest.raises(ParameterConflictError, match="^threads=2 is for in-memory training"):
        TrainingSettings(engine="stream", threads=2)
    X, y = _digits(50)
    with pytest.raises(ParameterConflictError, match="^threads=2 is for the in-memory engine"):
        nn3.make_objective(X, y, 64, 25, 10, engine="stream", block_rows=10, threads=2)


def test_fit_and_train_pass_threads_and_the_bits_do_not_move(seen_threads):
    X, y = _digits()
    one = nn3.fit(X, y, maxiter=5, threads=1)
    three = nn3.fit(X, y, maxiter=5, threads=3)
    default = nn3.train(X, y, maxiter=5)
    assert seen_threads == [1, 3, None]
    assert np.array_equal(one.nn_params, three.nn_params)
    assert np.array_equal(one.nn_params, default.nn_params)


def test_make_objective_passes_threads():
    X, y = _digits(300)
    p = np.random.default_rng(0).uniform(-0.12, 0.12, 25 * 65 + 10 * 26)
    assert nn3.make_objective(X, y, 64, 25, 10, 1.0, threads=2).threads == 2
    J1, g1 = nn3.make_objective(X, y, 64, 25, 10, 1.0, threads=1)(p)
    J2, g2 = nn3.make_objective(X, y, 64, 25, 10, 1.0, threads=2)(p)
    assert J1 == J2 and np.array_equal(g1, g2)


def test_cli_threads_option(tmp_path, seen_threads):
    runner = CliRunner()
    outs = []
    for n in ("1", "2"):
        out = tmp_path / f"w{n}.mat"
        args = ["train", str(DATA / "data.mat"), "--maxiter", "5", "--quiet", "--threads", n]
        r = runner.invoke(cli, [*args, "--out", str(out)])
        assert r.exit_code == 0, r.output
        written = nn3.load_mat(out)
        assert written["threads"][0, 0] == int(n)  # recorded
        outs.append(written["nn_params"])
    assert seen_threads == [1, 2]
    assert np.array_equal(outs[0], outs[1])
    r = runner.invoke(cli, ["train", str(DATA / "data.mat"), "--threads", "0"])
    assert r.exit_code == 2
    assert "--threads must be a whole number from 1 to 256" in r.output
    r = runner.invoke(cli, ["train", str(DATA / "data.mat"), "--stream", "--threads", "2"])
    assert r.exit_code == 2 and "--threads 2 is for in-memory training" in r.output


def test_curves_train_on_one_thread_each_when_they_run_at_once(seen_threads):
    X, y = _digits(300)
    model_selection.lambda_curve(X, y, lambdas=[0.0, 1.0], holdout=0.3, maxiter=2, jobs=2)
    assert seen_threads == [1, 1]
    seen_threads.clear()
    model_selection.lambda_curve(X, y, lambdas=[0.0, 1.0], holdout=0.3, maxiter=2, jobs=1)
    assert seen_threads == [None, None]  # one after another: all the cores each
    seen_threads.clear()
    model_selection.lambda_curve(
        X, y, lambdas=[0.0, 1.0], holdout=0.3, maxiter=2, jobs=1, threads=2
    )
    assert seen_threads == [2, 2]


def test_estimator_n_jobs_is_threads(seen_threads):
    pytest.importorskip("sklearn")
    from nn3.estimator import NN3Classifier

    X, y = _digits(300)
    a = NN3Classifier(max_iter=3, n_jobs=1).fit(X, y)
    b = NN3Classifier(max_iter=3, n_jobs=2).fit(X, y)
    assert seen_threads == [1, 2]
    assert np.array_equal(a.Theta1_, b.Theta1_) and np.array_equal(a.Theta2_, b.Theta2_)
    with pytest.raises(ParameterError, match="^n_jobs must be"):
        NN3Classifier(n_jobs=0).fit(X, y)
