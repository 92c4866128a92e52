"""Streaming and Dask engines give the same bits, agree with the in-memory path, and
refuse bad input in one line. Clusters are small and shared per module to keep this fast."""

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

import nn3
from nn3.core.network import roll
from nn3.engines import make_objective
from nn3.engines.labels import read_labels
from nn3.engines.source import H5Source
from nn3.errors import ClusterError, DataError, MatFileError
from nn3.workflow.datagen import make_data

distributed = pytest.importorskip("distributed")

M, N, HIDDEN, K, LAMBDA = 3001, 24, 6, 4, 1.0
BLOCK_ROWS = 400  # 8 blocks, the last of 201 rows
SIZES = (N, HIDDEN, K)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    path = tmp_path_factory.mktemp("engines") / "data.mat"
    make_data(path, M, N, K, seed=5, chunk_rows=150)  # chunks straddle the blocks
    y = read_labels(path, "y", M)
    X = nn3.load_mat(path)["X"]
    return path, X, y


@pytest.fixture(scope="module")
def start():
    rng = nn3.MatlabRNG(0)
    t1 = nn3.rand_initialize_weights(N, HIDDEN, 0.12, rng)
    t2 = nn3.rand_initialize_weights(HIDDEN, K, 0.12, rng)
    return nn3.unroll(t1, t2)


@pytest.fixture(scope="module")
def clients():
    """Dask with 1 and 4 workers (threads, one each), and 2 worker processes."""
    made = {}
    quiet = {"dashboard": False, "dashboard_address": "127.0.0.1:0"}  # no port 8787 warning
    made[1] = distributed.Client(
        processes=False, n_workers=1, threads_per_worker=1, scheduler_kwargs=quiet
    )
    made[4] = distributed.Client(
        processes=False, n_workers=4, threads_per_worker=1, scheduler_kwargs=quiet
    )
    from nn3.engines.dask_engine import connect

    made["2p"] = connect("local:2")
    yield made
    for client in made.values():
        client.close()


def _run(fun, x0, iterations):
    """fmincg for a few iterations, recording every evaluation's (x, J, grad)."""
    seen = []

    def watched(x):
        J, g = fun(x)
        seen.append((x.copy(), J, g.copy()))
        return J, g

    res = nn3.fmincg(watched, x0.copy(), maxiter=iterations)
    return res.x, seen


def test_stream_and_dask_same_bits_every_evaluation_and_weights(data, start, clients):
    path, X, y = data
    stream = make_objective((path, "X"), y, *SIZES, LAMBDA, engine="stream", block_rows=BLOCK_ROWS)
    x_stream, seen = _run(stream, start, 10)
    assert len(seen) > 10
    for name, client in clients.items():
        with make_objective(
            path, y, *SIZES, LAMBDA, engine="dask", client=client, block_rows=BLOCK_ROWS
        ) as fun:
            for x, J, g in seen:  # every evaluation of the streamed run, same bits
                Jd, gd = fun(x)
                assert Jd == J, name
                assert np.array_equal(gd, g), name
            x_dask, _ = _run(fun, start, 10)
            assert np.array_equal(x_dask, x_stream), name  # same trained weights


def test_same_bits_with_blocks_big_enough_for_threaded_blas(tmp_path, clients):
    """One 6000-row block: multi-threaded BLAS would split its sums differently from a Dask
    worker's single thread; the stream engine evaluates blocks with single-threaded BLAS."""
    path = tmp_path / "wide.mat"
    make_data(path, 6000, 100, 10, seed=1)
    y = read_labels(path, "y", 6000)
    x = 0.12 * np.sin(np.arange(1, 25 * 101 + 10 * 26 + 1))
    J, g = make_objective(path, y, 100, 25, 10, 1.0, engine="stream", block_rows=6000)(x)
    with make_objective(
        path, y, 100, 25, 10, 1.0, engine="dask", client=clients["2p"], block_rows=6000
    ) as fun:
        Jd, gd = fun(x)
    assert Jd == J and np.array_equal(gd, g)


