"""Training from data of any size with an engine: what ``nn3 train --stream/--dask`` runs.

The flow of :func:`nn3.train` (MATLAB ``rng(seed)`` initial weights, fmincg, the best weights kept
on interruption, training accuracy), with the cost and gradient from an engine's row blocks and
the accuracy from block predictions, so X is never loaded whole. The result is the same
:class:`nn3.TrainResult`, so the weights file stays as today whichever engine ran.
"""

import threading

import numpy as np

from ..core.network import roll, unroll
from ..core.optimize import fmincg
from ..core.rng import MatlabRNG, rand_initialize_weights
from ..workflow.training import TrainResult, check_settings, infer_num_labels
from .labels import check_label_values
from .objective import make_engine_objective
from .predict import predict_blocks
from .source import open_source


class _Interrupted(Exception):
    pass


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
    if initial_params is None:
        rng = MatlabRNG(settings["seed"])
        Theta1 = rand_initialize_weights(n, hidden_layer_size, epsilon_init, rng)
        Theta2 = rand_initialize_weights(hidden_layer_size, K, epsilon_init, rng)
        initial_params = unroll(Theta1, Theta2)
    else:
        initial_params = np.asarray(initial_params, dtype=np.float64).reshape(-1)
        roll(initial_params, n, hidden_layer_size, K)
    stop_event = stop_event or threading.Event()
    best = {"f": np.inf, "x": initial_params, "nfev": 0}
    history = []
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

        def watched(x):
            f, g = objective(x)
            best["nfev"] += 1
            if f < best["f"]:
                best["f"], best["x"] = f, x.copy()
            if progress is not None:
                progress(objective.progress)
            if stop_event.is_set():
                raise _Interrupted
            return f, g

        def on_iteration(intermediate_result):
            history.append(intermediate_result.fun)
            if callback is not None:
                callback(intermediate_result)

        interrupted = False
        try:
            res = fmincg(watched, initial_params, maxiter=maxiter, callback=on_iteration)
            params = res.x
        except _Interrupted:
            from scipy.optimize import OptimizeResult

            interrupted, params = True, best["x"]
            res = OptimizeResult(
                x=params,
                fun=float(best["f"]),
                fun_history=np.array(history),
                nit=len(history),
                nfev=best["nfev"],
                success=False,
                status=130,
                message="Interrupted.",
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
