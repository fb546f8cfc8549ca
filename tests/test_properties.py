"""Properties of the public numeric API, checked with Hypothesis.

Each property holds for every admissible input; the strategies cover
γ on both sides of 1, λ over several decades and random spectra of every
model (random effects, spiked with random spikes and alignments,
equicorrelated, AR(1), uniform), and pinned examples keep the edge cases
in every run.

Tolerances follow from the precision contract (SPEC §4: results are good
to ``dps − 5`` significant digits; the float64 path to ``1e-10``
relative), never from the values observed.
"""
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mpmath import mp

import rmtheory as rt
from rmtheory.numeric import NoConvergence, make_spectrum
from rmtheory.numeric.fast import risk_grid

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)
MEDIUM = settings(max_examples=15, deadline=None, derandomize=True)
FEW = settings(max_examples=12, deadline=None, derandomize=True)
gammas = st.floats(0.1, 10.0).filter(lambda g: abs(g - 1) > 0.05)
lams = st.floats(1e-4, 1e2)
weights = st.floats(0.02, 1.0)
atoms = st.lists(st.floats(0.1, 10.0), min_size=1, max_size=4, unique=True)
PHI_INV = (math.sqrt(5) - 1) / 2


# --------------------------------------------------------------------------
# spectrum models with random parameters: (name, params) pairs
# --------------------------------------------------------------------------

def _normalised(raw):
    total = math.fsum(raw)
    return tuple(x / total for x in raw)


@st.composite
def atom_models(draw, name="random_effects"):
    eigs = tuple(draw(atoms))
    raw = draw(st.lists(st.floats(0.05, 1.0), min_size=len(eigs), max_size=len(eigs)))
    params = dict(eigs=eigs, weights=_normalised(raw))
    if name == "discrete":        # a signal measure G different from H (zeros allowed)
        signal = draw(st.lists(st.sampled_from([0.0, 0.2, 0.5, 1.0]), min_size=len(eigs),
                               max_size=len(eigs)).filter(any))
        params["signal_weights"] = _normalised(signal)
    return name, params


@st.composite
def spiked_models(draw):
    k = draw(st.integers(1, 3))
    spikes = tuple(draw(st.lists(st.floats(0.1, 50.0), min_size=k, max_size=k)))
    shares = draw(st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k))
    total = draw(st.floats(0.0, 1.0))       # Σ α_j², the part of the signal on spikes
    return "spiked", dict(spikes=spikes, alignments=tuple(total * s / math.fsum(shares)
                                                          for s in shares))


equicorrelated_models = st.builds(lambda rho: ("equicorrelated", dict(rho=rho)),
                                  st.floats(0.0, 0.95))
ar1_models = st.builds(lambda rho: ("ar1", dict(rho=rho)), st.floats(-0.9, 0.9))
uniform_models = st.builds(lambda a, width: ("uniform", dict(a=a, b=a + width)),
                           st.floats(0.05, 3.0), st.floats(0.05, 5.0))
all_models = st.one_of(atom_models(), atom_models("discrete"), spiked_models(),
                       equicorrelated_models, uniform_models, ar1_models)

# pinned models: edges of every parameter range
SPIKE_ALL_SIGNAL = ("spiked", dict(spikes=(50.0,), alignments=(1.0,)))
SPIKE_NO_SIGNAL = ("spiked", dict(spikes=(0.1, 30.0), alignments=(0.0, 0.0)))
EQUI_STRONG = ("equicorrelated", dict(rho=0.95))
EQUI_ZERO = ("equicorrelated", dict(rho=0.0))
UNIFORM_WIDE = ("uniform", dict(a=0.05, b=5.05))
UNIFORM_NARROW = ("uniform", dict(a=3.0, b=3.05))
AR1_STRONG = ("ar1", dict(rho=-0.9))
RE_TWO = ("random_effects", dict(eigs=(0.5, 2.0), weights=(0.5, 0.5)))
RE_SPREAD = ("random_effects", dict(eigs=(0.1, 10.0), weights=(0.5, 0.5)))
DISCRETE_OFF = ("discrete", dict(eigs=(0.1, 10.0), weights=(0.5, 0.5),
                                 signal_weights=(1.0, 0.0)))


def rel_gap(a, b):
    """``|a − b| / |b|`` as an mpf (``0`` when both are ``0``)."""
    gap = abs(mp.mpf(a) - mp.mpf(b))
    return gap if gap == 0 else gap / abs(mp.mpf(b))


