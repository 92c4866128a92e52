"""Choosing lambda on a validation set, and the learning curve: the course's ex5 for the network.

:func:`lambda_curve` is ex5's ``validationCurve.m``: one network per lambda, all trained from the
same starting weights on the training part of the data, and the error of each measured as ex5
measures it, the unregularised cost J (lambda 0), on the training part and on the validation
part, with the accuracies beside. The validation part is a stratified hold-out (``holdout``, as
:func:`nn3.holdout_split` draws it) or, with ``cv=K``, each fold in turn of a stratified K-fold
split (:func:`kfold_split`; the table then holds the means over the folds). The chosen lambda is
the one of lowest validation cost (the first listed, on a tie).

:func:`learning_curve` is ex5's ``learningCurve.m``: for each number of examples i, a network
trained on the first i examples of the training part, its cost on those i and on the whole
validation part. "The first i" are taken in a random order drawn by MATLAB's ``rng(seed);
randperm(m_train)``, so that data sorted by class gives every class early, or in the file's
order (``shuffle=False``) as ``learningCurve.m`` takes them.

The evaluations are independent and run at once (:mod:`nn3.workflow.parallel`: on threads of
this process, or on Dask workers, with the same results bit for bit).

The chosen network is then trained as ``nn3 train`` trains it with that lambda
(:meth:`LambdaCurve.final_run`): on the training part with ``holdout``, as ex5 does (the
validation part keeps its role: the file's ``test_accuracy``); on all the data with ``cv`` (the
folds served only to choose), as scikit-learn's ``GridSearchCV`` refits. Its weights file is the
one ``nn3 train --lambda BEST`` writes, plus the table (``lambda_curve``).

The tables, one row per lambda or number of examples (the weights file's ``lambda_curve``,
``learning_curve``):

=================  ==================================================================
column             what
=================  ==================================================================
lambda (or m)      the regularisation strength trained with (the examples trained on)
train_cost         J with lambda 0 on the examples trained on
train_accuracy     their accuracy, percent
val_cost           J with lambda 0 on the validation part
val_accuracy       its accuracy, percent
=================  ==================================================================
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from .._version import __version__
from ..core.network import accuracy, cost_function, predict, unroll
from ..core.rng import MatlabRNG
from ..errors import ParameterConflictError, ParameterError, TrainingError
from ..mat import save_mat
from ..settings import TrainingSettings
from ..validation import format_value, validate, validate_int
from .fitting import FitResult, TrainingRun, prepare, storable_text
from .parallel import run_all
from .training import TrainResult, recorded_settings, train_arrays

#: The columns of :attr:`Curve.table` after the first (``lambda`` or ``m``).
ERROR_COLUMNS = ("train_cost", "train_accuracy", "val_cost", "val_accuracy")

#: ex5.m's lambdas for the validation curve.
EX5_LAMBDAS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)

#: The learning curve's hold-out when none is given.
DEFAULT_HOLDOUT = 0.2

#: Training parts up to this size get every number of examples 1..m, as learningCurve.m does.
EVERY_SIZE_UP_TO = 20

#: Numbers of examples of a learning curve over a larger training part.
DEFAULT_SIZES = 10


# --- checking what the curves are given -----------------------------------------------------------


def check_values(
    name: str, values: object, row: str, kind: str = "real"
) -> tuple[int | float, ...]:
    """A list of settings' values (``lambdas``, ``sizes``), each checked against ``row`` of the
    table, none twice.

    Raises
    ------
    ParameterError
        Naming ``name``: not a list of numbers, empty, a value out of range, a value twice.
    """
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ParameterError(
            name, f"must be a list of {'whole ' if kind == 'int' else ''}numbers", values,
            format_value(values),
        )  # fmt: skip
    items = list(np.asarray(values).reshape(-1)) if isinstance(values, np.ndarray) else list(values)
    if not items:
        raise ParameterError(name, "must list at least one value", values, "none")
    checked = tuple(validate(name, v, row) for v in items)
    seen: set = set()
    for v in checked:
        if v in seen:
            raise ParameterError(name, "must list each value once", v, f"{format_value(v)} twice")
        seen.add(v)
    return checked


def kfold_split(y: npt.ArrayLike, k: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """A stratified K-fold split, reproducible with MATLAB's ``rng(seed)``.

    Each label value, in ascending order, has its examples (in file order) shuffled by
    MATLAB's ``[~, order] = sort(rand(n_c, 1))`` drawn from one ``rng(seed, 'twister')`` stream
    across the labels, as :func:`nn3.holdout_split` shuffles them, and dealt to the folds in
    turn, each label going on from the fold where the previous one stopped: every fold holds
    each label's share, and the folds' sizes differ by one at most.

    Parameters
    ----------
    y : array_like of shape (m,)
        Labels (each distinct value is a stratum).
    k : int
        Folds, 2 <= k <= m.
    seed : int, default 0

    Returns
    -------
    list of (train_idx, val_idx)
        k pairs of 0-based row indices, ascending; the ``val_idx`` are disjoint and cover
        every row.

    Raises
    ------
    ParameterError
        ``k`` below 2 or above the number of examples (naming ``cv``), a bad ``seed``.
    """
    return _folds(np.asarray(y).reshape(-1), validate_int("cv", k), validate_int("seed", seed))


def _folds(y: np.ndarray, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    if k > y.size:
        raise ParameterConflictError(
            "cv", k, f"{{name}} {k} folds need at least {k} examples; the data has {y.size}"
        )
    rng = MatlabRNG(seed)
    fold_of = np.empty(y.size, dtype=np.intp)
    start = 0
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        order = rng.shuffled_order(members.size)
        fold_of[members[order]] = (start + np.arange(members.size)) % k
        start = (start + members.size) % k
    return [(np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)) for f in range(k)]


# --- one evaluation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shared:
    """What every evaluation of a curve shares (sent once to Dask workers).

    Attributes
    ----------
    X : ndarray of shape (m, n)
        Every row the evaluations use (the tasks index it).
    y : ndarray of shape (m,)
        0/1 or 1..K.
    settings : TrainingSettings
        The training settings; each task sets its own ``lambda_``.
    initial_params : ndarray
        The starting weights, the same for every evaluation.
    hidden, K : int
    """

    X: np.ndarray
    y: np.ndarray
    settings: TrainingSettings
    initial_params: np.ndarray
    hidden: int
    K: int


@dataclass(frozen=True)
class Task:
    """One evaluation: train with ``lambda_`` on ``train_rows``, measure on both sets.

    ``normalize``: scale by the training rows' ``featureNormalize`` first (a fold of ``cv``;
    a hold-out's rows come scaled already).
    """

    value: float
    fold: int
    lambda_: float
    train_rows: np.ndarray
    val_rows: np.ndarray
    normalize: bool = False


@dataclass
class Evaluation:
    """The errors of one trained network (a row of the table, or one fold of it).

    Attributes
    ----------
    train_cost, val_cost : float
        J with lambda 0 on the training rows and on the validation rows.
    train_accuracy, val_accuracy : float
        Percent.
    result : TrainResult
        The training (its weights, the optimizer's result, ``interrupted``).
    """

    train_cost: float
    train_accuracy: float
    val_cost: float
    val_accuracy: float
    result: TrainResult = field(repr=False)

    @property
    def errors(self) -> tuple[float, float, float, float]:
        return (self.train_cost, self.train_accuracy, self.val_cost, self.val_accuracy)


def evaluate(shared: Shared, task: Task, stop_event: threading.Event | None = None) -> Evaluation:
    """Train one network of a curve and measure it (run by :func:`nn3.workflow.parallel.run_all`).

    The training is :func:`nn3.workflow.training.train_arrays`' (fmincg, the settings' method
    and precision) from ``shared.initial_params``; the costs are :func:`nn3.cost_function` with
    lambda 0, in double precision. The evaluations use ``shared.settings.threads`` (see
    :meth:`CurveRun.run`); the bits are the same for any number.
    """
    X_train, y_train = shared.X[task.train_rows], shared.y[task.train_rows]
    X_val, y_val = shared.X[task.val_rows], shared.y[task.val_rows]
    if task.normalize:
        from .scaling import apply_normalization, feature_normalize

        X_train, mu, sigma = feature_normalize(X_train)
        X_val = apply_normalization(X_val, mu, sigma)
    settings = replace(shared.settings, lambda_=task.lambda_)
    result = train_arrays(
        X_train, y_train, settings, shared.initial_params, shared.hidden, shared.K,
        stop_event=stop_event,
    )  # fmt: skip
    Theta1, Theta2 = result.Theta1, result.Theta2
    with np.errstate(divide="ignore"):  # a saturated output's log(0): J is Inf, as in MATLAB
        train_cost = cost_function(X_train, y_train, Theta1, Theta2, 0.0)
        val_cost = cost_function(X_val, y_val, Theta1, Theta2, 0.0)
    return Evaluation(
        train_cost=train_cost,
        train_accuracy=result.train_accuracy,
        val_cost=val_cost,
        val_accuracy=accuracy(predict(Theta1, Theta2, X_val), y_val),
        result=result,
    )


# --- curves -----------------------------------------------------------------------------------


@dataclass
class Curve:
    """A table of errors, one row per value (a lambda, or a number of examples).

    Attributes
    ----------
    name : {"lambda_curve", "learning_curve"}
        The weights file's variable.
    columns : tuple of str
        ``("lambda", *ERROR_COLUMNS)`` or ``("m", *ERROR_COLUMNS)``.
    values : tuple of float or int
    evaluations : list of list of Evaluation or None
        Per value, per fold (one with ``holdout``); None where the run was stopped first.
    validation : dict
        ``{"holdout": fraction}`` or ``{"cv": K}``.
    settings : TrainingSettings
    data_file : str
    mapping : LabelMapping or None
        How the labels were numbered.
    """

    name: str
    columns: tuple[str, ...]
    values: tuple
    evaluations: list
    validation: dict
    settings: TrainingSettings
    data_file: str = "<data>"
    mapping: Any = None

    @property
    def table(self) -> np.ndarray:
        """The table, shape (len(values), 5): the value, then :data:`ERROR_COLUMNS`, each the
        mean over the folds; NaN where an evaluation did not run."""
        rows = []
        for value, folds in zip(self.values, self.evaluations, strict=True):
            if any(e is None for e in folds):
                rows.append([value, *[np.nan] * len(ERROR_COLUMNS)])
            else:
                rows.append([value, *np.mean([e.errors for e in folds], axis=0)])
        return np.array(rows, dtype=np.float64).reshape(len(self.values), len(self.columns))

    @property
    def interrupted(self) -> bool:
        """Whether a stop left an evaluation unfinished (or not run)."""
        return any(e is None or e.result.interrupted for f in self.evaluations for e in f)

    @property
    def failed(self) -> list:
        """The values whose training failed (the cost became NaN) in some fold."""
        return [
            v
            for v, folds in zip(self.values, self.evaluations, strict=True)
            if any(e is not None and getattr(e.result.optimize_result, "status", 0) == 3
                   for e in folds)
        ]  # fmt: skip

    def to_variables(self) -> dict:
        """The table as the weights file stores it: ``<name>`` (a matrix), ``<name>_columns`` (a
        1 x 5 cell array of the column names), ``<name>_holdout`` or ``<name>_cv``."""
        names = np.empty((1, len(self.columns)), dtype=object)
        for j, column in enumerate(self.columns):
            names[0, j] = column
        variables: dict = {self.name: self.table, f"{self.name}_columns": names}
        for key, value in self.validation.items():
            variables[f"{self.name}_{key}"] = float(value)
        return variables

    def format(self) -> str:
        """The table as text, one row per value (costs to 6 digits, accuracies in percent)."""
        head = f"{self.columns[0]:>10}  {'train cost':>10}  {'train acc':>9}  {'val cost':>10}  "
        lines = [head + f"{'val acc':>8}"]
        for row in self.table:
            value = format_value(int(row[0]) if self.columns[0] == "m" else float(row[0]))
            cost_tr, acc_tr, cost_val, acc_val = row[1:]
            lines.append(
                f"{value:>10}  {cost_tr:>10.6f}  {acc_tr:>8.2f}%  {cost_val:>10.6f}  "
                f"{acc_val:>7.2f}%"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


@dataclass
class LambdaCurve(Curve):
    """:func:`lambda_curve`'s result: the table, the chosen lambda, and how to train it.

    Its attributes are :class:`Curve`'s and these.

    Attributes
    ----------
    data, y
        What was given (to train the chosen network again, :meth:`final_run`).
    """

    data: Any = field(default=None, repr=False)
    y: Any = field(default=None, repr=False)

    @property
    def best_index(self) -> int:
        """The row of lowest validation cost (the first, on a tie).

        Raises
        ------
        TrainingError
            No row has a validation cost (every training failed, or none ran).
        """
        val_cost = self.table[:, 3]
        if np.all(np.isnan(val_cost)):
            raise TrainingError(
                f"{self.data_file}: no lambda could be chosen: every training failed or was "
                "stopped before it finished"
            )
        return int(np.nanargmin(val_cost))

    @property
    def best_lambda(self) -> float:
        """The chosen lambda."""
        return float(self.values[self.best_index])

    def final_run(self) -> TrainingRun:
        """The training ``nn3 train --lambda BEST`` runs (with the same ``holdout``, or on all the
        data after ``cv``), prepared: ``.run()`` gives its :class:`~nn3.FitResult`."""
        settings = replace(self.settings, lambda_=self.best_lambda)
        return prepare(self.data, self.y, settings)

    def attach(self, result: FitResult) -> ChosenFit:
        """``result`` (of :meth:`final_run`) with this table, for its weights file."""
        return ChosenFit(**vars(result), curve=self)

    def fit(
        self,
        callback: Callable[..., object] | None = None,
        stop_event: threading.Event | None = None,
    ) -> ChosenFit:
        """Train the chosen network (:meth:`final_run`) and attach the table: ``.save(path)``
        writes ``nn3 train``'s file with ``lambda_curve``."""
        return self.attach(self.final_run().run(callback=callback, stop_event=stop_event))


