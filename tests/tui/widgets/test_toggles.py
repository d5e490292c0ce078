"""Checkbox and selection list show their state in the glyph (X only when checked), so it reads
under NO_COLOR too, where Textual's own draw ▐X▌ in both states."""

from __future__ import annotations

from textual.app import App, ComposeResult

from pec_tui.widgets.toggles import Checkbox, SelectionList


class TogglesApp(App):
    def compose(self) -> ComposeResult:
        yield Checkbox("Marcada", value=True, id="on")
        yield Checkbox("Desmarcada", id="off")
        yield SelectionList[int](("Hemograma", 1, True), ("Glicemia", 2), id="exames")


async def test_the_glyph_says_whether_a_box_is_checked():
    app = TogglesApp()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        on, off = app.query_one("#on", Checkbox), app.query_one("#off", Checkbox)
        assert str(on.render()).startswith("▐X▌")
        assert str(off.render()).startswith("▐ ▌")
        off.value = True
        on.value = False
        await pilot.pause()
        assert str(off.render()).startswith("▐X▌") and str(on.render()).startswith("▐ ▌")

        listing = app.query_one("#exames", SelectionList)
        lines = [listing.render_line(0), listing.render_line(1)]
        texts = ["".join(segment.text for segment in line) for line in lines]
        assert texts[0].startswith("▐X▌ Hemograma") and texts[1].startswith("▐ ▌ Glicemia")
        listing.select(2)
        await pilot.pause()
        assert "".join(segment.text for segment in listing.render_line(1)).startswith("▐X▌ Glicemia")
