"""The bulk writer: many rows inserted and updated at once, on one transaction's connection.

:class:`BulkWriter` is what a large load (the CNES import) writes through, the same calls on
both backends:

* SQLite: ``executemany``, right away, in the caller's thread;
* PostgreSQL: ``COPY`` (CSV) for inserts, and ``COPY`` into a temporary table then one
  ``UPDATE … FROM`` for updates, run on a writer thread while the caller goes on.

Ids are chosen by the writer (:meth:`BulkWriter.ids`), so the caller knows each new row's key
before it is written and can reference it in the next rows. The shortcuts of a large load are
here too, each undone before commit: the foreign-key checks of some tables suspended
(PostgreSQL, :mod:`pec_tui.storage.bulk.fk_checks`), or their secondary indexes dropped and the
keys checked once at the end (SQLite, :mod:`pec_tui.storage.bulk.sqlite`).

Rows are plain tuples in the order of the column names given; dates go through
:meth:`BulkWriter.value` and come back through :func:`iso_date`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import queue
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from typing import Any

from peewee import Model

from pec_tui.core.process import gil_switch_interval_at_most
from pec_tui.storage.bulk import sqlite as sqlite_bulk
from pec_tui.storage.bulk.fk_checks import ForeignKeyViolation, SuspendedChecks, suspend_foreign_key_checks
from pec_tui.storage.database import current_database, is_postgres
from pec_tui.storage.sequences import find_sequence, next_ids

__all__ = ["BulkWriter", "column_name", "foreign_keys_at_end", "iso_date", "quoted_column", "quoted_table"]


# --------------------------------------------------------------------------------------------
# SQL text
# --------------------------------------------------------------------------------------------


def column_name(model: type[Model], name: str) -> str:
    """The database column of the peewee field ``name`` (``cpf`` -> ``nu_cpf``)."""
    return model._meta.fields[name].column_name


def quoted_table(model: type[Model]) -> str:
    """The model's table as SQL text: ``"tb_prof"``, ``"pectui"."prof_historico_cns"``."""
    schema = model._meta.schema
    return f'"{schema}"."{model._meta.table_name}"' if schema else f'"{model._meta.table_name}"'


def quoted_column(model: type[Model], name: str) -> str:
    """The column of the peewee field ``name`` as SQL text: ``"nu_cpf"``."""
    return f'"{column_name(model, name)}"'


def iso_date(value: Any) -> str | None:
    """A date as either driver returns it (a ``date``, a ``datetime`` or SQLite's text) in one
    comparable form, ``aaaa-mm-dd``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def _flags_as_integers(values: Sequence[Any]) -> tuple:
    """PEC's flags are integer 0/1 columns: ``True`` goes to COPY as ``1``, not ``True``."""
    return tuple(int(value) if value.__class__ is bool else value for value in values)


def _csv(rows: Sequence[Sequence[Any]], constants: tuple = ()) -> io.StringIO:
    """``rows`` (and ``constants`` after each) as COPY's CSV, by the csv module's C writer: about
    a third faster than joining escaped text in Python. None is an empty unquoted field, which
    COPY reads as NULL; so would be an empty string (the importer keeps no blank value). Flags
    (``bool``) are written 0/1; the rows of one call share a shape, so only a batch whose first
    row holds one is converted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    constants = _flags_as_integers(constants)
    if rows and any(value.__class__ is bool for value in rows[0]):
        rows = [_flags_as_integers(row) for row in rows]
    writer.writerows(((*row, *constants) for row in rows) if constants else rows)
    buffer.seek(0)
    return buffer


def _sqlite_literal(value: Any) -> str:
    """A constant of :meth:`BulkWriter.insert` as SQLite text (booleans are 0/1 there)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"constante sem forma SQL: {value!r}")


def _pg_type(model: type[Model], name: str) -> str:
    """The PostgreSQL type of a field, for a column of a temporary table."""
    from peewee import BigIntegerField, DateField, DateTimeField, ForeignKeyField, IntegerField

    field = model._meta.fields[name]
    if isinstance(field, ForeignKeyField):
        field = field.rel_field
    if isinstance(field, DateTimeField):
        return "timestamp"
    if isinstance(field, DateField):
        return "date"
    if isinstance(field, BigIntegerField):
        return "bigint"
    if isinstance(field, IntegerField):  # AutoField and PEC's 0/1 flags too
        return "integer"
    return "text"


def foreign_keys_at_end() -> AbstractContextManager[bool]:
    """Enter before the transaction begins. SQLite: this connection's foreign keys are checked once,
    before commit (:meth:`BulkWriter.foreign_key_violations`), instead of row by row (yields True);
    PostgreSQL keeps its per-row checks unless :meth:`BulkWriter.suspend_checks` (yields False)."""
    db = current_database()
    return nullcontext(False) if is_postgres(db) else sqlite_bulk.foreign_keys_checked_at_end(db)


# --------------------------------------------------------------------------------------------
# The writer
# --------------------------------------------------------------------------------------------


