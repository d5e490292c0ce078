"""Usuários bloqueados (Diagnóstico, U; the palette): the installation administrator unblocks an
account with the manual's rule (3.5.2), after a confirmation that starts on «Cancelar»."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from pec_tui.domain import accounts
from pec_tui.domain.audit import EventType
from pec_tui.screens.blocked_users import BlockedUsersDialog
from pec_tui.storage.models import AuditEvent, User
from pec_tui.widgets.dialogs import ConfirmDialog
from tests.support.console import BLOCKED, INSTALLATION_ADMIN, MUNICIPAL_ADMIN, settle, wait_until


async def test_the_demos_blocked_user_is_unblocked_from_diagnostico(console_on):
    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, BlockedUsersDialog)
        table = app.screen.query_one("#blocked-list", DataTable)
        assert table.row_count == 1
        assert "Carla Nunes Ferreira" in str(table.get_row_at(0)[1])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # «Cancelar» has the focus: nothing happens
        await settle(pilot)
        assert User.get(User.login == BLOCKED).blocked
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("left", "enter")  # «Desbloquear e redefinir senha»
        await settle(pilot)
        assert isinstance(app.screen, BlockedUsersDialog)
        await wait_until(
            pilot, lambda: "Nenhum usuário bloqueado" in str(app.screen.query_one("#blocked-status", Static).render())
        )
        user = User.get(User.login == BLOCKED)
        assert (user.blocked, user.failed_attempts, user.password_hash, user.must_change_password) == (
            False,
            0,
            None,
            True,
        )
        event = AuditEvent.select().where(AuditEvent.event_type == EventType.ACCOUNT_UNBLOCKED.value).get()
        assert event.user_id == app.session.user_id
        assert any("desbloqueada" in n.message for n in app._notifications)
        assert accounts.blocked_users() == []
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.name == "diagnostico"


async def test_palette_offers_blocked_users_to_the_installation_admin_only(console_on):
    from pec_tui.commands import ModulesProvider

    async with console_on(as_=MUNICIPAL_ADMIN) as pilot:
        titles = [title for title, _, _ in ModulesProvider(pilot.app.screen)._commands()]
        assert "Usuários bloqueados" not in titles
        from pec_tui.messages import ShowBlockedUsers

        pilot.app.post_message(ShowBlockedUsers())
        await settle(pilot)
        assert not isinstance(pilot.app.screen, BlockedUsersDialog)
