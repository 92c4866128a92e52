"""A trained network with what travels with it: the class names and the feature scaling.

``nn3 train`` stores, beside ``Theta1``/``Theta2``, the original labels (``classes``, when they
were text or ``--classes auto`` mapped them) and the training set's ``mu``/``sigma`` (when
``--normalize`` scaled the features). :class:`Model` applies both, so that predicting from a
weights file gives what the user trained on::

    model = nn3.load_model("iris.mat")
    model.predict(X)          # scales X with mu/sigma, returns 'setosa', ... (or the numbers)

:func:`nn3.predict` ``(Theta1, Theta2, X)`` stays the port of predict.m: it has no ``mu``,
``sigma`` or ``classes`` and applies none (give it ``model.scale(X)``, or use the model).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..core.network import labels_from_outputs, predict_proba
from ..errors import DataError
from ..validation import as_real_array
from .labels import (
    check_classes,
    classes_from_mat,
    decode_predictions,
    shown_label,
    text_labels,
)


@dataclass
class Model:
    """``Theta1``/``Theta2`` with the optional ``classes`` and ``mu``/``sigma`` of the file.

    Attributes
    ----------
    Theta1 : ndarray of shape (hidden, n + 1)
    Theta2 : ndarray of shape (K, hidden + 1)
    classes : list of str, ndarray of shape (K,), or None
        ``classes[k - 1]`` is the original label of output ``k``.
    mu, sigma : ndarray of shape (1, n), or None
        The training rows' ``featureNormalize`` statistics.
    path : str
        The weights file, for error messages.
    """

    Theta1: np.ndarray
    Theta2: np.ndarray
    classes: list[str] | np.ndarray | None = None
    mu: np.ndarray | None = None
    sigma: np.ndarray | None = None
    path: str = "<weights>"

    def scale(self, X) -> np.ndarray:
        """``(X - mu) ./ sigma`` when the network was trained on scaled features, else X."""
        if self.mu is None or self.sigma is None:
            return as_real_array(X, "X")
        from .scaling import apply_normalization

        return apply_normalization(X, self.mu, self.sigma, self.path)

    def predict_proba(self, X) -> np.ndarray:
        """The output activations h, shape (m, K), of the scaled X."""
        return predict_proba(self.Theta1, self.Theta2, self.scale(X))

    def predict_index(self, X) -> np.ndarray:
        """Output numbers 1..K (0/1 for one unit), shape (m,), as :func:`nn3.predict` gives."""
        return labels_from_outputs(self.predict_proba(X))

    def predict(self, X) -> np.ndarray:
        """The predicted labels as the user gave them, shape (m,).

        An object array of str for text classes, the original numbers for ``--classes auto``,
        else 1..K (or 0/1), as :func:`nn3.predict`.
        """
        return self.decode(self.predict_index(X))

    def decode(self, p_index) -> np.ndarray:
        """Output numbers back to the original labels, shape (m,)."""
        return decode_predictions(p_index, self.classes).reshape(-1)

    def encode(self, y, path: str = "<data>", y_var: str = "y") -> np.ndarray:
        """A data file's labels as output numbers, with the stored classes (not a new unique).

        Parameters
        ----------
        y : labels as :func:`nn3.load_mat` returns them (text or numbers)
        path, y_var : str
            The data file and its variable, for error messages.

        Returns
        -------
        ndarray of shape (m,), float64
            Comparable with :meth:`predict_index`.

        Raises
        ------
        DataError
            Text labels for a network without text classes, or a label that is not one of the
            stored classes (named).
        """
        where = f"{path}: variable '{y_var}'"
        texts = text_labels(y, path, y_var)
        if isinstance(self.classes, list):
            if texts is None:
                raise DataError(
                    f"{where} holds numbers but {self.path} was trained on text labels "
                    f"({', '.join(shown_label(c) for c in self.classes[:5])}"
                    f"{', ...' if len(self.classes) > 5 else ''})"
                )
            number = {name: k for k, name in enumerate(self.classes, start=1)}
            unknown = [t for t in texts if t not in number]
            if unknown:
                raise DataError(
                    f"{where} holds the label '{shown_label(unknown[0])}', which is not one of the "
                    f"{len(self.classes)} classes in {self.path}"
                )
            return np.array([number[t] for t in texts], dtype=np.float64)
        if texts is not None:
            raise DataError(
                f"{where} holds text labels but {self.path} has no 'classes' (it was trained "
                "on numeric labels)"
            )
        from .data import validate_data

        values = np.asarray(y.toarray() if hasattr(y, "toarray") else y, dtype=np.float64)
        if self.classes is None:
            _, labels = validate_data(np.zeros((values.size, 1)), values, path, "X", y_var)
            return labels
        values = values.reshape(-1)
        known = np.asarray(self.classes, dtype=np.float64)
        position = {float(v): k for k, v in enumerate(known, start=1)}
        missing = [v for v in values if float(v) not in position]
        if missing:
            raise DataError(
                f"{where} holds the label {missing[0]:g}, which is not one of the "
                f"{known.size} classes in {self.path}"
            )
        return np.array([position[float(v)] for v in values], dtype=np.float64)


def model_from_variables(variables: dict, path: str = "<weights>") -> Model:
    """A :class:`Model` from a loaded weights file's variables.

    Raises
    ------
    DataError
        No weights, ``classes`` not matching the output units, or ``mu``/``sigma`` invalid or
        only one of them there.
    """
    from .scaling import normalization_from_variables
    from .weights import weights_from_variables

    Theta1, Theta2 = weights_from_variables(variables, path)
    classes = None
    if "classes" in variables:
        classes = classes_from_mat(variables["classes"], path)
        check_classes(classes, Theta2.shape[0], path)
    scaling = normalization_from_variables(variables, path)
    mu, sigma = scaling if scaling is not None else (None, None)
    if mu is not None and mu.shape[1] != Theta1.shape[1] - 1:
        raise DataError(
            f"{path}: 'mu' and 'sigma' are for {mu.shape[1]} features but Theta1 takes "
            f"{Theta1.shape[1] - 1}"
        )
    return Model(Theta1, Theta2, classes, mu, sigma, path)


def load_model(path: str | os.PathLike) -> Model:
    """The trained network of a weights file, with its ``classes`` and ``mu``/``sigma``.

    Parameters
    ----------
    path : str or os.PathLike
        As written by ``nn3 train`` (or any file :func:`nn3.load_weights` reads).

    Returns
    -------
    Model
    """
    from ..mat import load_mat

    path = os.fspath(path)
    return model_from_variables(load_mat(path), path)
