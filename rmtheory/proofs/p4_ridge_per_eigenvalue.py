r"""Result 4 — ridge: per-eigenvalue multipliers, their limits, and the variance bracket.

Starts from the ridge estimator on one eigen-direction, derives the mean
and variance multiplier recursions, their closed forms in ``t`` and their
stationary points ``a_∞ = d/(d+λ/w)`` and
``u_∞ = c(w;κ_s) d/((d+λ/w)(d+λ/(2−w)))``, then turns the variance trace into
the divided difference of ``κ``. Every step is checked exactly.

Run ``python -m rmtheory.proofs.p4_ridge_per_eigenvalue [--output DIR]``, or read it with
``rmtheory.derivation("p4_ridge_per_eigenvalue")``.
"""
import os
from pathlib import Path

import sympy as sp

from rmtheory.symbolic import general
from rmtheory.symbolic.model import noise_gain, one_step, rho
from rmtheory.symbolic.proof import Proof, run_proof
from rmtheory.symbolic.recursion import (a_prev, multiplier_recursion,
                                         stationary_point, u_prev)
from rmtheory.symbolic.ridge import _a, _b, derive_ridge, kappa_fn
from rmtheory.symbolic.symbols import d, gamma, kappa, kappa_s, lam, n, t, w

#: the check of the closed forms at explicit t runs over t = 0, …, T_MAX
T_MAX = 6
x = sp.Symbol("x", positive=True)


def step_forward(expr):
    """``expr`` at ``t + 1``, with ``base^{k(t+1)}`` split as ``base^{kt} base^k``."""
    return sp.expand_power_exp(expr.subs(t, t + 1))


