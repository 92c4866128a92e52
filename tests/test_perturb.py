"""The perturbation test mode (tests/perturb.py): it moves results, by what it says, and nn3's
every exp and log goes through the one place it replaces."""

import os
import re
from pathlib import Path

import numpy as np
import perturb
import pytest
from reference_impl import matlab_cost_grad

import nn3
from nn3.compare import ulp_distance
from nn3.core import activations

NN3 = Path(nn3.__file__).resolve().parent

#: Modules allowed to call exp/log directly, with the reason.
DIRECT_CALLS_ALLOWED = {
    # The one place itself.
    "core/activations.py",
    # Fault variants for hints ("your output matches nn3 with a regularised bias column"),
    # recomputed with plain numpy and compared with users' outputs to rounding, not to the bit.
    "portcheck/nn3_side.py",
}


def _values(n=200_000, seed=11):
    return np.random.default_rng(seed).uniform(-700, 700, n)


def test_perturbed_exp_moves_a_tenth_of_the_results_by_one_ulp_both_ways():
    x = _values()
    exact = np.exp(x)
    y = perturb.perturbed(np.exp, 1, seed=0, exact_at=0.0)(x)
    moved = y != exact
    assert 0.09 < moved.mean() < 0.11
    assert np.all(ulp_distance(y[moved], exact[moved]) == 1)
    assert 0.4 < (y[moved] > exact[moved]).mean() < 0.6  # up and down alike


def test_perturbation_is_a_function_of_the_input():
    # As a different math library would be: not of the position, the call or the output buffer.
    x = _values(50_000)
    g = perturb.perturbed(np.exp, 1, seed=0, exact_at=0.0)
    y = g(x)
    perm = np.random.default_rng(1).permutation(x.size)
    assert np.array_equal(g(x[perm]), y[perm])
    in_place = x.copy()
    assert g(in_place, out=in_place) is in_place and np.array_equal(in_place, y)
    strided = np.repeat(x, 2)[::2]
    assert np.array_equal(g(strided), y)
    assert g(np.float64(x[0])) == y[0] and np.ndim(g(np.float64(x[0]))) == 0
    other_seed = perturb.perturbed(np.exp, 1, seed=5, exact_at=0.0)(x)
    assert not np.array_equal(other_seed != np.exp(x), y != np.exp(x))


def test_perturbation_leaves_exact_results_alone():
    g = perturb.perturbed(np.exp, 1, seed=0, exact_at=0.0)
    special = np.array([0.0, -0.0, 710.0, 1000.0, -1000.0, np.inf, -np.inf, np.nan])
    with np.errstate(over="ignore"):
        for seed in range(20):  # whichever of them the hash picks
            g = perturb.perturbed(np.exp, 1, seed=seed, exact_at=0.0)
            assert np.array_equal(g(special), np.exp(special), equal_nan=True)
    # exp(709.78) is the largest finite result: a step up would overflow, so it is not taken.
    top = np.full(1, np.log(np.finfo(float).max))
    assert all(np.isfinite(perturb.perturbed(np.exp, 1, seed=s)(top)).all() for s in range(50))
    log = perturb.perturbed(np.log, 1, seed=1, exact_at=1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for seed in range(20):
            log = perturb.perturbed(np.log, 1, seed=seed, exact_at=1.0)
            p = np.array([1.0, 0.0, -1.0, np.inf, np.nan])
            assert np.array_equal(log(p), np.log(p), equal_nan=True)


def test_perturbed_log_and_more_ulps():
    x = np.abs(_values()) + 0.5
    y = perturb.perturbed(np.log, 1, seed=1, exact_at=1.0)(x)
    assert 0.09 < (y != np.log(x)).mean() < 0.11
    y3 = perturb.perturbed(np.exp, 3, seed=0)(_values())
    dist = ulp_distance(y3, np.exp(_values()))
    assert set(np.unique(dist).tolist()) == {0, 1, 2, 3}


def test_nn3_calls_exp_and_log_only_through_activations():
    direct = re.compile(r"\b(np|numpy|math|cmath)\.(exp|exp2|expm1|log|log2|log10|log1p)\b")
    offenders = []
    for path in sorted(NN3.rglob("*.py")):
        rel = path.relative_to(NN3).as_posix()
        if rel in DIRECT_CALLS_ALLOWED:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if direct.search(code) and "``" not in code:
                offenders.append(f"nn3/{rel}:{n}: {line.strip()}")
    assert not offenders, "exp/log outside nn3.core.activations:\n" + "\n".join(offenders)


def test_every_evaluation_goes_through_the_one_place(monkeypatch):
    m, n, hidden, K = 40, 3, 4, 3
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, (m, n))
    y = rng.integers(1, K + 1, m)
    Theta1, Theta2 = rng.uniform(-1, 1, (hidden, n + 1)), rng.uniform(-1, 1, (K, hidden + 1))
    params = nn3.unroll(Theta1, Theta2)
    counts = {"exp": 0, "log": 0}

    def counting(name, f):
        def g(x, out=None):
            counts[name] += np.size(x)
            return f(x, out=out)

        return g

    monkeypatch.setattr(activations, "exp", counting("exp", activations.exp))
    monkeypatch.setattr(activations, "log", counting("log", activations.log))
    J, grad = nn3.nn_cost_function(params, n, hidden, K, X, y, 1.0)
    assert counts == {"exp": m * (hidden + K), "log": m * K + m}  # log(1-h), then log(h) at Y == 1
    nn3.predict(Theta1, Theta2, X)
    nn3.sigmoid_gradient(X)
    assert counts["exp"] == 2 * m * (hidden + K) + X.size
    # And perturbing the one place moves nn3's results, by about an ulp of exp/log.
    perturb.install(monkeypatch.setattr, 1)
    z = _values(100_000) / 20
    plain = 1.0 / (1.0 + np.exp(-z))
    assert (nn3.sigmoid(z) != plain).mean() > 0.03
    J_moved, grad_moved = nn3.nn_cost_function(params, n, hidden, K, X, y, 1.0)
    assert (J_moved, grad_moved.tolist()) != (J, grad.tolist())
    J_ref = matlab_cost_grad(X, y, Theta1, Theta2, 1.0)[0]
    assert J_moved == pytest.approx(J_ref, rel=1e-14)


def test_the_switch_does_what_the_environment_says():
    ulps = int(os.environ.get("NN3_PERTURB_ULPS", "0") or 0)
    if ulps:
        assert f"+-{ulps} ulp" in activations.exp.perturbation
        assert f"+-{ulps} ulp" in activations.log.perturbation
        z = _values(100_000) / 20
        assert (nn3.sigmoid(z) != 1.0 / (1.0 + np.exp(-z))).mean() > 0.03
    else:
        assert not hasattr(activations.exp, "perturbation")
        assert not hasattr(activations.log, "perturbation")
        z = _values(100_000) / 20
        assert np.array_equal(nn3.sigmoid(z), 1.0 / (1.0 + np.exp(-z)))
