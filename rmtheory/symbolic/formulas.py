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
import hashlib
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import sympy as sp
from sympy.printing.latex import LatexPrinter

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

__all__ = ["Formula", "formula", "formula_names", "all_formulas", "latex_formula",
           "paper_latex", "PARAMETER_NAMES"]

#: how integral values and Greek names print
SYMBOL_NAMES = {
    sigma2: r"\sigma^{2}", r2: r"r^{2}", kappa_s: r"\kappa_{s}",
    m1: r"m_{1}", m2: r"m_{2}",
}


#: the symbols not in :mod:`.symbols` that formulas take as arguments
_W_PREV = sp.Symbol("w_{t-1}", positive=True)
_B0, _V0 = sp.symbols("B_0 V_0", positive=True)
_X = sp.Symbol("x", positive=True)

#: keyword of each argument symbol, spelled as the public API spells it
#: (``rt.limiting_risk(w, lam=..., gamma=..., sigma2=..., r2=...)``)
PARAMETER_NAMES = {
    w: "w", t: "t", lam: "lam", gamma: "gamma", d: "d", kappa: "kappa",
    kappa_s: "kappa_s", sigma2: "sigma2", r2: "r2", z: "z", m: "m", m1: "m1", m2: "m2",
    general.I1: "I1", general.I2: "I2", general.J: "J",
    _W_PREV: "w_prev", _B0: "B0", _V0: "V0", _X: "x",
}


#: sums and products built by :func:`_sum` / :func:`_product`: printed in
#: the order they were built in (a display form's order, chosen by hand)
_HAND_ORDERED: set[sp.Basic] = set()


def _hand_ordered(expr):
    """True for an ``Add``/``Mul`` whose order was chosen by hand: built by
    :func:`_sum`/:func:`_product`, or with ``evaluate=False`` in an order
    other than SymPy's own."""
    if expr in _HAND_ORDERED:
        return True
    try:
        return type(expr)(*expr.args).args != expr.args
    except Exception:  # an argument that will not re-evaluate: keep its order
        return True


class _PaperPrinter(LatexPrinter):
    _default_settings = {**LatexPrinter._default_settings, "base_order": None}

    """SymPy's LaTeX printer with the order of terms a paper uses.

    A sum lists its positive terms before its negative ones (``1 - w``,
    ``w - 2``, ``(1 + \\kappa)^2 - \\gamma``, never ``-\\gamma + ...``), each
    group in SymPy's order; a sum or product built unevaluated by a
    display form keeps the order it was built in. Nothing else changes, so
    every value still prints as SymPy would print it.
    """

    def _as_ordered_terms(self, expr, order=None):
        if isinstance(expr, sp.Add) and _hand_ordered(expr):
            return list(expr.args)
        terms = super()._as_ordered_terms(expr, order=self._settings.get("base_order") or "lex")
        return sorted(terms, key=lambda term: bool(term.could_extract_minus_sign()))

    def _print_Mul(self, expr):
        # only this product's own factors keep a hand-chosen order: the
        # products inside it print in SymPy's order again
        saved = self._settings["order"]
        self._settings["order"] = ("none" if _hand_ordered(expr)
                                   else self._settings.get("base_order"))
        try:
            return super()._print_Mul(expr)
        finally:
            self._settings["order"] = saved


def paper_latex(expr, symbol_names=None):
    r"""LaTeX of a SymPy expression in the order of terms a paper uses.

    Parameters
    ----------
    expr : sympy.Basic
        The expression (a display form built with ``evaluate=False`` keeps
        its order of terms and factors).
    symbol_names : dict, optional
        LaTeX names of symbols, as for :func:`sympy.latex`.

    Returns
    -------
    str
        LaTeX without math delimiters.

    Examples
    --------
    >>> import sympy as sp
    >>> from rmtheory.symbolic.symbols import gamma, kappa
    >>> sp.latex((1 + kappa)**2 - gamma)
    '- \\gamma + \\left(\\kappa + 1\\right)^{2}'
    >>> paper_latex((1 + kappa)**2 - gamma)
    '\\left(\\kappa + 1\\right)^{2} - \\gamma'
    """
    return _PaperPrinter({"symbol_names": symbol_names or {}}).doprint(expr)


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


#: SHA-256 of ``srepr`` of the differences proved zero in an earlier process
#: (:func:`derive_display_checks`, from the derivation cache) and in this one
_PROVED_ZERO: set = set()
_BUILD_LOCK = threading.RLock()


