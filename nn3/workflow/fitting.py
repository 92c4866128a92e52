"""What ``nn3 train`` does, from Python: data, starting weights, checks, hold-out, the weights file.

:func:`fit` runs it all and returns a :class:`FitResult`, whose :meth:`~FitResult.save` writes
exactly the file ``nn3 train`` writes (the command calls the same code)::

    result = nn3.fit("data/digits.mat", hidden_layer_size=25, holdout=0.2)
    result.save("nn3_weights.mat")          # = nn3 train data/digits.mat --holdout 0.2

:func:`prepare` does everything before fmincg (load and check the data, the starting weights, the
network-size guard, the hold-out split) and returns a :class:`TrainingRun` whose
:meth:`~TrainingRun.run` trains; the command prints between the two. The library never prints and
never exits; progress reaches the caller through ``callback``, interruption through
``stop_event``.

Random numbers: the starting weights come from MATLAB's ``rng(seed, 'twister')`` stream, or GNU
Octave's ``rng(seed)`` with ``rng="octave"``. The hold-out split always uses MATLAB's stream
(:func:`nn3.workflow.training.holdout_split`), so ``--rng`` changes the starting weights only.
"""

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .._version import __version__
from ..core.network import accuracy, predict
from ..core.octave_rng import ENGINES
from ..errors import ParameterConflictError, TrainingError
from ..mat import MAX_ELEMENTS, save_mat
from ..validation import validate
from . import training
from .labels import LabelMapping, classes_to_mat  # issue 15: labels, scaling, diagnostics
from .starting_weights import (
    StartingWeights,
    check_against_data,
    load_starting_weights,
    random_weights,
)


@dataclass
class FitResult(training.TrainResult):
    """What :func:`fit` returns: a :class:`~nn3.workflow.training.TrainResult`, and the record.

    Attributes (besides :class:`~nn3.workflow.training.TrainResult`'s)
    ----------------------------------------------------------
    data_file, x_var, y_var : str
        Where the data came from (``"<data>"`` for arrays).
    init : str
        How training started (``"randInitializeWeights, rng(0, 'twister'), epsilon 0.12"``).
    rng : {"matlab", "octave"}
        Whose random numbers the starting weights are.
    split : dict or None
        The hold-out split: ``fraction``, ``train_idx``, ``test_idx`` (0-based rows).
    test_accuracy : float or None
        Accuracy on the held-out rows, in percent.
    """

    data_file: str = "<data>"
    x_var: str = "X"
    y_var: str = "y"
    init: str = ""
    rng: str = "matlab"
    split: "dict | None" = None
    test_accuracy: "float | None" = None
    # issue 15: the label mapping, feature scaling and what the run says about itself
    classes: "list[str] | np.ndarray | None" = None
    mu: "np.ndarray | None" = None
    sigma: "np.ndarray | None" = None
    majority_rate: "float | None" = None
    warnings: list = field(default_factory=list)
    y_col: "int | None" = None

    @property
    def model(self):
        """The trained network with its classes and scaling: a :class:`~nn3.workflow.model.Model`
        (``result.model.predict(X)`` scales X and returns the original labels)."""
        from .model import Model

        return Model(self.Theta1, self.Theta2, self.classes, self.mu, self.sigma)

    @property
    def failed(self) -> bool:
        """Whether the cost or its gradient became NaN (fmincg's status 3): not a trained net."""
        return getattr(self.optimize_result, "status", None) == 3

    def failure(self, path, advice="check the scale of X, epsilon_init and the initial weights"):
        """The :class:`~nn3.errors.TrainingError` for a failed run, naming ``path``."""
        res: Any = self.optimize_result
        return TrainingError(
            f"{self.data_file}: training failed: the cost or its gradient became NaN at "
            f"evaluation {res.nfev} (fmincg: {res.message}); nothing saved to {path} (best "
            f"cost before: {res.fun:.6e}; {advice})"
        )

    def to_variables(self) -> dict:
        """The variables of the weights file, in ``nn3 train``'s order (MATLAB columns)."""
        res: Any = self.optimize_result  # fmincg's OptimizeResult
        variables = {
            "Theta1": self.Theta1,
            "Theta2": self.Theta2,
            "nn_params": self.nn_params.reshape(-1, 1),
            "initial_params": self.initial_params.reshape(-1, 1),
            "cost": np.asarray(res.fun_history, dtype=np.float64).reshape(-1, 1),
            "iterations": float(res.nit),
            "n_evals": float(res.nfev),
            "train_accuracy": self.train_accuracy,
            "interrupted": np.array([[self.interrupted]]),
            "data_file": storable_text(self.data_file),  # never fail a save over a name
            "x_var": storable_text(self.x_var),
            "y_var": storable_text(self.y_var),
            "init": storable_text(self.init),
            "rng": self.rng,
            "nn3_version": __version__,
        }
        variables.update(
            {k: v if isinstance(v, str) else float(v) for k, v in self.settings.items()}
        )  # an engine's run also records engine (text) and block_rows
        if self.split is not None:
            variables.update(
                {
                    "holdout": self.split["fraction"],
                    "test_accuracy": self.test_accuracy,
                    "train_idx": (self.split["train_idx"] + 1.0).reshape(-1, 1),
                    "test_idx": (self.split["test_idx"] + 1.0).reshape(-1, 1),
                }
            )
        variables.update(self._issue15_variables())
        return variables

    def _issue15_variables(self) -> dict:
        """``classes``, ``mu``/``sigma``, ``normalize``, ``majority_rate``, ``y_col``."""
        variables: dict = {}
        if self.classes is not None:
            variables["classes"] = classes_to_mat(self.classes)
        if self.mu is not None and self.sigma is not None:
            variables["mu"], variables["sigma"] = self.mu, self.sigma
        variables["normalize"] = float(self.mu is not None)
        if self.majority_rate is not None:
            variables["majority_rate"] = self.majority_rate
        if self.y_col is not None:
            variables["y_col"] = float(self.y_col)
        return variables

    def save(self, path, format: str = "5") -> None:
        """Write the weights file (atomically), as ``nn3 train --out path --format format``.

        Raises
        ------
        TrainingError
            The run failed (:attr:`failed`); nothing is written.
        """
        if self.failed:
            raise self.failure(path)
        save_mat(path, self.to_variables(), format=format)


