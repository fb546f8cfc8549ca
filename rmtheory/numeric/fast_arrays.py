r"""The float64 backend over broadcast grids: ``κ``, the risk, ``w*`` and ``λ_c``.

Every function takes flat (or broadcastable) float64 arrays of the
parameters — penalties ``λ ≥ 0``, weights ``w ∈ (0, 1]``, aspect ratios
``γ``, noise ratios ``κ_s`` — and computes all points at once: the ``κ``
solves (Newton from the right of the root, as
:func:`rmtheory.numeric.fast.kappa_grid`), the integrals against ``H`` and
``G`` (matrix products with one quadrature rule,
:func:`rules_for`, taken from the measures of the spectrum: the same rule
families as the mpmath path), the risk and its slope in ``w`` (from
:func:`rmtheory.numeric.fast_forms.divided_forms`, free of the divided
difference that cancels near ``w = 1``), and the root of the slope by a
vectorised safeguarded secant iteration. ``w = 1`` and ``λ = 0`` are points
like any other: at ``w = 1`` the forms are ``κ'(λ)``-based, at ``λ = 0``
``κ = κ₀`` (or ``0`` for ``γ < 1``, OLS).

Accuracy: the rules are accepted at :data:`rmtheory.numeric.fast.RULE_RTOL`
(``1e-13``) over the whole range of ``κ`` the grid reaches; ``κ`` is
refused (``ValueError``) where its condition number would cost more than
``1e-12`` of it (``γ`` near 1 at tiny ``λ``); what is returned agrees with
the mpmath backend to ``1e-10`` relative (``tests/test_backend_float64.py``
checks every spectrum model on sampled points).

Examples
--------
>>> import numpy as np
>>> from rmtheory.numeric.fast_arrays import optimal_w_arrays
>>> lam = np.array([0.0, 0.1, 1.0, 5.0])
>>> out = optimal_w_arrays(lam, "isotropic", gamma=np.full(4, 2.0))
>>> np.round(out.w, 6).tolist(), out.on_boundary.tolist()
([0.618034, 0.600063, 0.703682, 1.0], [False, False, False, True])
"""
import math
from typing import NamedTuple

import numpy as np

from .compiled import expressions
from .fast import kappa_grid, settled_rules
from .fast_forms import divided_forms
from .spectra import make_spectrum

__all__ = ["Rules", "rules_for", "kappa_arrays", "risk_arrays", "optimal_w_arrays",
           "critical_lambda_arrays", "W_FLOOR", "KAPPA_CONDITION_LIMIT", "CHUNK"]

#: the bracket search for ``w*`` goes down to ``w = W_FLOOR`` (as the mpmath path)
W_FLOOR = 1e-8
#: the largest relative condition number of ``κ`` accepted: float64 then
#: keeps ``≥ 12`` digits of it (``κ`` enters every term of the risk)
KAPPA_CONDITION_LIMIT = 1e4
#: secant steps before the root search falls back to bisection
SECANT_STEPS = 40
#: points × quadrature nodes per block of work (memory: 8 bytes each, a few
#: arrays at once)
CHUNK = 1 << 20


class Rules(NamedTuple):
    """Float64 quadrature rules for ``H`` and ``G`` (``s_G is s_H`` when ``G = H``)."""
    s_H: np.ndarray
    w_H: np.ndarray
    s_G: np.ndarray
    w_G: np.ndarray
    same: bool


def _kappa_flat(x, gamma, s_h, p_h, start=None):
    """``κ(x)`` elementwise; ``κ = 0`` where ``x = 0`` and ``γ ≤ 1`` (OLS).
    ``start``: values of ``κ`` at other penalties (safe starts, see
    :func:`~rmtheory.numeric.fast.kappa_grid`)."""
    x, gamma = np.broadcast_arrays(np.asarray(x, float), np.asarray(gamma, float))
    k = np.zeros(x.shape)
    solve = (x > 0) | (gamma > 1)
    if np.any(solve):
        k[solve] = kappa_grid(x[solve], s_h, p_h, gamma[solve],
                              start=None if start is None else start[solve])
    return k


