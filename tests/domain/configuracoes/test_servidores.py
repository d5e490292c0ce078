"""Servidores (3.1.3): the installation's name and link."""

from __future__ import annotations

import pytest

from pec_tui.core.errors import ValidationError
from pec_tui.domain import settings
from pec_tui.domain.configuracoes import servidores
from pec_tui.storage.models import AuditEvent, User


@pytest.fixture
def admin_id(installation) -> int:
    return User.get(User.login == installation.admin_login).id


def events() -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.component == "pec-tui/configuracoes").order_by(AuditEvent.id))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("http://pec.chapeco.sc.gov.br", "http://pec.chapeco.sc.gov.br:80"),  # no port: 80
        ("pec.chapeco.sc.gov.br", "http://pec.chapeco.sc.gov.br:80"),
        ("http://pec.chapeco.sc.gov.br:8080/", "http://pec.chapeco.sc.gov.br:8080"),
        ("https://pec.chapeco.sc.gov.br:443", "https://pec.chapeco.sc.gov.br:443"),
        ("HTTP://200.10.20.30", "http://200.10.20.30:80"),
        ("http://[2001:db8::1]:8080", "http://[2001:db8::1]:8080"),
        ("http://pec.local:8080/esus", "http://pec.local:8080/esus"),
    ],
)
def test_link_without_port_uses_port_80(typed, stored):
    assert servidores.normalize_link(typed) == stored
    assert servidores.link_port(stored) == int(stored.rsplit(":", 1)[1].split("/")[0])


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Informe o link"),
        ("http://pec chapeco", "não pode ter espaços"),
        ("ftp://pec.chapeco.sc.gov.br", "deve começar com http:// ou https://"),
        ("http://", "não é válido"),
        ("http://pec_chapeco!.gov.br", "não é válido"),
        ("http://300.1.1.1", "não é válido"),
        ("http://pec.gov.br:99999", "porta do link"),
        ("http://pec.gov.br:abc", "porta do link"),
        ("http://pec.gov.br:0", "porta do link"),
        ("http://pec.gov.br:", "porta do link está vazia"),
        ("http://admin:senha@pec.gov.br", "usuário nem senha"),
        ("http://pec.gov.br/?x=1", "? nem #"),
    ],
)
def test_invalid_links_are_refused_with_a_message(typed, message):
    with pytest.raises(ValidationError, match=message.replace("?", r"\?")) as refused:
        servidores.normalize_link(typed)
    assert refused.value.field == "link"


def test_name_and_link_are_saved_in_pecs_keys_and_audited(db, admin_id):
    saved = servidores.save_installation_server("  SMS   Chapecó ", "pec.chapeco.sc.gov.br", by_user_id=admin_id)
    assert saved == servidores.InstallationServer("SMS Chapecó", "http://pec.chapeco.sc.gov.br:80")
    assert settings.get_text("NOMEINSTALACAO") == "SMS Chapecó"
    assert settings.get_text("LINKINSTALACAO") == "http://pec.chapeco.sc.gov.br:80"
    assert [(e.record_id, e.details) for e in events()] == [
        ("NOMEINSTALACAO", "Nome da instalação: PEC Chapecó → SMS Chapecó."),
        ("LINKINSTALACAO", "Link da instalação: — → http://pec.chapeco.sc.gov.br:80."),
    ]
    assert {e.user_id for e in events()} == {admin_id}


def test_unchanged_values_are_not_audited(db, admin_id):
    servidores.save_installation_server("PEC Chapecó", "http://pec.local", by_user_id=admin_id)
    count = len(events())
    servidores.save_installation_server("PEC Chapecó", "http://pec.local:80", by_user_id=admin_id)
    assert len(events()) == count


def test_invalid_link_saves_nothing(db, admin_id):
    before = servidores.installation_server()
    with pytest.raises(ValidationError):
        servidores.save_installation_server("Outro nome", "ftp://x", by_user_id=admin_id)
    assert servidores.installation_server() == before
    with pytest.raises(ValidationError) as refused:
        servidores.save_installation_server("   ", "http://pec.local", by_user_id=admin_id)
    assert refused.value.field == "nome"
