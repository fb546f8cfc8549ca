r"""The figures of the notebooks and of the report: theory as lines,
simulation as points with 95% error bars.

Each figure is two plain steps, so a notebook can show the numbers before
the picture and the report can tabulate them:

1. ``<name>_data(sizes, seed)`` computes a :class:`FigureData`: theory
   curves from :mod:`rmtheory.api` (mpmath) or the float64 grid path
   :mod:`rmtheory.numeric.fast`, Monte Carlo points from
   :mod:`rmtheory.montecarlo` (exact conditional risk averaged over
   independent designs, or the literal retraining loop), and one
   :class:`Check` per Monte Carlo point;
2. :func:`draw` turns any :class:`FigureData` into a matplotlib
   :class:`~matplotlib.figure.Figure` (no pyplot state, so it is safe in
   scripts, tests and notebooks alike).

:data:`FIGURES` lists them in order; :data:`FULL` and :data:`QUICK` are the
Monte Carlo sizes of the report and of the tests. A Monte Carlo point is a
mean over independent draws ``R_1, …, R_K`` with error bar
``± 1.96 s/√K``, and its check (:class:`Check`) is a calibrated verdict,
with no tolerance rule:

.. math:: z = \frac{\bar R - R_{\text{reference}}}{s/\sqrt{K}}

against the exact finite-n expectation where one exists (the exact
conditional risk of the designs of a literal simulation; result 9 for
Gaussian isotropic min-norm/OLS), else ``z = (R̂∞ − R_theory)/se(R̂∞)``
with ``R̂∞`` the means at ``n × Sizes.ladder`` extrapolated to
``n → ∞`` (:mod:`rmtheory.compare.verdict`); :func:`calibration_of` checks
that these z-scores are ``N(0, 1)``.

Examples
--------
>>> from rmtheory.figures import QUICK, golden_ratio_data, draw
>>> data = golden_ratio_data(QUICK, seed=0)
>>> [p.title.split(":")[0] for p in data.panels]
['min-norm interpolation', 'OLS']
>>> fig = draw(data)
>>> len(fig.axes)
2
"""
from dataclasses import dataclass, field, replace
import math

import numpy as np

__all__ = ["Sizes", "FULL", "QUICK", "Model", "MODELS", "Check", "Line", "Points", "Panel",
           "FigureData", "FIGURES", "PHI_INV", "draw", "save", "golden_ratio_data",
           "ridge_w_star_data", "risk_vs_t_data", "schemes_data", "ridge_t_data", "kappa_s_data",
           "beyond_data", "format_checks", "accumulate_variance_factor", "finite_n_w_star", "min_l1_interpolation",
           "calibration_of", "Z_THRESHOLD"]

#: ``1/φ = (√5 − 1)/2``, the optimal weight of min-norm interpolation
PHI_INV = (math.sqrt(5) - 1) / 2
#: a verdict z beyond this fails the point (:attr:`Check.agrees`)
Z_THRESHOLD = 3.0
#: two-sided 95% normal quantile for the error bars
Z95 = 1.959963984540054
#: palette (matplotlib's tab10) in series order
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f", "#bcbd22", "#17becf")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


# ---------------------------------------------------------------------------
# sizes, models, records


@dataclass(frozen=True)
class Sizes:
    """Monte Carlo and grid sizes of one run of the figures.

    Attributes
    ----------
    n : int
        Sample size of the overparametrised problems (``p = γ n``).
    draws : int
        Independent designs ``(X, β)`` per Monte Carlo point (exact
        conditional risk, averaged).
    designs, reps : int
        Designs and label-noise repetitions per design of the literal
        retraining loop.
    T : int
        Refits shown against ``t``.
    grid : int
        Theory points per curve.
    l1_n, l1_reps, l1_T : int
        Size, repetitions and refits of the min-ℓ1 simulation (one linear
        programme per fit).
    ladder : tuple of float
        Fractions of ``n`` at which a point tested against the limit is
        also simulated, for the extrapolation ``n → ∞``
        (:mod:`rmtheory.compare.extrapolate`); the last is ``1``.
    """
    n: int = 160
    draws: int = 24
    designs: int = 4
    reps: int = 150
    T: int = 16
    grid: int = 36
    l1_n: int = 40
    l1_reps: int = 24
    l1_T: int = 5
    ladder: tuple = (0.25, 0.5, 1.0)


#: the report's sizes (about a minute of Monte Carlo on two cores)
FULL = Sizes()
#: a few seconds in all: for tests and ``rmtheory report --quick``
QUICK = Sizes(n=30, draws=4, designs=2, reps=10, T=4, grid=6, l1_n=12, l1_reps=2, l1_T=1)


@dataclass(frozen=True)
class Model:
    """A spectrum model as both layers need it: the theory's name and
    parameters, and the extra options of :func:`rmtheory.montecarlo.make_problem`."""
    key: str
    label: str
    spectrum: str
    params: dict = field(default_factory=dict)
    mc_extra: dict = field(default_factory=dict)

    @property
    def mc_params(self):
        return {**self.params, **self.mc_extra}

    def problem(self, *, n, gamma, rng, entries="gaussian"):
        from .montecarlo import make_problem
        return make_problem(self.spectrum, n=n, gamma=gamma, rng=rng, entries=entries,
                            **self.mc_params)


#: the models drawn in the figures; explicit parameters, so the theory and
#: the simulation use the same ones whatever each layer's defaults are
MODELS = {m.key: m for m in (
    Model("isotropic", "isotropic", "isotropic"),
    Model("two-point", "two-point H = ½δ₁ + ½δ₄", "discrete",
          dict(eigs=(1.0, 4.0), weights=(0.5, 0.5))),
    Model("random-effects", "random effects, H = G = ½δ₁ + ½δ₄", "random_effects",
          dict(eigs=(1.0, 4.0), weights=(0.5, 0.5))),
    Model("ar1", "AR(1), ρ = 0.5", "ar1", dict(rho=0.5)),
    Model("spiked", "spiked, θ = 4, α² = ½", "spiked",
          dict(spikes=(4.0,), alignments=(0.5,)), dict(directions="coordinate")),
    Model("equicorrelated", "equicorrelated, ρ = 0.5", "equicorrelated", dict(rho=0.5)),
    Model("uniform", "uniform H = U[0.5, 1.5]", "uniform", dict(a=0.5, b=1.5)),
)}


@dataclass(frozen=True)
class Check:
    """One Monte Carlo point against its reference, with a calibrated verdict.

    ``reference`` says what the point is tested against
    (:mod:`rmtheory.compare.verdict`): ``"exact finite-n"`` (the exact
    finite-n expectation: the exact conditional risk of the very designs
    simulated, or result 9 for Gaussian isotropic min-norm/OLS), ``"extrapolated
    limit"`` (the limit theory against the means at the sizes ``ns``
    extrapolated to ``n → ∞``), or ``"limit"`` (the plain z at one ``n``:
    it measures the ``O(1/n)`` gap too, so it is used only outside the
    theory's scope). ``reference_value`` is the exact value or the limit
    theory; ``theory`` is always the limit theory (for tables). ``mean``
    and ``se`` are those at the largest size. ``in_scope`` is ``False``
    for the explorations outside the theory's assumptions, whose gaps are
    findings rather than failures. ``stream`` names the Monte Carlo designs
    a point was simulated on when several settings share them (``None``:
    the setting has designs of its own); points of one stream are
    correlated, so the calibration counts each stream once (:attr:`series`).
    """
    figure: str
    setting: str
    x_name: str
    x: float
    reference_value: float
    mean: float
    se: float
    reference: str = "limit"
    in_scope: bool = True
    n: int = None
    draws: int = None
    ns: tuple = ()
    means: tuple = ()
    ses: tuple = ()
    theory: float = None
    stream: str = None

    @property
    def series(self):
        """The independent unit of the calibration: ``(figure, stream)``, or
        ``(figure, setting)`` for a setting with designs of its own."""
        return (self.figure, self.setting if self.stream is None else self.stream)

    @property
    def deterministic(self):
        """The draws agree to rounding: there is no spread to scale by."""
        return self.se <= 1e-9 * max(1.0, abs(self.reference_value))

    @property
    def z(self):
        """The plain ``(mean − reference)/se`` at the largest size (for an
        extrapolated point: against the limit, information only); ``nan``
        for a deterministic point."""
        if self.deterministic:
            return math.nan
        return (self.mean - self.reference_value) / self.se

    @property
    def relative_gap(self):
        """``|mean − reference| / |reference|``."""
        return abs(self.mean - self.reference_value) / max(abs(self.reference_value), 1e-300)

    def verdict_z_for(self, factor=1.0):
        """The verdict z of a theory ``factor ×`` the reference (``1``: the
        theory itself; others: a deliberately wrong one)."""
        from .compare.extrapolate import normal_z
        target = factor * self.reference_value
        if self.deterministic:
            return math.nan
        dof = math.inf if self.draws is None else self.draws - 1
        if self.reference == "extrapolated limit":
            return self.limit_fit.z(target)
        return normal_z(self.mean - target, self.se, dof)

    @property
    def limit_fit(self):
        """The :class:`~rmtheory.compare.extrapolate.LimitFit` over ``ns``
        (``None`` unless the reference is the extrapolated limit)."""
        if self.reference != "extrapolated limit":
            return None
        from .compare.extrapolate import fit_limit
        return fit_limit(self.ns, self.means, self.ses,
                         draws=None if self.draws is None else [self.draws] * len(self.ns))

    @property
    def verdict_z(self):
        """The z of the verdict on the normal scale (``nan`` if deterministic)."""
        return self.verdict_z_for(1.0)

    @property
    def agrees(self):
        """The verdict passed: ``|verdict_z| <= 3`` (a deterministic point:
        ``|gap| <= 1e-6`` relative). Nothing else counts as agreement."""
        if self.deterministic:
            return self.relative_gap <= 1e-6
        return abs(self.verdict_z) <= Z_THRESHOLD


