"""Training from data of any size with an engine: what ``nn3 train --stream/--dask`` runs.

The flow of :func:`nn3.train` (MATLAB ``rng(seed)`` initial weights, fmincg, the best weights kept
on interruption, training accuracy), with the cost and gradient from an engine's row blocks and
the accuracy from block predictions, so X is never loaded whole. The result is the same
:class:`nn3.TrainResult`, so the weights file stays as today whichever engine ran.
"""

import os
from dataclasses import dataclass

import numpy as np

from ..core.network import roll, unroll
from ..core.optimize import fmincg
from ..workflow.starting_weights import StartingWeights
from ..workflow.training import (
    TrainResult,
    check_settings,
    infer_num_labels,
    run_optimizer,
    starting_params,
)
from .labels import check_label_values
from .objective import make_engine_objective
from .predict import predict_blocks
from .source import open_source


def train_blocks(
    X,
    y,
    hidden_layer_size: int = 25,
    lambda_: float = 1.0,
    maxiter: int = 50,
    seed: int = 0,
    num_labels: int | None = None,
    initial_params=None,
    epsilon_init: float = 0.12,
    callback=None,
    stop_event=None,
    *,
    engine: str = "stream",
    client=None,
    block_rows: int | None = None,
    x_var: str = "X",
    progress=None,
) -> TrainResult:
    """Train the network with fmincg, the cost and gradient evaluated by an engine.

    Parameters
    ----------
    X : ndarray, h5py.Dataset, dask.array.Array, (path, variable), str or os.PathLike
        m x n data; a path is a v7.3 file (variable ``x_var``).
    y : array_like of shape (m,)
        Labels (see :func:`nn3.engines.labels.read_labels` for a file's).
    hidden_layer_size, lambda_, maxiter, seed, num_labels, initial_params, epsilon_init
        As :func:`nn3.train`.
    callback : callable, optional
        ``callback(intermediate_result)`` after each fmincg iteration.
    stop_event : threading.Event, optional
        As :func:`nn3.train`: stop after the current evaluation, keep the best weights.
    engine : {"stream", "dask", "memory"}, default "stream"
    client : distributed.Client or str, optional
        For ``engine="dask"``: a client or an address (``tcp://host:port``, ``local[:N]``).
    block_rows : int, optional
    x_var : str, default "X"
    progress : callable, optional
        ``progress(objective.progress)`` after every evaluation (evaluations/s, rows/s).

    Returns
    -------
    TrainResult
        ``settings`` also records ``engine`` and ``block_rows``.
    """
    settings = check_settings(
        hidden_layer_size=hidden_layer_size,
        lambda_=lambda_,
        maxiter=maxiter,
        num_labels=num_labels,
        epsilon_init=epsilon_init,
        seed=seed,
    )
    y = check_label_values(y, num_labels=num_labels)
    source = open_source(X, x_var)
    n = source.shape[1]
    K = infer_num_labels(y) if num_labels is None else int(num_labels)
    initial_params = starting_params(
        initial_params, n, hidden_layer_size, K, epsilon_init, settings["seed"]
    )
    with make_engine_objective(
        source,
        y,
        n,
        hidden_layer_size,
        K,
        lambda_,
        engine=engine,
        client=client,
        block_rows=block_rows,
    ) as objective:
        res, params, interrupted = run_optimizer(
            fmincg,
            objective,
            initial_params,
            maxiter,
            callback,
            stop_event,
            None if progress is None else (lambda: progress(objective.progress)),
        )
        Theta1, Theta2 = (np.array(t) for t in roll(params, n, hidden_layer_size, K))
        block_rows = objective.block_rows
        if engine == "dask":  # while the objective's client (maybe one it started) is open
            client = objective._owned_client or client
            acc = _accuracy(Theta1, Theta2, source, y, "dask", client, block_rows)
    if engine != "dask":  # after the objective freed its buffers: one set in memory at a time
        acc = _accuracy(Theta1, Theta2, open_source(X, x_var), y, "stream", None, block_rows)
    return TrainResult(
        Theta1=Theta1,
        Theta2=Theta2,
        initial_params=initial_params,
        optimize_result=res,
        train_accuracy=acc,
        interrupted=interrupted,
        settings={
            "input_layer_size": n,
            "hidden_layer_size": hidden_layer_size,
            "num_labels": K,
            "lambda": float(lambda_),
            "maxiter": int(maxiter),
            "seed": int(seed),
            "epsilon_init": float(epsilon_init),
            "engine": engine,
            "block_rows": block_rows,
        },
    )


def _accuracy(Theta1, Theta2, source, y, engine, client, block_rows):
    """Training accuracy (percent) from block predictions, nothing written."""
    return predict_blocks(
        Theta1, Theta2, source, y=y, engine=engine, client=client, block_rows=block_rows
    )["accuracy"]


def auto_engine(data, x_var: str = "X") -> str:
    """The engine ``nn3 train DATA`` uses by default: ``"stream"`` for a v7.3 file whose X does
    not fit in memory (:func:`nn3.engines.choose_engine`), else ``"memory"`` (today's path).

    Anything that is not a readable v7.3 file with a numeric X gives ``"memory"``, whose loader
    then reports the problem as it always has.
    """
    from ..errors import Nn3Error
    from .objective import choose_engine

    if not isinstance(data, (str, os.PathLike)):
        return "memory"
    try:
        source = open_source(data, x_var)
    except (Nn3Error, OSError, ValueError):
        return "memory"
    try:
        return choose_engine(source)
    finally:
        source.close()


