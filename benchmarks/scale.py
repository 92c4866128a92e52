#!/usr/bin/env python
"""Scale section: in memory vs streaming from a v7.3 file vs Dask, per evaluation.

Run from a checkout (``pip install -e '.[dask]'``)::

    python benchmarks/scale.py            # 60000x784, 25 hidden, 10 labels
    python benchmarks/scale.py --quick    # small shapes, seconds: a smoke test
    python benchmarks/scale.py --rss-rows 2000000   # also: peak RSS of streaming training

It measures, in one run, one cost+gradient evaluation (lambda 1) of

1. the in-memory path (``nn3.make_objective(X, ...)``, X loaded whole);
2. streaming from a page-cached v7.3 file (``engine="stream"``);
3. Dask: a ``LocalCluster`` of 2 single-threaded worker processes holding the blocks in memory
   (``engine="dask"``), and Dask's own per-evaluation overhead: the same tasks (one per shard,
   parameters as arguments, per-block partial sums returned) with the work left out;

as the median and range of alternated repetitions (``run.alternate``), with ratios of medians to
the in-memory time and rows per second.
``peak_rss_streaming`` trains by streaming in a child process and reports its peak RSS
(``VmHWM``) against X's size. The data is ``nn3.workflow.datagen.make_data`` (seed 0), written to a
temporary folder. The load average before and after is recorded.

``benchmarks/run.py`` calls :func:`run` for its scale section.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import alternate, load_average, stats  # noqa: E402

HIDDEN, LABELS, LAMBDA = 25, 10, 1.0


def _null_sums(shard, nn_params, sizes):
    """A shard task without the work: partial sums of the right sizes, all zero."""
    from nn3.engines.block import BlockSums

    n, h, K = sizes
    return [
        BlockSums(0.0, np.zeros(h), np.zeros((n, h)), np.zeros((h + 1, K))) for _ in shard.blocks
    ]


def time_engines(rows, features, repeats=5, block_rows=None, workers=2, folder=None):
    """Per-evaluation times of memory, stream and Dask (and Dask's overhead), as a dict."""
    import nn3
    from nn3.engines import make_objective
    from nn3.engines.dask_engine import connect
    from nn3.engines.labels import read_labels
    from nn3.workflow.datagen import make_data

    folder = folder or tempfile.mkdtemp(prefix="nn3-scale-")
    path = os.path.join(folder, f"scale_{rows}x{features}.mat")
    if not os.path.exists(path):
        make_data(path, rows, features, LABELS, seed=0)
    y = read_labels(path, "y", rows)
    X = nn3.load_mat(path)["X"]
    sizes = (features, HIDDEN, LABELS)
    x = 0.12 * np.sin(np.arange(1, HIDDEN * (features + 1) + LABELS * (HIDDEN + 1) + 1))
    memory = make_objective(X, y, *sizes, LAMBDA)
    stream = make_objective(path, y, *sizes, LAMBDA, engine="stream", block_rows=block_rows)
    client = connect(f"local:{workers}")
    try:
        dask = make_objective(
            path, y, *sizes, LAMBDA, engine="dask", client=client, block_rows=block_rows
        )
        engine = dask._engine.inner

        def null_evaluation(params):
            futures = [
                client.submit(_null_sums, s, params, sizes, workers=[w], pure=False)
                for s, w in zip(engine.shards, engine.workers, strict=True)
            ]
            client.gather(futures)

        J_mem, g_mem = memory(x)
        J_str, g_str = stream(x)
        J_dask, g_dask = dask(x)
        funs = {"memory": memory, "stream": stream, "dask": dask, "dask_overhead": null_evaluation}
        # warm-up (page cache, loads), then alternated runs
        results = alternate({k: (lambda f=f: f(x)) for k, f in funs.items()}, repeats)
        dask.close()
    finally:
        client.close()
    best = {k: stats(v)["median"] for k, v in results.items()}
    return {
        "rows": rows,
        "features": features,
        "hidden": HIDDEN,
        "labels": LABELS,
        "block_rows": stream.block_rows,
        "workers": workers,
        "seconds_median": best,
        "seconds": {k: stats(v) for k, v in results.items()},
        "stream_over_memory": best["stream"] / best["memory"],
        "dask_over_memory": best["dask"] / best["memory"],
        "dask_overhead_ms": 1000 * best["dask_overhead"],
        "rows_per_second": {k: rows / best[k] for k in ("memory", "stream", "dask")},
        "same_bits_stream_dask": bool(J_str == J_dask and np.array_equal(g_str, g_dask)),
        "stream_vs_memory_rel": float(
            max(
                abs(J_str - J_mem) / abs(J_mem),
                np.max(np.abs(g_str - g_mem)) / np.max(np.abs(g_mem)),
            )
        ),
        "path": path,
    }


_CHILD = """
import sys
from nn3.engines.labels import read_labels
from nn3.engines.source import H5Source
from nn3.workflow.blocks import train_blocks
source = H5Source(sys.argv[1], "X")
y = read_labels(sys.argv[1], "y", source.shape[0])
r = train_blocks(source, y, hidden_layer_size=25, maxiter=int(sys.argv[2]))
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print(int(peak[0].split()[1]) * 1024, r.optimize_result.nfev, r.train_accuracy)
"""


def peak_rss_streaming(rows, features=784, maxiter=2, folder=None):
    """Peak RSS (bytes) of ``train_blocks`` streaming from a ``rows x features`` v7.3 file.

    The file is written by ``make_data`` (without holding X) if not there; the training runs in
    a child process whose ``VmHWM`` (peak resident memory of its own image) is returned with
    X's size and the evaluations' rows per second.
    """
    from nn3.workflow.datagen import make_data

    folder = folder or tempfile.mkdtemp(prefix="nn3-rss-")
    path = os.path.join(folder, f"rss_{rows}x{features}.mat")
    if not os.path.exists(path):
        make_data(path, rows, features, LABELS, seed=0)
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, path, str(maxiter)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - t0
    peak, nfev, accuracy = out.stdout.split()
    return {
        "rows": rows,
        "features": features,
        "x_bytes": 8 * rows * features,
        "peak_rss_bytes": int(peak),
        "evaluations": int(nfev),
        "seconds": seconds,
        "rows_per_second_incl_start": int(nfev) * rows / seconds,
        "train_accuracy": float(accuracy),
    }


def run(quick=False, rss_rows=None, repeats=None, folder=None):
    """The scale section as a dict (``benchmarks/run.py`` prints it)."""
    rows, features = (6000, 100) if quick else (60000, 784)
    result = {
        "load_before": load_average(),
        "eval": time_engines(rows, features, repeats or (3 if quick else 7), folder=folder),
    }
    if rss_rows:
        result["rss"] = peak_rss_streaming(rss_rows, features, folder=folder)
    result["load_after"] = load_average()
    return result


def print_table(result):
    e = result["eval"]
    print(
        f"scale: {e['rows']}x{e['features']}, {e['hidden']} hidden, {e['labels']} labels, "
        f"block_rows {e['block_rows']}, Dask LocalCluster {e['workers']}x1 thread"
    )
    print(f"{'engine':<10}{'ms/eval':>10}{'vs memory':>11}{'rows/s':>14}")
    for k in ("memory", "stream", "dask"):
        s = e["seconds_median"][k]
        print(
            f"{k:<10}{1000 * s:>10.1f}{s / e['seconds_median']['memory']:>10.2f}x"
            f"{e['rows_per_second'][k]:>14,.0f}"
        )
    print(
        f"Dask overhead per evaluation: {e['dask_overhead_ms']:.1f} ms; "
        f"stream == dask bits: {e['same_bits_stream_dask']}; "
        f"stream vs memory: {e['stream_vs_memory_rel']:.1e} relative"
    )
    if "rss" in result:
        r = result["rss"]
        print(
            f"streaming training on {r['rows']}x{r['features']} ({r['x_bytes'] / 2**30:.2f} GiB "
            f"X): peak RSS {r['peak_rss_bytes'] / 2**20:.0f} MiB, "
            f"{r['rows_per_second_incl_start']:,.0f} rows/s"
        )
    print(
        f"load average before/after: {result['load_before'][0]:.2f} / {result['load_after'][0]:.2f}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rss-rows", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    result = run(args.quick, args.rss_rows, args.repeats)
    print_table(result)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
