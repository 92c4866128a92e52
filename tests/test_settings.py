"""The training settings: one frozen object, checked once where a run starts, trusted below.

The count is taken by wrapping :meth:`nn3.validation.Setting.check`, the one function every row
of the table is checked by (``validate``, ``validate_params`` and ``TrainingSettings`` all go
through it), and :meth:`TrainingSettings.__post_init__`; each call is attributed to the nn3 module
that asked for it.
"""

import collections
import dataclasses
import inspect
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import nn3
import nn3.validation
from nn3.cli import cli
from nn3.errors import ParameterConflictError, ParameterError
from nn3.settings import TrainingSettings

DATA = Path(__file__).resolve().parent.parent / "data"
FIELDS = [f.name for f in dataclasses.fields(TrainingSettings)]


# --- the object --------------------------------------------------------------------------------


def test_settings_convert_and_are_frozen():
    s = TrainingSettings(hidden_layer_size=4.0, maxiter=np.int64(3), rng="MATLAB", normalize=1)
    assert (s.hidden_layer_size, s.maxiter, s.rng, s.normalize) == (4, 3, "matlab", True)
    assert type(s.hidden_layer_size) is int and type(s.lambda_) is float
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.maxiter = 5  # type: ignore[misc]
    assert TrainingSettings().hidden == 25 and s.hidden == 4
    assert s.given() == {"hidden_layer_size": 4, "maxiter": 3, "normalize": True}


@pytest.mark.parametrize(
    "field, value",
    [
        ("normalize", "no"),  # a string is truthy: it would have turned scaling on
        ("normalize", "false"),
        ("normalize", 2),
        ("normalize", None),
        ("rng", "numpy"),
        ("rng", 0),
        ("engine", "gpu"),
        ("method", "LBFGS"),
        ("precision", "half"),
        ("classes", "yes"),
        ("block_rows", 0),
        ("holdout", 1.0),
        ("y_col", 0),
        ("x_var", ""),
        ("y_var", 3),
        ("init", 5),
        ("hidden_layer_size", 2.5),
        ("lambda_", -1),
        ("seed", 2**32),
    ],
)
def test_each_setting_is_checked_against_the_table(field, value):
    with pytest.raises(ParameterError) as info:
        TrainingSettings(**{field: value})
    assert info.value.parameter == field and str(info.value).startswith(f"{field} must be")
    assert "--" not in str(info.value)


def test_booleans_accept_true_false_numpy_and_0_1():
    for value, expected in (
        (True, True),
        (np.bool_(False), False),
        (0, False),
        (np.int64(1), True),
    ):
        assert TrainingSettings(normalize=value).normalize is expected
    with pytest.raises(ParameterError, match=r"^normalize must be True or False, got 'no'$"):
        nn3.fit(np.eye(4), [1, 2, 1, 2], normalize="no", maxiter=1)


def test_choices_say_what_they_may_be():
    with pytest.raises(ParameterError, match=r"^method must be one of 'fmincg', 'lbfgs', got 'x'$"):
        TrainingSettings(method="x")
    with pytest.raises(ParameterError, match=r"^classes must be 'auto', got 'yes'$"):
        TrainingSettings(classes="yes")


def test_conflicts_name_both_settings():
    with pytest.raises(ParameterConflictError) as info:
        TrainingSettings(engine="stream", method="lbfgs")
    assert info.value.parameter == "method"
    assert str(info.value).startswith("method='lbfgs' is for in-memory training")
    assert "engine='stream'" in str(info.value)
    with pytest.raises(ParameterConflictError, match="^init_var names a variable of init"):
        TrainingSettings(init_var="Theta1")
    with pytest.raises(ParameterConflictError, match="^holdout=0.2 is for in-memory training"):
        TrainingSettings(block_rows=100, holdout=0.2)  # block_rows alone means streaming
    with pytest.raises(ParameterConflictError, match="^client='local' is for the Dask engine"):
        TrainingSettings(engine="stream", client="local")


def test_a_copy_with_changes_is_checked_again():
    s = TrainingSettings(hidden_layer_size=5)
    assert dataclasses.replace(s, method="lbfgs").method == "lbfgs"
    with pytest.raises(ParameterError, match="^maxiter must be non-zero"):
        dataclasses.replace(s, maxiter=0)


