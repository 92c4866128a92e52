"""The three-layer sigmoid network: cost, backpropagation, unrolling and prediction.

Layers: ``a1 = [1 X]`` (m x n+1), ``a2 = [1 g(a1 Theta1')]`` (m x h+1), ``h = g(a2 Theta2')``
(m x K). ``Theta1`` is ``(hidden, input + 1)`` and ``Theta2`` is ``(num_labels, hidden + 1)``;
column 0 of each holds the bias weights.

The bias column of ``a1``/``a2`` is never materialised: ``[1 X] @ Theta1.T`` equals
``X @ Theta1[:, 1:].T + Theta1[:, 0]`` and the gradient's bias column is a column sum, so the data
matrix is read, never copied.

Outputs: ``num_labels == 1`` is the source document's binary case (``y`` in {0, 1} used as the
target directly); ``num_labels = K >= 2`` is the coursework case (labels 1..K, one-hot targets).
Either way the target matrix ``Y`` is 0 except at one known position per "positive" row, so it is
kept as a list of ``(row, column)`` hits instead of an m x K matrix.
"""

import numpy as np

from .activations import sigmoid
from .errors import DataError


def unroll(Theta1, Theta2):
    """Unroll weights into one vector exactly like MATLAB's ``[Theta1(:); Theta2(:)]``.

    Parameters
    ----------
    Theta1 : ndarray of shape (hidden, input + 1)
    Theta2 : ndarray of shape (num_labels, hidden + 1)

    Returns
    -------
    nn_params : ndarray of shape (hidden * (input + 1) + num_labels * (hidden + 1),)
        Column-major (Fortran) order, so a vector saved by MATLAB can be used as is.
    """
    return np.concatenate([np.ravel(Theta1, order="F"), np.ravel(Theta2, order="F")]).astype(
        np.float64, copy=False
    )


def roll(nn_params, input_layer_size, hidden_layer_size, num_labels):
    """Inverse of :func:`unroll`: MATLAB's two ``reshape`` calls on ``nn_params``.

    Parameters
    ----------
    nn_params : array_like of shape (n_params,) or (n_params, 1)
    input_layer_size, hidden_layer_size, num_labels : int

    Returns
    -------
    Theta1 : ndarray of shape (hidden, input + 1)
    Theta2 : ndarray of shape (num_labels, hidden + 1)
        Fortran-ordered views into ``nn_params`` (no copy when it is a float64 vector).
    """
    p = np.asarray(nn_params, dtype=np.float64).reshape(-1)
    n1 = hidden_layer_size * (input_layer_size + 1)
    n2 = num_labels * (hidden_layer_size + 1)
    if p.size != n1 + n2:
        raise DataError(
            f"parameter vector has {p.size} elements; a {input_layer_size}-{hidden_layer_size}-"
            f"{num_labels} network needs {n1} + {n2} = {n1 + n2}"
        )
    Theta1 = p[:n1].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = p[n1:].reshape((num_labels, hidden_layer_size + 1), order="F")
    return Theta1, Theta2


def label_hits(y, num_labels):
    """Where the target matrix ``Y`` holds its ones, checking the labels on the way.

    Parameters
    ----------
    y : array_like of shape (m,), (m, 1) or (1, m)
        Binary targets in {0, 1} when ``num_labels == 1``; labels 1..K otherwise. Any numeric or
        logical class (coursework labels are often uint8).
    num_labels : int

    Returns
    -------
    rows, cols : ndarray of shape (n_hits,), intp
        ``Y[rows, cols] == 1`` and ``Y`` is 0 elsewhere.
    """
    y = np.asarray(y)
    if y.ndim > 1 and sum(d != 1 for d in y.shape) > 1:
        raise DataError(f"y must be a vector, got an array of shape {y.shape}")
    y = y.reshape(-1)
    if y.dtype.kind == "c":
        raise DataError("y is complex; labels must be real")
    if y.dtype.kind not in "biuf":
        raise DataError(f"y has non-numeric type {y.dtype}")
    yf = y.astype(np.float64)
    if not np.all(yf == np.round(yf)):
        raise DataError("y holds non-integer values; labels must be whole numbers")
    if num_labels == 1:
        if not np.all((yf == 0) | (yf == 1)):
            raise DataError(
                f"y holds values other than 0 and 1 (min {yf.min():g}, max {yf.max():g}); "
                "a single output unit needs binary targets"
            )
        rows = np.flatnonzero(yf == 1)
        return rows, np.zeros_like(rows)
    if yf.size and (yf.min() < 1 or yf.max() > num_labels):
        raise DataError(
            f"y holds labels from {yf.min():g} to {yf.max():g}; expected 1..{num_labels}"
        )
    return np.arange(yf.size), yf.astype(np.intp) - 1


def _as_data(X):
    X = np.asarray(X)
    if X.dtype != np.float64:
        X = X.astype(np.float64)
    if X.ndim != 2:
        raise DataError(f"X must be a 2-D matrix, got shape {X.shape}")
    return X


