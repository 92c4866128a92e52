"""nn3.compare and nn3.testing: classes, sizes, differences, worst elements, files of every version.

Expected values are hand-worked (ULP distances from the IEEE-754 bit patterns, positions chosen by
hand) or come from files written by GNU Octave, never from the code under test.
"""

import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import scipy.sparse

import nn3
from nn3.compare import (
    compare_files,
    compare_values,
    compare_variables,
    format_size,
    matlab_class,
    matlab_size,
    ulp_distance,
)
from nn3.errors import MatFileError, OptionError
from nn3.matio import MatlabChar
from nn3.testing import assert_mat_allclose

SHARED = Path(__file__).resolve().parents[2] / "shared" / "matfiles"
needs_octave = pytest.mark.needs_octave


def bits(x):
    return struct.unpack("<q", struct.pack("<d", x))[0]


# --------------------------------------------------------------------------------------------
# ULPs, classes, sizes


def test_ulp_distance_hand_worked():
    one_up = np.nextafter(1.0, 2.0)
    assert ulp_distance(1.0, one_up) == 1
    assert ulp_distance(one_up, 1.0) == 1
    assert ulp_distance(-0.0, 0.0) == 0
    assert ulp_distance(5e-324, -5e-324) == 2  # the two smallest subnormals, across zero
    assert ulp_distance(1.0, 2.0) == 2**52  # one binade of double
    # -1 and 1 are each bits(1.0) steps from zero.
    assert int(ulp_distance(-1.0, 1.0)) == 2 * bits(1.0) == 2 * 0x3FF0000000000000
    assert ulp_distance(np.float32(1), np.nextafter(np.float32(1), np.float32(2))) == 1
    assert ulp_distance(np.float32(1), np.float32(2)) == 2**23  # counted in single precision
    assert ulp_distance(1.0, np.inf) == bits(np.inf) - bits(1.0)


@pytest.mark.parametrize(
    "value, cls, size",
    [
        (np.zeros((5000, 400)), "double", (5000, 400)),
        (np.zeros((2, 3), np.float32), "single", (2, 3)),
        (np.zeros((1, 3), bool), "logical", (1, 3)),
        (np.zeros((1, 1), np.int8), "int8", (1, 1)),
        (np.zeros((1, 1), np.uint64), "uint64", (1, 1)),
        (np.zeros((3, 4, 1)), "double", (3, 4)),  # trailing singleton dropped
        (np.zeros((3, 1, 4, 2)), "double", (3, 1, 4, 2)),
        (np.zeros(7), "double", (7, 1)),  # a 1-D array is a column, as save_mat writes it
        (np.float64(2.5), "double", (1, 1)),
        (2.5, "double", (1, 1)),
        (np.zeros((1, 1), complex), "double", (1, 1)),
        ("abc", "char", (1, 3)),
        ("ab\ncd", "char", (1, 5)),  # a plain str is a row, newlines included (MATLAB's)
        (MatlabChar("ab\ncd", [[97, 98], [99, 100]]), "char", (2, 2)),  # as load_mat gives it
        (MatlabChar("a\nb", [[97], [98]]), "char", (2, 1)),
        (MatlabChar("", np.zeros((1, 0))), "char", (1, 0)),
        ("\U0001f600", "char", (1, 2)),  # UTF-16 code units, as MATLAB holds text
        ("", "char", (0, 0)),
        (np.array(list("abcdef")).reshape(1, 2, 3), "char", (1, 2, 3)),  # an N-D char array
        ({"x": 1.0}, "struct", (1, 1)),
        (np.empty((1, 2), object), "cell", (1, 2)),
    ],
)
def test_matlab_class_and_size(value, cls, size):
    assert matlab_class(value) == cls
    assert matlab_size(value) == size


def test_struct_array_is_struct_and_size_format():
    s = np.empty((1, 3), object)
    for k in range(3):
        s[0, k] = {"f": float(k)}
    assert matlab_class(s) == "struct"
    assert format_size((5000, 400)) == "5000x400"


