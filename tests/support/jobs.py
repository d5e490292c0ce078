"""The scheduler under the tests' clock: ``schedule`` reads ``datetime.datetime.now()``, which the
fixture :func:`schedule_follows_clock` points at :func:`pec_tui.core.clock.now`."""

from __future__ import annotations

import datetime as dt
import threading
import types

import pytest
import schedule

from pec_tui.core import clock


class _ClockDatetime(dt.datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return clock.now()


@pytest.fixture
def schedule_follows_clock(monkeypatch):
    shim = types.ModuleType("datetime")
    shim.__dict__.update(dt.__dict__)
    shim.datetime = _ClockDatetime
    monkeypatch.setattr(schedule, "datetime", shim)


def wait_for_jobs(scheduler, timeout: float = 10.0) -> None:
    """Join the job threads the last ``tick`` started."""
    for thread in list(scheduler._threads.values()):
        thread.join(timeout)
        assert not thread.is_alive(), f"a tarefa {thread.name} não terminou em {timeout} s"


class Gate:
    """A job body that waits until released (an overrunning job)."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, ctx):
        from pec_tui.domain.tarefas.catalogue import Outcome

        self.started.set()
        assert self.release.wait(30)
        return Outcome("lenta terminou")
