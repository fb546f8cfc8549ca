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

__all__ = ["check_real", "check_weight", "check_int", "check_dps", "is_symbolic"]


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


def check_real(name, value, *, low=None, high=None, low_open=False,
               high_open=False):
    """Check ``value`` is a finite real in the stated interval and return it.

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
    return value


def check_weight(value, name="w"):
    """The real-data weight: ``w ∈ (0, 1]``."""
    return check_real(name, value, low=0, high=1, low_open=True)


def check_int(name, value, *, low=None):
    """An integer (not bool) ``>= low``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, sp.Integer)):
        raise TypeError(f"{name} must be an int, received {type(value).__name__} {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be an int >= {low}, received {value}")
    return int(value)


def check_dps(dps):
    """Working precision in decimal digits: an int ``>= 10``."""
    return check_int("dps", dps, low=10)
