"""A real SMTP server on loopback (aiosmtpd, AUTH without TLS) for the SMTP tests of
Configurações › Servidores, in the domain and on screen.

Import the fixture into a test module: ``from tests.support.smtp import smtp_server  # noqa: F401``."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

LOGIN = "pec@saude.chapeco.sc.gov.br"
PASSWORD = "s3nh@-do-SMTP-Çhapecó"  # beyond ASCII: goes as UTF-8 in AUTH PLAIN
ASCII_LOGIN = "smtp@saude.xaxim.sc.gov.br"
ASCII_PASSWORD = "SenhaSimples2026"  # smtplib's own login()
ACCOUNTS = {LOGIN: PASSWORD, ASCII_LOGIN: ASCII_PASSWORD}


class Authenticator:
    """Accepts exactly the ACCOUNTS (PLAIN and LOGIN mechanisms)."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            self.attempts.append(auth_data.login.decode())
            if ACCOUNTS.get(auth_data.login.decode()) == auth_data.password.decode():
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """The server, started; ``smtp_server.port``, and ``smtp_server.authenticator_log.attempts``
    lists the logins tried."""
    authenticator = Authenticator()
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,  # plain AUTH on loopback, no certificate in the test
    )
    controller.start()
    controller.authenticator_log = authenticator
    try:
        yield controller
    finally:
        controller.stop()
