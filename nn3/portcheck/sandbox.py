"""How ``nn3 port-check`` runs other people's code: isolation, limits, and the process tree.

``port-check`` executes the ``.m`` files it checks, which a teacher checking a class's
submissions has not read. Every run gets, on any Linux system:

- a temporary copy of the ``.m`` files as the working and home folder (``HOME``, ``TMPDIR``),
  and a short environment (``PATH``, the locale, Octave's own variables; nothing else of yours);
- resource limits on Octave and everything it starts: CPU time, address space
  (:data:`MEMORY_LIMIT`), file size (:data:`FILE_SIZE_LIMIT`), number of processes
  (:data:`PROCESS_LIMIT` more than the user runs already), no core files;
- a supervisor (:mod:`._supervisor`) that is a child subreaper, so that processes the code starts
  and detaches (``setsid``, a double fork) are ended with the rest when the run ends;
- run by root, the code runs as ``nobody`` (when the temporary folder is reachable for it).

Where bubblewrap (``bwrap``) works -- Debian's ``bubblewrap`` package, using user namespaces --
Octave also runs with the whole file system read-only except the copy, an empty read-only
``/tmp`` and home folder, no network (a new network namespace), its own process namespace and
no capabilities. Without bubblewrap, where unprivileged user namespaces work, the supervisor
makes a user, mount and network namespace itself: the file system read-only except the copy
(``/tmp`` and the home folder stay readable) and no network. Whether and how the code was
sandboxed is said in the header line of the report.
"""

import functools
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

#: Address space of Octave and each process it starts (bytes). Octave 7 needs about 200 MB.
MEMORY_LIMIT = 2 << 30

#: Largest file Octave may write (bytes); the outputs of a call are a few hundred kilobytes.
FILE_SIZE_LIMIT = 64 << 20

#: Processes (threads included) the code may start, above what the user already runs.
PROCESS_LIMIT = 64

#: The sandbox modes (``nn3 port-check --sandbox``).
MODES = ("auto", "require", "off")

BWRAP_HINT = "apt-get install -y bubblewrap"

_SUPERVISOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_supervisor.py")

#: Environment variables passed on to Octave (plus any OCTAVE_*).
_KEPT_ENV = ("PATH", "LANG", "LC_ALL", "LD_LIBRARY_PATH")


@dataclass(frozen=True)
class Isolation:
    """How the code runs.

    Attributes
    ----------
    sandboxed : bool
        True when bubblewrap isolates the run (read-only file system, no network).
    summary : str
        For the header line: ``sandboxed (bubblewrap: ...)`` or ``NOT sandboxed (...)``.
    user : tuple of int or None
        ``(uid, gid)`` the code runs as, when not the current user.
    bwrap : str or None
        The bubblewrap executable, when used.
    limits : dict
        The resource limits (see :mod:`._supervisor`).
    namespaces : bool
        True when, without bubblewrap, the supervisor makes the namespaces itself.
    """

    sandboxed: bool
    summary: str
    user: tuple | None = None
    bwrap: str | None = None
    limits: dict = field(default_factory=dict)
    namespaces: bool = False


def _nobody():
    try:
        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return 65534, 65534


def _reachable_by_others(path):
    """Whether every folder from ``/`` down to ``path`` can be traversed by any user."""
    path = os.path.realpath(path)
    while True:
        try:
            if not os.stat(path).st_mode & 0o001:
                return False
        except OSError:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def _tasks_of(uid):
    """How many processes (threads counted) ``uid`` runs now (what RLIMIT_NPROC counts)."""
    count = 0
    try:
        names = os.listdir("/proc")
    except OSError:
        return 0
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as fh:
                status = fh.read()
        except OSError:
            continue
        real = threads = None
        for line in status.splitlines():
            if line.startswith(b"Uid:"):
                real = int(line.split()[1])
            elif line.startswith(b"Threads:"):
                threads = int(line.split()[1])
        if real == uid:
            count += threads or 1
    return count


def _bwrap_args(bwrap, work, writable, home_to_hide):
    """The bubblewrap command line that runs a program with ``work`` read-only and the
    ``writable`` folders (inside it) writable, and nothing else writable."""
    args = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    tmp = tempfile.gettempdir()
    hidden = []
    for folder in (tmp, home_to_hide):
        # an empty, read-only folder over /tmp and the user's home (their files stay unseen)
        if folder and os.path.isdir(folder) and folder not in hidden and folder != "/":
            hidden.append(folder)
            args += ["--tmpfs", folder]
    args += ["--ro-bind", work, work]
    for folder in writable:
        args += ["--bind", folder, folder]
    for folder in hidden:
        args += ["--remount-ro", folder]
    args += [
        "--unshare-all",  # user, pid, network, ipc, uts and cgroup namespaces
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
    ]
    return args


def _home_to_hide(octave):
    """The user's home folder, unless Octave itself lives there."""
    home = os.path.expanduser("~")
    if not home or home == "/" or not os.path.isdir(home):
        return None
    real_home = os.path.realpath(home)
    exe = os.path.realpath(octave)
    if exe.startswith(real_home.rstrip("/") + "/"):
        return None
    return real_home


