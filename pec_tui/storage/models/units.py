"""CBO, health units, teams and lotações, and the CNES imports that write them (3.3), as PEC
defines them; the import's full report is pec-tui's own."""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    IntegerField,
    TextField,
)

from pec_tui.storage.fields import FlagField
from pec_tui.storage.models.accounts import ActorRole, Professional, User
from pec_tui.storage.models.base import BaseModel, ForeignKeyField, OwnModel, ReferenceField
from pec_tui.storage.models.installation import Localidade, State


class Cbo(BaseModel):
    """``tb_cbo``: an occupation of the CBO 2002 catalogue (PEC's reference data)."""

    id = BigIntegerField(primary_key=True, column_name="co_cbo")
    name = CharField(max_length=255, column_name="no_cbo")
    name_filter = CharField(max_length=255, index=True, column_name="no_cbo_filtro")
    code = CharField(max_length=10, unique=True, column_name="co_cbo_2002")
    available_for_lotacao = FlagField(null=True, default=True, column_name="st_disponivel_lotacao")

    class Meta:
        table_name = "tb_cbo"


class CboMunicipal(BaseModel):
    """``tb_cbo_atend``: a municipality's settings for one CBO (3.11.2): appointment duration
    and whether it is available for lotação."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_cbo_atend")
    cbo = ForeignKeyField(Cbo, column_name="co_cbo", backref="+")
    minutes = IntegerField(null=True, column_name="qt_tempo_consulta")
    localidade = ForeignKeyField(Localidade, null=True, column_name="co_localidade", backref="+")
    available_for_lotacao = FlagField(null=True, column_name="st_disponivel_lotacao")

    class Meta:
        table_name = "tb_cbo_atend"


class MunicipalAgendaConfig(BaseModel):
    """``tb_cfg_agenda_municipal``: a municipality's default appointment duration."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_cfg_agenda_municipal")
    localidade = ForeignKeyField(Localidade, column_name="co_localidade", backref="+")
    default_minutes = IntegerField(column_name="nu_duracao_atendimento_padrao")

    class Meta:
        table_name = "tb_cfg_agenda_municipal"


class UnitType(BaseModel):
    """``tb_tipo_unidade_saude``: CNES establishment types (UBS = 2)."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_tipo_unidade_saude")
    name = CharField(max_length=120, column_name="no_tipo_unidade_saude")
    cnes_code = BigIntegerField(unique=True, column_name="co_tipo_unidade_cnes")

    class Meta:
        table_name = "tb_tipo_unidade_saude"


class HealthUnit(BaseModel):
    """``tb_unidade_saude``: a health establishment, imported from CNES (read-only in PEC).

    PEC has no column for the unit's municipality: it is the municipality of its address
    (``co_localidade_endereco``)."""

    license = CharField(max_length=20, null=True, column_name="nu_licenca_funcionamento")
    unit_type = ForeignKeyField(UnitType, null=True, index=False, column_name="tp_unidade_saude", backref="+")
    id = BigIntegerField(primary_key=True, column_name="co_seq_unidade_saude")
    cnes = CharField(max_length=20, null=True, column_name="nu_cnes")
    active = FlagField(null=True, default=True, column_name="st_ativo")
    cnpj = CharField(max_length=14, null=True, column_name="nu_cnpj")
    name = CharField(max_length=255, null=True, column_name="no_unidade_saude")
    name_filter = CharField(max_length=255, null=True, column_name="no_unidade_saude_filtro")
    phone = CharField(max_length=255, null=True, column_name="nu_telefone_comercial")
    phone2 = CharField(max_length=255, null=True, column_name="nu_telefone_comercial2")
    fax = CharField(max_length=255, null=True, column_name="nu_telefone_fax")
    email = CharField(max_length=255, null=True, column_name="ds_email")
    cep = CharField(max_length=8, null=True, column_name="ds_cep")
    address_complement = CharField(max_length=50, null=True, column_name="ds_complemento")
    reference_point = CharField(max_length=100, null=True, column_name="ds_ponto_referencia")
    address = CharField(max_length=150, null=True, column_name="ds_logradouro")
    state = ForeignKeyField(State, null=True, index=False, column_name="co_uf", backref="+")
    localidade = ForeignKeyField(Localidade, null=True, column_name="co_localidade_endereco", backref="units")
    address_number = CharField(max_length=20, null=True, column_name="nu_numero")
    no_number = FlagField(null=True, column_name="st_sem_numero")
    district = CharField(max_length=255, null=True, column_name="no_bairro")
    district_filter = CharField(max_length=255, null=True, column_name="no_bairro_filtro")
    street_type = BigIntegerField(null=True, column_name="tp_logradouro")
    subtype = BigIntegerField(null=True, column_name="co_subtp_unidade_saude")

    class Meta:
        table_name = "tb_unidade_saude"
        indexes = ((("nu_cnes",), False),)


class Complexity(BaseModel):
    """``tb_complexidade``: levels of care (atenção básica, média, alta complexidade)."""

    name = CharField(max_length=100, column_name="no_complexidade")
    acronym = CharField(max_length=2, column_name="sg_complexidade")
    id = BigIntegerField(primary_key=True, column_name="co_complexidade")

    class Meta:
        table_name = "tb_complexidade"


class UnitComplexity(BaseModel):
    """``rl_unidade_saude_complexidade``: the levels of care a unit offers."""

    unit = ForeignKeyField(HealthUnit, column_name="co_ator_papel", backref="complexities")
    complexity = ForeignKeyField(Complexity, column_name="co_complexidade", backref="+")

    class Meta:
        table_name = "rl_unidade_saude_complexidade"
        primary_key = CompositeKey("complexity", "unit")


class ServiceType(BaseModel):
    """``tb_tipo_servico``: service types (PEC's, ``st_interno``; or a municipality's, 3.11.3)."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_tipo_servico")
    name = CharField(max_length=50, column_name="no_tipo_servico")
    name_filter = CharField(max_length=50, null=True, column_name="no_tipo_servico_filtro")
    internal = FlagField(default=False, column_name="st_interno")
    localidade = ForeignKeyField(Localidade, null=True, column_name="co_localidade", backref="+")

    class Meta:
        table_name = "tb_tipo_servico"
        indexes = ((("co_localidade", "no_tipo_servico"), True),)


