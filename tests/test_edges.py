"""Inputs on the edge of validity (issue 6, "Hardening").

Every test evaluates the public API at an extreme but valid input — the
weight ``w`` at 1 and down to 1e-30, the penalty ``λ`` from 1e-30 to 1e6,
``γ`` from 1e-3 to 1e3 and within 1e-6 of 1 on both sides, spikes up to
1e4, atoms of weight 1e-12, ``dps`` from 10 to 200 — and checks the number
against something that could fail: a closed form of the symbolic layer
(evaluated at a higher precision), an asymptotic expansion derived below,
a monotonicity or a bound.

Expansions used (``μ_k = ∫ s^k dH``, ``ν_k = ∫ s^k dG``, ``κ_s = 1``, from
SPEC §3; each is derived in the docstring of its test):

* ``w → 0`` at ``λ > 0``: ``R → r² ν₁ + σ² (γ μ₁ + λ/2 − κ(λ/2)) / (2λ)``;
* ``λ → ∞``: ``κ − λ − γμ₁ → −γμ₂/λ``, ``r²ν₁ − B ≈ 2r²ν₂ w/λ``,
  ``V ≈ σ² γ μ₂ (w² + (1−w)²) / λ²``;
* ``γ = 1 + ε``, ``λ = 0``: ``ε V₀/σ² = 1 + (μ₋₂/μ₋₁² − 1) ε + O(ε²)``,
  ``B₀/ε → r² ν₋₁/μ₋₁²``; ``γ < 1``, ``λ = 0``: ``R = c(w) σ² γ/(1−γ)``
  exactly, for every ``H``;
* ``γ = 1``, ``λ → 0``: ``V ≈ σ² / (2 √(λ μ₋₁))``;
* ``γ → ∞``, ``λ = 0``: ``γ V₀ → σ² μ₂/μ₁²``,
  ``γ (r²ν₁ − B₀) → r² (2ν₂/μ₁ − ν₁μ₂/μ₁²)``.

The integrals against ``H`` and ``G`` are taken here independently of the
library: sums over the atoms of the model definitions, and ``mp.quad``
over the angle (``ar1``) or the interval (``uniform``).
"""
from fractions import Fraction

import pytest
import sympy as sp
from mpmath import mp

import rmtheory as rt
from rmtheory.numeric import SPECTRUM_DEFAULTS, SPECTRUM_NAMES
from rmtheory.numeric.compiled import expressions
from rmtheory.symbolic import derive_isotropic, formula
from rmtheory.symbolic.symbols import gamma as gamma_symbol

#: digits of the reference evaluations (closed forms and quadratures)
REFERENCE_DPS = 150


def digits(a, b):
    """Agreeing significant digits of ``a`` and the reference ``b``."""
    gap = abs(a - b)
    return mp.inf if gap == 0 else -mp.log10(gap / abs(b))


def mpf(x):
    """A float as the decimal it prints as: how the API reads its inputs."""
    return mp.mpf(repr(x)) if isinstance(x, float) else mp.mpf(x)


def total(res):
    """``res.total`` at the precision of the result: the property adds bias
    and variance at the *ambient* precision (15 digits outside a
    ``workdps`` block), which would drop the digits under test."""
    with mp.workdps(res.params["dps"] + 10):
        return res.total


def closed(name):
    """The lambdified formula ``name`` of the symbolic layer."""
    return formula(name).lambdify("mpmath")


# --------------------------------------------------------------------------
# the default models, from their definitions (SPEC §3), not from the library
# --------------------------------------------------------------------------

def _atoms(name):
    """``(H atoms, G atoms)`` as ``[(location, weight)]`` for the atomic models."""
    d = SPECTRUM_DEFAULTS[name]
    if name == "isotropic":
        return [(1, 1)], [(1, 1)]
    if name in ("discrete", "random_effects"):
        H = [(mpf(s), mpf(h)) for s, h in zip(d["eigs"], d["weights"])]
        return H, H
    if name == "spiked":
        alpha = [mpf(a) for a in d["alignments"]]
        G = [(mp.one, 1 - mp.fsum(alpha))] + [(1 + mpf(t), a) for t, a in
                                              zip(d["spikes"], alpha)]
        return [(1, 1)], G
    if name == "equicorrelated":
        return [(1 - mpf(d["rho"]), 1)], [(1 - mpf(d["rho"]), 1)]
    return None


