"""Dask engine: row blocks held by ``dask.distributed`` workers, only parameters sent per call.

As dask-ml's L-BFGS: the optimizer runs on the client; each worker owns a fixed, contiguous range
of row blocks (:func:`nn3.engines.partition.assign_blocks`), loads them once (read from the file
by the worker itself, or received once from the client) into fresh aligned ``(n, b)`` arrays, and
keeps them and a :class:`~nn3.engines.block.BlockEvaluator` in its memory across evaluations
(:class:`_Shard`, the result of one task that stays on the worker). Per evaluation the client
submits one task per shard with the parameter vector as a task argument and gathers the blocks'
partial sums, which it adds in block order. A shard whose blocks do not fit in
``memory_fraction`` of its worker's memory limit keeps only its buffers and re-reads its blocks
from the file at each evaluation (the file must then be on storage every worker sees).

Failures: a scheduler that does not answer within ``timeout`` seconds (default
:data:`CONNECT_TIMEOUT`; nothing listening, or a listener that never completes Dask's handshake)
raises :class:`~nn3.errors.ClusterError`; a worker that cannot read the
file raises :class:`~nn3.errors.MatFileError` naming the path and the worker. A worker lost during
an evaluation: Dask reruns its tasks elsewhere (a shard read from a file is reloaded from the
file on another worker; the partial sums do not depend on which worker computes them); when it
cannot (data sent from the client was lost with the worker, or tasks kept failing), the
evaluation raises :class:`~nn3.errors.ClusterError`. Never partial or wrong sums.
"""

import threading
import uuid

import numpy as np

from ..errors import ClusterError, MatFileError, MissingDependencyError, ParameterError
from .block import BlockEvaluator
from .labels import available_memory
from .partition import assign_blocks, block_hits, row_blocks
from .source import ArraySource, DaskArraySource, H5Source
from .stream import BlockReader, _single_threaded_blas, check_finite

#: Seconds to wait for a scheduler (and for a first worker) before giving up.
CONNECT_TIMEOUT = 10.0
#: Fraction of a worker's memory limit its blocks may take to be held in memory.
MEMORY_FRACTION = 0.6


def require_distributed():
    """The ``distributed`` module, or :class:`~nn3.errors.MissingDependencyError` saying what
    to install (callers ask before reading anything, so the user learns it at once)."""
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError(
            "the Dask engine needs the 'dask' extra: pip install 'nn3[dask]'"
        ) from None
    return distributed


def parse_address(address: str):
    """``("local", N or None)`` for ``local`` / ``local:N``, else ``("remote", address)``.

    Raises
    ------
    ParameterError
        Naming ``client`` (``--dask`` on the command line).
    """
    text = str(address).strip()
    if text == "local" or text.startswith("local:"):
        count = text[len("local:") :] if ":" in text else ""
        if count and not (count.isascii() and count.isdigit() and int(count) >= 1):
            raise ParameterError(
                "client", "local:N needs a number of workers of at least 1", address, text
            )
        return "local", int(count) if count else None
    if not text or text.count(":") < 1:
        raise ParameterError(
            "client", "must be tcp://HOST:PORT, HOST:PORT, local or local:N", address, repr(text)
        )
    return "remote", text


def connect(address: str, timeout: float = CONNECT_TIMEOUT, memory_limit="auto"):
    """A ``distributed.Client`` for ``address``; it owns the cluster it starts for ``local``.

    Parameters
    ----------
    address : str
        ``tcp://host:port`` (or ``host:port``) of a running scheduler, or ``local`` / ``local:N``
        for a ``LocalCluster`` of N worker processes (default: one per CPU), one thread each.
    timeout : float, default :data:`CONNECT_TIMEOUT`
        Seconds to wait for the scheduler to answer.
    memory_limit : str or int, default "auto"
        Per-worker memory limit of a local cluster (Dask's ``memory_limit``).

    Returns
    -------
    distributed.Client
        Close it when done (``client.close()`` also stops a local cluster).

    Raises
    ------
    ClusterError
        The scheduler did not answer within ``timeout`` seconds.
    MissingDependencyError
        dask[distributed] is not installed.
    """
    distributed = require_distributed()
    kind, value = parse_address(address)
    if kind == "local":
        import logging
        import os

        workers = value or os.cpu_count() or 1
        return distributed.Client(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit=memory_limit,
            silence_logs=logging.ERROR,
        )
    try:
        _probe(value, timeout)  # Client(timeout=) alone waits forever on a silent listener
        return distributed.Client(value, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"dask scheduler {value} did not answer within {timeout:g} s ({_reason(exc)})"
        ) from None


