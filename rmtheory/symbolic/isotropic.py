r"""Result 5: closed forms for the isotropic model ``H = G = δ₁``.

From the general relations of :mod:`.general` with atoms at ``s = 1``:

.. math::

    \kappa(\lambda) = \tfrac12\Bigl(\gamma + \lambda - 1
        + \sqrt{(\gamma + \lambda - 1)^2 + 4\lambda}\Bigr), \qquad
    \gamma z m^2 - (1 - \gamma - z) m + 1 = 0,

    B(\lambda) = \frac{r^2 \kappa^2}{(1+\kappa)^2 - \gamma}, \qquad
    V(\lambda) = \frac{\sigma^2 \gamma}{(1+\kappa)^2 - \gamma},

the Marchenko–Pastur density from the discriminant of the quadratic, and
the optimal weight's series as ``λ ↓ 0`` and its slope condition as
``λ → ∞``.
"""
from typing import NamedTuple

import sympy as sp

from ._cache import disk_cached

from . import general
from .mixed import I2_a, J_a, derive_mixed_risk, kappa_a, kappa_b
from .ridge import kappa_fn
from .symbols import delta, gamma, kappa, lam, m, m1, m2, r2, sigma2, w, z

__all__ = ["IsotropicDerivation", "derive_isotropic", "ISOTROPIC_ATOMS"]

ISOTROPIC_ATOMS = {1: 1}
_x = sp.Symbol("x", positive=True)     # z = −x on the negative real axis
_k = sp.symbols("k_0:4")


class IsotropicDerivation(NamedTuple):
    kappa_quadratic: sp.Expr       # polynomial in κ whose positive root is κ(λ)
    kappa: sp.Expr                 # κ(λ), closed form
    mp_quadratic: sp.Expr          # polynomial in m
    m_negative_axis: sp.Expr       # m(−x), x > 0, the positive root
    kappa_via_m: sp.Expr           # 1 / v(−λ) with v = γ m − (1−γ)/z
    discriminant: sp.Expr          # of the quadratic in m
    edges: list                    # roots of the discriminant
    density: sp.Expr               # MP density of XᵀX/n on (edges)
    atom_at_zero: sp.Expr          # γ > 1: lim x m(−x) as x ↓ 0
    bias: sp.Expr                  # ridge bias as a function of κ
    variance: sp.Expr              # ridge variance (w = 1) as a function of κ
    risk: sp.Expr                  # R_∞(w, λ) explicit in (γ, λ, w, r², σ²)
    risk_bias: sp.Expr
    risk_variance: sp.Expr
    risk_stieltjes: sp.Expr        # the same in m₁ = m(−λ/w), m₂ = m(−λ/(2−w))
    minnorm_bias: sp.Expr          # λ → 0, γ = 1 + δ
    minnorm_variance_factor: sp.Expr
    kappa_series: list             # κ(x) = Σ k_j x^j about x = 0 (γ > 1)
    w_star_limit: sp.Expr          # w*(0)
    w_star_slope: sp.Expr          # dw*/dλ at 0
    slope_at_w1_leading: sp.Expr   # lim λ·∂_w R(1) as λ → ∞ (negative: w* = 1)


def _quadratic(equation, unknown):
    """The polynomial numerator of ``equation = 0`` in ``unknown``."""
    numerator = sp.fraction(sp.together(equation))[0]
    return sp.Poly(sp.expand(numerator), unknown)


def _positive_root(poly, probe):
    """The unique positive root of a quadratic whose roots have a negative
    product (Vieta); ``probe`` are sample parameter values used only to tell
    the two closed-form roots apart."""
    roots = sp.solve(poly.as_expr(), poly.gens[0])
    if sp.simplify(poly.nth(0) / poly.nth(2)).subs(probe) >= 0:
        raise ArithmeticError("the roots do not have a negative product")
    positive = [r for r in roots if sp.N(r.subs(probe)) > 0]
    if len(positive) != 1:
        raise ArithmeticError(f"expected one positive root, got {roots}")
    return positive[0]


