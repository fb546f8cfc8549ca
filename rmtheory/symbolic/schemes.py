r"""The four retraining schemes, eigen-direction by eigen-direction.

On an eigenvector of ``Σ̂ = XᵀX/n`` with eigenvalue ``d > 0`` every scheme
is a first-order linear recursion for the coordinate ``b_t`` of ``β̂_t``,
so its mean ``E b_t = a_t(d) β_i`` and variance
``Var b_t = (σ²/n) u_t(d)`` obey first-order recursions too. With
``ρ = d/(d+λ)`` (``ρ = 1`` at ``λ = 0``), ``s_t = w_t² + κ_s(1−w_t)²`` and
``ν = d/(d+λ)²`` (the variance of one fit per unit of label noise):

.. math::

    \text{mix, replace, dynamic:}\quad
    a_t = \rho\,(w_t + (1-w_t)\,a_{t-1}), \qquad
    u_t = (1-w_t)^2\rho^2\,u_{t-1} + s_t\,\nu,

    \text{accumulate:}\quad
    a_t = \frac{t+\rho}{t+1}\,a_{t-1}, \qquad
    u_t = \Bigl(\frac{t+\rho}{t+1}\Bigr)^2 u_{t-1} + \frac{\kappa_s\,\nu}{(t+1)^2},

all started at ``a_0 = ρ``, ``u_0 = ν``; ``w_t = w`` (mix), ``0``
(replace) or the greedy ``w_t = (1+w_{t−1})/(2+w_{t−1}) = F_{2t+1}/F_{2t+2}``
(dynamic). The accumulate step is derived from the average-label form of
:func:`rmtheory.montecarlo.simulate_retraining`: with
``S_t = (t+1) ȳ_t = S_{t−1} + √(nd) b_{t−1} + ε̃_t`` and
``b_{t−1} = A S_{t−1}/t``, ``b_t = A S_t/(t+1) = ((t+ρ)/(t+1)) b_{t−1}
+ A ε̃_t/(t+1)``. Its closed forms are ratios of Gamma functions,

.. math::

    a_t = \frac{\rho\,\Gamma(t+1+\rho)}{\Gamma(1+\rho)\,\Gamma(t+2)}, \qquad
    u_t = \frac{\rho^2}{d}\Bigl(\frac{\Gamma(t+1+\rho)}{\Gamma(t+2)}\Bigr)^2
          \Bigl[\frac{1}{\Gamma(1+\rho)^2}
          + \kappa_s\sum_{j=1}^{t}\Bigl(\frac{\Gamma(j+1)}{\Gamma(j+1+\rho)}\Bigr)^2\Bigr],

so for ``λ > 0`` the accumulated ridge fit tends to the zero estimator,
``a_t ~ t^{−λ/(d+λ)}/Γ(ρ)`` and ``u_t = Θ(t^{−min(1, 2λ/(d+λ))})``, while at
``λ = 0`` (``ρ = 1``) ``a_t = 1`` and
``d u_t = 1 + κ_s Σ_{j=2}^{t+1} 1/j² → 1 + κ_s(π²/6 − 1)``.

:func:`scheme_multipliers` is the entry point; :func:`step_functions` and
:func:`iterate_multipliers` lambdify its step maps (they never retype
them).
"""
from functools import lru_cache
from typing import NamedTuple

import sympy as sp

from ._cache import disk_cached
from .minnorm import c_prev, derive_minnorm
from .model import _b_prev, _eps_synth, fitting_gain, noise_gain, rho
from .recursion import a_prev, multiplier_recursion, solve_recursion, u_prev
from .ridge import derive_ridge
from .symbols import beta_i, d, kappa_s, lam, n, sigma2, t, w

__all__ = ["SCHEMES", "SchemeMultipliers", "SchemeDerivation", "derive_schemes",
           "scheme_multipliers", "step_functions", "iterate_multipliers",
           "variance_factor_function",
           "accumulate_step", "dynamic_weight_binet", "trigamma",
           "MEAN_ARGS", "VARIANCE_ARGS", "FACTOR_ARGS", "summation_index",
           "binet", "binet_growth"]

#: the schemes, in the order of :data:`rmtheory.montecarlo.SCHEMES`
SCHEMES = ("mix", "replace", "dynamic", "accumulate")

