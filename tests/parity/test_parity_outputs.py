"""nn3 against every file of matlab_ref/outputs, with the tolerances of matlab_ref/parity.py.

The reference files were written by matlab_ref/make_reference.m in GNU Octave (see
matlab_ref/README.md); nn3's side is computed in nn3_side.py from the same inputs.
"""

import math
import platform

import numpy as np
import pytest
from matlab_order import libm_exp
from nn3_side import OUTPUTS, PRODUCERS, nn3_values, reference
from parity import TOLERANCES, check_file  # matlab_ref/parity.py

from nn3.compare import ulp_distance
from nn3.compare.policies import Exact, Rel, Trajectory, Ulps
from nn3.core import activations

OUTPUT_FILES = sorted(p.name for p in OUTPUTS.glob("*.mat"))


def test_every_output_file_is_covered():
    assert len(OUTPUT_FILES) >= 8
    assert sorted(PRODUCERS) == OUTPUT_FILES, "a file in matlab_ref/outputs has no test"
    assert sorted(TOLERANCES) == OUTPUT_FILES, "a file in matlab_ref/outputs has no tolerances"


@pytest.mark.parametrize("name", OUTPUT_FILES)
def test_tolerance_table_names_every_variable(name):
    assert sorted(TOLERANCES.get(name, {})) == sorted(reference(name))


@pytest.mark.parametrize("name", OUTPUT_FILES)
def test_nn3_matches_reference(name):
    assert name in PRODUCERS, f"{name} is not compared with nn3 by any test"
    expected = reference(name)
    findings = check_file(name, nn3_values(name), expected, require_inputs=False)
    failed = [str(f) for f in findings if not f.ok]
    assert not failed, "\n".join(failed)
    # Everything that is not an input or metadata was compared.
    computed = {n for n, s in TOLERANCES[name].items() if not (s.is_input or s.is_info)}
    assert computed <= {f.variable for f in findings}


def test_table_keeps_the_documented_promises():
    # Through exp once per element: 1 ulp, for the CPU's math library, and for nothing else.
    for var in ("sigmoid_z", "sigmoidGradient_z"):
        spec = TOLERANCES["sigmoid.mat"][var]
        assert type(spec) is Ulps and spec.n == 1 and spec.math_library
    math_rows = {(f, v) for f, t in TOLERANCES.items() for v, s in t.items() if s.math_library}
    assert math_rows == {("sigmoid.mat", "sigmoid_z"), ("sigmoid.mat", "sigmoidGradient_z")}
    # Bit-exact where both engines compute exactly (Rosenbrock uses no exp or log).
    for var in ("x", "fX", "i", "n_evals"):
        assert type(TOLERANCES["fmincg_rosenbrock.mat"][var]) is Exact
    # Cost and gradient to 1e-13 relative, predictions exact, for every network and lambda.
    for name in ("cost_doc241.mat", "cost_digits.mat", "cost_debug353.mat"):
        table = TOLERANCES[name]
        for lam in (0, 1, 3):
            for var in ("J", "grad", "Theta1_grad", "Theta2_grad"):
                spec = table[f"{var}_lambda{lam}"]
                assert isinstance(spec, Rel) and spec.rtol <= 1e-13
        assert type(table["pred"]) is Exact
    # Trajectory tolerances grow with the horizon, never shrink.
    for name in ("fmincg_doc241.mat", "fmincg_digits_5.mat", "fmincg_digits_50.mat"):
        spec = TOLERANCES[name]["fX"]
        assert isinstance(spec, Trajectory)
        rtols = [rtol for _, rtol in spec.bands]
        assert rtols == sorted(rtols)


def _sigmoid_file_z():
    z = reference("sigmoid.mat")["z"].reshape(-1)
    expected_z = [0, 1, -1, 20, -20, 40, -40, 710, -710, 745, -745, math.inf, -math.inf, math.nan]
    assert np.array_equal(z, expected_z, equal_nan=True)
    return z


def _sigmoid_and_gradient(e):
    """sigmoid.m and sigmoidGradient.m from given values ``e`` of ``exp(-z)``."""
    s = 1.0 / (1.0 + e)
    return s, s * (1.0 - s)


