"""``nn3.NN3Classifier``: scikit-learn's own estimator checks, the same network as ``nn3.fit`` bit
for bit, its weights file read by ``nn3 predict``, and the places scikit-learn users put a
classifier (pipelines, searches, cross-validation, curves, pickles). Without scikit-learn the
class says in one line how to install it."""

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

pytest.importorskip("sklearn")  # nn3[sklearn]; the test extra installs it

from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    cross_val_score,
    cross_validate,
    learning_curve,
    validation_curve,
)
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402
from test_public_api import missing_annotations  # noqa: E402

import nn3  # noqa: E402
from nn3 import NN3Classifier  # noqa: E402
from nn3.cli import cli  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data"
DIGITS = nn3.load_mat(DATA / "digits.mat")
XD, YD = DIGITS["X"], DIGITS["y"].ravel()  # 1797 x 64, labels 1..10
DISC = nn3.load_mat(DATA / "data.mat")
XB, YB = DISC["X"], DISC["y"].ravel()  # 400 x 2, labels 0/1

#: Checks that cannot run in this process, with the reason (scikit-learn skips them itself).
#: check_array_api_input needs SCIPY_ARRAY_API=1 before scipy is imported: it runs in a child
#: process below (test_array_api_check_in_a_process_that_enables_it).
SKIPPED_HERE = {"check_array_api_input": "SCIPY_ARRAY_API is not set"}


# --- scikit-learn's judgement ---------------------------------------------------------------------


@parametrize_with_checks([NN3Classifier()])
def test_scikit_learn_estimator_checks(estimator, check):
    # Every check with the defaults (ex4's 25 hidden units, lambda 1, 50 fmincg iterations): the
    # checks' data sets are small, so the whole set takes a few seconds; none is expected to fail.
    check(estimator)


def test_array_api_check_in_a_process_that_enables_it():
    code = textwrap.dedent(
        """
        from sklearn.utils.estimator_checks import check_estimator
        import nn3
        results = check_estimator(nn3.NN3Classifier(), on_fail=None)
        ran = [r for r in results if r["check_name"] == "check_array_api_input"]
        if not any(r["check_name"].startswith("check_array_api") for r in results):
            print("no array api check")  # an older scikit-learn (1.7 on Python 3.10)
            raise SystemExit(0)
        assert ran and all(r["status"] == "passed" for r in ran), ran
        assert all(r["status"] == "passed" for r in results), [
            (r["check_name"], r["status"]) for r in results if r["status"] != "passed"]
        print("array api:", len(ran), "passed")
        """
    )
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    if "no array api check" in r.stdout:
        import sklearn

        pytest.skip(f"scikit-learn {sklearn.__version__} has no array API check for this estimator")
    assert "array api: 1 passed" in r.stdout


# --- the same network as nn3.fit ---------------------------------------------------------------


@pytest.mark.parametrize(
    "params, fit_settings",
    [
        ({}, {}),
        (
            dict(hidden_layer_size=7, alpha=0.3, max_iter=20, random_state=5, rng="octave"),
            dict(hidden_layer_size=7, lambda_=0.3, maxiter=20, seed=5, rng="octave"),
        ),
        (
            dict(hidden_layer_size=9, alpha=0.0, max_iter=15, method="lbfgs", epsilon_init=0.3),
            dict(hidden_layer_size=9, lambda_=0.0, maxiter=15, method="lbfgs", epsilon_init=0.3),
        ),
        (dict(max_iter=10, precision="single"), dict(maxiter=10, precision="single")),
    ],
)
def test_the_weights_are_nn3_fits_bit_for_bit(params, fit_settings):
    clf = NN3Classifier(**params).fit(XD, YD)
    result = nn3.fit(XD, YD, **fit_settings)
    assert clf.Theta1_.tobytes() == result.Theta1.tobytes()
    assert clf.Theta2_.tobytes() == result.Theta2.tobytes()
    assert clf.loss_curve_ == list(result.optimize_result.fun_history)
    assert clf.n_iter_ == result.optimize_result.nit and clf.n_outputs_ == 10
    np.testing.assert_array_equal(clf.predict(XD), nn3.predict(result.Theta1, result.Theta2, XD))


