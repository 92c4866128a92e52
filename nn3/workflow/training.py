"""Training end to end: data from a .mat file, initial weights, fmincg, accuracy.

What ``nn3 train`` runs, usable from Python. The library never prints (except fmincg's ``disp``)
and never exits; progress reaches the caller through ``callback``.
"""

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..core.network import accuracy, make_objective, predict, roll, unroll
from ..core.optimize import OptimizeResult, fmincg
from ..core.rng import MatlabRNG, rand_initialize_weights
from ..errors import DataError, MatFileError, OptionError, ParameterError
from ..mat import densify, describe, format_size, get_variable, load_mat, shown
from ..validation import validate_int, validate_params, validate_real


def _as_matrix(value, path, name):
    if not hasattr(value, "shape") or (isinstance(value, np.ndarray) and value.dtype == object):
        raise DataError(f"{path}: variable '{name}' is {describe(value)}, not a numeric matrix")
    value = densify(value, path, name)  # scipy.sparse, refusing absurd sizes
    if value.dtype.kind == "c":
        raise DataError(f"{path}: variable '{name}' is complex; nn3 needs real data")
    if value.dtype.kind not in "biuf":
        raise DataError(f"{path}: variable '{name}' is {describe(value)}, not a numeric matrix")
    return value


def validate_data(X, y, path="<data>", x_var="X", y_var="y", num_labels=None):
    """Check and convert training data: X a finite real (m, n) matrix, y m labels.

    ``y`` must hold 0/1 labels (one output unit) or labels 1..K (K = ``num_labels`` when
    given). Sparse X is densified (up to ``nn3.matio.MAX_DENSE_ELEMENTS``). Every error names
    ``path`` and the variable.

    Returns
    -------
    X : ndarray of shape (m, n), float64
    y : ndarray of shape (m,), float64
    """
    X = _as_matrix(X, path, x_var)
    if X.ndim != 2:
        raise DataError(
            f"{path}: variable '{x_var}' must be a 2-D matrix, got size {format_size(X.shape)}"
        )
    X = X.astype(np.float64, copy=False)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(
            f"{path}: variable '{x_var}' is empty ({X.shape[0]}x{X.shape[1]}): "
            "no examples to train on"
        )
    if not np.all(np.isfinite(X)):
        bad = int(np.size(X) - np.count_nonzero(np.isfinite(X)))
        raise DataError(f"{path}: variable '{x_var}' holds {bad} NaN or Inf values")
    if y is None:
        return X, None
    y = _as_matrix(y, path, y_var)
    if y.ndim > 2 or (y.ndim == 2 and min(y.shape) > 1):
        raise DataError(
            f"{path}: variable '{y_var}' must be a vector, got size {format_size(y.shape)}"
        )
    y = y.reshape(-1).astype(np.float64)
    if y.size != X.shape[0]:
        transposed = (
            f"; '{x_var}' looks transposed ({x_var}'): its {X.shape[1]} columns match the labels"
            if X.shape[1] == y.size
            else ""
        )
        raise DataError(
            f"{path}: '{x_var}' has {X.shape[0]} rows but '{y_var}' has {y.size} labels"
            + transposed
        )
    if not np.all(np.isfinite(y)):
        raise DataError(f"{path}: variable '{y_var}' holds NaN or Inf; labels must be numbers")
    if not np.all(y == np.round(y)):
        row = int(np.flatnonzero(y != np.round(y))[0])
        raise DataError(
            f"{path}: variable '{y_var}' holds non-integer values (row {row + 1}: {y[row]:g}); "
            "nn3 trains classifiers with sigmoid outputs and needs class labels, so a regression "
            "target (a continuous y) needs another tool"
        )
    check_labels(y, path, y_var, num_labels)
    return X, y


def check_labels(y, path, y_var, num_labels):
    """Labels must be 0/1 (one output unit) or 1..K, as label_hits needs them."""
    lo, hi = (float(y.min()), float(y.max())) if y.size else (1.0, 1.0)
    binary = bool(np.all((y == 0) | (y == 1)))
    if num_labels is None:
        if not binary and lo != 1:  # -1/+1, 0..9, 2/4 (issue 15: 2/4 is no longer K = 4)
            from .labels import classes_hint

            raise DataError(
                f"{path}: variable '{y_var}' holds labels from {lo:g} to {hi:g}; labels must be "
                "0/1 (one output unit) or 1..K (MATLAB's 1-based classes); "
                + classes_hint(np.unique(y))
            )
    elif num_labels == 1:
        if not binary:
            raise DataError(
                f"{path}: variable '{y_var}' holds labels from {lo:g} to {hi:g}; one output unit "
                "(--labels 1) needs 0/1 labels"
            )
    elif lo < 1 or hi > num_labels:
        raise DataError(
            f"{path}: variable '{y_var}' holds labels from {lo:g} to {hi:g}; "
            f"{num_labels} output units need labels 1..{num_labels}"
        )


