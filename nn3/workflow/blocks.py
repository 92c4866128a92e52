"""Training with an engine, X read by row blocks: what ``nn3 train`` runs for a file too large.

The flow of :func:`nn3.train` (the same starting weights, fmincg, the best weights kept on
interruption, the training accuracy), with the cost and gradient from an engine's row blocks
(:func:`nn3.engines.make_engine_objective`: streamed from a v7.3 file, or on Dask workers) and
the accuracy from block predictions, so X is never loaded whole. The result is the same
:class:`~nn3.workflow.training.TrainResult`, so the weights file is the same whichever engine
ran, plus ``engine`` and ``block_rows``.

:func:`prepare_blocks` reads what is small (X's size from the file's header, the labels) and
chooses the starting weights, for :func:`nn3.workflow.fitting.prepare`; :func:`run_blocks`
trains with checked settings; :func:`train_blocks` is the entry for arrays, sources and files.
"""

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..core.network import unroll
from ..engines import make_engine_objective
from ..engines.labels import read_labels
from ..engines.predict import predict_blocks
from ..engines.source import open_source
from ..settings import TrainingSettings
from ..validation import check_labels
from .data import infer_num_labels
from .starting_weights import StartingWeights, starting_weights_for
from .training import TrainResult, train_objective


@dataclass
class BlockTrainingRun:
    """Training prepared by :func:`prepare_blocks`: labels and starting weights, X left on disk.

    Attributes
    ----------
    data : str
        The v7.3 file X is read from, by row blocks.
    y : ndarray of shape (m,)
    starting : StartingWeights
    settings : TrainingSettings
    engine : {"stream", "dask"}
    """

    data: str
    y: np.ndarray
    starting: StartingWeights
    settings: TrainingSettings
    engine: str

    def run(self, callback=None, stop_event=None, progress=None) -> TrainResult:
        """Train (:func:`run_blocks`); ``progress(counts)`` after every evaluation."""
        Theta1, Theta2 = self.starting.Theta1, self.starting.Theta2
        return run_blocks(
            self.data, self.y, self.settings, self.engine, unroll(Theta1, Theta2),
            Theta1.shape[0], Theta2.shape[0], callback, stop_event, progress,
        )  # fmt: skip


def prepare_blocks(data, settings: TrainingSettings, engine: str) -> BlockTrainingRun:
    """What :func:`nn3.workflow.fitting.prepare` does, for a v7.3 file X read by row blocks.

    X's size comes from the file's header, y is read whole
    (:func:`nn3.engines.read_labels`), the starting weights as in memory
    (:func:`~nn3.workflow.starting_weights.starting_weights_for`); X itself is not read here.
    For the Dask engine, a missing extra or a malformed address is said before anything is
    read.

    Parameters
    ----------
    data : str or os.PathLike
    settings : TrainingSettings
        Checked; ``x_var``, ``y_var``, ``num_labels``, the starting weights' settings,
        ``client``, ``block_rows``.
    engine : {"stream", "dask"}
    """
    if engine == "dask":
        from ..engines.dask_engine import parse_address, require_distributed

        require_distributed()
        if isinstance(settings.client, str):
            parse_address(settings.client)
    source = open_source(data, settings.x_var)
    try:
        m, n = source.shape
    finally:
        source.close()
    path = os.fspath(data)
    y = read_labels(path, settings.y_var, m, num_labels=settings.num_labels)
    K = infer_num_labels(y) if settings.num_labels is None else settings.num_labels
    starting = starting_weights_for(settings, path, n, m, y, K, settings.num_labels is not None)
    return BlockTrainingRun(path, y, starting, settings, engine)


