r"""Literal simulation of the retraining loop on a fixed design.

Every repetition draws fresh label noise, fits ``β̂_0`` on real labels and
refits ``T`` times on labels built from the previous fit; the result is
the realised risk ``‖β̂_t − β‖²_Σ`` of every repetition at every ``t``.
Schemes (``q_t = 1 − w_t``, ``ε`` of variance ``σ²``, ``ε̃`` of variance
``κ_s σ²``):

.. math::

    \text{mix, replace, dynamic:}\quad
    \hat\beta_t = A\bigl(w_t(X\beta + \varepsilon_t)
                  + q_t(X\hat\beta_{t-1} + \tilde\varepsilon_t)\bigr),
    \qquad
    \text{accumulate:}\quad
    \hat\beta_t = A\Bigl(\frac{1}{t+1}\Bigl[y_0 + \sum_{j=1}^{t}
                  (X\hat\beta_{j-1} + \tilde\varepsilon_j)\Bigr]\Bigr).

Examples
--------
>>> from rmtheory.montecarlo import make_problem, simulate_retraining
>>> pr = make_problem("isotropic", n=30, gamma=2.0, rng=0)
>>> risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, w=0.6, lam=0.0,
...                             T=5, reps=100, rng=1)
>>> risks.shape
(100, 6)
"""
from functools import lru_cache

import numpy as np

from .._validation import check_int, check_real
from . import resources
from .parallel import small_blas
from .progress import progress_bar
from .conditional import as_covariance, as_design, as_vector

__all__ = ["simulate_retraining", "weight_schedule", "SCHEMES"]

#: Retraining schemes understood by :func:`simulate_retraining`.
SCHEMES = ("mix", "replace", "dynamic", "accumulate")

#: bound on the floats held per block of repetitions (memory, not results)
_BLOCK_FLOATS = resources.BLOCK_FLOATS


@lru_cache(maxsize=None)
def _dynamic_map():
    from ..symbolic import formula
    return formula("dynamic_weight").lambdify("math")


def weight_schedule(scheme, T, w=None):
    r"""Real-data weights ``w_0, …, w_T`` used by a mixing scheme.

    ``w_0 = 1`` always (the first fit sees real labels only). ``"mix"``:
    ``w_t = w``; ``"replace"``: ``w_t = 0``; ``"dynamic"``: the greedy
    schedule of :func:`rmtheory.symbolic.formula` ``("dynamic_weight")``,

    .. math:: w_t = \frac{1 + w_{t-1}}{2 + w_{t-1}}, \qquad w_0 = 1.

    Examples
    --------
    >>> from rmtheory.montecarlo import weight_schedule
    >>> weight_schedule("dynamic", 3).round(6).tolist()
    [1.0, 0.666667, 0.625, 0.619048]
    """
    T = check_int("T", T, low=0)
    if scheme == "mix":
        if w is None:
            raise ValueError("w is required for scheme='mix': a real-data weight in [0, 1]")
        w = float(check_real("w", w, low=0, high=1))
        return np.concatenate([[1.0], np.full(T, w)])
    if scheme in ("replace", "dynamic"):
        if w is not None and not (scheme == "replace" and w == 0):
            raise ValueError(f"w must be None for scheme={scheme!r}, received {w!r}")
        if scheme == "replace":
            return np.concatenate([[1.0], np.zeros(T)])
        step, weights = _dynamic_map(), [1.0]
        for _ in range(T):
            weights.append(float(step(weights[-1])))
        return np.asarray(weights)
    if scheme == "accumulate":
        raise ValueError("scheme 'accumulate' has no mixing weight")
    raise ValueError(f"scheme must be one of {list(SCHEMES)}, received {scheme!r}")


