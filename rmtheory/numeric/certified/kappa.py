r"""The effective regularisation ``κ(λ)`` enclosed by a Krawczyk step.

``κ`` is the positive root of the derived equation (SPEC §3,
:data:`rmtheory.symbolic.general.kappa_equation`)

.. math::

    f(\kappa) = \kappa\Bigl(1 - \gamma\int\frac{s}{s+\kappa}\,dH\Bigr) - \lambda = 0,

with ``f'`` from SymPy's chain rule of the same expression. For a ball
``X = m ± r`` the Krawczyk operator

.. math::

    K(X) = m - Y f(m) + (1 - Y f'(X))(X - m), \qquad Y \approx 1/f'(m),

evaluated in ball arithmetic, contains ``x − Y f(x)`` for every ``x ∈ X``
(mean value theorem); ``K(X) ⊂ int X`` therefore proves that ``X`` holds
a zero of ``f`` (Brouwer), and ``0 ∉ f'(X)`` that it holds only one. Two
checks that do not use the derivative are added: ``f`` changes sign at
the ends of a real ``X``, and the divided difference of ``f`` over ``X``
(at a higher precision) meets ``f'(X)`` — a wrong derivative fails
there instead of passing a certificate that its own algebra supports.

Which root: for ``λ > 0``, ``g(κ) = κ(1 − γI₁(κ))`` is convex with
``g(0) = 0`` (``∂²_κ[sκ/(s+κ)] < 0``), so ``g = λ`` has exactly one
positive root; for ``λ = 0`` and ``γ > 1``, ``1 − γI₁`` increases from
``1 − γ < 0`` to 1, one root; for ``λ = 0`` and ``γ ≤ 1`` the theory sets
``κ₀ = 0`` (exact). An enclosure in ``(0, ∞)`` is therefore *the* ``κ``.
"""
import contextlib
import math
import functools
import threading

import sympy as sp

from .balls import CertificationError, mid_mpf, require_flint, relative_radius

__all__ = ["kappa_forms", "krawczyk", "enclose_kappa", "approximate_kappa"]


@functools.lru_cache(maxsize=None)
def kappa_forms():
    """The κ equation and its κ-derivative from :mod:`rmtheory.symbolic.general`,
    as functions of balls ``(κ, γ, I₁, λ)`` and ``(κ, γ, I₁, dI₁)``, plus
    the ``λ = 0`` equation ``(1 − γI₁)`` (``f/κ``) and its derivative; and the
    integrands ``s/(s+κ)``, ``∂_κ s/(s+κ)``."""
    from ...symbolic import general
    from ...symbolic.symbols import gamma, kappa, lam
    from .balls import lambdify_ball
    I1 = general.I1
    dI1 = sp.Symbol("dI_1")
    eq = general.kappa_equation
    eq0 = sp.cancel(eq.subs(lam, 0) / kappa)
    fp = general.fixed_point_integrand
    return dict(
        f=lambdify_ball((kappa, gamma, I1, lam), eq),
        df=lambdify_ball((kappa, gamma, I1, dI1),
                         sp.diff(eq, kappa) + sp.diff(eq, I1) * dI1),
        f0=lambdify_ball((kappa, gamma, I1), eq0),
        df0=lambdify_ball((kappa, gamma, I1, dI1),
                          sp.diff(eq0, kappa) + sp.diff(eq0, I1) * dI1),
        integrand=fp, integrand_dkappa=sp.diff(fp, kappa))


class _Checks(threading.local):
    on = True


_CHECKS = _Checks()


@contextlib.contextmanager
def without_derivative_checks():
    """Skip the divided-difference and sign checks of :func:`enclose_kappa`
    (the Krawczyk test alone is the proof) — for the many sign evaluations
    of a cover, where they would double the cost."""
    saved, _CHECKS.on = _CHECKS.on, False
    try:
        yield
    finally:
        _CHECKS.on = saved


def _real_ball(mid, rad):
    flint = require_flint()
    return flint.arb(mid, rad)


