"""The errors of a CNES import: the file refused by the reader, the import refused, the import cancelled."""

from __future__ import annotations

from pec_tui.core.errors import PecError


class CnesFileError(Exception):
    """A CNES file was refused by the reader; ``message`` is one Portuguese sentence for the screen.

    ``file_name`` names the file the user chose and ``line`` the XML line, when known;
    ``detail`` keeps the parser's own (English) text for the log, never for the screen.
    """

    def __init__(
        self, message: str, *, file_name: str | None = None, line: int | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file_name = file_name
        self.line = line
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class CnesImportError(PecError):
    """The import was refused; nothing was changed. ``file_name``/``line`` when known."""

    def __init__(self, message: str, *, file_name: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.file_name = file_name
        self.line = line


class ImportCancelled(PecError):
    """The user cancelled the import; nothing was changed."""
