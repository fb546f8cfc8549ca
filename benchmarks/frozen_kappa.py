"""The κ machinery of ``rmtheory.numeric`` as it was before the warm
starts, the Kantorovich stop, the joint pass over the atoms and the
closed-form moments of AR(1) and uniform (a frozen copy of the solver; the
integrals of a penalty one by one and by quadrature, the code path still
in ``risk.penalty_values`` and ``fixed_point``): the baseline of the ``optimal_w`` 2x
target measures the whole method of before, κ solves included.
:func:`frozen_kappa` swaps it in for the duration of a ``with``.
"""
import contextlib
import math

from rmtheory.numeric import fixed_point, risk
from rmtheory.numeric.context import mp
from rmtheory.numeric.fixed_point import (GUARD_BITS, KAPPA_MAX_GUARD_BITS, NoConvergence,
                                          _float_sums, _fns, _guard_bits, _kappa_guard_bits, _sums)
from rmtheory.numeric.precision import residual_tolerance, step_tolerance


def _bracketed_newton(fun, lo, hi, x, xtol, maxiter, sqrt):
    """Root of an increasing ``g`` with ``g(lo) < 0 < g(hi)``.

    ``fun(x) -> (g, g', scale)``. Newton steps are taken while they stay
    strictly inside the shrinking bracket, bisection (geometric when the
    bracket spans orders of magnitude) otherwise. Returns
    ``(x, g, g', scale, converged)`` where ``g`` is the residual at the last
    evaluated point and ``x`` the Newton update from it (or the bisection
    point once the bracket is narrower than ``xtol``).
    """
    g = dg = scale = None
    for _ in range(maxiter):
        g, dg, scale = fun(x)
        if g < 0:
            lo = x
        elif g > 0:
            hi = x
        else:
            return x, g, dg, scale, True
        newton = dg > 0
        if newton:
            xn = x - g / dg
            # test the step before the bracket: a step below one ulp leaves
            # xn == x, which sits on the bracket end just moved to x
            if abs(xn - x) <= xtol * abs(xn) and lo <= xn <= hi:
                return xn, g, dg, scale, True
            newton = lo < xn < hi
        if not newton:
            xn = sqrt(lo * hi) if lo > 0 and hi > 4 * lo else (lo + hi) / 2
        if not hi - lo > xtol * abs(hi):          # the sign change is localised
            return xn, g, dg, scale, True
        x = xn
    return x, g, dg, scale, False


def _kappa_float(H, gamma, lam):
    """Double-precision bracketed Newton: a starting point and the condition
    number ``scale/(κ g'(κ))``, or ``None`` when floats do not suffice."""
    F = _fns()
    try:
        nodes, weights = H.float_rule()
        gf = float(gamma)
        lf = None if lam is None else float(lam)
        if lf is not None and not (lf > 0 and math.isfinite(lf)):
            return None
        mean = math.fsum(w * x for x, w in zip(nodes, weights))

        def fun(k):
            i1, d1 = _float_sums(nodes, weights, F.i1, (k,))
            if lf is None:
                return F.k0eq(k, gf, i1), F.k0eq_d(k, gf, i1, d1), 1 + gf * i1
            return F.keq(k, gf, i1, lf), F.keq_d(k, gf, i1, d1), k * (1 + gf * i1) + lf
        if lf is None:
            lo, hi, x = 0.0, gf * mean, 0.0
        else:
            lo, hi = lf, lf + gf * mean
            x = hi
        x, g, dg, scale, _ = _bracketed_newton(fun, lo, hi, x, 1e-15, 200, math.sqrt)
        if not (math.isfinite(x) and x > 0 and dg > 0):
            return None
        return x, scale / (x * dg)
    except (OverflowError, ZeroDivisionError, ValueError):
        return None


