"""Gestão municipal changes tab from the keyboard the one way (PecScreen.TABBED): Esc in a field goes
to the tab bar, 1-4 there change tab, a field keeps its digits, Esc on the bar leaves the module."""

from __future__ import annotations

from textual.widgets import Input, TabbedContent, Tabs

from tests.support.console import MUNICIPAL_ADMIN, settle


async def test_escape_goes_to_the_tab_bar_where_digits_change_tab(console_on):
    async with console_on("gestao_municipal", as_=MUNICIPAL_ADMIN, size=(100, 40)) as pilot:
        app, screen = pilot.app, pilot.app.screen
        tabs = screen.query_one("#gestao-tabs", TabbedContent)
        start = screen.query_one("#agenda-1-1-inicio", Input)
        start.focus()
        await pilot.press("0", "8")
        assert start.value == "08" and tabs.active == "agenda"  # the field keeps its digits

        await pilot.press("escape")
        assert isinstance(screen.focused, Tabs) and app.screen is screen
        await pilot.press("3")
        await settle(pilot)
        assert tabs.active == "tipos"
        await pilot.press("4")
        await settle(pilot)
        assert tabs.active == "rnds"
        await pilot.press("9")  # no ninth tab: nothing changes
        assert tabs.active == "rnds"

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen
