"""backend="float64" against backend="mpmath": every spectrum model, sampled
points (``w = 1`` and ``λ = 0`` among them), agreement to 1e-10 relative;
and the cases it must refuse rather than guess."""
import numpy as np
import pytest
from mpmath import mp

import rmtheory as rt
from rmtheory.numeric import Spectrum, make_spectrum
from rmtheory.numeric.compiled import expressions
from rmtheory.numeric.context import mp as ctx_mp
from rmtheory.numeric.fast import quadrature_nodes
from rmtheory.numeric.fast_arrays import _evaluate, rules_for

RTOL = 1e-10

#: (label, spectrum or name, parameters): every kind of measure a user can build
MODELS = [
    ("isotropic", "isotropic", {}),
    ("discrete", "discrete", {}),
    ("discrete-signal", "discrete", dict(eigs=(0.0625, 1.0), weights=(0.5, 0.5),
                                        signal_weights=(1.0, 0.0))),
    ("random_effects-uniform", "random_effects", dict(law="uniform")),
    ("spiked", "spiked", dict(spikes=(4.0, 1.5), alignments=(0.3, 0.2))),
    ("equicorrelated", "equicorrelated", {}),
    ("ar1", "ar1", dict(rho=0.6)),
    ("uniform", "uniform", {}),
    ("from_atoms", Spectrum.from_atoms([0.5, 2.0, 8.0], [0.2, 0.5, 0.3], [0.6, 0.3, 0.1]), {}),
    ("from_density", Spectrum.from_density(lambda s: 2 * (s - 1), 1, 2), {}),
    ("from_sample", Spectrum.from_sample([0.3, 1.0, 1.0, 2.5, 4.0]), {}),
]

#: (w, lam, gamma): interior, near 1 with a small penalty (where the divided
#: difference of κ would cancel), w = 1, min-norm, OLS (γ < 1)
POINTS = [(0.3, 0.5, 2.0), (1 - 1e-9, 1e-4, 2.0), (1.0, 0.7, 0.5), (0.6, 0.0, 3.0),
          (0.8, 0.0, 0.5), (0.05, 5.0, 1.5)]


def _close(fast, exact, rtol=RTOL):
    exact = float(exact)
    return abs(fast - exact) <= rtol * abs(exact)


@pytest.mark.parametrize("label, spectrum, params", MODELS, ids=[m[0] for m in MODELS])
def test_risk_agrees_with_mpmath(label, spectrum, params):
    w, lam, gamma = (np.array(v) for v in zip(*POINTS))
    fast = rt.limiting_risk(w, spectrum, lam=lam, gamma=gamma, sigma2=0.7, r2=1.3,
                            kappa_s=1.5, backend="float64", **params)
    assert fast.shape == (len(POINTS),) and fast.bias.dtype == float
    for i, (wi, li, gi) in enumerate(POINTS):
        exact = rt.limiting_risk(wi, spectrum, lam=li, gamma=gi, sigma2=0.7, r2=1.3,
                                 kappa_s=1.5, dps=15, **params)
        for part in ("bias", "variance"):
            got, want = getattr(fast, part)[i], getattr(exact, part)
            assert _close(got, want), (label, POINTS[i], part, got, float(want))


@pytest.mark.parametrize("label, spectrum, params", MODELS, ids=[m[0] for m in MODELS])
def test_optimal_w_agrees_with_mpmath(label, spectrum, params):
    lams, gammas = np.array([0.0, 0.05, 2.0]), np.array([2.0, 1.5, 3.0])
    fast = rt.optimal_w(spectrum, lam=lams, gamma=gammas, backend="float64", **params)
    for i in range(lams.size):
        exact = rt.optimal_w(spectrum, lam=lams[i], gamma=gammas[i], dps=15, **params)
        assert bool(fast.on_boundary[i]) == exact.on_boundary
        assert _close(fast.w[i], exact.w), (label, i, fast.w[i], float(exact.w))
        assert _close(fast.risk.total[i], exact.risk.total)
        assert _close(fast.risk_at_1.total[i], exact.risk_at_1.total)


@pytest.mark.parametrize("label, spectrum, params", [MODELS[i] for i in (0, 2, 4, 6)],
                         ids=[MODELS[i][0] for i in (0, 2, 4, 6)])
def test_critical_lambda_and_kappa_agree_with_mpmath(label, spectrum, params):
    fast = rt.critical_lambda(spectrum, gamma=[2.0, 0.7], backend="float64", **params)
    for i, g in enumerate((2.0, 0.7)):
        assert _close(fast[i], rt.critical_lambda(spectrum, gamma=g, dps=15, **params))
    lam = np.array([[0.0], [1e-3], [4.0]])
    k = rt.kappa(lam, spectrum, gamma=[0.5, 2.0], backend="float64", **params)
    assert k.shape == (3, 2)
    for (i, j), value in np.ndenumerate(k):
        exact = rt.kappa(float(lam[i, 0]), spectrum, gamma=(0.5, 2.0)[j], dps=15, **params)
        assert value == 0 if exact == 0 else _close(value, exact)


