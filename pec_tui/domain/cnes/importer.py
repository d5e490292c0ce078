"""CNES import (manual 3.3): the XmlParaESUS export into units, teams, professionals and lotações.

The rules are the real importer's (``REFERENCE.md``, "CNES export for e-SUS"):

* the file must be of the municipality chosen (the installation administrator chooses it; a
  municipal administrator imports for their own), in a layout version not lower than the last one
  imported for that municipality;
* the municipality's units, teams and imported lotações (and hand-made lotações flagged "Atualizar
  perfis ao importar CNES") are deactivated, then units and teams are saved before professionals
  and lotações, and whatever the file holds is reactivated;
* CPF, CNS (check digits), CNPJ, CBO (catalogue and availability), CNES and the CNES/INE pair are
  validated; a record that fails is not imported and goes to the report with the reason, the
  element and the line; a CBO unknown to the catalogue is reported, never created;
* a new professional gets a user whose login is the CPF, with no password and a forced change;
  a new CNS goes to ``tb_prof_historico_cns``; a CNS that already belongs to another professional
  is reported and not shared;
* an imported lotação is active, marked imported, with a unique code from the professional's CPF,
  the CNES, the INE and the CBO; hand-made lotações are left alone unless flagged.

All or nothing: one transaction per import, which also writes the ``tb_importacao_cnes`` history
row with its report and the audit event. A malformed, truncated or wrong file changes nothing.

How it stays fast and flat: the file is streamed (units come before professionals in the
layout) and never held whole, in a child process (:mod:`pec_tui.domain.cnes.reader`) that also checks
what needs no database (check digits, shapes) and hands over plain tuples in batches, so reading
runs on one core while this process applies the rules and writes on the other; what the
municipality already has (units, teams, its lotações by unique code) and the installation's keys
(CPFs, logins, who owns each CNS) are loaded once; professionals are handled in chunks of
:data:`CHUNK` records with at most one query per chunk for the full rows of professionals already
known (never one per record); rows are written in bulk (``executemany`` on SQLite; on
PostgreSQL ``COPY`` and updates through a temporary table, on a writer thread while the rules go
on, and, for a large load, with the foreign-key checks of the big tables suspended and validated
set-based before commit, :mod:`pec_tui.storage.bulk.fk_checks`) with ids allocated by the importer;
only rows whose data changed are updated; and "deactivate what the file does not hold" is
computed as a set difference at the end, which leaves the database exactly as "deactivate all,
then reactivate" would while writing only what changes.
Records the importer refuses leave the existing rows they name as they were (a unit with a bad
CNPJ is not deactivated, nor are its teams and lotações).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peewee import Model

from pec_tui.core import clock
from pec_tui.core.checks import is_cnes_code, is_ine_code, is_valid_cnpj
from pec_tui.core.errors import PecError
from pec_tui.core.validators import format_cpf
from pec_tui.domain import audit
from pec_tui.domain.accounts import LoggedUser
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.cnes.errors import CnesFileError
from pec_tui.domain.cnes.parser import PROFESSIONAL_TAG, UNIT_TAG, CnesHeader, CnesUnit
from pec_tui.domain.cnes.reader import ChildReader
from pec_tui.domain.cnes.report import (
    KIND_LOTACAO,
    KIND_PROFESSIONAL,
    KIND_TEAM,
    KIND_UNIT,
    ImportReport,
    KindCounts,
    ProfessionalWithoutAgenda,
    RecordIssue,
    report_to_csv,
)
from pec_tui.domain.installation import installation_municipalities
from pec_tui.storage.bulk import sqlite as sqlite_bulk
from pec_tui.storage.bulk.fk_checks import SuspendedChecks, suspend_foreign_key_checks
from pec_tui.storage.database import current_database, is_postgres, transaction
from pec_tui.storage.models import (
    ActorRole,
    AuditEvent,
    Cbo,
    CnesImport,
    HealthUnit,
    InstallationMunicipality,
    Localidade,
    Lotacao,
    LotacaoAgenda,
    Professional,
    ProfessionalCnsHistory,
    State,
    Team,
    TeamType,
    UnitType,
    User,
)

__all__ = [
    "CHUNK",
    "CnesImportError",
    "ImportCancelled",
    "ImportProgress",
    "ImportReport",
    "check_import_permission",
    "import_cnes",
    "report_to_csv",
    "resolve_municipality",
]

COMPONENT = "pec-tui/cnes"

CHUNK = 2_000
"""Professionals handled together: one lookup of what exists and one bulk write per chunk."""

PROGRESS_INTERVAL = 0.2
"""Seconds between two progress reports (the first and the last are always sent)."""

LOTACAO_TAG = "DADOS_LOTACOES"
TEAM_TAG = "DADOS_EQUIPES"

_SEX = {"F": "FEMININO", "M": "MASCULINO"}
_SHARED = -1  # a CNS that two professionals already hold (a known field problem)
#: The columns of tb_prof the import compares and updates, in the order of its comparison tuples.
_PROFESSIONAL_UPDATE = ("user", "cns", "name", "birth_date", "sex", "council", "council_registry", "email", "phone")
_PG_ADVISORY_CLASS = 0x434E4553  # "CNES": one import at a time per municipality
#: PostgreSQL: new rows in one batch from which the foreign-key checks of the big tables are
#: suspended for the rest of the import and validated set-based before commit
#: (:mod:`pec_tui.storage.bulk.fk_checks`): about 10 µs per row and key otherwise, most of a first
#: import's time; below it the per-row checks cost less than validating the whole tables.
_SUSPEND_FK_AT = 1_000
_SUSPENDED_TABLES = (Professional, ProfessionalCnsHistory, ActorRole, Lotacao)
#: SQLite: from the same batch (:data:`_SUSPEND_FK_AT` new rows) the secondary indexes of these
#: tables are dropped and built again once the file is read (:mod:`pec_tui.storage.bulk.sqlite`):
#: inserting each row into 12 indexes at random places was about a third of a first import. Only
#: when the installation had at most :data:`_PRELOAD_AT_MOST` professionals and users, read
#: whole at the start, so that no lookup needs those indexes meanwhile (and building them again
#: costs little next to what the load adds).
_INDEXED_TABLES = (User, Professional, ProfessionalCnsHistory, ActorRole, Lotacao)
_PRELOAD_AT_MOST = 5_000
#: SQLite: every table an import writes; their foreign keys are checked once before commit (the
#: import runs with ``PRAGMA foreign_keys`` off, :func:`sqlite_bulk.foreign_keys_checked_at_end`).
_WRITTEN_TABLES = (
    UnitType,
    TeamType,
    HealthUnit,
    Team,
    User,
    Professional,
    ProfessionalCnsHistory,
    ActorRole,
    Lotacao,
    CnesImport,
    AuditEvent,
)
_SUSPEND_LOCK_WAIT = 2.0  # seconds
# Positions of the checks the reader adds to a professional's row (pec_tui.domain.cnes.reader.prepared).
_CPF_OK, _CNS_OK = 13, 14
# Columns every new row of these tables gets, written as constants instead of once per row.
_NEW_USER = {"password_hash": None, "blocked": False, "failed_attempts": 0, "must_change_password": True}
_NEW_ROLE = {"kind": ActorRole.LOTACAO, "active": True}
_NEW_LOTACAO = {"imported": True, "update_on_import": False}


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProgress:
    """How far the import is: records read (units and professionals), time, bytes of XML read."""

    records: int
    elapsed: float
    bytes_read: int
    bytes_total: int
    phase: str

    @property
    def fraction(self) -> float | None:
        """0.0–1.0 of the XML read, when its size is known."""
        if self.bytes_total <= 0:
            return None
        return min(1.0, self.bytes_read / self.bytes_total)

    @property
    def label(self) -> str:
        """``Lendo profissionais: 12.345 registros (35%) em 4,2 s``."""
        text = f"{self.phase}: {_thousands(self.records)} registros"
        if self.fraction is not None:
            text += f" ({self.fraction:.0%})"
        return text + f" em {self.elapsed:.1f} s".replace(".", ",")


class CnesImportError(PecError):
    """The import was refused; nothing was changed. ``file_name``/``line`` when known."""

    def __init__(self, message: str, *, file_name: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.file_name = file_name
        self.line = line


class ImportCancelled(PecError):
    """The user cancelled the import; nothing was changed."""


ProgressCallback = Callable[[ImportProgress], None]


def check_import_permission(user: LoggedUser, localidade_id: int) -> Localidade:
    """Who may import for this municipality (3.3): the installation administrator, for any
    municipality active on the installation; a municipal administrator, for their own only.

    Returns the municipality; raises :class:`PecError` with the reason otherwise."""
    municipality = _installation_municipality(localidade_id)
    if user.installation_admin:
        return municipality
    own = [ref for ref in user.municipal_admin_of if ref.id == localidade_id]
    if own:
        return municipality
    if user.municipal_admin:
        names = ", ".join(ref.label for ref in user.municipal_admin_of)
        raise PecError(
            f"Você é administrador municipal de {names}; só pode importar o CNES desse município, "
            f"não de {municipality.label}."
        )
    raise PecError(
        "Somente o administrador da instalação ou o administrador municipal podem importar o arquivo do CNES."
    )


def resolve_municipality(localidade_id: int | None) -> Localidade:
    """The municipality to import for: the one given (it must be active on the installation), or,
    when none is given, the installation's only active municipality."""
    if localidade_id is not None:
        return _installation_municipality(localidade_id)
    active = installation_municipalities()
    if not active:
        raise PecError("Esta instalação não tem município ativo; crie a instalação com 'pec-tui init'.")
    if len(active) > 1:
        names = ", ".join(m.label for m in active)
        raise PecError(f"Esta instalação atende {len(active)} municípios ({names}); escolha o município do arquivo.")
    return active[0]


