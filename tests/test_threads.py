"""Evaluation on several threads: a fixed row-block partition, the same bits for any number of
threads, the streaming engine's bits for the same blocks, BLAS left as it was, failures and
interruptions that leave nothing running or wrong behind."""

import multiprocessing
import os
import threading
import time
import warnings

import numpy as np
import pytest
from reference_impl import matlab_cost_grad

import nn3
from nn3.core import network, threads
from nn3.errors import ParameterError

CORES = threads.available_cores()
# 1 and 2 threads, a count that does not divide the blocks, more than the cores, the most.
COUNTS = sorted({1, 2, 3, 5, CORES, 2 * CORES + 1, 16})


def _problem(seed, m, n, hidden, K):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (m, n))
    y = rng.integers(1, K + 1, m).astype(float) if K > 1 else rng.integers(0, 2, m).astype(float)
    p = rng.uniform(-0.5, 0.5, hidden * (n + 1) + K * (hidden + 1))
    return X, y, p


@pytest.fixture
def small_blocks(monkeypatch):
    """The default partition with 64-row blocks: small data, many blocks (full and smaller)."""
    monkeypatch.setattr(network, "_BLOCK_ROWS", 64)


def _blas_threads():
    """The thread counts, as threadpoolctl reads them, of the BLAS libraries nn3 controls
    (numpy's; a BLAS loaded later by another package, such as scipy's own OpenBLAS, is not
    used by the evaluation and is left as it is)."""
    from threadpoolctl import threadpool_info

    mine = {os.path.realpath(lib.filepath) for lib in threads._BLAS.libraries}
    assert mine, "nn3 found no BLAS to control"
    return [
        d["num_threads"]
        for d in threadpool_info()
        if d["user_api"] == "blas" and os.path.realpath(d["filepath"]) in mine
    ]


# ---- the partition --------------------------------------------------------------------------


@pytest.mark.parametrize("m", [1, 7, 127, 128, 1000, 1024, 3000, 5000, 60001])
def test_partition_covers_the_rows_in_order_with_small_blocks_last(m):
    bulk = network._bulk_rows(25, 10)
    blocks = network._partition(m, 25, 10)
    assert blocks[0][0] == 0 and blocks[-1][1] == m
    assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:], strict=False))
    sizes = [stop - start for start, stop in blocks]
    assert max(sizes) <= bulk + bulk // 8  # a full block, or the last one with a remainder
    assert sizes == sorted(sizes, reverse=True)[: len(sizes) - 1] + sizes[-1:]  # non-increasing
    if m >= 4 * bulk:
        assert sizes[0] == bulk and sizes[-2] <= bulk // 2  # full blocks first, smaller last
    assert all(s >= bulk // 8 for s in sizes) or len(sizes) == 1


def test_partition_depends_on_the_shapes_only():
    X, y, p = _problem(0, 5000, 10, 25, 10)
    rows, cols = network.label_hits(y, 10)
    evs = [network._Evaluator(X, rows, cols, 25, 10, threads=t) for t in (1, 2, 7)]
    assert evs[0].blocks[0][0] == 0 and len(evs[0].blocks) > 4
    for ev in evs[1:]:
        assert [(a, b) for a, b, _ in ev.blocks] == [(a, b) for a, b, _ in evs[0].blocks]
    # Large hidden layers: fewer rows per block, so a block's intermediates stay bounded.
    assert network._bulk_rows(2000, 10) < network._bulk_rows(25, 10)


# ---- the same bits for any number of threads ----------------------------------------------


@pytest.mark.parametrize("K", [1, 10])
def test_make_objective_same_bits_for_any_number_of_threads(small_blocks, K):
    X, y, p = _problem(1, 3000, 40, 25, K)
    assert len(network._partition(3000, 25, K)) >= 40  # more blocks than any ring of buffers
    results = {t: network.memory_objective(X, y, 40, 25, K, 1.0, threads=t)(p) for t in COUNTS}
    J1, g1 = results[1]
    for t, (J, g) in results.items():
        assert J == J1, t
        assert np.array_equal(g, g1), t
    J_ref, G1, G2 = matlab_cost_grad(X, y, *nn3.roll(p, 40, 25, K), 1.0)
    ref = np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])
    assert abs(J1 - J_ref) <= 1e-13 * abs(J_ref)
    assert np.abs(g1 - ref).max() <= 1e-13 * np.abs(ref).max()


