#!/usr/bin/env python
"""Time to a trained network: how long each engine takes to reach the same training cost.

The target is the cost nn3's fmincg reaches in 50 iterations (ex4 size: 5000x400, 25 hidden,
10 labels, lambda 1, starting weights ``0.12 * sin(1:numel)``). Measured in one run, each figure
the best of alternated repetitions, including the set-up each engine needs per training (nn3:
``make_objective``; Octave: nothing, its function handle is made once):

* **nn3 fmincg**: ``nn3.make_objective`` + ``nn3.fmincg``, 50 iterations (reaches the target by
  definition);
* **nn3 lbfgs** (double and single precision): ``nn3.core.lbfgs.lbfgs`` stopped (by its
  callback) at the first iteration whose cost is at most the target; the single-precision run's
  final weights are re-evaluated in double to check that they really reach it;
* **Octave** (7.3, its default reference BLAS, and OpenBLAS when found, see
  ``get_octave_openblas.sh``) running a typical vectorised student implementation
  (``benchmarks/octave_student/studentNnCost.m``: one-hot ``Y``, ``[ones(m,1) X]``) with
  ``matlab_ref/cgmin.m`` (fmincg's algorithm), 50 iterations on the same data (built from the
  same formula) and the same start; its final cost is shown beside the target;
* **scikit-learn** ``MLPClassifier(solver="lbfgs", activation="logistic", alpha=1)``: the same
  optimizer family (scipy's L-BFGS-B), but **not the same objective** -- its output layer is a
  softmax with one cross-entropy, not 10 independent sigmoids, so its cost is not comparable.
  It runs as many L-BFGS iterations as nn3 lbfgs needed to reach the target, and the table
  shows both training accuracies.

Run alone (``python benchmarks/time_to_train.py [--quick]``) or as part of
``benchmarks/run.py`` (its "train" part).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import MATLAB_REF, ex4_data, find_openblas, fmt_time, sin_params, table  # noqa: E402

STUDENT = HERE / "octave_student"

TARGETS = {"vs_octave_openblas": 3.0, "vs_sklearn": 5.0}

OCTAVE_SCRIPT = r"""
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
t = Inf;
for rep = 1:{reps}
    tic;
    [p, fX, iters] = cgmin(f, p0, opts);
    t = min(t, toc);
