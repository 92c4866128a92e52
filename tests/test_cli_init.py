"""nn3 train's library side (nn3.fit writes the same file), --rng, --init/--init-var, X transposed.

The CLI only parses and prints, so a Python user writes exactly the file it writes; whose
``rng(seed)`` draws the starting weights (``nn3 train --rng octave|matlab``); ``--init`` with
ex4.m's ``initial_nn_params``, ambiguous files, a transposed X.
"""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from click.testing import CliRunner

import nn3
from nn3.cli import cli

DATA = Path(__file__).resolve().parent.parent / "data"
OCTAVE = shutil.which("octave-cli")
needs_octave = pytest.mark.needs_octave


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_same_variables(a, b):
    assert list(a) == list(b)
    for name in a:
        if isinstance(a[name], str):
            assert a[name] == b[name], name
        else:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)


# --------------------------------------------------------------------------------------------
# The library writes exactly the file nn3 train writes


def test_cli_and_library_write_identical_files(tmp_path):
    cli_out, lib_out = tmp_path / "cli.mat", tmp_path / "lib.mat"
    args = ["--hidden", 3, "--maxiter", 6, "--holdout", 0.25, "--seed", 2, "--lambda", 0.5]
    r = run("train", DATA / "data.mat", *args, "--out", cli_out, "-q")
    assert r.exit_code == 0, r.output
    result = nn3.fit(
        str(DATA / "data.mat"), hidden_layer_size=3, maxiter=6, holdout=0.25, seed=2, lambda_=0.5
    )
    result.save(lib_out, format="5")
    a, b = nn3.load_mat(cli_out), nn3.load_mat(lib_out)
    assert_same_variables(a, b)
    assert {"Theta1", "test_idx", "test_accuracy", "rng", "init"} <= set(a)
    assert a["rng"] == "matlab"
    assert_same_variables(result.to_variables(), {k: result.to_variables()[k] for k in a})


def test_library_from_arrays_gives_the_same_numbers(tmp_path):
    d = nn3.load_mat(DATA / "data.mat")
    from_file = nn3.fit(str(DATA / "data.mat"), hidden_layer_size=3, maxiter=4).to_variables()
    from_arrays = nn3.fit(d["X"], d["y"], hidden_layer_size=3, maxiter=4).to_variables()
    assert from_arrays.pop("data_file") == "<data>"
    from_file.pop("data_file")
    assert_same_variables(from_file, from_arrays)


def test_library_refuses_to_save_a_failed_run(tmp_path, nan_cost):
    result = nn3.fit(str(DATA / "data.mat"), hidden_layer_size=3, maxiter=4)
    assert result.failed
    with pytest.raises(nn3.Nn3Error, match=r"became NaN.*\(fmincg: .*nothing saved to .*x.mat"):
        result.save(tmp_path / "x.mat")
    assert not (tmp_path / "x.mat").exists()
    result = nn3.fit(str(DATA / "data.mat"), hidden_layer_size=3, maxiter=4, method="lbfgs")
    assert result.failed
    with pytest.raises(nn3.Nn3Error, match=r"became NaN.*\(lbfgs: NaN result"):  # the method used
        result.save(tmp_path / "x.mat")


# --------------------------------------------------------------------------------------------
# --rng octave|matlab


