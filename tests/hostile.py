"""Hostile .mat and text files, built small, and a runner measuring what nn3 pays for each.

Each builder writes a file of a few kilobytes (or at most a few megabytes) that claims much more:
a compressed variable of 10**8 zeros, a cell of 2*10**7 empty matrices, a v7.3 dataset whose
chunks were never written, a tree of 10**9 references, an Octave range of 2*10**8 elements, a
sparse matrix of 2**28 rows; and text files: 900 MB of NUL bytes on one line (a sparse file,
nothing on disk), 27 MB holding 3,000,000 numbers on one line. :data:`CASES` pairs each with the
nn3 command a user would run on it. ``python tests/hostile.py [NAME ...]`` runs each command in a
child process and prints its exit status, peak RSS and wall time (the before/after figures
quoted in ``tests/test_hostile_files.py``).

Used by ``tests/test_hostile_files.py`` (memory-capped runs) and ``tests/test_bad_input.py``.
"""

import os
import resource
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import h5py
import numpy as np

X_GOOD = np.random.default_rng(14).random((20, 3))
Y_GOOD = np.array([1, 2] * 10, dtype=np.float64).reshape(-1, 1)

_HEADER = b"MATLAB 5.0 MAT-file, hostile test file".ljust(116) + b"\0" * 8 + b"\x00\x01IM"


def _element(mtype, payload):
    return struct.pack("<II", mtype, len(payload)) + payload + b"\0" * (-len(payload) % 8)


def _matrix_head(mclass, dims, name, data_type=None, data_bytes=0):
    """A miMATRIX's tag and header (flags, dims, name) for a payload of ``data_bytes`` more."""
    head = (
        _element(6, struct.pack("<II", mclass, 0))
        + _element(5, struct.pack(f"<{len(dims)}i", *dims))
        + _element(1, name)
    )
    if data_type is not None:
        head += struct.pack("<II", data_type, data_bytes)
        data_bytes += -data_bytes % 8
    return struct.pack("<II", 14, len(head) + data_bytes) + head


def _compressed(pieces):
    """One miCOMPRESSED element from an iterable of byte strings (compressed as they come)."""
    z = zlib.compressobj(9)
    out = [z.compress(p) for p in pieces]
    out.append(z.flush())
    body = b"".join(out)
    return struct.pack("<II", 15, len(body)) + body


def _zeros(nbytes, chunk=1 << 22):
    zero = bytes(chunk)
    while nbytes > 0:
        yield zero[: min(chunk, nbytes)]
        nbytes -= chunk


def v5_zeros(name, n):
    """A compressed 1 x n double variable of zeros."""
    return _compressed([_matrix_head(6, (1, n), name, 9, 8 * n), *_zeros(8 * n)])


def v5_good(X=X_GOOD, y=Y_GOOD):
    """X and y as uncompressed v5 elements."""
    out = b""
    for name, value in ((b"X", X), (b"y", y)):
        data = np.asarray(value, dtype="<f8").tobytes(order="F")
        out += _matrix_head(6, value.shape, name, 9, len(data)) + data
    return out


def v5_file(path, *elements):
    Path(path).write_bytes(_HEADER + b"".join(elements))
    return Path(path)


def unused_zeros(tmp):
    """0.8 MB: X, y and Z, a compressed 1x10**8 double of zeros the command never uses."""
    return v5_file(tmp / "unused_zeros.mat", v5_good(), v5_zeros(b"Z", 10**8))


def four_400mb(tmp):
    """1.6 MB: four compressed 1x5*10**7 double variables (400 MB each)."""
    return v5_file(tmp / "four.mat", *(v5_zeros(b"Z%d" % i, 5 * 10**7) for i in range(4)))


def empty_cell(tmp, name=b"C"):
    """230 KB: a 1x2*10**7 cell of empty matrices (MATLAB writes each as an 8-byte element)."""
    n = 2 * 10**7
    empty = struct.pack("<II", 14, 0)
    return v5_file(
        tmp / "empty_cell.mat",
        v5_good(),
        _compressed([_matrix_head(1, (1, n), name, None, 8 * n), *(empty * 10**6,) * 20]),
    )


def long_char(tmp):
    """100 KB: a compressed 1x10**8 char (UTF-8 'a's) beside X and y."""
    n = 10**8
    return v5_file(
        tmp / "long_char.mat",
        v5_good(),
        _compressed(
            [
                _matrix_head(4, (1, n), b"s", 16, n),
                *(b"a" * (1 << 22),) * 23,
                b"a" * (n - 23 * (1 << 22)),
                bytes(-n % 8),
            ]
        ),
    )


def _v73_good(f):
    for name, value in (("X", X_GOOD), ("y", Y_GOOD)):
        d = f.create_dataset(name, data=value.T)
        d.attrs["MATLAB_class"] = np.bytes_(b"double")


