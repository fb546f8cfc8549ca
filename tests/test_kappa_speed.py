"""The cheaper κ solve: the Kantorovich stop of the bracketed Newton, the
stored roots used as starts, and that neither changes a digit."""
import numpy as np
import pytest
from mpmath import mp

from conftest import counting_newton
from rmtheory.numeric import fixed_point, make_spectrum, solve_kappa

TEN = dict(eigs=tuple(np.linspace(0.2, 4.0, 10)), weights=(0.1,) * 10)


def _g(spec, gamma, lam):
    """The κ equation as a plain mpmath function of κ (``lam=None``: κ₀)."""
    def g(k):
        i1 = spec.integrate_H(lambda s: s / (s + k))
        return 1 - gamma * i1 if lam is None else k * (1 - gamma * i1) - lam
    return g


@pytest.mark.parametrize("name, params", [("discrete", TEN), ("discrete", dict(
    eigs=(1e-3, 1, 1e3), weights=(0.2, 0.5, 0.3))), ("ar1", {})])
@pytest.mark.parametrize("gamma", [0.3, 2.0, 50.0])
def test_second_derivative_bounds(name, params, gamma):
    """``|g''|`` below the bounds the stop uses, at points around the root
    (``κ_lo = x − 2|step|`` with ``step`` up to a tenth of ``x``)."""
    spec = make_spectrum(name, **params)
    with mp.workdps(30):
        for lam in (mp.mpf("0.01"), mp.mpf(1), None):
            if lam is None and gamma <= 1:
                continue
            g = _g(spec, gamma, lam)
            root = solve_kappa(0 if lam is None else lam, spec, gamma)
            for x in (root * mp.mpf("0.9"), root, root * mp.mpf("1.3")):
                for step in (x / 10, x / 1000):
                    low = x - 2 * step
                    dg = mp.diff(g, x)
                    bound = (2 * dg * x * x / low**3) if lam is None else 2 * gamma / low
                    for y in (low, x, x + 2 * step):
                        assert abs(mp.diff(g, y, 2)) <= bound


def _counted_solve(lam, spec, gamma):
    with counting_newton() as counts:
        return solve_kappa(lam, spec, gamma), counts


def test_a_stored_root_is_a_one_step_start():
    """A penalty within ``2^-20`` of a solved one: one evaluation at the
    working precision (the float64 start and its loop skipped); the root
    is the one a cold solve finds, to the last bit."""
    spec = make_spectrum("discrete", **TEN)
    spec._H.kappa_starts.clear()
    with mp.workdps(40):
        lam = mp.mpf("0.7")
        first, counts = _counted_solve(lam, spec, 2)
        assert len(counts) == 2 and counts[1] == 2      # float64, then 2 at the target
        near = lam * (1 + mp.mpf(10)**-12)
        warm, counts = _counted_solve(near, spec, 2)
        assert counts == [1]
        spec._H.kappa_starts.clear()
        cold, _ = _counted_solve(near, spec, 2)
        assert abs(warm - cold) <= mp.ldexp(cold, 2 - mp.prec)
        residual = _g(spec, 2, near)(warm)
        assert abs(residual) <= mp.ldexp(near + warm, 4 - mp.prec)


def test_higher_precision_from_lower():
    """A root at dps 30 starts the solve at dps 60 at the same penalty:
    one evaluation, and the digits agree with a cold solve at dps 60."""
    spec = make_spectrum("discrete", eigs=(0.5, 2, 9), weights=(0.3, 0.3, 0.4))
    spec._H.kappa_starts.clear()
    with mp.workdps(30):
        low = solve_kappa(mp.mpf("0.25"), spec, 3)
    with mp.workdps(60):
        warm, counts = _counted_solve(mp.mpf("0.25"), spec, 3)
        assert counts == [1]
        spec._H.kappa_starts.clear()
        cold = solve_kappa(mp.mpf("0.25"), spec, 3)
        assert abs(warm - cold) <= mp.ldexp(cold, 2 - mp.prec)
        assert abs(warm - low) <= mp.ldexp(low, 4 - 100)


def test_far_penalty_or_other_gamma_is_not_a_start():
    spec = make_spectrum("discrete", eigs=(0.5, 2, 9), weights=(0.3, 0.3, 0.4))
    spec._H.kappa_starts.clear()
    with mp.workdps(30):
        solve_kappa(1, spec, 3)
        assert fixed_point._nearby_root(spec._H.kappa_starts, mp.mpf(3), mp.mpf("1.001")) is None
        assert fixed_point._nearby_root(spec._H.kappa_starts, mp.mpf("3.0001"), mp.one) is None
        assert fixed_point._nearby_root(spec._H.kappa_starts, mp.mpf(3), mp.one) is not None


def test_kappa0_with_starts_matches_cold():
    spec = make_spectrum("discrete", **TEN)
    spec._H.kappa_starts.clear()
    with mp.workdps(30):
        first = solve_kappa(0, spec, 2)
        again, counts = _counted_solve(0, spec, 2)
        assert counts == [1] and abs(again - first) <= mp.ldexp(first, 2 - mp.prec)
        assert abs(_g(spec, 2, None)(again)) <= mp.ldexp(1, 6 - mp.prec)
