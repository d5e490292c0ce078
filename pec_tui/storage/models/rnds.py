"""``tb_cfg_rnds``: the municipality's Configuração RNDS (manual 3.11.4), as PEC defines it.

One row per municipality while its access to RNDS is enabled: the certificate's file name in
``webserver/chaves``, its password (PEC's own encryption on a PEC installation), the
"Identificador solicitante" and the certificate's expiry."""

from __future__ import annotations

from peewee import BigIntegerField, CharField, DateTimeField

from pec_tui.storage.models.accounts import MunicipalAdmin
from pec_tui.storage.models.base import BaseModel, ForeignKeyField
from pec_tui.storage.models.installation import Localidade


class RndsConfig(BaseModel):
    id = BigIntegerField(primary_key=True, column_name="co_seq_cfg_rnds")
    localidade = ForeignKeyField(Localidade, column_name="co_localidade")
    municipal_admin = ForeignKeyField(MunicipalAdmin, column_name="co_ator_papel")
    certificate_name = CharField(max_length=255, column_name="no_certificado")
    certificate_password = CharField(max_length=255, column_name="ds_senha_certificado")
    included_at = DateTimeField(column_name="dt_inclusao")
    enabled_at = DateTimeField(column_name="dt_habilitacao")
    certificate_valid_until = DateTimeField(column_name="dt_validade_certificado")
    requester_id = CharField(max_length=255, column_name="co_identificador_solicitante")

    class Meta:
        table_name = "tb_cfg_rnds"