def test_the_slope_at_w1_is_the_derived_one():
    """At w = 1 the divided-difference-free slope equals the symbolic layer's
    ``∂R/∂w|_{w=1} = −λB'(λ) + 2σ²(κ'(λ) − 1)`` (and just below 1, its limit)."""
    spec = make_spectrum("spiked")
    lam = np.array([1e-6, 0.1, 3.0, 50.0])
    one = np.ones_like(lam)
    g, s2, ks = np.full(4, 2.0), 0.8, np.full(4, 1.0)
    rules = rules_for(spec, np.concatenate([lam / 2, lam]), np.concatenate([g, g]))
    ours = _evaluate(one, lam, g, s2, 1.2, ks, rules, slope=True).slope
    e = expressions("numpy")
    nodes = quadrature_nodes(spec, lam, gamma=2.0)
    from rmtheory.numeric.fast import _penalty_values
    k, kp, B, Bp = _penalty_values(lam, nodes, 2.0, 1.2)
    derived = e.dtotal_dw_at_w1(one, lam, s2, ks, k, k, B, Bp, kp, kp)
    np.testing.assert_allclose(ours, derived, rtol=1e-11)
    below = _evaluate(one - 1e-7, lam, g, s2, 1.2, ks, rules, slope=True).slope
    np.testing.assert_allclose(below, derived, rtol=1e-5)


def test_near_one_at_tiny_penalty_is_accurate():
    """The case where the divided difference cancels in float64 (w = 1 − 1e-9,
    λ = 1e-8): the forms without it keep every digit."""
    fast = rt.limiting_risk(1 - 1e-9, "discrete", lam=1e-8, gamma=2.0, backend="float64")
    exact = rt.limiting_risk(1 - 1e-9, "discrete", lam=1e-8, gamma=2.0, dps=20)
    assert _close(fast.variance, exact.variance) and _close(fast.bias, exact.bias)


def test_gamma_one_at_lam_zero_is_infinite_like_mpmath():
    fast = rt.limiting_risk(0.5, lam=0.0, gamma=1.0, backend="float64")
    assert fast.variance == np.inf and fast.bias == 0
    assert rt.limiting_risk(0.5, lam=0.0, gamma=1.0, dps=15).variance == mp.inf


def test_finite_t_uses_the_contour_grid_and_the_min_norm_factor():
    w = np.array([0.4, 0.9, 1.0])
    fast = rt.limiting_risk(w, "spiked", lam=[[0.0], [0.5]], t=5, gamma=2.0, backend="float64")
    assert fast.shape == (2, 3)
    for (i, j), total in np.ndenumerate(fast.total):
        exact = rt.limiting_risk(float(w[j]), "spiked", lam=(0.0, 0.5)[i], t=5, gamma=2.0,
                                 dps=15)
        assert _close(total, exact.total)
    best = rt.optimal_w(lam=0.0, t=[1, 4], gamma=2.0, backend="float64")
    for i, t in enumerate((1, 4)):
        assert _close(best.w[i], rt.optimal_w(lam=0.0, t=t, gamma=2.0, dps=15).w)


def test_refusals():
    # κ ill-conditioned: γ at 1 + 1e-12 with λ = 0 (κ₀ ~ 1e-12)
    with pytest.raises(ValueError, match="ill-conditioned.*backend='mpmath'"):
        rt.limiting_risk(0.5, lam=0.0, gamma=1 + 1e-12, backend="float64")
    # a peak of H float64 quadrature cannot resolve
    with pytest.raises(ValueError, match="cannot integrate"):
        rt.limiting_risk(0.5, "ar1", rho=0.99999, lam=1e-9, gamma=2.0, backend="float64")
    with pytest.raises(ValueError, match="finite t needs lam = 0"):
        rt.optimal_w(lam=0.5, t=3, backend="float64")
    with pytest.raises(ValueError, match="scheme='mix' only"):
        rt.limiting_risk(None, lam=0.5, t=3, scheme="replace", backend="float64")
    with pytest.raises(ValueError, match=r"^backend must be one of \['mpmath', 'float64'\]"):
        rt.optimal_w(backend="numpy")
    with pytest.raises(ValueError, match=r"^w\[1\] must be in \(0, 1\], received 1.5"):
        rt.limiting_risk([0.5, 1.5], backend="float64")
    with pytest.raises(TypeError, match="booleans"):
        rt.limiting_risk(0.5, lam=[True, False], backend="float64")
    with pytest.raises(ValueError, match="gamma must differ from 1"):
        rt.optimal_w(lam=[0.0, 0.1], gamma=1.0, backend="float64")


def test_scalars_in_give_floats_out():
    r = rt.limiting_risk(0.5, lam=0.5, backend="float64")
    assert isinstance(r.bias, float) and isinstance(float(r), float) and r.shape == ()
    o = rt.optimal_w(lam=0.5, backend="float64")
    assert isinstance(o.w, float) and o.on_boundary is False
    assert isinstance(rt.kappa(0.5, backend="float64"), float)
    with ctx_mp.workdps(15):
        assert abs(o.w - float(rt.optimal_w(lam=0.5, dps=15).w)) <= 1e-10 * o.w
