"""One place for the settings users give nn3: a declarative table, one error naming the parameter.

Modelled on scikit-learn's ``_param_validation``, but small: each setting is a row of
:data:`SETTINGS` (its name, its type, the values it may take and what to say when it does not),
and :func:`validate` checks a value against its row, raising :class:`~nn3.errors.ParameterError`
with the parameter's name. The training settings are checked once, when a
:class:`nn3.settings.TrainingSettings` is made, and trusted below; the other public entry points
(``holdout_split``, ``MatlabRNG``, ``rand_initialize_weights``, ``fmincg``, the gradient check,
the pictures) check their own arguments here. The command line maps the Python names to its option
names in one table (``nn3.cli.options.OPTION_NAMES``: ``hidden_layer_size`` is ``--hidden``); no
message here names an option.

Kinds of rows:

``"int"``
    Python and numpy integers, and floats (or 1-element numeric arrays, as a MATLAB file gives
    ``hidden_layer_size``) holding a whole number, which become ``int``: ``2.0`` is ``2``;
    ``2.5`` is refused, never truncated. Not ``bool``, not a string.
``"real"``
    Any real number (not ``bool``, not a string), given as ``float``. NaN is in no range, so it
    is always refused.
``"choice"``
    One of the row's :class:`Options` (scikit-learn's ``StrOptions``), a ``str``.
``"bool"``
    ``True``/``False``, a numpy bool, or the integers 0 and 1 (MATLAB's logicals arrive as
    numbers), given as ``bool``. Anything else is refused: the string ``"no"`` is not ``False``
    (a non-empty string is truthy, so accepting it would turn the setting on).
``"text"``
    A non-empty ``str`` (a variable name).
``"path"``
    A non-empty ``str`` or ``os.PathLike`` (a file).

Where the feature count of ``X`` is checked against ``Theta1`` (``n + 1`` columns):
``nn3.core.network`` (``cost_function``, ``backpropagation``, ``predict``, ``predict_proba``, the
objective against ``input_layer_size``), the starting weights of ``nn3.fit`` (an ``init`` file),
and the commands ``nn3 predict`` and ``nn3 cost``, each naming its files. All of them go through
:func:`check_feature_count`, which says it one way. The labels are checked in one way too
(:func:`check_labels`), by the in-memory and the block training alike.
"""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass, replace
from typing import Any, SupportsFloat, SupportsInt

from .errors import DataError, NamedText, ParameterConflictError, ParameterError

INF = math.inf

#: Largest ``epsilon_init``: weights start in [-epsilon, epsilon]; beyond this the sigmoid is
#: saturated everywhere, and 1e308 would overflow to Inf.
MAX_EPSILON_INIT = 1000.0
#: Largest ``rows`` or ``cols`` of a picture's grid of images.
MAX_GRID = 4096
#: Most threads one evaluation may use (each holds a row block's intermediates).
MAX_THREADS = 256
#: Largest picture (grid pixels, borders included) ``nn3 show`` draws: 2^24, 128 MB as doubles.
MAX_PICTURE_PIXELS = 2**24
#: Largest gradient check: (2 * parameters + 1) cost evaluations, each about
#: examples * parameters multiply-adds; 10^10 takes some seconds.
MAX_GRADCHECK_WORK = 10**10
#: The most elements a public function allocates from its arguments alone (1 GB of doubles):
#: larger sizes are refused before allocating, never answered with a MemoryError.
MAX_ARRAY_ELEMENTS = 125_000_000

