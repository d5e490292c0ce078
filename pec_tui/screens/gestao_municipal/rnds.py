"""The "Configuração RNDS" tab (manual 3.11.4, 3.12.4, 3.12.5).

The installation's contra-chave with "Copiar" (OSC 52, which reaches the clipboard of the
terminal the administrator sits at, also over SSH; the key is on screen for copying by hand
too); the certificate chosen among the .pfx/.p12 of the ``chaves`` folder, its password and the
"Identificador solicitante"; Habilitar (the refusal's reason on its field) and Desabilitar
(confirmed, starting on «Cancelar»)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Select, Static

from pec_tui.domain import certificados
from pec_tui.domain.gestao_municipal import rnds
from pec_tui.domain.installation import is_own_database
from pec_tui.screens.base import Field
from pec_tui.screens.certificados import CancelFirstConfirm
from pec_tui.screens.configuracoes.tab import ErrorLine
from pec_tui.screens.gestao_municipal.tab import MunicipalTab

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class RndsView:
    status: rnds.RndsStatus
    counter_key: str | None
    certificates: list[str]
    folder: Path | None
    folder_exists: bool
    writable: bool


def read_view(localidade_id: int, folder: Path | None) -> RndsView:
    names: list[str] = []
    exists = False
    if folder is not None:
        listing = certificados.list_folder(folder)
        exists = listing.exists
        names = [entry.name for entry in listing.entries if entry.usable_kind]
    return RndsView(rnds.status(localidade_id), rnds.counter_key(), names, folder, exists, is_own_database())


class RndsTab(MunicipalTab, VerticalScroll):
    TITLE = "Configuração RNDS"
    FIELDS = {
        "certificado": Field("#rnds-certificado", "#rnds-certificado-error"),
        "senha": Field("#rnds-senha", "#rnds-senha-error"),
        "identificador": Field("#rnds-identificador", "#rnds-identificador-error"),
    }

    def compose(self) -> ComposeResult:
        yield Static("Rede Nacional de Dados em Saúde - RNDS", classes="rnds-heading")
        yield Static("Lendo a configuração…", id="rnds-status")
        yield Static("", id="rnds-pec-only", classes="module-notice")

        yield Static(
            "Contra-chave (copie-a para gerar o certificado no e-Gestor AB, quando o município não tem certificado A1)",
            classes="field-label",
        )
        yield Static("", id="rnds-contrachave")
        yield Button("Copiar", id="rnds-copy", compact=True)
        yield Static("Certificado *", classes="field-label")
        yield Select[str]([], prompt="Escolha um arquivo da pasta chaves", id="rnds-certificado", compact=True)
        yield ErrorLine("rnds-certificado-error")
        yield Static("Senha *", classes="field-label")
        yield Input(password=True, id="rnds-senha", compact=True)
        yield ErrorLine("rnds-senha-error")
        yield Static("Identificador solicitante *", classes="field-label")
        yield Input(max_length=255, id="rnds-identificador", compact=True)
        yield ErrorLine("rnds-identificador-error")
        with Horizontal(classes="rnds-buttons"):
            yield Button("Habilitar", variant="primary", id="rnds-enable", compact=True)
            yield Button("Desabilitar", id="rnds-disable", compact=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        owner = self.owner
        if owner.localidade_id is None:
            self.query_one("#rnds-status", Static).update("Só o administrador municipal configura a RNDS.")
            return
        owner.run_task(
            read_view,
            owner.localidade_id,
            owner.chaves_folder,
            done=self.show,
            failure="Não foi possível ler a Configuração RNDS",
            group="rnds-load",
        )

    def show(self, view: RndsView) -> None:
        self.view = view
        status = view.status
        if status.enabled:
            days = status.days_left()
            text = (
                f"Habilitada com o certificado {status.certificate} (válido até {status.valid_until:%d/%m/%Y}, "
                f"{days} dias); identificador solicitante {status.requester_id}."
            )
        else:
            text = "Desabilitada: os profissionais não veem o botão de acesso à RNDS no atendimento."
        self.query_one("#rnds-status", Static).update(Text(text))
        pec_only = self.query_one("#rnds-pec-only", Static)
        pec_only.update("" if view.writable else rnds.NOT_ON_PEC)
        pec_only.display = not view.writable
        key = view.counter_key or "a contra-chave desta instalação está na tela Gestão municipal do PEC"
        self.query_one("#rnds-contrachave", Static).update(Text(key))
        self.query_one("#rnds-copy", Button).disabled = view.counter_key is None
        select = self.query_one("#rnds-certificado", Select)
        select.set_options([(name, name) for name in view.certificates])
        if status.enabled and status.certificate in view.certificates:
            select.value = status.certificate
        if view.folder is None:
            select.prompt = "Sem pasta chaves: abra o console com --pec-home"
        elif not view.folder_exists:
            select.prompt = "A pasta chaves não existe (módulo Certificados)"
        elif not view.certificates:
            select.prompt = "Nenhum .pfx/.p12 na pasta chaves"
        else:
            select.prompt = "Escolha um arquivo da pasta chaves"
        self.query_one("#rnds-enable", Button).disabled = not view.writable
        self.query_one("#rnds-disable", Button).disabled = not (view.writable and status.enabled)

    @on(Button.Pressed, "#rnds-copy")
    def copy_counter_key(self) -> None:
        view = getattr(self, "view", None)
        if view is None or not view.counter_key:
            return
        self.app.copy_to_clipboard(view.counter_key)
        self.notify("Contra-chave copiada para a área de transferência do seu terminal (OSC 52).")

    @on(Button.Pressed, "#rnds-enable")
    def enable(self) -> None:
        owner = self.owner
        owner.clear_field_errors("certificado", "senha", "identificador")
        select = self.query_one("#rnds-certificado", Select)
        name = "" if select.is_blank() else str(select.value)
        folder = owner.chaves_folder or Path()
        owner.run_task(
            rnds.enable,
            owner.localidade_id,
            folder,
            name,
            self.query_one("#rnds-senha", Input).value,
            self.query_one("#rnds-identificador", Input).value,
            by_user_id=owner.user_id,
            done=self._enabled,
            failure="Não foi possível habilitar a RNDS",
            group="rnds-change",
        )

    def _enabled(self, status: rnds.RndsStatus) -> None:
        self.query_one("#rnds-senha", Input).value = ""
        self.notify(f"RNDS habilitada com o certificado {status.certificate}.")
        self.reload()

    @on(Button.Pressed, "#rnds-disable")
    def disable(self) -> None:
        question = CancelFirstConfirm(
            "Desabilitar RNDS",
            "Desabilitar o acesso do PEC à RNDS?\n\nO botão de acesso à RNDS deixa de aparecer no atendimento; "
            "o certificado continua na pasta chaves.",
            confirm_label="Desabilitar",
        )
        self.app.push_screen(question, lambda yes: yes and self._disable())

    def _disable(self) -> None:
        owner = self.owner
        owner.run_task(
            rnds.disable,
            owner.localidade_id,
            by_user_id=owner.user_id,
            done=lambda _: (self.notify("RNDS desabilitada."), self.reload()),
            failure="Não foi possível desabilitar a RNDS",
            group="rnds-change",
        )
