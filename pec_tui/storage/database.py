"""Opening the database: which one, how, and what to say when it cannot be opened.

Order of precedence (first that applies wins):

1. ``--database URL`` (``sqlite:///path`` or ``postgresql://user:pass@host:port/db``);
2. the environment variable ``PEC_TUI_DATABASE``;
3. ``--pec-home DIR`` (default ``/opt/e-SUS`` when it exists): the datasource of
   ``webserver/config/application.properties``;
4. the embedded SQLite file in the platform data directory.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from peewee import Database, OperationalError, PostgresqlDatabase, SqliteDatabase

from pec_tui.core.errors import DatabaseBusyError, DatabaseOpenError

from .proxy import database_proxy

_log = logging.getLogger("pec_tui.storage")

DEFAULT_PEC_HOME = Path("/opt/e-SUS")
PROPERTIES_RELATIVE = Path("webserver/config/application.properties")
ENV_DATABASE = "PEC_TUI_DATABASE"
ENV_DATA_DIR = "PEC_TUI_DATA_DIR"

SQLITE_WRITE_WAIT_SECONDS = 300.0
"""How long a writer waits for another on SQLite (one writer at a time): longer than the CNES
import of a large municipality, so a save made meanwhile waits for it instead of failing."""

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": int(SQLITE_WRITE_WAIT_SECONDS * 1000),
    "synchronous": "normal",
    "cache_size": -16_000,
}


@dataclass(frozen=True)
class DatabaseTarget:
    """Where the database is, before opening it."""

    url: str
    source: str  # "--database", "PEC_TUI_DATABASE", "pec-home", "embutido", "demo"

    @property
    def kind(self) -> str:
        return "postgresql" if self.url.startswith(("postgres://", "postgresql://")) else "sqlite"

    @property
    def display(self) -> str:
        """The URL with the password masked: safe for the screen and for logs."""
        return mask_url(self.url)

    @property
    def short(self) -> str:
        """A short name for the header: ``SQLite demo.sqlite3``, ``PostgreSQL esus@host:5433``."""
        if self.kind == "sqlite":
            return f"SQLite {Path(self.url.split('://', 1)[1]).name}"
        parts = urlsplit(self.url)
        name = unquote(parts.path.lstrip("/"))
        return f"PostgreSQL {name}@{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"


@dataclass
class OpenedDatabase:
    db: Database
    target: DatabaseTarget

    @property
    def kind(self) -> str:
        return self.target.kind

    @property
    def display(self) -> str:
        return self.target.display

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()
        _close_pool(self.db)


def _close_pool(db: Database) -> None:
    """Close the idle connections of a pooled (PostgreSQL) database; nothing for SQLite."""
    close_all = getattr(db, "close_all", None)
    if close_all is not None:
        close_all()


def data_dir() -> Path:
    """The platform data directory of pec-tui (``PEC_TUI_DATA_DIR`` overrides it)."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("pec-tui", appauthor=False))


def embedded_path() -> Path:
    return data_dir() / "pec-tui.sqlite3"


def demo_path() -> Path:
    return data_dir() / "demo.sqlite3"


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path)}"


def mask_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


# --------------------------------------------------------------------------------------------
# application.properties
# --------------------------------------------------------------------------------------------


def read_properties(path: Path) -> dict[str, str]:
    """Parse a Java ``.properties`` file (comments, ``=``/``:``, continuations, escapes)."""
    try:
        text = path.read_text(encoding="latin-1")
    except OSError as exc:
        raise DatabaseOpenError(f"Não foi possível ler {path}: {exc.strerror or exc}.") from None
    props: dict[str, str] = {}
    logical = ""
    for raw in text.splitlines():
        line = raw.lstrip() if not logical else raw.lstrip()
        if not logical and (not line or line[0] in "#!"):
            continue
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2 == 1:
            logical += line[:-1]
            continue
        logical += line
        match = re.match(r"((?:\\.|[^=:\s\\])*)\s*[=:\s]?\s*(.*)$", logical)
        logical = ""
        if not match:
            continue
        key, value = (_unescape(group) for group in match.groups())
        props[key] = value
    return props


