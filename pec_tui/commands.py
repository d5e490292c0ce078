"""Command palette (Ctrl+P): every module and action the logged user may reach."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from pec_tui import modules

if TYPE_CHECKING:
    from pec_tui.app import PecTuiApp


class ModulesProvider(Provider):
    """Modules of the home, and the session's actions."""

    def _commands(self) -> list[tuple[str, str, object]]:
        app = cast("PecTuiApp", self.app)
        session = app.session
        if session is None:
            return []
        found: list[tuple[str, str, object]] = [
            (f"Abrir {module.title}", module.summary, partial(app.open_module, module.key))
            for module in modules.allowed(session)
        ]
        found += [
            ("Início", "Volta à lista de módulos.", app.show_home),
            ("Alterar senha", "Troca a sua senha (vale para o PEC também).", app.action_change_password),
            ("Encerrar sessão", "Volta à tela de acesso.", app.logout),
        ]
        return found

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
