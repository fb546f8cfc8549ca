r"""Population spectra ``H`` and signal measures ``G`` (SPEC §3).

A :class:`Spectrum` carries two probability measures on ``(0, ∞)``: the
limit eigenvalue distribution ``H`` of ``Σ`` and the signal-weighted
measure ``G`` (``G = H`` unless the model says otherwise). Integrals
against them are taken at the ambient mpmath precision:

.. math::

    \int f\,dH = \sum_j h_j f(s_j) \quad\text{(atoms)}, \qquad
    \int f\,dH = \lim_{L\to\infty} \sum_{i} \omega^{(L)}_i f(s^{(L)}_i)
    \quad\text{(continuous laws)},

where the continuous laws use a quadrature rule family of increasing
level ``L`` (nodes recomputed at the working precision, never a fixed
handful of atoms) and a result is accepted only once two consecutive
levels agree. The rule families are chosen per law:

* ``ar1`` — ``H`` is the law of ``(1−ρ²)/(1 − 2ρ cos θ + ρ²)`` with
  ``θ ~ U(0, π)``; the integral over the angle (after a Möbius
  reparametrisation of the circle) has an even ``2π``-periodic integrand,
  so the trapezoidal rule converges geometrically;
* ``uniform`` — composite Gauss–Legendre on ``2^(L+1)`` panels,
  graded towards the ends;
* a user density on ``[a, b]`` — tanh–sinh, which tolerates integrable
  endpoint singularities.

The named models of SPEC §3 are built by :func:`make_spectrum`; users
build their own with :meth:`Spectrum.from_atoms`,
:meth:`Spectrum.from_density` and :meth:`Spectrum.from_sample`. Models
whose ``H`` is a single atom ``δ_c`` (``isotropic``, ``spiked``,
``equicorrelated``) carry the Marchenko–Pastur closed forms of
:mod:`rmtheory.symbolic` (scaled by ``c``) in :attr:`Spectrum.closed_forms`.

Examples
--------
>>> from mpmath import mp
>>> from rmtheory.numeric import make_spectrum
>>> spec = make_spectrum("spiked")
>>> spec.params
{'spikes': (4.0,), 'alignments': (0.5,)}
>>> with mp.workdps(30):
...     print(spec.integrate_G(lambda s: s))          # 0.5·1 + 0.5·5
3.0
"""
import difflib
import numbers
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping

import sympy as sp
from ..symbolic._cache import disk_cached
from .context import contextual, context_key, mp, private_context

from .._validation import check_real, is_symbolic
from .precision import GUARD_BITS, NoConvergence, to_mpc, to_mpf

__all__ = ["Spectrum", "SPECTRUM_DEFAULTS", "SPECTRUM_NAMES", "make_spectrum",
           "MarchenkoPasturForms"]

#: relative tolerance on ``Σ weights = 1`` (and on ``Σ alignments ≤ 1``)
WEIGHT_RTOL = 1e-12
#: absolute tolerance on ``∫ density = 1`` for :meth:`Spectrum.from_density`
DENSITY_TOL = 1e-10

#: default parameters of every named model (SPEC §3). ``spiked``: one spike
#: ``θ = 4`` (eigenvalue 5 of ``Σ``) carrying half of the signal;
#: ``discrete`` and ``random_effects``: ``H = ½δ₁ + ½δ₄`` (``G = H``).
SPECTRUM_DEFAULTS = {
    "isotropic": {},
    "discrete": {"eigs": (1.0, 4.0), "weights": (0.5, 0.5), "signal_weights": None},
    "random_effects": {"eigs": (1.0, 4.0), "weights": (0.5, 0.5), "law": None},
    "spiked": {"spikes": (4.0,), "alignments": (0.5,)},
    "equicorrelated": {"rho": 0.5},
    "ar1": {"rho": 0.5},
    "uniform": {"a": 0.5, "b": 1.5},
}
SPECTRUM_NAMES = tuple(SPECTRUM_DEFAULTS)


# --------------------------------------------------------------------------
# measures: atoms, and quadrature-rule families for continuous laws
# --------------------------------------------------------------------------

class _BoundedCache:
    """A thread-safe least-recently-used dict of at most ``size`` entries.

    Quadrature rules are kept per (context, precision, level): without a
    bound, a sweep over many precisions would keep every rule it ever
    built (a rule at 1000 digits holds thousands of 3000-bit numbers).
    """

    def __init__(self, size):
        self._size = size
        self._data = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, make):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = make()                  # outside the lock: it may take long
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)
        return value

    def __len__(self):
        return len(self._data)

    def __reduce__(self):
        # a copy starts empty: the lock cannot be pickled, and mpf values are
        # tied to the context (and process) that made them
        return (_BoundedCache, (self._size,))


#: rules kept per measure (all contexts, precisions and levels together)
RULE_CACHE_SIZE = 48


class _RootStarts:
    """Recent roots ``κ(λ)`` of one measure, as starting points for the next.

    A public call solves for ``κ`` at penalties that agree to the precision
    of the previous solve (the confirmation at a higher precision, the
    Newton steps of ``optimal_w`` a few ulps apart, ``w = 1`` twice): from
    ``κ(λ₀) + (λ − λ₀)κ'(λ₀)`` one Newton step reaches the target. Only a
    start: every root is still bracketed and verified. Entries are
    ``(float γ, float λ, λ, κ, dκ/dλ, condition)`` (mpf values read through
    ``mp.mpf`` by the caller's context); thread-safe, at most ``size`` kept.
    """

    def __init__(self, size=16):
        self._size = size
        self._entries = []
        self._lock = threading.Lock()

    def add(self, entry):
        with self._lock:
            self._entries.append(entry)
            del self._entries[:-self._size]

    def snapshot(self):
        with self._lock:
            return list(self._entries)

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __reduce__(self):
        return (_RootStarts, (self._size,))


