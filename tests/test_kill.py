"""Nothing lost: SIGKILL at random moments, and Ctrl-C (SIGINT) during ``nn3 train``.

A run killed with SIGKILL (no handler can run) must leave its ``--out`` file either absent (no
previous file), byte-for-byte the previous file, or complete -- never a truncated or
half-written file. ``NN3_KILL_RUNS`` sets the number of kills (default 6; each is one short
``nn3 train`` process); ``NN3_KILL_SEED`` picks the moments.
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
protect_process()  # what the nn3 console script sets up: SIGTERM/SIGHUP raise
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