#: Whose ``rng(seed)`` draws the starting weights (``rng=``).
RNG_NAMES = ("matlab", "octave")
#: Who evaluates the cost and gradient (``engine=``): in memory, streamed from a v7.3 file by
#: row blocks, or on Dask workers.
ENGINES = ("memory", "stream", "dask")
#: The optimizers (``method=``).
METHODS = ("fmincg", "lbfgs")
#: The precisions of the evaluation (``precision=``).
PRECISIONS = ("double", "single")
#: ``classes=`` besides None: map any set of whole-number labels to 1..K.
CLASSES = ("auto",)


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
class Options:
    """The strings a setting may take (scikit-learn's ``StrOptions``).

    Attributes
    ----------
    choices : tuple of str
    ignore_case : bool, default False
        Accept any case (``"MATLAB"``), giving the choice as listed.
    """

    choices: tuple[str, ...]
    ignore_case: bool = False

    def find(self, value: object) -> str | None:
        """The choice ``value`` names, or None."""
        if not isinstance(value, str):
            return None
        for choice in self.choices:
            if value == choice or (self.ignore_case and value.lower() == choice):
                return choice
        return None

    @property
    def requirement(self) -> str:
        """``must be one of 'fmincg', 'lbfgs'``."""
        if len(self.choices) == 1:
            return f"must be {self.choices[0]!r}"
        return "must be one of " + ", ".join(repr(c) for c in self.choices)


@dataclass(frozen=True)
class Setting:
    """One row of the table: a setting's kind, the values it may take, what to say otherwise.

    Attributes
    ----------
    name : str
        The Python parameter name (``hidden_layer_size``).
    kind : {"int", "real", "choice", "bool", "text", "path"}
        See the module docstring.
    ranges : tuple of Interval
        For ``"int"`` and ``"real"``: the value must lie in one of them.
    requirement : str
        Completes "``<name>`` ...", e.g. ``"must be at least 1"``.
    options : Options, optional
        For ``"choice"``.
    """

    name: str
    kind: str
    ranges: tuple[Interval, ...] = ()
    requirement: str = ""
    options: Options | None = None

    def check(self, value: object, name: str | None = None) -> Any:
        """``value`` checked against this row and converted (see :func:`validate`); an error
        names ``name`` (default: the row's name)."""
        row = self if name is None or name == self.name else replace(self, name=name)
        return _CHECKS[self.kind](row, value)


def _at_least_1(name: str) -> Setting:
    return Setting(name, "int", (Interval(1, INF),), "must be at least 1")


def _choice(name: str, choices: tuple[str, ...], ignore_case: bool = False) -> Setting:
    options = Options(choices, ignore_case)
    return Setting(name, "choice", (), options.requirement, options)


def _fraction(name: str) -> Setting:
    return Setting(name, "real", (Interval(0, 1, "neither"),), "must be a fraction between 0 and 1")


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
        _fraction("fraction"),
        _fraction("holdout"),
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
        _at_least_1("block_rows"),
        _at_least_1("y_col"),
        _at_least_1("features"),
        Setting("cv", "int", (Interval(2, INF),), "must be at least 2 (folds)"),
        _at_least_1("jobs"),
        Setting(
            "threads",
            "int",
            (Interval(1, MAX_THREADS),),
            f"must be a whole number from 1 to {MAX_THREADS} (more than the cores is allowed: "
            "the same result, only slower)",
        ),
        Setting("shuffle", "bool", (), "must be True or False"),
        _choice("rng", RNG_NAMES, ignore_case=True),
        _choice("engine", ENGINES),
        _choice("method", METHODS),
        _choice("precision", PRECISIONS),
        _choice("classes", CLASSES),
        Setting("normalize", "bool", (), "must be True or False"),
        Setting("x_var", "text", (), "must be a variable name (a non-empty str)"),
        Setting("y_var", "text", (), "must be a variable name (a non-empty str)"),
        Setting("init_var", "text", (), "must be a variable name (a non-empty str)"),
        Setting("init", "path", (), "must be a file name (a non-empty str or os.PathLike)"),
    )
}

_KIND_WORDS = {"int": "a whole number", "real": "a real number"}


