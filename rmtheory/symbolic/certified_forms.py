r"""Second-order forms for the certificate of ``w*`` (issue 14), by SymPy's
chain rule on :mod:`.general` and :mod:`.mixed` (nothing typed by hand).

* ``κ''(λ)``, ``κ'''(λ)`` and ``B''(λ)``: :func:`.general._penalty_derivative`'s
  chain rule carried further through ``κ(λ)`` with ``dJ/dκ = J_κ``,
  ``dJ_κ/dκ = J_κκ`` (and likewise ``I₂``), written with ``1 − γI₂ = D₂``;
* ``∂²R/∂w²``: the ``w``-derivative of ``risk_in_values().dtotal_dw`` with
  ``κ(a(w))``, ``κ(b(w))``, ``B'(a(w))``, ``κ'(a(w))``, ``κ'(b(w))`` as
  functions of ``w``;
* ``∂/∂w`` of that expression in its explicit ``w`` only (the values at the
  penalties held fixed): the centred form ``F(c, X) + F_w(W, X)(W − c)`` of
  the numeric layer, whose explicit occurrences of ``w`` dominate the
  overestimation of a ball evaluation;
* the variance in the divided difference ``Δ = (κ(b) − κ(a))/(b − a)``:
  ``σ² c(w; κ_s)(Δ − 1)``, without the removable singularity at ``w = 1``;
* the slope in ``Δ``, ``Δ_a = κ[b,a,a]`` and ``E = Δ_b − Δ_a =
  (b − a)κ[a,a,b,b]``, valid on a ball of ``w`` that contains 1;
* ``∂²R/∂w²`` in the divided differences (``d2total_dw2_dd``): ``Δ``,
  ``Δ_a = κ[b,a,a]``, ``Δ_b = κ[a,b,b]``, ``Δ_aa = 2κ[b,a,a,a]``,
  ``Δ_ab = κ[a,a,b,b]``, ``Δ_bb = 2κ[a,b,b,b]``, ``B'(a)``, ``B''(a)`` —
  no ``(w − 1)^k`` denominator, and each divided difference is monotone in
  its nodes (``κ'' ≤ 0``, ``κ''' ≥ 0``, ``κ'''' ≤ 0``: ``kappa_pppp`` and
  ``proofs/p10_certified_bounds.py``), so the numeric layer encloses it over
  a ball of weights from values at the ball's ends; and its ``w``-derivative
  in the explicit ``w`` (the centred form);
* the lower bound of the bias used for the tail ``w → 0``: ``B`` with
  ``1 − γI₂`` replaced by its upper bound 1 (``proofs/p10_certified_bounds.py``
  proves the inequalities).

The numeric layer (:mod:`rmtheory.numeric.certified.derived`) only turns
these expressions into functions of balls.

Examples
--------
>>> from rmtheory.symbolic.certified_forms import derive_certified_forms
>>> forms = derive_certified_forms()
>>> from rmtheory.symbolic.general import J
>>> from rmtheory.symbolic.symbols import kappa, r2
>>> forms.bias_floor == r2 * kappa**2 * J        # r²κ²J/(1 − γI₂) at 1 − γI₂ = 1
True
>>> sorted(forms.args)[:3]
['bias_floor', 'bias_pp', 'd2total_dw2']
"""
from typing import NamedTuple

import sympy as sp

from . import general
from ._cache import disk_cached
from .minnorm import derive_minnorm
from .mixed import B_a, Bp_a, kappa_a, kappa_b, kp_a, kp_b, risk_in_values
from .symbols import gamma, kappa, kappa_s, lam, r2, sigma2, w

__all__ = ["D2", "CertifiedForms", "derive_certified_forms"]

