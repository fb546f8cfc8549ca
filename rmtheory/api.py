"""The public contract of SPEC §4: ``kappa``, ``stieltjes``,
``limiting_risk``, ``optimal_w`` (plus ``critical_lambda`` and
``w_star_curve``).

Every function converts and validates its input once, computes with
guard digits in the calling thread's **private** mpmath context
(:mod:`rmtheory.numeric.context`: ``mpmath.mp`` is never read or
written, so concurrent calls from threads give the results of solo calls
and a caller's own mpmath code is undisturbed), confirms the digits it
returns by re-evaluating at a higher precision — relative to the size of
each number, whatever its magnitude — and rounds to ``dps`` on return.

Every real argument, scalar or spectrum parameter, is read the same way
(:func:`rmtheory.numeric.precision.to_mpf`): ints, ``Fraction``,
``Decimal``, SymPy numbers and ``mpf`` exactly; a binary float (Python or
NumPy, any width) as the shortest decimal that rounds to it, so ``0.1``
means ``1/10``. Booleans are refused.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Optional, Union

import numpy as np

from ._arrays import broadcast, check_backend, element, float_array, is_array
from ._results import (ResultBase, _canonical_params, canonical, canonical_enclosures,
                       display_digits, short)
from ._validation import check_complex, check_dps, check_int, check_real, check_weight
from .numeric.compiled import MAX_STEPS
from ._arrays import BACKENDS
from .numeric.context import add_at, div_at, export, is_mpc, mp, private_context, sub_at
from .numeric.fixed_point import solve_kappa, solve_stieltjes
from .numeric.precision import NoConvergence, to_mpc, to_mpf
from .numeric.optimize import critical_lambda as _critical_lambda
from .numeric.optimize import check_optimum_exists, optimal_weight, _extra_bits
from .numeric.risk import risk_parts
from .numeric.schemes import dynamic_schedule, scheme_risk
from .numeric.spectra import SPECTRUM_DEFAULTS, Spectrum, check_parameter_names, make_spectrum
from .numeric.fast_arrays import (critical_lambda_arrays, kappa_arrays, optimal_w_arrays,
                                  risk_arrays)

if TYPE_CHECKING:
    import numpy.typing as npt

#: a real number or an array-like of them (broadcast by NumPy's rules)
ArrayLike = Union[float, int, "npt.ArrayLike", Any]
#: a spectrum model's name or a :class:`~rmtheory.numeric.Spectrum`
SpectrumLike = Union[str, Spectrum]

__all__ = ["kappa", "stieltjes", "limiting_risk", "optimal_w", "critical_lambda",
           "w_star_curve", "RiskResult", "OptimalWeight", "PrecisionError", "SCHEMES",
           "BACKENDS"]

#: guard digits for the working precision, and the extra digits of the check
GUARD_DIGITS = 10
CHECK_DIGITS = 15


class PrecisionError(NoConvergence):
    """Two evaluations at different precisions disagree in the digits that
    would be returned.

    Every number is computed at ``dps + 10`` and again at ``dps + 25``
    digits; the two must agree to ``dps − 5`` significant digits, relative
    to the size of each number. An ``ArithmeticError`` (via
    :class:`~rmtheory.numeric.NoConvergence`): the message says which
    result disagreed and suggests a larger ``dps``.

    Examples
    --------
    >>> import rmtheory as rt
    >>> issubclass(rt.PrecisionError, ArithmeticError)
    True
    """


def _isolated(function):
    """Run a public function in the thread's private mpmath context."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with private_context():
            return function(*args, **kwargs)
    return wrapper


def _agree(x, y, tol):
    """``x`` and ``y`` agree to the relative tolerance ``tol`` (each part of a
    complex number relative to itself); an exact zero only agrees with an
    exact zero, an infinity with the same infinity."""
    if is_mpc(x) or is_mpc(y):
        return _agree(mp.re(x), mp.re(y), tol) and _agree(mp.im(x), mp.im(y), tol)
    if x == y:
        return True
    if not (mp.isfinite(x) and mp.isfinite(y)):
        return False
    return abs(x - y) <= tol * abs(x)


def _confirmed(compute, dps, what, refine=None):
    """Run ``compute()`` at ``dps + guard`` and again at ``dps + guard +
    check`` digits (``refine(first)`` instead, when given: a cheaper
    re-solve started from the first result); return the second, rounded
    to ``dps``, once every number in it agrees with the first to
    ``dps − 5`` significant digits — a test relative to the size of each
    number, so a result of 1e-300 is held to the same digits as one of 1
    (or raise :class:`PrecisionError`). Booleans must be equal."""
    with mp.workdps(dps + GUARD_DIGITS):
        first = compute()
    with mp.workdps(dps + GUARD_DIGITS + CHECK_DIGITS):
        second = compute() if refine is None else refine(first)
        values = second if isinstance(second, tuple) else (second,)
        previous = first if isinstance(first, tuple) else (first,)
        tol = mp.mpf(10)**(-(dps - 5))
        for x, y in zip(values, previous):
            if x is None and y is None:
                continue
            if isinstance(x, bool) or isinstance(y, bool):
                if x is not y:
                    raise PrecisionError(f"{what} (evaluations at {dps + GUARD_DIGITS} and "
                                         f"{dps + GUARD_DIGITS + CHECK_DIGITS} digits disagree "
                                         f"on whether the optimum is on the boundary)",
                                         1, 0, "a larger dps")
                continue
            if not _agree(x, y, tol):
                gap = abs(x - y)
                relative = gap / abs(x) if x != 0 and mp.isfinite(gap) else gap
                raise PrecisionError(
                    f"{what} (evaluations at {dps + GUARD_DIGITS} and "
                    f"{dps + GUARD_DIGITS + CHECK_DIGITS} digits disagree)", relative,
                    tol, "a larger dps")
    with mp.workdps(dps):
        rounded = tuple(v if v is None or isinstance(v, bool) else +v for v in values)
    rounded = export(rounded)
    return rounded if isinstance(second, tuple) else rounded[0]


def _real(name, value, **bounds):
    """A real number, validated (converted later, at the working precision,
    by :func:`~rmtheory.numeric.precision.to_mpf`); a free symbol is a
    ``TypeError``."""
    return check_real(name, value, symbolic=False, **bounds)


def _common(gamma, lam, sigma2, r2, t, dps, kappa_s):
    gamma = _real("gamma", gamma, low=0, low_open=True)
    lam = _real("lam", lam, low=0)
    sigma2 = _real("sigma2", sigma2, low=0, low_open=True)
    r2 = _real("r2", r2, low=0)
    kappa_s = _real("kappa_s", kappa_s, low=0)
    if t is not None:
        t = check_int("t", t, low=0, high=MAX_T)
    return gamma, lam, sigma2, r2, t, check_dps(dps), kappa_s


#: the largest number of refits accepted (the finite-t formulas cost the
#: same for every t; beyond this t is indistinguishable from t = ∞)
MAX_T = MAX_STEPS


def _spectrum(spectrum, params, keywords):
    """``make_spectrum(spectrum, **params)``, with "did you mean" for a
    keyword that is neither the model's nor the function's (``lamda=``)."""
    if isinstance(spectrum, str) and spectrum in SPECTRUM_DEFAULTS:
        check_parameter_names(spectrum, params, keywords)
    return make_spectrum(spectrum, **params)


