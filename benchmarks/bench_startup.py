"""Start-up: the first call in a fresh process whose derivation cache is warm.

Run ``python benchmarks/bench_startup.py`` (``--quick``: one process per case
instead of three). Each case runs in its own ``python -c`` process that
times ``import rmtheory`` and then the first call, in CPU time
(``time.process_time``: the work is single-threaded Python, and on a shared
machine its wall time mostly measures the other jobs) and in wall time; the
rows are medians over the processes. The cache is a temporary
folder filled by one untimed process first (never the user's).

Baseline, the old path, in the same run: the same first calls with what
this change keeps out of a warm process put back in —

* the formula table's checks (:func:`rmtheory.symbolic.formulas.derive_display_checks`:
  every display arrangement checked against its derivation by SymPy's
  ``simplify``) and the numeric layer's two rearrangements
  (``compiled._with_gap``, ``compiled._finite_t_expressions``) and the
  solvers' relations (``fixed_point._relations``) derived afresh: their
  entries are removed from a copy of the warm cache before each process
  (what a warm cache held before);
* every mpmath expression of :func:`rmtheory.numeric.compiled.expressions`
  and every relation of ``fixed_point._fns`` lambdified at once, as on
  first use before (and the NumPy expressions for ``optimal_w``, whose
  float64 start uses them).

Target (issue 12, item 5): the first call at most half the old path's,
``(ratio: old path / first call) >= 2x``, for every case.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import standalone, make_row

#: label -> the first call (after ``import rmtheory as rt``)
CASES = {
    "limiting_risk isotropic": "rt.limiting_risk(0.5, 'isotropic', gamma=2.0, lam=0.5)",
    "optimal_w isotropic": "rt.optimal_w('isotropic', gamma=2.0, lam=0.5)",
    "limiting_risk spiked (closed-form spectrum)":
        "rt.limiting_risk(0.5, 'spiked', gamma=2.0, lam=0.5)",
    "limiting_risk uniform, dps = 100": "rt.limiting_risk(0.5, 'uniform', gamma=2.0, lam=0.5, "
                                        "dps=100)",
    "limiting_risk min-norm, t = 5": "rt.limiting_risk(0.5, 'isotropic', gamma=2.0, lam=0.0, t=5)",
}

CHILD = r"""
import json, sys, time
start, start_cpu = time.perf_counter(), time.process_time()
import rmtheory as rt
imported, imported_cpu = time.perf_counter(), time.process_time()
if {old_path!r}:
    from rmtheory.numeric import compiled, fixed_point
    for modules in {modules!r}:
        e = compiled.expressions(modules)
        for name in dir(e):
            if not name.startswith("_"):
                getattr(e, name)
    if hasattr(fixed_point, "_RELATION_NAMES"):
        for name in fixed_point._RELATION_NAMES:
            getattr(fixed_point._fns(), name)
{call}
done, done_cpu = time.perf_counter(), time.process_time()
print(json.dumps({{"import": imported - start, "first_call": done - imported,
                  "import_cpu": imported_cpu - start_cpu, "first_call_cpu": done_cpu - imported_cpu}}))
"""

#: the entries the old path derived in every process
OLD_PATH_ENTRIES = ("rmtheory.symbolic.formulas.derive_display_checks-*",
                    "rmtheory.numeric.compiled.*", "rmtheory.numeric.fixed_point.*")


def _run(call, cache, old_path=False, modules=("mpmath",)):
    code = CHILD.format(old_path=old_path, modules=tuple(modules), call=call)
    env = dict(os.environ, RMTHEORY_CACHE=str(cache))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _old_cache(warm, folder):
    """A copy of the warm cache without the entries the old path derived."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(warm, folder)
    for pattern in OLD_PATH_ENTRIES:
        for path in folder.glob(pattern):
            path.unlink()
    return folder


def describe(quick=False):
    runs, old_runs = _repeats(quick)
    return (f"Start-up: each first call in a fresh `python -c` process with a warm derivation "
            f"cache (a temporary folder), timed after `import rmtheory`; medians of {runs} "
            f"processes (old path: {old_runs}).")


def _repeats(quick):
    return (1, 1) if quick else (3, 2)


def measure(quick=False):
    """Rows: ``import rmtheory``, and per case the first call against the old path."""
    runs, old_runs = _repeats(quick)
    rows = []
    with tempfile.TemporaryDirectory(prefix="rmtheory-bench-startup-") as tmp:
        warm, old = Path(tmp) / "warm", Path(tmp) / "old"
        _run("; ".join(CASES.values()), warm)          # fills the cache (untimed)
        imports, walls = [], []
        for label, call in CASES.items():
            new = [_run(call, warm) for _ in range(runs)]
            modules = ("mpmath", "numpy") if "optimal_w" in label else ("mpmath",)
            before = [_run(call, _old_cache(warm, old), True, modules) for _ in range(old_runs)]
            imports += new
            rows.append(make_row(f"first call, {label}, CPU (ratio: old path / first call)",
                                 statistics.median(r["first_call_cpu"] for r in new),
                                 statistics.median(r["first_call_cpu"] for r in before),
                                 target=">= 2x", speedup=True))
            walls.append(make_row(f"first call, {label}, wall (ratio: old path / first call)",
                                  statistics.median(r["first_call"] for r in new),
                                  statistics.median(r["first_call"] for r in before),
                                  speedup=True))
        rows += walls
        rows.insert(0, make_row("import rmtheory (fresh process), CPU",
                                statistics.median(r["import_cpu"] for r in imports)))
        rows.insert(1, make_row("import rmtheory (fresh process), wall",
                                statistics.median(r["import"] for r in imports),
                                note="old path: the formula table, compiled._with_gap, "
                                     "_finite_t_expressions and fixed_point._relations "
                                     "derived in the process (their entries removed from a "
                                     "copy of the warm cache), every mpmath expression and "
                                     "solver relation lambdified at once (and the NumPy "
                                     "ones for optimal_w)"))
    return rows


def main(argv=None):
    return standalone(__doc__, measure, describe, argv, quick_help="one process per case")


if __name__ == "__main__":
    main()
