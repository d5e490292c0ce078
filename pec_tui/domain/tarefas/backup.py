"""Cópia de segurança: a consistent copy of the database, encrypted, checksummed and verifiable.

* SQLite: the online backup API (``sqlite3.Connection.backup``) into a temporary file; PostgreSQL:
  ``pg_dump -Fc`` in a snapshot exported from a repeatable-read transaction, in which the row
  counts of the main tables are read too (the manifest's counts are those of the copy).
* With an age public key configured (``PECTUI_COPIA_CHAVE_PUBLICA``), the copy is encrypted with
  ``pyrage`` before it gets its final name; without one it stays in clear (and the screen says so).
* Temp-then-rename for the copy and its manifest (``<copy>.manifest.json``: database, schema
  version, size, SHA-256, date, counts).
* :func:`verify` checks the checksum, decrypts, restores into a scratch database (a temporary
  SQLite file or PostgreSQL database) and compares the schema version and the counts.
* Each outcome is an audit event "Cópia de segurança" (done, integrity broken, restore failed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import pyrage
from peewee import SqliteDatabase

from pec_tui.core import clock
from pec_tui.core.errors import PecError, os_reason, translate_driver_text
from pec_tui.domain import audit, settings
from pec_tui.domain.tarefas import retention
from pec_tui.storage.database import (
    build_database,
    current_database,
    data_dir,
    is_postgres,
    mask_url,
    transaction,
)
from pec_tui.storage.migrations import schema_version
from pec_tui.storage.models import AuditEvent, ConsoleSetting, HealthUnit, Lotacao, Professional, User

COMPONENT = "pec-tui/copia-seguranca"
RECIPIENT_KEY = "PECTUI_COPIA_CHAVE_PUBLICA"
MANIFEST_SUFFIX = ".manifest.json"
CHUNK = 1024 * 1024
MAIN_MODELS = (Professional, User, HealthUnit, Lotacao, AuditEvent)


@dataclass(frozen=True)
class Manifest:
    arquivo: str
    banco: str  # "sqlite" | "postgresql"
    versao_esquema: int
    tamanho: int
    sha256: str
    data: str
    cifrada: bool
    contagens: dict[str, int]
    verificada_em: str | None = None  # the last successful verify
    #: The audit trail's head in the copy ({"eventos": n, "resumo": hash}); older copies lack it.
    auditoria: dict[str, object] | None = None

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def default_folder() -> Path:
    return data_dir() / "copias"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _table_names() -> list[str]:
    names = []
    for model in MAIN_MODELS:
        meta = model._meta
        names.append(f"{meta.schema}.{meta.table_name}" if meta.schema else meta.table_name)
    return names


def _qualified(model, postgres: bool) -> str:
    """A console table's name in a copy of the given kind (``pectui.x`` / ``pectui_x``)."""
    name = model._meta.table_name.removeprefix("pectui_")
    return f"pectui.{name}" if postgres else f"pectui_{name}"


def _quote(name: str) -> str:
    return ".".join(f'"{part}"' for part in name.split("."))


def _audit_head(cursor, postgres: bool) -> dict[str, object]:
    """The audit trail's head as the copy records it (``PECTUI_AUDITORIA_CABECA``)."""
    cursor.execute(
        f"SELECT ds_inteiro, ds_texto FROM {_quote(_qualified(ConsoleSetting, postgres))} "
        f"WHERE co_configuracao = '{audit.HEAD_KEY}'"
    )
    row = cursor.fetchone()
    if row is None or not row[1]:
        return {"eventos": 0, "resumo": audit.GENESIS}
    return {"eventos": int(row[0] or 0), "resumo": str(row[1])}


def _count(cursor, names: list[str]) -> dict[str, int]:
    counts = {}
    for name in names:
        cursor.execute(f"SELECT count(*) FROM {_quote(name)}")
        counts[name] = int(cursor.fetchone()[0])
    return counts


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------


