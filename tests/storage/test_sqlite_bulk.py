"""SQLite bulk loads (pec_tui.storage.bulk.sqlite): foreign keys checked once, indexes built once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import IntegrityError, SqliteDatabase

from pec_tui.storage.bulk import sqlite as sqlite_bulk

SCHEMA = """
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER NOT NULL REFERENCES parent (id),
    other_id INTEGER REFERENCES parent (id),
    code TEXT,
    label TEXT UNIQUE
);
CREATE UNIQUE INDEX child_code ON child (code);
CREATE INDEX child_parent ON child (parent_id);
CREATE INDEX parent_name ON parent (name);
"""


@pytest.fixture
def database(tmp_path: Path):
    db = SqliteDatabase(str(tmp_path / "bulk.sqlite3"), pragmas={"journal_mode": "wal", "foreign_keys": 1})
    db.connect()
    db.connection().executescript(SCHEMA)
    db.execute_sql("INSERT INTO parent (id, name) VALUES (1, 'um'), (2, 'dois')")
    yield db
    db.close()


def _enforced(db: SqliteDatabase) -> int:
    return db.execute_sql("PRAGMA foreign_keys").fetchone()[0]


def _indexes(path: str) -> list[tuple]:
    with sqlite3.connect(path) as other:
        return other.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()


def test_foreign_keys_are_off_inside_and_on_again_after(database):
    with sqlite_bulk.foreign_keys_checked_at_end(database) as off:
        assert off is True and _enforced(database) == 0
        with database.atomic("IMMEDIATE") as transaction:
            database.execute_sql("INSERT INTO child (id, parent_id) VALUES (1, 99)")  # not refused now
            [violation] = sqlite_bulk.foreign_key_violations(database.cursor(), ["child"])
            transaction.rollback()
    assert _enforced(database) == 1
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        database.execute_sql("INSERT INTO child (id, parent_id) VALUES (1, 99)")
    assert violation.rows == 1 and violation.samples == ((99,),)


def test_foreign_keys_are_on_again_after_an_error(database):
    with pytest.raises(RuntimeError), sqlite_bulk.foreign_keys_checked_at_end(database) as off:
        assert off is True
        raise RuntimeError("falha")
    assert _enforced(database) == 1


def test_inside_a_transaction_nothing_is_turned_off(database):
    # SQLite ignores the pragma inside a transaction: the checks stay, and nothing is to be checked.
    with database.atomic("IMMEDIATE"), sqlite_bulk.foreign_keys_checked_at_end(database) as off:
        assert off is False and _enforced(database) == 1
    assert _enforced(database) == 1


def test_a_connection_without_enforcement_is_left_as_it_was(database):
    database.execute_sql("PRAGMA foreign_keys = OFF")
    with sqlite_bulk.foreign_keys_checked_at_end(database) as off:
        assert off is False
    assert _enforced(database) == 0


def test_violations_name_the_key_count_the_rows_and_show_samples(database):
    database.execute_sql("PRAGMA foreign_keys = OFF")
    database.execute_sql(
        "INSERT INTO child (id, parent_id, other_id) VALUES (1, 1, NULL), (2, 7, 2), (3, 8, 9), (4, 2, 1)"
    )

    found = sqlite_bulk.foreign_key_violations(database.cursor(), ["parent", "child"])

    by_key = {violation.constraint: violation for violation in found}
    assert set(by_key) == {"child_parent_id_fkey", "child_other_id_fkey"}
    assert by_key["child_parent_id_fkey"].rows == 2
    assert sorted(by_key["child_parent_id_fkey"].samples) == [(7,), (8,)]
    assert by_key["child_other_id_fkey"].rows == 1 and by_key["child_other_id_fkey"].samples == ((9,),)
    assert by_key["child_parent_id_fkey"].referenced_table == "parent"
    assert "sem correspondente em parent" in str(by_key["child_parent_id_fkey"])
    assert sqlite_bulk.foreign_key_violations(database.cursor(), ["parent"]) == []


def test_indexes_dropped_then_built_again_are_the_same(database):
    before = _indexes(database.database)
    cursor = database.cursor()
    with database.atomic("IMMEDIATE"):
        dropped = sqlite_bulk.drop_secondary_indexes(cursor, ["child", "parent"])
        # The UNIQUE column's own index (sqlite_autoindex_…) cannot be dropped and is kept.
        assert [name for name, _sql in dropped] == ["child_code", "child_parent", "parent_name"]
        here = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert here == {"sqlite_autoindex_child_1"}
        # Another connection (a reader of the console) still sees the committed schema.
        assert _indexes(database.database) == before
        database.execute_sql("INSERT INTO child (id, parent_id, code) VALUES (1, 1, 'a'), (2, 2, 'b')")
        sqlite_bulk.recreate_indexes(cursor, dropped)
    assert _indexes(database.database) == before
    plan = database.execute_sql("EXPLAIN QUERY PLAN SELECT id FROM child WHERE code = 'b'").fetchall()
    assert "child_code" in str(plan)


def test_a_unique_index_built_again_refuses_repeated_keys(database):
    before = _indexes(database.database)
    cursor = database.cursor()
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"), database.atomic("IMMEDIATE"):
        dropped = sqlite_bulk.drop_secondary_indexes(cursor, ["child"])
        database.execute_sql("INSERT INTO child (id, parent_id, code) VALUES (1, 1, 'a'), (2, 2, 'a')")
        sqlite_bulk.recreate_indexes(cursor, dropped)
    # The rollback put the dropped indexes back, and the rows are gone.
    assert _indexes(database.database) == before
    assert database.execute_sql("SELECT count(*) FROM child").fetchone()[0] == 0
