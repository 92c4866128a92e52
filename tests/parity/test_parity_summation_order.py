"""Why nn3's trajectories differ from Octave's, shown: summation order, and nothing else.

matlab_order.py computes matlab_ref's cost and gradient adding in the order Octave with reference
BLAS adds. It reproduces the reference costs bit for bit; handed to nn3.fmincg, it reproduces the
reference fmincg runs (final parameters, every cost, iteration and evaluation counts) bit for bit
as well. So nn3.fmincg takes exactly the steps of matlab_ref/cgmin.m, and the horizon-dependent
tolerances in TOLERANCES (matlab_ref/parity.py) only absorb nn3's other summation order (OpenBLAS,
numpy), which the line search amplifies at each iteration.

The oracle's ``exp`` and ``log`` are the C library's scalar functions (Octave's), not numpy's,
whose SIMD versions differ by 1 ulp on some inputs on some CPUs: so these tests hold bit for bit
on any CPU.
"""

import ctypes
import ctypes.util
import math

import numpy as np
import pytest
from matlab_order import cost_grad, libm_exp, libm_log
from nn3_side import COMMITTED, PRODUCERS, data, reference, sizes

committed_only = pytest.mark.skipif(
    not COMMITTED, reason="bit for bit only against the committed reference-BLAS outputs"
)


def _c_library_function(name):
    path = ctypes.util.find_library("m") or ctypes.util.find_library("c")
    if path is None:
        pytest.skip("the C math library cannot be located through ctypes here")
    f = getattr(ctypes.CDLL(path), name)
    f.restype, f.argtypes = ctypes.c_double, [ctypes.c_double]
    return f


def test_oracle_exp_and_log_are_the_c_library_s():
    # The oracle calls math.exp/math.log; they must give the C library's own results (which
    # Octave calls), special values included. numpy's SIMD exp differs on ~4% of such inputs.
    rng = np.random.default_rng(10)
    special = [0.0, -0.0, 1.0, -1.0, 40.0, -40.0, 709.0, 710.0, -745.0, -746.0]
    x = np.concatenate(
        [rng.uniform(-746, 710, 5000), rng.uniform(-50, 50, 5000), special, [math.inf, -math.inf]]
    )
    c_exp = _c_library_function("exp")
    assert np.array_equal(libm_exp(x), [c_exp(v) for v in x.tolist()])
    y = np.concatenate([np.abs(x[:-2]) * rng.uniform(0, 1, x.size - 2), [0.0, 1.0, 5e-324]])
    c_log = _c_library_function("log")
    assert np.array_equal(libm_log(y), [c_log(v) for v in y.tolist()])
    assert (
        np.isnan(libm_exp(math.nan)) and np.isnan(libm_log(-1.0)) and np.isnan(libm_log(math.nan))
    )
    assert libm_log(math.inf) == math.inf and libm_log(0.0) == -math.inf


@committed_only
@pytest.mark.parametrize("name", ["cost_doc241.mat", "cost_digits.mat", "cost_debug353.mat"])
@pytest.mark.parametrize("lam", [0, 1, 3])
def test_octave_order_reproduces_reference_costs_bit_for_bit(name, lam):
    ref = reference(name)
    X, y = data(ref["data_file"]) if "data_file" in ref else (ref["X"], ref["y"])
    J, grad = cost_grad(ref["nn_params"], *sizes(ref), X, y, lam)
    assert J == ref[f"J_lambda{lam}"].item()
    assert np.array_equal(grad, ref[f"grad_lambda{lam}"].reshape(-1))


@committed_only
@pytest.mark.parametrize(
    "name", ["fmincg_doc241.mat", "fmincg_digits_5.mat", "fmincg_digits_50.mat"]
)
def test_fmincg_with_octave_order_is_bit_for_bit(name):
    ref = reference(name)
    X, y = data(ref["data_file"])
    il, hl, K = sizes(ref)
    lam = ref["lambda"].item()
    got = PRODUCERS[name](ref, objective=lambda p: cost_grad(p, il, hl, K, X, y, lam))
    assert np.array_equal(got["final_params"], ref["final_params"].reshape(-1))
    assert np.array_equal(got["fX"], ref["fX"].reshape(-1))
    assert got["i"] == ref["i"].item()
    assert got["n_evals"] == ref["n_evals"].item()
    assert got["J_final"] == ref["J_final"].item()
    assert np.array_equal(got["pred"], ref["pred"].reshape(-1))