@functools.lru_cache(maxsize=8)
def _probe(bwrap, user):
    """Whether bubblewrap (or, with ``bwrap=None``, the supervisor's own namespaces) works
    here, as ``user``: a quick run of ``sh -c :``."""
    try:
        probe_dir = tempfile.TemporaryDirectory(prefix="nn3-portcheck-probe-")
    except OSError as exc:
        return False, f"no folder for a probe ({exc.strerror})"
    with probe_dir as probe:
        os.chmod(probe, 0o755)
        if user:
            os.chown(probe, *user)
        if bwrap:
            args = _bwrap_args(bwrap, probe, [probe], None) + ["--chdir", probe]
            config = _config(args + ["/bin/sh", "-c", ":"], probe, {}, {}, user)
        else:
            config = _config(["/bin/sh", "-c", ":"], probe, {}, {}, user, isolate=[probe])
        try:
            res = subprocess.run(
                [sys.executable, "-I", "-S", _SUPERVISOR, config],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=20,
            )
        except (OSError, subprocess.TimeoutExpired):
            return False, "the probe did not finish"
    if res.returncode == 0:
        return True, ""
    err = res.stderr.decode("utf-8", "replace").strip().splitlines()
    return False, (err[-1] if err else f"exit status {res.returncode}")[:200]


def _config(argv, cwd, env, limits, user, isolate=None):
    return json.dumps(
        {
            "argv": argv,
            "cwd": cwd,
            "env": env,
            "limits": limits,
            "user": list(user) if user else None,
            "isolate": isolate,
            "parent": os.getpid(),
        }
    )


def choose(mode, work, octave, cpu_seconds):
    """Decide how to run Octave for one check.

    Parameters
    ----------
    mode : {"auto", "require", "off"}
        ``auto``: bubblewrap when it works, else the supervisor's own namespaces when they
        work, else neither (said so); ``require``: fail without one of them; ``off``: neither.
    work : str
        The temporary folder of the run (to see whether ``nobody`` can reach it).
    octave : str
        The Octave executable.
    cpu_seconds : float
        CPU time each Octave process may use.

    Returns
    -------
    isolation : Isolation

    Raises
    ------
    SandboxUnavailable
        ``mode == "require"`` and no sandbox works here.
    """
    user = None
    if os.geteuid() == 0:
        nobody = _nobody()
        if _reachable_by_others(os.path.dirname(os.path.abspath(work))):
            user = nobody
    uid = user[0] if user else os.getuid()
    limits = {
        "cpu": int(cpu_seconds) + 1,
        "as": MEMORY_LIMIT,
        "fsize": FILE_SIZE_LIMIT,
        "nproc": None if uid == 0 else _tasks_of(uid) + PROCESS_LIMIT,
        "core": 0,
    }
    as_whom = " as nobody" if user else (" as root" if uid == 0 else "")
    limit_text = (
        f"limits: {limits['cpu']} s CPU, {MEMORY_LIMIT >> 30} GiB memory, "
        f"{FILE_SIZE_LIMIT >> 20} MB files"
        + (f", {PROCESS_LIMIT} more processes" if limits["nproc"] else "")
    )
    whom = f", {as_whom.strip()}" if as_whom else ""
    if mode != "off":
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            why = f"bubblewrap is not installed ({BWRAP_HINT})"
        else:
            works, why = _probe(bwrap, user)
            if works:
                return Isolation(
                    True,
                    "sandboxed (bubblewrap: file system read-only except the copy, no network"
                    f"{whom}; {limit_text})",
                    user,
                    bwrap,
                    limits,
                )
            why = f"bubblewrap does not work here: {why}"
        works, ns_why = _probe(None, user)
        if works:
            return Isolation(
                True,
                "sandboxed (user namespaces, without bubblewrap: file system read-only except "
                f"the copy, no network{whom}; /tmp and your home stay readable, {why}; "
                f"{limit_text})",
                user,
                None,
                limits,
                namespaces=True,
            )
        why += f"; no user namespaces either ({ns_why})"
        if mode == "require":
            raise SandboxUnavailable(f"a sandbox is required and none works here: {why}")
    else:
        why = "turned off"
    return Isolation(
        False,
        f"NOT sandboxed: {why}; your code runs{as_whom or ' as you'} in a temporary copy, "
        f"{limit_text}",
        user,
        None,
        limits,
    )


class SandboxUnavailable(Exception):
    """A sandbox is required and none works here (raised as an nn3 error by the caller)."""


def environment(home):
    """The environment Octave runs with: a short, fixed list, ``HOME`` and ``TMPDIR`` the copy."""
    env = {k: os.environ[k] for k in _KEPT_ENV if k in os.environ}
    env.update({k: v for k, v in os.environ.items() if k.startswith("OCTAVE")})
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env.update(
        {
            "HOME": home,
            "TMPDIR": home,
            "TERM": "dumb",
            # One BLAS thread: results differ from a threaded run by rounding only, and a
            # class's submissions checked one after another do not each take every core.
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
        }
    )
    return env


def command(isolation, argv, work, writable, cwd):
    """The command that runs ``argv`` (Octave) under the supervisor, as ``isolation`` says.

    Parameters
    ----------
    isolation : Isolation
    argv : list of str
        The Octave command line (absolute executable path first).
    work : str
        The temporary folder (read-only in the sandbox).
    writable : list of str
        Folders inside ``work`` the code may write (the copy, the outputs).
    cwd : str
        The working (and home) folder: the copy.

    Returns
    -------
    popen_argv : list of str
    """
    if isolation.bwrap:
        hide = _home_to_hide(argv[0])
        argv = _bwrap_args(isolation.bwrap, work, writable, hide) + ["--chdir", cwd, *argv]
    isolate = list(writable) if isolation.namespaces else None
    config = _config(argv, cwd, environment(cwd), isolation.limits, isolation.user, isolate)
    return [sys.executable, "-I", "-S", _SUPERVISOR, config]


def prepare_folders(isolation, work, writable):
    """Let the user the code runs as read ``work`` and write ``writable`` (root only)."""
    if not isolation.user:
        return
    uid, gid = isolation.user
    os.chmod(work, 0o755)
    for folder in writable:
        os.chown(folder, uid, gid)
        for name in os.listdir(folder):
            os.chown(os.path.join(folder, name), uid, gid)
