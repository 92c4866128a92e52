"""The engines on the command line: ``nn3 train/predict --stream/--dask`` and ``nn3 make-data``.

- ``nn3 train --stream`` and ``--dask local:2`` write weights files with the same bits (every
  variable but ``engine``), agreeing with the in-memory ``nn3 train`` to 1e-10 after 10
  iterations, and holding the same variables as it plus ``engine`` and ``block_rows``;
- ``nn3 make-data`` is deterministic from its seed;
- without the ``dask`` extra, ``--dask`` fails in one line naming it (exit 2); a scheduler that
  does not answer fails in one line within :data:`nn3.engines.dask_engine.CONNECT_TIMEOUT`;
- a worker killed while it is evaluating: the evaluation is recomputed with the same bits, or
  fails in one clear line;
- Ctrl-C during ``nn3 train --stream`` saves the best weights, marked interrupted;
- Dask predicts from a ``dask.array`` the labels the stream engine gives.
"""

import contextlib
import os
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from click.testing import CliRunner

import nn3
from nn3.cli import cli
from nn3.errors import ClusterError

pytest.importorskip("distributed")

ROWS, FEATURES, LABELS, HIDDEN = 3000, 20, 4, 8
TRAIN = ["--hidden", str(HIDDEN), "--maxiter", "10", "--block-rows", "500", "-q"]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_line_error(result):
    err = result.stderr if hasattr(result, "stderr") else result.output
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("nn3: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli_engines") / "data.mat"
    result = invoke(
        "make-data", "--rows", ROWS, "--features", FEATURES, "--labels", LABELS, "--seed", 3, path
    )
    assert result.exit_code == 0, result.output
    return path


def test_train_stream_and_dask_write_the_same_bits_close_to_in_memory(data, tmp_path):
    files = {}
    for name, extra in (
        ("memory", []),
        ("stream", ["--stream"]),
        ("dask", ["--dask", "local:2"]),
    ):
        files[name] = tmp_path / f"{name}.mat"
        opts = TRAIN if extra else [a for a in TRAIN if a not in ("--block-rows", "500")]
        result = invoke("train", data, *opts, *extra, "--out", files[name])
        assert result.exit_code == 0, result.output
    memory, stream, dask = (nn3.load_mat(files[k]) for k in ("memory", "stream", "dask"))
    # The weights file is the in-memory one's, with which engine ran and its block size instead
    # of the in-memory evaluation's thread count.
    assert set(stream) == set(dask) == set(memory) - {"threads"} | {"engine", "block_rows"}
    assert stream["engine"] == "stream" and dask["engine"] == "dask"
    assert stream["block_rows"][0, 0] == dask["block_rows"][0, 0] == 500
    for name, value in stream.items():
        if name == "engine":
            continue
        if isinstance(value, np.ndarray):
            assert value.dtype == dask[name].dtype and np.array_equal(value, dask[name]), name
        else:
            assert value == dask[name], name
    for name in ("Theta1", "Theta2", "nn_params", "cost"):
        scale = np.max(np.abs(memory[name]))
        assert np.max(np.abs(stream[name] - memory[name])) <= 1e-10 * scale, name
    assert stream["initial_params"].tobytes() == memory["initial_params"].tobytes()
    assert stream["n_evals"] == memory["n_evals"] and stream["iterations"] == memory["iterations"]


def test_predict_stream_and_dask_write_v73_predictions(data, tmp_path):
    weights = tmp_path / "w.mat"
    assert invoke("train", data, *TRAIN, "--stream", "--out", weights).exit_code == 0
    outs = {}
    for name, extra in (("stream", ["--stream"]), ("dask", ["--dask", "local:2"])):
        outs[name] = tmp_path / f"p_{name}.mat"
        result = invoke("predict", weights, data, *extra, "--block-rows", 700, "--out", outs[name])
        assert result.exit_code == 0, result.output
        assert f"Predicted {ROWS} examples" in result.output and "Accuracy:" in result.output
    assert nn3.mat_format(outs["stream"]) == "7.3"
    s, d = nn3.load_mat(outs["stream"]), nn3.load_mat(outs["dask"])
    w, X = nn3.load_mat(weights), nn3.load_mat(data)["X"]
    assert s["p"].shape == (ROWS, 1) and s["h"].shape == (ROWS, LABELS)
    assert np.array_equal(s["p"], d["p"]) and np.array_equal(s["h"], d["h"])
    assert np.array_equal(s["p"][:, 0], nn3.predict(w["Theta1"], w["Theta2"], X))


