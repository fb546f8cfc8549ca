"""Speed of the Monte Carlo layer, as ratios against baselines run alongside.

Run ``python benchmarks/bench_montecarlo.py`` (``--quick`` for n = 500,
p = 1000 instead of n = 2000, p = 4000). Everything is measured in this one
run on this machine; the table reports medians and ratios, never absolute
targets checked by tests.

Measured (issue 4, "Speed"):

* the exact conditional risk of one draw on a grid of 21 ``w`` × 10 ``λ``
  (``ConditionalRisk(X, β, Σ)`` then one vectorised ``risk`` call): the
  Gram route of :mod:`rmtheory.montecarlo.conditional`;
* baseline 1, the p × p route: per grid point, form ``Σ̂ = XᵀX/n`` and
  eigendecompose it (``p × p``). It is far too slow to run 210 times, so
  ONE such eigendecomposition is timed and multiplied by the grid size
  (the table says so);
* baseline 2, one Gram eigendecomposition: form ``XXᵀ/n`` (``n × n``) and
  eigendecompose it — the least any Gram route must do;
* the literal simulation: the number of factorisations of ``X`` it
  performs (counted by wrapping :func:`numpy.linalg.svd` and friends) for
  ``T`` refits × ``reps`` repetitions, and its time against
  ``(T + 1)`` refactorisations.
"""
import argparse
import os
import statistics
import time

import numpy as np
from timing import median_time

from rmtheory.montecarlo import ConditionalRisk, make_problem, simulate_retraining

GRID_W = np.linspace(0.05, 1.0, 21)
GRID_LAM = np.concatenate([[0.0], np.geomspace(0.01, 10.0, 9)])


def interleaved_medians(fns, repeat):
    """Median times of several functions run in turn (f1, f2, f1, f2, ...),
    so that a change in the machine's load hits them alike."""
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, bucket in zip(fns, times):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(bucket) for bucket in times]


def grid_exact(problem):
    cr = ConditionalRisk(problem.X, problem.beta, problem.Sigma)
    return cr.risk(GRID_W[:, None], GRID_LAM[None, :], 1.0, None)


def gram_eigendecomposition(X):
    n = X.shape[0]
    return np.linalg.eigh(X @ X.T / n)


def sample_covariance_eigendecomposition(X):
    n = X.shape[0]
    return np.linalg.eigh(X.T @ X / n)


class _CountFactorisations:
    """Count calls of the dense factorisations of numpy.linalg while active."""
    NAMES = ("svd", "eigh", "eig", "qr", "cholesky", "solve", "lstsq", "pinv", "inv")

    def __enter__(self):
        self.calls = {name: 0 for name in self.NAMES}
        self._saved = {name: getattr(np.linalg, name) for name in self.NAMES}
        for name, fn in self._saved.items():
            setattr(np.linalg, name, self._counted(name, fn))
        return self

    def _counted(self, name, fn):
        def wrapper(*args, **kwargs):
            self.calls[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    def __exit__(self, *exc):
        for name, fn in self._saved.items():
            setattr(np.linalg, name, fn)

    @property
    def total(self):
        return sum(self.calls.values())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 500, p = 1000")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for every measurement (0: the library's default); "
                             "one thread keeps the ratios stable on a shared machine")
    args = parser.parse_args(argv)
    if args.threads > 0:
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=args.threads, user_api="blas")   # for the whole run
    n = 500 if args.quick else 2000
    repeat = 5 if args.quick else 3
    T, reps = 20, 50
    problem = make_problem("isotropic", n=n, gamma=2.0, rng=0)
    p = problem.p
    grid_size = GRID_W.size * GRID_LAM.size

    grid_exact(problem)                      # warm: lambdified multipliers
    gram = problem.X @ problem.X.T / n
    built = ConditionalRisk(problem.X, problem.beta, problem.Sigma)
    t_grid, t_gram, t_eig_only, t_build, t_eval = interleaved_medians(
        [lambda: grid_exact(problem), lambda: gram_eigendecomposition(problem.X),
         lambda: np.linalg.eigh(gram),
         lambda: ConditionalRisk(problem.X, problem.beta, problem.Sigma),
         lambda: built.risk(GRID_W[:, None], GRID_LAM[None, :], 1.0, None)], repeat)
    t_pp_one = median_time(lambda: sample_covariance_eigendecomposition(problem.X), 1)
    t_pp = t_pp_one * grid_size

    with _CountFactorisations() as counter:
        start = time.perf_counter()
        simulate_retraining(problem.X, problem.beta, Sigma=problem.Sigma, w=0.618, lam=0.1,
                            T=T, reps=reps, rng=1)
        t_sim = time.perf_counter() - start
    t_svd = median_time(lambda: np.linalg.svd(problem.X, full_matrices=False), 1)

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"n = {n}, p = {p} (isotropic, Gaussian X); grid {GRID_W.size} w x {GRID_LAM.size} "
          f"lambda = {grid_size} points; cores = {os.cpu_count()}; "
          f"BLAS threads = {args.threads or 'default'}; load average at end = {load[0]:.2f}; "
          f"repeats = {repeat} (median)\n")
    print("| measurement | time | ratio | note |")
    print("|---|---|---|---|")
    rows = [
        ("exact conditional risk, whole grid (Gram route)", t_grid, None, ""),
        ("  of which: ConditionalRisk(X, beta, Sigma)", t_build, None,
         "Gram + eigh, V = X^T U D^-1/2, M = V^T Sigma V"),
        ("  of which: risk(w, lam) on the 210 points", t_eval, None, "given the factorisation"),
        ("one Gram eigendecomposition (form XX^T/n + eigh)", t_gram, None, ""),
        ("p x p route: form X^TX/n + eigh, per grid point", t_pp, None,
         f"ONE timed ({t_pp_one:.2f} s) x {grid_size}"),
        ("p x p route / whole grid", t_pp, t_grid, "target >= 10x"),
        ("whole grid / one Gram eigendecomposition", t_grid, t_gram, "target <= 2x"),
        ("whole grid / eigh of the Gram alone (formed beforehand)", t_grid, t_eig_only, ""),
        (f"literal simulation, T = {T} refits x {reps} reps (ridge)", t_sim, None,
         f"{counter.total} factorisation(s) of X: {', '.join(f'{k} x{v}' for k, v in counter.calls.items() if v)}"),
        (f"{T + 1} SVDs of X (refactorising per iteration) / literal simulation",
         (T + 1) * t_svd, t_sim, f"one SVD: {t_svd:.2f} s"),
    ]
    for label, t, base, note in rows:
        ratio = f"{t / base:.1f}x" if base else ""
        print(f"| {label} | {t:.3f} s | {ratio} | {note} |")
    return rows


if __name__ == "__main__":
    main()
