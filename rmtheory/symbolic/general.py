r"""Limiting relations for a general population spectrum ``H`` and signal
measure ``G`` (SPEC §3), as SymPy expressions.

These are the random-matrix inputs of the theory: the Silverstein
equation for ``m(z)``, the fixed-point equation for the effective
regularisation ``κ(λ)``, and the deterministic equivalent
``x (Σ̂ + x)⁻¹ ≍ κ(x) (Σ + κ(x))⁻¹``. Each relation is stated once, in
terms of the *values* of integrals against ``H`` or ``G``
(``I_1 = ∫ s/(s+κ) dH`` and so on), and of the integrands. The numeric
layer computes the integrals for a given spectrum and evaluates these
expressions with :func:`sympy.lambdify`; nothing here is retyped there.

.. math::

    \lambda = \kappa\,(1 - \gamma I_1), \qquad
    \mathrm{df}_2 = \gamma I_2, \qquad \kappa'(\lambda) = \frac{1}{1 - \mathrm{df}_2},

    B(\lambda) = r^2 \kappa^2 \frac{J}{1 - \mathrm{df}_2}, \qquad
    m(z) = \int \frac{dH(s)}{s(1 - \gamma - \gamma z m(z)) - z}.
"""
import sympy as sp

from .symbols import gamma, kappa, lam, m, r2, s, sigma2, z

__all__ = [
    "I1", "I2", "J", "fixed_point_integrand", "df2_integrand",
    "bias_integrand", "stieltjes_integrand", "kappa_equation", "df2",
    "kappa_prime", "ridge_bias", "ridge_variance", "companion_from_m",
    "kappa_from_companion", "trace_of_shrinkage", "integrate_atoms",
    "J_kappa", "I2_kappa", "kappa_p", "ridge_bias_derivative",
    "bias_integrand_dkappa", "df2_integrand_dkappa",
]

#: ``I_1 = ∫ s/(s+κ) dH``, ``I_2 = ∫ s²/(s+κ)² dH``, ``J = ∫ s/(s+κ)² dG``
I1, I2, J = sp.symbols("I_1 I_2 J", positive=True)

fixed_point_integrand = s / (s + kappa)
df2_integrand = s**2 / (s + kappa)**2
bias_integrand = s / (s + kappa)**2
#: integrand of the Silverstein equation ``m = ∫ dH(s) / (s(1−γ−γzm) − z)``
stieltjes_integrand = 1 / (s * (1 - gamma - gamma * z * m) - z)

#: ``κ(1 − γ I_1) − λ``: zero at the effective regularisation
kappa_equation = kappa * (1 - gamma * I1) - lam
df2 = gamma * I2
kappa_prime = 1 / (1 - df2)
#: ridge bias and variance at ``w = 1`` (penalty ``λ`` ↔ ``κ(λ)``)
ridge_bias = r2 * kappa**2 * J / (1 - df2)
ridge_variance = sigma2 * df2 / (1 - df2)

#: derivatives in ``κ`` of ``J`` and ``I_2`` (``∫ ∂_κ(integrand)``)
J_kappa, I2_kappa = sp.symbols("J_kappa I_2kappa", real=True)
#: value of ``κ'`` at the penalty in question
kappa_p = sp.Symbol("kappa_p", positive=True)


def _penalty_derivative(expr):
    """``d expr / dλ`` for an expression in ``κ, J, I_2``: the chain rule
    through ``κ(λ)``, with ``dJ/dκ = J_κ`` and ``dI_2/dκ = I_{2κ}``."""
    return sp.simplify((sp.diff(expr, kappa) + sp.diff(expr, J) * J_kappa
                        + sp.diff(expr, I2) * I2_kappa) * kappa_p)


#: ``B'(λ)``, in ``κ, J, I_2, J_κ, I_{2κ}, κ'``
ridge_bias_derivative = _penalty_derivative(ridge_bias)
#: integrands of ``J_κ`` and ``I_{2κ}``
bias_integrand_dkappa = sp.diff(bias_integrand, kappa)
df2_integrand_dkappa = sp.diff(df2_integrand, kappa)

#: ``v(z) = γ m(z) − (1 − γ)/z``: Stieltjes transform of ``XXᵀ/n``
companion_from_m = gamma * m - (1 - gamma) / z
#: ``κ(λ) = 1/v(−λ)``, with ``v`` the value of the companion transform
kappa_from_companion = 1 / sp.Symbol("v")


def trace_of_shrinkage(penalty=lam):
    r"""``lim (1/n) tr(Σ · x(Σ̂ + x)⁻¹)`` at ``x = penalty``, as ``κ(x) − x``.

    The deterministic equivalent replaces ``x(Σ̂+x)⁻¹`` by
    ``κ(Σ+κ)⁻¹``, so the trace tends to ``γ ∫ s κ/(s+κ) dH = κ γ I_1``;
    the fixed-point equation turns ``κ γ I_1`` into ``κ − x``. Returned
    with ``κ`` as an undefined function of the penalty.

    Examples
    --------
    >>> from rmtheory.symbolic.general import trace_of_shrinkage
    >>> trace_of_shrinkage()
    -lambda + kappa(lambda)
    """
    k = sp.Function("kappa")
    gamma_I1 = sp.solve(kappa_equation.subs(lam, penalty), I1)[0] * gamma
    value = sp.simplify(kappa * gamma_I1)
    return value.subs(kappa, k(penalty))


def integrate_atoms(integrand, atoms, variable=s):
    """``∫ integrand dμ`` for ``μ = Σ_j weight_j δ_{atom_j}`` (exact).

    Examples
    --------
    >>> from rmtheory.symbolic.general import integrate_atoms, fixed_point_integrand
    >>> integrate_atoms(fixed_point_integrand, {1: 1})
    1/(kappa + 1)
    """
    return sp.together(sum(weight * integrand.subs(variable, atom)
                           for atom, weight in atoms.items()))
