"""Write the five notebooks of ``notebooks/`` (without outputs).

Run ``python notebooks/build_notebooks.py`` after editing a cell here; the
committed notebooks carry no outputs (``tests/test_notebooks.py`` checks
that, and executes each of them).
"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """\
%matplotlib inline
import numpy as np
import sympy as sp
from mpmath import mp
from IPython.display import display

import rmtheory as rt
from rmtheory import figures as F
from rmtheory.report import single_threaded_blas

# Monte Carlo sizes for a notebook: seconds, not minutes (the report uses F.FULL)
NB = F.Sizes(n=80, draws=8, designs=2, reps=60, T=10, grid=18, l1_n=24, l1_reps=4, l1_T=3)"""


def md(text):
    return new_markdown_cell(text.strip("\n"))


def code(text):
    return new_code_cell(text.strip("\n"))


# ---------------------------------------------------------------------------

NB1 = [
    md(r"""
# 1. The golden ratio: $w^\star = 1/\varphi$ for min-norm interpolation

A linear model is refitted again and again on a fixed design $X \in \mathbb{R}^{n\times p}$.
At every refit the labels are a mix: a weight $w$ of fresh real labels $y_t = X\beta + \varepsilon_t$
and $1-w$ of synthetic labels $\tilde y_t = X\hat\beta_{t-1} + \tilde\varepsilon_t$ produced by the
previous fit. For min-norm interpolation ($\lambda = 0$, $\gamma = p/n > 1$) the bias does not depend
on $w$ or $t$, and the variance is the one-shot variance $V_0$ times a factor $c_t(w)$:

$$R_t(w) = B_0 + c_t(w)\,V_0 .$$

**Claim.** The stationary factor $c(w) = \lim_t c_t(w)$ is minimised at $w^\star = 1/\varphi = (\sqrt5-1)/2$,
whatever the covariance $\Sigma$ (its spectrum $H$) and the signal $\beta$ (its measure $G$) — and so is the
risk. The same holds for OLS ($\gamma < 1$), where the bias is zero.

This notebook derives $c(w)$ and $w^\star$ with SymPy, evaluates the risk for four covariance models with
mpmath, and checks it against finite-$n$ Monte Carlo.
"""),
    code(SETUP),
    md(r"""
## Derive (SymPy)

Per eigen-direction of $\hat\Sigma = X^\top X/n$ the fit is the same linear map applied to the labels,
so the label noise propagates linearly. With $q = 1 - w$, the variance factor obeys the one-step
recursion (fresh real noise of weight $w$, synthetic noise of weight $q$, the previous fit's noise carried
with weight $q$):

$$c_t = q^2 c_{t-1} + w^2 + q^2, \qquad c_0 = 1 .$$

Its fixed point is $c(w)$; the minimiser solves $c'(w) = 0$.
"""),
    code(r"""
w, c, t = sp.symbols("w c t", positive=True)
step = (1 - w)**2 * c + w**2 + (1 - w)**2          # c_t in terms of c = c_{t-1}
c_w = sp.factor(sp.solve(sp.Eq(c, step), c)[0])    # the fixed point c(w)
c_w
"""),
    code(r"""
dc = sp.factor(sp.diff(c_w, w))
critical = [r for r in sp.solve(sp.numer(sp.together(dc)), w) if r.is_positive]
w_star = critical[0]
display(dc, w_star)
assert sp.simplify((w_star - 1 / sp.GoldenRatio).rewrite(sp.sqrt)) == 0   # w* = 1/φ
assert sp.simplify(c_w.subs(w, w_star) - w_star) == 0                     # c(1/φ) = 1/φ
assert sp.simplify(sp.diff(c_w, w, 2).subs(w, w_star)) > 0                # a minimum
"""),
    md(r"""
The numerator of $c'(w)$ is proportional to $w^2 + w - 1$, whose positive root is $1/\varphi$, and there
$c(1/\varphi) = 1/\varphi$: the stationary variance is $V_0/\varphi \approx 0.618\,V_0$ instead of $V_0$
without synthetic data. The toolkit derives the same formula from the estimator itself; its registry
entry prints as LaTeX:
"""),
    code(r"""