def krawczyk(f, df, m, r, *, what, f_m=None, df_m=None, Y=None):
    """One Krawczyk test of ``f`` on the ball ``X = m ± r`` (``m`` an exact
    arb or acb, ``r`` a positive float or arb; for an acb, the square of
    half-side ``r``). Returns ``K(X) ∩ X``, a ball holding the unique zero
    of ``f`` in ``X``, or raises :class:`CertificationError`. ``f_m``,
    ``df_m``: ``f(m)`` and ``f'(m)`` if the caller has them already; ``Y``:
    the preconditioner (an exact real arb, any value is sound) instead of
    ``1/mid f'(m)``."""
    flint = require_flint()
    complex_ = isinstance(m, flint.acb)
    r = flint.arb(r)
    if complex_:
        X = flint.acb(flint.arb(m.real.mid(), r), flint.arb(m.imag.mid(), r))
    else:
        X = flint.arb(m.mid(), r)
    if Y is None:
        d_mid = df(m) if df_m is None else df_m
        Y = 1 / (flint.acb(d_mid.mid()) if complex_ else d_mid.mid())
    dX = df(X)
    if dX.contains(0):
        raise CertificationError(f"{what}: the derivative may vanish on the ball "
                                 f"{X} (no uniqueness)")
    K = m - Y * (f(m) if f_m is None else f_m) + (1 - Y * dX) * (X - m)
    if not X.contains_interior(K):
        raise CertificationError(f"{what}: the Krawczyk image {K} is not inside the ball "
                                 f"{X}: the candidate is not a simple root of the equation")
    if complex_:
        return flint.acb(K.real.intersection(X.real), K.imag.intersection(X.imag)), X, dX
    return K.intersection(X), X, dX


def _check_derivative(f, f_member, dX, X, prec, what):
    """The divided difference ``(g(hi) − g(lo))/(hi − lo)`` over a real ``X``,
    at ``prec + 40`` bits, must meet ``f'(X)`` (mean value theorem), and
    ``f(lo) < 0 < f(hi)`` (intermediate values): checks of the derivative
    and of existence that use ``f`` alone. ``g = f_member`` is ``f`` at one
    member of its parameter balls (their midpoints: the theorem holds for
    each member, and a ball parameter would blur the quotient)."""
    flint = require_flint()
    saved = flint.ctx.prec
    flint.ctx.prec = prec + 40
    try:
        lo, hi = X.lower(), X.upper()
        difference = (f_member(hi) - f_member(lo)) / (hi - lo)
        f_lo, f_hi = f(lo), f(hi)
    finally:
        flint.ctx.prec = saved
    if not difference.overlaps(dX):
        raise CertificationError(f"{what}: the derivative {dX} disagrees with the divided "
                                 f"difference {difference} of the equation over {X}")
    if not (f_lo < 0 < f_hi):
        raise CertificationError(f"{what}: no sign change of the equation across {X} "
                                 f"({f_lo}, {f_hi})")


def _functions(lam, H, gamma, derivative=None):
    """``f``, ``f'`` of balls for the penalty ``lam`` (``λ = 0``: ``f/κ``)."""
    F = kappa_forms()
    if lam.is_zero():
        def f(k):
            return F["f0"](k, gamma, H.integrate(F["integrand"], k))

        def df(k):
            return F["df0"](k, gamma, H.integrate(F["integrand"], k),
                            H.integrate(F["integrand_dkappa"], k))
    else:
        def f(k):
            return F["f"](k, gamma, H.integrate(F["integrand"], k), lam)

        def df(k):
            return F["df"](k, gamma, *_integrals(H, k))
    return f, (df if derivative is None else derivative)


def _integrals(H, k):
    """``(I₁(k), dI₁/dκ(k))``, fused for atoms."""
    F = kappa_forms()
    if hasattr(H, "integrate_many"):
        return H.integrate_many((F["integrand"], F["integrand_dkappa"]), k)
    return H.integrate(F["integrand"], k), H.integrate(F["integrand_dkappa"], k)