def _unescape(value: str) -> str:
    def repl(match: re.Match[str]) -> str:
        char = match.group(1)
        if char.startswith("u"):
            return chr(int(char[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(char, char)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", repl, value)


def url_from_pec_home(pec_home: Path) -> str:
    """Turn PEC's Spring datasource into a peewee URL."""
    path = pec_home / PROPERTIES_RELATIVE
    if not path.is_file():
        raise DatabaseOpenError(f"O arquivo {path} não existe; confira --pec-home (a pasta de instalação do PEC).")
    props = read_properties(path)
    jdbc = props.get("spring.datasource.url", "").strip()
    match = re.match(r"jdbc:postgresql://([^/:?]+)(?::(\d+))?/([^?;]+)", jdbc)
    if not match:
        raise DatabaseOpenError(
            f"O arquivo {path} não tem um spring.datasource.url do PostgreSQL (encontrado: {jdbc or 'nada'})."
        )
    host, port, name = match.group(1), match.group(2) or "5432", match.group(3)
    user = props.get("spring.datasource.username", "postgres").strip() or "postgres"
    password = props.get("spring.datasource.password", "")
    auth = quote(user, safe="")
    if password:
        auth += ":" + quote(password, safe="")
    return f"postgresql://{auth}@{host}:{port}/{name}"


# --------------------------------------------------------------------------------------------
# Choosing and opening
# --------------------------------------------------------------------------------------------


def resolve_target(database: str | None = None, pec_home: str | Path | None = None) -> DatabaseTarget:
    """Apply the order of precedence and say where the database is."""
    if database:
        return DatabaseTarget(database, "--database")
    env = os.environ.get(ENV_DATABASE)
    if env:
        return DatabaseTarget(env, ENV_DATABASE)
    if pec_home is not None:
        return DatabaseTarget(url_from_pec_home(Path(pec_home)), "pec-home")
    if (DEFAULT_PEC_HOME / PROPERTIES_RELATIVE).is_file():
        return DatabaseTarget(url_from_pec_home(DEFAULT_PEC_HOME), "pec-home")
    return DatabaseTarget(sqlite_url(embedded_path()), "embutido")


def build_database(url: str) -> Database:
    """A peewee database (not yet connected) for ``url``; refuses unknown URLs."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw = url.split("://", 1)[1]
        path = raw.removeprefix("/")
        if not path:
            raise DatabaseOpenError(
                f"O endereço {mask_url(url)} não diz o arquivo; use sqlite:///caminho/do/arquivo.sqlite3."
            )
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    if scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise DatabaseOpenError(
                f"O endereço {mask_url(url)} não diz o banco; use postgresql://usuário:senha@máquina:porta/banco."
            )
        try:
            port = parts.port or 5432
        except ValueError:
            raise DatabaseOpenError(f"A porta do endereço {mask_url(url)} não é um número válido.") from None
        # Pooled: every console worker thread opens "its" connection; the pool hands back an
        # idle one instead of a new login (5–10 ms each on a keystroke's query). Imported here:
        # psycopg2 costs ~15 ms of start-up that an SQLite installation never needs.
        from playhouse.pool import PooledPostgresqlDatabase

        return PooledPostgresqlDatabase(
            name,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname or "127.0.0.1",
            port=port,
            connect_timeout=5,
            application_name="pec-tui",
            max_connections=8,
            stale_timeout=300,
            timeout=30,
        )
    raise DatabaseOpenError(
        f"O endereço de banco '{mask_url(url)}' não é reconhecido; use sqlite:///caminho "
        "ou postgresql://usuário:senha@máquina:porta/banco."
    )


def open_database(target: DatabaseTarget, *, must_exist: bool = True) -> OpenedDatabase:
    """Connect, bind the models and return the opened database.

    ``must_exist=False`` allows creating a new SQLite file (``init``, ``demo``).
    """
    db = build_database(target.url)
    if isinstance(db, SqliteDatabase):
        path = Path(db.database)
        if not path.parent.exists():
            if must_exist:
                raise DatabaseOpenError(f"A pasta {path.parent} do banco SQLite não existe.")
            path.parent.mkdir(parents=True, exist_ok=True)
        if must_exist and not path.exists():
            raise DatabaseOpenError(f"O banco {path} não existe; crie-o com 'pec-tui init' ou use 'pec-tui demo'.")
    try:
        db.connect(reuse_if_open=True)
        if isinstance(db, SqliteDatabase):
            db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as exc:  # driver errors differ; each becomes one sentence
        if not db.is_closed():
            db.close()
        _close_pool(db)
        raise DatabaseOpenError(describe_connect_error(target, exc)) from None
    # Binding also places pec-tui's own tables (pec_tui.storage.models): schema "pectui" on
    # PostgreSQL, "pectui_*" tables on SQLite.
    database_proxy.initialize(db)
    return OpenedDatabase(db, target)


def describe_connect_error(target: DatabaseTarget, exc: BaseException) -> str:
    text = str(exc).strip()
    where = target.display
    if target.kind == "sqlite":
        if "not a database" in text or "malformed" in text:
            return f"O arquivo {where.split(':///', 1)[-1]} não é um banco SQLite válido."
        if "unable to open" in text:
            return f"Não foi possível abrir o banco SQLite {where.split(':///', 1)[-1]} (permissão ou caminho)."
        _log.warning("SQLite %s não abriu: %s", where, text or repr(exc))
        return (
            f"Não foi possível abrir o banco SQLite {where.split(':///', 1)[-1]}; "
            "os detalhes estão no registro do pec-tui (pec-tui.log)."
        )
    parts = urlsplit(target.url)
    server = f"{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"
    database = unquote(parts.path.lstrip("/"))
    user = unquote(parts.username or "")
    # Servers answer in their own language (lc_messages); PEC hosts often use pt_BR.
    if re.search(r"password authentication failed|no password supplied|autentica\w+ .*senha falhou", text):
        return f"O PostgreSQL em {server} recusou a senha do usuário '{user}'."
    if re.search(r'database ".*" does not exist|banco de dados ".*" n\w+o existe', text):
        return f"O banco '{database}' não existe no PostgreSQL em {server}."
    if re.search(r'role ".*" does not exist|(role|fun\w+o) ".*" n\w+o existe', text):
        return f"O usuário '{user}' não existe no PostgreSQL em {server}."
    if re.search(r"Connection refused|Conex\w+o recusada|could not connect|n\w+o p\w+de conectar", text):
        return f"Não foi possível conectar ao PostgreSQL em {server}: conexão recusada (o serviço está no ar?)."
    if "could not translate host name" in text or "Name or service not known" in text:
        return f"A máquina '{parts.hostname}' do endereço do banco não foi encontrada."
    if "timeout" in text.lower():
        return f"O PostgreSQL em {server} não respondeu a tempo."
    _log.warning("PostgreSQL %s não conectou: %s", server, text or type(exc).__name__)
    return (
        f"Não foi possível conectar ao PostgreSQL em {server}; os detalhes estão no registro do pec-tui (pec-tui.log)."
    )


# --------------------------------------------------------------------------------------------
# Transactions
# --------------------------------------------------------------------------------------------


def current_database() -> Database:
    db = database_proxy.obj
    if db is None:
        raise DatabaseOpenError("Nenhum banco de dados está aberto.")
    return db


@contextmanager
def transaction(*, wait: float | None = None) -> Iterator[None]:
    """One write transaction. On SQLite it takes the write lock at once (``IMMEDIATE``),
    so a read-then-write (the audit chain) cannot interleave with another process.

    On SQLite a writer waits for the one holding the lock up to ``wait`` seconds (default
    :data:`SQLITE_WRITE_WAIT_SECONDS`), then raises :class:`DatabaseBusyError` saying what
    holds the database (:mod:`pec_tui.storage.busy`), never "database is locked"."""
    db = current_database()
    if isinstance(db, SqliteDatabase) and db.transaction_depth() == 0:
        seconds = SQLITE_WRITE_WAIT_SECONDS if wait is None else wait
        db.execute_sql(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")
        try:
            with db.atomic("IMMEDIATE"):
                yield
        except OperationalError as exc:
            from pec_tui.storage import errors

            if errors.is_busy(exc):
                raise DatabaseBusyError(errors.describe(exc, db) or str(exc)) from exc
            raise
    else:
        with db.atomic():
            yield


def can_write(db: Database | None = None) -> bool:
    """Whether the database user may write PEC's tables and pec-tui's own (a PostgreSQL role
    such as the manual's ``esus_leitura`` may only read). Asked once per opened database."""
    db = db or current_database()
    if not isinstance(db, PostgresqlDatabase):
        return True
    known = db.__dict__.get("_pectui_can_write")
    if known is None:
        row = db.execute_sql(
            "SELECT has_table_privilege('public.tb_usuario', 'UPDATE') AND ("
            "to_regclass('pectui.evento_auditoria') IS NULL "
            "OR has_table_privilege('pectui.evento_auditoria', 'INSERT'))"
        ).fetchone()
        known = db.__dict__["_pectui_can_write"] = bool(row and row[0])
    return known


def is_postgres(db: Database | None = None) -> bool:
    return isinstance(db or current_database(), PostgresqlDatabase)
