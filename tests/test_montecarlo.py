"""Tests of the Monte Carlo layer: realised problems, exact conditional risk
(against a brute-force p×p computation of the SPEC §2 recursions) and the
literal retraining loop (against the exact risk, by z-scores).

Every random draw uses a fixed seed. A z-score is
``(simulated mean − exact) / (sample sd / √reps)``; under the model it is
approximately N(0, 1), and ``|z| < 4`` is the acceptance band.
"""
import numpy as np
import pytest
from scipy.linalg import sqrtm
from scipy.optimize import linprog

import rmtheory.symbolic as rs
from rmtheory.montecarlo import (SPECTRA, ConditionalRisk, conditional_risk,
                                 conditional_risk_path, make_problem,
                                 simulate_retraining, weight_schedule)

Z_BAND = 4.0


# ----------------------------------------------------------------------------
# references


def brute_force_risk(X, beta, Sigma, w, lam, sigma2=1.0, t=None, kappa_s=1.0):
    """Exact conditional (bias, variance) from the SPEC §2 recursions in
    p×p matrix form: ``m_t = AX(wβ + q m_{t−1})``,
    ``C_t = q² (AX) C_{t−1} (AX)ᵀ + s_w σ² AAᵀ``, with ``m_0 = AXβ``,
    ``C_0 = σ² AAᵀ``; ``t = None`` solves the fixed points (a linear
    solve for the mean, Smith's doubling for the Lyapunov equation)."""
    n, p = X.shape
    S = np.diag(Sigma) if np.ndim(Sigma) == 1 else np.asarray(Sigma)
    A = np.linalg.pinv(X) if lam == 0 else np.linalg.solve(X.T @ X + n * lam * np.eye(p), X.T)
    AX = A @ X
    q, s_w = 1.0 - w, w**2 + kappa_s * (1.0 - w)**2
    noise = sigma2 * A @ A.T
    if t is None:
        m = np.linalg.solve(np.eye(p) - q * AX, w * AX @ beta)
        C, F = s_w * noise, q * AX
        for _ in range(200):
            C = C + F @ C @ F.T
            F = F @ F
            if np.max(np.abs(F)) < 1e-20:
                break
        else:
            raise RuntimeError("doubling did not converge")
    else:
        m, C = AX @ beta, noise
        for _ in range(t):
            m = AX @ (w * beta + q * m)
            C = q**2 * AX @ C @ AX.T + s_w * noise
    err = m - beta
    return err @ S @ err, np.trace(S @ C)


def accumulate_reference(X, beta, Sigma, lam, sigma2, T, kappa_s=1.0):
    """Exact risk of the accumulate scheme by a brute-force recursion on the
    running label sum ``S_t = y_0 + Σ_j ỹ_j`` (n-dimensional, Gaussian):
    ``β̂_t = A S_t/(t+1)``, ``S_{t+1} = (I + XA/(t+1)) S_t + ε̃_{t+1}``."""
    n, p = X.shape
    Smat = np.diag(Sigma) if np.ndim(Sigma) == 1 else np.asarray(Sigma)
    A = np.linalg.pinv(X) if lam == 0 else np.linalg.solve(X.T @ X + n * lam * np.eye(p), X.T)
    mu, cov = X @ beta, sigma2 * np.eye(n)
    out = []
    for t in range(T + 1):
        mean = A @ mu / (t + 1)
        C = A @ cov @ A.T / (t + 1)**2
        err = mean - beta
        out.append(err @ Smat @ err + np.trace(Smat @ C))
        F = np.eye(n) + X @ A / (t + 1)
        mu = F @ mu
        cov = F @ cov @ F.T + kappa_s * sigma2 * np.eye(n)
    return np.asarray(out)


def z_scores(samples, exact):
    """Per-column z-scores of the sample means against exact values."""
    reps = samples.shape[0]
    return (samples.mean(axis=0) - exact) / (samples.std(axis=0, ddof=1) / np.sqrt(reps))


def min_l1_interpolator(X, y):
    """``argmin ‖b‖₁`` subject to ``Xb = y``, as a linear program."""
    p = X.shape[1]
    res = linprog(np.ones(2 * p), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None),
                  method="highs")
    assert res.status == 0, res.message
    return res.x[:p] - res.x[p:]