def calibration_of(checks, factor=1.0):
    """:func:`rmtheory.compare.calibration.calibration` of the verdict
    z-scores of the in-scope random points of ``checks`` (``factor``: the
    theory scaled, to measure what the checks detect); one group per
    :attr:`Check.series` (the points that share designs)."""
    from .compare.calibration import calibration
    used = [c for c in checks if c.in_scope and not c.deterministic]
    return calibration([c.verdict_z_for(factor) for c in used], [c.series for c in used])


@dataclass
class Line:
    """A theory curve."""
    x: np.ndarray
    y: np.ndarray
    label: str
    color: str = "k"
    style: str = "-"
    width: float = 1.8


@dataclass
class Points:
    """Simulation points with 95% half-widths ``err`` (may be zero)."""
    x: np.ndarray
    y: np.ndarray
    err: np.ndarray
    color: str = "k"
    marker: str = "o"
    label: str = None
    filled: bool = True


@dataclass
class Panel:
    """One axes: lines, points and guides, with its labels."""
    title: str
    xlabel: str
    ylabel: str
    lines: list = field(default_factory=list)
    points: list = field(default_factory=list)
    vlines: list = field(default_factory=list)      # (x, label, color, style)
    hlines: list = field(default_factory=list)      # (y, label, color, style)
    bands: list = field(default_factory=list)       # (y0, y1, label, color)
    stars: list = field(default_factory=list)       # (x, y, label, color)
    xscale: str = "linear"
    yscale: str = "linear"
    ylim: tuple = None
    xlim: tuple = None
    legend_loc: str = "best"
    note: str = None


@dataclass
class FigureData:
    """Everything one figure shows, and the checks and tables behind it."""
    name: str
    title: str
    caption: str
    panels: list
    checks: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)     # title -> (header, rows)
    sizes: Sizes = None


# ---------------------------------------------------------------------------
# helpers


def _risk_curve(ws, model, *, gamma, lam=0.0, t=None, kappa_s=1.0, part="total"):
    """``rt.limiting_risk`` over ``ws`` as floats (mpmath at 15 digits)."""
    from .api import limiting_risk
    out = []
    for w in ws:
        # at w = 1, λ = 0 the risk is B₀ + V₀ for every t; the finite-t path
        # divides by zero there (its w-derivative has a removable singularity)
        t_w = None if (float(w) == 1.0 and float(lam) == 0.0) else t
        r = limiting_risk(float(w), model.spectrum, gamma=float(gamma), lam=float(lam), t=t_w,
                          kappa_s=float(kappa_s), dps=15, **model.params)
        out.append(float(getattr(r, part)))
    return np.asarray(out)


def _scheme_curve(ts, scheme, w=None, model=None, *, gamma, lam=0.0):
    """``rt.limiting_risk(w, scheme=scheme, t=t)`` at each ``t`` of ``ts`` as
    floats (mpmath at 15 digits); ``t=None`` in ``ts`` is the limit."""
    from .api import limiting_risk
    model = model or MODELS["isotropic"]
    return np.array([float(limiting_risk(None if w is None else float(w), model.spectrum,
                                         gamma=float(gamma), lam=float(lam),
                                         t=None if t is None else int(t), dps=15,
                                         scheme=scheme, **model.params).total)
                     for t in ts])


def _exact_scheme_path(problem, cr, scheme, T, *, lam, w=None):
    r"""Exact conditional risks ``R_0, …, R_T`` of one scheme on one design
    (finite n, no limit taken): :meth:`ConditionalRisk.risk_path` along the
    weights of the literal loop for the mixing schemes; for *accumulate*
    the derived per-eigenvalue step maps
    (:func:`rmtheory.symbolic.schemes.iterate_multipliers`) on the design's
    eigenvalues ``d_i`` of ``XᵀX/n``, with

    .. math:: R_t = \|V((1-a_t)\circ c) + \beta_\perp\|_\Sigma^2
              + \frac{\sigma^2}{n}\sum_i u_t(d_i)\,(V^\top\Sigma V)_{ii}.
    """
    from .montecarlo import weight_schedule
    if scheme != "accumulate":
        return cr.risk_path(weight_schedule(scheme, T, w)[1:], lam)
    from .symbolic.schemes import iterate_multipliers
    X, beta, Sigma = problem.X, problem.beta, problem.Sigma
    n = X.shape[0]
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s**2 > max(X.shape) * np.finfo(float).eps * s[0]**2
    V, d = Vt[keep].T, s[keep]**2 / n
    c = V.T @ beta
    beta_null = beta - V @ c
    SV = Sigma[:, None] * V if Sigma.ndim == 1 else Sigma @ V
    diag_m = np.einsum("ij,ij->j", V, SV)
    out = []
    for a, u in iterate_multipliers("accumulate", int(T), d, lam=float(lam)):
        e = V @ ((1.0 - a) * c) + beta_null
        quad = e @ (Sigma * e) if Sigma.ndim == 1 else e @ (Sigma @ e)
        out.append(quad + np.sum(u * diag_m) / n)
    return np.asarray(out, dtype=float)


def _seeds(seed, k):
    """``k`` independent children of ``seed`` (an int or a SeedSequence)."""
    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(seed)
    return seed.spawn(k)


def _mean_se(samples):
    samples = np.asarray(samples, dtype=float)
    k = samples.shape[0]
    se = samples.std(axis=0, ddof=1) / math.sqrt(k) if k > 1 else np.zeros(samples.shape[1:])
    return samples.mean(axis=0), se


def _over_designs(model, *, n, gamma, draws, seed, fn, entries="gaussian", with_problem=False):
    """``fn(ConditionalRisk)`` (``fn(ConditionalRisk, Problem)`` with
    ``with_problem``) on ``draws`` independent designs: (mean, se)."""
    from .montecarlo import ConditionalRisk
    values = []
    for child in _seeds(seed, draws):
        pr = model.problem(n=n, gamma=gamma, rng=np.random.default_rng(child), entries=entries)
        cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
        values.append(np.asarray(fn(cr, pr) if with_problem else fn(cr), dtype=float))
    return _mean_se(values)


def _verify(model, *, n, gamma, w, lam, draws, seed, t=None, kappa_s=1.0, ladder=(1.0,),
            reference="auto"):
    """:func:`rmtheory.compare.verify` of a model: its verdict per point
    (exact finite-n where it exists, else the limit extrapolated over the
    sizes ``ladder`` × ``n``)."""
    from .compare import verify
    if len(ladder) < 2:
        reference = "limit" if reference == "auto" else reference
        ladder = (0.5, 1.0)          # unused with one size
    return verify(model.spectrum, n=n, gamma=gamma, w=list(map(float, w)), lam=lam, t=t,
                  kappa_s=kappa_s, draws=draws, seed=seed, progress=False,
                  reference=reference, ladder=ladder, **model.mc_params)


def _ladder_seed(seed, k):
    """Size ``k`` of a ladder: a stream independent of ``seed``'s own
    children (those are the draws at the largest size)."""
    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(seed)
    return np.random.SeedSequence(seed.entropy, spawn_key=tuple(seed.spawn_key) + (10**6 + k,),
                                  pool_size=seed.pool_size)


def _over_ladder(model, *, n, gamma, draws, seed, fn, ladder, entries="gaussian",
                 with_problem=False):
    """:func:`_over_designs` at each size ``round(f n)``, ``f`` in ``ladder``
    (the largest, ``n`` itself, with ``seed``: the same points as a single
    run): ``(ns, means, ses)``, means and ses stacked along a first axis."""
    from .compare.verdict import ladder as ladder_sizes
    ns = ladder_sizes(n, ladder)
    means, ses = [], []
    for k, n_k in enumerate(ns):
        child = seed if n_k == n else _ladder_seed(seed, k)
        m, s = _over_designs(model, n=n_k, gamma=gamma, draws=draws, seed=child, fn=fn,
                             entries=entries, with_problem=with_problem)
        means.append(m)
        ses.append(s)
    return ns, np.stack(means), np.stack(ses)


