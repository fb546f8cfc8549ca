"""The symbolic layer's expressions, turned into mpmath callables once.

Every numeric formula comes from here: ``sympy.lambdify`` of the derived
expression, cached, so nothing is retyped in the numeric layer.
"""
from functools import lru_cache

import sympy as sp

from ..symbolic import general
from ..symbolic.minnorm import derive_minnorm
from ..symbolic.synthetic_noise import derive_synthetic_noise
from ..symbolic.mixed import (B_a, Bp_a, kappa_a, kappa_b, kp_a, kp_b,
                              risk_in_values)
from ..symbolic.symbols import kappa, kappa_s, lam, r2, s, sigma2, t, w, gamma

__all__ = ["expressions", "variance_factor_at"]


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
    return type("CompiledExpressions", (), {k: staticmethod(v) for k, v in f.items()})


@lru_cache(maxsize=256)
def variance_factor_at(steps, modules="mpmath"):
    """``(c_t, ∂c_t/∂w)`` as callables of ``(w, κ_s)`` for a fixed number of
    refits ``t = steps``: substituting ``t`` first makes ``(1 − w)^{2t}`` a
    polynomial, so ``w = 1`` (where ``(1 − w)^{2t−1}`` would divide by zero
    at ``t = 0``) evaluates cleanly."""
    c_t = sp.expand(derive_minnorm().c_t_kappa_s.subs(t, steps))
    c_t = sp.cancel(c_t)
    return (sp.lambdify((w, kappa_s), c_t, modules),
            sp.lambdify((w, kappa_s), sp.cancel(sp.diff(c_t, w)), modules))
