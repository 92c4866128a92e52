"""The comparison engine: two MATLAB values in, one :class:`Difference` out.

Every check in nn3 goes through :func:`compare_values`: ``nn3 compare`` and
:func:`nn3.compare.compare_files` (variable by variable), :func:`nn3.testing.assert_mat_allclose`,
and the parity suite's tolerance policies (:mod:`nn3.compare.policies`). For each element it
measures the absolute difference ``|a - e|``, the relative difference ``|a - e| / scale`` and the
distance in units in the last place (ULPs, the number of representable floating-point numbers
between ``a`` and ``e``), and it records the worst element and the first failing one in MATLAB
notation (1-based, ``(row, col)``, column-major order).

An element passes when

* ``a`` and ``e`` are equal (``Inf == Inf`` of the same sign, ``0 == -0``), or both NaN: NaN
  equals NaN in the same position, as MATLAB's ``isequaln``;
* else, by default, both are finite and ``|a - e| <= atol + rtol * |e|`` (numpy's
  ``assert_allclose`` rule, with the expected value as the reference), or, with
  ``relative_to="max"``, ``|a - e| <= atol + rtol * max|e|`` over the variable's finite elements;
* else, when ``ulps`` is given, both are finite and at most ``ulps`` ULPs apart. ``ulps`` replaces
  the ``rtol``/``atol`` test, so ``ulps=0`` demands identical bits.

char variables are compared exactly (no tolerance), in their MATLAB size. Integer and logical
classes are compared exactly as integers, never through float64 (:mod:`nn3.compare.integers`).
ULPs are counted in single precision when both sides are ``single``, in double precision
otherwise. Complex values compare their real and imaginary parts. Sparse matrices are compared
over the positions either side stores, never densified.
"""

import math

import numpy as np
from numpy.typing import ArrayLike

from ..mat import format_size
from ..mat import str_codes as _str_codes
from .classes import (
    NUMERIC_CLASSES,
    format_class,
    is_sparse,
    matlab_attributes,
    matlab_class,
    matlab_size,
)
from .difference import Difference
from .integers import integer_facts, mixed_facts
from .tolerance import U64_MAX, Tolerance


def ulp_distance(a: ArrayLike, b: ArrayLike) -> np.ndarray:
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


# --- values to arrays -----------------------------------------------------------------------


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
        coo = scipy.sparse.coo_matrix(value if is_sparse(value) else np.asarray(value))
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
    dist[~equal & ~finite] = U64_MAX
    return equal, finite, diff, dist


def compare_values(
    expected: object,
    actual: object,
    rtol: float = 1e-10,
    atol: float = 0.0,
    ulps: int | None = None,
    name: str = "",
    check_class: bool = True,
    relative_to: str = "element",
) -> Difference:
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
    tol = Tolerance(rtol, atol, ulps, relative_to)
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
        e_cls in NUMERIC_CLASSES and a_cls in NUMERIC_CLASSES
    )
    if e_cls != a_cls and (check_class or not comparable):
        problems.append(f"class {e_cls} vs {a_cls}")
    if e_size != a_size:
        problems.append(f"size {format_size(e_size)} vs {format_size(a_size)}")
    elif comparable:
        _compare_elements(result, expected, actual, e_size, e_cls == "char", tol)
        if result.n_failed:
            problems.append(f"{result.n_failed} of {result.n_elements} elements differ")
    elif e_cls == a_cls:
        problems.append(f"cannot compare values of class {e_cls}")
    if problems:
        result.passed = False
        result.problem = "; ".join(problems)
    return result


def _compare_elements(result, expected, actual, size, char, tol):
    keys = None
    if char:
        e = np.ravel(_char_codes(expected, size), order="F")
        a = np.ravel(_char_codes(actual, size), order="F")
    elif is_sparse(expected) or is_sparse(actual):
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
            result.max_ulps = math.inf if top == U64_MAX else int(top)
    failed = ~ok
    result.n_failed = int(np.count_nonzero(failed))
    if result.n_failed:
        result.first = _subscripts(int(np.argmax(failed)), keys, size)
    # Worst element: by the measure the test uses, among the failures if any; ties go to the
    # first in MATLAB's column-major order, as MATLAB's max does.
    key = dist.astype(np.float64) if tol.ulps is not None else diff.astype(np.float64)
    if result.n_failed:
        key = np.where(failed, key, -1.0)
    k = int(np.argmax(key))
    if key[k] <= 0 and not result.n_failed:
        return
    result.worst = _subscripts(k, keys, size)
    result.worst_expected = _element(e, k, char)
    result.worst_actual = _element(a, k, char)


def _subscripts(k, keys, size):
    """1-based MATLAB subscripts of the ``k``-th compared element (``keys``: sparse positions)."""
    linear = k if keys is None else int(keys[k])
    return tuple(int(i) + 1 for i in np.unravel_index(linear, size, order="F"))


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
        return integer_facts(e, a, tol)
    if kinds & set("biu"):
        return mixed_facts(e, a, tol)
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
        with np.errstate(invalid="ignore"):  # rtol 0 times an infinite |e|: not finite anyway
            ok = equal | (finite & (diff <= tol.atol + tol.rtol * scale))
    else:
        ok = equal | (finite & (dist <= np.uint64(tol.ulps)))
    return ok, diff, rel, dist
