#!/usr/bin/env python
"""nn3's performance benchmark: the hot path against the hardware floor, Octave and scikit-learn.

Run from a checkout (``pip install -e '.[bench]'`` first for scikit-learn and threadpoolctl)::

    python benchmarks/run.py            # the full run, a few minutes on 2 cores
    python benchmarks/run.py --quick    # small shapes, seconds: a smoke test (CI runs it)

It measures, in one process and one run, and prints as tables (also written as JSON to
``benchmarks/results/`` or ``--json PATH``):

1. **evaluation vs floor**: one cost+gradient evaluation (``nn3.make_objective``, lambda 1) and the
   floor, the two products of the size of the data alone (``X @ Theta1[:, 1:].T`` and
   ``delta2.T @ X``, same data, same process), timed alternately; the ratio of the best times.
2. **training**: 50 fmincg iterations, lambda 1, at ex4 size, nn3 vs GNU Octave running
   ``matlab_ref/`` (``cgmin`` on ``nnCostFunction``, same data, same start, MaxIter 50) with the
   BLAS it finds (Octave's default, and OpenBLAS when a ``libblas.so.3`` of OpenBLAS is found,
   see ``--octave-openblas``) vs scikit-learn's ``MLPClassifier`` (lbfgs, 50 iterations).
3. **memory**: peak resident memory of ``nn3 train`` on a 60000x784 v7.3 file, vs ``X``'s bytes.
4. **start-up**: wall time of ``nn3 --help``.
5. **scaling**: evaluation time against the number of rows and the hidden size.

Data sets (no downloads): ex4 size is ``nn3.datasets.synthetic_ex4`` (5000x400, labels 1..10,
the data of the genuine-fmincg reference runs, defined by formula in every engine); the larger
shapes are ``uniform60k``: ``numpy.random.default_rng(6)``, ``X`` uniform in [0, 1) (like scaled
pixels), labels uniform in 1..10. Initial weights: ``0.12 * sin(1:numel)`` reshaped column-major
(the reference runs' start, identical in Octave).

Timings on a shared machine are noisy: each figure is the best of several alternated repetitions
(the median is in the JSON), and the load average before and after is recorded.
"""

import argparse
import glob
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MATLAB_REF = ROOT / "matlab_ref"
MB = 2**20
PARTS = ["eval", "train", "rss", "startup", "scaling", "scale"]

TARGETS = {
    "eval_over_floor": 1.2,
    "train_speedup_vs_octave_openblas": 3.0,
    "train_speedup_vs_sklearn": 5.0,
    "single_speedup": 1.6,
    "rss_factor": 1.3,
    "rss_extra_mb": 200,
    "help_seconds": 0.25,
}

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
# Data and timing helpers
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


def load_average():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def fmt_time(s):
    if s is None:
        return "n/a"
    if s < 1e-3:
        return f"{s * 1e6:.0f} us"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def table(title, header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = [title, "  " + "  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print("\n".join(lines) + "\n", flush=True)


# ------------------------------------------------------------------------------------------
# The machine
# ------------------------------------------------------------------------------------------


def machine_info():
    import numpy as np
    import scipy

    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": None,
        "memory_gb": None,
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
        "blas": None,
    }
    try:
        text = Path("/proc/cpuinfo").read_text()
        match = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        info["cpu_model"] = match.group(1).strip() if match else None
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        info["memory_gb"] = round(kb / 2**20, 1)
    except (OSError, AttributeError):
        pass
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for d in threadpool_info()
            if d.get("user_api") == "blas"
        ]
    except ImportError:
        info["blas"] = "threadpoolctl not installed (pip install -e '.[bench]')"
    return info


# ------------------------------------------------------------------------------------------
# 1. Evaluation vs the floor
# ------------------------------------------------------------------------------------------


