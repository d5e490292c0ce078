"""The fixed clock for session fixtures, which migrate or build a database outside any test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pec_tui.core import clock as clock_module
from pec_tui.core.clock import ManualClock
from tests.support.constants import FIXED_NOW


@contextmanager
def clock_stopped_for_setup() -> Iterator[None]:
    """The fixed clock while a session fixture migrates, then whatever clock was there before
    (a session fixture may be set up in the middle of a test that has its own clock)."""
    previous = clock_module._now
    clock_module.set_clock(ManualClock(FIXED_NOW))
    try:
        yield
    finally:
        clock_module.set_clock(previous)
