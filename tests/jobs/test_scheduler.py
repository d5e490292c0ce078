"""The scheduler in-process, under the tests' clock, on SQLite and PostgreSQL: a connection timer
ending with nobody logged in, a changed hour picked up, an overrunning and a failing job, the
leases (second scheduler, expiry, run-now refused), the 90-day history and interrupted runs."""

from __future__ import annotations

import datetime as dt

import pytest

from pec_tui.core.errors import ValidationError
from pec_tui.domain import settings
from pec_tui.domain.configuracoes import conexao
from pec_tui.domain.tarefas import catalogue, lease, runs
from pec_tui.domain.tarefas.catalogue import BY_NAME, Job, JobContext, Outcome
from pec_tui.jobs.scheduler import SYNC_SECONDS, Scheduler
from pec_tui.storage.models import AuditEvent, JobLease, JobRun
from tests.support.jobs import Gate, wait_for_jobs

pytestmark = pytest.mark.usefixtures("schedule_follows_clock")


def ticked(scheduler: Scheduler, clock, **delta) -> None:
    clock.advance(**delta)
    scheduler.tick()
    wait_for_jobs(scheduler)


def runs_of(job: str) -> list[tuple[str, str]]:
    return [(row.status, row.message) for row in JobRun.select().where(JobRun.job == job).order_by(JobRun.id)]


def test_connection_timer_ends_with_nobody_logged_in(db, clock):
    conexao.disable_service(conexao.CADSUS, "30min", None)
    assert not settings.get_flag(settings.CADSUS_ENABLED)
    scheduler = Scheduler(JobContext(), [BY_NAME["conexao"]])
    scheduler.start()
    try:
        ticked(scheduler, clock, minutes=1)
        assert runs_of("conexao") == [(JobRun.OK, "Nenhuma desabilitação terminou.")]
        ticked(scheduler, clock, minutes=30)
    finally:
        scheduler.shutdown()
    assert runs_of("conexao")[-1] == (JobRun.OK, "Habilitado(s) de novo ao fim do tempo: CADSUS.")
    assert settings.get_flag(settings.CADSUS_ENABLED)
    assert conexao.service_state(conexao.CADSUS).timer is False
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert "CADSUS habilitado automaticamente" in event.details
    assert JobLease.get_or_none(JobLease.name == lease.SCHEDULER) is None  # released at shutdown


def test_changed_hour_takes_effect_without_restart(db, clock):
    scheduler = Scheduler(JobContext(), [BY_NAME["auditoria"]])
    scheduler.start()  # 20/11/2026 09:00; the default hour is 03:00
    try:
        assert scheduler.next_runs()["auditoria"] == dt.datetime(2026, 11, 21, 3, 0)
        catalogue.set_daily_hour("auditoria", "09:30", None)
        ticked(scheduler, clock, seconds=SYNC_SECONDS)
        assert scheduler.next_runs()["auditoria"] == dt.datetime(2026, 11, 20, 9, 30)
        assert runs_of("auditoria") == []
        ticked(scheduler, clock, minutes=30)
    finally:
        scheduler.shutdown()
    [(status, message)] = runs_of("auditoria")
    assert status == JobRun.OK and "íntegra" in message


def test_a_bad_hour_is_refused(db):
    with pytest.raises(ValidationError, match="HH:MM"):
        catalogue.set_daily_hour("auditoria", "25:00", None)
    settings.put("PECTUI_TAREFA_HORA_AUDITORIA", text="lixo")  # written by hand: the default stands
    assert BY_NAME["auditoria"].schedule().daily_at == "03:00"


def test_overrun_and_failure_never_stop_the_others_nor_run_twice(db, clock):
    gate = Gate()

    def broken(ctx):
        raise RuntimeError("disco cheio")

    jobs = [
        Job("lenta", "Lenta", "", gate, every_minutes=1),
        Job("quebrada", "Quebrada", "", broken, every_minutes=1),
        Job("boa", "Boa", "", lambda ctx: Outcome("feito"), every_minutes=1),
    ]
    scheduler = Scheduler(JobContext(), jobs)
    scheduler.start()
    try:
        clock.advance(minutes=1)
        scheduler.tick()
        assert gate.started.wait(10)
        for name in ("quebrada", "boa"):
            scheduler._threads[name].join(10)
        clock.advance(minutes=1)
        scheduler.tick()  # "lenta" is still running: skipped; the others run again
        assert scheduler.running()[:1] == ["lenta"]
    finally:
        gate.release.set()
        scheduler.shutdown()
    assert runs_of("lenta") == [
        (JobRun.OK, "lenta terminou"),  # its row was written when it started
        (JobRun.SKIPPED, "Não iniciada: a execução anterior ainda não terminou."),
    ]
    assert runs_of("quebrada") == [(JobRun.FAILED, "Erro inesperado (RuntimeError): disco cheio")] * 2
    assert runs_of("boa") == [(JobRun.OK, "feito")] * 2