# --------------------------------------------------------------------------------------------
# Element comparison


def one_ulp_apart():
    expected = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    actual = expected.copy()
    actual[1, 0] = np.nextafter(3.0, 4.0)  # MATLAB's (2, 1)
    return expected, actual


def test_one_ulp_passes_rtol_and_fails_ulps_zero_naming_the_element():
    expected, actual = one_ulp_apart()
    ok = compare_values(expected, actual, name="T")
    assert ok.passed
    bad = compare_values(expected, actual, ulps=0, name="T")
    assert not bad.passed
    assert bad.n_failed == 1 and bad.n_elements == 6
    assert bad.worst == (2, 1)
    assert bad.worst_label == "T(2, 1)"
    assert bad.max_ulps == 1
    assert bad.max_abs == 2.0**-51  # the spacing of doubles in [2, 4)
    assert bad.max_rel == 2.0**-51 / 3.0
    assert bad.worst_expected == 3.0 and bad.worst_actual == np.nextafter(3.0, 4.0)
    assert compare_values(expected, actual, ulps=1).passed


def test_rtol_and_atol_boundaries():
    e = np.array([[1.0]])
    assert compare_values(e, e + 5e-11, rtol=1e-10).passed
    assert not compare_values(e, e + 2e-10, rtol=1e-10).passed
    assert compare_values(e, e + 2e-10, rtol=1e-9).passed
    zero = np.zeros((1, 1))
    tiny = np.full((1, 1), 1e-12)
    r = compare_values(zero, tiny)
    assert not r.passed and r.max_rel == np.inf
    assert compare_values(zero, tiny, atol=1e-11).passed


def test_nan_equals_nan_only_in_the_same_position():
    e = np.array([[1.0, np.nan, 3.0]])
    assert compare_values(e, e.copy(), ulps=0).passed
    moved = np.array([[1.0, 2.0, np.nan]])
    r = compare_values(e, moved, rtol=1.0)
    assert not r.passed and r.n_failed == 2
    assert r.max_abs == np.inf and r.max_ulps == np.inf
    assert r.worst == (1, 2)  # first of the two, in column-major order


def test_infinities_must_match_exactly():
    e = np.array([[np.inf, -np.inf]])
    assert compare_values(e, e.copy()).passed
    r = compare_values(e, np.array([[1e308, -np.inf]]), rtol=1.0)
    assert not r.passed and r.worst == (1, 1)


def test_worst_is_the_failing_element_not_the_largest_difference():
    # (1, 1) differs by 1e-5 but within rtol; (1, 2) differs by 1e-9 and fails.
    e = np.array([[1e6, 1e-3]])
    a = np.array([[1e6 + 1e-5, 1e-3 + 1e-9]])
    r = compare_values(e, a)
    assert r.n_failed == 1
    assert r.worst == (1, 2)
    assert r.max_abs == pytest.approx(1e-5, rel=1e-3)  # the maximum is still reported


def test_ties_go_to_the_first_element_in_column_major_order():
    e = np.zeros((2, 2))
    a = np.array([[0.0, 1.0], [1.0, 0.0]])
    # MATLAB's linear order visits (2, 1) before (1, 2).
    assert compare_values(e, a).worst == (2, 1)


def test_first_failure_is_in_column_major_order_and_separate_from_the_worst():
    e = np.zeros((2, 2))
    a = np.array([[0.0, 5.0], [1.0, 0.0]])  # failures at (2, 1) and (1, 2); (1, 2) is worse
    r = compare_values(e, a)
    assert r.first == (2, 1) and r.worst == (1, 2)
    assert r.to_dict()["first_failed"] == [2, 1]
    assert compare_values(e, e.copy()).first is None  # nothing fails
    ok = compare_values(e, a, atol=10.0)
    assert ok.passed and ok.first is None and ok.worst == (1, 2)
    sp = scipy.sparse.csc_matrix(e)
    moved = scipy.sparse.csc_matrix(([2.0, 1.0], ([0, 1], [1, 1])), shape=(2, 2))
    assert compare_values(sp, moved).first == (1, 2)  # sparse: positions either side stores


