"""Verification reports (issue 4): ``limiting_risk`` against the Monte
Carlo mean over independent draws of ``(X, β)``, on every backend.

Statistic: ``z = (mean over draws − theory) / (sd/√draws)``; a point passes
when ``|z| <= 3``. Draw ``k`` is seeded by child ``k`` of
``SeedSequence(seed)``, so backends must agree to the last bit. Every seed
is fixed.
"""
import json
import math
import warnings

import numpy as np
import pytest
from scipy.stats import t as student_t

import rmtheory.symbolic as rs
from rmtheory.compare import ConvergenceStudy, VerificationReport, convergence_study, verify
from rmtheory.montecarlo import BACKENDS
from rmtheory.compare.verify import RECORD_FIELDS, STATIONARY_TOL

INV_PHI = 0.6180339887
EVIDENCE_W = [0.3, INV_PHI, 1.0]
EVIDENCE_LAM = [0.0, 0.5]


def _describe(report):
    return "\n" + str(report)


# ----------------------------------------------------------------------------
# the evidence of issue 4


def test_isotropic_evidence_n2000():
    """n = 2000, γ = 2, 20 draws: theory within 3 standard errors of the
    Monte Carlo mean for w ∈ {0.3, 1/φ, 1}, λ ∈ {0, 0.5}."""
    report = verify("isotropic", n=2000, gamma=2.0, w=EVIDENCE_W, lam=EVIDENCE_LAM, draws=20,
                    seed=20261127, backend="processes", progress=False)
    assert report.complete and report.draws_completed == 20
    assert len(report.records) == 6
    assert report.all_passed, _describe(report)
    assert np.all(np.abs(report.z_scores) <= 3.0), _describe(report)
    # the interval is mean ± t_{0.975,19} se, and the report is self-consistent
    q = student_t.ppf(0.975, 19)
    for r, column in zip(report.records, report.samples.reshape(20, -1).T):
        assert r["mc_mean"] == pytest.approx(column.mean(), rel=1e-14)
        assert r["std_error"] == pytest.approx(column.std(ddof=1) / math.sqrt(20), rel=1e-12)
        assert r["ci_high"] - r["mc_mean"] == pytest.approx(q * r["std_error"], rel=1e-12)
        assert r["mc_mean"] - r["ci_low"] == pytest.approx(q * r["std_error"], rel=1e-12)
    # min-norm isotropic closed form: r²(1 − 1/γ) + c(w) σ²/(γ − 1)
    for r in report.records:
        if r["lam"] == 0.0:
            assert r["theory"] == pytest.approx(0.5 + float(rs.c_w(r["w"])), rel=1e-12)


#: the largest n the CI budget allows per model (one draw's cost is
#: dominated by the full p×p Σ: its Cholesky check and Σ V; for ar1 also
#: the eigendecomposition of Σ that builds Σ^{1/2})
STRUCTURED_N = {"spiked": 1000, "discrete": 1000, "equicorrelated": 1000, "ar1": 600}


@pytest.mark.parametrize("spectrum", sorted(STRUCTURED_N))
def test_other_spectra_evidence(spectrum):
    """The same grid for the structured models, γ = 2, 20 draws.

    Their finite-n mean sits above the limit by about 2/n (measured: spiked
    0.021, 0.011, 0.004 at n = 100, 200, 400; equicorrelated 0.029, 0.016,
    0.007 at n = 75, 150, 300 — the diverging eigenvalue of Σ, which the
    limit ignores, costs about one sample), against a standard error of
    about 0.1/√(n · draws) from the direction of β; hence the largest n."""
    report = verify(spectrum, n=STRUCTURED_N[spectrum], gamma=2.0, w=EVIDENCE_W,
                    lam=EVIDENCE_LAM, draws=20, seed=20261127, backend="processes",
                    progress=False)
    assert report.complete and report.draws_completed == 20
    assert report.all_passed, _describe(report)


@pytest.mark.parametrize("spectrum, t, ws", [("ar1", None, [0.5, 1.0]),
                                             ("isotropic", 5, [0.5, 1.0])])
def test_simulate_method_matches_exact_per_draw(spectrum, t, ws):
    """``method="simulate"`` runs the literal loop on the same draws of
    (X, β) as ``"exact"`` (the problem consumes the draw's generator first):
    per draw, the mean over noise repetitions is unbiased for the exact
    conditional risk (at t, or at t → ∞ after T stationary refits)."""
    kw = dict(n=30, gamma=2.0, w=ws, lam=[0.0, 0.3], t=t, draws=12, seed=77, progress=False)
    exact = verify(spectrum, **kw)
    simulated = verify(spectrum, method="simulate", reps=400, **kw)
    assert simulated.params["T"] == (34 if t is None else t)      # 0.5^34 < 1e-10
    assert simulated.params["reps"] == 400
    diff = (simulated.samples - exact.samples).reshape(12, -1)
    z = diff.mean(axis=0) / (diff.std(axis=0, ddof=1) / math.sqrt(12))
    assert np.all(np.abs(z) < 4), z
    # theory is the same on both
    assert [r["theory"] for r in exact.records] == [r["theory"] for r in simulated.records]


