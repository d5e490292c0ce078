"""Every module the manual lists for each administrator opens from the home, by keyboard."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, Static, Tabs

from pec_tui import modules
from pec_tui.screens.help import HelpScreen
from pec_tui.screens.home import HomeScreen
from pec_tui.screens.placeholder import UnderConstructionScreen
from tests.support.console import INSTALLATION_ADMIN, MUNICIPAL_ADMIN, settle, wait_until


def palette_first_hit(app) -> str:
    from textual.command import CommandList

    found = app.screen.query(CommandList)
    if not found or not found.first().option_count:
        return ""
    return str(found.first().get_option_at_index(0).prompt)


INSTALLATION_MODULES = ["CNES", "Configurações da instalação", "Profissionais", "Relatórios", "Transmissão de dados"]
MUNICIPAL_MODULES = [
    "Auditoria",
    "CBO",
    "CNES",
    "Gestão municipal",
    "Importar cidadão",
    "Perfis",
    "Profissionais",
    "Transmissão de dados",
    "Unidades de saúde",
]


def home_titles(app) -> list[str]:
    menu = app.screen.query_one("#home-modules", OptionList)
    return [
        str(menu.get_option_at_index(i).prompt).strip()
        for i in range(menu.option_count)
        if not menu.get_option_at_index(i).disabled
    ]


@pytest.mark.parametrize(
    ("account", "expected"),
    [(INSTALLATION_ADMIN, INSTALLATION_MODULES), (MUNICIPAL_ADMIN, MUNICIPAL_MODULES)],
    ids=["administrador-da-instalacao", "administrador-municipal"],
)
async def test_home_lists_the_modules_of_the_profile(console_on, account, expected):
    async with console_on(as_=account) as pilot:
        app = pilot.app
        titles = home_titles(app)
        assert titles[: len(expected)] == expected
        other = MUNICIPAL_MODULES if account == INSTALLATION_ADMIN else INSTALLATION_MODULES
        assert not (set(other) - set(expected)) & set(titles)


@pytest.mark.parametrize("account", [INSTALLATION_ADMIN, MUNICIPAL_ADMIN], ids=["instalacao", "municipal"])
async def test_every_module_opens_by_keyboard_and_escape_returns(console_on, account):
    async with console_on(as_=account, size=(80, 24)) as pilot:
        app = pilot.app
        allowed = modules.allowed(app.session)
        menu = app.screen.query_one("#home-modules", OptionList)
        for module in allowed:
            index = next(i for i in range(menu.option_count) if menu.get_option_at_index(i).id == module.key)
            menu.highlighted = index
            await pilot.press("enter")
            await settle(pilot)
            screen = app.screen
            assert screen.name == module.key
            if isinstance(screen, UnderConstructionScreen):
                text = str(screen.query_one("#placeholder-text", Static).render())
                assert module.title in text and "Em construção" in text
            await pilot.press("escape")
            await settle(pilot)
            if screen.TABBED is not None and app.screen is screen:
                # A screen with tabs: Esc in a field or table goes to the tab bar first.
                assert isinstance(app.focused, Tabs)
                await pilot.press("escape")
                await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
            menu = app.screen.query_one("#home-modules", OptionList)


async def test_palette_jumps_to_a_module(console_on):
    async with console_on(as_=MUNICIPAL_ADMIN) as pilot:
        app = pilot.app
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"unidades")
        await wait_until(pilot, lambda: "Unidades de saúde" in palette_first_hit(app))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.name == "unidades_saude"  # every module screen is named by its key


async def test_palette_offers_only_allowed_modules(console_on):
    from pec_tui.commands import ModulesProvider

    async with console_on(as_=INSTALLATION_ADMIN) as pilot:
        app = pilot.app
        titles = [title for title, _, _ in ModulesProvider(app.screen)._commands()]
        assert "Abrir Configurações da instalação" in titles
        assert "Abrir Perfis" not in titles  # a municipal module
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"perfis", "escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_module_outside_the_profile_is_refused(console_on):
    async with console_on(as_=INSTALLATION_ADMIN) as pilot:
        app = pilot.app
        app.open_module("auditoria")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_f1_shows_help_with_the_keys_of_the_screen(console_on):
    async with console_on(as_=INSTALLATION_ADMIN) as pilot:
        app = pilot.app
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys", Static).render())
        assert "Encerrar sessão" in keys and "Alterar senha" in keys
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_keymap_file_remaps_a_binding(console_on, tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('"home.logout" = "ctrl+o"\n', encoding="utf-8")
    async with console_on(as_=INSTALLATION_ADMIN, keymap_path=path) as pilot:
        app = pilot.app
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.session is None


async def test_broken_keymap_file_is_reported_not_fatal(make_app, tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('"home.logout" = \n', encoding="utf-8")
    app = make_app(keymap_path=path)
    async with app.run_test(notifications=True) as pilot:
        await settle(pilot)
        assert any("foi ignorado" in n.message for n in app._notifications)


async def test_an_unknown_id_in_the_keymap_file_is_warned(make_app, tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('"app.logout" = "ctrl+o"\n"home.sair" = "ctrl+k"\n', encoding="utf-8")
    app = make_app(keymap_path=path)
    async with app.run_test(notifications=True) as pilot:
        await settle(pilot)
        warnings = [n.message for n in app._notifications]
        assert any("home.sair não é o id de nenhuma tecla" in m for m in warnings), warnings
        assert not any("app.logout" in m for m in warnings)


async def test_palette_finds_sair(console_on):
    from pec_tui.commands import ModulesProvider

    async with console_on(as_=MUNICIPAL_ADMIN) as pilot:
        provider = ModulesProvider(pilot.app.screen)
        matcher = provider.matcher("sair")
        assert [title for title, _, _ in provider._commands() if matcher.match(title) > 0] == ["Sair do pec-tui"]


async def test_console_modules_say_where_they_come_from(console_on):
    from textual.widgets import OptionList, Static

    from pec_tui.screens.placeholder import UnderConstructionScreen

    async with console_on(as_=INSTALLATION_ADMIN, size=(120, 40)) as pilot:
        app = pilot.app
        menu = app.screen.query_one("#home-modules", OptionList)
        menu.highlighted = next(i for i in range(menu.option_count) if menu.get_option_at_index(i).id == "log")
        await settle(pilot)
        title = str(app.screen.query_one("#home-module-title", Static).render())
        assert "seção —" not in title and "fora do manual" in title
        # Every console module has its screen now: none opens the "em construção" placeholder.
        for key in ("diagnostico", "log", "certificados", "tarefas"):
            app.open_module(key)
            await settle(pilot)
            assert not isinstance(app.screen, UnderConstructionScreen), key
            await pilot.press("escape")
            await settle(pilot)