def recipient() -> str | None:
    return settings.get_text(RECIPIENT_KEY)


def keygen(identity_path: Path, by_user_id: int | None = None) -> str:
    """Write a new age identity owner-only at ``identity_path`` (never over an existing file), set
    its public key as the installation's; return the public key."""
    if identity_path.exists():
        raise PecError(f"O arquivo {identity_path} já existe; escolha outro nome (uma identidade nunca é sobrescrita).")
    if not identity_path.parent.is_dir():
        raise PecError(f"A pasta {identity_path.parent} não existe.")
    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    moment = clock.now().isoformat(sep=" ")
    text = f"# criada pelo pec-tui em {moment}\n# chave pública: {public}\n{identity}\n"
    _write_atomic(identity_path, text.encode(), 0o600)
    with transaction():
        settings.put(RECIPIENT_KEY, text=public)
        audit.record_setting_change(
            by_user_id,
            RECIPIENT_KEY,
            f"Cópias de segurança cifradas para a chave pública {public}.",
            component=COMPONENT,
        )
    return public


def _identity(path: Path):
    try:
        lines = [line.strip() for line in path.read_text().splitlines()]
    except OSError as exc:
        raise PecError(f"Não foi possível ler a identidade {path}: {os_reason(exc)}.") from None
    keys = [line for line in lines if line.startswith("AGE-SECRET-KEY-")]
    if not keys:
        raise PecError(f"O arquivo {path} não é uma identidade age (AGE-SECRET-KEY-…).")
    try:
        return pyrage.x25519.Identity.from_str(keys[0])
    except pyrage.IdentityError:
        raise PecError(f"A identidade em {path} não é válida.") from None


# --------------------------------------------------------------------------------------------
# Making a copy
# --------------------------------------------------------------------------------------------


def _pg_params(db) -> dict[str, str]:
    params = db.connect_params
    return {
        "dbname": db.database,
        "user": params.get("user") or "",
        "password": params.get("password") or "",
        "host": params.get("host") or "127.0.0.1",
        "port": str(params.get("port") or 5432),
    }


def _pg_env(params: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PGHOST=params["host"], PGPORT=params["port"], PGUSER=params["user"], PGDATABASE=params["dbname"])
    if params["password"]:
        env["PGPASSWORD"] = params["password"]
    return env


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise PecError(f"O programa {name} não foi encontrado; instale o cliente do PostgreSQL (postgresql-client).")
    return tool


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    return int(match.group(1)) if match else 0


def _dump_postgres(db, target: Path, names: list[str]) -> tuple[dict[str, int], dict[str, object]]:
    import psycopg2

    tool = _pg_tool("pg_dump")
    params = _pg_params(db)
    tool_major = _major(subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout)
    connection = psycopg2.connect(**{k: v for k, v in params.items() if v})
    try:
        cursor = connection.cursor()
        cursor.execute("SHOW server_version_num")
        server_major = int(cursor.fetchone()[0]) // 10000
        if tool_major < server_major:
            raise PecError(
                f"O pg_dump desta máquina é da versão {tool_major}, mais antiga que a do servidor ({server_major}); "
                f"instale o postgresql-client-{server_major}."
            )
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _count(cursor, names)
        head = _audit_head(cursor, True)
        result = subprocess.run(
            [tool, "-Fc", f"--snapshot={snapshot}", "-f", str(target)],
            env=_pg_env(params), capture_output=True, text=True, check=False,
        )  # fmt: skip
        connection.rollback()
    finally:
        connection.close()
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["sem detalhes"])[-1]
        raise PecError(f"O pg_dump falhou: {translate_driver_text(detail)}")
    return counts, head


def _copy_sqlite(db: SqliteDatabase, target: Path, names: list[str]) -> tuple[dict[str, int], dict[str, object]]:
    source = sqlite3.connect(db.database)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=4096)
        cursor = copy.cursor()
        return _count(cursor, names), _audit_head(cursor, False)
    finally:
        copy.close()
        source.close()


