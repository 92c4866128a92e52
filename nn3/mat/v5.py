"""MATLAB v5 .mat files (also v6 and v7): "Level 5 MAT-file" data elements, compressed or not.

nn3's own reader: a 128-byte header, then one ``miMATRIX`` (or zlib-compressed ``miCOMPRESSED``)
element per variable. Every size a file claims is checked against the bytes really there, a
compressed variable's size claim is checked before it is inflated, and claims over
:data:`~nn3.mat._base.MAX_ELEMENTS` are refused before anything is allocated. GNU Octave's
writers' quirks are accepted. Values come back raw, in MATLAB's size
(:func:`nn3.mat._normalise.normalise` finishes them).
"""

import math
import struct
import zlib
from collections.abc import Collection, Iterator
from typing import Any

import numpy as np

from ._base import (
    MAX_DEPTH,
    FileContentError,
    MatlabObject,
    RawChar,
    Summary,
    budget,
    check_count,
    format_size,
    shown,
    to_class,
)

_MI_DTYPES = {
    1: "i1",
    2: "u1",
    3: "i2",
    4: "u2",
    5: "i4",
    6: "u4",
    7: "f4",
    9: "f8",
    12: "i8",
    13: "u8",
}


_MI_MATRIX, _MI_COMPRESSED, _MI_UTF8, _MI_UTF16, _MI_UTF32 = 14, 15, 16, 17, 18


_MX_CLASSES = {
    6: np.float64,
    7: np.float32,
    8: np.int8,
    9: np.uint8,
    10: np.int16,
    11: np.uint16,
    12: np.int32,
    13: np.uint32,
    14: np.int64,
    15: np.uint64,
}


_CLASS_NAMES = {
    6: "double",
    7: "single",
    8: "int8",
    9: "uint8",
    10: "int16",
    11: "uint16",
    12: "int32",
    13: "uint32",
    14: "int64",
    15: "uint64",
}


_MX_CELL, _MX_STRUCT, _MX_OBJECT, _MX_CHAR, _MX_SPARSE = 1, 2, 3, 4, 5


_MX_FUNCTION, _MX_OPAQUE = 16, 17


class _V5:
    """A cursor over (decompressed) v5 bytes: ``data[pos:end]`` is what is left to read."""

    #: Where the last data element's payload starts (set by :meth:`element`).
    last_start: int
    #: Where the last matrix parsed at this cursor really ended (set by :func:`_matrix`).
    parsed_end: int

    def __init__(self, data, order, pos, end, where, owned=False):
        self.data = data
        self.order = order
        self.pos = pos
        self.end = end
        self.where = where
        #: Whether ``data`` is a buffer of this load's own (arrays may be views of it), not the
        #: file's bytes or memory map (arrays must then be copies).
        self.owned = owned

    def bad(self, problem):
        return FileContentError(f"corrupt v5 .mat file: {self.where}: {problem}")

    def element(self):
        """The next data element: (type, payload memoryview). Handles the small format."""
        if self.pos + 8 > self.end:
            raise self.bad("truncated (a data element is cut off)")
        w0, w1 = struct.unpack_from(self.order + "II", self.data, self.pos)
        if w0 >> 16:  # small data element: 2 bytes size, 2 bytes type, 4 bytes data
            mtype, nbytes = w0 & 0xFFFF, w0 >> 16
            if nbytes > 4:
                raise self.bad(f"small data element claims {nbytes} bytes (at most 4)")
            start = self.last_start = self.pos + 4
            self.pos += 8
            return mtype, self.data[start : start + nbytes]
        mtype, nbytes = w0, w1
        start = self.pos + 8
        if mtype == _MI_MATRIX and nbytes % 8 and 0 < nbytes - (self.end - start) < 8:
            nbytes = self.end - start  # GNU Octave's size quirk (see read_v5)
        self.last_start = start
        if nbytes > self.end - start:
            raise self.bad(
                f"a data element claims {nbytes} bytes but only {self.end - start} are left "
                "(truncated or corrupt)"
            )
        self.pos = min(start + nbytes + (-nbytes % 8), self.end)
        return mtype, self.data[start : start + nbytes]

    def numbers(self, expect=None, what="data"):
        mtype, payload = self.element()
        code = _MI_DTYPES.get(mtype)
        if code is None:
            raise self.bad(f"{what}: unexpected data type {mtype}")
        dtype = np.dtype(self.order + code)
        if len(payload) % dtype.itemsize:
            raise self.bad(f"{what}: {len(payload)} bytes is not a whole number of {code}")
        count = len(payload) // dtype.itemsize
        if expect is not None and count != expect:
            raise self.bad(f"{what}: {count} values where the size says {expect}")
        return np.frombuffer(payload, dtype=dtype, count=count)


