"""Audit (3.9): PEC's own event table, and pec-tui's hash-chained trail and access history.

PEC's ``tb_auditoria_evento`` keys its event and record types with integer codes whose table
is not in PEC's database (they are constants of PEC's program); pec-tui does not guess them, so
its own events — chained, tamper-evident — live in ``pectui.evento_auditoria``. PEC's table is
modelled for reading."""

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
from pec_tui.storage.models.accounts import User
from pec_tui.storage.models.base import BaseModel, OwnModel, ReferenceField


class PecAuditEvent(BaseModel):
    """``tb_auditoria_evento``: PEC's own audit events (read only)."""

    id = BigIntegerField(primary_key=True, column_name="co_seq_auditoria_evento")
    at = DateTimeField(null=True, column_name="dt_evento")
    event_type = IntegerField(null=True, column_name="tp_evento")
    component = CharField(max_length=1000, null=True, column_name="ds_componente_gerador")
    user = BigIntegerField(null=True, column_name="co_usuario")
    details = TextField(null=True, column_name="ds_detalhes")
    record_type = IntegerField(null=True, column_name="tp_registro_afetado")
    record_id = TextField(null=True, column_name="co_registro_afetado")

    class Meta:
        table_name = "tb_auditoria_evento"


class AuditEvent(OwnModel):
    """``pectui.evento_auditoria``: pec-tui's events, append-only, hash-chained (``ds_hash``)."""

    id = AutoField(column_name="co_seq_evento_auditoria")
    user = ReferenceField(User, null=True, column_name="co_usuario")
    at = DateTimeField(index=True, column_name="dt_evento")
    event_type = CharField(max_length=60, index=True, column_name="tp_evento")
    record_type = CharField(max_length=60, null=True, column_name="tp_registro_afetado")
    record_id = CharField(max_length=60, null=True, column_name="co_registro_afetado")
    component = CharField(max_length=100, column_name="ds_componente_gerador")
    details = TextField(null=True, column_name="ds_detalhes")
    chain_hash = CharField(max_length=64, column_name="ds_hash")

    class Meta:
        table_name = "evento_auditoria"


class AccessHistory(OwnModel):
    """``pectui.historico_acesso``: every login attempt on the console."""

    id = AutoField(column_name="co_seq_historico_acesso")
    user = ReferenceField(User, null=True, column_name="co_usuario")
    at = DateTimeField(column_name="dt_acesso")
    ip = CharField(max_length=45, null=True, column_name="co_ip")
    succeeded = FlagField(column_name="st_sucesso")

    class Meta:
        table_name = "historico_acesso"
