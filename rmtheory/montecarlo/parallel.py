r"""Backends that run independent Monte Carlo draws: in this process, on the
machine's cores, or on a Dask distributed cluster.

Every backend runs the same module-level function on the same task
objects, and each task carries its own :class:`numpy.random.SeedSequence`
child, so a draw's result depends only on ``(seed, draw index)``:

.. math::

    \text{draw}_k = f\bigl(\text{task}, \operatorname{spawn}(\text{seed})_k\bigr),
    \qquad k = 0, \dots, \text{draws} - 1,

whatever backend, worker count or completion order.

:func:`run_tasks` is a generator of ``(index, result)`` pairs in completion
order. Closing it (or an exception, such as ``KeyboardInterrupt``, passing
through it) cancels the tasks not yet started and releases the pool or
the client it created, so a caller can keep what completed. When the
backend itself fails — a worker process dies, the Dask scheduler or a
worker goes away, a task runs out of memory — it raises
:class:`BackendError`, whose text is one line, after the results that
completed have been yielded.

Examples
--------
>>> from rmtheory.montecarlo.parallel import run_tasks
>>> sorted(run_tasks(abs, [-3, 1, -2], backend="serial"))
[(0, 3), (1, 1), (2, 2)]
"""
import asyncio
from concurrent.futures import (FIRST_COMPLETED, BrokenExecutor, CancelledError,
                                ProcessPoolExecutor, wait)
from contextlib import contextmanager
from functools import partial
import os
import signal
import threading
import time

from .._validation import check_int, check_real

__all__ = ["BACKENDS", "BackendError", "check_backend", "connect", "run_tasks", "blas_limit",
           "small_blas", "SMALL_BLAS", "CONNECT_TIMEOUT", "WORKER_TIMEOUT"]

#: Names accepted by ``backend=``.
BACKENDS = ("serial", "processes", "dask")

#: seconds for a Dask scheduler given by address to answer (the whole
#: connection, handshake included; read when :func:`connect` is called)
CONNECT_TIMEOUT = 5.0
#: seconds to wait for the first Dask worker once the draws are submitted
#: (an adaptive cluster starts its workers then; read at each run)
WORKER_TIMEOUT = 10.0


class BackendError(RuntimeError):
    """The backend lost work it had accepted: a worker process died, the Dask
    scheduler or a worker went away, a task ran out of memory.

    ``str(error)`` is one line saying what failed. Raised by
    :func:`run_tasks` after every result that had completed was yielded."""

    def __init__(self, message):
        super().__init__(" ".join(str(message).split()))


def _one_line(exc):
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def check_backend(backend, *, client=None, address=None, max_workers=None):
    """Validate a backend choice and its companions; return the backend name.

    Raises
    ------
    ValueError
        An unknown ``backend``; ``client``/``address`` with a backend other
        than ``"dask"``, both of them, or neither of them for ``"dask"``.
    TypeError
        ``backend`` is not a string, ``address`` is not a string.

    Examples
    --------
    >>> from rmtheory.montecarlo.parallel import check_backend
    >>> check_backend("processes")
    'processes'
    >>> check_backend("gpu")
    Traceback (most recent call last):
    ...
    ValueError: backend must be one of ['serial', 'processes', 'dask'], received 'gpu'
    """
    if not isinstance(backend, str):
        raise TypeError(f"backend must be a str, one of {list(BACKENDS)}, "
                        f"received {type(backend).__name__} {backend!r}")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {list(BACKENDS)}, received {backend!r}")
    if backend != "dask":
        for name, value in (("client", client), ("address", address)):
            if value is not None:
                raise ValueError(f"{name} is only used with backend='dask', "
                                 f"received {name}={value!r} with backend={backend!r}")
    else:
        if client is not None and address is not None:
            raise ValueError("give either client or address for backend='dask', not both")
        if client is None and address is None:
            raise ValueError("backend='dask' needs client (a dask.distributed.Client) or "
                             "address (a scheduler address such as 'tcp://host:8786')")
        if address is not None and not isinstance(address, str):
            raise TypeError(f"address must be a scheduler address string, received "
                            f"{type(address).__name__} {address!r}")
    if max_workers is not None:
        if backend != "processes":
            raise ValueError(f"max_workers is only used with backend='processes', "
                             f"received max_workers={max_workers!r} with backend={backend!r}")
        check_int("max_workers", max_workers, low=1)
    return backend


