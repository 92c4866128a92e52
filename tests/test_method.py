"""method="lbfgs" (scipy's L-BFGS-B with fmincg's interface) and precision in training."""

import threading

import numpy as np
import pytest

import nn3
from nn3.core.lbfgs import lbfgs
from nn3.errors import ParameterError


def _data(m=600, n=20, K=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(1, K + 1, m).astype(float)
    X = rng.uniform(0, 1, (m, n))
    X[np.arange(m), (y.astype(int) * 3) % n] += 1.0  # learnable
    return X, y


def test_lbfgs_reaches_fmincg_cost_in_fewer_evaluations():
    X, y = _data()
    fun = nn3.make_objective(X, y, 20, 8, 4, 1.0)
    p0 = nn3.train(X, y, hidden_layer_size=8, maxiter=1).initial_params
    ref = nn3.fmincg(fun, p0, maxiter=30)
    seen = []
    res = lbfgs(
        fun,
        p0,
        maxiter=200,
        callback=lambda intermediate_result: seen.append(
            (intermediate_result.fun, intermediate_result.nfev)
        ),
    )
    assert [f for f, _ in seen] == list(res.fun_history)
    reached = [nfev for f, nfev in seen if f <= ref.fun]
    assert reached and reached[0] < ref.nfev
    assert res.method == "lbfgs" and res.x.shape == p0.shape and res.jac.shape == p0.shape


def test_lbfgs_statuses_like_fmincg():
    X, y = _data(200, 5, 3)
    fun = nn3.make_objective(X, y, 5, 4, 3, 1.0)
    p0 = np.full(4 * 6 + 3 * 5, 0.1)
    assert lbfgs(fun, p0, maxiter=3).status == 1
    by_evals = lbfgs(fun, p0, maxiter=-7)
    assert by_evals.status == 2 and by_evals.nfev == 7
    nan_after = {"n": 0}

    def goes_nan(x):
        nan_after["n"] += 1
        f, g = fun(x)
        return (np.nan, g) if nan_after["n"] > 4 else (f, g)

    res = lbfgs(goes_nan, p0, maxiter=50)
    assert res.status == 3 and np.isfinite(res.fun)
    res = lbfgs(lambda x: (float(x @ x), 2 * x), np.ones(3), maxiter=50)
    assert res.status == 0 and res.message == "Converged (L-BFGS-B's tolerances)."
    res = lbfgs(lambda x: (float(x.sum()), -np.ones(3)), np.ones(3), maxiter=50)  # wrong slope
    assert res.status == 0 and res.success and res.fun == 3.0  # no decrease found along it
    assert res.message.startswith("Line search failed: no further decrease found (L-BFGS-B: ")


@pytest.mark.parametrize("method", ["fmincg", "lbfgs"])
def test_train_records_method_precision_and_keeps_best_weights_when_interrupted(method):
    X, y = _data()
    stop = threading.Event()
    costs = []

    def cb(intermediate_result):
        costs.append(intermediate_result.fun)
        if len(costs) == 4:
            stop.set()

    r = nn3.train(
        X, y, hidden_layer_size=8, maxiter=50, callback=cb, stop_event=stop, method=method
    )
    assert r.interrupted and r.settings["method"] == method
    assert r.settings["precision"] == "double"
    fun = nn3.make_objective(X, y, 20, 8, 4, 1.0)
    J = fun(r.nn_params)[0]
    assert J == r.optimize_result.fun <= min(costs)


def test_fit_saves_method_and_precision(tmp_path):
    X, y = _data()
    r = nn3.fit(X, y, hidden_layer_size=8, maxiter=5, method="lbfgs", precision="single")
    v = r.to_variables()
    assert v["method"] == "lbfgs" and v["precision"] == "single"
    with pytest.raises(ParameterError, match="method must be one of 'fmincg', 'lbfgs'"):
        nn3.fit(X, y, hidden_layer_size=8, maxiter=5, method="bfgs")
    with pytest.raises(ParameterError, match="precision"):
        nn3.train(X, y, hidden_layer_size=8, maxiter=5, precision="float16")


def test_cli_method_and_precision_are_saved(tmp_path):
    from click.testing import CliRunner
    from scipy.io import loadmat, savemat

    from nn3.cli import cli

    X, y = _data()
    savemat(tmp_path / "d.mat", {"X": X, "y": y.reshape(-1, 1)})
    out = tmp_path / "w.mat"
    result = CliRunner().invoke(
        cli,
        ["train", str(tmp_path / "d.mat"), "--hidden", "8", "--maxiter", "5", "--method",
         "lbfgs", "--precision", "single", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Iteration     5 | Cost:" in result.output
    v = loadmat(out)
    assert str(v["method"][0]) == "lbfgs" and str(v["precision"][0]) == "single"


def test_fmincg_training_does_not_import_scipy_optimize():
    # scipy.optimize's import (0.3-0.4 s) was the first fmincg run's one-off penalty.
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, nn3\n"
        "X = np.random.default_rng(0).random((50, 4)); y = np.arange(50) % 3 + 1.0\n"
        "r = nn3.train(X, y, hidden_layer_size=3, maxiter=3)\n"
        "assert r.optimize_result.nit == 3, r.optimize_result\n"
        "print('scipy.optimize' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
