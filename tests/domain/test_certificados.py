"""Certificados: reading ICP-Brasil A1 certificates and changing the ``chaves`` folder, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import stat
from pathlib import Path

import pytest

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import certificados
from pec_tui.storage.models import (
    ActorRole,
    AuditEvent,
    InstallationMunicipality,
    MunicipalAdmin,
    Professional,
    RndsConfig,
)
from tests.support import certificates as make
from tests.support.constants import FIXED_NOW


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every entry of the folder (hidden ones too): mode and content hash."""
    return {
        path.name: (path.stat().st_mode, hashlib.sha256(path.read_bytes()).hexdigest())
        for path in sorted(folder.iterdir())
    }


@pytest.fixture
def chaves(tmp_path: Path) -> Path:
    folder = tmp_path / "webserver" / "chaves"
    folder.mkdir(parents=True, mode=0o700)
    return folder


@pytest.fixture
def incoming(tmp_path: Path) -> Path:
    folder = tmp_path / "recebidos"
    folder.mkdir()
    return folder


# --------------------------------------------------------------------------------------------
# Reading (no database)
# --------------------------------------------------------------------------------------------


def test_e_cnpj_reads_subject_cnpj_issuer_validity_and_key(incoming: Path):
    path = make.pfx(incoming / "municipio.pfx")
    info = certificados.read_certificate(path, make.PASSWORD)
    assert info.subject == "PREFEITURA MUNICIPAL DE TESTE:83102335000113"
    assert info.cnpj == make.CNPJ and info.cpf is None
    assert info.holder_document == "CNPJ 83.102.335/0001-13"
    assert info.issuer == make.ISSUER
    assert info.has_key
    assert info.not_after == FIXED_NOW + dt.timedelta(days=335)
    assert info.days_left() == 335
    assert info.problem() is None
    assert info.validity_label() == f"vence em {info.not_after:%d/%m/%Y} (335 dias)"


def test_e_cpf_reads_the_holders_cpf(incoming: Path):
    path = make.pfx(incoming / "pessoa.p12", cnpj=None, cpf=make.CPF, name="HELENA MARTINS:52998224725")
    info = certificados.read_certificate(path, make.PASSWORD)
    assert info.cpf == make.CPF and info.cnpj is None
    assert info.holder_document == "CPF 529.982.247-25"


def test_openssl_made_pfx_is_read(incoming: Path, clock):
    path = make.pfx_by_openssl(incoming)
    clock.current = dt.datetime.now().replace(microsecond=0)  # openssl starts its validity at the real now
    info = certificados.read_certificate(path, make.PASSWORD)
    assert info.cnpj == make.CNPJ
    assert info.subject == "PREFEITURA OPENSSL"
    assert info.has_key
    assert info.problem() is None
    assert 98 <= info.days_left() <= 100


def test_wrong_password_is_told_apart_from_a_file_that_is_no_pkcs12(incoming: Path):
    path = make.pfx(incoming / "municipio.pfx")
    with pytest.raises(certificados.WrongPassword, match="A senha não abre o certificado municipio.pfx"):
        certificados.read_certificate(path, "errada")
    with pytest.raises(certificados.WrongPassword, match="tem senha: informe-a"):
        certificados.read_certificate(path, None)
    junk = incoming / "falso.pfx"
    junk.write_bytes(b"isto nao e um certificado")
    with pytest.raises(PecError, match="não é um certificado PKCS#12"):
        certificados.read_certificate(junk, "x")


def test_cer_and_other_files_are_refused_with_the_manuals_reason(incoming: Path):
    with pytest.raises(PecError, match=r"\.cer não é aceito pelo PEC"):
        certificados.read_certificate(make.cer(incoming / "portal.cer"), None)
    # a .cer renamed .pfx is still a certificate without its key
    with pytest.raises(PecError, match=r"\.cer não é aceito pelo PEC"):
        certificados.read_certificate(make.cer(incoming / "renomeado.pfx"), None)
    notes = incoming / "leia.txt"
    notes.write_text("oi")
    with pytest.raises(PecError, match="só certificados A1"):
        certificados.read_certificate(notes, None)


def test_problems_keyless_expired_not_yet_valid(incoming: Path):
    keyless = certificados.read_certificate(make.pfx(incoming / "semchave.pfx", with_key=False), make.PASSWORD)
    assert keyless.problem() == "o arquivo não tem a chave privada do certificado"
    expired = certificados.read_certificate(
        make.pfx(incoming / "vencido.pfx", not_after=FIXED_NOW - dt.timedelta(days=2)), make.PASSWORD
    )
    assert expired.problem().startswith("o certificado venceu em ")
    assert expired.days_left() < 0
    assert expired.validity_label().startswith("vencido em ")
    future = certificados.read_certificate(
        make.pfx(incoming / "futuro.pfx", not_before=FIXED_NOW + dt.timedelta(days=3)), make.PASSWORD
    )
    assert future.problem().startswith("o certificado só é válido a partir de ")