def _newton_step(lam, H, gamma):
    """``k ↦ f(k)/f'(k)`` with ``I₁(k)`` computed once."""
    F = kappa_forms()
    zero = lam.is_zero()

    def step(k):
        i1, di1 = _integrals(H, k)
        if zero:
            return F["f0"](k, gamma, i1) / F["df0"](k, gamma, i1, di1)
        return F["f"](k, gamma, i1, lam) / F["df"](k, gamma, i1, di1)
    return step


def _first_moment(H):
    """An upper ball of ``∫ s dH``: the largest atom or the right end."""
    return H.support()[1]


def approximate_kappa(lam, H, gamma, prec, start=None):
    """A candidate root, by Newton's method on the midpoints (monotone from
    the right end of the bracket ``[λ, λ + γ∫s dH]`` for ``λ > 0``, from 0 for
    ``λ = 0`` from ``(1 − 1/γ) min supp H``, below the root, where the
    equation is convex, resp. concave, and increasing). No rigour: :func:`enclose_kappa` proves it."""
    flint = require_flint()
    newton = _newton_step(lam, H, gamma)
    schedule = _schedule(prec)
    if start is None and H.discrete:
        start = _float_root(lam, H, gamma)
        if start is not None:           # good to ~50 bits: straight to the target
            schedule = [prec]
    if start is not None:
        k = start
    elif lam.is_zero():
        # below the root: 1 − γI₁(κ) ≤ 1 − γ + γκ/s_min, which vanishes here
        k = ((1 - 1 / gamma) * H.support()[0]).mid()
    else:
        k = (lam + gamma * _first_moment(H)).mid()
    saved = flint.ctx.prec
    try:
        for bits in schedule:
            flint.ctx.prec = bits
            previous = None
            for i in range(200):
                step = newton(k).mid()
                k = (k - step).mid()
                if abs(step) <= abs(k) * flint.arb(2)**(-bits + 2) or step.is_zero():
                    break
                # stalled on rounding noise (ill-conditioned): the proof decides
                if previous is not None and i > 3 and abs(step) > abs(previous) / 2:
                    break
                previous = step
            else:
                raise CertificationError("kappa: Newton's method did not converge")
    finally:
        flint.ctx.prec = saved
    return k


def _float_root(lam, H, gamma, with_slope=False):
    """The root in double precision by Newton's method on the atoms' midpoints
    (monotone from the same starting points), as an exact arb; ``None`` when
    it does not settle (the ball iteration then starts from scratch).
    ``with_slope``: ``(root, 1/f'(root))`` instead, the second a float or
    ``None`` (``1/(1 − γI₂)`` at the last iterate, up to 64 atoms and
    ``λ > 0``) — a Krawczyk preconditioner, which needs no rigour.
    Plain Python floats up to :data:`SMALL_MEASURE` atoms (NumPy's per-call
    overhead dominates on ten atoms), NumPy above."""
    import numpy as np
    flint = require_flint()
    floats = getattr(H, "_floats", None)
    if floats is None:
        floats = H._floats = (np.array([float(mid_mpf(x)) for x in H.locations]),
                              np.array([float(mid_mpf(x)) for x in H.weights]))
    x, g = float(lam.mid()), float(gamma.mid())
    slope = None
    if len(floats[0]) <= SMALL_MEASURE:
        # κ is concave in λ: its tangent at a root found before (same measure
        # and γ) lies above κ(x), where Newton's method on the convex,
        # increasing equation decreases monotonically to the root; the
        # nearest of the last few penalties (a cover alternates between
        # λ/w and λ/(2 − w), so the very last one is usually far)
        roots = getattr(H, "_roots", None)
        if roots is None or roots[0] != g:
            roots = H._roots = (g, [])
        start = None
        if x > 0 and roots[1]:
            near = min(roots[1], key=lambda r: abs(r[0] - x))
            start = near[1] + near[2] * (x - near[0])
        k, slope = _float_newton_small(x, g, *_float_lists(H), start=start)
        if k is not None and slope is not None and x > 0:
            roots[1].append((x, k, slope))
            if len(roots[1]) > RECENT_ROOTS:
                del roots[1][0]
    else:
        k = _float_newton_array(x, g, *floats)
    if k is None or not (math.isfinite(k) and k > 0):
        return (None, None) if with_slope else None
    if with_slope:
        return flint.arb(k), (slope if slope is not None and math.isfinite(slope)
                              and slope > 0 else None)
    return flint.arb(k)


