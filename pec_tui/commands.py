"""Command palette (Ctrl+P): every module and action the logged user may reach.

Choosing one posts the same message a screen would (:mod:`pec_tui.messages`); the app acts on it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message

from pec_tui import messages, modules

if TYPE_CHECKING:
    from pec_tui.app import PecTuiApp


class ModulesProvider(Provider):
    """Modules of the home, and the session's actions."""

    def _send(self, message: Callable[[], Message]) -> Callable[[], None]:
        """A command that posts a new ``message()`` to the app when chosen."""

        def command() -> None:
            self.app.post_message(message())

        return command

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        session = cast("PecTuiApp", self.app).session
        if session is None:
            return []
        found = [
            (f"Abrir {module.title}", module.summary, self._send(partial(messages.OpenModule, module.key)))
            for module in modules.allowed(session)
        ]
        if session.installation_admin:
            found.append(
                (
                    "Usuários bloqueados",
                    "Lista as contas bloqueadas; desbloqueia e redefine a senha (manual 3.5.2).",
                    self._send(messages.ShowBlockedUsers),
                )
            )
        found += [
            ("Início", "Volta à lista de módulos.", self._send(messages.ShowHome)),
            ("Alterar senha", "Troca a sua senha (vale para o PEC também).", self._send(messages.ChangePassword)),
            ("Encerrar sessão", "Volta à tela de acesso (Ctrl+L).", self._send(messages.Logout)),
            ("Sair do pec-tui", "Fecha o console (Ctrl+Q).", self.app.exit),
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
