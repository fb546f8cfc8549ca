r"""Result 9 — exact finite-n expected risk for Gaussian isotropic designs.

Starts from the χ² density, the block inverse of a matrix and the rank of a
projection, and proves the inverse-Wishart moments behind
:func:`rmtheory.symbolic.finite_n_gaussian.derive_finite_n_gaussian`:
``E[B₀] = r²(1 − n/p)`` and ``E[V₀] = σ² n/(p − n − 1)`` for ``p > n + 1``,
``E[V₀] = σ² p/(n − p − 1)`` for ``p < n − 1``, and with result 1 the exact
``E[R_t] = E[B₀] + c_t(w; κ_s) E[V₀]``. Every step is checked exactly.

Run ``python proofs/p9_finite_n_gaussian.py [--output DIR]``.
"""
import os
import sys
from pathlib import Path

# a proof derives afresh from the model, never from the on-disk derivation cache
os.environ.setdefault("RMTHEORY_CACHE", "off")

try:
    import rmtheory  # noqa: F401
except ImportError:  # a checkout without installation
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sympy as sp

from rmtheory.symbolic.finite_n_gaussian import (chi2_density, chi2_variable, derive_finite_n_gaussian,
                                                 dof, p)
from rmtheory.symbolic.isotropic import derive_isotropic
from rmtheory.symbolic.minnorm import derive_minnorm
from rmtheory.symbolic.proof import Proof, run_proof
from rmtheory.symbolic.symbols import delta, gamma, kappa_s, n, r2, sigma2, t, w

x = chi2_variable
a = sp.Symbol("a", positive=True)


