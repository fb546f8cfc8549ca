r"""Balls (FLINT's ``arb``/``acb`` through python-flint): inputs, SymPy
expressions and measures, rigorously.

A ball ``[m ± r]`` is a set that provably contains the number it stands
for; every operation on balls returns a ball containing every result of
the operation on members of its operands. Three conversions make the
limit theory's expressions computable that way:

* :func:`ball` reads an input as :func:`rmtheory.numeric.precision.to_mpf`
  reads it — ``0.1`` means ``1/10`` — but into a ball that contains the
  number it denotes exactly (an exact ball for ints, dyadic mpf, binary
  floats' decimals that are dyadic; a tight ball around ``1/10``);
* :func:`lambdify_ball` turns a SymPy expression of
  :mod:`rmtheory.symbolic` into a function of balls (``sympy.lambdify``
  with the mpmath printer, its names bound to ball functions) — the same
  expressions the mpmath layer evaluates, never retyped;
* :func:`ball_measures` gives the measures ``H`` and ``G`` of a
  :class:`~rmtheory.numeric.spectra.Spectrum` as ball measures: atoms
  exactly, ``ar1`` and ``uniform`` through the closed-form resolvent
  moments ``M_k(κ) = ∫ dμ/(s+κ)^k`` derived by SymPy in
  :func:`rmtheory.numeric.spectra._transform_lambdas`.

FLINT's working precision is one process-wide setting
(``flint.ctx.prec``): :func:`working_precision` holds a lock while it is
changed, so certified calls from several threads run one at a time and
never see each other's precision.

Examples
--------
>>> import mpmath
>>> from rmtheory.numeric.certified.balls import ball, from_mpf, working_precision
>>> with working_precision(100):     # 0.1 is 1/10, not the double nearest to it
...     tenth = ball("x", 0.1)
...     print((10 * tenth).contains(1), tenth.contains(from_mpf(mpmath.mpf(0.1))))
True False
"""
import contextlib
import decimal
import functools
import numbers
import threading

import mpmath
import sympy as sp

__all__ = ["require_flint", "working_precision", "ball", "ball_complex", "from_mpf",
           "mid_mpf", "endpoints", "lambdify_ball", "ball_measures", "BallAtoms",
           "BallLaw", "CertificationError", "relative_radius"]

INSTALL_HINT = 'pip install "rmtheory[certified]"'


class CertificationError(ArithmeticError):
    """A certificate could not be established: an inclusion test failed
    (the candidate is not the root of the given equation, a derivative is
    inconsistent, a sign is undecided) or the enclosure stays too wide."""


def require_flint():
    """The ``flint`` module, or ``ImportError`` saying how to install it."""
    try:
        import flint
    except ImportError as exc:
        raise ImportError(f"certify=True needs python-flint: {INSTALL_HINT}") from exc
    if flint is None:                      # sys.modules["flint"] = None blocks it too
        raise ImportError(f"certify=True needs python-flint: {INSTALL_HINT}")
    return flint


_LOCK = threading.RLock()


@contextlib.contextmanager
def working_precision(prec):
    """Run a block with ``flint.ctx.prec = prec`` bits, under the lock
    (re-entrant), restoring the previous precision on exit."""
    flint = require_flint()
    with _LOCK:
        saved = flint.ctx.prec
        flint.ctx.prec = int(prec)
        try:
            yield flint
        finally:
            flint.ctx.prec = saved


def from_mpf(x):
    """An mpf (any context) as the exact ball of its binary value."""
    flint = require_flint()
    sign, man, exp, _ = x._mpf_
    if not man:
        if exp or sign:       # inf or nan
            raise ValueError(f"cannot make a ball of {x}")
        return flint.arb(0)
    return flint.arb((flint.fmpz(-man if sign else man), flint.fmpz(exp)))


def mid_mpf(b):
    """The midpoint of an arb, exactly, as a ``mpmath.mpf``."""
    man, exp = b.mid().man_exp()
    # from_man_exp without a precision is exact (mpf((man, exp)) would round
    # to the global context's precision)
    return mpmath.mp.make_mpf(mpmath.libmp.from_man_exp(int(man), int(exp)))


def endpoints(b):
    """``(lo, hi)`` of an arb as ``mpmath.mpf``, exact (the ends of the ball)."""
    return mid_mpf(b.lower()), mid_mpf(b.upper())


