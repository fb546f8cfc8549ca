r"""The records every experiment fills: Monte Carlo sizes, spectrum models,
checks with their calibrated verdicts, and the panels a figure shows.

A Monte Carlo point is a mean over independent draws ``R_1, …, R_K`` with
error bar ``± 1.96 s/√K``, and its check (:class:`Check`) is a calibrated
verdict, with no tolerance rule:

.. math:: z = \frac{\bar R - R_{\text{reference}}}{s/\sqrt{K}}

against the exact finite-n expectation where one exists, else
``z = (R̂∞ − R_theory)/se(R̂∞)`` with ``R̂∞`` the means at
``n × Sizes.ladder`` extrapolated to ``n → ∞``
(:mod:`rmtheory.compare.verdict`); :func:`calibration_of` checks that these
z-scores are ``N(0, 1)``.

Examples
--------
>>> from rmtheory.experiments.records import Check
>>> c = Check("f", "isotropic", "w", 0.5, 1.0, 1.02, 0.01, "exact finite-n")
>>> round(c.z, 6), c.agrees
(2.0, True)
"""
from dataclasses import dataclass, field
import math
from typing import Optional

import numpy as np

__all__ = ["Sizes", "FULL", "QUICK", "Model", "MODELS", "Check", "Line", "Points", "Panel",
           "FigureData", "MapData", "SweepData", "PHI_INV", "Z_THRESHOLD", "Z95",
           "calibration_of", "format_checks"]

#: ``1/φ = (√5 − 1)/2``, the optimal weight of min-norm interpolation
PHI_INV = (math.sqrt(5) - 1) / 2
#: a verdict z beyond this fails the point (:attr:`Check.agrees`)
Z_THRESHOLD = 3.0
#: two-sided 95% normal quantile for the error bars
Z95 = 1.959963984540054


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
    tex: str = ""

    @property
    def legend(self) -> str:
        """The label of the figures (mathtext; ``label`` is for tables)."""
        return self.tex or self.label

    @property
    def mc_params(self):
        return {**self.params, **self.mc_extra}

    def problem(self, *, n, gamma, rng, entries="gaussian"):
        from ..montecarlo import make_problem
        return make_problem(self.spectrum, n=n, gamma=gamma, rng=rng, entries=entries,
                            **self.mc_params)


#: the models drawn in the figures; explicit parameters, so the theory and
#: the simulation use the same ones whatever each layer's defaults are
MODELS = {m.key: m for m in (
    Model("isotropic", "isotropic", "isotropic"),
    Model("two-point", "two-point H = ½δ₁ + ½δ₄", "discrete",
          dict(eigs=(1.0, 4.0), weights=(0.5, 0.5)),
          tex=r"two-point $H = \frac{1}{2}\delta_1 + \frac{1}{2}\delta_4$"),
    Model("random-effects", "random effects, H = G = ½δ₁ + ½δ₄", "random_effects",
          dict(eigs=(1.0, 4.0), weights=(0.5, 0.5)),
          tex=r"random effects $H = G = \frac{1}{2}\delta_1 + \frac{1}{2}\delta_4$"),
    Model("ar1", "AR(1), ρ = 0.5", "ar1", dict(rho=0.5), tex=r"AR(1), $\rho = 0.5$"),
    Model("spiked", "spiked, θ = 4, α² = ½", "spiked",
          dict(spikes=(4.0,), alignments=(0.5,)), dict(directions="coordinate"),
          tex=r"spiked, $\theta = 4$, $\alpha^2 = 1/2$"),
    Model("equicorrelated", "equicorrelated, ρ = 0.5", "equicorrelated", dict(rho=0.5),
          tex=r"equicorrelated, $\rho = 0.5$"),
    Model("uniform", "uniform H = U[0.5, 1.5]", "uniform", dict(a=0.5, b=1.5),
          tex=r"uniform $H = U[0.5, 1.5]$"),
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
    and ``se`` are those at the largest size; ``draws − 1`` are the degrees
    of freedom of ``se`` (the verdict's Student t; ``None``: normal).
    ``in_scope`` is ``False``
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
    n: Optional[int] = None
    draws: Optional[int] = None
    ns: tuple = ()
    means: tuple = ()
    ses: tuple = ()
    theory: Optional[float] = None
    stream: Optional[str] = None

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
        from ..compare.extrapolate import normal_z
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
        from ..compare.extrapolate import fit_limit
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
    from ..compare.calibration import calibration
    used = [c for c in checks if c.in_scope and not c.deterministic]
    return calibration([c.verdict_z_for(factor) for c in used], [c.series for c in used])


@dataclass
class Line:
    """A theory curve; ``key`` names its series (a model, a weight, a
    scheme: :func:`rmtheory.plot.style_of`), the same in every panel."""
    x: np.ndarray
    y: np.ndarray
    label: Optional[str]
    color: str = "k"
    style: str = "-"
    width: float = 1.5
    key: Optional[str] = None


@dataclass
class Points:
    """Simulation points with 95% half-widths ``err`` (may be zero)."""
    x: np.ndarray
    y: np.ndarray
    err: np.ndarray
    color: str = "k"
    marker: str = "o"
    label: Optional[str] = None
    filled: bool = True
    key: Optional[str] = None


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
    ylim: Optional[tuple] = None
    xlim: Optional[tuple] = None
    legend_loc: str = "best"
    note: Optional[str] = None


@dataclass
class FigureData:
    """Everything one figure shows, and the checks and tables behind it."""
    name: str
    title: str
    caption: str
    panels: list
    checks: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)     # title -> (header, rows)
    sizes: Optional[Sizes] = None


@dataclass
class MapData:
    """One map panel: ``values[i, j]`` at ``(xs[i], ys[j])``, with an
    optional curve ``y = curve(x)``, a contour level and marked points."""
    title: str
    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    xlabel: str
    ylabel: str
    curve: Optional[np.ndarray] = None
    curve_label: Optional[str] = None
    contour: Optional[float] = None
    marks: list = field(default_factory=list)
    xscale: str = "linear"
    yscale: str = "log"


@dataclass
class SweepData(FigureData):
    """A :class:`FigureData` drawn as maps (:func:`rmtheory.plot.draw_maps`):
    one :class:`MapData` per panel on a shared colour scale."""
    maps: list = field(default_factory=list)
    map_range: tuple = (0.5, 1.0)
    map_label: str = r"optimal weight $w^\star$"
    map_sharey: bool = True


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

