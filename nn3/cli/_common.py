"""What every ``nn3`` command shares: one-line errors in option names, progress, signals, outputs.

Imported by the group (:mod:`nn3.cli`) and by each command module; it imports neither, so no
command imports the group back. Only click and the standard library at import time (the options,
:mod:`nn3.cli.options`, are imported when a message needs their names).
"""

import contextlib
import sys
import time

import click

from ..errors import NamedText, OptionError, ParameterError


def error_message(message: object) -> str:
    """What the CLI says for a library error or warning: each parameter by its option name.

    ``message`` is an exception (a :class:`~nn3.errors.ParameterError`, or any error whose
    message is a :class:`~nn3.errors.NamedText`) or a NamedText (a warning); anything else is
    shown as it is.
    """
    if isinstance(message, (ParameterError, NamedText)):
        from .options import option_text

        return message.named(option_text)
    if isinstance(message, Exception) and message.args and isinstance(message.args[0], NamedText):
        return error_message(message.args[0])
    return str(message)


class UserError(click.ClickException):
    """An :class:`Nn3Error` as the CLI shows it: ``nn3: error: <message>``, its exit status."""

    exit_code = 2

    def __init__(self, message, exit_code=2):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None):
        click.echo(f"nn3: error: {one_line_text(self.format_message())}", err=True)


class OneLineUsageError(click.UsageError):
    """A click usage error on one line: ``nn3: error: <problem> (see 'nn3 train --help')``."""

    def __init__(self, exc):
        super().__init__(exc.format_message(), exc.ctx)

    def show(self, file=None):
        names, ctx = [], self.ctx
        while ctx is not None and ctx.parent is not None:
            names.insert(0, ctx.info_name)
            ctx = ctx.parent
        where = " ".join(["nn3", *names])
        message = one_line_text(self.format_message())
        click.echo(f"nn3: error: {message} (see '{where} --help')", err=True)


def one_line(exc: click.UsageError) -> click.UsageError:
    """``exc`` as a :class:`OneLineUsageError` (unless it already is one, or is "no args")."""
    no_args_help = getattr(click.exceptions, "NoArgsIsHelpError", ())
    if isinstance(exc, (OneLineUsageError, no_args_help)):
        return exc
    return OneLineUsageError(exc)


def exit_with(code: int) -> None:
    """Leave the current command with exit status ``code`` (e.g. 1: a check failed)."""
    click.get_current_context().exit(code)


def fmt_size(a) -> str:
    """An array's size in MATLAB notation, ``25x401``."""
    from ..mat import format_size

    return format_size(a.shape)


def check_output_folder(out) -> None:
    """Refuse an output nn3 cannot write, before any work is done.

    A missing, read-only or unwritable folder, a directory or a device under that name: a
    temporary file is created in the folder (and removed) to find out.
    """
    from ..mat.atomic import check_destination

    check_destination(out, OptionError)


def check_picture_path(path, label: str = "--plot") -> None:
    """Refuse a picture nn3 cannot write, before any work: matplotlib missing, a format
    matplotlib does not write (by the extension), a folder that cannot be written."""
    from ..plot import picture_format, require_matplotlib, supported_formats

    require_matplotlib()
    if picture_format(path) is None:
        raise OptionError(
            f"{label} {shown(path)}: matplotlib does not write that format; give the file one of "
            f"the extensions {', '.join(supported_formats())} (or none, for PNG)"
        )
    check_output_folder(path)


