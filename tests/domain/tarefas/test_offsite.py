"""Cópias fora do servidor against a real OpenSSH server on loopback (tests/support/sshd.py), on
SQLite and PostgreSQL: the host key checked (unknown, accepted by fingerprint, changed), the upload
to a temporary name checked by reading it back and renamed, a dropped connection resumed, remote
retention, and the refusals (no age key, a copy in clear, a key the server does not know)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess

import pytest

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import settings
from pec_tui.domain.tarefas import backup, catalogue, offsite, retention
from pec_tui.storage.models import AuditEvent, ConsoleSetting
from tests.support.sshd import PASSPHRASE, Sshd

NAME = "pec-tui-20261120-090000.sqlite3.age"


def last_event() -> AuditEvent:
    return AuditEvent.select().order_by(AuditEvent.id.desc()).first()


def server_fingerprint(server: Sshd) -> str:
    """What ``ssh-keygen -l`` prints for the server's key: the administrator's own check."""
    out = subprocess.run(["ssh-keygen", "-lf", str(server.host_key)], capture_output=True, text=True, check=True)
    return out.stdout.split()[1]


def fake_copy(folder, name: str = NAME, size: int = 3 * 1024 * 1024):
    """An encrypted-looking copy with its manifest (the upload never decrypts: random bytes do)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = os.urandom(size)
    path = folder / name
    path.write_bytes(data)
    manifest = backup.Manifest(
        name, "sqlite", 7, size, hashlib.sha256(data).hexdigest(), "2026-11-20 09:00:00", True, {}
    )
    (folder / (name + backup.MANIFEST_SUFFIX)).write_text(json.dumps(manifest.as_json()))
    return path


def configure(server: Sshd, key=None, passphrase=None):
    return offsite.configure(
        server.host, server.port, server.user, str(key or server.client_key), str(server.remote), passphrase,
        by_user_id=None,
    )  # fmt: skip


@pytest.fixture
def age_key(db, tmp_path):
    backup.keygen(tmp_path / "identidade.txt")


@pytest.fixture
def ready(db, age_key, sshd):
    """SFTP configured and the server's key accepted."""
    configure(sshd)
    offsite.check(accept=server_fingerprint(sshd))
    return sshd


def test_a_copy_is_uploaded_checked_renamed_and_audited(ready, tmp_path):
    done = backup.make(tmp_path / "copias")
    sent = offsite.push(done.path)
    remote = ready.remote / done.path.name
    assert remote.read_bytes() == done.path.read_bytes()
    assert (
        json.loads((ready.remote / (done.path.name + ".manifest.json")).read_text())["sha256"] == done.manifest.sha256
    )
    assert sorted(p.name for p in ready.remote.iterdir()) == [done.path.name, done.path.name + ".manifest.json"]
    assert stat.S_IMODE(remote.stat().st_mode) == 0o600
    assert sent.sent == done.manifest.tamanho and sent.resumed_from == 0 and not sent.already_there
    event = last_event()
    assert event.event_type == "COPIA_SEGURANCA" and event.record_id == done.path.name
    assert event.details.startswith(f"Cópia de segurança enviada {done.path.name} para sftp://")
    assert "SHA-256 conferida lendo de volta do servidor" in event.details
    assert offsite.upload_states([done.path.name])[done.path.name].ok
    again = offsite.push(done.path)  # already there: checked, not sent again
    assert again.already_there and again.sent == 0
    [listed] = offsite.remote_copies()
    assert listed.name == done.path.name and listed.manifest is not None and listed.manifest.cifrada


