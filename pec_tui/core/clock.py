"""One clock for the whole program, replaceable in tests (a fixed or advancing clock)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

_now: Callable[[], dt.datetime] = dt.datetime.now


def now() -> dt.datetime:
    """Local time without tzinfo, to the second (what PEC stores)."""
    return _now().replace(microsecond=0)


def set_clock(func: Callable[[], dt.datetime] | None) -> None:
    """Install ``func`` as the clock; ``None`` restores the real one."""
    global _now
    _now = func or dt.datetime.now


class ManualClock:
    """A clock that only moves when told to (tests, benchmarks)."""

    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)