#: double-precision roots kept on a measure as starting tangents
RECENT_ROOTS = 8

#: measures with at most this many atoms use the plain-float Newton iteration
SMALL_MEASURE = 64


def _float_lists(H):
    lists = getattr(H, "_float_lists", None)
    if lists is None:
        s, h = H._floats
        lists = H._float_lists = (tuple(float(v) for v in s), tuple(float(v) for v in h))
    return lists


def _float_newton_small(x, g, s, h, start=None):
    """``(κ, κ')`` in double precision (``κ' = 1/(1 − γI₂)`` at the last
    iterate, ``None`` at ``λ = 0``); ``(None, None)`` on overflow."""
    pairs = tuple(zip(s, h))
    slope = None
    try:
        if x == 0:
            k = (1 - 1 / g) * min(s)
            for _ in range(100):
                i1 = di1 = 0.0
                for sj, hj in pairs:
                    r = sj / (sj + k)
                    i1 += hj * r
                    di1 += hj * r / (sj + k)
                step = (1 - g * i1) / (g * di1)
                k -= step
                if not abs(step) > 1e-15 * abs(k):
                    break
        else:
            top = x + g * sum(sj * hj for sj, hj in pairs)
            k = top if start is None or not x <= start < top else start
            for _ in range(100):
                i1 = i2 = 0.0
                for sj, hj in pairs:
                    r = sj / (sj + k)
                    i1 += hj * r
                    i2 += hj * r * r
                slope = 1 / (1 - g * i2)
                step = (k - g * k * i1 - x) * slope
                k -= step
                if not abs(step) > 1e-15 * abs(k):
                    break
    except (ZeroDivisionError, OverflowError):
        return None, None
    return k, slope


def _float_newton_array(x, g, s, h):
    import numpy as np
    with np.errstate(all="ignore"):
        if x == 0:
            k = (1 - 1 / g) * s.min()
            for _ in range(100):
                r = s / (s + k)
                step = (1 - g * (h @ r)) / (g * (h @ (r / (s + k))))
                k -= step
                if not abs(step) > 1e-15 * abs(k):
                    break
        else:
            k = x + g * (h @ s)
            for _ in range(100):
                r = s / (s + k)
                step = (k - g * k * (h @ r) - x) / (1 - g * (h @ (r * r)))
                k -= step
                if not abs(step) > 1e-15 * abs(k):
                    break
    return float(k)


def _schedule(prec):
    bits, out = prec, []
    while bits > 64:
        out.append(bits)
        bits = bits // 2
    return [64] + out[::-1]