@pytest.fixture(scope="module")
def wide():
    """p > n, isotropic (vector Σ)."""
    return make_problem("isotropic", n=40, gamma=2.0, rng=11)


@pytest.fixture(scope="module")
def tall_ar1():
    """p < n, AR(1) (full Σ)."""
    return make_problem("ar1", n=60, gamma=0.5, rng=12, rho=0.6)


@pytest.fixture(scope="module")
def wide_ar1():
    """p > n, AR(1) (full Σ)."""
    return make_problem("ar1", n=30, gamma=2.0, rng=13)


@pytest.fixture(scope="module")
def tall_diag():
    """p < n, discrete diagonal Σ with unequal signal weights."""
    return make_problem("discrete", n=70, gamma=0.6, rng=14, signal_weights=(0.8, 0.2))


# ----------------------------------------------------------------------------
# (a) Gram route == brute force


@pytest.mark.parametrize("name", ["wide", "tall_ar1", "wide_ar1", "tall_diag"])
@pytest.mark.parametrize("lam", [0.0, 0.3])
@pytest.mark.parametrize("t", [0, 1, 3, None])
def test_conditional_matches_brute_force(request, name, lam, t):
    pr = request.getfixturevalue(name)
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    for w in (0.25, 0.618, 1.0):
        for kappa_s in (1.0, 2.5):
            bias, var = brute_force_risk(pr.X, pr.beta, pr.Sigma, w, lam, 1.7, t, kappa_s)
            total = cr.risk(w, lam, 1.7, t, kappa_s)
            assert total == pytest.approx(bias + var, rel=1e-10, abs=0)
            assert cr.variance(w, lam, 1.7, t, kappa_s) == pytest.approx(var, rel=1e-10, abs=0)
            # the bias can be ~0 (OLS): compare on the scale of the risk
            assert abs(cr.bias(w, lam, t) - bias) <= 1e-10 * (bias + var)


@pytest.mark.parametrize("shape", ["tall", "wide"])
@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_rank_deficient_design(shape, lam):
    """Exact zero eigenvalues of XᵀX/n (a repeated column, or repeated rows)
    are the null space: no variance, and β's component there is all bias."""
    rng = np.random.default_rng(15)
    if shape == "tall":
        X = rng.standard_normal((50, 20))
        X[:, 1] = X[:, 0]
    else:
        X = rng.standard_normal((20, 50))
        X[1] = X[0]
    beta = rng.standard_normal(50 if shape == "wide" else 20)
    Sigma = 0.5 + rng.random(beta.size)
    cr = ConditionalRisk(X, beta, Sigma)
    assert cr.rank == 19
    for t in (0, 3, None):
        bias, var = brute_force_risk(X, beta, Sigma, 0.6, lam, 1.0, t)
        assert cr.risk(0.6, lam, 1.0, t) == pytest.approx(bias + var, rel=1e-10, abs=0)
    risks = simulate_retraining(X, beta, Sigma=Sigma, w=0.6, lam=lam, T=3, reps=3000, rng=16)
    exact = np.array([cr.risk(0.6, lam, 1.0, t) for t in range(4)])
    assert np.all(np.abs(z_scores(risks, exact)) < Z_BAND)


def test_full_and_diagonal_sigma_agree(tall_diag):
    pr = tall_diag
    a = ConditionalRisk(pr.X, pr.beta, pr.Sigma).risk(0.7, 0.2, 1.0, 4, 1.0)
    b = ConditionalRisk(pr.X, pr.beta, np.diag(pr.Sigma)).risk(0.7, 0.2, 1.0, 4, 1.0)
    assert a == pytest.approx(b, rel=1e-12)


def test_grid_broadcasts_like_scalars(wide):
    pr = wide
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    ws, lams = np.array([0.2, 0.5, 1.0]), np.array([0.0, 0.1, 1.0, 3.0])
    grid = cr.risk(ws[:, None], lams[None, :], 1.0, 2)
    assert grid.shape == (3, 4)
    for i, w in enumerate(ws):
        for j, lam in enumerate(lams):
            single = conditional_risk(pr.X, pr.beta, Sigma=pr.Sigma, w=w, lam=lam, t=2)
            assert isinstance(single, float)
            assert grid[i, j] == pytest.approx(single, rel=1e-13)