def format_value(value: object) -> str:
    """A value as a message shows it: ``0``, ``-0.5``, ``2.5``, ``nan``, ``'2'``, ``2^32``.

    A large power of two also shows as one: ``4294967296 (2^32)``.

    Numbers in their shortest exact form (``%g`` when it is exact, else ``repr``), so a
    refused 2.0000001 never reads as 2.
    """
    import numpy as np

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
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:57] + "...")
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _scalar(value: object) -> object:
    """A 1-element numeric array (a MATLAB scalar) as its one number; anything else as is."""
    import numpy as np

    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        return value.reshape(()).item()
    return value


def _is_bool(value: object) -> bool:
    import numpy as np

    return isinstance(value, (bool, np.bool_))


def to_int(v: SupportsFloat) -> int:
    """``int(v)`` of a real number, typed: numbers (numpy's too) have ``__int__``, exact beyond
    2**53; a real without it (``Fraction`` before Python 3.11) goes through ``float``."""
    if isinstance(v, SupportsInt):
        return int(v)
    return int(float(v))


def _refuse(setting: Setting, value: object, requirement: str | None = None) -> ParameterError:
    return ParameterError(
        setting.name, requirement or setting.requirement, value, format_value(value)
    )


def _check_number(setting: Setting, value: object) -> int | float:
    v = _scalar(value)
    if not isinstance(v, numbers.Real) or _is_bool(v):
        raise _refuse(setting, value, f"must be {_KIND_WORDS[setting.kind]}")
    if setting.kind == "int" and not isinstance(v, numbers.Integral):
        if not (math.isfinite(float(v)) and float(v).is_integer()):
            raise _refuse(setting, value, f"must be {_KIND_WORDS[setting.kind]}")
    number: int | float = to_int(v) if setting.kind == "int" else float(v)
    if not any(number in interval for interval in setting.ranges):
        raise _refuse(setting, value)
    return number


def _check_choice(setting: Setting, value: object) -> str:
    assert setting.options is not None  # every "choice" row has its options
    choice = setting.options.find(value)
    if choice is None:
        raise _refuse(setting, value)
    return choice


def _check_bool(setting: Setting, value: object) -> bool:
    v = _scalar(value)
    if _is_bool(v):
        return bool(v)
    if isinstance(v, numbers.Integral) and int(v) in (0, 1):
        return bool(int(v))
    raise _refuse(setting, value)