@dataclass(frozen=True)
class BackupDone:
    path: Path
    manifest: Manifest
    removed: tuple[str, ...] = ()  # older copies deleted by the retention rule


#: A partial file untouched for this long belongs to a copy that was killed (a running one writes
#: to it all the time); the next copy deletes it — it may hold the database in clear.
STALE_PARTIAL_SECONDS = 3600


def _remove_stale_partials(folder: Path) -> None:
    limit = time.time() - STALE_PARTIAL_SECONDS
    for partial in [*folder.glob(".pec-tui-*.parcial"), *folder.glob(".pec-tui-*.age-parcial")]:
        with contextlib.suppress(OSError):
            if partial.stat().st_mtime < limit:
                partial.unlink()


def make(folder: Path | None = None, by_user_id: int | None = None) -> BackupDone:
    db = current_database()
    folder = folder or default_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise PecError(f"Não foi possível criar a pasta {folder}: {os_reason(exc)}.") from None
    _remove_stale_partials(folder)
    postgres = is_postgres(db)
    key = recipient()
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    name = f"pec-tui-{stamp}.{'dump' if postgres else 'sqlite3'}" + (".age" if key else "")
    final = folder / name
    plain = folder / f".{name}.{uuid.uuid4().hex[:8]}.parcial"
    sealed = plain.with_suffix(".age-parcial")
    names = _table_names()
    version = schema_version() or 0
    try:
        counts, head = _dump_postgres(db, plain, names) if postgres else _copy_sqlite(db, plain, names)
        os.chmod(plain, 0o600)
        if key:
            try:
                pyrage.encrypt_file(str(plain), str(sealed), [pyrage.x25519.Recipient.from_str(key)])
            except pyrage.RecipientError:
                raise PecError(
                    f"A chave pública configurada ({key}) não é válida; gere outra com 'pec-tui backup keygen'."
                ) from None
            plain.unlink()
            produced = sealed
        else:
            produced = plain
        manifest = Manifest(
            final.name, "postgresql" if postgres else "sqlite", version, produced.stat().st_size,
            sha256_of(produced), clock.now().isoformat(sep=" "), bool(key), counts, auditoria=head,
        )  # fmt: skip
        os.replace(produced, final)
        _write_atomic(final.with_name(final.name + MANIFEST_SUFFIX), json.dumps(manifest.as_json(), indent=2).encode())
    except OSError as exc:
        raise PecError(f"Não foi possível gravar a cópia em {folder}: {os_reason(exc)}.") from None
    finally:
        plain.unlink(missing_ok=True)
        sealed.unlink(missing_ok=True)
    clear = "" if key else " (sem cifra: nenhuma chave pública configurada)"
    size_and_sum = f"{manifest.tamanho} bytes, SHA-256 {manifest.sha256[:16]}…"
    _record(f"Cópia de segurança realizada: {final.name}, {size_and_sum}{clear}.", by_user_id, final.name)
    return BackupDone(final, manifest, prune(folder, by_user_id=by_user_id))


# --------------------------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------------------------