@pytest.mark.parametrize("lam", [0.0, 0.4])
def test_path_iteration_equals_closed_form_in_t(wide_ar1, lam):
    """Iterating the derived one-step maps reproduces the derived closed
    forms a_t, u_t (two outputs of the symbolic layer, checked against
    each other), and t large reaches the stationary formulas."""
    pr = wide_ar1
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    for w in (0.3, 0.8):
        path = cr.risk_path(np.full(60, w), lam, 1.3, kappa_s=0.5)
        closed = [cr.risk(w, lam, 1.3, t, 0.5) for t in range(61)]
        np.testing.assert_allclose(path, closed, rtol=1e-12)
        assert path[-1] == pytest.approx(cr.risk(w, lam, 1.3, None, 0.5), rel=1e-9)


def test_stationary_mean_is_ridge_at_lam_over_w(wide):
    pr = wide
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    for w in (0.3, 0.7):
        assert cr.bias(w, 0.5) == pytest.approx(cr.bias(1.0, 0.5 / w, t=0), rel=1e-12)


def test_minnorm_variance_factor_is_c_t(wide):
    """λ = 0: bias independent of w and t, variance = c_t(w) V_0 with the
    exact c_t of the symbolic helpers."""
    pr = wide
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    B0, V0 = cr.bias(1.0, 0.0, t=0), cr.variance(1.0, 0.0, t=0)
    for w in (0.2, 0.5, 0.9):
        for t in (0, 1, 4):
            assert cr.bias(w, 0.0, t) == pytest.approx(B0, rel=1e-12)
            factor = float(rs.c_t(w, t))
            assert cr.variance(w, 0.0, t=t) == pytest.approx(factor * V0, rel=1e-12)
        assert cr.variance(w, 0.0) == pytest.approx(float(rs.c_w(w)) * V0, rel=1e-12)


# ----------------------------------------------------------------------------
# (b) literal simulation agrees with the exact risk


SIM_CASES = [
    # problem, w, lam, kappa_s, seed
    ("wide", 1.0, 0.0, 1.0, 101),
    ("wide", 0.618, 0.0, 1.0, 102),
    ("wide", 0.3, 0.0, 2.0, 103),
    ("wide", 0.5, 0.3, 1.0, 104),
    ("wide", 0.3, 0.3, 0.5, 105),
    ("tall_ar1", 0.618, 0.0, 1.0, 106),
    ("tall_ar1", 0.4, 0.3, 1.0, 107),
    ("wide_ar1", 0.5, 0.0, 1.0, 108),
    ("wide_ar1", 0.8, 0.3, 1.5, 109),
]


@pytest.mark.parametrize("name, w, lam, kappa_s, seed", SIM_CASES)
def test_simulation_matches_conditional_risk(request, name, w, lam, kappa_s, seed):
    pr = request.getfixturevalue(name)
    T, reps = 60, 2000
    risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, w=w, lam=lam, sigma2=1.0,
                                T=T, reps=reps, rng=seed,
                                kappa_s=kappa_s)
    assert risks.shape == (reps, T + 1)
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    ts = [0, 1, 2, 5, T]
    exact = np.array([cr.risk(w, lam, 1.0, t, kappa_s) for t in ts])
    z = z_scores(risks[:, ts], exact)
    assert np.all(np.abs(z) < Z_BAND), dict(zip(ts, z))
    # t = 60 is stationary to within 1e-10 here: the slowest mode decays
    # like ((1−w)ρ)^t ≤ 0.7^60 ≈ 5e-10
    stationary = cr.risk(w, lam, 1.0, None, kappa_s)
    assert abs(exact[-1] - stationary) < 1e-10 * stationary
    z_inf = z_scores(risks[:, [T]], np.array([stationary]))
    assert abs(z_inf[0]) < Z_BAND


def test_simulation_spiked_full_sigma():
    pr = make_problem("spiked", n=40, gamma=2.0, rng=5, spikes=(6.0, 2.0), alignments=(0.4, 0.3))
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, w=0.6, lam=0.1, T=10,
                                reps=3000, rng=21)
    exact = np.array([cr.risk(0.6, 0.1, 1.0, t) for t in range(11)])
    assert np.all(np.abs(z_scores(risks, exact)) < Z_BAND)


