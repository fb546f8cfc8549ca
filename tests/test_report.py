"""The main job: `rmtheory report` writes figures, tables and formulas.

One quick report (tiny Monte Carlo sizes) is written once per module through
the command line, progress bar included; the tests read what it wrote.
"""
import contextlib
import csv
import io
import math
import re

import numpy as np
import pytest

from rmtheory import experiments as F
from rmtheory.cli import main
from rmtheory.montecarlo import finite_n_w_star, min_l1_interpolation
from rmtheory.symbolic.schemes import variance_factor_function
from rmtheory.report import generate_report

FIGURE_NAMES = [name for name, _ in F.FIGURES]
#: the accumulate scheme's min-norm variance factor c_t (derived in symbolic)
accumulate_factor = variance_factor_function("accumulate", "math")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """``rmtheory report --quick --output DIR``: (directory, stdout, stderr)."""
    directory = tmp_path_factory.mktemp("report") / "out"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["report", "--quick", "--output", str(directory)])
    assert status == 0, err.getvalue()
    return directory, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The same quick report through the Python API, for its data."""
    return generate_report(tmp_path_factory.mktemp("api"), quick=True, progress=False, seed=3,
                           formats=("png",))


def test_every_figure_as_png_and_pdf(written):
    directory, _, _ = written
    for name in FIGURE_NAMES:
        png = (directory / f"{name}.png").read_bytes()
        pdf = (directory / f"{name}.pdf").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000, name
        assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000, name


def test_pngs_are_drawn_not_blank(written):
    import matplotlib.image as mpimg
    directory, _, _ = written
    for name in FIGURE_NAMES:
        pixels = mpimg.imread(directory / f"{name}.png")
        height, width = pixels.shape[:2]
        # two journal columns (7 in) at 200 dpi, a panel row and its legend high
        assert width == 1400 and 500 <= height <= 900, (name, pixels.shape)
        # lines and points in several colours, not a white page
        colours = np.unique((pixels[..., :3] * 255).astype(int).reshape(-1, 3), axis=0)
        assert len(colours) > 50, name
        assert pixels[..., :3].std() > 0.05, name


def test_summary_has_the_tables(written):
    directory, _, _ = written
    text = (directory / "summary.md").read_text()
    for heading in ("## Optimal weights per spectrum", "## Monte Carlo verdicts",
                    "## The finite-n gap and the deterministic equivalent",
                    "## Finite-n convergence"):
        assert heading in text
    for name in FIGURE_NAMES:
        assert f"]({name}.png)" in text
    # optimal weights: min-norm is 1/φ for every listed spectrum
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    spectra = {line.split("|")[1].strip() for line in rows}
    assert {"`isotropic`", "`discrete`", "`spiked`"} <= spectra
    for line in rows:
        if line.split("|")[1].strip() in {"`isotropic`", "`discrete`", "`spiked`"}:
            assert line.split("|")[3].strip() == "0.618034", line
    # the agreement table has one row per simulated series, with a ratio "k/m"
    agreement = text.split("## Monte Carlo verdicts")[1].split("##")[0]
    ratios = re.findall(r"\| (\d+)/(\d+) \|", agreement)
    assert len(ratios) >= 10
    assert re.search(r"\*\*Calibration of the Monte Carlo verdicts:\*\* over \d+ independent "
                     r"series", text)
    assert "3/n" not in text and "Detection threshold" in text
    # the deterministic equivalent is the limit where H_p = H (isotropic: Σ = I)
    de = text.split("## The finite-n gap and the deterministic equivalent")[1].split("##")[0]
    iso = next(line for line in de.splitlines() if line.startswith("| isotropic"))
    assert iso.split("|")[2].strip() == iso.split("|")[3].strip()


def test_checks_csv_matches_the_summary(written):
    directory, _, _ = written
    with open(directory / "checks.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["figure"] for r in rows} == set(FIGURE_NAMES)
    text = (directory / "summary.md").read_text()
    ok, total = map(int, re.search(r"(\d+) of (\d+) pass their own test", text).groups())
    in_scope = [r for r in rows if r["in_scope"] == "True"]
    assert total == len(in_scope)
    assert ok == sum(r["agrees"] == "True" for r in in_scope)
    count, beyond = map(int, re.search(r"of all (\d+) verdict z-scores, which share designs "
                                       r"within a series, (\d+)", text).groups())
    zs = [float(r["verdict_z"]) for r in in_scope if r["verdict_z"]]
    assert count == len(zs) and beyond == sum(abs(z) > 3 for z in zs)
    largest = float(re.search(r"the largest \|z\| = ([\d.]+)", text).group(1))
    assert largest == pytest.approx(max(abs(z) for z in zs), abs=0.006)
    for r in rows:
        assert math.isfinite(float(r["mc_mean"])) and math.isfinite(float(r["reference_value"]))
        # every point says what it was tested against; "agrees" is the verdict alone
        assert r["reference"] in ("exact finite-n", "extrapolated limit", "limit")
        if r["verdict_z"]:
            assert (r["agrees"] == "True") == (abs(float(r["verdict_z"])) <= 3.0)
        if r["reference"] == "extrapolated limit":
            assert len(r["ns"].split()) == 3
            assert bool(r["limit_estimate"]) == bool(r["verdict_z"]) == bool(r["limit_se"])
        if r["in_scope"] == "True":
            assert r["reference"] != "limit"      # the plain z is never an in-scope verdict


def test_formulas_tex_is_the_latex_document(written):
    directory, _, _ = written
    tex = (directory / "formulas.tex").read_text()
    assert tex.startswith(r"\documentclass{article}")
    assert r"\label{eq:c_w}" in tex and r"\end{document}" in tex


def test_progress_bar_and_listing(written):
    directory, out, err = written
    assert "rmtheory report" in err and "100%" in err          # tqdm on stderr
    assert f"to {directory}/" in out
    for name in FIGURE_NAMES:
        assert f"{name}.{{png,pdf}}" in out


def test_quick_report_mostly_agrees(report):
    in_scope = [c for c in report.checks if c.in_scope]
    assert len(in_scope) > 100
    assert sum(c.agrees for c in in_scope) >= 0.85 * len(in_scope)
    assert [p.name for p in report.files if p.suffix == ".pdf"] == []     # formats=("png",)


def test_figure_data_carries_the_claims(report):
    data = {d.name: d for d in report.figures}
    # golden ratio: every min-norm theory curve is lowest at w = 1/φ
    for line in data["golden_ratio"].panels[0].lines:
        assert line.x[np.argmin(line.y)] == pytest.approx(F.PHI_INV, abs=1e-12)
    # ridge: w*(λ) stays in [1/2, 1], starts near 1/φ and ends at 1
    for panel in data["ridge_w_star"].panels:
        for line in panel.lines:
            assert np.all((line.y >= 0.5) & (line.y <= 1.0))
            assert line.y[0] == pytest.approx(F.PHI_INV, abs=2e-3) and line.y[-1] == 1.0
    # risk against t: w = 0 grows by V₀ = 1 per refit (γ = 2); the others are bounded
    collapse = data["risk_vs_t"].panels[0].lines[0]
    assert np.allclose(np.diff(collapse.y), 1.0)
    # schemes: accumulate tends to B₀ + V₀ π²/6 from below
    accumulate = data["schemes"].panels[0].lines[3]
    assert np.all(np.diff(accumulate.y) > 0) and accumulate.y[-1] < 0.5 + math.pi**2 / 6
    # κ_s = 1 gives 1/φ on the closed-form curve
    star = data["kappa_s"].panels[0].stars[0]
    assert star[:2] == (1.0, F.PHI_INV)


def test_scheme_lines_come_from_the_api_and_match_the_closed_forms(report):
    """The schemes figure's theory is ``limiting_risk(scheme=...)``; at λ = 0 it
    equals the min-norm closed forms (B₀ = 1/2, V₀ = 1 at γ = 2)."""
    from rmtheory.plot import style_of
    lines = {line.key: line
             for line in {d.name: d for d in report.figures}["schemes"].panels[0].lines}
    assert all(line.color == style_of(key)[0] for key, line in lines.items())
    t = lines["replace"].x
    assert np.allclose(lines["replace"].y, 0.5 + (1 + t), rtol=1e-13)
    assert np.allclose(lines["accumulate"].y,
                       [0.5 + accumulate_factor(int(k), 1.0) for k in t], rtol=1e-13)
    fib = [1, 1]
    while len(fib) < 2 * len(t) + 2:
        fib.append(fib[-1] + fib[-2])
    dynamic = [0.5 + fib[2 * k] / fib[2 * k + 1] for k in range(len(t))]   # w_t = F_{2t+1}/F_{2t+2}
    assert np.allclose(lines["dynamic"].y, dynamic, rtol=1e-13)


def test_ridge_t_figure_checks_agree(report):
    """Finite-t ridge (spiked, AR(1)) and the four schemes for ridge: every
    Monte Carlo point of the quick report agrees with its reference."""
    import rmtheory as rt
    data = {d.name: d for d in report.figures}["ridge_t"]
    T = F.QUICK.T
    # two models + four schemes (literal loop and exact over designs), t = 0..T each;
    # R_0 is one fit for every scheme, checked once against the theory
    assert len(data.checks) == (2 + 2 * 4) * (T + 1) - 3
    assert {c.reference for c in data.checks} == {"extrapolated limit", "exact finite-n"}
    bad = [(c.setting, c.x, c.verdict_z) for c in data.checks if not c.agrees]
    assert not bad
    assert max(abs(c.verdict_z) for c in data.checks) < 3.0
    # the lines are the API's finite-t risks
    spiked = F.MODELS["spiked"]
    line = data.panels[0].lines[0]
    assert line.y[2] == pytest.approx(float(rt.limiting_risk(
        0.6, spiked.spectrum, gamma=2.0, lam=0.5, t=2, dps=15, **spiked.params).total), rel=1e-12)
    replace, mix, dynamic, accumulate = data.panels[1].lines
    assert np.all(np.diff(replace.y) > 0) and replace.style == "-" and dynamic.style == "--"
    assert np.all(dynamic.y[1:] < mix.y[1:])             # the greedy schedule, below w = 0.6
    assert np.all(accumulate.y[2:] < accumulate.y[1])    # decreasing here, though R_∞ = r² = 1


def test_accumulate_factor_matches_the_literal_loop():
    """The accumulate scheme's min-norm variance factor, against simulation."""
    from rmtheory.montecarlo import ConditionalRisk, make_problem, simulate_retraining
    pr = make_problem("isotropic", n=30, gamma=2.0, rng=11)
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    b0, v0 = cr.bias(1.0, 0.0, t=0), cr.variance(1.0, 0.0, t=0)
    risks = simulate_retraining(pr.X, pr.beta, Sigma=pr.Sigma, lam=0.0, T=4, reps=4000,
                                rng=12, scheme="accumulate")
    for t in range(5):
        expected = b0 + v0 * accumulate_factor(t, 1.0)
        z = (risks[:, t].mean() - expected) / (risks[:, t].std(ddof=1) / math.sqrt(4000))
        assert abs(z) < 4, (t, z)
    assert accumulate_factor(0, 1.0) == 1.0


