r"""Result 6 — the OLS regime γ < 1: risk c(w) σ² γ/(1 − γ), minimised at 1/φ.

Starts from the general fixed-point relations at ``λ = 0`` with ``γ < 1``
and from result 1's recursion, and proves the closed forms returned by
:func:`rmtheory.symbolic.derive_ols`. Every step is checked exactly.

Run ``python -m rmtheory.proofs.p6_ols [--output DIR]``, or read it with
``rmtheory.derivation("p6_ols")``.
"""
import os
from pathlib import Path

import sympy as sp

from rmtheory.symbolic import general
from rmtheory.symbolic.isotropic import derive_isotropic
from rmtheory.symbolic.minnorm import derive_minnorm
from rmtheory.symbolic.ols import derive_ols
from rmtheory.symbolic.proof import Proof, run_proof
from rmtheory.symbolic.symbols import delta, gamma, kappa, lam, s, sigma2, w

PHI = sp.GoldenRatio
#: γ ∈ (0, 1) written as γ = 1/(1 + ε) with ε > 0, so that signs follow from assumptions
eps = sp.Symbol("epsilon", positive=True)


def build():
    ols = derive_ols()
    mn = derive_minnorm()
    c = (w**2 + (1 - w)**2) / (w * (2 - w))
    proof = Proof(
        "Result 6: the OLS regime",
        "Let $p < n$, so $\\gamma = p/n < 1$ and, almost surely, every eigenvalue of "
        "$\\hat\\Sigma = X^\\top X/n$ is positive: the pseudo-inverse fit is ordinary least "
        "squares. The proof runs for a general population spectrum $H$ where it can, and "
        "uses the isotropic closed form of result 5 as a cross-check.",
        symbol_names={eps: r"\varepsilon"})

    proof.section("1. No bias")
    proof.equal("Every direction has $d > 0$, so result 1's mean multiplier applies to all of "
                "them: $a_t = 1$ and the estimator is unbiased for every $w$ and $t$.",
                mn.mean_multiplier_t, 1, name="a_t")

    proof.section("2. The effective regularisation vanishes at $\\lambda = 0$")
    proof.equal("For one atom $s$ of $H$, the fixed-point factor exceeds $1 - \\gamma$ by a "
                "nonnegative amount ...",
                (1 - gamma * general.fixed_point_integrand) - (1 - gamma),
                gamma * kappa / (s + kappa),
                latex=r"\Bigl(1 - \gamma\frac{s}{s+\kappa}\Bigr) - (1 - \gamma) = \frac{\gamma\kappa}{s+\kappa}")
    proof.positive("... which is positive for $\\kappa > 0$, so integrating against $H$: "
                   "$1 - \\gamma I_1 > 1 - \\gamma > 0$ and $\\kappa(1 - \\gamma I_1) > 0$. "
                   "The equation $\\kappa(1 - \\gamma I_1) = \\lambda = 0$ therefore has no positive "
                   "root: $\\kappa_0 = 0$ for every $H$.",
                   gamma * kappa / (s + kappa), name=r"\frac{\gamma\kappa}{s+\kappa}")
    proof.equal("Isotropic cross-check: with $\\gamma = 1 - \\delta$, $\\kappa(\\lambda) \\to 0$.",
                ols.kappa_0, 0, latex=r"\lim_{\lambda\to0}\kappa(\lambda)\big|_{\gamma<1} = 0")
    proof.equal("... recomputed here from the closed form.",
                sp.limit(derive_isotropic().kappa.subs(gamma, 1 - delta), lam, 0), 0,
                latex=r"\lim_{\lambda\to0}\tfrac12\bigl(\gamma + \lambda - 1 + "
                      r"\sqrt{(\gamma+\lambda-1)^2 + 4\lambda}\bigr) = \tfrac12(\gamma - 1 + |\gamma - 1|) = 0")

    proof.section("3. The variance")
    proof.equal("At $\\kappa = 0$ the integrand of $\\mathrm{df}_2$ is $s^2/s^2 = 1$, so "
                "$\\mathrm{df}_2(0) = \\gamma$ for every $H$.", ols.df2_at_0, gamma,
                name=r"\mathrm{df}_2(0)")
    proof.equal("... recomputed: $\\gamma \\cdot s^2/(s + 0)^2$.",
                gamma * general.df2_integrand.subs(kappa, 0), gamma,
                latex=r"\gamma\,\frac{s^2}{(s+0)^2} = \gamma")
    proof.equal("Hence $\\kappa'(0) = 1/(1 - \\mathrm{df}_2) = 1/(1 - \\gamma)$ (general relation).",
                general.kappa_prime.subs(general.I2, 1), 1 / (1 - gamma), name=r"\kappa'(0)")
    proof.equal("Isotropic cross-check of $\\kappa'(0)$ (derived).", ols.kappa_prime_0,
                1 / (1 - gamma), name=r"\kappa'(0)")
    proof.equal("The one-shot OLS variance $V_0 = \\sigma^2(\\kappa'(0) - 1)$.", ols.variance,
                sigma2 * gamma / (1 - gamma), name="V_0")
    proof.equal("... the same as the ridge variance formula $\\sigma^2\\,\\mathrm{df}_2/(1 - \\mathrm{df}_2)$ "
                "at $\\mathrm{df}_2 = \\gamma$.", general.ridge_variance.subs(general.I2, 1),
                sigma2 * gamma / (1 - gamma),
                latex=r"\sigma^2\frac{\mathrm{df}_2}{1 - \mathrm{df}_2}\Big|_{\mathrm{df}_2 = \gamma}"
                      r" = \sigma^2\frac{\gamma}{1 - \gamma}")

    proof.section("4. The risk and its minimiser")
    proof.text("Result 1 applies verbatim (it needs only $d_i > 0$): the variance after $t$ refits is "
               "$c_t(w)V_0$ and in the limit $c(w)V_0$; the bias is zero.")
    risk = c * sigma2 * gamma / (1 - gamma)
    proof.equal("The derived risk.", ols.risk, risk, name=r"R_\infty(w)")
    derivative = sp.diff(risk, w)
    proof.equal("Its derivative is $c'(w)$ times $\\sigma^2\\gamma/(1-\\gamma)$ ...", derivative,
                2 * (w**2 + w - 1) / (w**2 * (2 - w)**2) * sigma2 * gamma / (1 - gamma),
                name=r"\partial_w R_\infty")
    proof.positive("... and the factor is positive for $\\gamma = 1/(1 + \\varepsilon) \\in (0, 1)$, "
                   "so the minimiser is that of $c$ (result 1).",
                   sp.simplify((sigma2 * gamma / (1 - gamma)).subs(gamma, 1 / (1 + eps))),
                   name=r"\frac{\sigma^2\gamma}{1-\gamma}")
    proof.equal("The derived minimiser.", ols.w_star, 1 / PHI, name=r"w^\star")
    proof.equal("At $w = 1$ it is the classical OLS risk.", risk.subs(w, 1),
                sigma2 * gamma / (1 - gamma), name=r"R_\infty(1)")
    proof.equal("At the optimum the risk is $1/\\varphi \\approx 0.618$ of it.",
                risk.subs(w, 1 / PHI) / risk.subs(w, 1), 1 / PHI,
                latex=r"\frac{R_\infty(1/\varphi)}{R_\infty(1)} = c(1/\varphi) = \frac{1}{\varphi}")
    proof.text("So for $\\gamma < 1$ retraining on a $1/\\varphi$ : $1/\\varphi^2$ mixture of real and "
               "synthetic labels reduces the OLS risk by the factor $1/\\varphi$, for every "
               "population spectrum. $\\blacksquare$")
    return proof


if __name__ == "__main__":
    # a proof run as a script derives afresh from the model, never from the
    # on-disk derivation cache (read when a derivation is first asked for)
    os.environ.setdefault("RMTHEORY_CACHE", "off")
    run_proof(build, "p6_ols.md", default_dir=Path.cwd() / "proofs-output")
