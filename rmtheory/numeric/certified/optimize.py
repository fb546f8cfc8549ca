r"""``w*`` and ``λ_c`` with certificates.

**Interior optimum** (slope ``S = ∂R/∂w`` positive at ``w = 1``):

1. a candidate ``w̃``: a bracketed Newton/secant search on midpoints at the
   cover's 96 bits from the ``λ = 0`` closed form, to a relative step of
   ``2^-44`` (no rigour needed);
2. Newton steps at full precision whose derivative is an enclosure
   (:func:`_newton_enclosure`): with ``C ⊃ ∂S/∂w`` over a small ball ``X``
   around the iterate ``w_k`` (``C > 0``) and ``|S(w_k)|`` small enough,
   the mean value theorem puts the only zero of ``S`` in ``X`` into
   ``w_k − S(w_k)/C``, of radius ``|S(w_k)| rad C/C²`` (two steps at
   dps 30). Fallback: Newton on midpoints and ``S(w̃ − δ) < 0 < S(w̃ + δ)``,
   ``δ ≈ 2^{20−prec} w̃``;
3. ``∂S/∂w > 0`` on a neighbourhood ``N = [left, right] ∋ w̃``, grown
   outwards piece by piece: the curvature over each piece in divided
   differences of ``κ`` at the two penalties, each bounded by its values
   at the piece's ends (``κ'' ≤ 0``, ``κ''' ≥ 0``, ``κ'''' ≤ 0``: result 10,
   section 5; :meth:`_Problem.region_curvature_dd`), else by the form in
   ``κ``'s values (``κ`` over the piece from its ends — monotone — and the
   centred form in the explicit ``w``): ``S`` increases on ``N``, so its
   only zero there is the one of step 2;
4. ``S < 0`` on ``[w_min, left]`` and ``S > 0`` on ``[right, 1]``, on a cover
   (:mod:`.cover`: walks away from the optimum with the curvature bound of
   each region, splitting a region whose bound is too loose; else
   bisection; ``κ`` at each exact weight proved once), each ball
   checked with the mean-value form ``S(c) + S'(W)(W − c)`` and, near 1 or
   when that leaves the sign open, the form in the divided difference ``Δ``
   (the mean of ``κ'`` over ``[b, a]``, by the midpoint rule) and
   ``Δ_a = κ[b,a,a]``, ``Δ_b − Δ_a = (b − a)κ[a,a,b,b]`` — no removable
   singularity at ``w = 1``;
5. the tail ``(0, w_min]``: a lower bound of the risk there
   (:meth:`_Problem.tail_floor`: the bias at large penalties plus a
   variance floor) above the upper end of ``R(w*)``.

So the risk decreases up to the bracket and increases after it: the
bracket holds the unique global minimiser on ``(0, 1]``. **Boundary**
``w* = 1``: ``S(1) < 0``, ``S < 0`` on a cover of ``[w_min, 1]``, and the
tail bound. At ``λ = 0`` the slope is ``c'(w; κ_s) V₀`` with ``V₀ > 0``:
``w*`` is the ball of the closed form, and the sign of ``c'`` (its
numerator, the denominator a product of squares without a root in
``(0, 1]``) is certified on a cover of ``[0, 1]`` with a monotone piece
around ``w*``.

``λ_c``: the slope at ``w = 1`` as a function of ``λ`` changes sign across
a bracket of relative width ``2^{20−prec}`` (existence of a critical
penalty there; its uniqueness is not proved here).
"""
import functools
import math
from typing import NamedTuple

from .balls import (CertificationError, ball, ball_measures, endpoints, mid_mpf,
                    require_flint, working_precision)
from .cover import cover as _cover, sign_cover as _sign_cover
from .derived import second_order_forms
from .digits import _read, bits_for
from .kappa import enclose_kappa, without_derivative_checks
from .risk import integrate_many, penalty_balls, risk_balls, risk_forms

__all__ = ["CertifiedOptimum", "certify_optimum", "certify_critical_lambda"]

#: the working bits of the covers (signs only)
COVER_BITS = 96
#: balls of w reaching above this use the divided-difference form of the slope
NEAR_1 = 0.99
#: the tail's w_min shrinks by this factor until its floor is above the optimum
TAIL_FACTOR = 0.75
#: failed curvature balls after which the convex neighbourhood stops growing
#: in one direction (the cover takes over from there)
CONVEX_FAILURES = 2
#: the same below the optimum, where the walk of the cover takes over at the
#: same cost per region (a failed piece is an evaluation wasted)
CONVEX_FAILURES_BELOW = 1
#: the widest piece of the convex neighbourhood, as a ratio of its ends
CONVEX_RATIO = 1.15


class CertifiedOptimum(NamedTuple):
    w: tuple                   # (value, (lo, hi))
    on_boundary: bool
    risk: tuple                # (bias, variance) values
    risk_enclosures: dict
    proof: dict                # extra enclosures (the slope at 1, ...)
    #: balls of the bias, variance and total at w = 1 from the proof (its
    #: precision), for the caller's ``risk_at_1`` without evaluating again
    at_1: dict = None


