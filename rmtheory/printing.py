r"""Every formula of the toolkit as one standalone LaTeX document.

:func:`latex_document` collects :func:`rmtheory.symbolic.all_formulas`
into an ``article`` that needs only ``amsmath``, ``amssymb`` and
``graphicx`` (all in Debian's ``texlive-latex-base``): one section per
regime, one numbered equation per formula with ``\label{<formula.label>}``
(``eq:<name>``), its one-line description above it and the assumptions
under which it holds in one line below. Each formula is a bare
``equation`` (a long one an ``align`` broken at its top-level ``+``/``-``)
with no custom macro, so :func:`formula_equation` can be pasted into a
paper as it is.

The golden ratio prints as :math:`\varphi` (SymPy's default is ``\phi``).

Examples
--------
>>> from rmtheory.printing import formula_latex, latex_document
>>> formula_latex("w_star_minnorm")
'w^{\\star} = \\frac{1}{\\varphi}'
>>> doc = latex_document()
>>> doc.startswith("\\documentclass{article}"), doc.count("\\label{eq:c_w}")
(True, 1)
>>> print(formula_equation("c_w"))
% c_w: stationary variance factor c(w) = lim c_t(w)
% holds for: min-norm interpolation ($\lambda = 0$, $\gamma > 1$), $\kappa_s = 1$, $0 < w \le 1$, $t \to \infty$; any $H$, $G$
\begin{equation}
  c(w) = \frac{w^{2} + \left(1 - w\right)^{2}}{w \left(2 - w\right)}
  \label{eq:c_w}
\end{equation}
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .symbolic import all_formulas, formula

__all__ = ["SECTIONS", "latex_document", "write_latex", "formula_latex",
           "formula_equation", "describe_latex", "split_top_level"]

#: ``(title, introduction, formula names)`` in document order; a registered
#: formula missing here still appears, in a last section "Other formulas".
SECTIONS = (
    ("Min-norm interpolation",
     r"Ridgeless fit $A_0 = X^{+}$ with $\gamma > 1$. The bias does not depend on "
     r"$w$ or $t$; the variance is the one-shot variance $V_0$ times $c_t(w)$.",
     ("c_t", "c_w", "minnorm_risk", "w_star_minnorm")),
    ("Synthetic noise and dynamic mixing",
     r"Synthetic labels with noise variance $\tilde\sigma^{2} = \kappa_s\sigma^{2}$, "
     r"and a weight $w_t$ chosen afresh at every refit.",
     ("c_w_kappa_s", "w_star_kappa_s", "dynamic_weight")),
    ("Ridge, per eigenvalue",
     r"Exact conditional moments: with $\hat\Sigma = X^{\top}X/n = \sum_i d_i v_i v_i^{\top}$, "
     r"$\mathbb{E}\hat\beta_t = \sum_i a_t(d_i)\, v_i v_i^{\top}\beta$ and "
     r"$\operatorname{Cov}\hat\beta_t = (\sigma^{2}/n)\sum_i u_t(d_i)\, v_i v_i^{\top}$.",
     ("ridge_mean_multiplier", "ridge_variance_multiplier",
      "ridge_mean_multiplier_t", "ridge_variance_multiplier_t")),
    ("General spectrum $H$",
     r"Limits $n, p \to \infty$ with $p/n \to \gamma$, then $t \to \infty$, for a "
     r"population spectrum $H$ and signal-weighted spectrum $G$.",
     ("kappa_fixed_point", "stieltjes_equation", "kappa_from_stieltjes", "df2",
      "kappa_prime", "ridge_bias", "ridge_variance", "mixed_risk",
      "mixed_bracket_w1", "critical_lambda_condition")),
    ("Isotropic features",
     r"$\Sigma = I$, so $H = G = \delta_1$ and $\hat\Sigma$ follows the "
     r"Marchenko--Pastur law.",
     ("isotropic_kappa", "mp_stieltjes", "mp_density", "mp_edges", "mp_atom",
      "isotropic_bias", "isotropic_variance", "isotropic_risk",
      "isotropic_risk_stieltjes", "isotropic_minnorm_risk", "w_star_series")),
    ("Ordinary least squares",
     r"Underparametrised regime $\gamma < 1$, $\lambda = 0$.",
     ("ols_risk",)),
)

#: above this many characters of LaTeX a right-hand side goes to ``multline``
LONG = 300
#: target characters of LaTeX per ``multline`` line
LINE = 220

_PREAMBLE = r"""\documentclass{article}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{graphicx}
\allowdisplaybreaks
\setlength{\textwidth}{15.5cm}
\setlength{\oddsidemargin}{0.5cm}
\setlength{\evensidemargin}{0.5cm}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.4ex}
% a math bullet: the text one needs TS1 fonts, bitmaps unless cm-super is installed
\renewcommand{\labelitemi}{$\bullet$}
"""

_NOTATION = r"""\section*{Notation}
Design $X \in \mathbb{R}^{n\times p}$ with rows $x_i = \Sigma^{1/2} z_i$, fixed across
iterations; truth $\beta$ with $\lVert\beta\rVert^{2} = r^{2}$; real label noise variance
$\sigma^{2}$, synthetic label noise variance $\kappa_s\sigma^{2}$.
Each refit $t \ge 1$ regresses on $w\,y_t + (1-w)\,\tilde y_t$: fresh real labels
$y_t = X\beta + \varepsilon_t$ and synthetic labels $\tilde y_t = X\hat\beta_{t-1} + \tilde\varepsilon_t$.
\begin{itemize}
\item $\gamma = p/n$, the aspect ratio; $\lambda \ge 0$, the ridge penalty
  ($\lambda = 0$: min-norm interpolation for $\gamma > 1$, OLS for $\gamma < 1$);
  $w \in (0, 1]$, the weight of the real data.