@dataclass
class ChosenFit(FitResult):
    """A :class:`~nn3.FitResult` whose weights file also holds the curve that chose its lambda."""

    curve: Curve | None = None

    def to_variables(self) -> dict:
        variables = super().to_variables()
        if self.curve is not None:
            variables.update(self.curve.to_variables())
        return variables


@dataclass
class LearningCurve(Curve):
    """:func:`learning_curve`'s result.

    Its attributes are :class:`Curve`'s and these.

    Attributes
    ----------
    train_idx : ndarray
        The training part's rows (0-based, in the data), in the order the examples are taken.
    test_idx : ndarray
        The validation part's rows.
    n : int
        Features.
    hidden, K : int
        The network's sizes.
    """

    train_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp), repr=False)
    test_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp), repr=False)
    n: int = 0
    hidden: int = 0
    K: int = 0

    def to_variables(self) -> dict:
        """The table, the rows used (1-based, ``train_idx`` in the order taken) and the
        settings, as a weights file records them."""
        variables = super().to_variables()
        variables.update(
            {
                "train_idx": (self.train_idx + 1.0).reshape(-1, 1),
                "test_idx": (self.test_idx + 1.0).reshape(-1, 1),
                "data_file": storable_text(self.data_file),
                "x_var": self.settings.x_var,
                "y_var": self.settings.y_var,
                "rng": self.settings.rng,
                "nn3_version": __version__,
            }
        )
        recorded = recorded_settings(self.settings, self.n, self.hidden, self.K)
        variables.update({k: v if isinstance(v, str) else float(v) for k, v in recorded.items()})
        return variables

    def save(self, path: str | os.PathLike[str], format: str = "5") -> None:
        """Write :meth:`to_variables` to a .mat file (atomically)."""
        save_mat(path, self.to_variables(), format=format)