# ----------------------------------------------------------------------------
# Dask: connecting


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - exercised only without dask
        raise ImportError("backend='dask' needs dask.distributed: "
                          "pip install 'rmtheory[distributed]'") from exc
    return distributed


def _in_thread(fn, seconds):
    """``fn()`` in a helper thread, waited for at most ``seconds``.

    Returns ``(done, result, error)``; when the time is up the thread is
    left to finish on its own (``done=False``). Why a thread: the caller may
    itself run an event loop (Jupyter), and a wait here stays interruptible
    by Ctrl-C."""
    box = {}

    def target():
        try:
            box["result"] = fn()
        except BaseException as exc:   # handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, name="rmtheory-dask-connect", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return False, None, None
    return True, box.get("result"), box.get("error")


def _probe(address, timeout):
    """Open a Dask comm to ``address`` and complete its handshake within
    ``timeout`` seconds, in an event loop of our own (cancelled at the
    deadline). Why: ``Client(address, timeout=...)`` bounds the TCP connect
    but not the handshake, so a port that accepts and stays silent would
    hold it for as long as the peer keeps the socket open."""
    from distributed.comm import connect as comm_connect

    async def handshake():
        comm = await comm_connect(address, timeout=timeout)
        await comm.close()

    asyncio.run(asyncio.wait_for(handshake(), timeout))


def connect(address, timeout=None):
    """A :class:`dask.distributed.Client` for a scheduler ``address``.

    Parameters
    ----------
    address : str
        E.g. ``"tcp://10.0.0.5:8786"``.
    timeout : float, optional
        Seconds for the whole connection (default :data:`CONNECT_TIMEOUT`,
        5 s): the TCP connection, the Dask handshake and the client's
        registration with the scheduler.

    Raises
    ------
    ImportError
        ``dask.distributed`` is not installed (``pip install rmtheory[distributed]``).
    ConnectionError
        No Dask scheduler answered at ``address`` within ``timeout`` seconds
        (nothing listening, or a port that is not a Dask scheduler).
    ValueError
        ``address`` is not an address.
    """
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    timeout = float(check_real("timeout", timeout, low=0, low_open=True))
    distributed = _import_distributed()
    deadline = time.monotonic() + timeout

    def unreachable(reason):
        return ConnectionError(f"address {address!r}: no Dask scheduler answered within "
                               f"{timeout:g} s ({reason})")

    try:
        scheme = distributed.comm.parse_address(address)[0]
    except ValueError as exc:
        raise ValueError(f"address {address!r} is not a valid scheduler address: {exc}") from None
    if scheme == "tcp":
        # inproc addresses live in this process; tls needs the caller's security
        done, _, error = _in_thread(partial(_probe, address, timeout), timeout + 1.0)
        if not done:
            raise unreachable("no handshake")
        if error is not None:     # refused, reset, timed out, not the Dask protocol
            raise unreachable(_one_line(error)) from None
    # the client is handed over under a lock, so that one made after the
    # caller gave up (deadline, Ctrl-C) is closed, never leaked
    handoff, lock = {"abandoned": False}, threading.Lock()

    def make():
        client = distributed.Client(address, timeout=max(deadline - time.monotonic(), 0.1),
                                    set_as_default=False)
        with lock:
            if handoff["abandoned"]:
                client.close()
                return None
            handoff["client"] = client
        return client

    def abandon():
        with lock:
            handoff["abandoned"] = True
            late = handoff.pop("client", None)
        if late is not None:
            late.close()

    try:
        done, client, error = _in_thread(make, max(deadline - time.monotonic(), 0.1) + 1.0)
    except BaseException:
        abandon()
        raise
    if not done:
        abandon()
        raise unreachable("the scheduler did not register the client")
    if isinstance(error, (OSError, TimeoutError, asyncio.TimeoutError)):
        raise unreachable(_one_line(error)) from None
    if isinstance(error, ValueError):
        raise ValueError(f"address {address!r} is not a valid scheduler address: "
                         f"{error}") from None
    if error is not None:
        raise error
    return client


