"""The public contract of SPEC §4: ``kappa``, ``stieltjes``,
``limiting_risk``, ``optimal_w`` (plus ``critical_lambda`` and
``w_star_curve``).

Every function converts and validates its input once, computes with
guard digits in the calling thread's **private** mpmath context
(:mod:`rmtheory.numeric.context`: ``mpmath.mp`` is never read or
written, so concurrent calls from threads give the results of solo calls
and a caller's own mpmath code is undisturbed), confirms the digits it
returns by re-evaluating at a higher precision — relative to the size of
each number, whatever its magnitude — and rounds to ``dps`` on return.

Every real argument, scalar or spectrum parameter, is read the same way
(:func:`rmtheory.numeric.precision.to_mpf`): ints, ``Fraction``,
``Decimal``, SymPy numbers and ``mpf`` exactly; a binary float (Python or
NumPy, any width) as the shortest decimal that rounds to it, so ``0.1``
means ``1/10``. Booleans are refused.
"""
import functools
from dataclasses import dataclass, field

from ._validation import check_complex, check_dps, check_int, check_real, check_weight
from .numeric.compiled import MAX_STEPS
from .numeric.context import add_at, div_at, export, is_mpc, mp, private_context, sub_at
from .numeric.fixed_point import solve_kappa, solve_stieltjes
from .numeric.precision import NoConvergence, to_mpc, to_mpf
from .numeric.optimize import critical_lambda as _critical_lambda
from .numeric.optimize import check_optimum_exists, optimal_weight, _extra_bits
from .numeric.risk import risk_parts
from .numeric.schemes import dynamic_schedule, scheme_risk
from .numeric.spectra import SPECTRUM_DEFAULTS, check_parameter_names, make_spectrum

__all__ = ["kappa", "stieltjes", "limiting_risk", "optimal_w", "critical_lambda",
           "w_star_curve", "RiskResult", "OptimalWeight", "PrecisionError", "SCHEMES"]

#: guard digits for the working precision, and the extra digits of the check
GUARD_DIGITS = 10
CHECK_DIGITS = 15


class PrecisionError(NoConvergence):
    """Two evaluations at different precisions disagree in the digits that
    would be returned."""


