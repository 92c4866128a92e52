"""Reading and writing MATLAB .mat files (v4, v5/v7 through scipy.io; v7.3 through h5py).

Variables come back in MATLAB's shapes: an ``m x 1`` column is an ``(m, 1)`` array, a scalar is
``(1, 1)``, char arrays are ``str``, structs are ``dict`` (address fields as ``"data.X"`` with
:func:`get_variable`). v7.3 files store arrays column-major, so their HDF5 datasets appear
transposed; they are transposed back here, in one place.
"""

import os
import tempfile

import numpy as np

from .errors import MatFileError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _check_readable(path):
    path = os.fspath(path)
    if not os.path.exists(path):
        raise MatFileError(f"{path}: no such file")
    if os.path.isdir(path):
        raise MatFileError(f"{path}: is a directory, not a .mat file")
    if not os.access(path, os.R_OK):
        raise MatFileError(f"{path}: permission denied")
    return path


def mat_format(path):
    """The file's format: ``"4"``, ``"5"`` (v5/v6/v7) or ``"7.3"``."""
    path = _check_readable(path)
    with open(path, "rb") as fh:
        head = fh.read(520)
    if len(head) >= 520 and head[512:520] == HDF5_SIGNATURE:
        return "7.3"
    if head[:8] == HDF5_SIGNATURE:
        return "7.3"  # HDF5 without MATLAB's userblock: still readable
    if head[:6] == b"MATLAB" or (len(head) >= 128 and head[126:128] in (b"IM", b"MI")):
        return "5"
    if len(head) >= 20:
        return "4"
    raise MatFileError(f"{path}: too short to be a .mat file ({len(head)} bytes)")


def load_mat(path):
    """All variables of a .mat file as a dict, in MATLAB's shapes.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    variables : dict
        Name to ndarray (numeric, logical as bool), str (char), or dict (struct).

    Raises
    ------
    MatFileError
        Missing, unreadable, not a .mat file, or corrupt.
    """
    path = _check_readable(path)
    fmt = mat_format(path)
    try:
        if fmt == "7.3":
            return _load_v73(path)
        return _load_v5(path)
    except MatFileError:
        raise
    except (MemoryError, OverflowError) as exc:
        raise MatFileError(f"{path}: a variable is too large to load ({exc})") from exc
    except Exception as exc:  # scipy/h5py raise many types for corrupt files
        kind = "v7.3 (HDF5)" if fmt == "7.3" else "MATLAB"
        raise MatFileError(f"{path}: not a readable {kind} .mat file ({exc})") from exc


def _load_v5(path):
    import scipy.io

    raw = scipy.io.loadmat(path, squeeze_me=False, struct_as_record=False, chars_as_strings=True)
    return {k: _from_scipy(v) for k, v in raw.items() if not k.startswith("__")}


def _from_scipy(value):
    from scipy.io.matlab import mat_struct

    if isinstance(value, mat_struct):
        return {f: _from_scipy(getattr(value, f)) for f in value._fieldnames}
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "U":
            return "\n".join(value.ravel().tolist()) if value.size else ""
        if value.dtype == object:
            if value.size == 1 and isinstance(value.flat[0], mat_struct):
                return _from_scipy(value.flat[0])
            out = np.empty(value.shape, dtype=object)
            for idx, item in np.ndenumerate(value):
                out[idx] = _from_scipy(item)
            return out
    return value


_H5_CLASSES = {
    "double": np.float64,
    "single": np.float32,
    "int8": np.int8,
    "uint8": np.uint8,
    "int16": np.int16,
    "uint16": np.uint16,
    "int32": np.int32,
    "uint32": np.uint32,
    "int64": np.int64,
    "uint64": np.uint64,
    "logical": np.bool_,
}


def _load_v73(path):
    import h5py

    with h5py.File(path, "r") as f:
        return {
            name: _from_h5(f, obj)
            for name, obj in f.items()
            if not name.startswith("#")  # "#refs#" and "#subsystem#" hold internals
        }


def _attr_str(obj, name):
    value = obj.attrs.get(name)
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    if isinstance(value, np.ndarray):
        value = value.ravel()[0] if value.size else b""
        return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
    return str(value)


