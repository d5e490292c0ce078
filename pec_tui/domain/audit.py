"""Audit trail (manual 3.9): one function records an event inside the caller's transaction.

Events are append-only and hash-chained: each row's ``ds_hash`` is
``sha256(previous row's ds_hash + canonical(row))``. The chain's head (row count and last hash)
is kept in ``tb_config_sistema``, written in the same transaction, so removing the newest rows
is detected too. :func:`verify` walks the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from pec_tui.core import clock
from pec_tui.core.formatting import agree, quantity
from pec_tui.storage.database import current_database, is_postgres
from pec_tui.storage.models import AuditEvent, ConsoleSetting

GENESIS = "0" * 64
HEAD_KEY = "PECTUI_AUDITORIA_CABECA"
#: Where the trail is, as an administrator finds it in psql (``pectui.evento_auditoria``).
TRAIL_NAME = "pectui.evento_auditoria"
_PG_LOCK_KEY = 0x7065_6374  # "pect": serialises appends to the chain across processes


class EventType(StrEnum):
    """Event types of section 3.9.1, with the manual's labels."""

    TERMS_ACCEPTED = "ACEITACAO_TERMO_USO"
    AUDIT_ACCESS = "ACESSO_REGISTROS_AUDITORIA"
    USER_ACTION = "ACAO_USUARIO"
    ACCOUNT_BLOCKED = "BLOQUEIO_CONTA_USUARIO"
    PROFILE_CONFIGURED = "CONFIGURACAO_PERFIL"
    BACKUP = "COPIA_SEGURANCA"
    ACCOUNT_UNBLOCKED = "DESBLOQUEIO_CONTA_USUARIO"
    SESSION_ENDED = "INATIVACAO_SESSAO_USUARIO"
    DATABASE_OPERATION = "OPERACAO_BANCO_DADOS"
    LOGIN_SUCCEEDED = "TENTATIVA_AUTENTICACAO_SUCESSO"
    LOGIN_FAILED = "TENTATIVA_AUTENTICACAO_SEM_SUCESSO"
    PASSWORD_CHANGED = "TROCA_SENHA"
    RNDS_ENABLED = "HABILITAR_PEC_ACESSAR_RNDS"
    RNDS_DISABLED = "DESABILITAR_PEC_ACESSAR_RNDS"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS: dict[EventType, str] = {
    EventType.TERMS_ACCEPTED: "Aceitação do termo de concordância de uso",
    EventType.AUDIT_ACCESS: "Acesso aos registros de auditoria",
    EventType.USER_ACTION: "Ação do usuário",
    EventType.ACCOUNT_BLOCKED: "Bloqueio de conta de usuário",
    EventType.PROFILE_CONFIGURED: "Configuração de perfil",
    EventType.BACKUP: "Cópia de segurança",
    EventType.ACCOUNT_UNBLOCKED: "Desbloqueio de conta de usuário",
    EventType.SESSION_ENDED: "Inativação da sessão do usuário",
    EventType.DATABASE_OPERATION: "Operação no banco de dados",
    EventType.LOGIN_SUCCEEDED: "Tentativa de autenticação com sucesso",
    EventType.LOGIN_FAILED: "Tentativa de autenticação sem sucesso",
    EventType.PASSWORD_CHANGED: "Troca de senha",
    EventType.RNDS_ENABLED: "Habilitar o PEC a acessar RNDS",
    EventType.RNDS_DISABLED: "Desabilitar PEC a acessar RNDS",
}


