"""Bulk loads on PostgreSQL without the per-row foreign-key checks, validated set-based at the end.

Each row written to a table with foreign keys fires PostgreSQL's check triggers
(``RI_FKey_check_ins`` / ``RI_FKey_check_upd``): one index probe of the referenced table per row
and key, about 10 µs each, most of the time of a large ``COPY``. PostgreSQL's bulk-load advice is
to drop the foreign keys and add them back, but ``DROP CONSTRAINT`` takes ACCESS EXCLUSIVE on the
referencing *and* the referenced tables, which would block every reader of a live PEC.

Instead, like ``pg_restore --disable-triggers``, :func:`suspend_foreign_key_checks` disables only
the check triggers of the tables we write, inside the caller's transaction, and
:meth:`SuspendedChecks.restore_and_validate` enables them again and validates each foreign key
with one anti-join, as ``ALTER TABLE ... VALIDATE CONSTRAINT`` does (``RI_Initial_Check``).

Why nobody else can tell:

* the catalogue change is uncommitted: other sessions keep seeing the triggers enabled, and it
  is undone before commit, or by the rollback if the caller gives up (transactional DDL);
* ``ALTER TABLE ... DISABLE TRIGGER`` holds SHARE ROW EXCLUSIVE on the referencing table until
  commit: other writers of that table wait (they would otherwise skip the checks or write rows
  our validation does not see), readers do not;
* before validating, the referenced tables are locked IN SHARE MODE until commit: no concurrent
  DELETE or UPDATE of a referenced row can slip in between the validation and the commit (in
  flight ones are waited for, and the next statement sees them).

That last point needs READ COMMITTED: each validation query then takes a new snapshot, after the
locks, and sees every committed change. Under REPEATABLE READ the transaction's snapshot could
predate a committed DELETE of a referenced row and validate a dangling key (the per-row triggers
avoid that with a cross-check snapshot, which plain SQL cannot have).

Disabling internal constraint triggers needs a superuser. When any precondition is missing
:func:`suspend_foreign_key_checks` returns ``None`` and changes nothing: the caller keeps the
normal per-row checks, which are always correct, only slower.

Not suspended (their triggers stay as they are): ``NOT VALID`` foreign keys (old rows may violate
them legitimately), keys whose check triggers are not in their default state ``'O'``, and the
per-partition clones of a key (``conparentid``), and the keys of partitioned tables.

Suspend before writing and validate last, just before commit: ``ALTER TABLE`` refuses a table
with pending deferred trigger events (a DEFERRABLE key written earlier in the transaction), and
the SHARE locks block the referenced tables' writers until commit. The validation reads the
whole referencing tables, rows older than the load included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: How many offending keys a violation shows.
SAMPLE_SIZE = 5

_FOREIGN_KEYS = """
SELECT c.conname, fn.nspname, fc.relname,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, i)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.i),
       pn.nspname, pc.relname,
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, i)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.i),
       pc.relkind = 'p', c.confmatchtype = 'f',
       ARRAY(SELECT t.tgname::text FROM pg_trigger t
              WHERE t.tgconstraint = c.oid AND t.tgrelid = c.conrelid ORDER BY t.tgname)
  FROM pg_constraint c
  JOIN pg_class fc ON fc.oid = c.conrelid
  JOIN pg_namespace fn ON fn.oid = fc.relnamespace
  JOIN pg_class pc ON pc.oid = c.confrelid
  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
 WHERE c.contype = 'f' AND c.conrelid = ANY(%s) AND fc.relkind = 'r' AND c.convalidated AND c.conparentid = 0
   AND NOT EXISTS (SELECT 1 FROM pg_trigger t
                    WHERE t.tgconstraint = c.oid AND t.tgrelid = c.conrelid AND t.tgenabled <> 'O')
 ORDER BY fn.nspname, fc.relname, c.conname