def _scheduler_address(client):
    try:
        return client.scheduler.address
    except AttributeError:
        return "?"


def wait_for_workers(client, timeout=None):
    """Block until ``client``'s cluster has a worker.

    Parameters
    ----------
    timeout : float, optional
        Seconds (default :data:`WORKER_TIMEOUT`, 10 s).

    Raises
    ------
    ConnectionError
        No worker joined within ``timeout`` seconds; the message names the
        scheduler's address.
    """
    timeout = WORKER_TIMEOUT if timeout is None else timeout
    timeout = float(check_real("worker_timeout", timeout, low=0, low_open=True))
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, asyncio.TimeoutError):
        raise ConnectionError(f"address {_scheduler_address(client)!r}: the Dask scheduler has "
                              f"no workers (none joined within {timeout:g} s); start one with "
                              f"`dask worker {_scheduler_address(client)}`") from None
    except OSError as exc:
        raise BackendError(f"the Dask scheduler at {_scheduler_address(client)!r} went away "
                           f"({_one_line(exc)})") from None


# ----------------------------------------------------------------------------
# the BLAS thread count


def _set_blas_threads(threads):
    """Set this process's BLAS thread count for good (a worker's setting).

    Called in a worker process's main thread: OpenBLAS then applies it to
    every thread of the process. Returns the count in force."""
    global _WORKER_LIMIT
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    _take_blas_control()     # a forked worker may inherit the parent's controlling thread
    _WORKER_LIMIT = threadpool_limits(limits=threads, user_api="blas")
    # a limit in force for the worker's life, as blas_limit would hold it in
    # the parent: small_blas leaves it alone, so every backend computes a
    # small draw with the same count
    with _BLAS._cond:
        _BLAS._threads, _BLAS._users = threads, _BLAS._users + 1
    return threads


#: the limiter of a worker process, kept alive on purpose
_WORKER_LIMIT = None