from rmtheory.symbolic import derive_minnorm, formula
assert sp.simplify(c_w - formula("c_w").rhs) == 0
assert sp.simplify(derive_minnorm().w_star - w_star) == 0
formula("c_w")
"""),
    md(r"""
## Evaluate (mpmath)

The limiting bias $B_0$ and variance $V_0$ depend on $H$ and $G$ through the fixed point
$\gamma\int s/(s+\kappa_0)\,dH(s) = 1$; `rt.limiting_risk` solves it at any precision. To see that the
minimiser is $1/\varphi$ without using the closed form, minimise the full risk numerically (a root of
its numerical derivative) for each model:
"""),
    code(r"""
h = mp.mpf("1e-10")            # central difference: error O(h²), 30-digit evaluations
for key in ("isotropic", "two-point", "ar1", "spiked"):
    m = F.MODELS[key]
    risk = lambda x: rt.limiting_risk(x, m.spectrum, gamma=2.0, dps=30, **m.params).total
    slope = lambda x: (risk(x + h) - risk(x - h)) / (2 * h)
    with mp.workdps(30):
        w_num = mp.findroot(slope, (mp.mpf("0.55"), mp.mpf("0.7")), solver="anderson")
    one = rt.limiting_risk(1.0, m.spectrum, gamma=2.0, dps=20, **m.params)
    print(f"{m.label:28s} argmin R = {mp.nstr(w_num, 15)}   B0 = {mp.nstr(one.bias, 10):12s}"
          f" V0 = {mp.nstr(one.variance, 10)}")
    assert abs(w_num - (mp.sqrt(5) - 1) / 2) < mp.mpf("1e-12")
print(f"{'1/phi':28s}          = {mp.nstr((mp.sqrt(5) - 1) / 2, 15)}")
"""),
    md(r"""
Results display as LaTeX in Jupyter (and as plain text in a terminal):
"""),
    code(r"""
res = rt.optimal_w("spiked", gamma=2.0, dps=30)
display(res)
print(repr(res))
"""),
    md(r"""
### The OLS regime $\gamma < 1$

For $p < n$ the fit is unbiased and the one-shot variance is $\sigma^2\gamma/(1-\gamma)$ for **every**
$H$, so $R_\infty(w) = c(w)\,\sigma^2\gamma/(1-\gamma)$ — the same golden ratio.
"""),
    code(r"""
from rmtheory.symbolic import derive_ols
display(derive_ols().risk)
for key in ("isotropic", "ar1", "spiked"):
    m = F.MODELS[key]
    r = rt.limiting_risk(0.5, m.spectrum, gamma=0.5, dps=20, **m.params)
    print(f"{m.label:28s} R(w = 1/2) = {mp.nstr(r.total, 15)}   (c(1/2) = 2/3)")
"""),
    md(r"""
## Verify (Monte Carlo)

For each model and a few weights: draw independent designs $(X, \beta)$ at finite $n$, compute each design's
exact conditional risk $\mathbb{E}[\lVert\hat\beta_\infty - \beta\rVert_\Sigma^2 \mid X]$, and compare the mean
with the limit ($z$ = gap / standard error; the finite-$n$ mean also differs from the limit by $O(1/n)$).
"""),
    code(r"""
with single_threaded_blas():
    data = F.golden_ratio_data(NB, seed=1)
print(F.format_checks(data.checks[:10]))
print(f"... {sum(c.agrees for c in data.checks)}/{len(data.checks)} points agree")
assert sum(c.agrees for c in data.checks) >= 0.8 * len(data.checks)
F.draw(data)
"""),
    md(r"""
The Monte Carlo points sit on the theory curves, and every curve has its minimum (star) at the dashed line
$w = 1/\varphi$. The level of the curve depends on $H$ and $G$ (through $B_0$ and $V_0$), the minimiser
does not. On the OLS side all models share one curve.
"""),
]

# ---------------------------------------------------------------------------

NB2 = [
    md(r"""
# 2. Ridge: the optimal weight $w^\star(\lambda)$

