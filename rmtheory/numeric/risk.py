r"""Limiting risk of the retraining loop, at the ambient mpmath precision.

The stationary (``t → ∞``) risk for general ``H, G`` is assembled by the
symbolic layer (:func:`rmtheory.symbolic.mixed.risk_in_values`) from the
values of ``κ``, ``κ'``, ``B`` and ``B'`` at the two penalties
``a = λ/w`` and ``b = λ/(2 − w)``:

.. math::

    R_\infty(w,\lambda) = B(a) + \sigma^2 c(w;\kappa_s)
        \left[\frac{\kappa(b) - \kappa(a)}{b - a} - 1\right].

At ``λ = 0`` (min-norm for ``γ > 1``, OLS for ``γ < 1``) the risk is
``B_0 + c_t(w; κ_s) V_0`` for every ``t``, with ``B_0``, ``V_0`` the
ridge bias and variance at ``κ_0 = κ(0)``.

The functions here take already-validated arguments and work at the
current ``mp.prec``; :mod:`rmtheory.api` converts, validates and manages
precision.
"""
import math
from typing import NamedTuple

from .context import mp

from .compiled import expressions, variance_factor_at
from .fixed_point import (bias_integral, closed_or_integral, df2, penalty_integrals,
                          solve_kappa)

__all__ = ["PenaltyValues", "penalty_values", "RiskParts", "stationary_risk",
           "minnorm_risk", "risk_parts"]


class PenaltyValues(NamedTuple):
    """``κ``, ``κ'``, the ridge bias ``B`` and ``B'`` at one penalty."""
    kappa: object
    kappa_prime: object
    bias: object
    bias_prime: object
    df2: object
    #: ``1 − df₂ = 1 − γI₂``, computed without cancellation
    one_minus_df2: object = None


class RiskParts(NamedTuple):
    bias: object
    variance: object
    dtotal_dw: object = None

    @property
    def total(self):
        return self.bias + self.variance


def penalty_values(penalty, spectrum, gamma, r2, *, kappa=None):
    """Evaluate ``κ(x)``, ``κ'(x)``, ``B(x)`` and ``B'(x)`` at ``x = penalty``.

    ``kappa`` may be passed when already known (e.g. ``κ₀`` at ``x = 0``).
    The denominator ``1 − γI₂`` of all four is ``λ/κ + γκ∫ s/(s+κ)² dH``
    (:func:`~rmtheory.numeric.compiled._with_gap`), a sum of nonnegative
    terms: no cancellation when ``H`` spans many orders of magnitude.
    """
    e = expressions()
    k = solve_kappa(penalty, spectrum, gamma) if kappa is None else kappa
    together = penalty_integrals(k, spectrum)       # one pass (or closed forms)
    if together is not None:
        I2, J, J_k, I2_k = together
        gap = _one_minus_df2(k, penalty, spectrum, gamma, J)
        kp = e.kappa_prime_gap(gap)
        bias = e.ridge_bias_gap(k, r2, gamma, J, I2, gap)
        bias_prime = e.ridge_bias_derivative_gap(k, r2, gamma, J, I2, J_k, I2_k, kp, gap)
        return PenaltyValues(k, kp, bias, bias_prime, gamma * I2, gap)
    I2 = df2(k, spectrum, gamma) / gamma
    if k == 0:  # OLS regime: the bias integrand is irrelevant (κ² J = 0)
        J = J_k = I2_k = mp.zero
        gap = e.one_minus_df2_direct(gamma, I2)     # 1 − γ: I₂ = 1
    else:
        J = bias_integral(k, spectrum)
        # closed forms where the measure has them (no quadrature levels)
        J_k = closed_or_integral(spectrum._G, "jb_k", lambda s: e.bias_integrand_dkappa(s, k), k)
        I2_k = closed_or_integral(spectrum._H, "i2_k", lambda s: e.df2_integrand_dkappa(s, k), k)
        gap = _one_minus_df2(k, penalty, spectrum, gamma, J)
    kp = e.kappa_prime_gap(gap)
    bias = e.ridge_bias_gap(k, r2, gamma, J, I2, gap)
    bias_prime = e.ridge_bias_derivative_gap(k, r2, gamma, J, I2, J_k, I2_k, kp, gap)
    return PenaltyValues(k, kp, bias, bias_prime, gamma * I2, gap)


def _one_minus_df2(k, penalty, spectrum, gamma, J=None):
    """``1 − γI₂`` at ``κ = k > 0`` (``J = ∫ s/(s+κ)² dG``, reused when ``G = H``)."""
    e = expressions()
    if J is None or not spectrum.signal_is_spectrum:
        J = closed_or_integral(spectrum._H, "jb", lambda s: e.bias_integrand(s, k), k)
    return e.one_minus_df2(k, penalty, gamma, J)


