"""Comparing MATLAB variables: class, size, and element-wise differences.

What ``nn3 compare`` and :func:`nn3.testing.assert_mat_allclose` report. For each variable of the
*expected* side: is it present on the *actual* side, with the same MATLAB class and size, and how
far apart are the values: the largest absolute difference ``|a - e|``, the largest relative
difference ``|a - e| / |e|``, the largest distance in units in the last place (ULPs, the number of
representable floating-point numbers between ``a`` and ``e``), and the worst element's position
in MATLAB notation (1-based, ``(row, col)``).

An element passes when

* ``a`` and ``e`` are equal (``Inf == Inf`` of the same sign, ``0 == -0``), or both NaN: NaN
  equals NaN in the same position, as MATLAB's ``isequaln``;
* else, by default, both are finite and ``|a - e| <= atol + rtol * |e|`` (numpy's
  ``assert_allclose`` rule, with the expected value as the reference), or, with
  ``relative_to="max"``, ``|a - e| <= atol + rtol * max|e|`` over the variable's finite elements;
* else, when ``ulps`` is given, both are finite and at most ``ulps`` ULPs apart. ``ulps`` replaces
  the ``rtol``/``atol`` test, so ``ulps=0`` demands identical bits.

char variables are compared exactly (no tolerance), in their MATLAB size. Integer and logical
classes are compared exactly as integers, never through float64: ``|a - e| <= atol`` (``rtol``
does not apply), or ``<= ulps``; an integer side against a float side too, each float having to be
a whole number. ULPs are counted in single precision when both sides are ``single``, in double
precision otherwise. Complex values compare their real and imaginary parts. Sparse matrices are
compared over the positions either side stores, never densified.

Classes come from the values as :func:`nn3.matio.load_mat` returns them: float64 is ``double``,
float32 ``single``, bool ``logical``, str and arrays of single characters (N-D char) ``char``,
dict ``struct``, an object array ``cell`` (``struct`` when every element is a dict), scipy sparse
matrices their element class with the attribute ``sparse``. Struct fields are named ``data.X``,
cell elements ``c{2,1}`` and struct-array elements ``s(1,2).x``.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from .errors import MatFileError, OptionError
from .mat._base import DTYPE_CLASSES as _DTYPE_CLASSES
from .mat._base import dtype_class as _dtype_class
from .mat._base import str_codes as _str_codes
from .matio import (
    format_size,
    get_variable,
    load_mat,
    matlab_shape,
)

#: The numeric MATLAB classes, logical included: every class a numeric dtype stands for.
_NUMERIC_CLASSES = frozenset(_DTYPE_CLASSES.values())


def _is_sparse(value):
    return hasattr(value, "tocsc") and hasattr(value, "nnz")


def matlab_class(value):
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
    if _is_sparse(value):
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


def matlab_attributes(value):
    """Attributes MATLAB's ``whos`` shows: a tuple of ``"complex"`` and/or ``"sparse"``."""
    attrs = []
    dtype = getattr(value, "dtype", None)
    if isinstance(value, complex) or (dtype is not None and np.dtype(dtype).kind == "c"):
        attrs.append("complex")
    if _is_sparse(value):
        attrs.append("sparse")
    return tuple(attrs)


def matlab_size(value):
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


def format_class(cls, attributes=()):
    """``"double"``, or with attributes ``"double (complex, sparse)"``."""
    return f"{cls} ({', '.join(attributes)})" if attributes else cls


def format_position(position):
    """A 1-based subscript tuple in MATLAB notation: ``(3, 7)``."""
    return "(" + ", ".join(str(i) for i in position) + ")"


