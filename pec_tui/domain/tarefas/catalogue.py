"""The jobs: what each does, when it runs by default, and the hour setting that moves it.

A daily job's hour is a setting (``PECTUI_TAREFA_HORA_<NOME>``, "HH:MM") read by the scheduler
every :data:`pec_tui.jobs.scheduler.SYNC_SECONDS`, so a changed hour needs no restart.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pec_tui.core import clock
from pec_tui.core.errors import PecError, ValidationError
from pec_tui.core.formatting import format_moment
from pec_tui.domain import audit, settings
from pec_tui.domain.configuracoes import conexao
from pec_tui.domain.installation import require_installation_admin
from pec_tui.domain.tarefas import certificates
from pec_tui.storage.database import transaction
from pec_tui.storage.models import JobRun

COMPONENT = "pec-tui/tarefas"
HISTORY_DAYS = 90
_HOUR_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass
class JobContext:
    """What a job may use besides the database: the PEC home and a log line writer."""

    pec_home: Path | None = None
    log: Callable[[str], None] = lambda line: None


@dataclass(frozen=True)
class Outcome:
    """A job's result: ``ok`` False is a failed run (with its sentence)."""

    message: str
    ok: bool = True
    records: int | None = None


@dataclass(frozen=True)
class Schedule:
    every_minutes: int | None = None
    daily_at: str | None = None  # "HH:MM"

    def describe(self) -> str:
        if self.every_minutes == 1:
            return "a cada minuto"
        if self.every_minutes:
            return f"a cada {self.every_minutes} minutos"
        return f"todo dia às {self.daily_at}"

    def next_after(self, moment: dt.datetime, last_start: dt.datetime | None = None) -> dt.datetime:
        if self.every_minutes:
            if last_start is not None:
                due = last_start + dt.timedelta(minutes=self.every_minutes)
                if due > moment:
                    return due
            return moment  # due now
        hour, minute = (int(part) for part in (self.daily_at or "00:00").split(":"))
        candidate = moment.replace(hour=hour, minute=minute, second=0)
        return candidate if candidate > moment else candidate + dt.timedelta(days=1)


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    description: str
    run: Callable[[JobContext], Outcome] = field(repr=False)
    every_minutes: int | None = None
    default_hour: str | None = None  # a daily job's default "HH:MM"

    @property
    def hour_key(self) -> str:
        return f"PECTUI_TAREFA_HORA_{self.name.upper()}"

    def schedule(self) -> Schedule:
        if self.every_minutes:
            return Schedule(every_minutes=self.every_minutes)
        stored = settings.get_text(self.hour_key)
        return Schedule(daily_at=stored if stored and _HOUR_RE.match(stored) else self.default_hour)


# --------------------------------------------------------------------------------------------
# The jobs
# --------------------------------------------------------------------------------------------


def run_connection_timers(ctx: JobContext) -> Outcome:
    ended = conexao.end_expired_timers()
    if not ended:
        return Outcome("Nenhuma desabilitação terminou.", records=0)
    labels = ", ".join(conexao.SERVICE_LABELS.get(name, name) for name in ended)
    ctx.log(f"habilitados de novo: {labels}")
    return Outcome(f"Habilitado(s) de novo ao fim do tempo: {labels}.", records=len(ended))


def run_certificate_expiry(ctx: JobContext) -> Outcome:
    """Every certificate under 30 days is in the result each day; the audit event names only those
    that reached a threshold (30, 15, 7, 1 day, expired) not announced before."""
    found = certificates.scan(ctx.pec_home)
    if not found:
        if ctx.pec_home is None:
            return Outcome("Sem pasta do PEC neste servidor: nenhum certificado a verificar.", records=0)
        return Outcome(f"Nenhum certificado em {ctx.pec_home / certificates.CHAVES_RELATIVE}.", records=0)
    today = clock.now().date()
    warnings: list[str] = []
    announce: list[tuple[certificates.CertificateExpiry, int, str]] = []
    expired = False
    unread: list[str] = []
    for cert in found:
        days = cert.days_left(today)
        if days is None:
            unread.append(f"{cert.label} ({cert.problem})")
            continue
        level = certificates.warning_level(days)
        if level is None:
            continue
        assert cert.not_after is not None
        if level == 0:
            expired = True
            text = f"{cert.label} venceu em {format_moment(cert.not_after)}"
        else:
            text = f"{cert.label} vence em {days} dia{'s' if days != 1 else ''} ({format_moment(cert.not_after)})"
        warnings.append(text)
        if certificates.first_reached(cert, level):
            announce.append((cert, level, text))
    if announce:
        with transaction():
            for cert, level, _text in announce:
                certificates.mark_announced(cert, level)
            audit.record(
                audit.EventType.USER_ACTION,
                component=COMPONENT,
                record_type=audit.RecordType.CERTIFICATE,
                record_id=str(certificates.CHAVES_RELATIVE),  # the folder (the path may be long)
                details="Validade de certificados: " + "; ".join(text for _c, _l, text in announce) + ".",
            )
    parts = []
    if warnings:
        parts.append("Validade: " + "; ".join(warnings))
    if unread:
        parts.append("Não lidos: " + "; ".join(unread))
    if not parts:
        return Outcome(f"{len(found)} certificado(s) válido(s) por mais de 30 dias.", records=len(found))
    for line in parts:
        ctx.log(line)
    return Outcome(". ".join(parts) + ".", ok=not expired, records=len(found))