# --------------------------------------------------------------------------
# κ and the sign of the risk
# --------------------------------------------------------------------------

@SETTINGS
@given(gamma=gammas, lam=lams, eigs=atoms)
@example(gamma=2.0, lam=1e-4, eigs=[1.0]).via("pinned: tiny lambda, isotropic")
def test_kappa_increases_with_lambda(gamma, lam, eigs):
    params = dict(eigs=tuple(eigs), weights=tuple([1 / len(eigs)] * len(eigs)))
    low = rt.kappa(lam, "discrete", gamma=gamma, dps=20, **params)
    high = rt.kappa(lam * 1.5, "discrete", gamma=gamma, dps=20, **params)
    assert 0 < low < high


@SETTINGS
@given(w=weights, gamma=gammas, lam=st.one_of(st.just(0.0), lams), eigs=atoms)
@example(w=1.0, gamma=0.5, lam=0.0, eigs=[1.0]).via("pinned: OLS at w = 1")
def test_risk_parts_are_non_negative(w, gamma, lam, eigs):
    params = dict(eigs=tuple(eigs), weights=tuple([1 / len(eigs)] * len(eigs)))
    res = rt.limiting_risk(w, "discrete", gamma=gamma, lam=lam, dps=20, **params)
    assert res.bias >= 0 and res.variance >= 0
    with mp.workdps(20):                          # the sum at the result's precision
        assert res.total == res.bias + res.variance


@SETTINGS
@given(model=all_models, w=weights, gamma=gammas, lam=st.one_of(st.just(0.0), lams),
       r2=st.floats(0.0, 10.0), sigma2=st.floats(0.1, 10.0))
@example(model=SPIKE_ALL_SIGNAL, w=0.02, gamma=0.2, lam=1e-4, r2=1.0, sigma2=1.0)
@example(model=SPIKE_NO_SIGNAL, w=1.0, gamma=5.0, lam=100.0, r2=1.0, sigma2=0.1)
@example(model=EQUI_STRONG, w=0.5, gamma=1.06, lam=0.0, r2=10.0, sigma2=1.0)
@example(model=UNIFORM_WIDE, w=0.9, gamma=0.94, lam=1e-4, r2=1.0, sigma2=1.0)
@example(model=UNIFORM_NARROW, w=1.0, gamma=0.1, lam=0.0, r2=0.0, sigma2=1.0)
@example(model=AR1_STRONG, w=0.3, gamma=10.0, lam=1e-4, r2=1.0, sigma2=1.0)
@example(model=DISCRETE_OFF, w=0.02, gamma=2.0, lam=100.0, r2=1.0, sigma2=10.0)
def test_risk_parts_are_non_negative_for_every_model(model, w, gamma, lam, r2, sigma2):
    name, params = model
    res = rt.limiting_risk(w, name, gamma=gamma, lam=lam, r2=r2, sigma2=sigma2, dps=20,
                           **params)
    assert res.bias >= 0 and res.variance > 0
    with mp.workdps(20):
        assert res.total == res.bias + res.variance
    if r2 == 0:                                   # no signal, no bias
        assert res.bias == 0


# --------------------------------------------------------------------------
# continuity at the two special branches: λ = 0 and w = 1
# --------------------------------------------------------------------------

#: R(λ) − R(0) = O(λ): the relative constant is about 1/(w · min supp H · (γ−1)²)
#: (≤ 2e4 at the corners of these ranges, bounded by 1e7), so at λ = 1e-14 a
#: correct limit differs by < 1e-7 of the risk, a wrong λ = 0 branch by O(1)
LAM_TINY = 1e-14
LAM_TOL = mp.mpf("1e-6")


@MEDIUM
@given(model=all_models, w=weights, gamma=gammas, r2=st.floats(0.0, 10.0),
       sigma2=st.floats(0.1, 10.0), kappa_s=st.sampled_from([1.0, 0.3, 3.0]))
