"""The exact layer: start from the estimator and the label recursion, iterate
it exactly, and arrive at the known closed forms (typed here; the library
derives them); every registered formula prints and evaluates consistently;
the public helpers check their input."""
import math

import mpmath
import pytest
import sympy as sp

from rmtheory.symbolic import (c_t, c_w, derive_dynamic, derive_isotropic,
                               derive_minnorm, derive_ols, derive_ridge,
                               derive_synthetic_noise, formula, formula_names,
                               greedy_weights, optimal_w_kappa_s)
from rmtheory.symbolic import general
from rmtheory.symbolic.model import _b_prev, _eps_real, _eps_synth, one_step
from rmtheory.symbolic.recursion import a_prev, multiplier_recursion, u_prev
from rmtheory.symbolic.symbols import (d, gamma, kappa_s, lam, m, n, r2,
                                       sigma2, t, w, z)

R = sp.Rational
PHI_INV = (sp.sqrt(5) - 1) / 2


def c_closed(wv, tv, ks=1):
    """Result 1's closed form, typed from the paper."""
    q2 = (1 - wv)**2
    return q2**tv + (wv**2 + ks * q2) * (1 - q2**tv) / (1 - q2)


# -- from the estimator to the recursion ---------------------------------

def test_one_step_moments_by_coefficients():
    """Mean and variance of one refit, read off the coefficients of the
    (linear) step in its random inputs — a different route from
    ``moments_of_step``, which differentiates."""
    mu, V = sp.symbols("mu V", positive=True)
    poly = sp.Poly(sp.expand(one_step(lam)), _b_prev, _eps_real, _eps_synth)
    assert poly.total_degree() == 1
    coeff = {g: poly.coeff_monomial(g) for g in (_b_prev, _eps_real, _eps_synth)}
    constant = poly.coeff_monomial(1)
    mean = constant + coeff[_b_prev] * mu
    var = (coeff[_b_prev]**2 * V + coeff[_eps_real]**2 * sigma2
           + coeff[_eps_synth]**2 * kappa_s * sigma2)
    rec = multiplier_recursion(lam)
    beta_i = [s for s in one_step(lam).free_symbols if s.name == "beta_i"][0]
    rho = d / (d + lam)
    assert sp.simplify(mean - rho * (w * beta_i + (1 - w) * mu)) == 0
    assert sp.simplify(mean.subs(mu, a_prev * beta_i) / beta_i - rec.mean_map) == 0
    assert sp.simplify(var.subs(V, sigma2 / n * u_prev) * n / sigma2 - rec.variance_map) == 0
    assert sp.simplify(rec.a0 - rho) == 0
    assert sp.simplify(rec.u0 - d / (d + lam)**2) == 0


@pytest.mark.parametrize("wv, ks", [(R(1, 2), 1), (R(1, 3), 1), (R(3, 4), 2),
                                    (R(1, 10), R(1, 2)), (1, 1), (R(9, 10), 0)])
def test_minnorm_recursion_iterates_to_closed_form(wv, ks):
    rec = multiplier_recursion(0)
    step = rec.variance_map.subs({w: wv, kappa_s: ks})
    u = rec.u0
    for tv in range(9):
        factor = sp.simplify(u / rec.u0)          # u_t = c_t u_0: d cancels
        assert not factor.has(d)
        assert factor == c_closed(sp.sympify(wv), tv, ks)
        assert c_t(wv, tv, kappa_s=ks) == factor
        derived = derive_minnorm().c_t_kappa_s.subs({w: wv, kappa_s: ks, t: tv})
        assert sp.simplify(derived - factor) == 0
        u = sp.expand(step.subs(u_prev, u))


@pytest.mark.parametrize("wv", [R(1, 2), R(1, 3), R(2, 3), R(1, 10)])
def test_c_t_approaches_c_w_geometrically(wv):
    c_inf = (wv**2 + (1 - wv)**2) / (wv * (2 - wv))
    assert c_w(wv) == c_inf
    for tv in range(6):
        assert c_t(wv, tv) - c_inf == (1 - c_inf) * (1 - wv)**(2 * tv)
    increments = [c_t(wv, tv) - c_t(wv, tv - 1) for tv in range(1, 6)]
    decreasing = R(1, 3) < wv < 1
    assert all((inc < 0) == decreasing for inc in increments)
    assert all((inc == 0) == (wv == R(1, 3)) for inc in increments)


