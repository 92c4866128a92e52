"""nn3.matio: reading what MATLAB and GNU Octave write, writing what they read.

Expected values come from the MATLAB-written files' README (../shared/matfiles/README.md), from
independent readers (scipy.io.loadmat, raw h5py) and from Octave itself, never from nn3.
"""

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest
import scipy.io
import scipy.sparse
from test_bad_input import hand_built_v5  # tests/ is on sys.path (conftest.py)

import nn3
from nn3 import matio
from nn3.errors import MatFileError
from nn3.matio import MatlabChar

ROOT = Path(__file__).resolve().parent.parent
MATFILES = ROOT.parent / "shared" / "matfiles"
OCTAVE = shutil.which("octave-cli")

needs_matfiles = pytest.mark.needs_shared
needs_octave = pytest.mark.needs_octave


def octave(script, cwd):
    """Run an Octave script; fail with its output if it fails."""
    r = subprocess.run(
        [OCTAVE, "--no-gui", "--norc", "--quiet", "--eval", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


# ---------------------------------------------------------------------------------------------
# The real MATLAB-written files
# ---------------------------------------------------------------------------------------------


@needs_matfiles
def test_ex4weights_v5_compressed_from_matlab_2011():
    path = MATFILES / "ex4weights.mat"
    assert nn3.mat_format(path) == "5"
    w = nn3.load_mat(path)
    assert sorted(w) == ["Theta1", "Theta2"]
    T1, T2 = w["Theta1"], w["Theta2"]
    assert T1.shape == (25, 401) and T1.dtype == np.float64
    assert T2.shape == (10, 26) and T2.dtype == np.float64
    # The README's data-independent regularisation term (lambda = 1, m = 5000).
    reg = (np.sum(T1[:, 1:] ** 2) + np.sum(T2[:, 1:] ** 2)) / (2 * 5000)
    assert reg == pytest.approx(0.0961406939296045, rel=1e-13)
    # scipy's reader (independent of nn3) agrees bit for bit.
    ref = scipy.io.loadmat(path)
    np.testing.assert_array_equal(T1, ref["Theta1"])
    np.testing.assert_array_equal(T2, ref["Theta2"])


@needs_matfiles
def test_matlab73_testfile1_classes_and_values():
    path = MATFILES / "matlab73_testfile1.mat"
    assert nn3.mat_format(path) == "7.3"
    v = nn3.load_mat(path)
    assert sorted(v) == ["data", "keys", "secondvar"]
    d = v["data"]
    scalars = {
        "int8_": (np.int8, 2),
        "uint8_": (np.uint8, 2),
        "int16_": (np.int16, 16),
        "uint16_": (np.uint16, 12),
        "int32_": (np.int32, 1115),
        "uint32_": (np.uint32, 5452),
        "int64_": (np.int64, 65243),
        "uint64_": (np.uint64, 32563),
        "single_": (np.float32, np.float32(0.1)),
        "double_": (np.float64, 0.1),
        "bool_": (np.bool_, False),
    }
    for name, (dtype, value) in scalars.items():
        assert d[name].dtype == dtype, name
        assert d[name].shape == (1, 1), name
        assert d[name][0, 0] == value, name
    np.testing.assert_array_equal(d["arr_two_three"], [[1, 2], [3, 4], [5, 6]])
    assert d["arr_two_three"].shape == (3, 2)
    np.testing.assert_array_equal(d["arr_bool"], [[True, True, False]])
    np.testing.assert_array_equal(d["arr_double"], [[1.1, 1.2, 0.3]])
    assert d["arr_float"].dtype == np.float32 and d["arr_float"].shape == (2, 3)
    np.testing.assert_array_equal(d["arr_float"], np.float32([[1.1, 1.2, 0.3], [2, 3, 4]]))
    assert d["arr_nan"].shape == (1, 2) and np.all(np.isnan(d["arr_nan"]))
    assert d["char_"] == "x" and d["arr_char"] == "test" and d["string_"] == "tasdfasdf"
    assert d["complex_"][0, 0] == 2 + 3j
    np.testing.assert_array_equal(d["struct_"]["test"], [[1, 2, 3, 4]])
    np.testing.assert_array_equal(v["secondvar"], [[1, 2, 3, 4]])
    assert v["keys"] == "must_not_overwrite"
    # Sparse 10x8 with 6 at (2, 5) and 7 at (4, 8) in MATLAB's 1-based indices.
    sp = d["sparse_"]
    assert scipy.sparse.issparse(sp) and sp.shape == (10, 8) and sp.nnz == 2
    assert sp[1, 4] == 6 and sp[3, 7] == 7
    # Cells keep MATLAB's size and hold converted values.
    cells = d["cell_char_"]
    assert cells.shape == (2, 3)
    assert cells[0, 0] == "Smith" and cells[1, 2] == "Adams"
    # Struct arrays: object arrays of dicts, in MATLAB's size.
    assert isinstance(d["structarr_"], np.ndarray) and d["structarr_"].size == 3
    assert all(set(item) == {"f1", "f2"} for item in d["structarr_"].flat)
    # A MATLAB object ('missing') is reported by class, not decoded.
    assert isinstance(d["missing_"], nn3.MatlabObject)
    assert d["missing_"].class_name == "missing"
    # Struct fields are addressable as data.X.
    np.testing.assert_array_equal(nn3.get_variable(v, "data.struct_.test"), [[1, 2, 3, 4]])


@needs_matfiles
def test_matlab73_testfile14_4d_against_raw_hdf5():
    path = MATFILES / "matlab73_testfile14.mat"
    v = nn3.load_mat(path)
    with h5py.File(path, "r") as f:
        raw = f["data"][()]
    assert v["data"].ndim == 4
    # MATLAB stores column-major, so the HDF5 dataset has the dimensions reversed.
    np.testing.assert_array_equal(v["data"], np.transpose(raw))
    assert v["data"].shape == raw.shape[::-1]


@needs_matfiles
def test_matlab73_testfile15_empty_and_singleton_dimensions():
    v = nn3.load_mat(MATFILES / "matlab73_testfile15.mat")
    expected = {
        "x_0": (0, 0),  # rand(0)
        "x_1": (1, 1),
        "x_10": (1, 10),  # 1:10
        "x_1_0": (1, 0),
        "x_0_1": (0, 1),
        "x_1_1": (1, 1),
        "x_0_10": (0, 10),
        "x_1_10": (1, 10),
        "x_10_0": (10, 0),
        "x_10_1": (10, 1),
        "x_10_10": (10, 10),
        "x_1_1_10_1_1": (1, 1, 10),  # MATLAB drops trailing singleton dimensions
        "x_10_1_1_10": (10, 1, 1, 10),
    }
    assert sorted(v) == sorted(expected)
    for name, shape in expected.items():
        assert v[name].shape == shape, name
        assert v[name].dtype == np.float64, name
    np.testing.assert_array_equal(v["x_10"], [np.arange(1, 11)])
    for name in ("x_1", "x_10_1", "x_10_10", "x_10_1_1_10"):  # rand(...) values
        assert np.all((v[name] >= 0) & (v[name] < 1))


@needs_matfiles
def test_matlab73_testfile16_char_arrays():
    v = nn3.load_mat(MATFILES / "matlab73_testfile16.mat")
    assert v["char_arr_1d"] == "abcd"
    rows = v["char_arr_2d"].split("\n")
    assert len(rows) == 6 and len({len(r) for r in rows}) == 1
    assert rows[0].startswith("PSTH tensor for image sequences")
    # A 2x4x3 char array keeps its size: single characters, c(i, j, k) at [i-1, j-1, k-1].
    c = v["char_arr_3d"]
    assert c.dtype == np.dtype("<U1") and c.shape == (2, 4, 3)
    pages = [["".join(row) for row in c[:, :, k]] for k in range(3)]
    assert pages == [["abcd", "defg"], ["ghij", "jklm"], ["mnöp", "pqrs"]]


# ---------------------------------------------------------------------------------------------
# v4 and v5 written by scipy (an independent writer and reader)
# ---------------------------------------------------------------------------------------------


def _chars_2x4x3():
    """A 2x4x3 char array (MATLAB's reshape('abc...vwö', 2, 4, 3)) as single characters.

    In Fortran memory order: nn3 must write it in MATLAB's order all the same.
    """
    return np.array(list("abcdefghijklmnopqrstuvwö"), dtype="<U1").reshape(2, 4, 3, order="F")


def _sample_variables():
    rng = np.random.default_rng(5)
    sa = np.empty((1, 2), dtype=[("a", "O"), ("b", "O")])
    sa[0, 0] = (1.0, "x")
    sa[0, 1] = (np.arange(3.0), "yy")
    return {
        "d": rng.random((3, 4)),
        "col": rng.random((5, 1)),
        "row": rng.random((1, 5)),
        "nd": rng.random((2, 3, 4)),
        "s": rng.random((2, 2)).astype(np.float32),
        "i8": np.array([[-1, 2]], np.int8),
        "u8": np.array([[1], [200]], np.uint8),
        "i16": np.arange(6, dtype=np.int16).reshape(2, 3),
        "u16": np.array([[65535]], np.uint16),
        "i32": np.array([[-(2**31)]], np.int32),
        "u32": np.array([[2**32 - 1]], np.uint32),
        "i64": np.array([[-(2**63), 2**62]], np.int64),
        "u64": np.array([[2**64 - 1]], np.uint64),
        "b": np.array([[True, False], [False, True]]),
        "z": np.array([[1 + 2j, 3 - 4j]]),
        "e": np.zeros((0, 3)),
        "txt": "hello world",
        "unicode": "héllo €",
        "chm": np.array(["abc", "def"]),
        # C order: scipy's writer scrambles char arrays in any other memory order.
        "ch3": np.ascontiguousarray(_chars_2x4x3()),
        "sp": scipy.sparse.random(6, 5, density=0.3, random_state=0, format="csc"),
        "st": {"X": rng.random((4, 2)), "y": np.array([[1], [2], [1], [2]], np.uint8)},
        "cell": np.array([[1.0, "two", np.zeros((2, 2))]], dtype=object),
        "sa": sa,
    }


@pytest.mark.parametrize("compressed", [True, False], ids=["v7-compressed", "v6-plain"])
def test_v5_written_by_scipy_matches_scipy_reader(tmp_path, compressed):
    path = tmp_path / "s.mat"
    variables = _sample_variables()
    scipy.io.savemat(path, variables, do_compression=compressed, oned_as="column")
    mine = nn3.load_mat(path)
    ref = scipy.io.loadmat(path, squeeze_me=False, struct_as_record=False)
    assert sorted(mine) == sorted(variables)
    for name in ("d", "col", "row", "nd", "s", "i8", "u8", "i16", "u16", "i32", "u32", "i64"):
        assert mine[name].dtype == ref[name].dtype, name
        assert mine[name].shape == ref[name].shape, name
        np.testing.assert_array_equal(mine[name], ref[name])
    np.testing.assert_array_equal(mine["u64"], ref["u64"])
    assert mine["b"].dtype == np.bool_  # logical keeps its class (scipy gives uint8)
    np.testing.assert_array_equal(mine["b"], ref["b"].astype(bool))
    np.testing.assert_array_equal(mine["z"], ref["z"])
    assert mine["e"].shape == (0, 3)
    assert mine["txt"] == "hello world" and mine["unicode"] == "héllo €"
    assert mine["chm"] == "abc\ndef"
    assert mine["ch3"].dtype == np.dtype("<U1") and mine["ch3"].shape == (2, 4, 3)
    np.testing.assert_array_equal(mine["ch3"], variables["ch3"])
    assert (mine["sp"] != ref["sp"]).nnz == 0
    np.testing.assert_array_equal(mine["st"]["X"], variables["st"]["X"])
    assert mine["st"]["y"].dtype == np.uint8
    assert mine["cell"].shape == (1, 3) and mine["cell"][0, 1] == "two"
    assert mine["sa"].shape == (1, 2) and mine["sa"][0, 1]["b"] == "yy"


def test_v4_written_by_scipy(tmp_path):
    path = tmp_path / "v4.mat"
    X = np.arange(12.0).reshape(3, 4)
    scipy.io.savemat(path, {"X": X, "y": np.array([[1.0], [2.0], [3.0]]), "t": "abc"}, format="4")
    assert nn3.mat_format(path) == "4"
    v = nn3.load_mat(path)
    np.testing.assert_array_equal(v["X"], X)
    assert v["y"].shape == (3, 1) and v["t"] == "abc"


def test_big_endian_v5_file(tmp_path):
    """A hand-built big-endian ('MI') v5 file: x = [1 2 3] as double."""
    header = b"MATLAB 5.0 MAT-file, hand-built big-endian".ljust(116) + b"\0" * 8 + b"\x01\x00MI"

    def element(mtype, payload):
        pad = -len(payload) % 8
        return struct.pack(">II", mtype, len(payload)) + payload + b"\0" * pad

    body = (
        element(6, struct.pack(">II", 6, 0))  # flags: class double
        + element(5, struct.pack(">ii", 1, 3))  # dims 1x3
        + element(1, b"x")
        + element(9, struct.pack(">3d", 1, 2, 3))
    )
    path = tmp_path / "be.mat"
    path.write_bytes(header + element(14, body))
    v = nn3.load_mat(path)
    np.testing.assert_array_equal(v["x"], [[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(scipy.io.loadmat(path)["x"], v["x"])


# ---------------------------------------------------------------------------------------------
# nn3's writer: v5 and v7.3 round trips, and the v7.3 layout
# ---------------------------------------------------------------------------------------------


def _writable_variables():
    rng = np.random.default_rng(7)
    return {
        "Theta1": rng.standard_normal((4, 3)),
        "col": rng.random(5),  # 1-D: written as a MATLAB column
        "nd": rng.random((2, 3, 4)),
        "single": rng.random((2, 2)).astype(np.float32),
        "labels": np.array([[1], [2], [3]], np.uint8),
        "i64": np.array([[-(2**63), 2**63 - 1]], np.int64),
        "flags": np.array([[True, False, True]]),
        "z": np.array([[1 + 2j], [3 - 4j]]),
        "empty": np.zeros((0, 3)),
        "empty_flags": np.zeros((2, 0), bool),
        "text": "héllo 😀",
        "no_text": "",
        "chars": _chars_2x4x3(),
        "scalar": 3.5,
        "interrupted": True,
        "sp": scipy.sparse.csc_matrix(np.array([[0, 1.5], [0, 0], [2.5, 0]])),
        "data": {"X": rng.random((3, 2)), "y": np.array([[1.0], [2.0], [1.0]]), "note": "x"},
        "cell": np.array([[1.0, "two", np.eye(2)]], dtype=object),
    }


@pytest.mark.parametrize("fmt", ["5", "7.3"])
def test_round_trip(tmp_path, fmt):
    path = tmp_path / f"rt{fmt}.mat"
    v = _writable_variables()
    nn3.save_mat(path, v, format=fmt)
    assert nn3.mat_format(path) == fmt
    back = nn3.load_mat(path)
    assert sorted(back) == sorted(v)
    for name in ("Theta1", "nd", "single", "labels", "i64", "flags", "z"):
        assert back[name].dtype == np.asarray(v[name]).dtype, name
        np.testing.assert_array_equal(back[name], v[name])
        assert back[name].shape == v[name].shape, name
    assert back["col"].shape == (5, 1)
    np.testing.assert_array_equal(back["col"][:, 0], v["col"])
    assert back["empty"].shape == (0, 3) and back["empty_flags"].shape == (2, 0)
    assert back["empty_flags"].dtype == np.bool_
    assert back["text"] == "héllo 😀" and back["no_text"] == ""
    assert back["chars"].dtype == np.dtype("<U1") and back["chars"].shape == (2, 4, 3)
    np.testing.assert_array_equal(back["chars"], v["chars"])
    assert back["scalar"].shape == (1, 1) and back["scalar"][0, 0] == 3.5
    assert back["interrupted"].dtype == np.bool_ and back["interrupted"][0, 0]
    assert (back["sp"] != v["sp"]).nnz == 0
    np.testing.assert_array_equal(nn3.get_variable(back, "data.X"), v["data"]["X"])
    assert back["data"]["note"] == "x"
    assert back["cell"].shape == (1, 3) and back["cell"][0, 1] == "two"
    np.testing.assert_array_equal(back["cell"][0, 2], np.eye(2))


def test_v5_output_read_by_scipy(tmp_path):
    path = tmp_path / "w.mat"
    v = _writable_variables()
    nn3.save_mat(path, v)
    ref = scipy.io.loadmat(path)
    np.testing.assert_array_equal(ref["Theta1"], v["Theta1"])
    assert ref["col"].shape == (5, 1)
    assert ref["labels"].dtype == np.uint8


def test_v73_layout_as_matlab_writes_it(tmp_path):
    path = tmp_path / "w73.mat"
    v = _writable_variables()
    nn3.save_mat(path, v, format="7.3")
    head = path.read_bytes()[:520]
    assert head[:19] == b"MATLAB 7.3 MAT-file"
    assert head[124:128] == b"\x00\x02IM"
    assert head[512:520] == b"\x89HDF\r\n\x1a\n"
    with h5py.File(path, "r") as f:
        assert f.userblock_size == 512

        def cls(name):
            return f[name].attrs["MATLAB_class"].decode()

        # Dimensions reversed (column-major), raw data transposed.
        assert f["Theta1"].shape == (3, 4) and cls("Theta1") == "double"
        np.testing.assert_array_equal(f["Theta1"][()], v["Theta1"].T)
        assert f["col"].shape == (1, 5)
        assert f["nd"].shape == (4, 3, 2)
        assert cls("single") == "single" and f["single"].dtype == np.float32
        assert cls("labels") == "uint8"
        # logical: uint8 with MATLAB_int_decode = 1.
        assert cls("flags") == "logical" and f["flags"].dtype == np.uint8
        assert f["flags"].attrs["MATLAB_int_decode"] == 1
        # char: uint16 UTF-16 code units with MATLAB_int_decode = 2, one row.
        assert cls("text") == "char" and f["text"].dtype == np.uint16
        assert f["text"].attrs["MATLAB_int_decode"] == 2
        codes = f["text"][()].reshape(-1)
        assert codes.tobytes().decode("utf-16-le") == "héllo 😀"
        assert f["text"].shape == (len(codes), 1)
        # An N-D char array: the same, with its dimensions reversed.
        assert cls("chars") == "char" and f["chars"].dtype == np.uint16
        assert f["chars"].attrs["MATLAB_int_decode"] == 2
        assert f["chars"].shape == (3, 4, 2)
        np.testing.assert_array_equal(f["chars"][()], np.vectorize(ord)(v["chars"]).T)
        # Empty arrays: the MATLAB dimensions as uint64 data, MATLAB_empty = 1.
        assert f["empty"].attrs["MATLAB_empty"] == 1
        np.testing.assert_array_equal(f["empty"][()], [0, 3])
        # complex: a compound of real and imag.
        assert f["z"].dtype.names == ("real", "imag")
        # struct: a group; sparse: a group with MATLAB_sparse = rows.
        assert isinstance(f["data"], h5py.Group) and cls("data") == "struct"
        assert f["sp"].attrs["MATLAB_sparse"] == 3
        assert cls("cell") == "cell" and f["cell"].dtype == h5py.ref_dtype
        # MATLAB_class is a fixed-length NUL-terminated ASCII string, as MATLAB writes it.
        tid = f["Theta1"].attrs.get_id("MATLAB_class").get_type()
        assert tid.get_size() == len("double")
        assert tid.get_strpad() == h5py.h5t.STR_NULLTERM


def test_save_mat_rejects_bad_names_and_formats(tmp_path):
    with pytest.raises(MatFileError, match="unknown .mat format"):
        nn3.save_mat(tmp_path / "a.mat", {"x": 1.0}, format="6")
    with pytest.raises(MatFileError, match="MATLAB names"):
        nn3.save_mat(tmp_path / "a.mat", {"1x": 1.0})
    with pytest.raises(MatFileError, match="no MATLAB equivalent"):
        nn3.save_mat(tmp_path / "a.mat", {"x": object()})
    with pytest.raises(MatFileError, match=r"single characters \(dtype '<U1'\)"):
        nn3.save_mat(tmp_path / "a.mat", {"x": np.array(["ab", "cd"])})
    with pytest.raises(MatFileError, match="one UTF-16 code unit per element"):
        nn3.save_mat(tmp_path / "a.mat", {"x": np.array(["a", "😀"])})
    with pytest.raises(MatFileError, match="does not exist"):
        nn3.save_mat(tmp_path / "no" / "a.mat", {"x": 1.0})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["5", "7.3"])
def test_failed_save_keeps_the_previous_file(tmp_path, fmt):
    path = tmp_path / "w.mat"
    nn3.save_mat(path, {"previous": 1.0}, format=fmt)
    before = path.read_bytes()
    # A value the writer only rejects deep inside (a cell holding an unsupported object).
    with pytest.raises(MatFileError):
        nn3.save_mat(path, {"x": np.array([[1.0, object()]], dtype=object)}, format=fmt)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.mat"]  # no temporary file left


def test_save_is_atomic_when_the_writer_fails_midway(tmp_path, monkeypatch):
    path = tmp_path / "w.mat"
    nn3.save_mat(path, {"previous": 1.0})
    before = path.read_bytes()

    def broken(fh, *args, **kwargs):
        fh.write(b"MATLAB 5.0 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scipy.io, "savemat", broken)
    with pytest.raises(MatFileError, match="No space left"):
        nn3.save_mat(path, {"x": np.ones(3)})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.mat"]


# ---------------------------------------------------------------------------------------------
# Size guard, links, and what nn3 never does
# ---------------------------------------------------------------------------------------------


def _v5_file(dims, mclass=6):
    """A hand-built v5 file whose X claims ``dims`` but holds no data."""
    return hand_built_v5(mclass, dims, struct.pack("<II", 9, 0))


def test_size_guard_v5_header_claiming_1e12_elements(tmp_path):
    path = tmp_path / "huge.mat"
    path.write_bytes(_v5_file((1_000_000, 1_000_000)))
    with pytest.raises(MatFileError, match="1000000000000 elements.*refused before allocating"):
        nn3.load_mat(path)


def test_size_guard_v5_cell_claiming_1e12_elements(tmp_path):
    path = tmp_path / "huge_cell.mat"
    path.write_bytes(_v5_file((1_000_000, 1_000_000), mclass=1))
    with pytest.raises(MatFileError, match="refused before allocating"):
        nn3.load_mat(path)


def test_size_guard_compressed_v5_header_checked_before_inflating(tmp_path):
    """A compressed array claiming 10^12 elements is refused from its first inflated bytes."""
    raw = _v5_file((1_000_000, 1_000_000))
    matrix = raw[128:]  # the miMATRIX element, as it is stored inside miCOMPRESSED
    packed = zlib.compress(matrix)
    path = tmp_path / "bomb.mat"
    path.write_bytes(raw[:128] + struct.pack("<II", 15, len(packed)) + packed)
    with pytest.raises(MatFileError, match="variable 'X' claims 1000000x1000000"):
        nn3.load_mat(path)


def test_compressed_v5_claiming_more_than_it_holds(tmp_path):
    header = b"MATLAB 5.0 MAT-file, hand-built".ljust(116) + b"\0" * 8 + b"\x00\x01IM"
    packed = zlib.compress(struct.pack("<II", 14, 0xFFFFFFF0) + b"\0" * 64)
    path = tmp_path / "short.mat"
    path.write_bytes(header + struct.pack("<II", 15, len(packed)) + packed)
    with pytest.raises(MatFileError, match="truncated"):
        nn3.load_mat(path)


def test_size_guard_v4_header(tmp_path):
    path = tmp_path / "huge4.mat"
    path.write_bytes(struct.pack("<5i", 0, 1_000_000, 1_000_000, 0, 2) + b"X\0" + b"\0" * 64)
    with pytest.raises(MatFileError, match="refused before allocating"):
        nn3.load_mat(path)


def test_size_guard_v73_dataset(tmp_path):
    path = tmp_path / "huge73.mat"
    with h5py.File(path, "w") as f:  # chunked and never written: a tiny file claiming 10^12
        d = f.create_dataset("X", shape=(1_000_000, 1_000_000), dtype="f8", chunks=(10, 10))
        d.attrs["MATLAB_class"] = np.bytes_(b"double")
    with pytest.raises(MatFileError, match="refused before allocating"):
        nn3.load_mat(path)


def test_sparse_densify_guard(tmp_path):
    path = tmp_path / "sparse.mat"
    big = scipy.sparse.csc_matrix(([1.0], ([0], [0])), shape=(10**6, 10**6))
    nn3.save_mat(path, {"X": big})
    X = nn3.load_mat(path)["X"]
    assert X.shape == (10**6, 10**6) and X.nnz == 1
    with pytest.raises(MatFileError, match="as a dense matrix"):
        matio.densify(X, str(path), "X")


def test_hdf5_links_and_external_storage_are_refused(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["secret"] = np.ones(3)
    linked = tmp_path / "linked.mat"
    with h5py.File(linked, "w") as f:
        f["X"] = h5py.ExternalLink(str(other), "/secret")
    with pytest.raises(MatFileError, match="link"):
        nn3.load_mat(linked)
    raw = tmp_path / "raw.bin"
    raw.write_bytes(np.arange(3.0).tobytes())
    external = tmp_path / "external.mat"
    with h5py.File(external, "w") as f:
        f.create_dataset("X", shape=(3,), dtype="<f8", external=[(str(raw), 0, 24)])
    with pytest.raises(MatFileError, match="external file"):
        nn3.load_mat(external)


def test_no_pickle_anywhere_in_the_package():
    for source in (ROOT / "nn3").glob("*.py"):
        text = source.read_text()
        assert "import pickle" not in text, source
        assert "allow_pickle=True" not in text, source


def test_a_pickle_is_never_loaded(tmp_path):
    import pickle

    path = tmp_path / "evil.mat"
    path.write_bytes(pickle.dumps({"X": np.ones((2, 2))}, protocol=4))
    with pytest.raises(MatFileError, match="pickle, which nn3 never loads"):
        nn3.load_mat(path)


def test_get_variable_lists_what_is_there():
    v = {"data": {"X": np.ones((2, 2)), "y": np.ones((2, 1))}, "other": 1}
    with pytest.raises(MatFileError, match=r"no variable 'Z' in the file \(variables there: da"):
        nn3.get_variable(v, "Z", "f.mat")
    with pytest.raises(MatFileError, match=r"in struct 'data' \(fields there: X, y\)"):
        nn3.get_variable(v, "data.Z", "f.mat")
    one = np.empty((1, 1), dtype=object)
    one[0, 0] = {"X": 5}
    assert nn3.get_variable({"s": one}, "s.X") == 5  # a 1x1 struct array is the struct


def test_mat_format_rejects_non_mat_files(tmp_path):
    # A text file named .mat is not a MATLAB file (numeric text is read from .txt/.csv/.dat:
    # tests/test_textfile.py, and a header line there is named by line and column).
    text = tmp_path / "data.mat"
    text.write_text("x,y\n1,2\n")
    with pytest.raises(MatFileError, match="text file starting 'x,y'"):
        nn3.mat_format(text)
    with pytest.raises(nn3.DataError, match=r"line 1, column 1: 'x' is not a number"):
        nn3.load_mat(text.rename(tmp_path / "data.csv"))
    empty = tmp_path / "empty.mat"
    empty.write_bytes(b"")
    with pytest.raises(MatFileError, match="empty file"):
        nn3.mat_format(empty)


# ---------------------------------------------------------------------------------------------
# The command line with v7.3 files and struct fields
# ---------------------------------------------------------------------------------------------


def _digits_subset():
    d = nn3.load_mat(ROOT / "data" / "digits.mat")
    return d["X"][:300], d["y"][:300].astype(np.uint8)  # labels as MATLAB's uint8


def test_train_from_v73_struct_fields_and_write_v73(tmp_path):
    from click.testing import CliRunner

    from nn3.cli import cli

    X, y = _digits_subset()
    nn3.save_mat(tmp_path / "d73.mat", {"data": {"X": X, "y": y}}, format="7.3")
    scipy.io.savemat(tmp_path / "d5.mat", {"X": X, "y": y})  # the same data, plain v5
    common = ["--maxiter", "10", "-q", "--hidden", "8"]
    r = CliRunner().invoke(
        cli,
        ["train", str(tmp_path / "d73.mat"), "--x-var", "data.X", "--y-var", "data.y"]
        + ["--out", str(tmp_path / "w73.mat"), "--format", "7.3", *common],
    )
    assert r.exit_code == 0, r.output
    assert nn3.mat_format(tmp_path / "w73.mat") == "7.3"
    r = CliRunner().invoke(
        cli, ["train", str(tmp_path / "d5.mat"), "--out", str(tmp_path / "w5.mat"), *common]
    )
    assert r.exit_code == 0, r.output
    w73, w5 = nn3.load_mat(tmp_path / "w73.mat"), nn3.load_mat(tmp_path / "w5.mat")
    # Same data, same numbers, whatever the file format and layout.
    np.testing.assert_array_equal(w73["nn_params"], w5["nn_params"])
    assert w73["Theta1"].shape == (8, 65) and w73["x_var"] == "data.X"
    r = CliRunner().invoke(
        cli,
        ["predict", str(tmp_path / "w73.mat"), str(tmp_path / "d5.mat")]
        + ["--out", str(tmp_path / "p73.mat"), "--format", "7.3"],
    )
    assert r.exit_code == 0, r.output
    with h5py.File(tmp_path / "p73.mat", "r") as f:
        assert f["p"].attrs["MATLAB_class"] == b"double"
        assert f["p"].shape == (1, 300)  # a 300x1 column, dimensions reversed
        p = f["p"][()][0]
    assert np.mean(p == y[:, 0]) * 100 == pytest.approx(w73["train_accuracy"][0, 0])


@needs_octave
def test_octave_predicts_with_nn3_v73_weights(tmp_path):
    """Octave loads nn3's v7.3 weights and data and gets nn3's training accuracy."""
    from click.testing import CliRunner

    from nn3.cli import cli

    X, y = _digits_subset()
    nn3.save_mat(tmp_path / "d73.mat", {"data": {"X": X, "y": y}}, format="7.3")
    r = CliRunner().invoke(
        cli,
        ["train", str(tmp_path / "d73.mat"), "--x-var", "data.X", "--y-var", "data.y"]
        + ["--out", str(tmp_path / "w73.mat"), "--format", "7.3", "--maxiter", "20", "-q"],
    )
    assert r.exit_code == 0, r.output
    out = octave(
        "w = load('w73.mat'); d = load('d73.mat'); X = d.data.X; y = double(d.data.y);"
        "m = rows(X); a2 = 1 ./ (1 + exp(-[ones(m, 1) X] * w.Theta1'));"
        "h = 1 ./ (1 + exp(-[ones(m, 1) a2] * w.Theta2')); [~, p] = max(h, [], 2);"
        "printf('%.12f %d %d\\n', mean(double(p == y)) * 100, size(w.Theta1));",
        tmp_path,
    )
    acc, rows, cols = out.split()
    assert (int(rows), int(cols)) == (25, 65)
    assert float(acc) == pytest.approx(nn3.load_mat(tmp_path / "w73.mat")["train_accuracy"][0, 0])


# ---------------------------------------------------------------------------------------------
# GNU Octave: reads nn3's files, writes files nn3 reads
# ---------------------------------------------------------------------------------------------


@needs_octave
def test_octave_loads_nn3_v73_weights(tmp_path):
    """Octave's load reads nn3's v7.3 output with the same sizes and values.

    Octave reads v7.3 files as plain HDF5: char comes back as its uint16 codes, logical as
    uint8 and single as double; sizes and values are the same.
    """
    rng = np.random.default_rng(3)
    Theta1, Theta2 = rng.standard_normal((25, 401)), rng.standard_normal((10, 26))
    nn_params = nn3.unroll(Theta1, Theta2)
    v = {
        "Theta1": Theta1,
        "Theta2": Theta2,
        "nn_params": nn_params,
        "labels": np.array([[1], [2], [10]], np.uint8),
        "nd": rng.random((2, 3, 4)),
        "interrupted": np.array([[True, False]]),
        "note": "from nn3",
        "settings": {"lambda": 1.0, "hidden": 25.0},
    }
    nn3.save_mat(tmp_path / "w73.mat", v, format="7.3")
    octave(
        "w = load('w73.mat');"
        "Theta1 = w.Theta1; Theta2 = w.Theta2; nn_params = w.nn_params; labels = w.labels;"
        "nd = w.nd; interrupted = w.interrupted; note = w.note; lam = w.settings.lambda;"
        "unrolled_ok = double(isequal(nn_params, [Theta1(:); Theta2(:)]));"
        "sizes = [size(Theta1), size(Theta2), size(nn_params), size(labels), size(note)];"
        "ndsize = size(nd); labels_class = double(class(labels)); "
        "save('-v7', 'back.mat', 'Theta1', 'Theta2', 'nn_params', 'labels', 'nd',"
        " 'interrupted', 'note', 'lam', 'unrolled_ok', 'sizes', 'ndsize', 'labels_class');",
        tmp_path,
    )
    back = scipy.io.loadmat(tmp_path / "back.mat")
    np.testing.assert_array_equal(back["Theta1"], Theta1)
    np.testing.assert_array_equal(back["Theta2"], Theta2)
    np.testing.assert_array_equal(back["nn_params"][:, 0], nn_params)
    assert back["unrolled_ok"][0, 0] == 1  # [Theta1(:); Theta2(:)] in Octave's own order
    np.testing.assert_array_equal(back["sizes"], [[25, 401, 10, 26, nn_params.size, 1, 3, 1, 1, 8]])
    np.testing.assert_array_equal(back["ndsize"], [[2, 3, 4]])
    np.testing.assert_array_equal(back["nd"], v["nd"])
    np.testing.assert_array_equal(back["labels"], v["labels"])
    assert "".join(chr(int(c)) for c in back["labels_class"][0]) == "uint8"
    np.testing.assert_array_equal(back["interrupted"], [[1, 0]])
    assert (
        "".join(chr(int(c)) for c in back["note"].ravel()) == "from nn3"
    )  # uint16 codes in Octave
    assert back["lam"][0, 0] == 1.0


OCTAVE_VARIABLES = (
    "X = [1 2; 3 4; 5 6]; y = uint8([1; 2; 1]); b = logical([1 0 1]); s = 'hi';"
    " c = ['ab'; 'cd']; e = zeros(0, 3); st.X = X; st.y = y; z = 3 + 4i; i8 = int8(-3);"
    " f = single([1.5 2]); r = 1:5; cl = {1, 'ab'; [1 2 3], int8(4)};"
    " c3 = reshape('abcdefghijklmnopqrstuvwx', 2, 4, 3);"
)


def _check_octave_variables(v, full=True):
    np.testing.assert_array_equal(v["X"], [[1, 2], [3, 4], [5, 6]])
    assert v["X"].dtype == np.float64
    if not full:  # v4 holds only double matrices and text
        return
    assert v["y"].dtype == np.uint8 and v["y"].shape == (3, 1)
    np.testing.assert_array_equal(v["b"], [[True, False, True]])
    assert v["b"].dtype == np.bool_
    assert v["s"] == "hi" and v["c"] == "ab\ncd"
    assert v["c3"].dtype == np.dtype("<U1") and v["c3"].shape == (2, 4, 3)
    assert "".join(v["c3"].ravel(order="F")) == "abcdefghijklmnopqrstuvwx"
    assert v["e"].shape == (0, 3)
    np.testing.assert_array_equal(nn3.get_variable(v, "st.X"), v["X"])
    assert v["z"][0, 0] == 3 + 4j
    assert v["i8"].dtype == np.int8 and v["i8"][0, 0] == -3
    assert v["f"].dtype == np.float32
    np.testing.assert_array_equal(v["r"], [[1, 2, 3, 4, 5]])
    assert v["cl"].shape == (2, 2) and v["cl"][0, 1] == "ab"
    np.testing.assert_array_equal(v["cl"][1, 0], [[1, 2, 3]])


@needs_octave
@pytest.mark.parametrize("fmt", ["5", "7.3"])
def test_octave_loads_nn3_nd_char_in_its_size(tmp_path, fmt):
    """A 2x4x3 char array written by nn3 is 2x4x3 in Octave, in MATLAB's element order."""
    chars = np.array(list("abcdefghijklmnopqrstuvwx"), dtype="<U1").reshape(2, 4, 3, order="F")
    nn3.save_mat(tmp_path / "c.mat", {"chars": chars}, format=fmt)
    out = octave(
        "c = load('c.mat').chars; printf('%d ', size(c)); printf('%d ', double(c(:)));", tmp_path
    )
    numbers = [int(n) for n in out.split()]
    assert numbers[:3] == [2, 4, 3]
    assert numbers[3:] == [ord(ch) for ch in "abcdefghijklmnopqrstuvwx"]


@needs_octave
@pytest.mark.parametrize("option", ["-v7", "-v6", "-hdf5"])
def test_nn3_reads_octave_files(tmp_path, option):
    octave(OCTAVE_VARIABLES + f" save('{option}', 'o.mat');", tmp_path)
    expected = {"-v7": "5", "-v6": "5", "-hdf5": "7.3"}[option]
    assert nn3.mat_format(tmp_path / "o.mat") == expected
    _check_octave_variables(nn3.load_mat(tmp_path / "o.mat"))


@needs_octave
def test_nn3_reads_octave_v4(tmp_path):
    octave("X = [1 2; 3 4; 5 6]; t = 'text'; save('-v4', 'o4.mat', 'X', 't');", tmp_path)
    assert nn3.mat_format(tmp_path / "o4.mat") == "4"
    v = nn3.load_mat(tmp_path / "o4.mat")
    _check_octave_variables(v, full=False)
    assert v["t"] == "text"


@needs_octave
def test_octave_save_v73_is_not_available_or_is_read(tmp_path):
    """Octave 7 cannot write v7.3; if a later Octave can, nn3 must read what it writes."""
    r = subprocess.run(
        [OCTAVE, "--no-gui", "--quiet", "--eval", "X = [1 2; 3 4]; save('-v7.3', 'o73.mat', 'X')"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if not (tmp_path / "o73.mat").exists():
        assert "not" in (r.stdout + r.stderr) and "implemented" in (r.stdout + r.stderr)
        pytest.skip("this Octave cannot save -v7.3")
    np.testing.assert_array_equal(nn3.load_mat(tmp_path / "o73.mat")["X"], [[1, 2], [3, 4]])


# ---------------------------------------------------------------------------------------------
# char arrays keep their MATLAB size through load and save
# ---------------------------------------------------------------------------------------------

OCTAVE_CHARS = (
    "row = ['a' char(10) 'b']; col = ['a'; 'b']; m = ['ab'; 'cd']; e10 = char(zeros(1, 0));"
    " e03 = char(zeros(0, 3)); e00 = '';"
)
CHAR_SIZES = {
    "row": (1, 3),
    "col": (2, 1),
    "m": (2, 2),
    "e10": (1, 0),
    "e03": (0, 3),
    "e00": (0, 0),
}


@needs_octave
@pytest.mark.parametrize("option", ["-v7", "-v6", "-hdf5"])
def test_char_arrays_from_octave_keep_their_size(tmp_path, option):
    """A 1x3 row holding a newline and a 2x1 column are the same text, not the same char array."""
    octave(OCTAVE_CHARS + f" save('{option}', 'c.mat');", tmp_path)
    v = nn3.load_mat(tmp_path / "c.mat")
    for name, size in CHAR_SIZES.items():
        assert isinstance(v[name], str) and v[name].matlab_size == size, name
    assert v["row"] == v["col"] == "a\nb"  # the text alone cannot tell them apart
    assert v["m"] == "ab\ncd"
    np.testing.assert_array_equal(v["m"].codes, [[97, 98], [99, 100]])


@needs_octave
@pytest.mark.parametrize("fmt", ["5", "7.3"])
def test_char_matrix_saved_by_nn3_has_its_size_in_octave(tmp_path, fmt):
    """Load a 2x2, a 2x1 and a 1x3 char and save them again: Octave sees the same sizes."""
    octave(OCTAVE_CHARS + " save('-v7', 'in.mat', 'row', 'col', 'm');", tmp_path)
    v = nn3.load_mat(tmp_path / "in.mat")
    nn3.save_mat(tmp_path / "out.mat", v, format=fmt)
    back = nn3.load_mat(tmp_path / "out.mat")
    assert {k: back[k].matlab_size for k in v} == {"row": (1, 3), "col": (2, 1), "m": (2, 2)}
    out = octave(
        "s = load('out.mat'); for n = {'row', 'col', 'm'}; c = s.(n{1});"
        " printf('%s %d %d %s\\n', n{1}, size(c), sprintf('%d,', double(c(:)))); end",
        tmp_path,
    )
    assert out.split() == ["row", "1", "3", "97,10,98,", "col", "2", "1", "97,98,"] + [
        "m",
        "2",
        "2",
        "97,99,98,100,",  # column-major: ['ab'; 'cd'](:) is a c b d
    ]


@needs_octave
def test_empty_char_sizes_survive_v73_and_are_refused_by_v5(tmp_path):
    octave(OCTAVE_CHARS + " save('-v7', 'in.mat', 'e10', 'e03', 'e00');", tmp_path)
    v = nn3.load_mat(tmp_path / "in.mat")
    nn3.save_mat(tmp_path / "out.mat", v, format="7.3")
    back = nn3.load_mat(tmp_path / "out.mat")
    assert {k: back[k].matlab_size for k in v} == {"e10": (1, 0), "e03": (0, 3), "e00": (0, 0)}
    # scipy's v5 writer makes every empty char 0x0: refused, never silently changed.
    with pytest.raises(MatFileError, match=r"cannot save 'e10' in format 5: an empty 1x0 char"):
        nn3.save_mat(tmp_path / "out5.mat", {"e10": v["e10"]})
    nn3.save_mat(tmp_path / "out5.mat", {"e00": v["e00"]})  # 0x0 is kept
    assert nn3.load_mat(tmp_path / "out5.mat")["e00"].matlab_size == (0, 0)


def test_trailing_nul_characters_are_refused_by_the_v5_writer(tmp_path):
    """scipy drops char(0) at the end of a char array; nn3 refuses rather than change it."""
    with pytest.raises(MatFileError, match="ending in char\\(0\\)"):
        nn3.save_mat(tmp_path / "n.mat", {"t": "ab\x00"})
    nn3.save_mat(tmp_path / "n.mat", {"t": "ab\x00"}, format="7.3")
    assert nn3.load_mat(tmp_path / "n.mat")["t"].matlab_size == (1, 3)


def test_matlab_char_is_a_str_with_a_size():
    c = MatlabChar("ab\ncd", [[97, 98], [99, 100]])
    assert c == "ab\ncd" and c.matlab_size == (2, 2) and isinstance(c.upper(), str)
    assert MatlabChar("hi").matlab_size == (1, 2) and MatlabChar("").matlab_size == (0, 0)
    import pickle

    again = pickle.loads(pickle.dumps(c))
    assert again == c and again.matlab_size == (2, 2)
