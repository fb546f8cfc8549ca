"""The pieces of the certified optimum added for issue 14's second round:
κ over a ball of penalties from its two ends, the tail floor of result 10
(``proofs/p10_certified_bounds.py``) against the risk itself, and the
second-order forms, now derived in :mod:`rmtheory.symbolic.certified_forms`."""
import ast
from pathlib import Path

import numpy as np
import pytest

import rmtheory as rt

flint = pytest.importorskip("flint")

from rmtheory.api import _spectrum  # noqa: E402
from rmtheory.numeric.certified import optimize  # noqa: E402
from rmtheory.numeric.certified.balls import ball_measures, working_precision  # noqa: E402
from rmtheory.numeric.certified.derived import second_order_forms  # noqa: E402
from rmtheory.numeric.certified.kappa import enclose_kappa  # noqa: E402
from rmtheory.numeric.certified.risk import kappa_hull, penalty_balls  # noqa: E402

DISCRETE10 = dict(eigs=tuple(float(x) for x in np.linspace(0.2, 4.0, 10)), weights=(0.1,) * 10)
PREC = 96


def _measures():
    """The ball measures at the working precision (call inside it: the
    inputs' balls are read at the current precision)."""
    return ball_measures(_spectrum("discrete", DISCRETE10, ()))


def test_kappa_over_a_ball_of_penalties_holds_every_member_and_is_tighter():
    with working_precision(PREC):
        H, _ = _measures()
        gamma = flint.arb(2)
        P = flint.arb("0.8", "0.02")
        hull = kappa_hull(P, H, gamma, PREC)
        krawczyk = enclose_kappa(P, H, gamma, PREC, max_relative=float("inf"))
        for x in np.linspace(0.78, 0.82, 9):
            assert hull.contains(enclose_kappa(flint.arb(float(x)), H, gamma, PREC))
        assert hull.rad() < krawczyk.rad()      # the ends' spread, no contraction term
        # 1 - γI₂ over the ball: the direct form is intersected, so κ' is tight
        pb = penalty_balls(P, H, H, gamma, flint.arb(1), PREC, max_relative=float("inf"))
        lo = penalty_balls(P.lower(), H, H, gamma, flint.arb(1), PREC).kappa_prime
        hi = penalty_balls(P.upper(), H, H, gamma, flint.arb(1), PREC).kappa_prime
        assert pb.kappa_prime.contains(lo) and pb.kappa_prime.contains(hi)
        assert pb.kappa_prime.rad() < 4 * abs(lo - hi).upper()


@pytest.mark.parametrize("w_min, kappa_s, lam", [(0.2, 1, 0.5), (0.05, 1, 0.5), (0.3, 0.25, 2.0)])
def test_tail_floor_is_below_the_risk_on_the_tail(w_min, kappa_s, lam):
    """Result 10 in numbers: the floor on (0, w_min] is below the risk at
    every sampled w there, and not vacuous (at least 40% of the smallest)."""
    spec = _spectrum("discrete", DISCRETE10, ())
    with working_precision(PREC):
        problem = optimize._Problem(spec, 2.0, lam, 1.0, 1.0, kappa_s, PREC)
        floor = problem.tail_floor(flint.arb(w_min))
        risks = []
        for w in np.geomspace(w_min / 50, w_min, 12):
            r = problem.risk(flint.arb(float(w)))
            risks.append(r.bias + r.variance)
        assert all(floor < r for r in risks)
        assert floor > 0.4 * min(risks, key=lambda b: b.mid())


def test_second_order_forms_match_a_difference_quotient():
    """κ'' of the symbolic layer against (κ'(λ+h) − κ'(λ−h))/2h: the error
    O(h²) ≈ 1e-12 is far below the enclosure's agreement asked here."""
    S2 = second_order_forms()
    with working_precision(PREC):
        H, G = _measures()
        gamma, r2, lam = flint.arb(2), flint.arb(1), flint.arb("0.7")
        h = flint.arb(2) ** -20
        pb = penalty_balls(lam, H, G, gamma, r2, PREC)
        kpp = S2["kappa_pp"](gamma, pb.integrals["I2_kappa"], pb.kappa_prime, pb.one_minus_df2)
        up = penalty_balls(lam + h, H, G, gamma, r2, PREC).kappa_prime
        down = penalty_balls(lam - h, H, G, gamma, r2, PREC).kappa_prime
        quotient = (up - down) / (2 * h)
        assert abs(kpp - quotient) < 1e-9 * abs(kpp)
        assert kpp < 0                      # κ' = 1/(1 − γI₂) decreases: I₂ does


