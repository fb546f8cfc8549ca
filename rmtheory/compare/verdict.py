r"""The verdict of a Monte Carlo point: which reference, and its z-score.

A finite-n Monte Carlo mean is compared with the theory in one of three
ways, chosen per point (no tolerance rule anywhere):

``"exact finite-n"``
    Where the finite-n expectation is known exactly — Gaussian isotropic
    designs with ``λ = 0``, ``|p − n| > 1`` (result 9,
    :func:`rmtheory.symbolic.finite_n_gaussian.finite_n_gaussian_risk`) —
    ``z = (R̄ − E[R_t])/se`` at the run's ``n``.
``"extrapolated limit"``
    Otherwise the limit claim itself is tested: the design is run at the
    sizes of :func:`ladder` (``n/4, n/2, n`` by default), the means are
    fitted by ``R∞ + b/n`` (:func:`rmtheory.compare.extrapolate.fit_limit`)
    and ``z = (R̂∞ − R_theory)/se(R̂∞)``.
``"limit"``
    The plain ``z = (R̄ − R_theory)/se`` at one ``n``: information only,
    since it also measures the ``O(1/n)`` finite-size gap; it is the
    verdict only when asked for (``reference="limit"``) or when a run was
    cut short before the other sizes.

Every verdict z is put on the normal scale (Student t with the draws'
degrees of freedom mapped to the normal quantile of the same tail), so
that the z-scores of a right theory are ``N(0, 1)``:
:mod:`rmtheory.compare.calibration` checks that.

Examples
--------
>>> from rmtheory.compare.verdict import exact_reference, ladder
>>> ladder(160)
(40, 80, 160)
>>> exact_reference("isotropic", w=1.0, lam=0.0, n=40, p=80, t=None, sigma2=1.0, r2=1.0,
...                 kappa_s=1.0)
1.5256410256410255
>>> exact_reference("ar1", w=1.0, lam=0.0, n=40, p=80, t=None, sigma2=1.0, r2=1.0,
...                 kappa_s=1.0) is None
True
"""
import math

from .extrapolate import fit_limit, normal_z

__all__ = ["REFERENCES", "EXACT", "EXTRAPOLATED", "LIMIT", "DETERMINISTIC", "ladder",
           "exact_reference", "point_verdict", "DEFAULT_LADDER"]

EXACT = "exact finite-n"
EXTRAPOLATED = "extrapolated limit"
LIMIT = "limit"
DETERMINISTIC = "deterministic equivalent"
#: the references a verdict may use (``"auto"`` picks the first that applies)
REFERENCES = ("auto", EXACT, EXTRAPOLATED, LIMIT)
#: sizes of the extrapolation as fractions of the run's ``n``
DEFAULT_LADDER = (0.25, 0.5, 1.0)


def ladder(n, fractions=DEFAULT_LADDER):
    """The sizes ``round(f n)`` for ``f`` in ``fractions`` (increasing, distinct).

    Raises
    ------
    ValueError
        When two sizes coincide or one is below 2 (``n`` too small to
        extrapolate).

    Examples
    --------
    >>> from rmtheory.compare.verdict import ladder
    >>> ladder(30), ladder(200, (0.5, 1.0))
    ((8, 15, 30), (100, 200))
    """
    sizes = tuple(int(round(f * n)) for f in fractions)
    if any(b <= a for a, b in zip(sizes, sizes[1:])) or sizes[0] < 2:
        raise ValueError(f"n too small to extrapolate: the sizes round(f*n) for f in "
                         f"{tuple(fractions)} are {sizes}, which must be distinct and >= 2, "
                         f"received n={n}; use a larger n or reference='limit'")
    return sizes


def exact_reference(spectrum, *, w, lam, n, p, t, sigma2, r2, kappa_s, entries="gaussian"):
    """The exact finite-n expected risk where result 9 gives it, else ``None``.

    It applies to Gaussian entries, the isotropic model, ``λ = 0`` and
    ``|p − n| > 1`` (min-norm or OLS); the value is the mean over designs
    of the exact conditional risk (and of the literal loop).
    """
    if spectrum != "isotropic" or entries != "gaussian" or float(lam) != 0.0 \
            or abs(p - n) <= 1:
        return None
    from ..symbolic.finite_n_gaussian import finite_n_gaussian_risk
    return finite_n_gaussian_risk(float(w), n=n, p=p, sigma2=sigma2, r2=r2, t=t,
                                  kappa_s=kappa_s)[2]


def point_verdict(reference, *, theory, ns, means, ses, draws, exact=None, order=1):
    """The verdict of one point: ``(reference, reference_value, z, fit)``.

    Parameters
    ----------
    reference : {"exact finite-n", "extrapolated limit", "limit"}
    theory : float
        The limiting theory.
    ns, means, ses, draws : sequences
        Per size, increasing in ``n``; the last is the run's own size.
    exact : float, optional
        The exact finite-n expectation at the last size (for ``"exact finite-n"``).

    Returns
    -------
    tuple
        ``reference``; the value tested against (``exact``, the
        extrapolated ``R̂∞``, or ``theory``); the verdict z on the normal
        scale; the :class:`~rmtheory.compare.extrapolate.LimitFit` or ``None``.

    Examples
    --------
    >>> from rmtheory.compare.verdict import point_verdict
    >>> ref, value, z, fit = point_verdict("extrapolated limit", theory=1.0, ns=[50, 100, 200],
    ...     means=[1.1, 1.05, 1.025], ses=[0.01] * 3, draws=[20] * 3)
    >>> ref, round(value, 9), round(z, 6)
    ('extrapolated limit', 1.0, 0.0)
    """
    mean, se, k = float(means[-1]), float(ses[-1]), int(draws[-1])
    if reference == EXACT:
        return EXACT, float(exact), normal_z(mean - float(exact), se, k - 1), None
    if reference == LIMIT:
        return LIMIT, float(theory), normal_z(mean - float(theory), se, k - 1), None
    if reference != EXTRAPOLATED:
        raise ValueError(f"reference must be one of {REFERENCES[1:]}, received {reference!r}")
    if any(math.isnan(float(s)) for s in ses):
        return EXTRAPOLATED, math.nan, math.nan, None
    fit = fit_limit(ns, means, ses, order=order, draws=draws)
    return EXTRAPOLATED, fit.limit, fit.z(theory), fit
