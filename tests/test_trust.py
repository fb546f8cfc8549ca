"""Trust at the edges (issue 10): the digits shown are the digits earned.

One section per class of the issue that lives in the numeric API:

- the precision check is relative (a result of 1e-300 is held to the same
  digits as one of 1), and results scale exactly with ``σ²`` and ``r²``;
- SymPy, ``Fraction`` and ``Decimal`` arguments keep every digit, in ``z``
  as in every real argument;
- one reading of a float for every numeric argument (shortest decimal),
  spectrum parameters included;
- NumPy scalars of every real type are numbers, booleans of every kind
  are not, huge finite numbers are finite;
- concurrent calls from threads give the digits of solo calls and never
  touch ``mpmath.mp``;
- shared spectra are immutable and their rule caches bounded.
"""
import asyncio
import decimal
import threading
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

import rmtheory as rt
from rmtheory import api
from rmtheory.numeric import make_spectrum
from rmtheory.numeric.context import mp as private_mp, private_context
from rmtheory.numeric.spectra import RULE_CACHE_SIZE


def digits_apart(x, y):
    """Number of leading significant digits on which two mpf agree."""
    with mpmath.workdps(200):
        x, y = (mpmath.mpf(v._mpf_) if isinstance(v, sp.Float) else mpmath.mpf(v)
                for v in (x, y))
        if x == y:
            return 200
        return float(-mpmath.log10(abs(x - y) / abs(y)))


# --------------------------------------------------------------------------
# the precision check is relative
# --------------------------------------------------------------------------

def test_confirmed_refuses_tiny_results_that_disagree_relatively():
    # two evaluations of a 1e-300 result that share only 10 digits: an
    # absolute test (gap < 10^-(dps-5) · 10^-dps) would let it through
    calls = []

    def compute():
        calls.append(private_mp.prec)
        scale = private_mp.mpf(10)**-300
        return scale * (1 + (private_mp.mpf(10)**-10 if len(calls) == 2 else 0))
    with private_context(), pytest.raises(api.PrecisionError):
        api._confirmed(compute, 30, "a tiny number")


def test_confirmed_accepts_tiny_results_that_agree():
    def compute():
        return private_mp.mpf(2)**-1000 / 3
    with private_context():
        value = api._confirmed(compute, 30, "a tiny number")
    with mpmath.workdps(60):
        assert digits_apart(value, mpmath.mpf(2)**-1000 / 3) > 29


def test_exact_zero_only_agrees_with_exact_zero():
    calls = []

    def compute():
        calls.append(1)
        return private_mp.zero if len(calls) == 1 else private_mp.mpf(10)**-400
    with private_context(), pytest.raises(api.PrecisionError):
        api._confirmed(compute, 20, "zero or not")


def test_tiny_finite_t_min_norm_risk_is_exact():
    # the example: r² = 0, so R_t = c_t(w) σ²/(γ − 1) with the
    # variance factor from the literal recursion in exact rationals
    from rmtheory.symbolic import c_t
    exact = sp.Rational(c_t(sp.Rational(1, 2), 200)) * sp.Rational(1, 10**300)
    result = rt.limiting_risk(0.5, t=200, sigma2=1e-300, r2=0, dps=30)
    assert digits_apart(result.total, sp.Float(exact, 60)) >= 25


@pytest.mark.parametrize("scale", [1e-300, 1e-30, 1e30, 1e300])
@pytest.mark.parametrize("case", [
    dict(w=0.5, lam=0.0),                       # min-norm, stationary
    dict(w=0.7, lam=0.0, t=30),                 # min-norm, finite t
    dict(w=0.4, lam=0.3),                       # ridge, stationary
    dict(w=0.9, lam=0.3, t=3),                  # ridge, finite t
], ids=["minnorm", "minnorm-t", "ridge", "ridge-t"])
def test_risk_scales_exactly_with_sigma2_and_r2(case, scale):
    # R is linear in (σ², r²) jointly when λ scales too: R(cσ², cr²; λ) = c R(σ², r²; λ)
    case = dict(case)
    w = case.pop("w")
    base = rt.limiting_risk(w, dps=30, **case)
    scaled = rt.limiting_risk(w, dps=30, sigma2=scale, r2=scale, **case)
    with mpmath.workdps(60):
        expected = (mpmath.mpf(repr(scale)) * base.bias, mpmath.mpf(repr(scale)) * base.variance)
    assert digits_apart(scaled.bias, expected[0]) >= 25
    assert digits_apart(scaled.variance, expected[1]) >= 25


