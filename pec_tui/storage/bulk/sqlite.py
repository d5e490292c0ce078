"""Bulk loads on SQLite: foreign keys checked once at the end, secondary indexes built once.

Two costs dominate a large load into SQLite (a first CNES import writes ~600,000 rows):

* the per-row foreign-key checks: with ``PRAGMA foreign_keys`` on, each row inserted looks up
  every parent it references (five for a lotação). :func:`foreign_keys_checked_at_end` turns the
  enforcement off for one transaction, on this connection only, and :func:`foreign_key_violations`
  then checks the tables written with ``PRAGMA foreign_key_check`` before commit, in one pass;
* the secondary indexes: each row inserted goes into every index of its table at a random place
  (CPF, CNS, login...). :func:`drop_secondary_indexes` drops them inside the transaction and
  :func:`recreate_indexes` builds each one again from its own ``CREATE INDEX`` statement, which
  sorts once instead of inserting row by row. A ``UNIQUE`` index then refuses duplicates as the
  row-by-row inserts would have (``sqlite3.IntegrityError``).

Why nobody else can tell: SQLite's DDL is transactional. The write transaction (``BEGIN
IMMEDIATE``) holds the database's write lock until it ends, so no other writer runs meanwhile,
and readers (WAL) keep seeing the last committed schema, indexes included. A rollback undoes the
drops; ``PRAGMA foreign_keys`` belongs to this connection, and is put back when the transaction
ends, either way.

While the indexes are dropped, a query on their columns scans the whole table: the caller must
not need them (the CNES import knows beforehand, in memory, everything it would look up).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from peewee import Database

from .fk_checks import SAMPLE_SIZE, ForeignKeyViolation


@contextmanager
def foreign_keys_checked_at_end(db: Database) -> Iterator[bool]:
    """Enter before the transaction begins: this thread's connection stops enforcing foreign keys
    until the block ends (then they are enforced again). Yields whether they were turned off: not
    when they were not enforced anyway, nor inside a transaction (SQLite ignores the pragma
    there), and then the caller has nothing to check."""
    cursor = db.cursor()
    enforced = _enforced(cursor)
    if not enforced or db.connection().in_transaction:
        yield False
        return
    cursor.execute("PRAGMA foreign_keys = OFF")
    try:
        yield not _enforced(cursor)
    finally:
        db.cursor().execute("PRAGMA foreign_keys = ON")


def _enforced(cursor) -> bool:
    cursor.execute("PRAGMA foreign_keys")
    row = cursor.fetchone()
    return bool(row and row[0])


def foreign_key_violations(cursor, tables: Sequence[str]) -> list[ForeignKeyViolation]:
    """Rows of ``tables`` whose foreign keys reference nothing, one entry per table and key, with
    how many rows and a few of their keys (as :mod:`pec_tui.storage.bulk.fk_checks` reports them on
    PostgreSQL)."""
    found: list[ForeignKeyViolation] = []
    for table in tables:
        keys: dict[int, tuple[str, list[str]]] = {}
        cursor.execute(f'PRAGMA foreign_key_list("{table}")')
        for key_id, _seq, parent, column, *_rest in cursor.fetchall():
            keys.setdefault(key_id, (parent, []))[1].append(column)
        cursor.execute(f'PRAGMA foreign_key_check("{table}")')
        offending: dict[int, list] = {}
        for _table, rowid, _parent, key_id in cursor.fetchall():
            offending.setdefault(key_id, []).append(rowid)
        for key_id, rowids in sorted(offending.items()):
            parent, columns = keys[key_id]
            selected = ", ".join(f'"{column}"' for column in columns)
            samples = []
            for rowid in rowids[:SAMPLE_SIZE]:
                cursor.execute(f'SELECT {selected} FROM "{table}" WHERE rowid = ?', (rowid,))
                samples.append(tuple(cursor.fetchone() or ()))
            found.append(
                ForeignKeyViolation(
                    constraint=f"{table}_{'_'.join(columns)}_fkey",
                    table=table,
                    columns=tuple(columns),
                    referenced_table=parent,
                    rows=len(rowids),
                    samples=tuple(samples),
                )
            )
    return found


def drop_secondary_indexes(cursor, tables: Sequence[str]) -> list[tuple[str, str]]:
    """Drop the indexes made with ``CREATE INDEX`` on ``tables`` (not the primary keys, nor the
    indexes SQLite makes for a column's own ``UNIQUE``); their names and statements, for
    :func:`recreate_indexes`. Call inside a write transaction."""
    marks = ", ".join("?" * len(tables))
    cursor.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY tbl_name, name",
        tuple(tables),
    )
    dropped = [(name, sql) for name, sql in cursor.fetchall()]
    for name, _sql in dropped:
        cursor.execute(f'DROP INDEX "{name}"')
    return dropped


def recreate_indexes(cursor, dropped: Sequence[tuple[str, str]]) -> None:
    """Build again the indexes :func:`drop_secondary_indexes` dropped (a ``UNIQUE`` one raises
    ``sqlite3.IntegrityError`` if the rows written meanwhile repeat a key)."""
    for _name, sql in dropped:
        cursor.execute(sql)
