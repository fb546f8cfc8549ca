"""Finite-t ridge on the kappa-plane contour (issue 11): independent values,
the integral route, t = 0 and t -> infinity, precision, Monte Carlo."""

import pytest
from mpmath import mp

import rmtheory as rt
from rmtheory.compare import verify
from rmtheory.numeric import make_spectrum
from rmtheory.numeric.context import mp as rmp
from rmtheory.numeric.contour import KappaContour
from rmtheory.numeric.finite_t import finite_t_risk, integral_route_risk
from rmtheory.numeric.fixed_point import solve_kappa

SPIKED = dict(spikes=[4.0], alignments=[0.5])


def test_spiked_independent_value_to_25_digits():
    """Computed outside this project (issue 11): spiked, γ = 2, λ = 1/2, w = 5/8, t = 5."""
    r = rt.limiting_risk(0.625, "spiked", gamma=2, lam=0.5, t=5, dps=40, **SPIKED)
    with mp.workdps(40):
        expected = mp.mpf("0.776957327544313825850492")
        assert abs(r.total - expected) < mp.mpf(10)**-24


@pytest.mark.parametrize("name, params, gamma", [
    ("isotropic", {}, 2.0), ("isotropic", {}, 0.5),
    ("discrete", dict(eigs=[0.5, 2, 6], weights=[0.25, 0.5, 0.25]), 1.5),
    ("uniform", dict(a=0.5, b=2.0), 0.7),
])
@pytest.mark.parametrize("t", [1, 7])
def test_contour_agrees_with_the_integral_route(name, params, gamma, t):
    """The old route (density of ν on the real support, one Stieltjes solve per
    node) is independent of the contour: same bias, variance and slope."""
    spec = make_spectrum(name, **params)
    with rmp.workdps(20):
        args = (rmp.mpf("0.4"), rmp.mpf("0.3"), spec, rmp.mpf(gamma), rmp.one, rmp.mpf("0.7"))
        new = finite_t_risk(*args, t=t, derivative=True)
        old = integral_route_risk(*args, t=t, derivative=True)
        for a, b in zip(new, old):
            assert abs(a - b) <= rmp.mpf(10)**-16 * abs(b), (a, b)


@pytest.mark.parametrize("name, params", [("isotropic", {}), ("spiked", SPIKED),
                                          ("discrete", dict(eigs=[1, 3], weights=[0.5, 0.5])),
                                          ("ar1", {}), ("uniform", {})])
def test_measure_masses(name, params):
    """∫ 1 dν = ∫ s dH and every eigenvector measure has mass 1 — residues at κ₀
    and at the spikes included — for γ on both sides of 1."""
    spec = make_spectrum(name, **params)
    atoms = spec.atoms_G if name == "spiked" else None
    spikes = [s for s, _ in atoms if s != 1] if atoms else []
    with rmp.workdps(30):
        for gamma in (rmp.mpf("0.6"), rmp.mpf(2)):
            k0 = solve_kappa(0, spec, gamma) if gamma > 1 else None
            c = KappaContour(spec, gamma, solve_kappa(rmp.mpf("0.2"), spec, gamma), k0,
                             eigvecs=spikes)
            out = c.integrate(lambda z: (rmp.one,))
            total = spec.integrate_H(lambda s: s)
            assert abs(out["nu"][0] - total) < rmp.mpf(10)**-25 * total
            for s in spikes:
                assert abs(out[("u", s)][0] - 1) < rmp.mpf(10)**-25


@pytest.mark.parametrize("name, params", [("spiked", SPIKED), ("ar1", {}),
                                          ("discrete", dict(eigs=[1, 4], weights=[0.3, 0.7]))])
def test_t0_is_plain_ridge_and_large_t_is_stationary(name, params):
    kw = dict(gamma=1.7, lam=0.4, dps=25, **params)
    ridge = rt.limiting_risk(1, name, **kw)            # w = 1: ridge at λ, every t
    at0 = rt.limiting_risk(0.3, name, t=0, **kw)
    stationary = rt.limiting_risk(0.6, name, **kw)
    late = rt.limiting_risk(0.6, name, t=10**6, **kw)
    with mp.workdps(25):
        for a, b in ((at0.bias, ridge.bias), (at0.variance, ridge.variance),
                     (late.bias, stationary.bias), (late.variance, stationary.variance)):
            assert abs(a - b) <= mp.mpf(10)**-20 * abs(b), (a, b)
        # and t = 5 is neither
        mid = rt.limiting_risk(0.6, name, t=5, **kw)
        assert abs(mid.total - stationary.total) > mp.mpf(10)**-10


