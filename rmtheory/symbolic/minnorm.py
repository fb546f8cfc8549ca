r"""Result 1: min-ℓ2-norm interpolation (and OLS), derived from the recursion.

With ``λ = 0`` the fit is the pseudo-inverse, ``ρ = 1`` on every direction
with ``d > 0``, and the variance multiplier is ``u_t = c_t(w)/d``:

.. math::

    c_t(w) = (1-w)^{2t} + \bigl(w^2 + \kappa_s (1-w)^2\bigr)
             \frac{1 - (1-w)^{2t}}{1 - (1-w)^2},
    \qquad
    c(w) = \lim_{t\to\infty} c_t(w) = \frac{w^2 + (1-w)^2}{w(2-w)}.

``c'(w) ∝ w² + w − 1`` vanishes at ``1/φ``, where ``c(1/φ) = 1/φ``; ``c_t``
decreases in ``t`` exactly for ``w ∈ (1/3, 1)``; ``c_t(0) = 1 + t``.
The mean multiplier is ``a_t = 1`` for all ``t`` and ``w``, so the bias
``‖(I − P)β‖²_Σ`` depends on neither.
"""
from typing import NamedTuple

import sympy as sp

from ._cache import disk_cached

from .recursion import a_prev, multiplier_recursion, solve_recursion, u_prev
from .symbols import kappa_s, t, w

__all__ = ["MinNormDerivation", "derive_minnorm", "geometric_term"]

c_prev = sp.Symbol("c_prev", nonnegative=True)
#: stands for ``(1 − w)^{2t}``, which tends to 0 for ``w ∈ (0, 1]``
geometric_term = sp.Symbol("g_t", nonnegative=True)


class MinNormDerivation(NamedTuple):
    variance_factor_map: sp.Expr   # c_t in terms of c_{t-1}
    c_t_kappa_s: sp.Expr           # closed form, general κ_s
    c_t: sp.Expr                   # closed form, κ_s = 1
    c_w_kappa_s: sp.Expr           # t → ∞, general κ_s
    c_w: sp.Expr                   # t → ∞, κ_s = 1
    dc_dw_numerator: sp.Expr       # sign-carrying factor of c'(w)
    critical_points: list          # roots of c'(w) in (0, 1]
    w_star: sp.Expr
    c_at_w_star: sp.Expr
    second_derivative_at_w_star: sp.Expr
    increment_ratio: sp.Expr       # (c_t − c_{t−1}) / (1−w)^{2t−2}
    decreasing_set: sp.Set         # w ∈ (0, 1) where c_t decreases in t
    c_t_at_zero: sp.Expr           # w = 0: pure synthetic
    mean_multiplier_t: sp.Expr     # a_t on d > 0


def _as_affine_in_geometric(expr):
    """Write ``expr`` with ``g_t`` in place of ``(1−w)^{2t}`` and check that
    nothing else depends on ``t`` and that it is affine in ``g_t``."""
    affine = expr.replace(lambda e: e.is_Pow and e.exp.has(t),
                          lambda e: geometric_term)
    if affine.has(t) or sp.diff(affine, geometric_term, 2) != 0:
        raise ArithmeticError(f"{expr} is not affine in (1-w)^(2t)")
    return affine


def _limit_of_geometric(expr):
    """``t → ∞`` of an expression affine in ``g_t = (1−w)^{2t}``: for
    ``w ∈ (0, 1]``, ``0 ≤ 1 − w < 1`` so ``g_t → 0``."""
    return sp.factor(sp.simplify(_as_affine_in_geometric(expr).subs(geometric_term, 0)))


@disk_cached
def derive_minnorm():
    """Carry out every step of result 1 (and the κ_s closed form of result 2).

    Examples
    --------
    >>> from rmtheory.symbolic.minnorm import derive_minnorm
    >>> derive_minnorm().w_star
    -1/2 + sqrt(5)/2
    """
    rec = multiplier_recursion(0)
    # on d > 0, u_t = c_t u_0: the recursion for the variance factor
    c_map = sp.expand(sp.simplify(
        rec.variance_map.subs(u_prev, c_prev * rec.u0) / rec.u0))
    c_t_ks = sp.simplify(solve_recursion(c_map, c_prev, 1))
    c_t = sp.simplify(c_t_ks.subs(kappa_s, 1))
    c_w_ks = _limit_of_geometric(c_t_ks)
    c_w = sp.factor(c_w_ks.subs(kappa_s, 1))

    derivative = sp.factor(sp.together(sp.diff(c_w, w)))
    numerator, _ = sp.fraction(derivative)
    critical = [r for r in sp.solve(numerator, w)
                if r.is_real and bool(r > 0) and bool(r <= 1)]
    if len(critical) != 1:
        raise ArithmeticError(f"expected one critical point in (0,1], got {critical}")
    w_star = critical[0]
    second = sp.radsimp(sp.simplify(sp.diff(c_w, w, 2).subs(w, w_star)))

    # c_t = A + B g_t with g_t = (1-w)^{2t}, so c_t − c_{t−1} = B g_{t−1} ((1−w)² − 1)
    slope = sp.diff(_as_affine_in_geometric(c_t), geometric_term)
    ratio = slope * ((1 - w)**2 - 1)
    below_one = sp.solve_univariate_inequality(c_w < 1, w, relational=False)
    decreasing = below_one.intersect(sp.Interval.open(0, 1))

    at_zero = solve_recursion(c_map.subs({w: 0, kappa_s: 1}), c_prev, 1)
    mean_t = solve_recursion(rec.mean_map, a_prev, rec.a0)

    return MinNormDerivation(
        variance_factor_map=c_map, c_t_kappa_s=c_t_ks, c_t=c_t,
        c_w_kappa_s=c_w_ks, c_w=c_w, dc_dw_numerator=sp.factor(numerator),
        critical_points=critical, w_star=w_star,
        c_at_w_star=sp.radsimp(sp.simplify(c_w.subs(w, w_star))),
        second_derivative_at_w_star=second,
        increment_ratio=sp.factor(ratio), decreasing_set=decreasing,
        c_t_at_zero=sp.simplify(at_zero), mean_multiplier_t=sp.simplify(mean_t))
