"""The base every model derives from, bound to :data:`~pec_tui.storage.proxy.database_proxy`,
and the foreign key whose raw id reads as ``<name>_id``."""

from __future__ import annotations

from peewee import ForeignKeyField as _PeeweeForeignKey
from peewee import Model

from pec_tui.storage.proxy import database_proxy


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
