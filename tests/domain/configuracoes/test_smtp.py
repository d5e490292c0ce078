"""SMTP (3.1.3) against a real aiosmtpd server on loopback with AUTH, and the key file.

"Habilitar" saves only after a real connection and login succeeded; the password is stored
encrypted (never in clear in ``tb_config_sistema``) and never written to the audit trail."""

from __future__ import annotations

import os
import stat

import pytest

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import secret_store, settings
from pec_tui.domain.configuracoes import conexao, servidores
from pec_tui.domain.configuracoes.servidores import SmtpForm
from pec_tui.storage.database import data_dir
from pec_tui.storage.models import AuditEvent, SystemConfig, User
from tests.support.smtp import ASCII_LOGIN, ASCII_PASSWORD, LOGIN, PASSWORD, free_port


@pytest.fixture
def admin_id(installation) -> int:
    return User.get(User.login == installation.admin_login).id


def form(server, **changes) -> SmtpForm:
    values = {"host": "127.0.0.1", "port": server.port, "login": LOGIN, "use_login_as_sender": True, "sender": ""}
    values.update(changes)
    return SmtpForm(**values)


def config_rows() -> list[tuple[str, str | None, int | None]]:
    return [(row.key, row.text, row.integer) for row in SystemConfig.select()]


def audit_details() -> str:
    return "\n".join(event.details or "" for event in AuditEvent.select())


def test_good_credentials_enable_and_the_password_is_encrypted(db, admin_id, smtp_server):
    config = servidores.enable_smtp(form(smtp_server), PASSWORD, by_user_id=admin_id)

    assert config.enabled and config.has_password and config.use_login_as_sender
    assert (config.host, config.port, config.login, config.sender_address) == (
        "127.0.0.1",
        smtp_server.port,
        LOGIN,
        LOGIN,
    )
    assert smtp_server.authenticator_log.attempts == [LOGIN]
    # Nowhere in tb_config_sistema in clear, not even partly; only the Fernet token.
    rows = config_rows()
    assert not any(PASSWORD in (text or "") for _, text, _ in rows)
    assert not any(PASSWORD[:8] in (text or "") for _, text, _ in rows)
    token = settings.get_text(settings.SMTP_PASSWORD_ENCRYPTED)
    assert token and secret_store.decrypt(token) == PASSWORD
    # Nor in the audit trail.
    details = audit_details()
    assert PASSWORD not in details and PASSWORD[:8] not in details
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.user_id, event.record_id) == (admin_id, settings.SMTP_ENABLED)
    assert event.details.startswith(
        f"Servidor SMTP habilitado após teste de conexão bem sucedido: 127.0.0.1:{smtp_server.port}"
    )


def test_ascii_credentials_enable_too(db, admin_id, smtp_server):
    config = servidores.enable_smtp(form(smtp_server, login=ASCII_LOGIN), ASCII_PASSWORD, by_user_id=admin_id)
    assert config.enabled and smtp_server.authenticator_log.attempts == [ASCII_LOGIN]
    assert ASCII_PASSWORD not in str(config_rows()) and ASCII_PASSWORD not in audit_details()


def test_bad_credentials_do_not_enable_and_save_nothing(db, admin_id, smtp_server):
    before = config_rows()
    with pytest.raises(PecError) as refused:
        servidores.enable_smtp(form(smtp_server), "senha-errada", by_user_id=admin_id)
    assert "recusou o login ou a senha (código 535)" in refused.value.message
    assert config_rows() == before
    assert not servidores.smtp_config().enabled
    assert "senha-errada" not in audit_details()


def test_wrong_login_does_not_enable(db, admin_id, smtp_server):
    with pytest.raises(PecError, match="recusou o login ou a senha"):
        servidores.enable_smtp(form(smtp_server, login="outro@saude.gov.br"), PASSWORD, by_user_id=admin_id)
    assert not servidores.smtp_config().enabled


