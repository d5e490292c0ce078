"""Versioned migrations: the initial schema with PEC's names, reference data, versions."""

from __future__ import annotations

import pytest

from pec_tui.core import clock
from pec_tui.core.errors import PecError
from pec_tui.storage import migrations
from pec_tui.storage.fields import FlagField
from pec_tui.storage.introspection import differences, read_catalogue
from pec_tui.storage.migrations import LATEST_VERSION, MIGRATIONS, migrate, require_schema, schema_version
from pec_tui.storage.models import (
    ALL_MODELS,
    OWN_MODELS,
    PEC_MODELS,
    Cbo,
    Localidade,
    SchemaVersion,
    State,
    TeamType,
    UnitType,
    User,
)


def columns(db, table: str) -> set[str]:
    return {column.name for column in db.get_columns(table)}


def test_migrate_on_empty_database_creates_every_table(empty_db):
    assert empty_db.db.get_tables() == []
    assert schema_version() is None

    assert migrate() == [migration.version for migration in MIGRATIONS]

    postgres = empty_db.kind == "postgresql"
    for model in ALL_MODELS:
        assert model.table_exists(), model.__name__
    own = {model._meta.table_name for model in OWN_MODELS}
    if postgres:  # pec-tui's own tables in their own schema, PEC's in public
        assert set(empty_db.db.get_tables(schema="pectui")) == own
        assert not own & set(empty_db.db.get_tables())
    else:
        assert all(name.startswith("pectui_") for name in own)
    assert schema_version() == LATEST_VERSION
    assert require_schema() == LATEST_VERSION
    catalogue = read_catalogue(empty_db.db)
    assert catalogue.own_database and not catalogue.is_pec_installation


