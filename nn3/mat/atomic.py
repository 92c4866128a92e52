"""Atomic output: a file appears complete under its name, or not at all.

Every file nn3 writes (weights, predictions, pictures) goes through :func:`atomic_output`: the
content is written to a temporary name in the destination folder, flushed to disk, and renamed
over the destination only when complete. A failed or killed run never leaves a half-written file
and never destroys the previous one (a SIGKILL may leave a hidden ``.nn3-*.tmp`` beside it).
A file that replaces an earlier one keeps the earlier one's permission bits. Once a stop was
asked for (a signal to the ``nn3`` command, :mod:`nn3.stopping`), no temporary file is renamed
into place: the work stops there, the temporary file is removed.
"""

import os
import stat
import tempfile
from contextlib import contextmanager

from ..errors import MatFileError
from ..stopping import checkpoint


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


def _cannot_write(path, folder, exc):
    return f"{path}: cannot write to {folder} ({_reason(exc)})"


def _reason(exc):
    """An OSError in a few words: its errno's text (HDF5 puts a whole error dump in strerror)."""
    if exc.errno:
        return os.strerror(exc.errno)
    return " ".join(str(exc.strerror or exc).split())


def check_destination(path, error=MatFileError):
    """Check that ``path`` can be an output file, by creating a temporary file beside it.

    Commands call this before long work, so that a bad ``--out`` (a missing or read-only folder,
    a folder without write permission, a full file system that cannot even create a file, a
    directory or a device under that name) is reported at once, not after training. The
    temporary file is removed again.

    Returns
    -------
    folder : str
        The absolute folder ``path`` goes in.
    """
    folder = _check_target(path, error)
    probe = None
    try:
        fd, probe = tempfile.mkstemp(prefix=".nn3-", suffix=".probe.tmp", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise error(_cannot_write(os.fspath(path), folder, exc)) from exc
    finally:
        if probe is not None:
            try:
                os.unlink(probe)
            except OSError:
                pass
    return folder


def _check_target(path, error):
    """The absolute folder of ``path``; refuse a missing folder, a directory, a non-file."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise error(f"{path}: output folder {folder} does not exist")
    if os.path.isdir(path):
        raise error(f"{path}: is a directory; give a file name")
    try:
        st = os.stat(path)
    except OSError:
        return folder
    if not stat.S_ISREG(st.st_mode):  # replacing /dev/null or a FIFO by a file: never
        raise error(f"{path}: is not a regular file (a device, FIFO or socket); give a file name")
    return folder


def _mode_for(path):
    """Permission bits for the new file: the previous file's, else what the umask allows."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


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
    folder = _check_target(path, error)
    tmp = None
    try:
        try:
            fd, tmp = tempfile.mkstemp(prefix=".nn3-", suffix=suffix, dir=folder)
        except OSError as exc:
            raise error(_cannot_write(path, folder, exc)) from exc
        os.close(fd)
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))  # replacing a 0600 file keeps it 0600
        checkpoint()  # a stop asked for (a signal): the previous file stays
        os.replace(tmp, path)
        tmp = None
    except BaseException as exc:  # also KeyboardInterrupt and the CLI's signals: no temp left
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise error(f"{path}: cannot write ({_reason(exc)})") from exc
        raise
    _fsync_folder(folder)
