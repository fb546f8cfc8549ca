"""The public contract of SPEC §4: ``kappa``, ``stieltjes``,
``limiting_risk``, ``optimal_w`` (plus ``critical_lambda`` and
``w_star_curve``).

Every function converts and validates its input once, computes with
guard digits inside ``mp.workdps`` (never touching the global ``mp.dps``),
confirms the digits it returns by re-evaluating at a higher precision,
and rounds to ``dps`` on return.
"""
from dataclasses import dataclass, field

from mpmath import mp

from ._validation import check_complex, check_dps, check_int, check_real, check_weight
from .numeric.fixed_point import solve_kappa, solve_stieltjes
from .numeric.precision import NoConvergence
from .numeric.optimize import critical_lambda as _critical_lambda
from .numeric.optimize import check_optimum_exists, optimal_weight, _extra_bits
from .numeric.risk import risk_parts
from .numeric.spectra import make_spectrum

__all__ = ["kappa", "stieltjes", "limiting_risk", "optimal_w", "critical_lambda",
           "w_star_curve", "RiskResult", "OptimalWeight", "PrecisionError"]

#: guard digits for the working precision, and the extra digits of the check
GUARD_DIGITS = 10
CHECK_DIGITS = 15


class PrecisionError(NoConvergence):
    """Two evaluations at different precisions disagree in the digits that
    would be returned."""


def _confirmed(compute, dps, what, refine=None):
    """Run ``compute()`` at ``dps + guard`` and again at ``dps + guard +
    check`` digits (``refine(first)`` instead, when given: a cheaper
    re-solve started from the first result); return the second, rounded
    to ``dps``, once they agree to ``dps − 5`` significant digits (or raise
    :class:`PrecisionError`)."""
    with mp.workdps(dps + GUARD_DIGITS):
        first = compute()
    with mp.workdps(dps + GUARD_DIGITS + CHECK_DIGITS):
        second = compute() if refine is None else refine(first)
        values = second if isinstance(second, tuple) else (second,)
        previous = first if isinstance(first, tuple) else (first,)
        for x, y in zip(values, previous):
            if x is None or y is None or mp.isinf(x) or isinstance(x, bool):
                continue
            gap = abs(x - y)
            if gap > mp.mpf(10)**(-(dps - 5)) * max(abs(x), mp.mpf(10)**(-dps)):
                raise PrecisionError(
                    f"{what} (evaluations at {dps + GUARD_DIGITS} and "
                    f"{dps + GUARD_DIGITS + CHECK_DIGITS} digits disagree)", gap / abs(x),
                    mp.mpf(10)**(-(dps - 5)), "a larger dps")
    with mp.workdps(dps):
        rounded = tuple(v if v is None or isinstance(v, bool) else +v for v in values)
    return rounded if isinstance(second, tuple) else rounded[0]


def _real(name, value, **bounds):
    """A real number: a SymPy number or a ``Fraction`` comes back as an mpf
    (``_mp`` cannot convert them), a free symbol is a ``TypeError``."""
    return check_real(name, value, symbolic=False, **bounds)


def _common(gamma, lam, sigma2, r2, t, dps, kappa_s):
    gamma = _real("gamma", gamma, low=0, low_open=True)
    lam = _real("lam", lam, low=0)
    sigma2 = _real("sigma2", sigma2, low=0, low_open=True)
    r2 = _real("r2", r2, low=0)
    kappa_s = _real("kappa_s", kappa_s, low=0)
    if t is not None:
        t = check_int("t", t, low=0)
    return gamma, lam, sigma2, r2, t, check_dps(dps), kappa_s


def _mp(x):
    """Convert once at the boundary; a Python float is read as its shortest
    decimal representation (``0.6`` means 6/10, not the nearest double)."""
    if isinstance(x, float):
        return mp.mpf(repr(float(x)))
    return x if isinstance(x, mp.mpf) else mp.mpf(x)