def test_engines_agree_with_in_memory_path(data, start):
    path, X, y = data
    memory = make_objective(X, y, *SIZES, LAMBDA)
    stream = make_objective(path, y, *SIZES, LAMBDA, engine="stream", block_rows=BLOCK_ROWS)
    x_stream, seen = _run(stream, start, 10)
    worst = 0.0
    for x, J, g in seen:
        Jm, gm = memory(x)
        worst = max(worst, abs(J - Jm) / abs(Jm), np.max(np.abs(g - gm)) / np.max(np.abs(gm)))
    assert worst <= 1e-12
    x_memory, _ = _run(memory, start, 10)
    assert np.max(np.abs(x_memory - x_stream)) / np.max(np.abs(x_memory)) <= 1e-10
    assert stream.progress.evaluations == len(seen)
    assert stream.progress.rows == M * len(seen) and stream.progress.rows_per_second > 0


def test_array_and_dask_array_sources_give_the_stream_bits(data, start, clients):
    da = pytest.importorskip("dask.array")
    path, X, y = data
    J, g = make_objective(path, y, *SIZES, LAMBDA, engine="stream", block_rows=BLOCK_ROWS)(start)
    for X_in in (X, da.from_array(X, chunks=(700, N))):
        for engine, client in (("stream", None), ("dask", clients[4])):
            with make_objective(
                X_in, y, *SIZES, LAMBDA, engine=engine, client=client, block_rows=BLOCK_ROWS
            ) as fun:
                Je, ge = fun(start)
            assert Je == J and np.array_equal(ge, g), (type(X_in), engine)


def test_block_predictions_written_to_v73(data, start, clients, tmp_path):
    from nn3.engines.predict import predict_blocks

    path, X, y = data
    Theta1, Theta2 = roll(start + 0.3 * np.sin(np.arange(start.size)), *SIZES)
    expected_p = nn3.predict(Theta1, Theta2, X)
    expected_h = nn3.predict_proba(Theta1, Theta2, X)
    for engine, client in (("stream", None), ("dask", clients["2p"])):
        out = tmp_path / f"p_{engine}.mat"
        summary = predict_blocks(
            Theta1, Theta2, path, out, y=y, engine=engine, client=client, block_rows=BLOCK_ROWS
        )
        saved = nn3.load_mat(out)
        assert saved["p"].shape == (M, 1) and saved["h"].shape == (M, K)
        assert np.array_equal(saved["p"].ravel(), expected_p)
        assert np.allclose(saved["h"], expected_h, rtol=1e-13, atol=0)
        assert summary["accuracy"] == pytest.approx(nn3.accuracy(expected_p, y))


def test_train_blocks_matches_train_weights_file_contents(data):
    from nn3.workflow.blocks import train_blocks

    path, X, y = data
    res_mem = nn3.train(X, y, hidden_layer_size=HIDDEN, maxiter=5, num_labels=K)
    res = train_blocks(path, y, hidden_layer_size=HIDDEN, maxiter=5, num_labels=K, block_rows=500)
    assert np.allclose(res.Theta1, res_mem.Theta1, rtol=1e-9, atol=1e-12)
    assert res.train_accuracy == pytest.approx(res_mem.train_accuracy)
    assert res.settings["engine"] == "stream" and res.settings["block_rows"] == 500


def test_lost_worker_is_recomputed_or_a_clear_error(data, start, clients):
    path, X, y = data
    client = clients["2p"]
    with make_objective(
        path, y, *SIZES, LAMBDA, engine="dask", client=client, block_rows=BLOCK_ROWS
    ) as fun:
        J, g = fun(start)
        victim = fun._engine.inner.workers[0]
        try:
            client.run(os._exit, 1, workers=[victim])
        except Exception:  # the worker dies before it can answer
            pass
        try:
            J2, g2 = fun(start)
        except ClusterError as exc:  # allowed: one clear line, never wrong numbers
            assert "worker" in str(exc)
        else:
            assert J2 == J and np.array_equal(g2, g)


