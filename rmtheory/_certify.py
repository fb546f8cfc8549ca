r"""``certify=True`` of the public functions: results with enclosures.

Each function here takes the arguments :mod:`rmtheory.api` has already
validated, computes balls with :mod:`rmtheory.numeric.certified`, and
builds the public result: a :class:`Certified` value for ``kappa``,
``stieltjes`` and ``critical_lambda``, a :class:`~rmtheory.api.RiskResult`
or :class:`~rmtheory.api.OptimalWeight` with ``enclosures`` otherwise.
``enclosures`` maps every reported field to ``(lo, hi)``, two ``mpf``
that provably bracket the exact value of the limit theory for the inputs
as given; the reported value is that value rounded to ``dps`` digits,
and both ends of the enclosure round to the same digits.

What is certified (anything else raises ``NotImplementedError`` naming
it, rather than return an uncertified number): scalar inputs;
``scheme="mix"``; ``t=None`` for every ``λ ≥ 0``, and finite ``t`` at
``λ = 0``; spectra of atoms (``isotropic``, ``discrete``,
``random_effects``, ``spiked``, ``equicorrelated``, ``Spectrum.from_atoms``,
``from_sample``) and the ``ar1`` and ``uniform`` laws; ``m(z)`` for
``Im z ≠ 0`` and ``z < 0``.
"""
from dataclasses import dataclass, field

import mpmath

from .numeric.context import add_at, mp

__all__ = ["Certified", "kappa", "stieltjes", "limiting_risk", "optimal_w",
           "critical_lambda", "check_supported"]


@dataclass(frozen=True)
class Certified:
    """A certified number: ``value`` (rounded to ``dps`` digits, every one of
    them fixed by the enclosure) and ``enclosures`` (field -> ``(lo, hi)``).

    ``float()`` (and ``complex()``) give the value; ``mpmath.mpf(result)``
    works too.
    """
    value: object
    enclosures: dict
    dps: int = 15
    params: dict = field(default_factory=dict)

    def __float__(self):
        return float(self.value)

    def __complex__(self):
        return complex(self.value)

    @property
    def _mpf_(self):
        return mpmath.mpf(self.value)._mpf_

    def __repr__(self):
        shown = mpmath.nstr(self.value, self.dps)
        return f"Certified({shown}, dps={self.dps})"

    def __str__(self):
        return mpmath.nstr(self.value, self.dps)


def _modules():
    from .numeric.certified import balls, digits
    balls.require_flint()
    return balls, digits


def check_supported(*, scheme="mix", backend="mpmath", t=None, lam=None):
    """``NotImplementedError`` for a combination ``certify=True`` does not cover."""
    if scheme != "mix":
        raise NotImplementedError(f"certify=True covers scheme='mix' only, received "
                                  f"scheme={scheme!r}")
    if backend != "mpmath":
        raise ValueError(f"certify=True computes with balls, not with backend={backend!r}; "
                         "leave backend='mpmath' (the default)")


def kappa(lam, spec, gamma, dps):
    """Certified ``κ(λ)``."""
    balls, digits = _modules()
    from .numeric.certified.kappa import enclose_kappa

    def compute(prec):
        H, _ = balls.ball_measures(spec)
        return {"kappa": enclose_kappa(balls.ball("lam", lam), H, balls.ball("gamma", gamma),
                                       prec)}
    out = digits.fixed_digits(compute, dps)
    value, enclosure = out["kappa"]
    return Certified(value, {"kappa": enclosure}, dps, dict(lam=lam, gamma=gamma))


def stieltjes(z, spec, gamma, dps):
    """Certified ``m(z)``: ``value`` an mpc, enclosures ``m.real`` and ``m.imag``."""
    balls, digits = _modules()
    from .numeric.certified.stieltjes import enclose_stieltjes

    def compute(prec):
        H, _ = balls.ball_measures(spec)
        return {"m": enclose_stieltjes(balls.ball_complex("z", z), H,
                                       balls.ball("gamma", gamma), prec, spectrum=spec)}
    out = digits.fixed_digits(compute, dps)
    return Certified(out["m"][0], {"m.real": out["m.real"][1], "m.imag": out["m.imag"][1]},
                     dps, dict(z=z, gamma=gamma))


def _risk_balls(w, lam, spec, gamma, r2, sigma2, t, kappa_s, prec, slope=False):
    balls, _ = _modules()
    from .numeric.certified.risk import risk_balls
    H, G = balls.ball_measures(spec)
    b = balls.ball
    return risk_balls(b("w", w), b("lam", lam), H, G, b("gamma", gamma), b("r2", r2),
                      b("sigma2", sigma2), b("kappa_s", kappa_s), prec, t=t, slope=slope)


def _risk_fields(w, lam, spec, gamma, r2, sigma2, t, kappa_s, dps):
    """``(bias, variance, enclosures)`` with the total's digits fixed too."""
    _, digits = _modules()

    def compute(prec):
        parts = _risk_balls(w, lam, spec, gamma, r2, sigma2, t, kappa_s, prec)
        return {"bias": parts.bias, "variance": parts.variance,
                "total": parts.bias + parts.variance}
    out = digits.fixed_digits(compute, dps)
    return _consistent(out, dps)


