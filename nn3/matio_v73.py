"""MATLAB v7.3 .mat files (HDF5): reading, writing as MATLAB does, and GNU Octave's HDF5 files.

The v7.3 layout (MATLAB's ``save -v7.3``), as written here and read back:

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

Reading returns raw values in MATLAB's size; :func:`nn3.matio._normalise` finishes them.
Links to other files, external raw storage and virtual datasets are refused.
"""

import numpy as np

from .matio import (
    MAX_DEPTH,
    MAX_ELEMENTS,
    MatlabObject,
    _Bad,
    _Char,
    _dtype_class,
    _str_codes,
    format_size,
)

_CLASSES = {
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
}


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_hdf5(path):
    """The variables of a v7.3 (or GNU Octave ``-hdf5``) file, raw, in MATLAB's size.

    Parameters
    ----------
    path : str

    Returns
    -------
    dict
        Name to raw value (see :mod:`nn3.matio` for what :func:`~nn3.matio.load_mat` makes of it).
    """
    import h5py

    with h5py.File(path, "r") as f:
        names = _names(f, "the file")
        if names and all(_is_octave(f, name) for name in names):
            return {name: _octave_value(f[name], 0, f"variable '{name}'") for name in names}
        out = {}
        for name in names:
            if name.startswith("#"):  # "#refs#" and "#subsystem#" hold MATLAB's internals
                continue
            out[name] = _value(f, _member(f, name, f"variable '{name}'"), 0, f"variable '{name}'")
        return out


def _names(group, where):
    """The member names of a group; h5py gives a name that is not UTF-8 as bytes: refused."""
    names = list(group.keys())
    for name in names:
        if not isinstance(name, str):
            raise _Bad(f"{where}: a member name is not valid UTF-8 text ({bytes(name)[:40]!r})")
    return names


def _member(group, name, where):
    import h5py

    link = group.get(name, getlink=True)
    if not isinstance(link, h5py.HardLink):
        raise _Bad(f"{where} is a link ({type(link).__name__}); nn3 does not follow links")
    return group[name]


def _attr(obj, name):
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


def _dataset_data(obj, where):
    """A dataset's contents, after refusing absurd sizes, external storage and virtual data."""
    import h5py

    if obj.is_virtual:
        raise _Bad(f"{where} is a virtual dataset (data in other files); nn3 does not read those")
    if obj.external:
        raise _Bad(f"{where} keeps its data in an external file; nn3 does not read those")
    n = int(obj.size) if obj.shape is not None else 0
    if n > MAX_ELEMENTS:
        raise _Bad(
            f"{where} claims {format_size(obj.shape[::-1])} = {n} elements, more than nn3 reads "
            f"(nn3.matio.MAX_ELEMENTS = {MAX_ELEMENTS}); refused before allocating"
        )
    plist = obj.id.get_create_plist()
    if n and plist.get_layout() == h5py.h5d.CONTIGUOUS:
        stored = obj.id.get_storage_size()
        need = n * obj.dtype.itemsize
        if 0 < stored < need:
            raise _Bad(f"{where}: {stored} bytes stored for {need} bytes of data (truncated)")
    if obj.shape is None:  # HDF5 null dataspace
        return np.zeros((0, 0))
    return obj[()]


def _fields(group):
    """Field names of a struct group.

    MATLAB's ``MATLAB_fields`` attribute (the field order) is a variable-length attribute, and
    the HDF5 library can hang on a corrupt one, so it is not read: fields come in HDF5's order.
    """
    return _names(group, "a struct")


def _deref(f, ref, depth, where):
    if not ref:
        raise _Bad(f"{where}: a null reference")
    target = f[ref]
    return _value(f, target, depth + 1, where)