def ulp_distance(a, b):
    """Number of representable floating-point steps between ``a`` and ``b``, elementwise.

    Each float is mapped to an integer in the order of the real line (``-0.0`` and ``0.0`` both
    to 0), and the distance is the difference of those integers: 1 between a number and its
    ``numpy.nextafter``, 0 between equal numbers, ``2**52`` between 1 and 2 in double precision.

    Parameters
    ----------
    a, b : array_like of float32 or float64
        Broadcast together; counted in float32 when both are float32, else in float64.

    Returns
    -------
    d : ndarray of uint64
        Meaningless where either side is NaN (mask those out).
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.dtype == np.float32 and b.dtype == np.float32:
        ftype, itype, utype = np.float32, np.int32, np.uint32
    else:
        ftype, itype, utype = np.float64, np.int64, np.uint64
    ia = np.asarray(a, dtype=ftype).view(itype)
    ib = np.asarray(b, dtype=ftype).view(itype)
    low = np.iinfo(itype).min
    # Negative floats have the sign bit set: their integer order is reversed. low - i maps the
    # bit patterns of -0.0 ... -NaN onto 0 ... low + 1, below the positive ones.
    oa = np.where(ia < 0, low - ia, ia)
    ob = np.where(ib < 0, low - ib, ib)
    hi = np.maximum(oa, ob).astype(itype, copy=False).view(utype)
    lo = np.minimum(oa, ob).astype(itype, copy=False).view(utype)
    # Unsigned subtraction is exact modulo 2**bits, and the true distance is below that.
    with np.errstate(over="ignore"):
        return np.subtract(hi, lo).astype(np.uint64)


@dataclass
class Difference:
    """The comparison of one variable: what ``nn3 compare`` prints as one table row.

    Attributes
    ----------
    name : str
        ``Theta1``, a struct field ``data.X``, a cell element ``c{2,1}``.
    passed : bool
    problem : str
        Why it failed (``""`` when it passed): ``"missing in ACTUAL"``,
        ``"class double vs single"``, ``"size 3x2 vs 2x3"``, ``"3 of 6 elements differ"``.
    expected_class, actual_class : str or None
        With attributes, e.g. ``"double (complex)"``; None when absent.
    expected_size, actual_size : tuple of int or None
    n_elements : int
        Elements compared (0 when the sizes differ).
    n_failed : int
        Elements outside the tolerance.
    max_abs, max_rel : float or None
        Largest ``|a - e|`` and ``|a - e| / |e|`` (``inf`` where one side is NaN or Inf and the
        other is not, or where ``e == 0 != a``); None when not computed.
    max_ulps : int, float or None
        Largest ULP distance (an int; ``inf`` as for ``max_abs``); for char the largest
        character-code difference.
    worst : tuple of int or None
        1-based MATLAB subscripts of the worst element: the failing element farthest from its
        expected value (by ULPs under ``ulps``, else by absolute difference), or, when none
        fails, the farthest element; None when all are identical.
    worst_expected, worst_actual : float, complex, str or None
        The values there.
    """

    name: str
    passed: bool
    problem: str = ""
    expected_class: str | None = None
    actual_class: str | None = None
    expected_size: tuple | None = None
    actual_size: tuple | None = None
    n_elements: int = 0
    n_failed: int = 0
    max_abs: float | None = None
    max_rel: float | None = None
    max_ulps: int | float | None = None
    worst: tuple | None = None
    worst_expected: object = None
    worst_actual: object = None

    @property
    def worst_label(self):
        """``Theta1(3, 7)``, or ``""`` when there is no worst element."""
        return f"{self.name}{format_position(self.worst)}" if self.worst else ""

    def describe(self):
        """The facts as a few lines of text (used in assertion messages)."""
        head = "ok" if self.passed else self.problem
        if self.name:
            head = f"{self.name}: {head}"
        lines = [head]
        if self.expected_class is not None:
            actual = "missing"
            if self.actual_class is not None:
                actual = f"{self.actual_class} {format_size(self.actual_size)}"
            lines.append(
                f"  expected {self.expected_class} {format_size(self.expected_size)}, "
                f"actual {actual}"
            )
        if self.worst:
            lines.append(
                f"  worst element {self.worst_label}: expected "
                f"{format_value(self.worst_expected)}, actual {format_value(self.worst_actual)}"
            )
        if self.max_abs is not None:
            lines.append(
                f"  max abs difference {format_number(self.max_abs, full=True)}, "
                f"max rel difference {format_number(self.max_rel, full=True)}, "
                f"max ULP distance {format_number(self.max_ulps, full=True)}"
            )
        return "\n".join(lines)

    def to_dict(self):
        """A JSON-ready dict (non-finite numbers as the strings ``"Inf"``, ``"NaN"``)."""
        return {
            "name": self.name,
            "passed": self.passed,
            "problem": self.problem,
            "expected_class": self.expected_class,
            "actual_class": self.actual_class,
            "expected_size": list(self.expected_size) if self.expected_size else None,
            "actual_size": list(self.actual_size) if self.actual_size else None,
            "elements": self.n_elements,
            "failed_elements": self.n_failed,
            "max_abs": _json_number(self.max_abs),
            "max_rel": _json_number(self.max_rel),
            "max_ulps": _json_number(self.max_ulps),
            "worst": list(self.worst) if self.worst else None,
            "worst_expected": _json_value(self.worst_expected),
            "worst_actual": _json_value(self.worst_actual),
        }


def _json_number(x):
    if x is None:
        return None
    if isinstance(x, float) and not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Inf" if x > 0 else "-Inf")
    return x


def _json_value(x):
    if isinstance(x, complex):
        return format_value(x)
    return _json_number(x)


def format_number(x, full=False):
    """A difference for display: ``-`` for None, ``Inf``, integers as such, else ``%.3g``."""
    if x is None:
        return "-"
    if isinstance(x, float) and not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Inf" if x > 0 else "-Inf")
    if isinstance(x, (int, np.integer)):
        return str(int(x)) if (full or x < 10**7) else f"{float(x):.3g}"
    if x == 0:
        return "0"
    return repr(float(x)) if full else f"{x:.3g}"


def format_value(x):
    """An element's value in full precision (``%.17g``), MATLAB's ``Inf``/``NaN``, chars quoted."""
    if x is None:
        return "-"
    if isinstance(x, str):
        return repr(x)
    if isinstance(x, complex):
        sign = "-" if x.imag < 0 or (x.imag == 0 and math.copysign(1, x.imag) < 0) else "+"
        return f"{format_value(x.real)}{sign}{format_value(abs(x.imag))}i"
    if isinstance(x, bool):
        return str(int(x))
    if isinstance(x, int):
        return str(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return f"{x:.17g}"


# --- values to arrays -----------------------------------------------------------------------

#: The two ways ``rtol`` scales: by each expected element, or by the variable's largest one.
RELATIVE_TO = ("element", "max")

_U64_MAX = np.iinfo(np.uint64).max


def _char_codes(text, size):
    """A char value as an array of character codes of MATLAB size ``size``.

    A loaded char array (:class:`nn3.matio.MatlabChar`) gives the codes the file holds, a plain
    str its UTF-16 code units as a row (as MATLAB holds text), an array of single characters
    its code points.
    """
    codes = getattr(text, "codes", None)
    if codes is not None:
        return np.asarray(codes, dtype=np.int64).reshape(size, order="F")
    if isinstance(text, np.ndarray):
        if text.dtype.kind == "U" and text.dtype.itemsize == 4:  # '<U1': char(0) included
            codes = np.ascontiguousarray(text, dtype="=U1").view(np.uint32)
        else:
            codes = np.vectorize(ord, otypes=[np.int64])(text) if text.size else text
        return np.asarray(codes, dtype=np.int64).reshape(size, order="F")
    return _str_codes(text).reshape(size, order="F")


def _numeric_array(value, size):
    """A dense numeric value as an ndarray of MATLAB size ``size`` (None when not numeric)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufc":
        return None
    return arr.reshape(size, order="F")


