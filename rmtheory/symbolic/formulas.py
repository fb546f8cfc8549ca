r"""Every limiting formula of the toolkit, by name, derived once.

A :class:`Formula` holds the SymPy right-hand side produced by the
derivations in this package, the left-hand side in the paper's
notation, and an equation label. It prints as LaTeX in Jupyter
(``_repr_latex_``), as text in a terminal, and turns itself into a
numeric callable (:meth:`Formula.lambdify`) for the numeric layer.

Examples
--------
>>> import rmtheory.symbolic as rs
>>> rs.formula("c_w").latex()
'c(w) = \\frac{w^{2} + \\left(1 - w\\right)^{2}}{w \\left(2 - w\\right)}'
>>> rs.formula("c_w")(0.5)
0.6666666666666666
"""
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import sympy as sp

from . import general
from ._cache import disk_cached
from .dynamic import derive_dynamic
from .isotropic import derive_isotropic
from .minnorm import derive_minnorm
from .mixed import bias_fn, derive_mixed_risk
from .ols import derive_ols
from .ridge import derive_ridge, kappa_fn
from .schemes import binet, binet_growth, derive_schemes, summation_index
from .symbols import (d, gamma, kappa, kappa_s, lam, m, m1, m2, r2, sigma2,
                      t, w, z)
from .synthetic_noise import derive_synthetic_noise

__all__ = ["Formula", "formula", "formula_names", "all_formulas", "latex_formula"]

#: how integral values and Greek names print
SYMBOL_NAMES = {
    sigma2: r"\sigma^{2}", r2: r"r^{2}", kappa_s: r"\kappa_{s}",
    m1: r"m_{1}", m2: r"m_{2}",
}


class _Integral(sp.Function):
    """Display-only ``∫ f(s) dμ(s)``: args are the integrand and the
    measure's name (``H`` or ``G``)."""
    nargs = 2

    def _latex(self, printer):
        return (rf"\int {printer._print(self.args[0])}\, d{self.args[1]}(s)")


#: the integral values of :mod:`.general`, as they print
_INTEGRALS = {
    general.I1: _Integral(general.fixed_point_integrand, sp.Symbol("H")),
    general.I2: _Integral(general.df2_integrand, sp.Symbol("H")),
    general.J: _Integral(general.bias_integrand, sp.Symbol("G")),
}


def _shown(derived, arrangement):
    """``arrangement`` for printing, after checking it equals ``derived``."""
    if sp.simplify(sp.radsimp(derived - arrangement)) != 0:
        raise ArithmeticError(f"display form {arrangement} differs from {derived}")
    return arrangement


@dataclass(frozen=True)
class Formula:
    """A named limiting formula ``lhs = rhs``.

    Parameters
    ----------
    name : str
        Stable key (``formula(name)``).
    lhs : str
        LaTeX of the left-hand side, in the paper's notation.
    rhs : sympy.Expr
        The derived right-hand side.
    args : tuple of sympy.Symbol
        Argument order of :meth:`lambdify` and of calling the formula.
    description : str
        One line in words.
    """
    name: str
    lhs: str
    rhs: sp.Expr
    args: tuple
    description: str
    relation: str = "="
    symbol_names: dict = field(default_factory=dict)
    #: an arrangement for printing only, checked equal to ``rhs`` where it
    #: has the same symbols (see :func:`_shown`)
    display: object = None

    @property
    def label(self):
        """Equation label for ``\\ref``: ``eq:<name>``."""
        return "eq:" + self.name.replace("_", "-")

    def latex(self):
        """``lhs = rhs`` as LaTeX (no math delimiters)."""
        names = {**SYMBOL_NAMES, **self.symbol_names}
        shown = self.rhs if self.display is None else self.display
        return f"{self.lhs} {self.relation} {sp.latex(shown, symbol_names=names)}"

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex()}$"

    def __str__(self):
        return f"{self.name}: {sp.sstr(self.rhs)}"

    def lambdify(self, modules="mpmath"):
        """A callable ``f(*args)`` evaluating ``rhs`` with ``modules``."""
        return _lambdified(self.name, modules)

    def __call__(self, *values):
        return self.lambdify("math" if all(isinstance(v, (int, float)) for v in values)
                             else "mpmath")(*values)


