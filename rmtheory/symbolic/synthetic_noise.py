r"""Result 2: a synthetic label noise of variance ``κ_s σ²``.

The limit of the variance factor and its minimiser over ``w``:

.. math::

    c(w;\kappa_s) = \frac{w^2 + \kappa_s(1-w)^2}{w(2-w)}, \qquad
    w^*(\kappa_s) = \frac{\sqrt{\kappa_s^2 + 4\kappa_s} - \kappa_s}{2}.
"""
from typing import NamedTuple

import sympy as sp

from ._cache import disk_cached

from .minnorm import derive_minnorm
from .symbols import kappa_s, w

__all__ = ["SyntheticNoiseDerivation", "derive_synthetic_noise"]

#: κ_s > 0 for the interior minimiser (κ_s = 0 has none: c = w/(2−w))
_ks = sp.Symbol("kappa_s", positive=True)


class SyntheticNoiseDerivation(NamedTuple):
    c_w_kappa_s: sp.Expr
    dc_dw_numerator: sp.Expr
    w_star: sp.Expr
    dc_dw_denominator: sp.Expr        # w²(2 − w)², positive on (0, 1]
    numerator_at_0: sp.Expr           # −2κ_s < 0
    numerator_at_1: sp.Expr           # 2 > 0
    numerator_slope: sp.Expr          # 2(2w + κ_s) > 0: one sign change
    c_at_w_star: sp.Expr              # equals w* for every κ_s
    w_star_at_1: sp.Expr


@disk_cached
def derive_synthetic_noise():
    """Derive ``c(w; κ_s)`` and its minimiser.

    Examples
    --------
    >>> from rmtheory.symbolic.synthetic_noise import derive_synthetic_noise
    >>> derive_synthetic_noise().w_star
    sqrt(kappa_s)*sqrt(kappa_s + 4)/2 - kappa_s/2
    """
    c = derive_minnorm().c_w_kappa_s.subs(kappa_s, _ks)
    numerator, denominator = map(sp.factor, sp.fraction(sp.together(sp.diff(c, w))))
    roots = sp.solve(numerator, w)
    # the product of the two roots is −κ_s < 0 (Vieta): exactly one is positive
    positive = [r for r in roots if sp.simplify(r.subs(_ks, 1)) > 0]
    if len(positive) != 1:
        raise ArithmeticError(f"expected one positive root, got {roots}")
    w_star = sp.simplify(positive[0])
    return SyntheticNoiseDerivation(
        c_w_kappa_s=c.subs(_ks, kappa_s), dc_dw_numerator=numerator.subs(_ks, kappa_s), w_star=w_star.subs(_ks, kappa_s),
        dc_dw_denominator=denominator,
        numerator_at_0=numerator.subs({w: 0, _ks: kappa_s}),
        numerator_at_1=numerator.subs({w: 1, _ks: kappa_s}),
        numerator_slope=sp.factor(sp.diff(numerator, w)).subs(_ks, kappa_s),
        c_at_w_star=sp.simplify(sp.radsimp(c.subs(w, w_star))).subs(_ks, kappa_s),
        w_star_at_1=sp.radsimp(w_star.subs(_ks, 1)))
