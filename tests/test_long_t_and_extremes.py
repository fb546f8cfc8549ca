"""Issue 10, classes 6, 14 and 16: long ``t`` at ``λ = 0``, extreme scales,
long-running inputs.

Every reference here is computed independently of the library:

* ``c_t`` by the literal recursion ``c_{k+1} = (1 − w)² c_k + w² + κ_s(1 − w)²``
  in exact rationals (SymPy polynomials), its minimiser isolated by exact
  real-root isolation of ``c_t'``; or ``c_t`` from the closed form with
  ``mp.power`` at 250 digits (enough that ``(1 − w)^{2t}`` keeps every digit
  for ``t ≤ 10^18``);
* for discrete spectra, ``κ`` from the defining equation, solved by
  bisection at several hundred digits in a separate mpmath context, and the
  risk from the SPEC formulas (``B = r²κ²J/(1 − γI₂)``, ``V₀ = σ²γI₂/(1 −
  γI₂)``, the divided difference of ``κ``) typed here, not lambdified;
* exact scale invariance: ``R(σ², r²)`` is homogeneous of degree one, so
  the optimal weight and the critical penalty do not change when both are
  multiplied by ``10^±300``.
"""
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from mpmath import mp

import rmtheory as rt

W = sp.Symbol("W")


def exact_minimiser(t, kappa_s=1, digits=60):
    """``argmin c_t`` on ``(0, 1]``: the one root of ``c_t'`` there, isolated
    to ``10^-digits`` in exact arithmetic from the literal recursion."""
    c = sp.Poly(1, W, domain="QQ")
    q2 = sp.Poly((1 - W)**2, W, domain="QQ")
    s_w = sp.Poly(W**2 + sp.Rational(kappa_s) * (1 - W)**2, W, domain="QQ")
    for _ in range(t):
        c = q2 * c + s_w
    roots = [iv for iv, _ in c.diff(W).intervals(eps=sp.Rational(1, 10**digits))
             if iv[0] > 0 and iv[1] <= 1]
    assert len(roots) == 1
    lo, hi = roots[0]
    with mp.workdps(digits + 10):
        return (mp.mpf(lo.p) / lo.q + mp.mpf(hi.p) / hi.q) / 2


def closed_form_c_t(w, t, kappa_s=1):
    """``c_t`` from ``g + s_w (1 − g)/(1 − q²)`` with ``g = q^{2t}`` by
    ``mp.power`` at 250 digits (not the library's expm1 form)."""
    with mp.workdps(250):
        w = mp.mpf(repr(w)) if isinstance(w, float) else mp.mpf(w)
        q = 1 - w
        g = mp.power(q, 2 * t)
        return g + (w**2 + kappa_s * q**2) * (1 - g) / (1 - q**2)


def rel(a, b):
    with mp.workdps(260):
        return abs(a - b) / abs(b)


def total(res):
    """``bias + variance`` at the result's precision (the property adds at
    the ambient one)."""
    with mp.workdps(res.params["dps"] + 10):
        return res.bias + res.variance


# --------------------------------------------------------------------------
# class 6: finite t at λ = 0
# --------------------------------------------------------------------------

def test_optimal_w_t20_t30_issue_references():
    assert mp.nstr(rt.optimal_w(t=20, dps=30).w, 20) == "0.61803398874989497281"
    assert mp.nstr(rt.optimal_w(t=30, dps=30).w, 23) == "0.61803398874989484820459"


@pytest.mark.parametrize("t", [19, 20, 21, 30, 60])
def test_optimal_w_long_t_exact(t):
    """Against the exact minimiser of the polynomial ``c_t`` (degree ``2t``)."""
    reference = exact_minimiser(t)
    for dps in (15, 30, 50):
        got = rt.optimal_w(t=t, dps=dps).w
        assert rel(got, reference) <= mp.mpf(10)**(1 - dps)


@pytest.mark.parametrize("t", [1000, 10**6, 10**9, 10**18])
def test_optimal_w_huge_t(t):
    """``c_t − c = (1 − c) g_t`` with ``g_t ≤ 0.62^{2000}``: the minimiser is
    ``1/φ`` to far more than 100 digits (no work in proportion to ``t``: a loop
    over 10^18 steps would not end)."""
    for dps in (15, 30, 100):
        res = rt.optimal_w(t=t, dps=dps)
        with mp.workdps(dps + 20):
            assert rel(res.w, (mp.sqrt(5) - 1) / 2) <= mp.mpf(10)**(1 - dps)
        assert not res.on_boundary


@pytest.mark.parametrize("t", [60, 100, 1000, 10**6, 10**9, 10**18])
def test_limiting_risk_long_t(t):
    """Min-norm (γ = 2) and OLS (γ = 1/2) at r² = 0: ``R = c_t V₀`` with
    ``V₀ = σ²/(γ − 1)`` resp. ``σ²γ/(1 − γ)``, both 1 here; every digit, in
    constant time."""
    for gamma in (2.0, 0.5):
        for w in (1e-6, 0.01, 0.5, 0.618, 0.999999, 1):
            reference = closed_form_c_t(w, t)
            for dps in (15, 30, 100):
                res = rt.limiting_risk(w, gamma=gamma, r2=0.0, t=t, dps=dps)
                assert rel(total(res), reference) <= mp.mpf(10)**(1 - dps), (gamma, w, dps)