def test_simulation_dynamic_scheme(wide):
    """Dynamic mixing: min-norm variance factor v_t = w_t (SPEC §2), and the
    simulated ridge/min-norm curves follow the exact risk of the schedule."""
    pr = wide
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    T = 8
    weights = weight_schedule("dynamic", T)
    exact_w = [float(v) for v in rs.greedy_weights(T)]
    np.testing.assert_allclose(weights, exact_w, rtol=1e-15)
    B0, V0 = cr.bias(1.0, 0.0, t=0), cr.variance(1.0, 0.0, t=0)
    path = cr.risk_path(weights[1:], 0.0)
    np.testing.assert_allclose(path, B0 + weights * V0, rtol=1e-12)
    for lam, seed in ((0.0, 31), (0.3, 32)):
        risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, lam=lam, T=T, reps=3000,
                                    rng=seed, scheme="dynamic")
        exact = cr.risk_path(weights[1:], lam)
        assert np.all(np.abs(z_scores(risks, exact)) < Z_BAND)


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_simulation_accumulate(wide, lam):
    pr = wide
    T = 10
    exact = accumulate_reference(pr.X, pr.beta, pr.Sigma, lam, 1.0, T)
    risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, lam=lam, T=T, reps=3000,
                                rng=41, scheme="accumulate")
    assert np.all(np.abs(z_scores(risks, exact)) < Z_BAND)
    if lam == 0:
        # min-norm: β̂_t − Pβ = Σ_j X⁺ε_j/(j+1), so V_t = V_0 Σ_{j≤t} 1/(j+1)² → π²/6 V_0
        cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
        B0, V0 = cr.bias(1.0, 0.0, t=0), cr.variance(1.0, 0.0, t=0)
        factor = np.cumsum(1.0 / np.arange(1, T + 2)**2)
        np.testing.assert_allclose(exact, B0 + factor * V0, rtol=1e-10)


@pytest.mark.parametrize("scheme", ["mix", "accumulate"])
@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_custom_estimator_reproduces_builtin(scheme, lam):
    """A user estimator sees the same noise draws; for accumulate it is fed
    the literal stack of X, which must equal the fit on the average label
    (penalty normalised by the number of rows)."""
    pr = make_problem("isotropic", n=12, gamma=1.5, rng=3)

    def ridge(X, y):
        if lam == 0:
            return np.linalg.pinv(X) @ y
        N, p = X.shape
        return np.linalg.solve(X.T @ X + N * lam * np.eye(p), X.T @ y)

    w = 0.5 if scheme == "mix" else None
    kw = dict(Sigma=pr.Sigma, w=w, T=4, reps=7, rng=9, scheme=scheme, kappa_s=1.5)
    builtin = simulate_retraining(pr.X, pr.beta, lam=lam, **kw)
    custom = simulate_retraining(pr.X, pr.beta, estimator=ridge, **kw)
    np.testing.assert_allclose(custom, builtin, rtol=1e-9)


# ----------------------------------------------------------------------------
# (c) collapse at w = 0: linear growth


@pytest.mark.parametrize("kappa_s", [1.0, 2.0])
def test_replace_grows_linearly_minnorm(wide, kappa_s):
    """w = 0: c_t(0) = 1 + κ_s t, so R_t = B_0 + (1 + κ_s t) V_0. The
    per-repetition least-squares slope of the simulated curve estimates
    κ_s V_0."""
    pr = wide
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    T, reps = 30, 2000
    B0, V0 = cr.bias(1.0, 0.0, t=0), cr.variance(1.0, 0.0, t=0)
    exact = np.array([B0 + float(rs.c_t(0, t, kappa_s)) * V0 for t in range(T + 1)])
    np.testing.assert_allclose(cr.risk_path(np.zeros(T), 0.0, kappa_s=kappa_s), exact, rtol=1e-12)

    risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, lam=0.0, T=T, reps=reps,
                                rng=51, scheme="replace", kappa_s=kappa_s)
    ts = np.arange(T + 1)
    centred = ts - ts.mean()
    slopes = risks @ centred / (centred @ centred)
    intercepts = risks.mean(axis=1) - slopes * ts.mean()
    z_slope = (slopes.mean() - kappa_s * V0) / (slopes.std(ddof=1) / np.sqrt(reps))
    z_icpt = (intercepts.mean() - (B0 + V0)) / (intercepts.std(ddof=1) / np.sqrt(reps))
    assert abs(z_slope) < Z_BAND and abs(z_icpt) < Z_BAND, (z_slope, z_icpt)
    # w = 0 via scheme="mix" is the same loop
    assert np.all(np.abs(z_scores(risks, exact)) < Z_BAND)


