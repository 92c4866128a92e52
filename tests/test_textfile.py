"""nn3.mat.text: numeric text files as MATLAB's load reads them, and the coursework's X/y split.

Expected values are written by hand from the file contents; the layouts and variable names are
checked against GNU Octave's ``load`` when octave-cli is installed.
"""

import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn3
from nn3.errors import DataError, MatFileError, OptionError
from nn3.mat import LoadBudget
from nn3.mat.text import (
    MAX_NUMBER_LENGTH,
    READ_BYTES,
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
        "1,2,3\r4,5,6\r",  # CR alone: Excel's "CSV (Macintosh)"
        "1,2,3\r4,5,6",  # CR alone, no final line end
        "1 2 3\r\r\n4 5 6\n\r",  # CR, CR LF and LF mixed; the blank lines between skipped
        "\ufeff1,2,3\r4,5,6\r",  # byte-order mark and CR
        "% caf\xe9\n1 2 3\n4 5 6\n",  # a comment holds anything, even Latin-1 (as in Octave)
        "1,2,3\n\t\f \n4\v5\t6",  # blanks: space, tab, form feed, vertical tab
    ],
)
def test_layouts_give_the_same_matrix(tmp_path, text):
    raw = text.encode("latin-1") if "\xe9" in text else text
    data = read_numeric_text(write(tmp_path, "d.txt", raw))
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


