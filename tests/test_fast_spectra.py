"""The float64 path integrates the spectrum it is given (issue 10, class 1).

Reference: the mpmath path (:func:`rmtheory.limiting_risk` at 20 digits
for the bias and the variance; the slope ``∂R/∂w`` that
:func:`rmtheory.numeric.optimize.slope_in_w` gives at 30 digits, as the
optimiser uses it). The float64 path takes its nodes from the measures of
the spectrum, so every way of building one is covered: the user
constructors and every named model, ``random_effects`` with several laws.
"""
import functools

import numpy as np
import pytest
from mpmath import mp

import rmtheory as rt
from rmtheory.numeric.fast import (optimal_w_float, optimal_w_grid, quadrature_nodes,
                                   risk_grid)
from rmtheory.numeric.optimize import slope_in_w
from rmtheory.numeric.spectra import Spectrum, make_spectrum

#: (w, λ): w in (0, 1), λ in {0.05, 0.5, 3}
POINTS = ((0.3, 0.05), (0.7, 0.5), (0.5, 3.0))
RISK_RTOL = 1e-10
SLOPE_RTOL = 1e-8

BUILDERS = {
    "from_atoms": lambda: Spectrum.from_atoms([0.5, 1, 3], [0.2, 0.5, 0.3]),
    "from_atoms-signal_weights": lambda: Spectrum.from_atoms(
        [0.5, 1, 3], [0.2, 0.5, 0.3], signal_weights=[0.6, 0.1, 0.3]),
    "from_density-2(s-1)": lambda: Spectrum.from_density(lambda s: 2 * (s - 1), 1, 2),
    "from_density-signal_density": lambda: Spectrum.from_density(
        lambda s: 2 * (s - 1), 1, 2, signal_density=lambda s: 2 * (2 - s)),
    "from_sample": lambda: Spectrum.from_sample([0.3, 1.0, 1.0, 2.5, 4.0]),
    "random_effects": lambda: make_spectrum("random_effects"),
    "random_effects-law=ar1": lambda: make_spectrum("random_effects", law="ar1"),
    "random_effects-law=uniform": lambda: make_spectrum("random_effects", law="uniform"),
    "random_effects-law=density": lambda: make_spectrum(
        "random_effects", law=Spectrum.from_density(lambda s: 3 * s**2 / 7, 1, 2)),
    "discrete-signal_weights": lambda: make_spectrum("discrete", signal_weights=(0.9, 0.1)),
    "spiked": lambda: make_spectrum("spiked"),
    "equicorrelated": lambda: make_spectrum("equicorrelated", rho=0.3),
    "isotropic": lambda: make_spectrum("isotropic"),
    "ar1-0.5": lambda: make_spectrum("ar1", rho=0.5),
    "ar1--0.7": lambda: make_spectrum("ar1", rho=-0.7),
    "ar1-0.9": lambda: make_spectrum("ar1", rho=0.9),
    "ar1-0.95": lambda: make_spectrum("ar1", rho=0.95),
    "ar1--0.95": lambda: make_spectrum("ar1", rho=-0.95),
    "uniform": lambda: make_spectrum("uniform", a=0.2, b=3.0),
}


@functools.lru_cache(maxsize=None)
def spectrum(kind):
    """One Spectrum per kind for the whole module (it keeps its rules)."""
    return BUILDERS[kind]()


def relative(a, b):
    return abs(a - b) / abs(b)


def grid(kind, gamma, derivative=False):
    ws = np.array([w for w, _ in POINTS])
    lams = np.array([lam for _, lam in POINTS])
    return risk_grid(ws, lams, spectrum(kind), gamma=gamma, derivative=derivative)


@pytest.mark.parametrize("gamma", [0.5, 2.0])
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_risk_grid_matches_mpmath(kind, gamma):
    spec = spectrum(kind)
    bias, variance = grid(kind, gamma)
    for i, (w, lam) in enumerate(POINTS):
        ref = rt.limiting_risk(w, spectrum=spec, gamma=gamma, lam=lam, dps=20)
        assert relative(bias[i], float(ref.bias)) <= RISK_RTOL, (w, lam, bias[i], ref.bias)
        assert relative(variance[i], float(ref.variance)) <= RISK_RTOL, \
            (w, lam, variance[i], ref.variance)


