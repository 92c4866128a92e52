"""Named tolerances over the engine, as the parity table states them.

Each policy prepares both sides (float64, a 1-D vector matching a MATLAB row or column), hands
them to :func:`nn3.compare.compare_values` with its tolerance, and words the
:class:`~nn3.compare.Difference` it gets back as an :class:`Outcome`:

==========================  ======================================================================
policy                      engine call
==========================  ======================================================================
``Exact()``, ``Input()``    ``ulps=0``: identical bits (``0 == -0``), NaN where the reference has
                            NaN; char identical
``Ulps(n)``                 ``ulps=n``
``Rel(rtol)``               ``rtol``, ``relative_to="max"``: ``|a - e| <= rtol * max|e|``
``Abs(atol)``               ``rtol=0, atol``
``Trajectory(bands)``       per band of iterations, ``rtol`` of the band, ``relative_to="element"``
``Mismatch(fraction)``      ``ulps=0``, at most ``fraction`` of the elements failing
``Info()``                  not compared
==========================  ======================================================================

Positions in the messages are MATLAB linear indices (1-based, column-major): ``(3)``.
"""

from dataclasses import dataclass

import numpy as np

from ..mat import format_size, matlab_shape
from .difference import Difference, format_number
from .engine import compare_values


@dataclass(frozen=True)
class Outcome:
    """How one variable compared: ``ok``, and what was measured, in words."""

    ok: bool
    measured: str


def _arrays(actual, expected):
    """Both sides as float64 arrays of one shape, or a reason why they cannot be compared."""
    if isinstance(expected, str) or isinstance(actual, str):
        return None, None, "char on one side, numbers on the other"
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        # A 1-D vector matches a MATLAB column or row of the same length.
        vector = a.size == e.size and sum(d != 1 for d in a.shape + e.shape) <= 2
        if not vector:
            return None, None, f"size {_size(a)} where the reference is {_size(e)}"
        a = a.reshape(e.shape)
    return a, e, None


def _size(x):
    return format_size(matlab_shape(x.shape))


def _linear(position, e):
    """The 0-based column-major index of 1-based MATLAB subscripts ``position`` into ``e``."""
    size = matlab_shape(e.shape)
    return int(np.ravel_multi_index(tuple(i - 1 for i in position), size, order="F"))


def _at(position, a, e):
    """``(k): actual vs reference`` at MATLAB subscripts ``position``, as Python floats print."""
    k = _linear(position, e)
    a_k = float(a.ravel(order="F")[k])
    e_k = float(e.ravel(order="F")[k])
    return f"({k + 1}): {a_k!r} vs {e_k!r}"


class Spec:
    """A tolerance. ``compare(actual, expected)`` returns an :class:`Outcome`."""

    #: Inputs the generator chose (random weights, sizes, settings). The check compares them;
    #: the nn3 tests may leave them out, since they feed them to nn3 rather than compute them.
    is_input = False
    #: Informational metadata (engine, BLAS, optimizer name): never compared.
    is_info = False
    #: The tolerance exists because the value's last bits depend on the CPU's math library
    #: (``exp``/``log``), not on summation order.
    math_library = False

    def compare(self, actual: object, expected: object) -> Outcome:  # pragma: no cover
        raise NotImplementedError


class Info(Spec):
    """Not compared: metadata that legitimately differs between runs (engine, BLAS)."""

    is_info = True

    def compare(self, actual: object, expected: object) -> Outcome:
        return Outcome(True, "not compared")

    def __repr__(self):
        return "Info()"


class Exact(Spec):
    """Identical values: same size, same bits (``0 == -0``), NaN where the reference has NaN."""

    def compare(self, actual: object, expected: object) -> Outcome:
        if isinstance(expected, str) and isinstance(actual, str):
            same = compare_values(expected, actual, ulps=0).passed
            return Outcome(same, "identical" if same else f"{actual!r} vs {expected!r}")
        a, e, why = _arrays(actual, expected)
        if why:
            return Outcome(False, why)
        d = compare_values(e, a, ulps=0)
        if d.passed:
            return Outcome(True, "identical")
        return Outcome(
            False, f"{d.n_failed} of {e.size} elements differ, first at {_at(d.first, a, e)}"
        )

    def __repr__(self):
        return "Exact()"


class Input(Exact):
    """Exact, and an input to nn3 rather than a result of it."""

    is_input = True

    def __repr__(self):
        return "Input()"


class Ulps(Spec):
    """At most ``n`` units in the last place apart per element; NaN and infinities exact.

    For values that go through ``exp``/``log`` once per element: their last bit depends on the
    CPU's math library. GNU Octave and MATLAB call the C library's scalar ``exp``; numpy calls
    it too on most CPUs, but on CPUs with AVX-512 uses its own SIMD ``exp``/``log``, which
    differ by 1 ulp on a few percent of inputs (``exp(40)``: 2.3538526683701997e+17 against
    2.3538526683702e+17). A formula applied to those results can spread 1 ulp of ``exp`` into
    more ulps of its result, so ``n`` is chosen per variable, for its inputs.
    """

    math_library = True

    def __init__(self, n: int):
        self.n = int(n)

    def compare(self, actual: object, expected: object) -> Outcome:
        a, e, why = _arrays(actual, expected)
        if why:
            return Outcome(False, why)
        d = compare_values(e, a, ulps=self.n)
        measured = (
            f"max ulps = {format_number(d.max_ulps, full=True)} "
            f"(tolerance {self.n} ulp{'s' if self.n != 1 else ''})"
        )
        if d.passed:
            return Outcome(True, measured)
        return Outcome(
            False,
            f"{measured}; {d.n_failed} of {e.size} elements beyond it, first at "
            f"{_at(d.first, a, e)}",
        )

    def __repr__(self):
        return f"Ulps({self.n})"


