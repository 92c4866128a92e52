"""MATLAB's view of a value: its class, attributes and size, as ``whos`` shows them.

Classes come from the values as :func:`nn3.matio.load_mat` returns them: float64 is ``double``,
float32 ``single``, bool ``logical``, str and arrays of single characters (N-D char) ``char``,
dict ``struct``, an object array ``cell`` (``struct`` when every element is a dict), scipy sparse
matrices their element class with the attribute ``sparse``.
"""

from typing import Any, Protocol, TypeGuard

import numpy as np

from ..mat import DTYPE_CLASSES as _DTYPE_CLASSES
from ..mat import dtype_class as _dtype_class
from ..mat import matlab_shape
from ..mat import str_codes as _str_codes

NUMERIC_CLASSES = frozenset(_DTYPE_CLASSES.values())


class SparseLike(Protocol):
    """What :func:`is_sparse` looks for in a scipy sparse matrix (or array), and its dtype."""

    dtype: np.dtype
    nnz: int

    def tocsc(self) -> Any: ...


def is_sparse(value: object) -> TypeGuard[SparseLike]:
    """True for a scipy sparse matrix (or array)."""
    return hasattr(value, "tocsc") and hasattr(value, "nnz")


def matlab_class(value: object) -> str:
    """The MATLAB class of a value as :func:`nn3.matio.load_mat` returns it.

    Parameters
    ----------
    value : ndarray, str, dict, scipy sparse matrix, or Python scalar

    Returns
    -------
    cls : str
        ``"double"``, ``"single"``, ``"logical"``, ``"char"``, ``"int8"`` ... ``"uint64"``,
        ``"struct"``, ``"cell"``; for a MATLAB object (:class:`nn3.matio.MatlabObject`) its
        class name; another type's name for anything else. Complex and sparse
        values have the class of their elements (as MATLAB's ``class``); see
        :func:`matlab_attributes`.
    """
    if isinstance(value, str):
        return "char"
    if isinstance(value, dict):
        return "struct"
    if isinstance(value, (bool, np.bool_)):
        return "logical"
    if isinstance(value, (int, float, complex)):
        return "double"
    if is_sparse(value):
        return _dtype_class(value.dtype)
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            if value.size and all(isinstance(v, dict) for v in value.flat):
                return "struct"
            return "cell"
        return _dtype_class(value.dtype)
    if isinstance(value, np.generic):
        return _dtype_class(value.dtype)
    class_name = getattr(value, "class_name", None)  # nn3.matio.MatlabObject
    if isinstance(class_name, str):
        return class_name
    return type(value).__name__


def matlab_attributes(value: object) -> tuple[str, ...]:
    """Attributes MATLAB's ``whos`` shows: a tuple of ``"complex"`` and/or ``"sparse"``."""
    attrs = []
    dtype = getattr(value, "dtype", None)
    if isinstance(value, complex) or (dtype is not None and np.dtype(dtype).kind == "c"):
        attrs.append("complex")
    if is_sparse(value):
        attrs.append("sparse")
    return tuple(attrs)


def matlab_size(value: object) -> tuple[int, ...]:
    """MATLAB's ``size`` of a value as :func:`nn3.matio.load_mat` returns it.

    Trailing singleton dimensions beyond the second are dropped, as MATLAB does; a 0-d array or
    Python scalar is 1x1, a 1-D array of n elements n x 1 (a column, as ``save_mat`` writes it).
    A char array read from a file (:class:`nn3.matio.MatlabChar`) has the size the file gives
    it. Any other str is a char row of its UTF-16 code units, ``1 x n`` (newlines included, as
    in MATLAB), and ``""`` is 0x0. An N-D char array (an ndarray of single characters) has its
    shape, as any array.

    Returns
    -------
    size : tuple of int
        At least two dimensions.
    """
    if isinstance(value, str):
        size = getattr(value, "matlab_size", None)  # nn3.matio.MatlabChar
        return tuple(size) if size is not None else _str_codes(value).shape
    if isinstance(value, dict):
        return (1, 1)
    shape = getattr(value, "shape", None)
    if shape is None:
        return (1, 1)
    return matlab_shape(shape)


def format_class(cls: str, attributes: tuple[str, ...] = ()) -> str:
    """``"double"``, or with attributes ``"double (complex, sparse)"``."""
    return f"{cls} ({', '.join(attributes)})" if attributes else cls
