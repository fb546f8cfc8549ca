r"""Enclosures of the limiting risk from enclosures of its pieces.

The same assembly as :mod:`rmtheory.numeric.risk`, on balls: ``κ`` at the
penalties ``a = λ/w`` and ``b = λ/(2 − w)`` by :func:`.kappa.enclose_kappa`,
the integrals ``I₂``, ``J``, ``J_κ``, ``I₂κ`` against the ball measures
(atoms exactly, ``ar1`` and ``uniform`` through their resolvent moments),
and then the expressions of the symbolic layer — ``1 − γI₂`` as the sum of
nonnegative terms of :func:`rmtheory.numeric.compiled._with_gap`, ``κ'``,
``B``, ``B'``, and the risk and its slope in ``w`` of
:func:`rmtheory.symbolic.mixed.risk_in_values` — lambdified to balls:

.. math::

    R_\infty(w,\lambda) = B(a) + \sigma^2 c(w;\kappa_s)
        \left[\frac{\kappa(b) - \kappa(a)}{b - a} - 1\right].

Every ball holds the exact value for the inputs as given: a cancellation
(``w`` near 1, a large penalty) shows as a wide ball, which the caller
answers with more precision rather than with a wrong digit.
"""
import functools
from typing import NamedTuple

import sympy as sp

from .balls import CertificationError, lambdify_ball, require_flint
from .kappa import enclose_kappa

__all__ = ["risk_forms", "PenaltyBalls", "penalty_balls", "RiskBalls", "risk_balls"]


@functools.lru_cache(maxsize=None)
def risk_forms():
    """The symbolic layer's penalty values and risk, as functions of balls."""
    from ...symbolic import general
    from ...symbolic.minnorm import derive_minnorm
    from ...symbolic.mixed import B_a, Bp_a, kappa_a, kappa_b, kp_a, kp_b, risk_in_values
    from ...symbolic.symbols import gamma, kappa, kappa_s, lam, r2, s, sigma2, t, w
    from ..compiled import _with_gap, one_minus_df2, one_minus_df2_inputs
    gap, forms = _with_gap()
    rv, mn = risk_in_values(), derive_minnorm()
    D = one_minus_df2
    penalty_args = (kappa, r2, gamma, general.J, general.I2,
                    general.J_kappa, general.I2_kappa, general.kappa_p)
    risk_args = (w, lam, sigma2, kappa_s, kappa_a, kappa_b, B_a, Bp_a, kp_a, kp_b)
    ns = dict(
        gap=lambdify_ball((kappa, lam, gamma, one_minus_df2_inputs[0]), gap),
        gap_direct=lambdify_ball((gamma, general.I2), forms["direct"]),
        kappa_prime=lambdify_ball((D,), forms["kappa_prime"]),
        bias=lambdify_ball(penalty_args[:5] + (D,), forms["ridge_bias"]),
        variance_ridge=lambdify_ball((sigma2, gamma, general.I2, D), forms["ridge_variance"]),
        bias_prime=lambdify_ball(penalty_args + (D,), forms["ridge_bias_derivative"]),
        variance=lambdify_ball(risk_args, rv.variance, cse=True),
        dtotal_dw=lambdify_ball(risk_args, rv.dtotal_dw, cse=True),
        variance_at_w1=lambdify_ball(risk_args, rv.variance_at_w1),
        dtotal_dw_at_w1=lambdify_ball(risk_args, rv.dtotal_dw_at_w1),
        c_w=lambdify_ball((w, kappa_s), mn.c_w_kappa_s),
        dc_dw=lambdify_ball((w, kappa_s), sp.diff(mn.c_w_kappa_s, w)),
        c_t=lambdify_ball((w, kappa_s, t), mn.c_t_kappa_s),
        # the integrands, and at κ = 0 (OLS) the one that is needed there
        df2_integrand=general.df2_integrand, bias_integrand=general.bias_integrand,
        bias_integrand_dkappa=general.bias_integrand_dkappa,
        df2_integrand_dkappa=general.df2_integrand_dkappa,
        df2_at_0=sp.simplify(general.df2_integrand.subs(kappa, 0)),
        s=s, kappa=kappa)
    return type("RiskForms", (), {k: staticmethod(v) if callable(v) and not isinstance(
        v, sp.Basic) else v for k, v in ns.items()})


class PenaltyBalls(NamedTuple):
    kappa: object
    kappa_prime: object
    bias: object
    bias_prime: object
    df2: object
    one_minus_df2: object
    #: the integrals at κ: I2, J (against G), J_kappa, I2_kappa
    integrals: dict = None


def _constant_integral(measure, integrand):
    """``∫ c dμ`` for an integrand without ``s`` (a constant): ``c`` as a ball."""
    flint = require_flint()
    return flint.arb(1) * lambdify_ball((), integrand)()


def integrate_many(measure, integrands, value):
    """Several integrals against one measure at one ``κ`` (fused for atoms)."""
    if hasattr(measure, "integrate_many"):
        return measure.integrate_many(integrands, value)
    return tuple(measure.integrate(f, value) for f in integrands)


def _wide(penalty):
    """A ball of penalties (a cover's piece), not a point with rounding radius
    (``λ/w`` of exact inputs): the two-ends hull costs two Krawczyk tests
    and pays only for the former."""
    return penalty.rad() > abs(penalty.mid()) * 2.0**-40


