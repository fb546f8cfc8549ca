"""Timing helper shared by the benchmark scripts."""
import statistics
import time

__all__ = ["median_time"]


def median_time(fn, repeat, *, warmup=False):
    """Median wall time of ``repeat`` calls of ``fn``; ``warmup`` runs it
    once first, untimed (to fill caches such as lambdified expressions)."""
    if warmup:
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
