"""Finding out what a .mat file is, and handing it to the reader of its format.

As scipy's ``_mio`` does for ``scipy.io.matlab``: :func:`mat_format` sniffs the format from the
file's first bytes, :func:`load_mat` dispatches to :mod:`~nn3.mat.v4`, :mod:`~nn3.mat.v5`,
:mod:`~nn3.mat.v73` or :mod:`~nn3.mat.octave_hdf5`, normalises what it returns
(:func:`nn3.mat._normalise.normalise`) and turns every problem a bad file causes into one
:class:`~nn3.errors.MatFileError` naming the file; a bug in a reader keeps its traceback.
:func:`get_variable` addresses variables and struct fields by name.
"""

import contextlib
import mmap
import os
import struct
import warnings
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from ..errors import MatFileError
from ._base import (
    FileContentError,
    LoadBudget,
    check_regular,
    describe,
    end_budget,
    open_regular,
    shown,
    start_budget,
)
from ._hdf5 import H5PY_ERRORS, raised_in_h5py
from ._normalise import normalise
from .octave_hdf5 import is_octave_file, iter_octave
from .text import TEXT_EXTENSIONS, is_text_data_file, load_text
from .v4 import looks_like_v4, read_v4
from .v5 import iter_v5
from .v73 import iter_v73

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


_V5_VERSIONS = (b"\x00\x01", b"\x01\x00")


def _check_readable(path):
    path = os.fspath(path)
    kind = "a data file" if path.lower().endswith(TEXT_EXTENSIONS) else "a .mat file"
    check_regular(path, kind)
    return path


def _read_head(path, n):
    try:
        with open_regular(path) as fh:
            return fh.read(n)
    except PermissionError:
        raise MatFileError(f"{path}: permission denied") from None
    except OSError as exc:
        raise MatFileError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _is_hdf5(head):
    """Whether the HDF5 signature is at byte 0, 512, 1024, ... (where HDF5 allows it)."""
    return any(head[at : at + 8] == HDF5_SIGNATURE for at in (0, 512, 1024, 2048, 4096))


def mat_format(path: str | os.PathLike) -> str:
    """The file's format: ``"4"``, ``"5"`` (v5/v6/v7), ``"7.3"`` (HDF5), or ``"text"``.

    ``"text"``: a numeric text file (``.txt``/``.csv``/``.dat`` without a MAT-file or HDF5
    header) that :func:`load_mat` reads as MATLAB's ``load`` does (:mod:`nn3.mat.text`).

    Raises
    ------
    MatFileError
        Missing, unreadable, or not a .mat file of any version.
    """
    path = _check_readable(path)
    if is_text_data_file(path):
        return "text"
    head = _read_head(path, 4104)
    if not head:
        raise MatFileError(f"{path}: empty file (0 bytes), not a .mat file")
    if _is_hdf5(head):
        return "7.3"
    if head[:6] == b"MATLAB":
        if len(head) < 128:
            raise MatFileError(
                f"{path}: truncated .mat file: {len(head)} bytes, shorter than the 128-byte header"
            )
        if head[126:128] in (b"IM", b"MI") and head[124:126] in (b"\x00\x02", b"\x02\x00"):
            raise MatFileError(f"{path}: v7.3 .mat file without its HDF5 part (corrupt or cut)")
        if head[126:128] in (b"IM", b"MI"):
            return "5"
        if head[:19] == b"MATLAB 7.3 MAT-file":
            raise MatFileError(f"{path}: v7.3 .mat file without its HDF5 part (corrupt or cut)")
        raise MatFileError(f"{path}: corrupt .mat file header (no 'IM'/'MI' at byte 126)")
    if len(head) >= 128 and head[126:128] in (b"IM", b"MI") and head[124:126] in _V5_VERSIONS:
        return "5"
    if looks_like_v4(head):
        return "4"
    raise MatFileError(f"{path}: not a MATLAB .mat file ({_looks_like(head)})")


def _looks_like(head):
    if head[:4] == b"PK\x03\x04":
        return "it is a zip archive"
    if head[:5] == b"%PDF-":
        return "it is a PDF"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "it looks like a Python pickle, which nn3 never loads"
    if head[:6] == b"\x93NUMPY":
        return "it is a numpy .npy file"
    sample = head[:512]
    if sample and all(32 <= b < 127 or b in (9, 10, 13) for b in sample):
        first = sample.split(b"\n", 1)[0][:40].decode("ascii")
        return f"it is a text file starting {first!r}"
    return "no v4, v5 or v7.3 header"


