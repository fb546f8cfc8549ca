r"""Result 3 — dynamic mixing: the greedy weight schedule is optimal and Fibonacci.

Starts from the variance-factor recursion of result 1 with a weight
``w_t`` chosen afresh at every step, derives the greedy weight
``(1 + v)/(2 + v)``, proves by induction that it is optimal at every
``t``, identifies ``w_t = F_{2t+1}/F_{2t+2}`` exactly for ``t ≤ 30`` and
for all ``t`` by induction, and shows ``w_t → 1/φ``.

Run ``python -m rmtheory.proofs.p3_dynamic_mixing [--output DIR]``, or read it with
``rmtheory.derivation("p3_dynamic_mixing")``.
"""
import os
from pathlib import Path

import sympy as sp

from rmtheory.symbolic.dynamic import (_F_even, _F_odd, _growth, _v, binet_ratio,
                                       derive_dynamic, greedy_weights)
from rmtheory.symbolic.minnorm import c_prev, derive_minnorm
from rmtheory.symbolic.proof import Proof, run_proof
from rmtheory.symbolic.symbols import kappa_s, w

PHI = sp.GoldenRatio
STEPS = 30
#: a real variable for sets of weights
X = sp.Symbol("x", real=True)


def build():
    dy = derive_dynamic()
    v = _v
    proof = Proof(
        "Result 3: dynamic mixing and the Fibonacci schedule",
        "Instead of one weight for all steps, choose $w_t$ at step $t$. With $v_t$ the min-norm "
        "variance factor after step $t$ ($v_0 = 1$: the first fit uses real labels only, "
        "$w_0 = 1$), result 1's recursion reads $v_t = (1-w_t)^2 v_{t-1} + w_t^2 + (1-w_t)^2$ "
        "($\\kappa_s = 1$). The bias does not depend on the weights (result 1, section 7), so "
        "minimising the risk at step $t$ means minimising $v_t$.",
        symbol_names={_growth: "X"})

    proof.section("1. One step and its greedy minimiser")
    step = (1 - w)**2 * v + w**2 + (1 - w)**2
    proof.equal("The step map, from the recursion of result 1 with $c_{t-1} = v_{t-1}$.",
                derive_minnorm().variance_factor_map.subs({kappa_s: 1, c_prev: v}), step,
                name="v_t(w_t)")
    proof.equal("The derived step map.", dy.step, step, name="v_t(w_t)")
    proof.equal("Its derivative in the weight.", sp.diff(step, w),
                2 * ((2 + v) * w - (1 + v)), name=r"\partial_{w_t} v_t")
    proof.equal("Its unique zero, the greedy weight.", dy.greedy_weight, (1 + v) / (2 + v),
                name=r"w_t^{\mathrm{greedy}}")
    proof.equal("Check: the derivative vanishes there.", sp.diff(step, w).subs(w, dy.greedy_weight), 0,
                latex=r"\partial_{w_t} v_t \big|_{w_t = (1+v)/(2+v)} = 0")
    proof.equal("The step is a convex quadratic in $w_t$ ...", dy.convexity, 2 * (v + 2),
                name=r"\partial^2_{w_t} v_t")
    proof.positive("... with positive curvature for $v \\ge 0$: the greedy weight is the "
                   "global minimiser over all real $w_t$, in particular over $(0, 1]$.",
                   dy.convexity, name=r"\partial^2_{w_t} v_t")
    proof.positive("It is a valid weight: $1 - w^{\\mathrm{greedy}} = 1/(2+v) > 0$ ...",
                   sp.simplify(1 - dy.greedy_weight), name=r"1 - w^{\mathrm{greedy}}")
    proof.positive("... and $w^{\\mathrm{greedy}} > 0$.", dy.greedy_weight,
                   name=r"w^{\mathrm{greedy}}")
    proof.equal("The optimal value equals the greedy weight itself.", dy.optimal_value,
                (1 + v) / (2 + v), name=r"\min_{w_t} v_t")
    proof.equal("... checked by substitution into the step.", step.subs(w, (1 + v) / (2 + v)),
                dy.greedy_weight, latex=r"v_t\big|_{w_t = w_t^{\mathrm{greedy}}} = w_t^{\mathrm{greedy}}")

    proof.section("2. Greedy is optimal at every step (induction)")
    proof.equal("The step map is nondecreasing in $v_{t-1}$ for every weight ...",
                dy.step_monotonicity_in_v, (1 - w)**2, name=r"\partial_{v_{t-1}} v_t")
    proof.equal("... and the optimal value $h(v) = (1+v)/(2+v)$ is increasing in $v$.",
                dy.monotonicity_in_v, 1 / (v + 2)**2, name="h'(v)")
    proof.positive("Its derivative is positive.", dy.monotonicity_in_v, name="h'(v)")
    proof.text(
        "**Induction.** Let $V_t^\\star$ be the smallest $v_t$ over all schedules "
        "$(w_1, \\dots, w_t) \\in (0,1]^t$, and $v_t^{g}$ the value of the greedy schedule. "
        "*Base:* $v_0 = 1$ for every schedule, so $v_0^{g} = V_0^\\star$. *Step:* assume "
        "$v_{t-1}^{g} = V_{t-1}^\\star$. For any schedule, $v_{t-1} \\ge V_{t-1}^\\star$, and since "
        "the step map is nondecreasing in $v_{t-1}$, "
        "$v_t = f(w_t, v_{t-1}) \\ge f(w_t, V_{t-1}^\\star) \\ge \\min_w f(w, V_{t-1}^\\star) = "
        "h(V_{t-1}^\\star)$. The greedy schedule attains $h(v_{t-1}^{g}) = h(V_{t-1}^\\star)$, so "
        "$v_t^{g} = V_t^\\star$. Hence the greedy schedule minimises the variance — and the risk — "
        "at every step simultaneously, not only at a fixed horizon.")

    proof.section("3. The weight recursion and the Fibonacci numbers")
    proof.equal("Because $v_{t-1} = w_{t-1}$ (and $v_0 = 1 = w_0$), the greedy weight becomes "
                "a recursion in the weights alone.", dy.weight_map, (1 + w) / (2 + w),
                latex=r"w_t = \frac{1 + w_{t-1}}{2 + w_{t-1}}, \qquad w_0 = 1")
    proof.equal("The derived map applied to $w_{t-1} = F_{2t-1}/F_{2t}$.", dy.fibonacci_step,
                (_F_odd + _F_even) / (_F_odd + 2 * _F_even),
                name=r"w_t")
    proof.equal("With $F_{2t+1} = F_{2t} + F_{2t-1}$ and $F_{2t+2} = F_{2t+1} + F_{2t}$ this is "
                "$F_{2t+1}/F_{2t+2}$; with $w_0 = 1 = F_1/F_2$, induction gives "
                "$w_t = F_{2t+1}/F_{2t+2}$ for all $t$.",
                dy.fibonacci_step,
                (_F_even + _F_odd) / ((_F_even + _F_odd) + _F_even),
                latex=r"\frac{F_{2t-1} + F_{2t}}{F_{2t-1} + 2F_{2t}} = "
                      r"\frac{F_{2t+1}}{F_{2t+1} + F_{2t}} = \frac{F_{2t+1}}{F_{2t+2}}")
    proof.equal("Base case.", sp.fibonacci(1) / sp.fibonacci(2), 1, latex=r"F_1/F_2 = 1 = w_0")
    schedule = [sp.Integer(1)]
    for _ in range(STEPS):  # exact rational arithmetic, no rounding or guessing
        schedule.append(sp.cancel(dy.weight_map.subs(w, schedule[-1])))
    proof.equal(f"Exact check: iterating the derived weight map from $w_0 = 1$ in rational "
                f"arithmetic gives the Fibonacci ratios for $t = 0, \\dots, {STEPS}$.",
                schedule, [sp.fibonacci(2 * k + 1) / sp.fibonacci(2 * k + 2) for k in range(STEPS + 1)],
                latex=r"w_t = \frac{F_{2t+1}}{F_{2t+2}}, \quad t = 0, \dots, " + str(STEPS)
                + r": \quad 1, \tfrac{2}{3}, \tfrac{5}{8}, \tfrac{13}{21}, \dots, "
                + sp.latex(schedule[-1]))
    proof.equal("`greedy_weights` returns the same schedule for the first steps.",
                greedy_weights(6), schedule[:7],
                latex=r"\texttt{greedy\_weights}(6) = (w_0, \dots, w_6)")
    proof.holds("All entries are rationals (the schedule is exact).",
                all(isinstance(x, sp.Rational) for x in schedule),
                latex=r"w_t \in \mathbb{Q}, \quad t \le " + str(STEPS))

    proof.section("4. Convergence to $1/\\varphi$")
    proof.equal("The positive fixed point of the weight map.", dy.fixed_points, [1 / PHI],
                latex=r"w = \frac{1+w}{2+w},\ w > 0 \iff w = 1/\varphi")
    proof.equal("It is a fixed point: $1/\\varphi$ solves $w^2 + w - 1 = 0$.",
                ((1 + w) / (2 + w)).subs(w, 1 / PHI), 1 / PHI,
                latex=r"\frac{1 + 1/\varphi}{2 + 1/\varphi} = \frac{1}{\varphi}")
    proof.equal("The derivative of the map.", dy.contraction, 1 / (2 + w)**2,
                name=r"\frac{d}{dw}\frac{1+w}{2+w}")
    proof.holds("On $w \\ge 0$ it is at most $1/4$: the map is a contraction of $[0, 1]$ "
                "(into itself), so $|w_t - 1/\\varphi| \\le 4^{-t}|w_0 - 1/\\varphi| \\to 0$.",
                sp.Interval(0, sp.oo).is_subset(sp.solve_univariate_inequality(
                    1 / (2 + X)**2 <= sp.Rational(1, 4), X, relational=False)),
                latex=r"0 < \frac{1}{(2+w)^2} \le \frac14 \quad (w \ge 0)")
    proof.text("Binet's formula $F_k = (\\varphi^k - (-1/\\varphi)^k)/\\sqrt5$ gives the same "
               "limit directly. Write $X = \\varphi^{2t}$; the odd index flips the sign of the "
               "second term.")
    ratio = binet_ratio()
    proof.equal("Binet's ratio equals the Fibonacci ratio exactly for $t = 0, \\dots, 6$ "
                "($\\varphi$ written in radicals, then rationalised).",
                [sp.expand(sp.radsimp(sp.expand(ratio.subs(_growth, PHI**(2 * k)), func=True)))
                 for k in range(7)],
                [sp.fibonacci(2 * k + 1) / sp.fibonacci(2 * k + 2) for k in range(7)],
                latex=r"\frac{\varphi X + 1/(\varphi X)}{\varphi^2 X - 1/(\varphi^2 X)}"
                      r"\Big|_{X = \varphi^{2t}} = \frac{F_{2t+1}}{F_{2t+2}},\quad t \le 6")
    proof.equal("As $X = \\varphi^{2t} \\to \\infty$ (derived limit).", dy.binet_limit, 1 / PHI,
                latex=r"\lim_{t\to\infty} \frac{F_{2t+1}}{F_{2t+2}} = \frac{1}{\varphi}")
    proof.text("So the optimal dynamic schedule starts at $w_0 = 1$, decreases through "
               "$2/3, 5/8, 13/21, \\dots$ and converges to the static optimum $1/\\varphi$, with "
               "$v_t = w_t$: the variance factor of the optimal schedule after $t$ steps is "
               "$F_{2t+1}/F_{2t+2}$. $\\blacksquare$")
    return proof


if __name__ == "__main__":
    # a proof run as a script derives afresh from the model, never from the
    # on-disk derivation cache (read when a derivation is first asked for)
    os.environ.setdefault("RMTHEORY_CACHE", "off")
    run_proof(build, "p3_dynamic_mixing.md", default_dir=Path.cwd() / "proofs-output")
