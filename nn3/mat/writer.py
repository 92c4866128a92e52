"""Writing .mat files: v5 (compressed, through scipy) and v7.3 (HDF5, as MATLAB writes it).

:func:`save_mat` checks every name and value, gives values MATLAB's shapes (:func:`prepare`),
and writes them atomically (:func:`nn3.mat.atomic.atomic_output`): ``format="5"`` through scipy's
v5 writer, ``format="7.3"`` through :func:`write_v73`, which follows MATLAB's layout (see
:mod:`nn3.mat.v73`). :class:`V73Writer`, :func:`set_matlab_class` and :func:`v73_header` are
shared with the streaming writer (:mod:`nn3.mat.blocks`).
"""

import contextlib
import datetime
import os
import sys
from typing import Any

import numpy as np

from .._version import __version__
from ..errors import MatFileError
from ._base import (
    MAX_DEPTH,
    MatlabChar,
    MatlabObject,
    check_name,
    dtype_class,
    format_size,
    matlab_shape,
    str_codes,
)
from ._hdf5 import GuardedWriteFile, to_compound
from .atomic import atomic_output

FORMATS = ("5", "7.3")


def prepare(path: str, name: str, value: Any, depth: int = 0) -> Any:
    """Check a value can be saved and give it MATLAB's shape (1-D arrays become columns)."""
    if depth > MAX_DEPTH:
        raise MatFileError(f"{path}: cannot save '{name}': nested too deeply")
    if isinstance(value, MatlabObject):
        raise MatFileError(f"{path}: cannot save '{name}': MATLAB objects are not supported")
    if isinstance(value, MatlabChar):
        return _prepare_char(path, name, value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            check_name(path, key, f"field of '{name}'")
            out[key] = prepare(path, f"{name}.{key}", item, depth + 1)
        return out
    if hasattr(value, "tocsc"):
        if value.ndim != 2 or value.dtype.kind not in "biufc":
            raise MatFileError(f"{path}: cannot save '{name}': unsupported sparse matrix")
        return value.tocsc(copy=True)
    if isinstance(value, (bool, int, float, complex, np.generic)):
        value = np.asarray(value)
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value)
        except ValueError:
            value = None
        if value is None or value.dtype.kind not in "biufc":
            raise MatFileError(f"{path}: cannot save '{name}': give a numeric array")
    if not isinstance(value, np.ndarray):
        raise MatFileError(
            f"{path}: cannot save '{name}': a {type(value).__name__} has no MATLAB equivalent"
        )
    if value.dtype.kind == "U":
        if value.ndim == 0:
            return str(value)
        if value.dtype.itemsize != 4:
            raise MatFileError(
                f"{path}: cannot save '{name}': give text as a str, or a char array as single "
                "characters (dtype '<U1')"
            )
        value = np.ascontiguousarray(value, dtype="=U1")  # scipy's writer needs C order
        codes = value.view(np.uint32)
        if np.any((codes > 0xFFFF) | ((codes >= 0xD800) & (codes < 0xE000))):
            raise MatFileError(
                f"{path}: cannot save '{name}': a char array holds one UTF-16 code unit per "
                "element, and a character above U+FFFF (or a lone surrogate) needs two; give "
                "such text as a str"
            )
        return value.reshape(matlab_shape(value.shape))
    if value.dtype == object:
        cells = np.empty(matlab_shape(value.shape), dtype=object)
        flat = value.reshape(cells.shape)
        for idx in np.ndindex(cells.shape):
            cells[idx] = prepare(path, f"{name}{{...}}", flat[idx], depth + 1)
        return cells
    if value.dtype.kind not in "biufc":
        raise MatFileError(f"{path}: cannot save '{name}': unsupported type {value.dtype}")
    if value.dtype.kind == "f" and value.dtype.itemsize not in (4, 8):
        value = value.astype(np.float64)
    if value.dtype.kind == "c" and value.dtype.itemsize not in (8, 16):
        value = value.astype(np.complex128)
    return value.reshape(matlab_shape(value.shape))


