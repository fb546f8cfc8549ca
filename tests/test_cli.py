"""The command line: exit codes, outputs, and one-line errors for user mistakes."""
import json
import pathlib
import re
import subprocess
import sys

import pytest

from rmtheory.cli import COMMANDS, main
from rmtheory.symbolic import formula_names

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _one_line_error(capsys, *fragments):
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


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
    assert item["label"] == "eq:w-star-minnorm"


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