def relative_radius(b):
    """``rad/|mid|`` as a float (``inf`` for a ball around 0 that is not 0)."""
    if b.is_exact():
        return 0.0
    mid = abs(float(mid_mpf(b)))
    rad = float(mid_mpf(b.rad()))
    return rad / mid if mid else float("inf")


def ball(name, value):
    """A real input as a ball containing the number it denotes.

    The convention of :func:`~rmtheory.numeric.precision.to_mpf`: ints,
    rationals, ``Decimal``, SymPy numbers and mpf exactly; a binary float
    as the shortest decimal that rounds to it (``0.1`` is ``1/10``);
    booleans refused. A ball may be passed through.
    """
    flint = require_flint()
    if isinstance(value, flint.arb):
        return value
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, received bool {value!r}")
    if isinstance(value, float):
        return flint.arb(float.__repr__(value))
    if isinstance(value, numbers.Integral):
        return flint.arb(int(value))
    if isinstance(value, numbers.Rational):
        return flint.arb(int(value.numerator)) / int(value.denominator)
    if isinstance(value, decimal.Decimal):
        return flint.arb(str(value))
    if hasattr(value, "_mpf_") and not isinstance(value, sp.Basic):
        return from_mpf(value)
    if isinstance(value, sp.Basic):
        if value.free_symbols:
            raise TypeError(f"{name} must be a number, received the symbolic {value}")
        result = lambdify_ball((), value)()
        if isinstance(result, flint.acb):
            if not result.imag.is_zero():
                raise ValueError(f"{name} must be real, received {value}")
            result = result.real
        return flint.arb(result)
    try:
        import numpy as np
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return ball(name, value[()])
        if isinstance(value, np.floating):
            return flint.arb(np.format_float_scientific(value, unique=True))
        if isinstance(value, np.integer):
            return flint.arb(int(value))
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"{name} must be a real number, received {type(value).__name__} {value!r}")


def ball_complex(name, value):
    """A real or complex input as an ``acb`` (each part read as :func:`ball`)."""
    flint = require_flint()
    if isinstance(value, flint.acb):
        return value
    if hasattr(value, "_mpc_") and not isinstance(value, sp.Basic):
        return flint.acb(from_mpf(value.real), from_mpf(value.imag))
    if isinstance(value, sp.Basic):
        re, im = value.as_real_imag()          # a Float part is read exactly
        return flint.acb(ball(name, re), ball(name, im))
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        return flint.acb(ball(name, value.real), ball(name, value.imag))
    return flint.acb(ball(name, value))


# --------------------------------------------------------------------------
# SymPy expressions as functions of balls
# --------------------------------------------------------------------------

def _number(value):
    flint = require_flint()
    return flint.arb(value)


def _unary(method):
    def apply(x):
        flint = require_flint()
        if isinstance(x, (int, float)):
            x = flint.arb(x)
        return getattr(x, method)()
    return apply


def _namespace():
    flint = require_flint()

    def pi():
        return flint.arb.pi()
    return {"mpf": _number, "mpc": flint.acb, "sqrt": _unary("sqrt"), "log": _unary("log"),
            "log1p": _unary("log1p"), "exp": _unary("exp"), "expm1": _unary("expm1"),
            "sin": _unary("sin"), "cos": _unary("cos"), "conjugate": _unary("conjugate"),
            "fabs": abs, "abs": abs, "pi": pi, "exact": _exact}


@functools.lru_cache(maxsize=None)
def lambdify_ball(args, expr, *, cse=False):
    """``expr`` (a SymPy expression in the symbols ``args``) as a Python
    function of balls: SymPy's mpmath code printer, its names (``mpf``,
    ``sqrt``, ``log1p``, ...) bound to ball arithmetic. Rationals print as
    ``mpf(p)/mpf(q)``, an exact ball divided by an exact ball, so nothing is
    rounded without a radius to show it. ``pi`` is refused (its printed
    name would be a constant of one precision). ``cse=True``: common
    subexpressions computed once (4–6 times faster on the large
    second-order forms; the same value as a set: each subexpression is one
    ball either way)."""
    if expr.has(sp.pi):
        raise NotImplementedError("expressions with pi are not lambdified to balls")
    return sp.lambdify(args, expr, modules=[_namespace()], printer=_printer(), cse=cse)


