"""Reading and writing MATLAB .mat files: v4, v5/v6/v7 (compressed or not) and v7.3 (HDF5).

Every reader hands its variables to one function, :func:`_normalise`, which gives them the shapes
and types nn3 uses everywhere:

=====================  ==========================================================================
MATLAB                 Python
=====================  ==========================================================================
numeric, any class     ndarray of that class (double -> float64, uint8 -> uint8, ...) in MATLAB's
                       size: an ``m x 1`` column is ``(m, 1)``, a scalar ``(1, 1)``, N-D arrays
                       keep all dimensions (trailing singletons dropped, as MATLAB does)
complex                complex128 / complex64 ndarray
logical                bool ndarray
char                   :class:`MatlabChar`, a ``str`` (rows of a char matrix joined with
                       ``"\\n"``) with MATLAB's size as ``matlab_size``; an N-D (more than 2-D) char
                       array: ndarray of single characters (dtype ``'<U1'``) in MATLAB's size
struct (1 x 1)         ``dict`` of fields; address them as ``"data.X"`` (:func:`get_variable`)
struct array           object ndarray of dicts, in MATLAB's size
cell array             object ndarray, in MATLAB's size
sparse                 ``scipy.sparse.csc_matrix`` (:func:`densify` guards the size)
objects, functions     :class:`MatlabObject` (class name only; nothing is executed)
=====================  ==========================================================================

v4 and v5 files are parsed here, by nn3's own reader, which checks every size a file claims
against the bytes really there and refuses claims over :data:`MAX_ELEMENTS` before allocating
anything. v7.3 files (and GNU Octave's ``save -hdf5`` files) are read by :mod:`nn3.matio_v73`.
Nothing is unpickled or executed; HDF5 links to other files are refused.

:func:`save_mat` writes v5 (compressed) or v7.3 files, atomically.
"""

import datetime
import math
import os
import re
import stat
import struct
import warnings
import zlib

import numpy as np

from ._version import __version__
from .atomic import atomic_output
from .errors import MatFileError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"

#: The most elements one array may claim; larger claims are refused before any allocation.
MAX_ELEMENTS = 10**9

#: The most elements :func:`densify` turns a sparse matrix into (2**28 doubles = 2 GiB).
MAX_DENSE_ELEMENTS = 2**28

#: Deepest nesting of cells and structs read (a corrupt file can claim endless nesting).
MAX_DEPTH = 64

_V5_VERSIONS = (b"\x00\x01", b"\x01\x00")
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")


class MatlabObject:
    """A MATLAB value nn3 does not convert: an object, function handle, string array, ....

    Attributes
    ----------
    class_name : str
        The MATLAB class (e.g. ``"function_handle"``, ``"missing"``), or what the file says.
    """

    def __init__(self, class_name):
        self.class_name = str(class_name)

    def __repr__(self):
        return f"MatlabObject({self.class_name!r})"


class _Char:
    """A char array in MATLAB's size, as character codes, until :func:`_normalise`."""

    def __init__(self, codes):
        self.codes = codes


class MatlabChar(str):
    """A char array read from a file: its text, and its MATLAB size as ``matlab_size``.

    It is a ``str`` (the rows joined with ``"\\n"``, pairs of UTF-16 surrogates as one
    character), so text operations work; ``shape`` and ``codes`` keep what the text alone
    cannot: a 1x3 row holding a newline and a 2x1 column are the same text but not the same
    char array (MATLAB's ``isequal`` tells them apart, and so do ``nn3 compare`` and
    :func:`save_mat`). The result of a str operation on it is a plain ``str`` (a row).

    Attributes
    ----------
    matlab_size : tuple of int
        MATLAB's size, two dimensions (``(1, 5)`` for ``'hello'``, ``(0, 0)`` for ``''``). (Not
        ``shape``: code that tells arrays by their ``shape`` must still see text.)
    codes : ndarray of int64, shape ``matlab_size``
        The character codes as the file holds them (UTF-16 code units).
    """

    def __new__(cls, text="", codes=None):
        obj = super().__new__(cls, text)
        if codes is None:
            codes = _str_codes(obj)
        obj._codes = np.array(codes, dtype=np.int64)
        obj._codes.setflags(write=False)
        return obj

    @property
    def matlab_size(self):
        return self._codes.shape

    @property
    def codes(self):
        return self._codes

    def __reduce__(self):
        return (MatlabChar, (str(self), np.array(self._codes)))


def _str_codes(text):
    """A str as MATLAB holds it: a 1 x n row of UTF-16 code units (``""`` is 0x0)."""
    if not text:
        return np.zeros((0, 0), dtype=np.int64)
    units = np.frombuffer(text.encode("utf-16-le", errors="surrogatepass"), dtype="<u2")
    return units.astype(np.int64).reshape(1, -1)


class _Bad(Exception):
    """A problem in a file's contents; :func:`load_mat` adds the file name."""


def describe(value):
    """What a loaded value is, in words, for error messages (``"text"``, ``"a struct"``, ...)."""
    if isinstance(value, str):
        return "text (char)"
    if isinstance(value, dict):
        return "a struct"
    if isinstance(value, MatlabObject):
        return f"a MATLAB object of class '{value.class_name}'"
    if hasattr(value, "toarray"):
        return f"a sparse {format_size(value.shape)} matrix"
    if isinstance(value, np.ndarray):
        size = format_size(value.shape)
        if value.dtype == object:
            if value.size and all(isinstance(v, dict) for v in value.flat):
                return f"a {size} struct array"
            return f"a {size} cell array"
        if value.dtype.kind == "c":
            return f"a {size} complex array"
        return f"a {size} {_dtype_class(value.dtype)} array"
    return type(value).__name__


