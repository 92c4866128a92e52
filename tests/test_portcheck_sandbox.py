"""``nn3 port-check`` runs other people's code: what that code can and cannot do, and bad input.

Hostile ``.m`` files are written into ``tmp_path`` by each test. Where bubblewrap works (it is
installed by .ci/run, so in nn3's CI run it must) the code runs read-only except its copy and
without network; everywhere the whole process tree ends with the check, output is bounded, and
resource limits apply.
"""

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import needs_octave

from nn3.cli import cli
from nn3.portcheck import _supervisor, octave, report, sandbox

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux process control")

SUPERVISOR = Path(_supervisor.__file__)

CORRECT = "function g = sigmoid(z)\ng = 1 ./ (1 + exp(-z));\nend\n"

#: In nn3's own CI run (NN3_REQUIRE_ALL=1, set by .ci/run, which installs bubblewrap) the sandbox
#: must work; NN3_ALLOW_NO_SANDBOX=1 lets such a run on a system without user namespaces skip.
SANDBOX_REQUIRED = (
    os.environ.get("NN3_REQUIRE_ALL") == "1" and os.environ.get("NN3_ALLOW_NO_SANDBOX") != "1"
)


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text))
    return folder


def processes_with(marker):
    """Pids of live (not zombie) processes whose command line holds ``marker``; a marker
    ``sleep N`` finds only ``sleep N`` itself (not a shell or a script that mentions it)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").strip()
            state = Path(f"/proc/{name}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if state == b"Z":
            continue
        if cmd == marker.encode() if marker.startswith("sleep ") else marker.encode() in cmd:
            found.append(int(name))
    return found


def outputs(rep, function, case_id="z_zero"):
    return rep.saved["outputs"][function][case_id]["g"]


def sandboxed_or_skip(rep):
    if rep.sandboxed:
        return
    if SANDBOX_REQUIRED:
        pytest.fail(f"NN3_REQUIRE_ALL=1: port-check must run sandboxed: {rep.sandbox}")
    pytest.skip(f"no sandbox here: {rep.sandbox}")


# --- what the user is told -----------------------------------------------------------------


def test_help_says_plainly_that_the_code_is_run():
    res = CliRunner().invoke(cli, ["port-check", "--help"])
    assert res.exit_code == 0
    text = " ".join(res.output.split())
    assert "THIS RUNS THE CODE IN DIR" in text
    assert "bubblewrap" in text and "read-only" in text and "without network" in text


# --- the sandbox ----------------------------------------------------------------------------


def hide_bubblewrap(monkeypatch):
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda n, *a, **k: None if n == "bwrap" else real(n))


def no_namespaces(monkeypatch):
    real = sandbox._probe
    monkeypatch.setattr(
        sandbox, "_probe", lambda bwrap, user: real(bwrap, user) if bwrap else (False, "off")
    )


@needs_octave
@pytest.mark.parametrize("how", ["bubblewrap", "namespaces"])
def test_code_cannot_write_outside_its_copy_nor_reach_the_network(tmp_path, how, monkeypatch):
    if how == "namespaces":  # what runs where bubblewrap is not installed
        hide_bubblewrap(monkeypatch)
    outside = tmp_path / "escaped"
    folder = write(
        tmp_path / "student",
        "sigmoid.m",
        f"""\
        function g = sigmoid(z)
        a = system('touch {outside} 2>/dev/null');
        b = system('touch {tmp_path / "student" / "written"} 2>/dev/null');
        c = system('touch ./in_the_copy 2>/dev/null');
        [~, net] = system('tail -n +3 /proc/net/dev | wc -l');
        [~, home] = system('ls "$HOME" | wc -l');
        g = [a; b; c; str2double(net); str2double(home)];
        end
        """,
    )
    rep = report.check_folder(folder)
    sandboxed_or_skip(rep)
    a, b, c, interfaces, home_files = outputs(rep, "sigmoid")[:, 0]
    assert a != 0 and not outside.exists()  # outside the copy: refused
    assert b != 0 and not (folder / "written").exists()  # the user's own folder too
    assert c == 0  # the copy is writable (and HOME is the copy)
    assert home_files >= 2  # sigmoid.m and the new file: HOME is the copy
    assert interfaces == 1  # loopback only: no network
    assert rep.header().endswith("(sandboxed): sigmoid.m")
    assert "read-only" in rep.sandbox and "no network" in rep.sandbox
    assert rep.sandbox.startswith(
        "sandboxed (bubblewrap" if how == "bubblewrap" else "sandboxed (user namespaces"
    )


@needs_octave
@pytest.mark.parametrize("mode", ["auto", "namespaces", "off"])
def test_detached_children_are_ended_with_the_check(tmp_path, mode, monkeypatch):
    if mode == "namespaces":
        hide_bubblewrap(monkeypatch)
    marker = f"{4000 + os.getpid() % 1000}.{len(mode)}17"
    folder = write(
        tmp_path / "student",
        "sigmoid.m",
        f"""\
        function g = sigmoid(z)
        system('setsid sleep {marker} > /dev/null 2>&1 &');
        system('sh -c "(setsid sleep {marker} > /dev/null 2>&1 &) &"');
        system('nohup sleep {marker} > /dev/null 2>&1 &');
        g = 1 ./ (1 + exp(-z));
        end
        """,
    )
    before = processes_with(f"sleep {marker}")
    assert before == []
    rep = report.check_folder(folder, sandbox="auto" if mode == "namespaces" else mode)
    assert rep.passed, rep.format_table()
    assert processes_with(f"sleep {marker}") == []


def _octave_running(tmp):
    """Whether Octave runs a driver script in a temporary folder under ``tmp``."""
    for pid in processes_with(f"{tmp}/nn3-portcheck-"):
        try:
            if b"/driver_" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


@needs_octave
def test_a_check_stopped_by_sigterm_or_sigkill_leaves_no_process(tmp_path):
    loop = write(
        tmp_path / "student",
        "sigmoid.m",
        """\
        function g = sigmoid(z)
        while true
        end
        end
        """,
    )
    for sig in (signal.SIGTERM, signal.SIGKILL):
        tmp = tmp_path / f"tmp-{sig}"
        tmp.mkdir()
        env = dict(os.environ, TMPDIR=str(tmp))
        proc = subprocess.Popen(
            [sys.executable, "-m", "nn3", "port-check", str(loop), "--time-limit", "60"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # Octave itself (its driver script on the command line), not the sandbox's probe,
        # which comes and goes first
        deadline = time.monotonic() + 60
        while not _octave_running(tmp) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _octave_running(tmp), "Octave never started"
        time.sleep(0.5)
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
        assert code == (143 if sig == signal.SIGTERM else -9)
        deadline = time.monotonic() + 20
        while processes_with(f"{tmp}/nn3-portcheck-") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_with(f"{tmp}/nn3-portcheck-") == []
        if sig == signal.SIGTERM:
            assert list(tmp.iterdir()) == []  # the temporary copy is gone too
        proc.stderr.close()


# --- resource limits --------------------------------------------------------------------------


def _run_supervised(argv, limits, user=None, timeout=30):
    config = json.dumps(
        {
            "argv": argv,
            "cwd": "/",
            "env": {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            "limits": limits,
            "user": user,
            "parent": os.getpid(),
        }
    )
    return subprocess.run(
        [sys.executable, "-I", "-S", str(SUPERVISOR), config],
        capture_output=True,
        timeout=timeout,
        text=True,
    )


def test_the_supervisor_sets_every_limit():
    limits = {"cpu": 7, "as": 1 << 30, "fsize": 5 << 20, "nproc": 4321, "core": 0}
    res = _run_supervised(["/bin/cat", "/proc/self/limits"], limits)
    assert res.returncode == 0, res.stderr
    table = {line[:26].strip(): line[26:].split() for line in res.stdout.splitlines()[1:]}
    assert table["Max cpu time"][:2] == ["7", "12"]
    assert table["Max address space"][0] == str(1 << 30)
    assert table["Max file size"][0] == str(5 << 20)
    assert table["Max processes"][0] == "4321"
    assert table["Max core file size"][0] == "0"


_CLEAR_READ_ONLY = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
class Attr(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint64) for n in ("set", "clr", "propagation", "userns_fd")]
attr = Attr(0, 1, 0, 0)  # clear MOUNT_ATTR_RDONLY on the mount holding the path outside
target = os.path.dirname(sys.argv[2])
while not os.path.ismount(target):
    target = os.path.dirname(target)
libc.syscall.restype = ctypes.c_long
res = libc.syscall(ctypes.c_long(442), ctypes.c_int(-100), ctypes.c_char_p(target.encode()),
                   ctypes.c_uint(0), ctypes.byref(attr), ctypes.c_size_t(32))
print("cleared" if res == 0 else "refused")
for path in sys.argv[1:]:
    try:
        open(path, "w").close()
        print("wrote", path)
    except OSError:
        print("could not write", path)
"""