end
printf('NN3BENCH seconds %.6f\n', t);
printf('NN3BENCH final_cost %.17g\n', fX(end));
printf('NN3BENCH iterations %d\n', iters);
printf('NN3BENCH blas %s\n', version('-blas'));
printf('NN3BENCH version %s\n', OCTAVE_VERSION);
"""


def octave_student(m, n, hidden, maxiter, blas_dir=None, reps=2, timeout=900):
    """Best of ``reps`` cgmin runs on studentNnCost in one octave-cli."""
    octave = shutil.which("octave-cli")
    if octave is None:
        return {"available": False, "reason": "octave-cli not installed"}
    script = OCTAVE_SCRIPT.format(
        matlab_ref=str(MATLAB_REF).replace("'", "''"),
        student=str(STUDENT).replace("'", "''"),
        m=m,
        n=n,
        hidden=hidden,
        maxiter=maxiter,
        reps=reps,
    )
    env = dict(os.environ)
    if blas_dir:
        env["LD_LIBRARY_PATH"] = blas_dir + os.pathsep + env.get("LD_LIBRARY_PATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "nn3ttt.m")
        Path(path).write_text(script)
        try:
            proc = subprocess.run(
                [octave, "--no-gui", "--norc", "--quiet", path],
                capture_output=True,
                text=True,
                env=env,
                cwd=tmp,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return {"available": False, "reason": f"timed out after {timeout} s"}
    found = dict(re.findall(r"^NN3BENCH (\w+) (.*)$", proc.stdout, re.M))
    if "seconds" not in found:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"available": False, "reason": "Octave run failed: " + " | ".join(tail)}
    return {
        "available": True,
        "seconds": float(found["seconds"]),
        "final_cost": float(found["final_cost"]),
        "iterations": int(found["iterations"]),
        "blas": found.get("blas", "").strip(),
        "octave": found.get("version", "").strip(),
        "reps": reps,
    }


def nn3_fmincg(X, y, hidden, maxiter):
    import nn3

    n = X.shape[1]
    p0 = sin_params(n, hidden, 10)
    t0 = time.perf_counter()
    fun = nn3.make_objective(X, y, n, hidden, 10, 1.0)
    res = nn3.fmincg(fun, p0, maxiter=maxiter)
    t = time.perf_counter() - t0
    return {"seconds": t, "final_cost": float(res.fun), "iterations": int(res.nit),
            "evaluations": int(res.nfev)}  # fmt: skip


def nn3_lbfgs_to(X, y, hidden, target, precision="double", limit=500):
    """L-BFGS until the cost is at most ``target``; the time and what it took."""
    import nn3
    from nn3.core.lbfgs import lbfgs

    n = X.shape[1]
    p0 = sin_params(n, hidden, 10)

    def stop_at_target(intermediate_result):
        if intermediate_result.fun <= target:
            raise StopIteration

    t0 = time.perf_counter()
    fun = nn3.make_objective(X, y, n, hidden, 10, 1.0, precision=precision)
    res = lbfgs(fun, p0, maxiter=limit, callback=stop_at_target)
    t = time.perf_counter() - t0
    J_double = float(nn3.make_objective(X, y, n, hidden, 10, 1.0)(res.x)[0])
    return {"seconds": t, "final_cost": float(res.fun), "final_cost_double": J_double,
            "reached": J_double <= target * (1 + 1e-6), "iterations": int(res.nit),
            "evaluations": int(res.nfev), "precision": precision}  # fmt: skip


def sklearn_lbfgs(X, y, hidden, iterations):
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return {"available": False, "reason": "scikit-learn not installed (pip install '.[bench]')"}
    import sklearn

    clf = MLPClassifier(
        hidden_layer_sizes=(hidden,),
        activation="logistic",
        solver="lbfgs",
        alpha=1.0,
        max_iter=iterations,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        clf.fit(X, y)
        t = time.perf_counter() - t0
    return {"available": True, "seconds": t, "iterations": int(clf.n_iter_),
            "final_loss": float(clf.loss_), "train_accuracy": float(clf.score(X, y) * 100),
            "version": sklearn.__version__}  # fmt: skip


def _best(runs):
    return min(runs, key=lambda r: r["seconds"])


def measure(quick=False, octave=True, sklearn=True, octave_openblas=None, reps=None):
    """Everything above, in one run; returns a dict (also printed as a table)."""
    import nn3

    hidden, maxiter = 25, (10 if quick else 50)
    X, y = ex4_data(1000, 100) if quick else ex4_data()
    m, n = X.shape
    reps = reps or (2 if quick else 5)
    fm, lb, ls, sk = [], [], [], []
    nn3_fmincg(X, y, hidden, 2)  # warm-up: buffers, BLAS threads (not imports: all imported)
    target = None
    for _ in range(reps):
        fm.append(nn3_fmincg(X, y, hidden, maxiter))
        target = fm[-1]["final_cost"]
        lb.append(nn3_lbfgs_to(X, y, hidden, target))
        ls.append(nn3_lbfgs_to(X, y, hidden, target, "single"))
    out = {"m": m, "n": n, "hidden": hidden, "maxiter": maxiter, "target_cost": target,
           "nn3_fmincg": _best(fm), "nn3_lbfgs": _best(lb), "nn3_lbfgs_single": _best(ls),
           "reps": reps, "targets": TARGETS}  # fmt: skip
    if sklearn:
        its = out["nn3_lbfgs"]["iterations"]
        sk = [sklearn_lbfgs(X, y, hidden, its) for _ in range(2 if quick else 3)]
        out["sklearn"] = _best(sk) if sk[0].get("available") else sk[0]
    else:
        out["sklearn"] = {"available": False, "reason": "--no-sklearn"}
    # nn3's training accuracy after fmincg/lbfgs, for the scikit-learn comparison
    fun = nn3.make_objective(X, y, n, hidden, 10, 1.0)
    res = nn3.fmincg(fun, sin_params(n, hidden, 10), maxiter=maxiter)
    T1, T2 = nn3.roll(res.x, n, hidden, 10)
    out["nn3_fmincg"]["train_accuracy"] = nn3.accuracy(nn3.predict(T1, T2, X), y)
    out["octave"] = {}
    if octave:
        ob = find_openblas(octave_openblas)
        r = 1 if quick else 2
        out["octave"]["Octave + OpenBLAS"] = (
            octave_student(m, n, hidden, maxiter, ob, r)
            if ob
            else {"available": False, "reason": "no OpenBLAS libblas.so.3 (get_octave_openblas.sh)"}
        )
        out["octave"]["Octave, default BLAS"] = octave_student(m, n, hidden, maxiter, None, r)
    print_table(out)
    return out


def print_table(out):
    base = out["nn3_fmincg"]["seconds"]
    best_nn3 = min(base, out["nn3_lbfgs"]["seconds"], out["nn3_lbfgs_single"]["seconds"])
    rows = []

    def row(name, r, cost, notes):
        rows.append([name, fmt_time(r["seconds"]), f"{r['seconds'] / best_nn3:.2f}",
                     f"{r['seconds'] / base:.2f}", cost, notes])  # fmt: skip

    f = out["nn3_fmincg"]
    row("nn3 fmincg", f, f"{f['final_cost']:.8g}",
        f"{f['iterations']} iterations, {f['evaluations']} evaluations")  # fmt: skip
    for key, name in (("nn3_lbfgs", "nn3 lbfgs"), ("nn3_lbfgs_single", "nn3 lbfgs, single")):
        r = out[key]
        row(name, r, f"{r['final_cost_double']:.8g}",
            f"{r['iterations']} iterations, {r['evaluations']} evaluations"
            + ("" if r["reached"] else "; target NOT reached"))  # fmt: skip
    for name, r in out["octave"].items():
        if r.get("available"):
            row(f"{name} (student code + cgmin)", r, f"{r['final_cost']:.8g}",
                f"{r['iterations']} iterations; {r['octave']}, {r['blas'][:40]}")  # fmt: skip
        else:
            rows.append([name, "not available", "", "", "", r["reason"]])
    sk = out["sklearn"]
    if sk.get("available"):
        row("scikit-learn MLPClassifier lbfgs", sk, "(other cost)",
            f"{sk['iterations']} iterations (as nn3 lbfgs); softmax output, not comparable cost; "
            f"train accuracy {sk['train_accuracy']:.2f}% vs nn3 fmincg "
            f"{out['nn3_fmincg']['train_accuracy']:.2f}%")  # fmt: skip
    else:
        rows.append(["scikit-learn MLPClassifier", "not available", "", "", "", sk["reason"]])
    table(
        f"0. time to a trained network: {out['m']}x{out['n']}, 25 hidden, 10 labels, lambda 1, "
        f"to the cost nn3 fmincg reaches in {out['maxiter']} iterations "
        f"({out['target_cost']:.8g}); 'x best nn3' = time / the fastest nn3 row "
        f"(targets: Octave+OpenBLAS >= {TARGETS['vs_octave_openblas']}, scikit-learn >= "
        f"{TARGETS['vs_sklearn']})",
        ["engine", "time", "x best nn3", "x nn3 fmincg", "cost reached", "notes"],
        rows,
    )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--no-octave", action="store_true")
    p.add_argument("--no-sklearn", action="store_true")
    p.add_argument("--octave-openblas", metavar="DIR")
    a = p.parse_args(argv)
    measure(a.quick, not a.no_octave, not a.no_sklearn, a.octave_openblas)
    return 0


if __name__ == "__main__":
    sys.exit(main())