def test_make_data_depends_on_the_seed_only(tmp_path):
    args = ["--rows", 500, "--features", 7, "--labels", 3]
    paths = [tmp_path / f"{i}.mat" for i in range(3)]
    for path, seed in zip(paths, (5, 5, 6), strict=True):
        result = invoke("make-data", *args, "--seed", seed, "--format", "7.3", path)
        assert result.exit_code == 0 and "Wrote X (500x7" in result.output, result.output
    a, b, c = (nn3.load_mat(p) for p in paths)
    assert a["X"].shape == (500, 7) and a["y"].shape == (500, 1)
    assert np.array_equal(a["X"], b["X"]) and np.array_equal(a["y"], b["y"])
    assert not np.array_equal(a["X"], c["X"])
    assert set(np.unique(a["y"])) <= {1.0, 2.0, 3.0}


def test_dask_without_the_extra_fails_in_one_line(data, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    for args in (
        ("train", data, "--dask", "local:2", "--out", tmp_path / "w.mat"),
        ("predict", data, data, "--dask", "local:2"),
    ):
        result = invoke(*args)
        assert result.exit_code == 2
        assert "pip install 'nn3[dask]'" in one_line_error(result)
    assert not (tmp_path / "w.mat").exists()


def test_scheduler_that_does_not_answer_fails_in_one_line_within_the_timeout(data, tmp_path):
    from nn3.engines.dask_engine import CONNECT_TIMEOUT

    silent = socket.socket()  # accepts connections (backlog) and never says a word
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
    try:
        t0 = time.monotonic()
        result = invoke("train", data, "--dask", address, "--out", tmp_path / "w.mat")
        elapsed = time.monotonic() - t0
    finally:
        silent.close()
    assert result.exit_code == 2
    line = one_line_error(result)
    assert address.removeprefix("tcp://") in line and "did not answer" in line
    assert elapsed < CONNECT_TIMEOUT + 15
    assert not (tmp_path / "w.mat").exists()


def test_worker_killed_mid_evaluation_is_recomputed_or_a_clear_error(tmp_path):
    """A worker SIGKILLed while its evaluation task runs: Dask reruns the shard (read from the
    file) on the other worker; the evaluation gives the same bits, or raises ClusterError."""
    from nn3.engines import make_objective
    from nn3.engines.dask_engine import connect
    from nn3.workflow.datagen import make_data

    path = tmp_path / "mid.mat"
    rows, n, hidden, K = 40000, 400, 100, 10
    make_data(path, rows, n, K, seed=1)
    y = nn3.load_mat(path)["y"]
    x = 0.1 * np.sin(np.arange(1, hidden * (n + 1) + K * (hidden + 1) + 1))
    client = connect("local:2")
    try:
        with make_objective(
            path, y, n, hidden, K, 1.0, engine="dask", client=client, block_rows=2000
        ) as fun:
            J, g = fun(x)
            engine = fun._engine.inner
            victim = engine.workers[0]
            pid = client.run(os.getpid, workers=[victim])[victim]
            got = {}

            def evaluate():
                try:
                    got["value"] = fun(x)
                except ClusterError as exc:
                    got["error"] = exc

            thread = threading.Thread(target=evaluate)
            thread.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # wait until the victim is computing
                processing = client.processing(workers=[victim]).get(victim, ())
                if any("_shard_sums" in str(key) for key in processing):
                    break
                time.sleep(0.002)
            else:
                pytest.fail("the victim never started its evaluation task")
            os.kill(pid, signal.SIGKILL)
            thread.join(120)
            assert not thread.is_alive()
            if "error" in got:  # allowed: one clear line, never wrong numbers
                assert "worker" in str(got["error"]) and "\n" not in str(got["error"])
            else:
                J2, g2 = got["value"]
                assert J2 == J and np.array_equal(g2, g)
    finally:
        client.close()


def test_dask_predicts_from_a_dask_array(data):
    import dask.array as da

    from nn3.engines.dask_engine import connect
    from nn3.engines.predict import predict_blocks

    d = nn3.load_mat(data)
    X, y = d["X"], d["y"][:, 0]
    rng = np.random.default_rng(0)
    Theta1 = rng.uniform(-0.5, 0.5, (HIDDEN, FEATURES + 1))
    Theta2 = rng.uniform(-0.5, 0.5, (LABELS, HIDDEN + 1))
    expected = nn3.predict(Theta1, Theta2, X)
    client = connect("local:2")
    try:
        info = predict_blocks(
            Theta1,
            Theta2,
            da.from_array(X, chunks=(700, FEATURES)),
            y=y,
            engine="dask",
            client=client,
            block_rows=700,
        )
    finally:
        client.close()
    assert info["rows"] == ROWS
    assert info["accuracy"] == pytest.approx(100.0 * np.mean(expected == y))


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_ctrl_c_during_stream_training_saves_the_best_weights(tmp_path):
    from nn3.workflow.datagen import make_data

    path = tmp_path / "big.mat"
    make_data(path, 20000, 100, 10, seed=2)
    out = tmp_path / "w.mat"
    command = [sys.executable, "-m", "nn3", "train", str(path), "--stream", "--maxiter", "100000"]
    proc = subprocess.Popen(
        [*command, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if sum(s.startswith("Iteration") for s in seen) >= 2:
            break
    proc.send_signal(signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted = 1" in stderr
    w = nn3.load_mat(out)
    assert w["interrupted"][0, 0] and w["engine"] == "stream"
    d = nn3.load_mat(path)
    J, _ = nn3.nn_cost_function(w["nn_params"], 100, 25, 10, d["X"], d["y"], 1.0)
    assert J == pytest.approx(float(stderr.split("(cost ")[1].split(")")[0]), rel=1e-6)


# ---- listeners that are not Dask schedulers, on real local sockets ---------------------------


class _Garbage(socketserver.BaseRequestHandler):
    def handle(self):  # 8 bytes that claim a 2^64 - 1 byte message, then more noise
        self.request.sendall(b"\xff" * 64)
        time.sleep(0.5)


class _EagerHTTP(socketserver.BaseRequestHandler):
    def handle(self):  # some servers speak first
        self.request.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        time.sleep(0.5)


class _HTTP(socketserver.BaseRequestHandler):
    def handle(self):  # answers a request only
        self.request.recv(65536)
        self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")


class _Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while data := self.request.recv(65536):
            self.request.sendall(data)


class _Closes(socketserver.BaseRequestHandler):
    def handle(self):
        pass


class _BadFrames(socketserver.BaseRequestHandler):
    def handle(self):  # a plausible size, then a frame count the size cannot hold
        self.request.sendall(struct.pack("QQ", 24, 10**9) + bytes(16))
        time.sleep(0.5)


@contextlib.contextmanager
def _listener(handler):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "handler, needle",
    [
        (_Garbage, "it began with '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff', not a Dask greeting"),
        (_EagerHTTP, "it began with 'HTTP/1.1', not a Dask greeting"),
        (_Closes, "it closed the connection without a Dask greeting"),
        (_BadFrames, "its first message is not framed as Dask's are"),
    ],
)
def test_a_listener_that_is_not_dask_is_refused_in_one_line(data, tmp_path, handler, needle):
    """Dask's client would allocate whatever size the first 8 bytes claim ("Unable to allocate
    3.07 EiB"), or fail with a bare AssertionError: nn3 reads the greeting itself, capped."""
    weights = tmp_path / "start.mat"
    nn3.save_mat(
        weights,
        {"Theta1": np.zeros((HIDDEN, FEATURES + 1)), "Theta2": np.zeros((LABELS, HIDDEN + 1))},
    )
    with _listener(handler) as address:
        t0 = time.monotonic()
        for args in (
            ("train", data, "--dask", address, "--out", tmp_path / "w.mat", *TRAIN),
            ("predict", weights, data, "--dask", address),
        ):
            result = invoke(*args)
            assert result.exit_code == 2, result.output
            line = one_line_error(result)
            assert f"dask scheduler {address}: the listener there is not a Dask scheduler" in line
            assert needle in line, line
        assert time.monotonic() - t0 < 20  # at once, not after a timeout
    assert not (tmp_path / "w.mat").exists()


@pytest.mark.parametrize("handler", [_HTTP, _Echo])
def test_a_listener_that_waits_for_the_client_times_out(handler):
    """An HTTP server (it answers a request) and an echo server say nothing first."""
    from nn3.engines.dask_engine import connect

    with _listener(handler) as address:
        t0 = time.monotonic()
        with pytest.raises(ClusterError, match=r"did not answer within 1 s \(it accepted"):
            connect(address, timeout=1)
        assert time.monotonic() - t0 < 10


def test_local_cluster_never_prints_the_dashboard_port_warning(data, tmp_path):
    """Dask's multi-line "Port 8787 is already in use" came in the middle of train's output."""
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 8787))
        holder.listen(1)
    except OSError:  # someone else holds it: it is in use either way
        holder.close()
        holder = None
    try:
        r = subprocess.run(
            [sys.executable, "-m", "nn3", "train", str(data), "--dask", "local:2",
             "--out", str(tmp_path / "w.mat"), *TRAIN],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        if holder is not None:
            holder.close()
    assert r.returncode == 0, r.stderr
    assert "8787" not in r.stderr and "Warning" not in r.stderr and r.stderr.strip() == "", r.stderr


def _processes_marked(marker):
    """Pids whose environment holds ``marker`` (a process and every child it started)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/environ", "rb") as fh:
                    if marker.encode() in fh.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc, process groups")
@pytest.mark.parametrize("command", ["train", "predict"])
def test_ctrl_c_to_the_process_group_ends_dask_cleanly(data, tmp_path, command):
    """Ctrl-C in a terminal reaches the whole process group, the local cluster's workers too:
    they used to die with KeyboardInterrupt tracebacks while nn3 waited for them (for ever, once
    the cluster was starting). Now nn3 alone sees it: exit 130, one line, nothing left running,
    no output replaced (train saves its best weights once it has trained)."""
    weights = tmp_path / "w.mat"
    nn3.save_mat(
        weights,
        {"Theta1": np.zeros((HIDDEN, FEATURES + 1)), "Theta2": np.zeros((LABELS, HIDDEN + 1))},
    )
    out = tmp_path / "out.mat"
    rng = np.random.default_rng(8)
    for delay in (0.5, *rng.uniform(1.0, 4.0, 2)):
        out.write_bytes(b"previous")
        marker = f"nn3-ctrl-c-test-{os.getpid()}-{time.monotonic_ns()}"
        args = (
            ["train", str(data), "--maxiter", "100000", "--out", str(out), "-q", *TRAIN[:2]]
            if command == "train"
            else ["predict", str(weights), str(data), "--block-rows", "100", "--out", str(out)]
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "nn3", *args, "--dask", "local:2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, NN3_TEST_MARK=marker), start_new_session=True,
        )  # fmt: skip
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGINT)
        try:
            _, stderr = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"nn3 {command} --dask hung after Ctrl-C (at {delay:.1f} s)")
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
        if proc.returncode == 0:  # predict finished first
            continue
        assert proc.returncode == 130, (proc.returncode, stderr)
        if out.read_bytes() != b"previous":  # saved before the signal, whole
            written = nn3.load_mat(out)
            if "its output is complete" in stderr:
                assert command == "predict" and written["p"].shape == (ROWS, 1), stderr
            else:
                assert command == "train" and written["interrupted"][0, 0], stderr
        deadline = time.monotonic() + 20
        while _processes_marked(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _processes_marked(marker) == [], "worker processes outlived nn3"
