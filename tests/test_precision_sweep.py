"""Precision sweep (issue 6): every spectrum model, ``dps = 15, 30, 60, 100``.

``limiting_risk`` (at one ``w``) and ``optimal_w`` (ridge, interior optimum)
are evaluated at each ``dps``; every result must agree with the next one
to the ``dps − 5`` significant digits it claims (SPEC §4). A chain of
agreements alone would also pass if every ``dps`` returned the same
double-precision number, so the top of the chain (``dps = 100``) is
anchored to a reference computed here at 125 digits, independently of the
numeric layer:

* ``isotropic``: the closed form ``formula("isotropic_risk")`` and the root
  of its ``w``-derivative (SymPy);
* ``equicorrelated`` (``Σ = cI``): the same closed form through the exact
  scaling ``R(w, λ; r²) = R_iso(w, λ/c; c r²)`` (``X = √c Z``: ``√c β̂``
  is the isotropic estimator at ``λ/c`` for the signal ``√c β``);
* every model: ``κ`` by Newton's method on the fixed-point equation, with
  the integrals against ``H`` and ``G`` summed over the atoms of the model
  definition or taken by ``mp.quad`` (``ar1``: over the angle; ``uniform``:
  over ``[a, b]``), fed into the symbolic layer's bias, variance and
  ``w``-slope expressions.
"""
from functools import lru_cache

import pytest
import sympy as sp
from mpmath import mp

import rmtheory as rt
from rmtheory.numeric import SPECTRUM_DEFAULTS, SPECTRUM_NAMES
from rmtheory.numeric.compiled import expressions
from rmtheory.symbolic import formula, general
from rmtheory.symbolic.symbols import kappa as kappa_symbol
from rmtheory.symbolic.symbols import s as s_symbol, w as w_symbol

DPS = (15, 30, 60, 100)
#: ridge with an interior optimum (w* ≈ 0.63 for every default model)
GAMMA, LAM, W = 2.0, 0.5, 0.7
#: digits of the independent references for the dps = 100 results
REFERENCE_DPS = 125


def digits(a, b):
    """Agreeing significant digits of ``a`` and the reference ``b``."""
    gap = abs(a - b)
    return mp.inf if gap == 0 else -mp.log10(gap / abs(b))


def total(res):
    """``res.total`` at the result's precision (the property adds bias and
    variance at the ambient precision)."""
    with mp.workdps(res.params["dps"] + 10):
        return res.total


def agrees_to_claimed_digits(low, high, dps):
    """``low`` (returned at ``dps``) is within ``10^−(dps−5)`` of ``high``."""
    with mp.workdps(max(DPS) + 20):
        return abs(low - high) <= mp.mpf(10)**(5 - dps) * abs(high)


# --------------------------------------------------------------------------
# the sweep
# --------------------------------------------------------------------------

# cached: the reference test below re-checks the dps = 100 results
@lru_cache(maxsize=None)
def risk_at(name, dps):
    return rt.limiting_risk(W, name, gamma=GAMMA, lam=LAM, dps=dps)


@lru_cache(maxsize=None)
def optimum_at(name, dps):
    return rt.optimal_w(name, gamma=GAMMA, lam=LAM, dps=dps)


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_limiting_risk_agrees_across_the_dps_sweep(name):
    results = [risk_at(name, dps) for dps in DPS]
    for res, dps in zip(results, DPS):
        assert res.params["dps"] == dps and res.bias > 0 and res.variance > 0
    for (low, dps), high in zip(zip(results, DPS), results[1:]):
        for part in ("bias", "variance"):
            assert agrees_to_claimed_digits(getattr(low, part), getattr(high, part), dps), \
                (part, dps)
        assert agrees_to_claimed_digits(total(low), total(high), dps), dps
    # the digits are really there: the dps = 100 value is not a rounded float
    assert results[-1].bias != results[0].bias and results[-1].variance != results[0].variance


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_optimal_w_agrees_across_the_dps_sweep(name):
    results = [optimum_at(name, dps) for dps in DPS]
    for res in results:
        assert not res.on_boundary and 0.5 < res.w < 1
    for (low, dps), high in zip(zip(results, DPS), results[1:]):
        assert agrees_to_claimed_digits(low.w, high.w, dps), dps
        assert agrees_to_claimed_digits(total(low.risk), total(high.risk), dps), dps
    assert results[-1].w != results[0].w


# --------------------------------------------------------------------------
# independent references for the top of the chain
# --------------------------------------------------------------------------

def _mpf(x):
    return mp.mpf(repr(x)) if isinstance(x, float) else mp.mpf(x)


def _measures(name):
    """``(H, G)`` of the default model: lists of atoms ``[(s, weight)]``, or
    a callable ``f ↦ ∫ f`` for a continuous law."""
    d = SPECTRUM_DEFAULTS[name]
    if name == "isotropic":
        return [(1, 1)], [(1, 1)]
    if name in ("discrete", "random_effects"):
        H = [(_mpf(s), _mpf(h)) for s, h in zip(d["eigs"], d["weights"])]
        return H, H
    if name == "spiked":
        alpha = [_mpf(a) for a in d["alignments"]]
        G = [(mp.one, 1 - mp.fsum(alpha))] + [(1 + _mpf(t), a)
                                              for t, a in zip(d["spikes"], alpha)]
        return [(1, 1)], G
    if name == "equicorrelated":
        H = [(1 - _mpf(d["rho"]), 1)]
        return H, H
    if name == "ar1":
        rho = _mpf(d["rho"])

        def law(f):   # H = law of (1−ρ²)/(1 − 2ρ cos θ + ρ²), θ ~ U(0, π)
            return mp.quad(lambda t: f((1 - rho**2) / (1 - 2 * rho * mp.cos(t) + rho**2)),
                           [0, mp.pi]) / mp.pi
        return law, law
    a, b = _mpf(d["a"]), _mpf(d["b"])

    def uniform(f):
        return mp.quad(f, [a, b]) / (b - a)
    return uniform, uniform