_RISK_KEYWORDS = ("gamma", "lam", "sigma2", "r2", "t", "dps", "kappa_s", "scheme", "backend",
                  "certify")

#: the retraining schemes of SPEC §4.1
SCHEMES = ("mix", "replace", "dynamic", "accumulate")


def _scheme(scheme, w, *, needs_w=True):
    """Validate ``scheme`` and its pairing with ``w``: ``"mix"`` needs a
    weight, the others choose their own (``w`` must be ``None``)."""
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a str, one of {list(SCHEMES)}, received "
                        f"{type(scheme).__name__} {scheme!r}")
    if scheme not in SCHEMES:
        import difflib
        close = difflib.get_close_matches(scheme, SCHEMES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"scheme must be one of {list(SCHEMES)}, received {scheme!r}{hint}")
    if scheme == "mix" and needs_w and w is None:
        raise ValueError("w is required for scheme='mix' (a weight in (0, 1])")
    if scheme != "mix" and w is not None:
        own = {"replace": "uses synthetic labels only after t = 0 (w = 0)",
               "dynamic": "chooses its own weights, the greedy schedule w_t",
               "accumulate": "keeps the real data and every synthetic set: no weight"}[scheme]
        raise ValueError(f"w must be None for scheme={scheme!r}, which {own}; received w={w!r}")
    return scheme


@dataclass(frozen=True, eq=False, repr=False)
class RiskResult(ResultBase):
    r"""Limiting risk ``R = bias + variance`` at a weight ``w`` (one point, or a
    broadcast grid).

    ``float(result)`` is the total (one point). With ``backend="mpmath"``
    the numbers are ``mpmath.mpf`` values correct to at least ``dps − 5``
    significant digits (confirmed by re-evaluation, relative to their
    size); with ``backend="float64"`` Python floats (NumPy arrays over a
    grid) that agree with them to ``1e-10`` relative. Over a grid every
    number is an array of the broadcast shape, ``result[i, j]`` is the
    result at one point and ``len``/iteration run over the first axis.

    Attributes
    ----------
    w : mpf, float, ndarray or None
        The weight (``None`` for the schemes that choose their own).
    bias, variance : mpf, float or ndarray
        The two parts of the risk.
    params : dict
        Every parameter used, defaults included (broadcast ones as arrays).

    Examples
    --------
    >>> import rmtheory as rt
    >>> r = rt.limiting_risk(0.5, gamma=2.0, dps=20)
    >>> r
    RiskResult(w='0.5', bias='0.5', variance='0.66666666666666666666695', params={'spectrum': 'isotropic', 'gamma': 2.0, 'lam': 0.0, 'sigma2': 1.0, 'r2': 1.0, 't': None, 'kappa_s': 1.0, 'dps': 20})
    >>> eval(repr(r), vars(rt)) == r
    True
    >>> r.to_dict()["variance"]
    '0.66666666666666666666695'
    """
    w: object
    bias: object
    variance: object
    params: dict = field(default_factory=dict)
    #: ``certify=True``: field -> ``(lo, hi)`` mpf bracketing the exact value
    enclosures: Optional[dict] = None

    _numbers = ("w", "bias", "variance")
    _derived = ("total",)

    def __post_init__(self):
        # numbers of the caller's mpmath type, whatever context computed them;
        # strings (from repr or to_dict) read at the precision of params["dps"]
        object.__setattr__(self, "params", _canonical_params(self.params))
        for name in ("w", "bias", "variance"):
            object.__setattr__(self, name, canonical(getattr(self, name), self.params))
        object.__setattr__(self, "enclosures", canonical_enclosures(self.enclosures))

    @property
    def total(self):
        """``bias + variance`` rounded to the result's ``dps`` (never to the
        caller's ``mp.dps``, which is not read); elementwise over a grid."""
        return _add(self.bias, self.variance, self.params)

    def __float__(self):
        if self.is_grid:
            raise TypeError(f"only a RiskResult of one point converts to float; this one "
                            f"has shape {self.shape} (use .total)")
        return float(self.total)

    def _columns(self):
        columns = ([] if self.w is None else [("w", self._cells("w"))]) + super()._columns()
        return columns + [(name, self._cells(name)) for name in ("bias", "variance")] \
            + [("total", np.ravel(np.asarray(self.total, dtype=object)))]

    def _repr_latex_(self):
        if self.is_grid:
            return None
        d = display_digits(self.params)
        weight = (rf"\text{{{self.params['scheme']}}}" if self.w is None
                  else f"w={short(self.w, d)}")
        return (rf"$R({weight}) = {short(self.bias, d)}"
                rf"\ (\text{{bias}}) + {short(self.variance, d)}\ (\text{{variance}})"
                rf" = {short(self.total, d)}\quad({_latex_params(self.params)})$")


@dataclass(frozen=True, eq=False, repr=False)
class OptimalWeight(ResultBase):
    r"""The minimiser ``w*`` of the limiting risk over ``(0, 1]`` (one point,
    or a broadcast grid of them).

    ``float(result) == w*`` (one point). ``on_boundary`` tells whether
    ``w* = 1``; ``risk`` and ``risk_at_1`` are the :class:`RiskResult` at
    ``w*`` and at ``1``; ``gain`` is ``R(1) − R(w*) ≥ 0`` and
    ``relative_gain`` its ratio to ``R(1)``; ``params`` records every
    parameter used, defaults included. Over a grid every field is an array
    of the broadcast shape (``risk`` a grid :class:`RiskResult`),
    ``result[i, j]`` the optimum at one point.

    Examples
    --------
    >>> import rmtheory as rt
    >>> res = rt.optimal_w(gamma=2.0, lam=0.1, dps=20)
    >>> eval(repr(res), vars(rt)) == res
    True
    >>> res.to_dict()["w"], res.to_dict()["on_boundary"]
    ('0.6000626699185209454728', False)
    """
    w: object
    risk: RiskResult
    risk_at_1: RiskResult
    on_boundary: object
    params: dict = field(default_factory=dict)
    #: ``scheme="dynamic"``: the weights ``(w_0, …, w_t)`` (``None`` otherwise)
    schedule: Optional[tuple] = None
    #: ``certify=True``: field -> ``(lo, hi)`` mpf bracketing the exact value
    enclosures: Optional[dict] = None

    _numbers = ("w",)
    _nested = ("risk", "risk_at_1")
    _derived = ("gain", "relative_gain")

    def __post_init__(self):
        object.__setattr__(self, "params", _canonical_params(self.params))
        object.__setattr__(self, "w", canonical(self.w, self.params))
        for name in ("risk", "risk_at_1"):
            value = getattr(self, name)
            if isinstance(value, dict):
                object.__setattr__(self, name, RiskResult.from_dict(value))
        if is_array(self.on_boundary):
            object.__setattr__(self, "on_boundary", np.array(self.on_boundary, dtype=bool))
        else:
            object.__setattr__(self, "on_boundary", bool(self.on_boundary))
        if self.schedule is not None:
            object.__setattr__(self, "schedule",
                               tuple(canonical(x, self.params) for x in self.schedule))
        object.__setattr__(self, "enclosures", canonical_enclosures(self.enclosures))

    @property
    def gain(self):
        """``R(1) − R(w*)``, accurate to about ``10^(5 − dps) R(1)`` absolutely
        (a difference of two confirmed risks)."""
        return _sub(self.risk_at_1.total, self.risk.total, self.params)

    @property
    def relative_gain(self):
        """``gain / R(1)``."""
        return _div(self.gain, self.risk_at_1.total, self.params)

    def __float__(self):
        if self.is_grid:
            raise TypeError(f"only an OptimalWeight of one point converts to float; this one "
                            f"has shape {self.shape} (use .w)")
        return float(self.w)

    def _columns(self):
        columns = super()._columns() + [("w", self._cells("w")),
                                        ("on_boundary", self._cells("on_boundary"))]
        flat = [("risk", self.risk.total), ("risk_at_1", self.risk_at_1.total),
                ("gain", self.gain), ("relative_gain", self.relative_gain),
                ("bias", self.risk.bias), ("variance", self.risk.variance)]
        return columns + [(k, np.ravel(np.asarray(v, dtype=object))) for k, v in flat]

    def _repr_latex_(self):
        if self.is_grid:
            return None
        d = display_digits(self.params)
        # the gain is a difference: its confirmed digits are fewer by the
        # orders of magnitude it is below R(1)
        lost = 0
        if self.gain != 0:
            lost = max(0, int(math.ceil(math.log10(abs(float(self.risk_at_1.total))
                                                   / abs(float(self.gain))))))
        gain = short(self.gain, max(1, d - lost)) if d - lost >= 1 else "0"
        return (rf"$w^\star = {short(self.w, d)},\quad R(w^\star) = "
                rf"{short(self.risk.total, d)},\quad R(1) - R(w^\star) = {gain}"
                rf"\quad({_latex_params(self.params)})$")



