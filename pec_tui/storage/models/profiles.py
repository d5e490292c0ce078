"""Access profiles (3.6): profiles, the resources they grant, who holds them, defaults by CBO."""

from __future__ import annotations

from peewee import (
    AutoField,
    CharField,
    CompositeKey,
)

from pec_tui.storage.fields import FlagField
from pec_tui.storage.models.accounts import ActorRole
from pec_tui.storage.models.base import BaseModel, ForeignKeyField
from pec_tui.storage.models.installation import Localidade
from pec_tui.storage.models.units import Cbo


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
    default = FlagField(default=False, column_name="st_padrao")
    active = FlagField(default=True, column_name="st_ativo")
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
