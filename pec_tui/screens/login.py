"""Login: CPF and password, as in PEC (manual 1.3). Blocking work runs in a thread worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.screens.base import PecScreen, worker_connection

if TYPE_CHECKING:
    from pec_tui.domain.accounts import LoginResult
    from pec_tui.domain.settings import SecuritySettings


class LoginScreen(PecScreen):
    HELP = (
        "Acesso ao sistema com o CPF e a senha do PEC: a mesma senha serve ao PEC e ao pec-tui.\n\n"
        "Depois do número máximo de tentativas sem sucesso (Configurações da instalação › Segurança) "
        "a conta é bloqueada e só o administrador pode desbloqueá-la. No primeiro acesso de um "
        "profissional importado do CNES, a senha é o CNS seguido de 'esus' (ou o CPF seguido de "
        "'esus', sem CNS), e o sistema pede a troca."
    )

    BINDINGS = [
        Binding("escape", "back", id="login.back", show=False),
    ]

    @dataclass
    class Finished(Message):
        """The worker's answer: a session, or the sentence that explains the refusal."""

        result: LoginResult | None
        password: str
        error: str | None = None
        field: str | None = None
        security: SecuritySettings | None = None

    def __init__(self, notice: str = "", demo_banner: str = "") -> None:
        super().__init__(name="login")
        self.notice = notice
        self.demo_banner = demo_banner

    def compose_body(self) -> ComposeResult:
        # Few widgets and few widget types: the login is the first thing drawn.
        with Center(), Vertical(id="login-box"):
            yield Static("e-SUS APS PEC · Console de administração", id="login-title")
            cpf = Input(placeholder="000.000.000-00", id="login-cpf", restrict=r"[0-9.\- ]*", max_length=14)
            cpf.border_title = "CPF"
            yield cpf
            password = Input(placeholder="senha", password=True, id="login-password")
            password.border_title = "Senha"
            yield password
            yield Button("Entrar", id="login-submit", variant="primary")
            yield Static(self.notice, id="login-message", classes="-notice" if self.notice else "")
        yield Static(self.demo_banner, id="login-demo", classes="" if self.demo_banner else "-hidden")

    def show_demo_banner(self, text: str) -> None:
        banner = self.query_one("#login-demo", Static)
        banner.update(text)
        banner.set_class(not text, "-hidden")

    def on_mount(self) -> None:
        self.query_one("#login-cpf", Input).focus()

    def action_back(self) -> None:  # nothing behind the login screen
        pass

    @on(Input.Submitted, "#login-cpf")
    def _cpf_done(self) -> None:
        self.query_one("#login-password", Input).focus()

    @on(Input.Submitted, "#login-password")
    @on(Button.Pressed, "#login-submit")
    def submit(self) -> None:
        cpf = self.query_one("#login-cpf", Input).value
        password = self.query_one("#login-password", Input).value
        if not cpf.strip():
            self._show_error("Informe o CPF.", "#login-cpf")
            return
        if not password:
            self._show_error("Informe a senha.", "#login-password")
            return
        self.query_one("#login-submit", Button).disabled = True
        self._show("Verificando…", "")
        self.authenticate(cpf, password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def authenticate(self, cpf: str, password: str) -> None:
        try:
            from pec_tui.domain import (
                accounts,  # imported here, off the first frame's path
                settings,
            )

            with worker_connection():
                result = accounts.authenticate(cpf, password)
                security = settings.security()
        except ValidationError as exc:
            self.post_message(self.Finished(None, "", exc.message, "#login-cpf"))
        except PecError as exc:
            self.post_message(self.Finished(None, "", exc.message, "#login-password"))
        except Exception as exc:  # never a traceback on screen
            self.post_message(self.Finished(None, "", f"Não foi possível verificar o acesso: {exc}."))
        else:
            self.post_message(self.Finished(result, password, security=security))

    def on_login_screen_finished(self, message: Finished) -> None:
        self.query_one("#login-submit", Button).disabled = False
        if message.result is None:
            self._show_error(message.error or "Acesso recusado.", message.field)
            password = self.query_one("#login-password", Input)
            password.value = ""
            return
        self.pec_app.login_succeeded(message.result, message.password, message.security)

    def _show_error(self, text: str, focus: str | None) -> None:
        self._show(text, "-error")
        if focus:
            self.query_one(focus, Input).focus()

    def _show(self, text: str, css_class: str) -> None:
        status = self.query_one("#login-message", Static)
        status.set_classes(css_class)
        status.update(text)
