"""Read-only queries of the host doctor (:mod:`pec_tui.domain.diagnostico`) that the models cannot express:
the database's size and data directory, PEC's Liquibase lock, CNS shared by professionals.

Every function runs one or two plain ``SELECT`` statements in autocommit mode (a failed query
does not poison the next one) and returns plain Python values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from .bulk.writer import quoted_table
from .database import current_database, is_postgres
from .models import ProfessionalCnsHistory

LIQUIBASE_LOCK_TABLE = "databasechangeloglock"


def database_size() -> int:
    """Bytes the database takes: ``pg_database_size`` on PostgreSQL, the file (with its WAL) on SQLite."""
    db = current_database()
    if is_postgres(db):
        return int(db.execute_sql("SELECT pg_database_size(current_database())").fetchone()[0])
    path = sqlite_path()
    total = 0
    for suffix in ("", "-wal"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            total += candidate.stat().st_size
    return total


def sqlite_path() -> Path:
    db = current_database()
    assert isinstance(db, SqliteDatabase)
    return Path(db.database).resolve()


def data_directory() -> str:
    """PostgreSQL's ``data_directory`` (needs superuser or ``pg_read_all_settings``; raises otherwise)."""
    return str(current_database().execute_sql("SHOW data_directory").fetchone()[0])


@dataclass(frozen=True)
class LiquibaseLock:
    locked: bool
    granted_at: dt.datetime | None
    locked_by: str | None


def liquibase_lock() -> LiquibaseLock | None:
    """The row of ``databasechangeloglock`` (``None`` when the table does not exist or is empty).

    Liquibase creates the table with unquoted names, so on PostgreSQL the columns are lower case.
    """
    db = current_database()
    if not db.table_exists(LIQUIBASE_LOCK_TABLE):
        return None
    rows = db.execute_sql(
        f"SELECT locked, lockgranted, lockedby FROM {LIQUIBASE_LOCK_TABLE} ORDER BY locked DESC, id"
    ).fetchall()
    if not rows:
        return None
    locked, granted, by = rows[0]
    return LiquibaseLock(_truthy(locked), _as_datetime(granted), str(by) if by is not None else None)


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "t", "true", "y", "s"}
    return bool(value)


def _as_datetime(value: object) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    try:
        return dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class SharedCns:
    cns: str
    professionals: tuple[tuple[int, str], ...]  # (co_seq_prof, no_profissional), by name


def _cns_pairs() -> str:
    history = quoted_table(ProfessionalCnsHistory)  # pec-tui's own: "pectui"."prof_historico_cns"
    return f"""
    SELECT nu_cns, co_prof FROM {history} WHERE nu_cns IS NOT NULL AND nu_cns <> ''
    UNION
    SELECT nu_cns, co_seq_prof FROM tb_prof WHERE nu_cns IS NOT NULL AND nu_cns <> ''
"""


def shared_cns(limit: int = 50) -> list[SharedCns]:
    """CNS numbers that belong to more than one professional, in pec-tui's CNS history or
    ``tb_prof.nu_cns`` (PEC then shows one professional's name on the other's records)."""
    db = current_database()
    pairs = _cns_pairs()
    rows = db.execute_sql(
        f"""
        SELECT pairs.nu_cns, prof.co_seq_prof, prof.no_profissional
          FROM ({pairs}) pairs
          JOIN tb_prof prof ON prof.co_seq_prof = pairs.co_prof
         WHERE pairs.nu_cns IN (
               SELECT shared.nu_cns FROM ({pairs}) shared
                GROUP BY shared.nu_cns HAVING COUNT(DISTINCT shared.co_prof) > 1
                ORDER BY shared.nu_cns LIMIT {int(limit)})
         ORDER BY pairs.nu_cns, prof.no_profissional, prof.co_seq_prof
        """
    ).fetchall()
    grouped: dict[str, list[tuple[int, str]]] = {}
    for cns, prof_id, name in rows:
        grouped.setdefault(str(cns), []).append((int(prof_id), str(name)))
    return [SharedCns(cns, tuple(people)) for cns, people in grouped.items()]