class _Problem:
    """The inputs as balls at the current precision, and the pieces of the proof."""

    def __init__(self, spec, gamma, lam, sigma2, r2, kappa_s, prec):
        self.prec = prec
        self.H, self.G = ball_measures(spec)
        self.gamma, self.lam = ball("gamma", gamma), ball("lam", lam)
        self.sigma2, self.r2 = ball("sigma2", sigma2), ball("r2", r2)
        self.kappa_s = ball("kappa_s", kappa_s)
        #: balls above this use the divided-difference form of the slope
        self.near_1 = require_flint().arb(NEAR_1)
        #: κ at the two penalties of exact weights already met (a cover's
        #: points and the ends of its regions recur)
        self._kappas = {}
        #: κ' and κ''' at the two penalties of exact weights already met
        self._derivatives = {}
        #: curvature enclosures of regions with exact ends already met (the
        #: piece the convex neighbourhood failed on below becomes the cover's
        #: first region there)
        self._regions = {}

    def kappas_at(self, w):
        """Enclosures of ``κ(λ/w)`` and ``κ(λ/(2 − w))`` at an exact weight ``w``
        (cached by its value)."""
        key = w.mid().man_exp() if w.is_exact() else None
        found = self._kappas.get(key) if key is not None else None
        if found is None:
            k_a = enclose_kappa(self.lam / w, self.H, self.gamma, self.prec)
            # at w = 1 the two penalties are the same ball, λ
            found = (k_a, k_a if w == 1 else
                     enclose_kappa(self.lam / (2 - w), self.H, self.gamma, self.prec))
            if key is not None:
                self._kappas[key] = found
        return found

    def derivatives_at(self, w):
        """Enclosures of ``(κ'(a), κ'(b), κ'''(a), κ'''(b), κ''(a), κ''(b))`` at an exact weight
        ``w ≤ 1``, ``a = λ/w``, ``b = λ/(2 − w)`` (cached by its value)."""
        key = w.mid().man_exp()
        found = self._derivatives.get(key)
        if found is None:
            S2 = second_order_forms()
            F = risk_forms()
            out = []
            pairs = list(zip((self.lam / w, self.lam / (2 - w)), self.kappas_at(w)))
            for penalty, k in pairs[:1] if w == 1 else pairs:     # at 1: one penalty
                # only what the derivatives of κ need (no bias): J_H for the gap
                # as a sum of nonnegative terms, I₂κ and I₂κκ, in one fused call
                J_H, I2k, I2kk = integrate_many(
                    self.H, (F.bias_integrand, F.df2_integrand_dkappa,
                             S2["df2_integrand_dkappa2"]), k)
                gap = F.gap(k, penalty, self.gamma, J_H)
                if not gap > 0:
                    raise CertificationError(f"1 - df2 = {gap} is not provably positive")
                kp = F.kappa_prime(gap)
                out.append((kp, S2["kappa_ppp"](self.gamma, I2k, I2kk, kp, gap),
                            S2["kappa_pp"](self.gamma, I2k, kp, gap)))
            out = out * 2 if len(out) == 1 else out
            found = (out[0][0], out[1][0], out[0][1], out[1][1], out[0][2], out[1][2])
            self._derivatives[key] = found
        return found

    def risk(self, w, slope=False):
        kappas = self.kappas_at(w) if w.is_exact() and w < 1 and not self.lam.is_zero() \
            else (None, None)
        return risk_balls(w, self.lam, self.H, self.G, self.gamma, self.r2, self.sigma2,
                          self.kappa_s, self.prec, slope=slope, kappas=kappas)

    def slope(self, w):
        return self.risk(w, slope=True).slope

    def penalty(self, P, second=False, kappa=None):
        """κ, κ', κ'', B' (and B'') over a ball of penalties ``P`` (``kappa``:
        an enclosure of κ over ``P`` if known)."""
        S2 = second_order_forms()
        pb = penalty_balls(P, self.H, self.G, self.gamma, self.r2, self.prec,
                           max_relative=math.inf, kappa=kappa)
        I2_k = pb.integrals["I2_kappa"]
        kpp = S2["kappa_pp"](self.gamma, I2_k, pb.kappa_prime, pb.one_minus_df2)
        out = dict(kappa=pb.kappa, kp=pb.kappa_prime, kpp=kpp, bp=pb.bias_prime, bias=pb.bias,
                   I2_kappa=I2_k, gap=pb.one_minus_df2)
        if second:
            k = pb.kappa
            if self.G is self.H:        # one fused call for both
                Jkk, I2kk = integrate_many(self.H, (S2["bias_integrand_dkappa2"],
                                                    S2["df2_integrand_dkappa2"]), k)
            else:
                Jkk = self.G.integrate(S2["bias_integrand_dkappa2"], k)
                I2kk = self.H.integrate(S2["df2_integrand_dkappa2"], k)
            i = pb.integrals
            out["bpp"] = S2["bias_pp"](k, self.r2, self.gamma, i["J"], i["I2"], i["J_kappa"],
                                       I2_k, Jkk, I2kk, pb.kappa_prime, kpp, pb.one_minus_df2)
        return out

    def region_curvature(self, lo, hi):
        """``∂²R/∂w²`` for every ``w ∈ [lo, hi]`` (exact ends below 1): the form
        in divided differences (:meth:`region_curvature_dd`), else the form
        in κ's values at the two penalties (κ over the region from its values at the ends: κ is
        monotone in the penalty, each penalty monotone in ``w``) where the
        former has no finite enclosure (small ``w``: ``B''`` over a wide ball of
        penalties)."""
        key = (lo.mid().man_exp(), hi.mid().man_exp()) if lo.is_exact() and hi.is_exact() \
            else None
        found = self._regions.get(key) if key is not None else None
        if found is None:
            found = self._region_curvature(lo, hi)
            if key is not None:
                self._regions[key] = found
        return found

    def _region_curvature(self, lo, hi):
        flint = require_flint()
        try:
            found = self.region_curvature_dd(lo, hi)
        except (CertificationError, ZeroDivisionError):
            found = None
        if found is not None and found.is_finite():
            # measured 20-100 times narrower than the other form where both are
            # finite: intersecting rarely decides a sign and costs an evaluation
            return found
        ka_lo, kb_lo = self.kappas_at(lo)
        ka_hi, kb_hi = self.kappas_at(hi)
        other = self.curvature(flint.arb((lo + hi) / 2, (hi - lo) / 2),
                               kappas=(ka_lo.union(ka_hi), kb_lo.union(kb_hi)))
        return other

    def region_curvature_dd(self, lo, hi):
        r"""``∂²R/∂w²`` for every ``w ∈ [u, v] = [lo, hi]`` (exact, ``0 < u < v ≤ 1``)
        from the form in divided differences of κ
        (``d2total_dw2_dd`` of :mod:`rmtheory.symbolic.certified_forms`),
        each enclosed over the region from values at its ends. With
        ``b_u < b_v < λ < a_v < a_u`` the penalties at the ends and
        ``κ'' ≤ 0``, ``κ''' ≥ 0``, ``κ'''' ≤ 0`` (result 10, section 5), a
        divided difference of order ``n`` moves with each node by the sign of
        ``κ^{(n+1)}`` (Hermite–Genocchi), so for every ``w`` in the region
        ``Δ ∈ [κ[b_v, a_u], κ[b_u, a_v]]``, ``Δ_a = κ[b,a,a] ∈
        [κ[b_u,a_v,a_v], κ[b_v,a_u,a_u]]``, ``Δ_b = κ[a,b,b] ∈
        [κ[a_v,b_u,b_u], κ[a_u,b_v,b_v]]``, and the third divided differences
        are ``κ'''(ξ)/6`` with ``ξ ∈ [b_u, a_u]``, where ``κ'''`` decreases:
        in ``[κ'''(a_u), κ'''(b_u)]/6``. ``B'(a)``, ``B''(a)`` over the ball
        ``[a_v, a_u]`` (κ there from its ends); the explicit ``w`` by the
        centred form ``F(c, X) + F_w(W, X)(W − c)``. No quotient by
        ``1 − w``: the divided differences come from values at distinct
        penalties, and the measured enclosures are 20-100 times narrower than
        :meth:`curvature`'s on the benchmark case."""
        flint = require_flint()
        S2 = second_order_forms()
        if not (0 < lo < hi <= 1):
            raise CertificationError("region_curvature_dd needs 0 < lo < hi <= 1")
        (ka_u, kb_u), (ka_v, kb_v) = self.kappas_at(lo), self.kappas_at(hi)
        kpa_u, kpb_u, k3a_u, k3b_u, k2a_u, k2b_u = self.derivatives_at(lo)
        kpa_v, kpb_v, _, _, k2a_v, k2b_v = self.derivatives_at(hi)
        lam = self.lam
        au, av, bu, bv = lam / lo, lam / hi, lam / (2 - lo), lam / (2 - hi)
        # the divided differences at the corners (b_u, a_v) and (b_v, a_u): each
        # one's range over the region lies between its values there
        inner = _divided_differences(bu, av, kb_u, ka_v, kpb_u, kpa_v, k2b_u, k2a_v)
        outer = _divided_differences(bv, au, kb_v, ka_u, kpb_v, kpa_u, k2b_v, k2a_u)
        delta, delta_a, delta_b, t_aaa, t_aabb, t_bbba = (
            x.union(y) for x, y in zip(inner, outer))
        # a third divided difference is also κ'''(ξ)/6, ξ ∈ [b_u, a_u], κ''' decreasing
        third = k3a_u.union(k3b_u) / 6
        t_aaa, t_aabb, t_bbba = (_meet(t, third) for t in (t_aaa, t_aabb, t_bbba))
        A = flint.arb((av + au) / 2, (au - av) / 2)
        pa = self.penalty(A, second=True, kappa=ka_u.union(ka_v))
        W = flint.arb((lo + hi) / 2, (hi - lo) / 2)
        X = (lam, self.sigma2, self.kappa_s, delta, delta_a, delta_b, 2 * t_aaa, t_aabb,
             2 * t_bbba, pa["bp"], pa["bpp"])
        c = W.mid()
        naive = S2["d2total_dw2_dd"](W, *X)
        centred = S2["d2total_dw2_dd"](c, *X) + S2["d2total_dw2_dd_explicit_w"](W, *X) * (W - c)
        if not (naive.is_finite() and centred.is_finite()):
            return centred if centred.is_finite() else naive
        if not centred.overlaps(naive):   # both hold the curvature: a bug if disjoint
            raise CertificationError(f"optimal_w: two enclosures of the curvature on {W} "
                                     f"are disjoint ({centred}, {naive})")
        return centred.intersection(naive)

    def curvature(self, W, kappas=(None, None)):
        """``∂²R/∂w²`` over a ball ``W`` of weights below 1: with the values at
        the penalties ``X`` (balls over ``W``), the centred form in the
        explicit ``w``, ``F(c, X) + F_w(W, X)(W − c)`` (mean value theorem
        for each member of ``X``; ``F`` is rational in ``w`` without a pole
        in ``(0, 1)``), intersected with ``F(W, X)`` — the explicit ``w``
        dominates the overestimation of the latter (measured: 3 to 8 times
        narrower at radii 10⁻² to 10⁻³)."""
        S2 = second_order_forms()
        a, b = self.lam / W, self.lam / (2 - W)
        pa = self.penalty(a, second=True, kappa=kappas[0])
        pb = self.penalty(b, kappa=kappas[1])
        X = (self.lam, self.sigma2, self.kappa_s, pa["kappa"], pb["kappa"], pa["bp"],
             pa["kp"], pb["kp"], pa["bpp"], pa["kpp"], pb["kpp"])
        naive = S2["d2total_dw2"](W, *X)
        if W.is_exact():
            return naive
        c = W.mid()
        centred = S2["d2total_dw2"](c, *X) + S2["d2total_dw2_explicit_w"](W, *X) * (W - c)
        if not centred.overlaps(naive):   # both hold the curvature: a bug if disjoint
            raise CertificationError(f"optimal_w: two enclosures of the curvature on {W} "
                                     f"are disjoint ({centred}, {naive})")
        return centred.intersection(naive)

    def slope_over(self, W):
        """``∂R/∂w`` over a ball ``W ⊂ (0, 1]``: the mean-value form
        ``S(c) + S'(W)(W − c)`` away from 1, the divided-difference form
        (:meth:`slope_near_1`) on balls above ``NEAR_1``, where the two
        penalties are close and ``Δ`` is nearly ``κ'(λ)``."""
        forms = [self.slope_near_1]
        if W.upper() < 1:
            forms.insert(0 if W.lower() < self.near_1 else 1, self._mean_value_slope)
        found = None
        for form in forms:          # both enclose S(W): the second one only if needed
            try:
                value = form(W)
            except (CertificationError, ZeroDivisionError):
                continue
            found = value if found is None or not found.overlaps(value) \
                else found.intersection(value)
            if not found.contains(0):
                break
        if found is None:
            raise CertificationError("no enclosure of the slope on this ball: bisect it")
        return found

    def _mean_value_slope(self, W):
        c = W.mid()
        return self.slope(c) + self.curvature(W) * (W - c)

    def slope_near_1(self, W):
        """``∂R/∂w`` over a ball ``W`` that may contain 1, in terms of the divided
        difference and its partial derivatives (no removable singularity)."""
        lo, hi = W.lower(), W.upper()
        a = self.lam / W
        P = (self.lam / (2 - lo)).union(self.lam / lo)        # [b, a] for every w in W
        pa, pP = self.penalty(a), self.penalty(P)
        delta = pP["kp"]                                      # Δ = mean of κ' over [b, a]
        if hi < 1:                                            # b < a: the direct quotient
            b = self.lam / (2 - W)
            kb = enclose_kappa(b, self.H, self.gamma, self.prec, max_relative=math.inf)
            direct = (kb - pa["kappa"]) / (b - a)
            if direct.overlaps(delta):
                delta = direct.intersection(delta)
        # Δ_a = κ[b,a,a] ∈ κ''(P)/2 and Δ_b − Δ_a = (b − a) κ[a,a,b,b] ∈ (b − a) κ'''(P)/6
        S2 = second_order_forms()
        I2kk = self.H.integrate(S2["df2_integrand_dkappa2"], pP["kappa"])
        kppp = S2["kappa_ppp"](self.gamma, pP["I2_kappa"], I2kk, pP["kp"], pP["gap"])
        b = self.lam / (2 - W)
        excess = (b - a) * kppp / 6
        # Δ, the mean of κ' over [b, a], by the midpoint rule: κ'((a+b)/2) plus
        # κ'''(ξ)(a − b)²/24 — an error O((1 − w)²), not the hull's O(1 − w)
        middle = self.penalty((a + b) / 2)["kp"] + (a - b)**2 * kppp / 24
        if middle.overlaps(delta):
            delta = middle.intersection(delta)
        return S2["slope_near_1"](W, self.lam, self.sigma2, self.kappa_s, delta, pP["kpp"] / 2,
                                  excess, pa["bp"])

    def tail_floor(self, w_min):
        r"""A lower bound of ``R(w)`` for every ``w ∈ (0, w_min]``: with
        ``A = λ/w_min ≤ a = λ/w`` and ``b = λ/(2 − w) ≤ b₊ = λ/(2 − w_min)``,

        .. math::

            R(w) \ge r^2 k^2 J_G(k) + \frac{\sigma^2 \kappa_s (1 - w_{min})^2}{2\lambda}
                \bigl[(\kappa(A) - A) - (\kappa(b_+) - b_+)\bigr]^+ ,
            \quad k \le \kappa(A),

        from ``κ`` increasing (``κ(a) ≥ κ(A) ≥ k``, the lower end of its
        enclosure) and ``κ²J_G(κ)`` increasing (the bias, with
        ``1 − γI₂ ≤ 1``), and for the variance ``σ² c(w)(Δ − 1)``: ``Δ − 1 =
        [(κ(a) − a) − (κ(b) − b)]/(a − b)`` where ``κ(x) − x`` increases
        (``κ' ≥ 1``), ``a − b ≤ a = λ/w`` and ``w c(w) ≥ κ_s(1 − w_min)²/2``.
        Each inequality is derived and checked exactly in
        ``rmtheory/proofs/p10_certified_bounds.py`` (result 10); the
        expressions bounded are the symbolic layer's."""
        flint = require_flint()
        S2 = second_order_forms()
        F = risk_forms()
        A = self.lam / w_min
        # κ at both penalties of w_min through the cache: the cover's first
        # region starts there
        k_A, k_b = self.kappas_at(w_min)
        k = k_A.lower()                     # an exact number below κ(A)
        J = self.G.integrate(F.bias_integrand, k)
        floor = S2["bias_floor"](k, self.r2, self.gamma, J, flint.arb(0))
        b_top = self.lam / (2 - w_min)
        gap = (k_A - A) - (k_b - b_top)
        if gap > 0:
            floor += self.sigma2 * self.kappa_s * (1 - w_min)**2 * gap.lower() / (2 * self.lam)
        return floor


