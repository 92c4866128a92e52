"""The engine-aware objective: ``fun(nn_params) -> (J, grad)`` whatever engine evaluates it.

``nn3.make_objective(X, y, ..., engine=...)`` dispatches here for ``engine="stream"`` or
``"dask"`` (or when engine options are given). The objective works with :func:`nn3.fmincg` and
``scipy.optimize.minimize(fun, x0, jac=True)``, counts its progress, and releases its resources
(files, Dask shards, a cluster it started) on :meth:`EngineObjective.close` or at the end of a
``with`` block.
"""

import os
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from ..core import RowBlockEvaluator
from ..core.network import Objective, label_hits, memory_objective, roll
from ..errors import DataError, Nn3Error, ParameterConflictError
from ..validation import as_real_array, validate
from .block import combine
from .partition import default_block_rows
from .progress import Progress
from .source import ArraySource, DaskArraySource, open_source

#: ``choose_engine`` keeps X in memory when it takes at most this fraction of available memory.
MEMORY_ENGINE_FRACTION = 0.5


class EngineObjective:
    """``fun(nn_params) -> (J, grad)`` over an engine's row blocks (:func:`make_engine_objective`).

    Attributes
    ----------
    engine : str
    m : int
    block_rows : int
    progress : Progress
    client : distributed.Client or None
        The Dask engine's client (one it started from an address, until :meth:`close`).
    """

    def __init__(self, engine, sizes, lambda_, m, block_rows, owned_client=None, client=None):
        self._engine, self.sizes, self.lambda_ = engine, tuple(sizes), float(lambda_)
        self.engine, self.m, self.block_rows = engine.name, int(m), int(block_rows)
        self.progress = Progress()
        self._owned_client = owned_client
        self.client = client

    def __call__(self, nn_params):
        """Cost and unrolled gradient (a new array each call)."""
        t0 = time.perf_counter()
        Theta1, Theta2 = roll(nn_params, *self.sizes)
        J, grad = self._engine.evaluate(nn_params, Theta1, Theta2, self.lambda_)
        self.progress.record(self.m, time.perf_counter() - t0)
        return J, grad

    def block_sums(self, nn_params):
        """The blocks' partial sums, in block order (list of BlockSums; not for memory)."""
        return list(self._engine.sums(nn_params))

    def close(self):
        """Release the engine's files and Dask data, and a cluster it started."""
        self._engine.close()
        if self._owned_client is not None:
            self._owned_client.close()
            self._owned_client = self.client = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _SumsEngine:
    """Evaluation by adding a stream or Dask engine's partial sums in block order."""

    def __init__(self, inner, m):
        self.inner, self.name, self.m = inner, inner.name, m

    def sums(self, nn_params):
        return self.inner.sums(nn_params)

    def evaluate(self, nn_params, Theta1, Theta2, lambda_):
        return combine(self.inner.sums(nn_params), Theta1, Theta2, lambda_, self.m)

    def close(self):
        self.inner.close()


class _MemoryEngine:
    """The in-memory hot path (:data:`nn3.core.RowBlockEvaluator`) with a chosen block size."""

    name = "memory"

    def __init__(self, X, rows, cols, sizes, block_rows):
        self.evaluator = RowBlockEvaluator(X, rows, cols, sizes[1], sizes[2], block_rows)

    def evaluate(self, nn_params, Theta1, Theta2, lambda_):
        grad = np.empty(Theta1.size + Theta2.size)
        grad1, grad2 = roll(grad, Theta1.shape[1] - 1, Theta1.shape[0], Theta2.shape[0])
        return self.evaluator(Theta1, Theta2, lambda_, grad1, grad2), grad

    def sums(self, nn_params):
        raise TypeError("block sums come from the stream and dask engines")

    def close(self):
        pass


