"""The scheduler as real processes (``pec-tui jobs run``) on one database: a second one refused
naming the first, ``kill -9`` leaving no stuck lease, SIGTERM stopping cleanly — also mid-job."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from pec_tui.storage.database import database_proxy, is_postgres
from tests.conftest import pec_tui_command


@pytest.fixture
def database_url(request, db):
    """``db`` (SQLite, then PostgreSQL) migrated, then left to the processes (its URL)."""
    postgres = is_postgres(db.db)
    url = request.getfixturevalue("pg_test_database").url if postgres else f"sqlite:///{db.db.database}"
    db.db.close()
    yield url
    database_proxy.initialize(db.db)


def _env(hermetic_env) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PEC_TUI_")}
    env["PEC_TUI_DATA_DIR"] = str(hermetic_env)
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    return env


def _wait_for(process: subprocess.Popen, needle: str, timeout: float = 20.0) -> str:
    """Read the process's stderr until ``needle`` appears; return what was read."""
    seen = ""
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"'{needle}' não apareceu; saída: {seen!r}"
        if selector.select(left):
            chunk = os.read(process.stderr.fileno(), 4096).decode()
            assert chunk, f"o processo terminou antes de '{needle}'; saída: {seen!r}"
            seen += chunk
    return seen


def _scheduler(url: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [*pec_tui_command(), "--database", url, "jobs", "run"],
        env=env,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )


def test_one_scheduler_per_database_and_kill_9_leaves_no_lock(database_url, hermetic_env):
    env = _env(hermetic_env)
    first = _scheduler(database_url, env)
    try:
        _wait_for(first, "agendador iniciado")
        started = time.monotonic()
        second = subprocess.run(
            [*pec_tui_command(), "--database", database_url, "jobs", "run"],
            env=env, capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert second.returncode == 1
        assert second.stderr.startswith(
            f"pec-tui: Já há um agendador de tarefas rodando neste banco: na máquina {socket.gethostname()}, "
            f"processo {first.pid}, desde "
        )
        assert time.monotonic() - started < 10  # at once, not after a wait
        listed = subprocess.run(
            [*pec_tui_command(), "--database", database_url, "jobs", "list"],
            env=env, capture_output=True, text=True, timeout=30, check=True,
        )  # fmt: skip
        assert f"Agendador: rodando na máquina {socket.gethostname()}, processo {first.pid}" in listed.stdout
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    third = _scheduler(database_url, env)
    try:
        _wait_for(third, "agendador iniciado")  # the dead one's lease is taken over at once
    finally:
        third.send_signal(signal.SIGTERM)
        assert third.wait(20) == 0
    assert "agendador encerrado" in third.stderr.read().decode()
    listed = subprocess.run(
        [*pec_tui_command(), "--database", database_url, "jobs", "list", "--json"],
        env=env, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    assert '"agendador": null' in listed.stdout


SLOW_SCHEDULER = textwrap.dedent(
    """
    import logging, signal, sys, time
    from pec_tui.domain.tarefas.catalogue import Job, JobContext, Outcome
    from pec_tui.jobs.scheduler import Scheduler
    from pec_tui.storage.database import DatabaseTarget, open_database

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    open_database(DatabaseTarget(sys.argv[1], "--database"))

    def slow(ctx):
        print("lenta: começou", file=sys.stderr, flush=True)
        time.sleep(2)
        return Outcome("lenta terminou")

    scheduler = Scheduler(JobContext(), [Job("lenta", "Lenta", "", slow, every_minutes=60)])
    signal.signal(signal.SIGTERM, lambda *_: scheduler.stop())
    scheduler.start()
    scheduler.launch("lenta")
    scheduler.run_forever()
    """
)


def test_sigterm_mid_job_lets_it_finish_and_records_it(database_url, hermetic_env):
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_SCHEDULER, database_url],
        env=_env(hermetic_env), stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(process, "lenta: começou")
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    rest = process.stderr.read().decode()
    assert "aguardando o fim de 1 tarefa(s) em execução" in rest
    assert "tarefa lenta: sucesso — lenta terminou" in rest
    assert rest.rstrip().endswith("agendador encerrado")
