"""``pec-tui jobs run``: the scheduler process (meant for systemd), built on ``schedule``.

* One per database: it holds the lease ``agendador`` (:mod:`pec_tui.domain.tarefas.lease`) and renews it;
  a second one is refused with who holds it.
* Each due job runs in its own thread, so an overrunning or failing job never holds up another;
  a job still running when it is due again is recorded as skipped (its lease), never run twice.
* Every :data:`SYNC_SECONDS` the schedules are read from the database again: a changed hour
  takes effect without a restart.
* SIGTERM/SIGINT (:meth:`Scheduler.stop`) stops starting jobs; running ones finish and are
  recorded, then the lease is released.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

import schedule

from pec_tui.core import clock
from pec_tui.domain.tarefas import lease as leases
from pec_tui.domain.tarefas import runs
from pec_tui.domain.tarefas.catalogue import JOBS, Job, JobContext, Schedule
from pec_tui.storage.database import current_database

log = logging.getLogger("pec_tui.jobs")

SYNC_SECONDS = 15
TICK_SECONDS = 1.0


class Scheduler:
    def __init__(self, ctx: JobContext, jobs: Iterable[Job] = JOBS) -> None:
        self.ctx = ctx
        self.jobs = {job.name: job for job in jobs}
        self.engine = schedule.Scheduler()
        self.lease = leases.Lease(leases.SCHEDULER)
        self._registered: dict[str, tuple[Schedule, schedule.Job]] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._stop = threading.Event()
        self._last_sync: float | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Take the database's scheduler lease (or raise LeaseTaken) and register the jobs."""
        self.lease.acquire("Já há um agendador de tarefas rodando neste banco:")
        closed = runs.close_interrupted()
        if closed:
            log.warning("%d execução(ões) interrompida(s) por um agendador anterior marcada(s) como falha", closed)
        self.sync()
        log.info("agendador iniciado (máquina %s, processo %d)", self.lease.host, self.lease.pid)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run_forever(self) -> None:
        self.start()
        try:
            next_renew = clock.now().timestamp() + leases.RENEW_SECONDS
            while not self._stop.wait(TICK_SECONDS):
                self.tick()
                if clock.now().timestamp() >= next_renew:
                    next_renew = clock.now().timestamp() + leases.RENEW_SECONDS
                    if not self.lease.renew():
                        log.error("o agendador perdeu a trava do banco (expirou e foi tomada); encerrando")
                        self.stop()
        finally:
            self.shutdown()

    def tick(self) -> None:
        """One turn: read the schedules again when due, start the due jobs, reap finished threads."""
        now = clock.now().timestamp()
        if self._last_sync is None or now - self._last_sync >= SYNC_SECONDS:
            self.sync()
        self.engine.run_pending()
        for name, thread in list(self._threads.items()):
            if not thread.is_alive():
                del self._threads[name]

    def shutdown(self) -> None:
        running = [thread for thread in self._threads.values() if thread.is_alive()]
        if running:
            log.info("aguardando o fim de %d tarefa(s) em execução", len(running))
        for thread in running:
            thread.join()
        self.engine.clear()
        self.lease.release()
        log.info("agendador encerrado")

    # -- schedules --------------------------------------------------------------------------

    def sync(self) -> None:
        """Register each job with its schedule as stored now; re-register a changed one."""
        self._last_sync = clock.now().timestamp()
        for job in self.jobs.values():
            wanted = job.schedule()
            current = self._registered.get(job.name)
            if current is not None and current[0] == wanted:
                continue
            if current is not None:
                self.engine.cancel_job(current[1])
                log.info("tarefa %s: agenda mudou para %s", job.name, wanted.describe())
            if wanted.every_minutes:
                entry = self.engine.every(wanted.every_minutes).minutes.do(self.launch, job.name)
            else:
                entry = self.engine.every().day.at(wanted.daily_at).do(self.launch, job.name)
            self._registered[job.name] = (wanted, entry)

    def next_runs(self) -> dict[str, object]:
        return {name: entry.next_run for name, (_, entry) in self._registered.items()}

    # -- runs -------------------------------------------------------------------------------

    def launch(self, name: str) -> None:
        """Start job ``name`` in its own thread (``schedule`` calls this when it is due)."""
        if self._stop.is_set():
            return
        job = self.jobs[name]
        thread = self._threads.get(name)
        if thread is not None and thread.is_alive():
            # Overrun: the lease would refuse it too; record it without a database round trip more.
            self._record_overrun(job)
            return
        thread = threading.Thread(target=self._run, args=(job,), name=f"tarefa-{name}")
        self._threads[name] = thread
        thread.start()

    def _record_overrun(self, job: Job) -> None:
        runs._skipped(job, runs.SCHEDULED, "Não iniciada: a execução anterior ainda não terminou.")
        log.warning("tarefa %s: ainda em execução; esta vez foi ignorada", job.name)

    def _run(self, job: Job) -> None:
        db = current_database()
        try:
            runs.execute(job, self.ctx, runs.SCHEDULED)
        except Exception:  # recording itself failed (database down): log, the next turn tries again
            log.exception("tarefa %s: não foi possível registrar a execução", job.name)
        finally:
            if not db.is_closed():
                db.close()

    def running(self) -> list[str]:
        return [name for name, thread in self._threads.items() if thread.is_alive()]
