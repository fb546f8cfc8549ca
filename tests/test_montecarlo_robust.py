"""The Monte Carlo layer under stress (issue 10): concurrent runs in threads,
Dask clusters that cannot serve, backends that fail mid-run, sizes that
cannot finish, interrupts before anything completed.

Every Dask test runs a real cluster on 127.0.0.1 (or a silent socket
there) with tiny problems; a call that could hang on broken code runs in a
helper thread with a deadline, so a regression fails instead of hanging.
"""
from concurrent.futures import ThreadPoolExecutor
import importlib
import json
import os
import signal
import socket
import threading
import time
import warnings

import numpy as np
import pytest
import threadpoolctl

from rmtheory.compare import convergence_study, verify
from rmtheory.montecarlo import ConditionalRisk, make_problem, simulate_retraining
from rmtheory.montecarlo import resources

# the package exports functions named like these modules: import the modules
V = importlib.import_module("rmtheory.compare.verify")
P = importlib.import_module("rmtheory.montecarlo.parallel")
S = importlib.import_module("rmtheory.montecarlo.simulate")

def _blas_threads():
    return [lib["num_threads"] for lib in threadpoolctl.threadpool_info()
            if lib["user_api"] == "blas"]


def _within(seconds, fn):
    """``fn()`` in a daemon thread: ``(finished, result or exception)``."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["value"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive(), box.get("value")


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


# ----------------------------------------------------------------------------
# 9: Dask

DASK = dict(n=20, gamma=2.0, w=0.5, lam=0.0, draws=3, seed=0, progress=False)


@pytest.fixture
def distributed():
    return pytest.importorskip("distributed")


@pytest.fixture
def cluster_factory(distributed):
    made = []

    def make(n_workers):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                               processes=False, protocol="tcp://",
                                               host="127.0.0.1", dashboard_address=None)
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.close()


def test_dask_by_address_needs_no_default_client(distributed, cluster_factory):
    cluster = cluster_factory(1)
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    with pytest.raises(ValueError, match="No clients found"):
        distributed.default_client()          # verify must not rely on one
    serial = verify(**DASK)
    finished, rep = _within(60, lambda: verify(backend="dask", address=cluster.scheduler_address,
                                               **DASK))
    assert finished and not isinstance(rep, BaseException), rep
    np.testing.assert_array_equal(rep.samples, serial.samples)
    assert rep.complete and rep.failure is None


@pytest.fixture
def silent_port():
    """A TCP port on 127.0.0.1 that accepts connections and never speaks."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for conn in accepted:
        conn.close()


def test_dask_address_that_is_not_a_scheduler_fails_within_the_timeout(distributed, silent_port):
    assert P.CONNECT_TIMEOUT == 5.0             # the documented value
    start = time.perf_counter()
    finished, error = _within(P.CONNECT_TIMEOUT + 10,
                              lambda: verify(backend="dask", address=silent_port, **DASK))
    elapsed = time.perf_counter() - start
    assert finished, "verify hung on a port that is not a Dask scheduler"
    assert isinstance(error, ConnectionError), error
    assert str(error).startswith(f"address {silent_port!r}: no Dask scheduler answered within 5 s")
    assert P.CONNECT_TIMEOUT - 0.5 < elapsed < P.CONNECT_TIMEOUT + 3


@pytest.mark.parametrize("how", ["address", "client"])
def test_dask_cluster_without_workers_fails_naming_the_address(distributed, cluster_factory,
                                                               monkeypatch, how):
    cluster = cluster_factory(0)
    monkeypatch.setattr(P, "WORKER_TIMEOUT", 1.5, raising=False)
    client = None
    if how == "client":
        client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    kw = dict(address=cluster.scheduler_address) if how == "address" else dict(client=client)
    start = time.perf_counter()
    try:
        finished, error = _within(20, lambda: verify(backend="dask", **kw, **DASK))
    finally:
        if client is not None:
            client.close()
    elapsed = time.perf_counter() - start
    assert finished, "verify waited for workers without end"
    assert isinstance(error, ConnectionError), error
    assert str(error) == (f"address {cluster.scheduler_address!r}: the Dask scheduler has no "
                          f"workers (none joined within 1.5 s); start one with "
                          f"`dask worker {cluster.scheduler_address}`")
    assert elapsed < 1.5 + 5


