"""Run a user's MATLAB functions in GNU Octave: a temporary copy, one process, a limit per call.

The ``.m`` files of the user's folder are copied into a temporary folder, the inputs are written
there as a .mat file, and a generated driver script makes the calls one after another in one
Octave process (Octave starts in a fraction of a second, but once is cheaper than once per call).
Each call runs inside ``evalc`` (so whatever it prints is captured, not shown) and ``try``, and
its outputs are saved to a .mat file of their own. The driver announces each call on stdout with a
per-run random marker; a call that does not finish within the time limit has its process killed,
and the remaining calls run in a fresh process (the calls left of a function that timed out are
not made: it would most likely loop again). The whole run has a time limit too.
"""

import os
import queue
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

from ..errors import MissingDependencyError, Nn3Error
from ..mat import load_mat, save_mat

INSTALL_HINT = "apt-get install -y --no-install-recommends octave"

#: Seconds Octave may take to start and load the inputs, before the first call.
STARTUP_LIMIT = 30.0


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
    return exe


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
        What the call printed (captured by ``evalc``).
    message : str
        The error message, or why the call was not run.
    """

    status: str
    outputs: dict = field(default_factory=dict)
    printed: str = ""
    message: str = ""


def _q(text):
    """A MATLAB single-quoted string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def _call_code(k, call, work, nonce):
    outs = [f"o{i}__" for i in range(len(call.outputs))]
    statement = f"[{', '.join(outs)}] = {call.function}({call.args});"
    out_file = os.path.join(work, f"out_{k}.mat")
    txt_file = os.path.join(work, f"out_{k}.txt")
    err_file = os.path.join(work, f"err_{k}.txt")
    body = f"""printf('%s start {k}\\n', nonce__); fflush(stdout);
try
  printed__ = evalc({_q(statement)});
  save('-v7', {_q(out_file)}, {", ".join(_q(o) for o in outs)});
  fid__ = fopen({_q(txt_file)}, 'w'); fputs(fid__, printed__); fclose(fid__);
  printf('%s done {k}\\n', nonce__); fflush(stdout);
catch err__
  msg__ = err__.message;
  for s__ = 1:numel(err__.stack)
    if strcmp(err__.stack(s__).name, {_q(call.function)}) && err__.stack(s__).line > 0
      msg__ = sprintf('%s (%s.m line %d)', msg__, {_q(call.function)}, err__.stack(s__).line);
      break;
    end
  end
  fid__ = fopen({_q(err_file)}, 'w'); fputs(fid__, msg__); fclose(fid__);
  printf('%s error {k}\\n', nonce__); fflush(stdout);
end
clear o*__;
"""
    if call.with_lambda is None:
        return body
    test = f"nargin({_q(call.function)})"
    cond = f"({test} < 0 || {test} >= 5)"
    if not call.with_lambda:
        cond = f"~{cond}"
    return f"if {cond}\n{body}else\nprintf('%s skip {k}\\n', nonce__); fflush(stdout);\nend\n"


def _driver(calls, start, work, nonce):
    lines = [
        "warning('off', 'all');",
        "more off;",
        f"nonce__ = {_q(nonce)};",
        f"in__ = load({_q(os.path.join(work, 'inputs.mat'))});",
        "printf('%s ready %s\\n', nonce__, version()); fflush(stdout);",
    ]
    for k in range(start, len(calls)):
        lines.append(_call_code(k, calls[k], work, nonce))
    lines.append("printf('%s end\\n', nonce__); fflush(stdout);")
    return "\n".join(lines) + "\n"


def _copy_code(folder, dest):
    os.makedirs(dest)
    for name in sorted(os.listdir(folder)):
        src = os.path.join(folder, name)
        if name.endswith(".m") and os.path.isfile(src):
            shutil.copyfile(src, os.path.join(dest, name))


def _reader(stream, lines):
    for line in stream:
        lines.put(line)
    lines.put(None)