def test_single_precision_same_bits_for_any_number_of_threads(small_blocks):
    X, y, p = _problem(2, 2000, 30, 20, 10)
    results = [
        network.memory_objective(X, y, 30, 20, 10, 1.0, precision="single", threads=t)(p)
        for t in COUNTS
    ]
    for J, g in results[1:]:
        assert J == results[0][0] and np.array_equal(g, results[0][1])


def test_nn_cost_function_same_bits_for_any_number_of_threads(small_blocks):
    X, y, p = _problem(3, 2500, 30, 25, 10)
    J1, g1 = network.nn_cost_function(p, 30, 25, 10, X, y, 1.0, threads=1)
    for t in COUNTS:
        J, g = network.nn_cost_function(p, 30, 25, 10, X, y, 1.0, threads=t)
        assert J == J1 and np.array_equal(g, g1), t
    # and the same as make_objective's
    J, g = network.memory_objective(X, y, 30, 25, 10, 1.0, threads=3)(p)
    assert J == J1 and np.array_equal(g, g1)


def test_cost_only_same_bits_for_any_number_of_threads(small_blocks):
    X, y, p = _problem(4, 1500, 20, 10, 4)
    rows, cols = network.label_hits(y, 4)
    T1, T2 = nn3.roll(p, 20, 10, 4)
    costs = {network._Evaluator(X, rows, cols, 10, 4, threads=t)(T1, T2, 0.5) for t in COUNTS}
    assert len(costs) == 1


def test_default_is_the_cores_available(monkeypatch):
    X, y, p = _problem(5, 100, 5, 3, 2)
    assert threads.blas_is_controlled()  # numpy's OpenBLAS, found through threadpoolctl
    assert network.memory_objective(X, y, 5, 3, 2).threads == len(os.sched_getaffinity(0)) == CORES
    # A BLAS whose threads cannot be set: one evaluation thread, BLAS left to itself.
    monkeypatch.setattr(threads, "blas_is_controlled", lambda: False)
    assert network.memory_objective(X, y, 5, 3, 2).threads == 1
    assert network.memory_objective(X, y, 5, 3, 2, threads=2).threads == 2


def test_threads_wait_for_the_ring_when_one_block_is_slow(small_blocks, monkeypatch):
    """Block 0 takes long: the other threads run ahead until the ring of partial sums is full,
    then wait; the sums are still added in block order."""
    X, y, p = _problem(6, 3000, 20, 25, 10)
    J1, g1 = network.memory_objective(X, y, 20, 25, 10, 1.0, threads=1)(p)
    slow = network._Evaluator._block

    def block(self, k, *args):
        if k == 0:
            time.sleep(0.2)
        return slow(self, k, *args)

    monkeypatch.setattr(network._Evaluator, "_block", block)
    fun = network.memory_objective(X, y, 20, 25, 10, 1.0, threads=4)
    J, g = fun(p)
    assert J == J1 and np.array_equal(g, g1)
    parts = fun.__closure__  # the evaluator keeps no more partial sums than its ring
    ev = next(c.cell_contents for c in parts if isinstance(c.cell_contents, network._Evaluator))
    assert len(ev._parts) == 8 < len(ev.blocks)


# ---- the same bits as the streaming engine ------------------------------------------------


