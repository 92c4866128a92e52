"""The network's functions as ``nn3`` exports them: their array arguments checked first.

:mod:`nn3.core.network` converts its arguments with numpy, so text where numbers are expected
(``nn3.predict("a", "b", "c")``) raised numpy's bare ``ValueError``. The public names
(``nn3.predict``, ``nn3.predict_proba``, ``nn3.cost_function``, ``nn3.nn_cost_function``,
``nn3.roll``, ``nn3.unroll``, ``nn3.accuracy``) are these thin wrappers: each array argument that
is not already a numeric ndarray is checked by :func:`nn3.validation.as_real_array` (text,
objects, complex numbers and ragged lists are a :class:`~nn3.errors.DataError` naming the
argument), then the function of :mod:`nn3.core.network` is called with the arguments as given.
Numeric ndarrays pass untouched (no copy); lists of numbers are accepted as before. nn3's own
code calls :mod:`nn3.core.network` directly.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from ..validation import as_real_array
from . import network

__all__ = [
    "accuracy",
    "cost_function",
    "nn_cost_function",
    "predict",
    "predict_proba",
    "roll",
    "unroll",
]

F = TypeVar("F", bound=Callable[..., Any])


def _check_array(value: object, name: str) -> None:
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return
    if hasattr(value, "toarray"):  # scipy.sparse: the function decides
        return
    as_real_array(value, name, convert=False)


def checked(function: F, arrays: tuple[str, ...]) -> F:
    """``function`` with its arguments named in ``arrays`` checked before it runs."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:  # a wrong call: Python's own message, from the function
            return function(*args, **kwargs)
        for name in arrays:
            if name in bound.arguments:
                _check_array(bound.arguments[name], name)
        return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


predict = checked(network.predict, ("Theta1", "Theta2", "X"))
predict_proba = checked(network.predict_proba, ("Theta1", "Theta2", "X"))
cost_function = checked(network.cost_function, ("X", "y", "Theta1", "Theta2"))
nn_cost_function = checked(network.nn_cost_function, ("nn_params", "X", "y"))
roll = checked(network.roll, ("nn_params",))
unroll = checked(network.unroll, ("Theta1", "Theta2"))
accuracy = checked(network.accuracy, ("p", "y"))
