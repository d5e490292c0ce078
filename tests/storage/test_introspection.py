"""Reading what the database has: a PEC installation and its version, and how a model differs."""

from __future__ import annotations

import pytest
from peewee import BigIntegerField, CharField, Model

from pec_tui.storage.introspection import differences, read_catalogue
from tests.support.pec_database import PEC_VERSION


class Sample(Model):
    id = BigIntegerField(primary_key=True, column_name="co_seq_amostra")
    name = CharField(max_length=30, column_name="no_amostra")
    extra = CharField(max_length=5, null=True, column_name="ds_extra")

    class Meta:
        table_name = "tb_amostra"


def test_a_pec_database_is_recognised_with_its_version(pec_database):
    catalogue = read_catalogue(pec_database.db)
    assert catalogue.is_pec
    assert catalogue.pec_version == PEC_VERSION
    usuario = catalogue.columns("tb_usuario")
    assert usuario is not None
    assert usuario["st_bloqueado"].data_type == "integer" and not usuario["st_bloqueado"].nullable
    assert usuario["ds_login"].max_length == 255


def test_pec_tuis_own_database_is_not_a_pec_installation(db):
    assert not read_catalogue(db.db).is_pec


@pytest.fixture
def sample_table(empty_db):
    empty_db.db.execute_sql(
        "CREATE TABLE tb_amostra (co_seq_amostra bigint PRIMARY KEY, no_amostra varchar(20) NOT NULL, "
        "nu_obrigatorio integer NOT NULL, nu_com_padrao integer NOT NULL DEFAULT 0, ds_livre text)"
    )
    return empty_db


def test_differences_name_each_gap_in_portuguese(sample_table):
    problems = differences(read_catalogue(sample_table.db), Sample)
    assert problems == [
        "tb_amostra.no_amostra guarda até 20 caracteres; o pec-tui escreveria até 30",
        "tb_amostra.ds_extra não existe neste banco",
        "tb_amostra.nu_obrigatorio é obrigatória e o pec-tui não a preenche",
    ]


def test_a_missing_table_is_one_difference(empty_db):
    assert differences(read_catalogue(empty_db.db), Sample) == ["a tabela tb_amostra não existe neste banco"]
