"""Threads for one evaluation: how many, BLAS kept to one thread meanwhile, and a small pool.

The evaluator of :mod:`nn3.core.network` cuts X into a fixed partition of row blocks and hands
the blocks to ``threads`` threads from the pool here. numpy releases the GIL in its matrix
products and element-wise loops, so the threads run at the same time on different cores. Each
block's products run in single-threaded BLAS (:func:`single_threaded_blas`): the cores are busy
with blocks already, and a block's sums must not depend on how a multi-threaded BLAS would split
them. Which thread evaluates which block changes nothing in the result (see
:class:`nn3.core.network._Evaluator`).

**Which threads, on which cores.** When ``threads`` equals the cores this process may use (the
default), each of ``threads`` helper threads is bound to one of those cores and the calling thread
waits. Otherwise the calling thread evaluates blocks too, beside ``threads - 1`` unbound helpers.
Binding is what keeps the threads on different cores: they hand the GIL to one another between
numpy calls, and each hand-over wakes a sleeping thread, which Linux tends to wake on the core
of the thread that woke it; unbound, two evaluating threads were seen sharing one core of a
2-core machine for tens of milliseconds at a time, at the speed of one thread (measured in
``benchmarks/README.md``). Fewer threads than cores are left unbound, so that several processes
spread over the cores (an evaluation uses no more threads than it has row blocks, so small data
on many cores is not bound either). ``NN3_BIND_THREADS=0`` turns binding off. Where the OS has
no CPU affinity (macOS, Windows) nothing is bound.

The pool's threads are daemon threads that wait on a condition variable between jobs; they are
made when first needed, kept for later evaluations, and forgotten in a child process after
``fork``.
"""

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from ..validation import MAX_THREADS, SETTINGS

__all__ = [
    "MAX_THREADS",
    "available_cores",
    "blas_is_controlled",
    "blas_thread",
    "check_threads",
    "default_threads",
    "run_on_threads",
    "single_threaded_blas",
]


def available_cores() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one).

    Returns
    -------
    cores : int
        At least 1.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS and Windows have no affinity mask here
        return max(1, os.cpu_count() or 1)


def default_threads() -> int:
    """Threads per evaluation when none are given: the cores available.

    One when the BLAS's thread count cannot be set (:func:`blas_is_controlled`): evaluation
    threads would then each run a multi-threaded BLAS.
    """
    return available_cores() if blas_is_controlled() else 1


def check_threads(threads: object) -> int:
    """The ``threads`` parameter as an ``int``; ``None`` means :func:`default_threads`.

    Parameters
    ----------
    threads : int or None
        A whole number from 1 to :data:`MAX_THREADS` (more than the cores is allowed: the
        result is the same, only slower).

    Returns
    -------
    threads : int

    Raises
    ------
    ParameterError
        Naming ``threads``.
    """
    if threads is None:
        return default_threads()
    return int(SETTINGS["threads"].check(threads))


# ------------------------------------------------------------------------------------------
# BLAS limited to one thread while any evaluation runs
# ------------------------------------------------------------------------------------------


class _Library:
    """One BLAS library's thread count: ``get()``, ``set(n)``, and whether it is per thread.

    Found by threadpoolctl. OpenBLAS built with pthreads has one count for the process, set
    here through its own ``openblas_set_num_threads`` (threadpoolctl's controller lets only
    the first thread that used it set the count and silently ignores the others, while nn3
    evaluates from whichever thread calls it). OpenBLAS built with OpenMP keeps a count per
    calling thread (``per_thread``): each evaluating thread sets its own. MKL and BLIS keep one
    count for the process, set through threadpoolctl.
    """

    def __init__(
        self,
        name: str,
        filepath: str,
        get_threads: Callable[[], int],
        set_threads: Callable[[int], Any],
        per_thread: bool = False,
    ) -> None:
        self.name, self.filepath, self.per_thread = name, filepath, per_thread
        self.get, self.set = get_threads, set_threads

    @classmethod
    def from_controller(cls, controller: Any) -> "_Library":
        """The library of one of threadpoolctl's controllers."""
        per_thread = getattr(controller, "threading_layer", None) == "openmp"
        functions = (controller.get_num_threads, controller.set_num_threads)
        if controller.internal_api == "openblas" and not per_thread:
            functions = _openblas_functions(controller.filepath) or functions
        name = f"{controller.internal_api} {controller.version}"
        return cls(name, controller.filepath, *functions, per_thread=per_thread)

    @classmethod
    def bundled_openblas(cls, path: str) -> "_Library | None":
        """The OpenBLAS at ``path`` (pthreads, as numpy's wheels ship it), without
        threadpoolctl; None when it has no ``openblas_get/set_num_threads``."""
        found = _openblas_functions(path)
        if found is None:
            return None
        return cls(f"openblas ({os.path.basename(path)})", path, *found)