def read_v5(data: bytes, wanted: "Collection[str] | None" = None) -> dict[str, Any]:
    """The variables of a v5 file's bytes, raw (all, or only the names in ``wanted``)."""
    return dict(iter_v5(data, wanted))


def iter_v5(
    data: Any,
    wanted: "Collection[str] | None" = None,
    summary: bool = False,
    seen: "list[str] | None" = None,
) -> Iterator[tuple[str, Any]]:
    """Each variable of a v5 file as ``(name, raw value)``, one at a time.

    Parameters
    ----------
    data : bytes-like
        The whole file (``bytes``, or a memory map: pages of variables not read stay unread).
    wanted : collection of str, optional
        Read only these variables. Every variable's name is learnt from its header alone: a
        compressed variable not wanted is decompressed only as far as its name, then skipped.
    summary : bool
        Cells, char arrays, objects and numeric arrays over the load budget come back as
        :class:`~nn3.mat._base.Summary` (class and size from the header, contents not read).
    seen : list, optional
        Receives every variable's name, read or skipped.
    """
    seen = [] if seen is None else seen
    if len(data) < 128:
        raise FileContentError(
            f"truncated .mat file: {len(data)} bytes, shorter than the 128-byte header"
        )
    order = "<" if bytes(data[126:128]) == b"IM" else ">"
    view = memoryview(data)
    pos = 128
    index = 0
    while pos < len(data):
        index += 1
        where = f"variable #{index}"
        if len(data) - pos < 8:
            raise FileContentError(
                f"truncated v5 .mat file: {len(data) - pos} stray bytes after the last variable"
            )
        mtype, nbytes = struct.unpack_from(order + "II", data, pos)
        start = pos + 8
        if mtype not in (_MI_COMPRESSED, _MI_MATRIX):
            raise FileContentError(
                f"corrupt v5 .mat file: {where} at byte {pos} is not a matrix "
                f"(element type {mtype})"
            )
        if nbytes > len(data) - start:
            kind = "compressed bytes" if mtype == _MI_COMPRESSED else "bytes"
            raise FileContentError(
                f"truncated v5 .mat file: {where} claims {nbytes} {kind} but only "
                f"{len(data) - start} are left"
            )
        next_pos: int | None
        if mtype == _MI_COMPRESSED:
            compressed = view[start : start + nbytes]
            header = _compressed_header(compressed, order, where)
            next_pos = start + nbytes
        else:
            first = view[start + 8 : start + min(nbytes, _HEADER_BYTES)]
            header = _Header.parse(first, order, where, nbytes)
            # GNU Octave's -v6 writer sometimes claims 4 bytes more than it writes for char
            # arrays; a size that is not a multiple of 8 cannot be right: trust the parse then.
            next_pos = start + nbytes if nbytes % 8 == 0 else None
        if header is not None and header.name:
            where = f"variable '{shown(header.name)}'"
            seen.append(header.name)
        skip = header is not None and (
            (wanted is not None and header.name not in wanted) or not header.name
        )
        if skip and next_pos is not None:
            pos = next_pos
            continue
        if summary and header is not None and next_pos is not None:
            brief = header.summary()
            if brief is not None:
                pos = next_pos
                yield header.name, brief
                continue
        if mtype == _MI_COMPRESSED:
            body = _inflate(compressed, order, where)
            # A memoryview: slicing it gives views, where slicing the bytearray would copy.
            cursor = _V5(memoryview(body), order, 0, len(body), where, owned=True)
            name, value = _matrix(cursor, 0, top=True)
            pos = start + nbytes
        else:
            cursor = _V5(view, order, pos, len(data), where)
            name, value = _matrix(cursor, 0, top=True)
            pos = next_pos if next_pos is not None else cursor.parsed_end
        if name and (header is None or not header.name):
            seen.append(name)
        if name and (wanted is None or name in wanted):  # unnamed: MATLAB's function workspace
            yield name, value
        # Hold nothing of this variable while the next one is read.
        value = body = cursor = compressed = None  # type: ignore[assignment]