def kappa_hull(penalty, H, gamma, prec):
    """``κ`` over a ball of penalties ``[p₁, p₂]`` (``p₁ > 0``): ``κ`` increases
    (``κ' = 1/(1 − γI₂) > 0``), so ``κ(P) ⊂ [κ(p₁)⁻, κ(p₂)⁺]`` from two point
    enclosures — the spread ``κ'·rad P`` itself, where a Krawczyk step over
    the ball adds the contraction term (three times wider, measured)."""
    require_flint()
    lo, hi = penalty.lower(), penalty.upper()
    if not lo > 0:
        return None
    k_lo = enclose_kappa(lo, H, gamma, prec)
    k_hi = enclose_kappa(hi, H, gamma, prec)
    return k_lo.union(k_hi)


def penalty_balls(penalty, H, G, gamma, r2, prec, *, kappa=None, max_relative=None):
    """``κ``, ``κ'``, ``B``, ``B'``, ``df₂``, ``1 − df₂`` at one penalty (balls;
    ``penalty`` may be a wide ball, with ``max_relative`` for its κ)."""
    F = risk_forms()
    if kappa is None:
        kappa = kappa_hull(penalty, H, gamma, prec) if _wide(penalty) else None
    k = enclose_kappa(penalty, H, gamma, prec, max_relative=max_relative) if kappa is None \
        else kappa
    zero = require_flint().arb(0)
    if k.is_zero():       # OLS: κ² J = 0; I₂ = ∫ 1 dH = 1 at κ = 0
        I2 = _constant_integral(H, F.df2_at_0)
        J = J_k = I2_k = zero
        gap = F.gap_direct(gamma, I2)
    else:
        if G is H:
            I2, J, J_k, I2_k = integrate_many(H, (F.df2_integrand, F.bias_integrand,
                                                  F.bias_integrand_dkappa,
                                                  F.df2_integrand_dkappa), k)
            J_H = J
        else:
            I2, I2_k, J_H = integrate_many(H, (F.df2_integrand, F.df2_integrand_dkappa,
                                               F.bias_integrand), k)
            J, J_k = integrate_many(G, (F.bias_integrand, F.bias_integrand_dkappa), k)
        gap = F.gap(k, penalty, gamma, J_H)
        if _wide(penalty):
            # over a ball of penalties the sum-of-terms form holds λ and κ as
            # independent balls; 1 − γI₂ has κ once per atom (tight): keep both
            direct = F.gap_direct(gamma, I2)
            if direct.overlaps(gap):
                gap = gap.intersection(direct)
    if not gap > 0:
        raise CertificationError(f"1 - df2 = {gap} is not provably positive")
    kp = F.kappa_prime(gap)
    bias = F.bias(k, r2, gamma, J, I2, gap)
    bias_prime = F.bias_prime(k, r2, gamma, J, I2, J_k, I2_k, kp, gap)
    return PenaltyBalls(k, kp, bias, bias_prime, gamma * I2, gap,
                        dict(I2=I2, J=J, J_kappa=J_k, I2_kappa=I2_k))


class RiskBalls(NamedTuple):
    bias: object
    variance: object
    slope: object = None
    at_a: PenaltyBalls = None


def risk_balls(w, lam, H, G, gamma, r2, sigma2, kappa_s, prec, *, t=None, slope=False,
               kappas=(None, None)):
    """Balls of the bias, the variance (and ``∂R/∂w``) at ``w`` (all inputs
    balls; ``t`` an int or None). Finite ``t`` is certified for ``λ = 0``
    only. ``kappas``: enclosures of ``κ(λ/w)`` and ``κ(λ/(2 − w))`` if known."""
    F = risk_forms()
    if lam.is_zero():
        if gamma.contains(1):
            raise NotImplementedError("certify=True at lam = 0 needs gamma != 1 provably "
                                      "(at gamma = 1 the variance is infinite)")
        values = penalty_balls(lam, H, G, gamma, r2, prec)
        v0 = F.variance_ridge(sigma2, gamma, values.df2 / gamma, values.one_minus_df2)
        if t is None:
            factor = F.c_w(w, kappa_s)
            d = F.dc_dw(w, kappa_s) * v0 if slope else None
        else:
            factor = F.c_t(w, kappa_s, int(t))
            if slope:
                raise NotImplementedError("certify=True: the slope of the finite-t risk")
            d = None
        return RiskBalls(values.bias, factor * v0, d, values)
    if t is not None:
        raise NotImplementedError("certify=True covers the finite-t risk at lam = 0 only "
                                  f"(received t={t} with lam > 0); use t=None")
    a = lam / w
    at_a = penalty_balls(a, H, G, gamma, r2, prec, kappa=kappas[0])
    if w == 1:
        args = (w, lam, sigma2, kappa_s, at_a.kappa, at_a.kappa, at_a.bias,
                at_a.bias_prime, at_a.kappa_prime, at_a.kappa_prime)
        return RiskBalls(at_a.bias, F.variance_at_w1(*args),
                         F.dtotal_dw_at_w1(*args) if slope else None, at_a)
    b = lam / (2 - w)
    k_b = kappas[1]
    if k_b is None:
        k_b = (kappa_hull(b, H, gamma, prec) if _wide(b) else None) \
            or enclose_kappa(b, H, gamma, prec)
    kp_b = require_flint().arb(0)
    if slope:             # κ'(b) = 1/(1 − γI₂(b)), the gap as a sum of nonnegative terms
        gap_b = F.gap(k_b, b, gamma, H.integrate(F.bias_integrand, k_b))
        if not gap_b > 0:
            raise CertificationError(f"1 - df2 = {gap_b} is not provably positive")
        kp_b = F.kappa_prime(gap_b)
    args = (w, lam, sigma2, kappa_s, at_a.kappa, k_b, at_a.bias, at_a.bias_prime,
            at_a.kappa_prime, kp_b)
    return RiskBalls(at_a.bias, F.variance(*args), F.dtotal_dw(*args) if slope else None, at_a)
