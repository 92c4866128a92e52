"""nn3.fmincg against the genuine fmincg.m (numbers in tests/fixtures, see their provenance)."""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import OptimizeWarning, minimize

import nn3
from nn3.core.optimize import ddot
from nn3.datasets import synthetic_ex4

FIXTURES = Path(__file__).parent / "fixtures"
GENUINE = json.loads((FIXTURES / "genuine_fmincg.json").read_text())


def rosen(x):
    f = 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
    g = np.array([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)])
    return f, g


def test_rosenbrock_bit_for_bit():
    ref = GENUINE["rosenbrock2_maxiter100"]
    res = nn3.fmincg(rosen, np.array(ref["x0"]).reshape(-1, 1), maxiter=100)
    assert np.array_equal(res.x, np.array(ref["x"]))
    assert np.array_equal(res.fun_history, np.array(ref["fX"]))
    assert res.nit == ref["i"]
    assert res.success and res.status == 0  # stopped by two failed line searches at the minimum


def test_rosenbrock_through_scipy_minimize():
    ref = GENUINE["rosenbrock2_maxiter100"]
    res = minimize(rosen, ref["x0"], jac=True, method=nn3.fmincg, options={"maxiter": 100})
    assert np.array_equal(res.x, np.array(ref["x"]))
    assert np.array_equal(res.fun_history, np.array(ref["fX"]))
    assert res.nit == ref["i"]


def test_ddot_accumulates_in_index_order():
    a = np.array([1.0, 1e100, 1.0, -1e100])
    b = np.ones(4)
    # ((1 + 1e100) + 1) - 1e100 == 0 in index order; a pairwise sum would give 2.
    assert ddot(a, b) == 0.0
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(1001), rng.standard_normal(1001)
    acc = 0.0
    for xi, yi in zip(x.tolist(), y.tolist(), strict=True):
        acc = acc + xi * yi
    assert ddot(x, y) == acc


@pytest.fixture(scope="module")
def nn_problem():
    X, y = synthetic_ex4()
    Theta1 = 0.12 * np.sin(np.arange(1, 25 * 401 + 1)).reshape((25, 401), order="F")
    Theta2 = 0.12 * np.sin(np.arange(1, 10 * 26 + 1)).reshape((10, 26), order="F")
    fun = nn3.make_objective(X, y, 400, 25, 10, 1.0)
    return X, y, fun, nn3.unroll(Theta1, Theta2)


@pytest.mark.parametrize("maxiter, rtol", [(5, 1e-12), (50, 1e-5)])
def test_nn_reference_trajectory(nn_problem, maxiter, rtol):
    """Matrix products go through BLAS dgemm, whose summation order differs between libraries:
    the cost history agrees to ~3e-14 relative after 5 iterations and ~6e-7 after 50."""
    X, y, fun, p0 = nn_problem
    ref = GENUINE[f"nn_synthetic_lambda1_maxiter{maxiter}"]
    res = nn3.fmincg(fun, p0, maxiter=maxiter)
    fX = np.array(ref["fX"])
    assert res.nit == ref["iterations"]
    assert res.nfev == ref["n_evals"]
    assert res.fun_history.shape == fX.shape
    np.testing.assert_allclose(res.fun_history, fX, rtol=rtol, atol=0)
    final = np.load(FIXTURES / "genuine_fmincg_nn_final_params.npz")[
        f"final_params_maxiter{maxiter}"
    ]
    assert np.abs(res.x - final).max() <= 100 * rtol * np.abs(final).max()
    Theta1, Theta2 = nn3.roll(res.x, 400, 25, 10)
    assert nn3.accuracy(nn3.predict(Theta1, Theta2, X), y) == pytest.approx(ref["train_accuracy"])


def test_negative_maxiter_counts_evaluations():
    calls = []

    def counted(x):
        calls.append(1)
        return rosen(x)

    res = nn3.fmincg(counted, [-1.2, 1.0], maxiter=-25)
    assert len(calls) == res.nfev
    assert res.nfev <= 25
    assert res.nit == res.nfev  # MATLAB's i counts evaluations when MaxIter < 0
    assert res.status == 2 and not res.success


