"""Array speed: the float64 backend over a 100 x 100 w*(gamma, lambda) grid
against scalar mpmath calls, mpmath ``optimal_w`` against today's method and a
naive one, and continuous H against discrete(10).

Run ``python benchmarks/bench_arrays.py`` (``--quick``: a 30 x 30 grid and
fewer repetitions). ``benchmarks/run_all.py`` includes it. Every ratio is
measured in this one run.

Rows:
* the w*(gamma, lambda) grid with ``backend="float64"`` (gamma in [0.2, 5],
  lambda in [1e-3, 10], log-spaced, every point at once) against scalar
  ``rt.optimal_w`` at dps = 15, timed per point on a sample of 8 grid points
  (the per-point ratio: mpmath per point / (grid time / points)); the
  scalar baseline runs with the κ machinery the targets were set against
  (``frozen_kappa.py``), today's scalar time is in the note;
* ``rt.optimal_w`` (discrete, 10 atoms, dps = 30) against a frozen copy of the
  method as it was before this benchmark (``today_optimal_weight`` below:
  a float64 Brent start through one-element grid calls, a bracket of
  +-1e-9, regula falsi, a two-evaluation Newton re-solve, and the κ solver of
  then, ``frozen_kappa.py``) and against the naive
  method: the same float64 start, then ``mp.findroot`` on ``mp.diff`` of the
  risk (no confirmation of digits: a lower bound on its cost). Both
  baselines run with the κ machinery of before (``frozen_kappa.py``: the κ
  solver, the integrals one by one), as they ran when the targets were set;
  with today's κ solves the naive one gains too (its ``mp.diff`` points are
  nearby penalties, each κ then one Newton evaluation from its neighbour's). The
  golden-section baseline stays in ``bench_numeric.py``;
* ``rt.optimal_w`` for continuous H (ar1, uniform) against discrete(10).

Each timed ``rt.optimal_w`` call starts without the κ roots stored by the
previous repetition (:func:`_cold`): it reuses only its own. The
``optimal_w`` rows are CPU times, the five calls interleaved
(:func:`interleaved_cpu_times`).
"""
import statistics
import time

import numpy as np
from frozen_kappa import frozen_kappa
from timing import standalone, make_row, median_time

import rmtheory as rt
from rmtheory import api
from rmtheory.numeric.compiled import expressions, variance_factor_at
from rmtheory.numeric.context import mp, private_context
from rmtheory.numeric.fast import _FLOAT_W_LOW, _check_lam, _risk, _slope_at_1, quadrature_nodes
from rmtheory.numeric.optimize import (Optimum, _W_FLOOR, _bracketed_root, _change_across,
                                       _extra_bits, _residual_tolerance, check_optimum_exists,
                                       slope_in_w)
from rmtheory.numeric.precision import NoConvergence, to_mpf
from rmtheory.numeric.risk import risk_parts
from rmtheory.numeric.spectra import make_spectrum

DISCRETE10 = dict(eigs=tuple(np.linspace(0.2, 4.0, 10)), weights=(0.1,) * 10)
DPS, GAMMA, LAM = 30, 2.0, 0.5


# ---------------------------------------------------------------------------
# today's method, frozen (copied from rmtheory.numeric.optimize and .fast as
# they were before the Newton-secant solve): the baseline of the 2x target
# ---------------------------------------------------------------------------

def today_optimal_w_float(lam, spectrum, *, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=1.0):
    """Float64 ``(w*, on_boundary)`` at one ``λ > 0`` by Brent's method on
    ``∂R/∂w``; ``None`` when float64 cannot bracket the root (the mpmath
    path then searches on its own). Used as the starting bracket of
    :func:`rmtheory.numeric.optimize.optimal_weight`; the rules are those
    of :func:`quadrature_nodes` for every penalty the search can reach,
    ``λ/2`` to ``λ·10⁸``, as in :func:`optimal_w_grid`."""
    from scipy.optimize import brentq
    lam_a = np.array([float(lam)])
    _check_lam(lam_a, "optimal_w_float")
    nodes = quadrature_nodes(spectrum, [lam_a[0] / 2, lam_a[0] / _FLOAT_W_LOW], gamma=gamma)
    if _slope_at_1(lam_a, nodes, gamma, r2, sigma2, kappa_s)[0] <= 0:
        return 1.0, True

    def slope(w):
        return float(_risk(np.array([w]), lam_a, nodes, gamma, r2, sigma2, kappa_s, True)[2][0])
    lo, hi = 0.5, 1 - 1e-7
    while slope(lo) >= 0:
        lo /= 4
        if lo < _FLOAT_W_LOW:
            return None
    if not slope(hi) > 0:
        return None
    # 1e-12: well inside the ±1e-9 bracket the mpmath solve starts from
    return brentq(slope, lo, hi, xtol=1e-12), False


