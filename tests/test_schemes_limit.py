"""The limit theory of the four retraining schemes (issue 11): ``scheme=`` on
``limiting_risk`` and ``optimal_w`` against finite-n exact conditional risks,
t -> infinity, the min-norm factors, and bad input."""
import math

import numpy as np
import pytest
from mpmath import mp

import rmtheory as rt
from rmtheory.montecarlo import make_problem
from rmtheory.symbolic.schemes import iterate_multipliers

SPIKED = dict(spikes=[4.0], alignments=[0.5])


def _exact_conditional_risk(problem, scheme, lam, t, sigma2=1.0, kappa_s=1.0):
    """E[‖β̂_t − β‖²_Σ | X] from the scheme's per-eigenvalue multipliers at the
    eigenvalues of XᵀX/n (via the n × n Gram matrix: p > n here)."""
    X, beta, Sigma = problem.X, problem.beta, problem.Sigma
    n, p = X.shape
    if Sigma.ndim == 1:                           # a diagonal Σ, given by its eigenvalues
        Sigma = np.diag(Sigma)
    evals, U = np.linalg.eigh(X @ X.T / n)
    keep = evals > 1e-10 * evals.max()
    d, U = evals[keep], U[:, keep]
    V = X.T @ U / np.sqrt(n * d)                   # eigenvectors of XᵀX/n, d > 0
    a, u = iterate_multipliers(scheme, t, d, lam=lam, kappa_s=kappa_s)[-1]
    coef = V.T @ beta
    err = V @ (a * coef) - beta                    # a = 0 off the range of Xᵀ
    SV = Sigma @ V
    variance = sigma2 / n * np.sum(u * np.einsum("ij,ij->j", V, SV))
    return float(err @ Sigma @ err + variance)


@pytest.mark.parametrize("spectrum, params", [("isotropic", {}), ("spiked", SPIKED)])
@pytest.mark.parametrize("scheme", ["replace", "dynamic", "accumulate"])
def test_schemes_against_exact_finite_n_risks(spectrum, params, scheme):
    """n = 400, γ = 2, λ = 1/2, t = 4: the mean of 16 exact conditional risks
    against the limit theory, |z| < 4. The theory of another scheme (replace
    for the others, accumulate for replace) is far outside."""
    from threadpoolctl import threadpool_limits
    rng = np.random.default_rng(20261201)
    with threadpool_limits(limits=1, user_api="blas"):   # small matrices: one thread
        risks = [_exact_conditional_risk(make_problem(spectrum, n=400, gamma=2.0, rng=rng,
                                                      **params), scheme, 0.5, 4)
                 for _ in range(16)]
    theory = float(rt.limiting_risk(None, spectrum, gamma=2.0, lam=0.5, t=4, scheme=scheme,
                                    dps=15, **params))
    mean, se = np.mean(risks), np.std(risks, ddof=1) / math.sqrt(len(risks))
    z = (mean - theory) / se
    assert abs(z) < 4, (mean, theory, se)
    other = "accumulate" if scheme == "replace" else "replace"
    wrong = float(rt.limiting_risk(None, spectrum, gamma=2.0, lam=0.5, t=4, scheme=other,
                                   dps=15, **params))
    assert abs(mean - wrong) / se > 8


def test_min_norm_factors():
    """λ = 0: replace collapses linearly, accumulate tends to π²/6, dynamic's
    variance factor is its own weight (v_t = w_t)."""
    v0 = 1 / (2.0 - 1)                    # isotropic γ = 2: V_0 = σ²/(γ − 1)
    for t in (0, 1, 5, 40):
        rep = rt.limiting_risk(None, gamma=2.0, t=t, scheme="replace", dps=20)
        assert rep.variance == pytest.approx((1 + t) * v0, rel=1e-18)
        acc = rt.limiting_risk(None, gamma=2.0, t=t, scheme="accumulate", dps=20)
        assert acc.variance == pytest.approx(sum(1 / k**2 for k in range(1, t + 2)) * v0,
                                             rel=1e-14)
        dyn = rt.optimal_w(gamma=2.0, t=t, scheme="dynamic", dps=20)
        assert dyn.risk.variance == pytest.approx(float(dyn.w) * v0, rel=1e-15)
    assert rt.limiting_risk(None, gamma=2.0, scheme="replace").variance == mp.inf
    with mp.workdps(30):
        acc = rt.limiting_risk(None, gamma=2.0, scheme="accumulate", dps=30)
        assert abs(acc.variance - mp.pi**2 / 6) < mp.mpf(10)**-25


def test_dynamic_schedule_is_fibonacci():
    res = rt.optimal_w(gamma=2.0, lam=0.5, t=6, scheme="dynamic", dps=25)
    fib = [1, 1]
    while len(fib) < 20:
        fib.append(fib[-1] + fib[-2])
    with mp.workdps(25):
        for k, w in enumerate(res.schedule):
            exact = mp.mpf(fib[2 * k]) / fib[2 * k + 1]      # F_{2k+1}/F_{2k+2}
            assert abs(w - exact) < mp.mpf(10)**-22
    limit = rt.optimal_w(gamma=2.0, lam=0.5, scheme="dynamic", dps=25)
    assert limit.schedule is None
    with mp.workdps(25):
        assert abs(limit.w - 2 / (1 + mp.sqrt(5))) < mp.mpf(10)**-22


@pytest.mark.parametrize("scheme, t", [("replace", 10**5), ("dynamic", 120)])
def test_large_t_tends_to_the_limit(scheme, t):
    """replace's closed form costs the same at any t; dynamic iterates per node."""
    late = rt.limiting_risk(None, "spiked", gamma=2.0, lam=0.5, t=t, scheme=scheme, dps=20,
                            **SPIKED)
    limit = rt.limiting_risk(None, "spiked", gamma=2.0, lam=0.5, scheme=scheme, dps=20,
                             **SPIKED)
    assert abs(late.total - limit.total) < 1e-12 * limit.total


def test_accumulate_ridge_tends_to_the_zero_estimator():
    """a_t ~ t^(−λ/(d+λ)) and u_t -> 0: slowly, the bias grows towards
    r² ∫ s dG and the variance falls to 0."""
    r = [rt.limiting_risk(None, gamma=2.0, lam=0.5, t=t, scheme="accumulate", dps=15)
         for t in (10, 300)]
    assert r[0].bias < r[1].bias < 1.0
    assert r[0].variance > r[1].variance > 0
    assert float(rt.limiting_risk(None, gamma=2.0, lam=0.5, scheme="accumulate")) == 1.0


@pytest.mark.parametrize("call, match", [
    (lambda: rt.limiting_risk(0.5, scheme="mixx"), r"scheme must be one of.*did you mean 'mix'"),
    (lambda: rt.limiting_risk(0.5, scheme="dynamic"), r"w must be None for scheme='dynamic'"),
    (lambda: rt.limiting_risk(None), r"w is required for scheme='mix'"),
    (lambda: rt.optimal_w(scheme="replace"), r"scheme='replace' has no mixing weight"),
    (lambda: rt.limiting_risk(None, scheme="replace", t=-1), r"t"),
    (lambda: rt.limiting_risk(None, scheme="accumulate", t=2.5), r"t"),
    (lambda: rt.limiting_risk(None, scheme="dynamic", lam=0.5, t=10**6),
     r"t must be <= 20000 for scheme='dynamic'"),
])
def test_bad_scheme_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_scheme_must_be_a_string():
    with pytest.raises(TypeError, match="scheme must be a str"):
        rt.limiting_risk(0.5, scheme=1)