@functools.lru_cache(maxsize=None)
def _printer():
    from sympy.printing.pycode import MpmathPrinter

    class BallPrinter(MpmathPrinter):
        """The mpmath printer, with a SymPy ``Float`` printed as the exact
        ball of its binary value (``exact(man, exp)``) instead of a
        decimal string of one precision."""
        def _print_Float(self, e):
            sign, man, exp, _ = e._mpf_
            return f"exact({-man if sign else man}, {exp})"

    return BallPrinter({"fully_qualified_modules": False, "inline": True,
                        "allow_unknown_functions": True, "user_functions": {}})


def _exact(man, exp):
    flint = require_flint()
    return flint.arb((flint.fmpz(man), flint.fmpz(exp)))


# --------------------------------------------------------------------------
# measures
# --------------------------------------------------------------------------

class BallAtoms:
    """``Σ_j h_j δ_{s_j}`` with balls ``s_j``, ``h_j`` (exact when the inputs are)."""
    discrete = True

    def __init__(self, locations, weights):
        flint = require_flint()
        total = sum(weights, flint.arb(0))
        # the model's weights sum to 1 within 1e-12 and are renormalised,
        # as the mpmath measure does; zero weights are dropped
        self.locations = tuple(s for s, h in zip(locations, weights) if not h.is_zero())
        self.weights = tuple(h / total for h in weights if not h.is_zero())

    def integrate(self, integrand, value, variable=None):
        """``∫ f(s, x) dμ(s)`` at ``x = value`` for ``integrand`` a SymPy
        expression in ``s`` and ``variable`` (default ``κ``)."""
        if len(self.locations) <= FUSED_ATOMS:
            return self.integrate_many((integrand,), value, variable)[0]
        f = _integrand_function(integrand, variable)
        terms = [h * f(s, value) for s, h in zip(self.locations, self.weights)]
        return sum(terms[1:], terms[0])

    def integrate_many(self, integrands, value, variable=None):
        """``(∫ f₁ dμ, ∫ f₂ dμ, …)`` at one ``x = value``: up to
        :data:`FUSED_ATOMS` atoms one lambdified function of ``x`` and the
        atoms (SymPy's common subexpressions, such as ``1/(s_j + κ)``,
        computed once), instead of one Python call per atom and integrand."""
        integrands = tuple(integrands)
        n = len(self.locations)
        if n > FUSED_ATOMS:
            return tuple(self.integrate(f, value, variable) for f in integrands)
        f = _fused_function(integrands, n, variable)
        return f(value, *self.locations, *self.weights)

    def support(self):
        return min(self.locations, key=mid_mpf), max(self.locations, key=mid_mpf)

    def member(self):
        """The measure at the midpoints of its atoms' balls (exact numbers,
        not renormalised: one member of the ball measure). The derivative
        cross-check evaluates its divided difference there — with the balls
        themselves, atoms read from decimals (radius ``2^-prec``) blur a
        quotient over a ball of width ``2^(8-prec)`` to ~``2^-8`` relative,
        and a derivative that is wrong by less than that passed."""
        out = BallAtoms.__new__(BallAtoms)
        out.locations = tuple(s.mid() for s in self.locations)
        out.weights = tuple(h.mid() for h in self.weights)
        return out

    def shifted(self, index, amount):
        """A copy with atom ``index`` moved by ``amount`` (for tests that
        corrupt a step on purpose)."""
        locations = list(self.locations)
        locations[index] = locations[index] + amount
        return BallAtoms(locations, list(self.weights))


class BallLaw:
    """A continuous law with a closed-form first resolvent moment
    ``M_1(κ) = ∫ dμ/(s+κ)`` (a SymPy expression in ``κ`` and the law's
    parameters), from which every integrand of the theory — a rational
    function of ``s`` with its poles at ``s = −κ`` — is integrated:
    partial fractions in ``s`` give ``c_0 + Σ_k c_k/(s+κ)^k``, and
    ``M_{k+1} = −M_k'/k`` by differentiation (SymPy)."""
    discrete = False

    def __init__(self, name, m1, parameters, support):
        self.name = name
        self._m1 = m1                        # SymPy, in KAPPA and the parameter symbols
        self._symbols = tuple(parameters)    # ((symbol, ball), ...)
        self._support = support

    def integrate(self, integrand, value, variable=None):
        """``∫ f(s, x) dμ(s)`` at ``x = value``: the partial fractions of ``f``
        in ``s`` (one pole ``s = −p(x)``) against the moments at ``κ = p(x)``."""
        form, powers, pole = _moment_form(integrand, variable)
        kappa = _pole_function(pole, variable)(value)
        values = [self._moment(k, kappa) for k in powers]
        return _moment_evaluator(form, powers, variable)(value, *values)

    def _moment(self, order, kappa):
        return _moment_function(self._m1, tuple(sym for sym, _ in self._symbols), order)(
            kappa, *(value for _, value in self._symbols))

    def support(self):
        return self._support