def _divided_differences(x, y, kx, ky, k1x, k1y, k2x, k2y):
    """``κ[x,y], κ[x,y,y], κ[x,x,y], κ[x,y,y,y], κ[x,x,y,y], κ[x,x,x,y]`` for
    ``x < y`` from ``κ``, ``κ'``, ``κ''`` at the two nodes (the recursion
    ``f[..., x, y] = (f[..., y] − f[..., x])/(y − x)``, with ``f[y, y] = f'(y)``
    and ``f[y, y, y] = f''(y)/2``). As balls: the value for each member of
    the inputs' balls lies in it."""
    h = y - x
    q = (ky - kx) / h
    xyy, xxy = (k1y - q) / h, (q - k1x) / h
    return q, xyy, xxy, (k2y / 2 - xyy) / h, (xyy - xxy) / h, (xxy - k2x / 2) / h


def _meet(a, b):
    """The intersection of two enclosures of one number (a bug if disjoint)."""
    if not a.is_finite():
        return b
    if not a.overlaps(b):
        raise CertificationError(f"optimal_w: two enclosures of a divided difference are "
                                 f"disjoint ({a}, {b})")
    return a.intersection(b)


def _convex_region(problem, w, ceiling):
    """``[left, right] ∋ w`` on which ``∂²R/∂w² > 0`` is proved, by pieces
    grown from ``w`` outwards (doubled after a success up to
    :data:`CONVEX_RATIO` in ``hi/lo``, halved after a failure, down to
    ``w/512``; :data:`CONVEX_FAILURES` failures upwards,
    :data:`CONVEX_FAILURES_BELOW` downwards), ``right ≤ ceiling``; and the
    lower end of the last piece ``[below, left]`` that failed below (its
    curvature enclosure is cached for the cover's walk), or ``None``."""
    h = (w / 16).mid()      # w/64 with the form in κ's values (20-100x wider)
    for _ in range(30):
        try:
            if problem.region_curvature((w - h).mid(), (w + h).mid()) > 0:
                break
        except (CertificationError, ZeroDivisionError):
            pass
        h = (h / 4).mid()
    else:
        raise CertificationError("optimal_w: the curvature of the risk is not provably "
                                 "positive next to the candidate")
    left, right = (w - h).mid(), min((w + h).mid(), ceiling, key=mid_mpf)
    smallest = (w / 512).mid()
    below = None
    for direction in (-1, +1):
        step, failures = h, 0
        while step >= smallest and failures < (CONVEX_FAILURES if direction > 0
                                                else CONVEX_FAILURES_BELOW):
            a, b = ((left - step).mid(), left) if direction < 0 else \
                (right, min((right + step).mid(), ceiling, key=mid_mpf))
            if not (0 < a < b):
                break
            try:
                ok = problem.region_curvature(a, b) > 0
            except (CertificationError, ZeroDivisionError):
                ok = False
            if direction < 0:       # a failed piece [a, left] (left moves on success)
                below = None if ok else a
            if ok:
                left, right = (a, right) if direction < 0 else (left, b)
                if direction > 0 and b >= ceiling:
                    break
                # doubled, but a piece no wider than CONVEX_RATIO in hi/lo: the
                # enclosure widens with it (on the benchmark case [0.79, 0.95]
                # failed where [0.79, 0.87] and [0.87, 1] held)
                step = min((2 * step).mid(), (right * (CONVEX_RATIO - 1)).mid()
                           if direction > 0 else (left * (1 - 1 / CONVEX_RATIO)).mid(),
                           key=mid_mpf)
            else:
                step, failures = (step / 2).mid(), failures + 1
    return left, right, below


