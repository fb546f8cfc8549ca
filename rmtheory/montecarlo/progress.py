"""Progress bars of the Monte Carlo layer: one decision, one bar.

``progress=True`` always shows a tqdm bar (and needs tqdm), ``False``
never does, and ``None`` (the default of :func:`~rmtheory.compare.verify`
and :func:`~rmtheory.montecarlo.simulate_retraining`) shows one on a
terminal when the estimated work exceeds :data:`PROGRESS_FLOPS`.

Examples
--------
>>> progress_bar(False, 1e15, 10, "verify", "draw").update()
>>> show_progress(None, 1.0)
False
"""
import sys

__all__ = ["PROGRESS_FLOPS", "NoBar", "show_progress", "have_tqdm", "progress_bar"]

#: ``progress=None`` shows a bar on a terminal when the estimated work
#: (floating-point operations, :mod:`.resources`) exceeds this: a few seconds
PROGRESS_FLOPS = 1e11


class NoBar:
    """What :func:`progress_bar` returns when no bar is shown."""

    def update(self, k=1):
        pass

    def close(self):
        pass


def show_progress(progress, work):
    """Whether to show a bar: ``progress`` itself, or for ``None`` a terminal
    on stderr and ``work >= PROGRESS_FLOPS``."""
    if progress is None:
        return bool(getattr(sys.stderr, "isatty", lambda: False)()) and work >= PROGRESS_FLOPS
    return progress


def have_tqdm():
    """True when tqdm can be imported."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def progress_bar(progress, work, total, desc, unit):
    """A tqdm bar of ``total`` steps on stderr, or a :class:`NoBar`.

    ``progress=None`` without tqdm installed gives no bar; ``progress=True``
    without it is an ``ImportError`` that says how to install it.
    """
    if not show_progress(progress, work) or total == 0:
        return NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:
        if progress is not True:       # progress=None: a bar only if tqdm is there
            return NoBar()
        raise ImportError("progress=True needs tqdm: pip install 'rmtheory[progress]'") from exc
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr)
