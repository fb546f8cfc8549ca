"""Every public entry point refuses bad input at once, naming the argument.

One table, one test. Each row is a bad input to the Python API (``rt.kappa``,
``rt.stieltjes``, ``rt.limiting_risk``, ``rt.optimal_w``, ``rt.critical_lambda``,
``rt.w_star_curve``, ``rt.verify``, ``rt.convergence_study``, ``rt.formula``,
``make_spectrum`` and the ``Spectrum`` constructors) or to the command line
(``rmtheory.cli.main``). The test proves, per row:

- API: the row's ``ValueError`` or ``TypeError`` is raised (never a number
  returned) and its message matches the row's pattern, which names the
  argument and, where the library states them, the value and the allowed
  range;
- CLI: exit status 2, exactly one line on stderr naming the option (no
  traceback), nothing on stdout;
- "at once": the entry points that compute (the fixed-point solvers, the
  risk, the optimiser, the Monte Carlo draws and theory) are replaced by a
  function raising ``AssertionError("computation reached")``, so a row
  passes only if validation happens before any computation. This is the
  structural form of "rejected within a second": no timed assertion.
"""
import importlib
import math

import numpy as np
import pytest
import sympy as sp

import rmtheory as rt
from rmtheory.cli import main
from rmtheory.numeric.spectra import Spectrum, make_spectrum

#: the computing names each module looks up at call time (so patching the
#: module attribute intercepts them); ``_confirmed`` runs every api solve
#: and ``_theory`` the limiting risk inside ``verify``
COMPUTATION = {
    # import_module: the package exports a function ``verify`` that shadows
    # the module of the same name
    importlib.import_module("rmtheory.api"): (
        "solve_kappa", "solve_stieltjes", "optimal_weight", "risk_parts", "_critical_lambda",
        "_confirmed"),
    importlib.import_module("rmtheory.compare.verify"): (
        "make_problem", "run_tasks", "simulate_retraining", "ConditionalRisk", "_theory"),
}


def _unreachable(*args, **kwargs):
    raise AssertionError("computation reached")


@pytest.fixture
def no_computation(monkeypatch):
    # raising=True (the default): a renamed import fails here, loudly, rather
    # than leaving a computation unguarded
    for module, names in COMPUTATION.items():
        for name in names:
            monkeypatch.setattr(module, name, _unreachable)


def api(id, error, pattern, call):
    """A row: ``call()`` raises ``error`` with a message matching ``pattern``."""
    return pytest.param("api", call, error, pattern, id=f"api-{id}")


def cli(id, option, *argv):
    """A row: ``main(argv)`` exits 2 with one stderr line containing ``option``."""
    return pytest.param("cli", list(argv), None, option, id=f"cli-{id}")


#: a small verify call; rows override one argument
MC = dict(spectrum="isotropic", n=10, gamma=2.0, w=0.5, lam=0.0, draws=3, seed=0,
          progress=False)


def _verify(**change):
    kw = {**MC, **change}
    return lambda: rt.verify(kw.pop("spectrum"), **kw)


def _study(**change):
    kw = {**MC, "ns": (10, 20), **change}
    kw.pop("n")
    return lambda: rt.convergence_study(kw.pop("spectrum"), **kw)


REAL_RANGE = r"must be in \[0, inf\), received"
NAMES = (r"\['isotropic', 'discrete', 'random_effects', 'spiked', 'equicorrelated', 'ar1', "
         r"'uniform'\]")