def test_nd_position_is_one_based():
    e = np.zeros((2, 3, 4))
    a = e.copy()
    a[1, 2, 3] = 1.0
    assert compare_values(e, a).worst == (2, 3, 4)


def test_class_size_and_missing_are_reported():
    e = np.array([[1.0, 2.0, 3.0]])
    r = compare_values(e, e.astype(np.float32))
    assert not r.passed and r.problem == "class double vs single"
    assert r.max_abs == 0.0  # values still compared
    assert compare_values(e, e.astype(np.float32), check_class=False).passed
    r = compare_values(np.zeros((3, 2)), np.zeros((2, 3)))
    assert not r.passed and r.problem == "size 3x2 vs 2x3"
    assert r.worst is None
    r = compare_values(e, None, name="w")
    assert not r.passed and r.problem == "missing in ACTUAL"
    r = compare_values(e, "abc", check_class=False)
    assert not r.passed and r.problem.startswith("class double vs char")


def test_integers_logical_char_and_complex():
    r = compare_values(np.array([[1, 7]], np.int32), np.array([[1, 9]], np.int32))
    assert not r.passed and r.max_ulps == 2 and r.max_abs == 2.0 and r.worst == (1, 2)
    r = compare_values(np.array([[True, False]]), np.array([[True, True]]))
    assert not r.passed and r.worst == (1, 2)
    r = compare_values("hello", "hallo")
    assert not r.passed and r.worst == (1, 2)
    assert (r.worst_expected, r.worst_actual) == ("e", "a")
    r = compare_values("ab\ncd", "ab\ncx")  # plain str: one row holding a newline
    assert r.worst == (1, 5)
    r = compare_values(
        MatlabChar("ab\ncd", [[97, 98], [99, 100]]), MatlabChar("ab\ncx", [[97, 98], [99, 120]])
    )
    assert r.worst == (2, 2)
    c3 = np.array(list("abcdefgh")).reshape(2, 2, 2)
    assert compare_values(c3, c3.copy(), ulps=0).passed
    moved = c3.copy()
    moved[1, 0, 1] = "\x00"  # char(0), as load_mat returns it
    r = compare_values(c3, moved)
    assert not r.passed and r.problem == "1 of 8 elements differ"
    assert r.worst == (2, 1, 2) and (r.worst_expected, r.worst_actual) == ("f", "\x00")
    z = np.array([[1 + 2j]])
    assert compare_values(z, z.copy(), ulps=0).passed
    r = compare_values(z, np.array([[1 + 2.5j]]))
    assert not r.passed and r.max_abs == 0.5


def test_single_precision_ulps():
    e = np.array([[1.0, 2.0]], np.float32)
    a = e.copy()
    a[0, 1] = np.nextafter(np.float32(2), np.float32(3))
    r = compare_values(e, a, ulps=0)
    assert r.max_ulps == 1 and r.worst == (1, 2)
    assert compare_values(e, a, ulps=1).passed


def test_struct_fields_cells_missing_and_extra():
    cell = np.empty((2, 1), object)
    cell[0, 0] = np.array([[1.0]])
    cell[1, 0] = "x"
    expected = {
        "data": {"X": np.eye(2), "y": np.array([[1.0], [2.0]])},
        "c": cell,
        "w": np.zeros((1, 1)),
    }
    cell2 = cell.copy()
    cell2[1, 0] = "y"
    actual = {
        "data": {"X": np.eye(2), "z": np.zeros((1, 1))},
        "c": cell2,
        "w": np.zeros((1, 1)),
        "extra": np.ones((1, 1)),
    }
    report = compare_variables(expected, actual)
    by_name = {r.name: r for r in report.results}
    assert list(by_name) == ["data.X", "data.y", "c", "c{1,1}", "c{2,1}", "w"]
    assert by_name["data.X"].passed
    assert by_name["data.y"].problem == "missing in ACTUAL"
    assert by_name["c"].passed and by_name["c{1,1}"].passed
    assert not by_name["c{2,1}"].passed
    assert by_name["w"].passed
    assert report.extra == ["data.z", "extra"]
    assert not report.passed
    only = compare_variables(expected, actual, names=["data.X", "w"])
    assert only.passed and [r.name for r in only.results] == ["data.X", "w"]
    with pytest.raises(MatFileError, match="no variable 'nope'"):
        compare_variables(expected, actual, names=["nope"])


