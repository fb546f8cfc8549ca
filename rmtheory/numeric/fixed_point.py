r"""Fixed points of the limit theory at any precision: ``κ(λ)``, ``m(z)``, edges.

Every relation is the SymPy expression of :mod:`rmtheory.symbolic.general`
(rearranged once by SymPy, :func:`_relations`, and kept in the derivation
cache), turned into an mpmath callable on first use with :func:`sympy.lambdify`:

.. math::

    \lambda = \kappa\Bigl(1 - \gamma\int\frac{s}{s+\kappa}\,dH(s)\Bigr),
    \qquad
    m(z) = \int\frac{dH(s)}{s(1-\gamma-\gamma z m(z)) - z},
    \qquad v(z) = \gamma m(z) - \frac{1-\gamma}{z}.

Eliminating ``m`` for ``v`` (done symbolically below) gives the
Silverstein–Choi inverse function

.. math::

    z(v) = \frac{\gamma - 1 - \gamma K(v)}{v}, \qquad
    K(v) = \int \frac{dH(s)}{1 + s v}, \qquad m = -\frac{K(v)}{z},

and the three facts the solvers rest on:

* ``g(κ) = κ(1 − γ I₁(κ)) − λ`` is increasing and convex for ``κ > κ₀``,
  with ``g(λ) < 0 < g(λ + γ ∫s dH)``: a bracketed Newton iteration can
  neither leave the bracket nor land on a spurious root.
* For ``Im z > 0`` the equation ``z(v) = z`` has exactly one root with
  ``Im v > 0`` (Silverstein & Bai 1995), and for real ``x ≠ 0`` the
  boundary value ``v(x + i0)`` is the root with ``Im v > 0`` when ``x``
  is inside the support, otherwise the real root with ``z'(v) > 0``
  (Silverstein & Choi 1995). A root that passes this *branch check* is the
  physical one; continuation in ``z`` only supplies good starting points.
* The complement of the support is the image under ``z(·)`` of the real
  ``v`` with ``ψ(v) = v² z'(v) > 0``; between consecutive poles
  ``−1/s_j`` the function ``ψ`` is concave, so every edge is the root of a
  monotone function on a known bracket.

Every routine works at the ambient mpmath precision, carries a few guard
bits inside, verifies the residual of its equation (against the next
quadrature level for continuous ``H``) and raises :class:`NoConvergence`
instead of returning an unverified number. Where ``H`` has closed-form
resolvent moments (AR(1), uniform:
:meth:`~rmtheory.numeric.spectra._Measure.closed_integrals`) the ``κ``
equation, ``df₂``, ``κ'`` and the bias integrals use them and no quadrature.
A ``κ`` solve starts from the nearest stored root when one lies within
``2⁻²⁰`` relative in ``λ`` (the confirmation at a higher precision, nearby
Newton iterates of ``optimal_w``), and stops once a Kantorovich bound puts the
last Newton update within the step tolerance.

Examples
--------
>>> from mpmath import mp
>>> from rmtheory.numeric import make_spectrum, solve_kappa, solve_stieltjes
>>> spec = make_spectrum("discrete", eigs=(1, 10, 100), weights=(0.5, 0.3, 0.2))
>>> with mp.workdps(30):
...     k = solve_kappa(0.5, spec, 2.0)
...     m = solve_stieltjes(-0.5, spec, 2.0)
...     print(mp.nstr(k, 25), mp.nstr(1 / (2.0 * m.real - 2.0) - k, 3))
5.66308132033299781746886 0.0
"""
import math

import numpy as np
import sympy as sp
from .context import contextual, mp

from ..symbolic import general
from ..symbolic._cache import disk_cached
from ..symbolic.symbols import gamma as _gamma, kappa as _kappa, lam as _lam, m as _m
from ..symbolic.symbols import s as _s, v as _v, z as _z
from .compiled import _Lazy
from .precision import (GUARD_BITS, NoConvergence, real_input, residual_tolerance,
                        step_tolerance, to_mpc)
from .spectra import Spectrum, make_spectrum

__all__ = [
    "NoConvergence", "solve_kappa", "df2", "kappa_prime", "bias_integral",
    "solve_stieltjes", "spectral_density", "support_edges", "atom_at_zero",
]

# --------------------------------------------------------------------------
# the symbolic relations, lambdified once
# --------------------------------------------------------------------------

@disk_cached
def _relations() -> dict:
    """The relations of :mod:`rmtheory.symbolic.general` the solvers evaluate,
    as ``{name: (arguments, expression)}`` (SymPy trees only).

    SymPy's ``solve``/``simplify`` below take ~0.2 s: the result is kept in
    the derivation cache, keyed by this module's source; :func:`_fns`
    lambdifies each relation on first use, in every process.
    """
    I1, I2 = general.I1, general.I2
    dI1, K, dK, ddK, dddK = sp.symbols("dI_1 K dK ddK dddK")
    fp, eq = general.fixed_point_integrand, general.kappa_equation
    eq0 = sp.cancel(eq.subs(_lam, 0) / _kappa)        # λ = 0, γ > 1: 1 − γ I₁ = 0

    # eliminate m for the companion v: m = (v z + 1 − γ)/(γ z)
    m_of_v = sp.solve(sp.Eq(general.companion_from_m, _v), _m)[0]
    integrand_v = sp.simplify(general.stieltjes_integrand.subs(_m, m_of_v))
    k = sp.simplify(-_z * integrand_v)                   # 1/(1 + s v)
    if _z in k.free_symbols:  # pragma: no cover - guards the derivation
        raise ArithmeticError("the Silverstein integrand does not factor as k(s, v)/z")
    m_of_K = sp.simplify(integrand_v / k) * K            # m = ∫ integrand dH
    z_of_v = sp.solve(sp.Eq(m_of_v, m_of_K), _z)[0]       # inverse function z(v)
    # z(v) = A(v) + B(v) K: evaluated in this arrangement, (γ − 1)/v stays
    # exact at γ = 1 instead of cancelling against γK
    A, B = sp.factor(z_of_v.subs(K, 0)), sp.factor(sp.diff(z_of_v, K))
    if sp.simplify(A + B * K - z_of_v) != 0:  # pragma: no cover
        raise ArithmeticError("z(v) is not affine in K")
    Kf = sp.Function("K")(_v)
    zf = z_of_v.subs(K, Kf)

    def in_K(expr):
        return (expr.subs(sp.Derivative(Kf, (_v, 3)), dddK)
                .subs(sp.Derivative(Kf, (_v, 2)), ddK)
                .subs(sp.Derivative(Kf, _v), dK).subs(Kf, K))
    dz = sp.diff(zf, _v)
    psi = sp.expand(_v**2 * dz)                           # v² z'(v) = 1 − γ∫(sv/(1+sv))² dH
    return dict(
        i1=((_s, _kappa), (fp, sp.diff(fp, _kappa))),
        i2=((_s, _kappa), general.df2_integrand),
        jb=((_s, _kappa), general.bias_integrand),
        keq=((_kappa, _gamma, I1, _lam), eq),
        keq_d=((_kappa, _gamma, I1, dI1), sp.diff(eq, _kappa) + sp.diff(eq, I1) * dI1),
        k0eq=((_kappa, _gamma, I1), eq0),
        k0eq_d=((_kappa, _gamma, I1, dI1), sp.diff(eq0, _kappa) + sp.diff(eq0, I1) * dI1),
        df2=((_gamma, I2), general.df2),
        kappa_prime=((_gamma, I2), general.kappa_prime),
        k1=((_s, _v), (k, sp.diff(k, _v))),
        k2=((_s, _v), (k, sp.diff(k, _v), sp.diff(k, _v, 2))),
        k3=((_s, _v), (k, sp.diff(k, _v), sp.diff(k, _v, 2), sp.diff(k, _v, 3))),
        z_of_v=((_v, _gamma, K), A + B * K),
        dz=((_v, _gamma, K, dK), sp.diff(A, _v) + sp.diff(B, _v) * K + B * dK),
        psi=((_v, _gamma, K, dK), in_K(psi)),
        dpsi=((_v, _gamma, K, dK, ddK), in_K(sp.diff(psi, _v))),
        ddpsi=((_v, _gamma, K, dK, ddK, dddK), in_K(sp.diff(psi, _v, 2))),
        m_of_K=((K, _z), m_of_K),
        companion=((_m, _z, _gamma), general.companion_from_m),
        penalty=((_s, _kappa), (general.df2_integrand, general.bias_integrand,
                                general.bias_integrand_dkappa, general.df2_integrand_dkappa)),
    )


