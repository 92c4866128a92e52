"""precision="single": float32 evaluation with float64 sums, gradient returned as float64."""

import numpy as np
import pytest

import nn3
from nn3.core import network
from nn3.errors import ParameterError


def _problem(seed, m, n, hidden, K, scale=0.3):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (m, n))
    y = rng.integers(1, K + 1, m).astype(float)
    p = rng.uniform(-scale, scale, hidden * (n + 1) + K * (hidden + 1))
    return X, y, p


@pytest.mark.parametrize("block_rows", [None, 700])
def test_single_cost_within_1e6_and_gradient_float64(block_rows):
    X, y, p = _problem(1, 3000, 50, 20, 10)
    J, g = nn3.make_objective(X, y, 50, 20, 10, 1.0)(p)
    if block_rows is None:
        fun = nn3.make_objective(X, y, 50, 20, 10, 1.0, precision="single")
        Js, gs = fun(p)
        assert fun.precision == "single"
    else:
        rows, cols = network.label_hits(y, 10)
        ev = network._Evaluator(X.astype(np.float32), rows, cols, 20, 10, block_rows, np.float32)
        assert len(ev.blocks) == 5
        gs = np.empty_like(g)
        Js = ev(*network.roll(p, 50, 20, 10), 1.0, *network.roll(gs, 50, 20, 10))
    assert isinstance(Js, float) and gs.dtype == np.float64
    assert abs(Js - J) <= 1e-6 * abs(J)
    assert np.abs(gs - g).max() <= 1e-5 * np.abs(g).max()


def test_single_cost_stays_accurate_for_confident_outputs():
    # Outputs near 1 where Y is 0: float32's 1 - h would round to 0 (log -> -Inf) from z > 16.6.
    X, y, p = _problem(2, 400, 8, 6, 3, scale=12.0)
    J = nn3.make_objective(X, y, 8, 6, 3, 0.0)(p)[0]
    Js = nn3.make_objective(X, y, 8, 6, 3, 0.0, precision="single")(p)[0]
    assert np.isfinite(Js)
    assert abs(Js - J) <= 1e-6 * abs(J)


def test_matlab_single_data_is_used_as_is_and_double_data_converted():
    X, y, p = _problem(3, 200, 5, 4, 3)
    X32 = X.astype(np.float32)
    a = nn3.make_objective(X32, y, 5, 4, 3, 1.0, precision="single")(p)
    b = nn3.make_objective(X32.astype(np.float64), y, 5, 4, 3, 1.0, precision="single")(p)
    assert a[0] == b[0]
    np.testing.assert_array_equal(a[1], b[1])


def test_bad_precision_is_refused_naming_it():
    X, y, _ = _problem(4, 20, 3, 2, 2)
    with pytest.raises(ParameterError, match="precision must be 'double' or 'single'"):
        nn3.make_objective(X, y, 3, 2, 2, precision="half")
    with pytest.raises(nn3.OptionError, match="in-memory engine"):
        nn3.make_objective(X, y, 3, 2, 2, engine="stream", precision="single")
