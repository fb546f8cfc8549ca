"""Certified digits (issue 14): enclosures from ball arithmetic (python-flint).

Evidence that an enclosure is a proof and not a re-evaluation:

* every enclosure contains the references computed here independently of
  the numeric layer — the isotropic closed forms (SymPy) at 45+ digits and
  the quadrature/Newton references of the precision sweep — at dps 15 to
  1000;
* a corrupted step (a wrong derivative in the Krawczyk test, a candidate
  from a shifted atom, a shifted atom in the measure) makes the
  certificate fail, or the enclosure miss the reference;
* every radius is at most ``10^-(dps-2)`` relative;
* the uncertified two-precision results lie within the ``10^-(dps-5)`` they
  claim of the enclosure (a disagreement would be a bug of one of them);
* without python-flint, ``certify=True`` is an ``ImportError`` saying how
  to install it; what cannot be certified is refused, never returned.
"""
import subprocess
import sys

import pytest
import sympy as sp
from mpmath import mp

import rmtheory as rt
from rmtheory.symbolic import formula

flint = pytest.importorskip("flint")

from rmtheory.numeric import make_spectrum, Spectrum  # noqa: E402
from rmtheory.numeric.certified.balls import (CertificationError, ball, ball_measures,  # noqa: E402
                                              working_precision)
from rmtheory.numeric.certified.kappa import approximate_kappa, enclose_kappa  # noqa: E402


def contains(enclosure, value):
    lo, hi = enclosure
    return lo <= value <= hi


def relative_width(enclosure):
    lo, hi = enclosure
    with mp.workdps(60):
        mid = (lo + hi) / 2
        return (hi - lo) / 2 / abs(mid) if mid else hi - lo


def within_claim(value, enclosure, dps):
    """The uncertified ``value`` is within ``10^-(dps-5)`` (relative) of the
    enclosure, as SPEC §4 promises of it."""
    lo, hi = enclosure
    with mp.workdps(dps + 30):
        gap = max(lo - value, value - hi, 0)
        return gap <= mp.mpf(10)**(5 - dps) * abs(value)


# --------------------------------------------------------------------------
# references: isotropic closed forms
# --------------------------------------------------------------------------

@pytest.mark.parametrize("dps", [15, 50, 100])
def test_kappa_enclosure_contains_the_isotropic_closed_form(dps):
    k = formula("isotropic_kappa").lambdify("mpmath")
    res = rt.kappa(0.3, gamma=3.0, dps=dps, certify=True)
    with mp.workdps(dps + 40):
        reference = k(mp.mpf(3) / 10, 3)
        assert contains(res.enclosures["kappa"], reference)
    assert relative_width(res.enclosures["kappa"]) <= mp.mpf(10)**(2 - dps)
    # the value printed is the reference to dps digits
    with mp.workdps(dps + 40):
        assert mp.nstr(res.value, dps) == mp.nstr(reference, dps)


@pytest.mark.parametrize("w,lam,gamma", [(0.5, 0.5, 2.0), (0.8, 0.1, 0.5), (0.3, 3.0, 4.0),
                                         (1.0, 0.7, 2.0)])
def test_risk_enclosures_contain_the_isotropic_closed_form(w, lam, gamma):
    res = rt.limiting_risk(w, gamma=gamma, lam=lam, r2=1.5, sigma2=0.7, dps=50, certify=True)
    with mp.workdps(90):
        w_, lam_, g_, r2_, s2_ = [mp.mpf(repr(v)) for v in (w, lam, gamma, 1.5, 0.7)]
        bias = formula("isotropic_bias").lambdify("mpmath")(lam_ / w_, g_, r2_)
        if w == 1.0:
            total = bias + formula("isotropic_variance").lambdify("mpmath")(lam_, g_, s2_)
        else:
            total = formula("isotropic_risk").lambdify("mpmath")(w_, lam_, g_, r2_, s2_)
        assert contains(res.enclosures["bias"], bias)
        assert contains(res.enclosures["total"], total)
        assert contains(res.enclosures["variance"], total - bias)
        assert mp.nstr(res.total, 50) == mp.nstr(total, 50)
    for name in ("bias", "variance", "total"):
        assert relative_width(res.enclosures[name]) <= mp.mpf(10)**-48


