"""Peewee models for the whole administration domain.

Tables that PEC itself has keep PEC's names (``tb_*``, ``rl_*``) and PEC's column names, so an
administrator who knows PEC's SQL recognises every one. Python attribute names are English; PEC
nouns with no English twin (cnes, ine, cbo, lotacao) stay. What PEC has no table for lives in
tables of our own, prefixed ``pectui_``.

The models are bound to :data:`database_proxy`; :func:`pec_tui.storage.database.open_database`
initialises it. The schema is created and evolved only by :mod:`pec_tui.storage.migrations`.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    IntegerField,
    Model,
    TextField,
)
from peewee import (
    ForeignKeyField as _PeeweeForeignKey,
)

from .proxy import database_proxy


class ForeignKeyField(_PeeweeForeignKey):
    """A foreign key whose raw id reads as ``<name>_id`` (``lotacao.unit_id``), whatever
    PEC's column is called (``co_unidade_saude``)."""

    def bind(self, model, name, set_attribute=True):
        if not self.object_id_name:
            self.object_id_name = f"{name}_id"
        super().bind(model, name, set_attribute)


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


# --------------------------------------------------------------------------------------------
# Installation and geography
# --------------------------------------------------------------------------------------------


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
    active = BooleanField(default=True, column_name="st_ativo")

    class Meta:
        table_name = "pectui_municipio_instalacao"


# --------------------------------------------------------------------------------------------
# Users, professionals, roles
# --------------------------------------------------------------------------------------------


class User(BaseModel):
    """``tb_usuario``: a login (the CPF) and its password state."""

    id = AutoField(column_name="co_seq_usuario")
    login = CharField(max_length=11, unique=True, column_name="ds_login")
    password_hash = CharField(max_length=200, null=True, column_name="ds_senha")
    blocked = BooleanField(default=False, column_name="st_bloqueado")
    failed_attempts = IntegerField(default=0, column_name="nr_tentativas_acesso")
    must_change_password = BooleanField(default=False, column_name="st_forcar_troca_senha")
    password_changed_at = DateTimeField(null=True, column_name="dt_ultima_atualizacao_senha")

    class Meta:
        table_name = "tb_usuario"


class Professional(BaseModel):
    """``tb_prof``: a professional; every active professional is a user of the system."""

    id = AutoField(column_name="co_seq_prof")
    cpf = CharField(max_length=11, unique=True, column_name="nu_cpf")
    cns = CharField(max_length=15, null=True, index=True, column_name="nu_cns")
    name = CharField(max_length=200, index=True, column_name="no_profissional")
    birth_date = DateField(null=True, column_name="dt_nascimento")
    email = CharField(max_length=200, null=True, column_name="ds_email")
    phone = CharField(max_length=20, null=True, column_name="nu_telefone")
    council_registry = CharField(max_length=30, null=True, column_name="nu_conselho_classe")
    council = CharField(max_length=20, null=True, column_name="sg_conselho_classe")
    user = ForeignKeyField(User, null=True, unique=True, column_name="co_usuario", backref="professional")
    sex = CharField(max_length=20, null=True, column_name="no_sexo")
    imported = BooleanField(default=False, column_name="st_importado_cnes")
    # Residential address (3.5.1), free text fields.
    cep = CharField(max_length=8, null=True, column_name="nu_cep")
    address = CharField(max_length=200, null=True, column_name="ds_logradouro")
    address_number = CharField(max_length=20, null=True, column_name="nu_numero")
    district = CharField(max_length=100, null=True, column_name="no_bairro")
    # No index (migration 3): no query looks professionals up by it, and a municipality is never
    # deleted; every professional the CNES import writes would pay for one.
    address_localidade = ForeignKeyField(
        Localidade, null=True, index=False, column_name="co_localidade_endereco", backref="+"
    )

    class Meta:
        table_name = "tb_prof"


class ProfessionalCnsHistory(BaseModel):
    """``tb_prof_historico_cns``: every CNS a professional has had (one CNS, one professional)."""

    id = AutoField(column_name="co_seq_prof_historico_cns")
    professional = ForeignKeyField(Professional, column_name="co_prof", backref="cns_history")
    cns = CharField(max_length=15, index=True, column_name="nu_cns")

    class Meta:
        table_name = "tb_prof_historico_cns"


