"""Run a user's MATLAB functions in GNU Octave: a temporary copy, one process, a limit per call.

The ``.m`` files of the user's folder are copied into a temporary folder, the inputs are written
there as a .mat file, and a generated driver script makes the calls one after another in one
Octave process (Octave starts in a fraction of a second, but once is cheaper than once per call).
Each call runs inside ``evalc`` (so whatever it prints is captured, not shown) and ``try``, and
its outputs are saved to a .mat file of their own; only the first :data:`PRINTED_KEPT` characters
of what it printed are kept, with the count. The driver announces each call on stdout with a
per-run random marker; nn3 reads Octave's output in pieces and keeps only those lines and a short
tail (whatever the code prints, nn3's memory stays bounded). A call that does not finish within
the time limit has its process tree ended, and the remaining calls run in a fresh process (the
calls left of a function that timed out are not made: it would most likely loop again). The whole
run has a time limit too. How Octave is isolated and limited is :mod:`.sandbox`'s business.
"""

import collections
import os
import queue
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

from ..errors import MissingDependencyError, Nn3Error, SandboxRequiredError
from ..mat import load_mat, save_mat
from ..stopping import checkpoint
from . import compat, sandbox

INSTALL_HINT = "apt-get install -y --no-install-recommends octave"

#: Seconds Octave may take to start and load the inputs, before the first call.
STARTUP_LIMIT = 30.0
#: Seconds between looks at a stop asked for (nn3.stopping) while waiting for Octave.
POLL_SECONDS = 0.2

#: Characters of a call's printed output kept (the rest is counted, not kept).
PRINTED_KEPT = 4096

#: Characters of an error message kept.
MESSAGE_KEPT = 2000

#: Bytes of outputs a call may return (nn3's largest, the ex4 gradient, is 82 kB).
OUTPUT_BYTES_LIMIT = 16 << 20

#: Longest line of Octave's standard output looked at (longer lines are cut).
LINE_KEPT = 4096

#: Lines of Octave's output (other than the driver's) kept for diagnostics, and of stderr.
TAIL_LINES = 20


#: The old name of :class:`nn3.errors.SandboxRequiredError` (a sandbox was required and none
#: works here).
SandboxRequired = SandboxRequiredError


def find_octave():
    """The ``octave-cli`` executable.

    Raises
    ------
    MissingDependencyError
        Octave is not installed; the message gives the install command.
    """
    exe = shutil.which("octave-cli")
    if exe is None:
        raise MissingDependencyError(
            f"GNU Octave is needed to run your MATLAB code (octave-cli not found); "
            f"install it with: {INSTALL_HINT}"
        )
    return os.path.abspath(exe)


@dataclass
class CallResult:
    """What one call did in Octave.

    Attributes
    ----------
    status : str
        ``"ok"``, ``"error"``, ``"timeout"``, ``"exited"`` (Octave ended during the call),
        ``"skipped"`` (the call does not apply to the function's signature) or ``"not run"``.
    outputs : dict
        Output name to value, as :func:`nn3.load_mat` reads it (when ``status == "ok"``).
    printed : str
        The start of what the call printed (captured by ``evalc``).
    printed_chars : int
        How many characters it printed in all.
    message : str
        The error message, or why the call was not run.
    """

    status: str
    outputs: dict = field(default_factory=dict)
    printed: str = ""
    message: str = ""
    printed_chars: int = 0


def _q(text):
    """A MATLAB single-quoted string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def _call_code(k, call, out_dir, nonce):
    wanted = len(call.outputs) if call.nargout is None else min(call.nargout, len(call.outputs))
    outs = [f"o{i}__" for i in range(wanted)]
    left = f"[{', '.join(outs)}] = " if outs else ""
    statement = f"{left}{call.function}({call.args});"
    out_file = os.path.join(out_dir, f"out_{k}.mat")
    txt_file = os.path.join(out_dir, f"out_{k}.txt")
    err_file = os.path.join(out_dir, f"err_{k}.txt")
    names = ", ".join(_q(o) for o in outs)
    save = f"  save('-v7', {_q(out_file)}, {names});\n" if outs else ""
    size_check = (
        f"  s__ = whos({names});\n"
        f"  if sum([s__.bytes]) > {OUTPUT_BYTES_LIMIT}\n"
        f"    error('returns %.0f MB of outputs (the check keeps at most "
        f"{OUTPUT_BYTES_LIMIT >> 20} MB)', sum([s__.bytes]) / 2^20);\n"
        "  end\n"
        if outs
        else ""
    )
    body = f"""printf('%s start {k}\\n', nonce__); fflush(stdout);
