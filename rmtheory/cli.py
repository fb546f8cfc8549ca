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

Exit status, and what goes where
--------------------------------
Every command writes its output through one stdout writer (:class:`_Stdout`)
and its errors through :func:`main`, so the rules hold for all of them:

- ``0``: done.
- ``1``: a computation that does not converge, ``verify`` with a point
  failing its verdict test or a run whose worker/scheduler failed (the
  completed draws are still printed), or stdout that cannot be written
  (``> /dev/full``): one line on stderr.
- ``2``: a user mistake: one line on stderr naming the option, with a
  "did you mean" for a mistyped option, command or choice.
- ``130``: interrupted (Ctrl-C): what was computed is on stdout, one line
  on stderr says what is missing (``report`` keeps the previous report).
- ``141``: the reader of stdout went away (``rmtheory formulas | head``):
  quiet, the status a program killed by ``SIGPIPE`` has.

No error shows a traceback (``RMTHEORY_TRACEBACK=1`` shows one for an
unexpected error). Numbers in messages are shown as typed on the command
line, and an option not given is "not set". ``--json`` output is strict
JSON (``json.dumps(..., allow_nan=False)``): a number that is not finite
(an infinite risk, an undefined z-score) is ``null``, in every command.
An ``--output FILE`` of ``-`` writes to stdout.

Examples
--------
>>> from rmtheory.cli import main
>>> main(["formulas", "--name", "dynamic_weight"])
dynamic_weight  (eq:dynamic_weight)
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
from contextlib import contextmanager
import difflib
import json
import math
import os
import re
import signal
import sys
import threading
from typing import Callable, NamedTuple
import warnings

import sympy as sp

__all__ = ["Command", "COMMANDS", "main", "UsageError"]

PROG = "rmtheory"


class UsageError(Exception):
    """A user mistake: reported on one line, exit status 2."""


class _OutputError(Exception):
    """Writing to stdout failed (``error``: the ``OSError``); not an ``OSError``
    itself, so a command's own ``except OSError`` (a file it writes) does not
    mistake it for its own."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


class _Stdout:
    """The stdout of every command (and of ``--help``): the one place where a
    write error (a full disk, a closed pipe) is caught and turned into
    :class:`_OutputError`. ``written`` tells whether anything was printed."""

    def __init__(self, stream):
        self.stream = stream
        self.written = False

    def write(self, text):
        self.written = self.written or bool(text)
        try:
            return self.stream.write(text)
        except (OSError, ValueError) as exc:   # ValueError: stdout closed
            raise _OutputError(exc) from None

    def flush(self):
        try:
            self.stream.flush()
        except (OSError, ValueError) as exc:
            raise _OutputError(exc) from None


def _did_you_mean(word, candidates):
    """``"; did you mean X?"`` for the closest candidate, or ``""``."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