def _prepare_char(path, name, value):
    """A loaded char array (:class:`MatlabChar`) in its MATLAB size: a str when it is a row."""
    codes = value.codes
    if codes.shape == str_codes(str(value)).shape and np.array_equal(codes, str_codes(str(value))):
        return str(value)  # a row (or ''): written as the str it is
    if np.any((codes < 0) | (codes > 0xFFFF) | ((codes >= 0xD800) & (codes < 0xE000))):
        raise MatFileError(
            f"{path}: cannot save '{name}': a {format_size(codes.shape)} char matrix holding "
            "characters above U+FFFF cannot keep its size; give its rows separately"
        )
    # C order: scipy's v5 writer reads the buffer in that order.
    return np.ascontiguousarray(codes, dtype=np.uint32).view("U1").reshape(codes.shape)


def _check_v5_chars(path, name, value):
    """Refuse char arrays scipy's v5 writer would change: empty but not 0x0, or ending in NUL.

    scipy writes every empty char array as 0x0 and drops NUL characters at the end (in
    column-major order); the v7.3 writer keeps both.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            _check_v5_chars(path, f"{name}.{key}", item)
        return
    if isinstance(value, np.ndarray) and value.dtype == object:
        for item in value.flat:
            _check_v5_chars(path, f"{name}{{...}}", item)
        return
    if isinstance(value, str):
        codes = str_codes(value)
    elif isinstance(value, np.ndarray) and value.dtype.kind == "U":
        codes = np.ascontiguousarray(value, dtype="=U1").view(np.uint32)
    else:
        return
    if codes.size == 0 and codes.shape != (0, 0):
        problem = f"an empty {format_size(codes.shape)} char array would be written as 0x0"
    elif codes.size and np.ravel(codes, order="F")[-1] == 0:
        problem = "a char array ending in char(0) would lose its trailing NUL characters"
    else:
        return
    raise MatFileError(
        f"{path}: cannot save '{name}' in format 5: {problem} (scipy's v5 writer); use format 7.3"
    )


def save_mat(path: str | os.PathLike, variables: dict[str, Any], format: str | float = "5") -> None:
    """Write variables to a .mat file atomically.

    The file is written to a temporary name in the same folder, flushed to disk, and renamed
    over ``path`` only when complete, so a failed or killed run never leaves a half-written
    file and never destroys the previous one.

    Parameters
    ----------
    path : str or os.PathLike
    variables : dict
        Name to ndarray (numeric, bool), number, str, ndarray of single characters (dtype
        ``'<U1'``, a char array of that size), dict (struct), object ndarray (cell) or
        scipy.sparse matrix. 1-D arrays are written as MATLAB columns (m x 1).
    format : {"5", "7.3"}, default "5"
        ``"5"``: MATLAB's v5/v7 format, compressed (``save -v7``), read by every MATLAB, GNU
        Octave and scipy. ``"7.3"``: MATLAB's HDF5-based format (``save -v7.3``), as MATLAB
        writes it (512-byte header, ``MATLAB_class`` attributes, column-major dimensions).

    Raises
    ------
    MatFileError
        Unknown format, a name or value MATLAB cannot hold, a missing output folder, or a
        failed write (the previous file, if any, is left as it was).
    """
    path = os.fspath(path)
    format = str(format).lower().removeprefix("v").removeprefix("-v")
    if format == "7":
        format = "5"
    if format not in FORMATS:
        raise MatFileError(f"{path}: unknown .mat format {format!r} (use 5 or 7.3)")
    if not isinstance(variables, dict):
        raise MatFileError(f"{path}: variables must be a dict of name to value")
    prepared = {}
    for name, value in variables.items():
        check_name(path, name)
        prepared[name] = prepare(path, name, value)
        if format == "5":
            _check_v5_chars(path, name, prepared[name])
    with atomic_output(path, suffix=".mat.tmp") as tmp, _unraisable_as_errors(path):
        try:
            if format == "7.3":
                write_v73(tmp, prepared, header=v73_header(), where=path)
            else:
                import scipy.io

                with open(tmp, "wb") as fh:
                    scipy.io.savemat(fh, prepared, oned_as="column", do_compression=True)
        except (OSError, MatFileError):
            raise
        except Exception as exc:  # h5py and scipy report a failed write in several ways
            raise MatFileError(f"{path}: cannot write ({_short(exc)})") from exc


@contextlib.contextmanager
def _unraisable_as_errors(path):
    """Errors h5py can only report as "Exception ignored" (while closing) fail the write.

    h5py releases HDF5 objects in ``__dealloc__``, where an exception (a failed write on a full
    disk, a ``KeyboardInterrupt`` from a signal handler) cannot propagate: Python prints it as
    "Exception ignored in ..." and carries on. While a file is written, such an exception is
    kept instead (nothing printed) and raised when the write ends, so the temporary file is
    removed and the previous file is left as it was.
    """
    caught = []
    previous = sys.unraisablehook
    sys.unraisablehook = caught.append
    try:
        yield
    finally:
        sys.unraisablehook = previous
    if caught:
        exc = caught[0].exc_value
        if exc is not None and not isinstance(exc, Exception):  # KeyboardInterrupt, signals
            raise exc
        raise MatFileError(f"{path}: cannot write ({_short(exc)})")


def _short(exc):
    """An error from HDF5 in one line: its errno text when there is one."""
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno)
    return " ".join(str(exc).split())


#: Above this many bytes of values, a v7.3 file is written by HDF5 straight to disk; below it,
#: built in memory and written with ordinary writes (a full disk is then a clean error).
V73_IN_MEMORY_BYTES = 256 * 2**20


def _nbytes(value):
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    if isinstance(value, np.ndarray) and value.dtype == object:
        return sum(_nbytes(v) for v in value.flat)
    if hasattr(value, "tocsc"):
        return value.data.nbytes + value.indices.nbytes + value.indptr.nbytes
    return getattr(value, "nbytes", 64)


def v73_header() -> bytes:
    """The 128 bytes MATLAB puts at the start of a v7.3 file's 512-byte userblock."""
    now = datetime.datetime.now().strftime("%a %b %d %H:%M:%S %Y")
    text = f"MATLAB 7.3 MAT-file, Platform: nn3 {__version__}, Created on: {now} HDF5 schema 1.00 ."
    return text.encode("ascii").ljust(116, b" ")[:116] + b"\x00" * 8 + b"\x00\x02IM"


