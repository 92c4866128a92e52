"""Parity with MATLAB: the tolerance table and the check of reference outputs.

``matlab_ref/`` holds the network's functions in the MATLAB language, and its generator
``make_reference.m`` writes ``matlab_ref/outputs/*.mat``. Two things are compared against those
files with the tolerances in :data:`TOLERANCES` (the only copy of the table):

* nn3 itself, by the tests in ``tests/parity/``;
* a fresh regeneration of the outputs, by ``python -m nn3.parity check``, so that the ``.m`` code
  and the committed outputs cannot drift apart.

Command line::

    python -m nn3.parity regenerate [OUTDIR]          # Octave: matlab_ref/regenerate.sh OUTDIR
    python -m nn3.parity check [--against DIR] [-v] [FRESH_DIR]

``check`` compares every variable of every reference file in ``--against`` (default
``matlab_ref/outputs``) with ``FRESH_DIR`` (when it is omitted, the outputs are regenerated into a
temporary folder first). Exit status 0 when everything agrees, 1 when a variable moved beyond its
tolerance (each one is named with its file and by how much it moved), 2 when Octave or a file is
missing.

Why the tolerances are not all zero: two engines that run the same formulas agree bit for bit
only when they add in the same order. Reference BLAS ``dgemm`` adds the products of a matrix
product in index order; OpenBLAS, MKL and numpy's ``sum`` add in blocks. Costs and gradients then
differ by a few units in the last place (about 1e-15 relative), and fmincg's line search
amplifies such differences at every iteration, so trajectory tolerances grow with the horizon.

The other source of differences is the CPU's math library: Octave and MATLAB call the C library's
scalar ``exp``/``log``; numpy does too on most CPUs, but uses its own SIMD versions where the CPU
has AVX-512, and those differ by 1 ulp on a few percent of inputs. Variables whose tolerance
exists for that reason use :class:`Ulps` (``Spec.math_library`` is True); for costs and gradients
1 ulp of ``exp``/``log`` per element is far inside their summation-order tolerance. The test
suite's perturbation mode (``NN3_PERTURB_ULPS=1 python -m pytest``, see ``tests/perturb.py``)
moves nn3's ``exp``/``log`` results by 1 ulp at pseudo-random positions to check these claims on
any CPU.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import MatFileError, Nn3Error
from .matio import format_size, load_mat, matlab_shape

PROG = "python -m nn3.parity"

#: ``matlab_ref/`` of the source checkout this package was imported from.
MATLAB_REF = Path(__file__).resolve().parent.parent / "matlab_ref"

#: Where the committed reference outputs live.
REFERENCE_DIR = MATLAB_REF / "outputs"


@dataclass(frozen=True)
class Outcome:
    """How one variable compared: ``ok``, and what was measured, in words."""

    ok: bool
    measured: str


def _arrays(actual, expected):
    """Both sides as float64 arrays of one shape, or a reason why they cannot be compared."""
    if isinstance(expected, str) or isinstance(actual, str):
        return None, None, "char on one side, numbers on the other"
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        # A 1-D vector matches a MATLAB column or row of the same length.
        vector = a.size == e.size and sum(d != 1 for d in a.shape + e.shape) <= 2
        if not vector:
            return None, None, f"size {_size(a)} where the reference is {_size(e)}"
        a = a.reshape(e.shape)
    return a, e, None


def _size(x):
    return format_size(matlab_shape(x.shape))


def _at(e, k):
    """MATLAB's linear index (1-based, column-major) of the flat, row-major position ``k``."""
    if e.ndim < 2 or e.size <= 1:
        return f"({k + 1})"
    sub = np.unravel_index(k, e.shape)
    return f"({np.ravel_multi_index(sub, e.shape, order='F') + 1})"


def _pair(a, e, k):
    """``actual vs reference`` at the flat position ``k``, as Python floats print."""
    return f"{float(a.flat[k])!r} vs {float(e.flat[k])!r}"


def _nan_mismatch(a, e):
    bad = np.isnan(a) != np.isnan(e)
    if bad.any():
        return f"NaN at {_at(e, int(np.flatnonzero(bad)[0]))} on one side only"
    return None


