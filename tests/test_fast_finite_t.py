"""The float64 finite-t grid path against the mpmath contour (issue 11)."""
import numpy as np
import pytest

import rmtheory as rt
from rmtheory.numeric import Spectrum, make_spectrum
from rmtheory.numeric.fast import risk_grid
from rmtheory.numeric.fast_finite_t import finite_t_risk_grid

MODELS = [("isotropic", {}, 2.0), ("isotropic", {}, 0.5), ("spiked", {}, 2.0),
          ("discrete", dict(eigs=[0.5, 2, 6], weights=[0.25, 0.5, 0.25]), 1.5),
          ("ar1", {}, 2.0), ("ar1", dict(rho=-0.6), 0.6), ("uniform", {}, 0.7)]


@pytest.mark.parametrize("name, params, gamma", MODELS)
@pytest.mark.parametrize("t", [0, 3, 40])
def test_grid_agrees_with_mpmath(name, params, gamma, t):
    spec = make_spectrum(name, **params)
    ws, ls = np.array([0.15, 0.6, 1.0]), np.array([0.02, 0.7, 5.0])
    bias, variance = finite_t_risk_grid(ws[:, None], ls[None, :], spec, t=t, gamma=gamma)
    assert bias.shape == variance.shape == (3, 3)
    for i, w in enumerate(ws):
        for j, lam in enumerate(ls):
            r = rt.limiting_risk(float(w), spec, gamma=gamma, lam=float(lam), t=t, dps=20)
            assert bias[i, j] == pytest.approx(float(r.bias), rel=1e-10)
            assert variance[i, j] == pytest.approx(float(r.variance), rel=1e-10)


def test_large_t_is_the_stationary_grid():
    ws, ls = np.linspace(0.2, 0.95, 5), np.geomspace(0.05, 5, 4)   # risk_grid: w < 1
    late = finite_t_risk_grid(ws[:, None], ls[None, :], "isotropic", t=10**9)
    stationary = risk_grid(ws[:, None], ls[None, :], "isotropic")
    for a, b in zip(late, stationary):
        np.testing.assert_allclose(a, b, rtol=1e-11)


def test_refusals():
    with pytest.raises(ValueError, match="general signal measure"):
        finite_t_risk_grid(0.5, 0.5, make_spectrum("discrete", eigs=[1, 2], weights=[0.5, 0.5],
                                                   signal_weights=[0.9, 0.1]), t=2)
    with pytest.raises(ValueError, match="exact transforms"):
        finite_t_risk_grid(0.5, 0.5, Spectrum.from_density(lambda s: 2 * (s - 1), 1, 2), t=2)
    with pytest.raises(ValueError, match="lam must be > 0"):
        finite_t_risk_grid(0.5, 0.0, "isotropic", t=2)
    with pytest.raises(ValueError, match="w must be in"):
        finite_t_risk_grid(0.0, 0.5, "isotropic", t=2)
    with pytest.raises((ValueError, TypeError), match="t"):
        finite_t_risk_grid(0.5, 0.5, "isotropic", t=-1)


def test_cancellation_is_refused_not_returned():
    """A spike close to the bulk at moderate t: the contour terms grow like the
    powers q^(2t) and cancel; float64 cannot keep 10 digits of the sum, so the
    grid refuses (it used to return 69.3 and then negative risks)."""
    spec = make_spectrum("spiked", spikes=[0.01], alignments=[0.5])
    for t in (2, 6):
        bias, variance = finite_t_risk_grid(0.3, 0.1, spec, t=t, gamma=1.0)
        exact = rt.limiting_risk(0.3, spec, gamma=1.0, lam=0.1, t=t, dps=20)
        assert float(bias) == pytest.approx(float(exact.bias), rel=1e-10)
        assert float(variance) == pytest.approx(float(exact.variance), rel=1e-10)
    for t in (8, 20, 30, 50):
        with pytest.raises(ValueError, match="cancels by a factor"):
            finite_t_risk_grid(0.3, 0.1, spec, t=t, gamma=1.0)


def test_sweep_case_meets_the_tolerance_or_refuses():
    spec = make_spectrum("spiked", spikes=[0.3], alignments=[0.9])
    try:
        bias, variance = finite_t_risk_grid(0.05, 2.664, spec, t=300, gamma=3)
    except ValueError as error:
        assert "rmtheory.limiting_risk" in str(error)
    else:
        exact = rt.limiting_risk(0.05, spec, gamma=3, lam=2.664, t=300, dps=20)
        assert float(bias + variance) == pytest.approx(float(exact.total), rel=1e-10)


def test_newton_failure_is_a_value_error():
    """γ = 100, λ = 10³ on U[10⁻³, 1]: float64 Newton for κ does not settle;
    that is a ValueError pointing to mpmath (it was an ArithmeticError)."""
    spec = make_spectrum("uniform", a=1e-3, b=1)
    try:
        bias, variance = finite_t_risk_grid(0.9, 1e3, spec, t=3, gamma=100)
    except ValueError as error:
        assert "rmtheory.limiting_risk" in str(error)
    else:                            # converging is fine too: then it must be right
        exact = rt.limiting_risk(0.9, spec, gamma=100, lam=1e3, t=3, dps=20)
        assert float(bias + variance) == pytest.approx(float(exact.total), rel=1e-10)
