"""Predictions by row blocks (streaming or on Dask workers), written to a v7.3 file block by block.

``nn3 predict WEIGHTS.mat BIG.mat --out P.mat [--dask ADDRESS]``: every row of X gets its label
``p`` (m x 1) and, optionally, its outputs ``h`` (m x K), written as they are computed through
:class:`nn3.mat.blocks.V73BlockWriter`; neither X nor the predictions are ever held whole.
"""

import collections

import numpy as np

from ..core.network import labels_from_outputs, predict_proba
from ..errors import MatFileError, ParameterConflictError
from ..stopping import checkpoint
from ..validation import validate
from .partition import default_block_rows, row_blocks
from .source import H5Source, open_source
from .stream import BlockReader, check_finite


def _block_outputs(Xt, Theta1, Theta2):
    """``(p, h)`` of a transposed block (n, b)."""
    h = predict_proba(Theta1, Theta2, Xt.T)
    return labels_from_outputs(h), h


def _predict_file_block(path, var, start, stop, Theta1, Theta2):
    """Task: read rows ``[start, stop)`` of X on a worker and predict them."""
    from .dask_engine import worker_address

    try:
        source = H5Source(path, var)
    except MatFileError as exc:
        raise MatFileError(
            f"{path}: worker {worker_address()} cannot read the file: {exc}"
        ) from None
    try:
        buf = source.read(start, stop, np.empty((source.shape[1], stop - start)))
    finally:
        source.close()
    check_finite(buf, source, start, stop)
    return _block_outputs(buf, Theta1, Theta2)


def _predict_array_block(block, Theta1, Theta2):
    """Task: predict rows given as an (b, n) array."""
    return _block_outputs(
        np.array(np.asarray(block, dtype=np.float64).T, order="C"), Theta1, Theta2
    )


def predict_blocks(
    Theta1,
    Theta2,
    X,
    out=None,
    *,
    y=None,
    engine: str = "stream",
    client=None,
    block_rows: int | None = None,
    x_var: str = "X",
    with_outputs: bool = True,
) -> dict:
    """Predict every row of X by blocks; write ``p`` (and ``h``) to a v7.3 file as they come.

    Parameters
    ----------
    Theta1 : ndarray of shape (hidden, n + 1)
    Theta2 : ndarray of shape (K, hidden + 1)
    X : ndarray, h5py.Dataset, dask.array.Array, (path, variable), str or os.PathLike
        As :func:`nn3.engines.make_engine_objective` takes it.
    out : str or os.PathLike, optional
        v7.3 output (atomic): ``p`` (m x 1, labels as :func:`nn3.predict` gives them) and, with
        ``with_outputs``, ``h`` (m x K). None: only count (for the accuracy).
    y : array_like of shape (m,), optional
        Labels: the accuracy is returned.
    engine : {"stream", "dask"}, default "stream"
    client : distributed.Client or str, optional
        For ``engine="dask"`` (an address starts a client closed at the end).
    block_rows : int, optional
    x_var : str, default "X"
    with_outputs : bool, default True

    Returns
    -------
    dict
        ``rows`` (m), ``accuracy`` (percent, or None without ``y``).
    """
    from ..mat.blocks import V73BlockWriter

    if validate("engine", engine) == "memory":
        raise ParameterConflictError(
            "engine", engine, "predict_blocks predicts by blocks: {name} must be 'stream' or 'dask'"
        )
    if block_rows is not None:
        block_rows = validate("block_rows", block_rows)
    Theta1 = np.asarray(Theta1, dtype=np.float64)
    Theta2 = np.asarray(Theta2, dtype=np.float64)
    source = open_source(X, x_var)
    m, n = source.shape
    K = Theta2.shape[0]
    blocks = row_blocks(m, block_rows or default_block_rows(m, n))
    y = None if y is None else np.asarray(y, dtype=np.float64).reshape(-1)
    correct = 0
    owned = None
    try:
        results = _block_results(source, blocks, Theta1, Theta2, engine, client)
        if engine == "dask" and (client is None or isinstance(client, str)):
            owned = results.client
        if out is None:
            for (start, stop), (p, _h) in zip(blocks, results, strict=True):
                if y is not None:
                    correct += int(np.count_nonzero(p == y[start:stop]))
        else:
            with V73BlockWriter(out) as writer:
                p_out = writer.matrix("p", m, 1)
                h_out = writer.matrix("h", m, K) if with_outputs else None
                for (start, stop), (p, h) in zip(blocks, results, strict=True):
                    p_out.write_rows(start, p)
                    if h_out is not None:
                        h_out.write_rows(start, h)
                    if y is not None:
                        correct += int(np.count_nonzero(p == y[start:stop]))
    finally:
        source.close()
        if owned is not None:
            owned.close()
    return {"rows": m, "accuracy": None if y is None else 100.0 * correct / m}


class _block_results:
    """``(p, h)`` per block in block order, computed here (stream) or on Dask (a window ahead)."""

    def __init__(self, source, blocks, Theta1, Theta2, engine, client):
        self.source, self.blocks, self.thetas = source, blocks, (Theta1, Theta2)
        self.engine, self.client = engine, None
        if engine == "dask":
            from .dask_engine import connect

            self.client = (
                connect(client or "local") if client is None or isinstance(client, str) else client
            )

    def __iter__(self):
        if self.engine == "stream":
            reader = BlockReader(self.source, self.blocks)
            for k in range(len(self.blocks)):
                checkpoint()  # each block a safe point to stop at (nn3.stopping)
                yield _block_outputs(reader.read(k), *self.thetas)
            return
        client = self.client
        window = 2 * max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
        pending = collections.deque()
        for k in range(len(self.blocks)):
            pending.append(self._submit(k))
            if len(pending) >= window:
                yield self._take(pending.popleft())
        while pending:
            yield self._take(pending.popleft())

    @staticmethod
    def _take(future):
        from .dask_engine import wait_futures

        wait_futures([future])  # a stop asked for ends the wait (nn3.stopping)
        result = future.result()
        future.release()
        return result

    def _submit(self, k):
        start, stop = self.blocks[k]
        src, client = self.source, self.client
        if isinstance(src, H5Source):
            return client.submit(
                _predict_file_block, src.path, src.name, start, stop, *self.thetas, pure=False
            )
        block = src.X[start:stop]
        if hasattr(block, "compute"):
            block = block.compute()
        data = client.scatter(np.asarray(block), hash=False)
        return client.submit(_predict_array_block, data, *self.thetas, pure=False)
