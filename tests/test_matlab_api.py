"""nn3.matlab: MATLAB names and conventions over the core, and an ex4-style script ported line by
line (written for nn3), checked against the core API and against independent numbers."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.io

import nn3
from nn3 import matlab as M
from nn3.errors import MatFileError, OptionError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = Path(__file__).parent / "fixtures"
OCTAVE_OUTPUTS = ROOT / "matlab_ref" / "outputs"


@pytest.fixture(autouse=True)
def fresh_stream():
    """Every test starts like a fresh MATLAB session (rng default, MATLAB's engine)."""
    M.rng("default", engine="matlab")
    yield
    M.rng("default", engine="matlab")


# --------------------------------------------------------------------------------------------
# The network functions


def test_sigmoid_and_gradient_hand_values():
    z = np.array([[-1.0, 0.0], [2.0, 40.0]])
    g = M.sigmoid(z)
    assert g.shape == (2, 2)
    expected = [[1 / (1 + math.exp(1)), 0.5], [1 / (1 + math.exp(-2)), 1 / (1 + math.exp(-40))]]
    np.testing.assert_allclose(g, expected, rtol=1e-15)
    gg = M.sigmoidGradient(np.array([-1.0, 0.0, 1.0]))
    s1 = 1 / (1 + math.exp(-1))
    np.testing.assert_allclose(gg, [s1 * (1 - s1), 0.25, s1 * (1 - s1)], rtol=1e-15)


def _tiny_net():
    # 2 inputs, 2 hidden units, 3 labels; hand-picked, non-symmetric.
    X = np.array([[0.5, -1.0], [1.5, 2.0], [-0.3, 0.8], [1.0, 1.0]])
    y = np.array([[1], [3], [2], [3]], dtype=np.uint8)
    Theta1 = np.array([[0.1, -0.2, 0.3], [-0.4, 0.5, 0.6]])
    Theta2 = np.array([[0.2, 0.7, -0.1], [-0.3, 0.4, 0.9], [0.5, -0.6, 0.8]])
    return X, y, Theta1, Theta2


def test_cost_and_backpropagation_are_the_core_and_match_plain_formulas():
    X, y, Theta1, Theta2 = _tiny_net()
    m, K = X.shape[0], 3
    # MATLAB's formulas written out with numpy, independently of nn3's implementation.
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), 1 / (1 + np.exp(-z2))])
    h = 1 / (1 + np.exp(-(a2 @ Theta2.T)))
    Y = np.eye(K)[y.ravel().astype(int) - 1]
    lam = 0.7
    J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    J += lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = h - Y
    d2 = (d3 @ Theta2)[:, 1:] * (a2[:, 1:] * (1 - a2[:, 1:]))
    G1 = d2.T @ a1 / m
    G2 = d3.T @ a2 / m
    G1[:, 1:] += lam / m * Theta1[:, 1:]
    G2[:, 1:] += lam / m * Theta2[:, 1:]

    assert M.costFunction(X, y, Theta1, Theta2, lam) == pytest.approx(J, rel=1e-14)
    assert M.costFunction(X, y, Theta1, Theta2, lam) == nn3.cost_function(X, y, Theta1, Theta2, lam)
    T1g, T2g = M.backpropagation(X, y, Theta1, Theta2, lam)
    np.testing.assert_allclose(T1g, G1, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(T2g, G2, rtol=1e-12, atol=1e-16)

    params = np.concatenate([Theta1.ravel(order="F"), Theta2.ravel(order="F")]).reshape(-1, 1)
    Jn, grad = M.nnCostFunction(params, 2, 2, 3, X, y, lam)
    assert grad.shape == (params.size, 1)  # a column, as [J grad] = nnCostFunction(...)
    assert Jn == pytest.approx(J, rel=1e-14)
    expected_grad = np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])
    np.testing.assert_allclose(grad[:, 0], expected_grad, rtol=1e-12, atol=1e-16)