def _check_text(setting: Setting, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise _refuse(setting, value)
    return value


def _check_path(setting: Setting, value: object) -> Any:
    if not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
        raise _refuse(setting, value)
    return value


_CHECKS = {
    "int": _check_number,
    "real": _check_number,
    "choice": _check_choice,
    "bool": _check_bool,
    "text": _check_text,
    "path": _check_path,
}


def validate(name: str, value: object, row: str | None = None) -> Any:
    """Check one setting against :data:`SETTINGS` and return it converted.

    Parameters
    ----------
    name : str
        A key of :data:`SETTINGS`, the parameter's name.
    value : object
    row : str, optional
        Check against this row instead, still naming ``name`` (``make_data``'s ``rows`` are
        examples, checked as ``m``).

    Returns
    -------
    value
        ``int`` for whole-number settings (``2.0`` gives ``2``), ``float`` for real ones, the
        choice for ``"choice"`` rows, ``bool`` for ``"bool"`` rows, the value itself otherwise.

    Raises
    ------
    ParameterError
        Naming the parameter, e.g. ``hidden_layer_size must be a whole number, got 2.5``.
    """
    return SETTINGS[name if row is None else row].check(value, name)


def validate_int(name: str, value: object) -> int:
    """:func:`validate` for a whole-number setting (``"int"`` in :data:`SETTINGS`): an ``int``."""
    number = validate(name, value)
    if not isinstance(number, int) or isinstance(number, bool):
        raise TypeError(f"{name} is not a whole-number setting")
    return number


def validate_real(name: str, value: object) -> float:
    """:func:`validate` for a real-number setting (``"real"`` in :data:`SETTINGS`): a ``float``."""
    number = validate(name, value)
    if not isinstance(number, float):  # validate gives float for every "real" setting
        raise TypeError(f"{name} is not a real-number setting")
    return number


def validate_params(**values: object) -> dict[str, Any]:
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


def classes_hint(distinct) -> NamedText:
    """The remedy for numeric labels nn3 cannot use as they are: what ``classes='auto'`` does.

    Parameters
    ----------
    distinct : array_like of shape (K,)
        The distinct label values, ascending.

    Returns
    -------
    NamedText
        ``classes='auto' maps them to 1..2 in ascending order (-1 -> 1, 1 -> 2) and stores them
        in the weights file`` (``--classes auto`` on the command line).
    """
    import numpy as np

    distinct = np.asarray(distinct, dtype=np.float64).reshape(-1)
    K = distinct.size
    first, last = f"{distinct[0]:g}", f"{distinct[-1]:g}"
    example = f"{first} -> 1, {last} -> 2" if K == 2 else f"{first} -> 1, ..., {last} -> {K}"
    return NamedText(
        f"{{classes='auto'}} maps them to 1..{K} in ascending order ({example}) and stores them "
        "in the weights file",
        {"classes": "auto"},
    )


def check_labels(y, path: str = "<data>", y_var: str = "y", num_labels: int | None = None):
    """Refuse labels the network cannot train on: they must be 0/1 or 1..K.

    The one check of the label values, for the in-memory and the block training alike.

    Parameters
    ----------
    y : array_like of shape (m,)
        Labels, any real numbers.
    path, y_var : str
        The file and the variable, for the messages.
    num_labels : int, optional
        K when given: the labels must then be in 1..K (0/1 for one output unit).

    Returns
    -------
    y : ndarray of shape (m,), float64

    Raises
    ------
    DataError
        NaN or Inf, fractions, or values that are neither 0/1 nor 1..K (with the remedy,
        ``classes='auto'``, when it applies).
    """
    import numpy as np

    where = f"{path}: variable '{y_var}'"
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(y)):
        raise DataError(f"{where} holds NaN or Inf; labels must be numbers")
    if not np.all(y == np.round(y)):
        row = int(np.flatnonzero(y != np.round(y))[0])
        raise DataError(
            f"{where} holds non-integer values (row {row + 1}: {y[row]:g}); nn3 trains "
            "classifiers with sigmoid outputs and needs class labels, so a regression target "
            "(a continuous y) needs another tool"
        )
    lo, hi = (float(y.min()), float(y.max())) if y.size else (1.0, 1.0)
    binary = bool(np.all((y == 0) | (y == 1)))
    if num_labels is None:
        if not binary and lo != 1:  # -1/+1, 0..9, 2/4: not 1..K
            raise DataError(
                NamedText(
                    f"{where} holds labels from {lo:g} to {hi:g}; labels must be 0/1 (one "
                    "output unit) or 1..K (MATLAB's 1-based classes); "
                    + classes_hint(np.unique(y)).template,
                    {"classes": "auto"},
                )
            )
    elif num_labels == 1:
        if not binary:
            raise DataError(
                NamedText(
                    f"{where} holds labels from {lo:g} to {hi:g}; one output unit "
                    "({num_labels=}) needs 0/1 labels",
                    {"num_labels": 1},
                )
            )
    elif lo < 1 or hi > num_labels:
        raise DataError(
            f"{where} holds labels from {lo:g} to {hi:g}; {num_labels} output units need "
            f"labels 1..{num_labels}"
        )
    return y


#: Classes in 1..K that no label has, accepted when K was not given: a sample of a larger
#: problem may miss a few. More than this many, and more than the classes present, mean
#: labels that are not class numbers (identifiers, codes): see :func:`check_empty_classes`.
MAX_EMPTY_CLASSES = 10


