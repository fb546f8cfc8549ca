r"""Claim: the float64 backend maps ``w*(γ, λ)`` over a whole grid at once,
with the critical penalty ``λ_c(γ)`` beyond which ``w* = 1``; the maps
agree with mpmath and with finite-n minimisers."""
from typing import Any

import numpy as np

from . import _runs as R
from .records import FULL, MODELS, MapData, SweepData, Sizes

__all__ = ["sweeps_data", "SWEEP_CHECK_GAMMAS", "SWEEP_CHECK_LAMS", "SWEEP_MODELS"]

#: where the sweep figure is checked by simulation (finite-n minimisers)
SWEEP_CHECK_GAMMAS = (0.5, 3.0)
SWEEP_CHECK_LAMS = (0.05, 0.5)
#: the spectra of the sweep figure: (MODELS key, label)
SWEEP_MODELS = (("isotropic", "isotropic"), ("spiked", "spiked"),
                ("ar1", r"AR(1), $\rho = 0.5$"))


def sweeps_data(sizes: Sizes = FULL, seed: Any = 0) -> SweepData:
    r"""``w*(γ, λ)`` over a grid of aspect ratios and penalties, and the
    critical penalty ``λ_c(γ)`` beyond which ``w* = 1``, for three spectra:
    every map one call of ``rt.optimal_w(..., backend="float64")`` on the
    whole grid and one of ``rt.critical_lambda(..., backend="float64")``;
    the table checks ``λ_c`` against the mpmath backend (15 digits), and
    finite-n minimisers check ``w*`` at four points of each map."""
    seed = R.experiment_seed(seed, "sweeps")    # streams of its own (see there)
    from ..api import critical_lambda, optimal_w
    from ..montecarlo import finite_n_w_star
    points = 100 if sizes.grid >= 36 else 30
    gammas = np.linspace(0.25, 5.0, points)
    gammas = gammas[np.abs(gammas - 1) > 1e-9]
    lams = np.geomspace(1e-3, 30.0, points)
    maps, rows, checks = [], [], []
    seeds = iter(R.spawn(seed, len(SWEEP_MODELS) * len(SWEEP_CHECK_GAMMAS)))
    for number, (key, label) in enumerate(SWEEP_MODELS):
        model = MODELS[key]
        found = optimal_w(model.spectrum, gamma=gammas[:, None], lam=lams[None, :],
                          backend="float64", **model.params)
        lam_c = critical_lambda(model.spectrum, gamma=gammas, backend="float64",
                                **model.params)
        # finite-n: the minimiser of each design's exact conditional risk
        marks = []
        for gamma in SWEEP_CHECK_GAMMAS:
            n = sizes.n if gamma > 1 else 2 * sizes.n
            theory = optimal_w(model.spectrum, gamma=gamma, lam=SWEEP_CHECK_LAMS,
                               backend="float64", **model.params).w
            # the verdict of every other figure: the extrapolated limit over the ladder
            ns, means, ses = R.over_ladder(model, n=n, gamma=gamma, draws=sizes.draws,
                                           seed=next(seeds), ladder=sizes.ladder,
                                           fn=lambda cr: finite_n_w_star(cr, SWEEP_CHECK_LAMS))
            setting = f"w*(γ, λ), {model.label}, γ = {gamma:g}, n = {n}"
            checks += R.ladder_checks("sweeps", setting, "lam", SWEEP_CHECK_LAMS, theory, ns,
                                      means, ses, sizes.draws)
            marks += [(gamma, x) for x in SWEEP_CHECK_LAMS]
        maps.append(MapData(f"({'abc'[number]}) {label}", gammas, lams, found.w,
                            r"aspect ratio $\gamma = p/n$", r"ridge penalty $\lambda$",
                            curve=np.asarray(lam_c, float),
                            curve_label=r"$\lambda_c(\gamma)$", marks=marks))
        plain = label.replace(r"$\rho = 0.5$", "ρ = 0.5")
        for g in (0.5, 2.0, 4.0):
            fast = float(critical_lambda(model.spectrum, gamma=g, backend="float64",
                                         **model.params))
            exact = float(critical_lambda(model.spectrum, gamma=g, dps=15, **model.params))
            rows.append([plain, f"{g:g}", f"{fast:.12g}", f"{exact:.12g}",
                         f"{abs(fast - exact) / exact:.1e}"])
    return SweepData(
        "sweeps", "Optimal weight w*(γ, λ) and the critical penalty λ_c(γ)",
        "Colour: the optimal real-data weight w* of the stationary risk over the aspect "
        "ratio γ = p/n and the ridge penalty λ (σ² = r² = 1), computed on the whole grid at "
        "once by the float64 backend (agreement with mpmath 1e-10). White line: λ_c(γ); "
        "above it w* = 1 exactly (real data alone is best). As λ → 0, w* → 1/φ ≈ 0.618 for "
        "every spectrum. Circles: the (γ, λ) where the minimiser of the exact conditional risk "
        f"of {sizes.draws} finite-n designs (n = {sizes.n} for γ = 3, {2 * sizes.n} for "
        "γ = 1/2) is checked against the map (summary table).",
        [], checks, {"λ_c(γ): float64 backend against mpmath (15 digits)": (
            ["spectrum", "γ", "λ_c float64", "λ_c mpmath", "relative difference"], rows)},
        sizes, maps=maps)
