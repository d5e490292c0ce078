"""What the OS and the database drivers raise, as a Portuguese clause (never their English)."""

from __future__ import annotations

import errno
import socket

import pytest

from pec_tui.core.errors import PecError, describe_error, os_reason


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            FileNotFoundError(errno.ENOENT, "No such file or directory", "/tmp/x.xml"),
            "arquivo ou pasta não encontrado (/tmp/x.xml)",
        ),
        (PermissionError(errno.EACCES, "Permission denied", "/opt/e-SUS"), "permissão negada (/opt/e-SUS)"),
        (IsADirectoryError(errno.EISDIR, "Is a directory", "/tmp"), "é uma pasta, não um arquivo (/tmp)"),
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "conexão recusada"),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "nome não encontrado (falha de DNS)"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "o conteúdo não é texto (UTF-8)"),
        (PecError("Frase pronta."), "Frase pronta."),
    ],
)
def test_describe_error(error, expected):
    assert describe_error(error) == expected


def test_libpq_messages_are_said_in_portuguese():
    refused = Exception(
        'connection to server at "127.0.0.1", port 5433 failed: Connection refused\n'
        "\tIs the server running on that host and accepting TCP/IP connections?"
    )
    text = describe_error(refused)
    assert "conexão recusada" in text and "127.0.0.1" in text
    assert not any(word in text for word in ("Connection", "failed", "server running"))
    closed = Exception(
        "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n"
        "\tbefore or while processing the request."
    )
    assert describe_error(closed) == "o servidor fechou a conexão inesperadamente; o servidor pode ter parado"


def test_unknown_errno_keeps_the_systems_words():
    assert os_reason(OSError(9999, "Algo estranho")) == "Algo estranho"