class UnitServiceType(BaseModel):
    """``rl_unidade_saude_tipo_servico``: the service types a unit offers (3.4.2)."""

    service_type = ForeignKeyField(ServiceType, column_name="tp_servico", backref="+")
    unit = ForeignKeyField(HealthUnit, column_name="co_ator_papel", backref="service_types")

    class Meta:
        table_name = "rl_unidade_saude_tipo_servico"
        primary_key = CompositeKey("unit", "service_type")


class TeamType(BaseModel):
    """``tb_tipo_equipe``: team types (``nu_ms`` '70' = eSF)."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_tipo_equipe")
    acronym = CharField(max_length=30, column_name="sg_tipo_equipe")
    name = CharField(max_length=200, column_name="no_tipo_equipe")
    acronym_filter = CharField(max_length=30, null=True, column_name="sg_tipo_equipe_filtro")
    name_filter = CharField(max_length=200, null=True, column_name="no_tipo_equipe_filtro")
    ms_code = CharField(max_length=4, column_name="nu_ms")
    description = CharField(max_length=4, null=True, column_name="ds_tp_equipe")

    class Meta:
        table_name = "tb_tipo_equipe"


class Team(BaseModel):
    """``tb_equipe``: a team of a unit, identified by its INE."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_equipe")
    ine = CharField(max_length=255, null=True, column_name="nu_ine")
    active = FlagField(default=True, column_name="st_ativo")
    unit = ForeignKeyField(HealthUnit, column_name="co_unidade_saude", backref="teams")
    references = BigIntegerField(null=True, column_name="qt_referencia")
    team_type = ForeignKeyField(TeamType, null=True, column_name="tp_equipe", backref="+")
    area = CharField(max_length=255, null=True, column_name="ds_area")
    name = CharField(max_length=255, null=True, column_name="no_equipe")
    name_filter = CharField(max_length=255, null=True, column_name="no_equipe_filtro")
    unique_code = CharField(max_length=255, null=True, unique=True, column_name="co_unico_equipe")

    class Meta:
        table_name = "tb_equipe"
        indexes = ((("nu_ine",), False),)


