r"""Verification reports: the limiting risk against the Monte Carlo mean.

:func:`verify` draws ``draws`` independent finite-n problems ``(X, β, Σ)``
of a spectrum model, computes the exact conditional risk of each (SPEC §2:
one Gram eigendecomposition per draw serves the whole ``(w, λ)`` grid) or
simulates the retraining loop literally, and compares the mean over draws
with :func:`rmtheory.limiting_risk`. Per grid point, with ``R_k`` the value
of draw ``k`` and ``K`` the number of draws,

.. math::

    \bar R = \frac1K\sum_{k} R_k, \qquad
    \mathrm{se} = \frac{s_R}{\sqrt K}, \qquad
    z = \frac{\bar R - R_{\text{theory}}}{\mathrm{se}}, \qquad
    \bar R \pm t_{0.975,\,K-1}\,\mathrm{se} \ \text{(95\% interval)},

and the point passes when ``|z| <= z_threshold`` (default 3). The gap
``\bar R − R_theory`` has a deterministic finite-n part, ``O(1/n)``, and a
random part of order ``se``; :func:`convergence_study` runs :func:`verify`
over increasing ``n`` and fits the log–log slope of ``|gap|``.

Draw ``k`` uses child ``k`` of ``numpy.random.SeedSequence(seed).spawn(draws)``,
so its value depends only on ``(seed, k)``: the serial, process-pool and
Dask backends return identical numbers.

Examples
--------
>>> from rmtheory.compare import verify
>>> report = verify("isotropic", n=30, gamma=2.0, w=[0.5, 1.0], lam=0.5, draws=4, seed=1,
...                 progress=False)
>>> report.draws_completed, len(report.records), round(report.records[0]["theory"], 6)
(4, 2, 0.802517)
"""
from dataclasses import dataclass, field
import json
import math
import numbers
import os
import threading
import warnings

import numpy as np

from .._validation import check_int, check_real
from ..montecarlo.conditional import ConditionalRisk, as_grid
from ..montecarlo.design import SPECTRUM_DEFAULTS, SPECTRA, check_problem, make_problem
from ..montecarlo import resources
from ..montecarlo.parallel import BackendError, check_backend, run_tasks
from ..montecarlo.progress import have_tqdm, progress_bar, show_progress
from ..montecarlo.simulate import simulate_retraining
from .verdict import (DEFAULT_LADDER, EXACT, EXTRAPOLATED, LIMIT, REFERENCES, exact_reference,
                      ladder as ladder_sizes, point_verdict)

__all__ = ["verify", "convergence_study", "VerificationReport", "ConvergenceStudy",
           "METHODS", "RECORD_FIELDS"]

#: How each draw's risk is obtained: the exact conditional risk given X,
#: or the literal retraining loop (mean of ``reps`` noise repetitions).
METHODS = ("exact", "simulate")

#: The keys of every record of a :class:`VerificationReport`, in order.
RECORD_FIELDS = ("spectrum", "n", "p", "gamma", "w", "lam", "t", "theory", "mc_mean",
                 "std_error", "ci_low", "ci_high", "z", "reference", "reference_value",
                 "reference_se", "verdict_z", "ns", "means_by_n", "std_errors_by_n", "passed")

#: For ``method="simulate"`` with ``t=None``: iterate until the slowest
#: transient, ``(1 − w)^T``, is below this.
STATIONARY_TOL = 1e-10
#: refuse a stationary simulation longer than this (give an integer ``t``)
MAX_STATIONARY_T = 100_000
#: the most draws, and noise repetitions per draw, that :func:`verify` accepts
MAX_DRAWS = 1_000_000
MAX_REPS = 1_000_000
#: the most entries of one realised matrix (``X`` is ``n × p``; ``Σ`` is a full
#: ``p × p`` for the models below): 8 GB of float64. Beyond it a run cannot
#: finish on any machine, so an absurd size (a typo such as ``n=10**9``) is
#: refused at once; below it, the memory and work of the whole run are
#: estimated and checked against this machine (:mod:`.resources`).
MAX_ENTRIES = 10**9
_DENSE_SIGMA = resources.DENSE_SIGMA


# ----------------------------------------------------------------------------
# one draw (module level: pickled to worker processes and Dask workers)


@dataclass(frozen=True)
class _DrawTask:
    spectrum: str
    n: int
    gamma: float
    r2: float
    params: dict
    w: tuple
    lam: tuple
    t: object
    sigma2: float
    kappa_s: float
    method: str
    reps: int
    T: int
    seed: np.random.SeedSequence


def _draw(task):
    """Risk of one draw on the ``(w, λ)`` grid, shape ``(len(w), len(lam))``."""
    rng = np.random.default_rng(task.seed)
    problem = make_problem(task.spectrum, n=task.n, gamma=task.gamma, r2=task.r2, rng=rng,
                           **task.params)
    ws, lams = np.asarray(task.w), np.asarray(task.lam)
    if task.method == "exact":
        cr = ConditionalRisk(problem.X, problem.beta, problem.Sigma)
        return np.asarray(cr.risk(ws[:, None], lams[None, :], task.sigma2, task.t,
                                  task.kappa_s), dtype=float).reshape(ws.size, lams.size)
    out = np.empty((ws.size, lams.size))
    for i, w in enumerate(ws):
        for j, lam in enumerate(lams):
            # only the risks at T are used: the loop keeps those alone (reps
            # floats, not reps × (T + 1)), and skips the risks before T
            risks = simulate_retraining(problem.X, problem.beta, Sigma=problem.Sigma, w=float(w),
                                        lam=float(lam), sigma2=task.sigma2, T=task.T,
                                        reps=task.reps, rng=rng, kappa_s=task.kappa_s,
                                        progress=False, _last_only=True)
            out[i, j] = risks.mean()
    return out


# ----------------------------------------------------------------------------
# the report