#: The most zlib (deflate) can compress: about 1032 to 1.
_MAX_DEFLATE_RATIO = 1032


#: How many bytes of a variable hold its header (flags, dimensions, name) at most, for reading
#: names without reading values (a name longer than this: the variable is read to learn it).
_HEADER_BYTES = 4096


class _Header:
    """A v5 array's header: class, dimensions and name (from its first bytes)."""

    def __init__(self, mclass, flags, dims, name, nbytes):
        self.mclass, self.flags, self.dims, self.name = mclass, flags, dims, name
        self.nbytes = nbytes

    @classmethod
    def parse(cls, first, order, where, nbytes):
        """The header of an array from its payload's first bytes (None: cut short or odd)."""
        cur = _V5(first, order, 0, len(first), where)
        try:
            flags = cur.numbers(what="array flags")
            dims = cur.numbers(what="dimensions")
            _, raw_name = cur.element()
        except FileContentError:
            return None
        if flags.size < 2 or dims.dtype.kind not in "iu" or dims.size < 1:
            return None
        name = bytes(raw_name).rstrip(b"\x00").decode("utf-8", errors="replace")
        dims = tuple(int(x) for x in dims)
        if len(dims) == 1:
            dims = (dims[0], 1)
        return cls(int(flags[0]) & 0xFF, int(flags[0]), dims, name, nbytes)

    def summary(self):
        """A :class:`Summary` standing for the whole variable, or None: it must be read."""
        if any(d < 0 for d in self.dims):
            return None
        if self.mclass == _MX_CELL:
            return Summary("cell", self.dims)
        if self.mclass == _MX_CHAR:
            return Summary("char", self.dims)
        if self.mclass == _MX_OBJECT:
            return Summary("object", self.dims)
        if self.mclass in _MX_CLASSES and not budget().fits(self.nbytes):
            cls = "logical" if self.flags & 0x200 else _CLASS_NAMES[self.mclass]
            return Summary(cls, self.dims, reason="over the load budget")
        return None


def _compressed_header(compressed, order, where):
    """The header of a compressed variable, decompressing only as much as it takes to read it."""
    d = zlib.decompressobj()
    try:
        head = d.decompress(compressed, 8)
        if len(head) < 8:
            return None
        mtype, nbytes = struct.unpack(order + "II", head)
        if mtype != _MI_MATRIX:
            return None
        want = min(nbytes, _HEADER_BYTES)
        first = b""
        tail = d.unconsumed_tail
        while len(first) < want:
            more = d.decompress(tail, min(want - len(first), 256))
            tail = d.unconsumed_tail
            if not more:
                break
            first += more
            header = _Header.parse(first, order, where, nbytes)
            if header is not None:
                return header
    except zlib.error:
        return None  # the full read reports the damage
    return None