def integral(name, f, measure="H"):
    """``∫ f dH`` (or ``dG``) for the default model ``name``, at the working
    precision, by sums over atoms or by ``mp.quad``."""
    atoms = _atoms(name)
    if atoms is not None:
        return mp.fsum(h * f(mp.mpf(s)) for s, h in atoms[0 if measure == "H" else 1])
    d = SPECTRUM_DEFAULTS[name]
    if name == "ar1":                      # H = law of f(θ), θ ~ U(0, π); G = H
        rho = mpf(d["rho"])
        return mp.quad(lambda t: f((1 - rho**2) / (1 - 2 * rho * mp.cos(t) + rho**2)),
                       [0, mp.pi]) / mp.pi
    a, b = mpf(d["a"]), mpf(d["b"])        # uniform, G = H
    return mp.quad(f, [a, b]) / (b - a)


def moment(name, k, measure="H"):
    return integral(name, lambda s: s**k, measure)


# --------------------------------------------------------------------------
# w = 1 and w → 0
# --------------------------------------------------------------------------

@pytest.mark.parametrize("gamma", [2.0, 0.5])
@pytest.mark.parametrize("w", [1.0, 1e-6, 1e-10, 1e-30])
def test_minnorm_and_ols_risk_at_unit_and_tiny_w_match_the_closed_form(w, gamma):
    """Isotropic ``λ = 0``: ``r²(1 − 1/γ) + c(w)σ²/(γ − 1)`` (min-norm) and
    ``c(w)σ²γ/(1 − γ)`` (OLS). At ``w = 1e-30`` the risk is about ``1e30``:
    large, finite and still right to the digits claimed."""
    res = rt.limiting_risk(w, gamma=gamma, r2=2.0, sigma2=0.5, dps=30)
    with mp.workdps(REFERENCE_DPS):
        if gamma > 1:
            expected = closed("isotropic_minnorm_risk")(mpf(w), mpf(gamma), 2, mpf(0.5))
        else:
            expected = closed("ols_risk")(mpf(w), mpf(gamma), mpf(0.5))
        assert mp.isfinite(res.total)
        assert digits(res.total, expected) >= 25
        if w < 1:   # c(w) ~ 1/(2w) and σ²/(γ − 1) = σ²γ/(1 − γ) = 1/2 here
            assert 0.2 / mpf(w) < res.variance < 0.3 / mpf(w)


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_minnorm_variance_scales_by_c_w_down_to_tiny_w(name):
    """Min-norm for every ``H``: the bias does not depend on ``w`` and the
    variance is ``c(w) V₀`` (SPEC §2), also at ``w = 1e-10`` and ``1e-30``."""
    c_w = expressions().c_w
    at_1 = rt.limiting_risk(1.0, name, gamma=2.0, dps=30)
    for w in (1e-10, 1e-30):
        res = rt.limiting_risk(w, name, gamma=2.0, dps=30)
        with mp.workdps(60):
            assert digits(res.bias, at_1.bias) >= 25
            assert digits(res.variance / at_1.variance, c_w(mpf(w), 1)) >= 25


def _tiny_w_limit(name, lam, gamma=2.0, r2=1.0, sigma2=1.0):
    r"""``lim_{w→0} R_∞(w, λ)`` for ``λ > 0`` and ``κ_s = 1``.

    With ``a = λ/w → ∞`` and ``b = λ/(2 − w) → λ/2``: ``κ(a) = a + γμ₁ +
    O(1/a)`` (from ``κ − λ = γ∫ sκ/(s+κ) dH``), so the bracket
    ``(κ(b) − κ(a))/(b − a) − 1 = w(γμ₁ + λ/2 − κ(λ/2))/λ + O(w²)``, and
    ``c(w) = 1/(2w) + O(1)``; the bias ``B(a) → r² ∫ s dG`` (the risk of
    the zero estimator). ``κ(λ/2)`` is taken from the public ``kappa`` (the
    isotropic closed form is checked against it elsewhere)."""
    k_half = rt.kappa(lam / 2, name, gamma=gamma, dps=40)
    with mp.workdps(40):
        lam_, g_ = mpf(lam), mpf(gamma)
        return (r2 * moment(name, 1, "G")
                + sigma2 * (g_ * moment(name, 1) + lam_ / 2 - k_half) / (2 * lam_))


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_ridge_risk_at_tiny_w_tends_to_its_limit_linearly(name):
    """``R(w) = L + D w + O(w²)`` as ``w → 0`` at ``λ = 0.5``: the gap to
    the limit ``L`` divided by ``w`` is the same at ``w = 1e-6`` and at
    ``w = 1e-10`` (which also needs ten digits of the bracket to cancel)."""
    limit = _tiny_w_limit(name, 0.5)
    slopes = []
    for w in (1e-6, 1e-10):
        res = rt.limiting_risk(w, name, gamma=2.0, lam=0.5, dps=30)
        assert mp.isfinite(res.total) and res.variance > 0
        with mp.workdps(40):
            slopes.append((res.total - limit) / mpf(w))
    with mp.workdps(40):
        assert abs(slopes[1] - slopes[0]) <= 1e-4 * (1 + abs(slopes[0]))


