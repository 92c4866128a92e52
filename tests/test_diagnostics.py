"""nn3.workflow.diagnostics: the majority-class rate, the learned-nothing/Inf/stalled-cost warnings.

Also defines :func:`nonlinear_disc_set`, the data set of the warning's end-to-end test
(importable: ``from test_diagnostics import nonlinear_disc_set``).
"""

import numpy as np
import pytest
from click.testing import CliRunner

import nn3
from nn3.cli import cli
from nn3.cli._common import error_message
from nn3.workflow.diagnostics import (
    infinite_cost_warning,
    learned_nothing_warning,
    majority_rate,
    stalled_cost_warning,
    training_warnings,
)


def nonlinear_disc_set(m=863):
    """A 2-D set whose class 1 is a disc, laid out like ex6data2 (x1 in [0, 1), x2 in [0.4, 1)).

    In MATLAB (``i = (1:m)'``)::

        a = mod(97*i, 200); b = mod(61*i + 7, 197);
        X = [a / 200, (394 + 3*b) / 985];
        y = double((a - 94).^2 * 3880900 + (6*b - 591).^2 * 40000 < 9314160000);

    i.e. ``(x1 - 0.47)^2 + (x2 - 0.7)^2 < 0.06`` in exact integers, each feature one correctly
    rounded division: identical in every IEEE-754 engine. The disc sits near the line of
    symmetry x1 = 0.5, so at nn3's defaults fmincg spends its first 50 iterations on the
    plateau where the network answers the majority class (69.06% of the labels): 69.06%
    training accuracy at 50 iterations, 83.78% at 1000 (measured in
    ``test_warning_fires_at_50_iterations_not_at_1000``; the same at seeds 1, 2 and 3, so the
    outcome does not hang on one starting point).

    Returns
    -------
    X : ndarray of shape (m, 2), float64
    y : ndarray of shape (m, 1), float64, 0/1
    """
    i = np.arange(1, m + 1, dtype=np.int64)[:, None]
    a = (97 * i) % 200
    b = (61 * i + 7) % 197
    X = np.hstack([a / 200, (394 + 3 * b) / 985])
    inside = (a - 94) ** 2 * 3880900 + (6 * b - 591) ** 2 * 40000 < 9314160000
    return X, inside.astype(np.float64)


# ---------------------------------------------------------------------------------------------
# majority_rate
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "y, rate",
    [
        ([1, 1, 1, 0], 75.0),
        ([1, 2, 3, 3, 3, 2, 1, 3], 50.0),  # 3 occurs 4 times in 8
        (np.array([[2.0], [2.0], [7.0]]), 200.0 / 3),
        (["cat", "dog", "dog"], 200.0 / 3),
        ([5], 100.0),
    ],
)
def test_majority_rate(y, rate):
    assert majority_rate(y) == rate


def test_majority_rate_needs_labels():
    with pytest.raises(ValueError):
        majority_rate([])


# ---------------------------------------------------------------------------------------------
# The learned-nothing warning
# ---------------------------------------------------------------------------------------------


def test_ex6data2_at_the_defaults_fires_with_both_rates_and_remedies():
    # ex6data2 at the defaults: 56.08% against a majority class of 55.6%.
    message = learned_nothing_warning(56.08, 55.6, maxiter=50, hidden_layer_size=25)
    start = (
        "training accuracy 56.08% is within 1 point of the majority-class rate 55.60% (always "
        "predicting the most common label): the network has likely learned nothing; try more "
    )
    # In Python's words the remedies name the parameters; on the command line, the options.
    assert message == start + (
        "iterations (maxiter, now 50), feature scaling (normalize=True) or more hidden units "
        "(hidden_layer_size, now 25)"
    )
    assert error_message(message) == start + (
        "iterations (--maxiter, now 50), feature scaling (--normalize) or more hidden units "
        "(--hidden, now 25)"
    )


def test_scaling_is_not_suggested_where_it_is_impossible():
    message = learned_nothing_warning(50.0, 50.0, maxiter=50, scaling_possible=False)
    assert "normalize" not in message and "scaling" not in message


@pytest.mark.parametrize(
    "accuracy, majority, fires",
    [
        (56.6, 55.6, True),  # exactly 1 point above
        (56.61, 55.6, False),
        (54.6, 55.6, True),  # 1 point below
        (37.43, 52.72, True),  # far below: worse than always answering the majority
        (97.22, 55.6, False),  # ex6data2 at 1000 iterations
        (100.0, 100.0, False),  # one class: nothing to learn, nothing to say
    ],
)
def test_threshold(accuracy, majority, fires):
    assert (learned_nothing_warning(accuracy, majority) is not None) is fires


def test_below_majority_says_below_and_normalized_drops_the_hint():
    message = learned_nothing_warning(37.43, 52.72, normalized=True)
    assert message.startswith("training accuracy 37.43% is below the majority-class rate 52.72%")
    assert "normalize" not in message and message.endswith("try more hidden units")


# ---------------------------------------------------------------------------------------------
# The stalled-cost warning
# ---------------------------------------------------------------------------------------------


def test_flat_last_tenth_fires():
    # 20 iterations: the window is the last 2 (ceil(0.1 * 20)); J(18) = J(20) * (1 + 5e-7).
    J = np.concatenate([np.linspace(2.0, 0.7, 18), [0.69314718 * (1 + 5e-7), 0.69314718]])
    J[17] = 0.69314718 * (1 + 5e-7)
    message = stalled_cost_warning(J, hidden_layer_size=25)
    assert message is not None
    assert message.startswith(
        "the cost has not moved in the last 2 of 20 iterations (6.931475e-01 -> 6.931472e-01, "
        "relative change below 1e-06)"
    )
    assert "maxiter" not in message and "normalize=True" in message and "now 25" in message
    assert "--normalize" in error_message(message) and "--" not in message


