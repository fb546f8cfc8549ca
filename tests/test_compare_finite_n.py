"""Result 9 against simulation: the exact finite-n Gaussian mean is what the
Monte Carlo converges to, at every n, and the limit is not."""
import math

import numpy as np
import pytest
import sympy as sp

from rmtheory.montecarlo import ConditionalRisk, make_problem
from rmtheory.symbolic.finite_n_gaussian import (derive_finite_n_gaussian,
                                                 finite_n_gaussian_risk, p)
from rmtheory.symbolic.symbols import n, r2, sigma2
from rmtheory.symbolic import c_t


def _mean_over_designs(n_, gamma, w, t, draws, seed, kappa_s=1.0):
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(draws):
        pr = make_problem("isotropic", n=n_, gamma=gamma, rng=rng)
        cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
        values.append(cr.risk(np.asarray(w), 0.0, 1.0, t, kappa_s))
    values = np.asarray(values, dtype=float)
    return values.mean(axis=0), values.std(axis=0, ddof=1) / math.sqrt(draws)


@pytest.mark.parametrize("n_, gamma, t, kappa_s", [(12, 2.0, None, 1.0), (12, 2.0, 3, 2.0),
                                                   (30, 0.5, None, 1.0), (30, 0.5, 2, 0.5)])
def test_exact_mean_matches_the_monte_carlo(n_, gamma, t, kappa_s):
    """Small n, where the limit is far off (V₀ is 10 % above it at n = 12):
    the exact mean is within 4 standard errors, the limit many away."""
    import rmtheory as rt
    ws = [0.3, 0.618, 1.0]
    mean, se = _mean_over_designs(n_, gamma, ws, t, draws=1200, seed=11, kappa_s=kappa_s)
    pp = int(round(gamma * n_))
    exact = np.array([finite_n_gaussian_risk(w, n=n_, p=pp, t=t, kappa_s=kappa_s)[2]
                      for w in ws])
    z = (mean - exact) / se
    assert np.all(np.abs(z) < 4), z
    limit = np.array([float(rt.limiting_risk(w, gamma=gamma, t=t, kappa_s=kappa_s, dps=15))
                      for w in ws])
    assert np.all((mean - limit) / se > 5), (mean - limit) / se


def test_exact_formulas_are_the_model_s():
    der = derive_finite_n_gaussian()
    assert sp.simplify(der.minnorm_variance - sigma2 * n / (p - n - 1)) == 0
    assert sp.simplify(der.ols_variance - sigma2 * p / (n - p - 1)) == 0
    assert sp.simplify(der.minnorm_bias - r2 * (1 - n / p)) == 0
    # w = 1, t = 0: the one-shot fit; the variance factor is c_t (result 1)
    b, v, total = finite_n_gaussian_risk(1.0, n=40, p=80)
    assert (b, v) == (0.5, 40 / 39) and total == b + v
    b, v, _ = finite_n_gaussian_risk(0.5, n=40, p=80, t=4)
    assert v == pytest.approx(float(c_t(sp.Rational(1, 2), 4)) * 40 / 39, rel=1e-14)


def test_exact_formula_refuses_where_the_mean_is_infinite():
    for pp in (39, 40, 41):
        with pytest.raises(ValueError, match="p must satisfy"):
            finite_n_gaussian_risk(1.0, n=40, p=pp)
    with pytest.raises(ValueError, match="w must be in"):
        finite_n_gaussian_risk(0.0, n=40, p=80)
