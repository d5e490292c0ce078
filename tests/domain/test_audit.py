"""The keyed audit trail: recording inside the change's transaction, and verifying.

The forgeries are built with the public algorithm (:func:`audit.chain_hash`), as someone who
can write the database but cannot read the key would build them: without a key, or with one
of their own.
"""

from __future__ import annotations

import os
import secrets
import stat

import pytest

from pec_tui.core.errors import AuthError, PecError
from pec_tui.domain import accounts, audit
from pec_tui.domain.audit import GENESIS, Check, EventType, RecordType, chain_hash
from pec_tui.storage.database import transaction
from pec_tui.storage.models import AccessHistory, AuditEvent, ConsoleSetting, PecAuditEvent, User


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


def the_key() -> bytes:
    return bytes.fromhex(audit.key_path().read_text(encoding="ascii"))


def test_events_are_chained_from_genesis_with_the_key(db, clock):
    first, second, third = record_events(3)
    key = the_key()
    assert first.chain_hash == chain_hash(GENESIS, first, key)
    assert second.chain_hash == chain_hash(first.chain_hash, second, key)
    assert third.chain_hash == chain_hash(second.chain_hash, third, key)
    assert first.chain_hash != chain_hash(GENESIS, first)  # not the plain sha256 anyone can compute
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


def test_one_event_is_counted_in_the_singular(db):
    record_events(1)
    assert audit.verify().message == "Trilha de auditoria íntegra: 1 evento verificado."


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


# --------------------------------------------------------------------------------------------
# Forgeries by someone who can write the database but not read the key (issue 11, item 7)
# --------------------------------------------------------------------------------------------

FORGER_KEYS = [pytest.param(None, id="sem-chave"), pytest.param(secrets.token_bytes(32), id="outra-chave")]


def set_head(count: int, last_hash: str) -> None:
    ConsoleSetting.update(integer=count, text=last_hash).where(ConsoleSetting.key == audit.HEAD_KEY).execute()


def forge_append(forger_key: bytes | None, details: str = "Evento forjado") -> AuditEvent:
    """A row appended as the program would, its hash and the head recomputed with ``forger_key``."""
    head = ConsoleSetting.get(ConsoleSetting.key == audit.HEAD_KEY)
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    event = AuditEvent(at=last.at, event_type=EventType.USER_ACTION.value, component="testes", details=details)
    event.chain_hash = chain_hash(head.text, event, forger_key)
    event.save(force_insert=True)
    set_head(head.integer + 1, event.chain_hash)
    return event


def forge_rewrite_from(event_id: int, forger_key: bytes | None) -> None:
    """Rewrite one row's details and recompute its hash, every later hash and the head."""
    AuditEvent.update(details="nada aconteceu").where(AuditEvent.id == event_id).execute()
    previous = GENESIS
    count = 0
    for event in AuditEvent.select().order_by(AuditEvent.id):
        if event.id >= event_id:
            event.chain_hash = chain_hash(previous, event, forger_key)
            AuditEvent.update(chain_hash=event.chain_hash).where(AuditEvent.id == event.id).execute()
        previous = event.chain_hash
        count += 1
    set_head(count, previous)


@pytest.mark.parametrize("forger_key", FORGER_KEYS)
def test_a_row_appended_with_a_recomputed_hash_and_head_is_caught(db, forger_key):
    record_events(3)
    forged = forge_append(forger_key)
    result = audit.verify()
    assert (result.ok, result.failed, result.broken_id, result.count) == (False, Check.CHAIN, forged.id, 3)
    assert f"A linha {forged.id} da trilha de auditoria do pec-tui (pectui.evento_auditoria) não confere" in (
        result.message
    )
    assert str(audit.key_path()) in result.message
    assert result.anchor is None


@pytest.mark.parametrize("forger_key", FORGER_KEYS)
def test_a_middle_row_rewritten_with_every_later_hash_recomputed_is_caught(db, forger_key):
    events = record_events(5)
    forge_rewrite_from(events[2].id, forger_key)
    result = audit.verify()
    assert (result.ok, result.failed, result.broken_id, result.count) == (False, Check.CHAIN, events[2].id, 2)


def test_a_trail_cut_short_with_its_head_rewritten_is_caught_by_the_anchor(db, clock):
    events = record_events(4)
    assert audit.verify().ok  # anchors 4 events outside the database
    AuditEvent.delete().where(AuditEvent.id >= events[2].id).execute()
    set_head(2, events[1].chain_hash)  # the database alone now looks consistent
    clock.advance(days=1)
    result = audit.verify()
    assert (result.ok, result.failed, result.count) == (False, Check.ANCHOR, 2)
    assert result.message == (
        "A trilha de auditoria tem 2 eventos, mas em 20/11/2026 09:00 tinha 4 (registrado fora do banco em "
        f"{audit.anchor_path()}): eventos foram removidos e a cabeça da trilha refeita no banco."
    )


