r"""Limiting risk of every retraining scheme: ``"mix"``, ``"replace"``,
``"dynamic"``, ``"accumulate"`` (SPEC §4.1), at the ambient precision.

Each scheme's per-eigenvalue multipliers ``a_t(d)``, ``u_t(d)`` come from
:func:`rmtheory.symbolic.schemes.scheme_multipliers`; the spectral
integrals are those of the mixed scheme (:func:`.finite_t.contour_risk`):

- ``λ = 0`` (min-norm, OLS): ``a_t = 1`` on the range, so
  ``R_t = B_0 + c_t V_0`` with the scheme's variance factor ``c_t``
  (replace ``1 + κ_s t``, collapsing; accumulate
  ``1 + κ_s(π²/6 − 1 − ψ₁(t+2))``; dynamic the Fibonacci closed form);
- ``λ > 0``, finite ``t``: the contour integrals of ``(1 − a_t)²`` and
  ``u_t``, with ``a_t``, ``u_t`` from the closed form (replace) or by
  iterating the derived step maps at each node (dynamic, accumulate: work
  proportional to ``t``, refused beyond :data:`MAX_ITERATED_STEPS`);
- ``λ > 0``, ``t → ∞``: replace's limit multipliers on the contour; dynamic
  is the mixed stationary risk at ``w = 1/φ``, the limit of its schedule;
  accumulate tends to the zero estimator, ``R_∞ = r² ∫ s dG``.
"""
from functools import lru_cache

import sympy as sp

from .compiled import check_steps
from .context import contextual, mp
from ..symbolic.schemes import (MEAN_ARGS, SCHEMES, VARIANCE_ARGS,
                                derive_schemes, scheme_multipliers)
from ..symbolic.symbols import d, kappa_s as _ks, lam as _lam, t as _t

__all__ = ["SCHEMES", "scheme_risk", "dynamic_schedule", "MAX_ITERATED_STEPS"]

#: the most refits a per-node iteration (dynamic, accumulate with λ > 0) runs
MAX_ITERATED_STEPS = 20000


def _lambdify(args, expr):
    modules = [{"trigamma": lambda x: mp.psi(1, x)}, "mpmath"]
    return contextual(sp.lambdify(args, expr, modules))


@lru_cache(maxsize=None)
def _factor(scheme, finite):
    """Min-norm variance factor: ``c_t(κ_s, t)`` or its limit ``c(κ_s)``."""
    if scheme == "accumulate" and finite:
        return _lambdify((_ks, _t), derive_schemes().accumulate_factor_trigamma)
    m = scheme_multipliers(scheme, 0)
    return _lambdify((_ks, _t), m.variance_factor_t if finite else m.variance_factor_limit)


@lru_cache(maxsize=None)
def _steps(scheme):
    m = scheme_multipliers(scheme)
    return (_lambdify(MEAN_ARGS, m.mean_map), _lambdify(VARIANCE_ARGS, m.variance_map),
            _lambdify((d, _lam), m.a0), _lambdify((d, _lam), m.u0))


@lru_cache(maxsize=None)
def _closed(scheme, finite):
    """``(1 − a, (1 − a)², u)`` as one function of ``(d, λ, κ_s, t)``."""
    m = scheme_multipliers(scheme)
    a, u = (m.mean_t, m.variance_t) if finite else (m.mean_limit, m.variance_limit)
    return contextual(sp.lambdify((d, _lam, _ks, _t), (1 - a, (1 - a)**2, u), "mpmath",
                                  cse=True))


@lru_cache(maxsize=None)
def _weight():
    return _lambdify((_t,), scheme_multipliers("dynamic").weight)


def dynamic_schedule(steps):
    """The greedy weights ``w_0 = 1, w_1, …, w_t`` (``F_{2t+1}/F_{2t+2}``)."""
    steps = check_steps(steps)
    weight = _weight()
    return [mp.one] + [weight(k) for k in range(1, steps + 1)]


def scheme_risk(scheme, w, lam, spectrum, gamma, r2, sigma2, *, t=None, kappa_s=1):
    """Bias and variance (:class:`~.risk.RiskParts`) of one scheme; ``w`` is
    the weight of ``"mix"`` and ignored otherwise."""
    from .risk import RiskParts, risk_parts, stationary_risk
    if scheme == "mix":
        return risk_parts(w, lam, spectrum, gamma, r2, sigma2, t=t, kappa_s=kappa_s)
    if scheme not in SCHEMES:  # pragma: no cover - the API validates it
        raise ValueError(f"scheme must be one of {list(SCHEMES)}, received {scheme!r}")
    if t is not None:
        t = check_steps(t)
    if lam == 0:
        return _minnorm(scheme, spectrum, gamma, r2, sigma2, t, kappa_s)
    if t is None:
        if scheme == "dynamic":
            return stationary_risk(1 / mp.phi, lam, spectrum, gamma, r2, sigma2,
                                   kappa_s=kappa_s)
        if scheme == "accumulate":
            return RiskParts(r2 * spectrum.integrate_G(lambda s: s), mp.zero)
    from .finite_t import contour_risk
    if scheme == "replace":
        closed = _closed("replace", t is not None)
        steps = 0 if t is None else t

        def at(z):
            return closed(z, lam, kappa_s, steps)
        # the limit u_∞ = κ_s d/(λ(2d + λ)) has a pole at d = −λ/2
        return contour_risk(at, lam / 2, spectrum, gamma, r2, sigma2,
                            extra_bits=(2 * steps + 1).bit_length(), t=t)
    if t > MAX_ITERATED_STEPS:
        raise ValueError(
            f"t must be <= {MAX_ITERATED_STEPS} for scheme={scheme!r} with lam > 0, "
            f"received {t}: its multipliers are iterated at every contour node (work "
            f"proportional to t); use t=None for the limit")
    mean_step, variance_step, a0, u0 = _steps(scheme)

    def at(z):
        a, u = a0(z, lam), u0(z, lam)
        for k in range(1, t + 1):
            a, u = (mean_step(a, z, lam, 0, kappa_s, k), variance_step(u, z, lam, 0, kappa_s, k))
        return 1 - a, (1 - a)**2, u
    # iterated maps are polynomials in ρ = d/(d+λ) and d/(d+λ)²: poles at −λ only
    return contour_risk(at, lam, spectrum, gamma, r2, sigma2,
                        extra_bits=(2 * t + 1).bit_length(), t=t)


def _minnorm(scheme, spectrum, gamma, r2, sigma2, t, kappa_s):
    """``λ = 0``: ``B_0 + c_t V_0`` with the scheme's variance factor."""
    from .compiled import expressions
    from .risk import RiskParts, penalty_values
    if gamma == 1:
        return RiskParts(mp.zero, mp.inf)
    e = expressions()
    values = penalty_values(mp.zero, spectrum, gamma, r2)
    v0 = e.ridge_variance_gap(sigma2, gamma, values.df2 / gamma, values.one_minus_df2)
    factor = _factor(scheme, t is not None)(kappa_s, 0 if t is None else t)
    if factor == mp.inf or not mp.isfinite(factor):
        return RiskParts(values.bias, mp.inf)
    return RiskParts(values.bias, factor * v0)
