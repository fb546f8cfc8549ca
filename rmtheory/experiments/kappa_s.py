r"""Claim: with synthetic label noise ``κ_s σ²`` the min-norm optimal
weight is the closed form below (``1/φ`` at ``κ_s = 1``), and ridge
follows its limiting theory.

.. math:: w^\star(\kappa_s) = \frac{\sqrt{\kappa_s^2 + 4\kappa_s} - \kappa_s}{2}
          \quad (\lambda = 0), \qquad w^\star(1) = 1/\varphi.
"""
from typing import Any

import numpy as np

from . import _runs as R
from .records import FULL, MODELS, PHI_INV, Z95, Check, FigureData, Panel, Sizes

__all__ = ["kappa_s_data"]


def kappa_s_data(sizes: Sizes = FULL, seed: Any = 0) -> FigureData:
    r"""The optimal weight against the synthetic-noise ratio ``κ_s``
    (synthetic noise variance ``κ_s σ²``), min-norm and ridge, and the
    min-norm risk against ``w`` for three ``κ_s``.

    Theory: the derived closed form (``formula("w_star_kappa_s")``) at
    ``λ = 0``, the float64 grid path for ridge, :func:`rmtheory.limiting_risk`
    for the risk.
    """
    seed = R.experiment_seed(seed, "kappa_s")    # streams of its own (see there)
    from ..montecarlo import finite_n_w_star
    from ..numeric import make_spectrum
    from ..numeric.fast import optimal_w_grid
    from ..symbolic import formula
    model = MODELS["isotropic"]
    gamma, n = 2.0, sizes.n
    spec = make_spectrum("isotropic")
    ks = np.geomspace(0.1, 10.0, max(sizes.grid, 8))
    closed = formula("w_star_kappa_s").lambdify("numpy")
    lams = (0.0, 0.5, 2.0)
    ks_mc = np.array([0.25, 1.0, 4.0])
    left = Panel(r"(a) $w^\star$ against $\kappa_s$, isotropic, $\gamma = 2$",
                 r"synthetic-noise ratio $\kappa_s = \tilde\sigma^2/\sigma^2$",
                 r"optimal weight $w^\star$", xscale="log", ylim=(0, 1.04))
    checks, rows = [], []
    seeds = iter(R.spawn(seed, len(lams) + 3))
    for lam in lams:
        key = f"lam={lam:g}"
        if lam == 0:
            curve = closed(ks)
            label = r"$\lambda = 0$: $(\sqrt{\kappa_s^2 + 4\kappa_s} - \kappa_s)/2$"
            theory_mc = closed(ks_mc)
        else:
            curve = np.array([optimal_w_grid(np.array([lam]), spec, gamma=gamma,
                                             kappa_s=float(k_))[0] for k_ in ks])
            label = f"ridge $\\lambda = {lam:g}$"
            theory_mc = np.array([optimal_w_grid(np.array([lam]), spec, gamma=gamma,
                                                 kappa_s=float(k_))[0] for k_ in ks_mc])
        left.lines.append(R.line(ks, curve, label, key))

        def fn(cr, lam=lam):
            return np.array([finite_n_w_star(cr, [lam], kappa_s=float(k_))[0] for k_ in ks_mc])
        setting = f"w*(κ_s), λ = {lam:g}, n = {n}"
        if lam == 0:
            # min-norm: R = B₀ + c(w; κ_s)V₀ on every design, so its minimiser is the
            # closed form exactly at every n
            mean, se = R.over_designs(model, n=n, gamma=gamma, draws=sizes.draws,
                                      seed=next(seeds), fn=fn)
            checks += [Check("kappa_s", setting, "kappa_s", float(x), float(th), float(m),
                             float(s), "exact finite-n", n=n, draws=sizes.draws,
                             theory=float(th))
                       for x, th, m, s in zip(ks_mc, theory_mc, mean, se)]
        else:
            ns, means, ses = R.over_ladder(model, n=n, gamma=gamma, draws=sizes.draws,
                                           seed=next(seeds), fn=fn, ladder=sizes.ladder)
            mean, se = means[-1], ses[-1]
            checks += R.ladder_checks("kappa_s", setting, "kappa_s", ks_mc, theory_mc, ns,
                                      means, ses, sizes.draws)
        left.points.append(R.points(ks_mc, mean, Z95 * se, key))
        rows.append([f"{lam:g}"] + [f"{float(v):.6f}" for v in theory_mc])
    left.stars.append((1.0, PHI_INV, r"$\kappa_s = 1$: $w^\star = 1/\varphi$", "k"))
    left.hlines.append((PHI_INV, None, "0.6", "--"))
    left.vlines.append((1.0, None, "0.6", "--"))

    right = Panel(r"(b) min-norm risk against $w$", "real-data weight $w$",
                  r"stationary risk $R_\infty(w)$", xlim=(0.1, 1.03), yscale="log")
    ws = np.unique(np.r_[np.linspace(0.15, 1.0, sizes.grid), PHI_INV])
    w_mc = (0.3, 0.5, 0.7, 0.9)
    for kappa in (0.25, 1.0, 4.0):
        key = f"kappa_s={kappa:g}"
        curve = R.risk_curve(ws, model, gamma=gamma, kappa_s=kappa)
        w_best = float(closed(kappa))
        right.lines.append(R.line(ws, curve, f"$\\kappa_s = {kappa:g}$ "
                                  f"($w^\\star = {w_best:.3f}$)", key))
        right.stars.append((w_best, float(R.risk_curve([w_best], model, gamma=gamma,
                                                       kappa_s=kappa)[0]), None,
                            right.lines[-1].color))
        report = R.verify_model(model, n=n, gamma=gamma, w=w_mc, lam=0.0, draws=sizes.draws,
                                seed=next(seeds), kappa_s=kappa, ladder=sizes.ladder)
        got = R.checks_from_report(report, "kappa_s", f"R∞(w), κ_s = {kappa:g}, n = {n}")
        checks += got
        right.points.append(R.points_from_checks(got, key))
    return FigureData(
        "kappa_s", "Noisier or cleaner synthetic labels: the optimal weight against κ_s",
        "Left: optimal real-data weight against the synthetic-noise ratio κ_s; lines: theory "
        "(closed form at λ = 0, float64 grid path for ridge); points: minimiser of each "
        f"design's exact conditional risk averaged over {sizes.draws} designs (n = {n}; at "
        "λ = 0 it equals the closed form on every design). Right: the stationary min-norm "
        "risk for three κ_s, with Monte Carlo points and the minimum w* (stars). 95% "
        "error bars; no point is offset.",
        [left, right], checks,
        {"w*(κ_s), isotropic, γ = 2": (["λ"] + [f"κ_s = {k:g}" for k in ks_mc], rows)},
        sizes)
