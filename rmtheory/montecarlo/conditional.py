r"""Exact conditional risk of the retraining loop for a fixed design.

Given ``X`` (fixed), ``β`` and ``Σ``, the risk after ``t`` refits,
``R_t = E[‖β̂_t − β‖²_Σ | X]``, is an exact finite-n quantity (SPEC §2).
With ``Σ̂ = XᵀX/n = Σ_i d_i v_i v_iᵀ`` (``d_i > 0``) and
``β_⊥ = β − VVᵀβ`` the component of ``β`` in the null space of ``X``,

.. math::

    R_t = \bigl\|V(1 - a_t(D))c + \beta_\perp\bigr\|_\Sigma^2
          + \frac{\sigma^2}{n} \sum_i u_t(d_i)\,(V^\top\Sigma V)_{ii},
    \qquad c = V^\top\beta,

where ``a_t`` and ``u_t`` are the per-eigenvalue mean and variance
multipliers derived in :mod:`rmtheory.symbolic` (never retyped here: they
come from ``formula(...).lambdify("numpy")``). The directions with
``d = 0`` contribute ``β_⊥`` to the bias and nothing to the variance.

Everything depends on ``X`` only through one eigendecomposition of the
smaller Gram matrix (``XXᵀ/n`` when ``p > n``, with ``v_i = Xᵀu_i/√(n d_i)``;
``XᵀX/n`` otherwise) and the ``k × k`` matrix ``M = VᵀΣV``, the vector
``VᵀΣβ_⊥`` and the number ``β_⊥ᵀΣβ_⊥``. :class:`ConditionalRisk` keeps
these, so each further ``(w, λ, t)`` costs ``O(k²)``. For ``Σ = sI`` none
of them needs ``V``: ``M = sI``, ``VᵀΣβ_⊥ = 0``, ``c = D^{-1/2}Uᵀ(Xβ)/√n``
and ``β_⊥ᵀΣβ_⊥ = s(‖β‖² − ‖c‖²)``, so with ``p > n`` the ``p × k`` product
``V = XᵀU D^{-1/2}/√n`` (a quarter of the whole cost) is never formed and
each further point costs ``O(k)``.

Examples
--------
>>> from rmtheory.montecarlo import ConditionalRisk, make_problem
>>> pr = make_problem("isotropic", n=40, gamma=2.0, rng=3)
>>> cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
>>> # min-norm: the variance is c_t(w) times the one-shot variance, c(1/2) = 2/3
>>> round(cr.variance(0.5, 0.0) / cr.variance(1.0, 0.0, t=0), 12)
0.666666666667
"""
from functools import lru_cache

import numpy as np

from .._validation import check_int, check_real
from . import resources
from .parallel import small_blas

__all__ = ["ConditionalRisk", "conditional_risk", "conditional_risk_path"]


# ----------------------------------------------------------------------------
# input conversion shared with :mod:`.simulate`


def as_design(X, name="X"):
    """``X`` as a finite float ``(n, p)`` array with ``n >= 2``."""
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(f"{name} must be a 2-D array of reals, received {type(X).__name__}")
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a 2-D array of reals, received {type(X).__name__}") from None
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n, p), received shape {X.shape}")
    n, p = X.shape
    if n < 2:
        raise ValueError(f"{name} must have n >= 2 rows, received shape {X.shape}")
    if p < 1:
        raise ValueError(f"{name} must have p >= 1 columns, received shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must be finite, received an array with NaN or inf")
    return X


def as_vector(value, p, name):
    """A finite float vector of length ``p``."""
    try:
        value = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of reals, received {type(value).__name__}") from None
    if value.shape != (p,):
        raise ValueError(f"{name} must have shape ({p},) to match X, received shape {value.shape}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} must be finite, received an array with NaN or inf")
    return value


