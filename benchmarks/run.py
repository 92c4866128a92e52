#!/usr/bin/env python
"""nn3's performance benchmark: the numbers the README may claim, measured so that they hold.

Run from a checkout, on a quiet machine (``pip install -e '.[bench]'`` first for scikit-learn and
threadpoolctl; ``benchmarks/get_octave_openblas.sh`` for Octave with OpenBLAS)::

    python benchmarks/run.py            # everything, 10-15 minutes; ends with the claims table
    python benchmarks/run.py --quick    # small shapes, seconds: a smoke test (CI runs it)
    python benchmarks/run.py --only train --only eval   # some parts

Parts (each prints a table; all results go to JSON, ``benchmarks/results/`` or ``--json``):

* **eval**: one cost+gradient evaluation (lambda 1, 25 hidden) at 5000x400 and 60000x784,
  through ``make_objective`` and ``nn_cost_function``, against *the floor*: the two products of
  the size of the data (``X @ Theta1(:,2:end)'`` and ``delta2' * X``), each timed in every layout
  the evaluation could use -- whole, in the evaluator's row blocks, and those blocks spread over
  a thread per core with one BLAS thread each -- at full threads, the fastest of each added.
  Also ``precision="single"`` against double at 60000x784.
* **threads**: evaluation time and the floor against the number of threads (1, 2, ... cores),
  with the parallel efficiency ``t(1) / (k * t(k))``.
* **train**: time to the cost nn3's fmincg reaches in 50 iterations (``time_to_train.py``): nn3
  fmincg, nn3 lbfgs, nn3 lbfgs in single precision, GNU Octave (reference BLAS, and OpenBLAS)
  running a student-style cost with ``matlab_ref/cgmin.m``, scikit-learn's ``MLPClassifier``;
  every system at each thread count from 1 to the cores, the best kept, all reported.
* **rss**: peak memory of ``nn3 train`` on a 60000x784 v7.3 file; **startup**: ``nn3 --help``;
  **scaling**: evaluation time against rows and hidden units (``--plot``); **scale**: in memory
  vs streaming vs Dask (``scale.py``); **contention**: one serial evaluation alone, two at once
  in two threads of one process, two at once in two processes (``contention.py``): what the
  threads of one process cost each other.

How the numbers are made to hold: every timing is one of at least five runs (``--reps``)
alternated with the runs it is compared with (A, B, A, B, ...), reported as median and range;
ratios are ratios of medians. The load average is recorded before and after, and the CPU time
other processes used during the run is measured (``/proc/stat``): a run that starts above
``--max-load`` or shares the machine with others says so and its numbers are marked as not for
claims (``"for_claims": false`` in the JSON, and in the claims table).

Data (no downloads): ex4 size is ``nn3.datasets.synthetic_ex4`` (5000x400, labels 1..10, defined by
formula in every engine, Octave included); the larger shapes are ``numpy.random.default_rng(6)``
uniform X in [0, 1) with labels uniform in 1..10. Starting weights: ``0.12 * sin(1:numel)``
reshaped column-major (the same in Octave).
"""

import argparse
import contextlib
import glob
import itertools
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MATLAB_REF = ROOT / "matlab_ref"
MB = 2**20
PARTS = ["eval", "threads", "contention", "train", "rss", "startup", "scaling", "scale"]

TARGETS = {
    "eval_over_floor": 1.15,  # one evaluation, both entry points, 5000x400 and 60000x784
    "fmincg_vs_sklearn": 2.0,  # time to fmincg's 50-iteration cost, each at its best threads
    "fmincg_vs_octave_openblas": 3.0,
    "fastest_vs_both": 3.5,  # nn3's fastest method against scikit-learn and Octave + OpenBLAS
    "single_speedup": 1.6,  # precision single per evaluation at 60000x784
    "rss_factor": 1.3,
    "rss_extra_mb": 200,
    "help_seconds": 0.25,
}
#: A run is for claims only if the 1-minute load average is below this when it starts...
MAX_LOAD = 0.5
#: ...and other processes used less than this share of one core while it ran.
MAX_OTHER_CPU = 0.10

# Library folders where a distribution keeps OpenBLAS's libblas.so.3 (Debian: libopenblas0-*),
# and where benchmarks/get_octave_openblas.sh unpacks one without installing it.
OPENBLAS_GLOBS = [
    "/usr/lib/*/openblas-pthread",
    "/usr/lib/*/openblas-openmp",
    "/usr/lib/*/openblas-serial",
    "/usr/lib64/openblas*",
    str(Path.home() / ".cache/nn3-bench/openblas/usr/lib/*/openblas-pthread"),
]


# ------------------------------------------------------------------------------------------
# Data, timing, statistics, tables
# ------------------------------------------------------------------------------------------


def ex4_data(m=5000, n=400):
    from nn3.datasets import synthetic_ex4

    X, y = synthetic_ex4(m, n)
    return X, y.reshape(-1)


def uniform_data(m, n, K=10, seed=6):
    import numpy as np

    rng = np.random.default_rng(seed)
    X = rng.random((m, n))
    y = rng.integers(1, K + 1, m).astype(np.float64)
    return X, y


def sin_params(n, hidden, K):
    """``0.12 * reshape(sin(1:numel), ...)`` for Theta1 and Theta2, unrolled column-major."""
    import numpy as np

    n1, n2 = hidden * (n + 1), K * (hidden + 1)
    return np.concatenate(
        [0.12 * np.sin(np.arange(1, n1 + 1.0)), 0.12 * np.sin(np.arange(1, n2 + 1.0))]
    )


