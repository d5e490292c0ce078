"""Plugin (``pytest_plugins`` in ``tests/conftest.py``): the machine's PostgreSQL for the tests.

* ``pg_server``: the server (``127.0.0.1:5432``, user ``postgres``; ``PEC_TUI_TEST_PG_HOST`` and
  ``PEC_TUI_TEST_PG_PORT`` override). When it cannot be reached the PostgreSQL tests are skipped,
  except under ``CI=true``, where they fail.
* ``pg_test_database``: one database per run and xdist worker (``pectui_test_<run>_<worker>``),
  cloned at session start from a template database migrated once. ``open_clean()`` empties every
  table except the reference data and restarts its sequence; a fingerprint of the reference data,
  the sequences and the columns is then compared with the fresh database's, and on any difference
  the database is cloned again from the template. So each test starts from a freshly migrated state.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from peewee import sort_models

from pec_tui.storage.database import DatabaseTarget, OpenedDatabase, open_database
from pec_tui.storage.migrations import migrate
from pec_tui.storage.models import ALL_MODELS, database_proxy
from pec_tui.storage.reference import DEFAULT_SERVICE_TYPES
from tests.support.ci import running_in_ci
from tests.support.clock import clock_stopped_for_setup

PG_HOST = os.environ.get("PEC_TUI_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("PEC_TUI_TEST_PG_PORT", "5432"))
PG_USER = "postgres"

#: Tables a freshly migrated database already fills; they are never emptied (a change to one
#: makes the next test start from a new clone).
REFERENCE_TABLES = frozenset(
    {
        "public.tb_pais",
        "public.tb_uf",
        "public.tb_tipo_localidade",
        "public.tb_situacao_localidade",
        "public.tb_localidade",
        "public.tb_tipo_unidade_saude",
        "public.tb_tipo_equipe",
        "public.tb_cbo",
        "public.tb_cbo_atend",
        "public.tb_dia_semana",
        "public.tb_periodo",
        "public.tb_proced",
        "pectui.versao_esquema",
    }
)
#: Rows of data tables a fresh database has: pec-tui's mark on its own database, PEC's default
#: service types (the first keys of their sequence; a test's own rows come after them).
KEPT_ROWS = {
    "pectui.configuracao": "co_configuracao = 'PECTUI_BANCO_PROPRIO'",
    "public.tb_tipo_servico": (
        f"st_interno = 1 AND co_localidade IS NULL AND co_seq_tipo_servico <= {len(DEFAULT_SERVICE_TYPES)}"
    ),
}
SCHEMAS = ("public", "pectui")


def _qualified(model) -> str:
    return f"{model._meta.schema or 'public'}.{model._meta.table_name}"


def _quoted(qualified: str) -> str:
    schema, table = qualified.split(".")
    return f'"{schema}"."{table}"'


def _model_tables_children_first() -> tuple[str, ...]:
    """The models' tables (schema-qualified, as placed on PostgreSQL), children before their
    parents (the order to DELETE them in)."""
    return tuple(_qualified(model) for model in reversed(sort_models(ALL_MODELS)))


#: This test run, in every database and role name it creates: two runs on one machine (two
#: developers, a developer and CI) never touch each other's. xdist gives its workers one id.
RUN_ID = (os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex)[:8]


def worker_name() -> str:
    """This run and this xdist worker (``3f2a9c1d_gw0``), for names of databases and roles."""
    return f"{RUN_ID}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


# --------------------------------------------------------------------------------------------
# PostgreSQL server
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str

    def url(self, database: str, password: str | None = None) -> str:
        auth = self.user if password is None else f"{self.user}:{password}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{database}"

    def admin(self):
        """An autocommit connection to the ``postgres`` maintenance database."""
        import psycopg2

        connection = psycopg2.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres", connect_timeout=3
        )
        connection.autocommit = True
        return connection

    def recreate(self, name: str, template: str | None = None) -> None:
        connection = self.admin()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                if template:
                    cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                else:
                    cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()

    def drop(self, *names: str) -> None:
        connection = self.admin()
        try:
            with connection.cursor() as cursor:
                for name in names:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            connection.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The machine's PostgreSQL; skips (fails under ``CI=true``) when it cannot be reached.

    The databases are named after the run and the worker (``pectui_test_3f2a9c1d_gw0``...),
    so two test runs on the same machine run side by side.
    """
    server = PgServer(PG_HOST, PG_PORT, PG_USER)
    try:
        probe = server.admin()
    except Exception as exc:  # psycopg2.OperationalError, or psycopg2 itself missing
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        reason = f"PostgreSQL indisponível em {PG_HOST}:{PG_PORT}: {first_line}"
        probe = None
    if probe is None:
        if running_in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    probe.close()
    yield server


def _pg_fingerprint(db) -> str:
    """What must be identical to a freshly migrated database once the data tables are emptied."""
    return db.execute_sql(
        """
        SELECT md5(string_agg(item, '|' ORDER BY item)) FROM (
            SELECT 'seq:' || schemaname || '.' || sequencename || '=' || coalesce(last_value::text, '-') AS item
              FROM pg_sequences WHERE schemaname IN ('public', 'pectui')
            UNION ALL
            SELECT 'col:' || table_schema || '.' || table_name || '.' || column_name || ':' || data_type
              FROM information_schema.columns WHERE table_schema IN ('public', 'pectui')
            UNION ALL SELECT 'tb_pais:' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM tb_pais t
            UNION ALL SELECT 'tb_cbo_atend:' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))
              FROM tb_cbo_atend t
            UNION ALL SELECT 'conf:' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))
              FROM pectui.configuracao t WHERE co_configuracao = 'PECTUI_BANCO_PROPRIO'
            UNION ALL SELECT 'tb_uf:' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM tb_uf t
            UNION ALL SELECT 'tb_localidade:' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM tb_localidade t
            UNION ALL SELECT 'tb_tipo_unidade_saude:' || md5(string_agg(t::text, ',' ORDER BY t::text))
              FROM tb_tipo_unidade_saude t
            UNION ALL SELECT 'tb_tipo_equipe:' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM tb_tipo_equipe t
            UNION ALL SELECT 'tb_cbo:' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM tb_cbo t
            UNION ALL SELECT 'versao_esquema:' || md5(string_agg(t::text, ',' ORDER BY t::text))
              FROM pectui.versao_esquema t
        ) AS items
        """
    ).fetchone()[0]