def _inflate(compressed, order, where):
    """Decompress one miCOMPRESSED element, checking the size it claims before inflating.

    The claimed size is charged to the load budget before the buffer is allocated; the element
    is decompressed straight into that buffer (no list of chunks joined at the end), and the
    values read from it are views of it, not copies.
    """
    d = zlib.decompressobj()
    try:
        head = d.decompress(compressed, 8)
        if len(head) < 8:
            raise FileContentError(f"corrupt v5 .mat file: {where}: compressed data too short")
        mtype, nbytes = struct.unpack(order + "II", head)
        if mtype != _MI_MATRIX:
            raise FileContentError(
                f"corrupt v5 .mat file: {where}: compressed element is not a matrix"
            )
        # Inflate the array's header first: its size claim is checked before the rest.
        first = d.decompress(d.unconsumed_tail, min(nbytes, 512))
        _peek_size(first, order, where)
        if nbytes > _MAX_DEFLATE_RATIO * len(compressed) + 1024:
            raise FileContentError(
                f"corrupt v5 .mat file: {where}: claims {nbytes} bytes, more than its "
                f"{len(compressed)} compressed bytes can hold (truncated or forged)"
            )
        budget().charge_bytes(nbytes, f"{where} (decompressed)")
        body = bytearray(nbytes + 8)
        body[:8] = head
        body[8 : 8 + len(first)] = first
        got = 8 + len(first)
        tail = d.unconsumed_tail
        while got < nbytes + 8:
            chunk = d.decompress(tail, min(nbytes + 8 - got, 1 << 24))
            tail = d.unconsumed_tail
            if not chunk:
                break
            body[got : got + len(chunk)] = chunk
            got += len(chunk)
        quirk = nbytes % 8 and nbytes + 8 - got < 8  # GNU Octave's size quirk (see iter_v5)
        if got < nbytes + 8 and not (quirk and d.eof):
            raise FileContentError(
                f"corrupt v5 .mat file: {where}: compressed data hold {got - 8} bytes, "
                f"the element claims {nbytes} (truncated)"
            )
        if got < nbytes + 8:
            del body[got:]
        # Reading to the end verifies zlib's checksum.
        rest = d.decompress(tail, 64)
        if not d.eof and not rest:
            rest = d.flush()
        if rest.strip(b"\x00") or not d.eof:
            raise FileContentError(
                f"corrupt v5 .mat file: {where}: compressed data do not end where expected"
            )
    except zlib.error as exc:
        raise FileContentError(
            f"corrupt v5 .mat file: {where}: compressed data are damaged ({exc})"
        ) from None
    return body


def _peek_size(first, order, where):
    """Refuse an array whose header (flags, dimensions, name) claims too many elements."""
    cur = _V5(first, order, 0, len(first), where)
    try:
        flags = cur.numbers(what="array flags")
        dims = cur.numbers(what="dimensions")
        _, raw_name = cur.element()
    except FileContentError:
        return  # a header cut short here: the full parse reports what is wrong
    if flags.size < 2 or dims.dtype.kind not in "iu" or (int(flags[0]) & 0xFF) == _MX_SPARSE:
        return
    name = bytes(raw_name).rstrip(b"\x00").decode("utf-8", errors="replace")
    dims = tuple(int(x) for x in dims)
    check_count(math.prod(dims), dims, f"variable '{shown(name)}'" if name else where)


def _matrix(cur, depth, top=False):
    """One miMATRIX element at the cursor: (name, raw value in MATLAB's size)."""
    if depth > MAX_DEPTH:
        raise cur.bad("cells or structs nested too deeply")
    mtype, payload = cur.element()
    if mtype != _MI_MATRIX:
        raise cur.bad(f"expected a matrix, found element type {mtype}")
    if not len(payload):
        return "", np.zeros((0, 0))  # MATLAB writes [] inside cells and structs this way
    payload_start = cur.last_start
    inner = _V5(payload, cur.order, 0, len(payload), cur.where, owned=cur.owned)
    result = _matrix_body(cur, inner, depth, top)
    cur.parsed_end = payload_start + inner.pos
    return result


