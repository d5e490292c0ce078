"""Certificados (pasta chaves): the A1 certificates of ``webserver/chaves`` (manual 3.12.2, 3.12.3).

One row per file of the folder (name, CNPJ or CPF, validity, key, RNDS use); the highlighted
file's subject, issuer and validity below. Adicionar picks a file and asks its password;
Verificar re-reads a file with its password (kept for this screen, so the list shows it read);
Remover asks first, starting on «Cancelar»; a missing folder is created on request, owner-only.
Every change goes through :mod:`pec_tui.domain.certificados`, audited.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Static

from pec_tui.core import clock
from pec_tui.core.errors import PecError
from pec_tui.domain import certificados
from pec_tui.screens.base import Field, PecModal, PecScreen
from pec_tui.widgets.dialogs import ConfirmDialog
from pec_tui.widgets.file_picker import FilePicker
from pec_tui.widgets.paged_table import Cell, fit

PICK_SUFFIXES = (".pfx", ".p12", ".cer")  # a .cer is offered so that its refusal can be read


class CancelFirstConfirm(ConfirmDialog):
    """A confirmation of something that cannot be undone: focus starts on «Cancelar»."""

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # ConfirmDialog's own on_mount would focus the confirming button
        self.query_one("#confirm-no", Button).focus()


def load_folder(folder: Path, passwords: dict[str, str]) -> certificados.FolderListing:
    """The folder's list, with the file Configuração RNDS uses, read with the password it keeps
    unless one was typed in this session (worker; database connection)."""
    known = {**certificados.rnds_passwords(), **passwords}
    return certificados.list_folder(folder, known, set(certificados.rnds_certificates()))


class CertsTable(DataTable):
    """The files; the validity cell takes the theme's warning/error colour (certificados.tcss)."""

    COMPONENT_CLASSES = {"certs-table--warning", "certs-table--error"}

    def styled(self, text: str, level: str | None) -> Text:
        if level is None:
            return Text(text)
        return Text(text, style=self.get_component_rich_style(f"certs-table--{level}", partial=True))


