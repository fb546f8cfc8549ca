r"""Finite-``t`` limiting risk for ridge (``λ > 0``) when ``G = H``.

After ``t`` refits the coordinate of ``β̂_t`` on an eigenvector of
``Σ̂ = XᵀX/n`` with eigenvalue ``d`` has mean multiplier ``a_t(d)`` and
variance multiplier ``u_t(d)`` (rational in ``d``, derived in
:mod:`rmtheory.symbolic.ridge`). With ``β`` in generic position
(``G = H``: isotropic and random-effects models),

.. math::

    R_t = r^2 \int (1 - a_t(x))^2\, d\nu(x) + \sigma^2 \gamma \int u_t(x)\, d\nu(x),
    \qquad \nu = \lim \tfrac1p \operatorname{tr}\bigl(\Sigma\, \delta(\hat\Sigma - \cdot)\bigr),

where ``ν`` is the ``Σ``-weighted spectral measure of ``Σ̂``. Its Stieltjes
transform follows from the Silverstein equation,
``s_ν(z) = (1 + z m(z))/(1 − γ − γ z m(z))`` (for ``Σ = I``, ``ν`` is the
Marchenko–Pastur law itself), so ``ν`` has density ``Im s_ν(x + i0)/π`` on
the support and, for ``γ > 1``, an atom at 0 where ``a_t = u_t = 0``.
The integrals are done by tanh-sinh quadrature between the support edges.
"""
import math
from functools import lru_cache

import sympy as sp
from .compiled import check_steps
from .context import contextual, mp

from ..symbolic import formula
from ..symbolic.ridge import derive_ridge
from ..symbolic.symbols import d, kappa_s as _ks, lam as _lam, t as _t, w as _w
from .fixed_point import solve_stieltjes, support_edges

__all__ = ["finite_t_risk", "integral_route_risk", "nu_density", "nu_atom_at_zero"]


@lru_cache(maxsize=None)
def _multipliers():
    """The integrands against ``ν`` of the bias and the variance, and their
    ``w``-derivatives (differentiated here, symbolically, so the slope of
    the risk is one more quadrature, not a numerical derivative of it)."""
    rg = derive_ridge()
    args = (d, _lam, _w, _ks, _t)
    bias_integrand = (1 - rg.mean_t_geometric)**2
    variance_integrand = rg.variance_t_geometric
    q = rg.contraction                           # (1 − w)ρ, vanishing at w = 1

    def d_dw(f):
        # SymPy writes d(q^t)/dw as t q^t/(1 − w): 0/0 at w = 1. As
        # t q^(t−1) q'(w) it is finite there (q^(t−1) = 1 at t = 1)
        return sp.diff(f, _w).subs(q**_t, q * sp.Pow(q, _t - 1))
    return tuple(contextual(sp.lambdify(args, f, "mpmath"))
                 for f in (bias_integrand, variance_integrand,
                           d_dw(bias_integrand), d_dw(variance_integrand)))


@lru_cache(maxsize=None)
def _mp_density():
    f = formula("mp_density")
    return contextual(sp.lambdify(f.args, f.rhs, "mpmath"))


@lru_cache(maxsize=None)
def _mp_atom():
    f = formula("mp_atom")
    return contextual(sp.lambdify(f.args, f.rhs, "mpmath"))


def _is_isotropic(spectrum):
    atoms = getattr(spectrum, "atoms_H", None)
    return (spectrum.name == "isotropic" or
            (atoms is not None and len(atoms) == 1 and atoms[0][0] == 1))


def nu_density(x, spectrum, gamma):
    """Density of the ``Σ``-weighted spectral measure ``ν`` at ``x > 0``."""
    if _is_isotropic(spectrum):
        # rounding can push √(−Δ) just outside the support: keep the real part
        return mp.re(_mp_density()(x, gamma))
    z = mp.mpc(x, 0)
    m = solve_stieltjes(z, spectrum, gamma)
    return mp.im((1 + z * m) / (1 - gamma - gamma * z * m)) / mp.pi


def nu_atom_at_zero(spectrum, gamma, continuous_mass):
    """Mass of ``ν`` at 0: the total ``∫ s dH`` minus the continuous part."""
    if gamma <= 1:
        return mp.zero
    if _is_isotropic(spectrum):
        return _mp_atom()(gamma)
    total = spectrum.integrate_H(lambda s: s)
    return total - continuous_mass