\item $R_t = \mathbb{E}\bigl[\lVert\hat\beta_t - \beta\rVert_{\Sigma}^{2} \mid X\bigr]$,
  the risk after $t$ refits; $R_\infty$ its limit $t \to \infty$.
\item $\kappa(\lambda) > 0$, the effective regularisation:
  $\lambda = \kappa\bigl(1 - \gamma\int \frac{s}{s+\kappa}\,dH(s)\bigr)$;
  $H$ is the limit spectrum of $\Sigma$, $G$ the signal-weighted spectrum.
\item $m(z)$, the Stieltjes transform of the limit spectrum of $X^{\top}X/n$;
  $m_1 = m(-\lambda/w)$ and $m_2 = m\bigl(-\lambda/(2-w)\bigr)$.
\item $\varphi = (1+\sqrt{5})/2$, the golden ratio, so $1/\varphi = (\sqrt{5}-1)/2 \approx 0.618$.
\end{itemize}
Each equation is tagged with its name in the registry:
\texttt{rmtheory.formula("c\_w")} returns the formula printed as \texttt{c\_w},
labelled \texttt{eq:c\_w}. The line under each formula says where it holds.
"""

_GREEK = ("alpha", "beta", "gamma", "delta", "varepsilon", "epsilon", "theta",
          "kappa", "lambda", "mu", "rho", "sigma", "tau", "phi", "varphi", "psi")
_GREEK_RE = re.compile(r"(?<![A-Za-z\\])(" + "|".join(_GREEK) + r")(?![A-Za-z])")
_OPERATORS = {"=", "+", "-", "<", ">", ">=", "<=", "->", "~", "*"}
_MATH_HINT = re.compile(r"[_^=/<>*'0-9]|[A-Za-z]\(")
_TEXT_SPECIAL = re.compile(r"([&%$#_{}])")


def _is_math_word(word):
    core = word.strip(".,;:")
    if not core:
        return False
    if core in _OPERATORS or core == "lim" or _GREEK_RE.search(core):
        return True
    if len(core) == 1 and core.isalpha() and core not in "aAI":
        return True
    return bool(_MATH_HINT.search(core))


def _math_of(text):
    text = _GREEK_RE.sub(r"\\\1", text)
    text = re.sub(r"(?<=[A-Za-z])\*", r"^{\\star}", text)
    text = re.sub(r"\^T(?![A-Za-z])", r"^{\\top}", text)
    text = (text.replace(">=", r"\geq ").replace("<=", r"\leq ")
            .replace("->", r"\to ").replace(r"\phi", r"\varphi"))
    text = re.sub(r"(?<![A-Za-z\\])lim(?![A-Za-z])", r"\\lim", text)
    return re.sub(r"([&%#$])", r"\\\1", text)


def describe_latex(text: str) -> str:
    r"""A plain-text description as LaTeX text with its symbols in math mode.

    Words that look like mathematics (Greek names, sub/superscripts,
    relations, digits, single-letter variables, ``f(x)``) are gathered into
    ``$…$`` spans; everything else is escaped text.

    Examples
    --------
    >>> describe_latex("optimal weight with synthetic-noise ratio kappa_s")
    'optimal weight with synthetic-noise ratio $\\kappa_s$'
    >>> describe_latex("w* = 1 exactly where this is >= 0")
    '$w^{\\star} = 1$ exactly where this is $\\geq 0$'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, received {type(text).__name__}")
    out: list[str] = []
    span: list[str] = []

    def close():
        if span:
            joined = " ".join(span)
            core = joined.rstrip(".,;:")
            out.append(f"${_math_of(core)}$" + joined[len(core):])
            span.clear()

    for word in text.split():
        if _is_math_word(word):
            if word.startswith("("):  # "λ -> 0 (γ > 1)": keep the space before "("
                close()
            span.append(word)
            if word[-1] in ".,;:":
                close()
        else:
            close()
            out.append(_TEXT_SPECIAL.sub(r"\\\1", word).replace("~", r"\textasciitilde{}"))
    close()
    return " ".join(out)


