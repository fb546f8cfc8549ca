r"""Claim: pure synthetic retraining (``w = 0``) collapses linearly in the
number of refits; any ``w > 0`` keeps the risk bounded, decreasing in ``t``
exactly when ``w > 1/3``; the dynamic schedule beats the fixed ``1/φ``;
ridge at finite ``t`` follows the limiting theory.

.. math:: R_t = B_0 + c_t(w)\,V_0, \qquad c_t(0) = 1 + t, \qquad
          c_t(1/3) = 1, \qquad v_t^{\mathrm{dyn}} = w_t \to 1/\varphi.
"""
from dataclasses import replace

from typing import Any

import numpy as np

from . import _runs as R
from .records import FULL, MODELS, PHI_INV, Z95, Check, FigureData, Panel, Sizes
from ..plot import weight_key

__all__ = ["risk_vs_t_data", "SERIES"]

#: (setting label, figure label, scheme, w, style key): theory from
#: limiting_risk(scheme=...), the Monte Carlo along the literal loop's weights
SERIES = (("w = 0 (pure synthetic)", r"$w = 0$ (pure synthetic)", "replace", None, "w=0"),
          ("w = 0.2", "$w = 0.2$", "mix", 0.2, weight_key(0.2)),
          ("w = 1/3", "$w = 1/3$", "mix", 1 / 3, weight_key(1 / 3)),
          ("w = 1/φ", r"$w = 1/\varphi$", "mix", PHI_INV, weight_key(PHI_INV)),
          ("w = 0.9", "$w = 0.9$", "mix", 0.9, weight_key(0.9)),
          ("dynamic w_t = (1 + w_{t−1})/(2 + w_{t−1})",
           r"dynamic $w_t = (1 + w_{t-1})/(2 + w_{t-1})$", "dynamic", None, "dynamic"))


