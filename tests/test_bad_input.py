"""A corpus of bad inputs: each one line on stderr naming the file (and variable), exit 2.

Every case runs through the CLI (click's CliRunner); a few also run in a real process to show
that no traceback reaches the terminal and that ``--debug`` shows it.
"""

import os
import re
import struct
import subprocess
import sys

import h5py
import numpy as np
import pytest
import scipy.io
import scipy.sparse
from click.testing import CliRunner

import nn3
from nn3.cli import cli

RNG = np.random.default_rng(11)
X_GOOD = RNG.random((20, 3))
Y_GOOD = np.array([1, 2] * 10, dtype=np.float64).reshape(-1, 1)


def save5(path, variables, compressed=True):
    scipy.io.savemat(path, variables, do_compression=compressed, oned_as="column")
    return path


def good(tmp, name="d.mat", **extra):
    return save5(tmp / name, {"X": X_GOOD, "y": Y_GOOD, **extra})


def weights(tmp, name="w.mat", T1=None, T2=None):
    T1 = np.zeros((4, 4)) if T1 is None else T1
    T2 = np.zeros((2, 5)) if T2 is None else T2
    return save5(tmp / name, {"Theta1": T1, "Theta2": T2})


def cut(path, fraction):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def write_bytes(path, data):
    path.write_bytes(data)
    return path


def train(data, *options):
    return ["train", str(data), "--maxiter", "2", "-q", *map(str, options)]


# Each case: tmp_path -> (arguments, regular expressions the one line must match).
# "{file}" in a pattern stands for the data file named in the arguments (escaped).


def case_text_file(tmp):  # .txt/.csv/.dat are read as numeric text; others are not
    p = write_bytes(tmp / "data.json", b"x1,x2,y\n1,2,1\n")
    return train(p), ["{file}", "not a MATLAB .mat file", "text file"]


def case_text_file_with_header(tmp):
    p = write_bytes(tmp / "data.csv", b"x1,x2,y\n1,2,1\n")
    return train(p), ["{file}", "line 1, column 1: 'x1' is not a number", "a header line"]


def case_empty_file(tmp):
    return train(write_bytes(tmp / "e.mat", b"")), ["{file}", "empty file"]


def case_pickle(tmp):
    import pickle

    p = write_bytes(tmp / "p.mat", pickle.dumps({"X": 1}, protocol=4))
    return train(p), ["{file}", "pickle, which nn3 never loads"]


def case_truncated_v5_compressed(tmp):
    return train(cut(good(tmp), 0.6)), ["{file}", "truncated|corrupt"]


def case_corrupted_v5_compressed(tmp):
    p = good(tmp)
    data = bytearray(p.read_bytes())
    for i in range(200, 260):
        data[i] ^= 0x5A
    return train(write_bytes(p, bytes(data))), ["{file}", "corrupt"]


def case_truncated_v5_uncompressed(tmp):
    p = save5(tmp / "u.mat", {"X": X_GOOD, "y": Y_GOOD}, compressed=False)
    return train(cut(p, 0.7)), ["{file}", "truncated"]


def case_truncated_v5_header(tmp):
    return train(cut(good(tmp), 0.03)), ["{file}", "shorter than the 128-byte header"]


def case_truncated_v4(tmp):
    p = tmp / "v4.mat"
    scipy.io.savemat(p, {"X": X_GOOD, "y": Y_GOOD}, format="4")
    return train(cut(p, 0.5)), ["{file}", "truncated v4"]


def _v73(tmp, name="d73.mat", **variables):
    p = tmp / name
    nn3.save_mat(p, variables or {"X": X_GOOD, "y": Y_GOOD}, format="7.3")
    return p


def case_truncated_v73(tmp):
    return train(cut(_v73(tmp), 0.6)), ["{file}", "v7.3", "corrupt|truncated"]


def case_corrupted_v73(tmp):
    p = _v73(tmp)
    data = bytearray(p.read_bytes())
    data[520:600] = bytes(range(80))  # the HDF5 superblock, after the signature
    return train(write_bytes(p, bytes(data))), ["{file}", "corrupt"]


def case_v73_header_without_hdf5(tmp):
    p = write_bytes(tmp / "h.mat", _header73())
    return train(p), ["{file}", "without its HDF5 part"]


def _header73():
    return (b"MATLAB 7.3 MAT-file, Platform: GLNXA64".ljust(116) + b"\0" * 8 + b"\x00\x02IM").ljust(
        512, b"\0"
    )


