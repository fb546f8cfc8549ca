r"""The limit ``n → ∞`` of a Monte Carlo mean, estimated from several sizes.

A finite-n mean differs from the ``n, p → ∞`` limit (``p/n = γ`` fixed) by
a deterministic ``O(1/n)``, so a z-score of one size against the limit
measures that gap as much as any error of the formula. The test of a
limit claim that needs no tolerance fits, over sizes ``n_1 < … < n_m``,

.. math::

    \bar R(n) = R_\infty + \frac{b}{n} \;\Bigl(+ \frac{c}{n^2}\Bigr),

by weighted least squares with the Monte Carlo standard errors
``se_i`` as weights (``W = diag(1/se_i²)``, ``A`` the design matrix with
columns ``1, 1/n, (1/n²)``):

.. math::

    \hat\theta = (A^\top W A)^{-1} A^\top W \bar R, \qquad
    \operatorname{se}(\hat R_\infty) = \sqrt{[(A^\top W A)^{-1}]_{00}},

and the verdict is ``z = (R̂_∞ − R_theory)/se(R̂_∞)``. ``R̂_∞`` is a
linear combination ``Σ c_i R̄_i`` of independent means, so with ``K_i``
draws per size its Student-t degrees of freedom follow Welch–Satterthwaite,
``ν = (Σ c_i² se_i²)² / Σ c_i⁴ se_i⁴/(K_i − 1)``; :func:`normal_z` maps the
t-statistic to the normal quantile of the same tail probability, so that
the verdict z-scores of a right theory are ``N(0, 1)`` (the
:mod:`.calibration` check) whatever the number of draws.

Examples
--------
>>> from rmtheory.compare.extrapolate import fit_limit
>>> fit = fit_limit([40, 80, 160], [1.05, 1.025, 1.0125], [0.01, 0.005, 0.0025])
>>> round(fit.limit, 10), round(fit.coefficients[1], 10)
(1.0, 2.0)
"""
import math
from typing import NamedTuple

import numpy as np

__all__ = ["LimitFit", "fit_limit", "normal_z", "student_to_normal"]


class LimitFit(NamedTuple):
    """A weighted fit of the means over ``n`` and its extrapolation to ``n → ∞``.

    Attributes
    ----------
    ns, means, ses : tuple of float
        The sizes and the Monte Carlo means and standard errors fitted.
    order : int
        ``1``: ``R∞ + b/n``; ``2``: ``+ c/n²``.
    limit, limit_se : float
        ``R̂∞`` and its standard error.
    coefficients : tuple of float
        ``(R∞, b[, c])``.
    chi2 : float
        Weighted residual sum of squares (``nan`` with no residual degree
        of freedom): with ``residual_dof`` degrees of freedom it checks the
        form of the fit.
    residual_dof : int
        ``len(ns) − order − 1``.
    dof : float
        Welch–Satterthwaite degrees of freedom of ``R̂∞`` (``inf`` when the
        draws are not given).
    """
    ns: tuple
    means: tuple
    ses: tuple
    order: int
    limit: float
    limit_se: float
    coefficients: tuple
    chi2: float
    residual_dof: int
    dof: float

    def z(self, theory):
        """The verdict ``z`` of a theory value against the extrapolated
        limit, on the normal scale (:func:`normal_z`)."""
        return normal_z(self.limit - float(theory), self.limit_se, self.dof)