def test_bad_tolerances_are_option_errors():
    with pytest.raises(OptionError):
        compare_variables({}, {}, rtol=-1.0)
    with pytest.raises(OptionError):
        compare_variables({}, {}, ulps=-1)
    with pytest.raises(OptionError, match="ulps must be a non-negative whole number"):
        compare_values(np.ones((1, 1)), np.ones((1, 1)), ulps=-1)
    with pytest.raises(OptionError, match="atol must be a non-negative number"):
        assert_mat_allclose(np.ones((1, 1)), np.ones((1, 1)), atol=-1.0)


def test_report_table_and_json():
    expected, actual = one_ulp_apart()
    report = compare_variables(
        {"T": expected, "gone": np.zeros((1, 1))}, {"T": actual}, ulps=0, actual_path="a.mat"
    )
    text = report.format_table()
    assert "T(2, 1): expected 3, actual 3.0000000000000004" in text
    assert "FAIL: missing in ACTUAL" in text
    assert "FAILED: 2 of 2 variables differ" in text
    d = report.to_dict()
    assert d["passed"] is False and d["ulps"] == 0
    assert d["variables"][0]["worst"] == [2, 1] and d["variables"][0]["max_ulps"] == 1
    assert d["variables"][1]["max_abs"] is None


# --------------------------------------------------------------------------------------------
# Files of every version


def write_v73(path, variables):
    """A minimal MATLAB-style v7.3 file (userblock, MATLAB_class, reversed dimensions)."""
    h5py = pytest.importorskip("h5py")
    with h5py.File(path, "w", userblock_size=512) as f:
        for name, value in variables.items():
            value = np.asarray(value)
            cls = {"float64": "double", "float32": "single", "int32": "int32"}[value.dtype.name]
            ds = f.create_dataset(name, data=value.T)
            ds.attrs["MATLAB_class"] = np.bytes_(cls)
    with open(path, "r+b") as fh:
        text = b"MATLAB 7.3 MAT-file, written by nn3's tests"
        fh.write(text + b" " * (116 - len(text)) + b"\x00" * 8 + b"\x00\x02IM")


def test_files_v4_v5_v73_compare_equal(tmp_path):
    X = np.arange(12.0).reshape(3, 4) / 7
    n = np.array([[1, -2, 3]], np.int32)
    scipy.io.savemat(tmp_path / "v4.mat", {"X": X}, format="4")
    scipy.io.savemat(tmp_path / "v5.mat", {"X": X, "n": n})
    write_v73(tmp_path / "v73.mat", {"X": X, "n": n})
    assert compare_files(tmp_path / "v5.mat", tmp_path / "v73.mat", ulps=0).passed
    assert compare_files(tmp_path / "v4.mat", tmp_path / "v73.mat", ulps=0).passed
    X2 = X.copy()
    X2[2, 3] = np.nextafter(X2[2, 3], 0)
    write_v73(tmp_path / "v73b.mat", {"X": X2, "n": n})
    report = compare_files(tmp_path / "v5.mat", tmp_path / "v73b.mat", ulps=0)
    assert not report.passed and report.results[0].worst == (3, 4)
    assert report.results[1].passed


