"""Leases: one scheduler per database, one run of a job at a time.

A lease is a row of ``pectui.trava_agendador`` (holder's host, pid, token, since, valid until).
Its holder renews it every :data:`RENEW_SECONDS`; it is free once expired (:data:`TTL_SECONDS`),
or at once when its holder was on this host and its process is gone (``kill -9``). Taking a
lease is one transaction that reads the row and writes it (``SELECT … FOR UPDATE`` on
PostgreSQL, the write lock of ``BEGIN IMMEDIATE`` on SQLite), so two processes never both win.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass

from pec_tui.core import clock
from pec_tui.core.errors import PecError
from pec_tui.core.formatting import format_moment
from pec_tui.storage.database import current_database, is_postgres, transaction
from pec_tui.storage.models import JobLease

SCHEDULER = "agendador"
TTL_SECONDS = 45
RENEW_SECONDS = 15


def job_lease_name(job: str) -> str:
    return f"tarefa:{job}"


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    since: dt.datetime
    expires_at: dt.datetime

    def describe(self) -> str:
        return f"na máquina {self.host}, processo {self.pid}, desde {format_moment(self.since)}"


class LeaseTaken(PecError):
    def __init__(self, message: str, holder: Holder) -> None:
        super().__init__(message)
        self.holder = holder


def this_host() -> str:
    return socket.gethostname()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _live(row: JobLease, now: dt.datetime) -> bool:
    if row.expires_at <= now:
        return False
    return not (row.host == this_host() and not _process_alive(row.pid))


def _holder(row: JobLease) -> Holder:
    return Holder(row.host, row.pid, row.since, row.expires_at)


class Lease:
    """A lease this process holds (or tries to)."""

    def __init__(self, name: str, ttl_seconds: int = TTL_SECONDS) -> None:
        self.name = name
        self.ttl = dt.timedelta(seconds=ttl_seconds)
        self.token = uuid.uuid4().hex
        self.host = this_host()
        self.pid = os.getpid()

    def acquire(self, refused: str) -> None:
        """Take the lease or raise :class:`LeaseTaken` with ``refused`` + the holder."""
        with transaction():
            now = clock.now()
            JobLease.insert(
                name=self.name, host="", pid=0, token="", since=now, expires_at=now - dt.timedelta(seconds=1)
            ).on_conflict_ignore().execute()
            query = JobLease.select().where(JobLease.name == self.name)
            if is_postgres(current_database()):
                query = query.for_update()
            row = query.get()
            if row.token != self.token and _live(row, now):
                holder = _holder(row)
                raise LeaseTaken(f"{refused} {holder.describe()}.", holder)
            JobLease.update(host=self.host, pid=self.pid, token=self.token, since=now, expires_at=now + self.ttl).where(
                JobLease.name == self.name
            ).execute()

    def renew(self) -> bool:
        """Extend the lease; False when it was lost (expired and taken by another)."""
        with transaction():
            now = clock.now()
            changed = (
                JobLease.update(expires_at=now + self.ttl)
                .where((JobLease.name == self.name) & (JobLease.token == self.token))
                .execute()
            )
        return changed == 1

    def release(self) -> None:
        with transaction():
            JobLease.delete().where((JobLease.name == self.name) & (JobLease.token == self.token)).execute()


def holder(name: str) -> Holder | None:
    """Who holds lease ``name`` now, or None."""
    row = JobLease.get_or_none(JobLease.name == name)
    if row is None or not row.token or not _live(row, clock.now()):
        return None
    return _holder(row)
