"""Spectrum models of SPEC §3: defaults, exact integrals, user-built spectra,
precision of the quadrature for continuous laws, and input checks.

Exact references: moments of the AR(1) spectral law (``E s = 1``,
``E s² = E 1/s = (1+ρ²)/(1−ρ²)``, ``E log s = log(1−ρ²)`` by Szegő's
theorem), of ``U[a, b]`` (``E 1/s = log(b/a)/(b−a)``) and of the arcsine
law on ``[a, b]`` (``E 1/s = 1/√(ab)``).
"""
import math

import numpy as np
import pytest
from mpmath import mp

from rmtheory.numeric import (SPECTRUM_DEFAULTS, SPECTRUM_NAMES, NoConvergence, Spectrum,
                              make_spectrum)


@pytest.fixture(params=SPECTRUM_NAMES)
def every_spectrum(request):
    """Every named model with its default parameters."""
    return make_spectrum(request.param)


def close(a, b, digits):
    return abs(a - b) <= mp.mpf(10)**(-digits) * max(1, abs(b))


# --------------------------------------------------------------------------
# every model
# --------------------------------------------------------------------------

def test_every_model_is_a_pair_of_probability_measures(every_spectrum):
    with mp.workdps(30):
        assert close(every_spectrum.integrate_H(lambda s: mp.one), 1, 28)
        assert close(every_spectrum.integrate_G(lambda s: mp.one), 1, 28)
        lo, hi = every_spectrum.support
        assert 0 < lo <= hi
        # ∫ s dH lies inside the support
        assert lo <= every_spectrum.integrate_H(lambda s: s) <= hi


def test_every_model_reports_its_parameters(every_spectrum):
    defaults = SPECTRUM_DEFAULTS[every_spectrum.name]
    assert set(every_spectrum.params) <= set(defaults)
    assert every_spectrum.name in repr(every_spectrum)
    assert make_spectrum(every_spectrum) is every_spectrum


def test_defaults_are_documented_and_filled_in():
    assert set(SPECTRUM_DEFAULTS) == set(SPECTRUM_NAMES) == {
        "isotropic", "discrete", "random_effects", "spiked", "equicorrelated", "ar1", "uniform"}
    assert make_spectrum("spiked").params == {"spikes": (4.0,), "alignments": (0.5,)}
    assert make_spectrum("discrete").params["signal_weights"] == (0.5, 0.5)
    assert make_spectrum("equicorrelated").params == {"rho": 0.5}
    assert make_spectrum("uniform", b=3).params == {"a": 0.5, "b": 3}


# --------------------------------------------------------------------------
# exact integrals
# --------------------------------------------------------------------------

def test_atom_models_integrate_exactly():
    with mp.workdps(40):
        iso = make_spectrum("isotropic")
        assert iso.atoms_H == [(1, 1)] and iso.atoms_G == [(1, 1)]
        eq = make_spectrum("equicorrelated", rho=0.25)
        assert eq.atoms_H == [(mp.mpf(3) / 4, 1)]
        assert eq.closed_forms.scale() == mp.mpf(3) / 4
        spiked = make_spectrum("spiked", spikes=(4, 9), alignments=(0.25, 0.5))
        assert spiked.atoms_H == [(1, 1)]
        assert spiked.atoms_G == [(1, mp.mpf(1) / 4), (5, mp.mpf(1) / 4), (10, mp.mpf(1) / 2)]
        # ∫ s dG = 1/4 + 5/4 + 5
        assert spiked.integrate_G(lambda s: s) == mp.mpf(13) / 2
        disc = make_spectrum("discrete", eigs=(1, 10, 100), weights=(0.5, 0.25, 0.25),
                             signal_weights=(0, 0, 1))
        assert disc.integrate_H(lambda s: s) == 28
        assert disc.atoms_G == [(100, 1)]
        assert disc.is_discrete


def test_signal_is_spectrum_flags_g_equal_h():
    assert make_spectrum("isotropic").signal_is_spectrum
    assert make_spectrum("ar1").signal_is_spectrum
    assert make_spectrum("discrete").signal_is_spectrum
    assert make_spectrum("discrete", eigs=(1, 2), weights=(0.5, 0.5),
                         signal_weights=(0.5, 0.5)).signal_is_spectrum
    assert not make_spectrum("spiked").signal_is_spectrum
    assert not Spectrum.from_atoms([1, 2], [0.5, 0.5], [1, 0]).signal_is_spectrum