def test_an_unknown_host_key_is_refused_until_its_fingerprint_is_accepted(db, age_key, sshd, tmp_path):
    configure(sshd)
    path = fake_copy(tmp_path)
    with pytest.raises(offsite.UnknownHostKey) as refused:
        offsite.push(path)
    fingerprint = server_fingerprint(sshd)
    assert refused.value.fingerprint == fingerprint  # the same text ssh-keygen -l prints
    assert f"a impressão digital da sua chave (ssh-ed25519) é {fingerprint}" in refused.value.message
    assert list(sshd.remote.iterdir()) == []
    assert not offsite.upload_states([NAME])[NAME].ok
    assert last_event().details.startswith(f"Envio da cópia de segurança {NAME} para sftp://")
    with pytest.raises(PecError, match="não é a do servidor"):
        offsite.check(accept="SHA256:" + "A" * 43)
    assert not offsite.known_hosts_path().exists()
    checked = offsite.check(accept=fingerprint.removeprefix("SHA256:"))  # as pasted without the prefix
    assert checked.accepted_now and checked.fingerprint == fingerprint
    known = offsite.known_hosts_path()
    assert stat.S_IMODE(known.stat().st_mode) == 0o600
    # OpenSSH reads the file pec-tui wrote: ssh-keygen finds the host in it.
    found = subprocess.run(["ssh-keygen", "-F", f"[127.0.0.1]:{sshd.port}", "-f", str(known)], capture_output=True)
    assert found.returncode == 0 and b"ssh-ed25519" in found.stdout
    assert not offsite.check().accepted_now  # known now: nothing to accept
    assert offsite.push(path).sent == path.stat().st_size


def test_a_changed_host_key_is_always_refused(ready, tmp_path):
    ready.new_host_key()
    path = fake_copy(tmp_path)
    with pytest.raises(offsite.HostKeyChanged, match="MUDOU") as refused:
        offsite.push(path)
    assert "Pode ser alguém no meio do caminho" in refused.value.message
    with pytest.raises(offsite.HostKeyChanged):
        offsite.check(accept=server_fingerprint(ready))  # never accepted over a recorded key
    assert list(ready.remote.iterdir()) == []


def test_a_dropped_connection_resumes_without_sending_the_whole_copy_again(ready, tmp_path):
    path = fake_copy(tmp_path, size=8 * 1024 * 1024)
    dropped = []

    def drop_midway(done, total):
        if not dropped and done >= total // 2:
            dropped.append(ready.drop_connections())

    sent = offsite.push(path, progress=drop_midway, retry_wait=0)
    assert dropped and dropped[0] > 0
    assert sent.attempts == 2 and sent.resumed_from > 0
    assert sent.sent < sent.size + sent.resumed_from  # the second attempt sent only what was missing
    assert (ready.remote / NAME).read_bytes() == path.read_bytes()
    assert "retomada a partir de" in last_event().details


def test_a_single_attempt_keeps_the_part_and_the_next_push_resumes_from_it(ready, tmp_path):
    path = fake_copy(tmp_path, size=8 * 1024 * 1024)

    def drop_midway(done, total):
        if done >= total // 2:
            ready.drop_connections()

    with pytest.raises(PecError, match="caiu durante o envio"):
        offsite.push(path, progress=drop_midway, attempts=1)
    part = ready.remote / f".{NAME}.parcial"
    there = part.stat().st_size
    assert 0 < there < path.stat().st_size and not (ready.remote / NAME).exists()
    assert not offsite.upload_states([NAME])[NAME].ok
    sent = offsite.push(path)
    assert sent.resumed_from == there and sent.sent == path.stat().st_size - there
    assert (ready.remote / NAME).read_bytes() == path.read_bytes() and not part.exists()


def test_a_part_that_is_not_a_prefix_of_the_copy_is_sent_again_from_the_start(ready, tmp_path):
    path = fake_copy(tmp_path)
    (ready.remote / f".{NAME}.parcial").write_bytes(b"outra coisa" * 1000)
    sent = offsite.push(path)
    assert sent.resumed_from == 0 and sent.sent == path.stat().st_size
    assert (ready.remote / NAME).read_bytes() == path.read_bytes()


