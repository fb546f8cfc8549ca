r"""Float64 finite-``t`` ridge risk over grids: the ``κ``-plane contour of
:mod:`rmtheory.numeric.contour`, vectorised with NumPy.

For every grid point ``(w, λ)`` the contour is the Bernstein ellipse of
:class:`~rmtheory.numeric.contour.KappaContour` (segment ``[−S, 0]``, or
``[−S, κ_z]`` for ``γ < 1``; outer point ``min(κ₀, κ(λ/(2−w)))``), the
nodes are evaluated together as complex128 arrays, and the multipliers
``(1 − a_t, (1 − a_t)², u_t)`` are the lambdified expressions of
:func:`rmtheory.symbolic.ridge.derive_ridge` (NumPy module). The
integrals over ``H`` at complex ``κ`` are exact: finite sums for atoms, the
closed forms of the measures for ``ar1`` and ``uniform``. A result is
returned only when the trapezoidal sums with ``N`` and ``N/2`` nodes agree
to :data:`RTOL` relative to the sum of the absolute values of the terms and
that sum is at most :data:`CONDITION_LIMIT` times the result (float64 keeps
about 16 digits of the terms, not of their sum); otherwise (or for a spectrum without exact transforms, or a general
``G ≠ H``) a ``ValueError`` points to :func:`rmtheory.limiting_risk`.

Examples
--------
>>> from rmtheory.numeric.fast_finite_t import finite_t_risk_grid
>>> bias, variance = finite_t_risk_grid(0.625, 0.5, "spiked", t=5)
>>> round(float(bias + variance), 12)    # rmtheory.limiting_risk(0.625, "spiked", lam=0.5, t=5)
0.776957327544
"""
from functools import lru_cache

import numpy as np
import sympy as sp

from .compiled import check_steps
from .spectra import _transform_lambdas, make_spectrum

__all__ = ["finite_t_risk_grid", "RTOL", "NODES", "CONDITION_LIMIT"]

#: agreement of the N- and N/2-node sums that is accepted
RTOL = 1e-12
#: the largest ratio of the sum of |terms| to |integral| accepted: float64
#: rounding (~1e-16 of the terms) must stay below 1e-11 of the result
CONDITION_LIMIT = 1e4
#: nodes on the whole ellipse (half of them evaluated); doubled up to MAX
NODES, MAX_NODES = 128, 4096


@lru_cache(maxsize=None)
def _multipliers():
    from ..symbolic.ridge import derive_ridge
    from ..symbolic.symbols import d, kappa_s, lam, t, w
    rg = derive_ridge()
    f = 1 - rg.mean_t_geometric
    return sp.lambdify((d, lam, w, kappa_s, t), (f, f**2, rg.variance_t_geometric),
                       "numpy", cse=True)


def _sums(spectrum):
    """``κ ↦ (I₁(κ), I₂(κ))`` for complex arrays ``κ``, exactly."""
    H = spectrum._H
    if H.discrete:
        s = np.array([float(x) for x, _ in spectrum.atoms_H])
        p = np.array([float(y) for _, y in spectrum.atoms_H])

        def sums(k):
            r = s / (s + k[..., None])
            return r @ p, (r * r) @ p
        return sums
    name = type(H).__name__
    forms = _transform_lambdas()["expressions"]
    a, b = (float(x) for x in spectrum.support)
    if name == "_AR1":
        f1, f2 = (sp.lambdify(sp.symbols("kappa a b"), forms[key], "numpy")
                  for key in ("ar1_I1", "ar1_I2"))
        return lambda k: (f1(k, a, b), f2(k, a, b))
    if name == "_UniformGL":
        k_ = sp.Symbol("kappa")
        a_, b_ = sp.symbols("a b", positive=True)
        m1 = sp.lambdify((k_, a_, b_), forms["uniform_M1"], "numpy")
        m2 = sp.lambdify((k_, a_, b_), forms["uniform_M2"], "numpy")
        i1 = sp.lambdify(sp.symbols("kappa M_1"), forms["I1"], "numpy")
        i2 = sp.lambdify(sp.symbols("kappa M_1 M_2"), forms["I2"], "numpy")
        return lambda k: (i1(k, m1(k, a, b)), i2(k, m1(k, a, b), m2(k, a, b)))
    raise ValueError(f"the float64 finite-t path needs exact transforms of H (atoms, ar1, "
                     f"uniform); spectrum {spectrum.name!r} has none: use "
                     "rmtheory.limiting_risk (mpmath)")


