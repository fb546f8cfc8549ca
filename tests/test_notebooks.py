"""The notebooks: committed without outputs, and each runs top to bottom.

Executed with nbclient on the ``python3`` kernel (ipykernel) from the
repository root, so ``import rmtheory`` finds this checkout. A missing
dependency fails the import below: nothing here is skipped.
"""
import json
import pathlib
import sys

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: seconds per cell; a notebook takes well under a minute on two cores
CELL_TIMEOUT = 300


def test_the_five_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "01_golden_ratio.ipynb", "02_ridge_w_star.ipynb", "03_risk_vs_t.ipynb",
        "04_schemes_kappa_s.ipynb", "05_beyond_assumptions.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has stale outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has a count"
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_notebooks_match_their_builder(tmp_path):
    """``notebooks/build_notebooks.py`` writes exactly the committed notebooks."""
    sys.path.insert(0, str(ROOT / "notebooks"))
    try:
        import build_notebooks
    finally:
        sys.path.remove(str(ROOT / "notebooks"))
    build_notebooks.build(tmp_path)
    for path in NOTEBOOKS:
        built = json.loads((tmp_path / path.name).read_text())
        committed = json.loads(path.read_text())
        assert built["cells"] == committed["cells"], path.name


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
    assert "text/latex" in kinds, f"{path.name} shows no formula"
