"""Process-wide switches: settings of the whole Python process, not of one thread or one call.

Both are tuning for a large load (the CNES import): they change how *every* thread of the process
runs, the console's own included, for as long as someone holds them. So each is a context
manager counted across threads: the first holder changes the setting, the others share it, and
the last one to leave puts back what was there before the first came. Hold them around the load
and nothing else.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = True
_switch_holders = 0
_switch_interval_before = 0.0


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, process-wide, while the block runs.

    A large import creates a few million tuples and strings and keeps hundreds of thousands
    alive (what the database has, by key); each automatic collection walks all of them again,
    which cost ~15% of a large import. Those objects hold no reference cycles (reference counting
    frees them). When the last holder leaves, the collector is enabled again if it was enabled
    before the first one came."""
    global _gc_holders, _gc_was_enabled
    with _lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()


@contextmanager
def gil_switch_interval_at_most(seconds: float) -> Iterator[None]:
    """Make a busy thread hand Python's GIL over after at most ``seconds`` (``sys.setswitchinterval``,
    process-wide; the default is 0.005), while the block runs.

    For a thread that needs the GIL only briefly and often, such as a writer thread between two
    ``COPY``: with the default it waits up to 5 ms each time for a busy thread to let go. When the
    last holder leaves, the interval is put back as it was before the first one came."""
    global _switch_holders, _switch_interval_before
    with _lock:
        if _switch_holders == 0:
            _switch_interval_before = sys.getswitchinterval()
        _switch_holders += 1
        sys.setswitchinterval(min(sys.getswitchinterval(), seconds))
    try:
        yield
    finally:
        with _lock:
            _switch_holders -= 1
            if _switch_holders == 0:
                sys.setswitchinterval(_switch_interval_before)
