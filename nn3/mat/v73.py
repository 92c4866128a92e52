"""MATLAB v7.3 .mat files (HDF5): reading MATLAB's layout.

The v7.3 layout (MATLAB's ``save -v7.3``), as :mod:`nn3.mat.writer` writes it and this module
reads it back:

- a 512-byte HDF5 userblock whose first 128 bytes are MATLAB's header: text starting
  ``MATLAB 7.3 MAT-file``, 8 bytes of subsystem offset, then ``00 02 'I' 'M'`` at offset 124
  (version 0x0200, little-endian);
- one HDF5 dataset (or group) per variable, with a ``MATLAB_class`` attribute (``double``,
  ``single``, ``int8`` ... ``uint64``, ``logical``, ``char``, ``struct``, ``cell``);
- dimensions reversed: MATLAB stores column-major, so an m x n matrix is an HDF5 dataset of
  shape (n, m);
- char as uint16 UTF-16 code units with ``MATLAB_int_decode = 2``; logical as uint8 with
  ``MATLAB_int_decode = 1``; complex as a compound of ``real`` and ``imag``;
- empty arrays as a uint64 dataset holding the MATLAB dimensions, with ``MATLAB_empty = 1``;
- structs as groups (``MATLAB_fields`` lists the field names in order), cells as datasets of
  object references into the ``#refs#`` group, sparse matrices as groups of ``data``, ``ir``,
  ``jc`` with ``MATLAB_sparse`` = the number of rows.

Reading returns raw values in MATLAB's size; :func:`nn3.mat._normalise.normalise` finishes
them.
Links to other files, external raw storage and virtual datasets are refused
(:mod:`nn3.mat._hdf5`).
"""

import copy
from collections.abc import Collection, Iterator
from typing import Any

import numpy as np