def _ladder_checks(figure, setting, x_name, xs, theory, ns, means, ses, draws, *,
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


def _exact_minnorm(n, p, factor):
    """Result 9: ``E[B_0] + factor · E[V_0]`` for a Gaussian isotropic
    design (``factor`` = the schedule's variance factor ``c_t``)."""
    from .symbolic.finite_n_gaussian import finite_n_gaussian_risk
    bias, variance, _ = finite_n_gaussian_risk(1.0, n=n, p=p, t=0)
    return bias + factor * variance


def _offsets(k, count, width):
    return (k - (count - 1) / 2) * width


def finite_n_w_star(cr, lams, *, kappa_s=1.0, t=None, w_min=1e-3):
    r"""The minimiser over ``w ∈ (0, 1]`` of one design's exact conditional
    risk, for each penalty in ``lams`` (vectorised).

    A grid of step 0.01, then a grid of step 2.5e-4 around its minimum,
    then the vertex of the parabola through the three best points (so the
    error is far below the spread between designs); ``1.0`` when the
    minimum sits at the boundary.

    Examples
    --------
    >>> from rmtheory.montecarlo import ConditionalRisk, make_problem
    >>> pr = make_problem("isotropic", n=40, gamma=2.0, rng=0)
    >>> w = finite_n_w_star(ConditionalRisk(pr.X, pr.beta, pr.Sigma), [0.0])
    >>> round(float(w[0]), 5)       # min-norm: 1/φ on every design
    0.61803
    """
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    coarse = np.linspace(0.01, 1.0, 100)
    coarse[0] = max(w_min, 1e-3)
    risk = cr.risk(coarse[:, None], lams[None, :], 1.0, t, kappa_s)
    centre = coarse[np.argmin(risk, axis=0)]
    offsets = np.linspace(-0.01, 0.01, 81)
    fine = np.clip(centre[None, :] + offsets[:, None], w_min, 1.0)
    risk = cr.risk(fine, np.broadcast_to(lams, fine.shape), 1.0, t, kappa_s)
    i = np.argmin(risk, axis=0)
    cols = np.arange(lams.size)
    best = fine[i, cols]
    inner = (i > 0) & (i < len(offsets) - 1) & (best < 1.0)
    out = best.copy()
    if np.any(inner):
        j = i[inner]
        c = cols[inner]
        x0, x1, x2 = fine[j - 1, c], fine[j, c], fine[j + 1, c]
        y0, y1, y2 = risk[j - 1, c], risk[j, c], risk[j + 1, c]
        denom = (x0 - x1) * (x0 - x2) * (x1 - x2)
        a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / denom
        b = (x2**2 * (y0 - y1) + x1**2 * (y2 - y0) + x0**2 * (y1 - y2)) / denom
        ok = a > 0
        vertex = np.where(ok, -b / (2 * np.where(ok, a, 1.0)), x1)
        out[inner] = np.clip(vertex, x0, x2)
    return out


def accumulate_variance_factor(t, kappa_s=1.0):
    r"""Variance factor of the *accumulate* scheme for min-norm interpolation.

    With ``p > n`` every fit interpolates, ``Xβ̂_j = ȳ_j``, so the averaged
    labels obey ``ȳ_t = ȳ_{t−1} + ε̃_t/(t + 1)`` and their noise is
    ``ε_0 + Σ_{j=1}^{t} ε̃_j/(j + 1)``:

    .. math::

        R_t = B_0 + V_0\Bigl(1 + \kappa_s \sum_{j=2}^{t+1} \frac{1}{j^2}\Bigr)
        \;\longrightarrow\; B_0 + V_0\bigl(1 + \kappa_s(\pi^2/6 - 1)\bigr),

    bounded for every ``t`` even without fresh real labels (Gerstgrasser et
    al., arXiv 2404.01413). The figures check it against the literal loop.

    Examples
    --------
    >>> accumulate_variance_factor(1), round(accumulate_variance_factor(10**6), 6)
    (1.25, 1.644933)
    """
    from .symbolic.schemes import variance_factor_function
    # the derived c_t; its sum Σ_{j=1}^t 1/(j+1)² runs as a Python loop, exact at t = 1
    return float(variance_factor_function("accumulate", "math")(int(t), float(kappa_s)))


def min_l1_interpolation(X, y):
    r"""Minimum-ℓ1-norm interpolator (basis pursuit) by linear programming:
    ``argmin ‖b‖₁`` subject to ``Xb = y``, with ``b = u − v``, ``u, v ≥ 0``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]])
    >>> b = min_l1_interpolation(X, np.array([2.0, 1.0]))
    >>> bool(np.allclose(X @ b, [2.0, 1.0])), round(float(np.abs(b).sum()), 6)
    (True, 1.0)
    """
    from scipy.optimize import linprog
    n, p = X.shape
    res = linprog(np.ones(2 * p), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None),
                  method="highs")
    if res.status != 0:
        raise ArithmeticError(f"min-l1 interpolation: linprog failed ({res.message})")
    return res.x[:p] - res.x[p:]


def _checks_from_report(report, figure, setting, *, in_scope=True, x_name="w"):
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


def _points_from_checks(checks, color, marker, dx=0.0, label=None):
    x = np.array([c.x for c in checks]) + dx
    return Points(x, np.array([c.mean for c in checks]),
                  Z95 * np.array([c.se for c in checks]), color, marker, label)


def format_checks(checks, limit=None):
    """A plain-text table of Monte Carlo checks (for notebooks and terminals).

    Examples
    --------
    >>> print(format_checks([Check("f", "isotropic", "w", 0.5, 1.0, 1.01, 0.01, "exact finite-n")]))
    setting      w       reference  tested against   MC mean  std err  z at n  verdict z  agrees
    isotropic  0.5  exact finite-n        1.000000  1.010000   0.0100   +1.00      +1.00     yes
    """
    def verdict(c):
        if c.deterministic:
            return "exact"
        return f"{c.verdict_z:+.2f}"
    rows = [[c.setting, f"{c.x:.4g}", c.reference, f"{c.reference_value:.6f}",
             f"{c.mean:.6f}", f"{c.se:.4f}", "exact" if c.deterministic else f"{c.z:+.2f}",
             verdict(c), "yes" if c.agrees else "NO"] for c in checks[:limit]]
    x_name = checks[0].x_name if checks else "x"
    header = ["setting", x_name, "reference", "tested against", "MC mean", "std err", "z at n",
              "verdict z", "agrees"]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                       for i, (h, w) in enumerate(zip(header, widths)))]
    lines += ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


# ---------------------------------------------------------------------------
# figure 1: the golden ratio


def golden_ratio_data(sizes=FULL, seed=0):
    r"""Stationary risk against ``w`` for min-norm interpolation (``γ = 2``)
    under four covariance models, and OLS (``γ = 1/2``) beside it.

    .. math:: R_\infty(w) = B_0 + c(w)\,V_0, \qquad
              c(w) = \frac{w^2 + (1-w)^2}{w(2-w)}, \qquad w^\star = 1/\varphi.
    """
    from .api import limiting_risk
    keys = ("isotropic", "two-point", "ar1", "spiked")
    ws = np.unique(np.r_[np.linspace(0.15, 1.0, sizes.grid), PHI_INV])
    w_mc = (0.25, 0.45, PHI_INV, 0.8, 1.0)
    seeds = iter(_seeds(seed, 2 * len(keys)))
    checks, rows = [], []
    panels = []
    for gamma, n in ((2.0, sizes.n), (0.5, 2 * sizes.n)):
        regime = "min-norm interpolation" if gamma > 1 else "OLS"
        panel = Panel(f"{regime}: γ = p/n = {gamma:g}, λ = 0", "real-data weight w",
                      "stationary risk R∞(w)", xlim=(0.1, 1.03))
        for k, key in enumerate(keys):
            model = MODELS[key]
            color = COLORS[k]
            if gamma > 1 or k == 0:
                curve = _risk_curve(ws, model, gamma=gamma)
                label = model.label if gamma > 1 else "theory, every H: c(w) σ² γ/(1 − γ)"
                panel.lines.append(Line(ws, curve, label, color if gamma > 1 else "k"))
            report = _verify(model, n=n, gamma=gamma, w=w_mc, lam=0.0, draws=sizes.draws,
                             seed=next(seeds), ladder=sizes.ladder)
            setting = f"{model.label}, γ = {gamma:g}, n = {n}"
            got = _checks_from_report(report, "golden_ratio", setting)
            checks += got
            panel.points.append(_points_from_checks(
                got, color, MARKERS[k], _offsets(k, len(keys), 0.012),
                None if gamma > 1 else f"simulation, {model.label}"))
            if gamma > 1:
                one = limiting_risk(1.0, model.spectrum, gamma=gamma, dps=15, **model.params)
                best = limiting_risk(PHI_INV, model.spectrum, gamma=gamma, dps=15, **model.params)
                rows.append([model.label, f"{float(one.bias):.6f}", f"{float(one.variance):.6f}",
                             f"{float(one.total):.6f}", f"{float(best.total):.6f}",
                             f"{1 - float(best.total) / float(one.total):.1%}"])
                panel.stars.append((PHI_INV, float(best.total), None, color))
        panel.vlines.append((PHI_INV, "w* = 1/φ ≈ 0.618", "0.3", "--"))
        if gamma < 1:
            panel.note = "bias 0; the variance does not depend on H"
        panels.append(panel)
    return FigureData(
        "golden_ratio", "The golden ratio: w* = 1/φ for min-norm interpolation and OLS",
        "Stationary risk R∞(w) = B₀ + c(w)V₀ against the real-data weight. Lines: limiting "
        "theory (mpmath); points: exact conditional risk averaged over independent designs "
        f"(n = {sizes.n} for γ = 2, {2 * sizes.n} for γ = 1/2; {sizes.draws} designs; 95% "
        "error bars). Stars: the minimum at w = 1/φ, the same for every covariance.",
        panels, checks,
        {"Min-norm interpolation, γ = 2, σ² = r² = 1": (
            ["model", "B₀", "V₀", "R∞(1)", "R∞(1/φ)", "gain of w = 1/φ"], rows)},
        sizes)


# ---------------------------------------------------------------------------
# figure 2: ridge, w*(λ)