def as_covariance(Sigma, p, name="Sigma"):
    """``Σ`` as a positive vector (diagonal) or a symmetric positive
    definite ``(p, p)`` matrix; returns the (symmetrised) array."""
    if Sigma is None:
        raise TypeError(f"{name} is required: a ({p},) vector of eigenvalues or a ({p}, {p}) matrix")
    try:
        Sigma = np.asarray(Sigma, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of reals, received {type(Sigma).__name__}") from None
    if Sigma.shape not in ((p,), (p, p)):
        raise ValueError(f"{name} must have shape ({p},) or ({p}, {p}) to match X, "
                         f"received shape {Sigma.shape}")
    if not np.all(np.isfinite(Sigma)):
        raise ValueError(f"{name} must be finite, received an array with NaN or inf")
    if Sigma.ndim == 1:
        if np.any(Sigma <= 0):
            raise ValueError(f"{name} (diagonal) must be positive, received min {Sigma.min()}")
        return Sigma
    scale = np.max(np.abs(Sigma))
    if np.max(np.abs(Sigma - Sigma.T)) > 1e-12 * max(scale, 1.0) * p:
        raise ValueError(f"{name} must be symmetric, received max |Sigma - Sigma.T| = "
                         f"{np.max(np.abs(Sigma - Sigma.T)):.3g}")
    Sigma = (Sigma + Sigma.T) / 2
    try:
        np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name} must be positive definite") from None
    return Sigma


