"""The logistic activation and its derivative, and nn3's one place for element-wise exp and log.

Every element-wise ``exp`` and ``log`` nn3 computes goes through :func:`exp` and :func:`log` below
(the sigmoid kernel here, the cross-entropy in :mod:`nn3.core.network`), looked up as module
attributes at each call. They are numpy's ufuncs, whose results depend on the CPU: on a CPU with
AVX-512 numpy uses its own SIMD ``exp``/``log``, which differ from the C library's scalar ones
(the ones GNU Octave and MATLAB call) by 1 unit in the last place on a few percent of inputs;
elsewhere numpy calls the C library. Values that go through them are therefore promised to 1 ulp
of ``exp``/``log`` per element, not to the bit (see ``TOLERANCES`` in ``matlab_ref/parity.py``).
The test suite replaces these two functions to perturb their results by +-1 ulp
(``NN3_PERTURB_ULPS=1``, see ``tests/perturb.py``), which checks that no test claims bits that
depend on the machine.
"""

import numpy as np
import numpy.typing as npt

from ..validation import as_real_array


def exp(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Element-wise ``exp(x)``: numpy's ``exp`` (the CPU's SIMD one where numpy has it).

    Parameters
    ----------
    x : ndarray, float64
        Any shape.
    out : ndarray of the shape of ``x``, optional
        Where to write the result (may be ``x`` itself).

    Returns
    -------
    y : ndarray of the shape of ``x``, float64
        ``out`` when given. Within 1 ulp of the C library's ``exp`` per element, equal to it
        where numpy calls it; ``exp(0) == 1``, overflow gives ``Inf`` (with numpy's warning).
    """
    return np.exp(x, out=out)


def log(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Element-wise natural logarithm ``log(x)``: numpy's ``log`` (SIMD where numpy has it).

    Parameters
    ----------
    x : ndarray, float64
        Any shape.
    out : ndarray of the shape of ``x``, optional
        Where to write the result (may be ``x`` itself).

    Returns
    -------
    y : ndarray of the shape of ``x``, float64
        ``out`` when given. Within 1 ulp of the C library's ``log`` per element, equal to it
        where numpy calls it; ``log(1) == 0``, ``log(0) == -Inf`` (with numpy's warning).
    """
    return np.log(x, out=out)


def sigmoid(z: npt.ArrayLike) -> np.ndarray | np.float64:
    """Logistic function ``g = 1 ./ (1 + exp(-z))``.

    Port of sigmoid.m. The formula is MATLAB's own, so values agree bit for bit wherever both
    engines' ``exp`` agree (numpy's SIMD ``exp`` may differ from the C library's by 1 ulp, see
    :func:`exp`). For ``z < -709.78`` ``exp(-z)`` overflows to ``Inf`` and the result is
    the exact limit 0 (MATLAB gives the same); the overflow is expected, so no warning is raised.

    Parameters
    ----------
    z : array_like
        Any shape.

    Returns
    -------
    g : ndarray of the shape of ``z``, float64

    Raises
    ------
    DataError
        ``z`` is not real numbers (text, complex).
    """
    nz = np.array(as_real_array(z, "z"))  # a copy, negated in place below
    np.negative(nz, out=nz)
    return sigmoid_of_negated_inplace(nz)[()]  # [()]: a scalar for scalar input, as before


def sigmoid_of_negated_inplace(nz: np.ndarray) -> np.ndarray:
    """``g = 1 ./ (1 + exp(nz))`` in place, for ``nz = -z``: sigmoid.m's operations, in its order.

    The in-place kernel behind :func:`sigmoid`, which the network's hot path calls on buffers it
    reuses (negating is exact, so ``exp`` can take ``-z`` straight from a product). Given the same
    ``exp`` results the bits are sigmoid.m's; ``exp`` is :func:`exp`.

    Parameters
    ----------
    nz : ndarray, float64
        ``-z``; overwritten with ``g(z)``.

    Returns
    -------
    nz : the same array
    """
    with np.errstate(over="ignore"):  # exp(-z) = Inf for z < -709.78 gives the exact limit 0
        exp(nz, out=nz)
    nz += 1.0
    np.divide(1.0, nz, out=nz)  # as reciprocal (the same IEEE division), in numpy's SIMD loop
    return nz


def sigmoid_gradient(z: npt.ArrayLike) -> np.ndarray | np.float64:
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
