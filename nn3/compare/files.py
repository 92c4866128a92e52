"""Comparing whole sets of variables: files, structs field by field, cells element by element.

Every leaf goes to the engine (:func:`nn3.compare.engine.compare_values`); cells, struct arrays
and empty structs add a row of their own for their class and size. Struct fields are named
``data.X``, cell elements ``c{2,1}`` and struct-array elements ``s(1,2).x``.
"""

import os
from collections.abc import Sequence

import numpy as np

from ..errors import MatFileError
from ..mat import format_size, get_variable, load_mat
from .classes import matlab_class, matlab_size
from .difference import Difference
from .engine import compare_values
from .report import ComparisonReport
from .tolerance import check_tolerances


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


def compare_variables(
    expected: dict,
    actual: dict,
    names: Sequence[str] | None = None,
    rtol: float = 1e-10,
    atol: float = 0.0,
    ulps: int | None = None,
    check_class: bool = True,
    expected_path: str = "EXPECTED",
    actual_path: str = "ACTUAL",
    relative_to: str = "element",
) -> ComparisonReport:
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
    check_tolerances(rtol, atol, ulps, relative_to)
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


def compare_files(
    expected_path: str | os.PathLike,
    actual_path: str | os.PathLike,
    names: Sequence[str] | None = None,
    rtol: float = 1e-10,
    atol: float = 0.0,
    ulps: int | None = None,
    relative_to: str = "element",
) -> ComparisonReport:
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
    check_tolerances(rtol, atol, ulps, relative_to)
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
