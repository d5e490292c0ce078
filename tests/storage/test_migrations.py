"""Versioned migrations: the initial schema with PEC's names, reference data, versions."""

from __future__ import annotations

import pytest
from peewee import CharField, IntegerField, Model

from pec_tui.core import clock
from pec_tui.core.errors import PecError
from pec_tui.storage import migrations
from pec_tui.storage.migrations import LATEST_VERSION, add_column, migrate, require_schema, schema_version
from pec_tui.storage.models import (
    ALL_MODELS,
    Localidade,
    SchemaVersion,
    State,
    TeamType,
    UnitType,
    database_proxy,
)


def columns(db, table: str) -> set[str]:
    return {column.name for column in db.get_columns(table)}


def test_migrate_on_empty_database_creates_every_table(empty_db):
    assert empty_db.db.get_tables() == []
    assert schema_version() is None

    assert migrate() == list(range(1, LATEST_VERSION + 1))

    tables = set(empty_db.db.get_tables())
    assert {model._meta.table_name for model in ALL_MODELS} <= tables
    assert schema_version() == LATEST_VERSION
    assert require_schema() == LATEST_VERSION


def test_every_model_column_exists_in_its_table(db):
    for model in ALL_MODELS:
        expected = {field.column_name for field in model._meta.sorted_fields}
        assert expected <= columns(db.db, model._meta.table_name), model.__name__


def test_tables_keep_pec_column_names(db):
    assert {
        "co_seq_usuario",
        "ds_login",
        "ds_senha",
        "st_bloqueado",
        "nr_tentativas_acesso",
        "st_forcar_troca_senha",
        "dt_ultima_atualizacao_senha",
    } <= columns(db.db, "tb_usuario")
    assert {
        "co_ator_papel",
        "co_prof",
        "co_cbo",
        "co_unidade_saude",
        "co_equipe",
        "dt_desativacao_lotacao",
        "st_importada",
        "st_atualiza_perfil",
        "co_unico_lotacao",
    } <= columns(db.db, "tb_lotacao")
    assert {"co_seq_prof", "nu_cpf", "nu_cns", "no_profissional", "co_usuario"} <= columns(db.db, "tb_prof")
    assert {"co_config_sistema", "ds_texto", "ds_inteiro"} <= columns(db.db, "tb_config_sistema")
    assert {
        "co_seq_auditoria_evento",
        "co_usuario",
        "dt_evento",
        "tp_evento",
        "tp_registro_afetado",
        "co_registro_afetado",
        "ds_componente_gerador",
        "ds_detalhes",
    } <= columns(db.db, "tb_auditoria_evento")
    assert {"co_localidade", "co_uf", "no_localidade", "co_ibge"} <= columns(db.db, "tb_localidade")


def test_reference_data_is_seeded(db):
    assert State.select().count() == 27
    assert Localidade.select().count() == 5_570
    chapeco = Localidade.get(Localidade.ibge == "4204202")
    assert (chapeco.name, chapeco.state.acronym) == ("Chapecó", "SC")
    assert Localidade.get(Localidade.ibge == "5300108").state.acronym == "DF"
    assert UnitType.get(UnitType.cnes_code == 2).name.startswith("Centro de saúde")
    assert TeamType.get(TeamType.ms_code == 70).acronym == "eSF"


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


# --------------------------------------------------------------------------------------------
# add_column: what later versions use to add a field
# --------------------------------------------------------------------------------------------

SCRATCH_TABLE = "pectui_teste_add_column"


class ScratchBefore(Model):
    """The scratch table as a version N created it."""

    code = IntegerField(column_name="co_teste")

    class Meta:
        database = database_proxy
        table_name = SCRATCH_TABLE


class ScratchAfter(Model):
    """The same table once version N+1 added a column."""

    code = IntegerField(column_name="co_teste")
    label = CharField(max_length=40, null=True, column_name="ds_rotulo")

    class Meta:
        database = database_proxy
        table_name = SCRATCH_TABLE


def test_add_column_adds_a_missing_column_and_skips_an_existing_one(db):
    db.db.create_tables([ScratchBefore])
    try:
        ScratchBefore.create(code=1)
        assert columns(db.db, SCRATCH_TABLE) == {"id", "co_teste"}

        add_column(ScratchAfter, "code")  # already there: nothing to do, no error
        assert columns(db.db, SCRATCH_TABLE) == {"id", "co_teste"}

        add_column(ScratchAfter, "label")
        assert columns(db.db, SCRATCH_TABLE) == {"id", "co_teste", "ds_rotulo"}

        add_column(ScratchAfter, "label")  # a second run (a database created fresh) is harmless
        assert columns(db.db, SCRATCH_TABLE) == {"id", "co_teste", "ds_rotulo"}

        row = ScratchAfter.get()
        assert (row.code, row.label) == (1, None)
        ScratchAfter.update(label="novo").execute()
        assert ScratchAfter.get().label == "novo"
    finally:
        db.db.drop_tables([ScratchAfter])


def test_every_test_database_starts_with_the_cbo_catalogue(db):
    """The catalogue of migration 2 is reference data: present in each test's database, both backends."""
    from pec_tui.storage.models import Cbo

    assert Cbo.select().count() >= 130
    assert Cbo.get(Cbo.code == "223505").available_for_lotacao


@pytest.mark.parametrize("db", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_migration_4_turns_boolean_flags_into_pecs_integers_keeping_their_values(db):
    """A PostgreSQL database made before version 4 had its st_* flags as boolean."""
    from pec_tui.storage.models import Cbo

    first = Cbo.select().order_by(Cbo.id).first()
    Cbo.update(available_for_lotacao=False).where(Cbo.id == first.id).execute()
    db.db.execute_sql(
        "ALTER TABLE tb_cbo ALTER COLUMN st_disponivel_lotacao TYPE boolean USING st_disponivel_lotacao <> 0"
    )
    SchemaVersion.delete().where(SchemaVersion.version == 4).execute()
    assert migrate() == [4]
    (data_type,) = db.db.execute_sql(
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'tb_cbo' "
        "AND column_name = 'st_disponivel_lotacao'"
    ).fetchone()
    assert data_type == "integer"
    values = dict(db.db.execute_sql("SELECT co_cbo, st_disponivel_lotacao FROM tb_cbo").fetchall())
    assert values[first.id] == 0 and set(values.values()) == {0, 1}