def _builder(name):
    def build():
        args, expr = _relations()[name]
        return sp.lambdify(args, expr, modules="mpmath", cse=True)
    return build


#: the relation names of :func:`_relations` (checked against it by the tests)
_RELATION_NAMES = ("i1", "i2", "jb", "keq", "keq_d", "k0eq", "k0eq_d", "df2", "kappa_prime",
                   "k1", "k2", "k3", "z_of_v", "dz", "psi", "dpsi", "ddpsi", "m_of_K",
                   "companion", "penalty")

_FNS = _Lazy("fixed_point relations", {name: _builder(name) for name in _RELATION_NAMES},
             contextual)


def _fns():
    """Lambdified relations of :mod:`rmtheory.symbolic.general`: a namespace
    whose callables are made on first access (from :func:`_relations`)."""
    return _FNS


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

_DEFAULT_SPECTRA = {}


def _as_spectrum(spectrum):
    if isinstance(spectrum, Spectrum):
        return spectrum
    if isinstance(spectrum, str):
        if spectrum not in _DEFAULT_SPECTRA:
            _DEFAULT_SPECTRA[spectrum] = make_spectrum(spectrum)
        return _DEFAULT_SPECTRA[spectrum]
    raise TypeError(f"spectrum must be a Spectrum or a spectrum name, received "
                    f"{type(spectrum).__name__} {spectrum!r}")


def _gamma_input(gamma):
    return real_input("gamma", gamma, low=0, low_open=True)


def _sums(nodes, weights, fn, args):
    """``(∫ f₁, ∫ f₂, ...)`` for a tuple-valued ``fn(s, *args)`` with one rule."""
    values = [fn(x, *args) for x in nodes]
    return tuple(mp.fdot(weights, column) for column in zip(*values))


def _float_sums(nodes, weights, fn, args):
    values = [fn(x, *args) for x in nodes]
    return tuple(sum(w * c for w, c in zip(weights, column)) for column in zip(*values))


def _integrals(measure, fn, args, key):
    """``_sums`` with level control for continuous measures: levels rise until
    two consecutive ones agree to the target precision (the working one
    minus :data:`GUARD_BITS`; every caller works with guard bits)."""
    if measure.discrete:
        return _sums(*measure.rule(0), fn, args)
    level = measure.hint(key)
    previous = _sums(*measure.rule(level), fn, args)
    excess = [mp.inf]
    while level < measure.max_level:
        level += 1
        nodes, weights = measure.rule(level)
        values = [fn(x, *args) for x in nodes]
        columns = list(zip(*values))
        current = tuple(mp.fdot(weights, c) for c in columns)
        scales = [mp.fdot(weights, [abs(y) for y in c]) for c in columns]
        excess = [abs(a - b) / mp.ldexp(sc, 6 + GUARD_BITS - mp.prec) if sc else mp.zero
                  for a, b, sc in zip(current, previous, scales)]
        if all(e <= 1 for e in excess):
            measure.record(key, level - 1)
            return current
        previous = current
    tol = mp.ldexp(1, 6 + GUARD_BITS - mp.prec)
    raise NoConvergence("quadrature against a continuous spectrum (relative)", max(excess) * tol,
                        tol, "the integrand is (nearly) singular on the support of H")


def _scalar(fn):
    return lambda *args: (fn(*args),)


def _guard_bits(cond, prec):
    """Guard bits for a problem of (relative) condition number ``cond``."""
    if cond is None or not cond > 1:
        return GUARD_BITS
    if not math.isfinite(float(cond)):
        return GUARD_BITS + prec
    return GUARD_BITS + min(int(math.log2(float(cond))) + 1, prec)


#: the most guard bits :func:`solve_kappa` adds for an ill-conditioned root
KAPPA_MAX_GUARD_BITS = 1 << 14


def _kappa_guard_bits(cond, bits):
    """Guard bits for a root of condition number ``cond`` found with
    ``bits`` guard bits: ``log2(cond)`` (any size) or, when the derivative
    was lost to rounding (``cond`` infinite), twice as many as before."""
    if cond is None or not cond > 1:
        return GUARD_BITS
    if not mp.isfinite(cond):
        return 2 * bits + GUARD_BITS
    return GUARD_BITS + int(mp.mag(cond)) + 1


