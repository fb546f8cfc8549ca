"""Start-up with a warm derivation cache: nothing re-derived, lazy lambdify.

A fresh process whose cache holds this session's entries must reach its
first result without re-deriving the formula table (its display checks)
or the numeric layer's rearrangements (they come from the cache, as data)
and without lambdifying expressions it does not use; the numbers are those
of this process. Nothing here is timed (``benchmarks/bench_startup.py``
measures the speed).
"""
import importlib.util
import json
import os
import subprocess
import sys
import threading

import pytest
import sympy

import rmtheory as rt
from rmtheory.numeric import compiled
from rmtheory.symbolic import _cache, formulas

CHILD = r"""
import inspect, json, sys
import rmtheory as rt
from rmtheory.numeric import compiled
from rmtheory.symbolic import formulas
derivations = (formulas.derive_display_checks, compiled._with_gap,
               compiled._finite_t_expressions)
codes = {inspect.unwrap(f).__code__: f.__name__ for f in derivations}
counts = dict.fromkeys(codes.values(), 0)
def hook(frame, event, arg):
    if event == "call" and frame.f_code in codes:
        counts[codes[frame.f_code]] += 1
sys.setprofile(hook)
result = CALL
sys.setprofile(None)
e = compiled.expressions()
built = sorted(k for k in vars(e) if not k.startswith("_"))
print(json.dumps({"counts": counts, "built": built, "all": len([n for n in dir(e)
                  if not n.startswith("_")]), "total": str(result.total)}))
"""

CALLS = {
    "stationary ridge": "rt.limiting_risk(0.5, 'isotropic', gamma=2.0, lam=0.5)",
    "finite-t min-norm": "rt.limiting_risk(0.5, 'isotropic', gamma=2.0, lam=0.0, t=5)",
}


@pytest.mark.skipif(_cache.cache_dir() is None, reason="RMTHEORY_CACHE=off: nothing is warm")
@pytest.mark.parametrize("case", sorted(CALLS))
def test_first_call_with_a_warm_cache_derives_nothing(case):
    call = CALLS[case]
    here = eval(call, {"rt": rt})      # this process: fills the cache if it was cold
    formulas.formula_names()
    done = subprocess.run([sys.executable, "-c", CHILD.replace("CALL", call)],
                          env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(report["counts"].values()) == {0}, report      # nothing derived afresh
    # lazily: only the expressions the call uses are lambdified
    assert 0 < len(report["built"]) < report["all"], report
    assert report["total"] == str(here.total)


def test_lazy_expressions_build_once_and_name_what_is_missing():
    e = compiled.expressions("numpy")
    assert e.c_w is e.c_w
    with pytest.raises(AttributeError, match="has no expression 'no_such_thing'"):
        e.no_such_thing
    assert "ridge_bias_gap" in dir(e)


def test_lazy_expressions_give_every_thread_the_same_callable():
    e = compiled.expressions("mpmath")
    name = "ridge_bias_derivative"            # possibly not built yet in this process
    barrier, got = threading.Barrier(4), []

    def take():
        barrier.wait(timeout=10)
        got.append(getattr(e, name))
    threads = [threading.Thread(target=take) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(got) == 4 and all(fn is got[0] for fn in got)


def test_lazy_expressions_agree_with_a_fresh_lambdify():
    import mpmath
    import sympy as sp
    from rmtheory.symbolic import general
    from rmtheory.symbolic.symbols import gamma, kappa, r2
    e = compiled.expressions("mpmath")
    args = (kappa, r2, gamma, general.J, general.I2)
    fresh = sp.lambdify(args, general.ridge_bias, "mpmath")
    values = [mpmath.mpf(v) for v in ("0.7", "1", "2", "0.3", "0.2")]
    assert e.ridge_bias(*values) == fresh(*values)


def test_an_entry_outside_the_package_is_keyed_by_its_module_source(tmp_path):
    assert _cache._derivation_hash("rmtheory.symbolic.minnorm") == _cache._source_hash()
    path = tmp_path / "rm_startup_probe.py"
    path.write_text("X = 1\n")
    spec = importlib.util.spec_from_file_location("rm_startup_probe", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["rm_startup_probe"] = module
    try:
        spec.loader.exec_module(module)
        first = _cache._derivation_hash("rm_startup_probe")
        path.write_text("X = 2\n")
        _cache._derivation_hash.cache_clear()
        second = _cache._derivation_hash("rm_startup_probe")
    finally:
        del sys.modules["rm_startup_probe"]
        _cache._derivation_hash.cache_clear()
    assert first != second and _cache._source_hash() not in (first, second)
    assert _cache._derivation_hash("rmtheory.numeric.compiled") != _cache._source_hash()


TABLE_CHILD = r"""
import json, sys
import sympy
from rmtheory.symbolic import formulas
code = sympy.simplify.__code__
calls = []
def hook(frame, event, arg):
    # simplify called by a display check (_is_zero, or a check it was given)
    if event == "call" and frame.f_code is code:
        callers = (frame.f_back, frame.f_back.f_back)
        if any(f is not None and f.f_code.co_name == "_is_zero" for f in callers):
            calls.append(1)
sys.setprofile(hook)
names = formulas.formula_names()
sys.setprofile(None)
print(json.dumps({"simplify": len(calls), "latex": formulas.formula("w_star_kappa_s").latex(),
                  "names": names}))
"""


@pytest.mark.skipif(_cache.cache_dir() is None, reason="RMTHEORY_CACHE=off: nothing is warm")
def test_a_warm_process_builds_the_formula_table_without_simplify():
    """The cache keeps which display-form differences were proved zero (data),
    not the formulas: a warm process builds the table itself, calls SymPy's
    simplify not once, and prints exactly what the deriving process prints
    (a pickled table lost the hand-chosen order of terms)."""
    checks = formulas.derive_display_checks()
    assert isinstance(checks, formulas.DisplayChecks) and len(checks.proved_zero) > 20
    done = subprocess.run([sys.executable, "-c", TABLE_CHILD], env=dict(os.environ),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["simplify"] == 0, report
    assert report["names"] == formulas.formula_names()
    assert report["latex"] == formulas.formula("w_star_kappa_s").latex()


def test_a_display_form_that_differs_from_its_derivation_is_refused():
    """The record only vouches for the exact difference it proved: another
    arrangement is checked afresh (and a wrong one refused)."""
    x = sympy.Symbol("x")
    with pytest.raises(ArithmeticError, match="differs"):
        formulas._shown((x + 1)**2, x**2 + 2 * x)
    assert formulas._shown((x + 1)**2, x**2 + 2 * x + 1) == x**2 + 2 * x + 1


def test_the_formula_table_is_the_derived_one():
    assert len(formulas.formula_names()) == len(set(formulas.formula_names()))
    c_w = formulas.formula("c_w")
    assert c_w.latex() == r"c(w) = \frac{w^{2} + \left(1 - w\right)^{2}}{w \left(2 - w\right)}"
