"""Choosing a file by keyboard: a directory tree that shows folders and the wanted extensions."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Static


class _FilteredTree(DirectoryTree):
    def __init__(self, path: Path, suffixes: tuple[str, ...], **kwargs) -> None:
        super().__init__(path, **kwargs)
        self.suffixes = suffixes

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or path.suffix.lower() in self.suffixes:
                    yield path
            except OSError:  # unreadable entry: leave it out
                continue


class FilePicker(ModalScreen[Path | None]):
    """Dismisses with the chosen file, or None (Esc). Without a ``start``, it opens where the last
    file was chosen in this console (else the working folder): the next certificate or export is
    usually beside the previous one."""

    #: The folder of the last file chosen in any picker of this process.
    last_folder: ClassVar[Path | None] = None

    BINDINGS = [
        Binding("escape", "cancel", "Cancelar", id="picker.cancel"),
        Binding("backspace", "parent", "Pasta acima", id="picker.parent"),
    ]

    def __init__(self, title: str, start: Path | None, suffixes: tuple[str, ...]) -> None:
        super().__init__()
        self.title_text = title
        if start is None:
            start = FilePicker.last_folder or Path.cwd()
        self.start = start if start.is_dir() else Path.home()
        self.suffixes = tuple(s.lower() for s in suffixes)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog file-picker"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(str(self.start), id="picker-path", classes="muted")
            yield _FilteredTree(self.start, self.suffixes, id="picker-tree")
            yield Static(
                f"Enter escolhe ({', '.join(self.suffixes)}) · Backspace sobe uma pasta · Esc cancela",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#picker-tree").focus()

    @on(DirectoryTree.FileSelected)
    def _chosen(self, event: DirectoryTree.FileSelected) -> None:
        FilePicker.last_folder = Path(event.path).parent
        self.dismiss(Path(event.path))

    def action_parent(self) -> None:
        tree = self.query_one("#picker-tree", _FilteredTree)
        parent = Path(tree.path).resolve().parent
        tree.path = parent
        self.query_one("#picker-path", Static).update(str(parent))

    def action_cancel(self) -> None:
        self.dismiss(None)
