"""The shipped CBO catalogue in ``tb_cbo`` for a test, on both backends.

Migration 2 seeds ``tb_cbo``, so a SQLite test database (a copy of the migrated template) has the
catalogue; the PostgreSQL one does not, because ``tests/support/postgres.py`` empties every table but its
``REFERENCE_TABLES`` before each test. This fixture seeds it (a no-op on SQLite), restores the
shipped settings (available, default duration) and, on PostgreSQL, puts ``tb_cbo``'s sequence back
afterwards so the database's fingerprint still matches a fresh database (no re-clone).

Import it into a test module: ``from tests.support.cbo_fixture import cbo_catalogue  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pec_tui.storage.database import is_postgres, transaction
from pec_tui.storage.migrations import read_cbo_catalogue, seed_cbo_catalogue
from pec_tui.storage.models import Cbo


def _restore_settings() -> None:
    minutes = {row["code"]: row["appointment_minutes"] for row in read_cbo_catalogue()}
    with transaction():
        Cbo.update(available_for_lotacao=True, appointment_minutes=None).execute()
        for code, value in minutes.items():
            if value is not None:
                Cbo.update(appointment_minutes=value).where(Cbo.code == code).execute()


@pytest.fixture
def cbo_catalogue(db) -> Iterator[dict[str, int]]:
    """``tb_cbo`` holds the shipped catalogue with its shipped settings; yields code → id."""
    sequence = sequence_value = None
    if is_postgres(db.db):
        sequence = db.db.execute_sql("SELECT pg_get_serial_sequence('tb_cbo', 'co_cbo')").fetchone()[0]
        sequence_value = db.db.execute_sql(f"SELECT last_value, is_called FROM {sequence}").fetchone()
    with transaction():
        seed_cbo_catalogue()
    _restore_settings()
    yield {cbo.code: cbo.id for cbo in Cbo.select(Cbo.id, Cbo.code)}
    if sequence_value is not None and not db.db.is_closed():
        last_value, is_called = sequence_value
        db.db.execute_sql("SELECT setval(%s, %s, %s)", (sequence, last_value, is_called))
