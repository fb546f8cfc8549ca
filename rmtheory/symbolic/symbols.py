"""The symbols of the model, with the assumptions SymPy may use.

Names follow the paper: ``w`` is the real-data weight, ``lam`` the ridge
penalty, ``gamma = p/n``, ``d`` an eigenvalue of the sample covariance
``XᵀX/n``, ``s`` an eigenvalue of the population covariance ``Σ``,
``kappa`` the effective regularisation and ``kappa_s`` the ratio of the
synthetic to the real label-noise variance.
"""
import sympy as sp

__all__ = [
    "w", "q", "t", "lam", "gamma", "d", "s", "n", "kappa", "kappa_s",
    "sigma2", "r2", "beta_i", "z", "m", "m1", "m2", "v", "delta",
]

#: real-data weight, ``w ∈ (0, 1]``
w = sp.Symbol("w", positive=True)
#: synthetic weight ``1 − w`` (kept as an expression, never a free symbol)
q = 1 - w
#: iteration counter
t = sp.Symbol("t", integer=True, nonnegative=True)
#: ridge penalty ``λ``
lam = sp.Symbol("lambda", positive=True)
#: aspect ratio ``γ = p/n``
gamma = sp.Symbol("gamma", positive=True)
#: an eigenvalue of ``XᵀX/n``
d = sp.Symbol("d", positive=True)
#: an eigenvalue of ``Σ``
s = sp.Symbol("s", positive=True)
#: sample size
n = sp.Symbol("n", positive=True)
#: effective regularisation ``κ``
kappa = sp.Symbol("kappa", positive=True)
#: synthetic-noise ratio ``κ_s`` (synthetic noise variance is ``κ_s σ²``)
kappa_s = sp.Symbol("kappa_s", nonnegative=True)
#: real label-noise variance ``σ²``
sigma2 = sp.Symbol("sigma^2", positive=True)
#: signal strength ``r² = ‖β‖²``
r2 = sp.Symbol("r^2", positive=True)
#: coordinate of ``β`` on one eigenvector of ``XᵀX/n``
beta_i = sp.Symbol("beta_i", real=True)
#: spectral argument of a Stieltjes transform
z = sp.Symbol("z")
#: value of the Stieltjes transform ``m(z)``
m = sp.Symbol("m")
#: ``m₁ = m(−λ/w)`` and ``m₂ = m(−λ/(2−w))``
m1 = sp.Symbol("m_1", positive=True)
m2 = sp.Symbol("m_2", positive=True)
#: value of the companion transform ``v(z)`` of ``XXᵀ/n``
v = sp.Symbol("v")
#: distance of ``γ`` from 1 (``γ = 1 ± δ``), used to pick square-root branches
delta = sp.Symbol("delta", positive=True)