def test_missing_file_is_a_mat_file_error(tmp_path):
    scipy.io.savemat(tmp_path / "a.mat", {"x": 1.0})
    with pytest.raises(MatFileError, match="no such file"):
        compare_files(tmp_path / "a.mat", tmp_path / "absent.mat")


@pytest.mark.needs_shared
def test_struct_field_of_a_matlab_v73_file(tmp_path):
    # arr_two_three = [1 2; 3 4; 5 6] (shared/matfiles/README.md), written by MATLAB.
    scipy.io.savemat(tmp_path / "mine.mat", {"data": {"arr_two_three": [[1, 2], [3, 4], [5, 6.0]]}})
    report = compare_files(
        SHARED / "matlab73_testfile1.mat", tmp_path / "mine.mat", names=["data.arr_two_three"]
    )
    assert report.passed
    scipy.io.savemat(tmp_path / "off.mat", {"data": {"arr_two_three": [[1, 2], [3, 4], [5, 7.0]]}})
    report = compare_files(
        SHARED / "matlab73_testfile1.mat", tmp_path / "off.mat", names=["data.arr_two_three"]
    )
    assert report.results[0].worst == (3, 2)
    assert report.results[0].worst_expected == 6.0
    # A MATLAB file compared with itself passes, every struct field and cell element included.
    whole = compare_files(SHARED / "matlab73_testfile1.mat", SHARED / "matlab73_testfile1.mat")
    assert {r.name for r in whole.results} >= {"data.arr_two_three", "secondvar", "keys"}
    # ... except the MATLAB object `missing`, whose contents nn3 does not read: it cannot
    # vouch for it, so it says so instead of passing it.
    assert [(r.name, r.problem) for r in whole.failures] == [
        ("data.missing_", "cannot compare values of class missing")
    ]
    assert len(whole.results) > 50


@needs_octave
def test_octave_files_match_values_computed_here(tmp_path):
    # Octave writes -v4, -v6 and -v7 files; every value is exactly representable or the result
    # of one correctly rounded operation, so they equal numpy's to the bit.
    script = (
        "A = [1/3 2/3; pi e]; n = int32([1 -2 3]); b = [true false]; s = 'text'; "
        "st.X = A; st.k = 7; "
        f"save('-v7', '{tmp_path}/o7.mat', 'A', 'n', 'b', 's', 'st'); "
        f"save('-v6', '{tmp_path}/o6.mat', 'A', 'n', 'b', 's', 'st'); "
        f"save('-v4', '{tmp_path}/o4.mat', 'A');"
    )
    subprocess.run(["octave-cli", "--no-gui", "--eval", script], check=True, capture_output=True)
    A = np.array([[1 / 3, 2 / 3], [np.pi, np.e]])
    mine = {
        "A": A,
        "n": np.array([[1, -2, 3]], np.int32),
        "b": np.array([[True, False]]),
        "s": "text",
        "st": {"X": A, "k": 7.0},
    }
    scipy.io.savemat(tmp_path / "mine.mat", mine)
    for name in ("o7.mat", "o6.mat"):
        report = compare_files(tmp_path / name, tmp_path / "mine.mat", ulps=0)
        assert report.passed, report.format_table()
        assert [r.name for r in report.results] == ["A", "n", "b", "s", "st.X", "st.k"]
    assert compare_files(tmp_path / "o4.mat", tmp_path / "mine.mat", ulps=0).passed
    mine["A"] = A + np.array([[0, 0], [0, 1e-9]])
    scipy.io.savemat(tmp_path / "mine2.mat", mine)
    report = compare_files(tmp_path / "o7.mat", tmp_path / "mine2.mat", names=["A", "st"])
    assert [r.name for r in report.failures] == ["A"]
    assert report.failures[0].worst == (2, 2)


# --------------------------------------------------------------------------------------------
# nn3.testing.assert_mat_allclose


