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

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from ..errors import MatFileError

#: The most elements one array may claim; larger claims are refused before any allocation.
MAX_ELEMENTS = 10**9


#: The most elements :func:`densify` turns a sparse matrix into (2**28 doubles = 2 GiB).
MAX_DENSE_ELEMENTS = 2**28


#: Deepest nesting of cells and structs read (a corrupt file can claim endless nesting).
MAX_DEPTH = 64


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
            f"{path}: variable '{name}' is a sparse {format_size(value.shape)} matrix; as a dense "
            f"matrix it would have {n} elements, more than nn3 allows ({MAX_DENSE_ELEMENTS})"
        )
    return value.toarray()


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
