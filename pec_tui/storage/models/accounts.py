"""Users, professionals and their roles (actor roles; installation and municipal
administrators), as PEC defines them; the CNS history is pec-tui's own."""

from __future__ import annotations

from peewee import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    IntegerField,
)

from pec_tui.storage.fields import FlagField
from pec_tui.storage.models.base import BaseModel, ForeignKeyField, OwnModel, ReferenceField
from pec_tui.storage.models.installation import Localidade, State


class User(BaseModel):
    """``tb_usuario``: a login (the CPF) and its password state.

    PEC has two "must change the password" flags: ``st_trocar_senha`` (a new or reset password)
    and ``st_forcar_troca_senha`` (forced by the administrator); pec-tui sets both together and
    reads either (:attr:`must_change`)."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_usuario")
    blocked = FlagField(default=False, column_name="st_bloqueado")
    password_hash = CharField(max_length=255, null=True, column_name="ds_senha")
    change_password = FlagField(default=False, column_name="st_trocar_senha")
    actor = BigIntegerField(null=True, column_name="co_ator")
    password_changed_at = DateField(null=True, column_name="dt_ultima_atualizacao_senha")
    accepted_terms = FlagField(null=True, column_name="st_termo_uso")
    must_change_password = FlagField(default=False, column_name="st_forcar_troca_senha")
    failed_attempts = IntegerField(default=0, column_name="nr_tentativas_acesso")
    login = CharField(max_length=255, null=True, unique=True, column_name="ds_login")
    recovery_email_sent_at = DateTimeField(null=True, column_name="dt_envio_email_recuperar_senha")
    seen_news = FlagField(null=True, column_name="st_visualizou_novidades")
    answered_survey = FlagField(null=True, column_name="st_pesquisa_respondida")
    first_login_of_version_at = DateTimeField(null=True, column_name="dt_primeiro_login_versao")
    survey_answered_at = DateTimeField(null=True, column_name="dt_pesquisa_respondida")

    class Meta:
        table_name = "tb_usuario"

    @property
    def must_change(self) -> bool:
        return bool(self.must_change_password or self.change_password)


class CouncilClass(BaseModel):
    """``tb_conselho_classe``: professional councils (CRM, COREN…)."""

    id = BigIntegerField(primary_key=True, column_name="co_conselho_classe")
    acronym = CharField(max_length=255, null=True, column_name="sg_conselho_classe")
    name = CharField(max_length=200, null=True, column_name="no_conselho_classe")
    short_name = CharField(max_length=400, null=True, column_name="no_curto_conselho")
    name_filter = CharField(max_length=255, null=True, column_name="no_conselho_classe_filtro")

    class Meta:
        table_name = "tb_conselho_classe"


class Professional(BaseModel):
    """``tb_prof``: a professional; every active professional is a user of the system."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_prof")
    council_registry = CharField(max_length=100, null=True, column_name="nu_conselho_classe")
    council_state = ForeignKeyField(
        State, null=True, index=False, column_name="co_uf_emissora_conselho_classe", backref="+"
    )
    council = ForeignKeyField(CouncilClass, null=True, index=False, column_name="co_conselho_classe", backref="+")
    cpf = CharField(max_length=11, null=True, unique=True, column_name="nu_cpf")
    cns = CharField(max_length=16, null=True, index=True, column_name="nu_cns")
    name = CharField(max_length=500, null=True, column_name="no_profissional")
    name_filter = CharField(max_length=600, null=True, index=True, column_name="no_profissional_filtro")
    birth_date = DateField(null=True, column_name="dt_nascimento")
    phone = CharField(max_length=255, null=True, column_name="nu_telefone")
    email = CharField(max_length=255, null=True, column_name="ds_email")
    # Residential address (3.5.1).
    cep = CharField(max_length=8, null=True, column_name="ds_cep")
    address_complement = CharField(max_length=50, null=True, column_name="ds_complemento")
    reference_point = CharField(max_length=100, null=True, column_name="ds_ponto_referencia")
    address = CharField(max_length=150, null=True, column_name="ds_logradouro")
    address_state = ForeignKeyField(State, null=True, index=False, column_name="co_uf", backref="+")
    address_localidade = ForeignKeyField(
        Localidade, null=True, index=False, column_name="co_localidade_endereco", backref="+"
    )
    address_number = CharField(max_length=20, null=True, column_name="nu_numero")
    no_number = FlagField(null=True, column_name="st_sem_numero")
    district = CharField(max_length=255, null=True, column_name="no_bairro")
    district_filter = CharField(max_length=255, null=True, column_name="no_bairro_filtro")
    street_type = BigIntegerField(null=True, column_name="tp_logradouro")
    user = ForeignKeyField(User, null=True, unique=True, column_name="co_usuario", backref="professional")
    sex = CharField(max_length=24, null=True, column_name="no_sexo")

    class Meta:
        table_name = "tb_prof"


class ProfessionalCnsHistory(OwnModel):
    """``pectui.prof_historico_cns``: every CNS a professional has had (one CNS, one
    professional). PEC keeps no such history."""

    professional = ReferenceField(Professional, column_name="co_prof", backref="cns_history")
    cns = CharField(max_length=16, index=True, column_name="nu_cns")

    class Meta:
        table_name = "prof_historico_cns"
        primary_key = False
        indexes = ((("co_prof", "nu_cns"), True),)


class ActorRole(BaseModel):
    """``tb_ator_papel``: a role a professional acts in (administrator, manager, lotação)."""

    INSTALLATION_ADMIN = "ADMINISTRADOR_GERAL"
    MUNICIPAL_ADMIN = "ADMINISTRADOR_MUNICIPAL"
    MUNICIPAL_MANAGER = "GESTOR_MUNICIPAL"
    STATE_MANAGER = "GESTOR_ESTADUAL"
    LOTACAO = "LOTACAO"

    id = BigIntegerField(primary_key=True, column_name="co_seq_ator_papel")
    kind = CharField(max_length=100, null=True, column_name="no_tipo_ator_papel")
    professional = ForeignKeyField(Professional, null=True, column_name="co_prof", backref="roles")
    start_module = CharField(max_length=255, null=True, column_name="ds_modulo_inicial")
    active = FlagField(null=True, default=True, column_name="st_ativo")

    class Meta:
        table_name = "tb_ator_papel"


class InstallationAdmin(BaseModel):
    """``tb_adm_geral``: the installation administrator (one per installation)."""

    role = ForeignKeyField(ActorRole, primary_key=True, column_name="co_ator_papel")
    installation_finished = FlagField(null=True, column_name="st_instalacao_terminada")

    class Meta:
        table_name = "tb_adm_geral"


class MunicipalAdmin(BaseModel):
    """``tb_adm_municipal``: the one responsible (municipal administrator) of a municipality."""

    role = ForeignKeyField(ActorRole, primary_key=True, column_name="co_ator_papel")
    localidade = ForeignKeyField(Localidade, null=True, column_name="co_localidade", backref="municipal_admin")
    authorization = CharField(max_length=225, null=True, column_name="ds_autorizacao")
    installation_finished = FlagField(null=True, column_name="st_instalacao_terminada")
    deactivated_at = DateTimeField(null=True, column_name="dt_inativacao")
    added_at = DateTimeField(null=True, column_name="dt_adicao")

    class Meta:
        table_name = "tb_adm_municipal"
