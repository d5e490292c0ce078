"""Foreign-key checks suspended during a bulk load and validated set-based before commit.

A scratch database of this module's own, with small tables made here (not the app schema):
``parent``, a two-column ``"Pair Keys"`` (mixed case and a space, for the quoting) and ``child``
with a plain FK, a nullable FK, a two-column MATCH FULL FK and a two-column MATCH SIMPLE FK,
plus a user trigger that counts the rows written to ``child``.
"""

from __future__ import annotations

import io
import sqlite3
import threading
import time

import psycopg2
import psycopg2.errors
import pytest
from psycopg2 import extensions

from pec_tui.storage.bulk.fk_checks import ForeignKeyViolation, suspend_foreign_key_checks
from tests.support.postgres import worker_name

pytestmark = pytest.mark.postgres

SCHEMA = """
DROP TABLE IF EXISTS child, parent, "Pair Keys", child_count CASCADE;
DROP FUNCTION IF EXISTS count_child();
CREATE TABLE parent (id integer PRIMARY KEY);
CREATE TABLE "Pair Keys" (a integer, "B" text, PRIMARY KEY (a, "B"));
CREATE TABLE child (
    id serial PRIMARY KEY,
    parent_id integer NOT NULL CONSTRAINT child_parent_fk REFERENCES parent,
    other_parent_id integer CONSTRAINT child_other_parent_fk REFERENCES parent,
    full_a integer,
    "full B" text,
    simple_a integer,
    simple_b text,
    CONSTRAINT child_full_fk FOREIGN KEY (full_a, "full B") REFERENCES "Pair Keys" MATCH FULL,
    CONSTRAINT child_simple_fk FOREIGN KEY (simple_a, simple_b) REFERENCES "Pair Keys" MATCH SIMPLE
);
CREATE TABLE child_count (n integer NOT NULL);
INSERT INTO child_count VALUES (0);
CREATE FUNCTION count_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE child_count SET n = n + 1;
    RETURN NEW;
END $$;
CREATE TRIGGER child_counter AFTER INSERT ON child FOR EACH ROW EXECUTE FUNCTION count_child();
INSERT INTO parent SELECT generate_series(1, 10);
INSERT INTO "Pair Keys" VALUES (1, 'x'), (2, 'y');
"""

FOREIGN_KEYS = {"child_parent_fk", "child_other_parent_fk", "child_full_fk", "child_simple_fk"}
CHILD_COLUMNS = ("parent_id", "other_parent_id", "full_a", '"full B"', "simple_a", "simple_b")


@pytest.fixture(scope="module")
def scratch(pg_server):
    name = f"pectui_test_{worker_name()}_fk"
    pg_server.recreate(name)
    yield pg_server, name
    pg_server.drop(name)


@pytest.fixture
def connect(scratch):
    """``connect(**options)``: a new psycopg2 connection to the scratch database, closed after the test."""
    server, name = scratch
    opened = []

    def connect(**options):
        options = {"host": server.host, "port": server.port, "user": server.user, "dbname": name} | options
        connection = psycopg2.connect(connect_timeout=3, **options)
        opened.append(connection)
        return connection

    setup = connect()
    setup.autocommit = True
    with setup.cursor() as cursor:
        cursor.execute(SCHEMA)
    yield connect
    for connection in reversed(opened):
        connection.close()


def copy_children(cursor, rows):
    """``COPY child`` (as the CNES importer loads), ``None`` as NULL."""
    text = "".join("\t".join(r"\N" if v is None else str(v) for v in row) + "\n" for row in rows)
    cursor.copy_expert(f"COPY child ({', '.join(CHILD_COLUMNS)}) FROM STDIN", io.StringIO(text))


def trigger_states(cursor) -> dict[str, str]:
    """``tgenabled`` of the triggers of child and of the referenced tables, by (table, constraint or
    trigger name, function)."""
    cursor.execute(
        """
        SELECT t.tgrelid::regclass::text, coalesce(c.conname, t.tgname), t.tgfoid::regproc::text, t.tgenabled
          FROM pg_trigger t LEFT JOIN pg_constraint c ON c.oid = t.tgconstraint
         WHERE t.tgrelid IN ('child'::regclass, 'parent'::regclass, '"Pair Keys"'::regclass)
        """
    )
    return {(table, owner, function): enabled for table, owner, function, enabled in cursor.fetchall()}


