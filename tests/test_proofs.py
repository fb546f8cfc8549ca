"""Every proof shipped in ``rmtheory/proofs/`` runs, verifies each step exactly
and writes its Markdown document; ``rmtheory.derivation`` returns the same text;
the :class:`~rmtheory.symbolic.proof.Proof` recorder accepts exact identities
only and names the step that fails."""
import re
import runpy
import sys
from pathlib import Path

import pytest
import sympy as sp

from rmtheory.symbolic.proof import Proof, ProofStepError, is_exactly_zero, run_proof

import rmtheory
from rmtheory.cli import main
from rmtheory.proofs import PROOF_OF_FORMULA, Derivation, derivation, derivation_names
from rmtheory.symbolic import formula_names

PROOFS_DIR = Path(rmtheory.__file__).resolve().parent / "proofs"
PROOF_FILES = sorted(PROOFS_DIR.glob("p*.py"), key=lambda p: int(p.stem[1:].split("_")[0]))
EXPECTED = {"p1_minnorm", "p2_synthetic_noise", "p3_dynamic_mixing",
            "p4_ridge_per_eigenvalue", "p5_isotropic", "p6_ols", "p8_kappa_plane",
            "p9_finite_n_gaussian"}

x = sp.Symbol("x", positive=True)


def test_there_is_a_proof_per_result():
    assert len(PROOF_FILES) >= 6
    assert EXPECTED <= {p.stem for p in PROOF_FILES}
    readme = (PROOFS_DIR / "README.md").read_text(encoding="utf-8")
    for path in PROOF_FILES:
        assert path.name in readme, f"{path.name} is not listed in rmtheory/proofs/README.md"
    assert derivation_names() == [p.stem for p in PROOF_FILES]


def _balanced(latex):
    braces = latex.replace(r"\{", "").replace(r"\}", "")
    depth = 0
    for ch in braces:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    pairs = [len(re.findall(rf"\\{word}(?![A-Za-z])", latex)) for word in ("left", "right")]
    return depth == 0 and pairs[0] == pairs[1]


@pytest.mark.parametrize("path", PROOF_FILES, ids=lambda p: p.stem)
def test_proof_runs_and_writes_markdown(path, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [str(path), "--output", str(tmp_path / "out")])
    monkeypatch.setenv("RMTHEORY_CACHE", "off")   # the proof file asks for this itself
    runpy.run_path(str(path), run_name="__main__")
    document = tmp_path / "out" / f"{path.stem}.md"
    assert document.is_file()
    text = document.read_text(encoding="utf-8")
    assert text.startswith("# Result ")
    displays = re.findall(r"^\$\$\n(.+?)\n\$\$$", text, flags=re.S | re.M)
    steps = [int(k) for k in re.findall(r"^\*\*Step (\d+)\.\*\*", text, flags=re.M)]
    assert len(steps) >= 15, "a proof should check its result in many small steps"
    assert steps == list(range(1, len(steps) + 1))
    assert len(displays) >= len(steps)
    assert text.count("*Verified exactly (") == len(steps)
    assert all(_balanced(block) for block in displays), [b for b in displays if not _balanced(b)]
    assert r"\blacksquare" in text
    assert f"All {len(steps)} steps were verified exactly" in text
    assert re.search(r"\\phi(?![A-Za-z])", text) is None, "the golden ratio prints as \\varphi"
    assert f"{len(steps)} steps verified exactly" in capsys.readouterr().out


def test_run_proof_uses_the_default_directory(tmp_path, capsys):
    def build():
        proof = Proof("Result 0: a test", "Intro.")
        proof.equal("Square.", (x + 1)**2, x**2 + 2 * x + 1)
        return proof
    path = run_proof(build, "p0.md", default_dir=tmp_path / "default", argv=[])
    assert path == tmp_path / "default" / "p0.md"
    assert "$$" in path.read_text(encoding="utf-8")
    assert "1 steps verified exactly" in capsys.readouterr().out


def test_failed_step_raises_and_names_the_step():
    proof = Proof("T")
    proof.equal("Fine.", sp.sin(x)**2 + sp.cos(x)**2, 1)
    with pytest.raises(ProofStepError, match=r"step 2 failed: A wrong step\."):
        proof.equal("A wrong step.", (x + 1)**2, x**2 + 1)
    assert isinstance(ProofStepError("e"), AssertionError)
    assert len(proof.steps) == 1


def test_numerically_close_is_not_equal():
    # agrees with sqrt(2) to 10 digits, yet the step must fail: no float tolerance
    proof = Proof("T")
    with pytest.raises(ProofStepError):
        proof.equal("Close but wrong.", sp.sqrt(2), sp.Rational(14142135624, 10**10))
    assert is_exactly_zero(sp.sqrt(2) - sp.Rational(14142135624, 10**10)) is None


@pytest.mark.parametrize("lhs, rhs", [(0.5, sp.Rational(1, 2)), (x + sp.Rational(1, 2), x + 0.5),
                                       ([x, 1.0], [x, 1])])
def test_floats_are_refused(lhs, rhs):
    with pytest.raises(ValueError, match="exact"):
        Proof("T").equal("Float.", lhs, rhs)