@example(model=("isotropic", {}), w=1.0, gamma=1.06, r2=1.0, sigma2=1.0, kappa_s=1.0)
@example(model=("isotropic", {}), w=1.0, gamma=0.94, r2=1.0, sigma2=1.0, kappa_s=1.0)
@example(model=("isotropic", {}), w=0.02, gamma=0.1, r2=1.0, sigma2=1.0, kappa_s=1.0)
@example(model=SPIKE_ALL_SIGNAL, w=PHI_INV, gamma=10.0, r2=1.0, sigma2=1.0, kappa_s=1.0)
@example(model=EQUI_STRONG, w=0.5, gamma=0.5, r2=1.0, sigma2=1.0, kappa_s=3.0)
@example(model=UNIFORM_WIDE, w=0.999, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=1.0)
@example(model=DISCRETE_OFF, w=0.3, gamma=1.5, r2=1.0, sigma2=1.0, kappa_s=0.3)
def test_ridge_risk_tends_to_the_lambda_zero_risk(model, w, gamma, r2, sigma2, kappa_s):
    """Ridge at tiny λ → min-norm (γ > 1) / OLS (γ < 1): the λ = 0 branch is
    the limit of the λ > 0 formula, for every w and κ_s."""
    name, params = model
    kw = dict(gamma=gamma, r2=r2, sigma2=sigma2, kappa_s=kappa_s, dps=30, **params)
    at_0 = rt.limiting_risk(w, name, lam=0.0, **kw)
    tiny = rt.limiting_risk(w, name, lam=LAM_TINY, **kw)
    assert rel_gap(tiny.total, at_0.total) <= LAM_TOL
    assert abs(tiny.bias - at_0.bias) <= LAM_TOL * at_0.total
    assert abs(tiny.variance - at_0.variance) <= LAM_TOL * at_0.total


@settings(max_examples=4, deadline=None, derandomize=True)     # ~1 s per evaluation
@given(w=st.floats(0.1, 1.0), gamma=st.one_of(st.floats(0.1, 0.7), st.floats(1.5, 10.0)),
       t=st.integers(0, 3))
@example(w=1.0, gamma=2.0, t=0)
@example(w=0.3, gamma=0.5, t=3)
def test_finite_t_ridge_risk_tends_to_the_lambda_zero_risk(w, gamma, t):
    """The same limit for the iteration-t risk (isotropic: its own quadrature route)."""
    kw = dict(gamma=gamma, t=t, dps=15)
    at_0 = rt.limiting_risk(w, lam=0.0, **kw)
    tiny = rt.limiting_risk(w, lam=LAM_TINY, **kw)
    assert rel_gap(tiny.total, at_0.total) <= LAM_TOL


@MEDIUM
@given(model=all_models, lam=lams, gamma=gammas, r2=st.floats(0.0, 10.0),
       sigma2=st.floats(0.1, 10.0), kappa_s=st.sampled_from([1.0, 0.3, 3.0]))
@example(model=("isotropic", {}), lam=1e-4, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=1.0)
@example(model=("isotropic", {}), lam=100.0, gamma=0.1, r2=1.0, sigma2=1.0, kappa_s=1.0)
@example(model=("isotropic", {}), lam=3.3, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=1.0)
@example(model=SPIKE_ALL_SIGNAL, lam=1e-4, gamma=1.06, r2=10.0, sigma2=0.1, kappa_s=1.0)
@example(model=EQUI_STRONG, lam=1e-4, gamma=0.94, r2=1.0, sigma2=1.0, kappa_s=3.0)
@example(model=UNIFORM_WIDE, lam=1e-3, gamma=0.5, r2=1.0, sigma2=1.0, kappa_s=0.3)
@example(model=AR1_STRONG, lam=1.0, gamma=3.0, r2=1.0, sigma2=1.0, kappa_s=1.0)
def test_risk_is_continuous_in_w_at_one(model, lam, gamma, r2, sigma2, kappa_s):
    """``w = 1`` uses its own limit formula (``κ'(λ) − 1`` for the divided
    difference); ``R(1 − ε) → R(1)`` at the rate of the slope.

    ``S`` is the secant slope over ``[1 − 10⁻³, 1]``; by the mean value
    theorem ``|R(1−ε) − R(1)| ≤ ε (|R'(1)| + O(ε))``, and ``|R'(1)| ≤ S +
    10⁻³ max|R''|``; ``10 S + R(1)`` bounds that with a wide margin while a
    wrong ``w = 1`` value (a jump) is caught down to ``10⁻⁷`` of the risk.
    ε = 10⁻²⁰ also exercises the extra precision the divided difference needs.
    """
    name, params = model
    kw = dict(gamma=gamma, lam=lam, r2=r2, sigma2=sigma2, kappa_s=kappa_s, dps=30, **params)
    # at 40 digits: 1 − 10⁻²⁰ would round to 1 in double precision, and
    # ``.total`` adds bias and variance at the ambient precision (see
    # test_limiting_risk_is_stable_under_more_digits)
    with mp.workdps(40):
        at_1 = rt.limiting_risk(1, name, **kw).total
        secant = abs(at_1 - rt.limiting_risk(mp.mpf("0.999"), name, **kw).total) * 1000
        for eps in ("1e-7", "1e-13", "1e-20"):
            eps = mp.mpf(eps)
            near = rt.limiting_risk(1 - eps, name, **kw)
            assert near.w < 1
            # both values carry dps − 5 = 25 correct digits
            bound = eps * (10 * secant + at_1) + mp.mpf(10)**-24 * at_1
            assert abs(near.total - at_1) <= bound, (eps, near.total, at_1)