def test_maxiter_budget_and_result_fields():
    res = nn3.fmincg(rosen, [-1.2, 1.0], maxiter=5)
    assert res.nit == 5 and res.status == 1 and not res.success
    assert res.fun_history.shape == (5,)
    assert res.fun == res.fun_history[-1]
    f, g = rosen(res.x)
    assert res.fun == f and np.array_equal(res.jac, g)
    # Prefix property: the first 5 line searches are those of the 100-iteration run.
    ref = GENUINE["rosenbrock2_maxiter100"]
    assert np.array_equal(res.fun_history, np.array(ref["fX"][:5]))


def test_args_red_and_callbacks(capsys):
    seen_x, seen_results = [], []

    def quadratic(x, c):
        return float(np.sum((x - c) ** 2)), 2 * (x - c)

    c = np.array([1.0, -2.0, 3.0])
    res = nn3.fmincg(quadratic, np.zeros(3), args=(c,), maxiter=10, red=2.0, callback=seen_x.append)
    np.testing.assert_allclose(res.x, c, atol=1e-8)
    assert len(seen_x) == len(res.fun_history)

    def new_style(intermediate_result):
        seen_results.append(intermediate_result.fun)
        if len(seen_results) == 2:
            raise StopIteration

    res = nn3.fmincg(rosen, [-1.2, 1.0], maxiter=50, callback=new_style)
    assert res.status == 99 and len(seen_results) == 2
    assert list(res.fun_history) == seen_results
    assert capsys.readouterr().out == ""  # the library prints nothing unless asked


def test_disp_prints_matlab_progress_line(capsys):
    nn3.fmincg(rosen, [-1.2, 1.0], maxiter=3, disp=True)
    out = capsys.readouterr().out.splitlines()
    ref = GENUINE["rosenbrock2_maxiter100"]["fX"]
    assert out == [f"Iteration  {i + 1:4d} | Cost: {ref[i]:4.6e}" for i in range(3)]
    assert out[0] == "Iteration     1 | Cost: 6.631540e+00"


def test_rejects_what_fmincg_cannot_do():
    with pytest.raises(ValueError, match="bounds"):
        minimize(rosen, [0, 0], jac=True, method=nn3.fmincg, bounds=[(0, 1), (0, 1)])


def test_unknown_options_are_accepted_with_a_warning():
    ref = GENUINE["rosenbrock2_maxiter100"]
    with pytest.warns(OptimizeWarning, match="Unknown solver options: gtol"):
        res = minimize(
            rosen, ref["x0"], jac=True, method=nn3.fmincg, options={"maxiter": 100, "gtol": 1e-3}
        )
    assert np.array_equal(res.x, np.array(ref["x"]))  # ignored: the same run as without it


def quadratic_nan_beyond(x):
    """``sum((x - 1)^2)``, but NaN (cost only) wherever some x > 0.5."""
    f, g = float(np.sum((x - 1) ** 2)), 2 * (x - 1)
    return (float("nan") if np.any(x > 0.5) else f), g


def test_nan_cost_stops_with_status_3_keeping_the_best_finite_point():
    seen = []

    def recorded(x):
        f, g = quadratic_nan_beyond(x)
        seen.append((f, x.copy()))
        return f, g

    res = nn3.fmincg(recorded, np.zeros(3), maxiter=50)
    assert res.status == 3 and not res.success
    assert res.message == "NaN result encountered."
    assert np.isnan(seen[-1][0])  # it stopped at the first NaN
    assert res.nfev == len(seen)
    finite = [(f, x) for f, x in seen if not np.isnan(f)]
    best_f, best_x = min(finite, key=lambda fx: fx[0])
    assert res.fun == best_f and np.array_equal(res.x, best_x)
    assert np.all(np.isfinite(res.x)) and np.isfinite(res.fun)
    # Hand-worked: from 0 along s = -grad = 2 with the first step red/(1 - d1) = 1/13, i.e.
    # x = 2/13; the slope there is still steep, so fmincg extrapolates EXT = 3 times the step,
    # x = 6/13 (cost 3*(7/13)^2, the best point), then on to x = 1 > 0.5: NaN.
    xs = [x[0] for _, x in seen]
    np.testing.assert_allclose(xs, [0, 2 / 13, 6 / 13, 1], rtol=1e-14, atol=0)
    assert res.fun == pytest.approx(3 * (7 / 13) ** 2, rel=1e-15)
    assert res.x == pytest.approx(np.full(3, 6 / 13), rel=1e-15)


