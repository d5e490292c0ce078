"""Usuários bloqueados: the accounts blocked by failed logins, and "Desbloquear e redefinir senha"
(manual 3.5.2) for the installation administrator, until the Profissionais module brings it to
each professional's row. Reached from Diagnóstico (U) and the palette; ``pec-tui users unlock``
does the same on the host."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Static

from pec_tui.domain import accounts
from pec_tui.screens.base import PecModal
from pec_tui.widgets.dialogs import ConfirmDialog

FAILURE = "Não foi possível desbloquear a conta"


class BlockedUsersDialog(PecModal[None]):
    BINDINGS = [
        Binding("escape", "close", "Fechar", id="blocked.close"),
        Binding("enter", "unblock", "Desbloquear e redefinir senha", id="blocked.unblock", show=False),
    ]

    HELP = (
        "Usuários bloqueados: contas bloqueadas por excesso de tentativas de login sem sucesso. "
        '"Desbloquear e redefinir senha" (Enter) libera a conta e redefine a senha para o número do '
        "CNS do profissional acrescido da palavra esus (o CPF seguido de esus, sem CNS); no primeiro "
        "acesso o sistema pede uma nova senha. Cada desbloqueio fica na auditoria."
    )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog blocked-dialog"):
            yield Static("Usuários bloqueados", classes="dialog-title")
            yield Static("Carregando…", id="blocked-status", classes="dialog-message")
            table: DataTable = DataTable(cursor_type="row", id="blocked-list")
            table.add_column("CPF", key="cpf", width=14)
            table.add_column("Nome", key="name", width=36)
            table.add_column("Tentativas", key="attempts", width=10)
            yield table
            yield Static(
                "Enter desbloqueia e redefine a senha (CNS ou CPF seguido de esus, trocada no primeiro acesso).",
                classes="dialog-hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Desbloquear e redefinir senha", variant="primary", id="blocked-unblock", disabled=True)
                yield Button("Fechar", id="blocked-close")

    def on_mount(self) -> None:
        self.query_one("#blocked-list", DataTable).focus()
        self.reload()

    def reload(self) -> None:
        self.run_task(
            accounts.blocked_users, done=self._show, failure="Não foi possível ler os usuários", group="blocked"
        )

    def _show(self, users: list[accounts.BlockedUser]) -> None:
        table = self.query_one("#blocked-list", DataTable)
        table.clear()
        for user in users:
            table.add_row(user.cpf, Text(user.name), str(user.failed_attempts), key=user.login)
        count = len(users)
        status = self.query_one("#blocked-status", Static)
        if not count:
            status.update("Nenhum usuário bloqueado.")
        else:
            status.update(f"{count} {'conta bloqueada' if count == 1 else 'contas bloqueadas'}.")
        self.query_one("#blocked-unblock", Button).disabled = not count

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#blocked-close")
    def _close(self) -> None:
        self.dismiss(None)

    @on(DataTable.RowSelected, "#blocked-list")
    @on(Button.Pressed, "#blocked-unblock")
    def action_unblock(self) -> None:
        table = self.query_one("#blocked-list", DataTable)
        if not table.row_count:
            return
        login = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        cpf, name = (str(cell) for cell in table.get_row(login)[:2])
        question = ConfirmDialog(
            "Desbloquear e redefinir senha",
            f"Desbloquear a conta de {name} ({cpf}) e redefinir a senha?\n\n"
            "A senha volta a ser o número do CNS seguido de esus (ou o CPF seguido de esus, sem CNS); "
            "no primeiro acesso o sistema pede uma nova.",
            confirm_label="Desbloquear e redefinir senha",
        )
        self.app.push_screen(question, lambda yes: yes and self._unblock(login or ""))

    def _unblock(self, login: str) -> None:
        self.run_task(
            accounts.unblock, login, by_user_id=self.user_id, done=self._unblocked, failure=FAILURE, group="unblock"
        )

    def _unblocked(self, done: accounts.Unblocked) -> None:
        self.notify(
            f"Conta de {done.name} desbloqueada. No próximo acesso, a senha é {done.first_password}.",
            title="Usuários bloqueados",
            timeout=10,
        )
        self.reload()
