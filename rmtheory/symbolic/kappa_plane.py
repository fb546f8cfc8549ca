r"""Spectral integrals of ``Σ̂ = XᵀX/n`` as contour integrals in the ``κ``-plane.

Every finite-``t`` quantity of the retraining loop is ``∫ φ dμ`` for a
function ``φ`` rational in the eigenvalue ``d`` of ``Σ̂`` (the multipliers
``a_t(d)``, ``u_t(d)`` of :mod:`.ridge`) and a spectral measure ``μ`` of
``Σ̂``: ``ν = lim (1/p) tr(Σ δ(Σ̂ − ·))``, ``μ_G`` (weights ``(βᵀv_i)²/r²``)
or the measure of one population eigenvector. The deterministic
equivalent ``x(Σ̂ + x)⁻¹ ≍ κ(x)(Σ + κ(x))⁻¹`` (:mod:`.general`) gives
each of their Stieltjes transforms at ``z = −x`` as an explicit function
``T(κ)/x`` of ``κ = κ(x)``:

.. math::

    x\,s_\nu(-x) = \frac{\kappa - \lambda(\kappa)}{\gamma}, \qquad
    x\,s_{\mu_G}(-x) = \int \frac{\kappa}{s+\kappa}\,dG(s), \qquad
    x\,s_{u}(-x) = \frac{\kappa}{s_u + \kappa},

and the fixed-point equation is explicit the other way round,
``λ(κ) = κ(1 − γ I₁(κ))``, ``λ'(κ) = 1 − γ I₂(κ)``. Cauchy's formula
``∫ φ dμ = −(1/2πi)∮ φ(z) s_μ(z) dz`` around the support, pulled back by
``z = −λ(κ)``, is then

.. math::

    \int \varphi\,d\mu = \frac{1}{2\pi i}\oint
        \varphi\bigl(-\lambda(\kappa)\bigr)\,
        \frac{T(\kappa)}{\lambda(\kappa)}\,\lambda'(\kappa)\,d\kappa ,

an integral whose integrand needs no fixed-point solve at all: only
integrals against ``H`` and ``G`` at the node ``κ``. The contour encloses
``−supp H``, ``−supp G`` and the non-physical preimages of the poles of
``φ`` (all in ``[−max supp, 0]``) and leaves out the physical ones
``κ(λ_p) > 0``; for ``γ > 1`` the atom of ``μ`` at ``d = 0`` is the
residue at ``κ₀``, ``φ(0) T(κ₀)``.

Two-function quantities ``βᵀf(Σ̂) Σ g(Σ̂)β`` (the bias when ``G ≠ H``) rest
on the two-resolvent equivalent, which the fixed-point equation turns
into a divided difference:

.. math::

    \frac{\beta^\top(\hat\Sigma + x)^{-1}\Sigma(\hat\Sigma + y)^{-1}\beta}{r^2}
    \asymp \frac{\kappa_x\kappa_y}{xy}\,
    \frac{\int\frac{s\,dG}{(s+\kappa_x)(s+\kappa_y)}}
         {1 - \gamma\int\frac{s^2\,dH}{(s+\kappa_x)(s+\kappa_y)}}
    = \frac{\kappa_x\kappa_y}{xy}\,\frac{g(\kappa_x) - g(\kappa_y)}{x - y},
    \qquad g(\kappa) = \int\frac{\kappa}{s+\kappa}\,dG .
"""
from typing import NamedTuple

import sympy as sp

from ._cache import disk_cached
from .general import I1, I2, fixed_point_integrand, df2_integrand, kappa_equation, trace_of_shrinkage
from .symbols import gamma, kappa, lam, s

__all__ = ["KappaPlane", "derive_kappa_plane", "T_nu", "T_G", "T_u", "g_x", "g_y",
           "kappa_x", "kappa_y", "x_pen", "y_pen", "I1_xy", "I2_xy", "s_u"]

#: ``g(κ) = ∫ κ/(s+κ) dG`` at the node, and a population eigenvalue ``s_u``
T_G = sp.Symbol("g", positive=True)
s_u = sp.Symbol("s_u", positive=True)
#: two penalties and their effective regularisations
x_pen, y_pen = sp.symbols("x y", positive=True)
kappa_x, kappa_y = sp.symbols("kappa_x kappa_y", positive=True)
#: ``g(κ_x)``, ``g(κ_y)``
g_x, g_y = sp.symbols("g_x g_y", positive=True)
#: ``∫ s/((s+κ_x)(s+κ_y)) dG`` and ``∫ s²/((s+κ_x)(s+κ_y)) dH``
I1_xy, I2_xy = sp.symbols("I_1xy I_2xy", positive=True)
#: ``x s_ν(−x)`` as a function of ``κ``
T_nu = sp.Symbol("T_nu")
T_u = sp.Symbol("T_u")