def test_the_derivation_lives_in_the_symbolic_layer():
    """numeric/certified/derived.py lambdifies; it imports no SymPy itself, and
    the symbolic module imports nothing from the numeric layer."""
    root = Path(rt.__file__).resolve().parent

    def imports(path):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names.add("." * node.level + (node.module or ""))
        return names
    derived = imports(root / "numeric" / "certified" / "derived.py")
    assert "sympy" not in derived
    symbolic = imports(root / "symbolic" / "certified_forms.py")
    assert not any("numeric" in name for name in symbolic)


def test_certified_optimum_agrees_with_the_two_precision_check():
    """The old check (dps + 10 against dps + 25) and the certificate on the
    benchmark case: the uncertified w* lies within 10^-(dps-5) of the ball."""
    from mpmath import mp
    cert = rt.optimal_w("discrete", gamma=2.0, lam=0.5, dps=30, certify=True, **DISCRETE10)
    plain = rt.optimal_w("discrete", gamma=2.0, lam=0.5, dps=30, **DISCRETE10)
    lo, hi = cert.enclosures["w"]
    with mp.workdps(60):
        gap = max(lo - plain.w, plain.w - hi, 0)
        assert gap <= mp.mpf(10) ** -25 * plain.w
        assert (hi - lo) / 2 <= mp.mpf(10) ** -28 * plain.w


@pytest.mark.parametrize("bits", [64, 96])
def test_the_unrefined_double_root_path_at_few_bits(bits):
    """At ≤ 100 bits the double-precision root goes to the Krawczyk test
    unrefined: the ball holds the high-precision enclosure, is as tight as
    the bits allow, and a derivative from a shifted atom still fails."""
    from rmtheory.numeric.certified.kappa import _functions
    with working_precision(bits):
        H, _ = _measures()
        gamma, lam = flint.arb(2), flint.arb("0.37")
        quick = enclose_kappa(lam, H, gamma, bits)
        _, shifted = _functions(lam, H.shifted(3, flint.arb(10)**-3), gamma)
        with pytest.raises(Exception, match="derivative"):
            enclose_kappa(lam, H, gamma, bits, derivative=shifted)
    with working_precision(200):
        H, _ = _measures()
        precise = enclose_kappa(flint.arb("0.37"), H, flint.arb(2), 200)
    assert quick.contains(precise)
    assert quick.rad() <= abs(quick.mid()) * 2.0**(20 - bits)


@pytest.mark.parametrize("lo, hi", [(0.3, 0.34), (0.6, 0.62), (0.62, 0.64), (0.85, 0.86)])
def test_region_curvature_holds_the_curvature_at_every_sampled_weight(lo, hi):
    """The curvature over a region from κ at its ends (monotone) and the
    centred form in the explicit w: it contains the point curvature at each
    sampled weight of the region (and is finite)."""
    spec = _spectrum("discrete", DISCRETE10, ())
    with working_precision(PREC):
        problem = optimize._Problem(spec, 2.0, 0.5, 1.0, 1.0, 1.0, PREC)
        region = problem.region_curvature(flint.arb(lo), flint.arb(hi))
        assert region.is_finite()
        for x in np.linspace(lo, hi, 7):
            point = problem.curvature(flint.arb(float(x)))
            assert region.contains(point), (x, region, point)
        # the cached κ at an end is the one enclose_kappa proves afresh
        k_a, _ = problem.kappas_at(flint.arb(lo))
        assert k_a.overlaps(enclose_kappa(problem.lam / flint.arb(lo), problem.H,
                                          problem.gamma, PREC))


