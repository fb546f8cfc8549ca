"""The symbolic layer's expressions, turned into mpmath callables once.

Every numeric formula comes from here: ``sympy.lambdify`` of the derived
expression, cached, so nothing is retyped in the numeric layer.
"""
from functools import lru_cache

import sympy as sp

from ..symbolic import general
from .context import contextual, mp
from ..symbolic.minnorm import derive_minnorm
from ..symbolic.synthetic_noise import derive_synthetic_noise
from ..symbolic.mixed import (B_a, Bp_a, kappa_a, kappa_b, kp_a, kp_b,
                              risk_in_values)
from ..symbolic.symbols import kappa, kappa_s, lam, r2, s, sigma2, t, w, gamma

__all__ = ["expressions", "variance_factor_at", "finite_t_forms", "MAX_STEPS", "check_steps"]


#: ``1 − γI₂`` (``I₂ = ∫ s²/(s+κ)² dH``), the denominator of ``κ'``, ``B``, ``V``, ``B'``
one_minus_df2 = sp.Symbol("D_2", positive=True)
#: ``J_H = ∫ s/(s+κ)² dH`` (the bias integrand against ``H``, not ``G``)
one_minus_df2_inputs = (sp.Symbol("J_H", nonnegative=True),)


@lru_cache(maxsize=None)
def _with_gap():
    r"""``1 − γI₂`` without cancellation, and the penalty values in terms of it.

    Computed as ``1 − γ∫s²/(s+κ)² dH`` it cancels to nothing when the
    spectrum spans many orders of magnitude: atoms at ``10^{±100}`` give
    ``1 − γI₂ ≈ 2·10^{-100}`` at ``λ = 0``, ``γ = 2`` (a ``ZeroDivisionError``
    at 40 digits). SymPy derives a sum of nonnegative terms instead: the
    ``κ`` equation gives ``1 − γI₁ = λ/κ`` and the integrands give
    ``I₁ − I₂ = κ∫ s/(s+κ)² dH``, so

    .. math:: 1 - \gamma I_2 = rac{\lambda}{\kappa} + \gamma\kappa J_H .

    Returns that expression (of ``κ, λ, γ, J_H``) and a dict of
    ``κ'``, ``B``, ``V``, ``B'`` with ``1 − γI₂`` replaced by ``D₂`` (and the
    ``"direct"`` form ``1 − γI₂``, for ``κ = 0``: OLS, where ``I₂ = 1``).
    """
    I1, I2 = general.I1, general.I2
    (J_H,) = one_minus_df2_inputs
    D = one_minus_df2
    direct = 1 - gamma * I2
    (I1_at_root,) = sp.solve(general.kappa_equation, I1)
    difference = sp.simplify(general.fixed_point_integrand - general.df2_integrand)
    if sp.simplify(difference - kappa * general.bias_integrand) != 0:  # pragma: no cover
        raise ArithmeticError("I1 - I2 is not kappa times the bias integral")
    gap = sp.expand(sp.simplify(direct.subs(I2, I1_at_root - kappa * J_H)))
    if any(term.could_extract_minus_sign() for term in sp.Add.make_args(gap)):  # pragma: no cover
        raise ArithmeticError(f"1 - gamma I2 = {gap} is not a sum of nonnegative terms")
    forms = {"direct": direct}
    for name in ("kappa_prime", "ridge_bias", "ridge_variance", "ridge_bias_derivative"):
        expr = getattr(general, name)
        form = expr.subs(direct, D)
        if form.has(D) is False or sp.simplify(form.subs(D, direct) - expr) != 0:  # pragma: no cover
            raise ArithmeticError(f"{name} does not factor through 1 - gamma I2")
        forms[name] = form
    return gap, forms