def ridge_w_star_data(sizes=FULL, seed=0):
    r"""``w*(λ)`` for ridge in the isotropic, random-effects and spiked
    models (``γ = 2`` and ``γ = 1/2``): the ``[1/2, 1]`` band, the limit
    ``1/φ`` as ``λ ↓ 0``, and the critical ``λ_c`` beyond which ``w* = 1``.
    """
    from .api import critical_lambda, optimal_w
    from .numeric import make_spectrum
    from .numeric.fast import optimal_w_grid
    keys = ("isotropic", "random-effects", "spiked")
    lam_grid = np.geomspace(1e-3, 20.0, max(2 * sizes.grid, 12))
    lam_mc = np.array([0.01, 0.1, 0.4, 1.0, 2.0, 5.0])
    seeds = iter(_seeds(seed, 2 * len(keys)))
    checks, rows, panels = [], [], []
    for gamma, n in ((2.0, sizes.n), (0.5, 2 * sizes.n)):
        panel = Panel(f"ridge, γ = {gamma:g}", "ridge penalty λ", "optimal weight w*(λ)",
                      xscale="log", ylim=(0.44, 1.04), legend_loc="upper left")
        panel.bands.append((0.5, 1.0, "the band [1/2, 1]", "0.85"))
        panel.hlines.append((PHI_INV, "1/φ, the limit λ → 0", "0.3", "--"))
        for k, key in enumerate(keys):
            model, color = MODELS[key], COLORS[k]
            spec = make_spectrum(model.spectrum, **model.params)
            curve = optimal_w_grid(lam_grid, spec, gamma=gamma)
            lam_c = float(critical_lambda(model.spectrum, gamma=gamma, dps=15, **model.params))
            panel.lines.append(Line(lam_grid, curve, f"{model.label}  (λ_c = {lam_c:.3g})", color))
            panel.vlines.append((lam_c, None, color, ":"))
            panel.stars.append((lam_c, 1.0, None, color))
            theory = optimal_w_grid(lam_mc, spec, gamma=gamma)

            def fn(cr):
                return finite_n_w_star(cr, lam_mc)
            ns, means, ses = _over_ladder(model, n=n, gamma=gamma, draws=sizes.draws,
                                          seed=next(seeds), fn=fn, ladder=sizes.ladder)
            mean, se = means[-1], ses[-1]
            setting = f"w*(λ), {model.label}, γ = {gamma:g}, n = {n}"
            got = _ladder_checks("ridge_w_star", setting, "lam", lam_mc, theory, ns, means, ses,
                                 sizes.draws)
            checks += got
            factor = np.exp(_offsets(k, len(keys), 0.06))
            panel.points.append(Points(lam_mc * factor, mean, Z95 * se, color, MARKERS[k]))
            if gamma == 2.0:
                exact = [optimal_w(model.spectrum, gamma=gamma, lam=lam, dps=15, **model.params)
                         for lam in (0.1, 1.0)]
                low = float(np.min(curve))
                rows.append([model.label, f"{float(exact[0]):.6f}", f"{float(exact[1]):.6f}",
                             f"{low:.4f}", f"{lam_c:.6f}"])
        panels.append(panel)
    return FigureData(
        "ridge_w_star", "Ridge: in these models the optimal weight w*(λ) stays in [1/2, 1]",
        "Optimal real-data weight of the stationary risk against the ridge penalty. Lines: "
        "limiting theory (float64 grid path); dotted lines and stars: the critical λ_c "
        "beyond which w* = 1 exactly; points: the minimiser of each design's exact "
        f"conditional risk, averaged over {sizes.draws} designs (n = {sizes.n} for γ = 2, "
        f"{2 * sizes.n} for γ = 1/2; 95% error bars).",
        panels, checks,
        {"Ridge, γ = 2 (mpmath, 15 digits)": (
            ["model", "w*(0.1)", "w*(1)", "min over λ of w*", "λ_c (w* = 1 beyond)"], rows)},
        sizes)


# ---------------------------------------------------------------------------
# figure 3: risk against t


