"""Sphinx configuration of the rmtheory documentation.

Build: ``python -m sphinx -W -b html docs docs/_build/html`` (what
``tests/test_docs.py`` runs). Generated at build time, never committed:
``derivations/p*.md`` (each proof of :mod:`rmtheory.proofs`, re-verified
step by step), ``notebooks/*.ipynb`` (copies of the repository's
notebooks, rendered without executing them unless
``RMTHEORY_DOCS_EXECUTE=force``), ``gallery.md`` (every PNG of
``docs/gallery``) and the API pages of ``api/generated``.

MathJax comes from its CDN unless ``RMTHEORY_DOCS_MATHJAX`` names a local
copy (the test points it at Debian's ``libjs-mathjax`` so that the pages
it opens offline show typeset math).
"""
import os
import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import rmtheory  # noqa: E402
from rmtheory.proofs import _PROOFS, derivation  # noqa: E402

project = "rmtheory"
author = "the rmtheory developers"
copyright = "2026, the rmtheory developers (BSD-3-Clause)"
release = version = rmtheory.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]

# -- sources -------------------------------------------------------------
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_dmath_double_inline = True
myst_heading_anchors = 3
suppress_warnings = [
    # the derivations use headings from level 1 down as written by the proofs
    "myst.header",
    # notebook cells carry jupytext metadata that myst-nb does not know
    "mystnb.unknown_mime_type",
]

# -- the notebooks: rendered as committed (no outputs) unless asked to run ----
nb_execution_mode = os.environ.get("RMTHEORY_DOCS_EXECUTE", "off")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_merge_streams = True

# -- API -----------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "none"           # numpydoc's Parameters section says the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set = set()   # tightened at merge, once api.py is numpydoc

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "sympy": ("https://docs.sympy.org/latest", None),
    "mpmath": ("https://mpmath.org/doc/current", None),
    "numpy": ("https://numpy.org/doc/stable", None),
}
# offline builds (CI) must not fail on the inventories: intersphinx only warns
# when it cannot fetch them, so it is switched off unless asked for
if not os.environ.get("RMTHEORY_DOCS_INTERSPHINX"):
    intersphinx_mapping = {}

# the examples on the pages (>>> blocks) run as doctests in tests/test_docs.py

# -- HTML ----------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"rmtheory {release}"
html_static_path = ["_static"]
templates_path = ["_templates"]
html_css_files = ["rmtheory.css"]
html_theme_options = {
    "navigation_depth": 2,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "navbar_end": ["navbar-icon-links"],
    "icon_links": [],
}
html_show_sourcelink = False
if os.environ.get("RMTHEORY_DOCS_MATHJAX"):
    mathjax_path = os.environ["RMTHEORY_DOCS_MATHJAX"]
    if "MathJax.js" in mathjax_path:          # MathJax 2 (Debian's libjs-mathjax)
        mathjax2_config = {"tex2jax": {"inlineMath": [["\\(", "\\)"]],
                                       "displayMath": [["\\[", "\\]"]],
                                       "processEscapes": True,
                                       "processClass": "math|output_area|tex2jax_process",
                                       "ignoreClass": "tex2jax_ignore"}}
        myst_update_mathjax = False   # MyST writes a MathJax 3/4 configuration otherwise


# -- pages generated from the package --------------------------------------
GALLERY_CAPTIONS = {
    "golden_ratio": "Min-norm interpolation: the variance factor $c(w)$ and the risk are "
                    "minimised at $w^\\star = 1/\\varphi$ for every covariance model.",
    "ridge_w_star": "Ridge: the optimal weight $w^\\star(\\lambda)$ against the ridge penalty, "
                    "with the critical $\\lambda_c$ beyond which $w^\\star = 1$.",
    "schemes": "Retraining schemes: replace, mix, dynamic and accumulate.",
    "w_star_below_half": "When $w^\\star$ falls below one half: "
                         "$H = \\tfrac12\\delta_{1/16} + \\tfrac12\\delta_1$ with the signal "
                         "on the small atom gives $w^\\star = 0.4258\\ldots$, confirmed at "
                         "finite $n$; the maps show where $w^\\star < 1/2$.",
}


def _write_if_changed(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _derivation_pages():
    """One page per proof: the Markdown the proof file writes, verified now."""
    for number, name in enumerate(_PROOFS, start=1):
        proof = derivation(name)
        text = (f"(derivation-{name})=\n{proof.markdown}\n"
                f"*Source:* `rmtheory/proofs/{name}.py` — read it in Python with "
                f"`rmtheory.derivation(\"{name}\")`, or run `rmtheory derivation {number}`.\n")
        _write_if_changed(DOCS / "derivations" / f"{name}.md", text)


def _notebook_copies():
    target = DOCS / "notebooks"
    target.mkdir(exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        copy = target / path.name
        if not copy.exists() or copy.read_bytes() != path.read_bytes():
            shutil.copyfile(path, copy)


def _gallery_page():
    lines = ["# Gallery", "",
             "The figures of `rmtheory report` (lines: limiting theory; points: finite-$n$ "
             "Monte Carlo with 95% error bars). `rmtheory report --output report` redraws "
             "them, with their tables, in a few minutes.", ""]
    for png in sorted((DOCS / "gallery").glob("*.png")):
        caption = GALLERY_CAPTIONS.get(png.stem, png.stem.replace("_", " ").capitalize() + ".")
        lines += [f":::{{figure}} gallery/{png.name}", f":alt: {png.stem}",
                  ":width: 100%", "", caption, ":::", ""]
    _write_if_changed(DOCS / "gallery.md", "\n".join(lines))


def _formula_list():
    from rmtheory.printing import SECTIONS, describe_latex, formula_latex
    from rmtheory.symbolic import all_formulas

    registry = {f.name: f for f in all_formulas()}
    order = [n for _, _, names in SECTIONS for n in names if n in registry]
    order += [n for n in registry if n not in order]
    titles = {n: title for title, _, names in SECTIONS for n in names}
    lines, current = [], None
    for name in order:
        f = registry[name]
        if titles.get(name, "Other formulas") != current:
            current = titles.get(name, "Other formulas")
            lines += [f"### {current}", ""]
        lines += [f"`{name}` — {describe_latex(f.description)}", "", "$$", formula_latex(name),
                  "$$", "",
                  f"{{sub}}`Holds for` {f.assumptions}; label `{f.label}`.", ""]
    _write_if_changed(DOCS / "formula_list.md", "\n".join(lines))


def _plain_bars(app, what, name, obj, options, lines):
    """``#:`` comments on module data are plain text: ``|x|`` there is an
    absolute value, not a reStructuredText substitution."""
    if what in ("data", "attribute"):
        lines[:] = [re.sub(r"(?<![`|\\])\|([^|`\s][^|`]*?)\|(?![`|])", r"``|\1|``", line)
                    for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _plain_bars)


_derivation_pages()
_notebook_copies()
_gallery_page()
_formula_list()