#: ``1 − γI₂`` as a symbol (the name and assumptions of the numeric layer's
#: ``one_minus_df2``, so the two are the same SymPy symbol)
D2 = sp.Symbol("D_2", positive=True)
#: second-order values: ``J_κκ``, ``I₂κκ``, ``κ''``; at the two penalties
J_kk, I2_kk, kappa_pp = sp.symbols("J_kappakappa I_2kappakappa kappa_pp", real=True)
Bpp_a, kpp_a, kpp_b = sp.symbols("Bpp_a kpp_a kpp_b", real=True)
#: the divided differences of κ (Δ, Δ_a, Δ_b) and E = Δ_b − Δ_a
Delta = sp.Symbol("Delta", positive=True)
Delta_a, Delta_b, E = sp.symbols("Delta_a Delta_b E", real=True)
#: the second partial derivatives of Δ(a, b) (third divided differences of κ)
Delta_aa, Delta_ab, Delta_bb = sp.symbols("Delta_aa Delta_ab Delta_bb", real=True)
#: ``I₂κκκ = ∫ ∂³_κ (s/(s+κ))² dH`` (only in ``κ''''``)
I2_kkk = sp.Symbol("I_2kappakappakappa", real=True)


class CertifiedForms(NamedTuple):
    kappa_pp: sp.Expr
    kappa_ppp: sp.Expr
    bias_pp: sp.Expr
    d2total_dw2: sp.Expr
    d2total_dw2_explicit_w: sp.Expr
    variance_dd: sp.Expr
    slope_dd: sp.Expr
    slope_near_1: sp.Expr
    bias_floor: sp.Expr
    kappa_pppp: sp.Expr
    d2total_dw2_dd: sp.Expr
    d2total_dw2_dd_explicit_w: sp.Expr
    bias_integrand_dkappa2: sp.Expr
    df2_integrand_dkappa2: sp.Expr
    #: form name -> the tuple of its argument symbols, in order
    args: dict


def _with_gap(expr):
    direct = 1 - gamma * general.I2
    return sp.together(expr).subs(direct, D2).subs(gamma * general.I2, 1 - D2)


def _d_penalty(expr):
    """d/dλ through κ(λ): every κ-dependent value moves with dκ/dλ = κ'."""
    J, I2, Jk, I2k, kp = (general.J, general.I2, general.J_kappa, general.I2_kappa,
                          general.kappa_p)
    return (sp.diff(expr, kappa) + sp.diff(expr, J) * Jk + sp.diff(expr, I2) * I2k
            + sp.diff(expr, Jk) * J_kk + sp.diff(expr, I2k) * I2_kk) * kp \
        + sp.diff(expr, kp) * kappa_pp