def _init_worker(blas_threads):
    """Process-pool initializer. Ctrl-C is the parent's to handle, so an
    interrupted run can cancel what has not started and keep the rest."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if blas_threads is not None:
        _set_blas_threads(blas_threads)


class _SharedBlasLimit:
    """The BLAS thread limit of this process, shared by the threads using it.

    Why: the BLAS's limit is one setting for the whole process. Two runs in
    two threads that each set it and restore it on exit interfere: the first
    to finish restores the original count while the other still computes
    (its remaining draws then use another count, and differ in the last
    bits), and the last to finish "restores" the count the first one set.
    So: the first user sets the limit and remembers the original; users
    asking for the same count share it; a user asking for another count
    waits until the limit is released; the last user restores the original.
    A thread asking for another count while it holds one would wait for
    itself: that is refused with ``RuntimeError``.

    threadpoolctl (3.6 and later) lets only one "controlling" thread change
    a pthreads OpenBLAS — the first to set a limit, until a ``with
    threadpool_limits`` block of its own ends — and silently ignores the
    others, so a limit set from a Dask worker thread after the main thread
    had set one did nothing. Every change here is made under this class's
    lock, so it hands the control to the thread making the change.
    """

    def __init__(self):
        self._reset()

    def _reset(self):
        self._cond = threading.Condition()
        self._threads = None       # the count in force, while users > 0
        self._users = 0
        self._limiter = None       # threadpoolctl's record of the original
        self._holders = {}         # thread ident -> nesting depth

    def acquire(self, threads):
        from threadpoolctl import threadpool_limits
        me = threading.get_ident()
        with self._cond:
            if self._users and self._threads != threads and self._holders.get(me):
                raise RuntimeError(f"blas_limit({threads}) inside blas_limit({self._threads}) "
                                   f"in the same thread: the BLAS has one thread count")
            while self._users and self._threads != threads:
                self._cond.wait()
            if not self._users:
                _take_blas_control()
                self._limiter = threadpool_limits(limits=threads, user_api="blas")
                self._threads = threads
            self._users += 1
            self._holders[me] = self._holders.get(me, 0) + 1

    def release(self):
        me = threading.get_ident()
        with self._cond:
            depth = self._holders.pop(me, 1) - 1
            if depth:
                self._holders[me] = depth
            self._users -= 1
            if not self._users:
                limiter, self._limiter, self._threads = self._limiter, None, None
                try:
                    _take_blas_control()      # the last user may not be the first
                    limiter.restore_original_limits()
                    _take_blas_control()      # and the next may be any thread
                finally:
                    self._cond.notify_all()

    def try_join(self, threads):
        """Hold a limit of ``threads`` if that costs no waiting: set it when
        no limit is in force, join it when the same count is; ``False``
        (nothing held, nothing changed) when another count is in force —
        set by this thread or another, it is theirs to keep."""
        me = threading.get_ident()
        with self._cond:
            if self._users and self._threads != threads:
                return False
            if not self._users:
                _take_blas_control()
                self._limiter = _controller().limit(limits=threads, user_api="blas")
                self._threads = threads
            self._users += 1
            self._holders[me] = self._holders.get(me, 0) + 1
            return True

    @property
    def state(self):
        """``(threads in force or None, users)``, for tests and diagnostics."""
        with self._cond:
            return self._threads, self._users


def _take_blas_control():
    """Let the calling thread change the BLAS limit (see :class:`_SharedBlasLimit`)."""
    try:
        from threadpoolctl import OpenBLASController
    except ImportError:        # threadpoolctl without the rule: nothing to do
        return
    clear = getattr(OpenBLASController, "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)


_BLAS = _SharedBlasLimit()
if hasattr(os, "register_at_fork"):
    # a forked worker starts with no user (the parent's threads are not
    # there) and with an unlocked lock
    os.register_at_fork(after_in_child=_BLAS._reset)


@contextmanager
def blas_limit(threads):
    """Run the block with the BLAS of this process limited to ``threads``.

    Why: a draw's result depends, in its last bits, on how many threads
    the BLAS splits its sums over; fixing the count makes a draw's numbers
    the same on every backend. And draws are the unit of parallelism: a
    multithreaded BLAS on busy cores can be many times slower than one
    thread per draw.

    The limit is the BLAS's own, process-wide setting, so it is shared
    between threads (reference-counted): the first block to enter sets it,
    blocks in other threads asking for the same count join it, a block
    asking for another count waits until the last one has left, and the
    last to leave restores the count in force before the first entered.
    Two runs in two threads therefore each compute with their own count
    throughout, and the original is restored once both are done.
    ``threads=None`` leaves the BLAS alone; without :mod:`threadpoolctl`
    this is a no-op.

    Raises
    ------
    RuntimeError
        Another count is asked for while this thread holds a limit (it
        would wait for itself).

    Examples
    --------
    >>> import numpy as np
    >>> from rmtheory.montecarlo.parallel import blas_limit
    >>> with blas_limit(1):
    ...     float(np.ones((3, 3)) @ np.ones(3) @ np.ones(3))
    9.0
    """
    if threads is None:
        yield
        return
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        yield
        return
    _BLAS.acquire(threads)
    try:
        yield
    finally:
        _BLAS.release()


#: matrices with at most this many rows (the smaller side of a product or
#: factorisation) run on one BLAS thread (:func:`small_blas`). Measured on two
#: busy cores (numpy's OpenBLAS, Gram matrix and ``eigh``): one thread was
#: 60x faster at 64, 1.7x at 256, 3x at 512 and 1024; on idle cores a
#: second thread gains little below ~500 while its start-up costs each call.
SMALL_BLAS = 512

_CONTROLLER = []


def _controller():
    """One :class:`threadpoolctl.ThreadpoolController`, made on first use
    (finding the loaded libraries costs ~0.6 ms; a limit on it ~10 µs)."""
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


@contextmanager
def small_blas(size):
    """One BLAS thread for the block if ``size <= SMALL_BLAS`` and no limit
    is in force.

    Why: a small product or eigendecomposition gains nothing from a second
    thread and loses much when the cores are busy (see :data:`SMALL_BLAS`),
    and the loops that make many small matrices (reports, notebooks, a
    user's grid) do not all set a limit. A limit already in force — set by
    :func:`blas_limit` in this thread or another, e.g. ``verify``'s
    ``blas_threads`` — is left alone, so a run keeps its own count (and its
    numbers); larger matrices keep the library's setting.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtheory.montecarlo.parallel import small_blas
    >>> with small_blas(3):
    ...     float(np.linalg.eigh(np.eye(3))[0].sum())
    3.0
    """
    if size > SMALL_BLAS:
        yield
        return
    try:
        held = _BLAS.try_join(1)
    except ImportError:          # no threadpoolctl: leave the BLAS alone
        held = False
    try:
        yield
    finally:
        if held:
            _BLAS.release()


def _call_with_blas(fn, threads, task):
    """``fn(task)`` under :func:`blas_limit` in the thread that runs it (a
    Dask worker's thread, in this process or another; workers that join
    late get it too)."""
    with blas_limit(threads):
        return fn(task)


# ----------------------------------------------------------------------------
# running tasks


def run_tasks(fn, tasks, *, backend="serial", max_workers=None, client=None, address=None,
              blas_threads=None, timeout=None, worker_timeout=None, task_resources=None):
    """Run ``fn(task)`` for every task; yield ``(index, result)`` as each completes.

    Parameters
    ----------
    fn : callable
        A module-level (picklable) function of one task.
    tasks : sequence
        Picklable task objects.
    backend : {"serial", "processes", "dask"}
        ``"serial"`` runs in this process, in order. ``"processes"`` uses a
        :class:`concurrent.futures.ProcessPoolExecutor` with ``max_workers``
        processes (default ``os.cpu_count()``). ``"dask"`` submits to a
        Dask distributed cluster through ``client`` or a new client
        connected to ``address`` (closed again at the end).
    max_workers : int, optional
        Worker processes of ``"processes"``.
    client : dask.distributed.Client, optional
    address : str, optional
        A scheduler address, e.g. ``"tcp://10.0.0.5:8786"``.
    blas_threads : int, optional
        BLAS threads for every task (:func:`blas_limit`): around each task
        in the thread that runs it (``"serial"``; ``"dask"``, on every
        worker), and for good in each worker process (``"processes"``).
        ``None`` leaves the BLAS alone.
    timeout : float, optional
        Seconds for the scheduler at ``address`` to answer (default
        :data:`CONNECT_TIMEOUT`, 5 s; see :func:`connect`).
    worker_timeout : float, optional
        Seconds for the Dask cluster to have a worker once the tasks are
        submitted (default :data:`WORKER_TIMEOUT`, 10 s).
    task_resources : dict, optional
        ``"dask"`` only: the worker resources each task holds while it runs
        (e.g. ``{"MEMORY": bytes}`` from
        :func:`~rmtheory.montecarlo.resources.check_dask_memory`), so that a
        worker runs only as many at once as its declared resources allow.

    Yields
    ------
    (int, object)
        The task's index in ``tasks`` and ``fn(task)``.

    Raises
    ------
    BackendError
        A worker process died (``BrokenProcessPool``), the Dask scheduler
        was lost, a Dask worker died running a task (``KilledWorker``), or a
        task ran out of memory; raised after the completed results.
    ConnectionError
        ``address`` did not answer within ``timeout``, or the cluster had no
        worker within ``worker_timeout`` (before any result).

    Notes
    -----
    Closing the generator early, or an exception raised while it waits,
    cancels the tasks that have not started; worker processes ignore
    ``SIGINT`` so that Ctrl-C reaches only the caller. An exception raised
    by ``fn`` itself propagates unchanged.

    Examples
    --------
    >>> from rmtheory.montecarlo.parallel import run_tasks
    >>> sorted(run_tasks(len, ["ab", "c"], backend="processes", max_workers=2))
    [(0, 2), (1, 1)]
    """
    backend = check_backend(backend, client=client, address=address, max_workers=max_workers)
    if blas_threads is not None:
        blas_threads = check_int("blas_threads", blas_threads, low=1)
    if task_resources is not None and backend != "dask":
        raise ValueError(f"task_resources is only used with backend='dask', received "
                         f"task_resources={task_resources!r} with backend={backend!r}")
    tasks = list(tasks)
    if backend == "serial":
        for index, task in enumerate(tasks):
            try:
                with blas_limit(blas_threads):
                    result = fn(task)
            except MemoryError as exc:
                raise BackendError(f"task {index} ran out of memory ({_one_line(exc)})") from exc
            yield index, result
        return
    if backend == "processes":
        yield from _run_processes(fn, tasks, max_workers or os.cpu_count() or 1, blas_threads)
        return
    yield from _run_dask(fn, tasks, client, address, timeout, worker_timeout, blas_threads,
                         task_resources)


def _run_processes(fn, tasks, max_workers, blas_threads):
    pool = ProcessPoolExecutor(max_workers=min(max_workers, max(len(tasks), 1)),
                               initializer=_init_worker, initargs=(blas_threads,))
    finished = False
    done_count = 0
    try:
        try:
            pending = {pool.submit(fn, task): index for index, task in enumerate(tasks)}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=pending.get):
                    index = pending.pop(future)
                    try:
                        result = future.result()
                    except MemoryError as exc:
                        raise BackendError(f"task {index} ran out of memory in a worker process "
                                           f"({_one_line(exc)})") from exc
                    done_count += 1
                    yield index, result
        except BrokenExecutor as exc:
            # a worker died (killed, out of memory, os._exit): the pool fails
            # every task it holds, but the results already yielded are good
            raise BackendError(f"a worker process died unexpectedly after {done_count} of "
                               f"{len(tasks)} tasks ({_one_line(exc)})") from exc
        finished = True
    finally:
        # on interruption: drop what has not started, do not wait for the rest
        pool.shutdown(wait=finished, cancel_futures=True)


def _run_dask(fn, tasks, client, address, timeout, worker_timeout, blas_threads,
              task_resources=None):
    distributed = _import_distributed()
    owned = client is None
    if owned:
        client = connect(address, timeout)
    elif not isinstance(client, distributed.Client):
        raise TypeError(f"client must be a dask.distributed.Client, received "
                        f"{type(client).__name__} {client!r}")
    where = _scheduler_address(client)
    from distributed.scheduler import KilledWorker
    # what the cluster can do to a run: lose the connection (CommClosedError
    # is an OSError), time out, cancel the futures (FutureCancelledError)
    lost = (OSError, TimeoutError, CancelledError)

    def lost_scheduler(exc, done_count):
        return BackendError(f"lost the Dask scheduler at {where!r} after {done_count} of "
                            f"{len(tasks)} tasks ({_one_line(exc)})")

    futures = []
    try:
        task_fn = fn if blas_threads is None else partial(_call_with_blas, fn, blas_threads)
        try:
            futures = client.map(task_fn, tasks, pure=False, resources=task_resources)
        except lost as exc:
            raise lost_scheduler(exc, 0) from exc
        # after submitting: an adaptive cluster starts its workers for them
        wait_for_workers(client, worker_timeout)
        index_of = {future.key: index for index, future in enumerate(futures)}
        done_count = 0
        # the loop of *this* client: as_completed would otherwise look for a
        # default client, which a client made here does not become
        completed = distributed.as_completed(futures, loop=client.loop)
        while True:
            try:
                future = next(completed)
            except StopIteration:
                break
            except lost as exc:
                raise lost_scheduler(exc, done_count) from exc
            index = index_of[future.key]
            status = future.status
            if status == "error":
                error = future.exception()
                if isinstance(error, KilledWorker):
                    raise BackendError(f"a Dask worker died running task {index} after "
                                       f"{done_count} of {len(tasks)} tasks ({_one_line(error)})")
                if isinstance(error, MemoryError):
                    raise BackendError(f"task {index} ran out of memory on a Dask worker "
                                       f"({_one_line(error)})")
                future.result()                # the task's own exception, re-raised
            if status != "finished":           # "cancelled", "lost": the cluster's doing
                try:
                    future.result()
                    reason = status
                except BaseException as exc:    # FutureCancelledError says why
                    reason = f"{status}: {getattr(exc, 'reason', None) or _one_line(exc)}"
                raise BackendError(f"lost the Dask scheduler at {where!r} after {done_count} of "
                                   f"{len(tasks)} tasks (task {index} {reason})")
            try:
                result = future.result()
            except lost as exc:
                raise lost_scheduler(exc, done_count) from exc
            done_count += 1
            yield index, result
    finally:
        try:
            pending = [f for f in futures if not f.done()]
            if pending:
                client.cancel(pending)
        except Exception:     # a scheduler already gone: nothing left to cancel
            pass
        if owned:
            try:
                client.close(timeout=2)
            except Exception:
                pass
