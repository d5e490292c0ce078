"""Tarefas agendadas: the jobs of :mod:`pec_tui.domain.tarefas`, their last result and next run (with a
live countdown), "Executar agora" with its log streaming, the history of the highlighted job, and
whether a scheduler runs on this database (and, when none does, how to install it).

The overview is read through ``run_task`` every :data:`TarefasScreen.REFRESH_SECONDS` (a
one-shot timer armed again after each answer); the countdown is computed on the UI thread each
second from the last overview, without the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Log, Static, TabbedContent, TabPane

from pec_tui.core import clock
from pec_tui.core.errors import PecError, ValidationError
from pec_tui.core.formatting import format_moment
from pec_tui.domain.tarefas import backup, catalogue, lease, offsite, retention, runs
from pec_tui.screens.base import Field, PecModal, PecScreen
from pec_tui.widgets.dialogs import ConfirmDialog, PathDialog

INSTALL_HINT = (
    "Nenhum agendador rodando neste banco: as tarefas só rodam com 'pec-tui jobs run'. Instale o "
    "serviço com 'sudo pec-tui jobs install-service' e ative-o com 'sudo systemctl enable --now "
    "pec-tui-jobs.service'."
)


@dataclass(frozen=True)
class Overview:
    jobs: list[runs.JobInfo]
    scheduler: lease.Holder | None
    history: list[runs.RunRecord]
    history_job: str | None
    copies: backup.CopiesState | None = None
    offsite: offsite.OffsiteState | None = None


def read_overview(history_job: str | None) -> Overview:
    infos = runs.overview()
    job = history_job or (infos[0].name if infos else None)
    history = runs.history(job, 50) if job else []
    copies = backup.state()
    sent = offsite.state([path.name for path, _manifest in copies.copies])
    return Overview(infos, lease.holder(lease.SCHEDULER), history, job, copies, sent)


def short_moment(iso: str, *, year: bool = False) -> str:
    """``07/12 01:53`` (or ``07/12/2026 01:53``) from a manifest's ISO moment."""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.strftime("%d/%m/%Y %H:%M" if year else "%d/%m %H:%M")


