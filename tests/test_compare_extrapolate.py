"""The extrapolation in n and the verdict of verify."""
import math

import numpy as np
import pytest

from rmtheory.compare import verify
from rmtheory.compare.extrapolate import fit_limit, normal_z, student_to_normal
from rmtheory.compare.verdict import exact_reference, ladder


def test_fit_recovers_an_exact_law():
    ns = np.array([40, 80, 160, 320])
    means = 1.5 + 2.0 / ns - 7.0 / ns**2
    fit = fit_limit(ns, means, 0.01 / np.sqrt(ns), order=2)
    assert fit.limit == pytest.approx(1.5, abs=1e-12)
    assert fit.coefficients[1:] == pytest.approx((2.0, -7.0), rel=1e-9)
    assert fit.residual_dof == 1 and fit.chi2 == pytest.approx(0.0, abs=1e-12)
    one = fit_limit(ns[:3], 1.5 + 2.0 / ns[:3], [0.01] * 3)
    assert one.limit == pytest.approx(1.5, abs=1e-12) and one.z(1.5) == pytest.approx(0, abs=1e-9)


def test_fit_standard_error_is_the_spread_of_the_limit():
    """Over many noisy replications the extrapolated limits scatter by
    their standard error, and the verdict z is N(0, 1)."""
    rng = np.random.default_rng(0)
    ns, se = np.array([40, 80, 160]), np.array([0.02, 0.014, 0.01])
    truth = 1.0 + 3.0 / ns
    zs, limits = [], []
    for _ in range(2000):
        fit = fit_limit(ns, truth + se * rng.standard_normal(3), se)
        zs.append(fit.z(1.0))
        limits.append(fit.limit)
    assert np.std(limits) == pytest.approx(fit.limit_se, rel=0.05)
    assert abs(np.mean(zs)) < 0.08 and np.std(zs) == pytest.approx(1.0, abs=0.05)


def test_student_scale():
    assert student_to_normal(2.0, math.inf) == 2.0
    assert 0 < student_to_normal(3.0, 4) < student_to_normal(3.0, 40) < 3.0
    assert student_to_normal(-3.0, 10) == -student_to_normal(3.0, 10)
    assert normal_z(1.0, 0.0) == math.inf and math.isnan(normal_z(1.0, math.nan))


@pytest.mark.parametrize("kwargs, match", [
    (dict(ns=[40, 40, 80], means=[1, 1, 1], ses=[1, 1, 1]), "distinct"),
    (dict(ns=[40, 80], means=[1, 1], ses=[1, 1], order=2), "at least 3"),
    (dict(ns=[40, 80], means=[1, 1], ses=[1, -1]), "ses >= 0"),
    (dict(ns=[40, 80], means=[1, 1], ses=[1, 1], order=3), "order"),
])
def test_fit_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit_limit(**kwargs)


def test_references_chosen_per_point():
    assert ladder(160) == (40, 80, 160)
    with pytest.raises(ValueError, match="n too small"):
        ladder(5)
    assert exact_reference("isotropic", w=1.0, lam=0.0, n=40, p=80, t=None, sigma2=1.0,
                           r2=1.0, kappa_s=1.0) == pytest.approx(0.5 + 40 / 39)
    assert exact_reference("isotropic", w=1.0, lam=0.1, n=40, p=80, t=None, sigma2=1.0,
                           r2=1.0, kappa_s=1.0) is None
    rep = verify("isotropic", n=24, gamma=2.0, w=[0.5, 1.0], lam=[0.0, 0.4], draws=6, seed=2,
                 progress=False)
    refs = [(r["lam"], r["reference"]) for r in rep.records]
    assert refs == [(0.0, "exact finite-n"), (0.4, "extrapolated limit")] * 2
    assert rep.params["ns"] == [6, 12, 24] and len(rep.ladder_reports) == 2
    for r in rep.records:
        assert r["ns"] == ([24] if r["lam"] == 0.0 else [6, 12, 24])
        assert r["passed"] == (abs(r["verdict_z"]) <= 3)
    plain = verify("isotropic", n=24, gamma=2.0, w=[0.5, 1.0], lam=[0.0, 0.4], draws=6, seed=2,
                   progress=False, reference="limit")
    assert {r["reference"] for r in plain.records} == {"limit"}
    np.testing.assert_array_equal(plain.samples, rep.samples)      # same draws at n
    with pytest.raises(ValueError, match="reference='exact finite-n' exists"):
        verify("ar1", n=24, gamma=2.0, w=1.0, lam=0.0, draws=3, seed=0, progress=False,
               reference="exact finite-n")
    with pytest.raises(ValueError, match="reference must be"):
        verify(n=24, gamma=2.0, w=1.0, lam=0.0, draws=3, seed=0, reference="tolerance")
    with pytest.raises(ValueError, match="ladder"):
        verify(n=24, gamma=2.0, w=1.0, lam=0.1, draws=3, seed=0, ladder=(0.5, 0.9))
