"""Login: CPF and password, as in PEC (manual 1.3). Blocking work runs in a thread worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Button, Input, Static

from pec_tui.core.errors import PecError, ValidationError, describe_error
from pec_tui.messages import LoggedIn
from pec_tui.screens.base import PecScreen

if TYPE_CHECKING:
    from pec_tui.domain.accounts import LoginResult
    from pec_tui.domain.settings import SecuritySettings


def authenticate(cpf: str, password: str) -> tuple[LoginResult, SecuritySettings]:
    """Who this is, and the security settings their session obeys (in the worker)."""
    from pec_tui.domain import accounts, settings  # imported here, off the first frame's path

    return accounts.authenticate(cpf, password), settings.security()


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
        # The app's key (priority: the app acts on it), shown here: how to leave before logging in.
        Binding("ctrl+q", "app.quit", "Sair", id="login.quit", priority=True),
    ]

    # Up to 30 lines the form is tighter, so a two-line refusal (the lockout) leaves the demo's
    # accounts on screen at 80x24.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

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
        self.show_message("#login-message", "Verificando…")

        def accepted(answer: tuple[LoginResult, SecuritySettings]) -> None:
            self.query_one("#login-submit", Button).disabled = False
            result, security = answer
            self.post_message(LoggedIn(result, password, security))

        self.run_task(
            authenticate,
            cpf,
            password,
            done=accepted,
            failed=self._refused,
            failure="Não foi possível verificar o acesso",
            group="login",
        )

    def _refused(self, error: BaseException) -> bool:
        """Every refusal shows on the login's message line: a wrong CPF goes back to the CPF,
        a refused password to the password (emptied)."""
        self.query_one("#login-submit", Button).disabled = False
        if isinstance(error, ValidationError):
            self._show_error(error.message, "#login-cpf")
        elif isinstance(error, PecError):
            self._show_error(error.message, "#login-password")
        else:  # never a traceback on screen
            self._show_error(f"Não foi possível verificar o acesso: {describe_error(error)}.", None)
        self.query_one("#login-password", Input).value = ""
        return True

    def _show_error(self, text: str, focus: str | None) -> None:
        self.show_message("#login-message", text, "-error", focus=focus)
