"""Command line: ``rmtheory [COMMAND] [OPTIONS]``.

``rmtheory report --output DIR`` is the main job: every figure of the
notebooks (PNG and PDF), a Markdown summary with the tables and the
Monte Carlo agreement, and the LaTeX formula document, on built-in
defaults. With no command, ``rmtheory`` prints the key derived results
(the variance factor ``c(w)``, ``w* = 1/φ``, its ``κ_s`` generalisation,
the dynamic schedule, the isotropic min-norm risk) and points to the
report. The numeric commands ``optimal-w``, ``risk``, ``curve`` and
``verify`` take the spectrum model and its parameters as options, print
readable tables, and JSON with ``--json``.

Commands are plain functions registered in :data:`COMMANDS`; adding one is
adding one :class:`Command` to that table.

A user mistake exits with status 2 and one line on stderr naming the
option; it never shows a traceback. A computation that does not converge
exits with status 1 and one line; ``verify`` exits with 1 when a point
misses its tolerance.

Examples
--------
>>> from rmtheory.cli import main
>>> main(["formulas", "--name", "dynamic_weight"])
dynamic_weight  (eq:dynamic-weight)
    greedy dynamic weight, w_0 = 1; equals F_{2t+1}/F_{2t+2}
    w_t = (w_{t-1} + 1)/(w_{t-1} + 2)
0
>>> main(["optimal-w", "--spectrum", "spiked", "--lam", "0.1", "--dps", "12"])
optimal weight  spectrum=spiked (spikes=4, alignments=0.5), gamma=2, lam=0.1, sigma2=1, r2=1, t=inf, kappa_s=1, dps=12
  w*            0.608862447031
  on boundary   no
  R(w*)         0.854170726223
  R(1)          1.13250330786
  R(1) - R(w*)  0.278332581637  (24.6% of R(1))
0
"""
import argparse
import json
import math
import os
import re
import sys
from typing import Callable, NamedTuple

import sympy as sp

__all__ = ["Command", "COMMANDS", "main", "UsageError"]

PROG = "rmtheory"


class UsageError(Exception):
    """A user mistake: reported on one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of printing usage and exiting."""

    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message}")


class Command(NamedTuple):
    """One subcommand: ``configure(parser)`` adds its options, ``run(args, out)`` does it."""
    name: str
    help: str
    example: str
    configure: Callable
    run: Callable


def _option(parser, message):
    """The ``--option`` that a library error message is about, if any.

    Library messages name the argument (``lam must be in [0, inf) ...``,
    ``spikes[0] must be ...``, ``spectrum 'ar1' takes no parameter 'eigs'``);
    the argument's ``dest`` maps it to its option (``kappa_s`` → ``--kappa-s``).
    """
    options = {a.dest: max(a.option_strings, key=len) for a in parser._actions
               if a.option_strings}
    options.update({alias: options[dest] for alias, dest in _ALIASES.items() if dest in options})
    quoted = re.search(r"parameter '(\w+)'", message)
    if quoted and quoted.group(1) in options:
        return options[quoted.group(1)]
    lead = re.match(r"(\w+)(\[\d+\])?[\s:]", message)
    if lead and lead.group(1) in options:
        return options[lead.group(1)]
    return None


#: library argument names that differ from the option's ``dest``
_ALIASES = {"T": "t", "z_threshold": "z_threshold", "ns": "n"}


def _fail(parser, message, option=None):
    message = " ".join(str(message).split())
    option = option or _option(parser, message)
    prefix = f"{option}: " if option and not message.startswith(option) else ""
    raise UsageError(f"{parser.prog}: error: {prefix}{message}")


class ComputationError(Exception):
    """A computation that did not converge: one line, exit status 1."""


# --------------------------------------------------------------- default job

def _number(value, digits=20):
    return sp.N(value, digits)


