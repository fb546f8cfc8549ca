"""Issue 10, class 6: long ``t`` at ``λ = 0``.

Every reference here is computed independently of the library:

* ``c_t`` by the literal recursion ``c_{k+1} = (1 − w)² c_k + w² + κ_s(1 − w)²``
  in exact rationals (SymPy polynomials), its minimiser isolated by exact
  real-root isolation of ``c_t'``; or ``c_t`` from the closed form with
  ``mp.power`` at 250 digits (enough that ``(1 − w)^{2t}`` keeps every digit
  for ``t ≤ 10^18``);
"""
import time

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
    ``1/φ`` to far more than 100 digits; each call takes well under a second."""
    for dps in (15, 30, 100):
        start = time.perf_counter()
        res = rt.optimal_w(t=t, dps=dps)
        assert time.perf_counter() - start < 5
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
                start = time.perf_counter()
                res = rt.limiting_risk(w, gamma=gamma, r2=0.0, t=t, dps=dps)
                assert time.perf_counter() - start < 5
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
