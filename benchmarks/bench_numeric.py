"""Speed of the numeric layer, as ratios against baselines run alongside.

Run ``python benchmarks/bench_numeric.py`` (add ``--quick`` for fewer
repetitions). Everything is measured in this one run on this machine; the
table reports medians and ratios, never absolute targets checked by tests.
``benchmarks/run_all.py`` runs :func:`measure` of this script and of the
other one and prints a single table.

Baselines, at equal precision (dps = 30):
* ``optimal_w`` against the obvious approach: ``κ`` by bisection on the
  fixed point and a golden-section search on ``w`` (to the same tolerance);
* continuous ``H`` (ar1) against a discrete ``H`` with 10 atoms;
* the float64 grid path against a loop of mpmath calls over the same grid.
"""

import numpy as np
from timing import standalone, make_row, median_time
from mpmath import mp

import rmtheory as rt
from rmtheory.numeric.compiled import expressions
from rmtheory.numeric.contour import clear_contour_cache
from rmtheory.numeric.fast import risk_grid
from rmtheory.numeric.spectra import make_spectrum

DISCRETE10 = dict(eigs=tuple(np.linspace(0.2, 4.0, 10)), weights=(0.1,) * 10)


def _bisect_kappa(x, spec, gamma):
    """Baseline: plain bisection on λ = κ(1 − γ∫ s/(s+κ) dH)."""
    e = expressions()
    lo, hi = mp.zero, x + gamma * spec.integrate_H(lambda s: s)
    f = lambda k: k * (1 - gamma * spec.integrate_H(lambda s: s / (s + k))) - x  # noqa: E731
    while hi - lo > mp.eps * hi * 4:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
    del e
    return (lo + hi) / 2


def _baseline_risk(w, lam, spec, gamma):
    e = expressions()
    a, b = lam / w, lam / (2 - w)
    ka, kb = _bisect_kappa(a, spec, gamma), _bisect_kappa(b, spec, gamma)
    I2 = spec.integrate_H(lambda s: e.df2_integrand(s, ka))
    J = spec.integrate_G(lambda s: e.bias_integrand(s, ka))
    bias = e.ridge_bias(ka, 1, gamma, J, I2)
    return bias + e.variance(w, lam, 1, 1, ka, kb, bias, 0, 0, 0)


