"""Benchmark of the calibrated verdict: what the extrapolation in n costs.

``verify`` tests a point that has no exact finite-n reference against the
limit extrapolated over ``n/4, n/2, n``, so it runs the design at three
sizes. The rows time, at the report's sizes (``n = 160``, ``γ = 2``, 24
designs, the golden-ratio grid of five weights), the verdict run against
the one-size run (``reference="limit"``), interleaved in one process so the
ratio is robust to the load of a shared machine; the target is at most
1.3× (the smaller sizes cost ``(1/4)³ + (1/2)³ ≈ 0.14`` of the largest).

Run ``python benchmarks/bench_verify.py [--quick]``.
"""
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from timing import standalone, make_row  # noqa: E402

W = (0.25, 0.45, 0.6180339887498949, 0.8, 1.0)
MODEL = ("ar1", {"rho": 0.5})


def _settings(quick):
    return (80, 12, 3) if quick else (160, 24, 5)


def describe(quick=False):
    n, draws, repeat = _settings(quick)
    return (f"Verdict layer: {MODEL[0]} (rho = 0.5), n = {n}, gamma = 2, {draws} designs, "
            f"{len(W)} weights, lambda = 0; BLAS threads = 1; interleaved medians of {repeat}.")


def measure(quick=False):
    from threadpoolctl import threadpool_limits
    from rmtheory.compare import verify
    n, draws, repeat = _settings(quick)
    spectrum, params = MODEL

    def run(reference):
        return lambda: verify(spectrum, n=n, gamma=2.0, w=list(W), lam=0.0, draws=draws,
                              seed=1, progress=False, reference=reference, **params)
    fns = [run("limit"), run("auto")]
    times = [[], []]
    with threadpool_limits(limits=1, user_api="blas"):
        for fn in fns:      # warm-up: lambdified multipliers, the theory's caches
            fn()
        for _ in range(repeat):
            for k, fn in enumerate(fns):
                start = time.perf_counter()
                fn()
                times[k].append(time.perf_counter() - start)
    one, ladder = (statistics.median(t) for t in times)
    return [
        make_row(f"verify {spectrum}, one size (reference='limit')", one),
        make_row("verify, extrapolated verdict over n/4, n/2, n (ratio: verdict / one size)",
                 ladder, one, target="<= 1.3x",
                 note="the smaller sizes cost about (1/4)^3 + (1/2)^3 = 0.14 of the largest "
                      "(one Gram eigendecomposition per design)"),
    ]


def main(argv=None):
    return standalone(__doc__, measure, describe, argv, quick_help="n = 80, 12 designs")


if __name__ == "__main__":
    main()
