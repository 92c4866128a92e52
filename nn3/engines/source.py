"""Where X's row blocks come from: a v7.3 (HDF5) file, an ndarray, or a dask.array.

A source reads rows ``[start, stop)`` of MATLAB's m x n X into a caller's ``(n, b)`` buffer (the
transposed block, see :class:`nn3.engines.block.BlockEvaluator`). In a v7.3 file X is an HDF5
dataset of shape (n, m), so a row block of X is a column block on disk: :class:`H5Source` reads
it with one hyperslab read straight into the buffer, through a chunk cache that holds one column
of chunks, so that blocks read in row order read every chunk once, in the dataset's chunk order.

What is read and what is refused (one line naming the file and the variable):

- read: chunked datasets (any chunk shape), uncompressed or compressed with a filter this h5py
  can decode (gzip, shuffle, lzf, ...; decompressed at every pass: slower, never wrong), and
  contiguous (unchunked) datasets (MATLAB's layout for variables it does not chunk: a column
  block is ``n`` strided runs, read directly);
- refused: a filter this h5py cannot decode (named with its HDF5 filter id), virtual datasets and
  external storage (as the .mat reader does), links, classes other than real numeric or logical
  (char, cell, struct, sparse, complex), N-D arrays, empty X, and a file that is not v7.3.
"""

import os

import numpy as np

from ..errors import DataError, MatFileError
from ..mat import h5py_errors, unstored_claim

_NUMERIC_CLASSES = {
    "double",
    "single",
    "int8",
    "uint8",
    "int16",
    "uint16",
    "int32",
    "uint32",
    "int64",
    "uint64",
    "logical",
}
#: Largest chunk cache a stream opens (bytes): one column of chunks when it fits.
MAX_CHUNK_CACHE = 256 * 2**20


def hdf5_path(var: str) -> str:
    """An HDF5 path for a variable name, struct fields addressed as ``data.X``."""
    return "/" + "/".join(var.split("."))


class ArraySource:
    """Row blocks of an in-memory (m, n) array.

    Parameters
    ----------
    X : ndarray of shape (m, n)
    where : str
        What to call it in messages.
    """

    kind = "array"

    def __init__(self, X, where="X"):
        X = np.asarray(X)
        if X.ndim != 2:
            raise DataError(f"{where} must be a 2-D matrix, got shape {X.shape}")
        if X.dtype.kind not in "biuf":
            raise DataError(f"{where} has non-numeric type {X.dtype}")
        self.X, self.shape, self.where, self.name = X, X.shape, where, "X"

    def read(self, start, stop, out):
        """Rows ``[start, stop)`` of X, transposed, into ``out`` of shape (n, stop - start)."""
        np.copyto(out, self.X[start:stop].T, casting="unsafe")
        return out

    def close(self):
        pass


class DaskArraySource(ArraySource):
    """Row blocks of a dask.array (computed block by block, in this process)."""

    kind = "dask"

    def __init__(self, X, where="X"):
        if X.ndim != 2:
            raise DataError(f"{where} must be a 2-D matrix, got shape {X.shape}")
        if X.dtype.kind not in "biuf":
            raise DataError(f"{where} has non-numeric type {X.dtype}")
        self.X, self.shape, self.where, self.name = X, tuple(X.shape), where, "X"

    def read(self, start, stop, out):
        np.copyto(out, np.asarray(self.X[start:stop].compute()).T, casting="unsafe")
        return out


class H5Source:
    """Row blocks of X read from a v7.3 (HDF5) .mat file at each pass, never X whole.

    Parameters
    ----------
    path : str or os.PathLike
    var : str, default "X"
        The variable (``data.X`` for a struct field).

    Raises
    ------
    MatFileError
        The file cannot be opened as HDF5, or X is stored in a way nn3 does not read (see the
        module docstring).
    DataError
        X is not a 2-D real numeric matrix, or is empty.
    """

    kind = "hdf5"

    def __init__(self, path, var="X"):
        self.path, self.name = os.fspath(path), var
        self.where = self.path
        chunk_bytes = _check_dataset(self.path, var)
        self.shape = chunk_bytes.pop("shape")
        import h5py

        try:
            self._file = h5py.File(
                self.path, "r", rdcc_nbytes=chunk_bytes["cache"], rdcc_nslots=chunk_bytes["slots"]
            )
        except OSError as exc:
            raise MatFileError(f"{self.path}: cannot open as HDF5 ({exc})") from exc
        with h5py_errors(f"{self.path}: variable '{var}'"):
            self._ds = self._file[hdf5_path(var)]

    def read(self, start, stop, out):
        """Rows ``[start, stop)`` of X, transposed, into ``out`` (C-contiguous (n, stop-start))."""
        try:
            self._ds.read_direct(out, np.s_[:, start:stop])
        except (OSError, ValueError, TypeError, RuntimeError, KeyError) as exc:
            raise MatFileError(
                f"{self.path}: variable '{self.name}': cannot read rows {start + 1}..{stop} ({exc})"
            ) from exc
        return out

    def close(self):
        try:
            self._file.close()
        except Exception:  # closing twice, or after h5py's own shutdown
            pass