def as_grid(value, name, *, low, low_open, high=None):
    """A real scalar or array with every entry in the stated interval."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a real number or array of reals, received {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or array of reals, "
                        f"received {type(value).__name__} {value!r}") from None
    if arr.dtype == bool or np.asarray(value).dtype == bool:
        raise TypeError(f"{name} must be real, received booleans")
    bad = ~np.isfinite(arr)
    bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= arr > high
    if np.any(bad):
        interval = f"{'(' if low_open else '['}{low}, {'inf)' if high is None else f'{high}]'}"
        shown = arr if arr.ndim == 0 else arr[bad][0]
        raise ValueError(f"{name} must be in {interval}, received {shown}")
    return arr


def as_t(t):
    """``None`` (``t → ∞``) or an int ``>= 0``."""
    return None if t is None else check_int("t", t, low=0)


# ----------------------------------------------------------------------------
# the multipliers, from the symbolic layer


@lru_cache(maxsize=None)
def _multipliers():
    """NumPy callables of the derived multipliers ``a_t, u_t, a_∞, u_∞``."""
    from ..symbolic import formula
    return (formula("ridge_mean_multiplier_t").lambdify("numpy"),
            formula("ridge_variance_multiplier_t").lambdify("numpy"),
            formula("ridge_mean_multiplier").lambdify("numpy"),
            formula("ridge_variance_multiplier").lambdify("numpy"))


@lru_cache(maxsize=None)
def _one_step_maps():
    """NumPy callables of the one-step maps ``a_{t-1} ↦ a_t``,
    ``u_{t-1} ↦ u_t`` and of ``a_0, u_0``, lambdified from
    :func:`rmtheory.symbolic.recursion.multiplier_recursion`."""
    import sympy as sp
    from ..symbolic.recursion import a_prev, multiplier_recursion, u_prev
    from ..symbolic.symbols import d, kappa_s, lam, w
    rec = multiplier_recursion(lam)
    return (sp.lambdify((a_prev, d, lam, w), rec.mean_map, "numpy"),
            sp.lambdify((u_prev, d, lam, w, kappa_s), rec.variance_map, "numpy"),
            sp.lambdify((d, lam), rec.a0, "numpy"),
            sp.lambdify((d, lam), rec.u0, "numpy"))


def _check_memory(n, p, Sigma):
    """Refuse, before its checks and the Gram matrix, a design whose exact
    risk needs more memory than this machine has (:mod:`.resources`)."""
    try:
        S = np.asarray(Sigma, dtype=float)
    except (TypeError, ValueError):      # as_covariance says why
        return
    if S.ndim == 2:
        kind = "dense"
    elif S.ndim == 1 and S.size and np.all(S == S.flat[0]):
        kind = "constant"
    else:
        kind = "diagonal"
    k = min(n, p)
    resources.check_memory(
        8 * resources.conditional_floats(n, p, kind), name="X",
        what=f"ConditionalRisk of X of shape ({n}, {p})",
        detail=f"the {k} x {k} Gram matrix and its eigenvectors, V of {p} x {k}"
               + (", the checks of the full Sigma" if kind == "dense" else ""),
        advice="use a smaller design")


# ----------------------------------------------------------------------------


class ConditionalRisk:
    r"""Exact conditional risk ``R_t(w, λ)`` for one fixed ``(X, β, Σ)``.

    The constructor does the only expensive work (on one BLAS thread when
    ``k <= SMALL_BLAS``, :func:`~rmtheory.montecarlo.parallel.small_blas`):
    one eigendecomposition of the smaller Gram matrix and the Σ-weighted
    projections (for ``Σ = sI`` without ``V``: see the module)

    .. math::

        M = V^\top\Sigma V, \quad g = V^\top\Sigma\beta_\perp, \quad
        h = \beta_\perp^\top\Sigma\beta_\perp, \quad c = V^\top\beta,

    after which, with ``e = (1 − a)∘c``,

    .. math::

        \mathrm{bias} = e^\top M e + 2 e^\top g + h, \qquad
        \mathrm{variance} = \frac{\sigma^2}{n}\sum_i u_i M_{ii}.

    Parameters
    ----------
    X : array_like, shape (n, p)
        The design (``n >= 2``, finite).
    beta : array_like, shape (p,)
        The truth.
    Sigma : array_like, shape (p,) or (p, p)
        Population covariance: eigenvalues of a diagonal ``Σ`` or a
        symmetric positive-definite matrix.
    rtol : float, optional
        Eigenvalues ``d <= rtol · max d`` of ``XᵀX/n`` count as zero (null
        space). Default ``max(n, p) · eps``.

    Raises
    ------
    ValueError
        Besides bad input: ``"X too large for the memory: ..."`` when the
        Gram matrix, its eigenvectors and ``V`` (about ``np + 5k²`` floats,
        ``k = min(n, p)``; ``5k²`` for ``Σ = sI``, where ``V`` is not formed
        or is the eigenvector matrix; more for a non-constant ``Σ``) would not fit in
        ``SAFETY`` × the available memory (:mod:`.resources`).

    Attributes
    ----------
    eigenvalues : ndarray, shape (k,)
        The nonzero eigenvalues ``d_i`` of ``XᵀX/n``.
    rank : int
        ``k``.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtheory.montecarlo import ConditionalRisk, make_problem
    >>> pr = make_problem("ar1", n=60, gamma=1.5, rng=0)
    >>> cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    >>> # the stationary mean is ridge at λ/w: equal biases
    >>> bool(np.isclose(cr.bias(0.5, 0.3), cr.bias(1.0, 0.6, t=0), rtol=1e-12))
    True
    >>> cr.risk(np.array([0.5, 0.618, 1.0])[:, None], np.array([0.0, 0.3])).shape
    (3, 2)
    """

    def __init__(self, X, beta, Sigma, *, rtol=None):
        X = as_design(X)
        n, p = X.shape
        beta = as_vector(beta, p, "beta")
        _check_memory(n, p, Sigma)
        Sigma = as_covariance(Sigma, p)
        if rtol is None:
            rtol = max(n, p) * np.finfo(float).eps
        rtol = float(check_real("rtol", rtol, low=0))
        constant = Sigma.ndim == 1 and bool(np.all(Sigma == Sigma[0]))
        with small_blas(min(n, p)):
            if p > n:
                d, U = np.linalg.eigh(X @ X.T / n)
            else:
                d, V = np.linalg.eigh(X.T @ X / n)
            keep = d > rtol * max(d.max(), 0.0)
            if not np.any(keep):
                raise ValueError("X must not be zero")
            d = d[keep]
            M = None
            if p > n and constant:
                # Σ = sI: V = XᵀU D^{-1/2}/√n is never formed (a p × k product,
                # as costly as the Gram matrix): c = Vᵀβ = D^{-1/2}Uᵀ(Xβ)/√n, and
                # with orthonormal columns VᵀΣV = sI, VᵀΣβ_⊥ = s Vᵀβ_⊥ = 0 and
                # β_⊥ᵀΣβ_⊥ = s(‖β‖² − ‖c‖²)
                c = (U[:, keep].T @ (X @ beta)) / np.sqrt(n * d)
                g = np.zeros_like(c)
                h = float(Sigma[0] * max(float(beta @ beta) - float(c @ c), 0.0))
                diagM = np.full(d.size, float(Sigma[0]))
            else:
                if p > n:
                    V = X.T @ (U[:, keep] / np.sqrt(n * d))
                elif not keep.all():
                    V = V[:, keep]
                c = V.T @ beta
                beta_null = beta - V @ c
                if constant:
                    # VᵀΣV = sI and VᵀΣβ_⊥ = 0 exactly: no k × k product
                    g = np.zeros_like(c)
                    h = float(Sigma[0] * (beta_null @ beta_null))
                    diagM = np.full(d.size, float(Sigma[0]))
                else:
                    if Sigma.ndim == 1:
                        SV = Sigma[:, None] * V
                        h = float(beta_null @ (Sigma * beta_null))
                    else:
                        SV = Sigma @ V
                        h = float(beta_null @ (Sigma @ beta_null))
                    M = V.T @ SV
                    M = (M + M.T) / 2
                    g = SV.T @ beta_null
                    diagM = np.diag(M).copy()
        self.n, self.p = n, p
        self.eigenvalues = d
        self.rank = d.size
        self._c = c
        # None for Σ = sI: the quadratic form is then s‖e‖² (no k × k matrix)
        self._M = M
        self._scale = float(Sigma[0]) if M is None else None
        self._diagM = diagM
        self._g = g
        self._h = h

    # -- multipliers -----------------------------------------------------

    def multipliers(self, w, lam, t=None, kappa_s=1.0):
        """Mean and variance multipliers ``a_t(d_i), u_t(d_i)``.

        ``w`` and ``lam`` broadcast to a shape ``S``; both results have
        shape ``S + (k,)``.
        """
        w = as_grid(w, "w", low=0, low_open=True, high=1)
        lam = as_grid(lam, "lam", low=0, low_open=False)
        t = as_t(t)
        kappa_s = float(check_real("kappa_s", kappa_s, low=0))
        w, lam = np.broadcast_arrays(w, lam)
        d = self.eigenvalues
        W, L = w[..., None], lam[..., None]
        a_t, u_t, a_inf, u_inf = _multipliers()
        shape = w.shape + d.shape
        if t is None:
            a, u = a_inf(d, L, W), u_inf(d, L, W, kappa_s)
        else:
            a, u = a_t(d, L, W, t), u_t(d, L, W, kappa_s, t)
        return np.broadcast_to(a, shape), np.broadcast_to(u, shape)

    # -- risk ------------------------------------------------------------

    def _bias_from(self, a):
        e = (1.0 - a) * self._c
        if self._M is None:       # Σ = sI: eᵀ(sI)e, and VᵀΣβ_⊥ = 0
            return self._scale * np.einsum("...i,...i->...", e, e) + self._h
        # (e M)·e as one matrix product: the three-operand einsum does not
        # use BLAS and dominated the cost of a grid
        quad = np.einsum("...i,...i->...", e @ self._M, e)
        return quad + 2.0 * (e @ self._g) + self._h

    def _variance_from(self, u, sigma2):
        return sigma2 / self.n * (u @ self._diagM)

    @staticmethod
    def _out(x):
        return float(x) if np.ndim(x) == 0 else x

    def bias(self, w, lam, t=None):
        r"""Squared Σ-norm of the mean error, ``‖E β̂_t − β‖²_Σ``."""
        a, _ = self.multipliers(w, lam, t)
        return self._out(self._bias_from(a))

    def variance(self, w, lam, sigma2=1.0, t=None, kappa_s=1.0):
        r"""``E‖β̂_t − E β̂_t‖²_Σ = (σ²/n) tr(Σ U_t)``."""
        sigma2 = float(check_real("sigma2", sigma2, low=0))
        _, u = self.multipliers(w, lam, t, kappa_s)
        return self._out(self._variance_from(u, sigma2))

    def risk(self, w, lam, sigma2=1.0, t=None, kappa_s=1.0):
        r"""``R_t(w, λ) = bias + variance``; ``t=None`` is ``t → ∞``."""
        sigma2 = float(check_real("sigma2", sigma2, low=0))
        a, u = self.multipliers(w, lam, t, kappa_s)
        return self._out(self._bias_from(a) + self._variance_from(u, sigma2))

    def risk_path(self, weights, lam, sigma2=1.0, kappa_s=1.0):
        r"""Exact ``R_0, …, R_T`` for a weight schedule ``w_1, …, w_T``.

        Iterates the one-step multiplier maps of
        :func:`rmtheory.symbolic.recursion.multiplier_recursion`,

        .. math::

            a_t = \rho\,(w_t + (1-w_t)a_{t-1}), \qquad
            u_t = (1-w_t)^2\rho^2 u_{t-1} + (w_t^2 + \kappa_s(1-w_t)^2)\frac{d}{(d+\lambda)^2},

        so any schedule is allowed, including ``w_t = 0`` (pure synthetic)
        and the dynamic schedule.

        Parameters
        ----------
        weights : array_like, shape (T,)
            Real-data weights ``w_t ∈ [0, 1]`` of refits ``1..T`` (the fit
            ``t = 0`` uses the real labels only).
        lam : float
            Ridge penalty ``>= 0`` (``0``: min-norm / OLS).

        Returns
        -------
        ndarray, shape (T + 1,)
        """
        weights = as_grid(weights, "weights", low=0, low_open=False, high=1)
        if weights.ndim > 1:
            raise ValueError(f"weights must be 1-D, received shape {weights.shape}")
        weights = np.atleast_1d(weights)
        lam = float(check_real("lam", lam, low=0))
        sigma2 = float(check_real("sigma2", sigma2, low=0))
        kappa_s = float(check_real("kappa_s", kappa_s, low=0))
        mean_map, variance_map, a0, u0 = _one_step_maps()
        d = self.eigenvalues
        a = np.broadcast_to(a0(d, lam), d.shape)
        u = np.broadcast_to(u0(d, lam), d.shape)
        out = [self._bias_from(a) + self._variance_from(u, sigma2)]
        for w_t in weights:
            a = mean_map(a, d, lam, w_t)
            u = variance_map(u, d, lam, w_t, kappa_s)
            out.append(self._bias_from(a) + self._variance_from(u, sigma2))
        return np.asarray(out, dtype=float)


def conditional_risk(X, beta, *, Sigma, w, lam, sigma2=1.0, t=None, kappa_s=1.0):
    r"""Exact conditional risk ``R_t = E[‖β̂_t − β‖²_Σ | X]``.

    .. math::

        R_t(w, \lambda) = \bigl\|(I - a_t(\hat\Sigma))\beta\bigr\|_\Sigma^2
            + \frac{\sigma^2}{n}\operatorname{tr}\bigl(\Sigma\, u_t(\hat\Sigma)\bigr),

    with ``a_t, u_t`` the derived multipliers (``0`` on the null space of
    ``X``) and ``t = None`` meaning ``t → ∞``. For a grid of many
    ``(w, λ, t)`` build one :class:`ConditionalRisk` and reuse it.

    Parameters
    ----------
    X : array_like, shape (n, p)
        Design, ``n >= 2``.
    beta : array_like, shape (p,)
        Truth.
    Sigma : array_like, shape (p,) or (p, p)
        Population covariance (eigenvalues of a diagonal ``Σ``, or the
        full symmetric positive-definite matrix).
    w : float or array_like
        Real-data weight(s) in ``(0, 1]``.
    lam : float or array_like
        Ridge penalty(ies) ``>= 0``; ``0`` is min-norm interpolation
        (``p > n``) or OLS (``p < n``). Broadcast against ``w``.
    sigma2 : float
        Real label-noise variance ``σ² >= 0``.
    t : int or None
        Number of refits; ``None`` for the stationary risk.
    kappa_s : float
        Synthetic-noise ratio ``κ_s >= 0`` (synthetic variance ``κ_s σ²``).

    Returns
    -------
    float or ndarray
        A float for scalar ``w`` and ``lam``, else an array of their
        broadcast shape.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtheory.montecarlo import conditional_risk, make_problem
    >>> pr = make_problem("isotropic", n=50, gamma=2.0, rng=0)
    >>> r = conditional_risk(pr.X, pr.beta, Sigma=pr.Sigma, w=np.array([0.3, 0.618, 1.0]),
    ...                      lam=0.0)
    >>> int(np.argmin(r))      # min-norm: w* = 1/φ ≈ 0.618 on any design
    1
    """
    return ConditionalRisk(X, beta, Sigma).risk(w, lam, sigma2, t, kappa_s)


def conditional_risk_path(X, beta, *, Sigma, weights, lam, sigma2=1.0, kappa_s=1.0):
    r"""Exact ``R_0, …, R_T`` along a schedule of weights ``w_1, …, w_T``.

    See :meth:`ConditionalRisk.risk_path`.

    .. math::

        R_t = \bigl\|(I - a_t(\hat\Sigma))\beta\bigr\|_\Sigma^2
            + \frac{\sigma^2}{n}\operatorname{tr}\bigl(\Sigma\, u_t(\hat\Sigma)\bigr),
        \quad a_t = \rho(w_t + (1-w_t)a_{t-1}).

    Examples
    --------
    >>> import numpy as np
    >>> from rmtheory.montecarlo import conditional_risk_path, make_problem
    >>> pr = make_problem("isotropic", n=40, gamma=2.0, rng=0)
    >>> path = conditional_risk_path(pr.X, pr.beta, Sigma=pr.Sigma, weights=np.zeros(4), lam=0.0)
    >>> bool(np.allclose(np.diff(path, 2), 0, atol=1e-12))   # w = 0: linear growth in t
    True
    """
    return ConditionalRisk(X, beta, Sigma).risk_path(weights, lam, sigma2, kappa_s)
