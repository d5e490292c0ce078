"""Configuração RNDS (manual 3.11.4, 3.12.4, 3.12.5): the municipality's access to RNDS.

PEC keeps it in ``tb_cfg_rnds``: one row per municipality while the access is enabled — the
certificate's file name in ``webserver/chaves``, its password, the "Identificador solicitante",
the certificate's expiry, when it was enabled and by which municipal administrator
(``co_ator_papel`` of ``tb_adm_municipal``). "Desabilitar" deletes the row (PEC's ``ta_cfg_rnds``
trigger keeps the history on a PEC installation).

**Habilitar** only after the certificate opens with the password, holds its private key and is
valid today (:func:`pec_tui.domain.certificados.check_usable`); the reason otherwise goes to the
field. The password is stored encrypted like the SMTP password (:mod:`pec_tui.domain.secret_store`).

What pec-tui cannot do as PEC does: PEC encrypts ``ds_senha_certificado`` with its own key, which
pec-tui does not have, so on a PEC installation Habilitar/Desabilitar are refused with that
reason (the PEC's own screen does them) and the tab and ``pec-tui rnds status`` only read.
The installation's contra-chave is PEC's own too: pec-tui keeps one of its own
(``PECTUI_RNDS_CONTRA_CHAVE``) only on its own database.

Audit events of table 3.9.1: "Habilitar o PEC a acessar RNDS" and "Desabilitar PEC a acessar RNDS".
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from pec_tui.core import clock
from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import audit, certificados, secret_store, settings
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.compatibilidade import require_writable
from pec_tui.domain.gestao_municipal import municipal_admin_role, municipality_name
from pec_tui.domain.installation import is_own_database
from pec_tui.storage.database import current_database, transaction
from pec_tui.storage.models import RndsConfig

COMPONENT = "pec-tui/gestao_municipal/rnds"
COUNTER_KEY = "PECTUI_RNDS_CONTRA_CHAVE"
REQUESTER_MAX = 255
NOT_ON_PEC = (
    "Numa instalação do PEC, habilite ou desabilite a RNDS pela tela Gestão municipal do próprio PEC: a senha "
    "do certificado em tb_cfg_rnds é cifrada com a chave do PEC, que o pec-tui não tem."
)


@dataclass(frozen=True)
class RndsStatus:
    localidade_id: int
    municipality: str
    enabled: bool
    certificate: str | None = None
    requester_id: str | None = None
    enabled_at: dt.datetime | None = None
    valid_until: dt.datetime | None = None

    def days_left(self, now: dt.datetime | None = None) -> int | None:
        if self.valid_until is None:
            return None
        return (self.valid_until - (now or clock.now())).days


def _table_exists() -> bool:
    return current_database().table_exists(RndsConfig._meta.table_name)


def _municipality_name(localidade_id: int) -> str:
    return municipality_name(localidade_id)


def status(localidade_id: int) -> RndsStatus:
    name = _municipality_name(localidade_id)
    if not _table_exists():
        return RndsStatus(localidade_id, name, False)
    row = RndsConfig.select().where(RndsConfig.localidade == localidade_id).order_by(RndsConfig.id.desc()).first()
    if row is None:
        return RndsStatus(localidade_id, name, False)
    return RndsStatus(
        localidade_id,
        name,
        True,
        row.certificate_name,
        row.requester_id,
        row.enabled_at,
        row.certificate_valid_until,
    )


def statuses(localidade_ids: list[int]) -> list[RndsStatus]:
    return [status(localidade_id) for localidade_id in localidade_ids]


def counter_key() -> str | None:
    """The installation's contra-chave to copy to e-Gestor AB: pec-tui's own on its own database
    (made once, 64 hexadecimal characters), ``None`` on a PEC installation (it is PEC's)."""
    if not is_own_database():
        return None
    value = settings.get_text(COUNTER_KEY)
    if value:
        return value
    with transaction():
        value = settings.get_text(COUNTER_KEY)
        if not value:
            value = secrets.token_hex(32).upper()
            settings.put(COUNTER_KEY, text=value)
    return value


def _admin_role(localidade_id: int, by_user_id: int | None) -> int:
    return municipal_admin_role(localidade_id, by_user_id, "a Configuração RNDS")


def _require_own_database() -> None:
    if not is_own_database():
        raise PecError(NOT_ON_PEC)
    require_writable("gestao_municipal")


def enable(
    localidade_id: int,
    folder: Path,
    certificate_name: str,
    password: str,
    requester_id: str,
    *,
    by_user_id: int | None,
) -> RndsStatus:
    """ "Habilitar": check the certificate with its password, then keep it for the municipality."""
    name = (certificate_name or "").strip()
    if not name:
        raise ValidationError("Escolha o certificado da pasta chaves.", "certificado")
    if not password:
        raise ValidationError("Informe a senha do certificado.", "senha")
    requester = (requester_id or "").strip()
    if not requester:
        raise ValidationError(
            "Informe o identificador solicitante obtido no Portal de Serviços do DATASUS.", "identificador"
        )
    if len(requester) > REQUESTER_MAX:
        raise ValidationError(f"O identificador solicitante pode ter até {REQUESTER_MAX} caracteres.", "identificador")
    _require_own_database()
    path = folder / certificados.safe_name(name)
    if not path.is_file():
        raise ValidationError(f"{name} não está na pasta {folder}.", "certificado")
    try:
        info = certificados.check_usable(path, password)
    except ValidationError:
        raise
    except PecError as exc:
        raise ValidationError(exc.message, "certificado") from None
    token = secret_store.encrypt(password)
    if len(token) > 255:
        raise ValidationError("A senha do certificado é longa demais para ser guardada.", "senha")
    now = clock.now()
    with transaction():
        role = _admin_role(localidade_id, by_user_id)
        RndsConfig.delete().where(RndsConfig.localidade == localidade_id).execute()
        RndsConfig.create(
            localidade=localidade_id,
            municipal_admin=role,
            certificate_name=path.name,
            certificate_password=token,
            included_at=now,
            enabled_at=now,
            certificate_valid_until=info.not_after,
            requester_id=requester,
        )
        audit.record(
            EventType.RNDS_ENABLED,
            component=COMPONENT,
            user_id=by_user_id,
            record_type=RecordType.CERTIFICATE,
            record_id=path.name[: certificados.RECORD_ID_MAX],
            details=f"RNDS habilitada para {_municipality_name(localidade_id)}: certificado {path.name} "
            f"({info.holder_document}, válido até {info.not_after:%d/%m/%Y}), identificador solicitante {requester}.",
        )
    return status(localidade_id)


def disable(localidade_id: int, *, by_user_id: int | None) -> RndsStatus:
    """ "Desabilitar": the municipality's row removed; the certificate stays in the folder."""
    _require_own_database()
    with transaction():
        _admin_role(localidade_id, by_user_id)
        current = status(localidade_id)
        if not current.enabled:
            raise PecError("O acesso à RNDS já está desabilitado.")
        RndsConfig.delete().where(RndsConfig.localidade == localidade_id).execute()
        audit.record(
            EventType.RNDS_DISABLED,
            component=COMPONENT,
            user_id=by_user_id,
            record_type=RecordType.CERTIFICATE,
            record_id=(current.certificate or "")[: certificados.RECORD_ID_MAX],
            details=f"RNDS desabilitada para {current.municipality} (certificado {current.certificate}).",
        )
    return status(localidade_id)