_LATEX_NAMES = {"gamma": r"\gamma", "lam": r"\lambda", "sigma2": r"\sigma^2", "r2": "r^2",
                "t": "t", "kappa_s": r"\kappa_s"}


def _latex_params(params):
    """``\\text{spiked}(\\ldots);\\ \\gamma = 2,\\ \\lambda = 0.1, …`` for a LaTeX display."""
    own = {k: v for k, v in params.items()
           if k not in _LATEX_NAMES and k not in ("spectrum", "dps", "backend", "scheme")}
    spec = ", ".join(f"{k}={_latex_value(v)}" for k, v in own.items() if v is not None)
    text = rf"\text{{{params.get('spectrum')}{f' ({spec})' if spec else ''}}}"
    for key, symbol in _LATEX_NAMES.items():
        if key in params:
            value = params[key]
            shown = r"\infty" if key == "t" and value is None else _latex_value(value)
            text += rf",\ {symbol} = {shown}"
    if "scheme" in params:
        text += rf",\ \text{{scheme {params['scheme']}}}"
    return text


def _latex_value(value):
    if isinstance(value, (tuple, list)):
        return ", ".join(_latex_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _elementwise(function, *arrays):
    if any(isinstance(a, np.ndarray) for a in arrays):
        return np.vectorize(function, otypes=[object])(*arrays)
    return function(*arrays)


def _add(x, y, params):
    if _float64(params):
        return x + y
    return _elementwise(lambda a, b: add_at(a, b, params.get("dps", 15)), x, y)


def _sub(x, y, params):
    if _float64(params):
        return x - y
    return _elementwise(lambda a, b: sub_at(a, b, params.get("dps", 15)), x, y)


def _div(x, y, params):
    if _float64(params):
        with np.errstate(divide="ignore", invalid="ignore"):
            return x / y
    return _elementwise(lambda a, b: div_at(a, b, params.get("dps", 15)), x, y)


def _float64(params):
    return params.get("backend", "mpmath") == "float64"


#: the rows of the spectrum table of the docstrings (SPEC §3): name, H and G,
#: parameters with their defaults (one list entry per line of a cell)
_SPECTRUM_ROWS = (
    ("``isotropic``", ["``H = G = δ₁``"], ["none"]),
    ("``discrete``", ["``H = Σ weights_j δ_{eigs_j}``,", "``G`` on the same atoms with",
                      "``signal_weights`` (default ``G = H``)"],
     ["``eigs=(1.0, 4.0)``,", "``weights=(0.5, 0.5)``,", "``signal_weights=None``"]),
    ("``random_effects``", ["any ``H`` (atoms, or a named law),", "``G = H``"],
     ["``eigs``, ``weights`` as", "``discrete``, ``law=None``"]),
    ("``spiked``", ["``H = δ₁``,", "``G = (1 − Σα_j²)δ₁ + Σα_j² δ_{1+θ_j}``"],
     ["``spikes=(4.0,)`` (θ_j > 0),", "``alignments=(0.5,)``", "(α_j², sum ≤ 1)"]),
    ("``equicorrelated``", ["``H = G = δ_{1−ρ}``"], ["``rho=0.5``"]),
    ("``ar1``", ["law of ``(1−ρ²)/(1 − 2ρ cos θ + ρ²)``,", "``θ ~ U(0, π)``; ``G = H``"],
     ["``rho=0.5``"]),
    ("``uniform``", ["``H = G = U[a, b]``"], ["``a=0.5``, ``b=1.5``"]),
)


def _spectrum_table(indent=8):
    """The spectrum models as an RST simple table (column widths computed)."""
    header = ("name", ["H and G"], ["parameters (defaults)"])
    rows = (header,) + _SPECTRUM_ROWS
    widths = [max(len(r[0]) for r in rows), max(len(x) for r in rows for x in r[1]),
              max(len(x) for r in rows for x in r[2])]
    rule = "  ".join("=" * w for w in widths)
    lines = [rule]
    for k, (name, middle, right) in enumerate(rows):
        for line in range(max(len(middle), len(right))):
            cells = (name if line == 0 else "", middle[line] if line < len(middle) else "",
                     right[line] if line < len(right) else "")
            lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())
        if k == 0:
            lines.append(rule)
    lines.append(rule)
    return "\n".join(" " * indent + line if line else "" for line in lines)


#: what ``help()`` shows for ``spectrum`` and its parameters (SPEC §3)
_SPECTRUM_TABLE = """\
spectrum : str or Spectrum, default "isotropic"
        The population spectrum ``H`` of ``Σ`` and the signal measure ``G``:
        a name below, with its parameters as keywords (every one has a
        default, recorded in ``result.params``), or a
        :class:`~rmtheory.numeric.Spectrum` (``Spectrum.from_atoms``,
        ``from_density``, ``from_sample``).

""" + _spectrum_table() + """

        Continuous ``H`` are integrated by quadrature inside the fixed point."""

_BROADCAST_NOTE = """\
    Array arguments: ``w``, ``lam``, ``gamma``, ``t`` and ``kappa_s`` accept
    array-likes and broadcast by NumPy's rules; the result's numbers are then
    arrays of the broadcast shape (``backend="mpmath"``: one confirmed solve
    per point, ``object`` arrays of ``mpf``; ``"float64"``: the whole grid at
    once, float arrays). Scalars in give scalars out."""

