r"""The mpmath context the numeric layer computes in: private per thread.

mpmath keeps its working precision in one process-wide object,
``mpmath.mp``; ``mp.workdps`` changes it for every thread at once. A
library that raised it there would hand a user's own mpmath code in
another thread 218 digits mid-call, and two of its own calls in two
threads would round each other's numbers. So the numeric layer never
names ``mpmath.mp``: it imports :data:`mp` from here, a stand-in that
forwards every attribute to

* the calling thread's **private** :class:`mpmath.MPContext` while
  :func:`private_context` is active — every public entry point
  (:mod:`rmtheory.api`, :func:`~rmtheory.numeric.make_spectrum`, the
  ``Spectrum`` constructors) runs inside one, so nothing it does touches
  ``mpmath.mp``;
* ``mpmath.mp`` otherwise, so that the numeric layer used directly keeps
  its documented meaning: it works at the *ambient* precision that the
  caller chose with ``mpmath.mp.workdps``.

Numbers made in a private context are instances of that context's own
``mpf`` class. :func:`export` turns them into the caller's
``mpmath.mpf`` exactly (the binary value is copied, nothing is rounded),
and it is what every public function returns. Values a cache keeps (the
quadrature rules of a spectrum) are keyed by :func:`context_key` as well
as the precision: in mpmath the left operand's context rounds a
product, so a number from another context would round at that
context's precision.

Formulas lambdified by SymPy for ``"mpmath"`` refer to the functions of
``mpmath.mp`` (``sqrt``, ``mpf``, ...); :func:`contextual` rebinds them to
the active context (one copy of the function per context, made on first
use).

Examples
--------
>>> import mpmath
>>> from rmtheory.numeric.context import mp, private_context, export
>>> before = mpmath.mp.dps
>>> with private_context():
...     with mp.workdps(50):
...         third = mp.mpf(1) / 3
>>> mpmath.mp.dps == before, mpmath.mp.nstr(export(third), 40)
(True, '0.3333333333333333333333333333333333333333')
"""
import contextlib
import functools
import threading
import types
import weakref

import mpmath
from mpmath import libmp

__all__ = ["mp", "private_context", "active_context", "context_key", "export",
           "contextual", "is_mpf", "is_mpc"]


class _ThreadState(threading.local):
    def __init__(self):
        # made lazily, one per thread, and kept: its caches (lambdified
        # copies, quadrature rules) are reused by the thread's later calls
        self.private = None
        self.depth = 0
        self.saved = []


_state = _ThreadState()


def _private():
    ctx = _state.private
    if ctx is None:
        ctx = _state.private = mpmath.MPContext()
    return ctx


def active_context():
    """The context in force: the thread's private one inside
    :func:`private_context`, else ``mpmath.mp``."""
    return _state.private if _state.depth else mpmath.mp


def context_key():
    """A hashable key of the active context, for caches of mpf values."""
    return id(active_context())


class _Proxy:
    """``mp`` of the numeric layer: attribute access goes to the active context."""
    __slots__ = ()

    # __getattribute__, not __getattr__: a failed ordinary lookup first
    # would cost four times the forwarding itself (~0.4 µs against ~0.1 µs)
    def __getattribute__(self, name):
        return getattr(_state.private if _state.depth else mpmath.mp, name)

    def __setattr__(self, name, value):
        setattr(_state.private if _state.depth else mpmath.mp, name, value)

    def __repr__(self):
        return f"<rmtheory mpmath context: {active_context()!r}>"


#: the mpmath context of the numeric layer (see the module docstring)
mp = _Proxy()


class private_context(contextlib.ContextDecorator):
    """Run a block (or, as a decorator, a function) in the thread's private
    mpmath context.

    Re-entrant (nested public calls share the thread's context). On entry
    the private context starts at 15 digits, whatever an earlier call
    left; on exit its precision is restored. ``mpmath.mp`` is never read
    or written.
    """
    def __enter__(self):
        ctx = _private()
        # a stack, not one attribute: as a decorator one instance serves
        # every call, in every thread, nested or not
        _state.saved.append(ctx.prec)
        if _state.depth == 0:
            ctx.prec = 53
        _state.depth += 1
        return ctx

    def __exit__(self, *exc):
        _state.depth -= 1
        _state.private.prec = _state.saved.pop()
        return False