#: the time one evaluation may take before it is refused, in seconds
#: (``RMTHEORY_MAX_SECONDS`` overrides it)
DEFAULT_BUDGET_SECONDS = 30.0
#: Stieltjes solves timed before the total is estimated
_PROBE_SOLVES = 3


def budget_seconds():
    """``RMTHEORY_MAX_SECONDS`` (a positive number, ``inf`` for no limit) or
    :data:`DEFAULT_BUDGET_SECONDS`."""
    import os
    raw = os.environ.get("RMTHEORY_MAX_SECONDS", "").strip()
    if not raw:
        return DEFAULT_BUDGET_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise ValueError(f"RMTHEORY_MAX_SECONDS must be a number > 0 (or inf), received {raw!r}")
    return value


def progress_wanted():
    """A progress bar on stderr: ``RMTHEORY_PROGRESS=1`` (or ``0``) decides,
    otherwise only when stderr is a terminal."""
    import os
    import sys
    raw = os.environ.get("RMTHEORY_PROGRESS", "").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def expected_solves(dps, intervals):
    """Distinct quadrature nodes (so Stieltjes solves) of one finite-``t``
    evaluation: ``mp.quad``'s Gauss–Legendre degrees up to the working
    precision take about ``6.5·dps + 80`` per interval of the support
    (measured: 138 at 15 digits, 282 at 40, 570 at 80)."""
    return int(6.5 * dps + 80) * max(1, intervals)


def expected_nodes(bernstein_radius, prec):
    """Contour nodes evaluated by one finite-``t`` evaluation: the upper half
    of the ellipse at four times :func:`.contour.start_count` (the count at
    which the doubling is expected to stop)."""
    from .contour import start_count
    return 2 * start_count(bernstein_radius, prec) + 1