_BACKEND_DOC = """\
backend : {"mpmath", "float64"}, default "mpmath"
        ``"mpmath"``: ``dps − 5`` confirmed significant digits.
        ``"float64"``: :mod:`rmtheory.numeric.fast_arrays`, vectorised over
        the grid, agreeing with ``"mpmath"`` to ``1e-10`` relative; it raises
        ``ValueError`` where it cannot (a quadrature rule that does not
        settle in float64, an ill-conditioned ``κ``), and ignores ``dps``.
    certify : bool, default False
        Prove the digits (python-flint, a dependency; where it is missing,
        ``pip install "rmtheory[certified]"``): ball arithmetic gives, for every reported number, an
        enclosure ``(lo, hi)`` that provably contains the exact value of the
        limit theory for the inputs as given (``result.enclosures``; ``kappa``,
        ``stieltjes`` and ``critical_lambda`` then return a small result with
        ``.value`` and ``.enclosures``), and the digits shown are those the
        enclosure fixes. Scalar arguments and ``backend="mpmath"`` only; what
        cannot be certified (finite ``t`` with ``λ > 0``, schemes other than
        ``"mix"``, ``from_density`` spectra) raises ``NotImplementedError``."""


def _document(function):
    function.__doc__ = (function.__doc__.replace("{spectrum}", _SPECTRUM_TABLE)
                        .replace("{broadcast}", _BROADCAST_NOTE)
                        .replace("{backend}", _BACKEND_DOC))
    return function


def _certify_check(certify, backend, *values):
    """``certify`` as a bool; a certificate is of the mpmath backend's numbers,
    at one point (loop over a grid: each point gets its own enclosures)."""
    if not isinstance(certify, (bool, np.bool_)):
        raise TypeError(f"certify must be True or False, received {certify!r}")
    if certify and backend != "mpmath":
        raise ValueError(f"certify=True certifies the mpmath backend's numbers; received "
                         f"backend={backend!r} (use backend='mpmath')")
    if certify and _any_array(*values):
        raise ValueError("certify=True takes scalar arguments (one enclosure per number); "
                         "call it at each point of the grid")
    return bool(certify)


def _any_array(*values):
    return any(is_array(v) for v in values)


def _check_element(name, label, value):
    """One element of a broadcast argument, checked with its index in the name."""
    if name == "w":
        return check_weight(value, name=label, symbolic=False)
    if name == "t":
        return None if value is None else check_int(label, value, low=0, high=MAX_T)
    if name == "gamma":
        return _real(label, value, low=0, low_open=True)
    return _real(label, value, low=0)             # lam, kappa_s


def _float_inputs(values):
    """The broadcast arguments as float64 arrays, checked (``t`` as int64)."""
    out = {}
    for name, value in values.items():
        if name == "t":
            out[name] = None if value is None else float_array(
                "t", value, low=0, high=MAX_T, integer=True)
        elif name == "w":
            out[name] = float_array("w", value, low=0, high=1, low_open=True)
        elif name == "gamma":
            out[name] = float_array("gamma", value, low=0, low_open=True)
        else:
            out[name] = float_array(name, value, low=0)
    return out


def _shape_of(values):
    shapes = [np.shape(v) for v in values.values() if v is not None]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError("the array arguments do not broadcast together ("
                         + ", ".join(f"{k}: {np.shape(v)}" for k, v in values.items()
                                     if v is not None and np.ndim(v)) + ")") from None


def _params(spec, gamma, lam, sigma2, r2, t, kappa_s, dps):
    """The ``params`` of a result: the spectrum's name and parameters, then
    every argument (arrays of the broadcast shape over a grid)."""
    return dict(spectrum=spec.name, **spec.params, gamma=gamma, lam=lam, sigma2=sigma2,
                r2=r2, t=t, kappa_s=kappa_s, dps=dps)


def _scalar_float(x):
    return float(x) if np.ndim(x) == 0 else x


def _float_params(spec, shape, values, scalars):
    params = dict(spectrum=spec.name, **spec.params)
    for key in ("gamma", "lam", "sigma2", "r2", "t", "kappa_s"):
        if key in values:
            v = values[key]
            params[key] = None if v is None else (
                np.broadcast_to(v, shape) if shape else (int(v) if key == "t" else float(v)))
        elif key in scalars:
            params[key] = scalars[key]
    params["backend"] = "float64"
    return params


@_isolated
@_document
def kappa(lam: ArrayLike = 0.0, spectrum: SpectrumLike = "isotropic", *,
          gamma: ArrayLike = 2.0, dps: int = 30, backend: str = "mpmath",
          certify: bool = False, **spectrum_params: Any) -> Any:
    r"""Effective regularisation ``κ(λ)``.

    .. math::

        \lambda = \kappa\Bigl(1 - \gamma\int \frac{s}{s+\kappa}\,dH(s)\Bigr),

    the root ``κ > 0`` (at ``λ = 0``: ``κ₀ > 0`` for ``γ > 1``, ``0`` for
    ``γ ≤ 1``). It is ``1/v(−λ)``, ``v`` the Stieltjes transform of the
    limit spectrum of ``XXᵀ/n``, and ridge at ``λ`` behaves like the
    population ridge at ``κ``.

    Parameters
    ----------
    lam : real or array_like, default 0.0
        Ridge penalty ``λ ≥ 0``.
    {spectrum}
    gamma : real or array_like, default 2.0
        Aspect ratio ``γ = p/n > 0``.
    dps : int, default 30
        Significant digits of the result (``backend="mpmath"``).
    {backend}
    **spectrum_params
        The parameters of the named model (see ``spectrum``).

{broadcast}

    Returns
    -------
    mpf, float or ndarray
        ``κ(λ)``: an ``mpf`` with ``dps − 5`` confirmed digits, a float
        (``backend="float64"``), or an array of the broadcast shape.

    Raises
    ------
    ValueError, TypeError
        A bad argument (named, with the value and the allowed range).
    NoConvergence, PrecisionError
        The solve did not converge, or its digits were not confirmed.

    Examples
    --------
    >>> import rmtheory as rt
    >>> from mpmath import mp
    >>> with mp.workdps(20):          # isotropic, γ = 2: κ(1) = 1 + √2
    ...     print(rt.kappa(1.0, gamma=2.0, dps=20))
    2.4142135623730950488
    >>> rt.kappa([0.0, 1.0], gamma=2.0, backend="float64").tolist()
    [1.0, 2.414213562373095]
    """
    backend = check_backend(backend)
    certify = _certify_check(certify, backend, lam, gamma)
    if backend == "mpmath" and not _any_array(lam, gamma):     # one point, as always
        gamma = _real("gamma", gamma, low=0, low_open=True)
        lam = _real("lam", lam, low=0)
        dps = check_dps(dps)
        spec = _spectrum(spectrum, spectrum_params, ("gamma", "dps", "backend", "certify"))
        if certify:      # a result with .value and .enclosures (rmtheory[certified])
            from . import _certify
            return _certify.kappa(lam, spec, gamma, dps)
        return _kappa_one(lam, gamma, spec, dps)
    dps = check_dps(dps)
    spec = _spectrum(spectrum, spectrum_params, ("gamma", "dps", "backend"))
    if backend == "float64":
        v = _float_inputs({"lam": lam, "gamma": gamma})
        return _scalar_float(kappa_arrays(v["lam"], spec, gamma=v["gamma"]))
    shape, args = broadcast({"lam": lam, "gamma": gamma}, _check_element)
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        out[index] = _kappa_one(args["lam"][index], args["gamma"][index], spec, dps)
    return out