def test_nn_cost_function_against_octave_on_digits():
    """Octave's own cost and gradient of the 64-25-10 digits network (matlab_ref/outputs)."""
    path = OCTAVE_OUTPUTS / "cost_digits.mat"
    if not path.exists():
        pytest.skip("matlab_ref/outputs/cost_digits.mat not present")
    ref = scipy.io.loadmat(path)
    d = M.load(DATA / "digits.mat")
    J, grad = M.nnCostFunction(ref["nn_params"], 64, 25, 10, d["X"], d["y"], 1)
    assert J == pytest.approx(ref["J_lambda1"][0, 0], rel=1e-12)
    np.testing.assert_allclose(grad, ref["grad_lambda1"], rtol=1e-9, atol=1e-14)
    Theta1, Theta2 = nn3.roll(ref["nn_params"], 64, 25, 10)
    np.testing.assert_array_equal(M.predict(Theta1, Theta2, d["X"]), ref["pred"])


def test_predict_is_a_column_of_1_based_labels():
    # One hidden unit that is ~1 for x > 0 and ~0 for x < 0; output 2 wins when it is on.
    Theta1 = np.array([[0.0, 20.0]])
    Theta2 = np.array([[5.0, -10.0], [-5.0, 10.0], [-3.0, 0.0]])
    X = np.array([[-1.0], [1.0], [2.0], [-0.5]])
    p = M.predict(Theta1, Theta2, X)
    assert p.shape == (4, 1)
    np.testing.assert_array_equal(p, [[1], [2], [2], [1]])
    # One output unit: 0/1 by h >= 0.5.
    p = M.predict(Theta1, np.array([[-5.0, 10.0]]), X)
    np.testing.assert_array_equal(p, [[0], [1], [1], [0]])


# --------------------------------------------------------------------------------------------
# Random numbers


def test_rng_rand_match_matlab_documented_values():
    # MATLAB R20xx: rng(0); rand(3) (4 decimals as MATLAB shows them).
    M.rng(0)
    r = M.rand(3)
    np.testing.assert_allclose(
        r,
        [[0.8147, 0.9134, 0.2785], [0.9058, 0.6324, 0.5469], [0.1270, 0.0975, 0.9575]],
        atol=5e-5,
    )
    # A fresh session is rng(0); the stream continues across calls, filling column by column.
    M.rng("default")
    first = M.rand()
    rest = M.rand(1, 8)
    assert isinstance(first, float)
    np.testing.assert_array_equal(np.concatenate([[first], rest[0]]), r.ravel(order="F"))
    M.rng(0, "twister")
    np.testing.assert_array_equal(M.rand([3, 3]), r)
    assert M.rand(0, 4).shape == (0, 4)


def test_rng_rejects_what_it_cannot_reproduce():
    with pytest.raises(OptionError, match="shuffle"):
        M.rng("shuffle")
    with pytest.raises(OptionError, match="v5uniform"):
        M.rng(1, "v5uniform")
    with pytest.raises(OptionError, match="2\\^32"):
        M.rng(2**32)
    with pytest.raises(OptionError, match="whole number"):
        M.rng(1.5)  # MATLAB refuses it too
    with pytest.raises(OptionError):
        M.rand(2, 2, 2)
    with pytest.raises(OptionError):
        M.rand(1.5)


def test_rand_initialize_weights_draws_from_the_global_stream():
    M.rng(7)
    W1 = M.randInitializeWeights(3, 4)
    W2 = M.randInitializeWeights(4, 2)
    u = nn3.MatlabRNG(7)
    np.testing.assert_array_equal(W1, u.rand(4, 4) * 2 * 0.12 - 0.12)
    np.testing.assert_array_equal(W2, u.rand(2, 5) * 2 * 0.12 - 0.12)
    assert W1.shape == (4, 4) and np.all(np.abs(W1) <= 0.12)


