"""Partial sums of one row block, and adding them up: the work every engine shares.

A block's partial sums are the unregularised, undivided pieces of the cost and gradient:
``log_sum`` (the sum of ``Y.*log(h) + (1-Y).*log(1-h)`` over the block, i.e. ``-J * m_b`` without
regularisation), ``g0`` (``sum(delta2)``, the bias column of ``Theta1_grad * m_b``), ``g1``
(``Xb' * delta2``) and ``g2`` (``a2' * delta3``, bias row included). They are computed by
:data:`nn3.core.RowBlockEvaluator`, the in-memory hot path, on one block at a time. The client
adds them in block order, then divides by ``m`` and regularises once (:func:`combine`), exactly as
the in-memory evaluator does across its own blocks.
"""

from typing import Any, NamedTuple

import numpy as np

from ..core import RowBlockEvaluator, regularisation
from ..core.network import roll


class BlockSums(NamedTuple):
    """Partial sums of one row block (see the module docstring).

    Attributes
    ----------
    log_sum : float
    g0 : ndarray of shape (hidden,)
    g1 : ndarray of shape (n, hidden)
    g2 : ndarray of shape (hidden + 1, K)
    """

    log_sum: float
    g0: np.ndarray
    g1: np.ndarray
    g2: np.ndarray


class BlockEvaluator:
    """Partial sums of row blocks, one block at a time, with buffers allocated once.

    Parameters
    ----------
    n, hidden, num_labels : int
        Features, hidden units, output units.
    block_rows : int
        The most rows a block will have.

    Notes
    -----
    Blocks are given transposed, as ``(n, b)`` C-contiguous arrays (a column block of the HDF5
    dataset that holds MATLAB's m x n X): every engine hands the hot path the same layout, so the
    partial sums have the same bits whichever engine computes them. Not reentrant.
    """

    def __init__(self, n: int, hidden: int, num_labels: int, block_rows: int):
        self.n, self.hidden, self.num_labels = n, hidden, num_labels
        self.block_rows = int(block_rows)
        no_hits = np.zeros(0, dtype=np.intp)
        # The evaluator sizes its buffers from X's shape only: a stand-in of block_rows rows.
        self._evaluator = RowBlockEvaluator(
            _RowsOnly(self.block_rows, n), no_hits, no_hits, hidden, num_labels, self.block_rows
        )
        self._grad1 = np.empty((hidden, n + 1))
        self._grad2 = np.empty((num_labels, hidden + 1))

    def __call__(self, Xt_block, hits, Theta1, Theta2) -> BlockSums:
        """Partial sums of one block.

        Parameters
        ----------
        Xt_block : ndarray of shape (n, b), float64, C-contiguous
            The block's rows of X, transposed (``b <= block_rows``).
        hits : ndarray of shape (n_hits,), intp
            From :func:`nn3.engines.partition.block_hits`.
        Theta1 : ndarray of shape (hidden, n + 1)
        Theta2 : ndarray of shape (K, hidden + 1)

        Returns
        -------
        BlockSums
            New arrays (the evaluator's accumulators are copied).
        """
        ev = self._evaluator
        b = Xt_block.shape[1]
        if b > self.block_rows or Xt_block.shape[0] != self.n:
            raise ValueError(
                f"block of shape {Xt_block.shape} for an evaluator of {self.n} x {self.block_rows}"
            )
        ev.X = Xt_block.T
        ev.blocks = [(0, b, hits)]
        ev(Theta1, Theta2, 0.0, self._grad1, self._grad2)
        return BlockSums(ev.log_sum, ev._acc0.copy(), ev._acc1.copy(), ev._acc2.copy())


class _RowsOnly:
    """Stands in for X when sizing the evaluator's buffers: shape and flags, no data."""

    class _Flags:
        c_contiguous = True
        f_contiguous = False

    flags = _Flags()

    def __init__(self, rows, n):
        self.shape = (rows, n)


def params_to_thetas(nn_params, sizes):
    """``Theta1``, ``Theta2`` from unrolled parameters (``sizes`` = input, hidden, labels)."""
    return roll(nn_params, *sizes)


def combine(sums, Theta1, Theta2, lambda_: float, m: int):
    """Add partial sums in the order given, divide by ``m`` and regularise once.

    Parameters
    ----------
    sums : iterable of BlockSums
        In block order.
    Theta1 : ndarray of shape (hidden, n + 1)
    Theta2 : ndarray of shape (K, hidden + 1)
    lambda_ : float
    m : int
        Rows of X.

    Returns
    -------
    J : float
    grad : ndarray of shape (n_params,)
        Unrolled like ``[Theta1(:); Theta2(:)]``.
    """
    log_sum = 0.0
    acc0: Any = None
    acc1: Any = None
    acc2: Any = None
    for s in sums:
        log_sum += s.log_sum
        if acc0 is None:
            acc0, acc1, acc2 = s.g0.copy(), s.g1.copy(), s.g2.copy()
        else:
            acc0 += s.g0
            acc1 += s.g1
            acc2 += s.g2
    J = -log_sum / m + regularisation(Theta1, Theta2, lambda_, m)
    hidden, n1 = Theta1.shape
    grad = np.empty(Theta1.size + Theta2.size)
    grad1, grad2 = roll(grad, n1 - 1, hidden, Theta2.shape[0])
    np.divide(acc0, m, out=grad1[:, 0])
    np.divide(acc1.T, m, out=grad1[:, 1:])
    np.divide(acc2.T, m, out=grad2)
    if lambda_ != 0:
        grad1[:, 1:] += (lambda_ / m) * Theta1[:, 1:]
        grad2[:, 1:] += (lambda_ / m) * Theta2[:, 1:]
    return J, grad
