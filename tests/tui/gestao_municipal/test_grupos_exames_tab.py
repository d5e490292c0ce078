"""Gestão municipal › Grupos de exames: the dialog filters the exams by sex and age, a group is
added, a name already used is refused on its field, a group deleted from «Cancelar»."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, SelectionList, TabbedContent

from pec_tui.domain.gestao_municipal import grupos_exames as ge
from pec_tui.storage.models import ExamGroup
from tests.support.console import MUNICIPAL_ADMIN, logged_in, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
PSA, PAP, HBA1C = "0202030105", "0203010086", "0202010503"


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def names(screen, selector: str) -> list[str]:
    """The first column of a table, as shown."""
    table = screen.query_one(selector)
    return [str(table.get_row_at(n)[0]) for n in range(table.row_count)]


def shown_codes(dialog) -> list[str]:
    listing = dialog.query_one("#grupo-exames", SelectionList)
    codes = {exam.id: exam.code for exam in dialog.catalogue}
    return [codes[listing.get_option_at_index(n).value] for n in range(listing.option_count)]


async def open_tab(pilot) -> None:
    pilot.app.screen.query_one("#gestao-tabs", TabbedContent).active = "grupos"
    await settle(pilot)


async def add_group(pilot, name: str, sex: str, low: str, high: str, codes: list[str]) -> None:
    screen = pilot.app.screen
    screen.query_one("#grupos-add").press()
    await settle(pilot)
    dialog = pilot.app.screen
    dialog.query_one("#grupo-nome", Input).value = name
    dialog.query_one("#grupo-sexo", Select).value = sex
    dialog.query_one("#grupo-idade-minima", Input).value = low
    dialog.query_one("#grupo-idade-maxima", Input).value = high
    await pilot.pause()
    listing = dialog.query_one("#grupo-exames", SelectionList)
    by_code = {exam.code: exam.id for exam in dialog.catalogue}
    for code in codes:
        listing.select(by_code[code])
    await pilot.pause()
    dialog.query_one("#grupo-save").press()
    await settle(pilot)


async def test_filter_add_refuse_delete(console_on):
    async with console_on("gestao_municipal", as_=MUNICIPAL_ADMIN, size=(100, 40)) as pilot:
        await open_tab(pilot)
        screen = pilot.app.screen
        screen.query_one("#grupos-add").press()
        await settle(pilot)
        dialog = pilot.app.screen
        assert PSA in shown_codes(dialog) and PAP in shown_codes(dialog)
        dialog.query_one("#grupo-sexo", Select).value = ge.MALE
        await pilot.pause()
        assert PSA in shown_codes(dialog) and PAP not in shown_codes(dialog)
        dialog.query_one("#grupo-sexo", Select).value = ge.FEMALE
        dialog.query_one("#grupo-idade-maxima", Input).value = "20"
        await pilot.pause()
        assert PSA not in shown_codes(dialog) and PAP not in shown_codes(dialog)  # PAP from 25
        await pilot.press("escape")
        await settle(pilot)

        await add_group(pilot, "Hiperdia", "", "18", "130", [HBA1C])
        assert [row.name for row in ExamGroup.select()] == ["Hiperdia"]
        assert "Hiperdia" in names(screen, "#grupos-table")
        # the same name again: refused on the name's field, the dialog stays
        await add_group(pilot, "HIPERDIA", "", "0", "130", [HBA1C])
        dialog = pilot.app.screen
        assert text(dialog, "#grupo-nome-error") == "Já existe um grupo de exames com o nome HIPERDIA."
        assert pilot.app.focused.id == "grupo-nome"
        await pilot.press("escape")
        await settle(pilot)
        # Excluir asks first, on «Cancelar»
        screen.query_one("#grupos-table").focus()
        await pilot.press("delete")
        await settle(pilot)
        assert pilot.app.focused.id == "confirm-no"
        await pilot.press("enter")  # «Cancelar»
        await settle(pilot)
        assert ExamGroup.select().count() == 1
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("left", "enter")
        await settle(pilot)
        assert ExamGroup.select().count() == 0


@pytest.mark.parametrize("size", SIZES)
def test_grupos_tab(snap_compare, make_app, size):
    async def ready(pilot):
        await logged_in(pilot, "gestao_municipal", as_=MUNICIPAL_ADMIN)
        await settle(pilot)
        await open_tab(pilot)
        await add_group(pilot, "Rastreamento da mulher", ge.FEMALE, "25", "64", [PAP, HBA1C])

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_grupo_dialog_refused(snap_compare, make_app, size):
    async def ready(pilot):
        await logged_in(pilot, "gestao_municipal", as_=MUNICIPAL_ADMIN)
        await settle(pilot)
        await open_tab(pilot)
        await add_group(pilot, "Homens", ge.MALE, "40", "130", [])

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)