@dataclass
class TrainingRun:
    """Training prepared by :func:`prepare`: checked data and starting weights, ready for fmincg."""

    X: np.ndarray
    y: np.ndarray
    starting: StartingWeights
    settings: dict
    num_labels: "int | None"
    data_file: str
    x_var: str
    y_var: str
    rng: str
    split: "dict | None" = None
    _X_test: "np.ndarray | None" = field(default=None, repr=False)
    _y_test: "np.ndarray | None" = field(default=None, repr=False)
    mapping: "LabelMapping | None" = None  # issue 15
    mu: "np.ndarray | None" = None
    sigma: "np.ndarray | None" = None
    y_col: "int | None" = None

    def run(self, callback=None, stop_event=None) -> FitResult:
        """Train with fmincg (``callback``, ``stop_event``: see :func:`~.training.train`)."""
        s = self.settings
        result = training.train(
            self.X,
            self.y,
            hidden_layer_size=self.starting.Theta1.shape[0],
            lambda_=s["lambda_"],
            maxiter=s["maxiter"],
            seed=s["seed"],
            num_labels=self.num_labels,
            initial_params=np.concatenate(
                [self.starting.Theta1.ravel(order="F"), self.starting.Theta2.ravel(order="F")]
            ),
            epsilon_init=s["epsilon_init"],
            callback=callback,
            stop_event=stop_event,
            method=s.get("method", "fmincg"),  # issue 16
            precision=s.get("precision", "double"),
        )
        test_accuracy = None
        if self.split is not None:
            X_test, y_test = self._X_test, self._y_test
            assert X_test is not None and y_test is not None  # prepare sets them with split
            p = predict(result.Theta1, result.Theta2, X_test)
            test_accuracy = accuracy(p, y_test)
        return FitResult(
            **vars(result),
            data_file=self.data_file,
            x_var=self.x_var,
            y_var=self.y_var,
            init=self.starting.description,
            rng=self.rng,
            split=self.split,
            test_accuracy=test_accuracy,
            **_label_scaling_diagnostics(self, result),
        )