def run_default(args, out):
    """The main job: the key derived results on built-in defaults."""
    from .symbolic import formula, greedy_weights, optimal_w_kappa_s

    phi = sp.GoldenRatio
    c_w = formula("c_w")
    w_star = sp.nsimplify(formula("w_star_minnorm").rhs.rewrite(sp.sqrt))
    c_at_star = sp.radsimp(sp.simplify(c_w.rhs.doit().subs(c_w.args[0], w_star)))
    p = lambda *lines: print(*lines, sep="\n", file=out)  # noqa: E731

    from . import __version__
    p(f"rmtheory {__version__}: model collapse under iterative retraining on mixed",
      "real and synthetic labels (built-in defaults; `rmtheory --help` lists commands;",
      "`rmtheory report --output DIR` writes the figures, tables and formulas)",
      "")
    p("Min-norm interpolation (gamma = p/n > 1), stationary variance factor",
      "R_inf(w) = B_0 + c(w) V_0 with",
      f"  c(w) = {sp.sstr(c_w.rhs.doit())}",
      "  c_t(w) -> c(w); pure synthetic (w = 0) gives c_t(0) = 1 + t: collapse",
      "")
    p("Optimal real-data weight (any spectrum H, G):",
      f"  w* = 1/phi = {sp.sstr(w_star)} = {_number(1 / phi)}",
      f"  c(w*) = {sp.sstr(c_at_star)} = {_number(c_at_star)}   (c(1) = 1)",
      "")
    p("Synthetic-noise ratio kappa_s (synthetic noise variance kappa_s sigma^2):",
      f"  w*(kappa_s) = {sp.sstr(formula('w_star_kappa_s').rhs)}")
    for kappa_s in (sp.Rational(1, 2), 1, 2, 4):
        value = optimal_w_kappa_s(kappa_s)
        p(f"  kappa_s = {str(kappa_s):>3}: w* = {_number(value, 12)}")
    p("")
    weights = greedy_weights(6)
    p("Dynamic mixing, greedy w_t = (1 + w_{t-1})/(2 + w_{t-1}), w_0 = 1:",
      "  " + ", ".join(str(v) for v in weights) + ", ... -> 1/phi",
      "  (w_t = F_{2t+1}/F_{2t+2}, ratios of Fibonacci numbers)",
      "")
    iso = formula("isotropic_minnorm_risk")
    w, gamma, r2, sigma2 = iso.args
    defaults = {gamma: 2, r2: 1, sigma2: 1}
    at = iso.rhs.subs(defaults)
    p("Isotropic min-norm risk (gamma > 1):",
      f"  R_inf(w) = {sp.sstr(iso.rhs)}",
      "  at gamma = 2, r^2 = 1, sigma^2 = 1 (B_0 = 1/2, V_0 = 1):")
    for label, value in (("1", 1), ("w*", w_star), ("1/2", sp.Rational(1, 2))):
        risk = sp.nsimplify(sp.simplify(at.subs(w, value)))
        p(f"    R_inf({label + ')':<4} = {sp.sstr(risk):<10} = {_number(risk, 12)}")
    return 0


# ------------------------------------------------------------------ commands

def _configure_latex(parser):
    parser.add_argument("--output", "-o", required=True, metavar="FILE.tex",
                        help="where to write the LaTeX document")


def run_latex(args, out, parser):
    """Write every formula as a standalone LaTeX document; print its path."""
    from .printing import write_latex

    try:
        path = write_latex(args.output)
    except OSError as exc:
        _fail(parser, f"cannot write {args.output!r}: {exc.strerror or exc}", "--output")
    print(path, file=out)
    return 0


def _configure_formulas(parser):
    parser.add_argument("--name", metavar="NAME",
                        help="only this formula (default: all, in document order)")
    style = parser.add_mutually_exclusive_group()
    style.add_argument("--latex", action="store_true", help="print LaTeX")
    style.add_argument("--json", action="store_true",
                       help="print JSON (a list; one object with --name)")


