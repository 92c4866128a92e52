"""The public Python functions refuse bad arguments with nn3's errors, never numpy's.

A user who passes text where numbers are expected, a negative lambda, a callable that is not
one, or sizes that cannot be allocated gets an :class:`nn3.Nn3Error` in one line (a
:class:`~nn3.errors.ParameterError` naming the parameter where it is a setting), as the command
line would show it; lists of numbers are accepted wherever arrays are (``array_like``).
"""

import numpy as np
import pytest

import nn3
from nn3.errors import DataError, Nn3Error, ObjectiveError, ParameterError

X = np.random.default_rng(0).random((6, 2))
Y = np.array([1, 2, 1, 2, 1, 2.0])
T1, T2 = np.zeros((3, 3)), np.zeros((2, 4))


@pytest.mark.parametrize(
    "call, error, parameter",
    [
        (lambda: nn3.fit(X, Y, normalize="no", maxiter=1), ParameterError, "normalize"),
        (lambda: nn3.fit(X, Y, normalize="yes", maxiter=1), ParameterError, "normalize"),
        (lambda: nn3.fit(X, Y, lambda_=-1, maxiter=1), ParameterError, "lambda_"),
        (lambda: nn3.fit(X, Y, rng="numpy", maxiter=1), ParameterError, "rng"),
        (lambda: nn3.fit(X, Y, method=None, maxiter=1), ParameterError, "method"),
        (lambda: nn3.fit(X, Y, engine="gpu", maxiter=1), ParameterError, "engine"),
        (lambda: nn3.fit(X, Y, x_var=3, maxiter=1), ParameterError, "x_var"),
        (lambda: nn3.fit(X, None, maxiter=1), DataError, None),
        (lambda: nn3.train(X, Y, initial_params="abc", maxiter=1), DataError, None),
        (lambda: nn3.train(X, Y, hidden_layer_size=10**9, maxiter=1), ParameterError,
         "hidden_layer_size"),
        (lambda: nn3.make_objective("X", Y, 2, 3, 2), DataError, None),
        (lambda: nn3.make_objective(X, Y, 2, 3, 2, -1.0), ParameterError, "lambda_"),
        (lambda: nn3.make_objective(X, Y, 2, 3, 2, engine="gpu"), ParameterError, "engine"),
        (lambda: nn3.make_objective(X, Y, 2, 3, 2, engine="stream", precision="single"),
         ParameterError, "precision"),
        (lambda: nn3.sigmoid("x"), DataError, None),
        (lambda: nn3.sigmoid_gradient(["a", "b"]), DataError, None),
        (lambda: nn3.sigmoid(1 + 2j), DataError, None),
        (lambda: nn3.fmincg(lambda x: (0.0, x), "abc"), DataError, None),
        (lambda: nn3.fmincg(3, [1.0]), ObjectiveError, None),
        (lambda: nn3.rand_initialize_weights(10**6, 10**6), ParameterError, "L_out"),
        (lambda: nn3.debug_initialize_weights(10**6, 10**6), ParameterError, "fan_out"),
        (lambda: nn3.MatlabRNG(0).rand(10**6, 10**6), ParameterError, "m"),
        (lambda: nn3.MatlabRNG(0).rand("a"), Nn3Error, None),
        (lambda: nn3.compute_numerical_gradient(lambda t: 0.0, "abc"), DataError, None),
        (lambda: nn3.compute_numerical_gradient(3, [1.0]), ObjectiveError, None),
        (lambda: nn3.compute_numerical_gradient(lambda t: "cost", [1.0]), ObjectiveError, None),
        (lambda: nn3.check_nn_gradients(lambda_=-1), ParameterError, "lambda_"),
        (lambda: nn3.check_nn_gradients(input_layer_size=10**5, hidden_layer_size=10**5),
         ParameterError, "m"),
        (lambda: nn3.fit(X, Y, maxiter=1).model.predict("abc"), DataError, None),
        (lambda: nn3.holdout_split(Y, -0.5), ParameterError, "fraction"),
    ],
)  # fmt: skip
def test_bad_arguments_raise_nn3_errors(call, error, parameter):
    with pytest.raises(Nn3Error) as info:
        call()
    assert isinstance(info.value, error), repr(info.value)
    assert getattr(info.value, "parameter", None) == parameter
    assert "\n" not in str(info.value) and "--" not in str(info.value)


# nn3.core.network converts its arguments with numpy; the public names (nn3.core.public) check
# them with nn3.validation.as_real_array first.
@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: nn3.predict("a", "b", "c"), "Theta1"),
        (lambda: nn3.predict_proba(T1, T2, [["a", "b"]]), "X"),
        (lambda: nn3.cost_function("X", "y", T1, T2), "X"),
        (lambda: nn3.nn_cost_function(np.zeros(17), 2, 3, 2, X, ["a"] * 6), "y"),
        (lambda: nn3.roll("abc", 2, 3, 2), "nn_params"),
        (lambda: nn3.unroll(T1, [[1, 2], [3]]), "Theta2"),
        (lambda: nn3.accuracy("ab", "ab"), "p"),
        (lambda: nn3.accuracy([1, 2], [1j, 2]), "y"),
    ],
)
def test_network_functions_refuse_text_with_nn3_errors(call, argument):
    with pytest.raises(DataError, match=f"^{argument} must be a real numeric array"):
        call()


def test_network_functions_take_arrays_and_lists_as_before():
    from nn3.core import network

    assert nn3.predict.__wrapped__ is network.predict
    assert nn3.predict.__doc__ == network.predict.__doc__
    p = nn3.predict(T1, T2, X)
    assert np.array_equal(p, network.predict(T1, T2, X))
    assert np.array_equal(nn3.predict(T1.tolist(), T2.tolist(), X.tolist()), p)
    params = nn3.unroll(T1, T2)
    J, grad = nn3.nn_cost_function(params, 2, 3, 2, X, Y, 1.0)
    J0, grad0 = network.nn_cost_function(params, 2, 3, 2, X, Y, 1.0)
    assert J == J0 and np.array_equal(grad, grad0)
    assert nn3.accuracy([1, 2], [1, 1]) == 50.0


def test_lists_are_arrays():
    from_arrays = nn3.fit(X, Y, hidden_layer_size=3, maxiter=3)
    from_lists = nn3.fit(X.tolist(), Y.tolist(), hidden_layer_size=3, maxiter=3)
    assert np.array_equal(from_lists.nn_params, from_arrays.nn_params)
    trained = nn3.train(X.tolist(), tuple(Y), hidden_layer_size=3, maxiter=3)
    assert np.array_equal(trained.nn_params, from_arrays.nn_params)
    with pytest.raises(DataError, match="rows differ in length"):
        nn3.train([[1.0, 2.0], [3.0]], [1, 2], maxiter=1)
    assert nn3.sigmoid([0.0, 0.0]).tolist() == [0.5, 0.5]


def test_normalize_no_is_refused_before_anything_is_read(tmp_path):
    """A string is truthy: normalize="no" used to turn scaling on."""
    with pytest.raises(ParameterError, match=r"^normalize must be True or False, got 'no'$"):
        nn3.fit(tmp_path / "missing.mat", normalize="no")
    assert nn3.fit(X, Y, hidden_layer_size=3, maxiter=2, normalize=0).mu is None
    assert nn3.fit(X, Y, hidden_layer_size=3, maxiter=2, normalize=np.True_).mu is not None
