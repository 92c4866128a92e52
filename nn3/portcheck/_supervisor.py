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

Without bubblewrap it can also isolate the command itself (:func:`isolate`): its own user, mount
and network namespaces, the file system read-only except the folders named.

CONFIG is a JSON object: ``argv`` (absolute path first), ``cwd``, ``env``, ``limits``
(``cpu`` seconds, ``as`` and ``fsize`` bytes, ``nproc`` count; any may be null), ``user``
(``[uid, gid]`` or null), ``isolate`` (the writable folders, or null: no namespaces) and
``parent`` (the pid expected as parent).
"""

import ctypes
import json
import os
import resource
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
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


CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
AT_FDCWD = -100
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 0x1
SYS_MOUNT_SETATTR = 442  # the same number on every architecture (Linux >= 5.12)


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def isolate(writable):
    """Without bubblewrap: a user, mount and network namespace of our own; every mount
    read-only (``mount_setattr``, recursively) except bind mounts of the ``writable`` folders.

    Runs in the forked child as the user the code will run as; the uid and gid map to
    themselves, so after ``execve`` the code has no capabilities in the namespace and cannot
    undo the read-only mounts. No network: the new namespace has only a loopback, down.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET), "unshare")
    for name, text in (
        ("setgroups", "deny"),
        ("uid_map", f"{uid} {uid} 1"),
        ("gid_map", f"{gid} {gid} 1"),
    ):
        with open(f"/proc/self/{name}", "w") as fh:
            fh.write(text)
    _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "private mounts")
    for folder in writable:
        path = os.fsencode(folder)
        _check(libc.mount(path, path, None, MS_BIND | MS_REC, None), f"bind {folder}")
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    # /proc stays as it was: the namespace's own files in it are written below (procfs keeps
    # its own permissions)
    for path, attr in [(b"/", _MountAttr(attr_set=MOUNT_ATTR_RDONLY))] + [
        (os.fsencode(f), _MountAttr(attr_clr=MOUNT_ATTR_RDONLY)) for f in [*writable, "/proc"]
    ]:
        res = syscall(
            ctypes.c_long(SYS_MOUNT_SETATTR),
            ctypes.c_int(AT_FDCWD),
            ctypes.c_char_p(path),
            ctypes.c_uint(AT_RECURSIVE),
            ctypes.byref(attr),
            ctypes.c_size_t(ctypes.sizeof(attr)),
        )
        _check(res, f"mount_setattr {path.decode(errors='replace')}")
    # One more user and mount namespace: copied into it, the mounts' read-only flags are
    # locked, so not even a uid 0 with every capability there can clear them.
    _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS), "unshare (lock)")
    for name, text in (
        ("setgroups", "deny"),
        ("uid_map", f"{uid} {uid} 1"),
        ("gid_map", f"{gid} {gid} 1"),
    ):
        with open(f"/proc/self/{name}", "w") as fh:
            fh.write(text)


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
        if config.get("isolate") is not None:
            if user:  # a changed uid leaves the process undumpable: /proc/self is root's
                _prctl(PR_SET_DUMPABLE, 1)
            isolate(config["isolate"])
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
