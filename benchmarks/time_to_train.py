#!/usr/bin/env python
"""Time to a trained network: how long each system takes to reach fmincg's 50-iteration cost.

The problem: ex4 size (5000x400 ``synthetic_ex4``), 25 hidden, 10 labels, lambda 1, starting
weights ``0.12 * sin(1:numel)``; the target is the cost nn3's fmincg reaches in 50 iterations.
The systems, each run at every thread count from 1 to the cores (1, 2, 4, ..., cores):

* **nn3 fmincg**: ``make_objective(threads=k)`` + ``nn3.fmincg``, 50 iterations (it defines the
  target; its result has the same bits at every thread count);
* **nn3 lbfgs**, double and single precision: ``nn3.core.lbfgs.lbfgs`` stopped (by its callback)
  at the first iteration whose cost is at most the target (the single-precision weights are
  re-evaluated in double to check that they reach it);
* **Octave** 7.x running a typical vectorised student cost (``octave_student/studentNnCost.m``:
  one-hot ``Y``, ``[ones(m,1) X]``) with ``matlab_ref/cgmin.m`` (fmincg's algorithm), 50
  iterations on the same data (built from the same formula) and the same start: with its
  reference BLAS (single-threaded), and with OpenBLAS (``get_octave_openblas.sh``,
  ``OPENBLAS_NUM_THREADS=k``). Each runs in an Octave session kept open for the whole
  measurement, so that its runs alternate with the others; its time is ``tic``/``toc`` around
  ``cgmin``. Its final cost is shown beside the target;
* **scikit-learn** ``MLPClassifier(solver="lbfgs", activation="logistic", alpha=1)``, 50
  iterations, BLAS at ``k`` threads (threadpoolctl): the same optimizer family (scipy's
  L-BFGS-B) on **another objective** -- a softmax output layer with one cross-entropy, not 10
  sigmoids -- so no cost to compare; the table shows both training accuracies.

nn3 and scikit-learn run with every BLAS library of the process at ``k`` threads (nn3's
evaluation itself runs ``k`` threads with one BLAS thread each). Runs alternate between all
systems and thread counts (A, B, C, ..., A, B, C, ...), a pause of 0.3 s before each (another
process's BLAS threads spin for about 0.1 s after their last call); each system's best thread
count is the one with the lowest median. Speed-ups are ratios of medians at the best counts.

Run alone (``python benchmarks/time_to_train.py [--quick]``) or as ``benchmarks/run.py``'s
"train" part.
"""

import argparse
import os
import re
import select
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (  # noqa: E402
    LIVE_CHILDREN,
    MATLAB_REF,
    TARGETS,
    alternate,
    blas_threads,
    cores,
    ex4_data,
    find_openblas,
    fmt_stats,
    nn3_objective,
    sin_params,
    stats,
    table,
    thread_counts,
)

STUDENT = HERE / "octave_student"
PAUSE = 0.3

OCTAVE_SETUP = r"""
addpath('{matlab_ref}'); addpath('{student}');
m = {m}; n = {n}; hidden = {hidden}; K = 10; maxiter = {maxiter};
i = (1:m)'; j = 1:n;
y = mod(i-1, 10) + 1;
c = y; flip = mod(i, 17) == 0; c(flip) = mod(y(flip), 10) + 1;
S = double(mod(j, 10) == mod(c, 10));
N = mod(131*i + 71*j + 17*(i.*j), 401);
X = (100*S + N) / 1000;
n1 = hidden * (n + 1); n2 = K * (hidden + 1);
p0 = [0.12 * sin(1:n1)'; 0.12 * sin(1:n2)'];
f = @(p) studentNnCost(p, n, hidden, K, X, y, 1);
opts = struct('MaxIter', maxiter, 'Display', 'off');
printf('NN3BENCH ready %s | %s\n', OCTAVE_VERSION, version('-blas')); fflush(stdout);
"""
OCTAVE_RUN = (
    "tic; [p, fX, iters] = cgmin(f, p0, opts); t = toc; "
    "printf('NN3BENCH run %.6f %.17g %d\\n', t, fX(end), iters); fflush(stdout);\n"
)


