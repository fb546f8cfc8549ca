"""The public contract of SPEC §4 (limiting risk and optimal weights).

References: the isotropic closed forms are derived by the symbolic layer
(`formula("isotropic_risk")`, `formula("isotropic_kappa")`); the numeric
layer reaches the same numbers through the general-H fixed point, a
different route. The min-norm and OLS references are SPEC §3's.
"""
import math

import numpy as np
import pytest
from mpmath import mp

import rmtheory as rt
from rmtheory.symbolic import derive_isotropic, formula
from rmtheory.symbolic.symbols import gamma as g_sym

PHI_INV = (math.sqrt(5) - 1) / 2
SPECTRA = {
    "isotropic": {},
    "discrete": dict(eigs=(0.5, 2.0), weights=(0.5, 0.5)),
    "random_effects": dict(eigs=(0.25, 1.0, 4.0), weights=(0.2, 0.5, 0.3)),
    "spiked": dict(spikes=(4.0,), alignments=(0.5,)),
    "equicorrelated": dict(rho=0.5),
    "ar1": dict(rho=0.5),
    "uniform": dict(a=0.5, b=1.5),
}


def digits(a, b):
    """Number of agreeing significant digits of two mpmath numbers."""
    gap = abs(a - b)
    return mp.inf if gap == 0 else -mp.log10(gap / abs(b))


@pytest.mark.parametrize("gamma", [1.5, 2.0, 5.0])
@pytest.mark.parametrize("w", [0.3, PHI_INV, 1.0])
def test_isotropic_minnorm_matches_spec(gamma, w):
    res = rt.limiting_risk(w, gamma=gamma, r2=2.0, sigma2=0.5, dps=30)
    with mp.workdps(40):
        wm, gm = mp.mpf(repr(w)), mp.mpf(repr(gamma))
        c = (wm**2 + (1 - wm)**2) / (wm * (2 - wm))
        expected = 2 * (1 - 1 / gm) + c * mp.mpf("0.5") / (gm - 1)
        assert digits(res.total, expected) >= 25


@pytest.mark.parametrize("w,lam,gamma", [(0.5, 0.5, 2.0), (0.8, 0.1, 0.5), (0.3, 3.0, 4.0),
                                         (1.0, 0.7, 2.0)])
def test_isotropic_general_route_matches_closed_form(w, lam, gamma):
    res = rt.limiting_risk(w, gamma=gamma, lam=lam, r2=1.5, sigma2=0.7, dps=50)
    f = formula("isotropic_risk").lambdify("mpmath")
    with mp.workdps(70):
        w_, lam_, g_, r2_, s2_ = [mp.mpf(repr(v)) for v in (w, lam, gamma, 1.5, 0.7)]
        if w == 1.0:   # the mixed closed form is 0/0 there: plain ridge, B(λ) + V(λ)
            expected = (formula("isotropic_bias").lambdify("mpmath")(lam_, g_, r2_)
                        + formula("isotropic_variance").lambdify("mpmath")(lam_, g_, s2_))
        else:
            expected = f(w_, lam_, g_, r2_, s2_)
        assert digits(res.total, expected) >= 45


def test_kappa_isotropic_closed_form_and_ols():
    k = formula("isotropic_kappa").lambdify("mpmath")
    with mp.workdps(60):
        assert digits(rt.kappa(0.3, gamma=3.0, dps=50), k(mp.mpf("0.3"), 3)) >= 45
    assert rt.kappa(0.0, gamma=0.5) == 0
    with mp.workdps(40):
        assert digits(rt.kappa(0.0, gamma=3.0), mp.mpf(2)) >= 25    # κ₀ = γ − 1


def test_ols_regime_risk():
    res = rt.limiting_risk(PHI_INV, gamma=0.5, sigma2=2.0)
    with mp.workdps(40):
        expected = mp.mpf(2) * (1 / mp.phi) * mp.mpf("0.5") / mp.mpf("0.5")   # c(1/φ)=1/φ
        wm = mp.mpf(repr(PHI_INV))
        c = (wm**2 + (1 - wm)**2) / (wm * (2 - wm))
        assert digits(res.total, 2 * c) >= 25 and res.bias == 0
        assert abs(expected - 2 / mp.phi) < 1e-30


def test_gamma_one_minnorm_is_infinite():
    assert mp.isinf(rt.limiting_risk(0.5, gamma=1.0).total)


