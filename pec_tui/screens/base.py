"""Shared screen chrome: the installation header, the footer, help (F1) and back (Esc).

A module screen subclasses :class:`PecScreen`, writes ``compose_body`` and a ``HELP`` text in
the manual's words, and runs database work in thread workers that only post messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from pec_tui.storage.database import current_database

if TYPE_CHECKING:
    from pec_tui.app import PecTuiApp


@contextmanager
def worker_connection() -> Iterator[None]:
    """Open this worker thread's own database connection and close it at the end
    (SQLite connections are bound to the thread that opened them)."""
    db = current_database()
    if db.is_closed():
        with db.connection_context():
            yield
    else:
        yield


class InstallationHeader(Static):
    """Two lines: installation name with its environment badge; municipality, user, database.

    A production database (neither demo nor training) is flagged in the theme's error colour.
    """

    DEFAULT_CSS = """
    InstallationHeader { height: 2; dock: top; }
    """

    def on_mount(self) -> None:
        self.refresh_from_app()

    def refresh_from_app(self) -> None:
        app = cast("PecTuiApp", self.app)
        info = app.installation
        session = app.session
        parts: list[str | tuple[str, str]] = [("pec-tui", "bold $primary")]
        if info is not None:
            parts += [" · ", (info.name, "bold $primary"), "  "]
            if info.demo:
                parts.append((" DEMONSTRAÇÃO ", "bold $background on $warning"))
            elif info.training:
                parts.append((" TREINAMENTO ", "bold $background on $warning"))
            else:
                parts.append((" PRODUÇÃO ", "bold $text on $error"))
        context = [info.municipalities_label] if info is not None else []
        context += [session.name if session else "não autenticado", app.opened.target.short]
        parts += ["\n", (" · ".join(context), "$text-muted")]
        self.update(Content.assemble(*parts))


class PecScreen(Screen):
    """Base of every screen: header on top, body in the middle, footer at the bottom."""

    HELP: str = ""
    TITLE_TEXT: str = ""

    BINDINGS = [
        Binding("escape", "back", "Voltar", id="screen.back"),
        Binding("f1", "help", "Ajuda", id="screen.help"),
    ]

    @property
    def pec_app(self) -> PecTuiApp:
        return cast("PecTuiApp", self.app)

    def compose(self) -> ComposeResult:
        yield InstallationHeader()
        if self.TITLE_TEXT:
            yield Static(self.TITLE_TEXT, classes="screen-title")
        yield from self.compose_body()
        yield Footer(show_command_palette=False)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        # Textual calls this as well as a subclass's own on_mount.
        if not self.pec_app.cursor_blink:
            for field in self.query(Input):
                field.cursor_blink = False

    def refresh_header(self) -> None:
        for header in self.query(InstallationHeader):
            header.refresh_from_app()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_help(self) -> None:
        from pec_tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