@lru_cache(maxsize=None)
def _lambdified(name, modules):
    f = formula(name)
    return sp.lambdify(f.args, f.rhs, modules=modules)


def _m_of_z(iso):
    """``m(z)`` from its negative-axis form ``m(−x)`` with ``x = −z``."""
    x = [v for v in iso.m_negative_axis.free_symbols if v.name == "x"][0]
    return iso.m_negative_axis.subs(x, -z)


class FormulaTable(NamedTuple):
    """Every :class:`Formula`, in document order, their display forms
    checked (the result of :func:`derive_formula_table`)."""
    formulas: tuple


@lru_cache(maxsize=None)
def _registry():
    return {f.name: f for f in derive_formula_table().formulas}


@disk_cached
def derive_formula_table() -> FormulaTable:
    """Build every :class:`Formula` and check each display arrangement
    against its derivation (SymPy ``simplify``: seconds, so the checked
    table is kept in the derivation cache — data only, SymPy trees)."""
    mn, sn, dy = derive_minnorm(), derive_synthetic_noise(), derive_dynamic()
    rg, mx, iso, ols = derive_ridge(), derive_mixed_risk(), derive_isotropic(), derive_ols()
    w_prev = sp.Symbol("w_{t-1}", positive=True)
    phi = sp.GoldenRatio
    B0, V0 = sp.symbols("B_0 V_0", positive=True)
    entries = [
        Formula("c_t", "c_t(w)", mn.c_t, (w, t),
                "variance factor of min-norm after t refits"),
        Formula("c_w", "c(w)", mn.c_w, (w,),
                "stationary variance factor c(w) = lim c_t(w)",
                display=_shown(mn.c_w, (w**2 + (1 - w)**2) / (w * (2 - w)))),
        Formula("c_w_kappa_s", r"c(w;\kappa_s)", sn.c_w_kappa_s, (w, kappa_s),
                "stationary variance factor with synthetic-noise ratio kappa_s",
                display=_shown(sn.c_w_kappa_s,
                               (w**2 + kappa_s * (1 - w)**2) / (w * (2 - w)))),
        Formula("minnorm_risk", r"R_\infty(w)", B0 + mn.c_w * V0, (w, B0, V0),
                "stationary min-norm risk: bias B_0 plus c(w) times the one-shot variance V_0",
                display=B0 + sp.Function("c")(w) * V0),
        Formula("w_star_minnorm", r"w^{\star}", 1 / phi, (),
                "optimal real-data weight for min-norm interpolation"),
        Formula("w_star_kappa_s", r"w^{\star}(\kappa_s)", sn.w_star, (kappa_s,),
                "optimal weight with synthetic-noise ratio kappa_s",
                display=_shown(sn.w_star, (sp.sqrt(kappa_s**2 + 4 * kappa_s) - kappa_s) / 2)),
        Formula("dynamic_weight", "w_t", dy.weight_map.subs(w, w_prev), (w_prev,),
                "greedy dynamic weight, w_0 = 1; equals F_{2t+1}/F_{2t+2}"),
        Formula("ridge_mean_multiplier", r"a_\infty(d)", rg.mean_stationary, (d, lam, w),
                "stationary mean multiplier per eigenvalue d of X^T X/n"),
        Formula("ridge_variance_multiplier", r"u_\infty(d)",
                rg.variance_stationary, (d, lam, w, kappa_s),
                "stationary variance multiplier per eigenvalue d"),
        Formula("ridge_mean_multiplier_t", r"a_t(d)", rg.mean_t_geometric, (d, lam, w, t),
                "mean multiplier after t refits"),
        Formula("ridge_variance_multiplier_t", r"u_t(d)", rg.variance_t_geometric,
                (d, lam, w, kappa_s, t), "variance multiplier after t refits"),
        Formula("kappa_fixed_point", r"\lambda", lam + general.kappa_equation,
                (kappa, gamma, general.I1),
                "fixed-point equation of the effective regularisation kappa(lambda)",
                display=(lam + general.kappa_equation).subs(_INTEGRALS)),
        Formula("stieltjes_equation", "m(z)",
                sp.Integral(general.stieltjes_integrand, sp.Symbol("H(s)")),
                (), "Silverstein equation for the Stieltjes transform of X^T X/n",
                symbol_names={sp.Symbol("H(s)"): "H(s)"}),
        Formula("kappa_from_stieltjes", r"\kappa(\lambda)",
                1 / general.companion_from_m.subs(z, -lam), (m, gamma, lam),
                "kappa(lambda) = 1/v(-lambda), v the transform of X X^T/n; m = m(-lambda)"),
        Formula("df2", r"\mathrm{df}_2", general.df2, (gamma, general.I2),
                "second degrees of freedom", display=general.df2.subs(_INTEGRALS)),
        Formula("kappa_prime", r"\kappa'(\lambda)", general.kappa_prime, (gamma, general.I2),
                "derivative of the effective regularisation",
                display=1 / (1 - sp.Symbol(r"\mathrm{df}_2"))),
        Formula("ridge_bias", r"B(\lambda)", general.ridge_bias,
                (kappa, r2, gamma, general.J, general.I2), "ridge bias at w = 1",
                display=general.ridge_bias.subs(general.I2, sp.Symbol(r"\mathrm{df}_2") / gamma)
                .subs(_INTEGRALS)),
        Formula("ridge_variance", r"V(\lambda)", general.ridge_variance,
                (sigma2, gamma, general.I2), "ridge variance at w = 1, = sigma^2 (kappa' - 1)",
                display=general.ridge_variance.subs(general.I2,
                                                    sp.Symbol(r"\mathrm{df}_2") / gamma)),
        Formula("mixed_risk", r"R_\infty(w,\lambda)", mx.risk_of_functions, (),
                "stationary risk of the mixed scheme for general H, G",
                display=_mixed_display(mn.c_w)),
        Formula("mixed_bracket_w1", r"\lim_{w\to1}\Bigl[\tfrac{\kappa(\lambda/(2-w)) - \kappa(\lambda/w)}{\lambda/(2-w) - \lambda/w} - 1\Bigr]",
                rg.bracket_at_w1, (), "the mixed variance bracket at w = 1",
                display=_primes(rg.bracket_at_w1)),
        Formula("critical_lambda_condition", r"w^\star = 1",
                mx.critical_condition, (), "w* = 1 exactly where this is >= 0",
                relation=r"\iff", display=sp.Le(0, _primes(mx.critical_condition),
                                                  evaluate=False)),
        Formula("isotropic_kappa", r"\kappa(\lambda)", iso.kappa, (lam, gamma),
                "effective regularisation, isotropic",
                display=_shown(iso.kappa, (gamma + lam - 1
                                           + sp.sqrt((gamma + lam - 1)**2 + 4 * lam)) / 2)),
        Formula("mp_stieltjes", "m(z)", _m_of_z(iso), (z, gamma),
                "Marchenko-Pastur Stieltjes transform (branch with m > 0 on z < 0)"),
        Formula("mp_density", r"f_{\mathrm{MP}}(x)", iso.density,
                ([v for v in iso.density.free_symbols if v.name == "x"][0], gamma),
                "Marchenko-Pastur density of X^T X/n between the edges"),
        Formula("mp_edges", r"(x_-, x_+)", sp.Tuple(*iso.edges), (gamma,),
                "support edges of the Marchenko-Pastur law",
                display=sp.Tuple(*[_shown(e, sp.Pow(1 + sign * sp.sqrt(gamma), 2, evaluate=False))
                                   for e, sign in zip(iso.edges, (-1, 1))])),
        Formula("mp_atom", r"\mu_{\mathrm{MP}}(\{0\})", iso.atom_at_zero, (gamma,),
                "mass at zero for gamma > 1"),
        Formula("isotropic_bias", r"B(\lambda)", iso.bias.subs(kappa, iso.kappa),
                (lam, gamma, r2), "isotropic ridge bias at w = 1, kappa = kappa(lambda)",
                display=_shown(iso.bias, r2 * kappa**2 / ((1 + kappa)**2 - gamma))),
        Formula("isotropic_variance", r"V(\lambda)", iso.variance.subs(kappa, iso.kappa),
                (lam, gamma, sigma2), "isotropic ridge variance at w = 1, kappa = kappa(lambda)",
                display=_shown(iso.variance, sigma2 * gamma / ((1 + kappa)**2 - gamma))),
        Formula("isotropic_risk", r"R_\infty(w,\lambda)", iso.risk,
                (w, lam, gamma, r2, sigma2),
                "isotropic stationary mixed risk, kappa_1 = kappa(lambda/w), "
                "kappa_2 = kappa(lambda/(2-w))", display=_isotropic_display(mn.c_w)),
        Formula("isotropic_risk_stieltjes", r"R_\infty(w,\lambda)", iso.risk_stieltjes,
                (w, lam, gamma, r2, sigma2, m1, m2),
                "isotropic stationary mixed risk with m_1 = m(-lambda/w), m_2 = m(-lambda/(2-w))"),
        Formula("isotropic_minnorm_risk", r"R_\infty(w)",
                iso.minnorm_bias + mn.c_w * sigma2 * iso.minnorm_variance_factor,
                (w, gamma, r2, sigma2), "isotropic min-norm risk, gamma > 1"),
        Formula("w_star_series", r"w^\star(\lambda)",
                iso.w_star_limit + iso.w_star_slope * lam + sp.O(lam**2), (),
                "isotropic optimal weight as lambda -> 0 (gamma > 1)",
                display=sp.Add(1 / phi, _shown(iso.w_star_slope, 2 * (2 * sp.sqrt(5) - 5) * gamma
                                               / (5 * (gamma - 1)**2)) * lam,
                               sp.O(lam**2), evaluate=False)),
        Formula("ols_risk", r"R_\infty(w)", ols.risk, (w, gamma, sigma2),
                "OLS regime gamma < 1"),
        *_scheme_entries(),
    ]
    return FormulaTable(tuple(entries))


