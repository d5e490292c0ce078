"""CBO by keyboard: filter, edit the duração da consulta, make a CBO unavailable and back."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, Static

from pec_tui.domain import cbo as cbo_domain
from pec_tui.screens.cbo import CboEditDialog, CboScreen
from pec_tui.storage.database import transaction
from pec_tui.storage.models import AuditEvent, Cbo, CboMunicipal, Localidade
from pec_tui.widgets.dialogs import ConfirmDialog
from pec_tui.widgets.paged_table import PagedGrid, PagedTable
from tests.support.console import MUNICIPAL_ADMIN, settle
from tests.support.units_data import cbo

MEDICO = "225142"


@pytest.fixture
def cbos(demo_db):
    """A few CBOs (the demo's catalogue, when it ships one, already has them)."""
    with transaction():
        cbo(MEDICO, "Médico da estratégia de saúde da família")
        cbo("223565", "Enfermeiro da estratégia de saúde da família")
        cbo("515105", "Agente comunitário de saúde")
        medico = Cbo.get(Cbo.code == MEDICO).id
        CboMunicipal.delete().where(CboMunicipal.cbo == medico).execute()
        Cbo.update(available_for_lotacao=True).where(Cbo.id == medico).execute()


def cbo_row(code: str) -> cbo_domain.CboRow:
    """The CBO as the municipal administrator of the demo (Chapecó) sees it."""
    chapeco = Localidade.get(Localidade.ibge == "4204202").id
    return cbo_domain.get_by_code(code, chapeco)


def status(table: PagedTable) -> str:
    return str(table.query_one(".paged-status", Static).render())


def cbo_list(pilot) -> PagedTable:
    assert isinstance(pilot.app.screen, CboScreen)
    return pilot.app.screen.query_one("#cbo-list", PagedTable)


async def filter_to(pilot, table: PagedTable, text: str) -> None:
    await pilot.press("slash")
    table.search_input.value = ""
    await pilot.press(*text, "enter")
    await settle(pilot)


async def type_minutes(pilot, text: str) -> str:
    """Type in the form and press Enter; return the form's error line ('' when it closed)."""
    dialog = pilot.app.screen
    assert isinstance(dialog, CboEditDialog)
    field = dialog.query_one("#cbo-minutes", Input)
    field.value = ""
    await pilot.press(*text, "enter") if text else await pilot.press("enter")
    await settle(pilot)
    if pilot.app.screen is dialog:
        return str(dialog.query_one("#cbo-minutes-error", Static).render())
    return ""


async def test_filter_by_name_or_code(console_on, cbos):
    async with console_on("cbo", as_=MUNICIPAL_ADMIN, size=(80, 24)) as pilot:
        table = cbo_list(pilot)
        await filter_to(pilot, table, "medico estrategia")
        assert [r.code for r in table.rows] == [MEDICO]
        await filter_to(pilot, table, "515105")
        assert [r.name.lower() for r in table.rows] == ["agente comunitário de saúde"]
        assert status(table) == "1 registro · página 1 de 1"
        await filter_to(pilot, table, "5151")  # part of a code: every CBO whose code has it
        assert table.rows and all("5151" in r.code for r in table.rows)


async def test_edit_the_appointment_minutes(console_on, cbos):
    async with console_on("cbo", as_=MUNICIPAL_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        table = cbo_list(pilot)
        await filter_to(pilot, table, MEDICO)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, CboEditDialog)

        error = await type_minutes(pilot, "meia hora")
        assert error.startswith("Duração da consulta: informe um número inteiro de minutos")
        error = await type_minutes(pilot, "999")
        assert error.startswith("Duração da consulta: informe de 5 a 240 minutos")
        assert cbo_row(MEDICO).appointment_minutes is None  # nothing saved

        assert await type_minutes(pilot, "30") == ""
        assert isinstance(app.screen, CboScreen)
        assert cbo_row(MEDICO).appointment_minutes == 30
        assert table.rows[0].appointment_minutes == 30
        assert str(table.grid.get_cell(str(table.rows[0].id), "minutes")) == "30 min"
        event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
        assert (event.record_type, event.record_id) == ("CBO", MEDICO)
        assert event.user_id == app.session.user_id

        await pilot.press("enter")  # Enter edits too; empty goes back to the municipality's default
        await settle(pilot)
        assert await type_minutes(pilot, "") == ""
        assert cbo_row(MEDICO).appointment_minutes is None
        assert str(table.grid.get_cell(str(table.rows[0].id), "minutes")) == "Padrão do município"

        await pilot.press("e")
        await settle(pilot)
        await pilot.press("escape")  # Cancelar
        await settle(pilot)
        assert isinstance(app.screen, CboScreen) and isinstance(app.focused, PagedGrid)


async def test_unavailable_for_lotacao_and_back(console_on, cbos):
    async with console_on("cbo", as_=MUNICIPAL_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        table = cbo_list(pilot)
        await filter_to(pilot, table, MEDICO)
        screen = app.screen

        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # changed her mind
        await settle(pilot)
        assert cbo_row(MEDICO).available is True

        await pilot.press("d")
        await settle(pilot)
        await pilot.press("left", "enter")  # from «Cancelar» to «Tornar indisponível»
        await settle(pilot)
        assert app.screen is screen
        assert cbo_row(MEDICO).available is False
        assert table.rows == []  # hidden: only available CBOs are listed by default
        assert status(table) == "Nenhum CBO encontrado."

        checkbox = screen.query_one("#cbo-unavailable", Checkbox)
        await pilot.press("shift+tab", "shift+tab")  # table → search → the checkbox
        assert app.focused is checkbox
        await pilot.press("space")
        await settle(pilot)
        assert [(r.code, r.available) for r in table.rows] == [(MEDICO, False)]
        assert str(table.grid.get_cell(str(table.rows[0].id), "status")) == "Indisponível"

        table.focus_table()
        await pilot.press("d")  # now "Disponibilizar"
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "Disponibilizar o CBO 225142" in str(app.screen.query_one(".dialog-message", Static).render())
        await pilot.press("left", "enter")  # from «Cancelar» to «Disponibilizar»
        await settle(pilot)
        assert cbo_row(MEDICO).available is True
        assert [(r.code, r.available) for r in table.rows] == [(MEDICO, True)]
        events = AuditEvent.select().where(AuditEvent.record_type == "CBO").order_by(AuditEvent.id)
        details = [event.details for event in events]
        assert details == ["Indisponível para lotação", "Disponibilizado para lotação"]


async def test_footer_offers_the_action_that_fits_the_row(console_on, cbos):
    async with console_on("cbo", as_=MUNICIPAL_ADMIN, size=(120, 40)) as pilot:
        app = pilot.app
        table = cbo_list(pilot)
        await filter_to(pilot, table, MEDICO)
        shown = {b.binding.description for b in app.screen.active_bindings.values()}
        assert {"Editar", "Tornar indisponível"} <= shown and "Disponibilizar" not in shown