def _kappa(x, sums, gamma, start):
    """Newton from the right of the root of ``κ(1 − γI₁) = x`` (real ``x``)."""
    k = np.asarray(x, dtype=float) + start
    for _ in range(200):
        i1, i2 = (np.real(v) for v in sums(k.astype(complex)))
        f, df = k * (1 - gamma * i1) - x, 1 - gamma * i2
        step = f / df
        k = k - step
        if np.all(np.abs(step) <= 1e-15 * np.abs(k) + 1e-300):
            return k
    raise ValueError("the float64 finite-t path could not solve for kappa (Newton did not "
                     "converge in float64): use rmtheory.limiting_risk (mpmath)")


def finite_t_risk_grid(w, lam, spectrum, *, t, gamma=2.0, r2=1.0, sigma2=1.0, kappa_s=1.0):
    r"""Bias and variance after ``t`` refits, float64, over broadcast ``(w, λ)``.

    Parameters
    ----------
    w, lam : array_like
        Weights in ``(0, 1]`` and penalties ``> 0``, broadcast together.
    spectrum : Spectrum or str
        ``G = H`` or a spiked model (``H = δ_c`` with spikes); H atomic, ``ar1``
        or ``uniform``.
    t : int
        Refits, ``0 ≤ t ≤ 10^18`` (the cost does not depend on ``t``).

    Returns
    -------
    (ndarray, ndarray)
        Bias and variance of the broadcast shape.
    """
    from .finite_t import _spike_structure
    spectrum = make_spectrum(spectrum)
    t = check_steps(t)
    w, lam = np.broadcast_arrays(np.asarray(w, dtype=float), np.asarray(lam, dtype=float))
    if not (np.all(w > 0) and np.all(w <= 1)):
        raise ValueError("w must be in (0, 1] everywhere")
    if not np.all(lam > 0):
        raise ValueError("lam must be > 0 everywhere (lam = 0 is the min-norm risk: "
                         "use rmtheory.numeric.fast.risk_grid)")
    spikes = None if spectrum.signal_is_spectrum else _spike_structure(spectrum)
    if not spectrum.signal_is_spectrum and spikes is None:
        raise ValueError("the float64 finite-t path covers G = H and spiked models; "
                         "use rmtheory.limiting_risk for a general signal measure")
    sums = _sums(spectrum)
    gamma = float(gamma)
    spike_s = [float(s) for s, _ in spikes[2]] if spikes else []
    start = gamma * float(spectrum.integrate_H(lambda s: s))
    outer = _kappa(lam / (2 - w), sums, gamma, start)
    kappa0 = float(_kappa(np.array(0.0), sums, gamma, start)) if gamma > 1 else None
    from .contour import segment
    from .context import mp, private_context
    with private_context(), mp.workprec(80):        # the same segment as KappaContour's
        c, h = (float(x) for x in segment(spectrum, mp.mpf(gamma)))
    out = outer if kappa0 is None else np.minimum(outer, kappa0)

    def bernstein(p):
        u = np.abs(p - c) / h
        return u + np.sqrt((u - 1) * (u + 1))
    R_out = bernstein(out)
    for s in spike_s:
        R_out = np.minimum(R_out, bernstein(-s))
    R = np.sqrt(R_out)[..., None]
    mult = _multipliers()
    flat = [x.reshape(-1, 1) for x in (w, lam, R)]
    count = NODES
    while True:
        theta = np.pi * np.arange(count // 2 + 1) / (count // 2)    # upper half
        e = np.exp(1j * theta)
        k = c + h * (flat[2] * e + 1 / (flat[2] * e)) / 2
        dk = 1j * h * (flat[2] * e - 1 / (flat[2] * e)) / 2
        i1, i2 = sums(k)
        lam_k = k * (1 - gamma * i1)
        factor = (1 - gamma * i2) / lam_k * dk
        z = -lam_k
        f, f2, u = (np.broadcast_to(v, z.shape) for v in
                    mult(z, flat[1], flat[0], kappa_s, t))
        # the multipliers add q^t ρ^t-sized terms that cancel where |qρ| > 1
        # on the contour: each node then keeps fewer digits than float64 has
        growth = np.abs((1 - flat[0]) * z / (z + flat[1]))
        with np.errstate(over="ignore"):
            inner = float(np.max(growth)) ** (2 * t) if t else 1.0
        weights = np.full(theta.shape, 2.0)
        weights[[0, -1]] = 1.0

        def trap(values, every=1):
            terms = (values * factor).imag[:, ::every] * weights[::every]
            total = terms.sum(axis=1) / (count // every)
            return total, np.abs(terms).sum(axis=1) / (count // every)
        measures = {"nu": k * i1}
        for s in spike_s:
            measures[s] = k / (s + k)
        results, ok, condition = {}, True, max(1.0, inner)
        for key, T in measures.items():
            for name, vals in (("f", f), ("f2", f2), ("u", u)):
                full, size = trap(vals * T)
                half, _ = trap(vals * T, 2)
                ok &= bool(np.all(np.abs(full - half) <= RTOL * np.maximum(size, np.abs(full))))
                results[key, name] = full
                # rounding errors are relative to the terms, not to their sum:
                # terms much larger than the result (large powers q^t on the
                # contour, a spike near the bulk) would leave too few digits
                nonzero = np.abs(full) > 0
                if np.any(nonzero):
                    condition = max(condition, float(np.max(size[nonzero] / np.abs(full[nonzero]))))
        if condition > CONDITION_LIMIT:
            raise ValueError(
                f"the float64 finite-t contour cancels by a factor {condition:.3g} (terms "
                "much larger than the integral: large t with a spike near the bulk, or a "
                "small penalty), leaving fewer than 10 digits: use rmtheory.limiting_risk "
                "(mpmath), which adds the digits this needs")
        if ok:
            break
        if 2 * count > MAX_NODES:
            raise ValueError("float64 finite-t contour did not converge to 1e-12 (a penalty "
                             "too small, or spikes too close to the bulk): use "
                             "rmtheory.limiting_risk (mpmath)")
        count *= 2
    # residues left outside: the atoms at d = 0 (γ > 1) and the spike poles
    if kappa0 is not None:
        i1_0 = np.real(sums(np.array([kappa0 + 0j]))[0])[0]
        at0 = [np.broadcast_to(v, flat[0].shape)[:, 0]
               for v in mult(np.zeros_like(flat[0]), flat[1], flat[0], kappa_s, t)]
        masses = {"nu": kappa0 * i1_0}
        masses.update({s: kappa0 / (s + kappa0) for s in spike_s})
        for key, mass in masses.items():
            for name, v in zip(("f", "f2", "u"), at0):
                results[key, name] = results[key, name] + v * mass
    for s in spike_s:
        ks = np.array([-s + 0j])
        j1, j2 = sums(ks)
        lam_s = (ks * (1 - gamma * j1))[0]
        weight = (1 - gamma * j2[0]) / lam_s * (-s)
        vals = [np.broadcast_to(v, flat[0].shape)[:, 0]
                for v in mult(np.full(flat[0].shape, -lam_s), flat[1], flat[0], kappa_s, t)]
        for name, v in zip(("f", "f2", "u"), vals):
            results[s, name] = results[s, name] + np.real(v * weight)
    variance = sigma2 * gamma * results["nu", "u"]
    if spikes:
        cc, c_in, atoms = spikes
        cc, c_in = float(cc), float(c_in)
        bias = c_in * results["nu", "f2"]
        for s, g in atoms:
            s = float(s)
            bias = bias + float(g) * (cc * results[s, "f2"] + (s - cc) * results[s, "f"]**2)
        bias = r2 * bias
    else:
        bias = r2 * results["nu", "f2"]
    return bias.reshape(w.shape), variance.reshape(w.shape)
