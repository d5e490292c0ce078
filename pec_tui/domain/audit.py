"""Audit trail (manual 3.9): one function records an event inside the caller's transaction.

Events are append-only and chained with a key: each row's ``ds_hash`` is
``HMAC-SHA-256(key, previous row's ds_hash + canonical(row))``. The key is a file of pec-tui's
data directory (:data:`KEY_FILE_NAME`, owner-only, created like the secrets key in
:mod:`pec_tui.domain.secret_store`), never in the database: whoever can write the database but
cannot read the key cannot append, rewrite or recompute a row that verifies.

Two heads say where the trail ends. One is in the database (``PECTUI_AUDITORIA_CABECA``: row
count and last hash, written in the same transaction as each event), so removing the newest rows
is caught. The other is outside it: :func:`anchor_head` appends the verified head, dated, to an
append-only file of the data directory (:data:`ANCHOR_FILE_NAME`), so a trail cut short with its
head rewritten, or wiped with its head, is caught too. :func:`verify` walks the chain and names
the check that failed (:class:`Check`).

A trail written before the chain was keyed (plain ``sha256``, pec-tui ≤ 0.x) is kept as it is
until :func:`verify` finds it intact and seals it: every hash recomputed with the key, in one
transaction, and its head anchored.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import secrets
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from peewee import Database

from pec_tui.core import clock
from pec_tui.core.errors import PecError
from pec_tui.domain.secret_store import check_owner_only, create_key_file
from pec_tui.storage.database import can_write, current_database, data_dir, is_postgres, transaction
from pec_tui.storage.models import AuditEvent, ConsoleSetting

GENESIS = "0" * 64
HEAD_KEY = "PECTUI_AUDITORIA_CABECA"
#: Where the trail is, as an administrator finds it in psql (``pectui.evento_auditoria``).
TRAIL_NAME = "pectui.evento_auditoria"
_PG_LOCK_KEY = 0x7065_6374  # "pect": serialises appends to the chain across processes
KEY_FILE_NAME = "pec-tui-auditoria.key"
ANCHOR_FILE_NAME = "pec-tui-auditoria-ancoras.txt"


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


def chain_hash(previous: str, event: AuditEvent, key: bytes | None = None) -> str:
    """The row's hash: ``HMAC-SHA-256(key, previous + canonical(row))``; without a key, the
    plain ``sha256`` of trails written before the chain was keyed."""
    message = (previous + _canonical(event)).encode("utf-8")
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------------------------
# The key (outside the database)
# --------------------------------------------------------------------------------------------


def key_path() -> Path:
    return data_dir() / KEY_FILE_NAME


def _events(count: int, adjective: str = "") -> str:
    """``1 evento verificado``, ``3 eventos verificados``: the number and its words agreeing."""
    plural = "" if count == 1 else "s"
    return f"{count} evento{plural}" + (f" {adjective}{plural}" if adjective else "")


def _missing_key_message(count: int) -> str:
    return (
        f"A trilha de auditoria tem {_events(count)}, mas a chave que a assina não está em {key_path()}: "
        "sem ela a trilha não pode ser verificada nem continuada. Restaure esse arquivo (da cópia de "
        "segurança do computador onde a trilha foi gravada, com chmod 600) e tente de novo."
    )


def _read_key(path: Path) -> bytes:
    check_owner_only(path)
    for _attempt in range(20):
        try:
            content = path.read_bytes().strip()
        except OSError as exc:
            raise PecError(f"Não foi possível ler o arquivo de chave {path}: {exc.strerror or exc}.") from None
        if content:
            break
        time.sleep(0.05)  # another process has just created it (O_EXCL) and is writing the key
    try:
        key = bytes.fromhex(content.decode("ascii"))
    except (UnicodeError, ValueError):
        key = b""
    if len(key) != 32:
        raise PecError(f"O arquivo de chave {path} não contém uma chave válida da trilha de auditoria.")
    return key


def _load_key(*, create: bool) -> bytes | None:
    """The key, checked (owner-only); created when ``create`` and absent; ``None`` if absent."""
    path = key_path()
    if not path.exists():
        if not create:
            return None
        create_key_file(path, secrets.token_hex(32).encode("ascii"))
    return _read_key(path)


# --------------------------------------------------------------------------------------------
# The head and its anchors (outside the database)
# --------------------------------------------------------------------------------------------


def _read_head() -> tuple[int, str]:
    row = ConsoleSetting.get_or_none(ConsoleSetting.key == HEAD_KEY)
    if row is None or not row.text:
        return 0, GENESIS
    return int(row.integer or 0), row.text


def _write_head(count: int, last_hash: str) -> None:
    (
        ConsoleSetting.insert(key=HEAD_KEY, text=last_hash, integer=count)
        .on_conflict(
            conflict_target=[ConsoleSetting.key],
            update={ConsoleSetting.text: last_hash, ConsoleSetting.integer: count},
        )
        .execute()
    )


@dataclass(frozen=True)
class Anchor:
    """One line of the anchor file: on ``at``, the trail of ``database`` had ``count`` events
    ending in ``chain_hash``."""

    at: str
    database: str
    count: int
    chain_hash: str

    @property
    def line(self) -> str:
        return f"{self.at}\t{self.database}\t{self.count}\t{self.chain_hash}\n"

    @property
    def when(self) -> str:
        """The date for a sentence: ``20/11/2026 09:00``."""
        try:
            return datetime.fromisoformat(self.at).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            return self.at


def anchor_path() -> Path:
    return data_dir() / ANCHOR_FILE_NAME


def database_identity(db: Database | None = None) -> str:
    """The database as the anchor file names it: the SQLite file's real path, or PostgreSQL's
    host, port and database (never the user or password)."""
    db = db or current_database()
    if is_postgres(db):
        params = db.connect_params
        return f"postgresql://{params.get('host') or 'localhost'}:{params.get('port') or 5432}/{db.database}"
    return f"sqlite:{Path(db.database).resolve()}"


def read_anchors(database: str | None = None) -> list[Anchor]:
    """The anchors of this database (or of ``database``), oldest first."""
    database = database or database_identity()
    path = anchor_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeError) as exc:
        detail = getattr(exc, "strerror", None) or "conteúdo ilegível"
        raise PecError(f"Não foi possível ler o arquivo de âncoras da auditoria {path}: {detail}.") from None
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 4 or not fields[2].isdigit() or len(fields[3]) != 64:
            raise PecError(
                f"A linha {number} do arquivo de âncoras da auditoria {path} não está no formato "
                "data, banco, eventos e resumo separados por tabulação."
            )
        if fields[1] == database:
            anchors.append(Anchor(fields[0], fields[1], int(fields[2]), fields[3]))
    return anchors


def _append_anchor(anchor: Anchor) -> None:
    """Append one line; the file is only ever opened to append (never rewritten), owner-only."""
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, 0o600)
    try:
        if os.name != "nt" and os.fstat(descriptor).st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise PecError(
                f"O arquivo de âncoras da auditoria {path} pode ser alterado por outros usuários; "
                f"deixe-o só para o dono com: chmod 600 {path}"
            )
        os.write(descriptor, anchor.line.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _anchor_if_moved(count: int, last_hash: str, anchors: list[Anchor]) -> Anchor | None:
    if (count == 0 and not anchors) or (anchors and (anchors[-1].count, anchors[-1].chain_hash) == (count, last_hash)):
        return None
    anchor = Anchor(clock.now().isoformat(timespec="seconds"), database_identity(), count, last_hash)
    _append_anchor(anchor)
    return anchor


# --------------------------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------------------------


def _first_event() -> AuditEvent | None:
    return AuditEvent.select().order_by(AuditEvent.id).first()


def _is_unkeyed(first: AuditEvent | None) -> bool:
    """A trail written before the chain was keyed: its first row is a plain ``sha256``."""
    return first is not None and chain_hash(GENESIS, first) == first.chain_hash


def _key_for_append(count: int) -> bytes | None:
    """The key to chain the next event with; ``None`` for a trail not yet sealed."""
    first = _first_event()
    if _is_unkeyed(first):
        return None  # sealed by the next ``audit verify``
    key = _load_key(create=first is None)
    if key is None:
        raise PecError(_missing_key_message(count or AuditEvent.select().count()))
    if first is None and not read_anchors():
        _mark_keyed()
    return key


def _mark_keyed() -> None:
    """A new trail starts keyed: say so outside the database at once (``0`` events), so that the
    trail rewritten without the key is never taken for one written before the key and sealed.
    Harmless if the caller's transaction rolls back: no count is below zero."""
    _append_anchor(Anchor(clock.now().isoformat(timespec="seconds"), database_identity(), 0, GENESIS))


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
    key = _key_for_append(count)
    event = AuditEvent(
        user=user_id,
        at=clock.now(),
        event_type=EventType(event_type).value,
        record_type=record_type.value if isinstance(record_type, RecordType) else record_type,
        record_id=None if record_id is None else str(record_id),
        component=component,
        details=details,
    )
    event.chain_hash = chain_hash(previous, event, key)
    event.save(force_insert=True)
    _write_head(count + 1, event.chain_hash)
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


