"""Trained weights read back: ``Theta1`` and ``Theta2``, or an unrolled vector with its sizes.

What ``nn3 predict``, ``nn3 cost``, ``nn3 show`` and :func:`nn3.load_weights` read, from a
weights file ``nn3 train`` wrote or from MATLAB's own ``save``.
"""

import os

import numpy as np

from ..core.network import roll
from ..errors import DataError
from ..mat import describe, get_variable, load_mat, shown
from .data import as_matrix


def load_weights(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """``Theta1`` and ``Theta2`` from a .mat file (as written by ``nn3 train`` or MATLAB).

    Accepts ``Theta1``/``Theta2`` directly, or an unrolled ``nn_params`` (or
    ``initial_params``) together with ``input_layer_size``, ``hidden_layer_size`` and
    ``num_labels``. See :func:`weights_from_variables`.
    """
    return weights_from_variables(load_mat(path, variables=WEIGHT_VARIABLES), path)


#: The variables :func:`load_weights` reads (a weights file's other variables are not read).
WEIGHT_VARIABLES = (
    "Theta1",
    "Theta2",
    "nn_params",
    "initial_params",
    "input_layer_size",
    "hidden_layer_size",
    "num_labels",
)


def weights_from_variables(variables, path="<data>"):
    """``Theta1`` and ``Theta2`` from a loaded .mat file's variables (see :func:`load_weights`).

    Parameters
    ----------
    variables : dict
        As :func:`nn3.load_mat` returns it.
    path : str
        The file, for error messages.

    Returns
    -------
    Theta1 : ndarray of shape (hidden, n + 1), float64
    Theta2 : ndarray of shape (K, hidden + 1), float64
        Finite, with matching sizes.
    """
    if "Theta1" in variables or "Theta2" in variables:
        Theta1 = as_matrix(get_variable(variables, "Theta1", path), path, "Theta1")
        Theta2 = as_matrix(get_variable(variables, "Theta2", path), path, "Theta2")
        Theta1 = Theta1.astype(np.float64)
        Theta2 = Theta2.astype(np.float64)
        if Theta1.ndim != 2 or Theta2.ndim != 2:
            raise DataError(f"{path}: Theta1 and Theta2 must be 2-D matrices")
        if Theta2.shape[1] != Theta1.shape[0] + 1:
            raise DataError(
                f"{path}: Theta2 is {Theta2.shape[0]}x{Theta2.shape[1]} but Theta1 has "
                f"{Theta1.shape[0]} hidden units (expected {Theta1.shape[0] + 1} columns)"
            )
        if not (np.all(np.isfinite(Theta1)) and np.all(np.isfinite(Theta2))):
            raise DataError(f"{path}: Theta1 or Theta2 holds NaN or Inf values")
        return Theta1, Theta2
    for name in ("nn_params", "initial_params"):
        if name in variables:
            sizes = [
                _layer_size(variables, size_name, path)
                for size_name in ("input_layer_size", "hidden_layer_size", "num_labels")
            ]
            return roll_params(variables[name], sizes, path, name)
    present = getattr(variables, "names", None) or variables  # every name, when read in part
    listing = ", ".join(shown(name) for name in sorted(present)) or "none"
    raise DataError(
        f"{path}: no weights found: expected Theta1 and Theta2, or nn_params with "
        f"the layer sizes (variables there: {listing})"
    )


def roll_params(value, sizes, path="<data>", name="nn_params"):
    """``Theta1`` and ``Theta2`` from an unrolled vector ``[Theta1(:); Theta2(:)]``.

    Parameters
    ----------
    value : array_like
        The vector, as loaded (any shape holding the right number of elements).
    sizes : tuple of int
        ``(input_layer_size, hidden_layer_size, num_labels)``.
    path, name : str
        The file and the variable, for error messages.

    Raises
    ------
    DataError
        Not a finite real numeric array, or not the size of that network.
    """
    params = as_matrix(value, path, name).astype(np.float64)
    if not np.all(np.isfinite(params)):
        raise DataError(f"{path}: variable '{name}' holds NaN or Inf values")
    try:
        Theta1, Theta2 = roll(params, *sizes)
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from exc
    return np.array(Theta1), np.array(Theta2)


def _layer_size(variables, name, path):
    """A layer size stored beside ``nn_params``: one whole number, at least 1."""
    value = as_matrix(get_variable(variables, name, path), path, name)
    if value.size != 1:
        raise DataError(f"{path}: variable '{name}' must be a layer size, got {describe(value)}")
    size = float(value.flat[0])
    if not (size.is_integer() and size >= 1):
        raise DataError(
            f"{path}: variable '{name}' must be a whole number of at least 1, got {size:g}"
        )
    return int(size)
