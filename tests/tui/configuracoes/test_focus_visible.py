"""Focus is visible without colour: NO_COLOR leaves only text styles (bold, reverse, underline)."""

from __future__ import annotations

from textual.widgets import Input, Select

from tests.support.console import INSTALLATION_ADMIN, settle


def styles_of(widget) -> list:
    return [segment.style for segment in widget.render_line(0) if segment.style is not None and segment.text.strip()]


async def test_a_focused_select_is_reversed_and_a_focused_field_underlined(console_on, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(100, 32)) as pilot:
        screen = pilot.app.screen
        await pilot.press("2")  # Segurança
        await settle(pilot)
        first, second = list(screen.query("#security-renewal, #security-inactivity").results(Select))
        first.focus()
        await settle(pilot)
        assert any(style.reverse for style in styles_of(first.query_one("SelectCurrent #label")))
        assert not any(style.reverse for style in styles_of(second.query_one("SelectCurrent #label")))
        screen.query_one("#config-tabs Tabs").focus()
        await pilot.press("3")  # Servidores
        await settle(pilot)
        host = screen.query_one("#smtp-host", Input)
        placeholder = styles_of(host)
        assert placeholder and all(style.italic for style in placeholder)  # dim italic, not a value
        host.focus()
        await settle(pilot)
        assert any(style.underline for style in styles_of(host))
