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
from .threads import blas_thread, check_threads, run_on_threads, single_threaded_blas

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


def _views(nn_params, input_layer_size, hidden_layer_size, num_labels):
    """:func:`roll` for layer sizes already checked (an objective's own): no checks but the
    vector's length, tens of microseconds less per evaluation."""
    p = np.asarray(nn_params, dtype=np.float64).reshape(-1)
    n1 = hidden_layer_size * (input_layer_size + 1)
    if p.size != n1 + num_labels * (hidden_layer_size + 1):
        return roll(p, input_layer_size, hidden_layer_size, num_labels)  # its DataError
    Theta1 = p[:n1].reshape((hidden_layer_size, input_layer_size + 1), order="F")
    Theta2 = p[n1:].reshape((num_labels, hidden_layer_size + 1), order="F")
    return Theta1, Theta2


def _layer_sizes(input_layer_size, hidden_layer_size, num_labels):
    """The three layer sizes as ints, refusing non-integers and sizes below 1 (ParameterError)."""
    sizes3 = (input_layer_size, hidden_layer_size, num_labels)
    if all(type(v) is int and v >= 1 for v in sizes3):  # valid as they are (a fast path:
        return sizes3  # nn_cost_function checks them at every evaluation)
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


# The default partition: blocks of _BLOCK_ROWS rows (fewer when a row's intermediates are large,
# so that a block's stay near _BLOCK_BYTES), and towards the end blocks of half the rows left
# (down to an eighth of a block): whichever thread takes the last blocks, the threads finish
# nearly together. Depends on the shapes only, never on the number of threads.
_BLOCK_ROWS = 512
_BLOCK_BYTES = 8 * 2**20
# Chains of element-wise passes run on pieces of about this many elements, which stay in cache
# from one pass to the next.
_CHUNK = 65536


def _bulk_rows(hidden, num_labels, itemsize=8):
    """Rows of a full block of the default partition."""
    per_row = itemsize * (2 * hidden + 1 + 2 * num_labels)
    return max(1, min(_BLOCK_ROWS, _BLOCK_BYTES // per_row))


def _partition(m, hidden, num_labels, itemsize=8):
    """The default row blocks ``[(start, stop), ...]`` of an m-row X (shapes only decide it).

    Full blocks of :func:`_bulk_rows` rows while more than two are left, then each block half of
    the rows left, never fewer than an eighth of a full block (the last block takes a remainder
    smaller than that): with blocks handed out in order to whichever thread is free, the last
    ones are small, so the threads end within a small block of each other.
    """
    bulk = _bulk_rows(hidden, num_labels, itemsize)
    smallest = max(1, bulk // 8)
    blocks = []
    start = 0
    while start < m:
        rest = m - start
        size = min(bulk, max(smallest, -(-rest // 2)))
        if rest - size < smallest:
            size = rest
        blocks.append((start, start + size))
        start += size
    return blocks


def _uniform_blocks(m, block_rows):
    """``block_rows`` rows per block, the last fewer: the engines' partition (same bits)."""
    return [(start, min(m, start + block_rows)) for start in range(0, m, block_rows)]


def _hidden_activation(nz2, neg_bias):
    """``a2' = g(z2')`` in place, from ``nz2 = -(z2' - bias)`` and ``neg_bias = -bias``
    (None: ``nz2`` holds ``-z2'`` already)."""
    rows, b = nz2.shape
    if rows * b <= _CHUNK:  # one piece (the default blocks of 25 hidden units)
        if neg_bias is not None:
            nz2 += neg_bias
        sigmoid_of_negated_inplace(nz2)
        return
    step = max(1, _CHUNK // b)
    for r in range(0, rows, step):
        z = nz2[r : r + step]
        if neg_bias is not None:
            z += neg_bias[r : r + step]
        sigmoid_of_negated_inplace(z)


def _output_and_log(nz3, loss):
    """``h = g(z3)`` in place from ``nz3 = -z3``, and ``loss = log(1 - h)`` (1-D arrays)."""
    if nz3.size <= _CHUNK:
        np.subtract(1.0, sigmoid_of_negated_inplace(nz3), out=loss)
        activations.log(loss, out=loss)  # looked up per call: nn3's one log, see activations
        return
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
        np.divide(1.0, nz, out=nz)  # h
        with np.errstate(invalid="ignore"):  # Inf * 0 where exp overflowed: fmin gives 1
            np.multiply(e, nz, out=e)
        np.fmin(e, 1.0, out=e)
        activations.log(e, out=e)


def _hidden_delta(d2, a2, scratch):
    """``d2 .*= sigmoidGradient(z2)``, i.e. ``.* (a2 .* (1 - a2))``, in place (1-D arrays)."""
    if d2.size <= scratch.size:
        g = np.subtract(1.0, a2, out=scratch[: d2.size])
        g *= a2
        d2 *= g
        return
    for s in range(0, d2.size, _CHUNK):
        a = a2[s : s + _CHUNK]
        g = np.subtract(1.0, a, out=scratch[: a.size])
        g *= a
        d2[s : s + _CHUNK] *= g


def _aligned(shape, dtype, align=64):
    """``np.empty(shape, dtype)`` starting at a multiple of ``align`` bytes.

    Every thread's buffers then sit alike in memory, so a BLAS whose rounding depends on
    alignment (MKL without its reproducibility mode) still gives a block the same bits
    whichever thread evaluates it.
    """
    dtype = np.dtype(dtype)
    size = int(np.prod(shape)) * dtype.itemsize
    raw = np.empty(size + align, np.uint8)
    start = -raw.ctypes.data % align
    return raw[start : start + size].view(dtype).reshape(shape)


class _Slot:
    """One thread's buffers for the intermediates of a block of up to ``b`` rows (flat arrays)."""

    def __init__(self, hidden, num_labels, b, dtype):
        self.hidden, self.num_labels = hidden, num_labels
        self.a2t = _aligned((hidden + 1) * b, dtype)  # row 0: the bias unit's ones
        self.ht = _aligned(num_labels * b, dtype)
        self.loss = _aligned(num_labels * b, dtype)
        self.d2t = _aligned(hidden * b, dtype)
        self.scratch = _aligned(min(_CHUNK, hidden * b), dtype)
        self.ones = _aligned(b, dtype)
        self.ones[...] = 1.0
        self.bias_rows = 0  # the rows of the block whose bias row of a2t holds ones
        self._views: dict[int, _Views] = {}

    def views(self, b):
        """The buffers shaped for a block of ``b`` rows (made once per size)."""
        views = self._views.get(b)
        if views is None:
            views = self._views[b] = _Views(self, b)
        if self.bias_rows != b:  # a block of another size wrote over the bias row
            views.a2t[0] = 1.0
            self.bias_rows = b
        return views


class _Views:
    """:class:`_Slot`'s buffers as a block of ``b`` rows uses them: ``a2t`` (hidden + 1, b)
    and its rows 1.. ``z2t``, ``ht`` (K, b), ``d2t`` (hidden, b), and their flat forms."""

    def __init__(self, slot, b):
        hidden, K = slot.hidden, slot.num_labels
        self.a2t = slot.a2t[: (hidden + 1) * b].reshape(hidden + 1, b)
        self.z2t = self.a2t[1:]  # contiguous
        self.z2_flat = self.z2t.reshape(-1)
        self.ht = slot.ht[: K * b].reshape(K, b)
        self.h_flat = self.ht.reshape(-1)
        self.loss = slot.loss[: K * b]
        self.d2t = slot.d2t[: hidden * b].reshape(hidden, b)
        self.d2_flat = self.d2t.reshape(-1)
        self.ones = slot.ones[:b]
        self.scratch = slot.scratch


class _Part:
    """One block's partial sums (see :mod:`nn3.engines.block`), in the evaluator's dtype."""

    def __init__(self, n, hidden, num_labels, dtype):
        self.log_sum = 0.0
        self.g0 = _aligned(hidden, dtype)  # sum(delta2)
        self.g1 = _aligned((hidden, n), dtype)  # delta2' * Xb
        self.g2 = _aligned((hidden + 1, num_labels), dtype)  # a2' * delta3


class _Weights:
    """What every block reads of one evaluation's weights, in the evaluator's dtype (buffers
    made once, filled by :meth:`fill` at each evaluation)."""

    def __init__(self, n, hidden, num_labels, dtype):
        # Fortran order, as the weights are unrolled: filled without a transposing copy (and
        # its transpose, for the rows-first product Xb * W1', is C-ordered).
        self.neg_W1 = np.empty((hidden, n), dtype, order="F")  # -Theta1(:, 2:end)
        self.neg_bias1 = np.empty((hidden, 1), dtype)  # -Theta1(:, 1)
        self.neg_Theta2 = np.empty((num_labels, hidden + 1), dtype, order="F")
        self.W2t = np.empty((hidden, num_labels), dtype)  # Theta2(:, 2:end)'

    def fill(self, Theta1, Theta2):
        # Negation is exact; a float32 evaluation rounds once, after it.
        np.negative(Theta1[:, 1:], out=self.neg_W1, casting="same_kind")
        np.negative(Theta1[:, :1], out=self.neg_bias1, casting="same_kind")
        np.negative(Theta2, out=self.neg_Theta2, casting="same_kind")
        np.copyto(self.W2t, Theta2[:, 1:].T, casting="same_kind")
        return self


class _Evaluator:
    """Cost and gradient on one data set: row blocks on ``threads`` threads, summed in order.

    The work is the MATLAB formulas (``a1 = [1 X]``, ``z2 = a1*Theta1'``, ``a2 = [1 g(z2)]``,
    ``h = g(a2*Theta2')``, ``J = sum(sum(-Y.*log(h) - (1-Y).*log(1-h)))/m + reg``,
    ``delta3 = h - Y``, ``delta2 = delta3*Theta2(:,2:end) .* g(z2).*(1-g(z2))``,
    ``Theta1_grad = delta2'*a1/m + ...``, ``Theta2_grad = delta3'*a2/m + ...``) element for
    element, with the same rounding; only the order in which the sums over examples are added
    differs (BLAS, per block then across blocks), which moves results in the last places.

    **Blocks and threads.** X is cut into a fixed partition of row blocks (:func:`_partition`,
    or ``block_rows`` rows each when given: the engines' partition). Each block gives partial
    sums (:class:`_Part`): the log-sum of the cost, ``sum(delta2)``, ``delta2' * Xb`` and
    ``a2' * delta3``. The blocks are handed out in order to ``threads`` threads (the caller's
    and helpers, :mod:`nn3.core.threads`), each with its own buffers and single-threaded BLAS,
    and the partial sums are added in block order, by whichever thread finds the next block
    done, into float64 accumulators: ``acc = part(0)``, then ``acc += part(k)``, exactly as
    :func:`nn3.engines.block.combine` adds the engines' blocks. So the result has the same bits
    whatever the number of threads (buffers are aligned alike in every thread, so even a BLAS
    whose rounding depends on alignment gives a block the same bits anywhere). With the same
    ``block_rows`` it also has the streaming and Dask engines' bits when X is in Fortran order,
    as nn3 reads a v7.3 file: then the blocks have the layout those engines read them in and
    the same calls are made. A C-ordered X's blocks are the transpose of that layout, and BLAS
    may round a product differently by layout: OpenBLAS does for small products (up to about
    10^6 multiply-adds, where it has a kernel per layout), so there the results can differ in
    the last places. At most ``2 * threads`` blocks' partial sums are held at once (a thread
    waits when it is that far ahead).

    **One block.** Activations are kept transposed, one row per unit and one column per
    example, in contiguous buffers (:class:`_Slot`): ``a2t`` (hidden + 1, b) with row 0 the bias
    unit's ones, so ``Theta2 * a2t`` is ``z3'`` bias included and ``a2t * delta3`` is the whole
    ``Theta2_grad'``; ``ht`` (K, b), ``h'`` and then ``delta3'`` in place (``Y`` is never formed:
    its ones are a list of flat positions per block); ``d2t`` (hidden, b); ``loss`` (K, b). The
    products use negated weights, ``(-Theta1(:,2:end)) * Xb' - Theta1(:,1)``: IEEE rounding is
    symmetric, so that is ``-z2'`` bit for bit, and ``exp`` takes it directly. ``X`` is read in
    place, never copied (when C- or F-contiguous); the two large products are
    ``-Theta1(:,2:end) * Xb'`` and the gradient's ``delta2' * Xb`` (as ``d2t @ Xb``, OpenBLAS's
    faster layout, ``benchmarks/run.py`` times the others), the second while the block is
    still in cache from the first. Chains of element-wise passes run piece by piece
    (``_CHUNK`` elements) so that each piece stays in cache through the chain.

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
        Rows per block (the last block fewer); by default :func:`_partition`'s blocks.
    dtype : {numpy.float64, numpy.float32}, default numpy.float64
    threads : int, optional
        Threads per evaluation (default: the cores available); never more than the blocks.
        The attribute may be changed between calls.

    Notes
    -----
    Not reentrant: one evaluator must not be called from two threads at once. ``X`` and the hit
    positions (``blocks``) are attributes that may be replaced between calls by arrays of the
    same shapes (:func:`nn_cost_function` and :mod:`nn3.engines.block` do). After a call,
    ``log_sum``, ``_acc0``, ``_acc1`` (n, hidden) and ``_acc2`` hold the sums over all blocks.
    """

    def __init__(
        self, X, rows, cols, hidden, num_labels, block_rows=None, dtype=np.float64, threads=None
    ):
        if not (X.flags.c_contiguous or X.flags.f_contiguous):
            X = np.ascontiguousarray(X)
        self.X = X
        self.dtype = dt = np.dtype(dtype)
        m, n = X.shape
        self.m, self.n = m, n
        self.hidden, self.num_labels = hidden, num_labels
        self.threads = check_threads(threads)
        if block_rows is None:
            self._bounds = _partition(m, hidden, num_labels, dt.itemsize)
        else:
            self._bounds = _uniform_blocks(m, max(1, min(int(block_rows), m)))
        self.block_rows = max(stop - start for start, stop in self._bounds)
        self.set_labels(rows, cols)
        self._slots: list[_Slot | None] = []  # per thread of an evaluation
        self._parts: list[_Part | None] = []  # the ring of partial sums
        # Sums over blocks, float64 whatever dtype (nn3.engines reads them after a call).
        self._acc0 = np.empty(hidden)  # sum over blocks of sum(delta2)
        self._acc1t = np.empty((hidden, n))  # sum over blocks of delta2' * Xb
        self._acc2 = np.empty((hidden + 1, num_labels))  # sum over blocks of a2' * delta3
        self.log_sum = 0.0
        self._weights = _Weights(n, hidden, num_labels, dt)
        self._cond = threading.Condition(threading.Lock())  # the threads' meeting point

    @property
    def _acc1(self):
        """The sum of ``Xb' * delta2`` over blocks, (n, hidden) (a view)."""
        return self._acc1t.T

    def set_labels(self, rows, cols):
        """Index the ones of ``Y`` per block (``rows``, ``cols`` as :func:`label_hits` gives)."""
        self.blocks = []
        for start, stop in self._bounds:
            lo, hi = np.searchsorted(rows, [start, stop])
            # Flat position of Y(r, c) == 1 in a (K, b) block: c * b + (r - start).
            hits = cols[lo:hi] * (stop - start) + (rows[lo:hi] - start)
            self.blocks.append((start, stop, np.sort(hits).astype(np.intp)))

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
        m = self.X.shape[0]
        want_grad = grad1 is not None
        n_blocks = len(self.blocks)
        threads = max(1, min(self.threads, n_blocks))
        run = _Run(self, self._weights.fill(Theta1, Theta2), want_grad, threads)
        with single_threaded_blas():
            run_on_threads(run.work, threads, run.stop)
        self.log_sum = run.log_sum  # with _acc0/_acc1/_acc2: the sums nn3.engines reads
        J = -run.log_sum / m + _regularisation(Theta1, Theta2, lambda_, m)
        if not want_grad:
            return J
        np.divide(self._acc0, m, out=grad1[:, 0])
        np.divide(self._acc1t, m, out=grad1[:, 1:])
        np.divide(self._acc2.T, m, out=grad2)
        if lambda_ != 0:
            # Regularisation skips the bias column.
            grad1[:, 1:] += (lambda_ / m) * Theta1[:, 1:]
            grad2[:, 1:] += (lambda_ / m) * Theta2[:, 1:]
        return J

    def _slot(self, i):
        if self._slots[i] is None:  # only the thread of slot i makes it
            self._slots[i] = _Slot(self.hidden, self.num_labels, self.block_rows, self.dtype)
        return self._slots[i]

    def _part(self, i):
        if self._parts[i] is None:
            self._parts[i] = _Part(self.n, self.hidden, self.num_labels, self.dtype)
        return self._parts[i]

    def _block(self, k, slot, part, w, want_grad):
        """Partial sums of block ``k`` into ``part``, with ``slot``'s buffers."""
        start, stop, hits = self.blocks[k]
        v = slot.views(stop - start)
        Xb = self.X[start:stop]
        single = self.dtype != np.float64
        if single and Xb.flags.c_contiguous:
            # float32 from a C-ordered X: OpenBLAS's sgemm is about a third faster as
            # Xb * (-W1') (rows first) than as (-W1) * Xb'; the result is transposed into z2t
            # as the bias is added (one pass), in d2t's buffer, which is free until delta2.
            z2 = v.d2_flat.reshape(stop - start, self.hidden)
            np.matmul(Xb, w.neg_W1.T, out=z2)
            np.add(z2.T, w.neg_bias1, out=v.z2t)
            _hidden_activation(v.z2t, None)  # a2'
        else:
            np.matmul(w.neg_W1, Xb.T, out=v.z2t)
            _hidden_activation(v.z2t, w.neg_bias1)  # a2'
        np.matmul(w.neg_Theta2, v.a2t, out=v.ht)  # -z3'
        # Cross-entropy: log(1 - h) where Y == 0, log(h) where Y == 1 (the two branches of
        # -Y.*log(h) - (1-Y).*log(1-h)); summed here, negated and divided by m at the end.
        h_flat, loss = v.h_flat, v.loss
        (_output_and_log_single if single else _output_and_log)(h_flat, loss)
        h_hits = h_flat[hits]
        loss[hits] = activations.log(h_hits)
        part.log_sum = float(loss.sum(dtype=np.float64)) if single else float(loss.sum())
        if not want_grad:
            return
        h_hits -= 1.0
        h_flat[hits] = h_hits  # ht is now delta3' = (h - Y)'
        np.matmul(w.W2t, v.ht, out=v.d2t)  # (delta3 * Theta2(:, 2:end))'
        _hidden_delta(v.d2_flat, v.z2_flat, v.scratch)  # delta2'
        np.matmul(v.d2t, v.ones, out=part.g0)
        np.matmul(v.d2t, Xb, out=part.g1)  # delta2' * Xb
        np.matmul(v.a2t, v.ht.T, out=part.g2)


class _Run:
    """One evaluation: blocks handed out in order, partial sums added in order.

    ``work(slot)`` runs on each thread: it takes the next block, evaluates it into a partial-sums
    buffer of the ring (``2 * threads`` of them, block ``k`` in ``k % ring``), marks it done, and
    adds into the accumulators every block that is next in order and done (one thread adds at a
    time; the others go on evaluating). A thread more than the ring ahead of the adding waits.
    Any exception stops every thread before its next block.
    """

    def __init__(self, ev, weights, want_grad, threads):
        self.ev, self.w, self.want_grad = ev, weights, want_grad
        self.n_blocks = len(ev.blocks)
        self.ring = min(self.n_blocks, 2 * threads)
        while len(ev._parts) < self.ring:
            ev._parts.append(None)
        self.done = [False] * self.ring
        self.cond = ev._cond
        self.next_block = 0  # the next block to hand out
        self.added = 0  # blocks added so far (in order)
        self.adding = False  # a thread is adding
        self.failed = False
        self.log_sum = 0.0
        # The caller's floating-point error handling, in every thread (numpy keeps it per thread).
        self.errstate = {**np.geterr(), "call": np.geterrcall()}
        while len(ev._slots) < threads:  # made here, filled by the thread that uses each
            ev._slots.append(None)

    def work(self, slot_index):
        try:
            ev = self.ev
            slot = ev._slot(slot_index)
            with np.errstate(**self.errstate), blas_thread():
                while True:
                    k = self._take()
                    if k is None:
                        return
                    ev._block(k, slot, ev._part(k % self.ring), self.w, self.want_grad)
                    with self.cond:
                        self.done[k % self.ring] = True
                        if self.adding:
                            continue
                        self.adding = True
                    self._add_in_order()
        except BaseException:
            self.stop()
            raise

    def stop(self):
        """Make every thread stop before its next block (the caller was interrupted)."""
        with self.cond:
            self.failed = True
            self.cond.notify_all()

    def _take(self):
        """The next block to evaluate, once its ring buffer is free; None when none is left."""
        with self.cond:
            if self.failed or self.next_block >= self.n_blocks:
                return None
            k = self.next_block
            self.next_block += 1
            while k >= self.added + self.ring and not self.failed:
                self.cond.wait()
            return None if self.failed else k

    def _add_in_order(self):
        """Add every done block that is next in order (this thread holds ``adding``)."""
        ev = self.ev
        while True:
            with self.cond:
                j = self.added
                if j >= self.n_blocks or not self.done[j % self.ring] or self.failed:
                    self.adding = False
                    return
            part = ev._parts[j % self.ring]
            if j == 0:
                self.log_sum = 0.0 + part.log_sum
                if self.want_grad:
                    ev._acc0[...] = part.g0
                    ev._acc1t[...] = part.g1
                    ev._acc2[...] = part.g2
            else:
                self.log_sum += part.log_sum
                if self.want_grad:
                    ev._acc0 += part.g0
                    ev._acc1t += part.g1
                    ev._acc2 += part.g2
            with self.cond:
                self.done[j % self.ring] = False
                self.added = j + 1
                self.cond.notify_all()


def _regularisation(Theta1, Theta2, lambda_, m):
    """``lambda/(2m) * sum of squared non-bias weights``."""
    if lambda_ == 0:
        return 0.0
    t1 = Theta1[:, 1:]
    t2 = Theta2[:, 1:]
    return lambda_ / (2 * m) * (float(np.sum(t1 * t1)) + float(np.sum(t2 * t2)))


def _cost_and_gradient(
    X, rows, cols, Theta1, Theta2, lambda_, grad1=None, grad2=None, threads=None
):
    """Cost and, when ``grad1``/``grad2`` are given, gradients written into them (one-off)."""
    evaluator = _Evaluator(X, rows, cols, Theta1.shape[0], Theta2.shape[0], threads=threads)
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
    *,
    threads: int | None = None,
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
    threads : int, optional
        Threads evaluating row blocks at once (default: the cores available, see
        :func:`make_objective`); the result has the same bits for any number.

    Returns
    -------
    J : float
    grad : ndarray of shape (n_params,)
        Unrolled like ``nn_params``.
    """
    Theta1, Theta2 = roll(nn_params, input_layer_size, hidden_layer_size, num_labels)
    validate("lambda_", lambda_)
    threads = check_threads(threads)
    X = _as_data(X)
    if Theta1.ndim != 2 or Theta2.ndim != 2:  # roll gives 2-D; the checks of _prepare follow
        raise DataError("Theta1 and Theta2 must be 2-D matrices")
    _check_shapes(X, Theta1, Theta2)
    grad = np.empty(Theta1.size + Theta2.size)
    grad1, grad2 = _views(grad, Theta1.shape[1] - 1, Theta1.shape[0], Theta2.shape[0])
    y_arr = np.asarray(y)
    if y_arr.size != X.shape[0]:
        if y_arr.ndim > 1 and sum(d != 1 for d in y_arr.shape) > 1:
            label_hits(y_arr, Theta2.shape[0])  # the vector error first, as _prepare gives it
        raise DataError(f"X has {X.shape[0]} rows but y has {y_arr.size} labels")
    if X.shape[0] == 0:
        raise DataError("X has no rows (zero examples)")
    if not _CACHE_LOCK.acquire(blocking=False):  # another thread is evaluating: no reuse
        rows, cols = label_hits(y_arr, Theta2.shape[0])
        J = _cost_and_gradient(X, rows, cols, Theta1, Theta2, lambda_, grad1, grad2, threads)
        return J, grad
    try:
        evaluate = _cached_evaluator(X, y_arr, Theta1.shape[0], Theta2.shape[0])
        evaluate.threads = threads
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
    *,
    threads: int | None = None,
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
        it is, any other is converted once (a C-ordered float32 copy, half of a float64 ``X``'s
        bytes; C order lets the first product run rows first, OpenBLAS's faster float32
        layout).
        The cost's sums are added in float64 (the cost stays within about 1e-6 relative of the
        double-precision one) and the gradient is returned as float64. Faster at large shapes
        (the products run at float32 speed and read half the bytes); not MATLAB's bits, so
        parity and the gradient check are double-only.
    threads : int, optional
        Threads per evaluation, from 1 to 256 (default: the cores this process may use,
        ``len(os.sched_getaffinity(0))``). X is cut into row blocks that depend on its shape
        only; the blocks are evaluated ``threads`` at a time, each with single-threaded BLAS
        (BLAS is kept to one thread during each evaluation, through threadpoolctl), and their
        partial sums are added in block order, so the result has the same bits for any number
        of threads. More threads than cores is allowed (slower, same result). Where the BLAS's
        thread count cannot be set (threadpoolctl not installed, or a BLAS it does not know,
        such as Apple's Accelerate) the default is 1 and BLAS keeps its own threads: the bits
        may then depend on the thread counts. ``fun.threads`` is the number used.

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
    threads = check_threads(threads)
    X = np.asarray(X)
    if dtype == np.float32 and X.dtype == np.float32:
        if X.ndim != 2:
            raise DataError(f"X must be a 2-D matrix, got shape {X.shape}")
    else:
        X = _as_data(X)
        if dtype == np.float32:  # in C order, the faster layout of float32 products
            X = np.ascontiguousarray(X, dtype=np.float32)
    check_feature_count(X.shape[1], (hidden_layer_size, input_layer_size + 1))
    if X.shape[0] == 0:
        raise DataError("X has no rows (zero examples)")
    rows, cols = label_hits(y, num_labels)
    if np.asarray(y).size != X.shape[0]:
        raise DataError(f"X has {X.shape[0]} rows but y has {np.asarray(y).size} labels")
    sizes = (input_layer_size, hidden_layer_size, num_labels)
    evaluate = _Evaluator(
        X, rows, cols, hidden_layer_size, num_labels, dtype=dtype, threads=threads
    )

    def fun(nn_params):
        Theta1, Theta2 = _views(nn_params, *sizes)
        grad = np.empty(Theta1.size + Theta2.size)  # new each call: optimizers keep old ones
        grad1, grad2 = _views(grad, *sizes)
        J = evaluate(Theta1, Theta2, lambda_, grad1, grad2)
        return J, grad

    fun.precision = precision  # type: ignore[attr-defined]
    fun.threads = threads  # type: ignore[attr-defined]
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
