"""The one place where loaded values get nn3's shapes and types.

Every reader returns raw values (arrays in MATLAB's size, :class:`~nn3.mat._base.RawChar` for
char data, dicts for structs, object arrays for cells); :func:`normalise` gives them the forms
the table in :mod:`nn3.mat` lists.
"""

from typing import Any

import numpy as np

from ._base import MAX_DEPTH, FileContentError, MatlabChar, RawChar, matlab_shape


def normalise(value: Any, depth: int = 0) -> Any:
    """The one place where loaded values get nn3's shapes and types (see the module docstring)."""
    if depth > MAX_DEPTH:
        raise FileContentError("corrupt .mat file: cells or structs nested too deeply")
    if isinstance(value, RawChar):
        return _char_value(value.codes)
    if isinstance(value, dict):
        return {k: normalise(v, depth + 1) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            out = np.empty(matlab_shape(value.shape), dtype=object)
            flat = value.reshape(out.shape, order="F")
            for idx in np.ndindex(out.shape):
                out[idx] = normalise(flat[idx], depth + 1)
            return out
        return value.reshape(matlab_shape(value.shape), order="F")
    return value


def _char_value(codes):
    """Char codes in MATLAB's size as nn3 returns them: a str, or single characters when N-D.

    A char row or matrix becomes a :class:`MatlabChar` (a str, its rows joined with newlines, that
    keeps the codes and MATLAB's size). An array of more than two
    dimensions (after MATLAB drops trailing singletons) becomes an ndarray of dtype ``'<U1'`` in
    MATLAB's size, one character per element, since a str cannot hold its size.

    Codes are UTF-16 code units (as MATLAB stores them) or code points. In a str, pairs of
    surrogates become one character; anything invalid (and, in an N-D array, any surrogate)
    becomes U+FFFD.
    """
    codes = np.asarray(codes).astype(np.int64)
    shape = matlab_shape(codes.shape) if codes.ndim > 1 else (1, codes.size)
    invalid = (codes < 0) | (codes > 0x10FFFF)
    if len(shape) > 2:
        invalid |= (codes >= 0xD800) & (codes < 0xE000)
        chars = np.where(invalid, 0xFFFD, codes).astype(np.uint32).reshape(shape)
        return chars.view("U1")
    rows = np.where(invalid, 0xFFFD, codes).reshape(shape)
    if codes.size == 0:
        return MatlabChar("", rows)
    out = []
    for row in rows:
        if row.max() < 0x10000:
            text = row.astype("<u2").tobytes().decode("utf-16-le", errors="replace")
        else:
            text = "".join(chr(c) if not 0xD800 <= c < 0xE000 else "\ufffd" for c in row)
        out.append(text)
    return MatlabChar("\n".join(out), rows)