def _value(f, obj, depth, where):
    import h5py

    if depth > MAX_DEPTH:
        raise _Bad(f"{where}: cells or structs nested too deeply")
    cls = _attr(obj, "MATLAB_class")
    if isinstance(obj, h5py.Group):
        if "MATLAB_sparse" in obj.attrs:
            return _sparse(obj, cls, where)
        if cls not in (None, "struct"):
            return MatlabObject(cls)
        fields = _fields(obj)
        members = {name: _member(obj, name, f"{where}.{name}") for name in fields}
        is_array = bool(members) and all(
            isinstance(m, h5py.Dataset)
            and m.dtype == h5py.ref_dtype
            and "MATLAB_class" not in m.attrs
            for m in members.values()
        )
        if not is_array:
            return {name: _value(f, m, depth + 1, f"{where}.{name}") for name, m in members.items()}
        # A struct array: each field is a dataset of references, one per element.
        refs = {name: _dataset_data(m, f"{where}.{name}") for name, m in members.items()}
        shapes = {np.shape(r) for r in refs.values()}
        if len(shapes) != 1:
            raise _Bad(f"{where}: struct array fields of different sizes")
        shape = next(iter(shapes))
        items = np.empty(shape, dtype=object)
        for idx in np.ndindex(shape):
            items[idx] = {
                name: _deref(f, r[idx], depth, f"{where}.{name}") for name, r in refs.items()
            }
        items = np.transpose(items)
        return items.flat[0] if items.size == 1 else items
    if "MATLAB_object_decode" in obj.attrs:
        return MatlabObject(cls or "object")
    if _attr(obj, "MATLAB_empty"):
        return _empty(obj, cls, where)
    data = _dataset_data(obj, where)
    if cls == "cell" or (cls is None and obj.dtype == h5py.ref_dtype):
        if obj.dtype != h5py.ref_dtype:
            raise _Bad(f"{where}: cell array without references")
        cells = np.empty(np.shape(data), dtype=object)
        for idx in np.ndindex(cells.shape):
            cells[idx] = _deref(f, data[idx], depth, f"{where}{{...}}")
        return np.transpose(cells)
    if obj.dtype == h5py.ref_dtype:
        raise _Bad(f"{where}: references where class '{cls}' needs numbers")
    if cls == "canonical empty":
        return np.zeros((0, 0))
    data = _from_compound(data)
    if data.dtype.names:
        return MatlabObject(cls or "compound")
    if data.dtype.kind in "SUO":
        if cls is None:
            return _Char(np.array([[ord(c) for c in _text(data)]]))
        raise _Bad(f"{where}: text where class '{cls}' needs numbers")
    if data.dtype.kind not in "biufc":
        return MatlabObject(cls or str(data.dtype))
    arr = np.transpose(np.asarray(data))
    if cls == "char":
        if arr.dtype.kind not in "iu":
            raise _Bad(f"{where}: char data stored as {arr.dtype}")
        return _Char(arr)
    if cls == "logical":
        return arr != 0
    if cls in _CLASSES:
        if arr.dtype.kind == "c":
            ctype = np.complex64 if cls == "single" else np.complex128
            return arr.astype(ctype, copy=False)
        return arr.astype(_CLASSES[cls], copy=False)
    if cls is None:
        return arr
    return MatlabObject(cls)


def _from_compound(data):
    """Complex data stored as a compound of ``real`` and ``imag`` as a complex array."""
    names = np.asarray(data).dtype.names
    if names and {"real", "imag"} <= set(names):
        return data["real"] + 1j * data["imag"]
    return data


def _to_compound(values):
    """Complex values as MATLAB stores them: a compound of ``real`` and ``imag``."""
    part = values.real.dtype
    packed = np.empty(values.shape, dtype=[("real", part), ("imag", part)])
    packed["real"], packed["imag"] = values.real, values.imag
    return packed


def _text(data):
    value = np.asarray(data).reshape(-1)
    parts = []
    for item in value:
        parts.append(item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item))
    return "".join(parts)


def _empty(obj, cls, where):
    """An empty array: MATLAB stores its dimensions as the data."""
    if obj.size is None or obj.size > 32:
        raise _Bad(f"{where}: bad dimensions of an empty array")
    dims = np.asarray(obj[()]).reshape(-1)
    if dims.dtype.kind not in "iu" or dims.size < 1:
        raise _Bad(f"{where}: bad dimensions of an empty array")
    dims = tuple(int(d) for d in dims)
    if len(dims) == 1:
        dims = (dims[0], 0) if dims[0] else (0, 0)
    if any(d < 0 for d in dims) or 0 not in dims:
        raise _Bad(f"{where}: an empty array with size {format_size(dims)}")
    if cls == "char":
        return _Char(np.zeros(dims, dtype=np.uint16))
    if cls in ("cell", "struct"):
        return np.empty(dims, dtype=object)
    if cls == "logical":
        return np.zeros(dims, dtype=bool)
    return np.zeros(dims, dtype=_CLASSES.get(cls, np.float64))