def _forward(X, Theta1, Theta2):
    """Activations ``a2`` (without its bias column) and ``h``: (m, hidden), (m, K)."""
    z2 = X @ Theta1[:, 1:].T
    z2 += Theta1[:, 0]
    a2 = sigmoid(z2)
    z3 = a2 @ Theta2[:, 1:].T
    z3 += Theta2[:, 0]
    return a2, sigmoid(z3)


def _regularisation(Theta1, Theta2, lambda_, m):
    """``lambda/(2m) * sum of squared non-bias weights``."""
    if lambda_ == 0:
        return 0.0
    t1 = Theta1[:, 1:]
    t2 = Theta2[:, 1:]
    return lambda_ / (2 * m) * (float(np.sum(t1 * t1)) + float(np.sum(t2 * t2)))


def _cross_entropy(h, rows, cols, m):
    """``sum(sum(-Y .* log(h) - (1 - Y) .* log(1 - h))) / m`` for the hits ``(rows, cols)``.

    Each element takes only its own branch (``-log(1 - h)`` where ``Y == 0``, ``-log(h)`` where
    ``Y == 1``), which equals MATLAB's expression wherever that is finite; where the network is
    saturated (``h == 1`` on a target of 1) MATLAB's ``0 * log(0)`` gives NaN, this gives 0.
    """
    loss = np.log(1.0 - h)
    np.negative(loss, out=loss)
    loss[rows, cols] = -np.log(h[rows, cols])
    return float(loss.sum()) / m


def _cost_and_gradient(X, rows, cols, Theta1, Theta2, lambda_, grad1=None, grad2=None):
    """Cost and, when ``grad1``/``grad2`` are given, gradients written into them."""
    m = X.shape[0]
    a2, h = _forward(X, Theta1, Theta2)
    J = _cross_entropy(h, rows, cols, m) + _regularisation(Theta1, Theta2, lambda_, m)
    if grad1 is None:
        return J
    # Output error delta3 = h - Y, formed in place in h.
    delta3 = h
    delta3[rows, cols] -= 1.0
    # Theta2_grad = delta3' * [1 a2] / m: bias column from a column sum.
    grad2[:, 0] = delta3.sum(axis=0) / m
    np.divide(delta3.T @ a2, m, out=grad2[:, 1:])
    # Hidden error: delta2 = (delta3 * Theta2(:, 2:end)) .* g'(z2), with g'(z2) = a2 .* (1 - a2).
    gprime = 1.0 - a2
    gprime *= a2
    delta2 = delta3 @ Theta2[:, 1:]
    delta2 *= gprime
    grad1[:, 0] = delta2.sum(axis=0) / m
    np.divide(delta2.T @ X, m, out=grad1[:, 1:])
    if lambda_ != 0:
        # Regularisation skips the bias column.
        grad1[:, 1:] += (lambda_ / m) * Theta1[:, 1:]
        grad2[:, 1:] += (lambda_ / m) * Theta2[:, 1:]
    return J


def _check_shapes(X, Theta1, Theta2):
    if Theta1.ndim != 2 or Theta2.ndim != 2:
        raise DataError("Theta1 and Theta2 must be 2-D matrices")
    if Theta1.shape[1] != X.shape[1] + 1:
        raise DataError(
            f"Theta1 is {Theta1.shape[0]}x{Theta1.shape[1]} but X has {X.shape[1]} features "
            f"(expected {X.shape[1] + 1} columns)"
        )
    if Theta2.shape[1] != Theta1.shape[0] + 1:
        raise DataError(
            f"Theta2 is {Theta2.shape[0]}x{Theta2.shape[1]} but Theta1 has {Theta1.shape[0]} "
            f"hidden units (expected {Theta1.shape[0] + 1} columns)"
        )


def _prepare(X, y, Theta1, Theta2):
    X = _as_data(X)
    Theta1 = np.asarray(Theta1, dtype=np.float64)
    Theta2 = np.asarray(Theta2, dtype=np.float64)
    _check_shapes(X, Theta1, Theta2)
    rows, cols = label_hits(y, Theta2.shape[0])
    if rows.size and np.asarray(y).size != X.shape[0]:
        raise DataError(f"X has {X.shape[0]} rows but y has {np.asarray(y).size} labels")
    if X.shape[0] == 0:
        raise DataError("X has no rows (zero examples)")
    return X, rows, cols, Theta1, Theta2


def cost_function(X, y, Theta1, Theta2, lambda_=0.0):
    """Regularised cross-entropy cost of the network.

    Port of the source document's costFunction.m, with the coursework's L2 term added
    (``lambda/(2m)`` times the squared weights, bias columns excluded).

    Parameters
    ----------
    X : ndarray of shape (m, n)
    y : ndarray of shape (m,) or (m, 1)
        0/1 when ``Theta2`` has one row, labels 1..K when it has K >= 2 rows.
    Theta1 : ndarray of shape (hidden, n + 1)
    Theta2 : ndarray of shape (K, hidden + 1)
    lambda_ : float, default 0.0

    Returns
    -------
    J : float
    """
    X, rows, cols, Theta1, Theta2 = _prepare(X, y, Theta1, Theta2)
    return _cost_and_gradient(X, rows, cols, Theta1, Theta2, lambda_)


