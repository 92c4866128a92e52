"""GNU Octave's own HDF5 layout (``save -hdf5``): a group per variable with "type" and "value".

Octave's ``-hdf5`` files are HDF5 files like MATLAB's v7.3, with another layout: each variable
is a group holding a ``type`` string (``matrix``, ``scalar struct``, ``cell``, ``int32 matrix``,
...) and a ``value`` (a dataset, or a group for structs and cells), marked with an
``OCTAVE_NEW_FORMAT`` attribute. Reading returns raw values in MATLAB's size;
:func:`nn3.mat._normalise.normalise` finishes them.
"""

from collections.abc import Collection, Iterator
from typing import Any

import numpy as np

from ._base import (
    CLASS_DTYPES,
    MAX_DEPTH,
    MAX_ELEMENTS,
    FileContentError,
    MatlabObject,
    RawChar,
    Summary,
    budget,
    format_size,
    shown,
    to_class,
)
from ._hdf5 import (
    dataset_data,
    dataset_nbytes,
    from_compound,
    hard_member,
    has_member,
    join_text,
    member_names,
    read_attr,
)

_OCTAVE_INT = {
    f"{k} {shape}": v
    for k, v in CLASS_DTYPES.items()
    if k.startswith(("int", "uint"))
    for shape in ("scalar", "matrix")
}


def _is_octave(f, name):
    """Whether member ``name`` is a variable in Octave's layout (a link counts: it is refused
    when read, never followed here)."""
    import h5py

    link = f.get(name, getlink=True)
    if not isinstance(link, h5py.HardLink):
        return isinstance(link, (h5py.SoftLink, h5py.ExternalLink))
    obj = f[name]
    return (
        isinstance(obj, h5py.Group)
        and "OCTAVE_NEW_FORMAT" in obj.attrs
        and has_member(obj, "type")
        and has_member(obj, "value")
    )


def is_octave_file(f: Any) -> bool:
    """Whether every member of the open HDF5 file ``f`` is a variable in Octave's layout."""
    import h5py

    names = member_names(f, "the file")
    octave = [_is_octave(f, name) for name in names]
    return (
        bool(names)
        and all(octave)
        and any(isinstance(f.get(name, getlink=True), h5py.HardLink) for name in names)
    )


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
    return dict(iter_octave(f))


def iter_octave(
    f: Any,
    wanted: "Collection[str] | None" = None,
    summary: bool = False,
    seen: "list[str] | None" = None,
) -> Iterator[tuple[str, Any]]:
    """The variables of an open Octave ``-hdf5`` file one at a time (see :func:`read_octave`).

    Only the ``wanted`` ones, if given (an Octave type nn3 does not read is refused only when
    wanted). With ``summary``, cells, strings, function handles, ranges (their minimum and
    maximum follow from base, increment and length) and numeric arrays over the load budget
    come back as :class:`~nn3.mat._base.Summary`. ``seen`` receives every name.
    """
    for name in member_names(f, "the file"):
        if seen is not None:
            seen.append(name)
        if wanted is not None and name not in wanted:
            continue
        where = f"variable '{shown(name)}'"
        group = hard_member(f, name, where)
        brief = _summary(group, where) if summary else None
        yield name, brief if brief is not None else _octave_value(group, 0, where)


def _kind(group, where):
    return join_text(dataset_data(hard_member(group, "type", where), where)).strip()


def _summary(group, where):
    """A :class:`Summary` of an Octave variable a summary needs no contents of, else None."""
    import h5py

    kind = _kind(group, where)
    value = hard_member(group, "value", where)
    if kind == "cell":
        if isinstance(value, h5py.Group) and has_member(value, "dims"):
            dims = _dims(value, where)
            return Summary("cell", dims)
        return None
    if kind in ("string", "sq_string") and isinstance(value, h5py.Dataset):
        if not read_attr(group, "OCTAVE_EMPTY_MATRIX") and value.shape is not None:
            return Summary("char", value.shape[::-1] if len(value.shape) > 1 else (1, value.size))
        return None
    if kind == "function handle":
        return Summary("function_handle", (1, 1))
    if kind.endswith("range") and isinstance(value, h5py.Dataset):
        base, inc, nelem = _range(value, where)
        if nelem == 0:
            return Summary("double", (1, 0))
        last = base + inc * (nelem - 1)
        return Summary("double", (1, nelem), min=min(base, last), max=max(base, last))
    if isinstance(value, h5py.Dataset) and not budget().fits(dataset_nbytes(value)):
        cls = "logical" if kind.startswith("bool") else _OCTAVE_CLASS.get(kind, "double")
        return Summary(cls, value.shape[::-1], reason="over the load budget")
    return None


