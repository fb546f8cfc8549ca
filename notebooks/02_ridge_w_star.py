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
# # 2. Ridge: the optimal weight $w^\star(\lambda)$
#
# With a ridge penalty $\lambda > 0$ the bias no longer ignores $w$: mixing shrinks the stationary fit
# towards ridge at a *larger* penalty. **Claims.** In the isotropic, random-effects and spiked models,
# $w^\star(\lambda) \in [1/2, 1]$, $w^\star(\lambda) \to 1/\varphi$ as $\lambda \downarrow 0$ and
# $w^\star(\lambda) \to 1$ as $\lambda \to \infty$. (The band is not general: for a pair $(H, G)$ with
# the signal on the smaller of two eigenvalues, $H = \frac12\delta_{1/16} + \frac12\delta_1$,
# $G = \delta_{1/16}$, $\gamma = 2$, $\lambda = \frac12$, $\sigma^2 = \frac1{16}$, the optimum is
# $w^\star = 0.4258\ldots$) Left open by the paper and answered here: there is a
# **critical penalty** $\lambda_c$ beyond which $w^\star = 1$ exactly.

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
# Per eigenvalue $d$ of $\hat\Sigma$, with $\rho = d/(d+\lambda)$ and $q = 1-w$, the mean multiplier
# obeys $a_t = \rho\,(w + q\,a_{t-1})$ and the variance multiplier
# $u_t = (q\rho)^2 u_{t-1} + (w^2 + q^2)\,d/(d+\lambda)^2$. Their fixed points:

# %%
d, lam, w, a, u = sp.symbols("d lambda w a u", positive=True)
rho, q = d / (d + lam), 1 - w
a_inf = sp.factor(sp.solve(sp.Eq(a, rho * (w + q * a)), a)[0])
u_inf = sp.factor(sp.solve(sp.Eq(u, (q * rho)**2 * u + (w**2 + q**2) * d / (d + lam)**2), u)[0])
display(a_inf, u_inf)
assert sp.simplify(a_inf - d / (d + lam / w)) == 0          # stationary mean = ridge at λ/w
c_w = (w**2 + q**2) / (w * (2 - w))
assert sp.simplify(u_inf - c_w * d / ((d + lam / w) * (d + lam / (2 - w)))) == 0

# %% [markdown]
# The stationary mean is ridge at $\lambda/w$ — more shrinkage, so more bias — while the variance is
# $c(w)$ times a divided difference of the effective regularisation $\kappa$. In the limit
# $n, p \to \infty$ this gives (registry formula `mixed_risk`):

# %%
from rmtheory.symbolic import formula
display(formula("mixed_risk"))
display(formula("critical_lambda_condition"))

# %% [markdown]
# The second formula is the slope of the risk at $w = 1$ set to zero: for $\lambda \ge \lambda_c$ the slope is
# non-positive and the optimum sits on the boundary $w^\star = 1$.
#
# ## Evaluate (mpmath)

# %%
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

# %% [markdown]
# ## Verify (Monte Carlo)
#
# For each design, the weight that minimises its *exact* conditional stationary risk; the points are the
# mean over designs with 95% error bars, on top of the limiting curves.

# %%
with single_threaded_blas():
    data = F.ridge_w_star_data(NB, seed=2)
print(F.format_checks(data.checks[:12]))
print(f"... {sum(c.agrees for c in data.checks)}/{len(data.checks)} points agree")
assert sum(c.agrees for c in data.checks) >= 0.8 * len(data.checks)
draw(data)

# %% [markdown]
# Every curve starts at $1/\varphi$, dips slightly below it for small $\lambda$ (never below $1/2$), and rises to
# $w^\star = 1$, reached exactly at the critical $\lambda_c$ (stars) — earlier for the spiked model, whose signal
# is concentrated on a strong direction, later for the random-effects model.
