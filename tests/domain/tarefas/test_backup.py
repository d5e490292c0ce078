"""Cópia de segurança on SQLite and PostgreSQL: a copy made and verified by restoring it into a
scratch database, in clear and encrypted; a flipped byte, a truncated file, a wrong or missing
identity each refused with its sentence and an audit event."""

from __future__ import annotations

import json
import os
import stat
import time

import pytest

from pec_tui.core.errors import PecError
from pec_tui.domain.configuracoes import conexao
from pec_tui.domain.tarefas import backup
from pec_tui.storage.migrations import LATEST_VERSION
from pec_tui.storage.models import AuditEvent


def last_event() -> AuditEvent:
    return AuditEvent.select().order_by(AuditEvent.id.desc()).first()


@pytest.fixture
def some_rows(db):
    conexao.disable_service(conexao.CADSUS, "30min", None)  # an audit event: the copy is not empty


def test_a_clear_copy_is_made_verified_and_audited(db, some_rows, tmp_path):
    done = backup.make(tmp_path)
    assert done.path.parent == tmp_path and not done.manifest.cifrada
    manifest = json.loads((tmp_path / (done.path.name + ".manifest.json")).read_text())
    assert manifest["sha256"] == backup.sha256_of(done.path) and manifest["tamanho"] == done.path.stat().st_size
    assert manifest["versao_esquema"] == LATEST_VERSION
    assert list(manifest["contagens"].values())[-1] == 1  # the audit trail, as copied
    assert stat.S_IMODE(done.path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left
    event = last_event()
    assert event.event_type == "COPIA_SEGURANCA"
    assert event.details.startswith(f"Cópia de segurança realizada: {done.path.name}, ")
    assert event.details.endswith("(sem cifra: nenhuma chave pública configurada).")
    verified = backup.verify(done.path)
    assert verified.counts == manifest["contagens"]


def test_a_partial_file_left_by_a_killed_copy_is_deleted_by_the_next(db, some_rows, tmp_path):
    """A copy killed with kill -9 leaves its hidden partial file (maybe the database in clear); the
    next copy deletes it once nobody has written to it for an hour, and leaves a live one alone."""
    stale = tmp_path / ".pec-tui-20261201-020000.sqlite3.1a2b3c4d.parcial"
    stale_sealed = tmp_path / ".pec-tui-20261201-020000.sqlite3.age.1a2b3c4d.age-parcial"
    live = tmp_path / ".pec-tui-20261207-020000.dump.5e6f7a8b.parcial"
    other = tmp_path / ".outro.parcial"
    an_hour_ago = time.time() - backup.STALE_PARTIAL_SECONDS - 5
    for path in (stale, stale_sealed, live, other):
        path.write_bytes(b"dados")
    for path in (stale, stale_sealed, other):
        os.utime(path, (an_hour_ago, an_hour_ago))
    backup.make(tmp_path)
    assert not stale.exists() and not stale_sealed.exists()
    assert live.exists() and other.exists()


def test_an_encrypted_copy_needs_its_identity(db, some_rows, tmp_path):
    public = backup.keygen(tmp_path / "identidade.txt")
    assert public.startswith("age1") and stat.S_IMODE((tmp_path / "identidade.txt").stat().st_mode) == 0o600
    done = backup.make(tmp_path / "copias")
    assert done.path.name.endswith(".age") and done.manifest.cifrada
    assert b"SQLite format" not in done.path.read_bytes()[:4096] and b"PGDMP" not in done.path.read_bytes()[:16]
    with pytest.raises(PecError, match="indique a identidade age com --identity"):
        backup.verify(done.path)
    other = tmp_path / "outra.txt"
    import pyrage

    other.write_text(f"{pyrage.x25519.Identity.generate()}\n")
    with pytest.raises(PecError, match="não abre esta cópia"):
        backup.verify(done.path, other)
    assert last_event().details.startswith(f"Quebra de integridade de cópia de segurança: {done.path.name}: ")
    assert backup.verify(done.path, tmp_path / "identidade.txt").counts == done.manifest.contagens
    with pytest.raises(PecError, match="já existe"):
        backup.keygen(tmp_path / "identidade.txt")


def test_a_flipped_byte_and_a_truncated_file_are_refused(db, some_rows, tmp_path):
    done = backup.make(tmp_path)
    data = bytearray(done.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    done.path.write_bytes(bytes(data))
    with pytest.raises(PecError, match="soma SHA-256 da cópia não confere"):
        backup.verify(done.path)
    done.path.write_bytes(bytes(data[: len(data) // 3]))
    with pytest.raises(PecError, match="o arquivo está truncado ou foi alterado"):
        backup.verify(done.path)
    assert "Quebra de integridade" in last_event().details


def test_a_copy_whose_manifest_matches_but_does_not_restore_is_refused(db, some_rows, tmp_path):
    done = backup.make(tmp_path)
    done.path.write_bytes(b"lixo" * 1000)  # a consistent manifest over a broken copy
    manifest_path = tmp_path / (done.path.name + ".manifest.json")
    manifest = json.loads(manifest_path.read_text())
    manifest.update(tamanho=4000, sha256=backup.sha256_of(done.path))
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(PecError, match="restaura|não abre como banco SQLite"):
        backup.verify(done.path)


def test_without_a_manifest_nothing_is_verified(db, tmp_path):
    loose = tmp_path / "pec-tui-solto.sqlite3"
    loose.write_bytes(b"x")
    with pytest.raises(PecError, match="não tem o manifesto"):
        backup.verify(loose)
