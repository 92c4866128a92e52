"""One place for the settings users give nn3: a declarative table, one error naming the parameter.

Modelled on scikit-learn's ``_param_validation``, but small: each setting is a row of
:data:`SETTINGS` (its name, its type, the ranges it may take and what to say when it does not),
and :func:`validate_params` checks keyword arguments against the table, raising
:class:`~nn3.errors.ParameterError` with the parameter's name. The public entry points (``train``,
``holdout_split``, ``MatlabRNG``, ``rand_initialize_weights``, ``fmincg``, the gradient check, the
pictures) call it; the command line maps the Python names to its option names in one table
(``nn3.cli.OPTION_NAMES``: ``hidden_layer_size`` is ``--hidden``).

Types. ``"int"`` accepts Python and numpy integers, and floats (or 1-element numeric arrays, as a
MATLAB file gives ``hidden_layer_size``) holding a whole number, which become ``int``: ``2.0`` is
``2``; ``2.5`` is refused, never truncated. ``"real"`` accepts any real number (not ``bool``, not a
string) and gives a ``float``. NaN is in no range, so it is always refused.

Where the feature count of ``X`` is checked against ``Theta1`` (``n + 1`` columns):
``nn3.core.network`` (``_check_shapes``: ``cost_function``, ``backpropagation``, ``predict``,
``predict_proba``; ``make_objective`` against ``input_layer_size``),
``nn3.workflow.training.train`` (an ``initial_params`` of the wrong size, through ``roll``), and the
commands ``nn3 train --init``,
``nn3 predict`` and ``nn3 cost``, each naming its files. All of them go through
:func:`check_feature_count`, which says it one way.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import SupportsFloat, SupportsInt

import numpy as np

from .errors import DataError, ParameterConflictError, ParameterError

INF = math.inf

#: Largest ``epsilon_init``: weights start in [-epsilon, epsilon]; beyond this the sigmoid is
#: saturated everywhere and 1e308 overflows to Inf (issue 14).
MAX_EPSILON_INIT = 1000.0
#: Largest ``rows`` or ``cols`` of a picture's grid of images.
MAX_GRID = 4096
#: Largest picture (grid pixels, borders included) ``nn3 show`` draws: 2^24, 128 MB as doubles.
MAX_PICTURE_PIXELS = 2**24
#: Largest gradient check: (2 * parameters + 1) cost evaluations, each about
#: examples * parameters multiply-adds; 10^10 takes some seconds.
MAX_GRADCHECK_WORK = 10**10


@dataclass(frozen=True)
class Interval:
    """A range of numbers, closed or open at each end (scikit-learn's ``Interval``, small)."""

    low: float = -INF
    high: float = INF
    closed: str = "both"  # "both", "left", "right" or "neither"

    def __contains__(self, value: float) -> bool:
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        above = value >= self.low if left else value > self.low
        below = value <= self.high if right else value < self.high
        return bool(above and below)


@dataclass(frozen=True)
class Setting:
    """One row of the table: a setting's type, the ranges it may take, what to say otherwise.

    Attributes
    ----------
    name : str
        The Python parameter name (``hidden_layer_size``).
    kind : {"int", "real"}
        Whole numbers or real numbers (see the module docstring).
    ranges : tuple of Interval
        The value must lie in one of them.
    requirement : str
        Completes "``<name>`` ...", e.g. ``"must be at least 1"``.
    """

    name: str
    kind: str
    ranges: tuple[Interval, ...]
    requirement: str


def _at_least_1(name: str) -> Setting:
    return Setting(name, "int", (Interval(1, INF),), "must be at least 1")


#: Every setting users give nn3, by its Python name.
SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        _at_least_1("input_layer_size"),
        _at_least_1("hidden_layer_size"),
        _at_least_1("num_labels"),
        _at_least_1("m"),
        _at_least_1("L_in"),
        _at_least_1("L_out"),
        _at_least_1("fan_out"),
        Setting("fan_in", "int", (Interval(0, INF),), "must be at least 0"),
        Setting("lambda_", "real", (Interval(0, INF, "left"),), "must be a non-negative number"),
        Setting(
            "maxiter",
            "int",
            (Interval(-INF, -1), Interval(1, INF)),
            "must be non-zero (positive counts line searches, negative function evaluations)",
        ),
        Setting("red", "real", (Interval(0, INF, "neither"),), "must be a positive number"),
        Setting(
            "epsilon_init",
            "real",
            (Interval(0, MAX_EPSILON_INIT, "right"),),
            f"must be a positive number up to {MAX_EPSILON_INIT:g} (the starting weights lie in "
            "[-epsilon, epsilon]; 0.12 is ex4's, the source document used 1)",
        ),
        Setting(
            "seed", "int", (Interval(0, 2**32 - 1),), "must be in 0..4294967295 (MATLAB's rng)"
        ),
        Setting(
            "fraction",
            "real",
            (Interval(0, 1, "neither"),),
            "must be a fraction between 0 and 1",
        ),
        Setting("e", "real", (Interval(0, INF, "neither"),), "must be a positive number"),
        Setting(
            "rows", "int", (Interval(1, MAX_GRID),), f"must be at least 1 and at most {MAX_GRID}"
        ),
        Setting(
            "cols", "int", (Interval(1, MAX_GRID),), f"must be at least 1 and at most {MAX_GRID}"
        ),
        Setting(
            "ulps",
            "int",
            (Interval(0, 2**64 - 1),),
            "must be a whole number from 0 to 18446744073709551615 (2^64 - 1, the most two "
            "doubles can be apart)",
        ),
        _at_least_1("example_width"),
        _at_least_1("scale"),
    )
}