#: The inputs where exp's last bit cannot move the results: 0 (exp(0) is 1 in any library),
#: 40 (exp(-40) < eps/2, so 1 + exp(-40) rounds to 1), the overflowing and infinite ones, NaN.
EXP_INDEPENDENT = (0.0, 40.0, 710.0, -710.0, 745.0, -745.0, math.inf, -math.inf)


def test_sigmoid_reference_holds_the_exact_values():
    """The reference's values, worked out by hand or with the C library's exp (Octave's)."""
    ref = reference("sigmoid.mat")
    z = _sigmoid_file_z()
    s, g = ref["sigmoid_z"].reshape(-1), ref["sigmoidGradient_z"].reshape(-1)
    # 1/(1+exp(-z)) rounds to 1 once exp(-z) < eps/2 (z >= 37.5), and to exactly 0 once exp(-z)
    # overflows (z <= -709.79); 1 - 1 = 0 makes the gradient exactly 0 on the positive side.
    by_z = dict(zip(z.tolist(), zip(s.tolist(), g.tolist(), strict=True), strict=True))
    assert by_z[0.0] == (0.5, 0.25)
    for big in (40.0, 710.0, 745.0, math.inf):
        assert by_z[big] == (1.0, 0.0)
    for small in (-710.0, -745.0, -math.inf):
        assert by_z[small] == (0.0, 0.0)
    assert math.isnan(s[-1]) and math.isnan(g[-1])
    # The formula with the C library's scalar exp: bit for bit with glibc's (the reference was
    # made with Octave on glibc); another C library may round exp differently, by 1 ulp.
    libm_ulps = 0 if platform.libc_ver()[0] == "glibc" else 1
    for x in (1.0, -1.0, 20.0, -20.0, -40.0):
        s_x, g_x = _sigmoid_and_gradient(libm_exp(-x))
        assert ulp_distance(s_x, by_z[x][0]) <= libm_ulps
        assert ulp_distance(g_x, by_z[x][1]) <= libm_ulps


def test_nn3_sigmoid_matches_the_reference_as_far_as_exp_allows():
    ref = reference("sigmoid.mat")
    z = _sigmoid_file_z()
    values = nn3_values("sigmoid.mat")
    for var in ("sigmoid_z", "sigmoidGradient_z"):
        ours, theirs = values[var].reshape(-1), ref[var].reshape(-1)
        # Exact wherever exp's last bit cannot matter, NaN included, on any CPU.
        fixed = np.isin(z, EXP_INDEPENDENT)
        assert np.array_equal(ours[fixed], theirs[fixed]), var
        assert np.isnan(ours[-1])
        # Elsewhere: same bits where this machine's exp (nn3's, as the tests may perturb it)
        # gives the C library's results on these inputs, else within 1 ulp per element.
        with np.errstate(over="ignore"):  # exp(710) and exp(745) overflow, as they must
            probe = activations.exp(-z[np.isfinite(z)]) == libm_exp(-z[np.isfinite(z)])
        if probe.all():
            assert np.array_equal(ours, theirs, equal_nan=True), var
        else:
            assert Ulps(1).compare(ours, theirs).ok, var


def test_one_ulp_of_exp_moves_the_sigmoid_file_by_at_most_one_ulp():
    """Why Ulps(1) suffices for sigmoid.mat, and why Exact would not: every combination of
    exp(-z) one step up, down or exact, on the file's inputs."""
    z = _sigmoid_file_z()
    e = libm_exp(-z)
    s0, g0 = _sigmoid_and_gradient(e)
    finite = np.isfinite(e) & (e != 0)
    most = 0
    for direction in (-math.inf, math.inf):
        moved = np.where(finite & (e != 1.0), np.nextafter(e, direction), e)
        s, g = _sigmoid_and_gradient(moved)
        for var, ours, theirs in (("sigmoid_z", s, s0), ("sigmoidGradient_z", g, g0)):
            assert TOLERANCES["sigmoid.mat"][var].compare(ours, theirs).ok, (var, direction)
            most = max(most, int(ulp_distance(ours[~np.isnan(z)], theirs[~np.isnan(z)]).max()))
    assert most == 1  # an exp 1 ulp off does move some of these values: Exact would be wrong
