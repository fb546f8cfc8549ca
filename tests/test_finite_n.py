"""Issue 3's direct finite-n check of `limiting_risk`.

For each spectrum model, the exact conditional risk given X (SPEC §2,
one Gram eigendecomposition per draw) is averaged over a few independent
draws of (X, β) at n = 400; the limiting risk must lie within Monte Carlo
error of that mean. The statistic is z = (mean − theory)/(sd/√draws).
"""
import numpy as np
import pytest

import rmtheory as rt
from rmtheory.montecarlo import ConditionalRisk, make_problem

N, GAMMA, DRAWS = 400, 2.0, 6
POINTS = [(0.5, 0.0), (0.618, 0.5), (1.0, 0.5)]
MODELS = ["isotropic", "discrete", "random_effects", "spiked", "equicorrelated", "ar1",
          "uniform"]


def _draws(name):
    rng = np.random.default_rng(20261127)
    out = []
    for _ in range(DRAWS):
        pr = make_problem(name, n=N, gamma=GAMMA, rng=rng)
        cr = ConditionalRisk(pr.X, pr.beta, pr.Sigma)
        out.append([cr.risk(w, lam) for w, lam in POINTS])
    return np.array(out)


@pytest.mark.parametrize("name", MODELS)
def test_limiting_risk_within_monte_carlo_error(name):
    risks = _draws(name)
    mean, se = risks.mean(axis=0), risks.std(axis=0, ddof=1) / np.sqrt(DRAWS)
    for (w, lam), m, s in zip(POINTS, mean, se):
        theory = float(rt.limiting_risk(w, name, gamma=GAMMA, lam=lam, dps=15))
        z = (m - theory) / s
        assert abs(z) < 4, f"{name} w={w} lam={lam}: theory {theory:.5f}, MC {m:.5f} ± {s:.5f}, z={z:.2f}"