def _kappa_span(rule, x, gamma):
    """The smallest positive and the largest ``κ`` over the points ``(x, γ)``
    (``κ`` increases with ``x`` and with ``γ``: the corners suffice)."""
    lows = []
    positive = x > 0
    if np.any(positive):
        lows.append((np.min(x[positive]), np.min(gamma[positive])))
    zero_over = (x == 0) & (gamma > 1)
    if np.any(zero_over):
        lows.append((0.0, np.min(gamma[zero_over])))
    highs = (np.max(x), np.max(gamma))
    if not lows:
        return None
    k_lo = min(float(_kappa_flat(np.array([a]), np.array([g]), *rule)[0]) for a, g in lows)
    k_hi = float(_kappa_flat(np.array([highs[0]]), np.array([max(highs[1], 1.0 + 1e-300)]),
                             *rule)[0]) if highs[0] > 0 or highs[1] > 1 else k_lo
    return k_lo, max(k_lo, k_hi)


def rules_for(spectrum, x, gamma):
    """Rules for ``H`` and ``G`` converged (to :data:`~rmtheory.numeric.fast.RULE_RTOL`
    on every integrand in use) for every ``κ`` the points ``(x, γ)`` reach.

    Parameters
    ----------
    spectrum : Spectrum or str
    x, gamma : ndarray
        Penalties ``≥ 0`` and aspect ratios, broadcast together.

    Returns
    -------
    Rules

    Raises
    ------
    ValueError
        A rule that has not converged by its finest level.
    """
    spectrum = make_spectrum(spectrum)
    x, gamma = (np.ravel(v) for v in np.broadcast_arrays(np.asarray(x, float),
                                                         np.asarray(gamma, float)))
    rule_h, rule_g = settled_rules(spectrum, lambda rule: _kappa_span(rule, x, gamma),
                                   float(np.min(x)))
    return Rules(rule_h[0], rule_h[1], rule_g[0], rule_g[1], spectrum._G is spectrum._H)