class ActorRole(BaseModel):
    """``tb_ator_papel``: a role a professional acts in (administrator, manager, lotação)."""

    INSTALLATION_ADMIN = "ADMINISTRADOR_GERAL"
    MUNICIPAL_ADMIN = "ADMINISTRADOR_MUNICIPAL"
    MUNICIPAL_MANAGER = "GESTOR_MUNICIPAL"
    STATE_MANAGER = "GESTOR_ESTADUAL"
    LOTACAO = "LOTACAO"

    id = AutoField(column_name="co_seq_ator_papel")
    professional = ForeignKeyField(Professional, column_name="co_prof", backref="roles")
    # Not indexed (migration 3): roles are always found by professional (or by key), and 150,000
    # lotações of one kind made that index large, useless for a lookup and a cost on every import.
    kind = CharField(max_length=40, column_name="no_tipo_ator_papel")
    active = BooleanField(default=True, column_name="st_ativo")

    class Meta:
        table_name = "tb_ator_papel"


class InstallationAdmin(BaseModel):
    """``tb_adm_geral``: the installation administrator (one per installation)."""

    role = ForeignKeyField(ActorRole, primary_key=True, column_name="co_ator_papel")

    class Meta:
        table_name = "tb_adm_geral"


class MunicipalAdmin(BaseModel):
    """``tb_adm_municipal``: the one responsible (municipal administrator) of a municipality."""

    role = ForeignKeyField(ActorRole, primary_key=True, column_name="co_ator_papel")
    localidade = ForeignKeyField(Localidade, unique=True, column_name="co_localidade", backref="municipal_admin")

    class Meta:
        table_name = "tb_adm_municipal"


class MunicipalManager(BaseModel):
    """``tb_gestor_municipal``: access type "gestor municipal" (3.6.1)."""

    role = ForeignKeyField(ActorRole, primary_key=True, column_name="co_ator_papel")
    localidade = ForeignKeyField(Localidade, column_name="co_localidade", backref="+")

    class Meta:
        table_name = "tb_gestor_municipal"


class StateManager(BaseModel):
    """``tb_gestor_estadual``: access type "gestor estadual" (3.6.1)."""

    role = ForeignKeyField(ActorRole, primary_key=True, column_name="co_ator_papel")
    state = ForeignKeyField(State, column_name="co_uf", backref="+")

    class Meta:
        table_name = "tb_gestor_estadual"


# --------------------------------------------------------------------------------------------
# CBO, units, teams, lotações
# --------------------------------------------------------------------------------------------


class Cbo(BaseModel):
    """``tb_cbo``: an occupation of the CBO 2002 catalogue and its scheduling settings."""

    id = AutoField(column_name="co_cbo")
    code = CharField(max_length=6, unique=True, column_name="co_cbo_2002")
    name = CharField(max_length=200, index=True, column_name="no_cbo")
    available_for_lotacao = BooleanField(default=True, column_name="st_disponivel_lotacao")
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
    active = BooleanField(default=True, column_name="st_ativo")
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
    default = BooleanField(default=False, column_name="st_padrao")

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
    active = BooleanField(default=True, column_name="st_ativo")
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
    imported = BooleanField(default=False, column_name="st_importada")
    update_on_import = BooleanField(default=False, column_name="st_atualiza_perfil")
    unique_code = CharField(max_length=100, null=True, unique=True, column_name="co_unico_lotacao")
    microarea = CharField(max_length=10, null=True, column_name="nu_microarea")

    class Meta:
        table_name = "tb_lotacao"


# --------------------------------------------------------------------------------------------
# Profiles (3.6)
# --------------------------------------------------------------------------------------------