def case_missing_variable(tmp):
    p = save5(tmp / "m.mat", {"A": X_GOOD, "B": Y_GOOD})
    return train(p), ["{file}", "no variable 'X'", r"variables there: A, B"]


def case_missing_struct_field(tmp):
    p = save5(tmp / "s.mat", {"data": {"features": X_GOOD, "y": Y_GOOD}})
    return train(p, "--x-var", "data.X", "--y-var", "data.y"), [
        "{file}",
        "no variable 'data.X'",
        "fields there: features, y",
    ]


def case_x_is_text(tmp):
    return train(save5(tmp / "t.mat", {"X": "hello", "y": Y_GOOD})), [
        "{file}",
        "variable 'X' is text",
    ]


def case_x_is_nd_text(tmp):
    chars = np.array(list("abcdefghijklmnopqrstuvwx")).reshape(2, 4, 3)  # a 2x4x3 char array
    return train(save5(tmp / "t3.mat", {"X": chars, "y": Y_GOOD})), ["{file}", "variable 'X'"]


def case_x_is_3d(tmp):
    return train(save5(tmp / "n.mat", {"X": np.ones((20, 3, 2)), "y": Y_GOOD})), [
        "{file}",
        "variable 'X' must be a 2-D matrix, got size 20x3x2",
    ]


def case_x_is_struct(tmp):
    return train(save5(tmp / "s.mat", {"X": {"a": 1.0}, "y": Y_GOOD})), [
        "{file}",
        "variable 'X' is a struct",
    ]


def case_x_is_cell(tmp):
    cell = np.array([[1.0, "a"]], dtype=object)
    return train(save5(tmp / "c.mat", {"X": cell, "y": Y_GOOD})), [
        "{file}",
        "variable 'X' is a 1x2 cell array",
    ]


def hand_built_v5(mclass, dims, rest):
    """A little-endian v5 file with one variable X: class, dimensions, then ``rest`` bytes."""
    header = b"MATLAB 5.0 MAT-file, hand-built".ljust(116) + b"\0" * 8 + b"\x00\x01IM"

    def element(mtype, payload):
        return struct.pack("<II", mtype, len(payload)) + payload + b"\0" * (-len(payload) % 8)

    body = (
        element(6, struct.pack("<II", mclass, 0))
        + element(5, struct.pack(f"<{len(dims)}i", *dims))
        + element(1, b"X")
        + rest
    )
    return header + element(14, body)


def case_x_is_a_matlab_object(tmp):
    """A hand-built v5 file whose X is a function handle (class mxFUNCTION)."""
    p = write_bytes(tmp / "f.mat", hand_built_v5(16, (1, 1), b"\0" * 16))
    return train(p, "--y-var", "X"), ["{file}", "variable 'X' is a MATLAB object"]


def case_x_complex(tmp):
    return train(save5(tmp / "z.mat", {"X": X_GOOD + 1j, "y": Y_GOOD})), [
        "{file}",
        "variable 'X' is complex",
    ]


def case_y_non_integer(tmp):
    return train(save5(tmp / "y.mat", {"X": X_GOOD, "y": Y_GOOD + 0.5})), [
        "{file}",
        "variable 'y' holds non-integer values",
    ]


def case_y_zero_with_classes(tmp):
    y = np.arange(20.0).reshape(-1, 1) % 3  # 0, 1, 2: neither 0/1 nor 1..K
    return train(save5(tmp / "y.mat", {"X": X_GOOD, "y": y})), [
        "{file}",
        "variable 'y' holds labels from 0 to 2",
        "0/1",
        "1..K",
    ]


def case_y_above_labels_option(tmp):
    y = np.arange(20.0).reshape(-1, 1) % 3 + 1
    return train(save5(tmp / "y.mat", {"X": X_GOOD, "y": y}), "--labels", "2"), [
        "{file}",
        "variable 'y' holds labels from 1 to 3",
        "labels 1..2",
    ]


def case_y_negative(tmp):
    return train(save5(tmp / "y.mat", {"X": X_GOOD, "y": -Y_GOOD})), [
        "{file}",
        "variable 'y' holds labels from -2 to -1",
    ]


def case_y_nan(tmp):
    y = Y_GOOD.copy()
    y[3] = np.nan
    return train(save5(tmp / "y.mat", {"X": X_GOOD, "y": y})), [
        "{file}",
        "variable 'y' holds NaN or Inf",
    ]