class BulkWriter:
    """Bulk inserts and updates on the transaction's own connection, with ids chosen here.

    Make it inside the transaction, on the transaction's thread. SQLite: ``executemany``, right
    away. PostgreSQL: ``COPY`` (CSV), updates through a temporary table, run on a writer thread
    in the order they were asked for, while the caller goes on with the rules for the next batch:
    the server works in its own process meanwhile, and the writer takes Python's GIL only a few
    times per write. (On SQLite the work is in this process and ``executemany`` gives the GIL
    back for every row, so a writer thread would wait for it after every row.) Reads
    (:meth:`rows`, :meth:`lookup`, :meth:`query`) run between two writes, never during one; they
    must only look for what existed before the load (what the load itself wrote the caller knows
    in memory), so they need not wait for queued writes. :meth:`flush` waits for every queued
    write and raises the first error a write met; :meth:`close` stops the writer before the
    transaction ends, either way. While a write may be queued, nothing else may use the
    connection (peewee included): flush first.

    Ids: from the table's sequence, as PEC draws them (:mod:`pec_tui.storage.sequences`):
    PostgreSQL ``nextval`` on ``seq_<table>`` (drawn ahead in growing batches, so concurrent
    inserts by PEC stay safe); SQLite its stand-in table.
    """

    IN_CHUNK = 900  # SQLite's IN lists stay well under its variable limit
    PENDING = 8  # writes queued at most (about two batches): memory stays flat
    GIL_TURN = 0.0005
    """Seconds a busy thread keeps Python's GIL while the writer waits for it (the default is
    0.005): the writer needs it back after each COPY, and while the rules run it would otherwise
    wait 5 ms each time; measured, the first CNES import on PostgreSQL takes about 12% less time.
    Process-wide while the writer thread runs (:func:`pec_tui.core.process.gil_switch_interval_at_most`)."""
    SUSPEND_LOCK_WAIT = 2.0
    """Seconds :meth:`suspend_checks` waits at most for the tables' locks."""

    def __init__(self, thread_name: str = "pectui-gravacao") -> None:
        self.db = current_database()
        self.pg = is_postgres(self.db)
        # Both cursors are made here, on the transaction's thread: peewee keeps one connection
        # per thread, and the writer must use this one.
        self.cursor = self.db.cursor()
        self._write_cursor = self.db.cursor()
        self._statement = threading.Lock()  # one statement at a time on the connection
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=self.PENDING)
        self._thread_name = thread_name
        self._writer: threading.Thread | None = None
        self._while_writing = ExitStack()  # the process-wide switch held while the writer runs
        self._failure: BaseException | None = None
        self._stopping = False
        # Ids: SQLite, the next free one per table; PostgreSQL, each table's sequence, the ids
        # drawn from it and not used yet, and how many the next draw takes.
        self._sequences: dict[type[Model], str] = {}
        self._id_pool: dict[type[Model], list[int]] = {}
        self._draw_size: dict[type[Model], int] = {}
        # PostgreSQL: the temporary table of each (model, updated columns), made once.
        self._temporary_tables: dict[tuple[type[Model], tuple[str, ...]], str] = {}

    # -- the writer thread --------------------------------------------------------------------

    def _submit(self, write: Callable[[], None]) -> None:
        """Queue a PostgreSQL write for the writer thread (started at the first one)."""
        self._raise_failure()
        if self._writer is None:
            self._while_writing.enter_context(gil_switch_interval_at_most(self.GIL_TURN))
            self._writer = threading.Thread(target=self._write_loop, name=self._thread_name, daemon=True)
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
        self._while_writing.close()

    # -- foreign keys (PostgreSQL) ------------------------------------------------------------

    def suspend_checks(self, models: Sequence[type[Model]]) -> SuspendedChecks | None:
        """Suspend the foreign-key checks of these tables (None: not possible here, they stay).

        In a savepoint, waiting at most :attr:`SUSPEND_LOCK_WAIT` for the tables' locks: a PEC
        transaction left open on one of them must not hold the load (and the writes queued
        behind it) until it ends; nor may a key PostgreSQL refuses to alter (pending deferred
        checks) fail it. Either way the per-row checks simply stay."""
        from psycopg2 import Error

        self.flush()
        with self._statement:
            cursor = self.cursor
            cursor.execute("SELECT current_setting('lock_timeout')")
            [(previous,)] = cursor.fetchall()
            cursor.execute("SAVEPOINT pectui_suspensao_fk")
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", (f"{int(self.SUSPEND_LOCK_WAIT * 1000)}ms",))
            try:
                suspended = suspend_foreign_key_checks(cursor, [model._meta.table_name for model in models])
            except Error:
                cursor.execute("ROLLBACK TO SAVEPOINT pectui_suspensao_fk")
                suspended = None
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", (previous,))
            cursor.execute("RELEASE SAVEPOINT pectui_suspensao_fk")
            return suspended

    def validate_checks(self, suspended: SuspendedChecks) -> list[ForeignKeyViolation]:
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

    def foreign_key_violations(self, models: Sequence[type[Model]]) -> list[ForeignKeyViolation]:
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
        """``count`` new ids for rows of ``model``, never handed out before."""
        if count <= 0:
            return []
        if self.pg:
            pool = self._id_pool.setdefault(model, [])
            if len(pool) < count:
                sequence = self._sequences.get(model)
                if sequence is None:
                    self.flush()  # the catalogue is read through peewee: no write may be running
                    sequence = self._sequences[model] = find_sequence(self.db, model)
                # Few draws, each twice the last: a draw waits for the write running on the
                # connection, and what is drawn and not used is only a gap in the sequence.
                want = max(count - len(pool), self._draw_size.get(model, 5_000))
                self._draw_size[model] = want * 2
                drawn = self.query("SELECT nextval(%s) FROM generate_series(1, %s)", (sequence, want))
                pool.extend(row[0] for row in drawn)
            taken, self._id_pool[model] = pool[:count], pool[count:]
            return taken
        return next_ids(self.db, model, count)

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
        table = quoted_table(model)
        columns = ", ".join(quoted_column(model, name) for name in (*names, *constants))
        cursor = self._write_cursor
        if self.pg:
            buffer = _csv(rows, tuple(constants.values()))
            statement = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
            self._submit(lambda: cursor.copy_expert(statement, buffer, size=1 << 20))
        else:
            marks = ", ".join(("?",) * len(names) + tuple(_sqlite_literal(value) for value in constants.values()))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def update(self, model: type[Model], key: str, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Set the columns ``names`` of the rows whose ``key`` matches; ``rows`` are
        ``(key value, *new values)``."""
        if not rows:
            return
        table = quoted_table(model)
        key_column = column_name(model, key)
        aliases = [f"v{index}" for index in range(len(names))]
        cursor = self._write_cursor
        if self.pg:
            # COPY into a temporary table, then one UPDATE … FROM: 2–3× faster than
            # UPDATE … FROM (VALUES …) on 100,000 rows (measured on tb_prof).
            temporary = self._temporary_tables.get((model, tuple(names)))
            statements = []
            if temporary is None:
                temporary = f"pectui_importacao_{len(self._temporary_tables)}"
                columns = ", ".join(
                    f"{alias} {_pg_type(model, name)}"
                    for alias, name in zip(("k", *aliases), (key, *names), strict=True)
                )
                statements.append(f"CREATE TEMPORARY TABLE {temporary} ({columns}) ON COMMIT DROP")
                self._temporary_tables[(model, tuple(names))] = temporary
            else:
                statements.append(f"TRUNCATE {temporary}")
            buffer = _csv(rows)
            assignments = ", ".join(
                f"{quoted_column(model, name)} = v.{alias}" for name, alias in zip(names, aliases, strict=True)
            )
            update = f'UPDATE {table} AS t SET {assignments} FROM {temporary} AS v WHERE t."{key_column}" = v.k'

            def write() -> None:
                for statement in statements:
                    cursor.execute(statement)
                cursor.copy_expert(f"COPY {temporary} FROM STDIN WITH (FORMAT csv)", buffer, size=1 << 20)
                cursor.execute(update)

            self._submit(write)
        else:
            assignments = ", ".join(f"{quoted_column(model, name)} = ?" for name in names)
            statement = f'UPDATE {table} SET {assignments} WHERE "{key_column}" = ?'
            cursor.executemany(statement, [(*row[1:], row[0]) for row in rows])

    def update_ids(self, model: type[Model], key: str, values: dict[str, Any], ids: Sequence[int]) -> None:
        """Set ``values`` on the rows whose ``key`` is one of ``ids`` (set-based, chunked)."""
        if not ids:
            return
        table = quoted_table(model)
        key_column = column_name(model, key)
        names = list(values)
        fields = model._meta.fields
        params = [fields[name].db_value(values[name]) for name in names]  # a flag as PEC's 0/1
        cursor = self._write_cursor
        if self.pg:
            assignments = ", ".join(f"{quoted_column(model, name)} = %s" for name in names)
            statement = f'UPDATE {table} SET {assignments} WHERE "{key_column}" = ANY(%s)'
            arguments = (*params, list(ids))
            self._submit(lambda: cursor.execute(statement, arguments))
            return
        assignments = ", ".join(f"{quoted_column(model, name)} = ?" for name in names)
        ids = list(ids)
        for start in range(0, len(ids), self.IN_CHUNK):
            chunk = ids[start : start + self.IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            cursor.execute(f'UPDATE {table} SET {assignments} WHERE "{key_column}" IN ({marks})', (*params, *chunk))

    def value(self, value: Any) -> Any:
        """A date/datetime as this backend's driver wants it for an insert or update."""
        if value is None or self.pg:
            return value
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ")
        if isinstance(value, dt.date):
            return value.isoformat()
        return value
