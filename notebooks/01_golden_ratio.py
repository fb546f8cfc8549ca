# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1. The golden ratio: $w^\star = 1/\varphi$ for min-norm interpolation
#
# A linear model is refitted again and again on a fixed design $X \in \mathbb{R}^{n\times p}$.
# At every refit the labels are a mix: a weight $w$ of fresh real labels $y_t = X\beta + \varepsilon_t$
# and $1-w$ of synthetic labels $\tilde y_t = X\hat\beta_{t-1} + \tilde\varepsilon_t$ produced by the
# previous fit. For min-norm interpolation ($\lambda = 0$, $\gamma = p/n > 1$) the bias does not depend
# on $w$ or $t$, and the variance is the one-shot variance $V_0$ times a factor $c_t(w)$:
#
# $$R_t(w) = B_0 + c_t(w)\,V_0 .$$
#
# **Claim.** The stationary factor $c(w) = \lim_t c_t(w)$ is minimised at $w^\star = 1/\varphi = (\sqrt5-1)/2$,
# whatever the covariance $\Sigma$ (its spectrum $H$) and the signal $\beta$ (its measure $G$) — and so is the
# risk. The same holds for OLS ($\gamma < 1$), where the bias is zero.
#
# This notebook derives $c(w)$ and $w^\star$ with SymPy, evaluates the risk for four covariance models with
# mpmath, and checks it against finite-$n$ Monte Carlo.

# %%
# %matplotlib inline
import numpy as np
import sympy as sp
from mpmath import mp
from IPython.display import display

import rmtheory as rt
from rmtheory import experiments as F
from rmtheory.plot import draw
from rmtheory.report import single_threaded_blas

# Monte Carlo sizes for a notebook: seconds, not minutes (the report uses F.FULL)
NB = F.Sizes(n=80, draws=8, designs=2, reps=60, T=10, grid=18, l1_n=24, l1_reps=4, l1_T=3)

# %% [markdown]
# ## Derive (SymPy)
#
# Per eigen-direction of $\hat\Sigma = X^\top X/n$ the fit is the same linear map applied to the labels,
# so the label noise propagates linearly. With $q = 1 - w$, the variance factor obeys the one-step
# recursion (fresh real noise of weight $w$, synthetic noise of weight $q$, the previous fit's noise carried
# with weight $q$):
#
# $$c_t = q^2 c_{t-1} + w^2 + q^2, \qquad c_0 = 1 .$$
#
# Its fixed point is $c(w)$; the minimiser solves $c'(w) = 0$.

# %%
w, c, t = sp.symbols("w c t", positive=True)
step = (1 - w)**2 * c + w**2 + (1 - w)**2          # c_t in terms of c = c_{t-1}
c_w = sp.factor(sp.solve(sp.Eq(c, step), c)[0])    # the fixed point c(w)
c_w

# %%
dc = sp.factor(sp.diff(c_w, w))
critical = [r for r in sp.solve(sp.numer(sp.together(dc)), w) if r.is_positive]
w_star = critical[0]
display(dc, w_star)
assert sp.simplify((w_star - 1 / sp.GoldenRatio).rewrite(sp.sqrt)) == 0   # w* = 1/φ
assert sp.simplify(c_w.subs(w, w_star) - w_star) == 0                     # c(1/φ) = 1/φ
assert sp.simplify(sp.diff(c_w, w, 2).subs(w, w_star)) > 0                # a minimum

# %% [markdown]
# The numerator of $c'(w)$ is proportional to $w^2 + w - 1$, whose positive root is $1/\varphi$, and there
# $c(1/\varphi) = 1/\varphi$: the stationary variance is $V_0/\varphi \approx 0.618\,V_0$ instead of $V_0$
# without synthetic data. The toolkit derives the same formula from the estimator itself; its registry
# entry prints as LaTeX:

# %%
from rmtheory.symbolic import derive_minnorm, formula
assert sp.simplify(c_w - formula("c_w").rhs) == 0
assert sp.simplify(derive_minnorm().w_star - w_star) == 0
formula("c_w")

# %% [markdown]
# A formula takes the API's keyword names and SymPy values, and its symbols are `rt.symbols`; the
# machine-checked derivation behind it (every step verified exactly with SymPy) renders here as LaTeX.
# `rt.derivation("c_w")` is the full proof of this notebook's claim; the shorter one below generalises it
# to synthetic labels that are noisier ($\kappa_s > 1$) or cleaner than real ones.

# %%
display(formula("c_w")(w=sp.Rational(1, 2)), formula("c_w").rhs.subs(rt.symbols.w, w_star).simplify())
rt.derivation("synthetic_noise")

# %% [markdown]
# ## Evaluate (mpmath)
#
# The limiting bias $B_0$ and variance $V_0$ depend on $H$ and $G$ through the fixed point
# $\gamma\int s/(s+\kappa_0)\,dH(s) = 1$; `rt.limiting_risk` solves it at any precision. To see that the
# minimiser is $1/\varphi$ without using the closed form, minimise the full risk numerically (a root of
# its numerical derivative) for each model:

# %%
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

# %% [markdown]
# Results display as LaTeX in Jupyter (and as plain text in a terminal):

# %%
res = rt.optimal_w("spiked", gamma=2.0, dps=30)
display(res)
print(repr(res))

# %% [markdown]
# ### The OLS regime $\gamma < 1$
#
# For $p < n$ the fit is unbiased and the one-shot variance is $\sigma^2\gamma/(1-\gamma)$ for **every**
# $H$, so $R_\infty(w) = c(w)\,\sigma^2\gamma/(1-\gamma)$ — the same golden ratio.

# %%
from rmtheory.symbolic import derive_ols
display(derive_ols().risk)
for key in ("isotropic", "ar1", "spiked"):
    m = F.MODELS[key]
    r = rt.limiting_risk(0.5, m.spectrum, gamma=0.5, dps=20, **m.params)
    print(f"{m.label:28s} R(w = 1/2) = {mp.nstr(r.total, 15)}   (c(1/2) = 2/3)")

# %% [markdown]
# ## Verify (Monte Carlo)
#
# For each model and a few weights: draw independent designs $(X, \beta)$ at finite $n$, compute each design's
# exact conditional risk $\mathbb{E}[\lVert\hat\beta_\infty - \beta\rVert_\Sigma^2 \mid X]$, and compare the mean
# with the limit ($z$ = gap / standard error; the finite-$n$ mean also differs from the limit by $O(1/n)$).

# %%
with single_threaded_blas():
    data = F.golden_ratio_data(NB, seed=1)
print(F.format_checks(data.checks[:10]))
print(f"... {sum(c.agrees for c in data.checks)}/{len(data.checks)} points agree")
assert sum(c.agrees for c in data.checks) >= 0.8 * len(data.checks)
draw(data)

# %% [markdown]
# The Monte Carlo points sit on the theory curves, and every curve has its minimum (star) at the dashed line
# $w = 1/\varphi$. The level of the curve depends on $H$ and $G$ (through $B_0$ and $V_0$), the minimiser
# does not. On the OLS side all models share one curve.