def _tail(problem, start, bound):
    """A large ``w_min ≤ start`` (steps of ``TAIL_FACTOR``) whose tail floor
    exceeds ``bound``."""
    w_min = start
    for _ in range(400):
        floor = problem.tail_floor(w_min)
        if floor > bound:
            return w_min
        w_min = (w_min * TAIL_FACTOR).mid()
    raise CertificationError("optimal_w: the risk near w = 0 is not provably above the "
                             "risk at the candidate optimum (its lower bound there, the bias "
                             "at large penalties plus a variance floor, does not exceed it)")


def _newton_candidate(problem, w0, derivative=None):
    """Newton's method on the slope, on midpoints, from ``w0`` (an exact arb);
    the curvature from ``derivative`` (a problem at fewer bits) if given —
    from a start good to those bits, one or two steps (the iteration is a
    candidate only: the bracket proves it)."""
    flint = require_flint()
    w = w0

    def curvature(x):
        if derivative is None:
            return problem.curvature(x)
        with working_precision(derivative.prec), without_derivative_checks():
            return derivative.curvature(x)
    # with the curvature of a problem at fewer bits (relative error ε ≲
    # 2^(30 − its bits)) a step h leaves an error ~ε h + C h²: once both are
    # far below the bracket 2^(20 − prec) w, no evaluation is needed to see
    # the next step vanish (the bracket test proves the result anyway)
    if derivative is None:
        enough = flint.arb(0)
    else:
        first = w0 * flint.arb(2)**(derivative.prec - problem.prec - 12)
        second = (w0 * flint.arb(2)**(14 - problem.prec)).sqrt() / 64
        enough = min(first, second, key=mid_mpf).mid()
    for _ in range(60):
        step = (problem.slope(w) / curvature(w)).mid()
        w = (w - step).mid()
        if not 0 < w < 1:
            raise CertificationError("optimal_w: Newton's method left (0, 1)")
        if abs(step) <= w * flint.arb(2)**(24 - problem.prec) or abs(step) <= enough:
            return w
    raise CertificationError("optimal_w: Newton's method on the slope did not converge")


