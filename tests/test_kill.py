"""Nothing lost: SIGKILL at random moments, Ctrl-C (SIGINT) during ``nn3 train``, and every stop
signal in every command.

A run killed with SIGKILL (no handler can run) must leave its ``--out`` file either absent (no
previous file), byte-for-byte the previous file, or complete -- never a truncated or
half-written file. ``NN3_KILL_RUNS`` sets the number of kills (default 6; each is one short
``nn3 train`` process); ``NN3_KILL_SEED`` picks the moments.

SIGINT, SIGTERM and SIGHUP are also sent where a handler that raised would lose its exception
(inside a weakref callback, a ``__del__``, HDF5's close: Python prints "Exception ignored" and
carries on), deterministically, in each command, and at random moments of a real ``make-data``:
the command stops at its next safe point (:mod:`nn3.stopping`), exit 128 + signal, nothing
written, no temporary file left.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import nn3

DIGITS = Path(__file__).resolve().parent.parent / "data" / "digits.mat"
KILL_RUNS = int(os.environ.get("NN3_KILL_RUNS", "6"))
KILL_SEED = int(os.environ.get("NN3_KILL_SEED", "2024"))

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def train_command(out, fmt, maxiter=15):
    return [
        sys.executable,
        "-m",
        "nn3",
        "train",
        str(DIGITS),
        "--maxiter",
        str(maxiter),
        "--out",
        str(out),
        "--format",
        fmt,
        "-q",
    ]


def is_complete(path, maxiter):
    """The file holds a whole training result (independent of how it was written)."""
    try:
        w = nn3.load_mat(path)
    except nn3.MatFileError:
        return False
    if w["Theta1"].shape != (25, 65) or w["Theta2"].shape != (10, 26):
        return False
    unrolled = np.concatenate([w["Theta1"].ravel("F"), w["Theta2"].ravel("F")])
    return (
        np.array_equal(w["nn_params"][:, 0], unrolled)
        and w["cost"].shape[0] == int(w["iterations"][0, 0])
        and w["maxiter"][0, 0] == maxiter
    )


def test_sigkill_at_random_moments_never_leaves_a_broken_file(tmp_path):
    rng = random.Random(KILL_SEED)
    # How long a whole run takes here, to spread the kills over it (and past its end).
    out = tmp_path / "full.mat"
    start = time.monotonic()
    subprocess.run(train_command(out, "5"), check=True, capture_output=True, timeout=300)
    duration = time.monotonic() - start
    assert is_complete(out, 15)

    outcomes = {"absent": 0, "previous": 0, "complete": 0}
    killed_in_flight = 0
    for run in range(KILL_RUNS):
        fmt = "5" if run % 2 == 0 else "7.3"
        target = tmp_path / f"run{run}.mat"
        previous = None
        if run % 4 < 2:  # half the runs overwrite an earlier file of the same name
            nn3.save_mat(target, {"previous": np.array([[float(run)]])}, format=fmt)
            previous = target.read_bytes()
        proc = subprocess.Popen(
            train_command(target, fmt),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.1, 1.4) * duration)
        proc.send_signal(signal.SIGKILL)
        returncode = proc.wait(timeout=60)
        killed_in_flight += returncode == -signal.SIGKILL
        if returncode == 0:  # it finished before the kill: the file must be its result
            assert is_complete(target, 15), f"run {run} finished but {target} is not its result"
        if not target.exists():
            assert previous is None, "the previous file was destroyed"
            outcomes["absent"] += 1
        elif previous is not None and target.read_bytes() == previous:
            outcomes["previous"] += 1
        else:
            assert is_complete(target, 15), f"run {run}: {target} is neither old nor complete"
            outcomes["complete"] += 1
        # Whatever was left behind is a temporary file, never under the output's name.
        for leftover in tmp_path.glob(".nn3-*"):
            assert leftover.name.endswith(".mat.tmp")
    print(f"kill outcomes over {KILL_RUNS} runs of {duration:.2f} s: {outcomes}")
    assert killed_in_flight >= 1, "no run was killed while it ran: nothing was tested"


WRITER = """
import sys, numpy as np, nn3
target, fmt = sys.argv[1], sys.argv[2]
for k in range(1, 1000):
    nn3.save_mat(target, {"k": float(k), "X": np.full((400, 1000), float(k))}, format=fmt)
    if k == 1:
        print("saved", flush=True)  # from here on a whole file is always there
