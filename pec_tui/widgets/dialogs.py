"""Confirmation dialog shared by the module screens: a question, Confirmar / Cancelar."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


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