def test_same_bits_as_the_streaming_engine_for_the_same_blocks(tmp_path):
    """X in Fortran order (as nn3 reads a v7.3 file): its row blocks have the stream's layout,
    and the in-memory evaluation gives the streaming engine's bits on any number of threads,
    small blocks included (where OpenBLAS rounds small products differently by layout)."""
    from nn3.engines import make_objective as engine_objective

    X, y, p = _problem(7, 2300, 50, 25, 10)
    X = np.asfortranarray(X)
    path = tmp_path / "x.mat"
    nn3.save_mat(path, {"X": X, "y": y.reshape(-1, 1)}, format="7.3")
    rows, cols = network.label_hits(y, 10)
    T1, T2 = nn3.roll(p, 50, 25, 10)
    for block_rows in (300, 2300):
        stream = engine_objective(path, y, 50, 25, 10, 1.0, engine="stream", block_rows=block_rows)
        Js, gs = stream(p)
        stream.close()
        memory = engine_objective(X, y, 50, 25, 10, 1.0, engine="memory", block_rows=block_rows)
        Jm, gm = memory(p)
        assert Jm == Js and np.array_equal(gm, gs), block_rows
        for t in (1, 3):
            ev = network._Evaluator(X, rows, cols, 25, 10, block_rows, threads=t)
            g = np.empty_like(p)
            J = ev(T1, T2, 1.0, *nn3.roll(g, 50, 25, 10))
            assert J == Js and np.array_equal(g, gs), (block_rows, t)


# ---- BLAS threads, bad values, failures -----------------------------------------------------


def test_blas_threads_are_restored_after_an_evaluation():
    pytest.importorskip("threadpoolctl")
    from threadpoolctl import threadpool_limits

    X, y, p = _problem(8, 500, 10, 5, 3)
    fun = network.memory_objective(X, y, 10, 5, 3, threads=2)
    assert threads.blas_is_controlled()
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        assert before and all(n == 2 for n in before)
        fun(p)
        assert _blas_threads() == before


def test_blocks_run_with_one_blas_thread(small_blocks, monkeypatch):
    """Every block's products run in single-threaded BLAS, on every thread."""
    pytest.importorskip("threadpoolctl")
    X, y, p = _problem(8, 1000, 10, 5, 3)
    real = network._Evaluator._block
    seen = []

    def block(self, *args):
        seen.append(tuple(_blas_threads()))
        return real(self, *args)

    monkeypatch.setattr(network._Evaluator, "_block", block)
    network.memory_objective(X, y, 10, 5, 3, threads=3)(p)
    assert len(seen) == len(network._partition(1000, 5, 3)) > 3
    assert all(counts and set(counts) == {1} for counts in seen)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "2", True, None.__class__, 257, float("nan")])
def test_bad_thread_counts_are_refused_naming_threads(bad):
    X, y, p = _problem(9, 20, 3, 2, 2)
    with pytest.raises(ParameterError, match=r"^threads must be a whole number"):
        network.memory_objective(X, y, 3, 2, 2, threads=bad)
    with pytest.raises(ParameterError, match=r"^threads must be"):
        network.nn_cost_function(p, 3, 2, 2, X, y, threads=bad)


def test_whole_numbers_of_any_type_are_accepted():
    X, y, p = _problem(9, 20, 3, 2, 2)
    assert network.memory_objective(X, y, 3, 2, 2, threads=np.int64(3)).threads == 3
    assert network.memory_objective(X, y, 3, 2, 2, threads=2.0).threads == 2


def test_an_error_in_a_helper_thread_reaches_the_caller_and_leaves_nothing_behind(
    small_blocks, monkeypatch
):
    """The caller's floating-point error handling holds in the helper threads: log(0) in a
    block only a helper evaluates raises there and reaches the caller; the next call is right.

    Rows after the first block saturate the outputs (h == 1 where Y == 0: log(1 - h) = log(0));
    the main thread takes block 0 and dwells on it, so the helpers take the others."""
    m, n, hidden, K = 2000, 10, 6, 3
    X, y, p = _problem(10, m, n, hidden, K)
    X[:64] = 0.0  # block 0: a2 = g(0) = 0.5, z3 = 0
    T1, T2 = nn3.roll(p, n, hidden, K)
    T1, T2 = T1.copy(), T2.copy()
    T1[:, 0], T1[:, 1:] = 0.0, 50.0  # elsewhere a2 = 1
    T2[:, 0], T2[:, 1:] = -800.0, 1600.0 / hidden  # z3 = -800 + 1600 a2
    saturating = nn3.unroll(T1, T2)
    real = network._Evaluator._block

    def block(self, k, *args):
        if k == 0:
            time.sleep(0.2)
        return real(self, k, *args)

    fun = network.memory_objective(X, y, n, hidden, K, 1.0, threads=3)
    monkeypatch.setattr(network._Evaluator, "_block", block)
    with warnings.catch_warnings(), np.errstate(divide="raise"):
        warnings.simplefilter("error", RuntimeWarning)  # a helper that warned would raise this
        with pytest.raises(FloatingPointError):
            fun(saturating)
    monkeypatch.setattr(network._Evaluator, "_block", real)
    with np.errstate(divide="ignore"):
        assert fun(saturating)[0] == np.inf
    J, g = fun(p)
    J1, g1 = network.memory_objective(X, y, n, hidden, K, 1.0, threads=1)(p)
    assert J == J1 and np.array_equal(g, g1)