def run_audit_chain(ctx: JobContext) -> Outcome:
    result = audit.verify()
    return Outcome(result.message, ok=result.ok, records=result.count)


def run_backup(ctx: JobContext) -> Outcome:
    from pec_tui.domain.tarefas import backup

    done = backup.make()
    clear = "" if done.manifest.cifrada else " Sem cifra: configure uma chave com 'pec-tui backup keygen'."
    ctx.log(f"cópia gravada em {done.path}")
    pruned = ""
    if done.removed:
        ctx.log("apagadas pela retenção: " + ", ".join(done.removed))
        pruned = f" Retenção: {len(done.removed)} cópia(s) antiga(s) apagada(s)."
    made = f"Cópia {done.path.name} ({done.manifest.tamanho} bytes).{pruned}{clear}"
    return _send_offsite(ctx, done.path, made)


def _send_offsite(ctx: JobContext, path: Path, made: str) -> Outcome:
    """After the local copy, when SFTP is configured: a failed upload is a failed run (the local
    copy stays)."""
    from pec_tui.domain.tarefas import offsite

    target = offsite.config()
    if not target.configured:
        return Outcome(made, records=1)
    ctx.log(f"enviando para {target.where}…")
    try:
        sent = offsite.push(path)
    except PecError as exc:
        ctx.log(f"envio falhou: {exc.message}")
        failed = f"{made} O envio ao servidor SFTP falhou (a cópia local fica): {exc.message}"
        return Outcome(failed, ok=False, records=1)
    ctx.log(f"enviada para {sent.where}")
    removed = f" {len(sent.removed)} cópia(s) antiga(s) removida(s) de lá." if sent.removed else ""
    return Outcome(f"{made} Enviada para {sent.where}.{removed}", records=1)


def run_history_cleanup(ctx: JobContext) -> Outcome:
    limit = clock.now() - dt.timedelta(days=HISTORY_DAYS)
    with transaction():
        removed = JobRun.delete().where(JobRun.started_at < limit).execute()
    return Outcome(f"{removed} execução(ões) com mais de {HISTORY_DAYS} dias apagada(s) do histórico.", records=removed)


JOBS: tuple[Job, ...] = (
    Job(
        "conexao",
        "Tempo de desabilitação",
        "Habilita de novo o CADSUS e o Hórus quando termina o tempo escolhido em Configurações › Conexão.",
        run_connection_timers,
        every_minutes=1,
    ),
    Job(
        "certificados",
        "Validade dos certificados",
        "Avisa a 30, 15, 7 e 1 dia do vencimento dos certificados da pasta chaves.",
        run_certificate_expiry,
        default_hour="06:00",
    ),
    Job(
        "auditoria",
        "Cadeia da auditoria",
        "Verifica a cadeia de hashes da trilha de auditoria (pec-tui audit verify).",
        run_audit_chain,
        default_hour="03:00",
    ),
    Job(
        "backup",
        "Cópia de segurança",
        "Cópia do banco (cifrada com a chave age configurada) com manifesto SHA-256 (pec-tui backup now).",
        run_backup,
        default_hour="02:00",
    ),
    Job(
        "historico",
        "Limpeza do histórico",
        f"Apaga as execuções de tarefas com mais de {HISTORY_DAYS} dias.",
        run_history_cleanup,
        default_hour="04:30",
    ),
)

BY_NAME = {job.name: job for job in JOBS}


def job(name: str) -> Job:
    try:
        return BY_NAME[name]
    except KeyError:
        names = ", ".join(BY_NAME)
        raise PecError(f"Não há tarefa chamada '{name}'; as tarefas são: {names}.") from None


def set_daily_hour(name: str, hour: str, by_user_id: int | None) -> Schedule:
    """Move a daily job to ``hour`` ("HH:MM"); the running scheduler picks it up by itself."""
    target = job(name)
    if target.every_minutes:
        raise PecError(f"A tarefa {target.title} roda {target.schedule().describe()}; não tem horário.")
    value = (hour or "").strip()
    if not _HOUR_RE.match(value):
        raise ValidationError("Informe o horário como HH:MM, de 00:00 a 23:59.", "horario")
    require_installation_admin(by_user_id)
    with transaction():
        settings.put(target.hour_key, text=value)
        audit.record_setting_change(
            by_user_id,
            target.hour_key,
            f"Tarefa {target.title} passa a rodar todo dia às {value}.",
            component=COMPONENT,
        )
    return target.schedule()
