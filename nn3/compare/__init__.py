"""Comparing MATLAB variables: one engine, values -> differences -> report.

What ``nn3 compare``, :func:`nn3.testing.assert_mat_allclose` and the parity suite
(``matlab_ref/parity.py``, ``tests/parity``) report. For each variable of the *expected* side: is
it present on the *actual* side, with the same MATLAB class and size, and how far apart are the
values: the largest absolute, relative and ULP differences, and the worst and first failing
elements in MATLAB notation. The element rules are in :mod:`nn3.compare.engine`.

Modules, each one idea:

* :mod:`~nn3.compare.classes`: a value's MATLAB class, attributes and size;
* :mod:`~nn3.compare.tolerance`: the element test (``rtol``, ``atol``, ``ulps``, ``relative_to``);
* :mod:`~nn3.compare.engine`: :func:`compare_values`, two values to a :class:`Difference`
  (:mod:`~nn3.compare.integers` for exact integer arithmetic);
* :mod:`~nn3.compare.difference`: :class:`Difference` and how its numbers are written;
* :mod:`~nn3.compare.report`: :class:`ComparisonReport`, the table and JSON of ``nn3 compare``;
* :mod:`~nn3.compare.files`: :func:`compare_variables` and :func:`compare_files`, structs and
  cells walked leaf by leaf;
* :mod:`~nn3.compare.policies`: named tolerances over the engine (``Exact``, ``Ulps``, ``Rel``,
  ``Abs``, ``Trajectory``, ``Mismatch``, ``Info``), as the parity table states them.
"""

from ..mat import format_size
from .classes import format_class, matlab_attributes, matlab_class, matlab_size
from .difference import Difference, format_number, format_position, format_value
from .engine import compare_values, ulp_distance
from .files import compare_files, compare_variables
from .report import ComparisonReport
from .tolerance import RELATIVE_TO, Tolerance

__all__ = [
    "RELATIVE_TO",
    "ComparisonReport",
    "Difference",
    "Tolerance",
    "compare_files",
    "compare_values",
    "compare_variables",
    "format_class",
    "format_number",
    "format_position",
    "format_size",
    "format_value",
    "matlab_attributes",
    "matlab_class",
    "matlab_size",
    "ulp_distance",
]