@pytest.mark.parametrize("name", ["isotropic", "discrete", "ar1"])
@pytest.mark.parametrize("w", [1e-20, 1e-30])
def test_ridge_risk_far_below_w_1e_12_keeps_its_digits(name, w):
    """``w`` is valid down to 0 (exclusive). For ``w ≪ 1`` the bracket
    ``(κ(b) − κ(a))/(b − a) − 1`` is ``O(w)``: ``log10(λ/w)`` digits cancel
    in the ``− 1``, so the evaluation needs that many extra digits. The
    result must equal the ``w → 0`` limit to ``O(w)``."""
    limit = _tiny_w_limit(name, 0.5)
    res = rt.limiting_risk(w, name, gamma=2.0, lam=0.5, dps=30)
    with mp.workdps(40):
        assert digits(res.total, limit) >= 18


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_risk_just_below_w_1_joins_w_1_with_a_finite_slope(name):
    """Near ``w = 1`` the divided difference has ``b − a ≈ 2λ(1 − w)``: at
    ``1 − w = 1e-15`` and ``1e-20`` the difference quotient
    ``(R(1) − R(1 − ε))/ε`` is the slope at 1 (``O(ε)`` apart), and it is
    positive below ``λ_c`` (``w* < 1``)."""
    at_1 = total(rt.limiting_risk(1.0, name, gamma=2.0, lam=0.5, dps=40))
    quotients = []
    for eps in ("1e-15", "1e-20"):
        with mp.workdps(60):
            w = 1 - mp.mpf(eps)
        res = rt.limiting_risk(w, name, gamma=2.0, lam=0.5, dps=40)
        with mp.workdps(60):
            quotients.append((at_1 - total(res)) / mp.mpf(eps))
    with mp.workdps(60):
        assert quotients[0] > 0
        assert digits(quotients[1], quotients[0]) >= 10


# --------------------------------------------------------------------------
# λ from 1e-30 to 1e6
# --------------------------------------------------------------------------

LAMBDAS = [1e-30, 1e-20, 1e-10, 1e-3, 1.0, 1e3, 1e6]


@pytest.mark.parametrize("gamma", [0.5, 2.0])
def test_isotropic_kappa_matches_closed_form_over_the_lambda_range(gamma):
    k = closed("isotropic_kappa")
    for lam in LAMBDAS:
        value = rt.kappa(lam, gamma=gamma, dps=30)
        with mp.workdps(REFERENCE_DPS):   # γ < 1: the closed form cancels like λ
            assert digits(value, k(mpf(lam), mpf(gamma))) >= 25, lam


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_kappa_increases_over_the_lambda_range_with_both_asymptotes(name):
    """``κ`` increases with ``λ`` and ``κ > λ``. At ``λ → 0`` (``γ = 2``)
    ``(κ(λ) − κ(0))/λ → κ'(0)``, the same at ``λ = 1e-20`` and ``1e-30``;
    at ``λ → ∞`` ``κ − λ = γ∫ sκ/(s+κ) dH = γμ₁ − γμ₂/λ + O(λ⁻²)``."""
    values = [rt.kappa(lam, name, gamma=2.0, dps=40) for lam in LAMBDAS]
    k0 = rt.kappa(0.0, name, gamma=2.0, dps=40)
    with mp.workdps(50):
        assert k0 > 0
        assert all(a < b for a, b in zip([k0] + values, values))
        assert all(k > mpf(lam) for k, lam in zip(values, LAMBDAS))
        slope_30 = (values[0] - k0) / mpf(1e-30)
        slope_20 = (values[1] - k0) / mpf(1e-20)
        assert slope_30 > 1 and digits(slope_30, slope_20) >= 8
        big = mpf(LAMBDAS[-1])
        gamma_ = mp.mpf(2)
        with mp.workdps(30):
            mu1, mu2 = moment(name, 1), moment(name, 2)
        assert abs((values[-1] - big - gamma_ * mu1) * big + gamma_ * mu2) <= 1e-4 * gamma_ * mu2


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_kappa_near_zero_penalty_in_the_ols_regime_is_lambda_over_one_minus_gamma(name):
    """``γ < 1``: ``κ(0) = 0`` and ``κ'(0) = 1/(1 − df₂(0)) = 1/(1 − γ)`` for
    every ``H``, so ``κ(1e-30) = 2e-30`` (``γ = 1/2``) to ``O(λ)``."""
    assert rt.kappa(0.0, name, gamma=0.5) == 0
    value = rt.kappa(1e-30, name, gamma=0.5, dps=30)
    with mp.workdps(40):
        assert digits(value, mp.mpf("2e-30")) >= 25


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_ridge_risk_tends_to_minnorm_and_ols_as_lambda_vanishes(name):
    """``λ = 1e-30`` is within ``O(λ)`` of ``λ = 0`` for ``γ = 2`` (min-norm)
    and ``γ = 1/2`` (OLS: ``c(w)σ²γ/(1 − γ)`` exactly, for every ``H``)."""
    w = 0.7
    for gamma in (2.0, 0.5):
        ridge = rt.limiting_risk(w, name, gamma=gamma, lam=1e-30, dps=30)
        minnorm = rt.limiting_risk(w, name, gamma=gamma, lam=0.0, dps=30)
        with mp.workdps(40):
            assert digits(ridge.total, minnorm.total) >= 25
    with mp.workdps(REFERENCE_DPS):
        ols = closed("ols_risk")(mpf(w), mp.mpf("0.5"), 1)
        assert digits(minnorm.total, ols) >= 25 and minnorm.bias == 0


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_huge_lambda_risk_is_the_null_risk_plus_vanishing_variance(name):
    r"""``λ = 1e6``. With ``κ(x) = x + γμ₁ − γμ₂/x + O(x⁻²)``:

    * bias ``B(a)``, ``a = λ/w``: ``κ²∫ s/(s+κ)² dG = ν₁ − 2ν₂/κ + O(κ⁻²)``
      and ``1/(1 − df₂) = 1 + O(κ⁻²)``, so ``(r²ν₁ − B)·a → 2r²ν₂``;
    * variance: the bracket is ``γμ₂/(ab) + O(λ⁻³)`` with ``ab =
      λ²/(w(2 − w))``, so ``V λ² → σ² γ μ₂ (w² + (1 − w)²)``.
    """
    lam = 1e6
    with mp.workdps(30):
        nu1, nu2, mu2 = moment(name, 1, "G"), moment(name, 2, "G"), moment(name, 2)
    for w in (1.0, 0.7):
        res = rt.limiting_risk(w, name, gamma=2.0, lam=lam, dps=30)
        with mp.workdps(40):
            lam_, w_ = mpf(lam), mpf(w)
            assert 0 < res.bias < nu1 and 0 < res.variance < 1e-10
            assert digits((nu1 - res.bias) * lam_ / w_, 2 * nu2) >= 4
            assert digits(res.variance * lam_**2, 2 * mu2 * (w_**2 + (1 - w_)**2)) >= 4