def _duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``2 h 03 min``."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Progress:
    """fmincg's progress line: rewritten in place on a terminal, one line per iteration else.

    On a terminal the line also shows how far the run is (``12/50``: iterations of ``maxiter``,
    or function evaluations when ``maxiter`` is negative, as fmincg counts them), the elapsed
    time and an estimate of the time left, from the mean time per iteration (or evaluation) so
    far; under ``--stream``/``--dask`` also evaluations and rows per second. Elsewhere (a file,
    a pipe) each iteration prints fmincg's own line, as MATLAB's ``fmincg`` prints it.
    """

    def __init__(self, quiet, maxiter=None):
        self.quiet = quiet
        self.maxiter = maxiter
        self.tty = sys.stdout.isatty()
        self.start = time.monotonic()
        self.pending_newline = False
        self.rates = None
        self.last_line = "Iteration     0 | Cost: -"
        self.done = 0

    def _tail(self):
        elapsed = time.monotonic() - self.start
        parts = [f"{elapsed:6.1f} s"]
        if self.maxiter:
            total = abs(self.maxiter)
            parts.insert(0, f"{self.done}/{total}")
            if 0 < self.done < total:
                parts.append(f"ETA {_duration(elapsed / self.done * (total - self.done))}")
        if self.rates is not None:  # set by evaluated() under --stream/--dask
            parts.append(self.rates.line())
        return " | ".join(parts)

    def __call__(self, intermediate_result):
        if self.quiet:
            return
        from ..core.optimize import progress_line

        line = progress_line(intermediate_result.nit, intermediate_result.fun)
        by_evaluations = self.maxiter is not None and self.maxiter < 0
        self.done = int(intermediate_result.nfev if by_evaluations else intermediate_result.nit)
        if self.tty:
            self.last_line = line
            click.echo(f"\r{line} | {self._tail()}", nl=False)
            self.pending_newline = True
        else:
            click.echo(line)

    def evaluated(self, counts):
        """After each evaluation of an engine (``--stream``/``--dask``): on a terminal, show
        ``counts.line()`` (evaluations/s, rows/s) after the last iteration's line."""
        self.rates = counts
        if self.quiet or not self.tty:
            return
        click.echo(f"\r{self.last_line} | {self._tail()}", nl=False)
        self.pending_newline = True

    def close(self):
        if self.pending_newline:
            click.echo()
            self.pending_newline = False


# --- Names shown safely, outputs distinct from inputs, signals, stdout that fails ----------------


@contextlib.contextmanager
def one_line_warnings(debug: bool = False):
    """Python warnings shown while a command runs, as one line each: ``nn3: warning: ...``.

    nn3 checks what it can before numpy computes (scales, sizes, precision); a warning that
    still comes from a library (numpy's "overflow encountered in ...", Dask's) is shown on one
    line, escaped, without Python's file name and source line. ``--debug`` keeps Python's form.
    """
    import warnings

    if debug:
        yield
        return

    def show(message, category, filename, lineno, file=None, line=None):
        click.echo(f"nn3: warning: {one_line_text(str(message))}", err=True)

    previous = warnings.showwarning
    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = previous


