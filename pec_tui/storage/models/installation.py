"""Installation and geography: the installation's settings (``tb_config_sistema``), states,
localidades and the municipalities the installation serves."""

from __future__ import annotations

from peewee import (
    AutoField,
    BigIntegerField,
    CharField,
    DateTimeField,
    IntegerField,
    TextField,
)

from pec_tui.storage.fields import FlagField
from pec_tui.storage.models.base import BaseModel, ForeignKeyField


class SystemConfig(BaseModel):
    """``tb_config_sistema``: one key, a text and/or an integer value."""

    key = CharField(primary_key=True, max_length=100, column_name="co_config_sistema")
    text = TextField(null=True, column_name="ds_texto")
    integer = BigIntegerField(null=True, column_name="ds_inteiro")

    class Meta:
        table_name = "tb_config_sistema"


class State(BaseModel):
    """``tb_uf``: the 27 federative units."""

    id = IntegerField(primary_key=True, column_name="co_uf")  # IBGE 2-digit code
    acronym = CharField(max_length=2, unique=True, column_name="sg_uf")
    name = CharField(max_length=60, column_name="no_uf")

    class Meta:
        table_name = "tb_uf"


class Localidade(BaseModel):
    """``tb_localidade``: a municipality (or the Federal District)."""

    id = AutoField(column_name="co_localidade")
    state = ForeignKeyField(State, column_name="co_uf", backref="localidades")
    name = CharField(max_length=120, index=True, column_name="no_localidade")
    ibge = CharField(max_length=7, unique=True, column_name="co_ibge")

    class Meta:
        table_name = "tb_localidade"

    @property
    def label(self) -> str:
        """``Chapecó/SC`` (select the row with its State to avoid a query)."""
        return f"{self.name}/{self.state.acronym}"


class InstallationMunicipality(BaseModel):
    """A municipality active on this installation (PEC ≥ 4.0 serves several)."""

    localidade = ForeignKeyField(Localidade, primary_key=True, column_name="co_localidade", backref="installation")
    activated_at = DateTimeField(column_name="dt_ativacao")
    active = FlagField(default=True, column_name="st_ativo")

    class Meta:
        table_name = "pectui_municipio_instalacao"
