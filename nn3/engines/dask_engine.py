"""Dask engine: row blocks held by ``dask.distributed`` workers, only parameters sent per call.

As dask-ml's L-BFGS: the optimizer runs on the client; each worker owns a fixed, contiguous range
of row blocks (:func:`nn3.engines.partition.assign_blocks`), loads them once (read from the file
by the worker itself, or received once from the client) into fresh aligned ``(n, b)`` arrays, and
keeps them and a :class:`~nn3.engines.block.BlockEvaluator` in its memory across evaluations
(:class:`_Shard`, the result of one task that stays on the worker). Per evaluation the client
submits one task per shard with the parameter vector as a task argument and gathers the blocks'
partial sums, which it adds in block order. A shard whose blocks do not fit in
``memory_fraction`` of its worker's memory limit keeps only its buffers and re-reads its blocks
from the file at each evaluation (the file must then be on storage every worker sees).

Failures: a scheduler that does not answer within ``timeout`` seconds (default
:data:`CONNECT_TIMEOUT`; nothing listening, or a listener that never completes Dask's handshake)
raises :class:`~nn3.errors.ClusterError`; a worker that cannot read the
file raises :class:`~nn3.errors.MatFileError` naming the path and the worker. A worker lost during
an evaluation: Dask reruns its tasks elsewhere (a shard read from a file is reloaded from the
file on another worker; the partial sums do not depend on which worker computes them); when it
cannot (data sent from the client was lost with the worker, or tasks kept failing), the
evaluation raises :class:`~nn3.errors.ClusterError`. Never partial or wrong sums.
"""

import asyncio
import contextlib
import ipaddress
import re
import threading
import uuid

import numpy as np

from ..errors import ClusterError, MatFileError, MissingDependencyError, ParameterError
from ..stopping import checkpoint
from .block import BlockEvaluator
from .labels import available_memory
from .partition import assign_blocks, block_hits, row_blocks
from .source import ArraySource, DaskArraySource, H5Source
from .stream import BlockReader, _single_threaded_blas, check_finite

#: What a timeout raises: the builtin TimeoutError and, on Python 3.10, asyncio's own class, which
#: distributed's waits raise there (from Python 3.11 on the two are one class).
TIMEOUTS = (TimeoutError, asyncio.TimeoutError)

#: Seconds to wait for a scheduler (and for a first worker) before giving up.
CONNECT_TIMEOUT = 10.0
#: Fraction of a worker's memory limit its blocks may take to be held in memory.
MEMORY_FRACTION = 0.6
#: Seconds between looks at a stop asked for (nn3.stopping) while waiting for Dask.
POLL_SECONDS = 0.2


def require_distributed():
    """The ``distributed`` module, or :class:`~nn3.errors.MissingDependencyError` saying what
    to install (callers ask before reading anything, so the user learns it at once)."""
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError(
            "the Dask engine needs the 'dask' extra: pip install 'nn3[dask]'"
        ) from None
    return distributed


#: Bytes of a scheduler's first message that nn3 reads at most before trusting the listener (a
#: Dask handshake is a few hundred bytes; a listener that claims more is not a scheduler).
GREETING_MAX = 64 * 1024
#: Schemes of addresses Dask knows that nn3 does not connect to, and why.
_OTHER_SCHEMES = {
    "http": "an http:// address is a dashboard's (port 8787), not the scheduler's",
    "https": "an https:// address is a dashboard's, not the scheduler's",
    "tls": "tls:// needs certificates, which nn3 does not take",
    "wss": "wss:// needs certificates, which nn3 does not take",
    "ws": "nn3 speaks to schedulers over tcp:// only",
    "ucx": "nn3 speaks to schedulers over tcp:// only",
    "inproc": "inproc:// is an address inside another Python process",
}
_HOSTNAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?")  # fmt: skip


def max_local_workers() -> int:
    """The most workers ``local:N`` starts: the CPUs this process may use (at least 4).

    Each worker is a process with its own memory; more of them than CPUs only compete.
    """
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(4, cpus)