def _sparse(group, cls, where):
    import scipy.sparse

    n_rows = _attr(group, "MATLAB_sparse")
    if not isinstance(n_rows, int) or n_rows < 0:
        raise _Bad(f"{where}: bad sparse matrix row count")
    if "jc" not in group:
        raise _Bad(f"{where}: sparse matrix without column starts")
    jc = np.asarray(_dataset_data(group["jc"], f"{where}.jc")).reshape(-1).astype(np.int64)
    n_cols = jc.size - 1
    if n_cols < 0 or jc[0] != 0 or np.any(np.diff(jc) < 0):
        raise _Bad(f"{where}: sparse column starts are not increasing")
    nnz = int(jc[-1])
    if nnz:
        if "ir" not in group or "data" not in group:
            raise _Bad(f"{where}: sparse matrix without row indices or values")
        ir = np.asarray(_dataset_data(group["ir"], f"{where}.ir")).reshape(-1).astype(np.int64)
        values = _from_compound(np.asarray(_dataset_data(group["data"], f"{where}.data")))
        values = values.reshape(-1)
        if ir.size < nnz or values.size < nnz:
            raise _Bad(f"{where}: sparse matrix has fewer entries than its columns claim")
        ir, values = ir[:nnz], values[:nnz]
        if ir.min() < 0 or ir.max() >= n_rows:
            raise _Bad(f"{where}: sparse row index out of range")
    else:
        ir, values = np.zeros(0, np.int64), np.zeros(0)
    if cls == "logical":
        values = values != 0
    elif values.dtype.kind in "iub":
        values = values.astype(np.float64)
    return scipy.sparse.csc_matrix((values, ir, jc), shape=(n_rows, n_cols))


# GNU Octave's own HDF5 layout (save -hdf5): a group per variable with "type" and "value".