def test_listing_names_every_file_and_reads_those_it_can(chaves: Path):
    make.pfx(chaves / "municipio.pfx")
    make.pfx(chaves / "aberto.p12", password="")
    make.cer(chaves / "portal.cer")
    (chaves / "leia.txt").write_text("oi")
    listing = certificados.list_folder(chaves, {}, {"municipio.pfx"})
    by_name = {entry.name: entry for entry in listing.entries}
    assert list(by_name) == ["aberto.p12", "leia.txt", "municipio.pfx", "portal.cer"]
    assert by_name["municipio.pfx"].info is None
    assert by_name["municipio.pfx"].note == certificados.PASSWORD_NEEDED
    assert by_name["municipio.pfx"].size > 0 and by_name["municipio.pfx"].in_rnds
    assert by_name["aberto.p12"].info is not None and by_name["aberto.p12"].usable()
    assert by_name["portal.cer"].kind == "recusado" and "não é aceito pelo PEC" in by_name["portal.cer"].note
    assert by_name["leia.txt"].kind == "recusado"
    again = certificados.list_folder(chaves, {"municipio.pfx": make.PASSWORD})
    assert next(e for e in again.entries if e.name == "municipio.pfx").info.cnpj == make.CNPJ
    wrong = certificados.list_folder(chaves, {"municipio.pfx": "errada"})
    assert "A senha não abre" in next(e for e in wrong.entries if e.name == "municipio.pfx").note


def test_missing_folder_is_listed_as_missing(tmp_path: Path):
    listing = certificados.list_folder(tmp_path / "nada")
    assert not listing.exists and listing.entries == []


def test_folder_for_pec_home_and_demo(tmp_path: Path):
    assert certificados.folder_for(tmp_path) == tmp_path / "webserver" / "chaves"
    assert certificados.folder_for(None) is None
    assert certificados.folder_for(None, demo=True).parts[-2:] == ("webserver", "chaves")


# --------------------------------------------------------------------------------------------
# Changes (audited: both backends)
# --------------------------------------------------------------------------------------------


def audit_details() -> list[str]:
    return [event.details for event in AuditEvent.select().order_by(AuditEvent.id)]


def test_create_folder_owner_only_and_audited(db, tmp_path: Path):
    webserver = tmp_path / "webserver"
    webserver.mkdir()
    folder = webserver / "chaves"
    certificados.create_folder(folder, by_user_id=None)
    assert folder.is_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert audit_details() == [f"Pasta de certificados criada: {folder} (somente o dono)."]
    with pytest.raises(PecError, match="já existe"):
        certificados.create_folder(folder, by_user_id=None)
    with pytest.raises(PecError, match="não existe: confira a pasta de instalação"):
        certificados.create_folder(tmp_path / "outro" / "webserver" / "chaves", by_user_id=None)
    assert len(audit_details()) == 1


def test_add_copies_atomically_owner_only_and_audits(db, chaves: Path, incoming: Path):
    source = make.pfx(incoming / "municipio.pfx")
    entry = certificados.add_certificate(chaves, source, make.PASSWORD, by_user_id=None)
    target = chaves / "municipio.pfx"
    assert target.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in chaves.iterdir()] == ["municipio.pfx"]  # no temporary file left
    assert entry.info.cnpj == make.CNPJ
    (details,) = audit_details()
    assert details.startswith("Certificado adicionado na pasta chaves: municipio.pfx (PREFEITURA")
    assert make.PASSWORD not in details


@pytest.mark.parametrize(
    ("maker", "password", "error", "message"),
    [
        (lambda d: make.pfx(d / "municipio.pfx"), "errada", ValidationError, "A senha não abre"),
        (lambda d: make.cer(d / "portal.cer"), None, PecError, r"\.cer não é aceito pelo PEC"),
        (lambda d: make.pfx(d / "semchave.pfx", with_key=False), make.PASSWORD, PecError, "não tem a chave privada"),
        (
            lambda d: make.pfx(d / "vencido.pfx", not_after=FIXED_NOW - dt.timedelta(days=1)),
            make.PASSWORD,
            PecError,
            "recusado: o certificado venceu em",
        ),
        (
            lambda d: make.pfx(d / "futuro.pfx", not_before=FIXED_NOW + dt.timedelta(days=1)),
            make.PASSWORD,
            PecError,
            "só é válido a partir de",
        ),
    ],
    ids=["senha-errada", "cer", "sem-chave", "vencido", "ainda-nao-valido"],
)
def test_refused_add_leaves_the_folder_byte_identical(db, chaves, incoming, maker, password, error, message):
    make.pfx(chaves / "existente.pfx")
    before = snapshot(chaves)
    with pytest.raises(error, match=message):
        certificados.add_certificate(chaves, maker(incoming), password, by_user_id=None)
    assert snapshot(chaves) == before
    assert audit_details() == []


