#!/usr/bin/env python
"""Contention section: what sharing one Python process costs two evaluating threads.

Run from a checkout (Linux, at least 2 cores)::

    python benchmarks/contention.py            # 5000x400, 25 hidden, 10 labels
    python benchmarks/contention.py --quick    # fewer calls: a smoke test

The same serial evaluation (ex4 size, lambda 1, ``threads=1``: one thread, single-threaded BLAS)
is timed per call

1. **alone**: one thread, bound to the first core;
2. **two threads**: two at once in two threads of this process, each bound to its own core,
   each with its own copy of the data and its own objective;
3. **two processes**: two at once in two worker processes, each bound to its own core;

in alternated turns (``--reps``), each turn ``--calls`` calls per evaluator (the first of a turn
not kept). Reported: the median per-call time of each turn, their median and range, and the
ratio of medians to the time alone.

Two threads that share nothing but the process differ from two processes only in what the
process shares: Python's GIL (numpy releases it inside each product and element-wise pass and
takes it back after) and the allocator. An evaluation of a 512-row block is about 25 numpy
calls; at 5000x400 most are short element-wise passes, so a thread takes the GIL back often,
and when the other thread holds it, waits and is woken. The per-call time in two threads
against two processes is that cost, which an evaluation on two threads
(:mod:`nn3.core.threads`) pays too and the floor (two BLAS calls) does not.

``benchmarks/run.py`` calls :func:`measure` for its contention section.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ex4_data, fmt_stats, load_average, sin_params, stats, table  # noqa: E402

HIDDEN, LABELS, LAMBDA = 25, 10, 1.0


def _objective():
    """A fresh serial objective on its own copy of the ex4-size data, and its parameters."""
    import nn3

    X, y = ex4_data()
    n = X.shape[1]
    fun = nn3.make_objective(X.copy(), y, n, HIDDEN, LABELS, LAMBDA, threads=1)
    return fun, sin_params(n, HIDDEN, LABELS)


def _timed_calls(fun, params, calls):
    """Per-call seconds of ``calls`` calls, the first (cold) one left out."""
    times = []
    for call in range(calls):
        t0 = time.perf_counter()
        fun(params)
        if call:
            times.append(time.perf_counter() - t0)
    return times


def _bind(cpu):
    os.sched_setaffinity(0, {cpu})  # on Linux: the calling thread only


def _in_threads(objectives, cpus, calls):
    """Each objective in its own thread bound to its core, all started together."""
    barrier = threading.Barrier(len(objectives))
    out = [None] * len(objectives)

    def work(i):
        _bind(cpus[i])
        fun, params = objectives[i]
        barrier.wait()
        out[i] = _timed_calls(fun, params, calls)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(objectives))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


class _Worker:
    """A worker process bound to ``cpu`` that times ``calls`` calls whenever told to."""

    def __init__(self, cpu, calls):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", str(cpu), str(calls)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the contention worker did not start")

    def go(self):
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def times(self):
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _in_processes(workers):
    for w in workers:
        w.go()
    return [w.times() for w in workers]


def worker_main(cpu, calls):
    """The worker: bind, prepare, say ready; then one timed turn per line read."""
    _bind(cpu)
    fun, params = _objective()
    _timed_calls(fun, params, 3)  # warm: buffers, BLAS
    print("ready", flush=True)
    for _ in sys.stdin:
        print(json.dumps(_timed_calls(fun, params, calls)), flush=True)


def measure(quick=False, reps=None, calls=None):
    """Alone, two threads, two processes: alternated turns; a dict (``available`` False with a
    ``reason`` where it cannot run)."""
    if not hasattr(os, "sched_setaffinity"):
        return {"available": False, "reason": "no CPU affinity on this OS"}
    cpus = sorted(os.sched_getaffinity(0))[:2]
    if len(cpus) < 2:
        return {"available": False, "reason": "fewer than 2 cores"}
    reps = reps or (2 if quick else 7)
    calls = calls or (6 if quick else 41)
    load_before = load_average()
    mine = [_objective(), _objective()]
    workers = [_Worker(cpu, calls) for cpu in cpus]
    turns = {"alone": [], "two threads": [], "two processes": []}
    try:
        _in_threads(mine[:1], cpus, 3)  # warm
        _in_threads(mine, cpus, 3)
        for _ in range(reps):
            time.sleep(0.2)
            turns["alone"].append(statistics.median(_in_threads(mine[:1], cpus, calls)[0]))
            time.sleep(0.2)
            for per in _in_threads(mine, cpus, calls):
                turns["two threads"].append(statistics.median(per))
            time.sleep(0.2)
            for per in _in_processes(workers):
                turns["two processes"].append(statistics.median(per))
    finally:
        for w in workers:
            w.close()
    alone = statistics.median(turns["alone"])
    modes = {
        name: {**stats(ts), "over_alone": statistics.median(ts) / alone}
        for name, ts in turns.items()
    }
    return {
        "available": True,
        "shape": "ex4 5000x400",
        "hidden": HIDDEN,
        "cpus": cpus,
        "reps": reps,
        "calls_per_turn": calls - 1,
        "modes": modes,
        "load_before": load_before,
        "load_after": load_average(),
    }


def print_table(result):
    if not result.get("available"):
        print(f"contention: not available: {result.get('reason')}\n")
        return
    table(
        f"contention: one serial evaluation ({result['shape']}, {result['hidden']} hidden, one "
        f"thread), alone and two at once (each bound to its own core); medians of "
        f"{result['calls_per_turn']} calls per turn, median and range over turns",
        ["run", "per evaluation", "against alone"],
        [[name, fmt_stats(st), f"{st['over_alone']:.3f}"] for name, st in result["modes"].items()],
    )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--reps", type=int)
    p.add_argument("--calls", type=int)
    p.add_argument("--json", metavar="PATH")
    p.add_argument("--worker", nargs=2, type=int, metavar=("CPU", "CALLS"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker_main(*args.worker)
        return 0
    result = measure(args.quick, args.reps, args.calls)
    print_table(result)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
