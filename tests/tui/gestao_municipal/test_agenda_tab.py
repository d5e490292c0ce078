"""Gestão municipal › Agenda padrão: an overlap refused on the day's line, then saved and audited."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, TabbedContent

from pec_tui.domain.gestao_municipal import agenda_padrao
from pec_tui.storage.models import AgendaConfigDetail, AuditEvent, MunicipalAgendaConfig
from tests.support.console import MUNICIPAL_ADMIN, logged_in, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def put(screen, day: int, period: int, start: str, end: str) -> None:
    screen.query_one(f"#agenda-{day}-{period}-inicio", Input).value = start
    screen.query_one(f"#agenda-{day}-{period}-fim", Input).value = end


async def test_overlap_refused_then_saved(console_on):
    async with console_on("gestao_municipal", as_=MUNICIPAL_ADMIN, size=(100, 40)) as pilot:
        screen = pilot.app.screen
        assert screen.query_one("#gestao-tabs", TabbedContent).active == "agenda"
        assert not screen.query_one("#agenda-row-6").display  # Saturday hidden until asked for
        put(screen, 1, 1, "08:00", "12:00")
        put(screen, 1, 2, "11:30", "17:00")
        screen.query_one("#agenda-duracao", Input).value = "30"
        screen.query_one("#agenda-save").press()
        await settle(pilot)
        assert text(screen, "#agenda-segunda-error") == (
            "Segunda, tarde (11:30–17:00) sobrepõe a manhã, que vai até 12:00."
        )
        assert pilot.app.focused.id == "agenda-1-1-inicio"
        assert AgendaConfigDetail.select().count() == 0
        # fixed, with Saturday morning shown and filled
        put(screen, 1, 2, "13:00", "17:00")
        screen.query_one("#agenda-fim-de-semana", Checkbox).value = True
        await pilot.pause()
        assert screen.query_one("#agenda-row-6").display
        put(screen, 6, 1, "8:00", "12:00")
        screen.query_one("#agenda-save").press()
        await settle(pilot)
        assert text(screen, "#agenda-segunda-error") == ""
        assert screen.query_one("#agenda-6-1-inicio", Input).value == "08:00"  # read back as saved
        assert AgendaConfigDetail.select().count() == 3
        assert MunicipalAgendaConfig.get().default_minutes == 30
        # F1 explains this tab in the manual's words
        assert "Configuração da agenda padrão (manual, seção 3.11.1)" in screen.HELP
    (event,) = AuditEvent.select().where(AuditEvent.component == agenda_padrao.COMPONENT)
    assert "Sábado manhã 08:00–12:00" in event.details


async def test_duration_refused_on_its_field(console_on):
    async with console_on("gestao_municipal", as_=MUNICIPAL_ADMIN, size=(100, 40)) as pilot:
        screen = pilot.app.screen
        screen.query_one("#agenda-duracao", Input).value = "500"
        screen.query_one("#agenda-save").press()
        await settle(pilot)
        assert "de 5 a 240" in text(screen, "#agenda-duracao-error")
        assert pilot.app.focused.id == "agenda-duracao"


@pytest.mark.parametrize("size", SIZES)
def test_agenda_tab_refused(snap_compare, make_app, size):
    async def ready(pilot):
        await logged_in(pilot, "gestao_municipal", as_=MUNICIPAL_ADMIN)
        await settle(pilot)
        screen = pilot.app.screen
        put(screen, 1, 1, "08:00", "12:00")
        put(screen, 1, 2, "13:00", "17:00")
        put(screen, 2, 1, "12:00", "08:00")
        screen.query_one("#agenda-duracao", Input).value = "30"
        screen.query_one("#agenda-save").press()
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)
