"""matlab_ref's cost and gradient, computed in the order Octave with reference BLAS computes them.

Independent of nn3.core.network. It follows matlab_ref/costFunction.m and backpropagation.m
operation for operation and adds every sum in index order, as reference BLAS ``dgemm``/``dgemv``
(each element of ``A*B`` is ``((0 + a1*b1) + a2*b2) + ...``) and Octave's ``sum`` do. With that it
reproduces the Octave reference outputs bit for bit, which shows that nn3's remaining differences
come from summation order (OpenBLAS blocks its sums, numpy sums pairwise) and nothing else.
Slow (a Python loop over every inner index), so it is only used on the reference cases.

``exp`` and ``log`` are the C library's scalar functions, called element by element
(:func:`libm_exp`, :func:`libm_log`), as Octave calls them: numpy's own ``exp``/``log`` differ
from them by 1 ulp on a few percent of inputs on CPUs where numpy uses SIMD versions (AVX-512),
which would make the oracle depend on the CPU. Python's ``math.exp``/``math.log`` are the C
library's ``exp``/``log`` (``tests/parity/test_parity_summation_order.py`` checks that against
the library itself, through ctypes).
"""

import math

import numpy as np


def matmul(A, B):
    """``A*B`` with each element accumulated over the inner index in order (reference dgemm).

    Parameters
    ----------
    A : ndarray of shape (m, k)
    B : ndarray of shape (k, n)

    Returns
    -------
    C : ndarray of shape (m, n)
    """
    C = np.zeros((A.shape[0], B.shape[1]))
    for j in range(A.shape[1]):
        C += A[:, j : j + 1] * B[j : j + 1, :]
    return C


def sum_in_order(v):
    """Octave's ``sum(v)`` of a vector: ``((v1 + v2) + v3) + ...`` (``cumsum`` adds in order)."""
    v = np.asarray(v).reshape(-1)
    return np.cumsum(v)[-1] if v.size else 0.0


def _exp(v):
    try:
        return math.exp(v)
    except OverflowError:  # libm returns Inf (and sets errno); Python raises
        return math.inf


def _log(v):
    try:
        return math.log(v)
    except ValueError:  # libm returns -Inf for 0 and NaN below 0; Python raises
        return -math.inf if v == 0 else math.nan


def _elementwise(f, x):
    x = np.asarray(x, dtype=np.float64)
    return np.fromiter(map(f, x.reshape(-1).tolist()), np.float64, x.size).reshape(x.shape)


def libm_exp(x):
    """``exp(x)`` element by element with the C library's scalar ``exp`` (Octave's).

    Parameters
    ----------
    x : array_like
        Any shape.

    Returns
    -------
    y : ndarray of the shape of ``x``, float64
    """
    return _elementwise(_exp, x)


def libm_log(x):
    """``log(x)`` element by element with the C library's scalar ``log`` (Octave's).

    Parameters
    ----------
    x : array_like
        Any shape.

    Returns
    -------
    y : ndarray of the shape of ``x``, float64
        ``-Inf`` for 0, NaN below 0, as the C library gives.
    """
    return _elementwise(_log, x)


def sigmoid(z):
    """sigmoid.m: ``1 ./ (1 + exp(-z))``, with the C library's ``exp``."""
    return 1.0 / (1.0 + libm_exp(-z))


def cost_grad(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    """matlab_ref/nnCostFunction.m: ``[J, grad]`` with Octave's order of every operation.

    Parameters
    ----------
    nn_params : ndarray of shape (n_params,) or (n_params, 1)
        ``[Theta1(:); Theta2(:)]``.
    input_layer_size, hidden_layer_size, num_labels : int
    X : ndarray of shape (m, input_layer_size)
    y : ndarray of shape (m, 1)
        0/1 when ``num_labels == 1``, labels 1..K otherwise.
    lambda_ : float

    Returns
    -------
    J : float
    grad : ndarray of shape (n_params,)
    """
    p = np.asarray(nn_params, dtype=np.float64).reshape(-1)
    n1 = hidden_layer_size * (input_layer_size + 1)
    Theta1 = p[:n1].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = p[n1:].reshape((num_labels, hidden_layer_size + 1), order="F")
    m = X.shape[0]
    ones = np.ones((m, 1))

    # costFunction.m
    a1 = np.hstack([ones, X])
    z2 = matmul(a1, Theta1.T)
    a2 = np.hstack([ones, sigmoid(z2)])
    h = sigmoid(matmul(a2, Theta2.T))
    yc = np.asarray(y, dtype=np.float64).reshape(-1, 1)
    if num_labels == 1:
        Y = yc
    else:
        Y = (yc == np.arange(1, num_labels + 1)).astype(np.float64)
    loss = -Y * libm_log(h) - (1 - Y) * libm_log(1 - h)
    J = sum_in_order(np.cumsum(loss, axis=0)[-1]) / m  # sum(sum(...)): columns, then the row
    if lambda_ != 0:
        W1 = Theta1[:, 1:].reshape(-1, order="F")  # W1(:)
        W2 = Theta2[:, 1:].reshape(-1, order="F")
        penalty = sum_in_order(W1**2) + sum_in_order(W2**2)
        J = J + lambda_ / (2 * m) * penalty

    # backpropagation.m
    delta3 = h - Y
    s = sigmoid(z2)
    delta2 = matmul(delta3, Theta2[:, 1:]) * (s * (1 - s))
    Theta1_grad = matmul(delta2.T, a1) / m
    Theta2_grad = matmul(delta3.T, a2) / m
    if lambda_ != 0:
        Theta1_grad[:, 1:] = Theta1_grad[:, 1:] + (lambda_ / m) * Theta1[:, 1:]
        Theta2_grad[:, 1:] = Theta2_grad[:, 1:] + (lambda_ / m) * Theta2[:, 1:]
    grad = np.concatenate([Theta1_grad.reshape(-1, order="F"), Theta2_grad.reshape(-1, order="F")])
    return float(J), grad
