"""Speed of certified digits (issue 14), as ratios against the uncertified path.

Run ``python benchmarks/bench_certified.py`` (``--quick`` for fewer
repetitions); ``benchmarks/run_all.py`` adds these rows to its table.
Every row times ``certify=True`` against the same call without it (the
mpmath path that evaluates twice, at dps + 10 and dps + 25, and compares),
in this run, at dps = 30; both warmed up once (lambdified expressions,
quadrature rules), then timed in alternation by their CPU time
(``time.process_time``: the machine is shared, and alternating calls see
the same load). Targets of the issue: certified ``optimal_w`` on
discrete(10) no slower than the uncertified one; certified
``limiting_risk`` within 2x of the uncertified one for every model.
The largest relative radius of the enclosures met is printed in a note.
"""

import statistics
import time

import numpy as np
from mpmath import mp
from timing import standalone, make_row

import rmtheory as rt

DISCRETE10 = dict(eigs=tuple(float(x) for x in np.linspace(0.2, 4.0, 10)), weights=(0.1,) * 10)
ATOMS1000 = dict(eigs=tuple(float(x) for x in np.linspace(0.2, 4.0, 1000)),
                 weights=(0.001,) * 1000)
MODELS = [("isotropic", {}), ("discrete(10)", DISCRETE10), ("spiked", {}),
          ("equicorrelated", {}), ("random_effects", {}), ("ar1", {}), ("uniform", {})]
DPS, W, LAM, GAMMA = 30, 0.7, 0.5, 2.0


def _name(label):
    return "discrete" if label.startswith("discrete") else label


def _radius(enclosures):
    worst = 0.0
    for lo, hi in enclosures.values():
        with mp.workdps(60):
            mid = (lo + hi) / 2
            worst = max(worst, float((hi - lo) / 2 / abs(mid)) if mid else 0.0)
    return worst


def alternating_cpu_times(first, second, repeat):
    """Median CPU times (``time.process_time``) of ``first`` and ``second``,
    each warmed up once, then called in alternation ``repeat`` times."""
    first(), second()
    a, b = [], []
    for _ in range(repeat):
        start = time.process_time()
        first()
        a.append(time.process_time() - start)
        start = time.process_time()
        second()
        b.append(time.process_time() - start)
    return statistics.median(a), statistics.median(b)


def describe(quick=False):
    return (f"Certified (python-flint balls) against uncertified at dps = {DPS}, CPU time "
            f"of alternating calls: "
            f"limiting_risk at w = {W}, lam = {LAM}, gamma = {GAMMA}; optimal_w on "
            f"discrete(10) at lam = {LAM} and 0; kappa on 10 and 1000 atoms"
            + (" (quick)" if quick else "") + ".")


def measure(quick=False):
    repeat = 3 if quick else 7
    rows, radii = [], []

    def pair(label, call, target="", note=""):
        certified, plain = alternating_cpu_times(lambda: call(True), lambda: call(False),
                                                 repeat)
        result = call(True)
        encl = getattr(result, "enclosures", None) or {}
        if hasattr(result, "risk") and result.risk.enclosures:
            encl = {**encl, **result.risk.enclosures}
        radii.append(_radius({k: v for k, v in encl.items() if v is not None}))
        rows.append(make_row(label, certified, plain, target=target, note=note))

    pair("optimal_w discrete(10), lam = 0.5, certified (ratio: / uncertified)",
         lambda c: rt.optimal_w("discrete", gamma=GAMMA, lam=LAM, dps=DPS, certify=c,
                                **DISCRETE10), target="<= 1x",
         note="interior optimum: Newton steps with an enclosed derivative, convex "
              "neighbourhood, curvature and slope signs on a cover of [w_min, 1], tail bound")
    pair("optimal_w discrete(10), lam = 0, certified (ratio: / uncertified)",
         lambda c: rt.optimal_w("discrete", gamma=GAMMA, lam=0.0, dps=DPS, certify=c,
                                **DISCRETE10))
    for label, params in MODELS:
        pair(f"limiting_risk {label}, certified (ratio: / uncertified)",
             lambda c, n=_name(label), p=params: rt.limiting_risk(
                 W, n, gamma=GAMMA, lam=LAM, dps=DPS, certify=c, **p), target="<= 2x")
    pair("kappa discrete(10), certified (ratio: / uncertified)",
         lambda c: rt.kappa(LAM, "discrete", gamma=GAMMA, dps=DPS, certify=c, **DISCRETE10))
    pair("kappa 1000 atoms, certified (ratio: / uncertified)",
         lambda c: rt.kappa(LAM, "discrete", gamma=GAMMA, dps=DPS, certify=c, **ATOMS1000))
    last = rows[-1]
    rows[-1] = last._replace(note=(last.note + "; " if last.note else "") +
                             f"largest relative radius of any enclosure above: "
                             f"{max(radii):.1e} (dps = {DPS}: at most 1e-{DPS - 2} required)")
    return rows


def main(argv=None):
    return standalone(__doc__, measure, describe, argv)


if __name__ == "__main__":
    main()