def write_v73(
    path: str, variables: dict[str, Any], header: bytes, where: str | None = None
) -> None:
    """Write variables to ``path`` as a MATLAB v7.3 file (not atomic: see ``nn3.save_mat``).

    Parameters
    ----------
    path : str
        The (temporary) file to create.
    variables : dict
        Name to value, already checked and shaped by :func:`prepare`.
    header : bytes
        128 bytes for the start of the userblock (``MATLAB 7.3 MAT-file ...``, ``00 02 I M``).
    where : str, optional
        The file as messages name it (the destination of an atomic write); default ``path``.
    """
    import h5py

    if _nbytes(variables) > V73_IN_MEMORY_BYTES:  # large: HDF5 writes to disk, guarded
        sink = GuardedWriteFile(path, where)  # a failed write never reaches HDF5
        try:
            with h5py.File(sink, "w", userblock_size=512, libver="earliest") as f:
                writer = V73Writer(f)
                for name, value in variables.items():
                    writer.write(f, name, value)
                    sink.check()
        finally:
            sink.close()
        sink.check()
        with open(path, "r+b") as fh:
            fh.write(header.ljust(512, b"\x00")[:512])
        return
    # HDF5 in memory (no write can fail inside HDF5), then the bytes with ordinary writes.
    with h5py.File(
        "nn3-v73-image", "w", driver="core", backing_store=False, userblock_size=512,
        libver="earliest",
    ) as f:  # fmt: skip
        writer = V73Writer(f)
        for name, value in variables.items():
            writer.write(f, name, value)
        f.flush()
        image = f.id.get_file_image()  # from the superblock: HDF5 leaves the userblock out
    with open(path, "wb") as fh:
        fh.write(header.ljust(512, b"\x00")[:512])
        fh.write(image)


def _string_type(text):
    import h5py

    tid = h5py.h5t.C_S1.copy()
    tid.set_size(max(len(text), 1))
    tid.set_strpad(h5py.h5t.STR_NULLTERM)
    return tid


def set_matlab_class(obj: Any, cls: str) -> None:
    """``MATLAB_class`` as MATLAB writes it: a fixed-length, NUL-terminated ASCII string."""
    import h5py

    raw = cls.encode("ascii")
    space = h5py.h5s.create(h5py.h5s.SCALAR)
    tid = _string_type(raw)
    attr = h5py.h5a.create(obj.id, b"MATLAB_class", tid, space)
    attr.write(np.array(raw, dtype=f"S{len(raw)}"), mtype=tid)