def test_minnorm_optimum_contains_the_golden_ratio_and_its_risk():
    res = rt.optimal_w(gamma=2.0, dps=40, certify=True)
    with mp.workdps(80):
        assert contains(res.enclosures["w"], (mp.sqrt(5) - 1) / 2)
        # r²(1 − 1/γ) + c(1/φ) σ²/(γ − 1) with c(1/φ) = 1/φ
        assert contains(res.risk.enclosures["total"], mp.mpf(1) / 2 + 1 / mp.phi)
    assert not res.on_boundary and res.risk_at_1.enclosures is not None


def test_ridge_optimum_contains_the_root_of_the_closed_form_slope():
    """Isotropic ridge: w* is the root of the derivative of the closed-form
    risk (SymPy), found here by mpmath at 80 digits."""
    res = rt.optimal_w(gamma=2.0, lam=0.5, dps=30, certify=True)
    f = formula("isotropic_risk")
    w = f.args[0]
    rhs = f.rhs.subs(dict(zip(f.args[1:], (sp.Rational(1, 2), 2, 1, 1))))
    slope = sp.lambdify(w, sp.diff(rhs, w), "mpmath")
    with mp.workdps(80):
        root = mp.findroot(slope, mp.mpf(res.w))
        assert contains(res.enclosures["w"], root)
        assert contains(res.risk.enclosures["total"], sp.lambdify(w, rhs, "mpmath")(root))
    assert relative_width(res.enclosures["w"]) <= mp.mpf(10)**-28
    plain = rt.optimal_w(gamma=2.0, lam=0.5, dps=30)
    assert within_claim(plain.w, res.enclosures["w"], 30)
    lo, hi = res.enclosures["gain"]            # R(1) − R(w*), proved positive
    assert 0 < lo <= hi and within_claim(res.gain, (lo, hi), 30)


def test_boundary_optimum_is_certified_by_the_slope_at_one():
    plain = rt.optimal_w(gamma=2.0, lam=20.0, dps=20)
    res = rt.optimal_w(gamma=2.0, lam=20.0, dps=20, certify=True)
    assert plain.on_boundary and res.on_boundary and res.w == 1
    lo, hi = res.enclosures["slope_at_1"]
    assert hi < 0


def test_critical_lambda_brackets_the_uncertified_root():
    plain = rt.critical_lambda(gamma=2.0, dps=25)
    res = rt.critical_lambda(gamma=2.0, dps=25, certify=True)
    assert within_claim(plain, res.enclosures["lambda_c"], 25)
    assert relative_width(res.enclosures["lambda_c"]) <= mp.mpf(10)**-23
    below = rt.optimal_w(gamma=2.0, lam=0.99 * float(res), dps=15)
    above = rt.optimal_w(gamma=2.0, lam=1.01 * float(res), dps=15)
    assert not below.on_boundary and above.on_boundary


def test_stieltjes_enclosure_contains_the_marchenko_pastur_root():
    res = rt.stieltjes(-1.0, gamma=2.0, dps=30, certify=True)    # m(−1) = √2/2
    with mp.workdps(60):
        assert contains(res.enclosures["m.real"], mp.sqrt(2) / 2)
    assert res.enclosures["m.imag"] == (0, 0)
    res = rt.stieltjes(1 + 0.5j, gamma=0.5, dps=30, certify=True)
    m = formula("mp_stieltjes").lambdify("mpmath")
    with mp.workdps(60):
        z = mp.mpc(1, mp.mpf(1) / 2)
        roots = [m(z, mp.mpf(1) / 2)]
        roots.append(1 / (roots[0] * z * mp.mpf(1) / 2) * 0 + roots[0])
        value = mp.mpc(*[(lo + hi) / 2 for lo, hi in (res.enclosures["m.real"],
                                                     res.enclosures["m.imag"])])
        assert value.imag > 0                                  # the physical branch
        assert abs(value - rt.stieltjes(1 + 0.5j, gamma=0.5, dps=40)) < mp.mpf(10)**-34


