"""Shared fixtures: a hermetic environment, a fixed clock, and the database on both backends.

Every test runs with its own ``PEC_TUI_DATA_DIR``, without ``PEC_TUI_DATABASE``, with no PEC
installation discovered in ``/opt/e-SUS``, and with the clock stopped at 2026-11-20 09:00.

The ``db`` fixture yields an :class:`~pec_tui.storage.database.OpenedDatabase` with the schema
migrated and no installation data, once on SQLite and once on PostgreSQL:

* SQLite: a copy of a template file migrated once per session (per xdist worker).
* PostgreSQL: one database per run and xdist worker (``pectui_test_<run>_<worker>``), cloned at session start
  from a template database migrated once. Before each test every table except the reference
  data is emptied and its sequence restarted; a fingerprint of the reference data, the
  sequences and the columns is then compared with the fresh database's, and on any difference
  the database is cloned again from the template. So each test starts from a freshly migrated
  state.

PostgreSQL is the machine's (``127.0.0.1:5432``, user ``postgres``; ``PEC_TUI_TEST_PG_HOST`` and
``PEC_TUI_TEST_PG_PORT`` override). When it cannot be reached the PostgreSQL tests are skipped,
except under ``CI=true``, where they fail; under ``CI=true`` any skipped test is a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from peewee import sort_models

from pec_tui.core import clock as clock_module
from pec_tui.core.clock import ManualClock
from pec_tui.storage import database as database_module
from pec_tui.storage.database import DatabaseTarget, OpenedDatabase, open_database, sqlite_url
from pec_tui.storage.migrations import migrate
from pec_tui.storage.models import ALL_MODELS, database_proxy

FIXED_NOW = dt.datetime(2026, 11, 20, 9, 0, 0)

PG_HOST = os.environ.get("PEC_TUI_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("PEC_TUI_TEST_PG_PORT", "5432"))
PG_USER = "postgres"

#: Tables a freshly migrated database already fills; they are never emptied.
REFERENCE_TABLES = frozenset(
    {"tb_uf", "tb_localidade", "tb_tipo_unidade_saude", "tb_tipo_equipe", "tb_cbo", "pectui_versao_esquema"}
)
#: The models' tables, children before their parents (the order to DELETE them in).
MODEL_TABLES_CHILDREN_FIRST = tuple(model._meta.table_name for model in reversed(sort_models(ALL_MODELS)))

ADMIN_CPF = "52998224725"
ADMIN_NAME = "Helena Martins Duarte"
ADMIN_PASSWORD = "Senha1234"
MUNICIPALITY_IBGE = "4204202"  # Chapecó/SC


# --------------------------------------------------------------------------------------------
# CI: nothing may be skipped
# --------------------------------------------------------------------------------------------


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _skip_reason(longrepr: object) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under ``CI=true`` a skipped test is a failed test, with the skip reason as message."""
    outcome = yield
    report = outcome.get_result()
    if running_in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Teste pulado com CI=true, o que não é permitido: {_skip_reason(report.longrepr)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """The same for a whole module skipped at collection (``pytest.importorskip``...)."""
    outcome = yield
    report = outcome.get_result()
    if running_in_ci() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"Módulo pulado com CI=true, o que não é permitido: {_skip_reason(report.longrepr)}"


# --------------------------------------------------------------------------------------------
# Hermetic environment and clock
# --------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path_factory, monkeypatch) -> Iterator[Path]:
    """A data directory of the test's own, no database from the environment, no /opt/e-SUS."""
    data = tmp_path_factory.mktemp("pec-tui-data")
    monkeypatch.setenv(database_module.ENV_DATA_DIR, str(data))
    monkeypatch.delenv(database_module.ENV_DATABASE, raising=False)
    monkeypatch.setattr(database_module, "DEFAULT_PEC_HOME", data / "sem-pec-instalado")
    yield data
    database_proxy.initialize(None)


@pytest.fixture(autouse=True)
def clock() -> Iterator[ManualClock]:
    """The program's clock, stopped at 2026-11-20 09:00; ``clock.advance(minutes=31)`` moves it."""
    manual = ManualClock(FIXED_NOW)
    clock_module.set_clock(manual)
    yield manual
    clock_module.set_clock(None)


@contextmanager
def clock_stopped_for_setup() -> Iterator[None]:
    """The fixed clock while a session fixture migrates, then whatever clock was there before
    (a session fixture may be set up in the middle of a test that has its own clock)."""
    previous = clock_module._now
    clock_module.set_clock(ManualClock(FIXED_NOW))
    try:
        yield
    finally:
        clock_module.set_clock(previous)


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
            SELECT 'seq:' || sequencename || '=' || coalesce(last_value::text, '-') AS item
              FROM pg_sequences WHERE schemaname = 'public'
            UNION ALL
            SELECT 'col:' || table_name || '.' || column_name || ':' || data_type
              FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL SELECT 'tb_uf:' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM tb_uf t
            UNION ALL SELECT 'tb_localidade:' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM tb_localidade t
            UNION ALL SELECT 'tb_tipo_unidade_saude:' || md5(string_agg(t::text, ',' ORDER BY t::text))
              FROM tb_tipo_unidade_saude t
            UNION ALL SELECT 'tb_tipo_equipe:' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM tb_tipo_equipe t
            UNION ALL SELECT 'tb_cbo:' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM tb_cbo t
            UNION ALL SELECT 'pectui_versao_esquema:' || md5(string_agg(t::text, ',' ORDER BY t::text))
              FROM pectui_versao_esquema t
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
    fresh_sequences: frozenset[str] = frozenset()

    @property
    def url(self) -> str:
        return self.server.url(self.name)

    def clone(self) -> None:
        self.server.recreate(self.name, template=self.template)

    def open_clean(self) -> OpenedDatabase:
        """Open the worker's database in the state of a freshly migrated one."""
        opened = open_database(DatabaseTarget(self.url, "--database"))
        self._empty_data_tables(opened.db)
        if _pg_fingerprint(opened.db) != self.fingerprint:
            # A test changed reference data or the schema: start over from the template.
            opened.close()
            self.clone()
            opened = open_database(DatabaseTarget(self.url, "--database"))
        return opened

    def _empty_data_tables(self, db) -> None:
        """Empty every non-reference table and restart its sequence, in one transaction.

        Only the tables that hold rows are emptied, with DELETE in reverse dependency order:
        on this machine a TRUNCATE of the ~50 tables costs 0.1 to 0.4 s (new files, fsync),
        DELETE of the few used ones about 1 ms. A table no model knows is truncated instead.
        """
        probes = [f"SELECT 'tabela', '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in self.data_tables]
        probes.append(
            "SELECT 'sequencia', sequencename FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
        )
        found = db.execute_sql(" UNION ALL ".join(probes)).fetchall()
        dirty = {name for kind, name in found if kind == "tabela"}
        used = {name for kind, name in found if kind == "sequencia"} - self.fresh_sequences
        statements = []
        if dirty - set(MODEL_TABLES_CHILDREN_FIRST):
            tables = ", ".join(f'"{table}"' for table in sorted(dirty))
            statements.append(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        else:
            statements += [f'DELETE FROM "{table}"' for table in MODEL_TABLES_CHILDREN_FIRST if table in dirty]
        statements += [f'ALTER SEQUENCE "{sequence}" RESTART' for sequence in sorted(used)]
        if statements:
            db.execute_sql("BEGIN; " + "; ".join(statements) + "; COMMIT")


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
    target.data_tables = tuple(sorted(set(opened.db.get_tables()) - REFERENCE_TABLES))
    target.fresh_sequences = frozenset(
        row[0]
        for row in opened.db.execute_sql(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
        ).fetchall()
    )
    opened.close()
    database_proxy.initialize(None)
    yield target
    pg_server.drop(name, template)


# --------------------------------------------------------------------------------------------
# SQLite template
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("modelo") / "modelo.sqlite3"
    try:
        with clock_stopped_for_setup():
            opened = open_database(DatabaseTarget(sqlite_url(path), "--database"), must_exist=False)
            migrate()
            opened.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            opened.close()
    finally:
        database_proxy.initialize(None)
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{path}{suffix}").exists() or Path(f"{path}{suffix}").stat().st_size == 0
    return path


# --------------------------------------------------------------------------------------------
# The database on both backends
# --------------------------------------------------------------------------------------------

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path) -> Iterator[OpenedDatabase]:
    """The schema migrated, no installation data; ``database_proxy`` bound to it."""
    if request.param == "sqlite":
        path = tmp_path / "pec.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        opened = open_database(DatabaseTarget(sqlite_url(path), "--database"))
    else:
        opened = request.getfixturevalue("pg_test_database").open_clean()
    try:
        yield opened
    finally:
        opened.close()
        database_proxy.initialize(None)


@pytest.fixture(params=BACKENDS)
def empty_db(request, tmp_path) -> Iterator[OpenedDatabase]:
    """A database without any table (not migrated), on both backends."""
    if request.param == "sqlite":
        target = DatabaseTarget(sqlite_url(tmp_path / "vazio.sqlite3"), "--database")
        opened = open_database(target, must_exist=False)
    else:
        server: PgServer = request.getfixturevalue("pg_server")
        name = f"pectui_test_{worker_name()}_vazio"
        server.recreate(name)
        opened = open_database(DatabaseTarget(server.url(name), "--database"))
    try:
        yield opened
    finally:
        opened.close()
        database_proxy.initialize(None)
        if request.param == "postgres":
            server.drop(name)


@pytest.fixture
def installation(db):
    """``init_installation`` run on ``db`` (Chapecó/SC, administrator Helena); returns its result."""
    from pec_tui.domain.installation import init_installation

    return init_installation(
        municipio=MUNICIPALITY_IBGE,
        admin_cpf=ADMIN_CPF,
        admin_name=ADMIN_NAME,
        admin_password=ADMIN_PASSWORD,
    )


# --------------------------------------------------------------------------------------------
# The installed command line
# --------------------------------------------------------------------------------------------


def pec_tui_command() -> list[str]:
    """The installed console script, the one next to this interpreter first."""
    beside = Path(sys.executable).parent / "pec-tui"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("pec-tui")
    if found:
        return [found]
    return [sys.executable, "-m", "pec_tui.cli"]


@pytest.fixture
def run_cli(hermetic_env):
    """Run ``pec-tui`` with the test's data directory and no other ``PEC_TUI_*`` variable
    (unless given in ``env``); returns the ``CompletedProcess`` (text, exit code not checked)."""
    command = pec_tui_command()

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("PEC_TUI_")}
        environment[database_module.ENV_DATA_DIR] = str(hermetic_env)
        environment["LANG"] = environment["LC_ALL"] = "C.UTF-8"
        environment.update(env or {})
        return subprocess.run(
            [*command, *args],
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
        )

    return run