# --- the entry points -------------------------------------------------------------------------


def _settings_for_curves(settings: dict, name: str) -> TrainingSettings:
    if "lambda_" in settings and name == "lambda_curve":
        raise TypeError("lambda_curve() takes the values to try as lambdas=, not lambda_=")
    if "client" in settings or "engine" in settings:
        raise TypeError(
            f"{name}() trains in memory; give client= to run its evaluations on Dask workers"
        )
    return TrainingSettings(**settings)


def lambda_curve(
    data: str | os.PathLike[str] | npt.ArrayLike,
    y: npt.ArrayLike | None = None,
    *,
    lambdas: Sequence[float] = EX5_LAMBDAS,
    cv: int | None = None,
    jobs: int | None = None,
    client: Any = None,
    stop_event: threading.Event | None = None,
    progress: Callable[[int, int, Task], object] | None = None,
    **settings: Any,
) -> LambdaCurve:
    """ex5's validation curve: a network per lambda, its training and validation errors.

    Parameters
    ----------
    data, y
        As :func:`nn3.fit`: a data file, or X with its labels.
    lambdas : sequence of float, default ex5's (0, 0.001, 0.003, ..., 3, 10)
        The values to try, each at least 0, none twice; the table keeps their order.
    cv : int, optional
        Validate on each of ``cv`` stratified folds in turn (:func:`kfold_split`, by ``seed``)
        instead of a hold-out; the table holds the means over the folds. Give ``holdout`` or
        ``cv``.
    jobs : int, optional
        Evaluations at once (threads): default one per core; 1 runs them one after another.
    client : distributed.Client or str, optional
        Run the evaluations on Dask workers (``tcp://host:port``, ``local``, ``local:N``).
    stop_event : threading.Event, optional
        When set, the evaluations stop (the table is then incomplete: ``interrupted``).
    progress : callable, optional
        ``progress(done, total, task)`` after each evaluation.
    **settings
        The fields of :class:`~nn3.settings.TrainingSettings` (as :func:`nn3.fit` takes them),
        but ``lambda_``: ``hidden_layer_size``, ``maxiter``, ``seed``, ``holdout``,
        ``normalize``, ``x_var``, ...

    Returns
    -------
    LambdaCurve
        ``table``, ``best_lambda``; ``fit()`` trains the chosen network as :func:`nn3.fit`
        would.

    Raises
    ------
    ParameterError
        A bad list (``lambdas``), ``cv``, ``jobs``, or setting; ``holdout`` and ``cv`` both or
        neither.
    """
    base = _settings_for_curves(settings, "lambda_curve")
    run = prepare_lambda_curve(data, y, base, lambdas, cv, jobs, client)
    return run.run(stop_event=stop_event, progress=progress)


