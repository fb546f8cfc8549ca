r"""The label recursion as recursions for per-eigenvalue multipliers.

On an eigen-direction of ``XᵀX/n`` with eigenvalue ``d`` the coordinate of
``β̂_t`` has mean ``a_t(d) β_i`` and variance ``(σ²/n) u_t(d)``
(SPEC §2). Substituting these forms into :func:`~.model.moments_of_step`
gives

.. math::

    a_t = \rho\,(w + (1-w)\,a_{t-1}), \qquad
    u_t = (1-w)^2\rho^2\,u_{t-1} + (w^2 + \kappa_s (1-w)^2)\,\frac{d}{(d+\lambda)^2},

with ``a_0 = ρ`` and ``u_0 = d/(d+λ)²`` (the first fit sees real labels
only, i.e. ``w = 1``).
"""
from functools import lru_cache
from typing import NamedTuple

import sympy as sp

from .model import moments_of_step
from .symbols import beta_i, lam, n, sigma2, t, w

__all__ = ["a_prev", "u_prev", "MultiplierRecursion", "multiplier_recursion",
           "solve_recursion", "stationary_point"]

a_prev = sp.Symbol("a_prev", real=True)
u_prev = sp.Symbol("u_prev", nonnegative=True)


class MultiplierRecursion(NamedTuple):
    """``a_t = mean_map(a_{t-1})``, ``u_t = variance_map(u_{t-1})`` and
    the starting values ``a_0``, ``u_0``."""
    mean_map: sp.Expr
    variance_map: sp.Expr
    a0: sp.Expr
    u0: sp.Expr


@lru_cache(maxsize=None)
def multiplier_recursion(penalty=lam):
    """Derive the multiplier recursions from one step of the estimator.

    Examples
    --------
    >>> from rmtheory.symbolic.recursion import multiplier_recursion
    >>> rec = multiplier_recursion(0)   # min-norm / OLS, on d > 0
    >>> rec.mean_map, rec.a0
    (-a_prev*(w - 1) + w, 1)
    """
    step = moments_of_step(penalty)
    mean = step.mean.subs(step.mu_prev, a_prev * beta_i) / beta_i
    var = step.variance.subs(step.var_prev, sigma2 / n * u_prev) * n / sigma2
    first = moments_of_step(penalty)
    a0 = first.mean.subs(w, 1) / beta_i
    u0 = first.variance.subs(w, 1) * n / sigma2
    var = sp.collect(sp.expand(sp.simplify(var)), u_prev, sp.factor)
    return MultiplierRecursion(sp.simplify(mean), var,
                               sp.simplify(a0), sp.simplify(u0))


def solve_recursion(step_map, previous, start):
    """Closed form in ``t`` of ``x_t = step_map(x_{t-1})``, ``x_0 = start``
    (``step_map`` affine in ``previous``), by :func:`sympy.rsolve`."""
    x = sp.Function("x")
    equation = x(t) - step_map.subs(previous, x(t - 1))
    solution = sp.rsolve(equation, x(t), {x(0): start})
    if solution is None:
        raise ArithmeticError(f"rsolve found no closed form for {step_map}")
    return solution


def stationary_point(step_map, previous):
    """The fixed point ``x = step_map(x)`` of an affine map."""
    roots = sp.solve(sp.Eq(previous, step_map), previous)
    if len(roots) != 1:
        raise ArithmeticError(f"expected one fixed point, found {roots}")
    return sp.simplify(roots[0])
