# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Sweeps: maps of the optimal weight at array speed
#
# The public functions take arrays: `w`, `lam`, `gamma`, `t` and `kappa_s` broadcast by NumPy's
# rules, and `backend="float64"` computes a whole grid at once (κ solves, slopes and the root
# search for $w^\star$ in arrays), agreeing with the mpmath backend to $10^{-10}$ relative.
# This notebook draws, for three spectra, the optimal real-data weight $w^\star(\gamma, \lambda)$
# of the stationary risk over the aspect ratio $\gamma = p/n$ and the ridge penalty $\lambda$, and
# the critical penalty $\lambda_c(\gamma)$ beyond which $w^\star = 1$ exactly:
#
# $$\lambda_c B'(\lambda_c) = 2\sigma^2\bigl(\kappa'(\lambda_c) - 1\bigr).$$

# %%
# %matplotlib inline
import time

import numpy as np

import rmtheory as rt
from rmtheory import experiments as F
from rmtheory.plot import draw

# %% [markdown]
# ## One call per map
#
# A $100 \times 100$ grid: `gamma` as a column, `lam` as a row; the result's fields are arrays of
# the broadcast shape.

# %%
gammas = np.linspace(0.25, 5.0, 100)
lams = np.geomspace(1e-3, 30.0, 100)
start = time.perf_counter()
grid = rt.optimal_w("isotropic", gamma=gammas[:, None], lam=lams[None, :], backend="float64")
print(f"{grid.shape} grid in {time.perf_counter() - start:.2f} s;",
      f"w* from {grid.w.min():.4f} to {grid.w.max():.4f};",
      f"{grid.on_boundary.mean():.0%} of the points have w* = 1")

# %% [markdown]
# The float64 numbers agree with the mpmath backend (here at 15 digits) to $10^{-10}$:

# %%
i, j = 70, 45
exact = rt.optimal_w("isotropic", gamma=float(gammas[i]), lam=float(lams[j]), dps=15)
print(grid[i, j].w, float(exact.w), abs(grid[i, j].w - float(exact.w)) / float(exact.w))

# %% [markdown]
# A result exports to plain data: `to_dict()` / `to_json()` keep every digit as a string, and
# `to_dataframe()` is a tidy pandas table (one row per grid point).

# %%
small = rt.optimal_w("spiked", gamma=[[0.5], [2.0]], lam=[0.01, 0.5, 5.0], backend="float64")
small.to_dataframe()[["gamma", "lam", "w", "on_boundary", "risk", "relative_gain"]]

# %% [markdown]
# ## The critical penalty
#
# Beyond $\lambda_c$ real data alone is best: $\lambda_c$ is the root of the slope of the
# stationary risk at $w = 1$ (the symbolic layer's formula, as LaTeX):

# %%
rt.formula("critical_lambda_condition")

# %% [markdown]
# ## The maps and $\lambda_c(\gamma)$ for three spectra
#
# The report's figure: for each spectrum one `optimal_w` call on the grid and one
# `critical_lambda` call on the vector of $\gamma$; the circles are checked by simulation (the
# minimiser of the exact conditional risk of finite-$n$ designs).

# %%
data = F.sweeps_data(F.Sizes(n=80, draws=8, designs=2, reps=60, T=10, grid=18))
draw(data)

# %%
for check in data.checks:
    print(f"{check.setting:48s} λ = {check.x:<5g} theory {check.reference_value:.4f}  "
          f"finite n {check.mean:.4f} ± {check.se:.4f}")

# %% [markdown]
# ## $\lambda_c(\gamma)$ against the mpmath backend

# %%
header, rows = next(iter(data.tables.values()))
print(" | ".join(header))
for row in rows:
    print(" | ".join(row))

# %% [markdown]
# What the maps show: as $\lambda \to 0$ the optimum tends to $1/\varphi \approx 0.618$ for every
# spectrum (the min-norm result); it rises with $\lambda$ and reaches 1 exactly at
# $\lambda_c(\gamma)$, which grows with $\gamma$ for the isotropic and AR(1) models and stays
# nearly flat for the spiked one, whose signal sits on a strong direction.
