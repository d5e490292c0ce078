"""Configurações avançadas (manual 3.1.5): the number of simultaneous requests (with the manual's
warning) and the address the internet connection test asks."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Static

from pec_tui.domain import settings
from pec_tui.domain.configuracoes import avancadas
from pec_tui.domain.configuracoes.avancadas import AdvancedSettings
from pec_tui.screens.base import Field
from pec_tui.screens.configuracoes.tab import ConfigTab, ErrorLine


class AvancadasTab(VerticalScroll, ConfigTab):
    TITLE = "Configurações avançadas"
    PANE = "tab-avancadas"
    FIELDS = {
        "requisicoes": Field("#advanced-requests", "#advanced-requests-error"),
        "url_teste": Field("#advanced-url", "#advanced-url-error"),
    }
    SAVES = True

    @dataclass
    class Saved(Message):
        """The settings were saved (the Conexão tab tests the address saved here)."""

        values: AdvancedSettings

    def __init__(self) -> None:
        super().__init__(classes="config-pane", can_focus=False)

    def compose(self) -> ComposeResult:
        yield Static(avancadas.SIMULTANEOUS_REQUESTS_LABEL, classes="config-field-label -first")
        yield Input(compact=True, max_length=3, restrict=r"\d*", id="advanced-requests")
        yield ErrorLine("advanced-requests-error")
        yield Static(f"Um número inteiro de 1 a {settings.MAX_SIMULTANEOUS_REQUESTS}.", classes="config-note")
        yield Static(avancadas.SIMULTANEOUS_REQUESTS_WARNING, classes="config-warning")
        yield Static("Endereço usado no teste de conexão com a internet", classes="config-field-label")
        yield Input(compact=True, id="advanced-url")
        yield ErrorLine("advanced-url-error")
        with Horizontal(classes="config-buttons"):
            yield Button("Salvar", compact=True, variant="primary", id="advanced-save")

    def show_values(self, values: AdvancedSettings) -> None:
        self.query_one("#advanced-requests", Input).value = str(values.simultaneous_requests)
        self.query_one("#advanced-url", Input).value = values.probe_url

    @on(Input.Submitted, "#advanced-requests, #advanced-url")
    @on(Button.Pressed, "#advanced-save")
    def save(self) -> None:
        self.runner.clear_field_errors(*self.FIELDS)
        self.change(
            avancadas.save_advanced,
            self.query_one("#advanced-requests", Input).value,
            self.query_one("#advanced-url", Input).value,
            by_user_id=self.user_id,
            done=self._saved,
            notice="Configurações avançadas salvas.",
        )

    def _saved(self, values: AdvancedSettings) -> None:
        self.show_values(values)
        self.post_message(self.Saved(values))