@pytest.mark.parametrize("dps", [15, 150])
def test_certified_ridge_optimum_at_low_and_high_precision(dps):
    """The candidate is found at the cover's 96 bits and polished with that
    curvature: at dps 150 the polishing needs several steps (the derivative's
    relative error ~2^-66 bounds the gain per step) — the bracket proves it."""
    from mpmath import mp
    cert = rt.optimal_w("discrete", gamma=2.0, lam=0.5, dps=dps, certify=True, **DISCRETE10)
    plain = rt.optimal_w("discrete", gamma=2.0, lam=0.5, dps=dps, **DISCRETE10)
    lo, hi = cert.enclosures["w"]
    with mp.workdps(dps + 20):
        assert max(lo - plain.w, plain.w - hi, 0) <= mp.mpf(10) ** (5 - dps) * plain.w
        assert (hi - lo) / 2 <= mp.mpf(10) ** (2 - dps) * plain.w


class _NanCurvature:
    """A slope that is negative at every point the walk samples (the ends of
    its regions) but ``W − 0.3`` over balls (positive above 0.3: a cover of
    ``[0.25, 0.5]`` with sign < 0 must fail), and a curvature enclosure that
    is NaN: it bounds nothing, so the walk must not accept a region from
    one point."""
    def region_curvature(self, lo, hi):
        return flint.arb("nan")

    def slope(self, x):
        return flint.arb(-1)

    def slope_over(self, W):
        return W - flint.arb(0.3)


def test_walk_refuses_a_region_whose_curvature_enclosure_is_nan():
    """A NaN lower end compares false with 0: read as "no negative
    curvature" it proved a whole region from one slope (found in the
    benchmark case: regions [0.197, 0.394] and [0.729, 0.99] were accepted
    that way). The walk and the cover must fail instead."""
    from rmtheory.numeric.certified.balls import CertificationError
    from rmtheory.numeric.certified.cover import cover, walk
    with working_precision(PREC):
        lo, hi = flint.arb(0.25), flint.arb(0.5)
        with pytest.raises(CertificationError):
            walk(_NanCurvature(), lo, hi, -1, limit=50)
        with pytest.raises(CertificationError):
            cover(_NanCurvature(), lo, hi, -1)


@pytest.mark.parametrize("lam, lo, hi", [(0.5, 0.62, 0.66), (0.5, 0.9, 0.99), (3.0, 0.95, 0.999),
                                         (0.5, 0.7, 0.8)])
def test_divided_difference_curvature_is_positive_on_wide_regions(lam, lo, hi):
    """The curvature from divided differences bounded by the ends' values
    (κ'' ≤ 0, κ''' ≥ 0, κ'''' ≤ 0, result 10 section 5) holds every sampled
    point curvature and proves convexity on regions where the form in κ's
    values at the two penalties has no useful (or no finite) enclosure."""
    spec = _spectrum("discrete", DISCRETE10, ())
    with working_precision(PREC):
        problem = optimize._Problem(spec, 2.0, lam, 1.0, 1.0, 1.0, PREC)
        region = problem.region_curvature_dd(flint.arb(lo), flint.arb(hi))
        assert region > 0, region
        for x in np.linspace(lo, hi, 9):
            assert region.contains(problem.curvature(flint.arb(float(x)))), x
        old = problem.curvature(flint.arb((lo + hi) / 2, (hi - lo) / 2))
        assert not old > 0


def test_divided_difference_curvature_with_a_wrong_derivative_misses_the_curvature():
    """Corrupted step: kappa' at the ends' penalties 5 % too large (a wrong
    derivative, from which the second divided differences come) gives an
    enclosure that misses the curvature at some weight of the region (the
    containment check above would fail), or is refused outright."""
    spec = _spectrum("discrete", DISCRETE10, ())
    with working_precision(PREC):
        problem = optimize._Problem(spec, 2.0, 0.5, 1.0, 1.0, 1.0, PREC)
        honest = problem.derivatives_at

        def wrong(w):
            kpa, kpb, k3a, k3b, *second = honest(w)
            return (kpa * flint.arb("1.05"), kpb * flint.arb("1.05"), k3a, k3b, *second)
        problem.derivatives_at = wrong
        lo, hi = 0.63, 0.635
        from rmtheory.numeric.certified.balls import CertificationError
        try:
            region = problem.region_curvature_dd(flint.arb(lo), flint.arb(hi))
        except CertificationError:
            return      # refused inside: the third divided differences from the
            # corners and from the hull of the third derivative disagree
        points = [problem.curvature(flint.arb(float(x))) for x in np.linspace(lo, hi, 9)]
        assert not all(region.contains(p) for p in points)