With a ridge penalty $\lambda > 0$ the bias no longer ignores $w$: mixing shrinks the stationary fit
towards ridge at a *larger* penalty. **Claims.** In the isotropic, random-effects and spiked models,
$w^\star(\lambda) \in [1/2, 1]$, $w^\star(\lambda) \to 1/\varphi$ as $\lambda \downarrow 0$ and
$w^\star(\lambda) \to 1$ as $\lambda \to \infty$. (The band is not general: for a pair $(H, G)$ with
the signal on the smaller of two eigenvalues, $H = \frac12\delta_{1/16} + \frac12\delta_1$,
$G = \delta_{1/16}$, $\gamma = 2$, $\lambda = \frac12$, $\sigma^2 = \frac1{16}$, the optimum is
$w^\star = 0.4258\ldots$) Left open by the paper and answered here: there is a
**critical penalty** $\lambda_c$ beyond which $w^\star = 1$ exactly.
"""),
    code(SETUP),
    md(r"""
## Derive (SymPy)

Per eigenvalue $d$ of $\hat\Sigma$, with $\rho = d/(d+\lambda)$ and $q = 1-w$, the mean multiplier
obeys $a_t = \rho\,(w + q\,a_{t-1})$ and the variance multiplier
$u_t = (q\rho)^2 u_{t-1} + (w^2 + q^2)\,d/(d+\lambda)^2$. Their fixed points:
"""),
    code(r"""
d, lam, w, a, u = sp.symbols("d lambda w a u", positive=True)
rho, q = d / (d + lam), 1 - w
a_inf = sp.factor(sp.solve(sp.Eq(a, rho * (w + q * a)), a)[0])
u_inf = sp.factor(sp.solve(sp.Eq(u, (q * rho)**2 * u + (w**2 + q**2) * d / (d + lam)**2), u)[0])
display(a_inf, u_inf)
assert sp.simplify(a_inf - d / (d + lam / w)) == 0          # stationary mean = ridge at λ/w
c_w = (w**2 + q**2) / (w * (2 - w))
assert sp.simplify(u_inf - c_w * d / ((d + lam / w) * (d + lam / (2 - w)))) == 0
"""),
    md(r"""
The stationary mean is ridge at $\lambda/w$ — more shrinkage, so more bias — while the variance is
$c(w)$ times a divided difference of the effective regularisation $\kappa$. In the limit
$n, p \to \infty$ this gives (registry formula `mixed_risk`):
"""),
    code(r"""
from rmtheory.symbolic import formula
display(formula("mixed_risk"))
display(formula("critical_lambda_condition"))
"""),
    md(r"""
The second formula is the slope of the risk at $w = 1$ set to zero: for $\lambda \ge \lambda_c$ the slope is
non-positive and the optimum sits on the boundary $w^\star = 1$.

## Evaluate (mpmath)
"""),
    code(r"""
for key in ("isotropic", "random-effects", "spiked"):
    m = F.MODELS[key]
    lam_c = rt.critical_lambda(m.spectrum, gamma=2.0, dps=25, **m.params)
    ws = [rt.optimal_w(m.spectrum, gamma=2.0, lam=x, dps=20, **m.params)
          for x in (1e-6, 0.1, 1.0, 0.99 * float(lam_c), 1.01 * float(lam_c), 50.0)]
    print(f"{m.label}:  lambda_c = {mp.nstr(lam_c, 15)}")
    print("   w* at lam = 1e-6, 0.1, 1, 0.99 lc, 1.01 lc, 50:",
          ", ".join(mp.nstr(r.w, 8) for r in ws))
    assert abs(float(ws[0].w) - (5**0.5 - 1) / 2) < 1e-4          # λ ↓ 0: 1/φ
    assert all(0.5 <= float(r.w) <= 1 for r in ws)                  # the band [1/2, 1]
    assert not ws[3].on_boundary and ws[4].on_boundary and ws[5].on_boundary
ws[1]
"""),
    md(r"""
## Verify (Monte Carlo)

For each design, the weight that minimises its *exact* conditional stationary risk; the points are the
mean over designs with 95% error bars, on top of the limiting curves.
"""),
    code(r"""
with single_threaded_blas():
    data = F.ridge_w_star_data(NB, seed=2)
print(F.format_checks(data.checks[:12]))
print(f"... {sum(c.agrees for c in data.checks)}/{len(data.checks)} points agree")
assert sum(c.agrees for c in data.checks) >= 0.8 * len(data.checks)
F.draw(data)
"""),
    md(r"""
