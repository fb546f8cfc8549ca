"""Shared pytest fixtures and helpers."""
import mpmath
import pytest


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
