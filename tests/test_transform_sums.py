"""Closed-form spectral sums ``(I_1, I_2)(κ)`` of the measures (``transform_sums``).

References: the quadrature of the module (:meth:`Spectrum.integrate_H`) at
real ``κ > 0``; ``mpmath.quad`` of the defining integrals at 20 extra digits
at complex ``κ`` — for ``ar1`` over the angle of its definition
(``s = (1−ρ²)/(1 − 2ρ cos θ + ρ²)``, ``θ ~ U(0, π)``, with the signed ``ρ``),
for ``uniform`` over ``[a, b]`` — split at the near-pole ``s = −Re κ``; the
moment series ``I_1 = Σ_{n≥1} (−1)^{n−1} E s^n / κ^n`` of ``U[a, b]`` at
``|κ| = 10^8``; and the symbolic identities behind the ``ar1`` closed form.
"""
import mpmath
import pytest
import sympy as sp
from mpmath import mp

from rmtheory.numeric import Spectrum, make_spectrum
from rmtheory.numeric.context import export, private_context
from rmtheory.numeric.spectra import _Measure, _transform_lambdas

MODELS = [("ar1", {"rho": 0.5}), ("ar1", {"rho": -0.3}), ("ar1", {"rho": 0.95}),
          ("uniform", {"a": 0.5, "b": 2}), ("uniform", {"a": 1e-3, "b": 1})]
IDS = [f"{name}-{'-'.join(map(str, p.values()))}" for name, p in MODELS]


def relative_error(x, y):
    return abs(x - y) / abs(y)


def cut_points(a, b):
    """Points of the κ-plane around the cut ``[−b, −a]``: above and below, at
    distance 1e-3 from its inside and from its ends, and far out (|κ| ≤ 1e8)."""
    inner = -(a + (b - a) * mp.mpf(3) / 10)
    return [mp.mpc(0.3, 2), mp.mpc(0.3, -2),
            mp.mpc(inner, 1e-3), mp.mpc(inner, -1e-3),
            mp.mpc(-a, 1e-3), mp.mpc(-b, -1e-3), mp.mpc(-b - mp.mpf(1e-3), 0),
            mp.mpc(-a / 2, 0),
            1e8 * mp.expjpi(mp.mpf(0.8)), mp.mpc(-1e8, 1e3), mp.mpc(0, -1e8), mp.mpc(-1e8, 0)]


def reference(name, params, k):
    """``(I_1, I_2)`` by ``mp.quad`` of the definitions at the current precision."""
    if name == "ar1":
        rho = mp.mpf(repr(params["rho"]))   # 0.3 means 3/10, as to_mpf reads it

        def law(theta):
            return (1 - rho**2) / (1 - 2 * rho * mp.cos(theta) + rho**2)
        points = [mp.zero, mp.mpf(1) / 20, mp.mpf(1) / 4, mp.pi / 2, mp.pi]
        lo, hi = sorted((law(0), law(mp.pi)))
        if lo < -k.real < hi:               # the angle where s = −Re κ
            c = (1 + rho**2 - (1 - rho**2) / -k.real) / (2 * rho)
            points = sorted(points + [mp.acos(c)])
        quad = lambda g: mp.quad(lambda t: g(law(t)), points) / mp.pi   # noqa: E731
    else:
        a, b = mp.mpf(repr(params["a"])), mp.mpf(repr(params["b"]))
        points = [a, b] + ([-k.real] if a < -k.real < b else [])
        points = sorted(points + [a + (b - a) / 100, b - (b - a) / 100])
        quad = lambda g: mp.quad(g, points) / (b - a)                  # noqa: E731
    return quad(lambda s: s / (s + k)), quad(lambda s: (s / (s + k))**2)


@pytest.mark.parametrize("dps", [30, 60])
@pytest.mark.parametrize("name, params", MODELS, ids=IDS)
def test_against_the_quadrature_of_the_module_at_real_kappa(name, params, dps):
    spec = make_spectrum(name, **params)
    with mp.workdps(dps):
        for k in (mp.mpf("0.01"), mp.mpf("0.7"), mp.mpf(3), mp.mpf(10)**8):
            i1, i2 = spec._H.transform_sums(k)
            assert isinstance(i1, mp.mpf) and isinstance(i2, mp.mpf)
            assert relative_error(i1, spec.integrate_H(lambda s: s / (s + k))) < 10**(3 - dps)
            assert relative_error(i2, spec.integrate_H(lambda s: (s / (s + k))**2)) \
                < 10**(3 - dps)


@pytest.mark.parametrize("dps", [30, 60])
@pytest.mark.parametrize("name, params", MODELS, ids=IDS)
def test_against_mp_quad_around_the_cut(name, params, dps):
    spec = make_spectrum(name, **params)
    with mp.workdps(dps):
        a, b = spec.support
        points = cut_points(a, b)
    for k in points:
        with mp.workdps(dps):
            i1, i2 = spec._H.transform_sums(k)
        with mp.workdps(dps + 20):
            r1, r2 = reference(name, params, k)
        assert relative_error(i1, r1) < 10**(3 - dps), (k, i1, r1)
        assert relative_error(i2, r2) < 10**(3 - dps), (k, i2, r2)


@pytest.mark.parametrize("dps", [30, 60])
@pytest.mark.parametrize("name, params", MODELS, ids=IDS)
def test_conjugate_symmetry(name, params, dps):
    spec = make_spectrum(name, **params)
    with mp.workdps(dps):
        for k in cut_points(*spec.support):
            if k.imag == 0:
                continue
            upper, lower = spec._H.transform_sums(k), spec._H.transform_sums(mp.conj(k))
            for u, v in zip(upper, lower):
                assert abs(u - mp.conj(v)) <= 10**(3 - dps) * abs(u)
                assert u.imag != 0


