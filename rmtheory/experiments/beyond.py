r"""Exploration outside the theory's assumptions: an equicorrelated
covariance (one eigenvalue ``1 + ρ(p − 1)`` diverges), Rademacher entries,
and an estimator the theory does not cover (min-ℓ1 interpolation), all
against the Gaussian min-ℓ2 theory. The gaps are findings, not failures
(``in_scope=False``).
"""
import math

from typing import Any

import numpy as np

from . import _runs as R
from .records import FULL, MODELS, PHI_INV, Z95, Check, FigureData, Model, Panel, Sizes

__all__ = ["beyond_data", "lowest_weight"]


def lowest_weight(ws, mean, se, z=3.0):
    r"""The weight of the lowest mean, if the data resolve it.

    The lowest of independent means ``m_i ± s_i`` is resolved when it is
    below every other by ``z`` standard errors of the difference,
    ``m_j − m_{\min} > z\sqrt{s_j^2 + s_{\min}^2}``; the caption states a
    lowest weight only then.

    Returns
    -------
    (float or None, float)
        The weight (``None``: not resolved) and the smallest difference in
        standard errors.

    Examples
    --------
    >>> lowest_weight([0.5, 1.0], [1.0, 2.0], [0.1, 0.1])
    (0.5, 7.0710678118654755)
    >>> lowest_weight([0.5, 1.0], [1.0, 1.1], [0.1, 0.1])[0] is None
    True
    """
    mean, se = np.asarray(mean, float), np.asarray(se, float)
    best = int(np.argmin(mean))
    others = [j for j in range(mean.size) if j != best]
    if not others:
        return float(ws[best]), math.inf
    gaps = [(mean[j] - mean[best]) / math.hypot(se[j], se[best]) if se[j] + se[best] > 0
            else math.inf for j in others]
    gap = float(min(gaps))
    return (float(ws[best]) if gap > z else None), gap


