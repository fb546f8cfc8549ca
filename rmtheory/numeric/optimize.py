r"""Optimal real-data weight: solve the stationarity condition, not a grid.

For ``λ > 0`` the slope ``∂R/∂w`` comes from the symbolic chain rule
(:func:`rmtheory.symbolic.mixed.risk_in_values`). If the slope at
``w = 1``,

.. math:: \partial_w R\big|_{w=1} = -\lambda B'(\lambda) + 2\sigma^2(\kappa'(\lambda) - 1),

is ``≤ 0`` the optimum is the boundary ``w* = 1``; otherwise the root of
the slope is bracketed below 1 and found by a bracketing solver. At
``λ = 0`` the minimiser of ``c(w; κ_s)`` is the closed form of result 2,
``1/φ`` for ``κ_s = 1``, whatever ``H`` and ``G``.

The functions here work at the ambient precision on validated input.
"""
import math
from typing import NamedTuple

from .context import mp

from .compiled import expressions, variance_factor_at
from .precision import NoConvergence
from .risk import RiskParts, risk_parts

__all__ = ["optimal_weight", "Optimum", "check_optimum_exists", "critical_lambda",
           "slope_in_w"]

_W_FLOOR = mp.mpf("1e-8")


def _extra_bits(w, lam=1):
    """Bits lost to the divided difference ``(κ(b) − κ(a))/(b − a)``:
    about ``log2(1/|b − a|)`` with ``|b − a| = 2λ|1 − w|/(w(2 − w))``
    (κ is of order one), so near ``w = 1`` and for tiny ``λ``. The
    ``w``-derivative divides by ``(1 − w)²``: count that gap twice.

    Large penalties ``a = λ/w``, ``b = λ/(2 − w)`` lose bits too: since
    ``κ(x) = x + γ∫s dH − γ∫s² dH/x + O(x⁻²)``, the bracket
    ``(κ(b) − κ(a))/(b − a) − 1`` (``κ'(λ) − 1`` at ``w = 1``) is
    ``O(1/a)``, and ``O(1/(ab))`` once ``b`` is large as well, so about
    ``log2 a + log2 b`` bits cancel in the ``− 1`` (small ``w``, or
    ``λ ≫ 1``)."""
    if lam == 0:
        return 0
    bits = 0
    if w != 1:
        gap = 2 * lam * abs(1 - w) / (w * (2 - w)) * min(abs(1 - w), 1)
        bits = int(math.ceil(max(0.0, -float(mp.log(gap, 2))))) + 8
    for penalty in (lam / w, lam / (2 - w)):
        if penalty > 1:
            bits += int(math.ceil(float(mp.log(penalty, 2))))
    return bits


def slope_in_w(w, lam, spectrum, gamma, r2, sigma2, *, t=None, kappa_s=1):
    """:class:`~rmtheory.numeric.risk.RiskParts` at ``w`` with ``∂R/∂w``
    (extra working bits near ``w = 1``)."""
    with mp.extraprec(_extra_bits(w, lam)):
        parts = risk_parts(w, lam, spectrum, gamma, r2, sigma2, t=t, kappa_s=kappa_s,
                           derivative=True)
        return RiskParts(+parts.bias, +parts.variance, +parts.dtotal_dw)


def _residual_tolerance(*values, scale=0):
    """The residual accepted as zero: a few ulps of the size of the terms
    ``f`` is made of, which the caller estimates by the values seen and
    ``scale`` (``|f'|`` times the width of the range of the variable: the
    change of ``f`` across it). Nothing here is absolute: with ``σ², r² =
    10^-300`` every slope is of order ``10^-300``, with a risk of ``10^100``
    dominated by a bias that hardly depends on ``w`` it is tiny next to
    the risk. ``2^20`` ulps leaves room for the extra working bits near
    ``w = 1`` running out."""
    return (sum(abs(v) for v in values) + abs(scale)) * mp.eps * 2**20