class _Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of printing usage and
    exiting, suggests the closest choice for a mistyped one, and prints help
    through :class:`_Stdout`."""

    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message}")

    def _check_value(self, action, value):
        if action.choices is not None and value not in action.choices:
            choices = [str(c) for c in action.choices]
            raise argparse.ArgumentError(
                action, f"invalid choice: {value!r}{_did_you_mean(str(value), choices)} "
                        f"(choose from {', '.join(map(repr, choices))})")
        return super()._check_value(action, value)

    def _print_message(self, message, file=None):
        if not message:
            return
        if file is None or file is sys.stdout:
            file = _Stdout(sys.stdout)
        file.write(message)

    def long_options(self):
        """Every ``--option`` of this parser (for suggestions)."""
        return [o for a in self._actions for o in a.option_strings
                if o.startswith("--") and o != "--help"]


def _unrecognized(parser, extras):
    """The usage error for arguments no option takes, with a suggestion per
    mistyped option (``--lamb`` → ``--lam``: not a prefix, so argparse's
    abbreviations do not catch it)."""
    names = [w.split("=", 1)[0] for w in extras if w.startswith("-") and not _is_number(w)]
    hints = []
    for name in names:
        close = difflib.get_close_matches(name, parser.long_options(), n=1, cutoff=0.6)
        if close:
            hints.append(close[0] if len(names) == 1 else f"{close[0]} for {name}")
    text = f"{parser.prog}: error: unrecognized arguments: {' '.join(extras)}"
    if hints:
        text += f"; did you mean {', '.join(hints)}?"
    return text


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


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
    lead = re.match(r"(\w+)(\[\d+\])?[\s:=]", message)
    if lead and lead.group(1) in options:
        return options[lead.group(1)]
    return None


#: library argument names that differ from the option's ``dest``
_ALIASES = {"T": "t", "z_threshold": "z_threshold", "ns": "n"}


def _fail(parser, message, option=None):
    message = " ".join(str(message).split())
    option = option or _option(parser, message)
    message = _for_the_shell(message, parser)
    prefix = f"{option}: " if option and not message.startswith(option) else ""
    raise UsageError(f"{parser.prog}: error: {prefix}{message}")


#: a number written with a point or an exponent (integers are left alone)
_FLOAT = re.compile(r"(?<![\w.])-?(?:\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)(?![\w.])")


def _typed_numbers(argv):
    """``{float value: text}`` of every number the user typed (``--eigs 1,4``
    gives ``1.0 → "1"`` and ``4.0 → "4"``), first spelling first."""
    typed = {}
    for token in argv or ():
        for piece in re.split(r"[,:=]", token):
            try:
                value = float(piece)
            except ValueError:
                continue
            if math.isfinite(value):
                typed.setdefault(value, piece.strip())
    return typed


def _for_the_shell(message, parser):
    """A library message as a shell user reads it: a number as it was typed
    (``received 1.0`` for ``--rho 1`` says ``received 1``), a float carrying
    rounding noise to 15 digits (``received sum 0.59999999999999998`` for
    ``--weights 0.3,0.3`` says ``0.6``), and Python's words in terms of the
    options (``t=None`` → ``--t not set``, ``method='simulate'`` →
    ``--method simulate``, another ``None`` → ``none``)."""
    typed = getattr(parser, "typed_numbers", {})

    def number(match):
        text = match.group(0)
        value = float(text)
        if value in typed:
            return typed[value]
        mantissa = re.split(r"[eE]", text)[0]
        if len(mantissa.replace("-", "").replace(".", "").lstrip("0")) > 15:
            return f"{value:.15g}"
        return text

    options = {a.dest: max(a.option_strings, key=len) for a in parser._actions
               if a.option_strings}

    def assigned(match):
        name, value = match.group(1), match.group(2)
        option = options.get(_ALIASES.get(name, name))
        if value == "None":
            return f"{option or name} not set"
        return f"{option} {value.strip(chr(39))}" if option else match.group(0)

    message = _FLOAT.sub(number, message)
    message = re.sub(r"\b(\w+)=(None\b|'[^']*')", assigned, message)
    return re.sub(r"\bNone\b", "none", message)


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
                        help="where to write the LaTeX document (- : print it to stdout)")


def run_latex(args, out, parser):
    """Write every formula as a standalone LaTeX document; print its path
    (``--output -``: print the document itself)."""
    from .printing import latex_document, write_latex

    if args.output == "-":
        out.write(latex_document())
        return 0
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
                       help=f"print JSON (a list; one object with --name; {_JSON_NOTE})")


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
        _print_json(items[0] if args.name is not None else items, out)
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


def _configure_derivation(parser):
    parser.add_argument("name", nargs="?", metavar="NAME",
                        help="a proof (p1_minnorm), its topic (minnorm), its number (1) or a "
                             "formula it derives (c_w); without NAME: list the derivations")
    parser.add_argument("--latex", action="store_true",
                        help="print the numbered steps as LaTeX instead of the Markdown proof")


def run_derivation(args, out, parser):
    """Print a machine-checked derivation (Markdown with LaTeX, or its steps as LaTeX)."""
    from .proofs import _PROOFS, derivation

    if args.name is None:
        for number, (name, summary) in enumerate(_PROOFS.items(), start=1):
            print(f"{number}  {name:<26}{summary}", file=out)
        return 0
    name = int(args.name) if args.name.isdigit() else args.name
    try:
        proof = derivation(name)
    except ValueError as exc:
        _fail(parser, str(exc).replace("name must be", "NAME must be"), "NAME")
    print(proof.latex() if args.latex else proof.markdown, end="", file=out)
    return 0


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
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table "
                        f"({_JSON_NOTE})")


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


#: how ``--json`` writes a number that is not finite (the ``--help`` wording)
_JSON_NOTE = "strict JSON: a number that is not finite, such as an infinite risk, is null"


def _json_ready(value):
    """``value`` with every non-finite number as ``None`` (JSON ``null``),
    mpmath/NumPy numbers as floats and tuples as lists."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        return _json_ready(value.item() if getattr(value, "ndim", 0) == 0 else value.tolist())
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float) or hasattr(value, "_mpf_"):
        number = float(value)
        return number if math.isfinite(number) else None
    return value