def test_namespaces_without_bubblewrap_cannot_be_undone(tmp_path):
    works, why = sandbox._probe(None, None)
    if not works:
        if SANDBOX_REQUIRED:
            pytest.fail(f"NN3_REQUIRE_ALL=1: user namespaces do not work here: {why}")
        pytest.skip(f"user namespaces do not work here: {why}")
    inside = tmp_path / "copy"
    inside.mkdir()
    config = json.dumps(
        {
            "argv": [
                sys.executable,
                "-I",
                "-S",
                "-c",
                _CLEAR_READ_ONLY,
                str(inside / "ok"),
                str(tmp_path / "escaped"),
            ],
            "cwd": str(inside),
            "env": {"PATH": "/usr/bin:/bin"},
            "limits": {},
            "user": None,  # as the user running the tests (root here: root in the namespace)
            "isolate": [str(inside)],
            "parent": os.getpid(),
        }
    )
    res = subprocess.run(
        [sys.executable, "-I", "-S", str(SUPERVISOR), config], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[:3] == [
        "refused",
        f"wrote {inside / 'ok'}",
        f"could not write {tmp_path / 'escaped'}",
    ]
    assert not (tmp_path / "escaped").exists()


def test_cpu_time_limit_stops_a_busy_loop():
    start = time.monotonic()
    res = _run_supervised(["/bin/sh", "-c", "while :; do :; done"], {"cpu": 1}, timeout=60)
    assert res.returncode in (128 + signal.SIGXCPU, 128 + signal.SIGKILL)
    assert time.monotonic() - start < 30


def test_the_supervisor_ends_detached_grandchildren(tmp_path):
    marker = f"{5000 + os.getpid() % 1000}.25"
    script = f"setsid sleep {marker} & (sleep {marker} &) ; sh -c 'sleep {marker} &' ; exit 3"
    res = _run_supervised(["/bin/sh", "-c", script], {})
    assert res.returncode == 3
    assert processes_with(f"sleep {marker}") == []


def test_the_supervisor_stops_on_sigterm_and_ends_the_tree():
    marker = f"{6000 + os.getpid() % 1000}.5"
    config = json.dumps(
        {
            "argv": ["/bin/sh", "-c", f"setsid sleep {marker} & sleep {marker}"],
            "cwd": "/",
            "env": {"PATH": "/usr/bin:/bin"},
            "limits": {},
            "user": None,
            "parent": os.getpid(),
        }
    )
    proc = subprocess.Popen([sys.executable, "-I", "-S", str(SUPERVISOR), config])
    deadline = time.monotonic() + 20
    while len(processes_with(f"sleep {marker}")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(processes_with(f"sleep {marker}")) == 2
    proc.terminate()
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert processes_with(f"sleep {marker}") == []


@needs_octave
def test_memory_and_file_size_limits_apply_to_the_code(tmp_path):
    folder = write(
        tmp_path / "student",
        "sigmoid.m",
        """\
        function g = sigmoid(z)
        % 3 GB: more than the memory limit
        A = ones(20000, 19000);
        g = A(1) + z;
        end
        """,
    )
    write(
        folder,
        "sigmoidGradient.m",
        """\
        function g = sigmoidGradient(z)
        % 80 MB into one file: more than the file size limit
        fid = fopen('big.bin', 'w');
        n = fwrite(fid, zeros(1, 1e7), 'double');
        fclose(fid);
        d = dir('big.bin');
        g = d.bytes + 0 * z;
        end
        """,
    )
    rep = report.check_folder(folder)
    sig = [r for r in rep.rows if r.function == "sigmoid"]
    assert all(r.kind == "error" and "out of memory" in r.detail for r in sig), rep.format_table()
    grad = [r for r in rep.rows if r.function == "sigmoidGradient"]
    if grad[0].kind == "exited":
        assert "file larger than" in grad[0].detail
    else:  # Octave kept running; the write stopped at the limit
        written = outputs(rep, "sigmoidGradient")
        assert written.max() <= sandbox.FILE_SIZE_LIMIT


# --- bounded output ----------------------------------------------------------------------------

_RSS = """
import resource, sys
from nn3.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("RSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _nn3_peak_kb(folder):
    res = subprocess.run(
        [sys.executable, "-c", _RSS, "port-check", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return int(res.stderr.split("RSS")[-1].split()[0]), res


@needs_octave
def test_output_is_read_in_bounded_pieces(tmp_path):
    quiet = write(tmp_path / "quiet", "sigmoid.m", CORRECT)
    loud = write(
        tmp_path / "loud",
        "sigmoid.m",
        """\
        function g = sigmoid(z)
        % 200 MB in one line straight into Octave's standard output and standard error
        % (around evalc, which captures what Octave itself prints), then 20 MB through evalc
        system(sprintf('head -c 200000000 /dev/zero | tr "\\\\0" x > /proc/%d/fd/1', getpid()));
        system('head -c 200000000 /dev/zero | tr "\\\\0" x >&2');
        disp(repmat('y', 1, 2e7));
        g = 1 ./ (1 + exp(-z));
        end
        """,
    )
    base, _ = _nn3_peak_kb(quiet)
    peak, res = _nn3_peak_kb(loud)
    assert "agrees (prints)" in res.stdout, res.stdout[-2000:]
    assert len(res.stdout) < 20_000  # what is shown stays short
    # whole reads would add hundreds of megabytes; pieces add next to nothing
    assert peak - base < 64 * 1024, (base, peak)


def test_the_output_reader_keeps_marker_lines_and_a_short_tail():
    r, w = os.pipe()
    reader = octave.OutputReader(r, "NONCE").start()
    chunk = b"x" * 1_000_000
    with os.fdopen(w, "wb") as fh:
        for _ in range(50):  # 50 MB without a newline
            fh.write(chunk)
        fh.write(b"\nNONCE done 1 5\n" + b"noise\n" * 100_000 + b"NONCE end\n")
    lines = []
    while (line := reader.lines.get(timeout=30)) is not None:
        lines.append(line)
    assert lines == ["NONCE done 1 5", "NONCE end"]
    assert len(reader.tail) <= octave.TAIL_LINES
    assert all(len(t) <= 300 for t in reader.tail)
    os.close(r)


# --- bad input: one line, exit 2 ---------------------------------------------------------------


def _one_line_exit_2(res, *words):
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1, lines
    for w in words:
        assert w in lines[0], lines[0]


@pytest.mark.parametrize("where", ["top", "below", "same-name"])
def test_save_inside_dir_is_refused(tmp_path, where):
    folder = write(tmp_path / "dir", "sigmoid.m", CORRECT)
    (folder / "sub").mkdir()
    target = {
        "top": folder / "out.mat",
        "below": folder / "sub" / "out.mat",
        "same-name": folder / "sigmoid.m",
    }[where]
    res = CliRunner().invoke(cli, ["port-check", str(folder), "--save", str(target)])
    _one_line_exit_2(res, "--save", "inside")
    assert (folder / "sigmoid.m").read_text() == CORRECT
    assert not (folder / "out.mat").exists() and not (folder / "sub" / "out.mat").exists()


def test_save_with_several_folders_is_refused(tmp_path):
    a = write(tmp_path / "a", "sigmoid.m", CORRECT)
    b = write(tmp_path / "b", "sigmoid.m", CORRECT)
    res = CliRunner().invoke(cli, ["port-check", str(a), str(b), "--save", str(tmp_path / "o.mat")])
    _one_line_exit_2(res, "--save takes the outputs of one folder")


@pytest.mark.parametrize("value", ["inf", "1e308", "nan", "0", "-1", "3601", "ten"])
def test_bad_time_limit_is_one_line(tmp_path, value):
    folder = write(tmp_path / "dir", "sigmoid.m", CORRECT)
    res = CliRunner().invoke(cli, ["port-check", str(folder), "--time-limit", value])
    _one_line_exit_2(res, "--time-limit")
    if value != "ten":  # a number: the library's ParameterError, in the option's name
        assert (
            f"--time-limit must be a number of seconds above 0 and at most 3600, got {value}"
            in (res.output.replace("got 1e+308", "got 1e308"))
        )


def test_library_refuses_a_bad_time_limit(tmp_path):
    from nn3.errors import ParameterError

    for bad in (float("inf"), 1e308, float("nan"), 0.0, True, "10"):
        with pytest.raises(ParameterError, match="^time_limit must be a number of seconds") as e:
            report.port_check(tmp_path, time_limit=bad)
        assert e.value.parameter == "time_limit"


@needs_octave
def test_a_full_disk_while_copying_is_one_line(tmp_path, monkeypatch):
    folder = write(tmp_path / "dir", "sigmoid.m", CORRECT)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "copyfile", full)
    res = CliRunner().invoke(cli, ["port-check", str(folder)])
    _one_line_exit_2(res, "No space left on device", "TMPDIR")


@needs_octave
def test_a_really_full_temporary_folder_is_one_line(tmp_path):
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(tiny)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        (tiny / "filler").write_bytes(b"\0" * 60_000)
        folder = write(tmp_path / "dir", "sigmoid.m", CORRECT)
        res = subprocess.run(
            [sys.executable, "-m", "nn3", "port-check", str(folder)],
            env=dict(os.environ, TMPDIR=str(tiny)),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert res.returncode == 2, res.stderr
        assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
        assert "No space left on device" in res.stderr
    finally:
        subprocess.run(["umount", str(tiny)])


@needs_octave
def test_a_newline_in_the_folder_name_stays_on_one_line(tmp_path):
    folder = write(tmp_path / "two\nlines\x1b[31m", "sigmoid.m", CORRECT)
    res = CliRunner().invoke(cli, ["port-check", str(folder)])
    assert res.exit_code == 0, res.output
    header = res.output.splitlines()[0]
    assert header.startswith("Checking ") and "two\\nlines\\x1b[31m" in header
    assert "\x1b" not in res.output


@needs_octave
def test_an_output_too_large_is_reported_not_loaded(tmp_path):
    folder = write(
        tmp_path / "dir", "sigmoid.m", "function g = sigmoid(z)\ng = zeros(2000) + z(1);\nend\n"
    )
    rep = report.check_folder(folder)
    assert {r.kind for r in rep.rows} == {"error"}
    assert all("returns 31 MB of outputs" in r.detail for r in rep.rows), rep.format_table()


@needs_octave
def test_what_the_code_writes_reaches_the_terminal_escaped(tmp_path):
    folder = write(
        tmp_path / "dir",
        "sigmoid.m",
        'function g = sigmoid(z)\nfprintf("\\033[31mred\\n");\nerror("bad \\033[2J");\nend\n',
    )
    res = CliRunner().invoke(cli, ["port-check", str(folder)])
    assert res.exit_code == 1
    assert "\x1b" not in res.output and "bad \\x1b[2J" in res.output


def test_no_such_folder_among_several_is_exit_2_and_the_others_are_checked(tmp_path):
    if shutil.which("octave-cli") is None:
        pytest.skip("GNU Octave is not installed")
    good = write(tmp_path / "good", "sigmoid.m", CORRECT)
    res = CliRunner().invoke(cli, ["port-check", str(good), str(tmp_path / "missing")])
    assert res.exit_code == 2
    assert "OK: all 3 checks agree" in res.output
    assert "missing: error:" in res.output and "no such folder" in res.output


def test_require_sandbox_without_any_sandbox_is_one_line(tmp_path, monkeypatch):
    if shutil.which("octave-cli") is None:
        pytest.skip("GNU Octave is not installed")
    folder = write(tmp_path / "dir", "sigmoid.m", CORRECT)
    hide_bubblewrap(monkeypatch)
    no_namespaces(monkeypatch)
    res = CliRunner().invoke(cli, ["port-check", str(folder), "--sandbox", "require"])
    _one_line_exit_2(res, "--sandbox require: a sandbox is required", "bubblewrap is not installed")
    from nn3.errors import MissingDependencyError, SandboxRequiredError

    with pytest.raises(SandboxRequiredError, match="^a sandbox is required") as info:
        report.port_check(folder, sandbox="require")
    assert isinstance(info.value, MissingDependencyError) and "--" not in str(info.value)
    res = CliRunner().invoke(cli, ["port-check", str(folder)])
    assert res.exit_code == 0
    assert "(NOT sandboxed)" in res.output.splitlines()[0]
    assert "bubblewrap is not installed" in res.output.splitlines()[1]


@needs_octave
def test_single_precision_overflow_prints_no_warning(tmp_path):
    # single(1e39) is Inf: compared with nn3's numbers without a numpy warning
    folder = write(
        tmp_path / "dir",
        "sigmoid.m",
        "function g = sigmoid(z)\ng = single(1e39) + 0 * z;\nend\n",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep = report.check_folder(folder)
    assert {r.kind for r in rep.rows} == {"differs"}
    assert all("NaN or Inf" in r.detail for r in rep.rows)