@pytest.mark.parametrize("name", ["isotropic", "discrete", "ar1"])
def test_variance_beyond_lambda_1e6_keeps_its_digits(name):
    """``λ = 1e10`` is valid. The variance is ``σ²(κ'(λ) − 1) ≈ σ²γμ₂/λ²``:
    ``log10(λ²/(γμ₂))`` digits cancel in ``κ' − 1`` (and in the bracket for
    ``w < 1``), which the evaluation must make up for."""
    lam = 1e10
    with mp.workdps(30):
        mu2 = moment(name, 2)
    for w in (1.0, 0.7):
        res = rt.limiting_risk(w, name, gamma=2.0, lam=lam, dps=30)
        with mp.workdps(40):
            w_ = mpf(w)
            assert digits(res.variance * mpf(lam)**2, 2 * mu2 * (w_**2 + (1 - w_)**2)) >= 8


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_optimal_w_at_the_ends_of_the_lambda_range(name):
    """``λ = 1e-30``: ``w* = 1/φ + O(λ)``. ``λ = 1e6``: beyond ``λ_c``, so
    ``w* = 1`` on the boundary and the risk rises below 1."""
    tiny = rt.optimal_w(name, gamma=2.0, lam=1e-30, dps=30)
    with mp.workdps(40):
        assert not tiny.on_boundary and digits(tiny.w, 1 / mp.phi) >= 25
    huge = rt.optimal_w(name, gamma=2.0, lam=1e6, dps=20)
    assert huge.on_boundary and huge.w == 1 and huge.gain == 0
    below = rt.limiting_risk(0.999, name, gamma=2.0, lam=1e6, dps=20)
    assert total(below) > total(huge.risk)


def test_isotropic_optimal_w_slope_at_tiny_lambda():
    """``w*(λ) = 1/φ + s(γ) λ + O(λ²)`` with the slope of the symbolic layer:
    at ``λ = 1e-10`` the quotient ``(w* − 1/φ)/λ`` is ``s(2)`` to 1e-8."""
    slope = derive_isotropic().w_star_slope.subs(gamma_symbol, 2)
    res = rt.optimal_w(gamma=2.0, lam=1e-10, dps=40)
    with mp.workdps(50):
        quotient = (res.w - 1 / mp.phi) / mpf(1e-10)
        assert digits(quotient, mp.mpf(str(sp.N(slope, 60)))) >= 8


# --------------------------------------------------------------------------
# γ from 1e-3 to 1e3 and next to 1
# --------------------------------------------------------------------------