def _print_json(doc, out):
    """The one way every command prints JSON: strict (no ``Infinity``/``NaN``,
    which strict parsers refuse), non-finite numbers as ``null``."""
    print(json.dumps(_json_ready(doc), indent=2, ensure_ascii=False, allow_nan=False), file=out)


def _params_line(params):
    p = dict(params)
    spectrum = p.pop("spectrum")
    dps = p.pop("dps", None)
    scheme = p.pop("scheme", None)
    shown = {}
    for key in ("gamma", "lam", "sigma2", "r2", "t", "kappa_s"):
        if key in p:
            shown[key] = p.pop(key)
    spec = ", ".join(f"{k}={_short(v)}" for k, v in p.items() if v is not None)
    text = f"spectrum={spectrum}" + (f" ({spec})" if spec else "")
    text += "".join(f", {k}={'inf' if v is None and k == 't' else _short(v)}"
                    for k, v in shown.items())
    text += f", scheme={scheme}" if scheme is not None else ""
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


def _refuse_t0(args, parser):
    """At ``t = 0`` (one fit on real labels only) the risk does not depend on
    ``w``: there is no optimal weight to report, so say so instead of
    printing ``w* = 1``."""
    if args.t == 0:
        _fail(parser, "at t = 0 (one fit on real labels only) the risk does not depend on w, "
                      "so there is no optimal weight; give --t 1 or more, or leave --t out "
                      "for t -> inf", "--t")


def _configure_optimal_w(parser):
    _add_spectrum_options(parser)
    _add_model_options(parser)
    _add_certify_option(parser)


def _add_certify_option(parser):
    parser.add_argument("--certify", action="store_true",
                        help="certified digits: ball arithmetic with enclosures that provably "
                             "contain the limit theory's exact value (needs python-flint: "
                             'pip install "rmtheory[certified]")')


def _enclosure_lines(enclosures, d, out):
    """The enclosures of a certified result, one per line: both ends to ``d``
    digits (the digits they fix) and the half-width of the ball."""
    import mpmath
    for name, (lo, hi) in enclosures.items():
        radius = float(mpmath.fsub(hi, lo, exact=True)) / 2     # exact: no global precision
        print(f"  {name:<14}  [{_g(lo, d)}, {_g(hi, d)}]  (radius {radius:.1e})", file=out)


def _json_enclosures(enclosures):
    return {name: [_num(lo), _num(hi)] for name, (lo, hi) in enclosures.items()}


