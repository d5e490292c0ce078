"""One page of a list that is paged in the database (domain level: no Textual, no peewee).

Every list a screen shows is asked for one page at a time: ``fetch(query, offset, limit,
**filters) -> Page``. The domain counts the matching rows and returns only the requested slice,
so no screen ever holds a whole table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """``rows`` of one page and ``total``, the number of rows matching the whole query."""

    rows: list[T] = field(default_factory=list)
    total: int = 0
    offset: int = 0
    limit: int = 0

    @property
    def page_number(self) -> int:
        """1-based number of this page (1 when the list is empty)."""
        if self.limit <= 0:
            return 1
        return self.offset // self.limit + 1

    @property
    def page_count(self) -> int:
        """How many pages the whole query has (at least 1, even when empty)."""
        if self.limit <= 0 or self.total <= 0:
            return 1
        return (self.total + self.limit - 1) // self.limit


def clamp_paging(offset: int, limit: int, *, max_limit: int = 500) -> tuple[int, int]:
    """A non-negative offset and a limit between 1 and ``max_limit`` (a screen never asks more)."""
    return max(0, int(offset)), max(1, min(int(limit), max_limit))
