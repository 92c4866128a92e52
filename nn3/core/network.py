"""The three-layer sigmoid network: cost, backpropagation, unrolling and prediction.

Layers: ``a1 = [1 X]`` (m x n+1), ``a2 = [1 g(a1 Theta1')]`` (m x h+1), ``h = g(a2 Theta2')``
(m x K). ``Theta1`` is ``(hidden, input + 1)`` and ``Theta2`` is ``(num_labels, hidden + 1)``;
column 0 of each holds the bias weights.

The bias column of ``a1`` is never materialised: ``[1 X] @ Theta1.T`` equals
``X @ Theta1[:, 1:].T + Theta1[:, 0]`` and the gradient's bias column is a column sum, so the data
matrix is read, never copied. The evaluation (:class:`_Evaluator`) runs over blocks of rows with
buffers allocated once per data set, so memory for intermediates stays bounded whatever ``m``;
its time is within a small factor of the two products of the size of the data,
``X @ Theta1[:, 1:].T`` and ``delta2.T @ X`` (see ``benchmarks/``).

Outputs: ``num_labels == 1`` is the source document's binary case (``y`` in {0, 1} used as the
target directly); ``num_labels = K >= 2`` is the coursework case (labels 1..K, one-hot targets).
Either way the target matrix ``Y`` is 0 except at one known position per "positive" row, so it is
kept as a list of ``(row, column)`` hits instead of an m x K matrix.
"""

import threading
import warnings
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ..errors import DataError, ParameterError
from ..validation import check_feature_count, validate, validate_params
from . import activations
from .activations import sigmoid_of_negated_inplace

#: What :func:`memory_objective` returns: ``fun(nn_params) -> (J, grad)``.
Objective = Callable[[npt.ArrayLike], tuple[float, np.ndarray]]

#: ``precision=`` names and the dtype the evaluation computes in.
PRECISIONS = {"double": np.float64, "single": np.float32}


def precision_dtype(precision: str) -> type:
    """The numpy dtype of a ``precision`` name (``"double"`` or ``"single"``).

    Raises
    ------
    ParameterError
        Any other value, naming ``precision``.
    """
    try:
        return PRECISIONS[precision]
    except (KeyError, TypeError):
        raise ParameterError("precision", "must be 'double' or 'single'", precision) from None


def unroll(Theta1: npt.ArrayLike, Theta2: npt.ArrayLike) -> np.ndarray:
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


def roll(
    nn_params: npt.ArrayLike, input_layer_size: int, hidden_layer_size: int, num_labels: int
) -> tuple[np.ndarray, np.ndarray]:
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
    input_layer_size, hidden_layer_size, num_labels = _layer_sizes(
        input_layer_size, hidden_layer_size, num_labels
    )
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


def _layer_sizes(input_layer_size, hidden_layer_size, num_labels):
    """The three layer sizes as ints, refusing non-integers and sizes below 1 (ParameterError)."""
    sizes = validate_params(
        input_layer_size=input_layer_size,
        hidden_layer_size=hidden_layer_size,
        num_labels=num_labels,
    )
    return tuple(sizes.values())


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


def _as_data(X: npt.ArrayLike) -> np.ndarray:
    X = np.asarray(X)
    if X.dtype != np.float64:
        X = X.astype(np.float64)
    if X.ndim != 2:
        raise DataError(f"X must be a 2-D matrix, got shape {X.shape}")
    return X


def _sigmoid_inplace(z):
    """``z = 1 ./ (1 + exp(-z))`` in place: sigmoid.m's operations in its order (same bits)."""
    return sigmoid_of_negated_inplace(np.negative(z, out=z))


def _forward(X, Theta1, Theta2):
    """Activations ``a2`` (without its bias column) and ``h``: (m, hidden), (m, K)."""
    a2 = X @ Theta1[:, 1:].T
    a2 += Theta1[:, 0]
    _sigmoid_inplace(a2)
    h = a2 @ Theta2[:, 1:].T
    h += Theta2[:, 0]
    return a2, _sigmoid_inplace(h)


