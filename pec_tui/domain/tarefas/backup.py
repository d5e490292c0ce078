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
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import pyrage
from peewee import SqliteDatabase

from pec_tui.core import clock
from pec_tui.core.errors import PecError
from pec_tui.domain import audit, settings
from pec_tui.storage.database import current_database, data_dir, is_postgres, transaction
from pec_tui.storage.migrations import schema_version
from pec_tui.storage.models import AuditEvent, HealthUnit, Lotacao, Professional, User

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


def _count(cursor, names: list[str]) -> dict[str, int]:
    counts = {}
    for name in names:
        quoted = ".".join(f'"{part}"' for part in name.split("."))
        cursor.execute(f"SELECT count(*) FROM {quoted}")
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
        raise PecError(f"Não foi possível ler a identidade {path}: {exc.strerror or exc}.") from None
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


def _dump_postgres(db, target: Path, names: list[str]) -> dict[str, int]:
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
        result = subprocess.run(
            [tool, "-Fc", f"--snapshot={snapshot}", "-f", str(target)],
            env=_pg_env(params), capture_output=True, text=True, check=False,
        )  # fmt: skip
        connection.rollback()
    finally:
        connection.close()
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["sem detalhes"])[-1]
        raise PecError(f"O pg_dump falhou: {detail}")
    return counts


def _copy_sqlite(db: SqliteDatabase, target: Path, names: list[str]) -> dict[str, int]:
    source = sqlite3.connect(db.database)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=4096)
        return _count(copy.cursor(), names)
    finally:
        copy.close()
        source.close()


@dataclass(frozen=True)
class BackupDone:
    path: Path
    manifest: Manifest


def make(folder: Path | None = None, by_user_id: int | None = None) -> BackupDone:
    db = current_database()
    folder = folder or default_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise PecError(f"Não foi possível criar a pasta {folder}: {exc.strerror or exc}.") from None
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
        counts = _dump_postgres(db, plain, names) if postgres else _copy_sqlite(db, plain, names)
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
            sha256_of(produced), clock.now().isoformat(sep=" "), bool(key), counts,
        )  # fmt: skip
        os.replace(produced, final)
        _write_atomic(final.with_name(final.name + MANIFEST_SUFFIX), json.dumps(manifest.as_json(), indent=2).encode())
    except OSError as exc:
        raise PecError(f"Não foi possível gravar a cópia em {folder}: {exc.strerror or exc}.") from None
    finally:
        plain.unlink(missing_ok=True)
        sealed.unlink(missing_ok=True)
    clear = "" if key else " (sem cifra: nenhuma chave pública configurada)"
    size_and_sum = f"{manifest.tamanho} bytes, SHA-256 {manifest.sha256[:16]}…"
    _record(f"Cópia de segurança realizada: {final.name}, {size_and_sum}{clear}.", by_user_id, final.name)
    return BackupDone(final, manifest)


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
# Verifying
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
    """Checksum, decryption, restore into a scratch database, schema version and counts; every
    failure is an audit event and a :class:`PecError` with the reason."""
    if not path.is_file():
        raise PecError(f"O arquivo {path} não existe.")
    manifest = read_manifest(path)
    try:
        verified = _verify(path, manifest, identity)
    except PecError as exc:
        _record(f"Quebra de integridade de cópia de segurança: {path.name}: {exc.message}", by_user_id, path.name)
        raise
    stamped = Manifest(**{**manifest.as_json(), "verificada_em": clock.now().isoformat(sep=" ")})
    beside = path.with_name(path.name + MANIFEST_SUFFIX)
    _write_atomic(beside, json.dumps(stamped.as_json(), indent=2).encode())
    return Verified(path, stamped, verified.counts)


def _verify(path: Path, manifest: Manifest, identity: Path | None) -> Verified:
    size = path.stat().st_size
    if size != manifest.tamanho:
        raise PecError(
            f"A cópia tem {size} bytes e o manifesto diz {manifest.tamanho}: o arquivo está truncado ou foi alterado."
        )
    if sha256_of(path) != manifest.sha256:
        raise PecError(
            "A soma SHA-256 da cópia não confere com a do manifesto: o arquivo foi alterado ou está danificado."
        )
    with tempfile.TemporaryDirectory(prefix="pec-tui-verifica-") as scratch:
        plain = Path(scratch) / "copia"
        if manifest.cifrada:
            if identity is None:
                raise PecError("A cópia é cifrada; indique a identidade age com --identity.")
            try:
                pyrage.decrypt_file(str(path), str(plain), [_identity(identity)])
            except pyrage.DecryptError:
                raise PecError(
                    f"A identidade {identity} não abre esta cópia (outra chave, ou cópia danificada)."
                ) from None
        else:
            shutil.copyfile(path, plain)
        names = list(manifest.contagens)
        if manifest.banco == "sqlite":
            version, counts = _check_sqlite(plain, names)
        else:
            version, counts = _check_postgres(plain, names)
    if version != manifest.versao_esquema:
        raise PecError(
            f"A cópia restaurada está na versão {version} do esquema; o manifesto diz {manifest.versao_esquema}."
        )
    if counts != manifest.contagens:
        diff = ", ".join(
            f"{k}: {counts.get(k)} em vez de {v}" for k, v in manifest.contagens.items() if counts.get(k) != v
        )
        raise PecError(f"As contagens da cópia restaurada não conferem: {diff}.")
    return Verified(path, manifest, counts)


def _check_sqlite(path: Path, names: list[str]) -> tuple[int, dict[str, int]]:
    try:
        with contextlib.closing(sqlite3.connect(path)) as connection:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise PecError("O banco SQLite restaurado não passa na verificação de integridade.")
            version = connection.execute("SELECT max(nu_versao) FROM pectui_versao_esquema").fetchone()[0]
            return int(version or 0), _count(connection.cursor(), names)
    except sqlite3.DatabaseError as exc:
        raise PecError(f"A cópia restaurada não abre como banco SQLite ({exc}).") from None


def _check_postgres(path: Path, names: list[str]) -> tuple[int, dict[str, int]]:
    import psycopg2

    tool = _pg_tool("pg_restore")
    params = _pg_params(current_database())
    scratch = f"pectui_verifica_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(**{k: v for k, v in params.items() if v})
    admin.autocommit = True
    try:
        admin.cursor().execute(f'CREATE DATABASE "{scratch}"')
        try:
            result = subprocess.run(
                [tool, "--no-owner", "--exit-on-error", "-d", scratch, str(path)],
                env=_pg_env({**params, "dbname": scratch}), capture_output=True, text=True, check=False,
            )  # fmt: skip
            if result.returncode != 0:
                detail = (result.stderr.strip().splitlines() or ["sem detalhes"])[-1]
                raise PecError(f"A restauração num banco temporário falhou: {detail}")
            with contextlib.closing(
                psycopg2.connect(**{**{k: v for k, v in params.items() if v}, "dbname": scratch})
            ) as c:
                cursor = c.cursor()
                cursor.execute("SELECT max(nu_versao) FROM pectui.versao_esquema")
                version = int(cursor.fetchone()[0] or 0)
                return version, _count(cursor, names)
        finally:
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    finally:
        admin.close()


@dataclass(frozen=True)
class CopiesState:
    folder: Path
    recipient: str | None
    copies: list[tuple[Path, Manifest | None]]


def state(folder: Path | None = None) -> CopiesState:
    """What the "Cópias de segurança" tab shows: the folder, the key, the copies (newest first)."""
    folder = folder or default_folder()
    return CopiesState(folder, recipient(), list_copies(folder))


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
