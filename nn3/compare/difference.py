"""What one comparison found: :class:`Difference`, and how its numbers are written.

The engine (:mod:`nn3.compare.engine`) fills a :class:`Difference` per variable; reports,
assertion messages and tolerance policies only read it.
"""

import math
from dataclasses import dataclass
from typing import SupportsFloat

import numpy as np

from ..mat import format_size


def format_position(position: tuple[int, ...]) -> str:
    """A 1-based subscript tuple in MATLAB notation: ``(3, 7)``."""
    return "(" + ", ".join(str(i) for i in position) + ")"


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
    first : tuple of int or None
        1-based MATLAB subscripts of the first failing element in MATLAB's column-major
        (linear-index) order; None when no element fails.
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
    first: tuple | None = None

    @property
    def worst_label(self) -> str:
        """``Theta1(3, 7)``, or ``""`` when there is no worst element."""
        return f"{self.name}{format_position(self.worst)}" if self.worst else ""

    def describe(self) -> str:
        """The facts as a few lines of text (used in assertion messages)."""
        head = "ok" if self.passed else self.problem
        if self.name:
            head = f"{self.name}: {head}"
        lines = [head]
        if self.expected_class is not None:
            actual = "missing"
            if self.actual_class is not None:
                actual = f"{self.actual_class} {_size_text(self.actual_size)}"
            lines.append(
                f"  expected {self.expected_class} {_size_text(self.expected_size)}, "
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

    def to_dict(self) -> dict:
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
            "first_failed": list(self.first) if self.first else None,
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


def _size_text(size: tuple | None) -> str:
    """A size as MATLAB writes it (``5000x400``), ``-`` when unknown (as the report shows it)."""
    return "-" if size is None else format_size(size)


def format_number(x: float | None, full: bool = False) -> str:
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


def format_value(x: object) -> str:
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
    if not isinstance(x, SupportsFloat):  # math.isnan(x) would refuse it the same way
        raise TypeError(f"must be real number, not {type(x).__name__}")
    v = float(x)  # what math.isnan and math.isinf test
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    return f"{x:.17g}"
