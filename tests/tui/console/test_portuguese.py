"""No English reaches the user from Textual: footers, the palette's "no matches", Ctrl+C's hint."""

from __future__ import annotations

import re

import pytest
from textual.command import CommandList
from textual.widgets import Select

from pec_tui import modules
from pec_tui.widgets.portuguese import PecCommandPalette
from tests.support.console import INSTALLATION_ADMIN, MUNICIPAL_ADMIN, settle, wait_until

ENGLISH = re.compile(
    r"\b(dismiss|menu|exit|close|show|hide|toggle|press|search|command|palette|quit|next|previous|open|link|"
    r"copy|focus|matches|found|cursor|page|top|bottom|the)\b",
    re.IGNORECASE,
)


def shown_descriptions(app) -> list[str]:
    return [active.binding.description for active in app.screen.active_bindings.values() if active.binding.show]


@pytest.mark.parametrize("key", [module.key for module in modules.MODULES])
async def test_no_english_in_any_footer(console_on, key):
    module = modules.BY_KEY[key]
    account = INSTALLATION_ADMIN if module.installation_admin or module.console else MUNICIPAL_ADMIN
    async with console_on(key, as_=account) as pilot:
        english = [d for d in shown_descriptions(pilot.app) if ENGLISH.search(d)]
        assert english == []


async def test_an_open_select_says_fechar_a_lista(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(120, 40)) as pilot:
        app = pilot.app
        select = app.screen.query(Select).first()
        select.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert select.expanded
        descriptions = shown_descriptions(app)
        assert "Fechar a lista" in descriptions
        assert not [d for d in descriptions if ENGLISH.search(d)], descriptions


async def test_palette_says_nothing_found_in_portuguese(console_on):
    async with console_on(as_=INSTALLATION_ADMIN) as pilot:
        app = pilot.app
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, PecCommandPalette)
        await pilot.press(*"xyzzy")
        commands = app.screen.query_one(CommandList)
        await wait_until(pilot, lambda: commands.option_count == 1)
        text = str(commands.get_option_at_index(0).prompt.renderable)
        assert text.startswith("Nada encontrado")
        assert not [d for d in shown_descriptions(app) if ENGLISH.search(d)]


async def test_ctrl_c_hint_is_in_portuguese(console_on):
    async with console_on(as_=INSTALLATION_ADMIN, notifications=True) as pilot:
        await pilot.press("ctrl+c")
        await settle(pilot)
        messages = [n.message for n in pilot.app._notifications]
        assert any("Ctrl+Q fecha o pec-tui" in m for m in messages)
        assert not any("quit" in m.lower() for m in messages)
