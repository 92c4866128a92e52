"""nn3/validation.py: one table of settings, one error naming the parameter."""

import numpy as np
import pytest

import nn3
from nn3.errors import Nn3Error, OptionError, ParameterError
from nn3.validation import SETTINGS, format_value, validate, validate_params

X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
Y = np.array([1.0, 1.0, 2.0, 2.0])


@pytest.mark.parametrize(
    "call, parameter",
    [
        (lambda: nn3.MatlabRNG(-1), "seed"),
        (lambda: nn3.MatlabRNG(2.5), "seed"),
        (lambda: nn3.train(X, Y, hidden_layer_size=2.5, maxiter=1), "hidden_layer_size"),
        (lambda: nn3.train(X, Y, hidden_layer_size=2, maxiter=2.5), "maxiter"),
        (lambda: nn3.train(X, Y, num_labels=2.5, maxiter=1), "num_labels"),
        (lambda: nn3.train(X, Y, lambda_=-1, maxiter=1), "lambda_"),
        (lambda: nn3.train(X, Y, seed=1.5, maxiter=1), "seed"),
        (lambda: nn3.fmincg(lambda x: (0.0, x), [1.0], maxiter=2.5), "maxiter"),
        (lambda: nn3.rand_initialize_weights(2.5, 3), "L_in"),
        (lambda: nn3.rand_initialize_weights(2, 3, epsilon_init=0), "epsilon_init"),
        (lambda: nn3.debug_initialize_weights(2, 1.5), "fan_in"),
        (lambda: nn3.roll(np.zeros(9), 2, 2.5, 1), "hidden_layer_size"),
        (lambda: nn3.nn_cost_function(np.zeros(9), 2.5, 2, 1, X, Y), "input_layer_size"),
        (lambda: nn3.make_objective(X, Y, 2, 2, 2, lambda_=float("nan")), "lambda_"),
        (lambda: nn3.cost_function(X, Y, np.zeros((2, 3)), np.zeros((2, 3)), -1.0), "lambda_"),
        (lambda: nn3.holdout_split(Y, 0.5, seed=2.5), "seed"),
        (lambda: nn3.holdout_split(Y, 1.5), "fraction"),
        (lambda: nn3.check_nn_gradients(hidden_layer_size=2.5), "hidden_layer_size"),
        (lambda: nn3.compute_numerical_gradient(lambda t: 0.0, [1.0], e=0), "e"),
        (lambda: nn3.plot.grid_shape(5, 1.5), "rows"),
        (lambda: nn3.plot.tile_shape(6, 1.5), "example_width"),
    ],
)
def test_user_mistakes_raise_a_parameter_error_naming_the_parameter(call, parameter):
    with pytest.raises(ParameterError) as info:
        call()
    assert info.value.parameter == parameter
    assert str(info.value).startswith(f"{parameter} must be")
    # One hierarchy for user errors; still a ValueError/TypeError for code written before.
    assert isinstance(info.value, OptionError) and isinstance(info.value, Nn3Error)
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)


def test_whole_numbers_are_refused_never_truncated():
    assert validate("hidden_layer_size", 2.0) == 2 and type(validate("maxiter", 2.0)) is int
    assert validate("seed", np.uint32(7)) == 7
    assert validate("hidden_layer_size", np.array([[25.0]])) == 25  # a MATLAB scalar
    for bad in (2.5, 2.0000001, float("inf"), float("nan"), "2", True, np.array([1, 2]), None):
        with pytest.raises(ParameterError, match="must be a whole number"):
            validate("hidden_layer_size", bad)
    # maxiter 2.0 runs 2 line searches; 2.5 used to run as 2.
    assert nn3.fmincg(lambda x: (float(x @ x), 2 * x), [3.0, 1.0], maxiter=2.0).nit <= 2


def test_ranges_and_messages():
    with pytest.raises(ParameterError, match=r"^hidden_layer_size must be at least 1, got 0$"):
        validate("hidden_layer_size", 0)
    with pytest.raises(ParameterError, match=r"^maxiter must be non-zero"):
        validate("maxiter", 0)
    assert validate("maxiter", -3) == -3  # negative counts function evaluations
    with pytest.raises(ParameterError, match=r"seed must be in 0\.\.4294967295 .*got 4294967296"):
        validate("seed", 2**32)
    assert validate("seed", 2**32 - 1) == 2**32 - 1
    for bad in (0.0, 1.0, -0.1):
        with pytest.raises(ParameterError):
            validate("fraction", bad)
    assert validate("lambda_", 0) == 0.0 and type(validate("lambda_", 1)) is float
    with pytest.raises(ParameterError, match=r"lambda_ must be a non-negative number, got inf"):
        validate("lambda_", float("inf"))
    assert validate_params(seed=None, lambda_=3) == {"lambda_": 3.0}


def test_format_value_is_exact():
    assert format_value(2.5) == "2.5" and format_value(-0.5) == "-0.5"
    assert format_value(2.0000001) == "2.0000001"  # never shown as 2
    assert format_value(0.0) == "0" and format_value(np.int64(-1)) == "-1"
    assert format_value(float("nan")) == "nan" and format_value("2") == "'2'"


def test_every_setting_is_well_formed():
    for name, setting in SETTINGS.items():
        assert setting.name == name and setting.requirement.startswith("must be")
        assert setting.kind in ("int", "real", "choice", "bool", "text", "path")
        assert bool(setting.ranges) == (setting.kind in ("int", "real"))
        assert (setting.options is not None) == (setting.kind == "choice")


def test_the_choices_of_the_table_are_the_ones_the_code_takes():
    from nn3.core.network import PRECISIONS
    from nn3.core.octave_rng import ENGINES as RNG_ENGINES

    assert SETTINGS["precision"].options.choices == tuple(PRECISIONS)
    assert SETTINGS["rng"].options.choices == tuple(RNG_ENGINES)
    assert SETTINGS["engine"].options.choices == nn3.engines.ENGINES
    assert validate("rng", "Octave") == "octave"  # MATLAB's names, any case
    with pytest.raises(ParameterError, match=r"^engine must be one of 'memory', 'stream', 'dask'"):
        validate("engine", "Stream")  # the others exactly


def test_a_row_can_be_checked_under_another_name():
    with pytest.raises(ParameterError, match=r"^rows must be at least 1, got 0$") as info:
        validate("rows", 0, row="m")  # make_data's rows are examples, not a picture's rows
    assert info.value.parameter == "rows"


def test_feature_count_is_checked_in_one_way():
    Theta1, Theta2 = np.zeros((2, 4)), np.zeros((2, 3))
    for call in (
        lambda: nn3.predict(Theta1, Theta2, X),
        lambda: nn3.cost_function(X, Y, Theta1, Theta2),
        lambda: nn3.make_objective(X, Y, 3, 2, 2),
    ):
        with pytest.raises(
            nn3.DataError, match=r"X has 2 features, but Theta1 is 2x4 and expects 3"
        ):
            call()