def test_simulate_stationary_horizon():
    """t = None with the literal loop: T is the first with (1 − min w)^T < 1e-10."""
    rep = verify(n=12, gamma=2.0, w=[0.3, 1.0], lam=0.1, draws=2, seed=1, method="simulate",
                 reps=2, progress=False)
    T = rep.params["T"]
    assert 0.7**T < STATIONARY_TOL <= 0.7**(T - 1)


# ----------------------------------------------------------------------------
# convergence in n


def test_convergence_gap_shrinks_like_one_over_n():
    """Isotropic min-norm at t = ∞: the mean over draws is exactly
    E R = r²(1 − n/p) + c(w) σ² n/(p − n − 1) (β uniform; E (XXᵀ)⁻¹ =
    I/(p − n − 1), inverse Wishart), so the gap to the limit is
    c(w)/(n − 1) at γ = 2: slope −1 in log–log. r² = 0.01 keeps the bias
    term's O(p^{-1/2}) draw-to-draw noise (β's direction) below that O(1/n)
    gap; the variance term fluctuates at O(1/n) itself."""
    ns = (50, 100, 200, 400)
    study = convergence_study("isotropic", ns=ns, gamma=2.0, w=[INV_PHI, 1.0], lam=0.0,
                              r2=0.01, draws=100, seed=31, backend="processes", progress=False)
    assert isinstance(study, ConvergenceStudy)
    assert study.slope < -0.5, str(study)
    for s in study.slopes:
        assert s["slope"] < -0.5, str(study)
    rows = study.to_records()
    gap_by_n = {}
    for row in rows:
        gap_by_n.setdefault(row["n"], []).append(row["abs_gap"])
    means = [np.mean(gap_by_n[n]) for n in ns]
    assert means[-1] < means[0] / 3, str(study)
    # the finite-n mean is the exact expectation above (z-test per point)
    for row in rows:
        n, p = row["n"], 2 * row["n"]
        expected = 0.01 * (1 - n / p) + float(rs.c_w(row["w"])) * n / (p - n - 1)
        assert abs(row["mc_mean"] - expected) <= 3 * row["std_error"], (row, expected)
    json.loads(study.to_json())
    assert "slope of the grid-mean |gap|" in str(study)


# ----------------------------------------------------------------------------
# the report as data


@pytest.fixture(scope="module")
def small_report():
    return verify("spiked", n=40, gamma=1.5, w=[0.4, 1.0], lam=[0.0, 0.2, 1.0], draws=5,
                  seed=9, progress=False, spikes=(3.0,), alignments=(0.4,))


def test_records_are_plain(small_report):
    records = small_report.to_records()
    assert len(records) == 6
    assert [(r["w"], r["lam"]) for r in records] == [(w, lam) for w in (0.4, 1.0)
                                                     for lam in (0.0, 0.2, 1.0)]
    for r in records:
        assert tuple(r) == RECORD_FIELDS
        assert r["spectrum"] == "spiked" and r["n"] == 40 and r["p"] == 60 and r["t"] is None
        assert all(type(r[k]) is float for k in ("w", "lam", "theory", "mc_mean", "std_error",
                                                 "ci_low", "ci_high", "z", "gamma"))
        assert type(r["passed"]) is bool
        assert r["ci_low"] < r["mc_mean"] < r["ci_high"]
    records[0]["theory"] = -1.0                     # a copy
    assert small_report.records[0]["theory"] != -1.0
    assert small_report.params["spectrum_params"]["spikes"] == [3.0]


def test_json_round_trip(small_report):
    text = small_report.to_json()
    doc = json.loads(text)
    assert doc["records"] == small_report.to_records()
    assert doc["draws_completed"] == 5 and doc["complete"] is True
    back = VerificationReport.from_json(text)
    assert back.records == small_report.records
    assert back.params == small_report.params
    np.testing.assert_array_equal(back.samples, small_report.samples)
    assert back.draw_indices == small_report.draw_indices
    assert str(back) == str(small_report)


def test_text_table(small_report):
    text = str(small_report)
    lines = text.splitlines()
    assert lines[0].startswith("verify spiked")
    for header in ("w", "lam", "theory", "MC mean", "std err", "95% CI", "z", "pass"):
        assert header in lines[1]
    assert len(lines) == 1 + 2 + 6 + 1
    assert len({len(line) for line in lines[1:-1]}) == 1          # aligned columns
    assert "points within 3 standard errors of their reference (the verdict z" in lines[-1]
    assert "extrapolated limit" in text and "n = 10, 20, 40" in lines[-1]
    assert "draws=5" in repr(small_report)