#: summation index of the closed forms (``j = 1, …, t``)
summation_index = sp.Symbol("j", integer=True, positive=True)
_j = summation_index
_k = sp.Symbol("k", integer=True, positive=True)

#: argument order of every ``mean_map`` (``a_{t−1}`` first; unused ones are ignored)
MEAN_ARGS = (a_prev, d, lam, w, kappa_s, t)
#: argument order of every ``variance_map``
VARIANCE_ARGS = (u_prev, d, lam, w, kappa_s, t)
#: argument order of every ``variance_factor_map`` (``λ = 0``, ``c_t = d u_t``)
FACTOR_ARGS = (c_prev, w, kappa_s, t)


class trigamma(sp.Function):
    r"""``ψ₁(z) = Σ_{k≥0} 1/(z+k)²``, the trigamma function, printable by
    every lambdify module.

    ``polygamma(1, z)`` has no ``math`` translation and a finite ``Sum``
    with a symbolic bound cannot take an ``mpf`` bound; this class is
    ``polygamma(1, z)`` for SymPy (exact at positive integers, ``evalf``,
    ``rewrite(sp.polygamma)``) and carries its own numeric
    implementation ``_imp_``: ``ctx.psi(1, z)`` for mpmath numbers, and
    for floats, ints or NumPy arrays the recurrence
    ``ψ₁(z) = 1/z² + ψ₁(z+1)`` up to ``z ≥ 20`` then the asymptotic series
    (relative error below ``1e-15``).

    Examples
    --------
    >>> import sympy as sp
    >>> from rmtheory.symbolic.schemes import trigamma
    >>> trigamma(3)
    -5/4 + pi**2/6
    >>> round(float(sp.lambdify(sp.Symbol("z"), trigamma(sp.Symbol("z")), "math")(3.0)), 12)
    0.394934066848
    """
    nargs = 1

    @classmethod
    def eval(cls, z):
        if z.is_Integer and z.is_positive:
            return sp.pi**2 / 6 - sum(sp.Rational(1, k**2) for k in range(1, int(z)))
        return None

    def _eval_rewrite_as_polygamma(self, z, **kwargs):
        return sp.polygamma(1, z)

    def _eval_evalf(self, prec):
        return sp.polygamma(1, self.args[0])._eval_evalf(prec)

    def fdiff(self, argindex=1):
        return sp.polygamma(2, self.args[0])

    def _latex(self, printer, exp=None):
        body = rf"\psi_{{1}}\left({printer._print(self.args[0])}\right)"
        return body if exp is None else rf"{body}^{{{exp}}}"

    @staticmethod
    def _imp_(z):
        context = getattr(z, "context", None)
        if context is not None:            # an mpmath number: its own context
            return context.psi(1, z)
        total, x = 0.0, z + 0.0
        for _ in range(20):                # shift to x >= 20; exact for arrays too
            small = (x < 20) * 1.0 if not isinstance(x, float) else float(x < 20)
            total = total + small / x**2
            x = x + small
        inv = 1.0 / x
        inv2 = inv * inv
        series = inv + inv2 / 2 + inv * inv2 * (1 / 6.0 - inv2 * (1 / 30.0 - inv2 * (
            1 / 42.0 - inv2 * (1 / 30.0 - inv2 * 5 / 66.0))))
        return total + series


def dynamic_weight_binet():
    r"""The greedy weight ``w_t = F_{2t+1}/F_{2t+2}`` in a form that stays
    finite in floating point for every ``t``:

    .. math::

        w_t = \frac{\varphi^{-1} + \varphi^{-(4t+3)}}{1 - \varphi^{-(4t+4)}}

    (Binet's ``F_k = (φ^k − (−1/φ)^k)/√5`` divided by ``φ^{2t+2}``).

    Examples
    --------
    >>> import sympy as sp
    >>> from rmtheory.symbolic.schemes import dynamic_weight_binet
    >>> from rmtheory.symbolic.symbols import t
    >>> [sp.nsimplify(sp.radsimp(dynamic_weight_binet().subs(t, k))) for k in range(4)]
    [1, 2/3, 5/8, 13/21]
    """
    phi = sp.GoldenRatio
    return (1 / phi + phi**(-(4 * t + 3))) / (1 - phi**(-(4 * t + 4)))


