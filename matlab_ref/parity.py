#!/usr/bin/env python3
"""Parity with MATLAB: the tolerance table, and the check of regenerated reference outputs.

Repository tooling, not part of the installed nn3 package: it needs this checkout's
``matlab_ref/`` (the ``.m`` code and ``outputs/``). ``make_reference.m`` writes
``matlab_ref/outputs/*.mat``; two things are compared against those files with the tolerances
in :data:`TOLERANCES` (the only copy of the table):

* nn3 itself, by the tests in ``tests/parity/``;
* a fresh regeneration of the outputs, by ``python matlab_ref/parity.py check``, so that the
  ``.m`` code and the committed outputs cannot drift apart.

Command line (from the repository root, with nn3 installed)::

    python matlab_ref/parity.py regenerate [OUTDIR]   # Octave: matlab_ref/regenerate.sh OUTDIR
    python matlab_ref/parity.py check [--against DIR] [-v] [FRESH_DIR]

``check`` compares every variable of every reference file in ``--against`` (default
``matlab_ref/outputs``) with ``FRESH_DIR`` (when it is omitted, the outputs are regenerated into a
temporary folder first). Exit status 0 when everything agrees, 1 when a variable moved beyond its
tolerance (each one is named with its file and by how much it moved), 2 when Octave or a file is
missing.

Every tolerance is a policy of :mod:`nn3.compare.policies` (``Exact``, ``Ulps``, ``Rel``, ...),
a thin layer over nn3's one comparison engine, :func:`nn3.compare.compare_values`.

Why the tolerances are not all zero: two engines that run the same formulas agree bit for bit
only when they add in the same order. Reference BLAS ``dgemm`` adds the products of a matrix
product in index order; OpenBLAS, MKL and numpy's ``sum`` add in blocks. Costs and gradients then
differ by a few units in the last place (about 1e-15 relative), and fmincg's line search
amplifies such differences at every iteration, so trajectory tolerances grow with the horizon.

The other source of differences is the CPU's math library: Octave and MATLAB call the C library's
scalar ``exp``/``log``; numpy does too on most CPUs, but uses its own SIMD versions where the CPU
has AVX-512, and those differ by 1 ulp on a few percent of inputs. Variables whose tolerance
exists for that reason use ``Ulps`` (``Spec.math_library`` is True); for costs and gradients
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

from nn3.compare.policies import Abs, Exact, Info, Input, Mismatch, Rel, Trajectory, Ulps
from nn3.errors import MatFileError, Nn3Error
from nn3.mat import load_mat

PROG = "python matlab_ref/parity.py"

#: This ``matlab_ref/`` folder.
MATLAB_REF = Path(__file__).resolve().parent

#: Where the committed reference outputs live.
REFERENCE_DIR = MATLAB_REF / "outputs"

#: Where the table lives, for messages.
_TABLE = "TOLERANCES in matlab_ref/parity.py"


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


def check_file(file, actual, expected, *, require_inputs=True):
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
        return [Finding(file, "*", False, f"file has no entry in {_TABLE}")]
    findings = []
    for name in sorted(expected):
        spec = table.get(name)
        if spec is None:
            findings.append(
                Finding(file, name, False, f"no tolerance for this variable in {_TABLE}")
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


def check_dirs(fresh_dir, reference_dir=REFERENCE_DIR):
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
                f"{folder / unknown[0]}: not a known reference output (no entry in {_TABLE})"
            )
        for name in TOLERANCES:
            if not (folder / name).is_file():
                raise MatFileError(f"{folder / name}: no such file")
    findings = []
    for name in TOLERANCES:
        expected = load_mat(reference_dir / name)
        actual = load_mat(fresh_dir / name)
        findings.extend(check_file(name, actual, expected))
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
        The ``matlab_ref`` folder to run (default: this one).

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
            return _report(check_dirs(tmp, args.against), "a fresh regeneration", args)
    return _report(check_dirs(args.fresh_dir, args.against), args.fresh_dir, args)


def _report(findings, fresh, args):
    failed = [f for f in findings if not f.ok]
    for f in findings:
        if args.verbose or not f.ok:
            print(f"{'ok' if f.ok else 'MOVED'}  {f}")
    files = len({f.file for f in findings})
    if failed:
        print(
            f"parity: FAILED: {len(failed)} variable(s) in {len({f.file for f in failed})} "
            f"file(s) of {fresh} differ from {args.against} beyond {_TABLE}"
        )
        return 1
    print(
        f"parity: OK: {len(findings)} variables in {files} files of {fresh} agree with "
        f"{args.against} within {_TABLE}"
    )
    return 0


def main(argv=None):
    """``python matlab_ref/parity.py``: returns the exit status (0 agree, 1 moved, 2 missing)."""
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