Every curve starts at $1/\varphi$, dips slightly below it for small $\lambda$ (never below $1/2$), and rises to
$w^\star = 1$, reached exactly at the critical $\lambda_c$ (stars) — earlier for the spiked model, whose signal
is concentrated on a strong direction, later for the random-effects model.
"""),
]

# ---------------------------------------------------------------------------

NB3 = [
    md(r"""
# 3. Risk against the number of refits $t$

**Claims.** Pure synthetic retraining ($w = 0$) collapses: the variance grows linearly in $t$. Any $w > 0$
keeps the risk bounded; it *decreases* in $t$ exactly when $w > 1/3$. Choosing the weight afresh at each
step (dynamic mixing, $w_t = (1 + w_{t-1})/(2 + w_{t-1})$) beats the fixed $1/\varphi$ at every finite $t$
and converges to it.
"""),
    code(SETUP),
    md(r"""
## Derive (SymPy)

Solve the recursion $c_t = q^2 c_{t-1} + w^2 + q^2$, $c_0 = 1$ in closed form:
"""),
    code(r"""
w, n_ = sp.symbols("w n", positive=True)
t = sp.symbols("t", integer=True, nonnegative=True)
cf = sp.Function("c")
q = 1 - w
sol = sp.rsolve(cf(t + 1) - q**2 * cf(t) - (w**2 + q**2), cf(t), {cf(0): 1})
c_t = sp.simplify(sol)
c_t
"""),
    code(r"""
from rmtheory.symbolic import formula, derive_minnorm, derive_dynamic, greedy_weights
assert sp.simplify(c_t - formula("c_t").rhs) == 0
collapse = sp.limit(c_t, w, 0)                                   # pure synthetic
increment = sp.factor(sp.simplify(c_t.subs(t, t + 1) - c_t))     # c_{t+1} - c_t
display(collapse, increment)
assert sp.simplify(collapse - (1 + t)) == 0
"""),
    md(r"""
$c_t(0) = 1 + t$: linear collapse. The increment is $(1-w)^{2t}$ times a factor proportional to
$(w-1)(3w-1)$, negative exactly for $w \in (1/3, 1)$: the threshold of monotonicity is $w = 1/3$, where
$c_t \equiv 1$.

**Dynamic mixing.** Minimising one step $v_t = (1-w_t)^2 v_{t-1} + w_t^2 + (1-w_t)^2$ over $w_t$:
"""),
    code(r"""
v, wt = sp.symbols("v w_t", positive=True)
one_step = (1 - wt)**2 * v + wt**2 + (1 - wt)**2
greedy = sp.solve(sp.diff(one_step, wt), wt)[0]
display(greedy, sp.factor(one_step.subs(wt, greedy)))      # the minimum equals the weight itself
library = derive_dynamic().greedy_weight
assert sp.simplify(greedy - library.subs(library.free_symbols.pop(), v)) == 0
fib = [sp.fibonacci(k) for k in range(1, 16)]
assert greedy_weights(6) == [sp.Rational(fib[2 * k], fib[2 * k + 1]) for k in range(7)]
greedy_weights(6)
"""),
    md(r"""
So $v_t = w_t$, the schedule is $w_t = (1 + w_{t-1})/(2 + w_{t-1})$ = $F_{2t+1}/F_{2t+2}$, ratios of
Fibonacci numbers converging to $1/\varphi$.

## Evaluate (mpmath)

`rt.limiting_risk(w, t=t)` gives the iteration-$t$ limiting risk; for ridge (here $\lambda = 0.5$) it is the
finite-$t$ theory that the paper leaves open.
"""),
    code(r"""
for w_ in (0.2, 1 / 3, 0.9):
    print(f"w = {w_:.3f}: R_t, t = 0..5 =",
          ", ".join(mp.nstr(rt.limiting_risk(w_, gamma=2.0, t=k, dps=20).total, 8) for k in range(6)))
print("ridge lam = 0.5, w = 0.618: R_t, t = 0..4 =",
      ", ".join(mp.nstr(rt.limiting_risk(0.618, gamma=2.0, lam=0.5, t=k, dps=15).total, 8)
                for k in range(5)),
      "... R_inf =", mp.nstr(rt.limiting_risk(0.618, gamma=2.0, lam=0.5, dps=15).total, 8))