def enclose_kappa(lam, H, gamma, prec, *, candidate=None, derivative=None, refine=True,
                  max_relative=None):
    """A ball holding ``κ(λ)`` (``lam``, ``gamma`` balls; ``H`` a ball measure;
    FLINT working precision ``prec``, which the caller has set).

    ``candidate`` (an arb) is refined by Newton's method unless
    ``refine=False``; ``derivative`` replaces the derived ``f'`` (the tests
    corrupt it on purpose). Raises :class:`CertificationError` when the
    ball cannot be proved, or when it is wider than ``2^(16 − prec)``
    relative (a candidate far from the root; ``max_relative`` replaces that
    bound, for a wide ball ``lam`` of penalties)."""
    flint = require_flint()
    if lam.is_zero() and not gamma > 1:
        if gamma <= 1:
            return flint.arb(0)
        raise CertificationError("kappa: gamma is not provably different from 1 at lam = 0")
    if not (lam >= 0 and gamma > 0):
        raise CertificationError("kappa: lam >= 0 and gamma > 0 are not proved")
    f, df = _functions(lam, H, gamma, derivative)
    limit = 2.0**(24 - prec) if max_relative is None else max_relative
    if refine and candidate is None and prec <= QUICK_BITS and H.discrete \
            and not lam.is_zero():
        # few bits (a cover's signs): the double-precision root, good to
        # ~2^-50, goes to the Krawczyk test unrefined — its image is centred
        # on a Newton step, so its radius is ~(f''/f')·r² ≈ 2^-100; if not
        # tight enough, the refined candidate below takes over
        start, inverse = _float_root(lam, H, gamma, with_slope=True)
        if start is not None:
            try:
                # the preconditioner 1/f' from the double-precision iteration
                # (any Y is sound) unless a test replaced the derivative
                inner, X, dX = _krawczyk_from(f, df, start, prec,
                                              inverse=inverse if derivative is None else None)
                if inner > 0 and inner.rad() <= inner.mid() * limit:
                    return _checked(inner, f, X, dX, lam, H, gamma, prec)
            except CertificationError:
                pass
    elif refine and candidate is None and H.discrete and not lam.is_zero():
        # more bits: one Newton step in ball arithmetic from the double-precision
        # root (error ~2^-50 -> ~2^-100) is enough for the Krawczyk test, whose
        # image is centred on a second step (radius ~(f''/f')·r² far below
        # 2^(24 - prec) up to ~190 bits); if not, the full refinement below
        start, inverse = _float_root(lam, H, gamma, with_slope=True)
        if start is not None and inverse is not None and derivative is None:
            try:
                m = start.mid()
                step = f(m) * inverse
                if step.is_finite():
                    inner, X, dX = _krawczyk_from(f, df, (m - step).mid(), prec,
                                                  inverse=inverse)
                    if inner > 0 and inner.rad() <= inner.mid() * limit:
                        return _checked(inner, f, X, dX, lam, H, gamma, prec)
            except CertificationError:
                pass
    if candidate is None or refine:
        candidate = approximate_kappa(lam, H, gamma, prec, start=candidate)
    inner, X, dX = _krawczyk_from(f, df, candidate, prec)
    if not inner > 0:
        raise CertificationError(f"kappa: the enclosure {inner} is not in (0, inf)")
    if relative_radius(inner) > limit:
        raise CertificationError(f"kappa: the enclosure {inner} is wider than 2^(24 - prec) "
                                 f"relative at prec = {prec}")
    return _checked(inner, f, X, dX, lam, H, gamma, prec)


#: at most this many working bits, the double-precision root is tested unrefined
QUICK_BITS = 100


def _krawczyk_from(f, df, candidate, prec, inverse=None):
    """The Krawczyk test on a ball around ``candidate`` just wide enough to
    hold the root (the Newton step, the spread of ``f(m)`` from inexact
    inputs such as ``λ = 0.1``, a few ulps), widened up to three times.
    ``inverse``: an approximation of ``1/f'(candidate)`` (a float), used as
    the preconditioner instead of evaluating ``f'`` there."""
    flint = require_flint()
    m = candidate.mid()
    fm = f(m)
    if inverse is None:
        d_m = df(m)
        d = d_m.mid()
        Y = None
    else:
        d_m, Y = None, flint.arb(inverse)
        d = 1 / Y
    r = 4 * (abs(fm.mid()) + fm.rad()) / abs(d) + abs(m) * flint.arb(2)**(8 - prec)
    for _ in range(3):
        try:
            return krawczyk(f, df, m, r, what="kappa", f_m=fm, df_m=d_m, Y=Y)
        except CertificationError:
            r = 16 * r
    return krawczyk(f, df, m, r, what="kappa", f_m=fm, df_m=d_m, Y=Y)


def _checked(inner, f, X, dX, lam, H, gamma, prec):
    """``inner`` after the derivative cross-check (unless switched off)."""
    if _CHECKS.on:
        member = H.member() if hasattr(H, "member") else H
        f_member = _functions(lam.mid(), member, gamma.mid())[0]
        _check_derivative(f, f_member, dX, X, prec, "kappa")
    return inner
