"""Fixed points and Stieltjes transforms of the limit theory.

References:

* isotropic closed forms derived by :mod:`rmtheory.symbolic`
  (``isotropic_kappa``, ``mp_stieltjes``, ``mp_density``, ``mp_edges``,
  ``mp_atom``), compared with the general route (the same ``H = δ₁`` given
  as atoms, without closed forms) to 40 digits at ``dps = 50``;
* exact identities: ``κ(λ) = 1/v(−λ)`` (two independent solvers),
  ``κ' = 1/(1 − df₂)`` against numerical differentiation, the density
  integrating to ``1 − atom``, the Stieltjes transform of the density,
  ``|m(z)| ≤ 1/Im z`` and ``m(z̄) = conj m(z)``;
* independent quadrature (``mp.quad`` over ``θ``) and the closed-form
  ``∫ s/(s+κ) dU[a, b]`` for continuous ``H``.
"""
import copy
import math

from fractions import Fraction

import numpy as np
import pytest
from mpmath import mp

from conftest import counting_newton

import rmtheory.symbolic as rs
from rmtheory.numeric import (SPECTRUM_NAMES, NoConvergence, Spectrum, atom_at_zero,
                              bias_integral, df2, kappa_prime, make_spectrum, solve_kappa,
                              solve_stieltjes, spectral_density, support_edges)
from rmtheory.numeric import fixed_point

MANY = {"eigs": (1, 10, 100), "weights": (0.5, 0.3, 0.2)}
#: number of intervals of the support for the three-cluster H
MANY_INTERVALS = {0.05: 3, 0.5: 3, 2: 2, 20: 1}


@pytest.fixture(scope="module")
def many():
    """Three well separated clusters: the hard case for plain Newton."""
    return make_spectrum("discrete", **MANY)


@pytest.fixture(scope="module")
def general_iso():
    """``H = δ₁`` without closed forms: forces the general route."""
    spec = Spectrum.from_atoms([1], [1])
    assert spec.closed_forms is None
    return spec


@pytest.fixture(params=SPECTRUM_NAMES)
def every_spectrum(request):
    return make_spectrum(request.param)


def digits(a, b):
    """Number of agreeing significant digits."""
    err = abs(a - b) / max(abs(b), mp.mpf(10)**(-mp.dps))
    return math.inf if err == 0 else float(-mp.log10(err))


def general(z, spec, gamma):
    """``(m, v)`` by continuation only (no closed form, no κ shortcut)."""
    # mp.mpf(repr(x)): a float argument means its shortest decimal, as in the library
    gamma = mp.mpf(repr(gamma)) if isinstance(gamma, float) else mp.mpf(gamma)
    return fixed_point._stieltjes(mp.mpc(z), spec, gamma, general=True)


def mp_physical_root(z, gamma):
    """The physical root of the Marchenko–Pastur quadratic (``Im m > 0``, or
    ``m > 0`` on the negative axis), from the symbolic closed form and its
    Vieta partner."""
    m1 = rs.formula("mp_stieltjes").lambdify()(z, gamma)
    m2 = 1 / (gamma * z * m1)                     # product of the roots: 1/(γz)
    if z.imag == 0:
        return m1 if m1.real > 0 else m2
    return m1 if m1.imag > 0 else m2


# --------------------------------------------------------------------------
# isotropic: closed forms of the symbolic layer vs the general route
# --------------------------------------------------------------------------

def test_isotropic_exact_values():
    with mp.workdps(40):
        assert digits(solve_kappa(1, "isotropic", 2), 1 + mp.sqrt(2)) > 39
        assert solve_kappa(0, "isotropic", 2) == 1                    # κ₀ = γ − 1
        assert solve_kappa(0, "isotropic", 0.5) == 0
        assert df2(1, "isotropic", 2) == mp.mpf(1) / 2               # γ/(1+κ)²
        assert kappa_prime(0, "isotropic", 0.25) == mp.mpf(4) / 3     # 1/(1 − γ)
        assert kappa_prime(0, "isotropic", 1) == mp.inf
        assert support_edges("isotropic", 4) == [(1, 9)]


