"""The SymPy symbols of the model, as the formulas use them.

The same objects as :mod:`rmtheory.symbolic.symbols`, with the assumptions
SymPy may use (``w``, ``lam``, ``gamma`` are positive, ``t`` a
non-negative integer), so substituting into a formula works:

>>> import sympy as sp
>>> import rmtheory as rt
>>> rt.formula("c_w").rhs.subs(rt.symbols.w, sp.Rational(1, 2))
2/3
>>> rt.symbols.w == sp.Symbol("w")        # a plain Symbol("w") is another symbol
False

============== ============ ==================================================
name           prints as    meaning
============== ============ ==================================================
``w``          w            real-data weight, ``w ∈ (0, 1]``
``t``          t            number of refits
``lam``        λ            ridge penalty
``gamma``      γ            aspect ratio ``p/n``
``d``          d            an eigenvalue of ``XᵀX/n``
``s``          s            an eigenvalue of ``Σ``
``kappa``      κ            effective regularisation
``kappa_s``    κ_s          synthetic-to-real label-noise variance ratio
``sigma2``     σ²           real label-noise variance
``r2``         r²           signal strength ``‖β‖²``
``z``, ``m``   z, m         argument and value of a Stieltjes transform
``m1, m2``     m₁, m₂       ``m(−λ/w)`` and ``m(−λ/(2−w))``
============== ============ ==================================================
"""
from .symbolic.symbols import (beta_i, d, delta, gamma, kappa, kappa_s, lam, m, m1, m2, n,
                               q, r2, s, sigma2, t, v, w, z)

__all__ = ["w", "q", "t", "lam", "gamma", "d", "s", "n", "kappa", "kappa_s",
           "sigma2", "r2", "beta_i", "z", "m", "m1", "m2", "v", "delta"]