class RecordType(StrEnum):
    """ "Tipo de registro afetado" (3.9, passo 3), plus the console's own records."""

    CITIZEN = "CIDADAO"
    PROFILE = "PERFIL"
    PROFESSIONAL = "PROFISSIONAL"
    HEALTH_UNIT = "UNIDADE_SAUDE"
    USER = "USUARIO"
    LOTACAO = "LOTACAO"
    CBO = "CBO"
    CONFIGURATION = "CONFIGURACAO"
    MUNICIPALITY = "MUNICIPIO"
    CNES_IMPORT = "IMPORTACAO_CNES"
    IMMUNOBIOLOGICAL_LOT = "LOTE_IMUNOBIOLOGICO"
    TRANSMISSION = "TRANSMISSAO"
    CERTIFICATE = "CERTIFICADO"
    JOB = "TAREFA"


def _canonical(event: AuditEvent) -> str:
    at = event.at
    return json.dumps(
        [
            at.isoformat(sep=" ") if hasattr(at, "isoformat") else str(at),
            event.user_id,
            event.event_type,
            event.record_type,
            event.record_id,
            event.component,
            event.details,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def chain_hash(previous: str, event: AuditEvent) -> str:
    return hashlib.sha256((previous + _canonical(event)).encode("utf-8")).hexdigest()


def _read_head() -> tuple[int, str]:
    row = ConsoleSetting.get_or_none(ConsoleSetting.key == HEAD_KEY)
    if row is None or not row.text:
        return 0, GENESIS
    return int(row.integer or 0), row.text


def record(
    event_type: EventType,
    *,
    component: str,
    user_id: int | None = None,
    record_type: RecordType | str | None = None,
    record_id: object | None = None,
    details: str | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction (the change it audits)."""
    db = current_database()
    if db.transaction_depth() == 0:
        raise RuntimeError("audit.record() must run inside the transaction of the change it audits")
    if is_postgres(db):
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,))
    count, previous = _read_head()
    event = AuditEvent(
        user=user_id,
        at=clock.now(),
        event_type=EventType(event_type).value,
        record_type=record_type.value if isinstance(record_type, RecordType) else record_type,
        record_id=None if record_id is None else str(record_id),
        component=component,
        details=details,
    )
    event.chain_hash = chain_hash(previous, event)
    event.save(force_insert=True)
    (
        ConsoleSetting.insert(key=HEAD_KEY, text=event.chain_hash, integer=count + 1)
        .on_conflict(
            conflict_target=[ConsoleSetting.key],
            update={ConsoleSetting.text: event.chain_hash, ConsoleSetting.integer: count + 1},
        )
        .execute()
    )
    return event


def record_setting_change(by_user_id: int | None, key: str, details: str, *, component: str) -> AuditEvent:
    """An installation setting (a ``tb_config_sistema`` key) changed: "Operação no banco de dados"."""
    return record(
        EventType.DATABASE_OPERATION,
        component=component,
        user_id=by_user_id,
        record_type=RecordType.CONFIGURATION,
        record_id=key,
        details=details,
    )


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    broken_id: int | None = None
    message: str = ""


def verify(batch_size: int = 5_000) -> VerifyResult:
    """Walk the chain from the first row; stop at the first row that does not match."""
    previous = GENESIS
    count = 0
    last_id = 0
    while True:
        rows = list(AuditEvent.select().where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size))
        if not rows:
            break
        for event in rows:
            if chain_hash(previous, event) != event.chain_hash:
                return VerifyResult(
                    False,
                    count,
                    event.id,
                    f"A linha {event.id} da trilha de auditoria do pec-tui ({TRAIL_NAME}) não confere com a cadeia: "
                    "ela foi alterada, ou uma linha anterior foi removida.",
                )
            previous = event.chain_hash
            count += 1
            last_id = event.id
    head_count, head_hash = _read_head()
    if head_count != count or head_hash != previous:
        return VerifyResult(
            False,
            count,
            None,
            f"A trilha de auditoria termina na linha {last_id or 'nenhuma'} com {count} eventos, mas "
            f"registrou {head_count}: eventos mais recentes foram removidos.",
        )
    return VerifyResult(
        True, count, None, f"Trilha de auditoria íntegra: {quantity(count, 'evento')} {agree('verificado', count)}."
    )