def test_remote_retention_keeps_what_the_policy_keeps(ready, tmp_path):
    from pec_tui.storage.database import transaction

    with transaction():
        settings.put(retention.DAILY_KEY, integer=2)
        settings.put(retention.MONTHLY_KEY, integer=0)
    (ready.remote / "leia-me.txt").write_text("não é uma cópia")
    names = [f"pec-tui-202611{day:02d}-020000.sqlite3.age" for day in (16, 17, 18, 19)]
    removed = [offsite.push(fake_copy(tmp_path, name, size=4096)).removed for name in names]
    assert removed == [[], [], [names[0]], [names[1]]]
    left = sorted(p.name for p in ready.remote.iterdir())
    assert left == ["leia-me.txt", *sorted(n + s for n in names[2:] for s in ("", ".manifest.json"))]
    assert f"Removidas do servidor pela retenção: {names[1]}." in last_event().details


def test_without_an_age_key_nothing_leaves_the_host(db, sshd, tmp_path):
    configure(sshd)
    done = backup.make(tmp_path / "copias")
    with pytest.raises(PecError, match="exigem cifra, e nenhuma chave age está configurada"):
        offsite.push(done.path)
    backup.keygen(tmp_path / "identidade.txt")
    with pytest.raises(PecError, match=f"A cópia {done.path.name} não está cifrada"):
        offsite.push(done.path)  # the old copy in clear stays here
    assert list(sshd.remote.iterdir()) == []


def test_a_key_the_server_does_not_know_is_refused_with_a_sentence(db, age_key, sshd, tmp_path):
    configure(sshd, key=sshd.stranger_key)
    with pytest.raises(PecError, match=r"recusou a chave .*estranha_ed25519 para o usuário .*authorized_keys"):
        offsite.check(accept=server_fingerprint(sshd))


def test_a_passphrase_is_needed_checked_and_kept_encrypted(db, age_key, sshd, tmp_path):
    with pytest.raises(ValidationError, match="protegida por frase-senha") as needed:
        configure(sshd, key=sshd.locked_key)
    assert needed.value.field == "sftp_frase"
    with pytest.raises(ValidationError, match="A frase-senha não abre a chave"):
        configure(sshd, key=sshd.locked_key, passphrase="errada")
    cfg = configure(sshd, key=sshd.locked_key, passphrase=PASSPHRASE)
    assert cfg.has_passphrase
    stored = ConsoleSetting.get(ConsoleSetting.key == offsite.PASSPHRASE_KEY).text
    assert PASSPHRASE not in stored
    assert all(PASSPHRASE not in (e.details or "") for e in AuditEvent.select())
    configure(sshd, key=sshd.locked_key)  # None keeps the stored passphrase
    assert offsite.check(accept=server_fingerprint(sshd)).accepted_now


def test_bad_settings_name_their_field(db):
    cases = [
        (("", 22, "u", "/k", "/p"), "sftp_servidor"),
        (("host..x", 22, "u", "/k", "/p"), "sftp_servidor"),
        (("h", 70000, "u", "/k", "/p"), "sftp_porta"),
        (("h", 22, "a b", "/k", "/p"), "sftp_usuario"),
        (("h", 22, "u", "", "/p"), "sftp_chave"),
        (("h", 22, "u", "/nao/existe", "/p"), "sftp_chave"),
        (("h", 22, "u", "/k", ""), "sftp_pasta"),
    ]
    for args, field_name in cases:
        with pytest.raises(ValidationError) as refused:
            offsite.configure(*args, by_user_id=None)
        assert refused.value.field == field_name, args
    with pytest.raises(PecError, match="não está configurado"):
        offsite.check()


def test_the_daily_job_uploads_after_the_local_copy_and_fails_when_the_upload_fails(ready, clock):
    outcome = catalogue.run_backup(catalogue.JobContext())
    assert outcome.ok and "Enviada para sftp://" in outcome.message
    [first] = [path for path, _manifest in backup.list_copies()]
    assert (ready.remote / first.name).read_bytes() == first.read_bytes()
    ready.stop()
    clock.advance(days=1)  # the next night: the retention rule keeps one copy a day
    failed = catalogue.run_backup(catalogue.JobContext())
    assert not failed.ok
    assert "O envio ao servidor SFTP falhou (a cópia local fica): Não foi possível conectar" in failed.message
    copies = [path for path, _manifest in backup.list_copies()]
    assert len(copies) == 2 and copies[0].is_file()
    assert not offsite.upload_states([copies[0].name])[copies[0].name].ok
