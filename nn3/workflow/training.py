"""The training loop every engine shares, and :func:`train`: fmincg (or L-BFGS) on the network.

:func:`run_optimizer` minimises an objective from starting weights, keeping the best point for
an interrupt; :func:`train_arrays` runs it on data already checked, with settings already
checked (what :func:`nn3.fit` runs); :func:`train` is the public entry for arrays, which checks
both first. The block training (:mod:`nn3.workflow.blocks`) runs the same loop with an engine's
objective. The library never prints (except fmincg's ``disp``) and never exits; progress reaches
the caller through ``callback``, interruption through ``stop_event``.
"""

import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..core.network import accuracy, memory_objective, predict, roll, unroll
from ..core.optimize import OptimizeResult, fmincg
from ..settings import TrainingSettings
from ..validation import as_real_array, check_empty_classes
from .data import check_single_precision, infer_num_labels, validate_data
from .starting_weights import check_network_size, random_weights


@dataclass
class TrainResult:
    """What :func:`train` returns."""

    Theta1: np.ndarray
    Theta2: np.ndarray
    initial_params: np.ndarray
    optimize_result: object
    train_accuracy: float
    interrupted: bool = False
    settings: dict = field(default_factory=dict)

    @property
    def nn_params(self):
        return unroll(self.Theta1, self.Theta2)


class _Interrupted(Exception):
    pass


def run_optimizer(
    optimizer, objective, initial_params, maxiter, callback=None, stop_event=None, progress=None
):
    """Minimise ``objective`` from ``initial_params``, keeping the best point for an interrupt.

    The loop every training path shares (in memory and with an engine): after each evaluation
    ``progress()`` is called (when given) and ``stop_event`` is looked at; when it is set,
    training stops there and the best point evaluated so far is the result.

    Parameters
    ----------
    optimizer : callable
        :func:`nn3.fmincg` or :func:`nn3.core.lbfgs.lbfgs` (same signature and result).
    objective : callable ``objective(x) -> (f, grad)``
    initial_params : ndarray of shape (n_params,)
    maxiter : int
    callback : callable, optional
        ``callback(intermediate_result)`` after each iteration.
    stop_event : threading.Event, optional
    progress : callable, optional
        ``progress()`` after each evaluation.

    Returns
    -------
    res : OptimizeResult
        The optimizer's; on interruption one with ``status`` 130 and the history so far.
    params : ndarray of shape (n_params,)
        ``res.x``, or the best point evaluated when interrupted.
    interrupted : bool
    """
    stop_event = stop_event or threading.Event()
    best = {"f": np.inf, "x": initial_params, "nfev": 0}

    def watched(x):
        f, g = objective(x)
        best["nfev"] += 1
        if f < best["f"]:
            best["f"], best["x"] = f, x.copy()
        if progress is not None:
            progress()
        if stop_event.is_set():
            raise _Interrupted
        return f, g

    history = []

    def on_iteration(intermediate_result):
        history.append(intermediate_result.fun)
        if callback is not None:
            callback(intermediate_result)

    try:
        res = optimizer(watched, initial_params, maxiter=maxiter, callback=on_iteration)
        return res, res.x, False
    except _Interrupted:
        res = OptimizeResult(
            x=best["x"],
            fun=float(best["f"]),
            fun_history=np.array(history),
            nit=len(history),
            nfev=best["nfev"],
            success=False,
            status=130,
            message="Interrupted.",
        )
        return res, best["x"], True


def optimizer_for(method: str) -> Callable[..., OptimizeResult]:
    """The optimizer function of a ``method`` name (checked by the settings)."""
    if method == "lbfgs":
        from ..core.lbfgs import lbfgs

        return lbfgs
    return fmincg


def initial_params_for(
    settings: TrainingSettings,
    n: int,
    K: int,
    initial_params: npt.ArrayLike | None = None,
    hidden: int | None = None,
) -> np.ndarray:
    """The unrolled starting weights: ``initial_params`` (size checked) or random ones.

    Random weights are ex4.m's: after ``rng(seed)`` (MATLAB's, or Octave's with
    ``settings.rng``), ``randInitializeWeights`` for Theta1, then for Theta2, from the same
    stream (:func:`nn3.workflow.starting_weights.random_weights`).

    ``hidden`` defaults to ``settings.hidden``.

    Returns
    -------
    initial_params : ndarray of shape (hidden * (n + 1) + K * (hidden + 1),)
    """
    hidden = settings.hidden if hidden is None else hidden
    if initial_params is None:
        start = random_weights(n, hidden, K, settings.epsilon_init, settings.seed, settings.rng)
        return unroll(start.Theta1, start.Theta2)
    params = as_real_array(initial_params, "initial_params").reshape(-1)
    roll(params, n, hidden, K)  # checks the size
    return params