def test_binary_0_1_labels_train_one_output_unit_as_nn3_fit_does():
    clf = NN3Classifier(hidden_layer_size=4, alpha=0.0, max_iter=100).fit(XB, YB.astype(int))
    result = nn3.fit(XB, YB, hidden_layer_size=4, lambda_=0.0, maxiter=100)
    assert clf.n_outputs_ == 1 and clf.Theta2_.shape == (1, 5)
    assert clf.Theta1_.tobytes() == result.Theta1.tobytes()
    assert clf.Theta2_.tobytes() == result.Theta2.tobytes()
    assert list(clf.classes_) == [0, 1]
    h = clf.predict_outputs(XB)
    np.testing.assert_array_equal(clf.predict_proba(XB), np.hstack([1 - h, h]))
    np.testing.assert_array_equal(clf.predict(XB), (h[:, 0] >= 0.5).astype(int))


def test_text_labels_are_numbered_as_nn3_fit_numbers_them():
    names = np.array(["setosa", "versicolor", "virginica", "Zeta"])  # 'Z' sorts first
    y_text = names[(np.arange(XB.shape[0]) + (XB[:, 0] > 1)) % 4]
    clf = NN3Classifier(hidden_layer_size=5, max_iter=30).fit(XB, y_text)
    result = nn3.fit(XB, list(y_text), hidden_layer_size=5, maxiter=30)
    assert list(clf.classes_) == result.classes == ["Zeta", "setosa", "versicolor", "virginica"]
    assert clf.Theta2_.tobytes() == result.Theta2.tobytes()
    np.testing.assert_array_equal(clf.predict(XB), result.model.predict(XB))
    # two text classes: two output units, as nn3 train gives them
    two = NN3Classifier(max_iter=5).fit(XB, np.where(YB == 1, "in", "out"))
    assert two.n_outputs_ == 2 and list(two.classes_) == ["in", "out"]


def test_other_numeric_labels_are_classes_auto():
    y = np.where(YB == 1, 1, -1)
    clf = NN3Classifier(hidden_layer_size=4, max_iter=40).fit(XB, y)
    result = nn3.fit(XB, y, hidden_layer_size=4, maxiter=40, classes="auto")
    assert clf.Theta2_.tobytes() == result.Theta2.tobytes() and clf.n_outputs_ == 2
    assert set(clf.predict(XB)) <= {-1, 1}


# --- predictions ---------------------------------------------------------------------------------