_OCTAVE_INT = {
    f"{k} {shape}": v
    for k, v in _CLASSES.items()
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


def _octave_value(group, depth, where):
    import h5py

    if depth > MAX_DEPTH:
        raise _Bad(f"{where}: cells or structs nested too deeply")
    kind = _text(_dataset_data(_member(group, "type", where), where)).strip()
    value = _member(group, "value", where)
    empty = bool(_attr(group, "OCTAVE_EMPTY_MATRIX"))
    if kind == "scalar struct":
        if not isinstance(value, h5py.Group):
            raise _Bad(f"{where}: Octave struct without fields")
        return {
            name: _octave_value(_member(value, name, where), depth + 1, f"{where}.{name}")
            for name in _names(value, where)
        }
    if kind == "cell":
        return _octave_cell(value, depth, where)
    if kind == "struct":
        fields = {
            name: _octave_value(_member(value, name, where), depth + 1, f"{where}.{name}")
            for name in _names(value, where)
            if name != "dims"
        }
        cells = list(fields.values())
        if not cells or not all(isinstance(c, np.ndarray) and c.dtype == object for c in cells):
            raise _Bad(f"{where}: Octave struct array without cell fields")
        shape = cells[0].shape
        items = np.empty(shape, dtype=object)
        for idx in np.ndindex(shape):
            items[idx] = {name: c[idx] for name, c in fields.items()}
        return items.flat[0] if items.size == 1 else items
    if not isinstance(value, h5py.Dataset):
        raise _Bad(f"{where}: Octave value of type '{kind}' is not a dataset")
    data = _dataset_data(value, where)
    if empty:
        dims = tuple(int(d) for d in np.asarray(data).reshape(-1))
        if 0 not in dims or any(d < 0 for d in dims):
            raise _Bad(f"{where}: bad dimensions of an empty array")
        if kind in ("string", "sq_string"):
            return _Char(np.zeros(dims, dtype=np.uint16))
        return np.zeros(dims, dtype=bool if kind.startswith("bool") else np.float64)
    if kind.endswith("range"):
        nelem = _attr(value, "OCTAVE_RANGE_NELEM")
        if data.dtype.names is None or not {"base", "increment"} <= set(data.dtype.names):
            raise _Bad(f"{where}: bad Octave range")
        if not isinstance(nelem, int) or not 0 <= nelem <= MAX_ELEMENTS:
            raise _Bad(f"{where}: bad Octave range length")
        base, inc = float(data["base"]), float(data["increment"])
        return (base + inc * np.arange(nelem, dtype=np.float64)).reshape(1, -1)
    arr = np.transpose(np.asarray(_from_compound(data)))
    if kind in ("string", "sq_string"):
        return _Char(arr.astype(np.int64) % 256)
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
            raise _Bad(f"{where}: Octave '{kind}' stored as {arr.dtype}")
        return arr
    raise _Bad(f"{where}: Octave HDF5 type '{kind}' is not supported (save with -v7 instead)")


def _octave_cell(value, depth, where):
    import h5py

    if not isinstance(value, h5py.Group) or "dims" not in value:
        raise _Bad(f"{where}: Octave cell without dimensions")
    dims = tuple(int(d) for d in np.asarray(_dataset_data(value["dims"], where)).reshape(-1))
    dims = dims[::-1]
    if any(d < 0 for d in dims) or int(np.prod(dims, dtype=object)) > MAX_ELEMENTS:
        raise _Bad(f"{where}: bad cell dimensions")
    n = int(np.prod(dims, dtype=object))
    if n > len(value.keys()):
        raise _Bad(f"{where}: Octave cell with fewer elements than its size")
    cells = np.empty(n, dtype=object)
    for i in range(n):
        cells[i] = _octave_value(_member(value, f"_{i}", where), depth + 1, f"{where}{{{i + 1}}}")
    return cells.reshape(dims, order="F")


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def write_v73(path, variables, header):
    """Write variables to ``path`` as a MATLAB v7.3 file (not atomic: see ``nn3.save_mat``).

    Parameters
    ----------
    path : str
        The (temporary) file to create.
    variables : dict
        Name to value, already checked and shaped by :func:`nn3.matio._prepare`.
    header : bytes
        128 bytes for the start of the userblock (``MATLAB 7.3 MAT-file ...``, ``00 02 I M``).
    """
    import h5py

    with h5py.File(path, "w", userblock_size=512, libver="earliest") as f:
        writer = _Writer(f)
        for name, value in variables.items():
            writer.write(f, name, value)
    with open(path, "r+b") as fh:
        fh.write(header.ljust(512, b"\x00")[:512])


def _string_type(text):
    import h5py

    tid = h5py.h5t.C_S1.copy()
    tid.set_size(max(len(text), 1))
    tid.set_strpad(h5py.h5t.STR_NULLTERM)
    return tid


def _set_class(obj, cls):
    """``MATLAB_class`` as MATLAB writes it: a fixed-length, NUL-terminated ASCII string."""
    import h5py

    raw = cls.encode("ascii")
    space = h5py.h5s.create(h5py.h5s.SCALAR)
    tid = _string_type(raw)
    attr = h5py.h5a.create(obj.id, b"MATLAB_class", tid, space)
    attr.write(np.array(raw, dtype=f"S{len(raw)}"), mtype=tid)


class _Writer:
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
            return self._char(group, name, _str_codes(value).astype(np.uint16))
        if isinstance(value, dict):
            sub = group.create_group(name)
            _set_class(sub, "struct")
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
        if value.dtype.kind == "U":  # single characters, all below U+10000 (see _prepare)
            return self._char(group, name, value.view(np.uint32).astype(np.uint16))
        if value.dtype.kind == "b":
            obj = self._array(group, name, value.astype(np.uint8), "logical")
            obj.attrs.create("MATLAB_int_decode", np.int32(1))
            return obj
        if value.dtype.kind == "c":
            return self._array(group, name, _to_compound(value), _dtype_class(value.dtype))
        return self._array(group, name, value, _dtype_class(value.dtype))

    def _char(self, group, name, codes):
        """A char array from its UTF-16 code units, in MATLAB's size."""
        obj = self._array(group, name, codes, "char")
        obj.attrs.create("MATLAB_int_decode", np.int32(2))
        return obj

    def _array(self, group, name, value, cls):
        if value.size == 0:
            dims = np.array(value.shape, dtype=np.uint64)
            obj = group.create_dataset(name, data=dims)
            _set_class(obj, cls)
            obj.attrs.create("MATLAB_empty", np.uint8(1))
            return obj
        data = np.ascontiguousarray(np.transpose(value))  # column-major: dimensions reversed
        options = {}
        if data.nbytes >= 1 << 16:
            options = {"compression": "gzip", "compression_opts": 3, "chunks": True}
        obj = group.create_dataset(name, data=data, **options)
        _set_class(obj, cls)
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
        _set_class(obj, "cell")
        return obj

    def _sparse(self, group, name, value):
        sub = group.create_group(name)
        is_logical = value.dtype.kind == "b"
        _set_class(sub, "logical" if is_logical else "double")  # MATLAB's sparse classes
        sub.attrs.create("MATLAB_sparse", np.uint64(value.shape[0]))
        value.sort_indices()
        sub.create_dataset("jc", data=value.indptr.astype(np.uint64))
        if value.nnz:
            sub.create_dataset("ir", data=value.indices.astype(np.uint64))
            data = value.data
            if is_logical:
                data = data.astype(np.uint8)
            elif data.dtype.kind == "c":
                data = _to_compound(data.astype(np.complex128))
            else:
                data = data.astype(np.float64)
            sub.create_dataset("data", data=data)
        if is_logical:
            sub.attrs.create("MATLAB_int_decode", np.int32(1))
        return sub
