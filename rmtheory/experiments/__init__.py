r"""The report's experiments: one module per claim, each a function
``<name>_data(sizes, seed)`` returning a :class:`FigureData` — theory
curves from :mod:`rmtheory.api` (and the symbolic layer's callables),
Monte Carlo points from :mod:`rmtheory.montecarlo`, and one :class:`Check`
(a calibrated verdict of :mod:`rmtheory.compare`) per simulated point.
:func:`rmtheory.plot.draw` draws any of them.

- :mod:`.golden_ratio`: ``w* = 1/φ`` for min-norm interpolation and OLS, every ``H``;
- :mod:`.ridge_w_star`: ridge, ``w*(λ) ∈ [1/2, 1]`` in the paper's models, ``λ_c``;
- :mod:`.risk_vs_t`: collapse at ``w = 0``, bounded for ``w > 0``, the ``1/3``
  threshold, dynamic mixing;
- :mod:`.schemes`: replace, mix, dynamic, accumulate simulated literally;
- :mod:`.ridge_t`: finite-``t`` ridge beyond isotropy; the schemes for ridge;
- :mod:`.kappa_s`: the optimal weight against the synthetic-noise ratio;
- :mod:`.beyond`: outside the assumptions (equicorrelated, ±1 entries, min-ℓ1);
- :mod:`.sweeps`: maps of ``w*(γ, λ)`` and ``λ_c(γ)`` (float64 backend);
- :mod:`.w_star_below_half`: a general ``(H, G)`` with ``w* < 1/2``, and its region.

The records (:class:`Sizes`, :class:`Model`, :class:`Check`, panels) are
in :mod:`.records`. Layers: experiments sit on top of the API, the
comparison and the Monte Carlo layer; nothing below imports them.

Examples
--------
>>> from rmtheory.experiments import QUICK, golden_ratio_data
>>> from rmtheory.plot import draw
>>> data = golden_ratio_data(QUICK, seed=0)
>>> len(draw(data).axes)
2
"""
from .records import (FULL, MODELS, PHI_INV, QUICK, Z95, Z_THRESHOLD, Check, FigureData, Line,
                      MapData, Model, Panel, Points, Sizes, SweepData, calibration_of,
                      format_checks)
from .golden_ratio import golden_ratio_data
from .ridge_w_star import ridge_w_star_data
from .risk_vs_t import risk_vs_t_data
from .schemes import schemes_data
from .ridge_t import ridge_t_data
from .kappa_s import kappa_s_data
from .beyond import beyond_data
from .sweeps import sweeps_data
from .w_star_below_half import w_star_below_half_data

__all__ = ["Sizes", "FULL", "QUICK", "Model", "MODELS", "Check", "Line", "Points", "Panel",
           "FigureData", "MapData", "SweepData", "FIGURES", "PHI_INV", "Z_THRESHOLD", "Z95",
           "calibration_of", "format_checks", "golden_ratio_data", "ridge_w_star_data",
           "risk_vs_t_data", "schemes_data", "ridge_t_data", "kappa_s_data", "beyond_data",
           "sweeps_data", "w_star_below_half_data"]

#: every figure of the report in order: (name, data function); the
#: notebooks show the same ones (notebooks 3 and 4 have two each)
FIGURES = (("golden_ratio", golden_ratio_data),
           ("ridge_w_star", ridge_w_star_data),
           ("risk_vs_t", risk_vs_t_data),
           ("schemes", schemes_data),
           ("ridge_t", ridge_t_data),
           ("kappa_s", kappa_s_data),
           ("beyond", beyond_data),
           ("sweeps", sweeps_data),
           ("w_star_below_half", w_star_below_half_data))