@lru_cache(maxsize=None)
def expressions(modules="mpmath"):
    """A namespace of callables for ``modules`` ("mpmath" or "numpy"),
    built on first use (lambdify is slow) and cached."""
    mp = modules
    rv = risk_in_values()
    mn = derive_minnorm()
    penalty_args = (kappa, r2, gamma, general.J, general.I2,
                    general.J_kappa, general.I2_kappa, general.kappa_p)
    risk_args = (w, lam, sigma2, kappa_s, kappa_a, kappa_b, B_a, Bp_a, kp_a, kp_b)
    f = {
        # integrands for the float64 path (the mpmath path integrates through
        # fixed_point.df2 and fixed_point.bias_integral)
        "df2_integrand": sp.lambdify((s, kappa), general.df2_integrand, mp),
        "bias_integrand": sp.lambdify((s, kappa), general.bias_integrand, mp),
        "w_star_kappa_s": sp.lambdify(kappa_s, derive_synthetic_noise().w_star, mp),
        "df2_integrand_dkappa": sp.lambdify((s, kappa), general.df2_integrand_dkappa, mp),
        "bias_integrand_dkappa": sp.lambdify((s, kappa), general.bias_integrand_dkappa, mp),
        "kappa_prime": sp.lambdify((gamma, general.I2), general.kappa_prime, mp),
        "ridge_bias": sp.lambdify(penalty_args[:5], general.ridge_bias, mp),
        "ridge_variance": sp.lambdify((sigma2, gamma, general.I2), general.ridge_variance, mp),
        "ridge_bias_derivative": sp.lambdify(penalty_args, general.ridge_bias_derivative, mp),
        "variance": sp.lambdify(risk_args, rv.variance, mp),
        "dtotal_dw": sp.lambdify(risk_args, rv.dtotal_dw, mp),
        "variance_at_w1": sp.lambdify(risk_args, rv.variance_at_w1, mp),
        "dtotal_dw_at_w1": sp.lambdify(risk_args, rv.dtotal_dw_at_w1, mp),
        "c_w": sp.lambdify((w, kappa_s), mn.c_w_kappa_s, mp),
        "dc_dw": sp.lambdify((w, kappa_s), sp.diff(mn.c_w_kappa_s, w), mp),
    }
    # the same penalty values with 1 − γI₂ as an argument (see _with_gap)
    gap, forms = _with_gap()
    f.update({
        "one_minus_df2": sp.lambdify((kappa, lam, gamma, one_minus_df2_inputs[0]), gap, mp),
        "one_minus_df2_direct": sp.lambdify((gamma, general.I2), forms["direct"], mp),
        "kappa_prime_gap": sp.lambdify((one_minus_df2,), forms["kappa_prime"], mp),
        "ridge_bias_gap": sp.lambdify(penalty_args[:5] + (one_minus_df2,),
                                      forms["ridge_bias"], mp),
        "ridge_variance_gap": sp.lambdify((sigma2, gamma, general.I2, one_minus_df2),
                                          forms["ridge_variance"], mp),
        "ridge_bias_derivative_gap": sp.lambdify(penalty_args + (one_minus_df2,),
                                                 forms["ridge_bias_derivative"], mp),
    })
    if modules == "mpmath":   # evaluate in the active (private) mpmath context
        f = {k: contextual(v) for k, v in f.items()}
    return type("CompiledExpressions", (), {k: staticmethod(v) for k, v in f.items()})


#: stand for ``e_t = 1 − g_t`` and ``(1 − w)^{2t−1}`` in the finite-``t`` forms
one_minus_geometric = sp.Symbol("e_t", nonnegative=True)
geometric_before = sp.Symbol("h_t", nonnegative=True)

#: the largest number of refits accepted: ``c_t`` is evaluated in constant
#: time for every ``t``, but the powers ``(1 − w)^{2t}`` carry
#: ``log2(2t)`` extra bits; beyond ``10^18``, ``t = None`` (``t → ∞``)
#: differs by ``(1 − w)^{2·10^18}`` (``< 10^-860`` for ``w ≥ 10^-15``)
MAX_STEPS = 10**18


def check_steps(t):
    """``t`` as an int in ``[0, MAX_STEPS]`` (the finite-``t`` formulas of both
    the min-norm and the ridge risk), else ``ValueError``."""
    t = int(t)
    if not 0 <= t <= MAX_STEPS:
        raise ValueError(f"t must be an integer in [0, {MAX_STEPS}] (use t=None for "
                         f"t -> infinity), received t={t}")
    return t


def _stable(expr):
    """One fraction, its numerator collected in ``κ_s`` with factored
    coefficients: ``κ_s(w − 1)² + w²``, not ``κ_s w² − 2κ_s w + κ_s + w²``
    (which cancels near ``w = 1`` when ``κ_s`` is large)."""
    numerator, denominator = sp.fraction(sp.factor(sp.together(expr)))
    return sp.collect(sp.expand(numerator), kappa_s, sp.factor) / denominator