def run_optimal_w(args, out, parser):
    """The optimal real-data weight w* and the risk at w* and at w = 1."""
    import rmtheory as rt
    _refuse_t0(args, parser)
    extra = {"certify": True} if args.certify else {}
    res = rt.optimal_w(args.spectrum, **_model_kwargs(args), **_spectrum_kwargs(args, parser),
                       **extra)
    d = args.dps
    if args.json:
        doc = {"w": _num(res.w), "on_boundary": res.on_boundary, "risk": _num(res.risk.total),
               "bias": _num(res.risk.bias), "variance": _num(res.risk.variance),
               "risk_at_1": _num(res.risk_at_1.total), "gain": _num(res.gain),
               "relative_gain": _num(res.relative_gain),
               "digits": {"w": _g(res.w, d), "risk": _g(res.risk.total, d),
                          "risk_at_1": _g(res.risk_at_1.total, d)},
               "params": _json_params(res.params)}
        if res.enclosures is not None:
            doc["enclosures"] = _json_enclosures({**res.enclosures, **{
                f"risk.{k}": v for k, v in res.risk.enclosures.items()}})
        _print_json(doc, out)
        return 0
    rows = [("w*", _g(res.w, d)), ("on boundary", "yes (w* = 1)" if res.on_boundary else "no"),
            ("R(w*)", _g(res.risk.total, d)), ("R(1)", _g(res.risk_at_1.total, d)),
            ("R(1) - R(w*)", f"{_g(res.gain, d)}  ({float(res.relative_gain):.1%} of R(1))")]
    print(f"optimal weight  {_params_line(res.params)}", file=out)
    for label, value in rows:
        print(f"  {label:<12}  {value}", file=out)
    if res.enclosures is not None:
        print("  certified enclosures:", file=out)
        _enclosure_lines({**res.enclosures, **{f"R(w*) {k}": v for k, v in
                                               res.risk.enclosures.items()}}, d, out)
    return 0


def _configure_risk(parser):
    parser.add_argument("--w", type=_floats("w"), default=None, metavar="W[,W,...]",
                        help="real-data weight(s) in (0, 1], comma-separated (scheme mix)")
    parser.add_argument("--scheme", default="mix",
                        choices=("mix", "replace", "dynamic", "accumulate"),
                        help="retraining scheme (default mix, which needs --w; the others "
                             "choose their own weights)")
    _add_spectrum_options(parser)
    _add_model_options(parser)
    _add_certify_option(parser)


