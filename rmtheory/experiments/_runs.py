"""What the experiments share: theory curves from the API, Monte Carlo
runs over independent designs (and over a ladder of sizes for the
extrapolated verdict), and the checks built from them.

Theory comes from :mod:`rmtheory.api` and the symbolic layer's callables
(nothing is retyped here); simulation from :mod:`rmtheory.montecarlo`;
verdicts from :mod:`rmtheory.compare`.
"""
import math
import zlib

import numpy as np

from .records import MODELS, Check, Points, Z95
from ..plot import style_of


def risk_curve(ws, model, *, gamma, lam=0.0, t=None, kappa_s=1.0, part="total"):
    """``rt.limiting_risk`` over ``ws`` as floats (mpmath at 15 digits)."""
    from ..api import limiting_risk
    out = []
    for w in ws:
        # at w = 1, λ = 0 the risk is B₀ + V₀ for every t; the finite-t path
        # divides by zero there (its w-derivative has a removable singularity)
        t_w = None if (float(w) == 1.0 and float(lam) == 0.0) else t
        r = limiting_risk(float(w), model.spectrum, gamma=float(gamma), lam=float(lam), t=t_w,
                          kappa_s=float(kappa_s), dps=15, **model.params)
        out.append(float(getattr(r, part)))
    return np.asarray(out)


def scheme_curve(ts, scheme, w=None, model=None, *, gamma, lam=0.0):
    """``rt.limiting_risk(w, scheme=scheme, t=t)`` at each ``t`` of ``ts`` as
    floats (mpmath at 15 digits); ``t=None`` in ``ts`` is the limit."""
    from ..api import limiting_risk
    model = model or MODELS["isotropic"]
    return np.array([float(limiting_risk(None if w is None else float(w), model.spectrum,
                                         gamma=float(gamma), lam=float(lam),
                                         t=None if t is None else int(t), dps=15,
                                         scheme=scheme, **model.params).total)
                     for t in ts])


def substream(seed, key):
    """A stream of ``seed`` (an int or a SeedSequence) apart from its spawned
    children: its spawn key extended by ``key``, an int outside the range of
    child indices (``seed.spawn`` numbers children 0, 1, …)."""
    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(seed)
    return np.random.SeedSequence(seed.entropy, spawn_key=tuple(seed.spawn_key) + (key,),
                                  pool_size=seed.pool_size)


def experiment_seed(seed, name):
    """The root of one experiment's random streams: the :func:`substream` of
    ``seed`` keyed by the experiment's ``name``.

    The report runs every experiment with the same root seed, and each
    spawns its children from it: without this, child ``k`` of one
    experiment would be child ``k`` of the next, and two figures could
    simulate the very same designs — correlated series that the
    calibration would count as independent."""
    return substream(seed, zlib.crc32(name.encode()))


def spawn(seed, k):
    """``k`` independent children of ``seed`` (an int or a SeedSequence)."""
    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(seed)
    return seed.spawn(k)


def mean_se(samples):
    samples = np.asarray(samples, dtype=float)
    k = samples.shape[0]
    se = samples.std(axis=0, ddof=1) / math.sqrt(k) if k > 1 else np.zeros(samples.shape[1:])
    return samples.mean(axis=0), se


def over_designs(model, *, n, gamma, draws, seed, fn, entries="gaussian", with_problem=False):
    """``fn(ConditionalRisk)`` (``fn(ConditionalRisk, Problem)`` with
    ``with_problem``) on ``draws`` independent designs: (mean, se)."""
    from ..montecarlo import ConditionalRisk
    values = []
    for child in spawn(seed, draws):
        pr = model.problem(n=n, gamma=gamma, rng=np.random.default_rng(child), entries=entries)
        cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
        values.append(np.asarray(fn(cr, pr) if with_problem else fn(cr), dtype=float))
    return mean_se(values)