def recorded_settings(settings: TrainingSettings, n: int, hidden: int, K: int) -> dict:
    """The settings a weights file records (``lambda``, not ``lambda_``: MATLAB's name)."""
    return {
        "input_layer_size": n,
        "hidden_layer_size": hidden,
        "num_labels": K,
        "lambda": float(settings.lambda_),
        "maxiter": int(settings.maxiter),
        "seed": int(settings.seed),
        "epsilon_init": float(settings.epsilon_init),
        "method": settings.method,
        "precision": settings.precision,
    }


def train_objective(
    objective: Callable[[np.ndarray], tuple[float, np.ndarray]],
    settings: TrainingSettings,
    n: int,
    hidden: int,
    K: int,
    initial_params: npt.ArrayLike | None = None,
    accuracy_of: Callable[[np.ndarray, np.ndarray], float] | None = None,
    callback: Callable[..., object] | None = None,
    stop_event: threading.Event | None = None,
    progress: Callable[[], object] | None = None,
) -> TrainResult:
    """Train an n-hidden-K network by minimising ``objective``: what every engine shares.

    The starting weights (:func:`initial_params_for`), the optimizer of ``settings.method`` run
    by :func:`run_optimizer` (the best point kept on interruption), the weights rolled, and the
    settings recorded as the weights file has them.

    Parameters
    ----------
    objective : callable ``objective(nn_params) -> (J, grad)``
    settings : TrainingSettings
    n, hidden, K : int
        The layer sizes.
    initial_params : array_like, optional
        Unrolled starting weights; random by ``settings`` when None.
    accuracy_of : callable, optional
        ``accuracy_of(Theta1, Theta2)``: the training accuracy in percent; without it
        ``train_accuracy`` is NaN for the caller to fill in.
    callback, stop_event
        As :func:`train`.
    progress : callable, optional
        ``progress()`` after each evaluation.
    """
    params0 = initial_params_for(settings, n, K, initial_params, hidden)
    optimizer = optimizer_for(settings.method)
    res, params, interrupted = run_optimizer(
        optimizer, objective, params0, settings.maxiter, callback, stop_event, progress
    )
    Theta1, Theta2 = (np.array(t) for t in roll(params, n, hidden, K))
    return TrainResult(
        Theta1=Theta1,
        Theta2=Theta2,
        initial_params=params0,
        optimize_result=res,
        train_accuracy=float("nan") if accuracy_of is None else accuracy_of(Theta1, Theta2),
        interrupted=interrupted,
        settings=recorded_settings(settings, n, hidden, K),
    )


def train_arrays(
    X: np.ndarray,
    y: np.ndarray,
    settings: TrainingSettings,
    initial_params: npt.ArrayLike | None = None,
    hidden: int | None = None,
    K: int | None = None,
    callback: Callable[..., object] | None = None,
    stop_event: threading.Event | None = None,
) -> TrainResult:
    """:func:`train` on checked data with checked settings (nothing is checked again).

    Parameters
    ----------
    X : ndarray of shape (m, n), float64, finite
    y : ndarray of shape (m,), float64
        0/1 or 1..K, checked (:func:`nn3.workflow.data.validate_data`).
    settings : TrainingSettings
    initial_params : array_like, optional
        Unrolled starting weights (their size checked); random by ``settings`` when None.
    hidden : int, optional
        Hidden units (the starting weights'); default ``settings.hidden``.
    K : int, optional
        Output units; ``settings.num_labels`` or :func:`~nn3.workflow.data.infer_num_labels`.
    callback, stop_event
        As :func:`train`.

    ``settings`` of the result also records ``threads``, the evaluation threads used.
    """
    n = X.shape[1]
    hidden = settings.hidden if hidden is None else hidden
    if K is None:
        K = infer_num_labels(y) if settings.num_labels is None else settings.num_labels
    objective = memory_objective(
        X, y, n, hidden, K, settings.lambda_, precision=settings.precision, threads=settings.threads
    )
    result = train_objective(
        objective, settings, n, hidden, K, initial_params,
        lambda Theta1, Theta2: accuracy(predict(Theta1, Theta2, X), y), callback, stop_event,
    )  # fmt: skip
    threads = getattr(objective, "threads", None)  # the count used (a stand-in may not say)
    if threads is not None:
        result.settings["threads"] = threads
    return result


#: The positional order of :func:`train`'s settings before they became keyword-only.
_POSITIONAL = (
    "hidden_layer_size",
    "lambda_",
    "maxiter",
    "seed",
    "num_labels",
    "initial_params",
    "epsilon_init",
    "callback",
    "stop_event",
    "method",
    "precision",
)