def build():
    der = derive_finite_n_gaussian()
    mn = derive_minnorm()
    iso = derive_isotropic()
    proof = Proof(
        "Result 9: exact finite-n risk of Gaussian isotropic designs",
        "Let $\\Sigma = I$ and let $X \\in \\mathbb{R}^{n\\times p}$ have i.i.d. $N(0, 1)$ entries; "
        "$\\beta$ is fixed with $\\|\\beta\\|^2 = r^2$. For $\\lambda = 0$ the fit is $X^+$: "
        "min-norm interpolation when $p > n$, OLS when $p < n$. We compute the expectations "
        "over $X$ of the one-shot bias $B_0 = \\|(I - P)\\beta\\|^2$ ($P = X^+X$) and variance "
        "$V_0 = \\sigma^2\\operatorname{tr}(X^+X^{+\\top})$, then of the mixed risk after $t$ "
        "refits.",
        symbol_names={dof: "k", a: "a"})

    proof.section("1. The inverse moment of a χ² variable")
    k = 2 + a
    proof.equal("The $\\chi^2_k$ density integrates to one (written with $k = 2 + a$, $a > 0$).",
                sp.gammasimp(sp.integrate(chi2_density(k), (x, 0, sp.oo))), 1,
                latex=r"\int_0^\infty \frac{x^{k/2-1}e^{-x/2}}{2^{k/2}\Gamma(k/2)}\,dx = 1")
    proof.equal("Its inverse moment, by the same Gamma integral: finite exactly when $k > 2$.",
                sp.gammasimp(sp.integrate(chi2_density(k) / x, (x, 0, sp.oo))), 1 / a,
                latex=r"E\Bigl[\frac{1}{\chi^2_{2+a}}\Bigr] = \frac{2^{a/2}\Gamma(a/2)}"
                      r"{2^{1+a/2}\Gamma(1+a/2)} = \frac1a")
    proof.equal("The derived moment, in $k$.", der.inverse_chi2_mean, 1 / (dof - 2),
                name=r"E[1/\chi^2_k]")
    proof.equal("The normalisation the derivation found.", der.chi2_normalisation, 1,
                name=r"\int f_k")

    proof.section("2. A diagonal entry of an inverse Wishart matrix")
    proof.equal("Block inversion: $(W^{-1})_{11} = 1/(W_{11} - W_{12}W_{22}^{-1}W_{21})$, checked "
                "on a generic symmetric $3\\times 3$ matrix (the product is one).",
                der.schur_entry, 1,
                latex=r"(W^{-1})_{11}\,\bigl(W_{11} - W_{12}W_{22}^{-1}W_{21}\bigr) = 1")
    proof.text("With $W = ZZ^\\top$ and rows $z_j$ of $Z$, the Schur complement is "
               "$z_1^\\top z_1 - z_1^\\top Z_2^\\top(Z_2Z_2^\\top)^{-1}Z_2 z_1 = z_1^\\top(I - P_2)z_1$, "
               "where $P_2 = Z_2^\\top(Z_2Z_2^\\top)^{-1}Z_2$ projects on the span of the other rows.")
    z1 = sp.Matrix(3, 1, lambda i, j: sp.Symbol(f"y_{i}"))
    Z2 = sp.Matrix(2, 3, lambda i, j: sp.Symbol(f"z_{i}{j}"))
    W = sp.Matrix.vstack(z1.T, Z2) * sp.Matrix.vstack(z1.T, Z2).T
    P2 = Z2.T * (Z2 * Z2.T).inv() * Z2
    proof.equal("... checked for one row in $\\mathbb{R}^3$ against two others.",
                W[0, 0] - (W[0, 1:] * W[1:, 1:].inv() * W[1:, 0])[0, 0],
                (z1.T * (sp.eye(3) - P2) * z1)[0, 0],
                latex=r"W_{11} - W_{12}W_{22}^{-1}W_{21} = z_1^\top(I - P_2)z_1")
    proof.holds("$P_2$ is idempotent ...",
                all(sp.simplify(e) == 0 for e in (P2 * P2 - P2)), latex=r"P_2^2 - P_2 = 0")
    proof.equal("... and its trace (its rank) is the number of rows it spans: "
                "$\\operatorname{tr}Z_2^\\top(Z_2Z_2^\\top)^{-1}Z_2 = \\operatorname{tr}I_{2}$.",
                der.projection_trace, 2, latex=r"\operatorname{tr}P_2 = 2")
    proof.text("Since $z_1 \\sim N(0, I)$ is independent of $P_2$, rotating $P_2$ to a coordinate "
               "projection shows $z_1^\\top(I - P_2)z_1 \\sim \\chi^2_k$ with $k$ = dimension − rank: "
               "each diagonal entry of $W^{-1}$ is $1/\\chi^2_k$.")

    proof.section("3. Min-norm interpolation, $p > n + 1$")
    proof.equal("$W = XX^\\top$ ($n\\times n$): rows of $X$ live in $\\mathbb{R}^p$, the other "
                "$n - 1$ rows span rank $n - 1$, so $k = p - n + 1$ (and $k > 2 \\iff p > n + 1$).",
                der.minnorm_dof, p - n + 1, name="k")
    proof.equal("$V_0 = \\sigma^2\\operatorname{tr}(XX^\\top)^{-1}$ (as $X^+ = X^\\top(XX^\\top)^{-1}$); "
                "its mean is $n$ diagonal entries of mean $1/(k-2)$.",
                der.minnorm_variance, sigma2 * n * der.inverse_chi2_mean.subs(dof, p - n + 1),
                name="E[V_0]")
    proof.equal("... that is", der.minnorm_variance, sigma2 * n / (p - n - 1), name="E[V_0]")
    c = sp.Symbol("c")
    proof.equal("The law of $X$ is invariant under $X \\mapsto XO$ ($O$ orthogonal), so "
                "$E[P] = O^\\top E[P] O$ for every $O$, i.e. $E[P] = cI$; $\\operatorname{tr}P = n$ "
                "fixes $c$.", der.projection_mean_scale, sp.solve(c * p - n, c)[0],
                name="c")
    proof.equal("Hence $E\\|(I - P)\\beta\\|^2 = r^2(1 - c)$.", der.minnorm_bias,
                r2 * (1 - n / p), name="E[B_0]")

    proof.section("4. OLS, $p < n - 1$")
    proof.equal("$W = X^\\top X$ ($p\\times p$): columns of $X$ in $\\mathbb{R}^n$, so "
                "$k = n - p + 1$.", der.ols_dof, n - p + 1, name="k")
    proof.equal("$\\hat\\beta - \\beta = (X^\\top X)^{-1}X^\\top\\varepsilon$ has mean variance "
                "$\\sigma^2 p/(k - 2)$ and no bias.", der.ols_variance, sigma2 * p / (n - p - 1),
                name="E[V_0]")

    proof.section("5. The mixed risk after $t$ refits")
    proof.text("Given $X$, result 1 gives $R_t = B_0 + c_t(w;\\kappa_s)V_0$ with a deterministic "
               "$c_t$, so taking the mean over $X$ only replaces $B_0$, $V_0$ by their means.")
    ct = mn.c_t_kappa_s
    proof.equal("Min-norm.", der.minnorm_risk_t, r2 * (1 - n / p) + ct * sigma2 * n / (p - n - 1),
                name="E[R_t]")
    proof.equal("OLS.", der.ols_risk_t, ct * sigma2 * p / (n - p - 1), name="E[R_t]")
    cw = (w**2 + kappa_s * (1 - w)**2) / (w * (2 - w))
    proof.equal("$t \\to \\infty$, min-norm (result 1's $c(w;\\kappa_s)$).", der.minnorm_risk,
                r2 * (1 - n / p) + cw * sigma2 * n / (p - n - 1), name="E[R_\\infty]")
    proof.equal("$t \\to \\infty$, OLS.", der.ols_risk, cw * sigma2 * p / (n - p - 1),
                name="E[R_\\infty]")
    proof.equal("At $t = 0$ the variance factor is one: the one-shot fit.",
                sp.simplify(ct.subs(t, 0)), 1, name="c_0")

    proof.section("6. The limit $p = \\gamma n$, $n \\to \\infty$, and the first correction")
    proof.equal("The bias tends to result 5's $B_0 = r^2(1 - 1/\\gamma)$ ...", der.minnorm_bias_limit,
                sp.simplify(iso.minnorm_bias.subs(delta, gamma - 1)), name="B_0")
    proof.equal("... with no $1/n$ term: $E[B_0]$ depends on $n/p = 1/\\gamma$ only.",
                sp.simplify(der.minnorm_bias.subs(p, gamma * n)), r2 * (1 - 1 / gamma),
                name="E[B_0]")
    proof.equal("The variance tends to $\\sigma^2/(\\gamma - 1)$ ...", der.minnorm_variance_limit,
                sigma2 / (gamma - 1), name="V_0")
    proof.equal("... from above, by the relative amount $1/((\\gamma - 1)n) + O(n^{-2})$.",
                der.minnorm_variance_first_order, 1 / (gamma - 1),
                latex=r"\lim_{n\to\infty} n\Bigl(\frac{E[V_0]}{V_0} - 1\Bigr) = \frac{1}{\gamma - 1}")
    proof.equal("OLS: the variance tends to $\\sigma^2\\gamma/(1 - \\gamma)$ (result 6) ...",
                der.ols_variance_limit, sigma2 * gamma / (1 - gamma), name="V_0")
    proof.equal("... from above by $1/((1 - \\gamma)n)$ relative.", der.ols_variance_first_order,
                1 / (1 - gamma),
                latex=r"\lim_{n\to\infty} n\Bigl(\frac{E[V_0]}{V_0} - 1\Bigr) = \frac{1}{1 - \gamma}")
    proof.text("So the finite-n mean of the exact conditional risk differs from the limit by a "
               "gap of order $1/n$ that these formulas give exactly; a Monte Carlo verdict "
               "against them needs no finite-size tolerance. $\\blacksquare$")
    return proof


if __name__ == "__main__":
    run_proof(build, "p9_finite_n_gaussian.md", default_dir=Path(__file__).resolve().parent / "output")