def test_repeated_evaluations_with_a_smaller_last_block_are_identical(data, start):
    """Regression: a smaller last block overwrote part of the hot path's bias row, so the next
    evaluation of a multi-block X gave different numbers (in memory and in every engine)."""
    path, X, y = data
    other = start + 0.1
    for engine, X_in in (("memory", X), ("stream", path)):
        fun = make_objective(X_in, y, *SIZES, LAMBDA, engine=engine, block_rows=BLOCK_ROWS)
        J1, g1 = fun(other)
        fun(start)
        J2, g2 = fun(other)
        assert J1 == J2 and np.array_equal(g1, g2), engine


# ---- bad input ------------------------------------------------------------------------------


def test_scheduler_that_does_not_answer_fails_in_one_line_within_timeout():
    from nn3.engines.dask_engine import connect

    t0 = time.perf_counter()
    with pytest.raises(ClusterError, match=r"tcp://127\.0\.0\.1:9 did not answer within 2 s"):
        connect("tcp://127.0.0.1:9", timeout=2)
    assert time.perf_counter() - t0 < 15


def test_worker_that_cannot_see_the_file_is_named(data, clients, tmp_path):
    path, X, y = data
    moved = tmp_path / "elsewhere.mat"
    moved.write_bytes(path.read_bytes())
    source = H5Source(moved, "X")  # the client sees the file when the source is made...
    os.unlink(moved)  # ...the workers do not
    with pytest.raises(MatFileError, match=r"elsewhere\.mat: worker (tcp|inproc)://\S+ cannot"):
        make_objective(source, y, *SIZES, engine="dask", client=clients["2p"])


def test_filter_h5py_cannot_decode_is_refused(tmp_path):
    path = tmp_path / "blosc.mat"
    nn3.save_mat(path, {"X": np.ones((50, 3)), "y": np.ones((50, 1))}, format="7.3")
    with h5py.File(path, "r+") as f:
        del f["X"]
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((3, 10))
        dcpl.set_filter(32001, h5py.h5z.FLAG_OPTIONAL, (0,) * 7)  # Blosc: not in plain h5py
        space = h5py.h5s.create_simple((3, 50))
        h5py.h5d.create(f.id, b"X", h5py.h5t.IEEE_F64LE, space, dcpl=dcpl)
        f["X"].attrs["MATLAB_class"] = np.bytes_("double")
    if h5py.h5z.filter_avail(32001):
        pytest.skip("this h5py can decode Blosc")
    with pytest.raises(MatFileError, match=r"blosc\.mat: variable 'X' is compressed with HDF5 "):
        H5Source(path, "X")


def test_contiguous_and_gzip_x_are_read(data, start, tmp_path):
    path, X, y = data
    J, g = make_objective(path, y, *SIZES, LAMBDA, engine="stream", block_rows=BLOCK_ROWS)(start)
    for name, options in (("contig", {}), ("gzip", {"compression": "gzip", "chunks": (N, 97)})):
        other = tmp_path / f"{name}.mat"
        nn3.save_mat(other, {"y": y.reshape(-1, 1)}, format="7.3")
        with h5py.File(other, "r+") as f:
            f.create_dataset("X", data=np.ascontiguousarray(X.T), **options)
            f["X"].attrs["MATLAB_class"] = np.bytes_("double")
        fun = make_objective(other, y, *SIZES, LAMBDA, engine="stream", block_rows=BLOCK_ROWS)
        Jo, go = fun(start)
        assert Jo == J and np.array_equal(go, g), name


def test_labels_that_do_not_fit_in_memory_are_refused(tmp_path):
    path = tmp_path / "huge_y.mat"
    nn3.save_mat(path, {"X": np.ones((5, 2))}, format="7.3")
    with h5py.File(path, "r+") as f:  # claims 10^12 labels, stores none (a sparse file)
        f.create_dataset("y", shape=(1, 10**12), dtype="f8", chunks=(1, 2**20))
        f["y"].attrs["MATLAB_class"] = np.bytes_("double")
    with pytest.raises(DataError, match=r"huge_y\.mat: variable 'y' holds 1000000000000 labels"):
        read_labels(path, "y", 5)