def test_replace_collapse_min_l1():
    """A user estimator (min-ℓ1 interpolation) also collapses at w = 0: its
    labels are a random walk, so the per-repetition slope is positive."""
    pr = make_problem("isotropic", n=15, gamma=2.0, rng=61)
    reps = 40
    risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, T=6, reps=reps, rng=62,
                                scheme="replace", estimator=min_l1_interpolator)
    ts = np.arange(7)
    centred = ts - ts.mean()
    slopes = risks @ centred / (centred @ centred)
    z = slopes.mean() / (slopes.std(ddof=1) / np.sqrt(reps))
    assert z > Z_BAND


def test_mix_w0_equals_replace(wide):
    kw = dict(Sigma=wide.Sigma, lam=0.2, T=3, reps=5, rng=4)
    np.testing.assert_array_equal(
        simulate_retraining(wide.X, wide.beta, w=0.0, **kw),
        simulate_retraining(wide.X, wide.beta, scheme="replace", **kw))


# ----------------------------------------------------------------------------
# (d) bad inputs name the argument


def _good():
    pr = make_problem("isotropic", n=10, gamma=2.0, rng=0)
    return pr.X, pr.beta, pr.Sigma


BAD_CONDITIONAL = [
    ("X", dict(X=np.ones(20)), ValueError),
    ("X", dict(X=np.ones((1, 20))), ValueError),
    ("X", dict(X=np.full((10, 20), np.nan)), ValueError),
    ("X", dict(X="design"), TypeError),
    ("beta", dict(beta=np.ones(19)), ValueError),
    ("Sigma", dict(Sigma=np.ones(19)), ValueError),
    ("Sigma", dict(Sigma=-np.ones(20)), ValueError),
    ("Sigma", dict(Sigma=np.triu(np.ones((20, 20)))), ValueError),
    ("Sigma", dict(Sigma=np.ones((20, 20))), ValueError),
    ("w", dict(w=0.0), ValueError),
    ("w", dict(w=1.5), ValueError),
    ("w", dict(w=np.array([0.5, -0.1])), ValueError),
    ("w", dict(w=True), TypeError),
    ("lam", dict(lam=-0.1), ValueError),
    ("lam", dict(lam=np.nan), ValueError),
    ("t", dict(t=-1), ValueError),
    ("t", dict(t=1.5), TypeError),
    ("sigma2", dict(sigma2=-1.0), ValueError),
    ("kappa_s", dict(kappa_s=-1.0), ValueError),
]


@pytest.mark.parametrize("argument, change, error", BAD_CONDITIONAL)
def test_conditional_bad_inputs(argument, change, error):
    X, beta, Sigma = _good()
    kw = dict(X=X, beta=beta, Sigma=Sigma, w=0.5, lam=0.1, sigma2=1.0, t=None, kappa_s=1.0)
    kw.update(change)
    with pytest.raises(error, match=rf"^{argument}\b"):
        conditional_risk(kw.pop("X"), kw.pop("beta"), **kw)


BAD_SIMULATION = [
    ("T", dict(T=-1), ValueError),
    ("reps", dict(reps=0), ValueError),
    ("scheme", dict(scheme="refresh"), ValueError),
    ("w", dict(w=1.2), ValueError),
    ("w", dict(scheme="dynamic", w=0.5), ValueError),
    ("w", dict(scheme="accumulate", w=0.5), ValueError),
    ("lam", dict(lam=None), ValueError),
    ("lam", dict(estimator=min_l1_interpolator), ValueError),
    ("estimator", dict(lam=None, estimator="l1"), TypeError),
    ("estimator", dict(lam=None, estimator=lambda X, y: np.zeros(3)), ValueError),
    ("kappa_s", dict(kappa_s=-2.0), ValueError),
    ("Sigma", dict(Sigma=np.ones((20, 19))), ValueError),
]


