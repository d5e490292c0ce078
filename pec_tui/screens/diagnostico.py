"""Diagnóstico do servidor: the host doctor (:mod:`pec_tui.domain.diagnostico`) as a screen.

One row per check, keyed by the check's key and updated in place; the highlighted check's
finding and what to do below the table. The checks run through ``run_task`` (a task that
returns the report). A one-shot timer is armed again after each answer, so runs never overlap; when it
fires while another screen (or a dialog) is in front, the run waits until this screen is back.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import DataTable, Static

from pec_tui.core.errors import describe_error
from pec_tui.domain import diagnostico
from pec_tui.messages import OpenModule
from pec_tui.screens.base import PecScreen, worker_connection
from pec_tui.widgets.paged_table import Cell, fit

Runner = Callable[[object, diagnostico.DoctorConfig], diagnostico.Report]


def run_checks(runner: Runner | None, opened: object, config: diagnostico.DoctorConfig) -> diagnostico.Report:
    """The checks, in the worker. With the database down the host checks still run."""
    with ExitStack() as stack:
        try:
            stack.enter_context(worker_connection())
        except Exception as exc:  # the database is down: the host checks still run
            first = next(iter(str(exc).strip().splitlines()), type(exc).__name__)
            return diagnostico.run(None, config, open_error=f"Não foi possível conectar ao banco: {first}.")
        return (runner or diagnostico.run)(opened, config)


class DoctorTable(DataTable):
    """The checks; the status cell takes its colour from the theme (see app.tcss)."""

    COMPONENT_CLASSES = {"doctor-table--ok", "doctor-table--warning", "doctor-table--error"}

    def status_cell(self, check: diagnostico.Check) -> Text:
        style = self.get_component_rich_style(f"doctor-table--{check.status}", partial=True)
        return Text(check.label, style=style)

    def on_resize(self, event: events.Resize) -> None:
        screen = self.screen
        if isinstance(screen, DoctorScreen):
            screen.table_resized()


class DoctorScreen(PecScreen):
    CSS_PATH = "diagnostico.tcss"
    TITLE_TEXT = "Diagnóstico do servidor"
    HELP = (
        "Diagnóstico do servidor. Reúne o que um técnico verificaria à mão no servidor do PEC: o "
        "banco de dados (acesso e tamanho), a versão do esquema do pec-tui, a VERSAOBANCODADOS do "
        "PEC (e, quando a versão do programa pode ser lida da pasta de instalação, se as duas são "
        "iguais: o PEC não inicia com versões diferentes), a compatibilidade com o PEC (por módulo: "
        "leitura e escrita, somente leitura ou indisponível, e por quê), o LINKINSTALACAO respondendo, a "
        "aplicação do PEC respondendo em /api/public/info, uma trava do Liquibase esquecida "
        "(databasechangeloglock), CNS compartilhado por dois profissionais, usuários bloqueados, o "
        "espaço em disco da instalação e do banco, a pasta chaves (permissões, certificados .pfx/.p12, "
        "arquivo .cer recusado) e os serviços desabilitados com prazo.\n\n"
        "Cada linha diz OK, AVISO ou ERRO; abaixo da tabela, o que foi encontrado e o que fazer na "
        "verificação escolhida (Tab leva a esse texto, que rola com as setas quando não cabe). O "
        "diagnóstico roda de novo sozinho a cada 30 segundos enquanto esta "
        "tela está à frente; R (Atualizar) roda agora. O mesmo diagnóstico existe na linha de comando: "
        "pec-tui doctor (ou pec-tui doctor --json).\n\n"
        "U abre os usuários bloqueados: desbloquear e redefinir a senha (também em Ctrl+P, e no "
        "servidor com pec-tui users unlock CPF)."
    )

    BINDINGS = [
        Binding("r", "refresh", "Atualizar", id="diagnostico.refresh"),
        Binding("l", "open_log", "Log", id="diagnostico.log", tooltip="Log do PEC"),
        Binding(
            "u",
            "blocked_users",
            "Bloqueados",
            id="diagnostico.blocked_users",
            tooltip="Usuários bloqueados: desbloquear e redefinir a senha",
        ),
    ]

    REFRESH_SECONDS = 30.0
    STATUS_WIDTH = 8  # "Situação"
    TITLE_WIDTH = max(len(title) for title in diagnostico.TITLES.values())  # 25: "Compatibilidade com o PEC"

    def __init__(self, runner: Runner | None = None, *, config: diagnostico.DoctorConfig | None = None) -> None:
        super().__init__(name="diagnostico")
        self._runner = runner
        self._config = config
        self.report: diagnostico.Report | None = None
        self._checking = False
        self._refresh_pending = False
        self._refresh_timer: Timer | None = None
        self._found_width = 40

    def compose_body(self) -> ComposeResult:
        with Vertical(id="doctor", classes="module-body"):
            yield Static("Verificando o servidor…", id="doctor-summary", classes="module-notice")
            yield DoctorTable(cursor_type="row", zebra_stripes=False, id="doctor-table")
            with VerticalScroll(id="doctor-detail-pane"):
                yield Static("", id="doctor-detail")

    @property
    def table(self) -> DoctorTable:
        return self.query_one("#doctor-table", DoctorTable)

    def on_mount(self) -> None:
        self._build_columns()
        self.table.focus()
        self.start_run()

    def config(self) -> diagnostico.DoctorConfig:
        if self._config is not None:
            return self._config
        return diagnostico.DoctorConfig(pec_home=self.pec_app.pec_home, pec_url=diagnostico.default_pec_url())

    # ------------------------------------------------------------------ running

    def start_run(self) -> None:
        """Run the checks now, unless a run is already under way."""
        if self._checking:
            return
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None
        self._checking = True
        self._refresh_pending = False
        self.run_task(
            run_checks,
            self._runner,
            self.pec_app.opened,
            self.config(),
            done=self._ran,
            failed=self._not_run,
            failure="Não foi possível rodar o diagnóstico",
            group="doctor",
            connection=False,  # run_checks opens it, and goes on without it
        )

    def _not_run(self, error: BaseException) -> bool:
        """Said on the summary line (never a traceback), and the next run is armed all the same."""
        self._ran(None, f"Não foi possível rodar o diagnóstico: {describe_error(error)}.")
        return True

    def _ran(self, report: diagnostico.Report | None, error: str = "") -> None:
        self._checking = False
        if report is None:
            self.query_one("#doctor-summary", Static).update(Content.styled(error, "$error"))
        else:
            self.show_report(report)
        # One-shot: armed again only after an answer, so two runs never overlap.
        self._refresh_timer = self.set_timer(self.REFRESH_SECONDS, self._refresh_due, name="doctor-refresh")

    def _refresh_due(self) -> None:
        self._refresh_timer = None
        if self.app.screen is self:
            self.start_run()
        else:
            self._refresh_pending = True  # paused behind another screen or a dialog: run when back

    def on_screen_resume(self) -> None:
        if self._refresh_pending:
            self.start_run()

    def action_refresh(self) -> None:
        if self._checking:
            self.notify("O diagnóstico já está rodando.", timeout=3)
            return
        self.query_one("#doctor-summary", Static).update("Verificando o servidor…")
        self.start_run()

    def action_open_log(self) -> None:
        self.post_message(OpenModule("log"))

    def action_blocked_users(self) -> None:
        from pec_tui.screens.blocked_users import BlockedUsersDialog

        self.app.push_screen(BlockedUsersDialog(), lambda _: self.start_run())

    # ------------------------------------------------------------------ showing

    def show_report(self, report: diagnostico.Report) -> None:
        self.report = report
        table = self.table
        with self.app.batch_update():
            wanted = [check.key for check in report.checks]
            for key in [row.value for row in table.rows if row.value not in wanted]:
                table.remove_row(key)
            for check in report.checks:
                cells = self._cells(check)
                if check.key in table.rows:
                    for column, value in zip(("status", "title", "found"), cells, strict=True):
                        table.update_cell(check.key, column, value)
                else:
                    table.add_row(*cells, key=check.key)
        errors, warnings = report.count(diagnostico.ERROR), report.count(diagnostico.WARNING)
        parts: list[str | tuple[str, str]] = [
            f"{len(report.checks)} verificações: {report.count(diagnostico.OK)} OK, ",
            (f"{warnings} {'aviso' if warnings == 1 else 'avisos'}", "bold $warning" if warnings else ""),
            ", ",
            (f"{errors} {'erro' if errors == 1 else 'erros'}", "bold $error" if errors else ""),
            f" · às {report.started_at:%H:%M:%S} · R atualiza agora",
        ]
        self.query_one("#doctor-summary", Static).update(Content.assemble(*parts))
        self.show_detail()

    def _cells(self, check: diagnostico.Check) -> tuple[Cell, Cell, Cell]:
        return (
            self.table.status_cell(check),
            fit(check.title, self.TITLE_WIDTH),
            fit(check.found, self._found_width),
        )

    def _found_width_for(self, width: int) -> int:
        table = self.table
        spent = self.STATUS_WIDTH + self.TITLE_WIDTH + 2 * table.cell_padding * 3 + 2  # 2: scrollbar
        return max(20, width - spent)

    def _build_columns(self) -> None:
        table = self.table
        cursor = table.cursor_row
        self._found_width = self._found_width_for(table.size.width)
        table.clear(columns=True)
        table.add_column("Situação", width=self.STATUS_WIDTH, key="status")
        table.add_column("Verificação", width=self.TITLE_WIDTH, key="title")
        table.add_column("Encontrado", width=self._found_width, key="found")
        if self.report is not None:
            for check in self.report.checks:
                table.add_row(*self._cells(check), key=check.key)
            if table.row_count:
                table.move_cursor(row=min(cursor, table.row_count - 1), animate=False)

    def table_resized(self) -> None:
        if self._found_width_for(self.table.size.width) != self._found_width:
            with self.app.batch_update():
                self._build_columns()

    @on(DataTable.RowHighlighted, "#doctor-table")
    def _highlighted(self) -> None:
        self.show_detail()

    def current_check(self) -> diagnostico.Check | None:
        if self.report is None or not self.table.row_count:
            return None
        key = self.table.coordinate_to_cell_key(self.table.cursor_coordinate).row_key.value
        return next((check for check in self.report.checks if check.key == key), None)

    def show_detail(self) -> None:
        check = self.current_check()
        detail = self.query_one("#doctor-detail", Static)
        if check is None:
            detail.update("")
            return
        style = {
            diagnostico.OK: "bold $success",
            diagnostico.WARNING: "bold $warning",
            diagnostico.ERROR: "bold $error",
        }
        parts: list[str | tuple[str, str]] = [
            (check.label, style[check.status]),
            "  ",
            (check.title, "bold"),
            "\n",
            check.found,
        ]
        if check.action:
            parts += ["\n", ("O que fazer: ", "bold"), check.action]
        detail.update(Content.assemble(*parts))