def test_nan_in_x_names_the_rows(data, tmp_path, start):
    path, X, y = data
    bad = tmp_path / "nan.mat"
    X2 = X.copy()
    X2[1234, 5] = np.nan
    nn3.save_mat(bad, {"X": X2, "y": y.reshape(-1, 1)}, format="7.3")
    fun = make_objective(bad, y, *SIZES, engine="stream", block_rows=BLOCK_ROWS)
    with pytest.raises(
        DataError, match=r"nan\.mat: variable 'X' holds 1 NaN or Inf values in rows 1201\.\.1600"
    ):
        fun(start)


def test_v5_file_is_refused_for_streaming(tmp_path):
    path = tmp_path / "v5.mat"
    nn3.save_mat(path, {"X": np.ones((5, 2))})
    with pytest.raises(MatFileError, match=r"v5\.mat: streaming reads v7\.3"):
        H5Source(path, "X")


# ---- memory ---------------------------------------------------------------------------------

CHILD = """
import sys
from nn3.engines.labels import read_labels
from nn3.engines.source import H5Source
from nn3.workflow.blocks import train_blocks
source = H5Source(sys.argv[1], "X")
y = read_labels(sys.argv[1], "y", source.shape[0])
result = train_blocks(source, y, hidden_layer_size=10, maxiter=1, block_rows=4096)
# VmHWM, the peak RSS of this process image (ru_maxrss can carry the forking parent's peak)
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print(int(peak[0].split()[1]) * 1024, result.optimize_result.nfev)
"""


#: cgroup v1's memory controller, where the machine has one and we may write it (root): a
#: process in a group whose limit is below X's size is killed if it ever holds X whole.
CGROUP_MEMORY = Path("/sys/fs/cgroup/memory")


@contextlib.contextmanager
def memory_capped_group(limit_bytes):
    """A fresh cgroup v1 memory group limited to ``limit_bytes`` (None where none can be made)."""
    group = CGROUP_MEMORY / f"nn3-test-{os.getpid()}"
    try:
        group.mkdir()
        (group / "memory.limit_in_bytes").write_text(str(limit_bytes))
    except OSError:
        yield None
        return
    try:
        yield group
    finally:
        for _ in range(50):  # the child has exited; the group empties a moment later
            try:
                group.rmdir()
                break
            except OSError:
                time.sleep(0.1)


def test_streaming_training_peak_memory_stays_below_x(tmp_path):
    """X is 384 MiB; the child trains on it by streaming with a peak RSS under 256 MiB.

    Sizes: 64,000 x 786 float64 = 402 MB keeps CI to seconds (writing plus ~5 passes over the
    file), yet is well above the child's fixed costs (Python, numpy, scipy, h5py: ~120 MB) plus
    the streaming buffers (two 4096-row blocks of X, 26 MB, and intermediates), so a path that
    loaded X whole (402 MB plus the rest) cannot pass the 256 MiB bound.

    Where the machine lets us (root and cgroup v1's memory controller, as on CI here), the child
    also runs capped at 320 MiB, below X's size: a path that held X whole would be killed by the
    kernel, whatever it reports. (An address-space limit cannot do this: OpenBLAS reserves more
    address space than that at start-up.)
    """
    path = tmp_path / "big.mat"
    info = make_data(path, 64_000, 786, 10, seed=2)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}  # fixed buffers
    with memory_capped_group(320 * 2**20) as group:
        command = [sys.executable, "-c", CHILD, str(path)]
        if group is not None:  # join the group, then become Python: the cap covers it all
            procs = group / "cgroup.procs"
            command = ["sh", "-c", f'echo $$ > "{procs}" && exec "$@"', "sh", *command]
        out = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, f"exit {out.returncode} (capped: {group is not None}) {out.stderr}"
    peak, nfev = (int(v) for v in out.stdout.split())
    assert nfev >= 2
    assert info["bytes"] > 400e6
    assert peak < 256 * 2**20 < info["bytes"], f"peak RSS {peak / 2**20:.0f} MiB"