def test_probabilities_are_the_normalised_outputs_in_classes_order():
    clf = NN3Classifier(max_iter=30).fit(XD, YD)
    h = clf.predict_outputs(XD)
    proba = clf.predict_proba(XD)
    assert proba.shape == (XD.shape[0], 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(proba, h / h.sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(clf.classes_[np.argmax(proba, axis=1)], clf.predict(XD))
    np.testing.assert_allclose(clf.predict_log_proba(XD), np.log(proba), rtol=1e-15, atol=0)
    assert clf.score(XD, YD) == np.mean(clf.predict(XD) == YD) > 0.9


def test_cost_is_the_coursework_cost_of_the_trained_network():
    y_text = np.where(YB == 1, "in", "out")
    for y, units in ((YB, 1), (y_text, 2)):
        clf = NN3Classifier(hidden_layer_size=4, max_iter=30).fit(XB, y)
        labels = YB if units == 1 else np.where(YB == 1, 1.0, 2.0)  # classes_ order, 1-based
        T1, T2 = clf.Theta1_, clf.Theta2_
        assert clf.cost(XB, y) == nn3.cost_function(XB, labels, T1, T2, 0.0)
        assert clf.cost(XB, y, alpha=2.0) == nn3.cost_function(XB, labels, T1, T2, 2.0)
        assert clf.cost(XB, y, alpha=1.0) == clf.loss_curve_[-1]  # what fmincg minimised
    with pytest.raises(ValueError, match="label 'maybe', which is not one of the classes"):
        clf.cost(XB[:2], ["in", "maybe"])


def test_a_row_whose_outputs_all_underflow_gets_equal_probabilities():
    clf = NN3Classifier(hidden_layer_size=3, max_iter=5).fit(XD[:200, :3], YD[:200] % 3)
    clf.Theta2_ = np.column_stack([np.full((3, 1), -800.0), np.zeros((3, 3))])  # h = 0
    proba = clf.predict_proba(XD[:4, :3])
    np.testing.assert_array_equal(proba, np.full((4, 3), 1 / 3))


def test_parameters_are_checked_at_fit_and_named_as_the_classifier_names_them():
    for params, name in [
        (dict(alpha=-1), "alpha"),
        (dict(max_iter=0), "max_iter"),
        (dict(random_state=-1), "random_state"),
        (dict(random_state=2**32), "random_state"),
        (dict(hidden_layer_size=2.5), "hidden_layer_size"),
        (dict(method="sgd"), "method"),
    ]:
        clf = NN3Classifier(**params)  # stored untouched
        assert clf.get_params()[name] == params[name]
        with pytest.raises(nn3.ParameterError) as info:
            clf.fit(XB, YB)
        assert info.value.parameter == name and str(info.value).startswith(f"{name} ")
        assert isinstance(info.value, ValueError)


def test_random_state_none_is_matlabs_default_seed_0_and_a_generator_draws_one():
    a = NN3Classifier(max_iter=3).fit(XB, YB)
    b = NN3Classifier(max_iter=3, random_state=0).fit(XB, YB)
    c = NN3Classifier(max_iter=3, random_state=1).fit(XB, YB)
    assert a.Theta1_.tobytes() == b.Theta1_.tobytes() != c.Theta1_.tobytes()
    assert a.fit_result_.init == "randInitializeWeights, rng(0, 'twister'), epsilon 0.12"
    rs = np.random.RandomState(7)
    seed = np.random.RandomState(7).randint(0, 2**32 - 1, dtype=np.int64)
    d = NN3Classifier(max_iter=3, random_state=rs).fit(XB, YB)
    assert d.fit_result_.settings["seed"] == seed
    e = NN3Classifier(max_iter=3, random_state=rs).fit(XB, YB)  # the next draw
    assert e.fit_result_.settings["seed"] != seed


@pytest.mark.parametrize("method", ["fmincg", "lbfgs"])
def test_a_nan_cost_is_a_training_error_naming_the_method(nan_cost, method):
    X = np.random.default_rng(0).random((20, 2))
    with pytest.raises(nn3.Nn3Error, match=rf"became NaN at evaluation 1 \({method}: NaN result"):
        NN3Classifier(method=method, max_iter=4).fit(X, np.arange(20) % 2)


def test_one_class_is_refused_naming_it():
    with pytest.raises(ValueError, match="at least 2 classes.*one class only \\(3\\)"):
        NN3Classifier().fit(XB, np.full(XB.shape[0], 3))


def test_feature_names_from_a_dataframe():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(XB, columns=["x1", "x2"])
    clf = NN3Classifier(hidden_layer_size=4, max_iter=20).fit(frame, YB)
    assert list(clf.feature_names_in_) == ["x1", "x2"] and clf.n_features_in_ == 2
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_array_equal(clf.predict(frame), clf.predict(XB))
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(pd.DataFrame(XB, columns=["a", "b"]))


# --- the weights file ----------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_save_weights_is_nn3_trains_file_and_nn3_predict_reads_it(tmp_path):
    clf = NN3Classifier(hidden_layer_size=4, alpha=0.0, max_iter=100).fit(XB, YB)
    clf.save_weights(tmp_path / "clf.mat")
    r = run("train", DATA / "data.mat", "--hidden", 4, "--lambda", 0, "--maxiter", 100, "-q",
            "--out", tmp_path / "cli.mat")  # fmt: skip
    assert r.exit_code == 0, r.output
    same = ["Theta1", "Theta2", "nn_params", "initial_params", "cost", "lambda", "maxiter",
            "seed", "hidden_layer_size", "num_labels", "iterations", "train_accuracy"]  # fmt: skip
    r = run("compare", tmp_path / "cli.mat", tmp_path / "clf.mat", "--ulps", 0,
            *[a for v in same for a in ("--var", v)])  # fmt: skip
    assert r.exit_code == 0, r.output
    r = run("predict", tmp_path / "clf.mat", DATA / "data.mat", "--out", tmp_path / "p.mat")
    assert r.exit_code == 0, r.output
    assert f"Accuracy: {100 * clf.score(XB, YB):.2f}%" in r.output
    p = nn3.load_mat(tmp_path / "p.mat")["p"].ravel()
    np.testing.assert_array_equal(p, clf.predict(XB))


def test_text_classes_reach_nn3_predict(tmp_path):
    y_text = np.where(YB == 1, "inside", "outside")
    clf = NN3Classifier(hidden_layer_size=4, alpha=0.0, max_iter=100).fit(XB, y_text)
    clf.save_weights(tmp_path / "w.mat")
    nn3.save_mat(tmp_path / "d.mat", {"X": XB, "y": y_text.astype(object).reshape(-1, 1)})
    r = run("predict", tmp_path / "w.mat", tmp_path / "d.mat", "--out", tmp_path / "p.mat")
    assert r.exit_code == 0, r.output
    assert f"Accuracy: {100 * clf.score(XB, y_text):.2f}%" in r.output
    p = nn3.load_mat(tmp_path / "p.mat")["p"].ravel()
    assert list(p) == list(clf.predict(XB))
    assert nn3.load_model(tmp_path / "w.mat").classes == ["inside", "outside"]


def test_unfitted_has_nothing_to_save(tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        NN3Classifier().save_weights(tmp_path / "w.mat")
    assert not (tmp_path / "w.mat").exists()


# --- where scikit-learn users put a classifier -------------------------------------------------


def test_pipeline_with_a_scaler():
    pipe = Pipeline([("scale", StandardScaler()), ("net", NN3Classifier(max_iter=40))])
    pipe.fit(XD, YD)
    scaled = StandardScaler().fit_transform(XD)
    alone = NN3Classifier(max_iter=40).fit(scaled, YD)
    assert pipe.named_steps["net"].Theta1_.tobytes() == alone.Theta1_.tobytes()
    assert pipe.score(XD, YD) > 0.95


def test_grid_search_over_regularisation_and_hidden_size_in_two_processes():
    grid = {"alpha": [0.1, 30.0], "hidden_layer_size": [3, 15]}
    search = GridSearchCV(NN3Classifier(max_iter=20), grid, cv=3, n_jobs=2).fit(XD, YD)
    serial = GridSearchCV(NN3Classifier(max_iter=20), grid, cv=3, n_jobs=1).fit(XD, YD)
    assert search.best_params_ == serial.best_params_ == {"alpha": 0.1, "hidden_layer_size": 15}
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"], atol=0.01
    )
    best = search.best_estimator_
    assert best.hidden_layer_size == 15 and best.Theta1_.shape == (15, 65)
    assert search.best_score_ > 0.85


def test_fits_in_joblib_workers_have_the_serial_bits():
    """joblib's worker processes run with other thread counts than this one; the evaluation's
    bits do not depend on them (fixed row blocks, one BLAS thread each, sums in block order)."""
    if os.environ.get("NN3_PERTURB_ULPS", "0").strip() not in ("", "0"):
        pytest.skip("joblib's workers do not get the test process's perturbed exp/log")
    clf = NN3Classifier(max_iter=20)
    there = cross_validate(clf, XD, YD, cv=3, n_jobs=2, return_estimator=True)
    here = cross_validate(clf, XD, YD, cv=3, n_jobs=1, return_estimator=True)
    assert np.array_equal(there["test_score"], here["test_score"])
    for a, b in zip(there["estimator"], here["estimator"], strict=True):
        assert a.Theta1_.tobytes() == b.Theta1_.tobytes()
        assert a.Theta2_.tobytes() == b.Theta2_.tobytes()


def test_cross_val_score_and_the_curves():
    clf = NN3Classifier(hidden_layer_size=10, max_iter=20)
    scores = cross_val_score(clf, XD, YD, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.8)
    sizes, train, test = learning_curve(clf, XD, YD, train_sizes=[0.2, 1.0], cv=3)
    assert list(sizes) == [239, 1198] and train.shape == test.shape == (2, 3)
    train, test = validation_curve(clf, XD, YD, param_name="alpha", param_range=[0, 10], cv=3)
    assert train.shape == (2, 3) and np.all(train[0] >= train[1])  # lambda 10 fits less


def test_pickle_gives_the_same_predictions():
    clf = NN3Classifier(max_iter=20).fit(XD, np.array([f"digit {int(v) % 10}" for v in YD]))
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(back.predict(XD), clf.predict(XD))
    np.testing.assert_array_equal(back.predict_proba(XD), clf.predict_proba(XD))
    assert back.fit_result_.warnings == clf.fit_result_.warnings


# --- without scikit-learn ------------------------------------------------------------------------

_HIDE_SKLEARN = """
import sys
class Hide:
    def find_spec(self, name, path=None, target=None):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError(f"No module named {name!r}")
sys.meta_path.insert(0, Hide())
"""


def test_the_classifier_is_public_but_optional():
    assert "NN3Classifier" in dir(nn3) and "NN3Classifier" not in nn3.__all__
    assert nn3.NN3Classifier is NN3Classifier
    assert not missing_annotations(NN3Classifier.__init__)
    assert not missing_annotations(NN3Classifier.fit)


def test_without_scikit_learn_the_classifier_says_how_to_install_it():
    code = _HIDE_SKLEARN + textwrap.dedent(
        """
        from nn3 import *  # everything in nn3.__all__ imports without scikit-learn
        import nn3
        r = nn3.fit(nn3.load_mat(sys.argv[1])["X"], nn3.load_mat(sys.argv[1])["y"], maxiter=2)
        print("fit works:", r.Theta1.shape)
        try:
            nn3.NN3Classifier
        except nn3.MissingDependencyError as exc:
            print("error:", exc)
        """
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(DATA / "data.mat")], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "fit works: (25, 3)",
        "error: nn3.NN3Classifier needs scikit-learn, which is not installed: "
        "pip install 'nn3[sklearn]'",
    ]


def test_errors_and_warnings_survive_a_pickle_as_worker_processes_send_them():
    from nn3.errors import NamedText

    text = NamedText("try more iterations ({maxiter}, now 50)", {"maxiter": 50})
    back = pickle.loads(pickle.dumps(text))
    assert (back, back.template, back.values) == (text, text.template, text.values)
    with pytest.raises(nn3.ParameterError) as info:
        NN3Classifier(alpha=-1).fit(XB, YB)
    back = pickle.loads(pickle.dumps(info.value))
    assert (type(back), str(back), back.parameter) == (nn3.ParameterError, str(info.value), "alpha")
    conflict = nn3.ParameterConflictError("holdout", 0.2, "{name} cannot go with {engine=}", {
        "engine": "dask"})  # fmt: skip
    back = pickle.loads(pickle.dumps(conflict))
    assert str(back) == "holdout cannot go with engine='dask'" and back.others == {"engine": "dask"}