@pytest.mark.parametrize("gamma", [0.25, 1, 4])
def test_isotropic_kappa_closed_form_equals_general_route(gamma, general_iso):
    closed = rs.formula("isotropic_kappa").lambdify()
    with mp.workdps(50):
        for lam in (mp.mpf("1e-6"), mp.mpf(1) / 2, mp.mpf(30)):
            fast = solve_kappa(lam, "isotropic", gamma)
            slow = solve_kappa(lam, general_iso, gamma)
            with mp.workdps(80):
                reference = closed(lam, gamma)
            assert digits(fast, slow) >= 40
            assert digits(fast, reference) >= 40
        if gamma > 1:
            assert digits(solve_kappa(0, general_iso, gamma), gamma - 1) >= 40


@pytest.mark.parametrize("gamma", [0.25, 1, 4])
def test_isotropic_stieltjes_closed_form_equals_general_route(gamma, general_iso):
    lo, hi = rs.formula("mp_edges").lambdify()(gamma)
    with mp.workdps(50):
        points = [mp.mpc("0.3", "0.2"), mp.mpc(2, "1e-8"), mp.mpc(-3), mp.mpc(hi + 5),
                  mp.mpc((lo + hi) / 2)]
        for z in points:
            fast = solve_stieltjes(z, "isotropic", gamma)
            slow = general(z, general_iso, gamma)[0]
            assert digits(fast, slow) >= 40
            if z.imag > 0 or z.real < 0:
                with mp.workdps(80):
                    reference = mp_physical_root(mp.mpc(z), gamma)
                assert digits(fast, reference) >= 40


@pytest.mark.parametrize("gamma", [0.25, 1, 4])
def test_isotropic_density_and_edges_against_the_symbolic_layer(gamma, general_iso):
    density = rs.formula("mp_density").lambdify()
    edges = rs.formula("mp_edges").lambdify()
    with mp.workdps(50):
        lo, hi = edges(gamma)
        assert [(digits(a, b) >= 40 or b == 0) for a, b in
                zip(support_edges(general_iso, gamma)[0], (lo, hi))] == [True, True]
        for t in (mp.mpf("0.01"), mp.mpf("0.5"), mp.mpf("0.97")):
            x = lo + t * (hi - lo)
            assert digits(spectral_density(x, general_iso, gamma), density(x, gamma)) >= 40
            assert digits(spectral_density(x, "isotropic", gamma), density(x, gamma)) >= 40
        assert spectral_density(hi * mp.mpf("1.01"), general_iso, gamma) == 0
    assert atom_at_zero(gamma) == max(0, rs.formula("mp_atom").lambdify()(gamma))


def test_single_atom_models_scale_the_closed_forms():
    """``H = δ_c``: ``κ_c(λ) = c κ₁(λ/c)`` and ``m_c(z) = m₁(z/c)/c``."""
    with mp.workdps(50):
        c = mp.mpf(3) / 4
        eq = make_spectrum("equicorrelated", rho=0.25)
        atoms = Spectrum.from_atoms([0.75], [1])
        for lam in (mp.mpf("0.01"), mp.mpf(2)):
            ref = c * solve_kappa(lam / c, "isotropic", 3)
            assert digits(solve_kappa(lam, eq, 3), ref) >= 45
            assert digits(solve_kappa(lam, atoms, 3), ref) >= 45
        z = mp.mpc(1, "0.5")
        ref = solve_stieltjes(z / c, "isotropic", 3) / c
        assert digits(solve_stieltjes(z, eq, 3), ref) >= 45
        assert digits(general(z, atoms, 3)[0], ref) >= 45
        assert digits(support_edges(eq, 3)[0][1], c * (1 + mp.sqrt(3))**2) >= 45


