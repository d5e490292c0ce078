"""The "Configuração da agenda padrão" tab (manual 3.11.1).

One row per weekday with the start and end of the morning, afternoon and evening periods
(``HH:MM``); Saturday and Sunday shown with "Mostrar fim de semana"; the default appointment
duration in minutes; "Salvar". A refusal lands on its day's line (or the duration's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Static

from pec_tui.domain.gestao_municipal import agenda_padrao
from pec_tui.screens.base import Field
from pec_tui.screens.configuracoes.tab import ErrorLine
from pec_tui.screens.gestao_municipal.tab import MunicipalTab
from pec_tui.storage.reference import PERIODS, WEEKDAYS
from pec_tui.widgets.toggles import Checkbox

if TYPE_CHECKING:
    pass


def _input_id(day: int, period: int, end: str) -> str:
    return f"agenda-{day}-{period}-{end}"


def _day_key(day: int) -> str:
    return agenda_padrao.day_field(day)  # "agenda-segunda"


class AgendaTab(MunicipalTab, VerticalScroll):
    TITLE = "Agenda padrão"  # the tab's label, short enough for 80 columns; the heading says it whole
    can_focus = False  # Tab goes from the tabs straight to Segunda's first field (focus scrolls it in view)
    FIELDS = {
        **{
            _day_key(day): Field(f"#{_input_id(day, 1, 'inicio')}", f"#{_day_key(day)}-error") for day, _, _ in WEEKDAYS
        },
        "duracao": Field("#agenda-duracao", "#agenda-duracao-error"),
    }

    def compose(self) -> ComposeResult:
        yield Static("Configuração da agenda padrão dos profissionais", classes="agenda-heading")
        yield Static("", id="agenda-pec-only", classes="module-notice")
        with Horizontal(classes="agenda-row agenda-header"):
            yield Static("", classes="agenda-day")
            for _, _, label in PERIODS:
                yield Static(label, classes="agenda-period-label")
        for day, _, label in WEEKDAYS:
            weekend = " agenda-weekend" if day in agenda_padrao.WEEKEND else ""
            with Horizontal(classes="agenda-row" + weekend, id=f"agenda-row-{day}"):
                yield Static(label, classes="agenda-day")
                for period, _, period_label in PERIODS:
                    yield Input(
                        placeholder="--:--",
                        max_length=5,
                        id=_input_id(day, period, "inicio"),
                        classes="agenda-time agenda-start",
                        compact=True,
                        tooltip=f"{label}, {period_label.lower()}: início",
                    )
                    yield Static("–", classes="agenda-dash")
                    yield Input(
                        placeholder="--:--",
                        max_length=5,
                        id=_input_id(day, period, "fim"),
                        classes="agenda-time agenda-end",
                        compact=True,
                        tooltip=f"{label}, {period_label.lower()}: fim",
                    )
            yield ErrorLine(f"{_day_key(day)}-error")
            if day == 5:
                yield Checkbox("Mostrar fim de semana", id="agenda-fim-de-semana", compact=True)
        yield Static("Duração padrão do agendamento (minutos) *", classes="field-label")
        yield Input(placeholder="minutos", max_length=3, id="agenda-duracao", compact=True, type="integer")
        yield Static(
            f"De {agenda_padrao.MIN_MINUTES} a {agenda_padrao.MAX_MINUTES} minutos. As lotações cujo CBO tem duração "
            "própria (módulo CBO) não usam a duração padrão.",
            classes="dialog-hint",
        )
        yield ErrorLine("agenda-duracao-error")
        yield Button("Salvar", variant="primary", id="agenda-save", compact=True)

    def on_mount(self) -> None:
        self._show_weekend(False)
        self.reload()

    def reload(self) -> None:
        owner = self.owner
        if owner.localidade_id is None:
            return
        owner.run_task(
            agenda_padrao.read,
            owner.localidade_id,
            done=self.show,
            failure="Não foi possível ler a agenda padrão",
            group="agenda-load",
        )

    def show(self, agenda: agenda_padrao.DefaultAgenda) -> None:
        for day, _, _ in WEEKDAYS:
            for period, _, _ in PERIODS:
                start, end = agenda.periods.get((day, period), ("", ""))
                self.query_one(f"#{_input_id(day, period, 'inicio')}", Input).value = start
                self.query_one(f"#{_input_id(day, period, 'fim')}", Input).value = end
        self.query_one("#agenda-fim-de-semana", Checkbox).value = agenda.show_weekend
        self._show_weekend(agenda.show_weekend)
        self.query_one("#agenda-duracao", Input).value = "" if agenda.minutes is None else str(agenda.minutes)
        notice = self.query_one("#agenda-pec-only", Static)
        notice.update(Text("" if agenda.writable else agenda_padrao.NOT_ON_PEC))
        notice.display = not agenda.writable
        for widget in self.query(".agenda-time"):
            widget.disabled = not agenda.writable
        self.query_one("#agenda-fim-de-semana", Checkbox).disabled = not agenda.writable
        self.query_one("#agenda-duracao", Input).disabled = not agenda.writable
        self.query_one("#agenda-save", Button).disabled = not agenda.writable

    def _show_weekend(self, show: bool) -> None:
        for row in self.query(".agenda-weekend"):
            row.display = show
        for day in agenda_padrao.WEEKEND:
            if not show:
                self.query_one(f"#{_day_key(day)}-error", ErrorLine).update("")

    @on(Checkbox.Changed, "#agenda-fim-de-semana")
    def _weekend_toggled(self, event: Checkbox.Changed) -> None:
        self._show_weekend(event.value)

    @on(Input.Submitted, ".agenda-time")
    @on(Input.Submitted, "#agenda-duracao")
    @on(Button.Pressed, "#agenda-save")
    def save(self) -> None:
        owner = self.owner
        owner.clear_field_errors(*self.FIELDS)
        periods = {
            (day, period): (
                self.query_one(f"#{_input_id(day, period, 'inicio')}", Input).value,
                self.query_one(f"#{_input_id(day, period, 'fim')}", Input).value,
            )
            for day, _, _ in WEEKDAYS
            for period, _, _ in PERIODS
        }
        owner.run_task(
            agenda_padrao.save,
            owner.localidade_id,
            periods,
            show_weekend=self.query_one("#agenda-fim-de-semana", Checkbox).value,
            minutes=self.query_one("#agenda-duracao", Input).value,
            by_user_id=owner.user_id,
            done=self._saved,
            failure="Não foi possível salvar a agenda padrão",
            group="agenda-save",
        )

    def _saved(self, agenda: agenda_padrao.DefaultAgenda) -> None:
        self.show(agenda)
        self.notify(f"Agenda padrão de {agenda.municipality} salva.")