# --------------------------------------------------------------------------
# SymPy, Fraction and Decimal keep their digits
# --------------------------------------------------------------------------

with mpmath.workdps(400):
    SQRT7 = (1 + mpmath.sqrt(7)) / 2


@pytest.mark.parametrize("z", [sp.Rational(-1, 3), Fraction(-1, 3)],
                         ids=["sympy", "fraction"])
def test_stieltjes_of_an_exact_argument_has_every_digit(z):
    # isotropic, γ = 2: m(−1/3) = (1 + √7)/2 exactly
    m = rt.stieltjes(z, dps=50)
    assert m.imag == 0
    assert digits_apart(m.real, SQRT7) >= 49


def test_stieltjes_of_a_sympy_complex_agrees_with_the_same_mpc():
    z = sp.Rational(-1, 3) + sp.I / 7
    with mpmath.workdps(120):
        zz = mpmath.mpc(mpmath.mpf(-1) / 3, mpmath.mpf(1) / 7)
    a, b = rt.stieltjes(z, dps=60), rt.stieltjes(zz, dps=60)
    assert a == b


@pytest.mark.parametrize("bad", ["1", [1, 2], None, sp.Symbol("x")])
def test_a_bad_z_is_named(bad):
    with pytest.raises(TypeError, match=r"\bz\b"):
        rt.stieltjes(bad)


def test_sympy_numbers_are_exact_in_every_real_argument():
    a = rt.limiting_risk(sp.Rational(1, 3), gamma=sp.sqrt(5), lam=sp.Rational(1, 7), dps=50)
    with mpmath.workdps(120):
        b = rt.limiting_risk(mpmath.mpf(1) / 3, gamma=mpmath.sqrt(5), lam=mpmath.mpf(1) / 7,
                             dps=50)
    assert (a.bias, a.variance) == (b.bias, b.variance)


# --------------------------------------------------------------------------
# one reading of a float for every argument
# --------------------------------------------------------------------------

def _same(f, float_kwargs, exact_kwargs):
    a, b = f(**float_kwargs), f(**exact_kwargs)
    return a == b


SCALARS = ["w", "lam", "gamma", "sigma2", "r2", "kappa_s"]


@pytest.mark.parametrize("name", SCALARS)
def test_a_float_scalar_means_its_shortest_decimal(name):
    values = dict(w=0.3, lam=0.1, gamma=2.3, sigma2=0.7, r2=1.3, kappa_s=0.9)
    exact = {k: Fraction(repr(v)) for k, v in values.items()}
    mixed = dict(exact, **{name: values[name]})
    w = mixed.pop("w")
    w_exact = exact.pop("w")
    a = rt.limiting_risk(w, dps=40, **mixed)
    b = rt.limiting_risk(w_exact, dps=40, **exact)
    assert (a.bias, a.variance) == (b.bias, b.variance)


SPECTRUM_FLOATS = [
    ("equicorrelated", dict(rho=0.1), dict(rho=Fraction(1, 10))),
    ("ar1", dict(rho=0.3), dict(rho=Fraction(3, 10))),
    ("uniform", dict(a=0.3, b=1.7), dict(a=Fraction(3, 10), b=Fraction(17, 10))),
    ("discrete", dict(eigs=(0.1, 4.3), weights=(0.3, 0.7), signal_weights=(0.9, 0.1)),
     dict(eigs=(Fraction(1, 10), Fraction(43, 10)), weights=(Fraction(3, 10), Fraction(7, 10)),
          signal_weights=(Fraction(9, 10), Fraction(1, 10)))),
    ("random_effects", dict(eigs=(0.7, 2.2), weights=(0.6, 0.4)),
     dict(eigs=(Fraction(7, 10), Fraction(22, 10)), weights=(Fraction(6, 10), Fraction(4, 10)))),
    ("spiked", dict(spikes=(3.3,), alignments=(0.3,)),
     dict(spikes=(Fraction(33, 10),), alignments=(Fraction(3, 10),))),
]


@pytest.mark.parametrize("name, floats, exact", SPECTRUM_FLOATS,
                         ids=[row[0] for row in SPECTRUM_FLOATS])
def test_a_float_spectrum_parameter_means_its_shortest_decimal(name, floats, exact):
    a = rt.kappa(0.5, name, dps=40, **floats)
    b = rt.kappa(0.5, name, dps=40, **exact)
    assert a == b
    if name in ("discrete", "spiked"):        # G as well as H
        ra = rt.limiting_risk(0.6, name, lam=0.5, dps=40, **floats)
        rb = rt.limiting_risk(0.6, name, lam=0.5, dps=40, **exact)
        assert (ra.bias, ra.variance) == (rb.bias, rb.variance)