def test_the_whole_trail_deleted_with_its_head_is_caught_by_the_anchor(db):
    record_events(3)
    assert audit.verify().ok
    AuditEvent.delete().execute()
    ConsoleSetting.delete().where(ConsoleSetting.key == audit.HEAD_KEY).execute()
    result = audit.verify()
    assert (result.ok, result.failed, result.count) == (False, Check.ANCHOR, 0)
    assert "tem 0 eventos, mas em 20/11/2026 09:00 tinha 3" in result.message


def test_a_trail_cut_short_without_touching_the_head_is_caught_by_the_head(db):
    events = record_events(3)
    AuditEvent.delete().where(AuditEvent.id == events[-1].id).execute()
    result = audit.verify()
    assert (result.ok, result.failed) == (False, Check.HEAD)


def test_a_rewrite_by_someone_holding_the_key_is_still_caught_by_the_anchor(db):
    """The key alone is not enough: the anchored head no longer matches the rewritten chain."""
    events = record_events(3)
    assert audit.verify().ok
    forge_rewrite_from(events[1].id, the_key())
    result = audit.verify()
    assert (result.ok, result.failed, result.broken_id) == (False, Check.ANCHOR, events[2].id)
    assert result.message.startswith("A trilha de auditoria foi reescrita: em 20/11/2026 09:00 o 3º evento")


# --------------------------------------------------------------------------------------------
# The key file
# --------------------------------------------------------------------------------------------


def test_the_key_is_created_owner_only_with_the_first_event(db):
    audit.key_path().unlink()  # the session's key, copied in by the fixture
    record_events(1)
    mode = stat.S_IMODE(audit.key_path().stat().st_mode)
    assert mode == 0o600
    assert len(the_key()) == 32
    assert audit.verify().ok


def test_a_missing_key_with_a_trail_is_its_own_message(db):
    record_events(2)
    audit.key_path().unlink()
    result = audit.verify()
    assert (result.ok, result.failed) == (False, Check.KEY)
    assert result.message.startswith(
        f"A trilha de auditoria tem 2 eventos, mas a chave que a assina não está em {audit.key_path()}: "
        "sem ela a trilha não pode ser verificada nem continuada."
    )
    with pytest.raises(PecError, match="a chave que a assina não está em"):
        record_events(1)
    assert AuditEvent.select().count() == 2
    assert not audit.key_path().exists()  # never replaced by a new key behind the trail's back


def test_a_key_file_others_can_read_is_refused(db):
    record_events(1)
    os.chmod(audit.key_path(), 0o644)
    result = audit.verify()
    assert (result.ok, result.failed) == (False, Check.KEY)
    assert result.message == (
        f"O arquivo de chave {audit.key_path()} pode ser lido por outros usuários; deixe-o só para o dono com: "
        f"chmod 600 {audit.key_path()}"
    )
    with pytest.raises(PecError, match="pode ser lido por outros usuários"):
        record_events(1)


def test_a_key_file_that_is_not_a_key_is_refused(db):
    audit.key_path().write_text("não é uma chave", encoding="utf-8")
    with pytest.raises(PecError, match="não contém uma chave válida da trilha de auditoria"):
        record_events(1)


# --------------------------------------------------------------------------------------------
# The anchor file
# --------------------------------------------------------------------------------------------


def test_the_anchor_file_is_only_ever_appended_to(db, clock):
    assert audit.verify().anchor is None  # an empty trail anchors nothing
    assert not audit.anchor_path().exists()
    record_events(2)
    first = audit.anchor_head()
    assert (first.count, first.at) == (2, "2026-11-20T09:00:00")
    path = audit.anchor_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_bytes()
    inode = path.stat().st_ino

    assert audit.anchor_head() is None  # the head did not move: nothing written
    assert path.read_bytes() == before

    record_events(1)
    clock.advance(days=1)
    second = audit.anchor_head()
    assert (second.count, second.at) == (3, "2026-11-21T09:00:00")
    after = path.read_bytes()
    assert after.startswith(before) and after != before  # appended, the earlier lines untouched
    assert path.stat().st_ino == inode  # the same file, not a rewritten copy
    marker, *heads = audit.read_anchors()
    assert (marker.count, marker.chain_hash) == (0, GENESIS)  # written with the trail's first event
    assert heads == [first, second]
    lines = after.decode("utf-8").splitlines()
    assert lines[2] == f"2026-11-21T09:00:00\t{audit.database_identity()}\t3\t{second.chain_hash}"


