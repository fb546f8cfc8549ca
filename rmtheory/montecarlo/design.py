r"""Realised finite-n problems for every spectrum model of the toolkit.

A problem is one draw of the design ``X`` (kept fixed across the retraining
loop), the population covariance ``Σ`` with its actual structure, and a
truth ``β`` with ``‖β‖² = r²`` whose signal-weighted spectral measure
realises the model's ``G``:

.. math::

    X = Z\,\Sigma^{1/2}, \qquad Z_{ij} \overset{\text{iid}}{\sim}
    N(0, 1) \text{ or } \pm 1, \qquad
    G = \sum_i \frac{(\beta^\top u_i)^2}{r^2}\,\delta_{s_i},

with ``(u_i, s_i)`` the eigenpairs of ``Σ`` and ``Σ^{1/2}`` its symmetric
square root.

Examples
--------
>>> from rmtheory.montecarlo import make_problem
>>> problem = make_problem("ar1", n=40, gamma=0.5, rng=0)
>>> problem.X.shape, problem.Sigma.shape
((40, 20), (20, 20))
>>> round(float(problem.beta @ problem.beta), 12)
1.0
"""
from dataclasses import dataclass, field

import numpy as np

from .._validation import check_int, check_real
from . import resources
from ..numeric.spectra import SPECTRUM_DEFAULTS as _LIMIT_DEFAULTS, make_spectrum

__all__ = ["Problem", "make_problem", "check_problem", "SPECTRUM_DEFAULTS", "SPECTRA",
           "ENTRIES"]

#: Parameters of the limit models that a finite-n draw realises (a
#: continuous ``law`` of random-effects has no finite-n builder here).
_FINITE_N_PARAMS = {
    "isotropic": (), "discrete": ("eigs", "weights", "signal_weights"),
    "random_effects": ("eigs", "weights"), "spiked": ("spikes", "alignments"),
    "equicorrelated": ("rho",), "ar1": ("rho",), "uniform": ("a", "b"),
}
_FINITE_N_EXTRAS = {"spiked": {"directions": "random"}}

#: Default parameters of every spectrum model (SPEC §3): those of the
#: limit theory (:data:`rmtheory.numeric.SPECTRUM_DEFAULTS`, one source of
#: truth), plus the finite-n choices. ``directions`` of
#: the spiked model: ``"random"`` (Haar-orthonormal spike directions, full
#: ``Σ``) or ``"coordinate"`` (the first coordinate axes, diagonal ``Σ``).
SPECTRUM_DEFAULTS = {
    name: {**{k: v for k, v in defaults.items() if k in _FINITE_N_PARAMS[name]},
           **_FINITE_N_EXTRAS.get(name, {})}
    for name, defaults in _LIMIT_DEFAULTS.items()}

#: Names accepted by :func:`make_problem`.
SPECTRA = tuple(SPECTRUM_DEFAULTS)

#: Distributions of the entries of ``Z``.
ENTRIES = ("gaussian", "rademacher")


@dataclass(frozen=True, eq=False)
class Problem:
    """One realised finite-n problem.

    Attributes
    ----------
    X : ndarray, shape (n, p)
        The design, rows ``Σ^{1/2} z_i``.
    beta : ndarray, shape (p,)
        The truth, ``‖β‖² = r2``.
    Sigma : ndarray, shape (p,) or (p, p)
        The population covariance: its eigenvalues when ``Σ`` is diagonal
        (in coordinate order), else the full symmetric matrix.
    n, p : int
        Sample size and dimension.
    r2 : float
        Signal strength ``‖β‖²``.
    spectrum : str
        Name of the spectrum model.
    params : dict
        Every parameter of the model, defaults filled in.
    directions : ndarray, shape (p, J) or None
        Spike directions ``u_j`` of the spiked model (orthonormal columns).
    """
    X: np.ndarray
    beta: np.ndarray
    Sigma: np.ndarray
    n: int
    p: int
    r2: float
    spectrum: str
    params: dict = field(default_factory=dict)
    directions: np.ndarray = None

    @property
    def gamma(self):
        """The realised aspect ratio ``p/n``."""
        return self.p / self.n

    @property
    def diagonal(self):
        """Whether ``Sigma`` is stored as its diagonal."""
        return self.Sigma.ndim == 1

    def sigma_matrix(self):
        """``Σ`` as a full ``p × p`` matrix."""
        return np.diag(self.Sigma) if self.diagonal else self.Sigma.copy()


