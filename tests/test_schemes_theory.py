"""The four retraining schemes per eigen-direction (:mod:`rmtheory.symbolic.schemes`):
closed forms against the iterated step maps, the limits, and the exact
conditional risk built from the multipliers against the literal loop
:func:`rmtheory.montecarlo.simulate_retraining` on a fixed design."""
import mpmath
import numpy as np
import pytest
import sympy as sp

from rmtheory.montecarlo import simulate_retraining
from rmtheory.symbolic import formula
from rmtheory.symbolic.minnorm import c_prev
from rmtheory.symbolic.recursion import a_prev, u_prev
from rmtheory.symbolic.schemes import (SCHEMES, binet, dynamic_weight_binet,
                                       iterate_multipliers, scheme_multipliers,
                                       step_functions, trigamma)
from rmtheory.symbolic.symbols import d, kappa_s, lam, t, w

R = sp.Rational
PENALTIES = (lam, 0)
T_MAX = 6
#: an exact point for the identities (d < λ and d > λ both occur below)
POINT = {d: R(13, 10), lam: R(7, 10), w: R(3, 5), kappa_s: R(3, 2)}


_W = sp.Symbol("W")


def _at(expr, m, point, k):
    """``expr`` at ``t = k``; dynamic's Binet weight is put in as the exact
    ``F_{2k+1}/F_{2k+2}`` (their equality is checked below)."""
    if m.weight is not None and m.weight.has(t):
        expr = expr.xreplace({m.weight: _W}).subs(_W, sp.fibonacci(2*k + 1) / sp.fibonacci(2*k + 2))
    return expr.subs({**point, t: k})


def _iterate(m, steps, point):
    a, u = [m.a0.subs(point)], [m.u0.subs(point)]
    for k in range(1, steps + 1):
        a.append(_exact(_at(m.mean_map, m, point, k).subs(a_prev, a[-1])))
        u.append(_exact(_at(m.variance_map, m, point, k).subs(u_prev, u[-1])))
    return a, u


def _exact(expr):
    return sp.cancel(sp.expand_func(sp.sympify(expr).doit()))


@pytest.mark.parametrize("penalty", PENALTIES, ids=["ridge", "minnorm"])
@pytest.mark.parametrize("scheme", SCHEMES)
def test_closed_form_equals_iterated_step(scheme, penalty):
    m = scheme_multipliers(scheme, penalty)
    for point in (POINT, {**POINT, d: R(1, 4)}):
        a, u = _iterate(m, T_MAX, point)
        for k in range(T_MAX + 1):
            assert _exact(m.mean_t.subs({**point, t: k}) - a[k]) == 0, (scheme, k)
            assert _exact(m.variance_t.subs({**point, t: k}) - u[k]) == 0, (scheme, k)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_minnorm_variance_factor_is_d_times_u(scheme):
    m = scheme_multipliers(scheme, 0)
    c = [sp.Integer(1)]
    for k in range(1, T_MAX + 1):
        c.append(_exact(_at(m.variance_factor_map, m, POINT, k).subs(c_prev, c[-1])))
    _, u = _iterate(m, T_MAX, POINT)
    for k in range(T_MAX + 1):
        assert _exact(c[k] - POINT[d] * u[k]) == 0
        assert _exact(m.variance_factor_t.subs({**POINT, t: k}) - c[k]) == 0