class _LinearFit:
    """``A_λ`` from one thin SVD ``X = U S Vᵀ``:
    ``A_λ = V diag(s/(s² + nλ)) Uᵀ``, and ``X⁺`` (``s > 0`` only) at ``λ = 0``.

    The ``p × n`` matrix is formed once: applying it costs ``pn`` per label
    vector, never more than applying the factors (``min(n, p)(n + p)``).
    """

    def __init__(self, X, lam):
        n, p = X.shape
        U, s, Vt = np.linalg.svd(X, full_matrices=False)
        if lam > 0:
            gain = s / (s**2 + n * lam)
        else:
            rtol = max(n, p) * np.finfo(float).eps
            keep = s**2 > rtol * s[0]**2
            gain = np.zeros_like(s)
            gain[keep] = 1.0 / s[keep]
        self._A = (Vt.T * gain) @ U.T

    def __call__(self, Y):
        return self._A @ Y


class _CallableFit:
    """A user estimator ``estimator(X, y) -> beta_hat``, applied column by column."""

    def __init__(self, X, estimator):
        self._X, self._estimator = X, estimator

    def fit(self, X, y):
        p = self._X.shape[1]
        out = np.asarray(self._estimator(X, y), dtype=float)
        if out.shape != (p,) or not np.all(np.isfinite(out)):
            raise ValueError(f"estimator must return a finite array of shape ({p},), "
                             f"received shape {out.shape}")
        return out

    def __call__(self, Y):
        return np.column_stack([self.fit(self._X, y) for y in Y.T])

    def stacked(self, labels):
        """Fit on ``X`` stacked once per label set (accumulate)."""
        Xs = np.vstack([self._X] * len(labels))
        return np.column_stack([self.fit(Xs, np.concatenate([L[:, j] for L in labels]))
                                for j in range(labels[0].shape[1])])


