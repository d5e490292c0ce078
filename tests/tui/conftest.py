"""Fixtures for the console tests: a demo installation on SQLite, built once and copied, and
the console started on it, already logged in (``console_on``)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot

from pec_tui.core import clock
from pec_tui.storage.database import DatabaseTarget, open_database, sqlite_url
from tests.support.clock import clock_stopped_for_setup
from tests.support.console import Account, logged_in
from tests.support.constants import FIXED_NOW


@pytest.fixture(autouse=True)
def _picker_forgets_its_folder():
    """The file picker remembers the last folder for the whole process: each test starts afresh."""
    from pec_tui.widgets.file_picker import FilePicker

    FilePicker.last_folder = None
    yield
    FilePicker.last_folder = None


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pec_tui.demo import installation as demo

    with clock_stopped_for_setup():
        path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
        demo.create(path)
    return path


@pytest.fixture
def tui_clock(monkeypatch: pytest.MonkeyPatch) -> clock.ManualClock:
    manual = clock.ManualClock(FIXED_NOW)
    clock.set_clock(manual)
    yield manual
    clock.set_clock(None)


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tui_clock, session_audit_key):
    """A private copy of the demo database, opened; hermetic config and data folders."""
    monkeypatch.setenv("PEC_TUI_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data").mkdir(exist_ok=True)
    shutil.copy(session_audit_key, tmp_path / "data" / session_audit_key.name)  # the demo's trail was keyed with it
    monkeypatch.setenv("PEC_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("PEC_TUI_DATABASE", raising=False)
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    opened = open_database(DatabaseTarget(sqlite_url(path), "demo"))
    yield opened
    opened.close()


@pytest.fixture
def make_app(demo_db):
    from pec_tui.app import PecTuiApp

    def factory(**kwargs):
        kwargs.setdefault("inactivity_check_seconds", 3600)
        kwargs.setdefault("cursor_blink", False)
        return PecTuiApp(demo_db, **kwargs)

    return factory


@pytest.fixture
def console_on(make_app):
    """The console already logged in, on a module, for ``async with``::

        async with console_on("cbo", as_=MUNICIPAL_ADMIN) as pilot:
            ...

    ``key=None`` stays on Início. ``size`` and ``notifications`` go to ``run_test``; any other
    keyword to the app (``pec_home=...``). See :func:`tests.support.console.logged_in`."""

    @asynccontextmanager
    async def start(
        key: str | None = None,
        *,
        as_: Account,
        size: tuple[int, int] = (80, 24),
        notifications: bool = False,
        **app_options,
    ) -> AsyncIterator[Pilot]:
        app = make_app(**app_options)
        async with app.run_test(size=size, notifications=notifications) as pilot:
            await logged_in(pilot, key, as_=as_)
            yield pilot

    return start