class Profile(BaseModel):
    """``tb_perfil``: an access profile (default or custom)."""

    # tp_perfil (3.6.1, Quadro 3.2)
    ADMINISTRATION = "ADMINISTRACAO"
    COORDINATION = "COORDENACAO"
    CARE = "ATENDIMENTO"
    MANAGER = "GESTOR"
    # tp_acesso
    ACCESS_LOTACAO = "LOTACAO"
    ACCESS_MUNICIPAL_MANAGER = "GESTOR_MUNICIPAL"
    ACCESS_STATE_MANAGER = "GESTOR_ESTADUAL"

    id = AutoField(column_name="co_seq_perfil")
    name = CharField(max_length=100, column_name="no_perfil")
    profile_type = CharField(max_length=20, column_name="tp_perfil")
    access_type = CharField(max_length=20, column_name="tp_acesso")
    default = BooleanField(default=False, column_name="st_padrao")
    active = BooleanField(default=True, column_name="st_ativo")
    localidade = ForeignKeyField(Localidade, null=True, column_name="co_localidade", backref="+")

    class Meta:
        table_name = "tb_perfil"


class Resource(BaseModel):
    """``tb_recurso``: a resource of the system, in a tree (3.6.4)."""

    id = AutoField(column_name="co_seq_recurso")
    key = CharField(max_length=100, unique=True, column_name="no_identificador")
    name = CharField(max_length=200, column_name="no_recurso")
    parent = ForeignKeyField("self", null=True, column_name="co_recurso_pai", backref="children")

    class Meta:
        table_name = "tb_recurso"


class ProfileResource(BaseModel):
    """``tb_perfil_recurso``: a resource (and permission) granted to a profile."""

    profile = ForeignKeyField(Profile, column_name="co_perfil", backref="resources")
    resource = ForeignKeyField(Resource, column_name="co_recurso", backref="+")
    permission = CharField(max_length=20, default="ACESSAR", column_name="tp_permissao")

    class Meta:
        table_name = "tb_perfil_recurso"
        primary_key = CompositeKey("profile", "resource", "permission")


class RoleProfile(BaseModel):
    """``rl_ator_papel_perfil``: profiles held by a role (a lotação or a manager access)."""

    role = ForeignKeyField(ActorRole, column_name="co_ator_papel", backref="profiles")
    profile = ForeignKeyField(Profile, column_name="co_perfil", backref="holders")

    class Meta:
        table_name = "rl_ator_papel_perfil"
        primary_key = CompositeKey("role", "profile")


class CboDefaultProfile(BaseModel):
    """``rl_perfil_cbo_padrao``: default profiles given by CBO (and unit group) on import."""

    profile = ForeignKeyField(Profile, column_name="co_perfil", backref="+")
    cbo = ForeignKeyField(Cbo, column_name="co_cbo", backref="+")
    unit_group = CharField(max_length=20, default="UBS", column_name="tp_grupo_unidade")

    class Meta:
        table_name = "rl_perfil_cbo_padrao"
        primary_key = CompositeKey("profile", "cbo", "unit_group")


# --------------------------------------------------------------------------------------------
# Agenda (3.5.5–3.5.7, 3.11.1)
# --------------------------------------------------------------------------------------------


class DefaultAgenda(BaseModel):
    """Default opening hours of a municipality, per weekday and period (3.11.1)."""

    id = AutoField(column_name="co_seq_cfg_agenda_padrao")
    localidade = ForeignKeyField(Localidade, column_name="co_localidade", backref="+")
    weekday = IntegerField(column_name="nu_dia_semana")  # 0 = Monday
    period = CharField(max_length=10, column_name="tp_periodo")  # MANHA, TARDE, NOITE
    start = CharField(max_length=5, column_name="hr_inicio")
    end = CharField(max_length=5, column_name="hr_fim")

    class Meta:
        table_name = "tb_cfg_agenda_padrao"
        indexes = ((("localidade", "weekday", "period"), True),)


class LotacaoAgenda(BaseModel):
    """Agenda configuration of one lotação (3.5.5)."""

    id = AutoField(column_name="co_seq_cfg_agenda_lotacao")
    lotacao = ForeignKeyField(Lotacao, column_name="co_lotacao", backref="agenda")
    weekday = IntegerField(column_name="nu_dia_semana")
    period = CharField(max_length=10, column_name="tp_periodo")
    start = CharField(max_length=5, column_name="hr_inicio")
    end = CharField(max_length=5, column_name="hr_fim")
    online = BooleanField(default=False, column_name="st_agenda_online")

    class Meta:
        table_name = "tb_cfg_agenda_lotacao"