# ----------------------------------------------------------------------------
# 10: lost work


def _draw_or_die(task):
    """Draws 0-2 as usual; the others kill their worker process (a crash, the
    kernel's OOM killer), after the first three had time to finish."""
    if task.seed.spawn_key[-1] >= 3:
        time.sleep(0.5)
        os._exit(3)
    return V.REAL_DRAW(task)


@pytest.fixture
def real_draw(monkeypatch):
    monkeypatch.setattr(V, "REAL_DRAW", V._draw, raising=False)


def test_killed_worker_process_keeps_the_finished_draws(monkeypatch, real_draw):
    kw = dict(n=20, gamma=2.0, w=[0.5, 1.0], lam=0.2, draws=8, seed=4, progress=False)
    full = verify(**kw)
    monkeypatch.setattr(V, "_draw", _draw_or_die)
    with pytest.warns(RuntimeWarning, match=r"verify stopped after 3 of 8 draws: a worker "
                                            r"process died"):
        part = verify(backend="processes", max_workers=2, **kw)
    assert not part.complete and not part.interrupted
    assert part.draws_completed == 3 and part.draw_indices == (0, 1, 2)
    np.testing.assert_array_equal(part.samples, full.samples[:3])
    assert part.failure.startswith("a worker process died unexpectedly after 3 of 8 tasks "
                                   "(BrokenProcessPool")
    assert "\n" not in part.failure
    doc = json.loads(part.to_json())
    assert doc["failure"] == part.failure and doc["complete"] is False
    assert V.VerificationReport.from_json(part.to_json()).failure == part.failure
    text = str(part)
    assert "[INCOMPLETE: backend failed]" in text.splitlines()[0]
    assert text.splitlines()[-1] == f"failed: {part.failure}"


def _draw_out_of_memory(task):
    if task.seed.spawn_key[-1] == 2:
        raise MemoryError("Unable to allocate 6.4 GiB")
    return V.REAL_DRAW(task)


def test_out_of_memory_draw_keeps_the_finished_draws(monkeypatch, real_draw):
    monkeypatch.setattr(V, "_draw", _draw_out_of_memory)
    with pytest.warns(RuntimeWarning, match="verify stopped after 2 of 5 draws"):
        part = verify(n=20, gamma=2.0, w=0.5, lam=0.0, draws=5, seed=0, progress=False)
    assert part.draws_completed == 2
    assert part.failure == "task 2 ran out of memory (MemoryError: Unable to allocate 6.4 GiB)"


def _draw_slowly_after_first(task):
    if task.seed.spawn_key[-1] >= 1:
        time.sleep(1.0)
    return V.REAL_DRAW(task)


def test_lost_dask_scheduler_keeps_the_finished_draws(distributed, cluster_factory, monkeypatch,
                                                     real_draw):
    cluster = cluster_factory(1)
    monkeypatch.setattr(V, "_draw", _draw_slowly_after_first)
    full = verify(**DASK)
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)

    def lose_the_scheduler(completed, index):
        if completed == 1:
            cluster.close()

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            finished, part = _within(60, lambda: verify(backend="dask", client=client,
                                                        _on_draw=lose_the_scheduler, **DASK))
    finally:
        client.close()
    assert finished and not isinstance(part, BaseException), part
    assert part.draws_completed == 1 and not part.complete
    np.testing.assert_array_equal(part.samples, full.samples[list(part.draw_indices)])
    assert part.failure.startswith(f"lost the Dask scheduler at {cluster.scheduler_address!r} "
                                   f"after 1 of 3 tasks")
    assert "\n" not in part.failure
    assert any("verify stopped after 1 of 3 draws" in str(w.message) for w in caught)


def test_run_tasks_yields_what_completed_before_the_pool_broke():
    got = []
    with pytest.raises(P.BackendError, match=r"^a worker process died unexpectedly after 2 of"):
        for item in P.run_tasks(_value_or_die, [0.0, 0.0, 1.0, 1.0], backend="processes",
                                max_workers=2):
            got.append(item)
    assert sorted(got) == [(0, 0.0), (1, 0.0)]


def _value_or_die(delay):
    if delay:
        time.sleep(0.5)
        os._exit(3)
    return delay