def test_name_already_present_needs_replace(db, chaves: Path, incoming: Path):
    make.pfx(chaves / "municipio.pfx", name="ANTIGO")
    before = snapshot(chaves)
    source = make.pfx(incoming / "municipio.pfx", name="NOVO")
    with pytest.raises(PecError, match="Já existe municipio.pfx"):
        certificados.add_certificate(chaves, source, make.PASSWORD, by_user_id=None)
    assert snapshot(chaves) == before
    certificados.add_certificate(chaves, source, make.PASSWORD, replace=True, by_user_id=None)
    assert certificados.read_certificate(chaves / "municipio.pfx", make.PASSWORD).subject == "NOVO"
    assert audit_details()[0].startswith("Certificado substituído na pasta chaves: municipio.pfx (NOVO")


def test_failed_write_leaves_folder_identical(db, chaves: Path, incoming: Path, monkeypatch):
    make.pfx(chaves / "existente.pfx")
    before = snapshot(chaves)
    source = make.pfx(incoming / "municipio.pfx")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(certificados.os, "replace", broken_replace)
    with pytest.raises(PecError, match="Não foi possível gravar municipio.pfx"):
        certificados.add_certificate(chaves, source, make.PASSWORD, by_user_id=None)
    assert snapshot(chaves) == before
    assert audit_details() == []  # the audit event rolled back with the failed rename


def test_remove_and_check_are_audited(db, chaves: Path):
    make.pfx(chaves / "municipio.pfx")
    entry = certificados.check_certificate(chaves, "municipio.pfx", make.PASSWORD, by_user_id=None)
    assert entry.info.cnpj == make.CNPJ
    with pytest.raises(ValidationError, match="A senha não abre"):
        certificados.check_certificate(chaves, "municipio.pfx", "errada", by_user_id=None)
    certificados.remove_certificate(chaves, "municipio.pfx", by_user_id=None)
    assert not (chaves / "municipio.pfx").exists()
    details = audit_details()
    assert details[0].startswith("Certificado verificado: municipio.pfx (PREFEITURA")
    assert details[1] == "Arquivo removido da pasta chaves: municipio.pfx."
    with pytest.raises(PecError, match="Não há municipio.pfx"):
        certificados.remove_certificate(chaves, "municipio.pfx", by_user_id=None)
    with pytest.raises(ValidationError, match="Nome de arquivo inválido"):
        certificados.remove_certificate(chaves, "../chaves/x.pfx", by_user_id=None)


def add_rnds_row(name: str) -> None:
    """A Configuração RNDS row as PEC keeps it (tb_cfg_rnds), for the municipality's administrator."""
    localidade = InstallationMunicipality.select().first().localidade_id
    professional = Professional.select().first()
    role = ActorRole.create(kind=ActorRole.MUNICIPAL_ADMIN, professional=professional)
    MunicipalAdmin.create(role=role, localidade=localidade, added_at=FIXED_NOW)
    RndsConfig.create(
        localidade=localidade,
        municipal_admin=role.id,
        certificate_name=name,
        certificate_password="cifrada",
        included_at=FIXED_NOW,
        enabled_at=FIXED_NOW,
        certificate_valid_until=FIXED_NOW + dt.timedelta(days=300),
        requester_id="123456",
    )


def test_remove_refused_while_rnds_uses_it(installation, chaves: Path):
    make.pfx(chaves / "municipio.pfx")
    add_rnds_row("municipio.pfx")
    assert set(certificados.rnds_certificates()) == {"municipio.pfx"}
    listed = certificados.list_folder(chaves, {}, set(certificados.rnds_certificates()))
    assert listed.entries[0].in_rnds
    before = len(audit_details())
    with pytest.raises(PecError, match="usado pela Configuração RNDS"):
        certificados.remove_certificate(chaves, "municipio.pfx", by_user_id=None)
    assert (chaves / "municipio.pfx").exists()
    assert len(audit_details()) == before


def test_rnds_certificates_empty_without_configuration(db):
    assert certificados.rnds_certificates() == {}
