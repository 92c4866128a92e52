"""The tolerance an element test applies, checked once for every caller of the engine."""

from dataclasses import dataclass

import numpy as np

from ..errors import OptionError

#: The two ways ``rtol`` scales: by each expected element, or by the variable's largest one.
RELATIVE_TO = ("element", "max")

#: The largest ULP distance: stands for "infinitely far" (NaN or Inf against a number).
U64_MAX = np.iinfo(np.uint64).max


@dataclass(frozen=True)
class Tolerance:
    """An element test: ``|a - e| <= atol + rtol * scale``, or at most ``ulps`` ULPs apart.

    ``scale`` is ``|e|`` (``relative_to="element"``) or the variable's largest finite ``|e|``
    (``"max"``). ``ulps``, when given, replaces the ``rtol``/``atol`` test.
    """

    rtol: float = 1e-10
    atol: float = 0.0
    ulps: int | None = None
    relative_to: str = "element"

    def __post_init__(self):
        check_tolerances(self.rtol, self.atol, self.ulps, self.relative_to)


def check_tolerances(
    rtol: float, atol: float, ulps: int | None, relative_to: str = "element"
) -> None:
    """Raise :class:`nn3.OptionError` for a negative tolerance, fractional ``ulps`` or an
    unknown ``relative_to``."""
    if relative_to not in RELATIVE_TO:
        raise OptionError(f"relative_to must be 'element' or 'max', got {relative_to!r}")
    if not rtol >= 0:
        raise OptionError(f"rtol must be a non-negative number, got {rtol}")
    if not atol >= 0:
        raise OptionError(f"atol must be a non-negative number, got {atol}")
    if ulps is not None and (int(ulps) != ulps or ulps < 0):
        raise OptionError(f"ulps must be a non-negative whole number, got {ulps}")