def _consistent(out, dps):
    """Bias and variance whose rounded sum (``RiskResult.total``) is the
    certified total's value; else the two at ``dps + 10`` digits (then their
    sum rounds to the certified total, whose digits are fixed)."""
    _, digits = _modules()
    bias, variance = out["bias"][0], out["variance"][0]
    total = out["total"][0]
    if add_at(bias, variance, dps) != total:
        lo_b, hi_b = out["bias"][1]
        lo_v, hi_v = out["variance"][1]
        bias = digits.rounded(_midpoint(lo_b, hi_b), dps + 10)
        variance = digits.rounded(_midpoint(lo_v, hi_v), dps + 10)
    enclosures = {k: out[k][1] for k in ("bias", "variance", "total")}
    return bias, variance, enclosures


def _midpoint(lo, hi):
    """``(lo + hi)/2`` exactly (no context's precision)."""
    return mpmath.ldexp(mpmath.fadd(lo, hi, exact=True), -1)


def limiting_risk(w, lam, spec, gamma, r2, sigma2, t, kappa_s, dps, params,
                  scheme="mix", backend="mpmath"):
    """A certified :class:`~rmtheory.api.RiskResult` (``enclosures``: bias,
    variance, total; ``w`` as given)."""
    check_supported(scheme=scheme, backend=backend, t=t, lam=lam)
    from .api import RiskResult
    from .numeric.precision import to_mpf
    bias, variance, enclosures = _risk_fields(w, lam, spec, gamma, r2, sigma2, t, kappa_s, dps)
    with mp.workdps(dps):          # the private context of the public call
        w_value = to_mpf("w", w)
    return RiskResult(w_value, bias, variance, params, enclosures=enclosures)


def optimal_w(spec, gamma, lam, sigma2, r2, t, kappa_s, dps, params, scheme="mix",
              backend="mpmath"):
    """A certified :class:`~rmtheory.api.OptimalWeight`: ``enclosures`` of ``w``
    and of the risk at ``w*`` (``risk.enclosures``) and at 1."""
    check_supported(scheme=scheme, backend=backend, t=t, lam=lam)
    if t is not None:
        raise NotImplementedError(f"certify=True: optimal_w covers t=None only (received t={t})")
    balls, digits = _modules()
    from .api import OptimalWeight, RiskResult
    from .numeric.certified.optimize import certify_optimum
    found = certify_optimum(spec, gamma, lam, sigma2, r2, kappa_s, dps)
    w_value, w_enclosure = found.w

    def risk_at_1():
        """The proof's balls at w = 1 if they fix ``dps`` digits, else afresh."""
        if found.at_1 is not None:
            # read at the proof's precision (the ends of a ball at FLINT's
            # default 53 bits would be rounded outwards)
            with balls.working_precision(2 * digits.bits_for(dps)) as flint:
                out, wide = digits._read(found.at_1, dps, flint)
            if wide is None:
                return _consistent(out, dps)
        return _risk_fields(1, lam, spec, gamma, r2, sigma2, None, kappa_s, dps)
    if found.on_boundary:
        bias, variance, risk_enc = risk_at_1()
        risk = RiskResult(w_value, bias, variance, params, enclosures=risk_enc)
        return OptimalWeight(w_value, risk, risk, True, params,
                             enclosures={"w": w_enclosure, **found.proof})
    if found.risk is None:         # λ = 0: the risk at the ball of the closed form
        from .numeric.certified.optimize import minnorm_w_ball

        def compute(prec):
            parts = _risk_balls(minnorm_w_ball(kappa_s), lam, spec, gamma, r2, sigma2, None,
                                kappa_s, prec)
            return {"bias": parts.bias, "variance": parts.variance,
                    "total": parts.bias + parts.variance}
        bias, variance, risk_enc = _consistent(digits.fixed_digits(compute, dps), dps)
        risk = RiskResult(w_value, bias, variance, params, enclosures=risk_enc)
    else:
        risk = RiskResult(w_value, *found.risk, params, enclosures=found.risk_enclosures)
    bias1, variance1, enc1 = risk_at_1()
    at_1 = RiskResult(mpmath.mpf(1), bias1, variance1, params, enclosures=enc1)
    (lo_1, hi_1), (lo_w, hi_w) = enc1["total"], risk.enclosures["total"]
    gain = (mpmath.fsub(lo_1, hi_w, exact=True), mpmath.fsub(hi_1, lo_w, exact=True))
    return OptimalWeight(w_value, risk, at_1, False, params,
                         enclosures={"w": w_enclosure, "gain": gain, **found.proof})


def critical_lambda(spec, gamma, r2, sigma2, kappa_s, dps):
    """Certified ``λ_c``: the zero of the slope at ``w = 1`` in a proved interval."""
    _modules()
    from .numeric.certified.optimize import certify_critical_lambda
    value, enclosure = certify_critical_lambda(spec, gamma, r2, sigma2, kappa_s, dps)
    return Certified(value, {"lambda_c": enclosure}, dps,
                     dict(gamma=gamma, r2=r2, sigma2=sigma2, kappa_s=kappa_s))