@pytest.mark.parametrize(
    "text, where",
    [
        (
            "1 2\n\u0663 4\n",
            "line 2, column 1: '\u0663' (U+0663 ARABIC-INDIC DIGIT THREE) is "
            "not an ASCII digit; nn3 reads numbers written with 0-9",
        ),
        (
            "1,\uff12\n",
            "line 1, column 3: '\uff12' (U+FF12 FULLWIDTH DIGIT TWO) is not an ASCII digit",
        ),
        (
            "12\u00b2 4\n",
            "line 1, column 3: '\u00b2' (U+00B2 SUPERSCRIPT TWO) is not an ASCII digit",
        ),
        (
            "1\u00a02\n",
            "line 1, column 2: '\\xa0' (U+00A0 NO-BREAK SPACE) is not a separator; "
            "numbers are separated by spaces, tabs or commas",
        ),
        ("1 2\n3,\u20094\n", "line 2, column 3: '\\u2009' (U+2009 THIN SPACE) is not a separator"),
        ("1 2\n3 4\u00a0\n", "line 2, column 4: '\\xa0' (U+00A0 NO-BREAK SPACE)"),
        (
            "1 \u202e2\n",
            "line 1, column 3: '\\u202e' (U+202E RIGHT-TO-LEFT OVERRIDE) is not part of a number",
        ),
        ("1 2\n3 4\x1b[2J\n", "line 2, column 4: byte 0x1b (a control character) is not text"),
        ("\x00\x00\x00", "line 1, column 1: byte 0x00 (a control character) is not text"),
    ],
)
def test_numbers_and_separators_are_ascii(tmp_path, text, where):
    # Octave's load refuses each of these files (tests below); nn3 names the character.
    path = write(tmp_path, "u.txt", text)
    with pytest.raises(DataError) as info:
        read_numeric_text(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {where}"), message
    assert message.isprintable() and "\x1b" not in message


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


def test_line_longer_than_a_read(tmp_path):
    values = np.random.default_rng(4).random(300_000)  # about 2.7 MB on one line
    text = " ".join(f"{v:.17g}" for v in values)
    path = write(tmp_path, "wide.csv", f"% {'x' * (3 * READ_BYTES)}\n{text}\r\n{text},\n")
    data = read_numeric_text(path)
    assert data.shape == (2, 300_000)
    assert np.array_equal(data[0], values) and np.array_equal(data[1], values)  # bit for bit
    path = write(tmp_path, "ragged.csv", f"{text}\n{text} 1\n")
    with pytest.raises(DataError, match=r"line 2 has 300001 numbers but line 1 has 300000"):
        read_numeric_text(path)
    path = write(tmp_path, "late.csv", f"{text} 1 x 2\n")
    with pytest.raises(DataError, match=r"line 1, column \d+: 'x' is not a number$"):
        read_numeric_text(path)


def test_number_longer_than_the_limit(tmp_path):
    digits = "1" * (MAX_NUMBER_LENGTH + 1)
    for name, text in [("short.txt", f"1 {digits}\n"), ("long.txt", f"1 {digits * 40}\n")]:
        with pytest.raises(DataError) as info:
            read_numeric_text(write(tmp_path, name, text))
        assert str(info.value) == (
            f"{tmp_path / name}: line 1, column 3: a number of more than {MAX_NUMBER_LENGTH} "
            "characters; nn3 reads numbers up to that length"
        )
    # As long as Octave reads, up to the limit: 400 digits are Inf, as in Octave.
    assert read_numeric_text(write(tmp_path, "inf.txt", "1" * 400 + " 2\n"))[0, 0] == np.inf


def test_numbers_are_charged_to_the_budget(tmp_path):
    path = write(tmp_path, "b.txt", "1 2\n" * 100)
    spent = LoadBudget(max_bytes=1600)
    assert read_numeric_text(path, budget=spent).shape == (100, 2)
    assert spent.used_bytes == 1600
    with pytest.raises(MatFileError) as info:
        read_numeric_text(path, budget=LoadBudget(max_bytes=1599))
    assert str(info.value) == (
        f"{path}: 200 numbers by line 100 need 1.56 KiB, more than nn3's budget for one load "
        "(1.56 KiB; set NN3_MAX_LOAD_BYTES to raise it); refused before allocating"
    )


# ---------------------------------------------------------------------------------------------
# Reading in pieces gives what reading whole gives
# ---------------------------------------------------------------------------------------------

_CELLS = st.sampled_from(
    [
        "1",
        "-2.5",
        "+.5",
        "3.",
        "1e5",
        "2E-3",
        "Inf",
        "-nan",
        "0",
        "-0",
        "1e400",
        "123456789",
        "x",
        "1e",
        "--1",
        "\u0661",
        "\u00a0",
        "\x00",
        "\xff",
        "caf\u00e9",
    ]
)
_GAPS = st.sampled_from([" ", "\t", ",", " , ", "\f", ",,", "  "])
_ENDS = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def _text_files(draw):
    """Numeric text files, mostly well formed, bytes as a user's editor could leave them."""
    n_cols = draw(st.integers(1, 4))
    out = "\ufeff" if draw(st.booleans()) else ""
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["data"] * 6 + ["comment", "blank", "ragged"]))
        if kind == "comment":
            out += draw(st.sampled_from(["% ", "  # ", "%"])) + draw(st.text(max_size=12))
        elif kind == "data" or kind == "ragged":
            cells = draw(
                st.lists(
                    _CELLS,
                    min_size=n_cols + (kind == "ragged"),
                    max_size=n_cols + (kind == "ragged"),
                )
            )
            gaps = [draw(_GAPS) for _ in cells[1:]] + [""]
            out += " " * draw(st.integers(0, 2))
            out += "".join(c + g for c, g in zip(cells, gaps, strict=True))
            out += draw(st.sampled_from(["", ",", " ", "\t"]))
        out += draw(_ENDS)
    return out.encode("utf-8", errors="surrogateescape").replace(b"\xc3\xbf", b"\xff")


def _outcome(path):
    try:
        data = read_numeric_text(path)
    except (DataError, MatFileError) as exc:
        return type(exc).__name__, str(exc)
    return "ok", data.shape, data.tobytes()


@settings(
    max_examples=int(os.environ.get("NN3_FUZZ_EXAMPLES", "300")),
    deadline=None,
    derandomize="NN3_FUZZ_EXAMPLES" not in os.environ,
    database=None,
)
@given(text=_text_files(), read_bytes=st.integers(4, 24))
def test_pieces_read_as_whole_lines_do(tmp_path_factory, text, read_bytes):
    # The same answer (matrix, or message naming line and column) however the file is cut
    # into reads, and whether the fast path or the careful one reads it. Small limits make
    # "a number too long" and cut quotes reachable.
    from nn3.mat import text as module

    path = tmp_path_factory.mktemp("pieces") / "p.txt"
    path.write_bytes(text)
    outcomes = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(module, "MAX_NUMBER_LENGTH", 6)
        mp.setattr(module, "_QUOTE_MAX", 3)
        for size, fast in [(2**20, True), (read_bytes, True), (2**20, False), (read_bytes, False)]:
            mp.setattr(module, "READ_BYTES", size)
            if not fast:
                mp.setattr(module._TextReader, "_lines_fast", lambda self, block: False)
                mp.setattr(module._TextReader, "_piece_fast", lambda self, head, line: False)
            outcomes.append(_outcome(path))
    assert all(o == outcomes[0] for o in outcomes), (text, outcomes)


