"""Configuração RNDS: enable only with a usable certificate, password encrypted, audited; disable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import certificados, secret_store
from pec_tui.domain.audit import EventType
from pec_tui.domain.gestao_municipal import rnds
from pec_tui.domain.installation import OWN_DATABASE_KEY
from pec_tui.storage.database import transaction
from pec_tui.storage.models import (
    AuditEvent,
    ConsoleSetting,
    MunicipalAdmin,
    Professional,
    RndsConfig,
    SystemConfig,
    User,
)
from tests.support import certificates as make
from tests.support.constants import FIXED_NOW


@pytest.fixture
def chaves(tmp_path: Path) -> Path:
    folder = tmp_path / "chaves"
    folder.mkdir(mode=0o700)
    make.pfx(folder / "municipio.pfx")
    make.pfx(folder / "vencido.pfx", not_after=FIXED_NOW - dt.timedelta(days=1))
    make.pfx(folder / "semchave.pfx", with_key=False)
    return folder


def rnds_events() -> list[tuple[str, str]]:
    return [(e.event_type, e.details) for e in AuditEvent.select().where(AuditEvent.component == rnds.COMPONENT)]


def test_enable_then_disable(municipality, chaves):
    assert not rnds.status(municipality).enabled
    result = rnds.enable(municipality, chaves, "municipio.pfx", make.PASSWORD, " 987654 ", by_user_id=None)
    assert result.enabled and result.certificate == "municipio.pfx" and result.requester_id == "987654"
    assert result.valid_until == FIXED_NOW + dt.timedelta(days=335)
    assert result.days_left() == 335
    row = RndsConfig.get()
    assert row.localidade_id == municipality
    assert row.municipal_admin_id == MunicipalAdmin.get().role_id
    assert row.enabled_at == FIXED_NOW and row.included_at == FIXED_NOW
    # the password at rest is a token only the secret store opens
    assert make.PASSWORD not in row.certificate_password
    assert secret_store.decrypt(row.certificate_password) == make.PASSWORD
    assert set(certificados.rnds_certificates()) == {"municipio.pfx"}

    off = rnds.disable(municipality, by_user_id=None)
    assert not off.enabled and RndsConfig.select().count() == 0
    with pytest.raises(PecError, match="já está desabilitado"):
        rnds.disable(municipality, by_user_id=None)
    events = rnds_events()
    assert [kind for kind, _ in events] == [EventType.RNDS_ENABLED.value, EventType.RNDS_DISABLED.value]
    assert events[0][1].startswith("RNDS habilitada para ")
    assert "CNPJ 83.102.335/0001-13" in events[0][1] and make.PASSWORD not in events[0][1]
    assert EventType.RNDS_ENABLED.label == "Habilitar o PEC a acessar RNDS"
    assert EventType.RNDS_DISABLED.label == "Desabilitar PEC a acessar RNDS"


def test_the_rnds_certificate_is_listed_with_the_password_rnds_keeps(municipality, chaves):
    """After a restart nobody has typed its password: the screen and pec-tui certs list read the
    RNDS certificate with the one Configuração RNDS keeps encrypted; the others still ask."""
    before = {entry.name: entry for entry in certificados.list_folder(chaves).entries}
    assert before["municipio.pfx"].info is None and before["municipio.pfx"].note == certificados.PASSWORD_NEEDED
    rnds.enable(municipality, chaves, "municipio.pfx", make.PASSWORD, "987654", by_user_id=None)
    listing = certificados.list_folder(chaves, certificados.rnds_passwords())
    after = {entry.name: entry for entry in listing.entries}
    assert (
        after["municipio.pfx"].info is not None and after["municipio.pfx"].in_rnds is False
    )  # in_rnds is the caller's
    assert after["vencido.pfx"].info is None  # not RNDS's: still needs its password
    with transaction():  # on a PEC installation the password is PEC's to decrypt: not read
        for model in (ConsoleSetting, SystemConfig):
            model.delete().where(model.key == OWN_DATABASE_KEY).execute()
    assert certificados.rnds_passwords() == {}


@pytest.mark.parametrize(
    ("name", "password", "requester", "field", "message"),
    [
        ("", make.PASSWORD, "1", "certificado", "Escolha o certificado"),
        ("municipio.pfx", "", "1", "senha", "Informe a senha"),
        ("municipio.pfx", make.PASSWORD, "  ", "identificador", "identificador solicitante"),
        ("municipio.pfx", "errada", "1", "senha", "A senha não abre"),
        ("vencido.pfx", make.PASSWORD, "1", "certificado", "venceu em"),
        ("semchave.pfx", make.PASSWORD, "1", "certificado", "não tem a chave privada"),
        ("outro.pfx", make.PASSWORD, "1", "certificado", "não está na pasta"),
    ],
)
def test_enable_refusals_name_the_field_and_change_nothing(
    municipality, chaves, name, password, requester, field, message
):
    with pytest.raises(ValidationError, match=message) as refused:
        rnds.enable(municipality, chaves, name, password, requester, by_user_id=None)
    assert refused.value.field == field
    assert RndsConfig.select().count() == 0
    assert rnds_events() == []


def test_only_the_municipal_administrator(municipality, chaves):
    other = User.create(login="11144477735", blocked=False)
    with pytest.raises(PecError, match="Só o administrador municipal"):
        rnds.enable(municipality, chaves, "municipio.pfx", make.PASSWORD, "1", by_user_id=other.id)
    assert RndsConfig.select().count() == 0
    admin_user = Professional.select().first().user_id
    assert rnds.enable(municipality, chaves, "municipio.pfx", make.PASSWORD, "1", by_user_id=admin_user).enabled


def test_on_a_pec_installation_only_reads(municipality, chaves):
    """Without pec-tui's own-database mark, the database is a PEC installation's."""
    with transaction():
        for model in (ConsoleSetting, SystemConfig):
            model.delete().where(model.key == OWN_DATABASE_KEY).execute()
    with pytest.raises(PecError, match="pela tela Gestão municipal do próprio PEC"):
        rnds.enable(municipality, chaves, "municipio.pfx", make.PASSWORD, "1", by_user_id=None)
    assert rnds.counter_key() is None
    assert not rnds.status(municipality).enabled


def test_counter_key_made_once(installation):
    first = rnds.counter_key()
    assert len(first) == 64 and first == rnds.counter_key()