def accumulate_step(penalty=lam):
    r"""The coordinate ``b_t`` of the accumulate scheme after one refit, as an
    expression in ``b_{t−1}`` and the fresh synthetic noise ``ε̃_t``.

    The fit sees the average label ``ȳ_t = S_t/(t+1)``,
    ``S_t = y_0 + Σ_{j≤t} (Xβ̂_{j−1} + ε̃_j) = S_{t−1} + √(nd) b_{t−1} + ε̃_t``
    on this direction, and ``b_{t−1} = A S_{t−1}/t`` (``A ≠ 0`` on ``d > 0``),
    so ``S_{t−1} = t b_{t−1}/A``:

    .. math::

        b_t = \frac{A}{t+1}\Bigl(\frac{t\,b_{t-1}}{A} + \sqrt{nd}\,b_{t-1}
              + \tilde\varepsilon_t\Bigr).

    Examples
    --------
    >>> import sympy as sp
    >>> from rmtheory.symbolic.schemes import accumulate_step
    >>> from rmtheory.symbolic.model import _b_prev
    >>> sp.factor(sp.diff(accumulate_step(0), _b_prev))
    1
    """
    gain = fitting_gain(penalty)
    previous_sum = t * _b_prev / gain
    current_sum = previous_sum + sp.sqrt(n * d) * _b_prev + _eps_synth
    return gain * current_sum / (t + 1)


def _linear_moments(step, variables):
    """Mean and variance of a linear form in independent variables
    (``variables``: symbol -> (mean, variance)), as in
    :func:`~.model.moments_of_step`."""
    for x in variables:
        if sp.simplify(sp.diff(step, x, 2)) != 0:
            raise AssertionError(f"the step is not linear in {x}")
    mean = step.subs({x: mu for x, (mu, _) in variables.items()})
    var = sum(sp.diff(step, x)**2 * v for x, (_, v) in variables.items())
    return sp.simplify(mean), sp.simplify(var)


def _accumulate_recursion(penalty):
    """``(mean_map, variance_map)`` of accumulate from :func:`accumulate_step`."""
    mu, var = sp.Symbol("mu_prev", real=True), sp.Symbol("V_prev", nonnegative=True)
    mean, variance = _linear_moments(accumulate_step(penalty),
                                     {_b_prev: (mu, var), _eps_synth: (0, kappa_s * sigma2)})
    mean_map = sp.factor(sp.simplify(mean.subs(mu, a_prev * beta_i) / beta_i))
    variance_map = sp.expand(sp.simplify(variance.subs(var, sigma2 / n * u_prev) * n / sigma2))
    variance_map = sp.collect(variance_map, u_prev, sp.factor)
    return mean_map, variance_map


def _variation_of_constants(product, forcing, start):
    r"""``x_t`` solving ``x_t = c_t x_{t−1} + f_t`` from ``x_0``, given
    ``P_t = Π_{k=1}^t c_k`` (``product``) and ``f_t`` (``forcing``):
    ``x_t = P_t (x_0 + Σ_{j=1}^t f_j/P_j)``."""
    summand = sp.gammasimp(sp.simplify(forcing.subs(t, _j) / product.subs(t, _j)))
    if summand == 0:
        return sp.simplify(product * start)
    return product * (start + sp.Sum(summand, (_j, 1, t)))