def run_risk(args, out, parser):
    """The limiting risk (bias, variance, total) at one or more weights, or of
    a scheme that chooses its own weights."""
    import rmtheory as rt
    spectrum = _spectrum_kwargs(args, parser)
    if args.scheme == "mix" and args.w is None:
        _fail(parser, "--w is required for --scheme mix (weights in (0, 1])", "--w")
    if args.scheme != "mix" and args.w is not None:
        _fail(parser, f"--scheme {args.scheme} chooses its own weights: leave --w out", "--w")
    weights = args.w if args.scheme == "mix" else (None,)
    extra = {"certify": True} if args.certify else {}
    results = [rt.limiting_risk(w, args.spectrum, scheme=args.scheme, **_model_kwargs(args),
                                **spectrum, **extra) for w in weights]
    d = args.dps
    if args.json:
        doc = {"params": _json_params(results[0].params),
               "records": [{"w": None if r.w is None else _num(r.w), "bias": _num(r.bias),
                            "variance": _num(r.variance),
                            "total": _num(r.total)} for r in results]}
        if args.certify:
            for record, r in zip(doc["records"], results):
                record["enclosures"] = _json_enclosures(r.enclosures)
        _print_json(doc, out)
        return 0
    print(f"limiting risk  {_params_line(results[0].params)}", file=out)
    print(_table(["w", "bias", "variance", "total"],
                 [[args.scheme if r.w is None else _g(r.w, d), _g(r.bias, d),
                   _g(r.variance, d), _g(r.total, d)] for r in results]), file=out)
    if args.certify:
        for r in results:
            print(f"  certified enclosures at w = {_g(r.w, d)}:", file=out)
            _enclosure_lines(r.enclosures, d, out)
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
    from .numeric.optimize import check_optimum_exists
    spectrum = _spectrum_kwargs(args, parser)
    lams = args.lams
    if any(lam < 0 for lam in lams):
        _fail(parser, f"every penalty must be >= 0, received {min(lams):g}", "--lams")
    _refuse_t0(args, parser)
    for lam in lams:   # a penalty without an optimum is refused before any computation
        check_optimum_exists(args.gamma, lam, args.t, args.kappa_s)
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
    lam_c = interrupted = None
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
        records = [{"lam": float(lam), "w": float(x), "on_boundary": bool(x == 1.0),
                    "risk": float(b + v)} for lam, x, b, v in zip(grid, w, bias, var)]
        params = dict(spectrum=spec.name, **spec.params, gamma=args.gamma, sigma2=args.sigma2,
                      r2=args.r2, t=None, kappa_s=args.kappa_s)
        digits = 10
    else:   # one penalty at a time (as rt.w_star_curve): Ctrl-C keeps the rows done
        kw.pop("lam", None)
        records, params = [], None
        try:
            for lam in lams:
                r = rt.optimal_w(args.spectrum, lam=float(lam), **kw, **spectrum)
                records.append({"lam": float(r.params["lam"]), "w": float(r.w),
                                "on_boundary": r.on_boundary, "risk": _num(r.risk.total),
                                "w_digits": _g(r.w, args.dps)})
                params = params or {k: v for k, v in r.params.items() if k != "lam"}
        except KeyboardInterrupt:
            if not records:
                raise
            interrupted = (f"interrupted after {len(records)} of {len(lams)} penalties; "
                           f"the {'JSON' if args.json else 'table'} above has those rows")
        digits = min(args.dps, 15)
    if args.json:
        doc = {"params": _json_params(params), "method": "float64" if args.fast else "mpmath",
               "critical_lambda": None if lam_c is None else float(lam_c),
               "complete": interrupted is None, "records": records}
        _print_json(doc, out)
        return _interrupted(interrupted)
    print(f"w*(lambda)  {_params_line(params)}", file=out)
    print(_table(["lambda", "w*", "boundary", "R(w*)"],
                 [[f"{r['lam']:.6g}", r.get("w_digits") or f"{r['w']:.{digits}g}",
                   "yes" if r["on_boundary"] else "no",
                   "inf" if r["risk"] is None else f"{r['risk']:.{digits}g}"] for r in records]),
          file=out)
    if lam_c is not None:
        print(f"critical lambda (w* = 1 for every lambda beyond it): {_g(lam_c, digits)}",
              file=out)
    return _interrupted(interrupted)


def _interrupted(detail):
    """A command's status once its partial output is printed: ``0``, or the
    interruption as a ``KeyboardInterrupt`` whose text :func:`main` prints."""
    if detail is not None:
        raise KeyboardInterrupt(detail)
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
                        help="pass if |verdict z| <= this (default 3)")
    parser.add_argument("--reference", default="auto",
                        choices=("auto", "exact", "extrapolated", "limit"),
                        help="what each point is tested against: the exact finite-n mean "
                             "where it exists, else the limit extrapolated over --ladder "
                             "(auto, the default); or only one of them; 'limit': the plain z "
                             "at n (it also measures the O(1/n) finite-size gap)")
    parser.add_argument("--ladder", type=_floats("ladder"), default=(0.25, 0.5, 1.0),
                        metavar="F[,F,...]",
                        help="fractions of n run for the extrapolation, ending with 1 "
                             "(default 0.25,0.5,1)")
    parser.add_argument("--backend", choices=("serial", "processes", "dask"), default="serial",
                        help="run the draws here, on all cores, or on a Dask cluster "
                             "(--address) (default serial)")
    parser.add_argument("--address", metavar="ADDR", default=None,
                        help="--backend dask: the scheduler address, e.g. tcp://host:8786")
    _add_spectrum_options(parser)
    _add_model_options(parser, lam=False, dps=False)


