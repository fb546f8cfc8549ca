r"""The stationary risk and its slope in ``w`` without a divided difference,
derived with SymPy for the float64 backend.

The stationary risk contains the divided difference
``D = (κ(b) − κ(a))/(b − a)`` of ``κ`` between the penalties
``a = λ/w`` and ``b = λ/(2 − w)``. Formed as written it cancels when
``b − a`` is small (``w`` near 1, or ``λ`` tiny): float64 keeps about
``log10(|b − a|/κ) + 16`` digits of it, and ``∂R/∂w`` divides by
``(b − a)`` once more. The mpmath path pays for this with extra working
bits; float64 has none to spare. The fixed-point equation removes the
difference altogether. Since ``x = κ(1 − γ∫ s/(s+κ) dH)`` at ``κ = κ(x)``
and the integrand is linear in the measure,

.. math::

    b - a = (\kappa_b - \kappa_a)\,(1 - \gamma M), \qquad
    M = \int \frac{s^2}{(s+\kappa_a)(s+\kappa_b)}\,dH,
    \qquad\text{so}\qquad D = \frac{1}{1 - \gamma M},

with ``1 − γM = a/κ_a + γκ_b ∫ s/((s+κ_a)(s+κ_b)) dH``, a sum of
nonnegative terms (no cancellation either), and ``D − 1 = γM/(1 − γM)``.
At ``w = 1`` (``κ_a = κ_b``) these are ``κ'(λ)`` and ``κ'(λ) − 1``: the
same expressions hold on all of ``(0, 1]`` and at ``λ = 0``. The slope
follows by the chain rule, ``dM/dw = M_{κa} κ'(a) a'(w) + M_{κb} κ'(b) b'(w)``
with ``M_{κa} = ∫ ∂_{κ_a}(\ldots) dH``. Every integrand and expression
here is obtained by SymPy from :mod:`rmtheory.symbolic.general` and
:func:`rmtheory.symbolic.mixed.risk_in_values` (and each rewriting is
checked to be an identity), then lambdified for NumPy.

Examples
--------
>>> from rmtheory.numeric.fast_forms import divided_forms
>>> forms = divided_forms()
>>> forms.expressions["m_integrand"]
s**2/((kappa_a + s)*(kappa_b + s))
>>> float(forms.E(2.0, 0.25, 0.5))       # D − 1 = γM/(1 − γM)
1.0
"""
from functools import lru_cache
from types import SimpleNamespace

import sympy as sp

__all__ = ["divided_forms"]


def _collected(expr, symbol, variables):
    """``expr`` with each polynomial sub-sum in ``variables`` that has
    ``symbol`` collected in it, coefficients factored (an identity)."""
    def stable(e):
        return sp.collect(sp.expand(e), symbol, sp.factor)
    out = expr.replace(lambda e: e.is_Add and e.has(symbol) and e.is_polynomial(*variables),
                       stable)
    if sp.simplify(out - expr) != 0:  # pragma: no cover
        raise ArithmeticError("collecting changed the expression")
    return out