def test_weights_are_renormalised_at_the_working_precision():
    # binary sum 0.9999999999999999; the weights the user typed (floats are read
    # as their shortest decimals) sum to 1, and each keeps its 60 digits
    spec = Spectrum.from_atoms([1, 2, 3], [0.1, 0.2, 0.7])
    with mp.workdps(60):
        weights = [w for _, w in spec.atoms_H]
        assert mp.fsum(weights) == 1
        assert close(weights[0], mp.mpf(1) / 10, 58)
    spec = Spectrum.from_atoms([1, 2, 3], [0.25, 0.25, 0.5000000000001])   # renormalised
    with mp.workdps(60):
        weights = [w for _, w in spec.atoms_H]
        assert close(mp.fsum(weights), 1, 58)
        assert close(weights[0], mp.mpf("0.25") / mp.mpf("1.0000000000001"), 58)


def test_spiked_with_full_alignment_drops_the_bulk_atom():
    spec = make_spectrum("spiked", spikes=(3.0,), alignments=(1.0,))
    with mp.workdps(20):
        assert spec.atoms_G == [(4, 1)]


@pytest.mark.parametrize("rho", [0.5, -0.5, 0.9])
def test_ar1_moments_are_exact(rho):
    spec = make_spectrum("ar1", rho=rho)
    with mp.workdps(40):
        r = mp.mpf(repr(rho))            # a float parameter means its shortest decimal
        second = (1 + r**2) / (1 - r**2)
        assert close(spec.integrate_H(lambda s: s), 1, 37)
        assert close(spec.integrate_H(lambda s: s**2), second, 37)
        assert close(spec.integrate_H(lambda s: 1 / s), second, 37)
        assert close(spec.integrate_H(mp.log), mp.log(1 - r**2), 37)   # Szegő
        lo, hi = spec.support
        assert close(lo, (1 - abs(r)) / (1 + abs(r)), 38) and close(hi, 1 / lo, 37)
        assert spec.atoms_H is None


def test_ar1_agrees_with_mp_quad_over_theta():
    """The reparametrised rule against plain ``mp.quad`` in ``θ``."""
    spec = make_spectrum("ar1", rho=0.7)
    with mp.workdps(30):
        r = mp.mpf("0.7")

        def f(theta):
            return (1 - r**2) / (1 - 2 * r * mp.cos(theta) + r**2)
        for g in (lambda s: s / (s + mp.mpf(0.3))**2, lambda s: mp.sqrt(s), mp.atan):
            reference = mp.quad(lambda t: g(f(t)), [0, mp.pi / 2, mp.pi]) / mp.pi
            assert close(spec.integrate_H(g), reference, 27)


def test_uniform_moments_are_exact():
    spec = make_spectrum("uniform", a=0.5, b=2)
    with mp.workdps(50):
        assert close(spec.integrate_H(lambda s: s), mp.mpf(5) / 4, 47)
        assert close(spec.integrate_H(lambda s: 1 / s), mp.log(4) / mp.mpf(1.5), 47)
        assert spec.support == (mp.mpf(0.5), 2)


def test_from_density_with_smooth_and_singular_densities():
    smooth = Spectrum.from_density(lambda s: 2 * (s - 1), 1, 2)
    arcsine = Spectrum.from_density(lambda s: 1 / (mp.pi * mp.sqrt((s - 1) * (2 - s))), 1, 2)
    with mp.workdps(30):
        assert close(smooth.integrate_H(lambda s: s), mp.mpf(5) / 3, 27)
        assert close(arcsine.integrate_H(lambda s: s), mp.mpf(3) / 2, 26)
        assert close(arcsine.integrate_H(lambda s: 1 / s), 1 / mp.sqrt(2), 26)
    assert smooth.name == "density" and smooth.params["a"] == 1


def test_from_density_signal_density():
    spec = Spectrum.from_density(lambda s: mp.one, 1, 2, signal_density=lambda s: 2 * (2 - s))
    with mp.workdps(25):
        assert close(spec.integrate_H(lambda s: s), mp.mpf(3) / 2, 22)
        assert close(spec.integrate_G(lambda s: s), mp.mpf(4) / 3, 22)