# --------------------------------------------------------------------------
# the optimal weight
# --------------------------------------------------------------------------

#: float64 grid of w (finer towards 1); its three best points are re-evaluated with mpmath
W_GRID = np.concatenate([np.linspace(0.002, 0.98, 1500), 1 - np.geomspace(0.02, 1e-6, 200)])
#: the float64 path agrees with mpmath to 1e-10 relative (tested below)
FLOAT_RTOL = 1e-10


@MEDIUM
@given(model=all_models, gamma=gammas, lam=lams, r2=st.floats(0.1, 10.0),
       sigma2=st.floats(0.1, 10.0), kappa_s=st.sampled_from([1.0, 0.3, 3.0]))
@example(model=("isotropic", {}), gamma=2.0, lam=3.3, r2=1.0, sigma2=1.0, kappa_s=1.0)
@example(model=("isotropic", {}), gamma=0.2, lam=1e-4, r2=1.0, sigma2=1.0, kappa_s=1.0)
@example(model=SPIKE_ALL_SIGNAL, gamma=2.0, lam=0.5, r2=10.0, sigma2=0.1, kappa_s=1.0)
@example(model=EQUI_STRONG, gamma=1.06, lam=1e-4, r2=1.0, sigma2=1.0, kappa_s=3.0)
@example(model=UNIFORM_WIDE, gamma=0.5, lam=0.01, r2=1.0, sigma2=1.0, kappa_s=0.3)
@example(model=RE_SPREAD, gamma=5.0, lam=100.0, r2=1.0, sigma2=10.0, kappa_s=1.0)
def test_optimal_w_is_no_worse_than_any_w_on_a_fine_grid(model, gamma, lam, r2, sigma2,
                                                        kappa_s):
    name, params = model
    spec = make_spectrum(name, **params)
    kw = dict(gamma=gamma, lam=lam, r2=r2, sigma2=sigma2, kappa_s=kappa_s)
    res = rt.optimal_w(spec, dps=20, **kw)
    best = res.risk.total
    assert 0 < res.w <= 1 and best <= res.risk_at_1.total
    assert res.on_boundary == (res.w == 1)
    b, v = risk_grid(W_GRID, np.full(W_GRID.shape, lam), spec, gamma=gamma, r2=r2,
                     sigma2=sigma2, kappa_s=kappa_s)
    grid = b + v
    # every grid value, within the float64 path's accuracy
    assert float(best) <= grid.min() * (1 + 3 * FLOAT_RTOL)
    # the best grid points and the two neighbours w* ± 10⁻⁵, in mpmath: within
    # the dps − 5 = 15 digits of both results (a neighbour is higher by about
    # R''·10⁻¹⁰/2, far above that, so an interior w* off by more than ~1e-8 fails)
    probes = [float(w) for w in W_GRID[np.argsort(grid)[:3]]]
    probes += [w for w in (res.w - mp.mpf("1e-5"), res.w + mp.mpf("1e-5")) if w <= 1]
    for w in probes:
        other = rt.limiting_risk(w, spec, dps=20, **kw).total
        assert best <= other * (1 + mp.mpf(10)**-14), w


@FEW
@given(model=all_models, gamma=gammas, r2=st.floats(0.0, 10.0), sigma2=st.floats(0.1, 10.0),
       kappa_s=st.sampled_from([1.0, 0.3, 3.0]), t=st.sampled_from([None, 1, 4]))
