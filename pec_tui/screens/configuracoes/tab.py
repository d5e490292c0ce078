"""What the five tabs of Configurações share: the tab base and the lines a tab is made of.

A tab is a widget, not a screen: it composes its fields and handles its own buttons, and its
database and network work goes through the screen's one worker path (:meth:`ConfigTab.change`,
which is the screen's ``run_task``), so a refusal lands on the field's error line declared in the
tab's ``FIELDS`` (the screen gathers them) or in a notice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

from pec_tui.screens.base import Field, TaskRunner
from pec_tui.widgets.dialogs import ConfirmDialog

if TYPE_CHECKING:
    from pec_tui.app import PecTuiApp

#: How an unexpected failure of a change starts its sentence.
SAVE_FAILURE = "Não foi possível salvar"


class ConfigTab(Widget):
    """Base of a tab, listed after its container: ``class ConexaoTab(VerticalScroll, ConfigTab)``
    (Textual takes a widget's default CSS and type names through its first base only)."""

    #: The tab's title, in the manual's words, and its pane's id (keys 1-5 name the panes).
    TITLE: ClassVar[str] = ""
    PANE: ClassVar[str] = ""
    #: Form fields by the name a domain ``ValidationError`` gives: the input and its error line.
    FIELDS: ClassVar[dict[str, Field]] = {}
    #: F2 ("Salvar") saves this tab.
    SAVES: ClassVar[bool] = False

    @property
    def runner(self) -> TaskRunner:
        """The screen: its worker path and its form errors."""
        return cast(TaskRunner, self.screen)

    @property
    def pec_app(self) -> PecTuiApp:
        return self.runner.pec_app

    @property
    def user_id(self) -> int | None:
        return self.runner.user_id

    def change(
        self,
        task: Callable[..., Any],
        *args: Any,
        done: Callable[[Any], None],
        notice: str = "",
        group: str = "config-change",
        failed: Callable[[BaseException], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        """Run ``task(*args, **kwargs)`` on the screen's worker path; its result goes to ``done``,
        then ``notice`` (if any) is shown."""

        def finished(result: Any) -> None:
            done(result)
            if notice:
                self.notify(notice)

        self.runner.run_task(task, *args, done=finished, failure=SAVE_FAILURE, group=group, failed=failed, **kwargs)

    def save(self) -> None:
        """F2 on a tab that ``SAVES``."""

    def confirm(self, title: str, question: str, confirm_label: str, then: Callable[[], object]) -> None:
        """Ask first (:class:`ConfirmDialog`); ``then()`` only when confirmed."""
        self.app.push_screen(ConfirmDialog(title, question, confirm_label=confirm_label), lambda yes: yes and then())


class ErrorLine(Static):
    """A field's error line: hidden while empty, shown (and scrolled into view) with a message.

    The screen's ``show_field_error`` and ``clear_field_errors`` fill and empty it."""

    def __init__(self, widget_id: str) -> None:
        super().__init__("", id=widget_id, classes="field-error config-error")
        self.display = False

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(Text(content) if isinstance(content, str) else content, layout=layout)
        self.display = bool(content)
        if content:
            self.scroll_visible()


class ResultLine(Static):
    """The outcome of a test (internet, SMTP): neutral, ``-ok`` or ``-error``."""

    def __init__(self, widget_id: str) -> None:
        super().__init__("", id=widget_id, classes="config-result")

    def show(self, text: str, ok: bool | None) -> None:
        self.update(Text(text))
        self.set_class(ok is True, "-ok")
        self.set_class(ok is False, "-error")


def field_row(label: str, *widgets: Widget, classes: str = "") -> Horizontal:
    """A label on the left and its field(s) on the right, one line."""
    return Horizontal(Static(label, classes="config-label"), *widgets, classes=f"config-row {classes}".strip())
