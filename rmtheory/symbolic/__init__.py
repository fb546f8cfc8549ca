"""Exact layer: every closed form derived with SymPy from the model.

Each ``derive_*`` function starts from the estimator and the label
recursion (:mod:`.model`, :mod:`.recursion`) and returns the steps of one
result; :mod:`.formulas` collects the end results by name for printing
and for the numeric layer.
"""
from .dynamic import derive_dynamic, greedy_weights
from .formulas import Formula, all_formulas, formula, formula_names, latex_formula
from .isotropic import derive_isotropic
from .minnorm import derive_minnorm
from .mixed import derive_mixed_risk
from .ols import derive_ols
from .ridge import derive_ridge
from .schemes import (SchemeMultipliers, derive_schemes, iterate_multipliers,
                      scheme_multipliers, step_functions)
from .synthetic_noise import derive_synthetic_noise
from .helpers import c_t, c_w, optimal_w_kappa_s

__all__ = [
    "derive_minnorm", "derive_synthetic_noise", "derive_dynamic",
    "greedy_weights", "derive_ridge", "derive_mixed_risk",
    "derive_isotropic", "derive_ols", "Formula", "formula",
    "formula_names", "all_formulas", "latex_formula",
    "c_t", "c_w", "optimal_w_kappa_s",
    "derive_schemes", "scheme_multipliers", "SchemeMultipliers",
    "step_functions", "iterate_multipliers",
]