def _probe(address, timeout):
    """Ask the scheduler at ``address`` who it is; raise TimeoutError/OSError unless it answers
    within ``timeout`` seconds (on a thread of its own, whatever event loop the caller runs)."""
    import asyncio

    from distributed.comm import connect as comm_connect

    outcome: dict = {}

    async def talk():
        comm = await comm_connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    def run():
        try:
            outcome["answer"] = asyncio.run(asyncio.wait_for(talk(), timeout))
        except BaseException as exc:  # handed to the caller
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="nn3-dask-probe", daemon=True)
    thread.start()
    thread.join(timeout + 2.0)
    if "error" in outcome:
        raise outcome["error"]
    if "answer" not in outcome:
        raise TimeoutError("no answer")


def _reason(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class _Shard:
    """A worker's row blocks and their evaluator, kept in the worker's memory between tasks."""

    def __init__(self, blocks, hits, data, reader, n, hidden, num_labels, block_rows):
        self.blocks, self.hits, self.data, self.reader = blocks, hits, data, reader
        self.evaluator = BlockEvaluator(n, hidden, num_labels, block_rows)
        self.lock = threading.Lock()
        self.nbytes = sum(int(d.nbytes) for d in data) if data else 0

    def __getstate__(self):  # if Dask ever moves a shard: everything but the lock
        state = dict(self.__dict__)
        del state["lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.lock = threading.Lock()

    def sums(self, nn_params, sizes):
        from .block import params_to_thetas

        Theta1, Theta2 = params_to_thetas(nn_params, sizes)
        out = []
        with self.lock, _single_threaded_blas():  # same bits as the stream engine
            for i in range(len(self.blocks)):
                block = self.data[i] if self.data else self.reader.read(i)
                out.append(self.evaluator(block, self.hits[i], Theta1, Theta2))
        return out


def _register_sizeof():
    try:
        from dask.sizeof import sizeof
    except ImportError:
        return

    @sizeof.register(_Shard)
    def _(shard):  # so the scheduler never thinks moving a shard is cheap
        return shard.nbytes + 2**20


_register_sizeof()


def worker_address() -> str:
    """The address of the Dask worker running this code, for messages."""
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return "<this process>"


def _worker_budget(fraction):
    try:
        from distributed import get_worker

        limit = get_worker().memory_manager.memory_limit
    except (ImportError, ValueError, AttributeError):
        limit = None
    return fraction * (limit or available_memory())


def _load_shard(spec, arrays, blocks, hits, n, hidden, num_labels, block_rows, fraction):
    """Task: a worker's blocks, read from the file (``spec`` = (path, var)) or from ``arrays``."""
    if arrays:  # sent by the client: one fresh aligned copy each (see notes on alignment)
        data = []
        for (start, stop), a in zip(blocks, arrays, strict=True):
            block = np.array(np.asarray(a, dtype=np.float64).T, order="C", copy=True)
            check_finite(block, ArraySource(block.T, "X"), start, stop)
            data.append(block)
        return _Shard(blocks, hits, data, None, n, hidden, num_labels, block_rows)
    path, var = spec
    try:
        source = H5Source(path, var)
    except MatFileError as exc:
        raise MatFileError(
            f"{path}: worker {worker_address()} cannot read the file: {exc}"
        ) from None
    reader = BlockReader(source, blocks)
    need = sum((stop - start) * n * 8 for start, stop in blocks)
    if need > _worker_budget(fraction):  # re-read from the file at every evaluation
        return _Shard(blocks, hits, None, reader, n, hidden, num_labels, block_rows)
    data = [np.array(reader.read(i), copy=True) for i in range(len(blocks))]
    source.close()
    return _Shard(blocks, hits, data, None, n, hidden, num_labels, block_rows)


def _shard_sums(shard, nn_params, sizes):
    """Task: the partial sums of a shard's blocks, in block order."""
    return shard.sums(nn_params, sizes)


class DaskEngine:
    """Partial sums of every row block computed on Dask workers that hold the blocks.

    Parameters
    ----------
    client : distributed.Client
    source : ArraySource, DaskArraySource or H5Source
    rows, cols : ndarray of shape (n_hits,), intp
        Positions of ``Y``'s ones.
    sizes : (input, hidden, labels)
    block_rows : int
    memory_fraction : float, default :data:`MEMORY_FRACTION`
    timeout : float, default :data:`CONNECT_TIMEOUT`
        Seconds to wait for a first worker.
    """

    name = "dask"

    def __init__(
        self,
        client,
        source,
        rows,
        cols,
        sizes,
        block_rows,
        memory_fraction=MEMORY_FRACTION,
        timeout=CONNECT_TIMEOUT,
    ):
        distributed = require_distributed()
        self.client, self.sizes = client, tuple(sizes)
        self.m, self.n = source.shape
        self.blocks = row_blocks(self.m, block_rows)
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError) as exc:
            raise ClusterError(
                f"no dask worker joined within {timeout:g} s ({_reason(exc)})"
            ) from None
        workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
        self.workers = []
        self.shards = []
        tag = uuid.uuid4().hex[:8]
        _, hidden, K = self.sizes
        for i, (worker, ks) in enumerate(
            zip(workers, assign_blocks(len(self.blocks), len(workers)), strict=True)
        ):
            if not ks:
                continue
            blocks = [self.blocks[k] for k in ks]
            hits = [block_hits(rows, cols, a, b) for a, b in blocks]
            spec, arrays = None, []
            if isinstance(source, H5Source):
                spec = (source.path, source.name)
            elif isinstance(source, DaskArraySource):
                arrays = client.compute([source.X[a:b] for a, b in blocks], workers=[worker])
            else:
                arrays = [
                    client.scatter(source.X[a:b], workers=[worker], hash=False) for a, b in blocks
                ]
            shard = client.submit(
                _load_shard,
                spec,
                arrays,
                blocks,
                hits,
                self.n,
                hidden,
                K,
                block_rows,
                memory_fraction,
                key=f"nn3-shard-{tag}-{i}",
                workers=[worker],
                allow_other_workers=True,
                pure=False,
            )
            self.workers.append(worker)
            self.shards.append(shard)
        # Load now, so that errors (a worker that cannot see the file) surface here.
        distributed.wait(self.shards)
        for shard in self.shards:
            if shard.status == "error":
                self._gather([shard])

    def _gather(self, futures):
        distributed = require_distributed()
        try:
            return self.client.gather(futures)
        except (
            distributed.scheduler.KilledWorker,
            distributed.client.FutureCancelledError,
            distributed.comm.CommClosedError,
        ) as exc:
            raise ClusterError(
                f"dask workers were lost and their blocks could not be recomputed ({_reason(exc)})"
            ) from None

    def sums(self, nn_params):
        """Partial sums of all blocks, in block order (a list)."""
        params = np.asarray(nn_params, dtype=np.float64)
        futures = [
            self.client.submit(
                _shard_sums,
                shard,
                params,
                self.sizes,
                workers=[worker],
                allow_other_workers=True,
                pure=False,
            )
            for shard, worker in zip(self.shards, self.workers, strict=True)
        ]
        per_shard = self._gather(futures)
        return [s for shard_sums in per_shard for s in shard_sums]

    def close(self):
        for shard in self.shards:
            shard.release()
        self.shards = []