def test_convergence_study_keeps_the_sizes_done():
    calls = []

    def interrupt_second_size(completed, index):
        calls.append(completed)
        if len(calls) == 4:            # the first draw of n = 40 (3 draws per size)
            raise KeyboardInterrupt

    with pytest.warns(RuntimeWarning, match="interrupted after 1 of 3 draws"):
        study = convergence_study(ns=(20, 40, 80), gamma=2.0, w=1.0, lam=0.0, draws=3, seed=0,
                                  progress=False, _on_draw=interrupt_second_size)
    assert not study.complete and study.failure is None
    assert study.ns == (20, 40)                   # n = 80 not run
    assert [r.draws_completed for r in study.reports] == [3, 1]
    assert json.loads(study.to_json())["complete"] is False
    assert "[INTERRUPTED]" in str(study).splitlines()[0]


# ----------------------------------------------------------------------------
# interrupts before the first draw


def _interrupt_then_draw_slowly(task):
    # one SIGINT to the caller, sent by the first draw to start (in this process
    # or a forked worker), so it arrives while no draw has completed: a timer
    # could fire before verify reaches its draws (a cold start) or after one
    try:
        os.close(os.open(V.INTERRUPT_FLAG, os.O_CREAT | os.O_EXCL))
        os.kill(V.INTERRUPT_PID, signal.SIGINT)
    except FileExistsError:
        pass
    time.sleep(30.0)          # far longer than verify may take to give up
    open(V.INTERRUPT_FLAG + ".completed", "w").close()
    return V.REAL_DRAW(task)


@pytest.mark.parametrize("backend", ["serial", "processes"])
def test_interrupt_before_the_first_draw_raises_one_clear_keyboardinterrupt(
        monkeypatch, real_draw, backend, tmp_path):
    monkeypatch.setattr(V, "_draw", _interrupt_then_draw_slowly)
    monkeypatch.setattr(V, "INTERRUPT_PID", os.getpid(), raising=False)
    monkeypatch.setattr(V, "INTERRUPT_FLAG", str(tmp_path / "interrupted"), raising=False)
    original = _blas_threads()
    kw = dict(max_workers=2) if backend == "processes" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")        # no "interrupted after 0 draws" warning
        with pytest.raises(KeyboardInterrupt) as info:
            verify(n=20, gamma=2.0, w=0.5, lam=0.0, draws=3, seed=0, progress=False,
                   backend=backend, **kw)
    assert str(info.value) == "verify interrupted before the first of 3 draws completed"
    # it gave up without waiting for the (30 s) draws under way to complete
    assert not os.path.exists(str(tmp_path / "interrupted") + ".completed")
    assert _blas_threads() == original and P._BLAS.state == (None, 0)


# ----------------------------------------------------------------------------
# 16: sizes that pass validation but cannot finish


@pytest.fixture
def memory(monkeypatch):
    """Set the available memory (bytes) the checks see."""
    def set_available(value):
        monkeypatch.setattr(resources, "available_memory", lambda: value)
    set_available(24 * 10**9)
    return set_available


@pytest.fixture
def no_computation(monkeypatch):
    """A refused size must not reach the theory, the draws or the SVD."""
    def unreachable(*args, **kwargs):
        raise AssertionError("computation reached")
    for module, name in ((V, "_theory"), (V, "run_tasks"), (S, "_LinearFit")):
        monkeypatch.setattr(module, name, unreachable)


CLI_VERIFY = dict(gamma=2.0, w=[0.5, 0.618, 1.0], lam=0.0, draws=20, seed=0, progress=False)


def test_verify_n_20000_is_refused_with_the_estimate_and_the_limit(memory, no_computation):
    with pytest.raises(ValueError) as info:
        verify(n=20000, **CLI_VERIFY)
    message = str(info.value)
    assert message.startswith("n too large for the memory: verify with n=20000, "
                              "p=round(gamma*n)=40000, method='exact' needs about ")
    assert "per draw in this process" in message
    assert "more than the limit of 19.2 GB (SAFETY=0.8 x 24.0 GB available); lower n" in message
    assert "\n" not in message


def test_verify_simulate_t_99999_reps_10000_is_refused(memory, no_computation):
    with pytest.raises(ValueError) as info:
        verify(n=200, method="simulate", t=99999, reps=10000, **CLI_VERIFY)
    message = str(info.value)
    assert message.startswith("t too large: verify method='simulate' needs about ")
    assert ("(draws=20 x 3 grid points x reps=10000 x T=99999 refits at n=200, p=400), more "
            "than the cap MAX_FLOPS=1e+16") in message