def _as_dict(f, latex):
    return {"name": f.name, "label": f.label, "description": f.description,
            "lhs": f.lhs, "relation": f.relation, "rhs": sp.sstr(f.rhs),
            "args": [str(a) for a in f.args], "latex": latex}


def run_formulas(args, out, parser):
    """List the registered formulas as text, LaTeX or JSON."""
    from .printing import formula_latex
    from .symbolic import all_formulas, formula, formula_names

    if args.name is not None:
        if args.name not in formula_names():
            _fail(parser, f"unknown formula {args.name!r}; choose from "
                          f"{', '.join(formula_names())}", "--name")
        chosen = [formula(args.name)]
    else:
        chosen = all_formulas()
    if args.json:
        items = [_as_dict(f, formula_latex(f.name)) for f in chosen]
        print(json.dumps(items[0] if args.name is not None else items, indent=2,
                         ensure_ascii=False), file=out)
        return 0
    for f in chosen:
        if args.latex:
            print(f"% {f.name}: {f.description}", file=out)
            print(formula_latex(f.name), file=out)
        else:
            print(f"{f.name}  ({f.label})", file=out)
            print(f"    {f.description}", file=out)
            print(f"    {_plain_lhs(f.lhs)} = {sp.sstr(f.rhs)}", file=out)
    return 0


def _plain_lhs(lhs):
    """A readable terminal form of a LaTeX left-hand side."""
    for old, new in ((r"\infty", "inf"), (r"^{\star}", "*"), (r"^\star", "*"),
                     (r"\mathrm", ""), (r"\kappa", "kappa"), (r"\lambda", "lambda"),
                     (r"\mu", "mu"), (r"\{", "{"), (r"\}", "}")):
        lhs = lhs.replace(old, new)
    return lhs


# --------------------------------------------------------- numeric commands