def test_debug_initialize_weights_hand_values():
    W = M.debugInitializeWeights(2, 2)  # 2 x 3, sin(1:6) / 10 filled column-major
    expected = [[math.sin(k) / 10 for k in row] for row in ([1, 3, 5], [2, 4, 6])]
    np.testing.assert_allclose(W, expected, rtol=1e-15)


# --------------------------------------------------------------------------------------------
# fmincg and optimset

GENUINE = json.loads((FIXTURES / "genuine_fmincg.json").read_text())["rosenbrock2_maxiter100"]


def rosen_column(x):
    assert x.shape == (2, 1)  # fmincg hands f a column, as MATLAB does
    a, b = x[0, 0], x[1, 0]
    f = 100 * (b - a**2) ** 2 + (1 - a) ** 2
    g = np.array([[-400 * a * (b - a**2) - 2 * (1 - a)], [200 * (b - a**2)]])
    return f, g


def test_fmincg_matches_genuine_fmincg_bit_for_bit(capsys):
    x0 = np.array(GENUINE["x0"]).reshape(-1, 1)
    X, fX, i = M.fmincg(rosen_column, x0, {"MaxIter": 100})
    assert X.shape == (2, 1) and fX.shape == (len(GENUINE["fX"]), 1)
    np.testing.assert_array_equal(X[:, 0], GENUINE["x"])
    np.testing.assert_array_equal(fX[:, 0], GENUINE["fX"])
    assert i == GENUINE["i"]
    # It prints fmincg.m's progress line after each line search, like MATLAB.
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(GENUINE["fX"])
    assert lines[0] == f"Iteration {1:5d} | Cost: {GENUINE['fX'][0]:.6e}"


@pytest.mark.parametrize(
    "call",
    [
        lambda f, x: M.fmincg(f, x, {"MaxIter": 7}),
        lambda f, x: M.fmincg(f, x, M.optimset("MaxIter", 7)),
        lambda f, x: M.fmincg(f, x, M.optimset("maxiter", 7, "Display", "off")),
        lambda f, x: M.fmincg(f, x, M.optimset(MaxIter=7)),
        lambda f, x: M.fmincg(f, x, MaxIter=7),
        lambda f, x: M.fmincg(f, x, {"maxIter": 3, "TolFun": 1e-6}, MaxIter=7),
        lambda f, x: M.fmincg(f, x, M.optimset(M.optimset("MaxIter", 3), "MaxIter", 7)),
    ],
)
def test_fmincg_option_forms_agree_with_the_core(call):
    x0 = np.array([[-1.2], [1.0]])
    X, fX, i = call(rosen_column, x0)
    core = nn3.fmincg(lambda x: rosen_column(x.reshape(2, 1)), x0, maxiter=7)
    np.testing.assert_array_equal(X[:, 0], core.x)
    np.testing.assert_array_equal(fX[:, 0], core.fun_history)
    assert i == core.nit == 7


def test_fmincg_defaults_extra_arguments_red_and_display_off(capsys):
    def shifted(x, c, scale):  # P1, P2 of fmincg(f, X, options, P1, P2)
        d = x - c
        return scale * float(np.sum(d * d)), 2 * scale * d

    c = np.array([[1.0], [-2.0], [3.0]])
    X, fX, i = M.fmincg(shifted, np.zeros((3, 1)), {"Display": "off"}, c, 2.0)
    np.testing.assert_allclose(X, c, atol=1e-10)
    assert i <= 100 and fX.shape[1] == 1
    assert capsys.readouterr().out == ""
    # MaxIter = [length red], fmincg.m's length(2).
    x0 = np.array([[-1.2], [1.0]])
    X, fX, i = M.fmincg(rosen_column, x0, {"MaxIter": [4, 2.0], "Display": "off"})
    core = nn3.fmincg(lambda x: rosen_column(x.reshape(2, 1)), x0, maxiter=4, red=2.0)
    np.testing.assert_array_equal(fX[:, 0], core.fun_history)