def _golden(latex):
    return re.sub(r"\\phi(?![A-Za-z])", r"\\varphi", latex)


def formula_latex(name: str) -> str:
    r"""LaTeX ``lhs = rhs`` of one formula, as in the document (``\varphi``).

    Examples
    --------
    >>> formula_latex("dynamic_weight")
    'w_t = \\frac{w_{t-1} + 1}{w_{t-1} + 2}'
    """
    return _golden(formula(name).latex())


def _parts(f):
    """``(lhs, relation, rhs)`` LaTeX of a formula, or ``None`` if unsplittable."""
    full = _golden(f.latex())
    head = f"{_golden(f.lhs)} {f.relation} "
    if not full.startswith(head):
        return None
    return _golden(f.lhs), f.relation, full[len(head):]


def split_top_level(latex: str) -> list[str]:
    r"""Split LaTeX at its top-level binary ``+`` and ``-``.

    Returns the terms; every term after the first starts with its sign.
    A sign inside braces, ``\left…\right`` or brackets is not top level.

    Examples
    --------
    >>> split_top_level(r"- \frac{a + b}{c} + \left(x - y\right) - 1")
    ['- \\frac{a + b}{c}', '+ \\left(x - y\\right)', '- 1']
    """
    terms, depth, start, i, n = [], 0, 0, 0, len(latex)
    while i < n:
        ch = latex[i]
        if latex.startswith(r"\left", i) and not latex[i + 5:i + 6].isalpha():
            depth += 1
            i += 5
            i += 2 if latex.startswith("\\", i) else 1  # skip the delimiter
            continue
        if latex.startswith(r"\right", i) and not latex[i + 6:i + 7].isalpha():
            depth -= 1
            i += 6
            i += 2 if latex.startswith("\\", i) else 1
            continue
        if ch == "\\":
            if latex[i + 1:i + 2] in ("{", "["):
                depth += 1
            elif latex[i + 1:i + 2] in ("}", "]"):
                depth -= 1
            i += 2
            continue
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif (ch in "+-" and depth == 0 and i > 0 and latex[i - 1] == " "
              and latex[i + 1:i + 2] == " " and latex[:i].strip()):
            terms.append(latex[start:i].strip())
            start = i
        i += 1
    terms.append(latex[start:].strip())
    return terms


