"""The Monte Carlo layer under stress (issue 10): concurrent runs in
threads of one process, which share its BLAS thread limit.
"""
from concurrent.futures import ThreadPoolExecutor
import importlib
import threading
import time

import numpy as np
import pytest
import threadpoolctl

from rmtheory.montecarlo import verify

# the package exports a function named like this module: import the module
P = importlib.import_module("rmtheory.montecarlo.parallel")


def _blas_threads():
    return [lib["num_threads"] for lib in threadpoolctl.threadpool_info()
            if lib["user_api"] == "blas"]


# ----------------------------------------------------------------------------
# 7b: the BLAS thread limit is process-wide


def test_blas_limit_is_shared_by_threads_and_restored_by_the_last():
    """A enters, B enters, A leaves: B still runs with the limit; B leaves:
    the original is back. C, asking for another count, waits meanwhile."""
    original = _blas_threads()
    if not original:
        pytest.skip("no BLAS known to threadpoolctl")
    a_in, b_in, a_out, b_check, b_out = (threading.Event() for _ in range(5))
    seen = {}

    def a():
        with P.blas_limit(1):
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b():
        a_in.wait(5)
        with P.blas_limit(1):
            b_in.set()
            a_out.wait(5)
            seen["b_after_a_left"] = _blas_threads()
            b_check.wait(5)
        b_out.set()

    def c():
        b_in.wait(5)
        with P.blas_limit(2):
            seen["c_entered_after_b"] = b_out.is_set()
            seen["c_inside"] = _blas_threads()

    threads = [threading.Thread(target=f) for f in (a, b, c)]
    for t in threads:
        t.start()
    a_out.wait(5)
    time.sleep(0.05)
    b_check.set()
    for t in threads:
        t.join(10)
    assert seen["b_after_a_left"] == [1] * len(original)
    assert seen["c_entered_after_b"] is True
    assert seen["c_inside"] == [2] * len(original)
    assert _blas_threads() == original
    assert P._BLAS.state == (None, 0)


def test_blas_limit_refuses_another_count_in_the_same_thread():
    with P.blas_limit(1):
        with pytest.raises(RuntimeError, match=r"^blas_limit\(2\) inside blas_limit\(1\)"):
            with P.blas_limit(2):
                pass
        with P.blas_limit(1):          # the same count nests
            pass
    assert P._BLAS.state == (None, 0)


#: three runs whose last bits depend on the BLAS thread count (ar1: the
#: p × p square root of Σ), two of them with the same count
CONCURRENT = [dict(spectrum="ar1", n=120, gamma=1.5, seed=1, blas_threads=1),
              dict(spectrum="ar1", n=150, gamma=1.5, seed=2, blas_threads=1),
              dict(spectrum="ar1", n=120, gamma=1.5, seed=3, blas_threads=2)]


def _run(kw):
    kw = dict(kw)
    return verify(kw.pop("spectrum"), w=0.5, lam=[0.0, 0.4], draws=6, progress=False,
                  **kw)


def test_concurrent_verify_in_threads_matches_solo_runs():
    original = _blas_threads()
    solo = [_run(kw) for kw in CONCURRENT]
    with ThreadPoolExecutor(len(CONCURRENT)) as pool:
        together = list(pool.map(_run, CONCURRENT))
    for alone, shared in zip(solo, together):
        assert shared.to_records() == alone.to_records()           # bit for bit
        np.testing.assert_array_equal(shared.samples, alone.samples)
    assert _blas_threads() == original
    assert P._BLAS.state == (None, 0)
