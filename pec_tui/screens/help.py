"""F1: what this screen is for, in the manual's words, and every key it answers to."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Fechar", id="help.close"),
    ]

    def __init__(self, target: Screen) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        help_text = getattr(self.target, "HELP", "") or "Sem ajuda para esta tela."
        keys = []
        seen = set()
        for active in self.target.active_bindings.values():
            binding = active.binding
            # pec-tui's own keys (each has an id, lists' too); Textual's built-in keys are implied.
            if not binding.id or not binding.description:
                continue
            shown = self.app.get_key_display(binding)
            if (binding.description, shown) in seen:
                continue
            seen.add((binding.description, shown))
            keys.append(f"  [b]{shown:<12}[/b] {binding.tooltip or binding.description}")
        with VerticalScroll(id="help-dialog"):
            yield Static("Ajuda", classes="dialog-title")
            yield Static(help_text, id="help-text")
            yield Static("Teclas", classes="dialog-subtitle")
            keys.append("  [b]Tab[/b]          próximo campo · setas: listas · Enter: confirma")
            yield Static("\n".join(keys), id="help-keys")
            yield Static("Esc ou F1 fecha esta ajuda.", classes="dialog-hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