def _change_across(lo, hi, f_lo, f_hi):
    """``|f'| · hi`` from a secant: the change of ``f`` across ``[0, hi]``,
    the scale of its terms when the bracket itself is narrow (a re-solve
    at a higher precision brackets the root within ``10^-30``)."""
    return abs((f_hi - f_lo) / (hi - lo)) * abs(hi)


def _bracketed_root(f, lo, hi, what, f_lo=None, f_hi=None, scale=0):
    """Root of ``f`` in ``[lo, hi]`` (a sign change), with its residual
    checked; ``f_lo``, ``f_hi`` are the end values when already known and
    ``scale`` the size of the terms of ``f`` beyond them (see
    :func:`_residual_tolerance`).

    Anderson–Björck regula falsi: superlinear on smooth ``f``, never leaves
    the bracket, and, unlike ``mp.findroot``, takes the end values already
    computed and returns a point where ``f`` was evaluated (so the caller
    can reuse what came with that value). It stops at the first point whose
    residual is within ``2^20`` ulps of zero (of the scale of ``f``), so the
    root is good to about ``prec − 20 − log2|f'|`` bits: callers work with
    guard digits, and the public functions confirm at a higher precision.
    A sign change localised between two adjacent floating-point numbers is
    a root to the working precision too (``f`` is continuous: the slope of
    a smooth risk): then the end with the smaller residual is returned.
    """
    f_lo = f(lo) if f_lo is None else f_lo
    f_hi = f(hi) if f_hi is None else f_hi
    if f_lo * f_hi > 0:
        raise NoConvergence(f"{what}: no sign change on [{mp.nstr(lo, 8)}, {mp.nstr(hi, 8)}]",
                            min(abs(f_lo), abs(f_hi)), 0, "check the parameters")
    tolerance = _residual_tolerance(f_lo, f_hi, scale=scale)
    for x, fx in ((lo, f_lo), (hi, f_hi)):
        if abs(fx) <= tolerance:
            return x
    # fa is the Anderson–Björck weight of the retained end, value_a its value
    a, fa, value_a, b, fb = lo, f_lo, f_lo, hi, f_hi
    for _ in range(4 * mp.prec):
        x = (a * fb - b * fa) / (fb - fa)
        if not min(a, b) < x < max(a, b):     # the secant point rounded onto an end
            x = (a + b) / 2
        if not min(a, b) < x < max(a, b):     # the bracket is a few ulps wide
            return a if abs(value_a) < abs(fb) else b
        fx = f(x)
        if abs(fx) <= tolerance:
            return x
        if fx * fb < 0:
            a, fa, value_a = b, fb, fb
        else:   # Anderson–Björck: shrink the retained end value, to keep superlinear
            m = 1 - fx / fb
            fa = fa * m if m > 0 else fa / 2
        b, fb = x, fx
    raise NoConvergence(f"{what} on [{mp.nstr(lo, 8)}, {mp.nstr(hi, 8)}]",
                        min(abs(value_a), abs(fb)), tolerance, "a larger dps")


class Optimum(NamedTuple):
    """What :func:`optimal_weight` returns."""
    #: the minimiser ``w*``
    w: object
    #: whether ``w* = 1`` because the slope there is not positive
    on_boundary: bool
    #: :class:`~rmtheory.numeric.risk.RiskParts` at ``w*``
    parts: object
    #: ``∂²R/∂w²`` near ``w*`` from the last two slope values, or ``None``:
    #: the Newton step of a cheap re-solve at a higher precision
    curvature: object = None


