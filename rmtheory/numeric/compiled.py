"""The symbolic layer's expressions, turned into mpmath callables once.

Every numeric formula comes from here: ``sympy.lambdify`` of the derived
expression, cached, so nothing is retyped in the numeric layer.
"""
from functools import lru_cache
import threading

import sympy as sp

from ..symbolic import general
from ..symbolic._cache import disk_cached
from .context import contextual, mp
from ..symbolic.minnorm import derive_minnorm
from ..symbolic.synthetic_noise import derive_synthetic_noise
from ..symbolic.mixed import (B_a, Bp_a, kappa_a, kappa_b, kp_a, kp_b,
                              risk_in_values)
from ..symbolic.symbols import kappa, kappa_s, lam, r2, s, sigma2, t, w, gamma

__all__ = ["expressions", "variance_factor_at", "finite_t_forms", "MAX_STEPS", "check_steps"]


#: ``1 − γI₂`` (``I₂ = ∫ s²/(s+κ)² dH``), the denominator of ``κ'``, ``B``, ``V``, ``B'``
one_minus_df2 = sp.Symbol("D_2", positive=True)
#: ``J_H = ∫ s/(s+κ)² dH`` (the bias integrand against ``H``, not ``G``)
one_minus_df2_inputs = (sp.Symbol("J_H", nonnegative=True),)


@disk_cached
def _with_gap() -> tuple:
    r"""``1 − γI₂`` without cancellation, and the penalty values in terms of it.

    Computed as ``1 − γ∫s²/(s+κ)² dH`` it cancels to nothing when the
    spectrum spans many orders of magnitude: atoms at ``10^{±100}`` give
    ``1 − γI₂ ≈ 2·10^{-100}`` at ``λ = 0``, ``γ = 2`` (a ``ZeroDivisionError``
    at 40 digits). SymPy derives a sum of nonnegative terms instead: the
    ``κ`` equation gives ``1 − γI₁ = λ/κ`` and the integrands give
    ``I₁ − I₂ = κ∫ s/(s+κ)² dH``, so

    .. math:: 1 - \gamma I_2 = rac{\lambda}{\kappa} + \gamma\kappa J_H .

    Returns that expression (of ``κ, λ, γ, J_H``) and a dict of
    ``κ'``, ``B``, ``V``, ``B'`` with ``1 − γI₂`` replaced by ``D₂`` (and the
    ``"direct"`` form ``1 − γI₂``, for ``κ = 0``: OLS, where ``I₂ = 1``).
    SymPy's ``solve``/``simplify`` take ~0.15 s: the result (SymPy trees
    only) is kept in the derivation cache, keyed by this module's source.
    """
    I1, I2 = general.I1, general.I2
    (J_H,) = one_minus_df2_inputs
    D = one_minus_df2
    direct = 1 - gamma * I2
    (I1_at_root,) = sp.solve(general.kappa_equation, I1)
    difference = sp.simplify(general.fixed_point_integrand - general.df2_integrand)
    if sp.simplify(difference - kappa * general.bias_integrand) != 0:  # pragma: no cover
        raise ArithmeticError("I1 - I2 is not kappa times the bias integral")
    gap = sp.expand(sp.simplify(direct.subs(I2, I1_at_root - kappa * J_H)))
    if any(term.could_extract_minus_sign() for term in sp.Add.make_args(gap)):  # pragma: no cover
        raise ArithmeticError(f"1 - gamma I2 = {gap} is not a sum of nonnegative terms")
    forms = {"direct": direct}
    for name in ("kappa_prime", "ridge_bias", "ridge_variance", "ridge_bias_derivative"):
        expr = getattr(general, name)
        form = expr.subs(direct, D)
        if form.has(D) is False or sp.simplify(form.subs(D, direct) - expr) != 0:  # pragma: no cover
            raise ArithmeticError(f"{name} does not factor through 1 - gamma I2")
        forms[name] = form
    return gap, forms


class _Lazy:
    """A namespace whose callables are lambdified on first access.

    Why: lambdify prints and compiles Python for each expression (a few ms
    each), and the gap forms need SymPy's ``solve``/``simplify`` first
    (:func:`_with_gap`, ~0.15 s); a process uses only some of them, so
    each is built when first asked for, once (under a lock: every thread
    gets the same object), and kept as an attribute."""

    def __init__(self, name, builders, wrap):
        self._name, self._builders, self._wrap = name, builders, wrap
        self._lock = threading.Lock()

    def __getattr__(self, name):
        builders = self.__dict__.get("_builders", {})
        if name not in builders:
            raise AttributeError(f"{self.__dict__.get('_name', '?')} has no expression {name!r}")
        with self._lock:
            if name not in self.__dict__:
                fn = builders[name]()
                self.__dict__[name] = fn if self._wrap is None else self._wrap(fn)
        return self.__dict__[name]

    def __dir__(self):
        return sorted(set(object.__dir__(self)) | set(self._builders))


