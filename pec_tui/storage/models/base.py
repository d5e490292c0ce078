"""The bases every model derives from, bound to :data:`~pec_tui.storage.proxy.database_proxy`.

- :class:`BaseModel`: a table of PEC's (``tb_*``, ``rl_*``), named and shaped as PEC defines it.
  On a PEC installation pec-tui never creates, alters or indexes these.
- :class:`OwnModel`: a table of pec-tui's own state. On PostgreSQL it lives in the schema
  ``pectui`` (``pectui.evento_auditoria``); on SQLite, which has no schemas, the same table is
  ``pectui_evento_auditoria``. :func:`bind_backend` places every own model at open.
- :class:`ForeignKeyField`: a foreign key whose raw id reads as ``<name>_id``.
- :class:`ReferenceField`: a reference from an own table to a PEC row, with no constraint: a
  foreign key constraint would put PostgreSQL's triggers on PEC's table (altering PEC's schema,
  and making PEC's deletes wait on our tables).
"""

from __future__ import annotations

from peewee import AutoField, Model
from peewee import ForeignKeyField as _PeeweeForeignKey

from pec_tui.storage.proxy import database_proxy

#: pec-tui's own schema on PostgreSQL; the table prefix on SQLite.
OWN_SCHEMA = "pectui"


class ForeignKeyField(_PeeweeForeignKey):
    """A foreign key whose raw id reads as ``<name>_id`` (``lotacao.unit_id``), whatever
    PEC's column is called (``co_unidade_saude``)."""

    def bind(self, model, name, set_attribute=True):
        if not self.object_id_name:
            self.object_id_name = f"{name}_id"
        super().bind(model, name, set_attribute)


class ReferenceField(ForeignKeyField):
    """A reference from one of pec-tui's tables to a row of PEC's, joined like a foreign key
    but created with no constraint (see the module's text)."""

    def __init__(self, model, **kwargs):
        kwargs.setdefault("backref", "+")
        super().__init__(model, _deferred=True, **kwargs)


class BaseModel(Model):
    """A table of PEC's. A row saved without a key takes the next one from PEC's sequence for
    the table (``seq_<table>``; see :mod:`pec_tui.storage.sequences`), as PEC's own program
    does; keys of reference tables (UFs, CBO, types) are given explicitly."""

    class Meta:
        database = database_proxy
        legacy_table_names = False

    @classmethod
    def keyed_by_sequence(cls) -> bool:
        """Whether the key is a ``co_seq_*`` column filled from a sequence."""
        key = cls._meta.primary_key
        return (
            not isinstance(key, AutoField)
            and getattr(key, "column_name", "").startswith("co_seq_")
            and not isinstance(key, _PeeweeForeignKey)
        )

    def save(self, force_insert=False, only=None):
        if self._pk is None and self.keyed_by_sequence():
            from pec_tui.storage.sequences import next_id

            self._pk = next_id(database_proxy.obj, type(self))
            force_insert = True
        return super().save(force_insert=force_insert, only=only)


class OwnModel(BaseModel):
    """A table of pec-tui's own; ``Meta.table_name`` is its name inside the ``pectui`` schema."""

    #: Every own model, filled as they are defined (see :func:`bind_backend`).
    registry: list[type[OwnModel]] = []

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        OwnModel.registry.append(cls)


def _place(model: type[OwnModel], *, postgres: bool) -> None:
    if "_own_name" not in model.__dict__:
        model._own_name = model._meta.table_name
    if postgres:
        model._meta.schema = OWN_SCHEMA
        model._meta.set_table_name(model._own_name)
    else:
        model._meta.schema = None
        model._meta.set_table_name(f"{OWN_SCHEMA}_{model._own_name}")


def bind_backend(*, postgres: bool) -> None:
    """Place pec-tui's own tables for the backend being opened (schema ``pectui`` on PostgreSQL,
    ``pectui_`` prefix on SQLite)."""
    for model in OwnModel.registry:
        _place(model, postgres=postgres)