def test_closed_form_cancellation_is_repaired_by_the_general_check(general_iso):
    """For γ < 1 and tiny λ the closed form for κ cancels catastrophically;
    the verified Newton polish restores every digit."""
    with mp.workdps(30):
        lam = mp.mpf("1e-40")
        kappa = solve_kappa(lam, "isotropic", 0.5)
        assert digits(kappa, solve_kappa(lam, general_iso, 0.5)) >= 28
        assert digits(kappa, 2 * lam) >= 28                  # κ = λ/(1−γ) + O(λ²)


# --------------------------------------------------------------------------
# κ(λ)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("gamma", [0.05, 0.5, 2, 20])
def test_kappa_solves_its_equation_and_matches_one_over_v(gamma, many):
    with mp.workdps(30):
        for lam in (mp.mpf("1e-3"), mp.mpf(1), mp.mpf(50)):
            kappa = solve_kappa(lam, many, gamma)
            with mp.workdps(60):
                i1 = many.integrate_H(lambda s: s / (s + kappa))
                g = mp.mpf(repr(gamma))          # a float argument means its shortest decimal
                assert abs(kappa * (1 - g * i1) - lam) < mp.mpf(10)**-27 * (kappa + lam)
            m, v = general(-lam, many, gamma)          # continuation, not κ
            assert digits(1 / v.real, kappa) >= 28
            # the public m(−λ) (via κ) agrees with the continuation
            assert digits(solve_stieltjes(-lam, many, gamma), m) >= 28


@pytest.mark.parametrize("gamma", [0.5, 1.0, 3.0])
def test_kappa_zero_penalty(gamma, many):
    with mp.workdps(30):
        kappa0 = solve_kappa(0, many, gamma)
        if gamma <= 1:
            assert kappa0 == 0
            return
        assert abs(gamma * many.integrate_H(lambda s: s / (s + kappa0)) - 1) < mp.mpf(10)**-28
        lam = mp.mpf("1e-25")
        slope = kappa_prime(0, many, gamma)
        assert digits(solve_kappa(lam, many, gamma), kappa0 + slope * lam) >= 28


@pytest.mark.parametrize("spec", [make_spectrum("discrete", **MANY), make_spectrum("ar1", rho=0.6),
                                  make_spectrum("uniform"), make_spectrum("spiked")],
                         ids=["many", "ar1", "uniform", "spiked"])
def test_kappa_prime_is_the_derivative(spec):
    with mp.workdps(25):
        for gamma, lam in ((0.5, mp.mpf("0.3")), (2.0, mp.mpf("0.01")), (2.0, mp.mpf(3))):
            numeric = mp.diff(lambda t: solve_kappa(t, spec, gamma), lam)
            assert digits(kappa_prime(lam, spec, gamma), numeric) >= 18
            kappa = solve_kappa(lam, spec, gamma)
            assert digits(kappa_prime(lam, spec, gamma), 1 / (1 - df2(kappa, spec, gamma))) >= 22


def test_bias_integral_uses_the_signal_measure():
    with mp.workdps(30):
        spiked = make_spectrum("spiked", spikes=(3.0,), alignments=(0.5,))
        # ½·1/(1+κ)² + ½·4/(4+κ)² at κ = 1
        assert digits(bias_integral(1, spiked), mp.mpf(1) / 8 + mp.mpf(2) / 25) >= 29
        assert bias_integral(0, "isotropic") == 1
        uniform = make_spectrum("uniform", a=1, b=2)
        # ∫₁² s/(s+1)² ds = log(3/2) − 1/6
        assert digits(bias_integral(1, uniform), mp.log(1.5) - mp.mpf(1) / 6) >= 28


