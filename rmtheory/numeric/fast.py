r"""Float64 fast path: the same derived expressions, vectorised with NumPy.

For plotting and sweeps over grids of ``(w, λ)``. The stationary risk is
assembled from the same lambdified expressions as the mpmath path
(:mod:`rmtheory.numeric.compiled`), with every integral against ``H`` and
``G`` replaced by a float64 dot product with a quadrature rule.

Notes
-----
**Where the nodes come from.** ``H`` and ``G`` are integrated with the
rules of the measures the :class:`~rmtheory.numeric.Spectrum` carries —
the very rule families the mpmath path uses (atoms for a discrete
measure; for a continuous one the trapezoidal rule in the Möbius angle
for ``ar1``, graded composite Gauss–Legendre for ``uniform``, tanh–sinh
for a user density), built once per level at 60 bits, rounded to float64
and kept on the measure (its ``float_rule_at(level)``, one entry per
level). ``G`` has its own rule when it is not ``H`` (signal weights, a
signal density). So every spectrum a user can build —
:meth:`~rmtheory.numeric.Spectrum.from_atoms`,
:meth:`~rmtheory.numeric.Spectrum.from_density`,
:meth:`~rmtheory.numeric.Spectrum.from_sample` and every named model of
:func:`~rmtheory.numeric.make_spectrum`, ``random_effects`` with any
``law`` included — is integrated against its own ``H`` and ``G``.

**Which level.** A call integrates

.. math::

    \int \frac{s}{s+\kappa}\,dH,\quad \int \frac{s^2}{(s+\kappa)^2}\,dH,\quad
    \int \frac{s^2}{(s+\kappa)^3}\,dH,\quad
    \int \frac{s}{(s+\kappa)^2}\,dG,\quad \int \frac{s}{(s+\kappa)^3}\,dG

for ``κ`` in ``[κ(x_min), κ(x_max)]``, the range spanned by its penalties
``x``. Each level ``L`` is accepted only when it and the level below agree
on all of these, in float64, to :data:`RULE_RTOL` relative (of
``∫|f|``), on a geometric ladder of ``κ`` across that range (the poles
``s = −κ`` are nearest the support at the smallest ``κ``). The finer of
the two levels is used.

**Accuracy.** With converged rules the bias, the variance and ``∂R/∂w``
agree with :func:`rmtheory.limiting_risk` to ``1e-10`` relative (``1e-8``
for the slope), tested in ``tests/test_fast_spectra.py`` for every kind of
spectrum. When a rule has not converged by its finest level (``ar1``
with ``ρ`` so close to ``±1``, or a penalty so small, that the peak of
``H`` would need more than ~33 000 nodes, or a density whose rule does not
settle) the functions raise ``ValueError`` naming the spectrum rather
than return a wrong number; :func:`rmtheory.limiting_risk` (mpmath) is
the way out.

``κ`` is found by Newton's method from the right of the root, where
``f(κ) = κ(1 − γ∫ s/(s+κ) dH) − x`` is increasing and convex, so the
iterates decrease monotonically to the root.

Examples
--------
>>> from rmtheory.numeric import Spectrum
>>> from rmtheory.numeric.fast import risk_grid
>>> spec = Spectrum.from_density(lambda s: 2 * (s - 1), 1, 2)
>>> bias, variance = risk_grid(0.5, 0.5, spec)
>>> round(float(bias + variance), 12)    # rmtheory.limiting_risk(0.5, spec, lam=0.5)
1.210086545556
"""
import math
from typing import NamedTuple

import numpy as np

from .compiled import expressions
from .precision import NoConvergence
from .spectra import make_spectrum

__all__ = ["QuadratureNodes", "RULE_RTOL", "quadrature_nodes", "kappa_grid", "risk_grid",
           "optimal_w_grid", "optimal_w_float"]

#: relative agreement (of ``∫|f|``) of two consecutive levels on every
#: integrand in use that accepts the finer level
RULE_RTOL = 1e-13