def test_fmincg_and_optimset_reject_bad_options():
    x0 = np.zeros((2, 1))
    with pytest.raises(OptionError, match="MaxIterations"):
        M.optimset("MaxIterations", 5)
    with pytest.raises(OptionError, match="name/value"):
        M.optimset("MaxIter")
    with pytest.raises(OptionError, match="MaxIter"):
        M.fmincg(rosen_column, x0, {"MaxIter": 0})
    with pytest.raises(OptionError, match="MaxIter"):
        M.fmincg(rosen_column, x0, {"MaxIter": 2.5})


# --------------------------------------------------------------------------------------------
# Gradient checking


def test_compute_numerical_gradient_hand_values():
    # d/dt sum(t.^3) = 3 t.^2; central differences add exactly e^2 = 1e-8 for a cubic.
    theta = np.array([[1.0], [2.0]])
    numgrad = M.computeNumericalGradient(lambda t: (float(np.sum(t**3)), None), theta)
    assert numgrad.shape == (2, 1)
    np.testing.assert_allclose(numgrad[:, 0], [3 + 1e-8, 12 + 1e-8], rtol=1e-9)


def _parse_check(out):
    lines = out.splitlines()
    rows = [line.split() for line in lines if line.startswith("  ")]
    table = np.array([[float(a), float(b)] for a, b in rows])
    diff = float(lines[-1].removeprefix("Relative Difference: "))
    return table, diff


def test_check_nn_gradients_prints_the_two_columns_and_the_difference(capsys):
    returned = M.checkNNGradients()  # prints like MATLAB, and returns the difference too
    table, diff = _parse_check(capsys.readouterr().out)
    assert isinstance(returned, float) and f"{returned:g}" == f"{diff:g}"
    assert table.shape == (5 * 4 + 3 * 6, 2)  # the 3-5-3 debug network's parameters
    # The coursework's published first values of this check.
    np.testing.assert_allclose(table[:2, 0], [-9.2783e-03, 8.8991e-03], atol=1e-7)
    np.testing.assert_allclose(table[:, 0], table[:, 1], rtol=1e-6, atol=1e-9)
    assert 0 <= diff < 1e-9
    M.checkNNGradients(3)
    table3, diff3 = _parse_check(capsys.readouterr().out)
    assert diff3 < 1e-9 and not np.allclose(table3, table)  # lambda changes the gradient


def test_check_nn_gradients_checks_your_own_port(capsys):
    def wrong_port(p, il, hl, K, X, y, lam):  # a backpropagation that is 1% off
        J, grad = M.nnCostFunction(p, il, hl, K, X, y, lam)
        return J, grad * 1.01

    returned = M.checkNNGradients(0, wrong_port)
    _, diff = _parse_check(capsys.readouterr().out)
    assert diff == pytest.approx(0.01 / 2.01, rel=1e-3)
    assert returned == pytest.approx(0.01 / 2.01, rel=1e-3)


# --------------------------------------------------------------------------------------------
# load / save


def test_load_and_save_round_trip(tmp_path):
    out = tmp_path / "w.mat"
    M.save(out, {"Theta1": np.arange(6.0).reshape(2, 3), "p": np.array([1.0, 2.0]), "k": 3.0})
    raw = scipy.io.loadmat(out)  # read independently of nn3
    np.testing.assert_array_equal(raw["Theta1"], [[0, 1, 2], [3, 4, 5]])
    assert raw["p"].shape == (2, 1)  # 1-D arrays are saved as MATLAB columns
    S = M.load(out)
    assert set(S) == {"Theta1", "p", "k"} and S["k"].shape == (1, 1)
    only = tmp_path / "only.mat"
    M.save(only, S, "p")
    assert set(M.load(only)) == {"p"}
    assert set(M.load(out, "Theta1", "k")) == {"Theta1", "k"}
    with pytest.raises(MatFileError, match="no variable 'nope'"):
        M.load(out, "nope")
    with pytest.raises(nn3.DataError, match="no variable 'nope'"):
        M.save(only, S, "nope")