class KappaPlane(NamedTuple):
    penalty: sp.Expr            # λ(κ) = κ(1 − γ I₁)
    penalty_integrand: sp.Expr  # κ(1 − γ s/(s+κ)): λ(κ) = ∫ of it against H
    penalty_slope: sp.Expr      # λ'(κ) = 1 − γ I₂
    nu_transform: sp.Expr       # x s_ν(−x) = (κ − λ)/γ, in κ and λ
    eigvec_transform: sp.Expr   # x s_u(−x) = κ/(s_u + κ)
    signal_transform: sp.Expr   # x s_{μ_G}(−x) = g(κ) (the symbol g)
    measure_weight: sp.Expr     # T λ'/λ: the contour integrand of ∫ φ dμ over φ
    atom_at_zero: sp.Expr       # residue at κ₀ (λ(κ₀) = 0): T(κ₀)
    two_resolvent: sp.Expr      # the input equivalent, in κ_x, κ_y and the xy-integrals
    two_resolvent_divided: sp.Expr  # κ_xκ_y (g_x − g_y)/(xy(x − y))
    two_resolvent_diagonal: sp.Expr  # its y → x limit, in κ, J, I₂


@disk_cached
def derive_kappa_plane():
    r"""Derive the ``κ``-plane forms of the spectral transforms of ``Σ̂``.

    Examples
    --------
    >>> from rmtheory.symbolic.kappa_plane import derive_kappa_plane
    >>> derive_kappa_plane().penalty_slope
    -I_2*gamma + 1
    """
    # the fixed-point equation solved for the penalty: explicit in κ
    penalty = sp.solve(kappa_equation, lam)[0]
    # λ(κ) is ∫ κ(1 − γ s/(s+κ)) dH: differentiate under the integral sign
    integrand = sp.expand(penalty.subs(I1, fixed_point_integrand))
    slope_integrand = sp.simplify(sp.diff(integrand, kappa))
    # identify the integrand of 1 − γ I₂
    coefficient = sp.simplify((1 - slope_integrand) / (gamma * df2_integrand))
    if coefficient != 1:  # pragma: no cover - guards the derivation
        raise ArithmeticError(f"dλ/dκ is not 1 − γ I₂: {slope_integrand}")
    penalty_slope = 1 - gamma * I2

    # x s_ν(−x) = (1/p) tr(Σ x(Σ̂+x)⁻¹) = (n/p) (κ − x) (trace_of_shrinkage)
    k = sp.Function("kappa")
    nu_transform = (trace_of_shrinkage(lam).subs(k(lam), kappa) / gamma)
    # x (Σ̂+x)⁻¹ ≍ κ(Σ+κ)⁻¹ on one eigenvector u of Σ (eigenvalue s_u)
    eigvec_transform = kappa / (s_u + kappa)

    T = sp.Symbol("T")
    weight = T / lam * penalty_slope
    # at a simple zero κ₀ of λ(κ): Res (T λ'/λ) = T(κ₀) λ'(κ₀)/λ'(κ₀)
    atom = sp.simplify(sp.limit(weight * (lam), lam, 0))   # T λ' at κ₀, over λ'(κ₀)
    atom = sp.simplify(atom / penalty_slope)

    # the two-resolvent equivalent (input), reduced by partial fractions in s
    # and the fixed-point equation at both penalties
    two = kappa_x * kappa_y / (x_pen * y_pen) * I1_xy / (1 - gamma * I2_xy)
    a, b = kappa_x, kappa_y
    split_G = sp.apart(s / ((s + a) * (s + b)), s)
    split_H = sp.apart(s**2 / ((s + a) * (s + b)), s)
    # ∫ s/((s+a)(s+b)) dG = (g(a) − g(b))/(a − b), g(κ) = ∫ κ/(s+κ) dG:
    # check the split is that divided difference pointwise in s
    if sp.simplify(split_G - (a / (s + a) - b / (s + b)) / (a - b)) != 0:  # pragma: no cover
        raise ArithmeticError("partial fractions of s/((s+a)(s+b))")
    value_G = (g_x - g_y) / (a - b)
    # ∫ s²/((s+a)(s+b)) dH = (a I₁(a) − b I₁(b))/(a − b), and γ κ I₁(κ) = κ − λ
    if sp.simplify(split_H - s * (a / (s + a) - b / (s + b)) / (a - b)) != 0:  # pragma: no cover
        raise ArithmeticError("partial fractions of s²/((s+a)(s+b))")
    gamma_kI1 = sp.solve(kappa_equation, I1)[0] * gamma * kappa    # κ − λ
    value_H = (gamma_kI1.subs({kappa: a, lam: x_pen})
               - gamma_kI1.subs({kappa: b, lam: y_pen})) / (gamma * (a - b))
    divided = sp.simplify(two.subs({I1_xy: value_G, I2_xy: value_H}))
    # y → x: g_y → g_x + g'(κ)(κ_y − κ_x), κ_y − κ_x ≈ κ'(x)(y − x), κ' = 1/(1 − γI₂)
    eps = sp.Symbol("epsilon")
    Jsym = sp.Symbol("J", positive=True)
    diag = divided.subs({y_pen: x_pen + eps, kappa_y: kappa_x + eps / (1 - gamma * I2),
                         g_y: g_x + Jsym * eps / (1 - gamma * I2)})
    diag = sp.simplify(sp.limit(diag, eps, 0))
    return KappaPlane(
        penalty=penalty, penalty_integrand=integrand, penalty_slope=penalty_slope,
        nu_transform=sp.simplify(nu_transform.subs(lam, penalty)),
        eigvec_transform=eigvec_transform, signal_transform=T_G,
        measure_weight=weight, atom_at_zero=atom, two_resolvent=two,
        two_resolvent_divided=divided, two_resolvent_diagonal=diag)
