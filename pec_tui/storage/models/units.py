"""CBO, health units, teams and lotações, and the CNES imports that write them (3.3)."""

from __future__ import annotations

from peewee import (
    AutoField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    IntegerField,
    TextField,
)

from pec_tui.storage.fields import FlagField
from pec_tui.storage.models.accounts import ActorRole, Professional, User
from pec_tui.storage.models.base import BaseModel, ForeignKeyField
from pec_tui.storage.models.installation import Localidade


class Cbo(BaseModel):
    """``tb_cbo``: an occupation of the CBO 2002 catalogue and its scheduling settings."""

    id = AutoField(column_name="co_cbo")
    code = CharField(max_length=6, unique=True, column_name="co_cbo_2002")
    name = CharField(max_length=200, index=True, column_name="no_cbo")
    available_for_lotacao = FlagField(default=True, column_name="st_disponivel_lotacao")
    appointment_minutes = IntegerField(null=True, column_name="nu_duracao_agendamento")

    class Meta:
        table_name = "tb_cbo"


class UnitType(BaseModel):
    """``tb_tipo_unidade_saude``: CNES establishment types (UBS = 2)."""

    id = AutoField(column_name="co_seq_tipo_unidade_saude")
    cnes_code = IntegerField(unique=True, column_name="co_tipo_unidade_cnes")
    name = CharField(max_length=200, column_name="no_tipo_unidade_saude")

    class Meta:
        table_name = "tb_tipo_unidade_saude"


class HealthUnit(BaseModel):
    """``tb_unidade_saude``: a health establishment, imported from CNES (read-only in PEC)."""

    id = AutoField(column_name="co_seq_unidade_saude")
    cnes = CharField(max_length=7, unique=True, column_name="nu_cnes")
    name = CharField(max_length=200, index=True, column_name="no_unidade_saude")
    cnpj = CharField(max_length=14, null=True, column_name="nu_cnpj")
    active = FlagField(default=True, column_name="st_ativo")
    unit_type = ForeignKeyField(UnitType, null=True, column_name="tp_unidade_saude", backref="+")
    localidade = ForeignKeyField(Localidade, null=True, column_name="co_localidade", backref="units")
    complexity = CharField(max_length=100, null=True, column_name="ds_complexidade")
    address = CharField(max_length=200, null=True, column_name="ds_logradouro")
    address_number = CharField(max_length=20, null=True, column_name="nu_numero")
    address_complement = CharField(max_length=100, null=True, column_name="ds_complemento")
    district = CharField(max_length=100, null=True, column_name="no_bairro")
    cep = CharField(max_length=8, null=True, column_name="nu_cep")
    phone = CharField(max_length=30, null=True, column_name="nu_telefone")
    email = CharField(max_length=200, null=True, column_name="ds_email")

    class Meta:
        table_name = "tb_unidade_saude"


class ServiceType(BaseModel):
    """``tb_tipo_servico``: service types (from CNES, or added by the municipality, 3.11.3)."""

    id = AutoField(column_name="co_seq_tipo_servico")
    name = CharField(max_length=200, column_name="no_tipo_servico")
    localidade = ForeignKeyField(Localidade, null=True, column_name="co_localidade", backref="+")
    default = FlagField(default=False, column_name="st_padrao")

    class Meta:
        table_name = "tb_tipo_servico"


class UnitServiceType(BaseModel):
    """``rl_unidade_saude_tipo_servico``: the service types a unit offers (3.4.2)."""

    unit = ForeignKeyField(HealthUnit, column_name="co_unidade_saude", backref="service_types")
    service_type = ForeignKeyField(ServiceType, column_name="co_tipo_servico", backref="+")

    class Meta:
        table_name = "rl_unidade_saude_tipo_servico"
        primary_key = CompositeKey("unit", "service_type")


class TeamType(BaseModel):
    """``tb_tipo_equipe``: team types (``nu_ms`` 70 = eSF)."""

    id = AutoField(column_name="co_seq_tipo_equipe")
    acronym = CharField(max_length=20, column_name="sg_tipo_equipe")
    name = CharField(max_length=200, column_name="no_tipo_equipe")
    ms_code = IntegerField(unique=True, column_name="nu_ms")

    class Meta:
        table_name = "tb_tipo_equipe"


class Team(BaseModel):
    """``tb_equipe``: a team of a unit, identified by its INE."""

    id = AutoField(column_name="co_seq_equipe")
    ine = CharField(max_length=10, unique=True, column_name="nu_ine")
    name = CharField(max_length=200, column_name="no_equipe")
    active = FlagField(default=True, column_name="st_ativo")
    unit = ForeignKeyField(HealthUnit, column_name="co_unidade_saude", backref="teams")
    team_type = ForeignKeyField(TeamType, null=True, column_name="tp_equipe", backref="+")
    area_code = CharField(max_length=20, null=True, column_name="nu_area")
    area = CharField(max_length=200, null=True, column_name="ds_area")
    deactivated_on = DateField(null=True, column_name="dt_desativacao")

    class Meta:
        table_name = "tb_equipe"


class Lotacao(BaseModel):
    """``tb_lotacao``: a professional placed in a unit (and team) with a CBO.

    Shares its key with the ``tb_ator_papel`` row of kind ``LOTACAO``.
    """

    role = ForeignKeyField(ActorRole, primary_key=True, column_name="co_ator_papel")
    professional = ForeignKeyField(Professional, column_name="co_prof", backref="lotacoes")
    # Not indexed (migration 3): no query looks lotações up by CBO (the catalogue is never deleted).
    cbo = ForeignKeyField(Cbo, index=False, column_name="co_cbo", backref="+")
    unit = ForeignKeyField(HealthUnit, column_name="co_unidade_saude", backref="lotacoes")
    team = ForeignKeyField(Team, null=True, column_name="co_equipe", backref="lotacoes")
    deactivated_at = DateTimeField(null=True, column_name="dt_desativacao_lotacao")
    imported = FlagField(default=False, column_name="st_importada")
    update_on_import = FlagField(default=False, column_name="st_atualiza_perfil")
    unique_code = CharField(max_length=100, null=True, unique=True, column_name="co_unico_lotacao")
    microarea = CharField(max_length=10, null=True, column_name="nu_microarea")

    class Meta:
        table_name = "tb_lotacao"


class CnesImport(BaseModel):
    """``tb_importacao_cnes``: one import, its counts and its report."""

    id = AutoField(column_name="co_seq_importacao_cnes")
    localidade = ForeignKeyField(Localidade, column_name="co_localidade", backref="+")
    user = ForeignKeyField(User, null=True, column_name="co_usuario", backref="+")
    imported_at = DateTimeField(column_name="dt_importacao")
    file_name = CharField(max_length=255, column_name="no_arquivo")
    layout_version = CharField(max_length=10, column_name="nu_versao_layout")
    file_date = DateField(null=True, column_name="dt_arquivo")
    succeeded = FlagField(default=True, column_name="st_sucesso")
    units = IntegerField(default=0, column_name="qt_unidades")
    teams = IntegerField(default=0, column_name="qt_equipes")
    professionals = IntegerField(default=0, column_name="qt_profissionais")
    lotacoes = IntegerField(default=0, column_name="qt_lotacoes")
    rejected = IntegerField(default=0, column_name="qt_nao_importados")
    report = TextField(null=True, column_name="ds_relatorio")  # JSON

    class Meta:
        table_name = "tb_importacao_cnes"
