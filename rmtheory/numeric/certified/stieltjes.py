r"""``m(z)`` on the physical branch, enclosed, with the branch proved.

As in :mod:`rmtheory.numeric.fixed_point`, ``m`` is eliminated for the
companion ``v = γm − (1−γ)/z`` (SymPy, from
:data:`rmtheory.symbolic.general.companion_from_m` and the Silverstein
integrand), which solves

.. math::

    z(v) = z, \qquad z(v) = A(v) + B(v)\,K(v), \qquad
    K(v) = \int\frac{dH(s)}{1 + sv}, \qquad m = m(K, z).

For ``Im z > 0`` a complex Krawczyk test on a square ``V`` around a
candidate proves that ``V`` holds exactly one root of ``z(v) = z``; if
moreover ``Im v > 0`` on all of ``V``, that root is *the* physical one:
Silverstein & Bai (1995) show the equation has exactly one root with
``Im v > 0``. (``z̄`` gives the conjugate.) On the negative axis,
``v(−λ) = 1/κ(λ)`` with ``κ`` enclosed by :func:`.kappa.enclose_kappa`,
whose root is unique in ``(0, ∞)``. Real ``z > 0`` (the boundary value
on the support or a real root beside it) is not certified here.
"""
import functools

import sympy as sp

from .balls import CertificationError, require_flint
from .kappa import enclose_kappa, krawczyk

__all__ = ["stieltjes_forms", "enclose_stieltjes"]


@functools.lru_cache(maxsize=None)
def stieltjes_forms():
    """``z(v)``, ``z'(v)``, ``m(K, z)`` and the integrands ``k(s, v)``, ``∂_v k``
    derived as in :func:`rmtheory.numeric.fixed_point._fns`, as ball functions."""
    from ...symbolic import general
    from ...symbolic.symbols import gamma, m, v, z
    from .balls import lambdify_ball
    K, dK = sp.symbols("K dK")
    m_of_v = sp.solve(sp.Eq(general.companion_from_m, v), m)[0]
    integrand_v = sp.simplify(general.stieltjes_integrand.subs(m, m_of_v))
    k = sp.simplify(-z * integrand_v)                     # 1/(1 + s v)
    if z in k.free_symbols:  # pragma: no cover - guards the derivation
        raise ArithmeticError("the Silverstein integrand does not factor as k(s, v)/z")
    m_of_K = sp.simplify(integrand_v / k) * K
    z_of_v = sp.solve(sp.Eq(m_of_v, m_of_K), z)[0]
    A, B = sp.factor(z_of_v.subs(K, 0)), sp.factor(sp.diff(z_of_v, K))
    if sp.simplify(A + B * K - z_of_v) != 0:  # pragma: no cover
        raise ArithmeticError("z(v) is not affine in K")
    return dict(
        z_of_v=lambdify_ball((v, gamma, K), A + B * K),
        dz=lambdify_ball((v, gamma, K, dK), sp.diff(A, v) + sp.diff(B, v) * K + B * dK),
        m_of_K=lambdify_ball((K, z), m_of_K),
        m_of_v=lambdify_ball((v, z, gamma), m_of_v),
        k=k, dk=sp.diff(k, v), v=v)


def enclose_stieltjes(z, H, gamma, prec, *, candidate=None, spectrum=None):
    """An acb holding ``m(z)`` (``z`` an acb, ``gamma`` an arb). ``candidate``
    is an approximate companion ``v`` (else one is computed with the
    uncertified solver at 53 bits from ``spectrum``); it is refined by
    Newton's method and then proved."""
    flint = require_flint()
    F = stieltjes_forms()
    if z.imag.is_zero():
        x = -z.real
        if not x > 0:
            raise NotImplementedError("certify=True for m(z) covers Im z != 0 and the "
                                      "negative real axis; received a real z >= 0 (the "
                                      "boundary value on the support)")
        kappa = enclose_kappa(x, H, gamma, prec)
        m = F["m_of_v"](1 / kappa, z.real, gamma)
        return flint.acb(m, 0)
    if z.imag < 0:
        return enclose_stieltjes(z.conjugate(), H, gamma, prec, candidate=None if candidate
                                 is None else candidate.conjugate(), spectrum=spectrum).conjugate()
    if not z.imag > 0:
        raise CertificationError(f"the sign of Im z = {z.imag} is not decided")

    def f(v):
        return F["z_of_v"](v, gamma, H.integrate(F["k"], v, F["v"])) - z

    def df(v):
        return F["dz"](v, gamma, H.integrate(F["k"], v, F["v"]),
                       H.integrate(F["dk"], v, F["v"]))
    v = _candidate(z, gamma, spectrum) if candidate is None else candidate
    v = flint.acb(v.mid())
    for _ in range(100):
        step = (f(v) / df(v)).mid()
        v = (v - step).mid()
        if abs(step) <= abs(v) * flint.arb(2)**(8 - prec):
            break
    else:
        raise CertificationError("m(z): Newton's method on z(v) = z did not converge")
    fv = f(v)
    r = 4 * (abs(fv.mid()) + abs(fv).rad()) / abs(df(v).mid()) + abs(v) * flint.arb(2)**(8 - prec)
    for _ in range(3):
        try:
            V, X, _ = krawczyk(f, df, v, r.mid() + r.rad(), what="m(z)")
            break
        except CertificationError:
            r = 16 * r
    else:
        V, X, _ = krawczyk(f, df, v, r.mid() + r.rad(), what="m(z)")
    if not X.imag > 0:
        raise CertificationError(f"m(z): the box {X} of the root is not inside Im v > 0, so "
                                 "the root is not proved to be the physical one")
    return F["m_of_K"](H.integrate(F["k"], V, F["v"]), z)


def _candidate(z, gamma, spectrum):
    """``v(z)`` from the uncertified solver at 53 bits (a starting point only)."""
    flint = require_flint()
    if spectrum is None:
        raise ValueError("a candidate or a spectrum is needed")
    from ..context import mp, private_context
    from ..fixed_point import _stieltjes
    from .balls import mid_mpf
    with private_context(), mp.workprec(53):
        zz = mp.mpc(mid_mpf(z.real), mid_mpf(z.imag))
        _, v = _stieltjes(zz, spectrum, mp.mpf(mid_mpf(gamma)))
        return flint.acb(complex(v))
