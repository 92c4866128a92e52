"""nn3.compare.policies: the parity table's tolerances are the engine's tests, worded.

Each policy must decide exactly as :func:`nn3.compare.compare_values` with the matching
arguments (one engine, never a second set of rules), and must keep the meaning the parity table
documents: ``Rel`` scales by the largest reference element, ``Trajectory`` by each element.
"""

import numpy as np
import pytest

from nn3.compare import compare_values
from nn3.compare.policies import Abs, Exact, Info, Input, Mismatch, Rel, Trajectory, Ulps


def _cases():
    """Pairs (actual, expected) of 3x2 doubles: equal, a few ulps apart, relatively far, NaN."""
    rng = np.random.default_rng(11)
    e = rng.standard_normal((3, 2)) * np.array([[1.0, 1e-6]])  # two magnitudes, as a gradient
    out = [(e.copy(), e)]
    for steps in (1, 2, 5):
        a = e.copy()
        for _ in range(steps):
            a[1, 1] = np.nextafter(a[1, 1], np.inf)
        out.append((a, e))
    for scale in (1e-15, 1e-12, 1e-9, 1e-6):
        out.append((e + scale * rng.standard_normal(e.shape), e))
    nan = e.copy()
    nan[0, 1] = np.nan
    out += [(nan, e), (nan, nan.copy()), (e, nan)]
    inf = e.copy()
    inf[2, 0] = np.inf
    out += [(inf, e), (inf, inf.copy())]
    return out


CASES = _cases()


@pytest.mark.parametrize("k", range(len(CASES)))
def test_each_policy_decides_as_the_engine(k):
    a, e = CASES[k]
    assert Exact().compare(a, e).ok == compare_values(e, a, ulps=0).passed
    assert Input().compare(a, e).ok == compare_values(e, a, ulps=0).passed
    for n in (0, 1, 4):
        assert Ulps(n).compare(a, e).ok == compare_values(e, a, ulps=n).passed
    for tol in (1e-14, 1e-11, 1e-8):
        rel = compare_values(e, a, rtol=tol, relative_to="max")
        assert Rel(tol).compare(a, e).ok == rel.passed
        assert Abs(tol).compare(a, e).ok == compare_values(e, a, rtol=0, atol=tol).passed
    assert Mismatch(0.0).compare(a, e).ok == compare_values(e, a, ulps=0).passed
    assert Info().compare(a, e).ok


def test_rel_scales_by_the_largest_element_not_each_element():
    e = np.array([[1.0], [1e-6]])
    a = e + np.array([[0.0], [1e-15]])  # 1e-9 of its own element, 1e-15 of the largest
    assert Rel(1e-13).compare(a, e).ok
    assert not compare_values(e, a, rtol=1e-13).passed  # element scaling would fail it


def test_trajectory_scales_each_iteration_by_itself_not_by_its_band():
    # A falling cost: iteration 2 is 1e-2 off relative to itself, 1e-4 relative to the band's
    # largest value. The band's tolerance 1e-3 applies to each iteration on its own.
    spec = Trajectory([(2, 1e-3)])
    e = np.array([100.0, 1.0])
    assert not spec.compare(e + [0.0, 1e-2], e).ok
    assert spec.compare(e + [0.0, 1e-4], e).ok


def test_trajectory_names_the_first_iteration_that_moved_in_any_band():
    spec = Trajectory([(2, 1e-12), (4, 1e-6)])
    e = np.ones(4)
    out = spec.compare(e + [0.0, 0.0, 1e-9, 1e-5], e)  # band 1-2 fine, iteration 4 beyond
    assert not out.ok
    assert out.measured.startswith("first moved at iteration 4: rel diff 1.0e-05 > 1e-06")
    assert "1 iterations beyond tolerance" in out.measured


def test_messages_give_matlab_linear_positions():
    e = np.zeros((2, 3))
    a = e.copy()
    a[1, 2] = 1.0  # MATLAB's (2, 3): linear index 6
    a[0, 1] = 0.5  # MATLAB's (1, 2): linear index 3, first in column-major order
    assert "first at (3): 0.5 vs 0.0" in Exact().compare(a, e).measured
    assert "worst at (6): 1.0 vs 0.0" in Abs(0.1).compare(a, e).measured
    assert "first at (3)" in Ulps(0).compare(a, e).measured


def test_char_and_size_mismatches_fail():
    assert Exact().compare("cgmin", "cgmin").ok
    assert not Exact().compare("cgmin", "fmincg").ok
    assert not Rel(1.0).compare(np.ones((2, 2)), np.ones((4, 1))).ok
    assert not Rel(1.0).compare("x", np.ones((1, 1))).ok