def import_cnes(
    path: str | Path,
    *,
    localidade_id: int | None,
    user_id: int | None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ImportReport:
    """Import one CNES export (``.xml`` or ``.zip``) for the municipality, all or nothing.

    ``user_id`` is who imports (None: the system, e.g. the command line). ``progress`` is called
    from the importing thread (a screen's worker must hand it to the UI thread), at most every
    :data:`PROGRESS_INTERVAL` seconds; ``cancel`` stops the import (nothing is changed). Raises
    :class:`CnesImportError` (a wrong, malformed or refused file), :class:`ImportCancelled`, or
    another :class:`PecError`; the database is then exactly as before."""
    started = time.monotonic()
    municipality = resolve_municipality(localidade_id)
    file_name = Path(path).name
    try:
        # The file is read in a child process (reader.py) while this one applies the rules and writes.
        with ChildReader(path, CHUNK) as reader:
            header, display_name, size, warnings = reader.header()
            _check_file_municipality(header, municipality, file_name)
            run = _Run(
                municipality=municipality,
                header=header,
                file_name=file_name,
                display_name=display_name,
                size=size,
                user_id=user_id,
                progress=progress,
                cancel=cancel,
                started=started,
            )
            for warning in warnings:
                run.report.avisos.append(RecordIssue("arquivo", file_name, "", warning, "", 0))
            with _foreign_keys_at_end() as at_end, transaction(), _no_cyclic_gc():
                run.foreign_keys_at_end = at_end
                run.execute(reader)
            return run.report
    except CnesFileError as exc:
        raise CnesImportError(exc.message, file_name=exc.file_name or file_name, line=exc.line) from None
    except _database_errors() as exc:
        # The transaction was rolled back on the way out: say so in one sentence, keep the cause.
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CnesImportError(
            f"A importação de {file_name} falhou ao gravar no banco ({detail}); nada foi alterado.",
            file_name=file_name,
        ) from exc


def _foreign_keys_at_end():
    """SQLite: this connection's foreign keys are checked once, before commit, instead of row by
    row (yields True); PostgreSQL suspends its checks itself, for a large load (yields False)."""
    db = current_database()
    return nullcontext(False) if is_postgres(db) else sqlite_bulk.foreign_keys_checked_at_end(db)


_gc_lock = threading.Lock()
_gc_holders = 0


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an import runs.

    An import creates a few million tuples and strings, and keeps hundreds of thousands alive
    (what the database has, by key); each automatic collection walks all of them again, which
    cost ~15% of a large import. Those objects hold no reference cycles (reference counting
    frees them), and the collector comes back, as it was, when the import ends."""
    global _gc_holders
    with _gc_lock:
        if _gc_holders == 0:
            _no_cyclic_gc.was_enabled = gc.isenabled()  # type: ignore[attr-defined]
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _no_cyclic_gc.was_enabled:  # type: ignore[attr-defined]
                gc.enable()


def _database_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    from peewee import PeeweeException

    errors: list[type[BaseException]] = [sqlite3.Error, PeeweeException]
    try:
        import psycopg2

        errors.append(psycopg2.Error)
    except ImportError:  # pragma: no cover - psycopg2 is a dependency
        pass
    return tuple(errors)


# --------------------------------------------------------------------------------------------
# Municipality checks
# --------------------------------------------------------------------------------------------


def _installation_municipality(localidade_id: int) -> Localidade:
    found = Localidade.select(Localidade, State).join(State).where(Localidade.id == localidade_id).first()
    if found is None:
        raise PecError("O município escolhido não existe.")
    active = (
        InstallationMunicipality.select()
        .where((InstallationMunicipality.localidade == localidade_id) & (InstallationMunicipality.active == True))
        .exists()
    )
    if not active:
        raise PecError(f"O município {found.label} não está ativo nesta instalação.")
    return found


def _check_file_municipality(header: CnesHeader, municipality: Localidade, file_name: str) -> None:
    if header.ibge6 == municipality.ibge[:6]:
        return
    other = Localidade.select(Localidade, State).join(State).where(Localidade.ibge.startswith(header.ibge6)).first()
    of_file = f"{other.label} (IBGE {other.ibge})" if other else f"de código IBGE {header.ibge}"
    raise CnesImportError(
        f"O arquivo {file_name} é do município {of_file}, mas a importação é para "
        f"{municipality.label} (IBGE {municipality.ibge}); escolha o município do arquivo ou baixe "
        "o arquivo certo no CNES.",
        file_name=file_name,
        line=header.line,
    )


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


# --------------------------------------------------------------------------------------------
# Bulk writing, the same on SQLite and PostgreSQL
# --------------------------------------------------------------------------------------------


def _csv(rows: Sequence[Sequence[Any]], constants: tuple = ()) -> io.StringIO:
    """``rows`` (and ``constants`` after each) as COPY's CSV, by the csv module's C writer: about
    a third faster than joining escaped text in Python. None is an empty unquoted field, which
    COPY reads as NULL; so would be an empty string (the importer keeps no blank value)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(((*row, *constants) for row in rows) if constants else rows)
    buffer.seek(0)
    return buffer


def _sqlite_literal(value: Any) -> str:
    """A constant of :meth:`_Bulk.insert` as SQLite text (booleans are 0/1 there)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"constante sem forma SQL: {value!r}")


def _column(model: type[Model], name: str) -> str:
    return model._meta.fields[name].column_name


def _pg_type(model: type[Model], name: str) -> str:
    from peewee import BigIntegerField, BooleanField, DateField, DateTimeField, ForeignKeyField, IntegerField

    field = model._meta.fields[name]
    if isinstance(field, ForeignKeyField):
        field = field.rel_field
    if isinstance(field, BooleanField):
        return "boolean"
    if isinstance(field, DateTimeField):
        return "timestamp"
    if isinstance(field, DateField):
        return "date"
    if isinstance(field, BigIntegerField):
        return "bigint"
    if isinstance(field, IntegerField):  # AutoField too
        return "integer"
    return "text"


def _t(model: type[Model]) -> str:
    return f'"{model._meta.table_name}"'


def _c(model: type[Model], name: str) -> str:
    return f'"{_column(model, name)}"'


_SQL_PROFESSIONALS = (
    "SELECT "
    + ", ".join(
        _c(Professional, name)
        for name in (
            "cpf",
            "id",
            "user",
            "cns",
            "name",
            "birth_date",
            "sex",
            "council",
            "council_registry",
            "email",
            "phone",
        )
    )
    + f" FROM {_t(Professional)}"
)
_SQL_PROFESSIONALS_BY_CPF = _SQL_PROFESSIONALS + f" WHERE {_c(Professional, 'cpf')} IN {{keys}}"
_SQL_PROFESSIONALS_BY_ID = (
    f"SELECT {_c(Professional, 'id')}, {_c(Professional, 'cpf')}, {_c(Professional, 'name')}, "
    f"{_c(Professional, 'cns')} FROM {_t(Professional)} WHERE {_c(Professional, 'id')} IN {{keys}}"
)
_SQL_USERS = (
    f"SELECT u.{_c(User, 'login')}, u.{_c(User, 'id')}, p.{_c(Professional, 'id')} FROM {_t(User)} u "
    f"LEFT OUTER JOIN {_t(Professional)} p ON p.{_c(Professional, 'user')} = u.{_c(User, 'id')}"
)
_SQL_USERS_BY_LOGIN = _SQL_USERS + f" WHERE u.{_c(User, 'login')} IN {{keys}}"


class _Bulk:
    """Bulk inserts and updates on the transaction's own connection, with ids chosen here.

    SQLite: ``executemany``, right away. PostgreSQL: ``COPY`` (CSV), updates through a temporary
    table, run on a writer thread in the order they were asked for, while the caller goes on with
    the rules for the next batch: the server works in its own process meanwhile, and the writer
    takes Python's GIL only a few times per write. (On SQLite the work is in this process and
    ``executemany`` gives the GIL back for every row, so a writer thread would wait for it after
    every row.) Reads (:meth:`rows`, :meth:`lookup`, :meth:`query`) run between two writes,
    never during one; they only ever look for what existed before the import (what the import
    itself wrote is known in memory), so they need not wait for queued writes. :meth:`flush`
    waits for every queued write (before the final queries) and raises the first error a write
    met; :meth:`close` stops the writer before the transaction ends, either way. While a write
    may be queued, nothing else may use the connection (peewee included): flush first.

    Ids: SQLite takes ``max(id)+1`` (the write lock is held since ``BEGIN IMMEDIATE``);
    PostgreSQL draws them from each table's own sequence (``nextval``, so concurrent inserts
    elsewhere stay safe).
    """

    IN_CHUNK = 900  # SQLite's IN lists stay well under its variable limit
    PENDING = 8  # writes queued at most (about two batches): memory stays flat
    GIL_TURN = 0.0005
    """Seconds a busy thread keeps Python's GIL while the writer waits for it (the default is
    0.005): the writer needs it back after each COPY, and while the rules run it would otherwise
    wait 5 ms each time; measured, the first import on PostgreSQL takes about 12% less time."""

    def __init__(self) -> None:
        self.db = current_database()
        self.pg = is_postgres(self.db)
        # Both cursors are made here, on the transaction's thread: peewee keeps one connection
        # per thread, and the writer must use this one.
        self.cursor = self.db.cursor()
        self._write_cursor = self.db.cursor()
        self._statement = threading.Lock()  # one statement at a time on the connection
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=self.PENDING)
        self._writer: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._stopping = False
        self._next: dict[type[Model], int] = {}
        self._sequences: dict[type[Model], str] = {}
        self._pool: dict[type[Model], list[int]] = {}
        self._draw: dict[type[Model], int] = {}
        self._temporary: dict[tuple[type[Model], tuple[str, ...]], str] = {}

    # -- the writer ---------------------------------------------------------------------------

    def _submit(self, write: Callable[[], None]) -> None:
        """Queue a PostgreSQL write for the writer thread (started at the first one)."""
        self._raise_failure()
        if self._writer is None:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch_interval, self.GIL_TURN))
            self._writer = threading.Thread(target=self._write_loop, name="cnes-gravacao", daemon=True)
            self._writer.start()
        self._jobs.put(write)

    def _write_loop(self) -> None:
        while True:
            write = self._jobs.get()
            try:
                if write is None:
                    return
                if self._failure is None and not self._stopping:
                    with self._statement:
                        write()
            except BaseException as exc:  # handed to the transaction's thread by _raise_failure
                self._failure = exc
            finally:
                self._jobs.task_done()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def flush(self) -> None:
        """Wait for every queued write; raise the first error one of them met."""
        if self._writer is not None:
            self._jobs.join()
        self._raise_failure()

    def close(self) -> None:
        """Stop the writer; writes still queued (after an error or a cancel) are dropped. Call
        before the transaction commits or rolls back."""
        if self._writer is None:
            return
        self._stopping = True
        self._jobs.put(None)
        self._writer.join()
        self._writer = None
        sys.setswitchinterval(self._switch_interval)

    # -- foreign keys (PostgreSQL) ------------------------------------------------------------

    def suspend_checks(self, models: Sequence[type[Model]]) -> SuspendedChecks | None:
        """Suspend the foreign-key checks of these tables (None: not possible here, they stay).

        In a savepoint, waiting at most :data:`_SUSPEND_LOCK_WAIT` for the tables' locks: a PEC
        transaction left open on one of them must not hold the import (and the writers queued
        behind it) until it ends; nor may a key PostgreSQL refuses to alter (pending deferred
        checks) fail it. Either way the per-row checks simply stay."""
        from psycopg2 import Error

        self.flush()
        with self._statement:
            cursor = self.cursor
            cursor.execute("SELECT current_setting('lock_timeout')")
            [(previous,)] = cursor.fetchall()
            cursor.execute("SAVEPOINT pectui_suspensao_fk")
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", (f"{int(_SUSPEND_LOCK_WAIT * 1000)}ms",))
            try:
                suspended = suspend_foreign_key_checks(cursor, [model._meta.table_name for model in models])
            except Error:
                cursor.execute("ROLLBACK TO SAVEPOINT pectui_suspensao_fk")
                suspended = None
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", (previous,))
            cursor.execute("RELEASE SAVEPOINT pectui_suspensao_fk")
            return suspended

    def validate_checks(self, suspended: SuspendedChecks) -> list:
        """Enable the suspended checks again and validate them; the violations found."""
        self.flush()
        with self._statement:
            return suspended.restore_and_validate()

    # -- foreign keys and indexes (SQLite) -----------------------------------------------------

    def drop_indexes(self, models: Sequence[type[Model]]) -> list[tuple[str, str]]:
        """Drop these tables' secondary indexes until :meth:`recreate_indexes`."""
        return sqlite_bulk.drop_secondary_indexes(self.cursor, [model._meta.table_name for model in models])

    def recreate_indexes(self, dropped: Sequence[tuple[str, str]]) -> None:
        sqlite_bulk.recreate_indexes(self.cursor, dropped)

    def foreign_key_violations(self, models: Sequence[type[Model]]) -> list:
        """The rows of these tables whose foreign keys reference nothing (checked set-based)."""
        return sqlite_bulk.foreign_key_violations(self.cursor, [model._meta.table_name for model in models])

    # -- reading ------------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run one statement on the transaction's connection, between two writes; its rows."""
        with self._statement:
            self.cursor.execute(sql, params)
            return self.cursor.fetchall() if self.cursor.description else []

    def rows(self, query) -> list[tuple]:
        """Run a peewee query on the raw cursor: plain tuples, no per-row conversion."""
        sql, params = query.sql()
        return self.query(sql, params)

    def lookup(self, sql: str, keys: Sequence[Any]) -> list[tuple]:
        """Run ``sql``, whose ``{keys}`` stands for the keys to match (``col IN {keys}``), in chunks."""
        result: list[tuple] = []
        keys = list(keys)
        if self.pg:
            if keys:
                result.extend(self.query(sql.replace("IN {keys}", "= ANY(%s)"), (keys,)))
            return result
        for start in range(0, len(keys), self.IN_CHUNK):
            chunk = keys[start : start + self.IN_CHUNK]
            result.extend(self.query(sql.replace("{keys}", f"({', '.join('?' * len(chunk))})"), chunk))
        return result

    # -- ids ----------------------------------------------------------------------------------

    def ids(self, model: type[Model], count: int) -> list[int]:
        if count <= 0:
            return []
        if self.pg:
            pool = self._pool.setdefault(model, [])
            if len(pool) < count:
                sequence = self._sequences.get(model)
                if sequence is None:
                    table, column = model._meta.table_name, model._meta.primary_key.column_name
                    [(sequence,)] = self.query("SELECT pg_get_serial_sequence(%s, %s)", (table, column))
                    self._sequences[model] = sequence
                # Few draws, each twice the last: a draw waits for the write running on the
                # connection, and what is drawn and not used is only a gap in the sequence.
                want = max(count - len(pool), self._draw.get(model, 5_000))
                self._draw[model] = want * 2
                drawn = self.query("SELECT nextval(%s) FROM generate_series(1, %s)", (sequence, want))
                pool.extend(row[0] for row in drawn)
            taken, self._pool[model] = pool[:count], pool[count:]
            return taken
        if model not in self._next:
            pk = model._meta.primary_key.column_name
            [(highest,)] = self.query(f'SELECT max("{pk}") FROM "{model._meta.table_name}"')
            self._next[model] = (highest or 0) + 1
        first = self._next[model]
        self._next[model] = first + count
        return list(range(first, first + count))

    # -- writing ------------------------------------------------------------------------------

    def insert(
        self,
        model: type[Model],
        names: Sequence[str],
        rows: Sequence[Sequence[Any]],
        constants: dict[str, Any] | None = None,
    ) -> None:
        """Insert ``rows`` (values of ``names``); ``constants`` are columns with the same value in
        every row, written once in the statement instead of bound for each row."""
        if not rows:
            return
        constants = constants or {}
        table = model._meta.table_name
        columns = ", ".join(f'"{_column(model, name)}"' for name in (*names, *constants))
        cursor = self._write_cursor
        if self.pg:
            buffer = _csv(rows, tuple(constants.values()))
            statement = f'COPY "{table}" ({columns}) FROM STDIN WITH (FORMAT csv)'
            self._submit(lambda: cursor.copy_expert(statement, buffer, size=1 << 20))
        else:
            marks = ", ".join(("?",) * len(names) + tuple(_sqlite_literal(value) for value in constants.values()))
            cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', rows)

    def update(self, model: type[Model], key: str, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """``rows`` are ``(key value, *new values)``."""
        if not rows:
            return
        table = model._meta.table_name
        key_column = _column(model, key)
        aliases = [f"v{index}" for index in range(len(names))]
        cursor = self._write_cursor
        if self.pg:
            # COPY into a temporary table, then one UPDATE … FROM: 2–3× faster than
            # UPDATE … FROM (VALUES …) on 100,000 rows (measured on tb_prof).
            temporary = self._temporary.get((model, tuple(names)))
            statements = []
            if temporary is None:
                temporary = f"pectui_importacao_{len(self._temporary)}"
                columns = ", ".join(
                    f"{alias} {_pg_type(model, name)}"
                    for alias, name in zip(("k", *aliases), (key, *names), strict=True)
                )
                statements.append(f"CREATE TEMPORARY TABLE {temporary} ({columns}) ON COMMIT DROP")
                self._temporary[(model, tuple(names))] = temporary
            else:
                statements.append(f"TRUNCATE {temporary}")
            buffer = _csv(rows)
            assignments = ", ".join(f'"{_column(model, n)}" = v.{a}' for n, a in zip(names, aliases, strict=True))
            update = f'UPDATE "{table}" AS t SET {assignments} FROM {temporary} AS v WHERE t."{key_column}" = v.k'

            def write() -> None:
                for statement in statements:
                    cursor.execute(statement)
                cursor.copy_expert(f"COPY {temporary} FROM STDIN WITH (FORMAT csv)", buffer, size=1 << 20)
                cursor.execute(update)

            self._submit(write)
        else:
            assignments = ", ".join(f'"{_column(model, n)}" = ?' for n in names)
            statement = f'UPDATE "{table}" SET {assignments} WHERE "{key_column}" = ?'
            cursor.executemany(statement, [(*row[1:], row[0]) for row in rows])

    def update_ids(self, model: type[Model], key: str, values: dict[str, Any], ids: Sequence[int]) -> None:
        """Set ``values`` on the rows whose ``key`` is one of ``ids`` (set-based, chunked)."""
        if not ids:
            return
        table = model._meta.table_name
        key_column = _column(model, key)
        names = list(values)
        params = [values[name] for name in names]
        cursor = self._write_cursor
        if self.pg:
            assignments = ", ".join(f'"{_column(model, n)}" = %s' for n in names)
            statement = f'UPDATE "{table}" SET {assignments} WHERE "{key_column}" = ANY(%s)'
            arguments = (*params, list(ids))
            self._submit(lambda: cursor.execute(statement, arguments))
            return
        assignments = ", ".join(f'"{_column(model, n)}" = ?' for n in names)
        ids = list(ids)
        for start in range(0, len(ids), self.IN_CHUNK):
            chunk = ids[start : start + self.IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            cursor.execute(f'UPDATE "{table}" SET {assignments} WHERE "{key_column}" IN ({marks})', (*params, *chunk))

    def value(self, value: Any) -> Any:
        """A date/datetime as this backend's driver wants it for an insert or update."""
        if value is None or self.pg:
            return value
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ")
        if isinstance(value, dt.date):
            return value.isoformat()
        return value


# --------------------------------------------------------------------------------------------
# One import
# --------------------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    """Dates from either driver (a ``date`` or SQLite's text) in one comparable form."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


_Lot = tuple
"""A lotação of the file that passed validation: ``(co_unico_lotacao, unit id, team id or None,
CBO id, CBO available, microárea, line, CBO code)``; a tuple, there is one per lotação."""


class _Run:
    def __init__(
        self,
        *,
        municipality: Localidade,
        header: CnesHeader,
        file_name: str,
        display_name: str,
        size: int,
        user_id: int | None,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
        started: float,
    ) -> None:
        self.municipality = municipality
        self.loc = municipality.id
        self.header = header
        self.file_name = file_name
        self.display_name = display_name
        self.size = size
        self.bytes_read = 0
        self.user_id = user_id
        self.progress_callback = progress
        self.cancel = cancel
        self.started = started
        self.now = clock.now()
        self.records = 0
        self.phase = "Lendo unidades e equipes"
        self._last_progress = 0.0
        self.report = ImportReport(
            arquivo=file_name,
            municipio=municipality.label,
            ibge=municipality.ibge,
            versao_layout=header.layout_version,
            data_arquivo=header.date.isoformat() if header.date else None,
            data_importacao=self.now.isoformat(sep=" ", timespec="seconds"),
            usuario_id=user_id,
        )
        # Filled as the file is read.
        self.file_units: dict[str, int] = {}  # CNES -> unit id (accepted units)
        self.file_teams: dict[str, tuple[int, str, bool]] = {}  # INE -> (team id, CNES, active)
        self.rejected_units: set[str] = set()
        self.rejected_teams: set[str] = set()
        self.protected_cpfs: set[str] = set()  # rejected professionals: their lotações stay as they are
        self.file_cpfs: set[str] = set()
        self.file_cns: dict[str, str] = {}  # CNS -> CPF of the first professional holding it
        self.seen_lotacoes: set[int] = set()
        self.suspended: SuspendedChecks | None = None
        self._suspend_tried = False
        self.foreign_keys_at_end = False  # SQLite: set by import_cnes, checked before commit
        self.dropped_indexes: list[tuple[str, str]] = []  # SQLite: built again once the file is read
        # The installation's professionals by CPF and users by login, when few (read at the start).
        self.professionals_by_cpf: dict[str, tuple] | None = None
        self.users_by_login: dict[str, tuple[str, int, int | None]] | None = None

    # -- driver -------------------------------------------------------------------------------

    def execute(self, reader: ChildReader) -> None:
        """Everything inside the import's transaction; ``reader`` yields the file's batches."""
        self.bulk = _Bulk()
        try:
            self._execute(reader)
            self.bulk.flush()
        finally:
            self.bulk.close()  # before the transaction commits or rolls back

    def _execute(self, reader: ChildReader) -> None:
        if self.bulk.pg:
            # Only this transaction's commit is not waited for on disk: a crash right after it
            # could lose this import (never corrupt the database); the import can simply be rerun.
            self.bulk.query("SET LOCAL synchronous_commit = off")
            self.bulk.query("SELECT pg_advisory_xact_lock(%s, %s)", (_PG_ADVISORY_CLASS, self.loc))
        self._check_layout_version()
        self._load_catalogues()
        self._load_units_and_teams()
        self._load_lotacoes()
        self._load_known_keys()
        self._report_progress(force=True)

        units: list[CnesUnit] | None = []
        for kind, payload, records, bytes_read in reader:
            self.records, self.bytes_read = records, bytes_read
            if kind == "units":
                if units is None:
                    line = payload[0].line
                    raise CnesImportError(
                        f"O arquivo {self.display_name} traz a unidade da linha {line} depois dos "
                        "profissionais; no layout do CNES as unidades (ESTABELECIMENTOS) vêm antes. "
                        "Gere o arquivo novamente no CNES.",
                        file_name=self.file_name,
                        line=line,
                    )
                units.extend(payload)
            elif kind == "professionals":
                if units is not None:
                    self._save_units(units)
                    units = None
                    self.phase = "Lendo profissionais e lotações"
                self._save_professionals(payload)
            self._check_cancel()
            self._report_progress()
        if units is not None:
            self._save_units(units)
        self._check_cancel()
        if self.dropped_indexes:
            self.phase = "Criando os índices"
            self._report_progress(force=True)
            self.bulk.recreate_indexes(self.dropped_indexes)
            self.dropped_indexes = []
        self.phase = "Desativando o que não está no arquivo"
        self._report_progress(force=True)
        self._deactivate_lotacoes()
        # Every write done: what follows reads the result, and peewee uses the connection itself.
        self.bulk.flush()
        self.phase = "Gravando o relatório"
        self._report_progress(force=True)
        self._without_agenda()
        self._finish()
        violations = []
        if self.suspended is not None:
            violations = self.bulk.validate_checks(self.suspended)
        elif self.foreign_keys_at_end:
            violations = self.bulk.foreign_key_violations(_WRITTEN_TABLES)
        if violations:
            raise CnesImportError(
                f"A importação de {self.file_name} deixaria registros sem correspondência no banco "
                f"({violations[0]}); nada foi alterado.",
                file_name=self.file_name,
            )
        self.phase = "Concluído"
        self._report_progress(force=True)

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ImportCancelled("Importação do CNES cancelada; nada foi alterado.")

    def _report_progress(self, force: bool = False) -> None:
        if self.progress_callback is None:
            return
        now = time.monotonic()
        if not force and now - self._last_progress < PROGRESS_INTERVAL:
            return
        self._last_progress = now
        self.progress_callback(ImportProgress(self.records, now - self.started, self.bytes_read, self.size, self.phase))

    def _reject(self, kind: str, key: str | None, name: str | None, reason: str, element: str, line: int) -> None:
        self.report.registros_nao_importados.append(RecordIssue(kind, key or "", name or "", reason, element, line))

    def _warn(self, kind: str, key: str | None, name: str | None, reason: str, element: str, line: int) -> None:
        self.report.avisos.append(RecordIssue(kind, key or "", name or "", reason, element, line))

    # -- before reading -----------------------------------------------------------------------

    def _check_layout_version(self) -> None:
        last = (
            CnesImport.select(CnesImport.layout_version, CnesImport.imported_at)
            .where((CnesImport.localidade == self.loc) & (CnesImport.succeeded == True))
            .order_by(CnesImport.imported_at.desc(), CnesImport.id.desc())
            .first()
        )
        if last is None:
            return
        version = self.header.layout_version
        if _version_key(version) < _version_key(last.layout_version):
            when = last.imported_at.strftime("%d/%m/%Y") if last.imported_at else ""
            raise CnesImportError(
                f"O arquivo {self.file_name} usa o layout {version}, mais antigo que o layout "
                f"{last.layout_version} da última importação de {self.municipality.label} ({when}); "
                "gere o arquivo novamente no CNES.",
                file_name=self.file_name,
                line=self.header.line,
            )

    def _load_catalogues(self) -> None:
        self.cbos: dict[str, tuple[int, bool]] = {
            code: (cbo_id, bool(available))
            for cbo_id, code, available in self.bulk.rows(Cbo.select(Cbo.id, Cbo.code, Cbo.available_for_lotacao))
        }
        self.unit_types = {
            code: type_id for type_id, code in self.bulk.rows(UnitType.select(UnitType.id, UnitType.cnes_code))
        }
        self.team_types = {
            code: type_id for type_id, code in self.bulk.rows(TeamType.select(TeamType.id, TeamType.ms_code))
        }

    def _load_units_and_teams(self) -> None:
        # Every unit of the installation by CNES (a CNES is unique), with what the import may change.
        self.units: dict[str, tuple[int, int | None, bool, tuple]] = {}
        for row in self.bulk.rows(
            HealthUnit.select(
                HealthUnit.cnes,
                HealthUnit.id,
                HealthUnit.active,
                # What the import may change, in the order of _save_units' values.
                HealthUnit.name,
                HealthUnit.cnpj,
                HealthUnit.unit_type,
                HealthUnit.localidade,
                HealthUnit.complexity,
                HealthUnit.address,
                HealthUnit.address_number,
                HealthUnit.address_complement,
                HealthUnit.district,
                HealthUnit.cep,
                HealthUnit.phone,
                HealthUnit.email,
            )
        ):
            self.units[row[0]] = (row[1], row[6], bool(row[2]), tuple(row[3:]))
        self.teams: dict[str, tuple[int, int, bool, tuple, int | None]] = {}
        for row in self.bulk.rows(
            Team.select(
                Team.ine,
                Team.id,
                Team.unit,
                Team.active,
                HealthUnit.localidade,
                Team.name,
                Team.team_type,
                Team.area_code,
                Team.area,
                Team.deactivated_on,
            ).join(HealthUnit)
        ):
            ine, team_id, unit_id, active, localidade, name, team_type, area_code, area, deactivated_on = row
            fields = (name, unit_id, team_type, area_code, area, _iso(deactivated_on))
            self.teams[ine] = (team_id, unit_id, bool(active), fields, localidade)

    def _load_lotacoes(self) -> None:
        """The municipality's lotações the import manages, by unique code; hand-made ones by key."""
        in_municipality = HealthUnit.localidade == self.loc
        self.lotacoes: dict[str, tuple[int, bool, str | None]] = {}
        # Hand-made lotações flagged "Atualizar perfis ao importar CNES" and without a code yet.
        self.flagged: dict[tuple, tuple[int, bool, str | None, str]] = {}
        self.manual: set[tuple] = set()  # hand-made, not flagged, active: left alone
        managed = (Lotacao.imported == True) | (Lotacao.update_on_import == True)
        for code, role_id, inactive, microarea in self.bulk.rows(
            Lotacao.select(Lotacao.unique_code, Lotacao.role, Lotacao.deactivated_at.is_null(False), Lotacao.microarea)
            .join(HealthUnit, on=(Lotacao.unit == HealthUnit.id))
            .where(in_municipality & managed & Lotacao.unique_code.is_null(False))
        ):
            self.lotacoes[code] = (role_id, not inactive, microarea)
        for row in self.bulk.rows(
            Lotacao.select(
                Lotacao.role,
                Lotacao.professional,
                Lotacao.unit,
                Lotacao.team,
                Lotacao.cbo,
                Lotacao.deactivated_at.is_null(False),
                Lotacao.update_on_import,
                Lotacao.microarea,
                Professional.cpf,
            )
            .join(HealthUnit, on=(Lotacao.unit == HealthUnit.id))
            .switch(Lotacao)
            .join(Professional, on=(Lotacao.professional == Professional.id))
            .where(in_municipality & (Lotacao.imported == False) & Lotacao.unique_code.is_null())
        ):
            role_id, professional_id, unit_id, team_id, cbo_id, inactive, flagged, microarea, cpf = row
            key = (professional_id, unit_id, team_id, cbo_id)
            if flagged:
                self.flagged[key] = (role_id, not inactive, microarea, cpf)
            elif not inactive:
                self.manual.add(key)

    def _load_known_keys(self) -> None:
        """Every CPF and login the installation already has (keys only), and who owns each CNS:
        a professional whose CPF is unknown needs no lookup at all (every professional of a
        first import)."""
        query = self.bulk.query
        self.known_cpfs = {row[0] for row in query(f"SELECT {_c(Professional, 'cpf')} FROM {_t(Professional)}")}
        # Who owns each CNS (one professional, or SHARED when two already do), and which CNS
        # already have their history row: a CNS check needs no query per chunk.
        owners = query(
            f"SELECT {_c(Professional, 'cns')}, {_c(Professional, 'id')}, 0 FROM {_t(Professional)} "
            f"WHERE {_c(Professional, 'cns')} IS NOT NULL UNION ALL "
            f"SELECT {_c(ProfessionalCnsHistory, 'cns')}, {_c(ProfessionalCnsHistory, 'professional')}, 1 "
            f"FROM {_t(ProfessionalCnsHistory)}"
        )
        self.cns_owner: dict[str, int] = {}
        self.cns_in_history: set[str] = set()
        for cns, professional_id, in_history in owners:
            owner = self.cns_owner.get(cns)
            self.cns_owner[cns] = professional_id if owner in (None, professional_id) else _SHARED
            if in_history:
                self.cns_in_history.add(cns)
        self.known_logins = {row[0] for row in query(f"SELECT {_c(User, 'login')} FROM {_t(User)}")}
        if len(self.known_cpfs) <= _PRELOAD_AT_MOST and len(self.known_logins) <= _PRELOAD_AT_MOST:
            # Few: read them whole now rather than look them up batch by batch. (A batch only ever
            # looks up its own CPFs, which no earlier batch touched: the rows read now are the
            # rows a lookup would find then.)
            self.professionals_by_cpf = {row[0]: row for row in query(_SQL_PROFESSIONALS)}
            self.users_by_login = {row[0]: row for row in query(_SQL_USERS)}

    # -- units and teams ----------------------------------------------------------------------

    def _type_id(
        self, catalogue: dict[int, int], model: type[Model], code_text: str | None, **fields: Any
    ) -> int | None:
        """The unit/team type of this CNES code; a type the table lacks is added (CNES is the source)."""
        if not code_text or not code_text.isdigit():
            return None
        code = int(code_text)
        if code not in catalogue:
            self.bulk.flush()  # peewee uses the connection directly: no write may be running
            key = "cnes_code" if model is UnitType else "ms_code"
            model.insert({key: code, **fields}).on_conflict_ignore().execute()
            catalogue[code] = model.get(getattr(model, key) == code).id
        return catalogue[code]

    def _save_units(self, units: list[CnesUnit]) -> None:
        counts_units, counts_teams = self.report.unidades, self.report.equipes
        bulk = self.bulk
        unit_names = (
            "id",
            "cnes",
            "name",
            "cnpj",
            "unit_type",
            "localidade",
            "complexity",
            "address",
            "address_number",
            "address_complement",
            "district",
            "cep",
            "phone",
            "email",
            "active",
        )
        unit_inserts: list[tuple] = []
        unit_updates: list[tuple] = []
        team_names = ("id", "ine", "name", "unit", "team_type", "area_code", "area", "deactivated_on", "active")
        team_inserts: list[tuple] = []
        team_updates: list[tuple] = []
        for unit in units:
            reason = self._unit_problem(unit)
            if reason:
                self._reject(KIND_UNIT, unit.cnes, unit.name, reason, UNIT_TAG, unit.line)
                if unit.cnes:
                    self.rejected_units.add(unit.cnes)
                self.rejected_teams.update(team.ine for team in unit.teams if team.ine)
                continue
            address = unit.address
            values = (
                unit.name,
                unit.cnpj,
                self._type_id(
                    self.unit_types,
                    UnitType,
                    unit.unit_type_code,
                    name=unit.unit_type_desc or f"Tipo {unit.unit_type_code}",
                ),
                self.loc,
                ", ".join(unit.complexities) or None,
                address.street if address else None,
                address.number if address else None,
                address.complement if address else None,
                address.district if address else None,
                address.cep if address else None,
                unit.phone or unit.phone2,
                unit.email,
            )
            existing = self.units.get(unit.cnes)
            if existing is None:
                [unit_id] = bulk.ids(HealthUnit, 1)
                unit_inserts.append((unit_id, unit.cnes, *values, True))
                counts_units.novos += 1
            else:
                unit_id, _localidade, active, old = existing
                if not active:
                    counts_units.reativados += 1
                elif old != values:
                    counts_units.atualizados += 1
                else:
                    counts_units.inalterados += 1
                if not active or old != values:
                    unit_updates.append((unit_id, *values, True))
            self.file_units[unit.cnes] = unit_id
            for team in unit.teams:
                self._save_team(team, unit, unit_id, team_inserts, team_updates, counts_teams)
        bulk.insert(HealthUnit, unit_names, unit_inserts)
        bulk.update(HealthUnit, "id", unit_names[2:], unit_updates)
        bulk.insert(Team, team_names, [(*row[:7], bulk.value(row[7]), row[8]) for row in team_inserts])
        bulk.update(Team, "id", team_names[2:], [(*row[:6], bulk.value(row[6]), row[7]) for row in team_updates])

        # Units and teams of the municipality that the file does not hold.
        gone_units = [
            unit_id
            for cnes, (unit_id, localidade, active, _old) in self.units.items()
            if localidade == self.loc and active and cnes not in self.file_units and cnes not in self.rejected_units
        ]
        bulk.update_ids(HealthUnit, "id", {"active": False}, gone_units)
        counts_units.desativados += len(gone_units)
        protected_unit_ids = {self.units[cnes][0] for cnes in self.rejected_units if cnes in self.units}
        gone_teams = [
            team_id
            for ine, (team_id, unit_id, active, _old, localidade) in self.teams.items()
            if localidade == self.loc
            and active
            and ine not in self.file_teams
            and ine not in self.rejected_teams
            and unit_id not in protected_unit_ids
        ]
        bulk.update_ids(Team, "id", {"active": False}, gone_teams)
        counts_teams.desativados += len(gone_teams)

    def _unit_problem(self, unit: CnesUnit) -> str | None:
        if not unit.cnes:
            return "CNES da unidade não informado."
        if not is_cnes_code(unit.cnes):
            return f"CNES {unit.cnes} inválido: o código do CNES tem 7 dígitos."
        if unit.cnes in self.file_units or unit.cnes in self.rejected_units:
            return f"CNES {unit.cnes} repetido no arquivo; vale a primeira ocorrência."
        if not unit.name:
            return "Nome da unidade (NM_FANTA) não informado."
        if unit.cnpj and not is_valid_cnpj(unit.cnpj):
            return f"CNPJ {unit.cnpj} inválido (dígitos verificadores não conferem)."
        existing = self.units.get(unit.cnes)
        if existing is not None and existing[1] not in (None, self.loc):
            other = Localidade.select(Localidade, State).join(State).where(Localidade.id == existing[1]).first()
            where = other.label if other else "outro município"
            return f"A unidade CNES {unit.cnes} já está cadastrada em {where}."
        if unit.problems:
            return " ".join(unit.problems)
        return None

    def _save_team(self, team, unit: CnesUnit, unit_id: int, inserts: list, updates: list, counts: KindCounts) -> None:
        reason = None
        if not team.ine:
            reason = "INE da equipe não informado."
        elif not is_ine_code(team.ine):
            reason = f"INE {team.ine} inválido: o INE tem 10 dígitos."
        elif team.ine in self.file_teams or team.ine in self.rejected_teams:
            reason = f"INE {team.ine} repetido no arquivo; vale a primeira ocorrência."
        elif team.problems:
            reason = " ".join(team.problems)
        else:
            existing = self.teams.get(team.ine)
            if existing is not None and existing[4] != self.loc:
                reason = f"A equipe INE {team.ine} já está cadastrada em uma unidade de outro município."
        name = team.reference_name or team.description or team.acronym
        if reason:
            self._reject(KIND_TEAM, team.ine, name, f"{reason} (unidade CNES {unit.cnes})", TEAM_TAG, team.line)
            if team.ine:
                self.rejected_teams.add(team.ine)
            return
        active = team.deactivated_on is None
        values = (
            name or f"Equipe {team.ine}",
            unit_id,
            self._type_id(
                self.team_types,
                TeamType,
                team.team_type,
                acronym=team.acronym or team.team_type,
                name=team.description or f"Tipo {team.team_type}",
            ),
            team.area_code,
            team.area_desc,
            _iso(team.deactivated_on),
        )
        existing = self.teams.get(team.ine)
        if existing is None:
            [team_id] = self.bulk.ids(Team, 1)
            inserts.append((team_id, team.ine, *values[:5], team.deactivated_on, active))
            counts.novos += 1
        else:
            team_id, _unit, was_active, old, _localidade = existing
            changed = old != values or was_active != active
            if was_active and not active:
                counts.desativados += 1
            elif not was_active and active:
                counts.reativados += 1
            elif changed:
                counts.atualizados += 1
            else:
                counts.inalterados += 1
            if changed:
                updates.append((team_id, *values[:5], team.deactivated_on, active))
        self.file_teams[team.ine] = (team_id, unit.cnes, active)

    # -- professionals and lotações -----------------------------------------------------------

    def _professional_problem(self, record: tuple) -> str:
        """Why a professional (a row of :mod:`pec_tui.domain.cnes.reader`) cannot be imported."""
        cns, name, cpf = record[0], record[1], record[2]
        if not cpf:
            return "CPF não informado."
        if not record[_CPF_OK]:
            return f"CPF {cpf} inválido (deve ter 11 dígitos e dígitos verificadores válidos)."
        if cpf in self.file_cpfs:
            return f"CPF {format_cpf(cpf)} repetido no arquivo; vale a primeira ocorrência."
        if not name:
            return "Nome do profissional (NM_PROF) não informado."
        if not cns:
            return "CNS não informado."
        return f"CNS {cns} inválido (deve ter 15 dígitos e dígitos verificadores válidos)."

    def _lotacao_problem(self, cnes: str | None, code: str | None, ine: str | None, cbo_shape: bool) -> str:
        """Why a lotação cannot be imported: checked against the file's units and teams and the CBO
        catalogue, in this order."""
        if not cnes:
            return "CNES da lotação não informado."
        if cnes in self.rejected_units:
            return f"A unidade CNES {cnes} não foi importada (veja o registro da unidade)."
        if cnes not in self.file_units:
            return f"A unidade CNES {cnes} não está no arquivo."
        if not code:
            return "CBO da lotação não informado."
        if not cbo_shape:
            return f"CBO {code} inválido: o código da CBO tem 6 caracteres."
        if code not in self.cbos:
            return f"O CBO {code} não existe no catálogo de CBO do sistema."
        if ine in self.rejected_teams:
            return f"A equipe INE {ine} não foi importada (veja o registro da equipe)."
        team = self.file_teams.get(ine)
        if team is None:
            return f"A equipe INE {ine} não está no arquivo."
        if team[1] != cnes:
            return f"A equipe INE {ine} não pertence à unidade CNES {cnes} (é da unidade CNES {team[1]})."
        return f"A equipe INE {ine} está desativada no arquivo."

    def _save_professionals(self, chunk: list[tuple]) -> None:
        """One batch of professionals (rows of :mod:`pec_tui.domain.cnes.reader`, CPF and CNS check digits
        and CBO shapes already checked there) with their lotações."""
        bulk = self.bulk
        counts = self.report.profissionais
        file_cpfs, file_units, file_teams, cbos = self.file_cpfs, self.file_units, self.file_teams, self.cbos
        rejected_units, rejected_teams = self.rejected_units, self.rejected_teams
        accepted: list[tuple[tuple, list[_Lot]]] = []
        for record in chunk:
            name, cpf = record[1], record[2]
            if not (record[_CPF_OK] and record[_CNS_OK] and name and cpf not in file_cpfs):
                reason = self._professional_problem(record)
                self._reject(KIND_PROFESSIONAL, cpf, name, reason, PROFESSIONAL_TAG, record[11])
                if record[_CPF_OK]:
                    self.protected_cpfs.add(cpf)
                continue
            file_cpfs.add(cpf)
            for problem in record[12]:
                self._warn(KIND_PROFESSIONAL, cpf, name, problem, PROFESSIONAL_TAG, record[11])
            lots: list[_Lot] = []
            for cnes, code, ine, microarea, line, cbo_shape in record[10]:
                unit_id = file_units.get(cnes)
                cbo = cbos.get(code) if cbo_shape else None
                team = file_teams.get(ine) if ine else None
                if (
                    unit_id is None
                    or cbo is None
                    or cnes in rejected_units
                    or (ine and (team is None or team[1] != cnes or not team[2] or ine in rejected_teams))
                ):
                    reason = self._lotacao_problem(cnes, code, ine, cbo_shape)
                    key = f"{format_cpf(cpf)} / {cnes or '-'} / {ine or '-'} / {code or '-'}"
                    self._reject(KIND_LOTACAO, key, name, reason, LOTACAO_TAG, line)
                    continue
                lot_code = f"{cpf}-{cnes}-{ine or ''}-{code}"
                if lots and any(lot_code == other[0] for other in lots):
                    self._reject(KIND_LOTACAO, lot_code, name, "Lotação repetida no arquivo.", LOTACAO_TAG, line)
                    continue
                lots.append((lot_code, unit_id, team[0] if team else None, cbo[0], cbo[1], microarea, line, code))
            accepted.append((record, lots))
        if not accepted:
            return

        # What already exists: professionals by CPF and users by login (CNS owners are in memory).
        known_cpfs = self.known_cpfs
        cpfs = [record[2] for record, _lots in accepted]
        existing: dict[str, tuple] = {}
        known = [cpf for cpf in cpfs if cpf in known_cpfs]
        if known:
            by_cpf = self.professionals_by_cpf
            if by_cpf is not None:
                existing = {cpf: by_cpf[cpf] for cpf in known if cpf in by_cpf}
            else:
                existing = {row[0]: row for row in bulk.lookup(_SQL_PROFESSIONALS_BY_CPF, known)}
        known_logins = self.known_logins
        need_user = [cpf for cpf in cpfs if cpf in known_logins and (cpf not in existing or existing[cpf][2] is None)]
        users: dict[str, tuple[int, int | None]] = {}
        if need_user:
            by_login = self.users_by_login
            found = (
                [by_login[cpf] for cpf in need_user if cpf in by_login]
                if by_login is not None
                else bulk.lookup(_SQL_USERS_BY_LOGIN, need_user)
            )
            for login, user_id, linked in found:
                users[login] = (user_id, linked)
        # Ids for the new professionals and for the new users (a professional without a user whose
        # login is free), drawn at once.
        new_ids = iter(bulk.ids(Professional, len(cpfs) - len(existing)))
        new_user_ids = iter(
            bulk.ids(
                User,
                sum(1 for cpf in cpfs if cpf not in users and (cpf not in existing or existing[cpf][2] is None)),
            )
        )

        user_rows: list[tuple] = []
        professional_rows: list[tuple] = []
        # Updates grouped by the columns that changed: an UPDATE that sets an indexed column, even
        # to the same value, rewrites its index entries (SQLite), so only what changed is set.
        professional_updates: dict[tuple[int, ...], list[tuple]] = {}
        history_rows: list[tuple] = []
        cns_in_history, cns_owner, file_cns = self.cns_in_history, self.cns_owner, self.file_cns
        lotacao_work: list[tuple[int, str, list[_Lot]]] = []
        for record, lots in accepted:
            cpf = record[2]
            row = existing.get(cpf)
            professional_id = row[1] if row else next(new_ids)
            # The file's CNS, unless it belongs to someone else (in tb_prof, in the CNS history or
            # earlier in this file).
            cns = record[0]
            owner = cns_owner.get(cns)
            if owner is None or owner == professional_id:
                cns_owner[cns] = professional_id
                file_cns.setdefault(cns, cpf)
            else:
                self._warn_cns_taken(record, row)
                cns = None
            sex = record[4]
            sex = _SEX.get(sex, sex)
            birth = record[3]  # ISO text, as both drivers take it
            user_id = row[2] if row else None
            if user_id is None:
                user_id = self._user_for(cpf, record, users, user_rows, new_user_ids)
            if row is None:
                professional_rows.append(
                    (
                        professional_id,
                        cpf,
                        cns,
                        record[1],
                        birth,
                        sex,
                        record[5],
                        record[7],
                        record[8],
                        record[9],
                        user_id,
                    )
                )
                counts.novos += 1
            else:
                old = (row[2], row[3], row[4], _iso(row[5]), row[6], row[7], row[8], row[9], row[10])
                # The file wins where it has a value; what it leaves blank is kept (an e-mail typed in PEC).
                new = (
                    user_id,
                    cns if cns is not None else row[3],
                    record[1],
                    birth or old[3],
                    sex or row[6],
                    record[5] or row[7],
                    record[7] or row[8],
                    record[8] or row[9],
                    record[9] or row[10],
                )
                if new != old:
                    changed = tuple(index for index, value in enumerate(new) if value != old[index])
                    professional_updates.setdefault(changed, []).append(
                        (professional_id, *(new[index] for index in changed))
                    )
                    counts.atualizados += 1
                else:
                    counts.inalterados += 1
            if cns is not None and cns not in cns_in_history:
                history_rows.append((professional_id, cns))
                cns_in_history.add(cns)
            lotacao_work.append((professional_id, record[1], lots))

        if not self._suspend_tried:
            new_rows = len(professional_rows) + sum(len(work[2]) for work in lotacao_work)
            if new_rows >= _SUSPEND_FK_AT:
                self._suspend_tried = True
                if bulk.pg:
                    self.suspended = bulk.suspend_checks(_SUSPENDED_TABLES)
                elif self.professionals_by_cpf is not None:
                    self.dropped_indexes = bulk.drop_indexes(_INDEXED_TABLES)
        bulk.insert(User, ("id", "login"), user_rows, _NEW_USER)
        bulk.insert(
            Professional,
            ("id", "cpf", "cns", "name", "birth_date", "sex", "council", "council_registry", "email", "phone", "user"),
            professional_rows,
            {"imported": True},
        )
        for changed, rows in professional_updates.items():
            bulk.update(Professional, "id", tuple(_PROFESSIONAL_UPDATE[index] for index in changed), rows)
        bulk.insert(ProfessionalCnsHistory, ("professional", "cns"), history_rows)
        self._save_lotacoes(lotacao_work)

    def _warn_cns_taken(self, record: tuple, row: tuple | None) -> None:
        """The professional's CNS in the file belongs to someone else: say so in the report (the
        file's CNS is not kept; a known professional keeps their own, ``row``)."""
        cns, cpf = record[0], record[2]
        first = self.file_cns.get(cns)
        if first is not None and first != cpf:
            whose = f"ao profissional de CPF {format_cpf(first)} deste arquivo"
        else:
            whose = "a outro profissional já cadastrado"
        kept = f"; mantido o CNS {row[3]}" if row and row[3] else "; importado sem CNS"
        self._warn(
            KIND_PROFESSIONAL,
            cpf,
            record[1],
            f"O CNS {cns} já pertence {whose} e não foi compartilhado{kept}.",
            PROFESSIONAL_TAG,
            record[11],
        )

    def _user_for(self, cpf: str, record: tuple, users: dict, user_rows: list, new_ids: Iterator[int]) -> int | None:
        """The user (login = CPF) of a professional who has none: the existing login when it is free,
        else a new user without password who must change it at first access."""
        found = users.get(cpf)
        if found is not None:
            user_id, linked = found
            if linked is None:
                users[cpf] = (user_id, -1)  # taken now
                return user_id
            self._warn(
                KIND_PROFESSIONAL,
                cpf,
                record[1],
                f"O login {format_cpf(cpf)} já pertence a outro profissional; o profissional ficou sem usuário.",
                PROFESSIONAL_TAG,
                record[11],
            )
            return None
        user_id = next(new_ids)
        user_rows.append((user_id, cpf))
        users[cpf] = (user_id, -1)
        return user_id

    def _save_lotacoes(self, work: list[tuple[int, str, list[_Lot]]]) -> None:
        """``work``: ``(professional id, name, accepted lotações)`` of one batch."""
        bulk = self.bulk
        counts = self.report.lotacoes
        lotacoes, seen, flagged_lots, manual = self.lotacoes, self.seen_lotacoes, self.flagged, self.manual
        new: list[tuple] = []
        reactivate: list[tuple[int, str | None]] = []
        microareas: list[tuple[int, str | None]] = []
        adopt: list[tuple[int, str, str | None]] = []
        for professional_id, name, lots in work:
            for lot in lots:
                code, unit_id, team_id, cbo_id, cbo_available, microarea, line, cbo = lot
                found = lotacoes.get(code)
                if found is not None:
                    role_id, active, old_microarea = found
                    seen.add(role_id)
                    if not active:
                        reactivate.append((role_id, microarea))
                        counts.reativados += 1
                    elif old_microarea != microarea:
                        microareas.append((role_id, microarea))
                        counts.atualizados += 1
                    else:
                        counts.inalterados += 1
                    continue
                key = (professional_id, unit_id, team_id, cbo_id)
                flagged = flagged_lots.pop(key, None) if flagged_lots else None
                if flagged is not None:
                    role_id, active, _microarea, _cpf = flagged
                    seen.add(role_id)
                    adopt.append((role_id, code, microarea))
                    if not active:
                        reactivate.append((role_id, microarea))
                        counts.reativados += 1
                    else:
                        counts.atualizados += 1
                    continue
                if key in manual:
                    self._warn(
                        KIND_LOTACAO,
                        code,
                        name,
                        'Já existe esta lotação cadastrada manualmente (sem "Atualizar perfis ao importar '
                        'CNES"); ela foi mantida como está.',
                        LOTACAO_TAG,
                        line,
                    )
                    continue
                if not cbo_available:
                    self._reject(
                        KIND_LOTACAO,
                        code,
                        name,
                        f"O CBO {cbo} está indisponível para lotação (módulo CBO).",
                        LOTACAO_TAG,
                        line,
                    )
                    continue
                new.append((professional_id, cbo_id, unit_id, team_id, code, microarea))
                counts.novos += 1
        role_ids = bulk.ids(ActorRole, len(new))
        bulk.insert(
            ActorRole,
            ("id", "professional"),
            [(role_id, item[0]) for role_id, item in zip(role_ids, new, strict=True)],
            _NEW_ROLE,
        )
        bulk.insert(
            Lotacao,
            ("role", "professional", "cbo", "unit", "team", "unique_code", "microarea"),
            [(role_id, *item) for role_id, item in zip(role_ids, new, strict=True)],
            _NEW_LOTACAO,
        )
        for role_id, item in zip(role_ids, new, strict=True):
            lotacoes[item[4]] = (role_id, True, item[5])
            seen.add(role_id)
        bulk.update(Lotacao, "role", ("unique_code", "microarea"), adopt)
        bulk.update(
            Lotacao, "role", ("deactivated_at", "microarea"), [(role_id, None, micro) for role_id, micro in reactivate]
        )
        bulk.update(Lotacao, "role", ("microarea",), microareas)
        bulk.update(ActorRole, "id", ("active",), [(role_id, True) for role_id, _micro in reactivate])

    # -- after reading ------------------------------------------------------------------------

    def _deactivate_lotacoes(self) -> None:
        """Imported (and flagged) lotações of the municipality the file no longer holds."""
        protected_units, protected_teams, protected_cpfs = self.rejected_units, self.rejected_teams, self.protected_cpfs
        gone: list[int] = []
        for code, (role_id, active, _microarea) in self.lotacoes.items():
            if not active or role_id in self.seen_lotacoes:
                continue
            cpf, cnes, ine, _cbo = (code.split("-") + ["", "", "", ""])[:4]
            if cpf in protected_cpfs or cnes in protected_units or (ine and ine in protected_teams):
                continue
            gone.append(role_id)
        protected_unit_ids = {self.units[cnes][0] for cnes in protected_units if cnes in self.units}
        for (_professional, unit_id, _team, _cbo), (role_id, active, _microarea, cpf) in self.flagged.items():
            seen = role_id in self.seen_lotacoes
            if active and not seen and cpf not in protected_cpfs and unit_id not in protected_unit_ids:
                gone.append(role_id)
        gone.sort()
        self.bulk.update_ids(Lotacao, "role", {"deactivated_at": self.bulk.value(self.now)}, gone)
        self.bulk.update_ids(ActorRole, "id", {"active": False}, gone)
        self.report.lotacoes.desativados += len(gone)

    def _without_agenda(self) -> None:
        """ "Profissionais com mais de uma lotação sem agenda configurada" (3.3, 3.5.5): more than one
        active lotação in the municipality, and none of them has an agenda.

        Two plain queries and a difference in Python, on purpose: right after a first import the
        tables have no statistics yet (the import's own transaction), and PostgreSQL plans a
        correlated NOT EXISTS over 150,000 lotações as a nested loop that runs for minutes."""
        mark = self.bulk.db.param
        # SQLite: "+" keeps it from walking the unit index lotação by lotação (3x slower than one
        # scan of tb_lotacao joined to units by key, with 150,000 lotações).
        unary = "" if self.bulk.pg else "+"
        here = (
            f"FROM {_t(Lotacao)} l JOIN {_t(HealthUnit)} u "
            f"ON u.{_c(HealthUnit, 'id')} = {unary}l.{_c(Lotacao, 'unit')} "
            f"WHERE l.{_c(Lotacao, 'deactivated_at')} IS NULL AND u.{_c(HealthUnit, 'localidade')} = {mark}"
        )
        professional = f"l.{_c(Lotacao, 'professional')}"
        query = self.bulk.query
        several = dict(
            query(f"SELECT {professional}, count(*) {here} GROUP BY {professional} HAVING count(*) > 1", (self.loc,))
        )
        if not several:
            self.report.profissionais_sem_agenda = []
            return
        for (with_agenda,) in query(
            f"SELECT DISTINCT {professional} {here} AND l.{_c(Lotacao, 'role')} IN "
            f"(SELECT {_c(LotacaoAgenda, 'lotacao')} FROM {_t(LotacaoAgenda)})",
            (self.loc,),
        ):
            several.pop(with_agenda, None)
        people = self.bulk.lookup(_SQL_PROFESSIONALS_BY_ID, list(several))
        people.sort(key=lambda row: (row[2], row[1]))
        self.report.profissionais_sem_agenda = [
            ProfessionalWithoutAgenda(cpf, name, cns, int(several[professional_id]))
            for professional_id, cpf, name, cns in people
        ]

    def _finish(self) -> None:
        report = self.report
        report.duracao_segundos = round(time.monotonic() - self.started, 3)
        row = CnesImport.create(
            localidade=self.loc,
            user=self.user_id,
            imported_at=self.now,
            file_name=self.file_name,
            layout_version=self.header.layout_version,
            file_date=self.header.date,
            succeeded=True,
            units=report.unidades.in_file,
            teams=report.equipes.in_file,
            professionals=report.profissionais.in_file,
            lotacoes=report.lotacoes.in_file,
            rejected=len(report.registros_nao_importados),
        )
        report.importacao_id = row.id
        CnesImport.update(report=report.to_json()).where(CnesImport.id == row.id).execute()
        audit.record(
            EventType.DATABASE_OPERATION,
            component=COMPONENT,
            user_id=self.user_id,
            record_type=RecordType.CNES_IMPORT,
            record_id=row.id,
            details=f"Importação do CNES {self.file_name} ({report.municipio}, layout {report.versao_layout}). "
            + report.summary(),
        )


def municipality_choices(user: LoggedUser) -> list[tuple[int, str]]:
    """The municipalities this user may import for, as (id, "Nome/UF"): every active one for the
    installation administrator, their own for a municipal administrator (3.3)."""
    if user.installation_admin:
        return [(m.id, m.label) for m in installation_municipalities()]
    return [(ref.id, ref.label) for ref in user.municipal_admin_of]
