"""Timing helper and result rows shared by the benchmark scripts.

A measurement is a :class:`Row`: a median time, optionally the median time
of its baseline measured in the same run, and optionally a target. The ratio
of a row is ``median / baseline`` (how many times the baseline's time the
measurement takes), or ``baseline / median`` for a ``speedup`` row (how many
times faster than the baseline); the label says which. A target is text such
as ``"< 5 ms"``, ``"< 5 s"`` (on the median) or ``">= 50x"``, ``"<= 2x"`` (on
the ratio), and whether it is met is computed from that text by
:func:`make_row`, so the text and the verdict cannot disagree.
"""
import argparse
import os
import re
import statistics
import time
from typing import NamedTuple, Optional

__all__ = ["median_time", "Row", "make_row", "ratio", "target_met",
           "format_seconds", "format_ratio", "format_met", "format_table", "standalone"]


def median_time(fn, repeat, *, warmup=False):
    """Median wall time of ``repeat`` calls of ``fn``; ``warmup`` runs it
    once first, untimed (to fill caches such as lambdified expressions)."""
    if warmup:
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class Row(NamedTuple):
    """One measurement: ``median`` and ``baseline`` in seconds (``baseline``
    None when the row has no baseline), ``target`` text ("" if none), ``met``
    (True / False, None without a target), ``speedup`` (the ratio is
    ``baseline / median`` instead of ``median / baseline``) and a ``note``
    printed under the table."""
    label: str
    median: float
    baseline: Optional[float]
    target: str
    met: Optional[bool]
    speedup: bool = False
    note: str = ""


_TARGET = re.compile(r"^\s*(<=|>=|<|>)\s*([0-9]*\.?[0-9]+)\s*(ms|s|x)\s*$")
_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def ratio(median, baseline, speedup=False):
    """The row's ratio, None without a baseline."""
    if baseline is None:
        return None
    return baseline / median if speedup else median / baseline


def target_met(target, median, row_ratio):
    """Whether ``target`` ("< 5 ms", "< 5 s", ">= 50x", ...) holds for the
    median time (ms, s) or the ratio (x); None for an empty target."""
    if not target:
        return None
    match = _TARGET.match(target)
    if match is None:
        raise ValueError(f"cannot read target {target!r} (expected e.g. '< 5 ms', '>= 50x')")
    op, value, unit = match.group(1), float(match.group(2)), match.group(3)
    if unit == "x":
        if row_ratio is None:
            raise ValueError(f"ratio target {target!r} on a row without a baseline")
        return _OPS[op](row_ratio, value)
    return _OPS[op](median, value * (1e-3 if unit == "ms" else 1.0))


def make_row(label, median, baseline=None, *, target="", speedup=False, note=""):
    """A :class:`Row` whose ``met`` is computed from ``target``."""
    met = target_met(target, median, ratio(median, baseline, speedup))
    return Row(label, median, baseline, target, met, speedup, note)


def format_seconds(t):
    """``4.20 ms`` below one second, ``10.03 s`` above; "" for None."""
    if t is None:
        return ""
    return f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.2f} s"


def format_ratio(value):
    return "" if value is None else f"{value:.1f}x"


def format_met(met):
    return {None: "", True: "yes", False: "**no**"}[met]


def format_table(rows):
    """The markdown table (measurement | median | baseline | ratio | target |
    met) of ``rows``, followed by their notes, numbered; no trailing newline."""
    lines = ["| measurement | median | baseline | ratio | target | met |",
             "|---|---|---|---|---|---|"]
    notes = []
    for row in rows:
        label = row.label
        if row.note:
            notes.append(row.note)
            label = f"{label} [{len(notes)}]"
        cells = (label, format_seconds(row.median), format_seconds(row.baseline),
                 format_ratio(ratio(row.median, row.baseline, row.speedup)),
                 row.target, format_met(row.met))
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines.append("")
        lines.extend(f"- [{i}] {note}" for i, note in enumerate(notes, 1))
    return "\n".join(lines)


def standalone(doc, measure, describe, argv=None, *, quick_help="fewer repetitions"):
    """The command line of one benchmark module: ``--quick``, then the
    settings (``describe``), the mpmath backend, the cores and the load, and
    the table of ``measure``'s rows, which it returns."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args(argv)
    rows = measure(args.quick)
    import mpmath
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{describe(args.quick)} mpmath backend: {mpmath.libmp.BACKEND}. "
          f"Cores = {os.cpu_count()}; load average at end = {load:.2f}.\n")
    print(format_table(rows))
    return rows