"""


@pytest.mark.parametrize("fmt", ["5", "7.3"])
def test_sigkill_while_saving_leaves_a_whole_file(tmp_path, fmt):
    """Kill a process that does nothing but save, at random moments: every file is whole.

    The kills come after the first save is complete, so a file is always there to check.
    """
    rng = random.Random(KILL_SEED + len(fmt))
    for run in range(max(KILL_RUNS // 2, 1)):
        target = tmp_path / f"save{run}.mat"
        with subprocess.Popen(  # on leaving: waits for the process, closes its pipe
            [sys.executable, "-c", WRITER, str(target), fmt],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        ) as proc:
            try:
                assert proc.stdout.readline().strip() == "saved"
                time.sleep(rng.uniform(0.05, 1.0))
            finally:
                proc.send_signal(signal.SIGKILL)
        assert target.exists(), f"run {run}: the saved file disappeared"
        w = nn3.load_mat(target)  # raises if the file is not whole
        k = w["k"][0, 0]
        assert w["X"].shape == (400, 1000) and np.all(w["X"] == k), f"run {run}"


def test_sigint_saves_the_best_weights_marked_interrupted(tmp_path):
    out = tmp_path / "w.mat"
    nn3.save_mat(out, {"previous": 1.0})
    command = [arg for arg in train_command(out, "7.3", maxiter=100000) if arg != "-q"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait until fmincg reports its first iterations, then press Ctrl-C.
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if sum(seen_line.startswith("Iteration") for seen_line in seen) >= 3:
            break
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    stdout = "".join(seen) + stdout
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted after" in stderr and "interrupted = 1" in stderr
    w = nn3.load_mat(out)
    assert w["interrupted"][0, 0]
    # The saved parameters are the best evaluated: their cost is what stderr reports, and no
    # worse than the last completed iteration's.
    d = nn3.load_mat(DIGITS)
    J, _ = nn3.nn_cost_function(w["nn_params"], 64, 25, 10, d["X"], d["y"], 1.0)
    reported = float(stderr.split("(cost ")[1].split(")")[0])
    assert J == pytest.approx(reported, rel=1e-6)
    if w["cost"].size:
        assert J <= w["cost"][-1, 0]
    assert "Saved Theta1 (25x65)" in stdout


# --- SIGTERM and SIGHUP are Ctrl-C; a signal during a save leaves no temporary file ---


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_save_the_best_weights_like_ctrl_c(tmp_path, signame):
    """What ``timeout``, systemd, ``docker stop``, batch schedulers and a closed terminal send."""
    signum = getattr(signal, signame)
    out = tmp_path / "w.mat"
    nn3.save_mat(out, {"previous": 1.0})
    command = [arg for arg in train_command(out, "5", maxiter=100000) if arg != "-q"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if line.startswith("Iteration     3"):
            break
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr
    assert f"interrupted by {signame} after" in stderr and "interrupted = 1" in stderr
    w = nn3.load_mat(out)
    assert w["interrupted"][0, 0] and w["Theta1"].shape == (25, 65)
    assert not list(tmp_path.glob(".nn3-*"))


SIGNAL_WRITER = """
import sys, numpy as np, nn3
from nn3.cli._common import StopSignals, interrupted_exit, protect_process
target, fmt, mode = sys.argv[1:4]
protect_process()  # what the nn3 console script sets up: the stop signals ask to stop
if mode == "second":  # nn3 train after a first Ctrl-C: the next one abandons the save
    signals = StopSignals()
    signals.install()
    signals.stop.set()
X = np.random.default_rng(0).random((1000, 1000))
try:
    for k in range(1, 1000):
        nn3.save_mat(target, {"k": float(k), "X": X + k}, format=fmt)
        if k == 1:
            print("saved", flush=True)
except KeyboardInterrupt as exc:
    sys.exit(interrupted_exit(exc))
