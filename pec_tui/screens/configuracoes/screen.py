"""Configurações da instalação (manual 3.1): Conexão, Segurança, Servidores, Municípios e
responsáveis, Configurações avançadas. Installation administrator only.

Every change goes through a domain function (:mod:`pec_tui.domain.configuracoes`,
:mod:`pec_tui.domain.installation`) run in a thread worker that only posts a message; the
handler updates the screen. The CADSUS and Hórus timers are shown from the stored end moment:
a 1-second timer re-renders the countdown from the computed state, without asking the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, Select, Static, TabbedContent, TabPane

from pec_tui.core import clock
from pec_tui.core.errors import PecError, ValidationError
from pec_tui.core.paging import Page
from pec_tui.core.validators import format_cpf
from pec_tui.domain.configuracoes import avancadas, conexao, municipios, seguranca, servidores
from pec_tui.domain.configuracoes.avancadas import AdvancedSettings
from pec_tui.domain.configuracoes.conexao import CADSUS, HORUS, ConnectionStatus, ServiceState, TestResult
from pec_tui.domain.configuracoes.municipios import ProfessionalChoice, ResponsibleRow
from pec_tui.domain.configuracoes.servidores import InstallationServer, SmtpConfig, SmtpForm
from pec_tui.domain.settings import SecuritySettings
from pec_tui.screens.base import PecScreen, worker_connection
from pec_tui.widgets.dialogs import ConfirmDialog
from pec_tui.widgets.paged_table import PagedColumn, PagedTable

TABS = {
    "tab-conexao": "Conexão",
    "tab-seguranca": "Segurança",
    "tab-servidores": "Servidores",
    "tab-municipios": "Municípios e responsáveis",
    "tab-avancadas": "Configurações avançadas",
}

#: Where a domain ValidationError's field shows its message, and the widget to focus.
FIELD_WIDGETS: dict[str, tuple[str, str]] = {
    "contrachave": ("#agenda-key-error", "#agenda-key"),
    "renovacao": ("#security-error", "#security-renewal"),
    "inatividade": ("#security-error", "#security-inactivity"),
    "tentativas": ("#security-error", "#security-attempts"),
    "nome": ("#server-name-error", "#server-name"),
    "link": ("#server-link-error", "#server-link"),
    "smtp_servidor": ("#smtp-host-error", "#smtp-host"),
    "smtp_porta": ("#smtp-host-error", "#smtp-port"),
    "smtp_login": ("#smtp-login-error", "#smtp-login"),
    "smtp_remetente": ("#smtp-sender-error", "#smtp-sender"),
    "smtp_senha": ("#smtp-password-error", "#smtp-password"),
    "requisicoes": ("#advanced-requests-error", "#advanced-requests"),
    "url_teste": ("#advanced-url-error", "#advanced-url"),
}
FORM_ERRORS = {
    "agenda": ["#agenda-key-error"],
    "security": ["#security-error"],
    "server": ["#server-name-error", "#server-link-error"],
    "smtp": ["#smtp-host-error", "#smtp-login-error", "#smtp-sender-error", "#smtp-password-error"],
    "advanced": ["#advanced-requests-error", "#advanced-url-error"],
}


def field_row(label: str, *widgets: Widget, classes: str = "") -> Horizontal:
    """A label on the left and its field(s) on the right, one line."""
    return Horizontal(Static(label, classes="config-label"), *widgets, classes=f"config-row {classes}".strip())


def pane() -> VerticalScroll:
    """A tab's content, scrolling when the terminal is short. Not a Tab stop of its own: the
    focus goes straight to the first field, and a focused field scrolls itself into view."""
    return VerticalScroll(classes="config-pane", can_focus=False)


def error_line(widget_id: str) -> Static:
    line = Static("", id=widget_id, classes="field-error config-error")
    line.display = False
    return line


@dataclass(frozen=True)
class ConfigData:
    connection: ConnectionStatus
    security: SecuritySettings
    server: InstallationServer
    smtp: SmtpConfig
    responsibles: list[ResponsibleRow]
    advanced: AdvancedSettings


def read_everything() -> ConfigData:
    return ConfigData(
        conexao.status(),
        seguranca.current(),
        servidores.installation_server(),
        servidores.smtp_config(),
        municipios.responsibles(),
        avancadas.advanced(),
    )


class ConfigurationScreen(PecScreen):
    CSS_PATH = "configuracoes.tcss"  # read when first opened: the login parses only app.tcss
    TITLE_TEXT = "Configurações da instalação"
    HELP = (
        "Configurações da instalação (manual, seção 3.1), do administrador da instalação.\n\n"
        "Conexão: verifique se o sistema está conectado à internet e apto a utilizar as funcionalidades que "
        'dependem desta conexão ("Testar conexão com a internet"); desabilite ou habilite essa conexão. Quando '
        "o sistema estiver sem conexão, as funcionalidades que dependem de internet são desabilitadas. CADSUS: "
        'escolha em "Desabilitar durante" 30 minutos, 1 hora, 2 horas, 4 horas, 8 horas, 1 semana ou 1 mês e '
        'clique em "Desabilitar"; "Habilitar" volta a conexão antes do fim. Hórus: o mesmo, com 30 minutos a 8 '
        'horas ou "Tempo indeterminado"; para habilitar, a instalação precisa estar conectada à internet. '
        "Cada desabilitação mostra quando termina e quanto falta; ela termina sozinha. Agenda Online: habilite "
        'com a contrachave gerada no e-Gestor AB (opção "Agendamento"); "Desabilitar" encerra a sincronização.\n\n'
        "Segurança: período para redefinição da senha, tempo limite de inatividade, número máximo de "
        'tentativas consecutivas de login com autenticação inválida (clique em "Salvar"), e "Redefinir senha '
        'de todos os usuários", que pede a todos uma nova senha no primeiro acesso após a solicitação.\n\n'
        "Servidores: nome e link da instalação (se a porta não for informada no link, o sistema utiliza a "
        'porta padrão 80), e o servidor SMTP usado para "Esqueci minha senha": endereço e porta, login '
        '(um e-mail válido), "Usar como e-mail remetente" ou outro e-mail remetente, e senha. "Habilitar" só '
        "conclui se a conexão for bem sucedida. A senha é guardada cifrada e nunca mais é mostrada.\n\n"
        "Municípios e responsáveis: adicione um município (código IBGE ou nome) e seu responsável, um "
        "profissional da base local, que recebe o perfil de administrador municipal. Só é possível um "
        "responsável para cada município; trocar o responsável passa o perfil para o novo.\n\n"
        "Configurações avançadas: número de requisições simultâneas processadas pelo sistema. A alteração "
        "pode prejudicar o desempenho do sistema; fale antes com o suporte do e-SUS APS.\n\n"
        "Na barra de abas, as setas ou as teclas 1 a 5 trocam de aba; Tab passa ao próximo campo, Enter "
        "aciona o botão em foco, F2 salva a aba. Esc num campo volta à barra de abas; Esc na barra de abas "
        "volta ao início."
    )

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]

    BINDINGS = [
        Binding("1", "show_tab('tab-conexao')", "Conexão", id="config.tab_conexao", show=False),
        Binding("2", "show_tab('tab-seguranca')", "Segurança", id="config.tab_seguranca", show=False),
        Binding("3", "show_tab('tab-servidores')", "Servidores", id="config.tab_servidores", show=False),
        Binding("4", "show_tab('tab-municipios')", "Municípios e responsáveis", id="config.tab_municipios", show=False),
        Binding("5", "show_tab('tab-avancadas')", "Configurações avançadas", id="config.tab_avancadas", show=False),
        Binding("f2", "save", "Salvar", id="config.save"),
        Binding("a", "add_municipality", "Adicionar município", id="config.add_municipality"),
        Binding("t", "change_responsible", "Trocar responsável", id="config.change_responsible"),
    ]

    @dataclass
    class Loaded(Message):
        data: ConfigData | None
        error: str | None = None

    @dataclass
    class Changed(Message):
        """A worker's answer: ``kind`` says which part changed; ``result`` its new state."""

        kind: str
        result: Any
        error: str | None = None
        field: str | None = None
        notice: str = ""

    def __init__(self) -> None:
        super().__init__(name="configuracoes")
        self.data: ConfigData | None = None
        self.status: ConnectionStatus | None = None
        self._shown: dict[str, bool] = {}  # enabled state last drawn, per service

    # ------------------------------------------------------------------ composition

    def compose_body(self) -> ComposeResult:
        with Vertical(id="config", classes="module-body"), TabbedContent(id="config-tabs"):
            with TabPane(TABS["tab-conexao"], id="tab-conexao"), pane():
                yield from self.compose_connection()
            with TabPane(TABS["tab-seguranca"], id="tab-seguranca"), pane():
                yield from self.compose_security()
            with TabPane(TABS["tab-servidores"], id="tab-servidores"), pane():
                yield from self.compose_servers()
            with TabPane(TABS["tab-municipios"], id="tab-municipios"), Vertical(classes="config-pane"):
                yield from self.compose_municipalities()
            with TabPane(TABS["tab-avancadas"], id="tab-avancadas"), pane():
                yield from self.compose_advanced()

    def compose_connection(self) -> ComposeResult:
        yield Static("Carregando…", id="internet-status", classes="config-status")
        with Horizontal(classes="config-actions"):
            yield Button("Testar conexão com a internet", compact=True, id="internet-test")
            yield Button("Desabilitar", compact=True, id="internet-disable")
            yield Button("Habilitar", compact=True, variant="primary", id="internet-enable")
        yield Static("", id="internet-result", classes="config-result")
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
        yield error_line("agenda-key-error")
        yield Static("", id="connection-note", classes="config-note")

    def compose_security(self) -> ComposeResult:
        yield Static(seguranca.RENEWAL_LABEL, classes="config-field-label -first")
        yield Select(seguranca.RENEWAL_OPTIONS, allow_blank=False, value=6, compact=True, id="security-renewal")
        yield Static(seguranca.INACTIVITY_LABEL, classes="config-field-label")
        yield Select(seguranca.INACTIVITY_OPTIONS, allow_blank=False, value=30, compact=True, id="security-inactivity")
        yield Static(seguranca.ATTEMPTS_LABEL, classes="config-field-label")
        yield Select(seguranca.ATTEMPTS_OPTIONS, allow_blank=False, value=5, compact=True, id="security-attempts")
        yield error_line("security-error")
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

    def compose_servers(self) -> ComposeResult:
        yield Static("Servidor da instalação", classes="config-section -first")
        yield field_row("Nome da instalação", Input(compact=True, max_length=servidores.NAME_MAX, id="server-name"))
        yield error_line("server-name-error")
        yield field_row(
            "Link da instalação",
            Input(placeholder="http://endereço-ou-IP:porta", compact=True, id="server-link"),
        )
        yield error_line("server-link-error")
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
            yield error_line("smtp-host-error")
            yield field_row("Login (e-mail)", Input(compact=True, id="smtp-login"))
            yield error_line("smtp-login-error")
            yield field_row("", Checkbox("Usar como e-mail remetente", value=True, compact=True, id="smtp-use-login"))
            yield field_row("E-mail remetente", Input(compact=True, disabled=True, id="smtp-sender"))
            yield error_line("smtp-sender-error")
            yield field_row("Senha", Input(password=True, compact=True, id="smtp-password"))
            yield error_line("smtp-password-error")
            with Horizontal(classes="config-buttons"):
                yield Button("Habilitar", compact=True, variant="primary", id="smtp-enable")
                yield Button("Desabilitar", compact=True, id="smtp-disable")
        yield Static("", id="smtp-result", classes="config-result")

    def compose_municipalities(self) -> ComposeResult:
        table: DataTable = DataTable(cursor_type="row", id="responsibles")
        table.add_column("Município", key="municipality")
        table.add_column("IBGE", key="ibge")
        table.add_column("Responsável", key="responsible")
        table.add_column("CPF", key="cpf")
        yield table
        with Horizontal(classes="config-buttons"):
            yield Button("Adicionar município", compact=True, variant="primary", id="municipality-add")
            yield Button("Trocar responsável", compact=True, id="responsible-change")
        yield Static(
            "Só é possível habilitar um responsável municipal para cada município/distrito federal; ele "
            "recebe o perfil de administrador municipal.",
            classes="config-note",
        )

    def compose_advanced(self) -> ComposeResult:
        yield Static(avancadas.SIMULTANEOUS_REQUESTS_LABEL, classes="config-field-label -first")
        yield Input(compact=True, max_length=3, restrict=r"\d*", id="advanced-requests")
        yield error_line("advanced-requests-error")
        yield Static(f"Um número inteiro de 1 a {avancadas.settings.MAX_SIMULTANEOUS_REQUESTS}.", classes="config-note")
        yield Static(avancadas.SIMULTANEOUS_REQUESTS_WARNING, classes="config-warning")
        yield Static("Endereço usado no teste de conexão com a internet", classes="config-field-label")
        yield Input(compact=True, id="advanced-url")
        yield error_line("advanced-url-error")
        with Horizontal(classes="config-buttons"):
            yield Button("Salvar", compact=True, variant="primary", id="advanced-save")

    # ------------------------------------------------------------------ start

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1.0, self._tick, name="config-countdown")
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="config-load")
    def load(self) -> None:
        try:
            with worker_connection():
                data = read_everything()
        except PecError as exc:
            self.post_message(self.Loaded(None, exc.message))
        except Exception as exc:  # never a traceback on screen
            self.post_message(self.Loaded(None, f"Não foi possível ler as configurações: {exc}."))
        else:
            self.post_message(self.Loaded(data))

    def on_configuration_screen_loaded(self, message: Loaded) -> None:
        if message.data is None:
            self.notify(message.error or "Não foi possível ler as configurações.", severity="error")
            self.query_one("#internet-status", Static).update(message.error or "")
            return
        data = message.data
        self.data = data
        self.show_connection(data.connection)
        self.show_security(data.security)
        self.show_server(data.server)
        self.show_smtp(data.smtp, fill=True)
        self.show_responsibles(data.responsibles)
        self.show_advanced(data.advanced)

    @property
    def user_id(self) -> int | None:
        session = self.pec_app.session
        return session.user_id if session else None

    # ------------------------------------------------------------------ tabs and keys

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one("#config-tabs", TabbedContent)
        tabs.active = tab
        tabs.query_one("Tabs").focus()

    def action_back(self) -> None:
        """Esc in a field goes to the tab bar (where 1-5 and the arrows change tab); Esc on the tab
        bar leaves the module."""
        tabs = self.query_one("#config-tabs Tabs")
        if self.focused is not None and self.focused is not tabs:
            tabs.focus()
            return
        super().action_back()

    @property
    def active_tab(self) -> str:
        try:
            return self.query_one("#config-tabs", TabbedContent).active
        except NoMatches:
            return ""

    @on(TabbedContent.TabActivated, "#config-tabs")
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        if event.pane.id == "tab-conexao" and self.data is not None:
            self.reload_connection()  # another console may have changed it

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = self.active_tab
        if action == "save":
            return tab in ("tab-seguranca", "tab-servidores", "tab-avancadas")
        if action in ("add_municipality", "change_responsible"):
            if tab != "tab-municipios":
                return False
            if action == "change_responsible":
                row = self.current_responsible()
                return None if row is None or row.professional_id is None else True
        return True

    def action_save(self) -> None:
        tab = self.active_tab
        if tab == "tab-seguranca":
            self.save_security()
        elif tab == "tab-servidores":
            focused = self.focused
            if focused is not None and any(node.id == "smtp-form" for node in focused.ancestors):
                self.enable_smtp()
            else:
                self.save_server()
        elif tab == "tab-avancadas":
            self.save_advanced()

    # ------------------------------------------------------------------ workers

    def _run(self, kind: str, notice: str, call: Callable[[], Any]) -> None:
        try:
            with worker_connection():
                result = call()
        except ValidationError as exc:
            self.post_message(self.Changed(kind, None, exc.message, exc.field))
        except PecError as exc:
            self.post_message(self.Changed(kind, None, exc.message))
        except Exception as exc:  # never a traceback on screen
            self.post_message(self.Changed(kind, None, f"Não foi possível salvar: {exc}."))
        else:
            self.post_message(self.Changed(kind, result, notice=notice))

    @work(thread=True, exclusive=True, exit_on_error=False, group="config-change")
    def change(self, kind: str, notice: str, call: Callable[[], Any]) -> None:
        self._run(kind, notice, call)

    @work(thread=True, exclusive=True, exit_on_error=False, group="config-network")
    def network(self, kind: str, notice: str, call: Callable[[], Any]) -> None:
        """The internet and SMTP tests: they can take seconds, apart from the other changes."""
        self._run(kind, notice, call)

    @work(thread=True, exclusive=True, exit_on_error=False, group="config-reload")
    def reload_connection(self) -> None:
        self._run("connection", "", conexao.status)

    def on_configuration_screen_changed(self, message: Changed) -> None:
        kind = message.kind
        if message.error is not None:
            self._failed(message)
            return
        handler = {
            "connection": self.show_connection,
            "security": self._security_saved,
            "reset": self._reset_done,
            "server": self._server_saved,
            "smtp": self._smtp_saved,
            "internet-test": self._internet_tested,
            "advanced": self.show_advanced,
        }[kind]
        handler(message.result)
        if message.notice:
            self.notify(message.notice)

    def _failed(self, message: Changed) -> None:
        if message.kind == "internet-test":
            self._internet_tested(TestResult(False, message.error or ""))
            return
        if message.kind == "smtp":
            self._smtp_testing = False
            shown = "Corrija o campo indicado." if message.field in FIELD_WIDGETS else message.error or ""
            self._set_result("#smtp-result", shown, False)
        if message.field in FIELD_WIDGETS:
            self.show_field_error(message.field, message.error or "")
        elif message.kind != "smtp":
            self.notify(message.error or "Não foi possível salvar.", severity="error", timeout=8)

    def clear_errors(self, form: str) -> None:
        for widget_id in FORM_ERRORS[form]:
            line = self.query_one(widget_id, Static)
            line.update("")
            line.display = False
        for error_id, input_id in FIELD_WIDGETS.values():
            if error_id in FORM_ERRORS[form]:
                self.query_one(input_id).remove_class("-invalid")

    def show_field_error(self, field: str, text: str) -> None:
        error_id, input_id = FIELD_WIDGETS[field]
        line = self.query_one(error_id, Static)
        line.update(Text(text))
        line.display = True
        target = self.query_one(input_id)
        target.add_class("-invalid")
        if target.focusable:
            target.focus()
        line.scroll_visible()

    # ------------------------------------------------------------------ Conexão

    def _internet_on(self) -> bool:
        return self.status is None or self.status.internet_enabled(clock.now())

    def show_connection(self, status: ConnectionStatus) -> None:
        self.status = status
        self._shown.clear()
        self.render_connection()
        if self.data is not None:
            self.data = ConfigData(
                status, self.data.security, self.data.server, self.data.smtp, self.data.responsibles, self.data.advanced
            )

    def _tick(self) -> None:
        """Once a second: the countdowns, from the stored end moments (no database). Only the
        status lines are redrawn, unless a timer has just ended (then the whole section)."""
        status = self.status
        if status is None or not self.is_current:
            return
        now = clock.now()
        states = {"internet": status.internet, "cadsus": status.cadsus, "horus": status.horus}
        if any(self._shown.get(key) != state.enabled_at(now) for key, state in states.items()):
            self.render_connection()
            return
        internet_on = status.internet.enabled_at(now)
        for service, state in ((CADSUS, status.cadsus), (HORUS, status.horus)):
            if state.timer:
                self.query_one(f"#{service.lower()}-status", Static).update(self._service_line(state, now, internet_on))

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
        self._render_smtp_availability(internet_on)

    _testing = False
    _test_result: TestResult | None = None

    def render_internet_result(self, internet_on: bool) -> None:
        """What the test line says: why there is no test, the test running, its result, or
        (before any test) the address it will ask."""
        url = self.status.probe_url if self.status else ""
        result = self._test_result
        if not internet_on:
            self._set_result("#internet-result", "O teste não é feito com a conexão com a internet desabilitada.", None)
        elif self._testing:
            self._set_result("#internet-result", f"Testando a conexão com {url}…", None)
        elif result is not None:
            self._set_result("#internet-result", result.message, result.ok)
        else:
            self._set_result("#internet-result", f"Endereço do teste: {url}", None)

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

    @on(Button.Pressed, "#internet-test")
    def test_internet(self) -> None:
        if self._testing:
            return
        self._testing = True
        self.render_internet_result(True)
        self.network("internet-test", "", conexao.test_internet)

    def _internet_tested(self, result: TestResult) -> None:
        self._testing = False
        self._test_result = result
        self.render_internet_result(self._internet_on())

    def _set_result(self, widget_id: str, text: str, ok: bool | None) -> None:
        line = self.query_one(widget_id, Static)
        line.update(Text(text))
        line.set_class(ok is True, "-ok")
        line.set_class(ok is False, "-error")

    @on(Button.Pressed, "#internet-disable")
    def disable_internet(self) -> None:
        question = ConfirmDialog(
            "Desabilitar a conexão com a internet",
            "Desabilitar a conexão com a internet?\n\nCADSUS, Hórus, Agenda Online e o servidor SMTP ficam "
            "indisponíveis até que ela seja habilitada de novo.",
            confirm_label="Desabilitar",
        )
        user = self.user_id

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(
                    "connection", "Conexão com a internet desabilitada.", lambda: conexao.disable_internet(user)
                )

        self.app.push_screen(question, answered)

    @on(Button.Pressed, "#internet-enable")
    def enable_internet(self) -> None:
        user = self.user_id
        self.change("connection", "Conexão com a internet habilitada.", lambda: conexao.enable_internet(user))

    @on(Button.Pressed, "#cadsus-disable, #horus-disable")
    def disable_service(self, event: Button.Pressed) -> None:
        service = CADSUS if event.button.id == "cadsus-disable" else HORUS
        choice = self.query_one(f"#{service.lower()}-duration", Select).value
        user = self.user_id
        option = conexao.duration(service, str(choice))
        label = conexao.SERVICE_LABELS[service]
        how_long = "por tempo indeterminado" if option.indefinite else f"durante {option.label}"
        notice = f"{label} desabilitado {how_long}."
        self.change("connection", notice, lambda: conexao.disable_service(service, str(choice), user))

    @on(Button.Pressed, "#cadsus-enable, #horus-enable")
    def enable_service(self, event: Button.Pressed) -> None:
        service = CADSUS if event.button.id == "cadsus-enable" else HORUS
        user = self.user_id
        label = conexao.SERVICE_LABELS[service]
        self.change("connection", f"{label} habilitado.", lambda: conexao.enable_service(service, user))

    @on(Input.Submitted, "#agenda-key")
    @on(Button.Pressed, "#agenda-enable")
    def enable_agenda(self) -> None:
        self.clear_errors("agenda")
        key = self.query_one("#agenda-key", Input).value
        user = self.user_id
        self.change("connection", "Agenda Online habilitada.", lambda: conexao.enable_agenda_online(key, user))

    @on(Button.Pressed, "#agenda-disable")
    def disable_agenda(self) -> None:
        question = ConfirmDialog(
            "Desabilitar a Agenda Online",
            "Desabilitar a sincronização com o Servidor de Agenda Online?\n\nPara habilitá-la de novo será "
            "preciso informar a contrachave.",
            confirm_label="Desabilitar",
        )
        user = self.user_id

        def answered(yes: bool | None) -> None:
            if yes:
                self.query_one("#agenda-key", Input).value = ""
                self.change("connection", "Agenda Online desabilitada.", lambda: conexao.disable_agenda_online(user))

        self.app.push_screen(question, answered)

    # ------------------------------------------------------------------ Segurança

    def show_security(self, values: SecuritySettings) -> None:
        self.query_one("#security-renewal", Select).value = values.password_renewal_months
        self.query_one("#security-inactivity", Select).value = values.inactivity_minutes
        self.query_one("#security-attempts", Select).value = values.max_login_attempts

    @on(Button.Pressed, "#security-save")
    def save_security(self) -> None:
        self.clear_errors("security")
        months = self.query_one("#security-renewal", Select).value
        minutes = self.query_one("#security-inactivity", Select).value
        attempts = self.query_one("#security-attempts", Select).value
        user = self.user_id
        self.change(
            "security",
            "Configurações de segurança salvas.",
            lambda: seguranca.save(months, minutes, attempts, by_user_id=user),
        )

    def _security_saved(self, values: SecuritySettings) -> None:
        self.show_security(values)
        self.pec_app.security = values  # the inactivity lock obeys at once

    @on(Button.Pressed, "#security-reset")
    def reset_passwords(self) -> None:
        question = ConfirmDialog(
            "Redefinir senha de todos os usuários",
            "Todos os usuários do sistema, inclusive você, deverão definir uma nova senha no próximo acesso.\n\n"
            "Confirma a redefinição de senha de todos os usuários?",
            confirm_label="Redefinir",
        )
        user = self.user_id

        def answered(yes: bool | None) -> None:
            if yes:
                self.change("reset", "", lambda: seguranca.reset_all_passwords(by_user_id=user))

        self.app.push_screen(question, answered)

    def _reset_done(self, count: int) -> None:
        self.notify(
            f"Redefinição solicitada: {count} {'usuário deverá' if count == 1 else 'usuários deverão'} "
            "definir nova senha no próximo acesso."
        )

    # ------------------------------------------------------------------ Servidores

    def show_server(self, server: InstallationServer) -> None:
        self.query_one("#server-name", Input).value = server.name
        self.query_one("#server-link", Input).value = server.link

    @on(Input.Submitted, "#server-name, #server-link")
    @on(Button.Pressed, "#server-save")
    def save_server(self) -> None:
        self.clear_errors("server")
        name = self.query_one("#server-name", Input).value
        link = self.query_one("#server-link", Input).value
        user = self.user_id
        self.change(
            "server",
            "Servidor da instalação salvo.",
            lambda: servidores.save_installation_server(name, link, by_user_id=user),
        )

    def _server_saved(self, server: InstallationServer) -> None:
        self.show_server(server)
        self.pec_app.load_installation()  # the header shows the new name

    def show_smtp(self, smtp: SmtpConfig, *, fill: bool) -> None:
        if self.data is not None:
            self.data = ConfigData(
                self.data.connection,
                self.data.security,
                self.data.server,
                smtp,
                self.data.responsibles,
                self.data.advanced,
            )
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
        self._render_smtp_availability(self._internet_on())

    def _render_smtp_availability(self, internet_on: bool) -> None:
        self.query_one("#smtp-enable", Button).disabled = not internet_on
        result = self.query_one("#smtp-result", Static)
        if not internet_on:
            self._set_result(
                "#smtp-result",
                "O servidor SMTP precisa da conexão com a internet, que está desabilitada (aba Conexão).",
                False,
            )
            self._smtp_blocked = True
        elif self._smtp_blocked:
            self._smtp_blocked = False
            result.update("")
            result.set_class(False, "-error")

    _smtp_testing = False
    _smtp_blocked = False

    @on(Checkbox.Changed, "#smtp-use-login")
    def _sender_choice(self, event: Checkbox.Changed) -> None:
        sender = self.query_one("#smtp-sender", Input)
        sender.disabled = event.value
        if event.value:
            sender.value = ""

    @on(Input.Submitted, "#smtp-host, #smtp-port, #smtp-login, #smtp-sender")
    def _next_smtp_field(self) -> None:
        self.focus_next()

    @on(Input.Submitted, "#smtp-password")
    @on(Button.Pressed, "#smtp-enable")
    def enable_smtp(self) -> None:
        if self.query_one("#smtp-enable", Button).disabled or self._smtp_testing:
            return  # no internet, or a test already running (the focus stays where it is)
        self.clear_errors("smtp")
        form = SmtpForm(
            host=self.query_one("#smtp-host", Input).value,
            port=self.query_one("#smtp-port", Input).value,
            login=self.query_one("#smtp-login", Input).value,
            use_login_as_sender=self.query_one("#smtp-use-login", Checkbox).value,
            sender=self.query_one("#smtp-sender", Input).value,
        )
        password = self.query_one("#smtp-password", Input).value
        user = self.user_id
        self._smtp_testing = True
        self._set_result("#smtp-result", f"Testando a conexão e o login em {form.host.strip()}:{form.port}…", None)
        self.network("smtp", "", lambda: servidores.enable_smtp(form, password, by_user_id=user))

    @on(Button.Pressed, "#smtp-disable")
    def disable_smtp(self) -> None:
        question = ConfirmDialog(
            "Desabilitar o servidor SMTP",
            'Desabilitar o servidor SMTP?\n\n"Esqueci minha senha" deixa de funcionar na tela de login. Os dados '
            "do servidor ficam guardados.",
            confirm_label="Desabilitar",
        )
        user = self.user_id

        def answered(yes: bool | None) -> None:
            if yes:
                self.change("smtp", "Servidor SMTP desabilitado.", lambda: servidores.disable_smtp(by_user_id=user))

        self.app.push_screen(question, answered)

    def _smtp_saved(self, smtp: SmtpConfig) -> None:
        was_test = self._smtp_testing
        self._smtp_testing = False
        self.show_smtp(smtp, fill=False)
        if was_test:
            self._set_result("#smtp-result", "Conexão bem sucedida: servidor SMTP habilitado.", True)
        else:
            self._set_result("#smtp-result", "", None)

    # ------------------------------------------------------------------ Municípios e responsáveis

    def show_responsibles(self, rows: list[ResponsibleRow]) -> None:
        if self.data is not None:
            self.data = ConfigData(
                self.data.connection, self.data.security, self.data.server, self.data.smtp, rows, self.data.advanced
            )
        table = self.query_one("#responsibles", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(
                row.label,
                row.ibge,
                Text(row.professional_name) if row.professional_name else Text("sem responsável", style="italic"),
                format_cpf(row.professional_cpf) if row.professional_cpf else "—",
                key=str(row.localidade_id),
            )
        if rows:
            table.move_cursor(row=min(max(cursor, 0), len(rows) - 1), animate=False)
        self.refresh_bindings()

    def current_responsible(self) -> ResponsibleRow | None:
        if self.data is None:
            return None
        try:
            table = self.query_one("#responsibles", DataTable)
        except NoMatches:
            return None
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((row for row in self.data.responsibles if str(row.localidade_id) == key), None)

    @on(DataTable.RowHighlighted, "#responsibles")
    def _responsible_highlighted(self) -> None:
        self.refresh_bindings()
        row = self.current_responsible()
        self.query_one("#responsible-change", Button).disabled = row is None or row.professional_id is None

    @on(Button.Pressed, "#municipality-add")
    def action_add_municipality(self) -> None:
        self.app.push_screen(ResponsibleDialog(None), self._responsible_saved)

    @on(DataTable.RowSelected, "#responsibles")
    @on(Button.Pressed, "#responsible-change")
    def action_change_responsible(self) -> None:
        row = self.current_responsible()
        if row is None:
            return
        if row.professional_id is None:
            self.app.push_screen(ResponsibleDialog(None, municipality=row), self._responsible_saved)
        else:
            self.app.push_screen(ResponsibleDialog(row), self._responsible_saved)

    def _responsible_saved(self, rows: list[ResponsibleRow] | None) -> None:
        if rows is None:
            return
        self.show_responsibles(rows)
        self.query_one("#responsibles", DataTable).focus()
        self.pec_app.load_installation()  # the header counts the municipalities

    # ------------------------------------------------------------------ Configurações avançadas

    def show_advanced(self, values: AdvancedSettings) -> None:
        self.query_one("#advanced-requests", Input).value = str(values.simultaneous_requests)
        self.query_one("#advanced-url", Input).value = values.probe_url
        if self.status is not None and self.status.probe_url != values.probe_url:
            self._test_result = None
            self.reload_connection()

    @on(Input.Submitted, "#advanced-requests, #advanced-url")
    @on(Button.Pressed, "#advanced-save")
    def save_advanced(self) -> None:
        self.clear_errors("advanced")
        requests = self.query_one("#advanced-requests", Input).value
        url = self.query_one("#advanced-url", Input).value
        user = self.user_id
        self.change(
            "advanced",
            "Configurações avançadas salvas.",
            lambda: avancadas.save_advanced(requests, url, by_user_id=user),
        )


# --------------------------------------------------------------------------------------------
# Adicionar município / Trocar responsável
# --------------------------------------------------------------------------------------------


NOBODY_CHOSEN = "Escolhido: ninguém ainda (pesquise, desça à lista com a seta e tecle Enter)"


class ResponsibleDialog(ModalScreen[list[ResponsibleRow] | None]):
    """Adicionar município (IBGE code or name, and its responsible) or Trocar responsável.

    Dismisses with the new list of municipalities and responsibles, or None (Esc, Cancelar)."""

    CSS_PATH = "configuracoes.tcss"  # read when first opened: the login parses only app.tcss

    BINDINGS = [
        Binding("escape", "cancel", "Cancelar", id="responsible.cancel"),
        Binding("f2", "save", "Salvar", id="responsible.save"),
    ]

    COLUMNS = [
        PagedColumn("name", "Profissional", ratio=1),
        PagedColumn("cpf", "CPF", width=14),
        PagedColumn("cns", "CNS", width=15),
    ]

    @dataclass
    class Saved(Message):
        rows: list[ResponsibleRow] | None
        error: str | None = None
        field: str | None = None

    def __init__(self, current: ResponsibleRow | None, *, municipality: ResponsibleRow | None = None) -> None:
        super().__init__()
        self.current = current  # Trocar responsável: the municipality and who is responsible now
        self.municipality = municipality or current  # a municipality already chosen
        self.chosen: ProfessionalChoice | None = None

    @property
    def changing(self) -> bool:
        return self.current is not None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="responsible-dialog"):
            if self.changing:
                assert self.current is not None
                yield Static("Trocar responsável", classes="dialog-title")
                yield Static(
                    Text(
                        f"{self.current.label} (IBGE {self.current.ibge}) · responsável atual: "
                        f"{self.current.professional_name}"
                    ),
                    classes="responsible-context",
                )
            else:
                yield Static("Adicionar município e responsável", classes="dialog-title")
                yield Static("Município (código IBGE ou nome)", classes="config-field-label")
                yield Input(
                    value=self.municipality.ibge if self.municipality else "",
                    placeholder="por exemplo, 4204202 ou Chapecó",
                    compact=True,
                    id="responsible-municipality",
                )
                yield Static("", id="responsible-municipality-found", classes="config-note")
                yield error_line("responsible-municipality-error")
            yield Static("Responsável (profissional da base local)", classes="config-field-label")
            yield PagedTable(
                self.fetch_professionals,
                self.COLUMNS,
                self.professional_cells,
                placeholder="Pesquisar por nome, CPF ou CNS  ( / )",
                empty_text="Nenhum profissional encontrado na base local.",
                open_label="Escolher",
                id="responsible-list",
            )
            yield Static(NOBODY_CHOSEN, id="responsible-chosen")
            yield error_line("responsible-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Salvar", variant="primary", compact=True, id="responsible-save")
                yield Button("Cancelar", compact=True, id="responsible-cancel")

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            for field in self.query(Input):
                field.cursor_blink = False
        if self.changing or self.municipality is not None:
            self.query_one("#responsible-list", PagedTable).action_focus_search()
            self._describe_municipality()
        else:
            self.query_one("#responsible-municipality", Input).focus()

    @staticmethod
    def fetch_professionals(query: str, offset: int, limit: int) -> Page[ProfessionalChoice]:
        with worker_connection():
            return municipios.search_professionals(query, offset, limit)

    @staticmethod
    def professional_cells(row: ProfessionalChoice) -> tuple[str, ...]:
        return (row.name, row.cpf_label, row.cns or "—")

    # ------------------------------------------------------------------ municipality

    @on(Input.Changed, "#responsible-municipality")
    def _describe_municipality(self) -> None:
        if self.changing:
            return
        text = self.query_one("#responsible-municipality", Input).value
        found = self.query_one("#responsible-municipality-found", Static)
        code = municipios.resolve_municipality(text)
        if not text.strip():
            found.update("")
        elif code is not None:
            name, uf = municipios.municipalities_by_ibge()[code]
            found.update(Text(f"✓ {name}/{uf} · IBGE {code}"))
        else:
            candidates = municipios.municipality_candidates(text, limit=3)
            if candidates:
                found.update(
                    Text(
                        "Vários: "
                        + " · ".join(f"{ibge} {label}" for ibge, label in candidates)
                        + " — informe o código ou o nome completo"
                    )
                )
            else:
                found.update(Text("Nenhum município com esse código ou nome."))

    @on(Input.Submitted, "#responsible-municipality")
    def _municipality_done(self) -> None:
        self.query_one("#responsible-list", PagedTable).action_focus_search()

    # ------------------------------------------------------------------ professional

    @on(PagedTable.RowHighlighted, "#responsible-list")
    def _highlighted(self, event: PagedTable.RowHighlighted) -> None:
        # The row under the cursor is the choice once the administrator is in the list; a page
        # that merely loaded under the search field chooses nobody.
        if self.query_one("#responsible-list", PagedTable).grid.has_focus:
            self._choose(event.row)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        table = self.query_one("#responsible-list", PagedTable)
        if event.widget is table.grid:
            self._choose(table.current_row)

    @on(PagedTable.RowChosen, "#responsible-list")
    def _chosen(self, event: PagedTable.RowChosen) -> None:
        self._choose(event.row)
        self.query_one("#responsible-save", Button).focus()

    def _choose(self, row: ProfessionalChoice | None) -> None:
        self.chosen = row
        text = f"Escolhido: {row.name} (CPF {row.cpf_label})" if row is not None else NOBODY_CHOSEN
        self.query_one("#responsible-chosen", Static).update(Text(text))

    # ------------------------------------------------------------------ save

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#responsible-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#responsible-save")
    def action_save(self) -> None:
        self._clear_errors()
        professional_id = self.chosen.id if self.chosen is not None else None
        user = getattr(getattr(self.app, "session", None), "user_id", None)
        if self.changing:
            assert self.current is not None
            current = self.current
            if self.chosen is None:
                self._show_error("responsavel", "Escolha o novo responsável na lista.")
                return
            question = ConfirmDialog(
                "Trocar responsável",
                f"{current.professional_name} deixa de ser o administrador municipal de {current.label}, "
                f"e {self.chosen.name} passa a sê-lo.\n\nConfirma a troca?",
                confirm_label="Trocar",
            )

            def answered(yes: bool | None) -> None:
                if yes:
                    self.save(
                        lambda: municipios.change_responsible(current.localidade_id, professional_id, by_user_id=user)
                    )

            self.app.push_screen(question, answered)
            return
        text = self.query_one("#responsible-municipality", Input).value
        code = municipios.resolve_municipality(text) or text
        self.save(lambda: municipios.add_municipality(code, professional_id, by_user_id=user))

    @work(thread=True, exclusive=True, exit_on_error=False, group="responsible-save")
    def save(self, call: Callable[[], ResponsibleRow]) -> None:
        try:
            with worker_connection():
                call()
                rows = municipios.responsibles()
        except ValidationError as exc:
            self.post_message(self.Saved(None, exc.message, exc.field))
        except PecError as exc:
            self.post_message(self.Saved(None, exc.message))
        except Exception as exc:  # never a traceback on screen
            self.post_message(self.Saved(None, f"Não foi possível salvar: {exc}."))
        else:
            self.post_message(self.Saved(rows))

    def on_responsible_dialog_saved(self, message: Saved) -> None:
        if message.rows is None:
            # A refusal without a field (a second responsible) is about the municipality when adding.
            field = message.field or ("responsavel" if self.changing else "municipio")
            self._show_error(field, message.error or "Não foi possível salvar.")
            return
        self.app.notify("Responsável trocado." if self.changing else "Município e responsável adicionados.")
        self.dismiss(message.rows)

    def _clear_errors(self) -> None:
        for line in self.query(".config-error"):
            line.display = False
        for field in self.query(Input):
            field.remove_class("-invalid")

    def _show_error(self, field: str, text: str) -> None:
        if field == "municipio" and not self.changing:
            line = self.query_one("#responsible-municipality-error", Static)
            target: Widget = self.query_one("#responsible-municipality", Input)
            target.add_class("-invalid")
        else:
            line = self.query_one("#responsible-error", Static)
            target = self.query_one("#responsible-list", PagedTable).search_input
        line.update(Text(text))
        line.display = True
        target.focus()