def check_network_size(source, m: int, n: int, hidden: int, K: int) -> None:
    """Refuse networks too large to hold in memory before allocating them.

    Raises
    ------
    ParameterConflictError
        Naming ``hidden_layer_size`` (``--hidden`` on the command line).
    """
    weights = hidden * (n + 1) + K * (hidden + 1)
    activations = m * (hidden + 1 + K)
    if max(weights, activations) > MAX_ELEMENTS // 8:
        raise ParameterConflictError(
            "hidden_layer_size",
            hidden,
            f"{{name}} {hidden}: a {n}-{hidden}-{K} network on {source} ({m} examples) needs "
            f"{weights} weights and {activations} activations; too large (limit "
            f"{MAX_ELEMENTS // 8} each)",
        )


def prepare(
    data,
    y=None,
    *,
    hidden_layer_size: "int | None" = None,
    lambda_: float = 1.0,
    maxiter: int = 50,
    seed: int = 0,
    num_labels: "int | None" = None,
    epsilon_init: float = 0.12,
    init=None,
    init_var: "str | None" = None,
    holdout: "float | None" = None,
    rng: str = "matlab",
    x_var: str = "X",
    y_var: str = "y",
    engine: "str | None" = None,  # engines (issue 12): engine, block_rows, client
    block_rows: "int | None" = None,
    client=None,
    classes: "str | None" = None,  # issue 15: labels, text files, feature scaling
    y_col: "int | None" = None,
    normalize: bool = False,
) -> "TrainingRun | EngineTrainingRun":
    """Everything :func:`fit` does before fmincg; see :func:`fit` for the parameters."""
    engine = _engine_for(data, engine, block_rows, client, x_var)
    if engine != "memory" and (classes is not None or y_col is not None or normalize):
        from ..errors import OptionError

        raise OptionError(
            f"--classes, --y-col and --normalize train in memory; they cannot be combined "
            f"with the {engine} engine"
        )
    if engine != "memory":
        return _prepare_engine(
            data, y, holdout, engine=engine, block_rows=block_rows, client=client,
            hidden_layer_size=hidden_layer_size, lambda_=lambda_, maxiter=maxiter, seed=seed,
            num_labels=num_labels, epsilon_init=epsilon_init, init=init, init_var=init_var,
            rng=rng, x_var=x_var, y_var=y_var,
        )  # fmt: skip
    settings = training.check_settings(
        hidden_layer_size=hidden_layer_size,
        lambda_=lambda_,
        maxiter=maxiter,
        num_labels=num_labels,
        epsilon_init=epsilon_init,
        seed=seed,
    )
    settings = {"lambda_": lambda_, "maxiter": maxiter, "seed": seed, **settings}
    settings.setdefault("epsilon_init", epsilon_init)
    engine = str(rng).lower()
    if engine not in ENGINES:
        raise ParameterConflictError(
            "rng", rng, f"{{name}} must be one of {', '.join(ENGINES)}, got {rng!r}"
        )
    if holdout is not None:
        holdout = validate("fraction", holdout)
    hidden, num_labels = settings.get("hidden_layer_size"), settings.get("num_labels")
    if isinstance(data, (str, os.PathLike)):
        source = data
        X, y, mapping = training.load_labelled_data(
            data, x_var, y_var, num_labels=num_labels, y_col=y_col, classes=classes
        )
    else:
        source = "<data>"
        X, y, mapping = training.check_labelled(data, y, source, x_var, y_var, num_labels, classes)
    if mapping is not None and num_labels is None:
        num_labels = mapping.num_labels  # K counts every class, also one a holdout leaves out
    m, n = X.shape
    if init is not None:
        K = num_labels if num_labels is not None else training.infer_num_labels(y)
        starting = load_starting_weights(init, n, K, hidden, init_var, n_examples=m)
        Theta2 = starting.Theta2
        hidden = check_against_data(starting, init, source, n, m, hidden)
        if num_labels is not None and num_labels != Theta2.shape[0]:
            raise ParameterConflictError(
                "num_labels",
                num_labels,
                f"{init}: Theta2 has {Theta2.shape[0]} output units but {{name}} is {num_labels}",
            )
        if num_labels is None:  # the labels were checked without knowing K: check them again
            training.check_labels(y, source, y_var, Theta2.shape[0])
        num_labels = Theta2.shape[0]
    hidden = 25 if hidden is None else hidden
    K = num_labels if num_labels is not None else training.infer_num_labels(y)
    check_network_size(source, m, n, hidden, K)
    split = X_test = y_test = None
    if holdout is not None:
        train_idx, test_idx = training.holdout_split(y, holdout, settings["seed"])
        # K from all labels, so a label missing from the training rows keeps its unit
        num_labels = K
        split = {"fraction": holdout, "train_idx": train_idx, "test_idx": test_idx}
        X, X_test, y, y_test = X[train_idx], X[test_idx], y[train_idx], y[test_idx]
    mu = sigma = None
    if normalize:  # featureNormalize on the training rows only; the test rows get their scaling
        from .scaling import apply_normalization, feature_normalize

        X, mu, sigma = feature_normalize(X)
        if X_test is not None:
            X_test = apply_normalization(X_test, mu, sigma, path=str(source))
    if init is None:
        K_train = num_labels if num_labels is not None else training.infer_num_labels(y)
        starting = random_weights(n, hidden, K_train, epsilon_init, settings["seed"], engine)
    return TrainingRun(
        X, y, starting, settings, num_labels, str(source), x_var, y_var, engine, split,
        X_test, y_test, mapping=mapping, mu=mu, sigma=sigma, y_col=y_col,
    )  # fmt: skip