def test_numpy_float32_means_its_own_shortest_decimal():
    a = rt.kappa(np.float32(0.1), "equicorrelated", rho=np.float32(0.2), dps=40)
    b = rt.kappa(Fraction(1, 10), "equicorrelated", rho=Fraction(1, 5), dps=40)
    assert a == b


def test_decimal_is_exact():
    assert rt.kappa(decimal.Decimal("0.1"), dps=40) == rt.kappa(Fraction(1, 10), dps=40)


def test_mpf_is_read_as_its_binary_value():
    # the way to ask for the double nearest 0.1 rather than 1/10
    a = rt.kappa(mpmath.mpf(0.1), dps=40)
    b = rt.kappa(Fraction(0.1), dps=40)
    c = rt.kappa(0.1, dps=40)
    assert a == b and a != c


# --------------------------------------------------------------------------
# NumPy scalars, booleans, huge numbers
# --------------------------------------------------------------------------

NUMPY_REALS = [np.float16(0.5), np.float32(0.5), np.float64(0.5), np.longdouble(0.5),
               np.array(0.5)]
NUMPY_INTS = [np.int8(1), np.int32(1), np.int64(1), np.uint8(1), np.uint64(1)]


@pytest.mark.parametrize("value", NUMPY_REALS, ids=lambda v: type(v).__name__)
def test_numpy_reals_are_numbers_everywhere(value):
    expected = rt.limiting_risk(0.5, gamma=2.5, lam=0.5, dps=20)
    got = rt.limiting_risk(value, gamma=value * 5, lam=value, dps=20)
    assert (got.bias, got.variance) == (expected.bias, expected.variance)
    assert rt.kappa(value, gamma=2.0, dps=20) == rt.kappa(0.5, gamma=2.0, dps=20)
    assert rt.optimal_w(lam=value, dps=20).w == rt.optimal_w(lam=0.5, dps=20).w


@pytest.mark.parametrize("value", NUMPY_INTS, ids=lambda v: type(v).__name__)
def test_numpy_ints_are_numbers_everywhere(value):
    expected = rt.limiting_risk(1, gamma=3, lam=1, t=2, dps=20)
    got = rt.limiting_risk(value, gamma=value * 3, lam=value, t=value * 2, dps=20)
    assert (got.bias, got.variance) == (expected.bias, expected.variance)


@pytest.mark.parametrize("flag", [True, False, np.True_, np.False_, np.array(True)],
                         ids=["True", "False", "np.True_", "np.False_", "0-d bool"])
@pytest.mark.parametrize("argument", ["w", "lam", "gamma", "t", "dps"])
def test_booleans_are_refused_in_every_argument(flag, argument):
    kwargs = dict(gamma=2.0, lam=0.5, t=None, dps=20)
    w = 0.5
    if argument == "w":
        w = flag
    else:
        kwargs[argument] = flag
    with pytest.raises(TypeError, match=rf"{argument} must be .*bool"):
        rt.limiting_risk(w, **kwargs)


def test_huge_finite_numbers_are_finite():
    # 10**400 overflows a float; mpf('1e400') is finite
    big = rt.kappa(0.5, gamma=10**400, dps=20)
    with mpmath.workdps(30):
        also = rt.kappa(0.5, gamma=mpmath.mpf("1e400"), dps=20)
    assert digits_apart(big, also) > 19 and mpmath.isfinite(big) and big > mpmath.mpf("1e399")
    with pytest.raises(ValueError, match=r"lam must be finite, received \+?inf"):
        rt.kappa(mpmath.inf)


def test_a_zero_dimensional_array_of_penalties_is_named():
    with pytest.raises(TypeError, match=r"^lams must be a sequence"):
        rt.w_star_curve(np.array(0.5))


@pytest.mark.parametrize("call, typo, suggestion", [
    (lambda: rt.optimal_w(lamda=0.1), "lamda", "lam"),
    (lambda: rt.limiting_risk(0.5, sigma=1.0), "sigma", "sigma2"),
    (lambda: rt.kappa(0.5, "ar1", roh=0.3), "roh", "rho"),
    (lambda: rt.limiting_risk(0.5, "spiked", spike=(2,)), "spike", "spikes"),
])
def test_a_mistyped_keyword_gets_a_suggestion(call, typo, suggestion):
    with pytest.raises(TypeError, match=rf"'{typo}'.*did you mean '{suggestion}'"):
        call()


