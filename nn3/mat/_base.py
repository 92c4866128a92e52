"""The MATLAB types and limits every .mat format shares.

What the format modules (:mod:`~nn3.mat.v4`, :mod:`~nn3.mat.v5`, :mod:`~nn3.mat.v73`,
:mod:`~nn3.mat.octave_hdf5`, :mod:`~nn3.mat.writer`) have in common, as scipy's ``_miobase``
is for ``scipy.io.matlab``: the classes loaded values come back as (:class:`MatlabObject`,
:class:`MatlabChar`), the raw char codes the readers hand on (:class:`RawChar`), the table
between numpy dtypes and MATLAB classes, MATLAB's sizes (:func:`matlab_shape`,
:func:`format_size`), the size limits (:data:`MAX_ELEMENTS`, :data:`MAX_DENSE_ELEMENTS`,
:data:`MAX_DEPTH`), the error a reader raises for bad contents (:class:`FileContentError`), and
MATLAB's rule for variable names (:func:`check_name`).

This module imports nothing from the rest of :mod:`nn3.mat`.
"""

import contextvars
import math
import os
import re
import stat
from collections.abc import Iterable
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import DTypeLike

from ..errors import MatFileError

#: The most elements one array may claim; larger claims are refused before any allocation.
MAX_ELEMENTS = 10**9


#: The most elements :func:`densify` turns a sparse matrix into (2**28 doubles = 2 GiB).
MAX_DENSE_ELEMENTS = 2**28


#: Deepest nesting of cells and structs read (a corrupt file can claim endless nesting).
MAX_DEPTH = 64


#: The load budget's defaults (see :class:`LoadBudget`): bytes allocated for one load, and
#: cells, struct elements, objects and HDF5 references followed in one load.
DEFAULT_MAX_LOAD_BYTES = 2**30
DEFAULT_MAX_LOAD_ITEMS = 10**6


_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")


class MatlabObject:
    """A MATLAB value nn3 does not convert: an object, function handle, string array, ....

    Attributes
    ----------
    class_name : str
        The MATLAB class (e.g. ``"function_handle"``, ``"missing"``), or what the file says.
    """

    def __init__(self, class_name: object) -> None:
        self.class_name = str(class_name)

    def __repr__(self):
        return f"MatlabObject({self.class_name!r})"


class Summary:
    """A value read for a summary only (``nn3 info``): its MATLAB class and size, no contents.

    :func:`~nn3.mat.iter_mat` with ``summary=True`` gives this for cells, char arrays and
    objects (whose contents ``nn3 info`` does not show), for Octave ranges (whose minimum and
    maximum follow from base, increment and length), and for numeric arrays larger than the
    load budget (then ``reason`` says so and ``min``/``max`` are None).

    Attributes
    ----------
    matlab_class : str
    size : tuple of int
        MATLAB's size.
    min, max : float or None
    reason : str or None
        Why the contents were not read, when it is not simply that a summary does not show them.
    """

    def __init__(self, matlab_class, size, min=None, max=None, reason=None):
        self.matlab_class = str(matlab_class)
        self.size = tuple(int(d) for d in size)
        self.min, self.max, self.reason = min, max, reason

    def __repr__(self):
        return f"Summary({self.matlab_class!r}, {self.size!r})"


class RawChar:
    """A char array in MATLAB's size, as character codes, until :func:`normalise`."""

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
            codes = str_codes(obj)
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


def str_codes(text: str) -> np.ndarray:
    """A str as MATLAB holds it: a 1 x n row of UTF-16 code units (``""`` is 0x0)."""
    if not text:
        return np.zeros((0, 0), dtype=np.int64)
    units = np.frombuffer(text.encode("utf-16-le", errors="surrogatepass"), dtype="<u2")
    return units.astype(np.int64).reshape(1, -1)


class FileContentError(Exception):
    """A problem in a file's contents; :func:`load_mat` adds the file name."""


def shown(name: object, limit: int = 80) -> str:
    """A name read from a file, safe in a one-line message or a table.

    Characters that are not printable (a newline, the ESC of a terminal escape sequence, ...)
    are written as Python escapes (``\\n``, ``\\x1b``); names longer than ``limit`` are cut
    (``...``).
    """
    text = name if isinstance(name, str) else repr(name)
    if len(text) > limit:
        text = text[:limit] + "..."
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def format_bytes(n: int) -> str:
    """``1073741824`` as ``"1 GiB"`` (binary units, up to 3 significant digits)."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.3g} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover


def _env_limit(name: str, default: int) -> int:
    """A limit from the environment: a whole number, optionally with K, M, G or T (powers of 2)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    scale = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(raw[-1:].upper(), 1)
    digits = raw[:-1] if scale > 1 else raw
    try:
        value = float(digits) * scale
    except ValueError:
        value = -1
    if not (math.isfinite(value) and value >= 0):
        raise MatFileError(
            f"environment variable {name}={shown(raw)}: not a size (a whole number, "
            "optionally with K, M, G or T)"
        )
    return int(value)