def _sparse_pairs(expected, actual, size):
    """Expected and actual values where either side stores an element, without densifying.

    A sparse matrix holds only its nonzeros; every other element is 0 on that side. Elements
    neither side stores are 0 on both and equal. A dense side is made sparse (it is in memory
    already, so that costs at most its own size).

    Returns
    -------
    keys : ndarray of int64
        Column-major linear indices (0-based) of the positions compared, increasing.
    e, a : ndarray
        The values there.
    """
    import scipy.sparse

    m = size[0]
    sides = []
    for value in (expected, actual):
        coo = scipy.sparse.coo_matrix(value if _is_sparse(value) else np.asarray(value))
        coo.sum_duplicates()
        keys = coo.col.astype(np.int64) * m + coo.row.astype(np.int64)
        sides.append((keys, coo.data))
    keys = np.union1d(sides[0][0], sides[1][0])
    values = []
    for side_keys, data in sides:
        full = np.zeros(keys.size, dtype=data.dtype)
        full[np.searchsorted(keys, side_keys)] = data
        values.append(full)
    return keys, values[0], values[1]


def _element(arr, index, char):
    v = arr[index]
    if char:
        return chr(int(v))
    if arr.dtype.kind == "b":
        return bool(v)
    if arr.dtype.kind in "iuO":
        return int(v)
    if arr.dtype.kind == "c":
        return complex(v)
    return float(v)