def parse_address(address: str):
    """``("local", N or None)`` for ``local`` / ``local:N``, else ``("remote", "tcp://HOST:PORT")``.

    Remote addresses are ``tcp://HOST:PORT`` or ``HOST:PORT``: HOST a name, an IPv4 address or
    an IPv6 address in brackets (``[::1]``), PORT 1..65535, in ASCII. Other schemes Dask knows
    (``tls://``, ``ucx://``, ``inproc://``, a dashboard's ``http://``) are refused, saying why.
    ``local:N`` takes 1 to :func:`max_local_workers` workers.

    Raises
    ------
    ParameterError
        Naming ``client`` (``--dask`` on the command line), one line.
    """
    from ..validation import format_value

    def refuse(requirement):
        shown = text if len(text) <= 60 else format_value(text)  # escaped by the CLI
        return ParameterError("client", requirement, address, shown)

    if not isinstance(address, str):
        raise ParameterError(
            "client", "must be an address (a str) or a distributed.Client", address,
            type(address).__name__,
        )  # fmt: skip
    text = address.strip()
    if text == "local" or text.startswith("local:"):
        count = text[len("local:") :] if ":" in text else ""
        if count and not (count.isascii() and count.isdigit() and int(count) >= 1):
            raise refuse("local:N needs a number of workers of at least 1")
        most = max_local_workers()
        if count and int(count) > most:
            raise refuse(
                f"local:N takes at most {most} workers (one process each: this machine's "
                "CPUs, or 4 when it has fewer)"
            )
        return "local", int(count) if count else None
    usage = "must be tcp://HOST:PORT, HOST:PORT, local or local:N"
    if "://" in text:
        scheme, _, rest = text.partition("://")
        scheme = scheme.lower()
        if scheme != "tcp":
            why = _OTHER_SCHEMES.get(scheme, f"{scheme}:// is not an address nn3 knows")
            raise refuse(f"{usage} ({why})")
    else:
        rest = text
    if rest.startswith("["):  # [IPv6]:PORT
        host, bracket, port = rest[1:].partition("]")
        if not bracket or not port.startswith(":"):
            raise refuse(f"{usage} (an IPv6 address in brackets: tcp://[::1]:8786)")
        port = port[1:]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise refuse(f"{usage} ({format_value(host)} is not an IPv6 address)") from None
        shown_host = f"[{host}]"
    else:
        host, colon, port = rest.rpartition(":")
        if not colon or not host:
            raise refuse(f"{usage} (HOST and PORT, e.g. tcp://127.0.0.1:8786)")
        if not (host.isascii() and _HOSTNAME.fullmatch(host)):
            raise refuse(f"{usage} ({format_value(host)} is not a host name or IPv4 address)")
        shown_host = host
    if not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        raise refuse(f"{usage} (PORT is a number from 1 to 65535, the scheduler's is 8786)")
    return "remote", f"tcp://{shown_host}:{int(port)}"


def connect(address: str, timeout: float = CONNECT_TIMEOUT, memory_limit="auto"):
    """A ``distributed.Client`` for ``address``; it owns the cluster it starts for ``local``.

    Parameters
    ----------
    address : str
        ``tcp://host:port`` (or ``host:port``) of a running scheduler, or ``local`` / ``local:N``
        for a ``LocalCluster`` of N worker processes (default: one per CPU), one thread each,
        without a dashboard (its HTTP server listens on a free port of 127.0.0.1).
    timeout : float, default :data:`CONNECT_TIMEOUT`
        Seconds to wait for the scheduler to answer.
    memory_limit : str or int, default "auto"
        Per-worker memory limit of a local cluster (Dask's ``memory_limit``).

    Returns
    -------
    distributed.Client
        Close it when done (``client.close()`` also stops a local cluster).

    Raises
    ------
    ClusterError
        The scheduler did not answer within ``timeout`` seconds, or the listener at the
        address is not a Dask scheduler (it said something else first, or nothing). What the
        listener sends first is read by nn3 itself, at most :data:`GREETING_MAX` bytes, before
        Dask's own client talks to it.
    MissingDependencyError
        dask[distributed] is not installed.
    """
    distributed = require_distributed()
    kind, value = parse_address(address)
    if kind == "local":
        import logging
        import os
        import warnings

        workers = value or os.cpu_count() or 1
        with warnings.catch_warnings(), _stop_signals_blocked():
            warnings.simplefilter("ignore", UserWarning)  # "Port 8787 is already in use"
            client = distributed.Client(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                memory_limit=memory_limit,
                silence_logs=logging.ERROR,
            )
        _close_on_stop(client)
        return client
    try:
        _greeting(value, timeout)  # read by nn3, bounded: never a claimed frame allocated
        _probe(value, timeout)  # Client(timeout=) alone waits forever on a silent listener
        client = distributed.Client(value, timeout=timeout)
    except (OSError, *TIMEOUTS) as exc:
        raise ClusterError(
            f"dask scheduler {value} did not answer within {timeout:g} s ({_reason(exc)})"
        ) from None
    _close_on_stop(client)
    return client


