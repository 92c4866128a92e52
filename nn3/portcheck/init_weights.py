"""randInitializeWeights is random: it is judged by what its weights are, on all sizes at once.

The driver seeds Octave's generator before each call (so a check gives the same verdict every
time), and the three calls (``L_in, L_out`` = 3, 5; 400, 25; 25, 10) are classified together:

- the wrong size, or transposed;
- NaN or Inf;
- all zero (the function not written: the template's ``W = zeros(L_out, 1 + L_in)``), or all
  equal (symmetry not broken);
- all ``>= 0`` (``rand`` without ``* 2 * epsilon_init - epsilon_init``; ``[0, 1)`` is a bare
  ``rand(L_out, 1 + L_in)``);
- not spread uniformly and symmetrically over ``[-epsilon, epsilon]`` (``randn``, an off-centre
  range);
- otherwise the range ``[-epsilon, epsilon]``, and which epsilon: the course's fixed 0.12, the
  handout's rule ``sqrt(6) / sqrt(L_in + L_out)``, the source document's 1 (``rand * 2 - 1``),
  another fixed value, or one that changes with the sizes.

It agrees when the weights are uniform on ``[-epsilon, epsilon]`` with ``0.001 <= epsilon <=``
twice the handout's value for the layer (0.238 for ex4's 400-25 layer): the course's 0.12 and
the handout's rule agree, and so do nearby choices such as 0.1; the source document's epsilon 1
does not (on a 400-input layer it saturates the sigmoids).

How epsilon is read from ``n`` weights: the largest ``|W|`` of ``n`` draws from
``U(-e, e)`` lies in ``[e q, e]`` with ``q = 1e-9 ** (1 / n)`` except with probability 1e-9, so a
candidate ``e`` is consistent with a call when its largest ``|W|`` lies in that interval.
"""

import math

import numpy as np

from . import nn3_side
from .cases import EPSILON_INIT
from .verdicts import AGREES, Row, _numeric, _size

#: Smallest epsilon that agrees (smaller barely breaks symmetry).
SMALLEST_EPSILON = 1e-3

#: Largest epsilon that agrees, as a multiple of the handout's rule for the layer.
LARGEST_RULE_MULTIPLE = 2.0

#: The probability of a false verdict allowed when reading epsilon from the largest |W|.
_MISS = 1e-9


def handout_epsilon(L_in, L_out):
    """The course handout's ``epsilon_init = sqrt(6) / sqrt(L_in + L_out)``."""
    return math.sqrt(6) / math.sqrt(L_in + L_out)


def _consistent(top, n, eps):
    """Whether a largest |W| of ``top`` over ``n`` uniform draws fits epsilon ``eps``."""
    q = _MISS ** (1.0 / n)
    return eps * q <= top <= eps * (1 + 1e-12)