def _plain(value):
    """JSON-ready plain Python: tuples → lists, NumPy scalars → Python."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def format_number(x, digits=6, missing="inf"):
    """``x`` to ``digits`` significant digits for a table; ``None`` (a value
    that does not exist, e.g. the infinite theory at ``γ = 1``) prints as
    ``missing``."""
    if x is None:
        return missing
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    return f"{x:.{digits}g}"


_num = format_number     # short, for the table rows below



def _table(header, rows, right=True):
    """Columns padded to their widest cell."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    fmt = (lambda s, w: s.rjust(w)) if right else (lambda s, w: s.ljust(w))
    lines = ["  ".join(fmt(h, w) for h, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(fmt(c, w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


@dataclass(frozen=True)
class VerificationReport:
    r"""Theory against Monte Carlo on a ``(w, λ)`` grid.

    Attributes
    ----------
    records : list of dict
        One per grid point (``w`` outer, ``λ`` inner), with the keys of
        :data:`RECORD_FIELDS`: ``spectrum, n, p, gamma, w, lam, t`` (``None``
        for ``t → ∞``), ``theory`` (:func:`rmtheory.limiting_risk` at
        ``γ = p/n``), ``mc_mean``, ``std_error``, the 95% interval
        ``ci_low, ci_high`` (Student ``t`` with ``draws − 1`` degrees of
        freedom), ``z`` (the plain z at ``n`` against the limit:
        information, it also measures the ``O(1/n)`` finite-size gap), the
        verdict (:mod:`rmtheory.compare.verdict`): ``reference`` (``"exact
        finite-n"``, ``"extrapolated limit"`` or ``"limit"``),
        ``reference_value`` (what the mean was tested against) with its
        standard error ``reference_se``, ``verdict_z`` (normal scale), the
        sizes ``ns`` behind it with ``means_by_n`` and ``std_errors_by_n``,
        and ``passed`` (``|verdict_z| <= z_threshold``). With fewer than two
        completed draws the spread is unknown: ``std_error``, the interval
        and the z-scores are ``nan`` and ``passed`` is ``False``.
    params : dict
        Every setting of the run, defaults filled in (JSON-ready).
    draws_completed : int
        Draws that finished (all of them unless the run was cut short).
    complete : bool
        ``False`` if the run was interrupted or its backend failed; the
        statistics then use the completed draws only.
    samples : ndarray, shape (draws_completed, len(w), len(lam))
        The per-draw risks, in draw order.
    draw_indices : tuple of int
        Which draws (children of the seed) completed.
    failure : str or None
        Why the run stopped early when its backend failed (a worker process
        died, the Dask scheduler was lost, ...): one line, e.g. ``"a worker
        process died unexpectedly after 3 of 12 tasks (BrokenProcessPool:
        ...)"``. ``None`` for a complete run and for an interrupted one
        (then ``complete`` is ``False``; see :attr:`interrupted`).
    ladder_reports : tuple of VerificationReport
        The runs at the smaller sizes of the extrapolation (not serialised:
        their means are in each record).

    Examples
    --------
    >>> import json
    >>> from rmtheory.compare import VerificationReport, verify
    >>> rep = verify(n=20, gamma=2.0, w=0.618, lam=0.0, draws=3, seed=0, progress=False)
    >>> sorted(rep.to_records()[0]) == sorted(["spectrum", "n", "p", "gamma", "w", "lam", "t",
    ...     "theory", "mc_mean", "std_error", "ci_low", "ci_high", "z", "reference",
    ...     "reference_value", "reference_se", "verdict_z", "ns", "means_by_n",
    ...     "std_errors_by_n", "passed"])
    True
    >>> VerificationReport.from_json(rep.to_json()).records == rep.records
    True
    """
    records: list
    params: dict
    draws_completed: int
    complete: bool = True
    samples: np.ndarray = field(default=None, repr=False, compare=False)
    draw_indices: tuple = ()
    failure: str = None
    ladder_reports: tuple = field(default=(), repr=False, compare=False)

    @property
    def interrupted(self):
        """The run was stopped by ``KeyboardInterrupt`` (incomplete, no failure)."""
        return not self.complete and self.failure is None

    @property
    def all_passed(self):
        """Every grid point passes its verdict, ``|verdict_z| <= z_threshold``
        (the report may be incomplete: check :attr:`complete` as well)."""
        return bool(self.records) and all(r["passed"] for r in self.records)

    @property
    def z_scores(self):
        """The plain z-scores at ``n`` against the limit (information),
        shape ``(len(w), len(lam))``."""
        return np.array([r["z"] for r in self.records]).reshape(len(self.params["w"]),
                                                              len(self.params["lam"]))

    @property
    def verdict_z_scores(self):
        """The verdict z-scores (against each point's reference), shape
        ``(len(w), len(lam))``."""
        return np.array([r.get("verdict_z", r["z"]) for r in self.records]).reshape(
            len(self.params["w"]), len(self.params["lam"]))

    def to_records(self):
        """The records as a new list of plain dicts (no DataFrame needed)."""
        return [dict(r) for r in self.records]

    def to_json(self, indent=None):
        """A JSON document with ``params``, ``draws_completed``, ``complete``,
        ``failure``, ``draw_indices``, ``records`` and ``samples``."""
        doc = {"params": self.params, "draws_completed": self.draws_completed,
               "complete": self.complete, "failure": self.failure,
               "draw_indices": list(self.draw_indices), "records": self.records,
               "samples": None if self.samples is None else self.samples.tolist()}
        return json.dumps(_plain(doc), indent=indent)

    @classmethod
    def from_json(cls, text):
        """Rebuild a report written by :meth:`to_json`."""
        doc = json.loads(text)
        samples = doc.get("samples")
        return cls(records=doc["records"], params=doc["params"],
                   draws_completed=doc["draws_completed"], complete=doc["complete"],
                   samples=None if samples is None else np.asarray(samples, dtype=float),
                   draw_indices=tuple(doc.get("draw_indices", ())), failure=doc.get("failure"))

    def __str__(self):
        p = self.params
        t = "inf" if p["t"] is None else p["t"]
        extra = "".join(f", {k}={v}" for k, v in p["spectrum_params"].items())
        status = ("" if self.complete else "  [INTERRUPTED]" if self.failure is None
                  else "  [INCOMPLETE: backend failed]")
        head = (f"verify {p['spectrum']}{extra}: n={p['n']}, p={p['p']} (gamma={p['gamma']:g}), "
                f"t={t}, sigma2={p['sigma2']:g}, r2={p['r2']:g}, kappa_s={p['kappa_s']:g}, "
                f"method={p['method']}, draws={self.draws_completed}/{p['draws']}, "
                f"seed={p['seed']}{status}")
        def _z(x):
            return "nan" if x is None or math.isnan(x) else f"{x:+.2f}"
        rows = [[f"{r['w']:.6g}", f"{r['lam']:.6g}", _num(r["theory"], 8), _num(r["mc_mean"], 8),
                 _num(r["std_error"], 3), f"[{_num(r['ci_low'], 7)}, {_num(r['ci_high'], 7)}]",
                 _z(r["z"]), r.get("reference", "limit"),
                 _num(r.get("reference_value", r["theory"]), 8)
                 + (f" ± {_num(r['reference_se'], 2)}" if r.get("reference_se") else ""),
                 _z(r.get("verdict_z", r["z"])),
                 "yes" if r["passed"] else "NO"] for r in self.records]
        table = _table(["w", "lam", "theory", "MC mean", "std err", "95% CI", "z at n",
                        "reference", "tested against", "verdict z", "pass"], rows)
        ns = p.get("ns", [p["n"]])
        verdict = (f"{sum(r['passed'] for r in self.records)}/{len(self.records)} points "
                   f"within {p['z_threshold']:g} standard errors of their reference (the "
                   f"verdict z; z at n: the plain z against the limit, information only"
                   + (f"; extrapolated limit: fit R(n) = R_inf + b/n over n = "
                      f"{', '.join(map(str, ns))}" if len(ns) > 1 else "") + ")")
        failed = "" if self.failure is None else f"\nfailed: {self.failure}"
        return f"{head}\n{table}\n{verdict}{failed}"

    def __repr__(self):
        p = self.params
        return (f"VerificationReport(spectrum={p['spectrum']!r}, n={p['n']}, "
                f"points={len(self.records)}, draws={self.draws_completed}/{p['draws']}, "
                f"all_passed={self.all_passed}, complete={self.complete}"
                + ("" if self.failure is None else f", failure={self.failure!r}") + ")")


def _summarise(samples, theory, base, ws, lams, z_threshold):
    """Records from per-draw risks ``samples`` (K, nw, nl) and theory (nw, nl)."""
    from scipy.stats import t as student_t
    K = samples.shape[0]
    mean = samples.mean(axis=0)
    if K >= 2:
        se = samples.std(axis=0, ddof=1) / math.sqrt(K)
        half = float(student_t.ppf(0.975, K - 1)) * se
    else:
        se = np.full(mean.shape, np.nan)
        half = se
    records = []
    for i, w in enumerate(ws):
        for j, lam in enumerate(lams):
            m, s, th = float(mean[i, j]), float(se[i, j]), float(theory[i, j])
            if math.isnan(s):
                z = math.nan
            elif s > 0:
                z = (m - th) / s
            else:
                z = 0.0 if m == th else math.copysign(math.inf, m - th)
            records.append(dict(base, w=float(w), lam=float(lam), theory=th, mc_mean=m,
                                std_error=s, ci_low=m - float(half[i, j]),
                                ci_high=m + float(half[i, j]), z=z,
                                passed=bool(abs(z) <= z_threshold)))
    return [{k: r[k] for k in RECORD_FIELDS if k in r} for r in records]


# ----------------------------------------------------------------------------
# verify


def _seed_sequence(seed, name="seed"):
    """A fresh :class:`numpy.random.SeedSequence` (its spawn counter at 0)."""
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key,
                                      pool_size=seed.pool_size)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be an int >= 0, a numpy.random.SeedSequence or None, "
                        f"received {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"{name} must be an int >= 0, received {seed}")
    return np.random.SeedSequence(int(seed))


def _seed_record(ss):
    if not ss.spawn_key:
        return ss.entropy
    return {"entropy": ss.entropy, "spawn_key": list(ss.spawn_key)}


def _grid(value, name, **bounds):
    arr = as_grid(value, name, **bounds)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a number or a 1-D sequence, received shape {arr.shape}")
    arr = np.atleast_1d(arr)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return tuple(float(x) for x in arr)


def _check_size(spectrum, n, gamma, p):
    """Refuse a design no machine can hold (see :data:`MAX_ENTRIES`), naming
    the argument that makes it large."""
    entries = n * p + (p * p if spectrum in _DENSE_SIGMA else 0)
    if entries > MAX_ENTRIES:
        # n is the culprit when it is too large even at p = n
        name, value = ("n", n) if n * n > MAX_ENTRIES else ("gamma", gamma)
        raise ValueError(f"{name} too large: n = {n}, p = round(gamma*n) = {p} need "
                         f"{entries:.3g} matrix entries (at most {MAX_ENTRIES:.0e}), "
                         f"received {name}={value}")


def _stationary_T(w_min):
    q = 1.0 - w_min
    if q <= 0:
        return 1
    T = math.ceil(math.log(STATIONARY_TOL) / math.log(q))
    if T > MAX_STATIONARY_T:
        raise ValueError(f"t=None with method='simulate' needs T = {T} refits for w = {w_min} "
                         f"(more than {MAX_STATIONARY_T}); give an integer t")
    return max(T, 1)


def _check_progress(progress):
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None, received {progress!r}")
    return progress


@dataclass(frozen=True)
class _Plan:
    """What a run will take: worker processes (1 unless ``"processes"``), the
    estimated peak memory in bytes on this machine, and the operations."""
    workers: int
    memory: int
    flops: float


def _plan(spectrum, resolved, *, n, gamma, p, grid_w, grid_lam, draws, method, reps, T, t,
          backend, max_workers):
    """Estimate and check the memory and work of a run; return a :class:`_Plan`.

    Per draw (floats, :mod:`.resources`): the larger of drawing the problem
    and working on it (``X``, ``Σ`` and the exact route or the literal
    loop); the parent keeps every draw's grid twice (the results and their
    stack). ``"processes"`` holds one draw per worker process at a time, so
    its peak is ``workers × (draw + WORKER_OVERHEAD)``; without
    ``max_workers`` the workers are as many as fit (at most the cores).
    ``"dask"`` draws run on the workers' memory, which is theirs to manage:
    only the parent's share is checked here. The work cap is per worker.

    Raises
    ------
    ValueError
        A run that does not fit (``"<argument> too large for the memory:
        ..."``) or exceeds the work cap (``"<argument> too large: ..."``).
    """
    grid = grid_w * grid_lam
    kind = resources.sigma_kind(spectrum, resolved)
    sigma_floats = p * p if kind == "dense" else p

    def per_draw(n_, p_):
        made = resources.problem_floats(n_, p_, kind)
        if method == "exact":
            work = resources.conditional_floats(n_, p_, kind, grid)
        else:
            work = resources.simulate_floats(n_, p_, T, reps, dense=kind == "dense", keep=reps)
        return 8 * max(made, n_ * p_ + sigma_floats + work)

    def flops_per_draw(n_, p_):
        flops = resources.problem_flops(spectrum, n_, p_, kind)
        if method == "exact":
            return flops + resources.conditional_flops(n_, p_, kind, grid)
        return flops + grid * resources.simulate_flops(n_, p_, T, reps)

    draw_bytes = per_draw(n, p)
    parent_bytes = 8 * 2 * draws * grid
    grid_bytes = 8 * 4 * grid * min(n, p) if method == "exact" else 0
    cores = os.cpu_count() or 1
    if backend == "processes":
        workers = min(max_workers or cores, draws)
        overhead = resources.WORKER_OVERHEAD
    else:
        workers, overhead = 1, 0
    local = draw_bytes if backend != "dask" else 0
    needed = workers * (local + overhead) + parent_bytes
    limit, _ = resources.memory_limit()
    if (limit is not None and needed > limit and backend == "processes" and max_workers is None
            and local + overhead + parent_bytes <= limit):
        # fewer processes, each with room for its draw: same numbers, later
        workers = max(1, (limit - parent_bytes) // (local + overhead))
        needed = workers * (local + overhead) + parent_bytes
    # the argument to change: the one whose share of the estimate is largest
    one_worker = local + overhead + parent_bytes
    if backend == "processes" and max_workers is not None and limit is not None \
            and one_worker <= limit < needed:
        fit = max(1, (limit - parent_bytes) // (local + overhead))
        name, advice = "max_workers", f"use max_workers <= {fit}"
    else:
        shares = {"draws": parent_bytes, "w": workers * grid_bytes,
                  "n": workers * (local + overhead - grid_bytes)}
        name = max(shares, key=shares.get)
        advice = {"draws": "lower draws or the number of (w, lam) points",
                  "w": "use fewer (w, lam) points", "n": "lower n"}[name]
        at_p_n = workers * (per_draw(n, n) + overhead) + parent_bytes
        if name == "n" and limit is not None and at_p_n <= limit:
            name, advice = "gamma", "lower gamma or n"    # fits at p = n (as _check_size)
    where = {"serial": "in this process", "processes": f"{workers} worker processes",
             "dask": "in this process (the draws' memory is the Dask workers')"}[backend]
    resources.check_memory(
        needed, name=name, what=f"verify with n={n}, p=round(gamma*n)={p}, method={method!r}"
                                + (f", reps={reps}" if method == "simulate" else ""),
        detail=(f"{resources.format_bytes(local)} per draw {where}" if backend != "dask" else
                where) + f", {resources.format_bytes(parent_bytes)} for {draws} draws "
                         f"x {grid} grid points",
        advice=advice)

    one = flops_per_draw(n, p)
    flops = draws * one
    if method == "simulate":
        size = {"t": T, "reps": reps, "draws": draws}
        name = max(size, key=size.get)
        detail = (f"draws={draws} x {grid} grid points x reps={reps} x T={T} refits at n={n}, "
                  f"p={p}")
        advice = "lower t, reps or draws"
    else:
        name = "draws" if one <= resources.MAX_FLOPS else "n"
        detail = f"draws={draws} x {one:.2g} per draw at n={n}, p={p}"
        advice = "lower draws" if name == "draws" else "lower n or gamma"
    resources.check_work(flops, name=name, what=f"verify method={method!r}", detail=detail,
                         advice=advice, workers=workers)
    return _Plan(workers=int(workers), memory=int(needed), flops=float(flops))


def _verify_at(spectrum="isotropic", *, n, gamma, w, lam, t=None, draws, seed, sigma2=1.0,
               r2=1.0, kappa_s=1.0, method="exact", reps=100, z_threshold=3.0,
               backend="serial", max_workers=None, client=None, address=None, blas_threads=1,
               progress=None, _on_draw=None, _check_only=False, **params):
    r"""One size of :func:`verify`: the limit theory beside the Monte Carlo
    mean over ``draws`` designs at ``n``, with the plain per-point z
    ``(R̄ − R_theory)/(s_R/√K)`` (``K`` the completed draws) and no verdict.

    The arguments, their ranges and the errors are :func:`verify`'s, which
    documents them; every one is checked here before any computation, and
    the memory and work of the run are refused up front if too large
    (``_check_only``: return that plan without simulating). The theory is
    :func:`rmtheory.limiting_risk` at the realised aspect ratio ``p/n``
    (``p = round(γn)``) with the realised problem's spectrum parameters,
    rounded to a float from ``dps = 15``. ``_on_draw`` is called after each
    completed draw (tests use it to interrupt). Returns a
    :class:`VerificationReport`, whose records :func:`verify` then gives
    their verdicts.
    """
    # every check before the first computation (the theory, then the draws)
    if not isinstance(spectrum, str):
        raise TypeError(f"spectrum must be a str, one of {list(SPECTRA)}, received "
                        f"{type(spectrum).__name__} {spectrum!r}")
    if spectrum not in SPECTRUM_DEFAULTS:
        raise ValueError(f"spectrum must be one of {list(SPECTRA)}, received {spectrum!r}")
    n = check_int("n", n, low=2)
    gamma = float(check_real("gamma", gamma, low=0, low_open=True))
    p = int(round(gamma * n))
    if p < 1:
        raise ValueError(f"gamma must give p = round(gamma*n) >= 1, received gamma={gamma}, n={n}")
    _check_size(spectrum, n, gamma, p)
    ws = _grid(w, "w", low=0, low_open=True, high=1)
    lams = _grid(lam, "lam", low=0, low_open=False)
    if t is not None:
        t = check_int("t", t, low=0)
    draws = check_int("draws", draws, low=2, high=MAX_DRAWS)
    root = _seed_sequence(seed)
    sigma2 = float(check_real("sigma2", sigma2, low=0, low_open=True))
    r2 = float(check_real("r2", r2, low=0, low_open=True))
    kappa_s = float(check_real("kappa_s", kappa_s, low=0))
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}, received {method!r}")
    reps = check_int("reps", reps, low=1, high=MAX_REPS)
    if method == "simulate" and t is not None and t > MAX_STATIONARY_T:
        raise ValueError(f"t must be <= {MAX_STATIONARY_T} with method='simulate' (one refit "
                         f"per step), received {t}")
    z_threshold = float(check_real("z_threshold", z_threshold, low=0, low_open=True))
    backend = check_backend(backend, client=client, address=address, max_workers=max_workers)
    if blas_threads is not None:
        blas_threads = check_int("blas_threads", blas_threads, low=1)
    progress = _check_progress(progress)
    if _on_draw is not None and not callable(_on_draw):
        raise TypeError(f"_on_draw must be callable, received {_on_draw!r}")
    # the spectrum parameters as the draws will realise them (e.g. a spiked
    # model needs p > number of spikes): checked now, not at the first draw
    resolved = check_problem(spectrum, n=n, gamma=gamma, r2=r2, **params)[1]
    T = (t if t is not None else _stationary_T(min(ws))) if method == "simulate" else None
    # this machine: the memory and the work of the whole run
    plan = _plan(spectrum, resolved, n=n, gamma=gamma, p=p, grid_w=len(ws), grid_lam=len(lams),
                 draws=draws, method=method, reps=reps, T=T, t=t, backend=backend,
                 max_workers=max_workers)
    task_resources = None
    if backend == "dask":      # the workers' memory too, before any draw
        task_resources = resources.check_dask_memory(
            resources.draw_bytes(spectrum, resolved, n, p, method=method,
                                 grid=len(ws) * len(lams), T=T or 0, reps=reps),
            client=client, address=address, what=f"verify with n={n}, p={p}, method={method!r}")
    if _check_only:
        return plan

    theory = _theory(spectrum, resolved, ws, lams, p / n, t, sigma2, r2, kappa_s)

    spawned = root.spawn(draws)
    tasks = [_DrawTask(spectrum, n, gamma, r2, dict(params), ws, lams, t, sigma2, kappa_s,
                       method, reps, T, child) for child in spawned]
    if method == "exact" and backend == "processes":
        _warm_caches()   # forked workers inherit the lambdified multipliers
    results = {}
    failure = None
    bar = progress_bar(progress, plan.flops, draws, f"verify {spectrum} n={n}", "draw")
    runner = run_tasks(_draw, tasks, backend=backend,
                       max_workers=plan.workers if backend == "processes" else None,
                       client=client,
                       address=address, blas_threads=blas_threads,
                       task_resources=task_resources)
    try:
        for index, value in runner:
            results[index] = value
            bar.update(1)
            if _on_draw is not None:
                _on_draw(len(results), index)
        complete = True
    except KeyboardInterrupt as exc:
        complete = False
        if not results:
            # nothing to report: the interruption itself, saying so on one line
            raise KeyboardInterrupt(f"verify interrupted before the first of {draws} draws "
                                    f"completed") from exc
    except BackendError as exc:
        complete = False
        failure = str(exc)          # one line (BackendError joins its lines)
        if not results:
            raise
    finally:
        runner.close()
        bar.close()
    if failure is not None:
        warnings.warn(f"verify stopped after {len(results)} of {draws} draws: {failure}; "
                      f"the report uses the completed draws (complete=False)",
                      RuntimeWarning, stacklevel=2)
    elif not complete:
        warnings.warn(f"verify interrupted after {len(results)} of {draws} draws; "
                      f"the report uses the completed draws (complete=False)",
                      RuntimeWarning, stacklevel=2)

    order = tuple(sorted(results))
    samples = np.stack([results[k] for k in order])
    run_params = _plain(dict(spectrum=spectrum, n=n, p=p, gamma=gamma, w=ws, lam=lams, t=t,
                             sigma2=sigma2, r2=r2, kappa_s=kappa_s, spectrum_params=resolved,
                             method=method, reps=reps if method == "simulate" else None,
                             T=T, draws=draws, seed=_seed_record(root), backend=backend,
                             blas_threads=blas_threads, z_threshold=z_threshold))
    base = dict(spectrum=spectrum, n=n, p=p, gamma=gamma, t=t)
    records = _summarise(samples, theory, base, ws, lams, z_threshold)
    return VerificationReport(records=records, params=run_params, draws_completed=len(order),
                              complete=complete, samples=samples, draw_indices=order,
                              failure=failure)


def verify(spectrum="isotropic", *, n, gamma, w, lam, t=None, draws, seed, sigma2=1.0,
           r2=1.0, kappa_s=1.0, method="exact", reps=100, z_threshold=3.0,
           backend="serial", max_workers=None, client=None, address=None, blas_threads=1,
           progress=None, reference="auto", ladder=DEFAULT_LADDER, _on_draw=None,
           _check_only=False, **params):
    r"""Test :func:`rmtheory.limiting_risk` against finite-n Monte Carlo, with a
    calibrated verdict per grid point and no tolerance rule.

    For each of ``draws`` independent problems (``make_problem(spectrum,
    n=n, gamma=gamma, r2=r2, **params)``, seeded by child ``k`` of
    ``SeedSequence(seed)``) the risk at every ``(w, λ)`` is the exact
    conditional risk ``E[‖β̂_t − β‖²_Σ | X]`` (``method="exact"``, one Gram
    eigendecomposition per draw) or the literal retraining loop averaged
    over ``reps`` noise repetitions (``method="simulate"``, at iteration
    ``t``; ``t=None``: the first ``T`` with ``(1 − min w)^T < 10⁻¹⁰``).
    Each record keeps the plain ``z = (R̄ − R_theory)/se`` at ``n`` as
    information; the verdict (:mod:`rmtheory.compare.verdict`) is

    - ``"exact finite-n"`` where the finite-n expectation is exact
      (isotropic Gaussian designs, ``λ = 0``, ``|p − n| > 1``):
      ``z = (R̄ − E[R_t])/se``;
    - ``"extrapolated limit"`` elsewhere: the same design at the sizes
      ``round(f n)``, ``f ∈ ladder`` (default ``n/4, n/2, n``), the gaps
      ``R̄(n_i) − R_theory(p_i/n_i)`` fitted by ``g∞ + b/n`` with the
      standard errors as weights, ``z = ĝ∞/se(ĝ∞)``
      (:func:`rmtheory.compare.extrapolate.fit_limit`); the record's
      ``reference_value`` is the extrapolated limit ``R_theory + ĝ∞``
      with standard error ``reference_se``;

    both on the normal scale (Student t mapped to the normal quantile), and
    ``passed`` is ``|verdict_z| <= z_threshold``. Over many points of a
    right theory the verdict z-scores are ``N(0, 1)``
    (:func:`rmtheory.compare.calibration.calibration`).

    Parameters
    ----------
    spectrum, n, gamma, w, lam, t, draws, seed, sigma2, r2, kappa_s, method, reps
        The model and the Monte Carlo: a model of
        :data:`rmtheory.montecarlo.SPECTRA`; ``n >= 2``; ``γ = p/n > 0``
        (``p = round(γn)``); weights in ``(0, 1]`` and penalties ``>= 0``
        (the grid is their product); refits (``None``: ``t → ∞``); draws in
        ``[2, MAX_DRAWS]``; a root seed (int, ``SeedSequence`` or ``None``);
        ``σ² > 0``, ``r² > 0``, ``κ_s >= 0``; ``"exact"`` or
        ``"simulate"`` with ``reps`` repetitions.
    z_threshold : float
        A point passes when ``|verdict_z| <= z_threshold`` (default 3).
    backend, max_workers, client, address, blas_threads, progress
        Where and how the draws run: ``"serial"``, ``"processes"`` or
        ``"dask"`` (see :func:`rmtheory.montecarlo.parallel.run_tasks`).
    reference : {"auto", "exact finite-n", "extrapolated limit", "limit"}
        ``"auto"``: exact where it exists, else extrapolated. ``"limit"``:
        the plain z at ``n`` is the verdict (one size; it also measures the
        ``O(1/n)`` finite-size gap).
    ladder : sequence of float
        Fractions of ``n`` run for the extrapolation, increasing, the last
        ``1``; their sizes must be distinct and ``>= 2``.
    **params
        Spectrum parameters (:data:`rmtheory.montecarlo.SPECTRUM_DEFAULTS`).

    Returns
    -------
    VerificationReport
        The run at ``n`` (``samples``, ``draw_indices``) with the verdicts;
        the other sizes in ``ladder_reports``. A run cut short keeps its
        completed draws (``complete=False``, a ``RuntimeWarning``); if that
        happens before the other sizes are complete, the verdict falls back
        to the plain z (``reference = "limit"``).

    Raises
    ------
    ValueError, TypeError
        A bad argument, for any of the sizes, before the first computation;
        the message names it. Runs that would not fit in the memory or the
        work cap are refused likewise (:mod:`rmtheory.montecarlo.resources`).
    ConnectionError, KeyboardInterrupt, rmtheory.montecarlo.parallel.BackendError
        As the backend: no scheduler, or cut short before the first draw.

    Examples
    --------
    >>> from rmtheory.compare import verify
    >>> rep = verify("isotropic", n=40, gamma=2.0, w=[0.3, 0.618, 1.0], lam=0.0, draws=5,
    ...              seed=3, progress=False)
    >>> [round(r["theory"], 6) for r in rep.records]     # 1/2 + c(w)/(γ − 1)
    [1.637255, 1.118034, 1.5]
    >>> [round(r["reference_value"], 6) for r in rep.records]   # E[B0] + c(w) E[V0]
    [1.666415, 1.133881, 1.525641]
    >>> rep.records[0]["reference"], rep.draws_completed, rep.complete
    ('exact finite-n', 5, True)
    """
    if not isinstance(reference, str) or reference not in REFERENCES:
        raise ValueError(f"reference must be one of {list(REFERENCES)}, received {reference!r}")
    if isinstance(ladder, (str, bytes)) or not hasattr(ladder, "__iter__"):
        raise TypeError(f"ladder must be a sequence of fractions of n, received {ladder!r}")
    ladder = tuple(float(check_real(f"ladder[{i}]", f, low=0, low_open=True, high=1))
                   for i, f in enumerate(ladder))
    if len(ladder) < 2 or ladder[-1] != 1.0 or any(b <= a for a, b in zip(ladder, ladder[1:])):
        raise ValueError(f"ladder must hold at least two increasing fractions of n ending with "
                         f"1, received {ladder}")
    common = dict(gamma=gamma, w=w, lam=lam, t=t, draws=draws, sigma2=sigma2, r2=r2,
                  kappa_s=kappa_s, method=method, reps=reps, z_threshold=z_threshold,
                  backend=backend, max_workers=max_workers, client=client, address=address,
                  blas_threads=blas_threads, **params)
    # every argument checked (and the run planned) before any computation
    plan = _verify_at(spectrum, n=n, seed=seed, progress=progress, _check_only=True, **common)
    n = int(n)
    p = int(round(float(gamma) * n))
    ws = _grid(w, "w", low=0, low_open=True, high=1)
    lams = _grid(lam, "lam", low=0, low_open=False)
    refs, exact = [], []
    for w_ in ws:
        for lam_ in lams:
            value = None
            if reference in ("auto", EXACT):
                value = exact_reference(spectrum, w=w_, lam=lam_, n=n, p=p, t=t,
                                        sigma2=float(sigma2), r2=float(r2),
                                        kappa_s=float(kappa_s))
            if reference == EXACT and value is None:
                raise ValueError(f"reference='{EXACT}' exists for spectrum='isotropic', lam=0 "
                                 f"and |p - n| > 1 only, received spectrum={spectrum!r}, "
                                 f"lam={lam_}, n={n}, p={p}")
            exact.append(value)
            refs.append(EXACT if value is not None else
                        LIMIT if reference == LIMIT else EXTRAPOLATED)
    sizes = ladder_sizes(n, ladder) if EXTRAPOLATED in refs else (n,)
    plans = [_verify_at(spectrum, n=n_i, seed=0, progress=False, _check_only=True, **common)
             for n_i in sizes[:-1]]
    if _check_only:
        return _Plan(workers=plan.workers, memory=max([plan.memory] + [q.memory for q in plans]),
                     flops=plan.flops + sum(q.flops for q in plans))

    # one root for every size (seed=None: fresh entropy, recorded in params)
    root = _seed_sequence(seed)
    main = _verify_at(spectrum, n=n, seed=root, progress=progress, _on_draw=_on_draw, **common)
    smaller, complete, failure = [], main.complete, main.failure
    if complete and len(sizes) > 1:
        for k, n_i in enumerate(sizes[:-1]):
            # streams beyond every draw index of the main run: independent of it
            child = np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key)
                                           + (MAX_DRAWS + k,), pool_size=root.pool_size)
            try:
                rep = _verify_at(spectrum, n=n_i, seed=child, progress=progress,
                                 _on_draw=_on_draw, **common)
            except (KeyboardInterrupt, BackendError) as exc:
                complete = False
                failure = None if isinstance(exc, KeyboardInterrupt) else str(exc)
                warnings.warn(f"verify stopped at the extrapolation size n={n_i}: "
                              f"{failure or 'interrupted'}; the verdicts fall back to the plain "
                              f"z at n={n}", RuntimeWarning, stacklevel=2)
                break
            if not rep.complete:
                complete, failure = False, rep.failure
                break
            smaller.append(rep)
    extrapolate = complete and len(smaller) == len(sizes) - 1
    reports = smaller + [main]
    records = []
    for j, r in enumerate(main.records):
        ref = refs[j] if (refs[j] != EXTRAPOLATED or extrapolate) else LIMIT
        used = reports if ref == EXTRAPOLATED else [main]
        th = r["theory"]
        ns_j = [rep.params["n"] for rep in used]
        means = [rep.records[j]["mc_mean"] for rep in used]
        ses = [rep.records[j]["std_error"] for rep in used]
        counts = [rep.draws_completed for rep in used]
        # the gap to each size's own theory (p_i/n_i may differ from p/n), moved to this theory
        shifted = [m - rep.records[j]["theory"] + th for m, rep in zip(means, used)]
        if not all(math.isfinite(x) for x in shifted + [th]):
            kind, value, z, fit = ref, math.nan, math.nan, None
        else:
            kind, value, z, fit = point_verdict(ref, theory=th, ns=ns_j, means=shifted, ses=ses,
                                                draws=counts, exact=exact[j])
        out = dict(r, reference=kind, reference_value=value,
                   reference_se=fit.limit_se if fit is not None else 0.0,
                   verdict_z=z, ns=ns_j, means_by_n=means, std_errors_by_n=ses,
                   passed=bool(abs(z) <= float(z_threshold)))
        records.append({k: out[k] for k in RECORD_FIELDS})
    run_params = dict(main.params, reference=reference, ladder=list(ladder),
                      ns=list(sizes) if extrapolate else [n])
    return VerificationReport(records=records, params=_plain(run_params),
                              draws_completed=main.draws_completed, complete=complete,
                              samples=main.samples, draw_indices=main.draw_indices,
                              failure=failure, ladder_reports=tuple(smaller))


def _theory(spectrum, resolved, ws, lams, gamma_n, t, sigma2, r2, kappa_s):
    """``limiting_risk`` on the grid, as floats, with the spectrum parameters
    the numeric layer knows (``directions`` of the spiked model is only a
    choice of eigenvectors: it does not change ``H`` or ``G``)."""
    from ..api import limiting_risk
    from ..numeric.spectra import SPECTRUM_DEFAULTS as THEORY_DEFAULTS
    known = THEORY_DEFAULTS[spectrum]
    theory_params = {k: v for k, v in resolved.items() if k in known}
    # the sizes of one extrapolation share their theory (same p/n): computed once
    key = (spectrum, repr(sorted(theory_params.items())), tuple(ws), tuple(lams),
           float(gamma_n), t, float(sigma2), float(r2), float(kappa_s))
    with _THEORY_LOCK:
        hit = _THEORY_CACHE.get(key)
    if hit is not None:
        return hit.copy()
    out = np.empty((len(ws), len(lams)))
    for i, w in enumerate(ws):
        for j, lam in enumerate(lams):
            out[i, j] = float(limiting_risk(w, spectrum, gamma=gamma_n, lam=lam, sigma2=sigma2,
                                            r2=r2, t=t, dps=15, kappa_s=kappa_s,
                                            **theory_params))
    with _THEORY_LOCK:
        _THEORY_CACHE[key] = out.copy()
        while len(_THEORY_CACHE) > _THEORY_CACHE_SIZE:     # bounded, oldest out first
            _THEORY_CACHE.pop(next(iter(_THEORY_CACHE)))
    return out


_THEORY_CACHE = {}
_THEORY_CACHE_SIZE = 64
_THEORY_LOCK = threading.Lock()


def _warm_caches():
    from ..montecarlo.conditional import _multipliers
    _multipliers()


# ----------------------------------------------------------------------------
# convergence over n


@dataclass(frozen=True)
class ConvergenceStudy:
    r"""The gap between Monte Carlo and theory over increasing ``n``.

    Attributes
    ----------
    reports : tuple of VerificationReport
        One per ``n``.
    ns : tuple of int
    slopes : list of dict
        Per grid point ``(w, lam)``: ``slope`` and ``intercept`` of the
        least-squares line ``log|gap| = intercept + slope · log n``.
    slope : float
        The same fit for the grid-averaged ``|gap|`` (the one number to
        quote; ``-1`` is the ``O(1/n)`` rate of the finite-n bias).
    intercept : float
        Its intercept.
    seed : int or dict
        The root seed (report ``i`` used child ``i`` of it).
    complete : bool
        ``False`` if the study stopped early (an interruption or a failed
        backend): ``reports`` and ``ns`` then hold the sizes run so far, the
        last of them possibly incomplete, and the fits use those (``nan``
        with fewer than two).
    failure : str or None
        What failed (one line), as :attr:`VerificationReport.failure`.
    """
    reports: tuple
    ns: tuple
    slopes: list
    slope: float
    intercept: float
    seed: object = None
    complete: bool = True
    failure: str = None

    def to_records(self):
        """Per ``n`` and grid point: ``n, w, lam, theory, mc_mean, gap,
        abs_gap, std_error, z``."""
        out = []
        for n, rep in zip(self.ns, self.reports):
            for r in rep.records:
                gap = r["mc_mean"] - r["theory"]
                out.append(dict(n=n, w=r["w"], lam=r["lam"], theory=r["theory"],
                                mc_mean=r["mc_mean"], gap=gap, abs_gap=abs(gap),
                                std_error=r["std_error"], z=r["z"]))
        return out

    def to_json(self, indent=None):
        return json.dumps(_plain({"ns": self.ns, "seed": self.seed, "slope": self.slope,
                                  "intercept": self.intercept, "slopes": self.slopes,
                                  "complete": self.complete, "failure": self.failure,
                                  "records": self.to_records(),
                                  "params": self.reports[0].params if self.reports else {}}),
                          indent=indent)

    def __str__(self):
        rows = [[str(r["n"]), f"{r['w']:.6g}", f"{r['lam']:.6g}", _num(r["theory"], 8),
                 _num(r["mc_mean"], 8), _num(r["abs_gap"], 3), _num(r["std_error"], 3),
                 f"{r['z']:+.2f}"] for r in self.to_records()]
        table = _table(["n", "w", "lam", "theory", "MC mean", "|gap|", "std err", "z"], rows)
        p = self.reports[0].params
        status = ("" if self.complete else "  [INTERRUPTED]" if self.failure is None
                  else "  [INCOMPLETE: backend failed]")
        head = (f"convergence {p['spectrum']}: gamma={p['gamma']:g}, t="
                f"{'inf' if p['t'] is None else p['t']}, draws={p['draws']}, "
                f"seed={self.seed}{status}")
        fits = "\n".join(f"slope of log|gap| vs log n at w={s['w']:.6g}, lam={s['lam']:.6g}: "
                         f"{s['slope']:+.3f}" for s in self.slopes)
        failed = "" if self.failure is None else f"\nfailed: {self.failure}"
        return (f"{head}\n{table}\n{fits}\nslope of the grid-mean |gap|: {self.slope:+.3f}"
                f"{failed}")


def _loglog(ns, gaps):
    gaps = np.asarray(gaps, dtype=float)
    if len(ns) < 2 or np.any(gaps <= 0) or not np.all(np.isfinite(gaps)):
        return math.nan, math.nan
    slope, intercept = np.polyfit(np.log(ns), np.log(gaps), 1)
    return float(slope), float(intercept)


def convergence_study(spectrum="isotropic", *, ns, gamma, w, lam, draws, seed, t=None,
                      progress=None, **kwargs):
    r"""Run :func:`verify` at each ``n`` in ``ns`` and fit how the gap shrinks.

    With ``gap(n) = mean over draws − limiting risk``, the fit is

    .. math::

        \log|\text{gap}(n)| = a + b \log n ,

    by least squares over ``ns``. The finite-n bias of the mean is
    ``O(1/n)`` (slope ``b = −1``); the Monte Carlo error of the mean is of
    order ``se`` (for a random ``β`` it is ``O(n^{-1/2}/\sqrt{draws})``), so
    the fitted slope approaches ``−1`` only when the draws make ``se``
    small against the bias. Report seeds: child ``i`` of
    ``SeedSequence(seed).spawn(len(ns))`` for ``ns[i]``.

    Parameters
    ----------
    ns : sequence of int
        At least two distinct sample sizes, increasing.
    gamma, w, lam, draws, seed, t, progress, **kwargs
        As for :func:`verify` (``kwargs`` may hold ``sigma2``, ``r2``,
        ``kappa_s``, ``method``, ``backend`` ... and spectrum parameters).

    Returns
    -------
    ConvergenceStudy
        If a run is cut short (``KeyboardInterrupt``, or a failed backend:
        see :func:`verify`), the study stops there with ``complete=False``
        and the sizes run so far, the cut-short one included when it has a
        completed draw; nothing is thrown away.

    Raises
    ------
    ValueError, TypeError
        As :func:`verify`, for any of the sizes, before the first runs.
    KeyboardInterrupt, BackendError
        Cut short before the first draw of the first size.

    Notes
    -----
    ``progress=None`` shows one bar per size (on a terminal) when the whole
    study is estimated at more than a few seconds.

    Examples
    --------
    >>> from rmtheory.compare import convergence_study
    >>> study = convergence_study(ns=(20, 40), gamma=2.0, w=1.0, lam=0.0, draws=3, seed=0,
    ...                           progress=False)
    >>> [rep.params["n"] for rep in study.reports], len(study.slopes)
    ([20, 40], 1)
    """
    if isinstance(ns, (str, bytes)) or not hasattr(ns, "__iter__"):
        raise TypeError(f"ns must be a sequence of sample sizes, received {ns!r}")
    ns = tuple(check_int(f"ns[{i}]", v, low=2) for i, v in enumerate(ns))
    if len(ns) < 2 or any(b <= a for a, b in zip(ns, ns[1:])):
        raise ValueError(f"ns must hold at least two increasing sample sizes, received {ns}")
    root = _seed_sequence(seed)
    # each size on its own: the gap over n is what the study shows
    kwargs.setdefault("reference", LIMIT)
    # every size checked before the first (smallest) run computes
    work = sum(verify(spectrum, n=n_i, gamma=gamma, w=w, lam=lam, t=t, draws=draws, seed=0,
                      progress=progress, _check_only=True, **kwargs).flops for n_i in ns)
    if progress is None:   # one decision for the whole study, not per size
        progress = show_progress(None, work) and have_tqdm()
    reports, complete, failure = [], True, None
    for n_i, child in zip(ns, root.spawn(len(ns))):
        try:
            rep = verify(spectrum, n=n_i, gamma=gamma, w=w, lam=lam, t=t, draws=draws,
                         seed=child, progress=progress, **kwargs)
        except (KeyboardInterrupt, BackendError) as exc:
            if not reports:
                raise
            # cut short before this size's first draw: keep the sizes done
            complete = False
            failure = None if isinstance(exc, KeyboardInterrupt) else str(exc)
            warnings.warn(f"convergence_study stopped at n={n_i}: {failure or 'interrupted'}; "
                          f"the study uses n in {tuple(r.params['n'] for r in reports)}",
                          RuntimeWarning, stacklevel=2)
            break
        reports.append(rep)
        if not rep.complete:          # verify has warned; the larger sizes are not run
            complete, failure = False, rep.failure
            break
    reports = tuple(reports)
    ns_done = tuple(rep.params["n"] for rep in reports)
    gaps = np.array([[abs(r["mc_mean"] - r["theory"]) for r in rep.records] for rep in reports])
    slopes = []
    for k, r in enumerate(reports[0].records):
        s, a = _loglog(ns_done, gaps[:, k])
        slopes.append({"w": r["w"], "lam": r["lam"], "slope": s, "intercept": a})
    slope, intercept = _loglog(ns_done, gaps.mean(axis=1))
    return ConvergenceStudy(reports=reports, ns=ns_done, slopes=slopes, slope=slope,
                            intercept=intercept, seed=_plain(_seed_record(root)),
                            complete=complete, failure=failure)