"""


@dataclass(frozen=True)
class ForeignKey:
    """One suspended foreign key: where it points and the check triggers disabled for it."""

    name: str
    schema: str
    table: str
    columns: tuple[str, ...]
    referenced_schema: str
    referenced_table: str
    referenced_columns: tuple[str, ...]
    referenced_is_partitioned: bool
    match_full: bool
    triggers: tuple[str, ...]


@dataclass(frozen=True)
class ForeignKeyViolation:
    """Rows of ``table`` whose ``columns`` reference nothing: how many, and a few of their keys."""

    constraint: str
    table: str
    columns: tuple[str, ...]
    referenced_table: str
    rows: int
    samples: tuple[tuple, ...]

    def __str__(self) -> str:
        keys = ", ".join(repr(sample if len(sample) > 1 else sample[0]) for sample in self.samples)
        return (
            f"{self.constraint}: {self.rows} linha(s) de {self.table} ({', '.join(self.columns)}) "
            f"sem correspondente em {self.referenced_table}, por exemplo {keys}"
        )


def _is_psycopg2(cursor) -> bool:
    try:
        from psycopg2.extensions import cursor as psycopg2_cursor
    except ImportError:  # pragma: no cover - psycopg2 is a dependency
        return False
    return isinstance(cursor, psycopg2_cursor)


def suspend_foreign_key_checks(cursor, tables: Sequence[str]) -> SuspendedChecks | None:
    """Disable the foreign-key check triggers of ``tables`` until :meth:`SuspendedChecks.restore_and_validate`.

    ``cursor`` is a DB-API cursor inside an open transaction; ``tables`` are names resolved
    through the ``search_path``, then in ``public``. Returns ``None``, having changed nothing,
    when the database is not PostgreSQL, the current user is not a superuser, or the transaction
    is not READ COMMITTED (see the module's docstring): the per-row checks then stay on.

    The referencing tables are locked SHARE ROW EXCLUSIVE (what ``DISABLE TRIGGER`` takes
    anyway) one by one in sorted order, so that two loads cannot deadlock on each other.
    """
    if not _is_psycopg2(cursor):
        return None
    from psycopg2 import extensions, sql

    cursor.execute(
        "SELECT rolsuper, current_setting('transaction_isolation') FROM pg_roles WHERE rolname = current_user"
    )
    superuser, isolation = cursor.fetchone()
    if cursor.connection.get_transaction_status() != extensions.TRANSACTION_STATUS_INTRANS:
        raise RuntimeError("suspend_foreign_key_checks must be called inside an open transaction")
    if not superuser or isolation != "read committed":
        return None

    oids = []
    for table in tables:
        cursor.execute(
            "SELECT coalesce(to_regclass(quote_ident(%s)), to_regclass('public.' || quote_ident(%s)))::oid",
            (table, table),
        )
        oid = cursor.fetchone()[0]
        if oid is None:
            raise ValueError(f"table {table!r} not found")
        oids.append(oid)

    cursor.execute(_FOREIGN_KEYS, (oids,))
    # The columns of the query are ForeignKey's fields, in order; its arrays become tuples.
    keys = [ForeignKey(*(tuple(v) if isinstance(v, list) else v for v in row)) for row in cursor.fetchall()]
    for schema, table in sorted({(key.schema, key.table) for key in keys}):
        cursor.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(sql.Identifier(schema, table)))
    for key in keys:
        for trigger in key.triggers:
            cursor.execute(
                sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(
                    sql.Identifier(key.schema, key.table), sql.Identifier(trigger)
                )
            )
    return SuspendedChecks(cursor, tuple(keys))


class SuspendedChecks:
    """The foreign keys whose check triggers :func:`suspend_foreign_key_checks` disabled.

    Abandoning it is safe: a rollback of the transaction enables the triggers again.
    """

    def __init__(self, cursor, keys: tuple[ForeignKey, ...]) -> None:
        self.cursor = cursor
        self.keys = keys
        self._restored = False

    @property
    def constraints(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys)

    def restore_and_validate(self) -> list[ForeignKeyViolation]:
        """Enable the triggers again, lock the referenced tables, validate every suspended key.

        The referenced tables are locked IN SHARE MODE (sorted order) until commit: it waits for
        their in-flight writers and blocks new ones, so that what the validation finds is still
        true at commit; readers are not blocked. Returns the violations, an empty list when all
        is well; when not, the caller must roll back.
        """
        from psycopg2 import sql

        if self._restored:
            raise RuntimeError("restore_and_validate was already called")
        self._restored = True
        cursor = self.cursor
        for key in self.keys:
            for trigger in key.triggers:
                cursor.execute(
                    sql.SQL("ALTER TABLE {} ENABLE TRIGGER {}").format(
                        sql.Identifier(key.schema, key.table), sql.Identifier(trigger)
                    )
                )
        for schema, table in sorted({(key.referenced_schema, key.referenced_table) for key in self.keys}):
            cursor.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(sql.Identifier(schema, table)))
        violations = []
        for key in self.keys:
            cursor.execute(_anti_join(key))
            found = cursor.fetchall()
            if found:
                violations.append(
                    ForeignKeyViolation(
                        key.name,
                        key.table,
                        key.columns,
                        key.referenced_table,
                        rows=found[0][0],
                        samples=tuple(tuple(row[1:]) for row in found),
                    )
                )
        return violations


def _anti_join(key: ForeignKey):
    """The rows of the referencing table with a key that matches nothing, as ``RI_Initial_Check``:

    ``SELECT count(*) OVER (), fk.a, fk.b FROM ONLY child fk LEFT JOIN ONLY parent pk
    ON pk.x = fk.a AND pk.y = fk.b WHERE pk.x IS NULL AND <key is to be checked> LIMIT 5``

    MATCH SIMPLE checks a key only when none of its columns is null; MATCH FULL checks it unless
    all are null, and a partly null key then matches nothing, so it is reported.
    """
    from psycopg2 import sql

    fk_columns = [sql.SQL("fk.{}").format(sql.Identifier(column)) for column in key.columns]
    pk_columns = [sql.SQL("pk.{}").format(sql.Identifier(column)) for column in key.referenced_columns]
    join = sql.SQL(" AND ").join(
        sql.SQL("{} = {}").format(pk, fk) for pk, fk in zip(pk_columns, fk_columns, strict=True)
    )
    not_null = sql.SQL(" OR " if key.match_full else " AND ").join(
        sql.SQL("{} IS NOT NULL").format(fk) for fk in fk_columns
    )
    return sql.SQL(
        "SELECT count(*) OVER (), {fk_columns} FROM ONLY {table} fk LEFT JOIN {only}{referenced} pk ON {join}"
        " WHERE {pk_first} IS NULL AND ({not_null}) LIMIT {limit}"
    ).format(
        fk_columns=sql.SQL(", ").join(fk_columns),
        table=sql.Identifier(key.schema, key.table),
        only=sql.SQL("" if key.referenced_is_partitioned else "ONLY "),
        referenced=sql.Identifier(key.referenced_schema, key.referenced_table),
        join=join,
        pk_first=pk_columns[0],
        not_null=not_null,
        limit=sql.Literal(SAMPLE_SIZE),
    )
