"""GNU Octave's own HDF5 layout (``save -hdf5``): a group per variable with "type" and "value".

Octave's ``-hdf5`` files are HDF5 files like MATLAB's v7.3, with another layout: each variable
is a group holding a ``type`` string (``matrix``, ``scalar struct``, ``cell``, ``int32 matrix``,
...) and a ``value`` (a dataset, or a group for structs and cells), marked with an
``OCTAVE_NEW_FORMAT`` attribute. Reading returns raw values in MATLAB's size;
:func:`nn3.mat._normalise.normalise` finishes them.
"""

from typing import Any

import numpy as np

from ._base import CLASS_DTYPES, MAX_DEPTH, MAX_ELEMENTS, FileContentError, RawChar
from ._hdf5 import dataset_data, from_compound, hard_member, join_text, member_names, read_attr

_OCTAVE_INT = {
    f"{k} {shape}": v
    for k, v in CLASS_DTYPES.items()
    if k.startswith(("int", "uint"))
    for shape in ("scalar", "matrix")
}


def _is_octave(f, name):
    import h5py

    obj = f.get(name)
    return (
        isinstance(obj, h5py.Group)
        and "OCTAVE_NEW_FORMAT" in obj.attrs
        and "type" in obj
        and "value" in obj
    )


def is_octave_file(f: Any) -> bool:
    """Whether every member of the open HDF5 file ``f`` is a variable in Octave's layout."""
    names = member_names(f, "the file")
    return bool(names) and all(_is_octave(f, name) for name in names)


def read_octave(f: Any) -> dict[str, Any]:
    """The variables of an open Octave ``-hdf5`` file, raw, in MATLAB's size.

    Parameters
    ----------
    f : h5py.File

    Returns
    -------
    dict
        Name to raw value (see :mod:`nn3.mat` for what :func:`~nn3.mat.load_mat` makes of it).
    """
    names = member_names(f, "the file")
    return {name: _octave_value(f[name], 0, f"variable '{name}'") for name in names}


def _octave_value(group, depth, where):
    import h5py

    if depth > MAX_DEPTH:
        raise FileContentError(f"{where}: cells or structs nested too deeply")
    kind = join_text(dataset_data(hard_member(group, "type", where), where)).strip()
    value = hard_member(group, "value", where)
    empty = bool(read_attr(group, "OCTAVE_EMPTY_MATRIX"))
    if kind == "scalar struct":
        if not isinstance(value, h5py.Group):
            raise FileContentError(f"{where}: Octave struct without fields")
        return {
            name: _octave_value(hard_member(value, name, where), depth + 1, f"{where}.{name}")
            for name in member_names(value, where)
        }
    if kind == "cell":
        return _octave_cell(value, depth, where)
    if kind == "struct":
        fields = {
            name: _octave_value(hard_member(value, name, where), depth + 1, f"{where}.{name}")
            for name in member_names(value, where)
            if name != "dims"
        }
        cells = list(fields.values())
        if not cells or not all(isinstance(c, np.ndarray) and c.dtype == object for c in cells):
            raise FileContentError(f"{where}: Octave struct array without cell fields")
        shape = cells[0].shape
        items = np.empty(shape, dtype=object)
        for idx in np.ndindex(shape):
            items[idx] = {name: c[idx] for name, c in fields.items()}
        return items.flat[0] if items.size == 1 else items
    if not isinstance(value, h5py.Dataset):
        raise FileContentError(f"{where}: Octave value of type '{kind}' is not a dataset")
    data = dataset_data(value, where)
    if empty:
        dims = tuple(int(d) for d in np.asarray(data).reshape(-1))
        if 0 not in dims or any(d < 0 for d in dims):
            raise FileContentError(f"{where}: bad dimensions of an empty array")
        if kind in ("string", "sq_string"):
            return RawChar(np.zeros(dims, dtype=np.uint16))
        return np.zeros(dims, dtype=bool if kind.startswith("bool") else np.float64)
    if kind.endswith("range"):
        nelem = read_attr(value, "OCTAVE_RANGE_NELEM")
        if data.dtype.names is None or not {"base", "increment"} <= set(data.dtype.names):
            raise FileContentError(f"{where}: bad Octave range")
        if not isinstance(nelem, int) or not 0 <= nelem <= MAX_ELEMENTS:
            raise FileContentError(f"{where}: bad Octave range length")
        base, inc = float(data["base"]), float(data["increment"])
        return (base + inc * np.arange(nelem, dtype=np.float64)).reshape(1, -1)
    arr = np.transpose(np.asarray(from_compound(data)))
    if kind in ("string", "sq_string"):
        return RawChar(arr.astype(np.int64) % 256)
    if kind in ("bool", "bool matrix"):
        return arr != 0
    if kind in _OCTAVE_INT:
        return arr.astype(_OCTAVE_INT[kind], copy=False)
    if kind in (
        "scalar",
        "matrix",
        "complex scalar",
        "complex matrix",
        "float scalar",
        "float matrix",
        "float complex scalar",
        "float complex matrix",
    ):
        if arr.dtype.kind not in "fc":
            raise FileContentError(f"{where}: Octave '{kind}' stored as {arr.dtype}")
        return arr
    raise FileContentError(
        f"{where}: Octave HDF5 type '{kind}' is not supported (save with -v7 instead)"
    )


def _octave_cell(value, depth, where):
    import h5py

    if not isinstance(value, h5py.Group) or "dims" not in value:
        raise FileContentError(f"{where}: Octave cell without dimensions")
    dims = tuple(int(d) for d in np.asarray(dataset_data(value["dims"], where)).reshape(-1))
    dims = dims[::-1]
    if any(d < 0 for d in dims) or int(np.prod(dims, dtype=object)) > MAX_ELEMENTS:
        raise FileContentError(f"{where}: bad cell dimensions")
    n = int(np.prod(dims, dtype=object))
    if n > len(value.keys()):
        raise FileContentError(f"{where}: Octave cell with fewer elements than its size")
    cells = np.empty(n, dtype=object)
    for i in range(n):
        cells[i] = _octave_value(
            hard_member(value, f"_{i}", where), depth + 1, f"{where}{{{i + 1}}}"
        )
    return cells.reshape(dims, order="F")