@lru_cache(maxsize=None)
def finite_t_forms():
    r"""``c_t`` and ``∂c_t/∂w`` unexpanded, for every ``t`` at once.

    The derived closed form is affine in ``g_t = (1 − w)^{2t}``; SymPy
    rewrites it as

    .. math::

        c_t = g_t + c(w; \kappa_s)\,(1 - g_t), \qquad
        \partial_w c_t = c'(w; \kappa_s)\,(1 - g_t) + (1 - c)\,\partial_w g_t,
        \qquad \partial_w g_t = -2t\,(1 - w)^{2t-1},

    with ``c = s_w/(1 − (1 − w)²)`` the ``t → ∞`` factor (checked to be the
    coefficient). Given ``g_t`` and ``e_t = 1 − g_t`` to full relative
    precision, ``c_t`` is a sum of two nonnegative terms: no cancellation,
    whatever ``t`` and ``w``. Returns ``(value(w, κ_s, g_t, e_t),
    slope(w, κ_s, t, e_t, h_t), exponent(t))`` where ``h_t = (1 −
    w)^{exponent(t)}`` is the power in ``∂_w g_t``, and ``order(t)``, the
    exponent ``2t`` of ``g_t``.
    """
    from ..symbolic.minnorm import _as_affine_in_geometric, geometric_term
    mn = derive_minnorm()
    g, e, h = geometric_term, one_minus_geometric, geometric_before
    affine = _as_affine_in_geometric(mn.c_t_kappa_s)
    limit = _stable(mn.c_w_kappa_s)
    if sp.simplify(g + limit * (1 - g) - affine) != 0:  # pragma: no cover - guards the derivation
        raise ArithmeticError("c_t is not g_t + c(w) (1 - g_t)")
    value = g + limit * e
    power = (1 - w)**(2 * t)
    dg_dw = sp.powsimp(sp.diff(power, w))                  # −2t (1 − w)^{2t−1}
    powers = [p for p in dg_dw.atoms(sp.Pow) if p.exp.has(t)]
    if len(powers) != 1 or sp.simplify(powers[0].base - (1 - w)) != 0:  # pragma: no cover
        raise ArithmeticError(f"d/dw (1-w)^(2t) = {dg_dw} is not a multiple of a power of 1 - w")
    exponent = powers[0].exp
    # e_t = 1 − g_t: its w-derivative is −∂_w g_t
    slope = (_stable(sp.diff(mn.c_w_kappa_s, w)) * e
             + (sp.diff(value, g) + sp.diff(value, e) * sp.diff(1 - g, g))
             * dg_dw.subs(powers[0], h))
    return (contextual(sp.lambdify((w, kappa_s, g, e), value, "mpmath")),
            contextual(sp.lambdify((w, kappa_s, t, e, h), slope, "mpmath")),
            sp.lambdify(t, exponent), sp.lambdify(t, power.exp))


def variance_factor_at(steps):
    """``(c_t, ∂c_t/∂w)`` as callables of ``(w, κ_s)`` for ``t = steps``
    refits, in constant time (no expansion of ``(1 − w)^{2t}``), correct
    to the working precision for every ``0 ≤ t ≤ MAX_STEPS`` and
    ``w ∈ (0, 1]``.

    The powers are ``exp(2t log1p(−w))`` and ``−expm1(2t log1p(−w))``,
    relative-accurate even when ``2tw`` is tiny, computed with
    ``log2(2t)`` guard bits (an exponent ``2t`` multiplies the rounding
    error of ``log1p``); ``w = 1`` (``1 − w = 0``) and ``t = 0`` (``c_0 = 1``,
    where ``(1 − w)^{2t−1}`` is ``1/(1 − w)``) are exact cases. The slope
    cancels between terms of size ``κ_s t/w`` near ``w = 0``: it gets
    ``log2(1/w)`` more guard bits.
    """
    steps = check_steps(steps)
    value, slope, exponent, order = finite_t_forms()
    before, after = exponent(steps), order(steps)
    bits = int(after).bit_length() + 8

    def powers(w):
        if steps == 0:                # c_0 = 1 and ∂_w g_0 = 0: h_0 multiplies 0
            return mp.one, mp.zero, mp.zero
        if w == 1:                    # 0^(2t) = 0, 0^(2t−1) = 0 for t ≥ 1
            return mp.zero, mp.one, mp.zero
        log_q = mp.log1p(-w)
        return mp.exp(after * log_q), -mp.expm1(after * log_q), mp.exp(before * log_q)

    def c_t(w, kappa_s):
        with mp.extraprec(bits):
            g, e, _ = powers(w)
            result = value(w, kappa_s, g, e)
        return +result

    def dc_t(w, kappa_s):
        with mp.extraprec(bits + max(0, -mp.mag(w))):
            _, e, h = powers(w)
            result = slope(w, kappa_s, steps, e, h)
        return +result
    return c_t, dc_t