@pytest.mark.parametrize("name", sorted(SPECTRA))
def test_minnorm_optimum_is_golden_for_every_spectrum(name):
    res = rt.optimal_w(name, gamma=2.5, dps=30, **SPECTRA[name])
    with mp.workdps(40):
        assert digits(res.w, 1 / mp.phi) >= 25
    assert not res.on_boundary and res.gain > 0
    assert res.params["spectrum"] == name


def test_optimal_w_spiked_works_with_defaults_and_reports_them():
    res = rt.optimal_w(spectrum="spiked")
    assert "spikes" in res.params and "alignments" in res.params
    assert abs(float(res) - PHI_INV) < 1e-15


@pytest.mark.parametrize("name", ["isotropic", "random_effects", "spiked"])
@pytest.mark.parametrize("lam", [0.01, 0.3, 1.0, 3.0])
@pytest.mark.parametrize("snr", [0.5, 4.0])
def test_ridge_optimum_in_half_one(name, lam, snr):
    res = rt.optimal_w(name, gamma=2.0, lam=lam, r2=snr, sigma2=1.0, dps=20, **SPECTRA[name])
    assert 0.5 <= res.w <= 1
    # not worse than any w on a grid
    for w in np.linspace(0.05, 1.0, 12):
        assert res.risk.total <= rt.limiting_risk(float(w), name, gamma=2.0, lam=lam, r2=snr,
                                                  dps=20, **SPECTRA[name]).total * (1 + 1e-15)


def test_ridge_optimum_series_near_zero_matches_symbolic_slope():
    iso = derive_isotropic()
    slope = float(iso.w_star_slope.subs(g_sym, 2))
    lam = 1e-4
    res = rt.optimal_w(gamma=2.0, lam=lam, dps=30)
    predicted = PHI_INV + slope * lam
    assert abs(float(res.w) - predicted) < 5 * lam**2 * 100   # O(λ²) remainder
    assert abs(float(res.w) - PHI_INV) > 0.5 * abs(slope) * lam


def test_critical_lambda_separates_interior_and_boundary():
    lc = rt.critical_lambda(gamma=2.0, r2=1.0, sigma2=1.0, dps=30)
    below = rt.optimal_w(gamma=2.0, lam=float(lc) * 0.99, dps=30)
    above = rt.optimal_w(gamma=2.0, lam=float(lc) * 1.01, dps=30)
    assert not below.on_boundary and below.w < 1
    assert above.on_boundary and above.w == 1
    assert rt.optimal_w(gamma=2.0, lam=50.0).on_boundary


def test_continuity_in_lambda_and_w():
    ridge = rt.limiting_risk(0.4, gamma=2.0, lam=1e-20, dps=30).total
    minnorm = rt.limiting_risk(0.4, gamma=2.0, lam=0.0, dps=30).total
    assert abs(ridge - minnorm) < 1e-15
    near = rt.limiting_risk(1 - 1e-12, gamma=2.0, lam=0.5, dps=30).total
    at = rt.limiting_risk(1.0, gamma=2.0, lam=0.5, dps=30).total
    assert abs(near - at) < 1e-10


def test_finite_t_ridge_tends_to_stationary_and_starts_at_ridge():
    stat = rt.limiting_risk(0.6, gamma=2.0, lam=0.5, dps=20).total
    late = rt.limiting_risk(0.6, gamma=2.0, lam=0.5, t=200, dps=20).total
    assert digits(late, stat) >= 15
    first = rt.limiting_risk(0.6, gamma=2.0, lam=0.5, t=0, dps=20).total
    ridge = rt.limiting_risk(1.0, gamma=2.0, lam=0.5, dps=20).total   # w = 1 is plain ridge
    assert digits(first, ridge) >= 15


def test_finite_t_minnorm_uses_c_t():
    res = rt.limiting_risk(0.5, gamma=2.0, t=3, dps=30)
    with mp.workdps(40):
        c3 = mp.mpf(1) / 4**3 + mp.mpf(1) / 2 * (1 - mp.mpf(1) / 4**3) / (1 - mp.mpf(1) / 4)
        assert digits(res.total, mp.mpf(1) / 2 + c3) >= 25