def test_closed_port_does_not_enable(db, admin_id):
    port = free_port()
    with pytest.raises(PecError) as refused:
        servidores.enable_smtp(SmtpForm("127.0.0.1", port, LOGIN), PASSWORD, by_user_id=admin_id)
    assert refused.value.message == f"Conexão recusada pelo servidor SMTP 127.0.0.1:{port}: nada atende nessa porta."
    assert not servidores.smtp_config().enabled


def test_another_sender_and_keeping_the_stored_password(db, admin_id, smtp_server):
    servidores.enable_smtp(form(smtp_server), PASSWORD, by_user_id=admin_id)
    token = settings.get_text(settings.SMTP_PASSWORD_ENCRYPTED)
    config = servidores.enable_smtp(
        form(smtp_server, use_login_as_sender=False, sender="naoresponda@chapeco.sc.gov.br"),
        "",  # empty: the stored password is used for the test, and kept
        by_user_id=admin_id,
    )
    assert config.sender_address == "naoresponda@chapeco.sc.gov.br" and not config.use_login_as_sender
    assert settings.get_text(settings.SMTP_PASSWORD_ENCRYPTED) == token
    assert smtp_server.authenticator_log.attempts == [LOGIN, LOGIN]


def test_disable_keeps_the_configuration(db, admin_id, smtp_server):
    servidores.enable_smtp(form(smtp_server), PASSWORD, by_user_id=admin_id)
    config = servidores.disable_smtp(by_user_id=admin_id)
    assert not config.enabled and config.has_password and config.host == "127.0.0.1"
    with pytest.raises(PecError, match="já está desabilitado"):
        servidores.disable_smtp(by_user_id=admin_id)


@pytest.mark.parametrize(
    ("changes", "password", "field"),
    [
        ({"host": ""}, PASSWORD, "smtp_servidor"),
        ({"host": "smtp gmail.com"}, PASSWORD, "smtp_servidor"),
        ({"port": "abc"}, PASSWORD, "smtp_porta"),
        ({"port": 70000}, PASSWORD, "smtp_porta"),
        ({"login": "pec"}, PASSWORD, "smtp_login"),
        ({"use_login_as_sender": False, "sender": "x@"}, PASSWORD, "smtp_remetente"),
        ({}, "", "smtp_senha"),  # no password typed and none stored
    ],
)
def test_form_errors_name_the_field(db, admin_id, smtp_server, changes, password, field):
    with pytest.raises(ValidationError) as refused:
        servidores.enable_smtp(form(smtp_server, **changes), password, by_user_id=admin_id)
    assert refused.value.field == field
    assert smtp_server.authenticator_log.attempts == []


def test_smtp_needs_the_internet(db, admin_id, smtp_server):
    conexao.disable_internet(admin_id)
    with pytest.raises(PecError, match="Não é possível habilitar o servidor SMTP"):
        servidores.enable_smtp(form(smtp_server), PASSWORD, by_user_id=admin_id)
    assert smtp_server.authenticator_log.attempts == []


# --------------------------------------------------------------------------------------------
# The key file
# --------------------------------------------------------------------------------------------


def test_key_file_is_created_on_first_use_readable_only_by_its_owner(hermetic_env):
    path = secret_store.key_path()
    assert path.parent == data_dir() and not path.exists()
    token = secret_store.encrypt("segredo")
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "segredo" not in token and secret_store.decrypt(token) == "segredo"
    assert secret_store.encrypt("segredo") != token  # Fernet: a fresh IV every time


def test_key_file_readable_by_others_is_refused(hermetic_env):
    secret_store.encrypt("x")
    os.chmod(secret_store.key_path(), 0o644)
    with pytest.raises(PecError, match="chmod 600"):
        secret_store.encrypt("x")


def test_token_of_another_key_is_refused_with_a_message(hermetic_env):
    token = secret_store.encrypt("segredo")
    secret_store.key_path().unlink()
    with pytest.raises(PecError, match="informe a senha de novo"):
        secret_store.decrypt(token)