def test_rng_octave_draws_octaves_initial_weights_and_is_recorded(tmp_path):
    out = tmp_path / "w.mat"
    r = run("train", DATA / "data.mat", "--hidden", 3, "--maxiter", 2, "--seed", 7,
            "--rng", "octave", "--out", out, "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    w = nn3.load_mat(out)
    rng = nn3.OctaveRNG(7)
    t1 = rng.rand(3, 3) * 2 * 0.12 - 0.12
    t2 = rng.rand(1, 4) * 2 * 0.12 - 0.12
    np.testing.assert_array_equal(w["initial_params"].ravel(), nn3.unroll(t1, t2))
    assert w["rng"] == "octave" and "Octave rng(7)" in w["init"]
    default = tmp_path / "m.mat"
    assert run("train", DATA / "data.mat", "--hidden", 3, "--maxiter", 2, "--seed", 7,
               "--out", default, "-q").exit_code == 0  # fmt: skip
    m = nn3.load_mat(default)
    assert m["rng"] == "matlab" and "rng(7, 'twister')" in m["init"]
    assert not np.array_equal(m["initial_params"], w["initial_params"])


def test_rng_unknown_engine_is_a_usage_error():
    r = run("train", DATA / "data.mat", "--rng", "numpy")
    assert r.exit_code == 2 and "Invalid value for '--rng'" in r.output


@needs_octave
def test_rng_octave_initial_weights_match_octave_itself(tmp_path):
    out = tmp_path / "w.mat"
    r = run("train", DATA / "data.mat", "--hidden", 4, "--maxiter", 1, "--seed", 3,
            "--rng", "octave", "--out", out, "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    ref = tmp_path / "ref.mat"
    script = (
        "rng(3); W1 = rand(4, 3) * 2 * 0.12 - 0.12; W2 = rand(1, 5) * 2 * 0.12 - 0.12; "
        f"p = [W1(:); W2(:)]; save('-v7', '{ref}', 'p');"
    )
    subprocess.run([OCTAVE, "--no-gui", "--quiet", "--eval", script], check=True, timeout=120)
    np.testing.assert_array_equal(nn3.load_mat(out)["initial_params"], scipy.io.loadmat(ref)["p"])


# --------------------------------------------------------------------------------------------
# --init: initial_nn_params, initial_params, Theta1+Theta2, --init-var


@pytest.fixture
def start(tmp_path):
    """A first run's starting weights, and the result of training 4 iterations from them."""
    first = tmp_path / "first.mat"
    r = run("train", DATA / "data.mat", "--hidden", 3, "--maxiter", 4, "--out", first, "-q")
    assert r.exit_code == 0, r.output
    return scipy.io.loadmat(first)


@pytest.mark.parametrize("name", ["initial_nn_params", "initial_params"])
def test_init_from_an_unrolled_vector_alone(tmp_path, start, name):
    init = tmp_path / "init.mat"
    scipy.io.savemat(init, {name: start["initial_params"]})
    out = tmp_path / "b.mat"
    r = run("train", DATA / "data.mat", "--init", init, "--hidden", 3, "--maxiter", 4,
            "--out", out, "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert (
        f"nn3: --init: starting from {name} in {init}, rolled as a 2-3-1 network "
        "(features and labels from the data, --hidden 3)"
    ) in r.stderr
    np.testing.assert_array_equal(scipy.io.loadmat(out)["nn_params"], start["nn_params"])


def test_init_says_which_variables_it_used(tmp_path, start):
    init = tmp_path / "init.mat"
    T1, T2 = nn3.roll(start["initial_params"], 2, 3, 1)
    scipy.io.savemat(init, {"Theta1": T1, "Theta2": T2})
    r = run("train", DATA / "data.mat", "--init", init, "--maxiter", 4,
            "--out", tmp_path / "b.mat", "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stderr.splitlines()[0] == (  # then, at 4 iterations, the learned-nothing warning
        f"nn3: --init: starting from Theta1 and Theta2 in {init}, a 2-3-1 network"
    )


def test_init_unrolled_vector_of_the_wrong_size_names_the_hidden_size_that_fits(tmp_path, start):
    init = tmp_path / "init.mat"
    scipy.io.savemat(init, {"initial_nn_params": start["initial_params"]})
    r = run("train", DATA / "data.mat", "--init", init, "--out", tmp_path / "b.mat")
    assert r.exit_code == 2
    assert r.output.strip().splitlines() == [
        f"nn3: error: {init}: 'initial_nn_params' has 13 elements, but a 2-25-1 network needs "
        "101 (2 features, --hidden 25, 1 labels); --hidden 3 fits it"
    ]


def test_init_ambiguous_workspace_is_refused_unless_init_var_picks(tmp_path, start):
    """A saved Octave workspace: trained Theta1/Theta2 and ex4.m's initial_nn_params."""
    trained = nn3.roll(start["nn_params"], 2, 3, 1)
    init = tmp_path / "workspace.mat"
    scipy.io.savemat(
        init,
        {"Theta1": trained[0], "Theta2": trained[1], "initial_nn_params": start["initial_params"]},
    )
    out = tmp_path / "b.mat"
    r = run("train", DATA / "data.mat", "--init", init, "--maxiter", 4, "--out", out, "-q")
    assert r.exit_code == 2
    assert r.output.strip().splitlines() == [
        f"nn3: error: {init}: holds more than one set of starting weights (Theta1/Theta2, "
        "initial_nn_params); pick one with --init-var NAME"
    ]
    assert not out.exists()
    r = run("train", DATA / "data.mat", "--init", init, "--init-var", "initial_nn_params",
            "--hidden", 3, "--maxiter", 4, "--out", out, "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    np.testing.assert_array_equal(scipy.io.loadmat(out)["nn_params"], start["nn_params"])
    r = run("train", DATA / "data.mat", "--init", init, "--init-var", "Theta1",
            "--maxiter", 4, "--out", out, "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    np.testing.assert_array_equal(scipy.io.loadmat(out)["initial_params"], start["nn_params"])


def test_init_a_weights_file_nn3_wrote_is_ambiguous(tmp_path, start):
    first = tmp_path / "first.mat"  # written by the fixture: Theta1/Theta2 and initial_params
    r = run("train", DATA / "data.mat", "--init", first, "--out", tmp_path / "b.mat", "-q")
    assert r.exit_code == 2
    assert "(Theta1/Theta2, initial_params); pick one with --init-var NAME" in r.output


def test_init_var_without_init_and_unknown_name(tmp_path, start):
    r = run("train", DATA / "data.mat", "--init-var", "initial_params")
    assert r.exit_code == 2 and "--init-var names a variable of --init" in r.output
    r = run("train", DATA / "data.mat", "--init", tmp_path / "first.mat", "--init-var", "w")
    assert r.exit_code == 2 and "no variable 'w'" in r.output


# --------------------------------------------------------------------------------------------
# A transposed X


def test_transposed_x_is_named_as_such(tmp_path, start):
    d = nn3.load_mat(DATA / "data.mat")
    weights = tmp_path / "first.mat"
    only_x = tmp_path / "xt.mat"
    scipy.io.savemat(only_x, {"X": d["X"][:5].T})  # 5 examples of 2 features, as X' (2x5)
    r = run("predict", weights, only_x)
    assert r.exit_code == 2
    assert (
        "X has 5 features, but Theta1 is 3x3 and expects 2; X looks transposed (X'): its 2 rows "
        "match the 2 features (give one example per row)"
    ) in r.output
    both = tmp_path / "xyt.mat"
    scipy.io.savemat(both, {"X": d["X"].T, "y": d["y"]})
    for args in (["cost", weights, both], ["train", both, "--init", weights, "--init-var",
                                           "Theta1"]):  # fmt: skip
        r = run(*args)
        assert r.exit_code == 2
        assert "'X' has 2 rows but 'y' has 400 labels; 'X' looks transposed (X'): its 400 " \
            "columns match the labels" in r.output  # fmt: skip


def test_transposed_x_against_an_unrolled_init_vector(tmp_path):
    init = tmp_path / "init.mat"
    scipy.io.savemat(init, {"initial_nn_params": np.zeros(3 * 6 + 1 * 4)})  # a 5-3-1 network
    data = tmp_path / "xt.mat"
    # 2 examples of 5 features given as X' (5x2), with 5 labels: the rows and labels agree, so
    # only the vector's length tells that X is transposed.
    x = np.arange(10.0).reshape(2, 5)
    scipy.io.savemat(data, {"X": x.T, "y": np.array([[0.0], [1.0], [0.0], [1.0], [1.0]])})
    r = run("train", data, "--init", init, "--hidden", 3, "--out", tmp_path / "b.mat")
    assert r.exit_code == 2
    assert "it fits 5 features, X's row count: X looks transposed (X')" in r.output