def risk_vs_t_data(sizes=FULL, seed=0):
    r"""Risk after ``t`` refits: collapse at ``w = 0``, bounded risk for
    ``w > 0``, the ``w = 1/3`` threshold of monotonicity, dynamic mixing
    against the fixed ``1/φ``; and ridge at finite ``t``.

    .. math:: R_t = B_0 + c_t(w)\,V_0, \qquad c_t(0) = 1 + t, \qquad
              c_t(1/3) = 1, \qquad v_t^{\mathrm{dyn}} = w_t \to 1/\varphi.
    """
    from .api import limiting_risk
    from .montecarlo import weight_schedule
    model = MODELS["isotropic"]
    gamma, T, n = 2.0, sizes.T, sizes.n
    ts = np.arange(T + 1)
    base = limiting_risk(1.0, gamma=gamma, dps=15)    # w = 1: R_t = B₀ + V₀ for every t
    B0, V0 = float(base.bias), float(base.variance)
    # (label, scheme, w): theory from limiting_risk(scheme=...), the Monte Carlo
    # along the literal loop's weights (weight_schedule), each on its own side
    series = [("w = 0 (pure synthetic)", "replace", None),
              ("w = 0.2", "mix", 0.2),
              ("w = 1/3", "mix", 1 / 3),
              ("w = 1/φ", "mix", PHI_INV),
              ("w = 0.9", "mix", 0.9),
              ("dynamic w_t = (1 + w_{t−1})/(2 + w_{t−1})", "dynamic", None)]
    curves = [_scheme_curve(ts, scheme, w, gamma=gamma) for _, scheme, w in series]

    def fn(cr):
        return np.stack([cr.risk_path(weight_schedule(scheme, T, w)[1:], 0.0)
                         for _, scheme, w in series])
    seeds = _seeds(seed, 2)
    mean, se = _over_designs(model, n=n, gamma=gamma, draws=sizes.draws, seed=seeds[0], fn=fn)
    step = max(1, T // 8)
    shown = ts[::step]
    collapse = Panel("collapse: pure synthetic labels (w = 0)", "refit t", "risk R_t",
                     legend_loc="upper left")
    zoom = Panel("w > 0: bounded; decreasing iff w > 1/3", "refit t", "risk R_t",
                 legend_loc="center right")
    checks = []
    p = int(round(gamma * n))
    for k, ((label, _, _), curve) in enumerate(zip(series, curves)):
        color = COLORS[k]
        # min-norm: R_t = B₀ + c_t V₀ with the schedule's c_t (= (R_t − B₀)/V₀ of the
        # limit), so the exact finite-n mean is E[B₀] + c_t E[V₀] (result 9)
        exact = [_exact_minnorm(n, p, (curve[t] - B0) / V0) for t in ts]
        got = [Check("risk_vs_t", f"{label}, min-norm, γ = 2, n = {n}", "t", float(t),
                     float(exact[t]), float(mean[k, t]), float(se[k, t]), "exact finite-n",
                     n=n, draws=sizes.draws, theory=float(curve[t]),
                     stream="min-norm designs") for t in ts]
        checks += got
        pts = Points(shown, mean[k, shown], Z95 * se[k, shown], color, MARKERS[k % 7])
        if k in (0, 1, 3):
            collapse.lines.append(Line(ts, curve, label, color))
            collapse.points.append(pts)
        if k > 0:
            zoom.lines.append(Line(ts, curve, label, color))
            zoom.points.append(replace(pts))
    zoom.hlines.append((B0 + V0 * PHI_INV, "stationary optimum B₀ + V₀/φ", "0.4", "--"))

    lam = 0.5
    ridge = Panel(f"ridge λ = {lam:g}: finite-t limiting risk", "refit t", "risk R_t",
                  legend_loc="center right")
    ridge_ts = ts if T <= 10 else np.unique(np.r_[np.arange(11), np.arange(12, T + 1, 2), T])
    ridge_ws = (0.2, PHI_INV, 0.9)

    def fn_ridge(cr):
        return np.stack([cr.risk_path(np.full(T, w), lam) for w in ridge_ws])
    r_ns, r_means, r_ses = _over_ladder(model, n=n, gamma=gamma, draws=sizes.draws,
                                        seed=seeds[1], fn=fn_ridge, ladder=sizes.ladder)
    r_mean, r_se = r_means[-1], r_ses[-1]
    rows = []
    for k, w in enumerate(ridge_ws):
        color = COLORS[k + 6]
        curve = np.array([float(limiting_risk(w, gamma=gamma, lam=lam, t=int(t), dps=15))
                          for t in ridge_ts])
        stationary = float(limiting_risk(w, gamma=gamma, lam=lam, dps=15))
        label = f"w = {w:.3g}" if w != PHI_INV else "w = 1/φ"
        ridge.lines.append(Line(ridge_ts, curve, f"{label}  (R∞ = {stationary:.4f})", color))
        ridge.points.append(Points(shown, r_mean[k, shown], Z95 * r_se[k, shown], color,
                                   MARKERS[k]))
        checks += _ladder_checks("risk_vs_t", f"ridge λ = {lam:g}, {label}, γ = 2, n = {n}",
                                 "t", ridge_ts, curve, r_ns, r_means[:, k, ridge_ts],
                                 r_ses[:, k, ridge_ts], sizes.draws, stream="ridge designs")
    for k, ((label, _, _), curve) in enumerate(zip(series, curves)):
        rows.append([label, f"{curve[0]:.6f}", f"{curve[min(5, T)]:.6f}", f"{curve[T]:.6f}"])
    return FigureData(
        "risk_vs_t", "Risk against the number of refits t",
        "Risk after t refits, min-norm interpolation (γ = 2, isotropic, B₀ = 1/2, V₀ = 1) "
        "and ridge (λ = 0.5). Lines: limiting theory; points: exact conditional risk along "
        f"the same weight schedule, averaged over {sizes.draws} designs (n = {n}; 95% error "
        "bars). Pure synthetic retraining collapses linearly; any w > 0 stays bounded, and "
        "the risk decreases in t exactly when w > 1/3. The dynamic schedule is below the "
        "fixed w = 1/φ at every t.",
        [collapse, zoom, ridge], checks,
        {"Min-norm risk R_t (γ = 2, σ² = r² = 1)": (
            ["schedule", "t = 0", f"t = {min(5, T)}", f"t = {T}"], rows)},
        sizes)


# ---------------------------------------------------------------------------
# figure 4: schemes


def _conditional_mean_se(per_design, exact_per_design):
    """The literal loop against the exact conditional risk of the same
    designs: the mean over every design and repetition, the mean exact
    risk, and the standard error of their difference *given the designs*
    (only the label noise is random once the designs are shared:
    ``se² = Σ_d s_d²/reps_d / D²`` with ``s_d²`` the spread of design ``d``'s
    repetitions). The spread across designs cancels in the difference, so
    the plain standard error over all rows would overstate it (verdict
    z-scores with sd ≈ 0.3 instead of 1). The fourth value is the standard
    error over designs (of the design means), for error bars against the
    limit, where the designs are random too."""
    per_design = [np.asarray(r, dtype=float) for r in per_design]
    means = np.array([r.mean(axis=0) for r in per_design])
    var = np.sum([r.var(axis=0, ddof=1) / r.shape[0] for r in per_design], axis=0)
    return (means.mean(axis=0), np.sqrt(var) / len(per_design),
            np.mean(exact_per_design, axis=0),
            means.std(axis=0, ddof=1) / math.sqrt(len(per_design)))


def schemes_data(sizes=FULL, seed=0):
    r"""The four retraining schemes simulated literally (min-norm, ``γ = 2``):
    replace, mix at ``w = 1/φ``, dynamic, accumulate.

    .. math::

        R_t^{\text{replace}} = B_0 + (1+t)V_0, \quad
        R_t^{\text{mix}} = B_0 + c_t(1/\varphi)V_0, \quad
        R_t^{\text{dyn}} = B_0 + w_tV_0, \quad
        R_t^{\text{acc}} = B_0 + \Bigl(1 + \sum_{j=2}^{t+1} j^{-2}\Bigr)V_0.
    """
    from .montecarlo import ConditionalRisk, simulate_retraining
    model = MODELS["isotropic"]
    gamma, T, n = 2.0, sizes.T, sizes.n
    ts = np.arange(T + 1)
    schemes = (("replace", None, "replace (w = 0)"),
               ("mix", PHI_INV, "mix, w = 1/φ"),
               ("dynamic", None, "dynamic w_t"),
               ("accumulate", None, "accumulate (real + all synthetic)"))
    limit = {scheme: _scheme_curve(ts, scheme, w, gamma=gamma) for scheme, w, _ in schemes}
    stationary = {scheme: float(_scheme_curve([None], scheme, w, gamma=gamma)[0])
                  for scheme, w, _ in schemes}
    sims = {s: [] for s, _, _ in schemes}
    exact = {s: [] for s, _, _ in schemes}
    for child in _seeds(seed, sizes.designs):
        rng = np.random.default_rng(child)
        pr = model.problem(n=n, gamma=gamma, rng=rng)
        cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
        for scheme, w, _ in schemes:
            sims[scheme].append(simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, w=w, lam=0.0,
                                                    T=T, reps=sizes.reps, rng=rng,
                                                    scheme=scheme))
            exact[scheme].append(_exact_scheme_path(pr, cr, scheme, T, lam=0.0, w=w))
    all_panel = Panel("four schemes, min-norm, γ = 2", "refit t", "risk R_t",
                      legend_loc="upper left")
    zoom = Panel("zoom: the three bounded schemes", "refit t", "risk R_t",
                 legend_loc="center right")
    checks, rows = [], []
    step = max(1, T // 8)
    shown = ts[::step]
    for k, (scheme, w, label) in enumerate(schemes):
        mean, se, reference, se_designs = _conditional_mean_se(sims[scheme], exact[scheme])
        checks += [Check("schemes", f"{label}, literal loop, n = {n}", "t", float(t),
                         float(reference[t]), float(mean[t]), float(se[t]), "exact finite-n",
                         stream="literal-loop designs") for t in ts]
        color = COLORS[k]
        line = Line(ts, limit[scheme], label, color)
        pts = Points(shown + _offsets(k, 4, 0.12), mean[shown], Z95 * se_designs[shown], color,
                     MARKERS[k])
        all_panel.lines.append(line)
        all_panel.points.append(pts)
        if scheme != "replace":
            zoom.lines.append(replace(line))
            zoom.points.append(replace(pts))
        rows.append([label, f"{limit[scheme][min(5, T)]:.6f}", f"{limit[scheme][T]:.6f}",
                     "∞ (linear growth)" if math.isinf(stationary[scheme])
                     else f"{stationary[scheme]:.6f}"])
    # the limits t → ∞ of the API: B₀ + V₀/φ (mix, dynamic), B₀ + V₀π²/6 (accumulate)
    zoom.hlines.append((stationary["mix"], "B₀ + V₀/φ", "0.4", "--"))
    zoom.hlines.append((stationary["accumulate"], "B₀ + V₀π²/6", "0.6", ":"))
    return FigureData(
        "schemes", "Retraining schemes side by side",
        "Literal retraining loop (fresh label noise at every refit), min-norm interpolation, "
        f"isotropic, γ = 2, n = {n}: {sizes.designs} designs × {sizes.reps} repetitions; "
        "points are mean realised risks with 95% error bars, lines the limiting theory. "
        "Replacing the data collapses; mixing, the dynamic schedule and accumulating all "
        "stay bounded, accumulation at V₀π²/6 above B₀.",
        [all_panel, zoom], checks,
        {"Schemes, min-norm, γ = 2 (limit)": (
            ["scheme", f"R_{min(5, T)}", f"R_{T}", "R_∞"], rows)},
        sizes)


# ---------------------------------------------------------------------------
# figure 4b: finite-t ridge beyond isotropy, and the schemes for ridge


def ridge_t_data(sizes=FULL, seed=0):
    r"""Finite-``t`` ridge (``γ = 2``, ``λ = 0.5``): the risk after ``t``
    refits at ``w = 0.6`` for the spiked and AR(1) models, and the four
    schemes for ridge (isotropic; mix at ``w = 0.6``) simulated literally.

    Per eigenvalue ``d`` of ``XᵀX/n`` (``ρ = d/(d+λ)``, ``ν = d/(d+λ)²``)
    the mixing schemes iterate

    .. math:: a_t = \rho\,(w_t + (1-w_t)\,a_{t-1}), \qquad
              u_t = (1-w_t)^2\rho^2 u_{t-1} + \bigl(w_t^2 + (1-w_t)^2\bigr)\nu,

    and accumulating iterates ``a_t = ((t+ρ)/(t+1)) a_{t−1}``, so for
    ``λ > 0`` it tends to the zero estimator (``R_∞ = r²``). Lines:
    ``rt.limiting_risk(..., t=t, scheme=...)``; points: the exact
    conditional risk over independent designs (left) and the literal loop
    (right).
    """
    from .montecarlo import ConditionalRisk, simulate_retraining
    gamma, lam, w, T, n = 2.0, 0.5, 0.6, sizes.T, sizes.n
    ts = np.arange(T + 1)
    # theory at every t up to 10, then every other one (each is a contour integral)
    theory_ts = ts if T <= 10 else np.unique(np.r_[np.arange(11), np.arange(12, T + 1, 2), T])
    step = max(1, T // 8)
    shown = np.unique(np.r_[ts[::step], min(1, T)])     # t = 1: the drop after the first refit
    seeds = iter(_seeds(seed, 4))
    checks, rows = [], []

    left = Panel(f"finite-t ridge, λ = {lam:g}, w = {w:g}, γ = 2", "refit t", "risk R_t",
                 legend_loc="upper right")
    keys = ("spiked", "ar1")
    for k, key in enumerate(keys):
        model, color = MODELS[key], COLORS[k + 4]
        curve = _scheme_curve(theory_ts, "mix", w, model, gamma=gamma, lam=lam)
        limit = float(_scheme_curve([None], "mix", w, model, gamma=gamma, lam=lam)[0])
        left.lines.append(Line(theory_ts, curve, f"{model.label}  (R∞ = {limit:.4f})", color))
        left.hlines.append((limit, None, color, ":"))

        def fn(cr):
            return cr.risk_path(np.full(T, w), lam)
        ns, means, ses = _over_ladder(model, n=n, gamma=gamma, draws=sizes.draws,
                                      seed=next(seeds), fn=fn, ladder=sizes.ladder)
        mean, se = means[-1], ses[-1]
        left.points.append(Points(shown + _offsets(k, 2, 0.1), mean[shown], Z95 * se[shown],
                                  color, MARKERS[k + 4]))
        checks += _ladder_checks("ridge_t", f"ridge λ = {lam:g}, w = {w:g}, {model.label}, "
                                 f"n = {n}", "t", theory_ts, curve, ns, means[:, theory_ts],
                                 ses[:, theory_ts], sizes.draws)
        rows.append([model.label, f"{curve[0]:.6f}", f"{curve[1]:.6f}", f"{curve[-1]:.6f}",
                     f"{limit:.6f}"])

    # headroom above the highest error bar for the legend (QUICK's bars are wide)
    low = min(min(np.min(q.y - q.err) for q in left.points), min(np.min(x.y) for x in left.lines))
    high = max(max(np.max(q.y + q.err) for q in left.points), max(np.max(x.y) for x in left.lines))
    left.ylim = (low - 0.05 * (high - low), high + 0.4 * (high - low))

    right = Panel(f"four schemes, ridge λ = {lam:g}, isotropic, γ = 2", "refit t", "risk R_t")
    model = MODELS["isotropic"]
    schemes = (("replace", None, "replace (w = 0)"),
               ("mix", w, f"mix, w = {w:g}"),
               ("dynamic", None, "dynamic w_t"),
               ("accumulate", None, "accumulate (real + all synthetic)"))
    sims = {s: [] for s, _, _ in schemes}
    exact = {s: [] for s, _, _ in schemes}
    for child in _seeds(next(seeds), sizes.designs):
        rng = np.random.default_rng(child)
        pr = model.problem(n=n, gamma=gamma, rng=rng)
        cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
        for scheme, w_s, _ in schemes:
            sims[scheme].append(simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, w=w_s,
                                                    lam=lam, T=T, reps=sizes.reps, rng=rng,
                                                    scheme=scheme))
            exact[scheme].append(_exact_scheme_path(pr, cr, scheme, T, lam=lam, w=w_s))

    # the theory itself against finite n: exact conditional risk over more designs
    def fn_exact(cr, problem):
        return np.stack([_exact_scheme_path(problem, cr, scheme, T, lam=lam, w=w_s)
                         for scheme, w_s, _ in schemes])
    e_ns, e_means, e_ses = _over_ladder(model, n=n, gamma=gamma, draws=sizes.draws,
                                        seed=next(seeds), fn=fn_exact, with_problem=True,
                                        ladder=sizes.ladder)
    curves = {}
    for k, (scheme, w_s, label) in enumerate(schemes):
        color = COLORS[k]
        curve = curves[scheme] = _scheme_curve(theory_ts, scheme, w_s, gamma=gamma, lam=lam)
        limit = float(_scheme_curve([None], scheme, w_s, gamma=gamma, lam=lam)[0])
        # dashed: the dynamic line lies within about 1e-3 of the mix line
        right.lines.append(Line(theory_ts, curve, f"{label}  (R∞ = {limit:.4f})", color,
                                "--" if scheme == "dynamic" else "-"))
        mean, se, reference, se_designs = _conditional_mean_se(sims[scheme], exact[scheme])
        checks += [Check("ridge_t", f"ridge λ = {lam:g}, {label}, literal loop, n = {n}", "t",
                         float(t), float(reference[t]), float(mean[t]), float(se[t]),
                         "exact finite-n", stream="literal-loop designs") for t in ts]
        # R_0 is the same one-shot fit for every scheme: checked once
        keep = [i for i, t in enumerate(theory_ts) if t > 0 or k == 0]
        ts_k = theory_ts[keep]
        checks += _ladder_checks("ridge_t", f"ridge λ = {lam:g}, {label}, exact over designs, "
                                 f"n = {n}", "t", ts_k, curve[keep], e_ns, e_means[:, k, ts_k],
                                 e_ses[:, k, ts_k], sizes.draws, stream="exact-risk designs")
        right.points.append(Points(shown + _offsets(k, 4, 0.12), mean[shown],
                                   Z95 * se_designs[shown], color, MARKERS[k]))
        rows.append([f"isotropic, {label}", f"{curve[0]:.6f}", f"{curve[1]:.6f}",
                     f"{curve[-1]:.6f}", f"{limit:.6f}"])
    gap = (curves["mix"] - curves["dynamic"])[1:]
    below = "below" if np.all(gap > 0) else "within"
    return FigureData(
        "ridge_t", "Finite-t ridge beyond isotropy, and the four schemes for ridge",
        f"Ridge λ = {lam:g}, γ = 2. Left: risk after t refits at w = {w:g} for the spiked "
        "(θ = 4, α² = ½) and AR(1) (ρ = 0.5) models; lines: limiting theory at finite t "
        "(rt.limiting_risk, κ-plane contour), dotted: its limit t → ∞; points: exact "
        f"conditional risk averaged over {sizes.draws} designs (n = {n}, p = {2 * n}). "
        f"Right: the four schemes (isotropic, mix at w = {w:g}); lines: "
        "rt.limiting_risk(scheme=...); points: the literal retraining loop, "
        f"{sizes.designs} designs × {sizes.reps} repetitions, checked against the exact "
        f"finite-n risk of the same designs (the theory is checked against the exact risk "
        f"over {sizes.draws} designs). 95% error bars. With ridge, replacing stays bounded "
        "(the mean shrinks to 0), accumulating tends to the zero estimator (R∞ = r²), and "
        "the greedy min-norm schedule w_t = F_{2t+1}/F_{2t+2} (dynamic, dashed) stays "
        f"{below} {float(np.max(np.abs(gap))):.1e} of the fixed mix for 1 ≤ t ≤ {T}.",
        [left, right], checks,
        {f"Finite-t ridge, λ = {lam:g}, γ = 2 (limit)": (
            ["setting", "R_0", "R_1", f"R_{T}", "R_∞"], rows)},
        sizes)


# ---------------------------------------------------------------------------
# figure 5: kappa_s


def kappa_s_data(sizes=FULL, seed=0):
    r"""The optimal weight against the synthetic-noise ratio ``κ_s``
    (synthetic noise variance ``κ_s σ²``), min-norm and ridge.

    .. math:: w^\star(\kappa_s) = \frac{\sqrt{\kappa_s^2 + 4\kappa_s} - \kappa_s}{2}
              \quad (\lambda = 0), \qquad w^\star(1) = 1/\varphi.
    """
    from .numeric import make_spectrum
    from .numeric.fast import optimal_w_grid
    from .symbolic import formula
    model = MODELS["isotropic"]
    gamma, n = 2.0, sizes.n
    spec = make_spectrum("isotropic")
    ks = np.geomspace(0.1, 10.0, max(sizes.grid, 8))
    closed = formula("w_star_kappa_s").lambdify("numpy")
    lams = (0.0, 0.5, 2.0)
    ks_mc = np.array([0.25, 1.0, 4.0])
    left = Panel("optimal weight against κ_s (isotropic, γ = 2)",
                 "synthetic-noise ratio κ_s = σ̃²/σ²", "optimal weight w*", xscale="log",
                 ylim=(0, 1.04), legend_loc="lower right")
    checks, rows = [], []
    seeds = iter(_seeds(seed, len(lams) + 3))
    for k, lam in enumerate(lams):
        color = COLORS[k]
        if lam == 0:
            curve = closed(ks)
            label = "λ = 0: (√(κ_s² + 4κ_s) − κ_s)/2"
            theory_mc = closed(ks_mc)
        else:
            curve = np.array([optimal_w_grid(np.array([lam]), spec, gamma=gamma,
                                             kappa_s=float(k_))[0] for k_ in ks])
            label = f"ridge λ = {lam:g}"
            theory_mc = np.array([optimal_w_grid(np.array([lam]), spec, gamma=gamma,
                                                 kappa_s=float(k_))[0] for k_ in ks_mc])
        left.lines.append(Line(ks, curve, label, color))

        def fn(cr, lam=lam):
            return np.array([finite_n_w_star(cr, [lam], kappa_s=float(k_))[0] for k_ in ks_mc])
        setting = f"w*(κ_s), λ = {lam:g}, n = {n}"
        if lam == 0:
            # min-norm: R = B₀ + c(w; κ_s)V₀ on every design, so its minimiser is the
            # closed form exactly at every n
            mean, se = _over_designs(model, n=n, gamma=gamma, draws=sizes.draws,
                                     seed=next(seeds), fn=fn)
            checks += [Check("kappa_s", setting, "kappa_s", float(x), float(th), float(m),
                             float(s), "exact finite-n", n=n, draws=sizes.draws,
                             theory=float(th))
                       for x, th, m, s in zip(ks_mc, theory_mc, mean, se)]
        else:
            ns, means, ses = _over_ladder(model, n=n, gamma=gamma, draws=sizes.draws,
                                          seed=next(seeds), fn=fn, ladder=sizes.ladder)
            mean, se = means[-1], ses[-1]
            checks += _ladder_checks("kappa_s", setting, "kappa_s", ks_mc, theory_mc, ns, means,
                                     ses, sizes.draws)
        left.points.append(Points(ks_mc * np.exp(_offsets(k, 3, 0.05)), mean, Z95 * se, color,
                                  MARKERS[k]))
        rows.append([f"{lam:g}"] + [f"{float(v):.6f}" for v in theory_mc])
    left.stars.append((1.0, PHI_INV, "κ_s = 1: w* = 1/φ", "k"))
    left.hlines.append((PHI_INV, None, "0.6", "--"))
    left.vlines.append((1.0, None, "0.6", "--"))

    right = Panel("min-norm risk against w for several κ_s", "real-data weight w",
                  "stationary risk R∞(w) (log scale)", xlim=(0.1, 1.03), yscale="log",
                  legend_loc="upper right")
    ws = np.unique(np.r_[np.linspace(0.15, 1.0, sizes.grid), PHI_INV])
    w_mc = (0.3, 0.5, 0.7, 0.9)
    for k, kappa in enumerate((0.25, 1.0, 4.0)):
        color = COLORS[k + 3]
        curve = _risk_curve(ws, model, gamma=gamma, kappa_s=kappa)
        w_best = float(closed(kappa))
        right.lines.append(Line(ws, curve, f"κ_s = {kappa:g}  (w* = {w_best:.3f})", color))
        right.stars.append((w_best, float(_risk_curve([w_best], model, gamma=gamma,
                                                      kappa_s=kappa)[0]), None, color))
        report = _verify(model, n=n, gamma=gamma, w=w_mc, lam=0.0, draws=sizes.draws,
                         seed=next(seeds), kappa_s=kappa, ladder=sizes.ladder)
        got = _checks_from_report(report, "kappa_s", f"R∞(w), κ_s = {kappa:g}, n = {n}")
        checks += got
        right.points.append(_points_from_checks(got, color, MARKERS[k],
                                                _offsets(k, 3, 0.012)))
    return FigureData(
        "kappa_s", "Noisier or cleaner synthetic labels: the optimal weight against κ_s",
        "Left: optimal real-data weight against the synthetic-noise ratio κ_s; lines: theory "
        "(closed form at λ = 0, float64 grid path for ridge); points: minimiser of each "
        f"design's exact conditional risk averaged over {sizes.draws} designs (n = {n}; at "
        "λ = 0 it equals the closed form on every design). Right: the stationary min-norm "
        "risk for three κ_s, with Monte Carlo points.",
        [left, right], checks,
        {"w*(κ_s), isotropic, γ = 2": (["λ"] + [f"κ_s = {k:g}" for k in ks_mc], rows)},
        sizes)


# ---------------------------------------------------------------------------
# figure 6: beyond the assumptions


def beyond_data(sizes=FULL, seed=0):
    r"""Outside the theory's assumptions: an equicorrelated covariance
    (one eigenvalue ``1 + ρ(p − 1)`` diverges), Rademacher entries, and an
    estimator the theory does not cover (min-ℓ1 interpolation), all against
    the Gaussian min-ℓ2 theory.
    """
    from .montecarlo import ConditionalRisk, simulate_retraining
    gamma, n = 2.0, sizes.n
    ws = np.unique(np.r_[np.linspace(0.15, 1.0, sizes.grid), PHI_INV])
    w_mc = (0.25, 0.45, PHI_INV, 0.8, 1.0)
    seeds = iter(_seeds(seed, 8))
    checks = []

    equi = Panel("equicorrelated Σ = (1 − ρ)I + ρ11ᵀ", "real-data weight w",
                 "stationary risk R∞(w)", xlim=(0.1, 1.03), legend_loc="upper right")
    for k, rho in enumerate((0.5, 0.8)):
        model = Model(f"equi{rho}", f"ρ = {rho:g}", "equicorrelated", dict(rho=rho))
        color = COLORS[k]
        equi.lines.append(Line(ws, _risk_curve(ws, model, gamma=gamma),
                               f"theory with H = δ_(1−ρ), ρ = {rho:g}", color))
        report = _verify(model, n=n, gamma=gamma, w=w_mc, lam=0.0, draws=sizes.draws,
                         seed=next(seeds), reference="limit")
        got = _checks_from_report(report, "beyond", f"equicorrelated ρ = {rho:g}, n = {n}",
                                  in_scope=False)
        checks += got
        equi.points.append(_points_from_checks(got, color, MARKERS[k], _offsets(k, 2, 0.012)))

    rad = Panel("Rademacher (±1) entries", "real-data weight w", "stationary risk R∞(w)",
                xlim=(0.1, 1.03), legend_loc="upper right")
    for k, key in enumerate(("isotropic", "ar1")):
        model, color = MODELS[key], COLORS[k + 2]
        rad.lines.append(Line(ws, _risk_curve(ws, model, gamma=gamma),
                              f"Gaussian theory, {model.label}", color))

        def fn(cr):
            return cr.risk(np.asarray(w_mc), 0.0)
        mean, se = _over_designs(model, n=n, gamma=gamma, draws=sizes.draws, seed=next(seeds),
                                 fn=fn, entries="rademacher")
        theory = _risk_curve(w_mc, model, gamma=gamma)
        got = [Check("beyond", f"Rademacher entries, {model.label}, n = {n}", "w", float(w),
                     float(th), float(m), float(s), "limit", False, n)
               for w, th, m, s in zip(w_mc, theory, mean, se)]
        checks += got
        rad.points.append(_points_from_checks(got, color, MARKERS[k], _offsets(k, 2, 0.012)))

    # min-ℓ1 against min-ℓ2 on a sparse truth, literal loop
    n1, T1 = sizes.l1_n, sizes.l1_T
    w_l1 = (0.3, 0.45, PHI_INV, 0.8, 1.0)
    l1 = Panel(f"min-ℓ1 interpolation, sparse β (t = {T1})", "real-data weight w",
               f"risk R_{T1}", xlim=(0.2, 1.05), legend_loc="upper right")
    model = MODELS["isotropic"]
    theory_l2 = _risk_curve(ws, model, gamma=gamma, t=T1)
    l1.lines.append(Line(ws, theory_l2, "min-ℓ2 theory (any β)", COLORS[0]))
    rng = np.random.default_rng(next(seeds))
    results = {"l2": [], "l1": []}
    exact_l2 = []
    p1 = int(round(gamma * n1))
    for _ in range(max(1, sizes.designs // 2)):
        pr = model.problem(n=n1, gamma=gamma, rng=rng)
        beta = np.zeros(p1)
        support = rng.choice(p1, size=max(1, p1 // 20), replace=False)
        beta[support] = rng.standard_normal(support.size)
        beta /= np.linalg.norm(beta)
        exact_l2.append(ConditionalRisk(pr.X, beta, pr.Sigma).risk(np.asarray(w_l1), 0.0, 1.0,
                                                                   T1))
        for key, kwargs in (("l2", dict(lam=0.0)), ("l1", dict(estimator=min_l1_interpolation))):
            reps = sizes.reps if key == "l2" else sizes.l1_reps
            results[key].append(np.array([
                simulate_retraining(pr.X, beta, Sigma=pr.Sigma, w=w, T=T1, reps=reps, rng=rng,
                                    **kwargs)[:, T1] for w in w_l1]).T)
    theory_pts = _risk_curve(w_l1, model, gamma=gamma, t=T1)
    summary = {}
    for k, (key, label) in enumerate((("l2", "min-ℓ2, simulated"), ("l1", "min-ℓ1, simulated"))):
        realised = np.vstack(results[key])
        mean = realised.mean(axis=0)
        se = realised.std(axis=0, ddof=1) / math.sqrt(realised.shape[0]) \
            if realised.shape[0] > 1 else np.zeros_like(mean)
        summary[key] = (mean, se)
        if key == "l2":
            # a few designs, many noise repetitions: the reference is the exact
            # conditional risk of the very designs simulated
            reference = np.mean(exact_l2, axis=0)
            checks += [Check("beyond", f"min-ℓ2 literal loop, sparse β, t = {T1}, n = {n1}",
                             "w", float(w), float(ref), float(m), float(s), "exact finite-n",
                             n=n1, draws=realised.shape[0], theory=float(th))
                       for w, ref, th, m, s in zip(w_l1, reference, theory_pts, mean, se)]
        l1.points.append(Points(np.asarray(w_l1) + _offsets(k, 2, 0.012), mean, Z95 * se,
                                COLORS[0] if key == "l2" else COLORS[3], MARKERS[k], label,
                                filled=key == "l2"))
    l1.vlines.append((PHI_INV, "1/φ", "0.3", "--"))
    l1_best = float(np.asarray(w_l1)[np.argmin(np.vstack(results["l1"]).mean(axis=0))])
    rows = [[c.setting, f"{c.x:.3f}", f"{c.reference_value:.4f}", f"{c.mean:.4f}",
             f"{c.se:.4f}", "nan" if c.deterministic else f"{c.z:+.1f}"]
            for c in checks if not c.in_scope and c.x in (PHI_INV, 1.0)]
    l1_rows = [[f"{w:.4g}", f"{th:.4f}", f"{summary['l2'][0][i]:.4f} ± {summary['l2'][1][i]:.4f}",
                f"{summary['l1'][0][i]:.4f} ± {summary['l1'][1][i]:.4f}"]
               for i, (w, th) in enumerate(zip(w_l1, theory_pts))]
    return FigureData(
        "beyond", "Beyond the assumptions",
        "Left: equicorrelated covariance, whose top eigenvalue 1 + ρ(p − 1) diverges; the "
        "theory keeps only the bulk δ_(1−ρ). Middle: ±1 entries instead of Gaussian ones. "
        f"Points: exact conditional risk over {sizes.draws} designs (n = {n}). Right: "
        f"min-ℓ1 interpolation (basis pursuit, no theory) against min-ℓ2 on a sparse truth "
        f"(5% non-zero), literal loop at t = {T1}, n = {n1}; the simulated min-ℓ1 risk is "
        f"lowest at w = {l1_best:.3g} among the weights tried.",
        [equi, rad, l1], checks,
        {"Outside the assumptions (finite n against the limit theory)": (
            ["setting", "w", "theory", "MC mean", "std err", "z"], rows),
         f"Min-ℓ1 against min-ℓ2 interpolation, sparse β, risk at t = {T1} (mean ± std err)": (
            ["w", "min-ℓ2 theory", "min-ℓ2 simulated", "min-ℓ1 simulated"], l1_rows)},
        sizes)


# ---------------------------------------------------------------------------
# figure: w*(γ, λ) maps (the float64 backend of the public API)


@dataclass
class SweepData(FigureData):
    """A :class:`FigureData` drawn as maps: per spectrum, ``w*`` over a
    ``(γ, λ)`` grid and the curve ``λ_c(γ)``."""
    maps: list = field(default_factory=list)   # (label, gammas, lams, w*, λ_c(γ), checked points)


#: where the sweep figure is checked by simulation (finite-n minimisers)
SWEEP_CHECK_GAMMAS = (0.5, 3.0)
SWEEP_CHECK_LAMS = (0.05, 0.5)
#: the spectra of the sweep figure: (MODELS key, label)
SWEEP_MODELS = (("isotropic", "isotropic"), ("spiked", "spiked"), ("ar1", "AR(1), ρ = 0.5"))


def sweeps_data(sizes=FULL, seed=0):
    r"""``w*(γ, λ)`` over a grid of aspect ratios and penalties, and the
    critical penalty ``λ_c(γ)`` beyond which ``w* = 1``, for three spectra:
    every map one call of ``rt.optimal_w(..., backend="float64")`` on the
    whole grid and one of ``rt.critical_lambda(..., backend="float64")``;
    the table checks ``λ_c`` against the mpmath backend (15 digits), and
    finite-n minimisers check ``w*`` at four points of each map."""
    from .api import critical_lambda, optimal_w
    points = 100 if sizes.grid >= 36 else 30
    gammas = np.linspace(0.25, 5.0, points)
    gammas = gammas[np.abs(gammas - 1) > 1e-9]
    lams = np.geomspace(1e-3, 30.0, points)
    maps, rows, checks = [], [], []
    seeds = iter(_seeds(seed, len(SWEEP_MODELS) * len(SWEEP_CHECK_GAMMAS)))
    for key, label in SWEEP_MODELS:
        model = MODELS[key]
        found = optimal_w(model.spectrum, gamma=gammas[:, None], lam=lams[None, :],
                          backend="float64", **model.params)
        lam_c = critical_lambda(model.spectrum, gamma=gammas, backend="float64",
                                **model.params)
        # finite-n: the minimiser of each design's exact conditional risk
        marks = []
        for gamma in SWEEP_CHECK_GAMMAS:
            n = sizes.n if gamma > 1 else 2 * sizes.n
            theory = optimal_w(model.spectrum, gamma=gamma, lam=SWEEP_CHECK_LAMS,
                               backend="float64", **model.params).w
            # the verdict of every other figure: the extrapolated limit over the ladder
            ns, means, ses = _over_ladder(model, n=n, gamma=gamma, draws=sizes.draws,
                                          seed=next(seeds), ladder=sizes.ladder,
                                          fn=lambda cr: finite_n_w_star(cr, SWEEP_CHECK_LAMS))
            setting = f"w*(γ, λ), {model.label}, γ = {gamma:g}, n = {n}"
            checks += _ladder_checks("sweeps", setting, "lam", SWEEP_CHECK_LAMS, theory, ns,
                                     means, ses, sizes.draws)
            marks += [(gamma, x) for x in SWEEP_CHECK_LAMS]
        maps.append((label, gammas, lams, found.w, lam_c, marks))
        for g in (0.5, 2.0, 4.0):
            fast = float(critical_lambda(model.spectrum, gamma=g, backend="float64",
                                         **model.params))
            exact = float(critical_lambda(model.spectrum, gamma=g, dps=15, **model.params))
            rows.append([label, f"{g:g}", f"{fast:.12g}", f"{exact:.12g}",
                         f"{abs(fast - exact) / exact:.1e}"])
    return SweepData(
        "sweeps", r"Optimal weight $w^\star(\gamma, \lambda)$ and the critical penalty "
                  r"$\lambda_c(\gamma)$",
        "Colour: the optimal real-data weight w* of the stationary risk over the aspect "
        "ratio γ = p/n and the ridge penalty λ (σ² = r² = 1), computed on the whole grid at "
        "once by the float64 backend (agreement with mpmath 1e-10). White line: λ_c(γ); "
        "above it w* = 1 exactly (real data alone is best). As λ → 0, w* → 1/φ ≈ 0.618 for "
        "every spectrum. Circles: the (γ, λ) where the minimiser of the exact conditional risk of "
        f"{sizes.draws} finite-n designs (n = {sizes.n} for γ = 3, {2 * sizes.n} for γ = 1/2) "
        "is checked against the map (summary table).",
        [], checks, {"λ_c(γ): float64 backend against mpmath (15 digits)": (
            ["spectrum", "γ", "λ_c float64", "λ_c mpmath", "relative difference"], rows)},
        sizes, maps=maps)


def draw_sweeps(data):
    """The maps of a :class:`SweepData`: one panel per spectrum (two-column
    width, shared colour scale, viridis: readable in grey and by colour-blind
    readers), λ_c(γ) in white."""
    from matplotlib.figure import Figure
    count = len(data.maps)
    # two-column width (the report test asks for >= 400 px high at 110 dpi, wider than twice that)
    fig = Figure(figsize=(7.5, 3.7), layout="constrained")
    axes = fig.subplots(1, count, sharey=True, squeeze=False)[0]
    mesh = None
    for ax, (label, gammas, lams, w_star, lam_c, marks) in zip(axes, data.maps):
        mesh = ax.pcolormesh(gammas, lams, np.asarray(w_star, float).T, cmap="viridis",
                             vmin=0.5, vmax=1.0, shading="nearest", rasterized=True)
        ax.plot(gammas, lam_c, color="white", lw=1.4, label=r"$\lambda_c(\gamma)$")
        if marks:
            ax.plot(*zip(*marks), "o", ms=4, mfc="none", mec="white", mew=1.0,
                    label="finite-n check")
        ax.set_yscale("log")
        ax.set_ylim(lams[0], lams[-1])
        ax.set_title(label, fontsize=9)
        ax.set_xlabel(r"aspect ratio $\gamma = p/n$", fontsize=8.5)
        ax.tick_params(labelsize=8)
    axes[0].set_ylabel(r"ridge penalty $\lambda$", fontsize=8.5)
    axes[0].legend(loc="lower right", fontsize=8, facecolor="0.3", labelcolor="white",
                   framealpha=0.7)
    bar = fig.colorbar(mesh, ax=list(axes), shrink=0.95, pad=0.02)
    bar.set_label(r"optimal weight $w^\star$", fontsize=8.5)
    bar.ax.tick_params(labelsize=8)
    fig.suptitle(data.title, fontsize=10)
    return fig


#: every figure in order: (name, data function); the notebooks show the
#: same ones (notebooks 3 and 4 have two each)
FIGURES = (("golden_ratio", golden_ratio_data),
           ("ridge_w_star", ridge_w_star_data),
           ("risk_vs_t", risk_vs_t_data),
           ("schemes", schemes_data),
           ("ridge_t", ridge_t_data),
           ("kappa_s", kappa_s_data),
           ("beyond", beyond_data),
           ("sweeps", sweeps_data))


# ---------------------------------------------------------------------------
# drawing


def draw(data):
    """A matplotlib :class:`~matplotlib.figure.Figure` of a :class:`FigureData`:
    one axes per panel, theory as lines, simulation as points with error
    bars, labelled axes and a legend on each (maps: :func:`draw_sweeps`)."""
    if isinstance(data, SweepData):
        return draw_sweeps(data)
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    panels = data.panels
    fig = Figure(figsize=(5.4 * len(panels), 4.6), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, panel in zip(axes, panels):
        for y0, y1, label, color in panel.bands:
            ax.axhspan(y0, y1, color=color, alpha=0.35, lw=0, label=label)
        for line in panel.lines:
            ax.plot(line.x, line.y, line.style, color=line.color, lw=line.width,
                    label=line.label)
        for x, label, color, style in panel.vlines:
            ax.axvline(x, color=color, ls=style, lw=1.1, label=label)
        for y, label, color, style in panel.hlines:
            ax.axhline(y, color=color, ls=style, lw=1.1, label=label)
        for pts in panel.points:
            ax.errorbar(pts.x, pts.y, yerr=pts.err, fmt=pts.marker, color=pts.color, ms=5,
                        mfc=pts.color if pts.filled else "white", capsize=2.5, lw=1.0,
                        label=pts.label, zorder=3)
        for x, y, label, color in panel.stars:
            ax.plot([x], [y], "*", color=color, ms=13, mec="k", mew=0.6, label=label, zorder=4)
        ax.set_xscale(panel.xscale)
        ax.set_yscale(panel.yscale)
        if panel.ylim:
            ax.set_ylim(*panel.ylim)
        if panel.xlim:
            ax.set_xlim(*panel.xlim)
        ax.set_title(panel.title, fontsize=10.5)
        ax.set_xlabel(panel.xlabel)
        ax.set_ylabel(panel.ylabel)
        ax.grid(True, alpha=0.25)
        handles, labels = ax.get_legend_handles_labels()
        if any(line.color != "k" for line in panel.lines):
            handles.append(Line2D([], [], color="k", lw=1.8))
            labels.append("theory (n, p → ∞)")
        if any(p.label is None for p in panel.points):
            handles.append(Line2D([], [], color="k", marker="o", ls="none", ms=5))
            labels.append("simulation, mean ± 95% CI")
        ax.legend(handles, labels, loc=panel.legend_loc, fontsize=7.5, framealpha=0.85)
        if panel.note:
            ax.text(0.02, 0.02, panel.note, transform=ax.transAxes, fontsize=8, color="0.3",
                    va="bottom")
    fig.suptitle(data.title, fontsize=12)
    return fig


def save(fig, directory, name, formats=("png", "pdf"), dpi=110):
    """Write ``fig`` as ``directory/name.<format>`` for each format; return the paths."""
    from pathlib import Path
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = directory / f"{name}.{fmt}"
        fig.savefig(path, dpi=dpi, metadata={"Software": "rmtheory"} if fmt == "png" else None)
        paths.append(path)
    return paths
