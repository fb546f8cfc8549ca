"""Shared pytest fixtures and helpers."""
import contextlib

import mpmath
import pytest


@contextlib.contextmanager
def counting_newton():
    """Count the residual evaluations of every bracketed-Newton solve of κ
    made inside the block: yields a list that gets one count per solve
    (work counted instead of seconds timed, so the tests do not depend on
    the machine's load)."""
    from rmtheory.numeric import fixed_point
    counts = []
    original = fixed_point._bracketed_newton

    def counting(fun, *args):
        calls = []

        def counted(x):
            calls.append(x)
            return fun(x)
        try:
            return original(counted, *args)
        finally:
            counts.append(len(calls))
    fixed_point._bracketed_newton = counting
    try:
        yield counts
    finally:
        fixed_point._bracketed_newton = original


def one_line(err, *fragments):
    """``err`` is exactly one line, no traceback, holding every fragment; returns it."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture(autouse=True)
def _mp_dps_unchanged():
    """Library code must never change ``mpmath.mp.dps`` globally (it uses
    ``workdps``). Fail a test that leaks a change, and restore the value so
    one leak cannot cascade into other tests."""
    saved = mpmath.mp.dps
    yield
    leaked = mpmath.mp.dps
    mpmath.mp.dps = saved
    assert leaked == saved, f"mpmath.mp.dps changed from {saved} to {leaked} during the test"
