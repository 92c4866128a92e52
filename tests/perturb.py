"""The perturbation test mode: nn3's exp and log made 1 ulp off at pseudo-random inputs.

numpy's ``exp``/``log`` give different last bits on different CPUs (its SIMD versions on AVX-512
differ from the C library's by 1 ulp on a few percent of inputs). A test that passes only with
this machine's bits would fail on another machine. To find such tests on any machine, run the
suite with nn3's one ``exp`` and one ``log`` (:func:`nn3.core.activations.exp`,
:func:`nn3.core.activations.log`) replaced by versions whose results are moved by +-1 ulp (or up to
+-N ulps) at a pseudo-random tenth of the inputs::

    NN3_PERTURB_ULPS=1 python -m pytest -q

``tests/conftest.py`` installs it when ``NN3_PERTURB_ULPS`` is set to a positive integer
(``NN3_PERTURB_SEED`` changes which inputs are hit; default 0). Whether an input is hit, and in
which direction, is a hash of its bits and the seed, so the perturbed functions are functions of
their input, as a different math library would be: the same input gives the same output in every
call, position in the array and test order. Results a correct math library gives exactly are
left alone: ``exp(0) == 1``, ``log(1) == 0``, zeros, infinities (overflow) and NaN; a step that
would overflow to Inf is not taken. Processes the tests start (the CLI run for real) are not
perturbed. Test machinery only: nothing here ships with nn3.
"""

import numpy as np

#: Fraction of (distinct) inputs whose results are moved.
FRACTION = 0.1

_GOLDEN = 0x9E3779B97F4A7C15


def _mix(bits, seed):
    """splitmix64's finaliser of ``bits + seed * golden``: uniform 64-bit hashes (uint64 arrays)."""
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps around, as intended
        z = bits + np.uint64((seed * _GOLDEN) % 2**64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def perturbed(f, ulps=1, seed=0, exact_at=None):
    """``f`` (``exp`` or ``log`` with numpy's ``(x, out=None)``) with results moved by +-``ulps``.

    Parameters
    ----------
    f : callable
        ``f(x, out=None) -> ndarray``, element-wise on float64.
    ulps : int, default 1
        Largest move; each hit result moves by 1..``ulps`` steps, up or down.
    seed : int, default 0
        Which inputs are hit (about :data:`FRACTION` of them).
    exact_at : float, optional
        The input whose result is exact in any correct library (0 for exp, 1 for log): never
        moved.

    Returns
    -------
    g : callable
        Same signature as ``f``; ``g.perturbation`` describes it.
    """
    threshold = np.uint64(int(FRACTION * 2**32))

    def g(x, out=None):
        x = np.asarray(x, dtype=np.float64)
        bits = (x if x.flags.c_contiguous else x.copy()).view(np.uint64)
        h = _mix(bits, seed)  # before f: out may be x
        hit = (h & np.uint64(0xFFFFFFFF)) < threshold
        if exact_at is not None:
            hit &= x != exact_at
        y = f(x, out=out)
        scalar = not isinstance(y, np.ndarray)  # numpy returns a scalar for 0-d input
        result = np.array(y) if scalar else y
        hit &= np.isfinite(result) & (result != 0)
        if hit.any():
            up = (h[hit] >> np.uint64(63)).astype(bool)
            steps = 1 + (h[hit] >> np.uint64(32)) % np.uint64(ulps)
            before = result[hit]
            moved = before.copy()
            for k in range(1, ulps + 1):
                go = steps >= k
                moved[go] = np.nextafter(moved[go], np.where(up[go], np.inf, -np.inf))
            result[hit] = np.where(np.isfinite(moved), moved, before)  # never overflow to Inf
        return result[()] if scalar else y

    g.perturbation = f"+-{ulps} ulp at {FRACTION:.0%} of inputs, seed {seed}"
    g.__wrapped__ = f
    return g


def install(monkeypatch_setattr, ulps, seed=0):
    """Replace :func:`nn3.core.activations.exp` and ``log`` with perturbed versions.

    Parameters
    ----------
    monkeypatch_setattr : callable
        ``setattr`` or ``pytest.MonkeyPatch().setattr``: ``(obj, name, value)``.
    ulps : int
        Largest move, at least 1.
    seed : int, default 0
    """
    from nn3.core import activations

    exp = perturbed(activations.exp, ulps, seed, exact_at=0.0)
    log = perturbed(activations.log, ulps, seed + 1, exact_at=1.0)
    monkeypatch_setattr(activations, "exp", exp)
    monkeypatch_setattr(activations, "log", log)
    return exp.perturbation