@lru_cache(maxsize=None)
def expressions(modules="mpmath"):
    """A namespace of callables for ``modules`` ("mpmath" or "numpy"),
    each lambdified on first use (lambdify is slow) and cached."""
    mp = modules
    penalty_args = (kappa, r2, gamma, general.J, general.I2,
                    general.J_kappa, general.I2_kappa, general.kappa_p)
    risk_args = (w, lam, sigma2, kappa_s, kappa_a, kappa_b, B_a, Bp_a, kp_a, kp_b)

    def of(args, expr):
        """A builder: ``expr()`` (a derivation, loaded when first needed) lambdified."""
        return lambda: sp.lambdify(args, expr(), mp)

    f = {
        # integrands for the float64 path (the mpmath path integrates through
        # fixed_point.df2 and fixed_point.bias_integral)
        "df2_integrand": of((s, kappa), lambda: general.df2_integrand),
        "bias_integrand": of((s, kappa), lambda: general.bias_integrand),
        "w_star_kappa_s": of(kappa_s, lambda: derive_synthetic_noise().w_star),
        "df2_integrand_dkappa": of((s, kappa), lambda: general.df2_integrand_dkappa),
        "bias_integrand_dkappa": of((s, kappa), lambda: general.bias_integrand_dkappa),
        "kappa_prime": of((gamma, general.I2), lambda: general.kappa_prime),
        "ridge_bias": of(penalty_args[:5], lambda: general.ridge_bias),
        "ridge_variance": of((sigma2, gamma, general.I2), lambda: general.ridge_variance),
        "ridge_bias_derivative": of(penalty_args, lambda: general.ridge_bias_derivative),
        "variance": of(risk_args, lambda: risk_in_values().variance),
        "dtotal_dw": of(risk_args, lambda: risk_in_values().dtotal_dw),
        "variance_at_w1": of(risk_args, lambda: risk_in_values().variance_at_w1),
        "dtotal_dw_at_w1": of(risk_args, lambda: risk_in_values().dtotal_dw_at_w1),
        "c_w": of((w, kappa_s), lambda: derive_minnorm().c_w_kappa_s),
        "dc_dw": of((w, kappa_s), lambda: sp.diff(derive_minnorm().c_w_kappa_s, w)),
        # the same penalty values with 1 − γI₂ as an argument (see _with_gap)
        "one_minus_df2": of((kappa, lam, gamma, one_minus_df2_inputs[0]),
                            lambda: _with_gap()[0]),
        "one_minus_df2_direct": of((gamma, general.I2), lambda: _with_gap()[1]["direct"]),
        "kappa_prime_gap": of((one_minus_df2,), lambda: _with_gap()[1]["kappa_prime"]),
        "ridge_bias_gap": of(penalty_args[:5] + (one_minus_df2,),
                             lambda: _with_gap()[1]["ridge_bias"]),
        "ridge_variance_gap": of((sigma2, gamma, general.I2, one_minus_df2),
                                 lambda: _with_gap()[1]["ridge_variance"]),
        "ridge_bias_derivative_gap": of(penalty_args + (one_minus_df2,),
                                        lambda: _with_gap()[1]["ridge_bias_derivative"]),
    }
    # mpmath: evaluate in the active (private) mpmath context
    return _Lazy(f"expressions({modules!r})", f, contextual if modules == "mpmath" else None)


#: stand for ``e_t = 1 − g_t`` and ``(1 − w)^{2t−1}`` in the finite-``t`` forms
one_minus_geometric = sp.Symbol("e_t", nonnegative=True)
geometric_before = sp.Symbol("h_t", nonnegative=True)

#: the largest number of refits accepted: ``c_t`` is evaluated in constant
#: time for every ``t``, but the powers ``(1 − w)^{2t}`` carry
#: ``log2(2t)`` extra bits; beyond ``10^18``, ``t = None`` (``t → ∞``)
#: differs by ``(1 − w)^{2·10^18}`` (``< 10^-860`` for ``w ≥ 10^-15``)
MAX_STEPS = 10**18


def check_steps(t):
    """``t`` as an int in ``[0, MAX_STEPS]`` (the finite-``t`` formulas of both
    the min-norm and the ridge risk), else ``ValueError``."""
    t = int(t)
    if not 0 <= t <= MAX_STEPS:
        raise ValueError(f"t must be an integer in [0, {MAX_STEPS}] (use t=None for "
                         f"t -> infinity), received t={t}")
    return t


def _stable(expr):
    """One fraction, its numerator collected in ``κ_s`` with factored
    coefficients: ``κ_s(w − 1)² + w²``, not ``κ_s w² − 2κ_s w + κ_s + w²``
    (which cancels near ``w = 1`` when ``κ_s`` is large)."""
    numerator, denominator = sp.fraction(sp.factor(sp.together(expr)))
    return sp.collect(sp.expand(numerator), kappa_s, sp.factor) / denominator