class Variables(dict):
    """What :func:`load_mat` returns: a dict of the variables read, and every name in the file.

    Attributes
    ----------
    names : list of str
        The names of all variables in the file, in file order, read or not (for messages
        listing what is there).
    """

    names: list[str]


def load_mat(path: str | os.PathLike, variables: "Iterable[str] | None" = None) -> Variables:
    """The variables of a .mat file as a dict, in MATLAB's shapes: all, or only those named.

    Reads MATLAB v4, v5/v6/v7 (compressed or not) and v7.3 (HDF5) files, and GNU Octave's
    ``save -hdf5`` files. See the module docstring for how MATLAB types come back.

    Parameters
    ----------
    path : str or os.PathLike
    variables : iterable of str, optional
        Read only these variables (top-level names: ``"data"`` for ``"data.X"``); the others
        are skipped without being read (a compressed v5 variable is decompressed only as far as
        its name). Names not in the file are simply absent from the result.

    Returns
    -------
    variables : Variables
        A dict: name to ndarray (numeric in MATLAB's size and class, logical as bool), str
        (char; an N-D char array is an ndarray of single characters, dtype ``'<U1'``, in
        MATLAB's size), dict (struct), object ndarray (cell or struct array),
        ``scipy.sparse.csc_matrix`` or :class:`MatlabObject`. Its ``names`` attribute lists
        every variable in the file.

    Raises
    ------
    MatFileError
        Missing, unreadable, not a .mat file, corrupt or truncated, claiming an array larger
        than :data:`MAX_ELEMENTS`, holding links to other files, or going over the load budget
        (:class:`~nn3.mat._base.LoadBudget`: ``NN3_MAX_LOAD_BYTES``, default 1 GiB, and
        ``NN3_MAX_LOAD_ITEMS``, default 10**6 cells, struct elements and references).
    """
    names: list[str] = []
    out = Variables(iter_mat(path, variables, names=names, budget=LoadBudget()))
    out.names = names
    return out


def iter_mat(
    path: str | os.PathLike,
    variables: "Iterable[str] | None" = None,
    summary: bool = False,
    names: "list[str] | None" = None,
    budget: "LoadBudget | None" = None,
) -> Iterator[tuple[str, Any]]:
    """The variables of a .mat file one at a time, as ``(name, value)``: only one held at once.

    Parameters
    ----------
    path : str or os.PathLike
    variables : iterable of str, optional
        Read only these (see :func:`load_mat`).
    summary : bool
        For a summary (``nn3 info``): cells, char arrays and objects come back as
        :class:`~nn3.mat._base.Summary` (MATLAB class and size from the header, contents not
        read), and so do numeric arrays over the load budget (with ``reason`` set).
    names : list, optional
        Receives the name of every variable in the file, read or not.
    budget : LoadBudget, optional
        One budget for all variables (as :func:`load_mat` does); by default each variable gets
        a budget of its own, since the caller holds one at a time.

    Raises
    ------
    MatFileError
        As :func:`load_mat`.
    """
    path = os.fspath(path)
    fmt = mat_format(path)  # checks that the file is there and readable
    wanted = None if variables is None else set(variables)
    seen = names if names is not None else []
    if fmt == "text":  # ex2data1.txt: one variable named after the file, as MATLAB's load names it
        for name, value in load_text(path, budget=budget).items():
            seen.append(name)
            if wanted is None or name in wanted:
                yield name, value
        return
    raw = _raw_variables(path, fmt, wanted, summary, seen)
    try:
        while True:
            token = start_budget(budget)
            try:
                with _file_errors(path, fmt):
                    try:
                        name, value = next(raw)
                    except StopIteration:
                        return
                    value = normalise(value)
            finally:
                end_budget(token)
            yield name, value
            del value  # hold nothing of this variable while the next one is read
    finally:
        raw.close()