def prune(
    folder: Path | None = None, policy: retention.Policy | None = None, by_user_id: int | None = None
) -> tuple[str, ...]:
    """Apply the retention rule to the local folder (after each successful copy): delete each copy
    not kept, then its manifest. Only pec-tui's copies count: a file named ``pec-tui-<moment>.…``
    WITH its manifest naming it; a file without a manifest is never deleted (nor counted), since
    nothing says it is a copy pec-tui made. One audit event lists what was removed."""
    folder = folder or default_folder()
    policy = policy or retention.current_policy()
    candidates: list[tuple[Path, dt.datetime]] = []
    for path, manifest in list_copies(folder):
        moment = retention.moment_of(path.name)
        if manifest is not None and moment is not None and manifest.arquivo == path.name:
            candidates.append((path, moment))
    kept = retention.to_keep(candidates, policy)
    removed: list[str] = []
    problems: list[str] = []
    for path, _moment in sorted(candidates, key=lambda item: item[1]):
        if path in kept:
            continue
        try:
            path.unlink()  # the copy first: a manifest left alone is harmless, a copy without one is never pruned
            path.with_name(path.name + MANIFEST_SUFFIX).unlink(missing_ok=True)
        except OSError as exc:
            problems.append(f"{path.name} ({os_reason(exc)})")
            continue
        removed.append(path.name)
    if removed or problems:
        details = f"Retenção das cópias de segurança ({retention.describe(policy)}):"
        if removed:
            details += f" {len(removed)} apagada{'s' if len(removed) != 1 else ''}: {', '.join(removed)}."
        if problems:
            details += f" Não foi possível apagar: {', '.join(problems)}."
        _record(details, by_user_id, "retencao")
    return tuple(removed)


def _record(details: str, by_user_id: int | None, record_id: str, component: str = COMPONENT) -> None:
    with transaction():
        audit.record(
            audit.EventType.BACKUP,
            component=component,
            user_id=by_user_id,
            record_type=audit.RecordType.JOB,
            record_id=record_id[:60],
            details=details,
        )


# --------------------------------------------------------------------------------------------
# Verifying and restoring
# --------------------------------------------------------------------------------------------


def read_manifest(path: Path) -> Manifest:
    beside = path.with_name(path.name + MANIFEST_SUFFIX)
    try:
        data = json.loads(beside.read_text())
        return Manifest(**data)
    except FileNotFoundError:
        raise PecError(
            f"A cópia {path.name} não tem o manifesto {beside.name} ao lado; não é possível verificá-la."
        ) from None
    except (ValueError, TypeError):
        raise PecError(f"O manifesto {beside.name} está danificado.") from None


@dataclass(frozen=True)
class Verified:
    path: Path
    manifest: Manifest
    counts: dict[str, int]


def verify(path: Path, identity: Path | None = None, by_user_id: int | None = None) -> Verified:
    """Checksum, decryption, restore into a scratch database, schema version, counts and the
    audit trail up to the head the manifest recorded; every failure is an audit event and a
    :class:`PecError` with the reason."""
    if not path.is_file():
        raise PecError(f"O arquivo {path} não existe.")
    manifest = read_manifest(path)
    try:
        counts = _verify(path, manifest, identity)
    except PecError as exc:
        _record(f"Quebra de integridade de cópia de segurança: {path.name}: {exc.message}", by_user_id, path.name)
        raise
    stamped = Manifest(**{**manifest.as_json(), "verificada_em": clock.now().isoformat(sep=" ")})
    beside = path.with_name(path.name + MANIFEST_SUFFIX)
    _write_atomic(beside, json.dumps(stamped.as_json(), indent=2).encode())
    return Verified(path, stamped, counts)


def _verify(path: Path, manifest: Manifest, identity: Path | None) -> dict[str, int]:
    _check_file(path, manifest)
    with tempfile.TemporaryDirectory(prefix="pec-tui-verifica-") as scratch:
        if manifest.banco == "sqlite":
            # A copy in clear is checked where it is, read-only: opening it is restoring it.
            plain = _open_copy(path, manifest, identity, Path(scratch) / "copia") if manifest.cifrada else path
            return _check_sqlite(plain, manifest)
        plain = _open_copy(path, manifest, identity, Path(scratch) / "copia")
        return _check_postgres(plain, manifest)


def _check_file(path: Path, manifest: Manifest) -> None:
    size = path.stat().st_size
    if size != manifest.tamanho:
        raise PecError(
            f"A cópia tem {size} bytes e o manifesto diz {manifest.tamanho}: o arquivo está truncado ou foi alterado."
        )
    if sha256_of(path) != manifest.sha256:
        raise PecError(
            "A soma SHA-256 da cópia não confere com a do manifesto: o arquivo foi alterado ou está danificado."
        )