def _floats(option):
    """An argparse type: a comma-separated list of reals."""
    def parse(text):
        try:
            values = tuple(float(v) for v in text.split(",") if v.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated numbers, received {text!r}") from None
        if not values:
            raise argparse.ArgumentTypeError(f"expected at least one number, received {text!r}")
        if not all(math.isfinite(v) for v in values):
            raise argparse.ArgumentTypeError(f"expected finite numbers, received {text!r}")
        return values
    parse.__name__ = option
    return parse


def _finite(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, received {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, received {text!r}")
    return value


_finite.__name__ = "number"

#: spectrum options: (option, dest, type, help)
_SPECTRUM_OPTIONS = (
    ("--eigs", "eigs", _floats("eigs"), "discrete/random_effects: eigenvalues of H, e.g. 1,4"),
    ("--weights", "weights", _floats("weights"),
     "discrete/random_effects: their weights (sum 1), e.g. 0.5,0.5"),
    ("--signal-weights", "signal_weights", _floats("signal_weights"),
     "discrete: weights of G on the same atoms (default: = weights)"),
    ("--spikes", "spikes", _floats("spikes"), "spiked: spike strengths θ_j > 0, e.g. 4"),
    ("--alignments", "alignments", _floats("alignments"),
     "spiked: squared cosines α_j² of β with the spikes (sum <= 1), e.g. 0.5"),
    ("--rho", "rho", _finite, "equicorrelated/ar1: correlation ρ"),
    ("--a", "a", _finite, "uniform: left end of U[a, b]"),
    ("--b", "b", _finite, "uniform: right end of U[a, b]"),
)


def _add_spectrum_options(parser):
    from .numeric import SPECTRUM_DEFAULTS, SPECTRUM_NAMES
    defaults = "\n".join(
        f"  {name:<15} " + (" ".join(f"--{k.replace('_', '-')} {_short(v)}"
                                     for k, v in params.items() if v is not None) or "—")
        for name, params in SPECTRUM_DEFAULTS.items())
    group = parser.add_argument_group(
        "spectrum model",
        "H is the limit spectrum of Σ, G the signal-weighted spectrum. Defaults:\n" + defaults)
    group.add_argument("--spectrum", default="isotropic", choices=SPECTRUM_NAMES, metavar="NAME",
                       help=f"one of {', '.join(SPECTRUM_NAMES)} (default: isotropic)")
    for option, dest, kind, text in _SPECTRUM_OPTIONS:
        group.add_argument(option, dest=dest, type=kind, default=None, metavar="X" if
                           kind is _finite else "X,Y,...", help=text)


def _add_model_options(parser, *, lam=True, t=True, dps=True):
    group = parser.add_argument_group("model")
    group.add_argument("--gamma", type=_finite, default=2.0, help="aspect ratio p/n (default 2)")
    if lam:
        group.add_argument("--lam", type=_finite, default=0.0,
                           help="ridge penalty λ >= 0 (default 0: min-norm / OLS)")
    group.add_argument("--sigma2", type=_finite, default=1.0, help="noise variance σ² (default 1)")
    group.add_argument("--r2", type=_finite, default=1.0, help="signal ‖β‖² = r² (default 1)")
    group.add_argument("--kappa-s", dest="kappa_s", type=_finite, default=1.0,
                       help="synthetic-noise ratio κ_s: synthetic variance κ_s σ² (default 1)")
    if t:
        group.add_argument("--t", type=int, default=None,
                           help="number of refits (default: t → ∞, the stationary risk)")
    if dps:
        group.add_argument("--dps", type=int, default=20,
                           help="decimal digits of the mpmath evaluation (default 20)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _spectrum_kwargs(args, parser):
    """The spectrum parameters given on the command line (a parameter the
    chosen model does not take is a usage error naming its option)."""
    from .numeric import SPECTRUM_DEFAULTS
    given = {dest: getattr(args, dest) for _, dest, _, _ in _SPECTRUM_OPTIONS
             if getattr(args, dest) is not None}
    allowed = [k for k in SPECTRUM_DEFAULTS[args.spectrum] if k != "law"]
    for dest in given:
        if dest not in allowed:
            option = "--" + dest.replace("_", "-")
            takes = ", ".join("--" + k.replace("_", "-") for k in allowed) or "no parameter"
            _fail(parser, f"spectrum {args.spectrum!r} does not take {option}; it takes {takes}",
                  option)
    return given


def _model_kwargs(args, **extra):
    kw = dict(gamma=args.gamma, sigma2=args.sigma2, r2=args.r2, kappa_s=args.kappa_s, **extra)
    for name in ("lam", "t", "dps"):
        if hasattr(args, name):
            kw[name] = getattr(args, name)
    return kw


def _g(x, digits=10):
    """A real for a table: ``inf`` or ``digits`` significant digits."""
    from mpmath import mp
    if mp.isinf(x):
        return "inf"
    return mp.nstr(x, digits)


def _num(x):
    """A JSON number (``null`` for an infinite one)."""
    f = float(x)
    return f if math.isfinite(f) else None


def _params_line(params):
    p = dict(params)
    spectrum = p.pop("spectrum")
    dps = p.pop("dps", None)
    shown = {}
    for key in ("gamma", "lam", "sigma2", "r2", "t", "kappa_s"):
        if key in p:
            shown[key] = p.pop(key)
    spec = ", ".join(f"{k}={_short(v)}" for k, v in p.items() if v is not None)
    text = f"spectrum={spectrum}" + (f" ({spec})" if spec else "")
    text += "".join(f", {k}={'inf' if v is None and k == 't' else _short(v)}"
                    for k, v in shown.items())
    return text + (f", dps={dps}" if dps is not None else "")


def _short(v):
    if isinstance(v, (tuple, list)):
        return ",".join(_short(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _json_params(params):
    return {k: (list(v) if isinstance(v, tuple) else
                float(v) if hasattr(v, "_mpf_") else v) for k, v in params.items()}


def _table(header, rows):
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def _configure_optimal_w(parser):
    _add_spectrum_options(parser)
    _add_model_options(parser)


def run_optimal_w(args, out, parser):
    """The optimal real-data weight w* and the risk at w* and at w = 1."""
    import rmtheory as rt
    res = rt.optimal_w(args.spectrum, **_model_kwargs(args), **_spectrum_kwargs(args, parser))
    d = args.dps
    if args.json:
        doc = {"w": _num(res.w), "on_boundary": res.on_boundary, "risk": _num(res.risk.total),
               "bias": _num(res.risk.bias), "variance": _num(res.risk.variance),
               "risk_at_1": _num(res.risk_at_1.total), "gain": _num(res.gain),
               "relative_gain": _num(res.relative_gain),
               "digits": {"w": _g(res.w, d), "risk": _g(res.risk.total, d),
                          "risk_at_1": _g(res.risk_at_1.total, d)},
               "params": _json_params(res.params)}
        print(json.dumps(doc, indent=2, ensure_ascii=False), file=out)
        return 0
    rows = [("w*", _g(res.w, d)), ("on boundary", "yes (w* = 1)" if res.on_boundary else "no"),
            ("R(w*)", _g(res.risk.total, d)), ("R(1)", _g(res.risk_at_1.total, d)),
            ("R(1) - R(w*)", f"{_g(res.gain, d)}  ({float(res.relative_gain):.1%} of R(1))")]
    print(f"optimal weight  {_params_line(res.params)}", file=out)
    for label, value in rows:
        print(f"  {label:<12}  {value}", file=out)
    return 0


def _configure_risk(parser):
    parser.add_argument("--w", type=_floats("w"), required=True, metavar="W[,W,...]",
                        help="real-data weight(s) in (0, 1], comma-separated")
    _add_spectrum_options(parser)
    _add_model_options(parser)


def run_risk(args, out, parser):
    """The limiting risk (bias, variance, total) at one or more weights."""
    import rmtheory as rt
    spectrum = _spectrum_kwargs(args, parser)
    results = [rt.limiting_risk(w, args.spectrum, **_model_kwargs(args), **spectrum)
               for w in args.w]
    d = args.dps
    if args.json:
        doc = {"params": _json_params(results[0].params),
               "records": [{"w": _num(r.w), "bias": _num(r.bias), "variance": _num(r.variance),
                            "total": _num(r.total)} for r in results]}
        print(json.dumps(doc, indent=2, ensure_ascii=False), file=out)
        return 0
    print(f"limiting risk  {_params_line(results[0].params)}", file=out)
    print(_table(["w", "bias", "variance", "total"],
                 [[_g(r.w, d), _g(r.bias, d), _g(r.variance, d), _g(r.total, d)]
                  for r in results]), file=out)
    return 0


def _lams(text):
    """``geomspace:START:STOP:NUM``, ``linspace:START:STOP:NUM`` or ``a,b,c``."""
    import numpy as np
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 4 or parts[0] not in ("geomspace", "linspace"):
            raise argparse.ArgumentTypeError(
                f"expected geomspace:START:STOP:NUM, linspace:START:STOP:NUM or a comma list, "
                f"received {text!r}")
        try:
            start, stop, num = float(parts[1]), float(parts[2]), int(parts[3])
        except ValueError:
            raise argparse.ArgumentTypeError(f"bad numbers in {text!r}") from None
        if not (math.isfinite(start) and math.isfinite(stop)) or not 1 <= num <= 10_000:
            raise argparse.ArgumentTypeError(
                f"expected finite START, STOP and 1 <= NUM <= 10000, received {text!r}")
        if parts[0] == "geomspace" and (start <= 0 or stop <= 0):
            raise argparse.ArgumentTypeError(f"geomspace needs START, STOP > 0, received {text!r}")
        space = np.geomspace if parts[0] == "geomspace" else np.linspace
        return tuple(float(x) for x in space(start, stop, num))
    return _floats("lams")(text)


_lams.__name__ = "lams"


def _configure_curve(parser):
    parser.add_argument("--lams", type=_lams, default=_lams("geomspace:1e-3:10:13"),
                        metavar="SPEC",
                        help="penalties: geomspace:START:STOP:NUM, linspace:START:STOP:NUM "
                             "or a comma list (default geomspace:1e-3:10:13)")
    parser.add_argument("--fast", action="store_true",
                        help="float64 grid path (about 1e-10 relative; needs every λ > 0 and "
                             "t → ∞) instead of mpmath")
    _add_spectrum_options(parser)
    _add_model_options(parser, lam=False)


def run_curve(args, out, parser):
    """w*(λ) over a range of ridge penalties, and the critical λ where w* = 1."""
    import rmtheory as rt
    spectrum = _spectrum_kwargs(args, parser)
    lams = args.lams
    if any(lam < 0 for lam in lams):
        _fail(parser, f"every penalty must be >= 0, received {min(lams):g}", "--lams")
    kw = _model_kwargs(args)
    if args.fast:   # every usage error before the first computation (critical λ)
        from ._validation import check_dps
        if args.t is not None:
            _fail(parser, "--fast computes the stationary risk only; drop --t", "--fast")
        if min(lams) <= 0:
            _fail(parser, f"--fast needs every penalty > 0, received {min(lams):g}", "--lams")
        check_dps(args.dps)
        for name in ("gamma", "sigma2", "r2", "kappa_s"):
            if not getattr(args, name) > (0 if name != "kappa_s" else -1e-300):
                _fail(parser, f"{name} must be > 0, received {getattr(args, name)}")
    lam_c = None
    if args.t is None:
        lam_c = rt.critical_lambda(args.spectrum, gamma=args.gamma, sigma2=args.sigma2,
                                   r2=args.r2, dps=args.dps, kappa_s=args.kappa_s, **spectrum)
    if args.fast:
        import numpy as np
        from .numeric import make_spectrum
        from .numeric.fast import optimal_w_grid, risk_grid
        spec = make_spectrum(args.spectrum, **spectrum)
        grid = np.asarray(lams, dtype=float)
        w = optimal_w_grid(grid, spec, gamma=args.gamma, r2=args.r2, sigma2=args.sigma2,
                           kappa_s=args.kappa_s)
        inner = np.clip(w, 1e-6, 1 - 1e-9)
        bias, var = risk_grid(inner, grid, spec, gamma=args.gamma, r2=args.r2,
                              sigma2=args.sigma2, kappa_s=args.kappa_s)
        records = [{"lam": float(l), "w": float(x), "on_boundary": bool(x == 1.0),
                    "risk": float(b + v)} for l, x, b, v in zip(grid, w, bias, var)]
        params = dict(spectrum=spec.name, **spec.params, gamma=args.gamma, sigma2=args.sigma2,
                      r2=args.r2, t=None, kappa_s=args.kappa_s)
        digits = 10
    else:
        kw.pop("lam", None)
        results = rt.w_star_curve([float(x) for x in lams], args.spectrum, **kw, **spectrum)
        records = [{"lam": float(r.params["lam"]), "w": float(r.w), "on_boundary": r.on_boundary,
                    "risk": _num(r.risk.total), "w_digits": _g(r.w, args.dps)}
                   for r in results]
        params = {k: v for k, v in results[0].params.items() if k != "lam"}
        digits = min(args.dps, 15)
    if args.json:
        doc = {"params": _json_params(params), "method": "float64" if args.fast else "mpmath",
               "critical_lambda": None if lam_c is None else float(lam_c), "records": records}
        print(json.dumps(doc, indent=2, ensure_ascii=False), file=out)
        return 0
    print(f"w*(lambda)  {_params_line(params)}", file=out)
    print(_table(["lambda", "w*", "boundary", "R(w*)"],
                 [[f"{r['lam']:.6g}", r.get("w_digits") or f"{r['w']:.{digits}g}",
                   "yes" if r["on_boundary"] else "no",
                   "inf" if r["risk"] is None else f"{r['risk']:.{digits}g}"] for r in records]),
          file=out)
    if lam_c is not None:
        print(f"critical lambda (w* = 1 for every lambda beyond it): {_g(lam_c, digits)}",
              file=out)
    return 0


def _configure_verify(parser):
    parser.add_argument("--w", type=_floats("w"), default=(0.5, 0.6180339887498949, 1.0),
                        metavar="W[,W,...]",
                        help="real-data weights in (0, 1] (default 0.5,1/φ,1)")
    parser.add_argument("--lam", type=_floats("lam"), default=(0.0,), metavar="L[,L,...]",
                        help="ridge penalties >= 0 (default 0)")
    parser.add_argument("--n", type=int, default=200, help="sample size n (default 200)")
    parser.add_argument("--draws", type=int, default=20,
                        help="independent designs (X, β), >= 2 (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    parser.add_argument("--method", choices=("exact", "simulate"), default="exact",
                        help="exact conditional risk per design, or the literal retraining "
                             "loop (default exact)")
    parser.add_argument("--reps", type=int, default=100,
                        help="noise repetitions per design for --method simulate (default 100)")
    parser.add_argument("--z-threshold", dest="z_threshold", type=_finite, default=3.0,
                        help="pass if |z| <= this (default 3)")
    parser.add_argument("--backend", choices=("serial", "processes"), default="serial",
                        help="run the draws here or on all cores (default serial)")
    _add_spectrum_options(parser)
    _add_model_options(parser, lam=False, dps=False)


def run_verify(args, out, parser):
    """The limiting risk against the Monte Carlo mean over independent designs;
    exit status 1 when a point is more than --z-threshold standard errors off."""
    from .montecarlo import SPECTRUM_DEFAULTS as MC_DEFAULTS, verify
    from .numeric import SPECTRUM_DEFAULTS
    spectrum = _spectrum_kwargs(args, parser)
    # the same H and G as `optimal-w` and `risk` when a parameter is not given
    for key, value in SPECTRUM_DEFAULTS[args.spectrum].items():
        if key not in spectrum and value is not None and key in MC_DEFAULTS[args.spectrum]:
            spectrum[key] = value
    from .report import single_threaded_blas
    with single_threaded_blas():   # many small matrices: BLAS threads only stall
        report = verify(args.spectrum, n=args.n, gamma=args.gamma, w=list(args.w),
                        lam=list(args.lam), t=args.t, draws=args.draws, seed=args.seed, sigma2=args.sigma2, r2=args.r2,
                        kappa_s=args.kappa_s, method=args.method, reps=args.reps,
                        z_threshold=args.z_threshold, backend=args.backend,
                        progress=None, **spectrum)
    print(report.to_json(indent=2) if args.json else str(report), file=out)
    return 0 if report.all_passed else 1


def _configure_report(parser):
    from .report import DEFAULT_OUTPUT
    parser.add_argument("--output", "-o", default=DEFAULT_OUTPUT, metavar="DIR",
                        help=f"folder to write (default ./{DEFAULT_OUTPUT})")
    parser.add_argument("--quick", action="store_true",
                        help="tiny Monte Carlo sizes: seconds instead of a minute or two")
    parser.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    parser.add_argument("--formats", type=lambda s: tuple(f for f in s.split(",") if f),
                        default=("png", "pdf"), metavar="png,pdf",
                        help="image formats of the figures (default png,pdf)")
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress bar")


def run_report(args, out, parser):
    """Write the figures (PNG, PDF), summary.md, checks.csv and formulas.tex."""
    from .report import generate_report
    try:
        report = generate_report(args.output, quick=args.quick, seed=args.seed,
                                 progress=args.progress, formats=args.formats)
    except OSError as exc:       # a folder we may not write into, a full disk, ...
        _fail(parser, f"cannot write into {args.output!r}: {exc.strerror or exc}", "--output")
    summary = report.directory / "summary.md"
    in_scope = [c for c in report.checks if c.in_scope]
    print(f"wrote {len(report.files)} files to {report.directory}/ in {report.seconds:.0f} s",
          file=out)
    print(f"  {summary}  (tables; {sum(c.agrees for c in in_scope)}/{len(in_scope)} "
          f"Monte Carlo points agree with the theory)", file=out)
    for data in report.figures:
        print(f"  {report.directory / data.name}.{{{','.join(args.formats)}}}  {data.title}",
              file=out)
    print(f"  {report.directory / 'formulas.tex'}  (pdflatex formulas.tex)", file=out)
    return 0


#: every subcommand, in ``--help`` order
COMMANDS = {c.name: c for c in (
    Command("report", "write the figures, tables and formulas into a folder (the main job)",
            "rmtheory report --output rmtheory-report",
            _configure_report, run_report),
    Command("optimal-w", "the optimal real-data weight w* and its gain over w = 1",
            "rmtheory optimal-w --spectrum spiked --spikes 4 --alignments 0.5 --lam 0.1",
            _configure_optimal_w, run_optimal_w),
    Command("risk", "the limiting risk (bias, variance, total) at given weights",
            "rmtheory risk --w 0.5,0.618,1 --spectrum ar1 --rho 0.5 --gamma 2",
            _configure_risk, run_risk),
    Command("curve", "w*(lambda) over ridge penalties and the critical lambda",
            "rmtheory curve --spectrum random_effects --eigs 1,4 --weights 0.5,0.5 "
            "--lams geomspace:1e-3:10:9",
            _configure_curve, run_curve),
    Command("verify", "the limiting risk against a Monte Carlo mean with z-scores",
            "rmtheory verify --spectrum isotropic --n 200 --draws 20 --w 0.5,0.618,1 --lam 0,0.5",
            _configure_verify, run_verify),
    Command("latex", "write every formula as a standalone LaTeX document",
            "rmtheory latex --output formulas.tex && pdflatex formulas.tex",
            _configure_latex, run_latex),
    Command("formulas", "list the derived formulas (text, LaTeX or JSON)",
            "rmtheory formulas --name c_w --latex",
            _configure_formulas, run_formulas),
)}


def build_parser():
    """The argument parser with one subparser per entry of :data:`COMMANDS`."""
    from . import __version__

    parser = _Parser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Model collapse under iterative retraining on mixed real and "
                    "synthetic labels. The main job is `rmtheory report` (figures, tables, "
                    "formulas). With no command: print the key results on built-in defaults.",
        epilog="examples:\n  rmtheory\n" + "".join(
            f"  {c.example}\n" for c in COMMANDS.values()))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for c in COMMANDS.values():
        p = sub.add_parser(c.name, help=c.help, description=c.help[:1].upper() + c.help[1:] + ".",
                           epilog=f"example:\n  {c.example}",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        c.configure(p)
    return parser, sub


def main(argv=None):
    """Run the command line; return the exit status (0 ok, 2 user mistake).

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    parser, sub = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help / --version
            return exc.code if isinstance(exc.code, int) else 0
        if args.command is None:
            return run_default(args, sys.stdout)
        command_parser = sub.choices[args.command]
        try:
            return COMMANDS[args.command].run(args, sys.stdout, command_parser)
        except (ValueError, TypeError) as exc:
            _fail(command_parser, exc)
        except ArithmeticError as exc:   # NoConvergence, PrecisionError, ...
            message = " ".join(str(exc).split()) or (
                f"{type(exc).__name__} inside the library (a bug: please report this command)")
            print(f"{command_parser.prog}: computation failed: {message}", file=sys.stderr)
            return 1
    except UsageError as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)
        return 2
    except BrokenPipeError:   # the reader went away (`rmtheory ... | head`)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