@contextlib.contextmanager
def _stop_signals_blocked():
    """SIGINT, SIGTERM and SIGHUP blocked in this thread while a local cluster starts.

    The cluster's threads and worker processes are started meanwhile: they inherit the blocked
    signals, so Ctrl-C in a terminal (sent to the whole process group) does not kill the workers
    (each printing a KeyboardInterrupt traceback, and leaving nn3 waiting for a cluster that never
    starts); nn3 alone sees it and ends the cluster. A signal that comes meanwhile is delivered
    when they are unblocked, and the client is then closed (:func:`_close_on_stop`).
    """
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    try:  # started first: starting it later unblocks SIGINT and SIGTERM in the starting thread
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    except (ImportError, OSError):
        pass
    stops = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _close_on_stop(client):
    """A stop asked for while the client started (:mod:`nn3.stopping`): close it, stop."""
    try:
        checkpoint()
    except BaseException:
        client.close()
        raise


class _NotDask(Exception):
    """The listener at an address does not speak Dask's protocol."""


def _greeting(address, timeout):
    """Read the first message of the listener at ``address`` (``tcp://HOST:PORT``) by hand.

    A Dask scheduler sends its handshake as soon as it accepts a connection: 8 bytes giving the
    size of what follows, then the frames' count and sizes, then the frames. Anything else (an
    HTTP server, an echo server, random bytes) is refused here, before Dask's client reads it:
    Dask would allocate whatever size the first 8 bytes claim. Connection refused is retried
    until ``timeout`` (a scheduler that is starting); a stop asked for ends the wait.

    Raises
    ------
    ClusterError
        The listener sent something that is not Dask's, or closed the connection.
    TimeoutError, OSError
        Nothing answered within ``timeout`` seconds (the caller says so).
    """
    import socket
    import struct
    import time

    host, _, port = address.removeprefix("tcp://").rpartition(":")
    host = host.strip("[]")
    deadline = time.monotonic() + timeout

    def left():
        checkpoint()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("it accepted the connection but sent nothing")
        return min(remaining, POLL_SECONDS)

    while True:
        try:
            sock = socket.create_connection((host, int(port)), timeout=min(timeout, 5.0))
            break
        except socket.gaierror as exc:
            raise ClusterError(
                f"dask scheduler {address}: cannot find the host {host!r} ({_reason(exc)})"
            ) from None
        except ConnectionRefusedError:
            checkpoint()
            if time.monotonic() + POLL_SECONDS >= deadline:
                raise
            time.sleep(POLL_SECONDS)

    def receive(n):
        data = b""
        while len(data) < n:
            sock.settimeout(left())
            try:
                piece = sock.recv(n - len(data))
            except TimeoutError:
                continue
            if not piece:
                raise _NotDask("it closed the connection without a Dask greeting")
            data += piece
        return data

    try:
        head = receive(8)
        (size,) = struct.unpack("Q", head)
        if not 16 <= size <= GREETING_MAX:
            raise _NotDask(f"it began with {_preview(head)}, not a Dask greeting")
        body = receive(size)
        (count,) = struct.unpack_from("Q", body)
        lengths = struct.unpack_from(f"{count}Q", body, 8) if 1 <= count <= 64 else ()
        if (
            not lengths
            or 8 * (1 + count) > size
            or 8 * (1 + count) + sum(lengths) < size
            or sum(lengths) > GREETING_MAX
        ):
            raise _NotDask("its first message is not framed as Dask's are")
    except _NotDask as exc:
        raise ClusterError(
            f"dask scheduler {address}: the listener there is not a Dask scheduler: {exc}; "
            "give the scheduler's address (tcp://HOST:8786 by default)"
        ) from None
    finally:
        sock.close()


def _preview(data: bytes) -> str:
    """Bytes a listener sent, shown safely: ``'HTTP/1.1'``, ``'\\xff\\xff...'``."""
    return "'" + "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in data) + "'"


