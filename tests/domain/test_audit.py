"""The hash-chained audit trail: recording inside the change's transaction, and verifying."""

from __future__ import annotations

import pytest

from pec_tui.core.errors import AuthError
from pec_tui.domain import accounts, audit
from pec_tui.domain.audit import GENESIS, EventType, RecordType, chain_hash
from pec_tui.storage.database import transaction
from pec_tui.storage.models import AccessHistory, AuditEvent, PecAuditEvent, User


def record_events(count: int) -> list[AuditEvent]:
    events = []
    for number in range(1, count + 1):
        with transaction():
            events.append(
                audit.record(
                    EventType.USER_ACTION,
                    component="testes",
                    record_type=RecordType.CONFIGURATION,
                    record_id=number,
                    details=f"Evento {number}",
                )
            )
    return events


def test_record_outside_a_transaction_is_refused(db):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record(EventType.USER_ACTION, component="testes")
    assert AuditEvent.select().count() == 0


def test_events_are_chained_from_genesis(db, clock):
    first, second, third = record_events(3)
    assert first.chain_hash == chain_hash(GENESIS, first)
    assert second.chain_hash == chain_hash(first.chain_hash, second)
    assert third.chain_hash == chain_hash(second.chain_hash, third)
    stored = list(AuditEvent.select().order_by(AuditEvent.id))
    assert [event.chain_hash for event in stored] == [first.chain_hash, second.chain_hash, third.chain_hash]
    assert stored[0].at == clock.current
    assert (stored[1].event_type, stored[1].record_type, stored[1].record_id) == (
        "ACAO_USUARIO",
        "CONFIGURACAO",
        "2",
    )


def test_verify_accepts_an_intact_chain_and_counts_it(db):
    assert audit.verify().ok and audit.verify().count == 0
    record_events(4)
    result = audit.verify()
    assert result.ok
    assert result.count == 4
    assert result.broken_id is None
    assert result.message == "Trilha de auditoria íntegra: 4 eventos verificados."


def test_verify_walks_the_chain_across_batches(db):
    record_events(5)
    result = audit.verify(batch_size=2)
    assert (result.ok, result.count) == (True, 5)


def test_changed_details_break_the_chain_at_that_row(db):
    events = record_events(4)
    tampered = events[1]
    AuditEvent.update(details="nada aconteceu").where(AuditEvent.id == tampered.id).execute()
    result = audit.verify()
    assert not result.ok
    assert result.broken_id == tampered.id
    assert result.count == 1  # the rows before it still check
    assert f"A linha {tampered.id} da trilha de auditoria do pec-tui (pectui.evento_auditoria) não confere" in (
        result.message
    )


def test_deleted_middle_row_breaks_the_chain_at_the_next_row(db):
    events = record_events(4)
    AuditEvent.delete().where(AuditEvent.id == events[1].id).execute()
    result = audit.verify()
    assert not result.ok
    assert result.broken_id == events[2].id
    assert f"A linha {events[2].id}" in result.message


def test_deleted_newest_row_is_caught_by_the_head(db):
    events = record_events(3)
    AuditEvent.delete().where(AuditEvent.id == events[-1].id).execute()
    result = audit.verify()
    assert not result.ok
    assert result.broken_id is None
    assert result.count == 2
    assert "registrou 3" in result.message
    assert "eventos mais recentes foram removidos" in result.message


def test_rolled_back_transaction_leaves_no_event_and_the_chain_stays_valid(db):
    record_events(2)

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction():
        audit.record(EventType.USER_ACTION, component="testes", details="desfeito")
        raise Abandon

    assert AuditEvent.select().count() == 2
    assert not AuditEvent.select().where(AuditEvent.details == "desfeito").exists()
    assert audit.verify().ok and audit.verify().count == 2

    record_events(1)  # the next event chains onto the last committed one
    result = audit.verify()
    assert (result.ok, result.count) == (True, 3)


WRONG_PASSWORD = "Errada987xyz"
NEW_PASSWORD = "NovaSenha2027"


def test_login_attempts_and_password_change_never_store_a_password(db, installation):
    """Neither the audit trail nor the access history holds a password, right or wrong."""
    admin = User.get(User.login == installation.admin_login)
    with pytest.raises(AuthError):
        accounts.authenticate(installation.admin_login, WRONG_PASSWORD)
    accounts.authenticate(installation.admin_login, "Senha1234")
    accounts.change_password(admin.id, "Senha1234", NEW_PASSWORD, NEW_PASSWORD)
    accounts.authenticate(installation.admin_login, NEW_PASSWORD)
    accounts.end_session(admin.id)

    event_types = [event.event_type for event in AuditEvent.select().order_by(AuditEvent.id)]
    assert event_types == [
        EventType.DATABASE_OPERATION.value,  # the installation itself
        EventType.LOGIN_FAILED.value,
        EventType.LOGIN_SUCCEEDED.value,
        EventType.PASSWORD_CHANGED.value,
        EventType.LOGIN_SUCCEEDED.value,
        EventType.SESSION_ENDED.value,
    ]
    assert AccessHistory.select().count() == 3
    rows = [
        " ".join(str(value) for value in row)
        for model in (AuditEvent, AccessHistory, PecAuditEvent)
        for row in model.select().tuples()
    ]
    for secret in ("Senha1234", WRONG_PASSWORD, NEW_PASSWORD):
        assert not any(secret in row for row in rows), secret
    assert audit.verify().ok
