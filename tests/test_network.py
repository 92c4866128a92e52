import math
import subprocess
from pathlib import Path

import numpy as np
import pytest
from reference_impl import matlab_cost_grad

import nn3
from nn3.core.network import labels_from_outputs
from nn3.errors import DataError


def test_sigmoid_values_and_limits():
    z = np.array([0.0, 1.0, -1.0, 40.0, -40.0, 710.0, -710.0, 745.0, -745.0, np.inf, -np.inf])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # no warnings escape
        s = nn3.sigmoid(z)
        gz = nn3.sigmoid_gradient(z)
    assert s[0] == 0.5 and gz[0] == 0.25
    # sigmoid.m's formula with nn3's exp, bit for bit; numpy's exp may be 1 ulp off libm's
    # (math.exp) on some CPUs, which moves these two values by at most 1 ulp.
    exp = nn3.core.activations.exp
    assert s[1] == 1 / (1 + exp(np.array(-1.0))) and s[2] == 1 / (1 + exp(np.array(1.0)))
    assert abs(s[1] - 1 / (1 + math.exp(-1))) <= np.spacing(s[1])
    assert abs(s[2] - 1 / (1 + math.exp(1))) <= np.spacing(s[2])
    assert s[5] == 1.0 and s[7] == 1.0 and s[9] == 1.0
    assert s[8] == 0.0 and s[10] == 0.0
    assert gz[-1] == 0.0 and gz[-2] == 0.0
    assert np.isnan(nn3.sigmoid(np.nan))


def _tiny():
    X = np.array([[0.5]])
    y = np.array([1.0])
    Theta1 = np.array([[0.1, 0.2]])
    Theta2 = np.array([[0.3, 0.4]])
    return X, y, Theta1, Theta2


@pytest.mark.parametrize("lam", [0.0, 2.0])
def test_hand_worked_1_1_1_network(lam):
    X, y, Theta1, Theta2 = _tiny()
    # By hand: z2 = 0.1 + 0.2 * 0.5; a2 = g(z2); h = g(0.3 + 0.4 a2); J = -log(h).
    a2 = 1 / (1 + math.exp(-0.2))
    h = 1 / (1 + math.exp(-(0.3 + 0.4 * a2)))
    J = -math.log(h) + lam / 2 * (0.2**2 + 0.4**2)
    d3 = h - 1
    d2 = d3 * 0.4 * a2 * (1 - a2)
    G1 = np.array([[d2, d2 * 0.5 + lam * 0.2]])
    G2 = np.array([[d3, d3 * a2 + lam * 0.4]])
    assert nn3.cost_function(X, y, Theta1, Theta2, lam) == pytest.approx(J, rel=1e-15)
    g1, g2 = nn3.backpropagation(X, y, Theta1, Theta2, lam)
    np.testing.assert_allclose(g1, G1, rtol=1e-14)
    np.testing.assert_allclose(g2, G2, rtol=1e-14)


def _random_net(rng, m, n, hidden, K):
    X = rng.standard_normal((m, n))
    y = rng.integers(0, 2, m).astype(float) if K == 1 else rng.integers(1, K + 1, m).astype(float)
    Theta1 = rng.uniform(-0.5, 0.5, (hidden, n + 1))
    Theta2 = rng.uniform(-0.5, 0.5, (K, hidden + 1))
    return X, y, Theta1, Theta2


@pytest.mark.parametrize("shape", [(7, 2, 4, 1), (50, 3, 5, 3), (300, 20, 10, 10)])
@pytest.mark.parametrize("lam", [0.0, 1.0, 3.0])
def test_matches_plain_matlab_formulas(shape, lam):
    m, n, hidden, K = shape
    X, y, Theta1, Theta2 = _random_net(np.random.default_rng(sum(shape)), m, n, hidden, K)
    J_ref, G1_ref, G2_ref = matlab_cost_grad(X, y, Theta1, Theta2, lam)
    J = nn3.cost_function(X, y, Theta1, Theta2, lam)
    g1, g2 = nn3.backpropagation(X, y, Theta1, Theta2, lam)
    assert abs(J - J_ref) <= 1e-13 * abs(J_ref)
    scale = max(np.abs(G1_ref).max(), np.abs(G2_ref).max())
    assert np.abs(g1 - G1_ref).max() <= 1e-13 * scale
    assert np.abs(g2 - G2_ref).max() <= 1e-13 * scale
    # The unrolled objective is the same numbers, in MATLAB's column-major order.
    params = np.concatenate([Theta1.ravel(order="F"), Theta2.ravel(order="F")])
    J2, grad = nn3.nn_cost_function(params, n, hidden, K, X, y.reshape(-1, 1), lam)
    assert J2 == J
    np.testing.assert_array_equal(grad, np.concatenate([g1.ravel("F"), g2.ravel("F")]))