def _real_parts(e, a):
    """Per-element facts for real float arrays ``e``, ``a`` of one dtype.

    Returns equal, finite, the absolute difference (inf where one side is NaN or Inf and the
    other is not), and the ULP distance as uint64 (0 where equal, the largest uint64 where one
    side is NaN or Inf and the other is not).
    """
    e_nan = np.isnan(e)
    a_nan = np.isnan(a)
    with np.errstate(invalid="ignore", over="ignore"):
        equal = (a == e) | (e_nan & a_nan)
        finite = np.isfinite(a) & np.isfinite(e)
        diff = np.abs(a.astype(np.float64) - e.astype(np.float64))
    diff[equal] = 0.0
    diff[~equal & ~finite] = np.inf
    dist = ulp_distance(a, e)
    dist[equal] = 0
    dist[~equal & ~finite] = _U64_MAX
    return equal, finite, diff, dist


def compare_values(
    expected,
    actual,
    rtol=1e-10,
    atol=0.0,
    ulps=None,
    name="",
    check_class=True,
    relative_to="element",
):
    """Compare one MATLAB value with another.

    Parameters
    ----------
    expected, actual : ndarray, str, scipy sparse matrix or Python scalar
        As :func:`nn3.matio.load_mat` returns them (``actual`` is ``None`` when absent).
        structs and cells are compared by :func:`compare_variables`, field by field.
    rtol, atol : float
        Element test ``|a - e| <= atol + rtol * |e|`` (ignored when ``ulps`` is given).
        Integer and logical values compare exactly: ``|a - e| <= atol``, ``rtol`` unused.
    ulps : int, optional
        Element test: at most this many ULPs apart (integers: at most this far apart).
    name : str
        Variable name for the report.
    check_class : bool, default True
        A different MATLAB class fails the comparison (values are still compared when both are
        numeric and of one size).
    relative_to : {"element", "max"}, default "element"
        What ``rtol`` scales: ``"element"`` each expected element ``|e|``, ``"max"`` the
        largest finite ``|e|`` of the variable (``|a - e| <= atol + rtol * max|e|``).

    Returns
    -------
    Difference

    Raises
    ------
    OptionError
        A negative tolerance, ``ulps`` not a whole number, or an unknown ``relative_to``.
    """
    _check_tolerances(rtol, atol, ulps, relative_to)
    e_cls, a_cls = matlab_class(expected), None
    e_size = matlab_size(expected)
    e_label = format_class(e_cls, matlab_attributes(expected))
    if actual is None:
        return Difference(
            name,
            False,
            "missing in ACTUAL",
            expected_class=e_label,
            expected_size=e_size,
        )
    a_cls = matlab_class(actual)
    a_size = matlab_size(actual)
    result = Difference(
        name,
        True,
        expected_class=e_label,
        actual_class=format_class(a_cls, matlab_attributes(actual)),
        expected_size=e_size,
        actual_size=a_size,
    )
    problems = []
    comparable = (e_cls == "char" and a_cls == "char") or (
        e_cls in _NUMERIC_CLASSES and a_cls in _NUMERIC_CLASSES
    )
    if e_cls != a_cls and (check_class or not comparable):
        problems.append(f"class {e_cls} vs {a_cls}")
    if e_size != a_size:
        problems.append(f"size {format_size(e_size)} vs {format_size(a_size)}")
    elif comparable:
        tol = _Tolerance(rtol, atol, ulps, relative_to)
        _compare_elements(result, expected, actual, e_size, e_cls == "char", tol)
        if result.n_failed:
            problems.append(f"{result.n_failed} of {result.n_elements} elements differ")
    elif e_cls == a_cls:
        problems.append(f"cannot compare values of class {e_cls}")
    if problems:
        result.passed = False
        result.problem = "; ".join(problems)
    return result


@dataclass(frozen=True)
class _Tolerance:
    rtol: float
    atol: float
    ulps: int | None
    relative_to: str


