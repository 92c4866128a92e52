"""Careful access to HDF5 files, shared by the HDF5-based readers and the v7.3 writer.

The v7.3 reader (:mod:`~nn3.mat.v73`) and the reader of GNU Octave's layout
(:mod:`~nn3.mat.octave_hdf5`) read members, attributes and datasets only through these helpers,
which refuse what a .mat file has no business holding: names that are not UTF-8, links (nn3
never follows a link to another object or file), virtual datasets, external storage, sizes over
:data:`~nn3.mat._base.MAX_ELEMENTS` and contiguous datasets with fewer bytes than their size.

A damaged file (truncated, overwritten, or cut while nn3 reads it) makes h5py raise from deep
inside the HDF5 library: ``RuntimeError`` ("wrong B-tree signature"), ``KeyError`` ("message not
aligned"), ``OSError``, ``ValueError``, .... :func:`raised_in_h5py` tells those from the same
exceptions raised by nn3's own code (bugs, which keep their traceback), and
:func:`h5py_errors` turns them into one :class:`~nn3.errors.MatFileError` line, for code that
calls h5py outside :func:`~nn3.mat.load_mat` (the streaming engine).

Writing: HDF5 writes every large v7.3 file through :class:`GuardedWriteFile`, so that a full
disk is one line, never HDF5's crash.
"""

import contextlib
import io
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import MatFileError
from ._base import MAX_ELEMENTS, FileContentError, budget, format_size, shown

#: What h5py raises when the HDF5 library reports an error (its error stack mapped to Python):
#: a missing or damaged object as ``KeyError``, a bad datatype as ``TypeError`` or
#: ``ValueError``, an unsupported feature as ``NotImplementedError``, I/O as ``OSError``, the
#: rest as ``RuntimeError``. Only when raised inside h5py do they mean a bad file.
H5PY_ERRORS = (
    OSError,
    KeyError,
    TypeError,
    ValueError,
    RuntimeError,
    NotImplementedError,
    IndexError,
)


def raised_in_h5py(exc: BaseException) -> bool:
    """Whether the innermost frame of ``exc``'s traceback is h5py's code (Python or Cython)."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "") or ""
    filename = tb.tb_frame.f_code.co_filename.replace("\\", "/")
    return module.split(".")[0] == "h5py" or "/h5py/" in filename or filename.startswith("h5py/")


def damage(exc: BaseException) -> str:
    """What h5py's error says about a damaged file, as the end of a one-line message."""
    detail = str(exc).splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return f"the file is damaged, or was cut or changed while nn3 read it ({shown(detail, 200)})"


@contextlib.contextmanager
def h5py_errors(where: str) -> Iterator[None]:
    """Errors h5py raises on a damaged file as one :class:`MatFileError` naming ``where``.

    ``where`` names the file (and the variable): ``"data.mat: variable 'X'"``. Exceptions not
    raised inside h5py (nn3's own bugs) pass unchanged::

        with h5py_errors(f"{path}: variable '{var}'"):
            ds = f[var]
            ...
    """
    try:
        yield
    except H5PY_ERRORS as exc:
        if not raised_in_h5py(exc):
            raise
        raise MatFileError(f"{where}: {damage(exc)}") from exc


#: The most a zlib (deflate) stream can compress: about 1032 to 1. A chunked dataset storing
#: fewer bytes than its size over this holds chunks that were never written (fill value only).
_MAX_DEFLATE_RATIO = 1032


def unstored_claim(obj: Any, where: str) -> str | None:
    """Why a dataset's data must not be read: it claims more than the file stores for it.

    A contiguous dataset must store all its bytes; a chunked one at least its size over the
    most deflate can compress (chunks never written hold only a fill value). Checked from the
    header, before anything is allocated; the readers and the streaming engine share it.

    A file too damaged to tell (h5py fails reading the dataset's header or chunk index: the
    file was truncated, or cut while nn3 reads it) is a reason too: the one-line reason says
    so, instead of h5py's exception.

    Returns
    -------
    str or None
        ``"{where}: ..."``, one line; None when the data may be read.
    """
    try:
        return _unstored_claim(obj, where)
    except H5PY_ERRORS as exc:
        if not raised_in_h5py(exc):
            raise  # a bug in nn3, not a damaged file
        return f"{where}: {damage(exc)}"


def _unstored_claim(obj, where):
    import h5py

    n = int(obj.size) if obj.shape is not None else 0
    if not n:
        return None
    plist = obj.id.get_create_plist()
    need = n * obj.dtype.itemsize
    stored = obj.id.get_storage_size()
    if plist.get_layout() == h5py.h5d.CONTIGUOUS and stored < need:
        return (
            f"{where}: {stored} bytes stored for {need} bytes of data (truncated, or never written)"
        )
    if plist.get_layout() == h5py.h5d.CHUNKED:
        ratio = _MAX_DEFLATE_RATIO if plist.get_nfilters() else 1
        if stored * ratio < need:
            return (
                f"{where} claims {format_size(obj.shape[::-1])} values ({need} bytes) but the "
                f"file stores {stored} bytes of them (chunks never written hold only a fill "
                "value); refused before allocating"
            )
    return None


def member_names(group: Any, where: str) -> list[str]:
    """The member names of a group; h5py gives a name that is not UTF-8 as bytes: refused."""
    names = list(group.keys())
    for name in names:
        if not isinstance(name, str):
            raise FileContentError(
                f"{where}: a member name is not valid UTF-8 text ({bytes(name)[:40]!r})"
            )
    return names


def has_member(group: Any, name: str) -> bool:
    """Whether ``group`` has a member ``name``, without following it if it is a link.

    (``name in group`` resolves a link, and an external link means opening another file.)
    """
    return group.get(name, getlink=True) is not None