def make_objective(
    X: Any,  # ndarray, h5py.Dataset, dask array, path or (path, variable): dispatched at run time
    y: npt.ArrayLike,
    input_layer_size: int,
    hidden_layer_size: int,
    num_labels: int,
    lambda_: float = 0.0,
    *,
    engine: str = "memory",
    precision: str = "double",
    threads: int | None = None,
    block_rows: int | None = None,
    client: Any = None,
    x_var: str | None = None,
) -> Objective:
    """The cost and gradient as ``fun(nn_params) -> (J, grad)``, whatever engine evaluates them.

    ``nn3.make_objective``: the objective :func:`nn3.fmincg` (or
    ``scipy.optimize.minimize(fun, x0, jac=True)``) minimises, port of the coursework's
    ``@(p) nnCostFunction(p, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)``
    with the data checked and indexed once. Its positional arguments are nnCostFunction's; what
    nn3 adds is keyword-only.

    ``engine="memory"`` with no other option is :func:`nn3.core.network.memory_objective` (X an
    in-memory matrix, read by reference); ``engine="stream"`` or ``"dask"``, or any of
    ``client=``, ``block_rows=``, ``x_var=``, is :func:`make_engine_objective`: X may then also
    be a v7.3 file (a path, ``(path, variable)`` or an h5py dataset) or a dask.array, read by
    row blocks.

    Parameters
    ----------
    X : ndarray of shape (m, n), or a block source (see :func:`make_engine_objective`)
    y : array_like of shape (m,) or (m, 1)
        0/1 labels (``num_labels == 1``) or 1..K.
    input_layer_size, hidden_layer_size, num_labels : int
    lambda_ : float, default 0.0
    engine : {"memory", "stream", "dask"}, default "memory"
    precision : {"double", "single"}, default "double"
        ``"single"``: float32 evaluation (in-memory engine only), see
        :func:`nn3.core.network.memory_objective`.
    threads : int, optional
        Threads per evaluation (in-memory engine only); default: the cores available. X is
        cut into row blocks that depend on its shape only, each block's sums are made with
        single-threaded BLAS, and the partial sums are added in block order: the same bits for
        any number of threads (:func:`nn3.core.network.memory_objective`).
    block_rows, client, x_var
        See :func:`make_engine_objective`.

    Returns
    -------
    fun : callable ``fun(nn_params) -> (J, grad)``
        An :class:`EngineObjective` (close it, or use it in a ``with`` block) for the block
        engines.
    """
    engine = validate("engine", engine)
    options: dict[str, Any] = {
        k: v
        for k, v in (("block_rows", block_rows), ("client", client), ("x_var", x_var))
        if v is not None
    }
    if engine == "memory" and not options:
        X = as_real_array(X, "X", convert=False)  # text or objects: one line, not numpy's error
        y = as_real_array(y, "y", convert=False)
        return memory_objective(
            X,
            y,
            input_layer_size,
            hidden_layer_size,
            num_labels,
            lambda_,
            precision=precision,
            threads=threads,
        )
    if validate("precision", precision) != "double":
        raise ParameterConflictError(
            "precision",
            precision,
            "{precision=} is for the in-memory engine only; the block engines evaluate in "
            "double precision",
        )
    if threads is not None:
        raise ParameterConflictError(
            "threads",
            threads,
            "{threads=} is for the in-memory engine only; the block engines choose their own "
            "threads (Dask: its workers')",
        )
    return make_engine_objective(
        X, y, input_layer_size, hidden_layer_size, num_labels, lambda_, engine=engine, **options
    )


