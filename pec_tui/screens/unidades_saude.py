"""Unidades de saúde (manual 3.4): the units of the administrator's municipalities, and per
unit its Informações, Tipos de serviço, Equipes and Profissionais. Everything is read-only:
it comes from the CNES import."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static, TabbedContent, TabPane

from pec_tui.core.paging import Page
from pec_tui.domain import unidades_saude
from pec_tui.domain.unidades_saude import (
    ServiceTypeRow,
    TeamDetail,
    TeamMember,
    TeamRow,
    UnitDetail,
    UnitProfessionalRow,
    UnitRow,
)
from pec_tui.screens.base import PecScreen, failure_message, worker_connection
from pec_tui.widgets.dialogs import RecordDialog
from pec_tui.widgets.paged_table import PagedColumn, PagedTable, focus_visible_search
from pec_tui.widgets.toggles import Checkbox

READ_ONLY_NOTICE = "Somente leitura: dados do CNES. Corrija no SCNES e importe de novo."
UNIT_FAILURE = "Não foi possível ler a unidade"
TEAM_FAILURE = "Não foi possível ler a equipe"


def unit_with_services(unit_id: int, localidade_ids: tuple[int, ...]) -> tuple[UnitDetail, list[ServiceTypeRow]]:
    """Informações and Tipos de serviço of one unit, read together (in the worker)."""
    return unidades_saude.unit_detail(unit_id, localidade_ids), unidades_saude.unit_service_types(unit_id)


def yes_no(value: bool, yes: str = "Ativa", no: str = "Inativa") -> str:
    return yes if value else no


def fields(pairs: list[tuple[str, str | None]], width: int = 16) -> Content:
    """Label/value lines, labels muted and aligned."""
    parts: list[str | tuple[str, str]] = []
    for index, (label, value) in enumerate(pairs):
        if index:
            parts.append("\n")
        parts += [(f"{label:<{width}}", "$text-muted"), value or "—"]
    return Content.assemble(*parts)


class _MunicipalScreen(PecScreen):
    """A screen of the municipal administrator: knows the municipalities they administer."""

    CSS_PATH = "unidades_saude.tcss"

    BINDINGS = [
        Binding("slash", "search", "Pesquisar", id="unidades_saude.search", show=False),
    ]

    def action_search(self) -> None:
        focus_visible_search(self)

    def _unread(self, error: BaseException, where: str, failure: str) -> bool:
        """The unit or team could not be read: say why where its data would be (and in a notice)."""
        self.query_one(where, Static).update(failure_message(error, failure))
        return False

    @property
    def localidade_ids(self) -> tuple[int, ...]:
        session = self.session
        return tuple(m.id for m in session.municipal_admin_of) if session else ()


# --------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------


class UnitsScreen(_MunicipalScreen):
    TITLE_TEXT = "Unidades de saúde"
    HELP = (
        "Unidades de saúde (manual, seção 3.4). Os dados sobre os estabelecimentos (unidades de saúde) "
        "usados pelo sistema são importados do SCNES, via XML: todas as informações principais da unidade "
        "vêm do SCNES e, portanto, não podem ser alteradas aqui. Mantenha-as atualizadas no SCNES do "
        "município e importe o arquivo de novo no módulo CNES.\n\n"
        "Use / para pesquisar a unidade pelo nome ou pelo CNES; setas escolhem, PageUp e PageDown mudam de "
        "página, Enter visualiza a unidade: Informações, Tipos de serviço, Equipes e Profissionais. "
        'Aparecem as unidades ativas; marque "Mostrar unidades inativas" para ver as desativadas por '
        "uma importação do CNES."
    )

    COLUMNS = [
        PagedColumn("name", "Nome", ratio=3),
        PagedColumn("cnes", "CNES", width=7),
        PagedColumn("type", "Tipo", ratio=2, min_width=12),
        PagedColumn("active", "Situação", width=8),
    ]

    def __init__(self) -> None:
        super().__init__(name="unidades_saude")

    def compose_body(self) -> ComposeResult:
        with Vertical(id="units", classes="module-body"):
            yield Static(READ_ONLY_NOTICE, classes="module-notice")
            yield Checkbox("Mostrar unidades inativas", compact=True, id="units-inactive")
            yield PagedTable(
                self.fetch_units,
                self.COLUMNS,
                self.unit_cells,
                placeholder="Pesquisar por nome ou CNES  ( / )",
                empty_text="Nenhuma unidade de saúde ativa encontrada.",
                filters={"include_inactive": False},
                id="units-list",
            )

    def on_mount(self) -> None:
        self.query_one("#units-list", PagedTable).focus_table()

    def fetch_units(self, query: str, offset: int, limit: int, include_inactive: bool) -> Page[UnitRow]:
        with worker_connection():
            return unidades_saude.list_units(
                query, offset, limit, self.localidade_ids, include_inactive=include_inactive
            )

    @on(Checkbox.Changed, "#units-inactive")
    def _units_filter(self, event: Checkbox.Changed) -> None:
        table = self.query_one("#units-list", PagedTable)
        table.empty_text = (
            "Nenhuma unidade de saúde encontrada." if event.value else "Nenhuma unidade de saúde ativa encontrada."
        )
        table.set_filters(include_inactive=event.value)

    @staticmethod
    def unit_cells(row: UnitRow) -> tuple[str, ...]:
        return (row.name, row.cnes, row.type_name, yes_no(row.active))

    @on(PagedTable.RowChosen, "#units-list")
    def _open_unit(self, event: PagedTable.RowChosen) -> None:
        self.app.push_screen(UnitScreen(event.row.id, event.row.name))


# --------------------------------------------------------------------------------------------
# One unit
# --------------------------------------------------------------------------------------------


class UnitScreen(_MunicipalScreen):
    HELP = (
        "Unidade de saúde (manual, seção 3.4). Todas as informações da unidade vêm do SCNES e não podem "
        "ser alteradas no sistema.\n\n"
        "Informações: dados gerais do estabelecimento e seus dados de contato.\n"
        "Tipos de serviço: importados de forma automática do SCNES, os serviços ofertados pelo "
        "estabelecimento.\n"
        "Equipes: tipo de equipe, INE, código da área e nome da equipe. Aparecem as equipes ativas; marque "
        '"Mostrar equipes inativas" para ver as inativas. Enter visualiza a equipe e seus profissionais.\n'
        "Profissionais: nome, CNS, CPF e CBO dos profissionais com lotação ativa na unidade; marque "
        '"Mostrar profissionais sem lotação ativa" para ver os demais; / pesquisa pelo nome, CPF ou CNS.\n\n'
        "As teclas 1 a 4 (fora de um campo de texto) trocam de aba; Tab passa ao próximo campo."
    )

    BINDINGS = [
        Binding("1", "show_tab('tab-info')", "Informações", id="unit.tab_info", show=False),
        Binding("2", "show_tab('tab-services')", "Tipos de serviço", id="unit.tab_services", show=False),
        Binding("3", "show_tab('tab-teams')", "Equipes", id="unit.tab_teams", show=False),
        Binding("4", "show_tab('tab-professionals')", "Profissionais", id="unit.tab_professionals", show=False),
    ]

    TEAM_COLUMNS = [
        PagedColumn("type", "Tipo", width=6),
        PagedColumn("ine", "INE", width=10),
        PagedColumn("area", "Área", width=12),
        PagedColumn("name", "Nome", ratio=1),
        PagedColumn("active", "Situação", width=8),
    ]
    PROFESSIONAL_COLUMNS = [
        PagedColumn("name", "Nome", ratio=3),
        PagedColumn("cns", "CNS", width=15),
        PagedColumn("cpf", "CPF", width=14),
        PagedColumn("cbo", "CBO", ratio=2),
    ]
    LOTACAO_COLUMN = PagedColumn("lotacao", "Lotação", width=7)  # only with "sem lotação ativa" shown

    def __init__(self, unit_id: int, name: str = "") -> None:
        super().__init__(name="unidade")
        self.unit_id = unit_id
        self.unit_name = name

    def compose_body(self) -> ComposeResult:
        with Vertical(id="unit", classes="module-body"):
            yield Static(Text(self.unit_name or "Unidade de saúde"), id="unit-title", classes="module-heading")
            yield Static(READ_ONLY_NOTICE, classes="module-notice")
            with TabbedContent(id="unit-tabs"):
                with TabPane("Informações", id="tab-info"), VerticalScroll(classes="unit-pane-scroll"):
                    yield Static("Carregando…", id="unit-info-text")
                with TabPane("Tipos de serviço", id="tab-services"), VerticalScroll(classes="unit-pane-scroll"):
                    yield Static("Carregando…", id="unit-services-text")
                with TabPane("Equipes", id="tab-teams"):
                    yield Checkbox("Mostrar equipes inativas", compact=True, id="teams-inactive")
                    yield PagedTable(
                        self.fetch_teams,
                        self.TEAM_COLUMNS,
                        self.team_cells,
                        searchable=False,
                        empty_text="Nenhuma equipe ativa importada do CNES para esta unidade.",
                        filters={"include_inactive": False},
                        id="teams-list",
                    )
                with TabPane("Profissionais", id="tab-professionals"):
                    yield Checkbox("Mostrar profissionais sem lotação ativa", compact=True, id="professionals-all")
                    yield PagedTable(
                        self.fetch_professionals,
                        self.PROFESSIONAL_COLUMNS,
                        self.professional_cells,
                        placeholder="Pesquisar por nome, CPF ou CNS  ( / )",
                        empty_text="Nenhum profissional com lotação ativa nesta unidade.",
                        filters={"include_all": False},
                        open_label="Visualizar",
                        id="professionals-list",
                    )

    def on_mount(self) -> None:
        self.load_unit()

    # ------------------------------------------------------------------ Informações, Tipos de serviço

    def load_unit(self) -> None:
        self.run_task(
            unit_with_services,
            self.unit_id,
            self.localidade_ids,
            done=self._show_unit,
            failed=lambda error: self._unread(error, "#unit-info-text", UNIT_FAILURE),
            failure=UNIT_FAILURE,
            group="unit-detail",
        )

    def _show_unit(self, loaded: tuple[UnitDetail, list[ServiceTypeRow]]) -> None:
        detail, service_types = loaded
        self.unit_name = detail.name
        self.query_one("#unit-title", Static).update(Text(f"{detail.name} · CNES {detail.cnes}"))
        info = fields(
            [
                ("Nome", detail.name),
                ("CNES", detail.cnes),
                ("CNPJ", detail.cnpj_label),
                ("Tipo", detail.type_name),
                ("Complexidade", detail.complexity),
                ("Município", detail.municipality),
                ("Situação", yes_no(detail.active)),
            ]
        )
        phones = " · ".join(number for number in (detail.phone, detail.phone2) if number) or None
        contact = fields(
            [("Endereço", detail.address_label), ("Telefone", phones), ("Fax", detail.fax), ("E-mail", detail.email)]
        )
        self.query_one("#unit-info-text", Static).update(
            Content.assemble(("Dados gerais\n", "bold"), info, ("\n\nContato\n", "bold"), contact)
        )
        services = self.query_one("#unit-services-text", Static)
        if service_types:
            services.update("\n".join(f"• {row.name}" for row in service_types))
        else:
            services.update("Nenhum tipo de serviço importado do CNES para esta unidade.")

    def action_show_tab(self, tab: str) -> None:
        """Show a tab and focus what is in it (focusing a widget of a pane activates the pane)."""
        targets = {"tab-teams": "#teams-list", "tab-professionals": "#professionals-list"}
        if tab in targets:
            self.query_one(targets[tab], PagedTable).focus_table()
        else:
            self.query_one("#unit-tabs", TabbedContent).active = tab
            self.query_one("#unit-tabs Tabs").focus()

    # ------------------------------------------------------------------ Equipes

    def fetch_teams(self, query: str, offset: int, limit: int, include_inactive: bool) -> Page[TeamRow]:
        with worker_connection():
            return unidades_saude.list_teams(self.unit_id, include_inactive, offset, limit)

    @staticmethod
    def team_cells(row: TeamRow) -> tuple[str, ...]:
        return (row.type_acronym, row.ine, row.area or "—", row.name, yes_no(row.active))

    @on(Checkbox.Changed, "#teams-inactive")
    def _teams_filter(self, event: Checkbox.Changed) -> None:
        table = self.query_one("#teams-list", PagedTable)
        table.empty_text = (
            "Nenhuma equipe importada do CNES para esta unidade."
            if event.value
            else "Nenhuma equipe ativa importada do CNES para esta unidade."
        )
        table.set_filters(include_inactive=event.value)

    @on(PagedTable.RowChosen, "#teams-list")
    def _open_team(self, event: PagedTable.RowChosen) -> None:
        self.app.push_screen(TeamScreen(event.row.id, event.row.name))

    # ------------------------------------------------------------------ Profissionais

    def fetch_professionals(self, query: str, offset: int, limit: int, include_all: bool) -> Page[UnitProfessionalRow]:
        with worker_connection():
            return unidades_saude.list_unit_professionals(self.unit_id, include_all, query, offset, limit)

    @staticmethod
    def professional_cells(row: UnitProfessionalRow) -> dict[str, str]:
        return {
            "name": row.name,
            "cns": row.cns or "—",
            "cpf": row.cpf_label,
            "cbo": row.cbo_label,
            "lotacao": yes_no(row.active_lotacao),
        }

    @on(PagedTable.RowChosen, "#professionals-list")
    def _open_professional(self, event: PagedTable.RowChosen) -> None:
        """Enter on a professional: what the list shows of them, whole (CBOs may be cut)."""
        row: UnitProfessionalRow = event.row
        cbos = "\n".join(f"{code} — {name}" for code, name in row.cbos) or "—"
        self.app.push_screen(
            RecordDialog(
                row.name,
                [
                    ("CPF", row.cpf_label),
                    ("CNS", row.cns or "—"),
                    (f"CBO das lotações em {self.unit_name}", cbos),
                    ("Lotação ativa nesta unidade", yes_no(row.active_lotacao)),
                    (
                        "Lotações e dados completos",
                        "No módulo Profissionais (manual 3.5), ainda em construção no pec-tui: use a página "
                        "web do PEC.",
                    ),
                ],
            )
        )

    @on(Checkbox.Changed, "#professionals-all")
    def _professionals_filter(self, event: Checkbox.Changed) -> None:
        table = self.query_one("#professionals-list", PagedTable)
        table.empty_text = (
            "Nenhum profissional lotado nesta unidade."
            if event.value
            else "Nenhum profissional com lotação ativa nesta unidade."
        )
        table.set_columns(self.PROFESSIONAL_COLUMNS + ([self.LOTACAO_COLUMN] if event.value else []))
        table.set_filters(include_all=event.value)


# --------------------------------------------------------------------------------------------
# One team ("Visualizar")
# --------------------------------------------------------------------------------------------


class TeamScreen(_MunicipalScreen):
    HELP = (
        "Equipe (manual, seção 3.4.3). Os dados das equipes são importados por meio do arquivo do SCNES, "
        "onde estão disponíveis o código do Identificador Nacional de Equipe (INE) e o número da área sob "
        "responsabilidade da equipe. Mantenha as informações de Área e Equipe (INE) responsável pelo "
        "território corretamente vinculadas e atualizadas no CNES.\n\n"
        "A lista mostra os profissionais lotados na equipe, com as lotações ativas primeiro; PageUp e "
        "PageDown mudam de página."
    )

    MEMBER_COLUMNS = [
        PagedColumn("name", "Nome", ratio=3),
        PagedColumn("cbo", "CBO", ratio=2),
        PagedColumn("lotacao", "Lotação", width=7),
    ]

    def __init__(self, team_id: int, name: str = "") -> None:
        super().__init__(name="equipe")
        self.team_id = team_id
        self.team_name = name

    def compose_body(self) -> ComposeResult:
        with Vertical(id="team", classes="module-body"):
            yield Static(Text(self.team_name or "Equipe"), id="team-title", classes="module-heading")
            yield Static(READ_ONLY_NOTICE, classes="module-notice")
            yield Static("Carregando…", id="team-info")
            yield Static("Profissionais da equipe", classes="module-subheading")
            yield PagedTable(
                self.fetch_members,
                self.MEMBER_COLUMNS,
                self.member_cells,
                key=lambda member: member.lotacao_id,
                searchable=False,
                open_label=None,
                empty_text="Nenhum profissional lotado nesta equipe.",
                id="team-members",
            )

    def on_mount(self) -> None:
        self.query_one("#team-members", PagedTable).focus_table()
        self.load_team()

    def fetch_members(self, query: str, offset: int, limit: int) -> Page[TeamMember]:
        with worker_connection():
            return unidades_saude.list_team_members(self.team_id, offset, limit)

    @staticmethod
    def member_cells(member: TeamMember) -> tuple[str, ...]:
        return (member.name, f"{member.cbo_code} {member.cbo_name}", yes_no(member.active))

    def load_team(self) -> None:
        self.run_task(
            unidades_saude.team_detail,
            self.team_id,
            self.localidade_ids,
            with_members=False,
            done=self._show_team,
            failed=lambda error: self._unread(error, "#team-info", TEAM_FAILURE),
            failure=TEAM_FAILURE,
            group="team-detail",
        )

    def _show_team(self, detail: TeamDetail) -> None:
        team = detail.team
        self.query_one("#team-title", Static).update(Text(f"{team.name} · INE {team.ine}"))
        situation = yes_no(team.active)
        area = team.area or ""
        self.query_one("#team-info", Static).update(
            fields(
                [
                    ("Unidade", f"{detail.unit_name} (CNES {detail.unit_cnes})"),
                    ("Tipo de equipe", f"{team.type_acronym} — {team.type_name}"),
                    ("Área", area),
                    ("Situação", situation),
                ]
            )
        )