def backpropagation(X, y, Theta1, Theta2, lambda_=0.0):
    """Gradients of :func:`cost_function` by the chain rule.

    Port of the source document's backpropagation.m (``delta3 = h - y``,
    ``delta2 = delta3 * Theta2 .* sigmoidGradient(z2)`` without the bias column,
    ``Theta1_grad = delta2' * a1 / m``, ``Theta2_grad = delta3' * a2 / m``), regularised.

    Returns
    -------
    Theta1_grad : ndarray of shape (hidden, n + 1)
    Theta2_grad : ndarray of shape (K, hidden + 1)
    """
    X, rows, cols, Theta1, Theta2 = _prepare(X, y, Theta1, Theta2)
    grad1 = np.empty(Theta1.shape)
    grad2 = np.empty(Theta2.shape)
    _cost_and_gradient(X, rows, cols, Theta1, Theta2, lambda_, grad1, grad2)
    return grad1, grad2


def nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_=0.0):
    """Cost and unrolled gradient of the network: the objective ``fmincg`` minimises.

    Port of nnCostFunction.m (the coursework's ``[J grad] = nnCostFunction(...)``); the source
    document handed fmincg a function returning only ``J``, which fmincg cannot use.

    Parameters
    ----------
    nn_params : ndarray of shape (n_params,)
        ``[Theta1(:); Theta2(:)]`` in MATLAB's column-major order.
    input_layer_size, hidden_layer_size, num_labels : int
    X : ndarray of shape (m, input_layer_size)
    y : ndarray of shape (m,) or (m, 1)
    lambda_ : float, default 0.0

    Returns
    -------
    J : float
    grad : ndarray of shape (n_params,)
        Unrolled like ``nn_params``.
    """
    Theta1, Theta2 = roll(nn_params, input_layer_size, hidden_layer_size, num_labels)
    X, rows, cols, Theta1, Theta2 = _prepare(X, y, Theta1, Theta2)
    grad = np.empty(Theta1.size + Theta2.size)
    grad1, grad2 = roll(grad, input_layer_size, hidden_layer_size, num_labels)
    J = _cost_and_gradient(X, rows, cols, Theta1, Theta2, lambda_, grad1, grad2)
    return J, grad


def make_objective(X, y, input_layer_size, hidden_layer_size, num_labels, lambda_=0.0):
    """``nn_cost_function`` with the data checked once, for repeated evaluation by an optimizer.

    Returns
    -------
    fun : callable ``fun(nn_params) -> (J, grad)``
    """
    X = _as_data(X)
    if X.shape[1] != input_layer_size:
        raise DataError(f"X has {X.shape[1]} features, expected {input_layer_size}")
    if X.shape[0] == 0:
        raise DataError("X has no rows (zero examples)")
    rows, cols = label_hits(y, num_labels)
    if np.asarray(y).size != X.shape[0]:
        raise DataError(f"X has {X.shape[0]} rows but y has {np.asarray(y).size} labels")
    sizes = (input_layer_size, hidden_layer_size, num_labels)

    def fun(nn_params):
        Theta1, Theta2 = roll(nn_params, *sizes)
        grad = np.empty(Theta1.size + Theta2.size)
        grad1, grad2 = roll(grad, *sizes)
        J = _cost_and_gradient(X, rows, cols, Theta1, Theta2, lambda_, grad1, grad2)
        return J, grad

    return fun


def predict(Theta1, Theta2, X):
    """Predicted labels of the trained network.

    Port of predict.m: the index of each row's largest output (1-based, ties to the first, as
    MATLAB's ``max(h, [], 2)``); with a single output unit, ``h >= 0.5``.

    Parameters
    ----------
    Theta1 : ndarray of shape (hidden, n + 1)
    Theta2 : ndarray of shape (K, hidden + 1)
    X : ndarray of shape (m, n)

    Returns
    -------
    p : ndarray of shape (m,), float64
        Labels 1..K, or 0/1 when ``K == 1``.
    """
    X = _as_data(X)
    Theta1 = np.asarray(Theta1, dtype=np.float64)
    Theta2 = np.asarray(Theta2, dtype=np.float64)
    _check_shapes(X, Theta1, Theta2)
    _, h = _forward(X, Theta1, Theta2)
    if Theta2.shape[0] == 1:
        return (h[:, 0] >= 0.5).astype(np.float64)
    return np.argmax(h, axis=1).astype(np.float64) + 1.0


def predict_proba(Theta1, Theta2, X):
    """Output-layer activations ``h``, shape (m, K)."""
    X = _as_data(X)
    Theta1 = np.asarray(Theta1, dtype=np.float64)
    Theta2 = np.asarray(Theta2, dtype=np.float64)
    _check_shapes(X, Theta1, Theta2)
    return _forward(X, Theta1, Theta2)[1]


def accuracy(p, y):
    """Percentage of predictions equal to the labels, ``mean(double(p == y)) * 100``."""
    p = np.asarray(p, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if p.size != y.size:
        raise DataError(f"{p.size} predictions but {y.size} labels")
    return float(np.mean(p == y) * 100.0)
