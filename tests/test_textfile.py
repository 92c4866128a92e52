"""nn3.mat.text: numeric text files as MATLAB's load reads them, and the coursework's X/y split.

Expected values are written by hand from the file contents; the layouts and variable names are
checked against GNU Octave's ``load`` when octave-cli is installed.
"""

import shutil
import subprocess

import numpy as np
import pytest

import nn3
from nn3.errors import DataError, MatFileError, OptionError
from nn3.mat.text import (
    is_text_data_file,
    load_text,
    read_numeric_text,
    split_xy,
    variable_name,
)

OCTAVE = shutil.which("octave-cli")
needs_octave = pytest.mark.needs_octave

#: ex2data1.txt's layout: two exam scores and an admitted flag, comma-separated, no header.
EX2_LINES = "34.62365962451697,78.0246928153624,0\n30.28671076822607,43.89499752400101,0\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def test_coursework_layout(tmp_path):
    path = write(tmp_path, "ex2data1.txt", EX2_LINES)
    data = read_numeric_text(path)
    assert data.dtype == np.float64 and data.shape == (2, 3)
    assert data[0, 0] == 34.62365962451697 and data[1, 1] == 43.89499752400101
    assert data[:, 2].tolist() == [0.0, 0.0]
    variables = load_text(path)
    assert list(variables) == ["ex2data1"]
    assert np.array_equal(variables["ex2data1"], data)


@pytest.mark.parametrize(
    "text",
    [
        "1 2 3\n4 5 6\n",  # blanks
        "1\t2\t3\n4\t5\t6",  # tabs, no final newline
        "1,2,3\r\n4,5,6\r\n",  # CRLF
        " 1 , 2,3 \n4 ,5, 6,\n",  # blanks around commas, a trailing comma
        "% a comment\n\n1 2 3\n# another\n4 5 6\n\n",  # comment and blank lines
        "\ufeff1,2,3\n4,5,6\n",  # UTF-8 byte-order mark (Excel's CSV)
        "1e0 2.0E+0 .3e1\n+4 5. 6\n",  # number forms
    ],
)
def test_layouts_give_the_same_matrix(tmp_path, text):
    data = read_numeric_text(write(tmp_path, "d.txt", text))
    assert data.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_nan_and_inf_are_kept_as_load_keeps_them(tmp_path):
    data = read_numeric_text(write(tmp_path, "d.txt", "NaN -Inf\ninf nan\n"))
    assert np.isnan(data[0, 0]) and data[0, 1] == -np.inf
    assert data[1, 0] == np.inf and np.isnan(data[1, 1])


def test_one_column_is_a_column(tmp_path):
    assert read_numeric_text(write(tmp_path, "d.txt", "1\n2\n3\n")).shape == (3, 1)