class AgendaClosure(BaseModel):
    """``tb_fechamento_agenda``: dates a lotação's agenda is closed, with the reason (3.5.6)."""

    REASONS = ("ATESTADO", "CURSO", "FERIAS", "LICENCA", "REUNIAO", "OUTRO")

    id = AutoField(column_name="co_seq_fechamento_agenda")
    lotacao = ForeignKeyField(Lotacao, column_name="co_lotacao", backref="closures")
    start = DateField(column_name="dt_inicial")
    end = DateField(column_name="dt_final")
    reason = CharField(max_length=20, column_name="tp_motivo")
    details = CharField(max_length=200, null=True, column_name="ds_especifique")

    class Meta:
        table_name = "tb_fechamento_agenda"


# --------------------------------------------------------------------------------------------
# Gestão municipal (3.11): exam groups; RNDS certificate
# --------------------------------------------------------------------------------------------


class Exam(BaseModel):
    """``tb_exame``: an exam (SIGTAP procedure) that may be requested."""

    id = AutoField(column_name="co_seq_exame")
    sigtap = CharField(max_length=10, unique=True, column_name="co_sigtap")
    name = CharField(max_length=250, column_name="no_exame")
    sex = CharField(max_length=10, null=True, column_name="tp_sexo")
    min_age = IntegerField(null=True, column_name="nu_idade_minima")
    max_age = IntegerField(null=True, column_name="nu_idade_maxima")

    class Meta:
        table_name = "tb_exame"


class ExamGroup(BaseModel):
    """``tb_grupo_exame``: a named group of exams of a municipality (3.11.2)."""

    id = AutoField(column_name="co_seq_grupo_exame")
    name = CharField(max_length=100, column_name="no_grupo_exame")
    localidade = ForeignKeyField(Localidade, column_name="co_localidade", backref="+")

    class Meta:
        table_name = "tb_grupo_exame"


class ExamGroupExam(BaseModel):
    group = ForeignKeyField(ExamGroup, column_name="co_grupo_exame", backref="exams")
    exam = ForeignKeyField(Exam, column_name="co_exame", backref="+")

    class Meta:
        table_name = "rl_grupo_exame_exame"
        primary_key = CompositeKey("group", "exam")


class CertificateConfig(BaseModel):
    """``tb_cfg_certificado``: RNDS enablement of a municipality (3.11.4, 3.12.4)."""

    id = AutoField(column_name="co_seq_cfg_certificado")
    localidade = ForeignKeyField(Localidade, unique=True, column_name="co_localidade", backref="+")
    file_name = CharField(max_length=255, column_name="no_arquivo_certificado")
    encrypted_password = TextField(column_name="ds_senha_certificado")  # never in clear
    requester_id = CharField(max_length=100, column_name="ds_identificador_solicitante")
    enabled = BooleanField(default=False, column_name="st_habilitado")
    enabled_at = DateTimeField(null=True, column_name="dt_habilitacao")
    enabled_by = ForeignKeyField(User, null=True, column_name="co_usuario", backref="+")

    class Meta:
        table_name = "tb_cfg_certificado"


class Certificate(BaseModel):
    """What pec-tui saw of a file in the ``chaves`` folder (one row per fingerprint)."""

    id = AutoField(column_name="co_seq_certificado")
    file_name = CharField(max_length=255, column_name="no_arquivo")
    sha256 = CharField(max_length=64, unique=True, column_name="ds_sha256")
    subject = CharField(max_length=500, null=True, column_name="ds_titular")
    cnpj = CharField(max_length=14, null=True, column_name="nu_cnpj")
    cpf = CharField(max_length=11, null=True, column_name="nu_cpf")
    not_before = DateTimeField(null=True, column_name="dt_inicio_validade")
    not_after = DateTimeField(null=True, column_name="dt_fim_validade")
    seen_at = DateTimeField(column_name="dt_verificacao")

    class Meta:
        table_name = "pectui_certificado"


# --------------------------------------------------------------------------------------------
# Citizens and immunobiological lots (3.8, 3.10)
# --------------------------------------------------------------------------------------------


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
    mother_unknown = BooleanField(default=False, column_name="st_desconhece_mae")
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
    active = BooleanField(default=True, column_name="st_ativo")
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