def cores():
    """CPUs this process may use."""
    from nn3.core.threads import available_cores

    return available_cores()


def thread_counts(n_cores):
    """1, 2, 4, ... up to the cores, and the cores: the thread counts each system is tried at."""
    counts = {n_cores}
    k = 1
    while k < n_cores:
        counts.add(k)
        k *= 2
    return sorted(counts)


def blas_threads(k):
    """A context: every BLAS library of this process at ``k`` threads (threadpoolctl)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=k, user_api="blas")


def nn3_objective(X, y, n, hidden, K, lambda_, precision="double", threads=None):
    """nn3's in-memory objective (``nn3.make_objective``) with ``threads`` evaluation threads."""
    import nn3

    return nn3.make_objective(X, y, n, hidden, K, lambda_, precision=precision, threads=threads)


def alternate(cases, reps, pause=0.0, warmup=True, burst=1):
    """Time every case ``reps`` times, round-robin: A, B, C, A, B, C, ...

    Parameters
    ----------
    cases : dict of name -> callable, or name -> (context, callable)
        With a context factory (such as ``lambda: blas_threads(2)``), each turn's calls run
        inside one ``context()``, entered and left outside the timings (threadpoolctl's
        ``threadpool_limits`` costs about 0.2 ms, and a product's first call after a change of
        OpenBLAS's thread count several tenths more).
    reps : int
    pause : float
        Seconds to sleep before each case's turn. An OpenBLAS thread spins for about 0.1 s after
        its last call: without a pause, a case that follows one using multi-threaded BLAS shares
        its cores with a spinning thread.
    warmup : bool
        Run each case once first, untimed (first-touch of buffers, thread start-up).
    burst : int
        Calls per turn, each timed; the first of a turn is not kept when ``burst > 1`` (cores
        waking from the pause), so a turn is the steady state of repeated calls, as training is.

    Returns
    -------
    times : dict of name -> list of seconds
    """
    cases = {
        name: case if isinstance(case, tuple) else (contextlib.nullcontext, case)
        for name, case in cases.items()
    }
    if warmup:
        for context, f in cases.values():
            with context():
                f()
    times = {name: [] for name in cases}
    for _ in range(reps):
        for name, (context, f) in cases.items():
            if pause:
                time.sleep(pause)
            with context():
                for call in range(burst):
                    t0 = time.perf_counter()
                    f()
                    t = time.perf_counter() - t0
                    if burst == 1 or call > 0:
                        times[name].append(t)
    return times


def stats(ts):
    """Median, min and max of a list of seconds (and how many)."""
    return {"median": statistics.median(ts), "min": min(ts), "max": max(ts), "n": len(ts)}


def fmt_time(s):
    if s is None:
        return "n/a"
    if s < 1e-3:
        return f"{s * 1e6:.0f} us"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def fmt_stats(st):
    """``median (min-max)``."""
    if not st:
        return "n/a"
    return f"{fmt_time(st['median'])} ({fmt_time(st['min'])}-{fmt_time(st['max'])})"