def test_from_sample_merges_equal_eigenvalues():
    spec = Spectrum.from_sample(np.array([2.0, 1.0, 2.0, 4.0]))
    with mp.workdps(20):
        assert spec.atoms_H == [(1, 0.25), (2, 0.5), (4, 0.25)]
        assert spec.integrate_G(lambda s: s) == mp.mpf(9) / 4
    assert spec.params["eigenvalues"] == (2.0, 1.0, 2.0, 4.0)


def test_random_effects_from_atoms_or_a_law():
    atoms = make_spectrum("random_effects", eigs=(1, 3), weights=(0.25, 0.75))
    law = make_spectrum("random_effects", law=make_spectrum("ar1", rho=0.3))
    named = make_spectrum("random_effects", law="uniform")
    with mp.workdps(30):
        assert atoms.integrate_G(lambda s: s) == atoms.integrate_H(lambda s: s) == mp.mpf(5) / 2
        assert law.integrate_G(mp.log) == law.integrate_H(mp.log)
        assert close(law.integrate_H(mp.log), mp.log(1 - mp.mpf("0.3")**2), 27)
        assert close(named.integrate_G(lambda s: s), 1, 27)
    assert make_spectrum("random_effects", law="isotropic").closed_forms is not None


def test_quadrature_digits_rise_with_precision():
    """The same integral at dps and dps + 20 agrees to dps − 2 digits."""
    for spec in (make_spectrum("ar1", rho=0.8), make_spectrum("uniform")):
        for dps in (15, 40, 80):
            with mp.workdps(dps):
                low = spec.integrate_H(lambda s: 1 / (s + mp.mpf(0.1)))
            with mp.workdps(dps + 20):
                high = spec.integrate_H(lambda s: 1 / (s + mp.mpf(0.1)))
                assert close(low, high, dps - 2)


def test_a_singular_integrand_raises_instead_of_returning_a_number():
    spec = make_spectrum("uniform", a=0.5, b=1.5)
    with mp.workdps(15):
        with pytest.raises(NoConvergence, match="residual") as info:
            spec.integrate_H(lambda s: 1 / (s - mp.mpf(1.1))**2)
    assert info.value.tolerance > 0 and info.value.residual > info.value.tolerance


def test_make_spectrum_shares_one_spectrum_per_parameters():
    """A repeated call returns the Spectrum already built (its quadrature
    rules per precision come with it); other parameters, other types of
    the same values, or unhashable ones give their own."""
    a = make_spectrum("discrete", eigs=[1, 4], weights=[0.5, 0.5])
    assert make_spectrum("discrete", eigs=[1, 4], weights=[0.5, 0.5]) is a
    assert make_spectrum("discrete", eigs=[1, 4], weights=[0.25, 0.75]) is not a
    assert make_spectrum("discrete", eigs=(1, 4), weights=[0.5, 0.5]) is not a
    assert make_spectrum("ar1") is make_spectrum("ar1")
    with mp.workdps(30):
        nodes, _ = a._H.rule(0)
    with mp.workdps(30):
        assert make_spectrum("discrete", eigs=[1, 4], weights=[0.5, 0.5])._H.rule(0)[0] is nodes
    law = {"unhashable": True}
    with pytest.raises(TypeError, match="law"):    # not cached, still validated
        make_spectrum("random_effects", law=law)


def test_no_global_precision_change():
    before = mp.prec
    with mp.workdps(45):
        make_spectrum("ar1").integrate_H(lambda s: s)
    assert mp.prec == before


# --------------------------------------------------------------------------
# bad input: ValueError / TypeError naming the argument
# --------------------------------------------------------------------------