def run_blocks(
    X: Any,
    y: np.ndarray,
    settings: TrainingSettings,
    engine: str,
    initial_params: npt.ArrayLike | None = None,
    hidden: int | None = None,
    K: int | None = None,
    callback: Callable[..., object] | None = None,
    stop_event: threading.Event | None = None,
    progress: Callable[..., object] | None = None,
) -> TrainResult:
    """Train with an engine's objective; checked labels and settings (nothing checked again).

    Parameters
    ----------
    X : ndarray, h5py.Dataset, dask.array.Array, (path, variable), str or os.PathLike
        m x n data; a path is a v7.3 file (variable ``settings.x_var``).
    y : ndarray of shape (m,)
        Labels, checked (0/1 or 1..K).
    settings : TrainingSettings
    engine : {"stream", "dask", "memory"}
    initial_params : array_like, optional
        Unrolled starting weights; random by ``settings`` when None.
    hidden, K : int, optional
        The network's sizes (default: ``settings.hidden``; ``settings.num_labels`` or from y).
    callback, stop_event
        As :func:`nn3.train`.
    progress : callable, optional
        ``progress(objective.progress)`` after every evaluation (evaluations/s, rows/s).

    Returns
    -------
    TrainResult
        ``settings`` also records ``engine`` and ``block_rows``.
    """
    source = open_source(X, settings.x_var)
    n = source.shape[1]
    hidden = settings.hidden if hidden is None else hidden
    if K is None:
        K = infer_num_labels(y) if settings.num_labels is None else settings.num_labels
    with make_engine_objective(
        source, y, n, hidden, K, settings.lambda_,
        engine=engine, client=settings.client, block_rows=settings.block_rows,
    ) as objective:  # fmt: skip
        block_rows = objective.block_rows
        accuracy_of = None
        if engine == "dask":  # while the objective's client (maybe one it started) is open

            def accuracy_of(Theta1, Theta2):
                return _accuracy(Theta1, Theta2, source, y, "dask", objective.client, block_rows)

        result = train_objective(
            objective, settings, n, hidden, K, initial_params, accuracy_of, callback, stop_event,
            None if progress is None else (lambda: progress(objective.progress)),
        )  # fmt: skip
    if engine != "dask":  # after the objective freed its buffers: one set in memory at a time
        source = open_source(X, settings.x_var)
        result.train_accuracy = _accuracy(
            result.Theta1, result.Theta2, source, y, "stream", None, block_rows
        )
    result.settings.update(engine=engine, block_rows=block_rows)
    return result


def _accuracy(Theta1, Theta2, source, y, engine, client, block_rows):
    """Training accuracy (percent) from block predictions, nothing written."""
    return predict_blocks(
        Theta1, Theta2, source, y=y, engine=engine, client=client, block_rows=block_rows
    )["accuracy"]


def train_blocks(
    X: Any,
    y: npt.ArrayLike,
    *,
    engine: str = "stream",
    client: Any = None,
    block_rows: int | None = None,
    x_var: str = "X",
    initial_params: npt.ArrayLike | None = None,
    callback: Callable[..., object] | None = None,
    stop_event: threading.Event | None = None,
    progress: Callable[..., object] | None = None,
    **settings: Any,
) -> TrainResult:
    """Train the network with fmincg, the cost and gradient evaluated by an engine.

    Parameters
    ----------
    X : ndarray, h5py.Dataset, dask.array.Array, (path, variable), str or os.PathLike
        m x n data; a path is a v7.3 file (variable ``x_var``).
    y : array_like of shape (m,)
        Labels (see :func:`nn3.engines.read_labels` for a file's).
    engine : {"stream", "dask", "memory"}, default "stream"
    client : distributed.Client or str, optional
        For ``engine="dask"``: a client or an address (``tcp://host:port``, ``local[:N]``).
    block_rows : int, optional
    x_var : str, default "X"
    initial_params, callback, stop_event
        As :func:`nn3.train`.
    progress : callable, optional
        ``progress(objective.progress)`` after every evaluation (evaluations/s, rows/s).
    **settings
        ``hidden_layer_size``, ``lambda_``, ``maxiter``, ``seed``, ``num_labels``,
        ``epsilon_init``, ``rng``: as :func:`nn3.train`.

    Returns
    -------
    TrainResult
        ``settings`` also records ``engine`` and ``block_rows``.
    """
    checked = TrainingSettings(
        engine=engine, client=client, block_rows=block_rows, x_var=x_var, **settings
    )
    labels = check_labels(y, num_labels=checked.num_labels)
    return run_blocks(
        X, labels, checked, engine, initial_params,
        callback=callback, stop_event=stop_event, progress=progress,
    )  # fmt: skip
