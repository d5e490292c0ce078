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
        # The PEC's web page has the manual's modules; the console's own have no page to point to.
        self.meanwhile = (
            "use a página web do PEC."
            if not module.console
            else "use o terminal do servidor (o PEC não tem página para isso; o Diagnóstico do servidor "
            "já verifica a pasta chaves e os serviços desabilitados com prazo)."
        )
        self.HELP = (
            f"{module.title} (manual, seção {module.manual_section}).\n\n{module.summary}\n\n"
            f"Este módulo ainda está em construção no pec-tui; {self.meanwhile}"
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
            yield Static(f"Enquanto isso, {self.meanwhile} Esc volta ao início.", classes="muted")