def case_y_matrix(tmp):
    return train(save5(tmp / "y.mat", {"X": X_GOOD, "y": np.ones((20, 2))})), [
        "{file}",
        "variable 'y' must be a vector, got size 20x2",
    ]


def case_rows_differ(tmp):
    return train(save5(tmp / "r.mat", {"X": X_GOOD, "y": Y_GOOD[:19]})), [
        "{file}",
        "'X' has 20 rows but 'y' has 19 labels",
    ]


def case_nan_in_x(tmp):
    X = X_GOOD.copy()
    X[2, 1] = np.nan
    return train(save5(tmp / "n.mat", {"X": X, "y": Y_GOOD})), [
        "{file}",
        "variable 'X' holds 1 NaN or Inf values",
    ]


def case_inf_in_x(tmp):
    X = X_GOOD.copy()
    X[0, 0], X[5, 2] = np.inf, -np.inf
    return train(save5(tmp / "i.mat", {"X": X, "y": Y_GOOD})), [
        "{file}",
        "variable 'X' holds 2 NaN or Inf values",
    ]


def case_zero_examples(tmp):
    return train(save5(tmp / "0.mat", {"X": np.zeros((0, 3)), "y": np.zeros((0, 1))})), [
        "{file}",
        "variable 'X' is empty",
        "no examples",
    ]


def case_huge_header(tmp):
    empty_data = struct.pack("<II", 9, 0)  # miDOUBLE, 0 bytes, for 10^12 claimed elements
    p = write_bytes(tmp / "huge.mat", hand_built_v5(6, (1_000_000, 1_000_000), empty_data))
    return train(p), ["{file}", "variable 'X' claims 1000000x1000000", "refused"]


def case_huge_v73_dataset(tmp):
    p = tmp / "huge73.mat"
    with h5py.File(p, "w") as f:
        d = f.create_dataset("X", shape=(10**7, 10**6), dtype="f8", chunks=(8, 8))
        d.attrs["MATLAB_class"] = np.bytes_(b"double")
    return train(p), ["{file}", "variable 'X' claims", "refused before allocating"]


def case_huge_sparse(tmp):
    big = scipy.sparse.csc_matrix(([1.0], ([0], [0])), shape=(10**6, 10**6))
    p = tmp / "sp.mat"
    nn3.save_mat(p, {"X": big, "y": np.ones((10**6, 1))})
    return train(p), ["{file}", "variable 'X' is a sparse 1000000x1000000", "dense"]


def case_data_is_directory(tmp):
    (tmp / "folder.mat").mkdir()
    return train(tmp / "folder.mat"), ["{file}", "is a directory"]


def case_data_missing(tmp):
    return train(tmp / "nothere.mat"), ["{file}", "no such file"]


def case_path_through_a_file(tmp):
    good(tmp, "plain.mat")
    return train(tmp / "plain.mat" / "x.mat"), ["{file}", "no such file"]


def case_broken_symlink(tmp):
    link = tmp / "link.mat"
    os.symlink(tmp / "gone.mat", link)
    return train(link), ["{file}", "broken symbolic link"]


def case_unreadable(tmp):
    if os.geteuid() == 0:
        pytest.skip("root reads any file: permission denied cannot be provoked")
    p = good(tmp)
    p.chmod(0)
    return train(p), ["{file}", "permission denied"]


def case_fifo(tmp):
    os.mkfifo(tmp / "pipe.mat")
    return train(tmp / "pipe.mat"), ["{file}", "not a regular file"]


def case_out_folder_missing(tmp):
    return train(good(tmp), "--out", tmp / "no" / "dir" / "w.mat"), [
        re.escape(str(tmp / "no" / "dir" / "w.mat")),
        "does not exist",
    ]


def case_out_is_directory(tmp):
    (tmp / "outdir").mkdir()
    return train(good(tmp), "--out", tmp / "outdir"), ["outdir", "is a directory"]


def case_hidden_zero(tmp):
    return train(good(tmp), "--hidden", "0"), ["--hidden must be at least 1, got 0"]


def case_lambda_negative(tmp):
    return train(good(tmp), "--lambda", "-1"), ["--lambda must be a non-negative number"]


def case_lambda_nan(tmp):
    return train(good(tmp), "--lambda", "nan"), ["--lambda must be a non-negative number"]


def case_maxiter_zero(tmp):
    return ["train", str(good(tmp)), "--maxiter", "0"], ["--maxiter must be non-zero"]


def case_epsilon_zero(tmp):
    return train(good(tmp), "--epsilon", "0"), ["--epsilon must be a positive number"]