def _float_start(lam, spectrum, gamma, r2, sigma2, kappa_s):
    """``(w, width, curvature)`` from the float64 backend, or ``None``: a start
    that the mpmath solve verifies (by the convergence of its own steps)
    before trusting it.

    One point on a grid of one is mostly NumPy call overhead, so the slope
    is evaluated at many weights per call instead: 33 weights across
    ``(0, 1]`` (and ``w = 1``, the boundary), then three around the secant
    root of the bracket found, twice (a quadratic fit each time, which also
    gives the curvature): three calls of
    :func:`rmtheory.numeric.fast_arrays._evaluate` in all."""
    import numpy as np
    from .fast_arrays import W_FLOOR, _evaluate, rules_for
    try:
        lam, gamma, kappa_s, sigma2, r2 = (float(v) for v in (lam, gamma, kappa_s, sigma2, r2))
        rules = rules_for(spectrum, np.array([lam / 2, lam / W_FLOOR, lam]), np.full(3, gamma))

        def slopes(x):
            x = np.asarray(x, float)
            n = x.size
            return _evaluate(x, np.full(n, lam), np.full(n, gamma), sigma2, r2,
                             np.full(n, kappa_s), rules, slope=True).slope
        with np.errstate(all="ignore"):
            xs = np.unique(np.concatenate([np.geomspace(W_FLOOR, 0.5, 12),
                                           np.linspace(0.5, 1.0, 22)]))
            f = slopes(xs)
            if not f[-1] > 0:               # w* = 1 (or unresolved): the mpmath path decides
                return None
            negative = np.flatnonzero(f < 0)
            if negative.size == 0:
                return None
            i = negative[-1]
            lo, hi, f_lo, f_hi = xs[i], xs[i + 1], f[i], f[i + 1]
            w = lo - f_lo * (hi - lo) / (f_hi - f_lo)
            delta = (hi - lo) / 50
            for _ in range(2):
                # the slope's quadratic through three points near w: its root
                # (error ~ delta³: 1e-4 after the first fit, ~1e-15 after the
                # second), and its derivative there, the curvature of the risk
                x = np.array([w - delta, w, w + delta])
                a, b, c = np.polyfit(x - w, slopes(x), 2)
                if a == 0:
                    step = -c / b
                else:
                    disc = b * b - 4 * a * c
                    if not disc >= 0:
                        return None
                    root = np.sqrt(disc)      # the root nearer w, without cancellation
                    step = (2 * c) / (-b - root) if b >= 0 else (2 * c) / (-b + root)
                w, curvature = w + step, b + 2 * a * step
                if not (0 < w < 1) or abs(step) <= 1e-13 * w:
                    break
                delta = max(min(delta, abs(step)) / 4, 1e-7 * w)
    except (ArithmeticError, ValueError, FloatingPointError, np.linalg.LinAlgError):
        return None
    if not (0 < w < 1 and np.isfinite(curvature) and curvature > 0):
        return None
    return mp.mpf(w), mp.mpf("1e-9"), mp.mpf(curvature)


def _da_dw():
    """``da/dw`` for the penalty ``a = λ/w`` of the mean (derived, lambdified)."""
    global _DA_DW
    if _DA_DW is None:
        import sympy as sp
        from ..symbolic.symbols import lam, w
        from .context import contextual
        _DA_DW = contextual(sp.lambdify((w, lam), sp.diff(lam / w, w), "mpmath"))
    return _DA_DW


_DA_DW = None


class _Point(NamedTuple):
    """The stationary risk at one ``w`` with ``∂R/∂w`` and ``∂B/∂w``."""
    parts: RiskParts
    dbias_dw: object


def _point(w, lam, spectrum, gamma, r2, sigma2, kappa_s):
    """:class:`_Point` at ``0 < w < 1``, ``λ > 0``, ``t = ∞``, with the guard
    bits of :func:`slope_in_w` and :func:`~rmtheory.numeric.risk.stationary_risk`:
    the same expressions, plus ``∂B/∂w = B'(a) da/dw`` (``a = λ/w``)."""
    from .fixed_point import solve_kappa
    from .risk import _one_minus_df2, mean_estimate, penalty_values
    e = expressions()
    with mp.extraprec(_extra_bits(w, lam)):
        bound = lam / w + gamma * mean_estimate(spectrum)
        with mp.extraprec(max(0, int(mp.mag(bound)))):
            a, b = lam / w, lam / (2 - w)
            at_a = penalty_values(a, spectrum, gamma, r2)
            k_b = solve_kappa(b, spectrum, gamma)
            kp_b = e.kappa_prime_gap(_one_minus_df2(k_b, b, spectrum, gamma))
            args = (w, lam, sigma2, kappa_s, at_a.kappa, k_b, at_a.bias,
                    at_a.bias_prime, at_a.kappa_prime, kp_b)
            parts = RiskParts(+at_a.bias, +e.variance(*args), +e.dtotal_dw(*args))
            dbias = +(at_a.bias_prime * _da_dw()(w, lam))
    return _Point(parts, dbias)


