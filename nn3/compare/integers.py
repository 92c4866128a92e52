"""Integer and logical values compared exactly, as integers, never through float64.

int64 ``2**60`` and ``2**60 + 1`` differ; a double equals an integer only when it is that whole
number. Used by the engine (:mod:`nn3.compare.engine`) for integer, logical and mixed sides.
"""

import math

import numpy as np

from .tolerance import U64_MAX


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
    return diff <= np.uint64(min(threshold, int(U64_MAX)))


def integer_facts(e, a, tol):
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
        return np.array([min(d, int(U64_MAX)) for d in diff], dtype=np.uint64)
    return diff


def mixed_facts(e, a, tol):
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
    dist = np.where(whole, _clamped_u64(exact), U64_MAX).astype(np.uint64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.abs(e.real.astype(np.float64) if e.dtype.kind == "c" else e.astype(np.float64))
        rel = np.where(diff == 0, 0.0, diff / mag)
    rel[np.isnan(rel)] = np.inf
    return ok, diff, rel, dist
