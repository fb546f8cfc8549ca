"""The documentation site: builds with warnings as errors, its examples run,
and headless Chromium shows its pages as a person sees them.

The site is built once per session into a temporary folder with
``python -m sphinx -W --keep-going -b html docs <tmp>`` (the notebooks are
rendered as committed, not executed; the derivations are re-verified). The
browser test needs Debian's ``chromium`` and ``libjs-mathjax`` (``.ci/run``
installs both): MathJax is loaded from that local copy, so the screenshots
show typeset math without network access.
"""
import doctest
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import rmtheory
from rmtheory.proofs import derivation_names

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MATHJAX = Path("/usr/share/javascript/mathjax/MathJax.js")
#: every page whose examples run as doctests (the API's run with --doctest-modules)
DOCTEST_PAGES = sorted(DOCS.glob("*.md")) + [DOCS / "derivations" / "index.md"]
#: Chromium as root in a container, offline, with nothing of its own in the background
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  "--window-size=1280,1400", "--virtual-time-budget=20000"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    assert MATHJAX.is_file(), ("MathJax not found: install it (Debian/Ubuntu: apt-get install "
                               "libjs-mathjax fonts-mathjax); .ci/run does this")
    out = tmp_path_factory.mktemp("docs")
    env = {**os.environ,
           "RMTHEORY_DOCS_MATHJAX": f"file://{MATHJAX}?config=TeX-AMS-MML_HTMLorMML"}
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(out / "doctrees"), str(DOCS), str(out / "html")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    warnings = [line for line in proc.stderr.splitlines()
                if "WARNING" in line or "ERROR" in line]
    assert proc.returncode == 0, "\n".join(warnings) or proc.stderr[-5000:]
    return out / "html"


def test_site_has_every_page(site):
    for page in ("index", "getting_started", "spectra", "theory", "latex", "notebooks",
                 "gallery", "citing", "changelog", "derivations/index", "api/index"):
        assert (site / f"{page}.html").is_file(), page
    for name in derivation_names():
        html = (site / "derivations" / f"{name}.html").read_text(encoding="utf-8")
        assert "steps were verified exactly" in html, name
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert (site / "notebooks" / f"{nb.stem}.html").is_file(), nb.name
    for png in sorted((DOCS / "gallery").glob("*.png")):
        assert (site / "_images" / png.name).is_file(), png.name


def test_api_reference_covers_the_public_names(site):
    generated = site / "api" / "generated"
    for name in rmtheory.__all__:
        if name != "__version__":
            assert (generated / f"rmtheory.{name}.html").is_file(), name
    for module in ("symbolic", "numeric", "montecarlo", "printing", "proofs", "cli"):
        assert (generated / f"rmtheory.{module}.html").is_file(), module
    page = (generated / "rmtheory.derivation.html").read_text(encoding="utf-8")
    assert "Parameters" in page and "Returns" in page and "Examples" in page


def test_theory_page_cites_the_paper(site):
    html = (site / "theory.html").read_text(encoding="utf-8")
    assert "arXiv:2509.22341" in html
    assert re.search(r"Garg, Bhattacharya &amp;\s+Sur", html)
    assert "What rmtheory adds" in html


@pytest.mark.parametrize("page", DOCTEST_PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_examples_on_the_pages_run(page):
    failed, attempted = doctest.testfile(
        str(page), module_relative=False, verbose=False, report=True,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failed == 0, f"{failed} of {attempted} examples failed in {page.name}"
    if page.name in ("index.md", "getting_started.md", "spectra.md", "latex.md"):
        assert attempted > 0, f"{page.name} has no runnable example"


def _chromium():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found is not None, ("chromium not found: install it (Debian: apt-get install "
                               "chromium); .ci/run does this")
    return found


def _browse(url, tmp_path, *args):
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    profile.mkdir()
    proc = subprocess.run([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _screenshot(url, path, tmp_path):
    _browse(url, tmp_path, f"--screenshot={path}")
    import matplotlib.image

    pixels = matplotlib.image.imread(str(path))[..., :3]
    return pixels


@pytest.mark.parametrize("page, title, text", [
    ("index.html", "rmtheory", "optimal_w"),
    ("api/generated/rmtheory.optimal_w.html", "rmtheory.optimal_w", "Examples"),
    ("theory.html", "The theory in brief", "What the paper shows"),
])
def test_chromium_shows_the_page(site, tmp_path, page, title, text):
    url = (site / page).as_uri()
    shot = tmp_path / (Path(page).stem + ".png")
    pixels = _screenshot(url, shot, tmp_path)
    assert pixels.shape[0] >= 1000 and pixels.shape[1] >= 1000, pixels.shape
    # a blank or failed page is one flat colour: a page with text has contrast
    assert float(pixels.std()) > 0.05, f"{shot} looks blank (pixel std {pixels.std():.4f})"
    dark = (pixels.mean(axis=2) < 0.5).mean()
    assert 0.005 < dark < 0.5, f"{shot}: {dark:.1%} of the pixels are dark"
    dom = _browse(url, tmp_path, "--dump-dom")
    found = re.search(r"<title>(.*?)</title>", dom, flags=re.S)
    assert found is not None and found.group(1).strip().startswith(title), found
    assert text in dom
    if page == "theory.html":
        # MathJax ran: the TeX became typeset spans, no raw \( ... \) is left in the text
        assert 'class="MathJax"' in dom or "MathJax_CHTML" in dom or "mjx-" in dom
        assert np.isfinite(pixels).all()
