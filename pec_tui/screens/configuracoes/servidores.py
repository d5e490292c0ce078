"""Servidores (manual 3.1.3): the installation's name and link, and the SMTP server used by
"Esqueci minha senha" ("Habilitar" saves only after a real connection and login succeeded)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Static

from pec_tui.core.errors import ValidationError
from pec_tui.domain.configuracoes import servidores
from pec_tui.domain.configuracoes.servidores import InstallationServer, SmtpConfig, SmtpForm
from pec_tui.screens.base import Field, failure_message
from pec_tui.screens.configuracoes.tab import SAVE_FAILURE, ConfigTab, ErrorLine, ResultLine, field_row
from pec_tui.widgets.toggles import Checkbox

SERVER_FIELDS = {
    "nome": Field("#server-name", "#server-name-error"),
    "link": Field("#server-link", "#server-link-error"),
}
SMTP_FIELDS = {
    "smtp_servidor": Field("#smtp-host", "#smtp-host-error"),
    "smtp_porta": Field("#smtp-port", "#smtp-host-error"),
    "smtp_login": Field("#smtp-login", "#smtp-login-error"),
    "smtp_remetente": Field("#smtp-sender", "#smtp-sender-error"),
    "smtp_senha": Field("#smtp-password", "#smtp-password-error"),
}


class ServidoresTab(VerticalScroll, ConfigTab):
    TITLE = "Servidores"
    PANE = "tab-servidores"
    FIELDS = {**SERVER_FIELDS, **SMTP_FIELDS}
    SAVES = True

    def __init__(self) -> None:
        super().__init__(classes="config-pane", can_focus=False)
        self.internet_on = True  # what the Conexão tab last drew
        self._smtp_testing = False
        self._smtp_blocked = False

    def compose(self) -> ComposeResult:
        yield Static("Servidor da instalação", classes="config-section -first")
        yield field_row("Nome da instalação", Input(compact=True, max_length=servidores.NAME_MAX, id="server-name"))
        yield ErrorLine("server-name-error")
        yield field_row(
            "Link da instalação",
            Input(placeholder="http://endereço-ou-IP:porta", compact=True, id="server-link"),
        )
        yield ErrorLine("server-link-error")
        yield Static("Sem a porta no link, o sistema usa a porta padrão (80).", classes="config-note")
        with Horizontal(classes="config-buttons"):
            yield Button("Salvar", compact=True, variant="primary", id="server-save")
        yield Static("Servidor SMTP (Esqueci minha senha)", classes="config-section")
        yield Static("", id="smtp-status", classes="config-status")
        with Vertical(id="smtp-form"):
            yield field_row(
                "Servidor SMTP",
                Input(placeholder="smtp.exemplo.gov.br", compact=True, id="smtp-host"),
                Static("Porta", classes="config-inline-label"),
                Input(
                    value=str(servidores.DEFAULT_SMTP_PORT), compact=True, max_length=5, restrict=r"\d*", id="smtp-port"
                ),
            )
            yield ErrorLine("smtp-host-error")
            yield field_row("Login (e-mail)", Input(compact=True, id="smtp-login"))
            yield ErrorLine("smtp-login-error")
            yield field_row("", Checkbox("Usar como e-mail remetente", value=True, compact=True, id="smtp-use-login"))
            yield field_row("E-mail remetente", Input(compact=True, disabled=True, id="smtp-sender"))
            yield ErrorLine("smtp-sender-error")
            yield field_row("Senha", Input(password=True, compact=True, id="smtp-password"))
            yield ErrorLine("smtp-password-error")
            with Horizontal(classes="config-buttons"):
                yield Button("Habilitar", compact=True, variant="primary", id="smtp-enable")
                yield Button("Desabilitar", compact=True, id="smtp-disable")
        yield ResultLine("smtp-result")

    def save(self) -> None:
        """F2 saves the form that has the focus: the SMTP server's, or the installation's."""
        focused = self.screen.focused
        if focused is not None and any(node.id == "smtp-form" for node in focused.ancestors):
            self.enable_smtp()
        else:
            self.save_server()

    # ------------------------------------------------------------------ Servidor da instalação

    def show_server(self, server: InstallationServer) -> None:
        self.query_one("#server-name", Input).value = server.name
        self.query_one("#server-link", Input).value = server.link

    @on(Input.Submitted, "#server-name, #server-link")
    @on(Button.Pressed, "#server-save")
    def save_server(self) -> None:
        self.runner.clear_field_errors(*SERVER_FIELDS)
        self.change(
            servidores.save_installation_server,
            self.query_one("#server-name", Input).value,
            self.query_one("#server-link", Input).value,
            by_user_id=self.user_id,
            done=self._server_saved,
            notice="Servidor da instalação salvo.",
        )

    def _server_saved(self, server: InstallationServer) -> None:
        self.show_server(server)
        self.pec_app.load_installation()  # the header shows the new name

    # ------------------------------------------------------------------ SMTP

    def show_smtp(self, smtp: SmtpConfig, *, fill: bool) -> None:
        if fill:
            self.query_one("#smtp-host", Input).value = smtp.host
            self.query_one("#smtp-port", Input).value = str(smtp.port)
            self.query_one("#smtp-login", Input).value = smtp.login
            self.query_one("#smtp-use-login", Checkbox).value = smtp.use_login_as_sender
            self.query_one("#smtp-sender", Input).value = smtp.sender
        password = self.query_one("#smtp-password", Input)
        password.value = ""  # never shown again
        password.placeholder = "senha gravada; deixe vazio para mantê-la" if smtp.has_password else ""
        if smtp.enabled:
            text = Content.assemble(("Habilitado", "bold $success"), f" · remetente {smtp.sender_address}")
        else:
            text = Content.assemble(("Desabilitado", "bold"), ': "Esqueci minha senha" indisponível')
        self.query_one("#smtp-status", Static).update(text)
        self.query_one("#smtp-enable", Button).label = "Testar e salvar" if smtp.enabled else "Habilitar"
        self.query_one("#smtp-disable", Button).display = smtp.enabled
        self.show_internet(self.internet_on)

    def show_internet(self, internet_on: bool) -> None:
        """The SMTP server needs the internet connection (the Conexão tab)."""
        self.internet_on = internet_on
        self.query_one("#smtp-enable", Button).disabled = not internet_on
        result = self.query_one("#smtp-result", ResultLine)
        if not internet_on:
            result.show(
                "O servidor SMTP precisa da conexão com a internet, que está desabilitada (aba Conexão).", False
            )
            self._smtp_blocked = True
        elif self._smtp_blocked:
            self._smtp_blocked = False
            result.update("")
            result.set_class(False, "-error")

    @on(Checkbox.Changed, "#smtp-use-login")
    def _sender_choice(self, event: Checkbox.Changed) -> None:
        sender = self.query_one("#smtp-sender", Input)
        sender.disabled = event.value
        if event.value:
            sender.value = ""

    @on(Input.Submitted, "#smtp-host, #smtp-port, #smtp-login, #smtp-sender")
    def _next_smtp_field(self) -> None:
        self.screen.focus_next()

    @on(Input.Submitted, "#smtp-password")
    @on(Button.Pressed, "#smtp-enable")
    def enable_smtp(self) -> None:
        if self.query_one("#smtp-enable", Button).disabled or self._smtp_testing:
            return  # no internet, or a test already running (the focus stays where it is)
        self.runner.clear_field_errors(*SMTP_FIELDS)
        form = SmtpForm(
            host=self.query_one("#smtp-host", Input).value,
            port=self.query_one("#smtp-port", Input).value,
            login=self.query_one("#smtp-login", Input).value,
            use_login_as_sender=self.query_one("#smtp-use-login", Checkbox).value,
            sender=self.query_one("#smtp-sender", Input).value,
        )
        self._smtp_testing = True
        self.query_one("#smtp-result", ResultLine).show(
            f"Testando a conexão e o login em {form.host.strip()}:{form.port}…", None
        )
        self.change(
            servidores.enable_smtp,
            form,
            self.query_one("#smtp-password", Input).value,
            by_user_id=self.user_id,
            done=self._smtp_saved,
            group="config-network",
            failed=self._smtp_failed,
        )

    @on(Button.Pressed, "#smtp-disable")
    def disable_smtp(self) -> None:
        user = self.user_id
        self.confirm(
            "Desabilitar o servidor SMTP",
            'Desabilitar o servidor SMTP?\n\n"Esqueci minha senha" deixa de funcionar na tela de login. Os dados '
            "do servidor ficam guardados.",
            "Desabilitar",
            lambda: self.change(
                servidores.disable_smtp,
                by_user_id=user,
                done=self._smtp_saved,
                notice="Servidor SMTP desabilitado.",
                failed=self._smtp_failed,
            ),
        )

    def _smtp_saved(self, smtp: SmtpConfig) -> None:
        was_test = self._smtp_testing
        self._smtp_testing = False
        self.show_smtp(smtp, fill=False)
        result = self.query_one("#smtp-result", ResultLine)
        if was_test:
            result.show("Conexão bem sucedida: servidor SMTP habilitado.", True)
        else:
            result.show("", None)

    def _smtp_failed(self, error: BaseException) -> bool:
        """An SMTP refusal says why on the result line (and on the field's line), not in a notice."""
        self._smtp_testing = False
        result = self.query_one("#smtp-result", ResultLine)
        if isinstance(error, ValidationError) and error.field in self.runner.FIELDS:
            result.show("Corrija o campo indicado.", False)
            self.runner.show_field_error(error.field, error.message)
        else:
            result.show(failure_message(error, SAVE_FAILURE), False)
        return True