class Check(StrEnum):
    """The check that failed, as ``audit verify --json`` names it."""

    KEY = "chave"  # the key file is missing, unreadable or open to others
    CHAIN = "cadeia"  # a row does not match the keyed chain (changed, forged, or one before it removed)
    HEAD = "cabeca"  # the database's head says more events than the trail has
    ANCHOR = "ancora"  # the head anchored outside the database is not in the trail (cut short, wiped, rewritten)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    broken_id: int | None = None
    message: str = ""
    failed: Check | None = None
    anchor: Anchor | None = None  # the head appended to the anchor file by this verification


@dataclass(frozen=True)
class _Walk:
    count: int
    last_id: int
    last_hash: str
    failure: VerifyResult | None = None


def _chain_failure(event: AuditEvent, count: int, key: bytes | None) -> VerifyResult:
    signed = "sem chave" if key is None else f"assinada pela chave {key_path()}"
    cause = "ou uma linha anterior foi removida" if count or key is None else "ou a chave não é a que assinou a trilha"
    return VerifyResult(
        False,
        count,
        event.id,
        f"A linha {event.id} da trilha de auditoria do pec-tui ({TRAIL_NAME}) não confere com a cadeia {signed}: "
        f"ela foi alterada ou gravada sem a chave, {cause}.",
        Check.CHAIN,
    )