def case_seed_negative(tmp):
    return train(good(tmp), "--seed", "-1"), [r"--seed must be in 0\.\.4294967295"]


def case_labels_zero(tmp):
    return train(good(tmp), "--labels", "0"), ["--labels must be at least 1"]


def case_hidden_absurd(tmp):
    return train(good(tmp), "--hidden", "1000000000"), ["--hidden 1000000000", "too large"]


def case_hidden_not_a_number(tmp):
    return train(good(tmp), "--hidden", "many"), [
        "Invalid value for '--hidden'",
        r"see 'nn3 train --help'",
    ]


def case_format_unknown(tmp):
    return train(good(tmp), "--format", "6"), ["Invalid value for '--format'"]


def case_option_unknown(tmp):
    return train(good(tmp), "--hiden", "3"), ["No such option: --hiden|No such option '--hiden'"]


def case_init_wrong_shape(tmp):
    w = weights(tmp, T1=np.zeros((4, 7)), T2=np.zeros((2, 5)))
    return train(good(tmp), "--init", w), [re.escape(str(w)), "Theta1 is 4x7", "3 features"]


def case_predict_no_weights(tmp):
    return ["predict", str(good(tmp)), "--x", "1,2,3"], ["{file}", "no weights found"]


def case_predict_feature_mismatch(tmp):
    w = weights(tmp, T1=np.zeros((4, 5)))  # expects 4 features, the data have 3
    return ["predict", str(w), str(good(tmp))], ["3 features", "expects 4"]


def case_predict_weights_nan(tmp):
    T1 = np.zeros((4, 4))
    T1[0, 0] = np.nan
    w = weights(tmp, T1=T1)
    return ["predict", str(w), "--x", "1,2,3"], [re.escape(str(w)), "NaN or Inf"]


def case_predict_sample_not_a_number(tmp):
    return ["predict", str(weights(tmp)), "--x", "1,two,3"], ["--x: 'two' is not a number"]


# Hostile files (built by tests/hostile.py); tests/test_hostile_files.py runs the
# resource cases again in a child process with its memory capped and records peak RSS.


def case_cell_of_20_million_empties(tmp):
    import hostile

    return train(hostile.empty_cell(tmp, b"X")), ["{file}", "variable 'X'", "NN3_MAX_LOAD_ITEMS"]


def case_sparse_2_28_rows_densified(tmp):
    import hostile

    return train(hostile.huge_sparse(tmp)), ["{file}", "sparse 268435456x1", "NN3_MAX_LOAD_BYTES"]


def case_v73_chunks_never_written(tmp):
    import hostile

    return train(hostile.unwritten_chunks(tmp, "X")), ["{file}", "variable 'X'", "never written"]


def case_v73_reference_tree(tmp):
    import hostile

    return train(hostile.ref_tree(tmp, "X")), ["{file}", "variable 'X'", "NN3_MAX_LOAD_ITEMS"]


def case_v73_external_link(tmp):
    other = tmp / "other.h5"
    with h5py.File(other, "w") as f:
        f["secret"] = X_GOOD.T
    p = tmp / "link73.mat"
    with h5py.File(p, "w") as f:
        f["X"] = h5py.ExternalLink(str(other), "/secret")
        f.create_dataset("y", data=Y_GOOD.T).attrs["MATLAB_class"] = np.bytes_(b"double")
    return train(p), ["{file}", "variable 'X' is an external link", "does not follow links"]


def case_octave_external_link(tmp):
    import hostile

    other = tmp / "other.h5"
    with h5py.File(other, "w") as f:
        hostile._octave_var(f, "X", "matrix", X_GOOD.T)
    p = tmp / "linkoct.h5"
    with h5py.File(p, "w") as f:
        f["X"] = h5py.ExternalLink(str(other), "/X")
        hostile._octave_var(f, "y", "matrix", Y_GOOD.T)
    return train(p), ["{file}", "variable 'X' is an external link", "does not follow links"]


def case_lying_int8_class(tmp):
    p = tmp / "lie.mat"
    with h5py.File(p, "w") as f:
        d = f.create_dataset("X", data=np.arange(0.0, 1001.0).reshape(1, -1))
        d.attrs["MATLAB_class"] = np.bytes_(b"int8")
    return ["info", str(p)], ["{file}", "variable 'X'", "class says 'int8'", "cannot hold"]