def test_kappa_for_uniform_against_closed_form_integral():
    """``∫ s/(s+κ) dU[a,b] = 1 − κ log((b+κ)/(a+κ))/(b−a)``; root by ``findroot``."""
    spec = make_spectrum("uniform", a=0.5, b=1.5)
    with mp.workdps(30):
        for gamma, lam in ((0.7, mp.mpf("0.2")), (3, mp.mpf("0.05")), (3, mp.zero)):
            g = mp.mpf(repr(gamma))              # a float argument means its shortest decimal

            def equation(k):
                i1 = 1 - k * mp.log((mp.mpf(1.5) + k) / (mp.mpf(0.5) + k))
                return k * (1 - g * i1) - lam if lam else 1 - g * i1
            reference = mp.findroot(equation, solve_kappa(lam, spec, gamma) * 1.01)
            assert digits(solve_kappa(lam, spec, gamma), reference) >= 28


def test_ar1_kappa_and_stieltjes_against_quadrature_in_theta():
    gamma = 2
    spec = make_spectrum("ar1", rho=0.6)
    with mp.workdps(25):
        rho = mp.mpf("0.6")                  # rho=0.6 means 6/10
        def f(theta):
            return (1 - rho**2) / (1 - 2 * rho * mp.cos(theta) + rho**2)

        def average(g):
            return mp.quad(lambda t: g(f(t)), [0, mp.pi / 3, mp.pi]) / mp.pi
        lam = mp.mpf("0.4")
        kappa = solve_kappa(lam, spec, gamma)
        assert abs(kappa * (1 - gamma * average(lambda s: s / (s + kappa))) - lam) < 1e-22
        z = mp.mpc(1.5, 0.25)
        m = solve_stieltjes(z, spec, gamma)
        rhs = average(lambda s: 1 / (s * (1 - gamma - gamma * z * m) - z))
        assert abs(m - rhs) < 1e-22 * abs(m)


# --------------------------------------------------------------------------
# m(z): branch, continuation, consistency with the density
# --------------------------------------------------------------------------

def test_naive_newton_lands_on_a_wrong_root_but_the_solver_does_not(many):
    """Plain Newton on the Silverstein equation from ``m = −1/z`` converges to
    a spurious root here; the safeguarded solver returns the physical one."""
    gamma = 2
    with mp.workdps(30):
        x = mp.mpf("16.0305")
        z = mp.mpc(x, x * mp.mpf("1e-6"))
        m = -1 / z
        for _ in range(100):
            f = mp.fsum(w / (s * (1 - gamma - gamma * z * m) - z) for s, w in many.atoms_H) - m
            df = mp.fsum(w * s * gamma * z / (s * (1 - gamma - gamma * z * m) - z)**2
                         for s, w in many.atoms_H) - 1
            m -= f / df
        assert abs(f) < 1e-25 and m.imag < 1e-6               # a root, but not physical
        good = solve_stieltjes(z, many, gamma)
        assert good.imag > 0.01
        # Im m(x + iη)/π → density(x) as η → 0
        assert abs(good.imag / mp.pi - spectral_density(x, many, gamma)) < 1e-6


@pytest.mark.parametrize("prec", [53, 136, 200])
def test_newton_from_an_accurate_start_takes_few_steps(prec):
    """From a float64 start the bracketed Newton needs about
    ``log2(prec/50) + 2`` evaluations. A step below one ulp (the residual at
    rounding level) means converged, even when that point has just become
    a bracket end; it once fell through to bisection there and cost about
    ``prec`` evaluations for one penalty in three."""
    spec = make_spectrum("discrete", eigs=tuple(np.linspace(0.2, 4.0, 10)), weights=(0.1,) * 10)
    with mp.workprec(prec), counting_newton() as counts:
        for penalty in np.geomspace(0.05, 20, 15):
            penalty = mp.mpf(penalty)        # exactly the double (an mpf is read as is)
            k = solve_kappa(penalty, spec, 2)
            residual = k * (1 - 2 * spec.integrate_H(lambda s: s / (s + k))) - penalty
            assert abs(residual) <= mp.ldexp(penalty + k, 8 - prec)
    assert max(counts) <= 8, counts   # float64 start and working-precision solve alike