def _anchor_failure(event: AuditEvent, count: int, anchor: Anchor, found: str) -> VerifyResult:
    return VerifyResult(
        False,
        count - 1,
        event.id,
        f"A trilha de auditoria foi reescrita: em {anchor.when} o {count}º evento terminava a trilha com o "
        f"resumo {anchor.chain_hash[:16]}…, registrado fora do banco em {anchor_path()}; hoje a linha "
        f"{event.id} tem {found[:16]}….",
        Check.ANCHOR,
    )


def _walk(key: bytes | None, anchors_by_count: dict[int, Anchor], batch_size: int) -> _Walk:
    """The chain walked from the first row: where it ends, or its first failure."""
    return _walk_events(_events_in_order(batch_size), key, anchors_by_count)


def _events_in_order(batch_size: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        rows = list(AuditEvent.select().where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size))
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def _walk_events(events: Iterable[AuditEvent], key: bytes | None, anchors_by_count: dict[int, Anchor]) -> _Walk:
    previous = GENESIS
    count = 0
    last_id = 0
    for event in events:
        if chain_hash(previous, event, key) != event.chain_hash:
            return _Walk(count, last_id, previous, _chain_failure(event, count, key))
        previous = event.chain_hash
        count += 1
        last_id = event.id
        anchor = anchors_by_count.get(count)
        if anchor is not None and anchor.chain_hash != previous:
            return _Walk(count, last_id, previous, _anchor_failure(event, count, anchor, previous))
    return _Walk(count, last_id, previous)


def _seal(key: bytes, batch_size: int) -> None:
    """Recompute every hash of an intact unkeyed trail with the key, in one transaction."""
    with transaction():
        db = current_database()
        if is_postgres(db):
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,))
        if not _is_unkeyed(_first_event()):
            return  # another process sealed it meanwhile
        previous = GENESIS
        count = 0
        last_id = 0
        while True:
            rows = list(AuditEvent.select().where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size))
            if not rows:
                break
            for event in rows:
                previous = chain_hash(previous, event, key)
                AuditEvent.update(chain_hash=previous).where(AuditEvent.id == event.id).execute()
                count += 1
                last_id = event.id
        _write_head(count, previous)


