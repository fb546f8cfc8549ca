r"""Claim: the optimal weight of min-norm interpolation (``γ > 1``) and of
OLS (``γ < 1``) is ``1/φ`` for every covariance.

.. math:: R_\infty(w) = B_0 + c(w)\,V_0, \qquad
          c(w) = \frac{w^2 + (1-w)^2}{w(2-w)}, \qquad w^\star = 1/\varphi.
"""
from typing import Any

import numpy as np

from . import _runs as R
from .records import FULL, MODELS, PHI_INV, FigureData, Panel, Sizes

__all__ = ["golden_ratio_data"]


def golden_ratio_data(sizes: Sizes = FULL, seed: Any = 0) -> FigureData:
    r"""Stationary risk against ``w`` for min-norm interpolation (``γ = 2``)
    under four covariance models, and OLS (``γ = 1/2``) beside it.

    Lines: :func:`rmtheory.limiting_risk`; points: the verdicts of
    :func:`rmtheory.compare.verify` (exact conditional risk over
    independent designs).

    Examples
    --------
    >>> from rmtheory.experiments import QUICK
    >>> data = golden_ratio_data(QUICK, seed=0)
    >>> [p.title for p in data.panels]
    ['(a) min-norm interpolation, $\\gamma = 2$', '(b) OLS, $\\gamma = 1/2$: bias 0, every $H$ alike']
    """
    seed = R.experiment_seed(seed, "golden_ratio")    # streams of its own (see there)
    from ..api import limiting_risk
    keys = ("isotropic", "two-point", "ar1", "spiked")
    ws = np.unique(np.r_[np.linspace(0.15, 1.0, sizes.grid), PHI_INV])
    w_mc = (0.25, 0.45, PHI_INV, 0.8, 1.0)
    seeds = iter(R.spawn(seed, 2 * len(keys)))
    checks, rows = [], []
    panels = []
    for gamma, n in ((2.0, sizes.n), (0.5, 2 * sizes.n)):
        title = ("(a) min-norm interpolation, $\\gamma = 2$" if gamma > 1
                 else "(b) OLS, $\\gamma = 1/2$: bias 0, every $H$ alike")
        panel = Panel(title, "real-data weight $w$", r"stationary risk $R_\infty(w)$",
                      xlim=(0.1, 1.03))
        for k, key in enumerate(keys):
            model = MODELS[key]
            if gamma > 1 or k == 0:
                curve = R.risk_curve(ws, model, gamma=gamma)
                if gamma > 1:
                    panel.lines.append(R.line(ws, curve, model.legend, key))
                else:   # one curve for every H, in black (no model's colour)
                    panel.lines.append(R.line(ws, curve, r"OLS theory, every $H$", "ols"))
            report = R.verify_model(model, n=n, gamma=gamma, w=w_mc, lam=0.0,
                                    draws=sizes.draws, seed=next(seeds), ladder=sizes.ladder)
            setting = f"{model.label}, γ = {gamma:g}, n = {n}"
            got = R.checks_from_report(report, "golden_ratio", setting)
            checks += got
            panel.points.append(R.points_from_checks(got, key, model.legend))
            if gamma > 1:
                one = limiting_risk(1.0, model.spectrum, gamma=gamma, dps=15, **model.params)
                best = limiting_risk(PHI_INV, model.spectrum, gamma=gamma, dps=15,
                                     **model.params)
                rows.append([model.label, f"{float(one.bias):.6f}", f"{float(one.variance):.6f}",
                             f"{float(one.total):.6f}", f"{float(best.total):.6f}",
                             f"{1 - float(best.total) / float(one.total):.1%}"])
                panel.stars.append((PHI_INV, float(best.total), None, panel.lines[-1].color))
        panel.vlines.append((PHI_INV, r"$w^\star = 1/\varphi \approx 0.618$", "0.3", "--"))
        panels.append(panel)
    return FigureData(
        "golden_ratio", "The golden ratio: w* = 1/φ for min-norm interpolation and OLS",
        "Stationary risk R∞(w) = B₀ + c(w)V₀ against the real-data weight. Lines: limiting "
        "theory (mpmath); points: exact conditional risk averaged over independent designs "
        f"(n = {sizes.n} for γ = 2, {2 * sizes.n} for γ = 1/2; {sizes.draws} designs; 95% "
        "error bars; points are drawn at the weights simulated, not offset). Stars: the "
        "minimum at w = 1/φ, the same for every covariance. For OLS the bias is 0 and the "
        "variance does not depend on H, so the four models' points coincide (drawn over "
        "one another). One colour and marker per covariance model in every figure.",
        panels, checks,
        {"Min-norm interpolation, γ = 2, σ² = r² = 1": (
            ["model", "B₀", "V₀", "R∞(1)", "R∞(1/φ)", "gain of w = 1/φ"], rows)},
        sizes)