class _Bounded(Spec):
    """``|a - e| <= tol * scale`` per element, NaN only where the reference has NaN."""

    label = ""

    def __init__(self, tol: float):
        self.tol = tol

    def difference(self, a: np.ndarray, e: np.ndarray) -> Difference:  # pragma: no cover
        raise NotImplementedError

    def measure(self, d: Difference) -> float:  # pragma: no cover
        raise NotImplementedError

    def compare(self, actual: object, expected: object) -> Outcome:
        a, e, why = _arrays(actual, expected)
        if why:
            return Outcome(False, why)
        d = self.difference(a, e)
        measured = f"{self.label} = {self.measure(d):.1e} (tolerance {self.tol:.0e})"
        if d.passed:
            return Outcome(True, measured)
        return Outcome(False, f"{measured}; worst at {_at(d.worst, a, e)}")

    def __repr__(self):
        return f"{type(self).__name__}({self.tol:g})"


class Rel(_Bounded):
    """``|a - e| <= rtol * max|e|``: relative to the size of the whole reference array.

    The scale is the array's largest element, not each element: a gradient component that is the
    small remainder of a cancellation has a large relative error of no consequence.
    """

    label = "max |diff| / max |ref|"

    @property
    def rtol(self) -> float:
        return self.tol

    def difference(self, a, e):
        return compare_values(e, a, rtol=self.tol, relative_to="max")

    def measure(self, d):
        return d.max_rel


class Abs(_Bounded):
    """``|a - e| <= atol``."""

    label = "max |diff|"

    def difference(self, a, e):
        return compare_values(e, a, rtol=0.0, atol=self.tol)

    def measure(self, d):
        return d.max_abs


class Trajectory(Spec):
    """An fmincg cost history: element ``k`` (iteration ``k``, 1-based) within ``rtol(k)``.

    ``bands`` is a sequence of ``(last_iteration, rtol)``: iterations up to ``last_iteration`` (and
    after the previous band) must agree to ``|a_k - e_k| <= rtol * |e_k|``. Both histories must
    have the same length (the same number of successful line searches).
    """

    def __init__(self, bands):
        self.bands = tuple(bands)

    def rtol(self, k: int) -> float | None:
        """Tolerance at iteration ``k`` (1-based), or None beyond the last band."""
        for last, rtol in self.bands:
            if k <= last:
                return rtol
        return None

    def compare(self, actual: object, expected: object) -> Outcome:
        a, e, why = _arrays(actual, expected)
        if why:
            return Outcome(False, f"{why} (histories of different lengths)")
        a, e = a.reshape(-1), e.reshape(-1)
        if e.size > self.bands[-1][0]:
            return Outcome(False, f"{e.size} iterations, tolerances only up to {self.bands[-1][0]}")
        worst_by_band, failed = [], []
        start = 0
        for last, rtol in self.bands:
            stop = min(last, e.size)
            if stop > start:
                d = compare_values(e[start:stop], a[start:stop], rtol=rtol)
                worst_by_band.append(f"{start + 1}-{stop}: {d.max_rel:.1e}/{rtol:.0e}")
                if not d.passed:
                    failed.append((start, rtol, d))
            start = last
        measured = "max rel diff by iterations (measured/tolerance) " + ", ".join(worst_by_band)
        if not failed:
            return Outcome(True, measured)
        start, rtol, d = failed[0]
        assert d.first is not None  # same sizes (checked above): a failure has a first element
        k = start + d.first[0] - 1
        at = compare_values(e[k : k + 1], a[k : k + 1], rtol=rtol)
        beyond = sum(f[2].n_failed for f in failed)
        return Outcome(
            False,
            f"first moved at iteration {k + 1}: rel diff {at.max_rel:.1e} > {rtol:.0e} "
            f"({float(a[k])!r} vs {float(e[k])!r}); {beyond} iterations beyond tolerance; "
            f"{measured}",
        )

    def __repr__(self):
        return f"Trajectory({self.bands!r})"


class Mismatch(Spec):
    """Labels: at most ``max_fraction`` of the elements may differ (same size)."""

    def __init__(self, max_fraction: float):
        self.max_fraction = max_fraction

    def compare(self, actual: object, expected: object) -> Outcome:
        a, e, why = _arrays(actual, expected)
        if why:
            return Outcome(False, why)
        n = compare_values(e, a, ulps=0).n_failed
        frac = n / e.size if e.size else 0.0
        measured = f"{n} of {e.size} differ ({frac:.2%}; tolerance {self.max_fraction:.0%})"
        return Outcome(frac <= self.max_fraction, measured)

    def __repr__(self):
        return f"Mismatch({self.max_fraction:g})"