@dataclass
class PgTestDatabase:
    server: PgServer
    name: str
    template: str
    fingerprint: str = ""
    data_tables: tuple[str, ...] = ()
    #: Sequences a fresh database has already drawn from, and their last value there.
    fresh_sequences: dict[str, int] = field(default_factory=dict)
    #: How many kept rows (KEPT_ROWS) each table has when fresh.
    kept_counts: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url(self.name)

    def clone(self) -> None:
        self.server.recreate(self.name, template=self.template)

    def open_clean(self) -> OpenedDatabase:
        """Open the worker's database in the state of a freshly migrated one."""
        opened = open_database(DatabaseTarget(self.url, "--database"))
        complete = self._empty_data_tables(opened.db)
        if not complete or _pg_fingerprint(opened.db) != self.fingerprint:
            # A test changed reference data or the schema, or deleted rows a fresh database
            # keeps (PEC's default service types): start over from the template.
            opened.close()
            self.clone()
            opened = open_database(DatabaseTarget(self.url, "--database"))
        return opened

    def _empty_data_tables(self, db) -> bool:
        """Empty every non-reference table and restart its sequence, in one transaction; False
        when a kept row (KEPT_ROWS) is missing, which emptying cannot bring back.

        Only the tables that hold rows are emptied, with DELETE in reverse dependency order:
        on this machine a TRUNCATE of the ~50 tables costs 0.1 to 0.4 s (new files, fsync),
        DELETE of the few used ones about 1 ms. A table no model knows is truncated instead.
        """

        def kept(table: str) -> str:
            return f" WHERE NOT ({KEPT_ROWS[table]})" if table in KEPT_ROWS else ""

        probes = [
            f"SELECT 'tabela', '{t}' WHERE EXISTS (SELECT 1 FROM {_quoted(t)}{kept(t)})" for t in self.data_tables
        ]
        probes += [
            f"SELECT 'faltando', '{t}' WHERE (SELECT count(*) FROM {_quoted(t)} WHERE {KEPT_ROWS[t]}) <> {count}"
            for t, count in self.kept_counts.items()
        ]
        probes.append(
            "SELECT 'sequencia', schemaname || '.' || sequencename || '=' || last_value FROM pg_sequences "
            "WHERE schemaname IN ('public', 'pectui') AND last_value IS NOT NULL"
        )
        found = db.execute_sql(" UNION ALL ".join(probes)).fetchall()
        if any(kind == "faltando" for kind, _ in found):
            return False
        dirty = {name for kind, name in found if kind == "tabela"}
        drawn = dict(item.rsplit("=", 1) for kind, item in found if kind == "sequencia")
        used = set(drawn) - set(self.fresh_sequences)
        rewound = {name for name, value in self.fresh_sequences.items() if int(drawn.get(name, value)) != value}
        statements = []
        children_first = _model_tables_children_first()
        if dirty - set(children_first) or dirty & set(KEPT_ROWS):
            for table in [t for t in children_first if t in dirty] + sorted(dirty - set(children_first)):
                statements.append(f"DELETE FROM {_quoted(table)}{kept(table)}")
        else:
            statements += [f"DELETE FROM {_quoted(table)}" for table in children_first if table in dirty]
        statements += [f"ALTER SEQUENCE {_quoted(sequence)} RESTART" for sequence in sorted(used)]
        statements += [
            f"SELECT setval('{_quoted(sequence)}', {self.fresh_sequences[sequence]})" for sequence in sorted(rewound)
        ]
        if statements:
            db.execute_sql("BEGIN; " + "; ".join(statements) + "; COMMIT")
        return True


@pytest.fixture(scope="session")
def pg_test_database(pg_server: PgServer) -> Iterator[PgTestDatabase]:
    """This worker's PostgreSQL test database, cloned from a template migrated once."""
    name = f"pectui_test_{worker_name()}"
    template = f"{name}_modelo"
    pg_server.recreate(template)
    try:
        with clock_stopped_for_setup():
            opened = open_database(DatabaseTarget(pg_server.url(template), "--database"))
            migrate()
            opened.close()
    finally:
        database_proxy.initialize(None)
    target = PgTestDatabase(pg_server, name, template)
    target.clone()
    opened = open_database(DatabaseTarget(target.url, "--database"))
    target.fingerprint = _pg_fingerprint(opened.db)
    tables = {f"{schema}.{table}" for schema in SCHEMAS for table in opened.db.get_tables(schema=schema)}
    target.data_tables = tuple(sorted(tables - REFERENCE_TABLES))
    target.fresh_sequences = {
        name: value
        for name, value in opened.db.execute_sql(
            "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
            "WHERE schemaname IN ('public', 'pectui') AND last_value IS NOT NULL"
        ).fetchall()
    }
    target.kept_counts = {
        table: opened.db.execute_sql(f"SELECT count(*) FROM {_quoted(table)} WHERE {condition}").fetchone()[0]
        for table, condition in KEPT_ROWS.items()
    }
    opened.close()
    database_proxy.initialize(None)
    yield target
    pg_server.drop(name, template)