def _newton_enclosure(problem, cover, w0, dps=None):
    r"""The zero of the slope in a proved ball, by Newton steps at full
    precision whose derivative is an enclosure: at ``w_k`` the slope
    ``S(w_k)`` (``problem``'s precision) and ``C ⊃ S'(X)`` over ``X = [w_k − ρ,
    w_k + ρ]`` (``cover``'s curvature in divided differences, at its bits). If
    ``C > 0`` and ``σ = max|S(w_k)| ≤ ρ C⁻/2``: ``S(w_k ± σ/C⁻)`` has the signs
    ``±`` (mean value theorem), so a zero ``w*`` lies in ``X``, the only one
    there (``S`` increases on ``X``), and ``0 = S(w_k) + S'(ξ)(w* − w_k)``
    with ``ξ ∈ X`` puts it in ``N = w_k − S(w_k)/C`` — of width
    ``|S(w_k)|·rad(C)/C²``, far below the step. Each step cross-checks the
    previous ``C`` (``S(w_{k+1}) ∈ S(w_k) + C(w_{k+1} − w_k)``: a wrong
    curvature raises ``CertificationError``). Stops once ``N`` is narrower
    than ``2^{20−p} w``, ``p`` the first attempt's bits for ``dps``; returns
    ``(N, X, w_k, risk balls at w_k, C)``, or
    ``None`` after 8 steps (the caller falls back to the bracket)."""
    flint = require_flint()
    w = w0
    rho = (w0 * flint.arb(2)**-36).mid()
    # the first attempt's width for dps digits, at every precision: where the
    # slope's ball is wider than that (a cancellation near w = 1) a retry at
    # more bits narrows the ball while the width needed stays
    target = w0 * flint.arb(2)**(20 - (problem.prec if dps is None else bits_for(dps)))
    previous = None
    for _ in range(8):
        at = problem.risk(w, slope=True)
        s = at.slope
        if previous is not None:
            # a cross-check of the last curvature enclosure: w lies in its X, so
            # S(w) ∈ S(w_prev) + C_prev (w − w_prev); a wrong C fails here
            s_prev, C_prev, w_prev, lo_prev, hi_prev = previous
            if lo_prev <= w <= hi_prev and not s.overlaps(s_prev + C_prev * (w - w_prev)):
                raise CertificationError("optimal_w: the slopes contradict the enclosure of "
                                         "the curvature between them")
        # the ends at this precision (at the cover's bits they would merge)
        lo, hi = (w - rho).mid(), (w + rho).mid()
        with working_precision(cover.prec), without_derivative_checks():
            try:
                C = cover.region_curvature_dd(lo, hi)
            except (CertificationError, ZeroDivisionError):
                C = None
        if C is None or not (C.is_finite() and C > 0):
            rho = (rho / 16).mid()
            continue
        sigma = max(abs(s.lower()), abs(s.upper()))
        N = w - s / C
        if 2 * sigma <= rho * C.lower() and N.lower() > lo and N.upper() < hi:
            if N.rad() <= target:
                return N, (lo, hi), w, at, C
        # the next point: Newton's step; X around it by the step's size
        previous = (s, C, w, lo, hi)
        new = N.mid()
        rho = max(abs(new - w) * 4, new * flint.arb(2)**(16 - problem.prec), key=mid_mpf).mid()
        w = new
    return None