class SchemeMultipliers(NamedTuple):
    r"""One scheme's per-eigenvalue multipliers at one penalty.

    ``E b_t = a_t(d) β_i``, ``Var b_t = (σ²/n) u_t(d)``; the maps give the
    value at step ``t ≥ 1`` from the one at ``t − 1``.

    Attributes
    ----------
    scheme, penalty
        The scheme's name and the penalty (``λ`` or ``0``).
    weight
        Real-data weight ``w_t`` of step ``t`` (an expression in ``w`` and
        ``t``; ``None`` for accumulate).
    mean_map, variance_map
        ``a_t`` in terms of :data:`MEAN_ARGS`, ``u_t`` in terms of
        :data:`VARIANCE_ARGS` (``w`` is already replaced by ``w_t``).
    a0, u0
        Starting values ``ρ`` and ``d/(d+λ)²``.
    mean_t, variance_t
        Closed forms in ``t`` (``Sum`` over :data:`summation_index` where
        no finite expression exists), or ``None``.
    mean_limit, variance_limit
        ``t → ∞`` per eigenvalue (``oo`` where the variance diverges).
    mean_rate, variance_rate, mean_asymptotic, variance_asymptotic
        Where a limit is ``0``: the exponent ``p`` with ``Θ(t^{−p})`` and the
        leading term in ``t``; else ``None``.
    variance_factor_map, variance_factor_0, variance_factor_t, variance_factor_limit
        Min-norm (``λ = 0``) variance factor ``c_t = d u_t``: map in terms
        of :data:`FACTOR_ARGS`, ``c_0 = 1``, closed form, limit. The same at
        both penalties.
    """
    scheme: str
    penalty: sp.Expr
    weight: object
    mean_map: sp.Expr
    variance_map: sp.Expr
    a0: sp.Expr
    u0: sp.Expr
    mean_t: object
    variance_t: object
    mean_limit: sp.Expr
    variance_limit: sp.Expr
    mean_rate: object
    variance_rate: object
    mean_asymptotic: object
    variance_asymptotic: object
    variance_factor_map: sp.Expr
    variance_factor_0: sp.Expr
    variance_factor_t: sp.Expr
    variance_factor_limit: sp.Expr
    mean_args: tuple = MEAN_ARGS
    variance_args: tuple = VARIANCE_ARGS
    factor_args: tuple = FACTOR_ARGS


class SchemeDerivation(NamedTuple):
    """Every scheme at ``λ > 0`` (``ridge``) and ``λ = 0`` (``minnorm``),
    keyed by scheme name, and the accumulate variance factor with its tail
    written as a trigamma value."""
    ridge: dict
    minnorm: dict
    accumulate_factor_trigamma: sp.Expr    # 1 + κ_s(π²/6 − 1 − ψ₁(t+2))


def _factor_map(variance_map, u0):
    """``c_t = d u_t`` at ``λ = 0`` from the ``λ = 0`` variance map."""
    return sp.expand(sp.simplify(variance_map.subs(u_prev, c_prev * u0) / u0))


def _mixing_maps(penalty, weight):
    """Mean and variance maps of a mixing scheme with weight ``w_t = weight``.

    A constant weight is simplified; a weight that depends on ``t`` is put in
    with :meth:`~sympy.core.basic.Basic.xreplace` only, so the map keeps the
    shape ``ρ(w_t + (1 − w_t) a_{t−1})`` and stays finite in floating point.
    """
    rec = multiplier_recursion(penalty)
    if weight.has(t):
        return (rec.mean_map.xreplace({w: weight}), rec.variance_map.xreplace({w: weight}),
                rec.a0, rec.u0)
    return (sp.simplify(rec.mean_map.subs(w, weight)),
            sp.collect(sp.expand(rec.variance_map.subs(w, weight)), u_prev, sp.factor),
            rec.a0, rec.u0)


#: stands for ``φ^{2t}`` in Binet's formula
binet_growth = sp.Symbol("X", positive=True)


def binet(expr):
    r"""``expr`` with every ``F_{at+b}`` (``a`` even) and every ``φ^{at+b}``
    written through ``X = φ^{2t}`` by Binet's formula
    ``F_k = (φ^k − (−1/φ)^k)/√5``, and ``φ = (1+√5)/2``: Fibonacci identities
    in ``t`` become rational identities in ``X`` that ``simplify`` decides.

    Examples
    --------
    >>> import sympy as sp
    >>> from rmtheory.symbolic.schemes import binet
    >>> from rmtheory.symbolic.symbols import t
    >>> F = sp.fibonacci
    >>> sp.simplify(binet(F(2*t + 2) - F(2*t + 1) - F(2*t)))
    0
    """
    phi = sp.GoldenRatio

    def split(exponent):
        poly = sp.Poly(exponent, t)
        slope = poly.coeff_monomial(t)
        if poly.degree() > 1 or slope % 2 != 0:
            raise ValueError(f"binet needs an index a*t + b with a even, received {exponent}")
        return slope / 2, poly.coeff_monomial(1)

    def fib(arg):
        half, b = split(arg)
        return (phi**b * binet_growth**half
                - (-1)**b * phi**(-b) * binet_growth**(-half)) / sp.sqrt(5)

    def power(e):
        half, b = split(e.exp)
        return phi**b * binet_growth**half

    out = expr.replace(lambda e: isinstance(e, sp.fibonacci) and e.args[0].has(t),
                       lambda e: fib(e.args[0]))
    out = out.replace(lambda e: e.is_Pow and e.base == phi and e.exp.has(t), power)
    return out.subs(phi, (1 + sp.sqrt(5)) / 2)


