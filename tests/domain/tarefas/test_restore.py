"""``backup.restore`` on SQLite and PostgreSQL: only into an empty target, checked like verify;
a non-empty target, the console's own database, a wrong identity, a flipped byte and a truncated
file each refused with its sentence, nothing written to the target, an audit event in the
console's database. And the audit head in the manifest: the copy's trail is walked up to it."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pyrage
import pytest

from pec_tui.core.errors import PecError
from pec_tui.domain import audit
from pec_tui.domain.configuracoes import conexao
from pec_tui.domain.tarefas import backup
from pec_tui.storage.database import sqlite_url
from pec_tui.storage.models import AuditEvent
from tests.support.postgres import worker_name


def last_event() -> AuditEvent:
    return AuditEvent.select().order_by(AuditEvent.id.desc()).first()


@pytest.fixture
def copy(db, tmp_path) -> backup.BackupDone:
    conexao.disable_service(conexao.CADSUS, "30min", None)  # audit events: a trail to check
    conexao.enable_service(conexao.CADSUS, None)
    return backup.make(tmp_path / "copias")


class Target:
    """An empty target of the copy's kind, and what is in it."""

    def __init__(self, db, tmp_path: Path, request) -> None:
        self.postgres = db.kind == "postgresql"
        if self.postgres:
            self.server = request.getfixturevalue("pg_server")
            self.name = f"pectui_test_{worker_name()}_restaura"
            self.server.recreate(self.name)
            self.url = self.server.url(self.name)
        else:
            self.path = tmp_path / "restaurado" / "pec.sqlite3"
            self.path.parent.mkdir()
            self.url = sqlite_url(self.path)

    def _connect(self):
        import psycopg2

        return psycopg2.connect(host=self.server.host, port=self.server.port, user=self.server.user, dbname=self.name)

    def tables(self) -> list[str]:
        if self.postgres:
            with contextlib.closing(self.server.admin()) as admin, admin.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s",
                    (self.name,),
                )
                if cursor.fetchone() is None:
                    return []
            with contextlib.closing(self._connect()) as connection, connection.cursor() as cursor:
                cursor.execute(
                    "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
                )
                return [row[0] for row in cursor.fetchall()]
        if not self.path.exists():
            return []
        with contextlib.closing(sqlite3.connect(self.path)) as connection:
            return [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def put_a_table(self) -> None:
        if self.postgres:
            with contextlib.closing(self._connect()) as connection, connection.cursor() as cursor:
                cursor.execute("CREATE TABLE alheia (x integer)")
                connection.commit()
        else:
            with contextlib.closing(sqlite3.connect(self.path)) as connection:
                connection.execute("CREATE TABLE alheia (x integer)")
                connection.commit()

    def close(self) -> None:
        if self.postgres:
            self.server.drop(self.name)


@pytest.fixture
def target(db, tmp_path, request):
    made = Target(db, tmp_path, request)
    yield made
    made.close()


def test_a_copy_is_restored_into_an_empty_target_and_checked(copy, target):
    restored = backup.restore(copy.path, target.url)
    assert restored.counts == copy.manifest.contagens
    names = {name.split(".")[-1].removeprefix("pectui_") for name in target.tables()}
    assert {"tb_prof", "evento_auditoria", "versao_esquema"} <= names  # PEC's tables and the console's
    event = last_event()  # in the console's own database
    assert event.event_type == "COPIA_SEGURANCA"
    assert event.details.startswith(f"Cópia de segurança restaurada: {copy.path.name} em {target.url} (esquema ")
    with pytest.raises(PecError, match="não está vazio"):
        backup.restore(copy.path, target.url)  # now it is not empty


def test_an_encrypted_copy_is_restored_with_its_identity_only(db, tmp_path, target):
    identity = tmp_path / "identidade.txt"
    backup.keygen(identity)
    copy = backup.make(tmp_path / "copias")
    with pytest.raises(PecError, match="indique a identidade age"):
        backup.restore(copy.path, target.url)
    other = tmp_path / "outra.txt"
    other.write_text(f"{pyrage.x25519.Identity.generate()}\n")
    with pytest.raises(PecError, match=f"A identidade {other} não abre esta cópia"):
        backup.restore(copy.path, target.url, other)
    assert target.tables() == []
    assert last_event().details.startswith(f"Restauração de cópia de segurança sem sucesso: {copy.path.name} em ")
    assert backup.restore(copy.path, target.url, identity).counts == copy.manifest.contagens


def test_a_non_empty_target_is_refused_and_left_as_it_was(copy, target):
    target.put_a_table()
    refused = r"não está vazio \(tem a\(s\) tabela\(s\) (public\.)?alheia\).*Nada foi gravado"
    with pytest.raises(PecError, match=refused):
        backup.restore(copy.path, target.url)
    assert [name.split(".")[-1] for name in target.tables()] == ["alheia"]
    assert "sem sucesso" in last_event().details


def test_the_consoles_own_database_is_never_a_target(copy, db):
    url = db.target.url
    with pytest.raises(PecError, match="Esse é o banco que o console está usando"):
        backup.restore(copy.path, url)


def test_a_flipped_byte_and_a_truncated_file_write_nothing(copy, target):
    data = bytearray(copy.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.path.write_bytes(bytes(data))
    with pytest.raises(PecError, match="soma SHA-256 da cópia não confere"):
        backup.restore(copy.path, target.url)
    copy.path.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(PecError, match="o arquivo está truncado ou foi alterado"):
        backup.restore(copy.path, target.url)
    assert target.tables() == []
    if not target.postgres:
        assert list(target.path.parent.iterdir()) == []  # no temporary file left behind


def test_a_copy_of_the_other_kind_is_refused(copy, tmp_path, db):
    other = "postgresql://postgres@127.0.0.1:5432/nenhum" if db.kind == "sqlite" else sqlite_url(tmp_path / "n.db")
    kind = "SQLite" if db.kind == "sqlite" else "PostgreSQL"
    with pytest.raises(PecError, match=f"é de um banco {kind}; restaure-a num banco {kind}"):
        backup.restore(copy.path, other)


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_a_missing_postgres_database_says_how_to_create_it(db, tmp_path, pg_server):
    copy = backup.make(tmp_path / "copias")
    name = f"pectui_test_{worker_name()}_inexistente"
    pg_server.drop(name)
    with pytest.raises(PecError, match=f"O banco {name} não existe em .*; crie-o vazio antes \\(createdb -h "):
        backup.restore(copy.path, pg_server.url(name))


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_an_sqlite_file_that_is_not_a_database_is_refused(db, copy, tmp_path):
    junk = tmp_path / "texto.sqlite3"
    junk.write_text("não é um banco " * 100)
    with pytest.raises(PecError, match="não é um banco SQLite vazio; nada foi gravado"):
        backup.restore(copy.path, sqlite_url(junk))
    assert junk.read_text() == "não é um banco " * 100


# --------------------------------------------------------------------------------------------
# The audit head in the manifest
# --------------------------------------------------------------------------------------------


def test_the_manifest_records_the_trail_head_of_the_copy(copy):
    count, last_hash = audit._read_head()
    head = copy.manifest.auditoria
    assert head == {"eventos": count - 1, "resumo": head["resumo"]}  # the copy's event came after it
    assert AuditEvent.select().order_by(AuditEvent.id).offset(count - 2).first().chain_hash == head["resumo"]
    assert last_hash != head["resumo"]


def _rewrite_manifest(copy: backup.BackupDone, **changes) -> None:
    beside = copy.path.with_name(copy.path.name + backup.MANIFEST_SUFFIX)
    data = json.loads(beside.read_text())
    data.update(changes)
    for key in [key for key, value in changes.items() if value is ...]:
        del data[key]
    beside.write_text(json.dumps(data))


def test_a_trail_that_does_not_end_at_the_recorded_head_is_refused(copy, target):
    _rewrite_manifest(copy, auditoria={"eventos": 3, "resumo": "f" * 64})
    with pytest.raises(PecError, match="A trilha de auditoria da cópia termina com 2 eventos .* tinha 3 eventos"):
        backup.verify(copy.path)
    with pytest.raises(PecError, match="A trilha de auditoria da cópia termina com 2 eventos"):
        backup.restore(copy.path, target.url)


def test_a_trail_changed_before_the_copy_is_caught_in_the_copy(db, tmp_path):
    conexao.disable_service(conexao.CADSUS, "30min", None)
    conexao.enable_service(conexao.CADSUS, None)
    first = AuditEvent.select().order_by(AuditEvent.id).first()
    AuditEvent.update(details="reescrito").where(AuditEvent.id == first.id).execute()
    copy = backup.make(tmp_path / "copias")
    with pytest.raises(PecError, match=f"Na cópia: A linha {first.id} da trilha de auditoria do pec-tui"):
        backup.verify(copy.path)


def test_an_older_manifest_without_the_head_still_verifies(copy):
    _rewrite_manifest(copy, auditoria=...)
    assert backup.read_manifest(copy.path).auditoria is None
    assert backup.verify(copy.path).counts == copy.manifest.contagens