def test_unroll_is_matlab_column_major():
    Theta1 = np.arange(1.0, 7.0).reshape(2, 3)  # [[1 2 3]; [4 5 6]]
    Theta2 = np.array([[7.0, 8.0, 9.0]])
    # MATLAB: [Theta1(:); Theta2(:)] = [1 4 2 5 3 6 7 8 9]'
    np.testing.assert_array_equal(nn3.unroll(Theta1, Theta2), [1, 4, 2, 5, 3, 6, 7, 8, 9])
    T1, T2 = nn3.roll([1, 4, 2, 5, 3, 6, 7, 8, 9], 2, 2, 1)
    np.testing.assert_array_equal(T1, Theta1)
    np.testing.assert_array_equal(T2, Theta2)
    with pytest.raises(DataError, match="needs 6 \\+ 3 = 9"):
        nn3.roll(np.zeros(8), 2, 2, 1)


def central_difference(fun, p, e=1e-4):
    num = np.zeros_like(p)
    for k in range(p.size):
        step = np.zeros_like(p)
        step[k] = e
        num[k] = (fun(p + step) - fun(p - step)) / (2 * e)
    return num


@pytest.mark.parametrize("lam", [0.0, 3.0])
def test_gradient_against_central_differences_checknngradients_style(lam):
    # checkNNGradients: a 3-5-3 network, m = 5, debug weights and data, labels 1 + mod(1:m, K).
    n, hidden, K, m = 3, 5, 3, 5
    Theta1 = nn3.debug_initialize_weights(hidden, n)
    Theta2 = nn3.debug_initialize_weights(K, hidden)
    X = nn3.debug_initialize_weights(m, n - 1)
    y = 1 + np.arange(1, m + 1) % K
    params = nn3.unroll(Theta1, Theta2)
    J, grad = nn3.nn_cost_function(params, n, hidden, K, X, y, lam)
    num = central_difference(lambda p: nn3.nn_cost_function(p, n, hidden, K, X, y, lam)[0], params)
    rel = np.linalg.norm(num - grad) / np.linalg.norm(num + grad)
    assert rel < 1e-9


def test_binary_and_uint8_labels():
    X, y, Theta1, Theta2 = _random_net(np.random.default_rng(1), 40, 2, 4, 1)
    J_ref, *_ = matlab_cost_grad(X, y, Theta1, Theta2, 0.0)
    assert nn3.cost_function(X, y.astype(np.uint8), Theta1, Theta2) == pytest.approx(J_ref, 1e-14)
    assert nn3.cost_function(X, y.astype(bool), Theta1, Theta2) == pytest.approx(J_ref, 1e-14)
    X, y, Theta1, Theta2 = _random_net(np.random.default_rng(2), 40, 2, 4, 10)
    J_ref, *_ = matlab_cost_grad(X, y, Theta1, Theta2, 1.0)
    J = nn3.cost_function(X, y.astype(np.uint8).reshape(-1, 1), Theta1, Theta2, 1.0)
    assert J == pytest.approx(J_ref, rel=1e-14)


@pytest.mark.parametrize(
    "y, K, message",
    [
        ([0, 1, 2], 1, "other than 0 and 1"),
        ([1, 2, 11], 10, "expected 1..10"),
        ([0, 1, 2], 3, "expected 1..3"),
        ([1, 1.5, 2], 3, "non-integer"),
    ],
)
def test_bad_labels_are_reported(y, K, message):
    X = np.zeros((3, 2))
    Theta1 = np.zeros((2, 3))
    Theta2 = np.zeros((K, 3))
    with pytest.raises(DataError, match=message):
        nn3.cost_function(X, np.array(y, dtype=float), Theta1, Theta2)