def make_problem(spectrum="isotropic", *, n, gamma, r2=1.0, rng=None,
                 entries="gaussian", **params):
    r"""Draw a finite-n problem ``(X, β, Σ)`` for a spectrum model.

    ``p = round(γ n)``. Per model (defaults in :data:`SPECTRUM_DEFAULTS`):

    - ``isotropic``: ``Σ = I``; ``β`` a uniformly random direction.
    - ``discrete``: diagonal ``Σ``, eigenvalue ``eigs[j]`` on
      ``round(p·weights[j])`` coordinates (largest remainders, so the
      counts sum to ``p``). Without ``signal_weights``, ``β`` is a random
      direction (``G = H`` in distribution, the random-effects model);
      with them, ``β``'s squared norm on group ``j`` is exactly
      ``r² signal_weights[j]`` (a random direction inside the group).
    - ``random_effects``: as ``discrete`` with ``β ~ N(0, r²/p I)``
      normalised to ``‖β‖² = r²``, so ``G = H``.
    - ``spiked``: ``Σ = I + Σ_j θ_j u_j u_jᵀ`` with orthonormal ``u_j``;
      ``β = r(Σ_j α_j u_j + (1 − Σ α_j²)^{1/2} u_⊥)`` with ``u_⊥ ⟂ u_j``
      random, so the squared cosines ``(βᵀu_j)²/r² = α_j²`` are realised
      exactly (``alignments`` holds the ``α_j²``).
    - ``equicorrelated``: ``Σ = (1−ρ)I + ρ11ᵀ`` (one eigenvalue
      ``1 + ρ(p−1)``, the rest ``1 − ρ``); ``β`` a random direction.
    - ``ar1``: Toeplitz ``Σ_ij = ρ^{|i−j|}``; ``β`` a random direction.
    - ``uniform``: diagonal, eigenvalues at the mid-quantiles
      ``a + (b−a)(i − 1/2)/p`` of ``U[a, b]``; ``β`` a random direction.

    .. math::

        X = Z\Sigma^{1/2}, \qquad \|\beta\|^2 = r^2, \qquad p = \operatorname{round}(\gamma n).

    Parameters
    ----------
    spectrum : str
        One of :data:`SPECTRA`.
    n : int
        Sample size, ``>= 2``.
    gamma : float
        Aspect ratio ``p/n > 0``.
    r2 : float, optional
        Signal strength ``‖β‖² > 0``.
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Source of randomness (passed to :func:`numpy.random.default_rng`).
    entries : {"gaussian", "rademacher"}
        Distribution of the entries of ``Z``.
    **params
        Model parameters (see :data:`SPECTRUM_DEFAULTS`).

    Returns
    -------
    Problem

    Raises
    ------
    ValueError, TypeError
        A bad argument, naming it; also a size this machine cannot hold
        (``Z`` and ``X``, ``2np`` floats, and ``6p²`` for a full ``Σ``, beyond
        ``SAFETY`` × the available memory: :mod:`.resources`), before
        anything is drawn.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtheory.montecarlo import make_problem
    >>> pr = make_problem("spiked", n=50, gamma=2.0, rng=1)
    >>> pr.p, pr.params["spikes"], pr.params["alignments"]
    (100, (4.0,), (0.5,))
    >>> round(float((pr.beta @ pr.directions[:, 0])**2), 12)
    0.5
    >>> np.allclose(np.linalg.eigvalsh(pr.Sigma)[-1], 5.0)
    True
    """
    p, resolved = check_problem(spectrum, n=n, gamma=gamma, r2=r2, **params)
    n, r2 = int(n), float(r2)             # checked: an int >= 2 and a real > 0
    if not isinstance(entries, str) or entries not in ENTRIES:
        raise ValueError(f"entries must be one of {list(ENTRIES)}, received {entries!r}")
    # a size validation accepts but this machine cannot hold (Z and X, a full Σ)
    kind = resources.sigma_kind(spectrum, resolved)
    fits_at_p_n = 8 * resources.problem_floats(n, n, kind) <= (resources.memory_limit()[0] or 0)
    resources.check_memory(
        8 * resources.problem_floats(n, p, kind), name="gamma" if fits_at_p_n else "n",
        what=f"make_problem({spectrum!r}) with n={n}, p=round(gamma*n)={p}",
        detail="Z and X of n x p" + (" and a full p x p Sigma" if kind == "dense" else ""),
        advice="lower gamma or n" if fits_at_p_n else "lower n")
    rng = np.random.default_rng(rng)
    builder = _BUILDERS[spectrum]
    resolved, Sigma, root, beta_unit, directions = builder(p, rng, **resolved)
    Z = _entries(rng, entries, n, p)
    X = root(Z)
    beta = np.sqrt(r2) * beta_unit
    return Problem(X=X, beta=beta, Sigma=Sigma, n=n, p=p, r2=r2, spectrum=spectrum,
                   params=resolved, directions=directions)