GAMMAS = [1e-3, 1 - 1e-3, 1 - 1e-6, 1 + 1e-6, 1 + 1e-3, 1e3]


@pytest.mark.parametrize("gamma", GAMMAS)
def test_isotropic_risk_matches_closed_forms_over_the_gamma_range(gamma):
    for lam in (0.0, 0.5):
        for w in (0.7, 1.0):
            res = rt.limiting_risk(w, gamma=gamma, lam=lam, r2=1.5, sigma2=0.7, dps=30)
            with mp.workdps(REFERENCE_DPS):
                w_, l_, g_, r2, s2 = mpf(w), mpf(lam), mpf(gamma), mpf(1.5), mpf(0.7)
                if lam == 0 and gamma > 1:
                    expected = closed("isotropic_minnorm_risk")(w_, g_, r2, s2)
                elif lam == 0:
                    expected = closed("ols_risk")(w_, g_, s2)
                elif w == 1:      # the mixed closed form is 0/0 at w = 1: plain ridge
                    expected = (closed("isotropic_bias")(l_, g_, r2)
                                + closed("isotropic_variance")(l_, g_, s2))
                else:
                    expected = closed("isotropic_risk")(w_, l_, g_, r2, s2)
                assert digits(res.total, expected) >= 25, (lam, w)
        kappa = rt.kappa(0.5, gamma=gamma, dps=30)
        with mp.workdps(REFERENCE_DPS):
            assert digits(kappa, closed("isotropic_kappa")(mp.mpf("0.5"), mpf(gamma))) >= 25


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_gamma_one_minnorm_is_infinite(name):
    for w in (0.7, 1.0):
        res = rt.limiting_risk(w, name, gamma=1.0, lam=0.0)
        assert mp.isinf(res.total) and res.total > 0 and mp.isinf(res.variance)
    assert rt.kappa(0.0, name, gamma=1.0) == 0
    with pytest.raises(ValueError, match="gamma"):
        rt.optimal_w(name, gamma=1.0, lam=0.0)


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_gamma_one_ridge_variance_blows_up_like_one_over_root_lambda(name):
    r"""``γ = 1``, ``λ → 0``: ``λ = κ∫ κ/(s+κ) dH = κ²(μ₋₁ − κμ₋₂ + …)`` and
    ``1 − df₂ = ∫ (2sκ + κ²)/(s+κ)² dH = 2κμ₋₁ − 3κ²μ₋₂ + …``, so with
    ``κ₀ = √(λ/μ₋₁)``

    .. math:: 2κ₀μ₋₁ V/σ² = 1 + κ₀ (μ₋₂/μ₋₁ − 2μ₋₁) + O(λ):

    the variance is finite for every ``λ > 0`` and blows up like
    ``σ²/(2√(λμ₋₁))``."""
    with mp.workdps(30):
        mu_m1, mu_m2 = moment(name, -1), moment(name, -2)
    for lam in (1e-8, 1e-12):
        res = rt.limiting_risk(1.0, name, gamma=1.0, lam=lam, dps=30)
        assert mp.isfinite(res.total)
        with mp.workdps(40):
            k0 = mp.sqrt(mpf(lam) / mu_m1)
            ratio = 2 * k0 * mu_m1 * res.variance
            assert abs(ratio - 1 - k0 * (mu_m2 / mu_m1 - 2 * mu_m1)) <= 10 * mpf(lam)


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_gamma_just_above_one_minnorm_expansion(name):
    r"""``γ = 1 + ε``, ``λ = 0``: ``γ∫ s/(s+κ₀) dH = 1`` gives ``κ₀μ₋₁ =
    ε + (q − 1)ε² + O(ε³)`` with ``q = μ₋₂/μ₋₁²``, then ``1 − df₂ = ε − qε²``
    and ``ε V₀/σ² = 1 + (q − 1)ε + O(ε²)``; ``B₀ = r²κ₀²ν₋₁/(1 − df₂) + … =
    r² ε ν₋₁/μ₋₁² + O(ε²)``. At ``ε = 1e-6`` the first-order
    coefficients are read off to 1e-5."""
    res = rt.limiting_risk(1.0, name, gamma=1 + 1e-6, dps=30)
    with mp.workdps(40):
        mu_m1, mu_m2, nu_m1 = moment(name, -1), moment(name, -2), moment(name, -1, "G")
        g_ = mpf(1 + 1e-6)
        eps = g_ - 1
        assert abs((res.variance * eps - 1) / eps - (mu_m2 / mu_m1**2 - 1)) <= 1e-5
        assert digits(res.bias / eps, nu_m1 / mu_m1**2) >= 4
    # the blow-up is monotone as γ ↓ 1
    farther = rt.limiting_risk(1.0, name, gamma=1 + 1e-3, dps=30)
    assert farther.variance < res.variance / 100


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
@pytest.mark.parametrize("gamma", [1 - 1e-6, 1 - 1e-3, 1e-3])
def test_gamma_below_one_minnorm_is_ols_for_every_spectrum(name, gamma):
    """``γ < 1``, ``λ = 0``: ``κ₀ = 0``, no bias, ``V₀ = σ²γ/(1 − γ)`` whatever
    ``H`` (OLS), also ``1e-6`` below the interpolation threshold."""
    res = rt.limiting_risk(0.7, name, gamma=gamma, sigma2=0.5, dps=30)
    with mp.workdps(REFERENCE_DPS):
        expected = closed("ols_risk")(mp.mpf("0.7"), mpf(gamma), mp.mpf("0.5"))
        assert res.bias == 0 and digits(res.total, expected) >= 25


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_ridge_risk_is_smooth_across_gamma_one(name):
    """For ``λ > 0`` nothing happens at ``γ = 1``: the steps from ``1 − ε``
    to 1 and from 1 to ``1 + ε`` (``ε = 1e-6``) agree to ``O(ε)``."""
    values = [total(rt.limiting_risk(0.7, name, gamma=g, lam=0.5, dps=30))
              for g in (1 - 1e-6, 1.0, 1 + 1e-6)]
    with mp.workdps(40):
        down, up = values[1] - values[0], values[2] - values[1]
        assert up != 0 and abs(up / down - 1) <= 1e-4


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_small_gamma_ridge_tends_to_the_population_ridge(name):
    r"""``γ → 0`` at ``λ = 1/2``, ``w = 1``: ``κ → λ``,
    ``B → r² λ² ∫ s/(s+λ)² dG`` and ``V/γ → σ² ∫ s²/(s+λ)² dH``, each with
    an ``O(γ)`` remainder, removed by Richardson extrapolation from
    ``γ = 1e-3`` and ``2e-3`` (what is left is ``O(γ²)``)."""
    lam = mp.mpf("0.5")

    def parts(gamma):
        res = rt.limiting_risk(1.0, name, gamma=gamma, lam=0.5, dps=30)
        with mp.workdps(40):
            return res.bias, res.variance / mpf(gamma)
    low, high = parts(1e-3), parts(2e-3)
    with mp.workdps(40):
        # f(γ) = f₀ + f₁γ + O(γ²): 2 f(γ) − f(2γ) = f₀ + O(γ²)
        bias = 2 * low[0] - high[0]
        variance = 2 * low[1] - high[1]
        expected_bias = lam**2 * integral(name, lambda s: s / (s + lam)**2, "G")
        expected_variance = integral(name, lambda s: s**2 / (s + lam)**2)
        assert digits(bias, expected_bias) >= 4
        assert digits(variance, expected_variance) >= 4
    # and the minimum-norm limit at λ = 0 is OLS with a vanishing variance
    assert rt.limiting_risk(1.0, name, gamma=1e-3, dps=30).variance < 2e-3


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_large_gamma_minnorm_asymptotics(name):
    r"""``γ → ∞``, ``λ = 0``: ``∫ s/(s+κ₀) dH = 1/γ`` gives
    ``κ₀ = γμ₁ − μ₂/μ₁ + O(1/γ)``, ``df₂ ≈ μ₂/(γμ₁²)``, hence
    ``γV₀ → σ²μ₂/μ₁²`` and ``γ(r²ν₁ − B₀) → r²(2ν₂/μ₁ − ν₁μ₂/μ₁²)``; the
    ``O(1/γ)`` remainders are removed by extrapolating from ``γ = 1e3``
    and ``2e3``."""
    results = {g: rt.limiting_risk(1.0, name, gamma=g, dps=30) for g in (1e3, 2e3)}
    with mp.workdps(40):
        mu1, mu2 = moment(name, 1), moment(name, 2)
        nu1, nu2 = moment(name, 1, "G"), moment(name, 2, "G")
        # g(γ) = g∞ + g₁/γ + O(γ⁻²): 2 g(2γ) − g(γ) = g∞ + O(γ⁻²)
        variance = 2 * 2000 * results[2e3].variance - 1000 * results[1e3].variance
        bias = 2 * 2000 * (nu1 - results[2e3].bias) - 1000 * (nu1 - results[1e3].bias)
        assert digits(variance, mu2 / mu1**2) >= 4
        assert digits(bias, 2 * nu2 / mu1 - nu1 * mu2 / mu1**2) >= 4