def _numpy_bundled_openblas() -> list[_Library]:
    """The OpenBLAS that numpy's wheels bundle (``numpy.libs/`` on Linux and Windows,
    ``numpy/.dylibs/`` on macOS), for when threadpoolctl is not installed."""
    import glob

    import numpy

    here = os.path.dirname(numpy.__file__)
    patterns = (
        os.path.join(os.path.dirname(here), "numpy.libs", "*openblas*"),
        os.path.join(here, ".dylibs", "*openblas*"),
    )
    found = (
        _Library.bundled_openblas(p) for pattern in patterns for p in sorted(glob.glob(pattern))
    )
    return [lib for lib in found if lib is not None]


def _openblas_functions(path: str) -> tuple[Callable[[], int], Callable[[int], Any]] | None:
    """OpenBLAS's ``openblas_get/set_num_threads`` in the library at ``path`` (any affixes)."""
    import ctypes

    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    for prefix in ("", "scipy_"):
        for suffix in ("", "64_", "_64"):
            get = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
            set_ = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
            if get is not None and set_ is not None:
                get.restype, get.argtypes = ctypes.c_int, []
                set_.restype, set_.argtypes = None, [ctypes.c_int]
                return get, set_
    return None


class _BlasLimit:
    """BLAS at one thread while at least one evaluation is inside; restored by the last one out.

    A process-wide count is shared by overlapping evaluations (from several user threads): the
    first in saves it and sets 1, the last out restores it. A per-thread count (OpenMP) is set
    by each evaluating thread for itself (:meth:`this_thread`). The libraries are those loaded
    when first needed, found through threadpoolctl (without it, the OpenBLAS of numpy's wheels;
    any other BLAS is then left as it is).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: list[tuple[_Library, int]] = []

    @functools.cached_property
    def libraries(self) -> list[_Library]:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return _numpy_bundled_openblas()
        controllers = ThreadpoolController().lib_controllers
        return [_Library.from_controller(c) for c in controllers if c.user_api == "blas"]

    @functools.cached_property
    def _shared(self) -> list[_Library]:
        return [lib for lib in self.libraries if not lib.per_thread]

    @functools.cached_property
    def _own(self) -> list[_Library]:
        return [lib for lib in self.libraries if lib.per_thread]

    def enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._saved = [(lib, lib.get()) for lib in self._shared]
                for lib, count in self._saved:
                    if count != 1:
                        lib.set(1)
            self._depth += 1

    def exit(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                for lib, count in self._saved:
                    if count != 1:
                        lib.set(count)
                self._saved = []

    @contextmanager
    def this_thread(self) -> Iterator[None]:
        """Per-thread counts (OpenMP) at 1 in the calling thread meanwhile."""
        saved = [(lib, lib.get()) for lib in self._own]
        for lib, count in saved:
            if count != 1:
                lib.set(1)
        try:
            yield
        finally:
            for lib, count in saved:
                if count != 1:
                    lib.set(count)

    def after_fork(self) -> None:
        """In a child process: a fresh lock, and the counts an evaluation in flight had saved."""
        self._lock = threading.Lock()
        if self._depth:
            for lib, count in self._saved:
                if count != 1:
                    lib.set(count)
        self._depth, self._saved = 0, []


_BLAS = _BlasLimit()


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """BLAS limited to one thread meanwhile, for the whole process (shared by nested and
    overlapping uses, from any thread). Each thread that then calls BLAS enters
    :func:`blas_thread` too (needed where BLAS keeps a count per thread, as OpenMP does).

    Costs a few microseconds; BLAS calls made meanwhile by other threads of the process run
    single-threaded too.
    """
    _BLAS.enter()
    try:
        yield
    finally:
        _BLAS.exit()


def blas_thread() -> AbstractContextManager[None]:
    """In a thread that calls BLAS during :func:`single_threaded_blas`: its own count at 1."""
    return _BLAS.this_thread()


def blas_is_controlled() -> bool:
    """Whether the BLAS thread count can be set (a BLAS threadpoolctl knows, or without it the
    OpenBLAS of numpy's wheels)."""
    return bool(_BLAS.libraries)


# ------------------------------------------------------------------------------------------
# The pool
# ------------------------------------------------------------------------------------------


# How often (seconds) a thread waiting for its helpers wakes up to look for a signal. Python runs
# signal handlers in the main thread only, and a signal that arrives while the main thread is
# not asleep in a lock (just before it goes to sleep, or delivered to another thread, as a
# terminal's Ctrl-C may be) does not wake it: it is seen when the main thread next takes the GIL
# after a timed wait, so Ctrl-C stops an evaluation within this long, however long it would run.
_SIGNAL_CHECK = 0.05


class _Helper:
    """One daemon thread that runs the jobs handed to it, one at a time; bound to ``cpu``
    (when the OS allows it) unless that is None.

    Jobs are counted (posted, taken, finished) under one condition variable, so that the caller
    may be interrupted (KeyboardInterrupt) at any point of :meth:`start` or :meth:`wait` and
    wait again: waiting never consumes anything, it looks at the counts.
    """

    def __init__(self, cpu: int | None = None) -> None:
        self.cpu = cpu
        self._cond = threading.Condition(threading.Lock())
        self._posted = self._taken = self._finished = 0
        self._job: Callable[[], None] | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._run, name="nn3-evaluation", daemon=True).start()

    def _run(self) -> None:
        if self.cpu is not None:
            try:
                os.sched_setaffinity(0, {self.cpu})  # this thread only
            except OSError:  # the core went away meanwhile: run unbound
                pass
        cond = self._cond
        while True:
            with cond:
                while self._taken == self._posted:
                    cond.wait()
                job, self._job = self._job, None
                self._taken += 1
            assert job is not None  # start() posted it (one job per start, waited for)
            try:
                job()
            except BaseException as exc:  # handed to the caller by wait()
                self._error = exc
            finally:
                del job
                with cond:
                    self._finished += 1
                    cond.notify_all()

    def start(self, job: Callable[[], None]) -> None:
        with self._cond:
            self._job = job
            self._posted += 1
            self._cond.notify_all()

    def wait(self, stop: Callable[[], None] | None = None) -> BaseException | None:
        """Wait until every job handed to this helper has ended; the exception of one, if any.

        An exception raised in the waiting thread (KeyboardInterrupt) calls ``stop`` (which
        asks the jobs to end early), waits on, and is returned when the job raised none.
        """
        interrupted: BaseException | None = None
        while True:
            try:
                with self._cond:
                    self._cond.notify_all()  # a start interrupted before it could notify
                    while self._finished < self._posted:
                        self._cond.wait(_SIGNAL_CHECK)
                break
            except BaseException as exc:  # KeyboardInterrupt while waiting: wait on, then raise
                interrupted = exc
                if stop is not None:
                    stop()
        error, self._error = self._error, None
        if interrupted is not None and error is None:
            error = interrupted
        return error


