"""nn3.core.gradcheck: central differences (computeNumericalGradient), checkNNGradients.

Checked against hand-worked values (central differences of polynomials are known in closed form),
against a deliberately broken gradient (the check must fail), and against the same procedure
written independently in GNU Octave.
"""

import math
import subprocess

import numpy as np
import pytest
import scipy.io

from nn3.core.gradcheck import (
    TOLERANCE,
    check_nn_gradients,
    compute_numerical_gradient,
    debug_problem,
    relative_difference,
)
from nn3.core.network import nn_cost_function
from nn3.errors import OptionError

needs_octave = pytest.mark.needs_octave


def test_central_difference_of_a_cubic_is_known_exactly():
    # ((x+e)^3 - (x-e)^3) / (2e) = 3x^2 + e^2: the e^2 term shows e = 1e-4 and central (not
    # one-sided) differences; rounding in f (|f| <= 27) costs at most ~1e-11 here.
    x = np.array([1.0, 2.0, -3.0, 0.5])
    numgrad = compute_numerical_gradient(lambda t: float(np.sum(t**3)), x)
    np.testing.assert_allclose(numgrad, 3 * x**2 + 1e-8, rtol=0, atol=1e-9)
    numgrad = compute_numerical_gradient(lambda t: float(np.sum(t**3)), x, e=1e-2)
    np.testing.assert_allclose(numgrad, 3 * x**2 + 1e-4, rtol=0, atol=1e-9)


def test_central_difference_of_a_quadratic_with_tuple_output_and_column_shape():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    b = np.array([[1.0], [-1.0]])
    calls = []

    def J(t):
        calls.append(t.copy())
        return (0.5 * t.T @ A @ t + b.T @ t).item(), None  # (cost, grad) like nnCostFunction

    theta = np.array([[0.5], [-2.0]])
    kept = theta.copy()
    numgrad = compute_numerical_gradient(J, theta)
    assert numgrad.shape == (2, 1)
    # Exact for a quadratic up to rounding: A*theta + b = [0; -6.5].
    np.testing.assert_allclose(numgrad, [[0.0], [-6.5]], rtol=0, atol=1e-10)
    np.testing.assert_array_equal(theta, kept)  # theta is not modified
    assert len(calls) == 4
    # Element p is moved down, then up, by e; the others are untouched.
    np.testing.assert_array_equal(calls[0], [[0.5 - 1e-4], [-2.0]])
    np.testing.assert_array_equal(calls[1], [[0.5 + 1e-4], [-2.0]])
    np.testing.assert_array_equal(calls[3], [[0.5], [-2.0 + 1e-4]])


def test_non_scalar_cost_and_bad_e_are_rejected():
    with pytest.raises(ValueError, match="scalar cost"):
        compute_numerical_gradient(lambda t: t, np.ones(2))
    with pytest.raises(OptionError):
        compute_numerical_gradient(lambda t: 0.0, np.ones(2), e=0)