# --------------------------------------------------------------------------------------------
# CNES import history (3.3)
# --------------------------------------------------------------------------------------------


class CnesImport(BaseModel):
    """``tb_importacao_cnes``: one import, its counts and its report."""

    id = AutoField(column_name="co_seq_importacao_cnes")
    localidade = ForeignKeyField(Localidade, column_name="co_localidade", backref="+")
    user = ForeignKeyField(User, null=True, column_name="co_usuario", backref="+")
    imported_at = DateTimeField(column_name="dt_importacao")
    file_name = CharField(max_length=255, column_name="no_arquivo")
    layout_version = CharField(max_length=10, column_name="nu_versao_layout")
    file_date = DateField(null=True, column_name="dt_arquivo")
    succeeded = BooleanField(default=True, column_name="st_sucesso")
    units = IntegerField(default=0, column_name="qt_unidades")
    teams = IntegerField(default=0, column_name="qt_equipes")
    professionals = IntegerField(default=0, column_name="qt_profissionais")
    lotacoes = IntegerField(default=0, column_name="qt_lotacoes")
    rejected = IntegerField(default=0, column_name="qt_nao_importados")
    report = TextField(null=True, column_name="ds_relatorio")  # JSON

    class Meta:
        table_name = "tb_importacao_cnes"


# --------------------------------------------------------------------------------------------
# Transmission (3.7): records to send, send batches, destinations, received batches
# --------------------------------------------------------------------------------------------


class Node(BaseModel):
    """``tb_nodo``: a destination of the transmission (3.7.3.1)."""

    id = AutoField(column_name="co_seq_nodo")
    name = CharField(max_length=200, column_name="no_instalacao")
    url = CharField(max_length=500, column_name="ds_url")
    active = BooleanField(default=True, column_name="st_ativo")
    builtin = BooleanField(default=False, column_name="st_padrao")  # MS / state centralizer
    last_test_at = DateTimeField(null=True, column_name="dt_ultimo_teste")
    last_test_ok = BooleanField(null=True, column_name="st_conexao_estabelecida")

    class Meta:
        table_name = "tb_nodo"


class TransportRecord(BaseModel):
    """``tb_dado_transp``: one record waiting to be sent (or already batched)."""

    id = AutoField(column_name="co_seq_dado_transp")
    uuid = CharField(max_length=44, unique=True, column_name="co_unico_dado_serializado")
    record_type = IntegerField(column_name="tp_dado_serializado")
    cnes = CharField(max_length=7, column_name="nu_cnes")
    ine = CharField(max_length=10, null=True, column_name="nu_ine")
    ibge = CharField(max_length=7, null=True, column_name="co_ibge")
    created_at = DateTimeField(column_name="dt_criacao")
    payload = BlobField(column_name="ds_dado_serializado")
    batched = BooleanField(default=False, index=True, column_name="st_em_lote")

    class Meta:
        table_name = "tb_dado_transp"


class SendBatch(BaseModel):
    """``tb_lote_transp``: a batch generated for sending (3.7.3.2)."""

    id = AutoField(column_name="co_seq_lote_transp")
    number = BigIntegerField(unique=True, column_name="nu_lote")
    generated_at = DateTimeField(column_name="dt_geracao")
    generated_by = ForeignKeyField(User, null=True, column_name="co_usuario", backref="+")
    manual = BooleanField(default=False, column_name="st_manual")
    auto_send = BooleanField(default=True, column_name="st_envio_automatico")
    records = IntegerField(default=0, column_name="qt_registros")

    class Meta:
        table_name = "tb_lote_transp"


class SendBatchItem(BaseModel):
    """``tb_lote_transp_item``."""

    batch = ForeignKeyField(SendBatch, column_name="co_lote_transp", backref="items")
    record = ForeignKeyField(TransportRecord, column_name="co_dado_transp", backref="+")

    class Meta:
        table_name = "tb_lote_transp_item"
        primary_key = CompositeKey("batch", "record")