def test_display_data_returns_the_figure_of_nn3_plot():
    pytest.importorskip("matplotlib")
    X = M.load(DATA / "digits.mat")["X"][:25]
    fig = M.displayData(X)
    # 5x5 tiles of 8x8 pixels with 1-pixel borders: 46x46, 13 screen pixels each.
    assert fig.canvas.get_width_height() == (598, 598)
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (46, 46) and image[0, 0] == -1 and image.max() == 1


# --------------------------------------------------------------------------------------------
# An ex4-style script, line by line. The MATLAB of each step is in the comment above it.


def test_ex4_style_script_ported_line_by_line(capsys):
    # input_layer_size = 64; hidden_layer_size = 25; num_labels = 10;
    input_layer_size = 64
    hidden_layer_size = 25
    num_labels = 10

    # data = load('digits.mat'); X = data.X; y = data.y; m = size(X, 1);
    data = M.load(DATA / "digits.mat")
    X = data["X"]
    y = data["y"]
    m = X.shape[0]

    # g = sigmoidGradient([-1 -0.5 0 0.5 1]);
    g = M.sigmoidGradient(np.array([[-1, -0.5, 0, 0.5, 1]]))

    # rng(0);
    # initial_Theta1 = randInitializeWeights(input_layer_size, hidden_layer_size);
    # initial_Theta2 = randInitializeWeights(hidden_layer_size, num_labels);
    # initial_nn_params = [initial_Theta1(:); initial_Theta2(:)];
    M.rng(0)
    initial_Theta1 = M.randInitializeWeights(input_layer_size, hidden_layer_size)
    initial_Theta2 = M.randInitializeWeights(hidden_layer_size, num_labels)
    initial_nn_params = np.vstack(
        [initial_Theta1.reshape(-1, 1, order="F"), initial_Theta2.reshape(-1, 1, order="F")]
    )

    # lambda = 1;
    # J = nnCostFunction(initial_nn_params, input_layer_size, hidden_layer_size, ...
    #                    num_labels, X, y, lambda);
    lambda_ = 1
    J, _ = M.nnCostFunction(
        initial_nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_
    )

    # options = optimset('MaxIter', 50);
    # costFunc = @(p) nnCostFunction(p, input_layer_size, hidden_layer_size, ...
    #                                num_labels, X, y, lambda);
    # [nn_params, cost] = fmincg(costFunc, initial_nn_params, options);
    options = M.optimset("MaxIter", 50)

    def costFunc(p):
        return M.nnCostFunction(p, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)

    nn_params, cost, _ = M.fmincg(costFunc, initial_nn_params, options)

    # Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), ...
    #                  hidden_layer_size, (input_layer_size + 1));
    # Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), ...
    #                  num_labels, (hidden_layer_size + 1));
    n1 = hidden_layer_size * (input_layer_size + 1)
    Theta1 = nn_params[:n1].reshape(hidden_layer_size, input_layer_size + 1, order="F")
    Theta2 = nn_params[n1:].reshape(num_labels, hidden_layer_size + 1, order="F")

    # pred = predict(Theta1, Theta2, X);
    # fprintf('Training Set Accuracy: %f\n', mean(double(pred == y)) * 100);
    pred = M.predict(Theta1, Theta2, X)
    train_acc = np.mean(pred == y) * 100  # both (m, 1): no (m, m) broadcasting
    print(f"Training Set Accuracy: {train_acc:f}")

    # ---- The same computation through the core API --------------------------------------
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 51 and out[-1] == f"Training Set Accuracy: {train_acc:f}"
    assert m == 1797 and pred.shape == (m, 1)
    np.testing.assert_allclose(g[0, 2], 0.25, rtol=0)
    rng = nn3.MatlabRNG(0)
    core_T1 = nn3.rand_initialize_weights(64, 25, rng=rng)
    core_T2 = nn3.rand_initialize_weights(25, 10, rng=rng)
    np.testing.assert_array_equal(initial_nn_params[:, 0], nn3.unroll(core_T1, core_T2))
    assert J == nn3.nn_cost_function(nn3.unroll(core_T1, core_T2), 64, 25, 10, X, y, 1.0)[0]
    core = nn3.train(X, y, hidden_layer_size=25, lambda_=1.0, maxiter=50, seed=0)
    np.testing.assert_array_equal(Theta1, core.Theta1)
    np.testing.assert_array_equal(Theta2, core.Theta2)
    np.testing.assert_array_equal(cost[:, 0], core.optimize_result.fun_history)
    assert train_acc == core.train_accuracy
    assert train_acc > 95  # the network learned the digits