def test_finite_n_w_star_is_the_minimiser():
    from rmtheory.montecarlo import ConditionalRisk, make_problem
    pr = make_problem("ar1", n=40, gamma=1.5, rng=5)
    cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
    lams = np.array([0.0, 0.2, 1.0, 50.0])
    w = finite_n_w_star(cr, lams)
    assert w[0] == pytest.approx(F.PHI_INV, abs=1e-6)      # min-norm: 1/φ on every design
    assert w[-1] == 1.0                                     # far beyond λ_c
    grid = np.linspace(0.3, 1.0, 7001)
    for lam, best in zip(lams, w):
        risks = cr.risk(grid, lam)
        assert cr.risk(best, lam) <= risks.min() + 1e-12


def test_min_l1_interpolation_interpolates_sparsely():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((15, 40))
    beta = np.zeros(40)
    beta[[3, 17]] = [1.0, -2.0]
    b = min_l1_interpolation(X, X @ beta)
    assert np.allclose(X @ b, X @ beta, atol=1e-8)
    assert np.allclose(b, beta, atol=1e-6)                  # exact recovery of a 2-sparse truth


def test_check_statistics():
    c = F.Check("f", "s", "w", 0.5, 1.0, 1.025, 0.01, "exact finite-n")
    assert c.z == pytest.approx(2.5) and c.verdict_z == pytest.approx(2.5) and c.agrees
    assert not F.Check("f", "s", "w", 0.5, 1.0, 1.035, 0.01, "exact finite-n").agrees
    # no tolerance: 9 standard errors fail whatever n (the old 3/n rule passed it)
    far = F.Check("f", "s", "w", 0.5, 1.0, 1.009, 0.001, "exact finite-n", n=160)
    assert not far.agrees and not hasattr(far, "tolerance")
    # with the draws, the verdict is Student t mapped to the normal scale
    t_scale = F.Check("f", "s", "w", 0.5, 1.0, 1.03, 0.01, "exact finite-n", n=160, draws=5)
    assert t_scale.z == pytest.approx(3.0) and 2.0 < t_scale.verdict_z < 2.3 and t_scale.agrees
    # extrapolated: the gap 2/n at n = 40, 80, 160 is the finite-size bias, not an error
    ns = (40, 80, 160)
    means = tuple(1.0 + 2.0 / n for n in ns)
    ext = F.Check("f", "s", "w", 0.5, 1.0, means[-1], 0.001, "extrapolated limit", n=160,
                  draws=24, ns=ns, means=means, ses=(0.001,) * 3, theory=1.0)
    assert ext.z > 10 and abs(ext.verdict_z) < 1e-6 and ext.agrees
    assert ext.limit_fit.limit == pytest.approx(1.0, abs=1e-12)
    assert not F.Check("f", "s", "w", 0.5, 1.01, means[-1], 0.001, "extrapolated limit", n=160,
                       draws=24, ns=ns, means=means, ses=(0.001,) * 3,
                       theory=1.01).agrees                        # a 1 % error fails
    exact = F.Check("f", "s", "lam", 0.0, 0.618, 0.618, 0.0)
    assert exact.deterministic and math.isnan(exact.z) and exact.agrees