def test_simulate_retraining_t_99999_reps_10000_is_refused(memory, no_computation):
    memory(8 * 10**9)
    pr = make_problem("isotropic", n=200, gamma=2.0, rng=0)
    with pytest.raises(ValueError) as info:
        simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, w=0.5, lam=0.0, T=99999, reps=10000)
    message = str(info.value)
    assert message.startswith("T too large for the memory: simulate_retraining with reps=10000, "
                              "T=99999, X of shape (200, 400) needs about 8.")
    assert "(8.0 GB for the risks returned), more than the limit of 6.4 GB" in message


def test_verify_just_under_the_memory_limit_runs(memory):
    kw = dict(n=30, gamma=2.0, w=[0.5, 1.0], lam=0.0, draws=3, seed=0, progress=False)
    plan = verify(_check_only=True, **kw)
    assert plan.workers == 1 and plan.memory > 8 * 30 * 60
    memory(int(plan.memory / resources.SAFETY) + 2)       # limit just above the estimate
    assert verify(**kw).draws_completed == 3
    memory(int(plan.memory / resources.SAFETY) - 2)       # just below
    # p = n would fit: gamma is the argument to lower (as for the absurd sizes)
    with pytest.raises(ValueError, match=r"^gamma too large for the memory: .* lower gamma or n$"):
        verify(**kw)


def test_simulate_retraining_just_under_the_memory_limit_runs(memory):
    pr = make_problem("isotropic", n=20, gamma=2.0, rng=0)
    kw = dict(Sigma=pr.Sigma, w=0.5, lam=0.1, T=50, reps=300, rng=1)
    needed = 8 * resources.simulate_floats(20, 40, 50, 300)
    memory(int(needed / resources.SAFETY) + 2)
    assert simulate_retraining(pr.X, pr.beta, **kw).shape == (300, 51)
    memory(int(needed / resources.SAFETY) - 2)
    with pytest.raises(ValueError, match=r"too large for the memory: simulate_retraining"):
        simulate_retraining(pr.X, pr.beta, **kw)


def test_process_workers_fit_the_memory(memory):
    kw = dict(n=400, gamma=2.0, w=0.5, lam=0.0, draws=8, seed=0, progress=False,
              backend="processes", _check_only=True)
    one = verify(max_workers=1, **kw).memory
    memory(int(one / resources.SAFETY) + 2)              # room for one worker only
    assert verify(**kw).workers == 1                     # the default adapts
    with pytest.raises(ValueError, match=r"^max_workers too large for the memory: .*"
                                         r"use max_workers <= 1$"):
        verify(max_workers=2, **kw)


def test_simulate_retraining_progress_bar(capsys):
    pr = make_problem("isotropic", n=20, gamma=2.0, rng=0)
    simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, w=0.5, lam=0.0, T=7, reps=10, rng=1,
                        progress=True)
    assert "7/7" in capsys.readouterr().err
    simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, w=0.5, lam=0.0, T=7, reps=10, rng=1)
    assert capsys.readouterr().err == ""          # not a terminal, and short


def test_convergence_study_progress_bar(capsys):
    convergence_study(ns=(20, 40), gamma=2.0, w=1.0, lam=0.0, draws=3, seed=0, progress=True)
    err = capsys.readouterr().err
    assert "verify isotropic n=20" in err and "verify isotropic n=40" in err


def test_available_memory_is_reported():
    available = resources.available_memory()
    assert available is None or available > 0


def test_make_problem_and_conditional_risk_refuse_what_cannot_fit(memory):
    memory(10**9)                                     # limit 0.8 GB
    with pytest.raises(ValueError, match=r"^n too large for the memory: make_problem\('ar1'\) "
                                         r"with n=10000, p=round\(gamma\*n\)=20000 needs about "
                                         r".*more than the limit of 800.0 MB"):
        make_problem("ar1", n=10000, gamma=2.0, rng=0)
    pr = make_problem("isotropic", n=40, gamma=2.0, rng=0)
    memory(1000)
    with pytest.raises(ValueError, match=r"^X too large for the memory: ConditionalRisk of X "
                                         r"of shape \(40, 80\)"):
        ConditionalRisk(pr.X, pr.beta, pr.Sigma)