def test_exact_routes():
    assert is_exactly_zero(0) == "identical"
    assert is_exactly_zero(1 / sp.GoldenRatio - (sp.sqrt(5) - 1) / 2) is not None
    assert is_exactly_zero(1 / (sp.sqrt(3) + 1) - (sp.sqrt(3) - 1) / 2) is not None
    assert is_exactly_zero(sp.Rational(1, 3) - sp.Rational(333, 1000)) is None


def test_sequences_sets_and_truths():
    proof = Proof("T")
    proof.equal("Lists.", [x * (x + 1), sp.Integer(2)], [x**2 + x, 2])
    proof.equal("Sets.", sp.Interval.open(0, 1).intersect(sp.Interval(0, 2)),
                sp.Interval.open(0, 1))
    proof.holds("Truth.", (x + 1).is_positive, latex="x + 1 > 0")
    proof.holds("Relation.", sp.Eq(x * (x + 1), x**2 + x))
    proof.positive("Rationalised.", x + 2 - sp.sqrt(x**2 + 4 * x))
    with pytest.raises(ProofStepError, match="lengths differ"):
        proof.equal("Lengths.", [1, 2], [1])
    with pytest.raises(ProofStepError):
        proof.equal("Sets differ.", sp.Interval(0, 1), sp.Interval.open(0, 1))
    with pytest.raises(ProofStepError):
        proof.holds("Unknown sign.", (x - 1).is_positive)  # None: not provable
    with pytest.raises(ProofStepError):
        proof.positive("Not positive.", x - 1)
    assert [s.number for s in proof.steps] == [1, 2, 3, 4, 5]
    assert proof.steps[-1].method.startswith("sign of the rationalised")


def test_markdown_and_write(tmp_path):
    proof = Proof("Title", "Intro paragraph.", symbol_names={x: r"\xi"})
    proof.section("Part")
    proof.text("Some *prose* with $x$.")
    proof.display(x**2)
    proof.equal("Expand.", (x + 1)**2, x**2 + 2 * x + 1, name="y")
    text = proof.to_markdown()
    assert text.splitlines()[0] == "# Title"
    assert "## Part" in text and "Intro paragraph." in text
    assert r"\xi^{2}" in text
    assert r"\begin{aligned}y &= " in text
    path = proof.write(tmp_path / "nested" / "dir" / "proof.md")
    assert path.read_text(encoding="utf-8") == text
    assert repr(proof) == "Proof('Title', 1 steps)"


@pytest.mark.parametrize("bad, error", [("", TypeError), (3, TypeError)])
def test_title_is_checked(bad, error):
    with pytest.raises(error, match="title"):
        Proof(bad)


def test_derivation_is_the_text_the_proof_file_writes(tmp_path, monkeypatch, capsys):
    path = PROOFS_DIR / "p2_synthetic_noise.py"
    monkeypatch.setattr(sys, "argv", [str(path), "--output", str(tmp_path)])
    runpy.run_path(str(path), run_name="__main__")
    written = (tmp_path / "p2_synthetic_noise.md").read_text(encoding="utf-8")
    shown = rmtheory.derivation("synthetic_noise")
    assert isinstance(shown, Derivation)
    assert shown.markdown == written == shown._repr_markdown_() == str(shown)
    assert shown is derivation(2) is derivation("p2_synthetic_noise") is derivation("w_star_kappa_s")
    assert [s.number for s in shown.steps] == list(range(1, len(shown.steps) + 1))
    assert all(f"$$\n{s.latex}\n$$" in written for s in shown.steps)
    latex = shown.latex()
    assert latex.count(r"\paragraph{Step ") == len(shown.steps) and latex.count(r"\[") == len(shown.steps)
    assert repr(shown) == f"<Derivation 'p2_synthetic_noise': {len(shown.steps)} steps verified exactly>"


def test_every_mapped_formula_exists_and_names_are_checked():
    assert set(PROOF_OF_FORMULA) <= set(formula_names())
    assert set(PROOF_OF_FORMULA.values()) <= set(derivation_names())
    with pytest.raises(ValueError, match=r"name must be one of .*received 'golden'"):
        derivation("golden")
    last = len(derivation_names())
    with pytest.raises(ValueError, match=rf"1\.\.{last}, received {last + 1}"):
        derivation(last + 1)
    for bad in (True, 1.0, None):
        with pytest.raises(TypeError, match="name must be a str or an int"):
            derivation(bad)


def test_cli_derivation(capsys):
    assert main(["derivation"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in listing] == derivation_names()
    assert main(["derivation", "6"]) == 0
    assert capsys.readouterr().out == derivation("p6_ols").markdown
    assert main(["derivation", "ols_risk", "--latex"]) == 0
    assert capsys.readouterr().out == derivation("p6_ols").latex()
    assert main(["derivation", "nothing"]) == 2
    err = capsys.readouterr().err
    assert "rmtheory derivation: error: NAME must be one of" in err and "'nothing'" in err


def test_a_shipped_proof_runs_as_a_module(tmp_path):
    import subprocess
    proc = subprocess.run([sys.executable, "-m", "rmtheory.proofs.p6_ols", "--output", "out"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "RMTHEORY_CACHE": "off"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "steps verified exactly" in proc.stdout
    assert (tmp_path / "out" / "p6_ols.md").read_text(encoding="utf-8") == derivation(6).markdown
