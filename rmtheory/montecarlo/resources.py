r"""Memory and work a Monte Carlo run will need, estimated before it starts.

Validation accepts every size for which the mathematics is defined; this
module refuses the sizes a machine cannot finish, before any array is
allocated. The estimates are counts of float64 values (8 bytes each) at the
peak of each step, from the array shapes below (``k = min(n, p)``), and
were checked against the measured peak resident memory of single draws
(within about 10 % for ``n`` from 200 to 2000, ``γ`` from 0.25 to 4):

- a problem (:func:`~rmtheory.montecarlo.make_problem`): ``Z`` and ``X``,
  ``2np``; a full ``Σ`` and its square root add ``6p²``;
- the exact conditional risk (:class:`~rmtheory.montecarlo.ConditionalRisk`)
  of a given ``X``: the Gram matrix with its eigendecomposition, ``5k²``,
  and ``V`` (``p × k``, ``np``; not formed for ``Σ = sI``, where ``p > n``
  needs no ``V`` and ``p <= n`` has it from the eigendecomposition); a non-constant diagonal ``Σ`` adds
  ``kp + k²`` (``ΣV`` and ``VᵀΣV``), a full ``Σ`` ``4p² + 2kp`` (its checks
  and ``ΣV``); a grid of ``G`` points adds ``4Gk`` (the multipliers);
- the literal loop (:func:`~rmtheory.montecarlo.simulate_retraining`): a
  thin SVD and the fit matrix, ``3np + 6k²``; the columns of one block of
  repetitions, ``5(n + p)·min(reps, block)``; the risks it returns,
  ``reps·(T + 1)``.

The limit is :data:`SAFETY` times the memory the operating system reports
as available (:func:`available_memory`); a process-pool run needs its
per-draw peak once per worker process. A Dask run is checked against its
workers (:func:`check_dask_memory`): each runs up to ``nthreads`` draws at
once within :data:`SAFETY` × its ``memory_limit``. The work cap :data:`MAX_FLOPS` is
on the estimated floating-point operations (a normal deviate counts as
:data:`RNG_FLOPS`) per worker.

Examples
--------
>>> from rmtheory.montecarlo.resources import format_bytes, problem_floats
>>> format_bytes(8 * problem_floats(20000, 40000))
'12.8 GB'
"""
import os

__all__ = ["SAFETY", "MAX_FLOPS", "RNG_FLOPS", "WORKER_OVERHEAD", "available_memory",
           "memory_limit", "check_memory", "check_work", "format_bytes", "problem_floats",
           "conditional_floats", "simulate_floats", "problem_flops", "conditional_flops",
           "simulate_flops", "sigma_kind", "DENSE_SIGMA", "draw_bytes", "dask_workers",
           "check_dask_memory", "DASK_RESOURCE"]

#: a run may plan to use this fraction of the available memory: the rest is
#: for the interpreter, the libraries' workspaces and everything else running
SAFETY = 0.8
#: the most floating-point operations per worker that a run may need: about
#: two days of one core at 50 GFLOP/s. Beyond it a run cannot be expected to
#: finish; raise it (``rmtheory.montecarlo.resources.MAX_FLOPS = ...``) for
#: a longer job on purpose.
MAX_FLOPS = 1e16
#: a Gaussian deviate costs about this many floating-point operations
RNG_FLOPS = 10
#: bytes of a worker process beyond its arrays (interpreter and libraries
#: already loaded, copied on write from the parent)
WORKER_OVERHEAD = 100 * 2**20
#: spectrum models with a full ``p × p`` covariance matrix
DENSE_SIGMA = ("spiked", "equicorrelated", "ar1")
#: the Dask worker resource that, when every worker declares it (``dask
#: worker --resources MEMORY=<bytes>``), lets the scheduler run only as many
#: draws at once on a worker as fit (:func:`check_dask_memory`)
DASK_RESOURCE = "MEMORY"
#: floats held per block of repetitions by the literal loop (see
#: :mod:`.simulate`: memory, not results)
BLOCK_FLOATS = 2**22


