r"""Float64 fast path: the same derived expressions, vectorised with NumPy.

For plotting and sweeps over grids of ``(w, λ)``. ``H`` and ``G`` are
represented by quadrature nodes and weights: the atoms of a discrete
spectrum, or Gauss–Legendre nodes (``n_nodes``, default 256) for a
continuous one (``ar1`` in the angle ``θ``, ``uniform`` and user
densities on their interval). ``κ`` is found by Newton's method from the
right of the root, where ``f(κ) = κ(1 − γ∫ s/(s+κ) dH) − x`` is increasing
and convex, so the iterates decrease monotonically to the root.

Agreement with the mpmath path is tested to ``1e-10`` relative.
"""
import functools

import numpy as np

from .compiled import expressions

__all__ = ["quadrature_nodes", "kappa_grid", "risk_grid", "optimal_w_grid"]


@functools.lru_cache(maxsize=8)
def _gauss_legendre(n_nodes):
    """``leggauss(n)``, computed once per ``n`` (it costs an ``n × n``
    eigenproblem, and the float64 start of ``optimal_w`` asks ~15 times)."""
    x, wts = np.polynomial.legendre.leggauss(n_nodes)
    x.setflags(write=False)
    wts.setflags(write=False)
    return x, wts


def quadrature_nodes(spectrum, n_nodes=256):
    """``(s_H, w_H, s_G, w_G)`` float arrays representing ``H`` and ``G``."""
    atoms_h = getattr(spectrum, "atoms_H", None)
    if atoms_h is not None:
        atoms_g = spectrum.atoms_G or atoms_h
        return (np.array([float(s) for s, _ in atoms_h]), np.array([float(p) for _, p in atoms_h]),
                np.array([float(s) for s, _ in atoms_g]), np.array([float(p) for _, p in atoms_g]))
    x, wts = _gauss_legendre(n_nodes)
    if spectrum.name == "ar1":
        rho = float(spectrum.params["rho"])
        theta = (x + 1) * np.pi / 2
        s = (1 - rho**2) / (1 - 2 * rho * np.cos(theta) + rho**2)
        p = wts / 2
        return s, p, s, p
    lo, hi = (float(v) for v in spectrum.support)
    s = lo + (x + 1) * (hi - lo) / 2
    density = getattr(spectrum, "density_float", None)
    p = wts * (hi - lo) / 2 * (np.vectorize(density)(s) if density else 1 / (hi - lo))
    p = p / p.sum()
    return s, p, s, p


def kappa_grid(x, s_h, p_h, gamma, *, tol=1e-15, max_iter=200):
    """Vectorised ``κ(x)`` for an array of penalties ``x > 0``."""
    x = np.asarray(x, dtype=float)
    k = x + gamma * float(np.dot(p_h, s_h))      # f(k) >= 0 here: right of the root
    eps = np.finfo(float).eps
    for _ in range(max_iter):
        ratio = s_h / (s_h + k[..., None])
        i1 = ratio @ p_h
        f = k * (1 - gamma * i1) - x
        df = 1 - gamma * ((ratio**2) @ p_h)
        step = f / df
        k = k - step
        # f carries a rounding error of a few ulps of k(1 + γ I1) + x; over
        # f' (small when γ ≈ 1 and x is small) a step below that is noise
        noise = 8 * eps * (np.abs(k) * (1 + gamma * i1) + x) / df
        if np.all(np.abs(step) <= np.maximum(tol * np.abs(k), noise)):
            return k
    raise ArithmeticError(f"kappa_grid: Newton did not converge in {max_iter} steps "
                          f"(largest relative step {np.max(np.abs(step / k)):.3e})")


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