def _isolated(function):
    """Run a public function in the thread's private mpmath context."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with private_context():
            return function(*args, **kwargs)
    return wrapper


def _agree(x, y, tol):
    """``x`` and ``y`` agree to the relative tolerance ``tol`` (each part of a
    complex number relative to itself); an exact zero only agrees with an
    exact zero, an infinity with the same infinity."""
    if is_mpc(x) or is_mpc(y):
        return _agree(mp.re(x), mp.re(y), tol) and _agree(mp.im(x), mp.im(y), tol)
    if x == y:
        return True
    if not (mp.isfinite(x) and mp.isfinite(y)):
        return False
    return abs(x - y) <= tol * abs(x)


def _confirmed(compute, dps, what, refine=None):
    """Run ``compute()`` at ``dps + guard`` and again at ``dps + guard +
    check`` digits (``refine(first)`` instead, when given: a cheaper
    re-solve started from the first result); return the second, rounded
    to ``dps``, once every number in it agrees with the first to
    ``dps − 5`` significant digits — a test relative to the size of each
    number, so a result of 1e-300 is held to the same digits as one of 1
    (or raise :class:`PrecisionError`). Booleans must be equal."""
    with mp.workdps(dps + GUARD_DIGITS):
        first = compute()
    with mp.workdps(dps + GUARD_DIGITS + CHECK_DIGITS):
        second = compute() if refine is None else refine(first)
        values = second if isinstance(second, tuple) else (second,)
        previous = first if isinstance(first, tuple) else (first,)
        tol = mp.mpf(10)**(-(dps - 5))
        for x, y in zip(values, previous):
            if x is None and y is None:
                continue
            if isinstance(x, bool) or isinstance(y, bool):
                if x is not y:
                    raise PrecisionError(f"{what} (evaluations at {dps + GUARD_DIGITS} and "
                                         f"{dps + GUARD_DIGITS + CHECK_DIGITS} digits disagree "
                                         f"on whether the optimum is on the boundary)",
                                         1, 0, "a larger dps")
                continue
            if not _agree(x, y, tol):
                gap = abs(x - y)
                relative = gap / abs(x) if x != 0 and mp.isfinite(gap) else gap
                raise PrecisionError(
                    f"{what} (evaluations at {dps + GUARD_DIGITS} and "
                    f"{dps + GUARD_DIGITS + CHECK_DIGITS} digits disagree)", relative,
                    tol, "a larger dps")
    with mp.workdps(dps):
        rounded = tuple(v if v is None or isinstance(v, bool) else +v for v in values)
    rounded = export(rounded)
    return rounded if isinstance(second, tuple) else rounded[0]


def _real(name, value, **bounds):
    """A real number, validated (converted later, at the working precision,
    by :func:`~rmtheory.numeric.precision.to_mpf`); a free symbol is a
    ``TypeError``."""
    return check_real(name, value, symbolic=False, **bounds)


def _common(gamma, lam, sigma2, r2, t, dps, kappa_s):
    gamma = _real("gamma", gamma, low=0, low_open=True)
    lam = _real("lam", lam, low=0)
    sigma2 = _real("sigma2", sigma2, low=0, low_open=True)
    r2 = _real("r2", r2, low=0)
    kappa_s = _real("kappa_s", kappa_s, low=0)
    if t is not None:
        t = check_int("t", t, low=0, high=MAX_T)
    return gamma, lam, sigma2, r2, t, check_dps(dps), kappa_s


#: the largest number of refits accepted (the finite-t formulas cost the
#: same for every t; beyond this t is indistinguishable from t = ∞)
MAX_T = MAX_STEPS


def _spectrum(spectrum, params, keywords):
    """``make_spectrum(spectrum, **params)``, with "did you mean" for a
    keyword that is neither the model's nor the function's (``lamda=``)."""
    if isinstance(spectrum, str) and spectrum in SPECTRUM_DEFAULTS:
        check_parameter_names(spectrum, params, keywords)
    return make_spectrum(spectrum, **params)


_RISK_KEYWORDS = ("gamma", "lam", "sigma2", "r2", "t", "dps", "kappa_s", "scheme")

#: the retraining schemes of SPEC §4.1
SCHEMES = ("mix", "replace", "dynamic", "accumulate")


def _scheme(scheme, w, *, needs_w=True):
    """Validate ``scheme`` and its pairing with ``w``: ``"mix"`` needs a
    weight, the others choose their own (``w`` must be ``None``)."""
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a str, one of {list(SCHEMES)}, received "
                        f"{type(scheme).__name__} {scheme!r}")
    if scheme not in SCHEMES:
        import difflib
        close = difflib.get_close_matches(scheme, SCHEMES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"scheme must be one of {list(SCHEMES)}, received {scheme!r}{hint}")
    if scheme == "mix" and needs_w and w is None:
        raise ValueError("w is required for scheme='mix' (a weight in (0, 1])")
    if scheme != "mix" and w is not None:
        own = {"replace": "uses synthetic labels only after t = 0 (w = 0)",
               "dynamic": "chooses its own weights, the greedy schedule w_t",
               "accumulate": "keeps the real data and every synthetic set: no weight"}[scheme]
        raise ValueError(f"w must be None for scheme={scheme!r}, which {own}; received w={w!r}")
    return scheme


@dataclass(frozen=True)
class RiskResult:
    r"""Limiting risk ``R = bias + variance`` at one weight ``w``.

    ``float(result)`` is the total. Numbers are ``mpmath.mpf`` values
    correct to at least ``dps − 5`` significant digits (confirmed by
    re-evaluation, relative to their size).
    """
    w: object
    bias: object
    variance: object
    params: dict = field(default_factory=dict)
    #: ``certify=True``: field -> ``(lo, hi)`` mpf bracketing the exact value
    enclosures: dict = None

    def __post_init__(self):
        # numbers of the caller's mpmath type, whatever context computed them
        for name in ("w", "bias", "variance"):
            object.__setattr__(self, name, export(getattr(self, name)))

    @property
    def total(self):
        """``bias + variance`` rounded to the result's ``dps`` (never to the
        caller's ``mp.dps``, which is not read)."""
        return add_at(self.bias, self.variance, self.params.get("dps", 15))

    def __float__(self):
        return float(self.total)

    def __repr__(self):
        d = self.params.get("dps", 15)
        weight = (f"scheme={self.params['scheme']!r}" if self.w is None
                  else f"w={mp.nstr(self.w, d)}")
        return (f"RiskResult({weight}, bias={mp.nstr(self.bias, d)}, "
                f"variance={mp.nstr(self.variance, d)}, total={mp.nstr(self.total, d)})")

    def _repr_latex_(self):
        d = min(self.params.get("dps", 15), 20)
        weight = (rf"\text{{{self.params['scheme']}}}" if self.w is None
                  else f"w={mp.nstr(self.w, d)}")
        return (rf"$R({weight}) = {mp.nstr(self.bias, d)}"
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
    #: ``scheme="dynamic"``: the weights ``(w_0, …, w_t)`` (``None`` otherwise)
    schedule: tuple = None
    #: ``certify=True``: field -> ``(lo, hi)`` mpf bracketing the exact value
    enclosures: dict = None

    def __post_init__(self):
        object.__setattr__(self, "w", export(self.w))
        if self.schedule is not None:
            object.__setattr__(self, "schedule", tuple(export(x) for x in self.schedule))

    @property
    def gain(self):
        """``R(1) − R(w*)``, accurate to about ``10^(5 − dps) R(1)`` absolutely
        (a difference of two confirmed risks)."""
        return sub_at(self.risk_at_1.total, self.risk.total, self.params.get("dps", 15))

    @property
    def relative_gain(self):
        """``gain / R(1)``."""
        return div_at(self.gain, self.risk_at_1.total, self.params.get("dps", 15))

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


@_isolated
def kappa(lam, spectrum="isotropic", *, gamma=2.0, dps=30, certify=False, **spectrum_params):
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
    spec = _spectrum(spectrum, spectrum_params, ("gamma", "dps"))
    if certify:      # a result with .value and .enclosures (rmtheory[certified])
        from . import _certify
        return _certify.kappa(lam, spec, gamma, dps)
    return _confirmed(lambda: solve_kappa(to_mpf("lam", lam), spec, to_mpf("gamma", gamma)),
                      dps, "kappa")


@_isolated
def stieltjes(z, spectrum="isotropic", *, gamma=2.0, dps=30, certify=False,
              **spectrum_params):
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
    spec = _spectrum(spectrum, spectrum_params, ("gamma", "dps"))
    if certify:      # a result with .value and .enclosures (rmtheory[certified])
        from . import _certify
        return _certify.stieltjes(z, spec, gamma, dps)

    def compute():
        # converted inside: at the precision of each evaluation, every digit
        return solve_stieltjes(to_mpc("z", z), spec, to_mpf("gamma", gamma))
    return _confirmed(compute, dps, "stieltjes")


def _risk_at(w, lam, spec, gamma, r2, sigma2, t, kappa_s, dps, scheme="mix"):
    def compute():
        # convert inside: mpf(...) rounds to the precision in force
        lam_, g_, r2_, s2_, ks_ = (to_mpf(n, v) for n, v in (
            ("lam", lam), ("gamma", gamma), ("r2", r2), ("sigma2", sigma2),
            ("kappa_s", kappa_s)))
        if scheme != "mix":
            parts = scheme_risk(scheme, None, lam_, spec, g_, r2_, s2_, t=t, kappa_s=ks_)
            return +parts.bias, +parts.variance
        w_ = to_mpf("w", w)
        with mp.extraprec(_extra_bits(w_, lam_)):
            parts = risk_parts(w_, lam_, spec, g_, r2_, s2_, t=t, kappa_s=ks_)
            return +parts.bias, +parts.variance
    return _confirmed(compute, dps, "limiting_risk")


@_isolated
def limiting_risk(w=None, spectrum="isotropic", *, gamma=2.0, lam=0.0, sigma2=1.0, r2=1.0,
                  t=None, dps=30, kappa_s=1.0, scheme="mix", certify=False,
                  **spectrum_params):
    r"""Limiting risk ``R_t(w, λ)`` (``t=None``: ``t → ∞``) as bias + variance.

    ``scheme`` (SPEC §4.1): ``"mix"`` (the model of SPEC §1, weight ``w``),
    ``"replace"`` (synthetic labels only after ``t = 0``; min-norm collapses
    linearly, ``c_t = 1 + κ_s t``), ``"dynamic"`` (the greedy schedule
    ``w_t = F_{2t+1}/F_{2t+2}``), ``"accumulate"`` (the real data and every
    synthetic set so far; min-norm ``c_t = 1 + κ_s Σ_{j=2}^{t+1} 1/j²``,
    ridge tends to the zero estimator). Only ``"mix"`` takes ``w``; the
    others need ``w=None``.

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
    scheme = _scheme(scheme, w)
    if scheme == "mix":
        w = check_weight(w, symbolic=False)
    gamma, lam, sigma2, r2, t, dps, kappa_s = _common(gamma, lam, sigma2, r2, t, dps, kappa_s)
    spec = _spectrum(spectrum, spectrum_params, _RISK_KEYWORDS)
    params = dict(spectrum=spec.name, **spec.params, gamma=gamma, lam=lam, sigma2=sigma2,
                  r2=r2, t=t, kappa_s=kappa_s, dps=dps)
    if certify:      # RiskResult with .enclosures (rmtheory[certified])
        from . import _certify
        return _certify.limiting_risk(w, lam, spec, gamma, r2, sigma2, t, kappa_s, dps,
                                      params, scheme=scheme)
    bias, variance = _risk_at(w, lam, spec, gamma, r2, sigma2, t, kappa_s, dps, scheme)
    if scheme != "mix":
        params["scheme"] = scheme
    with mp.workdps(dps):
        return RiskResult(None if w is None else to_mpf("w", w), bias, variance, params)


@_isolated
def optimal_w(spectrum="isotropic", *, gamma=2.0, lam=0.0, sigma2=1.0, r2=1.0, t=None,
              dps=30, kappa_s=1.0, scheme="mix", certify=False, **spectrum_params):
    r"""The real-data weight ``w* ∈ (0, 1]`` minimising the limiting risk.

    ``scheme="dynamic"`` reports the greedy schedule instead: ``schedule`` is
    ``(w_0, …, w_t)`` and ``w`` its last weight (``t=None``: the limit
    ``1/φ``), with the risk of the scheme; ``"replace"`` and
    ``"accumulate"`` have no weight to choose (``ValueError``).

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
    scheme = _scheme(scheme, None, needs_w=False)
    if scheme in ("replace", "accumulate"):
        raise ValueError(f"scheme={scheme!r} has no mixing weight to optimise; use "
                         "limiting_risk(None, ..., scheme=...) for its risk")
    gamma, lam, sigma2, r2, t, dps, kappa_s = _common(gamma, lam, sigma2, r2, t, dps, kappa_s)
    if certify:      # OptimalWeight with .enclosures (rmtheory[certified])
        from . import _certify
        check_optimum_exists(gamma, lam, t, kappa_s)
        spec = _spectrum(spectrum, spectrum_params, _RISK_KEYWORDS)
        params = dict(spectrum=spec.name, **spec.params, gamma=gamma, lam=lam, sigma2=sigma2,
                      r2=r2, t=t, kappa_s=kappa_s, dps=dps)
        return _certify.optimal_w(spec, gamma, lam, sigma2, r2, t, kappa_s, dps, params,
                                  scheme=scheme)
    if scheme == "dynamic":
        return _dynamic_optimum(spectrum, spectrum_params, gamma, lam, sigma2, r2, t, dps,
                                kappa_s)
    check_optimum_exists(gamma, lam, t, kappa_s)
    spec = _spectrum(spectrum, spectrum_params, _RISK_KEYWORDS)

    curvature = []

    def compute(near=None):
        g_, l_, r2_, s2_, ks_ = (to_mpf(n, v) for n, v in (
            ("gamma", gamma), ("lam", lam), ("r2", r2), ("sigma2", sigma2),
            ("kappa_s", kappa_s)))
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
        1, *_risk_at(1, lam, spec, gamma, r2, sigma2, t, kappa_s, dps), params)
    return OptimalWeight(w_star, risk, at_1, bool(boundary), params)