"""),
    md(r"""
## Verify (Monte Carlo)

The exact conditional risk along each weight schedule, averaged over designs.
"""),
    code(r"""
with single_threaded_blas():
    data = F.risk_vs_t_data(NB, seed=3)
print(f"{sum(c.agrees for c in data.checks)}/{len(data.checks)} points agree")
assert sum(c.agrees for c in data.checks) >= 0.8 * len(data.checks)
F.draw(data)
"""),
    md(r"""
Left: $w = 0$ grows linearly, the mixed schedules stay flat. Middle: $w = 0.2$ rises to a bounded level,
$w = 1/3$ stays exactly at the one-shot risk, $w = 1/\varphi$ and $0.9$ decrease; the dynamic schedule lies
below the fixed $1/\varphi$ at every $t$ and meets it in the limit. Right: with ridge the same picture holds
at finite $t$.

## Finite-$t$ ridge beyond isotropy, and the four schemes for ridge

The finite-$t$ ridge risk is a contour integral in the $\kappa$-plane, so it is available for every spectrum,
including a spiked covariance (an outlier eigenvalue carrying half the signal) and AR(1). The schemes
(`scheme=` of `rt.limiting_risk`) follow the same route: per eigenvalue, accumulating multiplies the mean by
$(t+\rho)/(t+1)$ at each step, so for $\lambda > 0$ it tends to the zero estimator and $R_\infty = r^2$.
"""),
    code(r"""
for key in ("spiked", "ar1"):
    m = F.MODELS[key]
    path = [rt.limiting_risk(0.6, m.spectrum, gamma=2.0, lam=0.5, t=k, dps=15, **m.params).total
            for k in range(4)]
    limit = rt.limiting_risk(0.6, m.spectrum, gamma=2.0, lam=0.5, dps=15, **m.params).total
    print(f"{m.label:24s} R_t, t = 0..3 =", ", ".join(mp.nstr(x, 8) for x in path),
          "... R_inf =", mp.nstr(limit, 8))
for scheme, w_ in (("mix", 0.6), ("replace", None), ("dynamic", None), ("accumulate", None)):
    r = [rt.limiting_risk(w_, gamma=2.0, lam=0.5, t=k, dps=15, scheme=scheme).total for k in (1, 5)]
    r_inf = rt.limiting_risk(w_, gamma=2.0, lam=0.5, dps=15, scheme=scheme).total
    print(f"{scheme:10s} R_1 = {mp.nstr(r[0], 8):10s} R_5 = {mp.nstr(r[1], 8):10s}"
          f" R_inf = {mp.nstr(r_inf, 8)}")
"""),
    md(r"""
Left: the exact conditional risk at $w = 0.6$ averaged over designs, against the finite-$t$ theory. Right: the
literal retraining loop of each scheme (its reference is the exact finite-$n$ risk of the same designs; the
theory lines are checked against the exact risk over independent designs).
"""),
    code(r"""
from dataclasses import replace
with single_threaded_blas():
    data = F.ridge_t_data(replace(NB, T=6), seed=7)     # T = 6: each theory point is a contour integral
print(f"{sum(c.agrees for c in data.checks)}/{len(data.checks)} points agree, max |z| = "
      f"{max(abs(c.z) for c in data.checks if not c.deterministic):.2f}")
assert sum(c.agrees for c in data.checks) >= 0.8 * len(data.checks)
F.draw(data)
"""),
    md(r"""
Both non-isotropic models drop after the first refit and settle at their stationary risk (dotted) within a
few refits. With ridge, replacing the data no longer collapses linearly: the mean shrinks to zero and the risk
tends to a finite level above $r^2$. Accumulating lowers the risk over these refits, yet its limit is the zero
estimator ($R_\infty = r^2 = 1$), approached only like $t^{-\lambda/(d+\lambda)}$. The greedy
min-norm schedule stays within about $10^{-3}$ of the fixed $w = 0.6$ (the dashed line on the orange one).
"""),
]

# ---------------------------------------------------------------------------

NB4 = [
    md(r"""
# 4. Retraining schemes and the synthetic-noise ratio $\kappa_s$

