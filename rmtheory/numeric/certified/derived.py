r"""Second-order forms the certificate of ``w*`` needs, by SymPy's chain rule
on the symbolic layer's expressions (nothing typed by hand).

* ``κ''(λ)`` and ``B''(λ)``: :func:`rmtheory.symbolic.general._penalty_derivative`'s
  chain rule carried one order further, through ``κ(λ)`` with
  ``dJ/dκ = J_κ``, ``dJ_κ/dκ = J_κκ`` (and likewise ``I₂``), then written with
  ``1 − γI₂ = D₂`` as :func:`rmtheory.numeric.compiled._with_gap` does;
* ``∂²R/∂w²``: the ``w``-derivative of ``risk_in_values().dtotal_dw`` with
  ``κ(a(w))``, ``κ(b(w))``, ``B'(a(w))``, ``κ'(a(w))``, ``κ'(b(w))`` as functions of ``w``;
* the variance with the divided difference ``Δ = (κ(b) − κ(a))/(b − a)`` as
  a variable: ``σ² c(w; κ_s)(Δ − 1)``, without the removable singularity at
  ``w = 1`` (``Δ`` lies in the hull of ``κ'`` over ``[b, a]``);
* the slope in the same variables, ``Δ`` and its partial derivatives
  ``Δ_a = κ[b,a,a]``, ``Δ_b = κ[a,b,b]`` (each ``κ''(ξ)/2``), valid on a ball
  of ``w`` that contains 1;
* the lower bound of the bias for the tail ``w → 0``: ``B`` with
  ``1 − γI₂`` replaced by its upper bound 1.

These belong in :mod:`rmtheory.symbolic` (``mixed.py``); they sit here
until the certified backend is merged, because that layer is not this
module's to edit.
"""
import functools

import sympy as sp

from .balls import lambdify_ball

__all__ = ["second_order_forms"]