def test_fit_takes_every_setting_with_the_same_defaults():
    params = inspect.signature(nn3.fit).parameters
    for f in dataclasses.fields(TrainingSettings):
        assert params[f.name].kind is inspect.Parameter.KEYWORD_ONLY, f.name
        assert params[f.name].default == f.default, f.name
    train = inspect.signature(nn3.train).parameters
    for name in ("hidden_layer_size", "lambda_", "maxiter", "seed", "num_labels", "epsilon_init"):
        assert train[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert train[name].default == params[name].default == getattr(TrainingSettings, name)


def test_every_field_has_a_row_of_the_table():
    rows = nn3.validation.SETTINGS
    assert [f for f in FIELDS if f not in rows and f != "client"] == []


def test_train_by_position_still_works_with_a_deprecation_warning():
    X = np.random.default_rng(0).random((30, 3))
    y = (np.arange(30) % 2).astype(float)
    with pytest.warns(DeprecationWarning, match="by keyword"):
        old = nn3.train(X, y, 4, 0.5, 3)
    new = nn3.train(X, y, hidden_layer_size=4, lambda_=0.5, maxiter=3)
    assert np.array_equal(old.nn_params, new.nn_params)
    with pytest.raises(TypeError, match="multiple values"):
        nn3.train(X, y, 4, hidden_layer_size=5)


# --- checked once per run ------------------------------------------------------------------------


@pytest.fixture
def checks(monkeypatch):
    """Every row check and every TrainingSettings made, by the nn3 module that asked."""
    calls = collections.Counter()
    made = []
    real_check = nn3.validation.Setting.check
    real_post_init = TrainingSettings.__post_init__

    def check(self, value, name=None):
        frame = sys._getframe(1)
        while frame.f_globals.get("__name__") == "nn3.validation":
            frame = frame.f_back
        calls[(frame.f_globals.get("__name__"), self.name)] += 1
        return real_check(self, value, name)

    def post_init(self):
        made.append(self)
        return real_post_init(self)

    monkeypatch.setattr(nn3.validation.Setting, "check", check)
    monkeypatch.setattr(TrainingSettings, "__post_init__", post_init)
    return calls, made


def _by_module(calls, prefix):
    return {key: n for key, n in calls.items() if key[0].startswith(prefix)}


def _assert_checked_once(calls, made):
    assert len(made) == 1  # one TrainingSettings per run
    from_settings = _by_module(calls, "nn3.settings")
    assert from_settings and max(from_settings.values()) == 1
    checked = {name for _, name in from_settings}
    assert checked == {f for f in FIELDS if f != "client" and getattr(made[0], f) is not None}
    # nothing above the settings checks a setting again: the workflow and the CLI trust them
    assert _by_module(calls, "nn3.workflow") == {} and _by_module(calls, "nn3.cli") == {}
    for module, name in calls:  # the lower layers check only their own public arguments
        if not module.startswith(("nn3.settings", "nn3.core", "nn3.engines")):
            raise AssertionError(f"{module} checked {name}")


X = np.random.default_rng(1).random((60, 4))
Y = (np.arange(60) % 3 + 1).astype(float)


def test_nn3_train_checks_its_settings_once(checks):
    nn3.train(X, Y, hidden_layer_size=5, maxiter=3)
    _assert_checked_once(*checks)


def test_nn3_fit_checks_its_settings_once(checks):
    nn3.fit(X, Y, hidden_layer_size=5, maxiter=3, holdout=0.2, normalize=True, rng="octave")
    _assert_checked_once(*checks)


def test_nn3_fit_of_a_file_checks_its_settings_once(checks):
    nn3.fit(DATA / "data.mat", hidden_layer_size=3, maxiter=3, method="lbfgs")
    _assert_checked_once(*checks)


def test_nn3_train_command_checks_its_settings_once(checks, tmp_path):
    r = CliRunner().invoke(
        cli, ["train", str(DATA / "data.mat"), "--hidden", "3", "--maxiter", "3", "-q",
              "--holdout", "0.2", "--out", str(tmp_path / "w.mat")],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    _assert_checked_once(*checks)


def test_streaming_checks_its_settings_once(checks, tmp_path):
    path = tmp_path / "d73.mat"
    nn3.save_mat(path, {"X": X, "y": Y.reshape(-1, 1)}, format="7.3")
    calls, made = checks
    calls.clear()
    made.clear()
    nn3.fit(path, hidden_layer_size=5, maxiter=3, engine="stream", block_rows=25)
    _assert_checked_once(calls, made)


def test_the_count_sees_a_second_check(checks):
    """The count can fail: a setting checked again in a workflow module is seen and refused."""
    from nn3.validation import validate
    from nn3.workflow import training

    calls, made = checks
    # train_arrays as if nn3/workflow/training.py checked maxiter again before training
    namespace = {"__name__": "nn3.workflow.training", "validate": validate}
    namespace["real"] = training.train_arrays
    exec(
        "def checks_again(X, y, settings, *args, **kwargs):\n"
        "    validate('maxiter', settings.maxiter)\n"
        "    return real(X, y, settings, *args, **kwargs)\n",
        namespace,
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(training, "train_arrays", namespace["checks_again"])
        nn3.train(X, Y, hidden_layer_size=5, maxiter=3)
    assert calls[("nn3.workflow.training", "maxiter")] == 1
    with pytest.raises(AssertionError):
        _assert_checked_once(calls, made)