def today_float_start(lam, spectrum, gamma, r2, sigma2, kappa_s):
    """``(w, width)`` from the float64 path, or ``None``: a bracket that the
    mpmath solve checks for a sign change before trusting it."""
    try:
        found = today_optimal_w_float(float(lam), spectrum, gamma=float(gamma), r2=float(r2),
                                sigma2=float(sigma2), kappa_s=float(kappa_s))
    except (ArithmeticError, ValueError, FloatingPointError):
        return None
    if found is None or found[1]:
        return None
    return mp.mpf(found[0]), mp.mpf("1e-9")


def today_optimal_weight(lam, spectrum, gamma, r2, sigma2, *, t=None, kappa_s=1, near=None):
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
        near = today_float_start(lam, spectrum, gamma, r2, sigma2, kappa_s)
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


def today_optimal_w(spectrum, gamma, lam, dps, **params):
    """The public ``optimal_w`` flow of before, with :func:`today_optimal_weight`:
    a solve at dps + 10, a re-solve at dps + 25 from it, the risk at w = 1."""
    spec = make_spectrum(spectrum, **params)
    with private_context():
        curvature = []

        def compute(near=None):
            found = today_optimal_weight(to_mpf("lam", lam), spec, to_mpf("gamma", gamma),
                                         mp.one, mp.one, near=near)
            curvature.append(found.curvature)
            return found.w, found.on_boundary, found.parts.bias, found.parts.variance

        def refine(first):
            return compute(near=(first[0], mp.mpf(10)**(-(dps + api.GUARD_DIGITS - 8)),
                                 curvature[0]))
        w, boundary, bias, variance = api._confirmed(compute, dps, "optimal_w", refine)
        api._risk_at(1, lam, spec, gamma, 1.0, 1.0, None, 1.0, dps)
        return w


def naive_optimal_w(spectrum, gamma, lam, dps, **params):
    """The float64 start, then ``mp.findroot`` on ``mp.diff`` of the risk at
    dps + 10 (the guard digits of the library; nothing confirmed)."""
    spec = make_spectrum(spectrum, **params)
    with private_context(), mp.workdps(dps + 10):
        start = today_float_start(lam, spec, gamma, 1.0, 1.0, 1.0)
        lam_, g_ = mp.mpf(lam), mp.mpf(gamma)

        def risk(w):
            with mp.extraprec(_extra_bits(w, lam_)):
                return +risk_parts(w, lam_, spec, g_, mp.one, mp.one).total
        return mp.findroot(lambda w: mp.diff(risk, w), start[0])


def _cold(spectrum, **params):
    """Forget the κ roots stored on the spectrum's measures, so that a timed
    call reuses only what it solved itself (repeating one call would
    otherwise start every κ from the previous repetition's root)."""
    spec = make_spectrum(spectrum, **params)
    for measure in {id(spec._H): spec._H, id(spec._G): spec._G}.values():
        starts = getattr(measure, "kappa_starts", None)
        if starts is not None:
            starts.clear()


def _new_optimal_w(spectrum, **params):
    _cold(spectrum, **params)
    return rt.optimal_w(spectrum, gamma=GAMMA, lam=LAM, dps=DPS, **params)


def _today_optimal_w(spectrum, **params):
    with frozen_kappa():
        return today_optimal_w(spectrum, GAMMA, LAM, DPS, **params)


def _naive_optimal_w(spectrum, **params):
    with frozen_kappa():
        return naive_optimal_w(spectrum, GAMMA, LAM, DPS, **params)


def interleaved_cpu_times(fns, repeat):
    """Median CPU times (``time.process_time``) of each of ``fns``, called in
    turn ``repeat`` times after one untimed round: on a shared machine
    the load then changes every function's time alike, and single-threaded
    mpmath work is timed without the other jobs' share of the cores."""
    for fn in fns:
        fn()
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, bucket in zip(fns, times):
            start = time.process_time()
            fn()
            bucket.append(time.process_time() - start)
    return [statistics.median(bucket) for bucket in times]