#: the bisection of :func:`optimal_w_grid` and the bracket search of
#: :func:`optimal_w_float` stay within ``w ∈ [W_LOW, 1]``
_GRID_W_LOW = 1e-6
_FLOAT_W_LOW = 1e-8


class QuadratureNodes(NamedTuple):
    """Float64 rules for ``H`` and ``G`` (``s_G is s_H`` when ``G = H``)."""
    s_H: np.ndarray
    w_H: np.ndarray
    s_G: np.ndarray
    w_G: np.ndarray


def _h_integrands(e):
    return (lambda s, k: s / (s + k), e.df2_integrand, e.df2_integrand_dkappa)


def _g_integrands(e):
    return (e.bias_integrand, e.bias_integrand_dkappa)


def _ladder(lo, hi):
    """``κ`` values from ``lo`` to ``hi``, at most a factor 10 apart."""
    if not hi > lo:
        return np.array([lo])
    return np.geomspace(lo, hi, int(math.ceil(math.log10(hi / lo))) + 1)


def _integrals(rule, kappas, integrands):
    """``(values, scales)``: ``∫ f(·, κ)`` and ``∫ |f(·, κ)|`` per integrand and ``κ``."""
    s, p = rule
    kk = kappas[:, None]
    values = [f(s, kk) for f in integrands]
    return (np.array([v @ p for v in values]), np.array([np.abs(v) @ p for v in values]))


def _agree(coarse, fine, kappas, integrands):
    v0, _ = _integrals(coarse, kappas, integrands)
    v1, scale = _integrals(fine, kappas, integrands)
    tol = max(RULE_RTOL, 4 * math.sqrt(len(fine[0])) * np.finfo(float).eps)
    return bool(np.all(np.abs(v1 - v0) <= tol * scale))


def _rule(measure, level, spectrum, which):
    try:
        return measure.float_rule_at(level)
    except NoConvergence as exc:
        raise ValueError(f"the float64 path cannot integrate against {spectrum!r}: the "
                         f"quadrature rule of {which} cannot be built at 60 bits "
                         f"({exc}); use rmtheory.limiting_risk") from None


def _refuse(spectrum, measure, which, kappas, x_lo):
    nodes = len(measure.float_rule_at(measure.max_level)[0])
    raise ValueError(
        f"the float64 path cannot integrate against {spectrum!r} to {RULE_RTOL:g}: the "
        f"quadrature rule of {which} has not converged at its finest level "
        f"{measure.max_level} ({nodes} nodes) for kappa in [{kappas[0]:.3g}, {kappas[-1]:.3g}] "
        f"(penalties down to {x_lo:.3g}; H is too sharply peaked, or the integrand's pole "
        f"-kappa too close to supp H, for float64 quadrature). Use rmtheory.limiting_risk "
        f"(mpmath), or larger penalties")


def _kappa_range(rule, x_lo, x_hi, gamma):
    return kappa_grid(np.array([x_lo, x_hi]), rule[0], rule[1], gamma)


