"""Array inputs and plain-data output for the public API.

* :func:`is_array` and :func:`broadcast` — the parameters that broadcast
  by NumPy's rules (``w``, ``lam``, ``gamma``, ``t``, ``kappa_s``), each
  element checked where it enters, with its index in the message
  (``lam[2] must be in [0, inf), received -1``).
* :func:`float_array` — the same checks, vectorised, for the float64 backend.
* :func:`number_text` / :func:`parse_number` — numbers as strings that
  round-trip: an mpf with the digits its binary precision needs (so
  ``parse_number(number_text(x, dps), dps) == x`` bit for bit), a float
  as its shortest repr.
* :func:`plain` — JSON-safe copies of parameters and results.
* :func:`html_table` — a small HTML table for Jupyter.
"""
import html
import numbers

import mpmath
import numpy as np
from mpmath import libmp

__all__ = ["is_array", "broadcast", "float_array", "number_text", "parse_number", "plain",
           "html_table", "element", "BACKENDS", "check_backend"]

#: the backends of SPEC §4.1
BACKENDS = ("mpmath", "float64")


def check_backend(backend):
    """``backend`` if it is one of :data:`BACKENDS`, else ``TypeError``/``ValueError``."""
    if not isinstance(backend, str):
        raise TypeError(f"backend must be a str, one of {list(BACKENDS)}, received "
                        f"{type(backend).__name__} {backend!r}")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {list(BACKENDS)}, received {backend!r}")
    return backend


def is_array(value):
    """True for a list, a tuple or a NumPy array with at least one dimension."""
    if isinstance(value, np.ndarray):
        return value.ndim >= 1
    return isinstance(value, (list, tuple))


def _object_array(name, value):
    try:
        array = np.array(value, dtype=object)
    except ValueError as exc:           # ragged
        raise ValueError(f"{name} must be a rectangular array-like, received {value!r} "
                         f"({exc})") from None
    if array.dtype == object and array.ndim and any(is_array(x) for x in array.flat):
        raise ValueError(f"{name} must be a rectangular array-like of numbers, received "
                         f"{value!r}")
    return array


def broadcast(values, check):
    """``(shape, arrays)``: ``values`` (a dict name → scalar or array-like)
    broadcast together; ``check(name, element)`` validates and returns each
    element, called with names like ``"lam[2, 0]"``. Arrays are ``object``
    arrays of the checked elements."""
    arrays = {k: _object_array(k, v) for k, v in values.items()}
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k}: {a.shape}" for k, a in arrays.items() if a.ndim)
        raise ValueError(f"the array arguments do not broadcast together ({shapes})") from None
    checked = {}
    for name, array in arrays.items():
        out = np.empty(array.shape, dtype=object)
        for index in np.ndindex(array.shape):
            label = f"{name}[{', '.join(map(str, index))}]" if array.ndim else name
            out[index] = check(name, label, array[index])
        checked[name] = np.broadcast_to(out, shape)
    return shape, checked


def element(arrays, index):
    """The elements at ``index`` of every array of ``arrays`` (a dict)."""
    return {k: v[index] for k, v in arrays.items()}


