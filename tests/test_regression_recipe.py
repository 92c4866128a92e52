"""The regression-test recipe (docs/how-to/regression-tests.md) run as a user would: Octave
saves, nn3 is held to it.

GNU Octave (reference BLAS) runs the repository's own ``matlab_ref/nnCostFunction.m`` and
``predict.m`` on the course's ``ex4weights.mat`` (400-25-10) and the bundled digits enlarged to
20x20 pixels (1797x400, nearest neighbour), and saves ``J``, ``grad`` and ``p`` as the page's
recipe does. nn3 (numpy, OpenBLAS) must pass with the recipe's tolerances, and a port with a real
error must fail them: a regularised bias column, row-major unrolling, an off-by-one label. A
plain numpy port (below) with the errors switched off must pass, so the failures come from the
errors, not from that port.
"""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import nn3
from nn3.testing import assert_mat_allclose

ROOT = Path(__file__).resolve().parents[1]
EX4WEIGHTS = ROOT.parent / "shared" / "matfiles" / "ex4weights.mat"
OCTAVE = shutil.which("octave-cli")

pytestmark = [
    pytest.mark.needs_octave,
    pytest.mark.needs_shared,
]

RECIPE = """
addpath('{ref}');
load('{weights}');                               % Theta1 (25x401), Theta2 (10x26)
load('mydata.mat');                              % X (m x 400), y (m x 1, labels 1..10)
nn_params = [Theta1(:); Theta2(:)];
[J, grad] = nnCostFunction(nn_params, 400, 25, 10, X, y, 1);
p = predict(Theta1, Theta2, X);
save('-v7', 'matlab_expected.mat', 'J', 'grad', 'p');
"""


def digits_20x20():
    """The 8x8 digits enlarged to 20x20 (nearest neighbour), unrolled column-major as ex4's."""
    d = nn3.load_mat(ROOT / "data" / "digits.mat")
    src = (np.arange(20) * 8) // 20  # the 8x8 pixel each of the 20 rows (or columns) shows
    columns = (src[:, None] + 8 * src[None, :]).ravel(order="F")
    return np.ascontiguousarray(d["X"][:, columns]), d["y"]


@pytest.fixture(scope="module")
def recipe(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recipe")
    X, y = digits_20x20()
    nn3.save_mat(folder / "mydata.mat", {"X": X, "y": y})
    script = RECIPE.format(ref=ROOT / "matlab_ref", weights=EX4WEIGHTS)
    r = subprocess.run(
        [OCTAVE, "--no-gui", "--norc", "--quiet", "--eval", script],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    w = nn3.load_mat(EX4WEIGHTS)
    return folder / "matlab_expected.mat", w["Theta1"], w["Theta2"], X, y


def port(Theta1, Theta2, X, y, lambda_=1.0, bias_regularised=False, row_major=False, shift=0):
    """nnCostFunction and predict in plain numpy, with a real error switched on on request."""
    m, K = X.shape[0], Theta2.shape[0]
    labels = np.asarray(y).ravel().astype(int)
    a1 = np.hstack([np.ones((m, 1)), X])
    a2 = np.hstack([np.ones((m, 1)), 1 / (1 + np.exp(-(a1 @ Theta1.T)))])
    h = 1 / (1 + np.exp(-(a2 @ Theta2.T)))
    Y = np.eye(K)[(labels - 1 + shift) % K]  # shift=1: label k taken as k+1
    J = -np.sum(Y * np.log(h) + (1 - Y) * np.log(1 - h)) / m
    first = 0 if bias_regularised else 1
    J += lambda_ / (2 * m) * (np.sum(Theta1[:, first:] ** 2) + np.sum(Theta2[:, first:] ** 2))
    d3 = h - Y
    d2 = (d3 @ Theta2)[:, 1:] * a2[:, 1:] * (1 - a2[:, 1:])
    G1, G2 = d2.T @ a1 / m, d3.T @ a2 / m
    G1[:, first:] += lambda_ / m * Theta1[:, first:]
    G2[:, first:] += lambda_ / m * Theta2[:, first:]
    order = "C" if row_major else "F"
    grad = np.concatenate([G1.ravel(order=order), G2.ravel(order=order)])
    p = np.argmax(h, axis=1) + 1 - shift  # shift=1: 0-based labels
    return J, grad, p


def check(expected, J, grad, p):
    """The README recipe's assertions."""
    assert_mat_allclose(J, (expected, "J"))
    assert_mat_allclose(grad, (expected, "grad"), relative_to="max")
    assert_mat_allclose(p, (expected, "p"), ulps=0)


def test_nn3_passes_the_recipe_against_octave(recipe):
    expected, Theta1, Theta2, X, y = recipe
    params = nn3.unroll(Theta1, Theta2)
    J, grad = nn3.nn_cost_function(params, 400, 25, 10, X, y, lambda_=1.0)
    check(expected, J, grad, nn3.predict(Theta1, Theta2, X))


def test_the_plain_port_without_errors_passes(recipe):
    expected, Theta1, Theta2, X, y = recipe
    check(expected, *port(Theta1, Theta2, X, y))


@pytest.mark.parametrize(
    ("error", "variable"),
    [
        ({"bias_regularised": True}, "J"),
        ({"row_major": True}, "grad"),
        ({"shift": 1}, "J"),
    ],
    ids=["regularised bias column", "row-major unrolling", "off-by-one label"],
)
def test_a_real_error_fails_the_recipe(recipe, error, variable):
    expected, Theta1, Theta2, X, y = recipe
    with pytest.raises(AssertionError, match=f"'{variable}' of"):
        check(expected, *port(Theta1, Theta2, X, y, **error))


def test_each_real_error_fails_on_its_own_variable(recipe):
    """Not only the first assertion: each error moves the variable it must move."""
    expected, Theta1, Theta2, X, y = recipe
    e = nn3.load_mat(expected)
    J, grad, p = port(Theta1, Theta2, X, y, bias_regularised=True)
    with pytest.raises(AssertionError):
        assert_mat_allclose(J, e["J"])
    with pytest.raises(AssertionError):
        assert_mat_allclose(grad, e["grad"], relative_to="max")
    J, grad, p = port(Theta1, Theta2, X, y, shift=1)
    with pytest.raises(AssertionError):
        assert_mat_allclose(grad, e["grad"], relative_to="max")
    with pytest.raises(AssertionError):
        assert_mat_allclose(p, e["p"], ulps=0)
    _, grad, _ = port(Theta1, Theta2, X, y, row_major=True)
    with pytest.raises(AssertionError):
        assert_mat_allclose(grad, e["grad"], relative_to="max", rtol=1e-3)
