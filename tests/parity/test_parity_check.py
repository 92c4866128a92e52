"""``python matlab_ref/parity.py``: the tolerance policies over nn3's comparison engine, the
check's exit statuses and messages, and (with GNU Octave) regenerating matlab_ref/outputs and
checking the result."""

import importlib.util
import shutil
import subprocess
import sys

import numpy as np
import parity  # matlab_ref/parity.py
import pytest
import scipy.io
from nn3_side import ROOT
from parity import check_file

import nn3
from nn3.compare import ulp_distance
from nn3.compare.policies import Abs, Exact, Mismatch, Rel, Trajectory, Ulps

OUTPUTS = parity.REFERENCE_DIR  # the committed outputs, whatever $NN3_PARITY_OUTPUTS says

needs_octave = pytest.mark.needs_octave


def test_exact_sees_one_ulp_and_accepts_nan_and_orientation():
    e = np.array([[0.5], [np.nan], [-np.inf]])
    assert Exact().compare(np.array([0.5, np.nan, -np.inf]), e).ok  # 1-D against a column
    moved = Exact().compare(np.array([np.nextafter(0.5, 1), np.nan, -np.inf]), e)
    assert not moved.ok and "(1)" in moved.measured
    assert not Exact().compare(np.ones((2, 2)), np.ones((4, 1))).ok
    assert not Exact().compare("cgmin", "fmincg").ok
    assert not Exact().compare(np.ones((2, 2)), "cgmin").ok  # char against numbers: no traceback


def test_ulp_distance_counts_float64_steps_across_zero():
    x = np.array([1.0, 1.0, -1.0, 0.0, 5e-324, np.finfo(float).max])
    y = np.array(
        [np.nextafter(1.0, 2), np.nextafter(np.nextafter(1.0, 0), 0), -1.0, -0.0, -5e-324, np.inf]
    )
    assert ulp_distance(x, y).tolist() == [1, 2, 0, 0, 2, 1]


def test_ulps_allows_n_steps_and_keeps_nan_and_infinities_exact():
    e = np.array([[4.248354255291589e-18], [0.5], [np.nan], [np.inf], [0.0]])
    one_off = np.array([4.24835425529159e-18, 0.5, np.nan, np.inf, 0.0])  # numpy's on AVX-512
    assert Ulps(1).compare(one_off, e).ok
    assert not Exact().compare(one_off, e).ok
    out = Ulps(0).compare(one_off, e)
    assert not out.ok and "(1)" in out.measured
    two_off = one_off.copy()
    two_off[1] = np.nextafter(np.nextafter(0.5, 1), 1)
    out = Ulps(1).compare(two_off, e)
    assert not out.ok and "(2)" in out.measured and "max ulps = 2" in out.measured
    finite_max = one_off.copy()
    finite_max[3] = np.finfo(float).max  # one step below Inf is not Inf
    assert not Ulps(1).compare(finite_max, e).ok
    nan_moved = one_off.copy()
    nan_moved[2] = 1.0
    assert not Ulps(1).compare(nan_moved, e).ok
    assert Ulps(1).math_library and not Rel(1e-13).math_library and not Exact().math_library


def test_rel_is_relative_to_the_largest_reference_element():
    e = np.array([100.0, 1e-3])
    assert Rel(1e-13).compare(e + [0, 1e-12], e).ok  # 1e-12 / 100 = 1e-14
    out = Rel(1e-13).compare(e + [0, 1e-10], e)
    assert not out.ok and "1.0e-12" in out.measured and "(2)" in out.measured
    assert not Rel(1e-13).compare([1.0, np.nan], [1.0, 2.0]).ok


def test_abs_and_mismatch():
    assert Abs(1e-10).compare(2.5e-11, 2.4e-11).ok
    assert not Abs(1e-10).compare(3e-10, 1e-10).ok
    assert Mismatch(0.25).compare([1, 2, 3, 4], [1, 2, 3, 3]).ok
    assert not Mismatch(0.25).compare([1, 2, 4, 4], [1, 2, 3, 3]).ok


def test_trajectory_bands():
    spec = Trajectory([(2, 1e-12), (4, 1e-6)])
    ref = np.array([1.0, 1.0, 1.0, 1.0])
    assert spec.compare(ref + [1e-13, 0, 1e-7, 1e-7], ref).ok
    late = spec.compare(ref + [0, 1e-9, 0, 0], ref)  # 1e-9 in band 1-2
    assert not late.ok and "iteration 2" in late.measured
    assert not spec.compare(np.ones(3), ref).ok  # different number of iterations
    assert not spec.compare(np.ones(5), np.ones(5)).ok  # beyond the last band


def test_check_file_reports_missing_unknown_and_moved():
    ref = {k: np.array([[1.0]]) for k in ("x", "fX", "i", "n_evals", "x0", "MaxIter")}
    fresh = dict(ref, fX=np.array([[1.5]]), extra=1.0)
    del fresh["i"], fresh["x0"]
    bad = {(f.variable, f.ok) for f in check_file("fmincg_rosenbrock.mat", fresh, ref)}
    assert ("fX", False) in bad and ("i", False) in bad and ("extra", False) in bad
    assert ("x0", False) in bad  # inputs are required when checking a regeneration
    assert ("x", True) in bad
    nn3_side = {
        f.variable
        for f in check_file("fmincg_rosenbrock.mat", fresh, ref, require_inputs=False)
        if not f.ok
    }
    assert "x0" not in nn3_side and "i" in nn3_side


