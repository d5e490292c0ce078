"""Gestão municipal › Tipos de serviço: a type added and renamed, a default one refused on delete
and edit, a type offered by a unit refused with the count, one deleted from «Cancelar»."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, TabbedContent

from pec_tui.storage.database import transaction
from pec_tui.storage.models import HealthUnit, Localidade, ServiceType, UnitServiceType
from tests.support.console import MUNICIPAL_ADMIN, logged_in, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def names(screen, selector: str) -> list[str]:
    """The first column of a table, as shown."""
    table = screen.query_one(selector)
    return [str(table.get_row_at(n)[0]) for n in range(table.row_count)]


async def open_tab(pilot) -> None:
    pilot.app.screen.query_one("#gestao-tabs", TabbedContent).active = "tipos"
    await settle(pilot)


async def add_type(pilot, name: str) -> None:
    pilot.app.screen.query_one("#tipos-add").press()
    await settle(pilot)
    pilot.app.screen.query_one("#tipo-nome", Input).value = name
    pilot.app.screen.query_one("#tipo-save").press()
    await settle(pilot)


def move_to(screen, name: str) -> None:
    tab = screen.query_one("#tipos-tab")
    index = next(n for n, row in enumerate(tab.rows) if row.name == name)
    table = screen.query_one("#tipos-table", DataTable)
    table.focus()
    table.move_cursor(row=index)


async def test_add_rename_and_the_refusals(console_on):
    async with console_on("gestao_municipal", as_=MUNICIPAL_ADMIN, size=(100, 40), notifications=True) as pilot:
        await open_tab(pilot)
        screen = pilot.app.screen
        await add_type(pilot, "Saúde mental")
        assert ServiceType.get(ServiceType.name == "Saúde mental").internal is False
        assert "Saúde mental" in names(screen, "#tipos-table")
        # a name already used: on the dialog's field
        await add_type(pilot, "vacina")
        assert text(pilot.app.screen, "#tipo-nome-error") == "Já existe o tipo de serviço VACINA (padrão do PEC)."
        await pilot.press("escape")
        await settle(pilot)
        # a default type: neither deleted nor edited, no dialog opened
        move_to(screen, "VACINA")
        await pilot.press("delete")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert any("VACINA é um tipo de serviço padrão do PEC" in n.message for n in pilot.app._notifications)
        await pilot.press("e")
        await settle(pilot)
        assert pilot.app.screen is screen
        # offered by a unit: refused with the count
        mental = ServiceType.get(ServiceType.name == "Saúde mental").id
        with transaction():
            chapeco = Localidade.get(Localidade.ibge == "4204202").id
            unit = HealthUnit.create(name="UBS Teste", cnes="7654321", localidade=chapeco)
            UnitServiceType.create(unit=unit.id, service_type=mental)
        screen.query_one("#tipos-tab").reload()
        await settle(pilot)
        move_to(screen, "Saúde mental")
        await pilot.press("delete")
        await settle(pilot)
        assert pilot.app.focused.id == "confirm-no"
        await pilot.press("left", "enter")
        await settle(pilot)
        assert any("oferecido por 1 unidade de saúde" in n.message for n in pilot.app._notifications)
        assert ServiceType.get_or_none(ServiceType.id == mental) is not None
        # renamed through Editar
        move_to(screen, "Saúde mental")
        await pilot.press("e")
        await settle(pilot)
        pilot.app.screen.query_one("#tipo-nome", Input).value = "Saúde mental e álcool"
        await pilot.press("enter")
        await settle(pilot)
        assert ServiceType.get(ServiceType.id == mental).name == "Saúde mental e álcool"


@pytest.mark.parametrize("size", SIZES)
def test_tipos_tab(snap_compare, make_app, size):
    async def ready(pilot):
        await logged_in(pilot, "gestao_municipal", as_=MUNICIPAL_ADMIN)
        await settle(pilot)
        await open_tab(pilot)
        await add_type(pilot, "Saúde mental")

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)
