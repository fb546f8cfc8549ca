r"""Result 10 — the inequalities behind the certified optimum's tail bound.

The certificate of ``w*`` (:mod:`rmtheory.numeric.certified.optimize`) proves
that no ``w ∈ (0, w_min]`` beats the optimum with a lower bound of the risk
there (``_Problem.tail_floor``):

.. math::

    R(w) \ge r^2 k^2 J_G(k) + \frac{\sigma^2 \kappa_s (1 - w_{min})^2}{2\lambda}
        \bigl[(\kappa(A) - A) - (\kappa(b_+) - b_+)\bigr]^+ ,
    \quad A = \lambda/w_{min},\ b_+ = \lambda/(2 - w_{min}),\ k \le \kappa(A).

This file derives each inequality it rests on from the fixed-point equation
and the risk of :mod:`rmtheory.symbolic.mixed`: ``κ ≥ λ``, ``0 < 1 − γI₂ ≤ 1``,
``κ' ≥ 1``, ``κ²J_G(κ)`` increasing, ``B ≥ r²κ²J``, the variance
``σ²c(w)(Δ − 1)`` with ``Δ − 1`` the slope of ``κ(x) − x`` between the two
penalties, and ``w c(w; κ_s) ≥ κ_s(1 − w)²/2``. Section 5 proves the signs behind the
curvature over a region of weights (``κ'' ≤ 0``, ``κ''' ≥ 0``, ``κ'''' ≤ 0``:
each divided difference of ``κ`` is monotone in its nodes). Every step is
checked exactly.

Run ``python -m rmtheory.proofs.p10_certified_bounds [--output DIR]``, or read it
with ``rmtheory.derivation("p10_certified_bounds")``.
"""
import os
from pathlib import Path

import sympy as sp

from rmtheory.symbolic import general
from rmtheory.symbolic.certified_forms import D2, Delta, derive_certified_forms
from rmtheory.symbolic.minnorm import derive_minnorm
from rmtheory.symbolic.proof import Proof, run_proof
from rmtheory.symbolic.symbols import gamma, kappa, kappa_s, lam, r2, s, sigma2, w


