"""Users, professionals and their roles (actor roles; installation and municipal administrators,
managers)."""

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
from pec_tui.storage.models.installation import Localidade, State


class User(BaseModel):
    """``tb_usuario``: a login (the CPF) and its password state."""

    id = AutoField(column_name="co_seq_usuario")
    login = CharField(max_length=11, unique=True, column_name="ds_login")
    password_hash = CharField(max_length=200, null=True, column_name="ds_senha")
    blocked = FlagField(default=False, column_name="st_bloqueado")
    failed_attempts = IntegerField(default=0, column_name="nr_tentativas_acesso")
    must_change_password = FlagField(default=False, column_name="st_forcar_troca_senha")
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
    imported = FlagField(default=False, column_name="st_importado_cnes")
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
    active = FlagField(default=True, column_name="st_ativo")

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