def verify(batch_size: int = 5_000, *, anchor: bool = True) -> VerifyResult:
    """Walk the chain from the first row with the key; stop at the first check that fails.

    On success the head is anchored outside the database when it moved since the last anchor
    (unless ``anchor`` is false). An intact unkeyed trail (written before the chain was keyed)
    is sealed first, if this database was never anchored."""
    try:
        anchors = read_anchors()
    except PecError as exc:
        return VerifyResult(False, 0, None, exc.message, Check.ANCHOR)
    first = _first_event()
    sealed = False
    if _is_unkeyed(first):
        if anchors:
            return VerifyResult(
                False,
                0,
                first.id,
                f"A trilha de auditoria foi regravada sem a chave: ela já era assinada (âncora de "
                f"{anchors[-1].when} em {anchor_path()}), e agora a linha {first.id} tem um resumo sem chave.",
                Check.ANCHOR,
            )
        unkeyed = _walk(None, {}, batch_size)
        if unkeyed.failure is not None:
            return unkeyed.failure
        if not can_write():
            return VerifyResult(
                True,
                unkeyed.count,
                None,
                f"Trilha de auditoria íntegra: {_events(unkeyed.count, 'verificado')}. Ela ainda não é assinada com "
                "chave: verifique-a com um usuário do banco que possa gravar, para assiná-la.",
            )
        try:
            _seal(_load_key(create=True), batch_size)
        except PecError as exc:
            return VerifyResult(False, unkeyed.count, None, exc.message, Check.KEY)
        sealed = True
    try:
        key = _load_key(create=False)
    except PecError as exc:
        return VerifyResult(False, 0, None, exc.message, Check.KEY)
    if key is None and first is not None:
        return VerifyResult(False, 0, None, _missing_key_message(AuditEvent.select().count()), Check.KEY)
    walk = _walk(key, {a.count: a for a in anchors}, batch_size)
    if walk.failure is not None:
        return walk.failure
    count, last_id, previous = walk.count, walk.last_id, walk.last_hash
    head_count, head_hash = _read_head()
    if head_count != count or head_hash != previous:
        return VerifyResult(
            False,
            count,
            None,
            f"A trilha de auditoria termina na linha {last_id or 'nenhuma'} com {_events(count)}, mas "
            f"registrou {head_count}: eventos mais recentes foram removidos.",
            Check.HEAD,
        )
    longest = max(anchors, key=lambda a: a.count, default=None)
    if longest is not None and longest.count > count:
        return VerifyResult(
            False,
            count,
            None,
            f"A trilha de auditoria tem {_events(count)}, mas em {longest.when} tinha {longest.count} "
            f"(registrado fora do banco em {anchor_path()}): eventos foram removidos e a cabeça da trilha "
            "refeita no banco.",
            Check.ANCHOR,
        )
    message = f"Trilha de auditoria íntegra: {_events(count, 'verificado')}."
    if sealed:
        message += f" A trilha passou a ser assinada com a chave {key_path()}."
    written = None
    if anchor:
        try:
            written = _anchor_if_moved(count, previous, anchors)
        except (PecError, OSError) as exc:
            detail = exc.message if isinstance(exc, PecError) else (exc.strerror or str(exc))
            return VerifyResult(
                False,
                count,
                None,
                f"{message} Mas a cabeça não pôde ser registrada fora do banco: {detail}",
                Check.ANCHOR,
            )
    return VerifyResult(True, count, None, message, None, written)


class AuditTrailBroken(PecError):
    """:func:`anchor_head` found the trail broken: nothing was anchored."""

    def __init__(self, result: VerifyResult) -> None:
        super().__init__(result.message)
        self.result = result


def anchor_head() -> Anchor | None:
    """Verify the trail and append its head to the anchor file if it moved since the last
    anchor (the scheduler's daily audit job calls this). Returns the anchor written, or
    ``None`` when the head had not moved; raises :class:`AuditTrailBroken` (nothing written)
    when the trail does not verify."""
    result = verify()
    if not result.ok:
        raise AuditTrailBroken(result)
    return result.anchor


# --------------------------------------------------------------------------------------------
# A copy's trail (a backup restored elsewhere)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """Where a trail ends: ``count`` events, the last one's ``chain_hash`` (``GENESIS`` when empty)."""

    count: int
    chain_hash: str


def current_head() -> Head:
    """The head this database records (``PECTUI_AUDITORIA_CABECA``), read in the caller's
    transaction (a backup's snapshot)."""
    return Head(*_read_head())


def check_copy(events: Iterable[AuditEvent], head: Head) -> str | None:
    """Walk a copy's trail (its events in id order, read from a restored copy, not bound to
    this database) with this installation's key: ``None`` when it is intact and ends exactly at
    ``head`` (recorded when the copy was made), else the sentence saying what is wrong."""
    events = iter(events)
    first = next(events, None)
    if first is None:
        return (
            None if head.count == 0 else f"A trilha de auditoria da cópia está vazia; ela tinha {_events(head.count)}."
        )
    if _is_unkeyed(first):
        key = None
    else:
        key = _load_key(create=False)
        if key is None:
            return (
                f"A chave da trilha de auditoria ({key_path()}) não está neste computador: sem ela a trilha da cópia "
                "não pode ser conferida. Copie-a do servidor de onde veio a cópia (chmod 600) e tente de novo."
            )
    walk = _walk_events(itertools.chain([first], events), key, {})
    if walk.failure is not None:
        return f"Na cópia: {walk.failure.message}"
    if (walk.count, walk.last_hash) != (head.count, head.chain_hash):
        return (
            f"A trilha de auditoria da cópia termina com {_events(walk.count)} e o resumo {walk.last_hash[:16]}…, "
            f"mas quando a cópia foi feita tinha {_events(head.count)} e o resumo {head.chain_hash[:16]}…."
        )
    return None
