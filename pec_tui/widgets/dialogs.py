"""Dialogs shared by the module screens: a confirmation (Confirmar / Cancelar), one record in full,
a file path asked for."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True (confirmed) or False (Esc, Cancelar).

    Focus starts on «Cancelar»: what these dialogs confirm cannot be undone, so a stray Enter
    (or two) must never do it; the arrows reach the confirming button."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancelar", id="confirm.cancel"),
        Binding("left,right", "switch_button", "Trocar botão", id="confirm.switch", show=False),
    ]

    def __init__(
        self, title: str, message: str, *, confirm_label: str = "Confirmar", cancel_label: str = "Cancelar"
    ) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.confirm_label = confirm_label
        self.cancel_label = cancel_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.message, classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.confirm_label, variant="primary", id="confirm-yes")
                yield Button(self.cancel_label, id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_switch_button(self) -> None:
        yes = self.query_one("#confirm-yes", Button)
        (self.query_one("#confirm-no", Button) if yes.has_focus else yes).focus()


class RecordDialog(ModalScreen[None]):
    """One record in full: each field on its own line(s), never cut (a list's cells may be).

    Enter or Esc closes it. Used where a list truncates what the administrator needs to read whole
    (the CNES report's "Não importados": key, name, reason, line)."""

    BINDINGS = [
        Binding("escape,enter", "close", "Fechar", id="record.close"),
    ]

    def __init__(self, title: str, fields: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields

    def compose(self) -> ComposeResult:
        from rich.text import Text
        from textual.containers import VerticalScroll

        with VerticalScroll(classes="dialog record-dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            for label, value in self.fields:
                yield Static(label, classes="field-label record-label")
                yield Static(Text(value or "—"), classes="record-value")
            yield Static("Enter ou Esc fecha.", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class PathDialog(ModalScreen[str | None]):
    """Asks for a file path (pre-filled); Enter confirms, Esc cancels. Nothing is kept."""

    BINDINGS = [Binding("escape", "cancel", "Cancelar", id="path.cancel")]

    def __init__(
        self, title: str, default: str, *, hint: str = "Enter grava · Esc cancela", label: str = "Arquivo"
    ) -> None:
        super().__init__()
        self.title_text = title
        self.default = default
        self.hint = hint
        self.label = label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog path-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            field = Input(self.default, id="path-input")
            field.border_title = self.label
            yield field
            yield Static(self.hint, classes="dialog-hint")

    def on_mount(self) -> None:
        # As PecScreen does for its fields: no blinking cursor when the app asks (snapshot tests),
        # or the snapshot depends on when it was taken.
        if not getattr(self.app, "cursor_blink", True):
            self.query_one("#path-input", Input).cursor_blink = False

    @on(Input.Submitted, "#path-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