class BudgetError(FileContentError):
    """A load would go over its budget (:class:`LoadBudget`); raised before allocating."""


class LoadBudget:
    """What one load may allocate: bytes, and cells/structs/objects/references.

    Every reader charges the budget *before* it allocates: an array's bytes (or, for a
    compressed v5 variable, its decompressed size), a char array's text, a densified sparse
    matrix; one item per cell, struct element or object created and per HDF5 reference
    followed. Going over refuses the load with one line naming the budget and the environment
    variable that raises it.

    Parameters
    ----------
    max_bytes, max_items : int, optional
        Default: the environment variables ``NN3_MAX_LOAD_BYTES`` (a number of bytes, or with a
        K, M, G or T suffix; default 1 GiB) and ``NN3_MAX_LOAD_ITEMS`` (default 10**6).
    """

    def __init__(self, max_bytes: int | None = None, max_items: int | None = None):
        if max_bytes is None:
            max_bytes = _env_limit("NN3_MAX_LOAD_BYTES", DEFAULT_MAX_LOAD_BYTES)
        if max_items is None:
            max_items = _env_limit("NN3_MAX_LOAD_ITEMS", DEFAULT_MAX_LOAD_ITEMS)
        self.max_bytes, self.max_items = max_bytes, max_items
        self.used_bytes = self.used_items = 0

    def fits(self, nbytes: int) -> bool:
        """Whether ``nbytes`` more would stay within the byte budget."""
        return self.used_bytes + nbytes <= self.max_bytes

    def charge_bytes(self, nbytes: int, what: str) -> None:
        """Count ``nbytes`` about to be allocated for ``what``; refuse going over the budget."""
        if self.used_bytes + nbytes > self.max_bytes:
            held = f" (this load holds {format_bytes(self.used_bytes)} already)" * bool(
                self.used_bytes
            )
            raise BudgetError(
                f"{what} needs {format_bytes(nbytes)}{held}, more than nn3's budget for one "
                f"load ({format_bytes(self.max_bytes)}; set NN3_MAX_LOAD_BYTES to raise it); "
                "refused before allocating"
            )
        self.used_bytes += nbytes

    def charge_items(self, count: int, what: str) -> None:
        """Count ``count`` cells, struct elements, objects or references for ``what``."""
        if self.used_items + count > self.max_items:
            raise BudgetError(
                f"{what} holds {count} cells, struct elements or references "
                f"({self.used_items + count} in this load), more than nn3's budget for one load "
                f"({self.max_items}; set NN3_MAX_LOAD_ITEMS to raise it); refused before "
                "reading them"
            )
        self.used_items += count


_BUDGET: contextvars.ContextVar["LoadBudget | None"] = contextvars.ContextVar(
    "nn3_load_budget", default=None
)


def budget() -> LoadBudget:
    """The budget of the load under way (a fresh one outside :func:`~nn3.mat.load_mat`)."""
    current = _BUDGET.get()
    if current is None:
        current = LoadBudget()
        _BUDGET.set(current)
    return current


def active_budget() -> LoadBudget:
    """The budget of the load under way, or a fresh one (not kept) when no load is under way.

    For readers called both inside :func:`~nn3.mat.load_mat` (which shares one budget among a
    file's variables) and on their own (then each call gets a budget of its own).
    """
    current = _BUDGET.get()
    return current if current is not None else LoadBudget()


def start_budget(current: LoadBudget | None = None) -> contextvars.Token:
    """Make ``current`` (default: a fresh budget) the load's budget.

    Give the token to :func:`end_budget` when the load is done.
    """
    return _BUDGET.set(current if current is not None else LoadBudget())


def end_budget(token: contextvars.Token) -> None:
    _BUDGET.reset(token)


def to_class(values: np.ndarray, dtype: DTypeLike, what: str, cls: str) -> np.ndarray:
    """``values`` as MATLAB class ``cls`` (numpy ``dtype``), refusing values the class cannot hold.

    A file whose class attribute says ``int8`` over data 0..1000 lies about its class; casting
    would wrap the values around (1000 -> -24) and saturating as MATLAB's ``int8()`` does would
    silently change them (1000 -> 127). Either way the numbers would not be the file's, so nn3
    refuses: integer classes must hold whole, finite values within their range.
    """
    dtype = np.dtype(dtype)
    if values.dtype == dtype:
        return values
    if dtype.kind in "iu" and values.size and values.dtype.kind in "iufb":
        info = np.iinfo(dtype)
        if values.dtype.kind == "f":
            finite = np.isfinite(values)
            ok = bool(finite.all()) and bool(np.all(values == np.round(values)))
        else:
            ok = True
        lo, hi = values.min(), values.max()
        if not ok or lo < info.min or hi > info.max:
            shown_range = f"values from {lo} to {hi}" if ok else "values that are not whole numbers"
            raise FileContentError(
                f"{what}: its class says '{cls}' but the data are {values.dtype} {shown_range}, "
                f"which '{cls}' cannot hold (the file's class is wrong; nn3 neither wraps nor "
                "saturates them)"
            )
    return values.astype(dtype)