def build():
    rg = derive_ridge()
    rec = multiplier_recursion(lam)
    r = d / (d + lam)
    s_w = w**2 + kappa_s * (1 - w)**2
    c_ks = s_w / (w * (2 - w))
    c = (w**2 + (1 - w)**2) / (w * (2 - w))
    proof = Proof(
        "Result 4: ridge, eigenvalue by eigenvalue",
        "Fix the design and let $d$ be an eigenvalue of $\\hat\\Sigma = X^\\top X/n$. The ridge "
        "fit $A_\\lambda = (X^\\top X + n\\lambda I)^{-1}X^\\top$ is diagonal in the singular bases "
        "of $X$, so each coordinate $b_t$ of $\\hat\\beta_t$ on an eigenvector evolves on its own. "
        "Its mean is $a_t(d)\\beta_i$ and its variance $(\\sigma^2/n)\\,u_t(d)$.",
        symbol_names={_a: "a", _b: "b"})

    proof.section("1. From the estimator to the multiplier recursions")
    proof.display("b_t = " + proof.latex(one_step(lam)))
    proof.equal("Shrinkage of one fit.", rho(lam), r, name=r"\rho(d)")
    proof.equal("Variance gain of a unit of label noise.", noise_gain(lam),
                d / (n * (d + lam)**2), name="A^2")
    proof.equal("Mean multiplier map.", rec.mean_map, r * (w + (1 - w) * a_prev), name="a_t")
    proof.equal("Start: one ridge fit on real labels.", rec.a0, r, name="a_0")
    proof.equal("Variance multiplier map.", rec.variance_map,
                (1 - w)**2 * r**2 * u_prev + s_w * d / (d + lam)**2, name="u_t")
    proof.equal("Start.", rec.u0, d / (d + lam)**2, name="u_0")

    proof.section("2. Stationary points")
    proof.equal("The mean map is affine with slope $(1-w)\\rho$ ...", rg.contraction,
                (1 - w) * r, name=r"\partial_{a_{t-1}} a_t")
    proof.positive("... and $1 - (1-w)\\rho = (wd + \\lambda)/(d + \\lambda) > 0$, so, with "
                   "$(1-w)\\rho \\ge 0$, both maps are contractions and their iterates converge "
                   "to the fixed points.", sp.factor(1 - rg.contraction), name=r"1 - (1-w)\rho")
    proof.equal("Fixed point of the mean map.", rg.mean_stationary, d / (d + lam / w),
                name=r"a_\infty(d)")
    proof.equal("It is a fixed point.", rec.mean_map.subs(a_prev, d / (d + lam / w)),
                d / (d + lam / w), latex=r"\rho\,(w + (1-w)\,a_\infty) = a_\infty")
    proof.equal("The stationary mean is one ridge fit at the penalty $\\lambda/w$, so the "
                "stationary bias is the ridge bias $B(\\lambda/w)$.",
                rg.mean_stationary, rho(lam / w), latex=r"a_\infty(d) = \rho_{\lambda/w}(d)")
    proof.equal("The key factorisation of $1 - (1-w)^2\\rho^2$ (times $(d+\\lambda)^2$).",
                (d + lam)**2 - (1 - w)**2 * d**2, (w * d + lam) * ((2 - w) * d + lam),
                latex=r"(d + \lambda)^2 - (1-w)^2 d^2 = (wd + \lambda)((2-w)d + \lambda)")
    u_inf = c_ks * d / ((d + lam / w) * (d + lam / (2 - w)))
    proof.equal("Fixed point of the variance map, general $\\kappa_s$.", rg.variance_stationary,
                u_inf, name=r"u_\infty(d)")
    proof.equal("Independently: the fixed point of the derived variance map.",
                stationary_point(rec.variance_map, u_prev), u_inf,
                latex=r"u_\infty = (1-w)^2\rho^2 u_\infty + s_w \frac{d}{(d+\lambda)^2}")
    proof.equal("For $\\kappa_s = 1$: $c(w)$ times a product of two ridge shrinkages.",
                rg.variance_stationary_kappa_s1, c * d / ((d + lam / w) * (d + lam / (2 - w))),
                name=r"u_\infty(d)")
    proof.equal("At $w = 1$ there is no synthetic data: $u_\\infty = u_0$, one ridge fit.",
                rg.variance_multiplier_at_w1, d / (d + lam)**2, name=r"u_\infty(d)\big|_{w=1}")
    proof.equal("As $\\lambda \\to 0$ the min-norm factor returns: $u_\\infty \\to c(w)/d$ ...",
                rg.variance_multiplier_lam0, c / d, name=r"\lim_{\lambda\to0} u_\infty(d)")
    proof.equal("... $= c(w)\\,u_0$ at $\\lambda = 0$.", rg.u0_lam0, 1 / d,
                name=r"\lim_{\lambda\to0} u_0(d)")

    proof.section("3. Closed forms in $t$")
    mean_geo = d / (d + lam / w) + (r - d / (d + lam / w)) * ((1 - w) * r)**t
    var_geo = u_inf + (rec.u0 - u_inf) * ((1 - w) * r)**(2 * t)
    proof.equal("Mean: the `rsolve` solution equals the geometric form "
                "$a_\\infty + (a_0 - a_\\infty)((1-w)\\rho)^t$.", rg.mean_t, mean_geo,
                latex=r"a_t(d) = a_\infty + (a_0 - a_\infty)\,((1-w)\rho)^{t}")
    proof.equal("The derived geometric mean form is the same expression.", rg.mean_t_geometric,
                mean_geo, latex=r"a_t^{\text{geometric}} = a_\infty + (a_0 - a_\infty)\,((1-w)\rho)^{t}")
    proof.equal("Variance: the derived geometric form.", rg.variance_t_geometric, var_geo,
                latex=r"u_t(d) = u_\infty + (u_0 - u_\infty)\,((1-w)\rho)^{2t}")
    proof.text("`simplify` cannot match powers such as $(d^2(w-1)^2)^t$ against "
               "$((1-w)d)^{2t}$ directly, so the equality of the `rsolve` solution and the "
               "geometric form is proved by induction: both start at $u_0$ and both are "
               "mapped to their value at $t+1$ by the recursion (a first-order recursion has "
               "one solution per start).")
    for label, closed in (("`rsolve`", rg.variance_t), ("geometric", var_geo)):
        proof.equal(f"Base case of the {label} variance form.", closed.subs(t, 0), rec.u0,
                    latex=r"u_0^{\text{" + label.strip("`") + r"}} = \frac{d}{(d+\lambda)^2}")
        proof.equal(f"Induction step of the {label} variance form.",
                    rec.variance_map.subs(u_prev, closed), step_forward(closed),
                    latex=r"(1-w)^2\rho^2\, u_t + s_w \frac{d}{(d+\lambda)^2} = u_{t+1}"
                          r"\quad\text{(" + label.strip("`") + r")}")
    for label, closed in (("`rsolve`", rg.mean_t), ("geometric", mean_geo)):
        proof.equal(f"Induction step of the {label} mean form (its base case is $a_0 = \\rho$).",
                    rec.mean_map.subs(a_prev, closed), step_forward(closed),
                    latex=r"\rho\,(w + (1-w) a_t) = a_{t+1}\quad\text{(" + label.strip("`") + ")}")
    proof.equal(f"And explicitly at $t = 0, \\dots, {T_MAX}$: `rsolve` equals the geometric form.",
                [rg.variance_t.subs(t, k) for k in range(T_MAX + 1)],
                [var_geo.subs(t, k) for k in range(T_MAX + 1)],
                latex=r"u_t^{\texttt{rsolve}} = u_t^{\text{geometric}}, \quad t = 0, \dots, "
                      + str(T_MAX))
    iterated_a, iterated_u = [rec.a0], [rec.u0]
    for _ in range(3):
        iterated_a.append(rec.mean_map.subs(a_prev, iterated_a[-1]))
        iterated_u.append(rec.variance_map.subs(u_prev, iterated_u[-1]))
    proof.equal("Direct iteration of both recursions agrees with the geometric forms for "
                "$t \\le 3$.", iterated_a + iterated_u,
                [mean_geo.subs(t, k) for k in range(4)] + [var_geo.subs(t, k) for k in range(4)],
                latex=r"(a_t, u_t)_{\text{iterated}} = (a_t, u_t)_{\text{geometric}},\quad t \le 3")

    proof.section("4. The variance trace and the divided difference of $\\kappa$")
    proof.text("The variance of $\\hat\\beta_\\infty$ is $(\\sigma^2/n)\\operatorname{tr}"
               "(\\Sigma\\, u_\\infty(\\hat\\Sigma))$. Write $a = \\lambda/w$, $b = \\lambda/(2-w)$.")
    pf = (_a / (d + _a) - _b / (d + _b)) / (_a - _b)
    proof.equal("Partial fractions in $d$ (derived by `apart`).", rg.partial_fraction,
                d / ((d + _a) * (d + _b)), latex=r"\text{apart} = \frac{d}{(d+a)(d+b)}")
    proof.equal("... as a difference of two ridge shrinkages.", rg.partial_fraction, pf,
                latex=r"\frac{d}{(d+a)(d+b)} = \frac{1}{a-b}\Bigl(\frac{a}{d+a} - \frac{b}{d+b}\Bigr)")
    gamma_I1 = sp.solve(general.kappa_equation.subs(lam, x), general.I1)[0] * gamma
    proof.equal("The fixed point $x = \\kappa(1 - \\gamma I_1)$ gives "
                "$\\kappa\\gamma I_1 = \\kappa - x$; with the deterministic equivalent "
                "$x(\\hat\\Sigma + x)^{-1} \\asymp \\kappa(\\Sigma + \\kappa)^{-1}$ the trace "
                "$\\frac1n\\operatorname{tr}(\\Sigma\\, x(\\hat\\Sigma + x)^{-1}) \\to "
                "\\gamma\\int \\frac{s\\kappa}{s+\\kappa}dH = \\kappa\\gamma I_1$.",
                kappa * gamma_I1, kappa - x, latex=r"\kappa\,\gamma I_1 = \kappa(x) - x")
    proof.equal("The library's trace of shrinkage.", general.trace_of_shrinkage(x),
                kappa_fn(x) - x,
                latex=r"\lim \tfrac1n\operatorname{tr}(\Sigma\, x(\hat\Sigma + x)^{-1}) = \kappa(x) - x")
    a, b = lam / w, lam / (2 - w)
    bracket = (kappa_fn(b) - kappa_fn(a)) / (b - a) - 1
    proof.equal("Term by term, the trace divided by $c(w)$ is a divided difference.",
                rg.bracket, bracket,
                latex=r"\frac{(\kappa(a) - a) - (\kappa(b) - b)}{a - b} = "
                      r"\frac{\kappa(\lambda/(2-w)) - \kappa(\lambda/w)}{\lambda/(2-w) - \lambda/w} - 1")
    proof.text("Hence $V_\\infty = \\sigma^2 c(w;\\kappa_s)\\,\\bigl[\\frac{\\kappa(b) - \\kappa(a)}"
               "{b - a} - 1\\bigr]$ and $R_\\infty(w,\\lambda) = B(\\lambda/w) + V_\\infty$.")
    proof.equal("As $w \\to 1$ both penalties tend to $\\lambda$ and the bracket tends to "
                "$\\kappa'(\\lambda) - 1$, the ridge variance factor (derived limit).",
                rg.bracket_at_w1, sp.Derivative(kappa_fn(lam), lam) - 1,
                latex=r"\lim_{w\to1}\Bigl[\frac{\kappa(b) - \kappa(a)}{b - a} - 1\Bigr] = "
                      r"\kappa'(\lambda) - 1")
    for name, f in (("\\sqrt{1+x}", lambda y: sp.sqrt(1 + y)), ("e^{x}", sp.exp)):
        proof.equal(f"Check of the limit with the concrete smooth function $\\kappa(x) = {name}$.",
                    sp.limit(rg.bracket.replace(kappa_fn, f), w, 1),
                    sp.diff(f(x), x).subs(x, lam) - 1,
                    latex=r"\lim_{w\to1}[\,\cdot\,]_{\kappa = " + name + r"} = "
                          r"\kappa'(\lambda) - 1")
    proof.equal("With $\\kappa_s = 1$ at $w = 1$, $c(1) = 1$: the variance is the ridge "
                "variance $\\sigma^2(\\kappa'(\\lambda) - 1)$.", c.subs(w, 1), 1, name="c(1)")
    proof.text("So the stationary mixed-ridge risk is a ridge bias at $\\lambda/w$ plus "
               "$c(w;\\kappa_s)$ times a divided difference of the effective regularisation "
               "between $\\lambda/w$ and $\\lambda/(2-w)$; it reduces to ridge at $w = 1$ and to "
               "result 1 as $\\lambda \\to 0$. $\\blacksquare$")
    return proof


if __name__ == "__main__":
    # a proof run as a script derives afresh from the model, never from the
    # on-disk derivation cache (read when a derivation is first asked for)
    os.environ.setdefault("RMTHEORY_CACHE", "off")
    run_proof(build, "p4_ridge_per_eigenvalue.md", default_dir=Path.cwd() / "proofs-output")