def _is_identity(expr):
    return sp.simplify(sp.radsimp(sp.together(expr))) == 0


def _fib(k):
    return sp.fibonacci(k)


def _build(scheme, penalty, factors):
    """Everything of one scheme at one penalty (``factors``: the λ = 0 pieces)."""
    rg, mn = derive_ridge(), derive_minnorm()
    r, nu = rho(penalty), sp.simplify(noise_gain(penalty) * n)
    ridge_case = penalty != 0
    mean_rate = variance_rate = mean_asym = variance_asym = None
    if scheme == "mix":
        weight = w
        mean_map, variance_map, a0, u0 = _mixing_maps(penalty, weight)
        if ridge_case:
            mean_t, variance_t = rg.mean_t_geometric, rg.variance_t_geometric
            mean_inf, variance_inf = rg.mean_stationary, rg.variance_stationary
        else:
            mean_t, variance_t = mn.mean_multiplier_t, mn.c_t_kappa_s / d
            mean_inf, variance_inf = sp.Integer(1), mn.c_w_kappa_s / d
    elif scheme == "replace":
        weight = sp.Integer(0)
        mean_map, variance_map, a0, u0 = _mixing_maps(penalty, weight)
        if ridge_case:   # mix at w = 0: its stationary point d w/(d w + λ) → 0
            mean_t = sp.simplify(rg.mean_t_geometric.subs(w, 0))
            variance_t = sp.simplify(rg.variance_t_geometric.subs(w, 0))
            mean_inf = sp.simplify(rg.mean_stationary.subs(w, 0))
            variance_inf = sp.factor(rg.variance_stationary.subs(w, 0))
        else:            # c(w) has a pole at w = 0: solve the w = 0 recursion itself
            mean_t = sp.simplify(solve_recursion(mean_map, a_prev, a0))
            variance_t = sp.simplify(solve_recursion(variance_map, u_prev, u0))
            mean_inf = sp.limit(mean_t, t, sp.oo)
            variance_inf = sp.Piecewise((1 / d, sp.Eq(kappa_s, 0)), (sp.oo, True))
    elif scheme == "dynamic":
        weight = dynamic_weight_binet()
        mean_map, variance_map, a0, u0 = _mixing_maps(penalty, weight)
        # with w_t = F_{2t+1}/F_{2t+2}: ρ(1 − w_t) = ρ F_{2t}/F_{2t+2} telescopes,
        # P_t = Π_{k≤t} ρ(1 − w_k) = ρ^t F_2/F_{2t+2}
        fib_w, fib_q = _fib(2 * t + 1) / _fib(2 * t + 2), _fib(2 * t) / _fib(2 * t + 2)
        product = r**t / _fib(2 * t + 2)
        mean_t = _variation_of_constants(product, r * fib_w, a0)
        variance_t = _variation_of_constants(product**2, (fib_w**2 + kappa_s * fib_q**2) * nu, u0)
        if not ridge_case:   # a_{t-1} = 1 is a fixed point of every λ = 0 mixing map
            mean_t = sp.Integer(1)
        golden = 1 / sp.GoldenRatio      # w_t → 1/φ, the maps converge to mix at 1/φ
        mean_inf = sp.simplify((rg.mean_stationary if ridge_case else sp.Integer(1))
                               .subs(w, golden))
        variance_inf = sp.simplify((rg.variance_stationary if ridge_case
                                    else mn.c_w_kappa_s / d).subs(w, golden))
    elif scheme == "accumulate":
        weight = None
        mean_map, variance_map = _accumulate_recursion(penalty)
        a0, u0 = r, nu
        coefficient = sp.diff(mean_map, a_prev)
        product = sp.gammasimp(sp.product(coefficient.subs(t, _k), (_k, 1, t)).rewrite(sp.gamma))
        mean_t = sp.simplify(product * a0)
        forcing = variance_map.subs(u_prev, 0)
        variance_t = _variation_of_constants(product**2, forcing, u0)
        if ridge_case:
            mean_inf = variance_inf = sp.Integer(0)
            # Γ(t+1+ρ)/Γ(t+2) ~ t^{ρ−1}; Σ_j (Γ(j+1)/Γ(j+1+ρ))² ~ Σ j^{−2ρ}
            mean_rate = sp.simplify(1 - r)
            variance_rate = sp.Min(1, sp.simplify(2 * (1 - r)))
            mean_asym = r * t**(r - 1) / sp.gamma(1 + r)
            tail = sp.Sum((sp.gamma(_j + 1) / sp.gamma(_j + 1 + r))**2, (_j, 1, sp.oo))
            variance_asym = sp.Piecewise(
                (nu * t**(2 * r - 2) * (1 + kappa_s * sp.gamma(1 + r)**2 * tail),
                 sp.StrictGreaterThan(d, lam)),
                (kappa_s * nu * sp.log(t) / t, sp.Eq(d, lam)),
                (sp.factor(kappa_s * nu / (1 - 2 * r)) / t, True))
        else:
            mean_inf = sp.limit(mean_t, t, sp.oo)
            variance_inf = sp.simplify(variance_t.subs(t, sp.oo).doit())
    else:
        raise ValueError(f"scheme must be one of {list(SCHEMES)}, received {scheme!r}")
    factor_map, factor_t, factor_inf = factors[scheme]
    return SchemeMultipliers(
        scheme=scheme, penalty=sp.sympify(penalty), weight=weight,
        mean_map=mean_map, variance_map=variance_map, a0=a0, u0=u0,
        mean_t=mean_t, variance_t=variance_t, mean_limit=mean_inf,
        variance_limit=variance_inf, mean_rate=mean_rate, variance_rate=variance_rate,
        mean_asymptotic=mean_asym, variance_asymptotic=variance_asym,
        variance_factor_map=factor_map, variance_factor_0=sp.Integer(1),
        variance_factor_t=factor_t, variance_factor_limit=factor_inf)


