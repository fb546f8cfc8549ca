r"""Result 2 — synthetic label noise of variance κ_s σ²: the optimal weight.

Starts from the limit ``c(w; κ_s)`` of result 1 (itself derived from the
estimator) and proves that its unique minimiser on ``(0, 1]`` is
``w*(κ_s) = (√(κ_s² + 4κ_s) − κ_s)/2``, that ``c(w*) = w*`` and that
``κ_s = 1`` gives ``1/φ``. Every step is checked exactly.

Run ``python -m rmtheory.proofs.p2_synthetic_noise [--output DIR]``, or read it with
``rmtheory.derivation("p2_synthetic_noise")``.
"""
import os
from pathlib import Path

import sympy as sp

from rmtheory.symbolic import optimal_w_kappa_s
from rmtheory.symbolic.minnorm import derive_minnorm
from rmtheory.symbolic.proof import Proof, run_proof
from rmtheory.symbolic.symbols import kappa_s, w
from rmtheory.symbolic.synthetic_noise import derive_synthetic_noise

PHI = sp.GoldenRatio
#: κ_s > 0 (κ_s = 0 has no interior minimiser; treated at the end)
K = sp.Symbol("kappa_s", positive=True)
#: an unrestricted real unknown, so that both roots are returned
Y = sp.Symbol("y", real=True)


def positive_ks(expr):
    """Restrict ``κ_s ≥ 0`` to ``κ_s > 0``."""
    return sp.sympify(expr).subs(kappa_s, K)