@dataclass(frozen=True)
class RiskResult:
    r"""Limiting risk ``R = bias + variance`` at one weight ``w``.

    ``float(result)`` is the total. Numbers are mpmath values correct to
    at least ``dps − 5`` significant digits (confirmed by re-evaluation).
    """
    w: object
    bias: object
    variance: object
    params: dict = field(default_factory=dict)

    @property
    def total(self):
        # at the result's precision, not the caller's (15 digits by default)
        with mp.workdps(self.params.get("dps", mp.dps)):
            return self.bias + self.variance

    def __float__(self):
        return float(self.total)

    def __repr__(self):
        d = self.params.get("dps", 15)
        return (f"RiskResult(w={mp.nstr(self.w, d)}, bias={mp.nstr(self.bias, d)}, "
                f"variance={mp.nstr(self.variance, d)}, total={mp.nstr(self.total, d)})")

    def _repr_latex_(self):
        d = min(self.params.get("dps", 15), 20)
        return (rf"$R(w={mp.nstr(self.w, d)}) = {mp.nstr(self.bias, d)}"
                rf"\ (\text{{bias}}) + {mp.nstr(self.variance, d)}\ (\text{{variance}})"
                rf" = {mp.nstr(self.total, d)}$")


@dataclass(frozen=True)
class OptimalWeight:
    """The minimiser ``w*`` of the limiting risk over ``(0, 1]``.

    ``float(result) == w*``. ``on_boundary`` tells whether ``w* = 1``;
    ``gain`` is ``R(1) − R(w*) ≥ 0`` and ``relative_gain`` its ratio to
    ``R(1)``; ``params`` records every parameter used, defaults included.
    """
    w: object
    risk: RiskResult
    risk_at_1: RiskResult
    on_boundary: bool
    params: dict = field(default_factory=dict)

    @property
    def gain(self):
        """``R(1) − R(w*)``, accurate to about ``10^(5 − dps) R(1)`` absolutely
        (a difference of two confirmed risks)."""
        with mp.workdps(self.params.get("dps", mp.dps)):
            return self.risk_at_1.total - self.risk.total

    @property
    def relative_gain(self):
        with mp.workdps(self.params.get("dps", mp.dps)):
            return self.gain / self.risk_at_1.total

    def __float__(self):
        return float(self.w)

    def __repr__(self):
        d = self.params.get("dps", 15)
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if k != "dps")
        return (f"OptimalWeight(w={mp.nstr(self.w, d)}, risk={mp.nstr(self.risk.total, d)}, "
                f"on_boundary={self.on_boundary}, gain={mp.nstr(self.gain, 6)}; {shown})")

    def _repr_latex_(self):
        d = min(self.params.get("dps", 15), 20)
        return (rf"$w^\star = {mp.nstr(self.w, d)},\quad R(w^\star) = "
                rf"{mp.nstr(self.risk.total, d)},\quad R(1) - R(w^\star) = {mp.nstr(self.gain, 8)}$")


def kappa(lam, spectrum="isotropic", *, gamma=2.0, dps=30, **spectrum_params):
    r"""Effective regularisation ``κ(λ)``, solving ``λ = κ(1 − γ∫ s/(s+κ) dH)``.

    Examples
    --------
    >>> import rmtheory as rt
    >>> from mpmath import mp
    >>> with mp.workdps(20):          # isotropic, γ = 2: κ(1) = 1 + √2
    ...     print(rt.kappa(1.0, gamma=2.0, dps=20))
    2.4142135623730950488
    """
    gamma = _real("gamma", gamma, low=0, low_open=True)
    lam = _real("lam", lam, low=0)
    dps = check_dps(dps)
    spec = make_spectrum(spectrum, **spectrum_params)
    return _confirmed(lambda: solve_kappa(_mp(lam), spec, _mp(gamma)), dps, "kappa")