def _bracketed_newton(fun, lo, hi, x, xtol, maxiter, sqrt, quadratic=None):
    """Root of an increasing ``g`` with ``g(lo) < 0 < g(hi)``.

    ``fun(x) -> (g, g', scale)``. Newton steps are taken while they stay
    strictly inside the shrinking bracket, bisection (geometric when the
    bracket spans orders of magnitude) otherwise. Returns
    ``(x, g, g', scale, converged)`` where ``g`` is the residual at the last
    evaluated point and ``x`` the Newton update from it (or the bisection
    point once the bracket is narrower than ``xtol``).

    ``quadratic(x, step, g')``, when given, bounds ``|g''|`` on
    ``[x − 2|step|, x + 2|step|]`` (``None``: no bound). With that bound
    ``M`` and ``h = M|step|/g'(x) ≤ 1/4`` (Kantorovich), the Newton update
    ``x − step`` lies within ``2h|step|`` of the root: when that is below
    ``xtol`` the update is accepted without evaluating ``g`` there, and the
    returned ``g`` is the bound ``2h|step|·g'(x)(1 + 2h)`` of the residual at
    the update (quadratic convergence makes the last evaluation redundant).
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
            step = g / dg
            xn = x - step
            # test the step before the bracket: a step below one ulp leaves
            # xn == x, which sits on the bracket end just moved to x
            if abs(xn - x) <= xtol * abs(xn) and lo <= xn <= hi:
                return xn, g, dg, scale, True
            if quadratic is not None and lo <= xn <= hi:
                bound = quadratic(x, abs(step), dg)
                if bound is not None:
                    h = bound * abs(step) / dg
                    error = 2 * h * abs(step)
                    if h <= 0.25 and error <= xtol * abs(xn):
                        return xn, error * dg * (1 + 2 * h), dg, scale, True
            newton = lo < xn < hi
        if not newton:
            xn = sqrt(lo * hi) if lo > 0 and hi > 4 * lo else (lo + hi) / 2
        if not hi - lo > xtol * abs(hi):          # the sign change is localised
            return xn, g, dg, scale, True
        x = xn
    return x, g, dg, scale, False


# --------------------------------------------------------------------------
# κ(λ)
# --------------------------------------------------------------------------

def solve_kappa(lam, spectrum, gamma):
    r"""Effective regularisation ``κ(λ)`` at the current mpmath precision.

    Solves

    .. math::

        \lambda = \kappa\Bigl(1 - \gamma \int \frac{s}{s+\kappa}\,dH(s)\Bigr),

    for ``λ > 0``. At ``λ = 0``: ``κ₀ > 0`` with ``γ∫ s/(s+κ₀) dH = 1`` when
    ``γ > 1`` (min-norm interpolation), ``0`` when ``γ ≤ 1`` (OLS).

    Parameters
    ----------
    lam : real, ``>= 0``
        Ridge penalty ``λ``.
    spectrum : Spectrum or str
        The population spectrum (a name takes the model's defaults).
    gamma : real, ``> 0``
        Aspect ratio ``γ = p/n``.

    Returns
    -------
    mpf
        ``κ(λ)``; its residual is verified to ``~10^(2−dps)``.

    Raises
    ------
    NoConvergence
        If the bracketed Newton iteration (or the quadrature) does not
        reach the tolerance.

    Examples
    --------
    >>> from mpmath import mp
    >>> from rmtheory.numeric import solve_kappa
    >>> with mp.workdps(30):
    ...     print(solve_kappa(1, "isotropic", 2))     # (2 + √8)/2
    2.41421356237309504880168872421
    >>> with mp.workdps(30):
    ...     print(solve_kappa(0, "isotropic", 2))     # γ − 1
    1.0
    """
    spec = _as_spectrum(spectrum)
    lam = real_input("lam", lam, low=0)
    gamma = _gamma_input(gamma)
    return _solve_kappa(lam, spec, gamma)


def _solve_kappa(lam, spec, gamma):
    if lam == 0:
        return mp.zero if gamma <= 1 else _kappa_root(spec, gamma, None)
    return _kappa_root(spec, gamma, lam)


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
    starts = getattr(H, "kappa_starts", None)
    if start is None and starts is not None:
        found = _nearby_root(starts, gamma, lam)
        if found is not None:
            start, cond = found
    if start is None:
        found = _kappa_float(H, gamma, lam)
        if found is not None:
            start, cond = found
    bits = _guard_bits(cond, prec)
    while True:
        with mp.workprec(prec + bits):
            x, cond, failure, dg = _kappa_newton(H, gamma, lam, start, prec)
            if failure is None and starts is not None and dg > 0:
                # dκ/dλ = 1/g'(κ) (g = κ(1 − γI₁) − λ); κ₀ has no λ to move
                starts.add((float(gamma), None if lam is None else float(lam), lam, x,
                            None if lam is None else 1 / dg, cond))
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


class _NoClosedForm(Exception):
    """The closed-form integrals of a measure were not available at a point."""


def _closed(measure, kappa, names):
    """Integrals ``names`` against ``measure`` at ``κ = kappa`` in closed form
    (:meth:`~rmtheory.numeric.spectra._Measure.closed_integrals`), or
    ``None``: no closed form, ``κ <= 0``, or an evaluation that did not settle."""
    if getattr(measure, "moment_family", None) is None or not kappa > 0:
        return None
    return measure.closed_integrals(kappa, names)


#: a stored root serves as a start for penalties within this relative distance
_NEARBY = 2.0**-20


def _nearby_root(starts, gamma, lam):
    """``(start, condition)`` from the stored root nearest to ``λ`` (at the
    same ``γ`` to ``10⁻¹²``, same kind: κ or κ₀), its first-order Taylor
    prediction ``κ(λ₀) + (λ − λ₀)κ'(λ₀)``; or ``None``. The search compares
    floats (a start needs no more)."""
    gf = float(gamma)
    lf = None if lam is None else float(lam)
    best, nearest = None, _NEARBY
    for entry in starts.snapshot():
        g0, l0 = entry[0], entry[1]
        if abs(g0 - gf) > 1e-12 * gf or (l0 is None) != (lf is None):
            continue
        distance = 0.0 if lf is None else abs(lf - l0) / lf
        if distance <= nearest:
            best, nearest = entry, distance
    if best is None:
        return None
    _, _, lam0, k0, slope, cond = best
    start = mp.mpf(k0) if lam is None else mp.mpf(k0) + (lam - lam0) * slope
    return start, cond


def _kappa_newton(H, gamma, lam, start, prec):
    """Bracketed Newton for κ at the working precision, with quadrature-level
    control; returns ``(κ, condition number, None or the NoConvergence to
    raise, g'(κ))``. ``prec`` is the target.

    The Newton update is accepted without another evaluation once the
    Kantorovich bound of :func:`_bracketed_newton` puts it within the step
    tolerance, with these bounds of ``|g''|`` below ``x`` (``κ_lo = x − 2|step|``):
    for ``g = κ(1 − γI₁) − λ``, ``g'' = 2γ∫s²/(s+κ)³dH ≤ 2γ/κ_lo`` (the
    integrand is at most ``1/κ``); for ``g = 1 − γI₁`` (``κ₀``),
    ``|g''| = 2γ∫s/(s+κ)³dH ≤ 2g'(κ_lo)/κ_lo ≤ 2g'(x)x²/κ_lo³``
    (``g'(κ) = γ∫s/(s+κ)²dH``, and ``(x/κ)²`` bounds its growth below x).
    ``tests/test_kappa_speed.py`` checks both against ``mp.diff``.
    """
    F = _fns()
    xtol, rtol = step_tolerance(prec), residual_tolerance(prec)

    def quadratic(x, step, dg):
        low = x - 2 * step
        if not low > 0:
            return None
        if lam is None:
            return 2 * dg * x * x / (low * low * low)
        return 2 * gamma / low

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

    def closed_fun(k):
        """The κ equation with the closed-form integrals of ``H`` (no levels)."""
        found = _closed(H, k, ("i1", "i1_k"))
        if found is None:
            raise _NoClosedForm
        i1, d1 = found
        if lam is None:
            return F.k0eq(k, gamma, i1), F.k0eq_d(k, gamma, i1, d1), 1 + gamma * abs(i1)
        return (F.keq(k, gamma, i1, lam), F.keq_d(k, gamma, i1, d1),
                k * (1 + gamma * abs(i1)) + lam)
    level = 0 if H.discrete else H.hint("kappa")
    x = None if start is None else mp.mpf(start)
    if getattr(H, "moment_family", None) is not None and x is not None and x > 0:
        # only the bracket, so any upper bound of κ ≤ λ + γ∫s dH will do: twice
        # the mean of the float rule (no rule at the working precision is built)
        nodes, weights = H.float_rule()
        mean = 2 * mp.mpf(math.fsum(w * s for s, w in zip(nodes, weights)))
        lo, hi = (mp.zero, gamma * mean) if lam is None else (lam, lam + gamma * mean)
        if lo < x < hi:
            try:
                x, g, dg, scale, ok = _bracketed_newton(closed_fun, lo, hi, x, xtol,
                                                        100 + 2 * prec, mp.sqrt, quadratic)
                cond = scale / (x * dg) if dg > 0 else mp.inf
                if ok and abs(g) <= rtol * scale:
                    return x, cond, None, dg
            except _NoClosedForm:
                pass                       # a point at κ <= 0 or a form that cancelled
    while True:
        nodes, weights = H.rule(level)
        mean = mp.fdot(weights, nodes)
        lo, hi = (mp.zero, gamma * mean) if lam is None else (lam, lam + gamma * mean)
        if x is None or not lo < x < hi:
            x = lo if lam is None else hi
        fun = make(nodes, weights)
        x, g, dg, scale, ok = _bracketed_newton(fun, lo, hi, x, xtol, 100 + 2 * prec, mp.sqrt,
                                                quadratic)
        cond = scale / (x * dg) if dg > 0 else mp.inf
        if not ok or abs(g) > rtol * scale:
            return x, cond, NoConvergence(
                "kappa(lam)" if lam is not None else "kappa_0", abs(g) / scale, rtol,
                "raise the working precision, or check that gamma and the spectrum are in range"), dg
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
                "the quadrature of H did not settle; lower the precision"), dg
    return x, cond, None, dg


def df2(kappa, spectrum, gamma):
    r"""Second degrees of freedom ``df₂(κ) = γ ∫ s²/(s+κ)² dH(s)``.

    .. math::

        \mathrm{df}_2(\kappa) = \gamma \int \frac{s^2}{(s+\kappa)^2}\,dH(s)

    Examples
    --------
    >>> from mpmath import mp
    >>> from rmtheory.numeric import df2
    >>> with mp.workdps(20):
    ...     print(df2(1, "isotropic", 2))             # 2 · 1/4
    0.5
    """
    spec = _as_spectrum(spectrum)
    kappa = real_input("kappa", kappa, low=0)
    gamma = _gamma_input(gamma)
    return _df2(kappa, spec, gamma)


def _df2(kappa, spec, gamma):
    F = _fns()
    with mp.extraprec(GUARD_BITS):
        i2 = _integral_i2(spec._H, kappa)
        value = F.df2(gamma, i2)
    return +value


def _integral_i2(H, kappa):
    """``I₂(κ) = ∫ s²/(s+κ)² dH``, in closed form where ``H`` has one."""
    found = _closed(H, kappa, ("i2",))
    if found is not None:
        return found[0]
    return _integrals(H, _scalar(_fns().i2), (kappa,), "integral")[0]


def penalty_integrals(kappa, spectrum):
    """``(I₂, J, J_κ, I₂_κ)`` at ``κ > 0`` in one pass, or ``None`` (then the
    caller integrates each): ``I₂ = ∫s²/(s+κ)² dH``, ``J = ∫s/(s+κ)² dG``
    and their ``κ``-derivatives (``I₂_κ`` against ``H``, ``J_κ`` against ``G``).

    For closed-form measures one evaluation of the resolvent moments; for
    atoms shared by ``H`` and ``G`` (weights may differ) one sweep of the
    four integrands over the atoms (``cse`` shares the powers of
    ``1/(s+κ)``), with guard bits. Values at the working precision.
    """
    H, G = spectrum._H, spectrum._G
    if not kappa > 0:
        return None
    if spectrum.signal_is_spectrum:
        found = _closed(H, kappa, ("i2", "jb", "jb_k", "i2_k"))
        if found is not None:
            return found
    if not (H.discrete and G.discrete):
        return None
    nodes, weights_h = H.rule(0)
    nodes_g, weights_g = G.rule(0)
    if nodes != nodes_g:
        return None
    with mp.extraprec(GUARD_BITS):
        columns = list(zip(*[_fns().penalty(x, kappa) for x in nodes]))
        i2 = mp.fdot(weights_h, columns[0])
        i2_k = mp.fdot(weights_h, columns[3])
        j = mp.fdot(weights_g, columns[1])
        j_k = mp.fdot(weights_g, columns[2])
    return +i2, +j, +j_k, +i2_k


def closed_or_integral(measure, name, integrand, kappa):
    """``∫ integrand dμ`` at ``κ``: the closed form ``name`` of
    :meth:`~rmtheory.numeric.spectra._Measure.closed_integrals` where the
    measure has one, else the quadrature of ``integrand(s)``
    (:func:`~rmtheory.numeric.spectra.integrate`)."""
    found = _closed(measure, kappa, (name,))
    if found is not None:
        return found[0]
    from .spectra import integrate
    return integrate(measure, integrand)


def kappa_prime(lam, spectrum, gamma):
    r"""``κ'(λ) = 1/(1 − df₂(κ(λ)))``.

    .. math::

        \kappa'(\lambda) = \frac{1}{1 - \gamma\int s^2/(s+\kappa)^2\,dH}

    At ``λ = 0`` with ``γ = 1`` the derivative is infinite (``κ ~ √λ``):
    returns ``mp.inf``.

    Examples
    --------
    >>> from mpmath import mp
    >>> from rmtheory.numeric import kappa_prime
    >>> with mp.workdps(20):
    ...     print(kappa_prime(0, "isotropic", 0.5))    # 1/(1 − γ)
    2.0
    """
    spec = _as_spectrum(spectrum)
    lam = real_input("lam", lam, low=0)
    gamma = _gamma_input(gamma)
    if lam == 0 and gamma == 1:
        return mp.inf
    F = _fns()
    with mp.extraprec(GUARD_BITS):
        kappa = _solve_kappa(lam, spec, gamma)
        value = F.kappa_prime(gamma, _integral_i2(spec._H, kappa))
    return +value


def bias_integral(kappa, spectrum):
    r"""``J(κ) = ∫ s/(s+κ)² dG(s)`` (the signal enters only through ``G``).

    .. math::

        J(\kappa) = \int \frac{s}{(s+\kappa)^2}\,dG(s)

    Examples
    --------
    >>> from mpmath import mp
    >>> from rmtheory.numeric import bias_integral
    >>> with mp.workdps(20):
    ...     print(bias_integral(1, "spiked"))          # ½·¼ + ½·5/36
    0.19444444444444444444
    """
    spec = _as_spectrum(spectrum)
    kappa = real_input("kappa", kappa, low=0)
    F = _fns()
    with mp.extraprec(GUARD_BITS):
        found = _closed(spec._G, kappa, ("jb",))
        (value,) = found or _integrals(spec._G, _scalar(F.jb), (kappa,), "integral")
    return +value


# --------------------------------------------------------------------------
# m(z)
# --------------------------------------------------------------------------

def solve_stieltjes(z, spectrum, gamma):
    r"""Stieltjes transform ``m(z)`` of the limit spectrum of ``XᵀX/n``.

    ``m`` solves the Silverstein equation

    .. math::

        m(z) = \int \frac{dH(s)}{s(1 - \gamma - \gamma z m(z)) - z}

    on the physical branch: ``Im m > 0`` for ``Im z > 0``, ``m(z̄) = \overline{m(z)}``,
    ``m(−x) > 0`` for ``x > 0``. A real ``z = x > 0`` means the boundary
    value ``m(x + i0)`` (``Im m(x + i0)/π`` is the density).

    Parameters
    ----------
    z : complex, nonzero
    spectrum : Spectrum or str
    gamma : real, ``> 0``

    Returns
    -------
    mpc

    Notes
    -----
    On the negative axis ``m`` follows from ``κ`` (``v(−λ) = 1/κ(λ)``,
    bracketed); elsewhere from Newton's method on ``z(v) = z`` started
    from the closed form (``H = δ_c``) or from a continuation in
    ``Im z`` computed in double precision, then polished at the working
    precision and accepted only after the branch check.

    Examples
    --------
    >>> from mpmath import mp
    >>> from rmtheory.numeric import solve_stieltjes
    >>> with mp.workdps(25):
    ...     print(solve_stieltjes(2, "isotropic", 0.5))      # inside (0.0858, 2.914)
    (-0.75 + 0.6614378277661476476254039j)
    """
    spec = _as_spectrum(spectrum)
    gamma = _gamma_input(gamma)
    z = to_mpc("z", z)
    if z == 0:
        raise ValueError("z must be nonzero (m has a pole or a branch point at 0), received 0")
    if z.imag < 0:
        return mp.conj(solve_stieltjes(mp.conj(z), spec, gamma))
    return _stieltjes(z, spec, gamma)[0]


def _v_fun(nodes, weights, gamma, z, F):
    """``v ↦ (z(v) − z, z'(v), scale)`` for one rule (mp arithmetic)."""
    g1 = abs(gamma - 1)

    def fun(v):
        K, dK = _sums(nodes, weights, F.k1, (v,))
        return (F.z_of_v(v, gamma, K) - z, F.dz(v, gamma, K, dK),
                abs(z) + (g1 + gamma * abs(K)) / abs(v))
    return fun


def _complex_newton(fun, v, xtol, rtol, maxiter):
    """Damped Newton for ``F(v) = 0``; returns ``(v, F, F', last step, converged)``."""
    try:
        F, dF, scale = fun(v)
    except ZeroDivisionError:
        return v, None, None, None, False
    damping = 1
    step = None
    for _ in range(maxiter):
        if dF == 0:
            return v, F, dF, None, False
        step = F / dF
        if abs(step) <= xtol * abs(v) and abs(F) <= rtol * scale:
            return v - step, F, dF, abs(step), True
        while True:
            trial = v - damping * step
            try:
                Ft, dFt, st = fun(trial)
                good = abs(Ft) < (1 - damping / 4) * abs(F) or abs(F) <= rtol * scale
            except ZeroDivisionError:
                good = False
            if good or damping < 2**-12:
                break
            damping /= 2
        if not good:
            return v, F, dF, abs(step), False
        v, F, dF, scale = trial, Ft, dFt, st
        damping = min(1, 2 * damping)
    return v, F, dF, None if step is None else abs(step), False


def _scale_of(H, gamma):
    """``max(supp H)(1+√γ)²``: an upper bound of the limit support."""
    return H.support()[1] * (1 + mp.sqrt(gamma))**2


def _track(fun_at, x, eta_target, height, floor, newton_tol, cplx, sqrt, maxsteps=400):
    """Continuation of the physical root down ``z = x + iη`` from ``η = height``.

    ``fun_at(z)`` returns ``v ↦ (F, F', scale)``. Any root reached with
    ``Im v > 0`` at ``Im z > 0`` is *the* physical one (uniqueness), so the
    step ratio adapts freely: it grows after easy steps and shrinks after
    a failed Newton run or a root outside the upper half plane. Returns the
    root at ``z = x + i·eta_target`` or ``None``.
    """
    eta = max(height, eta_target)
    z = cplx(x, eta)
    v, _, dF, _, ok = _complex_newton(fun_at(z), -1 / z, newton_tol, newton_tol, 60)
    if not ok or not v.imag > 0:
        return None
    ratio = 0.25
    for _ in range(maxsteps):
        if not eta > eta_target:
            return v
        eta_new = eta * ratio
        if eta_new <= eta_target or (eta_target == 0 and eta_new <= floor):
            eta_new = eta_target
        z_new = cplx(x, eta_new)
        predicted = v + (z_new - z) / dF if dF else v
        fun = fun_at(z_new)
        w, _, dFw, _, ok = _complex_newton(fun, predicted, newton_tol, newton_tol, 10)
        if ok and (eta_new == 0 or w.imag > 0):
            v, z, eta, dF = w, z_new, eta_new, dFw
            ratio = max(ratio * ratio, 1e-4)
        else:
            ratio = sqrt(ratio)
            if ratio > 0.999:
                return None
    return None


def _float_start(H, gamma, z, F):
    """Physical root in double precision by continuation, or ``None``."""
    try:
        nodes, weights = H.float_rule()
        # the sums over the rule vectorised: the continuation takes ~30
        # steps of a few Newton steps each, and its Python loop over the
        # atoms made 5 of every 6 integrand calls of a solve (200 atoms)
        nodes, weights = np.asarray(nodes, dtype=float), np.asarray(weights, dtype=float)
        gf, x, eta_t = float(gamma), float(z.real), float(z.imag)
        if not all(math.isfinite(t) for t in (gf, x, eta_t)):
            return None

        def fun_at(zz):
            def fun(v):
                with np.errstate(all="ignore"):
                    k, dk = F.k1(nodes, v)
                    K, dK = complex(np.dot(weights, k)), complex(np.dot(weights, dk))
                if not (np.isfinite(K) and np.isfinite(dK)):
                    raise ZeroDivisionError("a pole of the Silverstein integrand")
                return (F.z_of_v(v, gf, K) - zz, F.dz(v, gf, K, dK),
                        abs(zz) + (abs(gf - 1) + gf * abs(K)) / abs(v))
            return fun
        height = 4 * (float(_scale_of(H, gamma)) + abs(x) + eta_t)
        # below η ≈ 1e-10 |x| the boundary value is reached to double precision
        floor = 1e-10 * (abs(x) if x != 0 else height)
        v = _track(fun_at, x, eta_t, height, floor, 1e-11, complex, math.sqrt)
        return None if v is None or not all(map(math.isfinite, (v.real, v.imag))) else v
    except (OverflowError, ZeroDivisionError, ValueError):
        return None


def _mp_start(H, gamma, z, F, level):
    """Physical root by continuation at the working precision (fallback)."""
    nodes, weights = H.rule(level)
    height = 4 * (_scale_of(H, gamma) + abs(z.real) + z.imag)

    def fun_at(zz):
        return _v_fun(nodes, weights, gamma, zz, F)
    tol = mp.ldexp(1, -mp.prec // 2)
    floor = (abs(z.real) if z.real != 0 else height) * mp.ldexp(1, -mp.prec // 3)
    return _track(fun_at, z.real, z.imag, height, floor, tol, mp.mpc, mp.sqrt, maxsteps=4000)


def _physical(v, z, err, H, gamma, F, level, prec):
    """The branch check. Returns the accepted root (snapped to the real axis
    when ``z`` is real and the root is), or ``None``."""
    tol_im = max(mp.ldexp(abs(v), 4 - prec), 8 * err)
    if v.imag > tol_im:
        return v
    if abs(v.imag) > tol_im:
        return None
    vr = v.real
    nodes, weights = H.rule(level)
    K, dK = _sums(nodes, weights, F.k1, (vr,))
    if not F.dz(vr, gamma, K, dK) > 0:
        return None
    return mp.mpc(vr, 0) if z.imag == 0 else v


def _stieltjes(z, spec, gamma, general=False):
    """``(m(z), v(z))`` at the ambient precision for ``Im z >= 0``, ``z != 0``.

    ``general=True`` skips the shortcuts (closed forms, ``κ`` on the
    negative axis) and always solves ``z(v) = z`` by continuation: the
    tests cross-check the two routes with it.
    """
    F = _fns()
    H = spec._H
    prec = mp.prec
    with mp.workprec(prec + GUARD_BITS):
        if z.imag == 0 and z.real < 0 and not general:
            m, v = _stieltjes_negative(-z.real, spec, gamma, prec)
            return +m, +v
        candidates = []
        if spec.closed_forms is not None and not general:
            try:
                for mm in spec.closed_forms.stieltjes_roots(z, gamma):
                    candidates.append(F.companion(mm, z, gamma))
            except (ZeroDivisionError, ValueError):
                pass
        if not candidates:
            v0 = _float_start(H, gamma, z, F)
            if v0 is not None:
                candidates.append(mp.mpc(v0))
        found = None
        for v0 in candidates:
            found = _polish_and_check(v0, z, H, gamma, F, prec)
            if found is not None:
                break
        if found is None:
            level = 0 if H.discrete else H.hint("stieltjes")
            v0 = _mp_start(H, gamma, z, F, level)
            found = None if v0 is None else _polish_and_check(v0, z, H, gamma, F, prec)
        if found is None:
            raise NoConvergence("m(z) on the physical branch", mp.inf, residual_tolerance(prec),
                                "no root of the Silverstein equation was verified (Newton, "
                                "quadrature level or branch check failed); move z off the "
                                "real axis, or lower the working precision for a continuous H")
        m, v = found
    return +m, +v


def _polish_and_check(v0, z, H, gamma, F, prec, conditioned=False):
    """Newton at the target from ``v0`` (working precision), level control,
    branch check; ``(m, v)`` or ``None``. ``prec`` is the target precision;
    an ill-conditioned root is re-polished with more guard bits."""
    xtol, rtol = step_tolerance(prec), residual_tolerance(prec)
    level = 0 if H.discrete else H.hint("stieltjes")
    v = mp.mpc(v0)
    while True:
        nodes, weights = H.rule(level)
        fun = _v_fun(nodes, weights, gamma, z, F)
        v, Fv, dF, err, ok = _complex_newton(fun, v, xtol, rtol, 40 + prec // 8)
        if not ok and not conditioned and dF:
            # stalled on rounding noise next to an edge: more guard bits
            with mp.workprec(prec + _guard_bits(_condition(fun, v, z), prec)):
                return _polish_and_check(v, z, H, gamma, F, prec, conditioned=True)
        if not ok:
            return None
        if H.discrete:
            break
        nodes, weights = H.rule(level + 1)
        F1, dF1, scale1 = _v_fun(nodes, weights, gamma, z, F)(v)
        if abs(F1) <= rtol * scale1 and abs(F1) <= mp.ldexp(abs(v * dF1), 2 - prec):
            H.record("stieltjes", level)
            level += 1
            break
        level += 1
        if level >= H.max_level:
            return None
    if not conditioned:
        bits = _guard_bits(_condition(fun, v, z), prec)
        if bits > GUARD_BITS + GUARD_BITS // 2:
            with mp.workprec(prec + bits):
                return _polish_and_check(v, z, H, gamma, F, prec, conditioned=True)
    v = _physical(v, z, err, H, gamma, F, level, prec)
    if v is None:
        return None
    (K,) = _sums(*H.rule(level), _scalar_k(F), (v,))
    m = F.m_of_K(K, z)
    if z.imag == 0 and v.imag == 0:
        m = mp.mpc(m.real, 0)
    return m, v


def _condition(fun, v, z):
    """Relative condition number ``scale/(|v| |z'(v)|)`` of the root ``v``."""
    try:
        _, dF, scale = fun(v)
        return scale / abs(v * dF)
    except ZeroDivisionError:
        return mp.inf


def _scalar_k(F):
    return lambda s, v: (F.k1(s, v)[0],)


def _stieltjes_negative(x, spec, gamma, prec):
    """``m(−x)`` from ``κ(x)``: ``v(−x) = 1/κ(x)``; the Silverstein residual is
    checked at ``v``."""
    F = _fns()
    H = spec._H
    kappa = _kappa_root(spec, gamma, x)
    v = 1 / kappa
    z = -x
    K, dK = _integrals(H, F.k1, (v,), "stieltjes")
    residual = F.z_of_v(v, gamma, K) - z
    scale = abs(z) + (abs(gamma - 1) + gamma * abs(K)) / v
    tol = residual_tolerance(prec)
    if abs(residual) > tol * scale:
        raise NoConvergence("m(z) on the negative axis", abs(residual) / scale, tol,
                            "raise the working precision")
    return mp.mpc(F.m_of_K(K, z)), mp.mpc(v)


def spectral_density(x, spectrum, gamma):
    r"""Density of the limit spectrum of ``XᵀX/n`` at ``x > 0``.

    By Stieltjes inversion,

    .. math::

        f(x) = \frac{1}{\pi}\,\operatorname{Im} m(x + i0),

    zero outside :func:`support_edges`. For ``γ > 1`` the law also has the
    atom :func:`atom_at_zero` at 0, not included here.

    Examples
    --------
    >>> from mpmath import mp
    >>> from rmtheory.numeric import spectral_density
    >>> with mp.workdps(20):
    ...     print(spectral_density(1, "isotropic", 1))      # √3/(2π)
    0.27566444771089602476
    """
    spec = _as_spectrum(spectrum)
    gamma = _gamma_input(gamma)
    x = real_input("x", x, low=0, low_open=True)
    with mp.extraprec(GUARD_BITS):
        m, _ = _stieltjes(mp.mpc(x), spec, gamma)
        value = m.imag / mp.pi if m.imag > 0 else mp.zero
    return +value


def atom_at_zero(gamma):
    r"""Mass of the limit spectrum of ``XᵀX/n`` at 0: ``max(0, 1 − 1/γ)``.

    ``XᵀX`` has rank ``min(n, p)``, so ``p − n`` of its ``p`` eigenvalues
    vanish when ``γ = p/n > 1`` (``H`` has no mass at 0).

    .. math::

        \mu(\{0\}) = \max\bigl(0, 1 - \gamma^{-1}\bigr)

    Examples
    --------
    >>> from mpmath import mp
    >>> from rmtheory.numeric import atom_at_zero
    >>> with mp.workdps(20):
    ...     print(atom_at_zero(4), atom_at_zero(0.5))
    0.75 0.0
    """
    gamma = _gamma_input(gamma)
    return max(mp.zero, 1 - 1 / gamma)


# --------------------------------------------------------------------------
# support edges
# --------------------------------------------------------------------------

def support_edges(spectrum, gamma):
    r"""Intervals of the continuous part of the limit spectrum of ``XᵀX/n``.

    The complement of the support is ``{z(v) : v real, ψ(v) > 0}`` with

    .. math::

        \psi(v) = v^2 z'(v) = 1 - \gamma \int \Bigl(\frac{s v}{1 + s v}\Bigr)^2 dH(s)

    (Silverstein & Choi 1995), so every edge is ``z(v_c)`` at a root
    ``v_c`` of ``ψ``. On ``v > 0`` ``ψ`` decreases (a root iff ``γ > 1``:
    the lower edge), left of the first pole ``−1/s_min`` it decreases from
    ``1 − γ`` (a root iff ``γ < 1``: the lower edge), right of the last
    pole ``−1/s_max`` it increases to 1 (the upper edge), and between two
    consecutive atoms it is concave: a gap of the support opens exactly
    when its maximum is positive. Each root is found by bracketed Newton.
    For a continuous ``H`` the support of ``H`` is taken as connected.

    Returns
    -------
    list of (mpf, mpf)
        Disjoint intervals in increasing order. The lower edge is 0 when
        ``γ = 1``.

    Examples
    --------
    >>> from mpmath import mp
    >>> from rmtheory.numeric import support_edges
    >>> with mp.workdps(20):
    ...     print(support_edges("isotropic", 4))       # ((1−√γ)², (1+√γ)²)
    [(mpf('1.0'), mpf('9.0'))]
    """
    spec = _as_spectrum(spectrum)
    gamma = _gamma_input(gamma)
    if spec.closed_forms is not None:
        return [spec.closed_forms.edges(gamma)]
    prec = mp.prec
    with mp.workprec(prec + GUARD_BITS):
        intervals = _edges(spec._H, gamma, prec)
    return [(+a, +b) for a, b in intervals]


def _edges(H, gamma, prec):
    F = _fns()
    xtol = step_tolerance(prec)
    if H.discrete:
        nodes, weights = H.rule(0)
        fnodes = np.array([float(x) for x in nodes])
        fweights = np.array([float(x) for x in weights])
    else:
        nodes = list(H.support())
        fnodes, fweights = (np.array(x, dtype=float) for x in H.float_rule())
    gf = float(gamma)

    def ints(v, order):
        fn = F.k1 if order == 1 else F.k3
        return _integrals(H, fn, (v,), "edges-scan")

    def psi(v):
        K, dK = ints(v, 1)
        return F.psi(v, gamma, K, dK)

    def psi_fun(sign, rule):
        def fun(v):
            K, dK, ddK = _sums(*rule, F.k2, (v,))
            return sign * F.psi(v, gamma, K, dK), sign * F.dpsi(v, gamma, K, dK, ddK), mp.one
        return fun

    def dpsi_fun(v):
        K, dK, ddK, dddK = ints(v, 3)
        return -F.dpsi(v, gamma, K, dK, ddK), -F.ddpsi(v, gamma, K, dK, ddK, dddK), mp.one

    def float_fun(sign, maximum=False):
        """``sign·ψ`` (or ``−ψ'`` for the maximum of ψ) in double precision."""
        def fun(v):
            K, dK, ddK, dddK = (float(np.dot(fweights, c)) for c in F.k3(fnodes, v))
            if maximum:
                return -F.dpsi(v, gf, K, dK, ddK), -F.ddpsi(v, gf, K, dK, ddK, dddK), 1.0
            return sign * F.psi(v, gf, K, dK), sign * F.dpsi(v, gf, K, dK, ddK), 1.0
        return fun

    def warm(fun, lo, hi):
        """A double-precision root in ``(lo, hi)`` as a starting point."""
        try:
            with np.errstate(all="ignore"):
                x = _bracketed_newton(fun, float(lo), float(hi), float((lo + hi) / 2), 1e-14,
                                      300, math.sqrt)[0]
            if math.isfinite(x) and lo < x < hi:
                return mp.mpf(x)
        except (OverflowError, ZeroDivisionError, ValueError):
            pass
        return (lo + hi) / 2

    def root(sign, lo, hi):
        """Root of ``sign·ψ`` (increasing) in ``(lo, hi)``: bracketed Newton with
        one quadrature rule, accepted once the next level agrees."""
        level = 0 if H.discrete else H.hint("edges")
        x = warm(float_fun(sign), lo, hi)
        while True:
            x, g, dg, _, ok = _bracketed_newton(psi_fun(sign, H.rule(level)), lo, hi, x, xtol,
                                                200 + 2 * prec, mp.sqrt)
            if not ok:
                raise NoConvergence("a support edge", abs(g), xtol, "raise the working precision")
            if H.discrete:
                return x
            g1, dg1, _ = psi_fun(sign, H.rule(level + 1))(x)
            if abs(g1) <= mp.ldexp(abs(x * dg1), 2 - prec):
                H.record("edges", level)
                return x
            level += 1
            if level >= H.max_level:
                raise NoConvergence("a support edge (quadrature)", abs(g1), mp.ldexp(1, -prec),
                                    "lower the working precision")

    def edge(v):
        (K,) = _integrals(H, _scalar_k(F), (v,), "edges")
        return F.z_of_v(v, gamma, K)

    def towards(pole, other):
        """A point between ``other`` and ``pole``, as close to the pole as needed
        for ``ψ`` to be negative (``ψ → −∞`` at a regular pole)."""
        for j in range(1, prec // 2):
            t = pole + (other - pole) * mp.ldexp(1, -j)
            if psi(t) < 0:
                return t
        raise NoConvergence("a support edge next to supp H", mp.one, mp.zero,
                            "the density of H vanishes too fast at an end of its support "
                            "(a non-regular edge); use atoms or a smoother density")

    poles = [-1 / s for s in nodes]                     # −1/s_min < ... < −1/s_max < 0
    first, last = poles[0], poles[-1]
    # upper edge: ψ increases on (−1/s_max, 0) from −∞ to ψ(0) = 1
    upper = edge(root(1, towards(last, mp.zero), mp.zero))
    # lower edge
    if gamma > 1:
        hi = 1 / nodes[-1]
        while psi(hi) >= 0:
            hi *= 2
        lower = edge(root(-1, mp.zero, hi))
    elif gamma < 1:
        lo = 2 * first
        while psi(lo) <= 0:
            lo *= 2
        lower = edge(root(-1, lo, towards(first, lo)))
    else:
        lower = mp.zero
    # gaps between consecutive atoms: ψ is concave there
    gaps = []
    if H.discrete:
        for i, (p, q) in enumerate(zip(poles, poles[1:])):
            if _no_gap_possible(fnodes, fweights, i, gf, F):
                continue
            a, b = _inside(p, q, dpsi_fun)
            top = _bracketed_newton(dpsi_fun, a, b, warm(float_fun(1, maximum=True), a, b),
                                    xtol, 200 + 2 * prec, mp.sqrt)[0]
            if not psi(top) > 0:
                continue
            left = root(1, towards(p, top), top)
            right = root(-1, top, towards(q, top))
            gaps.append((edge(left), edge(right)))
    gaps.sort()
    intervals, start = [], lower
    for a, b in gaps:
        intervals.append((start, a))
        start = b
    intervals.append((start, upper))
    return intervals


def _no_gap_possible(s, w, i, gamma, F):
    """True when ``ψ`` is certainly negative between the poles of atoms ``i``
    and ``i + 1``: its maximum there, found by golden-section search in
    double precision (``ψ`` is concave on the interval), is below ``−10⁻⁸``.

    Screens the intervals of a large empirical spectrum cheaply; the
    intervals that survive are resolved at the working precision.
    """
    def psi(v):
        K, dK = (float(np.dot(w, c)) for c in F.k1(s, v))
        return F.psi(v, gamma, K, dK)
    lo, hi = -1 / s[i], -1 / s[i + 1]
    if not lo < hi:
        return False
    ratio = (math.sqrt(5) - 1) / 2
    with np.errstate(all="ignore"):
        a, b = lo + (1 - ratio) * (hi - lo), lo + ratio * (hi - lo)
        fa, fb = psi(a), psi(b)
        while hi - lo > 1e-13 * abs(hi):
            if fa > fb:
                hi, b, fb = b, a, fa
                a = lo + (1 - ratio) * (hi - lo)
                fa = psi(a)
            else:
                lo, a, fa = a, b, fb
                b = lo + ratio * (hi - lo)
                fb = psi(b)
    return bool(max(fa, fb) < -1e-8)


def _inside(p, q, dpsi_fun):
    """Points ``a < b`` in ``(p, q)`` with ``ψ'(a) > 0 > ψ'(b)`` (``ψ' → ±∞`` at the poles)."""
    width = q - p
    for j in range(4, mp.prec):
        a, b = p + width * mp.ldexp(1, -j), q - width * mp.ldexp(1, -j)
        if dpsi_fun(a)[0] < 0 and dpsi_fun(b)[0] > 0:
            return a, b
    raise NoConvergence("a gap of the support", mp.one, mp.zero,  # pragma: no cover
                        "two atoms of H are too close for the working precision")