@dataclass
class CurveRun:
    """A curve prepared (:func:`prepare_lambda_curve`, :func:`prepare_learning_curve`): the data
    read and checked, the tasks made, ready to run.

    Attributes
    ----------
    prepared : TrainingRun
        The data as :func:`nn3.workflow.fitting.prepare` read it (``mapping``, ``starting``).
    shared : Shared
    tasks : list of Task
    make : callable
        ``make(evaluations)``: the curve of the evaluations (per value, per fold).
    jobs : int or None
        Evaluations at once; None: one per core, as memory allows.
    client : distributed.Client, str or None
    """

    prepared: TrainingRun
    shared: Shared
    tasks: list
    n_values: int
    make: Callable[[list], Curve]
    jobs: int | None = None
    client: Any = None

    @property
    def task_bytes(self) -> int:
        """About what one evaluation allocates: its copy of the rows, the network's buffers."""
        m, n = self.shared.X.shape
        return 8 * m * n + 32 * m * (self.shared.hidden + self.shared.K)

    def run(
        self,
        callback: Callable[..., object] | None = None,
        stop_event: threading.Event | None = None,
        progress: Callable[[int, int, Task], object] | None = None,
    ) -> Any:
        """Run every evaluation (:func:`nn3.workflow.parallel.run_all`) and make the curve.

        ``callback`` is not called (the evaluations run at once; ``progress(done, total, task)``
        says when each finishes); it is there so that a run is run as a training is.
        """
        tasks = self.tasks
        count = [0]

        def done(i, _result):
            count[0] += 1
            if progress is not None:
                progress(count[0], len(tasks), tasks[i])

        shared = self.shared
        if shared.settings.threads is None and (self.jobs != 1 or self.client is not None):
            # the trainings run at once: each evaluates on one thread (all cores when one
            # after another, jobs=1, unless the settings say)
            shared = replace(shared, settings=replace(shared.settings, threads=1))
        results = run_all(
            evaluate, tasks, shared, self.jobs, self.client, stop_event, done, self.task_bytes
        )
        per_value = len(tasks) // self.n_values
        return self.make(
            [results[i * per_value : (i + 1) * per_value] for i in range(self.n_values)]
        )