# ----------------------------------------------------------------------------
# helpers


def resolve_params(spectrum, params):
    """The model's defaults overridden by ``params``; an unknown parameter
    raises ``ValueError`` naming it and the allowed ones."""
    unknown = set(params) - set(SPECTRUM_DEFAULTS[spectrum])
    if unknown:
        raise ValueError(f"{sorted(unknown)[0]} is not a parameter of spectrum {spectrum!r}; "
                         f"allowed: {sorted(SPECTRUM_DEFAULTS[spectrum])}")
    return {**SPECTRUM_DEFAULTS[spectrum], **params}


def _entries(rng, entries, n, p):
    if entries == "gaussian":
        return rng.standard_normal((n, p))
    return 2.0 * rng.integers(0, 2, size=(n, p)) - 1.0


def _random_direction(rng, p):
    g = rng.standard_normal(p)
    return g / np.linalg.norm(g)


def _floats(values):
    """A model parameter the numeric layer has checked, as a tuple of floats."""
    return tuple(float(v) for v in values)


def _group_counts(p, weights):
    """``round(p·weights)`` by largest remainders, summing to ``p``."""
    raw = np.asarray(weights) * p
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:p - counts.sum()]] += 1
    return counts


def _diagonal_root(eigs):
    root = np.sqrt(eigs)
    return lambda Z: Z * root


def _discrete_params(p, eigs, weights, signal_weights=None, isotropic_beta=False):
    """Checked ``(eigs, weights, signal_weights, group sizes)`` for ``p`` coordinates."""
    eigs, weights = _floats(eigs), _floats(weights)
    counts = _group_counts(p, weights)
    if np.any((counts == 0) & (np.asarray(weights) > 0)):
        raise ValueError(f"weights {weights} cannot be realised on p = {p} coordinates "
                         f"(group sizes {counts.tolist()}); raise n or gamma")
    if signal_weights is not None and not isotropic_beta:
        signal_weights = _floats(signal_weights)
        if any(count == 0 and share > 0 for count, share in zip(counts, signal_weights)):
            raise ValueError(f"signal_weights puts mass on an empty group: {signal_weights}")
    return eigs, weights, signal_weights, counts


def _discrete(p, rng, *, eigs, weights, signal_weights=None, isotropic_beta=False):
    eigs, weights, signal_weights, counts = _discrete_params(p, eigs, weights, signal_weights,
                                                             isotropic_beta)
    Sigma = np.repeat(np.asarray(eigs), counts)
    if signal_weights is None or isotropic_beta:
        beta = _random_direction(rng, p)
    else:
        beta = np.zeros(p)
        start = 0
        for count, share in zip(counts, signal_weights):
            if count:
                beta[start:start + count] = np.sqrt(share) * _random_direction(rng, count)
            start += count
    params = {"eigs": eigs, "weights": weights}
    if not isotropic_beta:
        params["signal_weights"] = signal_weights
    return params, Sigma, _diagonal_root(Sigma), beta, None


def _random_effects(p, rng, *, eigs, weights):
    return _discrete(p, rng, eigs=eigs, weights=weights, isotropic_beta=True)


def _isotropic(p, rng):
    Sigma = np.ones(p)
    return {}, Sigma, (lambda Z: Z.copy()), _random_direction(rng, p), None


def _spiked_params(p, spikes, alignments, directions):
    """Checked ``(spikes, alignments)`` for ``p`` coordinates."""
    spikes, alignments = _floats(spikes), _floats(alignments)
    if p < len(spikes) + 1:
        raise ValueError(f"spikes must number fewer than p = {p} (the spiked model needs "
                         f"p > number of spikes), received {len(spikes)} spikes")
    if directions not in ("random", "coordinate"):
        raise ValueError(f"directions must be 'random' or 'coordinate', received {directions!r}")
    return spikes, alignments


def _spiked(p, rng, *, spikes, alignments, directions):
    spikes, alignments = _spiked_params(p, spikes, alignments, directions)
    total = sum(alignments)
    J = len(spikes)
    if directions == "random":
        Q, R = np.linalg.qr(rng.standard_normal((p, J + 1)))
        Q = Q * np.sign(np.diag(R))   # Haar: fix the signs of the QR factor
    else:   # "coordinate"
        Q = np.eye(p)[:, :J + 1]
        Q[:, J] = 0.0
        rest = _random_direction(rng, p - J)
        Q[J:, J] = rest
    U, u_perp = Q[:, :J], Q[:, J]
    theta = np.asarray(spikes)
    beta = U @ np.sqrt(alignments) + np.sqrt(max(1.0 - total, 0.0)) * u_perp
    if directions == "coordinate":
        Sigma = np.ones(p)
        Sigma[:J] += theta
        root = _diagonal_root(Sigma)
    else:
        Sigma = np.eye(p) + (U * theta) @ U.T
        shift = np.sqrt(1.0 + theta) - 1.0        # Σ^{1/2} = I + Σ (√(1+θ_j) − 1) u_j u_jᵀ

        def root(Z):
            return Z + ((Z @ U) * shift) @ U.T
    params = {"spikes": spikes, "alignments": alignments, "directions": directions}
    return params, Sigma, root, beta, U.copy()