def _matrix_body(cur, inner, depth, top):
    """The contents of a miMATRIX element: flags, dimensions, name, then the class's data."""
    payload = inner.data
    flags = inner.numbers(what="array flags")
    if flags.size < 2:
        raise inner.bad("array flags too short")
    mclass = int(flags[0]) & 0xFF
    is_complex = bool(int(flags[0]) & 0x800)
    is_logical = bool(int(flags[0]) & 0x200)
    nzmax = int(flags[1])
    dims_arr = inner.numbers(what="dimensions")
    if dims_arr.dtype.kind not in "iu" or dims_arr.size < 1:
        raise inner.bad("bad dimensions")
    dims = tuple(int(d) for d in dims_arr)
    if len(dims) == 1:
        dims = (dims[0], 1)
    if any(d < 0 for d in dims):
        raise inner.bad(f"negative dimension in {dims}")
    mtype, raw_name = inner.element()
    name = bytes(raw_name).rstrip(b"\x00").decode("utf-8", errors="replace")
    if top and name:
        cur.where = inner.where = f"variable '{shown(name)}'"
    n = math.prod(dims)
    what = f"{inner.where}" if not name or top else f"{inner.where}, field '{shown(name)}'"
    if mclass in _MX_CLASSES:
        check_count(n, dims, what)
        real = inner.numbers(expect=n, what="real part")
        target = np.dtype(_MX_CLASSES[mclass])
        if is_complex or is_logical or real.dtype != target or not inner.owned:
            # A new array (else a view of this load's decompressed buffer, charged already).
            budget().charge_bytes(n * target.itemsize * (2 if is_complex else 1), what)
        value = to_class(real, target, what, _CLASS_NAMES[mclass])
        if value is real and not inner.owned:
            value = value.copy()  # never a view of the file's bytes or memory map
        if is_complex:
            imag = inner.numbers(expect=n, what="imaginary part")
            imag = to_class(imag, target, what, _CLASS_NAMES[mclass])
            ctype = np.complex64 if mclass == 7 else np.complex128
            value = value.astype(ctype) + 1j * imag.astype(ctype)
        if is_logical:
            value = value != 0
        return name, value.reshape(dims, order="F")
    if mclass == _MX_CHAR:
        check_count(n, dims, what)
        budget().charge_bytes(16 * n, f"{what} ({n} characters)")
        return name, RawChar(_v5_chars(inner, n).reshape(dims, order="F"))
    if mclass == _MX_SPARSE:
        return name, _v5_sparse(inner, dims, nzmax, is_complex, is_logical)
    if mclass == _MX_CELL:
        check_count(n, dims, what)
        if n * 8 > inner.end - inner.pos:
            raise inner.bad(f"a {format_size(dims)} cell array cannot fit in {len(payload)} bytes")
        budget().charge_items(n, f"{what}, a {format_size(dims)} cell array,")
        cells = np.empty(n, dtype=object)
        for i in range(n):
            cells[i] = _matrix(inner, depth + 1)[1]
        return name, cells.reshape(dims, order="F")
    if mclass in (_MX_STRUCT, _MX_OBJECT):
        class_name = None
        if mclass == _MX_OBJECT:
            _, raw = inner.element()
            class_name = bytes(raw).rstrip(b"\x00").decode("utf-8", errors="replace")
        check_count(n, dims, what)
        length = inner.numbers(what="field name length")
        if length.size != 1 or not 0 < int(length[0]) <= 4096:
            raise inner.bad("bad struct field name length")
        length = int(length[0])
        _, raw = inner.element()
        if len(raw) % length:
            raise inner.bad("struct field names do not fill whole slots")
        fields = [
            bytes(raw[i : i + length]).split(b"\x00", 1)[0].decode("utf-8", errors="replace")
            for i in range(0, len(raw), length)
        ]
        if n * len(fields) * 8 > inner.end - inner.pos:
            raise inner.bad(
                f"a {format_size(dims)} struct array cannot fit in {len(payload)} bytes"
            )
        budget().charge_items(n * max(1, len(fields)), f"{what}, a {format_size(dims)} struct,")
        items = np.empty(n, dtype=object)
        for i in range(n):
            items[i] = {f: _matrix(inner, depth + 1)[1] for f in fields}
        if class_name is not None:
            return name, MatlabObject(class_name)
        if n == 1:
            return name, items[0]
        return name, items.reshape(dims, order="F")
    if mclass in (_MX_FUNCTION, _MX_OPAQUE):
        return name, MatlabObject("function_handle" if mclass == _MX_FUNCTION else "opaque")
    raise inner.bad(f"unknown array class {mclass}")