def _interrupted_then_right(fun, p, serial, seen, block, real, monkeypatch, m, most):
    """With ``block`` (which records into ``seen`` and raises Ctrl-C) in place, ``fun(p)``
    raises KeyboardInterrupt with at most ``most`` blocks started (well under the blocks of the
    m x 20 problem with 10 hidden units and 4 labels), nothing runs afterwards, and with
    ``real`` back the next call has the ``serial`` bits."""
    monkeypatch.setattr(network._Evaluator, "_block", block)
    with pytest.raises(KeyboardInterrupt):
        fun(p)
    assert most < len(network._partition(m, 10, 4)) // 2  # it can tell a stop from no stop
    assert len(seen) <= most  # the threads stopped long before the end
    count = len(seen)
    time.sleep(0.05)
    assert len(seen) == count  # and nothing runs after the call returned
    monkeypatch.setattr(network._Evaluator, "_block", real)
    J, g = fun(p)
    assert J == serial[0] and np.array_equal(g, serial[1])


def test_interruption_stops_every_thread_and_the_next_call_is_right(small_blocks, monkeypatch):
    """Ctrl-C reaches the main thread while it evaluates a block: the other threads stop
    before their next block, the call raises KeyboardInterrupt, the next call is right."""
    monkeypatch.setenv("NN3_BIND_THREADS", "0")  # the main thread evaluates blocks too
    X, y, p = _problem(11, 3000, 20, 10, 4)
    J1, g1 = network.memory_objective(X, y, 20, 10, 4, 1.0, threads=1)(p)
    real = network._Evaluator._block
    seen = []
    main_began = threading.Event()

    def block(self, k, *args):
        seen.append(k)
        if threading.current_thread() is threading.main_thread():
            main_began.set()
            raise KeyboardInterrupt
        main_began.wait(60)  # however late the main thread starts, it takes a block
        return real(self, k, *args)

    # 3 threads, a ring of 6 partial sums: the two helpers hold at most blocks 0 and 1 until the
    # main thread takes its block k0 <= 2, which never ends; a thread takes block k only once
    # the blocks before k - 6 are added, so no block from k0 + 6 on is started: at most 8.
    fun = network.memory_objective(X, y, 20, 10, 4, 1.0, threads=3)
    _interrupted_then_right(fun, p, (J1, g1), seen, block, real, monkeypatch, 3000, 8)


BINDS = hasattr(os, "sched_setaffinity") and CORES >= 2
needs_binding = pytest.mark.skipif(not BINDS, reason="needs CPU affinity and 2 or more cores")


def test_threads_are_bound_only_when_they_are_as_many_as_the_cores(monkeypatch):
    monkeypatch.delenv("NN3_BIND_THREADS", raising=False)
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    assert threads._bound_cores(1) is None
    if BINDS:
        assert threads._bound_cores(CORES) == cores
    assert threads._bound_cores(CORES + 1) is None
    if CORES > 2:
        assert threads._bound_cores(2) is None
    monkeypatch.setenv("NN3_BIND_THREADS", "0")
    assert threads._bound_cores(CORES) is None


def _where_jobs_run(count):
    seen = {}
    lock = threading.Lock()

    def job(slot):
        time.sleep(0.01)  # every thread holds a job at once
        with lock:
            seen[slot] = (threading.get_ident(), sorted(os.sched_getaffinity(0)))

    threads.run_on_threads(job, count)
    return seen


