"""Properties of the public numeric API, checked with Hypothesis.

Each property holds for every admissible input; the strategies cover
γ on both sides of 1, λ over several decades and random discrete spectra,
and pinned examples keep the edge cases in every run.
"""
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mpmath import mp

import rmtheory as rt
from rmtheory.numeric import make_spectrum
from rmtheory.numeric.fast import risk_grid

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)
gammas = st.floats(0.1, 10.0).filter(lambda g: abs(g - 1) > 0.05)
lams = st.floats(1e-4, 1e2)
weights = st.floats(0.02, 1.0)
atoms = st.lists(st.floats(0.1, 10.0), min_size=1, max_size=4, unique=True)


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
    assert res.bias >= 0 and res.variance >= 0 and res.total == res.bias + res.variance


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
@given(w=st.floats(0.05, 0.95), gamma=gammas, lam=st.floats(1e-3, 1e2))
def test_float64_path_agrees_with_mpmath(w, gamma, lam):
    spec = make_spectrum("spiked")
    b, v = risk_grid(np.array([w]), np.array([lam]), spec, gamma=gamma)
    ref = float(rt.limiting_risk(w, "spiked", gamma=gamma, lam=lam, dps=20))
    assert abs(b[0] + v[0] - ref) <= 1e-10 * ref


@pytest.mark.parametrize("call", [
    lambda: rt.limiting_risk(1.5),
    lambda: rt.optimal_w(gamma=-1.0),
    lambda: rt.kappa(-1.0),
])
def test_precision_is_restored_after_an_error(call):
    before = mp.dps
    with pytest.raises(ValueError):
        call()
    assert mp.dps == before
