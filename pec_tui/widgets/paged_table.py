"""The shared paged list: a search field, a table that holds one page, a status line.

Lists page and filter in the database, never in the widget. The screen gives a ``fetch``
callable, ``fetch(query, offset, limit, **filters) -> Page``, which this widget runs through
``run_task`` (:mod:`pec_tui.widgets.tasks`; the screen opens the worker's database connection
inside ``fetch``, as a list may also page what is in memory). A failure is told on the list's
status line. The page size is
the number of rows the table shows, so a page always fits and PageUp/PageDown, or the arrows
past the first or last row, move between pages.

Typing in the search field asks for the first page again after a short pause (debounce);
Enter asks at once and moves to the table. Workers are exclusive and every answer carries the
number of the request it answers, so only the latest request's page is ever shown.

Rows are keyed by the record's id: a reload that brings the same records back updates their
cells in place (cursor and scroll stay); Enter on a row posts :class:`PagedTable.RowChosen`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from pec_tui.core.paging import Page
from pec_tui.widgets.tasks import TaskOwner, failure_message

T = TypeVar("T")

LOAD_FAILURE = "Não foi possível carregar a lista"

Fetch = Callable[..., Page]
Cell = str | Text


@dataclass(frozen=True)
class PagedColumn:
    """A column: fixed ``width`` in cells, or (``width=None``) a share (``ratio``) of the rest."""

    key: str
    label: str
    width: int | None = None
    ratio: int = 1
    min_width: int = 6


def column_widths(columns: Sequence[PagedColumn], available: int, padding: int = 1) -> list[int]:
    """Widths that fill ``available`` cells: fixed columns as asked, the rest shared by ratio."""
    spent = sum(c.width for c in columns if c.width is not None) + 2 * padding * len(columns)
    flexible = [c for c in columns if c.width is None]
    rest = max(0, available - spent)
    ratios = sum(c.ratio for c in flexible) or 1
    widths: list[int] = []
    given = 0
    for column in columns:
        if column.width is not None:
            widths.append(column.width)
            continue
        share = rest - given if column is flexible[-1] else rest * column.ratio // ratios
        given += share
        widths.append(max(column.min_width, share))
    return widths


def fit(value: Cell, width: int) -> Cell:
    """``value`` cut to ``width`` cells with an ellipsis, so no column spills into the next."""
    text = value if isinstance(value, Text) else Text(str(value))
    if text.cell_len <= width:
        return value
    text = text.copy()
    text.truncate(width, overflow="ellipsis")
    return text


class PagedGrid(DataTable):
    """The table of one page: PageUp/PageDown and the arrows at the edges change page."""

    def __init__(self, owner: PagedTable, open_label: str | None, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.owner = owner
        # Enter is DataTable's "select_cursor" (hidden): show it with what it does in this list.
        if open_label:
            self._bindings.key_to_bindings["enter"] = [Binding("enter", "select_cursor", open_label, id="list.open")]

    def action_page_down(self) -> None:
        self.owner.action_next_page()

    def action_page_up(self) -> None:
        self.owner.action_previous_page()

    def action_cursor_down(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1 and self.owner.has_next_page:
            self.owner.go_to_offset(self.owner.page_offset + self.owner.page_limit, cursor="first")
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0 and self.owner.page_offset > 0:
            self.owner.go_to_offset(max(0, self.owner.page_offset - self.owner.page_limit), cursor="last")
            return
        if self.cursor_row <= 0 and self.owner.searchable:
            self.owner.action_focus_search()  # up from the first row goes back to the search
            return
        super().action_cursor_up()

    def on_resize(self, event: events.Resize) -> None:
        self.owner.grid_resized()


class PagedTable(Widget, TaskOwner, Generic[T]):
    """A paged, searchable list of records fetched a page at a time in a thread worker."""

    DEBOUNCE_SECONDS = 0.15
    LOADING_NOTICE_SECONDS = 0.3

    # Structure only (the page size depends on it); looks live in app.tcss.
    DEFAULT_CSS = """
    PagedTable { height: 1fr; }
    PagedTable > .paged-grid { height: 1fr; }
    PagedTable > .paged-status { height: 1; }
    """

    BINDINGS = [
        Binding("slash", "focus_search", "Pesquisar", id="list.search", show=False),  # said in the field
        Binding("pagedown", "next_page", "Próxima página", id="list.next_page", show=False),
        Binding("pageup", "previous_page", "Página anterior", id="list.previous_page", show=False),
        Binding("down", "focus_table", "Ir para a lista", id="list.to_table", show=False),
    ]

    class RowChosen(Message):
        """Enter on a row: ``key`` is the record's id, ``row`` the record itself."""

        def __init__(self, table: PagedTable, key: str, row: Any) -> None:
            super().__init__()
            self.table = table
            self.key = key
            self.row = row

        @property
        def control(self) -> PagedTable:
            return self.table

    class RowHighlighted(Message):
        """The cursor is on another record (``row`` is None when the page is empty)."""

        def __init__(self, table: PagedTable, key: str | None, row: Any) -> None:
            super().__init__()
            self.table = table
            self.key = key
            self.row = row

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(
        self,
        fetch: Fetch,
        columns: Sequence[PagedColumn],
        cells: Callable[[T], Sequence[Cell] | Mapping[str, Cell]],
        *,
        key: Callable[[T], object] = lambda row: row.id,  # type: ignore[attr-defined]
        searchable: bool = True,
        placeholder: str = "Buscar",
        empty_text: str = "Nenhum registro encontrado.",
        filters: dict[str, object] | None = None,
        open_label: str | None = "Visualizar",  # Enter's label in the footer; None: not shown
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.set_class(not searchable, "-no-search")
        self._fetch = fetch
        self._columns = list(columns)
        self._cells = cells
        self._key = key
        self.searchable = searchable
        self.placeholder = placeholder
        self.empty_text = empty_text
        self.filters: dict[str, object] = dict(filters or {})
        self.open_label = open_label
        self.query_text = ""
        self.page_offset = 0
        self.page_limit = 0  # rows that fit; 0 until the table has a size
        self.page: Page | None = None
        self.last_fetch_seconds: float | None = None  # how long the last page shown took to fetch
        self._serial = 0
        self._rows: dict[str, T] = {}
        self._row_cells: dict[str, tuple[Cell, ...]] = {}
        self._keys: list[str] = []
        self._widths: list[int] = []
        self._debounce: Timer | None = None
        self._loading_timer: Timer | None = None
        self._status_text = ""
        self._status_error = False

    # ------------------------------------------------------------------ composition

    def compose(self) -> ComposeResult:
        search = Input(placeholder=self.placeholder, compact=True, classes="paged-search")
        search.display = self.searchable
        yield search
        yield PagedGrid(self, self.open_label, classes="paged-grid")
        yield Static("", classes="paged-status")

    @property
    def grid(self) -> PagedGrid:
        return self.query_one(PagedGrid)

    @property
    def search_input(self) -> Input:
        return self.query_one(".paged-search", Input)

    @property
    def has_next_page(self) -> bool:
        return self.page is not None and self.page_offset + self.page_limit < self.page.total

    # ------------------------------------------------------------------ public API

    def reload(self) -> None:
        """Fetch the current page again (after a change); rows still there update in place."""
        if self.page_limit:
            self._request(self.page_offset, cursor="keep")

    def set_filters(self, **filters: object) -> None:
        """Change filters (checkboxes…) and go back to the first page."""
        self.filters.update(filters)
        if self.page_limit:
            self._request(0, cursor="first")

    def go_to_offset(self, offset: int, *, cursor: str = "first") -> None:
        if self.page_limit:
            self._request(max(0, offset), cursor=cursor)

    def focus_table(self) -> None:
        self.grid.focus()

    def set_columns(self, columns: Sequence[PagedColumn]) -> None:
        """Show other columns (``cells`` returning a mapping by column key picks theirs)."""
        self._columns = list(columns)
        self._row_cells = {key: self._cells_of(row) for key, row in self._rows.items()}
        self._widths = []
        self.grid_resized()

    def _cells_of(self, row: T) -> tuple[Cell, ...]:
        cells = self._cells(row)
        if isinstance(cells, Mapping):
            return tuple(cells.get(column.key, "") for column in self._columns)
        return tuple(cells)

    @property
    def current_row(self) -> T | None:
        grid = self.grid
        if not grid.row_count:
            return None
        key = self._keys[grid.cursor_row] if grid.cursor_row < len(self._keys) else None
        return self._rows.get(key) if key is not None else None

    @property
    def rows(self) -> list[T]:
        """The records of the page on screen, in order."""
        return [self._rows[key] for key in self._keys]

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_search" and not self.searchable:
            return False
        return True

    def action_focus_search(self) -> None:
        if self.searchable:
            self.search_input.focus()

    def action_focus_table(self) -> None:
        self.grid.focus()

    def action_next_page(self) -> None:
        if self.has_next_page:
            self.go_to_offset(self.page_offset + self.page_limit, cursor="first")
        elif self.grid.row_count:
            self.grid.move_cursor(row=self.grid.row_count - 1)

    def action_previous_page(self) -> None:
        if self.page_offset > 0:
            self.go_to_offset(max(0, self.page_offset - self.page_limit), cursor="first")
        elif self.grid.row_count:
            self.grid.move_cursor(row=0)

    # ------------------------------------------------------------------ search

    @on(Input.Changed, ".paged-search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(self.DEBOUNCE_SECONDS, self._apply_search, name="paged-debounce")

    @on(Input.Submitted, ".paged-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply_search()
        self.grid.focus()

    def _apply_search(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        text = self.search_input.value.strip()
        if text != self.query_text:
            self.query_text = text
            if self.page_limit:
                self._request(0, cursor="first")

    # ------------------------------------------------------------------ size

    def grid_resized(self) -> None:
        grid = self.grid
        if grid.size.width <= 0 or grid.size.height <= 0:
            return  # not shown (another tab): nothing to fetch yet
        widths = column_widths(self._columns, grid.size.width, grid.cell_padding)
        if widths != self._widths:
            self._widths = widths
            self._rebuild_columns()
        limit = max(1, grid.size.height - (grid.header_height if grid.show_header else 0))
        if limit == self.page_limit:
            return
        absolute = self.page_offset + (grid.cursor_row if grid.row_count else 0)
        self.page_limit = limit
        self._request((absolute // limit) * limit, cursor="keep")

    def _rebuild_columns(self) -> None:
        grid = self.grid
        cursor = grid.cursor_row
        grid.clear(columns=True)
        for column, width in zip(self._columns, self._widths, strict=True):
            grid.add_column(column.label, width=width, key=column.key)
        for key in self._keys:
            grid.add_row(*self._fitted(self._row_cells[key]), key=key)
        if grid.row_count:
            grid.move_cursor(row=min(cursor, grid.row_count - 1), animate=False)

    def _fitted(self, cells: Sequence[Cell]) -> list[Cell]:
        return [fit(cell, width) for cell, width in zip(cells, self._widths, strict=True)]

    # ------------------------------------------------------------------ fetching

    def _request(self, offset: int, *, cursor: str) -> None:
        self._serial += 1
        if self._loading_timer is not None:
            self._loading_timer.stop()
        self._loading_timer = self.set_timer(
            self.LOADING_NOTICE_SECONDS, partial(self._show_loading, self._serial), name="paged-loading"
        )
        self.run_task(
            self._fetch_page,
            self.query_text,
            offset,
            self.page_limit,
            dict(self.filters),
            done=partial(self._loaded, self._serial, cursor),
            failed=partial(self._load_failed, self._serial),
            failure=LOAD_FAILURE,
            group="paged-table",
            connection=False,  # fetch opens it (a list may page what is in memory)
        )

    def _fetch_page(self, query: str, offset: int, limit: int, filters: dict[str, object]) -> tuple[Page, float]:
        started = time.perf_counter()
        page = self._fetch(query, offset, limit, **filters)
        return page, time.perf_counter() - started

    def _answers_latest(self, serial: int) -> bool:
        """True when ``serial`` is the latest request (an older one's answer is not shown)."""
        if serial != self._serial:
            return False  # a newer request is on its way
        if self._loading_timer is not None:
            self._loading_timer.stop()
            self._loading_timer = None
        return True

    def _load_failed(self, serial: int, error: BaseException) -> bool:
        if self._answers_latest(serial):
            self._set_status(failure_message(error, LOAD_FAILURE), error=True)
        return True

    def _loaded(self, serial: int, cursor: str, answer: tuple[Page, float]) -> None:
        if not self._answers_latest(serial):
            return
        page, self.last_fetch_seconds = answer
        if not page.rows and page.total and page.offset > 0:
            # The list shrank under us (filter, resize, another user): show its last page.
            last = ((page.total - 1) // max(1, self.page_limit)) * self.page_limit
            self._request(last, cursor="last")
            return
        self._show_page(page, cursor)

    def _show_page(self, page: Page, cursor: str) -> None:
        grid = self.grid
        previous_key = self._keys[grid.cursor_row] if grid.row_count and grid.cursor_row < len(self._keys) else None
        previous_index = grid.cursor_row
        rows = {str(self._key(row)): row for row in page.rows}
        keys = list(rows)
        cells = {key: self._cells_of(row) for key, row in rows.items()}
        with self.app.batch_update():
            if keys == self._keys and grid.row_count == len(keys):
                for key in keys:  # the same records: update changed cells in place
                    if cells[key] != self._row_cells.get(key):
                        for column, value in zip(self._columns, self._fitted(cells[key]), strict=True):
                            grid.update_cell(key, column.key, value)
            else:
                grid.clear()
                for key in keys:
                    grid.add_row(*self._fitted(cells[key]), key=key)
            self._rows, self._row_cells, self._keys = rows, cells, keys
            self.page = page
            self.page_offset = page.offset
            if keys:
                if cursor == "last":
                    target = len(keys) - 1
                elif cursor == "keep" and previous_key in rows:
                    target = keys.index(previous_key)
                elif cursor == "keep":
                    target = min(previous_index, len(keys) - 1)
                else:
                    target = 0
                grid.move_cursor(row=target, animate=False)
        self._set_status(self._page_status(page))
        self.post_message(self.RowHighlighted(self, self._current_key(), self.current_row))

    def _current_key(self) -> str | None:
        grid = self.grid
        return self._keys[grid.cursor_row] if grid.row_count and grid.cursor_row < len(self._keys) else None

    def _page_status(self, page: Page) -> str:
        if page.total == 0:
            return self.empty_text
        noun = "registro" if page.total == 1 else "registros"
        total = f"{page.total:,}".replace(",", ".")
        return f"{total} {noun} · página {page.page_number} de {page.page_count}"

    def _show_loading(self, serial: int) -> None:
        if self._loading_timer is None or serial != self._serial:
            # A timer event already queued when its request was answered (Timer.stop cannot take
            # it back): the page is there, nothing is loading.
            return
        self._loading_timer = None
        self._set_status("Carregando…", error=False, keep_text=True)

    def _set_status(self, text: str, *, error: bool = False, keep_text: bool = False) -> None:
        status = self.query_one(".paged-status", Static)
        if keep_text and self._status_text and not self._status_error:
            status.update(f"{self._status_text} · carregando…")
        else:
            status.update(text)
            self._status_text, self._status_error = text, error
        status.set_class(error, "-error")

    # ------------------------------------------------------------------ rows

    @on(DataTable.RowSelected, ".paged-grid")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key in self._rows:
            self.post_message(self.RowChosen(self, key, self._rows[key]))

    @on(DataTable.RowHighlighted, ".paged-grid")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        key = event.row_key.value
        self.post_message(self.RowHighlighted(self, key, self._rows.get(key) if key else None))


def focus_visible_search(screen: Widget) -> bool:
    """Focus the search field of the searchable list shown on ``screen`` (a screen-wide "/",
    for when the focus is outside the list: a checkbox, the tabs). False when there is none."""
    for table in screen.query(PagedTable):
        if table.searchable and table.is_on_screen:
            table.action_focus_search()
            return True
    return False