def prepare_lambda_curve(
    data: str | os.PathLike[str] | npt.ArrayLike,
    y: npt.ArrayLike | None,
    settings: TrainingSettings,
    lambdas: Sequence[float],
    cv: int | None = None,
    jobs: int | None = None,
    client: Any = None,
) -> CurveRun:
    """:func:`lambda_curve` up to the evaluations, with checked ``settings`` (their
    ``lambda_`` is not used): the lists and the validation checked, the data read."""
    values = check_values("lambdas", lambdas, "lambda_")
    cv = _validation(settings, cv, values)
    jobs = None if jobs is None else validate("jobs", jobs)
    prepared = prepare(data, y, settings if cv is None else replace(settings, normalize=False))
    shared, tasks = _lambda_tasks(prepared, settings, values, cv)

    def make(evaluations: list) -> LambdaCurve:
        return LambdaCurve(
            name="lambda_curve",
            columns=("lambda", *ERROR_COLUMNS),
            values=values,
            evaluations=evaluations,
            validation={"holdout": settings.holdout} if cv is None else {"cv": cv},
            settings=settings,
            data_file=prepared.data_file,
            mapping=prepared.mapping,
            data=data,
            y=y,
        )

    return CurveRun(prepared, shared, tasks, len(values), make, jobs, client)


