"""Municípios e responsáveis (manual 3.1.4): the installation's municipalities and their one
responsible each; the dialog that adds a municipality or changes its responsible."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Button, DataTable, Input, Static

from pec_tui.core.errors import ValidationError
from pec_tui.core.paging import Page
from pec_tui.core.validators import format_cpf
from pec_tui.domain.configuracoes import municipios
from pec_tui.domain.configuracoes.municipios import ProfessionalChoice, ResponsibleRow
from pec_tui.screens.base import Field, PecModal, failure_message, worker_connection
from pec_tui.screens.configuracoes.tab import SAVE_FAILURE, ConfigTab, ErrorLine
from pec_tui.widgets.dialogs import ConfirmDialog
from pec_tui.widgets.paged_table import PagedColumn, PagedTable


class MunicipiosTab(Vertical, ConfigTab):
    """The list of municipalities with their responsible; "a" adds, "t" changes the responsible."""

    TITLE = "Municípios e responsáveis"
    PANE = "tab-municipios"

    def __init__(self) -> None:
        super().__init__(classes="config-pane")
        self.rows: list[ResponsibleRow] | None = None  # None until loaded

    def compose(self) -> ComposeResult:
        table: DataTable = DataTable(cursor_type="row", id="responsibles")
        table.add_column("Município", key="municipality")
        table.add_column("IBGE", key="ibge")
        table.add_column("Responsável", key="responsible")
        table.add_column("CPF", key="cpf")
        yield table
        with Horizontal(classes="config-buttons"):
            yield Button("Adicionar município", compact=True, variant="primary", id="municipality-add")
            yield Button("Trocar responsável", compact=True, id="responsible-change")
        yield Static(
            "Só é possível habilitar um responsável municipal para cada município/distrito federal; ele "
            "recebe o perfil de administrador municipal.",
            classes="config-note",
        )

    def show_rows(self, rows: list[ResponsibleRow]) -> None:
        self.rows = rows
        table = self.query_one("#responsibles", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(
                row.label,
                row.ibge,
                Text(row.professional_name) if row.professional_name else Text("sem responsável", style="italic"),
                format_cpf(row.professional_cpf) if row.professional_cpf else "—",
                key=str(row.localidade_id),
            )
        if rows:
            table.move_cursor(row=min(max(cursor, 0), len(rows) - 1), animate=False)
        self.screen.refresh_bindings()

    def current_responsible(self) -> ResponsibleRow | None:
        if self.rows is None:
            return None
        try:
            table = self.query_one("#responsibles", DataTable)
        except NoMatches:
            return None
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((row for row in self.rows if str(row.localidade_id) == key), None)

    @on(DataTable.RowHighlighted, "#responsibles")
    def _responsible_highlighted(self) -> None:
        self.screen.refresh_bindings()
        row = self.current_responsible()
        self.query_one("#responsible-change", Button).disabled = row is None or row.professional_id is None

    @on(Button.Pressed, "#municipality-add")
    def add_municipality(self) -> None:
        self.app.push_screen(ResponsibleDialog(None, existing=self.rows or []), self._responsible_saved)

    @on(DataTable.RowSelected, "#responsibles")
    @on(Button.Pressed, "#responsible-change")
    def change_responsible(self) -> None:
        row = self.current_responsible()
        if row is None:
            return
        if row.professional_id is None:
            self.app.push_screen(ResponsibleDialog(None, municipality=row), self._responsible_saved)
        else:
            self.app.push_screen(ResponsibleDialog(row), self._responsible_saved)

    def _responsible_saved(self, rows: list[ResponsibleRow] | None) -> None:
        if rows is None:
            return
        self.show_rows(rows)
        self.query_one("#responsibles", DataTable).focus()
        self.pec_app.load_installation()  # the header counts the municipalities


# --------------------------------------------------------------------------------------------
# Adicionar município / Trocar responsável
# --------------------------------------------------------------------------------------------


NOBODY_CHOSEN = "Escolhido: ninguém ainda (pesquise, desça à lista com a seta e tecle Enter)"


def change_and_list(change: Callable[..., Any], *args: Any, **kwargs: Any) -> list[ResponsibleRow]:
    """Make the change, then read the list again (what the tab shows next)."""
    change(*args, **kwargs)
    return municipios.responsibles()


class ResponsibleDialog(PecModal[list[ResponsibleRow] | None]):
    """Adicionar município (IBGE code or name, and its responsible) or Trocar responsável.

    Dismisses with the new list of municipalities and responsibles, or None (Esc, Cancelar)."""

    CSS_PATH = "configuracoes.tcss"

    BINDINGS = [
        Binding("escape", "cancel", "Cancelar", id="responsible.cancel"),
        Binding("f2", "save", "Salvar", id="responsible.save"),
    ]

    COLUMNS = [
        PagedColumn("name", "Profissional", ratio=1),
        PagedColumn("cpf", "CPF", width=14),
        PagedColumn("cns", "CNS", width=15),
    ]

    # Every refusal shows in the dialog: the municipality's line (when adding), else the list's.
    FIELDS = {
        "municipio": Field("#responsible-municipality", "#responsible-municipality-error"),
        "responsavel": Field("#responsible-list .paged-search", "#responsible-error", mark=False),
    }

    def __init__(
        self,
        current: ResponsibleRow | None,
        *,
        municipality: ResponsibleRow | None = None,
        existing: list[ResponsibleRow] | None = None,
    ) -> None:
        super().__init__()
        self.current = current  # Trocar responsável: the municipality and who is responsible now
        self.municipality = municipality or current  # a municipality already chosen
        self.chosen: ProfessionalChoice | None = None
        #: The installation's municipalities by IBGE code: one typed again is said at once.
        self.existing = {row.ibge: row for row in existing or []}

    @property
    def changing(self) -> bool:
        return self.current is not None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="responsible-dialog"):
            if self.current is not None:
                yield Static("Trocar responsável", classes="dialog-title")
                yield Static(
                    Text(
                        f"{self.current.label} (IBGE {self.current.ibge}) · responsável atual: "
                        f"{self.current.professional_name}"
                    ),
                    classes="responsible-context",
                )
            else:
                yield Static("Adicionar município e responsável", classes="dialog-title")
                yield Static("Município (código IBGE ou nome)", classes="config-field-label")
                yield Input(
                    value=self.municipality.ibge if self.municipality else "",
                    placeholder="por exemplo, 4204202 ou Chapecó",
                    compact=True,
                    id="responsible-municipality",
                )
                yield Static("", id="responsible-municipality-found", classes="config-note")
                yield ErrorLine("responsible-municipality-error")
            yield Static("Responsável (profissional da base local)", classes="config-field-label")
            yield PagedTable(
                self.fetch_professionals,
                self.COLUMNS,
                self.professional_cells,
                placeholder="Pesquisar por nome, CPF ou CNS  ( / )",
                empty_text="Nenhum profissional encontrado na base local.",
                open_label="Escolher",
                id="responsible-list",
            )
            yield Static(NOBODY_CHOSEN, id="responsible-chosen")
            yield ErrorLine("responsible-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Salvar", variant="primary", compact=True, id="responsible-save")
                yield Button("Cancelar", compact=True, id="responsible-cancel")

    def on_mount(self) -> None:
        if self.changing or self.municipality is not None:
            self.professionals.action_focus_search()
            self._describe_municipality()
        else:
            self.query_one("#responsible-municipality", Input).focus()

    @property
    def professionals(self) -> PagedTable:
        return self.query_one("#responsible-list", PagedTable)

    @staticmethod
    def fetch_professionals(query: str, offset: int, limit: int) -> Page[ProfessionalChoice]:
        with worker_connection():
            return municipios.search_professionals(query, offset, limit)

    @staticmethod
    def professional_cells(row: ProfessionalChoice) -> tuple[str, ...]:
        return (row.name, row.cpf_label, row.cns or "—")

    # ------------------------------------------------------------------ municipality

    @on(Input.Changed, "#responsible-municipality")
    def _describe_municipality(self) -> None:
        if self.changing:
            return
        text = self.query_one("#responsible-municipality", Input).value
        found = self.query_one("#responsible-municipality-found", Static)
        code = municipios.resolve_municipality(text)
        self.clear_field_errors("municipio")
        if not text.strip():
            found.update("")
        elif code is not None and self.municipality is None and code in self.existing:
            found.update("")
            self._already_there(self.existing[code])
            return
        elif code is not None:
            name, uf = municipios.municipalities_by_ibge()[code]
            found.update(Text(f"✓ {name}/{uf} · IBGE {code}"))
        else:
            candidates = municipios.municipality_candidates(text, limit=3)
            if candidates:
                found.update(
                    Text(
                        "Vários: "
                        + " · ".join(f"{ibge} {label}" for ibge, label in candidates)
                        + " — informe o código ou o nome completo"
                    )
                )
            else:
                found.update(Text("Nenhum município com esse código ou nome."))

    def _already_there(self, row: ResponsibleRow) -> None:
        """A municipality the installation has: refused now, before a responsible is chosen."""
        if row.professional_id is not None:
            text = (
                f"{row.label} já está na instalação, com o responsável {row.professional_name}; só é "
                "possível um responsável por município. Para mudá-lo, use Trocar responsável."
            )
        else:
            text = f"{row.label} já está na instalação, sem responsável: escolha-o em Trocar responsável."
        line = self.query_one("#responsible-municipality-error", Static)
        line.update(text)
        self.query_one("#responsible-municipality", Input).add_class("-invalid")

    @on(Input.Submitted, "#responsible-municipality")
    def _municipality_done(self) -> None:
        code = municipios.resolve_municipality(self.query_one("#responsible-municipality", Input).value)
        if code is not None and self.municipality is None and code in self.existing:
            return  # said on the error line; nothing to choose
        self.professionals.action_focus_search()

    # ------------------------------------------------------------------ professional

    @on(PagedTable.RowHighlighted, "#responsible-list")
    def _highlighted(self, event: PagedTable.RowHighlighted) -> None:
        # The row under the cursor is the choice once the administrator is in the list; a page
        # that merely loaded under the search field chooses nobody.
        if self.professionals.grid.has_focus:
            self._choose(event.row)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        table = self.professionals
        if event.widget is table.grid:
            self._choose(table.current_row)

    @on(PagedTable.RowChosen, "#responsible-list")
    def _chosen(self, event: PagedTable.RowChosen) -> None:
        self._choose(event.row)
        self.query_one("#responsible-save", Button).focus()

    def _choose(self, row: ProfessionalChoice | None) -> None:
        self.chosen = row
        text = f"Escolhido: {row.name} (CPF {row.cpf_label})" if row is not None else NOBODY_CHOSEN
        self.query_one("#responsible-chosen", Static).update(Text(text))

    # ------------------------------------------------------------------ save

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#responsible-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#responsible-save")
    def action_save(self) -> None:
        self.clear_field_errors()
        professional_id = self.chosen.id if self.chosen is not None else None
        if self.current is not None:
            current = self.current
            if self.chosen is None:
                self.show_field_error("responsavel", "Escolha o novo responsável na lista.")
                return
            question = ConfirmDialog(
                "Trocar responsável",
                f"{current.professional_name} deixa de ser o administrador municipal de {current.label}, "
                f"e {self.chosen.name} passa a sê-lo.\n\nConfirma a troca?",
                confirm_label="Trocar",
            )
            self.app.push_screen(
                question,
                lambda yes: yes and self.save(municipios.change_responsible, current.localidade_id, professional_id),
            )
            return
        text = self.query_one("#responsible-municipality", Input).value
        code = municipios.resolve_municipality(text) or text
        self.save(municipios.add_municipality, code, professional_id)

    def save(self, change: Callable[..., ResponsibleRow], *args: Any) -> None:
        self.run_task(
            change_and_list,
            change,
            *args,
            by_user_id=self.user_id,
            done=self._saved,
            failed=self._save_failed,
            failure=SAVE_FAILURE,
            group="responsible-save",
        )

    def _saved(self, rows: list[ResponsibleRow]) -> None:
        self.app.notify("Responsável trocado." if self.changing else "Município e responsável adicionados.")
        self.dismiss(rows)

    def _save_failed(self, error: BaseException) -> bool:
        """Every refusal shows in the dialog; one without a field (a second responsible) is about
        the municipality when adding, about the responsible when changing."""
        field = error.field if isinstance(error, ValidationError) else None
        text = failure_message(error, SAVE_FAILURE)
        if not self.show_field_error(field or ("responsavel" if self.changing else "municipio"), text):
            self.show_field_error("responsavel", text)
        return True
