r"""Result 7 — the four retraining schemes, eigen-direction by eigen-direction.

Starts from the estimator of each scheme on one eigen-direction of
``XᵀX/n`` (mix, replace, dynamic: the mixed-label refit; accumulate: the
refit on the average label vector), derives the mean and variance multiplier
recursions, proves their closed forms (induction, and explicit iteration for
small ``t``), their limits, and the min-norm variance factors: replace
``1 + κ_s t`` (linear collapse), dynamic ``v_t = w_t``, accumulate
``1 + κ_s Σ_{j=2}^{t+1} 1/j² → 1 + κ_s(π²/6 − 1)``; under accumulate the
ridge fit tends to the zero estimator. Every step is checked exactly.

Run ``python -m rmtheory.proofs.p7_schemes [--output DIR]``, or read it with
``rmtheory.derivation("p7_schemes")``.
"""
import os
from pathlib import Path

import sympy as sp

from rmtheory.symbolic.minnorm import c_prev
from rmtheory.symbolic.model import _b_prev, _eps_synth, fitting_gain
from rmtheory.symbolic.proof import Proof, run_proof
from rmtheory.symbolic.recursion import a_prev, u_prev
from rmtheory.symbolic.schemes import (accumulate_step, binet, binet_growth,
                                       dynamic_weight_binet, scheme_multipliers,
                                       summation_index, trigamma)
from rmtheory.symbolic.symbols import d, kappa_s, lam, n, t, w

#: the closed forms are also checked by explicit iteration for t = 0, …, T_MAX
T_MAX = 5
j = summation_index
T = sp.Symbol("T", positive=True)          # a real t, for the Gamma asymptotics
F = sp.fibonacci
_W = sp.Symbol("W")


def step_forward(expr):
    return sp.expand_power_exp(expr.subs(t, t + 1))


def exact(expr):
    return sp.cancel(sp.expand_func(sp.sympify(expr).doit()))


def identity(expr):
    """Zero after Binet's formula and rationalisation (Fibonacci identities in t)."""
    return sp.simplify(sp.radsimp(sp.together(binet(expr))))


def iterate(m, point, steps):
    """``(a_k, u_k)`` for ``k ≤ steps`` by the maps, dynamic weights as F ratios."""
    def at(expr, k):
        if m.weight is not None and m.weight.has(t):
            expr = expr.xreplace({m.weight: _W}).subs(_W, F(2 * k + 1) / F(2 * k + 2))
        return expr.subs({**point, t: k})
    a, u = [m.a0.subs(point)], [m.u0.subs(point)]
    for k in range(1, steps + 1):
        a.append(exact(at(m.mean_map, k).subs(a_prev, a[-1])))
        u.append(exact(at(m.variance_map, k).subs(u_prev, u[-1])))
    return a, u


