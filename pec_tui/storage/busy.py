"""Who holds the SQLite database: a note a long writer leaves beside the file while it writes.

SQLite has one writer at a time. A long one (the CNES import, minutes on a large municipality)
makes every other writer wait, and one that gives up only gets "database is locked". Its
transaction cannot say who it is (nothing it writes is visible before its commit), so it leaves
a note beside the database file (``<file>-pec-tui-gravando.json``: what, since when, by whom,
which process) for as long as it writes; a writer that gives up reads it and says, in
Portuguese, what holds the database. The note is written to a temporary file and renamed, and a
note whose process no longer runs is ignored (a writer killed with ``kill -9``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

from peewee import Database, SqliteDatabase

from pec_tui.core import clock

NOTE_SUFFIX = "-pec-tui-gravando.json"


def note_path(db: Database) -> Path | None:
    """Where the note of ``db`` lives; None for PostgreSQL (its sessions say it themselves)."""
    if not isinstance(db, SqliteDatabase) or db.database in ("", ":memory:"):
        return None
    return Path(f"{db.database}{NOTE_SUFFIX}")


@contextlib.contextmanager
def announced_writer(db: Database, what: str, who: str | None, since: dt.datetime) -> Iterator[None]:
    """Leave the note "``what`` iniciada às ``since`` ``who``" while the block runs (SQLite only);
    ``who`` is the phrase that ends it ("por Helena Martins Duarte", "pela linha de comando")."""
    path = note_path(db)
    if path is None:
        yield
        return
    note = {"o_que": what, "quem": who, "desde": since.isoformat(timespec="minutes"), "pid": os.getpid()}
    note["maquina"] = socket.gethostname()
    written = False
    with contextlib.suppress(OSError):  # a note that cannot be written only costs the explanation
        handle, temporary = tempfile.mkstemp(prefix=".pec-tui-", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(note, out, ensure_ascii=False)
        os.replace(temporary, path)
        written = True
    try:
        yield
    finally:
        if written:
            with contextlib.suppress(OSError, ValueError):
                if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                    path.unlink()


def holder(db: Database) -> str | None:
    """ "a importação do CNES iniciada às 14:32 por Helena Martins Duarte", or None when no
    live writer left a note."""
    path = note_path(db)
    if path is None:
        return None
    try:
        note = json.loads(path.read_text(encoding="utf-8"))
        pid = int(note["pid"])
        since = dt.datetime.fromisoformat(note["desde"])
        what = str(note["o_que"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if note.get("maquina") == socket.gethostname() and not _running(pid):
        return None
    if since.date() == clock.now().date():
        text = f"{what} iniciada às {since:%H:%M}"
    else:
        text = f"{what} iniciada em {since:%d/%m/%Y} às {since:%H:%M}"
    who = note.get("quem")
    return f"{text} {who}" if who else text


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