def test_minnorm_factors_named_in_the_spec():
    j = sp.Symbol("j", integer=True, positive=True)
    assert sp.expand(scheme_multipliers("replace", 0).variance_factor_t - (1 + kappa_s * t)) == 0
    acc = scheme_multipliers("accumulate", 0)
    for k in range(8):
        target = 1 + kappa_s * sum(R(1, i**2) for i in range(2, k + 2))
        assert sp.simplify(acc.variance_factor_t.subs(t, k).doit() - target) == 0
        assert sp.simplify(formula("accumulate_variance_factor").rhs.subs(t, k) - target) == 0
    assert sp.simplify(acc.variance_factor_limit - (1 + kappa_s * (sp.pi**2 / 6 - 1))) == 0
    assert sp.simplify(acc.variance_factor_limit.subs(kappa_s, 1)
                       - sp.Sum(1 / j**2, (j, 1, sp.oo)).doit()) == 0
    dyn = scheme_multipliers("dynamic", 0)
    fib = sp.fibonacci
    for k in range(10):   # v_t = w_t = F_{2t+1}/F_{2t+2} at κ_s = 1
        assert sp.simplify(dyn.variance_factor_t.subs({t: k, kappa_s: 1}) - fib(2*k+1)/fib(2*k+2)) == 0
    assert sp.radsimp(dyn.variance_factor_limit.subs(kappa_s, 1) - 1 / sp.GoldenRatio
                      .expand(func=True)) == 0
    # the float-stable weight is F_{2t+1}/F_{2t+2} identically in t
    identity = binet(dynamic_weight_binet()) - binet(fib(2*t + 1) / fib(2*t + 2))
    assert sp.simplify(sp.radsimp(sp.together(identity))) == 0
    assert sp.simplify(binet(fib(4*t + 2) - fib(2*t + 1) * (fib(2*t) + fib(2*t + 2)))) == 0


def test_limits():
    rep = scheme_multipliers("replace")
    assert rep.mean_limit == 0
    assert sp.simplify(rep.variance_limit - kappa_s * d / (lam * (2 * d + lam))) == 0
    # the fixed point of the replace variance map is that limit
    assert sp.simplify(rep.variance_map.subs(u_prev, rep.variance_limit) - rep.variance_limit) == 0
    dyn = scheme_multipliers("dynamic")
    assert sp.simplify(dyn.mean_limit - d / (d + lam * sp.GoldenRatio)) == 0
    acc = scheme_multipliers("accumulate")
    assert acc.mean_limit == 0 and acc.variance_limit == 0
    assert sp.simplify(acc.mean_rate - lam / (d + lam)) == 0
    # the rate, numerically at large t: a_t t^{λ/(d+λ)} Γ(ρ) → 1, u_t = Θ(t^{-min(1, 2λ/(d+λ))})
    with mpmath.workdps(30):
        for dv, lv in ((2.0, 0.5), (0.3, 0.9)):
            rho = dv / (dv + lv)
            a = sp.lambdify((d, lam, t), acc.mean_t, "mpmath")
            for big in (10**4, 10**6):
                assert abs(a(dv, lv, big) * big**(1 - rho) * mpmath.gamma(rho) - 1) < 5 / big**0.5
            a_steps = iterate_multipliers("accumulate", 4000, mpmath.mpf(dv), lam=lv,
                                          modules="mpmath")
            u1, u2 = a_steps[1000][1], a_steps[4000][1]
            exponent = float(mpmath.log(u1 / u2) / mpmath.log(4))
            assert abs(exponent - min(1.0, 2 * (1 - rho))) < 0.05, (dv, lv, exponent)
    assert acc.variance_asymptotic is not None and acc.mean_asymptotic is not None


def test_lambdified_step_maps_and_bad_input():
    mean_step, variance_step, a0, u0 = step_functions("dynamic", False, "mpmath")
    with mpmath.workdps(30):
        z = mpmath.mpc(1.5, 0.2)          # complex d is allowed
        assert abs(mean_step(a0(z, 0.3), z, 0.3, None, 1, 1) - z / (z + 0.3)
                   * (mpmath.mpf(2) / 3 + a0(z, 0.3) / 3)) < mpmath.mpf(10)**-25
    assert float(trigamma(sp.Integer(3))) == pytest.approx(float(sp.polygamma(1, 3)), rel=1e-15)
    with pytest.raises(ValueError, match="scheme"):
        scheme_multipliers("nope")
    with pytest.raises(ValueError, match="penalty"):
        scheme_multipliers("mix", -1)
    with pytest.raises(TypeError, match="penalty"):
        scheme_multipliers("mix", 0.5)
    half = scheme_multipliers("replace", R(1, 2))
    assert sp.simplify(half.variance_limit - kappa_s * d / (R(1, 2) * (2 * d + R(1, 2)))) == 0