class _Measure:
    """A probability measure given as a rule ``(nodes, weights)`` per level."""
    discrete = False
    start_level = 0
    max_level = 0

    def __init__(self):
        self._rules = _BoundedCache(RULE_CACHE_SIZE)
        self._floats = None
        self._float_rules_at = {}
        #: per precision, the lowest level that was enough last time
        self.level_hint = {}
        #: recent roots of the κ equation (:func:`~rmtheory.numeric.fixed_point.solve_kappa`)
        self.kappa_starts = _RootStarts()

    def rule(self, level):
        """``(nodes, weights)`` as tuples of mpf at the current precision.

        Kept per context as well as per precision: an mpf of another
        context would round every product it is the left operand of at
        that context's precision."""
        def make():
            nodes, weights = self._make_rule(level)
            return tuple(nodes), tuple(weights)
        return self._rules.get((context_key(), mp.prec, level), make)

    def float_rule(self):
        """A rule in floats, for the double-precision warm starts."""
        if self._floats is None:
            # lists of Python floats: the warm starts loop over them in Python
            nodes, weights = self.float_rule_at(self.float_level())
            self._floats = (nodes.tolist(), weights.tolist())
        return self._floats

    def float_level(self):
        return self.start_level

    def float_rule_at(self, level):
        """The rule of ``level`` as read-only float64 arrays ``(nodes, weights)``.

        For the float64 path (:mod:`rmtheory.numeric.fast`), which chooses
        the level itself: the same rule family as :meth:`rule`, built once
        per level at 60 bits and kept on the measure (at most
        ``max_level + 1`` entries; a discrete measure has the one level 0).
        """
        import numpy as np
        level = 0 if self.discrete else level
        if not 0 <= level <= self.max_level:
            raise ValueError(f"level must be in [0, {self.max_level}], received {level}")
        cache = self._float_rules_at
        if level not in cache:
            with private_context(), mp.workprec(60):   # never mpmath.mp's precision
                rule = self.rule(level)
                arrays = tuple(np.array([float(x) for x in part]) for part in rule)
            for array in arrays:
                array.setflags(write=False)
            cache[level] = arrays
        return cache[level]

    def hint(self, key):
        """Level to start from for integrals of kind ``key`` at this precision."""
        return self.level_hint.get((key, mp.prec), self.start_level)

    def record(self, key, level):
        """Remember that ``level`` was enough for an integral of kind ``key``."""
        if level > self.level_hint.get((key, mp.prec), self.start_level):
            self.level_hint[(key, mp.prec)] = level

    #: the family of closed-form resolvent moments in :func:`_moment_forms`
    #: (``"ar1"``, ``"uniform"``), or ``None``
    moment_family = None

    def closed_integrals(self, k, names):
        r"""Integrals against the measure at a real ``κ = k > 0`` in closed
        form, or ``None`` when the measure has none (then integrate).

        ``names`` are integrands of :func:`_moment_forms` (``"i1"``,
        ``"i1_k"``, ``"i2"``, ``"jb"``, ``"jb_k"``, ``"i2_k"``: the
        integrands of :mod:`rmtheory.symbolic.general` and their
        ``κ``-derivatives), each a combination of the resolvent moments

        .. math:: M_j(\kappa) = \int \frac{d\mu(s)}{(s+\kappa)^j}, \qquad j = 1, 2, 3,

        which have closed forms for the measure's family. The combinations
        cancel (``I_2 = 1 − 2κM_1 + κ²M_2`` when ``κ ≫ supp μ``, ``M_1 =
        (1 − I_1)/κ`` of AR(1) when ``κ → 0``), so each value is computed at
        two precisions 32 bits apart, with guard bits doubled until the two
        agree to the working precision (rounding errors scale with the
        precision; the formulas are exact): relative-accurate at ``mp.prec``.
        """
        if self.moment_family is None:
            return None
        forms = _moment_lambdas()
        moments, target = getattr(forms, self.moment_family), mp.prec
        extra = GUARD_BITS + 8
        for _ in range(6):
            values = []
            for bits in (extra, extra + 32):
                with mp.workprec(target + bits):
                    a, b = self.support()
                    kk = +k
                    m = moments(kk, a, b)
                    values.append([getattr(forms, name)(kk, *m) for name in names])
            low, high = values
            if all(abs(x - y) <= mp.ldexp(abs(y), -target - 2) for x, y in zip(low, high)):
                return tuple(+y for y in high)
            extra *= 2
        return None

    def transform_sums(self, k):
        r"""``(I_1, I_2)`` at a complex ``κ = k`` off the cut ``−supp μ``, in
        closed form, or ``None`` when the measure has none (the default).

        .. math::

            I_1(\kappa) = \int \frac{s}{s+\kappa}\,d\mu(s), \qquad
            I_2(\kappa) = \int \frac{s^2}{(s+\kappa)^2}\,d\mu(s).

        Values at the ambient precision: ``mpf`` for a real ``k``, else
        ``mpc``. A ``k`` on the cut is a ``ValueError``.
        """
        return None


class _Atoms(_Measure):
    """``Σ_j h_j δ_{s_j}``; ``maker()`` returns raw (locations, weights) as mpf
    at the current precision. Weights are normalised to sum to 1 at the
    working precision and zero weights are dropped."""
    discrete = True

    def __init__(self, maker):
        super().__init__()
        self._maker = maker

    def _make_rule(self, level):
        locs, weights = self._maker()
        total = mp.fsum(weights)
        pairs = sorted((x, w / total) for x, w in zip(locs, weights) if w != 0)
        merged = {}
        for x, w in pairs:                     # equal locations become one atom
            merged[x] = merged.get(x, 0) + w
        return list(merged), list(merged.values())

    def support(self):
        nodes = self.rule(0)[0]
        return nodes[0], nodes[-1]

    def transform_sums(self, k):
        r"""``(I_1, I_2)`` as the finite sums over the atoms (the rule of
        level 0, as :func:`integrate` uses), with guard bits:
        ``I_1 = Σ_j h_j s_j/(s_j+κ)``, ``I_2 = Σ_j h_j s_j²/(s_j+κ)²``."""
        k = _kappa_input(k)
        nodes, weights = self.rule(0)
        if k.imag == 0 and any(k.real == -x for x in nodes):
            raise ValueError(f"kappa must not be minus an atom of the measure, received "
                             f"{mp.nstr(k, 17)}")
        with mp.extraprec(GUARD_BITS):
            kk = k.real if k.imag == 0 else k
            ratios = [x / (x + kk) for x in nodes]
            i1 = mp.fdot(weights, ratios)
            i2 = mp.fdot(weights, [r * r for r in ratios])
        return +i1, +i2


class _AR1(_Measure):
    r"""Law of ``f(θ) = (1−ρ²)/(1−2ρ cos θ+ρ²)``, ``θ ~ U(0, π)``.

    Quadrature over the angle after the Möbius change of variable
    ``tan(θ/2) = k tan(ψ/2)``, ``k = (1−|ρ|)/(1+|ρ|)``, under which

    .. math::

        f = F(\psi) = \frac{\cos^2(\psi/2)}{k} + k\sin^2(\psi/2), \qquad
        d\theta = \frac{d\psi}{F(\psi)}, \qquad
        \int g\,dH = \frac1\pi\int_0^\pi \frac{g(F(\psi))}{F(\psi)}\,d\psi .

    The integrand is even and ``2π``-periodic in ``ψ``, so the trapezoidal
    rule (``16·2^L`` intervals) converges geometrically; unlike ``θ``, the
    variable ``ψ`` spreads the sharp peak of ``f`` at ``θ = 0`` (``ρ → 1``)
    over the whole period, which keeps integrands with a pole close to
    ``supp H`` (``m(x + i0)`` inside the bulk) resolvable.
    """
    start_level = 1
    max_level = 11
    moment_family = "ar1"

    def __init__(self, rho):
        super().__init__()
        self._rho = rho

    def _make_rule(self, level):
        rho = abs(to_mpf("rho", self._rho))
        k = (1 - rho) / (1 + rho)
        count = 16 * 2**level
        nodes, weights = [], []
        for j in range(count + 1):
            u = mp.mpf(j) / (2 * count)           # ψ/(2π)
            s = mp.cospi(u)**2 / k + k * mp.sinpi(u)**2
            nodes.append(s)
            weights.append(1 / (count * s) if 0 < j < count else 1 / (2 * count * s))
        return nodes, weights

    def support(self):
        rho = abs(to_mpf("rho", self._rho))
        return (1 - rho) / (1 + rho), (1 + rho) / (1 - rho)

    def transform_sums(self, k):
        r"""``(I_1, I_2)`` in closed form. With ``A = 1−ρ²+κ(1+ρ²)``,
        ``B = 2κρ``, ``1/(s+κ) = (1 − (1−ρ²)/(A − B cos θ))/κ`` and
        ``(1/π)∫_0^π dθ/(A − B cos θ) = 1/√(A²−B²)``, where
        ``A² − B² = (1−ρ²)²(κ+a)(κ+b)`` on the support ``[a, b]``
        (``ab = 1``); so

        .. math::

            I_1 = 1 - \kappa\int\frac{d\mu}{s+\kappa}
                = \frac{1}{\sqrt{\kappa+a}\,\sqrt{\kappa+b}}, \qquad
            I_2 = I_1 + \kappa I_1' =
                \frac{2ab + (a+b)\kappa}{2(\kappa+a)^{3/2}(\kappa+b)^{3/2}},

        with principal roots and powers, whose only cut is ``[−b, −a]``.
        Both are products and quotients (no cancellation at large ``|κ|``);
        ``I_2`` is derived with SymPy (:func:`_transform_lambdas`).
        """
        k = _kappa_input(k)
        with mp.extraprec(GUARD_BITS + _edge_bits(k, *self.support())):
            a, b = self.support()
            _check_off_cut(k, a, b)
            forms = _transform_lambdas()
            kk = k.real if k.imag == 0 and k.real > -a else k
            i1, i2 = forms["ar1_I1"](kk, a, b), forms["ar1_I2"](kk, a, b)
        return _real_if(k, +i1), _real_if(k, +i2)