# --------------------------------------------------------------------------
# references: the precision sweep's independent quadrature/Newton values
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["discrete", "spiked", "ar1", "uniform", "random_effects"])
def test_risk_enclosures_contain_the_precision_sweep_reference(name):
    from test_precision_sweep import GAMMA, LAM, W, Reference, _mpf
    res = rt.limiting_risk(W, name, gamma=GAMMA, lam=LAM, dps=60, certify=True)
    ref = Reference(name)
    with mp.workdps(80):
        bias, variance = ref.risk(_mpf(W), _mpf(LAM))
        assert contains(res.enclosures["bias"], bias)
        assert contains(res.enclosures["variance"], variance)
    plain = rt.limiting_risk(W, name, gamma=GAMMA, lam=LAM, dps=60)
    for field in ("bias", "variance", "total"):
        assert within_claim(getattr(plain, field), res.enclosures[field], 60)
        assert relative_width(res.enclosures[field]) <= mp.mpf(10)**-58


# --------------------------------------------------------------------------
# corrupted steps fail
# --------------------------------------------------------------------------

def _discrete_problem(prec):
    spec = make_spectrum("discrete", eigs=(1, 2, 5), weights=(0.5, 0.25, 0.25))
    H, _ = ball_measures(spec)
    return H, ball("lam", 0.3), ball("gamma", 2)


def test_a_wrong_derivative_fails_the_certificate():
    with working_precision(150):
        H, lam, gamma = _discrete_problem(150)
        good = enclose_kappa(lam, H, gamma, 150)
        assert good > 0

        def wrong(k):          # the derivative without its −γ I₁ term
            from rmtheory.numeric.certified.kappa import kappa_forms
            F = kappa_forms()
            return 1 + gamma * k * H.integrate(F["integrand_dkappa"], k) * 0 + 0 * k
        with pytest.raises(CertificationError, match="derivative"):
            enclose_kappa(lam, H, gamma, 150, candidate=good.mid(), derivative=wrong,
                          refine=False)


def test_a_derivative_from_a_shifted_atom_fails_the_certificate():
    """One step corrupted: ``f'`` computed with an atom moved by 10^-3."""
    from rmtheory.numeric.certified.kappa import _functions
    with working_precision(150):
        H, lam, gamma = _discrete_problem(150)
        _, shifted_derivative = _functions(lam, H.shifted(1, flint.arb(10)**-3), gamma)
        with pytest.raises(CertificationError, match="derivative"):
            enclose_kappa(lam, H, gamma, 150, derivative=shifted_derivative)


def test_a_shifted_atom_in_the_equation_moves_the_enclosure_off_the_true_value():
    """The certificate is about the inputs as given: with an atom moved by
    10^-20 it proves a ball that excludes the true κ (so the reference tests
    above could fail), and a candidate computed from the shifted problem is
    corrected by the Krawczyk image of the true one (which contains the
    Newton step)."""
    with working_precision(150):
        H, lam, gamma = _discrete_problem(150)
        shifted = H.shifted(1, flint.arb(10)**-20)
        true = enclose_kappa(lam, H, gamma, 150)
        wrong = enclose_kappa(lam, shifted, gamma, 150)
        assert not wrong.overlaps(true)
        candidate = approximate_kappa(lam, shifted, gamma, 150)
        assert not candidate.overlaps(true)
        repaired = enclose_kappa(lam, H, gamma, 150, candidate=candidate, refine=False)
        assert repaired.overlaps(true) and not repaired.overlaps(wrong)


# --------------------------------------------------------------------------
# radii, precisions, agreement with the uncertified path
# --------------------------------------------------------------------------

BENCHMARK_CASES = [("discrete", dict(eigs=(0.5, 1, 2, 3, 5), weights=(0.2,) * 5)),
                   ("spiked", {}), ("ar1", {}), ("uniform", {}), ("equicorrelated", {})]