@example(model=("isotropic", {}), gamma=0.5, r2=1.0, sigma2=1.0, kappa_s=1.0, t=None)
@example(model=SPIKE_ALL_SIGNAL, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=3.0, t=1)
@example(model=EQUI_ZERO, gamma=1.06, r2=0.0, sigma2=1.0, kappa_s=0.3, t=4)
def test_min_norm_optimal_w_is_no_worse_than_any_w_on_a_grid(model, gamma, r2, sigma2,
                                                             kappa_s, t):
    """λ = 0 (min-norm/OLS), stationary or finite t: an mpmath grid."""
    name, params = model
    spec = make_spectrum(name, **params)
    kw = dict(gamma=gamma, lam=0.0, r2=r2, sigma2=sigma2, kappa_s=kappa_s, t=t)
    res = rt.optimal_w(spec, dps=20, **kw)
    if t is None:      # SPEC §2: (√(κ_s² + 4κ_s) − κ_s)/2, i.e. 1/φ at κ_s = 1
        with mp.workdps(30):
            ks = mp.mpf(repr(kappa_s))
            assert abs(res.w - (mp.sqrt(ks**2 + 4 * ks) - ks) / 2) <= mp.mpf(10)**-15
    for w in np.linspace(0.02, 1.0, 50):
        other = rt.limiting_risk(float(w), spec, dps=20, **kw).total
        assert res.risk.total <= other * (1 + mp.mpf(10)**-14)


@SETTINGS
@given(gamma=gammas, lam=lams, r2=st.floats(0.1, 10.0), sigma2=st.floats(0.1, 10.0),
       probe=weights)
@example(gamma=2.0, lam=3.3, r2=1.0, sigma2=1.0, probe=0.99).via("pinned: near lambda_c")
def test_isotropic_ridge_optimum_in_band_and_no_worse_than_a_probe(gamma, lam, r2, sigma2,
                                                                  probe):
    res = rt.optimal_w(gamma=gamma, lam=lam, r2=r2, sigma2=sigma2, dps=20)
    assert mp.mpf("0.5") <= res.w <= 1
    other = rt.limiting_risk(probe, gamma=gamma, lam=lam, r2=r2, sigma2=sigma2, dps=20)
    assert res.risk.total <= other.total * (1 + mp.mpf(10)**-15)


@SETTINGS
@given(model=st.one_of(atom_models(), spiked_models()), gamma=gammas, lam=lams,
       r2=st.floats(0.1, 10.0), sigma2=st.floats(0.1, 10.0))
@example(model=SPIKE_ALL_SIGNAL, gamma=2.0, lam=1e-4, r2=10.0, sigma2=0.1)
@example(model=SPIKE_ALL_SIGNAL, gamma=0.2, lam=100.0, r2=0.1, sigma2=10.0)
@example(model=SPIKE_NO_SIGNAL, gamma=5.0, lam=1.0, r2=1.0, sigma2=1.0)
@example(model=RE_SPREAD, gamma=1.06, lam=1e-4, r2=10.0, sigma2=0.1)
@example(model=RE_SPREAD, gamma=0.94, lam=10.0, r2=0.1, sigma2=10.0)
def test_random_effects_and_spiked_ridge_optimum_in_band(model, gamma, lam, r2, sigma2):
    """SPEC §3: ridge in the random-effects and spiked models has w* ∈ [1/2, 1]."""
    name, params = model
    res = rt.optimal_w(name, gamma=gamma, lam=lam, r2=r2, sigma2=sigma2, dps=20, **params)
    assert mp.mpf("0.5") <= res.w <= 1


# --------------------------------------------------------------------------
# float64 path against mpmath
# --------------------------------------------------------------------------

@SETTINGS
@given(w=st.floats(0.05, 0.95), gamma=gammas, lam=st.floats(1e-3, 1e2))
def test_float64_path_agrees_with_mpmath(w, gamma, lam):
    spec = make_spectrum("spiked")
    b, v = risk_grid(np.array([w]), np.array([lam]), spec, gamma=gamma)
    ref = float(rt.limiting_risk(w, "spiked", gamma=gamma, lam=lam, dps=20))
    assert abs(b[0] + v[0] - ref) <= 1e-10 * ref