def test_predict_and_accuracy():
    # Output unit k fires for the k-th feature: labels 1..3 from argmax, ties to the first.
    Theta1 = np.hstack([np.zeros((3, 1)), 20 * np.eye(3)])
    Theta2 = np.hstack([-5 * np.ones((3, 1)), 10 * np.eye(3)])
    X = np.array([[1.0, 0, 0], [0, 0, 1.0], [0, 1.0, 0], [0, 0, 0]])
    p = nn3.predict(Theta1, Theta2, X)
    np.testing.assert_array_equal(p, [1, 3, 2, 1])
    assert nn3.accuracy(p, np.array([[1], [3], [1], [1]])) == 75.0
    # Binary: h >= 0.5 gives 1.
    p = nn3.predict(np.array([[0.0, 1.0]]), np.array([[-5.0, 10.0]]), np.array([[5.0], [-5.0]]))
    np.testing.assert_array_equal(p, [1, 0])


# --------------------------------------------------------------------------------------------
# predict with NaN outputs: MATLAB's max skips NaN

MATLAB_REF = Path(__file__).resolve().parent.parent / "matlab_ref"


def test_labels_from_outputs_skip_nan_as_matlab_max_does():
    nan, inf = np.nan, np.inf
    h = np.array(
        [
            [nan, 0.7, 0.2],  # max skips NaN: 0.7 at 2
            [nan, nan, nan],  # all NaN: MATLAB's max gives NaN at index 1
            [0.1, nan, 0.9],  # 3
            [nan, -inf, -inf],  # -Inf at 2 (the first non-NaN)
            [-inf, nan, -inf],  # 1
            [0.3, 0.3, nan],  # tie: the first, 1
            [nan, nan, 0.0],  # 3
        ]
    )
    np.testing.assert_array_equal(labels_from_outputs(h), [2, 1, 3, 2, 1, 1, 3])
    # One output unit: double(NaN >= 0.5) is 0.
    np.testing.assert_array_equal(labels_from_outputs(np.array([[nan], [0.5]])), [0, 1])


def nan_network():
    """Weights and data whose outputs hold NaN: Theta2's first row is NaN (so output 1 is NaN
    for every example) and the last example is NaN (so all its outputs are NaN)."""
    Theta1 = np.array([[0.1, 0.2, -0.3], [0.0, -0.5, 0.4]])
    Theta2 = np.array([[np.nan, 1.0, 1.0], [0.0, 1.0, -1.0], [0.0, -1.0, 1.0]])
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [3.0, -2.0], [np.nan, 0.0]])
    return Theta1, Theta2, X


def test_predict_with_nan_outputs_hand_worked():
    Theta1, Theta2, X = nan_network()
    h = nn3.predict_proba(Theta1, Theta2, X)
    assert np.all(np.isnan(h[:, 0])) and np.all(np.isnan(h[3]))
    # Outputs 2 and 3 are g(a2_1 - a2_2) and g(a2_2 - a2_1): label 2 where a2_1 > a2_2.
    a2 = 1 / (1 + np.exp(-(Theta1[:, 0] + X[:3] @ Theta1[:, 1:].T)))
    expected = np.where(a2[:, 0] >= a2[:, 1], 2.0, 3.0)
    assert not np.all(expected == expected[0])  # both labels occur
    np.testing.assert_array_equal(nn3.predict(Theta1, Theta2, X), [*expected, 1.0])


@pytest.mark.needs_octave
def test_predict_with_nan_outputs_matches_octave_predict_m(tmp_path):
    Theta1, Theta2, X = nan_network()
    script = tmp_path / "run_predict.m"

    def mat(a):
        rows = "; ".join(" ".join(repr(float(v)).replace("nan", "NaN") for v in r) for r in a)
        return f"[{rows}]"

    script.write_text(
        f"addpath('{MATLAB_REF}');\n"
        f"p = predict({mat(Theta1)}, {mat(Theta2)}, {mat(X)});\n"
        "printf('%d\\n', p);\n"
    )
    run = subprocess.run(
        ["octave-cli", "--no-gui", "--quiet", "--no-init-file", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    octave = [float(v) for v in run.stdout.split()]
    assert len(octave) == X.shape[0]
    np.testing.assert_array_equal(nn3.predict(Theta1, Theta2, X), octave)