"""


@pytest.mark.parametrize(
    "fmt, mode, signame",
    [
        ("5", "first", "SIGTERM"),
        ("7.3", "first", "SIGTERM"),
        ("7.3", "first", "SIGHUP"),
        ("7.3", "second", "SIGINT"),
        ("5", "second", "SIGINT"),
    ],
)
def test_signal_during_a_save_abandons_it_cleanly(tmp_path, fmt, mode, signame):
    """A signal that stops a save: no temporary file left, the previous file whole, no
    "Exception ignored" from h5py, exit 128 + signal, one line on stderr."""
    signum = getattr(signal, signame)
    rng = random.Random(KILL_SEED + signum + len(fmt))
    for run in range(max(KILL_RUNS // 2, 2)):
        target = tmp_path / f"save{run}.mat"
        with subprocess.Popen(
            [sys.executable, "-c", SIGNAL_WRITER, str(target), fmt, mode],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as proc:
            try:
                assert proc.stdout.readline().strip() == "saved"
                time.sleep(rng.uniform(0.05, 0.8))
            finally:
                proc.send_signal(signum)
            stderr = proc.stderr.read()
        assert proc.wait(timeout=60) == 128 + signum, stderr
        assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
        assert len(stderr.strip().splitlines()) == 1, stderr
        assert not list(tmp_path.glob(".nn3-*")), f"run {run}: a temporary file was left"
        w = nn3.load_mat(target)  # the previous save, whole
        base = np.random.default_rng(0).random((1000, 1000))
        assert np.array_equal(w["X"], base + w["k"][0, 0]), f"run {run}: not a whole save"


# --- A signal never raises where it can be lost: every command stops at a safe point ---------

#: Runs ``nn3 ARGV`` (the console script's entry point) after making the ``nth`` call of
#: ``module:Qualified.name`` first send ``count`` signals from where a raising handler's
#: exception is lost (Python prints "Exception ignored" and carries on): inside a weakref
#: callback, or inside a ``__del__``. The handler runs there, in the callback's bytecode.
INJECT = r"""
import importlib, os, signal, sys, weakref
from nn3.cli import main

signame, where, target, nth, count = sys.argv[1:6]
argv = sys.argv[6:]
signum, nth, count = getattr(signal, signame), int(nth), int(count)


class Victim:
    def __del__(self):
        if where == "del":
            os.kill(os.getpid(), signum)
            for _ in range(1000):  # the handler runs here, inside __del__
                pass


def send_where_it_is_lost():
    victim = Victim()
    if where == "weakref":
        def callback(ref):
            os.kill(os.getpid(), signum)
            for _ in range(1000):  # the handler runs here, inside the callback
                pass
        victim.ref = weakref.ref(Victim(), callback)  # its referent dies at once
    del victim


module_name, _, qualname = target.partition(":")
owner = importlib.import_module(module_name)
*path, name = qualname.split(".")
for part in path:
    owner = getattr(owner, part)
original = getattr(owner, name)
calls = []


def hooked(*args, **kwargs):
    calls.append(1)
    if len(calls) == nth:
        for _ in range(count):
            send_where_it_is_lost()
    return original(*args, **kwargs)