Four ways to retrain: **replace** the data by synthetic labels ($w = 0$), **mix** a fixed weight of fresh
real labels, choose the weight **dynamically**, or **accumulate** every synthetic label set alongside the
original real data (Gerstgrasser et al., 2024). Then: what if synthetic labels are noisier or cleaner than
real ones, with noise variance $\kappa_s\sigma^2$?
"""),
    code(SETUP),
    md(r"""
## Derive (SymPy)

**Accumulate, min-norm.** Every fit interpolates, $X\hat\beta_j = \bar y_j$, so with the average label
vector $\bar y_t = (y_0 + \sum_{j\le t} \tilde y_j)/(t+1)$ the noise obeys
$\eta_t = \eta_{t-1} + \tilde\varepsilon_t/(t+1)$: its variance factor is a sum of $1/j^2$.
"""),
    code(r"""
j, t = sp.symbols("j t", integer=True, positive=True)
acc = 1 + sp.summation(1 / j**2, (j, 2, t + 1))
display(sp.simplify(acc), sp.limit(acc, t, sp.oo))
assert abs(F.accumulate_variance_factor(5) - float(acc.subs(t, 5))) < 1e-14
"""),
    md(r"""
Accumulating stays bounded at $B_0 + V_0\,\pi^2/6$ without any fresh real data; the mix at $1/\varphi$ reaches
$B_0 + V_0/\varphi$, lower since $1/\varphi < \pi^2/6$.

**Synthetic noise $\kappa_s$.** The recursion becomes $c_t = q^2 c_{t-1} + w^2 + \kappa_s q^2$:
"""),
    code(r"""
w, c, ks = sp.symbols("w c kappa_s", positive=True)
c_w = sp.factor(sp.solve(sp.Eq(c, (1 - w)**2 * c + w**2 + ks * (1 - w)**2), c)[0])
num = sp.factor(sp.numer(sp.together(sp.diff(c_w, w))))
w_star = [r for r in sp.solve(num, w) if r.subs(ks, 1).is_positive][0]
display(c_w, num, w_star)
from rmtheory.symbolic import formula
registry = formula("w_star_kappa_s")
assert sp.simplify(w_star - registry.rhs.subs(registry.args[0], ks)) == 0
assert sp.simplify((w_star.subs(ks, 1) - 1 / sp.GoldenRatio).rewrite(sp.sqrt)) == 0
display(sp.limit(w_star, ks, 0), sp.limit(w_star, ks, sp.oo))
"""),
    md(r"""
Cleaner synthetic labels ($\kappa_s \to 0$) push $w^\star \to 0$; noisier ones ($\kappa_s \to \infty$) push it to 1.

## Evaluate (mpmath)
"""),
    code(r"""
for k in (0.25, 1.0, 2.0, 4.0):
    mn = rt.optimal_w(gamma=2.0, kappa_s=k, dps=20)
    rd = rt.optimal_w(gamma=2.0, lam=0.5, kappa_s=k, dps=20)
    print(f"kappa_s = {k:4g}:  min-norm w* = {mp.nstr(mn.w, 12)}   ridge(0.5) w* = {mp.nstr(rd.w, 12)}")
"""),
    md(r"""
## Verify (Monte Carlo)

The schemes are simulated *literally*: fresh label noise at every refit, many repetitions per design. The
reference of each point is the exact finite-$n$ conditional risk of the same designs; lines are the limit.
"""),
    code(r"""
with single_threaded_blas():
    schemes = F.schemes_data(NB, seed=4)
    kappa = F.kappa_s_data(NB, seed=5)
for data in (schemes, kappa):
    print(data.title, f": {sum(c.agrees for c in data.checks)}/{len(data.checks)} points agree")
    assert sum(c.agrees for c in data.checks) >= 0.8 * len(data.checks)
F.draw(schemes)
"""),
    code(r"""
F.draw(kappa)
"""),
    md(r"""
Replacing collapses; mixing at $1/\varphi$, the dynamic schedule and accumulating all stay bounded, in that
order from best to worst in the limit. The optimal weight follows the closed form in $\kappa_s$ (left), passing
through $1/\varphi$ at $\kappa_s = 1$; ridge moves it up, towards real data.
"""),
]

# ---------------------------------------------------------------------------

NB5 = [
    md(r"""
# 5. Beyond the assumptions