def one_line_text(text: str) -> str:
    """``text`` safe for one terminal line: control characters escaped, bytes kept visible.

    A newline, a terminal escape sequence (ESC), other C0/C1 control characters and Unicode
    bidirectional overrides become ``\\n``, ``\\x1b``, ``\\u202e``; undecodable bytes of a file
    name (surrogate escapes) become ``\\xff``. Printable text, spaces included, is unchanged.
    """
    text = str(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8: its bytes as \xNN
        raw = text.encode("utf-8", "surrogateescape" if _only_escapes(text) else "replace")
        text = raw.decode("utf-8", "backslashreplace")
    out = []
    for ch in text:
        code = ord(ch)
        if (
            code < 0x20
            or 0x7F <= code < 0xA0
            or 0x202A <= code <= 0x202E
            or 0x2066 <= code <= 0x2069
        ):
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def _only_escapes(text):
    return all(not 0xD800 <= ord(ch) < 0xE000 or 0xDC80 <= ord(ch) <= 0xDCFF for ch in text)


def shown(name) -> str:
    """A file name given on the command line as messages show it (see :func:`one_line_text`)."""
    import os

    return one_line_text(os.fsdecode(name))


def check_distinct(inputs, outputs) -> None:
    """Refuse an output that is one of the command's inputs or another of its outputs.

    Same file, not just same name: two names of one file (``./w.mat`` and ``w.mat``, a hard link,
    a symbolic link) are caught by device and inode for files that exist, and by the resolved
    path for outputs not written yet.

    Parameters
    ----------
    inputs, outputs : iterable of (label, path or None)
        ``("DATA", "d.mat")``, ``("--out", "w.mat")``; ``None`` paths are skipped.

    Raises
    ------
    OptionError
        ``--out w.mat is the same file as WEIGHTS (w.mat); it would be replaced``.
    """
    import os

    def identity(path):
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return ("path", os.path.realpath(path))
        return ("inode", st.st_dev, st.st_ino)

    seen = [(label, path, identity(path), False) for label, path in inputs if path is not None]
    for label, path in outputs:
        if path is None:
            continue
        mine = identity(path)
        for other_label, other, theirs, is_output in seen:
            if mine == theirs:
                what = "another output" if is_output else "an input"
                raise OptionError(
                    f"{label} {shown(path)} is the same file as {other_label} ({shown(other)}), "
                    f"{what} of this command; it would be replaced: give {label} another name"
                )
        seen.append((label, path, mine, True))


def __getattr__(name):
    if name == "Interrupted":  # the old name of a stop signal's exception (nn3.stopping.Stopped)
        from ..stopping import Stopped

        return Stopped
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def signal_name(signum: int) -> str:
    """``SIGTERM`` for 15."""
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _stop_signals():
    import signal

    return [
        getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
    ]


class StopSignals:
    """Ctrl-C, SIGTERM and SIGHUP during ``nn3 train``: stop, save the best weights, say so.

    The first of them sets :attr:`stop` (fmincg stops after the current evaluation) and is
    remembered in :attr:`signum`; a later one asks everything to stop at its next safe point
    (:func:`nn3.stopping.request_stop`: the row blocks of an evaluation, the commit of the save):
    nothing is saved, the save's temporary file is removed and the previous file left as it was.
    No handler raises (see :mod:`nn3.stopping`). A signal the parent set to be ignored
    (``nohup``'s SIGHUP) stays ignored.
    """

    def __init__(self):
        from ..stopping import StopFlag

        self.stop = StopFlag()  # lock-free: set from a signal handler
        self.signum: int | None = None
        #: Set once the result is saved: from then on a signal is only noted (exit 128 + it).
        self.saved = False

    def __call__(self, signum, frame):
        from ..stopping import request_stop

        if self.saved:
            self.signum = self.signum or signum
            self.stop.set(signum)
            return
        if self.stop.is_set():
            request_stop(signum)  # the second: abandon at the next safe point
            return
        self.signum = signum
        self.stop.set(signum)

    def run(self, run, progress: Progress):
        """``run.run()`` (a prepared training) with these signals handled and ``progress`` shown.

        The handlers stay installed until the command ends (training, saving, printing).
        """
        from ..stopping import checkpoint

        previous = self.install()
        click.get_current_context().call_on_close(lambda: self.restore(previous))
        checkpoint()  # a signal while the data was read: nothing trained, nothing saved
        try:
            return run.run(callback=progress, stop_event=self.stop, progress=progress.evaluated)
        finally:
            progress.close()

    def exit_if_stopped(self, result, out) -> None:
        """After the save: say what a stop signal did and exit with 128 + it, if one came."""
        res = result.optimize_result
        if result.interrupted:
            click.echo(
                f"nn3: interrupted{self.by} after {res.nfev} evaluations; saved the best "
                f"weights reached so far (cost {res.fun:.6e}) to {shown(out)}, marked "
                "interrupted = 1",
                err=True,
            )
            sys.exit(self.exit_code)
        if self.stop.is_set():
            click.echo(
                f"nn3: interrupted{self.by} after training had finished; the complete result is "
                f"in {shown(out)}",
                err=True,
            )
            sys.exit(self.exit_code)

    def install(self) -> dict:
        """Handle the stop signals; returns the previous handlers for :meth:`restore`."""
        import signal

        previous = {}
        for sig in _stop_signals():
            if sig != signal.SIGINT and signal.getsignal(sig) == signal.SIG_IGN:
                continue
            previous[sig] = signal.signal(sig, self)
        return previous

    def restore(self, previous: dict) -> None:
        """Put back the handlers :meth:`install` replaced."""
        import signal

        for sig, handler in previous.items():
            signal.signal(sig, handler)

    @property
    def exit_code(self) -> int:
        """128 + the signal's number (130 for Ctrl-C)."""
        import signal

        return 128 + (self.signum or signal.SIGINT)

    @property
    def by(self) -> str:
        """``""`` for Ctrl-C, ``" by SIGTERM"`` for another signal (for messages)."""
        import signal

        if self.signum in (None, signal.SIGINT):
            return ""
        return f" by {signal_name(self.signum)}"


def _request_stop(signum, frame):
    """The handler of the stop signals outside training: ask, never raise (:mod:`nn3.stopping`)."""
    from ..stopping import request_stop

    request_stop(signum)


class GuardedStream:
    """A text stream whose failures never stop the command (stdout closed, full, a closed pipe).

    The first write or flush that fails (``EPIPE`` after ``| head -1``, ``ENOSPC`` on
    ``/dev/full``, a closed descriptor) turns the stream off: later output is dropped, the
    descriptor is pointed at ``/dev/null`` (so the interpreter's last flush cannot fail either),
    and, for stdout, one line on stderr says so. The command carries on and exits as it would.
    """

    def __init__(self, stream, fd: int, what: str, announce: bool):
        self._stream, self._fd, self._what, self._announce = stream, fd, what, announce
        self.failed: str | None = None if stream is not None else "is closed"

    @property
    def encoding(self):
        return getattr(self._stream, "encoding", None) or "utf-8"

    @property
    def errors(self):
        return getattr(self._stream, "errors", None) or "strict"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        try:
            return self._stream is not None and self.failed is None and self._stream.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        return self._fd

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self.failed is None:
            try:
                return self._stream.write(text)
            except (OSError, ValueError) as exc:
                self._fail(exc)
        else:
            self._fail(None)
        return len(text)

    def flush(self) -> None:
        if self.failed is None:
            try:
                self._stream.flush()
            except (OSError, ValueError) as exc:
                self._fail(exc)

    def _fail(self, exc):
        import os

        first = not getattr(self, "_said", False)
        self._said = True
        if exc is not None:
            self.failed = f"cannot be written ({getattr(exc, 'strerror', None) or exc})"
        if not first:
            return
        try:  # the interpreter's final flush must not fail (no "Exception ignored")
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._fd)
            os.close(devnull)
        except OSError:
            pass
        if self._announce:
            try:
                sys.stderr.write(
                    f"nn3: {self._what} {self.failed}; nothing more is printed there, the "
                    "command carries on\n"
                )
                sys.stderr.flush()
            except (OSError, ValueError):
                pass


