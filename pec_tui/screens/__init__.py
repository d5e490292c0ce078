"""Textual screens, one module per administration module of chapter 3.

``MODULE_SCREENS`` maps a module key (see :mod:`pec_tui.modules`) to the function that builds
its screen; a module without an entry opens the "em construção" screen.
"""

from __future__ import annotations

from typing import Callable

from textual.screen import Screen

MODULE_SCREENS: dict[str, Callable[[], Screen]] = {}