def test_anchor_head_on_a_broken_trail_raises_and_writes_nothing(db):
    record_events(2)
    forge_append(None)
    before = audit.anchor_path().read_bytes()
    with pytest.raises(audit.AuditTrailBroken) as caught:
        audit.anchor_head()
    assert caught.value.result.failed == Check.CHAIN
    assert audit.anchor_path().read_bytes() == before


def test_anchors_of_another_database_are_not_this_ones(db):
    record_events(1)
    audit.anchor_path().write_text(f"2026-11-19T09:00:00\tsqlite:/outro.sqlite3\t50\t{'a' * 64}\n")
    result = audit.verify()
    assert result.ok
    assert [a.database for a in audit.read_anchors()] == [audit.database_identity()]


def test_an_anchor_file_out_of_format_is_named(db):
    record_events(1)
    audit.anchor_path().write_text("lixo\n", encoding="utf-8")
    result = audit.verify()
    assert (result.ok, result.failed) == (False, Check.ANCHOR)
    assert f"A linha 1 do arquivo de âncoras da auditoria {audit.anchor_path()}" in result.message


# --------------------------------------------------------------------------------------------
# A trail written before the chain was keyed
# --------------------------------------------------------------------------------------------


def write_unkeyed_trail(count: int) -> list[AuditEvent]:
    """The trail as pec-tui wrote it before the key: plain sha256 rows and the head."""
    previous = GENESIS
    events = []
    with transaction():
        for number in range(1, count + 1):
            event = AuditEvent(at=audit.clock.now(), event_type=EventType.USER_ACTION.value, component="antigo")
            event.details = f"Evento antigo {number}"
            event.chain_hash = previous = chain_hash(previous, event)
            event.save(force_insert=True)
            events.append(event)
        audit._write_head(count, previous)
    return events


def test_an_intact_unkeyed_trail_goes_on_unkeyed_until_verify_seals_it(db):
    write_unkeyed_trail(2)
    appended = record_events(1)[0]  # the program carries on: same algorithm as the rows before
    assert appended.chain_hash == chain_hash(AuditEvent.get_by_id(appended.id - 1).chain_hash, appended)

    result = audit.verify()
    assert (result.ok, result.count) == (True, 3)
    assert result.message == (
        f"Trilha de auditoria íntegra: 3 eventos verificados. A trilha passou a ser assinada com a chave "
        f"{audit.key_path()}."
    )
    assert result.anchor.count == 3
    key = the_key()
    previous = GENESIS
    for event in AuditEvent.select().order_by(AuditEvent.id):
        assert event.chain_hash == chain_hash(previous, event, key)
        previous = event.chain_hash
    record_events(1)
    assert audit.verify().message == "Trilha de auditoria íntegra: 4 eventos verificados."


def test_a_broken_unkeyed_trail_is_not_sealed(db):
    events = write_unkeyed_trail(3)
    AuditEvent.update(details="alterado").where(AuditEvent.id == events[1].id).execute()
    result = audit.verify()
    assert (result.ok, result.failed, result.broken_id) == (False, Check.CHAIN, events[1].id)
    assert AuditEvent.get_by_id(events[0].id).chain_hash == events[0].chain_hash  # nothing rewritten
    assert not audit.anchor_path().exists()


def test_a_sealed_trail_rewritten_unkeyed_is_caught(db):
    record_events(3)
    assert audit.verify().ok
    forge_rewrite_from(AuditEvent.select().order_by(AuditEvent.id).first().id, None)
    result = audit.verify()
    assert (result.ok, result.failed) == (False, Check.ANCHOR)
    assert "foi regravada sem a chave" in result.message


def test_a_trail_signed_with_another_key_says_the_key_may_not_be_its_own(db):
    first = record_events(2)[0]
    audit.key_path().write_text(secrets.token_hex(32), encoding="ascii")  # still 0600
    result = audit.verify()
    assert (result.ok, result.failed, result.broken_id, result.count) == (False, Check.CHAIN, first.id, 0)
    assert result.message.endswith("ela foi alterada ou gravada sem a chave, ou a chave não é a que assinou a trilha.")


def test_a_new_trail_rewritten_unkeyed_before_any_verify_is_not_taken_for_an_old_one(db):
    """The first keyed event marks the trail as keyed outside the database: a forger who rewrites
    it all with plain sha256 does not get it sealed as a trail from before the key."""
    record_events(3)
    forge_rewrite_from(AuditEvent.select().order_by(AuditEvent.id).first().id, None)
    result = audit.verify()
    assert (result.ok, result.failed) == (False, Check.ANCHOR)
    assert "foi regravada sem a chave: ela já era assinada" in result.message
