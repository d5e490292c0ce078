"""Unidades de saúde by keyboard: find a unit, open it, walk its tabs, toggle the filters."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Static

from pec_tui.screens.home import HomeScreen
from pec_tui.screens.unidades_saude import TeamScreen, UnitScreen, UnitsScreen
from pec_tui.widgets.paged_table import PagedGrid, PagedTable
from tests.support.console import MUNICIPAL_ADMIN, settle
from tests.support.units_data import build_network


@pytest.fixture
def network(demo_db):
    """The test network written into the demo database (the demo's own units, if any, stay)."""
    return build_network(extra_units=40)


def names(table: PagedTable) -> list[str]:
    return [row.name for row in table.rows]


def status(table: PagedTable) -> str:
    return str(table.query_one(".paged-status", Static).render())


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def search(pilot, table: PagedTable, text: str) -> None:
    """/ focuses the search; typing then Enter asks at once (no wait for the debounce)."""
    await pilot.press("slash")
    assert table.search_input.has_focus
    table.search_input.value = ""
    await pilot.press(*text, "enter")
    await settle(pilot)


async def test_find_a_unit_and_walk_its_tabs(console_on, network):
    async with console_on("unidades_saude", as_=MUNICIPAL_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = app.screen
        assert isinstance(screen, UnitsScreen)
        units = screen.query_one("#units-list", PagedTable)
        assert isinstance(app.focused, PagedGrid)
        assert "UBS Xanxerê Centro" not in names(units)  # another municipality

        await search(pilot, units, "sao cristovao")
        assert names(units) == ["UBS SÃO CRISTÓVÃO"]
        assert status(units) == "1 registro · página 1 de 1"
        assert isinstance(app.focused, PagedGrid)

        await pilot.press("enter")
        await settle(pilot)
        unit = app.screen
        assert isinstance(unit, UnitScreen)
        assert text_of(unit, "#unit-title") == "UBS SÃO CRISTÓVÃO · CNES 2345671"
        info = text_of(unit, "#unit-info-text")
        assert "11.222.333/0001-81" in info and "Rua Marechal Deodoro, 450" in info and "Atenção básica" in info
        assert "somente leitura" in text_of(unit, ".module-notice").lower()

        await pilot.press("2")
        await settle(pilot)
        assert "• Vacinação" in text_of(unit, "#unit-services-text")

        await pilot.press("3")
        await settle(pilot)
        teams = unit.query_one("#teams-list", PagedTable)
        assert [t.ine for t in teams.rows] == ["0000123464", "0000123456"]
        await pilot.press("shift+tab")  # from the table to "Mostrar equipes inativas"
        assert app.focused is unit.query_one("#teams-inactive", Checkbox)
        await pilot.press("space")
        await settle(pilot)
        assert [t.name for t in teams.rows][-1] == "ESF São Cristóvão II (antiga)"
        assert teams.rows[-1].active is False

        await pilot.press("tab", "down", "enter")  # back to the table, second team: ESF I
        await settle(pilot)
        team = app.screen
        assert isinstance(team, TeamScreen)
        assert text_of(team, "#team-title") == "ESF São Cristóvão I · INE 0000123456"
        members = team.query_one("#team-members", PagedTable)
        assert [(m.name, m.active) for m in members.rows] == [
            ("Ana Beatriz Conceição", True),
            ("Davi Ícaro Melo", True),
            ("Bruno Araújo", False),
        ]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is unit

        await pilot.press("4")
        await settle(pilot)
        professionals = unit.query_one("#professionals-list", PagedTable)
        assert names(professionals) == ["Ana Beatriz Conceição", "Davi Ícaro Melo"]
        assert [c.key for c in professionals._columns] == ["name", "cns", "cpf", "cbo"]
        unit.query_one("#professionals-all", Checkbox).focus()
        await pilot.press("space")
        await settle(pilot)
        assert names(professionals) == ["Ana Beatriz Conceição", "Bruno Araújo", "Davi Ícaro Melo"]
        assert [c.key for c in professionals._columns][-1] == "lotacao"  # shown with the inactive ones

        await search(pilot, professionals, "423.456")
        assert names(professionals) == ["Davi Ícaro Melo"]

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UnitsScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_the_list_pages_with_pagedown_and_the_arrows(console_on, network):
    async with console_on("unidades_saude", as_=MUNICIPAL_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        units = app.screen.query_one("#units-list", PagedTable)
        await search(pilot, units, "apoio")
        page_size = units.page_limit
        assert 5 <= page_size <= 20 and len(units.rows) == page_size
        assert status(units) == f"40 registros · página 1 de {-(-40 // page_size)}"
        first_page = names(units)

        await pilot.press("pagedown")
        await settle(pilot)
        assert units.page_offset == page_size
        assert names(units)[0] == f"Unidade de apoio {page_size:02d}"
        assert "página 2 de" in status(units)

        await pilot.press("pageup")
        await settle(pilot)
        assert names(units) == first_page

        for _ in range(page_size - 1):
            await pilot.press("down")
        await pilot.press("down")  # past the last row: the next page, cursor on its first row
        await settle(pilot)
        assert units.page_offset == page_size
        assert units.current_row.name == f"Unidade de apoio {page_size:02d}"
        await pilot.press("up")  # before the first row: back, cursor on the last row
        await settle(pilot)
        assert units.page_offset == 0
        assert units.current_row.name == first_page[-1]


async def test_typing_filters_after_a_pause(console_on, network):
    async with console_on("unidades_saude", as_=MUNICIPAL_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        units = app.screen.query_one("#units-list", PagedTable)
        await pilot.press("slash", *"efapi")
        await pilot.pause(PagedTable.DEBOUNCE_SECONDS * 3)  # the debounce is what is tested here
        await settle(pilot)
        assert names(units) == ["UBS Efapi"]
        assert app.focused is units.search_input  # typing keeps the focus in the field


async def test_nothing_found_says_so(console_on, network):
    async with console_on("unidades_saude", as_=MUNICIPAL_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        units = app.screen.query_one("#units-list", PagedTable)
        await search(pilot, units, "inexistente xyz")
        assert units.rows == []
        assert status(units) == "Nenhuma unidade de saúde ativa encontrada."


async def test_inactive_units_are_shown_only_when_asked(console_on, network):
    from pec_tui.storage.models import HealthUnit

    HealthUnit.update(active=False).where(HealthUnit.cnes == "2345671").execute()
    async with console_on("unidades_saude", as_=MUNICIPAL_ADMIN, size=(80, 24)) as pilot:
        screen = pilot.app.screen
        units = screen.query_one("#units-list", PagedTable)
        await search(pilot, units, "sao cristovao")
        assert names(units) == []
        assert status(units) == "Nenhuma unidade de saúde ativa encontrada."
        screen.query_one("#units-inactive", Checkbox).focus()
        await pilot.press("space")
        await settle(pilot)
        assert names(units) == ["UBS SÃO CRISTÓVÃO"] and units.rows[0].active is False


async def test_enter_on_a_professional_shows_them_whole(console_on, network):
    from pec_tui.widgets.dialogs import RecordDialog

    async with console_on("unidades_saude", as_=MUNICIPAL_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        units = app.screen.query_one("#units-list", PagedTable)
        await search(pilot, units, "sao cristovao")
        await pilot.press("enter")
        await settle(pilot)
        unit = app.screen
        await pilot.press("4")
        await settle(pilot)
        professionals = unit.query_one("#professionals-list", PagedTable)
        first = professionals.rows[0]
        professionals.focus_table()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordDialog)
        shown = " ".join(str(s.render()) for s in app.screen.query(".record-value"))
        assert first.cpf_label in shown
        for code, name in first.cbos:
            assert f"{code} — {name}" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is unit