def _dynamic_factor():
    r"""``v_t = F_{2t+1}/F_{2t+2} + (κ_s − 1)(F_{4t+2} − 2t − 1)/(5F_{2t+2}²)``,
    checked to solve the dynamic min-norm recursion (base case and induction
    step, through :func:`binet`).

    With ``1 − w_t = F_{2t}/F_{2t+2}`` the recursion telescopes to
    ``v_t = Σ_{j=0}^t (F_{2j+1}² + κ_s F_{2j}²)/F_{2t+2}²``; the two sums are
    ``Σ_{k=1}^{2t+1} F_k² = F_{2t+1}F_{2t+2}`` and
    ``Σ_{j=1}^t F_{2j}² = (F_{4t+2} − 2t − 1)/5``.
    """
    F = _fib
    closed = F(2 * t + 1) / F(2 * t + 2) + (kappa_s - 1) * (F(4 * t + 2) - 2 * t - 1) / (
        5 * F(2 * t + 2)**2)
    step = derive_minnorm().variance_factor_map.xreplace({w: dynamic_weight_binet()})
    forward = step.subs(t, t + 1).subs(c_prev, closed)
    if closed.subs(t, 0) != 1 or not _is_identity(binet(forward) - binet(closed.subs(t, t + 1))):
        raise ArithmeticError("the dynamic variance factor does not solve its recursion")
    return closed


def _minnorm_factors(minnorm):
    """``(map, closed form, limit)`` of ``c_t = d u_t`` at ``λ = 0`` per scheme."""
    mn = derive_minnorm()
    out = {}
    for scheme, m in minnorm.items():
        if scheme == "dynamic":
            factor_map = mn.variance_factor_map.xreplace({w: m.weight})
        else:
            factor_map = _factor_map(m.variance_map, m.u0)
        if scheme == "mix":
            closed = mn.c_t_kappa_s
        elif scheme == "dynamic":
            closed = _dynamic_factor()
        elif scheme == "accumulate":    # keep 1 + κ_s Σ 1/(j+1)² as a plain sum
            closed = 1 + kappa_s * sp.Sum(1 / (_j + 1)**2, (_j, 1, t))
            if sp.simplify((d * m.variance_t - closed).doit()) != 0:
                raise ArithmeticError("accumulate's min-norm factor is not 1 + κ_s Σ 1/(j+1)²")
        else:
            closed = sp.expand(d * m.variance_t)
        limit = m.variance_limit
        limit = (limit.func(*[(d * e, c) for e, c in limit.args])
                 if isinstance(limit, sp.Piecewise) else sp.factor(sp.radsimp(
                     sp.expand(d * limit, func=True))))
        out[scheme] = (factor_map, closed, limit)
    return out