# --------------------------------------------------------------------------------------------
# The gaps a literal port of ex4.m hits


def test_one_output_cost_behaves_as_a_float():
    X, y, Theta1, Theta2 = _tiny_net()
    params = np.concatenate([Theta1.ravel(order="F"), Theta2.ravel(order="F")]).reshape(-1, 1)
    ref_J, ref_grad = nn3.nn_cost_function(params, 2, 2, 3, X, y, 0.7)
    J = M.nnCostFunction(params, 2, 2, 3, X, y, 0.7)  # J = nnCostFunction(...)
    # fprintf-style formatting, which fails when J is a tuple
    assert f"{J:f}" == f"{ref_J:f}" and "%.6f" % J == "%.6f" % ref_J  # noqa: UP031
    assert "Cost: {:.6f}".format(J) == f"Cost: {ref_J:.6f}"  # noqa: UP032
    assert repr(J) == repr(ref_J) and str(J) == str(ref_J)
    # arithmetic gives plain floats, comparisons and hashing are the float's
    assert J == ref_J and J <= ref_J < J + 1 and hash(J) == hash(ref_J)
    for value in (J + 1, 2 * J, J / 2, -J, abs(J), J**2, round(J, 3)):
        assert type(value) is float
    assert J * 2 == ref_J * 2 and round(J, 3) == round(ref_J, 3)
    # numpy sees a scalar, never the (J, grad) pair
    assert np.asarray(J).shape == () and np.asarray(J).dtype == np.float64
    assert np.array([J, J]).shape == (2,) and np.mean([J, J]) == ref_J
    assert np.float64(J) == ref_J and np.ndim(J) == 0 and float(J) == ref_J
    # [J grad] = nnCostFunction(...)
    J2, grad = M.nnCostFunction(params, 2, 2, 3, X, y, 0.7)
    assert type(J2) is float and J2 == ref_J
    assert grad.shape == (params.size, 1)
    np.testing.assert_array_equal(grad[:, 0], ref_grad)
    np.testing.assert_array_equal(J.grad, grad)
    # copies and pickles keep both
    import copy
    import pickle

    for clone in (pickle.loads(pickle.dumps(J)), copy.deepcopy(J)):
        assert clone == ref_J and isinstance(clone, M.CostValue)
        np.testing.assert_array_equal(clone.grad, grad)


def test_bare_load_binds_the_variables_by_name():
    namespace = {}
    namespace.update(M.load(DATA / "digits.mat"))  # globals().update(load('digits.mat'))
    assert namespace["X"].shape == (1797, 64) and namespace["y"].shape == (1797, 1)
    # As a script's top level does it, with globals():
    code = "globals().update(load(path))\nshape = X.shape"
    scope = {"load": M.load, "path": DATA / "digits.mat"}
    exec(code, scope)
    assert scope["shape"] == (1797, 64)


def test_fmincg_with_a_cost_that_returns_only_j_says_what_to_do():
    x0 = np.array([[-1.0], [2.0]])

    def only_j(x):
        return float(rosen_column(x)[0])

    with pytest.raises(nn3.errors.ObjectiveError, match=r"only the cost J.*return J, grad"):
        M.fmincg(only_j, x0, {"MaxIter": 3, "Display": "off"})
    with pytest.raises(nn3.errors.ObjectiveError, match="only the cost J"):
        M.fmincg(lambda x: (rosen_column(x)[0],), x0, {"MaxIter": 3, "Display": "off"})
    with pytest.raises(nn3.errors.ObjectiveError, match="shape"):
        M.fmincg(lambda x: np.ones(3), x0, {"MaxIter": 3, "Display": "off"})


