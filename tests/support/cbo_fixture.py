"""The shipped CBO catalogue in ``tb_cbo`` for a test, on both backends.

The first migration seeds ``tb_cbo`` (and the shipped default durations in ``tb_cbo_atend``) on
pec-tui's own database, so every test database has them; ``tests/support/postgres.py`` keeps both
as reference tables (a test that changes them makes the next one start from a new clone).

Import it into a test module: ``from tests.support.cbo_fixture import cbo_catalogue  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pec_tui.storage.models import Cbo


@pytest.fixture
def cbo_catalogue(db) -> Iterator[dict[str, int]]:
    """``tb_cbo`` holds the shipped catalogue with its shipped settings; yields code → id."""
    yield {cbo.code: cbo.id for cbo in Cbo.select(Cbo.id, Cbo.code)}