@disk_cached
def derive_schemes():
    """Derive every scheme's multipliers at ``λ > 0`` and at ``λ = 0``.

    Examples
    --------
    >>> from rmtheory.symbolic.schemes import derive_schemes
    >>> derive_schemes().minnorm["replace"].variance_factor_t
    kappa_s*t + 1
    """
    placeholder = {s: (None, None, None) for s in SCHEMES}
    minnorm = {s: _build(s, 0, placeholder) for s in SCHEMES}
    factors = _minnorm_factors(minnorm)
    minnorm = {s: m._replace(variance_factor_map=factors[s][0],
                             variance_factor_t=factors[s][1],
                             variance_factor_limit=factors[s][2]) for s, m in minnorm.items()}
    ridge = {s: _build(s, lam, factors) for s in SCHEMES}
    m = minnorm["dynamic"]       # rationalised: (√5 − 1)/2 at κ_s = 1
    minnorm["dynamic"] = m._replace(variance_limit=sp.factor(sp.radsimp(
        sp.expand(m.variance_limit, func=True))))
    # Σ_{j=1}^t 1/(j+1)² = Σ_{j≥1} − Σ_{j>t}, and Σ_{j>t} 1/(j+1)² = ψ₁(t+2)
    head = sp.Sum(1 / (_j + 1)**2, (_j, 1, sp.oo)).doit()
    tail = trigamma(t + 2)
    trig = 1 + kappa_s * (head - tail)
    return SchemeDerivation(ridge=ridge, minnorm=minnorm, accumulate_factor_trigamma=trig)


def scheme_multipliers(scheme, penalty=lam):
    r"""Per-eigenvalue mean and variance multipliers of one retraining scheme.

    .. math::

        E\,b_t = a_t(d)\,\beta_i, \qquad \operatorname{Var} b_t = \frac{\sigma^2}{n}\,u_t(d),

    with ``a_t = mean_map(a_{t−1})``, ``u_t = variance_map(u_{t−1})`` for
    ``t ≥ 1`` and ``a_0 = ρ``, ``u_0 = d/(d+λ)²``.

    Parameters
    ----------
    scheme : {"mix", "replace", "dynamic", "accumulate"}
    penalty : sympy.Expr or int
        ``lam`` (the symbol ``λ > 0``, default), ``0`` (pseudo-inverse:
        min-norm or OLS, ``ρ = 1`` on ``d > 0``), or a positive exact
        number, substituted for ``λ``. The limits at ``λ > 0`` and at
        ``λ = 0`` differ (replace, accumulate), so pick ``0`` for ``λ = 0``.

    Returns
    -------
    SchemeMultipliers

    Raises
    ------
    ValueError
        An unknown scheme, or a penalty that is provably negative.
    TypeError
        A penalty that is not a SymPy expression or a number.

    Examples
    --------
    >>> from rmtheory.symbolic.schemes import scheme_multipliers
    >>> acc = scheme_multipliers("accumulate")
    >>> acc.mean_map          # ((t + ρ)/(t + 1)) a_{t-1}
    a_prev*(d*t + d + lambda*t)/((d + lambda)*(t + 1))
    >>> scheme_multipliers("replace").variance_limit
    d*kappa_s/(lambda*(2*d + lambda))
    """
    if not isinstance(scheme, str) or scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {list(SCHEMES)}, received {scheme!r}")
    if isinstance(penalty, bool) or not isinstance(penalty, (int, sp.Basic)):
        if isinstance(penalty, float):
            raise TypeError(f"penalty must be exact (lam, 0 or a SymPy number), received {penalty!r}")
        raise TypeError(f"penalty must be lam, 0 or an exact number, received {penalty!r}")
    penalty = sp.sympify(penalty)
    if penalty.is_negative:
        raise ValueError(f"penalty must be >= 0, received {penalty}")
    derived = derive_schemes()
    if penalty == 0:
        return derived.minnorm[scheme]
    result = derived.ridge[scheme]
    if penalty == lam:
        return result
    if penalty.free_symbols or penalty.is_positive is not True:
        raise ValueError(f"penalty must be lam, 0 or a positive number, received {penalty}")
    return result._make(v.xreplace({lam: penalty}) if isinstance(v, sp.Basic) else v
                        for v in result)


