"""nn3 against every file of matlab_ref/outputs, with the tolerances of nn3.parity.TOLERANCES.

The reference files were written by matlab_ref/make_reference.m in GNU Octave (see
matlab_ref/README.md); nn3's side is computed in nn3_side.py from the same inputs.
"""

import math

import numpy as np
import pytest
from nn3_side import OUTPUTS, PRODUCERS, nn3_values, reference

from nn3.parity import TOLERANCES, Exact, Rel, Trajectory, compare_variables

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
    findings = compare_variables(name, nn3_values(name), expected, require_inputs=False)
    failed = [str(f) for f in findings if not f.ok]
    assert not failed, "\n".join(failed)
    # Everything that is not an input or metadata was compared.
    computed = {n for n, s in TOLERANCES[name].items() if not (s.is_input or s.is_info)}
    assert computed <= {f.variable for f in findings}


def test_table_keeps_the_documented_promises():
    # Bit-exact where both engines compute exactly.
    for var in ("sigmoid_z", "sigmoidGradient_z"):
        assert type(TOLERANCES["sigmoid.mat"][var]) is Exact
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


def test_sigmoid_reference_holds_the_exact_values():
    """The edge values where both engines must compute exactly, worked out by hand."""
    ref = reference("sigmoid.mat")
    z = ref["z"].reshape(-1)
    expected_z = [0, 1, -1, 20, -20, 40, -40, 710, -710, 745, -745, math.inf, -math.inf, math.nan]
    assert np.array_equal(z, expected_z, equal_nan=True)
    s, g = ref["sigmoid_z"].reshape(-1), ref["sigmoidGradient_z"].reshape(-1)
    # 1/(1+exp(-z)) rounds to 1 once exp(-z) < eps/2 (z >= 37.5), and to exactly 0 once exp(-z)
    # overflows (z <= -709.79); 1 - 1 = 0 makes the gradient exactly 0 on the positive side.
    by_z = dict(zip(z.tolist(), zip(s.tolist(), g.tolist(), strict=True), strict=True))
    assert by_z[0.0] == (0.5, 0.25)
    for x in (1.0, -1.0, 20.0, -20.0, -40.0):  # the formula in Python's own float arithmetic
        assert by_z[x][0] == 1 / (1 + math.exp(-x))
    for big in (40.0, 710.0, 745.0, math.inf):
        assert by_z[big] == (1.0, 0.0)
    for small in (-710.0, -745.0, -math.inf):
        assert by_z[small] == (0.0, 0.0)
    assert math.isnan(s[-1]) and math.isnan(g[-1])
    # And nn3 gives the same bits everywhere, NaN included.
    assert np.array_equal(nn3_values("sigmoid.mat")["sigmoid_z"].reshape(-1), s, equal_nan=True)