def verify_model(model, *, n, gamma, w, lam, draws, seed, t=None, kappa_s=1.0, ladder=(1.0,),
                 reference="auto"):
    """:func:`rmtheory.compare.verify` of a model: its verdict per point
    (exact finite-n where it exists, else the limit extrapolated over the
    sizes ``ladder`` × ``n``)."""
    from ..compare import verify
    if len(ladder) < 2:
        reference = "limit" if reference == "auto" else reference
        ladder = (0.5, 1.0)          # unused with one size
    return verify(model.spectrum, n=n, gamma=gamma, w=list(map(float, w)), lam=lam, t=t,
                  kappa_s=kappa_s, draws=draws, seed=seed, progress=False,
                  reference=reference, ladder=ladder, **model.mc_params)


def ladder_seed(seed, k):
    """Size ``k`` of a ladder: a :func:`substream` of ``seed``, independent of
    its own children (those are the draws at the largest size)."""
    return substream(seed, 10**6 + k)


def over_ladder(model, *, n, gamma, draws, seed, fn, ladder, entries="gaussian",
                 with_problem=False):
    """:func:`over_designs` at each size ``round(f n)``, ``f`` in ``ladder``
    (the largest, ``n`` itself, with ``seed``: the same points as a single
    run): ``(ns, means, ses)``, means and ses stacked along a first axis."""
    from ..compare.verdict import ladder as ladder_sizes
    ns = ladder_sizes(n, ladder)
    means, ses = [], []
    for k, n_k in enumerate(ns):
        child = seed if n_k == n else ladder_seed(seed, k)
        m, s = over_designs(model, n=n_k, gamma=gamma, draws=draws, seed=child, fn=fn,
                             entries=entries, with_problem=with_problem)
        means.append(m)
        ses.append(s)
    return ns, np.stack(means), np.stack(ses)


def ladder_checks(figure, setting, x_name, xs, theory, ns, means, ses, draws, *,
                   in_scope=True, stream=None):
    """One :class:`Check` per ``x`` against the extrapolated limit: ``means``
    and ``ses`` have shape ``(len(ns), len(xs))``."""
    out = []
    for i, (x, th) in enumerate(zip(xs, theory)):
        out.append(Check(figure, setting, x_name, float(x), float(th), float(means[-1, i]),
                         float(ses[-1, i]), "extrapolated limit", in_scope, int(ns[-1]),
                         int(draws), tuple(int(v) for v in ns),
                         tuple(float(v) for v in means[:, i]), tuple(float(v) for v in ses[:, i]),
                         float(th), stream))
    return out


def exact_minnorm(n, p, factor):
    """Result 9: ``E[B_0] + factor · E[V_0]`` for a Gaussian isotropic
    design (``factor`` = the schedule's variance factor ``c_t``)."""
    from ..symbolic.finite_n_gaussian import finite_n_gaussian_risk
    bias, variance, _ = finite_n_gaussian_risk(1.0, n=n, p=p, t=0)
    return bias + factor * variance


def checks_from_report(report, figure, setting, *, in_scope=True, x_name="w"):
    """One :class:`Check` per record of a :func:`rmtheory.compare.verify`
    report, with the reference it chose."""
    out = []
    for r in report.records:
        ref = r["reference"]
        value = r["reference_value"] if ref == "exact finite-n" else r["theory"]
        out.append(Check(figure, setting, x_name, r[x_name], value, r["mc_mean"],
                         r["std_error"], ref, in_scope, r["n"], report.draws_completed,
                         tuple(r["ns"]), tuple(r["means_by_n"]), tuple(r["std_errors_by_n"]),
                         r["theory"]))
    return out


def points_from_checks(checks, key, label=None, filled=True):
    """The :class:`Points` of ``checks`` (mean ± 95 %) in the style of ``key``."""
    color, marker = style_of(key)
    return Points(np.array([c.x for c in checks]), np.array([c.mean for c in checks]),
                  Z95 * np.array([c.se for c in checks]), color, marker, label, filled, key)


def line(x, y, label, key, style="-"):
    """A theory :class:`~rmtheory.experiments.records.Line` in the style of ``key``."""
    from .records import Line
    return Line(np.asarray(x, float), np.asarray(y, float), label, style_of(key)[0], style,
                key=key)


def points(x, y, err, key, label=None, filled=True):
    """Simulation :class:`Points` in the style of ``key``."""
    color, marker = style_of(key)
    return Points(np.asarray(x, float), np.asarray(y, float), np.asarray(err, float), color,
                  marker, label, filled, key)