def check_empty_classes(y, num_labels: int, path: str = "<data>", y_var: str = "y") -> None:
    """Refuse labels 1..K that would give most of the K output units to classes no example has.

    Numeric labels whose smallest is 1 are used as they are, K being the largest; labels
    ``{1, 100000}`` would make a network of 100000 output units, 99998 of them never seen.
    When K was not given (``num_labels``), at most ``max(MAX_EMPTY_CLASSES, classes present)``
    classes of 1..K may be empty: a sample of 3 of 10 digits trains, ``{1, 100000}`` is
    refused with both remedies, ``classes='auto'`` (number the labels present 1..D) and
    ``num_labels=K`` (keep the K outputs).

    Parameters
    ----------
    y : array_like of shape (m,)
        Labels 1..K (checked by :func:`check_labels`).
    num_labels : int
        K, the largest label.
    path, y_var : str
        The file and the variable, for the message.

    Raises
    ------
    DataError
        Naming the labels, K, and the remedies (``{classes}``/``{num_labels}`` placeholders).
    """
    import numpy as np

    if num_labels <= 1:
        return
    distinct = np.unique(np.asarray(y, dtype=np.float64))
    empty = num_labels - distinct.size
    if empty <= max(MAX_EMPTY_CLASSES, distinct.size):
        return
    quoted = ", ".join(f"{v:g}" for v in distinct[:5]) + (", ..." if distinct.size > 5 else "")
    K = f"{num_labels}" if num_labels < 10**15 else f"{float(num_labels):.3g}"
    keep = (
        f", or keep {K} output units ({{num_labels={num_labels}}}) if the classes really are 1..{K}"
        if num_labels <= MAX_ARRAY_ELEMENTS
        else ""
    )
    raise DataError(
        NamedText(
            f"{path}: variable '{y_var}' holds {distinct.size} distinct labels ({quoted}) but "
            f"the largest is {K}: used as class numbers they would make {K} output units, "
            f"{'all but ' + str(distinct.size) if empty > 10**6 else empty} of them for classes "
            f"no example has; number the labels 1..{distinct.size} in ascending order "
            f"({{classes='auto'}}){keep}",
            {"classes": "auto", "num_labels": num_labels},
        )
    )


def as_real_array(value: object, name: str, convert: bool = True):
    """``value`` as a float64 ndarray, or a :class:`~nn3.errors.DataError` naming ``name``.

    The one conversion of the public functions' array arguments: numbers, numpy arrays and
    (nested) lists of numbers are accepted, booleans as 0/1 (MATLAB's logicals); text, objects,
    complex numbers and ragged lists are refused in one line, never with numpy's bare
    ``ValueError``. With ``convert=False`` the array keeps its numeric dtype (a float32 X stays
    float32).
    """
    import numpy as np

    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as exc:  # a ragged list
        raise DataError(f"{name} must be a real numeric array ({exc})") from None
    if array.dtype.kind not in "biuf":
        kind = {"U": "text", "S": "bytes", "c": "complex numbers", "O": "objects"}.get(
            array.dtype.kind, f"dtype {array.dtype}"
        )
        raise DataError(f"{name} must be a real numeric array, got {kind}")
    return array.astype(np.float64, copy=False) if convert else array


def check_array_size(n_elements: int, parameter: str, value: object, what: str) -> None:
    """Refuse an array of ``n_elements`` before allocating it (over :data:`MAX_ARRAY_ELEMENTS`).

    Raises
    ------
    ParameterConflictError
        Naming ``parameter``: ``"{name} 1000000: the weights would hold ... elements"``.
    """
    if n_elements > MAX_ARRAY_ELEMENTS:
        raise ParameterConflictError(
            parameter,
            value,
            f"{{name}} {format_value(value)}: {what} would hold {n_elements} elements; too large "
            f"(limit {MAX_ARRAY_ELEMENTS}, 1 GB of doubles)",
        )