def simulate_retraining(X, beta, *, Sigma, w=None, lam=None, sigma2=1.0, T, reps,
                        rng=None, scheme="mix", kappa_s=1.0, estimator=None, progress=None,
                        _last_only=False):
    r"""Simulate the retraining loop literally and return every realised risk.

    For each of ``reps`` independent repetitions: draw real labels
    ``y_0 = Xβ + ε_0``, fit ``β̂_0 = A y_0``, then for ``t = 1..T`` draw
    synthetic labels ``ỹ_t = Xβ̂_{t−1} + ε̃_t`` (``ε̃`` of variance
    ``κ_s σ²``) and refit:

    - ``"mix"``: ``β̂_t = A(w y_t + (1−w) ỹ_t)`` with fresh real labels
      ``y_t = Xβ + ε_t``; ``w ∈ [0, 1]`` (``w = 0`` is ``"replace"``).
    - ``"replace"``: pure synthetic, ``w = 0``.
    - ``"dynamic"``: the greedy weights of :func:`weight_schedule`.
    - ``"accumulate"`` (Gerstgrasser et al., arXiv 2404.01413): at step
      ``t`` the training set is the original real data together with every
      synthetic label set so far, ``X`` stacked ``t + 1`` times with labels
      ``[y_0; ỹ_1; …; ỹ_t]`` (no fresh real labels). With the penalty
      normalised by the number of rows ``N = (t+1)n``,
      ``argmin_b Σ_j ‖ỹ_j − Xb‖² + Nλ‖b‖²`` is
      ``(XᵀX + nλI)⁻¹Xᵀ ȳ``, the fit on the *average* label vector ``ȳ``;
      likewise the min-norm least-squares fit of the stacked system is
      ``X⁺ȳ``. The built-in estimators use this to keep one
      factorisation; a user ``estimator`` is called on the literal stack.

    .. math::

        \text{returned}[r, t] = \|\hat\beta_t^{(r)} - \beta\|_\Sigma^2,
        \qquad A = (X^\top X + n\lambda I)^{-1}X^\top \ \text{or}\ X^+.

    One thin SVD of ``X`` serves every iteration and repetition; the
    repetitions run as blocks of columns.

    Parameters
    ----------
    X : array_like, shape (n, p)
        Fixed design.
    beta : array_like, shape (p,)
        Truth.
    Sigma : array_like, shape (p,) or (p, p)
        Population covariance, for the risk norm.
    w : float, optional
        Real-data weight of ``"mix"`` in ``[0, 1]``; must be ``None`` for
        ``"dynamic"`` and ``"accumulate"`` (``None`` or ``0`` for ``"replace"``).
    lam : float, optional
        Ridge penalty ``>= 0`` (``0``: min-norm / OLS). Required unless
        ``estimator`` is given, and then it must be ``None``.
    sigma2 : float
        Real label-noise variance ``σ² >= 0``.
    T : int
        Number of refits, ``>= 0``.
    reps : int
        Independent repetitions, ``>= 1``.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Source of the label noise (Gaussian).
    scheme : {"mix", "replace", "dynamic", "accumulate"}
    kappa_s : float
        Synthetic-noise ratio ``κ_s >= 0``.
    estimator : callable, optional
        ``estimator(X, y) -> beta_hat`` used instead of ridge/min-norm
        (e.g. min-ℓ1 interpolation); in the mixing schemes it is fitted to
        the mixed label vector ``w y_t + (1−w) ỹ_t``.
    progress : bool or None
        Show a tqdm progress bar over the refits; ``None``: on a terminal,
        when the estimated work exceeds
        :data:`~rmtheory.montecarlo.progress.PROGRESS_FLOPS` (a few seconds).

    Returns
    -------
    ndarray, shape (reps, T + 1)

    Raises
    ------
    ValueError, TypeError
        A bad argument, naming it. Also, before anything is computed, a
        size this machine cannot finish (:mod:`.resources`): the risks
        returned, ``reps·(T + 1)`` floats, with the SVD and one block of
        repetitions, must fit in ``SAFETY`` × the available memory
        (``"reps too large for the memory: ..."`` or ``"T ..."``, with the
        estimate and the limit), and the work of the built-in estimators,
        about ``4np·reps·(T + 1)`` operations, must stay under
        ``MAX_FLOPS``.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtheory.montecarlo import (conditional_risk, make_problem,
    ...                                  simulate_retraining)
    >>> pr = make_problem("isotropic", n=40, gamma=2.0, rng=0)
    >>> risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, w=0.5, lam=0.3,
    ...                             T=4, reps=2000, rng=7)
    >>> exact = conditional_risk(pr.X, pr.beta, Sigma=pr.Sigma, w=0.5, lam=0.3, t=4)
    >>> z = (risks[:, 4].mean() - exact) / (risks[:, 4].std(ddof=1) / np.sqrt(2000))
    >>> bool(abs(z) < 4)
    True
    """
    X = as_design(X)
    n, p = X.shape
    beta = as_vector(beta, p, "beta")
    Sigma = as_covariance(Sigma, p)
    T = check_int("T", T, low=0)
    reps = check_int("reps", reps, low=1)
    sigma2 = float(check_real("sigma2", sigma2, low=0))
    kappa_s = float(check_real("kappa_s", kappa_s, low=0))
    if not isinstance(scheme, str) or scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {list(SCHEMES)}, received {scheme!r}")
    if scheme == "accumulate":
        if w is not None:
            raise ValueError(f"w must be None for scheme='accumulate', received {w!r}")
        weights = None
    else:
        weights = weight_schedule(scheme, T, w)
    if estimator is None:
        if lam is None:
            raise ValueError("lam is required (a ridge penalty >= 0) unless an estimator is given")
        lam = float(check_real("lam", lam, low=0))
    else:
        if not callable(estimator):
            raise TypeError(f"estimator must be callable estimator(X, y), received {estimator!r}")
        if lam is not None:
            raise ValueError(f"lam must be None with a custom estimator, received {lam!r}")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None, received {progress!r}")
    # before the SVD: a size this machine cannot hold or finish
    flops = _check_resources(n, p, T, reps, dense=Sigma.ndim == 2, last_only=_last_only,
                             stacked=estimator is not None and scheme == "accumulate",
                             builtin=estimator is None)
    with small_blas(min(n, p)):    # one BLAS thread for small X (no limit already in force)
        return _simulate(X, beta, Sigma, lam, sigma2, kappa_s, T, reps, rng, estimator, scheme,
                         weights, progress, flops, _last_only)