def countdown(next_run: dt.datetime, now: dt.datetime) -> str:
    left = int((next_run - now).total_seconds())
    if left <= 0:
        return "agora"
    hours, rest = divmod(left, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def short_schedule(info: runs.JobInfo) -> str:
    """ "a cada minuto" or "diária 06:00": the agenda in a column that fits 80 columns."""
    spec = info.spec
    if spec is None or spec.every_minutes:
        return info.schedule
    return f"diária {spec.daily_at}"


def offsite_line(sent: offsite.OffsiteState | None) -> str:
    """The off-site state under the key line: not configured, or where, and whether the host is known."""
    if sent is None or not sent.config.configured:
        return "Fora do servidor: não configurado; S configura o envio por SFTP (só cópias cifradas saem)."
    if not sent.host_known:
        return f"Fora do servidor: {sent.config.where}. Chave do servidor ainda não aceita: S para conferi-la."
    return f"Fora do servidor: {sent.config.where}. E envia a cópia escolhida; S muda o servidor."


def upload_cell(sent: offsite.OffsiteState | None, name: str) -> Text:
    """The copy's last upload: ``sim``, ``FALHOU`` (reversed: seen without colour too), ``não``; its
    moment and sentence are in the audit trail (the column fits 80 columns only this short)."""
    if sent is None or not sent.config.configured:
        return Text("—")
    state = sent.uploads.get(name)
    if state is None:
        return Text("não")
    return Text("sim") if state.ok else Text("FALHOU", style="bold reverse")


class JobsTable(DataTable):
    COMPONENT_CLASSES = {"jobs-table--ok", "jobs-table--failed", "jobs-table--skipped"}

    def result_cell(self, record: runs.RunRecord | None) -> Text:
        if record is None:
            return Text("nunca")
        kind = {runs.JobRun.OK: "ok", runs.JobRun.FAILED: "failed"}.get(record.status, "skipped")
        return Text(record.status_label, style=self.get_component_rich_style(f"jobs-table--{kind}", partial=True))


class TarefasScreen(PecScreen):
    CSS_PATH = "tarefas.tcss"
    TITLE_TEXT = "Tarefas agendadas"
    TABBED = "#tarefas-abas"
    HELP = (
        "Tarefas agendadas. O agendador do pec-tui (pec-tui jobs run, instalado como o serviço "
        "pec-tui-jobs do systemd) roda sozinho, mesmo sem ninguém no console: o fim do tempo de "
        "desabilitação do CADSUS e do Hórus (a cada minuto), a validade dos certificados da pasta "
        "chaves (avisa a 30, 15, 7 e 1 dia do vencimento), a verificação da cadeia da auditoria e a "
        "limpeza do histórico (90 dias). Só um agendador roda por banco; a linha de cima diz em que "
        "máquina e processo, ou como instalá-lo.\n\n"
        "A tabela mostra cada tarefa com sua agenda, quanto falta para a próxima execução e o resultado "
        "da última (falhas em vermelho). Abaixo, o histórico da tarefa escolhida. X executa a tarefa "
        "escolhida agora, registrada como as agendadas, e mostra o que ela escreve; R atualiza. Na "
        "linha de comando: pec-tui jobs list, pec-tui jobs run-now NOME e pec-tui jobs history.\n\n"
        "Esc numa tabela volta à barra de abas, onde as setas ou as teclas 1 e 2 trocam de aba; Esc na "
        "barra de abas volta ao início.\n\n"
        "A aba Cópias de segurança lista as cópias do banco com tamanho, cifra, soma SHA-256 e se já "
        "foram verificadas. C faz uma cópia agora (cifrada com a chave age configurada; sem chave, "
        "a cópia fica sem cifra e a aba avisa); V verifica a cópia escolhida restaurando-a num banco "
        "temporário e conferindo a trilha de auditoria até onde ela ia na hora da cópia (uma cópia cifrada "
        "pede o arquivo da identidade age, que não é guardado). Depois de cada cópia, as mais antigas "
        "saem pela regra de retenção que a aba mostra (pec-tui backup retention muda os números): fica a "
        "cópia mais recente de cada dia e de cada mês, então uma segunda cópia no mesmo dia substitui a primeira. "
        "Restaurar: pec-tui backup restore ARQUIVO --database URL, só num banco vazio.\n\n"
        "Cópias fora do servidor: S configura o servidor SFTP (servidor, porta, usuário, chave SSH e "
        "pasta) e conecta; no primeiro contato mostra a impressão digital da chave do servidor, que "
        "deve ser conferida com o responsável por ele antes de confirmar. Uma chave que muda depois é "
        "sempre recusada. Só cópias cifradas saem do servidor: a tarefa diária envia cada cópia nova, "
        "e E envia a cópia escolhida; a coluna Enviada diz se o último envio deu certo."
    )

    BINDINGS = [
        Binding("x", "run_now", "Executar agora", id="tarefas.run_now"),
        Binding("c", "backup_now", "Fazer cópia agora", id="tarefas.backup_now"),
        Binding("v", "verify_copy", "Verificar", id="tarefas.verify_copy"),
        # Named on the Cópias de segurança tab's SFTP line and in F1 (the footer is full at 80 columns).
        Binding("s", "configure_sftp", "Configurar SFTP", id="tarefas.configure_sftp", show=False),
        Binding("e", "push_copy", "Enviar por SFTP", id="tarefas.push_copy", show=False),
        Binding("r", "refresh", "Atualizar", id="tarefas.refresh"),
    ]

    REFRESH_SECONDS = 15.0

    class LogLine(Message):
        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    def __init__(self) -> None:
        super().__init__(name="tarefas")
        self.overview: Overview | None = None
        self._history_job: str | None = None
        self._jobs_reading = False
        self._job_running: str | None = None
        self._refresh_timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="tarefas-abas"):
            with TabPane("Tarefas", id="aba-tarefas"), Vertical(id="tarefas", classes="module-body"):
                yield Static("Lendo as tarefas…", id="tarefas-agendador", classes="module-notice")
                yield JobsTable(cursor_type="row", id="tarefas-tabela")
                yield Static("", id="tarefas-historico-titulo")
                yield DataTable(cursor_type="row", id="tarefas-historico")
            with TabPane("Cópias de segurança", id="aba-copias"), Vertical(id="copias", classes="module-body"):
                yield Static("Lendo as cópias…", id="copias-estado", classes="module-notice")
                yield Static("", id="copias-sftp")
                yield DataTable(cursor_type="row", id="copias-tabela")
        yield Log(id="tarefas-log", max_lines=200)

    @property
    def table(self) -> JobsTable:
        return self.query_one("#tarefas-tabela", JobsTable)

    @property
    def copies_table(self) -> DataTable:
        return self.query_one("#copias-tabela", DataTable)

    @property
    def history_table(self) -> DataTable:
        return self.query_one("#tarefas-historico", DataTable)

    def on_mount(self) -> None:
        self.table.add_column("Tarefa", key="tarefa")
        self.table.add_column("Agenda", key="agenda")
        self.table.add_column("Falta", key="falta", width=8)
        self.table.add_column("Última", key="ultima")
        self.table.add_column("Resultado", key="resultado")
        for label, key in (("Início", "inicio"), ("Resultado", "resultado"), ("Disparo", "disparo")):
            self.history_table.add_column(label, key=key)
        self.history_table.add_column("Mensagem", key="mensagem")
        self.query_one("#tarefas-log", Log).display = False
        copies = self.copies_table
        for label, key in (
            ("Data da cópia", "data"),
            ("Tamanho", "tamanho"),
            ("Cifra", "cifra"),
            ("SHA-256", "sha"),
            ("Verificada", "verificada"),
            ("Enviada", "enviada"),
        ):
            copies.add_column(label, key=key)
        self.table.focus()
        self.set_interval(1.0, self._tick_countdown)
        self.read()

    # ------------------------------------------------------------------ reading

    def read(self) -> None:
        if self._jobs_reading:
            return
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        self._jobs_reading = True
        self.run_task(
            read_overview,
            self._history_job,
            done=self._show,
            failed=self._read_failed,
            failure="Não foi possível ler as tarefas",
            group="tarefas-ler",
        )

    def _read_failed(self, error: BaseException) -> bool:
        self._jobs_reading = False
        self._arm()
        return False

    def _arm(self) -> None:
        self._refresh_timer = self.set_timer(self.REFRESH_SECONDS, self.read)

    def _show(self, overview: Overview) -> None:
        self._jobs_reading = False
        self.overview = overview
        self._history_job = overview.history_job
        holder = overview.scheduler
        self.query_one("#tarefas-agendador", Static).update(
            f"Agendador rodando {holder.describe()}." if holder else INSTALL_HINT
        )
        table = self.table
        now = clock.now()
        for info in overview.jobs:
            last = info.last.started_at.strftime("%d/%m %H:%M") if info.last else "—"
            running = " (rodando)" if info.running else ""
            cells = {
                "tarefa": info.title + running,
                "agenda": short_schedule(info),
                "falta": countdown(info.next_run, now),
                "ultima": last,
                "resultado": table.result_cell(info.last),
            }
            if info.name in table.rows:
                for column, value in cells.items():
                    table.update_cell(info.name, column, value, update_width=True)
            else:
                table.add_row(*cells.values(), key=info.name)
        self._show_history(overview)
        if overview.copies is not None:
            self._show_copies(overview.copies, overview.offsite)
        self._arm()

    def _show_copies(self, copies: backup.CopiesState, sent: offsite.OffsiteState | None = None) -> None:
        where = f"Pasta {copies.folder}."
        if copies.recipient:
            key = f"Cópias cifradas para a chave {copies.recipient[:12]}…{copies.recipient[-6:]}."
        else:
            key = "Sem chave configurada: as cópias ficam SEM CIFRA (configure com 'pec-tui backup keygen')."
        kept = f"Retenção: {retention.describe(copies.policy)}."
        self.query_one("#copias-estado", Static).update(f"{key} {where} {kept}")
        self.query_one("#copias-sftp", Static).update(offsite_line(sent))
        table = self.copies_table
        table.clear()
        for path, manifest in copies.copies:
            upload = upload_cell(sent, path.name)
            if manifest is None:
                table.add_row(path.name, "—", "—", "sem manifesto", "—", upload, key=str(path))
                continue
            verified = short_moment(manifest.verificada_em) if manifest.verificada_em else "não"
            size = f"{manifest.tamanho / 1_048_576:.1f} MB".replace(".", ",")
            cipher = "age" if manifest.cifrada else "SEM CIFRA"
            made = short_moment(manifest.data, year=True)
            table.add_row(made, size, cipher, manifest.sha256[:12] + "…", verified, upload, key=str(path))
        if not copies.copies:
            table.add_row("Nenhuma cópia ainda.", "", "", "", "", "")

    def _show_history(self, overview: Overview) -> None:
        title = catalogue.BY_NAME[overview.history_job].title if overview.history_job else ""
        self.query_one("#tarefas-historico-titulo", Static).update(f"Histórico: {title}" if title else "")
        history = self.history_table
        history.clear()
        for record in overview.history:
            history.add_row(
                format_moment(record.started_at),
                self.table.result_cell(record),
                runs.TRIGGER_LABELS.get(record.trigger, record.trigger),
                record.message,
            )
        if not overview.history:
            history.add_row("—", "", "", "Nenhuma execução registrada.")

    def _tick_countdown(self) -> None:
        if self.overview is None:
            return
        now = clock.now()
        for info in self.overview.jobs:
            if info.name in self.table.rows:
                self.table.update_cell(info.name, "falta", countdown(info.next_run, now))

    @on(DataTable.RowHighlighted, "#tarefas-tabela")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        name = event.row_key.value if event.row_key is not None else None
        if name and name != self._history_job:
            self._history_job = name
            self.run_task(
                lambda: runs.history(name, 50),
                done=lambda records: self._history_read(name, records),
                failure="Não foi possível ler o histórico",
                group="tarefas-historico",
            )

    def _history_read(self, name: str, records: list[runs.RunRecord]) -> None:
        if self.overview is not None and name == self._history_job:
            self._show_history(Overview(self.overview.jobs, self.overview.scheduler, records, name))

    # ------------------------------------------------------------------ actions

    def action_refresh(self) -> None:
        self.read()

    def action_run_now(self, job_name: str | None = None) -> None:
        if self._job_running is not None:
            self.notify(f"Aguarde o fim de {catalogue.BY_NAME[self._job_running].title}.", severity="warning")
            return
        row = self.table.cursor_row
        if self.overview is None or not self.overview.jobs or row < 0:
            return
        info = self.overview.jobs[row]
        if job_name is not None:
            info = next(job for job in self.overview.jobs if job.name == job_name)
        self._job_running = info.name
        log = self.query_one("#tarefas-log", Log)
        log.display = True
        log.clear()
        log.write_line(f"{format_moment(clock.now())} {info.title}: executando…")
        context = catalogue.JobContext(
            pec_home=self.pec_app.pec_home, log=lambda line: self.post_message(self.LogLine(line))
        )
        self.run_task(
            runs.execute,
            catalogue.BY_NAME[info.name],
            context,
            runs.MANUAL,
            done=self._ran,
            failed=self._run_failed,
            failure=f"Não foi possível executar {info.title}",
            group="tarefas-executar",
        )

    def _show_copies_tab(self) -> None:
        # The focused widget's pane is the active one (TabbedContent follows focus): move both.
        self.query_one("#tarefas-abas", TabbedContent).active = "aba-copias"
        self.copies_table.focus()

    def action_backup_now(self) -> None:
        self._show_copies_tab()
        self.action_run_now(job_name="backup")

    def action_verify_copy(self) -> None:
        table = self.copies_table
        self._show_copies_tab()
        if table.row_count == 0 or table.cursor_row < 0:
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        if not key or key == "None":
            return
        path = Path(key)
        manifests = dict(self.overview.copies.copies) if self.overview and self.overview.copies else {}
        manifest = manifests.get(path)
        if manifest is not None and manifest.cifrada:
            # The identity is asked each time and never kept: it should not live on this server.
            self.app.push_screen(
                PathDialog(
                    f"A cópia {path.name} é cifrada: informe o arquivo da identidade age que a abre "
                    "(usado só nesta verificação, não é guardado).",
                    "",
                    hint="Enter verifica · Esc cancela",
                    label="Identidade age",
                ),
                lambda chosen: self._verify(path, Path(chosen).expanduser()) if chosen else None,
            )
            return
        self._verify(path, None)

    def _verify(self, path: Path, identity: Path | None) -> None:
        self.notify(f"Verificando {path.name}…")
        self.run_task(
            backup.verify,
            path,
            identity,
            self.user_id,
            done=self._verified,
            failure=f"Não foi possível verificar {path.name}",
            group="tarefas-verificar",
        )

    def _verified(self, verified: backup.Verified) -> None:
        self.notify(f"Cópia íntegra: {verified.path.name} restaurada num banco temporário e conferida.")
        self.read()

    def _selected_copy(self) -> Path | None:
        table = self.copies_table
        if table.row_count == 0 or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return Path(key) if key and key != "None" else None

    def action_push_copy(self) -> None:
        self._show_copies_tab()
        path = self._selected_copy()
        if path is None:
            return
        self.notify(f"Enviando {path.name}…")
        self.run_task(
            offsite.push,
            path,
            by_user_id=self.user_id,
            done=self._pushed,
            failed=self._push_failed,
            failure=f"Não foi possível enviar {path.name}",
            group="tarefas-enviar",
        )

    def _pushed(self, sent: offsite.Upload) -> None:
        how = "já estava lá" if sent.already_there else "SHA-256 conferida no servidor"
        self.notify(f"Cópia {sent.name} enviada para {sent.where} ({how}).")
        self.read()

    def _push_failed(self, error: BaseException) -> bool:
        self.read()  # the copy's Enviada column says FALHOU
        return False

    def action_configure_sftp(self) -> None:
        self._show_copies_tab()
        current = self.overview.offsite.config if self.overview and self.overview.offsite else offsite.SftpConfig()
        self.app.push_screen(SftpDialog(current), self._sftp_saved)

    def _sftp_saved(self, saved: SftpSaved | None) -> None:
        if saved is None:
            return
        self.read()
        if saved.checked is not None:
            self.notify(f"Conectado a {saved.checked.where}: chave do servidor conferida.")
            return
        unknown = saved.unknown
        assert unknown is not None
        message = (
            f"Primeiro contato com o servidor {unknown.host_id}. A impressão digital da sua chave "
            f"({unknown.key_type}) é:\n\n  {unknown.fingerprint}\n\nConfira-a com o responsável pelo servidor "
            "(lá: ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) antes de aceitar. Aceita, ela fica registrada; "
            "uma chave diferente depois será sempre recusada."
        )
        self.app.push_screen(
            ConfirmDialog("Aceitar a chave do servidor SFTP?", message, confirm_label="Aceitar a chave"),
            lambda yes: self._accept_host_key(unknown.fingerprint) if yes else None,
        )

    def _accept_host_key(self, fingerprint: str) -> None:
        self.run_task(
            offsite.check,
            fingerprint,
            by_user_id=self.user_id,
            done=self._host_key_accepted,
            failure="Não foi possível aceitar a chave do servidor",
            group="tarefas-sftp",
        )

    def _host_key_accepted(self, result: offsite.CheckResult) -> None:
        self.notify(f"Chave aceita; conectado a {result.where} ({result.remote_copies} cópia(s) lá).")
        self.read()

    @on(LogLine)
    def _log_line(self, message: LogLine) -> None:
        self.query_one("#tarefas-log", Log).write_line(f"  {message.line}")

    def _ran(self, record: runs.RunRecord) -> None:
        self._job_running = None
        title = catalogue.BY_NAME[record.job].title
        self.query_one("#tarefas-log", Log).write_line(f"{title}: {record.status_label}. {record.message}")
        self.notify(
            f"{title}: {record.status_label}.",
            severity="information" if record.status == runs.JobRun.OK else "error",
        )
        self._history_job = record.job
        self.read()

    def _run_failed(self, error: BaseException) -> bool:
        self._job_running = None
        return False


