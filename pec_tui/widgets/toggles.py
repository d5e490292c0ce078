"""Checkbox and selection list that say their state in the glyph, not only in colour.

Textual draws ``▐X▌`` for a checked and an unchecked box alike and tells them apart by colour, so
under ``NO_COLOR`` (or on a monochrome terminal) every box reads as checked. These draw the ``X``
only when checked (``▐ ▌`` otherwise); everything else is Textual's.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.widgets import Checkbox as _Checkbox
from textual.widgets import SelectionList as _SelectionList
from textual.widgets._selection_list import SelectionType
from textual.widgets._toggle_button import ToggleButton

EMPTY = " "


class Checkbox(_Checkbox):
    @property
    def _button(self) -> Content:
        # Textual's ToggleButton._button, with the inner glyph blank while unchecked.
        button_style = self.get_visual_style("toggle--button")
        side_style = Style(foreground=button_style.background, background=self.background_colors[1])
        inner = self.BUTTON_INNER if self.value else EMPTY * len(self.BUTTON_INNER)
        return Content.assemble((self.BUTTON_LEFT, side_style), (inner, button_style), (self.BUTTON_RIGHT, side_style))


class SelectionList(_SelectionList[SelectionType]):
    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        index = self.scroll_offset.y + y
        if index >= self.option_count or self.get_option_at_index(index).value in self._selected:
            return line
        segments = list(line)
        # The button is the first three segments (BUTTON_LEFT, BUTTON_INNER, BUTTON_RIGHT).
        if len(segments) < 3 or segments[1].text != ToggleButton.BUTTON_INNER:
            return line
        text, style, control = segments[1]
        segments[1] = Segment(EMPTY * len(text), style, control)
        return Strip(segments, line.cell_length)