def mean_estimate(spectrum):
    """``∫ s dH``, exact for atoms, else from the float rule (no level control,
    no rule at the working precision): it only sizes the guard bits of a bound."""
    H = spectrum._H
    if H.discrete:
        nodes, weights = H.rule(0)
        return mp.fdot(weights, nodes)
    nodes, weights = H.float_rule()
    return mp.mpf(math.fsum(w * s for s, w in zip(nodes, weights)))


def minnorm_risk(w, spectrum, gamma, r2, sigma2, *, t=None, kappa_s=1, derivative=False):
    """``λ = 0``: ``B₀ + c_t(w;κ_s) V₀`` (``t=None``: ``c(w;κ_s)``).

    At ``γ = 1`` the one-shot variance is infinite and so is the risk.
    """
    e = expressions()
    if gamma == 1:
        return RiskParts(mp.zero, mp.inf, mp.nan if derivative else None)
    values = penalty_values(mp.zero, spectrum, gamma, r2)
    v0 = e.ridge_variance_gap(sigma2, gamma, values.df2 / gamma, values.one_minus_df2)
    if t is None:
        factor, slope = e.c_w(w, kappa_s), e.dc_dw(w, kappa_s)
    else:
        c_t, dc_t = variance_factor_at(t)
        factor, slope = c_t(w, kappa_s), dc_t(w, kappa_s)
    return RiskParts(values.bias, factor * v0, slope * v0 if derivative else None)


def stationary_risk(w, lam, spectrum, gamma, r2, sigma2, *, kappa_s=1, derivative=False):
    """Stationary risk for ``λ > 0``, optionally with ``∂R/∂w``.

    At ``w = 1`` the divided difference is replaced by its limit
    ``κ'(λ) − 1``; near ``w = 1`` the caller supplies extra precision
    (the divided difference loses ``log10(1/|1 − w|)`` digits, for ``κ``
    of order one). A large ``κ`` loses ``log2 κ`` bits more, since
    ``κ(b) − κ(a)`` is of the size ``κ'·(b − a)`` whatever ``κ``: they are
    added here, from the bound ``κ(x) ≤ x + γ∫ s dH`` (atoms at ``10^100``
    with ``γ = 10^10`` put ``κ`` near ``10^110``).
    """
    bound = lam / w + gamma * mean_estimate(spectrum)
    with mp.extraprec(max(0, int(mp.mag(bound)))):
        parts = _stationary_risk(w, lam, spectrum, gamma, r2, sigma2, kappa_s=kappa_s,
                                 derivative=derivative)
        return RiskParts(*(None if v is None else +v for v in parts))


def _stationary_risk(w, lam, spectrum, gamma, r2, sigma2, *, kappa_s=1, derivative=False):
    e = expressions()
    a = lam / w
    at_a = penalty_values(a, spectrum, gamma, r2)
    if w == 1:
        args = (w, lam, sigma2, kappa_s, at_a.kappa, at_a.kappa, at_a.bias,
                at_a.bias_prime, at_a.kappa_prime, at_a.kappa_prime)
        variance = e.variance_at_w1(*args)
        slope = e.dtotal_dw_at_w1(*args) if derivative else None
        return RiskParts(at_a.bias, variance, slope)
    b = lam / (2 - w)
    k_b = solve_kappa(b, spectrum, gamma)
    kp_b = None
    if derivative:
        kp_b = e.kappa_prime_gap(_one_minus_df2(k_b, b, spectrum, gamma))
    args = (w, lam, sigma2, kappa_s, at_a.kappa, k_b, at_a.bias,
            at_a.bias_prime, at_a.kappa_prime, kp_b if derivative else mp.zero)
    variance = e.variance(*args)
    slope = e.dtotal_dw(*args) if derivative else None
    return RiskParts(at_a.bias, variance, slope)


def risk_parts(w, lam, spectrum, gamma, r2, sigma2, *, t=None, kappa_s=1, derivative=False):
    """Dispatch on ``λ`` and ``t``: the bias, variance (and slope in ``w``)."""
    if lam == 0:
        return minnorm_risk(w, spectrum, gamma, r2, sigma2, t=t, kappa_s=kappa_s,
                            derivative=derivative)
    if t is None:
        return stationary_risk(w, lam, spectrum, gamma, r2, sigma2,
                               kappa_s=kappa_s, derivative=derivative)
    from .finite_t import finite_t_risk
    return finite_t_risk(w, lam, spectrum, gamma, r2, sigma2, t=t, kappa_s=kappa_s,
                         derivative=derivative)
