"""Streaming engine: X read by row blocks from its source at every evaluation, bounded memory.

Memory: two block buffers (``n x block_rows`` float64, and a smaller one for the last block),
the evaluator's intermediates for one block, one block's partial sums, the parameters and the
labels; never X. The page cache holds what the OS chooses.
"""

import numpy as np

from ..errors import DataError
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

    Parameters
    ----------
    source : ArraySource, DaskArraySource or H5Source
        X (m x n).
    rows, cols : ndarray of shape (n_hits,), intp
        Positions of ``Y``'s ones (:func:`nn3.network.label_hits`).
    sizes : (input, hidden, labels)
    block_rows : int
    """

    name = "stream"

    def __init__(self, source, rows, cols, sizes, block_rows):
        self.source = source
        self.m, self.n = source.shape
        self.blocks = row_blocks(self.m, block_rows)
        self.hits = [block_hits(rows, cols, a, b) for a, b in self.blocks]
        self.reader = BlockReader(source, self.blocks)
        self.sizes = tuple(sizes)
        self.evaluator = BlockEvaluator(self.n, sizes[1], sizes[2], block_rows)

    def sums(self, nn_params):
        """Partial sums of the blocks, yielded in block order (one block in memory at a time)."""
        Theta1, Theta2 = params_to_thetas(nn_params, self.sizes)
        for k in range(len(self.blocks)):
            yield self.evaluator(self.reader.read(k), self.hits[k], Theta1, Theta2)

    def close(self):
        self.source.close()
