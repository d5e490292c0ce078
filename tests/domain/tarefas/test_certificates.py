"""The certificate-expiry job on files made with cryptography in a PEC home's webserver/chaves."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12

from pec_tui.domain.gestao_municipal import rnds
from pec_tui.domain.tarefas import certificates, runs
from pec_tui.domain.tarefas.catalogue import BY_NAME, COMPONENT, JobContext
from pec_tui.storage.models import AuditEvent, JobRun
from tests.domain.gestao_municipal.conftest import municipality  # noqa: F401 (the fixture)
from tests.support import certificates as make


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


def test_reads_each_file_or_says_why_not(db, chaves, clock):
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


def certificate_events() -> list[str]:
    return [
        event.details
        for event in AuditEvent.select().where(AuditEvent.component == COMPONENT).order_by(AuditEvent.id)
        if event.record_type == "CERTIFICADO"
    ]


def test_the_audit_event_only_when_a_threshold_is_first_reached(db, tmp_path, clock):
    folder = tmp_path / "pec" / "webserver" / "chaves"
    folder.mkdir(parents=True)
    _, cert = make_cert("um-mes", local(clock.current + dt.timedelta(days=32, hours=1)))
    (folder / "um-mes.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    messages = []
    for _day in range(35):
        for _twice in range(2):  # run-now the same day: nothing announced again
            record = runs.execute(BY_NAME["certificados"], JobContext(pec_home=tmp_path / "pec"), runs.CLI)
        messages.append(record.message)
        clock.advance(days=1)
    assert messages[1] == "1 certificado(s) válido(s) por mais de 30 dias."
    assert messages[2].startswith("Validade: um-mes.crt vence em 30 dias")
    assert messages[3].startswith("Validade: um-mes.crt vence em 29 dias")  # in the result every day
    assert [details.split(" (")[0] for details in certificate_events()] == [
        "Validade de certificados: um-mes.crt vence em 30 dias",
        "Validade de certificados: um-mes.crt vence em 15 dias",
        "Validade de certificados: um-mes.crt vence em 7 dias",
        "Validade de certificados: um-mes.crt vence em 1 dia",
        "Validade de certificados: um-mes.crt venceu em 22/12/2026 10:00.",
    ]
    # renewed (same name, a new end of validity): announced afresh
    _, renewed = make_cert("um-mes", local(clock.current + dt.timedelta(days=10)))
    (folder / "um-mes.crt").write_bytes(renewed.public_bytes(serialization.Encoding.PEM))
    runs.execute(BY_NAME["certificados"], JobContext(pec_home=tmp_path / "pec"), runs.CLI)
    assert certificate_events()[-1].startswith("Validade de certificados: um-mes.crt vence em 10 dias")


def test_the_rnds_certificate_is_read_with_its_password_and_named(municipality, tmp_path, clock):  # noqa: F811
    folder = tmp_path / "pec" / "webserver" / "chaves"
    folder.mkdir(parents=True)
    make.pfx(folder / "municipio.pfx", not_after=clock.current + dt.timedelta(days=15, hours=1))
    rnds.enable(municipality, folder, "municipio.pfx", make.PASSWORD, "987654", by_user_id=None)
    found = {cert.path.name: cert for cert in certificates.scan(tmp_path / "pec")}
    assert found["municipio.pfx"].label == "certificado da RNDS municipio.pfx (Chapecó)"
    assert found["municipio.pfx"].days_left(clock.current.date()) == 15  # opened with the kept password
    record = runs.execute(BY_NAME["certificados"], JobContext(pec_home=tmp_path / "pec"), runs.CLI)
    assert record.message.startswith("Validade: certificado da RNDS municipio.pfx (Chapecó) vence em 15 dias")
    assert "certificado da RNDS municipio.pfx (Chapecó) vence em 15 dias" in certificate_events()[-1]
    # without the PEC's folder on this host: by the expiry Configuração RNDS recorded
    record = runs.execute(BY_NAME["certificados"], JobContext(pec_home=None), runs.CLI)
    assert record.message.startswith("Validade: certificado da RNDS municipio.pfx (Chapecó) vence em 15 dias")
    assert len(certificate_events()) == 1  # the same threshold: not announced again