def _kappa_one(lam, gamma, spec, dps):
    return _confirmed(lambda: solve_kappa(to_mpf("lam", lam), spec, to_mpf("gamma", gamma)),
                      dps, "kappa")


@_isolated
@_document
def stieltjes(z: Any, spectrum: SpectrumLike = "isotropic", *, gamma: Any = 2.0,
              dps: int = 30, certify: bool = False, **spectrum_params: Any) -> Any:
    r"""Stieltjes transform ``m(z)`` of the limit spectrum of ``XᵀX/n``.

    .. math::

        m(z) = \int \frac{dH(s)}{s\,(1 - \gamma - \gamma z\, m(z)) - z},
        \qquad \operatorname{Im} m > 0 \text{ for } \operatorname{Im} z > 0,

    the physical root (checked by the Silverstein–Choi branch condition).

    Parameters
    ----------
    z : complex
        A point off the support: the upper half plane, or the real axis
        outside the support (``z ≠ 0``).
    {spectrum}
    gamma : real, default 2.0
        Aspect ratio ``γ = p/n > 0``.
    dps : int, default 30
        Significant digits of the result.
    certify : bool, default False
        Prove the digits (``rmtheory[certified]``): a result with ``.value``
        and ``.enclosures`` (``'m.real'``, ``'m.imag'``), the physical branch
        proved.
    **spectrum_params
        The parameters of the named model.

    Returns
    -------
    mpc
        ``m(z)`` with ``dps − 5`` confirmed digits in each part.

    Raises
    ------
    ValueError, TypeError
        A bad argument.
    NoConvergence, PrecisionError
        The solve did not converge, or its digits were not confirmed.

    Examples
    --------
    >>> import rmtheory as rt
    >>> from mpmath import mp
    >>> with mp.workdps(20):          # isotropic, γ = 2: m(−1) = √2/2
    ...     print(rt.stieltjes(-1.0, gamma=2.0, dps=20).real)
    0.70710678118654752440
    """
    gamma = _real("gamma", gamma, low=0, low_open=True)
    dps = check_dps(dps)
    z = check_complex("z", z, nonzero=True)
    certify = _certify_check(certify, "mpmath")
    spec = _spectrum(spectrum, spectrum_params, ("gamma", "dps", "certify"))
    if certify:      # a result with .value and .enclosures (rmtheory[certified])
        from . import _certify
        return _certify.stieltjes(z, spec, gamma, dps)

    def compute():
        # converted inside: at the precision of each evaluation, every digit
        return solve_stieltjes(to_mpc("z", z), spec, to_mpf("gamma", gamma))
    return _confirmed(compute, dps, "stieltjes")


def _risk_at(w, lam, spec, gamma, r2, sigma2, t, kappa_s, dps, scheme="mix"):
    def compute():
        # convert inside: mpf(...) rounds to the precision in force
        lam_, g_, r2_, s2_, ks_ = (to_mpf(n, v) for n, v in (
            ("lam", lam), ("gamma", gamma), ("r2", r2), ("sigma2", sigma2),
            ("kappa_s", kappa_s)))
        if scheme != "mix":
            parts = scheme_risk(scheme, None, lam_, spec, g_, r2_, s2_, t=t, kappa_s=ks_)
            return +parts.bias, +parts.variance
        w_ = to_mpf("w", w)
        with mp.extraprec(_extra_bits(w_, lam_)):
            parts = risk_parts(w_, lam_, spec, g_, r2_, s2_, t=t, kappa_s=ks_)
            return +parts.bias, +parts.variance
    return _confirmed(compute, dps, "limiting_risk")


