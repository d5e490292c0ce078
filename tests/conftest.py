"""Shared fixtures: a hermetic environment, a fixed clock, and the database on both backends.

Every test runs with its own ``PEC_TUI_DATA_DIR``, without ``PEC_TUI_DATABASE``, with no PEC
installation discovered in ``/opt/e-SUS``, and with the clock stopped at 2026-11-20 09:00.

The ``db`` fixture yields an :class:`~pec_tui.storage.database.OpenedDatabase` with the schema
migrated and no installation data, once on SQLite and once on PostgreSQL:

* SQLite: a copy of a template file migrated once per session (per xdist worker).
* PostgreSQL: the worker's database of ``tests/support/postgres.py`` (per run and worker, cloned
  from a template migrated once), emptied back to its freshly migrated state before each test.

Plugins in ``tests/support/``: ``postgres`` (the server and the per-worker database) and ``ci``
(under ``CI=true`` any skipped test is a failure). The fixed facts (``FIXED_NOW``, ``ADMIN_CPF``...)
are in ``tests/support/constants.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pec_tui.core import clock as clock_module
from pec_tui.core.clock import ManualClock
from pec_tui.storage import database as database_module
from pec_tui.storage.database import DatabaseTarget, OpenedDatabase, open_database, sqlite_url
from pec_tui.storage.migrations import migrate
from pec_tui.storage.models import database_proxy
from tests.support.clock import clock_stopped_for_setup
from tests.support.constants import ADMIN_CPF, ADMIN_NAME, ADMIN_PASSWORD, FIXED_NOW, MUNICIPALITY_IBGE

# Imported by pytest (with assertion rewriting), not here: a module this file imports could not be rewritten.
pytest_plugins = [
    "tests.support.ci",
    "tests.support.postgres",
    "tests.support.pec_database",
    "tests.support.smtp",
    "tests.support.sshd",
    "tests.support.jobs",
]


# --------------------------------------------------------------------------------------------
# Hermetic environment and clock
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def session_audit_key(tmp_path_factory) -> Iterator[Path]:
    """One audit-trail key for the session, so that databases made once per session (the
    templates, the demo) chain with the key every test finds in its own data directory. While
    session fixtures are set up, ``PEC_TUI_DATA_DIR`` points here (never at the user's own)."""
    from pec_tui.domain import audit

    folder = tmp_path_factory.mktemp("pec-tui-sessao")
    previous = os.environ.get(database_module.ENV_DATA_DIR)
    os.environ[database_module.ENV_DATA_DIR] = str(folder)
    audit._load_key(create=True)
    try:
        yield folder / audit.KEY_FILE_NAME
    finally:
        if previous is None:
            os.environ.pop(database_module.ENV_DATA_DIR, None)
        else:
            os.environ[database_module.ENV_DATA_DIR] = previous


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path_factory, monkeypatch, session_audit_key) -> Iterator[Path]:
    """A data directory of the test's own (with the session's audit key), no database from the
    environment, no /opt/e-SUS."""
    data = tmp_path_factory.mktemp("pec-tui-data")
    shutil.copy(session_audit_key, data / session_audit_key.name)  # copy keeps mode 0600
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
        from tests.support.postgres import worker_name

        server = request.getfixturevalue("pg_server")
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
