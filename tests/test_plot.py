"""rmtheory.plot: the standard figures for a user's own spectrum, at journal
sizes, with the theory of the API (checked against it, not against pixels)."""
import math

import matplotlib.text
import numpy as np
import pytest

import rmtheory as rt
from rmtheory import plot


def _min_font(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(fig).draw()
    return min(t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
               if t.get_visible() and t.get_text())


def test_risk_vs_w_marks_the_api_optimum_for_a_users_spectrum():
    params = dict(eigs=(0.5, 2.0), weights=(0.3, 0.7))
    ax = plot.risk_vs_w("discrete", gamma=1.5, lam=0.2, ws=np.linspace(0.2, 1, 9), **params)
    best = rt.optimal_w("discrete", gamma=1.5, lam=0.2, dps=15, **params)
    star = [line for line in ax.get_lines() if line.get_marker() == "*"][0]
    assert star.get_xdata()[0] == pytest.approx(float(best.w), rel=1e-12)
    curve = ax.get_lines()[0]
    assert curve.get_ydata()[4] == pytest.approx(float(rt.limiting_risk(
        0.6, "discrete", gamma=1.5, lam=0.2, dps=15, **params)), rel=1e-12)
    assert tuple(ax.figure.get_size_inches()) == (plot.ONE_COLUMN, 2.6)
    assert _min_font(ax.figure) >= plot.MIN_FONT
    assert np.all((curve.get_xdata() > 0) & (curve.get_xdata() <= 1))


def test_w_star_vs_lambda_and_risk_vs_t_on_shared_axes():
    fig, (left, right) = plot.journal_figure(2)
    plot.w_star_vs_lambda("spiked", gamma=2.0, lams=np.geomspace(0.01, 10, 8), ax=left,
                          spikes=(4.0,), alignments=(0.5,))
    lam_c = float(rt.critical_lambda("spiked", gamma=2.0, dps=15, spikes=(4.0,),
                                     alignments=(0.5,)))
    assert any(np.allclose(line.get_xdata(), lam_c) for line in left.get_lines())
    for w in (0.2, 0.9):
        plot.risk_vs_t(w=w, T=3, ax=right)
    colours = [line.get_color() for line in right.get_lines() if line.get_marker() != "None"]
    assert colours == [plot.color_of(0.2), plot.color_of(0.9)] and colours[0] != colours[1]
    assert fig.get_size_inches()[0] == plot.TWO_COLUMN and _min_font(fig) >= plot.MIN_FONT


def test_palette_is_one_colour_per_key_and_colour_blind_safe():
    assert plot.style_of("mix") == plot.style_of((math.sqrt(5) - 1) / 2)
    assert plot.style_of("replace") == plot.style_of(0.0)
    models = [plot.color_of(k) for k in ("isotropic", "two-point", "random-effects", "ar1",
                                         "spiked", "equicorrelated")]
    assert len(set(models)) == len(models) and set(models) <= set(plot.OKABE_ITO.values())
    weights = [plot.color_of(w) for w in (0.0, 0.2, 1 / 3, 0.6, 0.9)] + [
        plot.color_of("dynamic"), plot.color_of("accumulate")]
    assert len(set(weights)) == len(weights) and set(weights) <= set(plot.TOL_MUTED.values())


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="ws"):
        plot.risk_vs_w(ws=[0.5, 1.2])
    with pytest.raises(ValueError, match="lams"):
        plot.w_star_vs_lambda(lams=[0.0, 1.0])
    with pytest.raises(ValueError, match="T"):
        plot.risk_vs_t(w=0.5, T=0)
    with pytest.raises(ValueError, match="panels"):
        plot.journal_figure(0)


def test_layers_experiments_on_top_montecarlo_below():
    """montecarlo imports nothing from the API, the comparison, the
    experiments or the plots; plot imports no experiment at module level."""
    import ast
    import pathlib
    root = pathlib.Path(plot.__file__).parent

    def imported(path):
        out = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                out.add((node.level, node.module or ""))
        return out
    above = {"api", "compare", "experiments", "plot", "report", "cli"}
    for path in (root / "montecarlo").glob("*.py"):
        for level, module in imported(path):
            assert not (level == 2 and module.split(".")[0] in above), (path.name, module)
    assert not any(m.startswith("experiments") for _, m in imported(root / "plot.py"))
