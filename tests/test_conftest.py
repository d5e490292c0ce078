"""The test fixtures themselves: hermetic environment, clock, database reset, CI refusing skips."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pec_tui.core import clock as program_clock
from pec_tui.domain.audit import EventType, record
from pec_tui.domain.installation import init_installation
from pec_tui.storage import database
from pec_tui.storage.database import transaction
from pec_tui.storage.migrations import MIGRATIONS
from pec_tui.storage.models import (
    ALL_MODELS,
    Cbo,
    CboMunicipal,
    ConsoleSetting,
    Country,
    DayOfWeek,
    Localidade,
    LocalidadeSituation,
    LocalidadeType,
    Period,
    Procedure,
    SchemaVersion,
    ServiceType,
    State,
    TeamType,
    UnitType,
    User,
)
from pec_tui.storage.reference import DEFAULT_SERVICE_TYPES

CONFTEST = Path(__file__).with_name("conftest.py")
REPOSITORY = Path(__file__).resolve().parents[1]


def test_environment_is_hermetic(hermetic_env, tmp_path_factory):
    assert os.environ["PEC_TUI_DATA_DIR"] == str(hermetic_env)
    assert database.data_dir() == hermetic_env
    assert "PEC_TUI_DATABASE" not in os.environ
    assert not (database.DEFAULT_PEC_HOME / database.PROPERTIES_RELATIVE).exists()
    assert hermetic_env.is_relative_to(tmp_path_factory.getbasetemp())


def test_clock_is_fixed_and_moves_only_when_told(clock):
    assert program_clock.now() == dt.datetime(2026, 11, 20, 9, 0, 0)
    clock.advance(minutes=31)
    assert program_clock.now() == dt.datetime(2026, 11, 20, 9, 31, 0)


ALL_VERSIONS = [migration.version for migration in MIGRATIONS]


def test_db_starts_migrated_and_without_installation_data(db):
    assert [row.version for row in SchemaVersion.select().order_by(SchemaVersion.version)] == ALL_VERSIONS
    assert Localidade.select().count() == 5_570
    # PEC's reference data the first migration seeds on pec-tui's own database, and its version.
    reference = {
        Country,
        State,
        LocalidadeType,
        LocalidadeSituation,
        Localidade,
        UnitType,
        TeamType,
        Cbo,
        CboMunicipal,
        DayOfWeek,
        Period,
        Procedure,
        SchemaVersion,
    }
    for model in ALL_MODELS:
        if model not in reference and model not in (ConsoleSetting, ServiceType):
            assert model.select().count() == 0, model._meta.table_name
    # PEC's default service types (st_interno), the only rows of tb_tipo_servico.
    assert ServiceType.select().where(ServiceType.internal == False).count() == 0
    assert ServiceType.select().count() == len(DEFAULT_SERVICE_TYPES)
    # The one console setting: the mark of pec-tui's own database.
    assert [row.key for row in ConsoleSetting.select()] == ["PECTUI_BANCO_PROPRIO"]


@pytest.mark.postgres
def test_postgresql_database_returns_to_its_freshly_migrated_state(pg_test_database):
    def database_oid(opened) -> int:
        return opened.db.execute_sql("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()[0]

    opened = pg_test_database.open_clean()
    oid = database_oid(opened)
    init_installation(
        municipio="4204202", admin_cpf="52998224725", admin_name="Helena Martins Duarte", admin_password="Senha1234"
    )

    class Abandon(Exception):
        pass

    # Uses a sequence value, then rolls back: the table stays empty but its sequence moved.
    with pytest.raises(Abandon), transaction():
        record(EventType.USER_ACTION, component="testes")
        raise Abandon
    opened.close()

    # Data only: emptied in place, sequences restarted.
    opened = pg_test_database.open_clean()
    try:
        assert database_oid(opened) == oid
        assert User.select().count() == 0
        with transaction():
            assert User.create(login="52998224725").id == 1
            assert record(EventType.USER_ACTION, component="testes").id == 1
        # Reference data changed: the database is cloned again from the template.
        Localidade.update(name="Xapecó").where(Localidade.ibge == "4204202").execute()
    finally:
        opened.close()

    opened = pg_test_database.open_clean()
    try:
        assert database_oid(opened) != oid
        assert Localidade.get(Localidade.ibge == "4204202").name == "Chapecó"
        assert User.select().count() == 0
        oid = database_oid(opened)
        # A kept row deleted (PEC's default service types): emptying cannot bring it back; cloned again.
        ServiceType.delete().execute()
    finally:
        opened.close()

    opened = pg_test_database.open_clean()
    try:
        assert database_oid(opened) != oid
        assert ServiceType.select().count() == len(DEFAULT_SERVICE_TYPES)
    finally:
        opened.close()


# --------------------------------------------------------------------------------------------
# CI=true: no skips
# --------------------------------------------------------------------------------------------

INNER_TESTS = """
import pytest

def test_skipped():
    pytest.skip("motivo de exemplo")

@pytest.mark.postgres
def test_needs_postgres(pg_server):
    pass

def test_passes():
    assert True
"""


def run_inner_pytest(tmp_path: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    """Run a small suite with our conftest (its plugins imported from this repository),
    PostgreSQL pointed at a closed port."""
    (tmp_path / "conftest.py").write_text(CONFTEST.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "test_inner.py").write_text(INNER_TESTS, encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CI", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_ADDOPTS"}
        and not key.startswith("PEC_TUI_")
    }
    env["PEC_TUI_TEST_PG_PORT"] = str(port)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")]))
    if ci:
        env["CI"] = "true"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-rA", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    result.port = port  # type: ignore[attr-defined]
    return result


def test_without_ci_an_unreachable_postgresql_skips_with_its_reason(tmp_path):
    result = run_inner_pytest(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 2 skipped" in result.stdout
    assert f"PostgreSQL indisponível em 127.0.0.1:{result.port}:" in result.stdout


def test_under_ci_every_skip_fails_with_its_reason(tmp_path):
    result = run_inner_pytest(tmp_path, ci=True)
    assert result.returncode == 1, result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]
    assert "1 passed" in result.stdout.splitlines()[-1]
    assert "FAILED test_inner.py::test_skipped" in result.stdout
    assert "Teste pulado com CI=true, o que não é permitido: Skipped: motivo de exemplo" in result.stdout
    assert "test_needs_postgres" in result.stdout
    assert f"PostgreSQL indisponível em 127.0.0.1:{result.port}:" in result.stdout


@pytest.mark.postgres
def test_postgresql_keeps_pecs_default_service_types_and_rewinds_their_sequence(pg_test_database):
    """tb_tipo_servico starts with PEC's default types: a test's own types go, the defaults stay,
    and the next key is the one a fresh database would draw."""

    def database_oid(opened) -> int:
        return opened.db.execute_sql("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()[0]

    opened = pg_test_database.open_clean()
    oid = database_oid(opened)
    try:
        with transaction():
            first = ServiceType.create(name="TESTE", name_filter="TESTE", internal=True).id
        assert first == len(DEFAULT_SERVICE_TYPES) + 1
    finally:
        opened.close()
    opened = pg_test_database.open_clean()
    try:
        assert database_oid(opened) == oid  # emptied in place, not cloned again
        assert sorted(row.name for row in ServiceType.select()) == sorted(DEFAULT_SERVICE_TYPES)
        with transaction():
            assert ServiceType.create(name="TESTE", name_filter="TESTE", internal=True).id == first
    finally:
        opened.close()