def test_second_scheduler_is_refused_naming_the_first(db, clock):
    first = Scheduler(JobContext(), [])
    first.start()
    try:
        with pytest.raises(lease.LeaseTaken) as refused:
            Scheduler(JobContext(), []).start()
        assert refused.value.message == (
            f"Já há um agendador de tarefas rodando neste banco: na máquina {lease.this_host()}, "
            f"processo {first.lease.pid}, desde 20/11/2026 09:00."
        )
    finally:
        first.shutdown()
    second = Scheduler(JobContext(), [])
    second.start()  # released: taken at once
    second.shutdown()


def test_a_lease_from_another_host_is_taken_over_once_expired(db, clock):
    other = lease.Lease(lease.SCHEDULER)
    other.host, other.pid = "outro-servidor", 4242
    other.acquire("")
    with pytest.raises(lease.LeaseTaken, match="na máquina outro-servidor, processo 4242"):
        lease.Lease(lease.SCHEDULER).acquire("Já há um agendador de tarefas rodando neste banco:")
    clock.advance(seconds=lease.TTL_SECONDS - 1)
    assert lease.holder(lease.SCHEDULER) is not None
    clock.advance(seconds=1)
    assert lease.holder(lease.SCHEDULER) is None
    mine = lease.Lease(lease.SCHEDULER)
    mine.acquire("")
    assert not other.renew()  # the old holder learns it lost the lease
    assert mine.renew()


def test_a_dead_process_on_this_host_does_not_keep_the_lease(db, clock):
    dead = lease.Lease(lease.SCHEDULER)
    dead.pid = 2**22 + 12345  # beyond pid_max on Linux: no such process
    dead.acquire("")
    assert lease.holder(lease.SCHEDULER) is None
    lease.Lease(lease.SCHEDULER).acquire("")


def test_run_now_is_refused_while_the_job_is_running(db):
    held = lease.Lease(lease.job_lease_name("auditoria"))
    held.acquire("")
    with pytest.raises(lease.LeaseTaken, match="A tarefa Cadeia da auditoria já está em execução na máquina"):
        runs.execute(BY_NAME["auditoria"], JobContext(), runs.CLI)
    held.release()
    assert runs.execute(BY_NAME["auditoria"], JobContext(), runs.CLI).status == JobRun.OK


def test_history_keeps_ninety_days(db, clock):
    now = clock.current
    for days in (91, 89):
        JobRun.create(job="auditoria", started_at=now - dt.timedelta(days=days), status=JobRun.OK)
    record = runs.execute(BY_NAME["historico"], JobContext(), runs.CLI)
    assert record.message == "1 execução(ões) com mais de 90 dias apagada(s) do histórico."
    ages = sorted((now - row.started_at).days for row in JobRun.select().where(JobRun.job == "auditoria"))
    assert ages == [89]


def test_a_run_left_running_by_a_dead_scheduler_is_closed_as_failed(db):
    JobRun.create(job="auditoria", started_at=dt.datetime(2026, 11, 20, 3, 0), status=JobRun.RUNNING)
    scheduler = Scheduler(JobContext(), [])
    scheduler.start()
    scheduler.shutdown()
    [(status, message)] = runs_of("auditoria")
    assert status == JobRun.FAILED and message.startswith("Interrompida")


def test_audit_chain_broken_is_a_failed_run(db):
    conexao.disable_service(conexao.CADSUS, "30min", None)  # one audit event
    AuditEvent.update(details="alterado").execute()
    record = runs.execute(BY_NAME["auditoria"], JobContext(), runs.CLI)
    assert record.status == JobRun.FAILED
    assert "não confere com a cadeia" in record.message
