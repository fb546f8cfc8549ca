"""The fast finite-t contour (acb balls, kept nodes, subtracted pole) gives the
digits of the plain mpmath evaluation, and falls back to it where it must."""
import sys

import numpy as np
import pytest

import rmtheory as rt
from rmtheory.numeric import contour, make_spectrum
from rmtheory.numeric.context import mp, private_context
from rmtheory.numeric.finite_t import finite_t_risk

pytest.importorskip("flint")

DISCRETE10 = dict(eigs=tuple(np.linspace(0.2, 4.0, 10)), weights=(0.1,) * 10)
MODELS = [("isotropic", {}), ("spiked", {}), ("discrete", DISCRETE10), ("ar1", {}),
          ("uniform", {}), ("discrete", dict(eigs=[0.5, 2, 6], weights=[0.25, 0.5, 0.25]))]


def _risk(name, params, t, w=0.7, dps=30):
    contour.clear_contour_cache()
    return rt.limiting_risk(w, name, gamma=2.0, lam=0.5, t=t, dps=dps, **params)


@pytest.mark.parametrize("name, params", MODELS)
def test_balls_give_the_digits_of_mpmath(monkeypatch, name, params):
    """Every reported digit is the same with the nodes in balls and in mpmath
    (and the two evaluate different arithmetic, so this is a real check)."""
    fast = _risk(name, params, 5)
    monkeypatch.setattr(contour, "ball_arithmetic", lambda: None)
    slow = _risk(name, params, 5)
    assert (fast.bias, fast.variance) == (slow.bias, slow.variance)


def test_without_python_flint_the_same_digits(monkeypatch):
    """``import flint`` failing (python-flint not installed): mpmath, same digits."""
    fast = _risk("spiked", dict(spikes=[4.0], alignments=[0.5]), 5, w=0.625, dps=25)
    monkeypatch.setitem(sys.modules, "flint", None)
    assert contour.ball_arithmetic() is None
    slow = _risk("spiked", dict(spikes=[4.0], alignments=[0.5]), 5, w=0.625, dps=25)
    assert slow.total == fast.total
    # the independent 25-digit value (computed outside this project)
    with mp.workdps(30):
        assert abs(slow.total - mp.mpf("0.776957327544313825850492")) < mp.mpf(10)**-24


def test_a_wide_ball_total_is_redone_in_mpmath(monkeypatch):
    """Balls evaluated at fewer bits than the working precision cannot confirm
    it: the radius test refuses them and mpmath gives the result."""
    spec = make_spectrum("ar1")
    calls = []
    levels = contour.KappaContour._levels

    def spy(self, node, phi, work, residues, balls):
        result = levels(self, node, phi, work, residues, balls)
        calls.append((balls, result is None))
        return result
    monkeypatch.setattr(contour.KappaContour, "_levels", spy)
    with private_context(), mp.workdps(30):
        args = (mp.mpf("0.6"), mp.mpf("0.5"), spec, mp.mpf(2), mp.one, mp.one)
        contour.clear_contour_cache()
        good = finite_t_risk(*args, t=4)
        monkeypatch.setattr(contour, "BALL_GUARD_BITS", -60)
        contour.clear_contour_cache()
        redone = finite_t_risk(*args, t=4)
        assert calls == [(True, False), (True, True), (False, False)]
        assert abs(redone.bias - good.bias) <= mp.mpf(10)**-28 * good.bias
        assert abs(redone.variance - good.variance) <= mp.mpf(10)**-28 * good.variance


def test_atoms_as_polynomials_agree_with_the_sums_term_by_term(monkeypatch):
    """``I₁ = N₁/Q``, ``I₂ = N₂/Q²`` (one FLINT evaluation) against the loop over
    the atoms, at nodes of a contour: the balls overlap and the midpoints
    agree to the working precision."""
    from rmtheory.numeric.certified.balls import working_precision
    spec = make_spectrum("discrete", **DISCRETE10)
    with private_context(), mp.workdps(40):
        contour.clear_contour_cache()
        _, _, c = contour.cached_contour(spec, mp.mpf(2), mp.mpf("0.25"))
        c._rules()
        with working_precision(c.prec + contour.BALL_GUARD_BITS):
            c._prepare_balls()
            for j in range(0, 33, 4):
                k, _ = c._node(j, 64)
                point = contour._to_acb(k)
                poly = c._ball.sums(point)
                monkeypatch.setattr(contour._BallSums, "POLY_ATOMS", 10**9)
                loop = c._ball.sums(point)
                monkeypatch.undo()
                for a, b in zip(poly, loop):
                    assert a.overlaps(b)
                    assert abs(a - b).mid() <= 2.0**(-c.prec) * abs(b).mid()


def test_optimal_w_evaluates_each_node_once_per_precision(monkeypatch):
    """The steps of optimal_w at finite t differ only in w: one contour per
    precision, each node computed once, however many steps are taken."""
    computed, used = [], {}
    node, integrate = contour.KappaContour._ball_node, contour.KappaContour.integrate

    def counting(self, key):
        if key not in self._ball_nodes:
            computed.append((self.prec, key))
        return node(self, key)

    def integrating(self, phi, **kw):
        result = integrate(self, phi, **kw)
        used.setdefault(self.prec, []).append(self.nodes_used)
        return result
    monkeypatch.setattr(contour.KappaContour, "_ball_node", counting)
    monkeypatch.setattr(contour.KappaContour, "integrate", integrating)
    contour.clear_contour_cache()
    res = rt.optimal_w("isotropic", gamma=2.0, lam=0.5, t=5, dps=20)
    assert 0 < res.w < 1
    assert len(computed) == len(set(computed))
    assert set(p for p, _ in computed) == set(used)
    # the steps of the root search share one precision (the confirmation at
    # a higher one, the risks at its ends use their own guard bits)
    steps = max(used.values(), key=len)
    prec = next(p for p, counts in used.items() if counts is steps)
    assert len(steps) >= 3
    # ... and no more nodes computed there than the largest integration used
    assert sum(p == prec for p, _ in computed) <= max(steps) // 2 + 1


def test_spike_just_above_the_bulk_at_long_t_converges(monkeypatch):
    """θ = 0.01, w = 0.3, t = 300 raised NoConvergence (16384 nodes): the pole
    of the spike's transform at κ = −1.01, beside the cut at −1, narrowed the
    annulus. Subtracted, the contour converges; q^300 = 0.7^300 ≈ 1e−46, so
    the risk is the stationary one to every digit shown — computed on the
    contour at the confirming precision (at the first, q^t already bounds
    the decaying part below it), which a spy sees integrated."""
    kw = dict(spikes=[0.01], alignments=[0.5], gamma=2.0, lam=0.1, dps=20)
    integrated = []
    integrate = contour.KappaContour.integrate

    def spy(self, phi, **extra):
        integrated.append(self.nodes_used)
        return integrate(self, phi, **extra)
    monkeypatch.setattr(contour.KappaContour, "integrate", spy)
    late = rt.limiting_risk(0.3, "spiked", t=300, **kw)
    assert len(integrated) == 1
    limit = rt.limiting_risk(0.3, "spiked", **kw)
    with mp.workdps(30):
        assert abs(late.total - limit.total) <= mp.mpf(10)**-19 * limit.total