def _v5_chars(cur, n):
    mtype, payload = cur.element()
    raw = bytes(payload)
    if mtype == _MI_UTF8:
        text = raw.decode("utf-8", errors="replace")
        codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        if codes.size != n and len(raw) == n:  # not UTF-8 after all: one byte per character
            codes = np.frombuffer(raw, dtype=np.uint8).astype(np.uint32)
    elif mtype in (1, 2):
        codes = np.frombuffer(raw, dtype=np.uint8).astype(np.uint32)
    elif mtype in (_MI_UTF16, 4, 3):
        if len(raw) % 2:
            raise cur.bad("odd number of bytes in UTF-16 char data")
        codes = np.frombuffer(raw, dtype=cur.order + "u2").astype(np.uint32)
    elif mtype in (_MI_UTF32, 5, 6):
        if len(raw) % 4:
            raise cur.bad("char data not a whole number of 4-byte codes")
        codes = np.frombuffer(raw, dtype=cur.order + "u4").astype(np.uint32)
    elif mtype in _MI_DTYPES:  # Octave and old MATLAB versions: char stored as numbers
        code = _MI_DTYPES[mtype]
        dtype = np.dtype(cur.order + code)
        if len(raw) % dtype.itemsize:
            raise cur.bad("char data not a whole number of codes")
        values = np.frombuffer(raw, dtype=dtype).astype(np.float64)
        codes = np.clip(np.nan_to_num(values), 0, 0x10FFFF).astype(np.int64)
    else:
        raise cur.bad(f"char data of unexpected type {mtype}")
    if codes.size != n:
        raise cur.bad(f"char data hold {codes.size} characters where the size says {n}")
    return codes


def _v5_sparse(cur, dims, nzmax, is_complex, is_logical):
    import scipy.sparse

    if len(dims) != 2:
        raise cur.bad(f"sparse matrix with {len(dims)} dimensions")
    m, n = dims
    ir = cur.numbers(what="sparse row indices").astype(np.int64)
    jc = cur.numbers(what="sparse column starts").astype(np.int64)
    if jc.size < n + 1:
        raise cur.bad(f"sparse column starts: {jc.size} values for {n} columns")
    jc = jc[: n + 1]
    nnz = int(jc[-1])
    if jc[0] != 0 or np.any(np.diff(jc) < 0) or nnz > ir.size:
        raise cur.bad("sparse column starts are not increasing or exceed the row indices")
    ir = ir[:nnz]
    if nnz and (ir.min() < 0 or ir.max() >= m):
        raise cur.bad("sparse row index out of range")
    values = cur.numbers(what="sparse values")
    if values.size < nnz:
        raise cur.bad(f"sparse values: {values.size} for {nnz} entries")
    values = values[:nnz].astype(np.float64)
    if is_complex:
        imag = cur.numbers(what="sparse imaginary values")
        if imag.size < nnz:
            raise cur.bad("sparse imaginary values too few")
        values = values + 1j * imag[:nnz].astype(np.float64)
    if is_logical:
        values = values != 0
    return scipy.sparse.csc_matrix((values, ir, jc), shape=(m, n))
