"""The optimal-weight solver: its root finder, its reuse of evaluations,
and the risk it reports at ``w*``."""
import numpy as np
import pytest
from mpmath import mp

import rmtheory as rt
from rmtheory.numeric import NoConvergence, make_spectrum
from rmtheory.numeric import optimize
from rmtheory.numeric.optimize import _bracketed_root, optimal_weight

DISCRETE10 = dict(eigs=tuple(np.linspace(0.2, 4.0, 10)), weights=(0.1,) * 10)


def test_bracketed_root_matches_findroot_and_returns_an_evaluated_point():
    seen = []

    def f(x):
        seen.append(x)
        return mp.cos(x) - x
    with mp.workdps(50):
        root = _bracketed_root(f, mp.mpf(0), mp.mpf(1), "test")
        reference = mp.findroot(lambda x: mp.cos(x) - x, 0.7)
        # accepted once |f| <= 2^20 ulps; |f'| = 1 + sin(root) > 1 here
        assert abs(root - reference) <= mp.eps * 2**20
        assert root in seen              # the caller can reuse what came with f(root)
        assert len(seen) <= 12           # superlinear, not bisection (~170 steps)


def test_bracketed_root_uses_given_end_values_and_either_sign_order():
    calls = []

    def f(x):
        calls.append(x)
        return 2 - x * x                  # decreasing through the root √2
    with mp.workdps(30):
        root = _bracketed_root(f, mp.mpf(1), mp.mpf(2), "test", f(mp.mpf(1)), f(mp.mpf(2)))
        assert abs(root - mp.sqrt(2)) <= mp.mpf(10)**-25
    assert calls.count(1) == 1 and calls.count(2) == 1


def test_bracketed_root_without_a_sign_change_raises():
    with mp.workdps(20):
        with pytest.raises(NoConvergence, match="no sign change"):
            _bracketed_root(lambda x: x * x + 1, mp.mpf(-1), mp.mpf(1), "test")


def test_optimal_w_reuses_its_slope_evaluations(monkeypatch):
    """A float64 bracket of width 2e-9 and ~2 regula-falsi steps, then one
    Newton step at the higher precision: at most 6 slope evaluations."""
    calls = []
    original = optimize.slope_in_w

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)
    monkeypatch.setattr(optimize, "slope_in_w", counting)
    rt.optimal_w("discrete", gamma=2.0, lam=0.5, dps=30, **DISCRETE10)
    assert len(calls) <= 6


@pytest.mark.parametrize("name, lam", [("discrete", 0.5), ("spiked", 0.2), ("isotropic", 0.0),
                                       ("isotropic", 50.0)])
def test_risk_at_the_optimum_is_the_limiting_risk_there(name, lam):
    params = DISCRETE10 if name == "discrete" else {}
    res = rt.optimal_w(name, gamma=2.0, lam=lam, dps=25, **params)
    direct = rt.limiting_risk(res.w, name, gamma=2.0, lam=lam, dps=25, **params)
    for a, b in ((res.risk.bias, direct.bias), (res.risk.variance, direct.variance)):
        assert abs(a - b) <= mp.mpf(10)**-20 * abs(b)
    at_1 = rt.limiting_risk(1, name, gamma=2.0, lam=lam, dps=25, **params)
    assert abs(res.risk_at_1.total - at_1.total) <= mp.mpf(10)**-20 * at_1.total
    assert res.on_boundary == (lam == 50.0) and res.gain >= 0


def test_a_wrong_starting_bracket_is_widened():
    """``near`` from a lower precision that misses the root: the bracket is
    widened (then the full search runs) and the same root comes out."""
    spec = make_spectrum("discrete", **DISCRETE10)
    with mp.workdps(40):
        args = (mp.mpf("0.5"), spec, mp.mpf(2), mp.one, mp.one)
        w, boundary, parts, curvature = optimal_weight(*args)
        for near in ((w + mp.mpf("1e-6"), mp.mpf("1e-12")), (mp.mpf("0.9"), mp.mpf("1e-20")),
                     (w + mp.mpf("1e-6"), mp.mpf("1e-12"), curvature),   # step too long
                     (w, mp.mpf("1e-12"), -curvature)):                    # wrong sign
            again = optimal_weight(*args, near=near).w
            assert abs(again - w) <= mp.mpf(10)**-35
        assert not boundary and parts.dtotal_dw is not None and curvature > 0
