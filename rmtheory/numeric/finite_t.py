r"""Finite-``t`` limiting risk for ridge (``λ > 0``) when ``G = H``.

After ``t`` refits the coordinate of ``β̂_t`` on an eigenvector of
``Σ̂ = XᵀX/n`` with eigenvalue ``d`` has mean multiplier ``a_t(d)`` and
variance multiplier ``u_t(d)`` (rational in ``d``, derived in
:mod:`rmtheory.symbolic.ridge`). With ``β`` in generic position
(``G = H``: isotropic and random-effects models),

.. math::

    R_t = r^2 \int (1 - a_t(x))^2\, d\nu(x) + \sigma^2 \gamma \int u_t(x)\, d\nu(x),
    \qquad \nu = \lim \tfrac1p \operatorname{tr}\bigl(\Sigma\, \delta(\hat\Sigma - \cdot)\bigr),

where ``ν`` is the ``Σ``-weighted spectral measure of ``Σ̂``. Its Stieltjes
transform follows from the Silverstein equation,
``s_ν(z) = (1 + z m(z))/(1 − γ − γ z m(z))`` (for ``Σ = I``, ``ν`` is the
Marchenko–Pastur law itself), so ``ν`` has density ``Im s_ν(x + i0)/π`` on
the support and, for ``γ > 1``, an atom at 0 where ``a_t = u_t = 0``.
The integrals are done by tanh-sinh quadrature between the support edges.
"""
from functools import lru_cache

import sympy as sp
from .context import contextual, mp

from ..symbolic import formula
from ..symbolic.ridge import derive_ridge
from ..symbolic.symbols import d, kappa_s as _ks, lam as _lam, t as _t, w as _w
from .fixed_point import solve_stieltjes, support_edges

__all__ = ["finite_t_risk", "nu_density", "nu_atom_at_zero"]


@lru_cache(maxsize=None)
def _multipliers():
    """The integrands against ``ν`` of the bias and the variance, and their
    ``w``-derivatives (differentiated here, symbolically, so the slope of
    the risk is one more quadrature, not a numerical derivative of it)."""
    rg = derive_ridge()
    args = (d, _lam, _w, _ks, _t)
    bias_integrand = (1 - rg.mean_t_geometric)**2
    variance_integrand = rg.variance_t_geometric
    q = rg.contraction                           # (1 − w)ρ, vanishing at w = 1

    def d_dw(f):
        # SymPy writes d(q^t)/dw as t q^t/(1 − w): 0/0 at w = 1. As
        # t q^(t−1) q'(w) it is finite there (q^(t−1) = 1 at t = 1)
        return sp.diff(f, _w).subs(q**_t, q * sp.Pow(q, _t - 1))
    return tuple(contextual(sp.lambdify(args, f, "mpmath"))
                 for f in (bias_integrand, variance_integrand,
                           d_dw(bias_integrand), d_dw(variance_integrand)))


@lru_cache(maxsize=None)
def _mp_density():
    f = formula("mp_density")
    return contextual(sp.lambdify(f.args, f.rhs, "mpmath"))


@lru_cache(maxsize=None)
def _mp_atom():
    f = formula("mp_atom")
    return contextual(sp.lambdify(f.args, f.rhs, "mpmath"))


def _is_isotropic(spectrum):
    atoms = getattr(spectrum, "atoms_H", None)
    return (spectrum.name == "isotropic" or
            (atoms is not None and len(atoms) == 1 and atoms[0][0] == 1))


def nu_density(x, spectrum, gamma):
    """Density of the ``Σ``-weighted spectral measure ``ν`` at ``x > 0``."""
    if _is_isotropic(spectrum):
        # rounding can push √(−Δ) just outside the support: keep the real part
        return mp.re(_mp_density()(x, gamma))
    z = mp.mpc(x, 0)
    m = solve_stieltjes(z, spectrum, gamma)
    return mp.im((1 + z * m) / (1 - gamma - gamma * z * m)) / mp.pi


def nu_atom_at_zero(spectrum, gamma, continuous_mass):
    """Mass of ``ν`` at 0: the total ``∫ s dH`` minus the continuous part."""
    if gamma <= 1:
        return mp.zero
    if _is_isotropic(spectrum):
        return _mp_atom()(gamma)
    total = spectrum.integrate_H(lambda s: s)
    return total - continuous_mass


def finite_t_risk(w, lam, spectrum, gamma, r2, sigma2, *, t, kappa_s=1, derivative=False):
    r"""Bias and variance after ``t`` refits (and ``∂R/∂w``); ``G = H`` is required.

    .. math::

        \partial_w R_t = r^2 \int \partial_w (1 - a_t)^2\, d\nu
            + \sigma^2\gamma \int \partial_w u_t\, d\nu .
    """
    from .risk import RiskParts
    if not spectrum.signal_is_spectrum:
        raise ValueError(
            "t must be None (t -> infinity) for ridge (lam > 0) when the signal measure G "
            f"differs from H (spectrum {spectrum.name!r}); finite t needs G = H, e.g. the "
            "isotropic and random-effects models")
    from .compiled import MAX_STEPS
    if not 0 <= t <= MAX_STEPS:
        raise ValueError(f"t must be an integer in [0, {MAX_STEPS}] (use t=None for "
                         f"t -> infinity), received t={t}")
    # the multipliers raise q = (1 − w)d/(d + λ) to the power t or 2t, which
    # multiplies the rounding error of q by 2t: log2(2t) guard bits
    bits = (2 * t).bit_length() + 8

    def guarded(f):
        def at(x):
            with mp.extraprec(bits):
                value = f(x, lam, w, kappa_s, t)
            return +value
        return at
    bias_f, var_f, dbias_f, dvar_f = map(guarded, _multipliers())
    edges = support_edges(spectrum, gamma)
    # every integral below is over the same Gauss–Legendre nodes, and the
    # density of ν costs a Stieltjes solve per node: compute it once
    density = {}

    def nu(x):
        if x not in density:
            density[x] = nu_density(x, spectrum, gamma)
        return density[x]

    def integrate(g):
        # x = c − r cos θ turns the square-root edges of the density into a
        # smooth periodic integrand, so Gauss–Legendre converges fast and
        # never samples the (ill-conditioned) edges themselves
        total = mp.zero
        for lo, hi in edges:
            c, r = (lo + hi) / 2, (hi - lo) / 2

            def in_theta(theta):
                x = c - r * mp.cos(theta)
                return g(x) * nu(x) * r * mp.sin(theta)
            total += mp.quad(in_theta, [0, mp.pi / 2, mp.pi], method="gauss-legendre")
        return total
    mass = integrate(lambda x: mp.one)
    atom = nu_atom_at_zero(spectrum, gamma, mass)
    bias = r2 * (integrate(bias_f) + atom)
    variance = sigma2 * gamma * integrate(var_f)
    slope = None
    if derivative and t == 0:    # the first fit uses real labels only
        slope = mp.zero
    elif derivative:   # the atom at 0 (a_t = u_t = 0 there) does not depend on w
        slope = (r2 * integrate(dbias_f)
                 + sigma2 * gamma * integrate(dvar_f))
    return RiskParts(bias, variance, slope)
