"""CNES (manual 3.3): import the SCNES export, watch it run, read its report; Histórico de
importações with each import's report, exportable to CSV.

The installation administrator chooses the municipality first; a municipal administrator
imports for their own. The import runs through ``run_task``; while it runs it posts progress
messages, and its outcome (the report, or why there is none) comes back as any task's does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, DataTable, Input, ProgressBar, Select, Static, TabbedContent, TabPane

from pec_tui.core.errors import PecError, describe_error, os_reason
from pec_tui.core.paging import Page, clamp_paging
from pec_tui.core.validators import format_cpf
from pec_tui.domain.cnes import archive, importer, report
from pec_tui.domain.cnes.errors import CnesFileError
from pec_tui.domain.cnes.importer import ImportProgress
from pec_tui.domain.cnes.report import ImportReport, ImportSummary, ProfessionalWithoutAgenda, RecordIssue
from pec_tui.screens.base import PecScreen, failure_message, worker_connection
from pec_tui.widgets.dialogs import ConfirmDialog, PathDialog, RecordDialog
from pec_tui.widgets.file_picker import FilePicker
from pec_tui.widgets.paged_table import PagedColumn, PagedTable

if TYPE_CHECKING:
    from pec_tui.domain.accounts import LoggedUser

CNES_SUFFIXES = (".xml", ".zip")


def _date(value) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if hasattr(value, "strftime") else str(value or "—")


class CnesScreen(PecScreen):
    CSS_PATH = "cnes.tcss"
    HELP = (
        "CNES (manual, seção 3.3). Importa o arquivo XML gerado pelo SCNES (XmlParaESUS…, .xml ou "
        ".zip com um único XML). O administrador da instalação escolhe o município antes; o "
        "administrador municipal importa o do seu município.\n\n"
        "Ao importar, unidades, equipes e lotações importadas do município que não estiverem no "
        "arquivo são desativadas; o que está no arquivo é salvo ou reativado. Tudo ou nada: um "
        "arquivo errado não altera nada. Toda vez que o SCNES for atualizado, gere e importe um "
        "novo arquivo.\n\n"
        "O Histórico de importações guarda o relatório de cada importação: registros importados, "
        "registros não importados com o motivo, e profissionais com mais de uma lotação sem agenda "
        "configurada. Analise o relatório antes de prosseguir."
    )

    BINDINGS = [
        Binding("ctrl+o", "browse", "Procurar arquivo", id="cnes.browse"),
        Binding("ctrl+r", "start_import", "Importar", id="cnes.import"),
        # Priority: the path field (focused during an import) binds Ctrl+X to "cut"; while no
        # import runs, check_action turns this off and the field gets the key.
        Binding("ctrl+x", "cancel_import", "Cancelar importação", id="cnes.cancel", priority=True),
        Binding("f2", "import_tab", "Aba Importação", id="cnes.import_tab", show=False),
        Binding("f3", "history", "Aba Histórico de importações", id="cnes.history", show=False),
    ]

    @dataclass
    class Progressed(Message):
        """The import's progress, posted by the worker while it runs."""

        progress: ImportProgress

    def __init__(self) -> None:
        super().__init__(name="cnes")
        self._cancel: threading.Event | None = None
        self._last_report: ImportReport | None = None
        self._choices: dict[int, str] = {}

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="cnes-tabs"):
            with TabPane("Importação", id="cnes-tab-import"), VerticalScroll(id="cnes-import"):
                yield Select[int]([], prompt="Município", id="cnes-municipality", allow_blank=True)
                with Horizontal(id="cnes-file-row"):
                    path = Input(placeholder="/caminho/XmlParaESUS31_420420.zip", id="cnes-path")
                    path.border_title = "Arquivo do CNES (.xml ou .zip)"
                    yield path
                    yield Button("Procurar…", id="cnes-browse")
                with Horizontal(id="cnes-actions"):
                    yield Button("Importar", id="cnes-start", variant="primary")
                    yield Button("Cancelar importação", id="cnes-cancel", variant="error", disabled=True)
                yield ProgressBar(total=100, show_eta=False, id="cnes-progress")
                yield Static("", id="cnes-status")
                yield Static("", id="cnes-summary")
                yield Button("Ver relatório", id="cnes-open-report", classes="-hidden")
            with TabPane("Histórico de importações", id="cnes-tab-history"):
                yield PagedTable[ImportSummary](
                    self.fetch_history,
                    [
                        PagedColumn("data", "Data", width=16),
                        PagedColumn("usuario", "Usuário", ratio=2),
                        PagedColumn("arquivo", "Arquivo", ratio=2),
                        PagedColumn("municipio", "Município", ratio=1),
                        PagedColumn("layout", "Layout", width=6),
                        PagedColumn("prof", "Prof.", width=7),
                        PagedColumn("nao", "Não imp.", width=8),
                    ],
                    lambda row: (
                        _date(row.imported_at),
                        row.user_label,
                        row.file_name,
                        row.municipality,
                        row.layout_version,
                        str(row.professionals),
                        str(row.rejected),
                    ),
                    searchable=False,
                    empty_text="Nenhuma importação registrada.",
                    open_label="Visualizar relatório",
                    id="cnes-history",
                )

    def on_mount(self) -> None:
        self.query_one("#cnes-progress", ProgressBar).display = False
        self.load_choices()

    # ------------------------------------------------------------------ municipality

    def load_choices(self) -> None:
        session = self.session
        if session is None:
            return
        self.run_task(
            importer.municipality_choices,
            session,
            done=lambda choices: self._show_choices(session, choices),
            failed=self._choices_failed,
            failure="Não foi possível listar os municípios",
            group="cnes-choices",
        )

    def _choices_failed(self, error: BaseException) -> bool:
        self._status(f"Não foi possível listar os municípios: {describe_error(error)}.", "-error")
        return True

    def _show_choices(self, session: LoggedUser, choices: list[tuple[int, str]]) -> None:
        select = self.query_one("#cnes-municipality", Select)
        self._choices = dict(choices)
        select.set_options([(label, ident) for ident, label in choices])
        if len(choices) == 1:
            select.value = choices[0][0]
            select.disabled = not session.installation_admin  # a municipal admin has one
            self.query_one("#cnes-path", Input).focus()
        elif not choices:
            self._status("Nenhum município ativo para importar.", "-error")
        else:
            select.focus()

    # ------------------------------------------------------------------ file

    @on(Button.Pressed, "#cnes-browse")
    def action_browse(self) -> None:
        typed = self.query_one("#cnes-path", Input).value.strip()
        start = nearest_folder(Path(typed).expanduser()) if typed else None

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.query_one("#cnes-path", Input).value = str(path)
                self.query_one("#cnes-start", Button).focus()

        self.app.push_screen(FilePicker("Escolha o arquivo do CNES", start, CNES_SUFFIXES), chosen)

    @on(Input.Submitted, "#cnes-path")
    @on(Button.Pressed, "#cnes-start")
    def action_start_import(self) -> None:
        if self._cancel is not None:
            return  # one import at a time
        municipality = self.query_one("#cnes-municipality", Select)
        if municipality.value is Select.BLANK:
            self._status("Escolha o município antes de importar.", "-error")
            municipality.focus()
            return
        raw = self.query_one("#cnes-path", Input).value.strip()
        if not raw:
            self._status("Informe o arquivo do CNES (.xml ou .zip).", "-error")
            self.query_one("#cnes-path", Input).focus()
            return
        path = Path(raw).expanduser()
        if not path.is_file():
            self._status(f"O arquivo {path} não existe ou não é um arquivo.", "-error")
            self.query_one("#cnes-path", Input).focus()
            return
        localidade_id = int(municipality.value)
        self._status(f"Verificando {path.name}…", "")
        # The file is looked at first (a .txt is refused here), then the confirmation.
        self.run_task(
            archive.precheck,
            path,
            done=lambda _: self._confirm_import(path, localidade_id),
            failed=self._precheck_failed,
            failure="Não foi possível ler o arquivo",
            group="cnes-precheck",
            connection=False,
        )

    def _precheck_failed(self, error: BaseException) -> bool:
        text = (
            error.message
            if isinstance(error, CnesFileError)
            else failure_message(error, "Não foi possível ler o arquivo")
        )
        self._status(text, "-error")
        self.query_one("#cnes-path", Input).focus()
        return True

    def _confirm_import(self, path: Path, localidade_id: int) -> None:
        self._status("", "")
        label = self._choices.get(localidade_id, "o município")
        message = (
            f"Importar {path.name} para {label}?\n\nUnidades, equipes e lotações importadas de {label} que "
            "não estiverem no arquivo serão desativadas. Um arquivo errado não altera nada."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._begin(path, localidade_id)

        self.app.push_screen(ConfirmDialog("Importar CNES", message, confirm_label="Importar"), confirmed)

    @on(Input.Changed, "#cnes-path")
    def _path_changed(self) -> None:
        """Another file: an error about the previous one no longer applies."""
        if self._cancel is None and self.query_one("#cnes-status", Static).has_class("-error"):
            self._status("", "")

    def _begin(self, path: Path, localidade_id: int) -> None:
        self._cancel = threading.Event()
        self.refresh_bindings()
        self._last_report = None
        self.query_one("#cnes-start", Button).disabled = True
        self.query_one("#cnes-cancel", Button).disabled = False
        self.query_one("#cnes-open-report", Button).add_class("-hidden")
        self.query_one("#cnes-summary", Static).update("")
        bar = self.query_one("#cnes-progress", ProgressBar)
        bar.display = True
        bar.update(total=100, progress=0)
        self._status(f"Importando {path.name}…", "")
        self.run_task(
            run_import,
            self.session,
            path,
            localidade_id,
            self._cancel,
            lambda progress: self.post_message(self.Progressed(progress)),
            done=self._imported,
            failed=self._import_failed,
            failure="A importação falhou",
            group="cnes-import",
        )

    def on_cnes_screen_progressed(self, message: Progressed) -> None:
        if self._cancel is None:
            return
        progress = message.progress
        if progress.fraction is not None:
            self.query_one("#cnes-progress", ProgressBar).update(progress=progress.fraction * 100)
        self._status(progress.label, "")

    @on(Button.Pressed, "#cnes-cancel")
    def action_cancel_import(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self._status("Cancelando… nada será alterado.", "-notice")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        importing = self._cancel is not None
        if action == "cancel_import":
            return importing  # in the footer only while an import runs
        if action in ("start_import", "browse"):
            if self._tab_shown() == "cnes-tab-history":
                return False  # the import tab's keys, out of the history's footer
            return None if importing else True  # shown, greyed out, during an import
        return True

    def _tab_shown(self) -> str | None:
        for tabs in self.query("#cnes-tabs").results(TabbedContent):
            return tabs.active
        return None

    @on(TabbedContent.TabActivated, "#cnes-tabs")
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def action_back(self) -> None:
        if self._cancel is not None:
            self.app.notify(
                "Uma importação está em andamento: espere o fim ou cancele-a (Ctrl+X) antes de voltar.",
                severity="warning",
                title="CNES",
            )
            return
        super().action_back()

    def on_unmount(self) -> None:
        # Left by other means (end of session, inactivity lock): the import is cancelled and its
        # transaction rolled back, rather than going on unseen.
        if self._cancel is not None:
            self._cancel.set()

    def _import_ended(self) -> ProgressBar:
        self._cancel = None
        self.refresh_bindings()
        self.query_one("#cnes-start", Button).disabled = False
        self.query_one("#cnes-cancel", Button).disabled = True
        return self.query_one("#cnes-progress", ProgressBar)

    def _import_failed(self, error: BaseException) -> bool:
        """Nothing was changed: say why on the status line (a cancel is a notice, not an error)."""
        self._import_ended().display = False
        if isinstance(error, importer.ImportCancelled):
            self._status(error.message, "-notice")
        elif isinstance(error, importer.CnesImportError):
            where = f" (linha {error.line})" if error.line and f"linha {error.line}" not in error.message else ""
            self._status(error.message + where, "-error")
        elif isinstance(error, PecError):
            self._status(error.message, "-error")
        else:  # never a traceback on screen
            self._status(f"A importação falhou: {describe_error(error)}. Nada foi alterado.", "-error")
        return True

    def _imported(self, imported: ImportReport) -> None:
        self._import_ended().update(progress=100)
        self._last_report = imported
        self._status("Importação concluída.", "-success")
        self.query_one("#cnes-summary", Static).update(imported.summary())
        button = self.query_one("#cnes-open-report", Button)
        button.remove_class("-hidden")
        button.focus()
        self.query_one("#cnes-history", PagedTable).reload()
        if not self.is_current:  # on screen, the status line says it (a toast would hide the summary)
            self.app.notify("Importação concluída.", title="CNES")

    @on(Button.Pressed, "#cnes-open-report")
    def _open_last_report(self) -> None:
        if self._last_report is not None:
            self.app.push_screen(CnesReportScreen(self._last_report))

    # ------------------------------------------------------------------ history

    def action_import_tab(self) -> None:
        self.query_one("#cnes-tabs", TabbedContent).active = "cnes-tab-import"
        self.query_one("#cnes-path", Input).focus()  # typing goes on where it was

    def action_history(self) -> None:
        self.query_one("#cnes-tabs", TabbedContent).active = "cnes-tab-history"
        self.query_one("#cnes-history", PagedTable).focus_table()

    def _localidade_filter(self) -> list[int] | None:
        session = self.session
        if session is None or session.installation_admin:
            return None
        return [ref.id for ref in session.municipal_admin_of]

    def fetch_history(self, query: str, offset: int, limit: int) -> Page[ImportSummary]:
        with worker_connection():
            return report.list_imports(self._localidade_filter(), offset, limit)

    @on(PagedTable.RowChosen, "#cnes-history")
    def _history_chosen(self, event: PagedTable.RowChosen) -> None:
        self.open_report(int(event.key))

    def open_report(self, import_id: int) -> None:
        self.run_task(
            report.get_report,
            import_id,
            self._localidade_filter(),
            done=lambda loaded: self.app.push_screen(CnesReportScreen(loaded)),
            failure="Não foi possível abrir o relatório",
            group="cnes-report",
        )

    def _status(self, text: str, css_class: str) -> None:
        self.show_message("#cnes-status", text, css_class)


def run_import(
    session: LoggedUser | None,
    path: Path,
    localidade_id: int,
    cancel: threading.Event,
    progress: Callable[[ImportProgress], None],
) -> ImportReport:
    """The import, in the worker: the permission first, then the file (all or nothing)."""
    if session is None:
        raise PecError("Sessão encerrada; entre novamente.")
    importer.check_import_permission(session, localidade_id)
    return importer.import_cnes(
        path, localidade_id=localidade_id, user_id=session.user_id, progress=progress, cancel=cancel
    )


def _page(items: list, query: str, offset: int, limit: int, text) -> Page:
    """One page of a report list (already in memory), filtered by ``query``."""
    offset, limit = clamp_paging(offset, limit)
    needle = query.strip().lower()
    matching = [item for item in items if needle in text(item).lower()] if needle else items
    return Page(matching[offset : offset + limit], len(matching), offset, limit)


def nearest_folder(typed: Path) -> Path:
    """The folder the picker opens in: the typed one, or the nearest of its parents that exists."""
    candidate = typed if typed.is_absolute() else Path.cwd() / typed
    for folder in (candidate, *candidate.parents):
        if folder.is_dir():
            return folder.resolve()
    return Path.cwd()


def export_dir() -> Path:
    """Where reports are exported by default: ``exportacoes`` in pec-tui's data folder."""
    from pec_tui.storage.database import data_dir

    return data_dir() / "exportacoes"


def _issue_text(issue: RecordIssue) -> str:
    return f"{issue.tipo} {issue.chave} {issue.nome} {issue.motivo}"


class CnesReportScreen(PecScreen):
    """The report of one import (3.3, Figuras 3.2.2): imported, not imported, without agenda."""

    CSS_PATH = "cnes.tcss"

    HELP = (
        "Relatório da importação do CNES. 'Registros importados' resume o que foi criado, "
        "atualizado, reativado e desativado; 'Registros não importados' diz o motivo de cada "
        "registro recusado (corrija no SCNES e importe de novo); 'Profissionais sem agenda' lista "
        "quem tem mais de uma lotação sem agenda configurada: a agenda desses profissionais deve "
        "ser criada manualmente. 'x' exporta o relatório em CSV."
    )

    BINDINGS = [Binding("x", "export", "Exportar CSV", id="cnes.report.export")]

    def __init__(self, loaded: ImportReport) -> None:
        super().__init__(name="cnes-relatorio")
        self.report = loaded

    def compose_body(self) -> ComposeResult:
        r = self.report
        head = Content.assemble(
            ("Relatório da importação  ", "bold $primary"),
            f"{r.arquivo} · {r.municipio} · layout {r.versao_layout} · importado em {_iso_br(r.data_importacao)}",
        )
        yield Static(head, id="report-head")
        with TabbedContent(id="report-tabs"):
            with TabPane("Registros importados", id="report-tab-counts"), Vertical():
                yield DataTable(id="report-counts", cursor_type="none", zebra_stripes=True)
                yield Static(r.summary(), id="report-summary", classes="muted")
            with TabPane(f"Não importados ({len(r.registros_nao_importados)})", id="report-tab-rejected"):
                yield self._issues_table(r.registros_nao_importados, "report-rejected", "Nenhum registro recusado.")
            with TabPane(f"Avisos ({len(r.avisos)})", id="report-tab-warnings"):
                yield self._issues_table(r.avisos, "report-warnings", "Nenhum aviso.")
            with TabPane(f"Sem agenda ({len(r.profissionais_sem_agenda)})", id="report-tab-agenda"):
                yield PagedTable[ProfessionalWithoutAgenda](
                    lambda q, o, n: _page(r.profissionais_sem_agenda, q, o, n, lambda p: f"{p.nome} {p.cpf}"),
                    [
                        PagedColumn("nome", "Profissional", ratio=3),
                        PagedColumn("cpf", "CPF", width=14),
                        PagedColumn("cns", "CNS", width=15),
                        PagedColumn("lot", "Lotações", width=8),
                    ],
                    lambda p: (p.nome, format_cpf(p.cpf), p.cns or "—", str(p.lotacoes)),
                    key=lambda p: p.cpf,
                    placeholder="Buscar por nome ou CPF",
                    empty_text="Nenhum profissional com mais de uma lotação sem agenda.",
                    open_label="Ver registro",
                    id="report-agenda",
                )

    def on_mount(self) -> None:
        table = self.query_one("#report-counts", DataTable)
        table.add_column("Registro", key="tipo")
        for key, label in (
            ("novos", "Novos"),
            ("atualizados", "Atualizados"),
            ("inalterados", "Sem alteração"),
            ("reativados", "Reativados"),
            ("desativados", "Desativados"),
        ):
            table.add_column(label, key=key)
        for label, counts in self.report.counts():
            table.add_row(
                label,
                *(
                    Text(str(value), justify="right")
                    for value in (
                        counts.novos,
                        counts.atualizados,
                        counts.inalterados,
                        counts.reativados,
                        counts.desativados,
                    )
                ),
                key=label,
            )

    def _issues_table(self, items: list[RecordIssue], ident: str, empty: str) -> PagedTable:
        return PagedTable[RecordIssue](
            lambda q, o, n: _page(items, q, o, n, _issue_text),
            [
                PagedColumn("tipo", "Tipo", width=12),
                PagedColumn("chave", "Chave", width=16),
                PagedColumn("nome", "Nome", ratio=2),
                PagedColumn("motivo", "Motivo", ratio=3),
                PagedColumn("linha", "Linha", width=7),
            ],
            lambda i: (i.tipo, i.chave, i.nome, i.motivo, str(i.linha or "")),
            key=lambda i: f"{i.linha}:{i.tipo}:{i.chave}",
            placeholder="Buscar por tipo, chave, nome ou motivo",
            empty_text=empty,
            open_label="Ver registro",
            id=ident,
        )

    @on(PagedTable.RowChosen, "#report-rejected, #report-warnings")
    def _show_issue(self, event: PagedTable.RowChosen) -> None:
        """Enter on a row: the whole record, which the columns may cut (key, name, reason, line)."""
        issue = event.row
        title = "Registro não importado" if event.table.id == "report-rejected" else "Aviso da importação"
        self.app.push_screen(
            RecordDialog(
                title,
                [
                    ("Tipo", issue.tipo),
                    ("Chave", issue.chave),
                    ("Nome", issue.nome),
                    ("Motivo", issue.motivo),
                    ("Elemento do XML", issue.elemento),
                    ("Linha do arquivo", str(issue.linha or "")),
                ],
            )
        )

    @on(PagedTable.RowChosen, "#report-agenda")
    def _show_without_agenda(self, event: PagedTable.RowChosen) -> None:
        professional = event.row
        self.app.push_screen(
            RecordDialog(
                "Profissional sem agenda",
                [
                    ("Profissional", professional.nome),
                    ("CPF", format_cpf(professional.cpf)),
                    ("CNS", professional.cns or ""),
                    ("Lotações sem agenda", str(professional.lotacoes)),
                    ("O que fazer", "Crie a agenda deste profissional manualmente (manual 3.5.5)."),
                ],
            )
        )

    def action_export(self) -> None:
        # The user's export folder (never the working directory: it may be a git clone).
        default = export_dir() / f"relatorio-cnes-{self.report.importacao_id or 'importacao'}.csv"

        def chosen(path: str | None) -> None:
            if path:
                self.export(Path(path).expanduser())

        self.app.push_screen(PathDialog("Exportar relatório (CSV)", str(default)), chosen)

    def export(self, path: Path) -> None:
        def not_written(error: BaseException) -> bool:
            if isinstance(error, OSError):
                text = f"Não foi possível gravar {path}: {os_reason(error)}."
            else:
                text = failure_message(error, "Não foi possível exportar o relatório")
            self.app.notify(text, severity="error", timeout=8)
            return True

        self.run_task(
            report.report_to_csv,
            self.report,
            path,
            done=lambda written: self.app.notify(f"Relatório exportado em {written}.", title="CNES"),
            failed=not_written,
            failure="Não foi possível exportar o relatório",
            group="cnes-export",
            connection=False,  # the report is in memory; only the file is written
        )


def _iso_br(value: str | None) -> str:
    if not value:
        return "—"
    date, _, time = value.replace("T", " ").partition(" ")
    year, month, day = (date.split("-") + ["", "", ""])[:3]
    return f"{day}/{month}/{year} {time[:5]}".strip()
