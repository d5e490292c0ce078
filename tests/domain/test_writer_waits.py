"""A long writer (the CNES import) and everyone else (issue 11, item 6).

SQLite has one writer at a time: a login or a second import started during an import waits (a
save, as long as a large import takes), and one that gives up says in Portuguese what holds the
database, never "database is locked". PostgreSQL has no such lock: a login during an import
goes through at once. The import is held open mid-transaction by its own progress callback.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pec_tui.core.errors import DatabaseBusyError, PecError
from pec_tui.demo.cnes_export import build_small_cnes, sample_professional, sample_unit
from pec_tui.domain import accounts, settings
from pec_tui.domain.accounts import authenticate
from pec_tui.domain.cnes.importer import import_cnes
from pec_tui.storage import database, errors
from pec_tui.storage.busy import NOTE_SUFFIX
from pec_tui.storage.database import is_postgres, transaction
from pec_tui.storage.models import CnesImport, HealthUnit, User
from tests.support.constants import ADMIN_CPF, ADMIN_NAME, ADMIN_PASSWORD, MUNICIPALITY_IBGE

ONLY_SQLITE = pytest.mark.parametrize("db", ["sqlite"], indirect=True)
ONLY_POSTGRES = pytest.mark.parametrize("db", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)

HELD = f"a importação do CNES iniciada às 09:00 por {ADMIN_NAME}"


class HeldImport:
    """An import running in its own thread and connection, stopped inside its transaction."""

    def __init__(self, db, path: Path, user_id: int) -> None:
        self.db = db
        self.inside = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(path, user_id))

    def _progress(self, _progress) -> None:
        if not self.inside.is_set():
            self.inside.set()
            self.release.wait(timeout=60)

    def _run(self, path: Path, user_id: int) -> None:
        try:
            import_cnes(path, localidade_id=None, user_id=user_id, progress=self._progress)
        except BaseException as exc:
            self.error = exc
        finally:
            self.db.db.close()

    def __enter__(self) -> HeldImport:
        self.thread.start()
        assert self.inside.wait(timeout=60), self.error
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release.set()
        self.thread.join(timeout=60)
        assert self.error is None, self.error


@pytest.fixture
def export(tmp_path) -> Path:
    path = tmp_path / "XmlParaESUS31_420420.xml"
    path.write_bytes(build_small_cnes([sample_unit(0)], [sample_professional(0)], ibge=MUNICIPALITY_IBGE))
    return path


@pytest.fixture
def admin_id(db, installation) -> int:
    return User.get(User.login == ADMIN_CPF).id


@pytest.fixture
def held(db, export, admin_id) -> Iterator[HeldImport]:
    with HeldImport(db, export, admin_id) as running:
        yield running


def in_thread(db, function, *args):
    """``function(*args)`` in a thread with its own connection; returns (result or error, seconds)."""
    outcome: list = []

    def run() -> None:
        started = time.monotonic()
        try:
            result = function(*args)
        except BaseException as exc:
            result = exc
        finally:
            db.db.close()
        outcome.append((result, time.monotonic() - started))

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@ONLY_SQLITE
def test_sqlite_login_during_an_import_says_what_holds_the_database(db, held, monkeypatch):
    monkeypatch.setattr(accounts, "LOGIN_WAIT_SECONDS", 0.5)
    thread, outcome = in_thread(db, authenticate, ADMIN_CPF, ADMIN_PASSWORD)
    thread.join(timeout=30)
    [(error, seconds)] = outcome

    assert isinstance(error, DatabaseBusyError)
    assert error.message == f"O banco de dados está ocupado com {HELD}; tente de novo quando terminar."
    assert 0.4 <= seconds < 5
    assert "locked" not in error.message


@ONLY_POSTGRES
def test_postgres_login_during_an_import_goes_through_at_once(db, held):
    thread, outcome = in_thread(db, authenticate, ADMIN_CPF, ADMIN_PASSWORD)
    thread.join(timeout=30)
    [(result, seconds)] = outcome
    assert result.user.name == ADMIN_NAME
    assert seconds < 5


@ONLY_SQLITE  # PostgreSQL: a second import of the municipality waits on its advisory lock
def test_a_second_import_that_gives_up_names_the_first(db, held, export, admin_id, monkeypatch):
    monkeypatch.setattr(database, "SQLITE_WRITE_WAIT_SECONDS", 0.5)
    thread, outcome = in_thread(db, lambda: import_cnes(export, localidade_id=None, user_id=admin_id))
    thread.join(timeout=30)
    [(error, _seconds)] = outcome
    assert isinstance(error, PecError)
    assert error.message == f"O banco de dados está ocupado com {HELD}; tente de novo quando terminar."


def test_a_writer_waits_for_the_import_instead_of_failing(db, export, admin_id):
    """The default wait is longer than an import: a save started meanwhile goes through after it."""
    assert database.SQLITE_WRITE_WAIT_SECONDS >= 120

    def save() -> None:
        with transaction():
            settings.put(settings.MAX_LOGIN_ATTEMPTS, integer=4)

    with HeldImport(db, export, admin_id) as running:
        thread, outcome = in_thread(db, save)
        time.sleep(1.5)
        if not is_postgres(db.db):
            assert not outcome  # SQLite: still waiting for the import, not failed
        running.release.set()
        thread.join(timeout=60)
    [(result, _seconds)] = outcome
    assert result is None
    assert settings.security().max_login_attempts == 4
    assert CnesImport.select().count() == 1 and HealthUnit.select().count() == 1


def test_the_note_goes_with_the_import(db, export, admin_id):
    note = Path(f"{db.db.database}{NOTE_SUFFIX}") if not is_postgres(db.db) else None
    with HeldImport(db, export, admin_id):
        if note is not None:
            assert note.exists()
            assert errors.busy_sentence(db.db) == (
                f"O banco de dados está ocupado com {HELD}; tente de novo quando terminar."
            )
    if note is not None:
        assert not note.exists()
    assert errors.busy_sentence(db.db) == (
        "O banco de dados está ocupado com outra gravação demorada; tente de novo em alguns instantes."
    )


def test_a_readonly_database_is_said_in_portuguese(tmp_path, caplog):
    path = tmp_path / "somente-leitura.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raised:
        connection.execute("INSERT INTO t VALUES (1)")
    connection.close()
    caplog.set_level("INFO")
    sentence = errors.describe(raised.value)
    assert sentence == (
        "O banco de dados não pode ser gravado: o arquivo ou a pasta dele é somente leitura para este "
        "usuário do sistema."
    )
    assert "attempt to write a readonly database" in caplog.text
