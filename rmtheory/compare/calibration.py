r"""Check the checker: verdict z-scores of a right theory are ``N(0, 1)``.

A verdict test is honest when, over many points where the theory is
right, its z-scores follow the standard normal law. Points that share
their Monte Carlo designs (the ``w`` values or the refits ``t`` of one
series) are correlated: each z-score is ``N(0, 1)``, but the z-scores of a
series move as one, so a test that counted them as independent would
assume more evidence than there is. ``groups`` gives each z-score its
series, and the tests use one z-score per group (the middle one of its
order, a choice fixed before looking at the values). :func:`calibration`
then asks three things:

- of the independent z-scores, the count beyond ``|z| > 3`` must not be
  surprising for ``N(0, 1)`` (which gives 0.27 %): one-sided binomial
  ``P(Binomial(G, 0.27 %) >= k) >= 0.01``;
- the Kolmogorov–Smirnov test of the independent z-scores against
  ``N(0, 1)`` must have ``p >= 0.01``;
- of *all* ``N`` z-scores, the largest ``|z|`` must not be surprising
  whatever their correlation: the Bonferroni bound
  ``min(1, N·P(|Z| > max|z|)) >= 0.01`` (a wrong theory that moves only
  some points of a series is seen here, not by the middle z-score).

Each has level at most 1 %, so a right theory fails at most 3 % of
independent runs. The fraction of all points beyond 3 is reported, not
tested: one unlucky set of shared designs puts a whole series beyond 3
together (seen: 12 of the 17 refits of one series, 3 % of a report's
points, on a right theory), so a bound on that fraction has no level one
can state.

:func:`detection_threshold` asks the converse: by how much may a theory
be off (``R_theory × (1 + δ)``) before these same data fail the check.

Examples
--------
>>> import numpy as np
>>> from rmtheory.compare.calibration import calibration
>>> cal = calibration(np.random.default_rng(0).standard_normal(400))
>>> cal.passed, cal.beyond
(True, 3)
"""
import math
from typing import NamedTuple

import numpy as np

__all__ = ["Calibration", "calibration", "detection_threshold", "NORMAL_BEYOND_3",
           "KS_ALPHA"]

#: ``P(|Z| > 3)`` for ``Z ~ N(0, 1)``
NORMAL_BEYOND_3 = math.erfc(3 / math.sqrt(2))
#: the level of each test: the smallest binomial and Kolmogorov–Smirnov
#: p-value a calibrated verdict may show
KS_ALPHA = 0.01


class Calibration(NamedTuple):
    """The calibration of a set of verdict z-scores.

    Attributes
    ----------
    count : int
        Finite z-scores used.
    beyond : int
        How many have ``|z| > 3`` (information: they are not independent).
    fraction : float
        ``beyond / count`` (information).
    ks_count : int
        Independent z-scores (one per group): the sample of the binomial
        and KS tests.
    ks_beyond : int
        How many of them have ``|z| > 3``.
    binomial_p : float
        ``P(Binomial(ks_count, 0.27 %) >= ks_beyond)``: how surprising that
        count is for ``N(0, 1)`` z-scores.
    ks_statistic, ks_p : float
        Kolmogorov–Smirnov statistic and p-value against ``N(0, 1)``.
    max_abs_z, max_p : float
        The largest ``|z|`` of all points, and its Bonferroni p-value
        ``min(1, count·P(|Z| > max_abs_z))``, valid under any correlation.
    mean, std : float
        Of the KS sample (``0`` and ``1`` for ``N(0, 1)``).
    passed : bool
        ``binomial_p``, ``ks_p`` and ``max_p`` all ``>= KS_ALPHA``.
    """
    count: int
    beyond: int
    fraction: float
    ks_count: int
    ks_beyond: int
    binomial_p: float
    ks_statistic: float
    ks_p: float
    max_abs_z: float
    max_p: float
    mean: float
    std: float
    passed: bool

    def sentence(self):
        """One line for a report."""
        if self.count == 0:
            return "no random points: nothing to calibrate"
        return (f"over {self.ks_count} independent series (one z each): {self.ks_beyond} "
                f"beyond ±3 (binomial p = {self.binomial_p:.2g}; N(0, 1) gives "
                f"{NORMAL_BEYOND_3:.2%}), Kolmogorov–Smirnov against N(0, 1) p = "
                f"{self.ks_p:.2g} (mean {self.mean:+.2f}, sd {self.std:.2f}) — "
                + ("calibrated" if self.passed else "NOT calibrated")
                + f" (criteria: binomial, KS and largest-|z| p >= {KS_ALPHA:g}); of all "
                  f"{self.count} verdict z-scores, which share designs within a series, "
                  f"{self.beyond} ({self.fraction:.1%}) lie beyond ±3, the largest |z| = "
                  f"{self.max_abs_z:.2f} (Bonferroni p = {self.max_p:.2g})")