def scalar(connection, query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()[0]


def locks_of(connection, other) -> set[tuple[str, str]]:
    """The (table, mode) locks held by ``other``'s backend, seen from ``connection``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relation::regclass::text, mode FROM pg_locks WHERE pid = %s AND relation IS NOT NULL AND granted",
            (other.get_backend_pid(),),
        )
        return set(cursor.fetchall())


# --------------------------------------------------------------------------------------------
# 1. Valid rows
# --------------------------------------------------------------------------------------------


def test_valid_rows_load_validate_and_commit_with_triggers_enabled_again(connect):
    a = connect()
    observer = connect(application_name="observer")
    observer.autocommit = True
    with a.cursor() as cursor:
        suspended = suspend_foreign_key_checks(cursor, ["child"])
        assert suspended is not None
        assert set(suspended.constraints) == FOREIGN_KEYS
        disabled = {key for key, state in trigger_states(cursor).items() if state == "D"}
        assert {(table, owner) for table, owner, _ in disabled} == {("child", name) for name in FOREIGN_KEYS}

        copy_children(
            cursor,
            [(1, None, 1, "x", None, None), (2, 3, None, None, 2, "y"), (10, 10, 2, "y", 7, None)] * 100,
        )
        assert suspended.restore_and_validate() == []
        assert set(trigger_states(cursor).values()) == {"O"}
    a.commit()

    assert scalar(observer, "SELECT count(*) FROM child") == 300
    with observer.cursor() as cursor:
        assert set(trigger_states(cursor).values()) == {"O"}


# --------------------------------------------------------------------------------------------
# 2. Dangling rows are reported; the caller rolls back
# --------------------------------------------------------------------------------------------


def test_dangling_and_partly_null_rows_are_reported_and_rolled_back(connect):
    a = connect()
    with a.cursor() as cursor:
        suspended = suspend_foreign_key_checks(cursor, ["child"])
        copy_children(
            cursor,
            [
                (1, None, None, None, None, None),  # fine
                (99, None, None, None, None, None),  # no parent 99
                (98, 1, None, None, None, None),  # no parent 98
                (1, 42, None, None, None, None),  # nullable FK pointing at nothing
                (1, None, 1, None, None, None),  # MATCH FULL, partly null: a violation
                (1, None, 3, "z", None, None),  # MATCH FULL, no such pair
                (1, None, None, None, 5, None),  # MATCH SIMPLE, partly null: not checked
            ],
        )
        violations = suspended.restore_and_validate()
    a.rollback()

    by_name = {violation.constraint: violation for violation in violations}
    assert set(by_name) == {"child_parent_fk", "child_other_parent_fk", "child_full_fk"}
    assert (by_name["child_parent_fk"].rows, set(by_name["child_parent_fk"].samples)) == (2, {(99,), (98,)})
    assert by_name["child_parent_fk"].table == "child"
    assert by_name["child_parent_fk"].columns == ("parent_id",)
    assert (by_name["child_other_parent_fk"].rows, by_name["child_other_parent_fk"].samples) == (1, ((42,),))
    full = by_name["child_full_fk"]
    assert (full.columns, full.referenced_table) == (("full_a", "full B"), "Pair Keys")
    assert (full.rows, set(full.samples)) == (2, {(1, None), (3, "z")})
    assert "child_full_fk: 2 linha(s) de child" in str(full)
    assert all(isinstance(violation, ForeignKeyViolation) for violation in violations)

    assert scalar(a, "SELECT count(*) FROM child") == 0
    with a.cursor() as cursor:
        assert set(trigger_states(cursor).values()) == {"O"}


def test_samples_are_limited_but_the_count_is_not(connect):
    a = connect()
    with a.cursor() as cursor:
        suspended = suspend_foreign_key_checks(cursor, ["child"])
        copy_children(cursor, [(100 + i, None, None, None, None, None) for i in range(50)])
        [violation] = suspended.restore_and_validate()
    a.rollback()
    assert violation.rows == 50
    assert len(violation.samples) == 5


# --------------------------------------------------------------------------------------------
# 3. What other sessions see while suspended
# --------------------------------------------------------------------------------------------


def test_other_sessions_see_triggers_enabled_can_read_and_cannot_write(connect):
    a = connect()
    b = connect()
    b.autocommit = True
    with a.cursor() as cursor:
        cursor.execute("INSERT INTO child (parent_id) VALUES (1)")
    a.commit()
    with a.cursor() as cursor:
        suspend_foreign_key_checks(cursor, ["child"])
        copy_children(cursor, [(99, None, None, None, None, None)])
        assert "D" in trigger_states(cursor).values()

    with b.cursor() as cursor:
        assert set(trigger_states(cursor).values()) == {"O"}
        cursor.execute("SET lock_timeout = '200ms'")
        cursor.execute("SELECT parent_id FROM child")
        assert cursor.fetchall() == [(1,)]
        with pytest.raises(psycopg2.errors.LockNotAvailable):
            cursor.execute("INSERT INTO child (parent_id) VALUES (2)")
        cursor.execute("INSERT INTO parent VALUES (11)")  # the referenced table stays writable
    assert ("child", "ShareRowExclusiveLock") in locks_of(b, a)
    a.rollback()


# --------------------------------------------------------------------------------------------
# 4. After validation, referenced rows cannot go away before commit
# --------------------------------------------------------------------------------------------


def test_after_validation_a_delete_of_a_referenced_row_waits_for_commit_and_then_fails(connect):
    a = connect()
    b = connect()
    b.autocommit = True
    observer = connect()
    observer.autocommit = True
    with a.cursor() as cursor:
        suspended = suspend_foreign_key_checks(cursor, ["child"])
        copy_children(cursor, [(7, None, None, None, None, None)])
        assert suspended.restore_and_validate() == []
    assert {("parent", "ShareLock"), ('"Pair Keys"', "ShareLock")} <= locks_of(observer, a)

    with b.cursor() as cursor:
        cursor.execute("SET lock_timeout = '200ms'")
        with pytest.raises(psycopg2.errors.LockNotAvailable):
            cursor.execute("DELETE FROM parent WHERE id = 7")
        cursor.execute("SET lock_timeout = 0")

    outcome = []

    def delete_parent():
        try:
            with b.cursor() as cursor:
                cursor.execute("DELETE FROM parent WHERE id = 7")
            outcome.append("deleted")
        except psycopg2.Error as exc:
            outcome.append(exc)

    deleter = threading.Thread(target=delete_parent)
    deleter.start()
    deadline = time.monotonic() + 10
    while not scalar(observer, "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", (b.get_backend_pid(),)):
        assert time.monotonic() < deadline, "the DELETE never waited"
        time.sleep(0.02)
    assert outcome == []
    a.commit()
    deleter.join(10)

    assert len(outcome) == 1 and isinstance(outcome[0], psycopg2.errors.ForeignKeyViolation)
    assert scalar(observer, "SELECT count(*) FROM parent WHERE id = 7") == 1
    assert scalar(observer, "SELECT count(*) FROM child WHERE parent_id = 7") == 1


def test_a_referenced_row_deleted_and_committed_during_the_load_is_caught(connect):
    """With the checks suspended the load takes no FOR KEY SHARE lock on the parent rows, so a
    concurrent DELETE of one goes through; the validation (READ COMMITTED, after the locks) sees it."""
    a = connect()
    b = connect()
    b.autocommit = True
    with a.cursor() as cursor:
        suspended = suspend_foreign_key_checks(cursor, ["child"])
        copy_children(cursor, [(7, None, None, None, None, None), (8, None, None, None, None, None)])
        assert scalar(a, "SELECT count(*) FROM parent WHERE id = 7") == 1  # there during the load
        with b.cursor() as other:
            other.execute("DELETE FROM parent WHERE id = 7")
        [violation] = suspended.restore_and_validate()
    a.rollback()
    assert (violation.constraint, violation.rows, violation.samples) == ("child_parent_fk", 1, ((7,),))


# --------------------------------------------------------------------------------------------
# 5. Rollback while suspended
# --------------------------------------------------------------------------------------------


def test_rollback_while_suspended_enables_the_triggers_and_checks_work_again(connect):
    a = connect()
    with a.cursor() as cursor:
        suspend_foreign_key_checks(cursor, ["child"])
        copy_children(cursor, [(99, None, None, None, None, None)])
        assert "D" in trigger_states(cursor).values()
    a.rollback()

    with a.cursor() as cursor:
        assert set(trigger_states(cursor).values()) == {"O"}
        with pytest.raises(psycopg2.errors.ForeignKeyViolation):
            cursor.execute("INSERT INTO child (parent_id) VALUES (99)")
    a.rollback()
    with a.cursor() as cursor, pytest.raises(psycopg2.errors.ForeignKeyViolation):
        cursor.execute("INSERT INTO child (parent_id, full_a) VALUES (1, 1)")
    a.rollback()
    assert scalar(a, "SELECT count(*) FROM child") == 0


# --------------------------------------------------------------------------------------------
# 6. Nothing is done when the preconditions are missing
# --------------------------------------------------------------------------------------------


@pytest.fixture
def plain_role(connect):
    """A LOGIN role that is not a superuser, with every right on the scratch tables."""
    role = f"pectui_fk_{worker_name()}"
    admin = connect()
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"' if _role_exists(cursor, role) else "SELECT 1")
        cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
        cursor.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    yield role
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s AND pid <> pg_backend_pid()",
            (role,),
        )
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def _role_exists(cursor, role) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
    return cursor.fetchone() is not None


def assert_nothing_changed(connection):
    with connection.cursor() as cursor:
        assert set(trigger_states(cursor).values()) == {"O"}
        cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND relation = 'child'::regclass")
        assert cursor.fetchone()[0] == 0


def test_not_a_superuser_changes_nothing(connect, plain_role):
    plain = connect(user=plain_role)
    with plain.cursor() as cursor:
        assert suspend_foreign_key_checks(cursor, ["child"]) is None
        assert_nothing_changed(plain)
        with pytest.raises(psycopg2.errors.ForeignKeyViolation):  # the per-row checks are on
            cursor.execute("INSERT INTO child (parent_id) VALUES (99)")
    plain.rollback()


def test_repeatable_read_changes_nothing(connect):
    a = connect()
    a.set_session(isolation_level=extensions.ISOLATION_LEVEL_REPEATABLE_READ)
    with a.cursor() as cursor:
        assert suspend_foreign_key_checks(cursor, ["child"]) is None
        assert_nothing_changed(a)
    a.rollback()


def test_sqlite_cursor_changes_nothing(tmp_path):
    connection = sqlite3.connect(tmp_path / "x.sqlite3")
    try:
        assert suspend_foreign_key_checks(connection.cursor(), ["child"]) is None
    finally:
        connection.close()


def test_outside_a_transaction_is_refused(connect):
    a = connect()
    a.autocommit = True
    with a.cursor() as cursor, pytest.raises(RuntimeError, match="inside an open transaction"):
        suspend_foreign_key_checks(cursor, ["child"])
    with a.cursor() as cursor:
        assert set(trigger_states(cursor).values()) == {"O"}


def test_explicit_begin_on_an_autocommit_connection_counts_as_a_transaction(connect):
    """peewee keeps psycopg2 in autocommit mode and sends BEGIN itself."""
    a = connect()
    a.autocommit = True
    with a.cursor() as cursor:
        cursor.execute("BEGIN")
        suspended = suspend_foreign_key_checks(cursor, ["child"])
        assert suspended is not None and suspended.restore_and_validate() == []
        cursor.execute("ROLLBACK")


# --------------------------------------------------------------------------------------------
# 7. Only the check triggers of the written tables are touched
# --------------------------------------------------------------------------------------------


def test_user_triggers_and_action_triggers_stay_enabled(connect):
    a = connect()
    with a.cursor() as cursor:
        before = trigger_states(cursor)
        suspended = suspend_foreign_key_checks(cursor, ["child", "parent"])  # parent has no FK
        during = trigger_states(cursor)
        changed = {key for key in before if before[key] != during[key]}
        assert {function for _, _, function in changed} == {'"RI_FKey_check_ins"', '"RI_FKey_check_upd"'}
        assert {(table, owner) for table, owner, _ in changed} == {("child", name) for name in FOREIGN_KEYS}
        assert during[("child", "child_counter", "count_child")] == "O"
        assert all(during[key] == "O" for key in during if key[0] != "child")  # the action triggers

        copy_children(cursor, [(1, None, None, None, None, None)] * 25)
        assert scalar(a, "SELECT n FROM child_count") == 25
        assert suspended.restore_and_validate() == []
        assert trigger_states(cursor) == before
    a.commit()
    assert scalar(a, "SELECT n FROM child_count") == 25


def test_not_valid_foreign_keys_keep_their_checks(connect):
    a = connect()
    a.autocommit = True
    with a.cursor() as cursor:
        cursor.execute("ALTER TABLE child DROP CONSTRAINT child_parent_fk")
        cursor.execute("INSERT INTO child (parent_id) VALUES (99)")  # an old violation, tolerated
        cursor.execute(
            "ALTER TABLE child ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent NOT VALID"
        )
    a.autocommit = False
    with a.cursor() as cursor:
        suspended = suspend_foreign_key_checks(cursor, ["child"])
        assert set(suspended.constraints) == FOREIGN_KEYS - {"child_parent_fk"}
        with pytest.raises(psycopg2.errors.ForeignKeyViolation):
            cursor.execute("INSERT INTO child (parent_id) VALUES (98)")
    a.rollback()