def _checked_at_integers(derived, arrangement, steps=8):
    """``arrangement`` for printing, after checking it equals ``derived`` at
    ``t = 0, …, steps`` exactly (sums and special values in ``t`` that
    ``simplify`` cannot match symbolically)."""
    for k in range(steps + 1):
        gap = (derived.subs(t, k) - arrangement.subs(t, k)).doit()
        if sp.simplify(sp.radsimp(sp.expand(gap, func=True))) != 0:
            raise ArithmeticError(f"display form {arrangement} differs from {derived} at t = {k}")
    return arrangement


def _scheme_entries():
    """The replace, accumulate and dynamic schemes (:mod:`.schemes`)."""
    sc = derive_schemes()
    replace, accumulate, dynamic = (sc.minnorm[s] for s in ("replace", "accumulate", "dynamic"))
    ridge_replace, ridge_accumulate = sc.ridge["replace"], sc.ridge["accumulate"]
    j = summation_index
    shown_sum = 1 + kappa_s * sp.Sum(1 / j**2, (j, 2, t + 1))
    # Binet's formula with X = φ^{2t}: powers of φ that every lambdify module prints
    dynamic_binet = binet(dynamic.variance_factor_t).subs(
        binet_growth, ((1 + sp.sqrt(5)) / 2)**(2 * t))
    return [
        Formula("replace_variance_factor", r"c_t^{\mathrm{replace}}",
                replace.variance_factor_t, (t, kappa_s),
                "min-norm variance factor under replace (w = 0): linear collapse"),
        Formula("replace_variance_multiplier", r"u_\infty^{\mathrm{replace}}(d)",
                ridge_replace.variance_limit, (d, lam, kappa_s),
                "stationary ridge variance multiplier under replace; a_inf = 0"),
        Formula("accumulate_mean_multiplier", r"a_t^{\mathrm{acc}}(d)",
                ridge_accumulate.mean_t, (d, lam, t),
                "ridge mean multiplier under accumulate, a ratio of Gamma functions; -> 0"),
        Formula("accumulate_variance_factor", r"c_t^{\mathrm{acc}}",
                sc.accumulate_factor_trigamma, (t, kappa_s),
                "min-norm variance factor under accumulate, 1 + kappa_s sum_{j=2}^{t+1} 1/j^2",
                display=_checked_at_integers(sc.accumulate_factor_trigamma, shown_sum)),
        Formula("accumulate_variance_factor_limit", r"c_\infty^{\mathrm{acc}}",
                accumulate.variance_factor_limit, (kappa_s,),
                "t -> infinity of the accumulate min-norm variance factor",
                display=_shown(accumulate.variance_factor_limit,
                               1 + kappa_s * (sp.pi**2 / 6 - 1))),
        Formula("dynamic_variance_factor", r"v_t", dynamic_binet, (t, kappa_s),
                "min-norm variance factor of the greedy dynamic schedule; = w_t at kappa_s = 1",
                display=_checked_at_integers(dynamic_binet, dynamic.variance_factor_t)),
    ]


