"""Independent evaluations run at once: one after another, on threads, or on Dask workers.

What the lambda and learning curves need (:mod:`nn3.workflow.model_selection`): many trainings
that share the data and nothing else. :func:`run_all` runs ``function(shared, task, stop_event)``
for each task and returns the results in the tasks' order:

- serially (``jobs=1``), or on ``jobs`` threads of this process (the default: one per core this
  process may use). The threads share the data; numpy's products release the GIL, and each
  training has its own buffers;
- on the workers of a Dask cluster (``client``: a ``distributed.Client``, or an address as the
  Dask engine takes it, ``tcp://host:port``, ``local``, ``local:N``), the shared data sent once.

The same bits whichever way: every training evaluates its cost and gradient in fixed row blocks,
each with BLAS on one thread, summed in block order (:mod:`nn3.core.threads`), so a product is
computed the same way however many evaluations run beside it, from whichever thread, and on
whichever machine of the same kind. The curves give each training one thread for its
evaluations when the trainings run at once
(:meth:`nn3.workflow.model_selection.CurveRun.run`). BLAS is also kept to one thread around all
the evaluations (:func:`one_blas_thread`, also in each task on a Dask worker process).

Stopping: once ``stop_event`` is set, a running evaluation stops at its next function
evaluation (:func:`nn3.workflow.training.run_optimizer` checks it) and the tasks not started are
not run (their results are None); Dask tasks not finished are cancelled.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, ThreadPoolExecutor, wait
from typing import Any

from ..core.threads import available_cores, blas_thread, single_threaded_blas
from ..errors import ClusterError

#: How often (seconds) the wait for Dask results looks at ``stop_event``.
POLL_SECONDS = 0.2


def default_jobs(n_tasks: int, task_bytes: int = 0) -> int:
    """Threads for ``n_tasks`` evaluations: one per available core, at most one per task, and no
    more than half the memory available now holds (``task_bytes`` each)."""
    jobs = min(n_tasks, available_cores())
    if task_bytes > 0:
        from ..engines.labels import available_memory

        jobs = min(jobs, available_memory() // 2 // task_bytes)
    return max(1, jobs)


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS limited to one thread meanwhile, in this process, from any thread
    (:func:`nn3.core.threads.single_threaded_blas`; counted, so overlapping uses never lift it
    under one another)."""
    with single_threaded_blas(), blas_thread():
        yield


def run_all(
    function: Callable[[Any, Any, threading.Event | None], Any],
    tasks: Sequence[Any],
    shared: Any,
    jobs: int | None = None,
    client: Any = None,
    stop_event: threading.Event | None = None,
    done: Callable[[int, Any], object] | None = None,
    task_bytes: int = 0,
) -> list[Any]:
    """``function(shared, task, stop_event)`` for every task; the results in the tasks' order.

    Parameters
    ----------
    function : callable
        A module-level function (Dask sends it to the workers by reference).
    tasks : sequence
        What differs between the evaluations (small, picklable).
    shared : object
        What they share (the data): passed by reference to threads, sent once to Dask workers.
    jobs : int, optional
        Evaluations at once in this process: default :func:`default_jobs` (of ``task_bytes``,
        what one evaluation allocates); 1 runs them one after another in the calling thread.
        Ignored with ``client``.
    client : distributed.Client or str, optional
        Run on Dask workers instead (an address is connected to, and the client it makes closed
        at the end).
    stop_event : threading.Event, optional
    done : callable, optional
        ``done(i, result)`` in the calling thread after task ``i`` finished.
    task_bytes : int, optional

    Returns
    -------
    list
        One result per task; None for a task that did not run because ``stop_event`` was set.
    """
    with one_blas_thread():  # here too for Dask: its workers may be threads of this process
        if client is not None:
            return _run_dask(function, tasks, shared, client, stop_event, done)
        jobs = default_jobs(len(tasks), task_bytes) if jobs is None else jobs
        return _run_here(function, tasks, shared, jobs, stop_event, done)


def _run_here(function, tasks, shared, jobs, stop_event, done):
    results: list[Any] = [None] * len(tasks)
    stop = stop_event or threading.Event()

    def one(i):
        if stop.is_set():
            return None
        return function(shared, tasks[i], stop)

    if jobs == 1:
        for i in range(len(tasks)):
            results[i] = one(i)
            if results[i] is not None and done is not None:
                done(i, results[i])
        return results
    with ThreadPoolExecutor(jobs, thread_name_prefix="nn3-eval") as pool:
        pending = {pool.submit(one, i): i for i in range(len(tasks))}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    i = pending.pop(future)
                    results[i] = future.result()
                    if results[i] is not None and done is not None:
                        done(i, results[i])
        except BaseException:  # an error (or Ctrl-C): the others stop at their next step
            stop.set()
            for future in pending:
                future.cancel()
            raise
    return results


def _on_worker(function, shared, task):
    """Task on a Dask worker: ``function`` with BLAS on one thread, as :func:`run_all` runs it."""
    with one_blas_thread():
        return function(shared, task, None)


def _run_dask(function, tasks, shared, client, stop_event, done):
    from ..engines.dask_engine import TIMEOUTS, connect

    own = isinstance(client, str)
    if own:
        client = connect(client)
    try:
        import distributed
        from distributed.scheduler import KilledWorker

        [remote] = client.scatter([shared], broadcast=True)
        futures = [client.submit(_on_worker, function, remote, task, pure=False) for task in tasks]
        index = {future.key: i for i, future in enumerate(futures)}
        results: list[Any] = [None] * len(tasks)
        pending = set(futures)
        while pending:
            if stop_event is not None and stop_event.is_set():
                client.cancel(list(pending))
                break
            try:
                finished = distributed.wait(
                    list(pending), timeout=POLL_SECONDS, return_when="FIRST_COMPLETED"
                ).done
            except TIMEOUTS:
                continue
            for future in finished:
                pending.discard(future)
                i = index[future.key]
                try:
                    results[i] = future.result()
                except CancelledError:  # distributed's is a subclass
                    continue
                except KilledWorker as exc:
                    raise ClusterError(
                        f"Dask lost the workers of an evaluation and could not finish it ({exc})"
                    ) from None
                if done is not None:
                    done(i, results[i])
        return results
    finally:
        if own:
            client.close()
