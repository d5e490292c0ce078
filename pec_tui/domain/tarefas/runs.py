"""Running a job once and recording it: ``pectui.job_execucao`` (job, start, end, result, message).

:func:`execute` is the one path for the scheduler and ``run-now``: the job's lease first (a job
never runs twice at once, in this process or another), then the run row, the job, the result.
A failing job is a failed run, never an exception out of here.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from pec_tui.core import clock
from pec_tui.core.errors import PecError
from pec_tui.domain.tarefas import lease as leases
from pec_tui.domain.tarefas.catalogue import JOBS, Job, JobContext, Outcome, Schedule
from pec_tui.storage.database import current_database, transaction
from pec_tui.storage.models import JobRun

__all__ = ["JobRun"]

log = logging.getLogger("pec_tui.jobs")  # the scheduler's log (stderr, the journal)

SCHEDULED = "AGENDA"
MANUAL = "MANUAL"  # "Executar agora" in the console
CLI = "CLI"  # pec-tui jobs run-now

STATUS_LABELS = {
    JobRun.OK: "sucesso",
    JobRun.FAILED: "falha",
    JobRun.SKIPPED: "ignorada",
    JobRun.RUNNING: "em execução",
}
TRIGGER_LABELS = {SCHEDULED: "agenda", MANUAL: "console", CLI: "linha de comando"}


@dataclass(frozen=True)
class RunRecord:
    id: int
    job: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    message: str
    trigger: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "tarefa": self.job,
            "inicio": self.started_at.isoformat(sep=" "),
            "fim": self.finished_at.isoformat(sep=" ") if self.finished_at else None,
            "resultado": self.status_label,
            "mensagem": self.message,
            "disparo": TRIGGER_LABELS.get(self.trigger, self.trigger),
        }


def _record(row: JobRun) -> RunRecord:
    return RunRecord(row.id, row.job, row.started_at, row.finished_at, row.status, row.message or "", row.trigger)


def _skipped(job: Job, trigger: str, why: str) -> RunRecord:
    now = clock.now()
    with transaction():
        row = JobRun.create(
            job=job.name, started_at=now, finished_at=now, status=JobRun.SKIPPED, message=why, trigger=trigger
        )
    return _record(row)


def execute(job: Job, ctx: JobContext, trigger: str = SCHEDULED) -> RunRecord:
    """Run ``job`` once and record it. Outside the scheduler (``run-now``), a job the scheduler is
    running is refused (:class:`~pec_tui.domain.tarefas.lease.LeaseTaken`); inside it, recorded as skipped."""
    held = leases.Lease(leases.job_lease_name(job.name))
    try:
        held.acquire(f"A tarefa {job.title} já está em execução")
    except leases.LeaseTaken as taken:
        if trigger != SCHEDULED:
            raise
        return _skipped(
            job, trigger, f"Não iniciada: a execução anterior ainda não terminou ({taken.holder.describe()})."
        )
    stop_renewing = threading.Event()
    renewer = threading.Thread(target=_renew, args=(held, stop_renewing), name=f"trava-{job.name}", daemon=True)
    renewer.start()
    try:
        with transaction():
            row = JobRun.create(job=job.name, started_at=clock.now(), status=JobRun.RUNNING, trigger=trigger)
        log.info("tarefa %s: início", job.name)
        try:
            outcome = job.run(ctx)
        except PecError as exc:
            outcome = Outcome(exc.message, ok=False)
        except Exception as exc:  # a job's bug is a failed run, never the scheduler's end
            log.exception("tarefa %s: erro inesperado", job.name)
            outcome = Outcome(f"Erro inesperado ({type(exc).__name__}): {exc}", ok=False)
        row.finished_at = clock.now()
        row.status = JobRun.OK if outcome.ok else JobRun.FAILED
        row.message = outcome.message
        row.records = outcome.records
        with transaction():
            row.save()
        log.info("tarefa %s: %s — %s", job.name, STATUS_LABELS[row.status], outcome.message)
        return _record(row)
    finally:
        stop_renewing.set()
        renewer.join()
        held.release()


def _renew(held: leases.Lease, stop: threading.Event) -> None:
    db = current_database()
    try:
        while not stop.wait(leases.RENEW_SECONDS):
            held.renew()
    finally:
        if not db.is_closed():
            db.close()


def close_interrupted() -> int:
    """Runs left "em execução" by a process that died (no live lease for their job): failed."""
    count = 0
    with transaction():
        for row in JobRun.select().where(JobRun.status == JobRun.RUNNING):
            if leases.holder(leases.job_lease_name(row.job)) is None:
                row.status = JobRun.FAILED
                row.finished_at = clock.now()
                row.message = "Interrompida: o processo que a executava terminou antes do fim."
                row.save()
                count += 1
    return count


def history(job: str | None = None, limit: int = 50) -> list[RunRecord]:
    query = JobRun.select().order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job:
        query = query.where(JobRun.job == job)
    return [_record(row) for row in query]


def last_run(job: str) -> RunRecord | None:
    rows = history(job, 1)
    return rows[0] if rows else None


@dataclass(frozen=True)
class JobInfo:
    name: str
    title: str
    description: str
    schedule: str
    next_run: dt.datetime
    last: RunRecord | None
    running: leases.Holder | None
    spec: Schedule | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "nome": self.name,
            "titulo": self.title,
            "descricao": self.description,
            "agenda": self.schedule,
            "proxima_execucao": self.next_run.isoformat(sep=" "),
            "ultima_execucao": self.last.as_json() if self.last else None,
            "em_execucao": self.running is not None,
        }


def overview() -> list[JobInfo]:
    now = clock.now()
    infos = []
    for job in JOBS:
        last = last_run(job.name)
        schedule = job.schedule()
        infos.append(
            JobInfo(
                job.name,
                job.title,
                job.description,
                schedule.describe(),
                schedule.next_after(now, last.started_at if last else None),
                last,
                leases.holder(leases.job_lease_name(job.name)),
                schedule,
            )
        )
    return infos