def build():
    r = d / (d + lam)
    nu = d / (d + lam)**2
    s_w = w**2 + kappa_s * (1 - w)**2
    point = {d: sp.Rational(13, 10), lam: sp.Rational(7, 10), w: sp.Rational(3, 5),
             kappa_s: sp.Rational(3, 2)}
    mix, rep, dyn, acc = (scheme_multipliers(s) for s in ("mix", "replace", "dynamic", "accumulate"))
    mix0, rep0, dyn0, acc0 = (scheme_multipliers(s, 0)
                              for s in ("mix", "replace", "dynamic", "accumulate"))
    proof = Proof(
        "Result 7: the four retraining schemes, eigenvalue by eigenvalue",
        "Fix the design and an eigenvector of $\\hat\\Sigma = X^\\top X/n$ with eigenvalue "
        "$d > 0$. Write $\\rho = d/(d+\\lambda)$ and $\\nu = d/(d+\\lambda)^2$. Under every scheme "
        "the coordinate $b_t$ of $\\hat\\beta_t$ has mean $a_t(d)\\beta_i$ and variance "
        "$(\\sigma^2/n)\\,u_t(d)$; the schemes differ in the labels of the refit: mixed with "
        "weight $w$ (mix), synthetic only (replace, $w_t = 0$), the greedy weight "
        "$w_t = (1+w_{t-1})/(2+w_{t-1})$ (dynamic), or the original labels together with every "
        "synthetic label set so far (accumulate).",
        symbol_names={_W: "w_t", binet_growth: "X", T: "t"})

    proof.section("1. Mix, replace and dynamic: one recursion with weight $w_t$")
    proof.equal("Mean map of a refit with real-data weight $w$ (derived from the estimator, "
                "result 4).", mix.mean_map, r * (w + (1 - w) * a_prev), name="a_t")
    proof.equal("Variance map.", mix.variance_map,
                (1 - w)**2 * r**2 * u_prev + s_w * nu, name="u_t")
    proof.equal("Replace is mix at $w = 0$: the mean map.", rep.mean_map, r * a_prev, name="a_t")
    proof.equal("Replace: the variance map.", rep.variance_map,
                r**2 * u_prev + kappa_s * nu, name="u_t")
    wt = dynamic_weight_binet()
    proof.equal("Dynamic uses $w_t = F_{2t+1}/F_{2t+2}$ (result 3), written by Binet's formula "
                "in a form finite in floating point for every $t$; identically in $t$:",
                identity(wt - F(2 * t + 1) / F(2 * t + 2)), 0,
                latex=r"\frac{\varphi^{-1} + \varphi^{-(4t+3)}}{1 - \varphi^{-(4t+4)}} = "
                      r"\frac{F_{2t+1}}{F_{2t+2}}")
    proof.equal("It satisfies the greedy weight map $w_t = (1 + w_{t-1})/(2 + w_{t-1})$.",
                identity(wt - (1 + wt.subs(t, t - 1)) / (2 + wt.subs(t, t - 1))), 0,
                latex=r"w_t = \frac{1 + w_{t-1}}{2 + w_{t-1}}")
    proof.equal("And starts at $w_0 = 1$.", wt.subs(t, 0), 1, name="w_0")

    proof.section("2. Accumulate: the step from the average label")
    proof.text("At step $t$ the fit sees $X$ stacked $t+1$ times with labels "
               "$[y_0; \\tilde y_1; \\dots; \\tilde y_t]$; with the penalty normalised by the "
               "number of rows this is $A\\bar y_t$, $\\bar y_t = S_t/(t+1)$, "
               "$S_t = S_{t-1} + X\\hat\\beta_{t-1} + \\tilde\\varepsilon_t$. On the direction "
               "$S_{t-1} = t\\,b_{t-1}/A$ since $b_{t-1} = A S_{t-1}/t$.")
    A = fitting_gain(lam)
    proof.display("b_t = " + proof.latex(accumulate_step(lam)))
    proof.equal("The coefficient of $b_{t-1}$.", sp.diff(accumulate_step(lam), _b_prev),
                (t + r) / (t + 1), latex=r"\partial b_t/\partial b_{t-1} = \frac{t + \rho}{t + 1}")
    proof.equal("The coefficient of $\\tilde\\varepsilon_t$ squared, times $n$.",
                n * sp.diff(accumulate_step(lam), _eps_synth)**2, nu / (t + 1)**2,
                latex=r"n\,\bigl(A/(t+1)\bigr)^2 = \frac{\nu}{(t+1)^2}")
    proof.equal("Mean map.", acc.mean_map, (t + r) / (t + 1) * a_prev, name="a_t")
    proof.equal("Variance map ($\\tilde\\varepsilon_t$ of variance $\\kappa_s\\sigma^2$, "
                "independent of $b_{t-1}$).", acc.variance_map,
                ((t + r) / (t + 1))**2 * u_prev + kappa_s * nu / (t + 1)**2, name="u_t")
    proof.equal("Start: the first fit is one fit on real labels.", [acc.a0, acc.u0], [r, nu],
                latex=r"(a_0, u_0) = (\rho, \nu)")
    proof.equal("Check of the step at $t = 1$ from $S_1 = y_0 + X\\hat\\beta_0 + "
                "\\tilde\\varepsilon_1$ directly: $b_1 = A(S_0 + \\sqrt{nd}\\,b_0 + "
                "\\tilde\\varepsilon_1)/2$ with $S_0 = b_0/A$.",
                accumulate_step(lam).subs(t, 1),
                A * (_b_prev / A + sp.sqrt(n * d) * _b_prev + _eps_synth) / 2,
                latex=r"b_1 = \tfrac12 A\,(b_0/A + \sqrt{nd}\,b_0 + \tilde\varepsilon_1)")

    proof.section("3. Closed forms in $t$")
    proof.equal("Replace, $\\lambda > 0$: mix's geometric form at $w = 0$.", rep.mean_t,
                r**(t + 1), name="a_t")
    proof.equal("Its induction step.", rep.mean_map.subs(a_prev, rep.mean_t),
                step_forward(rep.mean_t), latex=r"\rho\,a_t = a_{t+1}")
    proof.equal("Replace, variance: base case.", rep.variance_t.subs(t, 0), nu, name="u_0")
    proof.equal("Induction step.", rep.variance_map.subs(u_prev, rep.variance_t),
                step_forward(rep.variance_t), latex=r"\rho^2 u_t + \kappa_s\nu = u_{t+1}")
    P = sp.gamma(t + 1 + r) / (sp.gamma(1 + r) * sp.gamma(t + 2))
    proof.equal("Accumulate, mean: the product $\\prod_{k=1}^t (k+\\rho)/(k+1)$ is a ratio "
                "of Gamma functions.", acc.mean_t, r * P,
                latex=r"a_t = \rho\,\frac{\Gamma(t+1+\rho)}{\Gamma(1+\rho)\,\Gamma(t+2)}")
    proof.equal("Its induction step ($\\Gamma(x+1) = x\\Gamma(x)$).",
                sp.gammasimp(acc.mean_map.subs(t, t + 1).subs(a_prev, acc.mean_t)
                             / acc.mean_t.subs(t, t + 1)), 1,
                latex=r"\frac{t+1+\rho}{t+2}\,a_t = a_{t+1}")
    proof.equal("Accumulate, variance: base case.", acc.variance_t.subs(t, 0).doit(), nu,
                name="u_0")
    closed = acc.variance_t
    summand = closed.atoms(sp.Sum).pop().function
    head = closed.subs(closed.atoms(sp.Sum).pop(), sp.Symbol("S_t"))
    S = sp.Symbol("S_t")
    forward = head.subs(t, t + 1).subs(S, S + summand.subs(j, t + 1))
    proof.equal("Induction step: with $S_t$ the sum up to $t$ and "
                "$S_{t+1} = S_t + (\\text{term } t+1)$, the map sends $u_t$ to $u_{t+1}$.",
                sp.gammasimp(acc.variance_map.subs(t, t + 1).subs(u_prev, head) - forward), 0,
                latex=r"\Bigl(\frac{t+1+\rho}{t+2}\Bigr)^2 u_t + \frac{\kappa_s\nu}{(t+2)^2} = u_{t+1}")
    proof.equal("Dynamic: $\\rho(1 - w_t) = \\rho F_{2t}/F_{2t+2}$, so the product "
                "telescopes to $\\rho^t/F_{2t+2}$; the resulting sums are, identically in "
                "$t$ (Binet), solutions of the mean map.",
                identity(dyn.mean_map.xreplace({wt: F(2 * t + 1) / F(2 * t + 2)})
                         .subs(a_prev, sp.Symbol("a")) * F(2 * t + 2)
                         - r * (F(2 * t + 1) + F(2 * t) * sp.Symbol("a"))), 0,
                latex=r"F_{2t+2}\,a_t = \rho\,(F_{2t+1} + F_{2t}\,a_{t-1})")
    for label, m in (("mix", mix), ("replace", rep), ("dynamic", dyn), ("accumulate", acc),
                     ("mix, $\\lambda = 0$", mix0), ("replace, $\\lambda = 0$", rep0),
                     ("dynamic, $\\lambda = 0$", dyn0), ("accumulate, $\\lambda = 0$", acc0)):
        a, u = iterate(m, point, T_MAX)
        proof.equal(f"{label}: the closed forms equal the iterated maps at "
                    f"$t = 0, \\dots, {T_MAX}$ (at $d = 13/10$, $\\lambda = 7/10$, $w = 3/5$, "
                    "$\\kappa_s = 3/2$).",
                    [exact(m.mean_t.subs({**point, t: k})) for k in range(T_MAX + 1)]
                    + [exact(m.variance_t.subs({**point, t: k})) for k in range(T_MAX + 1)],
                    a + u, latex=r"(a_t, u_t)_{\text{closed}} = (a_t, u_t)_{\text{iterated}}"
                                 r"\quad\text{(" + label.replace("$", "").replace("\\lambda", "λ")
                                 .replace("λ", r"$\lambda$") + r")}")

    proof.section("4. Limits $t \\to \\infty$")
    proof.equal("Replace, $\\lambda > 0$: $\\rho < 1$, so $a_t = \\rho^{t+1} \\to 0$ and the "
                "variance tends to the fixed point of $u \\mapsto \\rho^2 u + \\kappa_s\\nu$.",
                rep.variance_limit, kappa_s * d / (lam * (2 * d + lam)),
                name=r"u_\infty^{\mathrm{replace}}")
    proof.equal("It is the fixed point.", rep.variance_map.subs(u_prev, rep.variance_limit),
                rep.variance_limit, latex=r"\rho^2 u_\infty + \kappa_s\nu = u_\infty")
    proof.equal("Dynamic: $w_t \\to 1/\\varphi$ and the maps are contractions with factor "
                "$(1 - w_t)\\rho \\le \\rho < 1$, so the iterates converge to the fixed point "
                "of the limit map, mix at $w = 1/\\varphi$: the mean.", dyn.mean_limit,
                d / (d + sp.GoldenRatio * lam), name=r"a_\infty^{\mathrm{dynamic}}")
    proof.equal("The variance: mix's stationary variance at $w = 1/\\varphi$.",
                dyn.variance_limit, mix.variance_limit.subs(w, 1 / sp.GoldenRatio),
                name=r"u_\infty^{\mathrm{dynamic}}")
    proof.text("Accumulate, $\\lambda > 0$: $0 < \\rho < 1$. Gamma-ratio asymptotics give the "
               "rate of $a_t$ (a power of $t$):")
    proof.equal("$\\log\\Gamma(t+1+\\rho) - \\log\\Gamma(t+2) + (1-\\rho)\\log t \\to 0$ "
                "(derived limit), so $a_t \\sim \\rho\\, t^{\\rho - 1}/\\Gamma(1+\\rho) = "
                "t^{-\\lambda/(d+\\lambda)}/\\Gamma(\\rho) \\to 0$.",
                sp.limit(sp.loggamma(T + 1 + sp.Symbol("r", positive=True)) - sp.loggamma(T + 2)
                         + (1 - sp.Symbol("r", positive=True)) * sp.log(T), T, sp.oo), 0,
                latex=r"\lim_{t\to\infty}\bigl[\log\Gamma(t+1+\rho) - \log\Gamma(t+2) + "
                      r"(1-\rho)\log t\bigr] = 0")
    proof.equal("The exponent of the mean's decay.", acc.mean_rate, lam / (d + lam),
                latex=r"a_t = \Theta\bigl(t^{-\lambda/(d+\lambda)}\bigr)")
    proof.text("The variance: the summand of $u_t$ is $\\kappa_s\\nu\\,\\Gamma(1+\\rho)^2 "
               "(\\Gamma(j+1)/\\Gamma(j+1+\\rho))^2 \\sim \\kappa_s\\nu\\,\\Gamma(1+\\rho)^2 "
               "j^{-2\\rho}$ (the same limit with $t \\to j$). For $d > \\lambda$ ($2\\rho > 1$) "
               "the sum converges and $u_t = \\Theta(t^{2\\rho-2})$; for $d < \\lambda$ it "
               "grows like $t^{1-2\\rho}/(1-2\\rho)$ (Stolz–Cesàro) and "
               "$u_t \\sim \\kappa_s\\nu/((1-2\\rho)t)$; at $d = \\lambda$ a $\\log t$ appears. "
               "In every case $u_t \\to 0$: under accumulate the ridge fit tends to the zero "
               "estimator, and its risk to $\\|\\beta\\|_\\Sigma^2$.")
    proof.equal("The exponent of the variance's decay.", acc.variance_rate,
                sp.Min(1, 2 * lam / (d + lam)),
                latex=r"u_t = \Theta\bigl(t^{-\min(1,\,2\lambda/(d+\lambda))}\bigr)"
                      r"\ \ (\times\log t \text{ at } d = \lambda)")
    proof.equal("The $d < \\lambda$ constant: $\\kappa_s\\nu/(1 - 2\\rho)$.",
                acc.variance_asymptotic.args[2][0] * t,
                kappa_s * d / ((d + lam) * (lam - d)),
                latex=r"t\,u_t \to \frac{\kappa_s d}{(d+\lambda)(\lambda-d)}\quad(d < \lambda)")

    proof.section("5. Min-norm variance factors $c_t = d\\,u_t$ ($\\lambda = 0$, $\\rho = 1$)")
    proof.equal("Replace: $c_t = c_{t-1} + \\kappa_s$ ...", rep0.variance_factor_map,
                c_prev + kappa_s, name="c_t")
    proof.equal("... so the variance grows linearly: collapse.", rep0.variance_factor_t,
                1 + kappa_s * t, name=r"c_t^{\mathrm{replace}}")
    proof.equal("Accumulate: $c_t = c_{t-1} + \\kappa_s/(t+1)^2$.", acc0.variance_factor_map,
                c_prev + kappa_s / (t + 1)**2, name="c_t")
    proof.equal("Its solution is the partial sum.", acc0.variance_factor_t,
                1 + kappa_s * sp.Sum(1 / (j + 1)**2, (j, 1, t)), name=r"c_t^{\mathrm{acc}}")
    proof.equal("Explicitly $1 + \\kappa_s\\sum_{j=2}^{t+1} 1/j^2$ for $t \\le 8$.",
                [acc0.variance_factor_t.subs(t, k).doit() for k in range(9)],
                [1 + kappa_s * sum(sp.Rational(1, i**2) for i in range(2, k + 2)) for k in range(9)],
                latex=r"c_t^{\mathrm{acc}} = 1 + \kappa_s\sum_{j=2}^{t+1}\frac{1}{j^2},\quad t \le 8")
    proof.equal("The tail is a trigamma value: $\\sum_{j>t} 1/(j+1)^2 = \\psi_1(t+2)$, "
                "checked for $t \\le 8$.",
                [trigamma(k + 2) for k in range(9)],
                [sp.Sum(1 / (j + 1)**2, (j, k + 1, sp.oo)).doit() for k in range(9)],
                latex=r"\psi_1(t+2) = \sum_{j=t+1}^{\infty}\frac{1}{(j+1)^2}")
    proof.equal("Bounded although no fresh real labels enter: the limit.",
                acc0.variance_factor_limit, 1 + kappa_s * (sp.pi**2 / 6 - 1),
                name=r"c_\infty^{\mathrm{acc}}")
    proof.equal("At $\\kappa_s = 1$ it is $\\zeta(2) = \\pi^2/6$.",
                acc0.variance_factor_limit.subs(kappa_s, 1), sp.zeta(2),
                name=r"c_\infty^{\mathrm{acc}}\big|_{\kappa_s=1}")
    v = dyn0.variance_factor_t
    proof.equal("Dynamic: base case of $v_t = F_{2t+1}/F_{2t+2} + (\\kappa_s-1)"
                "(F_{4t+2} - 2t - 1)/(5F_{2t+2}^2)$.", v.subs(t, 0), 1, name="v_0")
    proof.equal("Induction step (Binet, identically in $t$ and $\\kappa_s$).",
                identity(dyn0.variance_factor_map.subs(t, t + 1).subs(c_prev, v)
                         - v.subs(t, t + 1)), 0,
                latex=r"(1-w_{t+1})^2 v_t + w_{t+1}^2 + \kappa_s(1-w_{t+1})^2 = v_{t+1}")
    proof.equal("At $\\kappa_s = 1$: $v_t = w_t$ (result 3).", v.subs(kappa_s, 1),
                F(2 * t + 1) / F(2 * t + 2), latex=r"v_t\big|_{\kappa_s=1} = w_t")
    proof.equal("Limit: $c(1/\\varphi;\\kappa_s)$, which is $1/\\varphi$ at $\\kappa_s = 1$.",
                dyn0.variance_factor_limit,
                sp.radsimp(sp.expand(mix0.variance_factor_limit.subs(w, 1 / sp.GoldenRatio),
                                     func=True)),
                name=r"v_\infty")
    proof.equal("At $\\kappa_s = 1$.", dyn0.variance_factor_limit.subs(kappa_s, 1), 1 / sp.GoldenRatio,
                name=r"v_\infty\big|_{\kappa_s=1}")
    g = (w - 1)**(2 * t)        # = (1 − w)^{2t}; SymPy keeps the base its rsolve chose
    proof.equal("Mix: the factor of result 1, $c_t(w;\\kappa_s)$.", mix0.variance_factor_t,
                g + s_w * (1 - g) / (1 - (1 - w)**2),
                latex=r"c_t = (1-w)^{2t} + s_w\frac{1 - (1-w)^{2t}}{1 - (1-w)^2}")
    proof.text("So, at $\\lambda = 0$: replace collapses linearly, accumulate stays bounded "
               "by $1 + \\kappa_s(\\pi^2/6 - 1)$, mix converges to $c(w;\\kappa_s)$, dynamic "
               "to $c(1/\\varphi;\\kappa_s)$; for $\\lambda > 0$ replace converges to a pure "
               "variance $\\kappa_s d/(\\lambda(2d+\\lambda))$ with zero mean and accumulate "
               "to the zero estimator at a power rate. $\\blacksquare$")
    return proof


if __name__ == "__main__":
    # a proof run as a script derives afresh from the model, never from the
    # on-disk derivation cache (read when a derivation is first asked for)
    os.environ.setdefault("RMTHEORY_CACHE", "off")
    run_proof(build, "p7_schemes.md", default_dir=Path.cwd() / "proofs-output")
