r"""From balls to reported digits: the precision loop of a certified call.

A certified computation is a function ``compute(prec)`` that returns a
dict of balls (``arb`` or ``acb``). :func:`fixed_digits` runs it at rising
FLINT precisions until every ball is narrow enough that both of its ends
round to the same ``dps`` significant digits — the digits the enclosure
fixes — and returns, per field, that rounded value and the exact ends of
the ball. A ball that stays too wide after the last precision raises
:class:`~rmtheory.numeric.certified.balls.CertificationError`; nothing
uncertified is returned.

Examples
--------
>>> import flint, mpmath
>>> from rmtheory.numeric.certified.digits import fixed_digits
>>> value, (lo, hi) = fixed_digits(lambda prec: {"third": flint.arb(1) / 3}, 20)["third"]
>>> [mpmath.nstr(x, 20) for x in (value, lo, hi)]
['0.33333333333333333333', '0.33333333333333333333', '0.33333333333333333333']
"""
import mpmath
from mpmath import libmp

from .balls import CertificationError, endpoints, mid_mpf, relative_radius, require_flint
from .balls import working_precision

__all__ = ["fixed_digits", "rounded", "bits_for"]

#: guard bits of the first attempt, and the number of attempts
GUARD = 32
ATTEMPTS = 5


def bits_for(dps):
    """Working bits of the first attempt for ``dps`` digits."""
    return libmp.dps_to_prec(dps) + GUARD


def rounded(x, dps):
    """``x`` (mpf) rounded to ``dps`` significant digits' worth of bits."""
    return mpmath.mp.make_mpf(libmp.mpf_pos(x._mpf_, libmp.dps_to_prec(dps),
                                            libmp.round_nearest))


def _agrees(lo, hi, dps):
    if lo == hi:
        return True
    return libmp.to_str(lo._mpf_, dps) == libmp.to_str(hi._mpf_, dps)


def _fixed(b, dps):
    """``(value, (lo, hi))`` of a real ball, or ``None`` when its ends do not
    round to the same ``dps`` digits (or it is wider than ``10^-(dps+1)``)."""
    if not b.is_finite():
        return None
    lo, hi = endpoints(b)
    if not b.is_exact() and relative_radius(b) > 10.0**(-dps - 1):
        return None
    if not _agrees(lo, hi, dps):
        return None
    return rounded(mid_mpf(b), dps), (lo, hi)


def _read(balls, dps, flint):
    out = {}
    for name, b in balls.items():
        if isinstance(b, flint.acb):
            parts = (_fixed(b.real, dps), _fixed(b.imag, dps))
            if None in parts:
                return None, (name, b)
            out[name + ".real"], out[name + ".imag"] = parts
            out[name] = (mpmath.mpc(parts[0][0], parts[1][0]), None)
        else:
            fixed = _fixed(b, dps)
            if fixed is None:
                return None, (name, b)
            out[name] = fixed
    return out, None


def fixed_digits(compute, dps, *, start_bits=None, attempts=ATTEMPTS):
    """Run ``compute(prec)`` (a dict of balls) at rising precision until every
    ball fixes ``dps`` digits; a dict name -> ``(value, (lo, hi))`` (an acb
    ``name`` gives ``name.real`` and ``name.imag`` entries, and the value
    ``mpc``)."""
    flint = require_flint()
    prec = start_bits or bits_for(dps)
    last = None
    for _ in range(attempts):
        # the ends of a ball (arb.lower(), .upper()) round to the working
        # precision: read them inside it
        with working_precision(prec):
            try:
                balls = compute(prec)
            except CertificationError as exc:
                last, balls = exc, None
            if balls is not None:
                out, wide = _read(balls, dps, flint)
                if wide is None:
                    return out
                last = CertificationError(f"the enclosure of {wide[0]}, {wide[1].str(radius=True)}"
                                          f", does not fix {dps} digits at {prec} bits")
        prec = prec * 3 // 2 + 32
    raise last