class Spec:
    """A tolerance. ``compare(actual, expected)`` returns an :class:`Outcome`."""

    #: Inputs the generator chose (random weights, sizes, settings). The check compares them;
    #: the nn3 tests may leave them out, since they feed them to nn3 rather than compute them.
    is_input = False
    #: Informational metadata (engine, BLAS, optimizer name): never compared.
    is_info = False
    #: The tolerance exists because the value's last bits depend on the CPU's math library
    #: (``exp``/``log``), not on summation order.
    math_library = False

    def compare(self, actual, expected):  # pragma: no cover - abstract
        raise NotImplementedError


class Info(Spec):
    """Not compared: metadata that legitimately differs between runs (engine, BLAS)."""

    is_info = True

    def compare(self, actual, expected):
        return Outcome(True, "not compared")

    def __repr__(self):
        return "Info()"


class Exact(Spec):
    """Identical values: same size, same bits (``0 == -0``), NaN where the reference has NaN."""

    def compare(self, actual, expected):
        if isinstance(expected, str) and isinstance(actual, str):
            same = actual == expected
            return Outcome(same, "identical" if same else f"{actual!r} vs {expected!r}")
        a, e, why = _arrays(actual, expected)
        if why:
            return Outcome(False, why)
        differ = ~((a == e) | (np.isnan(a) & np.isnan(e)))
        n = int(differ.sum())
        if n == 0:
            return Outcome(True, "identical")
        k = int(np.flatnonzero(differ)[0])
        return Outcome(
            False,
            f"{n} of {e.size} elements differ, first at {_at(e, k)}: {_pair(a, e, k)}",
        )

    def __repr__(self):
        return "Exact()"