def _v73(path):
    """An h5py file with MATLAB's 512-byte userblock and header."""
    f = h5py.File(path, "w", userblock_size=512)
    return f


def _v73_header(path):
    header = b"MATLAB 7.3 MAT-file, hostile test file".ljust(116) + b"\0" * 8 + b"\x00\x02IM"
    with open(path, "r+b") as fh:
        fh.write(header)
    return Path(path)


def unwritten_chunks(tmp, name="Z"):
    """3 KB: a chunked 1x2.5*10**8 double dataset none of whose chunks was written."""
    p = tmp / f"unwritten_{name}.mat"
    with _v73(p) as f:
        if name != "X":
            _v73_good(f)
        d = f.create_dataset(name, shape=(25 * 10**7, 1), dtype="<f8", chunks=(10**6, 1))
        d.attrs["MATLAB_class"] = np.bytes_(b"double")
    return _v73_header(p)


def ref_tree(tmp, name="c"):
    """30 KB: a cell of 1000 references to a cell of 1000 references to ... (3 levels)."""
    p = tmp / f"ref_tree_{name}.mat"
    with _v73(p) as f:
        if name != "X":
            _v73_good(f)
        refs = f.create_group("#refs#")
        prev = refs.create_dataset("leaf", data=np.ones((1, 1)))
        prev.attrs["MATLAB_class"] = np.bytes_(b"double")
        for level in range(3):
            data = np.array([prev.ref] * 1000, dtype=h5py.ref_dtype).reshape(1000, 1)
            target = f if level == 2 else refs
            prev = target.create_dataset(name if level == 2 else f"c{level}", data=data)
            prev.attrs["MATLAB_class"] = np.bytes_(b"cell")
    return _v73_header(p)


def _octave_var(f, name, kind, value=None):
    g = f.create_group(name)
    g.attrs["OCTAVE_NEW_FORMAT"] = np.uint8(1)
    g.create_dataset("type", data=np.bytes_(kind.encode()))
    if value is not None:
        g.create_dataset("value", data=value)
    return g


def octave_range(tmp):
    """8 KB: Octave's ``save -hdf5`` layout with X, y and r = 1:2e8 (a lazy range)."""
    p = tmp / "octave_range.h5"
    with h5py.File(p, "w") as f:
        _octave_var(f, "X", "matrix", X_GOOD.T)
        _octave_var(f, "y", "matrix", Y_GOOD.T)
        rng = np.array(
            [(1.0, 2e8, 1.0)], dtype=[("base", "<f8"), ("limit", "<f8"), ("increment", "<f8")]
        )[0]
        g = _octave_var(f, "r", "double_range", rng)
        g["value"].attrs["OCTAVE_RANGE_NELEM"] = np.int64(2 * 10**8)
    return p


def _v5_empty_sparse(name, m, n):
    body = (
        _element(6, struct.pack("<II", 5, 0))
        + _element(5, struct.pack("<2i", m, n))
        + _element(1, name)
        + _element(5, b"")
        + _element(5, struct.pack(f"<{n + 1}i", *([0] * (n + 1))))
        + _element(9, b"")
    )
    return struct.pack("<II", 14, len(body)) + body


def huge_sparse(tmp):
    """300 B: X and y sparse 2^28 x 1 matrices with no entries (v5, hand-built)."""
    return v5_file(
        tmp / "huge_sparse.mat", _v5_empty_sparse(b"X", 2**28, 1), _v5_empty_sparse(b"y", 2**28, 1)
    )


def damaged_chunk_index(tmp):
    """6 KB v7.3: X (400x3, in 4 chunks) and y, X's chunk index (an HDF5 B-tree) without its
    signature, as a file overwritten, or cut while nn3 reads it, leaves it."""
    p = tmp / "damaged_index.mat"
    rng = np.random.default_rng(23)
    with _v73(p) as f:
        d = f.create_dataset("X", data=rng.random((400, 3)).T, chunks=(3, 100))
        d.attrs["MATLAB_class"] = np.bytes_(b"double")
        y = f.create_dataset("y", data=(np.arange(400) % 2 + 1.0).reshape(1, -1))
        y.attrs["MATLAB_class"] = np.bytes_(b"double")
    data = bytearray(_v73_header(p).read_bytes())
    # A version-1 B-tree node: "TREE", then its type, 1 for a chunk index (y is contiguous).
    at = data.index(b"TREE\x01")
    data[at : at + 4] = b"XXXX"
    p.write_bytes(bytes(data))
    return p


def nul_text(tmp):
    """A 900 MB text file of NUL bytes, no line end (sparse: it takes no room on disk)."""
    p = tmp / "nul.txt"
    with open(p, "wb") as fh:
        fh.truncate(900 * 2**20)
    return p