@lru_cache(maxsize=None)
def finite_t_forms():
    r"""``c_t`` and ``∂c_t/∂w`` unexpanded, for every ``t`` at once.

    The derived closed form is affine in ``g_t = (1 − w)^{2t}``; SymPy
    rewrites it as

    .. math::

        c_t = g_t + c(w; \kappa_s)\,(1 - g_t), \qquad
        \partial_w c_t = c'(w; \kappa_s)\,(1 - g_t) + (1 - c)\,\partial_w g_t,
        \qquad \partial_w g_t = -2t\,(1 - w)^{2t-1},

    with ``c = s_w/(1 − (1 − w)²)`` the ``t → ∞`` factor (checked to be the
    coefficient). Given ``g_t`` and ``e_t = 1 − g_t`` to full relative
    precision, ``c_t`` is a sum of two nonnegative terms: no cancellation,
    whatever ``t`` and ``w``. Returns ``(value(w, κ_s, g_t, e_t),
    slope(w, κ_s, t, e_t, h_t), exponent(t))`` where ``h_t = (1 −
    w)^{exponent(t)}`` is the power in ``∂_w g_t``, and ``order(t)``, the
    exponent ``2t`` of ``g_t``.
    """
    from ..symbolic.minnorm import geometric_term
    g, e, h = geometric_term, one_minus_geometric, geometric_before
    value, slope, exponent, order = _finite_t_expressions()
    return (contextual(sp.lambdify((w, kappa_s, g, e), value, "mpmath")),
            contextual(sp.lambdify((w, kappa_s, t, e, h), slope, "mpmath")),
            # integer exponents: plain Python (the default modules would import SciPy)
            sp.lambdify(t, exponent, "math"), sp.lambdify(t, order, "math"))


@disk_cached
def _finite_t_expressions() -> tuple:
    """The SymPy side of :func:`finite_t_forms`, ``(value, slope, exponent,
    order)`` as expressions: ``factor``/``simplify`` take ~0.1 s, so the
    result (data only) is kept in the derivation cache."""
    from ..symbolic.minnorm import _as_affine_in_geometric, geometric_term
    mn = derive_minnorm()
    g, e, h = geometric_term, one_minus_geometric, geometric_before
    affine = _as_affine_in_geometric(mn.c_t_kappa_s)
    limit = _stable(mn.c_w_kappa_s)
    if sp.simplify(g + limit * (1 - g) - affine) != 0:  # pragma: no cover - guards the derivation
        raise ArithmeticError("c_t is not g_t + c(w) (1 - g_t)")
    value = g + limit * e
    power = (1 - w)**(2 * t)
    dg_dw = sp.powsimp(sp.diff(power, w))                  # −2t (1 − w)^{2t−1}
    powers = [p for p in dg_dw.atoms(sp.Pow) if p.exp.has(t)]
    if len(powers) != 1 or sp.simplify(powers[0].base - (1 - w)) != 0:  # pragma: no cover
        raise ArithmeticError(f"d/dw (1-w)^(2t) = {dg_dw} is not a multiple of a power of 1 - w")
    exponent = powers[0].exp
    # e_t = 1 − g_t: its w-derivative is −∂_w g_t
    slope = (_stable(sp.diff(mn.c_w_kappa_s, w)) * e
             + (sp.diff(value, g) + sp.diff(value, e) * sp.diff(1 - g, g))
             * dg_dw.subs(powers[0], h))
    return value, slope, exponent, power.exp


def variance_factor_at(steps):
    """``(c_t, ∂c_t/∂w)`` as callables of ``(w, κ_s)`` for ``t = steps``
    refits, in constant time (no expansion of ``(1 − w)^{2t}``), correct
    to the working precision for every ``0 ≤ t ≤ MAX_STEPS`` and
    ``w ∈ (0, 1]``.

    The powers are ``exp(2t log1p(−w))`` and ``−expm1(2t log1p(−w))``,
    relative-accurate even when ``2tw`` is tiny, computed with
    ``log2(2t)`` guard bits (an exponent ``2t`` multiplies the rounding
    error of ``log1p``); ``w = 1`` (``1 − w = 0``) and ``t = 0`` (``c_0 = 1``,
    where ``(1 − w)^{2t−1}`` is ``1/(1 − w)``) are exact cases. The slope
    cancels between terms of size ``κ_s t/w`` near ``w = 0``: it gets
    ``log2(1/w)`` more guard bits.
    """
    steps = check_steps(steps)
    value, slope, exponent, order = finite_t_forms()
    before, after = exponent(steps), order(steps)
    bits = int(after).bit_length() + 8

    def powers(w):
        if steps == 0:                # c_0 = 1 and ∂_w g_0 = 0: h_0 multiplies 0
            return mp.one, mp.zero, mp.zero
        if w == 1:                    # 0^(2t) = 0, 0^(2t−1) = 0 for t ≥ 1
            return mp.zero, mp.one, mp.zero
        log_q = mp.log1p(-w)
        return mp.exp(after * log_q), -mp.expm1(after * log_q), mp.exp(before * log_q)

    def c_t(w, kappa_s):
        with mp.extraprec(bits):
            g, e, _ = powers(w)
            result = value(w, kappa_s, g, e)
        return +result

    def dc_t(w, kappa_s):
        with mp.extraprec(bits + max(0, -mp.mag(w))):
            _, e, h = powers(w)
            result = slope(w, kappa_s, steps, e, h)
        return +result
    return c_t, dc_t