class _Work:
    """Times the first units of a finite-``t`` evaluation (Stieltjes solves on
    the integral route, contour nodes on the contour route), then refuses it
    (``ValueError`` with the estimate) when the rest would take longer than
    :func:`budget_seconds`, or shows a progress bar when it takes more than a
    few seconds and :func:`progress_wanted`."""

    def __init__(self, spectrum, intervals, t, *, total=None, unit="Stieltjes solves"):
        self.spectrum, self.t, self.dps = spectrum, t, mp.dps
        self.total = expected_solves(self.dps, intervals) if total is None else total
        self.intervals, self.unit = intervals, unit
        self.done, self.bar = 0, None
        self._probe_times = []

    def run(self, solve):
        import time
        start = time.perf_counter()
        value = solve()
        self.done += 1
        if self.done <= _PROBE_SOLVES:
            self._probe_times.append(time.perf_counter() - start)
        if self.done == _PROBE_SOLVES:
            self._estimate()
        if self.bar is not None:
            self.bar.update(1)
        return value

    def _estimate(self):
        # the median of the probes: the first unit may pay one-time costs (a
        # lambdified form built on first use) that the rest do not
        each = sorted(self._probe_times)[len(self._probe_times) // 2]
        rest = each * max(0, self.total - self.done)
        budget = budget_seconds()
        atoms = self.spectrum.atoms_H
        size = (f"a spectrum of {len(atoms)} atoms" if atoms is not None
                else f"the {self.spectrum.name!r} spectrum")
        if rest > budget:
            raise ValueError(
                f"finite-t ridge risk (lam > 0, t = {self.t}) against {size} at "
                f"{self.dps} working digits: about {self.total} {self.unit} of {each:.3g} s "
                f"each, estimated {rest:.0f} s, over the budget of {budget:.0f} s. To reduce "
                "it: fewer atoms (each costs in proportion to their number; bin the "
                "spectrum), a lower dps, or t=None (the stationary risk needs two kappa "
                "solves); or set "
                f"RMTHEORY_MAX_SECONDS={int(rest * 3) + 60} to run it (a progress bar shows on "
                "a terminal, or with RMTHEORY_PROGRESS=1). The public functions evaluate "
                "twice, at two precisions.")
        if rest > 3 and progress_wanted():
            from tqdm import tqdm
            self.bar = tqdm(total=self.total, initial=self.done, unit="node", leave=False,
                            desc=f"finite-t risk at {self.dps} digits")

    def close(self):
        if self.bar is not None:
            self.bar.close()


def integral_route_risk(w, lam, spectrum, gamma, r2, sigma2, *, t, kappa_s=1, derivative=False):
    r"""Bias and variance after ``t`` refits (and ``∂R/∂w``) by quadrature against
    the density of ``ν`` on the real support (one Stieltjes solve per node);
    ``G = H`` is required. The independent check of :func:`finite_t_risk`.

    .. math::

        \partial_w R_t = r^2 \int \partial_w (1 - a_t)^2\, d\nu
            + \sigma^2\gamma \int \partial_w u_t\, d\nu .
    """
    if not spectrum.signal_is_spectrum:
        raise ValueError(
            "t must be None (t -> infinity) for ridge (lam > 0) when the signal measure G "
            f"differs from H (spectrum {spectrum.name!r}); finite t needs G = H, e.g. the "
            "isotropic and random-effects models")
    t = check_steps(t)
    # the multipliers raise q = (1 − w)d/(d + λ) to the power t or 2t, which
    # multiplies the rounding error of q by 2t: log2(2t) guard bits
    bits = (2 * t).bit_length() + 8

    def guarded(f):
        def at(x):
            with mp.extraprec(bits):
                value = f(x, lam, w, kappa_s, t)
            return +value
        return at
    bias_f, var_f, dbias_f, dvar_f = map(guarded, _multipliers())
    edges = support_edges(spectrum, gamma)
    # every integral below is over the same Gauss–Legendre nodes, and the
    # density of ν costs a Stieltjes solve per node: compute it once (the
    # solves are timed: a long evaluation is refused up front or shown)
    density = {}
    work = _Work(spectrum, len(edges), t)

    def nu(x):
        if x not in density:
            density[x] = work.run(lambda: nu_density(x, spectrum, gamma))
        return density[x]
    try:
        return _integrals(w, lam, spectrum, gamma, r2, sigma2, t, kappa_s, derivative,
                          edges, nu, (bias_f, var_f, dbias_f, dvar_f))
    finally:
        work.close()


def _integrals(w, lam, spectrum, gamma, r2, sigma2, t, kappa_s, derivative, edges, nu,
               multipliers):
    from .risk import RiskParts
    bias_f, var_f, dbias_f, dvar_f = multipliers

    def integrate(g):
        # x = c − r cos θ turns the square-root edges of the density into a
        # smooth periodic integrand, so Gauss–Legendre converges fast and
        # never samples the (ill-conditioned) edges themselves
        total = mp.zero
        for lo, hi in edges:
            c, r = (lo + hi) / 2, (hi - lo) / 2

            def in_theta(theta):
                x = c - r * mp.cos(theta)
                return g(x) * nu(x) * r * mp.sin(theta)
            total += mp.quad(in_theta, [0, mp.pi / 2, mp.pi], method="gauss-legendre")
        return total
    mass = integrate(lambda x: mp.one)
    atom = nu_atom_at_zero(spectrum, gamma, mass)
    bias = r2 * (integrate(bias_f) + atom)
    variance = sigma2 * gamma * integrate(var_f)
    slope = None
    if derivative and t == 0:    # the first fit uses real labels only
        slope = mp.zero
    elif derivative:   # the atom at 0 (a_t = u_t = 0 there) does not depend on w
        slope = (r2 * integrate(dbias_f)
                 + sigma2 * gamma * integrate(dvar_f))
    return RiskParts(bias, variance, slope)


@lru_cache(maxsize=None)
def _contour_forms():
    """The arguments ``(d, λ, w, κ_s, t)``, the multipliers ``(f, f², u_t)``
    with ``f = 1 − a_t``, and their ``w``-derivatives, as SymPy expressions
    (``t q^(t−1) q'(w)`` as in :func:`_multipliers`: finite at ``w = 1``)."""
    rg = derive_ridge()
    q = rg.contraction
    f = 1 - rg.mean_t_geometric
    forms = (f, f**2, rg.variance_t_geometric)
    slopes = tuple(sp.diff(g, _w).subs(q**_t, q * sp.Pow(q, _t - 1)) for g in forms)
    return (d, _lam, _w, _ks, _t), forms, slopes


@lru_cache(maxsize=None)
def _contour_multipliers():
    """``(f, f², u_t)`` and ``(∂_w f, ∂_w f², ∂_w u_t)`` (:func:`_contour_forms`), as two
    functions of ``(d, λ, w, κ_s, t)`` returning tuples (``d`` may be complex:
    they are evaluated on the contour; common subexpressions are shared)."""
    args, forms, slopes = _contour_forms()
    return (contextual(sp.lambdify(args, forms, "mpmath", cse=True)),
            contextual(sp.lambdify(args, slopes, "mpmath", cse=True)))


@lru_cache(maxsize=None)
def _ball_contour_multipliers():
    """:func:`_contour_multipliers` on ``acb`` balls (python-flint): the same
    SymPy expressions, lambdified with the names bound to ball arithmetic."""
    from .contour import ball_lambdify
    args, forms, slopes = _contour_forms()
    # with the slopes: one function, the subexpressions of both shared
    return ball_lambdify(args, forms), ball_lambdify(args, forms + slopes)


def ball_inputs(*values):
    """Real mpf (or int) inputs as exact balls (their binary values)."""
    from .certified.balls import from_mpf
    return tuple(from_mpf(mp.mpf(v)) for v in values)


def _spike_structure(spectrum):
    """``(c, c_in, [(s_j, g_j)])`` when ``H = δ_c`` and ``G`` is atomic: the part of
    ``G`` at ``c`` and the spikes (atoms of ``G`` elsewhere, each the signal on one
    eigenvector of ``Σ`` outside the bulk); ``None`` otherwise."""
    atoms_H, atoms_G = spectrum.atoms_H, spectrum.atoms_G
    if atoms_H is None or atoms_G is None or len(atoms_H) != 1:
        return None
    c = atoms_H[0][0]
    c_in = sum((g for s, g in atoms_G if s == c), mp.zero)
    spikes = [(s, g) for s, g in atoms_G if s != c]
    if any(s < c for s, _ in spikes):      # below the bulk: the general route
        return None
    return c, c_in, spikes


def finite_t_risk(w, lam, spectrum, gamma, r2, sigma2, *, t, kappa_s=1, derivative=False):
    r"""Bias and variance after ``t`` refits (and ``∂R/∂w``), for ``λ > 0``.

    Every term is a spectral integral of a multiplier of
    :func:`rmtheory.symbolic.ridge.derive_ridge` (``f = 1 − a_t``, ``u_t``),
    done on a ``κ``-plane contour (:mod:`.contour`):

    .. math::

        V_t = \sigma^2\gamma \int u_t\,d\nu, \qquad
        B_t = r^2 \int f^2\,d\nu \quad (G = H),

    and for a spiked model (``H = δ_c``; the part ``c_{in}`` of ``G`` at
    ``c``, spikes ``g_j δ_{s_j}``)

    .. math::

        B_t = r^2\Bigl[c_{in}\int f^2 d\nu + \sum_j g_j\Bigl(c \int f^2 d\mu_j
              + (s_j - c)\Bigl(\int f\,d\mu_j\Bigr)^2\Bigr)\Bigr],

    with ``μ_j`` the spectral measure of ``Σ̂`` at the ``j``-th spike's
    eigenvector. Any other ``G ≠ H`` goes through the two-resolvent equivalent
    (:func:`_general_signal_bias`).
    The work does not grow with ``t``: the
    powers ``q^t`` are taken at each node; and once the decaying part is
    provably below the working precision (:func:`_stationary_suffices`)
    the stationary risk is returned, exact to that precision.
    """
    t = check_steps(t)
    if not derivative and t > 0:
        stationary = _stationary_suffices(w, lam, spectrum, gamma, r2, sigma2, t, kappa_s)
        if stationary is not None:
            return stationary
    from .contour import ball_arithmetic
    values_at, slopes_at = _contour_multipliers()

    def at(z):
        """``(f, f², u, ∂f, ∂f², ∂u)`` at ``d = z``."""
        value = values_at(z, lam, w, kappa_s, t)
        return value + slopes_at(z, lam, w, kappa_s, t) if derivative else value
    ball_at = None
    if ball_arithmetic() is not None:
        ball_values, ball_slopes = _ball_contour_multipliers()
        balls = ball_inputs(lam, w, kappa_s)

        def ball_at(z):
            return (ball_slopes if derivative else ball_values)(z, *balls, t)
    # the poles of the multipliers: −λ (the decaying part), −λ/w, −λ/(2 − w);
    # for 0 < w < 2 all are at or beyond −λ/2, so one contour (kept with its
    # node values by cached_contour) serves every w: the steps of optimal_w
    pole = lam / 2 if 0 < w < 2 else lam / (2 - w)
    parts = contour_risk(at, pole, spectrum, gamma, r2, sigma2,
                         derivative=derivative, extra_bits=(2 * t).bit_length(), t=t,
                         growth=lambda z: abs((1 - float(w)) * z / (z + float(lam))),
                         ball_at=ball_at)
    if derivative and t == 0:          # the first fit uses real labels only
        parts = parts._replace(dtotal_dw=parts.dtotal_dw * 0)
    return parts


def _stationary_suffices(w, lam, spectrum, gamma, r2, sigma2, t, kappa_s):
    r"""The stationary bias and variance when they equal the iteration-``t``
    ones to the working precision, else ``None``.

    With ``h_t = (a_0 − a_∞)(qρ)^t`` and ``|a_0 − a_∞| ≤ 1``, ``0 ≤ ρ < 1`` on
    the spectrum of ``Σ̂``, ``‖h_t(Σ̂)‖ ≤ q^t``; so, with ``s_max`` the largest
    eigenvalue of ``Σ`` (of ``H``, ``G`` and the spikes),

    .. math::

        |B_t - B_\infty| \le 2q^t\sqrt{B_\infty r^2 s_{max}} + q^{2t} r^2 s_{max},
        \qquad
        |V_t - V_\infty| \le q^{2t}\,(V_0 + V_\infty),

    (``u_t − u_∞ = (u_0 − u_∞)(qρ)^{2t}`` with ``u_0, u_∞ ≥ 0``; ``V_0`` the
    one-fit ridge variance at ``λ``). Both must be below ``2^{−prec−8}`` of
    the stationary values.
    """
    from .risk import stationary_risk
    with mp.extraprec(16):
        q = abs(1 - w)         # (w > 1 only from a numerical derivative's probes)
        power = mp.zero if q == 0 else mp.exp(t * mp.log(q))
        tol = mp.ldexp(1, -mp.prec - 8)
        # necessary conditions, checked before the solves: B_∞ ≤ r² s_max (so
        # the bias bound needs 2q^t ≤ tol when r² > 0) and the variance bound
        # needs q^{2t} ≤ tol
        if power > (tol / 2 if r2 > 0 else mp.sqrt(tol)):
            return None
        stationary = stationary_risk(w, lam, spectrum, gamma, r2, sigma2, kappa_s=kappa_s)
        s_max = max(spectrum.support[1], spectrum._G.support()[1])
        bias_gap = 2 * power * mp.sqrt(stationary.bias * r2 * s_max) + power**2 * r2 * s_max
        if bias_gap > tol * stationary.bias:
            return None
        one_fit = stationary_risk(mp.one, lam, spectrum, gamma, r2, sigma2, kappa_s=kappa_s)
        if power**2 * (one_fit.variance + stationary.variance) > tol * stationary.variance:
            return None
    return type(stationary)(+stationary.bias, +stationary.variance)


def contour_risk(at, pole_penalty, spectrum, gamma, r2, sigma2, *, derivative=False,
                 extra_bits=0, t=None, growth=None, ball_at=None):
    r"""Bias and variance (and slope) from per-eigenvalue multipliers, for any
    ``(H, G)``, on the ``κ``-plane contour.

    Parameters
    ----------
    at : callable
        ``at(z) -> (f, f², u)`` (and ``(∂f, ∂f², ∂u)`` appended when
        ``derivative``) at a complex eigenvalue ``z``, with ``f = 1 − a``
        the mean defect and ``u`` the variance multiplier.
    pole_penalty : mpf
        The smallest ``x > 0`` with a pole of the multipliers at ``d = −x``
        (its ``κ(x)`` must stay outside the contour).
    extra_bits : int
        Guard bits for the multipliers (``log2(2t)`` for powers ``q^{2t}``).
    growth : callable, optional
        ``|one step's factor|`` at a complex eigenvalue (a Python complex;
        ``|(1 − w) z/(z + λ)|``
        for the mixed scheme). Where it exceeds 1 on the contour, the terms
        of size ``growth^{2t}`` of the multipliers cancel: that many bits are
        added (up to :data:`MAX_GROWTH_BITS`; beyond, the call is refused).
    ball_at : callable, optional
        ``at`` on ``acb`` balls: with python-flint the contour is summed in
        balls (:meth:`.contour.KappaContour.integrate`).
    """
    from .contour import cached_contour
    from .risk import RiskParts
    spikes = None if spectrum.signal_is_spectrum else _spike_structure(spectrum)
    eigvecs = [s for s, _ in spikes[2]] if spikes else []

    def build():
        return cached_contour(spectrum, gamma, pole_penalty, eigvecs)
    with mp.extraprec(extra_bits + 16):
        outer, kappa0, contour = build()
        # one budget for the probe of the growth and the integration (timed
        # on the first nodes, so a hopeless call is refused within seconds;
        # the probe's nodes are nodes of the integration)
        work = _Work(spectrum, 1, t, total=expected_nodes(contour.R_out, contour.prec),
                     unit="contour nodes")
    try:
        with mp.extraprec(extra_bits + 16):
            bits = _growth_bits(contour, growth, t, work)
        with mp.extraprec(extra_bits + 16 + bits):
            if bits:       # everything again at the precision the growth needs
                outer, kappa0, contour = build()
            values = contour.integrate(at, work=work, ball_phi=ball_at)
    finally:
        work.close()
    with mp.extraprec(extra_bits + 16 + bits):
        nu = values["nu"]
        variance = sigma2 * gamma * nu[2]
        if spectrum.signal_is_spectrum:
            bias = r2 * nu[1]
            dbias = r2 * nu[4] if derivative else None
        elif spikes:
            c, c_in, atoms = spikes
            bias = c_in * nu[1]
            dbias = c_in * nu[4] if derivative else None
            for s, g in atoms:
                m = values[("u", s)]
                bias += g * (c * m[1] + (s - c) * m[0]**2)
                if derivative:
                    dbias += g * (c * m[4] + 2 * (s - c) * m[0] * m[3])
            bias = r2 * bias
            dbias = r2 * dbias if derivative else None
        else:
            bias, dbias = _general_signal_bias(
                spectrum, gamma, outer, kappa0,
                lambda z: (lambda v: (v[0], v[3]) if derivative else (v[0],))(at(z)),
                r2, derivative)
        slope = dbias + sigma2 * gamma * nu[5] if derivative else None
    return RiskParts(+bias, +variance, None if slope is None else +slope)


#: the most bits added for the growth of the multipliers on the contour
MAX_GROWTH_BITS = 4096


def _growth_bits(contour, growth, t, work):
    """Bits lost inside the multipliers: ``2t log2 max|growth|`` over the
    nodes of :meth:`.contour.KappaContour.probe_keys` (0 when the step
    factor stays below 1 there)."""
    if growth is None or not t:
        return 0
    largest = 0.0
    keys = contour.probe_keys()
    # the first few timed one by one (the budget's probe), the rest at once
    timed = [contour.node_z([key]) if work is None else
             work.run(lambda: contour.node_z([key])) for key in keys[:_PROBE_SOLVES]]
    for z in sum(timed, []) + contour.node_z(keys[_PROBE_SOLVES:]):
        largest = max(largest, growth(z))
    if largest <= 1:
        return 0
    bits = int(2 * t * math.log2(largest)) + 16
    if bits > MAX_GROWTH_BITS:
        raise ValueError(
            f"t = {t} is too large for the contour at this penalty: the multipliers grow "
            f"like {largest:.4g}^(2t) on it, which would need {bits} more bits; use "
            "t=None (the stationary risk) or a larger lam")
    return bits


def _general_signal_bias(spectrum, gamma, outer, kappa0, phi, r2, derivative):
    r"""The bias for a general ``G ≠ H``, from the two-resolvent equivalent of
    :func:`rmtheory.symbolic.kappa_plane.derive_kappa_plane`:

    .. math::

        \frac{B_t}{r^2} = \frac{1}{(2\pi i)^2}\oint\!\!\oint f(z_1) f(z_2)\,
            \frac{\kappa_1\kappa_2}{\lambda_1\lambda_2}\,
            \frac{g(\kappa_1) - g(\kappa_2)}{\lambda_1 - \lambda_2}\,
            \lambda'_1\lambda'_2\, d\kappa_1 d\kappa_2,

    both on one ellipse of the physical region (:class:`.contour.SignalContour`;
    the atom at ``d = 0`` is inside it). Costs the square of the node count.
    """
    from .contour import SignalContour
    values = SignalContour(spectrum, gamma, outer, kappa0).bilinear(phi, 2 if derivative else 1)
    return r2 * values[0], (r2 * values[1] if derivative else None)