def _is_zero(gap, simplify=lambda e: sp.simplify(sp.radsimp(e))):
    """Whether the difference ``gap`` of a display form and its derivation is
    0, by ``simplify`` — or by the record that exactly this ``gap`` (its
    ``srepr``) was proved 0 before: the checks take seconds of SymPy, the
    display forms themselves are built afresh in every process (so the
    printer's record of hand-ordered terms is this process's own)."""
    key = _digest(gap)
    if key in _PROVED_ZERO:
        return True
    # a derivation read back from the cache may be arranged differently from
    # the one the deriving process built (a pickle rebuilds it): expanded, the
    # two agree; computed only when the plain form is not on record
    expanded = _digest(sp.expand(gap))
    if expanded in _PROVED_ZERO:
        return True
    if simplify(gap) != 0:
        return False
    _PROVED_ZERO.update((key, expanded))
    return True


def _digest(expr):
    return hashlib.sha256(sp.srepr(expr).encode()).hexdigest()


def _shown(derived, arrangement):
    """``arrangement`` for printing, after checking it equals ``derived``."""
    if not _is_zero(derived - arrangement):
        raise ArithmeticError(f"display form {arrangement} differs from {derived}")
    return arrangement


def _sum(*terms):
    """A sum printed in the order given (a display form)."""
    expr = sp.Add(*terms, evaluate=False)
    _HAND_ORDERED.add(expr)
    return expr


def _product(*factors):
    """A product printed in the order given (a display form)."""
    expr = sp.Mul(*factors, evaluate=False)
    _HAND_ORDERED.add(expr)
    return expr


def _half(expr):
    """``expr / 2`` as one fraction (SymPy would distribute the ``1/2``)."""
    return sp.Mul(expr, sp.Pow(2, -1, evaluate=False), evaluate=False)


def _shown_even_power(derived, arrangement, base=1 - w):
    """:func:`_shown` for forms with ``(1 − w)^{2t}``: ``(w − 1)^{2t}`` is the
    same power (the exponent is even), which ``simplify`` cannot see."""
    g = sp.Symbol("g_t", positive=True)

    def even(expr):
        return expr.replace(lambda e: e.is_Pow and e.base in (base, -base) and e.exp.has(t),
                            lambda e: g**sp.simplify(e.exp / (2 * t)))
    if not _is_zero(even(derived) - even(arrangement)):
        raise ArithmeticError(f"display form {arrangement} differs from {derived}")
    return arrangement


