r"""The deterministic equivalent of a realised problem.

The limit theory describes ``n, p → ∞`` with the spectrum ``H`` of ``Σ``
and the signal measure ``G``; a user has one ``Σ`` (``p × p``) and one
``β``. Their deterministic equivalent is the same theory evaluated at the
realised aspect ratio and measures,

.. math::

    \gamma_p = p/n, \qquad H_p = \frac1p\sum_i \delta_{s_i}, \qquad
    G_p = \sum_i \frac{(u_i^\top\beta)^2}{\|\beta\|^2}\delta_{s_i}, \qquad
    r^2 = \|\beta\|^2,

(:meth:`rmtheory.numeric.Spectrum.from_covariance`). It removes the part of
the finite-n gap that comes from ``H_p ≠ H`` and ``G_p ≠ G`` — the diverging
eigenvalue of an equicorrelated ``Σ``, the finite-``p`` Toeplitz spectrum
of AR(1), the ``1/p`` mass of a spike — and keeps the ``O(1/n)`` part that
comes from the randomness of ``X`` (for Gaussian isotropic designs that
part is all of it: result 9).

Examples
--------
>>> import numpy as np
>>> import rmtheory as rt
>>> Sigma = np.diag([1.0] * 79 + [5.0])             # one spike on the last axis
>>> beta = np.r_[np.zeros(79), 1.0]
>>> round(float(rt.deterministic_equivalent(0.618, n=40, Sigma=Sigma, beta=beta)), 6)
0.912157
"""
from fractions import Fraction

import numpy as np

__all__ = ["deterministic_equivalent"]


def deterministic_equivalent(w=None, *, n, Sigma, beta, lam=0.0, sigma2=1.0, t=None,
                             kappa_s=1.0, scheme="mix", dps=15, rtol=1e-9):
    r"""The limiting risk at ``γ = p/n`` with ``H_p``, ``G_p`` of the given
    ``Sigma`` and ``beta``: the theory's prediction for this size.

    Parameters
    ----------
    w : float, optional
        Real-data weight in ``(0, 1]`` (``None`` for the schemes that
        choose their own).
    n : int
        Sample size, ``>= 1``.
    Sigma : array_like
        ``(p, p)`` covariance, or its ``p`` eigenvalues (diagonal ``Σ``).
    beta : array_like
        ``(p,)`` truth, or ``(k, p)`` truths (the mean risk over them).
    lam, sigma2, t, kappa_s, scheme, dps
        As :func:`rmtheory.limiting_risk`.
    rtol : float
        Eigenvalues within ``rtol`` relative are one atom.

    Returns
    -------
    rmtheory.RiskResult
        ``.bias``, ``.variance``, ``.total``; ``params`` record
        ``gamma = p/n`` and the atoms.

    Raises
    ------
    ValueError, TypeError
        Bad ``n``, shapes, a ``Σ`` that is not positive definite, and
        everything :func:`rmtheory.limiting_risk` refuses.

    Examples
    --------
    >>> import numpy as np
    >>> import rmtheory as rt
    >>> r = rt.deterministic_equivalent(1.0, n=100, Sigma=np.ones(200), beta=np.ones(200) / 10)
    >>> float(r.total)         # Σ = I: the isotropic limit at γ = 2, r² = 2
    2.0
    """
    from ..api import limiting_risk
    from ..numeric.spectra import Spectrum
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an int >= 1, received {n!r}")
    spec = Spectrum.from_covariance(Sigma, beta, rtol=rtol)
    p = np.atleast_2d(np.asarray(beta)).shape[1]
    return limiting_risk(w, spec, gamma=Fraction(p, int(n)), lam=lam, sigma2=sigma2,
                         r2=spec.params["beta_norm2"], t=t, kappa_s=kappa_s, scheme=scheme,
                         dps=dps)