def fit_limit(ns, means, ses, *, order=1, draws=None):
    r"""Fit ``mean(n) = R∞ + b/n (+ c/n²)`` weighted by ``1/se²``.

    Parameters
    ----------
    ns : sequence of int
        At least ``order + 1`` distinct sizes.
    means, ses : sequence of float
        Monte Carlo means and standard errors, one per size; ``se > 0``
        (a zero standard error is floored at ``1e-8`` of the largest, so
        that an exact point pins the fit).
    order : {1, 2}
    draws : sequence of int, optional
        Draws behind each mean, for the Welch–Satterthwaite degrees of
        freedom.

    Returns
    -------
    LimitFit

    Raises
    ------
    ValueError
        Mismatched lengths, too few or repeated sizes, a negative or
        non-finite standard error, or ``order`` not 1 or 2.

    Examples
    --------
    >>> from rmtheory.compare.extrapolate import fit_limit
    >>> fit = fit_limit([50, 100, 200], [1.1, 1.05, 1.025], [0.01, 0.01, 0.01], draws=[20] * 3)
    >>> round(fit.limit, 12), round(fit.limit_se, 6), round(fit.z(1.0), 6), fit.dof
    (1.0, 0.012247, 0.0, 38.0)
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, received {order!r}")
    ns = np.asarray(ns, dtype=float)
    means = np.asarray(means, dtype=float)
    ses = np.asarray(ses, dtype=float)
    if not (ns.ndim == means.ndim == ses.ndim == 1 and ns.size == means.size == ses.size):
        raise ValueError(f"ns, means and ses must be 1-D of one length, received lengths "
                         f"{ns.size}, {means.size}, {ses.size}")
    if ns.size < order + 1 or np.unique(ns).size != ns.size or np.any(ns <= 0):
        raise ValueError(f"ns must hold at least {order + 1} distinct positive sizes for "
                         f"order {order}, received {tuple(ns)}")
    if np.any(~np.isfinite(ses)) or np.any(ses < 0) or np.any(~np.isfinite(means)):
        raise ValueError(f"means and ses must be finite and ses >= 0, received means="
                         f"{tuple(means)}, ses={tuple(ses)}")
    floor = 1e-8 * max(float(ses.max()), 1e-300)
    s = np.maximum(ses, floor)
    A = np.vander(1.0 / ns, order + 1, increasing=True)
    Wt = 1.0 / s**2
    # QR of the whitened design, not the normal equations: an (almost) exact
    # point weighs 1e16 times more than the others
    Q, R = np.linalg.qr(A / s[:, None])
    Rinv = np.linalg.inv(R)
    cov = Rinv @ Rinv.T
    combo = Rinv @ Q.T / s[None, :]       # θ̂ = combo @ means
    theta = combo @ means
    resid = means - A @ theta
    rdof = ns.size - order - 1
    chi2 = float(np.sum(Wt * resid**2)) if rdof > 0 else math.nan
    limit_se = math.sqrt(max(float(cov[0, 0]), 0.0))
    if draws is None:
        dof = math.inf
    else:
        draws = np.asarray(draws, dtype=float)
        if draws.shape != ns.shape or np.any(draws < 2):
            raise ValueError(f"draws must give one count >= 2 per size, received {draws}")
        parts = (combo[0] * s)**2
        dof = float(np.sum(parts)**2 / np.sum(parts**2 / (draws - 1)))
    return LimitFit(tuple(ns.tolist()), tuple(means.tolist()), tuple(ses.tolist()), order,
                    float(theta[0]), limit_se, tuple(float(x) for x in theta), chi2, rdof,
                    dof)


def student_to_normal(t_value, dof):
    r"""The normal quantile with the tail probability of ``t_value`` under
    Student's t with ``dof`` degrees of freedom, ``Φ⁻¹(F_ν(t))`` (computed
    from the smaller tail, so far tails keep their digits).

    Examples
    --------
    >>> from rmtheory.compare.extrapolate import student_to_normal
    >>> round(student_to_normal(3.0, 23), 4), student_to_normal(1.5, float("inf"))
    (2.7271, 1.5)
    """
    from scipy.stats import norm, t as student_t
    if math.isnan(t_value) or math.isinf(dof):
        return float(t_value)
    if math.isinf(t_value):
        return float(t_value)
    tail = float(student_t.sf(abs(t_value), dof))
    return math.copysign(float(norm.isf(tail)), t_value)


def normal_z(gap, se, dof=math.inf):
    """``gap/se`` on the normal scale (:func:`student_to_normal`); ``nan``
    for an unknown ``se``, ``±inf`` (or ``0``) for ``se = 0``.

    Examples
    --------
    >>> from rmtheory.compare.extrapolate import normal_z
    >>> normal_z(0.02, 0.01), normal_z(0.0, 0.0)
    (2.0, 0.0)
    """
    if math.isnan(se) or math.isnan(gap):
        return math.nan
    if se <= 0:
        return 0.0 if gap == 0 else math.copysign(math.inf, gap)
    return student_to_normal(gap / se, dof)
