"""Alterar senha: the forced change at login, or a change the user asks for."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Button, Input, Static

from pec_tui.core.errors import ValidationError
from pec_tui.domain import accounts
from pec_tui.messages import Logout, PasswordChanged
from pec_tui.screens.base import Field, PecScreen, failure_message


class ChangePasswordScreen(PecScreen):
    HELP = (
        "Alterar senha. A nova senha deve ter no mínimo 8 caracteres, com letras e números, e ser "
        "diferente da atual. A mesma senha vale para o PEC e para o pec-tui."
    )

    BINDINGS = [Binding("escape", "back", "Voltar", id="password.back")]

    # The form has one message line: every error shows there, the cursor goes to the field.
    FIELDS = {
        "senha_atual": Field("#password-current", "#password-message"),
        "nova_senha": Field("#password-new", "#password-message"),
        "confirmacao": Field("#password-confirm", "#password-message"),
    }

    def __init__(self, *, forced: bool, reason: str = "", current_password: str | None = None) -> None:
        super().__init__(name="password")
        self.forced = forced
        self.reason = reason
        self.current_password = current_password

    def compose_body(self) -> ComposeResult:
        with Center(), Vertical(id="password-box"):
            yield Static("Alterar senha", id="password-title")
            if self.reason:
                yield Static(self.reason, id="password-reason")
            fields = [("password-new", "Nova senha (mínimo 8, letras e números)"), ("password-confirm", "Confirmação")]
            if self.current_password is None:
                fields.insert(0, ("password-current", "Senha atual"))
            for field_id, title in fields:
                field = Input(password=True, id=field_id)
                field.border_title = title
                yield field
            yield Button("Alterar senha", id="password-submit", variant="primary")
            yield Static("", id="password-message")

    def on_mount(self) -> None:
        first = "#password-current" if self.current_password is None else "#password-new"
        self.query_one(first, Input).focus()

    def action_back(self) -> None:
        if self.forced:
            self.post_message(Logout())
        else:
            self.dismiss()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "password-confirm":
            self.submit()
        else:
            self.focus_next()

    @on(Button.Pressed, "#password-submit")
    def submit(self) -> None:
        current = (
            self.current_password
            if self.current_password is not None
            else self.query_one("#password-current", Input).value
        )
        new = self.query_one("#password-new", Input).value
        confirmation = self.query_one("#password-confirm", Input).value
        if self.user_id is None:
            self.show_message("#password-message", "Sessão encerrada; entre novamente.", "-error")
            return
        self.query_one("#password-submit", Button).disabled = True
        self.run_task(
            accounts.change_password,
            self.user_id,
            current,
            new,
            confirmation,
            done=self._changed,
            failed=self._refused,
            failure="Não foi possível alterar a senha",
            group="password",
        )

    def _changed(self, _: None) -> None:
        self.query_one("#password-submit", Button).disabled = False
        self.app.notify("Senha alterada.", title="Alterar senha")
        if self.forced:
            self.post_message(PasswordChanged())
        else:
            self.dismiss()

    def _refused(self, error: BaseException) -> bool:
        self.query_one("#password-submit", Button).disabled = False
        field = self.FIELDS.get(error.field or "") if isinstance(error, ValidationError) else None
        text = failure_message(error, "Não foi possível alterar a senha")
        self.show_message("#password-message", text, "-error", focus=field.input if field else None)
        return True
