r"""Result 9: exact finite-n expected risk for Gaussian isotropic designs.

For ``Σ = I`` and ``X`` with i.i.d. ``N(0, 1)`` entries (``n × p``), the
pseudo-inverse fit has finite-n expectations in closed form, from the
inverse-Wishart moment ``E[W^{-1}] = I/(k − 2)``-per-diagonal-entry
argument (every diagonal entry of ``W^{-1}`` is ``1/χ²_k``):

.. math::

    p > n + 1:&\quad E[B_0] = r^2\Bigl(1 - \frac{n}{p}\Bigr), \qquad
               E[V_0] = \sigma^2 \frac{n}{p - n - 1}, \\
    p < n - 1:&\quad E[B_0] = 0, \qquad
               E[V_0] = \sigma^2 \frac{p}{n - p - 1},

and since the min-norm/OLS conditional risk is ``B_0 + c_t(w) V_0`` given
``X`` with a deterministic ``c_t(w)`` (result 1), the finite-n expected
mixed risk ``E[R_t] = E[B_0] + c_t(w; κ_s) E[V_0]`` is exact for every
``w``, ``t`` and ``κ_s``. Nothing here is typed in: the steps start from
the χ² density and the projection ranks (``proofs/p9_finite_n_gaussian.py``
checks each of them).

Examples
--------
>>> from rmtheory.symbolic.finite_n_gaussian import derive_finite_n_gaussian
>>> derive_finite_n_gaussian().minnorm_variance
n*sigma^2/(-n + p - 1)
>>> from rmtheory.symbolic.finite_n_gaussian import finite_n_gaussian_risk
>>> finite_n_gaussian_risk(1.0, n=40, p=80)      # (bias, variance, total)
(0.5, 1.0256410256410255, 1.5256410256410255)
"""
import functools
import math
from typing import NamedTuple

import sympy as sp

from ._cache import disk_cached
from .minnorm import derive_minnorm
from .symbols import kappa_s, n, r2, sigma2, t, w

__all__ = ["FiniteNGaussianDerivation", "derive_finite_n_gaussian", "finite_n_gaussian_risk",
           "p", "dof", "chi2_density", "chi2_variable"]

#: dimension of the design
p = sp.Symbol("p", positive=True)
#: degrees of freedom of a χ² variable
dof = sp.Symbol("k", positive=True)
#: the χ² variable
chi2_variable = sp.Symbol("x", positive=True)
#: ``k − 2 > 0``: the inverse moment exists exactly then
_excess = sp.Symbol("a", positive=True)


def chi2_density(k):
    r"""The χ²_k density, ``x^{k/2−1} e^{−x/2} / (2^{k/2} Γ(k/2))``."""
    x = chi2_variable
    return x**(k / 2 - 1) * sp.exp(-x / 2) / (2**(k / 2) * sp.gamma(k / 2))


class FiniteNGaussianDerivation(NamedTuple):
    chi2_normalisation: sp.Expr      # ∫ density = 1 (k > 2)
    inverse_chi2_mean: sp.Expr       # E[1/χ²_k] in k, valid for k > 2
    schur_entry: sp.Expr             # (W⁻¹)₁₁ · (W₁₁ − W₁₂W₂₂⁻¹W₂₁) on a generic 3 × 3 W
    projection_trace: sp.Expr        # tr of the projection on 2 generic rows of R³
    minnorm_dof: sp.Expr             # k of each 1/(W⁻¹)_jj, W = XXᵀ (n × n, p > n)
    ols_dof: sp.Expr                 # k for W = XᵀX (p × p, p < n)
    projection_mean_scale: sp.Expr   # c in E[P] = c I for the rank-n row-space projection
    minnorm_bias: sp.Expr            # E‖(I − P)β‖² = r²(1 − n/p)
    minnorm_variance: sp.Expr        # σ² E tr (XXᵀ)⁻¹
    ols_variance: sp.Expr            # σ² E tr (XᵀX)⁻¹
    minnorm_risk_t: sp.Expr          # E[B₀] + c_t(w; κ_s) E[V₀]
    ols_risk_t: sp.Expr
    minnorm_risk: sp.Expr            # t → ∞
    ols_risk: sp.Expr
    minnorm_bias_limit: sp.Expr      # p = γn, n → ∞
    minnorm_variance_limit: sp.Expr
    ols_variance_limit: sp.Expr
    minnorm_variance_first_order: sp.Expr   # n · (E[V₀]/V₀^∞ − 1) as n → ∞
    ols_variance_first_order: sp.Expr