ROWS = [
    # ---- rt.kappa: wrong types, NaN/inf, ranges, precision
    api("kappa-lam-str", TypeError, r"^lam must be a real number, received str '1'",
        lambda: rt.kappa("1")),
    # arrays broadcast (SPEC §4.1): a bad element is named with its index
    api("kappa-lam-list", TypeError, r"^lam\[1\] must be a real number, received str 'x'",
        lambda: rt.kappa([1.0, "x"])),
    api("kappa-lam-bool", TypeError, r"^lam must be a real number, received bool True",
        lambda: rt.kappa(True)),
    api("kappa-lam-nan", ValueError, r"^lam must be finite, received nan",
        lambda: rt.kappa(math.nan)),
    api("kappa-lam-negative", ValueError, rf"^lam {REAL_RANGE} -1",
        lambda: rt.kappa(-1.0)),
    api("kappa-gamma-zero", ValueError, r"^gamma must be in \(0, inf\), received 0",
        lambda: rt.kappa(1.0, gamma=0)),
    api("kappa-gamma-inf", ValueError, r"^gamma must be finite, received inf",
        lambda: rt.kappa(1.0, gamma=math.inf)),
    api("kappa-gamma-symbol", TypeError, r"^gamma must be a number, received the symbolic g",
        lambda: rt.kappa(1.0, gamma=sp.Symbol("g"))),
    api("kappa-dps-low", ValueError, r"^dps must be an int in \[10, 1000\], received 9",
        lambda: rt.kappa(1.0, dps=9)),
    api("kappa-dps-float", TypeError, r"^dps must be an int, received float 30.0",
        lambda: rt.kappa(1.0, dps=30.0)),
    api("kappa-dps-absurd", ValueError, r"^dps must be an int in \[10, 1000\], received 10000000",
        lambda: rt.kappa(1.0, dps=10**7)),
    api("kappa-param-unsupported", TypeError, r"^spectrum 'ar1' takes no parameter 'eigs'",
        lambda: rt.kappa(1.0, "ar1", eigs=(1.0, 2.0))),
    # ---- rt.stieltjes: z must be a finite nonzero number
    api("stieltjes-z-str", TypeError, r"^z must be a number, received str '1j'",
        lambda: rt.stieltjes("1j")),
    api("stieltjes-z-bool", TypeError, r"^z must be a number, received bool",
        lambda: rt.stieltjes(True)),
    api("stieltjes-z-nan", ValueError, r"^z must be finite, received nan",
        lambda: rt.stieltjes(math.nan)),
    api("stieltjes-z-zero", ValueError, r"^z must be nonzero",
        lambda: rt.stieltjes(0.0)),
    api("stieltjes-z-array", TypeError, r"^z must be a number, received ndarray",
        lambda: rt.stieltjes(np.array([1j, 2j]))),
    api("stieltjes-gamma-negative", ValueError, r"^gamma must be in \(0, inf\), received -1",
        lambda: rt.stieltjes(1j, gamma=-1)),
    # ---- rt.limiting_risk: w, t, noise, signal, spectrum
    api("risk-w-zero", ValueError, r"^w must be in \(0, 1\], received 0.0",
        lambda: rt.limiting_risk(0.0)),
    api("risk-w-negative", ValueError, r"^w must be in \(0, 1\], received -0.1",
        lambda: rt.limiting_risk(-0.1)),
    api("risk-w-above-1", ValueError, r"^w must be in \(0, 1\], received 1.5",
        lambda: rt.limiting_risk(1.5)),
    api("risk-w-nan", ValueError, r"^w must be finite, received nan",
        lambda: rt.limiting_risk(math.nan)),
    api("risk-w-str", TypeError, r"^w must be a real number, received str '0.5'",
        lambda: rt.limiting_risk("0.5")),
    api("risk-w-list", ValueError, r"^w\[1\] must be in \(0, 1\], received 1.5",
        lambda: rt.limiting_risk([0.5, 1.5])),
    api("risk-w-array", ValueError, r"^w\[0, 1\] must be in \(0, 1\], received 0",
        lambda: rt.limiting_risk(np.array([[0.5, 0.0]]))),
    api("risk-w-bool", TypeError, r"^w must be a real number, received bool True",
        lambda: rt.limiting_risk(True)),
    api("risk-w-symbol", TypeError, r"^w must be a number, received the symbolic w",
        lambda: rt.limiting_risk(sp.Symbol("w"))),
    api("risk-t-negative", ValueError, r"^t must be an int in \[0, 10\^18\], received -1",
        lambda: rt.limiting_risk(0.5, t=-1)),
    api("risk-t-float", TypeError, r"^t must be an int, received float 1.5",
        lambda: rt.limiting_risk(0.5, t=1.5)),
    api("risk-t-bool", TypeError, r"^t must be an int, received bool True",
        lambda: rt.limiting_risk(0.5, t=True)),
    api("risk-kappa_s-negative", ValueError, rf"^kappa_s {REAL_RANGE} -0.5",
        lambda: rt.limiting_risk(0.5, kappa_s=-0.5)),
    api("risk-sigma2-zero", ValueError, r"^sigma2 must be in \(0, inf\), received 0",
        lambda: rt.limiting_risk(0.5, sigma2=0)),
    api("risk-r2-inf", ValueError, r"^r2 must be finite, received inf",
        lambda: rt.limiting_risk(0.5, r2=math.inf)),
    api("risk-gamma-negative", ValueError, r"^gamma must be in \(0, inf\), received -1",
        lambda: rt.limiting_risk(0.5, gamma=-1)),
    api("risk-lam-negative", ValueError, rf"^lam {REAL_RANGE} -1",
        lambda: rt.limiting_risk(0.5, lam=-1)),
    api("risk-spectrum-unknown", ValueError,
        rf"^spectrum must be one of {NAMES}, received 'gaussian'",
        lambda: rt.limiting_risk(0.5, "gaussian")),
    api("risk-spectrum-float", TypeError, r"^spectrum must be a name or a Spectrum, received float",
        lambda: rt.limiting_risk(0.5, 3.0)),
    api("risk-param-unsupported", TypeError, r"^spectrum 'isotropic' takes no parameter 'rho'",
        lambda: rt.limiting_risk(0.5, "isotropic", rho=0.3)),
    # ---- rt.optimal_w
    api("optimal-w-as-param", TypeError, r"^spectrum 'isotropic' takes no parameter 'w'",
        lambda: rt.optimal_w(w=0.5)),
    api("optimal-gamma-1-minnorm", ValueError, r"^gamma must differ from 1",
        lambda: rt.optimal_w(gamma=1.0)),
    api("optimal-kappa_s-0-minnorm", ValueError, r"^kappa_s must be > 0",
        lambda: rt.optimal_w(kappa_s=0.0)),
    api("optimal-dps-absurd", ValueError, r"^dps must be an int in \[10, 1000\], received 10000000",
        lambda: rt.optimal_w(dps=10**7)),
    api("optimal-t-negative", ValueError, r"^t must be an int in \[0, 10\^18\], received -3",
        lambda: rt.optimal_w(t=-3)),
    api("optimal-rho-out-of-range", ValueError, r"^rho must be in \(-1, 1\), received 1.0",
        lambda: rt.optimal_w("ar1", rho=1.0)),
    # ---- rt.critical_lambda
    api("critical-t-unsupported", TypeError, r"^spectrum 'isotropic' takes no parameter 't'",
        lambda: rt.critical_lambda(t=3)),
    api("critical-sigma2-negative", ValueError, r"^sigma2 must be in \(0, inf\), received -1",
        lambda: rt.critical_lambda(sigma2=-1)),
    api("critical-uniform-a-above-b", ValueError, r"^b must be > a = 2.0, received 1.0",
        lambda: rt.critical_lambda("uniform", a=2.0, b=1.0)),
    # ---- rt.w_star_curve: every penalty checked before the first solve
    api("curve-lams-scalar", TypeError, r"^lams must be a sequence of penalties, received float 0.5",
        lambda: rt.w_star_curve(0.5)),
    api("curve-lams-second-negative", ValueError, rf"^lams?(\[1\])? {REAL_RANGE} -1",
        lambda: rt.w_star_curve([0.0, -1.0])),
    api("curve-empty-gamma-negative", ValueError, r"^gamma must be in \(0, inf\), received -1",
        lambda: rt.w_star_curve([], gamma=-1)),
    # ---- rt.formula / rt.latex_formula
    api("formula-unknown", ValueError, r"^name must be one of \[.*\], received 'nope'",
        lambda: rt.formula("nope")),
    api("latex-formula-int", TypeError, r"^name must be a str, received int",
        lambda: rt.latex_formula(3)),
    # ---- make_spectrum: names, parameters, malformed spectra
    api("spectrum-unknown", ValueError, rf"^spectrum must be one of {NAMES}, received 'gauss'",
        lambda: make_spectrum("gauss")),
    api("spectrum-param-unknown", TypeError, r"^spectrum 'ar1' takes no parameter 'alpha'",
        lambda: make_spectrum("ar1", alpha=1)),
    api("spectrum-eig-zero", ValueError, r"^eigs\[1\] must be in \(0, inf\), received 0",
        lambda: make_spectrum("discrete", eigs=(1, 0), weights=(0.5, 0.5))),
    api("spectrum-weight-negative", ValueError, rf"^weights\[1\] {REAL_RANGE} -0.5",
        lambda: make_spectrum("discrete", eigs=(1, 2), weights=(1.5, -0.5))),
    api("spectrum-weights-sum", ValueError, r"^weights must sum to 1 .*received sum 0.9",
        lambda: make_spectrum("discrete", eigs=(1, 2), weights=(0.5, 0.4))),
    api("spectrum-lengths-mismatch", ValueError,
        r"^weights must have the same length as eigs \(3\), received length 2",
        lambda: make_spectrum("discrete", eigs=(1, 2, 3), weights=(0.5, 0.5))),
    api("spectrum-alignment-above-1", ValueError,
        r"^alignments\[0\] must be in \[0, 1\], received 1.5",
        lambda: make_spectrum("spiked", spikes=(1.0,), alignments=(1.5,))),
    api("spectrum-alignments-sum", ValueError, r"^alignments .*sum to at most 1, received sum 1.2",
        lambda: make_spectrum("spiked", spikes=(1, 2), alignments=(0.6, 0.6))),
    api("spectrum-spike-zero", ValueError, r"^spikes\[0\] must be in \(0, inf\), received 0",
        lambda: make_spectrum("spiked", spikes=(0.0,), alignments=(0.5,))),
    api("spectrum-equicorrelated-rho-1", ValueError, r"^rho must be in \[0, 1\), received 1.0",
        lambda: make_spectrum("equicorrelated", rho=1.0)),
    api("spectrum-ar1-rho-below", ValueError, r"^rho must be in \(-1, 1\), received -1.5",
        lambda: make_spectrum("ar1", rho=-1.5)),
    api("spectrum-uniform-a-equals-b", ValueError, r"^b must be > a = 1.0, received 1.0",
        lambda: make_spectrum("uniform", a=1.0, b=1.0)),
    api("spectrum-uniform-a-zero", ValueError, r"^a must be in \(0, inf\), received 0",
        lambda: make_spectrum("uniform", a=0.0, b=1.0)),
    api("spectrum-law-unknown", ValueError, r"^law must be a Spectrum or one of .*received 'nope'",
        lambda: make_spectrum("random_effects", law="nope")),
    # ---- Spectrum.from_atoms / from_density / from_sample
    api("atoms-signal-length", ValueError,
        r"^signal_weights must have the same length as eigs \(2\), received length 1",
        lambda: Spectrum.from_atoms([1, 2], [0.5, 0.5], [1.0])),
    api("atoms-mapping", TypeError, r"^eigs must be a sequence of real numbers, received dict",
        lambda: Spectrum.from_atoms({1.0: 0.5, 2.0: 0.5})),
    api("atoms-2d-eigs", TypeError, r"^eigs\[0\] must be a real number, received ndarray",
        lambda: Spectrum.from_atoms(np.ones((2, 2)), [0.5, 0.5])),
    api("density-a-above-b", ValueError, r"^b must be > a = 2, received 1",
        lambda: Spectrum.from_density(lambda s: 1, 2, 1)),
    api("density-returns-none", TypeError, r"^density must return a real number, received NoneType",
        lambda: Spectrum.from_density(lambda s: None, 1, 2)),
    api("density-mass", ValueError, r"^density must integrate to 1 .*received integral 3",
        lambda: Spectrum.from_density(lambda s: 2 * s, 1, 2)),
    api("sample-empty", ValueError, r"^eigenvalues must contain at least one value",
        lambda: Spectrum.from_sample([])),
    api("sample-negative", ValueError, r"^eigenvalues\[1\] must be in \(0, inf\), received -1.0",
        lambda: Spectrum.from_sample([1.0, -1.0])),
    # ---- rt.verify: absurd sizes, grids, models
    api("verify-n-zero", ValueError, r"^n must be an int >= 2, received 0", _verify(n=0)),
    api("verify-n-absurd", ValueError, r"^n too large: .*received n=1000000000", _verify(n=10**9)),
    api("verify-n-float", TypeError, r"^n must be an int, received float 10.0", _verify(n=10.0)),
    api("verify-draws-zero", ValueError, r"^draws must be an int in \[2, 1000000\], received 0",
        _verify(draws=0)),
    api("verify-draws-absurd", ValueError,
        r"^draws must be an int in \[2, 1000000\], received 1000000000", _verify(draws=10**9)),
    api("verify-w-above-1", ValueError, r"^w must be in \(0, 1\], received 1.5", _verify(w=1.5)),
    api("verify-w-2d", ValueError,
        r"^w must be a number or a 1-D sequence, received shape \(1, 1\)",
        _verify(w=[[0.5]])),
    api("verify-lam-negative", ValueError, rf"^lam {REAL_RANGE} -1", _verify(lam=[0.0, -1.0])),
    api("verify-spectrum-unknown", ValueError, r"^spectrum must be one of .*received 'gaussian'",
        _verify(spectrum="gaussian")),
    api("verify-too-many-spikes", ValueError, r"^spikes must number fewer than p = 20",
        _verify(spectrum="spiked", spikes=tuple(range(1, 30)), alignments=(0.01,) * 29)),
    api("verify-lengths-mismatch", ValueError, r"^weights must have the same length as eigs \(3\)",
        _verify(spectrum="discrete", eigs=(1, 2, 3), weights=(0.5, 0.5))),
    api("verify-reps-absurd", ValueError, r"^reps must be an int in \[1, 1000000\], received 10+",
        _verify(method="simulate", reps=10**9)),
    api("verify-simulate-t-absurd", ValueError, r"^t must be <= 100000 .*received 1000000000",
        _verify(method="simulate", t=10**9)),
    api("verify-gamma-absurd", ValueError, r"^gamma too large: .*received gamma=1000000000.0",
        _verify(gamma=1e9)),
    api("verify-kappa_s-negative", ValueError, rf"^kappa_s {REAL_RANGE} -1", _verify(kappa_s=-1)),
    api("verify-param-unknown", ValueError, r"^bogus is not a parameter of spectrum 'isotropic'",
        _verify(bogus=1)),
    # ---- rt.convergence_study: every n checked before the first run
    api("study-n-absurd", ValueError, r"^n too large: .*received n=1000000000",
        _study(ns=(10, 10**9))),
    api("study-one-n", ValueError, r"^ns must hold at least two increasing sample sizes",
        _study(ns=(100,))),
    api("study-ns-scalar", TypeError, r"^ns must be a sequence of sample sizes, received 100",
        _study(ns=100)),
    # ---- command line: unknown commands and options
    cli("unknown-command", "frobnicate", "frobnicate"),
    cli("unknown-option", "--bogus", "optimal-w", "--bogus", "1"),
    cli("option-of-another-command", "--dps", "verify", "--dps", "20"),
    cli("formula-unknown", "--name", "formulas", "--name", "nope"),
    # ---- command line: numbers
    cli("gamma-not-a-number", "--gamma", "optimal-w", "--gamma", "abc"),
    cli("gamma-nan", "--gamma", "optimal-w", "--gamma", "nan"),
    cli("gamma-zero", "--gamma", "optimal-w", "--gamma", "0"),
    cli("gamma-negative", "--gamma", "optimal-w", "--gamma=-1"),
    cli("gamma-1-minnorm", "--gamma", "optimal-w", "--gamma", "1"),
    cli("lam-negative", "--lam", "optimal-w", "--lam=-1"),
    cli("sigma2-inf", "--sigma2", "optimal-w", "--sigma2", "inf"),
    cli("kappa-s-negative", "--kappa-s", "optimal-w", "--kappa-s=-1"),
    cli("dps-low", "--dps", "optimal-w", "--dps", "5"),
    cli("dps-not-int", "--dps", "optimal-w", "--dps", "30.5"),
    cli("dps-absurd", "--dps", "optimal-w", "--dps", "10000000"),
    cli("t-negative", "--t", "optimal-w", "--t=-1"),
    cli("t-not-int", "--t", "optimal-w", "--t", "1.5"),
    # ---- command line: spectra
    cli("spectrum-unknown", "--spectrum", "optimal-w", "--spectrum", "gauss"),
    cli("param-unsupported", "--eigs", "optimal-w", "--spectrum", "ar1", "--eigs", "1,2"),
    cli("rho-out-of-range", "--rho", "optimal-w", "--spectrum", "ar1", "--rho", "1"),
    cli("rho-negative-equicorrelated", "--rho", "optimal-w", "--spectrum", "equicorrelated",
        "--rho=-0.1"),
    cli("eig-negative", "--eigs", "optimal-w", "--spectrum", "discrete", "--eigs=1,-2",
        "--weights", "0.5,0.5"),
    cli("eig-nan", "--eigs", "optimal-w", "--spectrum", "discrete", "--eigs", "1,nan"),
    cli("weights-sum", "--weights", "optimal-w", "--spectrum", "discrete", "--eigs", "1,2",
        "--weights", "0.5,0.4"),
    cli("lengths-mismatch", "--weights", "optimal-w", "--spectrum", "discrete", "--eigs", "1,2,3",
        "--weights", "0.5,0.5"),
    cli("alignments-sum", "--alignments", "optimal-w", "--spectrum", "spiked", "--spikes", "1,2",
        "--alignments", "0.6,0.6"),
    cli("uniform-a-equals-b", "--b", "optimal-w", "--spectrum", "uniform", "--a", "1", "--b", "1"),
    # ---- command line: risk and curve
    cli("risk-w-missing", "--w", "risk"),
    cli("risk-w-above-1", "--w", "risk", "--w", "1.5"),
    cli("risk-w-zero", "--w", "risk", "--w", "0"),
    cli("risk-w-negative", "--w", "risk", "--w=-0.1"),
    cli("risk-w-not-a-number", "--w", "risk", "--w", "0.5,x"),
    cli("curve-lams-negative", "--lams", "curve", "--lams=-1,2"),
    cli("curve-lams-num-zero", "--lams", "curve", "--lams", "linspace:0:1:0"),
    cli("curve-fast-lam-zero", "--lams", "curve", "--lams", "0,1", "--fast"),
    # ---- command line: Monte Carlo sizes
    cli("verify-n-zero", "--n", "verify", "--n", "0"),
    cli("verify-n-absurd", "--n", "verify", "--n", "1000000000"),
    cli("verify-draws-zero", "--draws", "verify", "--draws", "0"),
    cli("verify-draws-absurd", "--draws", "verify", "--draws", "1000000000"),
    cli("verify-reps-zero", "--reps", "verify", "--method", "simulate", "--reps", "0"),
    cli("verify-simulate-t-absurd", "--t", "verify", "--method", "simulate", "--t", "1000000000"),
    cli("verify-gamma-absurd", "--gamma", "verify", "--n", "10", "--gamma", "1000000000"),
    cli("verify-too-many-spikes", "--spikes", "verify", "--spectrum", "spiked", "--n", "2",
        "--spikes", "1,2,3,4,5", "--alignments", "0.1,0.1,0.1,0.1,0.1"),
]


@pytest.mark.parametrize("kind, target, error, expected", ROWS)
def test_bad_input_is_refused_before_computing(kind, target, error, expected, no_computation,
                                               capsys):
    if kind == "api":
        with pytest.raises(error, match=expected):
            target()
        return
    status = main(target)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert status == 2, (status, out, err)
    assert len(lines) == 1 and "Traceback" not in err, err
    assert expected in lines[0], lines[0]
    assert out == "", out          # no table, no JSON: nothing that looks like a result