try
  rand('state', {1000 + k}); randn('state', {1000 + k});
  printed__ = evalc({_q(statement)});
{size_check}{save}  fid__ = fopen({_q(txt_file)}, 'w');
  fputs(fid__, printed__(1:min(end, {PRINTED_KEPT}))); fclose(fid__);
  printf('%s done {k} %d\\n', nonce__, numel(printed__)); fflush(stdout);
catch err__
  msg__ = err__.message;
  msg__ = msg__(1:min(end, {MESSAGE_KEPT}));
  for s__ = 1:numel(err__.stack)
    if strcmp(err__.stack(s__).name, {_q(call.function)}) && err__.stack(s__).line > 0
      msg__ = sprintf('%s (%s.m line %d)', msg__, {_q(call.function)}, err__.stack(s__).line);
      break;
    end
  end
  fid__ = fopen({_q(err_file)}, 'w'); fputs(fid__, msg__); fclose(fid__);
  printf('%s error {k}\\n', nonce__); fflush(stdout);
end
clear o*__ printed__ s__ msg__ err__ fid__;
"""
    if call.with_lambda is None:
        return body
    test = f"nargin({_q(call.function)})"
    cond = f"({test} < 0 || {test} >= 5)"
    if not call.with_lambda:
        cond = f"~{cond}"
    return f"if {cond}\n{body}else\nprintf('%s skip {k}\\n', nonce__); fflush(stdout);\nend\n"


def _driver(calls, start, work, out_dir, nonce, shim_dir=None):
    lines = [
        "warning('off', 'all');",
        "more off;",
        *([f"addpath({_q(shim_dir)});"] if shim_dir else []),
        f"nonce__ = {_q(nonce)};",
        f"in__ = load({_q(os.path.join(work, 'inputs.mat'))});",
        "printf('%s ready %s\\n', nonce__, version()); fflush(stdout);",
    ]
    for k in range(start, len(calls)):
        lines.append(_call_code(k, calls[k], out_dir, nonce))
    lines.append("printf('%s end\\n', nonce__); fflush(stdout);")
    return "\n".join(lines) + "\n"


def _copy_code(folder, dest):
    os.makedirs(dest)
    for name in sorted(os.listdir(folder)):
        src = os.path.join(folder, name)
        if name.endswith(".m") and os.path.isfile(src):
            shutil.copyfile(src, os.path.join(dest, name))
            os.chmod(os.path.join(dest, name), 0o644)


class OutputReader:
    """Reads a pipe in pieces: the driver's marker lines go to a queue, a short tail is kept.

    Whatever the user's code prints outside ``evalc`` (``system`` commands write straight to
    the pipe) costs nn3 at most :data:`LINE_KEPT` characters per line and :data:`TAIL_LINES`
    lines: nothing is read whole.
    """

    def __init__(self, fd, prefix=None):
        self.fd, self.prefix = fd, prefix
        self.lines = queue.Queue()
        self.tail = collections.deque(maxlen=TAIL_LINES)
        self.bytes_read = 0

    def _line(self, raw):
        text = raw[:LINE_KEPT].decode("utf-8", "replace").rstrip("\r")
        if self.prefix is not None and text.startswith(self.prefix):
            self.lines.put(text)
        else:
            self.tail.append(text[:300])

    def run(self):
        partial, dropping = b"", False
        try:
            while True:
                try:
                    chunk = os.read(self.fd, 65536)
                except InterruptedError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                self.bytes_read += len(chunk)
                pieces = chunk.split(b"\n")
                for piece in pieces[:-1]:
                    if not dropping:
                        self._line(partial + piece)
                    partial, dropping = b"", False
                rest = pieces[-1]
                if not dropping:
                    partial += rest
                    if len(partial) > LINE_KEPT:
                        self._line(partial)  # an endless line: keep its start only
                        partial, dropping = b"", True
            if partial and not dropping:
                self._line(partial)
        finally:
            self.lines.put(None)

    def start(self):
        threading.Thread(target=self.run, daemon=True).start()
        return self


def _read_text(path, limit=64 << 10):
    """At most ``limit`` bytes of a small file Octave wrote, as text."""
    try:
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


class _Run:
    """One run of the calls, restarting Octave after a call that had to be killed."""

    def __init__(
        self, octave, calls, work, time_limit, total_limit, isolation, shown_folder, shim_dir=None
    ):
        self.octave, self.calls, self.work = octave, calls, work
        self.shim_dir = shim_dir
        self.code = os.path.join(work, "code")
        self.out_dir = os.path.join(work, "out")
        self.time_limit, self.total_limit = time_limit, total_limit
        self.isolation = isolation
        self.shown_folder = shown_folder
        self.results = [None] * len(calls)
        self.version = None
        self.nonce = secrets.token_hex(8)
        self.deadline = time.monotonic() + total_limit

    def next_call(self, start):
        while start < len(self.calls) and self.results[start] is not None:
            start += 1
        return start

    def run(self):
        start = self.next_call(0)
        while start < len(self.calls):
            if time.monotonic() >= self.deadline:
                self.give_up(
                    start,
                    f"not run: the whole check's time limit ({self.total_limit:g} s) was reached",
                )
                break
            progress = self.process(start)
            start = self.next_call(start if progress else start + 1)
        return self.version, self.results

    def give_up(self, start, message):
        for k in range(start, len(self.calls)):
            if self.results[k] is None:
                self.results[k] = CallResult("not run", message=message)

    def _message(self, text):
        """An Octave message with the temporary copy's path replaced by the user's folder."""
        return text.replace(self.code + os.sep, self.shown_folder + os.sep).replace(
            self.code, self.shown_folder
        )

    def finished(self, k, event, parts):
        call = self.calls[k]
        if event == "skip":
            return CallResult("skipped")
        if event == "error":
            text = _read_text(os.path.join(self.out_dir, f"err_{k}.txt")).strip()
            return CallResult("error", message=self._message(text))
        try:
            saved = load_mat(os.path.join(self.out_dir, f"out_{k}.mat")) if call.outputs else {}
        except Nn3Error as exc:
            return CallResult("error", message=f"its outputs could not be read back ({exc})")
        outputs = {name: saved.get(f"o{i}__") for i, name in enumerate(call.outputs)}
        outputs = {n: v for n, v in outputs.items() if v is not None}
        printed = _read_text(os.path.join(self.out_dir, f"out_{k}.txt"))
        chars = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else len(printed)
        return CallResult("ok", outputs, printed=printed, printed_chars=chars)

    def process(self, start):
        """Run calls from ``start`` in one Octave process; False when none of them started."""
        driver = os.path.join(self.work, f"driver_{start}.m")
        try:
            with open(driver, "w", encoding="utf-8") as fh:
                fh.write(
                    _driver(self.calls, start, self.work, self.out_dir, self.nonce, self.shim_dir)
                )
            os.chmod(driver, 0o644)
        except OSError as exc:
            raise Nn3Error(
                f"cannot write the driver script in {self.work}: {exc.strerror}"
            ) from exc
        argv = [self.octave, "--norc", "--quiet", "--no-window-system", driver]
        popen_argv = sandbox.command(
            self.isolation, argv, self.work, [self.code, self.out_dir], self.code
        )
        proc = subprocess.Popen(
            popen_argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            out = OutputReader(proc.stdout.fileno(), self.nonce).start()
            self.stderr = OutputReader(proc.stderr.fileno()).start()
            return self.follow(proc, out.lines, start)
        finally:
            _end(proc)
            proc.stdout.close()
            proc.stderr.close()

    def follow(self, proc, lines, start):
        current, started_any = None, False
        limit = time.monotonic() + STARTUP_LIMIT
        while True:
            checkpoint()  # a stop asked for (a signal to nn3): Octave's tree is ended below
            wait = min(limit, self.deadline) - time.monotonic()
            try:
                line = lines.get(timeout=min(wait, POLL_SECONDS)) if wait > 0 else None
                timed_out = wait <= 0
            except queue.Empty:
                continue  # looked at again, and the time left
            if timed_out:
                return self.timed_out(current, started_any, start)
            if line is None:  # Octave ended
                return self.ended(proc, current, started_any, start)
            parts = line.split()
            if len(parts) < 2 or parts[0] != self.nonce:
                continue
            event = parts[1]
            if event == "ready":
                self.version = " ".join(parts[2:])[:40]
                limit = time.monotonic() + STARTUP_LIMIT
            elif event == "end":
                return True
            elif event == "start" and len(parts) > 2 and parts[2].isdigit():
                current, started_any = int(parts[2]), True
                limit = time.monotonic() + self.time_limit
            elif event in ("done", "error", "skip") and len(parts) > 2 and parts[2].isdigit():
                k = int(parts[2])
                if k < len(self.calls) and self.results[k] is None:
                    self.results[k] = self.finished(k, event, parts)
                current = None
                if event == "skip":
                    started_any = True

    def timed_out(self, current, started_any, start):
        if current is None:
            if not started_any and time.monotonic() < self.deadline:
                raise Nn3Error(f"GNU Octave did not start within {STARTUP_LIMIT:g} s")
            return True  # run() reports what is left
        call = self.calls[current]
        if time.monotonic() >= self.deadline:
            message = f"stopped: the whole check's time limit ({self.total_limit:g} s) was reached"
        else:
            message = f"did not return within {self.time_limit:g} s (an endless loop?)"
        self.results[current] = CallResult("timeout", message=message)
        for k in range(current + 1, len(self.calls)):
            if self.calls[k].function == call.function and self.results[k] is None:
                self.results[k] = CallResult(
                    "not run", message=f"not run: {call.function} timed out on an earlier case"
                )
        return True

    def ended(self, proc, current, started_any, start):
        code = _wait(proc)
        if current is not None:
            self.results[current] = CallResult("exited", message=_exit_reason(code))
            return True
        if not started_any:
            err = [line for line in self.stderr.tail if line.strip()]
            ignorable = "ignoring const execution_exception"
            err = [line for line in err if ignorable not in line] or err
            detail = err[-1] if err else f"exit status {code}"
            raise Nn3Error(f"GNU Octave failed before the first call: {self._message(detail)}")
        return True


def _exit_reason(code):
    """Why Octave ended during a call, from the supervisor's exit status."""
    import signal

    if code is not None and code > 128:
        sig = code - 128
        if sig == signal.SIGXCPU:
            return "Octave was stopped: the CPU time limit was reached"
        if sig == signal.SIGXFSZ:
            return (
                f"Octave was stopped: the code wrote a file larger than the "
                f"{sandbox.FILE_SIZE_LIMIT >> 20} MB limit"
            )
        if sig in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
            return f"Octave crashed or was killed (signal {sig}; out of memory?)"
    return "Octave exited during the call (exit or quit in the code?)"