def risk_vs_t_data(sizes: Sizes = FULL, seed: Any = 0) -> FigureData:
    r"""Risk after ``t`` refits: collapse at ``w = 0``, bounded risk for
    ``w > 0``, the ``w = 1/3`` threshold of monotonicity, dynamic mixing
    against the fixed ``1/φ``; and ridge at finite ``t``.

    Lines: :func:`rmtheory.limiting_risk` with ``t=t``; points: the exact
    conditional risk along the same weight schedule over independent
    designs, checked against result 9 (min-norm) or the extrapolated limit
    (ridge).
    """
    seed = R.experiment_seed(seed, "risk_vs_t")    # streams of its own (see there)
    from ..api import limiting_risk
    from ..montecarlo import weight_schedule
    model = MODELS["isotropic"]
    gamma, T, n = 2.0, sizes.T, sizes.n
    ts = np.arange(T + 1)
    base = limiting_risk(1.0, gamma=gamma, dps=15)    # w = 1: R_t = B₀ + V₀ for every t
    B0, V0 = float(base.bias), float(base.variance)
    curves = [R.scheme_curve(ts, scheme, w, gamma=gamma) for _, _, scheme, w, _ in SERIES]

    def fn(cr):
        return np.stack([cr.risk_path(weight_schedule(scheme, T, w)[1:], 0.0)
                         for _, _, scheme, w, _ in SERIES])
    seeds = R.spawn(seed, 2)
    mean, se = R.over_designs(model, n=n, gamma=gamma, draws=sizes.draws, seed=seeds[0], fn=fn)
    step = max(1, T // 8)
    shown = ts[::step]
    collapse = Panel("(a) collapse at $w = 0$", "refit $t$", "risk $R_t$")
    zoom = Panel(r"(b) $w > 0$: bounded; falls iff $w > 1/3$", "refit $t$", "risk $R_t$")
    checks = []
    p = int(round(gamma * n))
    for k, ((setting, label, _, _, key), curve) in enumerate(zip(SERIES, curves)):
        # min-norm: R_t = B₀ + c_t V₀ with the schedule's c_t (= (R_t − B₀)/V₀ of the
        # limit), so the exact finite-n mean is E[B₀] + c_t E[V₀] (result 9)
        exact = [R.exact_minnorm(n, p, (curve[t] - B0) / V0) for t in ts]
        got = [Check("risk_vs_t", f"{setting}, min-norm, γ = 2, n = {n}", "t", float(t),
                     float(exact[t]), float(mean[k, t]), float(se[k, t]), "exact finite-n",
                     n=n, draws=sizes.draws, theory=float(curve[t]),
                     stream="min-norm designs") for t in ts]
        checks += got
        pts = R.points(shown, mean[k, shown], Z95 * se[k, shown], key)
        if k in (0, 1, 3):
            collapse.lines.append(R.line(ts, curve, label, key))
            collapse.points.append(pts)
        if k > 0:
            zoom.lines.append(R.line(ts, curve, label, key))
            zoom.points.append(replace(pts))
    zoom.hlines.append((B0 + V0 * PHI_INV, r"stationary optimum $B_0 + V_0/\varphi$", "0.4",
                        "--"))

    lam = 0.5
    ridge = Panel(f"(c) ridge $\\lambda = {lam:g}$, finite $t$", "refit $t$", "risk $R_t$")
    ridge_ts = ts if T <= 10 else np.unique(np.r_[np.arange(11), np.arange(12, T + 1, 2), T])
    ridge_ws = (0.2, PHI_INV, 0.9)

    def fn_ridge(cr):
        return np.stack([cr.risk_path(np.full(T, w), lam) for w in ridge_ws])
    r_ns, r_means, r_ses = R.over_ladder(model, n=n, gamma=gamma, draws=sizes.draws,
                                         seed=seeds[1], fn=fn_ridge, ladder=sizes.ladder)
    r_mean, r_se = r_means[-1], r_ses[-1]
    rows, limits = [], []
    for k, w in enumerate(ridge_ws):
        key = weight_key(w)
        curve = np.array([float(limiting_risk(w, gamma=gamma, lam=lam, t=int(t), dps=15))
                          for t in ridge_ts])
        stationary = float(limiting_risk(w, gamma=gamma, lam=lam, dps=15))
        setting = f"w = {w:.3g}" if w != PHI_INV else "w = 1/φ"
        label = f"$w = {w:.3g}$" if w != PHI_INV else r"$w = 1/\varphi$"
        limits.append(f"{setting}: {stationary:.4f}")
        ridge.lines.append(R.line(ridge_ts, curve, label, key))
        ridge.points.append(R.points(shown, r_mean[k, shown], Z95 * r_se[k, shown], key))
        checks += R.ladder_checks("risk_vs_t", f"ridge λ = {lam:g}, {setting}, γ = 2, n = {n}",
                                  "t", ridge_ts, curve, r_ns, r_means[:, k, ridge_ts],
                                  r_ses[:, k, ridge_ts], sizes.draws, stream="ridge designs")
    for (setting, _, _, _, _), curve in zip(SERIES, curves):
        rows.append([setting, f"{curve[0]:.6f}", f"{curve[min(5, T)]:.6f}", f"{curve[T]:.6f}"])
    return FigureData(
        "risk_vs_t", "Risk against the number of refits t",
        "Risk after t refits, min-norm interpolation (γ = 2, isotropic, B₀ = 1/2, V₀ = 1) "
        "and ridge (λ = 0.5; stationary risks " + ", ".join(limits) + "). Lines: limiting "
        "theory; points: exact conditional risk along the same weight schedule, averaged "
        f"over {sizes.draws} designs (n = {n}; 95% error bars). One colour per weight in "
        "every panel. By the theory, pure synthetic retraining collapses linearly; any "
        "w > 0 stays bounded, and the risk decreases in t exactly when w > 1/3. The "
        "dynamic schedule is below the fixed w = 1/φ at every t.",
        [collapse, zoom, ridge], checks,
        {"Min-norm risk R_t (γ = 2, σ² = r² = 1)": (
            ["schedule", "t = 0", f"t = {min(5, T)}", f"t = {T}"], rows)},
        sizes)
