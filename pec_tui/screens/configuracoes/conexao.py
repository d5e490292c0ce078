"""Conexão (manual 3.1.1): the internet connection and its test, CADSUS and Hórus (disabled for a
while), Agenda Online (with its counter key).

The CADSUS and Hórus timers are shown from the stored end moment: the screen's 1-second timer
calls :meth:`ConexaoTab.tick`, which re-renders the countdown from the computed state without
asking the database; every :data:`RELOAD_SECONDS` it reads the state again in a worker, since the
scheduler (``pec-tui jobs run``) or another console may have changed it, and redraws only when
something did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Select, Static

from pec_tui.core import clock
from pec_tui.domain.configuracoes import conexao
from pec_tui.domain.configuracoes.conexao import CADSUS, HORUS, ConnectionStatus, ServiceState, TestResult
from pec_tui.screens.base import Field, failure_message
from pec_tui.screens.configuracoes.tab import SAVE_FAILURE, ConfigTab, ErrorLine, ResultLine

#: Seconds between two background reads of the state (the scheduler ends timers on its own).
RELOAD_SECONDS = 15


class ConexaoTab(VerticalScroll, ConfigTab):
    TITLE = "Conexão"
    PANE = "tab-conexao"
    FIELDS = {"contrachave": Field("#agenda-key", "#agenda-key-error")}

    @dataclass
    class InternetChanged(Message):
        """The internet connection was drawn on or off (the SMTP server needs it)."""

        enabled: bool

    def __init__(self) -> None:
        # Not a Tab stop of its own: the focus goes straight to the first field, and a focused
        # field scrolls itself into view.
        super().__init__(classes="config-pane", can_focus=False)
        self.status: ConnectionStatus | None = None
        self._shown: dict[str, bool] = {}  # enabled state last drawn, per service
        self._testing = False
        self._test_result: TestResult | None = None
        self._ticks = 0

    def compose(self) -> ComposeResult:
        yield Static("Carregando…", id="internet-status", classes="config-status")
        with Horizontal(classes="config-actions"):
            yield Button("Testar conexão com a internet", compact=True, id="internet-test")
            yield Button("Desabilitar", compact=True, id="internet-disable")
            yield Button("Habilitar", compact=True, variant="primary", id="internet-enable")
        yield ResultLine("internet-result")
        for service in (CADSUS, HORUS):
            key = service.lower()
            yield Static("", id=f"{key}-status", classes="config-status config-service")
            with Horizontal(classes="config-actions", id=f"{key}-actions"):
                yield Static("Desabilitar durante", classes="config-inline-label", id=f"{key}-duration-label")
                yield Select(
                    [(option.label, option.key) for option in conexao.DURATIONS[service]],
                    value=conexao.DURATIONS[service][0].key,
                    allow_blank=False,
                    compact=True,
                    id=f"{key}-duration",
                )
                yield Button("Desabilitar", compact=True, id=f"{key}-disable")
                yield Button("Habilitar", compact=True, variant="primary", id=f"{key}-enable")
        yield Static("", id="agenda-status", classes="config-status config-service")
        with Horizontal(classes="config-actions", id="agenda-actions"):
            yield Static("Contrachave", classes="config-inline-label", id="agenda-key-label")
            yield Input(placeholder="gerada no e-Gestor AB (Agendamento)", compact=True, id="agenda-key")
            yield Button("Habilitar", compact=True, variant="primary", id="agenda-enable")
            yield Button("Desabilitar", compact=True, id="agenda-disable")
        yield ErrorLine("agenda-key-error")
        yield Static("", id="connection-note", classes="config-note")

    # ------------------------------------------------------------------ state

    @property
    def internet_on(self) -> bool:
        return self.status is None or self.status.internet_enabled(clock.now())

    def show_status(self, status: ConnectionStatus) -> None:
        self.status = status
        self._shown.clear()
        self.render_connection()

    def show_load_error(self, text: str) -> None:
        self.query_one("#internet-status", Static).update(text)

    def _reread(self, status: ConnectionStatus) -> None:
        if self.status is None or replace(status, read_at=self.status.read_at) != self.status:
            self.show_status(status)

    def reload(self) -> None:
        """Read the state again (another console may have changed it)."""
        self.runner.run_task(conexao.status, done=self.show_status, failure=SAVE_FAILURE, group="config-reload")

    def probe_url_saved(self, url: str) -> None:
        """Configurações avançadas saved the test's address: a new address wants a new test."""
        if self.status is not None and self.status.probe_url != url:
            self._test_result = None
            self.reload()

    def tick(self) -> None:
        """Once a second: the countdowns, from the stored end moments (no database). Only the
        status lines are redrawn, unless a timer has just ended (then the whole section)."""
        status = self.status
        if status is None:
            return
        self._ticks += 1
        if self._ticks % RELOAD_SECONDS == 0:
            self.runner.run_task(
                conexao.status, done=self._reread, failure=SAVE_FAILURE, group="config-reread", failed=lambda _: True
            )  # a failed background read is tried again at the next one, without a notice
        now = clock.now()
        states = {"internet": status.internet, "cadsus": status.cadsus, "horus": status.horus}
        if any(self._shown.get(key) != state.enabled_at(now) for key, state in states.items()):
            self.render_connection()
            return
        internet_on = status.internet.enabled_at(now)
        for service, state in ((CADSUS, status.cadsus), (HORUS, status.horus)):
            if state.timer:
                self.query_one(f"#{service.lower()}-status", Static).update(self._service_line(state, now, internet_on))

    # ------------------------------------------------------------------ drawing

    def render_connection(self) -> None:
        status = self.status
        if status is None:
            return
        now = clock.now()
        internet_on = status.internet.enabled_at(now)
        self.query_one("#internet-status", Static).update(
            Content.assemble(("Internet  ", "bold"), conexao.describe(status.internet, now))
        )
        self._swap("internet", internet_on, "#internet-disable", "#internet-enable")
        test = self.query_one("#internet-test", Button)
        test.disabled = not internet_on  # while a test runs, presses are ignored (the focus stays)
        self.render_internet_result(internet_on)
        for service, state in ((CADSUS, status.cadsus), (HORUS, status.horus)):
            self.render_service(service, state, now, internet_on)
        agenda = status.agenda_online
        agenda_text = "Habilitada" if agenda.enabled else "Desabilitada"
        if agenda.enabled and agenda.counter_key_hint:
            agenda_text += f" (contrachave terminada em {agenda.counter_key_hint})"
        self.query_one("#agenda-status", Static).update(Content.assemble(("Agenda Online  ", "bold"), agenda_text))
        for widget_id in ("#agenda-key-label", "#agenda-key"):
            self.query_one(widget_id).display = not agenda.enabled
        if agenda.enabled:
            self.query_one("#agenda-key", Input).value = ""  # stored; not kept on screen
        self._swap("agenda", agenda.enabled, "#agenda-disable", "#agenda-enable")
        for widget in self.query("#agenda-actions Input, #agenda-actions Button"):
            widget.disabled = not internet_on
        note = self.query_one("#connection-note", Static)
        note.update(
            ""
            if internet_on
            else "Sem conexão com a internet: CADSUS, Hórus, Agenda Online e o servidor SMTP ficam "
            "indisponíveis até que ela seja habilitada."
        )
        note.set_class(not internet_on, "-warning")
        self.post_message(self.InternetChanged(internet_on))

    def render_internet_result(self, internet_on: bool) -> None:
        """What the test line says: why there is no test, the test running, its result, or
        (before any test) the address it will ask."""
        url = self.status.probe_url if self.status else ""
        result = self._test_result
        line = self.query_one("#internet-result", ResultLine)
        if not internet_on:
            line.show("O teste não é feito com a conexão com a internet desabilitada.", None)
        elif self._testing:
            line.show(f"Testando a conexão com {url}…", None)
        elif result is not None:
            line.show(result.message, result.ok)
        else:
            line.show(f"Endereço do teste: {url}", None)

    def render_service(self, service: str, state: ServiceState, now: dt.datetime, internet_on: bool) -> None:
        key = service.lower()
        enabled = state.enabled_at(now)
        self.query_one(f"#{key}-status", Static).update(self._service_line(state, now, internet_on))
        for widget_id in (f"#{key}-duration-label", f"#{key}-duration"):
            self.query_one(widget_id).display = enabled
        self._swap(key, enabled, f"#{key}-disable", f"#{key}-enable")
        for widget in self.query(f"#{key}-actions Select, #{key}-actions Button"):
            widget.disabled = not internet_on

    @staticmethod
    def _service_line(state: ServiceState, now: dt.datetime, internet_on: bool) -> Content:
        line = conexao.describe(state, now)
        if state.enabled_at(now) and not internet_on:
            line += " · indisponível sem internet"
        return Content.assemble((f"{state.label}  ", "bold"), line)

    def _swap(self, key: str, enabled: bool, disable_id: str, enable_id: str) -> None:
        """Show "Desabilitar" when on, "Habilitar" when off; keep the focus on the one shown."""
        if self._shown.get(key) == enabled:
            return
        self._shown[key] = enabled
        disable, enable = self.query_one(disable_id, Button), self.query_one(enable_id, Button)
        had_focus = disable.has_focus or enable.has_focus
        disable.display, enable.display = enabled, not enabled
        if had_focus:
            (disable if enabled else enable).focus()

    # ------------------------------------------------------------------ internet

    @on(Button.Pressed, "#internet-test")
    def test_internet(self) -> None:
        if self._testing:
            return
        self._testing = True
        self.render_internet_result(True)
        self.change(conexao.test_internet, done=self._internet_tested, group="config-network", failed=self._test_failed)

    def _internet_tested(self, result: TestResult) -> None:
        self._testing = False
        self._test_result = result
        self.render_internet_result(self.internet_on)

    def _test_failed(self, error: BaseException) -> bool:
        self._internet_tested(TestResult(False, failure_message(error, SAVE_FAILURE)))
        return True

    @on(Button.Pressed, "#internet-disable")
    def disable_internet(self) -> None:
        user = self.user_id
        self.confirm(
            "Desabilitar a conexão com a internet",
            "Desabilitar a conexão com a internet?\n\nCADSUS, Hórus, Agenda Online e o servidor SMTP ficam "
            "indisponíveis até que ela seja habilitada de novo.",
            "Desabilitar",
            lambda: self._change(conexao.disable_internet, user, notice="Conexão com a internet desabilitada."),
        )

    @on(Button.Pressed, "#internet-enable")
    def enable_internet(self) -> None:
        self._change(conexao.enable_internet, self.user_id, notice="Conexão com a internet habilitada.")

    def _change(self, task: Callable[..., ConnectionStatus], *args: object, notice: str) -> None:
        """A change of the connection's state: its answer is the new state."""
        self.change(task, *args, done=self.show_status, notice=notice)

    # ------------------------------------------------------------------ CADSUS and Hórus

    @on(Button.Pressed, "#cadsus-disable, #horus-disable")
    def disable_service(self, event: Button.Pressed) -> None:
        service = CADSUS if event.button.id == "cadsus-disable" else HORUS
        choice = str(self.query_one(f"#{service.lower()}-duration", Select).value)
        option = conexao.duration(service, choice)
        label = conexao.SERVICE_LABELS[service]
        how_long = "por tempo indeterminado" if option.indefinite else f"durante {option.label}"
        self._change(conexao.disable_service, service, choice, self.user_id, notice=f"{label} desabilitado {how_long}.")

    @on(Button.Pressed, "#cadsus-enable, #horus-enable")
    def enable_service(self, event: Button.Pressed) -> None:
        if event.button.id == "horus-enable":  # Hórus needs the internet working: tested first
            self._change(conexao.enable_horus_connected, self.user_id, notice="Hórus habilitado.")
            return
        self._change(conexao.enable_service, CADSUS, self.user_id, notice="CADSUS habilitado.")

    # ------------------------------------------------------------------ Agenda Online

    @on(Input.Submitted, "#agenda-key")
    @on(Button.Pressed, "#agenda-enable")
    def enable_agenda(self) -> None:
        self.runner.clear_field_errors(*self.FIELDS)
        key = self.query_one("#agenda-key", Input).value
        self._change(conexao.enable_agenda_online_connected, key, self.user_id, notice="Agenda Online habilitada.")

    @on(Button.Pressed, "#agenda-disable")
    def disable_agenda(self) -> None:
        user = self.user_id

        def disable() -> None:
            self.query_one("#agenda-key", Input).value = ""
            self._change(conexao.disable_agenda_online, user, notice="Agenda Online desabilitada.")

        self.confirm(
            "Desabilitar a Agenda Online",
            "Desabilitar a sincronização com o Servidor de Agenda Online?\n\nPara habilitá-la de novo será "
            "preciso informar a contrachave.",
            "Desabilitar",
            disable,
        )
