r"""The exact conditional risk of every retraining scheme along ``t`` on
one finite design (no limit taken)."""
from typing import Any

import numpy as np

__all__ = ["exact_scheme_path"]


def exact_scheme_path(problem: Any, cr: Any, scheme: str, T: int, *, lam: float,
                      w: Any = None) -> np.ndarray:
    r"""Exact conditional risks ``R_0, …, R_T`` of one scheme on one design.

    For the mixing schemes (``mix``, ``replace``, ``dynamic``)
    :meth:`~rmtheory.montecarlo.ConditionalRisk.risk_path` along the weights
    of the literal loop (:func:`~rmtheory.montecarlo.weight_schedule`); for
    *accumulate* the derived per-eigenvalue step maps
    (:func:`rmtheory.symbolic.schemes.iterate_multipliers`) on the design's
    eigenvalues ``d_i`` of ``XᵀX/n``, with

    .. math:: R_t = \|V((1-a_t)\circ c) + \beta_\perp\|_\Sigma^2
              + \frac{\sigma^2}{n}\sum_i u_t(d_i)\,(V^\top\Sigma V)_{ii}.

    Parameters
    ----------
    problem : rmtheory.montecarlo.Problem
        The design ``X``, truth ``β`` and covariance ``Σ``.
    cr : rmtheory.montecarlo.ConditionalRisk
        Its exact conditional risk.
    scheme : str
        One of :data:`rmtheory.montecarlo.SCHEMES`.
    T : int
        Last refit.
    lam : float
        Ridge penalty.
    w : float, optional
        The weight of ``mix``.

    Returns
    -------
    ndarray, shape (T + 1,)

    Examples
    --------
    >>> from rmtheory.montecarlo import ConditionalRisk, make_problem
    >>> pr = make_problem("isotropic", n=20, gamma=2.0, rng=0)
    >>> cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    >>> path = exact_scheme_path(pr, cr, "replace", 3, lam=0.0)
    >>> bool(np.all(np.diff(path) > 0))        # replacing the data: collapse
    True
    """
    from .simulate import weight_schedule
    if scheme != "accumulate":
        return cr.risk_path(weight_schedule(scheme, T, w)[1:], lam)
    from ..symbolic.schemes import iterate_multipliers
    X, beta, Sigma = problem.X, problem.beta, problem.Sigma
    n = X.shape[0]
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s**2 > max(X.shape) * np.finfo(float).eps * s[0]**2
    V, d = Vt[keep].T, s[keep]**2 / n
    c = V.T @ beta
    beta_null = beta - V @ c
    SV = Sigma[:, None] * V if Sigma.ndim == 1 else Sigma @ V
    diag_m = np.einsum("ij,ij->j", V, SV)
    out = []
    for a, u in iterate_multipliers("accumulate", int(T), d, lam=float(lam)):
        e = V @ ((1.0 - a) * c) + beta_null
        quad = e @ (Sigma * e) if Sigma.ndim == 1 else e @ (Sigma @ e)
        out.append(quad + np.sum(u * diag_m) / n)
    return np.asarray(out, dtype=float)
