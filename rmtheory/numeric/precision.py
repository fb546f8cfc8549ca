"""Conversion of inputs to mpmath numbers and the tolerances of the solvers.

Every numeric routine works at the *ambient* mpmath precision (the caller
chooses it with ``mp.workdps``); these helpers convert an input once, at
that precision, and state the tolerances a converged result must meet.

Examples
--------
>>> from mpmath import mp
>>> from rmtheory.numeric.precision import to_mpf, residual_tolerance
>>> with mp.workdps(30):
...     print(to_mpf("lam", 0.25), residual_tolerance() < mp.mpf(10)**-27)
0.25 True
"""
import numbers
from fractions import Fraction

from mpmath import mp

from .._validation import check_real, is_symbolic

__all__ = ["NoConvergence", "to_mpf", "to_mpc", "real_input", "residual_tolerance",
           "step_tolerance", "GUARD_BITS"]

class NoConvergence(ArithmeticError):
    """A solver or a quadrature did not reach its tolerance.

    The message gives the residual, the tolerance and what to try; the
    numbers are kept as :attr:`residual` and :attr:`tolerance`.

    Examples
    --------
    >>> err = NoConvergence("kappa(lam)", 1e-10, 1e-28, "raise mp.dps")
    >>> err.tolerance
    1e-28
    """

    def __init__(self, what, residual, tolerance, advice=""):
        self.residual = residual
        self.tolerance = tolerance
        self.what = what
        message = (f"{what} did not converge: residual {_short(residual)} is above the "
                   f"tolerance {_short(tolerance)}")
        if advice:
            message += f"; try: {advice}"
        super().__init__(message)


def _short(x):
    try:
        return mp.nstr(x, 3)
    except Exception:  # pragma: no cover - anything printable
        return str(x)


#: extra bits a solver carries internally before rounding its result
GUARD_BITS = 12


def to_mpf(name, value):
    """``value`` as an ``mpf`` at the current precision.

    Accepts ``int``, ``float``, :class:`fractions.Fraction`, ``mpf``,
    NumPy scalars and numeric SymPy numbers (converted at the current
    precision, so ``Rational(1, 3)`` keeps every digit asked for).
    """
    if isinstance(value, Fraction):
        return mp.mpf(value.numerator) / value.denominator
    if is_symbolic(value):
        raise TypeError(f"{name} must be a number for the numeric layer, "
                        f"received the symbolic expression {value}")
    try:
        return mp.mpf(value)
    except (TypeError, ValueError):
        return mp.mpf(float(value))


def to_mpc(name, value):
    """``value`` as an ``mpc`` at the current precision (real or complex input)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, received bool {value!r}")
    is_complex = isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real)
    if not is_complex and getattr(value, "is_number", False) \
            and getattr(value, "is_real", None) is False:
        is_complex = True                      # a SymPy number such as 1 + I
    if not is_complex:
        return mp.mpc(real_input(name, value))
    try:
        c = mp.mpc(value)
    except (TypeError, ValueError):
        c = mp.mpc(complex(value))
    if not (mp.isfinite(c.real) and mp.isfinite(c.imag)):
        raise ValueError(f"{name} must be finite, received {value}")
    return c


def real_input(name, value, **bounds):
    """Check a real input (``check_real`` with ``bounds``) and convert it."""
    return to_mpf(name, check_real(name, value, **bounds))


def residual_tolerance(prec=None):
    """Largest accepted relative residual: ``2^(4 − prec)``, about ``10^(1.2 − dps)``."""
    prec = mp.prec if prec is None else prec
    return mp.ldexp(1, 4 - prec)


def step_tolerance(prec=None):
    """Largest accepted final relative Newton step: ``2^(−prec − 4)``."""
    prec = mp.prec if prec is None else prec
    return mp.ldexp(1, -prec - 4)