def _chunks(count, nodes):
    step = max(1, CHUNK // max(1, nodes))
    for start in range(0, count, step):
        yield slice(start, min(count, start + step))


def _check_condition(k, x, gamma, i1, gap, where):
    """Refuse a ``κ`` whose relative condition number exceeds the limit."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = (k * (1 + gamma * i1) + x) / (k * gap)
    bad = (k > 0) & ~(cond <= KAPPA_CONDITION_LIMIT)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"the float64 backend cannot solve for kappa to 1e-12 at {where}: the fixed point "
            f"is ill-conditioned there (condition number {float(cond[i]):.3g} at penalty "
            f"{float(x[i])!r}, gamma = {float(gamma[i])!r}; gamma near 1 with a tiny penalty). "
            "Use backend='mpmath', which adds the digits this needs")


class _Values(NamedTuple):
    bias: np.ndarray
    variance: np.ndarray
    slope: object
    kappa_a: np.ndarray
    kappa_b: np.ndarray


def _evaluate(w, lam, gamma, sigma2, r2, kappa_s, rules, slope=False, where="the grid",
              start=None):
    """Bias, variance (and ``∂R/∂w``) at flat arrays of equal length;
    ``start = (κ_a, κ_b)`` from a nearby evaluation speeds up the solves."""
    e = expressions("numpy")
    d = divided_forms()
    s_h, p_h, s_g, p_g, same = rules
    bias = np.empty(w.shape)
    variance = np.empty(w.shape)
    slopes = np.empty(w.shape) if slope else None
    k_out = np.empty(w.shape)
    kb_out = np.empty(w.shape)
    for part in _chunks(w.size, len(s_h) + len(s_g)):
        wi, li, gi, ki = w[part], lam[part], gamma[part], kappa_s[part]
        a, b = li / wi, li / (2 - wi)
        ka = _kappa_flat(a, gi, s_h, p_h, None if start is None else start[0][part])
        at_one = wi == 1
        kb = ka.copy()
        if not np.all(at_one):
            other = ~at_one
            kb[other] = _kappa_flat(b[other], gi[other], s_h, p_h,
                                    start[1][part][other] if start is not None else ka[other])
        A, B = ka[:, None], kb[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            ra = s_h / (s_h + A)
            i1a = ra @ p_h
            I2a = (ra * ra) @ p_h
            JHa = (ra / (s_h + A)) @ p_h
            JHb = (s_h / (s_h + B)**2) @ p_h
            M = d.m_integrand(s_h, A, B) @ p_h
            N = d.n_integrand(s_h, A, B) @ p_h
            if same:
                J = JHa
            else:
                J = e.bias_integrand(s_g, A) @ p_g
            positive_a = ka > 0
            gap_a = np.where(positive_a, e.one_minus_df2(ka, a, gi, JHa),
                             e.one_minus_df2_direct(gi, I2a))
            gap_b = np.where(kb > 0, e.one_minus_df2(kb, b, gi, JHb),
                             e.one_minus_df2_direct(gi, (s_h / (s_h + B))**2 @ p_h))
            G_ab = np.where(positive_a, d.gap(li, wi, ka, kb, gi, N), d.one_minus(gi, M))
            _check_condition(ka, a, gi, i1a, gap_a, where)
            kp_a = e.kappa_prime_gap(gap_a)
            bias_part = np.where(positive_a, e.ridge_bias_gap(ka, r2, gi, J, I2a, gap_a), 0.0)
            E = d.E(gi, M, G_ab)
            variance[part] = d.variance(wi, sigma2, ki, E)
            bias[part] = bias_part
            k_out[part], kb_out[part] = ka, kb
            if slope:
                I2ka = e.df2_integrand_dkappa(s_h, A) @ p_h
                Jk = (e.bias_integrand_dkappa(s_h, A) @ p_h if same
                      else e.bias_integrand_dkappa(s_g, A) @ p_g)
                Bp = np.where(positive_a, e.ridge_bias_derivative_gap(
                    ka, r2, gi, J, I2a, Jk, I2ka, kp_a, gap_a), 0.0)
                kp_b = e.kappa_prime_gap(gap_b)
                Mka = d.m_ka(s_h, A, B) @ p_h
                Mkb = d.m_kb(s_h, A, B) @ p_h
                slopes[part] = d.slope(wi, li, sigma2, ki, E, G_ab, gi, Bp, kp_a, kp_b,
                                       Mka, Mkb)
    # γ = 1 at λ = 0: the variance is infinite (as on the mpmath path)
    infinite = (lam == 0) & (gamma == 1)
    if np.any(infinite):
        bias[infinite], variance[infinite] = 0.0, np.inf
        if slope:
            slopes[infinite] = np.nan
    bad = ~(np.isfinite(bias) & np.isfinite(variance)) & ~infinite
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"the float64 backend produced a non-finite risk at w = {w[i]!r}, "
                         f"lam = {lam[i]!r}, gamma = {gamma[i]!r} (overflow); use "
                         "backend='mpmath'")
    return _Values(bias, variance, slopes, k_out, kb_out)


def _flat(*arrays):
    shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
    return shape, [np.ascontiguousarray(np.broadcast_to(np.asarray(a, float), shape)).ravel()
                   for a in arrays]


def kappa_arrays(lam, spectrum, *, gamma):
    """``κ(λ)`` over broadcast ``(λ, γ)`` (``λ ≥ 0``; ``κ₀`` at ``λ = 0``, ``γ > 1``).

    Examples
    --------
    >>> import numpy as np
    >>> from rmtheory.numeric.fast_arrays import kappa_arrays
    >>> kappa_arrays(np.array([0.0, 1.0]), "isotropic", gamma=2.0).tolist()   # γ − 1, 1 + √2
    [1.0, 2.414213562373095]
    """
    shape, (x, g) = _flat(lam, gamma)
    spectrum = make_spectrum(spectrum)
    rules = rules_for(spectrum, x, g)
    k = np.empty(x.shape)
    for part in _chunks(x.size, len(rules.s_H)):
        k[part] = _kappa_flat(x[part], g[part], rules.s_H, rules.w_H)
        kk = k[part][:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            r = rules.s_H / (rules.s_H + kk)
            i1, JH = r @ rules.w_H, (r / (rules.s_H + kk)) @ rules.w_H
            gap = expressions("numpy").one_minus_df2(k[part], x[part], g[part], JH)
        _check_condition(k[part], x[part], g[part], i1, gap, "kappa")
    return k.reshape(shape)


def _minnorm_factor_forms():
    """``c_t(w; κ_s)`` and ``∂c_t/∂w`` for NumPy, from the derived affine form
    in ``g_t = (1 − w)^{2t}`` (:func:`rmtheory.symbolic.minnorm.derive_minnorm`)."""
    global _MINNORM
    if _MINNORM is None:
        import sympy as sp
        from ..symbolic.minnorm import _as_affine_in_geometric, derive_minnorm, geometric_term
        from ..symbolic.symbols import kappa_s, t, w
        affine = _as_affine_in_geometric(derive_minnorm().c_t_kappa_s)
        h = sp.Symbol("h_t")            # (1 − w)^(2t − 1)
        slope = sp.diff(affine, w) + sp.diff(affine, geometric_term) * (-2 * t) * h
        _MINNORM = (sp.lambdify((w, kappa_s, geometric_term), affine, "numpy"),
                    sp.lambdify((w, kappa_s, geometric_term, h, t), slope, "numpy"))
    return _MINNORM


_MINNORM = None


def _geometric(w, t):
    """``((1 − w)^{2t}, (1 − w)^{2t − 1})`` (``t ≥ 1``; ``w = 1`` gives zeros)."""
    with np.errstate(divide="ignore"):
        log_q = np.log1p(-w)
        return np.exp(2 * t * log_q), np.exp((2 * t - 1) * log_q)


def risk_arrays(w, lam, spectrum, *, gamma, sigma2=1.0, r2=1.0, kappa_s=1.0, t=None):
    """``(bias, variance)`` over the broadcast grid of ``w ∈ (0, 1]``, ``λ ≥ 0``,
    ``γ``, ``κ_s`` (and ``t``: ``None`` for ``t → ∞``, or an integer array).

    Finite ``t``: at ``λ = 0`` the min-norm risk ``B₀ + c_t(w; κ_s)V₀``; for
    ``λ > 0`` the contour of
    :func:`rmtheory.numeric.fast_finite_t.finite_t_risk_grid` (which
    refuses the cases float64 cannot resolve).

    Examples
    --------
    >>> from rmtheory.numeric.fast_arrays import risk_arrays
    >>> b, v = risk_arrays([0.5, 1.0], 0.0, "isotropic", gamma=2.0)
    >>> (b + v).round(12).tolist()     # 1/2 + c(w)/(γ − 1): c(1/2) = 2/3, c(1) = 1
    [1.166666666667, 1.5]
    """
    spectrum = make_spectrum(spectrum)
    arrays = [w, lam, gamma, kappa_s] + ([] if t is None else [t])
    shape, flat = _flat(*arrays)
    wf, lf, gf, kf = flat[:4]
    tf = None if t is None else flat[4]
    bias = np.empty(wf.shape)
    variance = np.empty(wf.shape)
    stationary = np.ones(wf.shape, bool) if tf is None else (lf == 0)
    if np.any(stationary):
        idx = np.flatnonzero(stationary)
        if tf is None:
            rules = rules_for(spectrum, np.concatenate([lf / wf, lf / (2 - wf)]),
                              np.concatenate([gf, gf]))
            vals = _evaluate(wf, lf, gf, sigma2, r2, kf, rules, where="limiting_risk")
            bias[:], variance[:] = vals.bias, vals.variance
        else:               # λ = 0, finite t: B₀ + c_t V₀ (V₀: the variance at w = 1)
            ones = np.ones(idx.size)
            rules = rules_for(spectrum, np.zeros(idx.size), gf[idx])
            vals = _evaluate(ones, lf[idx], gf[idx], sigma2, r2, kf[idx], rules,
                             where="limiting_risk")
            value, _ = _minnorm_factor_forms()
            g, _ = _geometric(wf[idx], tf[idx])
            c_t = np.where(tf[idx] == 0, 1.0, value(wf[idx], kf[idx], g))
            bias[idx] = vals.bias
            with np.errstate(invalid="ignore"):
                variance[idx] = np.where(np.isinf(vals.variance), np.inf, c_t * vals.variance)
    if tf is not None and np.any(~stationary):
        from .fast_finite_t import finite_t_risk_grid
        rest = np.flatnonzero(~stationary)
        keys = np.stack([gf[rest], kf[rest], tf[rest]], axis=1)
        for key in np.unique(keys, axis=0):
            sel = rest[np.all(keys == key, axis=1)]
            b, v = finite_t_risk_grid(wf[sel], lf[sel], spectrum, t=int(key[2]),
                                      gamma=float(key[0]), r2=r2, sigma2=sigma2,
                                      kappa_s=float(key[1]))
            bias[sel], variance[sel] = b, v
    return bias.reshape(shape), variance.reshape(shape)


class OptimaArrays(NamedTuple):
    """What :func:`optimal_w_arrays` returns, arrays of the broadcast shape."""
    w: np.ndarray
    on_boundary: np.ndarray
    bias: np.ndarray
    variance: np.ndarray
    bias_at_1: np.ndarray
    variance_at_1: np.ndarray


def _bracketed_secant(f, lo, hi, f_lo, f_hi, what, max_iter=200):
    """Roots of ``f`` (vectorised: ``f(x, idx)`` at the points ``idx``) on
    brackets ``[lo, hi]`` with ``f_lo < 0 < f_hi``.

    The secant through the two latest evaluations (superlinear), kept only
    inside the current bracket: a step outside is replaced by the midpoint,
    and so is every step from :data:`SECANT_STEPS` on (so at worst it ends
    as bisection). Regula falsi alone stalls here:
    ``f(1)`` is often ``10^12`` times the residuals near the root. Stops at
    a step below ``1e-14`` relative, a zero residual, or a bracket a few
    ulps wide."""
    lo, hi, f_lo, f_hi = (np.array(v, float) for v in (lo, hi, f_lo, f_hi))
    x1, f1, x2, f2 = lo.copy(), f_lo.copy(), hi.copy(), f_hi.copy()
    root = np.full(lo.size, np.nan)
    active = np.arange(lo.size)
    eps = np.finfo(float).eps
    for iteration in range(max_iter):
        if active.size == 0:
            return root
        L, H = lo[active], hi[active]
        X1, F1, X2, F2 = x1[active], f1[active], x2[active], f2[active]
        with np.errstate(divide="ignore", invalid="ignore"):
            x = X2 - F2 * (X2 - X1) / (F2 - F1)
        # a secant step below 1e-14 relative from the latest evaluation:
        # superlinear convergence, the root is that point to the last ulps
        settled = np.abs(x - X2) <= 1e-14 * np.abs(X2)
        if np.any(settled):
            root[active[settled]] = X2[settled]
            keep = ~settled
            active, x, L, H = active[keep], x[keep], L[keep], H[keep]
            if active.size == 0:
                return root
        # bisection only for a secant point outside the bracket, and for
        # every point from step SECANT_STEPS on (the secant has stalled)
        bisect = ~((L < x) & (x < H)) | (iteration >= SECANT_STEPS)
        x = np.where(bisect, (L + H) / 2, x)
        narrow = ~((L < x) & (x < H)) | (H - L <= 4 * eps * np.abs(H))
        if np.any(narrow):
            root[active[narrow]] = np.where(np.abs(f_lo[active]) < np.abs(f_hi[active]), L, H)[narrow]
        keep = ~narrow
        active, x, bisect = active[keep], x[keep], bisect[keep]
        if active.size == 0:
            return root
        fx = f(x, active)
        done = fx == 0
        root[active[done]] = x[done]
        neg = fx < 0
        lo[active[neg]], f_lo[active[neg]] = x[neg], fx[neg]
        hi[active[~neg]], f_hi[active[~neg]] = x[~neg], fx[~neg]
        x1[active], f1[active] = x2[active], f2[active]
        x2[active], f2[active] = x, fx
        active = active[~done]
    raise ArithmeticError(f"{what}: the float64 root search did not converge in {max_iter} "
                          f"steps at {active.size} points; use backend='mpmath'")


def optimal_w_arrays(lam, spectrum, *, gamma, sigma2=1.0, r2=1.0, kappa_s=1.0, t=None,
                     risks=True):
    """``w*`` over the broadcast grid of ``λ ≥ 0``, ``γ``, ``κ_s`` (``t``:
    ``None``, or integers with ``λ = 0``): the boundary ``w* = 1`` where
    the slope at ``w = 1`` is ``≤ 0``, else the root of ``∂R/∂w`` in
    ``(0, 1)``, bracketed from ``w = 1/2`` down by factors of 4 (to
    :data:`W_FLOOR`) and found by a safeguarded secant on all points at once.
    At ``λ = 0, t = None`` the closed form ``w*(κ_s)``. ``risks=False``
    skips the risks at ``w*`` and at 1 (returned as NaN).

    Raises
    ------
    ValueError
        Finite ``t`` with ``λ > 0`` (no float64 slope there), or what
        :func:`rules_for` and the ``κ`` conditioning refuse.
    ArithmeticError
        No interior minimum down to ``W_FLOOR``.
    """
    spectrum = make_spectrum(spectrum)
    arrays = [lam, gamma, kappa_s] + ([] if t is None else [t])
    shape, flat = _flat(*arrays)
    lf, gf, kf = flat[:3]
    tf = None if t is None else flat[3]
    if tf is not None and np.any(lf > 0):
        raise ValueError("optimal_w with backend='float64' and a finite t needs lam = 0 "
                         "(the finite-t float64 path has no slope in w for ridge); use "
                         "backend='mpmath' for t and lam > 0")
    count = lf.size
    w_star = np.empty(count)
    boundary = np.zeros(count, bool)
    e = expressions("numpy")
    if tf is None:
        # every penalty the search can reach: λ/2 to λ/W_FLOOR
        rules = rules_for(spectrum, np.concatenate([lf / 2, lf / W_FLOOR, lf]),
                          np.concatenate([gf, gf, gf]))

        # κ at the last weight tried, per point: the next solve starts there
        last = [np.zeros(count), np.zeros(count)]

        def slope(x, idx):
            vals = _evaluate(x, lf[idx], gf[idx], sigma2, r2, kf[idx], rules, slope=True,
                             where="optimal_w", start=(last[0][idx], last[1][idx]))
            last[0][idx], last[1][idx] = vals.kappa_a, vals.kappa_b
            return vals.slope
        closed = lf == 0
        if np.any(closed):
            w_star[closed] = e.w_star_kappa_s(kf[closed])
    else:
        rules = rules_for(spectrum, np.zeros(count), gf)
        value, dc = _minnorm_factor_forms()

        def slope(x, idx):     # the sign of ∂c_t/∂w is that of ∂R/∂w (V₀ > 0)
            g, h = _geometric(x, tf[idx])
            return dc(x, kf[idx], g, h, tf[idx])
        closed = np.zeros(count, bool)
    search = np.flatnonzero(~closed)
    if search.size:
        f_one = slope(np.ones(search.size), search)
        at_one = f_one <= 0
        boundary[search[at_one]] = True
        w_star[search[at_one]] = 1.0
        search, f_one = search[~at_one], f_one[~at_one]
    if search.size:
        lo = np.full(search.size, 0.5)
        f_lo = slope(lo, search)
        pending = f_lo >= 0
        while np.any(pending):
            lo[pending] /= 4
            if np.any(lo[pending] < W_FLOOR):
                i = search[pending][0]
                raise ArithmeticError(
                    f"optimal_w: the slope of the risk stays positive down to w = {W_FLOOR:g} "
                    f"at lam = {lf[i]!r}, gamma = {gf[i]!r}: no interior minimum")
            f_lo[pending] = slope(lo[pending], search[pending])
            pending = f_lo >= 0
        roots = _bracketed_secant(lambda x, idx: slope(x, search[idx]), lo, np.ones(search.size),
                                 f_lo, f_one, "optimal_w")
        w_star[search] = roots
    if not risks:           # w* alone (the start of the mpmath solve)
        nan = np.full(count, np.nan)
        return OptimaArrays(w_star.reshape(shape), boundary.reshape(shape),
                            *(nan.reshape(shape) for _ in range(4)))
    bias, variance = risk_arrays(w_star, lf, spectrum, gamma=gf, sigma2=sigma2, r2=r2,
                                 kappa_s=kf, t=tf)
    b1, v1 = risk_arrays(np.ones(count), lf, spectrum, gamma=gf, sigma2=sigma2, r2=r2,
                         kappa_s=kf, t=tf)
    return OptimaArrays(*(v.reshape(shape) for v in (w_star, boundary, bias, variance, b1, v1)))


def critical_lambda_arrays(spectrum, *, gamma, sigma2=1.0, r2=1.0, kappa_s=1.0,
                           lam_min=1e-300, lam_max=1e300):
    r"""``λ_c`` over broadcast ``(γ, κ_s)``: the root in ``log λ`` of the slope
    at ``w = 1`` divided by the size of its terms, ``f/(|f| + 4|V|)`` (as
    :func:`rmtheory.numeric.optimize.critical_lambda`), bracketed from
    ``λ = 10^-6`` by steps of ``10, 10², 10⁴, …`` and solved on all points
    at once.

    Examples
    --------
    >>> from rmtheory.numeric.fast_arrays import critical_lambda_arrays
    >>> round(float(critical_lambda_arrays("isotropic", gamma=2.0)), 10)
    3.2370487307
    """
    spectrum = make_spectrum(spectrum)
    shape, (gf, kf) = _flat(gamma, kappa_s)
    count = gf.size
    rules_cache = {}

    def normalised(log_lam, idx):
        lam = np.exp(log_lam)
        key = (float(np.min(lam)), float(np.max(lam)))
        rules = rules_cache.get(key)
        if rules is None:
            rules = rules_cache[key] = rules_for(spectrum, lam, gf[idx])
        vals = _evaluate(np.ones(idx.size), lam, gf[idx], sigma2, r2, kf[idx], rules,
                         slope=True, where="critical_lambda")
        size = np.abs(vals.slope) + 4 * np.abs(vals.variance)
        return np.where(size > 0, vals.slope / np.where(size > 0, size, 1), 0.0)
    start = math.log(1e-6)
    bounds = math.log(lam_min), math.log(lam_max)
    lo = np.full(count, start)
    hi = np.full(count, start)
    everyone = np.arange(count)
    f0 = normalised(lo, everyone)
    f_lo, f_hi = f0.copy(), f0.copy()
    step = np.full(count, math.log(10))
    down = f0 <= 0           # w* = 1 already at 1e-6: the root is below
    pending = down.copy()
    while np.any(pending):
        idx = np.flatnonzero(pending)
        hi[idx], f_hi[idx] = lo[idx], f_lo[idx]
        lo[idx] -= step[idx]
        step[idx] *= 2
        if np.any(lo[idx] < bounds[0]):
            raise ArithmeticError(f"critical_lambda: w* = 1 for every lam down to {lam_min} "
                                  "(no critical penalty in range)")
        f_lo[idx] = normalised(lo[idx], idx)
        pending[idx] = f_lo[idx] <= 0
    pending = ~down
    while np.any(pending):
        idx = np.flatnonzero(pending)
        lo[idx], f_lo[idx] = hi[idx], f_hi[idx]
        hi[idx] += step[idx]
        step[idx] *= 2
        if np.any(hi[idx] > bounds[1]):
            raise ArithmeticError(f"critical_lambda: w* < 1 for every lam up to {lam_max} "
                                  "(no critical penalty in range)")
        f_hi[idx] = normalised(hi[idx], idx)
        pending[idx] = f_hi[idx] > 0
    # the slope is positive below λ_c: f(lo) > 0 > f(hi); solve −f
    roots = _bracketed_secant(lambda x, idx: -normalised(x, idx), lo, hi, -f_lo, -f_hi,
                             "critical_lambda")
    return np.exp(roots).reshape(shape)
