"""The training data: X and y read from a .mat or numeric text file, or given, and checked.

Reading (:func:`read_data`) takes only the variables named; checking (:func:`validate_data`) makes
X a finite float64 (m, n) matrix and y m labels that are 0/1 or 1..K, after text or other labels
are numbered 1..K (:func:`check_labelled`, with :mod:`nn3.workflow.labels`). Every error names
the file and the variable.
"""

import os
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DataError, MatFileError, NamedText, ParameterConflictError
from ..mat import densify, describe, format_size, get_variable, load_mat
from ..validation import check_labels

if TYPE_CHECKING:
    from ..settings import TrainingSettings


def as_matrix(value, path, name):
    """``value`` as a real numeric ndarray (sparse densified), or a DataError naming it.

    A Python list (or tuple) of numbers is an array too, as numpy reads it (``nn3.fit(X, y)``
    with ``y`` a list); a list of text is not numbers.
    """
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value)
        except (ValueError, TypeError):  # ragged
            raise DataError(
                f"{path}: variable '{name}' is a list whose rows differ in length, not a matrix"
            ) from None
    if not hasattr(value, "shape") or (isinstance(value, np.ndarray) and value.dtype == object):
        raise DataError(f"{path}: variable '{name}' is {describe(value)}, not a numeric matrix")
    value = densify(value, path, name)  # scipy.sparse, refusing absurd sizes
    if value.dtype.kind == "c":
        raise DataError(f"{path}: variable '{name}' is complex; nn3 needs real data")
    if value.dtype.kind not in "biuf":
        raise DataError(f"{path}: variable '{name}' is {describe(value)}, not a numeric matrix")
    return value


def validate_data(X, y, path="<data>", x_var="X", y_var="y", num_labels=None):
    """Check and convert training data: X a finite real (m, n) matrix, y m labels.

    ``y`` must hold 0/1 labels (one output unit) or labels 1..K (K = ``num_labels`` when
    given; :func:`nn3.validation.check_labels`). Sparse X is densified (up to
    ``nn3.mat.MAX_DENSE_ELEMENTS``). Every error names
    ``path`` and the variable.

    Returns
    -------
    X : ndarray of shape (m, n), float64
    y : ndarray of shape (m,), float64
    """
    X = as_matrix(X, path, x_var)
    if X.ndim != 2:
        raise DataError(
            f"{path}: variable '{x_var}' must be a 2-D matrix, got size {format_size(X.shape)}"
        )
    X = X.astype(np.float64, copy=False)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(
            f"{path}: variable '{x_var}' is empty ({X.shape[0]}x{X.shape[1]}): "
            "no examples to train on"
        )
    if not np.all(np.isfinite(X)):
        bad = int(np.size(X) - np.count_nonzero(np.isfinite(X)))
        raise DataError(f"{path}: variable '{x_var}' holds {bad} NaN or Inf values")
    if y is None:
        return X, None
    y = as_matrix(y, path, y_var)
    if y.ndim > 2 or (y.ndim == 2 and min(y.shape) > 1):
        raise DataError(
            f"{path}: variable '{y_var}' must be a vector, got size {format_size(y.shape)}"
        )
    y = y.reshape(-1).astype(np.float64)
    if y.size != X.shape[0]:
        transposed = (
            f"; '{x_var}' looks transposed ({x_var}'): its {X.shape[1]} columns match the labels"
            if X.shape[1] == y.size
            else ""
        )
        raise DataError(
            f"{path}: '{x_var}' has {X.shape[0]} rows but '{y_var}' has {y.size} labels"
            + transposed
        )
    return X, check_labels(y, path, y_var, num_labels)


def check_single_precision(X, path="<data>", x_var="X") -> None:
    """Refuse an X that single precision cannot hold, before it is cast (training with
    ``precision="single"``): numpy would turn such values into Inf, with a RuntimeWarning.

    Raises
    ------
    DataError
        Naming the file, the variable and the largest value; the remedies name ``precision``
        and ``normalize``.
    """
    if X.size == 0:
        return
    top = float(np.max(np.abs(X)))
    with np.errstate(over="ignore"):
        fits = bool(np.isfinite(np.float32(top)))
    if not fits:
        limit = float(np.finfo(np.float32).max)
        raise DataError(
            NamedText(
                f"{path}: variable '{x_var}' holds values up to {top:.3g}, beyond single "
                f"precision's largest number ({limit:.3g}): train in double precision "
                "({precision='double'}) or scale the features ({normalize=True})",
                {"precision": "double", "normalize": True},
            )
        )