def _validation(settings: TrainingSettings, cv: int | None, lambdas: tuple) -> int | None:
    """Check how the curve validates, ``holdout`` or ``cv`` (one of them), in memory; the
    checked ``cv``."""
    if cv is not None:
        cv = validate("cv", cv)
        if settings.holdout is not None:
            raise ParameterConflictError(
                "cv", cv, "{name} and {holdout} are two ways to validate; give one of them",
                {"holdout": settings.holdout},
            )  # fmt: skip
    elif settings.holdout is None:
        raise ParameterConflictError(
            "lambdas",
            list(lambdas),
            "choosing among {name} needs a validation set: give {holdout} (a fraction held "
            "out) or {cv} (a number of folds)",
            {"holdout": None, "cv": None},
        )
    engine = settings.requested_engine()
    if engine not in (None, "memory"):
        raise ParameterConflictError(
            "lambdas", list(lambdas), "{name} are evaluated in memory; they cannot be combined "
            "with {engine=}", {"engine": engine},
        )  # fmt: skip
    return cv


def _lambda_tasks(
    run: TrainingRun, settings: TrainingSettings, lambdas: tuple, cv: int | None
) -> tuple[Shared, list[Task]]:
    """The shared data and one task per lambda (and fold); with ``cv`` each fold is scaled by
    its own training rows when ``settings.normalize``."""
    assert run.X is not None  # in memory
    params0 = unroll(run.starting.Theta1, run.starting.Theta2)
    hidden, K = run.starting.Theta1.shape[0], run.starting.Theta2.shape[0]
    if cv is None:  # the hold-out: training rows then validation rows
        assert run.X_test is not None and run.y_test is not None
        X, y = np.vstack([run.X, run.X_test]), np.concatenate([run.y, run.y_test])
        m_train = run.X.shape[0]
        splits = [(np.arange(m_train), np.arange(m_train, X.shape[0]))]
        normalize = False
    else:
        X, y = run.X, run.y
        splits = _folds(y, cv, settings.seed)
        normalize = settings.normalize
    shared = Shared(X, y, settings, params0, hidden, K)
    tasks = [
        Task(lam, f, lam, tr, val, normalize)
        for lam in lambdas
        for f, (tr, val) in enumerate(splits)
    ]
    return shared, tasks