# --------------------------------------------------------------------------
# spikes up to 1e4, atoms of weight 1e-12
# --------------------------------------------------------------------------

SPIKES = [((1e4,), (0.5,)), ((1e2, 1e4), (0.25, 0.5)), ((1e4, 1e4), (0.5, 0.5))]


@pytest.mark.parametrize("spikes,alignments", SPIKES)
def test_large_spikes_match_the_assembled_closed_form(spikes, alignments):
    """``H = δ₁``: the variance is the isotropic one and the bias is
    ``r²κ²J/(1 − γI₂)`` (``formula("ridge_bias")``) with ``J = ∫ s/(s+κ)² dG``
    summed over the spike atoms here, ``κ = κ(λ/w)`` from
    ``formula("isotropic_kappa")``. The signal energy ``∫ s dG`` is up to
    ``1e4``; for ``λ = 1e6`` the bias is near it."""
    w, gamma, r2, sigma2 = 0.6, 2.0, 1.0, 1.0
    for lam in (0.0, 0.5, 1e6):
        res = rt.limiting_risk(w, "spiked", gamma=gamma, lam=lam, r2=r2, sigma2=sigma2,
                               spikes=spikes, alignments=alignments, dps=30)
        with mp.workdps(REFERENCE_DPS):
            w_, l_, g_ = mpf(w), mpf(lam), mpf(gamma)
            kappa = closed("isotropic_kappa")(l_ / w_, g_)
            alpha = [mpf(a) for a in alignments]
            atoms = [(mp.one, 1 - mp.fsum(alpha))] + [(1 + mpf(t), a)
                                                     for t, a in zip(spikes, alpha)]
            J = mp.fsum(a * s / (s + kappa)**2 for s, a in atoms)
            I2 = 1 / (1 + kappa)**2
            bias = closed("ridge_bias")(kappa, r2, g_, J, I2)
            if lam == 0:
                variance = (closed("c_w")(w_)
                            * closed("ridge_variance")(sigma2, g_, I2))
            else:
                variance = (closed("isotropic_risk")(w_, l_, g_, r2, sigma2)
                            - closed("isotropic_bias")(l_ / w_, g_, r2))
            assert digits(res.bias, bias) >= 25 and digits(res.variance, variance) >= 25, lam


