"""The LaTeX of every formula: complete, labelled once, pasteable (no custom
macros, conventional order of terms, ``^\\top``, assumptions), compiles; and
Formula objects take the API's keyword names and SymPy symbols."""
import re
import shutil
import subprocess

import pytest

from rmtheory import latex_formula
import sympy as sp

import rmtheory as rt
from rmtheory.printing import (describe_latex, formula_equation, formula_latex, latex_document,
                               split_top_level, write_latex)
from rmtheory.symbolic import all_formulas, formula
from rmtheory.symbolic.formulas import paper_latex


@pytest.fixture(scope="module")
def document():
    return latex_document()


def test_every_formula_labelled_exactly_once(document):
    labels = re.findall(r"\\label\{([^}]*)\}", document)
    expected = [f.label for f in all_formulas()]
    for label in expected:
        assert labels.count(label) == 1, label
    assert sorted(labels) == sorted(expected)
    assert all(f.label == f"eq:{f.name}" for f in all_formulas())   # as the README says


def test_no_custom_macros_anywhere(document):
    assert r"\newcommand" not in document and "\\def\\" not in document
    assert r"\fit{" not in document and r"\name{" not in document
    for f in all_formulas():
        block = formula_equation(f.name)
        assert block.splitlines()[2] in (r"\begin{equation}", r"\begin{align}")
        assert f"\\label{{eq:{f.name}}}" in block
        commands = set(re.findall(r"\\([A-Za-z]+)", block)) - {"label", "begin", "end"}
        # every command is one of LaTeX's or amsmath's own
        assert commands <= _STANDARD, (f.name, commands - _STANDARD)


_STANDARD = {
    "frac", "left", "right", "sqrt", "int", "sum", "lim", "infty", "to", "quad", "nonumber",
    "star", "top", "varphi", "pi", "alpha", "beta", "gamma", "delta", "kappa", "lambda", "mu",
    "sigma", "rho", "theta", "Gamma", "mathrm", "operatorname", "tfrac", "Bigl", "Bigr", "iff",
    "leq", "geq", "le", "ge", "downarrow", "in", "Sigma", "lVert", "rVert", "varepsilon",
    "tilde", "hat", "partial", "ldots", "dots", "cdot", "infty", "mathbb", "text", "delta",
    "displaystyle",
}


def test_every_formula_has_its_assumptions_in_one_line(document):
    for f in all_formulas():
        assert f.assumptions and "\n" not in f.assumptions, f.name
        assert f.assumptions.count("$") % 2 == 0, f.name
        assert f"Holds for {f.assumptions}." in document
        assert f"% holds for: {f.assumptions}" in formula_equation(f.name)


def test_transpose_is_top_throughout(document):
    assert re.search(r"\^\{?T\b", document) is None
    assert r"X^{\top}X/n" in document


def test_conventional_order_of_terms():
    # the orders SymPy's printer produced before (issue 15): a leading minus,
    # "-1 +", "w(w - 2)" beside "w(2 - w)"
    for f in all_formulas():
        rhs = formula_latex(f.name)[len(f.lhs) + len(f.relation) + 2:]
        assert not rhs.startswith("- "), (f.name, rhs)
        assert not re.search(r"\\left\(- ", rhs), (f.name, rhs)
        assert "w - 2" not in rhs and "w - 1" not in rhs.replace(r"\left(w - 1\right)", ""), f.name
    assert formula_latex("isotropic_bias").endswith(
        r"\frac{\kappa^{2} r^{2}}{\left(\kappa + 1\right)^{2} - \gamma}")
    assert formula_latex("kappa_fixed_point") == (
        r"\lambda = \kappa \left(1 - \gamma \int \frac{s}{\kappa + s}\, dH(s)\right)")
    assert formula_latex("w_star_kappa_s") == (
        r"w^{\star}(\kappa_s) = \frac{\sqrt{\kappa_{s}^{2} + 4 \kappa_{s}} - \kappa_{s}}{2}")
    assert formula_latex("replace_variance_factor").endswith(r"= 1 + \kappa_{s} t")
    assert paper_latex(sp.Symbol("a") - 1) == "a - 1"


def test_display_forms_equal_the_derivation():
    """What is printed is the derived expression: each display form, with
    c(w), kappa_1 and the like filled in, equals ``rhs`` exactly."""
    for name in ("c_w", "c_w_kappa_s", "w_star_kappa_s", "isotropic_kappa", "mp_stieltjes",
                 "mp_density", "ols_risk", "isotropic_minnorm_risk", "ridge_variance_multiplier",
                 "replace_variance_factor", "accumulate_variance_factor_limit"):
        f = formula(name)
        assert f.display is not None
        assert sp.simplify(sp.radsimp(f.display - f.rhs)) == 0, name


def test_formula_keywords_are_the_api_names():
    assert formula("isotropic_risk").parameters == ("w", "lam", "gamma", "r2", "sigma2")
    f = formula("ols_risk")
    assert f(w=0.5, gamma=0.5, sigma2=2.0) == f(0.5, 0.5, 2.0) == f(0.5, sigma2=2.0, gamma=0.5)
    with pytest.raises(TypeError, match="'sigma' is not a parameter of ols_risk; its parameters "
                                        "are w, gamma, sigma2"):
        f(w=0.5, gamma=0.5, sigma=1.0)
    with pytest.raises(TypeError, match="missing sigma2"):
        f(w=0.5, gamma=0.5)
    with pytest.raises(TypeError, match="both by position and by name"):
        f(0.5, w=0.5, gamma=0.5, sigma2=1.0)
    with pytest.raises(TypeError, match="at most 3 arguments"):
        f(1, 2, 3, 4)


def test_formula_accepts_sympy_and_the_exported_symbols():
    w = rt.symbols.w
    c = formula("c_w")
    assert c.rhs.subs(w, sp.Rational(1, 2)) == sp.Rational(2, 3)      # issue 15
    assert c(sp.Rational(1, 2)) == sp.Rational(2, 3)
    assert sp.simplify(c(w=1 / sp.GoldenRatio) - 1 / sp.GoldenRatio) == 0
    u = sp.Symbol("u", positive=True)
    assert sp.simplify(c(u) - (u**2 + (1 - u)**2) / (u * (2 - u))) == 0
    # arguments not given stay the library's symbols
    partial = formula("isotropic_kappa")(lam=sp.Rational(1, 2))
    assert partial.free_symbols == {rt.symbols.gamma}
    assert partial.subs(rt.symbols.gamma, 2) == formula("isotropic_kappa")(sp.Rational(1, 2), 2)
    assert float(partial.subs(rt.symbols.gamma, 2)) == pytest.approx(
        formula("isotropic_kappa")(lam=0.5, gamma=2.0), rel=1e-15)
    assert rt.symbols.lam is formula("isotropic_kappa").args[0]


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
    # no scaling macro: the breaking into align lines keeps every line in the page
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
    assert describe_latex("eigenvalue d of X^T X/n") == r"eigenvalue $d$ of $X^{\top} X/n$"
    assert describe_latex("50% & #1") == r"$50\%$ \& $\#1$"
    with pytest.raises(TypeError, match="text"):
        describe_latex(1)


def test_write_latex_rejects_non_path():
    with pytest.raises(TypeError, match="path"):
        write_latex(3)
