"""Input checks shared by every public entry point.

Each check converts once at the boundary and raises ``TypeError`` for a
wrong type or ``ValueError`` for a bad value, naming the argument, the
value received and the allowed range. SymPy expressions pass a check
unless they provably violate it (as in ``sympy.stats``).
"""
import decimal
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


def _is_bool(value):
    """``True``/``False`` and NumPy's ``np.True_``/``np.False_``: never a number here."""
    return isinstance(value, bool) or type(value).__name__ == "bool_"


def _as_real(name, value):
    """``value`` if it is a real number of a supported type (NumPy 0-d arrays
    unwrapped to their scalar, keeping its type), else ``TypeError``."""
    if _is_bool(value):
        raise TypeError(f"{name} must be a real number, received bool {value!r}")
    if isinstance(value, (numbers.Real, mpmath.ctx_mp_python._mpf)):
        return value
    if isinstance(value, sp.Basic) and value.is_number:
        # (a function value's reality is decided by sympy_value: asking SymPy's
        # assumptions would evalf it in mpmath's global context)
        if (value.is_Rational or value.is_Float or value.is_NumberSymbol) \
                and value.is_real is False:
            raise ValueError(f"{name} must be real, received {value}")
        return value
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, decimal.Decimal):
        return value
    try:  # a NumPy 0-d array as its scalar (NumPy's scalars are numbers.Real above)
        import numpy as np
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return _as_real(name, value[()])
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"{name} must be a real number, received {type(value).__name__} {value!r}")


def _is_finite(value):
    """Finiteness without a detour through ``float`` (which overflows for
    ``10**400`` and calls ``mpf('1e400')`` infinite)."""
    if isinstance(value, numbers.Integral):
        return True
    if isinstance(value, mpmath.ctx_mp_python._mpf):
        return bool(mpmath.isfinite(value))
    if isinstance(value, sp.Basic):
        return value.is_finite is not False and value is not sp.nan
    if isinstance(value, decimal.Decimal):
        return value.is_finite()
    if isinstance(value, numbers.Rational):
        return True
    try:
        import numpy as np
        if isinstance(value, np.generic):
            return bool(np.isfinite(value))
    except ImportError:  # pragma: no cover
        pass
    return math.isfinite(value)


def _needs_evaluation(value):
    """A numeric SymPy expression that is not a plain Rational or Float."""
    return isinstance(value, sp.Basic) and value.is_number and \
        not (value.is_Rational or value.is_Float)


def sympy_value(name, value, *, complex_allowed=False):
    """A numeric SymPy expression as a global ``mpmath.mpf`` (or ``mpc``),
    evaluated at 40 and at 80 digits in rmtheory's private mpmath context.

    The two must agree to 30 digits relative: an expression SymPy cannot
    decide, such as ``cos(1)**2 + sin(1)**2 - 1`` (an exact zero whose
    evaluations are rounding noise), is refused instead of being read as
    noise.
    """
    from .numeric.context import evaluate_sympy, export, mp, private_context
    with private_context():
        with mp.workdps(40):
            low = mp.mpc(evaluate_sympy(value))
        with mp.workdps(80):
            high = mp.mpc(evaluate_sympy(value))
            if not (mp.isfinite(high.real) and mp.isfinite(high.imag)):
                raise ValueError(f"{name} must be finite, received {value}")
            tol = mp.mpf(10)**-30
            for a, b in ((low.real, high.real), (low.imag, high.imag)):
                if a != b and not abs(a - b) <= tol * abs(b):
                    raise ValueError(f"{name} = {value} cannot be evaluated reliably (its "
                                     f"digits change with the precision: probably an exact "
                                     f"value SymPy cannot simplify); simplify it first")
            if not complex_allowed and high.imag != 0:
                raise ValueError(f"{name} must be real, received {value}")
            return export(high if complex_allowed else high.real)


def _provably(condition):
    """``True`` only when a (possibly symbolic) relation is provably true."""
    result = condition if isinstance(condition, bool) else sp.sympify(condition)
    return result is True or result == sp.true


