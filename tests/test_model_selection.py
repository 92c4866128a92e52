"""Choosing lambda on a validation set and the learning curve (ex5), from Python and from the
command line: the tables against trainings done one by one, the chosen network as ``nn3 train``
trains it, the same bits serially, on threads and on Dask workers, the folds, the bad lists, the
pictures, a stop."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import nn3
from nn3.cli import cli
from nn3.workflow.model_selection import ERROR_COLUMNS
from nn3.workflow.parallel import one_blas_thread

DATA = Path(__file__).resolve().parent.parent / "data"
DIGITS = DATA / "digits.mat"
DISC = DATA / "data.mat"
X, Y = nn3.load_mat(DIGITS)["X"], nn3.load_mat(DIGITS)["y"].ravel()
MAXITER = 8  # a few line searches: the tables below need distinct networks, not good ones


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def expected_row(Xtr, ytr, Xval, yval, lambda_, **settings):
    """A row of the table from a training done alone (one BLAS thread, as the curves run)."""
    with one_blas_thread():
        r = nn3.fit(Xtr, ytr, lambda_=lambda_, maxiter=MAXITER, num_labels=10, **settings)
    return r, [
        nn3.cost_function(Xtr, ytr, r.Theta1, r.Theta2, 0.0),
        nn3.accuracy(nn3.predict(r.Theta1, r.Theta2, Xtr), ytr),
        nn3.cost_function(Xval, yval, r.Theta1, r.Theta2, 0.0),
        nn3.accuracy(nn3.predict(r.Theta1, r.Theta2, Xval), yval),
    ]


# --- the folds ---------------------------------------------------------------------------------


def test_kfold_split_is_stratified_reproducible_and_matlabs_order():
    y = np.array([2, 1, 2, 2, 1, 3, 2, 1, 2, 3, 1, 2])
    folds = nn3.kfold_split(y, 3, seed=4)
    val = [v for _, v in folds]
    assert sorted(np.concatenate(val).tolist()) == list(range(12))
    for train, v in folds:
        assert np.array_equal(np.sort(np.concatenate([train, v])), np.arange(12))
        assert np.all(np.diff(v) > 0)
    assert sorted(len(v) for v in val) == [4, 4, 4]
    # by hand: each label's rows in MATLAB's [~, order] = sort(rand(n, 1)) order from one
    # rng(4) stream, dealt to folds 0, 1, 2, 0, ... going on across the labels (1, 2, 3)
    rng = np.random.RandomState(4)
    fold_of, start = {}, 0
    for label in (1, 2, 3):
        rows = np.flatnonzero(y == label)
        order = np.argsort(rng.random_sample(rows.size), kind="stable")
        for j, row in enumerate(rows[order]):
            fold_of[int(row)] = (start + j) % 3
        start = (start + rows.size) % 3
    assert [sorted(r for r, f in fold_of.items() if f == k) for k in range(3)] == [
        v.tolist() for v in val
    ]
    again = nn3.kfold_split(y, 3, 4)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again, strict=True))


def test_kfold_split_refuses_more_folds_than_examples():
    with pytest.raises(nn3.ParameterError, match="cv 5 folds need at least 5 examples"):
        nn3.kfold_split([1, 2, 1, 2], 5)
    with pytest.raises(nn3.ParameterError, match="cv must be at least 2"):
        nn3.kfold_split([1, 2, 1, 2], 1)


# --- the lambda curve ----------------------------------------------------------------------------


def test_the_table_is_of_trainings_done_one_by_one_from_the_same_start():
    lambdas = [0, 0.3, 3]
    curve = nn3.lambda_curve(DIGITS, lambdas=lambdas, holdout=0.25, maxiter=MAXITER, seed=3)
    train_idx, test_idx = nn3.holdout_split(Y, 0.25, seed=3)
    assert curve.columns == ("lambda", *ERROR_COLUMNS) and curve.table.shape == (3, 5)
    for row, lam, [evaluation] in zip(curve.table, lambdas, curve.evaluations, strict=True):
        alone, errors = expected_row(X[train_idx], Y[train_idx], X[test_idx], Y[test_idx], lam,
                                     seed=3)  # fmt: skip
        assert row[0] == lam and row[1:].tolist() == errors
        assert evaluation.result.Theta1.tobytes() == alone.Theta1.tobytes()
        # the same starting weights: rng(3)'s randInitializeWeights, whatever the lambda
        np.testing.assert_array_equal(evaluation.result.initial_params, alone.initial_params)
    assert curve.best_lambda == lambdas[int(np.argmin(curve.table[:, 3]))]
    assert curve.validation == {"holdout": 0.25} and not curve.interrupted


#: Settings whose products BLAS computes on two threads when it may (a network smaller than
#: ex4's may stay on one thread whatever the limit, and then shows nothing).
BLAS_SIZED = dict(maxiter=15, hidden_layer_size=25)


def test_serial_threads_and_dask_give_the_same_bits():
    kwargs = dict(lambdas=[0, 0.01, 1, 10], holdout=0.2, **BLAS_SIZED)
    serial = nn3.lambda_curve(DIGITS, jobs=1, **kwargs)
    threads = nn3.lambda_curve(DIGITS, jobs=3, **kwargs)
    pytest.importorskip("distributed")
    dask = nn3.lambda_curve(DIGITS, client="local:2", **kwargs)
    for other in (threads, dask):
        assert other.table.tobytes() == serial.table.tobytes()
        for [a], [b] in zip(serial.evaluations, other.evaluations, strict=True):
            assert a.result.Theta1.tobytes() == b.result.Theta1.tobytes()
            assert a.result.Theta2.tobytes() == b.result.Theta2.tobytes()


def test_dask_workers_in_this_process_keep_one_blas_thread_between_them():
    distributed = pytest.importorskip("distributed")
    kwargs = dict(lambdas=[0, 0.1, 1, 3, 10, 30], cv=2, **BLAS_SIZED)
    serial = nn3.lambda_curve(DIGITS, jobs=1, **kwargs)
    with distributed.Client(
        processes=False, n_workers=3, threads_per_worker=1, dashboard_address=None
    ) as client:
        dask = nn3.lambda_curve(DIGITS, client=client, **kwargs)
    assert dask.table.tobytes() == serial.table.tobytes()


def test_cross_validation_averages_the_folds_with_their_own_scaling():
    curve = nn3.lambda_curve(DIGITS, lambdas=[0.1, 10], cv=3, maxiter=MAXITER, normalize=True)
    folds = nn3.kfold_split(Y, 3, seed=0)
    for row, lam in zip(curve.table, [0.1, 10], strict=True):
        per_fold = []
        for train, val in folds:
            Xtr, mu, sigma = nn3.feature_normalize(X[train])  # the fold's own featureNormalize
            Xval = (X[val] - mu) / sigma
            per_fold.append(expected_row(Xtr, Y[train], Xval, Y[val], lam)[1])
        np.testing.assert_array_equal(row[1:], np.mean(per_fold, axis=0))
    assert curve.validation == {"cv": 3} and len(curve.evaluations[0]) == 3


def test_the_chosen_network_is_trained_as_nn3_fit_trains_it():
    curve = nn3.lambda_curve(DISC, lambdas=[0, 1], holdout=0.2, maxiter=20, hidden_layer_size=4)
    chosen = curve.fit()
    alone = nn3.fit(DISC, lambda_=curve.best_lambda, holdout=0.2, maxiter=20, hidden_layer_size=4)
    assert chosen.Theta1.tobytes() == alone.Theta1.tobytes()
    assert chosen.test_accuracy == alone.test_accuracy
    variables = chosen.to_variables()
    assert variables["lambda"] == curve.best_lambda
    np.testing.assert_array_equal(variables["lambda_curve"], curve.table)
    assert list(variables["lambda_curve_columns"][0]) == ["lambda", *ERROR_COLUMNS]
    cv_curve = nn3.lambda_curve(DISC, lambdas=[0, 1], cv=2, maxiter=20, hidden_layer_size=4)
    on_all = nn3.fit(DISC, lambda_=cv_curve.best_lambda, maxiter=20, hidden_layer_size=4)
    assert cv_curve.fit().Theta2.tobytes() == on_all.Theta2.tobytes()


def test_a_tie_goes_to_the_first_listed():
    curve = nn3.lambda_curve(DISC, lambdas=[1, 0.5, 2], holdout=0.2, maxiter=5)
    curve.evaluations[2][0].val_cost = curve.evaluations[0][0].val_cost = -1.0
    assert curve.best_index == 0 and curve.best_lambda == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lambdas=[]), "lambdas must list at least one value, got none"),
        (dict(lambdas=[0, -1]), "lambdas must be a non-negative number, got -1"),
        (dict(lambdas=[0, float("nan")]), "lambdas must be a non-negative number, got nan"),
        (dict(lambdas=[0, "x"]), "lambdas must be a real number, got 'x'"),
        (dict(lambdas=[0.1, 1, 0.1]), "lambdas must list each value once, got 0.1 twice"),
        (dict(lambdas=0.1), "lambdas must be a list of numbers, got 0.1"),
        (dict(lambdas=[0, 1], holdout=None), "choosing among lambdas needs a validation set"),
        (dict(lambdas=[0, 1], cv=3), "cv and holdout are two ways to validate"),
        (dict(lambdas=[0, 1], jobs=0), "jobs must be at least 1, got 0"),
    ],
)
def test_bad_lists_and_settings_name_the_parameter(kwargs, message):
    kwargs = {"holdout": 0.2, **kwargs}
    with pytest.raises(nn3.ParameterError) as info:
        nn3.lambda_curve(DISC, maxiter=1, **kwargs)
    assert message in str(info.value)


def test_a_stop_leaves_the_table_incomplete_and_marked():
    import threading

    stop = threading.Event()
    stop.set()
    curve = nn3.lambda_curve(DISC, lambdas=[0, 1], holdout=0.2, stop_event=stop, jobs=1)
    assert curve.interrupted and curve.evaluations == [[None], [None]]
    assert np.isnan(curve.table[:, 1:]).all()
    with pytest.raises(nn3.TrainingError, match="no lambda could be chosen"):
        curve.best_lambda  # noqa: B018

    seen = []
    stop = threading.Event()

    def progress(done, total, task):  # after the first evaluation: stop the rest
        seen.append((done, total, task.lambda_))
        stop.set()

    curve = nn3.lambda_curve(DISC, lambdas=[0, 1, 2], holdout=0.2, stop_event=stop, jobs=1,
                             progress=progress)  # fmt: skip
    assert seen == [(1, 3, 0.0)] and curve.interrupted
    assert curve.evaluations[0][0] is not None and curve.evaluations[1:] == [[None], [None]]


# --- the learning curve ---------------------------------------------------------------------------


def test_the_learning_curve_trains_on_the_first_i_in_matlabs_random_order():
    curve = nn3.learning_curve(DIGITS, sizes=[30, 300], maxiter=MAXITER, lambda_=0.5)
    train_idx, test_idx = nn3.holdout_split(Y, 0.2, seed=0)
    order = nn3.MatlabRNG(0).randperm(train_idx.size) - 1  # rng(0); randperm(m_train)
    np.testing.assert_array_equal(curve.train_idx, train_idx[order])
    for row, i in zip(curve.table, [30, 300], strict=True):
        rows = train_idx[order[:i]]
        _, errors = expected_row(X[rows], Y[rows], X[test_idx], Y[test_idx], 0.5)
        assert row[0] == i and row[1:].tolist() == errors
    in_order = nn3.learning_curve(DIGITS, sizes=[30], maxiter=MAXITER, shuffle=False, lambda_=0.5)
    rows = train_idx[:30]
    assert in_order.table[0, 1:].tolist() == expected_row(
        X[rows], Y[rows], X[test_idx], Y[test_idx], 0.5)[1]  # fmt: skip


def test_learning_curve_default_sizes():
    small = nn3.learning_curve(X[:30], Y[:30], maxiter=2, holdout=0.4, hidden_layer_size=3)
    assert small.values == tuple(range(1, 21))  # 3 of each digit, 1 held out: 20 to train on
    large = nn3.learning_curve(DISC, maxiter=2, hidden_layer_size=3)
    assert large.values == (32, 64, 96, 128, 160, 192, 224, 256, 288, 320)
    with pytest.raises(nn3.ParameterError, match="sizes 321: the training part has 320"):
        nn3.learning_curve(DISC, sizes=[10, 321], maxiter=2)
    with pytest.raises(nn3.ParameterError, match="sizes must be a whole number, got 2.5"):
        nn3.learning_curve(DISC, sizes=[2.5], maxiter=2)


# --- the command line -----------------------------------------------------------------------------


def test_nn3_train_with_a_lambda_list_writes_nn3_trains_file_and_the_table(tmp_path):
    out, alone, picture = tmp_path / "w.mat", tmp_path / "alone.mat", tmp_path / "curve.png"
    r = run("train", DIGITS, "--lambda", "0,0.01,0.1,1,3,10", "--holdout", 0.2, "--maxiter",
            MAXITER, "--out", out, "--plot", picture)  # fmt: skip
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("Choosing lambda among 6 values: 1438 training examples, ")
    assert lines[1].split() == ["lambda", "train", "cost", "train", "acc", "val", "cost", "val",
                                "acc"]  # fmt: skip
    curve = nn3.lambda_curve(DIGITS, lambdas=[0, 0.01, 0.1, 1, 3, 10], holdout=0.2,
                             maxiter=MAXITER)  # fmt: skip
    assert lines[2:8] == curve.format().splitlines()[1:]
    best = curve.best_lambda
    assert f"Chosen lambda: {best:g} (the lowest validation cost, " in r.output
    w = nn3.load_mat(out)
    np.testing.assert_array_equal(w["lambda_curve"], curve.table)
    assert w["lambda_curve_holdout"][0, 0] == 0.2 and w["lambda"][0, 0] == best
    r = run("train", DIGITS, "--lambda", best, "--holdout", 0.2, "--maxiter", MAXITER, "--out",
            alone, "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    a = nn3.load_mat(alone)
    assert set(w) - set(a) == {"lambda_curve", "lambda_curve_columns", "lambda_curve_holdout"}
    for name in a:  # the rest is the file nn3 train --lambda BEST writes, bit for bit
        assert np.asarray(w[name]).tobytes() == np.asarray(a[name]).tobytes(), name
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_single_lambda_trains_as_before_and_cv_chooses_on_folds(tmp_path):
    r = run("train", DISC, "--lambda", 0.5, "--maxiter", 5, "-q", "--out", tmp_path / "one.mat")
    assert r.exit_code == 0 and "Choosing" not in r.output
    assert "lambda_curve" not in nn3.load_mat(tmp_path / "one.mat")
    r = run("train", DISC, "--lambda", "0,1", "--cv", 2, "--maxiter", 5, "-q", "--jobs", 1,
            "--out", tmp_path / "cv.mat")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "2-fold cross-validation" in r.output and "one at a time" in r.output
    assert "on all the data" in r.output
    w = nn3.load_mat(tmp_path / "cv.mat")
    assert w["lambda_curve_cv"][0, 0] == 2 and "holdout" not in w


@pytest.mark.parametrize(
    "value, says",
    [
        ("0,-1", "--lambda must be a non-negative number, got -1"),
        ("0,nan", "--lambda must be a non-negative number, got nan"),
        ("0,abc", "Invalid value for '--lambda': 'abc' in '0,abc' is not a number"),
        ("0,,1", "Invalid value for '--lambda': '0,,1' has an empty item"),
        ("1,", "Invalid value for '--lambda': '1,' has an empty item"),
        ("0.1,1,0.1", "--lambda must list each value once, got 0.1 twice"),
    ],
)
def test_a_bad_list_is_one_line_naming_the_option(value, says, tmp_path):
    r = run("train", DISC, "--lambda", value, "--holdout", 0.2, "--out", tmp_path / "w.mat")
    assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
    assert r.output.startswith("nn3: error: ") and says in r.output
    assert not (tmp_path / "w.mat").exists()


@pytest.mark.parametrize(
    "args, says",
    [
        (["--lambda", "0,1"], "choosing among --lambda needs a validation set: give --holdout"),
        (["--lambda", "0,1", "--cv", 2, "--holdout", 0.2], "--cv and --holdout are two ways"),
        (["--lambda", "0,1", "--cv", 1], "--cv must be at least 2 (folds), got 1"),
        (["--jobs", 2], "--jobs runs the evaluations of a --lambda list (or --cv) at once"),
        (["--lambda", "0,1", "--holdout", 0.2, "--stream"], "cannot be combined with --stream"),
    ],
)
def test_curve_options_that_cannot_go_together(args, says, tmp_path):
    r = run("train", DISC, *args, "--out", tmp_path / "w.mat")
    assert r.exit_code == 2 and r.output.count("\n") == 1 and says in r.output, r.output


def test_nn3_learning_curve_prints_saves_and_draws(tmp_path):
    out, picture = tmp_path / "lc.mat", tmp_path / "lc.svg"
    r = run("learning-curve", DISC, "--sizes", "20,100,320", "--maxiter", 10, "--hidden", 4,
            "--lambda", 0, "--out", out, "--plot", picture)  # fmt: skip
    assert r.exit_code == 0, r.output
    curve = nn3.learning_curve(DISC, sizes=[20, 100, 320], maxiter=10, hidden_layer_size=4,
                               lambda_=0)  # fmt: skip
    lines = r.output.splitlines()
    assert lines[0].startswith("Learning curve: lambda 0, up to 320 training examples taken in ")
    assert lines[1:5] == curve.format().splitlines()
    w = nn3.load_mat(out)
    np.testing.assert_array_equal(w["learning_curve"], curve.table)
    np.testing.assert_array_equal(w["train_idx"].ravel(), curve.train_idx + 1)
    assert w["lambda"][0, 0] == 0 and w["hidden_layer_size"][0, 0] == 4
    assert b"<svg" in picture.read_bytes()[:500]
    r = run("learning-curve", DISC, "--lambda", "0,1")
    assert r.exit_code == 2 and "trains with one --lambda" in r.output
    r = run("learning-curve", DISC, "--sizes", "0,5")
    assert r.exit_code == 2 and "--sizes must be at least 1, got 0" in r.output


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_ctrl_c_during_the_curve_saves_nothing(tmp_path):
    out = tmp_path / "w.mat"
    command = [sys.executable, "-m", "nn3", "train", str(DIGITS), "--lambda", "0,1,10",
               "--holdout", "0.2", "--maxiter", "100000", "--jobs", "1",
               "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().startswith("Choosing lambda among 3 values")
    time.sleep(0.5)  # training the first value
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted during the lambda curve after 0 of 3 trainings; nothing saved" in stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_progress_of_the_evaluations_on_a_terminal(monkeypatch, capsys):
    from nn3.cli.curves import CurveProgress

    clock = iter([100.0, 103.0, 106.0, 0.0])
    monkeypatch.setattr("nn3.cli.curves.time.monotonic", lambda: next(clock))
    progress = CurveProgress(quiet=False)
    progress.tty = True
    progress(object())  # an iteration of an evaluation: not shown
    progress.evaluated(1, 4, None)  # 3 s for 1 of 4
    progress.evaluated(4, 4, None)
    progress.close()
    out = capsys.readouterr().out
    assert out == "\rEvaluated 1/4 |    3.0 s | ETA 9 s\rEvaluated 4/4 |    6.0 s\n"
    progress = CurveProgress(quiet=False)
    progress.tty = False  # a file or a pipe: the table says it all
    progress.evaluated(1, 4, None)
    progress.close()
    assert capsys.readouterr().out == ""


def test_nn3_train_runs_the_curve_on_dask_workers_with_the_same_table(tmp_path):
    pytest.importorskip("distributed")
    tables = []
    for how in (["--jobs", 1], ["--dask", "local:2"]):
        out = tmp_path / f"{how[0][2:]}.mat"
        r = run("train", DIGITS, "--lambda", "0,0.1,3", "--holdout", 0.2, "-q", "--out", out, *how)
        assert r.exit_code == 0, r.output
        tables.append(nn3.load_mat(out)["lambda_curve"])
    assert "on the Dask workers of local:2" in r.output
    assert tables[0].tobytes() == tables[1].tobytes()


def test_evaluations_at_once_are_bounded_by_cores_tasks_and_memory(monkeypatch):
    from nn3.engines import labels
    from nn3.workflow import parallel

    monkeypatch.setattr(parallel, "available_cores", lambda: 8)
    monkeypatch.setattr(labels, "available_memory", lambda: 10_000)
    assert parallel.default_jobs(20) == 8 and parallel.default_jobs(3) == 3
    assert parallel.default_jobs(20, task_bytes=1_000) == 5  # half of 10 000 bytes
    assert parallel.default_jobs(20, task_bytes=50_000) == 1  # at least one