# --------------------------------------------------------------------------------------------
# Cópias fora do servidor: the SFTP settings dialog
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SftpSaved:
    config: offsite.SftpConfig
    checked: offsite.CheckResult | None
    unknown: offsite.UnknownHostKey | None


def save_and_check(
    host: str, port: str, user: str, key_file: str, folder: str, passphrase: str | None, *, by_user_id: int | None
) -> SftpSaved:
    """Save the settings, then connect once: a first contact comes back as ``unknown`` (to confirm)."""
    saved = offsite.configure(host, port, user, key_file, folder, passphrase, by_user_id=by_user_id)
    try:
        return SftpSaved(saved, offsite.check(by_user_id=by_user_id), None)
    except offsite.UnknownHostKey as unknown:
        return SftpSaved(saved, None, unknown)
    except PecError as exc:
        raise PecError(f"Configuração salva, mas a conexão falhou: {exc.message}") from None


class SftpDialog(PecModal[SftpSaved | None]):
    """Servidor, porta, usuário, chave SSH, frase-senha and pasta; «Salvar e conectar» saves and
    connects in a worker. A refusal shows on the dialog's line and the dialog stays open."""

    CSS_PATH = "tarefas.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancelar", id="tarefas_sftp.cancel")]

    FIELDS = {
        name: Field(f"#{name.replace('_', '-')}", "#sftp-error")
        for name in ("sftp_servidor", "sftp_porta", "sftp_usuario", "sftp_chave", "sftp_frase", "sftp_pasta")
    }

    def __init__(self, current: offsite.SftpConfig) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        cfg = self.current
        phrase_hint = "vazia: mantém a guardada" if cfg.has_passphrase else "só se a chave tiver"
        rows = (
            ("Servidor", Input(cfg.host, placeholder="backup.exemplo.gov.br", compact=True, id="sftp-servidor")),
            ("Porta", Input(str(cfg.port), compact=True, max_length=5, restrict=r"\d*", id="sftp-porta")),
            ("Usuário", Input(cfg.user, compact=True, id="sftp-usuario")),
            ("Chave SSH", Input(cfg.key_file, placeholder="/root/.ssh/id_ed25519", compact=True, id="sftp-chave")),
            ("Frase-senha", Input(password=True, placeholder=phrase_hint, compact=True, id="sftp-frase")),
            ("Pasta lá", Input(cfg.folder, placeholder="/srv/copias", compact=True, id="sftp-pasta")),
        )
        with Vertical(classes="dialog sftp-dialog"):
            yield Static("Cópias fora do servidor (SFTP)", classes="dialog-title")
            for label, field in rows:
                yield Horizontal(Static(label, classes="sftp-label"), field, classes="sftp-row")
            yield Static("", id="sftp-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Salvar e conectar", variant="primary", id="sftp-salvar")
                yield Button("Cancelar", id="sftp-cancelar")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#sftp-servidor", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#sftp-cancelar")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#sftp-salvar")
    def submit(self) -> None:
        self.clear_field_errors()
        values = {name: self.query_one(spec.input, Input).value for name, spec in self.FIELDS.items()}
        self.query_one("#sftp-salvar", Button).disabled = True
        self.run_task(
            save_and_check,
            values["sftp_servidor"],
            values["sftp_porta"],
            values["sftp_usuario"],
            values["sftp_chave"],
            values["sftp_pasta"],
            values["sftp_frase"] or None,
            by_user_id=self.user_id,
            done=self.dismiss,
            failed=self._failed,
            failure="Não foi possível salvar o servidor SFTP",
            group="tarefas-sftp",
        )

    def _failed(self, error: BaseException) -> bool:
        self.query_one("#sftp-salvar", Button).disabled = False
        if not isinstance(error, PecError):
            return False  # the one handler's sentence
        if not (isinstance(error, ValidationError) and self.show_field_error(error.field, error.message)):
            self.query_one("#sftp-error", Static).update(error.message)
        return True
