"""Hostile files: links out of the file, small files claiming gigabytes, lying classes,
names that are terminal escapes. Each is built here (tests/hostile.py); the resource cases run
in a child process with its address space capped, and their peak RSS and wall time are printed
(``pytest -s``) and asserted well below what they cost before the fix.

Before the readers bounded their work (measured on this machine): unused_zeros_train 3.1 GB 11.8 s;
four_400mb_info 2.7 GB 19.7 s; empty_cell_* 3.6-3.9 GB and no answer in 60 s; long_char_info
3.0 GB 20.6 s; unwritten_chunks_* 2.0-2.2 GB; ref_tree_* no answer in 60 s; octave_range_train
1.6 GB; huge_sparse_train 4.7 GB 15.2 s.
"""

import os
import shutil
import struct
import subprocess
import sys

import h5py
import hostile
import numpy as np
import pytest
from click.testing import CliRunner

import nn3
from nn3.cli import cli
from nn3.errors import MatFileError

#: Address-space cap of each child (RLIMIT_AS), and the peak RSS each must stay under.
CAP = 2 * 2**30
PEAK_MB = 700

#: case -> exit status expected (0: the command does its work; 2: one-line refusal)
EXPECTED = {
    "unused_zeros_train": 0,
    "four_400mb_info": 0,
    "empty_cell_info": 0,
    "empty_cell_train": 2,
    "long_char_info": 0,
    "unwritten_chunks_train": 0,
    "unwritten_chunks_info": 0,
    "ref_tree_train": 0,
    "ref_tree_info": 0,
    "octave_range_train": 0,
    "huge_sparse_train": 2,
    "huge_sparse_info": 0,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_costs_little(tmp_path, name):
    r = hostile.measure(name, tmp_path, cap_bytes=CAP, timeout=60)
    print(f"\n{name}: exit {r['exit']}, peak RSS {r['peak_mb']} MB, {r['seconds']} s")
    assert r["exit"] == EXPECTED[name], r
    assert r["peak_mb"] < PEAK_MB, r
    assert r["seconds"] < 30, r
    assert not any("Traceback" in line for line in r["stderr"]), r
    if EXPECTED[name] == 2:
        assert len(r["stderr"]) == 1 and r["stderr"][0].startswith("nn3: error: "), r
        assert "NN3_MAX_LOAD" in r["stderr"][0], r


# --- What the commands show and read -----------------------------------------------------------


def test_info_summarises_without_reading_contents(tmp_path):
    out = CliRunner().invoke(cli, ["info", str(hostile.long_char(tmp_path))])
    assert out.exit_code == 0, out.output
    row = next(line for line in out.output.splitlines() if line.startswith("s "))
    assert row.split() == ["s", "char", "1x100000000", "-", "-", "-"], row
    cell = CliRunner().invoke(cli, ["info", str(hostile.empty_cell(tmp_path))])
    assert "cell" in cell.output and "1x20000000" in cell.output
    rng = CliRunner().invoke(cli, ["info", str(hostile.octave_range(tmp_path))])
    row = next(line for line in rng.output.splitlines() if line.startswith("r "))
    assert row.split()[1:5] == ["double", "1x200000000", "1", "2e+08"], row


def test_info_marks_variables_over_the_budget(tmp_path, monkeypatch):
    p = hostile.v5_file(tmp_path / "z.mat", hostile.v5_good(), hostile.v5_zeros(b"Z", 10**6))
    monkeypatch.setenv("NN3_MAX_LOAD_BYTES", "1M")
    out = CliRunner().invoke(cli, ["info", str(p)])
    assert out.exit_code == 0, out.output
    row = next(line for line in out.output.splitlines() if line.startswith("Z "))
    assert row.split()[1:] == ["double", "1x1000000", "-", "-", "-"]
    assert "min/max/NaNs of Z not computed" in out.output and "NN3_MAX_LOAD_BYTES" in out.output


def test_load_mat_reads_only_the_variables_asked_for(tmp_path):
    p = hostile.unused_zeros(tmp_path)
    # Damage Z's compressed stream after its header: never decompressed, so never noticed.
    data = bytearray(p.read_bytes())
    data[-4000:-100] = bytes(3900)
    p.write_bytes(bytes(data))
    got = nn3.load_mat(p, variables=["X", "y", "absent"])
    assert sorted(got) == ["X", "y"] and got.names == ["X", "y", "Z"]
    assert np.array_equal(got["X"], hostile.X_GOOD)
    with pytest.raises(MatFileError, match="variable 'Z'.*damaged|corrupt"):
        nn3.load_mat(p)
    with pytest.raises(
        MatFileError, match=r"no variable 'W' in the file \(variables there: X, Z, y"
    ):
        nn3.get_variable(got, "W", str(p))


def test_budget_is_named_and_can_be_raised(tmp_path, monkeypatch):
    p = hostile.v5_file(tmp_path / "z.mat", hostile.v5_zeros(b"Z", 10**6))
    monkeypatch.setenv("NN3_MAX_LOAD_BYTES", "4M")
    with pytest.raises(MatFileError, match=r"variable 'Z'.*budget for one load \(4 MiB; set "):
        nn3.load_mat(p)
    monkeypatch.setenv("NN3_MAX_LOAD_BYTES", "9M")
    assert nn3.load_mat(p)["Z"].shape == (1, 10**6)
    monkeypatch.setenv("NN3_MAX_LOAD_BYTES", "lots")
    with pytest.raises(MatFileError, match="NN3_MAX_LOAD_BYTES=lots: not a size"):
        nn3.load_mat(p)


def test_reference_tree_is_refused_quickly(tmp_path):
    with pytest.raises(MatFileError, match=r"variable 'c'.*NN3_MAX_LOAD_ITEMS"):
        nn3.load_mat(hostile.ref_tree(tmp_path))


def test_shared_references_within_the_budget_load_as_copies(tmp_path):
    p = tmp_path / "shared.mat"
    with h5py.File(p, "w") as f:
        leaf = f.create_dataset("#refs#/a", data=np.ones((1, 2)))
        leaf.attrs["MATLAB_class"] = np.bytes_(b"double")
        c = f.create_dataset("c", data=np.array([[leaf.ref, leaf.ref]], dtype=h5py.ref_dtype))
        c.attrs["MATLAB_class"] = np.bytes_(b"cell")
    c = nn3.load_mat(p)["c"]
    assert c.shape == (2, 1)
    c[0, 0][0, 0] = 5
    assert c[1, 0][0, 0] == 1  # not the same array


def test_chunks_never_written_are_refused(tmp_path):
    with pytest.raises(MatFileError, match="variable 'X'.*never written.*refused before"):
        nn3.load_mat(hostile.unwritten_chunks(tmp_path, "X"))


# --- Links out of the file ---------------------------------------------------------------------


def _other_file(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["secret"] = np.full((3, 5), 7.0)
        f["dims"] = np.array([1, 1], dtype=np.int64)
    return other


def _octave_file(tmp_path, link_x=None, link_dims=None):
    p = tmp_path / "oct.h5"
    with h5py.File(p, "w") as f:
        if link_x is None:
            hostile._octave_var(f, "X", "matrix", hostile.X_GOOD.T)
        else:
            f["X"] = link_x
        hostile._octave_var(f, "y", "matrix", hostile.Y_GOOD.T)
        c = hostile._octave_var(f, "c", "cell")
        v = c.create_group("value")
        if link_dims is None:
            v["dims"] = np.array([1, 1], dtype=np.int64)
        else:
            v["dims"] = link_dims
        hostile._octave_var(v, "_0", "scalar", np.float64(1))
    return p


@pytest.mark.parametrize("what", ["X", "dims"])
def test_octave_layout_external_links_are_refused(tmp_path, what):
    other = _other_file(tmp_path)
    target = "/secret" if what == "X" else "/dims"
    link = h5py.ExternalLink(str(other), target)
    p = _octave_file(tmp_path, **{f"link_{'x' if what == 'X' else 'dims'}": link})
    with pytest.raises(MatFileError, match="external link.*does not follow links"):
        nn3.load_mat(p)
    r = CliRunner().invoke(cli, ["train", str(p), "--maxiter", "2", "-q"])
    if what == "X":
        assert r.exit_code == 2 and "external link" in r.stderr, r.output
    for command in (["info", str(p)],):
        r = CliRunner().invoke(cli, command)
        assert r.exit_code == 2 and "does not follow links" in r.stderr, r.output


def test_octave_layout_soft_link_is_refused(tmp_path):
    p = _octave_file(tmp_path, link_x=h5py.SoftLink("/y"))
    with pytest.raises(MatFileError, match="variable 'X' is a soft link"):
        nn3.load_mat(p)


@pytest.mark.parametrize("where", ["variable", "soft", "field", "sparse"])
def test_v73_links_are_refused(tmp_path, where):
    other = _other_file(tmp_path)
    p = tmp_path / "l73.mat"
    with h5py.File(p, "w") as f:
        y = f.create_dataset("y", data=hostile.Y_GOOD.T)
        y.attrs["MATLAB_class"] = np.bytes_(b"double")
        if where == "variable":
            f["X"] = h5py.ExternalLink(str(other), "/secret")
        elif where == "soft":
            f["X"] = h5py.SoftLink("/y")
        elif where == "field":
            g = f.create_group("X")
            g.attrs["MATLAB_class"] = np.bytes_(b"struct")
            g["a"] = h5py.ExternalLink(str(other), "/secret")
        else:
            g = f.create_group("X")
            g.attrs["MATLAB_class"] = np.bytes_(b"double")
            g.attrs["MATLAB_sparse"] = np.uint64(3)
            g["jc"] = h5py.ExternalLink(str(other), "/dims")
    with pytest.raises(MatFileError, match="link.*does not follow links"):
        nn3.load_mat(p)
    assert nn3.load_mat(p, variables=["y"])["y"].shape == (20, 1)  # X unread: no refusal


def test_virtual_and_external_storage_are_refused(tmp_path):
    other = _other_file(tmp_path)
    p = tmp_path / "virtual.mat"
    layout = h5py.VirtualLayout(shape=(3, 5), dtype="f8")
    layout[:] = h5py.VirtualSource(str(other), "secret", shape=(3, 5))
    with h5py.File(p, "w") as f:
        d = f.create_virtual_dataset("X", layout)
        d.attrs["MATLAB_class"] = np.bytes_(b"double")
    with pytest.raises(MatFileError, match="virtual dataset"):
        nn3.load_mat(p)


# --- Real Octave files, lying classes, names ---------------------------------------------------


@pytest.mark.skipif(shutil.which("octave-cli") is None, reason="needs GNU Octave")
def test_octave_file_with_function_handle_loads(tmp_path):
    p = tmp_path / "fh.h5"
    script = (
        "X = [1 2; 3 4; 5 6; 7 8]; y = [1; 2; 1; 2]; f = @(x) x.^2; g = @sin; "
        f"save('-hdf5', '{p}', 'X', 'y', 'f', 'g');"
    )
    subprocess.run(["octave-cli", "--no-gui", "--eval", script], check=True, timeout=120)
    v = nn3.load_mat(p)
    assert isinstance(v["f"], nn3.MatlabObject) and v["f"].class_name == "function_handle"
    assert isinstance(v["g"], nn3.MatlabObject)
    assert v["X"].shape == (4, 2)
    out = tmp_path / "w.mat"
    r = CliRunner().invoke(cli, ["train", str(p), "--maxiter", "2", "-q", "--out", str(out)])
    assert r.exit_code == 0, r.output
    info = CliRunner().invoke(cli, ["info", str(p)])
    assert info.exit_code == 0 and "function_handle" in info.output, info.output


def test_lying_integer_class_is_refused(tmp_path):
    p = tmp_path / "lie.mat"
    with h5py.File(p, "w") as f:
        d = f.create_dataset("X", data=np.arange(0, 1001, dtype=np.float64).reshape(1, -1))
        d.attrs["MATLAB_class"] = np.bytes_(b"int8")
    with pytest.raises(MatFileError, match="class says 'int8'.*from 0.0 to 1000.0.*cannot hold"):
        nn3.load_mat(p)
    r = CliRunner().invoke(cli, ["info", str(p)])
    assert r.exit_code == 2 and "-124" not in r.output


def test_honest_integer_class_over_wider_storage_loads(tmp_path):
    p = tmp_path / "ok.mat"
    with h5py.File(p, "w") as f:
        d = f.create_dataset("X", data=np.array([[-128.0, 0.0, 127.0]]))
        d.attrs["MATLAB_class"] = np.bytes_(b"int8")
    x = nn3.load_mat(p)["X"]
    assert x.dtype == np.int8 and x.ravel().tolist() == [-128, 0, 127]


def _v5_named(tmp_path, names):
    out = b""
    for name in names:
        out += hostile._matrix_head(6, (1, 1), name.encode(), 9, 8) + struct.pack("<d", 1.0)
    return hostile.v5_file(tmp_path / "names.mat", out)


def test_names_from_files_are_escaped(tmp_path):
    p = _v5_named(tmp_path, ["a\nb", "\x1b[31mred"])
    r = CliRunner().invoke(cli, ["info", str(p)])
    assert r.exit_code == 0
    assert "\x1b" not in r.output and "a\\nb" in r.output and "\\x1b[31mred" in r.output
    assert len(r.output.splitlines()) == 4  # header, column names, two rows
    r = CliRunner().invoke(cli, ["train", str(p), "--maxiter", "2", "-q"])
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "\x1b" not in r.stderr and "a\\nb" in r.stderr


# --- Text files: bounded, charged to the budget, only regular files, line ends ----------------

#: Text cases: (exit status, peak RSS bound in MB). The bound is nn3's own footprint (about
#: 50 MB), a few MB of text held at once, and twice the matrix read (the long line: 24 MB).
#: Before text was read in pieces: 1.9 GB for the NUL bytes, 250 MB for the long line.
TEXT_EXPECTED = {"text_nul_900mb_train": (2, 150), "text_long_line_info": (0, 150)}


@pytest.mark.parametrize("name", sorted(TEXT_EXPECTED))
def test_text_file_costs_little(tmp_path, name):
    exit_status, peak_mb = TEXT_EXPECTED[name]
    r = hostile.measure(name, tmp_path, cap_bytes=CAP, timeout=60)
    print(f"\n{name}: exit {r['exit']}, peak RSS {r['peak_mb']} MB, {r['seconds']} s")
    assert r["exit"] == exit_status, r
    assert r["peak_mb"] < peak_mb, r
    assert not any("Traceback" in line for line in r["stderr"]), r
    if exit_status == 2:
        assert len(r["stderr"]) == 1, r
        assert r["stderr"][0].endswith(
            "nul.txt: line 1, column 1: byte 0x00 (a control character) is not text; a binary file?"
        ), r
    else:
        row = next(line for line in r["stdout"] if line.startswith("long_line "))
        assert row.split()[:3] == ["long_line", "double", "1x3000000"], r


def test_text_file_is_charged_to_the_load_budget(tmp_path, monkeypatch):
    p = tmp_path / "d.txt"
    p.write_text("1 2\n" * 100)  # 200 numbers: 1600 bytes as float64
    monkeypatch.setenv("NN3_MAX_LOAD_BYTES", "1K")  # 128 numbers
    r = CliRunner().invoke(cli, ["train", str(p), "--maxiter", "2", "-q"])
    assert r.exit_code == 2, r.output
    assert r.stderr == (
        f"nn3: error: {p}: 130 numbers by line 65 need 1.02 KiB, more than nn3's budget for one "
        "load (1 KiB; set NN3_MAX_LOAD_BYTES to raise it); refused before allocating\n"
    )
    with pytest.raises(MatFileError, match=r"d.txt: 130 numbers by line 65 .*NN3_MAX_LOAD_BYTES"):
        nn3.load_mat(p)
    r = CliRunner().invoke(cli, ["info", str(p)])
    assert r.exit_code == 2 and "NN3_MAX_LOAD_BYTES" in r.stderr, r.output
    monkeypatch.setenv("NN3_MAX_LOAD_BYTES", "2K")
    assert nn3.load_mat(p)["d"].shape == (100, 2)


def _not_a_file(tmp_path, kind):
    import socket

    if kind == "fifo":
        os.mkfifo(tmp_path / "data.csv")
    elif kind == "device":
        os.symlink(os.devnull, tmp_path / "data.csv")
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(tmp_path / "data.csv"))
        return tmp_path / "data.csv", sock
    else:
        os.mkdir(tmp_path / "data.csv")
    return tmp_path / "data.csv", None


@pytest.mark.parametrize("kind", ["fifo", "device", "socket", "directory"])
def test_text_paths_that_are_not_files_are_refused_before_opening(tmp_path, kind):
    # In child processes with a timeout: opening a FIFO for reading waits for a writer forever.
    path, sock = _not_a_file(tmp_path, kind)
    weights = tmp_path / "w.mat"
    nn3.save_mat(weights, {"Theta1": np.zeros((25, 3)), "Theta2": np.zeros((1, 26))})
    expected = {
        "fifo": "is a named pipe (FIFO), not a regular file",
        "device": "is a character device, not a regular file",
        "socket": "is a socket, not a regular file",
        "directory": "is a directory, not a data file",
    }[kind]
    try:
        for args in (
            ["train", str(path)],
            ["info", str(path)],
            ["predict", str(weights), str(path)],
        ):
            code, out, err, _, _ = hostile.run(args, timeout=30)
            assert code == 2, (args, code, err)
            assert err == f"nn3: error: {path}: {expected}\n", (args, err)
        check = (
            "import sys; from nn3.mat.text import is_text_data_file, read_numeric_text\n"
            "assert not is_text_data_file(sys.argv[1])\n"
            "try:\n    read_numeric_text(sys.argv[1])\n"
            "except Exception as exc:\n    print(type(exc).__name__, exc)\n"
        )
        r = subprocess.run(
            [sys.executable, "-c", check, str(path)], capture_output=True, text=True, timeout=30
        )
        assert r.returncode == 0 and r.stdout == f"MatFileError {path}: {expected}\n", r
    finally:
        if sock is not None:
            sock.close()


@pytest.mark.parametrize(
    "name, text",
    [
        ("mac.csv", b"0.1,0.2,1\r0.9,0.8,0\r0.2,0.1,1\r0.7,0.9,0\r"),  # Excel's CSV (Macintosh)
        ("mixed.csv", b"0.1,0.2,1\r0.9,0.8,0\n0.2,0.1,1\r\n\r0.7,0.9,0"),
    ],
)
def test_text_with_cr_line_ends_reads_row_by_row(tmp_path, name, text):
    p = tmp_path / name
    p.write_bytes(text)
    expected = [[0.1, 0.2, 1.0], [0.9, 0.8, 0.0], [0.2, 0.1, 1.0], [0.7, 0.9, 0.0]]
    assert nn3.load_mat(p)[name[:-4]].tolist() == expected
    r = CliRunner().invoke(cli, ["info", str(p)])
    assert r.exit_code == 0, r.output
    row = next(line for line in r.output.splitlines() if line.startswith(name[:-4] + " "))
    assert row.split()[:3] == [name[:-4], "double", "4x3"], r.output
    out = tmp_path / "w.mat"
    r = CliRunner().invoke(cli, ["train", str(p), "--maxiter", "2", "-q", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert nn3.load_mat(out)["Theta1"].shape == (25, 3)  # two features, not eleven


# --- v7.3 files damaged, or cut while nn3 reads them ------------------------------------------


def _cut_while_open(tmp_path):
    """X's dataset opened, then the file cut to its first 900 bytes (HDF5 caches little)."""
    p = tmp_path / "cut.mat"
    with h5py.File(p, "w", userblock_size=512) as f:
        d = f.create_dataset("X", data=np.ones((3, 400)), chunks=(3, 100))
        d.attrs["MATLAB_class"] = np.bytes_(b"double")
    f = h5py.File(p, "r")
    ds = f["X"]
    os.truncate(p, 900)
    return p, f, ds


def test_dataset_cut_while_read_is_a_reason_not_an_h5py_error(tmp_path):
    from nn3.mat._hdf5 import unstored_claim

    p, f, ds = _cut_while_open(tmp_path)
    try:
        why = unstored_claim(ds, f"{p}: variable 'X'")
    finally:
        f.close()
    assert why is not None and "\n" not in why
    assert why.startswith(
        f"{p}: variable 'X': the file is damaged, or was cut or changed while nn3 read it ("
    ), why


def test_h5py_errors_name_the_file_and_keep_bugs(tmp_path):
    from nn3.mat._hdf5 import h5py_errors, unstored_claim

    p, f, ds = _cut_while_open(tmp_path)
    try:
        with pytest.raises(MatFileError, match=r"cut.mat: variable 'X': the file is damaged"):
            with h5py_errors(f"{p}: variable 'X'"):
                ds.id.get_storage_size()
        # The same exception types raised by nn3's own code are bugs: they pass unchanged.
        with pytest.raises(RuntimeError, match="injected bug"):
            with h5py_errors(f"{p}: variable 'X'"):
                raise RuntimeError("injected bug")
    finally:
        f.close()

    class Broken:
        shape, size, dtype = (3, 400), 1200, np.dtype("f8")

        @property
        def id(self):
            raise KeyError("injected bug")

    with pytest.raises(KeyError, match="injected bug"):
        unstored_claim(Broken(), "X")


@pytest.mark.parametrize("stream", [False, True])
def test_damaged_chunk_index_is_one_line(tmp_path, stream):
    p = hostile.damaged_chunk_index(tmp_path)
    args = ["train", str(p), "--maxiter", "2", "-q", *(["--stream"] if stream else [])]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2, (r.output, r.exception)
    assert r.stderr.startswith(
        f"nn3: error: {p}: variable 'X': the file is damaged, or was cut or changed while nn3 "
        "read it ("
    ), r.stderr
    assert r.stderr.count("\n") == 1
    with pytest.raises(MatFileError, match="damaged_index.mat: .*variable 'X'"):
        nn3.load_mat(p)
    from nn3.mat._facade import read_hdf5

    with pytest.raises(MatFileError, match="damaged_index.mat: variable 'X': the file is damaged"):
        read_hdf5(str(p))
