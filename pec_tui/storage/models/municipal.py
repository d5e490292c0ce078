"""Gestão municipal (3.11): exam groups; the RNDS certificate."""

from __future__ import annotations

from peewee import (
    AutoField,
    CharField,
    CompositeKey,
    DateTimeField,
    IntegerField,
    TextField,
)

from pec_tui.storage.fields import FlagField
from pec_tui.storage.models.accounts import User
from pec_tui.storage.models.base import BaseModel, ForeignKeyField
from pec_tui.storage.models.installation import Localidade


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
    enabled = FlagField(default=False, column_name="st_habilitado")
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
