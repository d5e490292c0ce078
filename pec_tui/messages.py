"""What a screen (or the command palette) asks of the app: post one of these, the app handles it.

Screens post them with ``self.post_message(...)``; they bubble from the screen to the app, which
owns the session and the screen stack. Nothing here imports a screen, so the palette
(:mod:`pec_tui.commands`) and the screens speak the same words without knowing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from pec_tui.domain.accounts import LoginResult
    from pec_tui.domain.settings import SecuritySettings


@dataclass
class LoggedIn(Message):
    """The login was accepted: start the session (or force the password change first)."""

    result: LoginResult
    password: str
    security: SecuritySettings | None = None


class ShowHome(Message):
    """Back to Início, the list of modules, closing every screen above it."""


@dataclass
class OpenModule(Message):
    """Open the screen of the module ``key`` (a key of :mod:`pec_tui.modules`), when allowed."""

    key: str


class ChangePassword(Message):
    """Open Alterar senha (the change the user asks for)."""


class ShowBlockedUsers(Message):
    """Open Usuários bloqueados (installation administrator): list and unblock."""


@dataclass
class LogFileOpened(Message):
    """Log do PEC opened ``path``: the next time it opens in this session, it opens that one."""

    path: Path


class PasswordChanged(Message):
    """The session's password was changed: a forced change is done (Início opens)."""


@dataclass
class Logout(Message):
    """End the session and go back to the login screen, saying ``notice`` there."""

    notice: str = "Sessão encerrada."
