"""Synthetic training data of any size, written to a v7.3 file without holding it in memory.

The ``nn3 make-data`` command calls :func:`make_data`. X is m x n, uniform in [0, 1) (like
scaled pixels); y is m x 1, labels 1..K (0/1 for K = 1) given by a fixed random "teacher"
network, so they are learnable. Both depend on the seed only: X is one stream of
``numpy.random.Generator(PCG64(seed))`` doubles in row order, whatever the block size used to
write it; the teacher's weights come from the seed sequence ``[seed, 1]``.
"""

import os

import numpy as np

from ..mat.blocks import V73BlockWriter
from ..validation import validate

#: Hidden units of the teacher network that labels the rows.
TEACHER_HIDDEN = 16
#: Rows generated and written at a time (memory: about this many rows of X).
WRITE_ROWS = 8192


def teacher(features: int, labels: int, seed: int):
    """The weights of the network that labels the data: ``(W1, b1, W2, b2)``.

    ``W1`` is (TEACHER_HIDDEN, features), scaled so hidden pre-activations have a standard
    deviation of about 2 on centred uniform inputs; ``W2`` is (max(labels, 1), TEACHER_HIDDEN).
    """
    rng = np.random.default_rng([seed, 1])
    W1 = rng.standard_normal((TEACHER_HIDDEN, features)) * np.sqrt(48.0 / features)
    b1 = rng.standard_normal(TEACHER_HIDDEN) * 0.5
    W2 = rng.standard_normal((max(labels, 1), TEACHER_HIDDEN)) * 2.0
    b2 = rng.standard_normal(max(labels, 1)) * 0.5
    return W1, b1, W2, b2


def teacher_labels(X, weights, labels: int) -> np.ndarray:
    """Labels of rows of X: 1-based argmax of the teacher's outputs, or output > 0 for K = 1."""
    W1, b1, W2, b2 = weights
    out = np.tanh((X - 0.5) @ W1.T + b1) @ W2.T + b2
    if labels == 1:
        return (out[:, 0] > 0).astype(np.float64)
    return np.argmax(out, axis=1).astype(np.float64) + 1.0


def make_data(
    out,
    rows: int,
    features: int,
    labels: int,
    seed: int = 0,
    *,
    x_var: str = "X",
    y_var: str = "y",
    chunk_rows=None,
    compression=None,
) -> dict:
    """Write a v7.3 file of synthetic data (X m x n, y m x 1) block by block.

    Parameters
    ----------
    out : str or os.PathLike
        The output .mat file (written atomically).
    rows, features : int
        m and n (at least 1).
    labels : int
        K: labels 1..K (K >= 2), or 0/1 for K = 1.
    seed : int, default 0
        0 .. 2**32 - 1; the file's values depend on it alone.
    x_var, y_var : str
        Variable names.
    chunk_rows : int, optional
        Rows per HDF5 chunk (see :meth:`nn3.mat.blocks.V73BlockWriter.matrix`).
    compression : {None, "gzip"}, default None

    Returns
    -------
    dict
        ``rows``, ``features``, ``labels``, ``seed``, ``bytes`` (of X), ``counts`` (rows per
        label, 1..K or 0/1).

    Raises
    ------
    ParameterError
        ``rows``, ``features``, ``labels`` or ``seed`` of the wrong type or out of range.
    """
    rows = validate("rows", rows, row="m")  # examples: at least 1 (not a picture's rows)
    features = validate("features", features)
    labels = validate("labels", labels, row="num_labels")
    seed = validate("seed", seed)
    rng = np.random.Generator(np.random.PCG64(seed))
    weights = teacher(features, labels, seed)
    counts = np.zeros(max(labels, 2) if labels == 1 else labels, dtype=np.int64)
    with V73BlockWriter(os.fspath(out)) as writer:
        X = writer.matrix(x_var, rows, features, chunk_rows=chunk_rows, compression=compression)
        y = writer.matrix(y_var, rows, 1)
        for start in range(0, rows, WRITE_ROWS):
            block = rng.random((min(WRITE_ROWS, rows - start), features))
            y_block = teacher_labels(block, weights, labels)
            X.write_rows(start, block)
            y.write_rows(start, y_block)
            counts += np.bincount(y_block.astype(np.intp) - (labels > 1), minlength=counts.size)
    return {
        "rows": rows,
        "features": features,
        "labels": labels,
        "seed": int(seed),
        "bytes": 8 * rows * features,
        "counts": counts.tolist(),
    }