def float_array(name, value, *, low=None, high=None, low_open=False, high_open=False,
                integer=False):
    """``value`` as a float64 (or int64, ``integer=True``) array, checked:
    real numbers only (booleans refused), finite, in the interval; the
    message names the first bad element."""
    array = np.asarray(value)
    if array.dtype == bool or (array.dtype == object and any(
            isinstance(x, (bool, np.bool_)) for x in array.flat)):
        raise TypeError(f"{name} must be real numbers, received booleans {value!r}")
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must be real numbers, received complex {value!r}")
    try:
        as_float = np.asarray(array, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be real numbers, received {type(value).__name__} "
                        f"{value!r}") from None

    def first(mask):
        index = tuple(int(i) for i in np.argwhere(mask)[0]) if mask.ndim else ()
        label = f"{name}[{', '.join(map(str, index))}]" if index else name
        return label, float(as_float[index]) if index else float(as_float)
    bad = ~np.isfinite(as_float)
    if np.any(bad):
        label, x = first(bad)
        raise ValueError(f"{label} must be finite, received {x!r}")
    if integer:
        bad = as_float != np.round(as_float)
        if np.any(bad):
            label, x = first(bad)
            raise TypeError(f"{label} must be an integer, received {x!r}")
    interval = (f"{'(' if low_open else '['}{'-inf' if low is None else low}, "
                f"{'inf' if high is None else high}{')' if high_open or high is None else ']'}")
    if low is not None:
        bad = as_float <= low if low_open else as_float < low
        if np.any(bad):
            label, x = first(bad)
            raise ValueError(f"{label} must be in {interval}, received {x!r}")
    if high is not None:
        bad = as_float >= high if high_open else as_float > high
        if np.any(bad):
            label, x = first(bad)
            raise ValueError(f"{label} must be in {interval}, received {x!r}")
    return as_float.astype(np.int64) if integer else as_float


def _is_mpf(x):
    return hasattr(x, "_mpf_")


def number_text(x, dps=None):
    """A number as a string that round-trips (see :func:`parse_number`).

    An mpf gets the decimal digits its binary precision at ``dps`` needs
    (mpmath's ``repr`` rule, ``repr_dps``), a float its shortest repr;
    ``None`` and booleans pass through.

    Examples
    --------
    >>> from mpmath import mpf
    >>> number_text(mpf(1) / 3, 20)
    '0.33333333333333333333342'
    >>> number_text(0.1)
    '0.1'
    """
    if x is None or isinstance(x, (bool, np.bool_)):
        return None if x is None else bool(x)
    if _is_mpf(x):
        # dps unknown: the bits of the mantissa itself
        prec = max(53, x._mpf_[3]) if dps is None else libmp.dps_to_prec(dps)
        return libmp.to_str(x._mpf_, libmp.repr_dps(prec))
    if isinstance(x, (float, np.floating)):
        return repr(float(x))
    if isinstance(x, (numbers.Integral, np.integer)):
        return str(int(x))
    return str(x)


def parse_number(text, dps=None):
    """The inverse of :func:`number_text`: ``dps`` given, an mpf rounded to
    the binary precision of ``dps`` digits (exactly the number written);
    ``dps=None``, a float."""
    if text is None or isinstance(text, (bool, np.bool_)):
        return text
    if dps is None:
        return float(text)
    if _is_mpf(text):
        return mpmath.mp.make_mpf(text._mpf_)
    prec = libmp.dps_to_prec(dps)
    return mpmath.mp.make_mpf(libmp.from_str(str(text), prec, libmp.round_nearest))


def plain(value, dps=None):
    """A JSON-safe copy: mpf as strings (:func:`number_text`), NumPy arrays
    and tuples as lists, NumPy scalars as Python numbers, floats that are
    not finite as strings (``'inf'``, ``'nan'``: strict JSON), anything
    else that JSON cannot hold as its ``str``."""
    if isinstance(value, dict):
        return {str(k): plain(v, dps) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [plain(v, dps) for v in value.tolist()] if value.dtype != object else \
            [plain(v, dps) for v in list(value)] if value.ndim == 1 else \
            [plain(v, dps) for v in value]
    if isinstance(value, (list, tuple)):
        return [plain(v, dps) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if _is_mpf(value):
        return number_text(value, dps)
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else repr(float(value))
    return str(value)


def html_table(title, header, rows, *, limit=60):
    """An HTML table (``rows`` of already formatted cells), at most ``limit``
    rows shown with a line saying how many were left out."""
    parts = [f"<div><p><b>{html.escape(title)}</b></p>",
             "<table><thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header)
             + "</tr></thead><tbody>"]
    shown = rows if len(rows) <= limit else rows[:limit]
    for row in shown:
        parts.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row)
                     + "</tr>")
    parts.append("</tbody></table>")
    if len(rows) > limit:
        parts.append(f"<p>… {len(rows) - limit} more rows (to_dataframe() has them all)</p>")
    parts.append("</div>")
    return "".join(parts)