@lru_cache(maxsize=None)
def divided_forms():
    """Derive (once per process) and lambdify for NumPy.

    Returns a namespace with the integrands ``m(s, κ_a, κ_b)``,
    ``n(s, κ_a, κ_b)``, ``m_ka``, ``m_kb`` (``∂m/∂κ_a``, ``∂m/∂κ_b``), the
    callables ``gap(a, κ_a, κ_b, γ, N)`` (``1 − γM`` without
    cancellation), ``E(γ, M, gap)`` (``D − 1``), ``variance(w, σ², κ_s, E)``
    and ``slope(w, λ, σ², κ_s, E, gap, γ, B'_a, κ'_a, κ'_b, M_{κa}, M_{κb})``
    (``∂R/∂w``), and ``expressions``, the SymPy forms by name.
    """
    from ..symbolic import general
    from ..symbolic.mixed import Bp_a, kappa_a as ka, kappa_b as kb, kp_a, kp_b, risk_in_values
    from ..symbolic.symbols import gamma, kappa, kappa_s, lam, s, sigma2, w

    f = general.fixed_point_integrand                      # s/(s + κ)
    # κ_b f(κ_b) − κ_a f(κ_a) = (κ_b − κ_a) m: the divided difference of κ f(κ)
    m = sp.factor(sp.simplify((kb * f.subs(kappa, kb) - ka * f.subs(kappa, ka)) / (kb - ka)))
    # f(κ_a) − m = κ_b n
    n = sp.factor(sp.simplify((f.subs(kappa, ka) - m) / kb))
    if sp.simplify(kb * f.subs(kappa, kb) - ka * f.subs(kappa, ka) - (kb - ka) * m) != 0 \
            or sp.simplify(f.subs(kappa, ka) - m - kb * n) != 0:  # pragma: no cover
        raise ArithmeticError("the divided-difference integrands are not identities")
    M, N, I1a, I1b, G, E = sp.symbols("M N I_1a I_1b G E")
    a, b = lam / w, lam / (2 - w)
    # x(κ) = κ(1 − γ I₁) from the fixed point; the difference at κ_b and κ_a,
    # with κ_b I₁(κ_b) − κ_a I₁(κ_a) = (κ_b − κ_a) M by linearity of ∫
    x = sp.solve(general.kappa_equation, lam)[0]
    dx = x.subs({kappa: kb, general.I1: I1b}) - x.subs({kappa: ka, general.I1: I1a})
    dx = dx.subs(I1b, (ka * I1a + (kb - ka) * M) / kb)
    D = sp.simplify((kb - ka) / dx)                        # 1/(1 − γM)
    one_minus = sp.simplify(1 / D)                         # 1 − γM
    # 1 − γM with M = I₁(κ_a) − κ_b N and 1 − γI₁(κ_a) = a/κ_a
    (I1_at_a,) = sp.solve(general.kappa_equation.subs({kappa: ka, lam: a}), general.I1)
    gap = sp.expand(one_minus.subs(M, I1a - kb * N).subs(I1a, I1_at_a))
    if any(term.could_extract_minus_sign() for term in sp.Add.make_args(gap)):  # pragma: no cover
        raise ArithmeticError(f"1 - gamma M = {gap} is not a sum of nonnegative terms")
    # D − 1 = γM/(1 − γM): its numerator over the gap
    E_numerator = sp.simplify((D - 1) * one_minus)
    E_form = E_numerator / G
    # the stationary variance with κ_b = κ_a + D(b − a), as a function of D − 1
    rv = risk_in_values()
    Dsym = sp.Symbol("D")
    variance = sp.factor(sp.simplify(rv.variance.subs(kb, ka + Dsym * (b - a)).subs(Dsym, 1 + E)))
    if variance.has(ka) or sp.diff(variance, E, 2) != 0:  # pragma: no cover
        raise ArithmeticError("the variance is not sigma^2 c(w) (D - 1)")
    # ∂R/∂w: R = B(a(w)) + variance(w, E(w)), E = 1/(1 − γM(w)) − 1,
    # dM/dw = M_κa κ'(a) a' + M_κb κ'(b) b'
    m_ka, m_kb = sp.diff(m, ka), sp.diff(m, kb)
    Mka, Mkb = sp.symbols("M_ka M_kb")
    Mw, Ew, Bw = (sp.Function(name)(w) for name in ("M", "E", "B"))
    dE_dw = sp.diff(1 / (1 - gamma * Mw), w).subs(
        sp.Derivative(Mw, w), Mka * kp_a * sp.diff(a, w) + Mkb * kp_b * sp.diff(b, w))
    dE_dw = dE_dw.subs(Mw, (1 - G) / gamma)                # only (1 − γM) is left: G
    total = Bw + variance.subs(E, Ew)
    slope = sp.diff(total, w).subs({sp.Derivative(Ew, w): dE_dw,
                                    sp.Derivative(Bw, w): Bp_a * sp.diff(a, w)}).subs(Ew, E)
    if slope.has(Mw) or slope.has(Bw):  # pragma: no cover
        raise ArithmeticError("the slope still has undefined functions")
    # s_w = w² + κ_s(1 − w)² expanded cancels near w = 1 when κ_s is large:
    # collect every such polynomial in κ_s with factored coefficients
    variance, slope = (_collected(expr, kappa_s, (w, kappa_s)) for expr in (variance, slope))

    def numpy(args, expr):
        return sp.lambdify(args, expr, "numpy")
    return SimpleNamespace(
        m_integrand=numpy((s, ka, kb), m), n_integrand=numpy((s, ka, kb), n),
        m_ka=numpy((s, ka, kb), m_ka), m_kb=numpy((s, ka, kb), m_kb),
        gap=numpy((lam, w, ka, kb, gamma, N), gap),
        one_minus=numpy((gamma, M), one_minus),
        E=numpy((gamma, M, G), E_form),
        variance=numpy((w, sigma2, kappa_s, E), variance),
        slope=numpy((w, lam, sigma2, kappa_s, E, G, gamma, Bp_a, kp_a, kp_b, Mka, Mkb), slope),
        expressions={"m_integrand": m, "n_integrand": n, "gap": gap, "E": E_form,
                     "variance": variance, "slope": slope})