def beyond_data(sizes: Sizes = FULL, seed: Any = 0) -> FigureData:
    r"""Outside the theory's assumptions: equicorrelated covariance,
    Rademacher entries, min-ℓ1 interpolation
    (:func:`rmtheory.montecarlo.min_l1_interpolation`) on a sparse truth,
    each against the Gaussian min-ℓ2 theory."""
    seed = R.experiment_seed(seed, "beyond")    # streams of its own (see there)
    from ..montecarlo import ConditionalRisk, min_l1_interpolation, simulate_retraining
    gamma, n = 2.0, sizes.n
    ws = np.unique(np.r_[np.linspace(0.15, 1.0, sizes.grid), PHI_INV])
    w_mc = (0.25, 0.45, PHI_INV, 0.8, 1.0)
    seeds = iter(R.spawn(seed, 8))
    checks = []

    equi = Panel(r"(a) equicorrelated $\Sigma = (1 - \rho)I + \rho\mathbf{1}\mathbf{1}^\top$",
                 "real-data weight $w$", r"stationary risk $R_\infty(w)$", xlim=(0.1, 1.03))
    for rho, key in ((0.5, "equicorrelated"), (0.8, "equicorrelated-0.8")):
        model = Model(f"equi{rho}", f"ρ = {rho:g}", "equicorrelated", dict(rho=rho))
        equi.lines.append(R.line(ws, R.risk_curve(ws, model, gamma=gamma),
                                 f"equicorrelated $\\rho = {rho:g}$ (theory: "
                                 f"$H = \\delta_{{1-\\rho}}$)", key))
        report = R.verify_model(model, n=n, gamma=gamma, w=w_mc, lam=0.0, draws=sizes.draws,
                                seed=next(seeds), reference="limit")
        got = R.checks_from_report(report, "beyond", f"equicorrelated ρ = {rho:g}, n = {n}",
                                   in_scope=False)
        checks += got
        equi.points.append(R.points_from_checks(got, key))

    rad = Panel(r"(b) Rademacher ($\pm 1$) entries", "real-data weight $w$",
                r"stationary risk $R_\infty(w)$", xlim=(0.1, 1.03))
    for key in ("isotropic", "ar1"):
        model = MODELS[key]
        rad.lines.append(R.line(ws, R.risk_curve(ws, model, gamma=gamma), model.legend, key))

        def fn(cr):
            return cr.risk(np.asarray(w_mc), 0.0)
        mean, se = R.over_designs(model, n=n, gamma=gamma, draws=sizes.draws,
                                  seed=next(seeds), fn=fn, entries="rademacher")
        theory = R.risk_curve(w_mc, model, gamma=gamma)
        got = [Check("beyond", f"Rademacher entries, {model.label}, n = {n}", "w", float(w),
                     float(th), float(m), float(s), "limit", False, n)
               for w, th, m, s in zip(w_mc, theory, mean, se)]
        checks += got
        rad.points.append(R.points_from_checks(got, key))

    # min-ℓ1 against min-ℓ2 on a sparse truth, literal loop
    n1, T1 = sizes.l1_n, sizes.l1_T
    w_l1 = (0.3, 0.45, PHI_INV, 0.8, 1.0)
    l1 = Panel(f"(c) min-$\\ell_1$, sparse $\\beta$, $t = {T1}$", "real-data weight $w$",
               f"risk $R_{{{T1}}}(w)$", xlim=(0.2, 1.03))
    model = MODELS["isotropic"]
    theory_l2 = R.risk_curve(ws, model, gamma=gamma, t=T1)
    l1.lines.append(R.line(ws, theory_l2, r"min-$\ell_2$ theory (any $\beta$)", "isotropic"))
    rng = np.random.default_rng(next(seeds))
    results: dict = {"l2": [], "l1": []}
    exact_l2 = []
    p1 = int(round(gamma * n1))
    for _ in range(max(1, sizes.designs // 2)):
        pr = model.problem(n=n1, gamma=gamma, rng=rng)
        beta = np.zeros(p1)
        support = rng.choice(p1, size=max(1, p1 // 20), replace=False)
        beta[support] = rng.standard_normal(support.size)
        beta /= np.linalg.norm(beta)
        exact_l2.append(ConditionalRisk(pr.X, beta, pr.Sigma).risk(np.asarray(w_l1), 0.0, 1.0,
                                                                   T1))
        for key, kwargs in (("l2", dict(lam=0.0)), ("l1", dict(estimator=min_l1_interpolation))):
            reps = sizes.reps if key == "l2" else sizes.l1_reps
            results[key].append(np.array([
                simulate_retraining(pr.X, beta, Sigma=pr.Sigma, w=w, T=T1, reps=reps, rng=rng,
                                    **kwargs)[:, T1] for w in w_l1]).T)
    theory_pts = R.risk_curve(w_l1, model, gamma=gamma, t=T1)
    summary = {}
    for key, label, style in (("l2", r"min-$\ell_2$, simulated", "isotropic"),
                              ("l1", r"min-$\ell_1$, simulated", "min-l1")):
        realised = np.vstack(results[key])
        mean = realised.mean(axis=0)
        se = realised.std(axis=0, ddof=1) / math.sqrt(realised.shape[0]) \
            if realised.shape[0] > 1 else np.zeros_like(mean)
        summary[key] = (mean, se)
        if key == "l2":
            # a few designs, many noise repetitions: the reference is the exact
            # conditional risk of the very designs simulated
            reference = np.mean(exact_l2, axis=0)
            checks += [Check("beyond", f"min-ℓ2 literal loop, sparse β, t = {T1}, n = {n1}",
                             "w", float(w), float(ref), float(m), float(s), "exact finite-n",
                             n=n1, draws=realised.shape[0], theory=float(th))
                       for w, ref, th, m, s in zip(w_l1, reference, theory_pts, mean, se)]
        l1.points.append(R.points(w_l1, mean, Z95 * se, style, label, filled=key == "l2"))
    l1.vlines.append((PHI_INV, r"$1/\varphi$", "0.3", "--"))
    best, gap = lowest_weight(w_l1, *summary["l1"])
    l1_claim = (f"the simulated min-ℓ1 risk is lowest at w = {best:.3g} among the weights "
                f"tried, below every other by at least {gap:.1f} standard errors of the "
                "difference" if best is not None else
                "among the weights tried the lowest simulated min-ℓ1 risk is not resolved "
                f"(it is within {gap:.1f} standard errors of the difference of another; "
                "means ± standard errors in the table)")
    rows = [[c.setting, f"{c.x:.3f}", f"{c.reference_value:.4f}", f"{c.mean:.4f}",
             f"{c.se:.4f}", "nan" if c.deterministic else f"{c.z:+.1f}"]
            for c in checks if not c.in_scope and c.x in (PHI_INV, 1.0)]
    l1_rows = [[f"{w:.4g}", f"{th:.4f}", f"{summary['l2'][0][i]:.4f} ± {summary['l2'][1][i]:.4f}",
                f"{summary['l1'][0][i]:.4f} ± {summary['l1'][1][i]:.4f}"]
               for i, (w, th) in enumerate(zip(w_l1, theory_pts))]
    return FigureData(
        "beyond", "Beyond the assumptions",
        "Left: equicorrelated covariance, whose top eigenvalue 1 + ρ(p − 1) diverges; the "
        "theory keeps only the bulk δ_(1−ρ). Middle: ±1 entries instead of Gaussian ones "
        "(lines: the Gaussian theory). "
        f"Points: exact conditional risk over {sizes.draws} designs (n = {n}). Right: "
        f"min-ℓ1 interpolation (basis pursuit, no theory; open squares) against min-ℓ2 on a "
        f"sparse truth (5% non-zero), literal loop at t = {T1}, n = {n1}; {l1_claim}. "
        "95% error bars; no point is offset.",
        [equi, rad, l1], checks,
        {"Outside the assumptions (finite n against the limit theory)": (
            ["setting", "w", "theory", "MC mean", "std err", "z"], rows),
         f"Min-ℓ1 against min-ℓ2 interpolation, sparse β, risk at t = {T1} (mean ± std err)": (
            ["w", "min-ℓ2 theory", "min-ℓ2 simulated", "min-ℓ1 simulated"], l1_rows)},
        sizes)
