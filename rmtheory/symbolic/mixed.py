r"""The limiting risk of the mixed scheme for general ``H`` and ``G``
(``t → ∞``), assembled from results 1 and 4 and the relations of
:mod:`.general`, plus its slope in ``w`` at ``w = 1``.

With ``a = λ/w`` and ``b = λ/(2 − w)``:

.. math::

    R_\infty(w,\lambda) = B(a) + \sigma^2 c(w)\left[
        \frac{\kappa(b) - \kappa(a)}{b - a} - 1\right],

where ``B(a) = r² κ(a)² J(a) / (1 − df₂(a))`` is the ridge bias at the
penalty ``a`` (the stationary mean is ridge at ``λ/w``). At ``w = 1``

.. math::

    \partial_w R_\infty\big|_{w=1} = -\lambda B'(\lambda)
        + 2\sigma^2(\kappa'(\lambda) - 1),

so ``w* = 1`` exactly when ``λ B'(λ) ≥ 2σ²(κ'(λ) − 1)`` (the critical
``λ`` is where equality holds).
"""
from functools import lru_cache
from typing import NamedTuple

import sympy as sp

from . import general
from .minnorm import derive_minnorm
from .ridge import derive_ridge, kappa_fn
from .symbols import lam, sigma2, w

__all__ = ["kappa_a", "kappa_b", "J_a", "I2_a", "bias_fn", "MixedRisk",
           "derive_mixed_risk"]

#: values at ``a = λ/w``: ``κ(a)``, ``J(a) = ∫ s/(s+κ(a))² dG``, ``I₂(a)``; and ``κ(b)``
kappa_a, kappa_b, J_a, I2_a = sp.symbols("kappa_a kappa_b J_a I_2a", positive=True)
#: the ridge bias as an undefined function of the penalty
bias_fn = sp.Function("B")


class MixedRisk(NamedTuple):
    bias: sp.Expr            # in kappa_a, J_a, I2_a
    variance: sp.Expr        # in kappa_a, kappa_b, lam, w
    total: sp.Expr
    risk_of_functions: sp.Expr    # B(λ/w) + σ² c(w) [bracket], B and κ undefined
    slope_at_w1: sp.Expr          # ∂_w R at w = 1, in B', κ'
    critical_condition: sp.Expr   # λ B'(λ) − 2σ²(κ'(λ) − 1); w* = 1 iff ≥ 0


@lru_cache(maxsize=None)
def derive_mixed_risk():
    """Assemble the stationary mixed risk and its slope at ``w = 1``.

    Examples
    --------
    >>> from rmtheory.symbolic.mixed import derive_mixed_risk
    >>> derive_mixed_risk().critical_condition
    lambda*Derivative(B(lambda), lambda) - 2*sigma^2*Derivative(kappa(lambda), lambda) + 2*sigma^2
    """
    c_w = derive_minnorm().c_w
    bracket = derive_ridge().bracket
    a, b = lam / w, lam / (2 - w)
    bias = general.ridge_bias.subs({general.kappa: kappa_a, general.J: J_a,
                                    general.I2: I2_a})
    variance = sigma2 * c_w * bracket.subs({kappa_fn(a): kappa_a,
                                            kappa_fn(sp.simplify(b)): kappa_b})
    risk_fn = bias_fn(a) + sigma2 * c_w * bracket
    slope = _slope_at_w1(risk_fn)
    return MixedRisk(bias=bias, variance=sp.simplify(variance),
                     total=bias + sp.simplify(variance),
                     risk_of_functions=risk_fn, slope_at_w1=slope,
                     critical_condition=-slope)


def _slope_at_w1(risk_fn):
    """``∂_w R`` at ``w = 1``: expand ``B`` and ``κ`` to third order about
    ``λ`` (both penalties tend to ``λ``), differentiate, let ``w → 1``."""
    eps = sp.Symbol("epsilon")
    ks = sp.symbols("k_0:4")
    bs = sp.symbols("b_0:2")
    expanded = risk_fn.subs(w, 1 + eps)
    expanded = expanded.replace(kappa_fn, lambda x: sum(
        ks[j] * (x - lam)**j for j in range(4)))
    expanded = expanded.replace(bias_fn, lambda x: bs[0] + bs[1] * (x - lam))
    slope = sp.limit(sp.simplify(sp.diff(expanded, eps)), eps, 0)
    return sp.expand(slope.subs({ks[1]: sp.Derivative(kappa_fn(lam), lam),
                                 bs[1]: sp.Derivative(bias_fn(lam), lam)}))
