"""The notebooks: jupytext pairs whose ``.py`` (percent format) is the source.

Every ``notebooks/NN_*.py`` has its ``.ipynb``, generated from it by
``jupytext --to ipynb --update notebooks/NN_name.py`` (or ``jupytext --sync``)
and committed without outputs; each runs top to bottom with nbclient on the
``python3`` kernel (ipykernel) from the repository root, so
``import rmtheory`` finds this checkout. A missing dependency fails the
import below: nothing here is skipped.
"""
import pathlib

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: seconds per cell; a notebook takes well under a minute on two cores
CELL_TIMEOUT = 300


def test_every_notebook_is_a_pair():
    assert [p.stem for p in SOURCES] == [p.stem for p in NOTEBOOKS]
    assert {"01_golden_ratio", "02_ridge_w_star", "03_risk_vs_t", "04_schemes_kappa_s",
            "05_beyond_assumptions"} <= {p.stem for p in SOURCES}
    assert not (ROOT / "notebooks" / "build_notebooks.py").exists()


def _cells(nb):
    return [(cell.cell_type, cell.source) for cell in nb.cells]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_ipynb_is_generated_from_its_py(source):
    """The ``.ipynb`` has exactly the cells of its ``.py`` (regenerate it with
    ``jupytext --to ipynb --update`` after editing the ``.py``)."""
    text = source.read_text(encoding="utf-8")
    assert text.startswith("# ---\n# jupyter:\n#   jupytext:\n"), "not a jupytext percent file"
    assert "format_name: percent" in text
    from_py = jupytext.reads(text, fmt="py:percent")
    committed = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    assert _cells(committed) == _cells(from_py), (
        f"{source.with_suffix('.ipynb').name} is stale: run "
        f"jupytext --to ipynb --update notebooks/{source.name}")
    assert committed.metadata["jupytext"]["formats"] == "ipynb,py:percent"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has stale outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has a count"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()          # raises CellExecutionError on the first failing cell
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {key for o in outputs for key in o.get("data", {})}
    assert "image/png" in kinds, f"{path.name} shows no figure"
    assert "text/latex" in kinds or "text/markdown" in kinds, f"{path.name} shows no formula"
    if path.stem == "01_golden_ratio":
        assert "text/markdown" in kinds, "the derivation renders as Markdown with LaTeX"