def build():
    forms = derive_certified_forms()
    I1, I2, J = general.I1, general.I2, general.J
    J_H = sp.Symbol("J_H", positive=True)
    u, v, q = sp.symbols("u v q", positive=True)
    ka, kb = sp.symbols("kappa_a kappa_b", positive=True)
    proof = Proof(
        "Result 10: the bounds of the certified optimum near w = 0",
        "The certificate of $w^\\star$ needs a lower bound of the risk on $(0, w_{min}]$, "
        "where the penalty $a = \\lambda/w$ is unbounded. It combines monotonicity of "
        "$\\kappa$ and of the bias integrand with a floor of the variance; each inequality "
        "is reduced here to the sign of an explicit expression.")

    proof.section("1. The fixed point: $\\kappa \\ge \\lambda$ and $0 < 1 - \\gamma I_2 \\le 1$")
    (penalty,) = sp.solve(general.kappa_equation, lam)
    proof.equal("The fixed-point equation $\\kappa(1 - \\gamma I_1) = \\lambda$ solved for "
                "$\\lambda$.", penalty, kappa * (1 - gamma * I1), name="\\lambda")
    proof.equal("So $\\kappa - \\lambda = \\gamma\\kappa I_1$.", kappa - penalty,
                gamma * kappa * I1, name="\\kappa - \\lambda")
    proof.positive("Its integrand is positive ($s, \\kappa > 0$ on the support): "
                   "$\\kappa \\ge \\lambda$.", gamma * kappa * general.fixed_point_integrand,
                   name="\\gamma\\kappa\\,\\frac{s}{s+\\kappa}")
    proof.equal("Pointwise, $\\frac{s}{s+\\kappa} - \\frac{s^2}{(s+\\kappa)^2} = "
                "\\kappa\\frac{s}{(s+\\kappa)^2}$: $I_1 - I_2 = \\kappa J_H$.",
                general.fixed_point_integrand - general.df2_integrand,
                kappa * general.bias_integrand)
    (I1_root,) = sp.solve(general.kappa_equation, I1)
    gap = sp.expand(sp.simplify((1 - gamma * I2).subs(I2, I1_root - kappa * J_H)))
    proof.equal("With $I_1 = (1 - \\lambda/\\kappa)/\\gamma$ from the fixed point, "
                "$1 - \\gamma I_2$ is a sum of positive terms.", gap,
                lam / kappa + gamma * kappa * J_H, name="1 - \\gamma I_2")
    proof.positive("Hence $D_2 = 1 - \\gamma I_2 > 0$.", lam / kappa + gamma * kappa * J_H)
    proof.positive("And $1 - D_2 = \\gamma I_2$, the integral of a positive integrand: "
                   "$D_2 \\le 1$.", gamma * general.df2_integrand,
                   name="\\gamma\\frac{s^2}{(s+\\kappa)^2}")

    proof.section("2. Monotonicity")
    proof.equal("$\\kappa' = 1/(1 - \\gamma I_2)$, so $\\kappa' - 1 = \\gamma I_2/D_2$.",
                general.kappa_prime - 1, gamma * I2 / (1 - gamma * I2), name="\\kappa' - 1")
    proof.positive("With $I_2 > 0$ and $D_2 > 0$: $\\kappa' \\ge 1$, i.e. "
                   "$g(x) = \\kappa(x) - x$ increases.", gamma * I2 / D2)
    fn = sp.Function("kappa")
    x = sp.Symbol("x", positive=True)
    proof.equal("The derivative of $g$.", sp.diff(fn(x) - x, x),
                sp.Derivative(fn(x), x) - 1, name="g'(x)")
    pointwise = sp.diff(kappa**2 * general.bias_integrand, kappa)
    proof.equal("The bias integrand times $\\kappa^2$, differentiated in $\\kappa$.",
                pointwise, 2 * kappa * s**2 / (s + kappa)**3,
                name="\\partial_\\kappa\\frac{\\kappa^2 s}{(s+\\kappa)^2}")
    proof.positive("It is positive: $\\kappa^2 J_G(\\kappa)$ increases in $\\kappa$ "
                   "(for every $G$).", 2 * kappa * s**2 / (s + kappa)**3)

    proof.section("3. The bias floor")
    bias = general.ridge_bias.subs(1 - gamma * I2, D2)
    proof.equal("The ridge bias in $D_2$.", bias, r2 * kappa**2 * J / D2, name="B")
    proof.equal("Its excess over $r^2\\kappa^2 J$.", general.ridge_bias - r2 * kappa**2 * J,
                r2 * kappa**2 * J * gamma * I2 / (1 - gamma * I2), name="B - r^2\\kappa^2 J")
    proof.positive("Nonnegative, with $I_2, D_2 > 0$: $B \\ge r^2\\kappa^2 J$.",
                   r2 * kappa**2 * J * gamma * I2 / D2)
    proof.equal("The certificate's floor is that expression.", forms.bias_floor,
                r2 * kappa**2 * J, name="B_{floor}")
    A = lam / (w + u)                  # w_min = w + u > w
    proof.positive("For $w < w_{min} = w + u$: $a = \\lambda/w > A = \\lambda/w_{min}$. So "
                   "$\\kappa(a) \\ge \\kappa(A) \\ge k$ ($\\kappa$ increases, step 9; $k$ the "
                   "lower end of an enclosure of $\\kappa(A)$), and with step 12 "
                   "$B(a) \\ge r^2k^2J_G(k)$.",
                   sp.simplify(lam / w - A), name="a - A")

    proof.section("4. The variance floor")
    c = derive_minnorm().c_w_kappa_s
    proof.equal("The variance of the mixed risk in the divided difference "
                "$\\Delta = (\\kappa(a) - \\kappa(b))/(a - b)$.", forms.variance_dd,
                sigma2 * c * (Delta - 1), name="V")
    a, b = lam / w, lam / (2 - w)
    proof.equal("$\\Delta - 1$ is the slope of $g$ between $b$ and $a$.",
                (ka - kb) / (a - b) - 1, ((ka - a) - (kb - b)) / (a - b),
                name="\\Delta - 1")
    proof.equal("The distance of the penalties: $a - b \\le a = \\lambda/w$, since "
                "$a - (a - b) = b > 0$.", a - (a - b), b)
    w_of = 2 - u - v                   # w and w_min = w + u with 2 − w_min = v > 0
    proof.equal("For $w \\le w_{min}$: $b = \\lambda/(2 - w) \\le b_+ = \\lambda/(2 - w_{min})$; "
                "with $w_{min} = w + u$, $2 - w_{min} = v$:",
                sp.simplify(lam / v - b.subs(w, w_of)), lam * u / (v * (u + v)),
                name="b_+ - b")
    proof.text("So with $g$ increasing, $g(a) - g(b) \\ge g(A) - g(b_+)$, and "
               "$\\Delta - 1 \\ge \\frac{w}{\\lambda}[g(A) - g(b_+)]^+$.")
    proof.equal("The weight factor: $w\\,c(w;\\kappa_s)$ against $\\kappa_s(1-w)^2/2$.",
                w * c - kappa_s * (1 - w)**2 / 2,
                w * (kappa_s * (1 - w)**2 + 2 * w) / (2 * (2 - w)),
                name="w c(w;\\kappa_s) - \\tfrac{\\kappa_s(1-w)^2}{2}")
    proof.positive("Its numerator is positive for $\\kappa_s \\ge 0$ (and its denominator "
                   "$2(2 - w)$ on $(0, 1]$): $w\\,c(w) \\ge \\kappa_s(1-w)^2/2$.",
                   w * (kappa_s * (1 - w)**2 + 2 * w))
    proof.equal("And $(1-w)^2 \\ge (1-w_{min})^2$ for $w \\le w_{min} \\le 1$: with "
                "$1 - w_{min} = q$, $1 - w = q + u$,", (q + u)**2 - q**2, u * (2 * q + u))
    proof.positive("a positive difference.", u * (2 * q + u))
    proof.text("Together: $V(w) = \\sigma^2 c(w)(\\Delta - 1) \\ge \\sigma^2 \\frac{w c(w)}{\\lambda}"
               "[g(A) - g(b_+)]^+ \\ge \\frac{\\sigma^2\\kappa_s(1-w_{min})^2}{2\\lambda}"
               "[g(A) - g(b_+)]^+$, and with section 3 the floor of the risk on $(0, w_{min}]$ "
               "that the certificate evaluates in ball arithmetic. $\\blacksquare$")

    proof.section("5. The signs of $\\kappa''$, $\\kappa'''$, $\\kappa''''$ and the curvature "
                  "in divided differences")
    proof.text("The curvature of the risk over a region of weights "
               "(`_Problem.region_curvature_dd`) is evaluated in the divided differences of "
               "$\\kappa$ at the two penalties, each bounded over the region by its values at "
               "the region's ends. That rests on the signs proved here.")
    f2 = general.df2_integrand
    proof.equal("The integrand of $I_2$ differentiated once in $\\kappa$.", sp.diff(f2, kappa),
                -2 * s**2 / (s + kappa)**3, name="\\partial_\\kappa \\frac{s^2}{(s+\\kappa)^2}")
    proof.equal("Twice.", sp.diff(f2, kappa, 2), 6 * s**2 / (s + kappa)**4)
    proof.equal("Three times.", sp.diff(f2, kappa, 3), -24 * s**2 / (s + kappa)**5)
    proof.positive("So (integrals against $H \\ge 0$) $I_{2\\kappa} = -p$, $I_{2\\kappa\\kappa} = q$, "
                   "$I_{2\\kappa\\kappa\\kappa} = -r$ with $p, q, r \\ge 0$: each integrand has "
                   "one sign, e.g.", 6 * s**2 / (s + kappa)**4)
    p_, q_, r_ = sp.symbols("p q r", positive=True)
    signs = {sp.Symbol("I_2kappa", real=True): -p_, sp.Symbol("I_2kappakappa", real=True): q_,
             sp.Symbol("I_2kappakappakappa", real=True): -r_}
    if not all(sym in forms.kappa_pppp.free_symbols for sym in signs):  # pragma: no cover
        raise ArithmeticError("kappa'''' is not in the symbols this proof expects")
    proof.positive("$-\\kappa'' > 0$: $\\kappa$ is concave, $\\kappa'$ decreases.",
                   -forms.kappa_pp.subs(signs), name="-\\kappa''")
    proof.positive("$\\kappa''' > 0$ ($\\kappa''$ increases).", forms.kappa_ppp.subs(signs),
                   name="\\kappa'''")
    proof.positive("$-\\kappa'''' > 0$ ($\\kappa'''$ decreases; $\\kappa''''$ by the chain rule "
                   "from $\\kappa'''$ in `derive_certified_forms`).",
                   sp.expand(-forms.kappa_pppp.subs(signs) * D2**6) / D2**6,
                   name="-\\kappa''''")
    x0, x1 = sp.symbols("x_0 x_1", positive=True)
    fk = sp.Function("kappa")
    dd1 = (fk(x1) - fk(x0)) / (x1 - x0)
    proof.equal("The divided difference $\\kappa[x_0, x_1]$ moves with a node by the next one, "
                "that node repeated: $\\partial_{x_1}\\kappa[x_0,x_1] = "
                "(\\kappa'(x_1) - \\kappa[x_0,x_1])/(x_1 - x_0) = \\kappa[x_0,x_1,x_1]$.",
                sp.diff(dd1, x1), (sp.diff(fk(x1), x1) - dd1) / (x1 - x0))
    proof.text("With Hermite–Genocchi, $\\kappa[x_0,\\dots,x_n] = \\int_{\\Sigma_n} "
               "\\kappa^{(n)}(\\textstyle\\sum_i t_i x_i)\\,dt$, so $\\partial_{x_j}"
               "\\kappa[x_0..x_n] = \\kappa[x_0..x_n, x_j]$ has the sign of "
               "$\\kappa^{(n+1)}$: $\\Delta = \\kappa[b,a]$ decreases in both nodes, "
               "$\\kappa[b,a,a]$ and $\\kappa[a,b,b]$ increase in each, and a third divided "
               "difference is $\\kappa'''(\\xi)/6$ with $\\xi$ in the hull of its nodes, where "
               "$\\kappa'''$ decreases. For $w \\in [u, v] \\subset (0, 1)$ the nodes "
               "$b = \\lambda/(2-w) \\in [b_u, b_v]$ and $a = \\lambda/w \\in [a_v, a_u]$; "
               "each divided difference is bounded by its values at the corners.")
    a_, b_ = lam / w, lam / (2 - w)
    proof.equal("The nodes' order: $a - b > 0$ on $(0, 1)$ (numerator $2(1 - w)$).",
                sp.factor(a_ - b_), 2 * lam * (1 - w) / (w * (2 - w)), name="a - b")
    Delta_aa, Delta_ab, Delta_bb, Delta_a, Delta_b = sp.symbols(
        "Delta_aa Delta_ab Delta_bb Delta_a Delta_b", real=True)
    denominator = sp.factor(sp.denom(sp.together(forms.d2total_dw2_dd)))
    proof.holds("The curvature in divided differences has no pole in $(0, 1]$: its "
                "denominator is a product of powers of $w$ and $w - 2$ (the form is checked "
                "against the direct one when `derive_certified_forms` derives it).",
                all(set(sp.Poly(base, w).all_roots()) <= {0, 2}
                    for base, _ in (f.as_base_exp() for f in sp.Mul.make_args(denominator))
                    if base.has(w)),
                latex=f"\text{{denominator}} = {sp.latex(denominator)}")
    proof.text("So the certificate's curvature holds $\\partial^2 R/\\partial w^2$ for every "
               "$w$ of the region. $\\blacksquare$")
    return proof


if __name__ == "__main__":
    # a proof run as a script derives afresh from the model, never from the
    # on-disk derivation cache (read when a derivation is first asked for)
    os.environ.setdefault("RMTHEORY_CACHE", "off")
    run_proof(build, "p10_certified_bounds.md", default_dir=Path.cwd() / "proofs-output")
