"""The command line: exit codes, outputs, and one-line errors for user mistakes."""
import json
import pathlib
import re
import subprocess
import sys

import pytest

from rmtheory.cli import COMMANDS, main
from conftest import one_line
from rmtheory.symbolic import formula_names

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _one_line_error(capsys, *fragments):
    return one_line(capsys.readouterr().err, *fragments)


def test_latex_writes_document_and_prints_path(tmp_path, capsys):
    target = tmp_path / "formulas.tex"
    assert main(["latex", "--output", str(target)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(target)
    assert err == ""
    assert target.read_text().startswith(r"\documentclass{article}")


def test_formulas_json_is_valid(capsys):
    assert main(["formulas", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [item["name"] for item in items] == formula_names()
    assert {"name", "label", "description", "latex", "rhs", "args"} <= set(items[0])


def test_formulas_json_single_name(capsys):
    assert main(["formulas", "--name", "w_star_minnorm", "--json"]) == 0
    item = json.loads(capsys.readouterr().out)
    assert item["latex"] == r"w^{\star} = \frac{1}{\varphi}"
    assert item["label"] == "eq:w_star_minnorm"


def test_formulas_text_and_latex(capsys):
    assert main(["formulas"]) == 0
    out = capsys.readouterr().out
    for name in formula_names():
        assert re.search(rf"^{name}  \(", out, re.M), name
    assert main(["formulas", "--name", "dynamic_weight", "--latex"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == r"w_t = \frac{w_{t-1} + 1}{w_{t-1} + 2}"


def test_default_job_prints_key_results(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "rmtheory report --output DIR" in out        # points to the main job
    assert "0.61803398874989484820" in out            # w* = 1/φ
    assert "1, 2/3, 5/8, 13/21, 34/55, 89/144, 233/377" in out   # F_{2t+1}/F_{2t+2}
    assert "sqrt(5)/2" in out                          # isotropic R_inf(w*), γ = 2
    assert "0.732050807569" in out                     # w*(κ_s = 2) = √3 − 1


def test_unknown_command_exits_2(capsys):
    assert main(["bogus"]) == 2
    _one_line_error(capsys, "COMMAND", "bogus")


def test_unknown_formula_name_exits_2(capsys):
    assert main(["formulas", "--name", "nope"]) == 2
    _one_line_error(capsys, "--name", "nope")


def test_missing_output_exits_2(capsys):
    assert main(["latex"]) == 2
    _one_line_error(capsys, "--output")


def test_unwritable_output_exits_2(tmp_path, capsys):
    assert main(["latex", "--output", str(tmp_path / "missing" / "f.tex")]) == 2
    _one_line_error(capsys, "--output")


def test_conflicting_options_exit_2(capsys):
    assert main(["formulas", "--latex", "--json"]) == 2
    _one_line_error(capsys, "--json", "--latex")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_help_shows_an_example(name, capsys):
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert "example:" in out and f"rmtheory {name}" in out


def test_python_m_rmtheory_bad_name_is_one_line():
    proc = subprocess.run([sys.executable, "-m", "rmtheory", "formulas", "--name", "nope"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "--name" in lines[0] and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = 'python3 -m venv .venv && .venv/bin/pip install ".[test]" && .venv/bin/python -m pytest'
    assert command in readme
    assert command in ci


# ------------------------------------------------------------ numeric commands

def test_optimal_w_table_and_json(capsys):
    assert main(["optimal-w", "--dps", "25"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^  w\*\s+0\.61803398874989484820458", out, re.M), out
    assert "on boundary   no" in out and "spectrum=isotropic" in out
    assert main(["optimal-w", "--spectrum", "spiked", "--lam", "5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["on_boundary"] is True and doc["w"] == 1.0      # 5 > λ_c ≈ 1.49
    assert doc["params"]["spikes"] == [4.0] and doc["params"]["lam"] == 5.0
    assert doc["gain"] == 0.0


def test_optimal_w_uses_spectrum_options(capsys):
    assert main(["optimal-w", "--spectrum", "discrete", "--eigs", "1,4", "--weights",
                 "0.5,0.5", "--signal-weights", "0.9,0.1", "--lam", "0.1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["params"]["signal_weights"] == [0.9, 0.1]
    assert 0.5 <= doc["w"] < 1.0


def test_risk_values_and_json(capsys):
    assert main(["risk", "--w", "0.5,1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    totals = [r["total"] for r in doc["records"]]
    assert totals == pytest.approx([1 / 2 + 2 / 3, 3 / 2], rel=1e-15)   # B₀ + c(w)V₀, γ = 2
    assert main(["risk", "--w", "0.5", "--gamma", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "0.66666666666666666667" in out           # OLS: c(1/2) σ²γ/(1 − γ) = 2/3


def test_risk_infinite_at_interpolation_threshold(capsys):
    assert main(["risk", "--w", "0.5", "--gamma", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["records"][0]["total"] is None
    assert main(["risk", "--w", "0.5", "--gamma", "1"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("inf")


def test_curve_mpmath_and_fast_agree(capsys):
    assert main(["curve", "--lams", "0.1,1,5", "--json", "--dps", "15"]) == 0
    slow = json.loads(capsys.readouterr().out)
    assert main(["curve", "--lams", "0.1,1,5", "--json", "--fast"]) == 0
    fast = json.loads(capsys.readouterr().out)
    assert [r["lam"] for r in slow["records"]] == [0.1, 1.0, 5.0]
    for a, b in zip(slow["records"], fast["records"]):
        assert a["w"] == pytest.approx(b["w"], abs=1e-8)
        assert a["on_boundary"] == b["on_boundary"]
    assert [r["on_boundary"] for r in slow["records"]] == [False, False, True]
    assert slow["critical_lambda"] == pytest.approx(3.2370487306710092, rel=1e-12)


def test_curve_text_lists_critical_lambda(capsys):
    assert main(["curve", "--lams", "geomspace:0.01:10:4", "--dps", "12"]) == 0
    out = capsys.readouterr().out
    assert "critical lambda (w* = 1 for every lambda beyond it): 3.2370487" in out
    assert len([line for line in out.splitlines() if re.match(r"\s+[0-9.]+\s+[01]\.", line)]) == 4


def test_verify_table_json_and_exit_status(capsys):
    args = ["verify", "--n", "30", "--draws", "4", "--w", "0.5,1", "--lam", "0,0.5"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "4/4 points within 3 standard errors" in out
    assert main(args + ["--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["records"]) == 4 and doc["params"]["draws"] == 4
    assert doc["records"][0]["theory"] == pytest.approx(7 / 6, rel=1e-12)
    # an impossible tolerance makes the points fail: exit status 1, not 0 or 2
    assert main(args + ["--z-threshold", "1e-9"]) == 1


def test_verify_uses_the_theory_defaults_of_the_spectrum(capsys):
    assert main(["verify", "--spectrum", "discrete", "--n", "20", "--draws", "2", "--w", "1",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["params"]["spectrum_params"]["eigs"] == [1.0, 4.0]   # as `rmtheory risk`


@pytest.mark.parametrize("args, option", [
    (["optimal-w", "--gamma", "-1"], "--gamma"),
    (["optimal-w", "--lam", "-0.5"], "--lam"),
    (["optimal-w", "--lam", "abc"], "--lam"),
    (["optimal-w", "--kappa-s", "-1"], "--kappa-s"),
    (["optimal-w", "--dps", "3"], "--dps"),
    (["optimal-w", "--t", "-2"], "--t"),
    (["optimal-w", "--gamma", "nan"], "--gamma"),
    (["optimal-w", "--spectrum", "nope"], "--spectrum"),
    (["optimal-w", "--spectrum", "ar1", "--eigs", "1,2"], "--eigs"),
    (["optimal-w", "--spectrum", "ar1", "--rho", "1.5"], "--rho"),
    (["optimal-w", "--spectrum", "discrete", "--weights", "0.3,0.3"], "--weights"),
    (["optimal-w", "--spectrum", "spiked", "--spikes", "-1"], "--spikes"),
    (["optimal-w", "--spectrum", "spiked", "--alignments", "0.9,0.9", "--spikes", "1,2"],
     "--alignments"),
    (["optimal-w", "--spectrum", "uniform", "--a", "2", "--b", "1"], "--b"),
    (["optimal-w", "--spectrum", "discrete", "--eigs", "1,2", "--weights", "0.5,0.5",
      "--signal-weights", "1"], "--signal-weights"),
    (["risk"], "--w"),
    (["risk", "--w", "1.5"], "--w"),
    (["risk", "--w", "0.5,x"], "--w"),
    (["risk", "--w", "0.5", "--r2", "-1"], "--r2"),
    (["risk", "--w", "0.5", "--sigma2", "0"], "--sigma2"),
    (["curve", "--lams", "geomspace:0:1:3"], "--lams"),
    (["curve", "--lams", "logspace:1:2:3"], "--lams"),
    (["curve", "--lams=-1,2"], "--lams"),
    (["curve", "--fast", "--lams", "0,1"], "--lams"),
    (["curve", "--fast", "--t", "2"], "--fast"),
    (["verify", "--draws", "1"], "--draws"),
    (["verify", "--n", "1"], "--n"),
    (["verify", "--w", "0"], "--w"),
    (["verify", "--lam", "-1"], "--lam"),
    (["verify", "--method", "magic"], "--method"),
    (["verify", "--seed", "-3"], "--seed"),
    (["report", "--formats", "gif"], "--formats"),
    (["report", "--seed", "-1"], "--seed"),
])
def test_bad_input_exits_2_naming_the_option(args, option, capsys):
    assert main(args) == 2
    _one_line_error(capsys, option)


def test_report_output_that_is_a_file_exits_2(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    assert main(["report", "--output", str(target), "--no-progress"]) == 2
    _one_line_error(capsys, "--output")


def test_report_defaults():
    from rmtheory.cli import build_parser
    parser, sub = build_parser()
    args = parser.parse_args(["report"])
    assert args.output == "rmtheory-report" and args.formats == ("png", "pdf")
    assert args.quick is False and args.progress is True


def test_non_convergence_is_one_line_exit_1(monkeypatch, capsys):
    import rmtheory as rt
    from rmtheory.numeric import NoConvergence

    def fail(*args, **kwargs):
        raise NoConvergence("kappa(lam)", 1e-3, 1e-30, "a larger dps")
    monkeypatch.setattr(rt, "optimal_w", fail)
    assert main(["optimal-w"]) == 1
    line = _one_line_error(capsys, "did not converge", "optimal-w")
    assert "a larger dps" in line


# ---------------------------------------------------------------------- README

def _readme():
    return (ROOT / "README.md").read_text()


def test_readme_first_command_installs_and_runs_the_report():
    blocks = re.findall(r"```bash\n(.*?)```", _readme(), re.S)
    first = blocks[0].strip()
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install . && ")
    assert first.endswith(".venv/bin/rmtheory report --output report")


def test_readme_python_examples_run_as_written():
    import doctest
    parser = doctest.DocTestParser()
    blocks = re.findall(r"```python\n(.*?)```", _readme(), re.S)
    assert len(blocks) >= 3
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    session = {}            # one reader's session: later blocks reuse earlier imports
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, session, f"README block {i}", "README.md", 0)
        assert test.examples, block
        runner.run(test, clear_globs=False)
        session.update(test.globs)
    assert runner.failures == 0


def test_readme_console_examples_print_what_they_show(capsys):
    blocks = re.findall(r"```console\n(.*?)```", _readme(), re.S)
    assert blocks
    for block in blocks:
        command, *expected = block.strip("\n").split("\n")
        assert command.startswith("$ rmtheory ")
        argv = command[len("$ rmtheory "):].split()
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert out.rstrip("\n").split("\n") == expected, command


def test_readme_lists_every_spectrum_model_and_its_defaults():
    from rmtheory.numeric import SPECTRUM_DEFAULTS
    readme = _readme()
    for name, params in SPECTRUM_DEFAULTS.items():
        row = re.search(rf"^\| `{name}` \|.*$", readme, re.M)
        assert row, name
        for key, value in params.items():
            if value is not None and key != "law":
                assert f"{key}" in row.group(0), (name, key)


def test_readme_gallery_images_exist_and_are_small():
    images = re.findall(r"!\[[^\]]*\]\((docs/gallery/[^)]+\.png)\)", _readme())
    assert 2 <= len(images) <= 4      # the README shows a few; the site all
    for image in images:
        path = ROOT / image
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size < 200_000
