"""Assertions for numeric regression tests against MATLAB outputs.

Save what MATLAB computed (``save('expected.mat', 'J', 'grad')``), compute the same in Python, and
assert in pytest::

    from nn3.testing import assert_mat_allclose

    def test_cost_matches_matlab():
        J, grad = nn3.nn_cost_function(...)
        assert_mat_allclose(J, ("expected.mat", "J"))
        assert_mat_allclose(grad, ("expected.mat", "grad"), rtol=1e-12, relative_to="max")

On failure the message states what ``nn3 compare`` reports: class and size, the worst element
in MATLAB notation (1-based), the values there, and the largest absolute, relative and ULP
differences.
"""

import os

import numpy as np

from .compare import ComparisonReport, compare_values, compare_variables, matlab_size


def _is_file_reference(value):
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], (str, os.PathLike))
        and isinstance(value[1], str)
    )


def _load(value):
    """``(value, name, description)``: a ``(path, variable)`` pair read from its file."""
    if _is_file_reference(value):
        from .mat import get_variable, load_mat

        path, name = value
        return get_variable(load_mat(path), name, path), name, f"'{name}' of {os.fspath(path)}"
    return value, "", None


def _like_expected(actual, expected):
    """Python-side values in MATLAB's shape: scalars 1x1, a 1-D array the expected vector."""
    if isinstance(actual, (str, dict)) or hasattr(actual, "tocsc"):
        return actual
    if isinstance(actual, np.ndarray) and actual.dtype == object:
        return actual
    arr = np.asarray(actual)
    if arr.ndim == 0:
        return arr.reshape(1, 1)
    if arr.ndim == 1 and matlab_size(expected) == (1, arr.size):
        return arr.reshape(1, -1)
    if arr.ndim == 1:
        return arr.reshape(-1, 1)
    return arr


def assert_mat_allclose(
    actual: object,
    expected: object,
    rtol: float = 1e-10,
    atol: float = 0.0,
    ulps: int | None = None,
    check_class: bool = False,
    relative_to: str = "element",
) -> None:
    """Assert that values equal MATLAB's within a tolerance, reporting like ``nn3 compare``.

    Parameters
    ----------
    actual : array_like, str, dict, or (path, variable) pair
        The values computed in Python. A 1-D array matches an ``m x 1`` or ``1 x m`` expected
        vector and a scalar a ``1 x 1`` value; otherwise sizes must be equal.
    expected : array_like, str, dict, or (path, variable) pair
        The reference, e.g. ``("expected.mat", "Theta1")`` or ``("expected.mat", "data.X")``
        for a struct field. A struct (dict) compares every field.
    rtol, atol : float, default 1e-10 and 0
        Each element must satisfy ``|a - e| <= atol + rtol * |e|`` (with ``relative_to="max"``:
        ``atol + rtol * max|e|``). NaN equals NaN in the same position; infinities must match
        exactly. Integer and logical values compare exactly (``|a - e| <= atol``; ``rtol`` does
        not apply), and so does an integer side against a float side.
    ulps : int, optional
        Instead of ``rtol``/``atol``: each element at most this many units in the last place
        from the expected one (``ulps=0``: identical bits).
    check_class : bool, default False
        Also require the same MATLAB class (``double`` vs ``single`` vs ``int32`` ...). char and
        numeric values never compare equal.
    relative_to : {"element", "max"}, default "element"
        What ``rtol`` scales. ``"element"``: each expected element, right for values of one
        magnitude (a cost, weights). ``"max"``: the largest finite ``|e|`` of the variable, as
        ``tests/parity`` does; right for a vector whose small elements are sums that cancel
        (a gradient), where a different summation order (another BLAS) moves a 1e-9 element by
        1e-16, 1e-7 of itself.

    Raises
    ------
    AssertionError
        The values differ; the message names the worst element, 1-based, and the differences.
    nn3.MatFileError
        A ``(path, variable)`` file or variable cannot be read.
    nn3.OptionError
        A negative tolerance, ``ulps`` not a whole number, or an unknown ``relative_to``.
    """
    __tracebackhide__ = True  # pytest shows the caller's line
    expected, name, where = _load(expected)
    actual, _, actual_where = _load(actual)
    if isinstance(expected, dict) or isinstance(actual, dict):
        if not (isinstance(expected, dict) and isinstance(actual, dict)):
            raise AssertionError(
                f"expected a struct, got {type(actual).__name__}"
                if isinstance(expected, dict)
                else "expected a non-struct value, got a struct"
            )
        report = compare_variables(
            expected,
            actual,
            rtol=rtol,
            atol=atol,
            ulps=ulps,
            check_class=check_class,
            relative_to=relative_to,
        )
    else:
        result = compare_values(
            expected,
            _like_expected(actual, expected),
            rtol=rtol,
            atol=atol,
            ulps=ulps,
            name=name,
            check_class=check_class,
            relative_to=relative_to,
        )
        report = ComparisonReport(
            [result], rtol=rtol, atol=atol, ulps=ulps, relative_to=relative_to
        )
    if not report.passed:
        source = f" (expected: {where})" if where else ""
        if actual_where:
            source += f" (actual: {actual_where})"
        lines = [f"values differ from MATLAB's at {report.tolerance}{source}"]
        lines += [f.describe() for f in report.failures]
        raise AssertionError("\n".join(lines))