_KAPPA_PRIME = sp.Symbol(r"\kappa'(\lambda)")
_B_PRIME = sp.Symbol(r"B'(\lambda)")


def _primes(expr):
    """Print ``d/dλ κ(λ)`` and ``d/dλ B(λ)`` as ``κ'(λ)`` and ``B'(λ)``."""
    return expr.subs({sp.Derivative(kappa_fn(lam), lam): _KAPPA_PRIME,
                      sp.Derivative(bias_fn(lam), lam): _B_PRIME})


def _mixed_display(c_w):
    """``B(λ/w) + σ² c(w)[(κ(b) − κ(a))/(b − a) − 1]``, checked against the
    derived risk."""
    a, b = lam / w, lam / (2 - w)
    c = sp.Function("c")(w)
    divided = sp.Mul(kappa_fn(b) - kappa_fn(a), sp.Pow(b - a, -1, evaluate=False),
                     evaluate=False)
    shown = bias_fn(a) + sigma2 * c * (divided - 1)
    derived = derive_mixed_risk().risk_of_functions
    if sp.simplify((shown.subs(c, c_w).doit() - derived)) != 0:
        raise ArithmeticError("mixed risk display differs from the derived risk")
    return shown


def _isotropic_display(c_w):
    """The isotropic risk with ``κ₁ = κ(λ/w)``, ``κ₂ = κ(λ/(2−w))`` kept
    as symbols (``isotropic_kappa`` gives them)."""
    k1, k2 = sp.symbols("kappa_1 kappa_2", positive=True)
    a, b = lam / w, lam / (2 - w)
    c = sp.Function("c")(w)
    divided = sp.Mul(k2 - k1, sp.Pow(b - a, -1, evaluate=False), evaluate=False)
    shown = r2 * k1**2 / ((1 + k1)**2 - gamma) + sigma2 * c * (divided - 1)
    derived = derive_isotropic().risk
    kappa_closed = derive_isotropic().kappa
    check = shown.subs(c, c_w).subs({k1: kappa_closed.subs(lam, a),
                                     k2: kappa_closed.subs(lam, b)}).doit()
    probe = {w: sp.Rational(3, 5), lam: sp.Rational(1, 2), gamma: 2, r2: 1, sigma2: 1}
    if sp.simplify(check.subs(probe) - derived.subs(probe)) != 0:
        raise ArithmeticError("isotropic risk display differs from the derived risk")
    return shown


def formula(name):
    """The :class:`Formula` called ``name`` (see :func:`formula_names`)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, received {type(name).__name__}")
    registry = _registry()
    if name not in registry:
        raise ValueError(f"name must be one of {sorted(registry)}, received {name!r}")
    return registry[name]


def formula_names():
    """Names of every registered formula, in document order."""
    return list(_registry())


def all_formulas():
    """Every :class:`Formula`, in document order."""
    return list(_registry().values())


def latex_formula(name):
    """LaTeX string ``lhs = rhs`` of the formula called ``name``."""
    return formula(name).latex()