def _lines(terms, width):
    """Greedy grouping of terms into lines of about ``width`` characters."""
    lines = []
    for term in terms:
        if lines and len(lines[-1]) + len(term) + 1 <= width:
            lines[-1] += " " + term
        else:
            lines.append(term)
    return lines


def _equation(f):
    r"""The bare ``equation`` (or, when long, ``align``) of one formula."""
    label = rf"\label{{{f.label}}}"
    parts = _parts(f)
    if parts is None or len(parts[2]) <= LONG:
        return "\n".join([r"\begin{equation}", f"  {_golden(f.latex())}", f"  {label}",
                          r"\end{equation}"])
    lhs, relation, rhs = parts
    lines = _lines(split_top_level(rhs), LINE)
    body = [rf"  {lhs} &{relation} {lines[0]}"]
    body += [rf"  &\quad {line}" for line in lines[1:]]
    return "\n".join([r"\begin{align}", (r" \nonumber\\" + "\n").join(body) + f" {label}",
                      r"\end{align}"])


def formula_equation(name: str) -> str:
    r"""One formula as LaTeX to paste into a paper: a bare ``equation``
    labelled ``eq:<name>``, after two comment lines with its description
    and the assumptions under which it holds.

    Needs ``amsmath`` only; no custom macro.

    Parameters
    ----------
    name : str
        A registered formula (:func:`rmtheory.symbolic.formula_names`).

    Returns
    -------
    str
        The LaTeX source.

    Examples
    --------
    >>> print(formula_equation("mp_atom").splitlines()[-3])
      \mu_{\mathrm{MP}}(\{0\}) = \frac{\gamma - 1}{\gamma}
    """
    f = formula(name)
    return "\n".join([f"% {f.name}: {f.description}", f"% holds for: {f.assumptions}",
                      _equation(f)])


def _entry(f):
    name = _TEXT_SPECIAL.sub(r"\\\1", f.name)
    head = rf"\texttt{{{name}}}\quad {describe_latex(f.description)}."
    below = rf"\noindent{{\footnotesize Holds for {f.assumptions}.}}" if f.assumptions else ""
    return f"{head}\n{_equation(f)}\n{below}\n"


def _sections():
    """``(title, introduction, formulas)`` covering every registered formula once."""
    registry = {f.name: f for f in all_formulas()}
    placed, sections = set(), []
    for title, intro, names in SECTIONS:
        chosen = [registry[n] for n in names if n in registry and n not in placed]
        placed.update(f.name for f in chosen)
        if chosen:
            sections.append((title, intro, chosen))
    rest = [f for name, f in registry.items() if name not in placed]
    if rest:
        sections.append(("Other formulas", "", rest))
    return sections


def latex_document() -> str:
    r"""A standalone LaTeX document with every formula of the registry.

    Returns
    -------
    str
        Source of an ``article`` (``amsmath``, ``amssymb``, ``graphicx``)
        with a notation section and one section per regime; each formula is a
        numbered equation labelled ``formula.label`` (``eq:<name>``).

    Examples
    --------
    >>> doc = latex_document()
    >>> doc.rstrip().endswith("\\end{document}")
    True
    """
    from . import __version__

    out = [_PREAMBLE,
           r"\title{\texttt{rmtheory}: limiting formulas for iterative retraining"
           r" on mixed real and synthetic labels}",
           rf"\author{{generated by \texttt{{rmtheory}} {__version__}}}",
           r"\date{}", r"\begin{document}", r"\maketitle", _NOTATION]
    for title, intro, formulas in _sections():
        out.append(rf"\section{{{title}}}")
        if intro:
            out.append(intro + "\n")
        out.append(r"\begingroup\small")
        out.extend(_entry(f) for f in formulas)
        out.append(r"\endgroup")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def write_latex(path: "str | os.PathLike[str]") -> Path:
    r"""Write :func:`latex_document` to ``path``; return it as a :class:`~pathlib.Path`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_latex(pathlib.Path(tmp) / "formulas.tex")
    ...     out.read_text().startswith("\\documentclass")
    True
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path-like, received {type(path).__name__}")
    path = Path(path)
    path.write_text(latex_document(), encoding="utf-8")
    return path