def _from_h5(f, obj):
    import h5py

    cls = _attr_str(obj, "MATLAB_class")
    if isinstance(obj, h5py.Group):
        if obj.attrs.get("MATLAB_sparse") is not None:
            return _sparse_from_h5(obj, cls)
        return {k: _from_h5(f, v) for k, v in obj.items()}
    data = obj[()]
    if np.any(np.asarray(obj.attrs.get("MATLAB_empty", 0))):
        # Empty arrays store their MATLAB dimensions as data.
        dims = tuple(int(d) for d in np.asarray(data).ravel())
        if cls == "char":
            return ""
        return np.zeros(dims, dtype=_H5_CLASSES.get(cls, np.float64))
    if cls == "cell":
        out = np.empty(data.shape[::-1], dtype=object)
        for idx, ref in np.ndenumerate(data.T):
            out[idx] = _from_h5(f, f[ref])
        return out
    if data.dtype.names and set(data.dtype.names) >= {"real", "imag"}:
        data = data["real"] + 1j * data["imag"]
    arr = np.asarray(data).T
    if cls == "char":
        codes = np.asarray(arr, dtype=np.uint16)
        if codes.ndim < 2:
            codes = codes.reshape(1, -1)
        rows = ["".join(chr(c) for c in row) for row in codes.reshape(codes.shape[0], -1)]
        return "\n".join(rows)
    if cls in _H5_CLASSES and arr.dtype.kind != "c":
        arr = arr.astype(_H5_CLASSES[cls], copy=False)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    elif arr.ndim == 0:
        arr = arr.reshape(1, 1)
    return arr


def _sparse_from_h5(group, cls):
    import scipy.sparse

    n_rows = int(np.asarray(group.attrs["MATLAB_sparse"]).ravel()[0])
    jc = np.asarray(group["jc"][()], dtype=np.int64)
    ir = np.asarray(group["ir"][()], dtype=np.int64) if "ir" in group else np.zeros(0, np.int64)
    if "data" in group:
        values = group["data"][()]
        if values.dtype.names and set(values.dtype.names) >= {"real", "imag"}:
            values = values["real"] + 1j * values["imag"]
    else:
        values = np.zeros(0)
    if cls == "logical":
        values = values.astype(bool)
    return scipy.sparse.csc_matrix((values, ir, jc), shape=(n_rows, jc.size - 1))


def get_variable(variables, name, path="<data>"):
    """A variable by name, with struct fields addressed as ``"data.X"``.

    Raises
    ------
    MatFileError
        The variable (or field) is not there; the message lists what is.
    """
    current = variables
    walked = []
    for part in name.split("."):
        if not isinstance(current, dict) or part not in current:
            where = f"struct '{'.'.join(walked)}'" if walked else "the file"
            present = sorted(current) if isinstance(current, dict) else []
            listing = ", ".join(present) if present else "none"
            raise MatFileError(
                f"{path}: no variable '{name}' in {where} (variables there: {listing})"
            )
        current = current[part]
        walked.append(part)
    return current


def save_mat(path, variables, format="5"):
    """Write variables to a .mat file atomically.

    The file is written to a temporary name in the same folder and renamed over ``path`` only
    when complete, so a failed or killed run never leaves a half-written file and never destroys
    the previous one.

    Parameters
    ----------
    path : str or os.PathLike
    variables : dict
        Name to array, number or str; 1-D arrays are written as MATLAB columns (m x 1).
    format : {"5"}, default "5"
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise MatFileError(f"{path}: output folder {folder} does not exist")
    format = str(format)
    if format != "5":
        raise MatFileError(f"{path}: unknown .mat format {format!r} (use 5)")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".nn3-", suffix=".mat.tmp", dir=folder)
    except OSError as exc:
        raise MatFileError(f"{path}: cannot write to {folder} ({exc.strerror})") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            import scipy.io

            scipy.io.savemat(fh, variables, oned_as="column", do_compression=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise MatFileError(f"{path}: cannot write ({exc.strerror or exc})") from exc
        raise
