"""Snapshots of Tarefas agendadas at 80x24 and 120x40 (review the SVG report before updating:
``pytest tests/tui/tarefas/test_tarefas_snapshots.py --snapshot-update``). The clock is fixed."""

from __future__ import annotations

import pytest

from pec_tui.screens.tarefas import TarefasScreen
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


def test_tarefas_copies_tab(snap_compare, make_app, tmp_path, monkeypatch):
    import os
    import shutil

    # The folder is on screen: relative, the same every run; the data (the audit key) comes along.
    shutil.copytree(os.environ["PEC_TUI_DATA_DIR"], tmp_path / "dados", dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PEC_TUI_DATA_DIR", "dados")

    async def ready(pilot):
        await logged_in(pilot, "tarefas", as_=INSTALLATION_ADMIN)
        screen = pilot.app.screen
        await wait_until(pilot, lambda: screen.overview is not None)
        # No copy yet (a copy's SHA-256 differs run to run: its rows are checked by the Pilot test).
        await pilot.press("v")
        await wait_until(pilot, lambda: screen.copies_table.has_focus)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=ready)