@pytest.mark.parametrize("gamma", [0.5, 2.0])
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_risk_grid_slope_matches_mpmath(kind, gamma):
    spec = spectrum(kind)
    slope = grid(kind, gamma, derivative=True)[2]
    for i, (w, lam) in enumerate(POINTS):
        with mp.workdps(30):
            ref = slope_in_w(mp.mpf(w), mp.mpf(lam), spec, mp.mpf(gamma), mp.one,
                             mp.one).dtotal_dw
            ref = float(ref)
        assert relative(slope[i], ref) <= SLOPE_RTOL, (w, lam, slope[i], ref)


def test_signal_density_has_its_own_nodes():
    # H = 2(s − 1) ds and G = 2(2 − s) ds on [1, 2]: ∫ s dH = 5/3, ∫ s dG = 4/3
    spec = spectrum("from_density-signal_density")
    nodes = quadrature_nodes(spec, [0.05, 10.0], gamma=2.0)
    assert abs(nodes.w_H @ nodes.s_H - 5 / 3) <= 1e-14
    assert abs(nodes.w_G @ nodes.s_G - 4 / 3) <= 1e-14
    assert abs(nodes.w_H.sum() - 1) <= 1e-14 and abs(nodes.w_G.sum() - 1) <= 1e-14


def test_float_rules_come_from_the_measure_and_are_kept():
    spec = spectrum("ar1-0.9")
    first = quadrature_nodes(spec, [0.01, 1.0], gamma=0.5)
    again = quadrature_nodes(spec, [0.01, 1.0], gamma=0.5)
    assert first.s_H is again.s_H and first.w_H is again.w_H   # not rebuilt per call
    levels = range(spec._H.start_level, spec._H.max_level + 1)
    assert any(first.s_H is spec._H.float_rule_at(level)[0] for level in levels)
    assert not first.s_H.flags.writeable


def test_smaller_penalties_take_a_finer_rule():
    spec = spectrum("ar1-0.95")
    coarse = quadrature_nodes(spec, [1.0, 10.0], gamma=0.5)
    fine = quadrature_nodes(spec, [1e-3, 10.0], gamma=0.5)
    assert len(fine.s_H) > len(coarse.s_H)


def test_optimal_w_grid_and_float_agree_with_mpmath():
    spec = spectrum("from_density-signal_density")
    ref = rt.optimal_w(spec, gamma=2.0, lam=0.5, dps=20)
    assert not ref.on_boundary
    on_grid = optimal_w_grid(np.array([0.5]), spec, gamma=2.0)[0]
    w_float, boundary = optimal_w_float(0.5, spec, gamma=2.0)
    assert not boundary
    assert abs(on_grid - float(ref.w)) <= 1e-8
    assert abs(w_float - float(ref.w)) <= 1e-8


def test_refuses_an_ar1_too_close_to_one():
    spec = make_spectrum("ar1", rho=0.999999)
    with pytest.raises(ValueError, match=r"Spectrum\('ar1', rho=0\.999999\).*not converged"):
        risk_grid([0.5], [0.05], spec, gamma=0.5)


@pytest.mark.parametrize("w, lam, message", [
    (1.0, 0.5, r"w must be in \(0, 1\).*received w = 1\.0"),
    (0.0, 0.5, r"w must be in \(0, 1\).*received w = 0\.0"),
    (0.5, 0.0, r"lam must be in \(0, inf\).*received lam = 0\.0"),
    (0.5, float("nan"), r"lam must be in \(0, inf\).*received lam = nan"),
])
def test_refusals_name_the_argument_value_and_range(w, lam, message):
    with pytest.raises(ValueError, match=message):
        risk_grid([0.3, w], [0.5, lam], make_spectrum("isotropic"))


def test_optimal_w_grid_refuses_a_zero_penalty():
    with pytest.raises(ValueError, match=r"lam must be in \(0, inf\).*received lam = 0\.0"):
        optimal_w_grid([0.5, 0.0], make_spectrum("isotropic"))
