"""``pec-tui jobs``: the scheduler (``run``), the jobs and their history, the systemd unit."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from pathlib import Path

from pec_tui.cli import open_from_args, pec_home_path
from pec_tui.core.formatting import format_moment


def cmd_jobs(args: argparse.Namespace) -> int:
    action = args.jobs_command
    if action == "install-service":
        return _install_service(args)
    open_from_args(args)
    return {"list": _list, "run-now": _run_now, "history": _history, "run": _run}[action](args)


def _context(args: argparse.Namespace, log=None):
    from pec_tui.domain.tarefas.catalogue import JobContext

    return JobContext(pec_home=pec_home_path(args), log=log or (lambda line: None))


def _list(args: argparse.Namespace) -> int:
    from pec_tui.domain.tarefas import lease, runs

    infos = runs.overview()
    holder = lease.holder(lease.SCHEDULER)
    if args.json:
        data = {
            "agendador": None
            if holder is None
            else {"maquina": holder.host, "pid": holder.pid, "desde": holder.since.isoformat(sep=" ")},
            "tarefas": [info.as_json() for info in infos],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(
        f"Agendador: rodando {holder.describe()}"
        if holder
        else "Agendador: nenhum rodando neste banco (instale o serviço com 'pec-tui jobs install-service')"
    )
    for info in infos:
        last = "nunca executada"
        if info.last:
            last = f"última {format_moment(info.last.started_at)} ({info.last.status_label})"
        print(f"{info.name:<13} {info.schedule:<22} próxima {format_moment(info.next_run)} · {last}")
        print(f"{'':<13} {info.description}")
    return 0


def _run_now(args: argparse.Namespace) -> int:
    from pec_tui.domain.tarefas import catalogue, runs

    job = catalogue.job(args.nome)
    record = runs.execute(job, _context(args, log=lambda line: print(line, file=sys.stderr)), runs.CLI)
    if args.json:
        print(json.dumps(record.as_json(), ensure_ascii=False))
    else:
        print(
            f"{job.title}: {record.status_label}. {record.message}",
            file=sys.stdout if record.status == runs.JobRun.OK else sys.stderr,
        )
    return 0 if record.status == runs.JobRun.OK else 1


def _history(args: argparse.Namespace) -> int:
    from pec_tui.domain.tarefas import catalogue, runs

    if args.job:
        catalogue.job(args.job)
    if args.limit < 1:
        print("pec-tui: --limit precisa ser 1 ou mais.", file=sys.stderr)
        return 2
    records = runs.history(args.job, args.limit)
    if args.json:
        print(json.dumps([record.as_json() for record in records], ensure_ascii=False, indent=2))
        return 0
    if not records:
        print("Nenhuma execução registrada.")
    for record in records:
        end = format_moment(record.finished_at) if record.finished_at else "—"
        print(
            f"{format_moment(record.started_at)} → {end}  {record.job:<13} {record.status_label:<11} {record.message}"
        )
    return 0


def _run(args: argparse.Namespace) -> int:
    from pec_tui.jobs.scheduler import Scheduler

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("pec_tui.jobs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    scheduler = Scheduler(_context(args, log=lambda line: logger.info("%s", line)))

    def stop(signum, _frame):
        logger.info("sinal %s recebido: encerrando depois das tarefas em execução", signal.Signals(signum).name)
        scheduler.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.run_forever()
    return 0


def _install_service(args: argparse.Namespace) -> int:
    from pec_tui.jobs import service
    from pec_tui.storage.database import resolve_target

    # The database as this command sees it, written out: the service runs as another user, in
    # another environment, where the embedded file or PEC_TUI_DATABASE would be other ones.
    target = resolve_target(args.database, args.pec_home)
    home = pec_home_path(args)
    database = None if target.source == "pec-home" else target.url
    pec_home = str(home) if home else None
    installed = service.install(Path(args.unit_dir), database=database, pec_home=pec_home, user=args.user)
    print(f"Serviço gravado em {installed.unit}.")
    if installed.environment:
        print(f"O endereço do banco (com a senha) ficou em {installed.environment}, legível só pelo dono.")
    complaint = service.verify_unit(installed.unit)
    if complaint:
        print(f"systemd-analyze verify apontou problemas:\n{complaint}", file=sys.stderr)
        return 1
    print("Para ativá-lo:")
    for command in installed.commands:
        print(f"  sudo {command}")
    return 0