def fit(
    data: "str | os.PathLike[str] | npt.ArrayLike",
    y: "npt.ArrayLike | None" = None,
    *,
    hidden_layer_size: "int | None" = None,
    lambda_: float = 1.0,
    maxiter: int = 50,
    seed: int = 0,
    num_labels: "int | None" = None,
    epsilon_init: float = 0.12,
    init: "str | os.PathLike[str] | None" = None,
    init_var: "str | None" = None,
    holdout: "float | None" = None,
    rng: str = "matlab",
    x_var: str = "X",
    y_var: str = "y",
    callback: "Callable[..., object] | None" = None,
    stop_event: "threading.Event | None" = None,
    engine: "str | None" = None,
    block_rows: "int | None" = None,
    client: object = None,
    classes: "str | None" = None,
    y_col: "int | None" = None,
    normalize: bool = False,
    method: str = "fmincg",
    precision: str = "double",
) -> FitResult:
    """Train as ``nn3 train`` does; ``result.save(path)`` writes the file it writes.

    Parameters
    ----------
    data : str, os.PathLike or array_like
        A .mat file holding ``x_var`` and ``y_var`` (struct fields as ``data.X``), or ``X``
        itself, shape (m, n), with ``y``.
    y : array_like, optional
        The labels when ``data`` is ``X``: 0/1 or 1..K.
    hidden_layer_size : int, optional
        Default 25, or the starting weights' when ``init`` is given (then a different value is
        refused).
    lambda_, maxiter, seed, num_labels, epsilon_init
        As :func:`nn3.train`.
    init : str or os.PathLike, optional
        A .mat file with the starting weights: ``Theta1`` and ``Theta2``, or an unrolled
        ``initial_nn_params``, ``initial_params`` or ``nn_params`` (rolled with the data's
        sizes and ``hidden_layer_size``). See :mod:`nn3.workflow.starting_weights`.
    init_var : str, optional
        Which of them, when the file holds more than one (``"Theta1"`` for the pair).
    holdout : float, optional
        Hold out this fraction of each label's examples (:func:`nn3.holdout_split`, by
        ``seed``) and report ``test_accuracy``.
    rng : {"matlab", "octave"}, default "matlab"
        Whose ``rng(seed)`` draws the random starting weights (not the hold-out split).
    x_var, y_var : str
        The variables of ``data`` when it is a file.
    callback, stop_event
        As :func:`nn3.train`.
    engine : {None, "memory", "stream", "dask"}, default None
        Who evaluates the cost and gradient (:func:`nn3.make_objective`). None: in memory,
        unless ``data`` is a v7.3 file whose X does not fit in memory (then ``"stream"``).
        ``"stream"`` reads X by row blocks from the v7.3 file at each evaluation; ``"dask"``
        on the Dask workers of ``client``. The weights file is the same whichever ran, plus
        ``engine`` and ``block_rows`` when it was not the in-memory path. No ``holdout``.
    block_rows : int, optional
        Rows per block for ``"stream"``/``"dask"`` (the results' bits depend on it, not on the
        number of workers).
    client : distributed.Client or str, optional
        For ``engine="dask"``: a client, or ``tcp://host:port``, ``local``, ``local:N``.
    classes : {None, "auto"}
        Text labels (a cell array of char, a char matrix, a list of str) are always numbered
        1..K in MATLAB's ``unique`` order; ``"auto"`` does the same for any set of whole
        numbers (-1/+1, 0..9). The mapping is ``result.classes`` and the file's ``classes``.
    y_col : int, optional
        For a numeric text file (``.txt``/``.csv``/``.dat``): the 1-based column of the labels
        (default: the last, as the coursework's ``y = data(:, end)``).
    normalize : bool, default False
        Train on ``(X - mu) ./ sigma`` (``featureNormalize``: ``mean``, ``std`` with N - 1, a
        constant feature keeps sigma 1), computed on the training rows after ``holdout``;
        ``mu``/``sigma`` are saved and applied by ``result.model`` and ``nn3 predict``.
    method : {"fmincg", "lbfgs"}, default "fmincg"
    precision : {"double", "single"}, default "double"
        As :func:`nn3.train` (in-memory training only); both are saved in the weights file.

    Returns
    -------
    FitResult
        ``failed`` when the cost became NaN (``save`` then refuses).

    Raises
    ------
    Nn3Error
        Bad data, settings or starting weights (one line naming the file and the problem).
    """
    run = prepare(
        data,
        y,
        hidden_layer_size=hidden_layer_size,
        lambda_=lambda_,
        maxiter=maxiter,
        seed=seed,
        num_labels=num_labels,
        epsilon_init=epsilon_init,
        init=init,
        init_var=init_var,
        holdout=holdout,
        rng=rng,
        x_var=x_var,
        y_var=y_var,
        engine=engine,
        block_rows=block_rows,
        client=client,
        classes=classes,
        y_col=y_col,
        normalize=normalize,
    )
    use_method_precision(run, method, precision)
    return run.run(callback=callback, stop_event=stop_event)