@disk_cached
def derive_isotropic():
    """Derive every isotropic closed form.

    Examples
    --------
    >>> from rmtheory.symbolic.isotropic import derive_isotropic
    >>> derive_isotropic().edges
    [-2*sqrt(gamma) + gamma + 1, 2*sqrt(gamma) + gamma + 1]
    """
    atoms = ISOTROPIC_ATOMS
    I1 = general.integrate_atoms(general.fixed_point_integrand, atoms)
    I2 = general.integrate_atoms(general.df2_integrand, atoms)
    J = general.integrate_atoms(general.bias_integrand, atoms)

    k_poly = _quadratic(general.kappa_equation.subs(general.I1, I1), kappa)
    k_closed = _positive_root(k_poly, {gamma: 2, lam: 1})

    stieltjes = general.integrate_atoms(general.stieltjes_integrand, atoms)
    m_poly = _quadratic(m - stieltjes, m)
    m_neg = _positive_root(sp.Poly(m_poly.as_expr().subs(z, -_x), m), {gamma: 2, _x: 1})
    companion = general.companion_from_m.subs({m: m_neg, z: -_x})
    kappa_via_m = sp.simplify(1 / companion).subs(_x, lam)

    disc = sp.factor(sp.discriminant(m_poly.as_expr(), m))
    xr = sp.Symbol("x", real=True)
    edges = sorted(sp.solve(disc.subs(z, xr), xr), key=lambda e: sp.N(e.subs(gamma, 2)))
    edges = [sp.factor(e) for e in edges]
    # Im m(x + i0) = √(−Δ)/(2γx) between the edges
    lead = m_poly.nth(2).subs(z, _x)
    density = sp.sqrt(-disc.subs(z, _x)) / (2 * sp.pi * sp.Abs(lead))
    atom = sp.limit((_x * m_neg).subs(gamma, 1 + delta), _x, 0)

    bias_k = sp.factor(general.ridge_bias.subs({general.J: J, general.I2: I2}))
    var_k = sp.factor(general.ridge_variance.subs(general.I2, I2))

    mixed = derive_mixed_risk()
    a, b = lam / w, lam / (2 - w)
    on_atoms = {J_a: J.subs(kappa, kappa_a), I2_a: I2.subs(kappa, kappa_a)}
    values = {kappa_a: k_closed.subs(lam, a), kappa_b: k_closed.subs(lam, b)}
    risk_bias = mixed.bias.subs(on_atoms).subs(values)
    risk_variance = mixed.variance.subs(values)
    companion_sym = lambda mm, x: 1 / (gamma * mm + (1 - gamma) / x)  # noqa: E731
    risk_stieltjes = mixed.total.subs(on_atoms).subs(
        {kappa_a: companion_sym(m1, a), kappa_b: companion_sym(m2, b)})

    minnorm_bias = sp.simplify(sp.limit(bias_k.subs(kappa, k_closed).subs(gamma, 1 + delta), lam, 0))
    minnorm_var = sp.simplify(sp.limit((var_k / sigma2).subs(kappa, k_closed).subs(gamma, 1 + delta), lam, 0))

    series = _kappa_series(k_poly)
    w0, w1 = _w_star_series(series, bias_k)
    leading = _slope_at_w1_leading(k_closed, bias_k)
    return IsotropicDerivation(
        kappa_quadratic=k_poly.as_expr(), kappa=k_closed, mp_quadratic=m_poly.as_expr(),
        m_negative_axis=m_neg, kappa_via_m=kappa_via_m, discriminant=disc,
        edges=edges, density=density, atom_at_zero=sp.simplify(atom.subs(delta, gamma - 1)),
        bias=bias_k, variance=var_k,
        risk=risk_bias + risk_variance, risk_bias=risk_bias, risk_variance=risk_variance,
        risk_stieltjes=risk_stieltjes,
        minnorm_bias=sp.factor(minnorm_bias.subs(delta, gamma - 1)),
        minnorm_variance_factor=sp.factor(minnorm_var.subs(delta, gamma - 1)),
        kappa_series=series, w_star_limit=w0, w_star_slope=w1,
        slope_at_w1_leading=leading)


def _kappa_series(k_poly):
    """Taylor coefficients of ``κ(x)`` at ``x = 0`` for ``γ > 1``, order by
    order from the quadratic (``k₀ = γ − 1``, the positive root at ``λ = 0``)."""
    x = sp.Symbol("x")
    trial = sum(_k[j] * x**j for j in range(4))
    residual = sp.expand(k_poly.as_expr().subs({kappa: trial, lam: x}))
    coeffs = {_k[0]: gamma - 1}
    for j in range(1, 4):
        eq = residual.coeff(x, j).subs(coeffs)
        coeffs[_k[j]] = sp.factor(sp.solve(eq, _k[j])[0])
    check = residual.coeff(x, 0).subs(coeffs)
    if sp.simplify(check) != 0:
        raise ArithmeticError("k0 = γ − 1 does not solve the quadratic at λ = 0")
    return [coeffs[_k[j]] for j in range(4)]


def _w_star_series(series, bias_k):
    """``w*(λ) = w₀ + w₁ λ + O(λ²)`` from ``∂_w R = 0`` expanded in ``λ``."""
    x = sp.Symbol("x")
    kappa_of = lambda arg: sum(series[j] * arg**j for j in range(4))  # noqa: E731
    risk_fn = derive_mixed_risk().risk_of_functions
    bias_of = sp.Lambda(x, bias_k.subs(kappa, kappa_of(x)))
    risk = risk_fn.replace(kappa_fn, lambda arg: kappa_of(arg))
    risk = risk.replace(sp.Function("B"), lambda arg: bias_of(arg))
    eps = sp.Symbol("epsilon", positive=True)
    expansion = sp.series(risk.subs(lam, eps), eps, 0, 2).removeO()
    r0 = sp.simplify(expansion.coeff(eps, 0))
    r1 = sp.simplify(expansion.coeff(eps, 1))
    roots = [rt for rt in sp.solve(sp.fraction(sp.together(sp.diff(r0, w)))[0], w)
             if sp.N(rt.subs({gamma: 2, r2: 1, sigma2: 1})) > 0]
    w0 = sp.radsimp(roots[0])
    w1 = -sp.diff(r1, w).subs(w, w0) / sp.diff(r0, w, 2).subs(w, w0)
    return w0, sp.simplify(sp.radsimp(sp.simplify(w1)))


def _slope_at_w1_leading(k_closed, bias_k):
    """``lim_{λ→∞} λ ∂_w R(1, λ)``: negative means ``w* = 1`` for all large ``λ``."""
    mixed = derive_mixed_risk()
    bias_lam = bias_k.subs(kappa, k_closed)
    slope = mixed.slope_at_w1.subs({
        sp.Derivative(sp.Function("B")(lam), lam): sp.diff(bias_lam, lam),
        sp.Derivative(kappa_fn(lam), lam): sp.diff(k_closed, lam)})
    return sp.simplify(sp.limit(lam * slope, lam, sp.oo))