@pytest.mark.parametrize("argument, change, error", BAD_SIMULATION)
def test_simulation_bad_inputs(argument, change, error):
    X, beta, Sigma = _good()
    kw = dict(Sigma=Sigma, w=0.5, lam=0.1, T=2, reps=3, rng=0)
    kw.update(change)
    with pytest.raises(error, match=rf"^{argument}\b"):
        simulate_retraining(X, beta, **kw)


BAD_DESIGN = [
    ("spectrum", dict(spectrum="cauchy"), ValueError),
    ("n", dict(n=1), ValueError),
    ("gamma", dict(gamma=0.0), ValueError),
    ("r2", dict(r2=-1.0), ValueError),
    ("entries", dict(entries="uniform"), ValueError),
    ("bogus", dict(bogus=3), ValueError),
    ("rho", dict(spectrum="ar1", rho=1.0), ValueError),
    ("alignments", dict(spectrum="spiked", alignments=(0.7, 0.6), spikes=(1.0, 2.0)), ValueError),
    ("weights", dict(spectrum="discrete", weights=(0.3, 0.3)), ValueError),
    ("a", dict(spectrum="uniform", a=-1.0), ValueError),
]


@pytest.mark.parametrize("argument, change, error", BAD_DESIGN)
def test_design_bad_inputs(argument, change, error):
    kw = dict(spectrum="isotropic", n=20, gamma=1.5, rng=0)
    kw.update(change)
    with pytest.raises(error, match=rf"^{argument}\b"):
        make_problem(kw.pop("spectrum"), **kw)


# ----------------------------------------------------------------------------
# (e) every spectrum model realises its Σ and β


@pytest.fixture(params=SPECTRA)
def spectrum(request):
    return request.param


def test_every_spectrum_realises_its_covariance(spectrum):
    """Large n, small p: the sample covariance of X is within 4 standard
    errors of Σ in every entry (Gaussian entries: Var S_ij = (Σ_ii Σ_jj + Σ_ij²)/n)."""
    pr = make_problem(spectrum, n=20000, gamma=12 / 20000, rng=71, r2=2.5)
    assert pr.X.shape == (20000, 12) and pr.p == 12
    assert pr.beta @ pr.beta == pytest.approx(2.5, rel=1e-12)
    S = pr.sigma_matrix()
    np.testing.assert_allclose(S, S.T, atol=0)
    assert np.all(np.linalg.eigvalsh(S) > 0)
    sample = pr.X.T @ pr.X / pr.n
    se = np.sqrt((np.outer(np.diag(S), np.diag(S)) + S**2) / pr.n)
    z = (sample - S) / se
    assert np.max(np.abs(z)) < Z_BAND


def test_every_spectrum_uses_the_symmetric_root(spectrum):
    """Rademacher entries: X Σ^{-1/2} recovers a ±1 matrix exactly."""
    pr = make_problem(spectrum, n=30, gamma=0.8, rng=72, entries="rademacher")
    root = sqrtm(pr.sigma_matrix()).real
    Z = np.linalg.solve(root, pr.X.T).T
    np.testing.assert_allclose(np.abs(Z), 1.0, atol=1e-8)


def test_isotropic_and_uniform_spectra():
    pr = make_problem("isotropic", n=50, gamma=2.0, rng=1)
    np.testing.assert_array_equal(pr.Sigma, np.ones(100))
    pr = make_problem("uniform", n=50, gamma=2.0, rng=1, a=1.0, b=3.0)
    np.testing.assert_allclose(np.sort(pr.Sigma), 1.0 + 2.0 * (np.arange(100) + 0.5) / 100)
    assert pr.Sigma.mean() == pytest.approx(2.0)


def test_discrete_groups_and_signal_weights():
    pr = make_problem("discrete", n=50, gamma=2.0, rng=2, eigs=(1.0, 4.0),
                      weights=(0.3, 0.7), signal_weights=(0.9, 0.1), r2=2.0)
    assert np.sum(pr.Sigma == 1.0) == 30 and np.sum(pr.Sigma == 4.0) == 70
    assert np.sum(pr.beta[pr.Sigma == 1.0]**2) == pytest.approx(1.8, rel=1e-12)
    assert np.sum(pr.beta[pr.Sigma == 4.0]**2) == pytest.approx(0.2, rel=1e-12)
    # rounding by largest remainders keeps p
    pr = make_problem("discrete", n=7, gamma=1.0, rng=2, eigs=(1.0, 2.0, 3.0),
                      weights=(1 / 3, 1 / 3, 1 / 3))
    assert pr.Sigma.size == 7 and sorted(np.unique(pr.Sigma, return_counts=True)[1]) == [2, 2, 3]