@pytest.mark.parametrize("name", sorted(SPECTRA))
def test_precision_rises_with_dps(name):
    values = [rt.limiting_risk(0.7, name, gamma=2.0, lam=0.4, dps=dps, **SPECTRA[name]).total
              for dps in (15, 30, 60)]
    with mp.workdps(80):
        assert digits(values[0], values[2]) >= 10
        assert digits(values[1], values[2]) >= 25


def test_float64_path_agrees_with_mpmath():
    from rmtheory.numeric.fast import risk_grid, optimal_w_grid
    from rmtheory.numeric.spectra import make_spectrum
    for name in ("isotropic", "discrete", "spiked", "ar1"):
        spec = make_spectrum(name, **SPECTRA[name])
        ws, lams = np.array([0.3, 0.6, 0.9]), np.array([0.05, 0.5, 2.0])
        b, v = risk_grid(ws[:, None], lams[None, :], spec, gamma=2.0)
        for i, w in enumerate(ws):
            for j, lam in enumerate(lams):
                ref = rt.limiting_risk(float(w), name, gamma=2.0, lam=float(lam), dps=20,
                                       **SPECTRA[name]).total
                assert abs(b[i, j] + v[i, j] - float(ref)) <= 1e-10 * float(ref)
        wstar = optimal_w_grid(np.array([0.1, 1.0]), spec, gamma=2.0)
        for lam, w in zip((0.1, 1.0), wstar):
            ref = rt.optimal_w(name, gamma=2.0, lam=lam, dps=20, **SPECTRA[name]).w
            assert abs(w - float(ref)) < 1e-8


BAD = [
    (dict(w=0.0), ValueError, "w"), (dict(w=1.5), ValueError, "w"),
    (dict(w=float("nan")), ValueError, "w"), (dict(w="0.5"), TypeError, "w"),
    (dict(w=0.5, gamma=0.0), ValueError, "gamma"), (dict(w=0.5, gamma=-1), ValueError, "gamma"),
    (dict(w=0.5, gamma=float("inf")), ValueError, "gamma"),
    (dict(w=0.5, lam=-0.1), ValueError, "lam"), (dict(w=0.5, dps=5), ValueError, "dps"),
    (dict(w=0.5, dps=30.0), TypeError, "dps"), (dict(w=0.5, t=-1), ValueError, "t"),
    (dict(w=0.5, t=1.5), TypeError, "t"), (dict(w=0.5, sigma2=0), ValueError, "sigma2"),
    (dict(w=0.5, r2=-1), ValueError, "r2"), (dict(w=0.5, kappa_s=-1), ValueError, "kappa_s"),
    (dict(w=0.5, spectrum="nope"), ValueError, "spectrum"),
    (dict(w=0.5, spectrum="isotropic", rho=0.3), TypeError, "rho"),
    (dict(w=0.5, spectrum="ar1", rho=1.0), ValueError, "rho"),
]


@pytest.mark.parametrize("kwargs,exc,name", BAD)
def test_bad_input_names_the_argument(kwargs, exc, name):
    kwargs = dict(kwargs)
    w = kwargs.pop("w")
    with pytest.raises(exc, match=name):
        rt.limiting_risk(w, **kwargs)


def test_optimal_w_bad_input():
    with pytest.raises(ValueError, match="gamma"):
        rt.optimal_w(gamma=1.0)
    with pytest.raises(ValueError, match="kappa_s"):
        rt.optimal_w(kappa_s=0.0)
    with pytest.raises(TypeError, match="lams"):
        rt.w_star_curve(0.5)


def test_kappa_s_minimiser_for_minnorm():
    res = rt.optimal_w(gamma=2.0, kappa_s=2.0, dps=30)
    with mp.workdps(40):
        assert digits(res.w, mp.sqrt(3) - 1) >= 25      # (√(κ²+4κ) − κ)/2 at κ_s = 2


def test_finite_t_ridge_random_effects_tends_to_stationary():
    params = dict(eigs=(0.5, 2.0), weights=(0.4, 0.6))
    stat = rt.limiting_risk(0.6, "random_effects", gamma=2.0, lam=0.5, dps=15, **params).total
    late = rt.limiting_risk(0.6, "random_effects", gamma=2.0, lam=0.5, t=300, dps=15,
                            **params).total
    assert digits(late, stat) >= 12
    first = rt.limiting_risk(0.6, "random_effects", gamma=2.0, lam=0.5, t=0, dps=15, **params)
    ridge = rt.limiting_risk(1.0, "random_effects", gamma=2.0, lam=0.5, dps=15, **params)
    assert digits(first.total, ridge.total) >= 12


