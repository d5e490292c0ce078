"""Transmission (3.7): records to send, send batches, destinations, received batches."""

from __future__ import annotations

from peewee import (
    AutoField,
    BigIntegerField,
    BlobField,
    CharField,
    CompositeKey,
    DateTimeField,
    IntegerField,
    TextField,
)

from pec_tui.storage.fields import FlagField
from pec_tui.storage.models.accounts import User
from pec_tui.storage.models.base import BaseModel, ForeignKeyField


class Node(BaseModel):
    """``tb_nodo``: a destination of the transmission (3.7.3.1)."""

    id = AutoField(column_name="co_seq_nodo")
    name = CharField(max_length=200, column_name="no_instalacao")
    url = CharField(max_length=500, column_name="ds_url")
    active = FlagField(default=True, column_name="st_ativo")
    builtin = FlagField(default=False, column_name="st_padrao")  # MS / state centralizer
    last_test_at = DateTimeField(null=True, column_name="dt_ultimo_teste")
    last_test_ok = FlagField(null=True, column_name="st_conexao_estabelecida")

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
    batched = FlagField(default=False, index=True, column_name="st_em_lote")

    class Meta:
        table_name = "tb_dado_transp"


class SendBatch(BaseModel):
    """``tb_lote_transp``: a batch generated for sending (3.7.3.2)."""

    id = AutoField(column_name="co_seq_lote_transp")
    number = BigIntegerField(unique=True, column_name="nu_lote")
    generated_at = DateTimeField(column_name="dt_geracao")
    generated_by = ForeignKeyField(User, null=True, column_name="co_usuario", backref="+")
    manual = FlagField(default=False, column_name="st_manual")
    auto_send = FlagField(default=True, column_name="st_envio_automatico")
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
    processed = FlagField(default=False, column_name="st_processado")
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
    processed = FlagField(default=False, column_name="st_processado")
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