setattr(owner, name, hooked)
main(argv)
"""


@pytest.fixture(scope="module")
def signal_files(tmp_path_factory):
    """A weights file and a v7.3 data file for the commands below."""
    folder = tmp_path_factory.mktemp("signal-files")
    weights = folder / "w.mat"
    subprocess.run(
        train_command(weights, "5", maxiter=2), check=True, capture_output=True, timeout=300
    )
    big = folder / "big.mat"
    d = nn3.load_mat(DIGITS)
    X = np.tile(d["X"], (4, 1))
    nn3.save_mat(big, {"X": X, "y": np.tile(d["y"], (4, 1))}, format="7.3")
    return {"w": weights, "data": DIGITS, "big": big}


SAFE_POINT_CASES = {
    # command line (OUT: the output, previous content kept), hook, nth call, signals sent
    "make-data, in a weakref callback while writing": (
        ["make-data", "--rows", "60000", "--features", "20", "--out", "{out}"],
        "nn3.mat.blocks:RowBlockMatrix.write_rows", 3, 1, "weakref",
    ),
    "make-data, in a __del__ while HDF5 closes the file": (
        ["make-data", "--rows", "20000", "--features", "20", "--out", "{out}"],
        "h5py:File.close", 1, 1, "del",
    ),
    "predict --stream --out, in a weakref callback while writing": (
        ["predict", "{w}", "{big}", "--stream", "--block-rows", "500", "--out", "{out}"],
        "nn3.mat.blocks:RowBlockMatrix.write_rows", 2, 1, "weakref",
    ),
    "predict --out, in a weakref callback while saving": (
        ["predict", "{w}", "{data}", "--out", "{out}", "--format", "7.3"],
        "nn3.mat.writer:write_v73", 1, 1, "weakref",
    ),
    "train, a second signal in a weakref callback while saving": (
        ["train", "{data}", "--maxiter", "3", "-q", "--out", "{out}"],
        "nn3.workflow.fitting:FitResult.save", 1, 2, "weakref",
    ),
    "train, in a weakref callback while reading the data": (
        ["train", "{data}", "--maxiter", "3", "--out", "{out}"],  # not trained: no Iteration
        "nn3.workflow.fitting:prepare", 1, 1, "weakref",
    ),
    "cost, in a weakref callback while computing": (
        ["cost", "{w}", "{data}"], "nn3.core.network:cost_function", 1, 1, "weakref",
    ),
    "info, in a weakref callback while reading": (
        ["info", "{big}"], "nn3.mat:iter_mat", 1, 1, "weakref",
    ),
    "compare, in a weakref callback while comparing": (
        ["compare", "{w}", "{w}"], "nn3.compare:compare_files", 1, 1, "weakref",
    ),
    "check-grad, in a weakref callback while differencing": (
        ["check-grad"], "nn3.core.gradcheck:compute_numerical_gradient", 1, 1, "weakref",
    ),
}  # fmt: skip


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("case", list(SAFE_POINT_CASES))
def test_a_signal_where_raising_would_be_lost_stops_the_command(
    tmp_path, signal_files, case, signame
):
    """The handler runs where an exception cannot propagate; the command still stops at its
    next safe point: exit 128 + signal, one line, nothing written, no temporary file."""
    args, target, nth, count, where = SAFE_POINT_CASES[case]
    signum = getattr(signal, signame)
    out = tmp_path / "out.mat"
    out.write_bytes(b"previous")
    argv = [a.format(out=out, **signal_files) for a in args]
    r = subprocess.run(
        [sys.executable, "-c", INJECT, signame, where, target, str(nth), str(count), *argv],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Exception ignored" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 128 + signum, (r.returncode, r.stdout, r.stderr)
    how = "interrupted" if signame == "SIGINT" else f"stopped by {signame}"
    assert r.stderr.strip().splitlines() == [f"nn3: {how}; nothing was saved"], r.stderr
    assert out.read_bytes() == b"previous"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".nn3-")]
    for result_line in (
        "Cost at parameters", "Relative Difference", "Wrote ", "Saved ", "Training Set Accuracy",
        "Iteration ",
    ):  # fmt: skip
        assert result_line not in r.stdout, r.stdout


def test_a_signal_in_port_check_ends_octave_and_saves_nothing(tmp_path):
    """port-check waits for Octave in short steps: a signal ends the check (and Octave)."""
    from support import OCTAVE

    if OCTAVE is None:
        pytest.skip("GNU Octave is not installed")
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "sigmoid.m").write_text("function g = sigmoid(z)\ng = 1 ./ (1 + exp(-z));\nend\n")
    out = tmp_path / "out.mat"
    out.write_bytes(b"previous")
    r = subprocess.run(
        [
            sys.executable, "-c", INJECT, "SIGTERM", "weakref",
            "nn3.portcheck.octave:_Run.follow", "1", "1",
            "port-check", str(folder), "--save", str(out), "--sandbox", "off",
        ],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 143, (r.stdout, r.stderr)
    assert r.stderr.strip().splitlines() == ["nn3: stopped by SIGTERM; nothing was saved"]
    assert out.read_bytes() == b"previous"


def _make_data_command(out, rows=300000):
    return [
        sys.executable, "-m", "nn3", "make-data", "--rows", str(rows), "--features", "50",
        "--out", str(out),
    ]  # fmt: skip


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_make_data_stopped_at_random_moments_keeps_the_previous_file(tmp_path, signame):
    """Real signals at random moments of a real make-data (and a second one 50 ms later in
    half the runs): exit 128 + signal with the previous file as it was, or exit 0 with the
    complete file when the signal came too late; never "Exception ignored", never a leftover."""
    signum = getattr(signal, signame)
    rng = random.Random(KILL_SEED + signum)
    out = tmp_path / "big.mat"

    def started():
        proc = subprocess.Popen(
            _make_data_command(out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 60  # until it writes (before, Python itself is starting)
        while not list(tmp_path.glob(".nn3-*")) and proc.poll() is None:
            assert time.monotonic() < deadline, "make-data never started writing"
            time.sleep(0.01)
        return proc

    proc = started()  # how long the writing takes here, to spread the signals over it
    t0 = time.monotonic()
    assert proc.wait(timeout=300) == 0
    writing = time.monotonic() - t0
    stopped = 0
    for run in range(max(KILL_RUNS, 4)):
        out.write_bytes(b"previous")
        proc = started()
        time.sleep(0.0 if run == 0 else rng.uniform(0.0, 1.2 * writing))
        proc.send_signal(signum)
        if run % 2:
            time.sleep(0.05)
            if proc.poll() is None:
                proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=120)
        assert "Exception ignored" not in stderr and "Traceback" not in stderr, stderr
        assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".nn3-")]
        if proc.returncode == 0:  # finished before the signal: the whole file
            assert nn3.load_mat(out)["X"].shape == (300000, 50)
            continue
        assert proc.returncode == 128 + signum, (proc.returncode, stderr)
        assert out.read_bytes() == b"previous", f"run {run}: the previous file was replaced"
        stopped += 1
    assert stopped >= 1, "no run was stopped while it ran: nothing was tested"