def long_line_text(tmp, n=3_000_000):
    """27 MB: ``n`` numbers on one line (a 1 x n matrix: 24 MB as float64)."""
    p = tmp / "long_line.txt"
    values = np.random.default_rng(14).random(n)
    with open(p, "w") as fh:
        for start in range(0, n, 100_000):
            fh.write(" ".join(f"{v:.6f}" for v in values[start : start + 100_000]))
            fh.write(" ")
        fh.write("\n")
    return p


#: name -> (builder, command arguments after ``nn3``; "{f}" is the file), as a user runs them.
CASES = {
    "unused_zeros_train": (unused_zeros, ["train", "{f}", "--maxiter", "2", "-q", "--out", "{o}"]),
    "four_400mb_info": (four_400mb, ["info", "{f}"]),
    "empty_cell_info": (empty_cell, ["info", "{f}"]),
    "empty_cell_train": (
        lambda t: empty_cell(t, b"X"),
        ["train", "{f}", "--maxiter", "2", "-q", "--out", "{o}"],
    ),
    "long_char_info": (long_char, ["info", "{f}"]),
    "unwritten_chunks_train": (
        unwritten_chunks,
        ["train", "{f}", "--maxiter", "2", "-q", "--out", "{o}"],
    ),
    "unwritten_chunks_info": (unwritten_chunks, ["info", "{f}"]),
    "ref_tree_train": (ref_tree, ["train", "{f}", "--maxiter", "2", "-q", "--out", "{o}"]),
    "ref_tree_info": (ref_tree, ["info", "{f}"]),
    "octave_range_train": (
        octave_range,
        ["train", "{f}", "--maxiter", "2", "-q", "--out", "{o}"],
    ),
    "huge_sparse_train": (huge_sparse, ["train", "{f}", "--maxiter", "2", "-q", "--out", "{o}"]),
    "huge_sparse_info": (huge_sparse, ["info", "{f}"]),
    "text_nul_900mb_train": (nul_text, ["train", "{f}", "--maxiter", "2", "-q", "--out", "{o}"]),
    "text_long_line_info": (long_line_text, ["info", "{f}"]),
}


def run(args, cap_bytes=None, timeout=120):
    """Run ``nn3 ARGS`` in a child process: (exit status, stderr, peak RSS in bytes, seconds).

    ``cap_bytes`` limits the child's address space (RLIMIT_AS). The peak RSS is the child's
    ``ru_maxrss``, read with ``wait4``.
    """
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")

    def limit():
        if cap_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (cap_bytes, cap_bytes))

    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nn3", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=limit,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        proc.returncode = None
    seconds = time.monotonic() - start
    # The largest peak of this process's children: run it in a fresh process (measure()) to
    # get one command's figure.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return (
        proc.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        peak,
        seconds,
    )


def measure(name, tmp, cap_bytes=None, timeout=120):
    """Build case ``name`` in ``tmp`` and run its command in a fresh process (own peak RSS)."""
    code = (
        "import json, sys, hostile; from pathlib import Path;"
        f"r = hostile.run_case({name!r}, Path({str(tmp)!r}), {cap_bytes!r}, {timeout!r});"
        "print(json.dumps(r))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
        timeout=timeout + 600,
    )
    import json

    if r.returncode:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def run_case(name, tmp, cap_bytes=None, timeout=120):
    """(In a fresh process, so that RUSAGE_CHILDREN is this one command's.)"""
    build, args = CASES[name]
    path = build(tmp)
    args = [a.replace("{f}", str(path)).replace("{o}", str(tmp / f"{name}_w.mat")) for a in args]
    code, out, err, peak, seconds = run(args, cap_bytes, timeout)
    return {
        "name": name,
        "size": path.stat().st_size,
        "exit": code,
        "peak_mb": round(peak / 2**20),
        "seconds": round(seconds, 2),
        "stderr": err.strip().splitlines()[-3:],
        "stdout": out.strip().splitlines()[:12],
    }


if __name__ == "__main__":
    import tempfile

    names = sys.argv[1:] or list(CASES)
    cap = int(os.environ.get("HOSTILE_CAP_GB", "7")) * 2**30
    timeout = float(os.environ.get("HOSTILE_TIMEOUT", "90"))
    for case in names:
        with tempfile.TemporaryDirectory() as folder:
            r = measure(case, Path(folder), cap, timeout)
        print(
            f"{r['name']:24s} file {r['size']:>9d} B  exit {r['exit']}  "
            f"peak {r['peak_mb']:>6d} MB  {r['seconds']:7.2f} s  {r['stderr'][-1:]}",
            flush=True,
        )