def _compare_elements(result, expected, actual, size, char, tol):
    keys = None
    if char:
        e = np.ravel(_char_codes(expected, size), order="F")
        a = np.ravel(_char_codes(actual, size), order="F")
    elif _is_sparse(expected) or _is_sparse(actual):
        keys, e, a = _sparse_pairs(expected, actual, size)
    else:
        e = np.ravel(_numeric_array(expected, size), order="F")
        a = np.ravel(_numeric_array(actual, size), order="F")
    result.n_elements = math.prod(size)
    if e.size == 0:
        if not char:
            result.max_abs = result.max_rel = 0.0
            result.max_ulps = 0
        return
    if char:
        # Exact: the worst element is the first differing character.
        ok = a == e
        diff = dist = (~ok).astype(np.float64)
    else:
        ok, diff, rel, dist = _numeric_facts(e, a, tol)
        result.max_abs = _top(diff)
        result.max_rel = float(rel.max())
        top = dist.max()
        if diff.dtype.kind in "uO":  # integers: a ULP is 1, the distance the exact difference
            result.max_ulps = result.max_abs
        else:
            result.max_ulps = math.inf if top == _U64_MAX else int(top)
    failed = ~ok
    result.n_failed = int(np.count_nonzero(failed))
    # Worst element: by the measure the test uses, among the failures if any; ties go to the
    # first in MATLAB's column-major order, as MATLAB's max does.
    key = dist.astype(np.float64) if tol.ulps is not None else diff.astype(np.float64)
    if result.n_failed:
        key = np.where(failed, key, -1.0)
    k = int(np.argmax(key))
    if key[k] <= 0 and not result.n_failed:
        return
    linear = k if keys is None else int(keys[k])
    index = np.unravel_index(linear, size, order="F")
    result.worst = tuple(int(i) + 1 for i in index)
    result.worst_expected = _element(e, k, char)
    result.worst_actual = _element(a, k, char)


def _top(diff):
    """The largest absolute difference: an int for integer data, else a float."""
    top = diff.max()
    if diff.dtype.kind in "uO":
        return int(top)
    return float(top)


def _numeric_facts(e, a, tol):
    """ok, abs difference, rel difference, ULP distance (uint64) per element of 1-D ``e``, ``a``.

    Integer and logical data (and an integer side against a float side) are compared exactly as
    integers; floating-point data by ``tol``.
    """
    kinds = {e.dtype.kind, a.dtype.kind}
    if kinds <= set("biu"):
        return _integer_facts(e, a, tol)
    if kinds & set("biu"):
        return _mixed_facts(e, a, tol)
    if "c" in kinds:
        single = e.dtype == np.complex64 and a.dtype == np.complex64
        ftype = np.float32 if single else np.float64
        ec = e.astype(np.complex64 if single else np.complex128)
        ac = a.astype(np.complex64 if single else np.complex128)
        eq_r, fin_r, d_r, u_r = _real_parts(ec.real.astype(ftype), ac.real.astype(ftype))
        eq_i, fin_i, d_i, u_i = _real_parts(ec.imag.astype(ftype), ac.imag.astype(ftype))
        equal = eq_r & eq_i
        finite = fin_r & fin_i
        diff = np.hypot(d_r, d_i)
        dist = np.maximum(u_r, u_i)
        with np.errstate(invalid="ignore"):
            mag = np.abs(ec.astype(np.complex128))
    else:
        single = e.dtype == np.float32 and a.dtype == np.float32
        ftype = np.float32 if single else np.float64
        ef = e.astype(ftype, copy=False)
        af = a.astype(ftype, copy=False)
        equal, finite, diff, dist = _real_parts(ef, af)
        mag = np.abs(ef.astype(np.float64))
    if tol.relative_to == "max":
        finite_mag = mag[np.isfinite(mag)]
        scale = float(finite_mag.max()) if finite_mag.size else 0.0
    else:
        scale = mag
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff == 0, 0.0, diff / scale)
    rel[np.isnan(rel)] = np.inf
    if tol.ulps is None:
        ok = equal | (finite & (diff <= tol.atol + tol.rtol * scale))
    else:
        ok = equal | (finite & (dist <= np.uint64(tol.ulps)))
    return ok, diff, rel, dist


def _as_int64_or_uint64(x):
    """Integer or logical values without loss: int64 for signed and logical, uint64 unsigned."""
    if x.dtype.kind == "u":
        return x.astype(np.uint64, copy=False)
    return x.astype(np.int64, copy=False)


def _int_difference(e, a):
    """``|a - e|`` of integer arrays, exactly: uint64, or Python ints (object) past 2**64 - 1."""
    e = _as_int64_or_uint64(e)
    a = _as_int64_or_uint64(a)
    if e.dtype != a.dtype:
        signed, unsigned = (e, a) if e.dtype == np.int64 else (a, e)
        if not unsigned.size or unsigned.max() <= np.iinfo(np.int64).max:
            return _int_difference(e.astype(np.int64), a.astype(np.int64))
        if signed.min() >= 0:
            return _int_difference(e.astype(np.uint64), a.astype(np.uint64))
        return np.abs(a.astype(object) - e.astype(object))
    # One dtype: the difference modulo 2**64 of the bit patterns is exact, since |a - e| < 2**64.
    ue, ua = e.view(np.uint64), a.view(np.uint64)
    with np.errstate(over="ignore"):
        return np.where(a >= e, ua - ue, ue - ua)


