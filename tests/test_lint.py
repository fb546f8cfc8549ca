"""Static checks in CI: ruff over the repository, mypy over the typed public API.

Both read their configuration from ``pyproject.toml`` (``[tool.ruff]``,
``[tool.mypy]``), so running ``ruff check .`` or ``mypy`` by hand checks
exactly what this test checks. They run as subprocesses of the test's own
interpreter (``python -m ruff`` / ``python -m mypy`` from the ``test`` extra).
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_ruff_passes_on_the_repository():
    proc = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]


def test_mypy_passes_on_the_typed_api(tmp_path):
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[tool.mypy]")[1]
    assert '"rmtheory/api.py"' in config and '"rmtheory/printing.py"' in config
    assert "ignore_missing_imports = true" in config
    proc = _run("mypy", "--cache-dir", str(tmp_path / "mypy-cache"), "--no-error-summary")
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]


def test_the_package_is_marked_typed():
    assert (ROOT / "rmtheory" / "py.typed").is_file()
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'rmtheory = ["py.typed"' in text.split("[tool.setuptools.package-data]")[1]