def test_physical_branch_everywhere(many):
    with mp.workdps(20):
        for gamma in (0.05, 2, 20):
            for x in (0.01, 0.9, 5, 11, 60, 150, 400):
                for eta in (10, 1e-2, 1e-10):
                    z = mp.mpc(x, eta * x)
                    m = solve_stieltjes(z, many, gamma)
                    assert m.imag > 0 and abs(m) <= 1 / z.imag
                    assert solve_stieltjes(mp.conj(z), many, gamma) == mp.conj(m)
            values = [solve_stieltjes(-x, many, gamma).real for x in (0.01, 0.1, 1, 10, 100)]
            assert all(v > 0 for v in values) and values == sorted(values, reverse=True)


@pytest.mark.parametrize("gamma", [0.05, 0.5, 2, 20])
def test_density_plus_atom_integrates_to_one(gamma, many):
    """Over the intervals of :func:`support_edges` (``x = c + r cos θ`` removes
    the square-root edges), and the Stieltjes transform of the density."""
    with mp.workdps(15):
        intervals = support_edges(many, gamma)
        assert len(intervals) == MANY_INTERVALS[gamma]
        z0 = mp.mpc(5, 2)
        mass, stieltjes = atom_at_zero(gamma), -atom_at_zero(gamma) / z0
        for a, b in intervals:
            c, r = (a + b) / 2, (b - a) / 2
            nodes, weights = mp.gauss_quadrature(64, "legendre")
            for i in range(64):
                theta = mp.pi * (nodes[i] + 1) / 2
                x = c + r * mp.cos(theta)
                w = weights[i] * mp.pi / 2 * r * mp.sin(theta) * spectral_density(x, many, gamma)
                mass += w
                stieltjes += w / (x - z0)
        assert abs(mass - 1) < 1e-8
        assert abs(stieltjes - solve_stieltjes(z0, many, gamma)) < 1e-8


def test_density_of_a_continuous_spectrum_integrates_to_one():
    spec = make_spectrum("ar1", rho=0.5)
    with mp.workdps(15):
        (a, b), = support_edges(spec, 0.5)
        c, r = (a + b) / 2, (b - a) / 2
        nodes, weights = mp.gauss_quadrature(48, "legendre")
        mass = 0
        for i in range(48):
            theta = mp.pi * (nodes[i] + 1) / 2
            density = spectral_density(c + r * mp.cos(theta), spec, 0.5)
            mass += weights[i] * mp.pi / 2 * r * mp.sin(theta) * density
        assert abs(mass - 1) < 1e-8


def test_density_near_the_edges(many):
    """Zero just outside every edge, positive just inside, with the
    square-root law ``f(e ∓ δ) ∝ √δ``."""
    gamma = 0.5
    with mp.workdps(30):
        for a, b in support_edges(many, gamma):
            for edge, inward in ((a, 1), (b, -1)):
                delta = edge * mp.mpf("1e-9")
                assert spectral_density(edge - inward * delta, many, gamma) == 0
                near = spectral_density(edge + inward * delta, many, gamma)
                far = spectral_density(edge + 4 * inward * delta, many, gamma)
                assert near > 0 and abs(near / far - mp.mpf(1) / 2) < 1e-3


def test_edges_of_an_empirical_spectrum(monkeypatch):
    """A sample of 60 eigenvalues: the double-precision screen of the gaps
    changes nothing, and the density vanishes exactly in the gaps."""
    rng = np.random.default_rng(7)
    spec = Spectrum.from_sample(np.round(rng.gamma(1.5, 1.0, size=60), 3))
    with mp.workdps(20):
        screened = support_edges(spec, 0.2)
        monkeypatch.setattr(fixed_point, "_no_gap_possible", lambda *args: False)
        assert support_edges(spec, 0.2) == screened
        assert len(screened) > 1
        for (a, b), (c, d) in zip(screened, screened[1:]):
            assert spectral_density((b + c) / 2, spec, 0.2) == 0
            assert spectral_density((a + b) / 2, spec, 0.2) > 0