@MEDIUM
@given(model=st.one_of(atom_models(), atom_models("discrete"), ar1_models, uniform_models),
       w=st.floats(0.05, 0.95), gamma=gammas, lam=st.floats(1e-3, 1e2),
       r2=st.floats(0.1, 10.0), sigma2=st.floats(0.1, 10.0))
@example(model=RE_TWO, w=0.5, gamma=1.07, lam=2e-3, r2=1.0, sigma2=1.0)    # κ ill-conditioned
@example(model=AR1_STRONG, w=0.5, gamma=2.0, lam=1e-3, r2=1.0, sigma2=1.0)
@example(model=("ar1", dict(rho=0.9)), w=0.95, gamma=0.94, lam=1e-3, r2=1.0, sigma2=1.0)
@example(model=UNIFORM_WIDE, w=0.05, gamma=0.5, lam=1e-3, r2=1.0, sigma2=1.0)
@example(model=UNIFORM_NARROW, w=0.95, gamma=10.0, lam=100.0, r2=1.0, sigma2=1.0)
@example(model=DISCRETE_OFF, w=0.5, gamma=1.06, lam=1e-3, r2=10.0, sigma2=0.1)
def test_float64_path_agrees_with_mpmath_for_other_models(model, w, gamma, lam, r2, sigma2):
    name, params = model
    spec = make_spectrum(name, **params)
    b, v = risk_grid(np.array([w]), np.array([lam]), spec, gamma=gamma, r2=r2, sigma2=sigma2)
    ref = rt.limiting_risk(w, spec, gamma=gamma, lam=lam, r2=r2, sigma2=sigma2, dps=20)
    total = float(ref.total)
    assert abs(b[0] - float(ref.bias)) <= FLOAT_RTOL * total
    assert abs(v[0] - float(ref.variance)) <= FLOAT_RTOL * total


# --------------------------------------------------------------------------
# precision: more digits change nothing but the digits beyond dps − 5
# --------------------------------------------------------------------------

def _agree(low, high, dps):
    """``low`` (at ``dps``) equals ``high`` (at ``dps + 20``) to ``dps − 5`` digits."""
    with mp.workdps(dps + 30):
        return abs(low - high) <= mp.mpf(10)**-(dps - 5) * abs(high)


def _sum(a, b, dps):
    with mp.workdps(dps + 30):
        return a + b


@FEW
@given(model=st.one_of(st.just(("isotropic", {})), atom_models(), spiked_models(),
                       equicorrelated_models, uniform_models, ar1_models),
       dps=st.integers(15, 40), w=weights, gamma=gammas, lam=st.one_of(st.just(0.0), lams))
@example(model=("isotropic", {}), dps=15, w=1.0, gamma=2.0, lam=0.0)
@example(model=UNIFORM_WIDE, dps=40, w=0.999, gamma=0.94, lam=1e-4)
@example(model=AR1_STRONG, dps=40, w=0.02, gamma=1.06, lam=100.0)
@example(model=SPIKE_ALL_SIGNAL, dps=33, w=1.0, gamma=0.5, lam=1e-4)
def test_limiting_risk_is_stable_under_more_digits(model, dps, w, gamma, lam):
    name, params = model
    kw = dict(gamma=gamma, lam=lam, **params)
    low = rt.limiting_risk(w, name, dps=dps, **kw)
    high = rt.limiting_risk(w, name, dps=dps + 20, **kw)
    assert _agree(low.bias, high.bias, dps)
    assert _agree(low.variance, high.variance, dps)
    # ``.total`` read as a user reads it, at the ambient precision (mp.dps = 15
    # by default), against the sum of the parts at dps + 20 digits
    assert _agree(low.total, _sum(high.bias, high.variance, dps), dps)


@FEW
@given(model=st.one_of(st.just(("isotropic", {})), atom_models(), spiked_models(),
                       equicorrelated_models, uniform_models),
       dps=st.integers(15, 40), gamma=gammas, lam=st.one_of(st.just(0.0), lams))
@example(model=("isotropic", {}), dps=15, gamma=2.0, lam=3.3)
@example(model=SPIKE_ALL_SIGNAL, dps=40, gamma=1.06, lam=1e-4)
@example(model=RE_SPREAD, dps=27, gamma=0.94, lam=0.0)
def test_optimal_w_is_stable_under_more_digits(model, dps, gamma, lam):
    name, params = model
    kw = dict(gamma=gamma, lam=lam, **params)
    low = rt.optimal_w(name, dps=dps, **kw)
    high = rt.optimal_w(name, dps=dps + 20, **kw)
    assert low.on_boundary == high.on_boundary
    assert _agree(low.w, high.w, dps)
    for a, b in ((low.risk, high.risk), (low.risk_at_1, high.risk_at_1)):
        assert _agree(a.total, _sum(b.bias, b.variance, dps), dps)   # as in the test above