def test_assert_mat_allclose_passes_and_fails_with_the_facts():
    expected, actual = one_ulp_apart()
    assert_mat_allclose(actual, expected)
    with pytest.raises(AssertionError) as info:
        assert_mat_allclose(actual, expected, ulps=0)
    message = str(info.value)
    assert "ulps 0" in message
    assert "worst element (2, 1): expected 3, actual 3.0000000000000004" in message
    assert "max ULP distance 1" in message
    assert "1 of 6 elements differ" in message


def test_assert_mat_allclose_reads_a_variable_from_a_file(tmp_path):
    expected, actual = one_ulp_apart()
    scipy.io.savemat(tmp_path / "ref.mat", {"Theta1": expected, "p": np.arange(1.0, 4.0)})
    assert_mat_allclose(actual, (tmp_path / "ref.mat", "Theta1"))
    assert_mat_allclose(np.arange(1.0, 4.0), (str(tmp_path / "ref.mat"), "p"))  # 1-D vs 3x1
    assert_mat_allclose(2.0, np.array([[2.0]]))  # a scalar vs 1x1
    with pytest.raises(AssertionError, match=r"Theta1\(2, 1\)") as info:
        assert_mat_allclose(actual, (tmp_path / "ref.mat", "Theta1"), ulps=0)
    assert "ref.mat" in str(info.value)
    with pytest.raises(AssertionError, match="size 3x2 vs 2x3"):
        assert_mat_allclose(actual.T, (tmp_path / "ref.mat", "Theta1"))
    with pytest.raises(MatFileError, match="no variable 'Theta9'"):
        assert_mat_allclose(actual, (tmp_path / "ref.mat", "Theta9"))


def test_assert_mat_allclose_on_structs_and_classes():
    e = {"X": np.eye(2), "y": np.array([[1.0], [2.0]])}
    assert_mat_allclose({"X": np.eye(2), "y": np.array([[1.0], [2.0]])}, e)
    with pytest.raises(AssertionError, match=r"y: 1 of 2 elements differ"):
        assert_mat_allclose({"X": np.eye(2), "y": np.array([[1.0], [3.0]])}, e)
    ints = np.array([[1, 2]])
    assert_mat_allclose(ints, np.array([[1.0, 2.0]]))  # classes ignored by default
    with pytest.raises(AssertionError, match="class double vs int64"):
        assert_mat_allclose(ints, np.array([[1.0, 2.0]]), check_class=True)


# --------------------------------------------------------------------------------------------
# Never pass what differs


@pytest.mark.parametrize(
    ("e", "a"),
    [
        (np.int64(2**60), np.int64(2**60 + 1)),
        (np.uint64(2**64 - 1), np.uint64(2**64 - 2)),
        (np.int64(-(2**63)), np.int64(-(2**63) + 1)),
        (np.uint64(2**63 + 5), np.int64(2**63 - 1)),  # mixed signs, beyond int64
        (np.int64(-1), np.uint64(2**64 - 1)),  # the same bits, different numbers
    ],
)
def test_integers_compare_exactly_whatever_their_width(e, a):
    e, a = np.array([[e]]), np.array([[a]])
    exact = abs(int(a[0, 0]) - int(e[0, 0]))
    for options in ({"ulps": 0}, {}, {"rtol": 1e-3}, {"relative_to": "max"}):
        r = compare_values(e, a, check_class=False, **options)
        assert not r.passed, options
        assert r.max_abs == exact and r.max_ulps == exact
        with pytest.raises(AssertionError, match="1 of 1 elements differ"):
            assert_mat_allclose(a, e, **options)
    assert compare_values(e, e.copy(), ulps=0).passed
    assert compare_values(e, a, atol=exact, check_class=False).passed  # atol applies, exactly
    assert not compare_values(e, a, atol=exact - 1, check_class=False).passed


