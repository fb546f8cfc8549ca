"""Input checks shared by every public entry point.

Each check converts once at the boundary and raises ``TypeError`` for a
wrong type or ``ValueError`` for a bad value, naming the argument, the
value received and the allowed range. SymPy expressions pass a check
unless they provably violate it (as in ``sympy.stats``).
"""
import math
import numbers

import mpmath
import sympy as sp

__all__ = ["check_real", "check_weight", "check_int", "check_dps", "check_complex",
           "is_symbolic", "MAX_DPS"]

#: the largest working precision accepted: beyond it one evaluation takes
#: minutes to hours, so an absurd ``dps`` (a typo such as ``10**7``) is
#: refused at once instead of hanging the caller
MAX_DPS = 1000


def is_symbolic(value):
    """True for a SymPy expression with free symbols."""
    return isinstance(value, sp.Basic) and bool(value.free_symbols)


def _as_real(name, value):
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, received bool {value!r}")
    if isinstance(value, (numbers.Real, mpmath.mpf)):
        return value
    if isinstance(value, sp.Basic) and value.is_number:
        if value.is_real is False:
            raise ValueError(f"{name} must be real, received {value}")
        return value
    if isinstance(value, sp.Basic):
        return value
    try:  # numpy scalars and 0-d arrays
        import numpy as np
        if isinstance(value, np.ndarray) and value.ndim == 0 and np.isrealobj(value):
            return float(value)
        if isinstance(value, np.generic) and np.isrealobj(value):
            return float(value)
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"{name} must be a real number, received {type(value).__name__} {value!r}")


def _provably(condition):
    """``True`` only when a (possibly symbolic) relation is provably true."""
    result = condition if isinstance(condition, bool) else sp.sympify(condition)
    return result is True or result == sp.true


def _numeric(name, value):
    """A SymPy number or a ``Fraction`` as an mpf carrying ``MAX_DPS`` + guard
    digits (``mpmath.mpf`` converts neither ``sqrt(2)/2`` nor ``Fraction(1, 3)``);
    anything else as is."""
    if isinstance(value, sp.Basic):
        with mpmath.workdps(MAX_DPS + 20):
            return mpmath.mpf(sp.Float(value.evalf(MAX_DPS + 20), MAX_DPS + 20))
    if isinstance(value, numbers.Rational) and not isinstance(value, numbers.Integral):
        with mpmath.workdps(MAX_DPS + 20):
            return mpmath.mpf(value.numerator) / value.denominator
    return value


def check_real(name, value, *, low=None, high=None, low_open=False,
               high_open=False, symbolic=True):
    """Check ``value`` is a finite real in the stated interval and return it.

    ``symbolic=False`` (the numeric layer) refuses SymPy expressions with
    free symbols and returns a SymPy number as an mpf.

    Examples
    --------
    >>> check_real("gamma", 2.0, low=0, low_open=True)
    2.0
    >>> check_real("gamma", -1, low=0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be in (0, inf), received -1
    """
    value = _as_real(name, value)
    if not symbolic and is_symbolic(value):
        raise TypeError(f"{name} must be a number, received the symbolic {value}")
    if is_symbolic(value):
        lo_bad = low is not None and _provably(value <= low if low_open else value < low)
        hi_bad = high is not None and _provably(value >= high if high_open else value > high)
    else:
        as_float = float(value)
        if math.isnan(as_float) or math.isinf(as_float):
            raise ValueError(f"{name} must be finite, received {value}")
        lo_bad = low is not None and (value <= low if low_open else value < low)
        hi_bad = high is not None and (value >= high if high_open else value > high)
    if lo_bad or hi_bad:
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        interval = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
        raise ValueError(f"{name} must be in {interval}, received {value}")
    return value if symbolic else _numeric(name, value)


def check_weight(value, name="w", symbolic=True):
    """The real-data weight: ``w ∈ (0, 1]``."""
    return check_real(name, value, low=0, high=1, low_open=True, symbolic=symbolic)


def check_int(name, value, *, low=None, high=None):
    """An integer (not bool) ``>= low`` and ``<= high``.

    Examples
    --------
    >>> check_int("draws", 10**9, low=2, high=10**6)
    Traceback (most recent call last):
    ...
    ValueError: draws must be an int in [2, 1000000], received 1000000000
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, sp.Integer)):
        raise TypeError(f"{name} must be an int, received {type(value).__name__} {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        allowed = (f">= {low}" if high is None else f"<= {high}" if low is None
                   else f"in [{low}, {high}]")
        raise ValueError(f"{name} must be an int {allowed}, received {value}")
    return int(value)


def check_dps(dps):
    """Working precision in decimal digits: an int in ``[10, MAX_DPS]``."""
    return check_int("dps", dps, low=10, high=MAX_DPS)


def check_complex(name, value, *, nonzero=False):
    """A finite (real or complex) number, optionally nonzero, returned as is
    (a NumPy scalar as a Python ``complex``).

    Examples
    --------
    >>> check_complex("z", 1 + 2j)
    (1+2j)
    >>> check_complex("z", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: z must be finite, received nan
    """
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number, received {type(value).__name__} {value!r}")
    if isinstance(value, sp.Basic):
        if not value.is_number:
            raise TypeError(f"{name} must be a number, received the symbolic {value}")
        value = complex(value)
    try:  # NumPy scalars and 0-d arrays; an array of several values is refused below
        import numpy as np
        if isinstance(value, (np.generic, np.ndarray)) and np.ndim(value) == 0:
            value = complex(value)
    except ImportError:  # pragma: no cover
        pass
    if not isinstance(value, (numbers.Number, mpmath.mpf, mpmath.mpc)):
        raise TypeError(f"{name} must be a number, received {type(value).__name__} {value!r}")
    as_complex = complex(value)
    if not (math.isfinite(as_complex.real) and math.isfinite(as_complex.imag)):
        raise ValueError(f"{name} must be finite, received {value}")
    if nonzero and value == 0:
        raise ValueError(f"{name} must be nonzero, received {value}")
    return value