# --------------------------------------------------------------------------
# threads
# --------------------------------------------------------------------------

CASES = [("optimal_w", dict(spectrum="discrete", lam=0.3, dps=d)) for d in (15, 50, 200)] + [
    ("limiting_risk", dict(w=0.4, spectrum="ar1", lam=0.5, dps=d)) for d in (15, 50)] + [
    ("kappa", dict(lam=0.7, spectrum="uniform", dps=40)),
    ("stieltjes", dict(z=complex(-0.5, 0.25), spectrum="spiked", dps=60)),
    ("critical_lambda", dict(spectrum="discrete", dps=25)),
]


def _run(case):
    name, kwargs = case
    kwargs = dict(kwargs)
    if name == "optimal_w":
        r = rt.optimal_w(**kwargs)
        return repr((r.w, r.risk.bias, r.risk.variance, r.risk_at_1.total, r.on_boundary))
    if name == "limiting_risk":
        r = rt.limiting_risk(kwargs.pop("w"), **kwargs)
        return repr((r.bias, r.variance, r.total))
    if name == "kappa":
        return repr(rt.kappa(kwargs.pop("lam"), **kwargs))
    if name == "stieltjes":
        return repr(rt.stieltjes(kwargs.pop("z"), **kwargs))
    return repr(rt.critical_lambda(**kwargs))


@pytest.fixture(scope="module")
def solo():
    return [_run(case) for case in CASES]


def test_threads_give_the_digits_of_solo_calls_and_leave_mp_alone(solo):
    before = mpmath.mp.prec
    seen, errors, stop = set(), [], threading.Event()

    def user_code():
        # a user's own mpmath code in another thread, mid-call
        while not stop.is_set():
            seen.add(mpmath.mp.prec)
            x = mpmath.mpf(1) / 3
            if x != mpmath.mpf(1) / 3 or len(repr(x)) > 30:
                errors.append(repr(x))
    watcher = threading.Thread(target=user_code)
    watcher.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(_run, CASES * 3))
    finally:
        stop.set()
        watcher.join()
    assert results == solo * 3
    assert seen == {before} and not errors
    assert mpmath.mp.prec == before


def test_asyncio_to_thread_gives_the_digits_of_solo_calls(solo):
    async def main():
        return await asyncio.gather(*(asyncio.to_thread(_run, case) for case in CASES))
    assert asyncio.run(main()) == solo


def test_a_call_never_changes_the_callers_precision():
    with mpmath.workdps(7):
        r = rt.optimal_w("ar1", lam=0.2, dps=40)
        assert mpmath.mp.dps == 7
        # the result keeps its own digits whatever the caller's precision
        assert len(mpmath.nstr(r.w, 40)) > 35
        assert len(mpmath.nstr(r.gain, 40)) > 30
        assert len(mpmath.nstr(r.risk.total, 40)) > 35


def test_results_are_mpmath_numbers_of_the_callers_type():
    r = rt.limiting_risk(0.5, lam=0.5, dps=30)
    for x in (r.w, r.bias, r.variance, r.total, rt.kappa(0.5)):
        assert type(x) is mpmath.mpf
    assert type(rt.stieltjes(-1.0)) is mpmath.mpc


# --------------------------------------------------------------------------
# shared objects are immutable, caches bounded
# --------------------------------------------------------------------------

def test_a_shared_spectrum_cannot_be_edited():
    spec = make_spectrum("ar1")
    before = rt.kappa(0.5, "ar1", dps=30)
    with pytest.raises(TypeError, match="cannot be changed"):
        spec.params["rho"] = 0.9
    with pytest.raises(TypeError, match="cannot be changed"):
        spec.params.update(rho=0.9)
    with pytest.raises(AttributeError, match="immutable"):
        spec.name = "uniform"
    with pytest.raises(AttributeError, match="immutable"):
        spec._H = make_spectrum("uniform")._H
    assert make_spectrum("ar1") is spec
    assert rt.kappa(0.5, "ar1", dps=30) == before


def test_quadrature_rules_are_kept_within_a_bound():
    spec = make_spectrum("ar1", rho=0.25)
    with private_context():
        for dps in range(15, 15 + 3 * RULE_CACHE_SIZE):
            with private_mp.workdps(dps):
                spec.integrate_H(lambda s: 1 / (s + 1))
    assert len(spec._H._rules) <= RULE_CACHE_SIZE


# --------------------------------------------------------------------------
# found by an adversarial review of the fixes above
# --------------------------------------------------------------------------

