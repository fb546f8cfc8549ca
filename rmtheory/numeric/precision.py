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
import decimal
import numbers

import sympy as sp

from .context import evaluate_sympy, export, mp

from .._validation import _is_bool, check_real, is_symbolic

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
        # numbers of the caller's mpmath type, whatever context computed them
        self.residual = export(residual)
        self.tolerance = export(tolerance)
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
    """``value`` as an ``mpf`` at the current precision: the one conversion of
    every real input of rmtheory (scalars and spectrum parameters alike).

    Each type is read as the number it denotes, rounded once to the
    working precision:

    * ``int`` (and NumPy integers), :class:`fractions.Fraction`, other
      :class:`numbers.Rational`, :class:`decimal.Decimal`, SymPy numbers
      (``Rational(1, 3)``, ``sqrt(2)``) and ``mpf`` — exactly;
    * a binary floating-point number — Python ``float``, NumPy
      ``float16``/``float32``/``float64``/``longdouble`` — as the shortest
      decimal that rounds to it in its own format: ``0.1`` means ``1/10``,
      as it reads, and so does ``np.float32(0.1)``. To mean the binary
      value of a double, pass ``mpmath.mpf(x)`` or ``Fraction(x)``.

    Booleans are refused.

    Examples
    --------
    >>> from fractions import Fraction
    >>> with mp.workdps(30):
    ...     print(to_mpf("rho", 0.1) == to_mpf("rho", Fraction(1, 10)))
    True
    """
    if _is_bool(value):
        raise TypeError(f"{name} must be a real number, received bool {value!r}")
    if isinstance(value, float):                 # also np.float64, a float subclass
        return mp.mpf(float.__repr__(value))
    if isinstance(value, numbers.Integral):
        return mp.mpf(int(value))
    if isinstance(value, numbers.Rational):
        return mp.mpf(int(value.numerator)) / int(value.denominator)
    if isinstance(value, decimal.Decimal):
        return mp.mpf(str(value))
    if hasattr(value, "_mpf_") and not isinstance(value, sp.Basic):
        return mp.mpf(value)                      # an mpf of any context
    if isinstance(value, sp.Basic):
        if is_symbolic(value):
            raise TypeError(f"{name} must be a number for the numeric layer, "
                            f"received the symbolic expression {value}")
        if value.is_Rational:
            return mp.mpf(int(value.p)) / int(value.q)
        if value.is_Float:
            return mp.mpf(value._mpf_)
        with mp.extraprec(20):                    # in the private context, not evalf's
            evaluated = evaluate_sympy(value)
        if hasattr(evaluated, "_mpc_"):
            if evaluated.imag != 0:
                raise ValueError(f"{name} must be real, received {value}")
            evaluated = evaluated.real
        return +mp.mpf(evaluated)
    try:
        import numpy as np
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return to_mpf(name, value[()])
        if isinstance(value, np.floating):
            return mp.mpf(np.format_float_scientific(value, unique=True))
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"{name} must be a real number, received {type(value).__name__} {value!r}")


def to_mpc(name, value):
    """``value`` as an ``mpc`` at the current precision (real or complex input).

    Real and imaginary parts are read as :func:`to_mpf` reads a real: a
    SymPy number such as ``Rational(-1, 3)`` or ``1 + I/3`` keeps every
    digit asked for, a Python ``complex`` is read part by part as two
    floats.
    """
    if _is_bool(value):
        raise TypeError(f"{name} must be a number, received bool {value!r}")
    if hasattr(value, "_mpc_") and not isinstance(value, sp.Basic):
        c = mp.mpc(value)                  # (SymPy's _mpc_ is a 53-bit evaluation)
    elif isinstance(value, sp.Basic):
        if is_symbolic(value):
            raise TypeError(f"{name} must be a number, received the symbolic {value}")
        if value.is_Rational or value.is_Float:
            c = mp.mpc(to_mpf(name, value))
        else:
            with mp.extraprec(20):                # in the private context, not evalf's
                c = +mp.mpc(evaluate_sympy(value))
    elif isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        # (NumPy's complex64/128/longdouble are numbers.Complex too)
        c = mp.mpc(to_mpf(name, value.real), to_mpf(name, value.imag))
    else:
        return mp.mpc(real_input(name, value))
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