# The evaluation runs over blocks of rows whose intermediates take about this many bytes
# (but never fewer rows than _MIN_BLOCK_ROWS, so that the matrix products stay efficient).
_BLOCK_BYTES = 32 * 2**20
_MIN_BLOCK_ROWS = 2048
# Chains of element-wise passes run on pieces of about this many elements, which stay in cache
# from one pass to the next.
_CHUNK = 65536


def _block_rows(m, hidden, num_labels, itemsize=8):
    """Rows per block: blocks of equal size whose intermediates take about ``_BLOCK_BYTES``."""
    per_row = itemsize * (2 * hidden + 1 + 2 * num_labels)
    most = max(_MIN_BLOCK_ROWS, _BLOCK_BYTES // per_row)
    n_blocks = -(-m // most)
    return -(-m // n_blocks)


def _hidden_activation(nz2, neg_bias):
    """``a2' = g(z2')`` in place, from ``nz2 = -(z2' - bias)`` and ``neg_bias = -bias``."""
    rows, b = nz2.shape
    step = max(1, _CHUNK // b)
    for r in range(0, rows, step):
        z = nz2[r : r + step]
        z += neg_bias[r : r + step]
        sigmoid_of_negated_inplace(z)


def _output_and_log(nz3, loss):
    """``h = g(z3)`` in place from ``nz3 = -z3``, and ``loss = log(1 - h)`` (1-D arrays)."""
    for s in range(0, nz3.size, _CHUNK):
        h = sigmoid_of_negated_inplace(nz3[s : s + _CHUNK])
        out = np.subtract(1.0, h, out=loss[s : s + _CHUNK])
        activations.log(out, out=out)  # looked up per call: nn3's one log, see activations


def _output_and_log_single(nz3, loss):
    """float32 :func:`_output_and_log`: ``1 - h`` as ``exp(-z3) * h``, accurate near ``h = 1``.

    In float32 ``h`` rounds to 1 from ``z3 > 16.6`` on (in float64 from 36.7), and ``1 - h``
    loses its relative accuracy well before: ``1 - h = e / (1 + e) = e * h`` with ``e =
    exp(-z3)`` keeps it to a few ulps (and gives exactly 1 when ``e`` overflows, as ``1 - 0``).
    """
    for s in range(0, nz3.size, _CHUNK):
        nz = nz3[s : s + _CHUNK]
        e = loss[s : s + _CHUNK]
        with np.errstate(over="ignore"):
            activations.exp(nz, out=e)
        np.add(e, 1.0, out=nz)
        np.reciprocal(nz, out=nz)  # h
        with np.errstate(invalid="ignore"):  # Inf * 0 where exp overflowed: fmin gives 1
            np.multiply(e, nz, out=e)
        np.fmin(e, 1.0, out=e)
        activations.log(e, out=e)


def _hidden_delta(d2, a2, scratch):
    """``d2 .*= sigmoidGradient(z2)``, i.e. ``.* (a2 .* (1 - a2))``, in place (1-D arrays)."""
    for s in range(0, d2.size, _CHUNK):
        a = a2[s : s + _CHUNK]
        g = np.subtract(1.0, a, out=scratch[: a.size])
        g *= a
        d2[s : s + _CHUNK] *= g


class _Evaluator:
    """Cost and gradient on one data set, accumulated over blocks of rows, buffers reused.

    The work is the MATLAB formulas (``a1 = [1 X]``, ``z2 = a1*Theta1'``, ``a2 = [1 g(z2)]``,
    ``h = g(a2*Theta2')``, ``J = sum(sum(-Y.*log(h) - (1-Y).*log(1-h)))/m + reg``,
    ``delta3 = h - Y``, ``delta2 = delta3*Theta2(:,2:end) .* g(z2).*(1-g(z2))``,
    ``Theta1_grad = delta2'*a1/m + ...``, ``Theta2_grad = delta3'*a2/m + ...``) element for
    element, with the same rounding; only the order in which the sums over examples are added
    differs (BLAS, per block then across blocks), which moves results in the last places.

    Layout, per block of ``b`` rows of ``X``: activations are kept transposed, one row per unit and
    one column per example, in contiguous buffers allocated once:

    * ``a2t`` (hidden + 1, b): row 0 is the bias unit's ones, written once; rows 1.. are
      ``g(z2)'``. So ``Theta2 * a2t`` is ``z3'`` bias included, and ``a2t * delta3`` is the whole
      ``Theta2_grad'`` in one product;
    * ``ht`` (K, b): ``h'``, then ``delta3'`` in place. ``Y`` is never formed: its ones are a list
      of flat positions per block;
    * ``d2t`` (hidden, b) and ``loss`` (K, b), and a small scratch buffer.

    The products are computed with negated weights, ``(-Theta1(:,2:end)) * Xb' - Theta1(:,1)``:
    IEEE rounding is symmetric, so that is ``-z2'`` bit for bit, and ``exp`` takes it directly.
    ``X`` is read in place, never copied (when C- or F-contiguous): the two large products are
    ``-Theta1(:,2:end) * Xb'`` and the gradient's ``delta2' * Xb``, the latter computed as
    ``d2t @ Xb`` (out ``(hidden, n)``) for a C-ordered float64 ``Xb`` with ``hidden <= 64`` and as
    ``Xb' @ d2t'`` (out ``(n, hidden)``) otherwise: OpenBLAS's faster layout for each case
    (``benchmarks/run.py`` times both; the choice depends on the block's memory order only, so
    the bits do not depend on anything but the data's layout). Chains of element-wise passes
    run piece by piece (``_CHUNK`` elements) so that each piece stays in cache through the chain.

    Precision: ``dtype=np.float32`` computes every product and element-wise pass in float32
    (``X`` must then be float32), with the cost's log-sum added in float64 per block and the
    gradient's sums carried across blocks in float64; ``1 - h`` is formed as ``exp(-z3) * h``
    (see :func:`_output_and_log_single`). The result is returned in float64. Not MATLAB's
    bits: parity is a float64 claim only.

    Parameters
    ----------
    X : ndarray of shape (m, n), of ``dtype``
    rows, cols : ndarray of shape (n_hits,), intp
        Positions of the ones of ``Y``, as :func:`label_hits` returns them (``rows`` sorted).
    hidden, num_labels : int
    block_rows : int, optional
        Rows per block; by default as many as keep the intermediates near ``_BLOCK_BYTES``.
    dtype : {numpy.float64, numpy.float32}, default numpy.float64

    Notes
    -----
    Not reentrant: one evaluator must not be called from two threads at once. ``X`` and the hit
    positions are attributes that may be replaced between calls by arrays of the same shapes
    (:func:`nn_cost_function` and :mod:`nn3.engines.block` do).
    """

    def __init__(self, X, rows, cols, hidden, num_labels, block_rows=None, dtype=np.float64):
        if not (X.flags.c_contiguous or X.flags.f_contiguous):
            X = np.ascontiguousarray(X)
        self.X = X
        self.dtype = dt = np.dtype(dtype)
        m, n = X.shape
        self.m = m
        self.hidden, self.num_labels = hidden, num_labels
        if block_rows is None:
            block_rows = _block_rows(m, hidden, num_labels, dt.itemsize)
        block_rows = max(1, min(int(block_rows), m))
        self.block_rows = block_rows
        self.set_labels(rows, cols)
        b = block_rows
        self._a2t = np.empty((hidden + 1) * b, dt)
        self._a2t[:b] = 1.0  # row 0 of every block's view: the bias unit
        self._ht = np.empty(num_labels * b, dt)
        self._loss = np.empty(num_labels * b, dt)
        self._d2t = np.empty(hidden * b, dt)
        self._scratch = np.empty(min(_CHUNK, hidden * b), dt)
        self._ones = np.ones(b, dt)
        # Sums over blocks, float64 whatever dtype (nn3.engines reads them after a call).
        self._acc1 = np.empty((n, hidden))  # sum over blocks of Xb' * delta2
        self._acc2 = np.empty((hidden + 1, num_labels))  # sum over blocks of a2' * delta3
        self._acc0 = np.empty(hidden)  # sum over blocks of sum(delta2)
        # Per-block products go straight to the accumulators for a single float64 block;
        # otherwise through these (of dtype), then added in float64.
        direct = dt == np.float64 and len(self.blocks) == 1
        self._tmp1 = None if direct else np.empty((n, hidden), dt)
        self._tmp2 = None if direct else np.empty((hidden + 1, num_labels), dt)
        self._tmp0 = None if direct else np.empty(hidden, dt)
        self._tmp1t = np.empty((hidden, n), dt) if self._rows_first_possible() else None

    def _rows_first_possible(self):
        return self.dtype == np.float64 and self.hidden <= 64

    def set_labels(self, rows, cols):
        """Index the ones of ``Y`` per block (``rows``, ``cols`` as :func:`label_hits` gives)."""
        m, b = self.m, self.block_rows
        self.blocks = []
        for start in range(0, m, b):
            stop = min(m, start + b)
            lo, hi = np.searchsorted(rows, [start, stop])
            # Flat position of Y(r, c) == 1 in a (K, b) block: c * b + (r - start).
            hits = cols[lo:hi] * (stop - start) + (rows[lo:hi] - start)
            self.blocks.append((start, stop, np.sort(hits).astype(np.intp)))

    def _neg(self, A, order="C"):
        """``-A`` as a new array of the evaluator's dtype (exact negation, then rounding)."""
        out = np.empty(A.shape, self.dtype, order=order)
        np.negative(A, out=out, casting="same_kind")
        return out

    def __call__(self, Theta1, Theta2, lambda_, grad1=None, grad2=None):
        """Cost; with ``grad1``/``grad2`` (any memory order) the gradients are written there.

        Parameters
        ----------
        Theta1 : ndarray of shape (hidden, n + 1), float64
        Theta2 : ndarray of shape (K, hidden + 1), float64
        lambda_ : float
        grad1 : ndarray of shape (hidden, n + 1), float64, optional
        grad2 : ndarray of shape (K, hidden + 1), float64, optional

        Returns
        -------
        J : float
        """
        X = self.X
        m = X.shape[0]
        hidden, K = self.hidden, self.num_labels
        single = self.dtype != np.float64
        neg_W1 = self._neg(Theta1[:, 1:], order="F")
        neg_bias1 = self._neg(Theta1[:, :1])
        neg_Theta2 = self._neg(Theta2, order="F")
        W2t = Theta2[:, 1:].T if not single else Theta2[:, 1:].T.astype(self.dtype)
        output_and_log = _output_and_log_single if single else _output_and_log
        want_grad = grad1 is not None
        log_sum = 0.0
        for k, (start, stop, hits) in enumerate(self.blocks):
            b = stop - start
            Xb = X[start:stop]
            a2t = self._a2t[: (hidden + 1) * b].reshape(hidden + 1, b)
            a2t[0] = 1.0  # the bias row: a smaller last block overwrites part of it
            z2t = a2t[1:]  # contiguous
            np.matmul(neg_W1, Xb.T, out=z2t)
            _hidden_activation(z2t, neg_bias1)  # a2'
            ht = self._ht[: K * b].reshape(K, b)
            np.matmul(neg_Theta2, a2t, out=ht)  # -z3'
            # Cross-entropy: log(1 - h) where Y == 0, log(h) where Y == 1 (the two branches of
            # -Y.*log(h) - (1-Y).*log(1-h)); summed here, negated and divided by m below.
            h_flat = ht.reshape(-1)
            loss = self._loss[: K * b]
            output_and_log(h_flat, loss)
            h_hits = h_flat[hits]
            loss[hits] = activations.log(h_hits)
            log_sum += float(loss.sum(dtype=np.float64)) if single else float(loss.sum())
            if not want_grad:
                continue
            h_hits -= 1.0
            h_flat[hits] = h_hits  # ht is now delta3' = (h - Y)'
            d2t = self._d2t[: hidden * b].reshape(hidden, b)
            np.matmul(W2t, ht, out=d2t)  # (delta3 * Theta2(:, 2:end))'
            _hidden_delta(d2t.reshape(-1), z2t.reshape(-1), self._scratch)  # delta2'
            direct = self._tmp0 is None
            out0, out1, out2 = (
                (self._acc0, self._acc1, self._acc2)
                if direct
                else (self._tmp0, self._tmp1, self._tmp2)
            )
            np.matmul(d2t, self._ones[:b], out=out0)
            if self._tmp1t is not None and Xb.flags.c_contiguous:
                np.matmul(d2t, Xb, out=self._tmp1t)  # (delta2' * Xb), the faster layout here
                out1 = self._tmp1t.T
            else:
                np.matmul(Xb.T, d2t.T, out=out1)
            np.matmul(a2t, ht.T, out=out2)
            if k == 0:
                if not direct:
                    self._acc0[...] = out0
                    self._acc2[...] = out2
                if out1 is not self._acc1:
                    self._acc1[...] = out1
            else:
                self._acc0 += out0
                self._acc1 += out1
                self._acc2 += out2
        self.log_sum = log_sum  # with _acc0/_acc1/_acc2: the sums nn3.engines adds across blocks
        J = -log_sum / m + _regularisation(Theta1, Theta2, lambda_, m)
        if not want_grad:
            return J
        np.divide(self._acc0, m, out=grad1[:, 0])
        np.divide(self._acc1.T, m, out=grad1[:, 1:])
        np.divide(self._acc2.T, m, out=grad2)
        if lambda_ != 0:
            # Regularisation skips the bias column.
            grad1[:, 1:] += (lambda_ / m) * Theta1[:, 1:]
            grad2[:, 1:] += (lambda_ / m) * Theta2[:, 1:]
        return J


def _regularisation(Theta1, Theta2, lambda_, m):
    """``lambda/(2m) * sum of squared non-bias weights``."""
    if lambda_ == 0:
        return 0.0
    t1 = Theta1[:, 1:]
    t2 = Theta2[:, 1:]
    return lambda_ / (2 * m) * (float(np.sum(t1 * t1)) + float(np.sum(t2 * t2)))


def _cost_and_gradient(X, rows, cols, Theta1, Theta2, lambda_, grad1=None, grad2=None):
    """Cost and, when ``grad1``/``grad2`` are given, gradients written into them (one-off)."""
    evaluator = _Evaluator(X, rows, cols, Theta1.shape[0], Theta2.shape[0])
    return evaluator(Theta1, Theta2, lambda_, grad1, grad2)


def _check_shapes(X, Theta1, Theta2):
    if Theta1.ndim != 2 or Theta2.ndim != 2:
        raise DataError("Theta1 and Theta2 must be 2-D matrices")
    check_feature_count(X.shape[1], Theta1.shape)
    if Theta2.shape[1] != Theta1.shape[0] + 1:
        raise DataError(
            f"Theta2 is {Theta2.shape[0]}x{Theta2.shape[1]} but Theta1 has {Theta1.shape[0]} "
            f"hidden units (expected {Theta1.shape[0] + 1} columns)"
        )


def _prepare(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    Theta1: npt.ArrayLike,
    Theta2: npt.ArrayLike,
    lambda_: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    validate("lambda_", lambda_)
    X = _as_data(X)
    Theta1 = np.asarray(Theta1, dtype=np.float64)
    Theta2 = np.asarray(Theta2, dtype=np.float64)
    _check_shapes(X, Theta1, Theta2)
    rows, cols = label_hits(y, Theta2.shape[0])
    if np.asarray(y).size != X.shape[0]:
        raise DataError(f"X has {X.shape[0]} rows but y has {np.asarray(y).size} labels")
    if X.shape[0] == 0:
        raise DataError("X has no rows (zero examples)")
    return X, rows, cols, Theta1, Theta2


def cost_function(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    Theta1: npt.ArrayLike,
    Theta2: npt.ArrayLike,
    lambda_: float = 0.0,
) -> float:
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
    X, rows, cols, Theta1, Theta2 = _prepare(X, y, Theta1, Theta2, lambda_)
    return _cost_and_gradient(X, rows, cols, Theta1, Theta2, lambda_)


def backpropagation(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    Theta1: npt.ArrayLike,
    Theta2: npt.ArrayLike,
    lambda_: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of :func:`cost_function` by the chain rule.

    Port of the source document's backpropagation.m (``delta3 = h - y``,
    ``delta2 = delta3 * Theta2 .* sigmoidGradient(z2)`` without the bias column,
    ``Theta1_grad = delta2' * a1 / m``, ``Theta2_grad = delta3' * a2 / m``), regularised.

    Returns
    -------
    Theta1_grad : ndarray of shape (hidden, n + 1)
    Theta2_grad : ndarray of shape (K, hidden + 1)
    """
    X, rows, cols, Theta1, Theta2 = _prepare(X, y, Theta1, Theta2, lambda_)
    grad1 = np.empty(Theta1.shape)
    grad2 = np.empty(Theta2.shape)
    _cost_and_gradient(X, rows, cols, Theta1, Theta2, lambda_, grad1, grad2)
    return grad1, grad2


def nn_cost_function(
    nn_params: npt.ArrayLike,
    input_layer_size: int,
    hidden_layer_size: int,
    num_labels: int,
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    lambda_: float = 0.0,
) -> tuple[float, np.ndarray]:
    """Cost and unrolled gradient of the network: the objective ``fmincg`` minimises.

    Port of nnCostFunction.m (the coursework's ``[J grad] = nnCostFunction(...)``); the source
    document handed fmincg a function returning only ``J``, which fmincg cannot use.

    Called repeatedly with the same data (as in a loop of the caller's own), it reuses what it
    prepared on the previous call: the evaluator's buffers and the positions of ``Y``'s ones.
    That reuse cannot return a stale result: ``X`` is read afresh on every call (it is never
    copied, so mutating it between calls is seen), and ``y`` is compared in full with a copy of
    the previous call's labels (``m`` elements, microseconds), so the positions are rebuilt
    whenever a label changed. One evaluator is kept per process (for the last shapes seen); a
    call made while another thread uses it builds its own.

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
    validate("lambda_", lambda_)
    X = _as_data(X)
    if Theta1.ndim != 2 or Theta2.ndim != 2:  # roll gives 2-D; the checks of _prepare follow
        raise DataError("Theta1 and Theta2 must be 2-D matrices")
    _check_shapes(X, Theta1, Theta2)
    grad = np.empty(Theta1.size + Theta2.size)
    grad1, grad2 = roll(grad, input_layer_size, hidden_layer_size, num_labels)
    y_arr = np.asarray(y)
    if y_arr.size != X.shape[0]:
        if y_arr.ndim > 1 and sum(d != 1 for d in y_arr.shape) > 1:
            label_hits(y_arr, Theta2.shape[0])  # the vector error first, as _prepare gives it
        raise DataError(f"X has {X.shape[0]} rows but y has {y_arr.size} labels")
    if X.shape[0] == 0:
        raise DataError("X has no rows (zero examples)")
    if not _CACHE_LOCK.acquire(blocking=False):  # another thread is evaluating: no reuse
        rows, cols = label_hits(y_arr, Theta2.shape[0])
        return _cost_and_gradient(X, rows, cols, Theta1, Theta2, lambda_, grad1, grad2), grad
    try:
        evaluate = _cached_evaluator(X, y_arr, Theta1.shape[0], Theta2.shape[0])
        try:
            J = evaluate(Theta1, Theta2, lambda_, grad1, grad2)
        finally:
            evaluate.X = None  # the cache never keeps the caller's data alive
    finally:
        _CACHE_LOCK.release()
    return J, grad


_CACHE_LOCK = threading.Lock()
_CACHE: dict = {}


def _cached_evaluator(X, y, hidden, num_labels):
    """The evaluator of the last call with these shapes, pointed at ``X``, labels checked.

    ``y`` is compared element for element (values, and its shape) with the copy kept from the
    call that indexed it; any difference re-indexes (and re-checks) the labels.
    """
    m, n = X.shape
    key = (m, n, hidden, num_labels)
    entry = _CACHE.get("entry")
    if entry is None or entry[0] != key:
        _CACHE.clear()  # free the old buffers before allocating new ones
        rows, cols = label_hits(y, num_labels)
        evaluator = _Evaluator(X, rows, cols, hidden, num_labels)
        entry = (key, evaluator, y.shape, y.copy())
        _CACHE["entry"] = entry
        return evaluator
    _, evaluator, y_shape, y_seen = entry
    if y.shape != y_shape or not np.array_equal(y, y_seen):
        rows, cols = label_hits(y, num_labels)  # raises on bad labels, cache left as it was
        evaluator.set_labels(rows, cols)
        _CACHE["entry"] = (key, evaluator, y.shape, y.copy())
    if not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.ascontiguousarray(X)
    evaluator.X = X
    return evaluator


def make_objective(*args, **kwargs) -> Objective:
    """Deprecated name of :func:`memory_objective`; use :func:`nn3.make_objective`."""
    warnings.warn(
        "nn3.core.network.make_objective is deprecated: use nn3.make_objective (any engine) "
        "or nn3.core.network.memory_objective",
        DeprecationWarning,
        stacklevel=2,
    )
    return memory_objective(*args, **kwargs)


def memory_objective(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    input_layer_size: int,
    hidden_layer_size: int,
    num_labels: int,
    lambda_: float = 0.0,
    precision: str = "double",
) -> Objective:
    """``nn_cost_function`` with the data checked once, for repeated evaluation by an optimizer.

    The data is checked and indexed once and the buffers for the intermediates are allocated
    once, then reused by every call; ``X`` is kept by reference, not copied (in double
    precision). Each call returns a new gradient array (optimizers keep earlier ones).

    The in-memory engine of :func:`nn3.make_objective`, which takes ``engine="stream"`` or
    ``"dask"`` too, for data read by row blocks.

    Parameters
    ----------
    X : ndarray of shape (m, input_layer_size)
    y : array_like of shape (m,) or (m, 1)
    input_layer_size, hidden_layer_size, num_labels : int
    lambda_ : float, default 0.0
    precision : {"double", "single"}, default "double"
        ``"single"`` computes in float32: a float32 ``X`` (MATLAB ``single`` data) is used as
        it is, any other is converted once (a float32 copy, half of a float64 ``X``'s bytes).
        The cost's sums are added in float64 (the cost stays within about 1e-6 relative of the
        double-precision one) and the gradient is returned as float64. Faster at large shapes
        (the products run at float32 speed and read half the bytes); not MATLAB's bits, so
        parity and the gradient check are double-only.

    Returns
    -------
    fun : callable ``fun(nn_params) -> (J, grad)``
        ``nn_params`` of shape (n_params,); ``J`` a float, ``grad`` float64 of shape
        (n_params,). ``fun.precision`` is the precision name. Not safe to call from two threads
        at once (it reuses its buffers); make one objective per thread instead.
    """
    input_layer_size, hidden_layer_size, num_labels = _layer_sizes(
        input_layer_size, hidden_layer_size, num_labels
    )
    validate("lambda_", lambda_)
    dtype = precision_dtype(precision)
    X = np.asarray(X)
    if dtype == np.float32 and X.dtype == np.float32:
        if X.ndim != 2:
            raise DataError(f"X must be a 2-D matrix, got shape {X.shape}")
    else:
        X = _as_data(X)
        if dtype == np.float32:
            X = X.astype(np.float32)
    check_feature_count(X.shape[1], (hidden_layer_size, input_layer_size + 1))
    if X.shape[0] == 0:
        raise DataError("X has no rows (zero examples)")
    rows, cols = label_hits(y, num_labels)
    if np.asarray(y).size != X.shape[0]:
        raise DataError(f"X has {X.shape[0]} rows but y has {np.asarray(y).size} labels")
    sizes = (input_layer_size, hidden_layer_size, num_labels)
    evaluate = _Evaluator(X, rows, cols, hidden_layer_size, num_labels, dtype=dtype)

    def fun(nn_params):
        Theta1, Theta2 = roll(nn_params, *sizes)
        grad = np.empty(Theta1.size + Theta2.size)  # new each call: optimizers keep old ones
        grad1, grad2 = roll(grad, *sizes)
        J = evaluate(Theta1, Theta2, lambda_, grad1, grad2)
        return J, grad

    fun.precision = precision  # type: ignore[attr-defined]
    return fun


def predict(Theta1: npt.ArrayLike, Theta2: npt.ArrayLike, X: npt.ArrayLike) -> np.ndarray:
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
    return labels_from_outputs(_forward(X, Theta1, Theta2)[1])


def labels_from_outputs(h):
    """Labels from output activations: 1-based argmax per row, or ``h >= 0.5`` for one unit.

    NaN as MATLAB's ``[~, p] = max(h, [], 2)`` treats it: skipped, so a row ``[NaN 0.7 0.2]``
    gives 2; a row of NaN only gives 1 (MATLAB's ``max`` returns NaN at index 1). With one unit
    a NaN output gives 0, MATLAB's ``double(NaN >= 0.5)``.

    Parameters
    ----------
    h : ndarray of shape (m, K)

    Returns
    -------
    p : ndarray of shape (m,), float64
    """
    if h.shape[1] == 1:
        return (h[:, 0] >= 0.5).astype(np.float64)
    nan = np.isnan(h)
    if not nan.any():
        return np.argmax(h, axis=1).astype(np.float64) + 1.0
    filled = np.where(nan, -np.inf, h)
    p = np.argmax(filled, axis=1)
    # Rows whose largest non-NaN value is -Inf (or that hold only NaN): MATLAB picks the first
    # non-NaN element (index 1 when there is none); argmax over the NaN-filled row may not.
    low = filled[np.arange(h.shape[0]), p] == -np.inf
    p[low] = np.argmax(~nan[low], axis=1)
    return p.astype(np.float64) + 1.0


def predict_proba(Theta1: npt.ArrayLike, Theta2: npt.ArrayLike, X: npt.ArrayLike) -> np.ndarray:
    """Output-layer activations ``h``, shape (m, K)."""
    X = _as_data(X)
    Theta1 = np.asarray(Theta1, dtype=np.float64)
    Theta2 = np.asarray(Theta2, dtype=np.float64)
    _check_shapes(X, Theta1, Theta2)
    return _forward(X, Theta1, Theta2)[1]


def accuracy(p: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Percentage of predictions equal to the labels, ``mean(double(p == y)) * 100``."""
    p = np.asarray(p, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if p.size != y.size:
        raise DataError(f"{p.size} predictions but {y.size} labels")
    return float(np.mean(p == y) * 100.0)