# --------------------------------------------------------------------------
# mp.dps is never changed, also when a call raises
# --------------------------------------------------------------------------

CALLS = [
    lambda: rt.kappa(0.3, "ar1", gamma=0.5),
    lambda: rt.stieltjes(-0.5 + 0.25j, "spiked"),
    lambda: rt.limiting_risk(0.4, "uniform", lam=0.2),
    lambda: rt.optimal_w("random_effects", lam=0.1, dps=12),
    lambda: rt.limiting_risk(1.5),                          # ValueError
    lambda: rt.optimal_w(gamma=-1.0),                       # ValueError
    lambda: rt.optimal_w(gamma=1.0, lam=0.0),               # ValueError inside workdps
    lambda: rt.kappa(-1.0),                                 # ValueError
    lambda: rt.kappa(0.1, "ar1", alpha=1),                  # TypeError
    lambda: rt.limiting_risk(0.5, "spiked", lam=0.1, t=2),  # ValueError: finite t needs G = H
    lambda: rt.limiting_risk(0.5, dps=5),                   # ValueError
]


@SETTINGS
@given(call=st.sampled_from(CALLS), outer=st.integers(10, 60))
def test_precision_is_unchanged_by_any_call(call, outer):
    """Inside ``workdps(outer)`` the library must leave ``outer`` in force
    (a library that reset to its own default would pass a check at 15)."""
    with mp.workdps(outer):
        prec = mp.prec
        try:
            call()
        except (ValueError, TypeError, ArithmeticError):
            pass
        assert mp.dps == outer and mp.prec == prec


def _precision_dependent_kappa(lam, spec, gamma):
    # the library computes in its own context (mpmath.mp's dps never changes)
    from rmtheory.numeric.context import mp as library_mp
    return library_mp.one + library_mp.mpf(library_mp.dps) / 1000   # differs at the two checks


def _unconverged(*args, **kwargs):
    raise NoConvergence("kappa(lam)", 1e-3, 1e-30, "a larger dps")


@pytest.mark.parametrize("call, error", [
    (lambda mpatch: rt.limiting_risk(1.5), ValueError),
    (lambda mpatch: rt.optimal_w(gamma=-1.0), ValueError),
    (lambda mpatch: rt.kappa(-1.0), ValueError),
    # a natural NoConvergence: with r2 = 0 the slope at w = 1 stays positive
    (lambda mpatch: rt.critical_lambda(r2=0.0, dps=15), NoConvergence),
    # NoConvergence raised deep inside workdps + extraprec
    (lambda mpatch: (mpatch.setattr("rmtheory.numeric.risk.solve_kappa", _unconverged),
                     rt.limiting_risk(0.5, lam=0.1)), NoConvergence),
    # two precisions that disagree: PrecisionError from the confirmation step
    (lambda mpatch: (mpatch.setattr("rmtheory.api.solve_kappa", _precision_dependent_kappa),
                     rt.kappa(0.5)), rt.PrecisionError),
], ids=["value-w", "value-gamma", "value-lam", "no-convergence", "no-convergence-deep",
        "precision-error"])
@pytest.mark.parametrize("outer", [15, 23])
def test_precision_is_restored_after_an_error(call, error, outer, monkeypatch):
    with mp.workdps(outer):
        with pytest.raises(error):
            call(monkeypatch)
        assert mp.dps == outer


@pytest.mark.parametrize("argv, status, patch", [
    (["optimal-w", "--lam", "0.1", "--dps", "12"], 0, None),
    (["risk", "--w", "0.5", "--spectrum", "spiked", "--lam", "0.1", "--dps", "12"], 0, None),
    (["optimal-w", "--gamma", "-1"], 2, None),
    (["optimal-w"], 1, "optimal_w"),
])
def test_precision_is_unchanged_by_a_cli_call(argv, status, patch, monkeypatch, capsys):
    from rmtheory.cli import main
    if patch:
        monkeypatch.setattr(rt, patch, _unconverged)
    with mp.workdps(23):
        assert main(argv) == status
        assert mp.dps == 23
    capsys.readouterr()