class CertificatesScreen(PecScreen):
    CSS_PATH = "certificados.tcss"
    TITLE_TEXT = "Certificados (pasta chaves)"
    HELP = (
        "Certificados (pasta chaves). O certificado digital A1 do município (.pfx ou .p12, com a chave "
        "privada e a senha) fica na pasta webserver/chaves da instalação do PEC; é o mesmo certificado "
        "usado para a RNDS e o CADSUS (manual, seções 3.12.2 e 3.12.3).\n\n"
        "ATENÇÃO: não carregue o 'certificado .cer'. O tipo de arquivo gerado não é compatível com o "
        "sistema. Um .cer (ou outro arquivo) na pasta aparece como recusado.\n\n"
        "Cada linha mostra o arquivo, o CNPJ (e-CNPJ) ou CPF (e-CPF) do titular, a validade (em "
        "destaque quando faltam menos de 30 dias ou já venceu), se o arquivo tem a chave privada e se é o "
        "certificado usado pela Configuração RNDS. Um certificado com senha aparece como 'senha "
        "necessária para ler' até que V (Verificar) o leia com a senha.\n\n"
        "A adiciona um certificado: escolha o arquivo, informe a senha; ele só é copiado para a pasta "
        "(só para o dono) se abrir com a senha, tiver a chave privada e estiver válido. Del remove o "
        "arquivo escolhido (recusado enquanto a Configuração RNDS o usa). R lê a pasta de novo. Quando a "
        "pasta não existe, C a cria, só para o dono, em vez do 'sudo mkdir chaves' do manual.\n\n"
        "Na linha de comando: pec-tui certs list | check | add | remove (com --json)."
    )

    BINDINGS = [
        Binding("a", "add", "Adicionar", id="certificados.add"),
        Binding("v", "check", "Verificar", id="certificados.check"),
        Binding("delete", "remove", "Remover", id="certificados.remove"),
        Binding("c", "create_folder", "Criar pasta", id="certificados.create_folder"),
        Binding("r", "reload", "Atualizar", id="certificados.reload", show=False),
    ]

    NAME_WIDTH = 20
    DOCUMENT_WIDTH = 18  # 83.102.335/0001-13
    VALIDITY_WIDTH = 21  # 20/10/2027 (335 dias)

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__(name="certificados")
        self._folder = folder
        self.passwords: dict[str, str] = {}  # for this screen only; never written anywhere
        self.listing: certificados.FolderListing | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="certs", classes="module-body"):
            yield Static("Lendo a pasta…", id="certs-folder", classes="module-notice")
            yield CertsTable(cursor_type="row", zebra_stripes=False, id="certs-table")
            with VerticalScroll(id="certs-detail-pane"):
                yield Static("", id="certs-detail")

    @property
    def table(self) -> CertsTable:
        return self.query_one("#certs-table", CertsTable)

    @property
    def folder(self) -> Path | None:
        if self._folder is not None:
            return self._folder
        info = self.pec_app.installation
        return certificados.folder_for(self.pec_app.pec_home, demo=bool(info and info.demo))

    def on_mount(self) -> None:
        table = self.table
        table.add_column("Arquivo", key="name", width=self.NAME_WIDTH)
        table.add_column("CNPJ/CPF", key="document", width=self.DOCUMENT_WIDTH)
        table.add_column("Validade", key="validity", width=self.VALIDITY_WIDTH)
        table.add_column("Chave", key="key", width=5)
        table.add_column("RNDS", key="rnds", width=6)
        table.focus()
        self.reload()

    # ------------------------------------------------------------------ reading

    def reload(self, *, keep: str | None = None) -> None:
        folder = self.folder
        if folder is None:
            self._show_notice(
                "Não há instalação do PEC nesta máquina: abra o console com --pec-home PASTA (a pasta de "
                "instalação do PEC) para ver a pasta chaves.",
                "-error",
            )
            return
        self.run_task(
            load_folder,
            folder,
            dict(self.passwords),
            done=lambda listing: self.show_listing(listing, keep),
            failure="Não foi possível ler a pasta chaves",
            group="certs-load",
        )

    def _show_notice(self, text: str, css_class: str = "") -> None:
        self.show_message("#certs-folder", text, css_class)

    def show_listing(self, listing: certificados.FolderListing, keep: str | None = None) -> None:
        self.listing = listing
        table = self.table
        current = keep or self._current_name()
        table.clear()
        self.refresh_bindings()
        if not listing.exists:
            self._show_notice(
                f"A pasta {listing.folder} não existe. C cria a pasta, só para o dono (permissões 700).", "-error"
            )
            self._show_detail()
            return
        count = len(listing.entries)
        self._show_notice(
            f"{listing.folder} · {count} {'arquivo' if count == 1 else 'arquivos'}"
            + ("" if count else " · A adiciona o certificado A1 do município (.pfx ou .p12)")
        )
        for entry in listing.entries:
            table.add_row(*self._cells(entry), key=entry.name)
        if current and current in [entry.name for entry in listing.entries]:
            table.move_cursor(row=table.get_row_index(current))
        self._show_detail()

    def _cells(self, entry: certificados.FolderEntry) -> tuple[Cell, ...]:
        table = self.table
        info = entry.info
        name = fit(entry.name, self.NAME_WIDTH)
        rnds = Text("em uso" if entry.in_rnds else "")
        if info is None:
            note = "recusado" if not entry.usable_kind else entry.note
            if note == certificados.PASSWORD_NEEDED:
                note = "senha necessária"
            level = "error" if not entry.usable_kind or note != "senha necessária" else None
            return (name, table.styled(str(fit(note, self.DOCUMENT_WIDTH)), level), Text("—"), Text("—"), rnds)
        document = certificados.format_cnpj(info.cnpj) if info.cnpj else certificados.format_cpf(info.cpf or "—")
        now = clock.now()
        days = info.days_left(now)
        if info.expired(now):
            validity, level = f"vencido {info.not_after:%d/%m/%Y}", "error"
        elif info.not_yet_valid(now):
            validity, level = f"a partir {info.not_before:%d/%m/%Y}", "error"
        else:
            validity = f"{info.not_after:%d/%m/%Y} ({days} {'dia' if days == 1 else 'dias'})"
            level = "warning" if days < certificados.WARN_DAYS else None
        key = table.styled("sim", None) if info.has_key else table.styled("não", "error")
        return (name, Text(document), table.styled(validity, level), key, rnds)

    def _current_name(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return key.value

    def current_entry(self) -> certificados.FolderEntry | None:
        name = self._current_name()
        if self.listing is None or name is None:
            return None
        return next((entry for entry in self.listing.entries if entry.name == name), None)

    @on(DataTable.RowHighlighted, "#certs-table")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected, "#certs-table")
    def _selected(self) -> None:
        self.action_check()

    def _show_detail(self) -> None:
        entry = self.current_entry()
        detail = self.query_one("#certs-detail", Static)
        if entry is None:
            detail.update("")
            return
        lines = [
            f"{entry.name} · {entry.size} bytes · {entry.kind}"
            + (" · usado pela Configuração RNDS" if entry.in_rnds else "")
        ]
        info = entry.info
        if info is None:
            lines.append(entry.note[:1].upper() + entry.note[1:] + ("." if not entry.note.endswith(".") else ""))
            if entry.usable_kind and entry.note == certificados.PASSWORD_NEEDED:
                lines.append("V (ou Enter) lê o certificado com a senha.")
        else:
            lines += [
                f"Titular: {info.subject} · {info.holder_document}",
                f"Emissor: {info.issuer}",
                f"Validade: de {info.not_before:%d/%m/%Y} a {info.not_after:%d/%m/%Y} — {info.validity_label()}",
                f"Chave privada: {'sim' if info.has_key else 'não'}",
            ]
            problem = info.problem()
            if problem:
                lines.append(f"O PEC não pode usá-lo: {problem}.")
        detail.update(Text("\n".join(lines)))

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        exists = self.listing is not None and self.listing.exists
        if action == "create_folder":
            return self.listing is not None and not self.listing.exists
        if action in ("add", "check", "remove"):
            if not exists:
                return False
            if action in ("check", "remove"):
                return True if self.current_entry() is not None else None
        return True

    def action_reload(self) -> None:
        self.reload()

    def action_create_folder(self) -> None:
        folder = self.folder
        if folder is None or (self.listing is not None and self.listing.exists):
            return
        question = CancelFirstConfirm(
            "Criar a pasta chaves",
            f"Criar a pasta {folder}?\n\nEla fica só para o dono (permissões 700), com o dono da pasta de "
            "cima quando o console roda como root.",
            confirm_label="Criar pasta",
        )
        self.app.push_screen(question, lambda yes: yes and self._create(folder))

    def _create(self, folder: Path) -> None:
        self.run_task(
            certificados.create_folder,
            folder,
            by_user_id=self.user_id,
            done=lambda _: (self.notify(f"Pasta {folder} criada."), self.reload()),
            failure="Não foi possível criar a pasta",
            group="certs-change",
        )

    def action_add(self) -> None:
        folder = self.folder
        if folder is None or not folder.is_dir():
            return
        picker = FilePicker("Adicionar certificado: escolha o arquivo .pfx ou .p12", None, PICK_SUFFIXES)
        self.app.push_screen(picker, lambda path: path and self._picked(folder, path))

    def _picked(self, folder: Path, source: Path) -> None:
        if source.suffix.lower() == ".cer":
            self.notify(f"{source.name}: {certificados.CER_REFUSED}.", severity="error", timeout=10)
            return
        if (folder / source.name).exists():
            question = CancelFirstConfirm(
                "Substituir certificado",
                f"Já existe {source.name} na pasta chaves. Substituí-lo pelo arquivo escolhido?\n\n"
                "O arquivo atual é apagado.",
                confirm_label="Substituir",
            )
            self.app.push_screen(question, lambda yes: yes and self._ask_password(folder, source, replace=True))
            return
        self._ask_password(folder, source, replace=False)

    def _ask_password(self, folder: Path, source: Path, *, replace: bool) -> None:
        dialog = CertificatePasswordDialog(
            "Adicionar certificado",
            f"Copiar {source} para {folder}, só para o dono. Ele é conferido antes: abre com a senha, "
            "tem a chave privada e está válido.",
            "Adicionar",
            lambda password: (certificados.add_certificate, (folder, source, password), {"replace": replace}),
        )
        self.app.push_screen(
            dialog, lambda result: result and self._changed(result, source.name, password=dialog.password)
        )

    def _changed(self, entry: certificados.FolderEntry, name: str, *, password: str | None) -> None:
        if password:
            self.passwords[name] = password
        info = entry.info
        if info is not None:
            self.notify(f"{entry.name}: {info.holder_document}, {info.validity_label()}.")
        self.reload(keep=name)

    def action_check(self) -> None:
        entry = self.current_entry()
        folder = self.folder
        if entry is None or folder is None:
            return
        if not entry.usable_kind:
            self.notify(f"{entry.name}: {entry.note}.", severity="error", timeout=10)
            return
        dialog = CertificatePasswordDialog(
            "Verificar certificado",
            f"Ler {entry.name} com a senha do certificado.",
            "Verificar",
            lambda password: (certificados.check_certificate, (folder, entry.name, password), {}),
        )
        self.app.push_screen(
            dialog, lambda result: result and self._changed(result, entry.name, password=dialog.password)
        )

    def action_remove(self) -> None:
        entry = self.current_entry()
        folder = self.folder
        if entry is None or folder is None:
            return
        if entry.in_rnds:
            self.notify(
                f"{entry.name} é o certificado usado pela Configuração RNDS; desabilite-a em Gestão municipal antes "
                "de remover o arquivo.",
                severity="error",
                timeout=10,
            )
            return
        question = CancelFirstConfirm(
            "Remover da pasta chaves",
            f"Remover {entry.name} da pasta {folder}?\n\nO arquivo é apagado; não há como desfazer.",
            confirm_label="Remover",
        )
        self.app.push_screen(question, lambda yes: yes and self._remove(folder, entry.name))

    def _remove(self, folder: Path, name: str) -> None:
        self.passwords.pop(name, None)
        self.run_task(
            certificados.remove_certificate,
            folder,
            name,
            by_user_id=self.user_id,
            done=lambda _: (self.notify(f"{name} removido da pasta chaves."), self.reload()),
            failure="Não foi possível remover o arquivo",
            group="certs-change",
        )