def check_real(name, value, *, low=None, high=None, low_open=False,
               high_open=False, symbolic=True):
    """Check ``value`` is a finite real in the stated interval and return it.

    ``symbolic=False`` (the numeric layer) refuses SymPy expressions with
    free symbols. The value comes back as given (a NumPy 0-d array as its
    scalar): it is converted once, at the working precision, by
    :func:`rmtheory.numeric.precision.to_mpf`, which states how each type
    is read.

    Examples
    --------
    >>> check_real("gamma", 2.0, low=0, low_open=True)
    2.0
    >>> check_real("gamma", -1, low=0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be in (0, inf), received -1
    """
    if isinstance(value, sp.logic.boolalg.BooleanAtom):          # sp.true, sp.false
        raise TypeError(f"{name} must be a real number, received bool {value}")
    value = _as_real(name, value)
    if not symbolic and is_symbolic(value):
        raise TypeError(f"{name} must be a number, received the symbolic {value}")
    if _needs_evaluation(value):
        # gamma(1/3), besselj(0, 1): compared as the number they evaluate to, in
        # rmtheory's private mpmath context (SymPy's evalf would use mpmath.mp)
        check_real(name, sympy_value(name, value), low=low, high=high, low_open=low_open,
                   high_open=high_open)
        return value
    if is_symbolic(value):
        lo_bad = low is not None and _provably(value <= low if low_open else value < low)
        hi_bad = high is not None and _provably(value >= high if high_open else value > high)
    else:
        if not _is_finite(value):
            raise ValueError(f"{name} must be finite, received {value}")
        lo_bad = low is not None and (value <= low if low_open else value < low)
        hi_bad = high is not None and (value >= high if high_open else value > high)
    if lo_bad or hi_bad:
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        interval = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
        raise ValueError(f"{name} must be in {interval}, received {value}")
    return value


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
    try:  # a NumPy 0-d array as its scalar
        import numpy as np
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
    except ImportError:  # pragma: no cover
        pass
    if _is_bool(value):
        raise TypeError(f"{name} must be an int, received bool {value!r}")
    if not isinstance(value, (numbers.Integral, sp.Integer)):
        raise TypeError(f"{name} must be an int, received {type(value).__name__} {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        lo, hi = _readable_int(low), _readable_int(high)
        allowed = (f">= {lo}" if high is None else f"<= {hi}" if low is None
                   else f"in [{lo}, {hi}]")
        raise ValueError(f"{name} must be an int {allowed}, received {value}")
    return int(value)


def _readable_int(n):
    """``10**18`` as ``10^18`` (a bound a person can read); other ints as is."""
    if n is not None and n >= 10**7:
        exponent = len(str(n)) - 1
        if n == 10**exponent:
            return f"10^{exponent}"
    return n


def check_dps(dps):
    """Working precision in decimal digits: an int in ``[10, MAX_DPS]``."""
    return check_int("dps", dps, low=10, high=MAX_DPS)


def check_complex(name, value, *, nonzero=False):
    """A finite (real or complex) number, optionally nonzero, returned as
    given (a NumPy 0-d array as its scalar) so that no digit is lost before
    the numeric layer converts it (:func:`rmtheory.numeric.precision.to_mpc`).

    Examples
    --------
    >>> check_complex("z", 1 + 2j)
    (1+2j)
    >>> check_complex("z", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: z must be finite, received nan
    """
    if _is_bool(value) or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number, received {type(value).__name__} {value!r}")
    if isinstance(value, sp.logic.boolalg.BooleanAtom):          # sp.true, sp.false
        raise TypeError(f"{name} must be a number, received bool {value}")
    if _needs_evaluation(value):
        check_complex(name, sympy_value(name, value, complex_allowed=True), nonzero=nonzero)
        return value
    if isinstance(value, sp.Basic):
        if not value.is_number:
            raise TypeError(f"{name} must be a number, received the symbolic {value}")
        if value.is_finite is False or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise ValueError(f"{name} must be finite, received {value}")
        if nonzero and value.is_zero:
            raise ValueError(f"{name} must be nonzero, received {value}")
        return value
    try:  # NumPy scalars and 0-d arrays; an array of several values is refused below
        import numpy as np
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
    except ImportError:  # pragma: no cover
        pass
    if not isinstance(value, (numbers.Number, mpmath.ctx_mp_python._mpf,
                              mpmath.ctx_mp_python._mpc)):
        raise TypeError(f"{name} must be a number, received {type(value).__name__} {value!r}")
    if isinstance(value, mpmath.ctx_mp_python._mpc):
        finite = mpmath.isfinite(value.real) and mpmath.isfinite(value.imag)
    elif isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        finite = _is_finite(value.real) and _is_finite(value.imag)
    else:
        finite = _is_finite(value)
    if not finite:
        raise ValueError(f"{name} must be finite, received {value}")
    if nonzero and value == 0:
        raise ValueError(f"{name} must be nonzero, received {value}")
    return value