def _bracketed_newton(problem, w0, tolerance=None):
    """The zero of the slope to ``problem.prec`` bits (to a relative step of
    ``2^tolerance`` if given): one Newton step from
    ``w0`` (the curvature there), then secant steps on midpoints (a slope
    evaluation each, order ~1.6), kept inside a bracket of sign changes
    (``S(1) > 0`` is known; a step that leaves the bracket is replaced by
    bisection). ``None`` if it does not settle (no rigour: a candidate
    only)."""
    flint = require_flint()
    lo, hi, w = None, flint.arb(1), w0
    previous = None
    for _ in range(BRACKET_STEPS):
        s = problem.slope(w)
        if s < 0:
            lo = w
        elif s > 0:
            hi = w
        s = s.mid()
        if previous is None:
            c = problem.curvature(w)
            new = (w - s / c.mid()).mid() if c > 0 else None
        else:
            w_old, s_old = previous
            new = (w - s * (w - w_old) / (s - s_old)).mid() if s != s_old else None
        previous = (w, s)
        floor = lo if lo is not None else flint.arb(0)
        if new is None or not floor < new < hi:
            new = ((floor + hi) / 2 if lo is not None else w / 2).mid()
        if abs(new - w) <= w * flint.arb(2)**(24 - problem.prec if tolerance is None
                                             else tolerance):
            return new
        w = new
    return None


#: iterations of the bracketed Newton search at the cover's precision
BRACKET_STEPS = 40


def _first_guess(kappa_s):
    """``w*`` at ``λ = 0``, the closed form ``(√(κ_s² + 4κ_s) − κ_s)/2`` (as a
    double; the optimum moves up from it as ``λ`` grows), or 1/2."""
    flint = require_flint()
    try:
        k = float(kappa_s)
    except (TypeError, ValueError):
        return flint.arb(0.5)
    if not k > 0:
        return flint.arb(0.5)
    return flint.arb((math.sqrt(k * k + 4 * k) - k) / 2)


def _start(spec, gamma, lam, sigma2, r2, kappa_s):
    """The float64 optimum as a starting point (no rigour needed)."""
    flint = require_flint()
    try:
        from ..fast import optimal_w_float
        found = optimal_w_float(float(lam), spec, gamma=float(gamma), r2=float(r2),
                                sigma2=float(sigma2), kappa_s=float(kappa_s))
        if found is not None and 0 < found[0] < 1:
            return flint.arb(float(found[0]))
    except (ArithmeticError, ValueError, FloatingPointError):
        pass
    return flint.arb(0.5)


def _ridge_optimum(spec, gamma, lam, sigma2, r2, kappa_s, dps):
    prec = bits_for(dps)
    start = None           # found at the cover's precision in the first attempt
    last = None
    for _ in range(4):
        with working_precision(prec):
            try:
                out = _ridge_attempt(spec, gamma, lam, sigma2, r2, kappa_s, prec, dps, start)
            except CertificationError as exc:
                last, out = exc, None
            if out is not None:
                return out
        prec = prec * 3 // 2 + 32
    raise last


