"""Certified values of the limit theory with ball arithmetic (python-flint).

Optional extra ``rmtheory[certified]``. Every function here returns, with
each number, a ball that provably contains the exact value of the limit
theory for the inputs as given: ``κ(λ)`` (:mod:`.kappa`), ``m(z)`` on the
physical branch (:mod:`.stieltjes`), the limiting risk (:mod:`.risk`), and
``w*``, ``λ_c`` (:mod:`.optimize`). The expressions evaluated are the
symbolic layer's (lambdified to balls by :mod:`.balls`).
"""
from .balls import CertificationError, require_flint

__all__ = ["CertificationError", "require_flint"]