@pytest.mark.parametrize("dps", [30, 60])
def test_uniform_at_large_kappa_against_its_moment_series(dps):
    """``I_1`` and ``I_2`` are ``O(1/κ)``, ``O(1/κ²)`` where ``1 − κM_1`` cancels:
    compare with the series in the exact moments ``E s^n = (b^{n+1} −
    a^{n+1})/((n+1)(b−a))``, ``I_2 = Σ_{n≥2} (−1)^n (n−1) E s^n/κ^n``."""
    spec = make_spectrum("uniform", a=0.5, b=2)
    with mp.workdps(dps + 10):
        a, b = mp.mpf(0.5), mp.mpf(2)
        moment = [(b**(n + 1) - a**(n + 1)) / ((n + 1) * (b - a)) for n in range(40)]
        for k in (mp.mpf(10)**8, mp.mpc(-3e7, 9e7), mp.mpf(-10)**12):
            s1 = mp.fsum((-1)**(n - 1) * moment[n] / k**n for n in range(1, 40))
            s2 = mp.fsum((-1)**n * (n - 1) * moment[n] / k**n for n in range(2, 40))
            with mp.workdps(dps):
                i1, i2 = spec._H.transform_sums(k)
            assert relative_error(i1, s1) < 10**(1 - dps)
            assert relative_error(i2, s2) < 10**(1 - dps)


def test_atoms_are_the_finite_sums():
    spec = Spectrum.from_atoms([1, 10, 100], [0.5, 0.3, 0.2])
    with mp.workdps(40):
        for k in (mp.mpf(2), mp.mpc(-5, 1e-3), mp.mpc(-50, -3), mp.mpf(-1000), mp.mpf(-5)):
            i1, i2 = spec._H.transform_sums(k)
            assert relative_error(i1, spec.integrate_H(lambda s: s / (s + k))) < 1e-38
            assert relative_error(i2, spec.integrate_H(lambda s: (s / (s + k))**2)) < 1e-38
        with pytest.raises(ValueError, match="kappa must not be minus an atom"):
            spec._H.transform_sums(-10)
    # the named discrete models carry the same measure
    with mp.workdps(30):
        i1, i2 = make_spectrum("isotropic")._H.transform_sums(mp.mpc(1, 1))
        assert abs(i1 - 1 / mp.mpc(2, 1)) < 1e-29 and abs(i2 - 1 / mp.mpc(2, 1)**2) < 1e-29


def test_no_closed_form_for_a_user_density():
    spec = Spectrum.from_density(lambda s: 2 * (s - 1), 1, 2)
    assert spec._H.transform_sums(mp.mpc(1, 1)) is None
    assert _Measure.transform_sums(spec._H, 1) is None


@pytest.mark.parametrize("name, params", MODELS[::2], ids=IDS[::2])
def test_a_kappa_on_the_cut_is_refused(name, params):
    spec = make_spectrum(name, **params)
    a, b = spec.support
    with pytest.raises(ValueError, match=r"kappa must lie off the cut \[-b, -a\]"):
        spec._H.transform_sums(-(a + b) / 2)
    with pytest.raises(ValueError, match="kappa must lie off the cut"):
        spec._H.transform_sums(-b)


def test_in_the_private_context_the_callers_precision_is_untouched():
    spec = make_spectrum("ar1", rho=0.5)
    before = mpmath.mp.prec
    with private_context(), mp.workdps(50):
        from rmtheory.numeric.context import mp as ctx
        with ctx.workdps(50):
            i1, i2 = spec._H.transform_sums(ctx.mpc(-1, 1))
            assert i1.context is ctx.mpf(1).context
            i1, i2 = export(i1), export(i2)
    assert mpmath.mp.prec == before
    with mp.workdps(50):
        r1, r2 = spec._H.transform_sums(mp.mpc(-1, 1))
        assert relative_error(i1, r1) < 1e-48 and relative_error(i2, r2) < 1e-48


def test_the_ar1_closed_form_symbolically():
    r"""``1/(s+κ) = (1 − (1−ρ²)/(A − B cos θ))/κ``,
    ``A² − B² = (1−ρ²)²(κ+a)(κ+b)`` with ``ab = 1``, and the lambdified
    ``I_2`` is ``I_1 + κ I_1'``."""
    rho, c, a, b = sp.symbols("rho c a b", positive=True)
    k = sp.Symbol("kappa")
    A, B = 1 - rho**2 + k * (1 + rho**2), 2 * k * rho
    s = (1 - rho**2) / (1 - 2 * rho * c + rho**2)
    lo, hi = (1 - rho) / (1 + rho), (1 + rho) / (1 - rho)
    assert sp.simplify(1 / (s + k) - (1 - (1 - rho**2) / (A - B * c)) / k) == 0
    assert sp.expand(A**2 - B**2 - sp.cancel((1 - rho**2)**2 * (k + lo) * (k + hi))) == 0
    assert sp.simplify(lo * hi) == 1
    forms = _transform_lambdas()["expressions"]
    I1 = forms["ar1_I1"]
    assert sp.simplify(forms["ar1_I2"] - (I1 + k * sp.diff(I1, k))) == 0
    assert sp.simplify(forms["ar1_I2"].subs(k, 0).subs(b, 1 / a)) == 1
    uniform_M1 = sp.log((b + k) / (a + k)) / (b - a)
    assert sp.simplify(forms["uniform_M2"] + sp.diff(uniform_M1, k)) == 0
