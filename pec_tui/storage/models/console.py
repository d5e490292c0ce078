"""pec-tui's own console tables: service toggles with timers, job runs, schema version."""

from __future__ import annotations

from peewee import (
    AutoField,
    CharField,
    DateTimeField,
    IntegerField,
    TextField,
)

from pec_tui.storage.models.accounts import User
from pec_tui.storage.models.base import OwnModel, ReferenceField


class ServiceToggle(OwnModel):
    """A service disabled until a moment (CADSUS, Hórus, internet, Agenda Online)."""

    service = CharField(primary_key=True, max_length=30, column_name="no_servico")
    disabled_at = DateTimeField(null=True, column_name="dt_desabilitacao")
    disabled_until = DateTimeField(null=True, column_name="dt_fim_desabilitacao")  # null = indefinite
    disabled_by = ReferenceField(User, null=True, column_name="co_usuario")

    class Meta:
        table_name = "desabilitacao_servico"


class JobRun(OwnModel):
    """One execution of a job."""

    RUNNING = "EXECUTANDO"
    OK = "SUCESSO"
    FAILED = "FALHA"
    SKIPPED = "IGNORADA"  # not started: the job was still running (overrun) or held elsewhere

    id = AutoField(column_name="co_seq_job_execucao")
    job = CharField(max_length=40, index=True, column_name="no_job")
    started_at = DateTimeField(index=True, column_name="dt_inicio")
    finished_at = DateTimeField(null=True, column_name="dt_fim")
    status = CharField(max_length=20, column_name="st_resultado")
    message = TextField(null=True, column_name="ds_mensagem")
    records = IntegerField(null=True, column_name="qt_registros")
    trigger = CharField(max_length=20, default="AGENDA", column_name="tp_disparo")  # AGENDA|MANUAL|CLI

    class Meta:
        table_name = "job_execucao"


class JobLease(OwnModel):
    """Who holds a lock of the scheduler (``agendador``) or of one job (``tarefa:<nome>``), until when.

    A lease, not a session lock: it is renewed while its holder lives and expires when it stops
    renewing (``kill -9``, a host down), so the next holder takes over without anyone cleaning up."""

    name = CharField(primary_key=True, max_length=60, column_name="no_trava")
    host = CharField(max_length=255, column_name="no_maquina")
    pid = IntegerField(column_name="nu_pid")
    token = CharField(max_length=40, column_name="ds_token")
    since = DateTimeField(column_name="dt_inicio")
    expires_at = DateTimeField(column_name="dt_validade")

    class Meta:
        table_name = "trava_agendador"


class SchemaVersion(OwnModel):
    """Migrations of pec-tui's own schema applied to this database."""

    version = IntegerField(primary_key=True, column_name="nu_versao")
    applied_at = DateTimeField(column_name="dt_aplicacao")
    description = CharField(max_length=200, column_name="ds_descricao")

    class Meta:
        table_name = "versao_esquema"