@functools.lru_cache(maxsize=None)
def second_order_forms():
    """Ball functions: ``kappa_pp(γ, I2κ, κ', D)``, ``bias_pp(κ, r², γ, J, I₂, J_κ,
    I₂κ, J_κκ, I₂κκ, κ', κ'', D)``, ``d2total_dw2(w, λ, σ², κ_s, κ_a, κ_b, B'_a,
    κ'_a, κ'_b, B''_a, κ''_a, κ''_b)``, ``variance_dd(w, σ², κ_s, Δ)``,
    ``bias_floor(κ, r², γ, J, I₂)``; and the integrands of ``J_κκ``, ``I₂κκ``."""
    from ...symbolic import general
    from ...symbolic.mixed import B_a, Bp_a, kappa_a, kappa_b, kp_a, kp_b, risk_in_values
    from ...symbolic.minnorm import derive_minnorm
    from ...symbolic.symbols import gamma, kappa, kappa_s, lam, r2, sigma2, w
    from ..compiled import one_minus_df2
    D = one_minus_df2
    direct = 1 - gamma * general.I2
    J, I2, Jk, I2k, kp = (general.J, general.I2, general.J_kappa, general.I2_kappa,
                          general.kappa_p)
    Jkk, I2kk, kpp = sp.symbols("J_kappakappa I_2kappakappa kappa_pp", real=True)

    def d_penalty(expr):
        """d/dλ through κ(λ): every κ-dependent value moves with dκ/dλ = κ'."""
        return (sp.diff(expr, kappa) + sp.diff(expr, J) * Jk + sp.diff(expr, I2) * I2k
                + sp.diff(expr, Jk) * Jkk + sp.diff(expr, I2k) * I2kk) * kp \
            + sp.diff(expr, kp) * kpp

    def with_gap(expr):
        return sp.together(expr).subs(direct, D).subs(gamma * I2, 1 - D)

    kappa_pp = with_gap(d_penalty(general.kappa_prime))
    # κ''': one more order; I₂κ moves with dI₂κ/dκ = I₂κκ (the other values do not occur)
    kappa_ppp_raw = d_penalty(d_penalty(general.kappa_prime)).subs(kpp, d_penalty(general.kappa_prime))
    if kappa_ppp_raw.has(Jk) or kappa_ppp_raw.has(Jkk):  # pragma: no cover
        raise ArithmeticError("kappa''' depends on the bias integrals")
    kappa_ppp = with_gap(kappa_ppp_raw)
    bias_pp = with_gap(d_penalty(general.ridge_bias_derivative))
    for name, form, original in (("kappa''", kappa_pp, d_penalty(general.kappa_prime)),
                                 ("B''", bias_pp, d_penalty(general.ridge_bias_derivative))):
        # the substitution must not have changed the value
        if sp.simplify(form.subs(D, direct) - original) != 0:  # pragma: no cover
            raise ArithmeticError(f"{name} does not factor through 1 - gamma I2")

    rv = risk_in_values()
    Bpp_a, kpp_a, kpp_b = sp.symbols("Bpp_a kpp_a kpp_b", real=True)
    a, b = lam / w, lam / (2 - w)
    da, db = sp.diff(a, w), sp.diff(b, w)
    S = rv.dtotal_dw
    dS = (sp.diff(S, w) + sp.diff(S, kappa_a) * kp_a * da + sp.diff(S, kappa_b) * kp_b * db
          + sp.diff(S, B_a) * Bp_a * da + sp.diff(S, Bp_a) * Bpp_a * da
          + sp.diff(S, kp_a) * kpp_a * da + sp.diff(S, kp_b) * kpp_b * db)

    delta = sp.Symbol("Delta", positive=True)
    variance_dd = sp.simplify(rv.variance.subs(kappa_b, kappa_a + delta * (b - a)))
    if variance_dd.has(kappa_a):  # pragma: no cover - guards the algebra
        raise ArithmeticError(f"the variance is not a function of the divided difference: "
                              f"{variance_dd}")
    c = derive_minnorm().c_w_kappa_s
    if sp.simplify(variance_dd - sigma2 * c * (delta - 1)) != 0:  # pragma: no cover
        raise ArithmeticError("the variance is not sigma^2 c(w) (Delta - 1)")

    # the slope from the variance in Δ: dΔ/dw = Δ_a a'(w) + Δ_b b'(w), with
    # Δ_a = κ[b, a, a] and Δ_b = κ[a, b, b] (second divided differences,
    # each κ''(ξ)/2 for some ξ between b and a: Hermite–Genocchi)
    Delta_f, B_f = sp.Function("Delta")(w), sp.Function("B")(w)
    delta_a, delta_b = sp.symbols("Delta_a Delta_b", real=True)
    total_dd = B_f + variance_dd.subs(delta, Delta_f)
    slope_dd = sp.diff(total_dd, w).subs({sp.Derivative(Delta_f, w): delta_a * da + delta_b * db,
                                         sp.Derivative(B_f, w): Bp_a * da}).subs(Delta_f, delta)
    # near w = 1 the two second divided differences nearly coincide:
    # Δ_b = Δ_a + E with E = κ[a, b, b] − κ[b, a, a] = (b − a) κ[a, a, b, b]
    # (each κ[a,a,b,b] = κ'''(ξ)/6); collected in Δ_a, the slope multiplies it
    # by a'(w) + b'(w) = O(1 − w) instead of two terms of size λ each
    excess = sp.Symbol("E", real=True)
    slope_dd1 = sp.collect(sp.expand(slope_dd.subs(delta_b, delta_a + excess)),
                           [delta_a, excess], evaluate=False)
    slope_near_1 = sum(sp.factor(coefficient) * term
                       for term, coefficient in slope_dd1.items())
    if sp.simplify(slope_near_1.subs(excess, delta_b - delta_a) - slope_dd) != 0:  # pragma: no cover
        raise ArithmeticError("the slope regrouped in Delta_a and E is not the slope")

    from ..compiled import _with_gap
    _, forms = _with_gap()
    bias_floor = forms["ridge_bias"].subs(D, 1)

    penalty = (kappa, r2, gamma, J, I2, Jk, I2k, Jkk, I2kk, kp, kpp, D)
    risk_args = (w, lam, sigma2, kappa_s, kappa_a, kappa_b, Bp_a, kp_a, kp_b,
                 Bpp_a, kpp_a, kpp_b)
    if dS.has(B_a):  # pragma: no cover
        raise ArithmeticError("the slope depends on B(a) itself")
    return dict(
        kappa_pp=lambdify_ball((gamma, I2k, kp, D), kappa_pp),
        bias_pp=lambdify_ball(penalty, bias_pp),
        d2total_dw2=lambdify_ball(risk_args, dS),
        variance_dd=lambdify_ball((w, sigma2, kappa_s, delta), variance_dd),
        slope_dd=lambdify_ball((w, lam, sigma2, kappa_s, delta, delta_a, delta_b, Bp_a),
                               slope_dd),
        slope_near_1=lambdify_ball((w, lam, sigma2, kappa_s, delta, delta_a, excess, Bp_a),
                                   slope_near_1),
        kappa_ppp=lambdify_ball((gamma, I2k, I2kk, kp, D), kappa_ppp),
        bias_floor=lambdify_ball((kappa, r2, gamma, J, I2), bias_floor),
        bias_integrand_dkappa2=sp.diff(general.bias_integrand, kappa, 2),
        df2_integrand_dkappa2=sp.diff(general.df2_integrand, kappa, 2))
