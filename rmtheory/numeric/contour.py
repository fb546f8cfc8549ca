r"""Spectral integrals of ``Σ̂`` by the trapezoidal rule on a contour in the ``κ``-plane.

:mod:`rmtheory.symbolic.kappa_plane` writes ``∫ φ dμ`` for a spectral
measure ``μ`` of ``Σ̂ = XᵀX/n`` as

.. math::

    \int \varphi\,d\mu = \frac{1}{2\pi i}\oint
        \varphi\bigl(-\lambda(\kappa)\bigr)\,
        \frac{T_\mu(\kappa)}{\lambda(\kappa)}\,\lambda'(\kappa)\,d\kappa
        \;+\; [\gamma > 1]\;\varphi(0)\,T_\mu(\kappa_0),

with ``λ(κ) = κ(1 − γI₁(κ))`` and ``λ'(κ) = 1 − γI₂(κ)``: explicit in
``κ``, so a node costs one pass over the rule of ``H`` (and of ``G``), and
no fixed-point solve. The contour is the Bernstein ellipse

.. math::

    \kappa(\theta) = c + h\,\tfrac12\bigl(R e^{i\theta} + R^{-1}e^{-i\theta}\bigr),
    \qquad [c - h, c + h] = [-S, 0],

around the segment that holds every singularity that must be inside
(``−supp H``, ``−supp G``, the non-physical preimages of the poles of
``φ``, and, for ``γ ≤ 1``, the zero of ``1 − γI₁``), with ``R`` the
geometric mean of 1 and the Bernstein radius ``R_out`` of ``κ(λ_p)``, the
nearest singularity that must stay outside (``λ_p`` the smallest pole
penalty of ``φ``). The simple poles whose residues are added separately
(``κ₀`` for ``γ > 1``, and the ``−s_u`` of the spikes' eigenvector
transforms) are subtracted from the integrand at every node, so they do
not bound the annulus. The integrand is analytic in the annulus, so the
trapezoidal rule converges geometrically, like ``R_out^{−N/2}``; the node
count doubles (re-using every node) from the count that rate predicts
(:func:`start_count`) until three counts agree to the working precision
relative to each integral's own size.

The integrand is real on the real axis, so only the upper half of the
ellipse is evaluated: with ``A_j = F(κ_j) κ'(θ_j)`` and ``N`` nodes,
``(1/2πi) Σ_j A_j (2π/N) = (1/N)[Im A_0 + Im A_{N/2} + 2 Σ_{0<j<N/2} Im A_j]``.

Speed. A node's values that do not depend on the integrand (``κ_j``,
``−λ(κ_j)``, ``T_μ(κ_j)λ'/λ·κ'``) are kept on the contour, and the
contours of the last calls are kept (:func:`cached_contour`): the steps of
``optimal_w``, which differ only in ``w``, evaluate the spectrum once per
precision. With python-flint installed the nodes are evaluated in ``acb``
balls (:func:`ball_arithmetic`, ten times faster than mpmath; the
midpoints are used, and a total whose radius — a bound on all its
rounding errors — exceeds ``2^(−prec)`` of its size is redone in mpmath);
without it, in mpmath, with the same digits.
"""
import math
import threading
from collections import OrderedDict
from functools import lru_cache

import sympy as sp

from .context import context_key, contextual, mp
from .precision import NoConvergence
from ..symbolic.general import I1 as _I1, I2 as _I2
from ..symbolic.kappa_plane import derive_kappa_plane
from ..symbolic.symbols import gamma as _gamma, kappa as _kappa, lam as _lam

__all__ = ["KappaContour", "SignalContour", "START_NODES", "MAX_NODES", "cached_contour",
           "clear_contour_cache", "ball_arithmetic"]

#: nodes on the whole ellipse of the first pass, and the most before giving up
START_NODES = 32
MAX_NODES = 1 << 14
#: the node count expected to pass, over the one the convergence rate alone predicts
COUNT_MARGIN = 1.3
#: rule levels of a continuous measure checked against the next on the first pass
_LEVEL_MARGIN = 1


@lru_cache(maxsize=None)
def _forms():
    kp = derive_kappa_plane()
    T = sp.Symbol("T")
    return (contextual(sp.lambdify((_kappa, _gamma, _I1), kp.penalty, "mpmath")),
            contextual(sp.lambdify((_gamma, _I2), kp.penalty_slope, "mpmath")),
            contextual(sp.lambdify((_kappa, _I1), kp.nu_transform, "mpmath")),
            contextual(sp.lambdify((T, _lam, _gamma, _I2), kp.measure_weight, "mpmath")),
            contextual(sp.lambdify((_kappa, sp.Symbol("s_u", positive=True)),
                                   kp.eigvec_transform, "mpmath")))


