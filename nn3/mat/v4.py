"""MATLAB v4 .mat files: a header of five int32 per variable, then its data.

nn3's own reader: every size a file claims is checked against the bytes really there, and claims
over :data:`~nn3.mat._base.MAX_ELEMENTS` are refused before anything is allocated. Values come
back raw, in MATLAB's size (:func:`nn3.mat._normalise.normalise` finishes them).
"""

import struct
from typing import Any

import numpy as np

from ._base import FileContentError, RawChar, check_count, format_size

_V4_DTYPES = {0: "f8", 1: "f4", 2: "i4", 3: "i2", 4: "u2", 5: "u1"}


def _header(data, start=0):
    """(order, P, T, mrows, ncols, imagf, namlen) of a plausible v4 header at ``start``, or None.

    The type word MOPT is M*1000 + O*100 + P*10 + T: M the byte order (0 little-endian IEEE,
    1 big-endian IEEE; VAX and Cray formats are not read), O always 0, P the stored number type,
    T 0 numeric, 1 text, 2 sparse. The name that follows must end with a NUL byte.
    """
    if len(data) - start < 20:
        return None
    for order in "<>":
        mopt, mrows, ncols, imagf, namlen = struct.unpack_from(order + "5i", data, start)
        if not 0 <= mopt < 5000:
            continue
        m, rest = divmod(mopt, 1000)
        o, rest = divmod(rest, 100)
        p, t = divmod(rest, 10)
        if m != (0 if order == "<" else 1) or o != 0 or p not in _V4_DTYPES or t > 2:
            continue
        if mrows < 0 or ncols < 0 or imagf not in (0, 1) or not 1 <= namlen <= 4096:
            continue
        name = data[start + 20 : start + 20 + namlen]
        if len(name) == namlen and (name[-1:] != b"\x00" or not name[:1].isalpha()):
            continue
        return order, p, t, mrows, ncols, imagf, namlen
    return None


def looks_like_v4(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) starts with a plausible v4 variable header."""
    return _header(head) is not None


def read_v4(data: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    pos = 0
    index = 0
    while pos < len(data):
        index += 1
        header = _header(data, pos)
        if header is None:
            if len(data) - pos < 20:
                raise FileContentError(
                    f"truncated v4 .mat file: {len(data) - pos} stray bytes at the end"
                )
            raise FileContentError(
                f"corrupt v4 .mat file: bad header of variable #{index} at byte {pos}"
            )
        order, p, t, mrows, ncols, imagf, namlen = header
        pos += 20
        if pos + namlen > len(data):
            raise FileContentError(f"truncated v4 .mat file: name of variable #{index} is cut off")
        name = data[pos : pos + namlen].split(b"\x00", 1)[0].decode("latin-1")
        pos += namlen
        where = f"variable '{name}'"
        dims = (mrows, ncols)
        n = mrows * ncols
        check_count(n, dims, where)
        dtype = np.dtype(order + _V4_DTYPES[p])
        need = n * dtype.itemsize * (2 if imagf else 1)
        if need > len(data) - pos:
            raise FileContentError(
                f"truncated v4 .mat file: {where} ({format_size(dims)}) needs {need} bytes, "
                f"only {len(data) - pos} left"
            )
        real = np.frombuffer(data, dtype=dtype, count=n, offset=pos).astype(np.float64)
        pos += n * dtype.itemsize
        if imagf:
            imag = np.frombuffer(data, dtype=dtype, count=n, offset=pos).astype(np.float64)
            pos += n * dtype.itemsize
            real = real + 1j * imag
        values = real.reshape(dims, order="F")
        if t == 1:
            if np.iscomplexobj(values) or not np.all(np.isfinite(values)):
                raise FileContentError(
                    f"corrupt v4 .mat file: {where}: text with non-character codes"
                )
            out[name] = RawChar(np.clip(values, 0, 0x10FFFF).astype(np.int64))
        elif t == 2:
            out[name] = _sparse(values, where)
        else:
            out[name] = values
    return out


def _sparse(values, where):
    import scipy.sparse

    if values.ndim != 2 or values.shape[1] not in (3, 4) or values.shape[0] < 1:
        raise FileContentError(f"corrupt v4 .mat file: {where}: sparse data must be N x 3 or N x 4")
    if np.iscomplexobj(values) or not np.all(np.isfinite(values)):
        raise FileContentError(f"corrupt v4 .mat file: {where}: bad sparse triplets")
    if np.any(np.abs(values[:, :2]) > 2**31) or np.any(values[:, :2] != np.round(values[:, :2])):
        raise FileContentError(
            f"corrupt v4 .mat file: {where}: sparse indices are not whole numbers"
        )
    m, n = int(values[-1, 0]), int(values[-1, 1])
    rows = values[:-1, 0].astype(np.int64) - 1
    cols = values[:-1, 1].astype(np.int64) - 1
    if m < 0 or n < 0 or np.any(rows < 0) or np.any(rows >= m) or np.any(cols < 0):
        raise FileContentError(f"corrupt v4 .mat file: {where}: sparse index out of range")
    if np.any(cols >= n):
        raise FileContentError(f"corrupt v4 .mat file: {where}: sparse index out of range")
    data = values[:-1, 2]
    if values.shape[1] == 4:
        data = data + 1j * values[:-1, 3]
    return scipy.sparse.csc_matrix((data, (rows, cols)), shape=(m, n))