def run_verify(args, out, parser):
    """The limiting risk against the Monte Carlo mean over independent designs;
    exit status 1 when a point's verdict z (against the exact finite-n mean,
    or the limit extrapolated over --ladder) is beyond --z-threshold."""
    from .compare import verify
    from .montecarlo import SPECTRUM_DEFAULTS as MC_DEFAULTS
    from .numeric import SPECTRUM_DEFAULTS
    spectrum = _spectrum_kwargs(args, parser)
    if (args.backend == "dask") != (args.address is not None):
        _fail(parser, "--backend dask needs --address (a Dask scheduler, e.g. tcp://host:8786)"
              if args.backend == "dask" else
              f"--address is for --backend dask, not --backend {args.backend}",
              "--backend" if args.backend == "dask" else "--address")
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
                        reference={"exact": "exact finite-n",
                                   "extrapolated": "extrapolated limit"}.get(args.reference,
                                                                           args.reference),
                        ladder=tuple(args.ladder),
                        address=args.address, progress=None, **spectrum)
    if args.json:    # to_json writes Infinity for an infinite theory: map it like every command
        _print_json(json.loads(report.to_json()), out)
    else:
        print(report, file=out)
    # a run cut short keeps its completed draws (printed above) and says why on one line
    failure = getattr(report, "failure", None)
    if not report.complete or failure:
        what = "JSON" if args.json else "table"
        done = (f"{report.draws_completed} of {args.draws} draws completed; the {what} above "
                f"uses them")
        if failure and not _SIGINT.seen:
            raise _Failure(f"{' '.join(str(failure).split())} ({done})")
        raise KeyboardInterrupt(f"interrupted: {done}")
    return 0 if report.all_passed else 1


def _configure_report(parser):
    from .report import DEFAULT_OUTPUT
    parser.add_argument("--output", "-o", default=DEFAULT_OUTPUT, metavar="DIR",
                        help=f"folder to write (default ./{DEFAULT_OUTPUT}); the report is "
                             f"built beside it and moved in at the end, so an interrupted "
                             f"run leaves the previous report as it was")
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
    if args.output == "-":
        _fail(parser, "the report is a folder of files and cannot go to stdout ('-'); "
                      "give a folder", "--output")
    try:
        report = generate_report(args.output, quick=args.quick, seed=args.seed,
                                 progress=args.progress, formats=args.formats)
    except OSError as exc:       # a folder we may not write into, a full disk, ...
        _fail(parser, f"cannot write into {args.output!r}: {exc.strerror or exc}", "--output")
    from .experiments import calibration_of
    summary = report.directory / "summary.md"
    in_scope = [c for c in report.checks if c.in_scope]
    cal = calibration_of(report.checks)
    print(f"wrote {len(report.files)} files to {report.directory}/ in {report.seconds:.0f} s",
          file=out)
    print(f"  {summary}  (tables; Monte Carlo verdicts "
          f"{'calibrated' if cal.passed else 'NOT calibrated'}: {cal.beyond} of {cal.count} "
          f"z-scores beyond 3, KS p = {cal.ks_p:.2g}; {sum(c.agrees for c in in_scope)}/"
          f"{len(in_scope)} points pass their verdict test)", file=out)
    suffix = args.formats[0] if len(args.formats) == 1 else f"{{{','.join(args.formats)}}}"
    for data in report.figures:
        print(f"  {report.directory / data.name}.{suffix}  {data.title}", file=out)
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
    Command("derivation", "print the machine-checked derivation of a result",
            "rmtheory derivation c_w",
            _configure_derivation, run_derivation),
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


class _Failure(Exception):
    """A run that failed after printing what it completed: one line, exit status 1."""


class _SigintWatch:
    """Whether a real Ctrl-C (``SIGINT``) arrived while :func:`main` ran: a
    library may turn it into a partial result with a failure text, and the
    status must still be 130, not 1."""

    seen = False

    @contextmanager
    def watching(self):
        self.seen = False
        if (threading.current_thread() is not threading.main_thread()
                or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
            yield
            return

        def handler(signum, frame):
            self.seen = True
            raise KeyboardInterrupt
        signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)


_SIGINT = _SigintWatch()