def _equicorrelated(p, rng, *, rho):
    rho = float(rho)                       # checked by check_problem
    Sigma = (1.0 - rho) * np.eye(p) + rho * np.ones((p, p))
    base, top = np.sqrt(1.0 - rho), np.sqrt(1.0 - rho + rho * p)

    def root(Z):   # Σ^{1/2} = √(1−ρ) I + (√(1−ρ+ρp) − √(1−ρ)) 11ᵀ/p
        return base * Z + (top - base) * Z.mean(axis=1, keepdims=True)
    return {"rho": rho}, Sigma, root, _random_direction(rng, p), None


def _ar1(p, rng, *, rho):
    from scipy.linalg import toeplitz      # here: scipy.linalg is 0.1-0.2 s of `import rmtheory`
    rho = float(rho)                       # checked by check_problem
    Sigma = toeplitz(rho ** np.arange(p))
    eigenvalues, Q = np.linalg.eigh(Sigma)
    half = (Q * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ Q.T
    half = (half + half.T) / 2
    return {"rho": rho}, Sigma, (lambda Z: Z @ half), _random_direction(rng, p), None


def _uniform(p, rng, *, a, b):
    a, b = float(a), float(b)              # checked by check_problem
    Sigma = a + (b - a) * (np.arange(p) + 0.5) / p
    return {"a": a, "b": b}, Sigma, _diagonal_root(Sigma), _random_direction(rng, p), None


#: the parameter checks of each builder, without drawing anything
#: what realising each model on ``p`` coordinates needs beyond the model's
#: own checks (those are the numeric layer's, see :func:`check_problem`)
_CHECKS = {
    "isotropic": lambda p: None,
    "discrete": _discrete_params,
    "random_effects": lambda p, eigs, weights: _discrete_params(p, eigs, weights,
                                                                isotropic_beta=True),
    "spiked": _spiked_params,
    "equicorrelated": lambda p, rho: None,
    "ar1": lambda p, rho: None,
    "uniform": lambda p, a, b: None,
}


def check_problem(spectrum="isotropic", *, n, gamma, r2=1.0, **params):
    """Every check of :func:`make_problem`, without drawing anything.

    Returns ``(p, resolved params)``; raises ``ValueError``/``TypeError``
    naming the argument, as :func:`make_problem` would (for example a
    spiked model with no fewer spikes than coordinates).

    Examples
    --------
    >>> from rmtheory.montecarlo.design import check_problem
    >>> check_problem("spiked", n=10, gamma=0.5)
    (5, {'spikes': (4.0,), 'alignments': (0.5,), 'directions': 'random'})
    >>> check_problem("spiked", n=10, gamma=0.2, spikes=(1, 2), alignments=(0.3, 0.3))
    Traceback (most recent call last):
    ...
    ValueError: spikes must number fewer than p = 2 ...
    """
    if not isinstance(spectrum, str):
        raise TypeError(f"spectrum must be a str, received {type(spectrum).__name__} {spectrum!r}")
    if spectrum not in SPECTRUM_DEFAULTS:
        raise ValueError(f"spectrum must be one of {list(SPECTRA)}, received {spectrum!r}")
    n = check_int("n", n, low=2)
    gamma = float(check_real("gamma", gamma, low=0, low_open=True))
    check_real("r2", r2, low=0, low_open=True)
    p = int(round(gamma * n))
    if p < 1:
        raise ValueError(f"gamma must give p = round(gamma*n) >= 1, received gamma={gamma}, n={n}")
    resolved = resolve_params(spectrum, params)
    # the model's parameters are checked once, where the model is defined
    make_spectrum(spectrum, **{k: v for k, v in resolved.items()
                               if k in _LIMIT_DEFAULTS[spectrum]})
    _CHECKS[spectrum](p, **resolved)
    return p, resolved


_BUILDERS = {
    "isotropic": _isotropic,
    "discrete": _discrete,
    "random_effects": _random_effects,
    "spiked": _spiked,
    "equicorrelated": _equicorrelated,
    "ar1": _ar1,
    "uniform": _uniform,
}