def _dynamic_optimum(spectrum, spectrum_params, gamma, lam, sigma2, r2, t, dps, kappa_s):
    """``optimal_w(scheme="dynamic")``: the schedule and the scheme's risk."""
    spec = _spectrum(spectrum, spectrum_params, _RISK_KEYWORDS)
    params = dict(spectrum=spec.name, **spec.params, gamma=gamma, lam=lam, sigma2=sigma2,
                  r2=r2, t=t, kappa_s=kappa_s, dps=dps, scheme="dynamic")
    with mp.workdps(dps + GUARD_DIGITS):
        if t is None:
            schedule, last = None, 1 / mp.phi
        else:
            schedule = tuple(dynamic_schedule(t))
            last = schedule[-1]
    bias, variance = _risk_at(None, lam, spec, gamma, r2, sigma2, t, kappa_s, dps, "dynamic")
    with mp.workdps(dps):
        last = +last
        schedule = None if schedule is None else tuple(+x for x in schedule)
    risk = RiskResult(last, bias, variance, params)
    at_1 = RiskResult(1, *_risk_at(1, lam, spec, gamma, r2, sigma2, t, kappa_s, dps), params)
    return OptimalWeight(last, risk, at_1, False, params, schedule=schedule)


@_isolated
def critical_lambda(spectrum="isotropic", *, gamma=2.0, sigma2=1.0, r2=1.0, dps=30,
                    kappa_s=1.0, certify=False, **spectrum_params):
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
    spec = _spectrum(spectrum, spectrum_params, ("gamma", "sigma2", "r2", "dps", "kappa_s"))
    if certify:      # a result with .value and .enclosures (rmtheory[certified])
        from . import _certify
        return _certify.critical_lambda(spec, gamma, r2, sigma2, kappa_s, dps)
    return _confirmed(lambda: _critical_lambda(
        spec, to_mpf("gamma", gamma), to_mpf("r2", r2), to_mpf("sigma2", sigma2),
        kappa_s=to_mpf("kappa_s", kappa_s)), dps, "critical_lambda")


