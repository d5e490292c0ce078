"""Installation and geography: the installation's settings (``tb_config_sistema``), countries,
states, localidades, and — pec-tui's own — its console settings and the municipalities the
installation serves."""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    BlobField,
    CharField,
    DateTimeField,
    IntegerField,
    TextField,
)

from pec_tui.storage.fields import FlagField
from pec_tui.storage.models.base import BaseModel, ForeignKeyField, OwnModel, ReferenceField


class SystemConfig(BaseModel):
    """``tb_config_sistema``: one key, its description, a text and/or an integer value."""

    key = CharField(primary_key=True, max_length=255, column_name="co_config_sistema")
    description = CharField(max_length=255, column_name="ds_config_sistema")
    available = FlagField(default=True, column_name="st_disponivel_sistema")
    text = CharField(max_length=255, null=True, column_name="ds_texto")
    integer = IntegerField(null=True, column_name="ds_inteiro")
    binary = BlobField(null=True, column_name="ds_binario")

    class Meta:
        table_name = "tb_config_sistema"


class ConsoleSetting(OwnModel):
    """``pectui.configuracao``: the console's own settings (``PECTUI_*`` keys), which PEC has
    no row for; same shape as ``tb_config_sistema``, texts unbounded."""

    key = CharField(primary_key=True, max_length=100, column_name="co_configuracao")
    text = TextField(null=True, column_name="ds_texto")
    integer = BigIntegerField(null=True, column_name="ds_inteiro")

    class Meta:
        table_name = "configuracao"


class Country(BaseModel):
    """``tb_pais``."""

    id = BigIntegerField(primary_key=True, column_name="co_pais")
    acronym = CharField(max_length=2, column_name="sg_pais_2")
    acronym3 = CharField(max_length=3, null=True, column_name="sg_pais_3")
    name = CharField(max_length=72, column_name="no_pais_portugues")
    name_english = CharField(max_length=72, null=True, column_name="no_pais_ingles")
    name_filter = CharField(max_length=72, null=True, column_name="no_pais_portugues_filtro")
    cadsus_code = CharField(max_length=3, null=True, column_name="co_pais_cadsus")
    active = FlagField(null=True, column_name="st_ativo")

    class Meta:
        table_name = "tb_pais"


class State(BaseModel):
    """``tb_uf``: the 27 federative units (PEC's keys follow DNE's numbering: 1 = AC … 27 = TO)."""

    id = BigIntegerField(primary_key=True, column_name="co_uf")
    country = ForeignKeyField(Country, column_name="co_pais", backref="+")
    acronym = CharField(max_length=2, column_name="sg_uf")
    dne = CharField(max_length=2, column_name="nu_dne")
    name = CharField(max_length=72, column_name="no_uf")
    identifier = CharField(max_length=2, column_name="no_identificador")

    class Meta:
        table_name = "tb_uf"


class LocalidadeType(BaseModel):
    """``tb_tipo_localidade`` (município, distrito, povoado…)."""

    id = BigIntegerField(primary_key=True, column_name="co_tipo_localidade")
    name = CharField(max_length=100, column_name="no_tipo_localidade")
    acronym = CharField(max_length=1, column_name="sg_tipo_localidade")
    identifier = CharField(max_length=30, null=True, column_name="no_identificador")

    class Meta:
        table_name = "tb_tipo_localidade"


class LocalidadeSituation(BaseModel):
    """``tb_situacao_localidade``."""

    id = BigIntegerField(primary_key=True, column_name="co_situacao_localidade")
    name = CharField(max_length=100, column_name="no_situacao_localidade")
    acronym = CharField(max_length=1, column_name="sg_situacao_localidade")

    class Meta:
        table_name = "tb_situacao_localidade"


class Localidade(BaseModel):
    """``tb_localidade``: a municipality, district or settlement (DNE's table); municipalities
    carry their IBGE code."""

    MUNICIPALITY = "M"

    id = BigIntegerField(primary_key=True, column_name="co_localidade")
    state = ForeignKeyField(State, column_name="co_uf", backref="localidades")
    dne = CharField(max_length=8, unique=True, column_name="nu_dne")
    name = CharField(max_length=72, column_name="no_localidade")
    cep = CharField(max_length=8, null=True, column_name="nu_cep")
    kind = ForeignKeyField(LocalidadeType, column_name="tp_localidade", backref="+")
    situation = ForeignKeyField(LocalidadeSituation, column_name="co_situacao_localidade", backref="+")
    ibge = CharField(max_length=7, null=True, column_name="co_ibge")
    name_filter = CharField(max_length=72, column_name="no_localidade_filtro")
    active = FlagField(null=True, column_name="st_ativo")

    class Meta:
        table_name = "tb_localidade"

    @property
    def label(self) -> str:
        """``Chapecó/SC`` (select the row with its State to avoid a query)."""
        return f"{self.name}/{self.state.acronym}"


class InstallationMunicipality(OwnModel):
    """``pectui.municipio_instalacao``: a municipality active on this installation."""

    localidade = ReferenceField(Localidade, primary_key=True, column_name="co_localidade")
    activated_at = DateTimeField(column_name="dt_ativacao")
    active = FlagField(default=True, column_name="st_ativo")

    class Meta:
        table_name = "municipio_instalacao"