# ---------------------------------------------------------------------------
# finite-n check against the literal loop


def _design(n, p, seed):
    rng = np.random.default_rng(seed)
    Sigma = np.linspace(0.25, 2.0, p)[rng.permutation(p)]       # non-isotropic, diagonal
    X = rng.standard_normal((n, p)) * np.sqrt(Sigma)
    beta = rng.standard_normal(p) * np.sqrt(0.8 / p)
    return X, beta, Sigma


def _exact_risk(X, beta, Sigma, multipliers, sigma2):
    """``E[‖β̂_t − β‖²_Σ | X]`` from per-eigenvalue multipliers ``(a_t, u_t)``."""
    n, _ = X.shape
    dvals, V = np.linalg.eigh(X.T @ X / n)
    keep = dvals > 1e-10 * dvals.max()
    dvals, V = dvals[keep], V[:, keep]
    c = V.T @ beta
    beta_null = beta - V @ c
    diagM = np.einsum("pi,p,pi->i", V, Sigma, V)
    out = []
    for a, u in multipliers(dvals):
        e = V @ ((1 - a) * c) + beta_null
        out.append(e @ (Sigma * e) + sigma2 / n * np.sum(u * diagM))
    return np.asarray(out)


def _z_scores(scheme, lam_value, X, beta, Sigma, multipliers, reps=3000, seed=11):
    T, sigma2 = 8, 1.0
    w_arg = 0.6 if scheme == "mix" else None
    risks = simulate_retraining(X, beta, Sigma=Sigma, w=w_arg, lam=lam_value, sigma2=sigma2,
                                T=T, reps=reps, rng=seed, scheme=scheme)
    exact = _exact_risk(X, beta, Sigma, multipliers, sigma2)
    ts = [1, 3, 8]
    mean = risks[:, ts].mean(axis=0)
    se = risks[:, ts].std(axis=0, ddof=1) / np.sqrt(reps)
    return (mean - exact[ts]) / se


def _derived(scheme, lam_value):
    w_arg = 0.6 if scheme == "mix" else None
    return lambda dvals: iterate_multipliers(scheme, 8, dvals, lam=lam_value, w=w_arg,
                                             kappa_s=1.0)


@pytest.mark.parametrize("p", [80, 20])
def test_conditional_risk_matches_the_literal_loop(p):
    X, beta, Sigma = _design(40, p, seed=5 + p)
    for scheme in SCHEMES:
        for lam_value in (0.0, 0.3):
            z = _z_scores(scheme, lam_value, X, beta, Sigma, _derived(scheme, lam_value))
            assert np.all(np.abs(z) < 4), (scheme, lam_value, p, z)


def test_a_wrong_accumulate_multiplier_fails_the_same_check():
    # (t + 1)² in place of (t + 1) in the average: b_t = ((t+ρ)/(t+1)) b_{t−1} + A ε̃_t/(t+1)²
    X, beta, Sigma = _design(40, 80, seed=85)
    acc = scheme_multipliers("accumulate", 0)
    wrong_map = acc.variance_map.subs(t + 1, (t + 1)**2).subs(kappa_s, 1)
    assert sp.simplify(wrong_map - acc.variance_map) != 0
    wrong_step = sp.lambdify((u_prev, d, t), wrong_map, "numpy")

    def wrong(dvals):
        out = [(np.ones_like(dvals), 1 / dvals)]
        for k in range(1, 9):
            out.append((out[-1][0], wrong_step(out[-1][1], dvals, k)))
        return out
    z_right = _z_scores("accumulate", 0.0, X, beta, Sigma, _derived("accumulate", 0.0))
    z_wrong = _z_scores("accumulate", 0.0, X, beta, Sigma, wrong)
    assert np.all(np.abs(z_right) < 4), z_right
    assert np.max(np.abs(z_wrong)) > 8, z_wrong