def _copy_outputs(dest):
    dest.mkdir()
    for p in OUTPUTS.glob("*.mat"):
        shutil.copy(p, dest / p.name)
    return dest


def test_check_exit_statuses(tmp_path, capsys):
    fresh = _copy_outputs(tmp_path / "fresh")
    assert parity.main(["check", "--against", str(OUTPUTS), str(fresh)]) == 0
    assert "parity: OK" in capsys.readouterr().out

    # Move one variable: exit 1, the file and the variable named, and by how much.
    raw = scipy.io.loadmat(fresh / "cost_digits.mat")
    raw = {k: v for k, v in raw.items() if not k.startswith("__")}
    raw["J_lambda1"] = raw["J_lambda1"] * (1 + 1e-10)
    scipy.io.savemat(fresh / "cost_digits.mat", raw)
    assert parity.main(["check", "--against", str(OUTPUTS), str(fresh)]) == 1
    out = capsys.readouterr().out
    moved = [line for line in out.splitlines() if line.startswith("MOVED")]
    assert moved == [
        "MOVED  cost_digits.mat: J_lambda1: max |diff| / max |ref| = 1.0e-10 (tolerance 1e-13); "
        f"worst at (1): {raw['J_lambda1'].item()!r} "
        f"vs {scipy.io.loadmat(OUTPUTS / 'cost_digits.mat')['J_lambda1'].item()!r}"
    ]
    assert "parity: FAILED: 1 variable(s) in 1 file(s)" in out

    # A file absent: exit 2, one line naming it.
    (fresh / "sigmoid.mat").unlink()
    assert parity.main(["check", "--against", str(OUTPUTS), str(fresh)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("python matlab_ref/parity.py: error: ")
        and "sigmoid.mat: no such file" in err
    )


def test_the_tool_runs_from_the_checkout_and_is_not_in_the_package(tmp_path):
    # Repository tooling: run as a script from the repository root, never installed with nn3.
    fresh = _copy_outputs(tmp_path / "fresh")
    r = subprocess.run(
        [sys.executable, "matlab_ref/parity.py", "check", "--against", str(OUTPUTS), str(fresh)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "parity: OK" in r.stdout
    assert importlib.util.find_spec("nn3.parity") is None
    assert "parity" not in nn3.__all__


def test_regenerate_without_octave_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OCTAVE", str(tmp_path / "no-octave-here"))
    assert parity.main(["regenerate", str(tmp_path / "out")]) == 2
    assert "GNU Octave not found" in capsys.readouterr().err
    assert parity.main(["check"]) == 2


@needs_octave
def test_octave_regeneration_agrees_with_committed_outputs(tmp_path, capfd):
    out = tmp_path / "fresh"
    assert parity.main(["regenerate", str(out)]) == 0
    assert parity.main(["check", str(out)]) == 0
    captured = capfd.readouterr()
    assert "parity: OK" in captured.out
    assert "execution_exception" not in captured.err  # the harmless exit message is dropped


def _scratch_matlab_ref(tmp_path, edits):
    """A copy of matlab_ref (code only) and data/, with ``edits`` {file: (old, new)} applied."""
    ref = tmp_path / "matlab_ref"
    ref.mkdir()
    for p in (ROOT / "matlab_ref").iterdir():
        if p.is_file():
            shutil.copy(p, ref / p.name)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    for name, (old, new) in edits.items():
        code = (ref / name).read_text()
        assert code.count(old) == 1, f"{name} no longer contains {old!r}"
        (ref / name).write_text(code.replace(old, new))
    return ref


@needs_octave
def test_check_names_what_a_broken_m_file_moves(tmp_path, capsys):
    # Drop the regularisation term from cost and gradient (consistently, so the generator's
    # gradient check still passes and the outputs are written).
    no_reg = ("if lambda ~= 0", "if false")
    ref = _scratch_matlab_ref(tmp_path, {"costFunction.m": no_reg, "backpropagation.m": no_reg})
    out = tmp_path / "fresh"
    assert parity.regenerate(out, matlab_ref=ref) == 0
    assert parity.main(["check", "--against", str(OUTPUTS), str(out)]) == 1
    moved = {
        tuple(line.split(": ")[:2])
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("MOVED")
    }
    for lam in (1, 3):
        for var in ("J", "grad", "Theta1_grad", "Theta2_grad"):
            for name in ("cost_doc241.mat", "cost_digits.mat", "cost_debug353.mat"):
                assert (f"MOVED  {name}", f"{var}_lambda{lam}") in moved
    assert ("MOVED  fmincg_digits_50.mat", "fX") in moved  # trained with lambda 1
    # Unregularised results did not move, and are not reported.
    assert not any(var.endswith("lambda0") for _, var in moved)
    assert not any(name.endswith(("sigmoid.mat", "fmincg_doc241.mat")) for name, _ in moved)


@needs_octave
def test_octave_errors_are_not_hidden(tmp_path, capfd):
    # Drop the regularisation from the cost only: the generator's gradient check fails in Octave.
    ref = _scratch_matlab_ref(tmp_path, {"costFunction.m": ("if lambda ~= 0", "if false")})
    status = parity.regenerate(tmp_path / "fresh", matlab_ref=ref)
    err = capfd.readouterr().err
    assert status != 0
    assert "gradient check failed" in err
    assert not list((tmp_path / "fresh").glob("*.mat"))  # nothing half-written
