"""Numeric text files as MATLAB's ``load`` reads them (``ex2data1.txt``, ``data.csv``, ``x.dat``).

The coursework ships its data as plain numbers, one example a line, columns separated by commas
or whitespace, and reads them with ``data = load('ex2data1.txt'); X = data(:, 1:2); y =
data(:, 3);``. This module reads such a file into one ``m x n`` float64 matrix and names it as
``load`` does (``ex2data1``), then splits it into ``X`` and ``y`` as the coursework does.

What is accepted (each point checked against GNU Octave 7.3's ``load``, see
``tests/test_textfile.py``):

- numbers separated by spaces, tabs or one comma (with optional blanks around it); a trailing
  comma at the end of a line is ignored;
- decimal numbers with optional sign, fraction and exponent (``-1``, ``.5``, ``2.5E-1``),
  ``Inf``, ``-Inf`` and ``NaN`` in any letter case;
- blank lines, and comment lines starting with ``%`` or ``#``, are skipped; LF or CRLF line ends;
  a UTF-8 byte-order mark at the start is skipped.

Anything else (a header line, a word in a cell, two commas in a row, rows of different lengths)
raises :class:`~nn3.errors.DataError` naming the file, the line and the column. The file is
read line by line into a growing float64 buffer; a file larger than :data:`MAX_TEXT_BYTES` or
holding more than :data:`MAX_TEXT_ELEMENTS` numbers is refused before (or as soon as) the
excess is seen, so memory stays bounded whatever the file holds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import numpy as np

from ..errors import DataError, MatFileError, OptionError

#: File name endings read as numeric text (MATLAB's ``load`` reads any non-.mat file as text).
TEXT_EXTENSIONS = (".txt", ".csv", ".dat")

#: Largest text file read, in bytes (1 GiB).
MAX_TEXT_BYTES = 2**30

#: Most numbers one text file may hold (2**27 doubles = 1 GiB).
MAX_TEXT_ELEMENTS = 2**27

#: MATLAB's ``namelengthmax``: variable names are cut to this many characters.
NAME_LENGTH_MAX = 63

#: The longest line quoted in an error message.
_QUOTE_MAX = 40

_NUMBER_RE = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF]|[nN][aA][nN])")
_TOKEN_RE = re.compile(r"[^\s,]+")
_GAP_RE = re.compile(r"[ \t\f\v]*(?:,[ \t\f\v]*)?")

#: MATLAB's reserved words (``iskeyword``); a file named ``for.txt`` loads as ``Xfor``.
_KEYWORDS = frozenset(
    "break case catch classdef continue else elseif end for function global if otherwise "
    "parfor persistent return spmd switch try while".split()
)


def is_text_data_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` should be read as numeric text rather than as a .mat file.

    True when the name ends in one of :data:`TEXT_EXTENSIONS` (any letter case) and the first
    bytes are not a MAT-file or HDF5 header (a ``.dat`` file saved by ``save -mat`` stays a
    .mat file). As MATLAB's ``load``, the extension decides; the header check only keeps real
    .mat files with an unusual name readable.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    bool
        False also when the file cannot be opened (the .mat reader then reports why).
    """
    path = os.fspath(path)
    if not path.lower().endswith(TEXT_EXTENSIONS):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(1032)
    except OSError:
        return False
    if head[:6] == b"MATLAB":
        return False
    return not any(head[at : at + 8] == b"\x89HDF\r\n\x1a\n" for at in (0, 512, 1024))


def variable_name(path: str | os.PathLike) -> str:
    """The variable name MATLAB's ``load`` gives a text file's matrix.

    The file's base name without its last extension, made a valid MATLAB name as
    ``matlab.lang.makeValidName`` does it (GNU Octave's ``load`` does the same, checked in
    octave-cli): each character that is not an ASCII letter, digit or underscore becomes ``_``;
    a name that does not start with a letter, or is a reserved word, gets the prefix ``X``; the
    result is cut to ``namelengthmax`` (63) characters, as MATLAB does (Octave 7 does not cut).

    Examples: ``ex2data1.txt`` -> ``ex2data1``, ``2-my-data.csv`` -> ``X2_my_data``,
    ``a-b.c.dat`` -> ``a_b_c``, ``_u.txt`` -> ``X_u``, ``for.txt`` -> ``Xfor``.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str
        A name :func:`nn3.save_mat` accepts.
    """
    base = os.path.basename(os.fspath(path))
    stem, dot, _ = base.rpartition(".")
    if not dot:
        stem = base
    name = re.sub(r"[^A-Za-z0-9_]", "_", stem)
    if not name or not name[0].isascii() or not name[0].isalpha() or name in _KEYWORDS:
        name = "X" + name
    return name[:NAME_LENGTH_MAX]