def _open_copy(path: Path, manifest: Manifest, identity: Path | None, plain: Path) -> Path:
    """The copy in clear at ``plain`` (decrypted with ``identity`` when it is encrypted)."""
    if not manifest.cifrada:
        shutil.copyfile(path, plain)
        return plain
    if identity is None:
        raise PecError("A cópia é cifrada; indique a identidade age com --identity.")
    try:
        pyrage.decrypt_file(str(path), str(plain), [_identity(identity)])
    except pyrage.DecryptError:
        raise PecError(f"A identidade {identity} não abre esta cópia (outra chave, ou cópia danificada).") from None
    os.chmod(plain, 0o600)
    return plain


def _compare(manifest: Manifest, version: int, counts: dict[str, int], cursor, postgres: bool) -> None:
    """The restored copy against its manifest: schema version, counts, the audit trail."""
    if version != manifest.versao_esquema:
        raise PecError(
            f"A cópia restaurada está na versão {version} do esquema; o manifesto diz {manifest.versao_esquema}."
        )
    if counts != manifest.contagens:
        diff = ", ".join(
            f"{k}: {counts.get(k)} em vez de {v}" for k, v in manifest.contagens.items() if counts.get(k) != v
        )
        raise PecError(f"As contagens da cópia restaurada não conferem: {diff}.")
    if manifest.auditoria is None:
        return  # a copy made before the manifest recorded the trail's head
    head = audit.Head(int(manifest.auditoria["eventos"]), str(manifest.auditoria["resumo"]))
    problem = audit.check_copy(_copy_events(cursor, postgres), head)
    if problem:
        raise PecError(problem)


_EVENT_COLUMNS = ("id", "user", "at", "event_type", "record_type", "record_id", "component", "details", "chain_hash")


def _copy_events(cursor, postgres: bool):
    """The copy's audit events in id order, as unsaved :class:`AuditEvent` (never bound to it)."""
    fields = [AuditEvent._meta.fields[name] for name in _EVENT_COLUMNS]
    columns = ", ".join(field.column_name for field in fields)
    cursor.execute(
        f"SELECT {columns} FROM {_quote(_qualified(AuditEvent, postgres))} ORDER BY {AuditEvent.id.column_name}"
    )
    while rows := cursor.fetchmany(5_000):
        for row in rows:
            values = dict(zip(_EVENT_COLUMNS, row, strict=True))
            values["at"] = AuditEvent.at.python_value(values["at"])
            yield AuditEvent(**values)


def _check_sqlite(path: Path, manifest: Manifest) -> dict[str, int]:
    """Open the copy read-only (nothing written beside it), check integrity, version, counts and trail."""
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
            if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise PecError("O banco SQLite restaurado não passa na verificação de integridade.")
            cursor = connection.cursor()
            version = cursor.execute("SELECT max(nu_versao) FROM pectui_versao_esquema").fetchone()[0]
            counts = _count(cursor, list(manifest.contagens))
            _compare(manifest, int(version or 0), counts, cursor, False)
            return counts
    except sqlite3.DatabaseError as exc:
        raise PecError(f"A cópia restaurada não abre como banco SQLite ({translate_driver_text(str(exc))}).") from None


def _connect_postgres(params: dict[str, str]):
    import psycopg2

    return psycopg2.connect(**{k: v for k, v in params.items() if v})


def _pg_restore(plain: Path, params: dict[str, str], what: str) -> None:
    """``pg_restore`` in one transaction: a failed restore leaves the target as it was."""
    result = subprocess.run(
        [_pg_tool("pg_restore"), "--no-owner", "--single-transaction", "-d", params["dbname"], str(plain)],
        env=_pg_env(params), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["sem detalhes"])[-1]
        raise PecError(f"A restauração {what} falhou: {translate_driver_text(detail)}")