def _integer_ok(diff, tol):
    """``diff <= atol`` (or ``<= ulps``) for exact integer differences, without rounding."""
    limit = tol.ulps if tol.ulps is not None else tol.atol
    threshold = limit if math.isinf(limit) else math.floor(limit)  # an int, exactly
    if diff.dtype == object:
        return np.array([d <= threshold for d in diff], dtype=bool)
    return diff <= np.uint64(min(threshold, int(_U64_MAX)))


def _integer_facts(e, a, tol):
    """Integer and logical classes: exact differences, never through float64.

    Passes when ``|a - e| <= atol`` (``rtol`` does not apply: a relative tolerance on integers
    of 2**60 would allow differences of 10**8), or ``<= ulps`` when given.
    """
    diff = _int_difference(e, a)
    ok = _integer_ok(diff, tol)
    dist = _clamped_u64(diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.abs(e.astype(np.float64))
        rel = np.where(dist == 0, 0.0, dist.astype(np.float64) / mag)
    return ok, diff, rel, dist


def _clamped_u64(diff):
    if diff.dtype == object:
        return np.array([min(d, int(_U64_MAX)) for d in diff], dtype=np.uint64)
    return diff


def _mixed_facts(e, a, tol):
    """An integer or logical side against a floating-point (or complex) side, exactly.

    Each float element must be a whole number (with zero imaginary part) and is then compared
    with the integer exactly, as two integers (``|a - e| <= atol``, or ``<= ulps``): ``2**60``
    as a double equals int64 ``2**60`` and not ``2**60 + 1``. A float element that is not a
    whole number, NaN or Inf never equals an integer.
    """
    e_is_int = e.dtype.kind in "biu"
    ints, floats = (e, a) if e_is_int else (a, e)
    real = floats.real.astype(np.float64) if floats.dtype.kind == "c" else floats
    real = real.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(real) & (real == np.floor(real))
        if floats.dtype.kind == "c":
            whole &= floats.imag == 0
        whole &= (real >= -(2.0**63)) & (real < 2.0**64)
    if not np.any(whole & (real >= 2.0**63)):
        # A whole double below 2**63 converts to int64 exactly.
        exact = _int_difference(ints, np.where(whole, real, 0.0).astype(np.int64))
    else:
        as_int = np.zeros(real.shape, dtype=object)
        as_int[whole] = [int(v) for v in real[whole]]
        exact = np.abs(ints.astype(object) - as_int)
    ok = whole & _integer_ok(exact, tol)
    with np.errstate(invalid="ignore", over="ignore"):
        approx = np.abs(real - ints.astype(np.float64))
    diff = np.where(whole, exact.astype(np.float64), approx)
    diff[~whole & ~np.isfinite(diff)] = np.inf
    diff[~whole & (diff == 0)] = np.inf  # a non-whole or complex value differs from any integer
    dist = np.where(whole, _clamped_u64(exact), _U64_MAX).astype(np.uint64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.abs(e.real.astype(np.float64) if e.dtype.kind == "c" else e.astype(np.float64))
        rel = np.where(diff == 0, 0.0, diff / mag)
    rel[np.isnan(rel)] = np.inf
    return ok, diff, rel, dist


# --- structs, cells, files ------------------------------------------------------------------


def _is_container(value):
    return isinstance(value, np.ndarray) and value.dtype == object


def _subscript_name(value, index):
    subs = ",".join(str(i + 1) for i in index)
    return f"({subs})" if matlab_class(value) == "struct" else f"{{{subs}}}"


def _leaves(value, name, steps=()):
    """(name, steps, value) for every comparable leaf of ``value``; steps walk the other side.

    Structs contribute their fields, cells and struct arrays a row for the container (class
    and size) and one per element, in column-major order.
    """
    if isinstance(value, dict):
        if not value:
            yield name, steps, value
        for key, item in value.items():
            yield from _leaves(item, f"{name}.{key}" if name else key, (*steps, ("field", key)))
    elif _is_container(value):
        yield name, steps, value
        for index in np.ndindex(*value.shape[::-1]):
            index = index[::-1]
            yield from _leaves(
                value[index], name + _subscript_name(value, index), (*steps, ("item", index))
            )
    else:
        yield name, steps, value


def _walk(value, steps):
    """Follow ``steps`` into ``value``; None when the path is not there."""
    for kind, key in steps:
        if kind == "field":
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        else:
            if not _is_container(value) or len(key) != value.ndim:
                return None
            if any(k >= n for k, n in zip(key, value.shape, strict=True)):
                return None
            value = value[key]
    return value


@dataclass
class ComparisonReport:
    """The result of :func:`compare_variables` or :func:`compare_files`.

    Attributes
    ----------
    results : list of Difference
        One per variable (struct field, cell element) of the expected side, in file order.
    extra : list of str
        Variables only on the actual side (not a failure).
    expected_path, actual_path : str
    rtol, atol : float
    ulps : int or None
    relative_to : {"element", "max"}
    """

    results: list
    extra: list = field(default_factory=list)
    expected_path: str = "EXPECTED"
    actual_path: str = "ACTUAL"
    rtol: float = 1e-10
    atol: float = 0.0
    ulps: int | None = None
    relative_to: str = "element"

    @property
    def passed(self):
        """True when every variable passed."""
        return all(r.passed for r in self.results)

    @property
    def failures(self):
        """The variables that did not pass."""
        return [r for r in self.results if not r.passed]

    @property
    def tolerance(self):
        """``"rtol 1e-10, atol 0"``, ``"rtol 1e-10 of max|e|, atol 0"`` or ``"ulps 0"``."""
        if self.ulps is not None:
            return f"ulps {self.ulps}"
        scale = " of max|e|" if self.relative_to == "max" else ""
        return f"rtol {self.rtol:g}{scale}, atol {self.atol:g}"

    def to_dict(self):
        """A JSON-ready dict of the whole comparison."""
        return {
            "expected": self.expected_path,
            "actual": self.actual_path,
            "rtol": self.rtol,
            "atol": self.atol,
            "ulps": self.ulps,
            "relative_to": self.relative_to,
            "passed": self.passed,
            "variables": [r.to_dict() for r in self.results],
            "extra": list(self.extra),
        }

    def format_table(self):
        """The readable report ``nn3 compare`` prints: a table, the worst elements, a summary."""
        header = ("variable", "class", "size", "max abs", "max rel", "max ulps", "worst", "result")
        rows = []
        for r in self.results:
            cls = r.expected_class or "-"
            if r.actual_class is not None and r.actual_class != r.expected_class:
                cls = f"{cls}/{r.actual_class}"
            size = format_size(r.expected_size) if r.expected_size else "-"
            if r.actual_size is not None and r.actual_size != r.expected_size:
                size = f"{size}/{format_size(r.actual_size)}"
            rows.append(
                (
                    r.name,
                    cls,
                    size,
                    format_number(r.max_abs),
                    format_number(r.max_rel),
                    format_number(r.max_ulps),
                    format_position(r.worst) if r.worst else "-",
                    "ok" if r.passed else f"FAIL: {r.problem}",
                )
            )
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
        lines = [
            f"Comparing {self.actual_path} (actual) with {self.expected_path} (expected), "
            f"{self.tolerance}"
        ]
        for row in [header, *rows]:
            cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
            lines.append("  ".join([*cells, row[-1]]).rstrip())
        for r in self.failures:
            if r.worst:
                lines.append(
                    f"{r.worst_label}: expected {format_value(r.worst_expected)}, "
                    f"actual {format_value(r.worst_actual)}"
                )
        if self.extra:
            lines.append(f"Only in {self.actual_path}: " + ", ".join(self.extra))
        n_bad = len(self.failures)
        if n_bad:
            lines.append(f"FAILED: {n_bad} of {len(self.results)} variables differ")
        else:
            n = len(self.results)
            lines.append(
                "PASSED: the variable matches" if n == 1 else f"PASSED: all {n} variables match"
            )
        return "\n".join(lines)


def compare_variables(
    expected,
    actual,
    names=None,
    rtol=1e-10,
    atol=0.0,
    ulps=None,
    check_class=True,
    expected_path="EXPECTED",
    actual_path="ACTUAL",
    relative_to="element",
):
    """Compare every variable of ``expected`` with the one of the same name in ``actual``.

    Parameters
    ----------
    expected, actual : dict
        Variables as :func:`nn3.matio.load_mat` returns them.
    names : sequence of str, optional
        Only these variables (struct fields as ``"data.X"``; a struct compares all its fields).
    rtol, atol, ulps, check_class, relative_to
        See :func:`compare_values` (``relative_to="max"`` scales by each variable's own
        largest element).
    expected_path, actual_path : str
        For messages and the report.

    Returns
    -------
    ComparisonReport

    Raises
    ------
    MatFileError
        A name in ``names`` is not in ``expected``.
    """
    _check_tolerances(rtol, atol, ulps, relative_to)
    if names:
        roots = []
        for name in names:
            value = get_variable(expected, name, expected_path)
            steps = tuple(("field", part) for part in name.split("."))
            roots.append((name, steps, value))
    else:
        roots = [(name, (("field", name),), value) for name, value in expected.items()]
    results = []
    seen = set()
    for root_name, root_steps, root_value in roots:
        for leaf_name, steps, value in _leaves(root_value, root_name, root_steps):
            seen.add(leaf_name)
            other = _walk(actual, steps)
            if _is_container(value) or isinstance(value, dict):
                results.append(_compare_container(value, other, leaf_name))
            else:
                results.append(
                    compare_values(
                        value,
                        other,
                        rtol=rtol,
                        atol=atol,
                        ulps=ulps,
                        name=leaf_name,
                        check_class=check_class,
                        relative_to=relative_to,
                    )
                )
    extra = []
    if not names:
        for root, value in actual.items():
            for leaf_name, _, _ in _leaves(value, root):
                if leaf_name not in seen:
                    extra.append(leaf_name)
    return ComparisonReport(
        results,
        extra,
        expected_path=str(expected_path),
        actual_path=str(actual_path),
        rtol=rtol,
        atol=atol,
        ulps=ulps,
        relative_to=relative_to,
    )


def _compare_container(expected, actual, name):
    """Class and size of a cell, struct array or empty struct (elements are rows of their own)."""
    e_cls = matlab_class(expected)
    e_size = matlab_size(expected)
    if actual is None:
        return Difference(
            name, False, "missing in ACTUAL", expected_class=e_cls, expected_size=e_size
        )
    a_cls = matlab_class(actual)
    a_size = matlab_size(actual)
    problems = []
    if e_cls != a_cls:
        problems.append(f"class {e_cls} vs {a_cls}")
    if e_size != a_size:
        problems.append(f"size {format_size(e_size)} vs {format_size(a_size)}")
    return Difference(
        name,
        not problems,
        "; ".join(problems),
        expected_class=e_cls,
        actual_class=a_cls,
        expected_size=e_size,
        actual_size=a_size,
    )


def _check_tolerances(rtol, atol, ulps, relative_to="element"):
    if relative_to not in RELATIVE_TO:
        raise OptionError(f"relative_to must be 'element' or 'max', got {relative_to!r}")
    if not rtol >= 0:
        raise OptionError(f"rtol must be a non-negative number, got {rtol}")
    if not atol >= 0:
        raise OptionError(f"atol must be a non-negative number, got {atol}")
    if ulps is not None and (int(ulps) != ulps or ulps < 0):
        raise OptionError(f"ulps must be a non-negative whole number, got {ulps}")


def compare_files(
    expected_path,
    actual_path,
    names=None,
    rtol=1e-10,
    atol=0.0,
    ulps=None,
    relative_to="element",
):
    """Compare the variables of two .mat files (any of v4, v5/v7, v7.3): ``nn3 compare``.

    Parameters
    ----------
    expected_path, actual_path : str or os.PathLike
    names : sequence of str, optional
        Only these variables of the expected file (``"data.X"`` for struct fields).
    rtol, atol : float
        Element test ``|a - e| <= atol + rtol * |e|`` (``relative_to="max"``: ``max|e|``).
    ulps : int, optional
        Element test by ULP distance instead.
    relative_to : {"element", "max"}, default "element"
        See :func:`compare_values`.

    Returns
    -------
    ComparisonReport

    Raises
    ------
    MatFileError
        A file is missing or unreadable, or a name in ``names`` is not in the expected file.
    """
    _check_tolerances(rtol, atol, ulps, relative_to)
    expected = load_mat(expected_path)
    actual = load_mat(actual_path)
    if not expected and not names:
        raise MatFileError(f"{expected_path}: no variables to compare")
    return compare_variables(
        expected,
        actual,
        names=names,
        rtol=rtol,
        atol=atol,
        ulps=ulps,
        expected_path=str(expected_path),
        actual_path=str(actual_path),
        relative_to=relative_to,
    )