def _generic_spd(size, name):
    """A generic symmetric matrix with symbol entries (its inverse exists
    as a rational function)."""
    return sp.Matrix(size, size, lambda i, j: sp.Symbol(f"{name}_{min(i, j)}{max(i, j)}"))


@disk_cached
def derive_finite_n_gaussian():
    """Carry out every step of result 9.

    Examples
    --------
    >>> from rmtheory.symbolic.finite_n_gaussian import derive_finite_n_gaussian
    >>> derive_finite_n_gaussian().ols_variance
    -p*sigma^2/(-n + p + 1)
    """
    x = chi2_variable
    k = 2 + _excess                 # the moment E[1/χ²_k] is finite exactly for k > 2
    density = chi2_density(k)
    normalisation = sp.simplify(sp.gammasimp(sp.integrate(density, (x, 0, sp.oo))))
    inverse_mean = sp.simplify(sp.gammasimp(sp.integrate(density / x, (x, 0, sp.oo))))
    inverse_mean = sp.simplify(inverse_mean.subs(_excess, dof - 2))

    # (W⁻¹)₁₁ = 1/(W₁₁ − W₁₂ W₂₂⁻¹ W₂₁): the Schur complement, on a generic W
    W = _generic_spd(3, "W")
    schur = W[0, 0] - (W[0, 1:] * W[1:, 1:].inv() * W[1:, 0])[0, 0]
    schur_entry = sp.simplify(W.inv()[0, 0] * schur)
    # with W = ZZᵀ, the Schur complement is z₁ᵀ(I − P)z₁, P the projection on
    # the other rows; its rank is their number (the trace of a projection)
    Z2 = sp.Matrix(2, 3, lambda i, j: sp.Symbol(f"z_{i}{j}"))
    P = Z2.T * (Z2 * Z2.T).inv() * Z2
    projection_trace = sp.simplify(P.trace())
    # z₁ ~ N(0, I) independent of P: z₁ᵀ(I − P)z₁ ~ χ² with dim − rank dof.
    # min-norm: W = XXᵀ (rows of X in R^p, the other n − 1 rows span rank n − 1)
    minnorm_dof = p - (n - 1)
    ols_dof = n - (p - 1)           # OLS: W = XᵀX (columns in R^n)
    minnorm_variance = sp.simplify(sigma2 * n * inverse_mean.subs(dof, minnorm_dof))
    ols_variance = sp.simplify(sigma2 * p * inverse_mean.subs(dof, ols_dof))

    # bias: the row space of X is rotation invariant, so E[P] = cI; tr P = n
    c = sp.Symbol("c")
    scale = sp.solve(sp.Eq(c * p, n), c)[0]
    minnorm_bias = sp.expand(r2 * (1 - scale))

    mn = derive_minnorm()
    risk_t = minnorm_bias + mn.c_t_kappa_s * minnorm_variance
    ols_risk_t = mn.c_t_kappa_s * ols_variance
    risk = minnorm_bias + mn.c_w_kappa_s * minnorm_variance
    ols_risk = mn.c_w_kappa_s * ols_variance

    gamma_ = sp.Symbol("gamma", positive=True)
    on_ray = {p: gamma_ * n}
    bias_limit = sp.limit(minnorm_bias.subs(on_ray), n, sp.oo)
    variance_limit = sp.limit(minnorm_variance.subs(on_ray), n, sp.oo)
    ols_limit = sp.limit(ols_variance.subs(on_ray), n, sp.oo)
    first = sp.simplify(sp.limit(n * (minnorm_variance.subs(on_ray) / variance_limit - 1),
                                 n, sp.oo))
    ols_first = sp.simplify(sp.limit(n * (ols_variance.subs(on_ray) / ols_limit - 1),
                                     n, sp.oo))
    return FiniteNGaussianDerivation(
        chi2_normalisation=normalisation, inverse_chi2_mean=inverse_mean,
        schur_entry=schur_entry, projection_trace=projection_trace,
        minnorm_dof=minnorm_dof, ols_dof=ols_dof, projection_mean_scale=scale,
        minnorm_bias=minnorm_bias, minnorm_variance=minnorm_variance,
        ols_variance=ols_variance, minnorm_risk_t=risk_t, ols_risk_t=ols_risk_t,
        minnorm_risk=risk, ols_risk=ols_risk, minnorm_bias_limit=bias_limit,
        minnorm_variance_limit=variance_limit, ols_variance_limit=ols_limit,
        minnorm_variance_first_order=first, ols_variance_first_order=ols_first)