def test_bad_arguments_raise_naming_them(tmp_path):
    with pytest.raises(ValueError, match="seed"):
        generate_report(tmp_path, seed=-1, progress=False)
    with pytest.raises(ValueError, match="formats"):
        generate_report(tmp_path, formats=("gif",), progress=False)
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ValueError, match="output"):
        generate_report(target, quick=True, progress=False)


# ---------------------------------------------------------------------------
# the figures as a journal takes them (checked on the drawn matplotlib objects)


@pytest.fixture(scope="module")
def drawn(report):
    """Every figure of the quick report drawn (Agg canvas, ticks laid out)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from rmtheory.plot import draw
    out = {}
    for data in report.figures:
        fig = draw(data)
        FigureCanvasAgg(fig).draw()
        out[data.name] = (data, fig)
    return out


def _texts(fig):
    import matplotlib.text
    return [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()]


def test_figures_have_journal_widths_and_8pt_text(drawn):
    from rmtheory.plot import MIN_FONT, ONE_COLUMN, TWO_COLUMN
    assert set(drawn) == set(FIGURE_NAMES)
    for name, (data, fig) in drawn.items():
        width, height = fig.get_size_inches()
        assert width in (ONE_COLUMN, TWO_COLUMN), (name, width)
        assert height < width, name
        sizes = [(t.get_text(), t.get_fontsize()) for t in _texts(fig)]
        assert len(sizes) > 10, name                       # ticks, labels, legend entries
        small = [s for s in sizes if s[1] < MIN_FONT]
        assert not small, (name, small[:5])
        # every legend's text too (legends are where small type hides)
        for legend in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]:
            assert min(t.get_fontsize() for t in legend.get_texts()) >= MIN_FONT, name


def test_labels_are_mathtext_without_literal_braces(drawn):
    for name, (_, fig) in drawn.items():
        for t in _texts(fig):
            text = t.get_text()
            assert text.count("$") % 2 == 0, (name, text)
            plain = re.sub(r"\$[^$]*\$", "", text)           # what is not mathtext
            assert not re.search(r"[{}]|_\w|\^\w", plain), (name, text)


def test_one_colour_per_model_weight_or_scheme_everywhere(drawn):
    from matplotlib.colors import to_hex
    from rmtheory.plot import style_of
    colour_of_key, key_of_colour = {}, {}
    for name, (data, fig) in drawn.items():
        seen = {}
        for panel in data.panels:
            for series in getattr(panel, "lines", []) + getattr(panel, "points", []):
                if series.key is None:
                    continue
                colour = to_hex(series.color)
                assert colour == to_hex(style_of(series.key)[0]), (name, series.key)
                assert colour_of_key.setdefault(series.key, colour) == colour, series.key
                # within one figure two different series never share a colour
                assert seen.setdefault(colour, series.key) == series.key, (name, series.key)
        # and the drawn legend says the same: one colour per label across figures
        for legend in fig.legends:
            for handle, text in zip(legend.legend_handles, legend.get_texts()):
                colour = to_hex(handle.get_color() if hasattr(handle, "get_color")
                                else handle.get_facecolor())
                key_of_colour.setdefault(text.get_text(), colour)
                assert key_of_colour[text.get_text()] == colour, (name, text.get_text())
    # the same weight in risk_vs_t's min-norm and ridge panels: the same colour
    risk = drawn["risk_vs_t"][0]
    by_key = {}
    for panel in risk.panels:
        for line in panel.lines:
            by_key.setdefault(line.key, set()).add(line.color)
    assert all(len(c) == 1 for c in by_key.values()) and "w=0.618" in by_key


def test_no_point_outside_the_unit_interval_of_w(drawn):
    """Points are drawn at the weights simulated (no jitter): on every axis of
    w, every drawn x (lines, markers, error bars) lies in (0, 1]."""
    from matplotlib.collections import LineCollection
    count = 0
    for name, (_, fig) in drawn.items():
        for ax in fig.axes:
            if "$w$" not in ax.get_xlabel():
                continue
            for artist in ax.get_lines():
                x = np.asarray(artist.get_xdata(), float)
                if artist.get_transform() is not ax.transData and len(x) == 2:
                    continue          # axvline/axhline: axes coordinates on one side
                count += x.size
                assert np.all((x > 0) & (x <= 1.0 + 1e-12)), (name, x)
            for coll in ax.collections:
                if isinstance(coll, LineCollection):
                    for seg in coll.get_segments():
                        count += len(seg)
                        assert np.all((seg[:, 0] > 0) & (seg[:, 0] <= 1.0 + 1e-12)), name
    assert count > 100


def test_captions_claim_only_what_the_error_bars_support(report):
    from rmtheory.experiments.beyond import lowest_weight
    data = {d.name: d for d in report.figures}
    caption = data["beyond"].caption
    match = re.search(r"lowest at w = ([\d.]+) among the weights tried, below every other by "
                      r"at least ([\d.]+) standard errors", caption)
    assert match or "is not resolved" in caption, caption
    if match:
        assert float(match.group(2)) > 3.0
    assert "offset" in caption                       # says that no point is shifted
    assert lowest_weight([0.3, 0.6], [1.0, 1.05], [0.1, 0.1])[0] is None


def test_w_star_below_half_section(written, report):
    directory, _, _ = written
    text = (directory / "summary.md").read_text()
    section = text.split("When w* falls below one half")[-1].split("\n## ")[0]
    assert "](w_star_below_half.png)" in section
    assert "w* = 0.4258166175" in section          # mpmath, 15 digits (notebook 07: 1e-9)
    data = {d.name: d for d in report.figures}["w_star_below_half"]
    star = data.panels[0].stars[0]
    assert star[0] == pytest.approx(0.4258166175, abs=1e-9) and star[0] < 0.5
    assert data.panels[0].stars[1][0] >= 0.5        # G = H: in the band
    # the finite-n case: the project's calibrated verdict, against the extrapolated limit
    assert {c.reference for c in data.checks} == {"extrapolated limit"}
    assert all(c.in_scope for c in data.checks) and len(data.checks) == 4
    assert sum(c.agrees for c in data.checks) >= 3
    # the maps: w* < 1/2 somewhere, never for G = H ... and in the band where g = 0.5
    by_fraction = data.panels[1].values
    assert np.nanmin(by_fraction) < 0.5 and np.nanmin(by_fraction[:, -1]) >= 0.5