def test_relative_difference_hand_worked():
    assert relative_difference([1.0, 0.0], [0.0, 1.0]) == 1.0  # sqrt(2)/sqrt(2)
    assert relative_difference([3.0, 4.0], [0.0, 0.0]) == 1.0
    assert relative_difference([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_difference([0.0], [0.0]) == 0.0
    assert relative_difference([2.0], [1.0]) == pytest.approx(1 / 3)
    assert relative_difference([1.0, -2.0], [-1.0, 2.0]) == math.inf  # MATLAB's x / 0


def test_debug_problem_is_checknngradients_data():
    nn_params, X, y = debug_problem(3, 5, 3, 5)
    assert nn_params.shape == (5 * 4 + 3 * 6,)
    assert X.shape == (5, 3)
    # X = reshape(sin(1:15), 5, 3) / 10, filled column by column.
    assert X[0, 0] == math.sin(1) / 10
    assert X[1, 0] == math.sin(2) / 10
    assert X[0, 1] == math.sin(6) / 10
    assert y.shape == (5, 1)
    np.testing.assert_array_equal(y.ravel(), [2, 3, 1, 2, 3])  # 1 + mod(1:5, 3)
    # Theta1 = reshape(sin(1:20), 5, 4)/10 comes first, column-major, then Theta2.
    assert nn_params[0] == math.sin(1) / 10
    assert nn_params[19] == math.sin(20) / 10
    assert nn_params[20] == math.sin(1) / 10
    with pytest.raises(OptionError):
        debug_problem(0, 5, 3, 5)


@pytest.mark.parametrize("lambda_", [0.0, 3.0])
def test_check_nn_gradients_is_below_1e9(lambda_):
    numgrad, grad, diff = check_nn_gradients(lambda_)
    assert numgrad.shape == grad.shape == (38,)
    assert diff < TOLERANCE
    assert diff == relative_difference(numgrad, grad)
    # The gradient the check used is the network's own at the debug point.
    p, X, y = debug_problem()
    np.testing.assert_array_equal(grad, nn_cost_function(p, 3, 5, 3, X, y, lambda_)[1])


def test_check_nn_gradients_other_sizes_and_binary_output():
    assert check_nn_gradients(
        1.0, input_layer_size=4, hidden_layer_size=2, num_labels=4, m=7
    ).passed
    assert check_nn_gradients(num_labels=1).passed  # y is all 1: a valid 0/1 target


def test_a_wrong_gradient_fails_the_check():
    def off_by_one_percent(*args):
        J, grad = nn_cost_function(*args)
        return J, grad * 1.01

    result = check_nn_gradients(cost_function=off_by_one_percent)
    # numgrad ~ g and grad = 1.01 g: diff = 0.01 / 2.01, whatever g is.
    assert result.relative_difference == pytest.approx(0.01 / 2.01, rel=1e-6)
    assert not result.passed


def test_bad_lambda_is_an_option_error():
    with pytest.raises(OptionError):
        check_nn_gradients(-1.0)
    with pytest.raises(OptionError):
        check_nn_gradients(float("nan"))


OCTAVE_CHECK = r"""
1;
function [J, grad] = netcost(p, il, hl, K, X, y, lambda)
  T1 = reshape(p(1:hl*(il+1)), hl, il+1);
  T2 = reshape(p(hl*(il+1)+1:end), K, hl+1);
  m = rows(X);
  A1 = [ones(m,1) X];
  A2 = [ones(m,1) 1 ./ (1 + exp(-A1*T1'))];
  H = 1 ./ (1 + exp(-A2*T2'));
  Y = double(y == (1:K));
  R = sumsq(T1(:,2:end)(:)) + sumsq(T2(:,2:end)(:));
  J = sum(sum(-Y .* log(H) - (1 - Y) .* log(1 - H))) / m + lambda / (2*m) * R;
  D3 = H - Y;
  D2 = (D3 * T2(:,2:end)) .* (A2(:,2:end) .* (1 - A2(:,2:end)));
  G1 = D2' * A1 / m;  G2 = D3' * A2 / m;
  G1(:,2:end) += lambda / m * T1(:,2:end);
  G2(:,2:end) += lambda / m * T2(:,2:end);
  grad = [G1(:); G2(:)];
end
il = 3; hl = 5; K = 3; m = 5; lambda = LAMBDA;
W = @(fo, fi) reshape(sin(1:fo*(1+fi)), fo, 1+fi) / 10;
X = W(m, il-1); y = 1 + mod(1:m, K)';
p = [W(hl, il)(:); W(K, hl)(:)];
[J, grad] = netcost(p, il, hl, K, X, y, lambda);
numgrad = zeros(size(p)); e = 1e-4;
for k = 1:numel(p)
  d = zeros(size(p)); d(k) = e;
  numgrad(k) = (netcost(p + d, il, hl, K, X, y, lambda) - ...
                netcost(p - d, il, hl, K, X, y, lambda)) / (2*e);
end
reldiff = norm(numgrad - grad) / norm(numgrad + grad);
save('-v7', 'OUT', 'numgrad', 'grad', 'reldiff', 'X', 'y');
"""


@needs_octave
@pytest.mark.parametrize("lambda_", [0.0, 3.0])
def test_matches_the_procedure_run_in_octave(tmp_path, lambda_):
    out = tmp_path / "octave.mat"
    script = tmp_path / "check.m"
    script.write_text(OCTAVE_CHECK.replace("LAMBDA", repr(lambda_)).replace("OUT", str(out)))
    subprocess.run(["octave-cli", "--no-gui", str(script)], check=True, capture_output=True)
    ref = scipy.io.loadmat(out)
    numgrad, grad, diff = check_nn_gradients(lambda_)
    p, X, y = debug_problem()
    np.testing.assert_allclose(X, ref["X"], rtol=1e-15)
    np.testing.assert_array_equal(y, ref["y"])
    np.testing.assert_allclose(grad, ref["grad"].ravel(), rtol=1e-12, atol=1e-16)
    # Central differences divide cost rounding (~1e-16) by 2e-4.
    np.testing.assert_allclose(numgrad, ref["numgrad"].ravel(), rtol=0, atol=1e-11)
    octave_diff = float(ref["reldiff"][0, 0])
    assert octave_diff < TOLERANCE and diff < TOLERANCE
    # Each engine's numerical gradient also passes against the other's analytical one.
    assert relative_difference(numgrad, ref["grad"]) < TOLERANCE
    assert relative_difference(ref["numgrad"], grad) < TOLERANCE
