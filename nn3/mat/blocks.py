"""Streaming writes of v7.3 .mat files: big matrices written row block by row block.

MATLAB's ``m = matfile(f, 'Writable', true); m.X(rows, :) = block;`` pattern: a matrix is created
at its final size, then filled a block of rows at a time, so a file larger than memory can be
written. The file follows :mod:`nn3.mat.writer`'s v7.3 layout (its helpers write the
``MATLAB_class`` attributes, the small variables and the 512-byte MATLAB userblock):
an m x n matrix is an HDF5 dataset of shape (n, m), chunked by whole rows of the matrix (a chunk
is ``n x chunk_rows`` on disk, about :data:`CHUNK_BYTES`), so a row block is a run of whole
chunks, uncompressed unless asked. The file is written atomically (:mod:`nn3.mat.atomic`): it
appears under its name only when closed after every row of every matrix was written. HDF5 writes
through :class:`nn3.mat._hdf5.GuardedWriteFile`: a full disk (or a file size limit) ends the
write with one line at the next block, never with HDF5's crash. Each block is a safe point to stop
at (:func:`nn3.stopping.checkpoint`): a signal to the ``nn3`` command stops there, nothing written.

Example
-------
>>> with V73BlockWriter("big.mat") as out:                       # doctest: +SKIP
...     X = out.matrix("X", m, n)
...     for start in range(0, m, 10000):
...         X.write_rows(start, block_of_rows)
...     out.write("y", y)
"""

import os

import numpy as np

from ..errors import MatFileError
from ..stopping import checkpoint
from ._hdf5 import GuardedWriteFile
from .atomic import atomic_output

#: Bytes per chunk of a streamed matrix (whole rows, at least one).
CHUNK_BYTES = 2**20


class RowBlockMatrix:
    """An m x n matrix of a v7.3 file being written, filled by :meth:`write_rows`.

    Created by :meth:`V73BlockWriter.matrix`.
    """

    def __init__(self, dataset, rows, cols, where, sink=None):
        self._ds, self.rows, self.cols, self.where = dataset, rows, cols, where
        self._sink = sink  # the GuardedWriteFile: a failed write is raised after the block
        self._done = []  # (start, stop) written

    def write_rows(self, start: int, block) -> None:
        """Write ``block`` as rows ``start .. start + len(block) - 1`` (0-based) of the matrix.

        Parameters
        ----------
        start : int
        block : array_like of shape (b, n), or (b,) for a one-column matrix
        """
        block = np.asarray(block)
        if block.ndim == 1 and self.cols == 1:
            block = block.reshape(-1, 1)
        stop = start + block.shape[0]
        if block.ndim != 2 or block.shape[1] != self.cols or start < 0 or stop > self.rows:
            raise MatFileError(
                f"{self.where}: a block of shape {block.shape} does not fit rows {start + 1}.."
                f"{stop} of a {self.rows}x{self.cols} matrix"
            )
        checkpoint()  # a stop asked for (a signal): nothing more is written
        self._ds[:, start:stop] = np.ascontiguousarray(block.T, dtype=self._ds.dtype)
        if self._sink is not None:
            self._sink.check()
        self._done.append((start, stop))

    def missing(self):
        """The first row range never written, as (start, stop), or None when complete."""
        at = 0
        for start, stop in sorted(self._done):
            if start > at:
                return at, start
            at = max(at, stop)
        return (at, self.rows) if at < self.rows else None


class V73BlockWriter:
    """A v7.3 .mat file written variable by variable, big matrices by row blocks, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The output; it appears only when the ``with`` block ends without an error and every
        matrix was written whole.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self._matrices = {}

    def __enter__(self):
        import h5py

        from .writer import V73Writer

        self._atomic = atomic_output(self.path, suffix=".mat.tmp")
        self._tmp = self._atomic.__enter__()
        self._sink = None
        try:
            self._sink = GuardedWriteFile(self._tmp, self.path)
            self.file = h5py.File(self._sink, "w", userblock_size=512, libver="earliest")
        except BaseException as exc:
            if self._sink is not None:
                self._sink.close()
            self._atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._writer = V73Writer(self.file)
        return self

    def matrix(
        self, name: str, rows: int, cols: int, dtype="float64", chunk_rows=None, compression=None
    ) -> RowBlockMatrix:
        """Create an empty ``rows x cols`` matrix of the class of ``dtype``, to fill by rows.

        Parameters
        ----------
        name : str
            A MATLAB variable name.
        rows, cols : int
            MATLAB's size (both at least 1).
        dtype : numpy dtype, default float64
            float64 (``double``), float32 (``single``), integers, or bool (``logical``).
        chunk_rows : int, optional
            Rows per chunk; default: about :data:`CHUNK_BYTES` per chunk.
        compression : {None, "gzip"}, default None

        Returns
        -------
        RowBlockMatrix
        """
        from ._base import check_name, dtype_class
        from .writer import set_matlab_class

        check_name(self.path, name)
        if name in self._matrices or name in self.file:
            raise MatFileError(f"{self.path}: variable '{name}' written twice")
        rows, cols = int(rows), int(cols)
        if rows < 1 or cols < 1:
            raise MatFileError(
                f"{self.path}: variable '{name}': a streamed matrix needs rows and "
                f"columns, got {rows}x{cols} (write empty arrays with write())"
            )
        dtype = np.dtype(dtype)
        logical = dtype.kind == "b"
        cls = "logical" if logical else dtype_class(dtype)
        if dtype.kind not in "biuf":
            raise MatFileError(f"{self.path}: variable '{name}': cannot stream {dtype} data")
        stored = np.dtype(np.uint8) if logical else dtype
        if chunk_rows is None:
            chunk_rows = max(1, CHUNK_BYTES // (cols * stored.itemsize))
        chunk_rows = max(1, min(int(chunk_rows), rows))
        ds = self.file.create_dataset(
            name,
            shape=(cols, rows),
            dtype=stored,
            chunks=(cols, chunk_rows),
            compression=compression,
            fillvalue=0,
        )
        set_matlab_class(ds, cls)
        if logical:
            ds.attrs.create("MATLAB_int_decode", np.int32(1))
        matrix = RowBlockMatrix(ds, rows, cols, f"{self.path}: variable '{name}'", self._sink)
        self._matrices[name] = matrix
        return matrix

    def write(self, name: str, value) -> None:
        """Write a whole (small) variable, as :func:`nn3.save_mat` with ``format="7.3"``."""
        from ._base import check_name
        from .writer import prepare

        check_name(self.path, name)
        if name in self._matrices or name in self.file:
            raise MatFileError(f"{self.path}: variable '{name}' written twice")
        self._writer.write(self.file, name, prepare(self.path, name, value))
        self._sink.check()

    def _finish(self):
        from .writer import v73_header

        for name, matrix in self._matrices.items():
            gap = matrix.missing()
            if gap is not None:
                raise MatFileError(
                    f"{self.path}: variable '{name}': rows {gap[0] + 1}..{gap[1]} were never "
                    "written; nothing saved"
                )
        self.file.close()
        self._sink.close()
        self._sink.check()
        with open(self._tmp, "r+b") as fh:
            fh.write(v73_header().ljust(512, b"\x00")[:512])

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self._finish()
            except BaseException as error:
                self._close_quietly()
                self._atomic.__exit__(type(error), error, error.__traceback__)
                raise
            return self._atomic.__exit__(None, None, None)
        self._close_quietly()
        return self._atomic.__exit__(exc_type, exc, tb)

    def _close_quietly(self):
        try:
            self.file.close()
        except Exception:  # already closed, or h5py failing on a broken file
            pass
        self._sink.close()
