"""Run one command with resource limits, and end its whole process tree when it ends.

``nn3 port-check`` starts GNU Octave through this script (``python -I -S _supervisor.py CONFIG``;
standard library only, so it starts in milliseconds). It

- makes itself a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``): a process the user's
  code starts and detaches (``setsid``, a double fork) is re-parented to this script instead of
  to init, so it can still be found;
- starts the command in a new session, with resource limits (CPU time, address space, file
  size, number of processes, no core dumps), in the given folder and environment, as another
  user when asked (root hands the code to ``nobody``);
- when the command exits, or a stop signal (SIGTERM, SIGINT, SIGHUP) arrives, or its parent
  (nn3) dies (``PR_SET_PDEATHSIG``), kills every process below it with SIGKILL, reaps them, and
  exits: with the command's exit status, or 128 + the signal that ended it.

CONFIG is a JSON object: ``argv`` (absolute path first), ``cwd``, ``env``, ``limits``
(``cpu`` seconds, ``as`` and ``fsize`` bytes, ``nproc`` count; any may be null), ``user``
(``[uid, gid]`` or null) and ``parent`` (the pid expected as parent).
"""

import ctypes
import json
import os
import resource
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36

#: Exit status when the command could not be started at all.
CANNOT_START = 125


class _Stop(Exception):
    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _prctl(option, value):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def _children_map():
    """Parent pid -> list of child pids, from /proc."""
    children = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return children
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        fields = data[data.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(name))
    return children


def descendants(root):
    """Every process below ``root``."""
    children = _children_map()
    out, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            out.append(child)
            stack.append(child)
    return out


def _reap():
    """Reap every exited child; False when no child is left at all."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def end_tree(limit=20.0):
    """SIGKILL everything below this process until nothing is left (or ``limit`` seconds)."""
    me = os.getpid()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        procs = descendants(me)
        for pid in procs:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        left = _reap()
        if not procs and not left:
            return
        time.sleep(0.005)


def _status_code(status):
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def _child(config):
    """In the forked child: session, limits, user, folder; then exec (never returns)."""
    try:
        os.setsid()
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        for name, value in (config.get("limits") or {}).items():
            if value is None:
                continue
            which = {
                "cpu": resource.RLIMIT_CPU,
                "as": resource.RLIMIT_AS,
                "fsize": resource.RLIMIT_FSIZE,
                "nproc": resource.RLIMIT_NPROC,
                "core": resource.RLIMIT_CORE,
            }[name]
            soft, hard = resource.getrlimit(which)
            value = int(value)
            # a limit may only be lowered; CPU time gets a SIGKILL margin above SIGXCPU
            new_hard = value + 5 if name == "cpu" else value
            if hard != resource.RLIM_INFINITY:
                new_hard = min(new_hard, hard)
            resource.setrlimit(which, (min(value, new_hard), new_hard))
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        user = config.get("user")
        if user:
            os.setgroups([])
            os.setgid(int(user[1]))
            os.setuid(int(user[0]))
        os.chdir(config["cwd"])
        argv = config["argv"]
        os.execve(argv[0], argv, config["env"])
    except BaseException as exc:  # noqa: BLE001 - report anything, then leave the fork
        try:
            os.write(2, f"nn3 supervisor: cannot start {config['argv'][0]}: {exc}\n".encode())
        finally:
            os._exit(CANNOT_START)


def main(argv):
    config = json.loads(argv[1])

    def stop(signum, frame):
        raise _Stop(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)
    code = CANNOT_START
    try:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if config.get("parent") and os.getppid() != config["parent"]:
            return 128 + signal.SIGTERM  # nn3 is already gone
        pid = os.fork()
        if pid == 0:
            _child(config)
        _pid, status = os.waitpid(pid, 0)
        code = _status_code(status)
    except _Stop as exc:
        code = 128 + exc.signum
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        end_tree()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