def test_newton_enclosure_holds_the_optimum_and_refuses_a_wrong_curvature():
    """Step 2 of the certificate: the ball from Newton steps with an enclosed
    derivative holds the optimum of the two-precision path, and a curvature
    twice too large (a corrupted derivative) is caught by the slope at the
    ball's midpoint rather than returned as a ball."""
    from mpmath import mp
    from rmtheory.numeric.certified.balls import CertificationError, mid_mpf
    from rmtheory.numeric.certified.kappa import without_derivative_checks
    spec = _spectrum("discrete", DISCRETE10, ())
    reference = rt.optimal_w("discrete", gamma=2.0, lam=0.5, dps=40, **DISCRETE10).w
    prec = 135
    with working_precision(prec):
        problem = optimize._Problem(spec, 2.0, 0.5, 1.0, 1.0, 1.0, prec)
        with working_precision(PREC), without_derivative_checks():
            cover = optimize._Problem(spec, 2.0, 0.5, 1.0, 1.0, 1.0, PREC)
            start = optimize._bracketed_newton(cover, flint.arb(0.6), tolerance=-44)
        N, _, _, _, _ = optimize._newton_enclosure(problem, cover, start)
        with mp.workdps(40):
            assert mid_mpf(N.lower()) <= reference <= mid_mpf(N.upper())
            assert N.rad() < abs(N.mid()) * flint.arb(10)**-31
    # a curvature twice too large: the certified optimum refuses it
    honest = optimize._Problem.region_curvature_dd
    try:
        optimize._Problem.region_curvature_dd = lambda self, lo, hi: 2 * honest(self, lo, hi)
        with pytest.raises(CertificationError):
            with working_precision(prec):
                optimize._ridge_attempt(spec, 2.0, 0.5, 1.0, 1.0, 1.0, prec, 30, None)
    finally:
        optimize._Problem.region_curvature_dd = honest


def test_divided_difference_curvature_reaches_w_equal_one():
    """The form in divided differences has no pole at w = 1: a region ending
    at 1 has a finite, positive enclosure (the convex neighbourhood then
    reaches 1 and no slope sign is needed after the optimum) that holds the
    point curvature just below 1."""
    spec = _spectrum("discrete", DISCRETE10, ())
    with working_precision(PREC):
        problem = optimize._Problem(spec, 2.0, 3.0, 1.0, 1.0, 1.0, PREC)
        region = problem.region_curvature_dd(flint.arb(0.97), flint.arb(1))
        assert region > 0, region
        for x in (0.97, 0.99, 0.999):
            assert region.contains(problem.curvature(flint.arb(x))), x


def test_certified_optimum_within_two_tenths_of_a_percent_of_one():
    """lam = 3.9: w* = 0.99828, where the slope's ball at the first attempt's
    bits is wider than the bracket (the closed form cancels as (1 − w)^-2);
    the retry at more bits keeps the width the digits need and succeeds
    (it raised CertificationError before), agreeing with the two-precision
    path."""
    certified = rt.optimal_w("discrete", gamma=2.0, lam=3.9, dps=30, certify=True,
                             **DISCRETE10)
    from mpmath import mp
    plain = rt.optimal_w("discrete", gamma=2.0, lam=3.9, dps=30, **DISCRETE10)
    reference = rt.optimal_w("discrete", gamma=2.0, lam=3.9, dps=60, **DISCRETE10).w
    lo, hi = certified.enclosures["w"]
    with mp.workdps(60):
        assert lo <= reference <= hi
        assert certified.w == plain.w
