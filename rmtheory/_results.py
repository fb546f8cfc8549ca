"""What every result class of :mod:`rmtheory.api` shares: numbers in one
canonical form, one point or a broadcast grid of them, and their export.

A result is a frozen dataclass whose number fields hold

* at one point: an ``mpmath.mpf`` (``backend="mpmath"``, correct to
  ``dps − 5`` significant digits) or a Python ``float`` (``"float64"``);
* over a grid: NumPy arrays of the broadcast shape (``object`` arrays of
  ``mpf``, or ``float64``), with the broadcast parameters in ``params``
  as arrays of that shape too.

:class:`ResultBase` gives them, from the dataclass fields alone (so a
field added later is exported with the rest):

* ``repr`` that is valid Python and round-trips: numbers are written as
  strings with every digit their precision holds, and the constructor
  reads strings back at the precision of ``params["dps"]``
  (``eval(repr(r), vars(rmtheory)) == r``);
* ``to_dict()`` / ``to_json()`` / ``from_dict()``: plain data, the digits as
  strings so nothing is lost (strict JSON: no ``NaN`` or ``Infinity``);
* ``to_dataframe()``: a tidy pandas table, one row per grid point (pandas
  is the optional extra ``rmtheory[tables]``);
* ``len``, iteration and indexing over a grid (``result[i, j]`` is the
  result at one point), and ``_repr_html_`` for a grid in Jupyter.
"""
import dataclasses
import json

import numpy as np

from ._arrays import html_table, is_array, number_text, parse_number, plain
from .numeric.context import export

__all__ = ["ResultBase", "BROADCAST_NAMES", "canonical", "canonical_enclosures",
           "display_digits"]

#: the parameters that broadcast (SPEC §4.1)
BROADCAST_NAMES = ("w", "lam", "gamma", "t", "kappa_s")


def exact_text(x):
    """An mpf's exact value as a decimal string (a binary fraction has a
    finite decimal expansion): enclosure endpoints are exported without any
    rounding, which could move an endpoint inside the exact value."""
    from fractions import Fraction
    sign, man, exp, _ = x._mpf_
    if not man:
        return "0"
    value = Fraction((-1)**sign * man) * Fraction(2)**exp
    places = max(0, -exp)
    digits = str(abs(value.numerator * 10**places // value.denominator)).rjust(places + 1, "0")
    text = digits[:len(digits) - places] + ("." + digits[len(digits) - places:] if places else "")
    return ("-" if value < 0 else "") + (text.rstrip("0").rstrip(".") if places else text)


def parse_exact(text):
    """The inverse of :func:`exact_text`: the mpf of exactly that value."""
    from fractions import Fraction

    import mpmath
    from mpmath import libmp
    if hasattr(text, "_mpf_"):
        return mpmath.mp.make_mpf(text._mpf_)
    value = Fraction(str(text))
    bits = max(value.numerator.bit_length(), value.denominator.bit_length(), 1) + 8
    if value.denominator & (value.denominator - 1):
        raise ValueError(f"an enclosure endpoint must be a binary fraction, received {text!r}")
    return mpmath.mp.make_mpf(libmp.from_rational(value.numerator, value.denominator, bits,
                                                  libmp.round_floor))


def canonical_enclosures(enclosures):
    """``{field: (lo, hi)}`` with exact mpf endpoints (strings from
    :meth:`ResultBase.to_dict` or ``repr`` read back exactly)."""
    if enclosures is None:
        return None
    return {str(k): tuple(parse_exact(v) for v in pair) for k, pair in enclosures.items()}


def _is_float64(params):
    return params.get("backend", "mpmath") == "float64"


def canonical(value, params):
    """A number field in its canonical form for ``params`` (see the module notes)."""
    if value is None:
        return None
    float64 = _is_float64(params)
    dps = params.get("dps", 15)
    if is_array(value):
        array = np.array(value, dtype=object)
        if float64:
            return np.asarray(np.vectorize(lambda x: float(x), otypes=[float])(array)
                              if array.size else array.astype(float), dtype=float)
        out = np.empty(array.shape, dtype=object)
        for index in np.ndindex(array.shape):
            out[index] = canonical(array[index], params)
        return out
    if isinstance(value, str):
        return parse_number(value, None if float64 else dps)
    if float64:
        return float(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        import mpmath
        return mpmath.mpf(int(value))           # exact: w = 1 at the boundary
    return export(value)


def display_digits(params):
    """Significant digits shown by ``_repr_latex_`` and ``_repr_html_``: the
    confirmed ``dps − 5`` (at most 12), and 10 for the float64 backend
    (its agreement with mpmath, 1e-10 relative)."""
    if _is_float64(params):
        return 10
    return max(1, min(params.get("dps", 15) - 5, 12))


def short(x, digits):
    """``x`` with ``digits`` significant digits (mpf, float, bool or None)."""
    if x is None:
        return "—"
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if hasattr(x, "_mpf_"):
        import mpmath
        return mpmath.nstr(x, digits)
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.{digits}g}"
    return str(x)


def _canonical_params(params):
    """``params`` with list-valued broadcast parameters as arrays."""
    out = dict(params)
    for name in BROADCAST_NAMES:
        if name in out and is_array(out[name]):
            array = np.array(out[name], dtype=object)
            if _is_float64(out):
                array = array.astype(float) if name != "t" else array.astype(np.int64)
            out[name] = array
    return out


def _repr_value(value, dps):
    if isinstance(value, ResultBase):
        return repr(value)
    if isinstance(value, np.ndarray):
        return repr(plain(value, dps) if value.dtype == object else value.tolist())
    if hasattr(value, "_mpf_"):
        return repr(number_text(value, dps))
    if isinstance(value, tuple):
        return "(" + ", ".join(_repr_value(v, dps) for v in value) + ("," if len(value) == 1
                                                                      else "") + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_repr_value(v, dps)}" for k, v in value.items()) + "}"
    return repr(value)


