r"""Result 3: dynamic mixing, a weight ``w_t`` chosen afresh at every step.

With ``v_t`` the variance factor after step ``t`` (``v_0 = 1``) the
recursion of result 1 reads ``v_t = (1 − w_t)² v_{t−1} + w_t² + (1 − w_t)²``.
Minimising over ``w_t`` gives

.. math::

    w_t = \frac{1 + v_{t-1}}{2 + v_{t-1}}, \qquad v_t = w_t, \qquad
    w_t = \frac{1 + w_{t-1}}{2 + w_{t-1}} = \frac{F_{2t+1}}{F_{2t+2}}
    \;\longrightarrow\; \frac{1}{\varphi}.
"""
from typing import NamedTuple

import sympy as sp

from ._cache import disk_cached

from .minnorm import c_prev, derive_minnorm
from .symbols import kappa_s, w

__all__ = ["DynamicDerivation", "derive_dynamic", "greedy_weights"]

_v = sp.Symbol("v", nonnegative=True)      # v_{t-1}
_F_odd, _F_even = sp.symbols("F_odd F_even", positive=True)   # F_{2t−1}, F_{2t}


class DynamicDerivation(NamedTuple):
    step: sp.Expr                 # v_t as a function of (w_t, v_{t-1})
    greedy_weight: sp.Expr        # argmin over w_t, in terms of v_{t-1}
    convexity: sp.Expr            # ∂²/∂w_t² of the step, > 0
    optimal_value: sp.Expr        # the step at the greedy weight
    monotonicity_in_v: sp.Expr    # d(optimal value)/dv, > 0
    step_monotonicity_in_v: sp.Expr  # ∂ step/∂v = (1 − w)² ≥ 0
    weight_map: sp.Expr           # w_t in terms of w_{t-1}
    fibonacci_step: sp.Expr       # weight_map at F_{2t−1}/F_{2t}
    fixed_points: list
    contraction: sp.Expr          # |weight_map'(w)| = 1/(2+w)²
    binet_limit: sp.Expr          # lim F_{2t+1}/F_{2t+2}, as X = φ^{2t} → ∞


@disk_cached
def derive_dynamic():
    """Derive the greedy schedule and its Fibonacci closed form.

    Examples
    --------
    >>> from rmtheory.symbolic.dynamic import derive_dynamic
    >>> derive_dynamic().weight_map
    (w + 1)/(w + 2)
    """
    step = derive_minnorm().variance_factor_map.subs({kappa_s: 1, c_prev: _v})
    stationary = sp.solve(sp.diff(step, w), w)
    if len(stationary) != 1:
        raise ArithmeticError(f"expected one stationary weight, got {stationary}")
    greedy = sp.factor(stationary[0])
    value = sp.factor(sp.simplify(step.subs(w, greedy)))
    # v_t equals w_t, so the next weight is the greedy weight at v = w_{t−1}
    weight_map = sp.factor(greedy.subs(_v, w))
    fib_step = sp.factor(weight_map.subs(w, _F_odd / _F_even))
    fixed = [r for r in sp.solve(sp.Eq(w, weight_map), w) if r.is_positive]
    ratio = binet_ratio()
    return DynamicDerivation(
        step=step, greedy_weight=greedy,
        convexity=sp.factor(sp.diff(step, w, 2)),
        optimal_value=value,
        monotonicity_in_v=sp.factor(sp.diff(value, _v)),
        step_monotonicity_in_v=sp.factor(sp.diff(step, _v)),
        weight_map=weight_map, fibonacci_step=fib_step, fixed_points=fixed,
        contraction=sp.factor(sp.diff(weight_map, w)),
        binet_limit=sp.limit(ratio, _growth, sp.oo))


#: ``φ^{2t}``, which grows without bound
_growth = sp.Symbol("X", positive=True)


def binet_ratio():
    r"""``F_{2t+1}/F_{2t+2}`` by Binet's formula ``F_k = (φ^k − (−1/φ)^k)/√5``,
    in terms of ``X = φ^{2t}``: the odd index flips the sign of the
    second term."""
    phi = sp.GoldenRatio.expand(func=True)
    odd = (phi * _growth + 1 / (phi * _growth)) / sp.sqrt(5)
    even = (phi**2 * _growth - 1 / (phi**2 * _growth)) / sp.sqrt(5)
    return odd / even


def greedy_weights(steps):
    """The exact schedule ``w_0 = 1, w_1, …, w_steps`` as SymPy rationals.

    Examples
    --------
    >>> from rmtheory.symbolic.dynamic import greedy_weights
    >>> greedy_weights(3)
    [1, 2/3, 5/8, 13/21]
    """
    if isinstance(steps, bool) or not isinstance(steps, int):
        raise TypeError(f"steps must be an int, received {steps!r}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, received {steps}")
    weight_map = derive_dynamic().weight_map
    weights = [sp.Integer(1)]
    for _ in range(steps):
        weights.append(sp.cancel(weight_map.subs(w, weights[-1])))
    return weights