def settled_rules(spectrum, span, x_min):
    """``(rule_h, rule_g)``: the float64 rules of ``H`` and ``G``, refined level
    by level until two consecutive levels agree (:func:`_agree`) on every
    integrand in use over the ``κ`` range ``span(rule)`` — ``(κ_lo, κ_hi)``,
    or ``None`` when ``κ = 0`` at every point (OLS at ``λ = 0``), where the
    first level is exact. ``x_min``, the smallest penalty, is named when a
    rule is refused. One loop for the grid path and the array backend."""
    e = expressions("numpy")
    H, G = spectrum._H, spectrum._G
    h_integrands = _h_integrands(e) + (_g_integrands(e) if G is H else ())
    if H.discrete:
        rule_h = _rule(H, 0, spectrum, "H")
        reach = span(rule_h)
        kappas = _ladder(*reach) if reach is not None else np.array([1.0])
    else:
        level = H.start_level
        coarse = _rule(H, level, spectrum, "H")
        reach_c = span(coarse)
        if reach_c is None:          # κ = 0 everywhere: every integrand is exact
            return coarse, (coarse if G is H else _rule(G, G.start_level, spectrum, "G"))
        kappas = _ladder(*reach_c)
        while True:
            if level == H.max_level:
                _refuse(spectrum, H, "H", kappas, x_min)
            level += 1
            fine = _rule(H, level, spectrum, "H")
            reach_f = span(fine)
            kappas = _ladder(min(reach_c[0], reach_f[0]), max(reach_c[1], reach_f[1]))
            if _agree(coarse, fine, kappas, h_integrands):
                break
            coarse, reach_c = fine, reach_f
        rule_h = fine
    if G is H:
        return rule_h, rule_h
    if G.discrete:
        return rule_h, _rule(G, 0, spectrum, "G")
    g_integrands = _g_integrands(e)
    level = G.start_level
    coarse = _rule(G, level, spectrum, "G")
    while True:
        if level == G.max_level:
            _refuse(spectrum, G, "G", kappas, x_min)
        level += 1
        fine = _rule(G, level, spectrum, "G")
        if _agree(coarse, fine, kappas, g_integrands):
            return rule_h, fine
        coarse = fine


def quadrature_nodes(spectrum, penalties, *, gamma=2.0):
    """Float64 rules for ``H`` and ``G``, converged for every penalty in the
    range of ``penalties`` (only the smallest and the largest matter).

    Parameters
    ----------
    spectrum : Spectrum or str
        Any spectrum (a name is passed to :func:`make_spectrum`).
    penalties : array_like of float
        The penalties ``x > 0`` at which ``κ(x)``, ``B(x)`` will be evaluated.
    gamma : float
        The aspect ratio ``γ = p/n``.

    Returns
    -------
    QuadratureNodes
        ``(s_H, w_H, s_G, w_G)``, read-only float64 arrays from the
        measures of ``spectrum`` (see the module notes for the level).

    Raises
    ------
    ValueError
        When a rule has not converged to :data:`RULE_RTOL` by its finest
        level over that range.

    Examples
    --------
    >>> from rmtheory.numeric import Spectrum
    >>> from rmtheory.numeric.fast import quadrature_nodes
    >>> nodes = quadrature_nodes(Spectrum.from_atoms([1, 4], [0.25, 0.75]), [0.1, 10])
    >>> nodes.s_H.tolist(), nodes.w_G.tolist()
    ([1.0, 4.0], [0.25, 0.75])
    """
    spectrum = make_spectrum(spectrum)
    x = np.asarray(penalties, dtype=float)
    x_lo, x_hi = float(np.min(x)), float(np.max(x))
    if not (x_lo > 0 and math.isfinite(x_hi)):
        raise ValueError(f"penalties must be finite and > 0, received the range "
                         f"[{x_lo}, {x_hi}]")
    rule_h, rule_g = settled_rules(spectrum, lambda rule: _kappa_range(rule, x_lo, x_hi, gamma),
                                   x_lo)
    return QuadratureNodes(rule_h[0], rule_h[1], rule_g[0], rule_g[1])