BAD_INPUTS = [
    (ValueError, "spectrum", lambda: make_spectrum("gaussian")),
    (TypeError, "spectrum", lambda: make_spectrum(3.0)),
    (TypeError, "rho", lambda: make_spectrum("isotropic", rho=0.5)),
    (TypeError, "alpha", lambda: make_spectrum("ar1", alpha=1)),
    (TypeError, "rho", lambda: make_spectrum(make_spectrum("ar1"), rho=0.2)),
    (ValueError, "eigs", lambda: make_spectrum("discrete", eigs=(1, -2), weights=(0.5, 0.5))),
    (ValueError, "eigs", lambda: make_spectrum("discrete", eigs=(0, 1), weights=(0.5, 0.5))),
    (ValueError, "eigs", lambda: make_spectrum("discrete", eigs=(1, math.nan), weights=(0.5, 0.5))),
    (ValueError, "eigs", lambda: make_spectrum("discrete", eigs=(), weights=())),
    (TypeError, "eigs", lambda: make_spectrum("discrete", eigs=2.0, weights=(1.0,))),
    (TypeError, "eigs", lambda: make_spectrum("discrete", eigs="12", weights=(0.5, 0.5))),
    (ValueError, "weights", lambda: make_spectrum("discrete", eigs=(1, 2), weights=(1.5, -0.5))),
    (ValueError, "weights", lambda: make_spectrum("discrete", eigs=(1, 2), weights=(0.5, 0.4))),
    (ValueError, "weights", lambda: make_spectrum("discrete", eigs=(1, 2),
                                                   weights=(0.2, 0.3, 0.5))),
    (ValueError, "weights", lambda: make_spectrum("discrete", eigs=(1, 2), weights=(math.inf, 0))),
    (TypeError, "weights", lambda: make_spectrum("discrete", eigs=(1, 2), weights=(True, False))),
    (ValueError, "signal_weights", lambda: make_spectrum("discrete", eigs=(1, 2),
                                                          weights=(0.5, 0.5),
                                                          signal_weights=(0.9, 0.9))),
    (ValueError, "signal_weights", lambda: Spectrum.from_atoms([1, 2], [0.5, 0.5], [1.0])),
    (ValueError, "spikes", lambda: make_spectrum("spiked", spikes=(0.0,), alignments=(0.5,))),
    (ValueError, "alignments", lambda: make_spectrum("spiked", spikes=(1.0,), alignments=(1.5,))),
    (ValueError, "alignments", lambda: make_spectrum("spiked", spikes=(1, 2),
                                                      alignments=(0.6, 0.6))),
    (ValueError, "alignments", lambda: make_spectrum("spiked", spikes=(1, 2), alignments=(0.5,))),
    (ValueError, "rho", lambda: make_spectrum("equicorrelated", rho=1.0)),
    (ValueError, "rho", lambda: make_spectrum("equicorrelated", rho=-0.1)),
    (ValueError, "rho", lambda: make_spectrum("ar1", rho=1.0)),
    (ValueError, "rho", lambda: make_spectrum("ar1", rho=-1.5)),
    (TypeError, "rho", lambda: make_spectrum("ar1", rho="0.5")),
    (ValueError, "a", lambda: make_spectrum("uniform", a=0.0, b=1.0)),
    (ValueError, "b", lambda: make_spectrum("uniform", a=2.0, b=1.0)),
    (TypeError, "law", lambda: make_spectrum("random_effects", law=3)),
    (TypeError, "law", lambda: make_spectrum("random_effects", law="ar1", eigs=(1.0,))),
    (TypeError, "density", lambda: Spectrum.from_density(2.0, 1, 2)),
    (ValueError, "density", lambda: Spectrum.from_density(lambda s: 2 * s, 1, 2)),
    (ValueError, "density", lambda: Spectrum.from_density(lambda s: 2 - 2 * s, 0.5, 1.5)),
    (ValueError, "b", lambda: Spectrum.from_density(lambda s: 1, 2, 2)),
    (ValueError, "eigenvalues", lambda: Spectrum.from_sample([1.0, -1.0])),
]


@pytest.mark.parametrize("error, name, call", BAD_INPUTS,
                         ids=[f"{i}-{e[1]}" for i, e in enumerate(BAD_INPUTS)])
def test_bad_input_names_the_argument(error, name, call):
    with pytest.raises(error, match=name):
        call()


def test_bad_input_messages_give_value_and_range():
    with pytest.raises(ValueError, match=r"rho must be in \[0, 1\), received 1.0"):
        make_spectrum("equicorrelated", rho=1.0)
    with pytest.raises(ValueError, match=r"weights must sum to 1 .* received sum 0.9"):
        make_spectrum("discrete", eigs=(1, 2), weights=(0.5, 0.4))
    with pytest.raises(ValueError,
                       match=r"spectrum must be one of \[.*'ar1'.*\], received 'gauss'"):
        make_spectrum("gauss")