class BatchDelivery(BaseModel):
    """One batch to one destination: its state and attempts (ours)."""

    PENDING = "PENDENTE"
    SENT = "ENVIADO"
    FAILED = "FALHA"

    id = AutoField(column_name="co_seq_envio")
    batch = ForeignKeyField(SendBatch, column_name="co_lote_transp", backref="deliveries")
    node = ForeignKeyField(Node, column_name="co_nodo", backref="deliveries")
    status = CharField(max_length=20, default=PENDING, column_name="st_envio")
    attempts = IntegerField(default=0, column_name="nu_tentativas")
    last_attempt_at = DateTimeField(null=True, column_name="dt_ultima_tentativa")
    next_attempt_at = DateTimeField(null=True, column_name="dt_proxima_tentativa")
    message = TextField(null=True, column_name="ds_mensagem")

    class Meta:
        table_name = "pectui_envio_lote"
        indexes = ((("batch", "node"), True),)


class ReceivedBatch(BaseModel):
    """``tb_recebimento_lote``: a batch received online or imported from a file (3.7.3.3)."""

    FILE = "ARQUIVO"
    ONLINE = "ONLINE"

    id = AutoField(column_name="co_seq_recebimento_lote")
    sender = CharField(max_length=200, column_name="no_responsavel_envio")
    received_at = DateTimeField(index=True, column_name="dt_recebimento")
    kind = CharField(max_length=10, column_name="tp_recebimento")
    file_name = CharField(max_length=255, null=True, column_name="no_arquivo")
    processed = BooleanField(default=False, column_name="st_processado")
    processed_at = DateTimeField(null=True, column_name="dt_processamento")
    records = IntegerField(default=0, column_name="qt_registros")
    errors = IntegerField(default=0, column_name="qt_inconsistencias")

    class Meta:
        table_name = "tb_recebimento_lote"


class ReceivedItem(BaseModel):
    """``tb_recebimento_item``: one record of a received batch."""

    id = AutoField(column_name="co_seq_recebimento_item")
    batch = ForeignKeyField(ReceivedBatch, column_name="co_recebimento_lote", backref="items")
    uuid = CharField(max_length=44, index=True, column_name="co_unico_dado_serializado")
    record_type = IntegerField(column_name="tp_dado_serializado")
    cnes = CharField(max_length=7, index=True, column_name="nu_cnes")
    processed = BooleanField(default=False, column_name="st_processado")
    payload = BlobField(null=True, column_name="ds_dado_serializado")

    class Meta:
        table_name = "tb_recebimento_item"


class ReceivedItemError(BaseModel):
    """``tb_recebimento_validacao_erros``: inconsistencies found in a received record."""

    id = AutoField(column_name="co_seq_recebimento_validacao_erro")
    item = ForeignKeyField(ReceivedItem, column_name="co_recebimento_item", backref="errors")
    message = TextField(column_name="ds_erro")

    class Meta:
        table_name = "tb_recebimento_validacao_erros"


# --------------------------------------------------------------------------------------------
# Audit (3.9) and access history
# --------------------------------------------------------------------------------------------


class AuditEvent(BaseModel):
    """``tb_auditoria_evento``: append-only, hash-chained (``ds_hash``, ours)."""

    id = AutoField(column_name="co_seq_auditoria_evento")
    user = ForeignKeyField(User, null=True, column_name="co_usuario", backref="+")
    at = DateTimeField(index=True, column_name="dt_evento")
    event_type = CharField(max_length=60, index=True, column_name="tp_evento")
    record_type = CharField(max_length=60, null=True, column_name="tp_registro_afetado")
    record_id = CharField(max_length=60, null=True, column_name="co_registro_afetado")
    component = CharField(max_length=100, column_name="ds_componente_gerador")
    details = TextField(null=True, column_name="ds_detalhes")
    chain_hash = CharField(max_length=64, column_name="ds_hash")

    class Meta:
        table_name = "tb_auditoria_evento"


class AccessHistory(BaseModel):
    """``tb_historico_acesso``: every login attempt."""

    id = AutoField(column_name="co_seq_historico_acesso")
    user = ForeignKeyField(User, null=True, column_name="co_usuario", backref="+")
    at = DateTimeField(column_name="dt_acesso")
    ip = CharField(max_length=45, null=True, column_name="co_ip")
    succeeded = BooleanField(column_name="st_sucesso")

    class Meta:
        table_name = "tb_historico_acesso"


