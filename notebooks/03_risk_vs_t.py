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
# # 3. Risk against the number of refits $t$
#
# **Claims.** Pure synthetic retraining ($w = 0$) collapses: the variance grows linearly in $t$. Any $w > 0$
# keeps the risk bounded; it *decreases* in $t$ exactly when $w > 1/3$. Choosing the weight afresh at each
# step (dynamic mixing, $w_t = (1 + w_{t-1})/(2 + w_{t-1})$) beats the fixed $1/\varphi$ at every finite $t$
# and converges to it.

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
# Solve the recursion $c_t = q^2 c_{t-1} + w^2 + q^2$, $c_0 = 1$ in closed form:

# %%
w, n_ = sp.symbols("w n", positive=True)
t = sp.symbols("t", integer=True, nonnegative=True)
cf = sp.Function("c")
q = 1 - w
sol = sp.rsolve(cf(t + 1) - q**2 * cf(t) - (w**2 + q**2), cf(t), {cf(0): 1})
c_t = sp.simplify(sol)
c_t

# %%
from rmtheory.symbolic import formula, derive_minnorm, derive_dynamic, greedy_weights
assert sp.simplify(c_t - formula("c_t").rhs) == 0
collapse = sp.limit(c_t, w, 0)                                   # pure synthetic
increment = sp.factor(sp.simplify(c_t.subs(t, t + 1) - c_t))     # c_{t+1} - c_t
display(collapse, increment)
assert sp.simplify(collapse - (1 + t)) == 0

# %% [markdown]
# $c_t(0) = 1 + t$: linear collapse. The increment is $(1-w)^{2t}$ times a factor proportional to
# $(w-1)(3w-1)$, negative exactly for $w \in (1/3, 1)$: the threshold of monotonicity is $w = 1/3$, where
# $c_t \equiv 1$.
#
# **Dynamic mixing.** Minimising one step $v_t = (1-w_t)^2 v_{t-1} + w_t^2 + (1-w_t)^2$ over $w_t$:

# %%
v, wt = sp.symbols("v w_t", positive=True)
one_step = (1 - wt)**2 * v + wt**2 + (1 - wt)**2
greedy = sp.solve(sp.diff(one_step, wt), wt)[0]
display(greedy, sp.factor(one_step.subs(wt, greedy)))      # the minimum equals the weight itself
library = derive_dynamic().greedy_weight
assert sp.simplify(greedy - library.subs(library.free_symbols.pop(), v)) == 0
fib = [sp.fibonacci(k) for k in range(1, 16)]
assert greedy_weights(6) == [sp.Rational(fib[2 * k], fib[2 * k + 1]) for k in range(7)]
greedy_weights(6)

# %% [markdown]
# So $v_t = w_t$, the schedule is $w_t = (1 + w_{t-1})/(2 + w_{t-1})$ = $F_{2t+1}/F_{2t+2}$, ratios of
# Fibonacci numbers converging to $1/\varphi$.
#
# ## Evaluate (mpmath)
#
# `rt.limiting_risk(w, t=t)` gives the iteration-$t$ limiting risk; for ridge (here $\lambda = 0.5$) it is the
# finite-$t$ theory that the paper leaves open.

# %%
for w_ in (0.2, 1 / 3, 0.9):
    print(f"w = {w_:.3f}: R_t, t = 0..5 =",
          ", ".join(mp.nstr(rt.limiting_risk(w_, gamma=2.0, t=k, dps=20).total, 8) for k in range(6)))
print("ridge lam = 0.5, w = 0.618: R_t, t = 0..4 =",
      ", ".join(mp.nstr(rt.limiting_risk(0.618, gamma=2.0, lam=0.5, t=k, dps=15).total, 8)
                for k in range(5)),
      "... R_inf =", mp.nstr(rt.limiting_risk(0.618, gamma=2.0, lam=0.5, dps=15).total, 8))

# %% [markdown]
# ## Verify (Monte Carlo)
#
# The exact conditional risk along each weight schedule, averaged over designs.

# %%
with single_threaded_blas():
    data = F.risk_vs_t_data(NB, seed=3)
print(f"{sum(c.agrees for c in data.checks)}/{len(data.checks)} points agree")
assert sum(c.agrees for c in data.checks) >= 0.8 * len(data.checks)
draw(data)

# %% [markdown]
# Left: $w = 0$ grows linearly, the mixed schedules stay flat. Middle: $w = 0.2$ rises to a bounded level,
# $w = 1/3$ stays exactly at the one-shot risk, $w = 1/\varphi$ and $0.9$ decrease; the dynamic schedule lies
# below the fixed $1/\varphi$ at every $t$ and meets it in the limit. Right: with ridge the same picture holds
# at finite $t$.
#
# ## Finite-$t$ ridge beyond isotropy, and the four schemes for ridge
#
# The finite-$t$ ridge risk is a contour integral in the $\kappa$-plane, so it is available for every spectrum,
# including a spiked covariance (an outlier eigenvalue carrying half the signal) and AR(1). The schemes
# (`scheme=` of `rt.limiting_risk`) follow the same route: per eigenvalue, accumulating multiplies the mean by
# $(t+\rho)/(t+1)$ at each step, so for $\lambda > 0$ it tends to the zero estimator and $R_\infty = r^2$.

# %%
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

# %% [markdown]
# Left: the exact conditional risk at $w = 0.6$ averaged over designs, against the finite-$t$ theory. Right: the
# literal retraining loop of each scheme (its reference is the exact finite-$n$ risk of the same designs; the
# theory lines are checked against the exact risk over independent designs).

# %%
from dataclasses import replace
with single_threaded_blas():
    data = F.ridge_t_data(replace(NB, T=6), seed=7)     # T = 6: each theory point is a contour integral
print(f"{sum(c.agrees for c in data.checks)}/{len(data.checks)} points agree, max |z| = "
      f"{max(abs(c.z) for c in data.checks if not c.deterministic):.2f}")
assert sum(c.agrees for c in data.checks) >= 0.8 * len(data.checks)
draw(data)

# %% [markdown]
# Both non-isotropic models drop after the first refit and settle at their stationary risk (dotted) within a
# few refits. With ridge, replacing the data no longer collapses linearly: the mean shrinks to zero and the risk
# tends to a finite level above $r^2$. Accumulating lowers the risk over these refits, yet its limit is the zero
# estimator ($R_\infty = r^2 = 1$), approached only like $t^{-\lambda/(d+\lambda)}$. The greedy
# min-norm schedule stays within about $10^{-3}$ of the fixed $w = 0.6$ (the dashed line on the orange one).