def _classify(good):
    """The verdict on the right-sized, finite weights: ``(ok, text)``."""
    Ws = [W for _call, W in good]
    sizes = [nn3_side.init_size(call) for call, _W in good]
    if all(np.all(W == 0) for W in Ws):
        return False, (
            "every weight is 0: W is not initialised (the template's W = zeros(L_out, 1 + L_in)); "
            "use rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init"
        )
    if all(np.ptp(W) == 0 for W in Ws):
        return False, (
            f"every weight is the same ({Ws[0].flat[0]:.4g}): symmetry is not broken; use "
            "rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init"
        )
    tops = [float(np.max(np.abs(W))) for W in Ws]
    if all(np.all(W >= 0) for W in Ws):
        top = max(tops)
        what = (
            "a bare rand(L_out, 1 + L_in)"
            if 0.5 < top <= 1
            else f"rand(...) * {top:.2g}"
            if top > 0
            else "zeros"
        )
        return False, (
            f"every weight is >= 0, in [0, {top:.4g}] ({what}?): the shift is missing; use "
            "rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init for [-epsilon, epsilon]"
        )
    if all(np.all(W <= 0) for W in Ws):
        return False, "every weight is <= 0: the range must be [-epsilon, epsilon]"
    big = max(Ws, key=lambda W: W.size)
    if big.size >= 200:
        top = float(np.max(np.abs(big)))
        inner = float(np.mean(np.abs(big) < top / 2))  # 0.5 for a uniform range
        positive = float(np.mean(big > 0))
        if not 0.4 <= inner <= 0.6:
            return False, (
                "the weights are not spread evenly over [-epsilon, epsilon] (randn? the course "
                "uses rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init)"
            )
        if not 0.4 <= positive <= 0.6:
            return False, (
                f"the weights are not centred on 0 ({positive:.0%} positive): use "
                "rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init"
            )
    ns = [W.size for W in Ws]
    rule = [handout_epsilon(*s) for s in sizes]

    def fits(eps_list):
        return all(_consistent(t, n, e) for t, n, e in zip(tops, ns, eps_list, strict=True))

    shown = ", ".join(f"{t:.3g}" for t in tops)
    if fits([EPSILON_INIT] * len(Ws)):
        name = f"epsilon {EPSILON_INIT:g}, the course's"
    elif fits(rule):
        name = (
            "epsilon sqrt(6) / sqrt(L_in + L_out), the handout's rule ("
            + ", ".join(f"{e:.3g}" for e in rule)
            + f" for these sizes; nn3 train uses a fixed {EPSILON_INIT:g}, --epsilon)"
        )
    elif fits([1.0] * len(Ws)):
        name = "epsilon 1, the source document's rand(...) * 2 - 1 range"
    elif fits([max(tops)] * len(Ws)):
        name = f"a fixed epsilon of about {max(tops):.3g} (nn3 train --epsilon {max(tops):.2g})"
    else:
        name = f"an epsilon that changes with the sizes (largest |W| {shown})"
    too_big = [
        (s, t, r)
        for s, t, r in zip(sizes, tops, rule, strict=True)
        if t > LARGEST_RULE_MULTIPLE * r
    ]
    if too_big:
        (L_in, L_out), t, r = too_big[0]
        return False, (
            f"{name}: max |W| {t:.3g} for L_in {L_in}, L_out {L_out} is more than twice the "
            f"handout's sqrt(6) / sqrt(L_in + L_out) = {r:.3g}, which saturates the sigmoids; "
            f"use rand(L_out, 1 + L_in) * 2 * {EPSILON_INIT:g} - {EPSILON_INIT:g}"
        )
    if max(tops) < SMALLEST_EPSILON:
        return False, (
            f"the weights span only +-{max(tops):.2g}: symmetry is barely broken; the course "
            f"uses epsilon {EPSILON_INIT:g}"
        )
    return True, f"uniform on [-epsilon, epsilon] with {name}"


def rows(calls, results):
    """The rows of randInitializeWeights' calls, classified together.

    Parameters
    ----------
    calls, results : list
        The function's calls and their results (status ``"ok"`` only; others are rows of their
        own, made by :func:`verdicts.evaluate`).

    Returns
    -------
    rows : list of Row
        In the order of ``calls``.
    """
    out, good = [], []
    for call, result in zip(calls, results, strict=True):
        L_in, L_out = nn3_side.init_size(call)
        want = (L_out, 1 + L_in)
        W = _numeric(result.outputs.get("W"))
        row = Row(call.function, call.case, "-", AGREES, case_id=call.case_id)
        out.append(row)
        if W is None or W.shape != want:
            got = "nothing" if W is None else f"size {_size(W.shape)}"
            hint = " (transposed)" if W is not None and W.shape == want[::-1] else ""
            row.kind, row.detail = "wrong_size", f"W: {got}, expected {_size(want)}{hint}"
            continue
        if not np.all(np.isfinite(W)):
            row.kind, row.detail = "differs", "W holds NaN or Inf"
            continue
        row.difference = f"max |W| {float(np.max(np.abs(W))):.4g}"
        good.append((call, W, row))
    if good:
        ok, text = _classify([(c, W) for c, W, _r in good])
        for _c, _W, row in good:
            row.kind = AGREES if ok else "differs"
            row.detail = text
    return out
