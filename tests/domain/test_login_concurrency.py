"""The login lockout under parallel attempts (issue 11, item 1): real concurrent connections.

Each attempt runs in its own thread with its own connection (SQLite: its own ``sqlite3``
connection to the file; PostgreSQL: its own server session, the pool being widened so that all
30 are open at once). The password check itself is counted by wrapping the real
``verify_password``: the lockout holds when at most the maximum number of passwords is ever
checked, whatever the concurrency.
"""

from __future__ import annotations

import threading

import pytest

from pec_tui.core.errors import AuthError
from pec_tui.domain import accounts
from pec_tui.domain.accounts import authenticate, failure_message
from pec_tui.domain.audit import EventType
from pec_tui.domain.passwords import hash_password
from pec_tui.storage.database import transaction
from pec_tui.storage.models import AuditEvent, Professional, User

USER_CPF = "11144477735"
PASSWORD = "Senha1234"
PARALLEL = 30


@pytest.fixture
def user(db, installation) -> User:
    with transaction():
        created = User.create(login=USER_CPF, password_hash=hash_password(PASSWORD), must_change_password=False)
        Professional.create(cpf=USER_CPF, name="Rafael Souza Lima", user=created.id)
    return created


@pytest.fixture
def checked(monkeypatch) -> list[str]:
    """The passwords actually checked against the hash, in order, from every thread."""
    seen: list[str] = []
    lock = threading.Lock()
    real = accounts.verify_password

    def counting(password: str, stored: str) -> bool:
        with lock:
            seen.append(password)
        return real(password, stored)

    monkeypatch.setattr(accounts, "verify_password", counting)
    return seen


def attempt_in_parallel(db, passwords: list[str]) -> list[str | None]:
    """Each password in its own thread and connection, all released at once; the refusal
    message of each (None when it logged in)."""
    pool_size = getattr(db.db, "_max_connections", None)
    if pool_size is not None:  # PostgreSQL: one server session per attempt, all at once
        db.db._max_connections = len(passwords) + 2
    barrier = threading.Barrier(len(passwords))
    outcome: list[str | None] = [None] * len(passwords)
    failures: list[BaseException] = []

    def run(index: int, password: str) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                authenticate(USER_CPF, password, ip=f"10.0.0.{index + 1}")
            except AuthError as exc:
                outcome[index] = exc.message
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            db.db.close()  # this thread's connection

    threads = [threading.Thread(target=run, args=(index, password)) for index, password in enumerate(passwords)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if pool_size is not None:
        db.db._max_connections = pool_size
    assert not failures, failures
    assert not any(thread.is_alive() for thread in threads)
    return outcome


def test_thirty_parallel_wrong_passwords_check_only_five(db, user, checked):
    outcome = attempt_in_parallel(db, ["Errada123"] * PARALLEL)

    assert outcome == [failure_message(5)] * PARALLEL
    assert len(checked) == 5  # the figure on PostgreSQL was 30
    stored = User.get_by_id(user.id)
    assert (stored.failed_attempts, stored.blocked) == (5, True)
    failed = AuditEvent.select().where(AuditEvent.event_type == EventType.LOGIN_FAILED.value).count()
    blocked = AuditEvent.select().where(AuditEvent.event_type == EventType.ACCOUNT_BLOCKED.value).count()
    assert (failed, blocked) == (PARALLEL, 1)


def test_three_rounds_of_guesses_never_let_the_right_password_in(db, user, checked):
    """The issue's 60 guesses in three rounds (left the counter at 3 and the account open)."""
    for _ in range(3):
        attempt_in_parallel(db, ["Errada123"] * 20)
    assert len(checked) == 5
    outcome = attempt_in_parallel(db, [PASSWORD] + ["Errada123"] * (PARALLEL - 1))
    assert outcome == [failure_message(5)] * PARALLEL
    assert len(checked) == 5  # blocked: not one more password was checked, the right one included
    assert User.get_by_id(user.id).blocked is True


def test_parallel_attempts_with_the_right_password_log_in_and_leave_the_count_at_zero(db, user, checked):
    outcome = attempt_in_parallel(db, [PASSWORD] * 10)
    assert outcome == [None] * 10
    assert len(checked) == 10
    stored = User.get_by_id(user.id)
    assert (stored.failed_attempts, stored.blocked) == (0, False)