from ._base import (
    CLASS_DTYPES,
    MAX_DEPTH,
    FileContentError,
    MatlabObject,
    RawChar,
    Summary,
    budget,
    format_size,
    matlab_shape,
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


def read_v73(f: Any) -> dict[str, Any]:
    """The variables of an open v7.3 file, raw, in MATLAB's size.

    Parameters
    ----------
    f : h5py.File

    Returns
    -------
    dict
        Name to raw value (see :mod:`nn3.mat` for what :func:`~nn3.mat.load_mat` makes of it).
        MATLAB's internal groups (``#refs#``, ``#subsystem#``) are not variables.
    """
    return dict(iter_v73(f))


def iter_v73(
    f: Any,
    wanted: "Collection[str] | None" = None,
    summary: bool = False,
    seen: "list[str] | None" = None,
) -> Iterator[tuple[str, Any]]:
    """The variables of an open v7.3 file one at a time: only those ``wanted``, if given.

    With ``summary``, cells, char arrays, objects and numeric arrays over the load budget come
    back as :class:`~nn3.mat._base.Summary` (class and size, contents unread). ``seen``
    receives every variable's name.
    """
    for name in member_names(f, "the file"):
        if name.startswith("#"):  # "#refs#" and "#subsystem#" hold MATLAB's internals
            continue
        if seen is not None:
            seen.append(name)
        if wanted is not None and name not in wanted:
            continue
        where = f"variable '{shown(name)}'"
        obj = hard_member(f, name, where)
        brief = _summary(obj) if summary else None
        yield name, brief if brief is not None else _Reader(f).value(obj, 0, where)


def _summary(obj):
    """A :class:`Summary` of a variable whose contents a summary does not need, else None."""
    import h5py

    if not isinstance(obj, h5py.Dataset) or read_attr(obj, "MATLAB_empty"):
        return None
    cls = read_attr(obj, "MATLAB_class")
    size = matlab_shape(obj.shape[::-1]) if obj.shape is not None else (0, 0)
    if cls in ("cell", "char") or "MATLAB_object_decode" in obj.attrs:
        return Summary(cls if cls in ("cell", "char") else "object", size)
    if cls in CLASS_DTYPES or cls == "logical":
        if not budget().fits(dataset_nbytes(obj)):
            return Summary(cls, size, reason="over the load budget")
    return None


class _Reader:
    """Reads values of one file, following each reference target once (see :meth:`deref`)."""

    def __init__(self, f):
        self.f = f
        #: object address -> (raw value, items and bytes its reading charged)
        self.memo: dict[int, tuple[Any, int, int]] = {}

    def deref(self, ref, depth, where):
        """A reference's target, read once per object however many references point to it.

        A file can point many references at one object (MATLAB never does): its value is read
        the first time, and each further reference charges the budget what the first reading
        did (items and bytes) and gets a copy, so that a tree of 1000 references to 1000
        references to ... is refused after a few thousand steps instead of followed 10**9 times.
        """
        import h5py

        if not ref:
            raise FileContentError(f"{where}: a null reference")
        target = self.f[ref]
        key = h5py.h5o.get_info(target.id).addr
        spent = budget()
        if key in self.memo:
            value, items, nbytes = self.memo[key]
            spent.charge_items(items, f"{where} (references to one object)")
            spent.charge_bytes(nbytes, f"{where} (references to one object)")
            return copy.deepcopy(value)
        items, nbytes = spent.used_items, spent.used_bytes
        value = self.value(target, depth + 1, where)
        self.memo[key] = (value, spent.used_items - items, spent.used_bytes - nbytes)
        return value

    def value(self, obj, depth, where):
        return _value(self, obj, depth, where)


def _fields(group):
    """Field names of a struct group.

    MATLAB's ``MATLAB_fields`` attribute (the field order) is a variable-length attribute, and
    the HDF5 library can hang on a corrupt one, so it is not read: fields come in HDF5's order.
    """
    return member_names(group, "a struct")


def _value(reader, obj, depth, where):
    import h5py

    if depth > MAX_DEPTH:
        raise FileContentError(f"{where}: cells or structs nested too deeply")
    cls = read_attr(obj, "MATLAB_class")
    if isinstance(obj, h5py.Group):
        if "MATLAB_sparse" in obj.attrs:
            return _sparse(obj, cls, where)
        if cls not in (None, "struct"):
            return MatlabObject(cls)
        fields = _fields(obj)
        members = {name: hard_member(obj, name, f"{where}.{shown(name)}") for name in fields}
        is_array = bool(members) and all(
            isinstance(m, h5py.Dataset)
            and m.dtype == h5py.ref_dtype
            and "MATLAB_class" not in m.attrs
            for m in members.values()
        )
        if not is_array:
            return {
                name: _value(reader, m, depth + 1, f"{where}.{shown(name)}")
                for name, m in members.items()
            }
        # A struct array: each field is a dataset of references, one per element.
        refs = {name: dataset_data(m, f"{where}.{shown(name)}") for name, m in members.items()}
        shapes = {np.shape(r) for r in refs.values()}
        if len(shapes) != 1:
            raise FileContentError(f"{where}: struct array fields of different sizes")
        shape = next(iter(shapes))
        budget().charge_items(
            int(np.prod(shape)) * len(refs), f"{where}, a {format_size(shape[::-1])} struct,"
        )
        items = np.empty(shape, dtype=object)
        for idx in np.ndindex(shape):
            items[idx] = {
                name: reader.deref(r[idx], depth, f"{where}.{shown(name)}")
                for name, r in refs.items()
            }
        items = np.transpose(items)
        return items.flat[0] if items.size == 1 else items
    if "MATLAB_object_decode" in obj.attrs:
        return MatlabObject(cls or "object")
    if read_attr(obj, "MATLAB_empty"):
        return _empty(obj, cls, where)
    data = dataset_data(obj, where)
    if cls == "cell" or (cls is None and obj.dtype == h5py.ref_dtype):
        if obj.dtype != h5py.ref_dtype:
            raise FileContentError(f"{where}: cell array without references")
        budget().charge_items(
            int(np.size(data)), f"{where}, a {format_size(np.shape(data)[::-1])} cell array,"
        )
        cells = np.empty(np.shape(data), dtype=object)
        for idx in np.ndindex(cells.shape):
            cells[idx] = reader.deref(data[idx], depth, f"{where}{{...}}")
        return np.transpose(cells)
    if obj.dtype == h5py.ref_dtype:
        raise FileContentError(f"{where}: references where class '{cls}' needs numbers")
    if cls == "canonical empty":
        return np.zeros((0, 0))
    data = from_compound(data)
    if data.dtype.names:
        return MatlabObject(cls or "compound")
    if data.dtype.kind in "SUO":
        if cls is None:
            return RawChar(np.array([[ord(c) for c in join_text(data)]]))
        raise FileContentError(f"{where}: text where class '{cls}' needs numbers")
    if data.dtype.kind not in "biufc":
        return MatlabObject(cls or str(data.dtype))
    arr = np.transpose(np.asarray(data))
    if cls == "char":
        if arr.dtype.kind not in "iu":
            raise FileContentError(f"{where}: char data stored as {arr.dtype}")
        return RawChar(arr)
    if cls == "logical":
        return arr != 0
    if cls in CLASS_DTYPES:
        if arr.dtype.kind == "c":
            ctype = np.complex64 if cls == "single" else np.complex128
            return arr.astype(ctype, copy=False)
        return to_class(arr, CLASS_DTYPES[cls], where, cls)
    if cls is None:
        return arr
    return MatlabObject(cls)


def _empty(obj, cls, where):
    """An empty array: MATLAB stores its dimensions as the data."""
    if obj.size is None or obj.size > 32:
        raise FileContentError(f"{where}: bad dimensions of an empty array")
    dims = np.asarray(obj[()]).reshape(-1)
    if dims.dtype.kind not in "iu" or dims.size < 1:
        raise FileContentError(f"{where}: bad dimensions of an empty array")
    dims = tuple(int(d) for d in dims)
    if len(dims) == 1:
        dims = (dims[0], 0) if dims[0] else (0, 0)
    if any(d < 0 for d in dims) or 0 not in dims:
        raise FileContentError(f"{where}: an empty array with size {format_size(dims)}")
    if cls == "char":
        return RawChar(np.zeros(dims, dtype=np.uint16))
    if cls in ("cell", "struct"):
        return np.empty(dims, dtype=object)
    if cls == "logical":
        return np.zeros(dims, dtype=bool)
    return np.zeros(dims, dtype=CLASS_DTYPES.get(cls, np.float64))


def _sparse(group, cls, where):
    import scipy.sparse

    n_rows = read_attr(group, "MATLAB_sparse")
    if not isinstance(n_rows, int) or n_rows < 0:
        raise FileContentError(f"{where}: bad sparse matrix row count")
    if not has_member(group, "jc"):
        raise FileContentError(f"{where}: sparse matrix without column starts")
    jc = hard_member(group, "jc", f"{where}.jc")
    jc = np.asarray(dataset_data(jc, f"{where}.jc")).reshape(-1).astype(np.int64)
    n_cols = jc.size - 1
    if n_cols < 0 or jc[0] != 0 or np.any(np.diff(jc) < 0):
        raise FileContentError(f"{where}: sparse column starts are not increasing")
    nnz = int(jc[-1])
    if nnz:
        if not (has_member(group, "ir") and has_member(group, "data")):
            raise FileContentError(f"{where}: sparse matrix without row indices or values")
        ir = dataset_data(hard_member(group, "ir", f"{where}.ir"), f"{where}.ir")
        ir = np.asarray(ir).reshape(-1).astype(np.int64)
        data = dataset_data(hard_member(group, "data", f"{where}.data"), f"{where}.data")
        values = from_compound(np.asarray(data))
        values = values.reshape(-1)
        if ir.size < nnz or values.size < nnz:
            raise FileContentError(
                f"{where}: sparse matrix has fewer entries than its columns claim"
            )
        ir, values = ir[:nnz], values[:nnz]
        if ir.min() < 0 or ir.max() >= n_rows:
            raise FileContentError(f"{where}: sparse row index out of range")
    else:
        ir, values = np.zeros(0, np.int64), np.zeros(0)
    if cls == "logical":
        values = values != 0
    elif values.dtype.kind in "iub":
        values = values.astype(np.float64)
    return scipy.sparse.csc_matrix((values, ir, jc), shape=(n_rows, n_cols))
