"""The LaTeX document of every formula: complete, labelled once, compiles."""
import re
import shutil
import subprocess

import pytest

from rmtheory import latex_formula
from rmtheory.printing import (describe_latex, formula_latex, latex_document,
                               split_top_level, write_latex)
from rmtheory.symbolic import all_formulas, formula


@pytest.fixture(scope="module")
def document():
    return latex_document()


def test_every_formula_labelled_exactly_once(document):
    labels = re.findall(r"\\label\{([^}]*)\}", document)
    expected = [f.label for f in all_formulas()]
    for label in expected:
        assert labels.count(label) == 1, label
    assert sorted(labels) == sorted(expected)


def test_preamble_uses_only_base_packages(document):
    packages = set(re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", document))
    assert packages <= {"amsmath", "amssymb", "graphicx"}
    assert document.startswith(r"\documentclass{article}")
    assert r"\allowdisplaybreaks" in document


def test_golden_ratio_prints_as_varphi(document):
    assert formula_latex("w_star_minnorm") == r"w^{\star} = \frac{1}{\varphi}"
    assert re.search(r"\\phi(?![A-Za-z])", document) is None


def test_pdflatex_compiles_without_errors(tmp_path):
    pdflatex = shutil.which("pdflatex")
    assert pdflatex is not None, (
        "pdflatex not found: install it (Debian/Ubuntu: apt-get install "
        "texlive-latex-base texlive-latex-recommended); .ci/run does this")
    tex = write_latex(tmp_path / "formulas.tex")
    proc = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    log = (tmp_path / "formulas.log").read_text(errors="replace")
    errors = [line for line in log.splitlines()
              if line.startswith("! ") or "Undefined control sequence" in line]
    assert proc.returncode == 0, "\n".join(errors) or proc.stdout[-3000:]
    assert not errors, "\n".join(errors)
    assert (tmp_path / "formulas.pdf").stat().st_size > 0
    # \fit scales every over-wide display line: nothing may run into the margin
    assert "Overfull \\hbox" not in log, re.findall(r"Overfull \\hbox.*", log)


@pytest.mark.parametrize("name", ["c_w", "dynamic_weight", "ols_risk"])
def test_latex_formula_and_repr_latex(name):
    f = formula(name)
    text = latex_formula(name)
    assert text == f.latex()
    assert text.startswith(f.lhs + " ")
    assert f._repr_latex_() == f"$\\displaystyle {text}$"


def test_split_top_level_keeps_groups_whole():
    assert split_top_level(r"a + \frac{b - c}{d} - \left(e + f\right)") == [
        "a", r"+ \frac{b - c}{d}", r"- \left(e + f\right)"]
    assert split_top_level(r"- x^{2} + \sqrt{y - 1}") == [r"- x^{2}", r"+ \sqrt{y - 1}"]
    assert split_top_level(r"\left\{ a + b \right\} + c") == [r"\left\{ a + b \right\}", "+ c"]


def test_every_long_formula_split_terms_rejoin():
    for f in all_formulas():
        rhs = f.latex()[len(f.lhs) + len(f.relation) + 2:]
        assert " ".join(split_top_level(rhs)) == rhs.strip()


def test_descriptions_are_valid_text():
    assert describe_latex("mass at zero for gamma > 1") == r"mass at zero for $\gamma > 1$"
    assert describe_latex("50% & #1") == r"$50\%$ \& $\#1$"
    with pytest.raises(TypeError, match="text"):
        describe_latex(1)


def test_write_latex_rejects_non_path():
    with pytest.raises(TypeError, match="path"):
        write_latex(3)