@functools.lru_cache(maxsize=None)
def _callables():
    """The derived expectations as ``math`` callables of ``(n, p, σ², r²)``
    and the variance factors as callables of ``(t, κ_s, w)`` / ``(κ_s, w)``."""
    der = derive_finite_n_gaussian()
    mn = derive_minnorm()
    args = (n, p, sigma2, r2)
    return (sp.lambdify(args, der.minnorm_bias, "math"),
            sp.lambdify(args, der.minnorm_variance, "math"),
            sp.lambdify(args, der.ols_variance, "math"),
            sp.lambdify((t, kappa_s, w), mn.c_t_kappa_s, "math"),
            sp.lambdify((kappa_s, w), mn.c_w_kappa_s, "math"))


def finite_n_gaussian_risk(w_value, *, n, p, sigma2=1.0, r2=1.0, t=None, kappa_s=1.0):
    r"""Exact finite-n expected risk ``E[R_t]`` of min-norm (``p > n + 1``)
    or OLS (``p < n − 1``) for Gaussian isotropic designs, averaged over
    ``X`` for any fixed ``β`` with ``‖β‖² = r²``.

    .. math::

        E[R_t] = E[B_0] + c_t(w;\kappa_s)\,E[V_0], \qquad
        c_\infty(w;\kappa_s) = \frac{w^2 + \kappa_s(1-w)^2}{w(2-w)}.

    Parameters
    ----------
    w_value : float
        Real-data weight in ``(0, 1]``.
    n, p : int
        Sample size and dimension; ``|p − n| <= 1`` has no finite mean
        (``E[V_0] = ∞``) and raises.
    sigma2, r2, kappa_s : float
    t : int or None
        Refits; ``None`` for ``t → ∞``.

    Returns
    -------
    tuple of float
        ``(bias, variance, total)``.

    Raises
    ------
    ValueError
        ``|p − n| <= 1`` (the inverse moment of the Wishart matrix diverges),
        ``w`` outside ``(0, 1]``, ``n`` or ``p`` below 1.

    Examples
    --------
    >>> from rmtheory.symbolic.finite_n_gaussian import finite_n_gaussian_risk
    >>> finite_n_gaussian_risk(1.0, n=100, p=50)     # OLS: σ² p/(n − p − 1)
    (0.0, 1.0204081632653061, 1.0204081632653061)
    """
    if isinstance(n, bool) or isinstance(p, bool) or int(n) != n or int(p) != p or n < 1 or p < 1:
        raise ValueError(f"n and p must be integers >= 1, received n={n!r}, p={p!r}")
    if abs(p - n) <= 1:
        raise ValueError(f"p must satisfy p > n + 1 or p < n - 1 (else E[V_0] is infinite), "
                         f"received n={n}, p={p}")
    if not 0 < float(w_value) <= 1:
        raise ValueError(f"w must be in (0, 1], received {w_value!r}")
    bias_f, var_f, ols_f, ct_f, cw_f = _callables()
    args = (float(n), float(p), float(sigma2), float(r2))
    if p > n:
        bias, variance = float(bias_f(*args)), float(var_f(*args))
    else:
        bias, variance = 0.0, float(ols_f(*args))
    wv = float(w_value)
    if t is None:
        factor = float(cw_f(float(kappa_s), wv))
    else:
        factor = float(ct_f(int(t), float(kappa_s), wv))
    if math.isnan(factor):   # w = 1: c_t(1) = 1, a removable 0/0 in the closed form
        factor = 1.0
    variance *= factor
    return bias, variance, bias + variance