# --------------------------------------------------------------------------
# issue 10: scales, NumPy scalars, long t, threads
# --------------------------------------------------------------------------

def _digits(x, y):
    with mp.workdps(120):
        x, y = mp.mpf(x), mp.mpf(y)
        return 120 if x == y else float(-mp.log10(abs(x - y) / abs(y)))


@FEW
@given(model=st.one_of(st.just(("isotropic", {})), atom_models(), atom_models("discrete"),
                       spiked_models()),
       w=weights, gamma=gammas, lam=st.one_of(st.just(0.0), lams),
       t=st.one_of(st.none(), st.integers(1, 40)),
       exponent=st.integers(-300, 300))
def test_risk_is_exactly_proportional_to_a_joint_scale_of_sigma2_and_r2(model, w, gamma, lam,
                                                                        t, exponent):
    # R(cσ², cr²) = c R(σ², r²): the digits of a result do not depend on its size
    name, params = model
    with mp.workdps(60):
        scale = mp.mpf(10)**exponent if exponent >= 0 else 1 / mp.mpf(10)**-exponent
    try:
        base = rt.limiting_risk(w, name, gamma=gamma, lam=lam, t=t, dps=25, **params)
        big = rt.limiting_risk(w, name, gamma=gamma, lam=lam, t=t, dps=25,
                               sigma2=_ten(exponent), r2=_ten(exponent), **params)
    except (NoConvergence, ValueError):   # e.g. a finite t the model does not have yet
        return
    for part in ("bias", "variance"):
        a, b = getattr(big, part), getattr(base, part)
        if b == 0:
            assert a == 0
        elif mp.isfinite(b):
            with mp.workdps(60):
                assert _digits(a, b * scale) >= 20


def _ten(exponent):
    from fractions import Fraction
    return Fraction(10)**exponent


NUMPY_TYPES = [np.float16, np.float32, np.float64, np.longdouble]


@FEW
@given(kind=st.sampled_from(NUMPY_TYPES), w=st.sampled_from([0.25, 0.5, 0.75, 1.0]),
       lam=st.sampled_from([0.0, 0.125, 0.5, 2.0]), gamma=st.sampled_from([0.5, 2.0, 4.0]))
def test_numpy_scalars_give_the_results_of_python_floats(kind, w, lam, gamma):
    # values exact in every binary format, so each type denotes the same number
    a = rt.limiting_risk(kind(w), gamma=kind(gamma), lam=kind(lam), dps=20)
    b = rt.limiting_risk(w, gamma=gamma, lam=lam, dps=20)
    assert (a.bias, a.variance) == (b.bias, b.variance)


@FEW
@given(w=st.floats(1e-3, 1.0), t=st.integers(20, 10**18), gamma=gammas)
def test_long_t_min_norm_risk_lies_between_its_neighbours(w, t, gamma):
    # c_t(w) is monotone in t (it moves from 1 towards c(w)), and it costs the same
    # for every t: a risk at t lies between those at t − 1 and t + 1 and tends to t = ∞
    r = [rt.limiting_risk(w, gamma=gamma, t=k, dps=20).variance for k in (t - 1, t, t + 1)]
    first = rt.limiting_risk(w, gamma=gamma, t=1, dps=20).variance
    limit = rt.limiting_risk(w, gamma=gamma, dps=20).variance
    assert min(r[0], r[2]) <= r[1] <= max(r[0], r[2])
    assert min(first, limit) <= r[1] <= max(first, limit)


@FEW
@given(calls=st.lists(st.sampled_from(CALLS), min_size=2, max_size=6),
       outer=st.integers(10, 60))
def test_concurrent_calls_match_solo_calls_and_leave_mp_alone(calls, outer):
    from concurrent.futures import ThreadPoolExecutor

    def outcome(call):
        try:
            return repr(call())
        except (ValueError, TypeError, ArithmeticError) as error:
            return f"{type(error).__name__}: {error}"
    with mp.workdps(outer):       # (the repr of an mpf follows the caller's dps)
        solo = [outcome(call) for call in calls]
        with ThreadPoolExecutor(len(calls)) as pool:
            together = list(pool.map(outcome, calls))
        assert mp.dps == outer
    assert together == solo
