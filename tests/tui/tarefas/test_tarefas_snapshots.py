"""Snapshots of Tarefas agendadas at 80x24 and 120x40 (review the SVG report before updating:
``pytest tests/tui/tarefas/test_tarefas_snapshots.py --snapshot-update``). The clock is fixed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pec_tui.screens.tarefas import TarefasScreen
from pec_tui.storage.migrations import LATEST_VERSION
from pec_tui.widgets.dialogs import PathDialog
from tests.support.console import INSTALLATION_ADMIN, logged_in, settle, wait_until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_tarefas(snap_compare, make_app, size):
    async def ready(pilot):
        await logged_in(pilot, "tarefas", as_=INSTALLATION_ADMIN)
        screen = pilot.app.screen
        assert isinstance(screen, TarefasScreen)
        await wait_until(pilot, lambda: screen.overview is not None)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


def test_tarefas_after_run_now(snap_compare, make_app):
    async def ready(pilot):
        await logged_in(pilot, "tarefas", as_=INSTALLATION_ADMIN)
        screen = pilot.app.screen
        await wait_until(pilot, lambda: screen.overview is not None)
        await pilot.press("down", "down", "x")
        await wait_until(pilot, lambda: str(screen.table.get_row_at(2)[4]) == "sucesso")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=ready)


@pytest.fixture
def relative_data(tmp_path, monkeypatch) -> Path:
    """The folder is on screen: relative, the same every run; the data (the audit key) comes along."""
    shutil.copytree(os.environ["PEC_TUI_DATA_DIR"], tmp_path / "dados", dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PEC_TUI_DATA_DIR", "dados")
    return tmp_path / "dados"


@pytest.mark.parametrize("size", SIZES)
def test_tarefas_copies_tab(snap_compare, make_app, relative_data, size):
    async def ready(pilot):
        await logged_in(pilot, "tarefas", as_=INSTALLATION_ADMIN)
        screen = pilot.app.screen
        await wait_until(pilot, lambda: screen.overview is not None)
        # No copy yet (a copy's SHA-256 differs run to run: its rows are checked by the Pilot test).
        await pilot.press("v")
        await wait_until(pilot, lambda: screen.copies_table.has_focus)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_tarefas_verify_asks_for_the_identity(snap_compare, make_app, relative_data, size):
    folder = relative_data / "copias"
    folder.mkdir()
    name = "pec-tui-20261120-080000.sqlite3.age"
    (folder / name).write_bytes(b"age" * 100)  # a fixed copy: the same SHA-256 every run
    manifest = {
        "arquivo": name, "banco": "sqlite", "versao_esquema": LATEST_VERSION, "tamanho": 300,
        "sha256": "ab" * 32, "data": "2026-11-20 08:00:00", "cifrada": True, "contagens": {},
    }  # fmt: skip
    (folder / (name + ".manifest.json")).write_text(json.dumps(manifest))

    async def ready(pilot):
        await logged_in(pilot, "tarefas", as_=INSTALLATION_ADMIN)
        screen = pilot.app.screen
        await wait_until(pilot, lambda: screen.overview is not None)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PathDialog))
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)
