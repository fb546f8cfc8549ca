r"""Result 1 — min-ℓ2-norm interpolation: c_t(w), c(w) and w* = 1/φ.

Every step starts from the estimator of :mod:`rmtheory.symbolic.model`,
goes through the multiplier recursion and ends at the closed forms
returned by :func:`rmtheory.symbolic.derive_minnorm`; each line of the
document is checked exactly with SymPy when it is added.

Run ``python -m rmtheory.proofs.p1_minnorm [--output DIR]``, or read it with
``rmtheory.derivation("p1_minnorm")``.
"""
import os
from pathlib import Path

import sympy as sp

from rmtheory.symbolic import c_t as c_t_helper
from rmtheory.symbolic.minnorm import c_prev, derive_minnorm, geometric_term
from rmtheory.symbolic.model import (_mu_prev, _var_prev, moments_of_step,
                                     noise_gain, one_step, rho)
from rmtheory.symbolic.proof import Proof, run_proof
from rmtheory.symbolic.recursion import a_prev, multiplier_recursion, u_prev
from rmtheory.symbolic.symbols import beta_i, d, kappa_s, n, sigma2, t, w

PHI = sp.GoldenRatio
#: ``g_t = (1 − w)^{2t}`` and ``G = (1 − w)^{2(t−1)}``
g = geometric_term
G = sp.Symbol("G", positive=True)
x = sp.Symbol("x", real=True)


def even_power_form(expr):
    """Write ``(w − 1)^{2t}`` as ``(1 − w)^{2t}`` (the exponent is even)."""
    return expr.replace(lambda e: e.is_Pow and e.base == w - 1 and e.exp.has(t),
                        lambda e: (1 - w)**e.exp)


