r"""Covers of an interval of weights by balls on which the slope of the risk
has a proved sign (the global part of the certificate of ``w*``).

Two strategies, both rigorous, for ``sign · S > 0`` on ``[lo, hi]``:

* :func:`walk` — per region ``Z`` one enclosure ``S'(Z) ⊂ [m₁, m₂]``, then
  from a point ``x`` with ``sign · S(x) > 0`` the sign holds up to
  ``x + |S(x)|/M`` (``M`` the bound of ``S'`` against that sign): point
  evaluations of the slope only, as long as the curvature bound is useful;
* :func:`sign_cover` — bisection, each ball ``W`` checked with
  ``problem.slope_over(W)`` (a mean-value or divided-difference form).

:func:`cover` tries the walk and falls back to the bisection.
"""
from .balls import CertificationError, mid_mpf, require_flint

__all__ = ["cover", "walk", "sign_cover", "MAX_PIECES", "WALK_LIMIT"]

#: the most balls a cover may use before giving up
MAX_PIECES = 4000


def sign_cover(slope_over, lo, hi, sign, limit=MAX_PIECES):
    """Decide ``sign · S > 0`` on ``[lo, hi]`` (arbs, exact ends) by balls,
    bisecting the undecided ones; ``CertificationError`` past ``limit``."""
    flint = require_flint()
    stack, used = [(lo, hi)], 0
    while stack:
        a, b = stack.pop()
        used += 1
        if used > limit:
            raise CertificationError(f"optimal_w: the sign of the slope was not decided on "
                                     f"[{mid_mpf(a)}, {mid_mpf(b)}] within {limit} balls")
        W = flint.arb((a + b) / 2, (b - a) / 2)
        try:
            value = slope_over(W)
            decided = (value > 0) if sign > 0 else (value < 0)
        except (CertificationError, ZeroDivisionError):
            decided = False
        if not decided:
            m = ((a + b) / 2).mid()
            if not (a < m < b):
                raise CertificationError("optimal_w: the cover cannot be refined further")
            stack += [(a, m), (m, b)]
    return used


def regions(lo, hi, sign):
    """``[lo, hi]`` cut where the curvature bound of one region stays useful;
    as a stack, first region last.

    Below the optimum (``sign < 0``): from ``hi`` down by the ratio
    :data:`GROWTH` (the curvature's enclosure over a region widens with
    ``hi/lo``, fast at small ``w``), a last piece shorter than half a step
    joined to its neighbour — measured on the benchmark case, each region
    then needs one slope, at its upper end. Above it: halving the distance
    to ``lo`` from the middle down to a quarter of the interval, doubling
    ``w`` from the middle up — with the curvature in divided differences a
    region that fails is split by the walk at less cost than many small
    regions up front."""
    cuts = [lo]
    if sign < 0:
        x = hi
        while x > lo * GROWTH:
            x = (x / GROWTH).mid()
            cuts.append(x)
        if len(cuts) > 1 and cuts[-1] < lo * GROWTH ** 0.5:
            cuts.pop()
    else:
        middle = ((lo + hi) / 2).mid()
        d = (middle - lo).mid()
        steps = []
        while d > (hi - lo) / 4:
            steps.append((lo + d).mid())
            d = (d / 2).mid()
        cuts += steps[::-1]
        x = middle
        while 2 * x < hi:
            x = (2 * x).mid()
            cuts.append(x)
    cuts = sorted(set(c for c in cuts if lo <= c < hi), key=mid_mpf) + [hi]
    pieces = [(a, b) for a, b in zip(cuts, cuts[1:]) if a < b]
    return pieces[::-1]