def test_nan_at_the_start_keeps_x0():
    def always_nan(x):
        return float("nan"), np.full_like(x, np.nan)

    res = nn3.fmincg(always_nan, [1.0, 2.0], maxiter=5)
    assert (res.status, res.success, res.nfev, res.nit) == (3, False, 1, 0)
    assert np.array_equal(res.x, [1.0, 2.0]) and np.isnan(res.fun)
    assert res.fun_history.shape == (0,)
    res = minimize(always_nan, [1.0, 2.0], jac=True, method=nn3.fmincg)
    assert res.status == 3 and res.message == "NaN result encountered."


def test_nan_gradient_at_one_point():
    def f(x):
        J, g = float(np.sum(x**2)), 2 * x
        if np.all(x == 0):
            return J, g
        return J, (g if x[0] < 0.9 else np.full_like(x, np.nan))

    res = nn3.fmincg(f, [1.0, 1.0], maxiter=10)  # the start itself has x[0] >= 0.9
    assert res.status == 3 and res.nfev == 1
    assert np.array_equal(res.x, [1.0, 1.0])


@pytest.mark.parametrize("call", ["direct", "minimize"])
def test_a_cost_without_gradient_says_what_is_wrong(call):
    def cost_only(x):  # the source document's costFunction: J alone
        return float(np.sum(x**2))

    with pytest.raises(nn3.errors.ObjectiveError) as info:
        if call == "direct":
            nn3.fmincg(cost_only, [1.0, 2.0])
        else:
            minimize(cost_only, [1.0, 2.0], method=nn3.fmincg)
    message = str(info.value)
    assert "returned only a number" in message and "(J, grad)" in message
    assert "jac=True" in message
    assert isinstance(info.value, (TypeError, nn3.Nn3Error))


@pytest.mark.parametrize("maxiter", [2.5, "5", 0, True])
def test_maxiter_must_be_a_non_zero_whole_number(maxiter):
    with pytest.raises(nn3.errors.ParameterError, match="maxiter") as info:
        nn3.fmincg(rosen, [0.0, 0.0], maxiter=maxiter)
    assert info.value.parameter == "maxiter"


def test_maxiter_2_0_is_2():
    assert nn3.fmincg(rosen, [-1.2, 1.0], maxiter=2.0).nit == 2


def test_matlab_nn_cost_function_one_value_that_unpacks_is_accepted():
    """nn3.matlab.nnCostFunction returns a J that unpacks as (J, grad), as MATLAB's nargout."""
    from nn3 import matlab

    X = np.array([[0.1, 0.2], [0.3, -0.4], [-0.5, 0.6]])
    y = np.array([[1.0], [2.0], [1.0]])
    p0 = matlab.debugInitializeWeights(3, 2).reshape(-1)
    p0 = np.concatenate([p0, matlab.debugInitializeWeights(2, 3).reshape(-1)])

    def via_matlab(p):
        return matlab.nnCostFunction(p, 2, 3, 2, X, y, 1.0)

    def via_core(p):
        return nn3.nn_cost_function(p, 2, 3, 2, X, y, 1.0)

    got = nn3.fmincg(via_matlab, p0, maxiter=5)
    want = nn3.fmincg(via_core, p0, maxiter=5)
    assert np.array_equal(got.x, want.x) and got.nfev == want.nfev