def learning_curve(
    data: str | os.PathLike[str] | npt.ArrayLike,
    y: npt.ArrayLike | None = None,
    *,
    sizes: Sequence[int] | None = None,
    shuffle: bool = True,
    jobs: int | None = None,
    client: Any = None,
    stop_event: threading.Event | None = None,
    progress: Callable[[int, int, Task], object] | None = None,
    **settings: Any,
) -> LearningCurve:
    """ex5's learning curve: the errors against the number of training examples.

    For each number i of ``sizes``, a network trained (from the same starting weights, with
    the settings' ``lambda_``) on the first i examples of the training part; its cost (lambda 0)
    and accuracy on those i, and on the whole validation part.

    Parameters
    ----------
    data, y
        As :func:`nn3.fit`.
    sizes : sequence of int, optional
        Numbers of examples, each 1..m_train, none twice. Default: every number 1..m_train up to
        20 training examples (as learningCurve.m), else 10 numbers evenly spaced from a tenth of
        them to all.
    shuffle : bool, default True
        Take the examples in MATLAB's ``rng(seed); randperm(m_train)`` order; False: in the
        file's order, as learningCurve.m does (data sorted by class then starts with one class).
    jobs, client, stop_event, progress
        As :func:`lambda_curve`.
    **settings
        The fields of :class:`~nn3.settings.TrainingSettings`; ``holdout`` defaults to 0.2.

    Returns
    -------
    LearningCurve
    """
    settings.setdefault("holdout", DEFAULT_HOLDOUT)
    base = _settings_for_curves(settings, "learning_curve")
    run = prepare_learning_curve(data, y, base, sizes, shuffle, jobs, client)
    return run.run(stop_event=stop_event, progress=progress)


def prepare_learning_curve(
    data: str | os.PathLike[str] | npt.ArrayLike,
    y: npt.ArrayLike | None,
    settings: TrainingSettings,
    sizes: Sequence[int] | None = None,
    shuffle: bool = True,
    jobs: int | None = None,
    client: Any = None,
) -> CurveRun:
    """:func:`learning_curve` up to the evaluations, with checked ``settings`` (which must
    give ``holdout``)."""
    if settings.holdout is None:
        raise ParameterConflictError(
            "holdout", None, "a learning curve needs a validation set: give {name}"
        )
    _validation(settings, None, ())
    shuffle = validate("shuffle", shuffle)
    jobs = None if jobs is None else validate("jobs", jobs)
    run = prepare(data, y, settings)
    assert run.X is not None and run.X_test is not None and run.y_test is not None
    assert run.split is not None
    m_train = run.X.shape[0]
    values = _sizes(sizes, m_train)
    order = MatlabRNG(settings.seed).shuffled_order(m_train) if shuffle else np.arange(m_train)
    X = np.vstack([run.X[order], run.X_test])
    y_all = np.concatenate([run.y[order], run.y_test])
    Theta1, Theta2 = run.starting.Theta1, run.starting.Theta2
    hidden, K = Theta1.shape[0], Theta2.shape[0]
    shared = Shared(X, y_all, settings, unroll(Theta1, Theta2), hidden, K)
    val_rows = np.arange(m_train, X.shape[0])
    tasks = [Task(i, 0, settings.lambda_, np.arange(i), val_rows) for i in values]
    split = run.split

    def make(evaluations: list) -> LearningCurve:
        return LearningCurve(
            name="learning_curve",
            columns=("m", *ERROR_COLUMNS),
            values=values,
            evaluations=evaluations,
            validation={"holdout": settings.holdout},
            settings=settings,
            data_file=run.data_file,
            mapping=run.mapping,
            train_idx=split["train_idx"][order],
            test_idx=split["test_idx"],
            n=X.shape[1],
            hidden=hidden,
            K=K,
        )

    return CurveRun(run, shared, tasks, len(values), make, jobs, client)


def _sizes(sizes: Sequence[int] | None, m_train: int) -> tuple:
    """The numbers of examples of a learning curve, checked against the training part."""
    if sizes is None:
        if m_train <= EVERY_SIZE_UP_TO:
            return tuple(range(1, m_train + 1))
        spaced = np.floor(np.linspace(m_train / DEFAULT_SIZES, m_train, DEFAULT_SIZES) + 0.5)
        return tuple(int(s) for s in np.unique(spaced))
    checked = check_values("sizes", sizes, "m", kind="int")
    for i in checked:
        if i > m_train:
            raise ParameterConflictError(
                "sizes", i, f"{{name}} {i}: the training part has {m_train} examples"
            )
    return checked