#: the (complex) variable of the resolvent moments
KAPPA = sp.Symbol("kappa_c")


@functools.lru_cache(maxsize=None)
def _moment_function(m1, symbols, order):
    return lambdify_ball((KAPPA,) + symbols, _moment_expr(m1, order))


@functools.lru_cache(maxsize=None)
def _moment_expr(m1, order):
    expr = m1
    for k in range(1, order):
        expr = -sp.diff(expr, KAPPA) / k
    return expr


def _variable(variable):
    from ...symbolic.symbols import kappa
    return kappa if variable is None else variable


#: measures with at most this many atoms integrate through one fused function
FUSED_ATOMS = 32


@functools.lru_cache(maxsize=None)
def _fused_function(integrands, n, variable=None):
    """``(x, s_1..s_n, h_1..h_n) ↦ (Σ_j h_j f_i(s_j, x))_i`` as one function of
    balls (``sympy.lambdify`` with ``cse=True``)."""
    from ...symbolic.symbols import s
    x = _variable(variable)
    atoms = sp.symbols(f"s_atom0:{n}", positive=True)
    weights = sp.symbols(f"h_atom0:{n}", positive=True)
    sums = [sp.Add(*[h * f.subs(s, a) for a, h in zip(atoms, weights)]) for f in integrands]
    return sp.lambdify((x,) + atoms + weights, sums, modules=[_namespace()],
                       printer=_printer(), cse=True)


@functools.lru_cache(maxsize=None)
def _integrand_function(integrand, variable=None):
    from ...symbolic.symbols import s
    return lambdify_ball((s, _variable(variable)), integrand)


@functools.lru_cache(maxsize=None)
def _pole_function(pole, variable=None):
    return lambdify_ball((_variable(variable),), pole)


@functools.lru_cache(maxsize=None)
def _moment_form(integrand, variable=None):
    """``integrand(s, x)`` as ``c_0(x) + Σ_k c_k(x) M_k(p(x))`` with
    ``M_k(κ) = ∫ dμ/(s+κ)^k`` (SymPy, exact, checked by recombination):
    returns the expression in ``x`` and the symbols ``M_k``, the orders
    ``k``, and the pole ``p(x)`` (all poles of the integrand at ``s = −p``)."""
    from ...symbolic.symbols import s
    expr = sp.apart(sp.together(integrand), s)
    total, orders, pole = sp.Integer(0), [], None
    for term in sp.Add.make_args(expr):
        num, den = sp.fraction(sp.factor(term))
        if s not in den.free_symbols:
            if s in num.free_symbols:
                raise ArithmeticError(f"{integrand} is not a proper rational function of s "
                                      f"plus a constant: term {term}")
            total += term
            continue
        factors = [f for f in sp.Mul.make_args(den) if s in f.free_symbols]
        rest = sp.Mul(*[f for f in sp.Mul.make_args(den) if s not in f.free_symbols])
        if len(factors) != 1:
            raise ArithmeticError(f"several poles in {term}")
        base, order = factors[0].as_base_exp()
        poly = sp.Poly(base, s)
        if poly.degree() != 1 or s in num.free_symbols:
            raise ArithmeticError(f"the term {term} is not c/(s + p)^k")
        lead, const = poly.all_coeffs()
        this_pole = sp.simplify(const / lead)
        if pole is None:
            pole = this_pole
        elif sp.simplify(this_pole - pole) != 0:
            raise ArithmeticError(f"{integrand} has poles at two points")
        orders.append(int(order))
        total += num / (rest * lead**order) * sp.Symbol(f"M_{int(order)}")
    orders = tuple(sorted(set(orders)))
    pole = sp.Integer(0) if pole is None else pole
    check = total.subs({sp.Symbol(f"M_{k}"): 1 / (s + pole)**k for k in orders})
    if sp.simplify(check - integrand) != 0:  # pragma: no cover - guards the algebra
        raise ArithmeticError(f"partial fractions of {integrand} do not add up")
    return total, orders, pole