def table(title, header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = [title, "  " + "  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print("\n".join(lines) + "\n", flush=True)


# ------------------------------------------------------------------------------------------
# The machine, and whether it was quiet
# ------------------------------------------------------------------------------------------


def blas_libraries():
    """The BLAS libraries loaded in this process (threadpoolctl), as dicts."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed (pip install -e '.[bench]')"
    keys = ("internal_api", "version", "architecture", "num_threads", "filepath")
    return [{k: d.get(k) for k in keys} for d in threadpool_info() if d.get("user_api") == "blas"]


def machine_info():
    import numpy as np
    import scipy

    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "cpus": cores(),
        "cpu_model": None,
        "memory_gb": None,
        "env": {
            k: os.environ.get(k)
            for k in (
                "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS",
                "MKL_NUM_THREADS",
                "OPENBLAS_CORETYPE",
                "NPY_DISABLE_CPU_FEATURES",
            )
        },
        "blas": blas_libraries(),
    }
    try:
        text = Path("/proc/cpuinfo").read_text()
        match = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        info["cpu_model"] = match.group(1).strip() if match else None
        info["avx512"] = bool(re.search(r"^flags\s*:.*\bavx512f\b", text, re.M))
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        info["memory_gb"] = round(kb / 2**20, 1)
    except (OSError, AttributeError):
        pass
    return info


def blas_text(blas):
    if not isinstance(blas, list):
        return str(blas)
    return ", ".join(
        f"{b['internal_api']} {b['version']} ({b['architecture']} kernel, "
        f"{os.path.basename(b['filepath'] or '')})"
        for b in blas
    )


def load_average():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def _busy_cpu_seconds():
    """CPU seconds all processes have used since boot (``/proc/stat``), or None."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    guest = sum(fields[8:10]) if len(fields) > 9 else 0  # already counted in user/nice
    return (sum(fields) - idle - guest) / os.sysconf("SC_CLK_TCK")


#: Child processes that run across a measurement (Octave sessions): their CPU counts as ours.
LIVE_CHILDREN = set()


def _own_cpu_seconds():
    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    tick = os.sysconf("SC_CLK_TCK")
    for pid in list(LIVE_CHILDREN):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except (OSError, IndexError, ValueError):
            LIVE_CHILDREN.discard(pid)
    return total


class Activity:
    """The load average and the CPU time other processes used, over a stretch of the run."""

    def __init__(self):
        self.load_start = load_average()
        self._t0 = time.perf_counter()
        self._busy0 = _busy_cpu_seconds()
        self._own0 = _own_cpu_seconds()

    def finish(self):
        wall = time.perf_counter() - self._t0
        busy = _busy_cpu_seconds()
        other = None
        if busy is not None and self._busy0 is not None:
            other = max(0.0, (busy - self._busy0) - (_own_cpu_seconds() - self._own0))
        return {
            "load_start": self.load_start,
            "load_end": load_average(),
            "seconds": wall,
            "other_cpu_seconds": other,
            "other_cpu_share": None if other is None else other / max(wall, 1e-9),
        }


def activity_text(act):
    ls, le = act["load_start"], act["load_end"]
    share = act["other_cpu_share"]
    return (
        f"load average {ls[0]:.2f} before, {le[0]:.2f} after; other processes used "
        + ("n/a" if share is None else f"{100 * share:.0f}% of one core")
        + f" over {act['seconds']:.0f} s"
    )


# ------------------------------------------------------------------------------------------
# eval: one evaluation against the floor
# ------------------------------------------------------------------------------------------


def _pool_blocks(fun, blocks, n_threads):
    """``fun(k, slot)`` for every block ``k``, blocks handed out in order to ``n_threads``
    threads with one BLAS thread each (the evaluator's own machinery)."""
    from nn3.core.threads import run_on_threads, single_threaded_blas

    counter = itertools.count()

    def job(slot):
        while (k := next(counter)) < len(blocks):
            fun(k, slot)

    with single_threaded_blas():
        run_on_threads(job, n_threads)


def floor_products(X, hidden, K, n_threads, dtype=None):
    """The two products of the size of the data, in every layout the evaluation could use.

    Returns ``{"P1": {layout: f}, "P2": {layout: f}}``: ``P1`` is ``X @ W1.T`` (as
    ``X @ W1.T`` and ``W1 @ X.T`` with ``W1`` in C or Fortran order; in blocks also as
    ``Xb @ W1.T`` with ``W1.T`` C-ordered, the float32 evaluation's layout), ``P2`` is
    ``delta2.T @ X`` (as ``delta2.T @ X``, ``d2t @ X`` with ``d2t`` contiguous, ``X.T @ delta2``
    into an ``(n, hidden)`` array); each whole (BLAS at the threads it has), in the evaluator's
    row blocks one after the other (the same), and in those blocks handed out to
    ``n_threads`` threads with one BLAS thread each. The floor is the fastest ``P1`` plus the
    fastest ``P2``: a lower bound of the evaluation, which runs both products in one of these
    layouts plus everything else. (The blocks' partial products are not even added up.)
    """
    import numpy as np

    from nn3.core.network import _partition

    dtype = np.dtype(dtype or X.dtype)
    Xd = X if X.dtype == dtype else X.astype(dtype)
    m, n = Xd.shape
    rng = np.random.default_rng(1)
    W1 = np.ascontiguousarray(rng.standard_normal((hidden, n)).astype(dtype) * 0.1)
    W1f = np.asfortranarray(W1)
    d2 = rng.standard_normal((m, hidden)).astype(dtype) * 1e-3
    d2t = np.ascontiguousarray(d2.T)
    o1 = np.empty((hidden, m), dtype)
    o1t = np.empty((m, hidden), dtype)
    o2 = np.empty((hidden, n), dtype)
    o2t = np.empty((n, hidden), dtype)
    blocks = _partition(m, hidden, K, dtype.itemsize)
    d2tb = [np.ascontiguousarray(d2[s:e].T) for s, e in blocks]
    o2s = [np.empty((hidden, n), dtype) for _ in range(n_threads)]

    p1 = {
        "X @ W1.T": lambda: Xd @ W1.T,
        "W1 @ X.T": lambda: np.matmul(W1, Xd.T, out=o1),
        "W1(F) @ X.T": lambda: np.matmul(W1f, Xd.T, out=o1),
    }
    p2 = {
        "delta2.T @ X": lambda: d2.T @ Xd,
        "d2t @ X": lambda: np.matmul(d2t, Xd, out=o2),
        "X.T @ delta2": lambda: np.matmul(Xd.T, d2, out=o2t),
    }
    if len(blocks) > 1:

        def p1_block(k, slot=0):
            s, e = blocks[k]
            np.matmul(W1, Xd[s:e].T, out=o1[:, s:e])

        def p1_rows_block(k, slot=0):
            s, e = blocks[k]
            np.matmul(Xd[s:e], W1f.T, out=o1t[s:e])

        def p2_block(k, slot=0):
            s, e = blocks[k]
            np.matmul(d2tb[k], Xd[s:e], out=o2s[slot])

        p1["W1 @ Xb.T, blocks"] = lambda: [p1_block(k) for k in range(len(blocks))]
        p1["Xb @ W1.T, blocks"] = lambda: [p1_rows_block(k) for k in range(len(blocks))]
        p2["d2tb @ Xb, blocks"] = lambda: [p2_block(k) for k in range(len(blocks))]
        if n_threads > 1:
            p1[f"W1 @ Xb.T, blocks on {n_threads} threads"] = lambda: _pool_blocks(
                p1_block, blocks, n_threads
            )
            p1[f"Xb @ W1.T, blocks on {n_threads} threads"] = lambda: _pool_blocks(
                p1_rows_block, blocks, n_threads
            )
            p2[f"d2tb @ Xb, blocks on {n_threads} threads"] = lambda: _pool_blocks(
                p2_block, blocks, n_threads
            )
    return {"P1": p1, "P2": p2}


def eval_cases(name, X, y, hidden, K, precision, n_threads, ncf=True):
    """One shape's timed callables: both entry points and the floor's products."""
    import numpy as np

    from nn3.core import network

    m, n = X.shape
    params = sin_params(n, hidden, K)
    fun = nn3_objective(X, y, n, hidden, K, 1.0, precision, n_threads)
    cases = {"make_objective": lambda: fun(params)}
    if precision == "double" and ncf:
        cases["nn_cost_function"] = lambda: network.nn_cost_function(
            params, n, hidden, K, X, y, 1.0, threads=n_threads
        )
    dtype = np.float32 if precision == "single" else np.float64
    for part, layouts in floor_products(X, hidden, K, n_threads, dtype).items():
        for layout, f in layouts.items():
            cases[f"{part}: {layout}"] = f
    meta = {
        "name": name,
        "m": m,
        "n": n,
        "hidden": hidden,
        "labels": K,
        "precision": precision,
        "threads": n_threads,
    }
    return meta, cases


def summarise_eval(meta, times):
    """The floor and the ratios of one shape from its alternated times (medians)."""
    st = {k: stats(v) for k, v in times.items()}
    med = {k: s["median"] for k, s in st.items()}
    p1 = min((k for k in med if k.startswith("P1")), key=med.get)
    p2 = min((k for k in med if k.startswith("P2")), key=med.get)
    floor = med[p1] + med[p2]
    r = {
        **meta,
        "floor_s": floor,
        "floor_layouts": [p1, p2],
        "floor_min_s": st[p1]["min"] + st[p2]["min"],
        "make_objective": st["make_objective"],
        "ratio": med["make_objective"] / floor,
        "products": {k: s for k, s in st.items() if k[:2] in ("P1", "P2")},
    }
    if "nn_cost_function" in st:
        r["nn_cost_function"] = st["nn_cost_function"]
        r["ncf_ratio"] = med["nn_cost_function"] / floor
    return r


#: Calls per turn and the pause before each turn, in the per-evaluation parts (see alternate).
EVAL_BURST, EVAL_PAUSE = 4, 0.15


def measure_eval(shapes, reps, n_threads, burst=EVAL_BURST, pause=EVAL_PAUSE):
    """All shapes' cases alternated together; a summary per shape."""
    built = [eval_cases(*shape, n_threads) for shape in shapes]
    merged = {}
    for i, (_, cases) in enumerate(built):
        for k, f in cases.items():
            merged[(i, k)] = f
    times = alternate(merged, reps, pause=pause, burst=burst)
    return [
        summarise_eval(meta, {k: v for (j, k), v in times.items() if j == i})
        for i, (meta, _) in enumerate(built)
    ]


def print_eval(evals):
    target = TARGETS["eval_over_floor"]
    rows = []
    for r in evals:
        worst = max(r["ratio"], r.get("ncf_ratio", 0.0))
        rows.append(
            [
                r["name"],
                r["precision"],
                fmt_time(r["floor_s"]),
                fmt_stats(r["make_objective"]),
                f"{r['ratio']:.3f}",
                fmt_stats(r.get("nn_cost_function")),
                f"{r['ncf_ratio']:.3f}" if "ncf_ratio" in r else "",
                ("met" if worst <= target else "MISSED") if r["precision"] == "double" else "",
            ]
        )
    table(
        f"eval: one cost+gradient evaluation against the floor ({evals[0]['threads']} threads; "
        f"medians and ranges of alternated runs; target <= {target} through both entry points)",
        [
            "shape",
            "precision",
            "floor",
            "make_objective",
            "ratio",
            "nn_cost_function",
            "ratio",
            "status",
        ],
        rows,
    )
    for r in evals:
        print(f"   floor layouts, {r['name']} {r['precision']}: " + " + ".join(r["floor_layouts"]))
    print()


def single_speedups(evals):
    out = []
    for d in evals:
        for s in evals:
            if (d["precision"], s["precision"]) == ("double", "single") and (
                d["m"],
                d["n"],
                d["hidden"],
            ) == (s["m"], s["n"], s["hidden"]):
                speedup = d["make_objective"]["median"] / s["make_objective"]["median"]
                out.append(
                    {
                        "name": d["name"],
                        "double": d["make_objective"],
                        "single": s["make_objective"],
                        "speedup": speedup,
                    }
                )
    return out


# ------------------------------------------------------------------------------------------
# threads: evaluation time against the number of threads
# ------------------------------------------------------------------------------------------


def measure_threads(shapes, reps, counts, burst=EVAL_BURST, pause=EVAL_PAUSE):
    """Evaluation and floor at each thread count, alternated; efficiency ``t1 / (k t_k)``."""
    import numpy as np

    results = []
    for name, X, y, hidden, K in shapes:
        m, n = X.shape
        params = sin_params(n, hidden, K)
        cases = {}
        for k in counts:
            fun = nn3_objective(X, y, n, hidden, K, 1.0, "double", k)
            cases[("nn3", k)] = lambda fun=fun, params=params: fun(params)
            layouts = floor_products(X, hidden, K, k, np.float64)
            for part, fs in layouts.items():
                for layout, f in fs.items():
                    if "threads" in layout and not layout.endswith(f"on {k} threads"):
                        continue

                    cases[(part, layout, k)] = (lambda k=k: blas_threads(k), f)
        times = alternate(cases, reps, pause=pause, burst=burst)
        rows = []
        for k in counts:
            ev = stats(times[("nn3", k)])
            floor = 0.0
            for part in ("P1", "P2"):
                floor += min(
                    statistics.median(v)
                    for key, v in times.items()
                    if key[0] == part and key[2] == k
                )
            rows.append({"threads": k, "eval": ev, "floor_s": floor})
        t1, f1 = rows[0]["eval"]["median"], rows[0]["floor_s"]
        for r in rows:
            k = r["threads"]
            r["efficiency"] = t1 / (k * r["eval"]["median"])
            r["floor_efficiency"] = f1 / (k * r["floor_s"])
            r["ratio"] = r["eval"]["median"] / r["floor_s"]
        results.append({"name": name, "m": m, "n": n, "hidden": hidden, "rows": rows})
    return results


def print_threads(results):
    for res in results:
        table(
            f"threads: {res['name']} evaluation against the number of threads (efficiency "
            "t(1) / (k t(k)); the floor at k threads is the fastest layout of each product with "
            "k BLAS threads, or its blocks on k threads)",
            ["threads", "evaluation", "efficiency", "floor", "floor efficiency", "eval / floor"],
            [
                [
                    r["threads"],
                    fmt_stats(r["eval"]),
                    f"{r['efficiency']:.2f}",
                    fmt_time(r["floor_s"]),
                    f"{r['floor_efficiency']:.2f}",
                    f"{r['ratio']:.3f}",
                ]
                for r in res["rows"]
            ],
        )


# ------------------------------------------------------------------------------------------
# Octave's OpenBLAS; peak memory of `nn3 train`; start-up time
# ------------------------------------------------------------------------------------------


def find_openblas(explicit):
    """The folder of an OpenBLAS ``libblas.so.3``: the one given, else the usual places."""
    explicit = explicit or os.environ.get("NN3_BENCH_OCTAVE_OPENBLAS")
    if explicit:
        candidates = [explicit]
    else:
        candidates = [folder for pattern in OPENBLAS_GLOBS for folder in sorted(glob.glob(pattern))]
    for folder in candidates:
        if folder and os.path.exists(os.path.join(folder, "libblas.so.3")):
            return folder
    return None


def nn3_command():
    script = Path(sys.executable).with_name("nn3")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "nn3"]


# Runs a command as its child and prints the child's peak RSS. The measured process must not be
# a direct child of this (large) benchmark process: Linux counts the memory of the process that
# spawned it, at exec time, into a child's ru_maxrss.
PEAK_RSS_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
print("NN3BENCH peak_rss_kb %d status %d" % (usage.ru_maxrss, os.waitstatus_to_exitcode(status)))
"""


def bench_rss(m, n, hidden, maxiter, fmt):
    import nn3

    X, y = uniform_data(m, n)
    x_bytes = X.nbytes
    with tempfile.TemporaryDirectory(dir=os.environ.get("NN3_BENCH_TMP")) as tmp:
        data = os.path.join(tmp, "big.mat")
        t0 = time.perf_counter()
        nn3.save_mat(data, {"X": X, "y": y.reshape(-1, 1)}, format=fmt)
        write_s = time.perf_counter() - t0
        file_bytes = os.path.getsize(data)
        del X, y
        out_path = os.path.join(tmp, "w.mat")
        cmd = nn3_command() + [
            "train",
            data,
            "--hidden",
            str(hidden),
            "--maxiter",
            str(maxiter),
            "--quiet",
            "--out",
            out_path,
        ]
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", PEAK_RSS_LAUNCHER, *cmd],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - t0
        match = re.search(r"^NN3BENCH peak_rss_kb (\d+) status (-?\d+)$", proc.stdout, re.M)
        if match is None:
            raise RuntimeError(f"peak-RSS launcher failed: {proc.stderr.strip()[-500:]}")
        peak_kb, exit_status = int(match.group(1)), int(match.group(2))
    peak = peak_kb * 1024
    limit = TARGETS["rss_factor"] * x_bytes + TARGETS["rss_extra_mb"] * MB
    return {
        "m": m,
        "n": n,
        "hidden": hidden,
        "maxiter": maxiter,
        "format": fmt,
        "exit_status": exit_status,
        "stderr": proc.stderr.strip()[-500:],
        "x_bytes": x_bytes,
        "file_bytes": file_bytes,
        "write_seconds": write_s,
        "train_seconds": wall,
        "peak_rss_bytes": peak,
        "limit_bytes": limit,
        "peak_over_x": peak / x_bytes,
        "met": exit_status == 0 and peak <= limit,
    }


def bench_startup(reps):
    cmd = nn3_command() + ["--help"]
    base = [sys.executable, "-c", "pass"]
    cases = {
        "nn3 --help": lambda: subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True),
        "python -c pass": lambda: subprocess.run(base, stdout=subprocess.DEVNULL, check=True),
    }
    times = alternate(cases, reps)
    return {
        "command": " ".join(cmd),
        "help": stats(times["nn3 --help"]),
        "python": stats(times["python -c pass"]),
    }


# ------------------------------------------------------------------------------------------
# scaling: evaluation time against rows and hidden units
# ------------------------------------------------------------------------------------------


def loglog_slope(xs, ts):
    import numpy as np

    return float(np.polyfit(np.log(xs), np.log(ts), 1)[0])


def bench_scaling(
    X, y, rows_list, hidden_list, hidden_for_rows, rows_for_hidden, reps, n_threads, **timing
):
    shapes = [(f"m={m}", X[:m], y[:m], hidden_for_rows, 10, "double") for m in rows_list]
    by_rows = measure_eval(shapes, reps, n_threads, **timing)
    shapes = [
        (f"hidden={h}", X[:rows_for_hidden], y[:rows_for_hidden], h, 10, "double")
        for h in hidden_list
    ]
    by_hidden = measure_eval(shapes, reps, n_threads, **timing)
    return {
        "by_rows": by_rows,
        "by_hidden": by_hidden,
        "slope_rows": loglog_slope(
            [r["m"] for r in by_rows], [r["make_objective"]["median"] for r in by_rows]
        ),
        "slope_hidden": loglog_slope(
            [r["hidden"] for r in by_hidden], [r["make_objective"]["median"] for r in by_hidden]
        ),
    }


def plot_scaling(sc, path):
    """Two log-log panels, evaluation and floor against rows and against hidden size."""
    from matplotlib import style
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullFormatter

    from nn3.plot import save_png

    with style.context("default"):
        fig = Figure(figsize=(10, 4), dpi=100)
        for ax, key, xkey, label in (
            (fig.add_subplot(1, 2, 1), "by_rows", "m", "rows m (784 features, 25 hidden)"),
            (fig.add_subplot(1, 2, 2), "by_hidden", "hidden", "hidden units (784 features)"),
        ):
            rs = sc[key]
            xs = [r[xkey] for r in rs]
            ax.loglog(
                xs,
                [r["make_objective"]["median"] for r in rs],
                "o-",
                label="cost+gradient evaluation",
            )
            ax.loglog(xs, [r["floor_s"] for r in rs], "s--", label="floor (the two products)")
            x0, t0 = xs[0], rs[0]["floor_s"]
            ax.loglog(xs, [t0 * x / x0 for x in xs], ":", color="grey", label="linear")
            ax.set_xticks(xs, labels=[f"{x / 1000:g}k" if x >= 1000 else str(x) for x in xs])
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel(label)
            ax.set_ylabel("seconds")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend()
        fig.suptitle(f"nn3 evaluation time, {sc['by_hidden'][0]['m']} rows in the right panel")
        fig.tight_layout()
    save_png(fig, path)


def print_scaling(sc):
    table(
        f"scaling with rows (784 features, 25 hidden): time ~ m^{sc['slope_rows']:.2f}",
        ["m", "evaluation", "per row", "ratio to floor"],
        [
            [
                r["m"],
                fmt_stats(r["make_objective"]),
                f"{r['make_objective']['median'] / r['m'] * 1e6:.2f} us",
                f"{r['ratio']:.2f}",
            ]
            for r in sc["by_rows"]
        ],
    )
    m_h = sc["by_hidden"][0]["m"]
    table(
        f"scaling with hidden size ({m_h}x784): time ~ hidden^{sc['slope_hidden']:.2f}",
        ["hidden", "evaluation", "per hidden unit", "ratio to floor"],
        [
            [
                r["hidden"],
                fmt_stats(r["make_objective"]),
                fmt_time(r["make_objective"]["median"] / r["hidden"]),
                f"{r['ratio']:.2f}",
            ]
            for r in sc["by_hidden"]
        ],
    )


def bench_scale(quick):
    """The streaming/Dask comparison of ``scale.py``, printed; None when dask is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("scale: not available: needs the dask extra (pip install 'nn3[dask]')\n")
        return {"available": False, "reason": "dask[distributed] not installed"}
    import scale

    with tempfile.TemporaryDirectory(prefix="nn3-scale-") as folder:
        result = scale.run(quick=quick, folder=folder)
    scale.print_table(result)
    print()
    return result


# ------------------------------------------------------------------------------------------
# Claims
# ------------------------------------------------------------------------------------------


def claims(results):
    """Each target this run measured: what, the value, the target, met or not."""
    rows = []
    for r in results.get("eval", []):
        if r["precision"] != "double":
            continue
        for key, label in (("ratio", "make_objective"), ("ncf_ratio", "nn_cost_function")):
            if key in r:
                rows.append(
                    {
                        "claim": f"one evaluation / floor, {r['name']}, {label}",
                        "value": r[key],
                        "target": f"<= {TARGETS['eval_over_floor']}",
                        "met": r[key] <= TARGETS["eval_over_floor"],
                    }
                )
    for s in results.get("single_speedup", []):
        rows.append(
            {
                "claim": f"precision single speed-up per evaluation, {s['name']}",
                "value": s["speedup"],
                "target": f">= {TARGETS['single_speedup']}",
                "met": s["speedup"] >= TARGETS["single_speedup"],
            }
        )
    tr = results.get("train")
    if tr:
        for key, label, target in (
            ("fmincg_vs_sklearn", "nn3 fmincg vs scikit-learn", "fmincg_vs_sklearn"),
            (
                "fmincg_vs_octave_openblas",
                "nn3 fmincg vs Octave + OpenBLAS",
                "fmincg_vs_octave_openblas",
            ),
            ("fastest_vs_sklearn", "nn3's fastest vs scikit-learn", "fastest_vs_both"),
            ("fastest_vs_octave_openblas", "nn3's fastest vs Octave + OpenBLAS", "fastest_vs_both"),
        ):
            value = tr["speedups"].get(key)
            if value is not None:
                rows.append(
                    {
                        "claim": f"time to fmincg's cost: {label} (each at its best threads)",
                        "value": value,
                        "target": f">= {TARGETS[target]}",
                        "met": value >= TARGETS[target],
                    }
                )
    rss = results.get("rss")
    if rss:
        rows.append(
            {
                "claim": f"peak memory of nn3 train / X ({rss['m']}x{rss['n']})",
                "value": rss["peak_over_x"],
                "target": f"<= {TARGETS['rss_factor']} x X + {TARGETS['rss_extra_mb']} MB",
                "met": rss["met"],
            }
        )
    st = results.get("startup")
    if st:
        value = st["help"]["median"]
        rows.append(
            {
                "claim": "nn3 --help (seconds)",
                "value": value,
                "target": f"<= {TARGETS['help_seconds']}",
                "met": value <= TARGETS["help_seconds"],
            }
        )
    return rows


def print_claims(results):
    mach = results["machine"]
    act = results["activity"]
    status = (
        "for claims"
        if results["for_claims"]
        else "NOT FOR CLAIMS: " + "; ".join(results["not_for_claims"])
    )
    print(f"CLAIMS ({status})")
    print(
        f"  date: {results['started']}; nn3 {results['nn3_version']}; command: {results['command']}"
    )
    print(
        f"  machine: {mach['cpu_model']}, {mach['cpus']} CPUs"
        f"{' (AVX-512)' if mach.get('avx512') else ''}, {mach['memory_gb']} GB; "
        f"{mach['platform']}"
    )
    print(
        f"  Python {mach['python']}, numpy {mach['numpy']}, scipy {mach['scipy']}; numpy's "
        f"BLAS: {blas_text(mach['blas'])}"
    )
    tr = results.get("train")
    if tr:
        for name, r in tr["systems"].items():
            print(
                f"  {name}: best at {r['best_threads']} thread(s)"
                if r.get("available")
                else f"  {name}: not available ({r.get('reason')})"
            )
        octave_blas = {r.get("blas") for r in tr["systems"].values() if r.get("blas")}
        if octave_blas:
            print("  Octave's BLAS: " + "; ".join(sorted(octave_blas)))
    if "eval" in results:
        print(
            f"  evaluations: nn3 at {results['eval'][0]['threads']} threads (its default, the "
            "cores), floor at full threads"
        )
    print(f"  {activity_text(act)}")
    rows = [
        [c["claim"], f"{c['value']:.3f}", c["target"], "met" if c["met"] else "MISSED"]
        for c in results["claims"]
    ]
    if rows:
        table("", ["claim", "measured", "target", "status"], rows)


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small shapes, seconds (CI smoke test)")
    p.add_argument("--json", metavar="PATH", help="write the results here (default: results/)")
    p.add_argument("--only", choices=PARTS, action="append", help="run only these parts")
    p.add_argument("--reps", type=int, help="alternated runs of each timing (default 5; quick 2)")
    p.add_argument("--no-octave", action="store_true", help="skip the Octave runs")
    p.add_argument("--no-sklearn", action="store_true", help="skip scikit-learn")
    p.add_argument(
        "--octave-openblas",
        metavar="DIR",
        help="folder holding OpenBLAS's libblas.so.3 for Octave (default: search the usual "
        "places and ~/.cache/nn3-bench, see get_octave_openblas.sh)",
    )
    p.add_argument("--plot", metavar="PNG", help="draw the scaling figure here (needs matplotlib)")
    p.add_argument(
        "--max-load",
        type=float,
        default=MAX_LOAD,
        help=f"1-minute load average above which the run is not for claims (default {MAX_LOAD})",
    )
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, str(HERE))  # time_to_train and scale import this module as `run`
    import nn3

    parts = set(args.only or PARTS)
    quick = args.quick
    reps = args.reps or (2 if quick else 5)
    n_cores = cores()
    activity = Activity()
    load0 = activity.load_start
    results = {
        "nn3_version": nn3.__version__,
        "quick": quick,
        "command": " ".join(["benchmarks/run.py"] + (argv if argv is not None else sys.argv[1:])),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine_info(),
        "targets": TARGETS,
        "reps": reps,
    }
    not_for_claims = []
    if quick:
        not_for_claims.append("--quick (small shapes, few runs)")
    if load0 is not None and load0[0] > args.max_load:
        not_for_claims.append(
            f"the load average was {load0[0]:.2f} at the start (above {args.max_load})"
        )
    mach = results["machine"]
    print(
        f"nn3 {nn3.__version__} benchmark{' (--quick)' if quick else ''}, {results['started']}\n"
        f"machine: {mach['cpu_model']}, {mach['cpus']} CPUs, {mach['memory_gb']} GB; "
        f"Python {mach['python']}, numpy {mach['numpy']}, scipy {mach['scipy']}\n"
        f"numpy's BLAS: {blas_text(mach['blas'])}\n"
        f"load average {load0}; {reps} alternated runs per timing\n",
        flush=True,
    )
    if not_for_claims:
        print("*** NOT FOR CLAIMS: " + "; ".join(not_for_claims) + " ***\n", flush=True)

    big_m = 6000 if quick else 60000
    if parts & {"eval", "threads", "scaling"}:
        X_ex4, y_ex4 = ex4_data()
        X_big, y_big = uniform_data(big_m, 784)
        big = f"uniform {big_m}x784"

    if "eval" in parts:
        shapes = [
            ("ex4 5000x400", X_ex4, y_ex4, 25, 10, "double"),
            (big, X_big, y_big, 25, 10, "double"),
            (big, X_big, y_big, 25, 10, "single"),
        ]
        if quick:
            results["eval"] = measure_eval(shapes, reps, n_cores, burst=2, pause=0.0)
        else:
            results["eval"] = measure_eval(shapes, reps, n_cores)
        print_eval(results["eval"])
        results["single_speedup"] = single_speedups(results["eval"])
        for s in results["single_speedup"]:
            status = "met" if s["speedup"] >= TARGETS["single_speedup"] else "MISSED"
            print(
                f"   precision single at {s['name']}: {fmt_stats(s['single'])} against "
                f"{fmt_stats(s['double'])}: {s['speedup']:.2f}x per evaluation (target >= "
                f"{TARGETS['single_speedup']}: {status})\n"
            )

    if "threads" in parts:
        shapes = [("ex4 5000x400", X_ex4, y_ex4, 25, 10), (big, X_big, y_big, 25, 10)]
        fast = {"burst": 2, "pause": 0.0} if quick else {}
        results["threads"] = measure_threads(shapes, reps, thread_counts(n_cores), **fast)
        print_threads(results["threads"])

    if "contention" in parts:
        import contention

        results["contention"] = contention.measure(quick=quick, reps=None if quick else reps + 2)
        contention.print_table(results["contention"])

    if "train" in parts:
        import time_to_train

        results["train"] = time_to_train.measure(
            quick=quick,
            reps=reps,
            octave=not args.no_octave,
            sklearn=not args.no_sklearn,
            octave_openblas=args.octave_openblas,
        )

    if "rss" in parts:
        rss = bench_rss(5000, 400, 25, 2, "7.3") if quick else bench_rss(60000, 784, 25, 10, "7.3")
        results["rss"] = rss
        table(
            f"rss: peak resident memory of `nn3 train` ({rss['m']}x{rss['n']} v{rss['format']} "
            f"file, {rss['hidden']} hidden, --maxiter {rss['maxiter']}); target <= "
            f"{TARGETS['rss_factor']} x X + {TARGETS['rss_extra_mb']} MB",
            ["X bytes", "file", "peak RSS", "peak / X", "limit", "status", "train time"],
            [
                [
                    f"{rss['x_bytes'] / MB:.0f} MB",
                    f"{rss['file_bytes'] / MB:.0f} MB",
                    f"{rss['peak_rss_bytes'] / MB:.0f} MB",
                    f"{rss['peak_over_x']:.2f}",
                    f"{rss['limit_bytes'] / MB:.0f} MB",
                    ("met" if rss["met"] else "MISSED")
                    + ("" if rss["exit_status"] == 0 else f" (exit {rss['exit_status']})"),
                    fmt_time(rss["train_seconds"]),
                ]
            ],
        )

    if "startup" in parts:
        st = bench_startup(3 if quick else 3 * reps)
        results["startup"] = st
        status = "met" if st["help"]["median"] <= TARGETS["help_seconds"] else "MISSED"
        table(
            f"startup: `nn3 --help` (target <= {TARGETS['help_seconds']} s)",
            ["command", "nn3 --help", "python -c pass", "status"],
            [[st["command"], fmt_stats(st["help"]), fmt_stats(st["python"]), status]],
        )

    if "scaling" in parts:
        if quick:
            sc = bench_scaling(
                X_big,
                y_big,
                [1000, 2000, 4000],
                [10, 25, 50],
                25,
                2000,
                2,
                n_cores,
                burst=2,
                pause=0.0,
            )
        else:
            sc = bench_scaling(
                X_big,
                y_big,
                [1000, 2000, 5000, 10000, 20000, 40000, 60000],
                [25, 50, 100, 200, 300],
                25,
                20000,
                reps,
                n_cores,
            )
        results["scaling"] = sc
        print_scaling(sc)
        if args.plot:
            try:
                plot_scaling(sc, args.plot)
                print(f"scaling figure: {args.plot}\n")
            except ImportError:
                print("scaling figure: not available (matplotlib not installed)\n")

    if "scale" in parts:
        results["scale"] = bench_scale(quick)

    act = activity.finish()
    results["activity"] = act
    share = act["other_cpu_share"]
    if share is not None and share > MAX_OTHER_CPU:
        not_for_claims.append(
            f"other processes used {100 * share:.0f}% of one core during the run "
            f"(above {100 * MAX_OTHER_CPU:.0f}%)"
        )
    results["for_claims"] = not not_for_claims
    results["not_for_claims"] = not_for_claims
    results["claims"] = claims(results)
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    print_claims(results)
    out = (
        Path(args.json)
        if args.json
        else HERE / "results" / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=float) + "\n")
    print(f"JSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
