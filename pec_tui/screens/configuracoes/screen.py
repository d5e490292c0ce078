"""Configurações da instalação (manual 3.1): Conexão, Segurança, Servidores, Municípios e
responsáveis, Configurações avançadas. Installation administrator only.

The screen composes the five tabs (one widget each, in this package), reads every setting once
when it opens and hands each tab its part; keys 1-5, F2 ("Salvar" of the tab shown), "a" and "t"
(Municípios e responsáveis) work from the tab bar too. A tab's changes go through this screen's
worker path (:meth:`~pec_tui.screens.base.TaskRunner.run_task`), so a refusal lands on the field
named in the tab's ``FIELDS``. What one tab tells another (the internet connection, for the SMTP
server; a new test address, for Conexão) goes up as a message and the screen passes it on.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.widgets import TabbedContent, TabPane

from pec_tui.domain.configuracoes import avancadas, conexao, municipios, seguranca, servidores
from pec_tui.domain.configuracoes.avancadas import AdvancedSettings
from pec_tui.domain.configuracoes.conexao import ConnectionStatus
from pec_tui.domain.configuracoes.municipios import ResponsibleRow
from pec_tui.domain.configuracoes.servidores import InstallationServer, SmtpConfig
from pec_tui.domain.settings import SecuritySettings
from pec_tui.screens.base import PecScreen, failure_message
from pec_tui.screens.configuracoes.avancadas import AvancadasTab
from pec_tui.screens.configuracoes.conexao import ConexaoTab
from pec_tui.screens.configuracoes.municipios import MunicipiosTab
from pec_tui.screens.configuracoes.seguranca import SegurancaTab
from pec_tui.screens.configuracoes.servidores import ServidoresTab
from pec_tui.screens.configuracoes.tab import ConfigTab

TABS = (ConexaoTab, SegurancaTab, ServidoresTab, MunicipiosTab, AvancadasTab)
LOAD_FAILURE = "Não foi possível ler as configurações"


@dataclass(frozen=True)
class ConfigData:
    """Everything the tabs show, read in one go when the screen opens."""

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
    CSS_PATH = "configuracoes.tcss"
    TITLE_TEXT = "Configurações da instalação"
    TABBED = "#config-tabs"  # Esc in a field goes to the tab bar, Esc there leaves (1-5: its own bindings)
    HELP = (
        "Configurações da instalação (manual, seção 3.1), do administrador da instalação.\n\n"
        "Conexão: verifique se o sistema está conectado à internet e apto a utilizar as funcionalidades que "
        'dependem desta conexão ("Testar conexão com a internet"); desabilite ou habilite essa conexão. Quando '
        "o sistema estiver sem conexão, as funcionalidades que dependem de internet são desabilitadas. CADSUS: "
        'escolha em "Desabilitar durante" 30 minutos, 1 hora, 2 horas, 4 horas, 8 horas, 1 semana ou 1 mês e '
        'clique em "Desabilitar"; "Habilitar" volta a conexão antes do fim. Hórus: o mesmo, com 30 minutos a 8 '
        'horas ou "Tempo indeterminado"; para habilitar, a instalação precisa estar conectada à internet: '
        '"Habilitar" testa a conexão antes e, se o teste falhar, recusa dizendo por quê. Cada desabilitação '
        "mostra quando termina e quanto falta; ela termina sozinha. Agenda Online: habilite com a contrachave "
        'gerada no e-Gestor AB (opção "Agendamento"), também depois do teste de conexão; "Desabilitar" encerra '
        "a sincronização.\n\n"
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
        "Na barra de abas (e só nela), as setas ou as teclas 1 a 5 trocam de aba; Tab passa ao próximo campo, Enter "
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
        # The tab shows them as buttons; F1 lists the keys (the footer keeps room for Ctrl+T / Ctrl+L).
        Binding("a", "add_municipality", "Adicionar município", id="config.add_municipality", show=False),
        Binding("t", "change_responsible", "Trocar responsável", id="config.change_responsible", show=False),
    ]

    # Every tab's form fields: a domain refusal names one of them.
    FAILURE_TIMEOUT = 8  # a refused setting stays long enough to read the whole sentence
    FIELDS = {name: field for tab in TABS for name, field in tab.FIELDS.items()}

    def __init__(self) -> None:
        super().__init__(name="configuracoes")
        self.loaded = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="config", classes="module-body"), TabbedContent(id="config-tabs"):
            for tab in TABS:
                with TabPane(tab.TITLE, id=tab.PANE):
                    yield tab()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick, name="config-countdown")
        self.run_task(
            read_everything, done=self._loaded, failed=self._load_failed, failure=LOAD_FAILURE, group="config-load"
        )

    def _loaded(self, data: ConfigData) -> None:
        self.loaded = True
        self.query_one(ConexaoTab).show_status(data.connection)
        self.query_one(SegurancaTab).show_values(data.security)
        servers = self.query_one(ServidoresTab)
        servers.show_server(data.server)
        servers.show_smtp(data.smtp, fill=True)
        self.query_one(MunicipiosTab).show_rows(data.responsibles)
        self.query_one(AvancadasTab).show_values(data.advanced)

    def _load_failed(self, error: BaseException) -> bool:
        self.query_one(ConexaoTab).show_load_error(failure_message(error, LOAD_FAILURE))
        return False  # and the notice

    def _tick(self) -> None:
        """The 1-second timer: Conexão's countdowns, while this screen is shown."""
        if self.is_current:
            self.query_one(ConexaoTab).tick()

    # ------------------------------------------------------------------ what one tab tells another

    @on(ConexaoTab.InternetChanged)
    def _internet_changed(self, message: ConexaoTab.InternetChanged) -> None:
        self.query_one(ServidoresTab).show_internet(message.enabled)

    @on(AvancadasTab.Saved)
    def _advanced_saved(self, message: AvancadasTab.Saved) -> None:
        self.query_one(ConexaoTab).probe_url_saved(message.values.probe_url)

    # ------------------------------------------------------------------ tabs and keys

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one("#config-tabs", TabbedContent)
        tabs.active = tab
        tabs.query_one("Tabs").focus()

    @property
    def active_tab(self) -> ConfigTab | None:
        try:
            pane = self.query_one("#config-tabs", TabbedContent).active_pane
        except NoMatches:
            return None
        tab = pane.children[0] if pane is not None and pane.children else None
        return tab if isinstance(tab, ConfigTab) else None

    @on(TabbedContent.TabActivated, "#config-tabs")
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        if event.pane.id == ConexaoTab.PANE and self.loaded:
            self.query_one(ConexaoTab).reload()  # another console may have changed it

    def _on_tab_bar_or(self, *selectors: str) -> bool:
        """Bare-key shortcuts (1-5, a, t) act only where nothing is typed: the tab bar (or the
        list named), never in a field, on a button or a switch, where a digit may be a mistyped
        CPF after the session ended."""
        focused = self.focused
        if focused is None:
            return False
        if focused is self.query_one("#config-tabs Tabs"):
            return True
        return any(focused.id == selector.lstrip("#") for selector in selectors)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = self.active_tab
        if action == "show_tab":
            return self._on_tab_bar_or()
        if action == "save":
            return tab is not None and tab.SAVES
        if action in ("add_municipality", "change_responsible"):
            if not isinstance(tab, MunicipiosTab) or not self._on_tab_bar_or("#responsibles"):
                return False
            if action == "change_responsible":
                row = tab.current_responsible()
                return None if row is None or row.professional_id is None else True
        return True

    def action_save(self) -> None:
        tab = self.active_tab
        if tab is not None and tab.SAVES:
            tab.save()

    def action_add_municipality(self) -> None:
        self.query_one(MunicipiosTab).add_municipality()

    def action_change_responsible(self) -> None:
        self.query_one(MunicipiosTab).change_responsible()
