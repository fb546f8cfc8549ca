"""Monte Carlo at large n: the Σ = sI route, small matrices on one BLAS
thread, and Dask runs whose memory is checked against the workers up front.

The Σ = sI route of :class:`ConditionalRisk` never forms ``V = XᵀU`` (nor
``M = VᵀΣV``): it must give the numbers of the general route (``Σ`` passed
as a full matrix, which forms both) to rounding, and its peak memory must
stay below one ``n × p`` array. The Dask checks run on in-process
``LocalCluster`` workers with small memory limits (the memory monitor off,
since the workers share this process's memory).
"""
import threading
import tracemalloc

import numpy as np
import pytest

from rmtheory.montecarlo import ConditionalRisk, make_problem
from rmtheory.montecarlo import parallel, resources

from rmtheory.compare import verify
from rmtheory.montecarlo.parallel import blas_limit, small_blas

W = np.array([0.1, 0.5, 0.618, 1.0])[:, None]
LAM = np.array([0.0, 0.05, 1.0, 10.0])[None, :]


def _general_route(problem):
    """The same risk, with Σ as a full matrix: V and M are formed."""
    return ConditionalRisk(problem.X, problem.beta, np.diag(problem.Sigma))


@pytest.mark.parametrize("gamma", [3.0, 0.4, 1.0])
@pytest.mark.parametrize("t", [None, 0, 3])
def test_scaled_identity_route_matches_the_general_route(gamma, t):
    problem = make_problem("isotropic", n=60, gamma=gamma, rng=11)
    scaled = ConditionalRisk(problem.X, problem.beta, 2.5 * problem.Sigma)
    general = ConditionalRisk(problem.X, problem.beta, np.diag(2.5 * problem.Sigma))
    assert scaled._M is None and general._M is not None
    for name in ("bias", "risk"):
        args = (W, LAM) if name == "bias" else (W, LAM, 0.7)
        got = getattr(scaled, name)(*args, t=t)
        want = getattr(general, name)(*args, t=t)
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=0)
    path = scaled.risk_path(np.array([1.0, 0.0, 0.3, 0.9]), 0.2, 0.7)
    np.testing.assert_allclose(path, general.risk_path(np.array([1.0, 0.0, 0.3, 0.9]), 0.2, 0.7),
                               rtol=1e-11, atol=0)


def test_scaled_identity_route_never_holds_an_n_by_p_array():
    # V = XᵀU D^{-1/2}/√n would be p x n = 1.6 MB; the Gram route needs ~k² floats
    n, p = 100, 2000
    problem = make_problem("isotropic", n=n, gamma=p / n, rng=2)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        ConditionalRisk(problem.X, problem.beta, problem.Sigma)
        _, peak_scaled = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        ConditionalRisk(problem.X, problem.beta, problem.Sigma * np.linspace(1, 2, p))
        _, peak_diagonal = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_scaled < 8 * n * p / 2, peak_scaled
    assert peak_diagonal > 8 * n * p, peak_diagonal     # the general route does form V


def test_scaled_identity_route_is_reproducible_to_the_bit():
    problem = make_problem("isotropic", n=80, gamma=2.0, rng=5)
    first = ConditionalRisk(problem.X, problem.beta, problem.Sigma).risk(W, LAM)
    again = ConditionalRisk(problem.X.copy(), problem.beta.copy(), problem.Sigma).risk(W, LAM)
    assert np.array_equal(first, again)


# ----------------------------------------------------------------------------
# one BLAS thread for small matrices


def _blas_threads():
    from threadpoolctl import threadpool_info
    return {lib["filepath"]: lib["num_threads"] for lib in threadpool_info()
            if lib["user_api"] == "blas"}


def test_small_blas_pins_one_thread_and_restores():
    pytest.importorskip("threadpoolctl")
    before = _blas_threads()
    with small_blas(parallel.SMALL_BLAS):
        assert set(_blas_threads().values()) == {1}
        assert parallel._BLAS.state == (1, 1)
    assert _blas_threads() == before and parallel._BLAS.state == (None, 0)
    with small_blas(parallel.SMALL_BLAS + 1):          # a large matrix: left alone
        assert _blas_threads() == before


def test_small_blas_keeps_a_limit_already_in_force():
    pytest.importorskip("threadpoolctl")
    with blas_limit(2):
        with small_blas(10):                           # the caller's count stands
            assert set(_blas_threads().values()) == {2}
            assert parallel._BLAS.state == (2, 1)
    with blas_limit(1):
        with small_blas(10):                           # the same count: joined
            assert parallel._BLAS.state == (1, 2)
        assert parallel._BLAS.state == (1, 1)


def test_small_blas_from_two_threads_restores_the_original_once():
    pytest.importorskip("threadpoolctl")
    before = _blas_threads()
    inside, release = threading.Barrier(2), threading.Event()
    seen = []

    def work():
        with small_blas(10):
            inside.wait(timeout=10)
            seen.append(set(_blas_threads().values()))
            release.wait(timeout=10)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for th in threads:
        th.start()
    while len(seen) < 2:
        threading.Event().wait(0.01)
    assert parallel._BLAS.state == (1, 2) and seen == [{1}, {1}]
    release.set()
    for th in threads:
        th.join()
    assert _blas_threads() == before and parallel._BLAS.state == (None, 0)


# ----------------------------------------------------------------------------
# Dask: the workers' memory, up front


@pytest.fixture
def no_memory_monitor():
    dask = pytest.importorskip("dask")
    # imported first: set() restores on exit what existed when it was entered,
    # and would otherwise drop distributed's defaults along with these keys
    pytest.importorskip("distributed")
    with dask.config.set({"distributed.worker.memory.target": False,
                          "distributed.worker.memory.spill": False,
                          "distributed.worker.memory.pause": False,
                          "distributed.worker.memory.terminate": False}):
        yield