def _check_postgres_database(params: dict[str, str], manifest: Manifest) -> dict[str, int]:
    with contextlib.closing(_connect_postgres(params)) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT max(nu_versao) FROM pectui.versao_esquema")
        version = int(cursor.fetchone()[0] or 0)
        counts = _count(cursor, list(manifest.contagens))
        _compare(manifest, version, counts, connection.cursor("pectui_trilha"), True)
        return counts


def _check_postgres(plain: Path, manifest: Manifest) -> dict[str, int]:
    params = _pg_params(current_database())
    scratch = f"pectui_verifica_{uuid.uuid4().hex[:10]}"
    admin = _connect_postgres(params)
    admin.autocommit = True
    try:
        admin.cursor().execute(f'CREATE DATABASE "{scratch}"')
        try:
            _pg_restore(plain, {**params, "dbname": scratch}, "num banco temporário")
            return _check_postgres_database({**params, "dbname": scratch}, manifest)
        finally:
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    finally:
        admin.close()


@dataclass(frozen=True)
class Restored:
    path: Path
    manifest: Manifest
    target: str  # the target's URL, password masked
    counts: dict[str, int]


def restore(path: Path, target_url: str, identity: Path | None = None, by_user_id: int | None = None) -> Restored:
    """Restore a copy into an EMPTY database (never the one the console has open): a SQLite file
    that does not exist or has no tables, or an existing PostgreSQL database without tables.
    The checksum is checked and the copy decrypted first; afterwards the target is checked like
    :func:`verify` does. Anything else is refused with the reason and nothing is written to the
    target. Audited ("Cópia de segurança") in the console's own database, done or failed."""
    shown = mask_url(target_url)
    if not path.is_file():
        raise PecError(f"O arquivo {path} não existe.")
    try:
        manifest = read_manifest(path)
        target = _restore_target(target_url, manifest)
        _check_file(path, manifest)
        if manifest.banco == "sqlite":
            counts = _restore_sqlite(path, manifest, identity, target)
        else:
            counts = _restore_postgres(path, manifest, identity, target)
    except PecError as exc:
        _record(
            f"Restauração de cópia de segurança sem sucesso: {path.name} em {shown}: {exc.message}",
            by_user_id,
            path.name,
        )
        raise
    listed = ", ".join(f"{name.split('.')[-1]} {count}" for name, count in counts.items())
    _record(
        f"Cópia de segurança restaurada: {path.name} em {shown} (esquema {manifest.versao_esquema}; {listed}).",
        by_user_id,
        path.name,
    )
    return Restored(path, manifest, shown, counts)


def _restore_target(url: str, manifest: Manifest):
    """The target, checked: its kind matches the copy's, it is not the console's database."""
    target = build_database(url)
    kind = "postgresql" if is_postgres(target) else "sqlite"
    if kind != manifest.banco:
        example = "postgresql://usuário@máquina:porta/banco" if manifest.banco == "postgresql" else "sqlite:///arquivo"
        raise PecError(
            f"A cópia {manifest.arquivo} é de um banco {_KIND_LABEL[manifest.banco]}; restaure-a num banco "
            f"{_KIND_LABEL[manifest.banco]} ({example})."
        )
    if audit.database_identity(target) == audit.database_identity():
        raise PecError(
            "Esse é o banco que o console está usando: restaurar por cima do banco em uso não é oferecido. "
            "Restaure num banco vazio e troque o banco da instalação depois, com o serviço parado."
        )
    return target


