"""Configurações avançadas (3.1.5): the number of simultaneous requests and its warning."""

from __future__ import annotations

import pytest

from pec_tui.core.errors import ValidationError
from pec_tui.domain import settings
from pec_tui.domain.configuracoes import avancadas
from pec_tui.storage.models import AuditEvent, User


@pytest.fixture
def admin_id(installation) -> int:
    return User.get(User.login == installation.admin_login).id


def events() -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.component == "pec-tui/configuracoes").order_by(AuditEvent.id))


def test_simultaneous_requests_default_and_change(db, admin_id):
    assert avancadas.advanced().simultaneous_requests == settings.DEFAULT_SIMULTANEOUS_REQUESTS
    saved = avancadas.save_advanced("20", "http://127.0.0.1:9/", by_user_id=admin_id)
    assert saved.simultaneous_requests == 20 and saved.probe_url == "http://127.0.0.1:9/"
    assert settings.get_int(settings.SIMULTANEOUS_REQUESTS) == 20
    assert [e.record_id for e in events()] == [settings.SIMULTANEOUS_REQUESTS, settings.INTERNET_PROBE_URL]
    assert events()[0].details == "Número de requisições simultâneas processadas: 10 → 20."


@pytest.mark.parametrize("typed", ["0", "-1", "abc", "", "1.5", str(settings.MAX_SIMULTANEOUS_REQUESTS + 1)])
def test_simultaneous_requests_must_be_a_positive_integer_within_bounds(db, admin_id, typed):
    with pytest.raises(ValidationError) as refused:
        avancadas.save_advanced(typed, avancadas.advanced().probe_url, by_user_id=admin_id)
    assert refused.value.field == "requisicoes"
    assert "de 1 a 100" in refused.value.message
    assert events() == []


def test_the_manuals_warning_is_there():
    assert avancadas.SIMULTANEOUS_REQUESTS_WARNING.startswith(
        "A alteração do número de requisições pode prejudicar o desempenho do sistema"
    )