def _item(value):
    """A NumPy scalar as the Python number it holds (arrays and mpf as they are)."""
    return value.item() if isinstance(value, np.generic) else value


class ResultBase:
    """Mixin for the result dataclasses (see the module notes).

    Subclasses name their per-point number fields in ``_numbers``, their
    nested results in ``_nested`` and the properties exported with them
    in ``_derived``; the first entry of ``_numbers`` (or of ``_derived``)
    that is not ``None`` gives the shape.
    """
    _numbers: tuple = ()
    _nested: tuple = ()
    _derived: tuple = ()

    # -- shape and indexing --------------------------------------------------
    def _shape_source(self):
        for name in self._numbers:
            value = getattr(self, name)
            if value is not None:
                return value
        return getattr(self, self._derived[0])

    @property
    def shape(self):
        """The broadcast shape (``()`` at one point)."""
        return np.shape(self._shape_source())

    @property
    def is_grid(self):
        """Whether the result holds a grid of points (arrays) rather than one."""
        return self.shape != ()

    def __len__(self):
        if not self.is_grid:
            raise TypeError(f"a {type(self).__name__} of one point has no len()")
        return self.shape[0]

    def __iter__(self):
        if not self.is_grid:
            raise TypeError(f"a {type(self).__name__} of one point is not iterable")
        return (self[i] for i in range(self.shape[0]))

    def __getitem__(self, index):
        if not self.is_grid:
            raise TypeError(f"a {type(self).__name__} of one point cannot be indexed")
        changes = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "params":
                changes[f.name] = {k: (_item(v[index]) if isinstance(v, np.ndarray) else v)
                                   for k, v in value.items()}
            elif isinstance(value, ResultBase):
                changes[f.name] = value[index]
            elif isinstance(value, np.ndarray):
                changes[f.name] = value[index]
        for key, value in changes.items():
            if isinstance(value, np.ndarray) and value.ndim == 0:
                changes[key] = value[()]
        return dataclasses.replace(self, **changes)

    def _cells(self, name):
        """``name``'s values at every point, flattened."""
        value = getattr(self, name)
        return np.ravel(np.broadcast_to(np.asarray(value, dtype=object), self.shape))

    # -- plain data ----------------------------------------------------------
    def to_dict(self):
        """Plain data (str, bool, int, None, lists, dicts): every number as a
        string with all its digits (an mpf as many as its precision holds,
        a float its shortest repr), so ``from_dict(to_dict())`` gives the
        result back exactly. Includes the derived numbers (``total``, …)
        for readers that do not recompute them.

        Returns
        -------
        dict
            ``{"type": class name, field: value, ..., derived: value}``;
            over a grid, nested lists of the broadcast shape.
        """
        dps = self.params.get("dps", 15)
        out = {"type": type(self).__name__}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, ResultBase):
                out[f.name] = value.to_dict()
            elif f.name == "params":
                out[f.name] = plain(value, dps)
            elif f.name == "enclosures" and value is not None:
                out[f.name] = {k: [exact_text(v) for v in pair] for k, pair in value.items()}
            else:
                out[f.name] = self._text(value, dps)
        for name in self._derived:
            out[name] = self._text(getattr(self, name), dps)
        return out

    @staticmethod
    def _text(value, dps):
        if isinstance(value, np.ndarray):
            if value.dtype == bool:
                return value.tolist()
            return np.vectorize(lambda x: number_text(x, dps), otypes=[object])(value).tolist() \
                if value.size else []
        if isinstance(value, tuple):
            return [number_text(v, dps) for v in value]
        return number_text(value, dps) if value is not None else None

    def to_json(self, **kwargs):
        """``json.dumps(self.to_dict(), **kwargs)``: strict JSON (no NaN).

        Returns
        -------
        str
        """
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_dict(cls, data):
        """The result that :meth:`to_dict` wrote (bit for bit).

        Parameters
        ----------
        data : dict
            What :meth:`to_dict` returned (or ``json.loads`` of :meth:`to_json`).

        Returns
        -------
        RiskResult or OptimalWeight
        """
        from . import api
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {}
        for key, value in data.items():
            if key not in names:
                continue
            if isinstance(value, dict) and "type" in value:
                value = getattr(api, value["type"]).from_dict(value)
            kwargs[key] = value
        return cls(**kwargs)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # equal by value, mutable arrays: unhashable

    def __repr__(self):
        dps = self.params.get("dps", 15)
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.default is None and value is None:
                continue
            if f.name == "enclosures":
                shown = ", ".join(f"{k!r}: ({exact_text(lo)!r}, {exact_text(hi)!r})"
                                  for k, (lo, hi) in value.items())
                parts.append(f"enclosures={{{shown}}}")
                continue
            parts.append(f"{f.name}={_repr_value(value, dps)}")
        return f"{type(self).__name__}({', '.join(parts)})"

    # -- tables --------------------------------------------------------------
    def _columns(self):
        """``(name, values flattened)`` of the table: the broadcast inputs, then
        the numbers of the result."""
        columns = []
        for name in BROADCAST_NAMES:
            if name in self.params and name != "w":
                columns.append((name, self._param_cells(name)))
        return columns

    def _param_cells(self, name):
        value = self.params[name]
        return np.ravel(np.broadcast_to(np.asarray(value, dtype=object), self.shape))

    def to_dataframe(self, numbers="float"):
        """A tidy ``pandas.DataFrame``: one row per point; columns for the
        broadcast inputs, the numbers of the result, the spectrum and every
        other parameter (constant columns, so tables of several calls
        concatenate). ``numbers="float"`` converts mpf to float (for
        plotting and statistics), ``"mpf"`` keeps them, ``"str"`` writes
        every digit (as :meth:`to_dict`).

        Requires pandas (``pip install "rmtheory[tables]"``).

        Parameters
        ----------
        numbers : {"float", "mpf", "str"}, default "float"

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            Without pandas.
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("to_dataframe() needs pandas: pip install 'rmtheory[tables]' "
                              "(or use to_dict(), which needs nothing)") from None
        if numbers not in ("float", "mpf", "str"):
            raise ValueError(f"numbers must be one of ['float', 'mpf', 'str'], received "
                             f"{numbers!r}")
        dps = self.params.get("dps", 15)

        def convert(x):
            if x is None or isinstance(x, (bool, np.bool_)):
                return x
            if numbers == "str":
                return number_text(x, dps)
            if numbers == "float" and hasattr(x, "_mpf_"):
                return float(x)
            return x
        data = {}
        for name, cells in self._columns():
            data[name] = [convert(x) for x in cells]
        size = int(np.prod(self.shape)) if self.shape else 1
        for key, value in self.params.items():
            if key in data or isinstance(value, np.ndarray):
                continue
            data[key] = [value] * size
        return pd.DataFrame(data)

    def _repr_html_(self):
        """An HTML table of a grid result (``None`` at one point, so that
        Jupyter shows ``_repr_latex_``)."""
        if not self.is_grid:
            return None
        digits = display_digits(self.params)
        columns = self._columns()
        rows = [[short(c[i], digits) for _, c in columns]
                for i in range(int(np.prod(self.shape)))]
        fixed = ", ".join(f"{k}={v}" for k, v in self.params.items()
                          if not isinstance(v, np.ndarray) and v is not None)
        return html_table(f"{type(self).__name__}, shape {self.shape}: {fixed}",
                          [name for name, _ in columns], rows)