def test_digits_hold_from_dps_15_to_100():
    low = rt.limiting_risk(0.45, "spiked", gamma=3, lam=0.2, t=11, dps=15, **SPIKED)
    high = rt.limiting_risk(0.45, "spiked", gamma=3, lam=0.2, t=11, dps=100, **SPIKED)
    with mp.workdps(100):
        assert abs(low.total - high.total) <= mp.mpf(10)**-10 * high.total


def test_cost_does_not_grow_with_t():
    """The powers q^t are taken at each node: t = 50 uses no more nodes than
    t = 5, and t = 10^6 needs no contour at all (the decaying part is provably
    below the precision: the stationary risk is returned)."""
    spec = make_spectrum("spiked", **SPIKED)
    counts = []
    from rmtheory.numeric import contour
    original = contour.KappaContour.integrate

    def counting(self, phi, **kw):
        result = original(self, phi, **kw)
        counts.append(self.nodes_used)
        return result
    contour.KappaContour.integrate = counting
    try:
        with rmp.workdps(30):
            for t in (5, 50, 10**6):
                finite_t_risk(rmp.mpf("0.5"), rmp.mpf("0.5"), spec, rmp.mpf(2), rmp.one, rmp.one,
                              t=t)
    finally:
        contour.KappaContour.integrate = original
    assert len(counts) == 2 and counts[1] <= counts[0] <= 512, counts


def test_optimal_w_at_finite_t_for_spiked():
    """The slope is exact: optimal_w at finite t is a stationary point of the risk."""
    res = rt.optimal_w("spiked", gamma=2, lam=0.5, t=5, dps=20, **SPIKED)
    w = res.w if hasattr(res, "w") else res.value
    h = mp.mpf(10)**-6
    with mp.workdps(20):
        lo = rt.limiting_risk(w - h, "spiked", gamma=2, lam=0.5, t=5, dps=20, **SPIKED).total
        mid = rt.limiting_risk(w, "spiked", gamma=2, lam=0.5, t=5, dps=20, **SPIKED).total
        hi = rt.limiting_risk(w + h, "spiked", gamma=2, lam=0.5, t=5, dps=20, **SPIKED).total
        assert mid <= lo and mid <= hi


def test_general_signal_independent_value_to_25_digits():
    """Computed outside this project (issue 11): discrete with signal_weights
    (G ≠ H on the same atoms: the two-resolvent double contour), t = 2."""
    r = rt.limiting_risk(0.5, "discrete", eigs=[0.5, 2, 6], weights=[0.25, 0.5, 0.25],
                         signal_weights=[0.5, 0.25, 0.25], gamma=1.5, lam=0.25, t=2, dps=30)
    with mp.workdps(30):
        expected = mp.mpf("1.276378554205735102961046")
        assert abs(r.total - expected) < mp.mpf(10)**-24


def test_double_contour_reduces_to_the_single_one_when_G_is_H():
    """The bilinear form of the two-resolvent equivalent, evaluated on its own
    contour in the physical region, equals ∫ f² dν when G = H."""
    from rmtheory.numeric.contour import SignalContour
    from rmtheory.numeric.finite_t import _contour_multipliers
    spec = make_spectrum("discrete", eigs=[0.5, 2, 6], weights=[0.25, 0.5, 0.25])
    values, _ = _contour_multipliers()
    with rmp.workdps(30):
        g, lam, w = rmp.mpf("1.5"), rmp.mpf("0.25"), rmp.mpf("0.5")
        outer, k0 = solve_kappa(lam / (2 - w), spec, g), solve_kappa(0, spec, g)
        double = SignalContour(spec, g, outer, k0).bilinear(
            lambda z: (values(z, lam, w, 1, 3)[0],), 1)[0]
        single = KappaContour(spec, g, outer, k0).integrate(
            lambda z: (values(z, lam, w, 1, 3)[1],))["nu"][0]
        assert abs(double - single) < rmp.mpf(10)**-25 * single


@pytest.mark.parametrize("t", [-1, 2.5, True, "3"])
def test_bad_t(t):
    with pytest.raises((ValueError, TypeError), match="t"):
        rt.limiting_risk(0.5, "spiked", gamma=2, lam=0.5, t=t, **SPIKED)


