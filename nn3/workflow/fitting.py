"""What ``nn3 train`` does, from Python: data, starting weights, checks, hold-out, the weights file.

:func:`fit` runs it all and returns a :class:`FitResult`, whose :meth:`~FitResult.save` writes
exactly the file ``nn3 train`` writes (the command calls the same code)::

    result = nn3.fit("data/digits.mat", hidden_layer_size=25, holdout=0.2)
    result.save("nn3_weights.mat")          # = nn3 train data/digits.mat --holdout 0.2

The way of a data file, each step once, downward: :func:`fit` makes the
:class:`~nn3.settings.TrainingSettings` (checked once); :func:`prepare` reads and checks X and y
(:mod:`~nn3.workflow.data`, numbering labels with :mod:`~nn3.workflow.labels`), chooses the
starting weights (:mod:`~nn3.workflow.starting_weights`), refuses a network too large for
memory, splits off the hold-out rows (:mod:`~nn3.workflow.holdout`) and scales the features
(:mod:`~nn3.workflow.scaling`), and returns a :class:`TrainingRun`; its
:meth:`~TrainingRun.run` trains (:mod:`~nn3.workflow.training`, or
:mod:`~nn3.workflow.blocks` with an engine) and adds what the run says about itself
(:mod:`~nn3.workflow.diagnostics`). A command prints between the two steps; the library never
prints and never exits: progress reaches the caller through ``callback``, interruption through
``stop_event``.

Random numbers: the starting weights come from MATLAB's ``rng(seed, 'twister')`` stream, or GNU
Octave's ``rng(seed)`` with ``rng="octave"``. The hold-out split always uses MATLAB's stream
(:func:`nn3.holdout_split`), so ``rng`` changes the starting weights only.
"""

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .._version import __version__
from ..core.network import accuracy, predict, unroll
from ..errors import NamedText, ParameterConflictError, TrainingError
from ..mat import save_mat
from ..settings import TrainingSettings
from .blocks import BlockTrainingRun, prepare_blocks
from .data import training_data
from .labels import LabelMapping, classes_to_mat
from .starting_weights import StartingWeights, starting_weights_for
from .training import TrainResult, train_arrays