def test_sympy_function_values_never_touch_the_global_context(monkeypatch):
    # SymPy's evalf of gamma(1/3) or besselj(0, 1) runs mpmath.workprec on
    # mpmath.mp; rmtheory evaluates such numbers in its private context
    rt.kappa(1, dps=20)                                   # derivations loaded first
    sp.core.cache.clear_cache()
    writes = []
    cls = type(mpmath.mp)
    original = cls.prec

    def spy(self, value):
        if self is mpmath.mp:
            writes.append(value)
        original.fset(self, value)
    monkeypatch.setattr(cls, "prec", property(original.fget, spy))
    a = rt.kappa(1, gamma=sp.gamma(sp.Rational(1, 3)), dps=30)
    b = rt.kappa(1, "ar1", rho=sp.besselj(0, 1), dps=30)
    c = rt.stieltjes(-sp.zeta(3), dps=30)
    monkeypatch.setattr(cls, "prec", original)
    assert writes == []
    with mpmath.workdps(60):
        assert a == rt.kappa(1, gamma=mpmath.gamma(mpmath.mpf(1) / 3), dps=30)
        assert b == rt.kappa(1, "ar1", rho=mpmath.besselj(0, 1), dps=30)
        assert c == rt.stieltjes(-mpmath.zeta(3), dps=30)


@pytest.mark.parametrize("call, pattern", [
    (lambda: rt.kappa(1, gamma=sp.true), r"gamma must be a real number, received bool"),
    (lambda: rt.kappa(1, "ar1", rho=sp.false), r"rho must be a real number, received bool"),
    (lambda: rt.limiting_risk(0.5, lam=sp.cos(1)**2 + sp.sin(1)**2 - 1),
     r"lam = .* cannot be evaluated reliably"),
    (lambda: rt.stieltjes(sp.cos(1)**2 + sp.sin(1)**2 - 1), r"z = .* cannot be evaluated"),
    (lambda: rt.kappa(1, gamma=1 + sp.I), r"gamma must be real, received 1 \+ I"),
])
def test_undecidable_or_boolean_sympy_values_are_refused_by_name(call, pattern):
    with pytest.raises((TypeError, ValueError), match=pattern):
        call()


def test_a_mutable_iterable_parameter_is_not_cached_by_identity():
    values = {"x": 1.0, "y": 4.0}
    view = values.values()
    first = rt.kappa(1, "discrete", eigs=view, dps=20)
    values["y"] = 9.0
    assert rt.kappa(1, "discrete", eigs=view, dps=20) == rt.kappa(1, "discrete", eigs=(1, 9),
                                                                   dps=20) != first


def test_a_support_narrower_than_the_precision_is_refused_by_name():
    with pytest.raises(ValueError, match=r"b - a must be resolvable at the working precision"):
        rt.kappa(1, "uniform", a=1, b=1 + Fraction(1, 10**45), dps=30)


def test_a_shared_spectrum_cannot_be_initialised_again():
    spec = make_spectrum("ar1", rho=0.9)
    with pytest.raises(AttributeError, match="immutable"):
        spec.__init__("ar1", {"rho": 0.3}, spec._H)
    iso = make_spectrum("isotropic")
    iso.params.__init__(gamma=3)
    assert dict(iso.params) == {} and rt.limiting_risk(0.5, dps=15).total > 0


def test_a_spectrum_pickles_with_empty_caches():
    import pickle
    spec = make_spectrum("ar1", rho=0.3)
    rt.kappa(1, "ar1", rho=0.3)
    copy = pickle.loads(pickle.dumps(spec))
    assert len(copy._H._rules) == 0 and copy.params == spec.params
    assert rt.kappa(1, copy, dps=25) == rt.kappa(1, "ar1", rho=0.3, dps=25)


def test_an_error_carries_numbers_of_the_callers_type():
    from rmtheory.numeric import NoConvergence
    with private_context():
        error = NoConvergence("x", private_mp.mpf(2) / 3, private_mp.mpf(10)**-30)
    assert type(error.residual) is mpmath.mpf and type(error.tolerance) is mpmath.mpf


def test_a_deep_copy_of_a_shared_spectrum_has_its_own_measures():
    import copy
    shared = make_spectrum("ar1", rho=0.9)
    before = rt.kappa(0.5, "ar1", rho=0.9, dps=30)
    private = copy.deepcopy(shared)
    assert private is not shared and private._H is not shared._H
    private._H.max_level = private._H.start_level      # starve the copy only
    assert shared._H.max_level > shared._H.start_level
    assert rt.kappa(0.5, "ar1", rho=0.9, dps=30) == before