@pytest.mark.parametrize("spikes,alignments", SPIKES[:2])
def test_large_spikes_optimal_weights(spikes, alignments):
    """Golden min-norm optimum whatever the spike; the ridge optimum stays in
    ``[1/2, 1]`` (a claim of the paper for the spiked model) and beats its
    neighbours."""
    kw = dict(spikes=spikes, alignments=alignments)
    minnorm = rt.optimal_w("spiked", gamma=2.0, dps=30, **kw)
    with mp.workdps(40):
        assert digits(minnorm.w, 1 / mp.phi) >= 25
    ridge = rt.optimal_w("spiked", gamma=2.0, lam=0.5, dps=20, **kw)
    assert 0.5 <= ridge.w < 1 and not ridge.on_boundary
    for step in (-0.01, 0.01):
        other = rt.limiting_risk(float(ridge.w) + step, "spiked", gamma=2.0, lam=0.5, dps=20,
                                 **kw)
        assert total(other) > total(ridge.risk)


def _with_small_atom(eps, eig):
    """``H = G = ½δ₁ + (½ − ε)δ₄ + εδ_eig`` with exact weights."""
    return dict(eigs=(1.0, 4.0, eig),
                weights=(Fraction(1, 2), Fraction(1, 2) - eps, eps))


@pytest.mark.parametrize("name", ["discrete", "random_effects"])
@pytest.mark.parametrize("eig", [1e-4, 100.0, 1e4])
def test_an_atom_of_weight_1e_12_is_a_linear_perturbation(name, eig):
    """Adding an atom of weight ``ε`` moves ``κ`` and the risk by ``O(ε)``:
    the change is resolved (not lost to rounding) and linear, i.e. 100
    times larger at ``ε = 1e-10`` than at ``ε = 1e-12`` (to ``O(ε)``)."""
    for lam in (0.0, 0.5):
        base = total(rt.limiting_risk(0.6, name, gamma=2.0, lam=lam, eigs=(1.0, 4.0),
                                      weights=(0.5, 0.5), dps=30))
        changes = [total(rt.limiting_risk(0.6, name, gamma=2.0, lam=lam, dps=30,
                                          **_with_small_atom(Fraction(1, 10**k), eig)))
                   for k in (12, 10)]
        with mp.workdps(40):
            changes = [c - base for c in changes]
            assert changes[0] != 0
            assert abs(changes[0]) <= 1e-10 * max(1, eig) * base
            assert abs(changes[1] / changes[0] / 100 - 1) <= 1e-6
    kappas = [rt.kappa(0.5, name, gamma=2.0, dps=30, **_with_small_atom(eps, eig))
              for eps in (Fraction(0), Fraction(1, 10**12))]
    with mp.workdps(40):
        assert 0 < abs(kappas[1] - kappas[0]) <= 1e-10 * max(1, eig) * kappas[0]