def _shifted(point, step, curvature):
    """The risk parts ``step`` away in ``w``, to first order: the bias moves
    by ``B_w · step``, the total by ``R_w · step`` and the slope by
    ``curvature · step`` (zero after a Newton step); the error is
    ``O(step²)``, far below the working precision for the steps used."""
    bias = point.parts.bias + point.dbias_dw * step
    total = point.parts.bias + point.parts.variance + point.parts.dtotal_dw * step
    return RiskParts(bias, total - bias, point.parts.dtotal_dw + curvature * step)


#: secant steps the Newton–secant solve may take before it falls back
_SECANT_STEPS = 4


def _newton_secant(w0, curvature, width, lam, spectrum, gamma, r2, sigma2, kappa_s, digits,
                   one_step=False):
    """The root of ``∂R/∂w`` from ``w0`` (within ``width`` of it) by a Newton
    step with ``curvature`` and then secant steps, each a single slope
    evaluation; stops once the predicted error of the next iterate,
    ``|Δ_n|²/|Δ_{n−1}|`` (superlinear convergence), is below
    ``10^-digits``. Returns an :class:`Optimum` (its parts carried to the
    root by :func:`_shifted`), or ``None`` when the steps do not converge
    as they must from a good start (the caller then brackets the root)."""
    tol = mp.mpf(10)**(-digits)
    x, c, previous_step = w0, curvature, width
    p = _point(x, lam, spectrum, gamma, r2, sigma2, kappa_s)
    for _ in range(_SECANT_STEPS):
        step = -p.parts.dtotal_dw / c
        x_new = x + step
        if not (0 < x_new < 1) or abs(x_new - w0) > width:
            return None
        if one_step:
            # a start within ``width`` of the root and a curvature good to
            # far better than 1e-6 (a secant of the lower-precision solve):
            # the Newton error is below 1e-6 |step| + O(step²)
            return Optimum(x_new, False, _shifted(p, step, c), c)
        predicted = step**2 / previous_step if previous_step else mp.zero
        if abs(step) <= tol * x_new or predicted <= tol * x_new:
            return Optimum(x_new, False, _shifted(p, step, c), c)
        if abs(step) > previous_step / 8:        # not converging fast: give up
            return None
        q = _point(x_new, lam, spectrum, gamma, r2, sigma2, kappa_s)
        c_new = (q.parts.dtotal_dw - p.parts.dtotal_dw) / step
        if not c_new > 0:
            return None
        x, p, c, previous_step = x_new, q, c_new, abs(step)
    return None


def check_optimum_exists(gamma, lam, t, kappa_s):
    """Raise ``ValueError`` for the inputs that have no optimal weight."""
    if lam == 0 and gamma == 1:
        raise ValueError("gamma must differ from 1 when lam = 0: the risk is infinite "
                         "for every w (received gamma=1, lam=0)")
    if lam == 0 and t is None and kappa_s == 0:
        raise ValueError("kappa_s must be > 0 for an optimal weight at lam = 0: with "
                         "noiseless synthetic labels the risk decreases as w -> 0 "
                         "(received kappa_s=0)")
    if t == 0:
        raise ValueError("t must be >= 1 for an optimal weight: at t = 0 (one fit on real "
                         "labels, no synthetic data yet) the risk does not depend on w, so no "
                         "weight is optimal (received t=0)")