def _one_per_group(z, groups):
    if groups is None:
        return z
    order = {}
    for value, g in zip(z, groups):
        order.setdefault(g, []).append(value)
    return np.array([vals[(len(vals) - 1) // 2] for vals in order.values()])


def calibration(z, groups=None):
    """Test whether verdict z-scores look ``N(0, 1)`` (see the module).

    Parameters
    ----------
    z : sequence of float
        Verdict z-scores; ``nan`` (no spread) are left out.
    groups : sequence of hashable, optional
        The series of each z-score (points sharing designs); default:
        every z-score independent.

    Returns
    -------
    Calibration
        With no z-score (every point deterministic), ``count = 0`` and
        ``passed = False``.

    Examples
    --------
    >>> from rmtheory.compare.calibration import calibration
    >>> calibration([0.1, -0.5, 4.0, 0.3] * 30).passed
    False
    >>> calibration([]).sentence()
    'no random points: nothing to calibrate'
    """
    from scipy.stats import binom, kstest
    z = np.asarray(z, dtype=float)
    keep = ~np.isnan(z)
    if groups is not None:
        groups = [g for g, k in zip(groups, keep) if k]
    z = z[keep]
    if z.size == 0:     # nothing random to test: not calibrated, and saying why
        return Calibration(0, 0, math.nan, 0, 0, math.nan, math.nan, math.nan, math.nan,
                           math.nan, math.nan, math.nan, False)
    beyond = int(np.sum(np.abs(z) > 3.0))
    sample = _one_per_group(z, groups)
    ks_beyond = int(np.sum(np.abs(sample) > 3.0))
    binom_p = float(binom.sf(ks_beyond - 1, sample.size, NORMAL_BEYOND_3))
    finite = sample[np.isfinite(sample)]
    if finite.size == sample.size and sample.size > 0:
        ks = kstest(sample, "norm")
        stat, p = float(ks.statistic), float(ks.pvalue)
    else:    # an infinite z: certainly not N(0, 1)
        stat, p = 1.0, 0.0
    fraction = beyond / z.size
    largest = float(np.max(np.abs(z)))
    # P(|Z| > m) = erfc(m/√2); the union bound over all points holds under any correlation
    max_p = min(1.0, z.size * math.erfc(largest / math.sqrt(2))) if math.isfinite(largest) \
        else 0.0
    return Calibration(int(z.size), beyond, fraction, int(sample.size), ks_beyond, binom_p,
                       stat, p, largest, max_p,
                       float(np.mean(finite)) if finite.size else math.nan,
                       float(np.std(finite, ddof=1)) if finite.size > 1 else math.nan,
                       bool(binom_p >= KS_ALPHA and p >= KS_ALPHA and max_p >= KS_ALPHA))


def detection_threshold(zs_of, *, low=1e-5, high=0.5, steps=40):
    r"""The smallest relative error ``δ > 0`` of a theory that the check
    detects: the least ``δ`` for which ``calibration(zs_of(1 + δ))`` or
    ``calibration(zs_of(1 − δ))`` fails, by bisection in ``log δ``.

    Parameters
    ----------
    zs_of : callable
        ``factor -> (z, groups)``: the verdict z-scores of the theory
        multiplied by ``factor``.
    low, high : float
        Bracket of ``δ``; ``high`` must be detected.

    Returns
    -------
    float
        ``δ`` to about 1 % of itself; ``nan`` when even ``high`` passes,
        ``low`` when the right theory itself fails.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtheory.compare.calibration import detection_threshold
    >>> ref, se = np.ones(200), np.full(200, 0.01)
    >>> mean = ref + se * np.random.default_rng(0).standard_normal(200)
    >>> d = detection_threshold(lambda f: ((mean - f * ref) / se, None))
    >>> 0.001 < d < 0.005
    True
    """
    if calibration(*zs_of(1.0)).count == 0:
        return math.nan

    def fails(delta):
        return any(not calibration(*zs_of(1.0 + s * delta)).passed for s in (1, -1))
    if not fails(high):
        return math.nan
    if fails(low):
        return low
    a, b = math.log(low), math.log(high)
    for _ in range(steps):
        if b - a < 0.01:
            break
        mid = 0.5 * (a + b)
        if fails(math.exp(mid)):
            b = mid
        else:
            a = mid
    return math.exp(b)