@_isolated
@_document
def limiting_risk(w: ArrayLike = None, spectrum: SpectrumLike = "isotropic", *,
                  gamma: ArrayLike = 2.0, lam: ArrayLike = 0.0, sigma2: Any = 1.0,
                  r2: Any = 1.0, t: Any = None, dps: int = 30, kappa_s: ArrayLike = 1.0,
                  scheme: str = "mix", backend: str = "mpmath", certify: bool = False,
                  **spectrum_params: Any) -> "RiskResult":
    r"""Limiting risk ``R_t(w, λ)`` as bias + variance (``t=None``: ``t → ∞``).

    The risk ``E‖β̂_t − β‖²_Σ`` of the ``t``-th refit as ``n, p → ∞``,
    ``p/n → γ``. Stationary (``κ_s = 1`` shown; ``c(w; κ_s)`` in general):

    .. math::

        R_\infty(w,\lambda) = B(\lambda/w) + \sigma^2 c(w)
        \left[\frac{\kappa(\lambda/(2-w)) - \kappa(\lambda/w)}{\lambda/(2-w) - \lambda/w}
        - 1\right],\qquad c(w) = \frac{w^2 + (1-w)^2}{w(2-w)},

    with the ridge bias ``B(x) = r²κ²∫ s/(s+κ)² dG / (1 − df₂)`` at
    ``κ = κ(x)``; at ``λ = 0`` (min-norm for ``γ > 1``, OLS for ``γ < 1``)
    ``R_t = B₀ + c_t(w) V₀``.

    Parameters
    ----------
    w : real or array_like
        Real-data weight in ``(0, 1]`` (``scheme="mix"``; ``None`` otherwise).
    {spectrum}
    gamma : real or array_like, default 2.0
        Aspect ratio ``γ = p/n > 0``.
    lam : real or array_like, default 0.0
        Ridge penalty ``λ ≥ 0`` (``0``: min-norm interpolation / OLS).
    sigma2 : real, default 1.0
        Label noise variance ``σ² > 0``.
    r2 : real, default 1.0
        Signal strength ``r² = ‖β‖² ≥ 0``.
    t : int, array_like of int, or None, default None
        Number of refits ``0 ≤ t ≤ 10^18``; ``None`` for ``t → ∞``.
    dps : int, default 30
        Significant digits (``dps − 5`` are confirmed).
    kappa_s : real or array_like, default 1.0
        Synthetic-noise ratio ``κ_s = σ̃²/σ² ≥ 0``.
    scheme : {"mix", "replace", "dynamic", "accumulate"}, default "mix"
        ``"mix"`` (weight ``w``), ``"replace"`` (synthetic labels only after
        ``t = 0``; min-norm ``c_t = 1 + κ_s t``), ``"dynamic"`` (the greedy
        schedule ``w_t = F_{2t+1}/F_{2t+2}``), ``"accumulate"`` (the real data
        and every synthetic set; min-norm ``c_t = 1 + κ_s Σ_{j=2}^{t+1} 1/j²``).
        Only ``"mix"`` takes ``w``.
    {backend}
        ``"float64"`` covers ``scheme="mix"``; finite ``t`` with ``λ > 0``
        uses :func:`rmtheory.numeric.fast_finite_t.finite_t_risk_grid`.
    **spectrum_params
        The parameters of the named model.

{broadcast}

    Returns
    -------
    RiskResult
        ``.bias``, ``.variance``, ``.total`` (``float(result)`` is the total),
        ``.params``; ``to_dict()``, ``to_json()``, ``to_dataframe()``.
        At ``γ = 1``, ``λ = 0`` the variance is infinite (``mpf('+inf')``).

    Raises
    ------
    ValueError, TypeError
        A bad argument (named, with the value and the allowed range), or a
        case the float64 backend cannot compute to ``1e-10``.
    NoConvergence, PrecisionError
        A solve did not converge, or its digits were not confirmed.

    Examples
    --------
    >>> import rmtheory as rt
    >>> r = rt.limiting_risk(0.5, gamma=2.0, dps=20)
    >>> r.total     # r²(1 − 1/γ) + c(w) σ²/(γ − 1) = 1/2 + 2/3
    mpf('1.1666666666666666667')
    >>> grid = rt.limiting_risk([0.5, 1.0], gamma=2.0, lam=[[0.0], [0.5]], backend="float64")
    >>> grid.shape, grid.total.round(6).tolist()
    ((2, 2), [[1.166667, 1.5], [0.802517, 0.902044]])
    """
    scheme = _scheme(scheme, w)
    backend = check_backend(backend)
    values = {"w": w, "lam": lam, "gamma": gamma, "t": t, "kappa_s": kappa_s}
    if scheme != "mix":
        del values["w"]
    certify = _certify_check(certify, backend, *values.values())
    if backend == "mpmath" and not _any_array(*values.values()):    # one point
        if scheme == "mix":
            w = check_weight(w, symbolic=False)
        gamma, lam, sigma2, r2, t, dps, kappa_s = _common(gamma, lam, sigma2, r2, t, dps,
                                                          kappa_s)
        spec = _spectrum(spectrum, spectrum_params, _RISK_KEYWORDS)
        params = _params(spec, gamma, lam, sigma2, r2, t, kappa_s, dps)
        if certify:      # RiskResult with .enclosures (rmtheory[certified])
            from . import _certify
            return _certify.limiting_risk(w, lam, spec, gamma, r2, sigma2, t, kappa_s, dps,
                                          params, scheme=scheme)
        bias, variance = _risk_at(w, lam, spec, gamma, r2, sigma2, t, kappa_s, dps, scheme)
        if scheme != "mix":
            params["scheme"] = scheme
        with mp.workdps(dps):
            return RiskResult(None if w is None else to_mpf("w", w), bias, variance, params)
    dps = check_dps(dps)
    sigma2 = _real("sigma2", sigma2, low=0, low_open=True)
    r2 = _real("r2", r2, low=0)
    spec = _spectrum(spectrum, spectrum_params, _RISK_KEYWORDS)
    if backend == "float64":
        if scheme != "mix":
            raise ValueError(f"backend='float64' computes scheme='mix' only, received "
                             f"scheme={scheme!r}; use backend='mpmath'")
        v = _float_inputs(values)
        shape = _shape_of(v)
        bias, variance = risk_arrays(v["w"], v["lam"], spec, gamma=v["gamma"],
                                     sigma2=float(sigma2), r2=float(r2), kappa_s=v["kappa_s"],
                                     t=v["t"])
        params = _float_params(spec, shape, v, {"sigma2": float(sigma2), "r2": float(r2)})
        w_out = np.broadcast_to(v["w"], shape) if shape else float(v["w"])
        return RiskResult(w_out, _scalar_float(bias), _scalar_float(variance), params)
    shape, args = broadcast(values, _check_element)       # every point checked first
    bias = np.empty(shape, dtype=object)
    variance = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        a = element(args, index)
        bias[index], variance[index] = _risk_at(a.get("w"), a["lam"], spec, a["gamma"], r2,
                                                sigma2, a["t"], a["kappa_s"], dps, scheme)
    params = _params(spec, args["gamma"], args["lam"], sigma2, r2, args["t"], args["kappa_s"],
                     dps)
    if scheme != "mix":
        params["scheme"] = scheme
    ws = None
    if scheme == "mix":
        with mp.workdps(dps):
            ws = np.empty(shape, dtype=object)
            for index in np.ndindex(shape):
                ws[index] = to_mpf("w", args["w"][index])
    return RiskResult(ws, bias, variance, params)


@_isolated
@_document
def optimal_w(spectrum: SpectrumLike = "isotropic", *, gamma: ArrayLike = 2.0,
              lam: ArrayLike = 0.0, sigma2: Any = 1.0, r2: Any = 1.0, t: Any = None,
              dps: int = 30, kappa_s: ArrayLike = 1.0, scheme: str = "mix",
              backend: str = "mpmath", certify: bool = False,
              **spectrum_params: Any) -> "OptimalWeight":
    r"""The real-data weight ``w* ∈ (0, 1]`` minimising the limiting risk.

    Solves the stationarity condition ``∂R/∂w = 0`` (bracketed), or reports
    the boundary ``w* = 1`` when the slope at ``w = 1``,

    .. math::

        \partial_w R\big|_{w=1} = -\lambda B'(\lambda) + 2\sigma^2(\kappa'(\lambda) - 1),

    is not positive (``λ ≥ λ_c``, :func:`critical_lambda`). At ``λ = 0`` it
    is the closed form ``w* = (√(κ_s² + 4κ_s) − κ_s)/2`` (``1/φ`` for
    ``κ_s = 1``) whatever ``H`` and ``G``.

    Parameters
    ----------
    {spectrum}
    gamma : real or array_like, default 2.0
        Aspect ratio ``γ = p/n > 0`` (``≠ 1`` at ``λ = 0``).
    lam : real or array_like, default 0.0
        Ridge penalty ``λ ≥ 0``.
    sigma2 : real, default 1.0
        Label noise variance ``σ² > 0``.
    r2 : real, default 1.0
        Signal strength ``r² ≥ 0``.
    t : int, array_like of int, or None, default None
        Refits ``t ≥ 1`` (the risk at ``t = 0`` does not depend on ``w``);
        ``None`` for ``t → ∞``.
    dps : int, default 30
        Significant digits (``dps − 5`` confirmed).
    kappa_s : real or array_like, default 1.0
        Synthetic-noise ratio ``κ_s > 0`` (``≥ 0`` for ``λ > 0``).
    scheme : {"mix", "dynamic"}, default "mix"
        ``"dynamic"`` reports the greedy schedule: ``schedule`` is
        ``(w_0, …, w_t)`` and ``w`` its last weight (``t=None``: ``1/φ``),
        with the risk of the scheme. ``"replace"`` and ``"accumulate"`` have
        no weight to choose (``ValueError``).
    {backend}
        ``"float64"`` needs ``t=None`` or ``λ = 0``.
    **spectrum_params
        The parameters of the named model.

{broadcast}

    Returns
    -------
    OptimalWeight
        ``.w`` (``float(result)``), ``.on_boundary``, ``.risk`` and
        ``.risk_at_1`` (:class:`RiskResult`), ``.gain``, ``.relative_gain``,
        ``.params``; over a grid, arrays (``result[i, j]`` is one optimum).

    Raises
    ------
    ValueError, TypeError
        A bad argument, or inputs without an optimum (``γ = 1`` at ``λ = 0``,
        ``t = 0``, ``κ_s = 0`` at ``λ = 0``).
    NoConvergence, PrecisionError
        The root search did not converge, or its digits were not confirmed.

    Examples
    --------
    >>> import rmtheory as rt
    >>> res = rt.optimal_w(gamma=2.0, dps=20)       # min-norm: 1/φ for every H
    >>> res.w, res.on_boundary
    (mpf('0.61803398874989484820'), False)
    >>> grid = rt.optimal_w(gamma=[[1.5], [3.0]], lam=[0.1, 1.0, 10.0], backend="float64")
    >>> grid.w.round(4).tolist(), grid.on_boundary.tolist()
    ([[0.5936, 0.7512, 1.0], [0.6076, 0.6559, 1.0]], [[False, False, True], [False, False, True]])
    """
    scheme = _scheme(scheme, None, needs_w=False)
    if scheme in ("replace", "accumulate"):
        raise ValueError(f"scheme={scheme!r} has no mixing weight to optimise; use "
                         "limiting_risk(None, ..., scheme=...) for its risk")
    backend = check_backend(backend)
    values = {"lam": lam, "gamma": gamma, "t": t, "kappa_s": kappa_s}
    certify = _certify_check(certify, backend, *values.values())
    if backend == "float64" or _any_array(*values.values()):
        if scheme != "mix":
            raise ValueError("scheme='dynamic' takes scalar arguments and backend='mpmath' "
                             "(its schedule does not depend on lam, gamma)")
        return _optimal_w_grid(spectrum, spectrum_params, values, sigma2, r2, dps, backend)
    gamma, lam, sigma2, r2, t, dps, kappa_s = _common(gamma, lam, sigma2, r2, t, dps, kappa_s)
    if scheme == "dynamic" and not certify:
        return _dynamic_optimum(spectrum, spectrum_params, gamma, lam, sigma2, r2, t, dps,
                                kappa_s)
    check_optimum_exists(gamma, lam, t, kappa_s)
    spec = _spectrum(spectrum, spectrum_params, _RISK_KEYWORDS)
    if certify:      # OptimalWeight with .enclosures (rmtheory[certified])
        from . import _certify
        return _certify.optimal_w(spec, gamma, lam, sigma2, r2, t, kappa_s, dps,
                                  _params(spec, gamma, lam, sigma2, r2, t, kappa_s, dps),
                                  scheme=scheme)
    return _optimal_w_one(spec, gamma, lam, sigma2, r2, t, dps, kappa_s)