def test_pass_criterion_is_the_verdict_z(small_report):
    """The plain z at n stays as information; ``passed`` is the verdict."""
    for r in small_report.records:
        z = (r["mc_mean"] - r["theory"]) / r["std_error"]
        assert r["z"] == pytest.approx(z, rel=1e-12)
        assert r["reference"] == "extrapolated limit" and r["ns"] == [10, 20, 40]
        assert r["passed"] == (abs(r["verdict_z"]) <= 3.0)
    strict = verify("spiked", n=40, gamma=1.5, w=[0.4, 1.0], lam=[0.0, 0.2, 1.0], draws=5,
                    seed=9, progress=False, spikes=(3.0,), alignments=(0.4,),
                    z_threshold=1e-9)
    np.testing.assert_array_equal(strict.samples, small_report.samples)
    assert [r["passed"] for r in strict.records] == [abs(r["verdict_z"]) <= 1e-9
                                                     for r in strict.records]


def test_progress_bar(capsys):
    verify(n=10, gamma=2.0, w=1.0, lam=0.0, draws=3, seed=0, progress=True)
    assert "3/3" in capsys.readouterr().err
    verify(n=10, gamma=2.0, w=1.0, lam=0.0, draws=3, seed=0, progress=None)
    assert capsys.readouterr().err == ""       # not a terminal, and short


# ----------------------------------------------------------------------------
# interruption keeps the completed draws


def _interrupt_after(k):
    def hook(completed, index):
        if completed == k:
            raise KeyboardInterrupt
    return hook


@pytest.mark.parametrize("backend", ["serial", "processes"])
def test_interrupted_run_keeps_completed_draws(backend):
    kw = dict(n=40, gamma=2.0, w=[0.5, 1.0], lam=0.2, draws=12, seed=3, progress=False)
    full = verify("ar1", **kw)
    with pytest.warns(RuntimeWarning, match="interrupted after 3 of 12 draws"):
        part = verify("ar1", backend=backend, _on_draw=_interrupt_after(3), **kw)
    assert part.complete is False and part.draws_completed == 3
    assert len(part.draw_indices) == 3
    np.testing.assert_array_equal(part.samples, full.samples[list(part.draw_indices)])
    means = part.samples.reshape(3, -1).mean(axis=0)
    assert [r["mc_mean"] for r in part.records] == pytest.approx(means.tolist(), rel=1e-14)
    assert "INTERRUPTED" in str(part) and "draws=3/12" in str(part)
    assert json.loads(part.to_json())["complete"] is False


def test_interrupted_after_one_draw_has_no_spread():
    with pytest.warns(RuntimeWarning):
        part = verify(n=20, gamma=2.0, w=0.5, lam=0.0, draws=4, seed=1, progress=False,
                      _on_draw=_interrupt_after(1))
    r = part.records[0]
    assert part.draws_completed == 1 and math.isnan(r["std_error"]) and math.isnan(r["z"])
    assert r["passed"] is False and not part.all_passed


# ----------------------------------------------------------------------------
# bad input names the argument


BAD_VERIFY = [
    ("spectrum", dict(spectrum="cauchy"), ValueError),
    ("spectrum", dict(spectrum=3), TypeError),
    ("n", dict(n=1), ValueError),
    ("n", dict(n=10.0), TypeError),
    ("gamma", dict(gamma=0.0), ValueError),
    ("w", dict(w=0.0), ValueError),
    ("w", dict(w=[0.5, 1.5]), ValueError),
    ("w", dict(w=float("nan")), ValueError),
    ("w", dict(w="half"), TypeError),
    ("w", dict(w=[]), ValueError),
    ("w", dict(w=[[0.5]]), ValueError),
    ("lam", dict(lam=-0.1), ValueError),
    ("t", dict(t=-1), ValueError),
    ("draws", dict(draws=1), ValueError),
    ("draws", dict(draws=2.5), TypeError),
    ("seed", dict(seed=-1), ValueError),
    ("seed", dict(seed="abc"), TypeError),
    ("sigma2", dict(sigma2=0.0), ValueError),
    ("r2", dict(r2=-1.0), ValueError),
    ("kappa_s", dict(kappa_s=-1.0), ValueError),
    ("method", dict(method="bootstrap"), ValueError),
    ("reps", dict(reps=0), ValueError),
    ("z_threshold", dict(z_threshold=0.0), ValueError),
    ("backend", dict(backend="gpu"), ValueError),
    ("backend", dict(backend=None), TypeError),
    ("backend", dict(backend="dask"), ValueError),
    ("client", dict(client=object()), ValueError),
    ("address", dict(address="tcp://127.0.0.1:1"), ValueError),
    ("max_workers", dict(backend="processes", max_workers=0), ValueError),
    ("max_workers", dict(max_workers=2), ValueError),
    ("blas_threads", dict(blas_threads=0), ValueError),
    ("progress", dict(progress="yes"), TypeError),
    ("bogus", dict(bogus=1), ValueError),
    ("rho", dict(spectrum="ar1", rho=1.5), ValueError),
]