def test_fmincg_takes_nncostfunction_with_either_output_form():
    d = M.load(DATA / "digits.mat")
    X, y = d["X"][:200], d["y"][:200]
    p0 = nn3.unroll(*(nn3.rand_initialize_weights(a, b, rng=1) for a, b in ((64, 5), (5, 10))))

    def one_name(p):  # J = nnCostFunction(...); return J
        J = M.nnCostFunction(p, 64, 5, 10, X, y, 1)
        return J

    def two_names(p):
        J, grad = M.nnCostFunction(p, 64, 5, 10, X, y, 1)
        return J, grad

    a = M.fmincg(one_name, p0.reshape(-1, 1), MaxIter=5, Display="off")
    b = M.fmincg(two_names, p0.reshape(-1, 1), MaxIter=5, Display="off")
    core = nn3.fmincg(nn3.make_objective(X, y, 64, 5, 10, 1.0), p0, maxiter=5)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[0][:, 0], core.x)
    np.testing.assert_array_equal(a[1][:, 0], core.fun_history)


def test_rand_state_and_twister_are_octave_and_seed_is_refused():
    from nn3.core.octave_rng import OctaveRNG

    for keyword in ("state", "twister"):
        M.rng("default", engine="matlab")
        assert M.rand(keyword, 5) is None
        np.testing.assert_array_equal(M.rand(2, 3), OctaveRNG(5).rand(2, 3))
    # Octave's rng issue values, and rand('state', 0) is the same stream as rng(0) there.
    M.rand("state", 0)
    np.testing.assert_allclose(M.rand(1, 3), [[0.8444, 0.7580, 0.4206]], atol=5e-5)
    M.rng(0)  # Octave stays the engine in effect
    np.testing.assert_array_equal(M.rand(1, 3), OctaveRNG(0).rand(1, 3))
    for args, needle in (
        (("seed", 0), "old RANLIB"),
        (("state",), "one numeric seed"),
        (("state", "reset"), "one numeric seed"),
        (("shuffle",), "not supported"),
    ):
        with pytest.raises(OptionError, match=needle) as info:
            M.rand(*args)
        assert "\n" not in str(info.value)


def test_rng_engine_switch_and_randperm():
    from nn3.core.octave_rng import OctaveRNG

    M.rng(0, engine="octave")
    np.testing.assert_array_equal(M.rand(3), OctaveRNG(0).rand(3))
    M.rng(0)
    p = M.randperm(8)
    assert p.shape == (1, 8) and p.dtype == np.float64
    np.testing.assert_array_equal(p, [[7, 1, 5, 3, 2, 4, 8, 6]])  # Octave 7.3: rng(0); randperm(8)
    M.rng(0)
    np.testing.assert_array_equal(M.randperm(8, 3), [[7, 1, 5]])
    M.rng(1.5)  # Octave accepts (and rounds) a non-integer seed
    np.testing.assert_array_equal(M.rand(1, 2), OctaveRNG(2).rand(1, 2))
    with pytest.raises(OptionError):
        M.rng(-1)  # Octave's rng refuses it too
    M.rng("default", engine="matlab")
    np.testing.assert_array_equal(M.randperm(8), [[6, 3, 7, 8, 5, 1, 2, 4]])  # MATLAB's docs
    with pytest.raises(OptionError, match="undocumented"):
        M.randperm(8, 4)
    with pytest.raises(OptionError, match="engine"):
        M.rng(0, engine="julia")
    M.rng(0)  # back in MATLAB's engine
    np.testing.assert_array_equal(M.rand(1, 2), nn3.MatlabRNG(0).rand(1, 2))