def start_count(bernstein_radius, prec):
    r"""The first node count ``S`` of the doubling on an ellipse whose nearest
    outer singularity has Bernstein radius ``R_out``: the trapezoidal error
    falls like ``R_out^{−N/2}``, so ``N ≈ 2(prec − 8) ln 2/ln R_out`` (with
    30% to spare) is expected to pass; the doubling starts at a quarter of
    it (the test of convergence compares three counts), a multiple of 4 and
    at least ``START_NODES/2``.

    >>> start_count(5.83, 168), start_count(5.83, 218)
    (44, 56)
    """
    need = 2 * COUNT_MARGIN * (prec - 8) * math.log(2) / math.log(float(bernstein_radius))
    return max(START_NODES // 2, 4 * math.ceil(need / 16))


class _Closed:
    """``∫ s/(s+κ)`` and ``∫ s²/(s+κ)²`` from the measure's closed form
    (:meth:`~rmtheory.numeric.spectra._Measure.transform_sums`): exact at any
    ``κ`` off the cut, at the cost of a few elementary functions."""

    def __init__(self, measure):
        self.measure = measure

    def sums(self, k, signal=False):
        first, second = self.measure.transform_sums(k)
        return first if signal else (first, second)


class _Rule:
    """Nodes and weights of a measure at one level, and ``∫ ψ(s, κ) dμ``."""

    def __init__(self, measure, level):
        self.nodes, self.weights = measure.rule(level)

    def sums(self, k, signal=False):
        """``(∫ s/(s+κ), ∫ s²/(s+κ)²)`` (``signal``: ``∫ s/(s+κ)`` only)."""
        ratios = [s / (s + k) for s in self.nodes]
        first = mp.fdot(self.weights, ratios)
        if signal:
            return first
        return first, mp.fdot(self.weights, [r * r for r in ratios])


# -- ball arithmetic ----------------------------------------------------------

#: bits beyond the working precision at which the nodes are evaluated in
#: balls; a total whose rounding radius exceeds 2^(−prec) of its size
#: (the sum of the absolute values of its terms) is redone in mpmath
BALL_GUARD_BITS = 32


def ball_arithmetic():
    """python-flint's module when it is installed (``rmtheory[certified]``):
    the contour nodes are then evaluated in ``acb`` balls, about ten times
    faster than in mpmath; ``None`` otherwise (mpmath, the same digits)."""
    try:
        import flint
    except ImportError:
        return None
    return flint


def ball_lambdify(args, exprs):
    """SymPy expressions as one function of balls (``acb``/``arb``) returning a
    tuple, common subexpressions shared (``cse``: two to five times fewer
    ball operations for the multipliers): SymPy's mpmath printer with its
    names bound to ball arithmetic, as
    :func:`rmtheory.numeric.certified.balls.lambdify_ball` does for one
    expression (its namespace and printer, so every rational is an exact
    ball)."""
    from .certified import balls
    exprs = tuple(exprs)
    if any(e.has(sp.pi) for e in exprs):
        raise NotImplementedError("expressions with pi are not lambdified to balls")
    return sp.lambdify(tuple(args), exprs, modules=[balls._namespace()],
                       printer=balls._printer(), cse=True)


@lru_cache(maxsize=None)
def _ball_forms():
    """The forms of :func:`_forms` as functions of balls."""
    kp = derive_kappa_plane()
    T = sp.Symbol("T")
    u = sp.Symbol("s_u", positive=True)
    # one function for a node's λ(κ), its weight λ'/λ (the weight of T = 1)
    # and T_ν λ'/λ: the subexpressions shared, one call
    weight = kp.measure_weight.subs({T: 1, _lam: kp.penalty})
    return (ball_lambdify((_kappa, _gamma, _I1, _I2),
                          (kp.penalty, weight, weight * kp.nu_transform)),
            ball_lambdify((_kappa, u), (kp.eigvec_transform,)))


@lru_cache(maxsize=None)
def _ball_laws():
    """``(I₁, I₂)`` of the ``ar1`` and ``uniform`` laws in balls, from the
    closed forms of :func:`rmtheory.numeric.spectra._transform_lambdas`
    (the expressions the mpmath measures evaluate)."""
    from .spectra import _transform_lambdas
    forms = _transform_lambdas()["expressions"]
    k = sp.Symbol("kappa")
    a, b = sp.symbols("a b", positive=True)
    m1, m2 = sp.symbols("M_1 M_2")
    ar1 = ball_lambdify((k, a, b), (forms["ar1_I1"], forms["ar1_I2"]))
    moments = ball_lambdify((k, a, b), (forms["uniform_M1"], forms["uniform_M2"]))
    sums = ball_lambdify((k, m1, m2), (forms["I1"], forms["I2"]))

    def uniform(kappa, lo, hi):
        return sums(kappa, *moments(kappa, lo, hi))
    return {"ar1": ar1, "uniform": uniform}


def _to_mpf(x):
    """The midpoint of an ``arb`` as an mpf of the active context, exactly."""
    from mpmath import libmp
    man, exp = x.mid().man_exp()
    return mp.make_mpf(libmp.from_man_exp(int(man), int(exp)))


def _to_mpc(z):
    return mp.mpc(_to_mpf(z.real), _to_mpf(z.imag))


def _to_acb(x):
    """An mpf or mpc as the exact ``acb`` of its binary value."""
    import flint
    from .certified.balls import from_mpf
    x = mp.mpc(x)
    return flint.acb(from_mpf(x.real), from_mpf(x.imag))


class _BallSums:
    """``(I₁(κ), I₂(κ))`` of a rule (atoms) or a closed-form law in balls;
    ``None`` from :meth:`make` when the measure has no ball form."""

    def __init__(self, atoms=None, law=None, support=None):
        self.atoms, self.law, self.support = atoms, law, support

    @classmethod
    def make(cls, rule):
        from .certified.balls import from_mpf
        if isinstance(rule, _Rule):
            return cls(atoms=[(from_mpf(s), from_mpf(h)) for s, h in
                              zip(rule.nodes, rule.weights)])
        family = getattr(rule.measure, "moment_family", None)
        if family not in ("ar1", "uniform"):
            return None
        from .precision import GUARD_BITS
        with mp.extraprec(GUARD_BITS + BALL_GUARD_BITS):
            lo, hi = rule.measure.support()
        return cls(law=_ball_laws()[family], support=(from_mpf(lo), from_mpf(hi)))

    #: numbers of atoms for which the sums are evaluated as rational functions
    #: (above, building the polynomials costs more, and they cancel more)
    POLY_ATOMS, MAX_POLY_ATOMS = 4, 24
    #: bits beyond the ball precision at which the polynomials are evaluated
    POLY_BITS = 48

    def sums(self, k):
        if self.law is not None:
            return self.law(k, *self.support)
        if self.POLY_ATOMS <= len(self.atoms) <= self.MAX_POLY_ATOMS and \
                self.slope_bounds is not None:
            import flint
            prec = flint.ctx.prec
            # at the midpoint of κ (Horner on a ball would multiply its
            # radius by the size of the coefficients, not by the small
            # derivative of the sums): the rounding of the cancelling
            # polynomials, evaluated with POLY_BITS more, is in the ball;
            # the radius of κ is added through the bounds of |I₁'|, |I₂'|
            flint.ctx.prec = prec + self.POLY_BITS
            try:
                polys = self._polys()
                point = k.mid()
                q = polys[0](point)
                first, second = polys[1](point) / q, polys[2](point) / (q * q)
            finally:
                flint.ctx.prec = prec
            if min(first.rel_accuracy_bits(), second.rel_accuracy_bits()) >= prec:
                r = k.rad()
                return (first + self._widen(r * self.slope_bounds[0]),
                        second + self._widen(r * self.slope_bounds[1]))
        first = second = 0
        for s, h in self.atoms:
            r = s / (s + k)
            hr = h * r
            first += hr
            second += hr * r
        return first, second

    @staticmethod
    def _widen(radius):
        import flint
        ball = flint.arb(0, radius)
        return flint.acb(ball, ball)

    #: ``(sup|I₁'|, sup|I₂'|)`` on the contour (set by :class:`KappaContour`)
    slope_bounds = None

    def bound_slopes(self, distance):
        r"""Bounds of ``|I₁'(κ)| = |Σ h s/(s+κ)²| ≤ E s/δ²`` and
        ``|I₂'(κ)| = |Σ 2h s²/(s+κ)³| ≤ 2E s²/δ³`` for ``κ`` at distance at
        least ``δ`` (an ``arb``, > 0) from every atom."""
        if self.atoms is None or not distance > 0:
            self.slope_bounds = None
            return
        import flint
        first = sum((h * s for s, h in self.atoms), flint.arb(0))
        second = sum((h * s * s for s, h in self.atoms), flint.arb(0))
        self.slope_bounds = ((first / distance**2).upper(),
                             (2 * second / distance**3).upper())

    def _polys(self):
        r"""``(Q, N₁, N₂)`` with ``Q = Π_j (x + s_j)``, ``N₁ = Σ_j h_j s_j Q/(x + s_j)``,
        ``N₂ = Σ_j h_j s_j² (Q/(x + s_j))²``: ``I₁ = N₁/Q`` and ``I₂ = N₂/Q²``
        (built once, at the ball precision: one polynomial evaluation in
        FLINT instead of a Python loop over the atoms)."""
        import flint
        if getattr(self, "_made", None) is None or self._made[0] != flint.ctx.prec:
            # real coefficients (arb_poly), evaluated at a complex point
            x = flint.arb_poly([0, 1])
            linear = [x + s for s, _ in self.atoms]
            Q = flint.arb_poly([1])
            for f in linear:
                Q *= f
            N1 = N2 = flint.arb_poly([0])
            for j, (s, h) in enumerate(self.atoms):
                rest = flint.arb_poly([1])
                for i, f in enumerate(linear):
                    if i != j:
                        rest *= f
                N1 += h * s * rest
                N2 += h * s * s * rest * rest
            self._made = flint.ctx.prec, (Q, N1, N2)
        return self._made[1]


def _key(j, count):
    """The node ``θ = 2πj/count`` as a reduced fraction ``j/count`` (nodes of
    different counts coincide exactly when their keys do)."""
    g = math.gcd(j, count)
    return j // g, count // g


class KappaContour:
    r"""The contour of one ``(spectrum, γ)`` and outer point, with its node values.

    Parameters
    ----------
    spectrum : Spectrum
    gamma : mpf
    outer : mpf
        The smallest ``κ(λ_p)`` over the pole penalties ``λ_p`` of the
        integrands (it must stay outside the contour).
    kappa0 : mpf
        ``κ₀`` (the residue point) when ``γ > 1``, else ``None``.
    eigvecs : sequence of mpf
        Population eigenvalues ``s_u`` whose eigenvector measures ``μ_u``
        are wanted (the spikes of a spiked model). A general ``G ≠ H`` is
        :class:`SignalContour`'s.

    Notes
    -----
    What a node costs does not depend on the integrand: ``κ_j``, ``−λ(κ_j)``
    and ``T_μ(κ_j)λ'(κ_j)/λ(κ_j)·dκ/dθ`` are kept (by node, for every count),
    so a second integrand on the same contour (another ``w`` or ``t``) only
    evaluates itself at the kept points. With python-flint the nodes are
    evaluated in ``acb`` balls (:func:`ball_arithmetic`), else in mpmath.

    Examples
    --------
    >>> from mpmath import mp
    >>> from rmtheory.numeric import make_spectrum, solve_kappa
    >>> from rmtheory.numeric.contour import KappaContour
    >>> spec = make_spectrum("isotropic")
    >>> with mp.workdps(30):
    ...     c = KappaContour(spec, mp.mpf(2), solve_kappa(1, spec, 2), mp.one)
    ...     mass = c.integrate(lambda z: (mp.one,))["nu"][0]
    ...     print(mp.nstr(mass, 25))          # ν has total mass ∫ s dH = 1
    1.0
    """

    def __init__(self, spectrum, gamma, outer, kappa0=None, eigvecs=()):
        self.spectrum, self.gamma = spectrum, gamma
        self.kappa0, self.eigvecs = kappa0, tuple(eigvecs)
        # the poles −s_u of the eigenvector transforms are simple and their
        # residues explicit: they are left outside, like κ₀
        highest = spectrum.support[1]
        self.c, self.h = segment(spectrum, gamma)
        # the simple pole at κ₀ (λ(κ₀) = 0) is subtracted from the integrand
        # (:meth:`integrate`), so only the poles of φ bound the annulus
        self.R_out = self._bernstein(outer)
        for s in self.eigvecs:
            if not s > highest:
                raise ValueError(f"an eigenvector measure needs s_u = {s} outside supp H")
        self.R = mp.sqrt(self.R_out)
        self.prec = mp.prec
        self._mp_nodes, self._ball_nodes = {}, {}
        self._H_rule = self._ball = None
        self._lock = threading.Lock()
        self.nodes_used = 0

    def _bernstein(self, point):
        """Bernstein radius of a real point outside the segment ``[c − h, c + h]``."""
        u = abs(point - self.c) / self.h
        if not u > 1:  # pragma: no cover - the points are outside by construction
            raise ArithmeticError(f"the point {point} is on the segment of the contour")
        return u + mp.sqrt((u - 1) * (u + 1))

    # -- node counts -------------------------------------------------------
    def start_count(self):
        """The first node count of the doubling (:func:`start_count`)."""
        return start_count(self.R_out, self.prec)

    def probe_keys(self):
        """The nodes of the second count of the doubling (at least 32 of the
        whole ellipse), where the growth of an integrand is probed: all of
        them are nodes of the integration too."""
        count = 2 * self.start_count()
        if count < 32:
            count *= 2
        return [_key(j, count) for j in range(count // 2 + 1)]

    # -- nodes -------------------------------------------------------------
    def _node(self, j, count):
        """``(κ, dκ/dθ)`` at ``θ = 2πj/count``."""
        e = mp.expjpi(mp.mpf(2 * j) / count)
        re, ie = self.R * e, 1 / (self.R * e)
        return self.c + self.h * (re + ie) / 2, 1j * self.h * (re - ie) / 2

    def _rules(self):
        """The rule of ``H`` (:func:`_rule_for`, checked at the nodes of the
        first pass) and, with python-flint, its ball form."""
        if self._H_rule is None:
            rule = _rule_for(self.spectrum._H, False, lambda: [
                self._node(j, START_NODES)[0] for j in range(START_NODES // 2 + 1)])
            if ball_arithmetic() is not None:
                self._ball = _BallSums.make(rule)
            self._H_rule = rule

    def _transforms(self, k, weight_wanted=True):
        """``(−λ(κ), λ'(κ)/λ(κ), {μ: T_μ(κ)})`` at one point ``κ`` (the weight
        is ``None`` when not wanted: at ``κ₀``, where ``λ = 0``)."""
        penalty, slope, nu_T, weight, eig_T = _forms()
        i1, i2 = self._H_rule.sums(k)
        lam_k = penalty(k, self.gamma, i1)
        transforms = {"nu": nu_T(k, i1)}
        for s in self.eigvecs:
            if k != -s:           # at its own pole the caller takes the residue
                transforms[("u", s)] = eig_T(k, s)
        factor = weight(mp.one, lam_k, self.gamma, i2) if weight_wanted else None
        return -lam_k, factor, transforms

    def _mp_node(self, key):
        """``(z, {μ: T_μ·(λ'/λ)·dκ/dθ})`` at node ``key`` in mpmath, kept."""
        values = self._mp_nodes.get(key)
        if values is None:
            k, dk = self._node(*key)
            z, factor, transforms = self._transforms(k)
            base = factor * dk
            values = z, {m: base * T for m, T in transforms.items()}, self._pole_part(k, dk)
            self._mp_nodes[key] = values
        return values

    def _ball_node(self, key):
        """The same in ``acb`` balls (inside :func:`~rmtheory.numeric.certified.
        balls.working_precision`), kept."""
        values = self._ball_nodes.get(key)
        if values is None:
            import flint
            forms, eig_T = _ball_forms()
            j, count = key
            if (2 * j) % count:
                e = flint.acb(flint.arb(2 * j) / count).exp_pi_i()
            else:          # θ = 0, π: an exact ±1, so κ is exactly real there
                e = flint.acb(1 if (2 * j // count) % 2 == 0 else -1)
            c, h, R, gamma = self._ball_constants
            re = R * e
            ie = 1 / re
            k = c + h * (re + ie) / 2
            dk = flint.acb(0, 1) * h * (re - ie) / 2
            i1, i2 = self._ball.sums(k)
            lam_k, weight, nu = forms(k, gamma, i1, i2)
            transforms = {"nu": nu * dk}
            if self.eigvecs:
                base = weight * dk
                for s, s_ball in zip(self.eigvecs, self._ball_eigvecs):
                    transforms[("u", s)] = base * eig_T(k, s_ball)[0]
            values = -lam_k, transforms, self._pole_part(k, dk)
            self._ball_nodes[key] = values
        return values

    def _prepare_balls(self):
        from .certified.balls import from_mpf
        if getattr(self, "_ball_constants", None) is not None:
            return
        c, h, R, gamma = (from_mpf(x) for x in (self.c, self.h, self.R, self.gamma))
        self._ball_constants = c, h, R, gamma
        self._ball_eigvecs = [from_mpf(s) for s in self.eigvecs]
        self._ball_poles = {p: from_mpf(at) for p, at in self._poles().items()}
        # the ellipse is nearest to its segment [c − h, c + h] (which holds
        # −supp H) at the ends of its major axis: h((R + 1/R)/2 − 1)
        self._ball.bound_slopes((h * ((R + 1 / R) / 2 - 1)).lower())

    def node_z(self, keys):
        """``z = −λ(κ)`` at the nodes ``keys`` as Python complex numbers (for a
        probe of the integrand's size: a double is enough), from the kept
        node values."""
        self._rules()
        if self._ball is not None:
            from .certified.balls import working_precision
            with self._lock, working_precision(self.prec + BALL_GUARD_BITS):
                self._prepare_balls()
                return [complex(self._ball_node(key)[0].mid()) for key in keys]
        with self._lock:
            return [complex(self._mp_node(key)[0]) for key in keys]

    def _pole_part(self, k, dk):
        """``{p: κ'(θ)/(κ − p)}`` over the subtracted poles ``p`` (``κ₀`` and the
        ``−s_u``): the node's factors of the subtracted poles."""
        if hasattr(k, "mid"):
            points = self._ball_poles
        else:
            points = self._poles()
        return {p: dk / (k - at) for p, at in points.items()}

    def _poles(self):
        """``{name: point}`` of the simple poles subtracted from the integrands."""
        points = {} if self.kappa0 is None else {"k0": self.kappa0}
        points.update({("u", s): -s for s in self.eigvecs})
        return points

    def _pole_residues(self, phi):
        # (real: the integrands are real on the real axis, and so are κ₀, −s_u)
        """``{μ: [(p, [Res_p φ_i-integrand of μ])]}``: at ``κ₀`` (every ``μ``)
        ``φ_i(0) T_μ(κ₀)``, and for ``μ_u`` at ``κ = −s_u`` (the pole of
        ``T_u = κ/(s_u + κ)``) ``φ_i(z(−s_u))·(−s_u)·λ'/λ``. The same residues
        :meth:`_residues` adds."""
        poles = {}
        if self.kappa0 is not None:
            _, _, masses = self._transforms(self.kappa0, weight_wanted=False)
            at_zero = phi(mp.zero)
            for m, T in masses.items():
                poles[m] = [("k0", [v * T for v in at_zero])]
        for s in self.eigvecs:
            z, factor, _ = self._transforms(-s)
            poles.setdefault(("u", s), []).append(
                (("u", s), [v * (-s) * factor for v in phi(z)]))
        return poles

    def _residues(self, phi):
        """What the points left outside contribute: ``φ(0) T_μ(κ₀)`` (the atoms
        at ``d = 0``, ``γ > 1``) and, for ``μ_u``, ``φ(z(−s_u))·(−s_u)·λ'/λ``
        at the pole ``κ = −s_u`` of ``T_u = κ/(s_u + κ)``."""
        extra = {}
        if self.kappa0 is not None:
            _, _, masses = self._transforms(self.kappa0, weight_wanted=False)
            at_zero = phi(mp.zero)
            for m, T in masses.items():
                extra[m] = [v * T for v in at_zero]
        for s in self.eigvecs:
            z, factor, _ = self._transforms(-s)
            terms = [v * (-s) * factor for v in phi(z)]
            key = ("u", s)
            extra[key] = [a + b for a, b in zip(extra.get(key, [0] * len(terms)), terms)]
        return extra

    # -- integrals ---------------------------------------------------------
    def integrate(self, phi, work=None, ball_phi=None):
        r"""``∫ φ_i dμ`` for a tuple-valued ``φ(z) = (φ_1(z), …)`` and every
        measure ``μ`` of the contour (``"nu"``, ``("u", s)``).

        The node count doubles from :meth:`start_count` (re-using every
        node). With ``d_N`` the change from ``N/2`` to ``N`` nodes, geometric
        convergence puts the error of the ``N``-node sum near
        ``d_N³/d_{N/2}²``; it is accepted when that, and ``d_N`` itself, are
        below ``2^(8 − prec)`` of the integral's size (the sum of the
        absolute values of its terms, to which the rounding errors are
        relative).

        ``ball_phi``: the same ``φ`` on ``acb`` balls. With python-flint
        installed the nodes are then summed in balls; the result is the
        midpoint, kept only when every total's radius (a bound on all its
        rounding errors) is below ``2^(−prec)`` of its size, else the sum
        is redone in mpmath.

        Returns
        -------
        dict
            ``{μ: [∫ φ_i dμ]}``, with the attribute ``nodes_used`` set.
        """
        self._rules()
        result = None
        residues = self._pole_residues(phi)
        if ball_phi is not None and self._ball is not None:
            from .certified.balls import from_mpf, working_precision
            with self._lock, working_precision(self.prec + BALL_GUARD_BITS):
                self._prepare_balls()
                in_balls = {m: [(p, [from_mpf(mp.re(v)) for v in rs]) for p, rs in parts]
                            for m, parts in residues.items()}
                result = self._levels(lambda key: self._ball_node(key), ball_phi, work,
                                      in_balls, balls=True)
        if result is None:
            with self._lock:
                result = self._levels(self._mp_node, phi, work, residues, balls=False)
        for m, terms in self._residues(phi).items():
            result[m] = [a + b for a, b in zip(result[m], terms)]
        return result

    def _levels(self, node, phi, work, residues, balls):
        """The doubling of :meth:`integrate` on one kind of number; ``None``
        (balls only) when a total's rounding radius is too large.

        The simple poles whose residues :meth:`_residues` adds (``κ₀``, where
        ``λ = 0``, and the ``−s_u`` of the eigenvector transforms) are
        subtracted at every node, ``r/(κ − p)`` with ``r`` the residue
        (:meth:`_pole_residues`): what is left is analytic there, so the
        trapezoidal rule converges at the rate of the poles of ``φ`` alone
        (fewer nodes; a spike just above the bulk no longer narrows the
        annulus), and the sum plus the residues is the integral whether the
        ellipse passes inside or outside ``p``."""
        if balls:
            import flint
        tol = mp.ldexp(1, 8 - mp.prec)
        count, history = self.start_count(), []
        kept = self._ball_nodes if balls else self._mp_nodes

        def terms_of(key):
            # the residues are real (the integrands are real on the real
            # axis), so Σ Im(v b − r P) = Σ Im(v b) − r Σ Im P: each pole's
            # factor P is summed once, as a measure of its own
            z, weighted, poles = node(key)
            values = phi(z)
            terms = {m: [v * b for v in values] for m, b in weighted.items()}
            for p, factor in poles.items():
                terms[("pole", p)] = [factor]
            return terms

        def add(totals, sizes, key):
            if work is not None and key not in kept:
                terms = work.run(lambda: terms_of(key))
            else:
                terms = terms_of(key)
            for m, values in terms.items():
                tot = totals.setdefault(m, [0] * len(values))
                siz = sizes.setdefault(m, [0] * len(values))
                for i, term in enumerate(values):
                    part = term.imag
                    tot[i] += part
                    siz[i] += abs(part)
        # (1/N)[Im A_0 + Im A_{N/2} + 2 Σ_{0<j<N/2} Im A_j]: the ends, and the
        # inner nodes of every count so far (the inner nodes of N/2 are inner
        # nodes of N, so each count adds only its new ones)
        ends, end_sizes, inner, inner_sizes = {}, {}, {}, {}
        add(ends, end_sizes, _key(0, count))
        add(ends, end_sizes, _key(count // 2, count))
        first = True
        while True:
            half = count // 2
            for j in range(1, half, 1 if first else 2):
                add(inner, inner_sizes, _key(j, count))
            first = False

            def combine(a, b):
                return {m: [x + 2 * y for x, y in zip(a[m], b.get(m, [0] * len(a[m])))]
                        for m in a}
            totals, sizes = combine(ends, inner), combine(end_sizes, inner_sizes)
            # less the subtracted poles (their rounding counted in the size)
            for m, parts in residues.items():
                for p, rs in parts:
                    pole, pole_size = totals[("pole", p)][0], sizes[("pole", p)][0]
                    totals[m] = [x - r * pole for x, r in zip(totals[m], rs)]
                    sizes[m] = [x + abs(r) * pole_size for x, r in zip(sizes[m], rs)]
            for key in [m for m in totals if isinstance(m, tuple) and m[0] == "pole"]:
                del totals[key], sizes[key]
            if balls:
                result = {m: [_to_mpf(v) / count for v in vs] for m, vs in totals.items()}
                size = {m: [_to_mpf(v) / count for v in vs] for m, vs in sizes.items()}
                # the radius bounds every rounding error of the total: above
                # 2^(−prec) of its size the balls cannot confirm the digits
                if any(_to_mpf(flint.arb(v.rad())) > mp.ldexp(sz, -mp.prec) * count
                       for m, vs in totals.items() for v, sz in zip(vs, size[m])):
                    return None
            else:
                result = {m: [v / count for v in vs] for m, vs in totals.items()}
                size = {m: [v / count for v in vs] for m, vs in sizes.items()}
            history.append(result)
            if len(history) >= 3 and self._converged(history, size, tol):
                break
            if 2 * count > MAX_NODES:
                raise NoConvergence("trapezoidal rule on the kappa contour",
                                    self._last_change(history, size), tol,
                                    f"no agreement with {count} nodes")
            count *= 2
        self.nodes_used = count
        return result

    @staticmethod
    def _last_change(history, size):
        """The largest change between the last two node counts, relative to
        the size of each integral (the residual a refusal reports)."""
        previous, current = history[-2:]
        return max((abs(c - b) / max(sc, abs(c)) for m in current
                    for b, c, sc in zip(previous[m], current[m], size[m]) if max(sc, abs(c))),
                   default=mp.zero)

    @staticmethod
    def _converged(history, size, tol):
        older, previous, current = history[-3:]
        for m in current:
            for a, b, c, sc in zip(older[m], previous[m], current[m], size[m]):
                scale = max(sc, abs(c))
                if not scale:
                    continue
                d_now, d_before = abs(c - b), abs(b - a)
                if d_now <= tol * scale and d_before <= mp.sqrt(tol) * scale:
                    continue        # at the rounding floor after a converging step
                if d_now > mp.sqrt(tol) * scale or d_now > d_before:
                    return False
                if d_now and d_now**3 > tol * scale * d_before**2:
                    return False
        return True


#: contours kept (with their node values) by :func:`cached_contour`
CONTOUR_CACHE_SIZE = 8
_CONTOURS = OrderedDict()
_CONTOURS_LOCK = threading.Lock()


def cached_contour(spectrum, gamma, pole_penalty, eigvecs=()):
    r"""``(outer, κ₀, contour)`` of :class:`KappaContour` for a spectrum, ``γ``
    and the smallest pole penalty of the integrands, at the working
    precision; the last :data:`CONTOUR_CACHE_SIZE` are kept with their node
    values, so integrands that differ only in ``w`` or ``t`` (the steps of
    ``optimal_w``, a curve in ``w``) evaluate ``λ(κ)``, ``T_μ(κ)`` once.

    ``outer = κ(pole_penalty)`` and ``κ₀ = κ(0)`` (``γ > 1``, else ``None``).
    """
    from .fixed_point import solve_kappa
    key = (context_key(), mp.prec, id(spectrum), gamma, pole_penalty, tuple(eigvecs))
    with _CONTOURS_LOCK:
        kept = _CONTOURS.get(key)
        if kept is not None and kept[0] is spectrum:   # (the entry keeps the id alive)
            _CONTOURS.move_to_end(key)
            return kept[1:]
    outer = solve_kappa(pole_penalty, spectrum, gamma)
    kappa0 = solve_kappa(mp.zero, spectrum, gamma) if gamma > 1 else None
    contour = KappaContour(spectrum, gamma, outer, kappa0, eigvecs=eigvecs)
    with _CONTOURS_LOCK:
        _CONTOURS[key] = (spectrum, outer, kappa0, contour)
        _CONTOURS.move_to_end(key)
        while len(_CONTOURS) > CONTOUR_CACHE_SIZE:
            _CONTOURS.popitem(last=False)
    return outer, kappa0, contour


def clear_contour_cache():
    """Forget the contours of :func:`cached_contour` (a benchmark of a cold call)."""
    with _CONTOURS_LOCK:
        _CONTOURS.clear()


def _rule_for(measure, signal, nodes, closed=True):
    """The rule of ``measure``: exact for atoms; for a continuous measure the
    first level at which the integrals at every point of ``nodes`` agree with
    the next level to the working precision, unless (``closed``) the measure
    has a closed form. ``nodes`` may be a function returning them (called
    only when a level must be chosen)."""
    if measure.discrete:
        return _Rule(measure, 0)
    if closed and measure.transform_sums(mp.one) is not None:   # (any point off the cut)
        return _Closed(measure)
    if callable(nodes):
        nodes = nodes()
    level = measure.start_level
    previous = _Rule(measure, level)
    while level < measure.max_level:
        level += 1
        current = _Rule(measure, level)
        worst = mp.zero
        for k in nodes:
            a, b = previous.sums(k, signal), current.sums(k, signal)
            pairs = [(a, b)] if signal else list(zip(a, b))
            for x, y in pairs:
                worst = max(worst, abs(x - y) / abs(y))
        if worst <= mp.ldexp(1, 4 - mp.prec):
            return current
        previous = current
    raise NoConvergence("quadrature of H (or G) at the contour nodes", worst,
                        mp.ldexp(1, 4 - mp.prec),
                        "the contour passes too close to the support of H")


def _real_transform(spectrum, k, which):
    """``I₁(κ)`` (``which = 0``) or ``I₂(κ)`` (``which = 1``) at a real ``κ`` off
    the cut: the measure's closed form, else its quadrature."""
    closed = spectrum._H.transform_sums(k)
    if closed is not None:
        return closed[which]
    power = which + 1
    return spectrum.integrate_H(lambda s: (s / (s + k))**power)


def _bisect(g, positive, negative, scale):
    """The sign change of ``g`` between ``g(positive) > 0 > g(negative)``, to
    ``2^−prec·scale``."""
    for _ in range(mp.prec + 40):
        mid = (positive + negative) / 2
        if g(mid) > 0:
            positive = mid
        else:
            negative = mid
        if abs(positive - negative) <= mp.ldexp(scale, -mp.prec):
            break
    return (positive + negative) / 2


def _crossing(spectrum, gamma, edge, direction, level):
    """The root of ``γ I₂(κ) = level`` on the real axis beside the cut end
    ``edge`` (``direction = +1``: right of ``−s_min``; ``−1``: left of
    ``−s_max``), where ``I₂`` falls monotonically away from the cut; by
    bisection to the working precision. ``None`` when ``γ I₂`` stays below
    ``level`` up to the cut (a density that vanishes at the edge keeps ``I₂``
    finite) or cannot be evaluated close enough to it."""
    scale = abs(edge) + 1

    def g(k):
        return gamma * _real_transform(spectrum, k, 1) - level
    far = edge + direction * scale
    while g(far) > 0:                          # far enough: γ I₂ below the level
        far = edge + 2 * (far - edge)
    try:
        for j in range(1, 80):                 # towards the cut until γ I₂ > level
            near = edge + direction * scale * mp.ldexp(1, -j)
            if g(near) > 0:
                return _bisect(g, near, far, abs(far) + scale)
    except (NoConvergence, ValueError):
        pass
    return None


class SignalContour:
    r"""An ellipse in the physical region of the ``κ``-plane, for the
    two-function bias ``βᵀ f(Σ̂) Σ f(Σ̂) β`` when ``G ≠ H``.

    On the physical region ``κ ↦ λ(κ)`` is one to one, so the divided
    difference ``(g(κ₁) − g(κ₂))/(λ(κ₁) − λ(κ₂))`` of the two-resolvent
    equivalent is analytic in both variables (its diagonal is
    ``g'(κ)/λ'(κ)``) and the product trapezoidal rule on one contour
    converges geometrically. The region is bounded by the curve
    ``Im λ(κ) = 0``, on which ``γ∫ s²/|s+κ|² dH = 1``; the ellipse

    - crosses the real axis on the left where ``γ I₂ = 0.6`` (and left of
      ``−supp G``), and on the right halfway between ``max(κ₀, κ_R)`` and
      the outer point (``κ_R`` the right zero of ``λ'``);
    - is parametrised by ``θ = ψ − α sin ψ``, which puts nodes ``1 − α``
      times closer where the right gap is narrow;
    - is made taller until every node has ``γ∫ s²/|s+κ|² dH < 0.75``.
    """

    #: ``γ∫ s²/|s+κ|² dH`` at the left crossing, and the most on any node
    LEFT_LEVEL, MOST = mp.mpf("0.3"), mp.mpf("0.75")

    def __init__(self, spectrum, gamma, outer, kappa0=None):
        self.spectrum, self.gamma = spectrum, gamma
        lo_H, hi_H = spectrum.support
        hi_G = spectrum._G.support()[1]
        # the curve Im λ(κ) = 0 meets the real axis where γI₂ = 1 (or at the
        # ends of the cut, when γI₂ stays below 1 up to them)
        right = _crossing(spectrum, gamma, -lo_H, +1, mp.one)
        right = -lo_H if right is None else right
        left = _crossing(spectrum, gamma, -hi_H, -1, self.LEFT_LEVEL)
        if left is None:
            left = -hi_H - (hi_H - lo_H) / 4 - lo_H
        inner = right if kappa0 is None else max(right, kappa0)
        self.X_r = (inner + outer) / 2
        self.X_l = min(left, -hi_G - (hi_G - lo_H) / 4)
        self.c, self.a = (self.X_l + self.X_r) / 2, (self.X_r - self.X_l) / 2
        self.b = self.a
        gap = min(self.X_r - inner, outer - self.X_r)
        self.alpha = max(mp.zero, 1 - 2 * gap / self.a)
        probe = [self._node(j, START_NODES)[0] for j in range(START_NODES // 2 + 1)]
        # (rules, not closed forms: |s + κ|² and ∫ s/(s+κ)² dG are sums over them)
        self._H = _rule_for(spectrum._H, False, probe, closed=False)
        self._G = _rule_for(spectrum._G, True, probe, closed=False)
        self.nodes_used = 0

    def _node(self, j, count):
        psi = 2 * mp.pi * j / count
        e = mp.expj(psi - self.alpha * mp.sin(psi))
        k = self.c + self.a * e.real + 1j * self.b * e.imag
        return k, (-self.a * e.imag + 1j * self.b * e.real) * (1 - self.alpha * mp.cos(psi))

    def _closeness(self, k):
        return self.gamma * mp.fdot(self._H.weights,
                                    [s * s / abs(s + k)**2 for s in self._H.nodes])

    def bilinear(self, phi, parts):
        r"""``∫∫ f f K`` and (``parts = 2``) ``2 ∫∫ f ∂f K`` for ``φ(z) = (f, ∂f)``.

        With ``A_i = f(z_i) κ_i (λ'_i/λ_i) κ'_i/(iN)`` the sum is
        ``Σ_i A_i C_i``, ``C_i = Σ_j A_j D_ij``; the nodes ``i`` and ``N − i``
        are conjugate, so are ``A`` and ``C``, and only ``i ≤ N/2`` is summed.
        """
        penalty, _, _, weight, _ = _forms()
        tol = mp.ldexp(1, 8 - mp.prec)
        count, history = START_NODES, []
        while True:
            for _ in range(16):
                nodes = [self._node(j, count) for j in range(count)]
                if all(self._closeness(k) < self.MOST for k, _ in nodes[1:count // 2]):
                    break
                self.b *= mp.mpf("1.25")
            else:
                raise NoConvergence("an ellipse in the physical region", mp.nan, mp.nan,
                                    "the curve Im lambda(kappa) = 0 is too tall")
            rows = []
            for k, dk in nodes:
                i1, i2 = self._H.sums(k)
                lam_k = penalty(k, self.gamma, i1)
                g = 1 - self._G.sums(k, signal=True)
                J = mp.fdot(self._G.weights, [s / (s + k)**2 for s in self._G.nodes])
                common = k * weight(mp.one, lam_k, self.gamma, i2) * dk / (1j * count)
                rows.append((lam_k, g, J / (1 - self.gamma * i2),
                             [v * common for v in phi(-lam_k)]))
            totals, size = [mp.zero] * parts, [mp.zero] * parts
            half = count // 2
            for i in range(half + 1):
                li, gi, di, Ai = rows[i]
                D = [di if j == i else (gi - gj) / (li - lj)
                     for j, (lj, gj, _, _) in enumerate(rows)]
                C = mp.fdot([r[3][0] for r in rows], D)
                factor = 1 if i in (0, half) else 2
                terms = [Ai[0] * C] + ([2 * Ai[1] * C] if parts == 2 else [])
                for p, term in enumerate(terms):
                    totals[p] += factor * term.real
                    size[p] += factor * abs(term)
            history.append(totals)
            if len(history) >= 3 and KappaContour._converged(
                    [{"b": h} for h in history[-3:]], {"b": size}, tol):
                break
            if 2 * count > 1024:
                raise NoConvergence("product trapezoidal rule on the kappa contour", mp.nan,
                                    tol, f"no agreement with {count} nodes")
            count *= 2
        self.nodes_used = count
        return totals


def segment(spectrum, gamma):
    """``(c, h)``: the segment ``[c − h, c + h]`` that the contour encloses,
    ``[−max supp H, 0]``, or ``[−max supp H, κ_z]`` for ``γ < 1``."""
    highest = spectrum.support[1]
    right = mp.zero if gamma >= 1 else _zero_of_one_minus_gamma_I1(spectrum, gamma)
    return (right - highest) / 2, (right + highest) / 2


def _zero_of_one_minus_gamma_I1(spectrum, gamma):
    """For ``γ < 1``: the root ``κ_z`` of ``1 − γ I₁(κ)`` in ``(−s_min, 0)``
    (``I₁`` decreases there from ``+∞`` to ``I₁(0) = 1``), by bisection; ``0``
    (a valid, if slower, segment end) when ``I₁`` cannot be evaluated close
    enough to the cut."""
    edge = -spectrum.support[0]

    def g(k):
        return gamma * _real_transform(spectrum, k, 0) - 1      # > 0 left of κ_z
    try:
        for j in range(1, 60):                # towards −s_min until 1 − γI₁ < 0
            near = edge * (1 - mp.ldexp(1, -j))
            if g(near) > 0:
                return _bisect(g, near, mp.zero, abs(edge))
    except (NoConvergence, ValueError):
        pass
    return mp.zero