def test_a_spike_with_alignment_1e_12_is_an_exactly_linear_perturbation():
    """The bias is linear in ``G`` and ``H = δ₁`` does not change: the risk
    moves from the isotropic one by exactly ``α`` times a constant, so the
    moves at ``α = 1e-12`` and ``1e-10`` have ratio 100 to the ~17 digits
    they carry. The move is down: ``s/(s+κ)²`` decreases for ``s > κ``, so
    signal on the spike ``s = 10001`` costs less bias than at ``s = 1``."""
    iso = total(rt.limiting_risk(0.6, gamma=2.0, lam=0.5, dps=30))
    moves = [total(rt.limiting_risk(0.6, "spiked", gamma=2.0, lam=0.5, spikes=(1e4,),
                                    alignments=(Fraction(1, 10**k),), dps=30))
             for k in (12, 10)]
    with mp.workdps(40):
        moves = [m - iso for m in moves]
        assert moves[0] < 0 and digits(moves[1] / 100, moves[0]) >= 15


# --------------------------------------------------------------------------
# dps from 10 to 200
# --------------------------------------------------------------------------

DPS = [10, 11, 15, 30, 50, 100, 200]


def _correct_to_dps(value, exact, dps):
    """Rounded to ``dps`` digits from a confirmed value: within one unit of
    the ``dps``-th significant digit."""
    with mp.workdps(dps + 20):
        return abs(value - exact) <= mp.mpf(10)**(-dps) * abs(exact)


@pytest.mark.parametrize("dps", DPS)
def test_kappa_and_golden_weight_to_every_digit_asked(dps):
    """Isotropic ``κ(1) = 1 + √2`` at ``γ = 2`` and the min-norm ``w* = 1/φ``
    (any ``H``; ``ar1`` builds its quadrature too) to ``dps`` digits."""
    kappa = rt.kappa(1.0, gamma=2.0, dps=dps)
    golden = rt.optimal_w("ar1", gamma=2.0, dps=dps)
    with mp.workdps(dps + 20):
        assert _correct_to_dps(kappa, 1 + mp.sqrt(2), dps)
        assert _correct_to_dps(golden.w, 1 / mp.phi, dps)


@pytest.mark.parametrize("dps", DPS)
def test_closed_form_risks_to_every_digit_asked(dps):
    """Isotropic min-norm and ridge risks, and the equicorrelated ridge risk
    through the exact scaling ``Σ = cI``: ``R(w, λ; r²) = R_iso(w, λ/c;
    c r²)`` (``X = √c Z``, ``√c β̂`` is the isotropic estimator at ``λ/c``)."""
    w, lam, gamma = 0.6, 0.5, 2.0
    minnorm = rt.limiting_risk(w, gamma=gamma, dps=dps)
    ridge = rt.limiting_risk(w, gamma=gamma, lam=lam, dps=dps)
    equi = rt.limiting_risk(w, "equicorrelated", gamma=gamma, lam=lam, rho=0.25, dps=dps)
    with mp.workdps(dps + 40):
        w_, l_, g_, c = mpf(w), mpf(lam), mpf(gamma), 1 - mp.mpf("0.25")
        assert _correct_to_dps(minnorm.total, closed("isotropic_minnorm_risk")(w_, g_, 1, 1),
                               dps)
        assert _correct_to_dps(ridge.total, closed("isotropic_risk")(w_, l_, g_, 1, 1), dps)
        assert _correct_to_dps(equi.total, closed("isotropic_risk")(w_, l_ / c, g_, c, 1), dps)


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_lowest_dps_keeps_its_claimed_digits(name):
    """``dps = 10`` (the least allowed) claims 5 digits; ``dps = 9`` is refused."""
    low = rt.limiting_risk(0.7, name, gamma=2.0, lam=0.5, dps=10)
    high = rt.limiting_risk(0.7, name, gamma=2.0, lam=0.5, dps=30)
    with mp.workdps(40):
        assert digits(low.total, high.total) >= 5
    with pytest.raises(ValueError, match="dps"):
        rt.limiting_risk(0.7, name, gamma=2.0, lam=0.5, dps=9)


def test_continuous_spectrum_at_dps_200():
    """``ar1`` quadrature at 200 digits: ``κ(1/2)`` and the min-norm risk agree
    with an evaluation at 230 digits to the 195 claimed."""
    values = {dps: (rt.kappa(0.5, "ar1", gamma=2.0, dps=dps),
                    total(rt.limiting_risk(0.6, "ar1", gamma=2.0, dps=dps)))
              for dps in (200, 230)}
    with mp.workdps(240):
        for low, high in zip(values[200], values[230]):
            assert digits(low, high) >= 195
