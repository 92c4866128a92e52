"""The logistic activation and its derivative."""

import numpy as np


def sigmoid(z):
    """Logistic function ``g = 1 ./ (1 + exp(-z))``.

    Port of sigmoid.m. The formula is MATLAB's own, so values agree bit for bit wherever both
    engines' ``exp`` agree. For ``z < -709.78`` ``exp(-z)`` overflows to ``Inf`` and the result is
    the exact limit 0 (MATLAB gives the same); the overflow is expected, so no warning is raised.

    Parameters
    ----------
    z : array_like
        Any shape.

    Returns
    -------
    g : ndarray of the shape of ``z``, float64
    """
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_gradient(z):
    """Derivative of the sigmoid, ``g(z) .* (1 - g(z))``.

    Port of sigmoidGradient.m (which evaluates the sigmoid twice; once is enough). Tends to 0 for
    large ``|z|`` without overflow warnings; ``sigmoid_gradient(0) == 0.25``.

    Parameters
    ----------
    z : array_like
        Any shape.

    Returns
    -------
    g : ndarray of the shape of ``z``, float64
    """
    g = sigmoid(z)
    return g * (1.0 - g)
