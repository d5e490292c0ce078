"""The certificate-expiry job on files made with cryptography in a PEC home's webserver/chaves."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12

from pec_tui.domain.tarefas import certificates, runs
from pec_tui.domain.tarefas.catalogue import BY_NAME, JobContext
from pec_tui.storage.models import AuditEvent, JobRun


def make_cert(name: str, not_after: dt.datetime):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - dt.timedelta(days=400))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)  # naive = local time, as the clock


@pytest.fixture
def chaves(tmp_path, clock):
    folder = tmp_path / "pec" / "webserver" / "chaves"
    folder.mkdir(parents=True)
    now = clock.current
    _, pem = make_cert("vence-logo", local(now + dt.timedelta(days=7, hours=1)))
    (folder / "a-pem.crt").write_bytes(pem.public_bytes(serialization.Encoding.PEM))
    key, long_lived = make_cert("longe", local(now + dt.timedelta(days=200)))
    (folder / "b-aberto.pfx").write_bytes(
        pkcs12.serialize_key_and_certificates(b"x", key, long_lived, None, serialization.NoEncryption())
    )
    key, locked = make_cert("com-senha", local(now + dt.timedelta(days=3)))
    (folder / "c-senha.pfx").write_bytes(
        pkcs12.serialize_key_and_certificates(b"x", key, locked, None, serialization.BestAvailableEncryption(b"s3"))
    )
    (folder / "d-lixo.pem").write_text("isto não é um certificado")
    (folder / "leia-me.txt").write_text("ignorado")
    return tmp_path / "pec"


def test_reads_each_file_or_says_why_not(chaves, clock):
    found = {cert.path.name: cert for cert in certificates.scan(chaves)}
    assert sorted(found) == ["a-pem.crt", "b-aberto.pfx", "c-senha.pfx", "d-lixo.pem"]
    today = clock.current.date()
    assert found["a-pem.crt"].subject == "vence-logo" and found["a-pem.crt"].days_left(today) == 7
    assert found["b-aberto.pfx"].days_left(today) == 200
    assert found["c-senha.pfx"].problem.startswith("protegido por senha")
    assert found["d-lixo.pem"].problem == "não é um certificado PEM ou DER válido"
    assert [certificates.warning_level(d) for d in (31, 30, 16, 15, 8, 7, 2, 1, 0, -5)] == [
        None, 30, 30, 15, 15, 7, 7, 1, 0, 0,
    ]  # fmt: skip


def test_job_warns_in_its_result_and_the_audit_trail(db, chaves):
    record = runs.execute(BY_NAME["certificados"], JobContext(pec_home=chaves), runs.CLI)
    assert record.status == JobRun.OK
    assert record.message.startswith("Validade: a-pem.crt vence em 7 dias (27/11/2026 10:00). Não lidos: ")
    assert "c-senha.pfx (protegido por senha" in record.message
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert event.record_type == "CERTIFICADO" and "a-pem.crt vence em 7 dias" in event.details


def test_an_expired_certificate_is_a_failed_run(db, chaves, clock):
    clock.advance(days=8)
    record = runs.execute(BY_NAME["certificados"], JobContext(pec_home=chaves), runs.CLI)
    assert record.status == JobRun.FAILED
    assert "a-pem.crt venceu em" in record.message


def test_without_a_pec_home_there_is_nothing_to_check(db):
    record = runs.execute(BY_NAME["certificados"], JobContext(pec_home=None), runs.CLI)
    assert (record.status, record.message) == (
        JobRun.OK,
        "Sem pasta do PEC neste servidor: nenhum certificado a verificar.",
    )