@pytest.mark.parametrize("name,params", BENCHMARK_CASES)
@pytest.mark.parametrize("dps", [15, 30, 100])
def test_radius_and_agreement_with_the_two_precision_check(name, params, dps):
    res = rt.limiting_risk(0.6, name, gamma=2.0, lam=0.2, dps=dps, certify=True, **params)
    plain = rt.limiting_risk(0.6, name, gamma=2.0, lam=0.2, dps=dps, **params)
    for field in ("bias", "variance", "total"):
        assert relative_width(res.enclosures[field]) <= mp.mpf(10)**(2 - dps)
        assert within_claim(getattr(plain, field), res.enclosures[field], dps)
        lo, hi = res.enclosures[field]
        assert mp.nstr(lo, dps) == mp.nstr(hi, dps) == mp.nstr(getattr(res, field), dps)


def test_one_thousand_digits():
    res = rt.limiting_risk(0.5, "discrete", gamma=2.0, lam=0.5, dps=1000, certify=True)
    assert relative_width(res.enclosures["total"]) <= mp.mpf(10)**-998
    k = formula("isotropic_kappa").lambdify("mpmath")
    res = rt.kappa(0.5, gamma=2.0, dps=1000, certify=True)
    with mp.workdps(1050):
        assert contains(res.enclosures["kappa"], k(mp.mpf(1) / 2, 2))


def test_finite_t_minnorm_and_ols():
    res = rt.limiting_risk(0.4, gamma=2.0, t=3, dps=30, certify=True)
    plain = rt.limiting_risk(0.4, gamma=2.0, t=3, dps=30)
    assert within_claim(plain.total, res.enclosures["total"], 30)
    res = rt.limiting_risk(0.4, gamma=0.5, dps=30, certify=True)           # OLS: κ₀ = 0
    plain = rt.limiting_risk(0.4, gamma=0.5, dps=30)
    assert within_claim(plain.total, res.enclosures["total"], 30)
    assert rt.kappa(0.0, gamma=0.5, certify=True).enclosures["kappa"] == (0, 0)


# --------------------------------------------------------------------------
# what is refused
# --------------------------------------------------------------------------

def test_uncertifiable_combinations_are_refused():
    with pytest.raises(NotImplementedError, match="scheme"):
        rt.limiting_risk(None, scheme="replace", t=2, certify=True)
    with pytest.raises(NotImplementedError, match="t="):
        rt.limiting_risk(0.5, lam=0.5, t=3, certify=True)
    with pytest.raises(NotImplementedError, match="real z"):
        rt.stieltjes(2.0, gamma=0.5, certify=True)
    density = Spectrum.from_density(lambda s: 2 * (s - 1), 1, 2)
    with pytest.raises(NotImplementedError, match="density"):
        rt.kappa(0.5, density, certify=True)
    with pytest.raises(NotImplementedError, match="t=None"):
        rt.optimal_w(lam=0.5, t=3, certify=True)


def test_threads_give_the_solo_digits_and_leave_flint_precision_alone():
    from concurrent.futures import ThreadPoolExecutor
    saved = flint.ctx.prec
    calls = [(0.1 * (i + 1), 20 + 10 * (i % 3)) for i in range(6)]
    solo = [rt.kappa(lam, "discrete", gamma=2.0, dps=dps, certify=True).enclosures
            for lam, dps in calls]
    with ThreadPoolExecutor(3) as pool:
        threaded = list(pool.map(lambda c: rt.kappa(c[0], "discrete", gamma=2.0, dps=c[1],
                                                    certify=True).enclosures, calls))
    assert threaded == solo and flint.ctx.prec == saved


def test_without_python_flint_certify_raises_an_import_error_with_the_fix():
    code = ("import sys; sys.modules['flint'] = None\n"
            "import rmtheory as rt\n"
            "print('imported')\n"
            "try:\n"
            "    rt.kappa(1.0, certify=True)\n"
            "except ImportError as exc:\n"
            "    print('ImportError:', exc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert 'pip install "rmtheory[certified]"' in out.stdout
    assert out.stdout.startswith("imported")