def case_variable_name_with_newline(tmp):
    import hostile

    p = hostile.v5_file(
        tmp / "nl.mat", hostile._matrix_head(6, (1, 1), b"a\n\x1b[2J", 9, 8) + bytes(8)
    )
    return train(p), ["{file}", "no variable 'X'", r"variables there: a\\n\\x1b\[2J"]


CASES = {name[5:]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}


def _check_one_line(result, args, patterns):
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("nn3: error: ")
    data = args[1] if len(args) > 1 else ""
    for pattern in patterns:
        pattern = pattern.replace("{file}", re.escape(data))
        assert re.search(pattern, line), (pattern, line)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gives_one_line_and_exit_2(tmp_path, name):
    args, patterns = CASES[name](tmp_path)
    result = CliRunner().invoke(cli, args)
    _check_one_line(result, args, patterns)


def test_corpus_is_large_enough():
    assert len(CASES) >= 20


@pytest.mark.parametrize(
    "name", ["corrupted_v73", "nan_in_x", "missing_struct_field", "hidden_not_a_number"]
)
def test_real_process_no_traceback(tmp_path, name):
    args, patterns = CASES[name](tmp_path)
    r = subprocess.run(
        [sys.executable, "-m", "nn3", *args], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nn3: error: "), r.stderr
    for pattern in patterns:
        assert re.search(pattern.replace("{file}", re.escape(args[1])), lines[0])


def test_debug_shows_the_traceback(tmp_path):
    args, _ = CASES["corrupted_v73"](tmp_path)
    r = subprocess.run(
        [sys.executable, "-m", "nn3", "--debug", *args], capture_output=True, text=True, timeout=120
    )
    assert r.returncode != 0
    assert "Traceback (most recent call last)" in r.stderr
    assert "nn3.errors.MatFileError" in r.stderr


# --- Appended: text files hold ASCII numbers only; a damaged v7.3 chunk index --------------------
# (Their own parametrized test below: CASES above is collected before these are defined.)


def case_text_arabic_indic_digit(tmp):
    p = write_bytes(tmp / "arabic.csv", "0.5,0.25,1\n0.75,\u0660.5,2\n".encode())
    return train(p), ["{file}", "line 2, column 6", r"U\+0660 ARABIC-INDIC DIGIT ZERO", "ASCII"]


def case_text_fullwidth_digit(tmp):
    p = write_bytes(tmp / "full.txt", "\uff11 2 1\n3 4 2\n".encode())
    return train(p), ["{file}", "line 1, column 1", r"U\+FF11 FULLWIDTH DIGIT ONE", "ASCII"]


def case_text_no_break_space(tmp):
    p = write_bytes(tmp / "nbsp.txt", "1 2 1\n3\u00a04 2\n".encode())
    return train(p), ["{file}", "line 2, column 2", r"U\+00A0 NO-BREAK SPACE", "separat"]


def case_v73_chunk_index_damaged(tmp):
    import hostile

    p = hostile.damaged_chunk_index(tmp)
    return train(p), ["{file}", "variable 'X'", "damaged"]


def case_v73_chunk_index_damaged_stream(tmp):
    import hostile

    p = hostile.damaged_chunk_index(tmp)
    return train(p, "--stream"), ["{file}", "variable 'X'", "damaged"]


APPENDED_CASES = {
    name[5:]: fn
    for name, fn in sorted(globals().items())
    if name.startswith("case_") and name[5:] not in CASES
}


@pytest.mark.parametrize("name", sorted(APPENDED_CASES))
def test_appended_bad_input_gives_one_line_and_exit_2(tmp_path, name):
    args, patterns = APPENDED_CASES[name](tmp_path)
    _check_one_line(CliRunner().invoke(cli, args), args, patterns)


# --- Appended: labels that would make mostly empty classes; data single precision cannot hold;
# Dask addresses; make-data sizes that cannot be made ------------------------------------------


def _labels_file(tmp, name, y):
    X = np.random.default_rng(3).random((len(y), 3))
    return save5(tmp / name, {"X": X, "y": np.asarray(y, dtype=np.float64).reshape(-1, 1)})


def case_labels_1_and_100000(tmp):
    p = _labels_file(tmp, "sparse_k.mat", [1, 100000] * 10)
    return train(p), [
        "{file}", "variable 'y' holds 2 distinct labels \\(1, 100000\\)", "100000 output units",
        "99998 of them", "--classes auto", "--labels 100000",
    ]  # fmt: skip


def case_labels_1_and_2_to_the_63(tmp):
    p = _labels_file(tmp, "k63.mat", [1, 2.0**63] * 10)
    return train(p), ["{file}", "2 distinct labels", "--classes auto"]


def case_precision_single_beyond_float32(tmp):
    X = np.random.default_rng(4).random((20, 3))
    X[:, 1] *= 1e39
    p = save5(tmp / "f32.mat", {"X": X, "y": Y_GOOD})
    return train(p, "--precision", "single"), [
        "{file}", "variable 'X'", "beyond single precision", "--precision double", "--normalize",
    ]  # fmt: skip


def case_normalize_std_beyond_doubles(tmp):
    X = np.array([[1.7e308, 1.0], [-1.7e308, 2.0], [1.7e308, 3.0], [-1.7e308, 4.0]])
    p = save5(tmp / "wide.mat", {"X": X, "y": np.array([[1.0], [2.0], [1.0], [2.0]])})
    return train(p, "--normalize"), ["{file}", "variable 'X'", "feature 1 cannot be scaled"]


def _v73(tmp):
    path = tmp / "d73.mat"
    nn3.save_mat(path, {"X": X_GOOD, "y": Y_GOOD}, format="7.3")
    return path


@pytest.mark.parametrize(
    "address, needle",
    [
        ("http://127.0.0.1:8787", "an http:// address is a dashboard's"),
        ("inproc://x", "inproc://"),
        ("ucx://127.0.0.1:1", "tcp:// only"),
        ("tls://127.0.0.1:1", "certificates"),
        (":", "HOST and PORT"),
        ("tcp://:", "HOST and PORT"),
        ("tcp://127.0.0.1:notaport", "PORT is a number from 1 to 65535"),
        ("tcp://127.0.0.1:70000", "PORT is a number from 1 to 65535"),
        ("tcp://[::1", "IPv6 address in brackets"),
        ("tcp://[nonsense]:1", "not an IPv6 address"),
        ("tcp://host name:1", "not a host name"),
        ("local:\u00b2", "at least 1"),
        ("local:0", "at least 1"),
        ("local:10000", "at most"),
        ("local:-1", "at least 1"),
    ],
)
def test_dask_address_that_is_not_one_gives_one_line(tmp_path, address, needle):
    pytest.importorskip("distributed")
    data = _v73(tmp_path)
    for args in (
        train(data, "--dask", address, "--out", tmp_path / "w.mat"),
        ["predict", str(weights(tmp_path)), str(data), "--dask", address],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (address, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("nn3: error: --dask "), result.stderr
        assert needle in lines[0], lines[0]
        assert "Traceback" not in result.output


def case_make_data_features_1e9(tmp):
    return ["make-data", "--rows", "10", "--features", "1000000000", "--out", str(tmp / "m.mat")], [
        "--features 1000000000: too many", "at most 7812500",
    ]  # fmt: skip


def case_make_data_labels_1e9(tmp):
    return [
        "make-data", "--rows", "10", "--features", "3", "--labels", "1000000000",
        "--out", str(tmp / "m.mat"),
    ], ["--labels 1000000000: too many"]  # fmt: skip


def case_make_data_rows_beyond_the_disk(tmp):
    return [
        "make-data", "--rows", str(10**15), "--features", "10", "--out", str(tmp / "m.mat"),
    ], [re.escape(str(tmp / "m.mat")), r"need \d.* on disk", "free"]  # fmt: skip


APPENDED_CASES_2 = {
    name[5:]: fn
    for name, fn in sorted(globals().items())
    if name.startswith("case_") and name[5:] not in CASES and name[5:] not in APPENDED_CASES
}


@pytest.mark.parametrize("name", sorted(APPENDED_CASES_2))
def test_more_bad_input_gives_one_line_and_exit_2(tmp_path, name):
    args, patterns = APPENDED_CASES_2[name](tmp_path)
    _check_one_line(CliRunner().invoke(cli, args), args, patterns)


@pytest.mark.parametrize(
    "name",
    [
        "precision_single_beyond_float32",
        "normalize_std_beyond_doubles",
        "make_data_features_1e9",
        "labels_1_and_100000",
    ],
)
def test_more_bad_input_in_a_real_process_is_one_line_without_warnings(tmp_path, name):
    """In a real process numpy's RuntimeWarnings and MemoryError tracebacks would show."""
    args, patterns = APPENDED_CASES_2[name](tmp_path)
    r = subprocess.run(
        [sys.executable, "-m", "nn3", *args], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nn3: error: "), r.stderr
    assert "Warning" not in r.stderr and "Traceback" not in r.stderr
