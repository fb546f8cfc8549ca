r"""Result 5 — the isotropic model H = G = δ₁: closed forms and the optimal weight.

Starts from the general fixed-point and Silverstein equations with one atom
at ``s = 1`` and proves the closed forms returned by
:func:`rmtheory.symbolic.derive_isotropic`: ``κ(λ)``, the Marchenko–Pastur
transform, edges, density and atom, the ridge bias and variance, the
min-norm limits, the mixed risk in explicit and Stieltjes form, the
series of ``w*(λ)`` at ``λ = 0`` and the sign of ``∂_w R`` at ``w = 1`` for
large ``λ``. Every step is checked exactly.

Run ``python -m rmtheory.proofs.p5_isotropic [--output DIR]``, or read it with
``rmtheory.derivation("p5_isotropic")``.
"""
import os
from pathlib import Path

import sympy as sp

from rmtheory.symbolic import general
from rmtheory.symbolic.isotropic import ISOTROPIC_ATOMS, derive_isotropic
from rmtheory.symbolic.mixed import bias_fn, derive_mixed_risk
from rmtheory.symbolic.proof import Proof, run_proof
from rmtheory.symbolic.ridge import kappa_fn
from rmtheory.symbolic.symbols import (delta, gamma, kappa, lam, m, m1, m2, r2,
                                       sigma2, w, z)

PHI = sp.GoldenRatio
R = sp.Rational
#: exact parameter points (γ, λ, w) for the Stieltjes-form check
POINTS = [(2, 1, R(1, 2)), (R(1, 3), R(5, 7), R(3, 4)), (R(7, 2), R(1, 10), R(2, 3))]