def walk(problem, lo, hi, sign, limit=MAX_PIECES, top=None):
    """Prove ``sign · S > 0`` on ``[lo, hi]`` (``hi ≤ NEAR_1``) by walking away
    from the optimum: up from each region's lower end for ``sign > 0``, down
    from its upper end for ``sign < 0``. On a region ``Z`` with
    ``S'(Z) ⊂ [m₁, m₂]`` (one curvature enclosure per region), ``S(x)`` keeps
    its sign on ``[x, x + |S(x)|/M]`` (resp. ``[x − |S(x)|/M, x]``) with
    ``M = (−m₁)⁺`` in both cases — moving away from the zero, only a
    negative curvature can bring the slope back to 0, and ``m₁ ≥ 0`` proves
    the rest of the region at once. (The bound against the other direction
    would be ``m₂``: the true curvature plus the overestimate, instead of
    the overestimate minus it.) Regions are halved when their curvature
    cannot be enclosed, and the rest of a region is halved as soon as one
    step covers less than ``1/SPLIT_RATIO`` of it. ``top`` (``sign < 0``,
    ``lo < top < hi``): ``[top, hi]`` is one region and the cuts of
    :func:`regions` start below it. Returns the number of slope and curvature
    evaluations."""
    flint = require_flint()
    if top is not None and sign < 0 and lo < top < hi:
        stack = regions(lo, top, sign) + [(top, hi)]
    else:
        stack = regions(lo, hi, sign)
    used = 0
    while stack:
        a, b = stack.pop()
        used += 1
        try:
            curvature = problem.region_curvature(a, b)
            if not curvature.is_finite():
                # a NaN or unbounded enclosure bounds nothing (a NaN's lower end
                # compares false with 0 and would read as "no negative curvature")
                raise CertificationError("no finite curvature enclosure")
            bound = -curvature.lower()
            bound = bound if bound > 0 else flint.arb(0)
            if not bound.is_finite():
                raise CertificationError("unbounded curvature")
        except (CertificationError, ZeroDivisionError):
            m = ((a + b) / 2).mid()
            if not (a < m < b) or used > limit:
                raise CertificationError("optimal_w: no curvature bound on a region of the "
                                         "cover") from None
            stack += [(m, b), (a, m)]
            continue
        x = a if sign > 0 else b
        while (x < b) if sign > 0 else (x > a):
            used += 1
            if used > limit:
                raise CertificationError(f"optimal_w: the sign of the slope was not decided "
                                         f"within {limit} evaluations")
            s = problem.slope(x)
            if not ((s > 0) if sign > 0 else (s < 0)):
                raise CertificationError(f"optimal_w: the slope at w = {mid_mpf(x)} has not "
                                         f"the sign of the cover ({s})")
            if bound.is_zero():
                break
            rest = (b - x) if sign > 0 else (x - a)
            x = (x + sign * abs(s).lower() * 15 / (16 * bound)).mid()
            if ((x < b) if sign > 0 else (x > a)) and \
                    (abs(s).lower() * 15 / (16 * bound)) * SPLIT_RATIO < rest:
                # the step covers less than 1/SPLIT_RATIO of what is left: the bound
                # is too loose for it — a tighter one for each half of the rest
                # (rather than many short steps on the loose one)
                m = ((x + b) / 2 if sign > 0 else (a + x) / 2).mid()
                stack += [(m, b), (x, m)] if sign > 0 else [(a, m), (m, x)]
                break
    return used


#: the ratio of consecutive cuts of :func:`regions` below the optimum: at
#: small ``w`` the curvature's enclosure over a region widens with ``hi/lo``
#: (measured on the benchmark case: over [0.217, 0.365] no finite one in
#: divided differences, and the fallback form, ±6e3, decided nothing)
GROWTH = 6 / 5


#: a walk step shorter than 1/SPLIT_RATIO of the rest of its region splits the rest
SPLIT_RATIO = 8


#: evaluations a walk may take before the bisection cover takes over
WALK_LIMIT = 400


def cover(problem, lo, hi, sign, top=None):
    """``sign · S > 0`` on ``[lo, hi]``: the walk (``top``: see :func:`walk`),
    else the bisection cover (the walk's curvature bounds can be too loose
    near ``w = 1`` or ``0``)."""
    try:
        return walk(problem, lo, hi, sign, limit=WALK_LIMIT, top=top)
    except CertificationError:
        return WALK_LIMIT + sign_cover(problem.slope_over, lo, hi, sign)
