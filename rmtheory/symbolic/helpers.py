"""Exact, checked evaluation of the min-norm variance factors.

These call the derived expressions (never a retyped copy) and accept
numbers or SymPy expressions; bad values raise ``ValueError`` naming the
argument.
"""
import sympy as sp

from .._validation import check_int, check_real, check_weight
from .minnorm import derive_minnorm
from .symbols import kappa_s as _kappa_s
from .symbols import t as _t
from .symbols import w as _w
from .synthetic_noise import derive_synthetic_noise

__all__ = ["c_w", "c_t", "optimal_w_kappa_s"]


def c_w(w, kappa_s=1):
    r"""Stationary variance factor :math:`c(w;\kappa_s)`, exactly.

    .. math:: c(w;\kappa_s) = \frac{w^2 + \kappa_s(1-w)^2}{w(2-w)}

    Examples
    --------
    >>> from sympy import Rational
    >>> from rmtheory.symbolic import c_w
    >>> c_w(Rational(1, 2))
    2/3
    """
    # check before sympify: sympify would turn True into BooleanTrue and parse strings
    w = sp.sympify(check_weight(w))
    kappa_s = sp.sympify(check_real("kappa_s", kappa_s, low=0))
    expr = derive_minnorm().c_w_kappa_s.subs({_w: w, _kappa_s: kappa_s})
    return sp.simplify(expr)


def c_t(w, t, kappa_s=1):
    r"""Variance factor after ``t`` refits, :math:`c_t(w;\kappa_s)`.

    ``w = 0`` (pure synthetic) is allowed here: ``c_t(0) = 1 + t``.

    Examples
    --------
    >>> from rmtheory.symbolic import c_t
    >>> c_t(0, 5)
    6
    """
    w = sp.sympify(check_real("w", w, low=0, high=1))
    t = check_int("t", t, low=0)
    kappa_s = sp.sympify(check_real("kappa_s", kappa_s, low=0))
    if w == 0:
        return 1 + t * kappa_s
    expr = derive_minnorm().c_t_kappa_s.subs({_w: w, _kappa_s: kappa_s, _t: t})
    return sp.simplify(expr)


def optimal_w_kappa_s(kappa_s):
    r"""Minimiser of :math:`c(w;\kappa_s)` over ``w ∈ (0, 1]``.

    .. math:: w^\star = \frac{\sqrt{\kappa_s^2 + 4\kappa_s} - \kappa_s}{2}

    Examples
    --------
    >>> from rmtheory.symbolic import optimal_w_kappa_s
    >>> optimal_w_kappa_s(1)
    -1/2 + sqrt(5)/2
    """
    kappa_s = sp.sympify(check_real("kappa_s", kappa_s, low=0, low_open=True))
    return sp.radsimp(derive_synthetic_noise().w_star.subs(_kappa_s, kappa_s))