def load_text(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """A numeric text file as :func:`nn3.load_mat` returns a .mat file: one variable.

    Port of MATLAB's ``S = load('ex2data1.txt', '-ascii')`` into a struct: the matrix under the
    name :func:`variable_name` gives.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    variables : dict
        ``{name: data}``, data an ndarray of shape (m, n), float64.

    Raises
    ------
    MatFileError
        The file is missing, unreadable or too large.
    DataError
        The text is not a matrix of numbers (the message names line and column).
    """
    return {variable_name(path): read_numeric_text(path)}


def read_numeric_text(
    path: str | os.PathLike,
    max_bytes: int = MAX_TEXT_BYTES,
    max_elements: int = MAX_TEXT_ELEMENTS,
) -> np.ndarray:
    """Read a whitespace- or comma-separated numeric text file, as MATLAB's ``load`` does.

    Parameters
    ----------
    path : str or os.PathLike
    max_bytes : int, default :data:`MAX_TEXT_BYTES`
        Larger files are refused before reading.
    max_elements : int, default :data:`MAX_TEXT_ELEMENTS`
        Reading stops with an error as soon as the file has shown more numbers than this.

    Returns
    -------
    data : ndarray of shape (m, n), float64
        One row per data line, in file order. NaN and Inf are kept, as ``load`` keeps them.

    Raises
    ------
    MatFileError
        Missing, not a regular file, unreadable, or larger than ``max_bytes``.
    DataError
        No numbers at all; a cell that is not a number (a header line, a word, an empty field
        between two commas); a row with a different number of columns than the first; more
        than ``max_elements`` numbers; text that is not UTF-8. One line, naming ``path``, the
        line and the column (1-based).
    """
    path = os.fspath(path)
    size = _file_size(path)
    if size > max_bytes:
        raise MatFileError(
            f"{path}: text file of {size} bytes, larger than nn3 reads ({max_bytes} bytes)"
        )
    buffer = np.empty(1024, dtype=np.float64)
    count = 0
    n_cols = 0
    first_line = 0
    try:
        with open(path, "rb") as fh:
            for line_no, text in _lines(fh, path):
                values = parse_line(text, path, line_no, first_row=n_cols == 0)
                if values is None:
                    continue
                if n_cols == 0:
                    n_cols, first_line = len(values), line_no
                elif len(values) != n_cols:
                    raise DataError(
                        f"{path}: line {line_no} has {len(values)} numbers but line "
                        f"{first_line} has {n_cols}; every row needs the same number of columns"
                    )
                if count + n_cols > max_elements:
                    raise DataError(
                        f"{path}: more than {max_elements} numbers (at line {line_no}); "
                        "nn3 reads text files up to that size"
                    )
                if count + n_cols > buffer.size:
                    buffer = np.resize(buffer, max(2 * buffer.size, count + n_cols))
                buffer[count : count + n_cols] = values
                count += n_cols
    except OSError as exc:
        raise MatFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if n_cols == 0:
        raise DataError(f"{path}: no numbers in the file (empty, or only comments)")
    return buffer[:count].reshape(count // n_cols, n_cols).copy()


def _file_size(path: str) -> int:
    """The size of a regular, readable file; :class:`MatFileError` otherwise."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise MatFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise MatFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if os.path.isdir(path):
        raise MatFileError(f"{path}: is a directory, not a data file")
    if not os.path.isfile(path):
        raise MatFileError(f"{path}: not a regular file")
    return int(st.st_size)


def _lines(fh, path: str) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of each line, decoded as UTF-8, without its line end."""
    for line_no, raw in enumerate(fh, start=1):
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            column = len(raw[: exc.start].decode("utf-8", errors="replace")) + 1
            raise DataError(
                f"{path}: line {line_no}, column {column}: not UTF-8 text; a numeric text "
                "file holds numbers only"
            ) from None
        yield line_no, text.rstrip("\r\n")


def parse_line(
    text: str, path: str = "<text>", line_no: int = 1, first_row: bool = False
) -> list[float] | None:
    """The numbers on one line, or None for a blank or comment line.

    Parameters
    ----------
    text : str
        One line, without its line end.
    path : str
        The file, for error messages.
    line_no : int
        1-based line number, for error messages.
    first_row : bool
        Whether no data line came before (a word there suggests a header line; the message
        says so).

    Returns
    -------
    list of float, or None

    Raises
    ------
    DataError
        ``{path}: line {line_no}, column {c}: ...``: a cell that is not a number, an empty field
        (two commas in a row, or a comma before the first number), naming the 1-based character
        column where the problem starts.
    """
    stripped = text.strip()
    if not stripped or stripped[0] in "%#":
        return None
    values: list[float] = []
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        _check_gap(text, pos, match.start(), path, line_no, first=not values)
        token = match.group()
        if not _NUMBER_RE.fullmatch(token):
            hint = " (a header line? nn3 reads numbers only, as MATLAB's load does)"
            raise DataError(
                f"{path}: line {line_no}, column {match.start() + 1}: "
                f"{_quote(token)} is not a number{hint if first_row and not values else ''}"
            )
        values.append(float(token))
        pos = match.end()
    tail = text[pos:]
    if not _GAP_RE.fullmatch(tail):  # only blanks and commas are left: two commas or more
        column = pos + tail.index(",", tail.index(",") + 1) + 1
        raise DataError(f"{path}: line {line_no}, column {column}: empty field between commas")
    return values


def _check_gap(text: str, start: int, end: int, path: str, line_no: int, first: bool) -> None:
    """Between two numbers: blanks and at most one comma; before the first: blanks only."""
    gap = text[start:end]
    if "," not in gap:
        return
    if first:
        column = start + gap.index(",") + 1
        raise DataError(f"{path}: line {line_no}, column {column}: empty field before the comma")
    if not _GAP_RE.fullmatch(gap):
        column = start + gap.index(",", gap.index(",") + 1) + 1
        raise DataError(f"{path}: line {line_no}, column {column}: empty field between commas")


def _quote(token: str) -> str:
    return repr(token if len(token) <= _QUOTE_MAX else token[:_QUOTE_MAX] + "...")


def split_xy(
    data: np.ndarray, y_col: int | None = None, path: str = "<data>"
) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels from one matrix, as the coursework splits a loaded text file.

    The default is the coursework's ``X = data(:, 1:end-1); y = data(:, end);``. With
    ``y_col = c`` (1-based, MATLAB style, as ``--y-col c``): ``y = data(:, c)`` and ``X`` the
    other columns in their order, ``data(:, [1:c-1, c+1:end])``.

    Parameters
    ----------
    data : ndarray of shape (m, n)
        n >= 2.
    y_col : int, optional
        1-based column of the labels, 1 <= y_col <= n; the last column when omitted.
    path : str
        The file, for error messages.

    Returns
    -------
    X : ndarray of shape (m, n - 1), float64
    y : ndarray of shape (m, 1), float64
        A column, as MATLAB's ``data(:, c)``.

    Raises
    ------
    OptionError
        ``y_col`` is not a whole number in 1..n (the message names ``--y-col``).
    DataError
        ``data`` is not 2-D or has fewer than two columns.
    """
    data = np.asarray(data, dtype=np.float64)
    if data.ndim != 2:
        raise DataError(f"{path}: expected a matrix of numbers, got {data.ndim} dimensions")
    n = data.shape[1]
    if n < 2:
        raise DataError(
            f"{path}: {n} column(s); nn3 needs at least two (the features, then the labels)"
        )
    if y_col is None:
        c = n
    else:
        if isinstance(y_col, bool) or not float(y_col).is_integer() or not 1 <= y_col <= n:
            raise OptionError(
                f"--y-col must be a column number from 1 to {n} (1-based, as in MATLAB), "
                f"got {y_col}"
            )
        c = int(y_col)
    y = data[:, c - 1 : c].copy()
    X = np.delete(data, c - 1, axis=1)
    return X, y
