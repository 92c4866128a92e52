"""The engine-aware objective: ``fun(nn_params) -> (J, grad)`` whatever engine evaluates it.

``nn3.make_objective(X, y, ..., engine=...)`` dispatches here for ``engine="stream"`` or
``"dask"`` (or when engine options are given). The objective works with :func:`nn3.fmincg` and
``scipy.optimize.minimize(fun, x0, jac=True)``, counts its progress, and releases its resources
(files, Dask shards, a cluster it started) on :meth:`EngineObjective.close` or at the end of a
``with`` block.
"""

import time
from typing import Any

import numpy as np
import numpy.typing as npt

from ..core.network import Objective, _Evaluator, label_hits, roll
from ..core.network import make_objective as network_objective
from ..errors import DataError, OptionError
from .block import combine
from .partition import default_block_rows
from .progress import Progress
from .source import ArraySource, DaskArraySource, open_source

ENGINES = ("memory", "stream", "dask")
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
    """

    def __init__(self, engine, sizes, lambda_, m, block_rows, owned_client=None):
        self._engine, self.sizes, self.lambda_ = engine, tuple(sizes), float(lambda_)
        self.engine, self.m, self.block_rows = engine.name, int(m), int(block_rows)
        self.progress = Progress()
        self._owned_client = owned_client

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
            self._owned_client = None

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
    """The in-memory hot path (:class:`nn3.core.network._Evaluator`) with a chosen block size."""

    name = "memory"

    def __init__(self, X, rows, cols, sizes, block_rows):
        self.evaluator = _Evaluator(X, rows, cols, sizes[1], sizes[2], block_rows)

    def evaluate(self, nn_params, Theta1, Theta2, lambda_):
        grad = np.empty(Theta1.size + Theta2.size)
        grad1, grad2 = roll(grad, Theta1.shape[1] - 1, Theta1.shape[0], Theta2.shape[0])
        return self.evaluator(Theta1, Theta2, lambda_, grad1, grad2), grad

    def sums(self, nn_params):
        raise OptionError("block sums come from the stream and dask engines")

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
    **options: Any,
) -> Objective:
    """``nn3.make_objective``: the cost and gradient as ``fun(nn_params) -> (J, grad)``, any engine.

    ``engine="memory"`` with no other option is :func:`nn3.core.network.make_objective` (X an
    in-memory matrix); ``engine="stream"`` or ``"dask"``, or any of ``client=``, ``block_rows=``,
    ``x_var=``, is :func:`make_engine_objective`: X may then also be a v7.3 file (a path,
    ``(path, variable)`` or an h5py dataset) or a dask.array, read by row blocks.

    Parameters
    ----------
    X : ndarray of shape (m, n), or a block source (see :func:`make_engine_objective`)
    y : array_like of shape (m,) or (m, 1)
    input_layer_size, hidden_layer_size, num_labels : int
    lambda_ : float, default 0.0
    engine : {"memory", "stream", "dask"}, default "memory"
    precision : {"double", "single"}, default "double"
        ``"single"``: float32 evaluation (in-memory engine only), see
        :func:`nn3.core.network.make_objective`.
    **options
        ``client``, ``block_rows``, ``x_var``: see :func:`make_engine_objective`.

    Returns
    -------
    fun : callable ``fun(nn_params) -> (J, grad)``
    """
    if engine == "memory" and not options:
        return network_objective(
            X, y, input_layer_size, hidden_layer_size, num_labels, lambda_, precision=precision
        )
    if precision != "double":
        raise OptionError(f"precision={precision!r} is for the in-memory engine only")
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
    if engine not in ENGINES:
        raise OptionError(f"unknown engine {engine!r} (use one of {', '.join(ENGINES)})")
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
        block_rows = default_block_rows(m, n) if block_rows is None else int(block_rows)
        if block_rows < 1:
            raise OptionError(f"block rows must be at least 1, got {block_rows}")
        block_rows = min(block_rows, m)
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
    return EngineObjective(inner, sizes, lambda_, m, block_rows, owned_client=owned)


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
