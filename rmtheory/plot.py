r"""Journal figures with matplotlib: the standard plots for your own
spectrum and parameters, and the drawing of the report's figures.

Standard figures (theory from :mod:`rmtheory.api`, nothing retyped):

- :func:`risk_vs_w`: the stationary (or finite-``t``) risk ``R(w)`` with
  its minimiser ``w*`` marked;
- :func:`w_star_vs_lambda`: ``w*(λ)`` with the critical penalty ``λ_c``;
- :func:`risk_vs_t`: the risk after ``t`` refits of a scheme;
- :func:`theory_vs_simulation`: Monte Carlo means (95 % error bars)
  against the theory they test.

Each takes an optional matplotlib ``ax`` and returns it; without one it
makes a one-column figure (:func:`journal_figure`). Journal conventions
throughout: widths of one column (:data:`ONE_COLUMN`, 3.4 in) or two
(:data:`TWO_COLUMN`, 7 in), text of at least :data:`MIN_FONT` = 8 pt,
mathtext labels, and one colour-blind-safe colour (and marker) per model,
weight or scheme, the same in every panel and figure
(:func:`style_of`): spectrum models take the Okabe–Ito palette, weights
and schemes Paul Tol's *muted* palette, so the two kinds never share a
colour in one figure. No point is shifted sideways.

:func:`draw` turns an experiment's :class:`~rmtheory.experiments.FigureData`
into a :class:`~matplotlib.figure.Figure` (no pyplot state: safe in
scripts, tests and notebooks) and :func:`save` writes it.

Examples
--------
>>> from rmtheory.plot import risk_vs_w
>>> ax = risk_vs_w("isotropic", gamma=2.0, ws=[0.3, 0.5, 0.7, 0.9, 1.0])
>>> ax.figure.get_size_inches().tolist()
[3.4, 2.6]
>>> ax.get_xlabel()
'real-data weight $w$'
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import numpy as np

__all__ = ["ONE_COLUMN", "TWO_COLUMN", "MIN_FONT", "OKABE_ITO", "TOL_MUTED", "style_of",
           "color_of", "journal_figure", "risk_vs_w", "w_star_vs_lambda", "risk_vs_t",
           "theory_vs_simulation", "draw", "draw_maps", "save"]

#: one journal column, inches
ONE_COLUMN = 3.4
#: two journal columns (a full page width), inches
TWO_COLUMN = 7.0
#: the smallest font size of any text, points
MIN_FONT = 8.0
#: sizes of the text kinds, points (none below :data:`MIN_FONT`)
_TITLE, _LABEL, _TICK, _LEGEND = 9.0, 8.5, 8.0, 8.0

#: Okabe & Ito (2008), colour-blind safe: the spectrum models
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9",
             "bluish green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
             "vermillion": "#D55E00", "reddish purple": "#CC79A7"}
#: Paul Tol's muted scheme, colour-blind safe: weights and schemes
TOL_MUTED = {"indigo": "#332288", "cyan": "#88CCEE", "teal": "#44AA99", "green": "#117733",
             "olive": "#999933", "sand": "#DDCC77", "rose": "#CC6677", "wine": "#882255",
             "purple": "#AA4499"}

_PHI_INV = (math.sqrt(5) - 1) / 2
#: two-sided 95% normal quantile of the error bars
_Z95 = 1.959963984540054

#: series key -> (colour, marker); a key names a model, a weight
#: (``"w=<value>"``), a scheme, a penalty or a noise ratio
_STYLES = {
    # spectrum models (rmtheory.experiments.MODELS keys)
    "isotropic": (OKABE_ITO["blue"], "o"),
    "two-point": (OKABE_ITO["orange"], "s"),
    "random-effects": (OKABE_ITO["bluish green"], "^"),
    "ar1": (OKABE_ITO["vermillion"], "D"),
    "spiked": (OKABE_ITO["reddish purple"], "v"),
    "equicorrelated": (OKABE_ITO["sky blue"], "P"),
    "equicorrelated-0.8": (OKABE_ITO["black"], "X"),
    "uniform": ("#7F7F7F", "h"),
    "ols": (OKABE_ITO["black"], "o"),          # one curve for every H
    # estimators beyond ridge
    "min-l1": (OKABE_ITO["orange"], "s"),
    # signal measures of the w* < 1/2 example
    "signal-small-atom": (OKABE_ITO["vermillion"], "D"),
    "signal-G=H": (OKABE_ITO["bluish green"], "^"),
    # weights and schemes: replace is w = 0, mix at 1/φ is w = 1/φ
    "w=0": (TOL_MUTED["indigo"], "o"),
    "w=0.2": (TOL_MUTED["cyan"], "s"),
    "w=0.3333": (TOL_MUTED["sand"], "^"),
    "w=0.6": (TOL_MUTED["teal"], "D"),
    "w=0.618": (TOL_MUTED["green"], "v"),
    "w=0.9": (TOL_MUTED["rose"], "P"),
    "dynamic": (TOL_MUTED["wine"], "X"),
    "accumulate": (TOL_MUTED["olive"], "h"),
    # penalties and noise ratios of the κ_s figure
    "lam=0": (OKABE_ITO["black"], "o"),
    "lam=0.5": (OKABE_ITO["orange"], "s"),
    "lam=2": (OKABE_ITO["vermillion"], "^"),
    "kappa_s=0.25": (OKABE_ITO["sky blue"], "D"),
    "kappa_s=1": (OKABE_ITO["blue"], "v"),
    "kappa_s=4": (OKABE_ITO["bluish green"], "P"),
}


def weight_key(w: float) -> str:
    """The style key of a weight: ``"w=<w to 4 significant digits>"``
    (``1/φ`` is ``"w=0.618"``)."""
    return f"w={float(w):.4g}" if abs(float(w) - _PHI_INV) > 1e-9 else "w=0.618"


def style_of(key: Any) -> tuple:
    """``(colour, marker)`` of a series: one per model, weight or scheme,
    the same in every panel and figure.

    Parameters
    ----------
    key : str or float
        A model key of :data:`rmtheory.experiments.MODELS`, a scheme
        (``"replace"``, ``"mix"`` at ``1/φ``, ``"dynamic"``,
        ``"accumulate"``), a weight as a float, or another key of the table
        above; an unknown key gets a colour of viridis from a stable hash.

    Returns
    -------
    tuple of (str, str)
        A hex colour and a matplotlib marker.

    Examples
    --------
    >>> style_of("isotropic")
    ('#0072B2', 'o')
    >>> style_of(0.0) == style_of("replace")
    True
    """
    if isinstance(key, (int, float)) and not isinstance(key, bool):
        key = weight_key(key)
    key = {"replace": "w=0", "mix": "w=0.618"}.get(key, key)
    if key in _STYLES:
        return _STYLES[key]
    from matplotlib import colormaps
    from matplotlib.colors import to_hex
    if key.startswith("w="):      # another weight: its place on viridis (dark to green)
        return to_hex(colormaps["viridis"](0.85 * min(max(float(key[2:]), 0.0), 1.0))), "o"
    code = sum(ord(c) * 31**i for i, c in enumerate(key)) % 997 / 997
    return to_hex(colormaps["viridis"](0.85 * code)), "o"


def color_of(key: Any) -> str:
    """The colour of :func:`style_of`.

    Examples
    --------
    >>> color_of("spiked")
    '#CC79A7'
    """
    return style_of(key)[0]


def journal_figure(panels: int = 1, *, width: Optional[float] = None,
                   height: float = 2.6) -> tuple:
    """A figure of ``panels`` axes side by side at a journal width.

    Parameters
    ----------
    panels : int
        Number of axes in one row.
    width : float, optional
        Inches; default :data:`ONE_COLUMN` for one panel, else
        :data:`TWO_COLUMN`.
    height : float
        Inches.

    Returns
    -------
    (matplotlib.figure.Figure, list of matplotlib.axes.Axes)

    Examples
    --------
    >>> fig, axes = journal_figure(2)
    >>> fig.get_size_inches().tolist(), len(axes)
    ([7.0, 2.6], 2)
    """
    from matplotlib.figure import Figure
    if isinstance(panels, bool) or not isinstance(panels, int) or panels < 1:
        raise ValueError(f"panels must be an int >= 1, received {panels!r}")
    width = width or (ONE_COLUMN if panels == 1 else TWO_COLUMN)
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = list(fig.subplots(1, panels, squeeze=False)[0])
    for ax in axes:
        _style_axes(ax)
    return fig, axes


def _style_axes(ax: Any) -> None:
    ax.tick_params(labelsize=_TICK, which="both")
    ax.xaxis.label.set_fontsize(_LABEL)
    ax.yaxis.label.set_fontsize(_LABEL)
    ax.title.set_fontsize(_TITLE)
    ax.grid(True, alpha=0.25)


def _axes(ax: Any) -> Any:
    if ax is None:
        return journal_figure(1)[1][0]
    _style_axes(ax)
    return ax


def _legend(ax: Any, **kwargs: Any) -> None:
    ax.legend(fontsize=_LEGEND, framealpha=0.85, **kwargs)


def risk_vs_w(spectrum: Any = "isotropic", *, gamma: float = 2.0, lam: float = 0.0,
              sigma2: float = 1.0, r2: float = 1.0, t: Optional[int] = None,
              kappa_s: float = 1.0, ws: Optional[Iterable[float]] = None, ax: Any = None,
              label: Optional[str] = None, key: Any = None, mark_optimum: bool = True,
              **spectrum_params: Any) -> Any:
    r"""Draw the limiting risk against the real-data weight, ``w*`` marked.

    .. math:: R(w) = B(w, \lambda) + V(w, \lambda), \qquad
              w^\star = \operatorname*{argmin}_{w \in (0, 1]} R(w),

    from :func:`rmtheory.limiting_risk` and :func:`rmtheory.optimal_w`
    (mpmath at 15 digits).

    Parameters
    ----------
    spectrum : str or spectrum
        A spectrum name of :func:`rmtheory.limiting_risk` (``"isotropic"``,
        ``"discrete"``, ``"spiked"``, …) or a spectrum object.
    gamma, lam, sigma2, r2, t, kappa_s
        As in :func:`rmtheory.limiting_risk` (``t=None``: stationary).
    ws : iterable of float, optional
        Weights in ``(0, 1]``; default 60 points from 0.1 to 1.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new one-column figure.
    label : str, optional
        Legend label; default the spectrum's name.
    key : str, optional
        Style key of :func:`style_of` (default the spectrum's name).
    mark_optimum : bool
        Mark ``w*`` with a star and a dotted vertical line.
    **spectrum_params
        The spectrum's parameters (``eigs=``, ``weights=``, ``rho=``, …).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        A weight outside ``(0, 1]`` (and any bad input of the API).

    Examples
    --------
    >>> ax = risk_vs_w("discrete", gamma=2.0, lam=0.5, sigma2=1/16,
    ...                eigs=(1/16, 1), weights=(0.5, 0.5), signal_weights=(1, 0),
    ...                ws=[0.2, 0.4, 0.6, 0.8, 1.0])
    >>> ax.get_legend_handles_labels()[1][1]
    '$w^\\star = 0.4258$'
    """
    from .api import limiting_risk, optimal_w
    ws = np.linspace(0.1, 1.0, 60) if ws is None else np.asarray(list(ws), dtype=float)
    if ws.size == 0 or np.any(~np.isfinite(ws)) or np.any(ws <= 0) or np.any(ws > 1):
        raise ValueError(f"ws must be weights in (0, 1], received {ws!r}")
    name = spectrum if isinstance(spectrum, str) else type(spectrum).__name__
    color, marker = style_of(key or name)
    ax = _axes(ax)
    common = dict(gamma=gamma, lam=lam, sigma2=sigma2, r2=r2, kappa_s=kappa_s, dps=15,
                  **spectrum_params)
    risk = [float(limiting_risk(float(w), spectrum, t=t, **common)) for w in ws]
    ax.plot(ws, risk, "-", color=color, lw=1.5, label=label or name)
    if mark_optimum:
        best = optimal_w(spectrum, t=t, **common)
        w_star = float(best.w)
        ax.axvline(w_star, color=color, ls=":", lw=1.0)
        ax.plot([w_star], [float(best.risk)], "*", color=color, ms=10, mec="k", mew=0.5,
                label=rf"$w^\star = {w_star:.4f}$", zorder=4)
    ax.set_xlabel("real-data weight $w$")
    ax.set_ylabel(r"risk $R_\infty(w)$" if t is None else f"risk $R_{{{int(t)}}}(w)$")
    _legend(ax)
    return ax


def w_star_vs_lambda(spectrum: Any = "isotropic", *, gamma: float = 2.0,
                     lams: Optional[Iterable[float]] = None, sigma2: float = 1.0,
                     r2: float = 1.0, kappa_s: float = 1.0, ax: Any = None,
                     label: Optional[str] = None, key: Any = None,
                     **spectrum_params: Any) -> Any:
    r"""Draw the optimal weight against the ridge penalty, with ``λ_c``.

    ``w*(λ)`` from :func:`rmtheory.optimal_w` (float64 backend, the whole
    grid at once) and the critical penalty
    :func:`rmtheory.critical_lambda` beyond which ``w* = 1`` (dotted line),
    on a log axis; the band ``[1/2, 1]`` of the paper's theorem is shaded.

    Parameters
    ----------
    spectrum : str or spectrum
        As in :func:`risk_vs_w`.
    gamma, sigma2, r2, kappa_s
        As in :func:`rmtheory.optimal_w`.
    lams : iterable of float, optional
        Penalties ``> 0``; default 60 from ``10⁻³`` to 20 (geometric).
    ax, label, key
        As in :func:`risk_vs_w`.
    **spectrum_params
        The spectrum's parameters.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = w_star_vs_lambda("isotropic", gamma=2.0, lams=[0.01, 0.1, 1.0])
    >>> [round(float(y), 3) for y in ax.lines[0].get_ydata()]
    [0.614, 0.6, 0.704]
    """
    from .api import critical_lambda, optimal_w
    lams = np.geomspace(1e-3, 20.0, 60) if lams is None else np.asarray(list(lams), float)
    if lams.size == 0 or np.any(~np.isfinite(lams)) or np.any(lams <= 0):
        raise ValueError(f"lams must be penalties > 0 (a log axis), received {lams!r}")
    name = spectrum if isinstance(spectrum, str) else type(spectrum).__name__
    color, _ = style_of(key or name)
    ax = _axes(ax)
    common = dict(gamma=gamma, sigma2=sigma2, r2=r2, kappa_s=kappa_s, **spectrum_params)
    w = np.asarray(optimal_w(spectrum, lam=lams, backend="float64", **common).w, float)
    lam_c = float(critical_lambda(spectrum, dps=15, **common))
    ax.plot(lams, w, "-", color=color, lw=1.5, label=label or name)
    ax.axhspan(0.5, 1.0, color="0.9", lw=0, zorder=0)
    ax.axvline(lam_c, color=color, ls=":", lw=1.0, label=rf"$\lambda_c = {lam_c:.3g}$")
    ax.set_xscale("log")
    ax.set_xlabel(r"ridge penalty $\lambda$")
    ax.set_ylabel(r"optimal weight $w^\star$")
    _legend(ax)
    return ax


def risk_vs_t(spectrum: Any = "isotropic", *, w: Optional[float] = None, T: int = 10,
              gamma: float = 2.0, lam: float = 0.0, sigma2: float = 1.0, r2: float = 1.0,
              kappa_s: float = 1.0, scheme: str = "mix", ax: Any = None,
              label: Optional[str] = None, **spectrum_params: Any) -> Any:
    r"""Draw the limiting risk after ``t = 0, …, T`` refits, and its limit.

    ``R_t`` from :func:`rmtheory.limiting_risk` with ``t=t`` and
    ``scheme=scheme`` (mpmath at 15 digits); the stationary ``R_∞`` (when
    finite) as a dashed line of the same colour.

    Parameters
    ----------
    spectrum : str or spectrum
        As in :func:`risk_vs_w`.
    w : float, optional
        The real-data weight of ``scheme="mix"`` (the other schemes fix
        their own).
    T : int
        Last refit, ``>= 1``.
    gamma, lam, sigma2, r2, kappa_s, scheme
        As in :func:`rmtheory.limiting_risk`.
    ax, label
        As in :func:`risk_vs_w`; the colour is that of the weight (mix) or
        of the scheme (:func:`style_of`).
    **spectrum_params
        The spectrum's parameters.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = risk_vs_t(scheme="replace", T=3)      # collapse: R_t = B₀ + (1 + t)V₀
    >>> [round(float(y), 6) for y in ax.lines[0].get_ydata()]
    [1.5, 2.5, 3.5, 4.5]
    """
    from .api import limiting_risk
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T must be an int >= 1, received {T!r}")
    key = w if scheme == "mix" and w is not None else scheme
    color, marker = style_of(key)
    ax = _axes(ax)
    common = dict(gamma=gamma, lam=lam, sigma2=sigma2, r2=r2, kappa_s=kappa_s, dps=15,
                  scheme=scheme, **spectrum_params)
    ts = np.arange(int(T) + 1)
    risk = [float(limiting_risk(w, spectrum, t=int(t), **common)) for t in ts]
    if label is None:
        label = f"$w = {w:.3g}$" if scheme == "mix" and w is not None else scheme
    ax.plot(ts, risk, "-", color=color, marker=marker, ms=3.5, lw=1.5, label=label)
    limit = float(limiting_risk(w, spectrum, **common))
    if math.isfinite(limit):
        ax.axhline(limit, color=color, ls="--", lw=0.9)
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("refit $t$")
    ax.set_ylabel("risk $R_t$")
    _legend(ax)
    return ax


def theory_vs_simulation(checks: Any, *, ax: Any = None, key: Any = None,
                         label: Optional[str] = None) -> Any:
    r"""Draw Monte Carlo means against the theory they test, with 95 %
    error bars and the diagonal.

    Parameters
    ----------
    checks : sequence of rmtheory.experiments.Check, or a verification report
        What :func:`rmtheory.verify` returned (its ``records``) or the checks
        of an experiment: each gives a theory value, a Monte Carlo mean and
        its standard error.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new one-column figure.
    key, label
        Style key (:func:`style_of`) and legend label.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import rmtheory as rt
    >>> report = rt.verify("isotropic", n=40, gamma=2.0, w=[0.5, 1.0], lam=0.0, draws=4,
    ...                    seed=0, progress=False)
    >>> ax = theory_vs_simulation(report)
    >>> len(ax.collections) >= 1 and ax.get_xlabel() == "limiting theory"
    True
    """
    records = getattr(checks, "records", None)
    if records is not None:
        theory = np.array([float(r["theory"]) for r in records])
        mean = np.array([float(r["mc_mean"]) for r in records])
        se = np.array([float(r["std_error"]) for r in records])
    else:
        checks = list(checks)
        theory = np.array([c.reference_value if c.theory is None else c.theory for c in checks])
        mean = np.array([c.mean for c in checks])
        se = np.array([c.se for c in checks])
    if theory.size == 0:
        raise ValueError("checks must hold at least one Monte Carlo point, received none")
    color, marker = style_of(key or "isotropic")
    ax = _axes(ax)
    low, high = float(min(theory.min(), mean.min())), float(max(theory.max(), mean.max()))
    pad = 0.05 * (high - low or abs(high) or 1.0)
    ax.plot([low - pad, high + pad], [low - pad, high + pad], "-", color="0.5", lw=0.9,
            label="simulation = theory")
    ax.errorbar(theory, mean, yerr=_Z95 * se, fmt=marker, color=color, ms=4, capsize=2,
                lw=1.0, label=label or "Monte Carlo mean ± 95% CI")
    ax.set_xlabel("limiting theory")
    ax.set_ylabel("Monte Carlo mean")
    _legend(ax, loc="upper left")
    return ax


# ---------------------------------------------------------------------------
# the report's figures


def _handle(color: str, marker: Optional[str], style: Optional[str], filled: bool = True):
    from matplotlib.lines import Line2D
    return Line2D([], [], color=color, marker=marker or "None", ls=style or "None", ms=4.5,
                  lw=1.5, mfc=color if filled else "white")


def draw(data: Any) -> Any:
    """A matplotlib :class:`~matplotlib.figure.Figure` of an experiment's
    :class:`~rmtheory.experiments.FigureData`: one axes per panel (one
    column wide for one panel, two columns for more), theory as lines,
    simulation as points with 95 % error bars at their own ``x`` (no
    jitter), and one legend below the panels — a series has one colour and
    marker in every panel, so one legend serves them all. Maps
    (:class:`~rmtheory.experiments.SweepData`): :func:`draw_maps`.

    Parameters
    ----------
    data : rmtheory.experiments.FigureData

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from rmtheory.experiments import FigureData, Panel, Line
    >>> panel = Panel("(a) a line", "real-data weight $w$", "risk")
    >>> panel.lines.append(Line(np.array([0.5, 1.0]), np.array([1.0, 2.0]), "$w$", "k"))
    >>> fig = draw(FigureData("demo", "Demo", "A caption.", [panel]))
    >>> fig.get_size_inches().tolist()
    [3.4, 3.07]
    """
    if getattr(data, "maps", None):
        return draw_maps(data)
    from matplotlib.figure import Figure
    panels = data.panels
    count = len(panels)
    handles: dict = {}

    def remember(label, make):
        if label and label not in handles:
            handles[label] = make()

    # first the entries of every panel, to size the legend
    for panel in panels:
        if not hasattr(panel, "lines"):       # a map: its own colour bar, no legend entry
            continue
        points = {p.key: p for p in panel.points if p.key is not None}
        for line in panel.lines:
            pts = points.get(line.key) if line.key is not None else None
            remember(line.label, lambda line=line, pts=pts: _handle(
                line.color, pts.marker if pts else None, line.style,
                pts.filled if pts else True))
        for pts in panel.points:
            remember(pts.label, lambda pts=pts: _handle(pts.color, pts.marker, None, pts.filled))
        for _, _, label, color in panel.bands:
            if label and label not in handles:
                from matplotlib.patches import Patch
                handles[label] = Patch(color=color, alpha=0.5, lw=0)
        for _, label, color, style in panel.vlines + panel.hlines:
            remember(label, lambda color=color, style=style: _handle(color, None, style))
        for _, _, label, color in panel.stars:
            remember(label, lambda color=color: _handle(color, "*", None))
    columns = 2 if count == 1 else 3 if count == 2 else 4
    rows = math.ceil(len(handles) / columns)
    width = ONE_COLUMN if count == 1 else TWO_COLUMN
    fig = Figure(figsize=(width, 2.5 + 0.4 + 0.17 * rows), layout="constrained")
    axes = fig.subplots(1, count, squeeze=False)[0]
    for ax, panel in zip(axes, panels):
        if not hasattr(panel, "lines"):
            mesh = _draw_map(ax, panel, 0.0, 1.0)
            bar = fig.colorbar(mesh, ax=ax, pad=0.02, fraction=0.08)
            bar.set_label(r"$w^\star$", fontsize=_LABEL)
            bar.ax.tick_params(labelsize=_TICK)
            continue
        for y0, y1, label, color in panel.bands:
            ax.axhspan(y0, y1, color=color, alpha=0.5, lw=0, zorder=0)
        for line in panel.lines:
            ax.plot(line.x, line.y, line.style, color=line.color, lw=line.width)
        for x, label, color, style in panel.vlines:
            ax.axvline(x, color=color, ls=style, lw=1.0)
        for y, label, color, style in panel.hlines:
            ax.axhline(y, color=color, ls=style, lw=1.0)
        for pts in panel.points:
            ax.errorbar(pts.x, pts.y, yerr=pts.err, fmt=pts.marker, color=pts.color, ms=4,
                        mfc=pts.color if pts.filled else "white", capsize=2, lw=0.9,
                        zorder=3)
        for x, y, label, color in panel.stars:
            ax.plot([x], [y], "*", color=color, ms=10, mec="k", mew=0.5, zorder=4)
        ax.set_xscale(panel.xscale)
        ax.set_yscale(panel.yscale)
        if panel.ylim:
            ax.set_ylim(*panel.ylim)
        if panel.xlim:
            ax.set_xlim(*panel.xlim)
        if "refit" in panel.xlabel:        # t counts refits: integer ticks
            from matplotlib.ticker import MaxNLocator
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(panel.title, fontsize=_TITLE)
        ax.set_xlabel(panel.xlabel, fontsize=_LABEL)
        ax.set_ylabel(panel.ylabel, fontsize=_LABEL)
        ax.tick_params(labelsize=_TICK, which="both")
        ax.grid(True, alpha=0.25)
        if panel.note:
            ax.text(0.97, 0.97, panel.note, transform=ax.transAxes, fontsize=MIN_FONT,
                    color="0.3", va="top", ha="right")
    if handles:
        fig.legend(list(handles.values()), list(handles), loc="outside lower center",
                   ncols=columns, fontsize=_LEGEND, frameon=False, handlelength=2.2,
                   columnspacing=1.2)
    return fig


def _draw_map(ax: Any, m: Any, vmin: float, vmax: float) -> Any:
    """One map panel (:class:`~rmtheory.experiments.MapData`) on ``ax``."""
    mesh = ax.pcolormesh(m.xs, m.ys, np.asarray(m.values, float).T, cmap="viridis",
                         vmin=vmin, vmax=vmax, shading="nearest", rasterized=True)
    if m.curve is not None:
        ax.plot(m.xs, m.curve, color="white", lw=1.4, label=m.curve_label)
    if m.contour is not None:
        ax.contour(m.xs, m.ys, np.asarray(m.values, float).T, levels=[m.contour],
                   colors="white", linewidths=1.4)
    if m.marks:
        ax.plot(*zip(*m.marks), "o", ms=4, mfc="none", mec="white", mew=1.0,
                label="finite-$n$ check")
    ax.set_xscale(m.xscale)
    ax.set_yscale(m.yscale)
    ax.set_xlim(m.xs[0], m.xs[-1])
    ax.set_ylim(m.ys[0], m.ys[-1])
    ax.set_title(m.title, fontsize=_TITLE)
    ax.set_xlabel(m.xlabel, fontsize=_LABEL)
    ax.set_ylabel(m.ylabel, fontsize=_LABEL)
    ax.tick_params(labelsize=_TICK, which="both")
    return mesh


def draw_maps(data: Any) -> Any:
    """The maps of a :class:`~rmtheory.experiments.SweepData`: one panel per
    entry of ``data.maps`` (two-column width, a shared viridis scale —
    readable in grey and by colour-blind readers), its curve in white and
    the simulated points as open circles.

    Parameters
    ----------
    data : rmtheory.experiments.SweepData

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    count = len(data.maps)
    fig = Figure(figsize=(TWO_COLUMN, 2.9), layout="constrained")
    axes = fig.subplots(1, count, sharey=data.map_sharey, squeeze=False)[0]
    meshes = [_draw_map(ax, m, *data.map_range) for ax, m in zip(axes, data.maps)]
    if axes[0].get_legend_handles_labels()[0]:
        axes[0].legend(loc="lower right", fontsize=_LEGEND, facecolor="0.3",
                       labelcolor="white", framealpha=0.7)
    bar = fig.colorbar(meshes[-1], ax=list(axes), shrink=0.95, pad=0.02)
    bar.set_label(data.map_label, fontsize=_LABEL)
    bar.ax.tick_params(labelsize=_TICK)
    return fig


def save(fig: Any, directory: Any, name: str, formats: Sequence[str] = ("png", "pdf"),
         dpi: int = 200) -> list:
    """Write ``fig`` as ``directory/name.<format>`` for each format.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    directory : str or path
        Created if missing.
    name : str
        File stem.
    formats : sequence of str
        ``png``, ``pdf``, ``svg``.
    dpi : int
        Resolution of the PNG (200: a 7-inch figure is 1400 pixels wide).

    Returns
    -------
    list of pathlib.Path
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = directory / f"{name}.{fmt}"
        fig.savefig(path, dpi=dpi, metadata={"Software": "rmtheory"} if fmt == "png" else None)
        paths.append(path)
    return paths