class V73Writer:
    def __init__(self, f):
        self.f = f
        self.refs = None
        self.counter = 0

    def _refs_group(self):
        if self.refs is None:
            self.refs = self.f.create_group("#refs#")
        return self.refs

    def _ref_name(self):
        self.counter += 1
        n, name = self.counter, ""
        while n:
            n, r = divmod(n - 1, 26)
            name = chr(ord("a") + r) + name
        return name

    def write(self, group, name, value):
        """Write one value as ``group[name]`` and return the created object."""
        import h5py

        if isinstance(value, str):  # a row of UTF-16 code units; '' is 0x0, as in MATLAB
            return self._char(group, name, str_codes(value).astype(np.uint16))
        if isinstance(value, dict):
            sub = group.create_group(name)
            set_matlab_class(sub, "struct")
            for key, item in value.items():
                self.write(sub, key, item)
            if value:
                vlen = h5py.vlen_dtype(np.dtype("S1"))
                fields = np.empty(len(value), dtype=object)
                for i, key in enumerate(value):
                    fields[i] = np.frombuffer(key.encode("ascii"), dtype="S1")
                sub.attrs.create("MATLAB_fields", fields, dtype=vlen)
            return sub
        if hasattr(value, "tocsc"):
            return self._sparse(group, name, value.tocsc())
        if value.dtype == object:
            return self._cell(group, name, value)
        if value.dtype.kind == "U":  # single characters, all below U+10000 (see prepare)
            return self._char(group, name, value.view(np.uint32).astype(np.uint16))
        if value.dtype.kind == "b":
            obj = self._array(group, name, value.astype(np.uint8), "logical")
            obj.attrs.create("MATLAB_int_decode", np.int32(1))
            return obj
        if value.dtype.kind == "c":
            return self._array(group, name, to_compound(value), dtype_class(value.dtype))
        return self._array(group, name, value, dtype_class(value.dtype))

    def _char(self, group, name, codes):
        """A char array from its UTF-16 code units, in MATLAB's size."""
        obj = self._array(group, name, codes, "char")
        obj.attrs.create("MATLAB_int_decode", np.int32(2))
        return obj

    def _array(self, group, name, value, cls):
        if value.size == 0:
            dims = np.array(value.shape, dtype=np.uint64)
            obj = group.create_dataset(name, data=dims)
            set_matlab_class(obj, cls)
            obj.attrs.create("MATLAB_empty", np.uint8(1))
            return obj
        data = np.ascontiguousarray(np.transpose(value))  # column-major: dimensions reversed
        options = {}
        if data.nbytes >= 1 << 16:
            options = {"compression": "gzip", "compression_opts": 3, "chunks": True}
        obj = group.create_dataset(name, data=data, **options)
        set_matlab_class(obj, cls)
        return obj

    def _cell(self, group, name, value):
        import h5py

        if value.size == 0:
            return self._array(group, name, np.zeros(value.shape), "cell")
        refs_group = self._refs_group()
        refs = np.empty(value.shape, dtype=h5py.ref_dtype)
        for idx in np.ndindex(value.shape):
            target = self.write(refs_group, self._ref_name(), value[idx])
            refs[idx] = target.ref
        obj = group.create_dataset(name, data=np.transpose(refs), dtype=h5py.ref_dtype)
        set_matlab_class(obj, "cell")
        return obj

    def _sparse(self, group, name, value):
        sub = group.create_group(name)
        is_logical = value.dtype.kind == "b"
        set_matlab_class(sub, "logical" if is_logical else "double")  # MATLAB's sparse classes
        sub.attrs.create("MATLAB_sparse", np.uint64(value.shape[0]))
        value.sort_indices()
        sub.create_dataset("jc", data=value.indptr.astype(np.uint64))
        if value.nnz:
            sub.create_dataset("ir", data=value.indices.astype(np.uint64))
            data = value.data
            if is_logical:
                data = data.astype(np.uint8)
            elif data.dtype.kind == "c":
                data = to_compound(data.astype(np.complex128))
            else:
                data = data.astype(np.float64)
            sub.create_dataset("data", data=data)
        if is_logical:
            sub.attrs.create("MATLAB_int_decode", np.int32(1))
        return sub