_FORMATS = st.sampled_from(["{!r}", "{:.6f}", "{:g}", "{:.17g}", "{:E}", "{:+.3e}"])
_VALID_GAPS = st.sampled_from([" ", "\t", ",", " , ", ", ", "\t,", "  ", "\f"])


@settings(
    max_examples=int(os.environ.get("NN3_FUZZ_EXAMPLES", "300")),
    deadline=None,
    derandomize="NN3_FUZZ_EXAMPLES" not in os.environ,
    database=None,
)
@given(
    data=st.data(),
    shape=st.tuples(st.integers(1, 6), st.integers(1, 5)),
    read_bytes=st.sampled_from([4, 9, 64, 2**20]),
)
def test_well_formed_files_read_as_written(tmp_path_factory, data, shape, read_bytes):
    # The matrix written is the matrix read, bit for bit, whatever the layout and the reads.
    from nn3.mat import text as module

    values = data.draw(
        st.lists(
            st.floats(allow_nan=False, width=64) | st.sampled_from([np.inf, -np.inf, 0.0, -0.0]),
            min_size=shape[0] * shape[1],
            max_size=shape[0] * shape[1],
        )
    )
    expected = np.array(values, dtype=np.float64).reshape(shape)
    text = "\ufeff" if data.draw(st.booleans()) else ""
    for row in expected:
        if data.draw(st.booleans()):
            text += data.draw(st.sampled_from(["", "% note", "# x,y", "  "]))
            text += data.draw(_ENDS)
        cells = [data.draw(_FORMATS).format(float(v)).replace("inf", "Inf") for v in row]
        gaps = [data.draw(_VALID_GAPS) for _ in cells[1:]] + [""]
        text += " " * data.draw(st.integers(0, 2))
        text += "".join(c + g for c, g in zip(cells, gaps, strict=True))
        text += data.draw(st.sampled_from(["", ",", " ", " ,"])) + data.draw(_ENDS)
    path = tmp_path_factory.mktemp("written") / "w.csv"
    path.write_bytes(text.encode("utf-8"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(module, "READ_BYTES", read_bytes)
        got = read_numeric_text(path)
    expected = np.array(
        [
            [float(c) for c in re.split(r"[ \t\f,]+", line.strip(" ,\t\f"))]
            for line in _data_lines(text)
        ]
    )
    assert got.shape == expected.shape and got.tobytes() == expected.tobytes(), text


def _data_lines(text):
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    return [line for line in lines if line.strip() and line.strip()[0] not in "%#"]


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
    "mac.csv": "0.1,0.2,1\r0.9,0.8,0\r0.2,0.1,1\r0.7,0.9,0\r",  # Excel's CSV (Macintosh)
    "ends.csv": "1,2,3\r4,5,6\n7,8,9\r\n10,11,12\r\r13,14,15\n\r16,17,18",
    "latin.txt": b"% caf\xe9\n1 2\n3 4\n",  # a comment in Latin-1
    "long.txt": "0." + "0" * 5000 + "1 " + "9" * 400 + "\n1 2\n",  # 0 and Inf
}

OCTAVE_REFUSES = {
    "hdr.csv": "x,y\n1,2\n",
    "ragged.txt": "1 2 3\n4 5\n",
    "empty.csv": "1,,3\n4,5,6\n",
    "crmid.txt": "1 2 3\n4 \r 5 6\n",  # a CR inside a row ends it
    "comma.txt": "1 2\n,\n3 4\n",
    "arabic.txt": "1 2\n\u0661 3\n",
    "arabic1.txt": "\u0661 2\n3 4\n",
    "fullwidth.txt": "1 2\n3 \uff12\n",
    "super.txt": "\u00b2 2\n3 4\n",
    "nbsp.txt": "1\u00a02\n3 4\n",
    "thinsp.txt": "1,2\n3,\u20095\n",
    "ctrl.txt": "1 2\n3\x014\n",
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