_KIND_WORDS = {"int": "a whole number", "real": "a real number"}


def format_value(value: object) -> str:
    """A value as a message shows it: ``0``, ``-0.5``, ``2.5``, ``nan``, ``'2'``, ``2^32``.

    A large power of two also shows as one: ``4294967296 (2^32)``.

    Numbers in their shortest exact form (``%g`` when it is exact, else ``repr``), so a
    refused 2.0000001 never reads as 2.
    """
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, numbers.Integral):
        i = int(value)
        if i >= 2**31 and i & (i - 1) == 0:  # a power of two people type as 2^32
            return f"{i} (2^{i.bit_length() - 1})"
        return str(i)
    if isinstance(value, numbers.Real):
        v = float(value)
        short = format(v, "g")
        return short if math.isnan(v) or float(short) == v else repr(v)
    return repr(value)


def _scalar(value: object) -> object:
    """A 1-element numeric array (a MATLAB scalar) as its one number; anything else as is."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return value.reshape(()).item()
    return value


def to_int(v: SupportsFloat) -> int:
    """``int(v)`` of a real number, typed: numbers (numpy's too) have ``__int__``, exact beyond
    2**53; a real without it (``Fraction`` before Python 3.11) goes through ``float``."""
    if isinstance(v, SupportsInt):
        return int(v)
    return int(float(v))


def validate(name: str, value: object) -> int | float:
    """Check one setting against :data:`SETTINGS` and return it as ``int`` or ``float``.

    Parameters
    ----------
    name : str
        A key of :data:`SETTINGS`.
    value : object

    Returns
    -------
    value : int or float
        ``int`` for whole-number settings (``2.0`` gives ``2``), ``float`` for real ones.

    Raises
    ------
    ParameterError
        Naming the parameter, e.g. ``hidden_layer_size must be a whole number, got 2.5``.
    """
    setting = SETTINGS[name]
    v = _scalar(value)
    if not isinstance(v, numbers.Real) or isinstance(v, (bool, np.bool_)):
        raise ParameterError(
            name, f"must be {_KIND_WORDS[setting.kind]}", value, format_value(value)
        )
    if setting.kind == "int" and not isinstance(v, numbers.Integral):
        if not (math.isfinite(float(v)) and float(v).is_integer()):
            raise ParameterError(
                name, f"must be {_KIND_WORDS[setting.kind]}", value, format_value(value)
            )
    number: int | float = to_int(v) if setting.kind == "int" else float(v)
    if not any(number in interval for interval in setting.ranges):
        raise ParameterError(name, setting.requirement, value, format_value(value))
    return number


def validate_int(name: str, value: object) -> int:
    """:func:`validate` for a whole-number setting (``"int"`` in :data:`SETTINGS`): an ``int``."""
    number = validate(name, value)
    if not isinstance(number, int):  # validate gives int for every "int" setting
        raise TypeError(f"{name} is not a whole-number setting")
    return number


def validate_real(name: str, value: object) -> float:
    """:func:`validate` for a real-number setting (``"real"`` in :data:`SETTINGS`): a ``float``."""
    number = validate(name, value)
    if not isinstance(number, float):  # validate gives float for every "real" setting
        raise TypeError(f"{name} is not a real-number setting")
    return number


def validate_params(**values: object) -> dict[str, int | float]:
    """Check several settings (``None`` is left out); return them converted, in order.

    ``validate_params(hidden_layer_size=25, lambda_=1.0)`` gives
    ``{"hidden_layer_size": 25, "lambda_": 1.0}``; the first bad one raises
    :class:`~nn3.errors.ParameterError`.
    """
    return {name: validate(name, v) for name, v in values.items() if v is not None}


def check_feature_count(
    n_features: int,
    Theta1_shape: tuple[int, ...],
    where: str = "",
    n_examples: int | None = None,
) -> None:
    """Refuse data whose feature count does not fit ``Theta1`` (``n + 1`` columns, bias first).

    Parameters
    ----------
    n_features : int
        Columns of ``X``.
    Theta1_shape : tuple of int
        ``Theta1.shape``, ``(hidden, n + 1)``.
    where : str, optional
        What to put before the message (``"data.mat: "``, naming the files).
    n_examples : int, optional
        Rows of ``X``: when they are the feature count ``Theta1`` expects, the message says
        that ``X`` looks transposed instead.

    Raises
    ------
    DataError
        ``X has 3 features, but Theta1 is 4x7 and expects 6``, with ``X looks transposed
        (X'): its 6 rows match the 6 features`` when ``n_examples`` is 6.
    """
    rows, cols = Theta1_shape
    if cols != n_features + 1 and n_examples == cols - 1:
        raise DataError(
            f"{where}X has {n_features} features, but Theta1 is {rows}x{cols} and expects "
            f"{cols - 1}; X looks transposed (X'): its {n_examples} rows match the {cols - 1} "
            "features (give one example per row)"
        )
    if cols != n_features + 1:
        raise DataError(
            f"{where}X has {n_features} features, but Theta1 is {rows}x{cols} and expects "
            f"{cols - 1} (one column per feature after the bias column)"
        )


def check_picture_size(grid_rows: int, grid_cols: int, height: int, width: int) -> None:
    """Refuse a picture too large to draw (a grid of images with one-pixel borders).

    Raises
    ------
    ParameterConflictError
        Naming ``rows`` (``--rows`` on the command line), with the picture's size and the limit.
    """
    pixels = (1 + grid_rows * (height + 1)) * (1 + grid_cols * (width + 1))
    if pixels > MAX_PICTURE_PIXELS:
        raise ParameterConflictError(
            "rows",
            grid_rows,
            f"{{name}} {grid_rows} with {grid_cols} columns of {height}x{width} images makes a "
            f"picture of {pixels} pixels; too large (limit {MAX_PICTURE_PIXELS}): show fewer "
            "rows or columns",
        )


def check_gradient_check_size(
    input_layer_size: int, hidden_layer_size: int, num_labels: int, m: int
) -> None:
    """Refuse a gradient check too large to finish or to hold in memory.

    The check evaluates the cost ``2 * P + 1`` times (``P`` parameters), each over ``m``
    examples; ``(2 * P + 1) * m * P`` above :data:`MAX_GRADCHECK_WORK` is refused.

    Raises
    ------
    ParameterConflictError
        Naming ``m`` (``--examples``), with the network, the work and the limit.
    """
    n, h, K = (
        validate(name, v)
        for name, v in (
            ("input_layer_size", input_layer_size),
            ("hidden_layer_size", hidden_layer_size),
            ("num_labels", num_labels),
        )
    )
    examples = validate("m", m)
    params = h * (n + 1) + K * (h + 1)
    work = (2 * params + 1) * examples * params
    if work > MAX_GRADCHECK_WORK:
        raise ParameterConflictError(
            "m",
            examples,
            f"{{name}} {examples}: a gradient check of a {n}-{h}-{K} network ({params} "
            f"parameters) on {examples} examples needs {2 * params + 1} cost evaluations, about "
            f"{work:.1e} multiply-adds; too large (limit {MAX_GRADCHECK_WORK:.0e}): use fewer "
            "examples or a smaller network",
        )