def test_finite_t_ridge_for_a_signal_measure_other_than_h():
    """Once refused (it needed G = H); now every (H, G) has finite t, and t = 0
    is ridge at lam whatever w (the first fit sees real labels only)."""
    at0 = rt.limiting_risk(0.6, "spiked", gamma=2.0, lam=0.5, t=0, dps=20)
    ridge = rt.limiting_risk(1, "spiked", gamma=2.0, lam=0.5, dps=20)
    assert abs(at0.total - ridge.total) < mp.mpf(10)**-15


def test_totals_carry_the_requested_digits():
    """``total`` and ``gain`` are formed at the result's precision, not at
    the caller's 15 digits."""
    r = rt.limiting_risk(0.5, gamma=2.0, lam=0.3, dps=40)
    with mp.workdps(60):
        exact = r.bias + r.variance
    assert abs(r.total - exact) <= mp.mpf(10)**-38 * exact
    res = rt.optimal_w(gamma=2.0, lam=0.3, dps=40)
    with mp.workdps(60):
        gain = res.risk_at_1.bias + res.risk_at_1.variance - res.risk.bias - res.risk.variance
    assert abs(res.gain - gain) <= mp.mpf(10)**-36


@pytest.mark.parametrize("gamma", [1.0001, 1.08, 0.999])
def test_float64_kappa_near_gamma_one_and_small_penalty(gamma):
    """There ``f'(κ)`` is small, so the Newton step stalls at rounding
    noise over ``f'`` above 1e-15: that counts as converged."""
    from rmtheory.numeric.fast import kappa_grid
    x = np.geomspace(1e-8, 1e-2, 7)
    k = kappa_grid(x, np.array([1.0]), np.array([1.0]), gamma)
    for xi, ki in zip(x, k):
        exact = rt.kappa(xi, gamma=gamma, dps=20)
        assert abs(ki - exact) <= 1e-9 * exact


@pytest.mark.parametrize("t", [1, 5])
@pytest.mark.parametrize("w", ["0.6", "0.999", "1"])
def test_finite_t_ridge_slope_is_the_derivative_of_the_risk(t, w):
    """The slope integrates the symbolic w-derivative of the multipliers;
    at w = 1 its t q^(t-1) form stays finite where SymPy's t q^t/(1 - w)
    is 0/0. Checked against mpmath's numerical derivative of the risk."""
    from rmtheory.numeric.finite_t import finite_t_risk
    from rmtheory.numeric import make_spectrum
    spec = make_spectrum("isotropic")
    with mp.workdps(30):
        w, lam, g = mp.mpf(w), mp.mpf("0.5"), mp.mpf(2)
        slope = finite_t_risk(w, lam, spec, g, mp.one, mp.one, t=t, derivative=True).dtotal_dw
        numeric = mp.diff(lambda x: finite_t_risk(x, lam, spec, g, mp.one, mp.one, t=t).total, w)
        assert abs(slope - numeric) <= mp.mpf(10)**-25 * abs(numeric)


def test_finite_t_ridge_optimum():
    """No worse than its neighbours; tends to the stationary optimum as t
    grows; t = 0 (real labels only) does not depend on w, so no w is optimal."""
    res = rt.optimal_w(gamma=2.0, lam=0.5, t=5, dps=20)
    assert 0.5 < res.w < 1 and not res.on_boundary
    for probe in (float(res.w) - 1e-4, float(res.w) + 1e-4):
        assert res.risk.total <= rt.limiting_risk(probe, gamma=2.0, lam=0.5, t=5, dps=20).total
    late = rt.optimal_w(gamma=2.0, lam=0.5, t=200, dps=20).w
    stationary = rt.optimal_w(gamma=2.0, lam=0.5, dps=20).w
    assert abs(late - stationary) <= mp.mpf(10)**-15
    # t = 0 (one fit on real labels) does not depend on w: no weight is optimal
    flat = [rt.limiting_risk(w, gamma=2.0, lam=0.5, t=0, dps=20).total for w in (0.3, 0.7, 1)]
    assert flat[0] == flat[1] == flat[2]
    with pytest.raises(ValueError, match="t must be >= 1 for an optimal weight"):
        rt.optimal_w(gamma=2.0, lam=0.5, t=0, dps=20)