class OctaveSession:
    """An ``octave-cli`` kept open, with the data and objective set up, timing one run at a time.

    Parameters
    ----------
    blas_dir : str or None
        Folder of an OpenBLAS ``libblas.so.3`` to load instead of Octave's (LD_LIBRARY_PATH).
    threads : int
        ``OPENBLAS_NUM_THREADS`` (and ``OMP_NUM_THREADS``) of the session.
    """

    def __init__(self, blas_dir, threads, m, n, hidden, maxiter, timeout=900):
        self.timeout = timeout
        octave = shutil.which("octave-cli")
        if octave is None:
            raise RuntimeError("octave-cli not installed")
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        if blas_dir:
            env["LD_LIBRARY_PATH"] = blas_dir + os.pathsep + env.get("LD_LIBRARY_PATH", "")
        self.proc = subprocess.Popen(
            [octave, "--no-gui", "--norc", "--quiet", "--no-history"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(HERE),
        )
        LIVE_CHILDREN.add(self.proc.pid)
        setup = OCTAVE_SETUP.format(
            matlab_ref=str(MATLAB_REF).replace("'", "''"),
            student=str(STUDENT).replace("'", "''"),
            m=m,
            n=n,
            hidden=hidden,
            maxiter=maxiter,
        )
        self._send(setup)
        ready = self._expect("ready")
        self.version, _, self.blas = ready.partition(" | ")

    def _send(self, text):
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def _expect(self, word):
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                self.close()
                raise RuntimeError(f"Octave gave no answer within {self.timeout} s")
            line = self.proc.stdout.readline()
            if not line:
                err = self.proc.stderr.read().strip().splitlines()[-3:]
                raise RuntimeError("Octave ended: " + " | ".join(err))
            match = re.match(rf"^NN3BENCH {word} (.*)$", line.strip())
            if match:
                return match.group(1)

    def run(self):
        self._send(OCTAVE_RUN)
        seconds, cost, iters = self._expect("run").split()
        return {"seconds": float(seconds), "final_cost": float(cost), "iterations": int(iters)}

    def close(self):
        LIVE_CHILDREN.discard(self.proc.pid)
        if self.proc.poll() is None:
            try:
                self._send("exit\n")
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def nn3_fmincg(X, y, hidden, maxiter, threads):
    import nn3

    n = X.shape[1]
    p0 = sin_params(n, hidden, 10)
    with blas_threads(threads):
        t0 = time.perf_counter()
        fun = nn3_objective(X, y, n, hidden, 10, 1.0, "double", threads)
        res = nn3.fmincg(fun, p0, maxiter=maxiter)
        t = time.perf_counter() - t0
    return _outcome(res, t)


def _outcome(res, seconds):
    """What a timed optimizer run took and reached."""
    return {
        "seconds": seconds,
        "final_cost": float(res.fun),
        "iterations": int(res.nit),
        "evaluations": int(res.nfev),
        "x": res.x,
    }


def nn3_lbfgs_to(X, y, hidden, target, precision, threads, limit=500):
    """L-BFGS until the cost is at most ``target``; the time and what it took."""
    from nn3.core.lbfgs import lbfgs

    n = X.shape[1]
    p0 = sin_params(n, hidden, 10)

    def stop_at_target(intermediate_result):
        if intermediate_result.fun <= target:
            raise StopIteration

    with blas_threads(threads):
        t0 = time.perf_counter()
        fun = nn3_objective(X, y, n, hidden, 10, 1.0, precision, threads)
        res = lbfgs(fun, p0, maxiter=limit, callback=stop_at_target)
        t = time.perf_counter() - t0
    return _outcome(res, t)


def sklearn_lbfgs(X, y, hidden, iterations, threads):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=(hidden,),
        activation="logistic",
        solver="lbfgs",
        alpha=1.0,
        max_iter=iterations,
        random_state=0,
    )
    with warnings.catch_warnings(), blas_threads(threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        clf.fit(X, y)
        t = time.perf_counter() - t0
    return {
        "seconds": t,
        "iterations": int(clf.n_iter_),
        "final_loss": float(clf.loss_),
        "model": clf,
    }


def _recorder(fun, log):
    """``fun()`` whose results are appended to ``log`` (alternate() keeps only the times)."""

    def run():
        log.append(fun())

    return run


def measure(quick=False, reps=5, octave=True, sklearn=True, octave_openblas=None):
    """Every system at every thread count, alternated; returns a dict (also printed)."""
    import nn3

    hidden, maxiter = 25, (10 if quick else 50)
    X, y = ex4_data(1000, 100) if quick else ex4_data()
    m, n = X.shape
    n_cores = cores()
    counts = sorted({1, n_cores}) if quick else thread_counts(n_cores)
    reference = nn3_fmincg(X, y, hidden, maxiter, n_cores)
    target = reference["final_cost"]
    T1, T2 = nn3.roll(reference["x"], n, hidden, 10)
    fmincg_accuracy = nn3.accuracy(nn3.predict(T1, T2, X), y)

    systems = {}  # name -> {"threads": {k: (callable-run log)}, ...}
    cases, logs, sessions = {}, {}, []

    def add(name, k, fun):
        logs[(name, k)] = []
        cases[(name, k)] = _recorder(fun, logs[(name, k)])
        systems.setdefault(name, {"available": True})

    for k in counts:
        add("nn3 fmincg", k, lambda k=k: nn3_fmincg(X, y, hidden, maxiter, k))
        add("nn3 lbfgs", k, lambda k=k: nn3_lbfgs_to(X, y, hidden, target, "double", k))
        add("nn3 lbfgs, single", k, lambda k=k: nn3_lbfgs_to(X, y, hidden, target, "single", k))
    if sklearn:
        try:
            import sklearn as sk

            for k in counts:
                add(
                    "scikit-learn MLPClassifier lbfgs",
                    k,
                    lambda k=k: sklearn_lbfgs(X, y, hidden, maxiter, k),
                )
        except ImportError:
            reason = "not installed (pip install -e '.[bench]')"
            systems["scikit-learn MLPClassifier lbfgs"] = {"available": False, "reason": reason}
    else:
        systems["scikit-learn MLPClassifier lbfgs"] = {"available": False, "reason": "--no-sklearn"}
    try:
        if octave:
            blas_dir = find_openblas(octave_openblas)
            plans = [("Octave, reference BLAS", None, [1])]
            if blas_dir:
                plans.append(("Octave + OpenBLAS", blas_dir, counts))
            else:
                reason = "no OpenBLAS libblas.so.3 found (get_octave_openblas.sh)"
                systems["Octave + OpenBLAS"] = {"available": False, "reason": reason}
            for name, folder, ks in plans:
                for k in ks:
                    try:
                        session = OctaveSession(folder, k, m, n, hidden, maxiter)
                    except RuntimeError as exc:
                        systems[name] = {"available": False, "reason": str(exc)}
                        break
                    sessions.append(session)
                    if folder and "openblas" not in session.blas.lower():
                        reason = f"Octave did not load OpenBLAS: {session.blas}"
                        systems[name] = {"available": False, "reason": reason}
                        break
                    add(name, k, session.run)
                    systems[name]["blas"] = f"{session.blas} ({session.version})"
        else:
            for name in ("Octave, reference BLAS", "Octave + OpenBLAS"):
                systems[name] = {"available": False, "reason": "--no-octave"}
        cases = {key: f for key, f in cases.items() if systems[key[0]].get("available")}
        times = alternate(cases, reps, pause=0.0 if quick else PAUSE)
    finally:
        for session in sessions:
            session.close()

    # Octave reports its own time (tic/toc inside the session): use it.
    for key in cases:
        if key[0].startswith("Octave"):
            times[key] = [r["seconds"] for r in logs[key][1:]]  # [0]: the warm-up
    for name, sysinfo in systems.items():
        if not sysinfo.get("available"):
            continue
        per_k = {}
        for (sname, k), ts in times.items():
            if sname == name:
                runs = logs[(sname, k)][1:]
                last = {key: v for key, v in runs[-1].items() if key not in ("x", "model")}
                per_k[k] = {"time": stats(ts), "last_run": last}
        best = min(per_k, key=lambda k: per_k[k]["time"]["median"])
        sysinfo.update({"by_threads": per_k, "best_threads": best, "best": per_k[best]["time"]})
        if name.startswith("nn3 lbfgs"):
            x = logs[(name, best)][-1]["x"]
            J = float(nn3_objective(X, y, n, hidden, 10, 1.0, "double", n_cores)(x)[0])
            sysinfo["final_cost_double"] = J
            sysinfo["reached"] = J <= target * (1 + 1e-6)
        if name.startswith("scikit-learn"):
            sysinfo["train_accuracy"] = float(logs[(name, best)][-1]["model"].score(X, y) * 100)
            sysinfo["version"] = sk.__version__
    out = {
        "m": m,
        "n": n,
        "hidden": hidden,
        "maxiter": maxiter,
        "target_cost": target,
        "reps": reps,
        "thread_counts": counts,
        "nn3_fmincg_train_accuracy": fmincg_accuracy,
        "systems": systems,
        "speedups": speedups(systems),
    }
    print_table(out)
    return out


def speedups(systems):
    def med(name):
        s = systems.get(name, {})
        return s["best"]["median"] if s.get("available") else None

    fmincg = med("nn3 fmincg")
    fastest = min(v for v in (fmincg, med("nn3 lbfgs"), med("nn3 lbfgs, single")) if v)
    out = {}
    for key, other in (
        ("sklearn", "scikit-learn MLPClassifier lbfgs"),
        ("octave_openblas", "Octave + OpenBLAS"),
        ("octave_reference", "Octave, reference BLAS"),
    ):
        t = med(other)
        out[f"fmincg_vs_{key}"] = None if t is None else t / fmincg
        out[f"fastest_vs_{key}"] = None if t is None else t / fastest
    return out


def print_table(out):
    systems = out["systems"]
    fmincg = systems["nn3 fmincg"]["best"]["median"]
    fastest = min(systems[k]["best"]["median"] for k in systems if k.startswith("nn3"))
    rows = []
    for name, s in systems.items():
        if not s.get("available"):
            rows.append([name, "not available", "", "", "", "", s.get("reason", "")])
            continue
        by_k = "; ".join(f"{k}: {fmt_stats(v['time'])}" for k, v in s["by_threads"].items())
        last = s["by_threads"][s["best_threads"]]["last_run"]
        if name == "nn3 fmincg":
            cost = f"{last['final_cost']:.8g}"
            notes = f"{last['iterations']} iterations, {last['evaluations']} evaluations"
        elif name.startswith("nn3 lbfgs"):
            cost = f"{s['final_cost_double']:.8g}"
            notes = f"{last['iterations']} iterations, {last['evaluations']} evaluations" + (
                "" if s["reached"] else "; target NOT reached"
            )
        elif name.startswith("Octave"):
            cost = f"{last['final_cost']:.8g}"
            notes = f"{last['iterations']} iterations; {s['blas'][:60]}"
        else:
            cost = "(other cost)"
            notes = (
                f"{last['iterations']} iterations; softmax output; train accuracy "
                f"{s['train_accuracy']:.2f}% vs nn3 fmincg "
                f"{out['nn3_fmincg_train_accuracy']:.2f}%"
            )
        med = s["best"]["median"]
        rows.append(
            [
                name,
                s["best_threads"],
                fmt_stats(s["best"]),
                f"{med / fastest:.2f}",
                f"{med / fmincg:.2f}",
                cost,
                notes,
            ]
        )
        rows.append(["", "", "  by threads: " + by_k, "", "", "", ""])
    table(
        f"train: time to a trained network, {out['m']}x{out['n']}, 25 hidden, 10 labels, lambda 1,"
        f" to the cost nn3 fmincg reaches in {out['maxiter']} iterations ({out['target_cost']:.8g})"
        f"; each system at its best thread count (median and range of {out['reps']} alternated "
        "runs); 'x fastest' = median / the fastest nn3's",
        ["system", "threads", "time", "x fastest", "x nn3 fmincg", "cost reached", "notes"],
        rows,
    )
    sp = out["speedups"]
    for key, label, target in (
        ("fmincg_vs_sklearn", "nn3 fmincg vs scikit-learn", TARGETS["fmincg_vs_sklearn"]),
        (
            "fmincg_vs_octave_openblas",
            "nn3 fmincg vs Octave + OpenBLAS",
            TARGETS["fmincg_vs_octave_openblas"],
        ),
        ("fastest_vs_sklearn", "nn3's fastest vs scikit-learn", TARGETS["fastest_vs_both"]),
        (
            "fastest_vs_octave_openblas",
            "nn3's fastest vs Octave + OpenBLAS",
            TARGETS["fastest_vs_both"],
        ),
    ):
        v = sp.get(key)
        print(
            f"   {label}: "
            + (
                "n/a"
                if v is None
                else f"{v:.2f}x (target >= {target}: {'met' if v >= target else 'MISSED'})"
            )
        )
    print()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--reps", type=int, default=None)
    p.add_argument("--no-octave", action="store_true")
    p.add_argument("--no-sklearn", action="store_true")
    p.add_argument("--octave-openblas", metavar="DIR")
    a = p.parse_args(argv)
    measure(
        a.quick,
        a.reps or (2 if a.quick else 5),
        not a.no_octave,
        not a.no_sklearn,
        a.octave_openblas,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
