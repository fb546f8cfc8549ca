r"""Claim: for ridge in the isotropic, random-effects and spiked models the
optimal weight ``w*(λ)`` stays in ``[1/2, 1]``, tends to ``1/φ`` as
``λ ↓ 0`` and is ``1`` beyond the critical penalty ``λ_c``.
"""
from typing import Any

import numpy as np

from . import _runs as R
from .records import FULL, MODELS, PHI_INV, Z95, FigureData, Panel, Sizes

__all__ = ["ridge_w_star_data"]


def ridge_w_star_data(sizes: Sizes = FULL, seed: Any = 0) -> FigureData:
    r"""``w*(λ)`` for ridge in the isotropic, random-effects and spiked
    models (``γ = 2`` and ``γ = 1/2``): the ``[1/2, 1]`` band, the limit
    ``1/φ`` as ``λ ↓ 0``, and the critical ``λ_c`` beyond which ``w* = 1``.

    Lines: the float64 grid path :func:`rmtheory.numeric.fast.optimal_w_grid`;
    points: the minimiser of each design's exact conditional risk
    (:func:`rmtheory.montecarlo.finite_n_w_star`), averaged.
    """
    seed = R.experiment_seed(seed, "ridge_w_star")    # streams of its own (see there)
    from ..api import critical_lambda, optimal_w
    from ..montecarlo import finite_n_w_star
    from ..numeric import make_spectrum
    from ..numeric.fast import optimal_w_grid
    keys = ("isotropic", "random-effects", "spiked")
    lam_grid = np.geomspace(1e-3, 20.0, max(2 * sizes.grid, 12))
    lam_mc = np.array([0.01, 0.1, 0.4, 1.0, 2.0, 5.0])
    seeds = iter(R.spawn(seed, 2 * len(keys)))
    checks, rows, panels = [], [], []
    for gamma, n in ((2.0, sizes.n), (0.5, 2 * sizes.n)):
        panel = Panel(f"({'a' if gamma > 1 else 'b'}) ridge, $\\gamma = {gamma:g}$",
                      r"ridge penalty $\lambda$", r"optimal weight $w^\star(\lambda)$",
                      xscale="log", ylim=(0.44, 1.04))
        panel.bands.append((0.5, 1.0, "the band $[1/2, 1]$", "0.88"))
        panel.hlines.append((PHI_INV, r"$1/\varphi$, the limit $\lambda \to 0$", "0.3", "--"))
        for k, key in enumerate(keys):
            model = MODELS[key]
            spec = make_spectrum(model.spectrum, **model.params)
            curve = optimal_w_grid(lam_grid, spec, gamma=gamma)
            lam_c = float(critical_lambda(model.spectrum, gamma=gamma, dps=15, **model.params))
            panel.lines.append(R.line(lam_grid, curve, model.legend, key))
            color = panel.lines[-1].color
            panel.vlines.append((lam_c, r"$\lambda_c$ (beyond: $w^\star = 1$)" if k == 0
                                 else None, color, ":"))
            panel.stars.append((lam_c, 1.0, None, color))
            theory = optimal_w_grid(lam_mc, spec, gamma=gamma)

            def fn(cr):
                return finite_n_w_star(cr, lam_mc)
            ns, means, ses = R.over_ladder(model, n=n, gamma=gamma, draws=sizes.draws,
                                           seed=next(seeds), fn=fn, ladder=sizes.ladder)
            setting = f"w*(λ), {model.label}, γ = {gamma:g}, n = {n}"
            checks += R.ladder_checks("ridge_w_star", setting, "lam", lam_mc, theory, ns,
                                      means, ses, sizes.draws)
            panel.points.append(R.points(lam_mc, means[-1], Z95 * ses[-1], key))
            if gamma == 2.0:
                exact = [optimal_w(model.spectrum, gamma=gamma, lam=lam, dps=15, **model.params)
                         for lam in (0.1, 1.0)]
                low = float(np.min(curve))
                rows.append([model.label, f"{float(exact[0]):.6f}", f"{float(exact[1]):.6f}",
                             f"{low:.4f}", f"{lam_c:.6f}"])
        panels.append(panel)
    return FigureData(
        "ridge_w_star", "Ridge: in these models the optimal weight w*(λ) stays in [1/2, 1]",
        "Optimal real-data weight of the stationary risk against the ridge penalty. Lines: "
        "limiting theory (float64 grid path); dotted lines and stars: the critical λ_c "
        "beyond which w* = 1 exactly (values in the table); points: the minimiser of each "
        f"design's exact conditional risk, averaged over {sizes.draws} designs (n = {sizes.n} "
        f"for γ = 2, {2 * sizes.n} for γ = 1/2; 95% error bars; drawn at the penalties "
        "simulated, not offset).",
        panels, checks,
        {"Ridge, γ = 2 (mpmath, 15 digits)": (
            ["model", "w*(0.1)", "w*(1)", "min over λ of w*", "λ_c (w* = 1 beyond)"], rows)},
        sizes)
