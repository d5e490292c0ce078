"""Segurança (manual 3.1.2): password renewal, inactivity, failed logins; "Redefinir senha de todos
os usuários"."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Select, Static

from pec_tui.domain.configuracoes import seguranca
from pec_tui.domain.settings import SecuritySettings
from pec_tui.screens.base import Field
from pec_tui.screens.configuracoes.tab import ConfigTab, ErrorLine


class SegurancaTab(VerticalScroll, ConfigTab):
    TITLE = "Segurança"
    PANE = "tab-seguranca"
    FIELDS = {
        "renovacao": Field("#security-renewal", "#security-error"),
        "inatividade": Field("#security-inactivity", "#security-error"),
        "tentativas": Field("#security-attempts", "#security-error"),
    }
    SAVES = True

    def __init__(self) -> None:
        super().__init__(classes="config-pane", can_focus=False)

    def compose(self) -> ComposeResult:
        yield Static(seguranca.RENEWAL_LABEL, classes="config-field-label -first")
        yield Select(seguranca.RENEWAL_OPTIONS, allow_blank=False, value=6, compact=True, id="security-renewal")
        yield Static(seguranca.INACTIVITY_LABEL, classes="config-field-label")
        yield Select(seguranca.INACTIVITY_OPTIONS, allow_blank=False, value=30, compact=True, id="security-inactivity")
        yield Static(seguranca.ATTEMPTS_LABEL, classes="config-field-label")
        yield Select(seguranca.ATTEMPTS_OPTIONS, allow_blank=False, value=5, compact=True, id="security-attempts")
        yield ErrorLine("security-error")
        with Horizontal(classes="config-buttons"):
            yield Button("Salvar", compact=True, variant="primary", id="security-save")
        yield Static("Redefinição de senhas", classes="config-section")
        yield Static(
            "Em condições excepcionais, solicite a redefinição das senhas de todos os usuários: cada um "
            "define uma nova senha no primeiro acesso após a solicitação.",
            classes="config-note",
        )
        with Horizontal(classes="config-buttons"):
            yield Button("Redefinir senha de todos os usuários", compact=True, variant="warning", id="security-reset")

    def show_values(self, values: SecuritySettings) -> None:
        self.query_one("#security-renewal", Select).value = values.password_renewal_months
        self.query_one("#security-inactivity", Select).value = values.inactivity_minutes
        self.query_one("#security-attempts", Select).value = values.max_login_attempts

    @on(Button.Pressed, "#security-save")
    def save(self) -> None:
        self.runner.clear_field_errors(*self.FIELDS)
        self.change(
            seguranca.save,
            self.query_one("#security-renewal", Select).value,
            self.query_one("#security-inactivity", Select).value,
            self.query_one("#security-attempts", Select).value,
            by_user_id=self.user_id,
            done=self._saved,
            notice="Configurações de segurança salvas.",
        )

    def _saved(self, values: SecuritySettings) -> None:
        self.show_values(values)
        self.pec_app.security = values  # the inactivity lock obeys at once

    @on(Button.Pressed, "#security-reset")
    def reset_passwords(self) -> None:
        user = self.user_id
        self.confirm(
            "Redefinir senha de todos os usuários",
            "Todos os usuários do sistema, inclusive você, deverão definir uma nova senha no próximo acesso.\n\n"
            "Confirma a redefinição de senha de todos os usuários?",
            "Redefinir",
            lambda: self.change(seguranca.reset_all_passwords, by_user_id=user, done=self._reset),
        )

    def _reset(self, count: int) -> None:
        self.notify(
            f"Redefinição solicitada: {count} {'usuário deverá' if count == 1 else 'usuários deverão'} "
            "definir nova senha no próximo acesso."
        )