def _ridge_attempt(spec, gamma, lam, sigma2, r2, kappa_s, prec, dps, start):
    flint = require_flint()
    P = _Problem(spec, gamma, lam, sigma2, r2, kappa_s, prec)
    one = flint.arb(1)
    at_1 = P.risk(one, slope=True)
    if at_1.slope < 0:
        return _boundary(P, at_1, spec, gamma, lam, sigma2, r2, kappa_s, dps)
    if not at_1.slope > 0:
        raise CertificationError(f"optimal_w: the sign of the slope at w = 1 ({at_1.slope}) "
                                 "is not decided (lam is at the critical penalty?)")
    with working_precision(COVER_BITS), without_derivative_checks():
        cover = _Problem(spec, gamma, lam, sigma2, r2, kappa_s, COVER_BITS)
        # to 2^-44 only: the enclosing Newton steps at full precision converge
        # quadratically from there (its first ball X has radius 2^-36 w)
        w = _bracketed_newton(cover, _first_guess(kappa_s) if start is None else start,
                              tolerance=-44)
        if w is None:       # the float64 optimum (SciPy's brentq) as the start instead
            w = _newton_candidate(cover, _start(spec, gamma, lam, sigma2, r2, kappa_s))
    found = _newton_enclosure(P, cover, w, dps)
    if found is not None:
        # w* in N (proved with the curvature over X ∋ N); the risk at w* from
        # the balls at the last Newton point w_k: R(w*) = R(w_k) ± |w* − w_k| σ,
        # σ ≥ |S(w_k)| ≥ |S| between them (S increases on X and vanishes at w*)
        N, (x_lo, x_hi), w_k, at_k, C = found
        w_lo, w_hi = N.lower(), N.upper()
        # the risk at N's midpoint (|w* − mid| ≤ rad N; |S| ≤ |S(mid)| between
        # them, S increasing on X), and its slope cross-checks C: S(mid) ∈
        # S(w_k) + C (mid − w_k), which a wrong curvature enclosure fails
        w = N.mid()
        at_w = P.risk(w, slope=True)
        if not at_w.slope.overlaps(at_k.slope + C * (w - w_k)):
            raise CertificationError("optimal_w: the slope at the enclosure's midpoint "
                                     "contradicts the enclosure of the curvature")
        delta = N.rad()
        slope_bound = max(abs(at_w.slope.lower()), abs(at_w.slope.upper()), key=mid_mpf)
        with working_precision(COVER_BITS), without_derivative_checks():
            X = flint.arb((x_lo + x_hi) / 2, (x_hi - x_lo) / 2)
            bias_slope = abs(cover.lam / (X * X) * cover.penalty(cover.lam / X)["bp"]).upper()
        w_ball = N
    else:       # Newton's steps without an enclosure, then a bracket of sign changes
        w = _newton_candidate(P, w, derivative=cover)
        delta = (w * flint.arb(2)**(20 - prec)).mid()      # the bracket's half-width
        w_lo, w_hi = w - delta, w + delta
        s_lo, s_hi = P.slope(w_lo), P.slope(w_hi)
        if not (s_lo < 0 < s_hi):
            raise CertificationError(f"optimal_w: no sign change of the slope across "
                                     f"[w - {delta}, w + {delta}]")
        at_w = P.risk(w)
        slope_bound = max(abs(s_lo).upper(), abs(s_hi).upper())
        bias_slope = abs(P.lam / (w_lo * w_lo)
                         * P.penalty(P.lam / flint.arb(w, delta))["bp"]).upper()
        w_ball = flint.arb(w, delta)
    # 3. one zero in the neighbourhood: the slope increases on all of it, grown around w̃
    with working_precision(COVER_BITS), without_derivative_checks():
        if not w < cover.near_1:          # an optimum within 1% of 1: move the threshold
            cover.near_1 = (1 - (1 - w) / 4).mid()
        # up to w = 1 itself: the form in divided differences has no pole there
        left, right, below = _convex_region(cover, w, flint.arb(1))
        if not (left < w_lo and w_hi < right):
            raise CertificationError("optimal_w: the convex neighbourhood does not hold the "
                                     "bracket of the zero")
    # the risk at w*: R(w̃) ± δ max|S| (S is monotone on the bracket)
    spread_b = delta * bias_slope
    spread_v = delta * (slope_bound + bias_slope)
    bias = at_w.bias + flint.arb(0, spread_b.upper())
    variance = at_w.variance + flint.arb(0, spread_v.upper())
    total = at_w.bias + at_w.variance + flint.arb(0, (delta * slope_bound).upper())
    # 4.-5. the cover and the tail, at a modest precision (signs only)
    with working_precision(COVER_BITS), without_derivative_checks():
        bound = total.upper()
        w_min = _tail(cover, left, bound)
        pieces = 0
        if w_min < left:
            # the piece the neighbourhood failed on as the walk's first region
            pieces += _cover(cover, w_min, left, -1,
                             top=below if below is not None and w_min < below else None)
        if right < 1:        # else S increases up to 1: S > 0 after the zero
            if right < cover.near_1:
                pieces += _cover(cover, right, cover.near_1, +1)
                right = cover.near_1
            pieces += _sign_cover(cover.slope_over, right, flint.arb(1), +1)
    balls = {"w": w_ball, "bias": bias, "variance": variance, "total": total}
    out, wide = _read(balls, dps, flint)
    if wide is not None:
        return None
    return CertifiedOptimum(out["w"], False, (out["bias"][0], out["variance"][0]),
                            {k: out[k][1] for k in ("bias", "variance", "total")},
                            {"slope_at_1": endpoints(at_1.slope)}, _risk_at_1(at_1))


def _risk_at_1(at_1):
    return {"bias": at_1.bias, "variance": at_1.variance, "total": at_1.bias + at_1.variance}


def _boundary(P, at_1, spec, gamma, lam, sigma2, r2, kappa_s, dps):
    """``w* = 1``: the slope is negative at 1 and on a cover of ``[w_min, 1]``."""
    flint = require_flint()
    total = at_1.bias + at_1.variance
    with working_precision(COVER_BITS), without_derivative_checks():
        cover = _Problem(spec, gamma, lam, sigma2, r2, kappa_s, COVER_BITS)
        w_min = _tail(cover, flint.arb(0.5), total.upper())
        _cover(cover, w_min, flint.arb(NEAR_1), -1)
        _sign_cover(cover.slope_over, flint.arb(NEAR_1), flint.arb(1), -1)
    import mpmath
    one = mpmath.mpf(1)
    return CertifiedOptimum((one, (one, one)), True, None, None,
                            {"slope_at_1": endpoints(at_1.slope)}, _risk_at_1(at_1))