def test_integer_files_through_the_cli_at_ulps_zero_and_default_rtol(tmp_path):
    from click.testing import CliRunner

    from nn3.cli import cli

    nn3.save_mat(tmp_path / "e.mat", {"n": np.array([[2**60, 7]], dtype=np.int64)})
    nn3.save_mat(tmp_path / "a.mat", {"n": np.array([[2**60 + 1, 7]], dtype=np.int64)})
    for extra in ([], ["--ulps", "0"], ["--relative-to", "max"]):
        r = CliRunner().invoke(
            cli, ["compare", str(tmp_path / "e.mat"), str(tmp_path / "a.mat")] + extra
        )
        assert r.exit_code == 1, r.output
        assert "n(1, 1): expected 1152921504606846976, actual 1152921504606846977" in r.output


def test_mixed_integer_and_float_compare_exactly():
    i = np.array([[2**60 + 1, 3, 3, 3, 3]], dtype=np.int64)
    f = np.array([[2.0**60, 3.0, 3.5, np.nan, np.inf]])
    for e, a in ((i, f), (f, i)):
        r = compare_values(e, a, check_class=False)
        assert not r.passed and r.n_failed == 4
        assert r.worst in ((1, 4), (1, 5))  # NaN/Inf: infinitely far from any integer
    # Whole doubles equal to the integers pass, as MATLAB's isequal(int32(3), 3).
    assert compare_values(
        np.array([[3, -2]], np.int32), np.array([[3.0, -2.0]]), check_class=False
    ).passed
    # rtol does not loosen an integer comparison, even against doubles.
    assert not compare_values(
        np.array([[10**12]]), np.array([[10**12 + 1]]), check_class=False
    ).passed
    assert not compare_values(i[:, :1], np.array([[2.0**60 + 0j]]), check_class=False).passed
    assert not compare_values(np.array([[3]]), np.array([[3 + 1e-300j]]), check_class=False).passed
    # logical against double: 1 and 1.0 equal, 1 and 1 + eps not
    assert compare_values(np.array([[True]]), np.array([[1.0]]), check_class=False).passed
    assert not compare_values(
        np.array([[True]]), np.array([[1.0 + 2**-52]]), check_class=False
    ).passed


def test_a_char_row_with_a_newline_is_not_a_char_column(tmp_path):
    """MATLAB: isequal(['a' char(10) 'b'], ['a'; 'b']) is false; so is nn3's comparison."""
    scipy.io.savemat(tmp_path / "row.mat", {"c": np.array(["a\nb"])})
    scipy.io.savemat(tmp_path / "col.mat", {"c": np.array(["a", "b"])})
    row = nn3.load_mat(tmp_path / "row.mat")["c"]
    col = nn3.load_mat(tmp_path / "col.mat")["c"]
    r = compare_values(col, row)
    assert not r.passed and r.problem == "size 2x1 vs 1x3"
    assert not compare_files(tmp_path / "col.mat", tmp_path / "row.mat").passed
    with pytest.raises(AssertionError, match="size 1x3 vs 2x1"):
        assert_mat_allclose(col, (tmp_path / "row.mat", "c"))
    assert compare_values(row, "a\nb").passed  # a plain str is a row
    assert not compare_values(col, "a\nb").passed


def _huge_sparse(extra=None):
    n = 10**6
    rows, cols, vals = [0, n - 1], [0, n - 1], [1.0, 2.0]
    if extra:
        rows, cols, vals = rows + [extra[0]], cols + [extra[1]], vals + [extra[2]]
    return scipy.sparse.csc_matrix((vals, (rows, cols)), shape=(n, n))


def test_sparse_compares_as_sparse_without_densifying():
    e = _huge_sparse()
    assert compare_values(e, e.copy(), ulps=0).passed
    r = compare_values(e, _huge_sparse((5, 7, 3.0)))
    assert not r.passed and r.n_failed == 1 and r.n_elements == 10**12
    assert r.worst == (6, 8) and (r.worst_expected, r.worst_actual) == (0.0, 3.0)
    r = compare_values(_huge_sparse((5, 7, 3.0)), e)
    assert r.worst == (6, 8) and (r.worst_expected, r.worst_actual) == (3.0, 0.0)
    moved = e.copy()
    moved.data[1] = np.nextafter(2.0, 3.0)
    r = compare_values(e, moved, ulps=0)
    assert not r.passed and r.worst == (10**6, 10**6) and r.max_ulps == 1
    # An explicitly stored zero equals an implicit one.
    z = scipy.sparse.csc_matrix((np.array([0.0]), np.array([0]), np.array([0, 1])), shape=(1, 1))
    assert compare_values(z, scipy.sparse.csc_matrix((1, 1)), ulps=0).passed