def _optimal_w_one(spec, gamma, lam, sigma2, r2, t, dps, kappa_s):
    curvature = []

    def compute(near=None):
        g_, l_, r2_, s2_, ks_ = (to_mpf(n, v) for n, v in (
            ("gamma", gamma), ("lam", lam), ("r2", r2), ("sigma2", sigma2),
            ("kappa_s", kappa_s)))
        found = optimal_weight(l_, spec, g_, r2_, s2_, t=t, kappa_s=ks_, near=near)
        curvature.append(found.curvature)
        # the risk at w* comes with the solve, and is confirmed with it: the
        # risk is stationary there, so the two roots give the same risk
        return found.w, found.on_boundary, found.parts.bias, found.parts.variance

    def refine(first):
        # the first root is good to about dps + guard − 5 digits: one Newton
        # step from it, or a bracket of that width
        return compute(near=(first[0], mp.mpf(10)**(-(dps + GUARD_DIGITS - 8)), curvature[0]))
    w_star, boundary, bias, variance = _confirmed(compute, dps, "optimal_w", refine)
    params = _params(spec, gamma, lam, sigma2, r2, t, kappa_s, dps)
    risk = RiskResult(w_star, bias, variance, params)
    at_1 = risk if boundary else RiskResult(
        1, *_risk_at(1, lam, spec, gamma, r2, sigma2, t, kappa_s, dps), params)
    return OptimalWeight(w_star, risk, at_1, bool(boundary), params)


def _optimal_w_grid(spectrum, spectrum_params, values, sigma2, r2, dps, backend):
    """``optimal_w`` over broadcast arguments: every point checked (and its
    optimum's existence) before the first solve."""
    dps = check_dps(dps)
    sigma2 = _real("sigma2", sigma2, low=0, low_open=True)
    r2 = _real("r2", r2, low=0)
    spec = _spectrum(spectrum, spectrum_params, _RISK_KEYWORDS)
    if backend == "float64":
        v = _float_inputs(values)
        shape = _shape_of(v)
        lam_, gamma_, ks_ = (np.broadcast_to(v[k], shape) for k in ("lam", "gamma", "kappa_s"))
        t_ = None if v["t"] is None else np.broadcast_to(v["t"], shape)
        for index in np.ndindex(shape):
            check_optimum_exists(gamma_[index], lam_[index],
                                 None if t_ is None else int(t_[index]), ks_[index])
        out = optimal_w_arrays(v["lam"], spec, gamma=v["gamma"], sigma2=float(sigma2),
                               r2=float(r2), kappa_s=v["kappa_s"], t=v["t"])
        params = _float_params(spec, shape, v, {"sigma2": float(sigma2), "r2": float(r2)})
        s = _scalar_float
        risk = RiskResult(s(out.w), s(out.bias), s(out.variance), params)
        at_1 = RiskResult(s(np.ones(shape)) if shape else 1.0, s(out.bias_at_1),
                          s(out.variance_at_1), params)
        boundary = out.on_boundary if shape else bool(out.on_boundary)
        return OptimalWeight(s(out.w), risk, at_1, boundary, params)
    shape, args = broadcast(values, _check_element)
    for index in np.ndindex(shape):
        a = element(args, index)
        check_optimum_exists(a["gamma"], a["lam"], a["t"], a["kappa_s"])
    fields = {name: np.empty(shape, dtype=object) for name in
              ("w", "bias", "variance", "bias_1", "variance_1", "boundary")}
    for index in np.ndindex(shape):
        a = element(args, index)
        one = _optimal_w_one(spec, a["gamma"], a["lam"], sigma2, r2, a["t"], dps, a["kappa_s"])
        for name, value in (("w", one.w), ("bias", one.risk.bias),
                            ("variance", one.risk.variance), ("bias_1", one.risk_at_1.bias),
                            ("variance_1", one.risk_at_1.variance),
                            ("boundary", one.on_boundary)):
            fields[name][index] = value
    params = _params(spec, args["gamma"], args["lam"], sigma2, r2, args["t"], args["kappa_s"],
                     dps)
    ones = np.empty(shape, dtype=object)
    ones.fill(1)
    risk = RiskResult(fields["w"], fields["bias"], fields["variance"], params)
    at_1 = RiskResult(ones, fields["bias_1"], fields["variance_1"], params)
    return OptimalWeight(fields["w"], risk, at_1, fields["boundary"].astype(bool), params)


