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
# # 4. Retraining schemes and the synthetic-noise ratio $\kappa_s$
#
# Four ways to retrain: **replace** the data by synthetic labels ($w = 0$), **mix** a fixed weight of fresh
# real labels, choose the weight **dynamically**, or **accumulate** every synthetic label set alongside the
# original real data (Gerstgrasser et al., 2024). Then: what if synthetic labels are noisier or cleaner than
# real ones, with noise variance $\kappa_s\sigma^2$?

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
# **Accumulate, min-norm.** Every fit interpolates, $X\hat\beta_j = \bar y_j$, so with the average label
# vector $\bar y_t = (y_0 + \sum_{j\le t} \tilde y_j)/(t+1)$ the noise obeys
# $\eta_t = \eta_{t-1} + \tilde\varepsilon_t/(t+1)$: its variance factor is a sum of $1/j^2$.

# %%
j, t = sp.symbols("j t", integer=True, positive=True)
acc = 1 + sp.summation(1 / j**2, (j, 2, t + 1))
display(sp.simplify(acc), sp.limit(acc, t, sp.oo))
# the library's derived c_t (rmtheory.symbolic.schemes) is the same sum
from rmtheory.symbolic.schemes import variance_factor_function
accumulate_factor = variance_factor_function("accumulate", "math")
assert abs(accumulate_factor(5, 1.0) - float(acc.subs(t, 5))) < 1e-14

# %% [markdown]
# Accumulating stays bounded at $B_0 + V_0\,\pi^2/6$ without any fresh real data; the mix at $1/\varphi$ reaches
# $B_0 + V_0/\varphi$, lower since $1/\varphi < \pi^2/6$.
#
# **Synthetic noise $\kappa_s$.** The recursion becomes $c_t = q^2 c_{t-1} + w^2 + \kappa_s q^2$:

# %%
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

# %% [markdown]
# Cleaner synthetic labels ($\kappa_s \to 0$) push $w^\star \to 0$; noisier ones ($\kappa_s \to \infty$) push it to 1.
#
# ## Evaluate (mpmath)

# %%
for k in (0.25, 1.0, 2.0, 4.0):
    mn = rt.optimal_w(gamma=2.0, kappa_s=k, dps=20)
    rd = rt.optimal_w(gamma=2.0, lam=0.5, kappa_s=k, dps=20)
    print(f"kappa_s = {k:4g}:  min-norm w* = {mp.nstr(mn.w, 12)}   ridge(0.5) w* = {mp.nstr(rd.w, 12)}")

# %% [markdown]
# ## Verify (Monte Carlo)
#
# The schemes are simulated *literally*: fresh label noise at every refit, many repetitions per design. The
# reference of each point is the exact finite-$n$ conditional risk of the same designs; lines are the limit.

# %%
with single_threaded_blas():
    schemes = F.schemes_data(NB, seed=4)
    kappa = F.kappa_s_data(NB, seed=5)
for data in (schemes, kappa):
    print(data.title, f": {sum(c.agrees for c in data.checks)}/{len(data.checks)} points agree")
    assert sum(c.agrees for c in data.checks) >= 0.8 * len(data.checks)
draw(schemes)

# %%
draw(kappa)

# %% [markdown]
# Replacing collapses; mixing at $1/\varphi$, the dynamic schedule and accumulating all stay bounded, in that
# order from best to worst in the limit. The optimal weight follows the closed form in $\kappa_s$ (left), passing
# through $1/\varphi$ at $\kappa_s = 1$; ridge moves it up, towards real data.
