"""rmtheory: model collapse under iterative retraining on mixed real and
synthetic labels in high-dimensional linear regression.

Three layers, one truth: :mod:`rmtheory.symbolic` derives every closed form
with SymPy, :mod:`rmtheory.numeric` evaluates them with mpmath at any
precision, :mod:`rmtheory.montecarlo` checks them by finite-n simulation.
"""
from . import symbolic
from .symbolic import formula, latex_formula

__version__ = "0.1.0"
__all__ = ["symbolic", "formula", "latex_formula", "__version__"]
