"""Numeric layer: the limit theory evaluated with mpmath at any precision.

Spectrum models (:mod:`.spectra`) and the fixed-point and Stieltjes
solvers (:mod:`.fixed_point`). Every routine works at the ambient
precision of :data:`rmtheory.numeric.context.mp`: the thread's private
mpmath context inside the public API, ``mpmath.mp`` when called directly
(then wrap calls in ``mpmath.mp.workdps(...)``; see :mod:`.context`).
"""
from .precision import NoConvergence
from .spectra import SPECTRUM_DEFAULTS, SPECTRUM_NAMES, Spectrum, make_spectrum
from .fixed_point import (atom_at_zero, bias_integral, df2, kappa_prime, solve_kappa,
                          solve_stieltjes, spectral_density, support_edges)

__all__ = [
    "NoConvergence", "SPECTRUM_DEFAULTS", "SPECTRUM_NAMES", "Spectrum", "make_spectrum",
    "atom_at_zero", "bias_integral", "df2", "kappa_prime", "solve_kappa",
    "solve_stieltjes", "spectral_density", "support_edges",
]
