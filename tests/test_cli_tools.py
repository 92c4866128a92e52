"""The regression-testing commands: nn3 compare, nn3 check-grad, nn3 cost, nn3 info.

Tried as a new user would: files that differ by one ULP, a missing variable, a size mismatch,
missing files; gradient checks; the ex4 cost on MATLAB's own ex4weights.mat; and ``nn3 info`` on
every MATLAB-written file in ../shared/matfiles against its README.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from click.testing import CliRunner
from reference_impl import matlab_cost_grad

import nn3.core.gradcheck
from nn3.cli import cli
from nn3.core.network import nn_cost_function
from nn3.datasets import synthetic_ex4

SHARED = Path(__file__).resolve().parents[2] / "shared" / "matfiles"
EX4WEIGHTS = SHARED / "ex4weights.mat"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_ulp_files(tmp_path):
    X = np.arange(1.0, 13.0).reshape(3, 4) / 10
    X2 = X.copy()
    X2[1, 2] = np.nextafter(X2[1, 2], 1.0)  # MATLAB's X(2, 3), one ULP up
    y = np.array([[1.0], [2.0], [3.0]])
    scipy.io.savemat(tmp_path / "expected.mat", {"X": X, "y": y})
    scipy.io.savemat(tmp_path / "actual.mat", {"X": X2, "y": y})
    return tmp_path / "expected.mat", tmp_path / "actual.mat"


# --------------------------------------------------------------------------------------------
# nn3 compare


def test_compare_one_ulp_passes_rtol_and_fails_ulps_zero(tmp_path):
    expected, actual = one_ulp_files(tmp_path)
    r = run("compare", expected, actual)
    assert r.exit_code == 0, r.output
    assert "PASSED: all 2 variables match" in r.output
    r = run("compare", expected, actual, "--ulps", "0")
    assert r.exit_code == 1, r.output
    row = next(line for line in r.output.splitlines() if line.startswith("X "))
    assert "(2, 3)" in row and "FAIL: 1 of 12 elements differ" in row
    assert "X(2, 3): expected 0.69999999999999996, actual 0.70000000000000007" in r.output
    assert "FAILED: 1 of 2 variables differ" in r.output
    r = run("compare", expected, actual, "--ulps", "1")
    assert r.exit_code == 0, r.output


def test_compare_missing_variable_and_size_mismatch_are_reported(tmp_path):
    scipy.io.savemat(tmp_path / "e.mat", {"A": np.zeros((3, 2)), "B": np.ones((1, 1))})
    scipy.io.savemat(tmp_path / "a.mat", {"A": np.zeros((2, 3)), "C": np.ones((1, 1))})
    r = run("compare", tmp_path / "e.mat", tmp_path / "a.mat")
    assert r.exit_code == 1, r.output
    assert re.search(r"^A\s+double\s+3x2/2x3 .*FAIL: size 3x2 vs 2x3$", r.output, re.M)
    assert re.search(r"^B\s+double\s+1x1 .*FAIL: missing in ACTUAL$", r.output, re.M)
    assert f"Only in {tmp_path / 'a.mat'}: C" in r.output


def test_compare_json(tmp_path):
    expected, actual = one_ulp_files(tmp_path)
    r = run("compare", expected, actual, "--ulps", "0", "--json")
    assert r.exit_code == 1
    d = json.loads(r.stdout)
    assert d["passed"] is False and d["ulps"] == 0
    X = d["variables"][0]
    assert X["name"] == "X" and X["worst"] == [2, 3] and X["max_ulps"] == 1
    assert X["expected_size"] == [3, 4] and X["expected_class"] == "double"
    assert X["max_abs"] == np.nextafter(0.7, 1.0) - 0.7
    assert d["variables"][1] == {**d["variables"][1], "name": "y", "passed": True}


def test_compare_struct_fields_var_and_nan(tmp_path):
    e = {"data": {"X": np.array([[1.0, np.nan]]), "y": np.array([[1.0]])}, "z": np.zeros((1, 1))}
    a = {"data": {"X": np.array([[1.0, np.nan]]), "y": np.array([[2.0]])}}
    scipy.io.savemat(tmp_path / "e.mat", e)
    scipy.io.savemat(tmp_path / "a.mat", a)
    r = run("compare", tmp_path / "e.mat", tmp_path / "a.mat", "--var", "data.X", "--ulps", "0")
    assert r.exit_code == 0, r.output  # NaN equals NaN in the same position
    r = run("compare", tmp_path / "e.mat", tmp_path / "a.mat", "--var", "data")
    assert r.exit_code == 1
    assert re.search(r"^data\.y .*FAIL: 1 of 1 elements differ$", r.output, re.M)
    assert "data.y(1, 1): expected 1, actual 2" in r.output
    assert "z " not in r.output


def test_compare_bad_input_exits_2_with_one_line(tmp_path):
    expected, actual = one_ulp_files(tmp_path)
    r = run("compare", expected, tmp_path / "absent.mat")
    assert r.exit_code == 2
    assert r.stderr == f"nn3: error: {tmp_path / 'absent.mat'}: no such file\n"
    (tmp_path / "junk.mat").write_text("not a mat file\n")
    r = run("compare", tmp_path / "junk.mat", actual)
    assert r.exit_code == 2 and r.stderr.startswith(f"nn3: error: {tmp_path / 'junk.mat'}: ")
    assert len(r.stderr.splitlines()) == 1
    r = run("compare", expected, actual, "--var", "nope")
    assert r.exit_code == 2 and "no variable 'nope'" in r.stderr
    r = run("compare", expected, actual, "--ulps", "0", "--rtol", "1e-8")
    assert r.exit_code == 2 and "--ulps replaces --rtol" in r.stderr
    r = run("compare", expected, actual, "--rtol", "-1")
    assert (
        r.exit_code == 2
        and r.stderr == "nn3: error: --rtol must be a non-negative number, got -1.0\n"
    )
    r = run("compare", expected, actual, "--ulps", "-1")
    assert r.exit_code == 2 and "--ulps must be a non-negative whole number" in r.stderr


# --------------------------------------------------------------------------------------------
# nn3 check-grad


def relative_difference_printed(output):
    m = re.search(r"^Relative Difference: (\S+) ", output, re.M)
    return float(m.group(1))


@pytest.mark.parametrize("lambda_", ["0", "3"])
def test_check_grad_below_1e9(lambda_):
    r = run("check-grad", "--lambda", lambda_)
    assert r.exit_code == 0, r.output
    assert relative_difference_printed(r.output) < 1e-9
    rows = [line.split() for line in r.output.splitlines() if re.match(r"^\s+-?\d\.", line)]
    assert len(rows) == 5 * 4 + 3 * 6  # one row per weight of the 3-5-3 network
    # The analytical column is nnCostFunction's gradient at the debug point, which the plain
    # transcription of the MATLAB formulas (tests/reference_impl.py) gives as well.
    p, X, y = nn3.core.gradcheck.debug_problem()
    Theta1, Theta2 = p[:20].reshape(5, 4, order="F"), p[20:].reshape(3, 6, order="F")
    _, G1, G2 = matlab_cost_grad(X, y, Theta1, Theta2, float(lambda_))
    analytical = np.array([float(row[1]) for row in rows])
    np.testing.assert_allclose(analytical, np.concatenate([G1.ravel("F"), G2.ravel("F")]), 1e-12)


def test_check_grad_sizes_and_failure(monkeypatch):
    r = run("check-grad", "--input", 2, "--hidden", 2, "--labels", 4, "--examples", 3)
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Gradient check: 2-2-4 network, 3 examples, lambda 0")
    assert len([ln for ln in r.output.splitlines() if re.match(r"^\s+-?\d\.", ln)]) == 6 + 12

    def broken(*args):
        J, grad = nn_cost_function(*args)
        return J, grad * 1.01

    monkeypatch.setattr(nn3.core.gradcheck, "nn_cost_function", broken)
    r = run("check-grad")
    assert r.exit_code == 1
    assert relative_difference_printed(r.output) == pytest.approx(0.01 / 2.01, rel=1e-6)
    assert r.output.rstrip().endswith("FAILED")


def test_check_grad_bad_options_exit_2():
    r = run("check-grad", "--hidden", "0")
    assert r.exit_code == 2 and "--hidden must be at least 1" in r.stderr  # names the option
    r = run("check-grad", "--lambda", "-1")
    assert r.exit_code == 2 and "lambda" in r.stderr


# --------------------------------------------------------------------------------------------
# nn3 cost


def printed_cost(output):
    return float(re.search(r"^J = (\S+)", output, re.M).group(1))


@pytest.mark.needs_shared
def test_cost_ex4weights_regularisation_term(tmp_path):
    X, y = synthetic_ex4()
    data = tmp_path / "ex4data.mat"
    scipy.io.savemat(data, {"X": X, "y": y})
    r0 = run("cost", EX4WEIGHTS, data)
    r1 = run("cost", EX4WEIGHTS, data, "--lambda", "1")
    assert r0.exit_code == 0 and r1.exit_code == 0, r0.output + r1.output
    J0, J1 = printed_cost(r0.output), printed_cost(r1.output)
    assert r1.output.startswith("Cost at parameters (loaded from ex4weights.mat), lambda 1: ")
    assert f"{J1:.6f}" in r1.output.splitlines()[0]
    # The data-independent term of shared/matfiles/README.md, and the published 0.096141.
    assert round(J1 - J0, 6) == 0.096141
    assert J1 - J0 == pytest.approx(0.0961406939296045, abs=1e-13)
    # J itself, against the plain transcription of the MATLAB formulas.
    w = scipy.io.loadmat(EX4WEIGHTS)
    J_ref = matlab_cost_grad(X, y, w["Theta1"], w["Theta2"], 0.0)[0]
    assert J0 == pytest.approx(J_ref, rel=1e-12)


def test_cost_small_network_against_plain_formulas(tmp_path):
    rng = np.random.default_rng(7)
    Theta1 = rng.normal(size=(4, 3))
    Theta2 = rng.normal(size=(3, 5))
    X = rng.normal(size=(6, 2))
    y = np.array([[1], [2], [3], [3], [2], [1]], dtype=np.uint8)
    scipy.io.savemat(tmp_path / "w.mat", {"Theta1": Theta1, "Theta2": Theta2})
    scipy.io.savemat(tmp_path / "d.mat", {"X": X, "y": y})
    for lam in (0.0, 2.5):
        r = run("cost", tmp_path / "w.mat", tmp_path / "d.mat", "--lambda", lam)
        assert r.exit_code == 0, r.output
        J_ref = matlab_cost_grad(X, y, Theta1, Theta2, lam)[0]
        assert printed_cost(r.output) == pytest.approx(J_ref, rel=1e-13)
        assert "6 examples, 2-4-3 network" in r.output


def test_cost_bad_input_exits_2(tmp_path):
    scipy.io.savemat(tmp_path / "w.mat", {"Theta1": np.zeros((4, 3)), "Theta2": np.zeros((3, 5))})
    scipy.io.savemat(tmp_path / "d.mat", {"X": np.zeros((2, 2)), "y": np.array([[1.0], [7.0]])})
    scipy.io.savemat(tmp_path / "d3.mat", {"X": np.zeros((2, 3)), "y": np.array([[1.0], [2.0]])})
    r = run("cost", tmp_path / "w.mat", tmp_path / "d.mat")
    assert r.exit_code == 2
    assert r.stderr.startswith(f"nn3: error: {tmp_path / 'd.mat'}: ") and "1..3" in r.stderr
    r = run("cost", tmp_path / "w.mat", tmp_path / "d3.mat")
    assert r.exit_code == 2 and "3 features" in r.stderr
    r = run("cost", tmp_path / "w.mat", tmp_path / "absent.mat")
    assert r.exit_code == 2 and "no such file" in r.stderr
    r = run("cost", tmp_path / "w.mat", tmp_path / "d.mat", "--lambda", "-1")
    assert r.exit_code == 2 and "--lambda" in r.stderr


# --------------------------------------------------------------------------------------------
# nn3 info


def info_rows(output):
    """name -> (class, size, min, max, NaNs) from the table."""
    lines = output.splitlines()
    header = lines[1]
    starts = [header.index(h) for h in ("name", "class", "size", "min", "max", "NaNs")]
    rows = {}
    for line in lines[2:]:
        cells = [
            line[a:b].strip() for a, b in zip(starts, [*starts[1:], len(line) + 1], strict=True)
        ]
        rows[cells[0]] = tuple(cells[1:])
    return rows


def test_info_on_a_file_of_known_contents(tmp_path):
    variables = {
        "X": np.array([[1.5, np.nan, -2.0]]),
        "n": np.array([[3], [-4]], np.int32),
        "f": np.ones((2, 2, 3), np.float32),
        "b": np.array([[True, False]]),
        "s": "hello",
        "c3": np.array(list("abcdefghijklmnopqrstuvwx")).reshape(2, 4, 3),
        "st": {"a": np.zeros((0, 3))},
    }
    scipy.io.savemat(tmp_path / "k.mat", variables)
    r = run("info", tmp_path / "k.mat")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"{tmp_path / 'k.mat'}: MAT-file v5 (MATLAB 5.0 MAT-file")
    rows = info_rows(r.output)
    assert rows["X"] == ("double", "1x3", "-2", "1.5", "1")
    assert rows["n"] == ("int32", "2x1", "-4", "3", "0")
    assert rows["f"] == ("single", "2x2x3", "1", "1", "0")
    assert rows["b"][:2] == ("logical", "1x2")
    assert rows["s"][:2] == ("char", "1x5")
    assert rows["c3"] == ("char", "2x4x3", "-", "-", "-")
    assert rows["st"][:2] == ("struct", "1x1")
    assert rows["st.a"] == ("double", "0x3", "-", "-", "-")
    scipy.io.savemat(tmp_path / "v4.mat", {"A": np.eye(3)}, format="4")
    r = run("info", tmp_path / "v4.mat")
    assert r.output.splitlines()[0] == f"{tmp_path / 'v4.mat'}: MAT-file v4"
    assert info_rows(r.output)["A"] == ("double", "3x3", "0", "1", "0")
    r = run("info", tmp_path / "absent.mat")
    assert r.exit_code == 2 and r.stderr.startswith("nn3: error: ")


# What ../shared/matfiles/README.md says of each file (sizes of the v7.3 test files as MATLAB
# wrote them: the 4-D array is 3x1x4x2, the char matrix 6x57, as GNU Octave also reads them).
SHARED_CONTENTS = {
    "ex4weights.mat": (
        "v5",
        {"Theta1": ("double", "25x401"), "Theta2": ("double", "10x26")},
    ),
    "matlab73_testfile1.mat": (
        "v7.3",
        {
            "data": ("struct", "1x1"),
            "data.int8_": ("int8", "1x1"),
            "data.uint16_": ("uint16", "1x1"),
            "data.int32_": ("int32", "1x1"),
            "data.uint64_": ("uint64", "1x1"),
            "data.bool_": ("logical", "1x1"),
            "data.arr_bool": ("logical", "1x3"),
            "data.single_": ("single", "1x1"),
            "data.double_": ("double", "1x1"),
            "data.char_": ("char", "1x1"),
            "data.complex_": ("double (complex)", "1x1"),
            "data.nan_": ("double", "1x1"),
            "data.arr_two_three": ("double", "3x2"),
            "data.cell_": ("cell", "1x7"),
            "data.struct_": ("struct", "1x1"),
            "data.structarr_": ("struct", "3x1"),
            "data.sparse_": ("double (sparse)", "10x8"),
            "secondvar": ("double", "1x4"),
            "keys": ("char", "1x18"),
        },
    ),
    "matlab73_testfile14.mat": ("v7.3", {"data": ("double", "3x1x4x2")}),
    "matlab73_testfile15.mat": (
        "v7.3",
        {
            "x_0": ("double", "0x0"),
            "x_1": ("double", "1x1"),
            "x_10": ("double", "1x10"),
            "x_1_0": ("double", "1x0"),
            "x_0_1": ("double", "0x1"),
            "x_1_1": ("double", "1x1"),
            "x_0_10": ("double", "0x10"),
            "x_1_10": ("double", "1x10"),
            "x_10_0": ("double", "10x0"),
            "x_10_1": ("double", "10x1"),
            "x_10_10": ("double", "10x10"),
            "x_1_1_10_1_1": ("double", "1x1x10"),
            "x_10_1_1_10": ("double", "10x1x1x10"),
        },
    ),
    "matlab73_testfile16.mat": (
        "v7.3",
        {
            "char_arr_1d": ("char", "1x4"),
            "char_arr_2d": ("char", "6x57"),
            "char_arr_3d": ("char", "2x4x3"),
        },
    ),
}


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", sorted(SHARED_CONTENTS))
def test_info_on_matlab_files_matches_their_readme(name):
    version, expected = SHARED_CONTENTS[name]
    r = run("info", SHARED / name)
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"{SHARED / name}: MAT-file {version} (MATLAB ")
    rows = info_rows(r.output)
    for var, (cls, size) in expected.items():
        assert rows[var][:2] == (cls, size), var
    top_level = {v for v in rows if "." not in v}
    assert top_level == {v for v in expected if "." not in v}
    if name == "matlab73_testfile1.mat":
        assert rows["data.nan_"][4] == "1"  # NaN count
        assert rows["data.arr_two_three"][2:] == ("1", "6", "0")


@pytest.mark.needs_shared
def test_info_size_of_a_3d_char_array():
    r = run("info", SHARED / "matlab73_testfile16.mat")
    assert info_rows(r.output)["char_arr_3d"][:2] == ("char", "2x4x3")


# --------------------------------------------------------------------------------------------
# char sizes, sparse without densifying, --relative-to


def test_info_reports_a_char_row_holding_a_newline_as_a_row(tmp_path):
    scipy.io.savemat(tmp_path / "row.mat", {"c": np.array(["a\nb"])})
    scipy.io.savemat(tmp_path / "col.mat", {"c": np.array(["a", "b"])})
    r = run("info", tmp_path / "row.mat")
    assert r.exit_code == 0 and re.search(r"^c\s+char\s+1x3\b", r.output, re.M), r.output
    r = run("info", tmp_path / "col.mat")
    assert r.exit_code == 0 and re.search(r"^c\s+char\s+2x1\b", r.output, re.M), r.output
    r = run("compare", tmp_path / "col.mat", tmp_path / "row.mat")
    assert r.exit_code == 1 and "FAIL: size 2x1 vs 1x3" in r.output, r.output


def _sparse_file(path, extra=None):
    import scipy.sparse

    n = 10**6
    rows, cols, vals = [0, n - 1], [0, n - 1], [1.0, -2.0]
    if extra:
        rows, cols, vals = rows + [extra[0]], cols + [extra[1]], vals + [extra[2]]
    m = scipy.sparse.csc_matrix((vals, (rows, cols)), shape=(n, n))
    scipy.io.savemat(path, {"S": m}, do_compression=True)
    return path


def test_a_10e6_by_10e6_sparse_matrix_is_never_densified(tmp_path):
    """Formerly a traceback: 'Unable to allocate 7.28 TiB'."""
    a = _sparse_file(tmp_path / "a.mat")
    b = _sparse_file(tmp_path / "b.mat", (4, 2, 0.5))
    assert a.stat().st_size < 10_000
    r = run("info", a)
    assert r.exit_code == 0, r.output
    assert re.search(r"^S\s+double \(sparse\)\s+1000000x1000000\s+-2\s+1\s+0$", r.output, re.M)
    r = run("compare", a, a, "--ulps", "0")
    assert r.exit_code == 0 and "PASSED" in r.output, r.output
    r = run("compare", a, b)
    assert r.exit_code == 1, r.output
    assert "FAIL: 1 of 1000000000000 elements differ" in r.output
    assert "S(5, 3): expected 0, actual 0.5" in r.output


def test_compare_relative_to_max(tmp_path):
    scipy.io.savemat(tmp_path / "e.mat", {"grad": np.array([[0.25], [6.2e-9]])})
    scipy.io.savemat(tmp_path / "a.mat", {"grad": np.array([[0.25], [6.2e-9 + 3.5e-16]])})
    r = run("compare", tmp_path / "e.mat", tmp_path / "a.mat")
    assert r.exit_code == 1 and "grad(2, 1)" in r.output, r.output
    r = run("compare", tmp_path / "e.mat", tmp_path / "a.mat", "--relative-to", "max")
    assert r.exit_code == 0, r.output
    assert "rtol 1e-10 of max|e|, atol 0" in r.output
    r = run("compare", tmp_path / "e.mat", tmp_path / "a.mat", "--relative-to", "max", "--json")
    assert json.loads(r.output)["relative_to"] == "max"
    r = run(
        "compare", tmp_path / "e.mat", tmp_path / "a.mat", "--relative-to", "max", "--ulps", "0"
    )
    assert r.exit_code == 2 and "--ulps replaces --relative-to" in r.output, r.output
    r = run("compare", tmp_path / "e.mat", tmp_path / "a.mat", "--relative-to", "col")
    assert r.exit_code == 2, r.output