@needs_binding
def test_bound_threads_run_one_per_core_and_the_caller_waits(monkeypatch):
    monkeypatch.delenv("NN3_BIND_THREADS", raising=False)
    seen = _where_jobs_run(CORES)
    assert sorted(seen) == list(range(CORES))
    idents = {ident for ident, _ in seen.values()}
    assert len(idents) == CORES and threading.get_ident() not in idents
    assert sorted(cpu for _, cpus in seen.values() for cpu in cpus) == sorted(
        os.sched_getaffinity(0)
    )  # one core each, all of them
    # Unbound (switched off, or fewer threads than cores): the caller takes job 0.
    monkeypatch.setenv("NN3_BIND_THREADS", "0")
    seen = _where_jobs_run(CORES)
    assert seen[0][0] == threading.get_ident()
    assert all(cpus == sorted(os.sched_getaffinity(0)) for _, cpus in seen.values())


@needs_binding
@pytest.mark.parametrize("to", ["main", "evaluating"])
def test_interruption_while_the_caller_waits_for_bound_threads(small_blocks, monkeypatch, to):
    """Ctrl-C while the main thread waits for the bound threads: they stop before their next
    block, the call raises KeyboardInterrupt, the next call is right. The signal is sent to the
    main thread, or to an evaluating thread (a terminal's Ctrl-C goes to any thread of the
    process; Python handles it in the main thread, which it does not wake)."""
    import signal

    monkeypatch.delenv("NN3_BIND_THREADS", raising=False)
    ring = 2 * CORES  # partial sums in flight (network._Run)
    m = 64 * (4 * (ring + 3))  # more than twice the blocks a stopped evaluation can start
    X, y, p = _problem(14, m, 20, 10, 4)
    J1, g1 = network.memory_objective(X, y, 20, 10, 4, 1.0, threads=1)(p)
    real, real_stop = network._Evaluator._block, network._Run.stop
    seen = []
    stopped = threading.Event()

    def stop(self):
        real_stop(self)
        stopped.set()

    def block(self, k, *args):
        seen.append(k)
        if k == 2:
            target = threading.main_thread() if to == "main" else threading.current_thread()
            signal.pthread_kill(target.ident, signal.SIGINT)
            # Block 2 ends only once the main thread has asked the threads to stop (however
            # long the machine takes to get there; 20 s at most, when nothing asks).
            stopped.wait(20)
        return real(self, k, *args)

    # Until block 2 is added no thread takes a block from 2 + ring on: at most 2 + ring.
    monkeypatch.setattr(network._Run, "stop", stop)
    fun = network.memory_objective(X, y, 20, 10, 4, 1.0, threads=CORES)
    _interrupted_then_right(fun, p, (J1, g1), seen, block, real, monkeypatch, m, 2 + ring)
    assert stopped.is_set()