def test_spiked_finite_t_against_monte_carlo():
    """Exact conditional risk at n = 1000 over 20 draws of (X, β): z-scores of the
    finite-t spiked theory (the bias uses the spike's eigenvector measure; the
    test below shows the spike terms move the risk by far more than the
    standard error, so a formula that got them wrong would fail)."""
    report = verify("spiked", n=1000, gamma=2.0, w=[0.3, 0.625], lam=[0.5], t=5, draws=20,
                    seed=20261201, backend="processes", progress=False, **SPIKED)
    assert report.complete and report.all_passed, str(report)
    assert max(abs(z) for z in report.z_scores) < 3.0


def test_spike_terms_matter_beyond_the_monte_carlo_resolution():
    """Treating the spiked signal as if G = H changes the finite-t risk by far
    more than the ~1e-3 standard error of the Monte Carlo check above."""
    spiked = rt.limiting_risk(0.3, "spiked", gamma=2, lam=0.5, t=5, dps=15, **SPIKED)
    flat = rt.limiting_risk(0.3, "isotropic", gamma=2, lam=0.5, t=5, dps=15)
    assert abs(float(spiked.total) - float(flat.total)) > 0.02


def test_general_route_for_a_continuous_signal_density():
    """A signal density equal to the spectral density, given explicitly, takes
    the two-resolvent route (G is not H as objects) and must give the G = H
    single-contour risk; a different signal density changes the bias."""
    from rmtheory.numeric import Spectrum
    same = Spectrum.from_density(lambda s: 1.0, 0.5, 1.5, signal_density=lambda s: 1.0)
    plain = Spectrum.from_density(lambda s: 1.0, 0.5, 1.5)
    assert not same.signal_is_spectrum and plain.signal_is_spectrum
    a = rt.limiting_risk(0.5, same, gamma=2, lam=0.5, t=3, dps=15)
    b = rt.limiting_risk(0.5, plain, gamma=2, lam=0.5, t=3, dps=15)
    assert abs(a.bias - b.bias) <= 1e-13 * b.bias
    assert abs(a.variance - b.variance) <= 1e-13 * b.variance


def test_growth_of_the_multipliers_on_the_contour_gets_its_bits():
    """A spike just above the bulk (θ = 0.01) at t = 40: on part of the contour
    |(1 − w) z/(z + λ)| > 1, so the multipliers' terms of size |·|^{2t} cancel;
    the bits are added up front (this raised PrecisionError before) and the
    risk sits between t = 20 and the stationary value, to which it converges."""
    kw = dict(spikes=[0.01], alignments=[0.5], gamma=2.0, lam=0.1, dps=20)
    r40 = rt.limiting_risk(0.3, "spiked", t=40, **kw)
    r80 = rt.limiting_risk(0.3, "spiked", t=80, **kw)
    limit = rt.limiting_risk(0.3, "spiked", **kw)
    with mp.workdps(20):
        assert abs(r80.total - limit.total) < abs(r40.total - limit.total) < mp.mpf(10)**-5


def test_provably_stationary_t_skips_the_contour():
    """When q^t bounds the decaying part below the working precision, the
    stationary risk is returned at once — also where the contour itself could
    not resolve the growth (spike at θ = 0.01, t = 10^6) — and it is the
    stationary risk to every digit."""
    from rmtheory.numeric import contour
    kw = dict(spikes=[0.01], alignments=[0.5], gamma=2.0, lam=0.1, dps=25)

    def no_contour(*args, **kwargs):
        raise AssertionError("the contour was integrated")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(contour.KappaContour, "integrate", no_contour)
        late = rt.limiting_risk(0.3, "spiked", t=10**6, **kw)
    limit = rt.limiting_risk(0.3, "spiked", **kw)
    assert late.bias == limit.bias and late.variance == limit.variance
    # and at a t where the bound does not hold yet, the contour answers
    mid = rt.limiting_risk(0.3, "spiked", t=40, **kw)
    with mp.workdps(25):
        assert abs(mid.total - limit.total) > mp.mpf(10)**-12


def test_spike_near_the_bulk_converges_where_the_rule_reaches_the_rounding_floor():
    """θ = 0.01, t = 100: the trapezoidal sums settle only at 16384 nodes, where
    the last change is at the rounding floor (it was refused for being a hair
    above it). With q = 0.4, q^100 ≈ 1.6e−40, so the risk is the stationary one
    to every digit shown."""
    kw = dict(spikes=[0.01], alignments=[0.5], gamma=2.0, lam=0.1, dps=20)
    late = rt.limiting_risk(0.6, "spiked", t=100, **kw)
    limit = rt.limiting_risk(0.6, "spiked", **kw)
    with mp.workdps(30):
        assert abs(late.total - limit.total) <= mp.mpf(10)**-18 * limit.total
