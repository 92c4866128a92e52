"""Say when a network learned nothing: accuracy at the majority rate, a flat cost, an Inf cost.

A network that predicts the most common label for every example reaches the majority-class
rate without having learned anything (ex6data2 at the defaults: 56.08% training accuracy, the
majority class 55.6%). These checks turn that, a cost that stopped moving, and a cost that
never became finite (weights or features so large that the outputs saturate), into warning
messages. The library never prints: each check returns the message (or None) and the CLI
prints it on stderr. A message names the settings to change as parameters (a
:class:`~nn3.errors.NamedText`: ``maxiter`` in Python, ``--maxiter`` on the command line), and
suggests feature scaling only where it is possible and not done already.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import NamedText

#: Accuracy at most this many percentage points above the majority-class rate is "nothing".
MAJORITY_MARGIN = 1.0

#: The share of the last iterations over which the cost must move.
STALL_FRACTION = 0.1

#: Relative change of the cost below which it "has not moved" (see :func:`stalled_cost_warning`).
STALL_RTOL = 1e-6


def majority_rate(y) -> float:
    """The training accuracy of always predicting the most common label, in percent.

    ``100 * max(histc(y, unique(y))) / numel(y)`` in MATLAB terms: the count of the most
    frequent label over the number of labels.

    Parameters
    ----------
    y : array_like of shape (m,) or (m, 1)
        Labels (any values that compare equal), m >= 1.

    Returns
    -------
    float
        In (0, 100], the same unit as ``TrainResult.train_accuracy``.

    Raises
    ------
    ValueError
        ``y`` is empty (a programming error: training refuses zero examples first).
    """
    values = np.asarray(y).reshape(-1)
    if values.size == 0:
        raise ValueError("majority_rate needs at least one label")
    _, counts = np.unique(values, return_counts=True)
    return float(counts.max() * 100.0 / values.size)


def learned_nothing_warning(
    train_accuracy: float,
    majority: float,
    maxiter: int | None = None,
    hidden_layer_size: int | None = None,
    normalized: bool = False,
    margin: float = MAJORITY_MARGIN,
    *,
    scaling_possible: bool = True,
) -> NamedText | None:
    """A warning when the training accuracy is no better than predicting the majority class.

    Fires when ``train_accuracy <= majority + margin``: within ``margin`` points of the
    majority-class rate, or below it (worse than always answering the most common label is
    no better). Silent when every label is the same class (``majority == 100``).

    Parameters
    ----------
    train_accuracy : float
        Percent, as ``TrainResult.train_accuracy``.
    majority : float
        Percent, from :func:`majority_rate`.
    maxiter, hidden_layer_size : int, optional
        The settings used, quoted in the remedies (``maxiter, now 50``).
    normalized : bool
        Whether the features were scaled (then scaling is not suggested).
    margin : float, default :data:`MAJORITY_MARGIN`
    scaling_possible : bool, default True
        Whether the run could scale its features (the block engines cannot: then scaling is not
        suggested either).

    Returns
    -------
    NamedText or None
        One line, naming both rates and the remedies.
    """
    if majority >= 100.0 or train_accuracy > majority + margin:
        return None
    where = f"within {margin:g} point of" if train_accuracy >= majority - margin else "below"
    remedies = _remedies(maxiter, hidden_layer_size, normalized or not scaling_possible)
    return NamedText(
        f"training accuracy {train_accuracy:.2f}% is {where} the majority-class rate "
        f"{majority:.2f}% (always predicting the most common label): the network has likely "
        f"learned nothing; try {remedies}",
        _NAMED,
    )


def stalled_cost_warning(
    cost_history,
    maxiter: int | None = None,
    hidden_layer_size: int | None = None,
    normalized: bool = False,
    fraction: float = STALL_FRACTION,
    rtol: float = STALL_RTOL,
    *,
    scaling_possible: bool = True,
) -> NamedText | None:
    """A warning when the cost has not moved over the last 10% of the iterations.

    With ``n = len(cost_history)`` iterations and ``k = ceil(fraction * n)`` (at least 1), the
    cost "has not moved" when::

        |J(n) - J(n - k)| <= rtol * |J(n - k)|

    (1-based, ``J(n - k)`` the cost k iterations before the last). The default ``rtol = 1e-6``
    is the resolution of fmincg's own progress line, ``Cost: %4.6e`` (7 significant digits):
    below it, the cost the user watches shows the same digits for the whole last 10% of the
    run. The window is compared end to end, not step by step, so slow but steady progress
    (1e-7 per iteration over 100 iterations) does not count as stalled. fmincg's cost history
    only decreases, so the absolute value is only a guard for other optimisers' histories.

    A flat cost is also what convergence looks like; combine with the accuracy (the CLI shows
    the warning whatever the accuracy, with the remedies that can change the outcome: more
    iterations do not help a cost that has stopped moving).

    Parameters
    ----------
    cost_history : array_like of shape (n,)
        fmincg's ``fX``, one cost per iteration (``optimize_result.fun_history``).
    maxiter, hidden_layer_size, normalized, scaling_possible
        As for :func:`learned_nothing_warning`.
    fraction : float, default :data:`STALL_FRACTION`
    rtol : float, default :data:`STALL_RTOL`

    Returns
    -------
    NamedText or None
        None also with fewer than 2 iterations (nothing to compare).
    """
    J = np.asarray(cost_history, dtype=np.float64).reshape(-1)
    n = J.size
    if n < 2:
        return None
    k = min(max(1, math.ceil(fraction * n)), n - 1)
    before, last = float(J[n - 1 - k]), float(J[n - 1])
    if not (math.isfinite(before) and math.isfinite(last)):
        return None
    if abs(last - before) > rtol * abs(before):
        return None
    remedies = _remedies(None, hidden_layer_size, normalized or not scaling_possible)
    return NamedText(
        f"the cost has not moved in the last {k} of {n} iterations ({before:.6e} -> "
        f"{last:.6e}, relative change below {rtol:g}): training has converged or stalled, and "
        "more iterations will not change the result; if the accuracy is not what you expect, "
        f"try {remedies}",
        _NAMED,
    )


def infinite_cost_warning(
    cost, normalized: bool = False, *, scaling_possible: bool = True
) -> NamedText | None:
    """A warning when the cost of the trained weights is still ``Inf``.

    The cross-entropy is ``Inf`` when an output unit is exactly 1 where the label says 0 (or
    exactly 0 where it says 1): ``log(0)`` in the cost. In float64 the sigmoid rounds to 1 for
    ``z`` above about 36.7, so weights or features large enough to saturate the output units do
    it; the regularisation term overflows too, from weights of about ``1.3e154`` (the square
    root of the largest double). fmincg, like the other optimisers, never moves to a cost higher
    than the current one, so a run whose final cost is ``Inf`` started at ``Inf`` and never
    found a finite cost: nothing was learned, and more iterations or hidden units will not help.
    (A NaN cost is a failure instead, fmincg's status 3.)

    Parameters
    ----------
    cost : float or None
        The final cost (``optimize_result.fun``); None: unknown, no warning.
    normalized, scaling_possible : bool
        As for :func:`learned_nothing_warning`: feature scaling is suggested only when possible
        and not done already.

    Returns
    -------
    NamedText or None
        One line, naming the settings that give smaller starting weights.
    """
    if cost is None or not math.isinf(cost):
        return None
    scaling = (
        "" if normalized or not scaling_possible else " or scale the features ({normalize=True})"
    )
    return NamedText(
        "the cost is Inf at the weights reached: it was Inf at the starting weights and training "
        "found no weights with a finite cost (outputs exactly 0 or 1 against their labels give "
        "log(0), from weights or features too large); start from smaller weights "
        f"({{epsilon_init}}, {{init}}){scaling}",
        {"epsilon_init": None, "init": None, "normalize": True},
    )


def training_warnings(
    y,
    train_accuracy: float,
    cost_history,
    maxiter: int | None = None,
    hidden_layer_size: int | None = None,
    normalized: bool = False,
) -> tuple[float, list[NamedText]]:
    """Both checks at once, for ``nn3 train``: the majority rate and the warnings to print.

    Parameters
    ----------
    y : array_like of shape (m,)
        The training labels.
    train_accuracy : float
        Percent.
    cost_history : array_like of shape (n,)
    maxiter, hidden_layer_size, normalized
        As for :func:`learned_nothing_warning`.

    Returns
    -------
    majority : float
        :func:`majority_rate` (for the weights file's ``majority_rate``).
    warnings : list of NamedText
        Zero, one or two lines.
    """
    majority = majority_rate(y)
    found = [
        learned_nothing_warning(train_accuracy, majority, maxiter, hidden_layer_size, normalized),
        stalled_cost_warning(cost_history, maxiter, hidden_layer_size, normalized),
    ]
    return majority, [w for w in found if w is not None]


def diagnose(y, result, normalized: bool = False, scaling_possible: bool = True):
    """What a finished run says about itself: the majority-class rate and the warnings.

    The stalled-cost check runs only when fmincg used up its iterations (status 1 or 2): an
    interrupted run stops early for another reason, and a run that fmincg ended itself (status
    0, "line search failed twice": no further decrease) has a flat end by definition, converged
    (the disc set reaches 83.78% at maxiter 1000 and stops at iteration 752); a useless network
    there is what the majority-rate check reports.

    Parameters
    ----------
    y : array_like of shape (m,)
        The training labels.
    result : nn3.TrainResult
        ``train_accuracy``, ``optimize_result``, ``interrupted``, and ``settings`` (its
        ``maxiter`` and ``hidden_layer_size`` are quoted in the remedies).
    normalized, scaling_possible : bool
        As for :func:`learned_nothing_warning`.

    Returns
    -------
    majority : float
    warnings : list of NamedText
    """
    maxiter = result.settings.get("maxiter")
    hidden = result.settings.get("hidden_layer_size")
    majority = majority_rate(y)
    res = result.optimize_result
    infinite = infinite_cost_warning(
        getattr(res, "fun", None), normalized, scaling_possible=scaling_possible
    )
    if infinite is not None:  # the other checks' remedies (more iterations) would mislead
        return majority, [infinite]
    found = [
        learned_nothing_warning(
            result.train_accuracy, majority, maxiter, hidden, normalized,
            scaling_possible=scaling_possible,
        )
    ]  # fmt: skip
    if not result.interrupted and getattr(res, "status", None) in (1, 2):
        found.append(
            stalled_cost_warning(
                getattr(res, "fun_history", []), maxiter, hidden, normalized,
                scaling_possible=scaling_possible,
            )
        )  # fmt: skip
    return majority, [w for w in found if w is not None]


#: The settings the remedies name (placeholders of a NamedText).
_NAMED = {"maxiter": None, "normalize": True, "hidden_layer_size": None}


def _remedies(maxiter: int | None, hidden_layer_size: int | None, no_scaling: bool) -> str:
    """The remedies, naming the settings as placeholders (``{maxiter}``)."""
    options = []
    if maxiter is not None:
        options.append(f"more iterations ({{maxiter}}, now {maxiter})")
    if not no_scaling:
        options.append("feature scaling ({normalize=True})")
    hidden = (
        f" ({{hidden_layer_size}}, now {hidden_layer_size})"
        if hidden_layer_size is not None
        else ""
    )
    options.append(f"more hidden units{hidden}")
    return ", ".join(options[:-1]) + (" or " if len(options) > 1 else "") + options[-1]
