"""rmtheory: model collapse under iterative retraining on mixed real and
synthetic labels in high-dimensional linear regression.

Three layers, one truth: :mod:`rmtheory.symbolic` derives every closed form
with SymPy, :mod:`rmtheory.numeric` evaluates them with mpmath at any
precision, :mod:`rmtheory.montecarlo` simulates finite-n problems and
:mod:`rmtheory.compare` checks the theory against them.
The public contract (SPEC §4) lives in :mod:`rmtheory.api`:

>>> import rmtheory as rt
>>> float(rt.optimal_w(spectrum="spiked"))
0.6180339887498949

The formulas are SymPy expressions in the symbols :mod:`rmtheory.symbols`
(``rt.symbols.w``, ``rt.symbols.lam``, ...), and every result has a
machine-checked derivation (:func:`rmtheory.derivation`):

>>> import sympy as sp
>>> rt.formula("c_w").rhs.subs(rt.symbols.w, sp.Rational(1, 2))
2/3
>>> rt.derivation("c_w").title
'Result 1: min-norm interpolation under mixed retraining'
"""
from . import symbolic
from .api import (OptimalWeight, PrecisionError, RiskResult, critical_lambda, kappa,
                  limiting_risk, optimal_w, stieltjes, w_star_curve)
from .compare import convergence_study, verify
from .compare.deterministic import deterministic_equivalent
from .symbolic import formula, latex_formula
from . import symbols
from .proofs import derivation

__version__ = "0.1.0"
__all__ = ["symbolic", "symbols", "formula", "latex_formula", "derivation",
           "kappa", "stieltjes",
           "limiting_risk", "optimal_w", "critical_lambda", "w_star_curve",
           "verify", "convergence_study", "deterministic_equivalent",
           "RiskResult", "OptimalWeight", "PrecisionError", "__version__"]