@disk_cached
def derive_certified_forms() -> CertifiedForms:
    """The expressions of the module docstring, each checked against the
    form it was rewritten from (``ArithmeticError`` if a rewriting changed
    a value). SymPy takes ~3 s: the result is kept in the derivation cache."""
    direct = 1 - gamma * general.I2
    J, I2, Jk, I2k, kp = (general.J, general.I2, general.J_kappa, general.I2_kappa,
                          general.kappa_p)
    k_pp = _with_gap(_d_penalty(general.kappa_prime))
    # κ''': one more order; I₂κ moves with dI₂κ/dκ = I₂κκ (the other values do not occur)
    k_ppp_raw = _d_penalty(_d_penalty(general.kappa_prime)).subs(
        kappa_pp, _d_penalty(general.kappa_prime))
    if k_ppp_raw.has(Jk) or k_ppp_raw.has(J_kk):  # pragma: no cover
        raise ArithmeticError("kappa''' depends on the bias integrals")
    k_ppp = _with_gap(k_ppp_raw)
    b_pp = _with_gap(_d_penalty(general.ridge_bias_derivative))
    for name, form, original in (("kappa''", k_pp, _d_penalty(general.kappa_prime)),
                                 ("B''", b_pp, _d_penalty(general.ridge_bias_derivative))):
        if sp.simplify(form.subs(D2, direct) - original) != 0:  # pragma: no cover
            raise ArithmeticError(f"{name} does not factor through 1 - gamma I2")

    rv = risk_in_values()
    a, b = lam / w, lam / (2 - w)
    da, db = sp.diff(a, w), sp.diff(b, w)
    S = rv.dtotal_dw
    dS = (sp.diff(S, w) + sp.diff(S, kappa_a) * kp_a * da + sp.diff(S, kappa_b) * kp_b * db
          + sp.diff(S, B_a) * Bp_a * da + sp.diff(S, Bp_a) * Bpp_a * da
          + sp.diff(S, kp_a) * kpp_a * da + sp.diff(S, kp_b) * kpp_b * db)
    if dS.has(B_a):  # pragma: no cover
        raise ArithmeticError("the slope depends on B(a) itself")

    variance_dd = sp.simplify(rv.variance.subs(kappa_b, kappa_a + Delta * (b - a)))
    if variance_dd.has(kappa_a):  # pragma: no cover - guards the algebra
        raise ArithmeticError(f"the variance is not a function of the divided difference: "
                              f"{variance_dd}")
    c = derive_minnorm().c_w_kappa_s
    if sp.simplify(variance_dd - sigma2 * c * (Delta - 1)) != 0:  # pragma: no cover
        raise ArithmeticError("the variance is not sigma^2 c(w) (Delta - 1)")

    # the slope from the variance in Δ: dΔ/dw = Δ_a a'(w) + Δ_b b'(w), with
    # Δ_a = κ[b, a, a] and Δ_b = κ[a, b, b] (second divided differences,
    # each κ''(ξ)/2 for some ξ between b and a: Hermite–Genocchi)
    Delta_f, B_f = sp.Function("Delta")(w), sp.Function("B")(w)
    total_dd = B_f + variance_dd.subs(Delta, Delta_f)
    slope_dd = sp.diff(total_dd, w).subs({sp.Derivative(Delta_f, w): Delta_a * da + Delta_b * db,
                                         sp.Derivative(B_f, w): Bp_a * da}).subs(Delta_f, Delta)
    # near w = 1 the two second divided differences nearly coincide:
    # Δ_b = Δ_a + E with E = (b − a) κ[a, a, b, b] (κ'''(ξ)/6 each); collected
    # in Δ_a, the slope multiplies it by a'(w) + b'(w) = O(1 − w)
    grouped = sp.collect(sp.expand(slope_dd.subs(Delta_b, Delta_a + E)),
                         [Delta_a, E], evaluate=False)
    slope_near_1 = sum(sp.factor(coefficient) * term for term, coefficient in grouped.items())
    if sp.simplify(slope_near_1.subs(E, Delta_b - Delta_a) - slope_dd) != 0:  # pragma: no cover
        raise ArithmeticError("the slope regrouped in Delta_a and E is not the slope")

    # the bias r²κ²J/(1 − γI₂) with its denominator replaced by the upper bound 1
    bias_floor = _with_gap(general.ridge_bias).subs(D2, 1)

    # κ'''' from κ''' in (γ, I₂κ, I₂κκ, κ', D₂): d/dλ moves I₂κ by I₂κκ κ',
    # I₂κκ by I₂κκκ κ', κ' by κ'' and D₂ = 1 − γI₂ by −γI₂κ κ'
    k_pppp = sp.factor(sp.diff(k_ppp, I2k) * I2_kk * kp + sp.diff(k_ppp, I2_kk) * I2_kkk * kp
                       + sp.diff(k_ppp, kp) * k_pp + sp.diff(k_ppp, D2) * (-gamma * I2k * kp))

    # ∂²R/∂w² from R = B(a) + σ² c(w)(Δ − 1), Δ = Δ(a(w), b(w)) (chain rule twice)
    d1 = Delta_a * da + Delta_b * db
    d2 = (Delta_aa * da**2 + 2 * Delta_ab * da * db + Delta_bb * db**2
          + Delta_a * sp.diff(a, w, 2) + Delta_b * sp.diff(b, w, 2))
    second = sp.diff(total_dd, w, 2).subs({
        sp.Derivative(Delta_f, (w, 2)): d2, sp.Derivative(B_f, (w, 2)):
            Bpp_a * da**2 + Bp_a * sp.diff(a, w, 2)})
    second = second.subs({sp.Derivative(Delta_f, w): d1, sp.Derivative(B_f, w): Bp_a * da})
    # the same, kept in the product structure B''a'² + B'a'' + σ²[c''(Δ − 1) + 2c'Δ' + cΔ'']:
    # each value occurs next to its explicit factor of w, which a ball evaluation
    # overestimates far less than the combined rational function (measured:
    # 3-10 times narrower on regions of width 0.1)
    c_w = derive_minnorm().c_w_kappa_s
    curvature_dd = (Bpp_a * da**2 + Bp_a * sp.diff(a, w, 2)
                    + sigma2 * (sp.diff(c_w, w, 2) * (Delta - 1) + 2 * sp.diff(c_w, w) * d1
                                + c_w * d2))
    if sp.cancel(sp.together(curvature_dd - second.subs(Delta_f, Delta))) != 0:  # pragma: no cover
        raise ArithmeticError("the curvature in divided differences is not the chain rule's")
    # check against the direct form: Δ and its partial derivatives in κ's values
    # (Δ_a = (κ'_a − Δ)/(a − b), Δ_aa = (κ''_a − 2Δ_a)/(a − b), Δ_ab = (Δ_a − Δ_b)/(a − b), …)
    h = a - b
    q = (kappa_a - kappa_b) / h
    qa, qb = (kp_a - q) / h, (q - kp_b) / h
    values = {Delta_aa: (kpp_a - 2 * qa) / h, Delta_ab: (qa - qb) / h,
              Delta_bb: (2 * qb - kpp_b) / h}
    direct_check = curvature_dd.subs(values).subs({Delta_a: qa, Delta_b: qb}).subs(Delta, q)
    if sp.cancel(sp.together(direct_check - dS)) != 0:  # pragma: no cover
        raise ArithmeticError("the curvature in divided differences is not d2total_dw2")

    penalty = (kappa, r2, gamma, J, I2, Jk, I2k, J_kk, I2_kk, kp, kappa_pp, D2)
    args = dict(
        kappa_pp=(gamma, I2k, kp, D2),
        kappa_ppp=(gamma, I2k, I2_kk, kp, D2),
        bias_pp=penalty,
        d2total_dw2=(w, lam, sigma2, kappa_s, kappa_a, kappa_b, Bp_a, kp_a, kp_b,
                     Bpp_a, kpp_a, kpp_b),
        d2total_dw2_explicit_w=(w, lam, sigma2, kappa_s, kappa_a, kappa_b, Bp_a, kp_a, kp_b,
                                Bpp_a, kpp_a, kpp_b),
        variance_dd=(w, sigma2, kappa_s, Delta),
        slope_dd=(w, lam, sigma2, kappa_s, Delta, Delta_a, Delta_b, Bp_a),
        slope_near_1=(w, lam, sigma2, kappa_s, Delta, Delta_a, E, Bp_a),
        bias_floor=(kappa, r2, gamma, J, I2),
        kappa_pppp=(gamma, I2k, I2_kk, I2_kkk, kp, D2),
        d2total_dw2_dd=(w, lam, sigma2, kappa_s, Delta, Delta_a, Delta_b, Delta_aa, Delta_ab,
                        Delta_bb, Bp_a, Bpp_a),
        d2total_dw2_dd_explicit_w=(w, lam, sigma2, kappa_s, Delta, Delta_a, Delta_b, Delta_aa,
                                   Delta_ab, Delta_bb, Bp_a, Bpp_a))
    return CertifiedForms(
        kappa_pp=k_pp, kappa_ppp=k_ppp, bias_pp=b_pp, d2total_dw2=dS,
        d2total_dw2_explicit_w=sp.diff(dS, w),
        variance_dd=variance_dd, slope_dd=slope_dd, slope_near_1=slope_near_1,
        bias_floor=bias_floor, kappa_pppp=k_pppp, d2total_dw2_dd=curvature_dd,
        d2total_dw2_dd_explicit_w=sp.diff(curvature_dd, w),
        bias_integrand_dkappa2=sp.diff(general.bias_integrand, kappa, 2),
        df2_integrand_dkappa2=sp.diff(general.df2_integrand, kappa, 2),
        args=args)