def test_moving_cost_is_silent():
    J = np.concatenate([np.linspace(2.0, 0.7, 18), [0.7 * (1 - 2e-6), 0.7 * (1 - 4e-6)]])
    assert stalled_cost_warning(J) is None


def test_slow_steady_progress_is_not_a_stall():
    # 1e-7 relative per iteration, 100 iterations: each step is below 1e-6, the window of 10
    # is 1e-6 in all: compared end to end it moved.
    J = 0.5 * (1 - 1.01e-7) ** np.arange(100)
    assert stalled_cost_warning(J) is None


def test_window_boundaries():
    assert stalled_cost_warning([1.0]) is None  # nothing to compare
    assert stalled_cost_warning([1.0, 1.0]) is not None
    # 50 iterations: the window is 5, J(45) against J(50); J(44) may differ.
    J = np.r_[np.linspace(3, 1.1, 44), np.ones(6)]
    assert "last 5 of 50" in stalled_cost_warning(J)
    J = np.r_[np.linspace(3, 1.1, 45), np.ones(5)]
    assert stalled_cost_warning(J) is None


def test_training_warnings_collects_both():
    majority, found = training_warnings([1, 1, 1, 0], 75.0, [1.0, 0.9, 0.9], maxiter=3)
    assert majority == 75.0 and len(found) == 2
    majority, found = training_warnings([1, 1, 1, 0], 100.0, [1.0, 0.5])
    assert found == []


def test_infinite_cost_warning_fires_on_inf_only():
    cost = float("inf")
    message = infinite_cost_warning(cost)
    assert message is not None and "Inf" in message and "epsilon_init, init" in message
    assert "normalize=True" in message
    assert "--epsilon, --init" in error_message(message)  # the CLI's names
    for finite in (0.0, 2.5, 1e308, None, float("nan")):  # NaN is a failure, not this warning
        assert infinite_cost_warning(finite) is None
    assert "normalize" not in infinite_cost_warning(cost, normalized=True)
    assert "normalize" not in infinite_cost_warning(cost, scaling_possible=False)


@pytest.mark.parametrize("scale", [1e20, 1e300])  # outputs saturated at 1; 1e300: squares overflow
def test_a_run_whose_cost_stays_inf_says_so_and_nothing_else(tmp_path, scale):
    X, y = nonlinear_disc_set()
    init = _inf_start(tmp_path, scale)
    result = nn3.fit(X, y, init=init, maxiter=5)
    assert np.isinf(result.optimize_result.fun)
    assert len(result.warnings) == 1 and str(result.warnings[0]).startswith("the cost is Inf")
    r = CliRunner().invoke(
        cli, ["train", str(_disc_file(tmp_path)), "--init", str(init), "--maxiter", "5", "-q",
              "--out", str(tmp_path / "w.mat")],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    warnings = [line for line in r.stderr.splitlines() if line.startswith("nn3: warning:")]
    assert len(warnings) == 1 and "the cost is Inf" in warnings[0]
    assert "(--epsilon, --init) or scale the features (--normalize)" in warnings[0]


def _inf_start(tmp_path, scale):
    """Starting weights all ``scale`` for the nonlinear set (2-25-1: labels 0/1, one output
    unit) in a .mat file of ``tmp_path``, checked to give the cost Inf."""
    X, y = nonlinear_disc_set()
    Theta1, Theta2 = np.full((25, 3), scale), np.full((1, 26), scale)
    start = nn3.nn_cost_function(nn3.unroll(Theta1, Theta2), 2, 25, 1, X, y, 1.0)[0]
    assert np.isinf(start)  # h == 1 exactly where y == 0: log(0)
    path = tmp_path / f"start_{scale:g}.mat"
    nn3.save_mat(path, {"Theta1": Theta1, "Theta2": Theta2})
    return path


def _disc_file(tmp_path):
    """The nonlinear set as a .mat file in ``tmp_path``."""
    X, y = nonlinear_disc_set()
    path = tmp_path / "disc.mat"
    nn3.save_mat(path, {"X": X, "y": y})
    return path


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning")
def test_a_run_that_leaves_an_inf_start_gives_no_inf_warning(tmp_path):
    X, y = nonlinear_disc_set()
    init = _inf_start(tmp_path, 1e3)
    result = nn3.fit(X, y, init=init, maxiter=5)  # fmincg accepts any finite cost after Inf
    assert np.isfinite(result.optimize_result.fun)
    assert not any("Inf" in str(w) for w in result.warnings)


# ---------------------------------------------------------------------------------------------
# End to end: nn3.train on the nonlinear set
# ---------------------------------------------------------------------------------------------


def test_warning_fires_at_50_iterations_not_at_1000():
    X, y = nonlinear_disc_set()
    assert X.shape == (863, 2) and 0 <= X.min() and X.max() < 1
    majority = majority_rate(y)
    assert y.sum() == 267 and round(majority, 2) == 69.06  # 596 of 863 outside the disc
    short = nn3.train(X, y, maxiter=50)
    assert learned_nothing_warning(short.train_accuracy, majority, maxiter=50) is not None
    long = nn3.train(X, y, maxiter=1000)
    assert long.train_accuracy >= 80.0
    assert learned_nothing_warning(long.train_accuracy, majority, maxiter=1000) is None