def stieltjes(z, spectrum="isotropic", *, gamma=2.0, dps=30, **spectrum_params):
    r"""Stieltjes transform ``m(z)`` of the limit spectrum of ``XᵀX/n``.

    ``z`` off the support (upper half plane or negative real axis).

    Examples
    --------
    >>> import rmtheory as rt
    >>> from mpmath import mp
    >>> with mp.workdps(20):          # isotropic, γ = 2: m(−1) = √2/2
    ...     print(rt.stieltjes(-1.0, gamma=2.0, dps=20).real)
    0.70710678118654752440
    """
    gamma = _real("gamma", gamma, low=0, low_open=True)
    dps = check_dps(dps)
    z = check_complex("z", z, nonzero=True)
    spec = make_spectrum(spectrum, **spectrum_params)
    def compute():
        zz = mp.mpc(_mp(float(z.real)) if isinstance(z.real, float) else z.real,
                    _mp(float(z.imag)) if isinstance(z.imag, float) else z.imag)
        return solve_stieltjes(zz, spec, _mp(gamma))
    return _confirmed(compute, dps, "stieltjes")


def _risk_at(w, lam, spec, gamma, r2, sigma2, t, kappa_s, dps):
    def compute():
        # convert inside: mpf(...) rounds to the precision in force
        w_, lam_, g_, r2_, s2_, ks_ = map(_mp, (w, lam, gamma, r2, sigma2, kappa_s))
        with mp.extraprec(_extra_bits(w_, lam_)):
            parts = risk_parts(w_, lam_, spec, g_, r2_, s2_, t=t, kappa_s=ks_)
            return +parts.bias, +parts.variance
    return _confirmed(compute, dps, "limiting_risk")


def limiting_risk(w, spectrum="isotropic", *, gamma=2.0, lam=0.0, sigma2=1.0, r2=1.0,
                  t=None, dps=30, kappa_s=1.0, **spectrum_params):
    r"""Limiting risk ``R_t(w, λ)`` (``t=None``: ``t → ∞``) as bias + variance.

    .. math::

        R_\infty(w,\lambda) = B(\lambda/w) + \sigma^2 c(w;\kappa_s)
        \left[\frac{\kappa(\lambda/(2-w)) - \kappa(\lambda/w)}{\lambda/(2-w) - \lambda/w} - 1\right]

    At ``γ = 1`` and ``λ = 0`` the variance is infinite and so is the
    returned total (``mpf('+inf')``).

    Examples
    --------
    >>> import rmtheory as rt
    >>> r = rt.limiting_risk(0.5, gamma=2.0, dps=20)
    >>> r.total     # r²(1 − 1/γ) + c(w) σ²/(γ − 1) = 1/2 + 2/3
    mpf('1.1666666666666666667')
    """
    w = check_weight(w, symbolic=False)
    gamma, lam, sigma2, r2, t, dps, kappa_s = _common(gamma, lam, sigma2, r2, t, dps, kappa_s)
    spec = make_spectrum(spectrum, **spectrum_params)
    bias, variance = _risk_at(w, lam, spec, gamma, r2, sigma2, t, kappa_s, dps)
    params = dict(spectrum=spec.name, **spec.params, gamma=gamma, lam=lam, sigma2=sigma2,
                  r2=r2, t=t, kappa_s=kappa_s, dps=dps)
    with mp.workdps(dps):
        return RiskResult(_mp(w), bias, variance, params)


