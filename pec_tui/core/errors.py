"""Errors whose message is written for the administrator (Portuguese, one sentence)."""


class PecError(Exception):
    """A refusal or failure with a message fit for the screen and the CLI."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class ValidationError(PecError):
    """A form field or argument is wrong; ``field`` names it when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DatabaseOpenError(PecError):
    """The database could not be opened (bad URL, refused, bad password, missing)."""


class AuthError(PecError):
    """Login refused."""


class DatabaseBusyError(PecError):
    """Another writer held the database (SQLite) for longer than this one would wait."""