def _quiet_stdout():
    """Point stdout's descriptor at /dev/null, so that the interpreter's last
    flush of what could not be written does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):   # no descriptor (a test's capture)
        pass


def _dispatch(argv, out, state):
    """Parse ``argv`` and run the command; return its exit status."""
    parser, sub = build_parser()
    try:
        args, extras = parser.parse_known_args(argv)
    except SystemExit as exc:  # --help / --version
        return exc.code if isinstance(exc.code, int) else 0
    except UsageError as exc:
        # "--outptu x.tex": argparse reports the missing --output, not the typo
        command = next((a for a in argv if a in sub.choices), None)
        known = sub.choices[command] if command else parser
        unknown = [a for a in argv if a.startswith("-") and not _is_number(a)
                   and not any(o.startswith(a.split("=", 1)[0]) for o in
                               [o for act in known._actions for o in act.option_strings])]
        if "arguments are required" in str(exc) and unknown:
            state["prog"] = known.prog
            raise UsageError(_unrecognized(known, unknown)) from None
        raise
    command_parser = sub.choices[args.command] if args.command else parser
    state["prog"] = command_parser.prog
    if extras:
        raise UsageError(_unrecognized(command_parser, extras))
    command_parser.typed_numbers = _typed_numbers(argv)
    state["parser"] = command_parser
    if args.command is None:
        return run_default(args, out)
    try:
        return COMMANDS[args.command].run(args, out, command_parser)
    except (ValueError, TypeError) as exc:
        _fail(command_parser, exc)
    except ArithmeticError as exc:   # NoConvergence, PrecisionError, ...
        message = " ".join(str(exc).split()) or (
            f"{type(exc).__name__} inside the library (a bug: please report this command)")
        raise _Failure(f"computation failed: {_for_the_shell(message, command_parser)}") \
            from None


def main(argv=None):
    """Run the command line; return the exit status.

    ``0`` ok, ``1`` a computation or run that failed (or stdout that cannot
    be written), ``2`` a user mistake, ``130`` interrupted, ``141`` the
    reader of stdout went away; every error is one line on stderr (see the
    module docstring).

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    out = _Stdout(sys.stdout)
    state = {"prog": PROG}

    def say(text):
        print(f"{state['prog']}: {' '.join(str(text).split())}", file=sys.stderr)

    try:
        with _SIGINT.watching(), warnings.catch_warnings(record=True) as caught:
            status = _dispatch(argv, out, state)
            out.flush()
        # after a clean run only: an interruption or a failure is one line in all
        for message in dict.fromkeys(str(w.message) for w in caught):
            say(f"warning: {message}")   # one line each (Python's show two)
        return status
    except UsageError as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)
        return 2
    except _OutputError as exc:
        _quiet_stdout()
        if isinstance(exc.error, BrokenPipeError):   # `rmtheory ... | head`: quiet
            return 141
        error = exc.error
        say(f"cannot write the output: {getattr(error, 'strerror', None) or error}")
        return 1
    except KeyboardInterrupt as exc:
        try:
            out.flush()        # the partial output first, then the one line
        except _OutputError:
            _quiet_stdout()
        detail = " ".join(str(exc).split())
        say(detail or ("interrupted; the output above is incomplete" if out.written
                       else "interrupted before any output"))
        return 130
    except _Failure as exc:
        try:
            out.flush()
        except _OutputError:
            _quiet_stdout()
        say(exc)
        return 1
    except Exception as exc:   # e.g. BrokenProcessPool, a Dask error: one line, no traceback
        if os.environ.get("RMTHEORY_TRACEBACK"):
            raise
        try:
            out.flush()
        except _OutputError:
            _quiet_stdout()
        message = " ".join(str(exc).split())
        parser = state.get("parser")
        if parser is not None:
            message = _for_the_shell(message, parser)
        say(f"failed: {type(exc).__name__}" + (f": {message}" if message else "")
            + " (RMTHEORY_TRACEBACK=1 shows the traceback)")
        return 1