@_isolated
def w_star_curve(lams, spectrum="isotropic", *, gamma=2.0, sigma2=1.0, r2=1.0, t=None,
                 dps=30, kappa_s=1.0, **spectrum_params):
    """``optimal_w`` over a sequence of penalties; a list of :class:`OptimalWeight`.

    Examples
    --------
    >>> import rmtheory as rt
    >>> [round(float(r), 6) for r in rt.w_star_curve([0.0, 0.01], gamma=2.0, dps=15)]
    [0.618034, 0.6142]
    """
    if isinstance(lams, (str, bytes)) or not hasattr(lams, "__iter__") \
            or getattr(lams, "ndim", 1) == 0:        # a 0-d NumPy array has __iter__
        raise TypeError(f"lams must be a sequence of penalties, received "
                        f"{type(lams).__name__} {lams!r}")
    # every argument checked before the first solve, not at its penalty
    lams = [_real(f"lams[{i}]", lam, low=0) for i, lam in enumerate(lams)]
    checked = _common(gamma, 0, sigma2, r2, t, dps, kappa_s)
    for lam in lams:
        check_optimum_exists(checked[0], lam, checked[4], checked[6])
    _spectrum(spectrum, spectrum_params, _RISK_KEYWORDS)
    return [optimal_w(spectrum, gamma=gamma, lam=lam, sigma2=sigma2, r2=r2, t=t, dps=dps,
                      kappa_s=kappa_s, **spectrum_params) for lam in lams]