def format_size(size):
    """``(5000, 400)`` as MATLAB writes it: ``"5000x400"``."""
    return "x".join(str(d) for d in size)


_DTYPE_CLASSES = {
    "f8": "double",
    "f4": "single",
    "c16": "double",
    "c8": "single",
    "b1": "logical",
    "i1": "int8",
    "u1": "uint8",
    "i2": "int16",
    "u2": "uint16",
    "i4": "int32",
    "u4": "uint32",
    "i8": "int64",
    "u8": "uint64",
}


def _dtype_class(dtype):
    """The MATLAB class of an array's elements (complex: the class of its parts)."""
    dtype = np.dtype(dtype)
    if dtype.kind in "US":
        return "char"
    if dtype.kind == "f" and dtype.itemsize == 2:
        return "single"  # half precision has no MATLAB class; single is the nearest
    if dtype.kind == "f" and dtype.itemsize > 8:
        return "double"
    return _DTYPE_CLASSES.get(f"{dtype.kind}{dtype.itemsize}", str(dtype))


# --------------------------------------------------------------------------------------------
# Finding out what a file is
# --------------------------------------------------------------------------------------------


def _check_readable(path):
    path = os.fspath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise MatFileError(f"{path}: no such file (a broken symbolic link)") from None
        raise MatFileError(f"{path}: no such file") from None
    except NotADirectoryError:
        raise MatFileError(f"{path}: no such file (a part of the path is not a folder)") from None
    except PermissionError:
        raise MatFileError(f"{path}: permission denied") from None
    except OSError as exc:
        raise MatFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise MatFileError(f"{path}: is a directory, not a .mat file")
    if not stat.S_ISREG(st.st_mode):
        raise MatFileError(f"{path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise MatFileError(f"{path}: permission denied")
    return path


def _read_head(path, n):
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except PermissionError:
        raise MatFileError(f"{path}: permission denied") from None
    except OSError as exc:
        raise MatFileError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _is_hdf5(head):
    """Whether the HDF5 signature is at byte 0, 512, 1024, ... (where HDF5 allows it)."""
    return any(head[at : at + 8] == HDF5_SIGNATURE for at in (0, 512, 1024, 2048, 4096))


def mat_format(path):
    """The file's format: ``"4"``, ``"5"`` (v5/v6/v7) or ``"7.3"`` (HDF5).

    Raises
    ------
    MatFileError
        Missing, unreadable, or not a .mat file of any version.
    """
    path = _check_readable(path)
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
    if _v4_header(head) is not None:
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


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_mat(path):
    """All variables of a .mat file as a dict, in MATLAB's shapes.

    Reads MATLAB v4, v5/v6/v7 (compressed or not) and v7.3 (HDF5) files, and GNU Octave's
    ``save -hdf5`` files. See the module docstring for how MATLAB types come back.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    variables : dict
        Name to ndarray (numeric in MATLAB's size and class, logical as bool), str (char; an
        N-D char array is an ndarray of single characters, dtype ``'<U1'``, in MATLAB's size),
        dict (struct), object ndarray (cell or struct array), ``scipy.sparse.csc_matrix`` or
        :class:`MatlabObject`.

    Raises
    ------
    MatFileError
        Missing, unreadable, not a .mat file, corrupt or truncated, or claiming an array larger
        than :data:`MAX_ELEMENTS`.
    """
    path = os.fspath(path)
    fmt = mat_format(path)  # checks that the file is there and readable
    # A corrupt file can make numpy or h5py warn (overflow in a cast, ...): the error, if any,
    # is what the caller gets, never a stray warning on stderr.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _load(path, fmt)


def _load(path, fmt):
    try:
        if fmt == "7.3":
            from .matio_v73 import read_hdf5

            raw = read_hdf5(path)
        else:
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                raise MatFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
            raw = _read_v4(data) if fmt == "4" else _read_v5(data)
        return {name: _normalise(value) for name, value in raw.items()}
    except MatFileError:
        raise
    except _Bad as exc:
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
        raise MatFileError(f"{path}: corrupt or unreadable {kind} .mat file ({detail})") from exc


#: Exceptions that bad bytes make the parsing libraries raise anywhere in a reader: numpy
#: (``ValueError`` for a buffer of the wrong size, ``OverflowError`` in a cast), ``struct.error``,
#: ``zlib.error``, ``UnicodeDecodeError`` (a ``ValueError``), ``OSError`` (h5py: a file it
#: cannot open or read).
_DATA_ERRORS = (struct.error, zlib.error, ValueError, OverflowError, OSError, EOFError)

#: Raised from inside h5py (the HDF5 library's error stack mapped to Python), these also mean a
#: corrupt file: h5py reports a missing or damaged object as ``KeyError``, a bad datatype as
#: ``TypeError``, an unsupported feature as ``NotImplementedError``, and the rest as
#: ``RuntimeError``. The same types raised by nn3's own code are bugs.
_H5PY_DATA_ERRORS = (KeyError, TypeError, RuntimeError, NotImplementedError, IndexError)


def _caused_by_data(exc):
    """Whether an exception from a reader means a bad file (else: a bug, re-raised as is)."""
    if isinstance(exc, _DATA_ERRORS):
        return True
    return isinstance(exc, _H5PY_DATA_ERRORS) and _raised_in_h5py(exc)


def _raised_in_h5py(exc):
    """Whether the innermost frame of ``exc``'s traceback is h5py's code (Python or Cython)."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "") or ""
    filename = tb.tb_frame.f_code.co_filename.replace("\\", "/")
    return module.split(".")[0] == "h5py" or "/h5py/" in filename or filename.startswith("h5py/")


def _normalise(value, depth=0):
    """The one place where loaded values get nn3's shapes and types (see the module docstring)."""
    if depth > MAX_DEPTH:
        raise _Bad("corrupt .mat file: cells or structs nested too deeply")
    if isinstance(value, _Char):
        return _char_value(value.codes)
    if isinstance(value, dict):
        return {k: _normalise(v, depth + 1) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            out = np.empty(matlab_shape(value.shape), dtype=object)
            flat = value.reshape(out.shape, order="F")
            for idx in np.ndindex(out.shape):
                out[idx] = _normalise(flat[idx], depth + 1)
            return out
        return value.reshape(matlab_shape(value.shape), order="F")
    return value


def matlab_shape(shape):
    """MATLAB's size: at least 2-D (a vector is a column), no trailing singletons past 2-D."""
    shape = tuple(int(d) for d in shape)
    if len(shape) == 0:
        return (1, 1)
    if len(shape) == 1:
        return (shape[0], 1)
    while len(shape) > 2 and shape[-1] == 1:
        shape = shape[:-1]
    return shape


def _char_value(codes):
    """Char codes in MATLAB's size as nn3 returns them: a str, or single characters when N-D.

    A char row or matrix becomes a :class:`MatlabChar` (a str, its rows joined with newlines, that
    keeps the codes and MATLAB's size). An array of more than two
    dimensions (after MATLAB drops trailing singletons) becomes an ndarray of dtype ``'<U1'`` in
    MATLAB's size, one character per element, since a str cannot hold its size.

    Codes are UTF-16 code units (as MATLAB stores them) or code points. In a str, pairs of
    surrogates become one character; anything invalid (and, in an N-D array, any surrogate)
    becomes U+FFFD.
    """
    codes = np.asarray(codes).astype(np.int64)
    shape = matlab_shape(codes.shape) if codes.ndim > 1 else (1, codes.size)
    invalid = (codes < 0) | (codes > 0x10FFFF)
    if len(shape) > 2:
        invalid |= (codes >= 0xD800) & (codes < 0xE000)
        chars = np.where(invalid, 0xFFFD, codes).astype(np.uint32).reshape(shape)
        return chars.view("U1")
    rows = np.where(invalid, 0xFFFD, codes).reshape(shape)
    if codes.size == 0:
        return MatlabChar("", rows)
    out = []
    for row in rows:
        if row.max() < 0x10000:
            text = row.astype("<u2").tobytes().decode("utf-16-le", errors="replace")
        else:
            text = "".join(chr(c) if not 0xD800 <= c < 0xE000 else "\ufffd" for c in row)
        out.append(text)
    return MatlabChar("\n".join(out), rows)


def densify(value, path="<data>", name="X"):
    """A sparse matrix as a dense float array, refusing sizes over :data:`MAX_DENSE_ELEMENTS`.

    Parameters
    ----------
    value : scipy.sparse matrix or array_like
    path, name : str
        For the error message.

    Returns
    -------
    ndarray
    """
    if not hasattr(value, "toarray"):
        return np.asarray(value)
    n = math.prod(int(d) for d in value.shape)
    if n > MAX_DENSE_ELEMENTS:
        raise MatFileError(
            f"{path}: variable '{name}' is a sparse {format_size(value.shape)} matrix; as a dense "
            f"matrix it would have {n} elements, more than nn3 allows ({MAX_DENSE_ELEMENTS})"
        )
    return value.toarray()


def _check_count(n, dims, what):
    if n > MAX_ELEMENTS:
        raise _Bad(
            f"{what} claims {format_size(dims)} = {n} elements, more than nn3 reads "
            f"(nn3.matio.MAX_ELEMENTS = {MAX_ELEMENTS}); refused before allocating"
        )


# --------------------------------------------------------------------------------------------
# v5 (v6, v7): MATLAB's "Level 5 MAT-file" format
# --------------------------------------------------------------------------------------------

_MI_DTYPES = {
    1: "i1",
    2: "u1",
    3: "i2",
    4: "u2",
    5: "i4",
    6: "u4",
    7: "f4",
    9: "f8",
    12: "i8",
    13: "u8",
}
_MI_MATRIX, _MI_COMPRESSED, _MI_UTF8, _MI_UTF16, _MI_UTF32 = 14, 15, 16, 17, 18

_MX_CLASSES = {
    6: np.float64,
    7: np.float32,
    8: np.int8,
    9: np.uint8,
    10: np.int16,
    11: np.uint16,
    12: np.int32,
    13: np.uint32,
    14: np.int64,
    15: np.uint64,
}
_MX_CELL, _MX_STRUCT, _MX_OBJECT, _MX_CHAR, _MX_SPARSE = 1, 2, 3, 4, 5
_MX_FUNCTION, _MX_OPAQUE = 16, 17


class _V5:
    """A cursor over (decompressed) v5 bytes: ``data[pos:end]`` is what is left to read."""

    def __init__(self, data, order, pos, end, where):
        self.data = data
        self.order = order
        self.pos = pos
        self.end = end
        self.where = where

    def bad(self, problem):
        return _Bad(f"corrupt v5 .mat file: {self.where}: {problem}")

    def element(self):
        """The next data element: (type, payload memoryview). Handles the small format."""
        if self.pos + 8 > self.end:
            raise self.bad("truncated (a data element is cut off)")
        w0, w1 = struct.unpack_from(self.order + "II", self.data, self.pos)
        if w0 >> 16:  # small data element: 2 bytes size, 2 bytes type, 4 bytes data
            mtype, nbytes = w0 & 0xFFFF, w0 >> 16
            if nbytes > 4:
                raise self.bad(f"small data element claims {nbytes} bytes (at most 4)")
            start = self.last_start = self.pos + 4
            self.pos += 8
            return mtype, self.data[start : start + nbytes]
        mtype, nbytes = w0, w1
        start = self.pos + 8
        if mtype == _MI_MATRIX and nbytes % 8 and 0 < nbytes - (self.end - start) < 8:
            nbytes = self.end - start  # GNU Octave's size quirk (see _read_v5)
        self.last_start = start
        if nbytes > self.end - start:
            raise self.bad(
                f"a data element claims {nbytes} bytes but only {self.end - start} are left "
                "(truncated or corrupt)"
            )
        self.pos = min(start + nbytes + (-nbytes % 8), self.end)
        return mtype, self.data[start : start + nbytes]

    def numbers(self, expect=None, what="data"):
        mtype, payload = self.element()
        code = _MI_DTYPES.get(mtype)
        if code is None:
            raise self.bad(f"{what}: unexpected data type {mtype}")
        dtype = np.dtype(self.order + code)
        if len(payload) % dtype.itemsize:
            raise self.bad(f"{what}: {len(payload)} bytes is not a whole number of {code}")
        count = len(payload) // dtype.itemsize
        if expect is not None and count != expect:
            raise self.bad(f"{what}: {count} values where the size says {expect}")
        return np.frombuffer(payload, dtype=dtype, count=count)


def _read_v5(data):
    if len(data) < 128:
        raise _Bad(f"truncated .mat file: {len(data)} bytes, shorter than the 128-byte header")
    order = "<" if data[126:128] == b"IM" else ">"
    view = memoryview(data)
    out = {}
    pos = 128
    index = 0
    while pos < len(data):
        index += 1
        where = f"variable #{index}"
        if len(data) - pos < 8:
            raise _Bad(
                f"truncated v5 .mat file: {len(data) - pos} stray bytes after the last variable"
            )
        mtype, nbytes = struct.unpack_from(order + "II", data, pos)
        start = pos + 8
        if mtype == _MI_COMPRESSED:
            if nbytes > len(data) - start:
                raise _Bad(
                    f"truncated v5 .mat file: {where} claims {nbytes} compressed bytes but only "
                    f"{len(data) - start} are left"
                )
            body = _inflate(view[start : start + nbytes], order, where)
            cursor = _V5(body, order, 0, len(body), where)
            name, value = _matrix(cursor, 0, top=True)
            pos = start + nbytes
        elif mtype == _MI_MATRIX:
            if nbytes > len(data) - start:
                raise _Bad(
                    f"truncated v5 .mat file: {where} claims {nbytes} bytes but only "
                    f"{len(data) - start} are left"
                )
            cursor = _V5(view, order, pos, len(data), where)
            name, value = _matrix(cursor, 0, top=True)
            # GNU Octave's -v6 writer sometimes claims 4 bytes more than it writes for char
            # arrays; a size that is not a multiple of 8 cannot be right, so trust the parse.
            pos = start + nbytes if nbytes % 8 == 0 else cursor.parsed_end
        else:
            raise _Bad(
                f"corrupt v5 .mat file: {where} at byte {pos} is not a matrix "
                f"(element type {mtype})"
            )
        if name:  # an unnamed variable is MATLAB's internal function workspace
            out[name] = value
    return out


def _inflate(compressed, order, where):
    """Decompress one miCOMPRESSED element, checking the size it claims before inflating."""
    d = zlib.decompressobj()
    try:
        head = d.decompress(compressed, 8)
        if len(head) < 8:
            raise _Bad(f"corrupt v5 .mat file: {where}: compressed data too short")
        mtype, nbytes = struct.unpack(order + "II", head)
        if mtype != _MI_MATRIX:
            raise _Bad(f"corrupt v5 .mat file: {where}: compressed element is not a matrix")
        # Inflate the array's header first: its size claim is checked before the rest.
        first = d.decompress(d.unconsumed_tail, min(nbytes, 512))
        _peek_size(first, order, where)
        chunks = [head, first]
        got = 8 + len(first)
        tail = d.unconsumed_tail
        while got < nbytes + 8:
            chunk = d.decompress(tail, min(nbytes + 8 - got, 1 << 24))
            tail = d.unconsumed_tail
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        quirk = nbytes % 8 and nbytes + 8 - got < 8  # GNU Octave's size quirk (see _read_v5)
        if got < nbytes + 8 and not (quirk and d.eof):
            raise _Bad(
                f"corrupt v5 .mat file: {where}: compressed data hold {got - 8} bytes, "
                f"the element claims {nbytes} (truncated)"
            )
        # Reading to the end verifies zlib's checksum.
        rest = d.decompress(tail, 64)
        if not d.eof and not rest:
            rest = d.flush()
        if rest.strip(b"\x00") or not d.eof:
            raise _Bad(f"corrupt v5 .mat file: {where}: compressed data do not end where expected")
    except zlib.error as exc:
        raise _Bad(f"corrupt v5 .mat file: {where}: compressed data are damaged ({exc})") from None
    return b"".join(chunks)


def _peek_size(first, order, where):
    """Refuse an array whose header (flags, dimensions, name) claims too many elements."""
    cur = _V5(first, order, 0, len(first), where)
    try:
        flags = cur.numbers(what="array flags")
        dims = cur.numbers(what="dimensions")
        _, raw_name = cur.element()
    except _Bad:
        return  # a header cut short here: the full parse reports what is wrong
    if flags.size < 2 or dims.dtype.kind not in "iu" or (int(flags[0]) & 0xFF) == _MX_SPARSE:
        return
    name = bytes(raw_name).rstrip(b"\x00").decode("utf-8", errors="replace")
    dims = tuple(int(x) for x in dims)
    _check_count(math.prod(dims), dims, f"variable '{name}'" if name else where)


def _matrix(cur, depth, top=False):
    """One miMATRIX element at the cursor: (name, raw value in MATLAB's size)."""
    if depth > MAX_DEPTH:
        raise cur.bad("cells or structs nested too deeply")
    mtype, payload = cur.element()
    if mtype != _MI_MATRIX:
        raise cur.bad(f"expected a matrix, found element type {mtype}")
    if not len(payload):
        return "", np.zeros((0, 0))  # MATLAB writes [] inside cells and structs this way
    payload_start = cur.last_start
    inner = _V5(payload, cur.order, 0, len(payload), cur.where)
    result = _matrix_body(cur, inner, depth, top)
    cur.parsed_end = payload_start + inner.pos
    return result


def _matrix_body(cur, inner, depth, top):
    """The contents of a miMATRIX element: flags, dimensions, name, then the class's data."""
    payload = inner.data
    flags = inner.numbers(what="array flags")
    if flags.size < 2:
        raise inner.bad("array flags too short")
    mclass = int(flags[0]) & 0xFF
    is_complex = bool(int(flags[0]) & 0x800)
    is_logical = bool(int(flags[0]) & 0x200)
    nzmax = int(flags[1])
    dims_arr = inner.numbers(what="dimensions")
    if dims_arr.dtype.kind not in "iu" or dims_arr.size < 1:
        raise inner.bad("bad dimensions")
    dims = tuple(int(d) for d in dims_arr)
    if len(dims) == 1:
        dims = (dims[0], 1)
    if any(d < 0 for d in dims):
        raise inner.bad(f"negative dimension in {dims}")
    mtype, raw_name = inner.element()
    name = bytes(raw_name).rstrip(b"\x00").decode("utf-8", errors="replace")
    if top and name:
        cur.where = inner.where = f"variable '{name}'"
    n = math.prod(dims)
    what = f"{inner.where}" if not name or top else f"{inner.where}, field '{name}'"
    if mclass in _MX_CLASSES:
        _check_count(n, dims, what)
        real = inner.numbers(expect=n, what="real part")
        value = real.astype(_MX_CLASSES[mclass])
        if is_complex:
            imag = inner.numbers(expect=n, what="imaginary part").astype(_MX_CLASSES[mclass])
            ctype = np.complex64 if mclass == 7 else np.complex128
            value = value.astype(ctype) + 1j * imag.astype(ctype)
        if is_logical:
            value = value != 0
        return name, value.reshape(dims, order="F")
    if mclass == _MX_CHAR:
        _check_count(n, dims, what)
        return name, _Char(_v5_chars(inner, n).reshape(dims, order="F"))
    if mclass == _MX_SPARSE:
        return name, _v5_sparse(inner, dims, nzmax, is_complex, is_logical)
    if mclass == _MX_CELL:
        _check_count(n, dims, what)
        if n * 8 > inner.end - inner.pos:
            raise inner.bad(f"a {format_size(dims)} cell array cannot fit in {len(payload)} bytes")
        cells = np.empty(n, dtype=object)
        for i in range(n):
            cells[i] = _matrix(inner, depth + 1)[1]
        return name, cells.reshape(dims, order="F")
    if mclass in (_MX_STRUCT, _MX_OBJECT):
        class_name = None
        if mclass == _MX_OBJECT:
            _, raw = inner.element()
            class_name = bytes(raw).rstrip(b"\x00").decode("utf-8", errors="replace")
        _check_count(n, dims, what)
        length = inner.numbers(what="field name length")
        if length.size != 1 or not 0 < int(length[0]) <= 4096:
            raise inner.bad("bad struct field name length")
        length = int(length[0])
        _, raw = inner.element()
        if len(raw) % length:
            raise inner.bad("struct field names do not fill whole slots")
        fields = [
            bytes(raw[i : i + length]).split(b"\x00", 1)[0].decode("utf-8", errors="replace")
            for i in range(0, len(raw), length)
        ]
        if n * len(fields) * 8 > inner.end - inner.pos:
            raise inner.bad(
                f"a {format_size(dims)} struct array cannot fit in {len(payload)} bytes"
            )
        items = np.empty(n, dtype=object)
        for i in range(n):
            items[i] = {f: _matrix(inner, depth + 1)[1] for f in fields}
        if class_name is not None:
            return name, MatlabObject(class_name)
        if n == 1:
            return name, items[0]
        return name, items.reshape(dims, order="F")
    if mclass in (_MX_FUNCTION, _MX_OPAQUE):
        return name, MatlabObject("function_handle" if mclass == _MX_FUNCTION else "opaque")
    raise inner.bad(f"unknown array class {mclass}")


def _v5_chars(cur, n):
    mtype, payload = cur.element()
    raw = bytes(payload)
    if mtype == _MI_UTF8:
        text = raw.decode("utf-8", errors="replace")
        codes = np.array([ord(c) for c in text], dtype=np.uint32)
        if codes.size != n and len(raw) == n:  # not UTF-8 after all: one byte per character
            codes = np.frombuffer(raw, dtype=np.uint8).astype(np.uint32)
    elif mtype in (1, 2):
        codes = np.frombuffer(raw, dtype=np.uint8).astype(np.uint32)
    elif mtype in (_MI_UTF16, 4, 3):
        if len(raw) % 2:
            raise cur.bad("odd number of bytes in UTF-16 char data")
        codes = np.frombuffer(raw, dtype=cur.order + "u2").astype(np.uint32)
    elif mtype in (_MI_UTF32, 5, 6):
        if len(raw) % 4:
            raise cur.bad("char data not a whole number of 4-byte codes")
        codes = np.frombuffer(raw, dtype=cur.order + "u4").astype(np.uint32)
    elif mtype in _MI_DTYPES:  # Octave and old MATLAB versions: char stored as numbers
        code = _MI_DTYPES[mtype]
        dtype = np.dtype(cur.order + code)
        if len(raw) % dtype.itemsize:
            raise cur.bad("char data not a whole number of codes")
        values = np.frombuffer(raw, dtype=dtype).astype(np.float64)
        codes = np.clip(np.nan_to_num(values), 0, 0x10FFFF).astype(np.int64)
    else:
        raise cur.bad(f"char data of unexpected type {mtype}")
    if codes.size != n:
        raise cur.bad(f"char data hold {codes.size} characters where the size says {n}")
    return codes


def _v5_sparse(cur, dims, nzmax, is_complex, is_logical):
    import scipy.sparse

    if len(dims) != 2:
        raise cur.bad(f"sparse matrix with {len(dims)} dimensions")
    m, n = dims
    ir = cur.numbers(what="sparse row indices").astype(np.int64)
    jc = cur.numbers(what="sparse column starts").astype(np.int64)
    if jc.size < n + 1:
        raise cur.bad(f"sparse column starts: {jc.size} values for {n} columns")
    jc = jc[: n + 1]
    nnz = int(jc[-1])
    if jc[0] != 0 or np.any(np.diff(jc) < 0) or nnz > ir.size:
        raise cur.bad("sparse column starts are not increasing or exceed the row indices")
    ir = ir[:nnz]
    if nnz and (ir.min() < 0 or ir.max() >= m):
        raise cur.bad("sparse row index out of range")
    values = cur.numbers(what="sparse values")
    if values.size < nnz:
        raise cur.bad(f"sparse values: {values.size} for {nnz} entries")
    values = values[:nnz].astype(np.float64)
    if is_complex:
        imag = cur.numbers(what="sparse imaginary values")
        if imag.size < nnz:
            raise cur.bad("sparse imaginary values too few")
        values = values + 1j * imag[:nnz].astype(np.float64)
    if is_logical:
        values = values != 0
    return scipy.sparse.csc_matrix((values, ir, jc), shape=(m, n))


# --------------------------------------------------------------------------------------------
# v4: MATLAB 4's format (header of five int32 per variable)
# --------------------------------------------------------------------------------------------

_V4_DTYPES = {0: "f8", 1: "f4", 2: "i4", 3: "i2", 4: "u2", 5: "u1"}


def _v4_header(data, start=0):
    """(order, P, T, mrows, ncols, imagf, namlen) of a plausible v4 header at ``start``, or None.

    The type word MOPT is M*1000 + O*100 + P*10 + T: M the byte order (0 little-endian IEEE,
    1 big-endian IEEE; VAX and Cray formats are not read), O always 0, P the stored number type,
    T 0 numeric, 1 text, 2 sparse. The name that follows must end with a NUL byte.
    """
    if len(data) - start < 20:
        return None
    for order in "<>":
        mopt, mrows, ncols, imagf, namlen = struct.unpack_from(order + "5i", data, start)
        if not 0 <= mopt < 5000:
            continue
        m, rest = divmod(mopt, 1000)
        o, rest = divmod(rest, 100)
        p, t = divmod(rest, 10)
        if m != (0 if order == "<" else 1) or o != 0 or p not in _V4_DTYPES or t > 2:
            continue
        if mrows < 0 or ncols < 0 or imagf not in (0, 1) or not 1 <= namlen <= 4096:
            continue
        name = data[start + 20 : start + 20 + namlen]
        if len(name) == namlen and (name[-1:] != b"\x00" or not name[:1].isalpha()):
            continue
        return order, p, t, mrows, ncols, imagf, namlen
    return None


def _read_v4(data):
    out = {}
    pos = 0
    index = 0
    while pos < len(data):
        index += 1
        header = _v4_header(data, pos)
        if header is None:
            if len(data) - pos < 20:
                raise _Bad(f"truncated v4 .mat file: {len(data) - pos} stray bytes at the end")
            raise _Bad(f"corrupt v4 .mat file: bad header of variable #{index} at byte {pos}")
        order, p, t, mrows, ncols, imagf, namlen = header
        pos += 20
        if pos + namlen > len(data):
            raise _Bad(f"truncated v4 .mat file: name of variable #{index} is cut off")
        name = data[pos : pos + namlen].split(b"\x00", 1)[0].decode("latin-1")
        pos += namlen
        where = f"variable '{name}'"
        dims = (mrows, ncols)
        n = mrows * ncols
        _check_count(n, dims, where)
        dtype = np.dtype(order + _V4_DTYPES[p])
        need = n * dtype.itemsize * (2 if imagf else 1)
        if need > len(data) - pos:
            raise _Bad(
                f"truncated v4 .mat file: {where} ({format_size(dims)}) needs {need} bytes, "
                f"only {len(data) - pos} left"
            )
        real = np.frombuffer(data, dtype=dtype, count=n, offset=pos).astype(np.float64)
        pos += n * dtype.itemsize
        if imagf:
            imag = np.frombuffer(data, dtype=dtype, count=n, offset=pos).astype(np.float64)
            pos += n * dtype.itemsize
            real = real + 1j * imag
        values = real.reshape(dims, order="F")
        if t == 1:
            if np.iscomplexobj(values) or not np.all(np.isfinite(values)):
                raise _Bad(f"corrupt v4 .mat file: {where}: text with non-character codes")
            out[name] = _Char(np.clip(values, 0, 0x10FFFF).astype(np.int64))
        elif t == 2:
            out[name] = _v4_sparse(values, where)
        else:
            out[name] = values
    return out


def _v4_sparse(values, where):
    import scipy.sparse

    if values.ndim != 2 or values.shape[1] not in (3, 4) or values.shape[0] < 1:
        raise _Bad(f"corrupt v4 .mat file: {where}: sparse data must be N x 3 or N x 4")
    if np.iscomplexobj(values) or not np.all(np.isfinite(values)):
        raise _Bad(f"corrupt v4 .mat file: {where}: bad sparse triplets")
    if np.any(np.abs(values[:, :2]) > 2**31) or np.any(values[:, :2] != np.round(values[:, :2])):
        raise _Bad(f"corrupt v4 .mat file: {where}: sparse indices are not whole numbers")
    m, n = int(values[-1, 0]), int(values[-1, 1])
    rows = values[:-1, 0].astype(np.int64) - 1
    cols = values[:-1, 1].astype(np.int64) - 1
    if m < 0 or n < 0 or np.any(rows < 0) or np.any(rows >= m) or np.any(cols < 0):
        raise _Bad(f"corrupt v4 .mat file: {where}: sparse index out of range")
    if np.any(cols >= n):
        raise _Bad(f"corrupt v4 .mat file: {where}: sparse index out of range")
    data = values[:-1, 2]
    if values.shape[1] == 4:
        data = data + 1j * values[:-1, 3]
    return scipy.sparse.csc_matrix((data, (rows, cols)), shape=(m, n))


# --------------------------------------------------------------------------------------------
# Variables by name
# --------------------------------------------------------------------------------------------


def get_variable(variables, name, path="<data>"):
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
    walked = []
    for part in name.split("."):
        if isinstance(current, np.ndarray) and current.dtype == object and current.size == 1:
            current = current.flat[0]
        if not isinstance(current, dict) or part not in current:
            if walked and not isinstance(current, dict):
                raise MatFileError(
                    f"{path}: no variable '{name}': '{'.'.join(walked)}' is "
                    f"{describe(current)}, not a struct"
                )
            where = f"struct '{'.'.join(walked)}'" if walked else "the file"
            present = sorted(current) if isinstance(current, dict) else []
            listing = ", ".join(present) if present else "none"
            noun = "fields" if walked else "variables"
            raise MatFileError(f"{path}: no variable '{name}' in {where} ({noun} there: {listing})")
        current = current[part]
        walked.append(part)
    return current


# --------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------

FORMATS = ("5", "7.3")


def _check_name(path, name, where="variable"):
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise MatFileError(
            f"{path}: cannot save {where} {name!r}: MATLAB names start with a letter and hold "
            "at most 63 letters, digits and underscores"
        )


def _prepare(path, name, value, depth=0):
    """Check a value can be saved and give it MATLAB's shape (1-D arrays become columns)."""
    if depth > MAX_DEPTH:
        raise MatFileError(f"{path}: cannot save '{name}': nested too deeply")
    if isinstance(value, MatlabObject):
        raise MatFileError(f"{path}: cannot save '{name}': MATLAB objects are not supported")
    if isinstance(value, MatlabChar):
        return _prepare_char(path, name, value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            _check_name(path, key, f"field of '{name}'")
            out[key] = _prepare(path, f"{name}.{key}", item, depth + 1)
        return out
    if hasattr(value, "tocsc"):
        if value.ndim != 2 or value.dtype.kind not in "biufc":
            raise MatFileError(f"{path}: cannot save '{name}': unsupported sparse matrix")
        return value.tocsc(copy=True)
    if isinstance(value, (bool, int, float, complex, np.generic)):
        value = np.asarray(value)
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value)
        except ValueError:
            value = None
        if value is None or value.dtype.kind not in "biufc":
            raise MatFileError(f"{path}: cannot save '{name}': give a numeric array")
    if not isinstance(value, np.ndarray):
        raise MatFileError(
            f"{path}: cannot save '{name}': a {type(value).__name__} has no MATLAB equivalent"
        )
    if value.dtype.kind == "U":
        if value.ndim == 0:
            return str(value)
        if value.dtype.itemsize != 4:
            raise MatFileError(
                f"{path}: cannot save '{name}': give text as a str, or a char array as single "
                "characters (dtype '<U1')"
            )
        value = np.ascontiguousarray(value, dtype="=U1")  # scipy's writer needs C order
        codes = value.view(np.uint32)
        if np.any((codes > 0xFFFF) | ((codes >= 0xD800) & (codes < 0xE000))):
            raise MatFileError(
                f"{path}: cannot save '{name}': a char array holds one UTF-16 code unit per "
                "element, and a character above U+FFFF (or a lone surrogate) needs two; give "
                "such text as a str"
            )
        return value.reshape(matlab_shape(value.shape))
    if value.dtype == object:
        out = np.empty(matlab_shape(value.shape), dtype=object)
        flat = value.reshape(out.shape)
        for idx in np.ndindex(out.shape):
            out[idx] = _prepare(path, f"{name}{{...}}", flat[idx], depth + 1)
        return out
    if value.dtype.kind not in "biufc":
        raise MatFileError(f"{path}: cannot save '{name}': unsupported type {value.dtype}")
    if value.dtype.kind == "f" and value.dtype.itemsize not in (4, 8):
        value = value.astype(np.float64)
    if value.dtype.kind == "c" and value.dtype.itemsize not in (8, 16):
        value = value.astype(np.complex128)
    return value.reshape(matlab_shape(value.shape))


def _prepare_char(path, name, value):
    """A loaded char array (:class:`MatlabChar`) in its MATLAB size: a str when it is a row."""
    codes = value.codes
    if codes.shape == _str_codes(str(value)).shape and np.array_equal(
        codes, _str_codes(str(value))
    ):
        return str(value)  # a row (or ''): written as the str it is
    if np.any((codes < 0) | (codes > 0xFFFF) | ((codes >= 0xD800) & (codes < 0xE000))):
        raise MatFileError(
            f"{path}: cannot save '{name}': a {format_size(codes.shape)} char matrix holding "
            "characters above U+FFFF cannot keep its size; give its rows separately"
        )
    # C order: scipy's v5 writer reads the buffer in that order.
    return np.ascontiguousarray(codes, dtype=np.uint32).view("U1").reshape(codes.shape)


def _check_v5_chars(path, name, value):
    """Refuse char arrays scipy's v5 writer would change: empty but not 0x0, or ending in NUL.

    scipy writes every empty char array as 0x0 and drops NUL characters at the end (in
    column-major order); the v7.3 writer keeps both.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            _check_v5_chars(path, f"{name}.{key}", item)
        return
    if isinstance(value, np.ndarray) and value.dtype == object:
        for item in value.flat:
            _check_v5_chars(path, f"{name}{{...}}", item)
        return
    if isinstance(value, str):
        codes = _str_codes(value)
    elif isinstance(value, np.ndarray) and value.dtype.kind == "U":
        codes = np.ascontiguousarray(value, dtype="=U1").view(np.uint32)
    else:
        return
    if codes.size == 0 and codes.shape != (0, 0):
        problem = f"an empty {format_size(codes.shape)} char array would be written as 0x0"
    elif codes.size and np.ravel(codes, order="F")[-1] == 0:
        problem = "a char array ending in char(0) would lose its trailing NUL characters"
    else:
        return
    raise MatFileError(
        f"{path}: cannot save '{name}' in format 5: {problem} (scipy's v5 writer); use format 7.3"
    )


def save_mat(path, variables, format="5"):
    """Write variables to a .mat file atomically.

    The file is written to a temporary name in the same folder, flushed to disk, and renamed
    over ``path`` only when complete, so a failed or killed run never leaves a half-written
    file and never destroys the previous one.

    Parameters
    ----------
    path : str or os.PathLike
    variables : dict
        Name to ndarray (numeric, bool), number, str, ndarray of single characters (dtype
        ``'<U1'``, a char array of that size), dict (struct), object ndarray (cell) or
        scipy.sparse matrix. 1-D arrays are written as MATLAB columns (m x 1).
    format : {"5", "7.3"}, default "5"
        ``"5"``: MATLAB's v5/v7 format, compressed (``save -v7``), read by every MATLAB, GNU
        Octave and scipy. ``"7.3"``: MATLAB's HDF5-based format (``save -v7.3``), as MATLAB
        writes it (512-byte header, ``MATLAB_class`` attributes, column-major dimensions).

    Raises
    ------
    MatFileError
        Unknown format, a name or value MATLAB cannot hold, a missing output folder, or a
        failed write (the previous file, if any, is left as it was).
    """
    path = os.fspath(path)
    format = str(format).lower().removeprefix("v").removeprefix("-v")
    if format == "7":
        format = "5"
    if format not in FORMATS:
        raise MatFileError(f"{path}: unknown .mat format {format!r} (use 5 or 7.3)")
    if not isinstance(variables, dict):
        raise MatFileError(f"{path}: variables must be a dict of name to value")
    prepared = {}
    for name, value in variables.items():
        _check_name(path, name)
        prepared[name] = _prepare(path, name, value)
        if format == "5":
            _check_v5_chars(path, name, prepared[name])
    with atomic_output(path, suffix=".mat.tmp") as tmp:
        try:
            if format == "7.3":
                from .matio_v73 import write_v73

                write_v73(tmp, prepared, header=_v73_header())
            else:
                import scipy.io

                with open(tmp, "wb") as fh:
                    scipy.io.savemat(fh, prepared, oned_as="column", do_compression=True)
        except (OSError, MatFileError):
            raise
        except Exception as exc:  # h5py and scipy report a failed write in several ways
            raise MatFileError(f"{path}: cannot write ({exc})") from exc


def _v73_header():
    """The 128 bytes MATLAB puts at the start of a v7.3 file's 512-byte userblock."""
    now = datetime.datetime.now().strftime("%a %b %d %H:%M:%S %Y")
    text = f"MATLAB 7.3 MAT-file, Platform: nn3 {__version__}, Created on: {now} HDF5 schema 1.00 ."
    return text.encode("ascii").ljust(116, b" ")[:116] + b"\x00" * 8 + b"\x00\x02IM"