def _range(value, where):
    """An Octave range's base, increment and number of elements."""
    data = dataset_data(value, where)
    nelem = read_attr(value, "OCTAVE_RANGE_NELEM")
    if data.dtype.names is None or not {"base", "increment"} <= set(data.dtype.names):
        raise FileContentError(f"{where}: bad Octave range")
    if not isinstance(nelem, int) or not 0 <= nelem <= MAX_ELEMENTS:
        raise FileContentError(f"{where}: bad Octave range length")
    return float(data["base"]), float(data["increment"]), nelem


def _dims(value, where):
    """An Octave cell's dimensions (its ``dims`` member), in MATLAB's order."""
    dims = dataset_data(hard_member(value, "dims", f"{where} (its dims)"), where)
    dims = tuple(int(d) for d in np.asarray(dims).reshape(-1))[::-1]
    if any(d < 0 for d in dims) or int(np.prod(dims, dtype=object)) > MAX_ELEMENTS:
        raise FileContentError(f"{where}: bad cell dimensions")
    return dims


_OCTAVE_CLASS = {
    f"{k} {shape}": k
    for k in CLASS_DTYPES
    if k.startswith(("int", "uint"))
    for shape in ("scalar", "matrix")
} | {"float scalar": "single", "float matrix": "single"}


def _octave_value(group, depth, where):
    import h5py

    if depth > MAX_DEPTH:
        raise FileContentError(f"{where}: cells or structs nested too deeply")
    kind = _kind(group, where)
    if kind == "function handle":  # nothing of it is executed or kept but its class
        return MatlabObject("function_handle")
    value = hard_member(group, "value", where)
    empty = bool(read_attr(group, "OCTAVE_EMPTY_MATRIX"))
    if kind == "scalar struct":
        if not isinstance(value, h5py.Group):
            raise FileContentError(f"{where}: Octave struct without fields")
        return {
            name: _octave_value(
                hard_member(value, name, f"{where}.{shown(name)}"),
                depth + 1,
                f"{where}.{shown(name)}",
            )
            for name in member_names(value, where)
        }
    if kind == "cell":
        return _octave_cell(value, depth, where)
    if kind == "struct":
        if not isinstance(value, h5py.Group):
            raise FileContentError(f"{where}: Octave struct array without fields")
        fields = {
            name: _octave_value(
                hard_member(value, name, f"{where}.{shown(name)}"),
                depth + 1,
                f"{where}.{shown(name)}",
            )
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
        base, inc, nelem = _range(value, where)
        budget().charge_bytes(8 * nelem, f"{where} (an Octave range of {nelem} elements)")
        return (base + inc * np.arange(nelem, dtype=np.float64)).reshape(1, -1)
    arr = np.transpose(np.asarray(from_compound(data)))
    if kind in ("string", "sq_string"):
        return RawChar(arr.astype(np.int64) % 256)
    if kind in ("bool", "bool matrix"):
        return arr != 0
    if kind in _OCTAVE_INT:
        return to_class(arr, _OCTAVE_INT[kind], where, _OCTAVE_CLASS[kind])
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

    if not isinstance(value, h5py.Group) or not has_member(value, "dims"):
        raise FileContentError(f"{where}: Octave cell without dimensions")
    dims = _dims(value, where)
    n = int(np.prod(dims, dtype=object))
    if n > len(value.keys()):
        raise FileContentError(f"{where}: Octave cell with fewer elements than its size")
    budget().charge_items(n, f"{where}, a {format_size(dims)} cell array,")
    cells = np.empty(n, dtype=object)
    for i in range(n):
        cells[i] = _octave_value(
            hard_member(value, f"_{i}", where), depth + 1, f"{where}{{{i + 1}}}"
        )
    return cells.reshape(dims, order="F")