def build():
    mn = derive_minnorm()
    rec = multiplier_recursion(0)
    s_w = w**2 + kappa_s * (1 - w)**2
    proof = Proof(
        "Result 1: min-norm interpolation under mixed retraining",
        "The design $X$ is fixed; $X = \\sqrt{n}\\,U \\operatorname{diag}(\\sqrt{d_i}) V^\\top$. "
        "With $\\lambda = 0$ the fit is the pseudo-inverse $A_0 = X^+$. On an eigen-direction "
        "$v_i$ with $d = d_i > 0$ the coordinate $b_t = v_i^\\top\\hat\\beta_t$ evolves on its "
        "own, so the whole proof is about one scalar recursion. Real label noise has variance "
        "$\\sigma^2$, synthetic label noise $\\kappa_s\\sigma^2$ ($\\kappa_s = 1$ in the paper).")

    proof.section("1. From the estimator to the multiplier recursion")
    proof.text("One refit with real-data weight $w$ acts on the coordinate as")
    proof.display("b_t = " + proof.latex(one_step(0)))
    proof.equal("The pseudo-inverse has gain $A = 1/\\sqrt{nd}$ on the direction, so one fit "
                "reproduces its noiseless labels: the shrinkage is $\\rho = A\\sqrt{nd} = 1$.",
                rho(0), 1, name=r"\rho")
    proof.equal("A unit of label noise contributes $A^2 = 1/(nd)$ to the variance.",
                noise_gain(0), 1 / (n * d), name="A^2")
    step = moments_of_step(0)
    proof.text("$b_{t-1}$ (mean $\\mu_{t-1}$, variance $V_{t-1}$), $\\varepsilon_t$ and "
               "$\\tilde\\varepsilon_t$ are independent, and $b_t$ is a linear form in them: "
               "means add, variances add with squared coefficients.")
    proof.equal("Mean of one step.", step.mean, w * beta_i + (1 - w) * _mu_prev,
                name=r"\mathbb{E}\, b_t")
    proof.equal("Variance of one step.", step.variance,
                (1 - w)**2 * _var_prev + s_w * sigma2 / (n * d), name=r"\operatorname{Var} b_t")
    proof.text("Writing $\\mu_t = a_t\\beta_i$ and $V_t = (\\sigma^2/n)\\,u_t$ gives the "
               "multiplier recursion; the first fit ($t = 0$) sees real labels only ($w = 1$).")
    proof.equal("Mean multiplier map.", rec.mean_map, w + (1 - w) * a_prev, name="a_t")
    proof.equal("Starting mean multiplier.", rec.a0, 1, name="a_0")
    proof.equal("Variance multiplier map.", rec.variance_map, (1 - w)**2 * u_prev + s_w / d,
                name="u_t")
    proof.equal("Starting variance multiplier.", rec.u0, 1 / d, name="u_0")

    proof.section("2. The variance factor $c_t(w)$ and its closed form")
    proof.text("Since $u_0 = 1/d$, write $u_t = c_t(w)\\,u_0$; then $c_0 = 1$ and the "
               "$d$-dependence cancels, so the variance is $c_t(w)$ times the one-shot "
               "variance $V_0 = (\\sigma^2/n)\\operatorname{tr}(\\Sigma\\hat\\Sigma^{+})$, "
               "on every direction at once.")
    proof.equal("The recursion for $c_t$ derived from `multiplier_recursion(0)`.",
                mn.variance_factor_map, (1 - w)**2 * c_prev + s_w, name="c_t")
    geometric = g + s_w * (1 - g) / (1 - (1 - w)**2)
    geometric_t = geometric.subs(g, (1 - w)**(2 * t))
    proof.holds("The exponent $2t$ is even, so $(w-1)^{2t} = ((w-1)^2)^t = ((1-w)^2)^t = "
                "(1-w)^{2t}$: the bases' squares agree.",
                sp.expand((w - 1)**2) == sp.expand((1 - w)**2),
                latex=r"(w-1)^2 = (1-w)^2 \implies (w-1)^{2t} = (1-w)^{2t}")
    proof.equal("`rsolve` solves the recursion from $c_0 = 1$; its solution is the "
                "geometric form $c_t = g_t + s_w (1-g_t)/(1-(1-w)^2)$, "
                "$g_t = (1-w)^{2t}$, $s_w = w^2 + \\kappa_s (1-w)^2$.",
                even_power_form(mn.c_t_kappa_s), geometric_t, name=r"c_t(w;\kappa_s)")
    proof.text("Independently of `rsolve`, the geometric form is the solution by induction: "
               "it starts at 1 and the map sends $c_t$ to $c_{t+1}$ "
               "(uniqueness of the solution of a first-order recursion).")
    proof.equal("Base case $t = 0$.", geometric_t.subs(t, 0), 1, name="c_0")
    proof.equal("Induction step: the map applied to $c_t$ gives $c_{t+1}$.",
                mn.variance_factor_map.subs(c_prev, geometric_t),
                sp.expand_power_exp(geometric_t.subs(t, t + 1)),
                latex=r"(1-w)^2 c_t + s_w = c_{t+1}")
    proof.equal("For $\\kappa_s = 1$ the closed form is the paper's.",
                even_power_form(mn.c_t),
                (1 - w)**(2 * t) + (w**2 + (1 - w)**2) * (1 - (1 - w)**(2 * t)) / (1 - (1 - w)**2),
                name="c_t(w)")
    iterated = [sp.Integer(1)]
    for _ in range(5):
        iterated.append(sp.expand(mn.variance_factor_map.subs(c_prev, iterated[-1])))
    proof.equal("Direct iteration of the recursion from $c_0 = 1$ agrees with the closed "
                "form at $t = 0, \\dots, 5$ (as polynomials in $w$ and $\\kappa_s$).",
                iterated, [mn.c_t_kappa_s.subs(t, k) for k in range(6)],
                latex=r"\bigl(c_0, \dots, c_5\bigr)_{\text{iterated}} = "
                      r"\bigl(c_0, \dots, c_5\bigr)_{\text{closed form}}")

    proof.section("3. The limit $t \\to \\infty$")
    c_ks = (w**2 + kappa_s * (1 - w)**2) / (w * (2 - w))
    c = (w**2 + (1 - w)**2) / (w * (2 - w))
    proof.equal("Distance to the limit: $c_t - c = (1 - c)\\, g_t$ with $c = s_w/(w(2-w))$.",
                geometric - c_ks, (1 - c_ks) * g, latex=r"c_t - c = (1 - c)\, g_t")
    proof.holds("For $w \\in (0, 1]$, $1 - w \\in [0, 1)$, so $g_t = (1-w)^{2t} \\to 0$.",
                sp.imageset(sp.Lambda(x, 1 - x), sp.Interval.Lopen(0, 1)) == sp.Interval.Ropen(0, 1),
                latex=r"\{1 - w : w \in (0, 1]\} = [0, 1)")
    proof.equal("The limit with general $\\kappa_s$.", mn.c_w_kappa_s, c_ks, name=r"c(w;\kappa_s)")
    proof.equal("The limit for $\\kappa_s = 1$.", mn.c_w, c, name="c(w)")

    proof.section("4. The optimal weight $w^\\star = 1/\\varphi$")
    proof.equal("Derivative of $c(w)$.", sp.diff(mn.c_w, w),
                2 * (w**2 + w - 1) / (w**2 * (2 - w)**2), name="c'(w)")
    proof.equal("Its sign-carrying numerator.", mn.dc_dw_numerator, 2 * (w**2 + w - 1),
                name=r"\text{numerator}")
    proof.equal("The golden ratio's reciprocal in radicals.", 1 / PHI, (sp.sqrt(5) - 1) / 2)
    proof.equal("Factorisation over the golden ratio.", w**2 + w - 1, (w - 1 / PHI) * (w + PHI))
    proof.equal("The roots of the numerator over all of $\\mathbb{R}$.",
                sorted(sp.solve(x**2 + x - 1, x), key=sp.default_sort_key),
                sorted([-PHI, 1 / PHI], key=sp.default_sort_key),
                latex=r"w^2 + w - 1 = 0 \iff w \in \{-\varphi,\ 1/\varphi\}")
    proof.holds("$-\\varphi < 0$, so it is not a weight.", (-PHI).is_negative, latex=r"-\varphi < 0")
    proof.equal("Hence the critical points of $c$ in $(0, 1]$: exactly one.",
                mn.critical_points, [1 / PHI], name=r"\{w : c'(w) = 0\} \cap (0, 1]")
    proof.equal("The derived minimiser is $1/\\varphi$.", mn.w_star, 1 / PHI, name=r"w^\star")
    w_star = (sp.sqrt(5) - 1) / 2
    proof.holds("$c'$ is negative on $(0, 1/\\varphi)$ (the denominator $w^2(2-w)^2 > 0$) ...",
                sp.solve_univariate_inequality(w**2 + w - 1 < 0, w, relational=False)
                .intersect(sp.Interval.Lopen(0, 1)) == sp.Interval.open(0, w_star),
                latex=r"\{w \in (0,1] : c'(w) < 0\} = (0, 1/\varphi)")
    proof.holds("... and positive on $(1/\\varphi, 1]$: $1/\\varphi$ is the global minimiser on "
                "$(0, 1]$.",
                sp.solve_univariate_inequality(w**2 + w - 1 > 0, w, relational=False)
                .intersect(sp.Interval.Lopen(0, 1)) == sp.Interval.Lopen(w_star, 1),
                latex=r"\{w \in (0,1] : c'(w) > 0\} = (1/\varphi, 1]")
    second = sp.diff(mn.c_w, w, 2).subs(w, 1 / PHI)
    proof.equal("Second derivative at $1/\\varphi$: the derived value equals direct "
                "substitution into $c''(w)$.", mn.second_derivative_at_w_star, second,
                latex=r"c''(1/\varphi)_{\text{derived}} = \frac{d^2 c}{dw^2}\Big|_{w = 1/\varphi}")
    proof.equal("... in radicals.", mn.second_derivative_at_w_star, 3 + 7 * sp.sqrt(5) / 5,
                name=r"c''(1/\varphi)")
    proof.positive("It is positive (a strict minimum).", mn.second_derivative_at_w_star,
                   name=r"c''(1/\varphi)")
    proof.equal("The minimal factor equals the minimiser (derived value).", mn.c_at_w_star,
                1 / PHI, name=r"c(1/\varphi)")
    proof.equal("The same by substitution into $c(w)$.", c.subs(w, 1 / PHI), 1 / PHI,
                name=r"c(1/\varphi)")

    proof.section("5. When does $c_t$ decrease in $t$?")
    proof.text("With $G = (1-w)^{2(t-1)}$ we have $g_t = (1-w)^2 G$ and $g_{t-1} = G$, so the "
               "increment of $c_t$ is $G$ times a factor free of $t$.")
    c1 = geometric.subs(kappa_s, 1)
    increment = (c1.subs(g, (1 - w)**2 * G) - c1.subs(g, G)) / G
    proof.equal("Increment ratio from the closed form.", increment, (w - 1) * (3 * w - 1),
                latex=r"\frac{c_t - c_{t-1}}{(1-w)^{2t-2}} = (w-1)(3w-1)")
    proof.equal("The derived increment ratio.", mn.increment_ratio, (w - 1) * (3 * w - 1),
                name=r"\frac{c_t - c_{t-1}}{(1-w)^{2t-2}}")
    decreasing = sp.solve_univariate_inequality((w - 1) * (3 * w - 1) < 0, w,
                                                relational=False).intersect(sp.Interval.open(0, 1))
    proof.equal("Since $G > 0$ for $w \\in (0,1)$, $c_t < c_{t-1}$ exactly where the ratio is "
                "negative.", decreasing, sp.Interval.open(sp.Rational(1, 3), 1),
                latex=r"\{w \in (0,1) : (w-1)(3w-1) < 0\} = (1/3, 1)")
    proof.equal("The derived decreasing set (computed as $\\{c(w) < 1\\}$, since "
                "$c_t - c_{t-1} = (1-c)(g_t - g_{t-1})$) is the same.",
                mn.decreasing_set, sp.Interval.open(sp.Rational(1, 3), 1),
                latex=r"\{w \in (0, 1) : c(w) < 1\} = (1/3, 1)")
    proof.equal("At $w = 1$ the map is constant, $c_t = 1$: no synthetic data, no change.",
                mn.variance_factor_map.subs(w, 1), 1, latex=r"c_t\big|_{w=1} = 1")

    proof.section("6. Pure synthetic data, $w = 0$: collapse")
    proof.equal("At $w = 0$ (and $\\kappa_s = 1$) the map adds one unit per step.",
                mn.variance_factor_map.subs({w: 0, kappa_s: 1}), c_prev + 1,
                latex=r"c_t\big|_{w=0} = c_{t-1} + 1")
    proof.equal("`rsolve` from $c_0 = 1$: linear growth.", mn.c_t_at_zero, 1 + t,
                name=r"c_t(0)")
    zero_map = mn.variance_factor_map.subs(w, 0)
    iterated = [sp.Integer(1)]
    for _ in range(5):
        iterated.append(sp.expand(zero_map.subs(c_prev, iterated[-1])))
    proof.equal("With general $\\kappa_s$ each step adds $\\kappa_s$: iterating from $c_0 = 1$ "
                "gives $1 + t\\kappa_s$ ($t \\le 5$), as the public helper `c_t` returns.",
                [iterated, [c_t_helper(0, k, kappa_s=kappa_s) for k in range(6)]],
                [[1 + k * kappa_s for k in range(6)]] * 2,
                latex=r"c_t(0;\kappa_s) = 1 + t\kappa_s \quad (t = 0, \dots, 5)")

    proof.section("7. The mean multiplier: the bias depends on neither $w$ nor $t$")
    proof.equal("`rsolve` of $a_t = w + (1-w)a_{t-1}$, $a_0 = 1$.", mn.mean_multiplier_t, 1,
                name="a_t")
    proof.equal("Indeed $a = 1$ is a fixed point of the mean map for every $w$.",
                rec.mean_map.subs(a_prev, 1), 1, latex=r"w + (1-w)\cdot 1 = 1")
    proof.text("So on every direction with $d_i > 0$ the estimator is unbiased, and on the "
               "null space of $X$ every coordinate stays $0$. The bias is "
               "$\\|(I - P_X)\\beta\\|_\\Sigma^2$ for all $w$ and $t$, and "
               "$R_t(w) = B_0 + c_t(w)\\,V_0$, $R_\\infty(w) = B_0 + c(w)\\,V_0$, "
               "minimised at $w^\\star = 1/\\varphi$ with $R_\\infty(w^\\star) = B_0 + V_0/\\varphi$. "
               "$\\blacksquare$")
    return proof


if __name__ == "__main__":
    # a proof run as a script derives afresh from the model, never from the
    # on-disk derivation cache (read when a derivation is first asked for)
    os.environ.setdefault("RMTHEORY_CACHE", "off")
    run_proof(build, "p1_minnorm.md", default_dir=Path.cwd() / "proofs-output")
