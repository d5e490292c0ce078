"""The one error the CNES reader raises: the file cannot be used as it is."""

from __future__ import annotations


class CnesFileError(Exception):
    """A CNES file was refused; ``message`` is one Portuguese sentence for the screen.

    ``file_name`` names the file the user chose and ``line`` the XML line, when known.
    """

    def __init__(self, message: str, *, file_name: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file_name = file_name
        self.line = line

    def __str__(self) -> str:
        return self.message
