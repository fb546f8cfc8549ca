r"""Estimators of the Monte Carlo layer beyond ridge: the minimum-ℓ1-norm
interpolator (basis pursuit), and the finite-n optimal weight of one design.

Both work on one finite problem and know nothing of the limit theory; the
experiments (:mod:`rmtheory.experiments`) compare them with it.
"""
from typing import Any

import numpy as np

__all__ = ["min_l1_interpolation", "finite_n_w_star"]


def min_l1_interpolation(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Minimum-ℓ1-norm interpolator (basis pursuit) by linear programming.

    .. math:: \hat b = \operatorname*{argmin}_{Xb = y} \|b\|_1,
              \qquad b = u - v,\ u, v \ge 0,

    solved by SciPy's HiGHS.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Design, ``p > n`` for an interpolator to exist for every ``y``.
    y : ndarray, shape (n,)
        Labels.

    Returns
    -------
    ndarray, shape (p,)
        The interpolator ``b`` (``Xb = y``) of least ``‖b‖₁``.

    Raises
    ------
    ArithmeticError
        The linear programme failed (infeasible ``y``, numerical trouble).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]])
    >>> b = min_l1_interpolation(X, np.array([2.0, 1.0]))
    >>> bool(np.allclose(X @ b, [2.0, 1.0])), round(float(np.abs(b).sum()), 6)
    (True, 1.0)
    """
    from scipy.optimize import linprog
    n, p = X.shape
    res = linprog(np.ones(2 * p), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None),
                  method="highs")
    if res.status != 0:
        raise ArithmeticError(f"min-l1 interpolation: linprog failed ({res.message})")
    return res.x[:p] - res.x[p:]


def finite_n_w_star(cr: Any, lams: Any, *, kappa_s: float = 1.0, t: Any = None,
                    w_min: float = 1e-3) -> np.ndarray:
    r"""The minimiser over ``w ∈ (0, 1]`` of one design's exact conditional
    risk ``R_n(w, λ) = E[‖β̂ − β‖²_Σ | X]``, for each penalty in ``lams``.

    A grid of step 0.01, then a grid of step 2.5e-4 around its minimum,
    then the vertex of the parabola through the three best points (so the
    error is far below the spread between designs); ``1.0`` when the
    minimum sits at the boundary.

    Parameters
    ----------
    cr : rmtheory.montecarlo.ConditionalRisk
        The design's exact conditional risk.
    lams : float or array_like
        Ridge penalties ``λ ≥ 0`` (vectorised).
    kappa_s : float
        Synthetic-noise ratio ``κ_s``.
    t : int, optional
        Refit (``None``: stationary).
    w_min : float
        Smallest weight searched.

    Returns
    -------
    ndarray
        ``w*`` per penalty, in ``[w_min, 1]``.

    Examples
    --------
    >>> from rmtheory.montecarlo import ConditionalRisk, make_problem
    >>> pr = make_problem("isotropic", n=40, gamma=2.0, rng=0)
    >>> w = finite_n_w_star(ConditionalRisk(pr.X, pr.beta, pr.Sigma), [0.0])
    >>> round(float(w[0]), 5)       # min-norm: 1/φ on every design
    0.61803
    """
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    coarse = np.linspace(0.01, 1.0, 100)
    coarse[0] = max(w_min, 1e-3)
    risk = cr.risk(coarse[:, None], lams[None, :], 1.0, t, kappa_s)
    centre = coarse[np.argmin(risk, axis=0)]
    offsets = np.linspace(-0.01, 0.01, 81)
    fine = np.clip(centre[None, :] + offsets[:, None], w_min, 1.0)
    risk = cr.risk(fine, np.broadcast_to(lams, fine.shape), 1.0, t, kappa_s)
    i = np.argmin(risk, axis=0)
    cols = np.arange(lams.size)
    best = fine[i, cols]
    inner = (i > 0) & (i < len(offsets) - 1) & (best < 1.0)
    out = best.copy()
    if np.any(inner):
        j = i[inner]
        c = cols[inner]
        x0, x1, x2 = fine[j - 1, c], fine[j, c], fine[j + 1, c]
        y0, y1, y2 = risk[j - 1, c], risk[j, c], risk[j + 1, c]
        denom = (x0 - x1) * (x0 - x2) * (x1 - x2)
        a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / denom
        b = (x2**2 * (y0 - y1) + x1**2 * (y2 - y0) + x0**2 * (y1 - y2)) / denom
        ok = a > 0
        vertex = np.where(ok, -b / (2 * np.where(ok, a, 1.0)), x1)
        out[inner] = np.clip(vertex, x0, x2)
    return out
