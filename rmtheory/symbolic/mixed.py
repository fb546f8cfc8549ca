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
from typing import NamedTuple

import sympy as sp

from ._cache import disk_cached

from . import general
from .minnorm import derive_minnorm
from .ridge import derive_ridge, kappa_fn
from .symbols import kappa_s, lam, sigma2, w

__all__ = ["kappa_a", "kappa_b", "J_a", "I2_a", "bias_fn", "MixedRisk",
           "derive_mixed_risk", "B_a", "Bp_a", "kp_a", "kp_b", "RiskInValues",
           "risk_in_values"]

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


@disk_cached
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


#: values at the two penalties: ``B(a)``, ``B'(a)``, ``κ'(a)``, ``κ'(b)``
B_a, Bp_a, kp_a, kp_b = sp.symbols("B_a Bprime_a kappaprime_a kappaprime_b", real=True)


class RiskInValues(NamedTuple):
    """The stationary risk and its ``w``-derivative as expressions in the
    values ``κ(a), κ(b), B(a), B'(a), κ'(a), κ'(b)`` at ``a = λ/w``,
    ``b = λ/(2 − w)``, for a general synthetic-noise ratio ``κ_s``."""
    bias: sp.Expr
    variance: sp.Expr
    total: sp.Expr
    dtotal_dw: sp.Expr
    variance_at_w1: sp.Expr       # the w → 1 limit: σ² c(1; κ_s) (κ'(λ) − 1)
    dtotal_dw_at_w1: sp.Expr      # in B'(λ) = Bprime_a, κ'(λ) = kappaprime_a


@disk_cached
def risk_in_values():
    """Differentiate ``R_∞(w) = B(a(w)) + σ² c(w;κ_s)[bracket]`` in ``w`` by
    the chain rule, treating ``κ(a(w))``, ``κ(b(w))``, ``B(a(w))`` as
    functions of ``w``; then name their values.

    Examples
    --------
    >>> from rmtheory.symbolic.mixed import risk_in_values
    >>> risk_in_values().bias
    B_a
    """
    c = derive_minnorm().c_w_kappa_s
    a, b = lam / w, lam / (2 - w)
    ka, kb, Bw = (sp.Function(name)(w) for name in ("kappa_a", "kappa_b", "B_a"))
    bracket_w = derive_ridge().bracket.subs(
        {kappa_fn(a): ka, kappa_fn(sp.simplify(b)): kb})
    total = Bw + sigma2 * c * bracket_w
    derivative = sp.diff(total, w).subs({
        sp.Derivative(ka, w): kp_a * sp.diff(a, w),
        sp.Derivative(kb, w): kp_b * sp.diff(b, w),
        sp.Derivative(Bw, w): Bp_a * sp.diff(a, w)})
    values = {ka: kappa_a, kb: kappa_b, Bw: B_a}
    variance = (sigma2 * c * bracket_w).subs(values)
    bracket_1 = derive_ridge().bracket_at_w1.subs(
        sp.Derivative(kappa_fn(lam), lam), kp_a)
    slope_1 = derive_mixed_risk().slope_at_w1.subs({
        sp.Derivative(kappa_fn(lam), lam): kp_a,
        sp.Derivative(bias_fn(lam), lam): Bp_a})
    # κ_s enters only through c(w; κ_s); the slope of mixed.py is at κ_s = 1
    slope_1 = slope_1 + sigma2 * (sp.diff(c, w) - sp.diff(c.subs(kappa_s, 1), w)).subs(w, 1) * (kp_a - 1)
    return RiskInValues(
        bias=B_a, variance=variance, total=B_a + variance,
        dtotal_dw=sp.simplify(derivative.subs(values)),
        variance_at_w1=sigma2 * c.subs(w, 1) * bracket_1,
        dtotal_dw_at_w1=sp.expand(slope_1))
