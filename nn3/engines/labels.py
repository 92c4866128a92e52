"""Labels for out-of-core training: y read whole (labels are small), refused when they are not.

X can be larger than memory; y (m labels) cannot: the engines keep the positions of ``Y``'s ones,
about :data:`BYTES_PER_LABEL` bytes per example. A y that would not fit in memory is refused
before anything is read.
"""

import os

import numpy as np

from ..errors import DataError, MatFileError
from ..mat import check_regular, h5py_errors
from ..validation import check_labels

#: Memory the engines hold per label: the label (float64) and its row and column (intp).
BYTES_PER_LABEL = 24


def available_memory() -> int:
    """Bytes of physical memory available now (``MemAvailable``), or all of it when unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 62


def read_labels(
    path, y_var: str, m: int, max_bytes: int | None = None, num_labels: int | None = None
) -> np.ndarray:
    """The labels ``y`` of a v7.3 file, as a float64 vector of ``m`` values, checked.

    Parameters
    ----------
    path : str or os.PathLike
    y_var : str
        Variable name (``data.y`` for a struct field).
    m : int
        Rows of X: y must hold exactly ``m`` labels.
    max_bytes : int, optional
        The most memory the labels may take (:data:`BYTES_PER_LABEL` per label); by default half
        of :func:`available_memory`.
    num_labels : int, optional
        K when known: the labels must be 1..K (0/1 for one output unit).

    Returns
    -------
    y : ndarray of shape (m,), float64

    Raises
    ------
    DataError
        y is not a real numeric vector of m values, or would not fit in memory.
    """
    import h5py

    from .source import hdf5_path

    path = os.fspath(path)
    where = f"{path}: variable '{y_var}'"
    if max_bytes is None:
        max_bytes = available_memory() // 2
    check_regular(path)
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise MatFileError(f"{path}: cannot open as HDF5 ({exc})") from exc
    with f, h5py_errors(where):
        try:
            ds = f[hdf5_path(y_var)]
        except KeyError:
            raise MatFileError(f"{path}: no variable '{y_var}'") from None
        if not isinstance(ds, h5py.Dataset) or ds.dtype.kind not in "biuf" or ds.shape is None:
            raise DataError(f"{where} is not a real numeric vector of labels")
        size = int(np.prod(ds.shape, dtype=object))
        if len(ds.shape) > 2 or (len(ds.shape) == 2 and min(ds.shape) > 1):
            shape = "x".join(str(d) for d in ds.shape[::-1])
            raise DataError(f"{where} must be a vector of labels, got size {shape}")
        if size * BYTES_PER_LABEL > max_bytes:
            raise DataError(
                f"{where} holds {size} labels, which need {size * BYTES_PER_LABEL / 2**30:.1f} GiB "
                f"in memory, more than the {max_bytes / 2**30:.1f} GiB nn3 allows for them"
            )
        if size != m:
            raise DataError(f"{path}: X has {m} rows but '{y_var}' has {size} labels")
        try:
            y = np.asarray(ds[()], dtype=np.float64).reshape(-1)
        except (OSError, ValueError) as exc:
            raise MatFileError(f"{where}: cannot read ({exc})") from exc
    return check_labels(y, path, y_var, num_labels)


def check_label_values(y, path="<data>", y_var="y", num_labels=None) -> np.ndarray:
    """Finite whole-number labels, 0/1 or 1..K, as a float64 vector
    (:func:`nn3.validation.check_labels`, the one label check)."""
    return check_labels(y, path, y_var, num_labels)