@functools.lru_cache(maxsize=None)
def _minnorm_forms():
    """The numerator of ``c'(w; κ_s)``, its ``w``-derivative and the closed form
    ``w*(κ_s)`` as ball functions, once the denominator of ``c'`` is checked to
    be a product of squares of factors without a root in ``(0, 1]``."""
    import sympy as sp
    from ...symbolic.minnorm import derive_minnorm
    from ...symbolic.symbols import kappa_s as ks, w as w_sym
    from ...symbolic.synthetic_noise import derive_synthetic_noise
    from .balls import lambdify_ball
    c = derive_minnorm().c_w_kappa_s
    numerator, denominator = sp.fraction(sp.factor(sp.diff(c, w_sym)))
    for factor in sp.Mul.make_args(denominator):
        base, exp = factor.as_base_exp()
        if base.is_number and base > 0:
            continue
        roots = sp.Poly(base, w_sym).all_roots() if base.has(w_sym) else []
        if exp % 2 or any(r.is_real and 0 < r <= 1 for r in roots):
            raise CertificationError(f"c'(w): the factor {factor} of its denominator may "
                                     "vanish or change sign on (0, 1]")
    return (lambdify_ball((w_sym, ks), numerator),
            lambdify_ball((w_sym, ks), sp.diff(numerator, w_sym)),
            lambdify_ball((ks,), derive_synthetic_noise().w_star))


def _minnorm_optimum(spec, gamma, lam, sigma2, r2, kappa_s, dps):
    """``λ = 0``: the closed form ``w*(κ_s)`` in a ball, its uniqueness and global
    minimality from ``c'`` (the risk is ``B₀ + c(w; κ_s) V₀`` with ``V₀ > 0``)."""
    flint = require_flint()
    # the risk is B₀ + c(w; κ_s) V₀ with V₀ = σ² df₂/(1 − df₂) > 0 (σ² > 0 and
    # 0 < df₂ < 1 at κ₀): the slope has the sign of c'(w), hence of its numerator
    N, dN, w_star = _minnorm_forms()
    prec = bits_for(dps)
    for _ in range(4):
        with working_precision(prec):
            k = ball("kappa_s", kappa_s)
            W = w_star(k)
            wm = W.mid()
            r = max(W.rad(), wm * flint.arb(2)**(8 - prec)) * 2
            lo, hi = wm - r, wm + r
            ok = N(lo, k) < 0 < N(hi, k)
            rho = (wm / 20).mid()
            ok = ok and dN(flint.arb(wm, rho), k) > 0
            if ok:
                _sign_cover(lambda V: N(V, k), flint.arb(0), wm - rho, -1)
                if wm + rho < 1:
                    _sign_cover(lambda V: N(V, k), wm + rho, flint.arb(1), +1)
                out, wide = _read({"w": flint.arb(wm, r)}, dps, flint)
                if wide is None:
                    return out["w"]
        prec = prec * 3 // 2 + 32
    raise CertificationError("optimal_w: the closed-form w* could not be certified")


def minnorm_w_ball(kappa_s):
    """The closed form ``w*(κ_s)`` of the symbolic layer as a ball (current precision)."""
    from ...symbolic.symbols import kappa_s as ks
    from ...symbolic.synthetic_noise import derive_synthetic_noise
    from .balls import lambdify_ball
    return lambdify_ball((ks,), derive_synthetic_noise().w_star)(ball("kappa_s", kappa_s))


def certify_optimum(spec, gamma, lam, sigma2, r2, kappa_s, dps):
    """A :class:`CertifiedOptimum` for ``t = None`` (the caller builds the risk
    enclosures at ``λ = 0`` and on the boundary)."""
    if lam == 0 or (hasattr(lam, "__eq__") and lam == 0):
        value = _minnorm_optimum(spec, gamma, lam, sigma2, r2, kappa_s, dps)
        return CertifiedOptimum(value, False, None, None, {})
    return _ridge_optimum(spec, gamma, lam, sigma2, r2, kappa_s, dps)


def certify_critical_lambda(spec, gamma, r2, sigma2, kappa_s, dps):
    """``(value, (lo, hi))`` of ``λ_c``: a sign change of the slope at ``w = 1``
    across a bracket around the uncertified root (``λ_c`` is in it)."""
    flint = require_flint()
    from ..context import mp, private_context
    from ..optimize import critical_lambda as uncertified
    from ..precision import to_mpf
    with private_context(), mp.workdps(20):
        guess = uncertified(spec, to_mpf("gamma", gamma), to_mpf("r2", r2),
                            to_mpf("sigma2", sigma2), kappa_s=to_mpf("kappa_s", kappa_s))
        guess = flint.arb(str(mp.nstr(guess, 20))).mid()     # an exact starting point
    prec = bits_for(dps)
    for _ in range(4):
        with working_precision(prec):
            P = _Problem(spec, gamma, 1, sigma2, r2, kappa_s, prec)
            one = flint.arb(1)

            def slope_at(lam):
                return risk_balls(one, lam, P.H, P.G, P.gamma, P.r2, P.sigma2, P.kappa_s,
                                  prec, slope=True).slope
            lam = guess
            for _ in range(60):        # secant steps on the midpoints
                h = (lam * flint.arb(2)**(-prec // 3)).mid()
                f0, f1 = slope_at(lam).mid(), slope_at(lam + h).mid()
                if f1 == f0:
                    break
                step = (f0 * h / (f1 - f0)).mid()
                lam = (lam - step).mid()
                if abs(step) <= lam * flint.arb(2)**(24 - prec):
                    break
            delta = (lam * flint.arb(2)**(20 - prec)).mid()
            s_lo, s_hi = slope_at(lam - delta), slope_at(lam + delta)
            # w* < 1 below λ_c (slope > 0 at 1), w* = 1 above it
            if s_lo > 0 > s_hi:
                out, wide = _read({"lambda_c": flint.arb(lam, delta)}, dps, flint)
                if wide is None:
                    return out["lambda_c"]
        prec = prec * 3 // 2 + 32
    raise CertificationError("critical_lambda: no certified sign change of the slope at w = 1")
