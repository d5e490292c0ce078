"""Keys as a person (or a paste, or a script) sends them: global keys on every screen, keys sent
in one burst keep their meaning, the forced password change cannot be skipped, shortcuts never
act while the user may be typing."""

from __future__ import annotations

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import Button, Input, TabbedContent

from pec_tui import modules
from pec_tui.screens.home import HomeScreen
from pec_tui.screens.login import LoginScreen
from pec_tui.screens.password import ChangePasswordScreen
from pec_tui.widgets.dialogs import ConfirmDialog
from tests.support.console import FIRST_ACCESS, INSTALLATION_ADMIN, MUNICIPAL_ADMIN, login, settle

KEY_CHARACTERS = {"tab": "\t", "enter": "\r"}


def burst(app, *keys: str) -> None:
    """Every key posted at once, as one read from the terminal brings them (no pause between)."""
    for key in keys:
        character = KEY_CHARACTERS.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


async def test_keys_sent_in_one_burst_log_in(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        cpf, password = INSTALLATION_ADMIN
        burst(app, *cpf, "tab", *password, "enter")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen), app.screen
        assert app.session is not None and app.session.login == cpf


async def test_keys_sent_in_one_burst_fill_each_field(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        burst(app, *"52998224725", "tab", *"abc123")
        await settle(pilot)
        assert app.screen.query_one("#login-cpf", Input).value == "52998224725"
        assert app.screen.query_one("#login-password", Input).value == "abc123"


async def test_keys_sent_in_one_burst_through_enter_between_fields(make_app):
    """Enter on a field moves on through a message (Input.Submitted): a burst waits for it."""
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, FIRST_ACCESS, f"{FIRST_ACCESS}esus")
        assert isinstance(app.screen, ChangePasswordScreen)
        burst(app, *"Nova2026x", "enter", *"Nova2026x", "enter")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen), app.screen
        assert not app.password_change_pending


MODULE_SCREENS = [module.key for module in modules.MODULES]


def account_for(key: str):
    module = modules.BY_KEY[key]
    return INSTALLATION_ADMIN if module.installation_admin or module.console else MUNICIPAL_ADMIN


@pytest.mark.parametrize("key", MODULE_SCREENS)
async def test_ctrl_l_ends_the_session_from_every_module(console_on, key):
    async with console_on(key, as_=account_for(key)) as pilot:
        footer_keys = {binding.id for binding in (b.binding for b in pilot.app.screen.active_bindings.values())}
        assert {"app.logout", "app.password"} <= footer_keys
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LoginScreen)
        assert pilot.app.session is None


@pytest.mark.parametrize("key", MODULE_SCREENS)
async def test_ctrl_t_opens_the_password_change_from_every_module(console_on, key):
    async with console_on(key, as_=account_for(key)) as pilot:
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChangePasswordScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen.name == key


async def test_digits_typed_after_logout_never_change_a_setting(console_on):
    from pec_tui.domain.configuracoes import avancadas

    async with console_on("configuracoes", as_=INSTALLATION_ADMIN) as pilot:
        before = avancadas.advanced()
        await pilot.press("ctrl+l")
        await settle(pilot)
        burst(pilot.app, *INSTALLATION_ADMIN[0], "enter", "tab", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LoginScreen)
        assert pilot.app.screen.query_one("#login-cpf", Input).value == INSTALLATION_ADMIN[0]
        assert avancadas.advanced() == before


async def test_digit_shortcuts_act_only_from_the_tab_bar(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN) as pilot:
        screen = pilot.app.screen
        tabs = screen.query_one("#config-tabs", TabbedContent)
        button = screen.query(Button).first()
        button.focus()
        await pilot.press("5")
        await settle(pilot)
        assert tabs.active == "tab-conexao"
        screen.query_one("#config-tabs Tabs").focus()
        await pilot.press("5")
        await settle(pilot)
        assert tabs.active == "tab-avancadas"


async def test_forced_change_cannot_be_skipped(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, FIRST_ACCESS, f"{FIRST_ACCESS}esus")
        assert isinstance(app.screen, ChangePasswordScreen)
        assert app.check_action("command_palette", ()) is False
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        await pilot.press("ctrl+t")
        app.open_module("cnes")
        from pec_tui import messages

        app.post_message(messages.ShowHome())
        app.post_message(messages.OpenModule("cbo"))
        await settle(pilot)
        assert isinstance(app.screen, ChangePasswordScreen)
        assert len(app.screen_stack) == 2
        # leaving is allowed
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)


async def test_after_the_forced_change_the_modules_open(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, FIRST_ACCESS, f"{FIRST_ACCESS}esus")
        screen = app.screen
        screen.query_one("#password-new", Input).value = "nova1234"
        screen.query_one("#password-confirm", Input).value = "nova1234"
        screen.query_one("#password-confirm", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.check_action("command_palette", ()) is True


async def test_every_confirmation_starts_on_cancelar(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        answers = []
        app.push_screen(ConfirmDialog("Redefinir", "Tem certeza?", confirm_label="Redefinir"), answers.append)
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "confirm-no"
        await pilot.press("enter")
        await settle(pilot)
        assert answers == [False]
