"""Citizens and immunobiological lots (3.8, 3.10)."""

from __future__ import annotations

from peewee import (
    AutoField,
    CharField,
    DateField,
    DateTimeField,
    IntegerField,
)

from pec_tui.storage.fields import FlagField
from pec_tui.storage.models.base import BaseModel, ForeignKeyField
from pec_tui.storage.models.installation import Localidade
from pec_tui.storage.models.units import HealthUnit


class Citizen(BaseModel):
    """``tb_cidadao``: a citizen (filled by "Importar cidadão", 3.8)."""

    id = AutoField(column_name="co_seq_cidadao")
    cpf = CharField(max_length=11, null=True, unique=True, column_name="nu_cpf")
    cns = CharField(max_length=15, null=True, unique=True, column_name="nu_cns")
    name = CharField(max_length=200, index=True, column_name="no_cidadao")
    birth_date = DateField(null=True, column_name="dt_nascimento")
    sex = CharField(max_length=20, null=True, column_name="no_sexo")
    race = IntegerField(null=True, column_name="co_raca_cor")
    mother_name = CharField(max_length=200, null=True, column_name="no_mae")
    mother_unknown = FlagField(default=False, column_name="st_desconhece_mae")
    birth_localidade = ForeignKeyField(Localidade, null=True, column_name="co_localidade_nascimento", backref="+")
    email = CharField(max_length=200, null=True, column_name="ds_email")
    phone = CharField(max_length=30, null=True, column_name="nu_telefone")
    cep = CharField(max_length=8, null=True, column_name="nu_cep")
    address = CharField(max_length=200, null=True, column_name="ds_logradouro")
    updated_at = DateTimeField(null=True, column_name="dt_atualizado")

    class Meta:
        table_name = "tb_cidadao"


class Immunobiological(BaseModel):
    """``tb_imunobiologico``: a vaccine of the catalogue."""

    id = AutoField(column_name="co_imunobiologico")
    name = CharField(max_length=200, column_name="no_imunobiologico")
    acronym = CharField(max_length=30, null=True, column_name="sg_imunobiologico")

    class Meta:
        table_name = "tb_imunobiologico"


class ImmunobiologicalManufacturer(BaseModel):
    """``tb_imunobiologico_fabricante``."""

    id = AutoField(column_name="co_seq_imunobiologico_fabricante")
    name = CharField(max_length=200, unique=True, column_name="no_fabricante")

    class Meta:
        table_name = "tb_imunobiologico_fabricante"


class ImmunobiologicalLot(BaseModel):
    """``tb_imunobiologico_lote``: a lot of a vaccine from a manufacturer (3.10)."""

    id = AutoField(column_name="co_seq_imunobiologico_lote")
    lot = CharField(max_length=30, column_name="ds_lote")
    expires_on = DateField(column_name="dt_validade")
    immunobiological = ForeignKeyField(Immunobiological, column_name="co_imunobiologico", backref="lots")
    manufacturer = ForeignKeyField(
        ImmunobiologicalManufacturer, column_name="co_imunobiologico_fabricante", backref="lots"
    )
    active = FlagField(default=True, column_name="st_ativo")
    unit = ForeignKeyField(HealthUnit, null=True, column_name="co_unidade_saude", backref="+")

    class Meta:
        table_name = "tb_imunobiologico_lote"
        indexes = ((("immunobiological", "manufacturer", "lot"), True),)


class Vaccination(BaseModel):
    """``tb_registro_vacinacao``: a dose applied; a lot with doses cannot be deleted."""

    id = AutoField(column_name="co_seq_registro_vacinacao")
    lot = ForeignKeyField(ImmunobiologicalLot, column_name="co_imunobiologico_lote", backref="doses")
    citizen = ForeignKeyField(Citizen, null=True, column_name="co_cidadao", backref="+")
    applied_at = DateTimeField(column_name="dt_aplicacao")
    unit = ForeignKeyField(HealthUnit, null=True, column_name="co_unidade_saude", backref="+")

    class Meta:
        table_name = "tb_registro_vacinacao"