def risk_grid(w, lam, spectrum, *, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=1.0,
              derivative=False, n_nodes=256):
    """Stationary ``(bias, variance[, dR/dw])`` on the broadcast grid of
    ``w ∈ (0, 1)`` and ``λ > 0`` (float64).

    Examples
    --------
    >>> import numpy as np
    >>> from rmtheory.numeric.spectra import make_spectrum
    >>> from rmtheory.numeric.fast import risk_grid
    >>> b, v = risk_grid(np.array([0.5]), np.array([0.5]), make_spectrum("isotropic"))
    >>> float(b[0] + v[0])
    0.8025165159448...
    """
    e = expressions("numpy")
    w, lam = np.broadcast_arrays(np.asarray(w, float), np.asarray(lam, float))
    if np.any((w <= 0) | (w >= 1)):
        raise ValueError("w must be in (0, 1) on the fast path (w = 1 is a removable "
                         "singularity there; use limiting_risk)")
    if np.any(lam <= 0):
        raise ValueError("lam must be > 0 on the fast path")
    nodes = quadrature_nodes(spectrum, n_nodes)
    k_a, kp_a, B_a, Bp_a = _penalty_values(lam / w, nodes, gamma, r2)
    k_b, kp_b, _, _ = _penalty_values(lam / (2 - w), nodes, gamma, r2)
    args = (w, lam, sigma2, kappa_s, k_a, k_b, B_a, Bp_a, kp_a, kp_b)
    variance = e.variance(*args)
    if derivative:
        return B_a, variance, e.dtotal_dw(*args)
    return B_a, variance


def optimal_w_grid(lam, spectrum, *, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=1.0,
                   n_nodes=256, iterations=60):
    """``w*(λ)`` for an array of ``λ > 0`` by vectorised bisection on the
    sign of ``∂R/∂w`` in ``[1e-6, 1 − 1e-9]`` (``1.0`` where the slope is
    negative throughout: the boundary optimum)."""
    lam = np.atleast_1d(np.asarray(lam, float))
    lo = np.full(lam.shape, 1e-6)
    hi = np.full(lam.shape, 1 - 1e-9)
    kw = dict(gamma=gamma, r2=r2, sigma2=sigma2, kappa_s=kappa_s, derivative=True,
              n_nodes=n_nodes)
    nodes = quadrature_nodes(spectrum, n_nodes)
    k, kp, B, Bp = _penalty_values(lam, nodes, gamma, r2)
    one = np.ones_like(lam)
    slope_at_1 = expressions("numpy").dtotal_dw_at_w1(one, lam, sigma2, kappa_s, k, k, B, Bp, kp, kp)
    boundary = slope_at_1 <= 0
    for _ in range(iterations):
        mid = (lo + hi) / 2
        positive = risk_grid(mid, lam, spectrum, **kw)[2] > 0
        hi = np.where(positive, mid, hi)
        lo = np.where(positive, lo, mid)
    return np.where(boundary, 1.0, (lo + hi) / 2)


def optimal_w_float(lam, spectrum, *, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=1.0,
                    n_nodes=256):
    """Float64 ``(w*, on_boundary)`` at one ``λ > 0`` by Brent's method on
    ``∂R/∂w``; ``None`` when float64 cannot bracket the root (the mpmath
    path then searches on its own). Used as the starting bracket of
    :func:`rmtheory.numeric.optimize.optimal_weight`."""
    from scipy.optimize import brentq
    e = expressions("numpy")
    nodes = quadrature_nodes(spectrum, n_nodes)
    lam_a = np.array([float(lam)])
    k, kp, B, Bp = _penalty_values(lam_a, nodes, gamma, r2)
    one = np.ones(1)
    if e.dtotal_dw_at_w1(one, lam_a, sigma2, kappa_s, k, k, B, Bp, kp, kp)[0] <= 0:
        return 1.0, True

    def slope(w):
        return float(risk_grid(np.array([w]), lam_a, spectrum, gamma=gamma, r2=r2,
                               sigma2=sigma2, kappa_s=kappa_s, derivative=True,
                               n_nodes=n_nodes)[2][0])
    lo, hi = 0.5, 1 - 1e-7
    while slope(lo) >= 0:
        lo /= 4
        if lo < 1e-8:
            return None
    if not slope(hi) > 0:
        return None
    # 1e-12: well inside the ±1e-9 bracket the mpmath solve starts from
    return brentq(slope, lo, hi, xtol=1e-12), False
