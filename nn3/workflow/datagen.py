"""Synthetic training data of any size, written to a v7.3 file without holding it in memory.

The ``nn3 make-data`` command calls :func:`make_data`. X is m x n, uniform in [0, 1) (like
scaled pixels); y is m x 1, labels 1..K (0/1 for K = 1) given by a fixed random "teacher"
network, so they are learnable. Both depend on the seed only: X is one stream of
``numpy.random.Generator(PCG64(seed))`` doubles in row order, whatever the block size used to
write it; the teacher's weights come from the seed sequence ``[seed, 1]``.

Sizes are checked before anything is allocated or written (:func:`check_sizes`): the teacher's
weights and one block of rows must fit in memory (at most :data:`MAX_FEATURES` features and
:data:`MAX_LABELS` labels), and the file must fit on its disk. Each block written is a safe point
where a signal to the ``nn3`` command stops the work (:mod:`nn3.stopping`), nothing saved.
"""

import os

import numpy as np

from ..errors import MatFileError, ParameterConflictError
from ..mat import format_bytes
from ..mat.blocks import V73BlockWriter
from ..validation import MAX_ARRAY_ELEMENTS, validate

#: Hidden units of the teacher network that labels the rows.
TEACHER_HIDDEN = 16
#: Rows generated and written at a time, at most (memory: about this many rows of X).
WRITE_ROWS = 8192
#: Elements of a block of rows, at most (X's, or the teacher's outputs): 8 MiB of doubles.
BLOCK_ELEMENTS = 2**20
#: Most features (columns of X), and most labels K: the teacher's weights for either hold
#: TEACHER_HIDDEN times as many doubles, at most nn3's limit for one array (1 GB).
MAX_FEATURES = MAX_LABELS = MAX_ARRAY_ELEMENTS // TEACHER_HIDDEN
#: Bytes of the file besides X and y (HDF5's headers and chunk index, MATLAB's userblock).
FILE_OVERHEAD = 2**20


def block_rows(features: int, labels: int) -> int:
    """Rows per block: :data:`WRITE_ROWS`, fewer for wide rows (at least one)."""
    return max(1, min(WRITE_ROWS, BLOCK_ELEMENTS // max(features, labels, TEACHER_HIDDEN)))


def check_sizes(out, rows: int, features: int, labels: int) -> None:
    """Refuse sizes nn3 cannot make, before allocating or writing anything.

    Raises
    ------
    ParameterConflictError
        ``features`` or ``labels`` over :data:`MAX_FEATURES` / :data:`MAX_LABELS`, or the
        teacher and a block of rows not fitting in the memory available now.
    MatFileError
        The file (8 bytes per value of X and y, and a little more) would not fit in the free
        space of its folder.
    """
    from ..engines.labels import available_memory

    for name, value, limit in (
        ("features", features, MAX_FEATURES),
        ("labels", labels, MAX_LABELS),
    ):
        if value > limit:
            raise ParameterConflictError(
                name,
                value,
                f"{{name}} {value}: too many (at most {limit}: the network that labels the data "
                f"would hold {TEACHER_HIDDEN} x {value} weights)",
            )
    b = block_rows(features, labels)
    peak = 8 * (TEACHER_HIDDEN * (features + labels) + 3 * b * (features + labels + TEACHER_HIDDEN))
    available = available_memory()
    if peak > available:
        name, value = ("features", features) if features >= labels else ("labels", labels)
        raise ParameterConflictError(
            name,
            value,
            f"{{name}} {value}: writing the data needs {format_bytes(peak)} of memory and "
            f"{format_bytes(available)} is available",
        )
    need = 8 * rows * (features + 1) + FILE_OVERHEAD
    folder = os.path.dirname(os.path.abspath(os.fspath(out)))
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs (Windows), or no folder: the write says
        return
    free = st.f_bavail * st.f_frsize
    if need > free:
        raise MatFileError(
            f"{os.fspath(out)}: X ({rows}x{features}) and y need {format_bytes(need)} on disk "
            f"and {folder} has {format_bytes(free)} free"
        )


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
    ParameterConflictError, MatFileError
        Sizes that do not fit in memory or on the disk (:func:`check_sizes`), or a failed
        write (a full disk): nothing written, a previous file left as it was.
    nn3.stopping.Stopped
        A stop was asked for (a signal to the ``nn3`` command): nothing written.
    """
    rows = validate("rows", rows, row="m")  # examples: at least 1 (not a picture's rows)
    features = validate("features", features)
    labels = validate("labels", labels, row="num_labels")
    seed = validate("seed", seed)
    check_sizes(out, rows, features, labels)
    rng = np.random.Generator(np.random.PCG64(seed))
    weights = teacher(features, labels, seed)
    counts = np.zeros(max(labels, 2) if labels == 1 else labels, dtype=np.int64)
    step = block_rows(features, labels)
    with V73BlockWriter(os.fspath(out)) as writer:
        X = writer.matrix(x_var, rows, features, chunk_rows=chunk_rows, compression=compression)
        y = writer.matrix(y_var, rows, 1)
        for start in range(0, rows, step):  # each block a safe point (write_rows)
            block = rng.random((min(step, rows - start), features))
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