def _probe(address, timeout):
    """Ask the scheduler at ``address`` who it is; raise TimeoutError/OSError unless it answers
    within ``timeout`` seconds (on a thread of its own, whatever event loop the caller runs);
    :class:`~nn3.errors.ClusterError` when it is a Dask worker, not a scheduler."""
    import asyncio
    import time

    from distributed.comm import connect as comm_connect

    outcome: dict = {}

    async def talk():
        comm = await comm_connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    def run():
        try:
            outcome["answer"] = asyncio.run(asyncio.wait_for(talk(), timeout))
        except BaseException as exc:  # handed to the caller
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="nn3-dask-probe", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout + 2.0
    while thread.is_alive() and time.monotonic() < deadline:
        checkpoint()  # a stop asked for ends the wait (the thread is a daemon)
        thread.join(POLL_SECONDS)
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, (OSError, *TIMEOUTS)):
            raise error
        raise ClusterError(
            f"dask scheduler {address}: the listener there did not answer as a Dask scheduler "
            f"({_reason(error)})"
        )
    if "answer" not in outcome:
        raise TimeoutError("no answer")
    answer = outcome["answer"]
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind != "Scheduler":
        raise ClusterError(
            f"dask scheduler {address}: the listener there is a Dask {kind or 'peer'}, not a "
            "scheduler; give the scheduler's address (tcp://HOST:8786 by default)"
        )


def wait_futures(futures) -> None:
    """Wait until ``futures`` are done (or failed), stopping at a stop asked for.

    ``distributed.wait`` and ``client.gather`` block until the work is done, and a signal
    handler that only asks for a stop (:mod:`nn3.stopping`) cannot end them: this waits in
    short steps and looks in between (:func:`nn3.stopping.checkpoint`).
    """
    distributed = require_distributed()
    while True:
        checkpoint()
        try:
            distributed.wait(futures, timeout=POLL_SECONDS)
            return
        except TIMEOUTS:
            continue