def _cluster(memory_limit, threads=2, resources_=None):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=threads, processes=False,
                                       memory_limit=memory_limit, dashboard_address=":0",
                                       resources=resources_)
    return cluster, distributed.Client(cluster)


def test_draw_bytes_is_the_estimate_verify_plans_with():
    # isotropic, n = 10^4, p = 2·10^4: the 10^4 x 10^4 Gram route, 5k² floats
    # (+ the grid), beyond X and Σ; no V of p x k
    needed = resources.draw_bytes("isotropic", {}, 10_000, 20_000, grid=1)
    assert needed == 8 * (10_000 * 20_000 + 20_000 + 5 * 10_000**2 + 4 * 10_000)
    dense = resources.draw_bytes("ar1", {"rho": 0.5}, 1000, 2000, grid=1)
    assert dense > 8 * 6 * 2000**2                   # a full Σ: its checks and ΣV


def test_check_dask_memory_refuses_a_draw_no_worker_can_hold(no_memory_monitor):
    cluster, client = _cluster("400 MB")
    try:
        with pytest.raises(ValueError, match=r"^n too large for the Dask workers' memory: .* "
                                             r"needs about 1\.0 GB per draw.*memory_limit"):
            resources.check_dask_memory(10**9, client=client, what="verify")
        assert resources.check_dask_memory(10**6, client=client, what="verify") is None
    finally:
        client.close()
        cluster.close()


def test_check_dask_memory_counts_the_threads_of_a_worker(no_memory_monitor):
    # room: 0.8 x 400 MB - 105 MB = 215 MB: one draw of 150 MB fits, two do not
    cluster, client = _cluster("400 MB", threads=2)
    try:
        with pytest.raises(ValueError, match=r"would run 2 at once .*--nthreads 1.*--resources "
                                             r"MEMORY="):
            resources.check_dask_memory(150 * 10**6, client=client, what="verify")
    finally:
        client.close()
        cluster.close()
    cluster, client = _cluster("400 MB", threads=2, resources_={"MEMORY": 200e6})
    try:   # the workers declare their memory: the draws are submitted holding it
        assert resources.check_dask_memory(150 * 10**6, client=client, what="verify") == {
            "MEMORY": 150e6}
        with pytest.raises(ValueError, match="more than the largest MEMORY resource"):
            resources.check_dask_memory(210 * 10**6, client=client, what="verify")
    finally:
        client.close()
        cluster.close()


def test_verify_refuses_before_the_theory(no_memory_monitor, monkeypatch):
    import importlib
    verify_module = importlib.import_module(verify.__module__)

    def no_theory(*args, **kwargs):
        raise AssertionError("the theory ran before the memory check")
    monkeypatch.setattr(verify_module, "_theory", no_theory)
    cluster, client = _cluster("200 MB", threads=1)
    try:
        # n = 3000, p = 6000: 5k² = 4.5·10^7 floats = 360 MB per draw
        with pytest.raises(ValueError, match=r"^n too large for the Dask workers' memory: "
                                             r"verify with n=3000"):
            verify("isotropic", n=3000, gamma=2.0, w=0.5, lam=0.0, draws=2, seed=0,
                   backend="dask", client=client, progress=False)
    finally:
        client.close()
        cluster.close()


def test_verify_on_dask_with_memory_resources_gives_the_serial_numbers(no_memory_monitor,
                                                                       monkeypatch):
    # workers that hold one draw but not two at once, declaring their memory:
    # the draws run one at a time per worker, and give the serial numbers
    monkeypatch.setattr(resources, "WORKER_OVERHEAD", 0)
    kwargs = dict(n=100, gamma=2.0, w=[0.5, 1.0], lam=0.1, draws=3, seed=4, progress=False)
    needed = resources.draw_bytes("isotropic", {}, 100, 200, grid=2)
    limit = int(1.5 * needed / resources.SAFETY)
    cluster, client = _cluster(limit, threads=2, resources_={"MEMORY": limit})
    try:
        assert resources.check_dask_memory(needed, client=client, what="v") == {
            "MEMORY": float(needed)}
        on_dask = verify(backend="dask", client=client, **kwargs)
    finally:
        client.close()
        cluster.close()
    serial = verify(**kwargs)
    assert on_dask.complete and np.array_equal(on_dask.samples, serial.samples)


def test_run_tasks_refuses_task_resources_off_dask():
    with pytest.raises(ValueError, match="task_resources is only used with backend='dask'"):
        list(parallel.run_tasks(abs, [1], backend="serial", task_resources={"MEMORY": 1}))


def _small_draw_bits(blas_threads):
    from rmtheory.montecarlo.parallel import run_tasks
    return sorted(run_tasks(_small_risk, [0, 1], backend="processes", max_workers=1,
                            blas_threads=blas_threads))


def _small_risk(seed):
    problem = make_problem("isotropic", n=40, gamma=2.0, rng=seed)
    return (parallel._BLAS.state,
            ConditionalRisk(problem.X, problem.beta, problem.Sigma).risk(W, LAM).tolist())


def test_a_process_worker_keeps_its_blas_count_for_small_matrices():
    pytest.importorskip("threadpoolctl")
    results = _small_draw_bits(2)
    assert all(state == (2, 1) for _, (state, _) in results)   # small_blas left it alone
    with blas_limit(2):
        serial = [_small_risk(seed)[1] for seed in (0, 1)]
    assert [risk for _, (_, risk) in results] == serial
