r"""Result 8 — finite-t spectral integrals as contour integrals in the κ-plane.

Starts from the fixed-point equation and the deterministic equivalents of
:mod:`rmtheory.symbolic.general`, derives the explicit penalty ``λ(κ)``, its
slope ``1 − γI₂``, the Stieltjes transforms of the spectral measures of
``Σ̂`` as functions of ``κ``, the contour weight and the atom at 0, and
reduces the two-resolvent equivalent to a divided difference whose diagonal
is the ridge bias. For ``H = δ₁`` the residues of the weight are computed
exactly and add up to the total mass. Every step is checked exactly.

Run ``python -m rmtheory.proofs.p8_kappa_plane [--output DIR]``, or read it with
``rmtheory.derivation("p8_kappa_plane")``.
"""
import os
from pathlib import Path

import sympy as sp

from rmtheory.symbolic import general
from rmtheory.symbolic.kappa_plane import (I1_xy, I2_xy, derive_kappa_plane, g_x, g_y,
                                           kappa_x, kappa_y, s_u, x_pen, y_pen)
from rmtheory.symbolic.proof import Proof, run_proof
from rmtheory.symbolic.symbols import gamma, kappa, lam, r2, s


def build():
    kp = derive_kappa_plane()
    I1, I2 = general.I1, general.I2
    proof = Proof(
        "Result 8: spectral integrals of the sample covariance in the kappa-plane",
        "Every finite-$t$ risk is $\\int \\varphi\\,d\\mu$ for a rational multiplier $\\varphi$ "
        "and a spectral measure $\\mu$ of $\\hat\\Sigma$. Cauchy's formula and the "
        "deterministic equivalent $x(\\hat\\Sigma+x)^{-1} \\asymp \\kappa(\\Sigma+\\kappa)^{-1}$ "
        "turn it into a contour integral whose integrand is explicit in $\\kappa$.")

    proof.section("1. The penalty as a function of the effective regularisation")
    proof.equal("The fixed-point equation $\\kappa(1-\\gamma I_1) - \\lambda = 0$ solved for "
                "$\\lambda$.", kp.penalty, kappa * (1 - gamma * I1), name="\\lambda(\\kappa)")
    proof.equal("Check: it solves the fixed-point equation.",
                general.kappa_equation.subs(lam, kp.penalty), 0,
                latex="\\kappa(1-\\gamma I_1) - \\lambda(\\kappa) = 0")
    integrand = kp.penalty_integrand
    proof.equal("Pointwise in $s$, $\\lambda(\\kappa)$ is the integral against $H$ of",
                integrand, kappa - gamma * kappa * general.fixed_point_integrand,
                name="\\lambda(\\kappa)\\text{ integrand}")
    proof.equal("Differentiating under the integral sign gives $1 - \\gamma$ times the "
                "integrand of $I_2$.", sp.diff(integrand, kappa),
                1 - gamma * general.df2_integrand, name="\\partial_\\kappa(\\text{integrand})")
    proof.equal("So $\\lambda'(\\kappa) = 1 - \\gamma I_2(\\kappa) = 1 - \\mathrm{df}_2$.",
                kp.penalty_slope, 1 - general.df2.subs(I2, I2), name="\\lambda'(\\kappa)")

    proof.section("2. Stieltjes transforms at $z = -x$")
    proof.equal("$x\\,s_\\nu(-x) = \\tfrac1p\\operatorname{tr}(\\Sigma\\, x(\\hat\\Sigma+x)^{-1}) "
                "\\to \\tfrac{n}{p}(\\kappa - x)$ (the trace of the shrinkage), i.e. "
                "$\\kappa I_1$.", kp.nu_transform, kappa * I1, name="x s_\\nu(-x)")
    proof.equal("The same, written with the fixed point: $(\\kappa - \\lambda(\\kappa))/\\gamma$.",
                kp.nu_transform, (kappa - kp.penalty) / gamma, name="x s_\\nu(-x)")
    proof.equal("On an eigenvector $u$ of $\\Sigma$ (eigenvalue $s_u$): $u^\\top\\kappa(\\Sigma+"
                "\\kappa)^{-1}u$.", kp.eigvec_transform, kappa / (s_u + kappa),
                name="x s_u(-x)")

    proof.section("3. The contour weight and the atom at zero")
    proof.text("With $z = -\\lambda(\\kappa)$, $dz = -\\lambda'(\\kappa)\\,d\\kappa$ and "
               "$s_\\mu(z) = T_\\mu(\\kappa)/\\lambda(\\kappa)$, "
               "$\\int\\varphi\\,d\\mu = -\\frac{1}{2\\pi i}\\oint\\varphi\\,s_\\mu\\,dz$ becomes an "
               "integral of $\\varphi(-\\lambda(\\kappa))$ against the weight below.")
    T = sp.Symbol("T")
    proof.equal("The weight.", kp.measure_weight, T * (1 - gamma * I2) / lam,
                name="T\\lambda'/\\lambda")
    proof.equal("At a simple zero $\\kappa_0$ of $\\lambda$ (for $\\gamma > 1$, $\\lambda(\\kappa_0) "
                "= 0$) the residue of $T\\lambda'/\\lambda$ is $T(\\kappa_0)$: the mass of the "
                "atom of $\\mu$ at $d = 0$.", kp.atom_at_zero, T, name="\\operatorname{Res}_{\\kappa_0}")

    proof.section("4. Isotropic check: the residues add up to the mass")
    k = sp.Symbol("k")
    lam_iso = kp.penalty.subs(I1, 1 / (1 + k)).subs(kappa, k)
    slope_iso = kp.penalty_slope.subs(I2, 1 / (1 + k)**2)
    weight_iso = sp.cancel(kp.nu_transform.subs({I1: 1 / (1 + k), kappa: k}) * slope_iso / lam_iso)
    proof.equal("For $H = \\delta_1$ the weight of $\\nu$ is", weight_iso,
                sp.cancel((1 - gamma / (1 + k)**2) / (k + 1 - gamma)), name="w_\\nu(\\kappa)")
    res_m1 = sp.residue(weight_iso, k, -1)
    res_k0 = sp.residue(weight_iso, k, gamma - 1)
    proof.equal("Residue at $\\kappa = -1$ (inside every contour).", res_m1, 1 / gamma,
                name="\\operatorname{Res}_{-1}")
    proof.equal("Residue at $\\kappa_0 = \\gamma - 1$: the Marchenko–Pastur atom "
                "$1 - 1/\\gamma$ at zero.", res_k0, 1 - 1 / gamma, name="\\operatorname{Res}_{\\kappa_0}")
    proof.equal("Together: the mass $\\int s\\,dH = 1$ of $\\nu$ (for $\\gamma > 1$, where "
                "$\\kappa_0 > 0$ is enclosed).", res_m1 + res_k0, 1, name="\\nu(\\mathbb{R})")

    proof.section("5. The two-resolvent equivalent as a divided difference")
    proof.equal("The input equivalent of $\\beta^\\top(\\hat\\Sigma+x)^{-1}\\Sigma(\\hat\\Sigma+y)^{-1}"
                "\\beta/r^2$.", kp.two_resolvent,
                kappa_x * kappa_y * I1_xy / (x_pen * y_pen * (1 - gamma * I2_xy)), name="K(x,y)")
    a, b = kappa_x, kappa_y
    proof.equal("Partial fractions: $s/((s+a)(s+b)) = (a/(s+a) - b/(s+b))/(a-b)$.",
                sp.apart(s / ((s + a) * (s + b)), s), (a / (s + a) - b / (s + b)) / (a - b),
                latex="\\frac{s}{(s+a)(s+b)} = \\frac{1}{a-b}\\Bigl(\\frac{a}{s+a} - \\frac{b}{s+b}\\Bigr)")
    proof.equal("and $s^2/((s+a)(s+b)) = s(a/(s+a) - b/(s+b))/(a-b)$.",
                sp.apart(s**2 / ((s + a) * (s + b)), s),
                sp.apart(s * (a / (s + a) - b / (s + b)) / (a - b), s),
                latex="\\frac{s^2}{(s+a)(s+b)} = \\frac{s}{a-b}\\Bigl(\\frac{a}{s+a} - \\frac{b}{s+b}\\Bigr)")
    proof.equal("With $g(\\kappa) = \\int \\kappa/(s+\\kappa)\\,dG$ and $\\gamma\\kappa I_1 = \\kappa - "
                "\\lambda$ at both penalties, the equivalent is a divided difference.",
                kp.two_resolvent_divided,
                kappa_x * kappa_y * (g_x - g_y) / (x_pen * y_pen * (x_pen - y_pen)),
                name="K(x,y)")
    J = sp.Symbol("J", positive=True)
    proof.equal("Its diagonal $y \\to x$: $\\kappa^2 J/(x^2(1-\\gamma I_2))$.",
                kp.two_resolvent_diagonal, kappa_x**2 * J / (x_pen**2 * (1 - gamma * I2)),
                name="K(x,x)")
    bias = general.ridge_bias.subs(kappa, kappa_x)
    proof.equal("So $r^2 x^2 K(x,x)$ is the ridge bias $B(x)$ of the general theory.",
                r2 * x_pen**2 * kp.two_resolvent_diagonal, bias, name="r^2x^2K(x,x)")
    proof.text("For $G = H$ the divided difference is that of $x\\,s_\\nu(-x)$, as the resolvent "
               "identity requires; for a spike (an eigenvector $u$ of $\\Sigma$ outside the "
               "bulk $H = \\delta_c$) the bias splits into $c\\int f^2 d\\mu_u + (s_u - c)"
               "(\\int f\\,d\\mu_u)^2$, single contour integrals. $\\blacksquare$")
    return proof


if __name__ == "__main__":
    # a proof run as a script derives afresh from the model, never from the
    # on-disk derivation cache (read when a derivation is first asked for)
    os.environ.setdefault("RMTHEORY_CACHE", "off")
    run_proof(build, "p8_kappa_plane.md", default_dir=Path.cwd() / "proofs-output")