class Lotacao(BaseModel):
    """``tb_lotacao``: a professional placed in a unit (and team) with a CBO.

    Shares its key with the ``tb_ator_papel`` row of kind ``LOTACAO``.
    """

    deactivated_at = DateTimeField(null=True, column_name="dt_desativacao_lotacao")
    # Not indexed: no query looks lotações up by CBO (the catalogue is never deleted).
    cbo = ForeignKeyField(Cbo, index=False, column_name="co_cbo", backref="+")
    professional = ForeignKeyField(Professional, column_name="co_prof", backref="lotacoes")
    unit = ForeignKeyField(HealthUnit, column_name="co_unidade_saude", backref="lotacoes")
    team = ForeignKeyField(Team, null=True, column_name="co_equipe", backref="lotacoes")
    role = ForeignKeyField(ActorRole, primary_key=True, column_name="co_ator_papel")
    update_on_import = FlagField(null=True, default=False, column_name="st_atualiza_perfil")
    imported = FlagField(null=True, default=False, column_name="st_importada")
    agenda_changed_by_hand = FlagField(null=True, column_name="st_agenda_alterada_manual")
    last_send_attempt_at = DateTimeField(null=True, column_name="dt_ultima_tentativa_envio")
    sync_state = CharField(max_length=48, null=True, column_name="st_sincronizacao")
    agenda_online_active = FlagField(null=True, column_name="st_ativo_agenda_online")
    last_attempt = TextField(null=True, column_name="ds_ultima_tentativa")
    unique_code = CharField(max_length=255, null=True, unique=True, column_name="co_unico_lotacao")

    class Meta:
        table_name = "tb_lotacao"


class AgendaConfig(BaseModel):
    """``tb_cfg_agenda``: an agenda configured for an entity (a lotação, among others)."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_config_agenda")
    entity = BigIntegerField(column_name="co_entidade_configurada")
    kind = BigIntegerField(column_name="co_tipo_cfg_agenda")

    class Meta:
        table_name = "tb_cfg_agenda"


class Process(BaseModel):
    """``tb_processo``: a long-running process of PEC's (a CNES import among them)."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_processo")
    state = CharField(max_length=100, column_name="st_processo")
    started_at = DateTimeField(column_name="dt_inicio")

    class Meta:
        table_name = "tb_processo"


class CnesImport(BaseModel):
    """``tb_importacao_cnes``: one import and its counts, as PEC's history shows it."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_importacao_cnes")
    imported_at = DateTimeField(column_name="dt_relatorio")
    role_backup = BigIntegerField(null=True, column_name="co_ator_papel_bkp")
    professional = ForeignKeyField(Professional, null=True, column_name="co_prof", backref="+")
    units_new = BigIntegerField(null=True, column_name="nu_unidades_novas")
    units_updated = BigIntegerField(null=True, column_name="nu_unidades_atualizadas")
    teams_new = BigIntegerField(null=True, column_name="nu_equipes_novas")
    teams_updated = BigIntegerField(null=True, column_name="nu_equipes_atualizadas")
    professionals_new = BigIntegerField(null=True, column_name="nu_profissionais_novos")
    professionals_updated = BigIntegerField(null=True, column_name="nu_profissionais_atualizados")
    lotacoes_new = BigIntegerField(null=True, column_name="nu_lotacoes_novas")
    lotacoes_updated = BigIntegerField(null=True, column_name="nu_lotacoes_atualizadas")
    process = ForeignKeyField(Process, null=True, column_name="co_processo", backref="+")
    localidade = ForeignKeyField(Localidade, null=True, column_name="co_localidade", backref="+")
    details = TextField(null=True, column_name="ds_detalhes")

    class Meta:
        table_name = "tb_importacao_cnes"


class CnesImportReport(OwnModel):
    """``pectui.importacao_cnes``: what PEC's history row has no column for — the file, its
    layout and date, who imported it, whether it succeeded, and the full report (JSON)."""

    cnes_import = ReferenceField(CnesImport, primary_key=True, column_name="co_importacao_cnes")
    user = ReferenceField(User, null=True, column_name="co_usuario")
    file_name = CharField(max_length=255, column_name="no_arquivo")
    layout_version = CharField(max_length=10, column_name="nu_versao_layout")
    file_date = DateField(null=True, column_name="dt_arquivo")
    succeeded = FlagField(default=True, column_name="st_sucesso")
    # Records of each kind the file had and were imported (new, updated, unchanged, reactivated).
    units = IntegerField(default=0, column_name="qt_unidades")
    teams = IntegerField(default=0, column_name="qt_equipes")
    professionals = IntegerField(default=0, column_name="qt_profissionais")
    lotacoes = IntegerField(default=0, column_name="qt_lotacoes")
    rejected = IntegerField(default=0, column_name="qt_nao_importados")
    report = TextField(null=True, column_name="ds_relatorio")

    class Meta:
        table_name = "importacao_cnes"