def _meminfo_available(path="/proc/meminfo"):
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_room():
    """Bytes left under this process's cgroup memory limit, or ``None``.

    Why: in a container ``/proc/meminfo`` shows the host's memory, while the
    kernel kills the container's processes at the cgroup's limit."""
    pairs = (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),       # v2
             ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
              "/sys/fs/cgroup/memory/memory.usage_in_bytes"))                        # v1
    for limit_path, usage_path in pairs:
        try:
            with open(limit_path) as fh:
                text = fh.read().strip()
            if text == "max":
                return None
            limit = int(text)
            with open(usage_path) as fh:
                usage = int(fh.read().strip())
        except (OSError, ValueError):
            continue
        if limit >= 2**60:            # "no limit", as cgroup v1 writes it
            return None
        return max(limit - usage, 0)
    return None


def available_memory():
    """Bytes of memory available to new allocations, or ``None`` if unknown.

    ``MemAvailable`` of ``/proc/meminfo`` (free memory plus the page cache
    the kernel can drop), else ``os.sysconf("SC_PAGE_SIZE") *
    os.sysconf("SC_AVPHYS_PAGES")`` (free pages only); the smaller of that
    and the room left under a cgroup (container) memory limit.

    Examples
    --------
    >>> from rmtheory.montecarlo.resources import available_memory
    >>> available = available_memory()
    >>> available is None or available > 0
    True
    """
    available = _meminfo_available()
    if available is None:
        try:
            available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
        except (AttributeError, ValueError, OSError):
            available = None
    room = _cgroup_room()
    if room is not None:
        available = room if available is None else min(available, room)
    return available


def memory_limit():
    """``(limit, available)`` in bytes: ``limit = SAFETY * available``;
    both ``None`` when the system does not say."""
    available = available_memory()
    if available is None:
        return None, None
    return int(SAFETY * available), available


