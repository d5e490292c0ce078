"""The environment badge as a 16-colour terminal (TERM=xterm) and NO_COLOR show it: red only for
PRODUÇÃO; the badge still stands out without colour."""

from __future__ import annotations

from dataclasses import replace

from rich.color import ColorSystem
from rich.style import Style

from pec_tui.screens.base import InstallationHeader
from tests.support.console import INSTALLATION_ADMIN, logged_in

RED = {1, 9}


def badge_style(app, word: str) -> Style:
    header = app.screen.query_one(InstallationHeader)
    for segment in header.render_line(0):
        if word in segment.text:
            return segment.style
    raise AssertionError(f"{word} not in the header")


def on_16_colours(style: Style) -> tuple[int | None, int | None]:
    """The colour numbers (0-15) a 16-colour terminal shows for the style's foreground and background."""

    def number(color):
        return None if color is None else color.downgrade(ColorSystem.STANDARD).number

    return number(style.color), number(style.bgcolor)


async def test_demo_badge_is_not_red_on_16_colours(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await logged_in(pilot, as_=INSTALLATION_ADMIN)
        style = badge_style(app, "DEMONSTRAÇÃO")
        colours = on_16_colours(style)
        # reversed: the amber is the badge's background on screen
        assert style.reverse and style.bold
        assert not RED & {c for c in colours if c is not None}, colours
        assert {3, 11} & set(colours), colours  # yellow


async def test_production_badge_is_red_on_16_colours(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await logged_in(pilot, as_=INSTALLATION_ADMIN)
        info = app.installation
        assert info is not None
        app.installation = replace(info, demo=False, training=False)
        app.screen.refresh_header()
        await pilot.pause()
        style = badge_style(app, "PRODUÇÃO")
        assert style.reverse
        assert RED & set(on_16_colours(style)), on_16_colours(style)


async def test_badge_stands_out_with_no_colour(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test() as pilot:
        await logged_in(pilot, as_=INSTALLATION_ADMIN)
        assert app.no_color
        style = badge_style(app, "DEMONSTRAÇÃO")
        assert style.reverse  # inverse video: a block, with or without colours
