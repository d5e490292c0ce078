"""Textual's own words, in Portuguese: what its widgets put in the footer, the palette's
"No matches found", Ctrl+C's hint. The console uses :class:`PecCommandPalette` and calls
:func:`translate_textual` once, before the first screen (``tests/tui/console/test_portuguese.py``
looks for English in every footer and in the palette)."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from rich.align import Align
from rich.text import Text
from textual.binding import Binding, BindingsMap
from textual.command import CommandList, CommandPalette
from textual.dom import DOMNode
from textual.widgets.option_list import Option

#: Descriptions of Textual's bindings, by the English text, for the widgets the console uses.
BINDING_DESCRIPTIONS: Final[dict[str, str]] = {
    "Dismiss menu": "Fechar a lista",
    "Show menu": "Abrir a lista",
    "Exit the command palette": "Fechar a busca",
    "Focus Next": "Próximo campo",
    "Focus Previous": "Campo anterior",
    "Copy selected text": "Copiar o texto selecionado",
    "Press button": "Acionar o botão",
    "Toggle": "Marcar ou desmarcar",
}


def _translated(cls: type[DOMNode]) -> None:
    """Rebuild ``cls``'s merged bindings with Portuguese descriptions (Textual merges a class's
    bindings once, when the class is created)."""
    merged = cls._merged_bindings
    if merged is None:
        return
    keys: dict[str, list[Binding]] = {}
    for key, bindings in merged.key_to_bindings.items():
        keys[key] = [
            replace(binding, description=BINDING_DESCRIPTIONS.get(binding.description, binding.description))
            for binding in bindings
        ]
    cls._merged_bindings = BindingsMap.from_keys(keys)


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


def translate_textual() -> None:
    """Every Textual class loaded so far, and those loaded later through the screens, speak
    Portuguese in the footer. Idempotent; cheap (a few hundred classes)."""
    from textual.widgets import _select  # noqa: F401  (the Select overlay's "Dismiss menu")

    for cls in [DOMNode, *_all_subclasses(DOMNode)]:
        if cls.__module__.startswith("textual."):
            _translated(cls)


class PecCommandPalette(CommandPalette):
    """Textual's palette with Portuguese words: "Nada encontrado" instead of "No matches found"."""

    BINDINGS = [Binding("escape", "escape", "Fechar a busca")]

    NO_MATCHES_TEXT = "Nada encontrado. Tente outra palavra (por exemplo: CBO, senha, sair)."

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's method with its sentence in Portuguese (textual==8.2.8, pinned; covered by a test).
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(self.NO_MATCHES_TEXT, style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
