r"""Monte Carlo layer: finite-n problems, exact conditional risk, and the
literal retraining loop that checks every closed form.

- :mod:`.design` draws a problem ``(X, β, Σ)`` for each spectrum model.
- :mod:`.conditional` evaluates the exact risk given ``X``,

  .. math:: R_t = E\bigl[\|\hat\beta_t - \beta\|_\Sigma^2 \,\big|\, X\bigr],

  from the multipliers derived in :mod:`rmtheory.symbolic`.
- :mod:`.simulate` runs the loop itself, drawing every label noise.
- :mod:`.parallel` runs independent draws serially, on local processes or
  on Dask.

This layer imports nothing from the limit theory above it: the comparison
of simulation with theory is :mod:`rmtheory.compare`.

Examples
--------
>>> import numpy as np
>>> from rmtheory.montecarlo import ConditionalRisk, make_problem
>>> pr = make_problem("isotropic", n=40, gamma=2.0, rng=0)
>>> cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
>>> cr.rank
40
"""
from .conditional import ConditionalRisk, conditional_risk, conditional_risk_path
from .design import ENTRIES, SPECTRA, SPECTRUM_DEFAULTS, Problem, make_problem
from .simulate import SCHEMES, simulate_retraining, weight_schedule
from .parallel import BACKENDS
from .estimators import finite_n_w_star, min_l1_interpolation
from .scheme_paths import exact_scheme_path

__all__ = [
    "make_problem", "Problem", "SPECTRUM_DEFAULTS", "SPECTRA", "ENTRIES",
    "conditional_risk", "conditional_risk_path", "ConditionalRisk",
    "simulate_retraining", "weight_schedule", "SCHEMES",
    "BACKENDS",
    "min_l1_interpolation", "finite_n_w_star", "exact_scheme_path",
]
