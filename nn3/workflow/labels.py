"""Class labels as users have them: text, or numbers other than 0/1 and 1..K.

The network needs labels 0/1 (one output unit) or 1..K (K output units, MATLAB's 1-based
classes). This module maps other labels to that form, as a MATLAB user would with
``[classes, ~, y] = unique(labels)``, keeps the mapping (``classes``) for the weights file, and
maps predictions back.

Where labels come from (as :func:`nn3.load_mat` returns them):

==============================  ===============================================================
MATLAB                          from ``load_mat``, and what :func:`encode_labels` does
==============================  ===============================================================
cell array of char (``{'a'}``)  object ndarray of ``str`` in MATLAB's size; classes are the
                                distinct texts, sorted as ``unique`` sorts them
char matrix (one label a row)   one ``str``, rows joined with ``"\\n"``; each row loses its
                                trailing blanks, as ``cellstr`` does (MATLAB's ``char`` pads
                                rows with blanks)
``string``, ``categorical``     :class:`nn3.MatlabObject`: MATLAB stores them as objects whose
                                data a .mat reader cannot decode (MCOS); refused with the
                                remedy ``y = cellstr(y)`` before saving
numeric, logical                ndarray; 0/1 and 1..K are used as they are; any other set of
                                whole numbers needs ``classes="auto"``
==============================  ===============================================================

The library never prints: :attr:`LabelMapping.message` says the mapping in words for the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError, NamedText
from ..validation import classes_hint

#: Most classes listed by name in :attr:`LabelMapping.message`.
_LIST_MAX = 20

#: Most distinct values quoted in an error message.
_QUOTE_MAX = 5


@dataclass(frozen=True)
class LabelMapping:
    """Labels ready for training, and how to map predictions back.

    Attributes
    ----------
    y : ndarray of shape (m,), float64
        0/1 or 1..K, as :func:`nn3.train` takes them.
    classes : list of str, ndarray of shape (K,) float64, or None
        ``classes[k - 1]`` is the original label of class ``k``; text labels give a list of
        str, numeric ones (``classes="auto"``) an array. None: ``y`` is used as given.
    """

    y: np.ndarray
    classes: list[str] | np.ndarray | None

    @property
    def num_labels(self) -> int | None:
        """K, the output units the mapping needs; None when ``y`` is used as given.

        Pass it to :func:`nn3.train` (``num_labels=``): a holdout split may leave a class out
        of the training rows, and K must still count it.
        """
        return None if self.classes is None else len(self.classes)

    @property
    def message(self) -> str | None:
        """The mapping in one line, for stderr; None when nothing was mapped."""
        if self.classes is None:
            return None
        names = [_show(c) for c in self.classes]
        shown = ", ".join(f"{k} = {name}" for k, name in enumerate(names[:_LIST_MAX], start=1))
        more = f", ... ({len(names)} in all)" if len(names) > _LIST_MAX else ""
        return (
            f"{len(names)} classes, numbered in sorted order as MATLAB's unique sorts them: "
            f"{shown}{more}"
        )


#: Characters of a text label that messages show; a longer label is cut, and its length given.
LABEL_SHOWN = 40


def shown_label(value) -> str:
    """A class label as a message shows it, on one line and short.

    Numbers as ``%g`` (whole numbers below 1e16 in full); text with newlines, terminal escape
    sequences and other control characters escaped (``\\x1b``, as :func:`nn3.mat.shown`
    shows names read from files) and cut after :data:`LABEL_SHOWN` characters:
    ``'aaaa... (100000 characters)'``.
    """
    from ..mat import shown

    if not isinstance(value, str):
        v = float(value)
        return f"{int(v)}" if v.is_integer() and abs(v) < 1e16 else f"{v:g}"
    if len(value) > LABEL_SHOWN:
        value = f"{value[:LABEL_SHOWN]}... ({len(value)} characters)"
    return shown(value, limit=len(value))


_show = shown_label


def encode_labels(
    y,
    classes: str | None = None,
    num_labels: int | None = None,
    path: str = "<data>",
    y_var: str = "y",
) -> LabelMapping:
    """Labels as the network needs them (0/1 or 1..K), mapping text or other numbers.

    Text labels are always mapped: ``[classes, ~, y] = unique(labels)`` (port of MATLAB's
    ``unique`` on a cell array of char: sorted by character codes, so ``'Z' < '_' < 'a'``).
    Numeric labels that are 0/1, or whole numbers whose smallest is 1 (1..K), are used as they
    are. Any other set of whole numbers (-1/+1, 0..9, 2/4) is refused unless
    ``classes="auto"``, which maps them to 1..K in ascending order; with ``classes="auto"``
    (and no ``num_labels``), labels from 1 with classes missing (``{1, 100000}``) are numbered
    1..K too. (Used as they are, such labels are refused by
    :func:`nn3.validation.check_empty_classes` when most classes would be empty.)

    Parameters
    ----------
    y : object ndarray of str, str, numeric or bool array_like, or MatlabObject
        m labels, as :func:`nn3.load_mat` returns them (see the module docstring): a cell
        vector of char, a char matrix (one label a row), or a numeric vector.
    classes : {None, "auto"}
        None maps text only; ``"auto"`` also maps numeric label sets nn3 cannot use as they
        are (a setting, checked by :class:`nn3.settings.TrainingSettings`).
    num_labels : int, optional
        K when given: numeric labels within 1..K are used as they are even when the smallest
        is not 1.
    path, y_var : str
        The file and the variable, for error messages.

    Returns
    -------
    LabelMapping

    Raises
    ------
    DataError
        One line naming ``path`` and ``y_var``: text labels that cannot be read (MATLAB
        ``string``/``categorical`` objects, a cell holding something other than text, an empty
        label), fewer than two classes to map, NaN/Inf, non-integer values (a regression
        target), or numbers that are neither 0/1 nor 1..K without ``classes="auto"``.
    """
    texts = text_labels(y, path, y_var)
    if texts is not None:
        names, index = unique_text(texts)
        _need_two(names, path, y_var)
        return LabelMapping(y=index.astype(np.float64), classes=names)
    values = _numeric_vector(y, path, y_var)
    if _usable_as_given(values, num_labels, auto=classes == "auto"):
        return LabelMapping(y=values, classes=None)
    distinct = np.unique(values)
    if classes != "auto":
        raise DataError(_refusal(distinct, path, y_var))
    _need_two(distinct, path, y_var)
    index = np.searchsorted(distinct, values) + 1
    return LabelMapping(y=index.astype(np.float64), classes=distinct)


def text_labels(y, path: str = "<data>", y_var: str = "y") -> list[str] | None:
    """The labels as a list of str when ``y`` holds text; None when it is numeric.

    Parameters
    ----------
    y : object ndarray, str, MatlabObject or numeric array_like
    path, y_var : str
        For error messages.

    Returns
    -------
    list of str (m,), or None

    Raises
    ------
    DataError
        ``y`` is a MATLAB object (``string``, ``categorical``), a struct, an N-D char array,
        a cell array that is not a vector or holds something other than one line of text, or an
        empty label.
    """
    from ..mat import MatlabObject  # lazily: matio is large and numeric y never needs it

    where = f"{path}: variable '{y_var}'"
    if isinstance(y, MatlabObject):
        kind = "" if y.class_name == "opaque" else f" of class '{y.class_name}'"
        raise DataError(
            f"{where} is a MATLAB object{kind} (string or categorical labels), which MATLAB "
            "stores in a form no .mat reader can decode; in MATLAB, save the labels as text: "
            f"{y_var} = cellstr({y_var}); save(..., '{y_var}')"
        )
    if isinstance(y, dict):
        raise DataError(f"{where} is a struct, not labels")
    if isinstance(y, str):
        rows = y.split("\n")
        labels = [row.rstrip(" ") for row in rows]  # as cellstr: MATLAB's char pads with blanks
        _check_nonempty(labels, where, "row")
        return labels
    if not isinstance(y, np.ndarray) or y.dtype.kind not in "OU":
        return None
    if y.dtype.kind == "U":
        raise DataError(
            f"{where} is an N-D char array; give labels as a cell array of text or a char "
            "matrix, one label a row"
        )
    if y.ndim > 2 or (y.ndim == 2 and min(y.shape) > 1):
        size = "x".join(str(d) for d in y.shape)
        raise DataError(f"{where} is a {size} cell array; labels must be a vector, one a row")
    labels = []
    for i, item in enumerate(y.reshape(-1), start=1):
        if not isinstance(item, str) or "\n" in item:
            what = "a char matrix" if isinstance(item, str) else _describe(item)
            raise DataError(
                f"{where}: cell {i} holds {what}; text labels must be one line of text each "
                "(a cell array of numbers: use cell2mat in MATLAB)"
            )
        labels.append(item)
    _check_nonempty(labels, where, "cell")
    return labels


def _describe(item) -> str:
    if isinstance(item, np.ndarray):
        kind = "a cell array" if item.dtype == object else "a numeric array"
        return f"{kind} of size {'x'.join(str(d) for d in item.shape)}"
    if isinstance(item, dict):
        return "a struct"
    return f"a {type(item).__name__}"


def _check_nonempty(labels: list[str], where: str, unit: str) -> None:
    for i, label in enumerate(labels, start=1):
        if label == "":
            raise DataError(f"{where}: {unit} {i} is an empty label (missing data?)")


def unique_text(labels: list[str]) -> tuple[list[str], np.ndarray]:
    """Port of MATLAB's ``[classes, ~, j] = unique(labels)`` for a cell array of char.

    Sorted by UTF-16 code units, as MATLAB compares char (uppercase before lowercase,
    ``'Z' < '_' < 'a'``; checked in octave-cli).

    Parameters
    ----------
    labels : list of str, length m

    Returns
    -------
    classes : list of str, length K
        The distinct labels, sorted.
    j : ndarray of shape (m,), int64
        1-based: ``classes[j[i] - 1] == labels[i]``.
    """
    classes = sorted(set(labels), key=lambda s: s.encode("utf-16-be", "surrogatepass"))
    number = {name: k for k, name in enumerate(classes, start=1)}
    return classes, np.array([number[s] for s in labels], dtype=np.int64)


def _numeric_vector(y, path: str, y_var: str) -> np.ndarray:
    """Numeric labels as an (m,) float64 vector: finite whole numbers, or a DataError."""
    where = f"{path}: variable '{y_var}'"
    if hasattr(y, "toarray"):
        y = y.toarray()
    values = np.asarray(y)
    if values.dtype.kind not in "biuf":
        raise DataError(f"{where} is not numeric labels (dtype {values.dtype})")
    if values.ndim > 2 or (values.ndim == 2 and min(values.shape) > 1):
        size = "x".join(str(d) for d in values.shape)
        raise DataError(f"{where} must be a vector, got size {size}")
    values = values.reshape(-1).astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise DataError(f"{where} holds NaN or Inf (row {bad[0] + 1}); labels must be numbers")
    fractional = np.flatnonzero(values != np.round(values))
    if fractional.size:
        i = fractional[0]
        raise DataError(
            f"{where} holds non-integer values (row {i + 1}: {values[i]:g}); nn3 trains "
            "classifiers with sigmoid outputs and needs class labels, so a regression target "
            "(a continuous y) needs another tool"
        )
    return values


def _usable_as_given(values: np.ndarray, num_labels: int | None, auto: bool = False) -> bool:
    """0/1, or 1..K: whole numbers from 1 (or within 1..num_labels when that is given).

    With ``auto`` (``classes="auto"``) and no ``num_labels``, 1..K only when every class of
    1..K is there: any other set of numbers is numbered 1..K (``{1, 100000}`` becomes 1, 2).
    """
    if values.size == 0 or np.all((values == 0) | (values == 1)):
        return True
    lo, hi = float(values.min()), float(values.max())
    if num_labels is not None:
        return lo >= 1 and hi <= num_labels
    if auto:
        return lo == 1 and np.unique(values).size == hi
    return lo == 1


def _quote_values(distinct: np.ndarray) -> str:
    shown = ", ".join(f"{v:g}" for v in distinct[:_QUOTE_MAX])
    return shown + (f", ... ({distinct.size} values)" if distinct.size > _QUOTE_MAX else "")


def _refusal(distinct: np.ndarray, path: str, y_var: str) -> NamedText:
    return NamedText(
        f"{path}: variable '{y_var}' holds labels {_quote_values(distinct)}; labels must be "
        "0/1 (one output unit) or 1..K (MATLAB's 1-based classes); "
        + classes_hint(distinct).template,
        {"classes": "auto"},
    )


def is_text_like(y) -> bool:
    """Whether ``y`` is text (or a MATLAB object) for :func:`encode_labels` to map or refuse.

    True for a str (a char matrix), an object or str ndarray (a cell array, an N-D char
    array) and a :class:`nn3.MatlabObject` (``string``/``categorical``); False for numbers.
    """
    from ..mat import MatlabObject

    if isinstance(y, (str, MatlabObject)):
        return True
    return isinstance(y, np.ndarray) and y.dtype.kind in "OU"


def _need_two(classes, path: str, y_var: str) -> None:
    if len(classes) < 2:
        only = _show(classes[0]) if len(classes) else "none"
        raise DataError(
            f"{path}: variable '{y_var}' holds one class only ({only}); a classifier needs at "
            "least two"
        )


# ---------------------------------------------------------------------------------------------
# The weights file, and predictions
# ---------------------------------------------------------------------------------------------


def classes_to_mat(classes: list[str] | np.ndarray) -> np.ndarray:
    """``classes`` as the weights file stores it, for :func:`nn3.save_mat`.

    Text classes become a K x 1 cell array of char (an object ndarray of str, which
    ``save_mat`` writes as a MATLAB cell; MATLAB and Octave read it back with ``iscellstr``
    true), numeric ones a K x 1 double column.

    Parameters
    ----------
    classes : list of str, or array_like of shape (K,)

    Returns
    -------
    ndarray of shape (K, 1), object (str) or float64
    """
    if isinstance(classes, list) and all(isinstance(c, str) for c in classes):
        cell = np.empty((len(classes), 1), dtype=object)
        for k, name in enumerate(classes):
            cell[k, 0] = name
        return cell
    return np.asarray(classes, dtype=np.float64).reshape(-1, 1)


def classes_from_mat(value, path: str = "<weights>", name: str = "classes"):
    """``classes`` read back from a weights file (the inverse of :func:`classes_to_mat`).

    Parameters
    ----------
    value : object ndarray of str, str (a char matrix) or numeric ndarray
        As :func:`nn3.load_mat` returns the variable.
    path, name : str
        The file and the variable, for error messages.

    Returns
    -------
    list of str, or ndarray of shape (K,) float64

    Raises
    ------
    DataError
        Not a vector of text or of finite numbers, or a repeated class.
    """
    texts = text_labels(value, path, name)
    if texts is not None:
        classes: list[str] | np.ndarray = texts
        distinct = len(set(texts))
    else:
        try:
            classes = _numeric_vector(value, path, name)
        except DataError as exc:
            raise DataError(
                f"{path}: variable '{name}' must be a cell array of text or a numeric vector "
                f"({str(exc).split(': ', 1)[-1]})"
            ) from None
        distinct = np.unique(classes).size
    if distinct != len(classes):
        raise DataError(f"{path}: variable '{name}' lists a class twice")
    return classes


def check_classes(classes, num_labels: int, path: str = "<weights>") -> None:
    """The stored classes must match the network's K output units.

    Raises
    ------
    DataError
        ``{path}: 'classes' lists 3 classes but the network has 4 output units``.
    """
    if len(classes) != num_labels:
        raise DataError(
            f"{path}: 'classes' lists {len(classes)} classes but the network has "
            f"{num_labels} output units"
        )


def decode_predictions(p_index, classes) -> np.ndarray:
    """Predicted class numbers back to the original labels: ``p = classes(p_index)``.

    Parameters
    ----------
    p_index : array_like of shape (m,)
        1..K, as :func:`nn3.predict` returns them for a K-output network.
    classes : list of str, array_like of shape (K,), or None
        From :func:`encode_labels` or :func:`classes_from_mat`; None returns ``p_index``.

    Returns
    -------
    p : ndarray of shape (m, 1)
        An object ndarray of str (a cell column for :func:`nn3.save_mat`) for text classes,
        float64 otherwise.

    Raises
    ------
    DataError
        An index that is not a whole number in 1..K.
    """
    index = np.asarray(p_index, dtype=np.float64).reshape(-1)
    if classes is None:
        return index.reshape(-1, 1)
    K = len(classes)
    bad = np.flatnonzero((index != np.round(index)) | (index < 1) | (index > K))
    if bad.size:
        raise DataError(
            f"prediction {bad[0] + 1} is class {index[bad[0]]:g}, not one of the {K} classes"
        )
    positions = index.astype(np.int64) - 1
    if isinstance(classes, list):
        out = np.empty((index.size, 1), dtype=object)
        for i, k in enumerate(positions):
            out[i, 0] = classes[k]
        return out
    return np.asarray(classes, dtype=np.float64).reshape(-1)[positions].reshape(-1, 1)