def floor_products(X, hidden, K, dtype=None):
    """The two products of the size of the data, in every layout nn3 could use.

    Returns ``{"P1": {layout: f}, "P2": {layout: f}}``: ``P1`` is ``X @ W1.T`` (as
    ``X @ W1.T``, ``W1 @ X.T`` with ``W1`` in C or Fortran order), ``P2`` is ``delta2.T @ X``
    (as ``delta2.T @ X``, ``d2t @ X`` with ``d2t`` contiguous, ``X.T @ delta2`` into an
    ``(n, hidden)`` array), each whole and, when the evaluator splits ``X`` into row blocks, in
    the evaluator's blocks too. The floor is the fastest ``P1`` plus the fastest ``P2``: a lower
    bound of the evaluation, which runs both products in one of these layouts plus everything
    else.
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
    o2 = np.empty((hidden, n), dtype)
    o2t = np.empty((n, hidden), dtype)
    blocks = _partition(m, hidden, K, dtype.itemsize)
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
        d2tb = [np.ascontiguousarray(d2[s:e].T) for s, e in blocks]

        def p1_blocks():
            for s, e in blocks:
                np.matmul(W1f, Xd[s:e].T, out=o1[:, : e - s])

        def p2_blocks(layout):
            for (s, e), dt in zip(blocks, d2tb, strict=True):
                if layout == "d2t":
                    np.matmul(dt, Xd[s:e], out=o2)
                else:
                    np.matmul(Xd[s:e].T, dt.T, out=o2t)

        p1["W1(F) @ Xb.T, blocks"] = p1_blocks
        p2["d2tb @ Xb, blocks"] = lambda: p2_blocks("d2t")
        p2["Xb.T @ d2b, blocks"] = lambda: p2_blocks("xt")
    return {"P1": p1, "P2": p2}


def eval_case(name, X, y, hidden, K, reps, precision="double", ncf=True):
    """One shape: both public entry points, the floor's products, and how many times to time.

    ``nn3.make_objective`` (with ``precision``) and, in double precision,
    ``nn3.nn_cost_function`` called with the same ``X`` and ``y`` each time (as a user's loop
    does).
    """
    import numpy as np

    import nn3

    m, n = X.shape
    params = sin_params(n, hidden, K)
    fun = nn3.make_objective(X, y, n, hidden, K, 1.0, precision=precision)
    timed = {"make_objective": lambda: fun(params)}
    if precision == "double" and ncf:
        timed["nn_cost_function"] = lambda: nn3.nn_cost_function(params, n, hidden, K, X, y, 1.0)
    dtype = np.float32 if precision == "single" else np.float64
    products = floor_products(X, hidden, K, dtype)
    for part, layouts in products.items():
        for layout, f in layouts.items():
            timed[f"{part}: {layout}"] = f
    meta = {"name": name, "m": m, "n": n, "hidden": hidden, "labels": K, "reps": reps,
            "precision": precision}  # fmt: skip
    return meta, timed


def measure(cases):
    """Time every case's functions round-robin, best and median of each.

    Each round runs every function of every case once (until the case has its ``reps``), so a
    slow spell of a shared machine hits all of them alike. The floor is the best ``P1`` layout
    plus the best ``P2`` layout; the ratios are each entry point's best over it.
    """
    import numpy as np

    times = [{k: [] for k in timed} for _, timed in cases]
    for _, timed in cases:  # warm-up: first-touch of buffers, BLAS threads
        for f in timed.values():
            f()
    for r in range(max(meta["reps"] for meta, _ in cases)):
        for (meta, timed), acc in zip(cases, times, strict=True):
            if r >= meta["reps"]:
                continue
            for key, f in timed.items():
                t0 = time.perf_counter()
                f()
                acc[key].append(time.perf_counter() - t0)
    results = []
    for (meta, _), acc in zip(cases, times, strict=True):
        best = {k: min(v) for k, v in acc.items()}
        med = {k: float(np.median(v)) for k, v in acc.items()}
        p1 = min((k for k in best if k.startswith("P1")), key=best.get)
        p2 = min((k for k in best if k.startswith("P2")), key=best.get)
        floor = best[p1] + best[p2]
        floor_med = med[p1] + med[p2]
        m, n, h = meta["m"], meta["n"], meta["hidden"]
        r = {
            **meta,
            "floor_s": floor,
            "floor_median_s": floor_med,
            "floor_layouts": [p1, p2],
            "eval_s": best["make_objective"],
            "eval_median_s": med["make_objective"],
            "ratio": best["make_objective"] / floor,
            "ratio_median": med["make_objective"] / floor_med,
            "floor_gflops": 4 * m * n * h / floor / 1e9,
            "products_s": {k: v for k, v in best.items() if k[:2] in ("P1", "P2")},
        }
        if "nn_cost_function" in best:
            r["ncf_s"] = best["nn_cost_function"]
            r["ncf_ratio"] = best["nn_cost_function"] / floor
            r["ncf_over_objective"] = best["nn_cost_function"] / best["make_objective"]
        results.append(r)
    return results


# ------------------------------------------------------------------------------------------
# 2. Training: time to a trained network is benchmarks/time_to_train.py (it uses these)
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


# ------------------------------------------------------------------------------------------
# 3. Peak memory of `nn3 train`, 4. start-up time
# ------------------------------------------------------------------------------------------


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
        cmd = nn3_command() + [
            "train",
            data,
            "--hidden",
            str(hidden),
            "--maxiter",
            str(maxiter),
            "--quiet",
            "--out",
            os.path.join(tmp, "w.mat"),
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
        out = proc.stdout[: match.start()]
        err = proc.stderr
    peak = peak_kb * 1024
    limit = TARGETS["rss_factor"] * x_bytes + TARGETS["rss_extra_mb"] * MB
    return {
        "m": m,
        "n": n,
        "hidden": hidden,
        "maxiter": maxiter,
        "format": fmt,
        "exit_status": exit_status,
        "stderr": err.strip()[-500:],
        "stdout_last": out.strip().splitlines()[-1] if out.strip() else "",
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
    times, base_times = [], []
    for _ in range(reps):
        for c, acc in ((cmd, times), (base, base_times)):
            t0 = time.perf_counter()
            subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            acc.append(time.perf_counter() - t0)
    times.sort()
    base_times.sort()
    return {
        "command": " ".join(cmd),
        "best_s": times[0],
        "median_s": times[len(times) // 2],
        "python_pass_best_s": base_times[0],
        "reps": reps,
    }


# ------------------------------------------------------------------------------------------
# 5. Scaling
# ------------------------------------------------------------------------------------------


def loglog_slope(xs, ts):
    import numpy as np

    return float(np.polyfit(np.log(xs), np.log(ts), 1)[0])


def bench_scaling(X, y, rows_list, hidden_list, hidden_for_rows, rows_for_hidden, reps):
    cases = [
        eval_case(f"m={m}", X[:m], y[:m], hidden_for_rows, 10, reps, ncf=False) for m in rows_list
    ]
    by_rows = measure(cases)
    del cases
    cases = [
        eval_case(f"hidden={h}", X[:rows_for_hidden], y[:rows_for_hidden], h, 10, reps, ncf=False)
        for h in hidden_list
    ]
    by_hidden = measure(cases)
    return {
        "by_rows": by_rows,
        "by_hidden": by_hidden,
        "slope_rows": loglog_slope([r["m"] for r in by_rows], [r["eval_s"] for r in by_rows]),
        "slope_hidden": loglog_slope(
            [r["hidden"] for r in by_hidden], [r["eval_s"] for r in by_hidden]
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
            ax.loglog(xs, [r["eval_s"] for r in rs], "o-", label="cost+gradient evaluation")
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


# ------------------------------------------------------------------------------------------
# Scale (issue 12): in memory vs streaming vs Dask, per evaluation (benchmarks/scale.py)
# ------------------------------------------------------------------------------------------


def bench_scale(quick):
    """The scale section of ``benchmarks/scale.py``, printed; None when dask is missing."""
    print("6. scale: in memory vs streaming from a v7.3 file vs Dask (benchmarks/scale.py)")
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("   not available: needs the dask extra (pip install 'nn3[dask]')\n")
        return {"available": False, "reason": "dask[distributed] not installed"}
    sys.path.insert(0, str(HERE))
    try:
        import scale
    finally:
        sys.path.remove(str(HERE))
    with tempfile.TemporaryDirectory(prefix="nn3-scale-") as folder:
        result = scale.run(quick=quick, folder=folder)
    scale.print_table(result)
    print()
    return result


# Main
# ------------------------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small shapes, a few seconds (CI smoke)")
    p.add_argument("--json", metavar="PATH", help="write the results here (default: results/)")
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
        "--only",
        choices=PARTS,
        action="append",
        help="run only these parts (repeatable)",
    )
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import nn3

    parts = set(args.only or PARTS)
    quick = args.quick
    results = {
        "nn3_version": nn3.__version__,
        "quick": quick,
        "command": " ".join([os.path.basename(sys.argv[0])] + (argv or sys.argv[1:])),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average_start": load_average(),
        "machine": machine_info(),
        "targets": TARGETS,
    }
    mach = results["machine"]
    blas = mach["blas"]
    blas_text = (
        ", ".join(
            f"{b['internal_api']} {b['version']} ({b['architecture']} kernel, "
            f"{b['num_threads']} threads)"
            for b in blas
        )
        if isinstance(blas, list)
        else str(blas)
    )
    print(
        f"nn3 {nn3.__version__} benchmark{' (--quick)' if quick else ''}\n"
        f"machine: {mach['cpu_model']}, {mach['cpus']} CPUs, {mach['memory_gb']} GB; "
        f"Python {mach['python']}, numpy {mach['numpy']}, scipy {mach['scipy']}\n"
        f"numpy BLAS: {blas_text}\n"
        f"OPENBLAS_CORETYPE={mach['env']['OPENBLAS_CORETYPE']} "
        f"OPENBLAS_L2_SIZE={mach['env']['OPENBLAS_L2_SIZE']}; "
        f"load average {results['load_average_start']}\n",
        flush=True,
    )
    X_ex4, y_ex4 = ex4_data() if parts & {"eval", "train"} else (None, None)
    big_m = 6000 if quick else 60000
    X_big, y_big = uniform_data(big_m, 784) if parts & {"eval", "scaling"} else (None, None)

    if "eval" in parts:
        if quick:
            shapes = [
                ("ex4 5000x400, 25 hidden", X_ex4, y_ex4, 25, 5, "double"),
                ("uniform 6000x784, 25 hidden", X_big, y_big, 25, 3, "double"),
                ("uniform 6000x784, 25 hidden", X_big, y_big, 25, 3, "single"),
            ]
        else:
            shapes = [
                ("ex4 5000x400, 25 hidden", X_ex4, y_ex4, 25, 40, "double"),
                ("uniform60k 60000x784, 25 hidden", X_big, y_big, 25, 10, "double"),
                ("uniform60k 60000x784, 25 hidden", X_big, y_big, 25, 10, "single"),
                ("uniform60k 60000x784, 300 hidden", X_big, y_big, 300, 4, "double"),
            ]
        evals = measure(
            [eval_case(name, X, y, h, 10, reps, prec) for name, X, y, h, reps, prec in shapes]
        )
        results["eval"] = evals
        target = TARGETS["eval_over_floor"]

        def verdict(ratio):
            return "met" if ratio <= target else "MISSED"

        table(
            "1. cost+gradient evaluation vs the floor (the fastest layout of X @ W1.T plus the "
            f"fastest of delta2.T @ X, same precision, same run; target <= {target} through "
            "both entry points; nn_cost_function called with the same X and y each time)",
            ["shape", "precision", "floor", "make_objective", "ratio", "nn_cost_function",
             "ratio", "ncf / objective", "status"],
            [
                [
                    r["name"],
                    r["precision"],
                    fmt_time(r["floor_s"]),
                    fmt_time(r["eval_s"]),
                    f"{r['ratio']:.3f}",
                    fmt_time(r.get("ncf_s")),
                    f"{r['ncf_ratio']:.3f}" if "ncf_ratio" in r else "",
                    f"{r['ncf_over_objective']:.3f}" if "ncf_ratio" in r else "",
                    verdict(max(r["ratio"], r.get("ncf_ratio", 0))),
                ]
                for r in evals
            ],
        )  # fmt: skip
        print("   floor layouts: " + "; ".join(
            f"{r['name']} {r['precision']}: {' + '.join(r['floor_layouts'])}" for r in evals
        ) + "\n")  # fmt: skip
        pairs = [
            (d, s_)
            for d in evals
            for s_ in evals
            if d["precision"] == "double" and s_["precision"] == "single"
            and (d["m"], d["n"], d["hidden"]) == (s_["m"], s_["n"], s_["hidden"])
        ]  # fmt: skip
        for d, s_ in pairs:
            speedup = d["eval_s"] / s_["eval_s"]
            results.setdefault("single_speedup", []).append(
                {"name": d["name"], "speedup": speedup, "target": TARGETS["single_speedup"]}
            )
            status = "met" if speedup >= TARGETS["single_speedup"] else "MISSED"
            print(
                f"   precision single at {d['name']}: {fmt_time(s_['eval_s'])} vs "
                f"{fmt_time(d['eval_s'])}, {speedup:.2f}x faster per evaluation (target >= "
                f"{TARGETS['single_speedup']}: {status})\n",
                flush=True,
            )

    if "train" in parts:
        import time_to_train

        results["train"] = time_to_train.measure(
            quick=quick,
            octave=not args.no_octave,
            sklearn=not args.no_sklearn,
            octave_openblas=args.octave_openblas,
        )

    if "rss" in parts:
        if quick:
            rss = bench_rss(5000, 400, 25, 2, "7.3")
        else:
            rss = bench_rss(60000, 784, 25, 10, "7.3")
        results["rss"] = rss
        table(
            f"3. peak resident memory of `nn3 train` ({rss['m']}x{rss['n']} v{rss['format']} "
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
        st = bench_startup(3 if quick else 15)
        results["startup"] = st
        table(
            f"4. start-up: `nn3 --help` (target <= {TARGETS['help_seconds']} s)",
            ["command", "best", "median", "python -c pass", "status"],
            [
                [
                    st["command"],
                    fmt_time(st["best_s"]),
                    fmt_time(st["median_s"]),
                    fmt_time(st["python_pass_best_s"]),
                    "met" if st["best_s"] <= TARGETS["help_seconds"] else "MISSED",
                ]
            ],
        )

    if "scaling" in parts:
        if quick:
            sc = bench_scaling(X_big, y_big, [1000, 2000, 4000], [10, 25, 50], 25, 2000, 3)
        else:
            sc = bench_scaling(
                X_big,
                y_big,
                [1000, 2000, 5000, 10000, 20000, 40000, 60000],
                [25, 50, 100, 200, 300],
                25,
                20000,
                5,
            )
        results["scaling"] = sc
        if args.plot:
            try:
                plot_scaling(sc, args.plot)
                print(f"scaling figure: {args.plot}")
            except ImportError:
                print("scaling figure: not available (matplotlib not installed)")
        table(
            f"5a. scaling with rows (784 features, 25 hidden): time ~ m^{sc['slope_rows']:.2f}",
            ["m", "evaluation", "per row", "ratio to floor"],
            [
                [
                    r["m"],
                    fmt_time(r["eval_s"]),
                    f"{r['eval_s'] / r['m'] * 1e6:.2f} us",
                    f"{r['ratio']:.2f}",
                ]
                for r in sc["by_rows"]
            ],
        )
        m_h = sc["by_hidden"][0]["m"]
        table(
            f"5b. scaling with hidden size ({m_h}x784): time ~ hidden^{sc['slope_hidden']:.2f}",
            ["hidden", "evaluation", "per hidden unit", "ratio to floor"],
            [
                [
                    r["hidden"],
                    fmt_time(r["eval_s"]),
                    fmt_time(r["eval_s"] / r["hidden"]),
                    f"{r['ratio']:.2f}",
                ]
                for r in sc["by_hidden"]
            ],
        )

    if "scale" in parts:
        results["scale"] = bench_scale(quick)

    results["load_average_end"] = load_average()
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    if args.json:
        out = Path(args.json)
    else:
        out = HERE / "results" / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=float) + "\n")
    print(f"load average at the end: {results['load_average_end']}\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
