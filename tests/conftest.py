"""Shared pytest fixtures."""
import mpmath
import pytest


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