class CertificatePasswordDialog(PecModal["certificados.FolderEntry | None"]):
    """The certificate's password, then the action (add or verify) in a worker; a refusal shows
    on the dialog's line, naming the reason, and the dialog stays open."""

    CSS_PATH = "certificados.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancelar", id="certificados_senha.cancel")]

    FIELDS = {"senha": Field("#cert-password", "#cert-password-error")}

    def __init__(self, title: str, message: str, confirm_label: str, action) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.confirm_label = confirm_label
        self.action = action
        self.password: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog cert-password-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(Text(self.message), classes="dialog-message")
            yield Static("Senha do certificado", classes="field-label")
            yield Input(password=True, id="cert-password")
            yield Static("", id="cert-password-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.confirm_label, variant="primary", id="cert-confirm")
                yield Button("Cancelar", id="cert-cancel")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#cert-password", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cert-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#cert-password")
    @on(Button.Pressed, "#cert-confirm")
    def submit(self) -> None:
        self.clear_field_errors()
        password = self.query_one("#cert-password", Input).value
        function, args, kwargs = self.action(password)
        self.password = password
        self.query_one("#cert-confirm", Button).disabled = True
        self.run_task(
            function,
            *args,
            by_user_id=self.user_id,
            **kwargs,
            done=self.dismiss,
            failed=self._failed,
            failure=f"Não foi possível concluir: {self.title_text.lower()}",
            group="certs-password",
        )

    def _failed(self, error: BaseException) -> bool:
        """Every refusal on the dialog's line: the password, the file's reason, the folder."""
        self.query_one("#cert-confirm", Button).disabled = False
        message = error.message if isinstance(error, PecError) else f"Não foi possível concluir: {error}."
        self.show_field_error("senha", message)
        return True
