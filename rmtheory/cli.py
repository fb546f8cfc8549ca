"""Command line: ``rmtheory [COMMAND] [OPTIONS]``.

With no command, ``rmtheory`` runs the main job on built-in defaults: it
prints the key derived results (the variance factor ``c(w)``, the optimal
weight ``w* = 1/φ``, its ``κ_s`` generalisation, the dynamic schedule and the
isotropic min-norm risk). Commands are plain functions registered in
:data:`COMMANDS`; adding one is adding one :class:`Command` to that table.

A user mistake exits with status 2 and one line on stderr naming the
option; it never shows a traceback.

Examples
--------
>>> from rmtheory.cli import main
>>> main(["formulas", "--name", "dynamic_weight"])
dynamic_weight  (eq:dynamic-weight)
    greedy dynamic weight, w_0 = 1; equals F_{2t+1}/F_{2t+2}
    w_t = (w_{t-1} + 1)/(w_{t-1} + 2)
0
"""
import argparse
import json
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
    """The ``--option`` that a library error message is about, if any."""
    for action in parser._actions:
        if action.option_strings and (message.startswith(action.dest + " ")
                                      or message.startswith(action.dest + ":")):
            return action.option_strings[-1]
    return None


def _fail(parser, message, option=None):
    message = " ".join(str(message).split())
    option = option or _option(parser, message)
    prefix = f"{option}: " if option and not message.startswith(option) else ""
    raise UsageError(f"{parser.prog}: error: {prefix}{message}")


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
      "real and synthetic labels (built-in defaults; `rmtheory --help` lists commands)",
      "")
    p("Min-norm interpolation (gamma = p/n > 1), stationary variance factor",
      "R_inf(w) = B_0 + c(w) V_0 with",
      f"  c(w) = {sp.sstr(c_w.rhs.doit())}",
      f"  c_t(w) -> c(w); pure synthetic (w = 0) gives c_t(0) = 1 + t: collapse",
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


#: every subcommand, in ``--help`` order; later ones (``optimal-w``, ``risk``,
#: ``curve``, ``verify``, ``report``) are added here the same way
COMMANDS = {c.name: c for c in (
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
                    "synthetic labels. With no command: print the key results on "
                    "built-in defaults.",
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
    except UsageError as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)
        return 2