def test_sparse_against_dense_and_summary():
    from nn3.cli.info import summarize

    dense = np.array([[0.0, 2.0], [np.nan, 0.0]])
    sp = scipy.sparse.csc_matrix(dense)
    assert compare_values(dense, sp, ulps=0).passed and compare_values(sp, dense, ulps=0).passed
    bad = dense.copy()
    bad[1, 1] = 1e-300
    r = compare_values(sp, bad)
    assert not r.passed and r.worst == (2, 2)
    s = summarize(_huge_sparse())
    assert s["size"] == (10**6, 10**6) and s["class"] == "double (sparse)"
    assert (s["min"], s["max"], s["nans"], s["nnz"]) == (0.0, 2.0, 0, 2)
    s = summarize(scipy.sparse.csc_matrix(np.array([[-1.0, 2.0]])))
    assert (s["min"], s["max"]) == (-1.0, 2.0)  # no implicit zeros


# --------------------------------------------------------------------------------------------
# Relative to the element or to the variable's largest element


def test_relative_to_max_scales_by_the_largest_element():
    # A gradient: its small elements are sums that cancel; another summation order moves
    # grad(2) = 6.2e-9 by 3.5e-16 (as measured), 5.6e-8 of itself.
    e = np.array([[0.25], [6.2e-9], [-0.1]])
    a = e.copy()
    a[1] += 3.5e-16
    r = compare_values(e, a)
    assert not r.passed and r.worst == (2, 1)
    r = compare_values(e, a, relative_to="max")
    assert r.passed and r.max_rel == pytest.approx(3.5e-16 / 0.25, rel=1e-3)
    assert_mat_allclose(a, e, relative_to="max")
    # The bound is rtol * max|e| exactly: just above it fails.
    a[1] = e[1] + 0.25 * 1e-10 * 1.01
    assert not compare_values(e, a, relative_to="max").passed
    a[1] = e[1] + 0.25 * 1e-10 * 0.99
    assert compare_values(e, a, relative_to="max").passed
    # Non-finite elements do not set the scale and must still match exactly.
    e2 = np.array([[np.inf], [1.0], [np.nan]])
    a2 = np.array([[np.inf], [1.0 + 1e-9], [np.nan]])
    assert not compare_values(e2, a2, relative_to="max").passed
    assert compare_values(e2, a2, relative_to="max", rtol=1e-8).passed
    assert not compare_values(e2, np.array([[-np.inf], [1.0], [np.nan]]), relative_to="max").passed
    with pytest.raises(OptionError, match="relative_to must be 'element' or 'max'"):
        compare_values(e, a, relative_to="maximum")
    with pytest.raises(OptionError, match="relative_to"):
        assert_mat_allclose(a, e, relative_to="col")


def test_relative_to_is_in_the_report(tmp_path):
    scipy.io.savemat(tmp_path / "e.mat", {"g": np.array([[1.0], [1e-9]])})
    scipy.io.savemat(tmp_path / "a.mat", {"g": np.array([[1.0], [1e-9 + 1e-17]])})
    r = compare_files(tmp_path / "e.mat", tmp_path / "a.mat", relative_to="max")
    assert r.passed and r.tolerance == "rtol 1e-10 of max|e|, atol 0"
    assert r.to_dict()["relative_to"] == "max"
    assert not compare_files(tmp_path / "e.mat", tmp_path / "a.mat").passed
