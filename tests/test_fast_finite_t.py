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
