r"""Theory against simulation: the layer above both.

:mod:`rmtheory.montecarlo` simulates finite-n problems and knows nothing of
the limit theory; :mod:`rmtheory.numeric` and :mod:`rmtheory.api` compute
the theory and know nothing of simulation. This package compares them:

- :mod:`.verify` runs independent designs and puts the Monte Carlo mean
  beside :func:`rmtheory.limiting_risk` (z-scores, 95% intervals,
  convergence in ``n``).

Examples
--------
>>> from rmtheory.compare import verify
>>> rep = verify("isotropic", n=20, gamma=2.0, w=1.0, lam=0.0, draws=3, seed=0, progress=False)
>>> rep.draws_completed
3
"""
from .verify import ConvergenceStudy, VerificationReport, convergence_study, verify

__all__ = ["verify", "convergence_study", "VerificationReport", "ConvergenceStudy"]