def _wait(proc, timeout=10.0):
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def _end(proc):
    """Stop the supervisor, which ends Octave's whole process tree; kill it if it lingers."""
    if proc.poll() is None:
        try:
            proc.terminate()
        except OSError:
            pass
        try:
            proc.wait(timeout=25)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_calls(
    folder,
    calls,
    inputs,
    time_limit=10.0,
    total_limit=None,
    octave=None,
    sandbox_mode="auto",
    shown_folder=None,
    shims=(),
):
    """Make ``calls`` on the user's functions in ``folder`` in GNU Octave.

    Parameters
    ----------
    folder : str or os.PathLike
        The user's folder; its ``.m`` files are copied to a temporary folder, which is where the
        code runs (the user's folder is never written to).
    calls : list of Call
    inputs : dict
        The variables the calls' arguments refer to as ``in__.<name>``.
    time_limit : float, default 10.0
        Seconds each call may take.
    total_limit : float, optional
        Seconds the whole run may take (default: 12 times ``time_limit``, at least 60).
    octave : str, optional
        The Octave executable (default: ``octave-cli`` on the PATH).
    sandbox_mode : {"auto", "require", "off"}
        See :func:`sandbox.choose`.
    shown_folder : str, optional
        How messages name the user's folder (default ``folder``).
    shims : iterable of str
        MATLAB functions to run through nn3's shims (:mod:`.compat`), put on Octave's path in
        the temporary folder.

    Returns
    -------
    version : str or None
        Octave's version.
    results : list of CallResult
        One per call, in order.
    isolation : sandbox.Isolation
        How the code ran.

    Raises
    ------
    MissingDependencyError
        Octave is not installed.
    Nn3Error
        Octave cannot start or load the inputs; the temporary copy cannot be made (a full
        disk); ``sandbox_mode="require"`` without a working sandbox.
    """
    octave = octave or find_octave()
    if total_limit is None:
        total_limit = max(60.0, 12 * time_limit)
    shown_folder = shown_folder or os.fspath(folder)
    tmp = tempfile.gettempdir()
    try:
        work_dir = tempfile.TemporaryDirectory(prefix="nn3-portcheck-")
    except OSError as exc:
        raise Nn3Error(
            f"cannot make a temporary folder in {tmp}: {exc.strerror} (set TMPDIR to a folder "
            "with room)"
        ) from exc
    with work_dir as work:
        try:
            isolation = sandbox.choose(sandbox_mode, work, octave, total_limit + STARTUP_LIMIT)
        except sandbox.SandboxUnavailable as exc:
            raise SandboxRequiredError(str(exc)) from exc
        try:
            _copy_code(folder, os.path.join(work, "code"))
            os.makedirs(os.path.join(work, "out"))
            shim_dir = os.path.join(work, "shims") if shims else None
            if shim_dir:
                compat.write_shims(shim_dir, sorted(set(shims)))
            save_mat(os.path.join(work, "inputs.mat"), inputs)
            os.chmod(os.path.join(work, "inputs.mat"), 0o644)
            sandbox.prepare_folders(
                isolation, work, [os.path.join(work, "code"), os.path.join(work, "out")]
            )
        except OSError as exc:
            raise Nn3Error(
                f"cannot make the temporary copy of {shown_folder} in {tmp}: "
                f"{exc.strerror or exc} (set TMPDIR to a folder with room)"
            ) from exc
        run = _Run(octave, calls, work, time_limit, total_limit, isolation, shown_folder, shim_dir)
        version, results = run.run()
        return version, results, isolation