def load_training_data(
    path: str | os.PathLike[str],
    x_var: str = "X",
    y_var: str = "y",
    require_y: bool = True,
    num_labels: int | None = None,
    y_col: int | None = None,
    classes: str | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """``X`` and ``y`` from a .mat or numeric text file, checked (see :func:`validate_data`).

    ``x_var``/``y_var`` address struct fields as ``"data.X"``. Without ``require_y``, a
    missing ``y_var`` gives ``y = None``. Text labels (and, with ``classes="auto"``, any set
    of whole numbers) come back mapped to 1..K; :func:`load_labelled_data` also returns the
    mapping. ``y_col``: see :func:`read_data`.
    """
    X, y, _ = load_labelled_data(path, x_var, y_var, require_y, num_labels, y_col, classes)
    return X, y


def load_labelled_data(
    path, x_var="X", y_var="y", require_y=True, num_labels=None, y_col=None, classes=None
):
    """:func:`load_training_data`, and how the labels were mapped.

    Returns
    -------
    X : ndarray of shape (m, n), float64
    y : ndarray of shape (m,), float64, or None
        0/1 or 1..K.
    mapping : nn3.workflow.labels.LabelMapping or None
        None when ``y`` is None or was used as given.
    """
    X, y = read_data(path, x_var, y_var, require_y, y_col)
    return check_labelled(X, y, path, x_var, y_var, num_labels, classes)


def check_labelled(X, y, path="<data>", x_var="X", y_var="y", num_labels=None, classes=None):
    """:func:`validate_data` after mapping text labels (or any, ``classes="auto"``) to 1..K.

    Returns
    -------
    X, y, mapping
        As :func:`load_labelled_data`.
    """
    from .labels import encode_labels, is_text_like

    mapping = None
    if isinstance(y, (list, tuple)) and any(isinstance(v, str) for v in y):
        y = np.array(list(y), dtype=object)  # a Python list of names, from nn3.fit(X, labels)
    if y is not None and (classes is not None or is_text_like(y)):
        mapping = encode_labels(y, classes=classes, num_labels=num_labels, path=path, y_var=y_var)
        y = mapping.y
        if mapping.classes is None:
            mapping = None
        else:
            num_labels = num_labels or mapping.num_labels
    X, y = validate_data(X, y, path, x_var, y_var, num_labels=num_labels)
    return X, y, mapping


def read_data(path, x_var="X", y_var="y", require_y=True, y_col=None, n_features=None):
    """``X`` and ``y`` as the file holds them (unchecked): a .mat file or a numeric text file.

    A text file (``.txt``/``.csv``/``.dat``, see :mod:`nn3.mat.text`) holds one matrix: its
    last column is ``y`` and the others ``X``, as the coursework splits it; ``y_col`` (1-based)
    names another label column. Without ``require_y``, a text file with exactly
    ``n_features`` columns is all ``X`` (``y = None``).

    Raises
    ------
    ParameterConflictError
        ``x_var``/``y_var`` other than X/y for a text file, ``y_col`` for a .mat file, or a
        ``y_col`` beyond the file's columns.
    """
    from ..mat.text import is_text_data_file, read_numeric_text, split_xy

    if is_text_data_file(path):
        if (x_var, y_var) != ("X", "y"):
            name, value = ("x_var", x_var) if x_var != "X" else ("y_var", y_var)
            raise ParameterConflictError(
                name,
                value,
                f"{path}: a text file holds one matrix; {{x_var}} and {{y_var}} name .mat "
                "variables; use {y_col} to choose the label column",
                {"x_var": x_var, "y_var": y_var, "y_col": y_col},
            )
        data = read_numeric_text(path)
        if not require_y and y_col is None and data.shape[1] == n_features:
            return data, None
        if y_col is not None and not 1 <= y_col <= data.shape[1]:
            raise ParameterConflictError(
                "y_col",
                y_col,
                f"{path}: {{name}} must be a column number from 1 to {data.shape[1]} (1-based, "
                f"as in MATLAB), got {y_col}",
            )
        X, y = split_xy(data, y_col, path)
        return X, y
    if y_col is not None:
        raise ParameterConflictError(
            "y_col",
            y_col,
            f"{path}: {{name}} applies to text files; for .mat files use {{y_var}}",
            {"y_var": y_var},
        )
    # Only the variables named (their top-level names): the rest of the file is not read.
    variables = load_mat(path, variables=[x_var.split(".")[0], y_var.split(".")[0]])
    X = get_variable(variables, x_var, path)
    try:
        y = get_variable(variables, y_var, path)
    except MatFileError:
        if require_y:
            raise
        y = None
    return X, y


def infer_num_labels(y):
    """1 (a binary output unit) when y is all 0/1, else K = max(y) for labels 1..K."""
    values = np.unique(y)
    if values.size and np.all((values == 0) | (values == 1)):
        return 1
    return int(values.max())


def training_data(data, y, settings: "TrainingSettings"):
    """X and y for in-memory training, read (a file) or given (arrays), labels numbered, checked.

    Parameters
    ----------
    data : str, os.PathLike or array_like
        A data file, or X.
    y : array_like or None
        The labels when ``data`` is X.
    settings : TrainingSettings
        ``x_var``, ``y_var``, ``y_col``, ``classes``, ``num_labels``.

    Returns
    -------
    source : str
        The file as messages name it, or ``"<data>"``.
    X : ndarray of shape (m, n), float64
    y : ndarray of shape (m,), float64
    mapping : LabelMapping or None
    K : int
        Output units: ``num_labels``, the classes of numbered labels, or from the labels.
    K_known : bool
        Whether K was given (``num_labels``) or fixed by numbered classes.
    """
    s = settings
    if isinstance(data, (str, os.PathLike)):
        source = str(data)
        X, labels, mapping = load_labelled_data(
            data, s.x_var, s.y_var, num_labels=s.num_labels, y_col=s.y_col, classes=s.classes
        )
    else:
        source = "<data>"
        if y is None:
            raise DataError(
                f"{source}: no labels: give y with X (fit(X, y)), or a data file holding both"
            )
        X, labels, mapping = check_labelled(
            data, y, source, s.x_var, s.y_var, s.num_labels, s.classes
        )
    K_known = s.num_labels is not None or mapping is not None
    if s.num_labels is not None:
        K = s.num_labels
    elif mapping is not None and mapping.num_labels is not None:
        K = mapping.num_labels  # every class, also one a hold-out leaves out of the training rows
    else:
        K = infer_num_labels(labels)
    return source, X, labels, mapping, K, K_known