def test_minnorm_closed_forms():
    mn = derive_minnorm()
    assert sp.simplify(mn.c_w - (w**2 + (1 - w)**2) / (w * (2 - w))) == 0
    assert sp.simplify(mn.c_w_kappa_s - (w**2 + kappa_s * (1 - w)**2) / (w * (2 - w))) == 0
    assert sp.simplify(mn.w_star - PHI_INV) == 0
    assert sp.simplify(mn.w_star - 1 / sp.GoldenRatio) == 0
    assert sp.simplify(mn.c_at_w_star - PHI_INV) == 0
    assert sp.expand(mn.dc_dw_numerator - 2 * (w**2 + w - 1)) == 0
    assert mn.decreasing_set == sp.Interval.open(R(1, 3), 1)
    assert sp.expand(mn.increment_ratio - (w - 1) * (3 * w - 1)) == 0
    assert mn.second_derivative_at_w_star.is_positive
    assert mn.mean_multiplier_t == 1
    assert mn.c_t_at_zero == 1 + t


@pytest.mark.parametrize("ks", [1, 2, R(1, 3)])
def test_pure_synthetic_collapse(ks):
    step = derive_minnorm().variance_factor_map.subs({w: 0, kappa_s: ks})
    c_prev = [s for s in step.free_symbols][0]
    value = sp.Integer(1)
    for tv in range(8):
        assert value == 1 + tv * ks == c_t(0, tv, kappa_s=ks)
        value = step.subs(c_prev, value)


@pytest.mark.parametrize("dv, lv, wv, ks", [(R(3, 2), R(1, 2), R(1, 2), 1),
                                            (R(1, 4), 2, R(2, 3), R(5, 2)),
                                            (5, R(1, 10), 1, 1)])
def test_ridge_recursion_iterates_to_geometric_forms(dv, lv, wv, ks):
    dv, lv, wv, ks = map(sp.sympify, (dv, lv, wv, ks))
    point = {d: dv, lam: lv, w: wv, kappa_s: ks}
    rec = multiplier_recursion(lam)
    rho = dv / (dv + lv)
    a_inf = dv / (dv + lv / wv)
    c = (wv**2 + ks * (1 - wv)**2) / (wv * (2 - wv))
    u_inf = c * dv / ((dv + lv / wv) * (dv + lv / (2 - wv)))
    u0 = dv / (dv + lv)**2
    a, u = rec.a0.subs(point), rec.u0.subs(point)
    mean_t = formula("ridge_mean_multiplier_t").rhs
    var_t = formula("ridge_variance_multiplier_t").rhs
    for tv in range(9):
        contraction = ((1 - wv) * rho)**tv
        assert a == a_inf + (rho - a_inf) * contraction
        assert u == u_inf + (u0 - u_inf) * contraction**2
        assert sp.simplify(mean_t.subs({**point, t: tv}) - a) == 0
        assert sp.simplify(var_t.subs({**point, t: tv}) - u) == 0
        a = rec.mean_map.subs(point).subs(a_prev, a)
        u = rec.variance_map.subs(point).subs(u_prev, u)
    assert sp.simplify(formula("ridge_mean_multiplier").rhs.subs(point) - a_inf) == 0
    assert sp.simplify(formula("ridge_variance_multiplier").rhs.subs(point) - u_inf) == 0


def test_ridge_limits():
    rg = derive_ridge()
    c = (w**2 + (1 - w)**2) / (w * (2 - w))
    assert sp.simplify(rg.mean_stationary - d / (d + lam / w)) == 0
    assert sp.simplify(rg.variance_stationary_kappa_s1
                       - c * d / ((d + lam / w) * (d + lam / (2 - w)))) == 0
    assert sp.simplify(rg.variance_multiplier_at_w1 - d / (d + lam)**2) == 0
    assert sp.simplify(rg.variance_multiplier_lam0 - c / d) == 0


def test_synthetic_noise_minimiser():
    sn = derive_synthetic_noise()
    K = sp.Symbol("K", positive=True)
    w_star = sn.w_star.subs(kappa_s, K)
    assert sp.simplify(w_star - (sp.sqrt(K**2 + 4 * K) - K) / 2) == 0
    for ks in (R(1, 2), 1, 4, 9):
        ws = optimal_w_kappa_s(ks)
        assert sp.simplify(c_w(ws, kappa_s=ks) - ws) == 0
        slope = sp.diff(derive_minnorm().c_w_kappa_s.subs(kappa_s, ks), w)
        assert sp.simplify(slope.subs(w, ws)) == 0
    assert sp.simplify(optimal_w_kappa_s(1) - PHI_INV) == 0
    assert optimal_w_kappa_s(R(1, 2)) == R(1, 2)


def test_dynamic_weights_from_the_derived_map():
    dy = derive_dynamic()
    assert sp.simplify(dy.weight_map - (1 + w) / (2 + w)) == 0
    weights = [sp.Integer(1)]
    for _ in range(30):
        weights.append(sp.cancel(dy.weight_map.subs(w, weights[-1])))
    assert weights == [sp.fibonacci(2 * k + 1) / sp.fibonacci(2 * k + 2) for k in range(31)]
    assert greedy_weights(10) == weights[:11]
    assert sp.simplify(dy.binet_limit - PHI_INV) == 0