def _grid(points):
    gammas = np.linspace(0.2, 5.0, points)
    lams = np.geomspace(1e-3, 10.0, points)
    return gammas, lams


#: the grid models: (label, name, parameters, per-point target)
GRID_MODELS = (("isotropic", "isotropic", {}, ">= 500x"),
               ("discrete(10)", "discrete", DISCRETE10, ">= 500x"),
               ("ar1", "ar1", {}, ">= 100x"))


def describe(quick=False):
    points, repeat = (30, 1) if quick else (100, 3)
    return (f"Arrays: w*(gamma, lambda) grid {points} x {points} (gamma in [0.2, 5], lambda in "
            f"[1e-3, 10] log-spaced), float64 medians of {repeat}; scalar mpmath at dps = 15 "
            f"on 8 grid points; optimal_w at dps = {DPS}, gamma = {GAMMA}, lambda = {LAM}, "
            f"CPU-time medians of {3 * repeat + 2}, the five methods interleaved.")


def measure(quick=False):
    """Run the array benchmarks; a list of :class:`timing.Row`."""
    points, repeat = (30, 1) if quick else (100, 3)
    gammas, lams = _grid(points)
    rows = []
    sample = [(gammas[i], lams[j]) for i, j in
              zip(np.linspace(0, points - 1, 8).astype(int),
                  np.linspace(points - 1, 0, 8).astype(int))]
    for label, name, params, target in GRID_MODELS:
        t_grid = median_time(lambda: rt.optimal_w(name, gamma=gammas[:, None], lam=lams[None, :],
                                                  backend="float64", **params),
                             repeat, warmup=True)
        def scalar_points():
            _cold(name, **params)
            return [rt.optimal_w(name, gamma=float(g), lam=float(x), dps=15, **params)
                    for g, x in sample]

        def frozen_points():
            with frozen_kappa():
                return scalar_points()
        t_point = median_time(frozen_points, 1, warmup=True) / len(sample)
        t_now = median_time(scalar_points, 1, warmup=True) / len(sample)
        rows.append(make_row(
            f"w* grid {points} x {points}, float64, {label}, per point "
            f"(ratio: mpmath dps 15 per point / float64 per point)",
            t_grid / points**2, t_point, target=target, speedup=True,
            note=f"the whole grid in {t_grid:.3f} s; baseline: scalar rt.optimal_w at dps = 15 "
                 f"with the kappa machinery of before (frozen_kappa.py), mean over 8 grid "
                 f"points; today's scalar path {1e3 * t_now:.2f} ms per point, "
                 f"{t_now / (t_grid / points**2):.0f}x the float64 point"))
    repeat_opt = 3 * repeat + 2
    t_new, t_today, t_naive, t_ar1, t_uniform = interleaved_cpu_times([
        lambda: _new_optimal_w("discrete", **DISCRETE10),
        lambda: _today_optimal_w("discrete", **DISCRETE10),
        lambda: _naive_optimal_w("discrete", **DISCRETE10),
        lambda: _new_optimal_w("ar1"), lambda: _new_optimal_w("uniform")], repeat_opt)
    rows.append(make_row("optimal_w discrete(10), dps 30 (ratio: today's method / optimal_w)",
                         t_new, t_today, target=">= 2x", speedup=True,
                         note="baseline: a frozen copy of the method before the Newton-secant "
                              "solve (bench_arrays.today_optimal_weight), same dps, same "
                              "confirmation"))
    rows.append(make_row("optimal_w discrete(10), dps 30 (ratio: float start + findroot on "
                         "diff / optimal_w)", t_new, t_naive, target=">= 4x", speedup=True,
                         note="baseline: float64 start, then mp.findroot on mp.diff of the "
                              "risk at dps + 10, digits not confirmed"))
    for name, t_cont in (("ar1", t_ar1), ("uniform", t_uniform)):
        rows.append(make_row(f"optimal_w {name}, dps 30 (ratio: {name} / discrete(10))",
                             t_cont, t_new, target="<= 5x"))
    return rows


def main(argv=None):
    return standalone(__doc__, measure, describe, argv, quick_help="a smaller grid, fewer runs")


if __name__ == "__main__":
    main()