def test_random_effects_signal_follows_spectrum():
    """G = H in distribution: over many draws the squared mass of β on each
    eigenvalue group averages to the group's weight."""
    shares = []
    for seed in range(200):
        pr = make_problem("random_effects", n=20, gamma=2.0, rng=seed, eigs=(0.5, 2.0),
                          weights=(0.25, 0.75))
        shares.append(np.sum(pr.beta[pr.Sigma == 0.5]**2))
        assert pr.beta @ pr.beta == pytest.approx(1.0, rel=1e-12)
    shares = np.asarray(shares)
    z = (shares.mean() - 0.25) / (shares.std(ddof=1) / np.sqrt(shares.size))
    assert abs(z) < Z_BAND


@pytest.mark.parametrize("directions", ["random", "coordinate"])
def test_spiked_alignments_realised(directions):
    pr = make_problem("spiked", n=40, gamma=2.0, rng=3, spikes=(4.0, 1.5),
                      alignments=(0.5, 0.2), r2=3.0, directions=directions)
    U = pr.directions
    np.testing.assert_allclose(U.T @ U, np.eye(2), atol=1e-12)
    np.testing.assert_allclose((pr.beta @ U)**2 / 3.0, [0.5, 0.2], rtol=1e-12)
    S = pr.sigma_matrix()
    np.testing.assert_allclose(S @ U, U * np.array([5.0, 2.5]), atol=1e-12)
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(S)),
                               np.r_[np.ones(78), 2.5, 5.0], atol=1e-12)
    assert pr.diagonal == (directions == "coordinate")


def test_equicorrelated_and_ar1_structure():
    pr = make_problem("equicorrelated", n=30, gamma=2.0, rng=4, rho=0.3)
    eig = np.linalg.eigvalsh(pr.Sigma)
    assert eig[-1] == pytest.approx(1 + 0.3 * 59, rel=1e-12)
    np.testing.assert_allclose(eig[:-1], 0.7, rtol=1e-12)
    pr = make_problem("ar1", n=30, gamma=2.0, rng=4, rho=-0.4)
    i, j = np.indices((60, 60))
    np.testing.assert_allclose(pr.Sigma, (-0.4)**np.abs(i - j), rtol=1e-14)
    assert pr.params == {"rho": -0.4}


def test_default_parameters_are_those_of_the_limit_theory():
    from rmtheory.numeric import SPECTRUM_DEFAULTS as limit
    assert make_problem("spiked", n=10, gamma=1.0, rng=0).params["spikes"] == (4.0,)
    assert make_problem("equicorrelated", n=10, gamma=1.0, rng=0).params == {"rho": 0.5}
    assert make_problem("uniform", n=10, gamma=1.0, rng=0).params == {"a": 0.5, "b": 1.5}
    for name in ("discrete", "random_effects"):
        params = make_problem(name, n=10, gamma=1.0, rng=0).params
        assert params["eigs"] == limit[name]["eigs"]
        assert params["weights"] == limit[name]["weights"]


def test_problem_is_reproducible_from_seed_or_generator():
    a = make_problem("ar1", n=20, gamma=1.0, rng=5)
    b = make_problem("ar1", n=20, gamma=1.0, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.beta, b.beta)
    r1 = simulate_retraining(a.X, a.beta, Sigma=a.Sigma, w=0.5, lam=0.1, T=2, reps=4, rng=8)
    r2 = simulate_retraining(a.X, a.beta, Sigma=a.Sigma, w=0.5, lam=0.1, T=2, reps=4,
                             rng=np.random.default_rng(8))
    np.testing.assert_array_equal(r1, r2)


def test_conditional_risk_path_function(wide):
    pr = wide
    path = conditional_risk_path(pr.X, pr.beta, Sigma=pr.Sigma, weights=[0.5, 0.5], lam=0.2)
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    np.testing.assert_allclose(path, [cr.risk(0.5, 0.2, 1.0, t) for t in range(3)], rtol=1e-12)
