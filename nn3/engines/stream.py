"""Streaming engine: X read by row blocks from its source at every evaluation, bounded memory.

Memory: per evaluating thread, two block buffers (``n x block_rows`` float64, and a smaller one
for the last block) and the evaluator's intermediates for one block; a few blocks' partial sums,
the parameters and the labels; never X. The page cache holds what the OS chooses.

Each block is a safe point where a stop asked for (a signal to the ``nn3`` command) ends the
evaluation (:func:`nn3.stopping.checkpoint`).
"""

import collections
import contextlib
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..errors import DataError
from ..stopping import checkpoint
from .block import BlockEvaluator, params_to_thetas
from .partition import block_hits, row_blocks


class BlockReader:
    """Reads a source's row blocks into reused, aligned ``(n, b)`` buffers, checking them once.

    Parameters
    ----------
    source : ArraySource, DaskArraySource or H5Source
    blocks : list of (start, stop)
    check_finite : bool, default True
        Refuse NaN or Inf in X (checked the first time each block is read).
    """

    def __init__(self, source, blocks, check_finite=True):
        self.source, self.blocks = source, list(blocks)
        n = source.shape[1]
        sizes = sorted({stop - start for start, stop in self.blocks})
        self._buffers = {b: np.empty((n, b)) for b in sizes}  # at most two sizes
        self._unchecked = set(range(len(self.blocks))) if check_finite else set()

    def read(self, k):
        """Block ``k``'s rows of X, transposed: a (n, b) buffer, valid until the next read."""
        start, stop = self.blocks[k]
        buf = self.source.read(start, stop, self._buffers[stop - start])
        if k in self._unchecked:
            check_finite(buf, self.source, start, stop)
            self._unchecked.discard(k)
        return buf


def check_finite(block, source, start, stop):
    """Refuse NaN or Inf in a block of X, naming the file, the variable and the rows."""
    if not np.isfinite(block).all():
        bad = int(block.size - np.count_nonzero(np.isfinite(block)))
        raise DataError(
            f"{source.where}: variable '{source.name}' holds {bad} NaN or Inf values in rows "
            f"{start + 1}..{stop}"
        )


class StreamEngine:
    """Partial sums of every row block, reading X from its source at each evaluation.

    Blocks are evaluated by ``threads`` Python threads, each with its own buffers and evaluator
    and single-threaded BLAS (through threadpoolctl, when installed): a block's partial sums
    then have the same bits as on a single-threaded Dask worker (multi-threaded BLAS may split
    the long sums over a block's rows differently), and the cores are still all used.

    Parameters
    ----------
    source : ArraySource, DaskArraySource or H5Source
        X (m x n).
    rows, cols : ndarray of shape (n_hits,), intp
        Positions of ``Y``'s ones (:func:`nn3.core.network.label_hits`).
    sizes : (input, hidden, labels)
    block_rows : int
    threads : int, optional
        Blocks evaluated at once (default: the CPUs this process may use, at most 4). Memory
        is ``threads`` sets of block buffers.
    """

    name = "stream"

    def __init__(self, source, rows, cols, sizes, block_rows, threads=None):
        self.source = source
        self.m, self.n = source.shape
        self.blocks = row_blocks(self.m, block_rows)
        self.hits = [block_hits(rows, cols, a, b) for a, b in self.blocks]
        self.sizes, self.block_rows = tuple(sizes), block_rows
        if threads is None:
            threads = min(
                4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
            )
        self.threads = max(1, min(int(threads), len(self.blocks)))
        self._local = threading.local()
        self._pool = None

    def _evaluate(self, k, Theta1, Theta2):
        local = self._local
        if not hasattr(local, "reader"):
            local.reader = BlockReader(self.source, self.blocks)
            local.evaluator = BlockEvaluator(self.n, self.sizes[1], self.sizes[2], self.block_rows)
        return local.evaluator(local.reader.read(k), self.hits[k], Theta1, Theta2)

    def sums(self, nn_params):
        """Partial sums of the blocks, yielded in block order (a few blocks in memory at once)."""
        Theta1, Theta2 = params_to_thetas(nn_params, self.sizes)
        with _single_threaded_blas():
            if self.threads == 1:
                for k in range(len(self.blocks)):
                    checkpoint()  # each block a safe point to stop at (nn3.stopping)
                    yield self._evaluate(k, Theta1, Theta2)
                return
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="nn3-stream")
            pending = collections.deque()
            for k in range(len(self.blocks)):
                checkpoint()
                pending.append(self._pool.submit(self._evaluate, k, Theta1, Theta2))
                if len(pending) > 2 * self.threads:
                    yield pending.popleft().result()
            while pending:
                checkpoint()
                yield pending.popleft().result()

    def close(self):
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self.source.close()


@contextlib.contextmanager
def _single_threaded_blas():
    """BLAS limited to one thread meanwhile (no-op without threadpoolctl)."""
    controller = _blas_controller()
    if controller is None:
        yield
        return
    with controller.limit(limits=1, user_api="blas"):
        yield


@functools.cache
def _blas_controller():
    """threadpoolctl's controller, found once (finding the BLAS libraries takes milliseconds)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()