def use_method_precision(run, method: str = "fmincg", precision: str = "double") -> None:
    """Set a prepared run's optimizer and precision (issue 16), checking both.

    Engines (``"stream"``, ``"dask"``) train with fmincg in double precision only.
    """
    from ..core.network import precision_dtype
    from ..errors import OptionError

    training._optimizer(method)  # ParameterError naming method
    precision_dtype(precision)  # ParameterError naming precision
    if isinstance(run, EngineTrainingRun):
        if (method, precision) != ("fmincg", "double"):
            raise OptionError(
                f"the {run.engine} engine trains with fmincg in double precision; "
                "--method lbfgs and --precision single are for in-memory training"
            )
        return
    run.settings["method"] = method
    run.settings["precision"] = precision


# --- Engines (issue 12): X read by row blocks from a v7.3 file, the same weights file ---------


def _engine_for(data, engine, block_rows, client, x_var) -> str:
    """The engine to train with: as asked; ``"stream"`` when only engine options are given;
    else in memory unless ``data`` is a v7.3 file whose X does not fit in memory."""
    if engine is not None:
        return str(engine)
    if client is not None:
        return "dask"
    if block_rows is not None:
        return "stream"
    from ..engines.train import auto_engine

    return auto_engine(data, x_var)


@dataclass
class EngineTrainingRun:
    """Training prepared for an engine (:func:`nn3.engines.train.prepare_blocks`)."""

    blocks: Any
    data_file: str
    x_var: str
    y_var: str
    rng: str

    @property
    def starting(self) -> StartingWeights:
        return self.blocks.starting

    @property
    def engine(self) -> str:
        return self.blocks.engine

    @property
    def y(self) -> np.ndarray:
        return self.blocks.y

    # No label mapping, text columns or scaling with an engine (prepare refuses them).
    mapping = mu = sigma = y_col = None

    def run(self, callback=None, stop_event=None, progress=None) -> FitResult:
        """Train; ``progress(counts)`` after every evaluation (evaluations/s, rows/s)."""
        result = self.blocks.run(callback=callback, stop_event=stop_event, progress=progress)
        # issue 16: an engine trains with fmincg in double precision; record it as memory does
        result.settings.update({"method": "fmincg", "precision": "double"})
        return FitResult(
            **vars(result),
            data_file=self.data_file,
            x_var=self.x_var,
            y_var=self.y_var,
            init=self.starting.description,
            rng=self.rng,
            **_label_scaling_diagnostics(self, result),  # type: ignore[arg-type]
        )


