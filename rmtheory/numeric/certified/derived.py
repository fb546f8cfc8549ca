r"""The second-order forms of :mod:`rmtheory.symbolic.certified_forms`
(``κ''``, ``κ'''``, ``B''``, ``∂²R/∂w²``, the variance and the slope in the
divided difference ``Δ``, the bias floor of the tail) as functions of balls.

The derivation is the symbolic layer's; this module only lambdifies it.
"""
import functools

from .balls import lambdify_ball

__all__ = ["second_order_forms"]


@functools.lru_cache(maxsize=None)
def second_order_forms():
    """Ball functions: ``kappa_pp(γ, I2κ, κ', D)``, ``bias_pp(κ, r², γ, J, I₂, J_κ,
    I₂κ, J_κκ, I₂κκ, κ', κ'', D)``, ``d2total_dw2(w, λ, σ², κ_s, κ_a, κ_b, B'_a,
    κ'_a, κ'_b, B''_a, κ''_a, κ''_b)``, ``variance_dd(w, σ², κ_s, Δ)``,
    ``slope_dd``, ``slope_near_1``, ``kappa_ppp``, ``bias_floor(κ, r², γ, J, I₂)``;
    and the SymPy integrands of ``J_κκ``, ``I₂κκ`` (for the ball measures).

    Examples
    --------
    >>> from rmtheory.numeric.certified.balls import working_precision
    >>> from rmtheory.numeric.certified.derived import second_order_forms
    >>> with working_precision(64) as flint:
    ...     print(second_order_forms()["bias_floor"](flint.arb(2), 1, 1, flint.arb(1) / 4, 0))
    1.00000000000000
    """
    from ...symbolic.certified_forms import D2, derive_certified_forms
    from ..compiled import one_minus_df2
    if D2 != one_minus_df2:  # pragma: no cover - the two layers must share the symbol
        raise ArithmeticError("the symbolic D_2 is not the numeric layer's 1 - df2 symbol")
    forms = derive_certified_forms()
    out = {name: lambdify_ball(args, getattr(forms, name), cse=True)
           for name, args in forms.args.items()}
    out["bias_integrand_dkappa2"] = forms.bias_integrand_dkappa2
    out["df2_integrand_dkappa2"] = forms.df2_integrand_dkappa2
    return out