@pytest.mark.parametrize("argument, change, error", BAD_VERIFY)
def test_verify_bad_inputs(argument, change, error, monkeypatch):
    import importlib
    kw = dict(spectrum="isotropic", n=10, gamma=2.0, w=0.5, lam=0.0, draws=3, seed=0,
              progress=False)
    kw.update(change)

    def no_draw(task):
        raise AssertionError("a draw ran before the input was rejected")
    monkeypatch.setattr(importlib.import_module("rmtheory.compare.verify"), "_draw", no_draw)
    with pytest.raises(error, match=rf"^{argument}\b"):      # rejected before any draw
        verify(kw.pop("spectrum"), **kw)


def test_convergence_bad_inputs():
    kw = dict(gamma=2.0, w=1.0, lam=0.0, draws=2, seed=0, progress=False)
    with pytest.raises(ValueError, match=r"^ns\b"):
        convergence_study(ns=(100,), **kw)
    with pytest.raises(ValueError, match=r"^ns\b"):
        convergence_study(ns=(200, 100), **kw)
    with pytest.raises(ValueError, match=r"^ns\[1\]"):
        convergence_study(ns=(100, 1), **kw)
    with pytest.raises(TypeError, match=r"^ns\b"):
        convergence_study(ns=100, **kw)


# ----------------------------------------------------------------------------
# backends: identical numbers for identical seeds


def test_backends_listed():
    assert BACKENDS == ("serial", "processes", "dask")


@pytest.mark.parametrize("spectrum", ["isotropic", "ar1"])
def test_processes_identical_to_serial(spectrum):
    kw = dict(n=120, gamma=1.5, w=[0.3, 0.8], lam=[0.0, 0.4], draws=6, seed=123,
              progress=False)
    serial = verify(spectrum, **kw)
    parallel = verify(spectrum, backend="processes", max_workers=2, **kw)
    np.testing.assert_array_equal(parallel.samples, serial.samples)
    assert parallel.records == serial.records
    assert parallel.params["backend"] == "processes"


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("dask.distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                           dashboard_address=None)
    client = distributed.Client(cluster)
    yield cluster, client
    client.close()
    cluster.close()


def test_dask_identical_to_serial(dask_cluster):
    cluster, client = dask_cluster
    kw = dict(n=120, gamma=1.5, w=[0.3, 0.8], lam=[0.0, 0.4], draws=6, seed=123,
              progress=False)
    serial = {}
    for spectrum in ("isotropic", "ar1", "spiked"):
        serial[spectrum] = verify(spectrum, **kw)
        on_dask = verify(spectrum, backend="dask", client=client, **kw)
        np.testing.assert_array_equal(on_dask.samples, serial[spectrum].samples)
        assert on_dask.records == serial[spectrum].records
    # by scheduler address: a client of its own, closed at the end
    by_address = verify("ar1", backend="dask", address=cluster.scheduler_address, **kw)
    np.testing.assert_array_equal(by_address.samples, serial["ar1"].samples)
    assert by_address.params["backend"] == "dask"


def test_dask_interrupted_keeps_completed(dask_cluster):
    _, client = dask_cluster
    kw = dict(n=40, gamma=2.0, w=0.5, lam=0.2, draws=10, seed=8, progress=False)
    full = verify(**kw)
    with pytest.warns(RuntimeWarning):
        part = verify(backend="dask", client=client, _on_draw=_interrupt_after(4), **kw)
    assert part.draws_completed == 4 and not part.complete
    np.testing.assert_array_equal(part.samples, full.samples[list(part.draw_indices)])


def test_dask_client_must_be_a_client():
    with pytest.raises(TypeError, match=r"^client\b"):
        verify(n=10, gamma=2.0, w=0.5, lam=0.0, draws=2, seed=0, backend="dask",
               client="tcp://127.0.0.1:8786", progress=False)


def test_unreachable_dask_address_fails_with_a_clear_error():
    with pytest.raises(ConnectionError, match=r"^address 'tcp://127\.0\.0\.1:1'"):
        verify(n=10, gamma=2.0, w=0.5, lam=0.0, draws=2, seed=0, backend="dask",
               address="tcp://127.0.0.1:1", progress=False)