_KIND_LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _restore_sqlite(path: Path, manifest: Manifest, identity: Path | None, target) -> dict[str, int]:
    final = Path(target.database)
    if not final.parent.is_dir():
        raise PecError(f"A pasta {final.parent} não existe.")
    if final.exists():
        _require_empty_sqlite(final)
    temp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.restaurando")
    try:
        _open_copy(path, manifest, identity, temp)
        os.chmod(temp, 0o600)
        counts = _check_sqlite(temp, manifest)
        if final.exists():
            _require_empty_sqlite(final)  # still empty at the last moment
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{final}{suffix}").unlink(missing_ok=True)  # an empty database's: no table in them
        os.replace(temp, final)
    except OSError as exc:
        raise PecError(f"Não foi possível gravar {final}: {os_reason(exc)}.") from None
    finally:
        temp.unlink(missing_ok=True)
    return counts


def _require_empty_sqlite(path: Path) -> None:
    if not path.is_file():
        raise PecError(f"{path} existe e não é um arquivo; escolha um arquivo que não exista.")
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name LIMIT 4"
                )
            ]
    except sqlite3.DatabaseError:
        raise PecError(f"{path} não é um banco SQLite vazio; nada foi gravado nele.") from None
    if tables:
        raise PecError(
            f"O banco {path} não está vazio (tem {_some(tables)}); a cópia só é restaurada num banco vazio "
            "ou num arquivo que ainda não existe. Nada foi gravado nele."
        )


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return f"as tabelas {shown}, …" if len(names) > 3 else f"a(s) tabela(s) {shown}"


def _restore_postgres(path: Path, manifest: Manifest, identity: Path | None, target) -> dict[str, int]:
    import psycopg2

    params = _pg_params(target)
    where = f"{params['host']}:{params['port']}"
    try:
        connection = _connect_postgres(params)
    except psycopg2.OperationalError as exc:
        if "does not exist" in str(exc) or "não existe" in str(exc):
            raise PecError(
                f"O banco {params['dbname']} não existe em {where}; crie-o vazio antes "
                f"(createdb -h {params['host']} -p {params['port']}{' -U ' + params['user'] if params['user'] else ''} "
                f"{params['dbname']}) e restaure de novo."
            ) from None
        detail = (str(exc).strip().splitlines() or ["sem detalhes"])[0]
        raise PecError(
            f"Não foi possível conectar ao banco {params['dbname']} em {where}: {translate_driver_text(detail)}."
        ) from None
    with contextlib.closing(connection):
        cursor = connection.cursor()
        cursor.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%' ORDER BY 1 LIMIT 4"
        )
        tables = [row[0] for row in cursor.fetchall()]
    if tables:
        raise PecError(
            f"O banco {params['dbname']} em {where} não está vazio (tem {_some(tables)}); a cópia só é restaurada "
            "num banco sem tabelas. Nada foi gravado nele."
        )
    with tempfile.TemporaryDirectory(prefix="pec-tui-restaura-") as scratch:
        plain = _open_copy(path, manifest, identity, Path(scratch) / "copia")
        _pg_restore(plain, params, f"no banco {params['dbname']}")
    return _check_postgres_database(params, manifest)


@dataclass(frozen=True)
class CopiesState:
    folder: Path
    recipient: str | None
    copies: list[tuple[Path, Manifest | None]]
    policy: retention.Policy = retention.Policy()


def state(folder: Path | None = None) -> CopiesState:
    """What the "Cópias de segurança" tab shows: the folder, the key, the copies (newest first),
    the retention policy."""
    folder = folder or default_folder()
    return CopiesState(folder, recipient(), list_copies(folder), retention.current_policy())


def list_copies(folder: Path | None = None) -> list[tuple[Path, Manifest | None]]:
    folder = folder or default_folder()
    if not folder.is_dir():
        return []
    copies = sorted(p for p in folder.glob("pec-tui-*") if not p.name.endswith(MANIFEST_SUFFIX) and p.is_file())
    result = []
    for copy in reversed(copies):
        try:
            result.append((copy, read_manifest(copy)))
        except PecError:
            result.append((copy, None))
    return result
