"""Login as a person does it: CPF, password, Enter. Blocking, forced change, inactivity lock."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from pec_tui.screens.base import InstallationHeader
from pec_tui.screens.home import HomeScreen
from pec_tui.screens.login import LoginScreen
from pec_tui.screens.password import ChangePasswordScreen
from pec_tui.storage.models import AuditEvent, User
from tests.support.console import BLOCKED, FIRST_ACCESS, INSTALLATION_ADMIN, login, settle, wait_until


def message(app) -> str:
    return str(app.screen.query_one("#login-message", Static).render())


async def test_login_success_opens_home_with_installation_modules(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, *INSTALLATION_ADMIN, typed=True)
        assert isinstance(app.screen, HomeScreen)
        assert app.session is not None and app.session.installation_admin
        header = str(app.screen.query_one(InstallationHeader).render())
        assert "Helena Martins Duarte" in header and "SQLite demo.sqlite3" in header


async def test_demo_credentials_are_shown_on_the_login_screen(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        banner = str(app.screen.query_one("#login-demo", Static).render())
        assert "529.982.247-25" in banner and "demo1234" in banner


async def test_wrong_password_is_refused_and_counted(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, INSTALLATION_ADMIN[0], "errada123")
        assert isinstance(app.screen, LoginScreen)
        assert "CPF ou senha incorretos" in message(app)
        assert User.get(User.login == INSTALLATION_ADMIN[0]).failed_attempts == 1
        assert app.screen.query_one("#login-password").value == ""


async def test_invalid_cpf_is_refused_without_counting(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, "52998224700", "demo1234")
        assert "inválido" in message(app)
        assert isinstance(app.screen, LoginScreen)


async def test_account_blocks_after_maximum_attempts_and_stays_blocked(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        for _ in range(5):
            await login(pilot, INSTALLATION_ADMIN[0], "errada123")
        assert "bloqueada" in message(app)
        assert User.get(User.login == INSTALLATION_ADMIN[0]).blocked
        await login(pilot, *INSTALLATION_ADMIN)  # the right password no longer opens it
        assert isinstance(app.screen, LoginScreen)
        assert "bloqueada" in message(app)
        assert AuditEvent.select().where(AuditEvent.event_type == "BLOQUEIO_CONTA_USUARIO").count() == 1


async def test_blocked_demo_user_cannot_log_in(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, BLOCKED, "Senha2024")
        assert isinstance(app.screen, LoginScreen)
        assert "bloqueada" in message(app)


async def test_first_access_forces_a_new_password_before_home(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, FIRST_ACCESS, f"{FIRST_ACCESS}esus")
        assert isinstance(app.screen, ChangePasswordScreen)
        # A weak password is refused with the rule, and nothing changes.
        await pilot.press(*"curta", "enter", *"curta", "enter")
        await settle(pilot)
        assert "mínimo 8" in str(app.screen.query_one("#password-message", Static).render())
        assert User.get(User.login == FIRST_ACCESS).password_hash is None
        app.screen.query_one("#password-new").value = ""
        app.screen.query_one("#password-confirm").value = ""
        app.screen.query_one("#password-new").focus()
        await pilot.press(*"NovaSenha2026", "enter", *"NovaSenha2026", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) or app.session.installation_admin is False
        user = User.get(User.login == FIRST_ACCESS)
        assert user.password_hash and not user.must_change_password


async def test_escape_on_forced_change_ends_the_session(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, FIRST_ACCESS, f"{FIRST_ACCESS}esus")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.session is None


async def test_session_locks_after_inactivity(make_app, tui_clock):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, *INSTALLATION_ADMIN)
        tui_clock.advance(minutes=29)
        await pilot.press("down")  # activity resets the count
        tui_clock.advance(minutes=2)
        assert app.check_inactivity() is False
        tui_clock.advance(minutes=30)
        assert app.check_inactivity() is True
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.session is None
        assert "30 minutos sem atividade" in message(app)
        ended = AuditEvent.select().where(AuditEvent.event_type == "INATIVACAO_SESSAO_USUARIO").get()
        assert "inatividade (30 min)" in ended.details


async def test_inactivity_timer_fires_by_itself(make_app, tui_clock):
    app = make_app(inactivity_check_seconds=0.01)
    async with app.run_test() as pilot:
        await login(pilot, *INSTALLATION_ADMIN)
        tui_clock.advance(minutes=31)
        await wait_until(pilot, lambda: app.session is None)


async def test_logout_returns_to_login_and_is_audited(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, *INSTALLATION_ADMIN)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert AuditEvent.select().where(AuditEvent.details == "Saída do sistema.").exists()


async def test_unexpected_error_never_shows_a_traceback(make_app, tmp_path, capsys):
    """A bug in a handler ends the console with one sentence; the traceback goes to the log."""
    app = make_app()

    def broken():
        raise RuntimeError("falha simulada")

    with pytest.raises(RuntimeError):  # run_test re-raises for the test; `pec-tui` only prints
        async with app.run_test() as pilot:
            await settle(pilot)
            app.call_later(broken)
            await pilot.pause()
    err = capsys.readouterr().err
    assert "Traceback" not in err and "falha simulada" not in err
    assert "erro inesperado no console" in err
    log = (tmp_path / "data" / "pec-tui.log").read_text(encoding="utf-8")
    assert "falha simulada" in log
