r"""Result 6: the OLS regime ``γ < 1``.

Write ``γ = 1 − δ`` with ``0 < δ < 1``. The fixed point has no positive
root at ``λ = 0`` (``γ ∫ s/(s+κ) dH < γ < 1``), so ``κ₀ = 0``;
``df₂(0) = γ ∫ s²/s² dH = γ`` for every ``H``; every direction of ``XᵀX/n``
has ``d > 0``, so ``a_t = 1`` and the bias vanishes; and

.. math::

    R_\infty(w) = c(w)\,\sigma^2 \frac{\gamma}{1-\gamma},

minimised at ``w = 1/φ``: the low-dimensional golden-ratio result.
"""
from typing import NamedTuple

import sympy as sp

from ._cache import disk_cached

from . import general
from .isotropic import derive_isotropic
from .minnorm import derive_minnorm
from .symbols import delta, gamma, kappa, lam, sigma2, w

__all__ = ["OLSDerivation", "derive_ols"]


class OLSDerivation(NamedTuple):
    kappa_0: sp.Expr            # isotropic κ(λ) as λ → 0 with γ = 1 − δ
    df2_at_0: sp.Expr           # df₂ at κ = 0, any H
    kappa_prime_0: sp.Expr      # isotropic κ'(0)
    variance: sp.Expr           # σ² (κ'(0) − 1)
    risk: sp.Expr               # c(w) σ² γ/(1 − γ)
    w_star: sp.Expr


@disk_cached
def derive_ols():
    """Derive the OLS-regime risk and its minimiser.

    Examples
    --------
    >>> from rmtheory.symbolic.ols import derive_ols
    >>> derive_ols().variance
    -gamma*sigma^2/(gamma - 1)
    """
    iso = derive_isotropic()
    below = {gamma: 1 - delta}
    k0 = sp.limit(iso.kappa.subs(below), lam, 0)
    kp0 = sp.limit(sp.diff(iso.kappa, lam).subs(below), lam, 0)
    df2_0 = sp.simplify(gamma * general.df2_integrand.subs(kappa, 0))
    variance = sp.factor(sp.simplify(sigma2 * (kp0 - 1)).subs(delta, 1 - gamma))
    c_w = derive_minnorm().c_w
    risk = c_w * variance
    roots = [r for r in sp.solve(sp.fraction(sp.together(sp.diff(risk, w)))[0], w)
             if r.is_positive]
    return OLSDerivation(kappa_0=sp.simplify(k0), df2_at_0=df2_0,
                         kappa_prime_0=sp.factor(kp0.subs(delta, 1 - gamma)),
                         variance=variance, risk=risk, w_star=roots[0])
