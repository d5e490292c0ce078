"""Shared screen chrome and the one worker path.

A module screen subclasses :class:`PecScreen` (a dialog that does work, :class:`PecModal`),
writes ``compose_body`` and a ``HELP`` text in the manual's words.

Database and network work goes through ``run_task`` (:class:`pec_tui.widgets.tasks.TaskOwner`,
shared with the widgets and the app): the task runs in a thread worker with its own database
connection and **returns or raises**; it never touches a widget. One handler turns the outcome
into what the user sees:

* a result → the ``done`` callback, on the UI thread;
* :class:`~pec_tui.core.errors.ValidationError` → the field's error line (``FIELDS``), or a
  notice when the field is not on this screen;
* :class:`~pec_tui.core.errors.PecError` → a notice with its sentence;
* anything else → a notice ``"<failure>: <detail>."`` — never a traceback.

A screen that must react to a failure itself (re-enable a button, show the error inline) passes
``failed``; it is called before the default handling and returns ``True`` when it handled it.
Work that reports progress while it runs (the CNES import) may post its own progress messages;
its outcome still goes through ``run_task``.

A screen reaches the app as ``self.pec_app`` and the logged user as ``self.session`` /
``self.user_id``; it asks the app for navigation (log in, open a module, início, end the
session) by posting a message of :mod:`pec_tui.messages`, never by calling the app's methods.

Stylesheets: ``app.tcss`` holds what every screen shares and is the only one parsed before the
login is drawn; a module screen names its own with ``CSS_PATH = "<module key>.tcss"``, read when
the screen is first opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen, ScreenResultType
from textual.widget import Widget
from textual.widgets import Footer, Input, Static, Tab, Tabs

from pec_tui.core.errors import ValidationError
from pec_tui.widgets.tasks import TaskOwner, failure_message, worker_connection

if TYPE_CHECKING:
    from pec_tui.app import PecTuiApp
    from pec_tui.domain.accounts import LoggedUser

__all__ = [
    "Field",
    "InstallationHeader",
    "PecModal",
    "PecScreen",
    "TaskRunner",
    "failure_message",
    "worker_connection",
]


@dataclass(frozen=True)
class Field:
    """Where a form field's error shows: the input to mark and focus, and the line that says why.

    Several fields may share one error line (a tab with one message line). ``mark=False`` for an
    input that is focused but not marked invalid (a list's search field, where the choice is made)."""

    input: str
    error: str
    mark: bool = True


class TaskRunner(Screen, TaskOwner):
    """The worker path and the form errors, shared by :class:`PecScreen` and :class:`PecModal`."""

    #: Form fields by the name a :class:`ValidationError` gives (``error.field``).
    FIELDS: ClassVar[dict[str, Field]] = {}

    @property
    def pec_app(self) -> PecTuiApp:
        return cast("PecTuiApp", self.app)

    @property
    def session(self) -> LoggedUser | None:
        """Who is logged in (``None`` on the login screen)."""
        return self.pec_app.session

    @property
    def user_id(self) -> int | None:
        """The logged user's id, for the audit trail of a change."""
        session = self.session
        return session.user_id if session is not None else None

    def on_mount(self) -> None:
        # Textual calls this as well as a subclass's own on_mount.
        if not self.pec_app.cursor_blink:  # off in snapshot tests: a blinking cursor is not reproducible
            for field in self.query(Input):
                field.cursor_blink = False

    # ------------------------------------------------------------------ failures

    def show_failure(self, error: BaseException, failure: str) -> None:
        """The one mapping from an error to what the user sees: a field's error first."""
        if isinstance(error, ValidationError) and self.show_field_error(error.field, error.message):
            return
        super().show_failure(error, failure)

    # ------------------------------------------------------------------ form errors

    def show_field_error(self, field: str | None, text: str) -> bool:
        """Show ``text`` on the field's error line, mark the input and focus it. False when the
        field is not on this screen (the caller then shows a notice)."""
        spec = self.FIELDS.get(field or "")
        if spec is None:
            return False
        try:
            line = self.query_one(spec.error, Static)
            target = self.query_one(spec.input, Widget)
        except NoMatches:
            return False
        line.update(text)
        if spec.mark:
            target.add_class("-invalid")
        target.focus()
        return True

    def clear_field_errors(self, *fields: str) -> None:
        """Empty the error lines (and unmark the inputs) of ``fields``, or of every field."""
        for name in fields or tuple(self.FIELDS):
            spec = self.FIELDS[name]
            for line in self.query(spec.error).results(Static):
                line.update("")
            for target in self.query(spec.input):
                target.remove_class("-invalid")

    def show_message(self, line: str, text: str, css_class: str = "", *, focus: str | None = None) -> None:
        """A screen's one message line (login, senha, CNES): ``text`` in the look of ``css_class``
        ("-error", "-notice", "-success", or none); ``focus`` names the input to fix, if on screen."""
        status = self.query_one(line, Static)
        status.set_classes(css_class)
        status.update(text)
        if focus:
            for target in self.query(focus):
                target.focus()
                break


class InstallationHeader(Static):
    """Two lines: installation name with its environment badge; municipality, user, database.

    A production database (neither demo nor training) is flagged in the theme's error colour;
    demo and training in its warning colour (amber: yellow on 16 colours, never red). The badge
    is reversed, so it stands out with ``NO_COLOR`` too.
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
                parts.append((" DEMONSTRAÇÃO ", "bold reverse $warning"))
            elif info.training:
                parts.append((" TREINAMENTO ", "bold reverse $warning"))
            else:
                parts.append((" PRODUÇÃO ", "bold reverse $error"))
        context = [info.municipalities_label] if info is not None else []
        context += [session.name if session else "não autenticado", app.opened.target.short]
        parts += ["\n", (" · ".join(context), "$text-muted")]
        self.update(Content.assemble(*parts))


class PecScreen(TaskRunner):
    """Base of every screen: header on top, body in the middle, footer at the bottom."""

    HELP: str = ""
    TITLE_TEXT: str = ""
    #: The selector of the screen's ``TabbedContent`` when its tabs change from the keyboard the
    #: one way: Esc in a field goes to the tab bar, where the arrows or 1-9 change tab (a field
    #: keeps its digits); Esc on the tab bar leaves the module.
    TABBED: ClassVar[str | None] = None

    BINDINGS = [
        Binding("escape", "back", "Voltar", id="screen.back"),
        Binding("f1", "help", "Ajuda", id="screen.help"),
        *(Binding(str(n), f"show_tab_number({n})", show=False, id=f"screen.tab_{n}") for n in range(1, 10)),
    ]

    def compose(self) -> ComposeResult:
        yield InstallationHeader()
        if self.TITLE_TEXT:
            yield Static(self.TITLE_TEXT, classes="screen-title")
        yield from self.compose_body()
        yield Footer(show_command_palette=False, compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def refresh_header(self) -> None:
        for header in self.query(InstallationHeader):
            header.refresh_from_app()

    def _tab_bar(self) -> Tabs | None:
        if self.TABBED is None:
            return None
        try:
            return self.query_one(f"{self.TABBED} > Tabs", Tabs)
        except NoMatches:
            return None

    def action_show_tab_number(self, number: int) -> None:
        bar = self._tab_bar()
        if bar is None:
            return
        tabs = bar.query(Tab)
        if number <= len(tabs):
            bar.active = tabs[number - 1].id or ""
            bar.focus()

    def action_back(self) -> None:
        bar = self._tab_bar()
        if bar is not None and self.focused is not None and self.focused is not bar:
            bar.focus()
            return
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_help(self) -> None:
        from pec_tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))


class PecModal(TaskRunner, ModalScreen[ScreenResultType]):
    """Base of a dialog that does work (saves, searches): the same worker path and form errors."""
