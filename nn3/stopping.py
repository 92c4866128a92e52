"""Stopping long work at safe points, when a signal (or another thread) asks for it.

A signal handler that raises can raise anywhere: inside a weakref callback or a ``__del__``
(where Python can only print "Exception ignored in ..." and carry on, so the signal is lost),
inside HDF5's close, or between writing a file and renaming it over the previous one. So the
``nn3`` command's signal handlers never raise: they call :func:`request_stop`, which only sets a
flag. Long work looks at the flag between its steps, where stopping leaves nothing half done:
:func:`checkpoint` raises :class:`Stopped` when a stop was asked for. The steps are

- the rows blocks written by ``make-data`` and by predictions by blocks, the row blocks of the
  streaming and Dask engines, the parameters of a numerical gradient;
- waits for other processes (GNU Octave, Dask workers), which poll instead of blocking;
- the commit of every output (:func:`nn3.mat.atomic.atomic_output`): once a stop was asked for,
  a temporary file is never renamed over the destination, so the previous file stays as it was.

A command never looks after it has committed an output (:class:`Stopped` means "nothing was
saved"); a stop asked for after that ends the command with 128 + the signal, saying its output
is complete (``nn3.cli.main``).

:class:`Stopped` is a ``KeyboardInterrupt``: whatever cleans up after Ctrl-C (temporary files,
a Dask cluster) cleans up after it, and ``except Exception`` does not swallow it.

Python users: nothing asks for a stop unless you do; :func:`request_stop` from another thread (a
Cancel button) stops nn3's long work at its next safe point, and :func:`clear` forgets it.
"""

from __future__ import annotations

__all__ = [
    "StopFlag",
    "Stopped",
    "checkpoint",
    "clear",
    "request_stop",
    "requested_signal",
    "stop_requested",
]


class StopFlag:
    """A flag that a signal handler may set: no lock (``threading.Event.set`` takes one, which
    the interrupted code may hold). Has ``threading.Event``'s ``set``/``is_set``/``clear``, so it
    can be a training's ``stop_event``.

    Attributes
    ----------
    signum : int or None
        The signal that set it first (None when set by a thread, or not set).
    """

    __slots__ = ("_set", "signum")

    def __init__(self) -> None:
        self._set = False
        self.signum: int | None = None

    def set(self, signum: int | None = None) -> None:
        """Set the flag; the first signal number given is kept."""
        if self.signum is None:
            self.signum = signum
        self._set = True

    def is_set(self) -> bool:
        return self._set

    def clear(self) -> None:
        self._set = False
        self.signum = None


class Stopped(KeyboardInterrupt):
    """Work stopped at a safe point because a stop was asked for (:func:`request_stop`).

    Attributes
    ----------
    signum : int or None
        The signal that asked (SIGINT, SIGTERM, SIGHUP), None when a thread did; the command
        line exits with 128 + it.
    """

    def __init__(self, signum: int | None = None):
        super().__init__(signum)
        self.signum = signum


#: The process's request to stop: set by :func:`request_stop`, looked at by :func:`checkpoint`.
_REQUEST = StopFlag()


def request_stop(signum: int | None = None) -> None:
    """Ask nn3's long work to stop at its next safe point (safe in a signal handler)."""
    _REQUEST.set(signum)


def stop_requested() -> bool:
    """Whether a stop was asked for."""
    return _REQUEST.is_set()


def requested_signal() -> int | None:
    """The signal that asked for the stop, or None."""
    return _REQUEST.signum


def checkpoint() -> None:
    """Raise :class:`Stopped` if a stop was asked for; a safe point of long work."""
    if _REQUEST.is_set():
        raise Stopped(_REQUEST.signum)


def clear() -> None:
    """Forget a stop asked for."""
    _REQUEST.clear()