def load_training_data(
    path: str | os.PathLike[str],
    x_var: str = "X",
    y_var: str = "y",
    require_y: bool = True,
    num_labels: int | None = None,
    y_col: int | None = None,
    classes: str | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """``X`` and ``y`` from a .mat or numeric text file, checked (see :func:`validate_data`).

    ``x_var``/``y_var`` address struct fields as ``"data.X"``. Without ``require_y``, a
    missing ``y_var`` gives ``y = None``. Text labels (and, with ``classes="auto"``, any set
    of whole numbers) come back mapped to 1..K; :func:`load_labelled_data` also returns the
    mapping. ``y_col``: see :func:`read_data`.
    """
    X, y, _ = load_labelled_data(path, x_var, y_var, require_y, num_labels, y_col, classes)
    return X, y


def load_labelled_data(
    path, x_var="X", y_var="y", require_y=True, num_labels=None, y_col=None, classes=None
):
    """:func:`load_training_data`, and how the labels were mapped.

    Returns
    -------
    X : ndarray of shape (m, n), float64
    y : ndarray of shape (m,), float64, or None
        0/1 or 1..K.
    mapping : nn3.workflow.labels.LabelMapping or None
        None when ``y`` is None or was used as given.
    """
    X, y = read_data(path, x_var, y_var, require_y, y_col)
    return check_labelled(X, y, path, x_var, y_var, num_labels, classes)


def check_labelled(X, y, path="<data>", x_var="X", y_var="y", num_labels=None, classes=None):
    """:func:`validate_data` after mapping text labels (or any, ``classes="auto"``) to 1..K.

    Returns
    -------
    X, y, mapping
        As :func:`load_labelled_data`.
    """
    from .labels import encode_labels, is_text_like

    mapping = None
    if isinstance(y, (list, tuple)) and any(isinstance(v, str) for v in y):
        y = np.array(list(y), dtype=object)  # a Python list of names, from nn3.fit(X, labels)
    if y is not None and (classes is not None or is_text_like(y)):
        mapping = encode_labels(y, classes=classes, num_labels=num_labels, path=path, y_var=y_var)
        y = mapping.y
        if mapping.classes is None:
            mapping = None
        else:
            num_labels = num_labels or mapping.num_labels
    X, y = validate_data(X, y, path, x_var, y_var, num_labels=num_labels)
    return X, y, mapping


def read_data(path, x_var="X", y_var="y", require_y=True, y_col=None, n_features=None):
    """``X`` and ``y`` as the file holds them (unchecked): a .mat file or a numeric text file.

    A text file (``.txt``/``.csv``/``.dat``, see :mod:`nn3.mat.text`) holds one matrix: its
    last column is ``y`` and the others ``X``, as the coursework splits it; ``y_col`` (1-based)
    names another label column. Without ``require_y``, a text file with exactly
    ``n_features`` columns is all ``X`` (``y = None``).

    Raises
    ------
    OptionError
        ``x_var``/``y_var`` other than X/y for a text file, or ``y_col`` for a .mat file.
    """
    from ..mat.text import is_text_data_file, read_numeric_text, split_xy

    if is_text_data_file(path):
        if (x_var, y_var) != ("X", "y"):
            raise OptionError(
                f"{path}: a text file holds one matrix; --x-var/--y-var name .mat variables; "
                "use --y-col N to choose the label column"
            )
        data = read_numeric_text(path)
        if not require_y and y_col is None and data.shape[1] == n_features:
            return data, None
        X, y = split_xy(data, y_col, path)
        return X, y
    if y_col is not None:
        raise OptionError(f"{path}: --y-col applies to text files; for .mat files use --y-var")
    # Only the variables named (their top-level names): the rest of the file is not read.
    variables = load_mat(path, variables=[x_var.split(".")[0], y_var.split(".")[0]])
    X = get_variable(variables, x_var, path)
    try:
        y = get_variable(variables, y_var, path)
    except MatFileError:
        if require_y:
            raise
        y = None
    return X, y


def infer_num_labels(y):
    """1 (a binary output unit) when y is all 0/1, else K = max(y) for labels 1..K."""
    values = np.unique(y)
    if values.size and np.all((values == 0) | (values == 1)):
        return 1
    return int(values.max())


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


def check_settings(
    hidden_layer_size=None,
    lambda_=None,
    maxiter=None,
    num_labels=None,
    epsilon_init=None,
    seed=None,
):
    """Refuse training settings that make no sense, naming the first bad one.

    A thin front of :func:`nn3.validation.validate_params` for :func:`train`'s settings (the
    table of types and ranges is :data:`nn3.validation.SETTINGS`).

    Parameters
    ----------
    hidden_layer_size, lambda_, maxiter, num_labels, epsilon_init, seed : optional
        As :func:`train` takes them; ``None`` is not checked.

    Returns
    -------
    settings : dict
        The given settings, converted (whole numbers as ``int``, the others ``float``).

    Raises
    ------
    ParameterError
        E.g. ``hidden_layer_size must be at least 1, got 0``; ``.parameter`` names it (the
        command line shows its option name instead, ``--hidden``).
    """
    return validate_params(
        hidden_layer_size=hidden_layer_size,
        lambda_=lambda_,
        maxiter=maxiter,
        num_labels=num_labels,
        epsilon_init=epsilon_init,
        seed=seed,
    )


class _Interrupted(Exception):
    pass


def starting_params(
    initial_params: npt.ArrayLike | None,
    n: int,
    hidden_layer_size: int,
    K: int,
    epsilon_init: float,
    seed: int,
) -> np.ndarray:
    """The unrolled starting weights: ``initial_params`` (size checked) or MATLAB's random ones.

    Random weights are ex4.m's: after ``rng(seed)``, ``randInitializeWeights`` for Theta1, then
    for Theta2, from the same stream.

    Returns
    -------
    initial_params : ndarray of shape (hidden_layer_size * (n + 1) + K * (hidden_layer_size + 1),)
    """
    if initial_params is None:
        rng = MatlabRNG(seed)
        Theta1 = rand_initialize_weights(n, hidden_layer_size, epsilon_init, rng)
        Theta2 = rand_initialize_weights(hidden_layer_size, K, epsilon_init, rng)
        return unroll(Theta1, Theta2)
    initial_params = np.asarray(initial_params, dtype=np.float64).reshape(-1)
    roll(initial_params, n, hidden_layer_size, K)  # checks the size
    return initial_params


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


#: ``method=`` names of :func:`train`.
METHODS = ("fmincg", "lbfgs")


def _optimizer(method):
    """The optimizer function of a ``method`` name (ParameterError naming ``method``)."""
    if method == "fmincg":
        return fmincg
    if method == "lbfgs":
        from ..core.lbfgs import lbfgs

        return lbfgs
    raise ParameterError("method", "must be 'fmincg' or 'lbfgs'", method)


def train(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    hidden_layer_size: int = 25,
    lambda_: float = 1.0,
    maxiter: int = 50,
    seed: int = 0,
    num_labels: int | None = None,
    initial_params: npt.ArrayLike | None = None,
    epsilon_init: float = 0.12,
    callback: Callable[..., object] | None = None,
    stop_event: threading.Event | None = None,
    method: str = "fmincg",
    precision: str = "double",
) -> TrainResult:
    """Train the three-layer network with fmincg, as ex4.m does (or with L-BFGS).

    Parameters
    ----------
    X : ndarray of shape (m, n)
    y : ndarray of shape (m,)
        0/1 (binary, one output unit) or labels 1..K.
    hidden_layer_size : int, default 25
    lambda_ : float, default 1.0
    maxiter : int, default 50
        fmincg's MaxIter.
    seed : int, default 0
        MATLAB ``rng(seed)``: the weights are ``randInitializeWeights`` draws from the same
        stream MATLAB uses (Theta1 first, then Theta2).
    num_labels : int, optional
        Output units; inferred from ``y`` by :func:`infer_num_labels` when omitted.
    initial_params : ndarray, optional
        Unrolled starting weights ``[Theta1(:); Theta2(:)]`` instead of random ones.
    epsilon_init : float, default 0.12
    callback : callable, optional
        ``callback(intermediate_result)`` after each fmincg iteration (``x``, ``fun``, ``nit``,
        ``nfev``).
    stop_event : threading.Event, optional
        When set (e.g. by a SIGINT handler), training stops after the current function
        evaluation and returns the best parameters evaluated so far, ``interrupted=True``.
    method : {"fmincg", "lbfgs"}, default "fmincg"
        ``"fmincg"``: the coursework's optimizer, MATLAB's iterates (choose it for parity with
        MATLAB/Octave runs). ``"lbfgs"``: scipy's L-BFGS-B on the same objective
        (:func:`nn3.core.lbfgs.lbfgs`), usually fewer evaluations to the same cost (choose it
        for speed). ``maxiter`` counts its iterations.
    precision : {"double", "single"}, default "double"
        ``"single"``: evaluate in float32 (see :func:`nn3.core.network.make_objective`);
        faster on large data, not MATLAB's bits. Accuracy is computed in double either way.

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
    """
    settings = check_settings(
        hidden_layer_size=hidden_layer_size,
        lambda_=lambda_,
        maxiter=maxiter,
        num_labels=num_labels,
        epsilon_init=epsilon_init,
        seed=seed,
    )
    data: np.ndarray  # X checked: a finite float64 (m, n) matrix
    data, y = validate_data(X, y, num_labels=settings.get("num_labels"))  # 2/3 of K = 3: fine
    hidden_layer_size, lambda_, maxiter = (
        settings[k] for k in ("hidden_layer_size", "lambda_", "maxiter")
    )
    epsilon_init, seed = settings["epsilon_init"], settings["seed"]
    n = data.shape[1]
    K = infer_num_labels(y) if num_labels is None else settings["num_labels"]
    initial_params = starting_params(initial_params, n, hidden_layer_size, K, epsilon_init, seed)
    optimizer = _optimizer(method)
    objective = make_objective(  # checks y against K
        data, y, n, hidden_layer_size, K, lambda_, precision=precision
    )
    res, params, interrupted = run_optimizer(
        optimizer, objective, initial_params, maxiter, callback, stop_event
    )
    Theta1, Theta2 = roll(params, n, hidden_layer_size, K)
    acc = accuracy(predict(Theta1, Theta2, data), y)
    settings = {
        "input_layer_size": n,
        "hidden_layer_size": hidden_layer_size,
        "num_labels": K,
        "lambda": float(lambda_),
        "maxiter": int(maxiter),
        "seed": int(seed),
        "epsilon_init": float(epsilon_init),
        "method": method,
        "precision": precision,
    }
    return TrainResult(
        Theta1=np.array(Theta1),
        Theta2=np.array(Theta2),
        initial_params=initial_params,
        optimize_result=res,
        train_accuracy=acc,
        interrupted=interrupted,
        settings=settings,
    )


def load_weights(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """``Theta1`` and ``Theta2`` from a .mat file (as written by ``nn3 train`` or MATLAB).

    Accepts ``Theta1``/``Theta2`` directly, or an unrolled ``nn_params`` (or
    ``initial_params``) together with ``input_layer_size``, ``hidden_layer_size`` and
    ``num_labels``. See :func:`weights_from_variables`.
    """
    return weights_from_variables(load_mat(path, variables=WEIGHT_VARIABLES), path)


#: The variables :func:`load_weights` reads (a weights file's other variables are not read).
WEIGHT_VARIABLES = (
    "Theta1",
    "Theta2",
    "nn_params",
    "initial_params",
    "input_layer_size",
    "hidden_layer_size",
    "num_labels",
)


def weights_from_variables(variables, path="<data>"):
    """``Theta1`` and ``Theta2`` from a loaded .mat file's variables (see :func:`load_weights`).

    Parameters
    ----------
    variables : dict
        As :func:`nn3.load_mat` returns it.
    path : str
        The file, for error messages.

    Returns
    -------
    Theta1 : ndarray of shape (hidden, n + 1), float64
    Theta2 : ndarray of shape (K, hidden + 1), float64
        Finite, with matching sizes.
    """
    if "Theta1" in variables or "Theta2" in variables:
        Theta1 = _as_matrix(get_variable(variables, "Theta1", path), path, "Theta1")
        Theta2 = _as_matrix(get_variable(variables, "Theta2", path), path, "Theta2")
        Theta1 = Theta1.astype(np.float64)
        Theta2 = Theta2.astype(np.float64)
        if Theta1.ndim != 2 or Theta2.ndim != 2:
            raise DataError(f"{path}: Theta1 and Theta2 must be 2-D matrices")
        if Theta2.shape[1] != Theta1.shape[0] + 1:
            raise DataError(
                f"{path}: Theta2 is {Theta2.shape[0]}x{Theta2.shape[1]} but Theta1 has "
                f"{Theta1.shape[0]} hidden units (expected {Theta1.shape[0] + 1} columns)"
            )
        if not (np.all(np.isfinite(Theta1)) and np.all(np.isfinite(Theta2))):
            raise DataError(f"{path}: Theta1 or Theta2 holds NaN or Inf values")
        return Theta1, Theta2
    for name in ("nn_params", "initial_params"):
        if name in variables:
            sizes = [
                _layer_size(variables, size_name, path)
                for size_name in ("input_layer_size", "hidden_layer_size", "num_labels")
            ]
            return roll_params(variables[name], sizes, path, name)
    present = getattr(variables, "names", None) or variables  # every name, when read in part
    listing = ", ".join(shown(name) for name in sorted(present)) or "none"
    raise DataError(
        f"{path}: no weights found: expected Theta1 and Theta2, or nn_params with "
        f"the layer sizes (variables there: {listing})"
    )


def roll_params(value, sizes, path="<data>", name="nn_params"):
    """``Theta1`` and ``Theta2`` from an unrolled vector ``[Theta1(:); Theta2(:)]``.

    Parameters
    ----------
    value : array_like
        The vector, as loaded (any shape holding the right number of elements).
    sizes : tuple of int
        ``(input_layer_size, hidden_layer_size, num_labels)``.
    path, name : str
        The file and the variable, for error messages.

    Raises
    ------
    DataError
        Not a finite real numeric array, or not the size of that network.
    """
    params = _as_matrix(value, path, name).astype(np.float64)
    if not np.all(np.isfinite(params)):
        raise DataError(f"{path}: variable '{name}' holds NaN or Inf values")
    try:
        Theta1, Theta2 = roll(params, *sizes)
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from exc
    return np.array(Theta1), np.array(Theta2)


def _layer_size(variables, name, path):
    """A layer size stored beside ``nn_params``: one whole number, at least 1."""
    value = _as_matrix(get_variable(variables, name, path), path, name)
    if value.size != 1:
        raise DataError(f"{path}: variable '{name}' must be a layer size, got {describe(value)}")
    size = float(value.flat[0])
    if not (size.is_integer() and size >= 1):
        raise DataError(
            f"{path}: variable '{name}' must be a whole number of at least 1, got {size:g}"
        )
    return int(size)


def holdout_split(
    y: npt.ArrayLike, fraction: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Split the examples into a training and a test set, stratified by label, reproducibly.

    Each label value, in ascending order, contributes ``floor(fraction * n_c + 0.5)`` of its
    ``n_c`` examples to the test set, but at most ``n_c - 1`` (so every label stays in the
    training set). Which ones: the label's examples in file order, shuffled by MATLAB's
    ``[~, order] = sort(rand(n_c, 1))`` drawn from one ``rng(seed, 'twister')`` stream across the
    labels, first ones to the test set. The split depends only on ``y``, ``fraction`` and
    ``seed``.

    Parameters
    ----------
    y : array_like of shape (m,) or (m, 1)
        Labels (any values; each distinct value is a stratum).
    fraction : float
        Share of each label's examples held out, ``0 < fraction < 1``.
    seed : int, default 0
        MATLAB ``rng(seed)`` seed.

    Returns
    -------
    train_idx, test_idx : ndarray of shape (m_train,), (m_test,), intp
        0-based row indices, ascending; disjoint, together every row once.
    """
    fraction = validate_real("fraction", fraction)
    seed = validate_int("seed", seed)
    y = np.asarray(y).reshape(-1)
    rng = MatlabRNG(seed)
    test: list[np.ndarray] = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        n_test = min(int(np.floor(fraction * members.size + 0.5)), members.size - 1)
        order = rng.shuffled_order(members.size)
        test.append(members[order[:n_test]])
    test_idx = np.sort(np.concatenate(test)) if test else np.zeros(0, dtype=np.intp)
    if test_idx.size == 0:
        raise OptionError(
            f"holdout fraction {fraction:g} of {y.size} examples leaves none to test on "
            "(each label keeps at least one training example); hold out more"
        )
    is_test = np.zeros(y.size, dtype=bool)
    is_test[test_idx] = True
    return np.flatnonzero(~is_test), test_idx
