"""Process-wide switches are counted: overlapping holders put back what was there before the first."""

from __future__ import annotations

import gc
import sys

from pec_tui.core.process import cyclic_gc_paused, gil_switch_interval_at_most


def test_overlapping_gc_pauses_restore_the_collector_once_the_last_leaves():
    assert gc.isenabled()
    first = cyclic_gc_paused()
    second = cyclic_gc_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first holder leaves while the second still holds
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    try:
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_switch_intervals_restore_the_original_interval():
    before = sys.getswitchinterval()
    first = gil_switch_interval_at_most(0.001)
    second = gil_switch_interval_at_most(0.0005)
    first.__enter__()
    assert sys.getswitchinterval() <= 0.001
    second.__enter__()
    assert sys.getswitchinterval() <= 0.0005
    first.__exit__(None, None, None)  # out of order: the first holder leaves first
    assert sys.getswitchinterval() <= 0.0005
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before
