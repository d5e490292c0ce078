"""The shared paged list on its own, with a fetch in memory: only the latest answer is shown,
rows are updated in place, errors are told on the status line."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from textual.app import App, ComposeResult
from textual.widgets import Static

from pec_tui.core.errors import PecError
from pec_tui.core.paging import Page
from pec_tui.widgets.paged_table import PagedColumn, PagedTable, column_widths
from tests.support.console import settle


@dataclass(frozen=True)
class Item:
    id: int
    name: str


class ListApp(App):
    def __init__(self, fetch) -> None:
        super().__init__()
        self.fetch = fetch
        self.chosen: list[str] = []

    def compose(self) -> ComposeResult:
        yield PagedTable(self.fetch, [PagedColumn("name", "Nome")], lambda item: (item.name,), id="list")

    def on_paged_table_row_chosen(self, event: PagedTable.RowChosen) -> None:
        self.chosen.append(event.key)


def status(table: PagedTable) -> str:
    return str(table.query_one(".paged-status", Static).render())


class Store:
    def __init__(self, names: list[str]) -> None:
        self.items = [Item(i + 1, name) for i, name in enumerate(names)]
        self.calls: list[tuple[str, int, int]] = []
        self.release_slow = threading.Event()
        self.slow_query: str | None = None

    def fetch(self, query: str, offset: int, limit: int) -> Page[Item]:
        self.calls.append((query, offset, limit))
        if query == self.slow_query:
            self.release_slow.wait(5)
        found = [item for item in self.items if query.lower() in item.name.lower()]
        return Page(found[offset : offset + limit], len(found), offset, limit)


async def test_a_late_answer_to_an_older_query_is_not_shown():
    store = Store(["Alfa", "Alfabeto", "Beta"])
    store.slow_query = "alf"
    app = ListApp(store.fetch)
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(PagedTable)
        table.focus_table()
        await pilot.press("slash", *"alf", "enter")  # its answer is held back...
        await pilot.pause()
        await pilot.press("slash", "backspace", "backspace", "backspace", *"beta", "enter")
        await pilot.pause()
        store.release_slow.set()  # ...and arrives after the answer to "beta"
        await settle(pilot)
        assert [item.name for item in table.rows] == ["Beta"]
        assert ("alf", 0, table.page_limit) in store.calls


async def test_a_slow_page_says_it_is_loading_until_it_arrives():
    store = Store(["Alfa", "Alfabeto", "Beta"])
    store.slow_query = "alf"
    app = ListApp(store.fetch)
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(PagedTable)
        table.focus_table()
        await pilot.press("slash", *"alf", "enter")
        await pilot.pause(PagedTable.LOADING_NOTICE_SECONDS + 0.2)
        assert status(table) == "3 registros · página 1 de 1 · carregando…"
        store.release_slow.set()
        await settle(pilot)
        assert status(table) == "2 registros · página 1 de 1"


async def test_a_loading_notice_that_fires_after_the_answer_changes_nothing():
    """A timer event already queued when its page arrived (Timer.stop cannot take it back)."""
    store = Store(["Alfa", "Beta"])
    app = ListApp(store.fetch)
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(PagedTable)
        table.reload()
        answered = table._serial
        await settle(pilot)
        table._show_loading(answered)  # the stale event, delivered late
        assert status(table) == "2 registros · página 1 de 1"


async def test_reload_updates_rows_in_place_and_keeps_the_cursor():
    store = Store([f"Item {n:02d}" for n in range(5)])
    app = ListApp(store.fetch)
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(PagedTable)
        table.focus_table()
        await pilot.press("down", "down")
        row_key_before = table.grid.coordinate_to_cell_key(table.grid.cursor_coordinate).row_key
        store.items[2] = Item(3, "Item 02 (alterado)")
        table.reload()
        await settle(pilot)
        assert table.grid.cursor_row == 2
        assert table.grid.coordinate_to_cell_key(table.grid.cursor_coordinate).row_key == row_key_before
        assert str(table.grid.get_cell("3", "name")) == "Item 02 (alterado)"
        await pilot.press("enter")
        await settle(pilot)
        assert app.chosen == ["3"]


async def test_a_refused_fetch_is_told_on_the_status_line():
    def refuse(query, offset, limit):
        raise PecError("O banco de dados não responde; tente de novo.")

    app = ListApp(refuse)
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(PagedTable)
        assert status(table) == "O banco de dados não responde; tente de novo."
        assert table.query_one(".paged-status").has_class("-error")


async def test_page_size_follows_the_height():
    store = Store([f"Item {n:02d}" for n in range(100)])
    app = ListApp(store.fetch)
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        table = app.query_one(PagedTable)
        small = table.page_limit
        assert len(table.rows) == small
        await pilot.resize_terminal(60, 30)
        await settle(pilot)
        assert table.page_limit == small + 18
        assert len(table.rows) == table.page_limit
        assert status(table) == f"100 registros · página 1 de {-(-100 // table.page_limit)}"


def test_column_widths_fill_the_space():
    columns = [PagedColumn("a", "A", ratio=2), PagedColumn("b", "B", width=7), PagedColumn("c", "C")]
    widths = column_widths(columns, 80)
    assert widths[1] == 7
    assert sum(widths) + 2 * len(columns) == 80
    assert abs(widths[0] - 2 * widths[2]) <= 2  # shared 2:1, give or take the rounding