@dataclass
class BlockTrainingRun:
    """Training prepared by :func:`prepare_blocks`: labels and starting weights, X left on disk.

    Attributes
    ----------
    data : str
        The v7.3 file (or the array source) X is read from, by row blocks.
    y : ndarray of shape (m,)
    starting : nn3.workflow.starting_weights.StartingWeights
    settings : dict
        ``lambda_``, ``maxiter``, ``seed``, ``epsilon_init``, ``num_labels``.
    engine : {"stream", "dask", "memory"}
    block_rows : int or None
    client : distributed.Client, str or None
    x_var : str
    """

    data: object
    y: np.ndarray
    starting: "StartingWeights"
    settings: dict
    engine: str
    block_rows: "int | None" = None
    client: object = None
    x_var: str = "X"

    def run(self, callback=None, stop_event=None, progress=None) -> TrainResult:
        """Train (:func:`train_blocks`); ``progress(counts)`` after every evaluation."""
        s = self.settings
        Theta1, Theta2 = self.starting.Theta1, self.starting.Theta2
        return train_blocks(
            self.data,
            self.y,
            hidden_layer_size=Theta1.shape[0],
            lambda_=s["lambda_"],
            maxiter=s["maxiter"],
            seed=s["seed"],
            num_labels=Theta2.shape[0],
            initial_params=unroll(Theta1, Theta2),
            epsilon_init=s["epsilon_init"],
            callback=callback,
            stop_event=stop_event,
            engine=self.engine,
            client=self.client,
            block_rows=self.block_rows,
            x_var=self.x_var,
            progress=progress,
        )


def prepare_blocks(
    data,
    *,
    hidden_layer_size: "int | None" = None,
    lambda_: float = 1.0,
    maxiter: int = 50,
    seed: int = 0,
    num_labels: "int | None" = None,
    epsilon_init: float = 0.12,
    init=None,
    init_var: "str | None" = None,
    rng: str = "matlab",
    x_var: str = "X",
    y_var: str = "y",
    engine: str = "stream",
    block_rows: "int | None" = None,
    client=None,
) -> BlockTrainingRun:
    """What :func:`nn3.workflow.fitting.prepare` does, for a v7.3 file X too large to load.

    X's size comes from the file's header, y is read whole (:func:`~.labels.read_labels`), the
    starting weights as in memory (random by ``rng``, or ``init``), the options are checked; X
    itself is never read here. Parameters as :func:`nn3.fit`, plus ``engine``, ``block_rows``,
    ``client`` (see :func:`nn3.engines.make_engine_objective`).

    Returns
    -------
    BlockTrainingRun
    """
    from ..core.octave_rng import ENGINES as RNG_ENGINES
    from ..errors import OptionError
    from ..workflow.starting_weights import (
        check_against_data,
        load_starting_weights,
        random_weights,
    )
    from .labels import read_labels
    from .objective import ENGINES

    if engine not in ENGINES:
        raise OptionError(f"unknown engine {engine!r} (use one of {', '.join(ENGINES)})")
    if block_rows is not None and (int(block_rows) != block_rows or block_rows < 1):
        raise OptionError(f"--block-rows must be a whole number of at least 1, got {block_rows}")
    settings = check_settings(
        hidden_layer_size=hidden_layer_size,
        lambda_=lambda_,
        maxiter=maxiter,
        num_labels=num_labels,
        epsilon_init=epsilon_init,
        seed=seed,
    )
    rng = str(rng).lower()
    if rng not in RNG_ENGINES:
        raise OptionError(f"--rng must be one of {', '.join(RNG_ENGINES)}, got {rng!r}")
    if engine == "dask":  # say now, before reading anything, when the extra is missing
        from .dask_engine import _distributed

        _distributed()
    source = open_source(data, x_var)
    try:
        m, n = source.shape
    finally:
        source.close()
    path = os.fspath(data)
    y = read_labels(path, y_var, m)
    hidden = settings.get("hidden_layer_size")
    K = num_labels if num_labels is not None else infer_num_labels(y)
    check_label_values(y, path, y_var, K)
    if init is not None:
        starting = load_starting_weights(init, n, K, hidden, init_var, n_examples=m)
        check_against_data(starting, init, path, n, m, hidden)
        if starting.Theta2.shape[0] != K:
            raise OptionError(
                f"{init}: Theta2 has {starting.Theta2.shape[0]} output units but the labels "
                f"need {K}"
            )
    else:
        hidden = 25 if hidden is None else hidden
        starting = random_weights(n, hidden, K, epsilon_init, settings["seed"], rng)
    return BlockTrainingRun(
        data=path,
        y=y,
        starting=starting,
        settings={
            "lambda_": lambda_,
            "maxiter": maxiter,
            "seed": seed,
            "epsilon_init": epsilon_init,
        },
        engine=engine,
        block_rows=None if block_rows is None else int(block_rows),
        client=client,
        x_var=x_var,
    )
