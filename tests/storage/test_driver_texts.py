"""Drivers' English texts become Portuguese sentences, the English kept in the log (issue 11, item 8).

The errors are the drivers' own, raised by real statements (SQLite in a file, PostgreSQL on the
machine's server), not built by hand."""

from __future__ import annotations

import sqlite3

import psycopg2
import pytest

from pec_tui.storage import errors
from pec_tui.storage.database import DatabaseTarget, describe_connect_error, sqlite_url


@pytest.fixture
def sqlite_connection(tmp_path):
    connection = sqlite3.connect(tmp_path / "textos.sqlite3")
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("statement", "parameters", "english"),
    [
        ("SELECT " + "(" * 5000 + "1" + ")" * 5000, (), "parser stack overflow"),
        ("SELECT 'a' LIKE ?", ("%a" * 40_000,), "LIKE or GLOB pattern too complex"),
    ],
    ids=["parser-stack", "like-pattern"],
)
def test_sqlite_search_failures_are_said_in_portuguese(sqlite_connection, caplog, statement, parameters, english):
    with pytest.raises(sqlite3.Error) as raised:
        sqlite_connection.execute(statement, parameters).fetchall()
    assert english in str(raised.value)
    caplog.set_level("INFO")
    assert errors.describe(raised.value) == "A busca ficou complexa demais para o banco; use menos palavras."
    assert english in caplog.text


def test_postgres_unique_violation_is_said_in_portuguese(pg_server, caplog):
    connection = pg_server.admin()
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE t (x int PRIMARY KEY)")
            cursor.execute("INSERT INTO t VALUES (1)")
            with pytest.raises(psycopg2.Error) as raised:
                cursor.execute("INSERT INTO t VALUES (1)")
    finally:
        connection.close()
    caplog.set_level("INFO")
    assert errors.describe(raised.value) == "Já existe um registro com esses dados."
    assert "duplicate key" in caplog.text or "duplicada" in caplog.text


def test_an_unknown_open_error_is_said_in_portuguese_with_the_detail_logged(tmp_path, caplog):
    caplog.set_level("INFO")
    sqlite = DatabaseTarget(sqlite_url(tmp_path / "x.sqlite3"), "--database")
    postgres = DatabaseTarget("postgresql://postgres@127.0.0.1:5432/x", "--database")
    weird = RuntimeError("SSL SYSCALL error: EOF detected")
    assert describe_connect_error(sqlite, weird) == (
        f"Não foi possível abrir o banco SQLite {tmp_path / 'x.sqlite3'}; os detalhes estão no registro do "
        "pec-tui (pec-tui.log)."
    )
    assert describe_connect_error(postgres, weird) == (
        "Não foi possível conectar ao PostgreSQL em 127.0.0.1:5432; os detalhes estão no registro do pec-tui "
        "(pec-tui.log)."
    )
    assert caplog.text.count("SSL SYSCALL error") == 2


def test_what_is_not_a_driver_error_is_left_to_its_caller():
    assert errors.describe(ValueError("x")) is None
