"""The "Compatibilidade com o PEC" check on the Diagnóstico screen: its row, its whole title, and
its long finding whole in the detail pane (scrolled with the keyboard when it does not fit)."""

from __future__ import annotations

import dataclasses

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Static

from pec_tui.domain import diagnostico
from pec_tui.domain.diagnostico.compatibility import KEY, check_compatibility
from pec_tui.screens.diagnostico import DoctorScreen
from pec_tui.storage.proxy import database_proxy
from tests.support.console import INSTALLATION_ADMIN, settle
from tests.support.host_data import FakeRunner, fake_report


@pytest.fixture
def pec_check(pec_database) -> diagnostico.Check:
    """The check as the doctor finds it on a PEC whose schema differs from the one pec-tui knows
    (long: every module and why): columns gone, a new required one."""
    pec_database.db.execute_sql(
        "ALTER TABLE tb_prof DROP COLUMN ds_cep; ALTER TABLE tb_cbo DROP COLUMN no_cbo_filtro; "
        "ALTER TABLE tb_localidade DROP COLUMN no_localidade_filtro; "
        "ALTER TABLE tb_usuario ADD COLUMN st_novo integer NOT NULL DEFAULT 0; "
        "ALTER TABLE tb_usuario ALTER COLUMN st_novo DROP DEFAULT"
    )
    return check_compatibility(pec_database)


@pytest.fixture
def with_pec_check(pec_check, demo_db, monkeypatch):
    # Opening the PEC-shaped database bound the models to it: the console runs on the demo.
    database_proxy.initialize(demo_db.db)
    base = fake_report()
    checks = list(base.checks)
    checks.insert(list(diagnostico.TITLES).index(KEY), pec_check)
    monkeypatch.setattr(diagnostico, "run", FakeRunner(dataclasses.replace(base, checks=tuple(checks))))
    return pec_check


async def highlight(pilot, key: str) -> DoctorScreen:
    screen = pilot.app.screen
    assert isinstance(screen, DoctorScreen)
    await settle(pilot)
    screen.table.move_cursor(row=screen.table.get_row_index(key), animate=False)
    await settle(pilot)
    return screen


async def test_the_check_has_its_row_and_its_whole_title(console_on, with_pec_check):
    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = await highlight(pilot, KEY)
        assert str(screen.table.get_cell(KEY, "status")) == "ERRO"
        assert str(screen.table.get_cell(KEY, "title")) == "Compatibilidade com o PEC"
        assert str(screen.table.get_cell(KEY, "found")).endswith("…")


async def test_the_detail_pane_holds_the_whole_finding_and_scrolls_to_its_end(console_on, with_pec_check):
    check = with_pec_check
    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = await highlight(pilot, KEY)
        text = str(screen.query_one("#doctor-detail", Static).render())
        assert text.startswith("ERRO  Compatibilidade com o PEC\n")
        assert " ".join(check.found.split()) in " ".join(text.split())
        assert "O que fazer: Não use os módulos indisponíveis" in text
        pane = screen.query_one("#doctor-detail-pane", VerticalScroll)
        assert pane.max_scroll_y > 0  # 80x24 is too small for all of it: the pane scrolls
        await pilot.press("tab")
        assert screen.focused is pane
        await pilot.press("end")
        await settle(pilot)
        assert pane.scroll_y == pane.max_scroll_y


async def test_at_120x40_the_finding_fits(console_on, with_pec_check):
    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(120, 40)) as pilot:
        screen = await highlight(pilot, KEY)
        assert screen.query_one("#doctor-detail-pane", VerticalScroll).max_scroll_y == 0