def make_engine_objective(
    X,
    y,
    input_layer_size: int,
    hidden_layer_size: int,
    num_labels: int,
    lambda_: float = 0.0,
    *,
    engine: str = "stream",
    client=None,
    block_rows: int | None = None,
    x_var: str = "X",
) -> EngineObjective:
    """An objective evaluated by an engine over fixed row blocks of X.

    Parameters
    ----------
    X : ndarray, h5py.Dataset, dask.array.Array, (path, variable), str or os.PathLike
        m x n data (MATLAB's orientation); a path means variable ``x_var`` of a v7.3 file.
    y : array_like of shape (m,) or (m, 1)
        0/1 labels (``num_labels == 1``) or 1..K, in memory (see
        :func:`nn3.engines.labels.read_labels`).
    input_layer_size, hidden_layer_size, num_labels : int
    lambda_ : float, default 0.0
    engine : {"stream", "dask", "memory"}, default "stream"
        ``"memory"``: X read whole into memory, the in-memory hot path. ``"stream"``: X read by
        row blocks from its source at each evaluation. ``"dask"``: blocks held by Dask workers.
    client : distributed.Client or str, optional
        For ``engine="dask"``: a client, or an address for :func:`nn3.engines.connect`
        (``tcp://host:port``, ``local``, ``local:N``; default ``local``). A cluster started
        from an address is stopped by :meth:`EngineObjective.close`.
    block_rows : int, optional
        Rows per block; default :func:`~nn3.engines.partition.default_block_rows`. The
        partition, hence the bits of every result, depends on ``m`` and ``block_rows`` only:
        streaming and Dask with any number of workers give the same bits.
    x_var : str, default "X"

    Returns
    -------
    EngineObjective
        ``fun(nn_params) -> (J, grad)``, with ``.progress``, ``.close()``.
    """
    engine = validate("engine", engine)
    if block_rows is not None:
        block_rows = validate("block_rows", block_rows)
    source = open_source(X, x_var)
    try:
        m, n = source.shape
        if n != input_layer_size:
            raise DataError(f"{source.where}: X has {n} features, expected {input_layer_size}")
        y = np.asarray(y)
        if y.size != m:
            raise DataError(f"{source.where}: X has {m} rows but y has {y.size} labels")
        rows, cols = label_hits(y, num_labels)
        sizes = (input_layer_size, hidden_layer_size, num_labels)
        block_rows = min(default_block_rows(m, n) if block_rows is None else block_rows, m)
        owned = None
        inner: _MemoryEngine | _SumsEngine
        if engine == "memory":
            inner = _MemoryEngine(_in_memory(source), rows, cols, sizes, block_rows)
            source.close()
        elif engine == "stream":
            from .stream import StreamEngine

            inner = _SumsEngine(StreamEngine(source, rows, cols, sizes, block_rows), m)
        else:
            from .dask_engine import DaskEngine, connect

            if client is None or isinstance(client, str):
                client = owned = connect(client or "local")
            try:
                inner = _SumsEngine(DaskEngine(client, source, rows, cols, sizes, block_rows), m)
            except BaseException:
                if owned is not None:
                    owned.close()
                raise
    except BaseException:
        source.close()
        raise
    if engine != "dask":
        client = None
    return EngineObjective(inner, sizes, lambda_, m, block_rows, owned_client=owned, client=client)


def _in_memory(source):
    """X whole as a float64 (m, n) array (Fortran order when read from a file)."""
    if isinstance(source, ArraySource) and not isinstance(source, DaskArraySource):
        X = source.X
        return X if X.dtype == np.float64 else X.astype(np.float64)
    m, n = source.shape
    buf = np.empty((n, m))
    source.read(0, m, buf)
    return buf.T


def choose_engine(source, fraction: float = MEMORY_ENGINE_FRACTION) -> str:
    """``"memory"`` when X takes at most ``fraction`` of the available memory, else ``"stream"``.

    Parameters
    ----------
    source : ArraySource, DaskArraySource or H5Source
        From :func:`nn3.engines.source.open_source`.
    fraction : float, default :data:`MEMORY_ENGINE_FRACTION`
    """
    from .labels import available_memory

    if isinstance(source, ArraySource) and not isinstance(source, DaskArraySource):
        return "memory"
    m, n = source.shape
    return "memory" if 8 * m * n <= fraction * available_memory() else "stream"


def auto_engine(data, x_var: str = "X") -> str:
    """The engine ``nn3 train DATA`` uses by default: ``"stream"`` for a v7.3 file whose X does
    not fit in memory (:func:`choose_engine`), else ``"memory"``.

    Anything that is not a readable v7.3 file with a numeric X gives ``"memory"``, whose loader
    then reports the problem as it always has.
    """
    if not isinstance(data, (str, os.PathLike)):
        return "memory"
    try:
        source = open_source(data, x_var)
    except (Nn3Error, OSError, ValueError):
        return "memory"
    try:
        return choose_engine(source)
    finally:
        source.close()
