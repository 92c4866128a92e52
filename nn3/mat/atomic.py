"""Atomic output: a file appears complete under its name, or not at all.

Every file nn3 writes (weights, predictions, pictures) goes through :func:`atomic_output`: the
content is written to a temporary name in the destination folder, flushed to disk, and renamed
over the destination only when complete. A failed or killed run never leaves a half-written file
and never destroys the previous one (a SIGKILL may leave a hidden ``.nn3-*.tmp`` beside it).
"""

import os
import tempfile
from contextlib import contextmanager

from ..errors import MatFileError


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder):
    """Make the rename durable (best effort: not every system can fsync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def check_destination(path, error=MatFileError):
    """Check that ``path`` can be an output file: its folder exists and it is not a folder.

    Commands call this before long work, so that a bad ``--out`` is reported at once.

    Returns
    -------
    folder : str
        The absolute folder ``path`` goes in.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise error(f"{path}: output folder {folder} does not exist")
    if os.path.isdir(path):
        raise error(f"{path}: is a directory; give a file name")
    return folder


@contextmanager
def atomic_output(path, suffix=".tmp", error=MatFileError):
    """Yield a temporary path beside ``path``; on success, move it over ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The destination.
    suffix : str
        Ending of the temporary name (``.mat.tmp``, ``.png.tmp``).
    error : type
        :class:`~nn3.errors.Nn3Error` subclass raised, naming ``path``, for a missing folder, a
        destination that is a directory, or a failed write.

    Yields
    ------
    tmp : str
        Where to write. On an exception the temporary file is removed and ``path`` is untouched.
    """
    path = os.fspath(path)
    folder = check_destination(path, error)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".nn3-", suffix=suffix, dir=folder)
    except OSError as exc:
        raise error(f"{path}: cannot write to {folder} ({exc.strerror or exc})") from exc
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise error(f"{path}: cannot write ({exc.strerror or exc})") from exc
        raise
    _fsync_folder(folder)