def test_t_zero_has_no_optimal_weight_at_lam_0():
    """At t = 0 (one fit on real labels) the risk does not depend on w."""
    assert total(rt.limiting_risk(0.3, t=0)) == total(rt.limiting_risk(0.9, t=0))
    with pytest.raises(ValueError, match="does not depend on w"):
        rt.optimal_w(t=0)


def test_long_t_small_kappa_s_follows_the_slope_below_1e_8():
    """κ_s = 1e-20 puts w* near √κ_s = 1e-10, below the 1e-8 floor of the
    ridge search: at λ = 0 the search goes on down (it costs no κ solve)."""
    res = rt.optimal_w(t=10**18, kappa_s=1e-20, dps=20)
    with mp.workdps(40):
        ks = mp.mpf("1e-20")
        reference = (mp.sqrt(ks**2 + 4 * ks) - ks) / 2       # argmin c(w; κ_s)
    assert rel(res.w, reference) <= mp.mpf(10)**-19


# --------------------------------------------------------------------------
# class 14: extreme atoms and scales
# --------------------------------------------------------------------------

_REF = mpmath.MPContext()
_REF.dps = 700


def _ref_mpf(x):
    if isinstance(x, mpmath.ctx_mp_python._mpf):       # exact: 700 digits hold it
        return _REF.mpf(x)
    f = Fraction(repr(x)) if isinstance(x, float) else Fraction(x)
    return _REF.mpf(f.numerator) / f.denominator


def _ref_kappa(lam, atoms, gamma):
    """κ by bisection in log κ on the defining equation (700 digits)."""
    M = _REF
    if lam == 0:
        def f(u):
            return gamma * sum(p * s / (s + M.exp(u)) for s, p in atoms) - 1
        lo = M.log(min(s for s, _ in atoms)) - 200
        hi = M.log(gamma * max(s for s, _ in atoms)) + 1
    else:
        def f(u):
            k = M.exp(u)
            return lam - k * (1 - gamma * sum(p * s / (s + k) for s, p in atoms))
        lo, hi = M.log(lam), M.log(lam + gamma * sum(p * s for s, p in atoms)) + 1
    assert f(lo) > 0 > f(hi)
    for _ in range(2400):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) > 0 else (lo, mid)
    return M.exp(lo)


def _ref_risk(w, eigs, weights, gamma, lam, sigma2=1, r2=1):
    M = _REF
    w, gamma, lam, sigma2, r2 = map(_ref_mpf, (w, gamma, lam, sigma2, r2))
    atoms = [(_ref_mpf(s), _ref_mpf(p)) for s, p in zip(eigs, weights)]

    def at(x):
        k = _ref_kappa(x, atoms, gamma)
        I2 = sum(p * s * s / (s + k)**2 for s, p in atoms)
        J = sum(p * s / (s + k)**2 for s, p in atoms)
        return k, I2, J
    c = (w**2 + (1 - w)**2) / (w * (2 - w))
    if lam == 0:
        k, I2, J = at(M.zero)
        return r2 * k * k * J / (1 - gamma * I2) + c * sigma2 * gamma * I2 / (1 - gamma * I2)
    a, b = lam / w, lam / (2 - w)
    ka, I2a, Ja = at(a)
    bias = r2 * ka * ka * Ja / (1 - gamma * I2a)
    if w == 1:
        return bias + sigma2 * (1 / (1 - gamma * I2a) - 1)
    kb = _ref_kappa(b, atoms, gamma)
    return bias + sigma2 * c * ((kb - ka) / (b - a) - 1)


@pytest.mark.parametrize("eigs, lam, w", [
    ((1e-100, 1e100), 1.0, 0.5),         # the issue's example: ZeroDivisionError
    ((1e-100, 1e100), 0.0, 0.5),          # κ₀ = 1, 1 − γI₂ = 2e-100
    ((1e-100, 1e100), 1.0, 1.0),
    ((1e-300, 1e300), 0.0, 0.7),
    ((1e-300, 1e300), 1.0, 0.5),
    ((1.0, 1e300), 1e-200, 1.0),
    ((1e-300, 1.0), 0.0, 0.5),
])
def test_extreme_atoms_risk(eigs, lam, w):
    res = rt.limiting_risk(w, "discrete", eigs=eigs, weights=(0.5, 0.5), gamma=2.0, lam=lam,
                           dps=20)
    reference = _ref_risk(w, eigs, (0.5, 0.5), 2.0, lam)
    with mp.workdps(30):
        assert rel(total(res), reference) <= mp.mpf(10)**-19