def _kill(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def _read_text(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def _finished(k, call, event, work):
    if event == "skip":
        return CallResult("skipped")
    if event == "error":
        return CallResult("error", message=_read_text(os.path.join(work, f"err_{k}.txt")).strip())
    saved = load_mat(os.path.join(work, f"out_{k}.mat"))
    outputs = {name: saved.get(f"o{i}__") for i, name in enumerate(call.outputs)}
    return CallResult("ok", outputs, printed=_read_text(os.path.join(work, f"out_{k}.txt")))


class _Run:
    """One run of the calls, restarting Octave after a call that had to be killed."""

    def __init__(self, octave, calls, work, code, time_limit, total_limit):
        self.octave, self.calls, self.work, self.code = octave, calls, work, code
        self.time_limit, self.total_limit = time_limit, total_limit
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

    def process(self, start):
        """Run calls from ``start`` in one Octave process; False when none of them started."""
        driver = os.path.join(self.work, f"driver_{start}.m")
        with open(driver, "w", encoding="utf-8") as fh:
            fh.write(_driver(self.calls, start, self.work, self.nonce))
        with open(os.path.join(self.work, f"stderr_{start}.txt"), "wb") as err:
            proc = subprocess.Popen(
                [self.octave, "--norc", "--quiet", "--no-window-system", driver],
                cwd=self.code,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                start_new_session=True,
                text=True,
                errors="replace",
            )
        lines = queue.Queue()
        threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
        try:
            return self.follow(proc, lines, start)
        finally:
            _kill(proc)
            proc.stdout.close()

    def follow(self, proc, lines, start):
        current, started_any = None, False
        limit = time.monotonic() + STARTUP_LIMIT
        while True:
            wait = min(limit, self.deadline) - time.monotonic()
            try:
                line = lines.get(timeout=max(wait, 0.0)) if wait > 0 else None
                timed_out = False
            except queue.Empty:
                line, timed_out = None, True
            if wait <= 0:
                timed_out = True
            if timed_out:
                return self.timed_out(current, started_any, start)
            if line is None:  # Octave ended
                return self.ended(proc, current, started_any, start)
            parts = line.split()
            if len(parts) < 2 or parts[0] != self.nonce:
                continue
            event = parts[1]
            if event == "ready":
                self.version = " ".join(parts[2:])
                limit = time.monotonic() + STARTUP_LIMIT
            elif event == "end":
                return True
            elif event == "start":
                current, started_any = int(parts[2]), True
                limit = time.monotonic() + self.time_limit
            elif event in ("done", "error", "skip"):
                k = int(parts[2])
                self.results[k] = _finished(k, self.calls[k], event, self.work)
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
        if current is not None:
            self.results[current] = CallResult(
                "exited", message="Octave exited during the call (exit or quit in the code?)"
            )
            return True
        if not started_any:
            code = proc.wait()
            err = _read_text(os.path.join(self.work, f"stderr_{start}.txt")).strip().splitlines()
            detail = err[-1] if err else f"exit status {code}"
            raise Nn3Error(f"GNU Octave failed before the first call: {detail}")
        return True


def run_calls(folder, calls, inputs, time_limit=10.0, total_limit=None, octave=None):
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

    Returns
    -------
    version : str or None
        Octave's version.
    results : list of CallResult
        One per call, in order.

    Raises
    ------
    MissingDependencyError
        Octave is not installed.
    Nn3Error
        Octave cannot start or load the inputs.
    """
    octave = octave or find_octave()
    if total_limit is None:
        total_limit = max(60.0, 12 * time_limit)
    with tempfile.TemporaryDirectory(prefix="nn3-portcheck-") as work:
        code = os.path.join(work, "code")
        _copy_code(folder, code)
        save_mat(os.path.join(work, "inputs.mat"), inputs)
        return _Run(octave, calls, work, code, time_limit, total_limit).run()
