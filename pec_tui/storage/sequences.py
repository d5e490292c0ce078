"""Keys from PEC's own sequences, never ``max() + 1``.

PEC keys its tables with ``bigint co_seq_<name>`` columns that Hibernate fills from sequences
named ``seq_<table>`` (``seq_tb_usuario``); the key columns have no default. pec-tui draws from
the sequence PEC draws from, so a row it writes never collides with one PEC writes a second
later. The sequence is found in the catalogue: the key column's own sequence when it has one
(``pg_get_serial_sequence``), else ``seq_<table>`` in the table's schema. A table with neither
is not written (:class:`NoSequence` says why; the module stays read-only).

The embedded SQLite has no sequences: the table ``pectui_sequencia`` (one row per sequence, the
last value drawn) stands in for them under the same names, so both backends share one path.
"""

from __future__ import annotations

from peewee import Database, Model, PostgresqlDatabase

from pec_tui.core.errors import PecError

SQLITE_TABLE = "pectui_sequencia"


class NoSequence(PecError):
    """The database has no sequence for this table's key."""


def sequence_name(model: type[Model]) -> str:
    """PEC's name for the sequence of ``model``'s key: ``seq_<table>``."""
    return f"seq_{model._meta.table_name}"


def find_sequence(db: Database, model: type[Model]) -> str:
    """The qualified name of the sequence ``model``'s keys come from, or :class:`NoSequence`
    (looked up once per opened database and table)."""
    if not isinstance(db, PostgresqlDatabase):
        return sequence_name(model)
    schema = model._meta.schema or "public"
    table = model._meta.table_name
    found: dict[tuple[str, str], str] = db.__dict__.setdefault("_pectui_sequences", {})
    if (schema, table) not in found:
        found[schema, table] = _lookup_sequence(db, model, schema, table)
    return found[schema, table]


def _lookup_sequence(db: Database, model: type[Model], schema: str, table: str) -> str:
    key = model._meta.primary_key.column_name
    row = db.execute_sql(
        "SELECT pg_get_serial_sequence(format('%%I.%%I', %s::text, %s::text), %s)", (schema, table, key)
    ).fetchone()
    if row and row[0]:
        return row[0]
    name = sequence_name(model)
    found = db.execute_sql(
        "SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'S' AND c.relname = %s AND n.nspname = %s",
        (name, schema),
    ).fetchone()
    if found is None:
        raise NoSequence(
            f"O banco não tem a sequência {name}, de onde vêm as chaves de {table}; "
            "sem ela o pec-tui não grava nessa tabela."
        )
    return found[0]


def next_ids(db: Database, model: type[Model], count: int = 1) -> list[int]:
    """``count`` new keys for ``model``, in increasing order, drawn from its sequence."""
    if count < 1:
        return []
    sequence = find_sequence(db, model)
    if isinstance(db, PostgresqlDatabase):
        rows = db.execute_sql("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", (sequence, count)).fetchall()
        return sorted(row[0] for row in rows)
    with db.atomic():
        db.execute_sql(f"INSERT OR IGNORE INTO {SQLITE_TABLE} (no_sequencia, nu_ultimo) VALUES (?, 0)", (sequence,))
        (last,) = db.execute_sql(
            f"UPDATE {SQLITE_TABLE} SET nu_ultimo = nu_ultimo + ? WHERE no_sequencia = ? RETURNING nu_ultimo",
            (count, sequence),
        ).fetchone()
    return list(range(last - count + 1, last + 1))


def next_id(db: Database, model: type[Model]) -> int:
    """One new key for ``model``."""
    return next_ids(db, model, 1)[0]


def create_sequences(db: Database, models) -> None:
    """On a database pec-tui creates PEC's tables in (the embedded one, or a PostgreSQL of its
    own), the sequences PEC would have: ``seq_<table>`` for every ``co_seq_*`` key. SQLite gets
    its stand-in table instead."""
    if not isinstance(db, PostgresqlDatabase):
        create_sqlite_table(db)
        return
    for model in models:
        if model.keyed_by_sequence():
            db.execute_sql(f'CREATE SEQUENCE IF NOT EXISTS "{sequence_name(model)}"')


def create_sqlite_table(db: Database) -> None:
    """The stand-in for sequences on the embedded SQLite (idempotent)."""
    db.execute_sql(
        f"CREATE TABLE IF NOT EXISTS {SQLITE_TABLE} (no_sequencia VARCHAR(100) PRIMARY KEY, nu_ultimo BIGINT NOT NULL)"
    )