def optimal_weight(lam, spectrum, gamma, r2, sigma2, *, t=None, kappa_s=1, near=None):
    """The :class:`Optimum` minimising the limiting risk over ``(0, 1]``.

    ``near = (w, width[, curvature])``: a root found at a lower precision.
    With a curvature, one Newton step from ``w`` is tried first and kept
    when its residual is zero to rounding (two slope evaluations, no
    bracket: the lower-precision solve bracketed the root); otherwise the
    bracket ``w ± width``, widened a few times when it holds no sign
    change, and at last the full search. That is how a result is
    re-confirmed at a higher precision cheaply.
    """
    check_optimum_exists(gamma, lam, t, kappa_s)
    if lam == 0 and t is None:
        w_star = expressions().w_star_kappa_s(kappa_s)
        return Optimum(w_star, False, risk_parts(w_star, lam, spectrum, gamma, r2, sigma2,
                                                 kappa_s=kappa_s))
    # every slope evaluated, by w, and the risk parts that came with it: a
    # root is a point where the slope was evaluated, so its risk is reused
    slopes, parts_at = {}, {}
    if lam == 0:   # finite t: minimise c_t(w; κ_s), which does not involve H or G
        dc_t = variance_factor_at(t)[1]

        def slope(w):
            return dc_t(w, kappa_s)
    else:
        def slope(w):
            parts_at[w] = slope_in_w(w, lam, spectrum, gamma, r2, sigma2, t=t,
                                     kappa_s=kappa_s)
            return parts_at[w].dtotal_dw

    def f(w):
        if w not in slopes:
            slopes[w] = slope(w)
        return slopes[w]

    def noise(w):
        """The rounding error of the slope at an interior ``w``: near the
        root the slopes of the bias and of the variance cancel, and the
        latter is of the size ``V/w`` (``V`` the variance at ``w``; the
        divided differences inside get their guard bits from
        :func:`_extra_bits` and :func:`~rmtheory.numeric.risk.stationary_risk`).
        At λ = 0 the slope is the derived ``c_t'`` with its own guard bits."""
        parts = parts_at.get(w)
        if parts is None or w == 1:
            return mp.zero
        return _residual_tolerance(scale=parts.variance / w)

    def resolved(w):
        """Whether the sign of the slope at ``w`` is above its rounding error."""
        return abs(f(w)) > noise(w)

    def unresolved(w):
        digits = int(mp.ceil(mp.log10(noise(w) / abs(f(w))))) if f(w) else mp.dps
        return NoConvergence(
            f"optimal_w: the slope of the risk in w ({mp.nstr(f(w), 3)} at w = "
            f"{mp.nstr(w, 8)}) is below its rounding error ({mp.nstr(noise(w), 3)}) at "
            f"{mp.dps} working digits", abs(f(w)), noise(w),
            f"a dps larger by about {digits + 6}")

    def solution(w, boundary):
        parts = parts_at.get(w)
        if parts is None:
            with mp.extraprec(_extra_bits(w, lam)):
                parts = risk_parts(w, lam, spectrum, gamma, r2, sigma2, t=t, kappa_s=kappa_s)
        nearest = sorted(slopes, key=lambda x: abs(x - w))[:2]
        curvature = None
        if not boundary and len(nearest) == 2:
            curvature = (slopes[nearest[0]] - slopes[nearest[1]]) / (nearest[0] - nearest[1])
        return Optimum(w, boundary, parts, curvature)

    if near is None and lam > 0 and t is None:
        near = _float_start(lam, spectrum, gamma, r2, sigma2, kappa_s)
    if near is not None and len(near) > 2 and near[2] is not None and t is None and lam > 0 \
            and 0 < near[0] < 1 and near[2] > 0:
        # the float64 start (width 1e-9): to within 10^-(dps − 7) of the working
        # dps, the width the re-solve at a higher precision starts from; a
        # root of that solve (width below 1e-15): one Newton step
        found = _newton_secant(near[0], near[2], near[1], lam, spectrum, gamma, r2, sigma2,
                               kappa_s, int(mp.dps) - 7, one_step=near[1] < mp.mpf("1e-15"))
        if found is not None:
            return found
    if near is not None and near[0] < 1:
        w0, width = near[0], near[1]
        curvature = near[2] if len(near) > 2 else None
        if curvature is not None and curvature > 0:
            f0 = f(w0)
            w1 = w0 - f0 / curvature
            if abs(w1 - w0) <= width and 0 < w1 < 1:
                f1 = f(w1)
                # the residual against the change of the slope across [0, w]
                if abs(f1) <= _residual_tolerance(f0, f1, scale=curvature * w0):
                    return solution(w1, False)
        while width < mp.mpf("1e-3") and w0 > width:
            lo, hi = w0 - width, min(w0 + width, mp.one)
            if ((f_lo := f(lo)) < 0 and (f_hi := f(hi)) > 0
                    and resolved(lo) and resolved(hi)):
                return solution(_bracketed_root(f, lo, hi, "optimal_w", f_lo, f_hi,
                                                _change_across(lo, hi, f_lo, f_hi)), False)
            width *= 10**6
    f_one = f(mp.one)
    if f_one <= 0:
        return solution(mp.one, True)
    lo = mp.mpf(1) / 2
    # at lam = 0 a slope costs no κ solve: follow it down to the precision
    floor = _W_FLOOR if lam > 0 else mp.eps
    while (f_lo := f(lo)) >= 0 or not resolved(lo):
        if not resolved(lo):
            raise unresolved(lo)
        lo /= 4
        if lo < floor:
            raise NoConvergence(f"optimal_w: the slope of the risk stays positive down to "
                                f"w = {mp.nstr(lo, 3)}, so no interior minimum", f(lo), 0,
                                "check the parameters")
    return solution(_bracketed_root(f, lo, mp.one, "optimal_w", f_lo, f_one), False)