def build():
    iso = derive_isotropic()
    mx = derive_mixed_risk()
    x = [s for s in iso.m_negative_axis.free_symbols if s.name == "x"][0]
    proof = Proof(
        "Result 5: the isotropic model",
        "Take $\\Sigma = I$ and $\\beta$ with no preferred direction: $H = G = \\delta_1$. Every "
        "integral against $H$ or $G$ becomes the value of its integrand at $s = 1$. The "
        "proof starts from the general relations (SPEC §3) and ends at explicit closed forms.",
        symbol_names={x: "x"})
    c = (w**2 + (1 - w)**2) / (w * (2 - w))

    proof.section("1. The effective regularisation $\\kappa(\\lambda)$")
    I1 = general.integrate_atoms(general.fixed_point_integrand, ISOTROPIC_ATOMS)
    proof.equal("$I_1 = \\int s/(s+\\kappa)\\,dH$ at the atom $s = 1$.", I1, 1 / (1 + kappa),
                name="I_1")
    quadratic = kappa**2 + (1 - gamma - lam) * kappa - lam
    proof.equal("Clearing the denominator of $\\kappa(1 - \\gamma I_1) - \\lambda = 0$ gives a "
                "quadratic (numerator computed here).",
                sp.fraction(sp.together(general.kappa_equation.subs(general.I1, I1)))[0],
                quadratic, latex=r"(1+\kappa)\bigl(\kappa(1 - \tfrac{\gamma}{1+\kappa}) - \lambda\bigr) "
                                 r"= \kappa^2 + (1 - \gamma - \lambda)\kappa - \lambda")
    proof.equal("The derived quadratic.", iso.kappa_quadratic, quadratic, name="P(\\kappa)")
    D = (gamma + lam - 1)**2 + 4 * lam
    k_plus = (gamma + lam - 1 + sp.sqrt(D)) / 2
    k_minus = (gamma + lam - 1 - sp.sqrt(D)) / 2
    proof.equal("The derived root is the one with the $+$ sign.", iso.kappa, k_plus,
                name="\\kappa(\\lambda)")
    proof.equal("It solves the quadratic.", quadratic.subs(kappa, iso.kappa), 0,
                latex=r"P(\kappa(\lambda)) = 0")
    proof.equal("Vieta: the product of the roots is $-\\lambda < 0$ ...", sp.expand(k_plus * k_minus),
                -lam, latex=r"\kappa_+ \kappa_- = -\lambda")
    proof.positive("... and $\\kappa_+ - \\kappa_- = \\sqrt{(\\gamma+\\lambda-1)^2 + 4\\lambda} > 0$, so "
                   "$\\kappa_+ > 0 > \\kappa_-$: $\\kappa(\\lambda)$ is the unique positive root.",
                   k_plus - k_minus, name=r"\kappa_+ - \kappa_-")
    companion = general.companion_from_m.subs(z, -lam)
    proof.equal("The companion transform at $z = -\\lambda$.", companion,
                gamma * m + (1 - gamma) / lam, name=r"v(-\lambda)")

    proof.section("2. The Marchenko–Pastur law")
    stieltjes = general.integrate_atoms(general.stieltjes_integrand, ISOTROPIC_ATOMS)
    proof.equal("The Silverstein equation with $H = \\delta_1$.", stieltjes,
                1 / (1 - gamma - gamma * z * m - z), latex=r"m = \frac{1}{1 - \gamma - \gamma z m - z}")
    mp = gamma * z * m**2 - (1 - gamma - z) * m + 1
    proof.equal("Cleared of its denominator it is the MP quadratic (the derived polynomial "
                "is its negative).", iso.mp_quadratic, -mp,
                latex=r"\gamma z m^2 - (1 - \gamma - z) m + 1 = 0")
    Dx = (gamma + x - 1)**2 + 4 * x
    m_neg = (gamma - 1 - x + sp.sqrt(Dx)) / (2 * gamma * x)
    proof.equal("On the negative axis $z = -x$ the derived root.", iso.m_negative_axis, m_neg,
                name="m(-x)")
    proof.equal("It solves the quadratic.", mp.subs({z: -x, m: iso.m_negative_axis}), 0,
                latex=r"-\gamma x\, m(-x)^2 - (1 - \gamma + x)\, m(-x) + 1 = 0")
    m_other = (gamma - 1 - x - sp.sqrt(Dx)) / (2 * gamma * x)
    proof.equal("At $z = -x < 0$ the product of the two roots is $1/(\\gamma z) = -1/(\\gamma x) < 0$ ...",
                sp.expand(m_neg * m_other), -1 / (gamma * x), latex=r"m_+ m_- = -\frac{1}{\gamma x}")
    proof.positive("... and the chosen root is the larger one, so it is the unique positive root — "
                   "as it must be, since $m(-x) = \\int d\\mu(d)/(d + x) > 0$.",
                   m_neg - m_other, name=r"m_+ - m_-")
    proof.equal("$\\kappa(\\lambda) = 1/v(-\\lambda)$ with $m = m(-\\lambda)$ reproduces the "
                "closed form of section 1.", iso.kappa_via_m, iso.kappa,
                latex=r"\frac{1}{\gamma m(-\lambda) + (1 - \gamma)/\lambda} = \kappa(\lambda)")
    proof.equal("The derived discriminant of the MP quadratic in $m$ is "
                "$(1 - \\gamma - z)^2 - 4\\gamma z$ ...", iso.discriminant,
                (1 - gamma - z)**2 - 4 * gamma * z, name=r"\Delta(z)")
    lower, upper = (1 - sp.sqrt(gamma))**2, (1 + sp.sqrt(gamma))**2
    proof.equal("... $= (z - x_-)(z - x_+)$.", iso.discriminant, (z - lower) * (z - upper),
                latex=r"\Delta(z) = \bigl(z - (1-\sqrt\gamma)^2\bigr)\bigl(z - (1+\sqrt\gamma)^2\bigr)")
    proof.equal("The edges of the support.", iso.edges, [lower, upper], name=r"(x_-, x_+)")
    proof.text("For $x_- < x < x_+$, $\\Delta < 0$ and the roots are "
               "$\\bigl(-(1-\\gamma-x) \\pm i\\sqrt{-\\Delta}\\bigr)/(-2\\gamma x)$; the density is "
               "$\\operatorname{Im} m(x + i0)/\\pi = \\sqrt{-\\Delta(x)}/(2\\pi\\gamma x)$.")
    proof.equal("The derived density.", iso.density,
                sp.sqrt(sp.expand((upper - x) * (x - lower))) / (2 * sp.pi * gamma * x),
                latex=r"f_{\mathrm{MP}}(x) = \frac{\sqrt{(x_+ - x)(x - x_-)}}{2\pi\gamma x}")
    proof.equal("The mass at zero for $\\gamma > 1$: $\\lim_{x \\downarrow 0} x\\, m(-x)$.",
                iso.atom_at_zero, (gamma - 1) / gamma, name=r"\mu_{\mathrm{MP}}(\{0\})")
    proof.equal("... recomputed here with $\\gamma = 1 + \\delta$ (so $\\sqrt{(\\gamma-1)^2} = \\delta$).",
                sp.limit((x * m_neg).subs(gamma, 1 + delta), x, 0), delta / (1 + delta),
                latex=r"\lim_{x\downarrow0} x\,m(-x) = \frac{\gamma - 1}{\gamma}")

    proof.section("3. Ridge bias and variance at $w = 1$")
    J = general.integrate_atoms(general.bias_integrand, ISOTROPIC_ATOMS)
    I2 = general.integrate_atoms(general.df2_integrand, ISOTROPIC_ATOMS)
    proof.equal("At the atom, $J = I_2 = 1/(1+\\kappa)^2$.", [J, I2], [1 / (1 + kappa)**2] * 2,
                latex=r"J = I_2 = \frac{1}{(1+\kappa)^2}")
    proof.equal("Ridge bias $r^2\\kappa^2 J/(1 - \\gamma I_2)$.", iso.bias,
                r2 * kappa**2 / ((1 + kappa)**2 - gamma), name=r"B(\lambda)")
    proof.equal("Ridge variance $\\sigma^2 \\gamma I_2/(1 - \\gamma I_2)$.", iso.variance,
                sigma2 * gamma / ((1 + kappa)**2 - gamma), name=r"V(\lambda)")
    proof.equal("Consistency with $V = \\sigma^2(\\kappa'(\\lambda) - 1)$, differentiating the closed "
                "form of $\\kappa$.", sigma2 * (sp.diff(iso.kappa, lam) - 1),
                iso.variance.subs(kappa, iso.kappa),
                latex=r"\sigma^2\bigl(\kappa'(\lambda) - 1\bigr) = \frac{\sigma^2\gamma}{(1+\kappa)^2 - \gamma}")

    proof.section("4. Min-norm limits ($\\lambda \\to 0$, $\\gamma > 1$)")
    proof.equal("With $\\gamma = 1 + \\delta$, $\\kappa(\\lambda) \\to \\gamma - 1 = \\kappa_0$.",
                sp.limit(iso.kappa.subs(gamma, 1 + delta), lam, 0), delta,
                latex=r"\lim_{\lambda\to0}\kappa(\lambda) = \gamma - 1")
    proof.equal("The min-norm bias.", iso.minnorm_bias, r2 * (1 - 1 / gamma), name="B_0")
    proof.equal("The min-norm variance factor.", iso.minnorm_variance_factor, 1 / (gamma - 1),
                name=r"V_0/\sigma^2")
    proof.equal("Recomputed here from section 3 at $\\kappa_0 = \\gamma - 1$.",
                [iso.bias.subs(kappa, gamma - 1), iso.variance.subs(kappa, gamma - 1) / sigma2],
                [r2 * (1 - 1 / gamma), 1 / (gamma - 1)],
                latex=r"\bigl(B, V/\sigma^2\bigr)\big|_{\kappa = \gamma - 1} = "
                      r"\bigl(r^2(1 - 1/\gamma),\ 1/(\gamma - 1)\bigr)")
    proof.text("So $R_\\infty(w) = r^2(1 - 1/\\gamma) + c(w)\\,\\sigma^2/(\\gamma - 1)$, minimised at "
               "$w^\\star = 1/\\varphi$ by result 1.")

    proof.section("5. The stationary mixed risk, explicit and in Stieltjes notation")
    a, b = lam / w, lam / (2 - w)
    ka, kb = iso.kappa.subs(lam, a), iso.kappa.subs(lam, b)
    proof.equal("Bias: the ridge bias at $\\lambda/w$.", iso.risk_bias,
                r2 * ka**2 / ((1 + ka)**2 - gamma),
                latex=r"B_\infty = \frac{r^2\kappa(\lambda/w)^2}{(1+\kappa(\lambda/w))^2 - \gamma}")
    proof.equal("Variance: $c(w)$ times the divided difference of result 4.", iso.risk_variance,
                sigma2 * c * ((kb - ka) / (b - a) - 1),
                latex=r"V_\infty = \sigma^2 c(w)\Bigl[\frac{\kappa(\lambda/(2-w)) - \kappa(\lambda/w)}"
                      r"{\lambda/(2-w) - \lambda/w} - 1\Bigr]")
    proof.equal("The risk is their sum.", iso.risk, iso.risk_bias + iso.risk_variance,
                latex=r"R_\infty = B_\infty + V_\infty")
    Ka, Kb = sp.symbols("K_a K_b", positive=True)
    m_of = lambda k, pen: (1 / k - (1 - gamma) / pen) / gamma  # noqa: E731  (inverts κ = 1/v)
    proof.equal("In Stieltjes notation $\\kappa(a) = 1/(\\gamma m_1 + (1-\\gamma)/a)$; substituting "
                "$m_1, m_2$ by the values that give $\\kappa(a) = K_a$, $\\kappa(b) = K_b$ "
                "recovers the risk in $K_a, K_b$ exactly.",
                iso.risk_stieltjes.subs({m1: m_of(Ka, a), m2: m_of(Kb, b)}),
                r2 * Ka**2 / ((1 + Ka)**2 - gamma) + sigma2 * c * ((Kb - Ka) / (b - a) - 1),
                latex=r"R_\infty\big|_{m_j \leftarrow m(K_j)} = \frac{r^2 K_a^2}{(1+K_a)^2 - \gamma}"
                      r" + \sigma^2 c(w)\Bigl[\frac{K_b - K_a}{b - a} - 1\Bigr]")
    stieltjes_risk = iso.risk_stieltjes.subs({m1: iso.m_negative_axis.subs(x, a),
                                              m2: iso.m_negative_axis.subs(x, b)})
    for g0, l0, w0 in POINTS:
        point = {gamma: g0, lam: l0, w: w0}
        proof.equal(f"With $m_1 = m(-\\lambda/w)$, $m_2 = m(-\\lambda/(2-w))$ the two forms agree "
                    f"exactly at $\\gamma = {sp.latex(g0)}$, $\\lambda = {sp.latex(l0)}$, "
                    f"$w = {sp.latex(w0)}$ (for all $r^2, \\sigma^2$).",
                    stieltjes_risk.subs(point), iso.risk.subs(point),
                    latex=r"R_\infty^{\text{Stieltjes}} = R_\infty^{\text{explicit}}")

    proof.section("6. The optimal weight as $\\lambda \\downarrow 0$ ($\\gamma > 1$)")
    series = [gamma - 1, gamma / (gamma - 1), -gamma / (gamma - 1)**3,
              gamma * (gamma + 1) / (gamma - 1)**5]
    proof.equal("The derived Taylor coefficients of $\\kappa$ at $0$.", iso.kappa_series, series,
                latex=r"\kappa(x) = (\gamma - 1) + \frac{\gamma}{\gamma-1}x - "
                      r"\frac{\gamma}{(\gamma-1)^3}x^2 + \frac{\gamma(\gamma+1)}{(\gamma-1)^5}x^3 + O(x^4)")
    X = sp.Symbol("x")
    cubic = sum(series[j] * X**j for j in range(4))
    residual = sp.expand(sp.numer(sp.together(quadratic.subs({kappa: cubic, lam: X}))))
    denominator = sp.denom(sp.together(quadratic.subs({kappa: cubic, lam: X})))
    proof.equal("They solve the quadratic to third order: the coefficients of $x^0, \\dots, x^3$ "
                "of $P(\\kappa(x))$ vanish.",
                [sp.cancel(residual.coeff(X, j) / denominator) for j in range(4)], [0] * 4,
                latex=r"[x^j]\,P\Bigl(\textstyle\sum_{i\le3} k_i x^i\Bigr) = 0,\quad j = 0,\dots,3")
    # R(w, λ) to first order in λ, from the cubic κ (exact for the divided difference of a cubic)
    kap = lambda p: sum(series[j] * p**j for j in range(4))  # noqa: E731
    bias_at = lambda p: r2 * kap(p)**2 / ((1 + kap(p))**2 - gamma)  # noqa: E731
    bracket = series[1] + series[2] * (a + b) + series[3] * (a**2 + a * b + b**2) - 1
    proof.equal("For a cubic $\\kappa$ the divided difference is exact: "
                "$[\\kappa(b) - \\kappa(a)]/(b - a) = k_1 + k_2(a + b) + k_3(a^2 + ab + b^2)$.",
                (kap(b) - kap(a)) / (b - a), bracket + 1,
                latex=r"\frac{\kappa(b) - \kappa(a)}{b - a} = k_1 + k_2(a+b) + k_3(a^2+ab+b^2)")
    risk = bias_at(a) + sigma2 * c * bracket
    R0 = risk.subs(lam, 0)
    R1 = sp.diff(risk, lam).subs(lam, 0)
    proof.equal("Order $\\lambda^0$: the min-norm risk $B_0 + c(w)V_0$.", R0,
                r2 * (1 - 1 / gamma) + c * sigma2 / (gamma - 1), name="R_0(w)")
    proof.equal("Order $\\lambda^1$: $R_1(w) = B'(0)/w + \\sigma^2 c(w)\\, k_2 (1/w + 1/(2-w))$.",
                R1, sp.diff(bias_at(X), X).subs(X, 0) / w
                + sigma2 * c * series[2] * (1 / w + 1 / (2 - w)), name="R_1(w)")
    proof.equal("The bias as a function of $\\kappa$ has derivative ...", sp.diff(iso.bias, kappa),
                2 * r2 * kappa * (1 + kappa - gamma) / ((1 + kappa)**2 - gamma)**2,
                name=r"\frac{dB}{d\kappa}")
    proof.equal("... which vanishes at $\\kappa_0 = \\gamma - 1$: in the isotropic model $B'(0) = 0$ "
                "and only the variance moves at first order.",
                sp.diff(bias_at(X), X).subs(X, 0), 0, latex="B'(0) = 0")
    w0 = 1 / PHI
    # radicals instead of φ, and each factor rationalised on its own, keep this fast
    w0_radicals = (sp.sqrt(5) - 1) / 2
    R0s, R1s = sp.factor(sp.simplify(R0)), sp.factor(sp.simplify(R1))
    proof.equal("$\\partial_w R_0$ vanishes at $1/\\varphi$ ...", sp.diff(R0s, w).subs(w, w0_radicals), 0,
                latex=r"R_0'(1/\varphi) = \frac{\sigma^2}{\gamma - 1} c'(1/\varphi) = 0")
    proof.equal("... which is the derived limit $w^\\star(0)$.", iso.w_star_limit, w0,
                name=r"w^\star(0)")
    proof.positive("$R_0''(1/\\varphi) = \\sigma^2 c''(1/\\varphi)/(\\gamma - 1) > 0$ ($\\gamma = 1 + \\delta$).",
                   sp.diff(R0s, w, 2).subs(w, w0_radicals).subs(gamma, 1 + delta), name=r"R_0''(1/\varphi)")
    proof.text("The implicit function theorem applied to $\\partial_w R(w^\\star(\\lambda), \\lambda) = 0$, "
               "$\\partial_w R = R_0'(w) + \\lambda R_1'(w) + O(\\lambda^2)$, gives "
               "$w^\\star(\\lambda) = 1/\\varphi + w_1 \\lambda + O(\\lambda^2)$ with "
               "$w_1 = -R_1'(1/\\varphi)/R_0''(1/\\varphi)$.")
    w1_expected = 2 * gamma * (2 * sp.sqrt(5) - 5) / (5 * (gamma - 1)**2)
    w1 = -sp.radsimp(sp.simplify(sp.diff(R1s, w).subs(w, w0_radicals))) / sp.radsimp(
        sp.simplify(sp.diff(R0s, w, 2).subs(w, w0_radicals)))
    proof.equal("The first-order coefficient, computed here.", w1, w1_expected,
                name=r"w_1")
    proof.equal("The derived coefficient.", iso.w_star_slope, w1_expected, name=r"w_1")
    proof.holds("It is negative ($2\\sqrt5 < 5$): $w^\\star$ first moves below $1/\\varphi$.",
                (2 * sp.sqrt(5) - 5).is_negative, latex=r"2\sqrt5 - 5 < 0")

    proof.section("7. The slope at $w = 1$ and large $\\lambda$")
    slope = -lam * sp.Derivative(bias_fn(lam), lam) + 2 * sigma2 * (sp.Derivative(kappa_fn(lam), lam) - 1)
    proof.equal("For general $H, G$ (from `derive_mixed_risk`): "
                "$\\partial_w R_\\infty|_{w=1} = -\\lambda B'(\\lambda) + 2\\sigma^2(\\kappa'(\\lambda) - 1)$: "
                "$-\\lambda B'$ from $B(\\lambda/w)$, $c'(1) = 2$ times the bracket $\\kappa' - 1$, "
                "and the bracket itself is stationary at $w = 1$ (the two penalties move "
                "symmetrically).", mx.slope_at_w1, slope,
                latex=r"\partial_w R_\infty\big|_{w=1} = -\lambda B'(\lambda) + 2\sigma^2(\kappa'(\lambda) - 1)")
    proof.equal("Ingredient: $c'(1) = 2$.", sp.diff(c, w).subs(w, 1), 2, name="c'(1)")
    kf = lambda p: sp.sqrt(1 + p)  # noqa: E731
    bf = lambda p: 1 / (1 + p)  # noqa: E731
    eps = sp.Symbol("epsilon")
    concrete = mx.risk_of_functions.replace(kappa_fn, kf).replace(bias_fn, bf)
    proof.equal("Check with the concrete functions $\\kappa(x) = \\sqrt{1+x}$, $B(x) = 1/(1+x)$: "
                "the $w$-derivative at $w = 1$ of the full risk matches the identity.",
                sp.series(sp.diff(concrete, w).subs(w, 1 + eps), eps, 0, 1).removeO(),
                slope.subs({sp.Derivative(kappa_fn(lam), lam): sp.diff(kf(lam), lam),
                            sp.Derivative(bias_fn(lam), lam): sp.diff(bf(lam), lam)}),
                latex=r"\partial_w R_\infty\big|_{w=1} = \frac{\lambda}{(1+\lambda)^2} + "
                      r"2\sigma^2\Bigl(\frac{1}{2\sqrt{1+\lambda}} - 1\Bigr)")
    bias_lam = iso.bias.subs(kappa, iso.kappa)
    iso_slope = -lam * sp.diff(bias_lam, lam) + 2 * sigma2 * (sp.diff(iso.kappa, lam) - 1)
    proof.equal("Isotropic: $\\lambda\\,\\partial_w R_\\infty|_{w=1} \\to -2r^2$ as $\\lambda \\to \\infty$ "
                "(computed here from the closed forms).", sp.limit(lam * iso_slope, lam, sp.oo),
                -2 * r2, latex=r"\lim_{\lambda\to\infty} \lambda\,\partial_w R_\infty\big|_{w=1} = -2r^2")
    proof.equal("The derived leading term.", iso.slope_at_w1_leading, -2 * r2,
                latex=r"\lim_{\lambda\to\infty} \lambda\,\partial_w R_\infty\big|_{w=1} = -2r^2")
    proof.holds("It is negative: for all large $\\lambda$ the risk still decreases at $w = 1$, "
                "so the optimum sits on the boundary, $w^\\star = 1$.", (-2 * r2).is_negative,
                latex=r"-2r^2 < 0")
    proof.text("Together: $w^\\star(\\lambda) \\to 1/\\varphi$ as $\\lambda \\downarrow 0$ with slope "
               "$2\\gamma(2\\sqrt5 - 5)/(5(\\gamma-1)^2)$, and $w^\\star = 1$ for all large "
               "$\\lambda$; in between, $w^\\star = 1$ exactly where "
               "$\\lambda B'(\\lambda) \\ge 2\\sigma^2(\\kappa'(\\lambda) - 1)$ (a necessary "
               "condition for the boundary optimum). $\\blacksquare$")
    return proof


if __name__ == "__main__":
    # a proof run as a script derives afresh from the model, never from the
    # on-disk derivation cache (read when a derivation is first asked for)
    os.environ.setdefault("RMTHEORY_CACHE", "off")
    run_proof(build, "p5_isotropic.md", default_dir=Path.cwd() / "proofs-output")
