"""Speed of the Monte Carlo layer, as ratios against baselines run alongside.

Run ``python benchmarks/bench_montecarlo.py`` (``--quick`` for n = 500,
p = 1000 instead of n = 2000, p = 4000 and 4000, 8000; ``--large`` times one
draw at n = 10⁴, p = 2·10⁴ instead, the figure the README quotes).
Everything is measured in this one run on this machine; the table reports
medians and ratios, never absolute targets checked by tests.
``benchmarks/run_all.py`` runs :func:`measure` of this script and of the
other one and prints a single table.

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
* the same grid at n = 4000, p = 8000 against one Gram eigendecomposition
  there (issue 12: both ratios <= 1.2x), and what forming ``V = XᵀU`` would
  add (the route skips it for ``Σ = sI``);
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
from timing import format_table, make_row, median_time

from rmtheory.montecarlo import ConditionalRisk, make_problem, simulate_retraining

GRID_W = np.linspace(0.05, 1.0, 21)
GRID_LAM = np.concatenate([[0.0], np.geomspace(0.01, 10.0, 9)])


def interleaved_medians(fns, repeat, cpu=False):
    """Median times of several functions run in turn (f1, f2, f1, f2, ...),
    so that a change in the machine's load hits them alike; ``cpu``: also
    the medians of their CPU times (``time.process_time``), which on a
    shared machine depend far less on the load than the wall times."""
    times = [[] for _ in fns]
    cpus = [[] for _ in fns]
    for _ in range(repeat):
        for fn, bucket, cpu_bucket in zip(fns, times, cpus):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            bucket.append(time.perf_counter() - start)
            cpu_bucket.append(time.process_time() - start_cpu)
    walls = [statistics.median(bucket) for bucket in times]
    return (walls, [statistics.median(bucket) for bucket in cpus]) if cpu else walls


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


T_REFITS, REPS = 20, 50
GAMMA = 2.0                                  # p = GAMMA * n


def _settings(quick):
    """n, the number of interleaved runs per grid median, and the runs per
    median of the slow rows (p x p eigendecomposition, simulation, SVD)."""
    return (500, 5, 1) if quick else (2000, 3, 3)


def _large_n(quick):
    """The second size of the grid/Gram ratio, and its interleaved runs."""
    return (1000, 3) if quick else (4000, 3)


def form_v(X, U, d):
    """``V = XᵀU D^{-1/2}/√n``, the step the Σ = sI route skips."""
    n = X.shape[0]
    return X.T @ (U / np.sqrt(n * d))


def describe(quick=False, threads=1):
    """One line on the settings of :func:`measure`."""
    n, repeat, slow = _settings(quick)
    n2, _ = _large_n(quick)
    return (f"Monte Carlo layer: n = {n}, p = {round(GAMMA * n)} and n = {n2}, "
            f"p = {round(GAMMA * n2)} (isotropic, Gaussian X), grid "
            f"{GRID_W.size} w x {GRID_LAM.size} lambda = {GRID_W.size * GRID_LAM.size} points; "
            f"BLAS threads = {threads or 'default'}; grid and Gram timings interleaved, "
            f"medians of {repeat} runs; the p x p eigendecomposition, the literal simulation "
            f"and the SVD: medians of {slow}.")


def measure(quick=False, threads=1):
    """Run the Monte Carlo benchmarks with ``threads`` BLAS threads (0: the
    library's default); a list of :class:`timing.Row`."""
    if threads > 0:
        from threadpoolctl import threadpool_limits
        with threadpool_limits(limits=threads, user_api="blas"):
            return _measure(quick)
    return _measure(quick)


def _measure(quick):
    n, repeat, slow = _settings(quick)
    T, reps = T_REFITS, REPS
    problem = make_problem("isotropic", n=n, gamma=GAMMA, rng=0)
    grid_size = GRID_W.size * GRID_LAM.size

    grid_exact(problem)                      # warm: lambdified multipliers
    gram = problem.X @ problem.X.T / n
    built = ConditionalRisk(problem.X, problem.beta, problem.Sigma)
    (t_grid, t_gram, t_eig_only, t_build, t_eval), (c_grid, c_gram, *_) = interleaved_medians(
        [lambda: grid_exact(problem), lambda: gram_eigendecomposition(problem.X),
         lambda: np.linalg.eigh(gram),
         lambda: ConditionalRisk(problem.X, problem.beta, problem.Sigma),
         lambda: built.risk(GRID_W[:, None], GRID_LAM[None, :], 1.0, None)], repeat, cpu=True)
    t_pp_one = median_time(lambda: sample_covariance_eigendecomposition(problem.X), slow)
    t_pp = t_pp_one * grid_size

    rows_large = _measure_size(*_large_n(quick), grid_size)

    def simulation():
        simulate_retraining(problem.X, problem.beta, Sigma=problem.Sigma, w=0.618, lam=0.1,
                            T=T, reps=reps, rng=1)
    with _CountFactorisations() as counter:
        simulation()                          # counted once; timed below
    t_sim = median_time(simulation, slow)
    t_svd = median_time(lambda: np.linalg.svd(problem.X, full_matrices=False), slow)
    factorisations = ", ".join(f"{k} x{v}" for k, v in counter.calls.items() if v) or "none"

    return [
        make_row(f"exact conditional risk, {GRID_W.size} x {GRID_LAM.size} grid (Gram route)",
                 t_grid),
        make_row("of which: ConditionalRisk(X, beta, Sigma)", t_build,
                 note="ConditionalRisk: Gram + eigh, c = D^-1/2 U^T X beta / sqrt(n) (Sigma = sI: neither V nor M = V^T Sigma V is formed)"),
        make_row(f"of which: risk(w, lam) on the {grid_size} points", t_eval),
        make_row("one Gram eigendecomposition (form XX^T/n + eigh)", t_gram),
        make_row("grid (ratio: p x p route / Gram route)", t_grid, t_pp,
                 target=">= 10x", speedup=True,
                 note=f"p x p route: form X^TX/n + eigh per grid point; one timed "
                      f"(median {t_pp_one:.2f} s) x {grid_size}"),
        make_row(f"grid (ratio: grid / one Gram eigendecomposition), n = {n}", t_grid, t_gram,
                 target="<= 1.2x"),
        make_row(f"grid, CPU time (ratio: grid / one Gram eigendecomposition), n = {n}", c_grid,
                 c_gram, target="<= 1.2x"),
        make_row("grid (ratio: grid / eigh of the Gram alone, formed beforehand)", t_grid,
                 t_eig_only),
        *rows_large,
        make_row(f"literal simulation, T = {T} refits x {reps} reps, ridge "
                 f"(ratio: {T + 1} SVDs of X / simulation)", t_sim, (T + 1) * t_svd,
                 speedup=True,
                 note=f"literal simulation: {counter.total} factorisation(s) of X "
                      f"({factorisations}); baseline: refactorising X at each of the "
                      f"{T + 1} fits, one SVD (median {t_svd:.2f} s) x {T + 1}"),
    ]


def _measure_size(n, repeat, grid_size):
    """The grid against one Gram eigendecomposition at ``n``, interleaved,
    and what forming ``V`` would add (as a share of the eigendecomposition)."""
    problem = make_problem("isotropic", n=n, gamma=GAMMA, rng=0)
    d, U = gram_eigendecomposition(problem.X)
    grid_exact(problem)                      # warm: lambdified multipliers
    (t_grid, t_gram, t_v), (c_grid, c_gram, _) = interleaved_medians(
        [lambda: grid_exact(problem), lambda: gram_eigendecomposition(problem.X),
         lambda: form_v(problem.X, U, d)], repeat, cpu=True)
    return [
        make_row(f"exact conditional risk, {GRID_W.size} x {GRID_LAM.size} grid, n = {n}", t_grid),
        make_row(f"one Gram eigendecomposition, n = {n}", t_gram),
        make_row(f"grid (ratio: grid / one Gram eigendecomposition), n = {n}", t_grid, t_gram,
                 target="<= 1.2x"),
        make_row(f"grid, CPU time (ratio: grid / one Gram eigendecomposition), n = {n}", c_grid,
                 c_gram, target="<= 1.2x", note="CPU times (time.process_time) of the same "
                                               "interleaved runs: with one BLAS thread they "
                                               "depend little on the other jobs of the machine"),
        make_row(f"forming V = X^T U (ratio: V / one Gram eigendecomposition), n = {n}", t_v,
                 t_gram, note=f"the step the Sigma = sI route no longer takes: V would add "
                              f"{t_v / t_gram:.0%} of a Gram eigendecomposition at n = {n}"),
    ]


def measure_large(n=10_000, gamma=GAMMA, threads=1):
    """One draw at ``n`` (default 10⁴, p = 2·10⁴): drawing the problem, the
    exact conditional risk on the grid, and one Gram eigendecomposition
    (each timed once: minutes); rows for the README's size table. The
    notes give each step's CPU time too (on a shared machine the wall time
    depends on the load, the CPU time of one BLAS thread much less)."""
    from threadpoolctl import threadpool_limits

    def timed(fn):
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn()
        return value, time.perf_counter() - wall, time.process_time() - cpu
    with threadpool_limits(limits=threads or None, user_api="blas"):
        problem, t_make, c_make = timed(lambda: make_problem("isotropic", n=n, gamma=gamma,
                                                            rng=0))
        _, t_grid, c_grid = timed(lambda: grid_exact(problem))
        _, t_gram, c_gram = timed(lambda: gram_eigendecomposition(problem.X))
    p = problem.p
    return [
        make_row(f"draw one problem, n = {n}, p = {p}", t_make, note=f"CPU time {c_make:.1f} s"),
        make_row(f"exact conditional risk, {GRID_W.size} x {GRID_LAM.size} grid, n = {n}",
                 t_grid, note=f"CPU time {c_grid:.1f} s"),
        make_row(f"one draw of verify (problem + grid), n = {n}", t_make + t_grid,
                 note=f"CPU time {c_make + c_grid:.1f} s"),
        make_row(f"grid (ratio: grid / one Gram eigendecomposition), n = {n}", t_grid, t_gram,
                 target="<= 1.2x", note=f"CPU time of the Gram eigendecomposition {c_gram:.1f} s"),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 500, p = 1000")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for every measurement (0: the library's default); "
                             "one thread keeps the ratios stable on a shared machine")
    parser.add_argument("--large", action="store_true",
                        help="time one draw at n = 10^4, p = 2 10^4 instead (minutes, ~7 GB)")
    args = parser.parse_args(argv)
    if args.large:
        rows = measure_large(threads=args.threads)
        print(f"One draw at n = 10^4 (isotropic, Gaussian X), BLAS threads = "
              f"{args.threads or 'default'}, each step timed once.\n")
        print(format_table(rows))
        return rows
    rows = measure(args.quick, args.threads)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"{describe(args.quick, args.threads)} Cores = {os.cpu_count()}; "
          f"load average at end = {load[0]:.2f}.\n")
    print(format_table(rows))
    return rows


if __name__ == "__main__":
    main()