def build():
    sn = derive_synthetic_noise()
    proof = Proof(
        "Result 2: the optimal weight under synthetic label noise",
        "Synthetic labels carry noise of variance $\\kappa_s\\sigma^2$. Result 1 (its sections 1–3 "
        "hold verbatim for any $\\kappa_s \\ge 0$) gives the stationary min-norm variance factor "
        "$c(w;\\kappa_s)$; here we minimise it over $w \\in (0, 1]$ for $\\kappa_s > 0$.")

    proof.section("1. The variance factor and its derivative")
    c = (w**2 + K * (1 - w)**2) / (w * (2 - w))
    proof.equal("The stationary factor, as derived from the recursion in result 1.",
                positive_ks(derive_minnorm().c_w_kappa_s), c, name=r"c(w;\kappa_s)")
    proof.equal("The same expression is the starting point of `derive_synthetic_noise`.",
                positive_ks(sn.c_w_kappa_s), c, name=r"c(w;\kappa_s)")
    proof.equal("Its derivative in $w$.", sp.diff(c, w),
                2 * (w**2 + K * w - K) / (w**2 * (2 - w)**2), name=r"\partial_w c")
    proof.equal("The derived numerator.", positive_ks(sn.dc_dw_numerator),
                2 * (w**2 + K * w - K), name=r"N(w)")
    proof.equal("The derived denominator, positive on $(0, 1]$.", sn.dc_dw_denominator,
                w**2 * (2 - w)**2, name=r"D(w)")

    proof.section("2. Sign analysis: exactly one sign change on $(0, 1)$")
    proof.equal("At $w = 0$.", positive_ks(sn.numerator_at_0), -2 * K, name="N(0)")
    proof.holds("It is negative for $\\kappa_s > 0$.", (-2 * K).is_negative, latex=r"N(0) = -2\kappa_s < 0")
    proof.equal("At $w = 1$.", sn.numerator_at_1, 2, name="N(1)")
    proof.equal("Slope of the numerator.", positive_ks(sn.numerator_slope), 2 * (2 * w + K),
                name="N'(w)")
    proof.holds("The slope is positive for $w \\ge 0$, so $N$ increases strictly on $[0, 1]$ "
                "and changes sign exactly once there: $c$ decreases, then increases, and its "
                "unique critical point in $(0, 1)$ is its global minimiser on $(0, 1]$.",
                (2 * (2 * w + K)).is_positive, latex=r"N'(w) = 2(2w + \kappa_s) > 0")

    proof.section("3. The minimiser in closed form")
    w_star = (sp.sqrt(K**2 + 4 * K) - K) / 2
    other = (-sp.sqrt(K**2 + 4 * K) - K) / 2
    proof.equal("The two roots of $N$ (quadratic formula).",
                sorted(sp.solve(Y**2 + K * Y - K, Y), key=sp.default_sort_key),
                sorted([w_star, other], key=sp.default_sort_key),
                latex=r"N(w) = 0 \iff w = \frac{-\kappa_s \pm \sqrt{\kappa_s^2 + 4\kappa_s}}{2}")
    proof.equal("Vieta: the product of the roots is $-\\kappa_s < 0$, so exactly one is positive.",
                sp.expand(w_star * other), -K, latex=r"w_+ w_- = -\kappa_s")
    proof.equal("The derived minimiser is the positive root.", positive_ks(sn.w_star), w_star,
                name=r"w^\star(\kappa_s)")
    proof.equal("$w^\\star < 1$: $1 - w^\\star = (\\kappa_s + 2 - \\sqrt{\\kappa_s^2 + 4\\kappa_s})/2$, "
                "and $(\\kappa_s + 2)^2$ exceeds the radicand by 4 ...",
                (K + 2)**2 - (K**2 + 4 * K), 4,
                latex=r"(\kappa_s + 2)^2 - (\kappa_s^2 + 4\kappa_s) = 4 > 0")
    proof.positive("... so, both sides being positive, $\\kappa_s + 2 > \\sqrt{\\kappa_s^2 + 4\\kappa_s}$: "
                   "$w^\\star \\in (0, 1)$.", 1 - w_star, name=r"1 - w^\star")
    proof.positive("$w^\\star > 0$ likewise, since $\\kappa_s^2 + 4\\kappa_s > \\kappa_s^2$.",
                   w_star, name=r"w^\star")

    proof.section("4. The optimal factor equals the optimal weight")
    proof.equal("A rearrangement of the numerator of $c$: it differs from "
                "$\\kappa_s(1-w)(2-w)$ by the critical polynomial $N(w)/2$.",
                (w**2 + K * (1 - w)**2) - K * (1 - w) * (2 - w), w**2 + K * w - K,
                latex=r"w^2 + \kappa_s(1-w)^2 - \kappa_s(1-w)(2-w) = w^2 + \kappa_s w - \kappa_s")
    proof.text("So at $w^\\star$, where $w^2 = \\kappa_s(1-w)$, "
               "$c(w^\\star) = \\kappa_s(1-w^\\star)(2-w^\\star)/(w^\\star(2-w^\\star)) = "
               "\\kappa_s(1-w^\\star)/w^\\star = w^\\star$.")
    proof.equal("Direct substitution confirms it.", c.subs(w, w_star), w_star,
                latex=r"c(w^\star;\kappa_s) = w^\star(\kappa_s)")
    proof.equal("The derived value of $c(w^\\star)$.", positive_ks(sn.c_at_w_star), w_star,
                latex=r"c(w^\star;\kappa_s)_{\text{derived}} = w^\star(\kappa_s)")

    proof.section("5. Special and limiting cases")
    proof.equal("$\\kappa_s = 1$ recovers the golden ratio (derived value).", sn.w_star_at_1,
                1 / PHI, name=r"w^\star(1)")
    proof.equal("The public helper `optimal_w_kappa_s` agrees at $\\kappa_s = 1, 4, 1/2$.",
                [optimal_w_kappa_s(1), optimal_w_kappa_s(4), optimal_w_kappa_s(sp.Rational(1, 2))],
                [1 / PHI, 2 * sp.sqrt(2) - 2, (sp.Rational(3, 2) - sp.Rational(1, 2)) / 2],
                latex=r"w^\star(1) = 1/\varphi,\quad w^\star(4) = 2\sqrt2 - 2,\quad "
                      r"w^\star(1/2) = 1/2")
    proof.equal("$w^\\star$ increases with $\\kappa_s$: its derivative ...", sp.diff(w_star, K),
                ((K + 2) / sp.sqrt(K**2 + 4 * K) - 1) / 2, name=r"\frac{dw^\star}{d\kappa_s}")
    proof.positive("... is positive because $(\\kappa_s + 2)^2 > \\kappa_s^2 + 4\\kappa_s$.",
                   sp.diff(w_star, K), name=r"\frac{dw^\star}{d\kappa_s}")
    proof.equal("Noisier synthetic labels push the weight to real data ...",
                sp.limit(w_star, K, sp.oo), 1, latex=r"\lim_{\kappa_s\to\infty} w^\star = 1")
    proof.equal("... and noiseless ones to synthetic data.", sp.limit(w_star, K, 0, "+"), 0,
                latex=r"\lim_{\kappa_s\to 0^+} w^\star = 0")
    proof.equal("At $\\kappa_s = 0$, $c(w;0) = w/(2-w)$ has no minimiser in $(0, 1]$ "
                "(it increases, with infimum $0$ as $w \\to 0$).",
                derive_minnorm().c_w_kappa_s.subs(kappa_s, 0), w / (2 - w), name="c(w;0)")
    proof.equal("Its derivative ...", sp.diff(w / (2 - w), w), 2 / (2 - w)**2,
                name=r"\partial_w c(w;0)")
    proof.holds("... is positive on all of $(0, 1]$.",
                sp.solve_univariate_inequality(2 / (2 - w)**2 > 0, w, relational=False)
                .intersect(sp.Interval.Lopen(0, 1)) == sp.Interval.Lopen(0, 1),
                latex=r"\{w \in (0, 1] : 2/(2-w)^2 > 0\} = (0, 1]")
    proof.text("Hence for every $\\kappa_s > 0$ the optimal real-data weight is "
               "$w^\\star(\\kappa_s) = (\\sqrt{\\kappa_s^2 + 4\\kappa_s} - \\kappa_s)/2 \\in (0, 1)$, "
               "the optimal factor is $c(w^\\star) = w^\\star$, and $\\kappa_s = 1$ gives "
               "$1/\\varphi$. $\\blacksquare$")
    return proof


if __name__ == "__main__":
    # a proof run as a script derives afresh from the model, never from the
    # on-disk derivation cache (read when a derivation is first asked for)
    os.environ.setdefault("RMTHEORY_CACHE", "off")
    run_proof(build, "p2_synthetic_noise.md", default_dir=Path.cwd() / "proofs-output")