def _check_dataset(path, var):
    """Refuse what :class:`H5Source` does not read; return X's size and the chunk cache to use."""
    import h5py

    from ..mat import mat_format

    if mat_format(path) != "7.3":
        raise MatFileError(
            f"{path}: streaming reads v7.3 (HDF5) .mat files; this is a v{mat_format(path)} file "
            "(train in memory, or save it with -v7.3)"
        )
    where = f"{path}: variable '{var}'"
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise MatFileError(f"{path}: cannot open as HDF5 ({exc})") from exc
    with f, h5py_errors(where):
        group, parts = f, var.split(".")
        for i, part in enumerate(parts):
            link = group.get(part, getlink=True) if isinstance(group, h5py.Group) else None
            if link is None:
                raise MatFileError(f"{path}: no variable '{'.'.join(parts[: i + 1])}'")
            if not isinstance(link, h5py.HardLink):
                raise MatFileError(f"{where} is a link; nn3 does not follow links")
            group = group[part]
        ds = group
        if not isinstance(ds, h5py.Dataset):
            raise DataError(f"{where} is a struct or sparse matrix, not a numeric matrix")
        cls = ds.attrs.get("MATLAB_class")
        cls = cls.decode("ascii", "replace") if isinstance(cls, bytes) else cls
        if cls not in _NUMERIC_CLASSES or ds.dtype.kind not in "biuf":
            raise DataError(f"{where} is {cls or ds.dtype}, not a real numeric matrix")
        if ds.attrs.get("MATLAB_empty") or ds.shape is None or 0 in ds.shape:
            raise DataError(f"{where} is empty: no examples to train on")
        if len(ds.shape) != 2:
            raise DataError(f"{where} must be a 2-D matrix, got {len(ds.shape)} dimensions")
        if ds.is_virtual:
            raise MatFileError(f"{where} is a virtual dataset; nn3 does not read those")
        if ds.external:
            raise MatFileError(f"{where} keeps its data in an external file; nn3 does not read it")
        plist = ds.id.get_create_plist()
        for i in range(plist.get_nfilters()):
            code, _flags, _values, name = plist.get_filter(i)
            if not h5py.h5z.filter_avail(code):
                label = name.decode("ascii", "replace") if isinstance(name, bytes) else name
                raise MatFileError(
                    f"{where} is compressed with HDF5 filter {code} ({label or 'unknown'}), which "
                    "this h5py cannot decode; re-save it uncompressed or with gzip"
                )
        n, m = (int(d) for d in ds.shape)
        why = unstored_claim(ds, where)
        if why:
            raise MatFileError(why)
        cache, slots = 2**20, 521
        if ds.chunks is not None:
            cn, cm = ds.chunks
            column = -(-n // cn) * cn * cm * ds.dtype.itemsize  # one column of chunks
            cache = int(min(MAX_CHUNK_CACHE, max(2**20, 2 * column)))
            slots = _prime_above(max(521, 100 * -(-n // cn)))
    return {"shape": (m, n), "cache": cache, "slots": slots}


def _prime_above(k):
    k |= 1
    while any(k % d == 0 for d in range(3, int(k**0.5) + 1, 2)):
        k += 2
    return k


def open_source(X, x_var="X"):
    """A row-block source for X.

    Parameters
    ----------
    X : ndarray, h5py.Dataset, dask.array.Array, (path, variable) tuple, str or os.PathLike
        A path alone means variable ``x_var`` of that v7.3 file.
    x_var : str, default "X"

    Returns
    -------
    ArraySource, DaskArraySource or H5Source
    """
    if isinstance(X, H5Source) and not X._file.id.valid:  # closed by an earlier engine
        return H5Source(X.path, X.name)
    if isinstance(X, (ArraySource, H5Source)):
        return X
    if isinstance(X, tuple) and len(X) == 2:
        return H5Source(X[0], X[1])
    if isinstance(X, (str, os.PathLike)):
        return H5Source(X, x_var)
    module = type(X).__module__
    if module.startswith("h5py"):
        return H5Source(X.file.filename, X.name.lstrip("/").replace("/", "."))
    if module.startswith("dask"):
        return DaskArraySource(X)
    return ArraySource(X)
