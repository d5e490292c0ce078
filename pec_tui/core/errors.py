"""Errors whose message is written for the administrator (Portuguese, one sentence), and the
Portuguese clause for what the OS or a database driver raised (:func:`describe_error`)."""

import errno as _errno


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


# ---------------------------------------------------------------- OS and driver errors, in Portuguese

#: What the system says (``strerror``, in English on a server running with ``LANG=C``), by errno.
OS_REASONS = {
    _errno.ENOENT: "arquivo ou pasta não encontrado",
    _errno.EACCES: "permissão negada",
    _errno.EPERM: "operação não permitida",
    _errno.EISDIR: "é uma pasta, não um arquivo",
    _errno.ENOTDIR: "parte do caminho não é uma pasta",
    _errno.ENOSPC: "não há espaço livre no disco",
    _errno.EROFS: "o sistema de arquivos é somente leitura",
    _errno.EEXIST: "o arquivo já existe",
    _errno.ENAMETOOLONG: "nome de arquivo longo demais",
    _errno.EMFILE: "arquivos abertos demais",
    _errno.EIO: "erro de leitura ou gravação no disco",
    _errno.ECONNREFUSED: "conexão recusada",
    _errno.ECONNRESET: "a conexão foi interrompida pelo outro lado",
    _errno.ETIMEDOUT: "tempo esgotado",
    _errno.EHOSTUNREACH: "máquina inalcançável",
    _errno.ENETUNREACH: "rede inalcançável",
    _errno.EADDRINUSE: "o endereço já está em uso",
    _errno.EPIPE: "a conexão foi fechada",
}

#: libpq's and the OS's English phrases that reach a sentence through a driver's message.
DRIVER_PHRASES = (
    (r"server closed the connection unexpectedly", "o servidor fechou a conexão inesperadamente"),
    (r"password authentication failed for user \"?([^\"\s]+)\"?", r"o PostgreSQL recusou a senha do usuário \1"),
    (r"database \"([^\"]+)\" does not exist", r"o banco \1 não existe"),
    (r"role \"([^\"]+)\" does not exist", r"o usuário \1 não existe no PostgreSQL"),
    (r"could not translate host name \"?([^\"\s]+)\"? to address", r"a máquina \1 não foi encontrada"),
    (r"Connection refused", "conexão recusada"),
    (r"could not connect to server", "não foi possível conectar ao servidor"),
    (r"connection to server at \"?([^\"]+)\"?(?:, port (\d+))? failed", r"a conexão com o servidor \1 falhou"),
    (r"Is the server running on that host and accepting TCP/IP connections\?", "o serviço está no ar?"),
    (
        r"This probably means the server terminated abnormally\s+before or while processing the request\.?",
        "o servidor pode ter parado",
    ),
    (r"\bat line (\d+), column (\d+)", r"na linha \1, coluna \2"),
    (r"timeout expired", "tempo esgotado"),
    (r"terminating connection due to administrator command", "a conexão foi encerrada pelo administrador do banco"),
    (r"canceling statement due to statement timeout", "a consulta passou do tempo limite"),
    (r"permission denied for (?:table|relation) (\S+)", r"sem permissão na tabela \1"),
    (r"database is locked", "o banco está travado por outro processo"),
    (r"disk I/O error", "erro de leitura ou gravação no disco"),
    (r"No such file or directory", "arquivo ou pasta não encontrado"),
    (r"Permission denied", "permissão negada"),
    (r"Name or service not known", "nome não encontrado (DNS)"),
    (r"Temporary failure in name resolution", "falha temporária de DNS"),
)


def os_reason(error: OSError) -> str:
    """Why an OS call failed, in Portuguese (``strerror`` only when the errno is not known)."""
    import socket

    if isinstance(error, socket.gaierror):
        return "nome não encontrado (falha de DNS)"
    if isinstance(error, TimeoutError) and error.errno is None:
        return "tempo esgotado"
    if error.errno in OS_REASONS:
        return OS_REASONS[error.errno]
    return translate_driver_text(error.strerror or str(error) or type(error).__name__)


def translate_driver_text(text: str) -> str:
    """A driver's (libpq, sqlite, OS) English message with its known phrases in Portuguese."""
    import re

    for english, portuguese in DRIVER_PHRASES:
        text = re.sub(english, portuguese, text, flags=re.IGNORECASE)
    return "; ".join(line.strip().rstrip(".") for line in text.strip().splitlines() if line.strip())


def describe_error(error: BaseException) -> str:
    """An unexpected error as a clause for "Não foi possível …: <clause>." — never a traceback and,
    for what the OS and the database drivers say, in Portuguese."""
    if isinstance(error, PecError):
        return error.message
    if isinstance(error, UnicodeDecodeError):
        return "o conteúdo não é texto (UTF-8)"
    if isinstance(error, OSError):
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        return f"{os_reason(error)}{where}"
    text = str(error).strip()
    return translate_driver_text(text) if text else type(error).__name__