def format_bytes(count):
    """``count`` bytes as a short decimal figure (``'12.8 GB'``)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{int(count)} B"


def check_memory(needed, *, name, what, detail, advice):
    """Refuse a run whose estimated peak ``needed`` (bytes) exceeds the limit.

    Raises
    ------
    ValueError
        ``"<name> too large for the memory: <what> needs about <needed>
        (<detail>), more than the limit of <limit> (SAFETY × <available>
        available); <advice>"`` — one line, led by the argument to change.
        Nothing is raised when the system does not report its memory.
    """
    limit, available = memory_limit()
    if limit is None or needed <= limit:
        return
    raise ValueError(f"{name} too large for the memory: {what} needs about "
                     f"{format_bytes(needed)} ({detail}), more than the limit of "
                     f"{format_bytes(limit)} (SAFETY={SAFETY:g} x {format_bytes(available)} "
                     f"available); {advice}")


def check_work(flops, *, name, what, detail, advice, workers=1):
    """Refuse a run whose estimated work exceeds ``MAX_FLOPS`` per worker.

    Raises
    ------
    ValueError
        ``"<name> too large: <what> needs about <flops> floating-point
        operations (<detail>), more than the cap MAX_FLOPS=... per worker
        x <workers>; <advice>"`` — one line, led by the argument to change.
    """
    cap = MAX_FLOPS * workers
    if flops <= cap:
        return
    per = "" if workers == 1 else f" per worker x {workers} workers"
    raise ValueError(f"{name} too large: {what} needs about {flops:.2g} floating-point "
                     f"operations ({detail}), more than the cap MAX_FLOPS={MAX_FLOPS:.0e}"
                     f"{per} (days of computing); {advice}")


# ----------------------------------------------------------------------------
# the estimates (float64 counts and operation counts)


def sigma_kind(spectrum, params):
    """How a model's realised ``Σ`` is stored: ``"constant"`` (``sI``),
    ``"diagonal"`` or ``"dense"`` (a full ``p × p`` matrix); ``params`` are
    the resolved model parameters (the spiked model's ``directions``)."""
    if spectrum == "isotropic":
        return "constant"
    if spectrum == "spiked":
        return "dense" if params.get("directions", "random") == "random" else "diagonal"
    return "dense" if spectrum in DENSE_SIGMA else "diagonal"


def problem_floats(n, p, sigma="constant"):
    """Peak floats of drawing one problem: ``2np``, plus ``6p²`` for a full
    ``Σ`` (``sigma="dense"``; ``"constant"`` or ``"diagonal"`` otherwise)."""
    return 2 * n * p + (6 * p * p if sigma == "dense" else 0)


def conditional_floats(n, p, sigma="constant", grid=1):
    """Peak floats of :class:`ConditionalRisk` on a given ``X`` and one risk
    evaluation on ``grid`` points, beyond ``X`` and ``Σ`` themselves.
    ``sigma``: ``"constant"`` (``Σ = sI``), ``"diagonal"`` or ``"dense"``."""
    k = min(n, p)
    floats = 5 * k * k + 4 * grid * k
    if sigma != "constant":
        # V = XᵀU D^{-1/2}/√n (p > n); Σ = sI skips it, and for p <= n V is
        # the eigenvector matrix itself, among the 5k²
        floats += n * p
    if sigma == "diagonal":
        floats += k * p + k * k
    elif sigma == "dense":
        floats += 4 * p * p + 2 * k * p
    return floats


def simulate_floats(n, p, T, reps, *, dense=False, keep=None, stacked=False):
    """Peak floats of the literal loop beyond ``X`` and ``Σ``: the SVD and the
    fit matrix, one block of repetitions, and the ``keep`` risks returned
    (default ``reps·(T + 1)``); ``stacked``: a user estimator of the
    accumulate scheme, fitted on ``X`` stacked ``T + 1`` times."""
    k = min(n, p)
    block = min(reps, max(1, BLOCK_FLOATS // (n + p)))
    floats = 3 * n * p + 6 * k * k + 5 * (n + p) * block
    floats += reps * (T + 1) if keep is None else keep
    if dense:
        floats += 4 * p * p
    if stacked:
        floats += 2 * (T + 1) * n * (p + 1)
    return floats


def simulate_flops(n, p, T, reps):
    """Operations of the literal loop: a thin SVD, then per repetition and
    refit two products with ``n × p`` matrices and ``2n`` normal deviates."""
    k = min(n, p)
    return 4.0 * n * p * k + 10.0 * k**3 + reps * (T + 1) * (4.0 * n * p + 2 * n * RNG_FLOPS
                                                             + 3.0 * p)


def problem_flops(spectrum, n, p, sigma="constant"):
    """Operations of drawing one problem (the normal deviates; a full ``Σ``:
    its square root and the product ``ZΣ^{1/2}``, dense for ``ar1`` only)."""
    flops = float(n * p * RNG_FLOPS)
    if spectrum == "ar1":
        flops += 10.0 * p**3 + 2.0 * n * p * p
    elif sigma == "dense":
        flops += 2.0 * p * p + 8.0 * n * p
    return flops


def conditional_flops(n, p, sigma="constant", grid=1):
    """Operations of :class:`ConditionalRisk` (Gram matrix, its
    eigendecomposition, ``V``; ``ΣV`` and ``VᵀΣV``) and one grid of risks."""
    k = min(n, p)
    flops = 2.0 * k * k * max(n, p) + 9.0 * k**3 + 2.0 * n * p * k + 2.0 * grid * k * k
    if sigma == "dense":
        flops += p**3 / 3 + 2.0 * p * p * k + 2.0 * p * k * k
    elif sigma == "diagonal":
        flops += 2.0 * p * k * k
    return flops


# ----------------------------------------------------------------------------
# one draw, and the Dask workers that run it


def draw_bytes(spectrum, params, n, p, *, method="exact", grid=1, T=0, reps=1):
    """Peak bytes of one draw of ``verify``: the larger of drawing the
    problem and working on it (``X``, ``Σ`` and the exact route or the
    literal loop on ``grid`` points), as :func:`problem_floats`,
    :func:`conditional_floats` and :func:`simulate_floats` count them.

    Examples
    --------
    >>> from rmtheory.montecarlo.resources import draw_bytes, format_bytes
    >>> format_bytes(draw_bytes("isotropic", {}, 10_000, 20_000, grid=210))
    '5.7 GB'
    """
    kind = sigma_kind(spectrum, params)
    sigma_floats = p * p if kind == "dense" else p
    made = problem_floats(n, p, kind)
    if method == "exact":
        work = conditional_floats(n, p, kind, grid)
    else:
        work = simulate_floats(n, p, T, reps, dense=kind == "dense", keep=reps)
    return 8 * max(made, n * p + sigma_floats + work)


def dask_workers(client):
    """``{address: (memory_limit or None, nthreads, resources)}`` of the
    workers connected to ``client`` now (``memory_limit`` ``None``: the
    worker has none)."""
    info = client.scheduler_info(n_workers=-1)
    out = {}
    for address, worker in info.get("workers", {}).items():
        limit = worker.get("memory_limit") or None
        out[address] = (limit, int(worker.get("nthreads") or 1),
                        dict(worker.get("resources") or {}))
    return out


def check_dask_memory(needed, *, client=None, address=None, what, timeout=None):
    """Refuse, before any draw, a Dask run whose draws do not fit its workers.

    A worker runs up to ``nthreads`` draws at once; each needs ``needed``
    bytes (:func:`draw_bytes`) within :data:`SAFETY` × its
    ``memory_limit`` less :data:`WORKER_OVERHEAD`. Then:

    - every worker holds ``nthreads`` draws (or has no memory limit):
      ``None``, nothing to restrict;
    - some worker holds fewer but every worker declares the resource
      :data:`DASK_RESOURCE` (``dask worker --resources MEMORY=<bytes>``):
      ``{"MEMORY": needed}``, to submit the draws with, so that the
      scheduler runs on each worker only as many as its ``MEMORY`` allows;
    - otherwise ``ValueError``, led by ``n``, with the estimate, the worker
      and what to change.

    With no worker connected yet (an adaptive cluster starts them for the
    work) nothing is known: ``None``. ``address`` is connected to for the
    check (within ``timeout``, :func:`~rmtheory.montecarlo.parallel.connect`)
    and closed again.

    Examples
    --------
    >>> from distributed import Client, LocalCluster
    >>> from rmtheory.montecarlo.resources import check_dask_memory
    >>> cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
    ...                        memory_limit="1 GB", dashboard_address=":0")
    >>> client = Client(cluster)
    >>> check_dask_memory(10**8, client=client, what="verify") is None
    True
    >>> check_dask_memory(2 * 10**9, client=client, what="verify")
    Traceback (most recent call last):
    ...
    ValueError: n too large for the Dask workers' memory: verify needs about 2.0 GB per draw, ...
    >>> client.close(); cluster.close()
    """
    from .parallel import _import_distributed, connect
    owned = client is None
    if owned:
        client = connect(address, timeout)
    elif not isinstance(client, _import_distributed().Client):
        return None            # not a client: the run says so (TypeError)
    try:
        workers = dask_workers(client)
    except (OSError, TimeoutError):
        return None            # the scheduler went away: the run reports it (BackendError)
    finally:
        if owned:
            client.close()
    if not workers:
        return None

    def room(limit):
        return None if limit is None else SAFETY * limit - WORKER_OVERHEAD

    def describe(address, limit, threads):
        return (f"worker {address} (memory_limit {format_bytes(limit)}, {threads} "
                f"thread{'s' if threads > 1 else ''})")

    per = format_bytes(needed)
    known = {a: v for a, v in workers.items() if v[0] is not None}
    if known and all(room(limit) < needed for limit, _, _ in known.values()) \
            and len(known) == len(workers):
        address, (limit, threads, _) = max(known.items(), key=lambda item: item[1][0])
        raise ValueError(f"n too large for the Dask workers' memory: {what} needs about {per} "
                         f"per draw, more than SAFETY={SAFETY:g} x the memory_limit of the "
                         f"largest, {describe(address, limit, threads)}; lower n (or gamma), "
                         f"or start workers with more memory (dask worker --memory-limit ...)")
    short = {a: (limit, threads) for a, (limit, threads, _) in known.items()
             if room(limit) < threads * needed}
    if not short:
        return None
    if all(DASK_RESOURCE in res for _, _, res in workers.values()):
        if all(res[DASK_RESOURCE] < needed for _, _, res in workers.values()):
            largest = max(res[DASK_RESOURCE] for _, _, res in workers.values())
            raise ValueError(f"n too large for the Dask workers' memory: {what} needs about "
                             f"{per} per draw, more than the largest {DASK_RESOURCE} resource "
                             f"of a worker ({format_bytes(largest)}); lower n (or gamma)")
        return {DASK_RESOURCE: float(needed)}
    address, (limit, threads) = next(iter(short.items()))
    fit = max(int(room(limit) // needed), 0)
    raise ValueError(f"n too large for the Dask workers' memory: {what} needs about {per} per "
                     f"draw, and {describe(address, limit, threads)} would run {threads} at once "
                     f"({format_bytes(threads * needed)}, more than SAFETY={SAFETY:g} x its "
                     f"memory_limit); start the workers with --nthreads {max(fit, 1)}, or with "
                     f"--resources {DASK_RESOURCE}=<bytes> on every worker so that Dask runs "
                     f"only the draws that fit, or lower n")
