"""The retention rule applied to the local folder: after each successful copy (the job and
``backup now``), copies not kept are deleted with their manifests, only pec-tui's own (named like a
copy and with a manifest naming it); one audit event lists them. The policy is a setting the
installation administrator changes (audited). A controlled clock dates the copies."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain.tarefas import backup, retention, runs
from pec_tui.domain.tarefas.catalogue import BY_NAME, JobContext
from pec_tui.storage.database import transaction
from pec_tui.storage.models import AuditEvent, ConsoleSetting, User


def last_event() -> AuditEvent:
    return AuditEvent.select().order_by(AuditEvent.id.desc()).first()


def fake_copy(folder: Path, moment: dt.datetime, *, manifest: bool = True, names: str | None = None) -> Path:
    path = folder / f"pec-tui-{moment:%Y%m%d-%H%M%S}.sqlite3"
    path.write_bytes(b"copia")
    if manifest:
        data = {
            "arquivo": names or path.name, "banco": "sqlite", "versao_esquema": 7, "tamanho": 5,
            "sha256": "0" * 64, "data": moment.isoformat(sep=" "), "cifrada": False, "contagens": {},
        }  # fmt: skip
        (folder / (path.name + backup.MANIFEST_SUFFIX)).write_text(json.dumps(data))
    return path


def test_prune_keeps_the_policy_and_deletes_each_copy_with_its_manifest(db, tmp_path):
    folder = tmp_path / "copias"
    folder.mkdir()
    start = dt.datetime(2026, 9, 25, 2, 0)
    made = [fake_copy(folder, start + dt.timedelta(days=day, hours=hour)) for day in range(60) for hour in (0, 12)]
    loose = fake_copy(folder, dt.datetime(2026, 1, 1), manifest=False)  # no manifest: never touched
    borrowed = fake_copy(folder, dt.datetime(2026, 2, 1), names="outro-arquivo.sqlite3")  # a manifest of another
    other = folder / "minha-copia.sqlite3"
    other.write_bytes(b"do administrador")

    removed = backup.prune(folder, retention.Policy(daily=3, monthly=2))

    left = sorted(p.name for p in folder.iterdir() if not p.name.endswith(backup.MANIFEST_SUFFIX))
    assert left == sorted(
        [
            loose.name, borrowed.name, other.name,
            "pec-tui-20261031-140000.sqlite3",  # the newest of October (the second month)
            "pec-tui-20261121-140000.sqlite3", "pec-tui-20261122-140000.sqlite3",
            "pec-tui-20261123-140000.sqlite3",  # the last three days; the newest is November's too
        ]
    )  # fmt: skip
    assert len(removed) == len(made) - 4 and made[0].name in removed
    manifests = sorted(p.name.removesuffix(backup.MANIFEST_SUFFIX) for p in folder.glob("*" + backup.MANIFEST_SUFFIX))
    assert manifests == sorted(set(left) - {loose.name, other.name})  # each deleted copy's manifest went with it
    event = last_event()
    assert (event.event_type, event.record_id) == ("COPIA_SEGURANCA", "retencao")
    assert event.details.startswith(
        "Retenção das cópias de segurança (mantém 3 cópias diárias e 2 mensais, e sempre a mais recente): "
        f"{len(removed)} apagadas: pec-tui-20260925-020000.sqlite3, pec-tui-20260925-140000.sqlite3, "
    )
    count = AuditEvent.select().count()
    assert backup.prune(folder, retention.Policy(daily=3, monthly=2)) == ()
    assert AuditEvent.select().count() == count  # nothing removed: no event


def test_each_copy_applies_the_installations_policy(db, clock):
    folder = backup.default_folder()  # the job's
    assert retention.current_policy() == retention.Policy(7, 12)
    retention.set_policy(1, 0, None)
    first = backup.make(folder)
    assert first.removed == ()
    clock.advance(days=1)
    record = runs.execute(BY_NAME["backup"], JobContext(), runs.CLI)  # the daily job
    assert record.message.startswith("Cópia pec-tui-20261121-090000.")
    assert "Retenção: 1 cópia(s) antiga(s) apagada(s)." in record.message
    kind = first.path.name.split(".")[1]
    assert [p.name for p, _ in backup.list_copies(folder)] == [f"pec-tui-20261121-090000.{kind}"]
    assert not first.path.with_name(first.path.name + backup.MANIFEST_SUFFIX).exists()
    assert (
        "1 apagada: " + first.path.name in AuditEvent.select().where(AuditEvent.record_id == "retencao").first().details
    )


def test_the_policy_is_a_setting_changed_with_an_audit_event(db):
    policy = retention.set_policy(10, None, None)
    assert policy == retention.Policy(10, 12) == retention.current_policy()
    assert ConsoleSetting.get_by_id(retention.DAILY_KEY).integer == 10
    event = last_event()
    assert (event.event_type, event.record_id) == ("OPERACAO_BANCO_DADOS", retention.DAILY_KEY)
    assert event.details == (
        "Retenção das cópias de segurança: mantém 10 cópias diárias e 12 mensais, e sempre a mais recente "
        "(antes 7 diárias e 12 mensais)."
    )
    with pytest.raises(ValidationError, match="Mantenha ao menos uma cópia diária ou mensal"):
        retention.set_policy(0, 0, None)
    with pytest.raises(ValidationError, match="vai de 0 a 1000"):
        retention.set_policy(None, 5000, None)
    assert retention.current_policy() == retention.Policy(10, 12)


def test_only_the_installation_administrator_changes_it(db, installation):
    with transaction():
        other = User.create(login="11144477735")
    with pytest.raises(PecError, match="Só o administrador da instalação"):
        retention.set_policy(3, 3, other.id)
    assert retention.current_policy() == retention.Policy()