def test_greedy_weights_are_exact_fibonacci_ratios_up_to_30():
    assert greedy_weights(30) == [sp.fibonacci(2 * k + 1) / sp.fibonacci(2 * k + 2)
                                  for k in range(31)]


def test_c_w_is_exact_near_the_golden_ratio():
    wv = R(309017, 500000)
    assert c_w(wv) == (wv**2 + (1 - wv)**2) / (wv * (2 - wv))


def test_isotropic_kappa_and_stieltjes_solve_their_equations():
    iso = derive_isotropic()
    x = [s for s in iso.m_negative_axis.free_symbols if s.name == "x"][0]
    for gv, lv in [(2, 1), (R(1, 2), R(3, 10)), (R(7, 3), R(1, 100))]:
        k = iso.kappa.subs({gamma: gv, lam: lv})
        assert sp.simplify(k * (1 - gv / (1 + k)) - lv) == 0      # λ = κ(1 − γ I_1)
        assert k.is_positive
        mv = iso.m_negative_axis.subs({gamma: gv, x: lv})
        # m = ∫ dH(s)/(s(1 − γ − γzm) − z) at s = 1, z = −λ
        silverstein = 1 / (1 - gv - gv * (-lv) * mv + lv)
        assert sp.simplify(mv - silverstein) == 0
        assert sp.simplify(1 / (gv * mv + (1 - gv) / lv) - k) == 0   # κ = 1/v(−λ)
    assert sp.simplify(iso.minnorm_bias - r2 * (1 - 1 / gamma)) == 0
    assert sp.simplify(iso.minnorm_variance_factor - 1 / (gamma - 1)) == 0
    slope = 2 * gamma * (2 * sp.sqrt(5) - 5) / (5 * (gamma - 1)**2)
    assert sp.simplify(iso.w_star_slope - slope) == 0


def test_ols_regime():
    ols = derive_ols()
    assert ols.kappa_0 == 0
    assert ols.df2_at_0 == gamma
    c = (w**2 + (1 - w)**2) / (w * (2 - w))
    assert sp.simplify(ols.risk - c * sigma2 * gamma / (1 - gamma)) == 0
    assert sp.simplify(ols.w_star - PHI_INV) == 0


# -- every registered formula --------------------------------------------

SAMPLE = {"w": R(3, 5), "t": 3, "kappa_s": R(3, 2), "B_0": R(1, 2), "V_0": 2,
          "w_{t-1}": R(2, 3), "d": R(13, 10), "lambda": R(7, 10), "kappa": R(9, 10),
          "gamma": R(5, 2), "I_1": R(1, 3), "I_2": R(1, 4), "J": R(1, 5), "m": R(1, 2),
          "r^2": R(6, 5), "sigma^2": R(4, 5), "z": R(-3, 4), "x": 2, "m_1": R(2, 5),
          "m_2": R(3, 10)}


def _evaluable(f):
    return (f.rhs.free_symbols <= set(f.args)
            and not f.rhs.atoms(sp.core.function.AppliedUndef)
            and not f.rhs.has(sp.Order, sp.Integral))


def _flat(value):
    return list(value) if isinstance(value, (tuple, list, sp.Tuple)) else [value]


@pytest.mark.parametrize("name", formula_names())
def test_formula_prints(name):
    f = formula(name)
    latex = f.latex()
    assert isinstance(latex, str) and latex.startswith(f.lhs)
    assert f._repr_latex_() == f"$\\displaystyle {latex}$"
    assert latex.count("{") == latex.count("}")
    assert name in str(f)
    assert f.label == "eq:" + name


@pytest.mark.parametrize("name", [n for n in formula_names() if _evaluable(formula(n))])
def test_formula_lambdify_agrees_with_subs(name):
    f = formula(name)
    values = [SAMPLE[a.name] for a in f.args]
    expected = [sp.N(e, 40) for e in _flat(f.rhs.subs(dict(zip(f.args, values))))]
    with mpmath.workdps(40):
        got = _flat(f.lambdify("mpmath")(*[mpmath.mpf(v.p) / v.q if isinstance(v, sp.Rational)
                                           else mpmath.mpf(v) for v in values]))
        for g, e in zip(got, expected, strict=True):
            assert abs(mpmath.mpf(g) - mpmath.mpf(str(e))) <= mpmath.mpf(10)**-30 * max(1, abs(e))
    floats = _flat(f(*[float(v) if not isinstance(v, int) else v for v in values]))
    for g, e in zip(floats, expected, strict=True):
        assert math.isclose(float(g), float(e), rel_tol=1e-12, abs_tol=1e-14)


def test_most_formulas_are_evaluable():
    evaluable = [n for n in formula_names() if _evaluable(formula(n))]
    assert len(evaluable) >= 25
    assert {"mixed_risk", "stieltjes_equation", "w_star_series"}.isdisjoint(evaluable)


