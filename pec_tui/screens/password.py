"""Alterar senha: the forced change at login, or a change the user asks for."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import accounts
from pec_tui.screens.base import PecScreen, worker_connection

FIELD_INPUTS = {
    "senha_atual": "#password-current",
    "nova_senha": "#password-new",
    "confirmacao": "#password-confirm",
}


class ChangePasswordScreen(PecScreen):
    HELP = (
        "Alterar senha. A nova senha deve ter no mínimo 8 caracteres, com letras e números, e ser "
        "diferente da atual. A mesma senha vale para o PEC e para o pec-tui."
    )

    BINDINGS = [Binding("escape", "back", "Voltar", id="password.back")]

    @dataclass
    class Finished(Message):
        error: str | None = None
        field: str | None = None

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
            self.pec_app.logout()
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
        self.query_one("#password-submit", Button).disabled = True
        self.change(current, new, confirmation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="password")
    def change(self, current: str, new: str, confirmation: str) -> None:
        session = self.pec_app.session
        if session is None:
            self.post_message(self.Finished("Sessão encerrada; entre novamente."))
            return
        try:
            with worker_connection():
                accounts.change_password(session.user_id, current, new, confirmation)
        except ValidationError as exc:
            self.post_message(self.Finished(exc.message, exc.field))
        except PecError as exc:
            self.post_message(self.Finished(exc.message))
        except Exception as exc:
            self.post_message(self.Finished(f"Não foi possível alterar a senha: {exc}."))
        else:
            self.post_message(self.Finished())

    def on_change_password_screen_finished(self, message: Finished) -> None:
        self.query_one("#password-submit", Button).disabled = False
        status = self.query_one("#password-message", Static)
        if message.error:
            status.set_classes("-error")
            status.update(message.error)
            selector = FIELD_INPUTS.get(message.field or "")
            if selector and self.query(selector):
                self.query_one(selector, Input).focus()
            return
        self.app.notify("Senha alterada.", title="Alterar senha")
        if self.forced:
            self.pec_app.show_home()
        else:
            self.dismiss()