def describe(value: Any) -> str:
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
        return f"a {size} {dtype_class(value.dtype)} array"
    return type(value).__name__


def format_size(size: Iterable[int]) -> str:
    """``(5000, 400)`` as MATLAB writes it: ``"5000x400"``."""
    return "x".join(str(d) for d in size)


DTYPE_CLASSES = {
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


def dtype_class(dtype: DTypeLike) -> str:
    """The MATLAB class of an array's elements (complex: the class of its parts)."""
    dtype = np.dtype(dtype)
    if dtype.kind in "US":
        return "char"
    if dtype.kind == "f" and dtype.itemsize == 2:
        return "single"  # half precision has no MATLAB class; single is the nearest
    if dtype.kind == "f" and dtype.itemsize > 8:
        return "double"
    return DTYPE_CLASSES.get(f"{dtype.kind}{dtype.itemsize}", str(dtype))


CLASS_DTYPES = {
    "double": np.float64,
    "single": np.float32,
    "int8": np.int8,
    "uint8": np.uint8,
    "int16": np.int16,
    "uint16": np.uint16,
    "int32": np.int32,
    "uint32": np.uint32,
    "int64": np.int64,
    "uint64": np.uint64,
}


def matlab_shape(shape: Iterable[int]) -> tuple[int, ...]:
    """MATLAB's size: at least 2-D (a vector is a column), no trailing singletons past 2-D."""
    shape = tuple(int(d) for d in shape)
    if len(shape) == 0:
        return (1, 1)
    if len(shape) == 1:
        return (shape[0], 1)
    while len(shape) > 2 and shape[-1] == 1:
        shape = shape[:-1]
    return shape


def densify(value: Any, path: str = "<data>", name: str = "X") -> np.ndarray:
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
            f"{path}: variable '{shown(name)}' is a sparse {format_size(value.shape)} matrix; as a "
            f"dense matrix it would have {n} elements, more than nn3 allows ({MAX_DENSE_ELEMENTS})"
        )
    itemsize = np.dtype(getattr(value, "dtype", np.float64)).itemsize
    try:
        LoadBudget().charge_bytes(
            n * itemsize, f"as a dense matrix, the sparse {format_size(value.shape)} matrix"
        )
    except BudgetError as exc:
        raise MatFileError(f"{path}: variable '{shown(name)}': {exc}") from None
    return value.toarray()


def check_regular(path: str, kind: str = "a .mat file") -> os.stat_result:
    """The status of ``path`` if it is a regular file nn3 may read; it is not opened.

    A FIFO, device, socket or directory is refused before anything opens it: opening a FIFO
    for reading waits for a writer (forever), and a device can have effects or never end.

    Parameters
    ----------
    path : str
    kind : str
        What the file should be, for the message about a directory (``"a .mat file"``).

    Raises
    ------
    MatFileError
        One line naming ``path``: missing (or a broken symbolic link), a part of the path is
        not a folder, permission denied, a directory, or not a regular file.
    """
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
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the name
        raise MatFileError(
            f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})"
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise MatFileError(f"{path}: is a directory, not {kind}")
    if not stat.S_ISREG(st.st_mode):
        raise MatFileError(f"{path}: {_not_regular(st.st_mode)}")
    if not os.access(path, os.R_OK):
        raise MatFileError(f"{path}: permission denied")
    return st


def _not_regular(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return f"is {name}, not a regular file"
    return "not a regular file"


def open_regular(path: str, kind: str = "a .mat file") -> BinaryIO:
    """``path`` opened for reading (binary), refusing anything but a regular file before opening.

    :func:`check_regular` first; the file is then opened without blocking (a FIFO put in its
    place meanwhile cannot make ``open`` wait) and checked again through the open descriptor.

    Raises
    ------
    MatFileError
        As :func:`check_regular`, or the file cannot be opened.
    """
    check_regular(path, kind)
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, name, 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        raise MatFileError(f"{path}: permission denied") from None
    except OSError as exc:
        raise MatFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # replaced between the check and the open
            raise MatFileError(f"{path}: {_not_regular(mode)}")
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_count(n: int, dims: tuple[int, ...], what: str) -> None:
    if n > MAX_ELEMENTS:
        raise FileContentError(
            f"{what} claims {format_size(dims)} = {n} elements, more than nn3 reads "
            f"(nn3.matio.MAX_ELEMENTS = {MAX_ELEMENTS}); refused before allocating"
        )


def check_name(path: str, name: object, where: str = "variable") -> None:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise MatFileError(
            f"{path}: cannot save {where} {name!r}: MATLAB names start with a letter and hold "
            "at most 63 letters, digits and underscores"
        )