@dataclass(frozen=True)
class Formula:
    r"""A named limiting formula ``lhs = rhs``, derived once in this package.

    Call it with the API's keyword names (``formula("ols_risk")(w=0.5,
    gamma=0.5, sigma2=1.0)``): numbers give a number, SymPy values an exact
    expression (see :meth:`__call__`). ``rhs`` is a SymPy expression in the
    symbols of :mod:`rmtheory.symbols`, so ``rhs.subs(rt.symbols.w, ...)``
    works. It prints as LaTeX in the order of terms a paper uses
    (:meth:`latex`; ``_repr_latex_`` in Jupyter), labelled :attr:`label`.

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
    relation : str, optional
        LaTeX of the relation (``=`` by default, ``\iff`` for a condition).
    symbol_names : dict, optional
        LaTeX names of extra symbols.
    display : sympy.Basic, optional
        A hand-chosen arrangement of ``rhs`` for printing, checked equal to
        it when the registry is built.

    Examples
    --------
    >>> from rmtheory.symbolic import formula
    >>> f = formula("isotropic_kappa")
    >>> f.parameters, f.label
    (('lam', 'gamma'), 'eq:isotropic_kappa')
    >>> f(lam=1.0, gamma=1.0)
    1.618033988749895
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
        """Equation label for ``\\ref``: ``eq:<name>`` (``eq:c_w``)."""
        return "eq:" + self.name

    @property
    def parameters(self):
        """Keyword names of :attr:`args`, as the public API spells them
        (``("w", "lam", "gamma", "r2", "sigma2")``)."""
        return tuple(PARAMETER_NAMES.get(a, str(a)) for a in self.args)

    @property
    def assumptions(self):
        """One line of LaTeX text: where the formula holds."""
        return ASSUMPTIONS.get(self.name, "")

    def latex(self):
        """``lhs = rhs`` as LaTeX (no math delimiters), terms in the
        conventional order (:func:`paper_latex`)."""
        names = {**SYMBOL_NAMES, **self.symbol_names}
        shown = self.rhs if self.display is None else self.display
        return f"{self.lhs} {self.relation} {paper_latex(shown, names)}"

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex()}$"

    def __str__(self):
        return f"{self.name}: {sp.sstr(self.rhs)}"

    def lambdify(self, modules="mpmath"):
        """A callable ``f(*args)`` evaluating ``rhs`` with ``modules``."""
        return _lambdified(self.name, modules)

    def _bind(self, values, keywords):
        names = self.parameters
        if len(values) > len(names):
            raise TypeError(f"{self.name} takes at most {len(names)} arguments "
                            f"({', '.join(names) or 'none'}), received {len(values)}")
        bound = dict(zip(names, values))
        for key, value in keywords.items():
            if key not in names:
                raise TypeError(f"{key!r} is not a parameter of {self.name}; its parameters "
                                f"are {', '.join(names) or 'none'}")
            if key in bound:
                raise TypeError(f"{self.name} received {key!r} both by position and by name")
            bound[key] = value
        return bound

    def __call__(self, *values, **keywords):
        r"""Evaluate the formula; arguments by position (:attr:`args` order)
        or by name (:attr:`parameters`, the API's spelling).

        A SymPy value anywhere (a symbol, ``Rational(1, 2)``, ``sqrt(5)``)
        gives the exact SymPy expression, with the arguments not given
        left as the library's symbols (:mod:`rmtheory.symbols`); otherwise
        every argument is required and the result is a number (``math``
        for ``int``/``float``, ``mpmath`` else).

        Examples
        --------
        >>> import sympy as sp
        >>> from rmtheory.symbolic import formula
        >>> formula("ols_risk")(w=0.5, gamma=0.5, sigma2=1.0)
        0.6666666666666666
        >>> formula("c_w")(sp.Rational(1, 2))
        2/3
        >>> g = sp.Symbol("g", positive=True)
        >>> formula("isotropic_minnorm_risk")(w=1, gamma=g, r2=1, sigma2=1)
        1/(g - 1) + (g - 1)/g
        """
        bound = self._bind(values, keywords)
        if any(isinstance(v, sp.Basic) for v in bound.values()):
            by_name = dict(zip(self.parameters, self.args))
            return self.rhs.subs({by_name[k]: sp.sympify(v) for k, v in bound.items()},
                                 simultaneous=True)
        missing = [k for k in self.parameters if k not in bound]
        if missing:
            raise TypeError(f"{self.name} is missing {', '.join(missing)} (pass a number, "
                            "or a SymPy symbol for an expression)")
        ordered = [bound[k] for k in self.parameters]
        return self.lambdify("math" if all(isinstance(v, (int, float)) for v in ordered)
                             else "mpmath")(*ordered)


@lru_cache(maxsize=None)
def _lambdified(name, modules):
    f = formula(name)
    return sp.lambdify(f.args, f.rhs, modules=modules)


def _u_infinity():
    """``u_∞(d) = (w² + κ_s(1 − w)²) d / ((dw + λ)(d(2 − w) + λ))``."""
    return _product(_sum(w**2, kappa_s * (1 - w)**2), d,
                    sp.Pow(_product(d * w + lam, _sum(d * (2 - w), lam)), -1, evaluate=False))


def _m_of_z(iso):
    """``m(z)`` from its negative-axis form ``m(−x)`` with ``x = −z``."""
    x = [v for v in iso.m_negative_axis.free_symbols if v.name == "x"][0]
    return iso.m_negative_axis.subs(x, -z)


class DisplayChecks(NamedTuple):
    """The SHA-256 of every display-form difference proved zero while the
    formula table was built (the result of :func:`derive_display_checks`)."""
    proved_zero: frozenset


@lru_cache(maxsize=None)
def _registry():
    with _BUILD_LOCK:
        _PROVED_ZERO.update(derive_display_checks().proved_zero)
        return {f.name: f for f in _formula_table()}


@disk_cached
def derive_display_checks() -> DisplayChecks:
    """Build the formula table once, proving every display arrangement equal
    to its derivation with SymPy (seconds), and keep which differences were
    proved: the derivation cache holds these digests only (data), never the
    formulas, whose unevaluated display forms a pickle would not keep."""
    with _BUILD_LOCK:
        _formula_table()
        return DisplayChecks(frozenset(_PROVED_ZERO))


def _formula_table():
    """Every :class:`Formula`, in document order, each display arrangement
    checked against its derivation (:func:`_is_zero`)."""
    mn, sn, dy = derive_minnorm(), derive_synthetic_noise(), derive_dynamic()
    rg, mx, iso, ols = derive_ridge(), derive_mixed_risk(), derive_isotropic(), derive_ols()
    w_prev, B0, V0 = _W_PREV, _B0, _V0
    phi = sp.GoldenRatio
    entries = [
        Formula("c_t", "c_t(w)", mn.c_t, (w, t),
                "variance factor of min-norm after t refits",
                display=_shown_even_power(mn.c_t, _sum(
                    (1 - w)**(2 * t),
                    _product(w**2 + (1 - w)**2, 1 - (1 - w)**(2 * t),
                             sp.Pow(w * (2 - w), -1, evaluate=False))))),
        Formula("c_w", "c(w)", mn.c_w, (w,),
                "stationary variance factor c(w) = lim c_t(w)",
                display=_shown(mn.c_w, (w**2 + (1 - w)**2) / (w * (2 - w)))),
        Formula("c_w_kappa_s", r"c(w;\kappa_s)", sn.c_w_kappa_s, (w, kappa_s),
                "stationary variance factor with synthetic-noise ratio kappa_s",
                display=_shown(sn.c_w_kappa_s,
                               _sum(w**2, kappa_s * (1 - w)**2) / (w * (2 - w)))),
        Formula("minnorm_risk", r"R_\infty(w)", B0 + mn.c_w * V0, (w, B0, V0),
                "stationary min-norm risk: bias B_0 plus c(w) times the one-shot variance V_0",
                display=_sum(B0, _product(sp.Function("c")(w), V0))),
        Formula("w_star_minnorm", r"w^{\star}", 1 / phi, (),
                "optimal real-data weight for min-norm interpolation"),
        Formula("w_star_kappa_s", r"w^{\star}(\kappa_s)", sn.w_star, (kappa_s,),
                "optimal weight with synthetic-noise ratio kappa_s",
                display=_shown(sn.w_star, _half(sp.sqrt(kappa_s**2 + 4 * kappa_s) - kappa_s))),
        Formula("dynamic_weight", "w_t", dy.weight_map.subs(w, w_prev), (w_prev,),
                "greedy dynamic weight, w_0 = 1; equals F_{2t+1}/F_{2t+2}"),
        Formula("ridge_mean_multiplier", r"a_\infty(d)", rg.mean_stationary, (d, lam, w),
                "stationary mean multiplier per eigenvalue d of X^T X/n"),
        Formula("ridge_variance_multiplier", r"u_\infty(d)",
                rg.variance_stationary, (d, lam, w, kappa_s),
                "stationary variance multiplier per eigenvalue d",
                display=_shown(rg.variance_stationary, _u_infinity())),
        Formula("ridge_mean_multiplier_t", r"a_t(d)", rg.mean_t_geometric, (d, lam, w, t),
                "mean multiplier after t refits"),
        Formula("ridge_variance_multiplier_t", r"u_t(d)", rg.variance_t_geometric,
                (d, lam, w, kappa_s, t), "variance multiplier after t refits",
                display=_shown_even_power(rg.variance_t_geometric, _sum(
                    _u_infinity(),
                    _product((d * (1 - w) / (d + lam))**(2 * t),
                             _sum(d / (d + lam)**2, -_u_infinity()))), base=d * (1 - w) / (d + lam))),
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
                display=_shown(general.ridge_variance.subs(general.I2, _DF2 / gamma),
                               _product(sigma2, _DF2, sp.Pow(1 - _DF2, -1, evaluate=False)))),
        Formula("mixed_risk", r"R_\infty(w,\lambda)", mx.risk_of_functions, (),
                "stationary risk of the mixed scheme for general H, G",
                display=_mixed_display(mn.c_w)),
        Formula("mixed_bracket_w1", r"\lim_{w\to1}\Bigl[\tfrac{\kappa(\lambda/(2-w)) - \kappa(\lambda/w)}{\lambda/(2-w) - \lambda/w} - 1\Bigr]",
                rg.bracket_at_w1, (), "the mixed variance bracket at w = 1",
                display=_primes(rg.bracket_at_w1)),
        Formula("critical_lambda_condition", r"w^\star = 1",
                mx.critical_condition, (), "w* = 1 exactly where this is >= 0",
                relation=r"\iff", display=sp.Le(0, _shown(_primes(mx.critical_condition), _sum(
                    _product(lam, _B_PRIME), _product(-2, sigma2, _KAPPA_PRIME - 1))),
                                                  evaluate=False)),
        Formula("isotropic_kappa", r"\kappa(\lambda)", iso.kappa, (lam, gamma),
                "effective regularisation, isotropic",
                display=_shown(iso.kappa, _half(_sum(gamma, lam, -1,
                                                     sp.sqrt((gamma + lam - 1)**2 + 4 * lam))))),
        Formula("mp_stieltjes", "m(z)", _m_of_z(iso), (z, gamma),
                "Marchenko-Pastur Stieltjes transform (branch with m > 0 on z < 0)",
                display=_shown(_m_of_z(iso), _product(
                    _sum(1, -gamma, -z, -sp.sqrt(_sum((1 + gamma - z)**2, -4 * gamma))),
                    sp.Pow(_product(2, gamma, z), -1, evaluate=False)))),
        Formula("mp_density", r"f_{\mathrm{MP}}(x)", iso.density,
                (_X, gamma),
                "Marchenko-Pastur density of X^T X/n between the edges",
                display=_shown(iso.density, _product(
                    sp.sqrt(_product(_sum(_sum(1, sp.sqrt(gamma))**2, -_X),
                                     _sum(_X, -(1 - sp.sqrt(gamma))**2))),
                    sp.Pow(_product(2, sp.pi, gamma, _X), -1, evaluate=False)))),
        Formula("mp_edges", r"(x_-, x_+)", sp.Tuple(*iso.edges), (gamma,),
                "support edges of the Marchenko-Pastur law",
                display=sp.Tuple(*[_shown(e, sp.Pow(_sum(1, sign * sp.sqrt(gamma)), 2, evaluate=False))
                                   for e, sign in zip(iso.edges, (-1, 1))])),
        Formula("mp_atom", r"\mu_{\mathrm{MP}}(\{0\})", iso.atom_at_zero, (gamma,),
                "mass at zero for gamma > 1"),
        Formula("isotropic_bias", r"B(\lambda)", iso.bias.subs(kappa, iso.kappa),
                (lam, gamma, r2), "isotropic ridge bias at w = 1, kappa = kappa(lambda)",
                display=_shown(iso.bias, _product(r2, kappa**2) / ((1 + kappa)**2 - gamma))),
        Formula("isotropic_variance", r"V(\lambda)", iso.variance.subs(kappa, iso.kappa),
                (lam, gamma, sigma2), "isotropic ridge variance at w = 1, kappa = kappa(lambda)",
                display=_shown(iso.variance, sigma2 * gamma / ((1 + kappa)**2 - gamma))),
        Formula("isotropic_risk", r"R_\infty(w,\lambda)", iso.risk,
                (w, lam, gamma, r2, sigma2),
                "isotropic stationary mixed risk, kappa_1 = kappa(lambda/w), "
                "kappa_2 = kappa(lambda/(2-w))", display=_isotropic_display(mn.c_w)),
        Formula("isotropic_risk_stieltjes", r"R_\infty(w,\lambda)", iso.risk_stieltjes,
                (w, lam, gamma, r2, sigma2, m1, m2),
                "isotropic stationary mixed risk with m_1 = m(-lambda/w), m_2 = m(-lambda/(2-w))",
                display=_stieltjes_display(mn.c_w, iso.risk_stieltjes)),
        Formula("isotropic_minnorm_risk", r"R_\infty(w)",
                iso.minnorm_bias + mn.c_w * sigma2 * iso.minnorm_variance_factor,
                (w, gamma, r2, sigma2), "isotropic min-norm risk, gamma > 1",
                display=_shown(iso.minnorm_bias + mn.c_w * sigma2 * iso.minnorm_variance_factor,
                               _sum(_product(r2, 1 - 1 / gamma), _product(
                                   sigma2, _sum(w**2, (1 - w)**2),
                                   sp.Pow(_product(w, 2 - w, gamma - 1), -1, evaluate=False))))),
        Formula("w_star_series", r"w^\star(\lambda)",
                iso.w_star_limit + iso.w_star_slope * lam + sp.O(lam**2), (),
                "isotropic optimal weight as lambda -> 0 (gamma > 1)",
                display=sp.Add(1 / phi, _shown(iso.w_star_slope, 2 * (2 * sp.sqrt(5) - 5) * gamma
                                               / (5 * (gamma - 1)**2)) * lam,
                               sp.O(lam**2), evaluate=False)),
        Formula("ols_risk", r"R_\infty(w)", ols.risk, (w, gamma, sigma2),
                "OLS regime gamma < 1",
                display=_shown(ols.risk, _product(
                    sigma2, gamma, _sum(w**2, (1 - w)**2),
                    sp.Pow(_product(w, 2 - w, 1 - gamma), -1, evaluate=False)))),
        *_scheme_entries(),
    ]
    return tuple(entries)


def _checked_at_integers(derived, arrangement, steps=8):
    """``arrangement`` for printing, after checking it equals ``derived`` at
    ``t = 0, …, steps`` exactly (sums and special values in ``t`` that
    ``simplify`` cannot match symbolically)."""
    for k in range(steps + 1):
        gap = (derived.subs(t, k) - arrangement.subs(t, k)).doit()
        if not _is_zero(gap, lambda e: sp.simplify(sp.radsimp(sp.expand(e, func=True)))):
            raise ArithmeticError(f"display form {arrangement} differs from {derived} at t = {k}")
    return arrangement


def _scheme_entries():
    """The replace, accumulate and dynamic schemes (:mod:`.schemes`)."""
    sc = derive_schemes()
    replace, accumulate, dynamic = (sc.minnorm[s] for s in ("replace", "accumulate", "dynamic"))
    ridge_replace, ridge_accumulate = sc.ridge["replace"], sc.ridge["accumulate"]
    j = summation_index
    shown_sum = _sum(1, kappa_s * sp.Sum(1 / j**2, (j, 2, t + 1)))
    # Binet's formula with X = φ^{2t}: powers of φ that every lambdify module prints
    dynamic_binet = binet(dynamic.variance_factor_t).subs(
        binet_growth, ((1 + sp.sqrt(5)) / 2)**(2 * t))
    return [
        Formula("replace_variance_factor", r"c_t^{\mathrm{replace}}",
                replace.variance_factor_t, (t, kappa_s),
                "min-norm variance factor under replace (w = 0): linear collapse",
                display=_shown(replace.variance_factor_t, _sum(1, kappa_s * t))),
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
                               _sum(1, kappa_s * (sp.pi**2 / 6 - 1)))),
        Formula("dynamic_variance_factor", r"v_t", dynamic_binet, (t, kappa_s),
                "min-norm variance factor of the greedy dynamic schedule; = w_t at kappa_s = 1",
                display=_checked_at_integers(dynamic_binet, _sum(*sorted(
                    sp.Add.make_args(dynamic.variance_factor_t),
                    key=lambda term: term.has(kappa_s))))),
    ]


_KAPPA_PRIME = sp.Symbol(r"\kappa'(\lambda)")
_DF2 = sp.Symbol(r"\mathrm{df}_2")
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
    shown = _sum(bias_fn(a), _product(sigma2, c, divided - 1))
    derived = derive_mixed_risk().risk_of_functions
    if not _is_zero(shown.subs(c, c_w).doit() - derived, sp.simplify):
        raise ArithmeticError("mixed risk display differs from the derived risk")
    return shown


def _isotropic_display(c_w):
    """The isotropic risk with ``κ₁ = κ(λ/w)``, ``κ₂ = κ(λ/(2−w))`` kept
    as symbols (``isotropic_kappa`` gives them)."""
    k1, k2 = sp.symbols("kappa_1 kappa_2", positive=True)
    a, b = lam / w, lam / (2 - w)
    c = sp.Function("c")(w)
    divided = sp.Mul(k2 - k1, sp.Pow(b - a, -1, evaluate=False), evaluate=False)
    shown = _sum(_product(r2, k1**2) / ((1 + k1)**2 - gamma), _product(sigma2, c, divided - 1))
    derived = derive_isotropic().risk
    kappa_closed = derive_isotropic().kappa
    check = shown.subs(c, c_w).subs({k1: kappa_closed.subs(lam, a),
                                     k2: kappa_closed.subs(lam, b)}).doit()
    probe = {w: sp.Rational(3, 5), lam: sp.Rational(1, 2), gamma: 2, r2: 1, sigma2: 1}
    if not _is_zero(check.subs(probe) - derived.subs(probe), sp.simplify):
        raise ArithmeticError("isotropic risk display differs from the derived risk")
    return shown


_LIMIT = r"$n, p \to \infty$ with $p/n \to \gamma$"
_MINNORM = r"min-norm interpolation ($\lambda = 0$, $\gamma > 1$)"
_EIGEN = r"fixed $X$, an eigenvalue $d > 0$ of $X^{\top}X/n$, $\lambda > 0$"
_ISO = r"$\Sigma = I$ ($H = G = \delta_1$), " + _LIMIT

#: where each formula holds, one line of LaTeX text (printed under it)
ASSUMPTIONS = {
    "c_t": _MINNORM + r", $\kappa_s = 1$, $0 \le w \le 1$, $t \ge 0$ refits; any $H$, $G$",
    "c_w": _MINNORM + r", $\kappa_s = 1$, $0 < w \le 1$, $t \to \infty$; any $H$, $G$",
    "c_w_kappa_s": _MINNORM + r", $\kappa_s \ge 0$, $0 < w \le 1$, $t \to \infty$",
    "minnorm_risk": _LIMIT + r" $> 1$, $\lambda = 0$, $\kappa_s = 1$, $t \to \infty$; "
                    r"$B_0$, $V_0$ the one-shot bias and variance",
    "w_star_minnorm": _MINNORM + r", $\kappa_s = 1$, $t \to \infty$; every $H$, $G$",
    "w_star_kappa_s": _MINNORM + r", $\kappa_s > 0$, $t \to \infty$",
    "dynamic_weight": _MINNORM + r", $\kappa_s = 1$, $w_0 = 1$, $t \ge 1$",
    "ridge_mean_multiplier": _EIGEN + r", $0 < w \le 1$, $t \to \infty$",
    "ridge_variance_multiplier": _EIGEN + r", $0 < w \le 1$, $\kappa_s \ge 0$, $t \to \infty$",
    "ridge_mean_multiplier_t": _EIGEN + r", $0 < w \le 1$, $t \ge 0$",
    "ridge_variance_multiplier_t": _EIGEN + r", $0 < w \le 1$, $\kappa_s \ge 0$, $t \ge 0$",
    "kappa_fixed_point": _LIMIT + r"; $\lambda > 0$, $\kappa > 0$; $H$ the limit spectrum "
                         r"of $\Sigma$, supported in $[0, \infty)$",
    "stieltjes_equation": _LIMIT + r"; $\operatorname{Im} z > 0$, $\operatorname{Im} m(z) > 0$",
    "kappa_from_stieltjes": _LIMIT + r"; $\lambda > 0$, $m = m(-\lambda)$",
    "df2": _LIMIT + r"; $\lambda > 0$, $\kappa = \kappa(\lambda)$",
    "kappa_prime": _LIMIT + r"; $\lambda > 0$, $\kappa = \kappa(\lambda)$",
    "ridge_bias": _LIMIT + r"; $w = 1$, $\lambda > 0$, $\kappa = \kappa(\lambda)$, "
                  r"$\lVert\beta\rVert^{2} = r^{2}$; $G$ the signal-weighted spectrum",
    "ridge_variance": _LIMIT + r"; $w = 1$, $\lambda > 0$, $\mathrm{df}_2$ at "
                      r"$\kappa(\lambda)$",
    "mixed_risk": _LIMIT + r", then $t \to \infty$; $\lambda > 0$, $0 < w \le 1$, "
                  r"$\kappa_s = 1$; any $H$, $G$",
    "mixed_bracket_w1": _LIMIT + r", then $t \to \infty$; $\lambda > 0$, the limit $w \to 1$",
    "critical_lambda_condition": _LIMIT + r", then $t \to \infty$; $\lambda > 0$, "
                                 r"$\kappa_s = 1$; the sign of $\partial_w R_\infty$ at $w = 1$",
    "isotropic_kappa": _ISO + r"; $\lambda > 0$",
    "mp_stieltjes": _ISO + r"; the branch with $m(z) > 0$ for $z < 0$",
    "mp_density": _ISO + r"; $x_- < x < x_+$",
    "mp_edges": _ISO,
    "mp_atom": _ISO + r", $\gamma > 1$",
    "isotropic_bias": _ISO + r"; $w = 1$, $\lambda > 0$, $\kappa = \kappa(\lambda)$",
    "isotropic_variance": _ISO + r"; $w = 1$, $\lambda > 0$, $\kappa = \kappa(\lambda)$",
    "isotropic_risk": _ISO + r", $t \to \infty$; $\lambda > 0$, $0 < w \le 1$, "
                      r"$\kappa_s = 1$, $\kappa_1 = \kappa(\lambda/w)$, "
                      r"$\kappa_2 = \kappa(\lambda/(2-w))$",
    "isotropic_risk_stieltjes": _ISO + r", $t \to \infty$; $\lambda > 0$, $0 < w < 1$, "
                                r"$\kappa_s = 1$; $v_j = \gamma m_j + (1-\gamma)/\lambda_j$ "
                                r"with $m_j = m(-\lambda_j)$, $\lambda_1 = \lambda/w$, "
                                r"$\lambda_2 = \lambda/(2-w)$",
    "isotropic_minnorm_risk": _ISO + r", $\gamma > 1$, $\lambda = 0$, $\kappa_s = 1$, "
                              r"$t \to \infty$",
    "w_star_series": _ISO + r", $\gamma > 1$, $\kappa_s = 1$, $t \to \infty$, "
                     r"$\lambda \downarrow 0$",
    "ols_risk": _LIMIT + r" $< 1$, $\lambda = 0$, $\kappa_s = 1$, $t \to \infty$; any $H$",
    "replace_variance_factor": _MINNORM + r", replace scheme ($w = 0$ for $t \ge 1$), "
                               r"$\kappa_s \ge 0$, $t \ge 0$",
    "replace_variance_multiplier": _EIGEN + r", replace scheme, $t \to \infty$",
    "accumulate_mean_multiplier": _EIGEN + r", accumulate scheme, $t \ge 0$",
    "accumulate_variance_factor": _MINNORM + r", accumulate scheme, $\kappa_s \ge 0$, "
                                  r"$t \ge 0$",
    "accumulate_variance_factor_limit": _MINNORM + r", accumulate scheme, $\kappa_s \ge 0$, "
                                        r"$t \to \infty$",
    "dynamic_variance_factor": _MINNORM + r", the greedy schedule from $w_0 = 1$, "
                               r"$\kappa_s \ge 0$, $t \ge 0$",
}


def _stieltjes_display(c_w, derived):
    """The isotropic risk in the companion values ``v_j = γ m_j + (1 − γ)/λ_j``
    (``λ_1 = λ/w``, ``λ_2 = λ/(2 − w)``, ``κ_j = 1/v_j``), checked exactly
    against the derived form in ``m_1, m_2``."""
    v1, v2 = sp.symbols("v_1 v_2", positive=True)
    a, b = lam / w, lam / (2 - w)
    c = sp.Function("c")(w)
    divided = sp.Mul(_sum(1 / v2, -1 / v1), sp.Pow(_sum(b, -a), -1, evaluate=False),
                     evaluate=False)
    shown = _sum(_product(r2, sp.Pow(_sum((v1 + 1)**2, -gamma * v1**2), -1, evaluate=False)),
                 _product(sigma2, c, _sum(divided, -1)))
    companion = {v1: gamma * m1 + (1 - gamma) / a, v2: gamma * m2 + (1 - gamma) / b}
    if not _is_zero(shown.subs(c, c_w).subs(companion).doit() - derived, sp.simplify):
        raise ArithmeticError("Stieltjes risk display differs from the derived risk")
    return shown


def formula(name: str) -> "Formula":
    r"""The derived formula called ``name``.

    Parameters
    ----------
    name : str
        A registered name (:func:`formula_names`), e.g. ``"c_w"``,
        ``"isotropic_kappa"``, ``"mixed_risk"``.

    Returns
    -------
    Formula
        ``lhs = rhs`` with ``rhs`` the SymPy expression derived from the
        model; callable with the API's keyword names (:attr:`Formula.parameters`),
        printable as LaTeX (:meth:`Formula.latex`, labelled
        :attr:`Formula.label`), with the assumptions under which it holds
        (:attr:`Formula.assumptions`).

    Raises
    ------
    ValueError
        If no formula has that name (the message lists them).
    TypeError
        If ``name`` is not a str.

    Examples
    --------
    >>> import sympy as sp
    >>> from rmtheory.symbolic import formula
    >>> f = formula("c_w")
    >>> f.label, f.parameters
    ('eq:c_w', ('w',))
    >>> f(w=sp.Rational(1, 3)), f(0.5)
    (1, 0.6666666666666666)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, received {type(name).__name__}")
    registry = _registry()
    if name not in registry:
        raise ValueError(f"name must be one of {sorted(registry)}, received {name!r}")
    return registry[name]


def formula_names() -> list:
    """Names of every registered formula, in document order.

    Examples
    --------
    >>> from rmtheory.symbolic import formula_names
    >>> formula_names()[:3]
    ['c_t', 'c_w', 'c_w_kappa_s']
    """
    return list(_registry())


def all_formulas() -> list:
    """Every :class:`Formula`, in document order.

    Examples
    --------
    >>> from rmtheory.symbolic import all_formulas
    >>> len(all_formulas()) > 30
    True
    """
    return list(_registry().values())


def latex_formula(name: str) -> str:
    r"""LaTeX ``lhs = rhs`` of the formula called ``name`` (no delimiters).

    :func:`rmtheory.printing.formula_equation` gives the labelled
    ``equation`` with its assumptions, ready to paste.

    Examples
    --------
    >>> from rmtheory.symbolic import latex_formula
    >>> latex_formula("mp_atom")
    '\\mu_{\\mathrm{MP}}(\\{0\\}) = \\frac{\\gamma - 1}{\\gamma}'
    """
    return formula(name).latex()
