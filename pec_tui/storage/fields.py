"""Column types as PEC declares them.

PEC keeps every ``st_*`` flag as an ``integer`` 0/1 (never a boolean): ``WHERE st_ativo = 1``.
:class:`FlagField` stores 0/1 and gives Python ``bool`` back, so the domain writes
``Model.active == True`` and the database sees ``st_ativo = 1`` on both backends.
"""

from __future__ import annotations

from typing import Any

from peewee import IntegerField


class FlagField(IntegerField):
    """An ``integer`` 0/1 flag, read and written as ``bool`` (``None`` where the column allows it)."""

    def db_value(self, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool | int):
            if value not in (0, 1):
                raise ValueError(f"{self.column_name}: só 0 ou 1, não {value!r}")
            return int(value)
        raise TypeError(f"{self.column_name}: flag is bool, got {type(value).__name__}")

    def python_value(self, value: Any) -> bool | None:
        return None if value is None else bool(value)