def test_extreme_atoms_kappa_0():
    """κ₀ solves a/(a+κ) + b/(b+κ) = 1 (γ = 2, equal weights): κ₀² = ab = 1.
    The equation changes by 1e-100 per unit of κ: it needs ~330 guard bits."""
    k = rt.kappa(0.0, "discrete", eigs=(1e-100, 1e100), weights=(0.5, 0.5), gamma=2.0, dps=30)
    assert abs(k - 1) <= mp.mpf(10)**-29


def test_extreme_atoms_optimal_w():
    eigs, lam = (1e-100, 1e100), 1.0
    res = rt.optimal_w("discrete", eigs=eigs, weights=(0.5, 0.5), gamma=2.0, lam=lam, dps=20)
    assert 0 < res.w < 1 and not res.on_boundary
    # the slope of the reference risk changes sign across w* ± 1e-17
    w_star, step = _REF.mpf(res.w), _REF.mpf("1e-17")
    below = _ref_risk(w_star - step, eigs, (0.5, 0.5), 2.0, lam)
    at = _ref_risk(w_star, eigs, (0.5, 0.5), 2.0, lam)
    above = _ref_risk(w_star + step, eigs, (0.5, 0.5), 2.0, lam)
    assert at < below and at < above


@pytest.mark.parametrize("scale", [1e-300, 1e-30, 1e300])
def test_optimum_is_scale_invariant(scale):
    """Tolerances relative to the risk: (σ², r²) → c(σ², r²) multiplies R by c."""
    base = rt.optimal_w(gamma=2.0, lam=0.5, dps=20).w
    got = rt.optimal_w(gamma=2.0, lam=0.5, sigma2=scale, r2=scale, dps=20).w
    assert rel(got, base) <= mp.mpf(10)**-19
    lc = rt.critical_lambda(gamma=2.0, dps=20)
    assert rel(rt.critical_lambda(gamma=2.0, sigma2=scale, r2=scale, dps=20), lc) \
        <= mp.mpf(10)**-19


def test_critical_lambda_far_from_one():
    """γ = 1e10: the critical penalty is 1.6e10, beyond the old 1e8 bracket."""
    lc = rt.critical_lambda(gamma=1e10, dps=20)
    assert mp.nstr(lc, 20) == "16180339887.433700898"


@pytest.mark.parametrize("eigs, gamma, reference", [
    ((1e-100, 1e100), 2.0, "8"),                       # 1 − γI₂ = 2e-100 at κ₀
    ((1e-300, 1e300), 0.5, "5.303300858899106433e149"),  # far beyond the old 1e8 bracket
])
def test_critical_lambda_extreme_atoms(eigs, gamma, reference):
    """Checked against the root of the reference slope (central differences
    of the 900-digit reference risk, secant in log λ)."""
    lc = rt.critical_lambda("discrete", eigs=eigs, weights=(0.5, 0.5), gamma=gamma, dps=20)
    with mp.workdps(30):
        assert rel(lc, mp.mpf(reference)) <= mp.mpf(10)**-18


# --------------------------------------------------------------------------
# class 16: long runs are estimated up front, refused or shown
# --------------------------------------------------------------------------

def _many_atoms(n):
    return dict(eigs=tuple(1 + 9 * k / (n - 1) for k in range(n)), weights=(1 / n,) * n)


def test_finite_t_ridge_over_budget_is_refused_up_front(monkeypatch):
    """20000 atoms take ~10 s per evaluation here (every contour node sums
    over the atoms); with a 1 s budget the call is refused after the first
    few nodes, with the estimate and what to change."""
    import rmtheory.numeric.finite_t as finite_t
    monkeypatch.setenv("RMTHEORY_MAX_SECONDS", "1")
    units = []                       # work counted, not timed: the machine may be busy
    run = finite_t._Work.run

    def counted(self, solve):
        units.append(self.unit)
        return run(self, solve)
    monkeypatch.setattr(finite_t._Work, "run", counted)
    with pytest.raises(ValueError, match=r"20000 atoms.*estimated \d+ s, over the budget "
                                         r"of 1 s.*fewer atoms.*RMTHEORY_MAX_SECONDS="):
        rt.limiting_risk(0.5, "discrete", lam=0.5, t=5, dps=15, **_many_atoms(20000))
    # refused on the probe: no more contour nodes than it times
    assert units == ["contour nodes"] * finite_t._PROBE_SOLVES


def test_finite_t_ridge_shows_progress(monkeypatch, capsys):
    """A run estimated beyond a few seconds draws a tqdm bar on stderr when
    RMTHEORY_PROGRESS=1 (here the node count is inflated to trigger it)."""
    import rmtheory.numeric.finite_t as finite_t
    monkeypatch.setenv("RMTHEORY_PROGRESS", "1")
    monkeypatch.setattr(finite_t, "expected_nodes", lambda radius, prec: 10**7)
    monkeypatch.setattr(finite_t, "budget_seconds", lambda: float("inf"))
    rt.limiting_risk(0.5, "discrete", lam=0.5, t=5, dps=15, **_many_atoms(5))
    assert "finite-t risk at" in capsys.readouterr().err
