"""External results reproduced with the Monte Carlo layer (issue 4).

* He, Xu & Cheng, "Golden ratio weighting prevents model collapse",
  arXiv 2502.18049: fixed-design low-dimensional OLS (n = 100, p = 2),
  T = 200 refits on w·(fresh real) + (1 − w)·(synthetic) labels, risk
  averaged over iterations 150–199, w from 0.20 to 0.78: the minimum sits
  at w ≈ 0.618 = 1/φ.
* Gerstgrasser et al., "Is model collapse inevitable? Breaking the curse of
  recursion by accumulating real and synthetic data", arXiv 2404.01413:
  when synthetic data accumulate alongside the real data, the error of
  least squares stays below π²/6 times the one-shot error (here: the
  variance part, ``R_t ≤ B_0 + (π²/6) V_0``), whatever the number of
  iterations.
* Dohmatob, Feng & Kempe, "Model collapse demystified: the case of
  regression", arXiv 2402.07712: training only on the previous model's
  labels (replace), the test error grows linearly in the number of
  generations, each adding the one-shot variance — for OLS in expectation
  ``σ² p/(n − p − 1)`` per generation.

Both the exact conditional risk (one factorisation of X, SPEC §2) and the
literal simulation of the loop are checked; every seed is fixed. A z-score
is ``(simulated mean − exact)/(sd/√reps)``; ``|z| < 4`` is the band.
"""
import math

import numpy as np
import pytest

import rmtheory.symbolic as rs
from rmtheory.montecarlo import ConditionalRisk, make_problem, simulate_retraining

from test_montecarlo import accumulate_reference

Z_BAND = 4.0
INV_PHI = (math.sqrt(5) - 1) / 2


def z_scores(samples, exact):
    reps = samples.shape[0]
    return (samples.mean(axis=0) - exact) / (samples.std(axis=0, ddof=1) / np.sqrt(reps))


# ----------------------------------------------------------------------------
# He, Xu & Cheng (arXiv 2502.18049): the golden-ratio weight in OLS


HXC_N, HXC_P, HXC_T = 100, 2, 200
HXC_WINDOW = slice(150, 200)                       # iterations 150..199
HXC_W = np.round(np.arange(0.20, 0.78 + 1e-9, 0.02), 2)


@pytest.fixture(scope="module")
def hxc_problem():
    pr = make_problem("isotropic", n=HXC_N, gamma=HXC_P / HXC_N, rng=2502_18049)
    assert pr.X.shape == (HXC_N, HXC_P)
    return pr


def test_hxc_exact_curve_minimum_at_inverse_golden_ratio(hxc_problem):
    """The exact window-averaged risk, for each w of the grid, from the
    one-step recursion (one factorisation of X for the whole grid)."""
    pr = hxc_problem
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    curve = np.array([cr.risk_path(np.full(HXC_T - 1, w), 0.0)[HXC_WINDOW].mean()
                      for w in HXC_W])
    best = HXC_W[np.argmin(curve)]
    assert best == HXC_W[np.argmin(np.abs(HXC_W - INV_PHI))] == 0.62
    assert abs(best - INV_PHI) <= 0.04
    # OLS (p < n): no bias, and by t = 150 the variance factor is c(w) (to
    # (1 − w)^300 ≤ 1e-29): the curve is c(w) V_0, minimal at 1/φ
    V0 = cr.variance(1.0, 0.0, t=0)
    c = np.array([float(rs.c_w(w)) for w in HXC_W])
    np.testing.assert_allclose(curve, c * V0, rtol=1e-10)
    # the curve is convex around the minimum: mixing in synthetic data helps
    # down to 1/φ and hurts below it; w = 1 (real only) is worse than 1/φ
    assert curve[0] > curve.min() and curve[-1] > curve.min()
    assert cr.variance(1.0, 0.0) / V0 == pytest.approx(1.0)
    assert curve.min() < V0


def test_hxc_simulated_curve_minimum_near_inverse_golden_ratio(hxc_problem):
    """The literal loop, 200 repetitions per w with common random numbers
    (the same seed for every w, as a sweep over w would be run)."""
    pr = hxc_problem
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    means, zs = [], []
    for w in HXC_W:
        risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, w=w, lam=0.0, T=HXC_T - 1,
                                    reps=200, rng=150199)
        window = risks[:, HXC_WINDOW].mean(axis=1)
        exact = cr.risk_path(np.full(HXC_T - 1, w), 0.0)[HXC_WINDOW].mean()
        means.append(window.mean())
        zs.append((window.mean() - exact) / (window.std(ddof=1) / math.sqrt(200)))
    best = HXC_W[int(np.argmin(means))]
    assert abs(best - INV_PHI) <= 0.04, dict(zip(HXC_W, means))
    assert np.all(np.abs(zs) < Z_BAND), zs