def test_formulas_carry_the_derived_closed_forms():
    assert sp.simplify(formula("c_w").rhs.doit() - (w**2 + (1 - w)**2) / (w * (2 - w))) == 0
    assert sp.simplify(formula("w_star_minnorm").rhs - PHI_INV) == 0
    edges = formula("mp_edges").rhs
    assert sp.simplify(edges[0] - (1 - sp.sqrt(gamma))**2) == 0
    assert sp.simplify(edges[1] - (1 + sp.sqrt(gamma))**2) == 0
    assert sp.simplify(formula("kappa_from_stieltjes").rhs
                       - 1 / (gamma * m + (1 - gamma) / lam)) == 0
    assert formula("df2").rhs == general.df2
    iso_k = formula("isotropic_kappa").rhs
    assert sp.simplify(iso_k - (gamma + lam - 1 + sp.sqrt((gamma + lam - 1)**2 + 4 * lam)) / 2) == 0
    mp = formula("mp_stieltjes").rhs
    assert sp.simplify(gamma * z * mp**2 - (1 - gamma - z) * mp + 1) == 0


# -- input checks of the public helpers -----------------------------------

HELPERS = {"c_w": c_w, "c_t": c_t, "optimal_w_kappa_s": optimal_w_kappa_s}
BAD_INPUT = [
    ("c_w", (0,), {}, ValueError, "w"),
    ("c_w", (-0.1,), {}, ValueError, "w"),
    ("c_w", (1.5,), {}, ValueError, "w"),
    ("c_w", (R(3, 2),), {}, ValueError, "w"),
    ("c_w", (float("nan"),), {}, ValueError, "w"),
    ("c_w", (math.inf,), {}, ValueError, "w"),
    ("c_w", (sp.I,), {}, ValueError, "w"),
    ("c_w", (sp.Symbol("y", negative=True),), {}, ValueError, "w"),
    ("c_w", (None,), {}, TypeError, "w"),
    ("c_w", ([0.5],), {}, TypeError, "w"),
    ("c_w", (0.5,), {"kappa_s": -1}, ValueError, "kappa_s"),
    ("c_t", (1.5, 2), {}, ValueError, "w"),
    ("c_t", (-0.5, 2), {}, ValueError, "w"),
    ("c_t", (0.5, -1), {}, ValueError, "t"),
    ("c_t", (0.5, 1.5), {}, TypeError, "t"),
    ("c_t", (0.5, True), {}, TypeError, "t"),
    ("c_t", (0.5, "2"), {}, TypeError, "t"),
    ("c_t", (0.5, 2), {"kappa_s": -1}, ValueError, "kappa_s"),
    ("optimal_w_kappa_s", (0,), {}, ValueError, "kappa_s"),
    ("optimal_w_kappa_s", (-1,), {}, ValueError, "kappa_s"),
    ("optimal_w_kappa_s", (None,), {}, TypeError, "kappa_s"),
    ("optimal_w_kappa_s", (sp.I,), {}, ValueError, "kappa_s"),
]


def _call_id(name, args, kwargs):
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(shown)})"


@pytest.mark.parametrize("name, args, kwargs, error, argument", BAD_INPUT,
                         ids=[_call_id(*case[:3]) for case in BAD_INPUT])
def test_bad_input_names_the_argument(name, args, kwargs, error, argument):
    with pytest.raises(error, match=rf"^{argument} must"):
        HELPERS[name](*args, **kwargs)


BOOL_AND_STR = [
    ("c_w", (True,), {}, "w"),
    ("c_w", ("0.5",), {}, "w"),
    ("c_w", (0.5,), {"kappa_s": True}, "kappa_s"),
    ("c_t", (True, 2), {}, "w"),
    ("c_t", ("0.5", 2), {}, "w"),
    ("optimal_w_kappa_s", (True,), {}, "kappa_s"),
    ("optimal_w_kappa_s", ("1",), {}, "kappa_s"),
]


@pytest.mark.parametrize("name, args, kwargs, argument", BOOL_AND_STR,
                         ids=[_call_id(*case[:3]) for case in BOOL_AND_STR])
def test_bool_and_str_are_type_errors_naming_the_argument(name, args, kwargs, argument):
    # checked before any sympify: True is not 1, and a string is never parsed
    with pytest.raises(TypeError, match=rf"^{argument} must"):
        HELPERS[name](*args, **kwargs)


def test_helpers_accept_symbols_and_exact_values():
    y = sp.Symbol("y", positive=True)
    assert sp.simplify(c_w(y) - (y**2 + (1 - y)**2) / (y * (2 - y))) == 0
    assert c_w(R(1, 2)) == R(2, 3)
    assert c_t(R(1, 2), 2) == R(11, 16)
    assert c_t(0, 5) == 6