def _simulate(X, beta, Sigma, lam, sigma2, kappa_s, T, reps, rng, estimator, scheme, weights,
              progress, flops, _last_only):
    n, p = X.shape
    fit = _LinearFit(X, lam) if estimator is None else _CallableFit(X, estimator)
    rng = np.random.default_rng(rng)

    sd, sd_synth = np.sqrt(sigma2), np.sqrt(kappa_s * sigma2)
    signal = X @ beta
    if Sigma.ndim == 1:
        def risk(B):
            E = B - beta[:, None]
            return np.einsum("ij,ij->j", E, Sigma[:, None] * E)
    else:
        def risk(B):
            E = B - beta[:, None]
            return np.einsum("ij,ij->j", E, Sigma @ E)

    # verify needs the risks at T only: keep those (reps floats, not
    # reps × (T + 1)) and skip computing the others; the draws of the noise
    # are the same, so are the risks at T
    out = np.empty((reps, 1 if _last_only else T + 1))

    def keep(rows, t, B):
        if not _last_only:
            out[rows, t] = risk(B)
        elif t == T:
            out[rows, 0] = risk(B)

    block = max(1, _BLOCK_FLOATS // (n + p))
    blocks = -(-reps // block)
    bar = progress_bar(progress, flops, blocks * T, "simulate_retraining", "refit")
    try:
        for start in range(0, reps, block):
            m = min(block, reps - start)
            _one_block(slice(start, start + m), m, n, T, X, signal, sd, sd_synth, rng, fit,
                       estimator, scheme, weights, keep, bar)
    finally:
        bar.close()
    return out[:, 0] if _last_only else out


def _one_block(rows, m, n, T, X, signal, sd, sd_synth, rng, fit, estimator, scheme, weights,
               keep, bar):
    """The ``m`` repetitions ``rows``: fit, then ``T`` refits."""
    labels = signal[:, None] + sd * rng.standard_normal((n, m))
    B = fit(labels)
    keep(rows, 0, B)
    history = [labels]
    total = labels.copy()
    for t in range(1, T + 1):
        synthetic = X @ B + sd_synth * rng.standard_normal((n, m))
        if scheme == "accumulate":
            if estimator is None:
                total += synthetic
                B = fit(total / (t + 1))
            else:
                history.append(synthetic)
                B = fit.stacked(history)
        else:
            w_t = weights[t]
            if w_t > 0:
                real = signal[:, None] + sd * rng.standard_normal((n, m))
                mixed = w_t * real + (1.0 - w_t) * synthetic
            else:
                mixed = synthetic
            B = fit(mixed)
        keep(rows, t, B)
        bar.update(1)


def _check_resources(n, p, T, reps, *, dense, last_only, stacked, builtin):
    """Refuse a loop this machine cannot hold or finish; return its work
    (floating-point operations, ``0`` for a user estimator)."""
    kept = reps if last_only else reps * (T + 1)
    floats = resources.simulate_floats(n, p, T, reps, dense=dense, keep=kept, stacked=stacked)
    if stacked and 2 * (T + 1) * n * (p + 1) >= floats / 2:
        name, advice = "T", "lower T (a custom estimator refits on X stacked T + 1 times)"
    elif kept >= floats / 2:
        name = "reps" if reps >= T + 1 or last_only else "T"
        advice = "lower reps or T"
    else:
        name, advice = "X", "use a smaller design"
    resources.check_memory(
        8 * floats, name=name,
        what=f"simulate_retraining with reps={reps}, T={T}, X of shape ({n}, {p})",
        detail=f"{resources.format_bytes(8 * kept)} for the risks returned",
        advice=advice)
    if not builtin:
        return 0.0
    flops = resources.simulate_flops(n, p, T, reps)
    resources.check_work(flops, name="reps" if reps >= T + 1 else "T",
                         what="simulate_retraining",
                         detail=f"reps={reps} x (T + 1)={T + 1} fits of 4np operations at "
                                f"n={n}, p={p}", advice="lower reps or T")
    return flops