_PESTERED = """
import random, signal, sys, threading, time
import numpy as np
from nn3.core import network

network._BLOCK_ROWS = 64
rng = np.random.default_rng(1)
m, n, H, K = 3000, 20, 10, 4
X = rng.uniform(0, 1, (m, n))
y = rng.integers(1, K + 1, m).astype(float)
p = rng.uniform(-0.5, 0.5, H * (n + 1) + K * (H + 1))
J1, g1 = network.memory_objective(X, y, n, H, K, 1.0, threads=1)(p)
fun = network.memory_objective(X, y, n, H, K, 1.0, threads=int(sys.argv[1]))
main = threading.main_thread().ident
running = True

def pester():
    r = random.Random(0)
    while running:
        time.sleep(r.uniform(0, 0.008))
        signal.pthread_kill(main, signal.SIGINT)

threading.Thread(target=pester, daemon=True).start()
done = interrupted = 0
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    try:
        J, g = fun(p)
        done += 1
        assert J == J1 and np.array_equal(g, g1)
    except KeyboardInterrupt:
        interrupted += 1
running = False
signal.signal(signal.SIGINT, signal.SIG_IGN)
time.sleep(0.05)
J, g = fun(p)
assert J == J1 and np.array_equal(g, g1)
print("evaluations", done, "interrupted", interrupted)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs POSIX signals")
@pytest.mark.parametrize("count", [CORES, CORES + 1])
def test_ctrl_c_at_any_moment_never_hangs_and_never_gives_wrong_bits(count):
    """SIGINT every 0-8 ms for 4 s, landing anywhere in the caller (starting the
    helpers, working, waiting, between a wait's wake-up and its return): each call returns the
    serial bits or raises KeyboardInterrupt, and none hangs (a wait that consumed its wake-up
    and was then interrupted used to wait forever). Bound (threads == cores) and unbound."""
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-c", _PESTERED, str(count), "4"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    # Interruptions landed (how many calls end first depends on the machine's speed); the child
    # checked every call that returned and, after the last signal, one more.
    done, interrupted = (int(w) for w in r.stdout.split()[1::2])
    assert interrupted >= 20, r.stdout


def test_concurrent_evaluations_from_two_threads(small_blocks, monkeypatch):
    """Two evaluations at once (each on 3 threads): right bits, and BLAS stays at one thread
    until both have ended (the limit is shared: the first to end must not lift it)."""
    X, y, p = _problem(12, 2000, 20, 10, 4)
    J1, g1 = network.memory_objective(X, y, 20, 10, 4, 1.0, threads=1)(p)
    funs = [network.memory_objective(X, y, 20, 10, 4, 1.0, threads=3) for _ in range(2)]
    out = [[], []]
    blas_seen = set()
    real = network._Evaluator._block

    def block(self, *args):
        blas_seen.update(_blas_threads() if threads.blas_is_controlled() else [1])
        return real(self, *args)

    monkeypatch.setattr(network._Evaluator, "_block", block)

    def loop(i):
        for _ in range(20):
            out[i].append(funs[i](p))

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for results in out:
        assert len(results) == 20
        for J, g in results:
            assert J == J1 and np.array_equal(g, g1)
    assert blas_seen == {1}


def _evaluate_in_child(queue, X, y, p):
    queue.put(network.memory_objective(X, y, 20, 10, 4, 1.0, threads=3)(p))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_makes_its_own_threads(small_blocks):
    X, y, p = _problem(13, 2000, 20, 10, 4)
    J, g = network.memory_objective(X, y, 20, 10, 4, 1.0, threads=3)(p)  # parent's helpers
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_evaluate_in_child, args=(queue, X, y, p), daemon=True)
    child.start()
    try:
        Jc, gc = queue.get(timeout=30)  # a child waiting for helpers it does not have: Empty
        child.join(timeout=30)
        assert child.exitcode == 0
    finally:
        if child.is_alive():
            child.kill()
            child.join()
    assert Jc == J and np.array_equal(gc, g)


def test_without_threadpoolctl_numpys_own_openblas_is_kept_to_one_thread():
    """A plain install (numpy, scipy, h5py, click) has no threadpoolctl: nn3 finds the OpenBLAS
    bundled with numpy's wheels itself, so evaluations still use every core with one BLAS
    thread each, and the same bits."""
    import subprocess
    import sys

    import numpy

    if "openblas" not in str(numpy.show_config(mode="dicts")).lower():
        pytest.skip("numpy is not built with OpenBLAS here")
    code = (
        "import sys; sys.modules['threadpoolctl'] = None\n"
        "import numpy as np\n"
        "from nn3.core import threads, network\n"
        "assert threads.blas_is_controlled(), 'no BLAS found without threadpoolctl'\n"
        "lib = threads._BLAS.libraries[0]\n"
        "lib.set(2)\n"
        "with threads.single_threaded_blas():\n"
        "    inside = lib.get()\n"
        "rng = np.random.default_rng(0)\n"
        "X = rng.uniform(0, 1, (3000, 30)); y = rng.integers(1, 4, 3000).astype(float)\n"
        "p = rng.uniform(-0.5, 0.5, 8 * 31 + 3 * 9)\n"
        "a = network.memory_objective(X, y, 30, 8, 3, 1.0, threads=1)(p)\n"
        "b = network.memory_objective(X, y, 30, 8, 3, 1.0, threads=3)(p)\n"
        "print(inside, lib.get(), threads.default_threads() == threads.available_cores(),\n"
        "      a[0] == b[0] and np.array_equal(a[1], b[1]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "2", "True", "True"], out.stdout