The theory assumes a bounded spectrum, i.i.d. entries with enough moments (the proofs use Gaussian ones here)
and a linear estimator. Three experiments step outside, by simulation:

1. **Equicorrelated covariance** $\Sigma = (1-\rho)I + \rho\mathbf 1\mathbf 1^\top$: one eigenvalue grows with $p$.
2. **Rademacher entries** ($\pm 1$) instead of Gaussian ones.
3. **Min-$\ell_1$ interpolation** (basis pursuit), a non-linear estimator, on a sparse truth.
"""),
    code(SETUP),
    md(r"""
## Derive (SymPy): the equicorrelated spectrum
"""),
    code(r"""
rho = sp.symbols("rho", positive=True)
p = 5
Sigma = (1 - rho) * sp.eye(p) + rho * sp.ones(p, p)
Sigma.eigenvals()
"""),
    md(r"""
$p - 1$ eigenvalues equal $1 - \rho$, one equals $1 + (p-1)\rho \to \infty$. The limit spectrum $H$ keeps only
$\delta_{1-\rho}$ (a single diverging eigenvalue has mass $1/p \to 0$); the spectrum model `equicorrelated`
implements that. Whether the diverging direction changes the risk is a question for simulation.

## Evaluate (mpmath)
"""),
    code(r"""
display(rt.formula("minnorm_risk"))          # B₀ and V₀ carry H; c(w) does not
for r in (0.5, 0.8):
    res = rt.optimal_w("equicorrelated", rho=r, gamma=2.0, dps=20)
    print(f"rho = {r}: w* = {mp.nstr(res.w, 12)}, R(w*) = {mp.nstr(res.risk.total, 12)},"
          f" R(1) = {mp.nstr(res.risk_at_1.total, 12)}")
"""),
    md(r"""
## Explore (Monte Carlo)

Equicorrelated and Rademacher designs use the exact conditional risk (it holds for any design); min-$\ell_1$
has no such formula, so its retraining loop is simulated literally, one linear programme per fit.
"""),
    code(r"""
with single_threaded_blas():
    data = F.beyond_data(NB, seed=6)
print(F.format_checks([c for c in data.checks if not c.in_scope]))
F.draw(data)
"""),
    code(r"""
title = [t for t in data.tables if t.startswith("Min")][0]
header, rows = data.tables[title]
print(title)
print("  ".join(f"{h:>20}" for h in header))
for row in rows:
    print("  ".join(f"{c:>20}" for c in row))
"""),
    md(r"""
What the tables and the figure show, at these sizes: the equicorrelated and Rademacher points lie near the
Gaussian bulk theory (outside the theory there is no calibrated verdict: their `agrees` column is the plain
$|z| \le 3$ at this $n$, and their gaps are of the size of the $O(1/n)$ corrections seen in notebook 1; for the
equicorrelated $\Sigma$, `rt.deterministic_equivalent` with the realised spectrum removes about half of that gap),
and their minimum stays at $1/\varphi$. That last part holds for *any* design:
for min-norm interpolation the variance is $c_t(w)\,V_0(X)$ exactly, so the conditional risk of every design is
minimised at $1/\varphi$ — the diverging eigenvalue and the $\pm1$ entries can only change $B_0$ and $V_0$.

Min-$\ell_1$ interpolation is not linear in the labels, so $c(w)$ no longer factors out and nothing forces the
optimum to $1/\varphi$; the last table compares its simulated risk with min-$\ell_2$ at the same weights (few
repetitions here — `rmtheory report` runs more).
"""),
]

NOTEBOOKS = {
    "01_golden_ratio.ipynb": NB1,
    "02_ridge_w_star.ipynb": NB2,
    "03_risk_vs_t.ipynb": NB3,
    "04_schemes_kappa_s.ipynb": NB4,
    "05_beyond_assumptions.ipynb": NB5,
}


def build(directory=HERE):
    for name, cells in NOTEBOOKS.items():
        for i, cell in enumerate(cells):      # stable ids: rebuilding changes nothing
            cell["id"] = f"{Path(name).stem[:2]}-{i:02d}"
        nb = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"}})
        nbformat.validate(nb)
        nbformat.write(nb, str(Path(directory) / name))


if __name__ == "__main__":
    build()