class Reference:
    """Stationary risk and its ``w``-slope for a default model, at the
    working precision, without the numeric layer's solvers or quadrature.

    Integrands and formulas are the symbolic layer's (lambdified here or
    by :func:`rmtheory.numeric.compiled.expressions`); only the integrals
    and the root ``κ`` are computed differently.
    """

    def __init__(self, name, gamma=GAMMA, r2=1, sigma2=1):
        self.H, self.G = _measures(name)
        self.gamma, self.r2, self.sigma2 = _mpf(gamma), r2, sigma2
        args = (s_symbol, kappa_symbol)
        fp = general.fixed_point_integrand
        self.i1 = sp.lambdify(args, fp, "mpmath")
        self.di1 = sp.lambdify(args, sp.diff(fp, kappa_symbol), "mpmath")
        self.e = expressions()

    @staticmethod
    def _integrate(measure, f):
        if callable(measure):
            return measure(f)
        return mp.fsum(h * f(mp.mpf(s)) for s, h in measure)

    def kappa(self, x):
        """``κ(x)``: the root of ``κ(1 − γI₁(κ)) = x``, from a 15-digit bracketed
        solve polished by Newton at the working precision."""
        fixed_point = formula("kappa_fixed_point").lambdify("mpmath")
        g = self.gamma

        def equation(k):
            return fixed_point(k, g, self._integrate(self.H, lambda s: self.i1(s, k))) - x
        with mp.workdps(15):
            mean = self._integrate(self.H, lambda s: s)
            k = mp.findroot(equation, (+x, x + g * mean), solver="anderson")
        for _ in range(12):
            i1 = self._integrate(self.H, lambda s: self.i1(s, k))
            di1 = self._integrate(self.H, lambda s: self.di1(s, k))
            step = (fixed_point(k, g, i1) - x) / (1 - g * i1 - g * k * di1)
            k -= step
            if abs(step) < mp.eps * abs(k) * 16:
                return k
        raise AssertionError("reference Newton iteration for kappa did not converge")

    def penalty(self, x):
        """``(κ, κ', B, B')`` at the penalty ``x``."""
        e, g = self.e, self.gamma
        k = self.kappa(x)
        I2 = self._integrate(self.H, lambda s: e.df2_integrand(s, k))
        J = self._integrate(self.G, lambda s: e.bias_integrand(s, k))
        J_k = self._integrate(self.G, lambda s: e.bias_integrand_dkappa(s, k))
        I2_k = self._integrate(self.H, lambda s: e.df2_integrand_dkappa(s, k))
        kp = e.kappa_prime(g, I2)
        return (k, kp, e.ridge_bias(k, self.r2, g, J, I2),
                e.ridge_bias_derivative(k, self.r2, g, J, I2, J_k, I2_k, kp))

    def _args(self, w, lam):
        k_a, kp_a, B_a, Bp_a = self.penalty(lam / w)
        k_b, kp_b, _, _ = self.penalty(lam / (2 - w))
        return (w, lam, self.sigma2, 1, k_a, k_b, B_a, Bp_a, kp_a, kp_b)

    def risk(self, w, lam):
        """``(bias, variance)`` of ``R_∞(w, λ)``, ``0 < w < 1``, ``κ_s = 1``."""
        args = self._args(w, lam)
        return args[6], self.e.variance(*args)

    def slope(self, w, lam):
        """``∂R_∞/∂w``."""
        return self.e.dtotal_dw(*self._args(w, lam))


def _isotropic_risk(scale=1):
    """``R(w)`` at ``λ = LAM`` for ``Σ = scale·I`` from the isotropic closed
    form, and its ``w``-derivative (SymPy), as mpmath callables."""
    f = formula("isotropic_risk")
    c = sp.Rational(scale).limit_denominator(10**6)
    rhs = f.rhs.subs(dict(zip(f.args[1:], (sp.Rational(LAM) / c, sp.Rational(GAMMA), c, 1))))
    return (sp.lambdify(w_symbol, rhs, "mpmath"),
            sp.lambdify(w_symbol, sp.diff(rhs, w_symbol), "mpmath"))


@pytest.mark.parametrize("name", SPECTRUM_NAMES)
def test_top_of_the_sweep_against_an_independent_reference(name):
    """``dps = 100``: ``limiting_risk`` against the quadrature/Newton
    reference (and the closed form where there is one), ``optimal_w``
    against one Newton step of the reference slope from it."""
    res, opt = risk_at(name, max(DPS)), optimum_at(name, max(DPS))
    ref = Reference(name)
    with mp.workdps(REFERENCE_DPS):
        w, lam = _mpf(W), _mpf(LAM)
        bias, variance = ref.risk(w, lam)
        assert digits(res.bias, bias) >= 95 and digits(res.variance, variance) >= 95
        # w* − (slope/slope')(w*) is the root to O(error²): the step is the error
        h = mp.mpf(10)**-40
        slope = ref.slope(opt.w, lam)
        curvature = (ref.slope(opt.w + h, lam) - slope) / h
        assert curvature > 0 and abs(slope / curvature) <= mp.mpf(10)**-95 * opt.w
        if name in ("isotropic", "equicorrelated"):
            scale = 1 if name == "isotropic" else 1 - SPECTRUM_DEFAULTS[name]["rho"]
            risk_closed, slope_closed = _isotropic_risk(scale)
            assert digits(total(res), risk_closed(w)) >= 95
            assert digits(opt.w, mp.findroot(slope_closed, opt.w)) >= 95