@pytest.mark.parametrize(
    "text, where",
    [
        ("x1,x2,y\n1,2,0\n", "line 1, column 1: 'x1' is not a number (a header line?"),
        ("% note\nexam1 exam2 admitted\n1 2 0\n", "line 2, column 1: 'exam1' is not a number"),
        ("1,2,0\n3,abc,1\n", "line 2, column 3: 'abc' is not a number"),
        ("1 2 0\n3 4 NA\n", "line 2, column 5: 'NA' is not a number"),
        ("1 2 0\n3 4 1 % admitted\n", "line 2, column 7: '%' is not a number"),
        ("1,,3\n", "line 1, column 3: empty field between commas"),
        ("1,2,,\n", "line 1, column 5: empty field between commas"),
        (",1,2\n", "line 1, column 1: empty field before the comma"),
        ("1;2\n", "line 1, column 1: '1;2' is not a number"),
        ("0x10 2\n", "line 1, column 1: '0x10' is not a number"),
        ("1_000 2\n", "line 1, column 1: '1_000' is not a number"),  # float() would take it
    ],
)
def test_non_numeric_cells_name_line_and_column(tmp_path, text, where):
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(DataError) as info:
        read_numeric_text(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {where}")
    assert "\n" not in message


def test_ragged_rows_name_both_lines(tmp_path):
    path = write(tmp_path, "r.txt", "1 2 3\n\n4 5 6\n7 8\n")
    with pytest.raises(DataError, match=r"line 4 has 2 numbers but line 1 has 3"):
        read_numeric_text(path)


@pytest.mark.parametrize("text", ["", "\n\n", "% only a comment\n"])
def test_no_numbers(tmp_path, text):
    with pytest.raises(DataError, match="no numbers in the file"):
        read_numeric_text(write(tmp_path, "e.txt", text))


def test_not_utf8_names_line_and_column(tmp_path):
    path = write(tmp_path, "b.txt", b"1 2\n3 \xff\n")
    with pytest.raises(DataError, match=r"line 2, column 3: not UTF-8 text"):
        read_numeric_text(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(MatFileError, match="no such file"):
        read_numeric_text(tmp_path / "nope.txt")
    with pytest.raises(MatFileError, match="is a directory"):
        read_numeric_text(tmp_path)


def test_byte_budget_refuses_before_reading(tmp_path):
    path = write(tmp_path, "big.txt", "1 2\n" * 100)  # 400 bytes
    with pytest.raises(MatFileError, match="text file of 400 bytes, larger than nn3 reads"):
        read_numeric_text(path, max_bytes=399)
    assert read_numeric_text(path, max_bytes=400).shape == (100, 2)


def test_element_budget_stops_at_the_excess(tmp_path):
    path = write(tmp_path, "big.txt", "1 2\n" * 100)  # 200 numbers
    with pytest.raises(DataError, match=r"more than 199 numbers \(at line 100\)"):
        read_numeric_text(path, max_elements=199)
    assert read_numeric_text(path, max_elements=200).shape == (100, 2)


def test_buffer_growth_keeps_row_order(tmp_path):
    # More numbers than the first buffer (1024) holds: rows must come back in file order.
    rows = [f"{i} {i + 0.5} {-i}" for i in range(1000)]
    data = read_numeric_text(write(tmp_path, "g.txt", "\n".join(rows)))
    assert data.shape == (1000, 3)
    assert data[999].tolist() == [999.0, 999.5, -999.0]
    assert data[:, 0].tolist() == list(range(1000))


# ---------------------------------------------------------------------------------------------
# Names, detection
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename, name",
    [
        ("ex2data1.txt", "ex2data1"),
        ("2-my-data.csv", "X2_my_data"),
        ("a-b.c.dat", "a_b_c"),
        ("_u.txt", "X_u"),
        ("for.txt", "Xfor"),
        ("sp ace.txt", "sp_ace"),
        ("noext", "noext"),
        ("dir/ex1data1.TXT", "ex1data1"),
        ("a" * 70 + ".txt", "a" * 63),  # MATLAB's namelengthmax
    ],
)
def test_variable_name(filename, name):
    assert variable_name(filename) == name


def test_is_text_data_file(tmp_path):
    assert is_text_data_file(write(tmp_path, "a.txt", "1 2\n"))
    assert is_text_data_file(write(tmp_path, "a.CSV", "1 2\n"))
    assert not is_text_data_file(write(tmp_path, "a.mat", "1 2\n"))
    assert not is_text_data_file(tmp_path / "missing.txt")
    saved = tmp_path / "real.mat"
    nn3.save_mat(saved, {"X": np.ones((2, 2))})
    dat = tmp_path / "real.dat"
    dat.write_bytes(saved.read_bytes())  # a .mat file with a .dat name stays a .mat file
    assert not is_text_data_file(dat)


# ---------------------------------------------------------------------------------------------
# X and y
# ---------------------------------------------------------------------------------------------

DATA = np.array([[1.0, 2.0, 3.0, 0.0], [4.0, 5.0, 6.0, 1.0]])


def test_split_default_is_last_column():
    X, y = split_xy(DATA)
    assert X.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert y.shape == (2, 1) and y[:, 0].tolist() == [0.0, 1.0]


def test_split_y_col_is_one_based():
    X, y = split_xy(DATA, y_col=1)
    assert y[:, 0].tolist() == [1.0, 4.0]
    assert X.tolist() == [[2.0, 3.0, 0.0], [5.0, 6.0, 1.0]]
    X, y = split_xy(DATA, y_col=2)
    assert y[:, 0].tolist() == [2.0, 5.0]
    assert X.tolist() == [[1.0, 3.0, 0.0], [4.0, 6.0, 1.0]]
    X, y = split_xy(DATA, y_col=4)
    assert y[:, 0].tolist() == [0.0, 1.0]


@pytest.mark.parametrize("bad", [0, 5, -1, 2.5, True])
def test_split_bad_y_col_names_the_option(bad):
    with pytest.raises(OptionError, match=r"--y-col must be a column number from 1 to 4"):
        split_xy(DATA, y_col=bad)


def test_split_needs_two_columns():
    with pytest.raises(DataError, match="f.txt: 1 column"):
        split_xy(np.ones((3, 1)), path="f.txt")


# ---------------------------------------------------------------------------------------------
# Against GNU Octave's load
# ---------------------------------------------------------------------------------------------

OCTAVE_CASES = {
    "ex2data1.txt": EX2_LINES,
    "2-my-data.csv": "1,2,3\n4,5,6\n",
    "a-b.c.dat": "1 2\n3 4\n",
    "mixed.txt": "1\t2,3\n4 , 5 ,6\n",
    "trail.csv": "1,2,\r\n3,4,\r\n",
    "cmt.txt": "% comment\n1 2\n\n# c2\n3 4\n",
    "forms.txt": "1e3 2.5E-1 -Inf\n.5 -0. NaN\n",
    "for.txt": "7\n8\n",
}

OCTAVE_REFUSES = {
    "hdr.csv": "x,y\n1,2\n",
    "ragged.txt": "1 2 3\n4 5\n",
    "empty.csv": "1,,3\n4,5,6\n",
}


@needs_octave
def test_same_matrices_and_names_as_octave_load(tmp_path):
    for name, text in {**OCTAVE_CASES, **OCTAVE_REFUSES}.items():
        write(tmp_path, name, text)
    files = ", ".join(f"'{n}'" for n in [*OCTAVE_CASES, *OCTAVE_REFUSES])
    script = f"""
    fs = {{{files}}};
    for k = 1:numel(fs)
      clear -x fs k
      try
        load(fs{{k}});
        w = setdiff(who, {{'fs'; 'k'}});
        printf('%s=%s\\n', fs{{k}}, w{{1}});
        save('-v7', ['out_' num2str(k) '.mat'], w{{1}});
      catch
        printf('%s=ERROR\\n', fs{{k}});
      end
    end
    """
    r = subprocess.run(
        [OCTAVE, "--no-gui", "--norc", "--quiet", "--eval", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    seen = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    for k, name in enumerate([*OCTAVE_CASES, *OCTAVE_REFUSES], start=1):
        if name in OCTAVE_REFUSES:
            assert seen[name] == "ERROR", name
            with pytest.raises(DataError):
                read_numeric_text(tmp_path / name)
            continue
        assert seen[name] == variable_name(name), name
        octave_value = nn3.load_mat(tmp_path / f"out_{k}.mat")[seen[name]]
        ours = load_text(tmp_path / name)[seen[name]]
        assert ours.shape == octave_value.shape, name
        assert np.array_equal(ours, octave_value, equal_nan=True), name
        assert np.array_equal(np.signbit(ours), np.signbit(octave_value)), name  # -0.