def hard_member(group: Any, name: str, where: str) -> Any:
    """A member of ``group`` that is stored in it: a soft or external link is refused unread."""
    import h5py

    link = group.get(name, getlink=True)
    if link is None:
        raise FileContentError(f"{where}: no member '{shown(name)}'")
    if not isinstance(link, h5py.HardLink):
        target = ""
        if isinstance(link, h5py.ExternalLink):
            target = f" to {shown(link.filename)}:{shown(link.path)}"
        elif isinstance(link, h5py.SoftLink):
            target = f" to {shown(link.path)}"
        kind = "an external link" if isinstance(link, h5py.ExternalLink) else "a soft link"
        raise FileContentError(f"{where} is {kind}{target}; nn3 does not follow links (refused)")
    return group[name]


def read_attr(obj: Any, name: str) -> str | int | None:
    """An attribute as str (for string attributes) or Python number, or None."""
    if name not in obj.attrs:
        return None
    value = obj.attrs[name]
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return None
        value = value.reshape(-1)[0]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).rstrip(b"\x00").decode("ascii", "replace")
    if isinstance(value, str):
        return value
    if isinstance(value, (np.integer, int, np.bool_)):
        return int(value)
    return None


def dataset_data(obj: Any, where: str) -> Any:
    """A dataset's contents, after refusing absurd sizes, external storage and virtual data."""

    if obj.is_virtual:
        raise FileContentError(
            f"{where} is a virtual dataset (data in other files); nn3 does not read those"
        )
    if obj.external:
        raise FileContentError(
            f"{where} keeps its data in an external file; nn3 does not read those"
        )
    n = int(obj.size) if obj.shape is not None else 0
    if n > MAX_ELEMENTS:
        raise FileContentError(
            f"{where} claims {format_size(obj.shape[::-1])} = {n} elements, more than nn3 reads "
            f"(nn3.matio.MAX_ELEMENTS = {MAX_ELEMENTS}); refused before allocating"
        )
    need = n * obj.dtype.itemsize
    why = unstored_claim(obj, where)
    if why:
        raise FileContentError(why)
    if obj.shape is None:  # HDF5 null dataspace
        return np.zeros((0, 0))
    budget().charge_bytes(need, where)
    return obj[()]


def dataset_nbytes(obj: Any) -> int:
    """How many bytes a dataset's contents take in memory."""
    return int(obj.size) * obj.dtype.itemsize if obj.shape is not None else 0


def from_compound(data: Any) -> Any:
    """Complex data stored as a compound of ``real`` and ``imag`` as a complex array."""
    names = np.asarray(data).dtype.names
    if names and {"real", "imag"} <= set(names):
        return data["real"] + 1j * data["imag"]
    return data


def to_compound(values: np.ndarray) -> np.ndarray:
    """Complex values as MATLAB stores them: a compound of ``real`` and ``imag``."""
    part = values.real.dtype
    packed = np.empty(values.shape, dtype=[("real", part), ("imag", part)])
    packed["real"], packed["imag"] = values.real, values.imag
    return packed


def join_text(data: Any) -> str:
    value = np.asarray(data).reshape(-1)
    parts = []
    for item in value:
        parts.append(item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item))
    return "".join(parts)


class GuardedWriteFile(io.RawIOBase):
    """The file HDF5 writes a v7.3 file through (h5py's ``fileobj`` driver); a failed write
    never reaches HDF5.

    HDF5 does not survive a failed write: after "No space left on device" (or "File too large"
    under a file size limit) its state for the file is inconsistent, and closing the file, or
    the garbage collector doing it at exit, crashes the process (SIGSEGV), after a dump of
    HDF5's error stack. Through this file every write succeeds as far as HDF5 knows: the first
    failure is kept in :attr:`error` and later writes are dropped (reading what was dropped
    gives zeros, as past the end of a file), so HDF5 carries on and closes normally. The writer
    looks at :attr:`error` after each step (:meth:`check`) and at the end, and the temporary
    file is discarded.

    Parameters
    ----------
    path : str
        The (temporary) file to create, truncated.
    where : str, optional
        The file as messages name it (the destination of an atomic write); default ``path``.
    """

    def __init__(self, path: str, where: str | None = None):
        super().__init__()
        self.path = path
        self.where = path if where is None else where
        self._raw = open(path, "w+b", buffering=0)  # noqa: SIM115 (closed by close())
        self.error: OSError | None = None

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def readinto(self, buffer: Any) -> int:
        return self._raw.readinto(buffer)

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        size = view.nbytes
        if self.error is None:
            try:
                done = 0
                while done < size:
                    done += self._raw.write(view[done:])
                return size
            except OSError as exc:
                self.error = exc
        self._raw.seek(size, 1)  # dropped: HDF5 goes on as if it was written
        return size

    def truncate(self, size: int | None = None) -> int:
        if self.error is None:
            try:
                return self._raw.truncate(size)
            except OSError as exc:
                self.error = exc
        return self._raw.tell() if size is None else size

    def flush(self) -> None:
        pass  # unbuffered

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()

    def check(self) -> None:
        """Raise a one-line :class:`MatFileError` (``big.mat: cannot write (No space left on
        device)``) if a write failed."""
        if self.error is not None:
            raise MatFileError(f"{self.where}: cannot write ({os_error_text(self.error)})")


def os_error_text(exc: BaseException) -> str:
    """An operating system's error in a few words: its errno text when it has one."""
    import os

    errno = getattr(exc, "errno", None)
    if errno:
        return os.strerror(errno)
    return " ".join(str(exc).split())[:200] or type(exc).__name__
