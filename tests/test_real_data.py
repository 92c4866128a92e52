"""Real data as users have it, end to end through the command line.

Text labels (a cell array written by GNU Octave here), numeric text files in the coursework's
layout, ``--classes auto``, ``--normalize`` (the unscaled two-feature set, where it changes the
outcome), the learned-nothing warning (the nonlinear disc set: fires at 50 iterations, not at
1000), regression targets, and ``nn3 predict`` without ``--out``. All data is made here.
"""

import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner
from test_diagnostics import nonlinear_disc_set
from test_scaling import unscaled_two_feature_set

import nn3
from nn3.cli import cli

OCTAVE = shutil.which("octave-cli")
needs_octave = pytest.mark.skipif(OCTAVE is None, reason="GNU Octave (octave-cli) not installed")


def run(*args):
    """``nn3 ARGS`` in-process; (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def octave(script, cwd):
    subprocess.run([OCTAVE, "-q", "--eval", script], cwd=cwd, check=True, capture_output=True)


def write_coursework_text(path, X, y, fmt="%g", sep=","):
    np.savetxt(path, np.hstack([X, np.reshape(y, (-1, 1))]), fmt=fmt, delimiter=sep)


# ---------------------------------------------------------------------------------------------
# Text labels


IRIS_LIKE = """
i = (1:60)';
meas = [mod(7*i, 13), mod(5*i, 11) + 4*(i > 20) + 8*(i > 40), mod(3*i, 7)];
names = {'virginica'; 'setosa'; 'Versicolor'};
species = names(1 + (i > 20) + (i > 40));
save('-v7', 'iris.mat', 'meas', 'species');
c = char(species);
save('-v7', 'irischar.mat', 'meas', 'c');
"""


@needs_octave
def test_text_labels_from_octave_train_store_and_predict(tmp_path):
    octave(IRIS_LIKE, tmp_path)
    weights, preds = tmp_path / "w.mat", tmp_path / "p.mat"
    code, out, err = run(
        "train", tmp_path / "iris.mat", "--x-var", "meas", "--y-var", "species", "--maxiter",
        200, "--quiet", "--out", weights,
    )  # fmt: skip
    assert code == 0, err
    # MATLAB's unique sorts by character code: uppercase first
    assert (
        "nn3: species: 3 classes, numbered in sorted order as MATLAB's unique sorts them: "
        "1 = Versicolor, 2 = setosa, 3 = virginica"
    ) in err
    saved = nn3.load_mat(weights)
    assert saved["classes"].shape == (3, 1)
    assert list(saved["classes"].ravel()) == ["Versicolor", "setosa", "virginica"]
    assert saved["Theta2"].shape[0] == 3
    assert saved["majority_rate"].item() == pytest.approx(100 / 3)

    code, out, err = run(
        "predict", weights, tmp_path / "iris.mat", "--x-var", "meas", "--y-var", "species",
        "--out", preds,
    )  # fmt: skip
    assert code == 0, err
    accuracy = float(out.split("Accuracy: ")[1].split("%")[0])
    # same classes, same rows: what training reported
    assert accuracy == pytest.approx(saved["train_accuracy"].item(), abs=0.005)
    p = nn3.load_mat(preds)
    assert p["p"].dtype == object and p["p"].shape == (60, 1)
    assert p["p_index"].shape == (60, 1)
    names = ["Versicolor", "setosa", "virginica"]
    assert [names[int(k) - 1] for k in p["p_index"].ravel()] == list(p["p"].ravel())

    code, out, _ = run("predict", weights, "--x", "3,9,2")
    assert code == 0 and out.startswith("Prediction: ") and "(class " in out

    # Octave reads the stored classes and the predicted names back as cell arrays of char
    octave(
        "load w.mat; assert(iscellstr(classes)); assert(isequal(size(classes), [3 1])); "
        "assert(strcmp(classes{1}, 'Versicolor')); load p.mat; assert(iscellstr(p)); "
        "assert(isequal(size(p_index), [60 1]));",
        tmp_path,
    )

    # a char matrix (one label a row) gives the same mapping
    code, _, err = run(
        "train", tmp_path / "irischar.mat", "--x-var", "meas", "--y-var", "c", "--maxiter", 5,
        "--quiet", "--out", tmp_path / "wc.mat",
    )  # fmt: skip
    assert code == 0, err
    assert "1 = Versicolor, 2 = setosa, 3 = virginica" in err


def test_numeric_labels_need_classes_auto(tmp_path):
    X, y = nonlinear_disc_set(200)
    data = tmp_path / "svm.mat"
    nn3.save_mat(data, {"X": X, "y": 2 * y - 1})  # -1/+1, as an SVM exercise has them
    code, _, err = run("train", data, "--quiet", "--out", tmp_path / "w.mat")
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "holds labels from -1 to 1" in err and "--classes auto maps them to 1..2" in err
    assert not (tmp_path / "w.mat").exists()

    code, _, err = run("train", data, "--quiet", "--classes", "auto", "--out", tmp_path / "w.mat")
    assert code == 0, err
    assert "1 = -1, 2 = 1" in err
    assert nn3.load_mat(tmp_path / "w.mat")["classes"].ravel().tolist() == [-1.0, 1.0]
    code, _, err = run("predict", tmp_path / "w.mat", data, "--out", tmp_path / "p.mat")
    assert code == 0, err
    p = nn3.load_mat(tmp_path / "p.mat")
    assert set(np.unique(p["p"])) <= {-1.0, 1.0}
    assert np.array_equal(p["p"], np.where(p["p_index"] == 2, 1.0, -1.0))


def test_labels_subset_with_explicit_labels_option_still_trains(tmp_path):
    X, y = nonlinear_disc_set(100)
    data = tmp_path / "d.mat"
    nn3.save_mat(data, {"X": X, "y": y + 2})  # labels 2 and 3 only
    code, _, err = run("train", data, "--quiet", "--out", tmp_path / "w.mat")
    assert code == 2 and "--classes auto" in err  # 2/3 is no longer read as K = 3
    code, _, err = run("train", data, "--quiet", "--labels", "3", "--out", tmp_path / "w.mat")
    assert code == 0, err
    assert nn3.load_mat(tmp_path / "w.mat")["Theta2"].shape[0] == 3


def test_regression_target_refused_as_classifier(tmp_path):
    X, _ = unscaled_two_feature_set(20)
    data = tmp_path / "ex1data1.txt"
    write_coursework_text(data, X[:, :1], X[:, 1] * 0.37 + 0.5, fmt="%.4f")
    code, _, err = run("train", data, "--quiet")
    assert code == 2 and err.count("\n") == 1
    assert "non-integer values" in err and "nn3 trains classifiers with sigmoid outputs" in err
    assert "regression target" in err and "another tool" in err


# ---------------------------------------------------------------------------------------------
# Numeric text files


def test_text_file_in_coursework_layout(tmp_path):
    X, y = unscaled_two_feature_set()
    data = tmp_path / "ex2data1.txt"
    write_coursework_text(data, X, y)
    code, out, _ = run("info", data)
    assert code == 0 and "ex2data1  double  100x3" in out
    assert list(nn3.load_mat(data)) == ["ex2data1"]
    assert np.array_equal(nn3.load_mat(data)["ex2data1"], np.hstack([X, y]))

    code, out, err = run("train", data, "--quiet", "--out", tmp_path / "w.mat")
    assert code == 0, err
    assert "Saved Theta1 (25x3) and Theta2 (1x26)" in out  # last column y, the others X
    # --y-col: the labels first (1-based, as MATLAB's data(:, 1))
    moved = tmp_path / "first.csv"
    write_coursework_text(moved, np.hstack([y, X])[:, :2], X[:, 1], sep=" ")
    code, out, err = run("train", moved, "--y-col", 1, "--quiet", "--out", tmp_path / "w1.mat")
    assert code == 0, err
    assert nn3.load_mat(tmp_path / "w1.mat")["y_col"].item() == 1.0
    code, _, err = run("train", moved, "--y-col", 4, "--quiet", "--out", tmp_path / "w2.mat")
    assert code == 2 and "--y-col must be a column number from 1 to 3" in err

    # predict: a text file with the network's inputs only, or with a labels column
    features = tmp_path / "new.dat"
    np.savetxt(features, X[:10], fmt="%g")
    code, out, err = run("predict", tmp_path / "w.mat", features)
    assert code == 0 and "Predicted 10 examples" in out and "Accuracy" not in out
    code, out, _ = run("predict", tmp_path / "w.mat", data)
    assert code == 0 and "Predicted 100 examples" in out and "Accuracy: " in out


def test_text_file_header_named_by_line_and_column(tmp_path):
    data = tmp_path / "results.csv"
    data.write_text("exam1,exam2,admitted\n34.6,78.0,0\n")
    code, _, err = run("train", data)
    assert code == 2 and err.count("\n") == 1
    assert "results.csv: line 1, column 1: 'exam1' is not a number (a header line?" in err
    data.write_text("34.6,78.0,0\n30.2,x,1\n")
    code, _, err = run("info", data)
    assert code == 2 and "line 2, column 6: 'x' is not a number" in err


# ---------------------------------------------------------------------------------------------
# --normalize


def test_normalize_changes_the_outcome_and_travels_with_the_weights(tmp_path):
    X, y = unscaled_two_feature_set()
    data = tmp_path / "ex2like.txt"
    write_coursework_text(data, X, y)
    code, out, _ = run("train", data, "--quiet", "--out", tmp_path / "raw.mat")
    assert code == 0 and "Training Set Accuracy: 82.00%" in out
    code, out, _ = run("train", data, "--quiet", "--normalize", "--out", tmp_path / "n.mat")
    assert code == 0 and "Training Set Accuracy: 99.00%" in out
    saved = nn3.load_mat(tmp_path / "n.mat")
    _, mu, sigma = nn3.feature_normalize(X)
    assert np.array_equal(saved["mu"], mu) and np.array_equal(saved["sigma"], sigma)
    assert saved["mu"].shape == (1, 2) and saved["normalize"].item() == 1.0
    # nn3 predict scales with the stored mu/sigma: same accuracy as training reported
    code, out, _ = run("predict", tmp_path / "n.mat", data)
    assert code == 0 and "Accuracy: 99.00%" in out
    model = nn3.load_model(tmp_path / "n.mat")
    assert np.mean(model.predict(X) == y.ravel()) == 0.99
    # nn3.predict is predict.m: it applies no scaling; give it model.scale(X)
    assert np.array_equal(nn3.predict(model.Theta1, model.Theta2, model.scale(X)), model.predict(X))
    assert np.mean(nn3.predict(model.Theta1, model.Theta2, X) == y.ravel()) < 0.99
    # nn3 cost sees the scaled X as well
    code, out, _ = run("cost", tmp_path / "n.mat", data, "--lambda", 1)
    assert code == 0
    J = float(out.split("J = ")[1].split()[0])
    assert J == pytest.approx(float(np.asarray(saved["cost"]).ravel()[-1]), rel=1e-10)


def test_normalize_uses_training_rows_only(tmp_path):
    X, y = unscaled_two_feature_set()
    result = nn3.fit(X, y, normalize=True, holdout=0.2, maxiter=5)
    train_rows = result.split["train_idx"]
    _, mu, sigma = nn3.feature_normalize(X[train_rows])
    assert np.array_equal(result.mu, mu) and np.array_equal(result.sigma, sigma)
    _, mu_all, _ = nn3.feature_normalize(X)
    assert not np.array_equal(result.mu, mu_all)


# ---------------------------------------------------------------------------------------------
# Learned nothing


def test_learned_nothing_warning_at_50_iterations_not_at_1000(tmp_path):
    X, y = nonlinear_disc_set()
    data = tmp_path / "disc.mat"
    nn3.save_mat(data, {"X": X, "y": y})
    code, out, err = run("train", data, "--quiet", "--out", tmp_path / "w50.mat")
    assert code == 0 and "Training Set Accuracy: 69.06%" in out
    assert (
        "nn3: warning: training accuracy 69.06% is within 1 point of the majority-class rate 69.06%"
    ) in err
    assert "--maxiter, now 50" in err and "--normalize" in err and "--hidden, now 25" in err
    assert nn3.load_mat(tmp_path / "w50.mat")["majority_rate"].item() == pytest.approx(
        596 * 100 / 863
    )
    code, out, err = run("train", data, "--quiet", "--maxiter", 1000, "--out", tmp_path / "w.mat")
    assert code == 0 and "Training Set Accuracy: 83.78%" in out
    assert "warning" not in err


# ---------------------------------------------------------------------------------------------
# nn3 predict without --out


def test_predict_without_out_says_nothing_saved(tmp_path):
    X, y = nonlinear_disc_set(50)
    data = tmp_path / "d.mat"
    nn3.save_mat(data, {"X": X, "y": y})
    assert run("train", data, "--quiet", "--maxiter", 3, "--out", tmp_path / "w.mat")[0] == 0
    code, out, err = run("predict", tmp_path / "w.mat", data)
    assert code == 0 and "Saved" not in out
    assert "predictions not saved (no --out)" in err
    code, _, err = run("predict", "--help")
    assert "[--out predictions.mat]" not in err