@contextlib.contextmanager
def _file_errors(path, fmt):
    """Every problem a bad file causes as one MatFileError naming it; a bug keeps its traceback.

    A corrupt file can also make numpy or h5py warn (overflow in a cast, ...): the error, if
    any, is what the caller gets, never a stray warning on stderr.
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            yield
    except MatFileError:
        raise
    except FileContentError as exc:
        raise MatFileError(f"{path}: {exc}") from exc
    except MemoryError as exc:
        raise MatFileError(f"{path}: a variable is too large to load into memory") from exc
    except RecursionError as exc:
        raise MatFileError(f"{path}: corrupt .mat file (nested too deeply)") from exc
    except Exception as exc:
        if not _caused_by_data(exc):
            raise  # a bug in nn3's reader, not a bad file: keep the traceback
        kind = "v7.3 (HDF5)" if fmt == "7.3" else f"v{fmt}"
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise MatFileError(
            f"{path}: corrupt or unreadable {kind} .mat file ({shown(detail, 200)})"
        ) from exc


def _raw_variables(path, fmt, wanted, summary, seen):
    """The raw variables of a file of format ``fmt``, one at a time (see :func:`iter_mat`)."""
    if fmt == "7.3":
        import h5py

        with h5py.File(path, "r") as f:
            reader = iter_octave if is_octave_file(f) else iter_v73
            yield from reader(f, wanted, summary, seen)
        return
    with open_regular(path) as fh:
        if fmt == "4":  # v4 is never compressed: what it holds is bounded by the file's size
            for name, value in read_v4(fh.read()).items():
                seen.append(name)
                if wanted is None or name in wanted:
                    yield name, value
            return
        size = os.fstat(fh.fileno()).st_size
        # A memory map: the pages of variables that are skipped are never read.
        data: Any = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        try:
            yield from iter_v5(data, wanted, summary, seen)
        finally:
            if isinstance(data, mmap.mmap):
                with contextlib.suppress(BufferError):  # a view still held: closed when freed
                    data.close()


def read_hdf5(path: str) -> dict[str, Any]:
    """The variables of an HDF5-based file, raw: MATLAB's v7.3 layout or GNU Octave's ``-hdf5``.

    A file all of whose members are variables in Octave's layout is read as Octave's
    (:mod:`~nn3.mat.octave_hdf5`), any other as MATLAB's (:mod:`~nn3.mat.v73`).

    Parameters
    ----------
    path : str

    Returns
    -------
    dict
        Name to raw value (:func:`load_mat` normalises them).

    Raises
    ------
    MatFileError
        As :func:`load_mat`: one line naming the file (a damaged file included).
    """
    path = _check_readable(path)
    token = start_budget()
    try:
        with _file_errors(path, "7.3"):
            return dict(_raw_variables(path, "7.3", None, False, []))
    finally:
        end_budget(token)


#: Exceptions that bad bytes make the parsing libraries raise anywhere in a reader: numpy
#: (``ValueError`` for a buffer of the wrong size, ``OverflowError`` in a cast), ``struct.error``,
#: ``zlib.error``, ``UnicodeDecodeError`` (a ``ValueError``), ``OSError`` (h5py: a file it
#: cannot open or read).
_DATA_ERRORS = (struct.error, zlib.error, ValueError, OverflowError, OSError, EOFError)


def _caused_by_data(exc):
    """Whether an exception from a reader means a bad file (else: a bug, re-raised as is)."""
    if isinstance(exc, _DATA_ERRORS):
        return True
    return isinstance(exc, H5PY_ERRORS) and raised_in_h5py(exc)


def get_variable(variables: dict[str, Any], name: str, path: str = "<data>") -> Any:
    """A variable by name, with struct fields addressed as ``"data.X"``.

    Parameters
    ----------
    variables : dict
        As :func:`load_mat` returns it.
    name : str
        ``"X"``, or a path through structs such as ``"data.train.X"``. A 1 x 1 struct array is
        the struct itself.
    path : str
        The file, for error messages.

    Raises
    ------
    MatFileError
        The variable (or field) is not there; the message lists what is.
    """
    current = variables
    walked: list[str] = []
    for part in name.split("."):
        if isinstance(current, np.ndarray) and current.dtype == object and current.size == 1:
            current = current.flat[0]
        if not isinstance(current, dict) or part not in current:
            if walked and not isinstance(current, dict):
                raise MatFileError(
                    f"{path}: no variable '{shown(name)}': '{shown('.'.join(walked))}' is "
                    f"{describe(current)}, not a struct"
                )
            where = f"struct '{shown('.'.join(walked))}'" if walked else "the file"
            present = sorted(current) if isinstance(current, dict) else []
            everything = getattr(current, "names", None) if not walked else None
            if everything is not None:
                present = sorted(everything)  # a partial load_mat: every name in the file
            listing = ", ".join(shown(p) for p in present[:50]) if present else "none"
            if len(present) > 50:
                listing += f", ... ({len(present)} in all)"
            noun = "fields" if walked else "variables"
            raise MatFileError(
                f"{path}: no variable '{shown(name)}' in {where} ({noun} there: {listing})"
            )
        current = current[part]
        walked.append(part)
    return current