def is_mpf(x):
    """True for an mpmath real of any context."""
    return isinstance(x, mpmath.ctx_mp_python._mpf)


def is_mpc(x):
    """True for an mpmath complex of any context."""
    return isinstance(x, mpmath.ctx_mp_python._mpc)


def export(value):
    """``value`` with its mpmath numbers as ``mpmath.mpf``/``mpmath.mpc`` of the
    global context, bit for bit (tuples and lists element-wise; anything
    else as is). No precision is read, so this is safe in any thread."""
    if is_mpf(value):
        return mpmath.mp.make_mpf(value._mpf_)
    if is_mpc(value):
        return mpmath.mp.make_mpc(value._mpc_)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(export(v) for v in value)
    if isinstance(value, list):
        return [export(v) for v in value]
    return value


def add_at(x, y, dps):
    """``x + y`` of two mpf rounded to ``dps`` digits, as a global ``mpf``,
    without any context's precision (``libmp`` directly)."""
    prec = libmp.dps_to_prec(dps)
    return mpmath.mp.make_mpf(libmp.mpf_add(x._mpf_, y._mpf_, prec, libmp.round_nearest))


def sub_at(x, y, dps):
    """``x − y`` rounded to ``dps`` digits (see :func:`add_at`)."""
    prec = libmp.dps_to_prec(dps)
    return mpmath.mp.make_mpf(libmp.mpf_sub(x._mpf_, y._mpf_, prec, libmp.round_nearest))


def div_at(x, y, dps):
    """``x / y`` rounded to ``dps`` digits (see :func:`add_at`)."""
    prec = libmp.dps_to_prec(dps)
    return mpmath.mp.make_mpf(libmp.mpf_div(x._mpf_, y._mpf_, prec, libmp.round_nearest))


def evaluate_sympy(value):
    """A numeric SymPy expression (``gamma(1/3)``, ``besselj(0, 1)``) as an mpf
    or mpc of the active context, at its precision.

    SymPy's own ``evalf`` of a function runs ``mpmath.workprec`` on the
    global context; here the expression is lambdified and evaluated with
    the active context's functions instead, so ``mpmath.mp`` is untouched.
    """
    return _number_function(value)()


@functools.lru_cache(maxsize=256)
def _number_function(value):
    """The lambdified ``value``, made once: a public call evaluates each
    argument at least four times (validation at two precisions, the two
    confirming evaluations)."""
    import sympy as sp
    return contextual(sp.lambdify((), value, "mpmath"))


class contextual:
    """A function lambdified for ``"mpmath"``, evaluated with the functions of
    the active context instead of those of ``mpmath.mp``.

    SymPy's generated code looks its names (``mpf``, ``sqrt``, ...) up in
    the function's globals; a copy of the function whose globals bind
    them to the active context is made once per context.
    """
    __slots__ = ("_function", "_names", "_copies", "__weakref__")

    def __init__(self, function):
        self._function = function
        code_names = set()
        stack = [function.__code__]
        while stack:                      # names of nested code objects too
            code = stack.pop()
            code_names.update(code.co_names)
            stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        self._names = tuple(n for n in code_names
                            if n in function.__globals__ and hasattr(mpmath.mp, n))
        self._copies = weakref.WeakKeyDictionary()

    def _for(self, ctx):
        copy = self._copies.get(ctx)
        if copy is None:
            namespace = dict(self._function.__globals__)
            namespace.update({n: getattr(ctx, n) for n in self._names})
            f = self._function
            copy = types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__,
                                      f.__closure__)
            self._copies[ctx] = copy
        return copy

    def __call__(self, *args):
        if not _state.depth:
            return self._function(*args)
        return self._for(_state.private)(*args)
