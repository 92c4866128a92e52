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
  ``Inf``, ``-Inf`` and ``NaN`` in any letter case, written in ASCII: other digits (Arabic-Indic
  ``\u0661``, fullwidth ``\uff12``) and other spaces (no-break space) are refused, as Octave
  refuses them;
- blank lines, and comment lines starting with ``%`` or ``#`` (holding anything), are skipped;
- line ends LF (Unix), CR LF (Windows) and CR alone (Excel's "CSV (Macintosh)"), mixed in any way;
  a UTF-8 byte-order mark at the start is skipped.

Anything else (a header line, a word in a cell, two commas in a row, rows of different lengths)
raises :class:`~nn3.errors.DataError`, one line naming the file, the line and the column.

Memory stays bounded whatever the file holds. Only regular files are opened (a FIFO or a device
is refused before opening). The file is read :data:`READ_BYTES` at a time, a line longer than
that in pieces, so the text held at once is a few times :data:`READ_BYTES`; the numbers go into
float64 blocks, each charged to the load budget (``NN3_MAX_LOAD_BYTES``, see
:class:`~nn3.mat._base.LoadBudget`) before it is allocated, and are joined once at the end: the
peak is about twice the matrix read plus a constant. Files larger than :data:`MAX_TEXT_BYTES`,
with more than :data:`MAX_TEXT_ELEMENTS` numbers or with a "number" longer than
:data:`MAX_NUMBER_LENGTH` characters are refused.
"""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from ..errors import DataError, MatFileError, OptionError
from ._base import LoadBudget, active_budget, format_bytes, open_regular

#: File name endings read as numeric text (MATLAB's ``load`` reads any non-.mat file as text).
TEXT_EXTENSIONS = (".txt", ".csv", ".dat")

#: Largest text file read, in bytes (1 GiB).
MAX_TEXT_BYTES = 2**30

#: Most numbers one text file may hold (2**27 doubles = 1 GiB).
MAX_TEXT_ELEMENTS = 2**27

#: Bytes read from the file at a time (a longer line is read in pieces of about this size).
READ_BYTES = 2**18

#: The longest number read, in characters (``%.17g`` writes at most 24): a longer run of
#: characters without a separator is refused, so that no single cell is held whole.
MAX_NUMBER_LENGTH = 2**16

#: MATLAB's ``namelengthmax``: variable names are cut to this many characters.
NAME_LENGTH_MAX = 63

#: The longest cell quoted in an error message.
_QUOTE_MAX = 40

#: A number as ``load`` reads it: ASCII digits only.
_NUMBER_RE = re.compile(
    rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF]|[nN][aA][nN])"
)
#: The bytes a number is written with. On these bytes Python's ``float`` accepts exactly what
#: ``_NUMBER_RE`` matches (it also takes ``_`` and ``infinity``, which hold other bytes).
_NUMBER_BYTES = b"0123456789+-.eEiInNfFaA"
_NOT_NUMBER_BYTE_RE = re.compile(rb"[^0-9+\-.eEiInNfFaA]")
#: What separates numbers on a line: blanks, and one comma with optional blanks around it.
_BLANKS = b" \t\f\v"
_SEPARATORS = (b" ", b"\t", b"\f", b"\v", b",")
_TOKEN_RE = re.compile(rb"[^ \t\f\v,]+")
#: Every byte of the data lines of a well-formed file (comment lines hold anything).
_DATA_BYTES = _NUMBER_BYTES + _BLANKS + b",\n"
_COMMENT_STARTS = (b"%", b"#")
_BOM = b"\xef\xbb\xbf"

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
    .mat files with an unusual name readable. Only a regular file is opened: a FIFO or device
    named ``data.csv`` is never opened here.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    bool
        False also when the file is not a regular file or cannot be opened (the .mat reader
        then reports why).
    """
    path = os.fspath(path)
    if not path.lower().endswith(TEXT_EXTENSIONS):
        return False
    try:
        with open_regular(path, "a data file") as fh:
            head = fh.read(1032)
    except (MatFileError, OSError):
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


def load_text(path: str | os.PathLike, budget: LoadBudget | None = None) -> dict[str, np.ndarray]:
    """A numeric text file as :func:`nn3.load_mat` returns a .mat file: one variable.

    Port of MATLAB's ``S = load('ex2data1.txt', '-ascii')`` into a struct: the matrix under the
    name :func:`variable_name` gives.

    Parameters
    ----------
    path : str or os.PathLike
    budget : LoadBudget, optional
        The load's budget (default: the one of the load under way, or a fresh one).

    Returns
    -------
    variables : dict
        ``{name: data}``, data an ndarray of shape (m, n), float64.

    Raises
    ------
    MatFileError
        The file is missing, not a regular file, unreadable, too large, or over the budget.
    DataError
        The text is not a matrix of numbers (the message names line and column).
    """
    return {variable_name(path): read_numeric_text(path, budget=budget)}


def read_numeric_text(
    path: str | os.PathLike,
    max_bytes: int = MAX_TEXT_BYTES,
    max_elements: int = MAX_TEXT_ELEMENTS,
    budget: LoadBudget | None = None,
) -> np.ndarray:
    """Read a whitespace- or comma-separated numeric text file, as MATLAB's ``load`` does.

    Parameters
    ----------
    path : str or os.PathLike
    max_bytes : int, default :data:`MAX_TEXT_BYTES`
        Larger files are refused before reading.
    max_elements : int, default :data:`MAX_TEXT_ELEMENTS`
        Reading stops with an error as soon as the file has shown more numbers than this.
    budget : LoadBudget, optional
        Charged 8 bytes a number before each block of numbers is allocated (default: the budget
        of the load under way, or a fresh one: ``NN3_MAX_LOAD_BYTES``).

    Returns
    -------
    data : ndarray of shape (m, n), float64
        One row per data line, in file order. NaN and Inf are kept, as ``load`` keeps them.

    Raises
    ------
    MatFileError
        Missing, not a regular file (refused before opening), unreadable, larger than
        ``max_bytes``, or more numbers than the load budget holds.
    DataError
        No numbers at all; a cell that is not a number (a header line, a word, an empty field
        between two commas, a digit or space that is not ASCII); a row with a different number
        of columns than the first; more than ``max_elements`` numbers; a number longer than
        :data:`MAX_NUMBER_LENGTH`; text that is not UTF-8. One line, naming ``path``, the line
        and the column (1-based, in characters).
    """
    path = os.fspath(path)
    spent = budget if budget is not None else active_budget()
    with open_regular(path, "a data file") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:
            raise MatFileError(
                f"{path}: text file of {size} bytes, larger than nn3 reads ({max_bytes} bytes)"
            )
        try:
            return _TextReader(path, spent, max_elements).read(fh)
        except OSError as exc:
            raise MatFileError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _pieces(fh: BinaryIO) -> Iterator[bytes]:
    """The file's bytes, :data:`READ_BYTES` at a time, each line end (CR LF, CR, LF) as one LF.

    A UTF-8 byte-order mark at the start is dropped. A CR at the end of a piece is kept as a
    line end and an LF starting the next piece dropped, so a CR LF split between two pieces is
    one line end, as it is when whole.
    """
    first = True
    after_cr = False
    while True:
        piece = fh.read(READ_BYTES)
        if not piece:
            return
        if first and piece.startswith(_BOM):
            piece = piece[len(_BOM) :]
        first = False
        if after_cr and piece[:1] == b"\n":
            piece = piece[1:]
        after_cr = piece[-1:] == b"\r"
        if b"\r" in piece:
            piece = piece.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        yield piece


class _Line:
    """Where the reader is within one line (read whole, or in pieces when longer than a read)."""

    __slots__ = ("number", "column", "numbers", "comma", "blank", "comment")

    def __init__(self, number: int) -> None:
        self.number = number  # 1-based
        self.column = 0  # characters of the line before the piece being read
        self.numbers = 0  # numbers on the line so far
        self.comma = False  # a comma after the last number, and no number since
        self.blank = True  # only blanks so far: a comment may still begin
        self.comment = False


class _TextReader:
    """Reads one file's numbers into float64 blocks, line by line or in pieces of a line."""

    def __init__(self, path: str, budget: LoadBudget, max_elements: int) -> None:
        self.path, self.budget, self.max_elements = path, budget, max_elements
        self.line_no = 1  # the line the next unread byte belongs to
        self.n_cols = 0
        self.first_line = 0
        self.count = 0
        self.blocks: list[np.ndarray] = []
        self.long: _Line | None = None  # the line being read in pieces

    def read(self, fh: BinaryIO) -> np.ndarray:
        carry = b""
        for piece in _pieces(fh):
            carry = self._feed(carry + piece if carry else piece)
        if self.long is not None:
            self._piece(carry, final=True)
        elif carry:
            self._lines(carry)
        if self.n_cols == 0:
            raise DataError(f"{self.path}: no numbers in the file (empty, or only comments)")
        data = self.blocks[0] if len(self.blocks) == 1 else np.concatenate(self.blocks)
        self.blocks.clear()
        return data.reshape(self.count // self.n_cols, self.n_cols)

    def _feed(self, data: bytes) -> bytes:
        """Read the complete lines of ``data``; what is left of an unfinished line comes back."""
        start = 0
        if self.long is not None:
            end = data.find(b"\n")
            if end < 0:
                return self._piece(data, final=False)
            self._piece(data[:end], final=True)
            start = end + 1
        end = data.rfind(b"\n")
        if end >= start:
            self._lines(data[start:end])
            start = end + 1
        rest = data[start:]
        if len(rest) > READ_BYTES:  # a line longer than a read: read it in pieces
            self.long = _Line(self.line_no)
            return self._piece(rest, final=False)
        return rest

    # --- whole lines ---------------------------------------------------------------------------

    def _lines(self, block: bytes) -> None:
        """Complete lines (joined by LF, the last without its line end), from ``self.line_no``."""
        if not self._lines_fast(block):
            for offset, raw in enumerate(block.split(b"\n")):
                line = _Line(self.line_no + offset)
                values = self._parse(raw, line)
                self._end_line(line)
                self._add(values, line.number)
        self.line_no += block.count(b"\n") + 1

    def _lines_fast(self, block: bytes) -> bool:
        """Read well-formed lines at C speed; False (nothing read) at anything unusual.

        The careful, line-by-line reading (:meth:`_parse`) then finds and names the problem;
        so this only has to be right about what it accepts.
        """
        if b"%" in block or b"#" in block:
            block = b"\n".join(
                b"" if line.lstrip()[:1] in _COMMENT_STARTS else line for line in block.split(b"\n")
            )
        if block.translate(None, _DATA_BYTES):
            return False  # a byte that no number or separator holds
        squeezed = block.translate(None, _BLANKS)
        if squeezed[:1] == b"," or b"\n," in squeezed or b",," in squeezed:
            return False  # an empty field
        rows = [line.split() for line in block.replace(b",", b" ").split(b"\n")]
        counts = [len(row) for row in rows]
        total = sum(counts)
        if not total:
            return True
        n_cols = self.n_cols or next(c for c in counts if c)
        if any(c != n_cols for c in counts if c):
            return False  # ragged rows
        tokens = list(itertools.chain.from_iterable(rows))
        if max(map(len, tokens)) > MAX_NUMBER_LENGTH:
            return False
        self._check(total, counts)
        try:
            values = np.fromiter(map(float, tokens), np.float64, total)
        except ValueError:
            return False  # a cell of number bytes that is not a number ("1e", "--1")
        if not self.n_cols:
            self.n_cols = n_cols
            self.first_line = self.line_no + next(i for i, c in enumerate(counts) if c)
        self._commit(values)
        return True

    def _end_line(self, line: _Line) -> None:
        if not line.numbers:
            return  # blank or comment
        if not self.n_cols:
            self.n_cols, self.first_line = line.numbers, line.number
        elif line.numbers != self.n_cols:
            raise DataError(
                f"{self.path}: line {line.number} has {line.numbers} numbers but line "
                f"{self.first_line} has {self.n_cols}; every row needs the same number of columns"
            )

    # --- a line longer than a read -------------------------------------------------------------

    def _piece(self, data: bytes, final: bool) -> bytes:
        """Read a piece of the long line up to its last separator; the rest comes back."""
        line = self.long
        assert line is not None
        if line.blank:  # a comment line is skipped whole, however long
            stripped = data.lstrip()
            if stripped[:1] in _COMMENT_STARTS:
                line.blank, line.comment = False, True
        if line.comment:
            if final:
                self.long = None
                self.line_no += 1
            return b""
        if final:
            head, tail = data, b""
        else:
            cut = max(data.rfind(sep) for sep in _SEPARATORS) + 1
            head, tail = data[:cut], data[cut:]
        if head and not self._piece_fast(head, line):
            self._add(self._parse(head, line), line.number)
        if len(tail) > MAX_NUMBER_LENGTH + 4:
            raise self._bad_cell(tail, 0, line, too_long=True)
        if final:
            self._end_line(line)
            self.long = None
            self.line_no += 1
        return tail

    def _piece_fast(self, head: bytes, line: _Line) -> bool:
        """Read a well-formed piece of a long line at C speed; False (nothing read) if unusual."""
        if line.blank and not head.lstrip():
            line.column += len(head)
            return True
        if head.translate(None, _DATA_BYTES):
            return False
        squeezed = head.translate(None, _BLANKS)
        if b",," in squeezed or (squeezed[:1] == b"," and (line.comma or not line.numbers)):
            return False
        tokens = head.replace(b",", b" ").split()
        if tokens and max(map(len, tokens)) > MAX_NUMBER_LENGTH:
            return False
        self._check(len(tokens), [len(tokens)], line.number)
        try:
            values = np.fromiter(map(float, tokens), np.float64, len(tokens))
        except ValueError:
            return False
        self._commit(values)
        line.blank = False
        line.numbers += len(tokens)
        line.column += len(head)
        if squeezed:
            line.comma = squeezed.endswith(b",")
        return True

    # --- careful reading: every problem named by line and column -------------------------------

    def _parse(self, raw: bytes, line: _Line) -> list[float]:
        """The numbers in ``raw`` (a line, or a piece of one); DataError at the first problem."""
        if line.blank:
            stripped = raw.lstrip()
            if not stripped:
                line.column += len(raw)
                return []
            line.blank = False
            if stripped[:1] in _COMMENT_STARTS:
                line.comment = True
        if line.comment:
            return []
        values: list[float] = []
        pos = 0
        for match in _TOKEN_RE.finditer(raw):
            self._gap(raw, pos, match.start(), line)
            token = match.group()
            if len(token) > MAX_NUMBER_LENGTH or not _NUMBER_RE.fullmatch(token):
                raise self._bad_cell(raw, match.start(), line, too_long=False)
            values.append(float(token))
            line.numbers += 1
            line.comma = False
            pos = match.end()
        self._gap(raw, pos, len(raw), line)
        line.column += len(raw)
        return values

    def _gap(self, raw: bytes, start: int, end: int, line: _Line) -> None:
        """Between two numbers: blanks and at most one comma; before the first: blanks only."""
        gap = raw[start:end]
        at = gap.find(b",")
        while at >= 0:
            column = line.column + start + at + 1
            if not line.numbers:
                raise DataError(
                    f"{self.path}: line {line.number}, column {column}: empty field before the "
                    "comma"
                )
            if line.comma:
                raise DataError(
                    f"{self.path}: line {line.number}, column {column}: empty field between commas"
                )
            line.comma = True
            at = gap.find(b",", at + 1)

    def _bad_cell(self, raw: bytes, start: int, line: _Line, too_long: bool) -> DataError:
        """The error for the cell at ``raw[start:]``: what is wrong with it, where."""
        token = _TOKEN_RE.match(raw, start)
        cell = token.group() if token else raw[start:]
        where = f"{self.path}: line {line.number}, column {line.column + start + 1}"
        bad = _NOT_NUMBER_BYTE_RE.search(cell, 0, MAX_NUMBER_LENGTH)
        if bad is not None and (cell[bad.start()] < 0x20 or cell[bad.start()] >= 0x7F):
            # Everything before it is ASCII: its column is its byte offset.
            column = line.column + start + bad.start() + 1
            return DataError(
                f"{self.path}: line {line.number}, column {column}: "
                f"{_describe_byte(cell, bad.start())}"
            )
        if bad is None and (too_long or len(cell) > MAX_NUMBER_LENGTH):
            return DataError(
                f"{where}: a number of more than {MAX_NUMBER_LENGTH} characters; nn3 reads "
                "numbers up to that length"
            )
        first_row = not self.n_cols and not line.numbers
        hint = " (a header line? nn3 reads numbers only, as MATLAB's load does)" * first_row
        return DataError(f"{where}: {_quote(cell)} is not a number{hint}")

    # --- limits --------------------------------------------------------------------------------

    def _check(self, total: int, counts: list[int], line_no: int | None = None) -> None:
        """Refuse ``total`` more numbers (``counts`` a line) over the limits, before allocating."""
        count_over = self.count + total > self.max_elements
        bytes_over = not self.budget.fits(8 * total)
        if not (count_over or bytes_over):
            return
        # The line at which the limit is passed.
        limit = self.max_elements - self.count
        if not count_over:
            limit = (self.budget.max_bytes - self.budget.used_bytes) // 8
        seen = offset = 0
        while seen + counts[offset] <= limit:
            seen += counts[offset]
            offset += 1
        seen += counts[offset]
        at = line_no if line_no is not None else self.line_no + offset
        if count_over:
            raise DataError(
                f"{self.path}: more than {self.max_elements} numbers (at line {at}); nn3 reads "
                "text files up to that size"
            )
        numbers = self.count + seen
        raise MatFileError(
            f"{self.path}: {numbers} numbers by line {at} need {format_bytes(8 * numbers)}, more "
            f"than nn3's budget for one load ({format_bytes(self.budget.max_bytes)}; set "
            "NN3_MAX_LOAD_BYTES to raise it); refused before allocating"
        )

    def _commit(self, values: np.ndarray) -> None:
        if values.size:
            self.budget.charge_bytes(values.nbytes, self.path)
            self.blocks.append(values)
            self.count += values.size

    def _add(self, values: list[float], line_no: int) -> None:
        if values:
            self._check(len(values), [len(values)], line_no)
            self._commit(np.array(values, dtype=np.float64))


def _describe_byte(data: bytes, at: int) -> str:
    """Why the byte at ``data[at]`` (a control byte, or not ASCII) cannot be in a number file."""
    byte = data[at]
    if byte < 0x80:
        return f"byte 0x{byte:02x} (a control character) is not text; a binary file?"
    char = None
    for n in range(2, 5):
        try:
            char = data[at : at + n].decode("utf-8")
            break
        except UnicodeDecodeError:
            continue
    if char is None:
        return "not UTF-8 text; a numeric text file holds numbers only"
    name = unicodedata.name(char, "")
    shown = f"{char!r} (U+{ord(char):04X}{' ' + name if name else ''})"
    if unicodedata.category(char) == "Nd" or unicodedata.numeric(char, None) is not None:
        return (
            f"{shown} is not an ASCII digit; nn3 reads numbers written with 0-9, as MATLAB's "
            "load does"
        )
    if char.isspace():
        return f"{shown} is not a separator; numbers are separated by spaces, tabs or commas"
    return f"{shown} is not part of a number; a numeric text file holds ASCII numbers only"


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
    reader = _TextReader(path, LoadBudget(0, 0), MAX_TEXT_ELEMENTS)  # _parse allocates nothing
    if not first_row:
        reader.n_cols = -1  # a data line came before: no header hint
    line = _Line(line_no)
    values = reader._parse(text.encode("utf-8", errors="surrogateescape"), line)
    return None if line.blank or line.comment else values


def _quote(token: bytes) -> str:
    text = token[:_QUOTE_MAX].decode("utf-8", errors="replace")
    return repr(text + "..." if len(token) > _QUOTE_MAX else text)


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