def _reason(exc):
    if isinstance(exc, OSError) and exc.strerror:
        return str(exc.strerror)
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class _Shard:
    """A worker's row blocks and their evaluator, kept in the worker's memory between tasks."""

    def __init__(self, blocks, hits, data, reader, n, hidden, num_labels, block_rows):
        self.blocks, self.hits, self.data, self.reader = blocks, hits, data, reader
        self.evaluator = BlockEvaluator(n, hidden, num_labels, block_rows)
        self.lock = threading.Lock()
        self.nbytes = sum(int(d.nbytes) for d in data) if data else 0

    def __getstate__(self):  # if Dask ever moves a shard: everything but the lock
        state = dict(self.__dict__)
        del state["lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.lock = threading.Lock()

    def sums(self, nn_params, sizes):
        from .block import params_to_thetas

        Theta1, Theta2 = params_to_thetas(nn_params, sizes)
        out = []
        with self.lock, _single_threaded_blas():  # same bits as the stream engine
            for i in range(len(self.blocks)):
                block = self.data[i] if self.data else self.reader.read(i)
                out.append(self.evaluator(block, self.hits[i], Theta1, Theta2))
        return out


def _register_sizeof():
    try:
        from dask.sizeof import sizeof
    except ImportError:
        return

    @sizeof.register(_Shard)
    def _(shard):  # so the scheduler never thinks moving a shard is cheap
        return shard.nbytes + 2**20


_register_sizeof()


def worker_address() -> str:
    """The address of the Dask worker running this code, for messages."""
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return "<this process>"


def _worker_budget(fraction):
    try:
        from distributed import get_worker

        limit = get_worker().memory_manager.memory_limit
    except (ImportError, ValueError, AttributeError):
        limit = None
    return fraction * (limit or available_memory())


def _load_shard(spec, arrays, blocks, hits, n, hidden, num_labels, block_rows, fraction):
    """Task: a worker's blocks, read from the file (``spec`` = (path, var)) or from ``arrays``."""
    if arrays:  # sent by the client: one fresh aligned copy each (see notes on alignment)
        data = []
        for (start, stop), a in zip(blocks, arrays, strict=True):
            block = np.array(np.asarray(a, dtype=np.float64).T, order="C", copy=True)
            check_finite(block, ArraySource(block.T, "X"), start, stop)
            data.append(block)
        return _Shard(blocks, hits, data, None, n, hidden, num_labels, block_rows)
    path, var = spec
    try:
        source = H5Source(path, var)
    except MatFileError as exc:
        raise MatFileError(
            f"{path}: worker {worker_address()} cannot read the file: {exc}"
        ) from None
    reader = BlockReader(source, blocks)
    need = sum((stop - start) * n * 8 for start, stop in blocks)
    if need > _worker_budget(fraction):  # re-read from the file at every evaluation
        return _Shard(blocks, hits, None, reader, n, hidden, num_labels, block_rows)
    data = [np.array(reader.read(i), copy=True) for i in range(len(blocks))]
    source.close()
    return _Shard(blocks, hits, data, None, n, hidden, num_labels, block_rows)


def _shard_sums(shard, nn_params, sizes):
    """Task: the partial sums of a shard's blocks, in block order."""
    return shard.sums(nn_params, sizes)


class DaskEngine:
    """Partial sums of every row block computed on Dask workers that hold the blocks.

    Parameters
    ----------
    client : distributed.Client
    source : ArraySource, DaskArraySource or H5Source
    rows, cols : ndarray of shape (n_hits,), intp
        Positions of ``Y``'s ones.
    sizes : (input, hidden, labels)
    block_rows : int
    memory_fraction : float, default :data:`MEMORY_FRACTION`
    timeout : float, default :data:`CONNECT_TIMEOUT`
        Seconds to wait for a first worker.
    """

    name = "dask"

    def __init__(
        self,
        client,
        source,
        rows,
        cols,
        sizes,
        block_rows,
        memory_fraction=MEMORY_FRACTION,
        timeout=CONNECT_TIMEOUT,
    ):
        require_distributed()
        self.client, self.sizes = client, tuple(sizes)
        self.m, self.n = source.shape
        self.blocks = row_blocks(self.m, block_rows)
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (*TIMEOUTS, OSError) as exc:
            raise ClusterError(
                f"no dask worker joined within {timeout:g} s ({_reason(exc)})"
            ) from None
        workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
        self.workers = []
        self.shards = []
        tag = uuid.uuid4().hex[:8]
        _, hidden, K = self.sizes
        for i, (worker, ks) in enumerate(
            zip(workers, assign_blocks(len(self.blocks), len(workers)), strict=True)
        ):
            if not ks:
                continue
            blocks = [self.blocks[k] for k in ks]
            hits = [block_hits(rows, cols, a, b) for a, b in blocks]
            spec, arrays = None, []
            if isinstance(source, H5Source):
                spec = (source.path, source.name)
            elif isinstance(source, DaskArraySource):
                arrays = client.compute([source.X[a:b] for a, b in blocks], workers=[worker])
            else:
                arrays = [
                    client.scatter(source.X[a:b], workers=[worker], hash=False) for a, b in blocks
                ]
            shard = client.submit(
                _load_shard,
                spec,
                arrays,
                blocks,
                hits,
                self.n,
                hidden,
                K,
                block_rows,
                memory_fraction,
                key=f"nn3-shard-{tag}-{i}",
                workers=[worker],
                allow_other_workers=True,
                pure=False,
            )
            self.workers.append(worker)
            self.shards.append(shard)
        # Load now, so that errors (a worker that cannot see the file) surface here.
        wait_futures(self.shards)
        for shard in self.shards:
            if shard.status == "error":
                self._gather([shard])

    def _gather(self, futures):
        distributed = require_distributed()
        wait_futures(futures)
        try:
            return self.client.gather(futures)
        except (
            distributed.scheduler.KilledWorker,
            distributed.client.FutureCancelledError,
            distributed.comm.CommClosedError,
        ) as exc:
            raise ClusterError(
                f"dask workers were lost and their blocks could not be recomputed ({_reason(exc)})"
            ) from None

    def sums(self, nn_params):
        """Partial sums of all blocks, in block order (a list)."""
        params = np.asarray(nn_params, dtype=np.float64)
        futures = [
            self.client.submit(
                _shard_sums,
                shard,
                params,
                self.sizes,
                workers=[worker],
                allow_other_workers=True,
                pure=False,
            )
            for shard, worker in zip(self.shards, self.workers, strict=True)
        ]
        per_shard = self._gather(futures)
        return [s for shard_sums in per_shard for s in shard_sums]

    def close(self):
        for shard in self.shards:
            shard.release()
        self.shards = []
