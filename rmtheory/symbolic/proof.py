r"""A recorder for exact, step-by-step proofs written as Markdown.

A proof file (``proofs/p*.py``) builds a :class:`Proof`, adds prose with
:meth:`Proof.text` and checked steps with :meth:`Proof.equal` and
:meth:`Proof.holds`, and writes the document with :meth:`Proof.write`.
Every step is checked when it is added, **exactly**: an equality
``lhs = rhs`` is accepted only when a symbolic simplification route
reduces ``lhs − rhs`` to the integer ``0``, and floating-point numbers are
refused outright. A failed step raises :class:`ProofStepError` (an
``AssertionError``) naming the step, so a proof that runs to the end is a
proof whose every displayed line was verified.

.. math::

    \text{step accepted} \iff
    \operatorname{simplify}(\mathrm{lhs} - \mathrm{rhs}) \equiv 0
    \quad\text{(or an exact variant: radsimp, function expansion)}.

Examples
--------
>>> import sympy as sp
>>> from rmtheory.symbolic.proof import Proof
>>> x = sp.Symbol("x", positive=True)
>>> proof = Proof("Square of a sum", "A two-step proof.")
>>> proof.equal("Expand the square.", (x + 1)**2, x**2 + 2*x + 1, name="(x+1)^2")
>>> proof.holds("The square is positive.", ((x + 1)**2).is_positive,
...             latex=r"(x+1)^2 > 0")
>>> len(proof.steps)
2
>>> print(proof.to_markdown().splitlines()[0])
# Square of a sum
"""
import argparse
import re
from pathlib import Path
from typing import NamedTuple

import sympy as sp

__all__ = ["Proof", "ProofStep", "ProofStepError", "is_exactly_zero", "run_proof"]

#: derived expressions whose LaTeX is longer than this are not displayed
_MAX_DISPLAY = 700


class ProofStepError(AssertionError):
    """A step of a :class:`Proof` could not be verified exactly."""


class ProofStep(NamedTuple):
    """One checked step: its number, words, LaTeX and how it was checked."""
    number: int
    description: str
    latex: str
    method: str


def _simplify_route(expr):
    return sp.simplify(expr)


def _radsimp_route(expr):
    return sp.simplify(sp.radsimp(sp.together(expr)))


def _function_route(expr):
    # constants such as GoldenRatio become radicals; then rationalise
    expanded = sp.expand(expr, func=True)
    return sp.simplify(sp.radsimp(sp.together(expanded)))


def _cancel_route(expr):
    return sp.cancel(sp.together(sp.expand(expr)))


#: exact rewriting routes, cheapest first; each must return 0 to accept
_ROUTES = (("simplify", _simplify_route),
           ("radsimp", _radsimp_route),
           ("expand(func=True) + radsimp", _function_route),
           ("expand + cancel", _cancel_route))


def _has_float(value):
    if isinstance(value, float):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_float(v) for v in value)
    return isinstance(value, sp.Basic) and bool(value.atoms(sp.Float))


def is_exactly_zero(expr):
    """Name of the first exact route that reduces ``expr`` to ``0``, else ``None``.

    Only symbolic rewriting is used (no numerical evaluation), so a
    returned route is a proof that ``expr`` vanishes identically under the
    assumptions on its symbols.

    Parameters
    ----------
    expr : sympy.Expr or int
        The expression to test; must not contain floating-point numbers.

    Returns
    -------
    str or None
        The route that gave ``0`` (``"identical"``, ``"simplify"``, ...).

    Raises
    ------
    ValueError
        If ``expr`` contains a floating-point number.

    Examples
    --------
    >>> import sympy as sp
    >>> from rmtheory.symbolic.proof import is_exactly_zero
    >>> is_exactly_zero(1 / sp.GoldenRatio - (sp.sqrt(5) - 1) / 2)
    'simplify'
    >>> is_exactly_zero(sp.sqrt(2) - sp.Rational(141421, 100000)) is None
    True
    """
    if _has_float(expr):
        raise ValueError(f"expr must be exact (no floating-point numbers), received {expr}")
    expr = sp.sympify(expr)
    if expr == 0:
        return "identical"
    for name, route in _ROUTES:
        if route(expr) == 0:
            return name
    return None


def _model_symbol_names():
    """How the internal symbols of the derivations print."""
    from . import dynamic, minnorm, model, recursion
    names = {model._eps_real: r"\varepsilon_{t}",
             model._eps_synth: r"\tilde{\varepsilon}_{t}",
             model._b_prev: r"b_{t-1}", model._mu_prev: r"\mu_{t-1}",
             model._var_prev: r"V_{t-1}", recursion.a_prev: r"a_{t-1}",
             recursion.u_prev: r"u_{t-1}", minnorm.c_prev: r"c_{t-1}",
             minnorm.geometric_term: r"g_{t}", dynamic._v: r"v_{t-1}",
             dynamic._F_odd: r"F_{2t-1}", dynamic._F_even: r"F_{2t}"}
    return names