def kappa_grid(x, s_h, p_h, gamma, *, tol=1e-15, max_iter=200, start=None):
    """Vectorised ``κ(x)`` for an array of penalties ``x > 0``.

    ``start``: starting values, each some ``κ(x')`` (``x' ≥ 0``) or larger.
    Every ``κ ≥ κ₀`` is a safe start: ``f`` is convex and increasing there,
    so a start left of the root steps to its right, and from there the
    iterates decrease monotonically to the root."""
    x = np.asarray(x, dtype=float)
    shape = x.shape
    x, gamma = (np.ravel(v).astype(float) for v in np.broadcast_arrays(x, gamma))
    k = x + gamma * float(np.dot(p_h, s_h))      # f(k) >= 0 here: right of the root
    if start is not None:
        start = np.ravel(np.broadcast_to(np.asarray(start, float), shape))
        k = np.where(start > 0, np.minimum(k, start), k)
    eps = np.finfo(float).eps
    # only the points still moving are iterated: one slow point (a tiny
    # penalty far from the start) does not hold the whole grid
    active = np.arange(k.size)
    for _ in range(max_iter):
        ka, xa, ga = k[active], x[active], gamma[active]
        ratio = s_h / (s_h + ka[:, None])
        i1 = ratio @ p_h
        f = ka * (1 - ga * i1) - xa
        df = 1 - ga * ((ratio**2) @ p_h)
        step = f / df
        ka = ka - step
        k[active] = ka
        # f carries a rounding error of a few ulps of k(1 + γ I1) + x; over
        # f' (small when γ ≈ 1 and x is small) a step below that is noise
        noise = 8 * eps * (np.abs(ka) * (1 + ga * i1) + xa) / df
        moving = ~(np.abs(step) <= np.maximum(tol * np.abs(ka), noise))
        active = active[moving]
        if active.size == 0:
            return k.reshape(shape)
    raise ArithmeticError(f"kappa_grid: Newton did not converge in {max_iter} steps "
                          f"(largest relative step {np.max(np.abs(step / ka)):.3e})")


def _penalty_values(x, nodes, gamma, r2):
    e = expressions("numpy")
    s_h, p_h, s_g, p_g = nodes
    k = kappa_grid(x, s_h, p_h, gamma)
    kk = k[..., None]
    I2 = e.df2_integrand(s_h, kk) @ p_h
    J = e.bias_integrand(s_g, kk) @ p_g
    J_k = e.bias_integrand_dkappa(s_g, kk) @ p_g
    I2_k = e.df2_integrand_dkappa(s_h, kk) @ p_h
    kp = e.kappa_prime(gamma, I2)
    return k, kp, e.ridge_bias(k, r2, gamma, J, I2), \
        e.ridge_bias_derivative(k, r2, gamma, J, I2, J_k, I2_k, kp)


def _check_lam(lam, where):
    bad = ~(np.isfinite(lam) & (lam > 0))
    if np.any(bad):
        raise ValueError(f"lam must be in (0, inf) on the float64 path ({where}), received "
                         f"lam = {float(lam[bad].flat[0])!r}; lam = 0 (min-norm) is computed by "
                         f"rmtheory.limiting_risk")


def _check_w(w):
    bad = ~((w > 0) & (w < 1))
    if np.any(bad):
        raise ValueError(f"w must be in (0, 1) on the float64 path (risk_grid), received "
                         f"w = {float(w[bad].flat[0])!r}; w = 1 is a removable singularity of the "
                         f"divided difference there, computed by rmtheory.limiting_risk")


def _risk(w, lam, nodes, gamma, r2, sigma2, kappa_s, derivative):
    e = expressions("numpy")
    k_a, kp_a, B_a, Bp_a = _penalty_values(lam / w, nodes, gamma, r2)
    k_b, kp_b, _, _ = _penalty_values(lam / (2 - w), nodes, gamma, r2)
    args = (w, lam, sigma2, kappa_s, k_a, k_b, B_a, Bp_a, kp_a, kp_b)
    variance = e.variance(*args)
    if derivative:
        return B_a, variance, e.dtotal_dw(*args)
    return B_a, variance


def _slope_at_1(lam, nodes, gamma, r2, sigma2, kappa_s):
    k, kp, B, Bp = _penalty_values(lam, nodes, gamma, r2)
    one = np.ones_like(lam)
    return expressions("numpy").dtotal_dw_at_w1(one, lam, sigma2, kappa_s, k, k, B, Bp, kp, kp)