# ----------------------------------------------------------------------------
# Gerstgrasser et al. (arXiv 2404.01413): accumulating data bounds the error


#: the exact accumulate risk by the Gaussian recursion of the running label
#: sum, shared with the Monte Carlo unit tests (independent of any closed form)
accumulate_exact = accumulate_reference


@pytest.mark.parametrize("spectrum, n, gamma", [("isotropic", 40, 2.0), ("ar1", 60, 0.5)])
def test_accumulate_stays_below_pi2_over_6(spectrum, n, gamma):
    """Min-norm (γ = 2) and OLS (γ = 1/2): ``R_t = B_0 + V_0 Σ_{j≤t} 1/(j+1)²``,
    increasing to, and always below, ``B_0 + (π²/6) V_0``, for t up to 50."""
    T = 50
    pr = make_problem(spectrum, n=n, gamma=gamma, rng=2404_01413)
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    B0, V0 = cr.bias(1.0, 0.0, t=0), cr.variance(1.0, 0.0, t=0)
    bound = B0 + math.pi**2 / 6 * V0
    exact = accumulate_exact(pr.X, pr.beta, pr.Sigma, 0.0, 1.0, T)
    partial = np.cumsum(1.0 / np.arange(1, T + 2)**2)
    np.testing.assert_allclose(exact, B0 + partial * V0, rtol=1e-9)
    assert np.all(exact < bound) and np.all(np.diff(exact) > 0)
    # it approaches the bound: the gap is V_0 Σ_{j>T+1} 1/j² ∈ (V_0/(T+2), V_0/(T+1))
    assert V0 / (T + 2) < bound - exact[-1] < V0 / (T + 1)
    # replacing instead of accumulating: B_0 + (1 + t) V_0, far above the bound
    replace = cr.risk_path(np.zeros(T), 0.0)
    assert replace[-1] > bound + 40 * V0

    reps = 2000
    risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, lam=0.0, T=T, reps=reps,
                                rng=2404, scheme="accumulate")
    z = z_scores(risks, exact)
    assert np.all(np.abs(z) < Z_BAND), z
    se = risks.std(axis=0, ddof=1) / math.sqrt(reps)
    assert np.all(risks.mean(axis=0) <= bound + 3 * se)


# ----------------------------------------------------------------------------
# Dohmatob, Feng & Kempe (arXiv 2402.07712): replace grows linearly


@pytest.mark.parametrize("spectrum, n, gamma", [("isotropic", 40, 2.0), ("ar1", 100, 0.1)])
def test_replace_grows_linearly_with_slope_v0(spectrum, n, gamma):
    """Exact: ``R_t = B_0 + (1 + t) V_0`` to rounding. Simulated: the
    per-repetition least-squares slope in t estimates ``V_0``."""
    T, reps = 30, 2000
    pr = make_problem(spectrum, n=n, gamma=gamma, rng=2402_07712)
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    B0, V0 = cr.bias(1.0, 0.0, t=0), cr.variance(1.0, 0.0, t=0)
    ts = np.arange(T + 1)
    exact = cr.risk_path(np.zeros(T), 0.0)
    np.testing.assert_allclose(exact, B0 + (1 + ts) * V0, rtol=1e-12)
    np.testing.assert_allclose(np.diff(exact), V0, rtol=1e-9)

    risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, lam=0.0, T=T, reps=reps,
                                rng=7712, scheme="replace")
    centred = ts - ts.mean()
    slopes = risks @ centred / (centred @ centred)
    z_slope = (slopes.mean() - V0) / (slopes.std(ddof=1) / math.sqrt(reps))
    assert abs(z_slope) < Z_BAND, (slopes.mean(), V0, z_slope)
    assert np.all(np.abs(z_scores(risks, exact)) < Z_BAND)


def test_replace_ols_increment_is_sigma2_p_over_n_minus_p_minus_1():
    """OLS with isotropic Gaussian features: the per-generation increment
    ``V_0 = σ² tr((XᵀX)⁻¹)`` has expectation ``σ² p/(n − p − 1)`` over X
    (inverse-Wishart mean), the slope in Dohmatob, Feng & Kempe's formula."""
    n, p, draws, sigma2 = 100, 10, 400, 1.5
    rng = np.random.default_rng(2402)
    increments = []
    for _ in range(draws):
        pr = make_problem("isotropic", n=n, gamma=p / n, rng=rng)
        cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
        path = cr.risk_path(np.zeros(3), 0.0, sigma2=sigma2)
        increments.append(path[3] - path[2])
    increments = np.asarray(increments)
    expected = sigma2 * p / (n - p - 1)
    z = (increments.mean() - expected) / (increments.std(ddof=1) / math.sqrt(draws))
    assert abs(z) < Z_BAND, (increments.mean(), expected, z)