def _latex(value, names=None):
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return r"\left(" + ", ".join(_latex(v, names) for v in value) + r"\right)"
    # SymPy prints GoldenRatio as \phi; the documents write \varphi
    return re.sub(r"\\phi(?![A-Za-z])", r"\\varphi",
                  sp.latex(value, symbol_names=names or {}))


class Proof:
    r"""An exact proof, recorded step by step and rendered as Markdown.

    Parameters
    ----------
    title : str
        Title of the document (a level-1 heading).
    intro : str, optional
        Markdown paragraph placed under the title.
    symbol_names : dict, optional
        Extra LaTeX names for symbols (``sympy.latex(symbol_names=...)``);
        the internal symbols of the derivations (``b_{t-1}``, ``a_{t-1}``,
        ...) already print in the paper's notation.

    Notes
    -----
    Equalities are accepted when :func:`is_exactly_zero` succeeds on
    ``lhs − rhs``; truths (``holds``) when the statement is Python's
    ``True`` or SymPy's ``true``. Nothing is ever compared in floating
    point. In the document every step reads

    .. math::

        \text{name} = \text{derived expression} = \text{closed form},

    followed by the route that verified it.

    Examples
    --------
    >>> import sympy as sp
    >>> from rmtheory.symbolic.proof import Proof
    >>> w = sp.Symbol("w", positive=True)
    >>> proof = Proof("Golden ratio", "The root of w^2 + w - 1 in (0, 1].")
    >>> root = [r for r in sp.solve(w**2 + w - 1, w) if r.is_positive][0]
    >>> proof.equal("The positive root is 1/phi.", root, 1 / sp.GoldenRatio,
    ...             name=r"w^\star")
    >>> proof.equal("A false step.", root, sp.Rational(618, 1000))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rmtheory.symbolic.proof.ProofStepError: step 2 failed: A false step. ...
    >>> "$$" in proof.to_markdown()
    True
    """

    def __init__(self, title, intro="", *, symbol_names=None):
        if not isinstance(title, str) or not title.strip():
            raise TypeError(f"title must be a non-empty str, received {title!r}")
        if not isinstance(intro, str):
            raise TypeError(f"intro must be a str, received {type(intro).__name__}")
        self.title = title
        self.intro = intro
        self.symbol_names = {**_model_symbol_names(), **(symbol_names or {})}
        self._blocks = []
        self._steps = []

    def __repr__(self):
        return f"Proof({self.title!r}, {len(self._steps)} steps)"

    @property
    def steps(self):
        """The verified steps, in order (a tuple of :class:`ProofStep`)."""
        return tuple(self._steps)

    # -- prose ---------------------------------------------------------
    def section(self, heading):
        """Start a level-2 section called ``heading``."""
        self._blocks.append(f"## {heading}")

    def text(self, markdown):
        """Add a paragraph of Markdown (inline math as ``$...$``)."""
        if not isinstance(markdown, str):
            raise TypeError(f"markdown must be a str, received {type(markdown).__name__}")
        self._blocks.append(markdown.strip())

    def display(self, latex):
        """Display unchecked math (a definition, or the model itself):
        a LaTeX string or a SymPy expression."""
        self._blocks.append(f"$$\n{self.latex(latex)}\n$$")

    def latex(self, value):
        """LaTeX of ``value`` with this proof's symbol names (strings pass through)."""
        return _latex(value, self.symbol_names)

    # -- checked steps -------------------------------------------------
    def _record(self, description, latex, method):
        step = ProofStep(len(self._steps) + 1, description, latex, method)
        self._steps.append(step)
        self._blocks.append(f"**Step {step.number}.** {description}\n\n$$\n{latex}\n$$\n\n"
                            f"*Verified exactly ({method}).*")

    def _fail(self, description, reason):
        raise ProofStepError(f"step {len(self._steps) + 1} failed: {description} ({reason})")

    def equal(self, description, lhs, rhs, *, name=None, latex=None):
        r"""Check ``lhs = rhs`` exactly and record it.

        Parameters
        ----------
        description : str
            What the step says, in words (Markdown).
        lhs, rhs : sympy.Expr, sympy.Set, or list/tuple of these
            The derived expression and the closed form it must equal.
            Sequences are compared element by element; sets structurally.
        name : str, optional
            LaTeX name of the quantity; displayed as
            ``name = lhs = rhs`` (``lhs`` is left out when its LaTeX is
            very long or the same as that of ``rhs``).
        latex : str, optional
            Replace the whole display with this LaTeX.

        Raises
        ------
        ProofStepError
            If ``lhs − rhs`` does not reduce to ``0`` exactly.
        ValueError
            If either side contains a floating-point number.
        """
        for side, value in (("lhs", lhs), ("rhs", rhs)):
            if _has_float(value):
                raise ValueError(f"{side} must be exact (no floating-point numbers), "
                                 f"received {value}")
        method = self._compare(description, lhs, rhs)
        if latex is None:
            left, right = self.latex(lhs), self.latex(rhs)
            parts = [name] if name is not None else []
            if left != right and (name is None or len(left) <= _MAX_DISPLAY):
                parts.append(left)
            parts.append(right)
            latex = r" \\ &= ".join(parts[1:])
            latex = (r"\begin{aligned}" + parts[0] + " &= " + latex + r"\end{aligned}"
                     if len(parts) > 1 else parts[0])
        self._record(description, latex, method)

    def _compare(self, description, lhs, rhs):
        if isinstance(lhs, (list, tuple)) or isinstance(rhs, (list, tuple)):
            if not (isinstance(lhs, (list, tuple)) and isinstance(rhs, (list, tuple))):
                self._fail(description, "a sequence compared with a non-sequence")
            if len(lhs) != len(rhs):
                self._fail(description, f"lengths differ: {len(lhs)} != {len(rhs)}")
            methods = {self._compare(description, a, b) for a, b in zip(lhs, rhs)}
            return ", ".join(sorted(methods))
        if isinstance(lhs, sp.Set) or isinstance(rhs, sp.Set):
            if lhs == rhs or sp.Eq(lhs, rhs) is sp.true:
                return "set equality"
            self._fail(description, f"{lhs} != {rhs}")
        method = is_exactly_zero(sp.sympify(lhs) - sp.sympify(rhs))
        if method is None:
            self._fail(description, f"lhs - rhs does not simplify to 0: lhs = {lhs}, rhs = {rhs}")
        return method

    def holds(self, description, statement, *, latex=None):
        r"""Check that an exact statement is true and record it.

        Parameters
        ----------
        description : str
            What the step says, in words.
        statement : bool or sympy.logic.boolalg.Boolean
            An exact truth: ``expr.is_positive``, a set equality
            ``A == B``, or a SymPy relation that simplifies to ``true``.
            ``None`` (SymPy's "unknown") fails.
        latex : str, optional
            LaTeX of the statement; defaults to that of ``statement``
            when it is an unevaluated SymPy relation.

        Raises
        ------
        ProofStepError
            If the statement is not provably true.
        """
        atom = sp.logic.boolalg.BooleanAtom
        if isinstance(statement, sp.Basic) and not isinstance(statement, atom):
            if latex is None:
                latex = self.latex(statement)
            statement = sp.simplify(statement)
        if not (statement is True or statement is sp.true):
            self._fail(description, f"the statement is {statement}, not True")
        self._record(description, latex if latex is not None else r"\text{true}",
                     "exact truth value")

    def positive(self, description, expr, *, name=None):
        """Check ``expr > 0`` from the assumptions on its symbols and record it.

        Tried in turn: the sign of ``expr``, of ``simplify(expr)`` and of
        ``radsimp(1/expr)`` (rationalising turns ``a - √b`` into
        ``(a² − b)/(a + √b)``, whose sign the assumptions may settle).
        """
        if _has_float(expr):
            raise ValueError(f"expr must be exact (no floating-point numbers), received {expr}")
        expr = sp.sympify(expr)
        routes = (("sign from the assumptions", lambda: expr),
                  ("sign of simplify", lambda: sp.simplify(expr)),
                  ("sign of the rationalised reciprocal", lambda: sp.radsimp(1 / expr)),
                  ("sign of the simplified rationalised reciprocal",
                   lambda: sp.simplify(sp.radsimp(1 / expr))))
        method = next((name_ for name_, route in routes if route().is_positive is True), None)
        if method is None:
            self._fail(description, f"{expr} is not provably positive")
        shown = self.latex(expr) if name is None else f"{name} = {self.latex(expr)}"
        self._record(description, f"{shown} > 0", method)

    # -- output --------------------------------------------------------
    def to_markdown(self):
        """The whole proof as a Markdown string with ``$$ ... $$`` math."""
        head = [f"# {self.title}"]
        if self.intro:
            head.append(self.intro.strip())
        tail = [f"---\n\nAll {len(self._steps)} steps were verified exactly with SymPy "
                "(no floating-point arithmetic)."]
        return "\n\n".join(head + self._blocks + tail) + "\n"

    def write(self, path):
        """Write :meth:`to_markdown` to ``path`` (parents created); return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_markdown(), encoding="utf-8")
        return path


def run_proof(build, filename, *, default_dir, argv=None):
    """Command line of a proof file: build the proof, write it, report.

    Parameters
    ----------
    build : callable
        Returns a finished :class:`Proof` (raising if a step fails).
    filename : str
        Name of the Markdown file, e.g. ``"p1_minnorm.md"``.
    default_dir : str or pathlib.Path
        Directory used when ``--output`` is not given.
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    parser = argparse.ArgumentParser(description=f"Verify and write {filename}.")
    parser.add_argument("--output", default=str(default_dir),
                        help="directory for the Markdown proof (default: %(default)s)")
    args = parser.parse_args(argv)
    proof = build()
    path = proof.write(Path(args.output) / filename)
    print(f"{proof.title}: {len(proof.steps)} steps verified exactly; wrote {path}")
    return path
