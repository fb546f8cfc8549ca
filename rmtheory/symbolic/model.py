r"""The model, reduced to one eigen-direction of the sample covariance.

Write ``X = √n U diag(√d_i) Vᵀ``. The fitting map
``A_λ = (XᵀX + nλI)⁻¹Xᵀ`` is diagonal in these bases, so every
iteration of the retraining loop acts on each coordinate
``b_i = v_iᵀ β̂`` separately:

.. math::

    b_t = A\bigl(w (\sqrt{nd}\,\beta_i + \varepsilon_t)
          + (1-w)(\sqrt{nd}\, b_{t-1} + \tilde\varepsilon_t)\bigr),
    \qquad A = \frac{\sqrt{nd}}{nd + n\lambda}.

Everything in :mod:`rmtheory.symbolic` starts from :func:`one_step`, which
builds this expression, and from :func:`moments_of_step`, which takes its
mean and variance. The means and variances are computed by linearity
(a linear form in independent variables), which is exact here.
"""
from functools import lru_cache
from typing import NamedTuple

import sympy as sp

from .symbols import beta_i, d, kappa_s, lam, n, q, sigma2, w

__all__ = ["fitting_gain", "one_step", "moments_of_step", "StepMoments",
           "rho", "noise_gain"]

#: the previous coordinate's mean and variance, and the two fresh noises
_mu_prev = sp.Symbol("mu_prev", real=True)
_var_prev = sp.Symbol("V_prev", nonnegative=True)
_eps_real = sp.Symbol("epsilon_t", real=True)
_eps_synth = sp.Symbol("tilde_epsilon_t", real=True)
_b_prev = sp.Symbol("b_prev", real=True)


def fitting_gain(penalty=lam):
    """Return ``A`` restricted to one singular direction ``√(nd)``.

    ``penalty=0`` gives the pseudo-inverse ``1/√(nd)`` (min-norm
    interpolation for ``p > n``, OLS for ``p < n``) on a direction with
    ``d > 0``.

    Examples
    --------
    >>> from rmtheory.symbolic.model import fitting_gain
    >>> from rmtheory.symbolic.symbols import d, n
    >>> fitting_gain(0)
    1/(sqrt(d)*sqrt(n))
    """
    singular_value = sp.sqrt(n * d)
    return singular_value / (singular_value**2 + n * penalty)


def one_step(penalty=lam):
    """The coordinate ``b_t`` after one refit, as an expression in
    ``b_prev``, ``β_i`` and the two fresh label noises."""
    singular_value = sp.sqrt(n * d)
    real_labels = singular_value * beta_i + _eps_real
    synthetic_labels = singular_value * _b_prev + _eps_synth
    return fitting_gain(penalty) * (w * real_labels + q * synthetic_labels)


class StepMoments(NamedTuple):
    """Mean and variance of ``b_t`` given those of ``b_{t-1}``."""
    mean: sp.Expr
    variance: sp.Expr
    mu_prev: sp.Symbol
    var_prev: sp.Symbol


@lru_cache(maxsize=None)
def moments_of_step(penalty=lam):
    r"""Mean and variance maps of one retraining step.

    ``b_{t-1}``, ``ε_t`` (variance ``σ²``) and ``ε̃_t`` (variance
    ``κ_s σ²``) are independent: the fresh noises are drawn after
    ``b_{t-1}`` is fixed. For a linear form ``L = Σ c_k X_k`` of independent
    variables, ``E L = Σ c_k E X_k`` and ``Var L = Σ c_k² Var X_k``.
    """
    step = one_step(penalty)
    variables = {_b_prev: (_mu_prev, _var_prev),
                 _eps_real: (0, sigma2),
                 _eps_synth: (0, kappa_s * sigma2)}
    for x in variables:  # the step must be affine in every random input
        if sp.simplify(sp.diff(step, x, 2)) != 0:
            raise AssertionError(f"one_step is not linear in {x}")
    mean = step.subs({x: mu for x, (mu, _) in variables.items()})
    var = sum(sp.diff(step, x)**2 * v for x, (_, v) in variables.items())
    return StepMoments(sp.simplify(mean), sp.simplify(var), _mu_prev, _var_prev)


def rho(penalty=lam):
    """Shrinkage ``ρ(d) = A·√(nd) = d/(d + λ)`` of one fit."""
    return sp.simplify(fitting_gain(penalty) * sp.sqrt(n * d))


def noise_gain(penalty=lam):
    """``A² = d / (n (d + λ)²)``: variance of ``Aε`` per unit noise."""
    return sp.simplify(fitting_gain(penalty)**2)