def protect_process() -> None:
    """What ``nn3`` sets up before a command runs (the console script only).

    Closed standard descriptors are opened on ``/dev/null`` (so no output file can take their
    number), stdout and stderr become :class:`GuardedStream`, and SIGINT, SIGTERM and SIGHUP ask
    the command to stop at its next safe point (:mod:`nn3.stopping`: no temporary file left, the
    previous outputs intact, exit status 128 + signal) unless the parent set them to be ignored.
    ``nn3 train`` handles them itself while it trains and saves.
    """
    import os
    import signal

    from ..stopping import clear

    clear()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
            except OSError:
                pass
    if not isinstance(sys.stdout, GuardedStream):
        sys.stdout = GuardedStream(sys.stdout, 1, "standard output", announce=True)
    if not isinstance(sys.stderr, GuardedStream):
        sys.stderr = GuardedStream(sys.stderr, 2, "standard error", announce=False)
    for sig in _stop_signals():
        default = signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL
        if signal.getsignal(sig) == default:
            signal.signal(sig, _request_stop)


def ignore_stop_signals() -> None:
    """Ignore SIGINT, SIGTERM and SIGHUP from now on (the exit status is decided)."""
    import signal

    for sig in _stop_signals():
        try:
            signal.signal(sig, signal.SIG_IGN)
        except (OSError, ValueError):  # not the main thread
            pass


def interrupted_exit(exc: KeyboardInterrupt | None = None) -> int:
    """Say how a stop signal ended the command; return the exit status, 128 + the signal.

    ``exc``: Ctrl-C or a signal's :class:`~nn3.stopping.Stopped`, raised at a safe point
    (nothing was saved); None: the command had finished when the signal was seen.
    """
    import signal

    from ..stopping import requested_signal

    signum = getattr(exc, "signum", None) or requested_signal() or signal.SIGINT
    if exc is None:
        click.echo(
            f"nn3: {signal_name(signum)} came as the command finished; its output is complete",
            err=True,
        )
        return 128 + signum
    how = "interrupted" if signum == signal.SIGINT else f"stopped by {signal_name(signum)}"
    click.echo(f"nn3: {how}; nothing was saved", err=True)
    return 128 + signum
