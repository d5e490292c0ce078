"""The honest screen of a module that is not built yet."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from pec_tui.modules import Module
from pec_tui.screens.base import PecScreen


class UnderConstructionScreen(PecScreen):
    def __init__(self, module: Module) -> None:
        super().__init__(name=module.key)
        self.module = module
        self.HELP = (
            f"{module.title} (manual, seção {module.manual_section}).\n\n{module.summary}\n\n"
            "Este módulo ainda está em construção no pec-tui; enquanto isso, use a página web do PEC."
        )

    def compose_body(self) -> ComposeResult:
        with Vertical(id="placeholder"):
            yield Static(self.module.title, id="placeholder-title")
            yield Static(
                f"[b]Em construção.[/b] O módulo {self.module.title} (seção {self.module.manual_section} "
                f"do manual) ainda não existe no pec-tui.",
                id="placeholder-text",
            )
            yield Static(self.module.summary, classes="muted")
            yield Static("Enquanto isso, use a página web do PEC. Esc volta ao início.", classes="muted")
