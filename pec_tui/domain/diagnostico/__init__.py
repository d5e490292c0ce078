"""The host doctor: what a technician at the PEC server would otherwise check by hand.

Each check returns a :class:`Check` (ok / warning / error, what it found, what to do). The
checks are isolated: one that fails with an unexpected exception becomes an error ``Check``
with its sentence, and the others still run. Network and file-system checks run concurrently
(a thread pool, short timeouts) so the whole doctor takes about one timeout at most; the
database checks run in the calling thread, the one that owns the database connection.

Used by ``pec-tui doctor`` and by the "Diagnóstico do servidor" screen. No Textual here.

The package's face is :func:`run` and :func:`render_text`; the checks are grouped by what they
look at: :mod:`.database` (the database, in the caller's thread), :mod:`.compatibility` (what
each module may do on PEC's schema, also in the caller's thread), :mod:`.version` (PEC's
version), :mod:`.network` (the link and the application) and :mod:`.host` (disks, chaves).
:mod:`.report` holds the shapes (``Check``, ``Report``, ``DoctorConfig``) and the titles.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures

from pec_tui.core import clock
from pec_tui.core.formatting import format_bytes, format_duration
from pec_tui.domain.diagnostico.compatibility import check_compatibility
from pec_tui.domain.diagnostico.database import (
    check_blocked_users,
    check_database,
    check_liquibase_lock,
    check_schema,
    check_shared_cns,
    check_timers,
)
from pec_tui.domain.diagnostico.facts import read_facts
from pec_tui.domain.diagnostico.host import check_chaves, check_disk_database, check_disk_pec_home
from pec_tui.domain.diagnostico.network import HttpProbe, check_link, check_pec_application, http_get
from pec_tui.domain.diagnostico.report import (
    DEFAULT_PEC_URL,
    ENV_PEC_URL,
    ERROR,
    NO_PEC_HOME,
    OK,
    STATUS_JSON,
    STATUS_LABELS,
    TITLES,
    WARNING,
    Check,
    DoctorConfig,
    Report,
    default_pec_url,
    make_check,
    one_sentence,
    worst,
)
from pec_tui.domain.diagnostico.version import check_pec_version, pec_application_version

__all__ = [
    "DEFAULT_PEC_URL",
    "ENV_PEC_URL",
    "ERROR",
    "NO_PEC_HOME",
    "OK",
    "STATUS_JSON",
    "STATUS_LABELS",
    "TITLES",
    "WARNING",
    "Check",
    "DoctorConfig",
    "HttpProbe",
    "Report",
    "default_pec_url",
    "format_bytes",
    "format_duration",
    "http_get",
    "pec_application_version",
    "render_text",
    "run",
    "worst",
]


def run(opened=None, config: DoctorConfig | None = None, *, open_error: str | None = None) -> Report:
    """Run every check. ``opened`` is the :class:`~pec_tui.storage.database.OpenedDatabase`
    (its connection usable from this thread), or ``None`` with ``open_error`` saying why not."""
    config = config or DoctorConfig()
    started = clock.now()
    begin = time.monotonic()
    facts = read_facts(opened, open_error)
    host_checks: dict[str, Callable[[], Check]] = {
        "versao_banco": lambda: check_pec_version(facts, config),
        "link_instalacao": lambda: check_link(facts, config),
        "aplicacao_pec": lambda: check_pec_application(config),
        "disco_instalacao": lambda: check_disk_pec_home(config),
        "disco_banco": lambda: check_disk_database(facts, config),
        "pasta_chaves": lambda: check_chaves(config),
    }
    database_checks: dict[str, Callable[[], Check]] = {
        "banco": lambda: check_database(opened, facts),
        "esquema": check_schema,
        "compatibilidade_pec": lambda: check_compatibility(opened),
        "trava_liquibase": lambda: check_liquibase_lock(config),
        "cns_compartilhado": check_shared_cns,
        "usuarios_bloqueados": check_blocked_users,
        "temporizadores": check_timers,
    }
    results: dict[str, Check] = {}
    pool = ThreadPoolExecutor(max_workers=len(host_checks), thread_name_prefix="pec-tui-doctor")
    try:
        futures: dict[str, Future[Check]] = {
            key: pool.submit(_isolated, key, function) for key, function in host_checks.items()
        }
        for key, function in database_checks.items():
            if facts.db_error is not None and key != "banco":
                results[key] = make_check(
                    key,
                    WARNING,
                    "Não verificado: o banco de dados não pôde ser usado.",
                    "Resolva primeiro o acesso ao banco (veja a verificação Banco de dados).",
                )
            else:
                results[key] = _isolated(key, function)
        # The network checks carry their own timeouts; this bound only guards against a hang
        # (a DNS lookup ignores socket timeouts).
        deadline = config.http_timeout * 2 + 5
        wait_futures(list(futures.values()), timeout=max(0.0, deadline - (time.monotonic() - begin)))
        for key, future in futures.items():
            if future.done():
                results[key] = future.result()
            else:
                results[key] = make_check(
                    key,
                    ERROR,
                    f"A verificação não terminou em {deadline:.0f} s.",
                    "Rode o diagnóstico de novo; se persistir, verifique a rede e o DNS do servidor.",
                )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    ordered = tuple(results[key] for key in TITLES if key in results)
    return Report(ordered, started, time.monotonic() - begin)


def _isolated(key: str, function: Callable[[], Check]) -> Check:
    """Run one check; an unexpected failure becomes an error ``Check`` with its sentence."""
    try:
        return function()
    except Exception as exc:  # one failing check never stops the others
        return make_check(
            key,
            ERROR,
            f"A verificação falhou: {one_sentence(exc)}",
            "Rode 'pec-tui doctor' de novo; se o erro continuar, veja o registro pec-tui.log.",
        )


def render_text(report: Report, width: int | None = None) -> str:
    """The report as a table for the terminal: status, title, what was found and, on the lines
    below it, what to do (``→``)."""
    import textwrap

    if width is None:
        width = shutil.get_terminal_size((100, 24)).columns
    width = max(72, min(width, 140))
    label_width = max(len(label) for label in STATUS_LABELS.values())
    title_width = max(len(check.title) for check in report.checks) if report.checks else 10
    indent = " " * (label_width + title_width + 4)
    text_width = width - len(indent)
    lines = [f"{'':<{label_width}}  {'VERIFICAÇÃO':<{title_width}}  ENCONTRADO / O QUE FAZER"]
    for check in report.checks:
        found = textwrap.wrap(check.found, text_width) or [""]
        lines.append(f"{check.label:<{label_width}}  {check.title:<{title_width}}  {found[0]}")
        lines += [indent + part for part in found[1:]]
        if check.action and check.status != OK:
            lines += [indent + part for part in textwrap.wrap("→ " + check.action, text_width, subsequent_indent="  ")]
    errors, warnings = report.count(ERROR), report.count(WARNING)
    lines.append("")
    lines.append(
        f"{len(report.checks)} verificações: {report.count(OK)} OK, {warnings} "
        f"{'aviso' if warnings == 1 else 'avisos'}, {errors} {'erro' if errors == 1 else 'erros'} "
        f"({report.seconds:.1f} s).".replace(".", ",", 1)
    )
    return "\n".join(lines)