@dataclass
class FitResult(TrainResult):
    """What :func:`fit` returns: a :class:`~nn3.workflow.training.TrainResult`, and the record.

    Its attributes are :class:`~nn3.workflow.training.TrainResult`'s and these.

    Attributes
    ----------
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
    classes : list of str, ndarray or None
        The original labels of classes 1..K, when they were numbered (text, ``classes="auto"``).
    mu, sigma : ndarray or None
        The feature scaling, with ``normalize``.
    majority_rate : float or None
        The accuracy of always predicting the most common training label, in percent.
    warnings : list of NamedText
        What the run says about itself ("learned nothing", "the cost stalled"), naming the
        settings to change (``str(w)`` in Python's words).
    y_col : int or None
        The label column of a text file, when it was given.
    """

    data_file: str = "<data>"
    x_var: str = "X"
    y_var: str = "y"
    init: str = ""
    rng: str = "matlab"
    split: "dict | None" = None
    test_accuracy: "float | None" = None
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

    def failure(self, path, advice=None) -> TrainingError:
        """The :class:`~nn3.errors.TrainingError` for a failed run, naming ``path``.

        ``advice`` (default: check the scale of X, ``epsilon_init`` and ``init``) ends the
        message; the default names the settings, so the command line shows its options.
        """
        res: Any = self.optimize_result
        advice = advice or "check the scale of X, {epsilon_init} and {init}"
        return TrainingError(
            NamedText(
                f"{self.data_file}: training failed: the cost or its gradient became NaN at "
                f"evaluation {res.nfev} ({self.settings.get('method', 'fmincg')}: "
                f"{res.message}); nothing saved to {path} (best "
                f"cost before: {res.fun:.6e}; {advice})",
                {"epsilon_init": None, "init": None},
            )
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
        variables.update(self.model_variables())
        return variables

    def model_variables(self) -> dict:
        """What predicting needs besides the weights, and what the run found: ``classes``,
        ``mu``/``sigma``, ``normalize``, ``majority_rate``, ``y_col``."""
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
        """Write the weights file (atomically), as ``nn3 train`` with ``--out path --format
        format`` does.

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
    """Training prepared by :func:`prepare`: checked data and starting weights, ready to run.

    Attributes
    ----------
    settings : TrainingSettings
    engine : {"memory", "stream", "dask"}
    data_file : str
    y : ndarray of shape (m_train,)
        The training labels, 0/1 or 1..K.
    starting : StartingWeights
    X : ndarray of shape (m_train, n) or None
        The training rows (scaled with ``normalize``); None with an engine, which reads X by
        row blocks (``blocks``).
    blocks : BlockTrainingRun or None
    split : dict or None
        As :attr:`FitResult.split`.
    mapping : LabelMapping or None
        How the labels were numbered (``mapping.message`` says it in words).
    mu, sigma : ndarray or None
    """

    settings: TrainingSettings
    engine: str
    data_file: str
    y: np.ndarray
    starting: StartingWeights
    X: "np.ndarray | None" = field(default=None, repr=False)
    blocks: "BlockTrainingRun | None" = None
    split: "dict | None" = None
    X_test: "np.ndarray | None" = field(default=None, repr=False)
    y_test: "np.ndarray | None" = field(default=None, repr=False)
    mapping: "LabelMapping | None" = None
    mu: "np.ndarray | None" = None
    sigma: "np.ndarray | None" = None

    def run(
        self,
        callback: "Callable[..., object] | None" = None,
        stop_event: "threading.Event | None" = None,
        progress: "Callable[..., object] | None" = None,
    ) -> FitResult:
        """Train (``callback``, ``stop_event``: see :func:`nn3.train`).

        ``progress(counts)`` is called after every evaluation by the engines (evaluations and
        rows per second); the in-memory training has no such counts and does not call it.
        """
        Theta1, Theta2 = self.starting.Theta1, self.starting.Theta2
        if self.blocks is not None:
            result = self.blocks.run(callback, stop_event, progress)
        else:
            assert self.X is not None  # prepare gives X or blocks
            result = train_arrays(
                self.X, self.y, self.settings, unroll(Theta1, Theta2),
                Theta1.shape[0], Theta2.shape[0], callback, stop_event,
            )  # fmt: skip
        test_accuracy = None
        if self.split is not None:
            assert self.X_test is not None and self.y_test is not None  # set with split
            p = predict(result.Theta1, result.Theta2, self.X_test)
            test_accuracy = accuracy(p, self.y_test)
        return FitResult(
            **vars(result),
            data_file=self.data_file,
            x_var=self.settings.x_var,
            y_var=self.settings.y_var,
            init=self.starting.description,
            rng=self.settings.rng,
            split=self.split,
            test_accuracy=test_accuracy,
            classes=None if self.mapping is None else self.mapping.classes,
            mu=self.mu,
            sigma=self.sigma,
            y_col=self.settings.y_col,
            **self._diagnostics(result),
        )

    def _diagnostics(self, result: TrainResult) -> dict:
        """``majority_rate`` and ``warnings`` of a finished run (over the training rows)."""
        from .diagnostics import diagnose

        majority, warnings = diagnose(
            self.y,
            result,
            normalized=self.mu is not None,
            scaling_possible=self.engine == "memory",
        )
        return {"majority_rate": majority, "warnings": warnings}


def prepare(
    data: "str | os.PathLike[str] | npt.ArrayLike",
    y: "npt.ArrayLike | None" = None,
    settings: "TrainingSettings | None" = None,
) -> TrainingRun:
    """Everything :func:`fit` does before the optimizer, with checked ``settings``.

    Parameters
    ----------
    data, y
        As :func:`fit`.
    settings : TrainingSettings, optional
        Default: every setting at its default.

    Returns
    -------
    TrainingRun
    """
    from ..engines import auto_engine
    from .holdout import split as holdout_split

    settings = TrainingSettings() if settings is None else settings
    is_file = isinstance(data, (str, os.PathLike))
    engine = settings.requested_engine() or auto_engine(data, settings.x_var)
    settings.check_engine(engine)  # an engine the data chose: the same refusals
    if engine != "memory":
        if y is not None or not is_file:
            raise ParameterConflictError(
                "engine",
                engine,
                "{engine=} reads X and y from a v7.3 file; for arrays use "
                "nn3.make_objective(X, y, ..., engine=...)",
            )
        blocks = prepare_blocks(data, settings, engine)
        return TrainingRun(settings, engine, str(data), blocks.y, blocks.starting, blocks=blocks)
    source, X, labels, mapping, K, K_known = training_data(data, y, settings)
    m, n = X.shape
    starting = starting_weights_for(settings, source, n, m, labels, K, K_known)
    K = starting.Theta2.shape[0]  # the init weights' when K was not given
    split = X_test = y_test = None
    if settings.holdout is not None:  # K from all labels: a class left out keeps its unit
        train_idx, test_idx = holdout_split(
            labels, settings.holdout, settings.seed, parameter="holdout"
        )
        split = {"fraction": settings.holdout, "train_idx": train_idx, "test_idx": test_idx}
        X, X_test = X[train_idx], X[test_idx]
        labels, y_test = labels[train_idx], labels[test_idx]
    mu = sigma = None
    if settings.normalize:  # featureNormalize on the training rows; the test rows get theirs
        from .scaling import apply_normalization, feature_normalize

        X, mu, sigma = feature_normalize(X, path=source, name=settings.x_var)
        if X_test is not None:
            X_test = apply_normalization(X_test, mu, sigma, path=source)
    if settings.precision == "single":  # what the float32 evaluation is given, checked first
        from .data import check_single_precision

        check_single_precision(X, source, settings.x_var)
    return TrainingRun(
        settings, engine, source, labels, starting, X=X, split=split, X_test=X_test,
        y_test=y_test, mapping=mapping, mu=mu, sigma=sigma,
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
    rng: str = "matlab",
    method: str = "fmincg",
    precision: str = "double",
    threads: "int | None" = None,
    init: "str | os.PathLike[str] | None" = None,
    init_var: "str | None" = None,
    holdout: "float | None" = None,
    x_var: str = "X",
    y_var: str = "y",
    y_col: "int | None" = None,
    classes: "str | None" = None,
    normalize: bool = False,
    engine: "str | None" = None,
    block_rows: "int | None" = None,
    client: object = None,
    callback: "Callable[..., object] | None" = None,
    stop_event: "threading.Event | None" = None,
) -> FitResult:
    """Train as ``nn3 train`` does; ``result.save(path)`` writes the file it writes.

    Parameters
    ----------
    data : str, os.PathLike or array_like
        A .mat file holding ``x_var`` and ``y_var`` (struct fields as ``data.X``), a numeric text
        file (``.txt``/``.csv``/``.dat``), or ``X`` itself, shape (m, n), with ``y``.
    y : array_like, optional
        The labels when ``data`` is ``X``: 0/1, 1..K, or text.
    hidden_layer_size, lambda_, maxiter, seed, num_labels, epsilon_init, rng, method, precision
        As :func:`nn3.train`; ``hidden_layer_size`` defaults to 25, or the starting weights'
        when ``init`` is given (then a different value is refused).
    threads : int, optional
        Threads per evaluation of the cost and gradient (in-memory training); default: the
        cores available. Any number gives the same bits (:func:`nn3.make_objective`).
    init : str or os.PathLike, optional
        A .mat file with the starting weights: ``Theta1`` and ``Theta2``, or an unrolled
        ``initial_nn_params``, ``initial_params`` or ``nn_params`` (rolled with the data's
        sizes and ``hidden_layer_size``). See :mod:`nn3.workflow.starting_weights`.
    init_var : str, optional
        Which of them, when the file holds more than one (``"Theta1"`` for the pair).
    holdout : float, optional
        Hold out this fraction of each label's examples (:func:`nn3.holdout_split`, by
        ``seed``) and report ``test_accuracy``.
    x_var, y_var : str
        The variables of ``data`` when it is a .mat file.
    y_col : int, optional
        For a numeric text file: the 1-based column of the labels (default: the last, as the
        coursework's ``y = data(:, end)``).
    classes : {None, "auto"}
        Text labels (a cell array of char, a char matrix, a list of str) are always numbered
        1..K in MATLAB's ``unique`` order; ``"auto"`` does the same for any set of whole
        numbers (-1/+1, 0..9). The mapping is ``result.classes`` and the file's ``classes``.
    normalize : bool, default False
        Train on ``(X - mu) ./ sigma`` (``featureNormalize``: ``mean``, ``std`` with N - 1, a
        constant feature keeps sigma 1), computed on the training rows after ``holdout``;
        ``mu``/``sigma`` are saved and applied by ``result.model`` and ``nn3 predict``.
    engine : {None, "memory", "stream", "dask"}, default None
        Who evaluates the cost and gradient (:func:`nn3.make_objective`). None: in memory,
        unless ``data`` is a v7.3 file whose X does not fit in memory (then ``"stream"``), or
        ``"dask"`` with ``client``, ``"stream"`` with ``block_rows``. ``"stream"`` reads X by
        row blocks from the v7.3 file at each evaluation; ``"dask"`` on the Dask workers of
        ``client``. The weights file is the same whichever ran, plus ``engine`` and
        ``block_rows`` when it was not the in-memory path. The engines train with fmincg in
        double precision on the file as it is: no ``holdout``, ``normalize``, ``classes``,
        ``y_col``, ``method``, ``precision`` or ``threads``.
    block_rows : int, optional
        Rows per block for ``"stream"``/``"dask"`` (the results' bits depend on it, not on the
        number of workers).
    client : distributed.Client or str, optional
        For ``engine="dask"``: a client, or ``tcp://host:port``, ``local``, ``local:N``.
    callback, stop_event
        As :func:`nn3.train`.

    Every argument but ``data`` and ``y`` is keyword-only; the settings are the fields of
    :class:`nn3.settings.TrainingSettings`, checked once here.

    Returns
    -------
    FitResult
        ``failed`` when the cost became NaN (``save`` then refuses).

    Raises
    ------
    Nn3Error
        Bad data, settings or starting weights (one line naming the file and the problem; a
        :class:`~nn3.errors.ParameterError` names the setting).
    """
    settings = TrainingSettings(
        hidden_layer_size=hidden_layer_size, lambda_=lambda_, maxiter=maxiter, seed=seed,
        num_labels=num_labels, epsilon_init=epsilon_init, rng=rng, method=method,
        precision=precision, threads=threads, init=init, init_var=init_var, holdout=holdout,
        x_var=x_var, y_var=y_var, y_col=y_col, classes=classes, normalize=normalize, engine=engine,
        block_rows=block_rows, client=client,
    )  # fmt: skip
    return prepare(data, y, settings).run(callback=callback, stop_event=stop_event)


def storable_text(text) -> str:
    """A name (file, variable) as the weights file stores it: always writable, nothing lost.

    A file name that is not valid UTF-8 reaches Python with its bad bytes as surrogate escapes
    (``os.fsdecode``), which no MAT-file can hold; they are stored as ``\\xff`` (the bytes shown,
    as Python's ``backslashreplace`` writes them), so the save never fails over metadata.
    Any other text is returned unchanged.
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
