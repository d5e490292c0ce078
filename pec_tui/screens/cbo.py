"""CBO (manual 3.2): occupations available for lotação and the duration of an appointment.

The list is paged in the database; "Editar" sets the scheduling interval (duração da consulta)
and the CBO can be made "Indisponível para lotação" or available again, after a confirmation.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Button, Input, Static

from pec_tui.core.errors import PecError, ValidationError, describe_error
from pec_tui.core.paging import Page
from pec_tui.domain import cbo
from pec_tui.screens.base import Field, PecModal, PecScreen, worker_connection
from pec_tui.widgets.dialogs import ConfirmDialog
from pec_tui.widgets.paged_table import PagedColumn, PagedTable, focus_visible_search
from pec_tui.widgets.toggles import Checkbox

DEFAULT_DURATION = "Padrão do município"
MINUTES_FIELD = "Duração da consulta"


def duration_label(minutes: int | None) -> str:
    return DEFAULT_DURATION if minutes is None else f"{minutes} min"


def status_label(available: bool) -> str:
    return "Disponível" if available else "Indisponível"


def parse_minutes(text: str) -> int | None:
    """The form's text as minutes: empty is the municipality's default; anything else must be
    a whole number (the range is the domain's rule)."""
    value = text.strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError(
            f"{MINUTES_FIELD}: informe um número inteiro de minutos (por exemplo, 20), "
            "ou deixe vazio para usar a duração padrão do município.",
            "appointment_minutes",
        )
    return int(value)


class CboScreen(PecScreen):
    CSS_PATH = "cbo.tcss"  # read when first opened: the login parses only app.tcss
    TITLE_TEXT = "CBO"
    HELP = (
        "CBO (manual, seção 3.2). O módulo CBO é utilizado pelo administrador municipal para controlar, por "
        "meio do código da Classificação Brasileira de Ocupações (CBO), o tipo de profissional que poderá "
        "ser lotado em uma unidade e o tempo de atendimento de cada um, quando for o caso. A configuração "
        "já vem pré-definida e pode ser alterada conforme a necessidade do município.\n\n"
        "Use / para pesquisar o CBO pelo nome ou código; PageUp e PageDown mudam de página. Marque "
        '"Mostrar CBOs indisponíveis para lotação" (Tab até a caixa, espaço marca) para ver também os '
        "indisponíveis.\n\n"
        "E (ou Enter) edita o CBO: o intervalo de agendamento entre as consultas (duração da consulta, em "
        'minutos; vazio usa a duração padrão do município). D marca o CBO como "Indisponível para '
        'lotação", se o município não possui profissional com aquele CBO, ou o disponibiliza de novo. Um '
        "CBO indisponível não pode ser escolhido para uma nova lotação; as lotações existentes não mudam."
    )

    BINDINGS = [
        Binding("e", "edit", "Editar", id="cbo.edit"),
        Binding("d", "set_unavailable", "Tornar indisponível", id="cbo.unavailable"),
        Binding("d", "set_available", "Disponibilizar", id="cbo.available"),
        Binding("slash", "search", "Pesquisar", id="cbo.search", show=False),
    ]

    COLUMNS = [
        PagedColumn("code", "Código", width=6),
        PagedColumn("name", "Nome", ratio=1),
        PagedColumn("minutes", MINUTES_FIELD, width=19),
        PagedColumn("status", "Situação", width=12),
    ]

    def __init__(self) -> None:
        super().__init__(name="cbo")

    def compose_body(self) -> ComposeResult:
        with Vertical(id="cbo", classes="module-body"):
            yield Checkbox("Mostrar CBOs indisponíveis para lotação", compact=True, id="cbo-unavailable")
            yield PagedTable(
                self.fetch_cbos,
                self.COLUMNS,
                self.cbo_cells,
                placeholder="Pesquisar por nome ou código  ( / )",
                empty_text="Nenhum CBO encontrado.",
                filters={"show_unavailable": False},
                open_label=None,  # Enter edits too (RowChosen); the footer shows "e Editar"
                id="cbo-list",
            )

    def on_mount(self) -> None:
        self.list.focus_table()

    @property
    def list(self) -> PagedTable:
        return self.query_one("#cbo-list", PagedTable)

    @property
    def localidade_id(self) -> int | None:
        """The municipality whose CBO settings are shown and changed (tb_cbo_atend): the municipal
        administrator's; ``None`` (the whole installation) for anyone else."""
        session = self.session
        return session.municipal_admin_of[0].id if session and session.municipal_admin_of else None

    def fetch_cbos(self, query: str, offset: int, limit: int, show_unavailable: bool) -> Page[cbo.CboRow]:
        with worker_connection():
            return cbo.list_cbos(query, show_unavailable, offset, limit, self.localidade_id)

    @staticmethod
    def cbo_cells(row: cbo.CboRow) -> tuple[str, ...]:
        return (row.code, row.name, duration_label(row.appointment_minutes), status_label(row.available))

    def action_search(self) -> None:
        focus_visible_search(self)

    @on(Checkbox.Changed, "#cbo-unavailable")
    def _filter(self, event: Checkbox.Changed) -> None:
        self.list.set_filters(show_unavailable=event.value)

    @on(PagedTable.RowHighlighted, "#cbo-list")
    def _highlighted(self) -> None:
        self.refresh_bindings()  # "D" says what it will do to this CBO

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("set_unavailable", "set_available", "edit"):
            try:
                row = self.list.current_row
            except NoMatches:  # not composed yet
                row = None
            if row is None:
                return False
            if action == "set_unavailable":
                return row.available
            if action == "set_available":
                return not row.available
        return True

    # ------------------------------------------------------------------ Editar

    @on(PagedTable.RowChosen, "#cbo-list")
    def _chosen(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        row = self.list.current_row
        if row is not None:
            self.app.push_screen(CboEditDialog(row, self.localidade_id), self._edited)

    def _edited(self, row: cbo.CboRow | None) -> None:
        if row is None:
            return
        self.notify(f"CBO {row.code} salvo: duração da consulta {duration_label(row.appointment_minutes).lower()}.")
        self.list.reload()

    # ------------------------------------------------------------------ availability

    def action_set_unavailable(self) -> None:
        row = self.list.current_row
        if row is None or not row.available:
            return
        question = ConfirmDialog(
            "Indisponível para lotação",
            f"Tornar o CBO {row.code} — {row.name} indisponível para lotação?\n\n"
            "Ele deixa de poder ser escolhido em novas lotações; as lotações existentes não mudam.",
            confirm_label="Tornar indisponível",
        )
        self.app.push_screen(question, lambda yes: yes and self.change_availability(row.id, False))

    def action_set_available(self) -> None:
        row = self.list.current_row
        if row is None or row.available:
            return
        question = ConfirmDialog(
            "Disponibilizar para lotação",
            f"Disponibilizar o CBO {row.code} — {row.name} para lotação?\n\n"
            "Ele volta a poder ser escolhido em novas lotações.",
            confirm_label="Disponibilizar",
        )
        self.app.push_screen(question, lambda yes: yes and self.change_availability(row.id, True))

    def change_availability(self, cbo_id: int, available: bool) -> None:
        self.run_task(
            cbo.set_available,
            cbo_id,
            available,
            self.user_id,
            self.localidade_id,
            done=self._availability_changed,
            failure="Não foi possível alterar o CBO",
            group="cbo-change",
        )

    def _availability_changed(self, row: cbo.CboRow) -> None:
        if row.available:
            self.notify(f"CBO {row.code} disponível para lotação.")
        else:
            self.notify(f"CBO {row.code} indisponível para lotação.")
        self.list.reload()


class CboEditDialog(PecModal[cbo.CboRow | None]):
    """Editar CBO: the duração da consulta, in minutes (empty: the municipality's default)."""

    CSS_PATH = "cbo.tcss"  # read when first opened: the login parses only app.tcss

    BINDINGS = [
        Binding("escape", "cancel", "Cancelar", id="cbo_edit.cancel"),
    ]

    FIELDS = {"appointment_minutes": Field("#cbo-minutes", "#cbo-minutes-error")}

    def __init__(self, row: cbo.CboRow, localidade_id: int | None = None) -> None:
        super().__init__()
        self.row = row
        self.localidade_id = localidade_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog cbo-edit-dialog"):
            yield Static("Editar CBO", classes="dialog-title")
            yield Static(Text(f"{self.row.code} — {self.row.name}"), classes="dialog-message")
            yield Static(f"{MINUTES_FIELD} (minutos)", classes="field-label")
            yield Input(
                value="" if self.row.appointment_minutes is None else str(self.row.appointment_minutes),
                placeholder="vazio: padrão do município",
                max_length=4,
                id="cbo-minutes",
            )
            yield Static(
                f"De {cbo.MIN_APPOINTMENT_MINUTES} a {cbo.MAX_APPOINTMENT_MINUTES} minutos: o intervalo de "
                "agendamento entre as consultas.",
                classes="dialog-hint",
            )
            yield Static("", id="cbo-minutes-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Salvar", variant="primary", id="cbo-save")
                yield Button("Cancelar", id="cbo-cancel")

    def on_mount(self) -> None:
        self.query_one("#cbo-minutes", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cbo-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#cbo-minutes")
    @on(Button.Pressed, "#cbo-save")
    def submit(self) -> None:
        try:
            minutes = parse_minutes(self.query_one("#cbo-minutes", Input).value)
        except ValidationError as exc:
            self.show_field_error("appointment_minutes", exc.message)
            return
        self.query_one("#cbo-save", Button).disabled = True
        self.run_task(
            cbo.set_appointment_minutes,
            self.row.id,
            minutes,
            self.user_id,
            self.localidade_id,
            done=self.dismiss,
            failed=self._save_failed,
            failure="Não foi possível salvar o CBO",
            group="cbo-edit",
        )

    def _save_failed(self, error: BaseException) -> bool:
        """Every refusal shows on the form's line, as the form has only one field."""
        self.query_one("#cbo-save", Button).disabled = False
        if isinstance(error, PecError):
            self.show_field_error("appointment_minutes", error.message)
        else:
            self.show_field_error("appointment_minutes", f"Não foi possível salvar o CBO: {describe_error(error)}.")
        return True