def _legendre_fixed(x, n, bits):
    """``(P_n(x), P_{n−1}(x))`` in fixed point: ``x`` and the results are
    integers scaled by ``2^bits`` (Bonnet's three-term recurrence)."""
    previous, current = 1 << bits, x
    for k in range(2, n + 1):
        previous, current = current, ((2 * k - 1) * ((x * current) >> bits)
                                      - (k - 1) * previous) // k
    return current, previous


def _legendre_slope_fixed(x, n, bits):
    """``(P_n(x), P_n'(x))`` in fixed point, ``P_n' = n(x P_n − P_{n−1})/(x² − 1)``."""
    pn, pn1 = _legendre_fixed(x, n, bits)
    x2m1 = ((x * x) >> bits) - (1 << bits)
    return pn, ((n * (((x * pn) >> bits) - pn1)) << bits) // x2m1


def _gl_standard(n):
    r"""``n``-point Gauss–Legendre nodes and weights on ``[−1, 1]`` at the
    working precision.

    Newton's method on ``P_n`` from NumPy's float64 nodes, the precision
    doubling at each step (quadratic convergence) and one last step at the
    full precision, in integer fixed point; weights
    ``2/((1 − x²) P_n'(x)²)``. This costs ``O(n² log prec)``:
    ``mp.gauss_quadrature`` solves an eigenproblem, ``O(n³)`` at the full
    precision — 20 minutes for the 666 nodes of 1000 digits, against
    seconds here.
    """
    import numpy as np
    target = mp.prec + 32
    positive = [float(v) for v in np.polynomial.legendre.leggauss(n)[0] if v > 0]
    schedule, bits = [], target
    while bits > 100:
        schedule.append(bits)
        bits = bits // 2 + 16
    schedule = [bits] + schedule[::-1] + [target]
    fixed, scale = [int(v * 2**53) for v in positive], 53
    for bits in schedule:
        fixed = [x << (bits - scale) for x in fixed]
        scale = bits
        stepped = []
        for x in fixed:
            pn, dpn = _legendre_slope_fixed(x, n, bits)
            stepped.append(x - (pn << bits) // dpn)
        fixed = stepped
    nodes, weights = [], []
    for x in fixed:
        _, dpn = _legendre_slope_fixed(x, n, target)
        node, slope = mp.mpf((x, -target)), mp.mpf((dpn, -target))
        nodes.append(node)
        weights.append(2 / ((1 - node**2) * slope**2))
    middle_x, middle_w = [], []
    if n % 2:                                   # the root at 0: P_n'(0) = n P_{n−1}(0)
        _, pn1 = _legendre_fixed(0, n, target)
        middle_x, middle_w = [mp.zero], [2 / (n * mp.mpf((pn1, -target)))**2]
    xs = [-v for v in reversed(nodes)] + middle_x + nodes
    ws = weights[::-1] + middle_w + weights
    return [+v for v in xs], [+v for v in ws]


class _UniformGL(_Measure):
    """``U[a, b]``: composite Gauss–Legendre on ``2^(L+1)`` equal panels, the
    two end panels graded geometrically (``L`` halvings) so that integrands
    nearly singular just outside ``[a, b]`` (the support edges) stay
    resolvable. A panel next to a pole at a distance comparable to its
    width converges like ``5.8^(−2n)``, so the number ``n`` of points per
    panel grows with the precision (``n = max(20, prec/5)``)."""
    start_level = 0
    max_level = 9
    moment_family = "uniform"

    def __init__(self, a, b):
        super().__init__()
        self._a, self._b = a, b

    def _make_rule(self, level):
        a, b = to_mpf("a", self._a), to_mpf("b", self._b)
        _check_width(a, b)
        x, w = self._rules.get((context_key(), mp.prec, "standard"),
                               lambda: _gl_standard(max(20, mp.prec // 5 + 1)))
        panels = 2**(level + 1)
        h = (b - a) / panels
        ends = [h * mp.ldexp(1, -j) for j in range(level, 0, -1)]       # h/2^L, ..., h/2
        cuts = [a] + [a + e for e in ends] + [a + k * h for k in range(1, panels)] \
            + [b - e for e in reversed(ends)] + [b]
        nodes, weights = [], []
        for lo, hi in zip(cuts, cuts[1:]):
            mid, half = (lo + hi) / 2, (hi - lo) / 2
            nodes += [mid + xi * half for xi in x]
            weights += [wi * half / (b - a) for wi in w]
        return nodes, weights

    def support(self):
        return to_mpf("a", self._a), to_mpf("b", self._b)

    def transform_sums(self, k):
        r"""``(I_1, I_2)`` in closed form, from

        .. math::

            M_1 = \int\frac{d\mu}{s+\kappa}
                = \frac{1}{b-a}\log\frac{b+\kappa}{a+\kappa}, \qquad
            M_2 = -M_1' = \frac{1}{(a+\kappa)(b+\kappa)},

            I_1 = 1 - \kappa M_1, \qquad I_2 = 1 - 2\kappa M_1 + \kappa^2 M_2,

        the principal log taken as ``log1p((b−a)/(a+κ))`` (the same branch,
        cut exactly ``[−b, −a]``, and relative-accurate when
        ``|κ| ≫ b``). The sums cancel when ``|κ| ≫ b`` (``I_1 ≈ E s/κ``,
        ``I_2 ≈ E s²/κ²``): the bits lost are measured from the sizes of
        the terms and the evaluation is repeated with that many extra
        bits, so the results are relative-accurate at the working precision.
        """
        k = _kappa_input(k)
        edge = _edge_bits(k, *self.support())
        extra = GUARD_BITS + edge
        forms = _transform_lambdas()
        for _ in range(4):
            with mp.extraprec(extra):
                a, b = self.support()
                _check_width(a, b)
                _check_off_cut(k, a, b)
                kk = k.real if k.imag == 0 and k.real > -a else k
                m1, m2 = forms["uniform_M1"](kk, a, b), forms["uniform_M2"](kk, a, b)
                i1, i2 = forms["I1"](kk, m1), forms["I2"](kk, m1, m2)
                scale = max(1, abs(kk * m1), abs(kk * kk * m2))
                lost = max(mp.mag(scale) - mp.mag(i1), mp.mag(scale) - mp.mag(i2), 0)
            if lost <= extra - GUARD_BITS - edge:
                return _real_if(k, +i1), _real_if(k, +i2)
            extra = GUARD_BITS + edge + lost + 8
        raise NoConvergence(f"the closed-form sums of U[a, b] at kappa = {mp.nstr(k, 10)}",
                            mp.ldexp(1, lost), mp.ldexp(1, extra - GUARD_BITS),
                            "kappa is (nearly) a zero of I_1 or I_2 or too close to the cut")


def _kappa_input(k):
    """``k`` as an mpc at the working precision (read once, at the boundary)."""
    return to_mpc("kappa", k)


def _edge_bits(k, a, b):
    """Bits that ``κ + a`` and ``κ + b`` lose to cancellation near the ends of
    the cut: the support's ends are rounded, and their error is magnified
    by ``|a|/|κ+a|`` (resp. ``b``) in every closed form."""
    return max(0, *(mp.mag(end) - mp.mag(k + end) for end in (a, b) if k + end != 0))


def _check_off_cut(k, a, b):
    """``ValueError`` for ``κ`` on the cut ``[−b, −a]`` of the transforms."""
    if k.imag == 0 and -b <= k.real <= -a:
        raise ValueError(f"kappa must lie off the cut [-b, -a] = [{mp.nstr(-b, 10)}, "
                         f"{mp.nstr(-a, 10)}] of the spectral transforms, received "
                         f"{mp.nstr(k, 17)}")


def _real_if(k, value):
    """The real part for a real ``κ`` off the cut (the transform is real
    there), else ``value`` as it is."""
    if k.imag == 0:
        return mp.mpf(value.real) if hasattr(value, "imag") else value
    return mp.mpc(value)


_TRANSFORM_LAMBDAS = {}
_TRANSFORM_LOCK = threading.Lock()


def _transform_lambdas():
    r"""Lambdified closed forms of ``I_1, I_2`` (built once per process).

    * ``I1``, ``I2`` — ``I_1, I_2`` in ``κ`` and the resolvent moments
      ``M_1 = ∫dμ/(s+κ)``, ``M_2 = ∫dμ/(s+κ)²``, from the partial fractions
      in ``s`` of the integrands of :mod:`rmtheory.symbolic.general`;
    * ``ar1_I1``, ``ar1_I2`` — the AR(1) law: ``I_1 = 1/(√(κ+a)√(κ+b))``
      and ``I_2 = 1 − 2κM_1 − κ²M_1'`` with ``M_1 = (1 − I_1)/κ``,
      differentiated and factored here (``κ`` a complex symbol, so that
      SymPy keeps the product of principal roots);
    * ``uniform_M1``, ``uniform_M2`` — ``U[a, b]``: the log of the ratio as
      ``log1p`` of ``(b+κ)/(a+κ) − 1``, and ``M_2 = −dM_1/dκ``.
    """
    with _TRANSFORM_LOCK:
        if _TRANSFORM_LAMBDAS:
            return _TRANSFORM_LAMBDAS
        from sympy.codegen.cfunctions import log1p
        from ..symbolic.general import df2_integrand, fixed_point_integrand
        from ..symbolic.symbols import kappa as kappa_positive, s
        k = sp.Symbol("kappa")                           # complex
        a, b = sp.symbols("a b", positive=True)
        M1, M2 = sp.symbols("M_1 M_2")

        def in_moments(integrand):
            split = sp.apart(integrand.subs(kappa_positive, k), s)
            value = split.subs({(s + k)**-2: M2}).subs({(s + k)**-1: M1})
            if s in value.free_symbols:            # the integrand is not in 1/(s+κ)
                raise ArithmeticError(f"no resolvent-moment form of {integrand}: {value}")
            return sp.expand(value)
        I1, I2 = in_moments(fixed_point_integrand), in_moments(df2_integrand)

        ar1_I1 = 1 / (sp.sqrt(k + a) * sp.sqrt(k + b))
        ar1_M1 = (1 - ar1_I1) / k
        ar1_I2 = sp.factor(I2.subs({M1: ar1_M1, M2: -sp.diff(ar1_M1, k)}))

        uniform_M1 = sp.log((b + k) / (a + k)) / (b - a)
        uniform_M2 = sp.factor(-sp.diff(uniform_M1, k))
        uniform_M1 = uniform_M1.replace(sp.log, lambda arg: log1p(sp.cancel(arg - 1)))

        built = dict(I1=((k, M1), I1), I2=((k, M1, M2), I2),
                     ar1_I1=((k, a, b), ar1_I1), ar1_I2=((k, a, b), ar1_I2),
                     uniform_M1=((k, a, b), uniform_M1), uniform_M2=((k, a, b), uniform_M2))
        # evaluated in the active (private) context, not mpmath.mp's
        _TRANSFORM_LAMBDAS.update({name: contextual(sp.lambdify(args, expr, modules="mpmath"))
                                   for name, (args, expr) in built.items()})
        _TRANSFORM_LAMBDAS["expressions"] = {name: expr for name, (_, expr) in built.items()}
        return _TRANSFORM_LAMBDAS


#: the integrands of :meth:`_Measure.closed_integrals`, by name
MOMENT_INTEGRANDS = ("i1", "i1_k", "i2", "jb", "jb_k", "i2_k")


@disk_cached
def _moment_forms() -> dict:
    r"""The integrands of :mod:`rmtheory.symbolic.general` in resolvent
    moments, and the moments of the AR(1) and uniform laws (SymPy trees).

    * ``i1, i1_k, i2, jb, jb_k, i2_k`` — ``s/(s+κ)``, its ``κ``-derivative,
      ``s²/(s+κ)²``, ``s/(s+κ)²`` and the ``κ``-derivatives of the last two,
      as ``((κ, M₁, M₂, M₃), form)``: partial fractions in ``s``, each
      ``(s+κ)^{-j}`` integrating to ``M_j``;
    * ``ar1``, ``uniform`` — ``((κ, a, b), (M₁, M₂, M₃))`` on the support
      ``[a, b]``: ``M₁`` of :meth:`_AR1.transform_sums` (``M₁ = (1 − I₁)/κ``,
      ``I₁ = 1/(√(κ+a)√(κ+b))``) and of :meth:`_UniformGL.transform_sums`
      (``log((b+κ)/(a+κ))/(b−a)``, as ``log1p``), ``M₂ = −M₁'``,
      ``M₃ = M₁''/2``, differentiated here.

    SymPy's ``apart`` and ``diff`` take a while: the result is kept in the
    derivation cache, keyed by this module's source.
    """
    from sympy.codegen.cfunctions import log1p
    from ..symbolic import general
    from ..symbolic.symbols import kappa as kappa_positive, s
    k = sp.Symbol("kappa", positive=True)
    a, b = sp.symbols("a b", positive=True)
    M1, M2, M3 = sp.symbols("M_1 M_2 M_3")

    def in_moments(integrand):
        split = sp.apart(sp.together(integrand.subs(kappa_positive, k)), s)
        # xreplace: exact subtrees (subs would match (s+κ)^-1 as (M₃)^(1/3))
        value = split.xreplace({(s + k)**-3: M3, (s + k)**-2: M2, (s + k)**-1: M1})
        if s in value.free_symbols:                # pragma: no cover - guards the derivation
            raise ArithmeticError(f"no resolvent-moment form of {integrand}: {value}")
        return sp.expand(value)
    fp = general.fixed_point_integrand
    integrands = dict(i1=fp, i1_k=sp.diff(fp, kappa_positive), i2=general.df2_integrand,
                      jb=general.bias_integrand, jb_k=general.bias_integrand_dkappa,
                      i2_k=general.df2_integrand_dkappa)
    forms = {name: ((k, M1, M2, M3), in_moments(expr)) for name, expr in integrands.items()}
    ar1_M1 = (1 - 1 / (sp.sqrt(k + a) * sp.sqrt(k + b))) / k
    uniform_M1 = sp.log((b + k) / (a + k)) / (b - a)
    for name, m1 in (("ar1", ar1_M1), ("uniform", uniform_M1)):
        m2, m3 = -sp.diff(m1, k), sp.diff(m1, k, 2) / 2
        if name == "uniform":
            m2, m3 = sp.factor(m2), sp.factor(m3)
            m1 = m1.replace(sp.log, lambda arg: log1p(sp.cancel(arg - 1)))
        forms[name] = ((k, a, b), (m1, m2, m3))
    return forms


def _moment_builder(name):
    def build():
        args, expr = _moment_forms()[name]
        return sp.lambdify(args, expr, modules="mpmath", cse=True)
    return build


_MOMENT_LAMBDAS = None


def _moment_lambdas():
    """:func:`_moment_forms` lambdified, each on first use (context-aware)."""
    global _MOMENT_LAMBDAS
    if _MOMENT_LAMBDAS is None:
        from .compiled import _Lazy
        names = MOMENT_INTEGRANDS + ("ar1", "uniform")
        _MOMENT_LAMBDAS = _Lazy("resolvent moments", {n: _moment_builder(n) for n in names},
                                contextual)
    return _MOMENT_LAMBDAS


def _check_width(a, b):
    """``[a, b]`` must be wider than a few units in the last place of ``b`` at
    the working precision, or its panels would have width 0."""
    if not b - a > mp.ldexp(abs(b), 8 - mp.prec):
        raise ValueError(f"b - a must be resolvable at the working precision: [a, b] = "
                         f"[{mp.nstr(a, 10)}, {mp.nstr(b, 10)}] is narrower than 2^-"
                         f"{mp.prec - 8} relative; widen the interval, raise dps, or use "
                         f"an atom (spectrum='discrete')")


def _density_value(density, x, name):
    """``density(x)`` as an mpf; a value that is not a real number is a
    ``TypeError`` naming the density (not mpmath's "cannot create mpf")."""
    raw = density(x)
    if isinstance(raw, (bool, str, bytes)) or raw is None:
        raise TypeError(f"{name} must return a real number, received {type(raw).__name__} "
                        f"{raw!r} at s = {mp.nstr(x, 8)}")
    try:
        return mp.mpf(raw)
    except (TypeError, ValueError):
        pass
    try:                       # SymPy and NumPy reals
        return mp.mpf(float(raw))
    except (TypeError, ValueError):
        raise TypeError(f"{name} must return a real number, received {type(raw).__name__} "
                        f"{raw!r} at s = {mp.nstr(x, 8)}") from None


class _DensityTS(_Measure):
    """``ρ(s) ds`` on ``[a, b]`` by tanh–sinh with step ``2^−L``; normalised to
    mass 1 at the working precision (the constructor checked ``∫ρ ≈ 1``)."""
    start_level = 3
    max_level = 12

    def __init__(self, density, a, b, name="density"):
        super().__init__()
        self._density, self._a, self._b, self._name = density, a, b, name
        self._mass = _BoundedCache(RULE_CACHE_SIZE)

    def _raw_rule(self, level):
        def make():
            target = mp.prec
            with mp.workprec(2 * target + 20):
                nodes, weights = self._raw_nodes(level, target)
            return tuple(+x for x in nodes), tuple(+w for w in weights)
        return self._rules.get((context_key(), mp.prec, "raw", level), make)

    def _raw_nodes(self, level, target):
        # at twice the precision, so that an integrable endpoint singularity
        # loses only the mass within 2^(−2·prec) of the end, not 2^(−prec)
        a, b = to_mpf("a", self._a), to_mpf("b", self._b)
        _check_width(a, b)
        h = mp.ldexp(1, -level)
        half, tiny = (b - a) / 2, mp.ldexp(b - a, -2 * target - 20)
        nodes, weights = [], []
        k, total = 0, mp.zero
        while True:
            t = k * h
            u = mp.pi / 2 * mp.sinh(t)
            weight = h * half * (mp.pi / 2) * mp.cosh(t) / mp.cosh(u)**2
            gap = (b - a) / (1 + mp.exp(2 * u))     # distance of the node to the end
            largest, inside = mp.zero, False
            for x in ([b - gap] if k == 0 else [b - gap, a + gap]):
                if a < x < b:
                    value = _density_value(self._density, x, self._name)
                    if not mp.isfinite(value) or value < 0:
                        raise ValueError(f"{self._name} must be finite and >= 0 on (a, b), "
                                         f"received {value} at s = {mp.nstr(x, 8)}")
                    nodes.append(x)
                    weights.append(weight * value)
                    largest, inside = max(largest, weight * value), True
            total += largest
            # stop once the tails are negligible, or the nodes merge with the ends
            if not inside or (weight < tiny and largest <= mp.ldexp(total, -2 * target - 10)):
                break
            k += 1
        return nodes, weights

    def mass(self):
        """``∫ρ`` on ``[a, b]`` at the current precision (levels must agree)."""
        return self._mass.get((context_key(), mp.prec), self._integrate_mass)

    def _integrate_mass(self):
        previous = None
        for level in range(self.start_level, self.max_level + 1):
            value = mp.fsum(self._raw_rule(level)[1])
            tol = mp.ldexp(abs(value), 6 + GUARD_BITS - mp.prec)
            diff = mp.inf if previous is None else abs(value - previous)
            if diff <= tol:
                break
            previous = value
        else:
            raise NoConvergence(f"the integral of {self._name} over [a, b]", diff, tol,
                                "check that the density is integrable and smooth inside (a, b)")
        return value

    def _make_rule(self, level):
        nodes, weights = self._raw_rule(level)
        total = self.mass()
        return nodes, [w / total for w in weights]

    def support(self):
        return to_mpf("a", self._a), to_mpf("b", self._b)


# --------------------------------------------------------------------------
# closed forms for H = δ_c
# --------------------------------------------------------------------------

_MP_LAMBDAS = {}


def _mp_lambdas():
    """Lambdified isotropic closed forms of :mod:`rmtheory.symbolic` (lazily:
    deriving them takes a few seconds once per process)."""
    if not _MP_LAMBDAS:
        from ..symbolic import formula
        from ..symbolic.isotropic import derive_isotropic
        from ..symbolic.symbols import gamma, m, z
        quadratic = sp.Poly(derive_isotropic().mp_quadratic, m)
        a2, _, a0 = quadratic.all_coeffs()
        built = dict(
            kappa=formula("isotropic_kappa").lambdify(),
            m=formula("mp_stieltjes").lambdify(),
            edges=formula("mp_edges").lambdify(),
            density=formula("mp_density").lambdify(),
            root_product=sp.lambdify((z, gamma), a0 / a2, modules="mpmath"),
        )
        # evaluated in the active (private) context, not mpmath.mp's
        _MP_LAMBDAS.update({k: contextual(f) for k, f in built.items()})
    return _MP_LAMBDAS


class MarchenkoPasturForms:
    r"""Closed forms for ``H = δ_c``, from the isotropic ones by scaling.

    With ``H = δ_c`` the limit law of ``XᵀX/n`` is ``c`` times the
    Marchenko–Pastur law, so

    .. math::

        \kappa_c(\lambda) = c\,\kappa_1(\lambda/c), \qquad
        m_c(z) = m_1(z/c)/c, \qquad f_c(x) = f_1(x/c)/c.

    ``stieltjes_roots`` returns both roots of the Marchenko–Pastur
    quadratic (the closed form takes the principal square root, which is
    the physical branch only on part of the plane); the solver picks the
    physical one and verifies it.
    """

    def __init__(self, scale):
        self._scale = scale

    def scale(self):
        return self._scale()

    def kappa(self, lam, gamma):
        c = self.scale()
        return c * _mp_lambdas()["kappa"](lam / c, gamma)

    def stieltjes_roots(self, z, gamma):
        c = self.scale()
        f = _mp_lambdas()
        m1 = f["m"](z / c, gamma)
        m2 = f["root_product"](z / c, gamma) / m1 if m1 != 0 else m1
        return m1 / c, m2 / c

    def edges(self, gamma):
        c = self.scale()
        lo, hi = _mp_lambdas()["edges"](gamma)
        return c * lo, c * hi

    def density(self, x, gamma):
        c = self.scale()
        lo, hi = self.edges(gamma)
        if not lo < x < hi:
            return mp.zero
        return mp.re(_mp_lambdas()["density"](x / c, gamma)) / c


# --------------------------------------------------------------------------
# the Spectrum object
# --------------------------------------------------------------------------

class FrozenParams(dict):
    """The parameters of a :class:`Spectrum`: a ``dict`` that refuses changes.

    Examples
    --------
    >>> p = FrozenParams(rho=0.5)
    >>> p["rho"] = 0.9
    Traceback (most recent call last):
    ...
    TypeError: the parameters of a Spectrum cannot be changed (it may be shared); build a new Spectrum instead
    """
    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        # filled here, once: __init__ (which a caller could call again) does nothing
        self = super().__new__(cls)
        dict.__init__(self, *args, **kwargs)
        return self

    def __init__(self, *args, **kwargs):
        pass

    def _refuse(self, *args, **kwargs):
        raise TypeError("the parameters of a Spectrum cannot be changed (it may be "
                        "shared); build a new Spectrum instead")
    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __reduce__(self):
        return (FrozenParams, (dict(self),))


class Spectrum:
    r"""A population spectrum ``H`` with its signal measure ``G``.

    Build one with :func:`make_spectrum` (named models of SPEC §3) or the
    class methods :meth:`from_atoms`, :meth:`from_density`,
    :meth:`from_sample`.

    Attributes
    ----------
    name : str
        Model name (``"isotropic"``, ``"ar1"``, ..., ``"atoms"``,
        ``"density"``, ``"sample"``).
    params : dict
        The parameters used, defaults filled in.
    closed_forms : MarchenkoPasturForms or None
        Closed forms when ``H`` is a single atom.

    Notes
    -----
    Integrals are taken at the ambient precision:

    .. math::

        \int f\,dH, \qquad \int f\,dG, \qquad
        G = H \text{ unless the model specifies the signal.}

    Examples
    --------
    >>> from mpmath import mp
    >>> from rmtheory.numeric import Spectrum
    >>> spec = Spectrum.from_atoms([1, 10, 100], [0.5, 0.3, 0.2])
    >>> with mp.workdps(20):
    ...     print(spec.integrate_H(lambda s: s), spec.support)
    23.5 (mpf('1.0'), mpf('100.0'))
    """

    __slots__ = ("name", "params", "_H", "_G", "closed_forms")

    def __init__(self, name, params, H, G=None, closed_forms=None):
        try:
            object.__getattribute__(self, "name")
        except AttributeError:
            pass
        else:
            raise AttributeError("a Spectrum is immutable: it cannot be initialised again")
        # immutable: make_spectrum hands the same object to every caller
        # asking for the same model, so an edit would change their results
        for attr, value in (("name", name), ("params", FrozenParams(params)), ("_H", H),
                            ("_G", H if G is None else G), ("closed_forms", closed_forms)):
            object.__setattr__(self, attr, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"a Spectrum is immutable (it may be shared by other "
                             f"callers); build a new one instead of setting {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"a Spectrum is immutable; cannot delete {name!r}")

    def __reduce__(self):
        # (also what copy.copy and copy.deepcopy use: a deep copy gets its own
        # measures and empty caches, so a test may starve one privately)
        return (Spectrum, (self.name, dict(self.params), self._H, self._G, self.closed_forms))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Spectrum({self.name!r}{', ' if args else ''}{args})"

    # -- the interface ------------------------------------------------------
    @property
    def support(self):
        """``(lowest, highest)`` point of ``supp H`` as mpf."""
        return self._H.support()

    @property
    def atoms_H(self):
        """``[(location, weight), ...]`` of ``H`` if discrete, else ``None``."""
        return list(zip(*self._H.rule(0))) if self._H.discrete else None

    @property
    def atoms_G(self):
        """``[(location, weight), ...]`` of ``G`` if discrete, else ``None``."""
        return list(zip(*self._G.rule(0))) if self._G.discrete else None

    @property
    def signal_is_spectrum(self):
        """True when ``G = H`` (the random-effects case: signal spread like ``Σ``)."""
        if self._G is self._H:
            return True
        if self._H.discrete and self._G.discrete:
            return self._H.rule(0) == self._G.rule(0)
        return False

    @property
    def is_discrete(self):
        """True when both ``H`` and ``G`` are finite sums of atoms."""
        return self._H.discrete and self._G.discrete

    def integrate_H(self, f):
        """``∫ f(s) dH(s)`` at the current precision.

        ``f`` maps an mpf to an mpf or mpc. For a continuous ``H`` the rule
        level rises until two consecutive levels agree to about the
        working precision (else :class:`~rmtheory.numeric.NoConvergence`).
        """
        return integrate(self._H, f)

    def integrate_G(self, f):
        """``∫ f(s) dG(s)`` at the current precision (see :meth:`integrate_H`)."""
        return integrate(self._G, f)

    # -- user-built spectra -------------------------------------------------
    @classmethod
    @private_context()
    def from_atoms(cls, eigs, weights=None, signal_weights=None):
        """``H = Σ weights_j δ_{eigs_j}``, ``G`` with ``signal_weights`` (default ``G = H``).

        ``weights`` default to equal weights. Weights must be ``>= 0`` and
        sum to 1 within a relative ``1e-12`` (they are renormalised at the
        working precision).

        Examples
        --------
        >>> from rmtheory.numeric import Spectrum
        >>> Spectrum.from_atoms([1, 2], [0.25, 0.75]).params["signal_weights"]
        (0.25, 0.75)
        """
        eigs = _check_sequence("eigs", eigs, low=0, low_open=True)
        if weights is None:
            weights = (1.0 / len(eigs),) * len(eigs)
        weights = _check_weights("weights", weights, len(eigs))
        signal = weights if signal_weights is None else \
            _check_weights("signal_weights", signal_weights, len(eigs))
        params = {"eigs": eigs, "weights": weights, "signal_weights": signal}
        return cls("atoms", params, *_atom_measures(eigs, weights, signal))

    @classmethod
    @private_context()
    def from_density(cls, density, a, b, signal_density=None):
        """``dH = density(s) ds`` on ``[a, b]``, ``0 < a < b`` (``G`` likewise).

        ``density`` maps an mpf to a real ``>= 0`` and must integrate to 1
        over ``[a, b]`` within ``1e-10`` (checked here by quadrature at
        20 digits); it is renormalised at the working precision. The
        support of ``H`` is taken to be ``[a, b]``.

        The density is called with numbers of rmtheory's private mpmath
        context (:mod:`rmtheory.numeric.context`): compute with their own
        arithmetic, or with the functions of ``rmtheory.numeric.context.mp``
        (``mp.sqrt``, ``mp.exp``, ...), which follow the working precision.
        Functions of the global ``mpmath.mp`` work at the *caller's*
        precision: the quadrature then cannot converge to the working
        precision, and the call raises (``NoConvergence`` or
        ``PrecisionError``) rather than return digits it did not earn.

        Examples
        --------
        >>> from mpmath import mp
        >>> from rmtheory.numeric import Spectrum
        >>> spec = Spectrum.from_density(lambda s: 2 * (s - 1), 1, 2)
        >>> with mp.workdps(25):
        ...     print(mp.nstr(spec.integrate_H(lambda s: s), 20))   # 5/3
        1.6666666666666666667
        """
        a = check_real("a", a, low=0, low_open=True)
        b = check_real("b", b, low=0, low_open=True)
        if not b > a:
            raise ValueError(f"b must be > a = {a}, received {b}")
        H = _check_density("density", density, a, b)
        G = H if signal_density is None else _check_density("signal_density", signal_density, a, b)
        params = {"density": density, "a": a, "b": b, "signal_density": signal_density}
        return cls("density", params, H, G)

    @classmethod
    @private_context()
    def from_sample(cls, eigenvalues):
        """``H`` = the empirical law of ``eigenvalues`` (equal weights), ``G = H``.

        Examples
        --------
        >>> from rmtheory.numeric import Spectrum
        >>> Spectrum.from_sample([1.0, 2.0, 2.0, 5.0]).atoms_H[1]
        (mpf('2.0'), mpf('0.5'))
        """
        values = _check_sequence("eigenvalues", eigenvalues, low=0, low_open=True)
        counts = Counter(values)
        n = len(values)

        def maker():
            keys = list(counts)
            return ([to_mpf("eigenvalues", x) for x in keys],
                    [mp.mpf(counts[x]) / n for x in keys])
        H = _Atoms(maker)
        return cls("sample", {"eigenvalues": values}, H)

    @classmethod
    def from_covariance(cls, Sigma, beta, *, rtol=1e-9):
        r"""The realised pair ``(H_p, G_p)`` of a covariance and a truth.

        ``H_p`` puts mass ``1/p`` on each eigenvalue ``s_i`` of ``Σ`` and
        ``G_p`` mass ``(u_iᵀβ)²/‖β‖²`` on it (``u_i`` its eigenvectors):

        .. math::

            H_p = \frac1p\sum_{i=1}^p \delta_{s_i}, \qquad
            G_p = \sum_{i=1}^p \frac{(u_i^\top\beta)^2}{\|\beta\|^2}\,\delta_{s_i},

        the measures of SPEC §3 for a finite ``p`` (the deterministic
        equivalent evaluates the limit theory on them). Eigenvalues within
        ``rtol`` relative of each other are one atom (their masses added),
        so ``Σ = I`` is one atom and a spiked ``Σ`` two.

        Parameters
        ----------
        Sigma : array_like
            ``(p, p)`` symmetric positive definite, or its ``p`` eigenvalues
            (a diagonal ``Σ`` in coordinate order, as ``β``).
        beta : array_like
            ``(p,)``, or ``(k, p)`` for ``k`` truths: ``G_p`` is then the mean
            of their measures weighted by ``‖β_j‖²`` (the signal measure of
            the mean risk over them, which is linear in ``G``).
        rtol : float
            Relative distance under which eigenvalues merge.

        Returns
        -------
        Spectrum
            Named ``"covariance"``, with ``params`` ``eigs``, ``weights``,
            ``signal_weights`` (floats) and ``beta_norm2`` (the mean
            ``‖β‖²``: the ``r2`` to pass with it).

        Raises
        ------
        ValueError
            Shapes that do not match, a ``Σ`` that is not symmetric
            positive definite, or ``β = 0``.

        Examples
        --------
        >>> import numpy as np
        >>> from rmtheory.numeric import Spectrum
        >>> spec = Spectrum.from_covariance(np.diag([1.0, 1.0, 4.0]), [0.0, 1.0, 1.0])
        >>> spec.params["eigs"], spec.params["weights"], spec.params["signal_weights"]
        ((1.0, 4.0), (0.6666666666666666, 0.3333333333333333), (0.5, 0.5))
        """
        import numpy as np
        S = np.asarray(Sigma, dtype=float)
        B = np.atleast_2d(np.asarray(beta, dtype=float))
        if B.ndim != 2:
            raise ValueError(f"beta must have shape (p,) or (k, p), received shape "
                             f"{np.shape(beta)}")
        p = B.shape[1]
        if S.ndim == 1:
            if S.shape != (p,):
                raise ValueError(f"Sigma must hold p = {p} eigenvalues (beta has p = {p}), "
                                 f"received shape {S.shape}")
            s, proj = S, B**2
        elif S.ndim == 2 and S.shape == (p, p):
            if not np.allclose(S, S.T, rtol=1e-12, atol=1e-12 * np.abs(S).max()):
                raise ValueError("Sigma must be symmetric")
            s, U = np.linalg.eigh(S)
            proj = (B @ U)**2
        else:
            raise ValueError(f"Sigma must be (p, p) or (p,) with p = {p} (the length of "
                             f"beta), received shape {S.shape}")
        if not np.all(np.isfinite(s)) or s.min() <= 0:
            raise ValueError(f"Sigma must be positive definite, received smallest eigenvalue "
                             f"{s.min()!r}")
        norms = proj.sum(axis=1)
        if not np.all(np.isfinite(norms)) or np.any(norms <= 0):
            raise ValueError("beta must be finite and non-zero")
        signal = proj.sum(axis=0) / norms.sum()
        order = np.argsort(s, kind="stable")
        s, signal = s[order], signal[order]
        eigs, weights, signals = [], [], []
        start = 0
        for i in range(1, p + 1):
            if i == p or s[i] > s[start] * (1 + rtol):
                eigs.append(float(np.mean(s[start:i])))
                weights.append((i - start) / p)
                signals.append(float(np.sum(signal[start:i])))
                start = i
        atoms = cls.from_atoms(eigs, weights, signals)
        params = dict(atoms.params, beta_norm2=float(norms.mean()))
        return cls("covariance", params, atoms._H, atoms._G)


# --------------------------------------------------------------------------
# integration with level control
# --------------------------------------------------------------------------

def integrate(measure, f, key="integral"):
    """``∫ f dμ`` for a measure of this module, with level control."""
    if measure.discrete:
        nodes, weights = measure.rule(0)
        return mp.fdot(weights, [f(x) for x in nodes])
    prec = mp.prec
    with mp.extraprec(GUARD_BITS):
        value = _integrate_levels(measure, f, key, prec)
    return +value


def _integrate_levels(measure, f, key, prec):
    level = measure.hint(key)
    nodes, weights = measure.rule(level)
    previous = mp.fdot(weights, [f(x) for x in nodes])
    while level < measure.max_level:
        level += 1
        nodes, weights = measure.rule(level)
        values = [f(x) for x in nodes]
        value = mp.fdot(weights, values)
        scale = mp.fdot(weights, [abs(y) for y in values])
        tol, diff = mp.ldexp(scale, 6 - prec), abs(value - previous)
        if diff <= tol:
            measure.record(key, level - 1)
            return value
        previous = value
    raise NoConvergence("quadrature against a continuous spectrum", diff, tol,
                        "the integrand is probably (nearly) singular on the support; "
                        "raise the working precision or smooth the integrand")


# --------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------

def _check_sequence(name, values, *, low=None, low_open=False, high=None):
    # a set or a mapping has no order to pair eigs with weights by
    if isinstance(values, (str, bytes, set, frozenset, Mapping)) \
            or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence of real numbers, "
                        f"received {type(values).__name__} {values!r}")
    out = []
    for i, value in enumerate(values):
        value = check_real(f"{name}[{i}]", value, low=low, low_open=low_open, high=high)
        if is_symbolic(value):
            raise TypeError(f"{name}[{i}] must be a number, received the symbolic {value}")
        out.append(value)
    if not out:
        raise ValueError(f"{name} must contain at least one value, received {values!r}")
    return tuple(out)


def _exact_sum(values):
    with mp.workdps(40):
        return mp.fsum(to_mpf("weights", v) for v in values)


def _check_weights(name, weights, length):
    weights = _check_sequence(name, weights, low=0)
    if len(weights) != length:
        raise ValueError(f"{name} must have the same length as eigs ({length}), "
                         f"received length {len(weights)}")
    total = _exact_sum(weights)
    if abs(total - 1) > WEIGHT_RTOL:
        raise ValueError(f"{name} must sum to 1 (relative tolerance {WEIGHT_RTOL}), "
                         f"received sum {mp.nstr(total, 17)}")
    return weights


def _check_density(name, density, a, b):
    if not callable(density):
        raise TypeError(f"{name} must be a callable s -> density, received "
                        f"{type(density).__name__} {density!r}")
    measure = _DensityTS(density, a, b, name)
    with mp.workdps(20):
        mass = measure.mass()
    if abs(mass - 1) > DENSITY_TOL:
        raise ValueError(f"{name} must integrate to 1 over [a, b] = [{a}, {b}] "
                         f"(tolerance {DENSITY_TOL}), received integral {mp.nstr(mass, 15)}")
    return measure


def _atom_measures(eigs, weights, signal):
    def h():
        return [to_mpf("eigs", x) for x in eigs], [to_mpf("weights", x) for x in weights]

    def g():
        return [to_mpf("eigs", x) for x in eigs], [to_mpf("signal_weights", x) for x in signal]
    H = _Atoms(h)
    return H, (H if signal is weights else _Atoms(g))


# --------------------------------------------------------------------------
# the named models
# --------------------------------------------------------------------------

def _isotropic():
    H = _Atoms(lambda: ([mp.one], [mp.one]))
    return Spectrum("isotropic", {}, H, closed_forms=MarchenkoPasturForms(lambda: mp.one))


def _discrete(eigs, weights, signal_weights):
    spec = Spectrum.from_atoms(eigs, weights, signal_weights)
    return Spectrum("discrete", spec.params, spec._H, spec._G)


def _random_effects(eigs, weights, law, given):
    if law is None:
        spec = Spectrum.from_atoms(eigs, weights)
        params = {"eigs": spec.params["eigs"], "weights": spec.params["weights"]}
        return Spectrum("random_effects", params, spec._H)
    clash = [k for k in ("eigs", "weights") if k in given]
    if clash:
        raise TypeError(f"random_effects takes either eigs/weights or law, not both: "
                        f"received law={law!r} and {clash[0]}")
    if isinstance(law, str):
        if law not in SPECTRUM_DEFAULTS:   # name the argument: law, not spectrum
            raise ValueError(f"law must be a Spectrum or one of {list(SPECTRUM_NAMES)}, "
                             f"received {law!r}")
        law = make_spectrum(law)
    if not isinstance(law, Spectrum):
        raise TypeError(f"law must be a Spectrum or a spectrum name, received "
                        f"{type(law).__name__} {law!r}")
    return Spectrum("random_effects", {"law": law}, law._H, closed_forms=law.closed_forms)


def _spiked(spikes, alignments):
    spikes = _check_sequence("spikes", spikes, low=0, low_open=True)
    alignments = _check_sequence("alignments", alignments, low=0, high=1)
    if len(alignments) != len(spikes):
        raise ValueError(f"alignments must have the same length as spikes ({len(spikes)}), "
                         f"received length {len(alignments)}")
    total = _exact_sum(alignments)
    if total > 1 + WEIGHT_RTOL:
        raise ValueError(f"alignments (squared cosines) must sum to at most 1, "
                         f"received sum {mp.nstr(total, 17)}")

    def g():
        alpha = [to_mpf("alignments", x) for x in alignments]
        rest = 1 - mp.fsum(alpha)
        rest = rest if rest > 0 else mp.zero
        return ([mp.one] + [1 + to_mpf("spikes", t) for t in spikes], [rest] + alpha)
    H = _Atoms(lambda: ([mp.one], [mp.one]))
    return Spectrum("spiked", {"spikes": spikes, "alignments": alignments}, H, _Atoms(g),
                    closed_forms=MarchenkoPasturForms(lambda: mp.one))


def _equicorrelated(rho):
    rho = check_real("rho", rho, low=0, high=1, high_open=True)
    H = _Atoms(lambda: ([1 - to_mpf("rho", rho)], [mp.one]))
    return Spectrum("equicorrelated", {"rho": rho}, H,
                    closed_forms=MarchenkoPasturForms(lambda: 1 - to_mpf("rho", rho)))


def _ar1(rho):
    rho = check_real("rho", rho, low=-1, high=1, low_open=True, high_open=True)
    return Spectrum("ar1", {"rho": rho}, _AR1(rho))


def _uniform(a, b):
    a = check_real("a", a, low=0, low_open=True)
    b = check_real("b", b, low=0, low_open=True)
    if not b > a:
        raise ValueError(f"b must be > a = {a}, received {b}")
    return Spectrum("uniform", {"a": a, "b": b}, _UniformGL(a, b))


_BUILDERS = {
    "isotropic": lambda p, given: _isotropic(),
    "discrete": lambda p, given: _discrete(p["eigs"], p["weights"], p["signal_weights"]),
    "random_effects": lambda p, given: _random_effects(p["eigs"], p["weights"], p["law"], given),
    "spiked": lambda p, given: _spiked(p["spikes"], p["alignments"]),
    "equicorrelated": lambda p, given: _equicorrelated(p["rho"]),
    "ar1": lambda p, given: _ar1(p["rho"]),
    "uniform": lambda p, given: _uniform(p["a"], p["b"]),
}


def check_parameter_names(spectrum, params, keywords=()):
    """``TypeError`` for a key of ``params`` that the named model does not
    take, with "did you mean" among its parameters and ``keywords`` (the
    calling function's own, for a mistyped ``lamda=``).

    Examples
    --------
    >>> check_parameter_names("ar1", {"roh": 0.3})
    Traceback (most recent call last):
    ...
    TypeError: spectrum 'ar1' takes no parameter 'roh'; its parameters are ['rho']; did you mean 'rho'?
    """
    allowed = list(SPECTRUM_DEFAULTS[spectrum])
    for key in params:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed + list(keywords), n=1)
            also = f" (and this function's keywords {list(keywords)})" if keywords else ""
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"spectrum {spectrum!r} takes no parameter {key!r}; its "
                            f"parameters are {allowed}{also}{hint}")


@private_context()
def make_spectrum(spectrum="isotropic", **params):
    """The :class:`Spectrum` of a named model of SPEC §3.

    Parameters
    ----------
    spectrum : str or Spectrum
        A name in :data:`SPECTRUM_NAMES`, or a :class:`Spectrum` (returned
        as is; then no parameters may be given).
    **params
        The model's parameters (see :data:`SPECTRUM_DEFAULTS`); missing
        ones take their defaults.

    Returns
    -------
    Spectrum

    Raises
    ------
    TypeError
        A parameter the model does not take, or parameters given with a
        :class:`Spectrum` instance.
    ValueError
        An unknown name or a parameter outside its range.

    Examples
    --------
    >>> from rmtheory.numeric import make_spectrum
    >>> make_spectrum("ar1", rho=0.25)
    Spectrum('ar1', rho=0.25)
    >>> make_spectrum("ar1", alpha=1)
    Traceback (most recent call last):
    ...
    TypeError: spectrum 'ar1' takes no parameter 'alpha'; its parameters are ['rho']
    """
    if isinstance(spectrum, Spectrum):
        if params:
            name = next(iter(params))
            raise TypeError(f"parameter {name!r} cannot be combined with a Spectrum instance "
                            f"(spectrum={spectrum!r}); build the Spectrum with it instead")
        return spectrum
    if not isinstance(spectrum, str):
        raise TypeError(f"spectrum must be a name or a Spectrum, received "
                        f"{type(spectrum).__name__} {spectrum!r}")
    if spectrum not in SPECTRUM_DEFAULTS:
        raise ValueError(f"spectrum must be one of {list(SPECTRUM_NAMES)}, received {spectrum!r}")
    check_parameter_names(spectrum, params)
    defaults = SPECTRUM_DEFAULTS[spectrum]
    key = _cache_key(spectrum, params)
    with _BUILT_LOCK:
        if key in _BUILT:
            _BUILT.move_to_end(key)
            return _BUILT[key]
    built = _BUILDERS[spectrum]({**defaults, **params}, params)
    if key is not None:
        with _BUILT_LOCK:
            _BUILT[key] = built
            while len(_BUILT) > _BUILT_SIZE:
                _BUILT.popitem(last=False)
    return built


#: spectra already built, by name and parameters (least recently used
#: first). A Spectrum keeps its quadrature rules and level hints per
#: precision; a fresh one per call would rebuild them every time.
_BUILT = OrderedDict()
_BUILT_SIZE = 64
_BUILT_LOCK = threading.Lock()


def _frozen(value):
    """A hashable stand-in for a parameter value that tells types apart
    (``True`` is not ``1``); ``TypeError`` when there is none."""
    if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) > 0:
        return type(value).__name__, tuple(_frozen(v) for v in value)
    # only values whose hash is their value: a dict view or a user iterable
    # hashes by identity and may change under the same key (a stale model)
    if not isinstance(value, (numbers.Number, str, bytes, type(None), sp.Basic)) \
            and not hasattr(value, "_mpf_"):
        raise TypeError(f"not a value type: {type(value).__name__}")
    hash(value)
    return type(value).__name__, value


def _cache_key(spectrum, params):
    """The cache key of ``make_spectrum(spectrum, **params)``, or ``None``
    when a parameter is not hashable (that call is not cached)."""
    try:
        return spectrum, tuple(sorted((k, _frozen(v)) for k, v in params.items()))
    except TypeError:
        return None