def _prepare_engine(data, y, holdout, **options) -> EngineTrainingRun:
    from ..engines.train import prepare_blocks
    from ..errors import OptionError

    if holdout is not None:
        raise OptionError(
            f"--holdout trains in memory; it cannot be combined with the {options['engine']} "
            "engine (split the file instead)"
        )
    if y is not None or not isinstance(data, (str, os.PathLike)):
        raise OptionError(
            f"nn3.fit with engine={options['engine']!r} reads X and y from a v7.3 file; for "
            "arrays use nn3.make_objective(X, y, ..., engine=...)"
        )
    blocks = prepare_blocks(data, **options)
    return EngineTrainingRun(
        blocks, str(data), options["x_var"], options["y_var"], str(options["rng"]).lower()
    )


# --- Issue 15: label mapping, feature scaling and the learned-nothing checks --------------------


def _label_scaling_diagnostics(run: TrainingRun, result: training.TrainResult) -> dict:
    """The :class:`FitResult` fields of issue 15 for a finished in-memory run.

    ``majority_rate`` is over the training rows. The stalled-cost check runs only when fmincg
    used up its iterations (status 1 or 2): an interrupted run stops early for another reason,
    and a run that fmincg ended itself (status 0, "line search failed twice": no further
    decrease) has a flat end by definition, converged (the disc set reaches 83.78% at
    ``--maxiter 1000`` and stops at iteration 752); a useless network there is what the
    majority-rate check reports.
    """
    from .diagnostics import learned_nothing_warning, majority_rate, stalled_cost_warning

    settings, normalized = result.settings, run.mu is not None
    hidden, maxiter = settings["hidden_layer_size"], settings["maxiter"]
    majority = majority_rate(run.y)
    found = [learned_nothing_warning(result.train_accuracy, majority, maxiter, hidden, normalized)]
    if not result.interrupted and getattr(result.optimize_result, "status", None) in (1, 2):
        history = getattr(result.optimize_result, "fun_history", [])
        found.append(stalled_cost_warning(history, maxiter, hidden, normalized))
    return {
        "classes": None if run.mapping is None else run.mapping.classes,
        "mu": run.mu,
        "sigma": run.sigma,
        "majority_rate": majority,
        "warnings": [w for w in found if w is not None],
        "y_col": run.y_col,
    }


def storable_text(text) -> str:
    """A name (file, variable) as the weights file stores it: always writable, nothing lost.

    A file name that is not valid UTF-8 reaches Python with its bad bytes as surrogate escapes
    (``os.fsdecode``), which no MAT-file can hold; they are stored as ``\\xff`` (the bytes shown,
    as Python's ``backslashreplace`` writes them), so the save never fails over metadata
    (issue 14). Any other text is returned unchanged.
    """
    text = os.fsdecode(text) if isinstance(text, (bytes, os.PathLike)) else str(text)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape" if _escapes_only(text) else "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")


def _escapes_only(text):
    return all(not 0xD800 <= ord(c) < 0xE000 or 0xDC80 <= ord(c) <= 0xDCFF for c in text)