def _dynamic_optimum(spectrum, spectrum_params, gamma, lam, sigma2, r2, t, dps, kappa_s):
    """``optimal_w(scheme="dynamic")``: the schedule and the scheme's risk."""
    spec = _spectrum(spectrum, spectrum_params, _RISK_KEYWORDS)
    params = dict(_params(spec, gamma, lam, sigma2, r2, t, kappa_s, dps), scheme="dynamic")
    with mp.workdps(dps + GUARD_DIGITS):
        if t is None:
            schedule, last = None, 1 / mp.phi
        else:
            schedule = tuple(dynamic_schedule(t))
            last = schedule[-1]
    bias, variance = _risk_at(None, lam, spec, gamma, r2, sigma2, t, kappa_s, dps, "dynamic")
    with mp.workdps(dps):
        last = +last
        schedule = None if schedule is None else tuple(+x for x in schedule)
    risk = RiskResult(last, bias, variance, params)
    at_1 = RiskResult(1, *_risk_at(1, lam, spec, gamma, r2, sigma2, t, kappa_s, dps), params)
    return OptimalWeight(last, risk, at_1, False, params, schedule=schedule)


@_isolated
@_document
def critical_lambda(spectrum: SpectrumLike = "isotropic", *, gamma: ArrayLike = 2.0,
                    sigma2: Any = 1.0, r2: Any = 1.0, dps: int = 30,
                    kappa_s: ArrayLike = 1.0, backend: str = "mpmath",
                    certify: bool = False, **spectrum_params: Any) -> Any:
    r"""The ridge penalty ``λ_c`` beyond which ``w* = 1`` exactly (stationary risk).

    The root of the slope of the risk at ``w = 1``:

    .. math::

        \lambda_c B'(\lambda_c) = 2\sigma^2\bigl(\kappa'(\lambda_c) - 1\bigr),

    below it mixing in synthetic labels lowers the risk (``w* < 1``), above
    it real data alone is best.

    Parameters
    ----------
    {spectrum}
    gamma : real or array_like, default 2.0
        Aspect ratio ``γ = p/n > 0``.
    sigma2 : real, default 1.0
        Label noise variance ``σ² > 0``.
    r2 : real, default 1.0
        Signal strength ``r² ≥ 0``.
    dps : int, default 30
        Significant digits (``dps − 5`` confirmed).
    kappa_s : real or array_like, default 1.0
        Synthetic-noise ratio ``κ_s ≥ 0``.
    {backend}
    **spectrum_params
        The parameters of the named model.

    Array arguments ``gamma`` and ``kappa_s`` broadcast; the result is then
    an array of their broadcast shape.

    Returns
    -------
    mpf, float or ndarray
        ``λ_c`` (``dps − 5`` confirmed digits with ``backend="mpmath"``).

    Raises
    ------
    ValueError, TypeError
        A bad argument.
    NoConvergence
        No critical penalty in ``[1e-300, 1e300]`` (``w* = 1`` for every
        ``λ``, or ``w* < 1`` for every ``λ``), or an unconverged solve.

    Examples
    --------
    >>> import rmtheory as rt
    >>> lc = rt.critical_lambda(gamma=2.0, dps=20)
    >>> float(rt.optimal_w(gamma=2.0, lam=1.01 * float(lc), dps=20).w)
    1.0
    >>> rt.critical_lambda(gamma=[1.5, 2.0], backend="float64").round(8).tolist()
    [2.44914652, 3.23704873]
    """
    backend = check_backend(backend)
    keywords = ("gamma", "sigma2", "r2", "dps", "kappa_s", "backend", "certify")
    certify = _certify_check(certify, backend, gamma, kappa_s)
    if backend == "mpmath" and not _any_array(gamma, kappa_s):      # one point
        gamma, _, sigma2, r2, _, dps, kappa_s = _common(gamma, 0, sigma2, r2, None, dps,
                                                        kappa_s)
        spec = _spectrum(spectrum, spectrum_params, keywords)
        if certify:      # a result with .value and .enclosures (rmtheory[certified])
            from . import _certify
            return _certify.critical_lambda(spec, gamma, r2, sigma2, kappa_s, dps)
        return _critical_one(spec, gamma, r2, sigma2, kappa_s, dps)
    dps = check_dps(dps)
    sigma2 = _real("sigma2", sigma2, low=0, low_open=True)
    r2 = _real("r2", r2, low=0)
    spec = _spectrum(spectrum, spectrum_params, keywords)
    if backend == "float64":
        v = _float_inputs({"gamma": gamma, "kappa_s": kappa_s})
        try:
            out = critical_lambda_arrays(spec, gamma=v["gamma"], sigma2=float(sigma2),
                                         r2=float(r2), kappa_s=v["kappa_s"])
        except ArithmeticError as exc:
            raise NoConvergence(str(exc), 0, 0, "check the parameters") from None
        return _scalar_float(out)
    shape, args = broadcast({"gamma": gamma, "kappa_s": kappa_s}, _check_element)
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        out[index] = _critical_one(spec, args["gamma"][index], r2, sigma2,
                                   args["kappa_s"][index], dps)
    return out


def _critical_one(spec, gamma, r2, sigma2, kappa_s, dps):
    return _confirmed(lambda: _critical_lambda(
        spec, to_mpf("gamma", gamma), to_mpf("r2", r2), to_mpf("sigma2", sigma2),
        kappa_s=to_mpf("kappa_s", kappa_s)), dps, "critical_lambda")


@_isolated
@_document
def w_star_curve(lams: Iterable[Any], spectrum: SpectrumLike = "isotropic", *,
                 gamma: Any = 2.0, sigma2: Any = 1.0, r2: Any = 1.0, t: Any = None,
                 dps: int = 30, kappa_s: Any = 1.0, backend: str = "mpmath",
                 **spectrum_params: Any) -> list:
    """``optimal_w`` over a sequence of penalties: a list of :class:`OptimalWeight`,
    one per penalty (``list(optimal_w(lam=lams, ...))``).

    Parameters
    ----------
    lams : sequence of real
        Ridge penalties ``λ ≥ 0``; every one is checked before the first solve.
    {spectrum}
    gamma, sigma2, r2, t, dps, kappa_s, backend
        As for :func:`optimal_w`.
    **spectrum_params
        The parameters of the named model.

    Returns
    -------
    list of OptimalWeight

    Raises
    ------
    TypeError
        ``lams`` is not a sequence.
    ValueError
        A bad penalty (named with its index) or another bad argument.

    Examples
    --------
    >>> import rmtheory as rt
    >>> [round(float(r), 6) for r in rt.w_star_curve([0.0, 0.01], gamma=2.0, dps=15)]
    [0.618034, 0.6142]
    """
    if isinstance(lams, (str, bytes)) or not hasattr(lams, "__iter__") \
            or getattr(lams, "ndim", 1) == 0:        # a 0-d NumPy array has __iter__
        raise TypeError(f"lams must be a sequence of penalties, received "
                        f"{type(lams).__name__} {lams!r}")
    # every argument checked before the first solve, not at its penalty
    lams = [_real(f"lams[{i}]", lam, low=0) for i, lam in enumerate(lams)]
    checked = _common(gamma, 0, sigma2, r2, t, dps, kappa_s)
    for lam in lams:
        check_optimum_exists(checked[0], lam, checked[4], checked[6])
    _spectrum(spectrum, spectrum_params, _RISK_KEYWORDS)
    if not lams:
        return []
    array = np.empty(len(lams), dtype=object)
    array[:] = lams
    return list(optimal_w(spectrum, gamma=gamma, lam=array, sigma2=sigma2, r2=r2, t=t,
                          dps=dps, kappa_s=kappa_s, backend=backend, **spectrum_params))
