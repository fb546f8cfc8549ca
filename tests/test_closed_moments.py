"""Closed-form integrals of the AR(1) and uniform laws (resolvent moments),
against quadrature and against Monte Carlo, and the κ machinery using them
without building a quadrature rule at the working precision."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from mpmath import mp

from rmtheory.numeric import fixed_point, make_spectrum, solve_kappa
from rmtheory.numeric.context import mp as active
from rmtheory.numeric.spectra import MOMENT_INTEGRANDS, integrate
from rmtheory.symbolic import _cache, general
from rmtheory.symbolic.symbols import kappa as K, s as S

_INTEGRANDS = dict(i1=general.fixed_point_integrand,
                   i1_k=sp.diff(general.fixed_point_integrand, K),
                   i2=general.df2_integrand, jb=general.bias_integrand,
                   jb_k=general.bias_integrand_dkappa, i2_k=general.df2_integrand_dkappa)
MODELS = [("ar1", {}), ("ar1", dict(rho=0.95)), ("uniform", {}), ("uniform", dict(a=0.01, b=7))]


@pytest.mark.parametrize("name, params", MODELS)
@pytest.mark.parametrize("dps", [15, 40])
def test_closed_integrals_agree_with_quadrature(name, params, dps):
    """To the working precision, from ``κ = 10⁻⁸`` (``M₁ = (1 − I₁)/κ`` of
    AR(1) cancels) to ``κ = 10⁶`` (``I₂ = 1 − 2κM₁ + κ²M₂`` cancels)."""
    H = make_spectrum(name, **params)._H
    fns = {n: sp.lambdify((S, K), e, "mpmath") for n, e in _INTEGRANDS.items()}
    with mp.workdps(dps):
        for k in ("1e-8", "0.05", "1", "30", "1e6"):
            k = mp.mpf(k)
            closed = H.closed_integrals(k, MOMENT_INTEGRANDS)
            for n, value in zip(MOMENT_INTEGRANDS, closed):
                with mp.extraprec(30):
                    reference = integrate(H, lambda x: fns[n](x, k))
                assert abs(value - reference) <= mp.ldexp(abs(reference), 3 - mp.prec), (n, k)


def _sample(name, params, rng, size):
    if name == "ar1":
        rho = params.get("rho", 0.5)
        theta = rng.uniform(0, np.pi, size)
        return (1 - rho**2) / (1 - 2 * rho * np.cos(theta) + rho**2)
    return rng.uniform(params.get("a", 0.5), params.get("b", 1.5), size)


@pytest.mark.parametrize("name, params", MODELS)
def test_closed_integrals_against_monte_carlo(name, params):
    """Sample means of the integrands over draws from ``H`` (seeded): every
    z-score below 4.5 (6 integrands × 3 κ × 4 laws; the max of 72 normals)."""
    spec = make_spectrum(name, **params)
    defaults = dict(spec.params)
    rng = np.random.default_rng(20261201)
    draws = _sample(name, defaults, rng, 200_000)
    fns = {n: sp.lambdify((S, K), e, "numpy") for n, e in _INTEGRANDS.items()}
    with mp.workdps(20):
        for k in (0.1, 1.0, 10.0):
            closed = spec._H.closed_integrals(mp.mpf(k), MOMENT_INTEGRANDS)
            for n, value in zip(MOMENT_INTEGRANDS, closed):
                values = fns[n](draws, k) * np.ones_like(draws)
                z = (values.mean() - float(value)) / (values.std(ddof=1) / np.sqrt(draws.size))
                assert abs(z) < 4.5, (n, k, z)


def test_kappa_of_ar1_builds_no_working_precision_rule():
    """The κ solve, df₂ and the bias integral at dps 60 use the closed forms:
    no quadrature rule at that precision is made (only the float one)."""
    spec = make_spectrum("ar1", rho=0.3)
    made = []
    original = type(spec._H)._make_rule

    def counting(self, level):
        made.append((active.prec, level))      # the float rule: a private 60-bit context
        return original(self, level)
    type(spec._H)._make_rule = counting
    try:
        with mp.workdps(60):
            k = solve_kappa(mp.mpf("0.37"), spec, 2)
            fixed_point.df2(k, spec, 2)
            fixed_point.bias_integral(k, spec)
    finally:
        type(spec._H)._make_rule = original
    assert all(prec <= 64 for prec, _ in made), made
    with mp.workdps(60):
        i1 = spec._H.closed_integrals(k, ("i1",))[0]
        assert abs(k * (1 - 2 * i1) - mp.mpf("0.37")) <= mp.ldexp(k, 6 - mp.prec)


def test_relation_names_are_the_derived_ones():
    assert sorted(fixed_point._relations()) == sorted(fixed_point._RELATION_NAMES)


CHILD = r"""
import inspect, json, sys
import rmtheory as rt
from rmtheory.numeric import fixed_point, spectra
derivations = (fixed_point._relations, spectra._moment_forms)
codes = {inspect.unwrap(f).__code__: f.__name__ for f in derivations}
counts = dict.fromkeys(codes.values(), 0)
def hook(frame, event, arg):
    if event == "call" and frame.f_code in codes:
        counts[codes[frame.f_code]] += 1
sys.setprofile(hook)
result = rt.limiting_risk(0.5, 'uniform', gamma=2.0, lam=0.5, dps=30)
sys.setprofile(None)
built = sorted(k for k in vars(fixed_point._fns()) if not k.startswith("_"))
print(json.dumps({"counts": counts, "built": built, "total": str(result.total)}))
"""


@pytest.mark.skipif(_cache.cache_dir() is None, reason="RMTHEORY_CACHE=off: nothing is warm")
def test_a_warm_process_derives_no_relation_and_lambdifies_few():
    import rmtheory as rt
    here = rt.limiting_risk(0.5, "uniform", gamma=2.0, lam=0.5, dps=30)   # fills the cache
    done = subprocess.run([sys.executable, "-c", CHILD], env=dict(os.environ),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(report["counts"].values()) == {0}, report
    assert 0 < len(report["built"]) < len(fixed_point._RELATION_NAMES), report
    assert report["total"] == str(here.total)


def test_starved_quadrature_still_raises_without_closed_forms():
    """The quadrature path of κ (a measure whose closed forms are switched
    off, as for a user density) raises when its levels cannot settle."""
    import copy

    from rmtheory.numeric import NoConvergence
    spec = copy.deepcopy(make_spectrum("ar1", rho=0.9))
    spec._H.max_level = spec._H.start_level + 1
    with mp.workdps(30):
        assert solve_kappa(1, spec, 0.5) > 0              # the closed forms need no levels
        object.__setattr__(spec._H, "moment_family", None)
        spec._H.kappa_starts.clear()
        with pytest.raises(NoConvergence, match="residual") as info:
            solve_kappa(1, spec, 0.5)
        assert info.value.residual > info.value.tolerance > 0