def test_hard_edge_at_zero_when_gamma_is_one(many):
    with mp.workdps(20):
        intervals = support_edges(many, 1)
        assert intervals[0][0] == 0
        small = [spectral_density(x, many, 1) for x in (mp.mpf("1e-12"), mp.mpf("4e-12"))]
        assert abs(small[0] / small[1] - 2) < 1e-3            # f(x) ∝ x^(−1/2)
        assert solve_kappa(0, many, 1) == 0


def test_extreme_arguments(many):
    """Far away, next to the origin, and a hair above the real axis."""
    cases = [mp.mpc(0, "1e-20"), mp.mpc("1e30", 1), mp.mpc("-1e-30"), mp.mpc("-1e30"),
             mp.mpc("1e-20", "1e-20"), mp.mpc(3, "1e-40")]
    for spec in (many, make_spectrum("ar1")):
        for gamma in (0.5, 2):
            for z in cases:
                with mp.workdps(20):
                    low = solve_stieltjes(z, spec, gamma)
                with mp.workdps(40):
                    high = solve_stieltjes(z, spec, gamma)
                    assert digits(low, high) >= 19
                    assert high.imag >= 0 and (z.real > 0 or z.imag > 0 or high.real > 0)
    with mp.workdps(20):
        # m(i·0⁺) for γ > 1: the atom at 0 of mass 1 − 1/γ dominates
        m = solve_stieltjes(mp.mpc(0, "1e-20"), many, 2)
        assert digits(m.imag, (1 - mp.mpf(1) / 2) * mp.mpf("1e20")) >= 15


@pytest.mark.parametrize("gamma", [1, Fraction(2**24 + 1, 2**24), Fraction(2**24 - 1, 2**24)],
                         ids=["1", "1+2^-24", "1-2^-24"])
def test_ill_conditioned_kappa_keeps_its_digits(gamma, many):
    """Near ``γ = 1`` and ``λ → 0`` the root is ill conditioned (``κ ~ √λ``);
    the solver adds guard bits until the digits are right."""
    for spec in ("isotropic", many):
        with mp.workdps(30):
            low = solve_kappa(2**-100, spec, gamma)
        with mp.workdps(60):
            high = solve_kappa(2**-100, spec, gamma)
            assert digits(low, high) >= 29


# --------------------------------------------------------------------------
# precision: dps against dps + 20
# --------------------------------------------------------------------------

def _quantities(spec, gamma):
    edges = support_edges(spec, gamma)
    lo, hi = edges[-1]
    return [solve_kappa(mp.mpf(1) / 3, spec, gamma),
            solve_kappa(0, spec, gamma) if gamma > 1 else mp.one,
            solve_stieltjes(mp.mpc(2, 1) / 3, spec, gamma),
            solve_stieltjes(mp.mpf(-1) / 7, spec, gamma),
            kappa_prime(mp.mpf(1) / 3, spec, gamma),
            spectral_density((lo + hi) / 2, spec, gamma),
            bias_integral(mp.mpf(1) / 2, spec),
            hi] + ([edges[0][0]] if edges[0][0] != 0 else [])


@pytest.mark.parametrize("dps", [15, 30])
def test_digits_rise_with_precision_every_model(dps, every_spectrum):
    for gamma in (0.3, 4):
        with mp.workdps(dps):
            low = _quantities(every_spectrum, gamma)
        with mp.workdps(dps + 20):
            high = _quantities(every_spectrum, gamma)
            assert min(digits(a, b) for a, b in zip(low, high)) >= dps - 5