def optimal_w(spectrum="isotropic", *, gamma=2.0, lam=0.0, sigma2=1.0, r2=1.0, t=None,
              dps=30, kappa_s=1.0, **spectrum_params):
    r"""The real-data weight ``w* ∈ (0, 1]`` minimising the limiting risk.

    Solves ``∂R/∂w = 0`` (bracketed), or reports the boundary ``w* = 1``
    when the slope at 1 is not positive. The result records the
    parameters it used, defaults included.

    Examples
    --------
    >>> import rmtheory as rt
    >>> res = rt.optimal_w(gamma=2.0, dps=20)       # min-norm: 1/φ for every H
    >>> res.w, res.on_boundary
    (mpf('0.61803398874989484820'), False)
    """
    gamma, lam, sigma2, r2, t, dps, kappa_s = _common(gamma, lam, sigma2, r2, t, dps, kappa_s)
    check_optimum_exists(gamma, lam, t, kappa_s)
    spec = make_spectrum(spectrum, **spectrum_params)

    curvature = []

    def compute(near=None):
        g_, l_, r2_, s2_, ks_ = map(_mp, (gamma, lam, r2, sigma2, kappa_s))
        found = optimal_weight(l_, spec, g_, r2_, s2_, t=t, kappa_s=ks_, near=near)
        curvature.append(found.curvature)
        # the risk at w* comes with the solve, and is confirmed with it: the
        # risk is stationary there, so the two roots give the same risk
        return found.w, found.on_boundary, found.parts.bias, found.parts.variance

    def refine(first):
        # the first root is good to about dps + guard − 5 digits: one Newton
        # step from it, or a bracket of that width
        return compute(near=(first[0], mp.mpf(10)**(-(dps + GUARD_DIGITS - 8)), curvature[0]))
    w_star, boundary, bias, variance = _confirmed(compute, dps, "optimal_w", refine)
    params = dict(spectrum=spec.name, **spec.params, gamma=gamma, lam=lam, sigma2=sigma2,
                  r2=r2, t=t, kappa_s=kappa_s, dps=dps)
    risk = RiskResult(w_star, bias, variance, params)
    at_1 = risk if boundary else RiskResult(
        mp.one, *_risk_at(1, lam, spec, gamma, r2, sigma2, t, kappa_s, dps), params)
    return OptimalWeight(w_star, risk, at_1, bool(boundary), params)


def critical_lambda(spectrum="isotropic", *, gamma=2.0, sigma2=1.0, r2=1.0, dps=30,
                    kappa_s=1.0, **spectrum_params):
    r"""The ridge penalty beyond which ``w* = 1`` exactly (stationary risk).

    It solves ``λ B'(λ) = 2σ²(κ'(λ) − 1)``, the vanishing of the slope of
    the risk at ``w = 1``.

    Examples
    --------
    >>> import rmtheory as rt
    >>> lc = rt.critical_lambda(gamma=2.0, dps=20)
    >>> float(rt.optimal_w(gamma=2.0, lam=1.01 * float(lc), dps=20).w)
    1.0
    """
    gamma, _, sigma2, r2, _, dps, kappa_s = _common(gamma, 0, sigma2, r2, None, dps, kappa_s)
    spec = make_spectrum(spectrum, **spectrum_params)
    return _confirmed(lambda: _critical_lambda(spec, *map(_mp, (gamma, r2, sigma2)),
                                               kappa_s=_mp(kappa_s)), dps, "critical_lambda")


def w_star_curve(lams, spectrum="isotropic", *, gamma=2.0, sigma2=1.0, r2=1.0, t=None,
                 dps=30, kappa_s=1.0, **spectrum_params):
    """``optimal_w`` over a sequence of penalties; a list of :class:`OptimalWeight`.

    Examples
    --------
    >>> import rmtheory as rt
    >>> [round(float(r), 6) for r in rt.w_star_curve([0.0, 0.01], gamma=2.0, dps=15)]
    [0.618034, 0.6142]
    """
    if isinstance(lams, (str, bytes)) or not hasattr(lams, "__iter__"):
        raise TypeError(f"lams must be a sequence of penalties, received {lams!r}")
    # every argument checked before the first solve, not at its penalty
    lams = [_real(f"lams[{i}]", lam, low=0) for i, lam in enumerate(lams)]
    checked = _common(gamma, 0, sigma2, r2, t, dps, kappa_s)
    for lam in lams:
        check_optimum_exists(checked[0], lam, checked[4], checked[6])
    make_spectrum(spectrum, **spectrum_params)
    return [optimal_w(spectrum, gamma=gamma, lam=lam, sigma2=sigma2, r2=r2, t=t, dps=dps,
                      kappa_s=kappa_s, **spectrum_params) for lam in lams]
