"""The row-block partition: which rows of X each block holds, fixed by ``m`` and ``block_rows``.

Every engine (in memory, streaming, Dask) cuts X into the same blocks, and the client adds the
blocks' partial sums in block order, so results do not depend on how many workers there are.
"""

import numpy as np

#: Bytes of X per row block when ``block_rows`` is not given (about 32 MiB).
DEFAULT_BLOCK_BYTES = 32 * 2**20
#: Fewest rows per default block (so that the matrix products stay efficient).
MIN_DEFAULT_ROWS = 1024


def default_block_rows(m: int, n: int) -> int:
    """Rows per block when none are given: about :data:`DEFAULT_BLOCK_BYTES` of X per block.

    Parameters
    ----------
    m, n : int
        X is m x n (float64).

    Returns
    -------
    block_rows : int
        Between 1 and ``m``; depends on ``m`` and ``n`` only.
    """
    rows = max(MIN_DEFAULT_ROWS, DEFAULT_BLOCK_BYTES // (8 * max(1, n)))
    return max(1, min(int(m), rows))


def row_blocks(m: int, block_rows: int) -> list[tuple[int, int]]:
    """The row blocks ``[start, stop)`` of an m-row X: ``block_rows`` rows each, the last fewer.

    Parameters
    ----------
    m : int
        Rows of X (at least 1).
    block_rows : int
        Rows per block (at least 1).

    Returns
    -------
    blocks : list of (start, stop)
        In row order; ``blocks[k] = (k * block_rows, min(m, (k + 1) * block_rows))``.
    """
    if block_rows is None or int(block_rows) < 1:  # callers pass checked settings
        raise ValueError(f"block rows must be at least 1, got {block_rows}")
    block_rows = int(block_rows)
    return [(start, min(m, start + block_rows)) for start in range(0, m, block_rows)]


def block_hits(rows, cols, start, stop):
    """Flat positions of ``Y``'s ones inside one block, in the layout the evaluator expects.

    Parameters
    ----------
    rows, cols : ndarray of shape (n_hits,), intp
        As :func:`nn3.core.network.label_hits` returns them (``rows`` sorted).
    start, stop : int
        The block's rows.

    Returns
    -------
    hits : ndarray of shape (n_block_hits,), intp
        ``c * b + (r - start)`` for each one of ``Y`` at (r, c) in the block (``b = stop - start``),
        sorted: the position in a (K, b) array, as :data:`nn3.core.RowBlockEvaluator` keeps them.
    """
    lo, hi = np.searchsorted(rows, [start, stop])
    hits = cols[lo:hi] * (stop - start) + (rows[lo:hi] - start)
    return np.sort(hits).astype(np.intp)


def assign_blocks(n_blocks: int, n_workers: int) -> list[range]:
    """Contiguous ranges of block indices, one per worker, as even as possible.

    Parameters
    ----------
    n_blocks, n_workers : int

    Returns
    -------
    ranges : list of range
        ``n_workers`` ranges covering ``0..n_blocks-1`` in order (some empty when there are
        more workers than blocks).
    """
    bounds = [(w * n_blocks) // n_workers for w in range(n_workers + 1)]
    return [range(bounds[w], bounds[w + 1]) for w in range(n_workers)]