@lru_cache(maxsize=None)
def step_functions(scheme, penalty_is_zero=False, modules="mpmath"):
    """Lambdified ``(mean_step, variance_step, a0, u0)`` of one scheme.

    ``mean_step(a_prev, d, lam, w, kappa_s, t)`` and
    ``variance_step(u_prev, d, lam, w, kappa_s, t)`` give step ``t``;
    ``a0(d, lam)``, ``u0(d, lam)`` the start. Arguments a scheme does not use
    are ignored (pass anything). ``modules`` as in :func:`sympy.lambdify`.

    Examples
    --------
    >>> from rmtheory.symbolic.schemes import step_functions
    >>> mean_step, variance_step, a0, u0 = step_functions("accumulate", True, "math")
    >>> variance_step(u0(2.0, 0.0), 2.0, 0.0, None, 1.0, 1)   # (1 + 1/4)/d
    0.625
    """
    m = scheme_multipliers(scheme, 0 if penalty_is_zero else lam)
    return (sp.lambdify(MEAN_ARGS, m.mean_map, modules),
            sp.lambdify(VARIANCE_ARGS, m.variance_map, modules),
            sp.lambdify((d, lam), m.a0, modules),
            sp.lambdify((d, lam), m.u0, modules))


@lru_cache(maxsize=None)
def variance_factor_function(scheme, modules="mpmath"):
    """Lambdified min-norm variance factor ``c_t(w, κ_s)`` (closed form) of
    one scheme, called as ``f(t, kappa_s)`` (``f(t, kappa_s, w)`` for mix).

    A finite ``Sum`` (accumulate) becomes a Python loop: ``t`` must be an
    ``int`` there.

    Examples
    --------
    >>> from rmtheory.symbolic.schemes import variance_factor_function
    >>> variance_factor_function("accumulate", "math")(1, 1.0)
    1.25
    """
    m = scheme_multipliers(scheme, 0)
    args = (t, kappa_s, w) if scheme == "mix" else (t, kappa_s)
    return sp.lambdify(args, m.variance_factor_t, modules)


def iterate_multipliers(scheme, steps, eigenvalues, *, lam=0, w=None, kappa_s=1,
                        modules="numpy"):
    r"""``[(a_0, u_0), …, (a_T, u_T)]`` by iterating the derived step maps.

    Parameters
    ----------
    scheme : {"mix", "replace", "dynamic", "accumulate"}
    steps : int
        ``T >= 0``.
    eigenvalues : number or array
        Eigenvalues ``d > 0`` of ``XᵀX/n`` (any type ``modules`` accepts).
    lam : number
        Penalty; ``0`` selects the pseudo-inverse maps.
    w : number, optional
        Real-data weight of ``"mix"`` (ignored otherwise).
    kappa_s : number
        Synthetic-noise ratio.

    Examples
    --------
    >>> from rmtheory.symbolic.schemes import iterate_multipliers
    >>> [float(u) for _, u in iterate_multipliers("replace", 3, 1.0, lam=0, modules="math")]
    [1.0, 2.0, 3.0, 4.0]
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, received {steps!r}")
    if scheme == "mix" and w is None:
        raise ValueError("w is required for scheme='mix'")
    mean_step, variance_step, a0, u0 = step_functions(scheme, lam == 0, modules)
    a, u = a0(eigenvalues, lam), u0(eigenvalues, lam)
    out = [(a, u)]
    for step in range(1, steps + 1):
        a = mean_step(a, eigenvalues, lam, w, kappa_s, step)
        u = variance_step(u, eigenvalues, lam, w, kappa_s, step)
        out.append((a, u))
    return out