def train(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    *args: Any,
    hidden_layer_size: int | None = None,
    lambda_: float = 1.0,
    maxiter: int = 50,
    seed: int = 0,
    num_labels: int | None = None,
    epsilon_init: float = 0.12,
    rng: str = "matlab",
    method: str = "fmincg",
    precision: str = "double",
    threads: int | None = None,
    initial_params: npt.ArrayLike | None = None,
    callback: Callable[..., object] | None = None,
    stop_event: threading.Event | None = None,
) -> TrainResult:
    """Train the three-layer network on arrays with fmincg, as ex4.m does (or with L-BFGS).

    Parameters
    ----------
    X : array_like of shape (m, n)
    y : array_like of shape (m,)
        0/1 (binary, one output unit) or labels 1..K.
    hidden_layer_size : int, optional
        Default 25.
    lambda_ : float, default 1.0
    maxiter : int, default 50
        fmincg's MaxIter.
    seed : int, default 0
        ``rng(seed)``: the weights are ``randInitializeWeights`` draws from the same stream
        MATLAB uses (Theta1 first, then Theta2).
    num_labels : int, optional
        Output units; inferred from ``y`` by :func:`~nn3.workflow.data.infer_num_labels` when
        omitted.
    epsilon_init : float, default 0.12
    rng : {"matlab", "octave"}, default "matlab"
        Whose ``rng(seed)`` stream draws the starting weights.
    method : {"fmincg", "lbfgs"}, default "fmincg"
        ``"fmincg"``: the coursework's optimizer, MATLAB's iterates (choose it for parity with
        MATLAB/Octave runs). ``"lbfgs"``: scipy's L-BFGS-B on the same objective
        (:func:`nn3.core.lbfgs.lbfgs`), usually fewer evaluations to the same cost (choose it
        for speed). ``maxiter`` counts its iterations.
    precision : {"double", "single"}, default "double"
        ``"single"``: evaluate in float32 (see :func:`nn3.make_objective`); faster on large
        data, not MATLAB's bits. Accuracy is computed in double either way.
    threads : int, optional
        Threads per evaluation; default: the cores available. The same bits for any number
        (see :func:`nn3.make_objective`).
    initial_params : array_like, optional
        Unrolled starting weights ``[Theta1(:); Theta2(:)]`` instead of random ones.
    callback : callable, optional
        ``callback(intermediate_result)`` after each fmincg iteration (``x``, ``fun``, ``nit``,
        ``nfev``).
    stop_event : threading.Event, optional
        When set (e.g. by a SIGINT handler), training stops after the current function
        evaluation and returns the best parameters evaluated so far, ``interrupted=True``.

    All but ``X`` and ``y`` are keyword-only (given by position they still work, with a
    ``DeprecationWarning``, in their former order: ``hidden_layer_size``, ``lambda_``,
    ``maxiter``, ``seed``, ``num_labels``, ``initial_params``, ``epsilon_init``, ``callback``,
    ``stop_event``, ``method``, ``precision``).

    Returns
    -------
    TrainResult
        ``optimize_result`` is the optimizer's (fmincg's fields for either method). When the
        cost or its gradient became NaN (data or weights far out of scale), its ``status``
        is 3 ("NaN result encountered.") and ``Theta1``/``Theta2`` are the best NaN-free point
        evaluated: not a trained network (``nn3 train`` refuses to save them, exit status 3).

    Raises
    ------
    ParameterError
        A setting of the wrong type or out of range (``hidden_layer_size=2.5``,
        ``maxiter=2.5``, ``seed=-1``), naming it.
    DataError
        X or y unusable (not numeric, NaN, labels neither 0/1 nor 1..K, sizes that differ).
    """
    given: dict[str, Any] = dict(
        hidden_layer_size=hidden_layer_size, lambda_=lambda_, maxiter=maxiter, seed=seed,
        num_labels=num_labels, initial_params=initial_params, epsilon_init=epsilon_init,
        callback=callback, stop_event=stop_event, method=method, precision=precision,
    )  # fmt: skip
    if args:
        given.update(_from_positions(args, given))
    initial_params, callback, stop_event = (
        given.pop(k) for k in ("initial_params", "callback", "stop_event")
    )
    settings = TrainingSettings(**given, rng=rng, threads=threads)
    data, labels = validate_data(X, y, num_labels=settings.num_labels)  # 2/3 of K = 3: fine
    K = infer_num_labels(labels) if settings.num_labels is None else settings.num_labels
    m, n = data.shape
    if settings.num_labels is None:
        check_empty_classes(labels, K)
    check_network_size("<data>", m, n, settings.hidden, K)
    if settings.precision == "single":
        check_single_precision(data)  # before the float32 cast
    return train_arrays(
        data, labels, settings, initial_params, callback=callback, stop_event=stop_event
    )


def _from_positions(args: tuple, given: dict) -> dict:
    """:func:`train`'s settings given by position, by name (with a DeprecationWarning)."""
    if len(args) > len(_POSITIONAL):
        raise TypeError(
            f"train() takes at most {2 + len(_POSITIONAL)} positional arguments "
            f"({2 + len(args)} given)"
        )
    names = _POSITIONAL[: len(args)]
    defaults = train.__kwdefaults__ or {}
    for name in names:
        value, default = given[name], defaults.get(name)
        if value is not default and (not isinstance(value, (int, float, str)) or value != default):
            raise TypeError(f"train() got multiple values for argument {name!r}")
    warnings.warn(
        f"nn3.train: give {', '.join(names)} by keyword ({names[0]}=...); the positional form "
        "is deprecated",
        DeprecationWarning,
        stacklevel=3,
    )
    return dict(zip(names, args, strict=True))
