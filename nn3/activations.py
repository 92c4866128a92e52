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
    nz = np.array(z, dtype=np.float64)  # a copy, negated in place below
    np.negative(nz, out=nz)
    return sigmoid_of_negated_inplace(nz)[()]  # [()]: a scalar for scalar input, as before


def sigmoid_of_negated_inplace(nz):
    """``g = 1 ./ (1 + exp(nz))`` in place, for ``nz = -z``: sigmoid.m's operations (same bits).

    The in-place kernel behind :func:`sigmoid`, which the network's hot path calls on buffers it
    reuses (negating is exact, so ``exp`` can take ``-z`` straight from a product).

    Parameters
    ----------
    nz : ndarray, float64
        ``-z``; overwritten with ``g(z)``.

    Returns
    -------
    nz : the same array
    """
    with np.errstate(over="ignore"):  # exp(-z) = Inf for z < -709.78 gives the exact limit 0
        np.exp(nz, out=nz)
    nz += 1.0
    np.reciprocal(nz, out=nz)
    return nz


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