@pytest.mark.parametrize("db", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_pecs_keyed_tables_get_pecs_sequences_on_pec_tuis_own_database(db):
    keyed = [model for model in PEC_MODELS if model.keyed_by_sequence()]
    assert User in keyed and Cbo not in keyed  # tb_cbo's key is PEC's reference code
    sequences = {
        row[0] for row in db.db.execute_sql("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
    }
    assert {f"seq_{model._meta.table_name}" for model in keyed} <= sequences


def test_pec_tuis_own_tables_have_no_foreign_key_to_pecs(db):
    """A foreign key would put PostgreSQL's triggers on PEC's table (altering PEC's schema)."""
    for model in OWN_MODELS:
        for field in model._meta.refs:
            assert field.deferred, f"{model.__name__}.{field.name}"
    if db.kind == "postgresql":
        rows = db.db.execute_sql(
            "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = 'pectui' AND c.contype = 'f'"
        ).fetchall()
        assert rows == []


def test_every_model_column_exists_in_its_table(db):
    for model in ALL_MODELS:
        expected = {field.column_name for field in model._meta.sorted_fields}
        found = {column.name for column in db.db.get_columns(model._meta.table_name, schema=model._meta.schema)}
        assert expected <= found, model.__name__


def test_pecs_tables_are_the_pec_shaped_fixtures_column_for_column(pec_database):
    """The models are PEC's tables as PEC defines them: against the PEC-shaped database (made from
    the public facts, not from the models) no model misses a column, writes a longer text, or
    leaves a NOT NULL column unfilled — and every PEC table of ours exists there."""
    catalogue = read_catalogue(pec_database.db)
    assert {model.__name__: differences(catalogue, model) for model in PEC_MODELS} == {
        model.__name__: [] for model in PEC_MODELS
    }
    for model in PEC_MODELS:
        columns = catalogue.columns(model._meta.table_name)
        for field in model._meta.sorted_fields:
            column = columns[field.column_name]
            if isinstance(field, FlagField):
                assert column.data_type == "integer", f"{model.__name__}.{field.name}"
            if not field.null and not field.primary_key:
                assert not column.nullable or field.default is not None, f"{model.__name__}.{field.name}"


def test_reference_data_is_seeded(db):
    assert State.select().count() == 27
    assert Localidade.select().count() == 5_570
    chapeco = Localidade.get(Localidade.ibge == "4204202")
    assert (chapeco.name, chapeco.state.acronym) == ("Chapecó", "SC")
    assert Localidade.get(Localidade.ibge == "5300108").state.acronym == "DF"
    assert UnitType.get(UnitType.cnes_code == 2).name.startswith("Centro de saúde")
    assert TeamType.get(TeamType.ms_code == "70").acronym == "eSF"
    assert State.get(State.acronym == "SC").id == 24  # PEC's UF keys (DNE's order), not IBGE's 42
    assert chapeco.name_filter == "CHAPECO" and chapeco.kind.acronym == "M"


def test_second_migrate_applies_nothing(db):
    versions_before = [(row.version, row.applied_at) for row in SchemaVersion.select()]
    assert migrate() == []
    assert [(row.version, row.applied_at) for row in SchemaVersion.select()] == versions_before
    assert Localidade.select().count() == 5_570


def test_require_schema_on_empty_database_tells_to_run_init(empty_db):
    with pytest.raises(PecError) as raised:
        require_schema()
    assert raised.value.message == "Este banco não tem o esquema do pec-tui; crie-o com 'pec-tui init'."
    assert empty_db.db.get_tables() == []


def test_database_with_a_newer_schema_is_refused(db):
    SchemaVersion.create(version=LATEST_VERSION + 1, applied_at=clock.now(), description="futura")
    tables_before = set(db.db.get_tables())

    with pytest.raises(PecError) as raised:
        migrate()

    assert f"versão {LATEST_VERSION + 1}" in raised.value.message
    assert "atualize o pec-tui" in raised.value.message
    assert set(db.db.get_tables()) == tables_before
    assert schema_version() == LATEST_VERSION + 1


def test_database_with_an_older_schema_must_be_migrated(db, monkeypatch):
    monkeypatch.setattr(migrations, "LATEST_VERSION", LATEST_VERSION + 1)
    with pytest.raises(PecError) as raised:
        require_schema()
    assert "rode 'pec-tui migrate'" in raised.value.message


def test_a_development_database_from_before_pecs_columns_is_refused(empty_db):
    """Versions 1 to 4 kept PEC's table names with other columns: they cannot be upgraded."""
    empty_db.db.execute_sql("CREATE TABLE pectui_versao_esquema (nu_versao integer PRIMARY KEY)")
    empty_db.db.execute_sql("INSERT INTO pectui_versao_esquema VALUES (4)")
    for attempt in (migrate, require_schema):
        with pytest.raises(PecError, match="versão de desenvolvimento do pec-tui \\(esquema 4\\)"):
            attempt()


def test_every_test_database_starts_with_the_cbo_catalogue(db):
    """The catalogue of migration 2 is reference data: present in each test's database, both backends."""
    from pec_tui.storage.models import Cbo

    assert Cbo.select().count() >= 130
    assert Cbo.get(Cbo.code == "223505").available_for_lotacao


def test_version_6_adds_tb_cfg_rnds_to_an_own_database_made_before_it(db):
    """pec-tui's own database from version 5 (no tb_cfg_rnds) gets the table and its sequence."""
    from pec_tui.storage.database import transaction
    from pec_tui.storage.models import RndsConfig, SchemaVersion

    with transaction():
        db.db.drop_tables([RndsConfig])
        SchemaVersion.delete().where(SchemaVersion.version >= 6).execute()
    assert not RndsConfig.table_exists()
    assert migrate() == [migration.version for migration in MIGRATIONS if migration.version >= 6]
    assert RndsConfig.table_exists()
    assert differences(read_catalogue(db.db), RndsConfig) == []


def test_version_8_adds_gestao_municipal_tables_to_an_own_database_made_before_it(db):
    """pec-tui's own database from before version 8 gets PEC's agenda-period, exam-group and
    procedure tables, their sequences, and the reference rows (weekdays, periods, the shipped
    exams, PEC's default service types) — once."""
    from pec_tui.storage import reference
    from pec_tui.storage.database import transaction
    from pec_tui.storage.models import (
        AgendaConfigDetail,
        DayOfWeek,
        ExamGroup,
        ExamGroupProcedure,
        Period,
        Procedure,
        SchemaVersion,
        ServiceType,
    )

    models = [ExamGroupProcedure, ExamGroup, Procedure, AgendaConfigDetail, Period, DayOfWeek]
    with transaction():
        ServiceType.delete().execute()
        db.db.drop_tables(models)
        SchemaVersion.delete().where(SchemaVersion.version >= 8).execute()
    assert migrate() == [8]
    for model in models:
        assert differences(read_catalogue(db.db), model) == [], model.__name__
    assert DayOfWeek.select().count() == 7 and Period.select().count() == 3
    assert Procedure.select().count() == len(reference.shipped_exams())
    glycated = Procedure.get(Procedure.code == "0202010503")
    assert (glycated.name, glycated.min_age_months, glycated.max_age_months) == (
        "DOSAGEM DE HEMOGLOBINA GLICOSILADA",
        0,
        130 * 12,
    )
    assert Procedure.get(Procedure.code == "0203010086").male is False
    defaults = ServiceType.select().where(ServiceType.internal == True, ServiceType.localidade.is_null())
    assert sorted(row.name for row in defaults) == sorted(reference.DEFAULT_SERVICE_TYPES)
    reference.seed_municipal_reference()  # again: nothing doubled
    assert Procedure.select().count() == len(reference.shipped_exams())
    assert ServiceType.select().count() == len(reference.DEFAULT_SERVICE_TYPES)