class AuditTrailExport(BaseModel):
    """An audit trail generated by the Auditoria module (3.9, step 5): history of files."""

    id = AutoField(column_name="co_seq_trilha_auditoria")
    user = ForeignKeyField(User, column_name="co_usuario", backref="+")
    generated_at = DateTimeField(column_name="dt_geracao")
    filters = TextField(column_name="ds_filtros")  # JSON
    file_format = CharField(max_length=4, column_name="tp_formato")  # CSV | PDF
    path = CharField(max_length=500, column_name="ds_caminho")

    class Meta:
        table_name = "pectui_trilha_auditoria"


# --------------------------------------------------------------------------------------------
# Console-only: service toggles with timers, jobs, schema version
# --------------------------------------------------------------------------------------------


class ServiceToggle(BaseModel):
    """A service disabled until a moment (CADSUS, Hórus, internet, Agenda Online)."""

    service = CharField(primary_key=True, max_length=30, column_name="no_servico")
    disabled_at = DateTimeField(null=True, column_name="dt_desabilitacao")
    disabled_until = DateTimeField(null=True, column_name="dt_fim_desabilitacao")  # null = indefinite
    disabled_by = ForeignKeyField(User, null=True, column_name="co_usuario", backref="+")

    class Meta:
        table_name = "pectui_desabilitacao_servico"


class Job(BaseModel):
    """A scheduled job (batch generation, processing, transmission, backup)."""

    name = CharField(primary_key=True, max_length=40, column_name="no_job")
    schedule = CharField(max_length=100, column_name="ds_agenda")  # e.g. "diariamente 00:00"
    enabled = BooleanField(default=True, column_name="st_ativo")

    class Meta:
        table_name = "pectui_job"


class JobRun(BaseModel):
    """One execution of a job."""

    RUNNING = "EXECUTANDO"
    OK = "SUCESSO"
    FAILED = "FALHA"

    id = AutoField(column_name="co_seq_job_execucao")
    job = CharField(max_length=40, index=True, column_name="no_job")
    started_at = DateTimeField(index=True, column_name="dt_inicio")
    finished_at = DateTimeField(null=True, column_name="dt_fim")
    status = CharField(max_length=20, column_name="st_resultado")
    message = TextField(null=True, column_name="ds_mensagem")
    records = IntegerField(null=True, column_name="qt_registros")
    trigger = CharField(max_length=20, default="AGENDA", column_name="tp_disparo")  # AGENDA|MANUAL|CLI

    class Meta:
        table_name = "pectui_job_execucao"


class SchemaVersion(BaseModel):
    """Migrations applied to this database."""

    version = IntegerField(primary_key=True, column_name="nu_versao")
    applied_at = DateTimeField(column_name="dt_aplicacao")
    description = CharField(max_length=200, column_name="ds_descricao")

    class Meta:
        table_name = "pectui_versao_esquema"


#: Every model, in dependency order (creation order; reverse for dropping).
ALL_MODELS: tuple[type[BaseModel], ...] = (
    SystemConfig,
    State,
    Localidade,
    InstallationMunicipality,
    User,
    Professional,
    ProfessionalCnsHistory,
    ActorRole,
    InstallationAdmin,
    MunicipalAdmin,
    MunicipalManager,
    StateManager,
    Cbo,
    UnitType,
    HealthUnit,
    ServiceType,
    UnitServiceType,
    TeamType,
    Team,
    Lotacao,
    Profile,
    Resource,
    ProfileResource,
    RoleProfile,
    CboDefaultProfile,
    DefaultAgenda,
    LotacaoAgenda,
    AgendaClosure,
    Exam,
    ExamGroup,
    ExamGroupExam,
    CertificateConfig,
    Certificate,
    Citizen,
    Immunobiological,
    ImmunobiologicalManufacturer,
    ImmunobiologicalLot,
    Vaccination,
    CnesImport,
    Node,
    TransportRecord,
    SendBatch,
    SendBatchItem,
    BatchDelivery,
    ReceivedBatch,
    ReceivedItem,
    ReceivedItemError,
    AuditEvent,
    AccessHistory,
    AuditTrailExport,
    ServiceToggle,
    Job,
    JobRun,
    SchemaVersion,
)