def baseline_optimal_w(lam, spec, gamma, dps):
    """Golden-section search on w with bisection κ, to ~dps/2 digits in w
    (the best a derivative-free search can resolve at this precision)."""
    with mp.workdps(dps + 10):
        lo, hi = mp.mpf("0.05"), 1 - mp.mpf(10)**-8
        invphi = (mp.sqrt(5) - 1) / 2
        c, d = hi - invphi * (hi - lo), lo + invphi * (hi - lo)
        fc, fd = _baseline_risk(c, lam, spec, gamma), _baseline_risk(d, lam, spec, gamma)
        while hi - lo > mp.mpf(10)**(-(dps // 2)):
            if fc < fd:
                hi, d, fd = d, c, fc
                c = hi - invphi * (hi - lo)
                fc = _baseline_risk(c, lam, spec, gamma)
            else:
                lo, c, fc = c, d, fd
                d = lo + invphi * (hi - lo)
                fd = _baseline_risk(d, lam, spec, gamma)
        return (lo + hi) / 2


DPS, GAMMA, LAM = 30, 2.0, 0.5


def _repeats(quick):
    """Runs per median: most rows, the optimal_w baseline, the w* curve and
    the mpmath loop (each after one untimed warm-up run)."""
    if quick:
        return 3, 1, 1, 1
    return 9, 3, 3, 3


#: the finite-t rows: (spectrum, parameters, label), timed at t = 5 and t = 50
FINITE_T_MODELS = (("isotropic", {}, "isotropic"), ("spiked", {}, "spiked"),
                   ("discrete", DISCRETE10, "discrete(10)"), ("ar1", {}, "ar1"),
                   ("uniform", {}, "uniform"))


def _cold(call):
    """``call`` after forgetting the kept contours (:func:`rmtheory.numeric.
    contour.clear_contour_cache`): each timed finite-t call computes its own
    nodes, as a first call does (a repeat with the same arguments would
    re-use them)."""
    def run():
        clear_contour_cache()
        return call()
    return run


#: runs per median of the finite-t rows (each call takes milliseconds)
FINITE_T_REPEAT = 7


def _interleaved(first, second, repeat):
    """Medians of ``repeat`` wall times of ``first()`` and ``second()``, called
    alternately (after one untimed call of each): a change of the machine's
    load during the run affects both alike, so their ratio holds."""
    import statistics
    import time
    first(), second()
    times = ([], [])
    for _ in range(repeat):
        for call, out in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            call()
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def finite_t_rows(repeat=FINITE_T_REPEAT):
    """Finite-t ridge ``limiting_risk`` and ``optimal_w`` against the
    stationary call of the same spectrum, same settings, the two timed
    alternately (:func:`_interleaved`); every finite-t call cold
    (:func:`_cold`)."""
    rows = []
    for name, params, label in FINITE_T_MODELS:
        def stationary(name=name, params=params):
            return rt.limiting_risk(0.7, name, gamma=GAMMA, lam=LAM, dps=DPS, **params)
        for t in (5, 50):
            t_fin, t_stat = _interleaved(_cold(lambda: rt.limiting_risk(
                0.7, name, gamma=GAMMA, lam=LAM, t=t, dps=DPS, **params)), stationary, repeat)
            rows.append(make_row(f"limiting_risk {label}, t = {t} (ratio: finite t / t = None)",
                                 t_fin, t_stat, target="<= 10x"))
        t_opt, t_stat = _interleaved(
            _cold(lambda: rt.optimal_w(name, gamma=GAMMA, lam=LAM, t=5, dps=DPS, **params)),
            lambda: rt.optimal_w(name, gamma=GAMMA, lam=LAM, dps=DPS, **params), repeat)
        rows.append(make_row(f"optimal_w {label}, t = 5 (ratio: finite t / t = None)",
                             t_opt, t_stat, target="<= 20x"))
    t_big, t_small = _interleaved(
        _cold(lambda: rt.limiting_risk(0.7, "spiked", gamma=GAMMA, lam=LAM, t=10**6, dps=DPS)),
        _cold(lambda: rt.limiting_risk(0.7, "spiked", gamma=GAMMA, lam=LAM, t=5, dps=DPS)),
        repeat)
    rows.append(make_row("limiting_risk spiked, t = 10^6 (ratio: t = 10^6 / t = 5)",
                         t_big, t_small, target="<= 1.5x"))
    # a t at which the decaying part is not below the precision yet (the
    # contour is integrated): the cost still does not grow with t
    t_mid, t_small = _interleaved(
        _cold(lambda: rt.limiting_risk(0.7, "spiked", gamma=GAMMA, lam=LAM, t=60, dps=DPS)),
        _cold(lambda: rt.limiting_risk(0.7, "spiked", gamma=GAMMA, lam=LAM, t=5, dps=DPS)),
        repeat)
    rows.append(make_row("limiting_risk spiked, t = 60 (ratio: t = 60 / t = 5)",
                         t_mid, t_small, target="<= 1.5x"))
    return rows


def describe(quick=False):
    """One line on the settings of :func:`measure`."""
    repeat, repeat_base, repeat_curve, repeat_loop = _repeats(quick)
    return (f"Numeric layer: dps = {DPS}, gamma = {GAMMA}, lambda = {LAM}; medians of "
            f"{repeat} runs (optimal_w baseline: {repeat_base}; w* curve: {repeat_curve}; "
            f"mpmath loop: {repeat_loop}), each after one untimed warm-up run; finite-t rows: "
            f"medians of {FINITE_T_REPEAT}, each finite-t call cold (kept contours forgotten) "
            "and timed alternately with its t = None baseline.")


def measure(quick=False):
    """Run the numeric benchmarks; a list of :class:`timing.Row`."""
    repeat, repeat_base, repeat_curve, repeat_loop = _repeats(quick)
    dps, gamma, lam = DPS, GAMMA, LAM
    rows = []

    times = {}
    for name, params in (("isotropic", {}), ("spiked", {}), ("discrete", DISCRETE10),
                         ("ar1", {})):
        times[name] = median_time(lambda: rt.limiting_risk(0.7, name, gamma=gamma, lam=lam,
                                                           dps=dps, **params),
                                  repeat, warmup=True)
    for name, label in (("isotropic", "isotropic"), ("spiked", "spiked"),
                        ("discrete", "discrete(10)")):
        rows.append(make_row(f"limiting_risk {label}", times[name], target="< 5 ms"))
    rows.append(make_row("limiting_risk ar1 (ratio: ar1 / discrete(10))", times["ar1"],
                         times["discrete"], target="<= 20x"))

    rows += finite_t_rows()

    spec = make_spectrum("discrete", **DISCRETE10)
    t_opt = median_time(lambda: rt.optimal_w("discrete", gamma=gamma, lam=lam, dps=dps,
                                             **DISCRETE10), repeat, warmup=True)
    t_base = median_time(lambda: baseline_optimal_w(mp.mpf(lam), spec, mp.mpf(gamma), dps),
                         repeat_base, warmup=True)
    rows.append(make_row("optimal_w discrete(10)", t_opt, target="< 50 ms"))
    rows.append(make_row("optimal_w discrete(10) (ratio: bisection + golden section / optimal_w)",
                         t_opt, t_base, target=">= 50x", speedup=True,
                         note="baseline: kappa by bisection on the fixed point, golden-section "
                              "search on w to dps/2 digits, same dps"))

    lams = np.geomspace(1e-3, 10, 200)
    t_curve = median_time(lambda: rt.w_star_curve(lams, gamma=gamma, dps=dps), repeat_curve,
                          warmup=True)
    rows.append(make_row("w*(lambda) curve, 200 points, isotropic", t_curve, target="< 5 s"))

    spec_iso = make_spectrum("isotropic")
    ws, ls = np.linspace(0.05, 0.95, 21), np.geomspace(0.01, 10, 10)
    t_fast = median_time(lambda: risk_grid(ws[:, None], ls[None, :], spec_iso, gamma=gamma),
                         repeat, warmup=True)
    t_loop = median_time(lambda: [rt.limiting_risk(float(w), gamma=gamma, lam=float(x), dps=15)
                                  for w in ws[:5] for x in ls], repeat_loop,
                         warmup=True) * (len(ws) / 5)
    rows.append(make_row("float64 grid path, 21 x 10, isotropic (ratio: mpmath loop / grid)",
                         t_fast, t_loop, speedup=True,
                         note="baseline: limiting_risk at dps = 15 in a loop, timed on 5 of "
                              "the 21 w values and scaled by 21/5"))
    return rows


def main(argv=None):
    return standalone(__doc__, measure, describe, argv, quick_help="fewer repetitions")


if __name__ == "__main__":
    main()