def _kappa_root(spec, gamma, lam):
    """κ(λ) (``lam`` an mpf > 0) or κ₀ (``lam is None``, ``γ > 1``)."""
    H = spec._H
    prec = mp.prec
    start, cond = None, None
    if lam is not None and spec.closed_forms is not None:
        try:
            with mp.extraprec(GUARD_BITS):
                start = spec.closed_forms.kappa(lam, gamma)
            if not (mp.isfinite(start) and start > 0):
                start = None
        except (ZeroDivisionError, ValueError):
            start = None
    if start is None:
        found = _kappa_float(H, gamma, lam)
        if found is not None:
            start, cond = found
    bits = _guard_bits(cond, prec)
    while True:
        with mp.workprec(prec + bits):
            x, cond, failure = _kappa_newton(H, gamma, lam, start, prec)
        # an ill-conditioned root (γ ≈ 1 and λ small, say, or atoms of H
        # spanning 10^±100, where the residual changes by 10^-100 per unit
        # of κ) needs more guard bits: log2 of the condition number, not
        # capped at the precision (the cap returned a wrong κ₀ for such H)
        needed = _kappa_guard_bits(cond, bits)
        if needed > bits + 2:
            if needed > KAPPA_MAX_GUARD_BITS:
                raise NoConvergence(
                    f"kappa: the root is ill-conditioned (relative condition number "
                    f"~2^{needed - GUARD_BITS}), needing more than {KAPPA_MAX_GUARD_BITS} "
                    "guard bits", cond, mp.mpf(2)**KAPPA_MAX_GUARD_BITS,
                    "the spectrum (or gamma) spans too many orders of magnitude; "
                    "narrow the range of eigs")
            bits, start = needed, x
            continue
        if failure is not None:
            raise failure
        return +x


def _kappa_newton(H, gamma, lam, start, prec):
    """Bracketed Newton for κ at the working precision, with quadrature-level
    control; returns ``(κ, condition number, None or the NoConvergence to
    raise)``. ``prec`` is the target."""
    F = _fns()
    xtol, rtol = step_tolerance(prec), residual_tolerance(prec)

    def make(nodes, weights):
        if lam is None:
            def fun(k):
                i1, d1 = _sums(nodes, weights, F.i1, (k,))
                return F.k0eq(k, gamma, i1), F.k0eq_d(k, gamma, i1, d1), 1 + gamma * abs(i1)
        else:
            def fun(k):
                i1, d1 = _sums(nodes, weights, F.i1, (k,))
                return (F.keq(k, gamma, i1, lam), F.keq_d(k, gamma, i1, d1),
                        k * (1 + gamma * abs(i1)) + lam)
        return fun
    level = 0 if H.discrete else H.hint("kappa")
    x = None if start is None else mp.mpf(start)
    while True:
        nodes, weights = H.rule(level)
        mean = mp.fdot(weights, nodes)
        lo, hi = (mp.zero, gamma * mean) if lam is None else (lam, lam + gamma * mean)
        if x is None or not lo < x < hi:
            x = lo if lam is None else hi
        fun = make(nodes, weights)
        x, g, dg, scale, ok = _bracketed_newton(fun, lo, hi, x, xtol, 100 + 2 * prec, mp.sqrt)
        cond = scale / (x * dg) if dg > 0 else mp.inf
        if not ok or abs(g) > rtol * scale:
            return x, cond, NoConvergence(
                "kappa(lam)" if lam is not None else "kappa_0", abs(g) / scale, rtol,
                "raise the working precision, or check that gamma and the spectrum are in range")
        if H.discrete:
            break
        g1, dg1, scale1 = make(*H.rule(level + 1))(x)
        if abs(g1) <= rtol * scale1 and abs(g1) <= mp.ldexp(x * dg1, 2 - prec):
            H.record("kappa", level)
            break
        level += 1
        if level >= H.max_level:
            return x, cond, NoConvergence(
                "kappa(lam) with a continuous H", abs(g1) / scale1, rtol,
                "the quadrature of H did not settle; lower the precision")
    return x, cond, None



def _one_by_one(kappa, spectrum):
    """The integrals of a penalty taken one by one, as before (no joint pass)."""
    return None


def _no_closed_form(measure, kappa, names):
    """Quadrature for every continuous H, as before the closed-form moments."""
    return None


@contextlib.contextmanager
def frozen_kappa():
    """Run the block with the frozen κ solver in place of today's, and the
    integrals of ``risk.penalty_values`` taken one at a time as before."""
    original = fixed_point._kappa_root, risk.penalty_integrals, fixed_point._closed
    fixed_point._kappa_root, risk.penalty_integrals = _kappa_root, _one_by_one
    fixed_point._closed = _no_closed_form
    try:
        yield
    finally:
        fixed_point._kappa_root, risk.penalty_integrals, fixed_point._closed = original