class Input(Exact):
    """Exact, and an input to nn3 rather than a result of it."""

    is_input = True

    def __repr__(self):
        return "Input()"


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The number of float64 steps from ``a`` to ``b``, element by element.

    Parameters
    ----------
    a, b : ndarray, float64, of one shape

    Returns
    -------
    n : ndarray of that shape, uint64
        0 for identical values (``0.0`` and ``-0.0`` included), 1 for neighbours, and so on
        across zero. Meaningless where either side is NaN.
    """

    def ordered(x):
        i = np.ascontiguousarray(x, dtype=np.float64).view(np.int64)
        # Negative floats count down from -0: map their bit patterns below 0, monotonically.
        return np.where(i < 0, np.int64(np.iinfo(np.int64).min) - i, i)

    ia, ib = ordered(a), ordered(b)
    return np.where(
        ia >= ib,
        ia.astype(np.uint64) - ib.astype(np.uint64),
        ib.astype(np.uint64) - ia.astype(np.uint64),
    )


class Ulps(Spec):
    """At most ``n`` units in the last place apart per element; NaN and infinities exact.

    For values that go through ``exp``/``log`` once per element: their last bit depends on the
    CPU's math library. GNU Octave and MATLAB call the C library's scalar ``exp``; numpy calls
    it too on most CPUs, but on CPUs with AVX-512 uses its own SIMD ``exp``/``log``, which
    differ by 1 ulp on a few percent of inputs (``exp(40)``: 2.3538526683701997e+17 against
    2.3538526683702e+17). A formula applied to those results can spread 1 ulp of ``exp`` into
    more ulps of its result, so ``n`` is chosen per variable, for its inputs.
    """

    math_library = True

    def __init__(self, n):
        self.n = int(n)

    def compare(self, actual, expected):
        a, e, why = _arrays(actual, expected)
        if why:
            return Outcome(False, why)
        why = _nan_mismatch(a, e)
        if why:
            return Outcome(False, why)
        nan = np.isnan(e)
        dist = np.where(nan, 0, ulp_distance(np.where(nan, 0.0, a), np.where(nan, 0.0, e)))
        infinite = np.isinf(a) | np.isinf(e)
        over = (dist > self.n) | (infinite & (a != e) & ~nan)
        worst = int(dist[~infinite].max()) if (~infinite).any() else 0
        measured = f"max ulps = {worst} (tolerance {self.n} ulp{'s' if self.n != 1 else ''})"
        if not over.any():
            return Outcome(True, measured)
        k = int(np.flatnonzero(over)[0])
        return Outcome(
            False,
            f"{measured}; {int(over.sum())} of {e.size} elements beyond it, first at "
            f"{_at(e, k)}: {_pair(a, e, k)}",
        )

    def __repr__(self):
        return f"Ulps({self.n})"


class _Bounded(Spec):
    """``max|a - e| / scale(e) <= tol``, NaN only where the reference has NaN."""

    label = ""

    def __init__(self, tol):
        self.tol = tol

    def scale(self, e):  # pragma: no cover - abstract
        raise NotImplementedError

    def compare(self, actual, expected):
        a, e, why = _arrays(actual, expected)
        if why:
            return Outcome(False, why)
        why = _nan_mismatch(a, e)
        if why:
            return Outcome(False, why)
        finite = ~np.isnan(e)
        if not finite.any():
            return Outcome(True, "all NaN on both sides")
        diff = np.where(finite, np.abs(a - e), 0.0)
        k = int(np.argmax(diff))
        scale = self.scale(e[finite])
        worst = float(diff.flat[k]) / scale if scale > 0 else float(diff.flat[k])
        measured = f"{self.label} = {worst:.1e} (tolerance {self.tol:.0e})"
        if worst <= self.tol:
            return Outcome(True, measured)
        return Outcome(False, f"{measured}; worst at {_at(e, k)}: {_pair(a, e, k)}")

    def __repr__(self):
        return f"{type(self).__name__}({self.tol:g})"


class Rel(_Bounded):
    """``max|a - e| <= rtol * max|e|``: relative to the size of the whole reference array.

    The scale is the array's largest element, not each element: a gradient component that is the
    small remainder of a cancellation has a large relative error of no consequence.
    """

    label = "max |diff| / max |ref|"

    @property
    def rtol(self):
        return self.tol

    def scale(self, e):
        return float(abs(e).max())


class Abs(_Bounded):
    """``max|a - e| <= atol``."""

    label = "max |diff|"

    def scale(self, e):
        return 1.0


class Trajectory(Spec):
    """An fmincg cost history: element ``k`` (iteration ``k``, 1-based) within ``rtol(k)``.

    ``bands`` is a sequence of ``(last_iteration, rtol)``: iterations up to ``last_iteration`` (and
    after the previous band) must agree to ``|a_k - e_k| <= rtol * |e_k|``. Both histories must
    have the same length (the same number of successful line searches).
    """

    def __init__(self, bands):
        self.bands = tuple(bands)

    def rtol(self, k):
        """Tolerance at iteration ``k`` (1-based), or None beyond the last band."""
        for last, rtol in self.bands:
            if k <= last:
                return rtol
        return None

    def compare(self, actual, expected):
        a, e, why = _arrays(actual, expected)
        if why:
            return Outcome(False, f"{why} (histories of different lengths)")
        a, e = a.reshape(-1), e.reshape(-1)
        if e.size > self.bands[-1][0]:
            return Outcome(False, f"{e.size} iterations, tolerances only up to {self.bands[-1][0]}")
        why = _nan_mismatch(a, e)
        if why:
            return Outcome(False, why)
        tol = np.array([self.rtol(k) for k in range(1, e.size + 1)])
        rel = np.where(np.isnan(e), 0.0, np.abs(a - e) / np.maximum(np.abs(e), 1e-300))
        worst_by_band = []
        start = 0
        for last, rtol in self.bands:
            stop = min(last, e.size)
            if stop > start:
                worst_by_band.append(f"{start + 1}-{stop}: {rel[start:stop].max():.1e}/{rtol:.0e}")
            start = last
        measured = "max rel diff by iterations (measured/tolerance) " + ", ".join(worst_by_band)
        over = np.flatnonzero(rel > tol)
        if over.size == 0:
            return Outcome(True, measured)
        k = int(over[0])
        return Outcome(
            False,
            f"first moved at iteration {k + 1}: rel diff {rel[k]:.1e} > {tol[k]:.0e} "
            f"({_pair(a, e, k)}); {over.size} iterations beyond tolerance; {measured}",
        )

    def __repr__(self):
        return f"Trajectory({self.bands!r})"


class Mismatch(Spec):
    """Labels: at most ``max_fraction`` of the elements may differ (same size)."""

    def __init__(self, max_fraction):
        self.max_fraction = max_fraction

    def compare(self, actual, expected):
        a, e, why = _arrays(actual, expected)
        if why:
            return Outcome(False, why)
        n = int(np.count_nonzero(a != e))
        frac = n / e.size if e.size else 0.0
        measured = f"{n} of {e.size} differ ({frac:.2%}; tolerance {self.max_fraction:.0%})"
        return Outcome(frac <= self.max_fraction, measured)

    def __repr__(self):
        return f"Mismatch({self.max_fraction:g})"


# ---------------------------------------------------------------------------------------------
# The tolerance table. Measured values (nn3 with OpenBLAS 0.3.31 against Octave 7.3.0 with
# reference BLAS, and the same runs under other summation orders, see matlab_ref/README.md) are
# in the comments; the tolerances leave a margin of about 10x or more.
# ---------------------------------------------------------------------------------------------

_META = {"engine": Info(), "blas": Info(), "lapack": Info(), "generated_by": Info()}

# Cost and gradient at the same weights: measured max 9.3e-16 (J) and 2.4e-15 (gradients,
# relative to their largest element; element by element up to 6e-14, on small components).
_COST = Rel(1e-13)


def _cost_file(extra):
    spec = {
        **_META,
        "input_layer_size": Input(),
        "hidden_layer_size": Input(),
        "num_labels": Input(),
        "m": Input(),
        "lambdas": Input(),
        "Theta1": Input(),
        "Theta2": Input(),
        "nn_params": Exact(),  # [Theta1(:); Theta2(:)]
        "pred": Exact(),
        "train_accuracy": Exact(),
    }
    for lam in (0, 1, 3):
        for name in ("J", "grad", "Theta1_grad", "Theta2_grad"):
            spec[f"{name}_lambda{lam}"] = _COST
    spec.update(extra)
    return spec


_RANDOM_WEIGHTS = {"data_file": Input(), "seed": Info(), "epsilon_init": Input()}

# fmincg cost histories from the same initial parameters. The relative difference grows by about
# 10x every 4-6 iterations (digits) or 3-4 iterations (the unregularised 2-4-1 network), because
# each line search starts from the previous one's slightly different point and step.
# Digits, lambda 1, measured: 1.1e-14 (iterations 1-5), 1.1e-12 (6-10), 2.6e-11 (11-20),
# 8.9e-10 (21-30), 3.4e-8 (31-40), 8.0e-7 (41-50).
_DIGITS_FX = Trajectory([(5, 1e-12), (10, 1e-10), (20, 1e-9), (30, 1e-7), (40, 1e-6), (50, 1e-4)])
# 2-4-1, lambda 0, measured: 1.9e-13 (1-5), 1.3e-10 (6-10), 3.0e-8 (11-20), 9.0e-6 (21-30),
# 1.4e-5 (31-34). At iteration 35 a line search ends after a different number of evaluations and
# the runs separate: from there on they are different descents of the same cost (measured up to
# 2.2e-1), bounded only loosely, from iteration 31 on for a margin.
_DOC241_FX = Trajectory([(5, 1e-11), (10, 1e-8), (20, 1e-6), (30, 1e-3), (100, 0.5)])

_NN_RUN = {
    **_META,
    "optimizer": Info(),
    "data_file": Input(),
    "input_layer_size": Input(),
    "hidden_layer_size": Input(),
    "num_labels": Input(),
    "lambda": Input(),
    "max_iter": Input(),
    "initial_params": Exact(),  # nn_params of the matching cost_*.mat file
    "i": Exact(),
}

#: Per output file, per variable: the tolerance both the nn3 tests and the check apply.
TOLERANCES = {
    # sigmoid.m and sigmoidGradient.m at 0, +-1, +-20, +-40, +-710, +-745, +-Inf, NaN: the same
    # formula, so the same bits wherever both engines' exp agree. Octave calls the C library's
    # exp; numpy on a CPU with AVX-512 its own SIMD exp, 1 ulp off on some inputs (exp(40), so
    # sigmoid(-40) is 1 ulp off there). Enumerating exp(-z) +- 1 ulp on these inputs moves
    # sigmoid and sigmoidGradient by at most 1 ulp (tests/parity/test_parity_outputs.py). The
    # values that exp's last bit cannot move (0.5 and 0.25 at 0, the limits 0 and 1, NaN) are
    # checked exactly by the tests, and everything is exact where the machine's exp is libm's.
    "sigmoid.mat": {
        **_META,
        "z": Input(),
        "sigmoid_z": Ulps(1),
        "sigmoidGradient_z": Ulps(1),
    },
    "cost_doc241.mat": _cost_file(_RANDOM_WEIGHTS),
    "cost_digits.mat": _cost_file(_RANDOM_WEIGHTS),
    "cost_debug353.mat": _cost_file(
        {
            "Theta1": Exact(),  # debugInitializeWeights: sin, no randomness
            "Theta2": Exact(),
            "X": Exact(),
            "y": Exact(),
            # Central differences divide ulp-level differences of J by 2e-4: measured 1.4e-11.
            **{f"numgrad_lambda{lam}": Rel(1e-9) for lam in (0, 1, 3)},
            # Measured 2.4e-12 (the values are about 2.4e-11; the check needs < 1e-9).
            **{f"numgrad_reldiff_lambda{lam}": Abs(1e-10) for lam in (0, 1, 3)},
        }
    ),
    # Bit for bit: both sides evaluate Rosenbrock exactly and fmincg is ported operation for
    # operation.
    "fmincg_rosenbrock.mat": {
        **_META,
        "optimizer": Info(),
        "x0": Input(),
        "MaxIter": Input(),
        "x": Exact(),
        "fX": Exact(),
        "i": Exact(),
        "n_evals": Exact(),
    },
    # 100 iterations go beyond the 2-4-1 run's separation at iteration 35: end-of-run values are
    # bounded loosely. Measured: final parameters 1.8e-2 to 2.4e-1 of their largest element, J
    # 1.2e-2 to 1.2e-1, n_evals 156 to 179 for 167, up to 6 of 400 predictions, accuracy 0.5
    # points, h_new 2.9e-3.
    "fmincg_doc241.mat": {
        **_NN_RUN,
        "fX": _DOC241_FX,
        "final_params": Rel(1.0),
        "Theta1": Rel(1.0),
        "Theta2": Rel(1.0),
        "J_final": Rel(0.5),
        "n_evals": Rel(0.25),
        "pred": Mismatch(0.05),
        "train_accuracy": Abs(2.0),
        "x_new": Input(),
        "h_new": Abs(2e-2),
        "p_new": Exact(),
    },
    # Measured: final parameters 1.1e-13 to 2.3e-13 of their largest element, J 3.7e-15 to 1.1e-14.
    "fmincg_digits_5.mat": {
        **_NN_RUN,
        "fX": _DIGITS_FX,
        "final_params": Rel(1e-11),
        "J_final": Rel(1e-12),
        "n_evals": Exact(),
        "pred": Exact(),
        "train_accuracy": Exact(),
    },
    # Measured: final parameters 2.9e-7 to 1.3e-6 of their largest element, J 1.8e-7 to 8.0e-7.
    "fmincg_digits_50.mat": {
        **_NN_RUN,
        "fX": _DIGITS_FX,
        "final_params": Rel(1e-4),
        "J_final": Rel(1e-4),
        "n_evals": Exact(),
        "pred": Exact(),
        "train_accuracy": Exact(),
    },
}


@dataclass(frozen=True)
class Finding:
    """The comparison of one variable of one file."""

    file: str
    variable: str
    ok: bool
    measured: str

    def __str__(self):
        return f"{self.file}: {self.variable}: {self.measured}"


def compare_variables(file, actual, expected, *, require_inputs=True):
    """Compare the variables of one output file with :data:`TOLERANCES`.

    Parameters
    ----------
    file : str
        The file's name in ``matlab_ref/outputs`` (``"cost_digits.mat"``), its key in the table.
    actual : dict
        Variable name to value: a regenerated file, or nn3's results.
    expected : dict
        The reference file's variables (as :func:`nn3.matio.load_mat` returns them).
    require_inputs : bool, default True
        Whether ``actual`` must hold the generator's inputs too (:class:`Input` variables). The
        check requires them; nn3's tests feed them to nn3 instead of computing them.

    Returns
    -------
    findings : list of Finding
        One per compared variable, plus one failing finding per variable that is missing from
        ``actual``, has no tolerance, or is in the table but not in the reference.
    """
    table = TOLERANCES.get(file)
    if table is None:
        return [Finding(file, "*", False, "file has no entry in nn3.parity.TOLERANCES")]
    findings = []
    for name in sorted(expected):
        spec = table.get(name)
        if spec is None:
            findings.append(
                Finding(file, name, False, "no tolerance for this variable in nn3.parity")
            )
        elif spec.is_info:
            continue
        elif name not in actual:
            if require_inputs or not spec.is_input:
                findings.append(Finding(file, name, False, "missing from the compared output"))
        else:
            outcome = spec.compare(actual[name], expected[name])
            findings.append(Finding(file, name, outcome.ok, outcome.measured))
    for name in sorted(set(table) - set(expected)):
        if not table[name].is_info:
            findings.append(Finding(file, name, False, "in the tolerance table, not in the file"))
    for name in sorted(set(actual) - set(expected)):
        findings.append(Finding(file, name, False, "not in the reference file"))
    return findings


def compare_dirs(fresh_dir, reference_dir=REFERENCE_DIR):
    """Compare every reference output file in two folders.

    Returns
    -------
    findings : list of Finding

    Raises
    ------
    MatFileError
        A file of the table is absent from either folder, or a folder holds a ``.mat`` file the
        table does not know.
    """
    fresh_dir, reference_dir = Path(fresh_dir), Path(reference_dir)
    for folder in (reference_dir, fresh_dir):
        if not folder.is_dir():
            raise MatFileError(f"{folder}: no such folder")
        unknown = sorted(p.name for p in folder.glob("*.mat") if p.name not in TOLERANCES)
        if unknown:
            raise MatFileError(
                f"{folder / unknown[0]}: not a known reference output (no entry in "
                "nn3.parity.TOLERANCES)"
            )
        for name in TOLERANCES:
            if not (folder / name).is_file():
                raise MatFileError(f"{folder / name}: no such file")
    findings = []
    for name in TOLERANCES:
        expected = load_mat(reference_dir / name)
        actual = load_mat(fresh_dir / name)
        findings.extend(compare_variables(name, actual, expected))
    return findings


def octave_command():
    """The Octave executable (``$OCTAVE``, default ``octave-cli``) as found on the PATH, or None."""
    return shutil.which(os.environ.get("OCTAVE", "octave-cli"))


def regenerate(outdir, matlab_ref=MATLAB_REF):
    """Run ``matlab_ref/regenerate.sh OUTDIR`` (GNU Octave), its output passed through.

    Parameters
    ----------
    outdir : str or os.PathLike
        Where the eight files go (created if needed).
    matlab_ref : str or os.PathLike, optional
        The ``matlab_ref`` folder to run (default: the one beside this package).

    Returns
    -------
    status : int
        The script's exit status (0 when all eight files were written). Octave's stderr is passed
        through, minus its harmless exit message.

    Raises
    ------
    Nn3Error
        Octave or ``regenerate.sh`` is not there.
    """
    script = Path(matlab_ref) / "regenerate.sh"
    if not script.is_file():
        raise Nn3Error(f"{script}: no such file (regenerating needs nn3's source checkout)")
    if octave_command() is None:
        raise Nn3Error(
            f"{os.environ.get('OCTAVE', 'octave-cli')}: GNU Octave not found; install it "
            "(apt-get install --no-install-recommends octave) or set OCTAVE"
        )
    return subprocess.run(["bash", str(script), os.fspath(outdir)], check=False).returncode


def _check(args):
    if args.fresh_dir is None:
        with tempfile.TemporaryDirectory(prefix="nn3-parity-") as tmp:
            status = regenerate(tmp)
            if status != 0:
                raise Nn3Error(f"regenerating the outputs failed (exit status {status})")
            return _report(compare_dirs(tmp, args.against), "a fresh regeneration", args)
    return _report(compare_dirs(args.fresh_dir, args.against), args.fresh_dir, args)


def _report(findings, fresh, args):
    failed = [f for f in findings if not f.ok]
    for f in findings:
        if args.verbose or not f.ok:
            print(f"{'ok' if f.ok else 'MOVED'}  {f}")
    files = len({f.file for f in findings})
    if failed:
        print(
            f"parity: FAILED: {len(failed)} variable(s) in {len({f.file for f in failed})} "
            f"file(s) of {fresh} differ from {args.against} beyond nn3.parity.TOLERANCES"
        )
        return 1
    print(
        f"parity: OK: {len(findings)} variables in {files} files of {fresh} agree with "
        f"{args.against} within nn3.parity.TOLERANCES"
    )
    return 0


def main(argv=None):
    """``python -m nn3.parity``: returns the exit status (0 agree, 1 moved, 2 missing)."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("regenerate", help="regenerate the reference outputs with GNU Octave")
    p.add_argument("outdir", nargs="?", default=REFERENCE_DIR, help="default: matlab_ref/outputs")
    p = sub.add_parser("check", help="compare regenerated outputs with the committed ones")
    p.add_argument(
        "fresh_dir", nargs="?", help="outputs to check (default: regenerate into a temporary dir)"
    )
    p.add_argument(
        "--against",
        default=REFERENCE_DIR,
        type=Path,
        help="reference outputs (default: matlab_ref/outputs)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="list every variable's difference")
    args = parser.parse_args(argv)
    try:
        if args.command == "regenerate":
            return regenerate(args.outdir)
        return _check(args)
    except Nn3Error as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