@functools.lru_cache(maxsize=None)
def _moment_evaluator(form, orders, variable=None):
    return lambdify_ball((_variable(variable),) + tuple(sp.Symbol(f"M_{k}") for k in orders),
                         form)


@functools.lru_cache(maxsize=None)
def _law_moments():
    """``M_1`` of the ``ar1`` and ``uniform`` laws from the closed forms of
    :func:`rmtheory.numeric.spectra._transform_lambdas` (``I_1 = 1 − κM_1``
    for ``ar1``; ``uniform_M1`` itself), as SymPy in ``KAPPA, a, b``."""
    from ..spectra import _transform_lambdas
    forms = _transform_lambdas()["expressions"]
    k = sp.Symbol("kappa")
    a, b = sp.symbols("a b", positive=True)
    M1 = sp.Symbol("M_1")
    (m1_of_i1,) = sp.solve(sp.Eq(forms["I1"], sp.Symbol("I_1")), M1)
    ar1 = m1_of_i1.subs(sp.Symbol("I_1"), forms["ar1_I1"]).subs(k, KAPPA)
    uniform = forms["uniform_M1"].subs(k, KAPPA)
    return {"ar1": (ar1, (a, b)), "uniform": (uniform, (a, b))}


def ball_measures(spec):
    """``(H, G)`` of ``spec`` as ball measures (:class:`BallAtoms` or
    :class:`BallLaw`), built from its parameters by the model's definition
    (SPEC §3), every input read by :func:`ball`.

    A density given as a Python function (``Spectrum.from_density``) has no
    ball evaluation: ``NotImplementedError``.
    """
    name, p = spec.name, spec.params
    one = ball("one", 1)
    if name == "isotropic":
        H = BallAtoms([one], [one])
        return H, H
    if name in ("discrete", "atoms") or (name == "random_effects" and "law" not in p):
        eigs = [ball("eigs", x) for x in p["eigs"]]
        H = BallAtoms(eigs, [ball("weights", x) for x in p["weights"]])
        signal = p.get("signal_weights")
        if signal is None or tuple(signal) == tuple(p["weights"]):
            return H, H
        return H, BallAtoms(eigs, [ball("signal_weights", x) for x in signal])
    if name == "random_effects":
        law_H, _ = ball_measures(p["law"])
        return law_H, law_H
    if name == "sample":
        from collections import Counter
        counts = Counter(p["eigenvalues"])
        n = len(p["eigenvalues"])
        H = BallAtoms([ball("eigenvalues", x) for x in counts],
                      [ball("n", counts[x]) / n for x in counts])
        return H, H
    if name == "spiked":
        alphas = [ball("alignments", x) for x in p["alignments"]]
        rest = one - sum(alphas, ball("zero", 0))
        if rest < 0:
            rest = ball("zero", 0)
        elif not rest >= 0:
            # Σα² = 1 up to the 1e-12 tolerance of the model: the weight of
            # δ₁ in G is max(0, 1 − Σα²), undecided in sign here
            rest = rest.nonnegative_part() if hasattr(rest, "nonnegative_part") else rest
        H = BallAtoms([one], [one])
        G = BallAtoms([one] + [one + ball("spikes", t) for t in p["spikes"]], [rest] + alphas)
        return H, G
    if name == "equicorrelated":
        H = BallAtoms([one - ball("rho", p["rho"])], [one])
        return H, H
    if name in ("ar1", "uniform"):
        m1, (a, b) = _law_moments()[name]
        if name == "ar1":
            rho = abs(ball("rho", p["rho"]))
            lo, hi = (one - rho) / (one + rho), (one + rho) / (one - rho)
        else:
            lo, hi = ball("a", p["a"]), ball("b", p["b"])
        H = BallLaw(name, m1, ((a, lo), (b, hi)), (lo, hi))
        return H, H
    raise NotImplementedError(f"certify=True is not available for spectrum {name!r} "
                              f"(a density given as a Python function has no ball "
                              f"evaluation); use atoms, 'ar1' or 'uniform'")