def critical_lambda(spectrum, gamma, r2, sigma2, *, kappa_s=1, lam_min=1e-300, lam_max=1e300):
    r"""The penalty beyond which ``w* = 1`` exactly: the root in ``λ`` of
    ``∂_w R(1, λ) = 0`` (``λ B'(λ) = 2σ²(κ'(λ) − 1)``), bracketed on a log
    scale: from ``λ = 10^-6`` down (while ``w* = 1`` there) or up (while
    ``w* < 1``) in steps of ``10, 10², 10⁴, ...`` decades, as far as
    ``[lam_min, lam_max]`` (a spectrum with atoms at ``10^±100`` puts the
    root far from 1), then solved on the last bracket.

    The function solved is the slope divided by the size of its two terms,
    ``f/(|f| + 4|V|)`` with ``V = σ²(κ' − 1)`` the variance at ``w = 1``
    (the terms are ``2V`` and ``λB' = 2V − f``): of order one on the whole
    bracket, whereas ``f`` itself falls like ``1/λ``, so that a residual
    that is small only because ``λ`` is large is not taken for a root."""
    at = {}

    def slope_at_1(log_lam):
        if log_lam not in at:
            parts = slope_in_w(mp.one, mp.exp(log_lam), spectrum, gamma, r2, sigma2,
                               kappa_s=kappa_s)
            size = abs(parts.dtotal_dw) + 4 * abs(parts.variance)
            at[log_lam] = parts.dtotal_dw / size if size else mp.zero
        return at[log_lam]
    bounds = mp.log(mp.mpf(lam_min)), mp.log(mp.mpf(lam_max))
    lo = hi = mp.log(mp.mpf("1e-6"))
    step = mp.log(10)
    if slope_at_1(lo) <= 0:        # w* = 1 already: the root is below
        while slope_at_1(lo) <= 0:
            hi, lo = lo, lo - step
            step *= 2
            if lo < bounds[0]:
                raise NoConvergence(f"critical_lambda: w* = 1 for every lam down to {lam_min} "
                                    "(the slope of the risk at w = 1 is not positive), so "
                                    "the bracket", slope_at_1(hi), 0,
                                    "no critical penalty in range; w* = 1 for every lam")
    else:
        while slope_at_1(hi) > 0:
            lo, hi = hi, hi + step
            step *= 2
            if hi > bounds[1]:
                raise NoConvergence(f"critical_lambda: w* < 1 for every lam up to {lam_max} "
                                    "(the slope of the risk at w = 1 stays positive), so the "
                                    "bracket", slope_at_1(lo), 0,
                                    "no critical penalty in range; w* < 1 for every lam")
    root = _bracketed_root(slope_at_1, lo, hi, "critical_lambda", slope_at_1(lo),
                           slope_at_1(hi))
    return mp.exp(root)