def risk_grid(w, lam, spectrum, *, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=1.0,
              derivative=False):
    """Stationary ``(bias, variance[, dR/dw])`` on the broadcast grid of
    ``w ∈ (0, 1)`` and ``λ > 0`` (float64).

    The rules for ``H`` and ``G`` are those of :func:`quadrature_nodes`
    for the penalties ``λ/w`` and ``λ/(2 − w)`` of the grid; the results
    agree with :func:`rmtheory.limiting_risk` to ``1e-10`` relative.

    Raises
    ------
    ValueError
        ``w`` outside ``(0, 1)``, ``λ`` outside ``(0, ∞)``, or a spectrum
        the float64 rules cannot integrate to :data:`RULE_RTOL` here.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtheory.numeric.spectra import make_spectrum
    >>> from rmtheory.numeric.fast import risk_grid
    >>> b, v = risk_grid(np.array([0.5]), np.array([0.5]), make_spectrum("isotropic"))
    >>> float(b[0] + v[0])
    0.8025165159448...
    """
    w, lam = np.broadcast_arrays(np.asarray(w, float), np.asarray(lam, float))
    _check_w(w)
    _check_lam(lam, "risk_grid")
    nodes = quadrature_nodes(spectrum, [np.min(lam / (2 - w)), np.max(lam / w)], gamma=gamma)
    return _risk(w, lam, nodes, gamma, r2, sigma2, kappa_s, derivative)


def optimal_w_grid(lam, spectrum, *, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=1.0,
                   iterations=60):
    """``w*(λ)`` for an array of ``λ > 0`` by vectorised bisection on the
    sign of ``∂R/∂w`` in ``[1e-6, 1 − 1e-9]`` (``1.0`` where the slope is
    negative throughout: the boundary optimum).

    One set of rules (:func:`quadrature_nodes`) serves every penalty the
    bisection can reach, ``λ/2`` to ``λ·10⁶``.
    """
    lam = np.atleast_1d(np.asarray(lam, float))
    _check_lam(lam, "optimal_w_grid")
    lo = np.full(lam.shape, _GRID_W_LOW)
    hi = np.full(lam.shape, 1 - 1e-9)
    nodes = quadrature_nodes(spectrum, [np.min(lam) / 2, np.max(lam) / _GRID_W_LOW],
                             gamma=gamma)
    boundary = _slope_at_1(lam, nodes, gamma, r2, sigma2, kappa_s) <= 0
    for _ in range(iterations):
        mid = (lo + hi) / 2
        positive = _risk(mid, lam, nodes, gamma, r2, sigma2, kappa_s, True)[2] > 0
        hi = np.where(positive, mid, hi)
        lo = np.where(positive, lo, mid)
    return np.where(boundary, 1.0, (lo + hi) / 2)


def optimal_w_float(lam, spectrum, *, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=1.0):
    """Float64 ``(w*, on_boundary)`` at one ``λ > 0`` by Brent's method on
    ``∂R/∂w``; ``None`` when float64 cannot bracket the root (the mpmath
    path then searches on its own). Used as the starting bracket of
    :func:`rmtheory.numeric.optimize.optimal_weight`; the rules are those
    of :func:`quadrature_nodes` for every penalty the search can reach,
    ``λ/2`` to ``λ·10⁸``, as in :func:`optimal_w_grid`."""
    from scipy.optimize import brentq
    lam_a = np.array([float(lam)])
    _check_lam(lam_a, "optimal_w_float")
    nodes = quadrature_nodes(spectrum, [lam_a[0] / 2, lam_a[0] / _FLOAT_W_LOW], gamma=gamma)
    if _slope_at_1(lam_a, nodes, gamma, r2, sigma2, kappa_s)[0] <= 0:
        return 1.0, True

    def slope(w):
        return float(_risk(np.array([w]), lam_a, nodes, gamma, r2, sigma2, kappa_s, True)[2][0])
    lo, hi = 0.5, 1 - 1e-7
    while slope(lo) >= 0:
        lo /= 4
        if lo < _FLOAT_W_LOW:
            return None
    if not slope(hi) > 0:
        return None
    # 1e-12: well inside the ±1e-9 bracket the mpmath solve starts from
    return brentq(slope, lo, hi, xtol=1e-12), False
