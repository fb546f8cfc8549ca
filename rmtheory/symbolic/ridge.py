r"""Result 4: ridge, per eigenvalue ``d`` of ``XᵀX/n``, and the limit of the
variance trace.

The stationary points of the multiplier recursions are

.. math::

    a_\infty(d) = \frac{d}{d + \lambda/w}, \qquad
    u_\infty(d) = c(w)\,\frac{d}{(d + \lambda/w)(d + \lambda/(2-w))},

and the partial fraction
``d/((d+a)(d+b)) = (a/(d+a) − b/(d+b))/(a − b)`` together with
``(1/n) tr(Σ x(Σ̂+x)⁻¹) → κ(x) − x`` turns the variance into

.. math::

    V_\infty = \sigma^2 c(w)\left[\frac{\kappa(\lambda/(2-w)) - \kappa(\lambda/w)}
                {\lambda/(2-w) - \lambda/w} - 1\right].
"""
from typing import NamedTuple

import sympy as sp

from ._cache import disk_cached

from .general import trace_of_shrinkage
from .recursion import (a_prev, multiplier_recursion, solve_recursion,
                        stationary_point, u_prev)
from .symbols import d, kappa_s, lam, t, w

__all__ = ["RidgeDerivation", "derive_ridge", "kappa_fn", "mixed_bracket"]

#: ``κ`` as an undefined function of the penalty
kappa_fn = sp.Function("kappa")
_a, _b = sp.symbols("a b", positive=True)


class RidgeDerivation(NamedTuple):
    mean_t: sp.Expr                  # a_t(d), closed form in t (rsolve)
    variance_t: sp.Expr              # u_t(d), closed form in t (rsolve)
    mean_t_geometric: sp.Expr        # a_∞ + (a_0 − a_∞)((1−w)ρ)^t
    variance_t_geometric: sp.Expr    # u_∞ + (u_0 − u_∞)((1−w)ρ)^{2t}
    contraction: sp.Expr             # (1 − w) ρ
    mean_stationary: sp.Expr         # a_∞(d)
    variance_stationary: sp.Expr     # u_∞(d), general κ_s
    variance_stationary_kappa_s1: sp.Expr
    partial_fraction: sp.Expr        # d/((d+a)(d+b)) split in d
    bracket: sp.Expr                 # limit of (1/n) tr(Σ u_∞(Σ̂)) / c(w)
    bracket_at_w1: sp.Expr           # w → 1
    variance_multiplier_at_w1: sp.Expr
    variance_multiplier_lam0: sp.Expr
    u0_lam0: sp.Expr


def mixed_bracket(kappa_a, kappa_b, a, b):
    """The divided difference ``(κ(b) − κ(a))/(b − a) − 1``, given values."""
    return (kappa_b - kappa_a) / (b - a) - 1


@disk_cached
def derive_ridge():
    """Carry out every step of result 4.

    Examples
    --------
    >>> from rmtheory.symbolic.ridge import derive_ridge
    >>> derive_ridge().mean_stationary
    d*w/(d*w + lambda)
    """
    rec = multiplier_recursion(lam)
    mean_inf = stationary_point(rec.mean_map, a_prev)
    var_inf = sp.factor(stationary_point(rec.variance_map, u_prev))
    mean_t = sp.simplify(solve_recursion(rec.mean_map, a_prev, rec.a0))
    var_t = sp.simplify(solve_recursion(rec.variance_map, u_prev, rec.u0))
    # the same closed forms, written as stationary value + decaying mode
    contraction = sp.simplify(sp.diff(rec.mean_map, a_prev))     # (1 − w) ρ
    mean_t_geometric = mean_inf + (rec.a0 - mean_inf) * contraction**t
    var_t_geometric = var_inf + (rec.u0 - var_inf) * contraction**(2 * t)

    split = sp.apart(d / ((d + _a) * (d + _b)), d)
    # each term x/(d+x) of the split contributes (1/n) tr(Σ x(Σ̂+x)⁻¹) → κ(x) − x
    trace = sum(term.as_independent(d)[0] / x * trace_of_shrinkage(x)
                for term in sp.Add.make_args(split)
                for x in (_a, _b) if term.has(d + x))
    a, b = lam / w, lam / (2 - w)
    bracket = sp.simplify(trace.subs({_a: a, _b: b}, simultaneous=True))

    at_w1 = _limit_w_to_1(bracket)
    u_lam0 = sp.limit(var_inf.subs(kappa_s, 1), lam, 0)
    return RidgeDerivation(
        mean_t=mean_t, variance_t=var_t, mean_t_geometric=mean_t_geometric,
        variance_t_geometric=var_t_geometric, contraction=contraction,
        mean_stationary=sp.simplify(mean_inf), variance_stationary=var_inf,
        variance_stationary_kappa_s1=sp.factor(var_inf.subs(kappa_s, 1)),
        partial_fraction=split, bracket=bracket, bracket_at_w1=at_w1,
        variance_multiplier_at_w1=sp.factor(var_inf.subs(w, 1)),
        variance_multiplier_lam0=sp.factor(u_lam0),
        u0_lam0=sp.limit(rec.u0, lam, 0))


def _limit_w_to_1(bracket):
    """``w → 1`` of the divided difference: both penalties tend to ``λ``,
    so a second-order Taylor expansion of ``κ`` about ``λ`` is exact in
    the limit."""
    eps = sp.Symbol("epsilon")
    k0, k1, k2 = sp.symbols("k_0 k_1 k_2")
    taylor = bracket.subs(w, 1 + eps).replace(
        kappa_fn, lambda arg: k0 + k1 * (arg - lam) + k2 * (arg - lam)**2)
    limit = sp.limit(sp.simplify(taylor), eps, 0)
    return limit.subs(k1, sp.Derivative(kappa_fn(lam), lam))