class _Pool:
    """Idle helper threads, lent to one evaluation at a time and given back after it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[int | None, list[_Helper]] = {}  # by the core they are bound to

    def borrow(self, cpus: list[int | None]) -> list[_Helper]:
        """One helper per entry of ``cpus``, bound to that core (None: unbound)."""
        helpers = []
        with self._lock:
            for cpu in cpus:
                idle = self._idle.get(cpu)
                helpers.append(idle.pop() if idle else None)
        return [h if h is not None else _Helper(cpu) for h, cpu in zip(helpers, cpus, strict=True)]

    def give_back(self, helpers: list[_Helper]) -> None:
        with self._lock:
            for helper in helpers:
                self._idle.setdefault(helper.cpu, []).append(helper)

    def after_fork(self) -> None:
        """In a child process the helper threads do not exist: forget them."""
        self._lock = threading.Lock()
        self._idle = {}


_POOL = _Pool()


def _bound_cores(count: int) -> list[int] | None:
    """The cores to bind ``count`` evaluation threads to, one each; None to bind nothing.

    Binding when ``count`` equals the cores this process may use (see the module's notes), on
    an OS with CPU affinity, unless ``NN3_BIND_THREADS=0``.
    """
    if count < 2 or not hasattr(os, "sched_setaffinity"):
        return None
    if os.environ.get("NN3_BIND_THREADS", "").strip() == "0":
        return None
    try:
        cores = sorted(os.sched_getaffinity(0))
    except OSError:
        return None
    return cores if len(cores) == count else None


def run_on_threads(
    job: Callable[[int], None], count: int, stop: Callable[[], None] | None = None
) -> None:
    """Run ``job(0)``, ..., ``job(count - 1)`` at once, on ``count`` threads.

    Returns when every call has returned. Bound to the cores (one helper each, the calling
    thread waiting) when ``count`` is the number of cores available; otherwise ``job(0)`` runs
    in the calling thread beside ``count - 1`` unbound helpers (see the module's notes). The
    first exception (the calling thread's first) is raised after all calls have ended; a job
    that can run long should stop early when another one fails (the evaluator's jobs check a
    shared flag between blocks).

    Parameters
    ----------
    job : callable ``job(slot)``
    count : int
        At least 1.
    stop : callable, optional
        Called when the calling thread is interrupted (KeyboardInterrupt) while its own job or
        its waiting is under way: it should make the jobs end early. The interruption is
        raised once they have.
    """
    if count <= 1:
        job(0)
        return
    cores = _bound_cores(count)
    own = cores is None  # the calling thread takes job(0)
    places: list[int | None] = [None] * (count - 1) if cores is None else list(cores)
    helpers = _POOL.borrow(places)
    error: BaseException | None = None
    try:
        for slot, helper in enumerate(helpers, start=1 if own else 0):
            helper.start(functools.partial(job, slot))
        if own:
            job(0)
    except BaseException as exc:
        error = exc
        if stop is not None:
            stop()
    finally:
        for helper in helpers:  # a helper never started has nothing to wait for
            helper_error = helper.wait(stop)
            if error is None:
                error = helper_error
        _POOL.give_back(helpers)
    if error is not None:
        raise error


def _after_fork_in_child() -> None:
    _BLAS.after_fork()
    _POOL.after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