@pytest.mark.parametrize("dps", [60, 100])
def test_digits_rise_with_precision_many_clusters(dps, many):
    for gamma in (0.05, 20):
        with mp.workdps(dps):
            low = _quantities(many, gamma)
        with mp.workdps(dps + 20):
            high = _quantities(many, gamma)
            assert min(digits(a, b) for a, b in zip(low, high)) >= dps - 5


def test_digits_rise_with_precision_continuous_at_60():
    spec = make_spectrum("ar1", rho=0.5)
    with mp.workdps(60):
        low = [solve_kappa(mp.mpf(1) / 3, spec, 2), solve_stieltjes(mp.mpc(1, 1) / 2, spec, 2)]
    with mp.workdps(80):
        high = [solve_kappa(mp.mpf(1) / 3, spec, 2), solve_stieltjes(mp.mpc(1, 1) / 2, spec, 2)]
        assert min(digits(a, b) for a, b in zip(low, high)) >= 55


def test_results_are_rounded_to_the_ambient_precision(many):
    with mp.workdps(20):
        kappa = solve_kappa(1, many, 2)
        assert kappa == +kappa
    before = mp.prec
    with mp.workdps(33):
        solve_stieltjes(3, many, 2)
        support_edges(many, 2)
    assert mp.prec == before


# --------------------------------------------------------------------------
# failures are loud
# --------------------------------------------------------------------------

def test_unconverged_solves_raise():
    # a private copy: make_spectrum hands out one shared Spectrum per parameters
    spec = copy.deepcopy(make_spectrum("ar1", rho=0.9))
    spec._H.max_level = spec._H.start_level + 1          # starve the quadrature
    spec._H.moment_family = None      # and use it: ar1's closed-form moments would not need it
    with mp.workdps(30):
        with pytest.raises(NoConvergence, match="tolerance") as info:
            spectral_density(10, spec, 0.5)
        assert isinstance(info.value, ArithmeticError)
        with pytest.raises(NoConvergence, match="residual") as info:
            solve_kappa(1, spec, 0.5)
        assert info.value.residual > info.value.tolerance > 0


BAD_SOLVER_INPUTS = [
    (ValueError, "gamma", lambda: solve_kappa(1, "isotropic", 0)),
    (ValueError, "gamma", lambda: solve_kappa(1, "isotropic", -2)),
    (ValueError, "gamma", lambda: solve_stieltjes(1j, "isotropic", math.inf)),
    (TypeError, "gamma", lambda: solve_kappa(1, "isotropic", True)),
    (ValueError, "lam", lambda: solve_kappa(-1, "isotropic", 2)),
    (ValueError, "lam", lambda: solve_kappa(math.nan, "isotropic", 2)),
    (ValueError, "lam", lambda: kappa_prime(-0.5, "isotropic", 2)),
    (ValueError, "kappa", lambda: df2(-1, "isotropic", 2)),
    (ValueError, "kappa", lambda: bias_integral(-1, "isotropic")),
    (ValueError, "z", lambda: solve_stieltjes(0, "isotropic", 2)),
    (TypeError, "z", lambda: solve_stieltjes("1+1j", "isotropic", 2)),
    (ValueError, "x", lambda: spectral_density(0, "isotropic", 2)),
    (ValueError, "x", lambda: spectral_density(-1, "isotropic", 2)),
    (TypeError, "spectrum", lambda: solve_kappa(1, 3.0, 2)),
    (ValueError, "spectrum", lambda: solve_kappa(1, "gaussian", 2)),
    (ValueError, "gamma", lambda: atom_at_zero(-1)),
    (ValueError, "gamma", lambda: support_edges("isotropic", 0)),
]


@pytest.mark.parametrize("error, name, call", BAD_SOLVER_INPUTS,
                         ids=[f"{i}-{e[1]}" for i, e in enumerate(BAD_SOLVER_INPUTS)])
def test_bad_solver_input_names_the_argument(error, name, call):
    with mp.workdps(20):
        with pytest.raises(error, match=name):
            call()
