"""The host doctor: what a technician at the PEC server would otherwise check by hand.

Each check returns a :class:`Check` (ok / warning / error, what it found, what to do). The
checks are isolated: one that fails with an unexpected exception becomes an error ``Check``
with its sentence, and the others still run. Network and file-system checks run concurrently
(a thread pool, short timeouts) so the whole doctor takes about one timeout at most; the
database checks run in the calling thread, the one that owns the database connection.

Used by ``pec-tui doctor`` and by the "Diagnóstico do servidor" screen. No Textual here.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import stat
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pec_tui.core import clock

OK = "ok"
WARNING = "warning"
ERROR = "error"

#: What the screen and the CLI print for each status (readable without colour).
STATUS_LABELS = {OK: "OK", WARNING: "AVISO", ERROR: "ERRO"}
#: The same in the JSON output.
STATUS_JSON = {OK: "ok", WARNING: "aviso", ERROR: "erro"}
_SEVERITY = {OK: 0, WARNING: 1, ERROR: 2}

DEFAULT_PEC_URL = "http://127.0.0.1:8080/api/public/info"
ENV_PEC_URL = "PEC_TUI_PEC_URL"
NO_PEC_HOME = "pasta de instalação do PEC não encontrada"

GIB = 1024**3


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    status: str  # OK | WARNING | ERROR
    found: str  # what the check found, one or two sentences
    action: str = ""  # what to do about it ("" when nothing)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    def as_json(self) -> dict[str, Any]:
        return {
            "chave": self.key,
            "titulo": self.title,
            "situacao": STATUS_JSON[self.status],
            "encontrado": self.found,
            "o_que_fazer": self.action,
            "detalhes": _jsonable(self.details),
        }


@dataclass(frozen=True)
class DoctorConfig:
    """Where to look and how long to wait."""

    pec_home: Path | None = None
    pec_url: str = DEFAULT_PEC_URL
    http_timeout: float = 3.0
    #: Free space below either limit is a warning / an error.
    disk_warning_free_bytes: int = 5 * GIB
    disk_warning_free_fraction: float = 0.10
    disk_error_free_bytes: int = 1 * GIB
    disk_error_free_fraction: float = 0.03
    #: A Liquibase lock older than this is stale (PEC is not updating the schema any more).
    stale_lock_minutes: int = 15


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]
    started_at: dt.datetime
    seconds: float

    @property
    def status(self) -> str:
        return worst(check.status for check in self.checks)

    @property
    def has_errors(self) -> bool:
        return any(check.status == ERROR for check in self.checks)

    def count(self, status: str) -> int:
        return sum(1 for check in self.checks if check.status == status)

    def as_json(self) -> dict[str, Any]:
        return {
            "situacao": STATUS_JSON[self.status],
            "erros": self.count(ERROR),
            "avisos": self.count(WARNING),
            "inicio": self.started_at.isoformat(sep=" "),
            "duracao_segundos": round(self.seconds, 3),
            "verificacoes": [check.as_json() for check in self.checks],
        }


def worst(statuses) -> str:
    result = OK
    for status in statuses:
        if _SEVERITY[status] > _SEVERITY[result]:
            result = status
    return result


def default_pec_url() -> str:
    return os.environ.get(ENV_PEC_URL, "").strip() or DEFAULT_PEC_URL


#: The checks in the order they are shown: key → title.
TITLES: dict[str, str] = {
    "banco": "Banco de dados",
    "esquema": "Esquema do pec-tui",
    "versao_banco": "Versão do banco do PEC",
    "link_instalacao": "Link da instalação",
    "aplicacao_pec": "Aplicação do PEC",
    "trava_liquibase": "Trava do Liquibase",
    "cns_compartilhado": "CNS compartilhado",
    "usuarios_bloqueados": "Usuários bloqueados",
    "disco_instalacao": "Disco da instalação",
    "disco_banco": "Disco do banco",
    "pasta_chaves": "Pasta chaves",
    "temporizadores": "Serviços desabilitados",
}


def _check(key: str, status: str, found: str, action: str = "", **details: Any) -> Check:
    return Check(key, TITLES[key], status, found, action, details)


# ============================================================================================
# Running the doctor
# ============================================================================================


@dataclass
class _Facts:
    """What the host checks need from the database, read first in the caller's thread."""

    db_error: str | None = None  # the database could not be used at all
    kind: str = ""  # "sqlite" | "postgresql"
    display: str = ""
    host: str | None = None
    link: str | None = None
    link_error: str | None = None
    db_version: str | None = None
    db_version_error: str | None = None
    db_dir: Path | None = None
    db_dir_problem: str | None = None


def run(opened=None, config: DoctorConfig | None = None, *, open_error: str | None = None) -> Report:
    """Run every check. ``opened`` is the :class:`~pec_tui.storage.database.OpenedDatabase`
    (its connection usable from this thread), or ``None`` with ``open_error`` saying why not."""
    config = config or DoctorConfig()
    started = clock.now()
    begin = time.monotonic()
    facts = _read_facts(opened, open_error)
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
                results[key] = _check(
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
                results[key] = _check(
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
        return _check(
            key,
            ERROR,
            f"A verificação falhou: {_sentence(exc)}",
            "Rode 'pec-tui doctor' de novo; se o erro continuar, veja o registro pec-tui.log.",
        )


def _sentence(exc: BaseException) -> str:
    """One line about ``exc``: a PecError's message, else the first line of its text."""
    message = getattr(exc, "message", None) or next(iter(str(exc).strip().splitlines()), "")
    return f"{(message or type(exc).__name__).rstrip('.')}."


def _read_facts(opened, open_error: str | None) -> _Facts:
    from pec_tui.domain import settings

    facts = _Facts()
    if opened is None:
        facts.db_error = open_error or "Nenhum banco de dados aberto."
        facts.link_error = facts.db_version_error = facts.db_dir_problem = "o banco de dados não pôde ser usado"
        return facts
    facts.kind = opened.kind
    facts.display = opened.display
    try:
        opened.db.execute_sql("SELECT 1").fetchone()
    except Exception as exc:
        facts.db_error = _sentence(exc)
        facts.link_error = facts.db_version_error = facts.db_dir_problem = "o banco de dados não respondeu"
        return facts
    try:
        facts.link = (settings.get_text(settings.INSTALLATION_LINK) or "").strip() or None
    except Exception as exc:
        facts.link_error = _sentence(exc)
    try:
        facts.db_version = (settings.get_text(settings.DATABASE_VERSION) or "").strip() or None
    except Exception as exc:
        facts.db_version_error = _sentence(exc)
    from pec_tui.storage import diagnostics

    if opened.kind == "sqlite":
        facts.db_dir = diagnostics.sqlite_path().parent
        return facts
    host = urlsplit(opened.target.url).hostname or "127.0.0.1"
    facts.host = host
    if not _is_local(host):
        facts.db_dir_problem = f"o PostgreSQL está na máquina {host}; o espaço em disco dela não pode ser medido daqui"
        return facts
    try:
        facts.db_dir = Path(diagnostics.data_directory())
    except Exception as exc:
        facts.db_dir_problem = (
            f"não foi possível ler a pasta de dados do PostgreSQL (SHOW data_directory): {_sentence(exc)}"
        )
    return facts


def _is_local(host: str) -> bool:
    return host in {"127.0.0.1", "localhost", "::1", ""} or host.startswith("/") or host == socket.gethostname()


# ============================================================================================
# Database checks (caller's thread)
# ============================================================================================


def check_database(opened, facts: _Facts) -> Check:
    from pec_tui.storage import diagnostics

    if facts.db_error is not None:
        return _check(
            "banco",
            ERROR,
            facts.db_error,
            "Confira o endereço do banco (--database, ou webserver/config/application.properties da "
            "pasta --pec-home) e se o PostgreSQL está no ar (systemctl status e-SUS-AB-PostgreSQL).",
        )
    size = diagnostics.database_size()
    return _check(
        "banco",
        OK,
        f"{opened.target.short} acessível; tamanho {format_bytes(size)}.",
        tamanho_bytes=size,
        endereco=facts.display,
    )


def check_schema() -> Check:
    from pec_tui.storage.migrations import LATEST_VERSION, schema_version

    version = schema_version()
    if version is None:
        return _check(
            "esquema",
            ERROR,
            "O banco não tem o esquema do pec-tui.",
            "Crie-o com 'pec-tui init' (ou confira se este é o banco certo).",
            versao=None,
            versao_programa=LATEST_VERSION,
        )
    if version < LATEST_VERSION:
        return _check(
            "esquema",
            ERROR,
            f"Esquema na versão {version}; este pec-tui usa a {LATEST_VERSION}.",
            "Rode 'pec-tui migrate'.",
            versao=version,
            versao_programa=LATEST_VERSION,
        )
    if version > LATEST_VERSION:
        return _check(
            "esquema",
            ERROR,
            f"Esquema na versão {version}, mais nova que a deste pec-tui ({LATEST_VERSION}).",
            "Atualize o pec-tui.",
            versao=version,
            versao_programa=LATEST_VERSION,
        )
    return _check("esquema", OK, f"Versão {version}, a deste pec-tui.", versao=version, versao_programa=LATEST_VERSION)


def check_liquibase_lock(config: DoctorConfig) -> Check:
    from pec_tui.storage import diagnostics

    lock = diagnostics.liquibase_lock()
    if lock is None:
        return _check("trava_liquibase", OK, "Não há tabela databasechangeloglock (ou ela está vazia).")
    if not lock.locked:
        return _check("trava_liquibase", OK, "Livre (databasechangeloglock.locked = false).", travada=False)
    since = f" desde {format_datetime(lock.granted_at)}" if lock.granted_at else ""
    by = f" por {lock.locked_by}" if lock.locked_by else ""
    found = f"Travada{since}{by}."
    release = (
        "Com o PEC parado (systemctl stop e-SUS-PEC), libere a trava no banco: UPDATE databasechangeloglock "
        "SET locked = false, lockgranted = NULL, lockedby = NULL; e inicie o PEC de novo."
    )
    details = {
        "travada": True,
        "desde": lock.granted_at.isoformat(sep=" ") if lock.granted_at else None,
        "por": lock.locked_by,
    }
    if lock.granted_at is not None:
        age = clock.now() - lock.granted_at
        if dt.timedelta(0) <= age < dt.timedelta(minutes=config.stale_lock_minutes):
            return _check(
                "trava_liquibase",
                WARNING,
                found + " O PEC pode estar atualizando o banco agora.",
                f"Espere alguns minutos e rode o diagnóstico de novo; se a trava continuar depois de "
                f"{config.stale_lock_minutes} minutos, ela ficou para trás. {release}",
                **details,
            )
    return _check("trava_liquibase", ERROR, found + " Uma trava esquecida impede o PEC de iniciar.", release, **details)


def check_shared_cns() -> Check:
    from pec_tui.storage import diagnostics

    shared = diagnostics.shared_cns()
    if not shared:
        return _check("cns_compartilhado", OK, "Cada CNS pertence a um só profissional.", cns=[])
    parts = [f"{item.cns} ({' e '.join(name for _, name in item.professionals)})" for item in shared[:3]]
    more = f" e mais {len(shared) - 3}" if len(shared) > 3 else ""
    plural = "CNS pertencem" if len(shared) > 1 else "CNS pertence"
    return _check(
        "cns_compartilhado",
        ERROR,
        f"{len(shared)} {plural} a mais de um profissional: {'; '.join(parts)}{more}.",
        "O PEC mostra o nome errado nos atendimentos desses profissionais. Confira no CNES qual "
        "profissional é o dono de cada CNS e corrija o cadastro do outro (tb_prof_historico_cns).",
        cns=[
            {"cns": item.cns, "profissionais": [{"id": pid, "nome": name} for pid, name in item.professionals]}
            for item in shared
        ],
    )


def check_blocked_users(shown: int = 3) -> Check:
    from peewee import JOIN

    from pec_tui.storage.models import Professional, User

    count = User.select().where(User.blocked == True).count()
    if count == 0:
        return _check("usuarios_bloqueados", OK, "Nenhum usuário bloqueado.", quantidade=0, nomes=[])
    rows = (
        User.select(User.login, Professional.name)
        .join(Professional, on=(Professional.user == User.id), join_type=JOIN.LEFT_OUTER)
        .where(User.blocked == True)
        .order_by(Professional.name, User.login)
        .limit(shown)
        .dicts()
    )
    names = [row["name"] or f"login {row['login']}" for row in rows]
    more = f" e mais {count - len(names)}" if count > len(names) else ""
    plural = "usuários bloqueados" if count > 1 else "usuário bloqueado"
    return _check(
        "usuarios_bloqueados",
        WARNING,
        f"{count} {plural}: {', '.join(names)}{more}.",
        "Se forem pessoas que ainda trabalham, desbloqueie em Profissionais (redefinir a senha).",
        quantidade=count,
        nomes=names,
    )


SERVICE_NAMES = {
    "CADSUS": "CADSUS",
    "HORUS": "Hórus",
    "INTERNET": "Conexão com a internet",
    "AGENDA_ONLINE": "Agenda Online",
}


def check_timers() -> Check:
    from pec_tui.storage.models import ServiceToggle

    now = clock.now()
    rows = list(
        ServiceToggle.select()
        .where(ServiceToggle.disabled_until.is_null() | (ServiceToggle.disabled_until > now))
        .order_by(ServiceToggle.service)
    )
    if not rows:
        return _check("temporizadores", OK, "Nenhum serviço desabilitado.", servicos=[])
    parts = []
    for row in rows:
        name = SERVICE_NAMES.get(row.service.upper(), row.service)
        if row.disabled_until is None:
            parts.append(f"{name} por tempo indeterminado")
        else:
            left = format_duration(row.disabled_until - now)
            parts.append(f"{name} até {format_datetime(row.disabled_until)} (faltam {left})")
    return _check(
        "temporizadores",
        WARNING,
        f"Desabilitado: {'; '.join(parts)}.",
        "Cada um volta sozinho no fim do prazo; para habilitar antes, use Configurações da instalação › Conexão.",
        servicos=[
            {"servico": row.service, "ate": row.disabled_until.isoformat(sep=" ") if row.disabled_until else None}
            for row in rows
        ],
    )


# ============================================================================================
# Host checks (thread pool)
# ============================================================================================


def check_pec_version(facts: _Facts, config: DoctorConfig) -> Check:
    if facts.db_version_error is not None:
        return _check("versao_banco", WARNING, f"Não verificado: {facts.db_version_error}.")
    app_version, source = pec_application_version(config.pec_home)
    if facts.db_version is None:
        return _check(
            "versao_banco",
            ERROR,
            "tb_config_sistema não tem VERSAOBANCODADOS.",
            "O PEC compara essa chave com a versão do programa ao iniciar. Confira se este é o banco do "
            "PEC; num banco restaurado, restaure de novo a partir de uma cópia completa.",
            versao_banco=None,
            versao_programa=app_version,
        )
    if app_version is None:
        return _check(
            "versao_banco",
            OK,
            f"VERSAOBANCODADOS = {facts.db_version}. A versão do programa do PEC não pôde ser lida "
            f"({source}) para comparar.",
            versao_banco=facts.db_version,
            versao_programa=None,
        )
    if not _same_version(app_version, facts.db_version):
        return _check(
            "versao_banco",
            ERROR,
            f"VERSAOBANCODADOS = {facts.db_version}, mas o programa do PEC é a versão {app_version} ({source}). "
            "O PEC não inicia com as versões diferentes.",
            "Instale o PEC da mesma versão do banco, ou atualize o PEC para que ele migre o banco.",
            versao_banco=facts.db_version,
            versao_programa=app_version,
        )
    return _check(
        "versao_banco",
        OK,
        f"VERSAOBANCODADOS = {facts.db_version}, a mesma do programa do PEC.",
        versao_banco=facts.db_version,
        versao_programa=app_version,
    )


def _same_version(a: str, b: str) -> bool:
    a, b = a.strip().lstrip("vV"), b.strip().lstrip("vV")
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


_JAR_VERSION = re.compile(r"(?:^|/)backend-(\d+(?:\.\d+){1,3})[^/]*\.jar$")


def pec_application_version(pec_home: Path | None) -> tuple[str | None, str]:
    """The PEC program's version from the installation, and where it came from (or why not).

    Unconfirmed layout: the application is ``webserver/pec-bundle.jar`` (a Spring Boot jar) whose
    ``backend-<versão>.jar`` entry names the version; only the zip's directory is read."""
    if pec_home is None or not pec_home.is_dir():
        return None, NO_PEC_HOME
    webserver = pec_home / "webserver"
    candidates = sorted(webserver.glob("*.jar")) if webserver.is_dir() else []
    for jar in candidates:
        try:
            with zipfile.ZipFile(jar) as archive:
                for name in archive.namelist():
                    match = _JAR_VERSION.search(name)
                    if match:
                        return match.group(1), jar.name
        except (OSError, zipfile.BadZipFile):
            continue
    return None, f"nenhum .jar com a versão em {webserver}"


def check_link(facts: _Facts, config: DoctorConfig) -> Check:
    if facts.link_error is not None:
        return _check("link_instalacao", WARNING, f"Não verificado: {facts.link_error}.")
    if facts.link is None:
        return _check(
            "link_instalacao",
            WARNING,
            "LINKINSTALACAO não está definido.",
            "Informe o link em Configurações da instalação › Servidores (o endereço pelo qual os "
            "usuários abrem o PEC).",
        )
    probe = http_get(facts.link, config.http_timeout)
    if probe.error is not None:
        return _check(
            "link_instalacao",
            WARNING,
            f"LINKINSTALACAO = {facts.link} não respondeu: {probe.error}.",
            "Se o banco foi restaurado de outra instalação, o link ainda aponta para ela: corrija-o em "
            "Configurações da instalação › Servidores.",
            link=facts.link,
            erro=probe.error,
        )
    return _check(
        "link_instalacao",
        OK,
        f"LINKINSTALACAO = {facts.link} respondeu (HTTP {probe.status}).",
        link=facts.link,
        http=probe.status,
    )


def check_pec_application(config: DoctorConfig) -> Check:
    url = config.pec_url
    probe = http_get(url, config.http_timeout, read_body=True)
    if probe.error is not None:
        return _check(
            "aplicacao_pec",
            ERROR,
            f"{url} não respondeu: {probe.error}.",
            "Verifique o serviço: systemctl status e-SUS-PEC; veja o fim de webserver/logs/pec.log "
            "(Console do servidor › Log do PEC).",
            url=url,
            erro=probe.error,
        )
    if probe.status != 200:
        return _check(
            "aplicacao_pec",
            WARNING,
            f"{url} respondeu HTTP {probe.status}.",
            "O PEC pode estar iniciando; espere alguns minutos. Se continuar, veja o log do PEC.",
            url=url,
            http=probe.status,
        )
    version = _version_in_json(probe.body)
    suffix = f"; versão {version}" if version else ""
    return _check(
        "aplicacao_pec",
        OK,
        f"Respondeu em {probe.seconds * 1000:.0f} ms{suffix}.",
        url=url,
        http=probe.status,
        versao=version,
    )


def _version_in_json(body: bytes) -> str | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if "vers" in str(key).lower() and isinstance(value, (str, int, float)):
                    return str(value)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return None


def check_disk_pec_home(config: DoctorConfig) -> Check:
    if config.pec_home is None or not config.pec_home.is_dir():
        where = f" ({config.pec_home})" if config.pec_home else ""
        return _check(
            "disco_instalacao",
            WARNING,
            f"{NO_PEC_HOME[0].upper()}{NO_PEC_HOME[1:]}{where}.",
            "Informe a pasta com --pec-home (padrão /opt/e-SUS).",
        )
    return _disk("disco_instalacao", config.pec_home, config)


def check_disk_database(facts: _Facts, config: DoctorConfig) -> Check:
    if facts.db_dir is None:
        return _check(
            "disco_banco",
            WARNING,
            f"Não verificado: {facts.db_dir_problem or 'pasta do banco desconhecida'}.",
            "Verifique o espaço com 'df -h' na máquina do banco.",
        )
    return _disk("disco_banco", facts.db_dir, config)


def _disk(key: str, path: Path, config: DoctorConfig) -> Check:
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent  # a data directory we may not enter: measure its nearest parent
    usage = shutil.disk_usage(probe)
    fraction = usage.free / usage.total if usage.total else 0.0
    found = f"{format_bytes(usage.free)} livres de {format_bytes(usage.total)} ({fraction * 100:.0f}%) em {path}."
    details = {"pasta": str(path), "livre_bytes": usage.free, "total_bytes": usage.total}
    if usage.free < config.disk_error_free_bytes or fraction < config.disk_error_free_fraction:
        return _check(
            key,
            ERROR,
            found,
            "Libere espaço já: apague cópias de segurança antigas ou mova-as para outro disco. "
            "Sem espaço, o banco para de gravar.",
            **details,
        )
    if usage.free < config.disk_warning_free_bytes or fraction < config.disk_warning_free_fraction:
        return _check(
            key,
            WARNING,
            found,
            "Planeje liberar espaço (cópias de segurança antigas, logs) antes que acabe.",
            **details,
        )
    return _check(key, OK, found, **details)


def check_chaves(config: DoctorConfig) -> Check:
    if config.pec_home is None or not config.pec_home.is_dir():
        where = f" ({config.pec_home})" if config.pec_home else ""
        return _check(
            "pasta_chaves",
            WARNING,
            f"{NO_PEC_HOME[0].upper()}{NO_PEC_HOME[1:]}{where}.",
            "Informe a pasta com --pec-home (padrão /opt/e-SUS).",
        )
    folder = config.pec_home / "webserver" / "chaves"
    if not folder.is_dir():
        return _check(
            "pasta_chaves",
            WARNING,
            f"A pasta {folder} não existe.",
            f"Crie-a (mkdir {folder}; chmod 700 {folder}) e coloque nela o certificado A1 do município (.pfx ou .p12).",
            pasta=str(folder),
        )
    problems: list[tuple[str, str]] = []  # (status, sentence)
    commands: list[str] = []
    advice: list[str] = []
    mode = folder.stat().st_mode
    if mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IXOTH):
        # Writable by anyone: a certificate can be swapped. Readable: its names can be listed
        # (the files' own permissions decide who reads them).
        what = _world_access(mode)
        problems.append(
            (ERROR if mode & stat.S_IWOTH else WARNING, f"a pasta pode ser {what} por qualquer usuário da máquina")
        )
        commands.append(f"chmod 700 {folder}")
    certificates, cer_files, exposed = [], [], []
    for entry in sorted(folder.iterdir()):
        suffix = entry.suffix.lower()
        if suffix in (".pfx", ".p12"):
            certificates.append(entry.name)
            if entry.stat().st_mode & (stat.S_IROTH | stat.S_IWOTH):
                exposed.append(entry.name)
        elif suffix == ".cer":
            cer_files.append(entry.name)
    if exposed:
        problems.append((ERROR, f"{', '.join(exposed)} pode ser lido por qualquer usuário"))
        commands.append(f"chmod 600 {' '.join(str(folder / name) for name in exposed)}")
    if cer_files:
        problems.append((WARNING, f"{', '.join(cer_files)}: arquivo .cer não é aceito pelo PEC"))
        advice.append("Troque o .cer pelo certificado A1 com a chave privada (.pfx ou .p12).")
    if not certificates:
        problems.append((WARNING, "nenhum certificado .pfx ou .p12"))
        advice.append("Coloque na pasta o certificado A1 do município (.pfx ou .p12).")
    listed = f"Certificados: {', '.join(certificates)}." if certificates else "Nenhum certificado .pfx/.p12."
    details = {
        "pasta": str(folder),
        "permissoes": oct(stat.S_IMODE(mode)),
        "certificados": certificates,
        "arquivos_cer": cer_files,
    }
    if not problems:
        return _check("pasta_chaves", OK, f"{folder} com permissões restritas. {listed}", **details)
    status = worst(s for s, _ in problems)
    sentence = "; ".join(text for _, text in problems)
    found = f"{folder}: {sentence}." + ("" if not certificates else f" {listed}")
    action = " ".join(([f"Rode: {'; '.join(commands)}."] if commands else []) + advice)
    return _check("pasta_chaves", status, found, action, **details)


def _world_access(mode: int) -> str:
    words = []
    if mode & stat.S_IROTH:
        words.append("lida")
    if mode & stat.S_IWOTH:
        words.append("alterada")
    if mode & stat.S_IXOTH and not words:
        words.append("aberta")
    return " e ".join(words)


# ============================================================================================
# HTTP and formatting
# ============================================================================================


@dataclass(frozen=True)
class HttpProbe:
    status: int | None
    seconds: float
    error: str | None = None
    body: bytes = b""


def http_get(url: str, timeout: float, *, read_body: bool = False, max_body: int = 65536) -> HttpProbe:
    """One GET without following redirects: any HTTP answer counts as "answering".

    A link without a port means port 80 (443 for https)."""
    begin = time.monotonic()
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return HttpProbe(None, 0.0, f"o endereço '{url}' não é um link http(s) válido")
    try:
        port = parts.port
    except ValueError:
        return HttpProbe(None, 0.0, f"a porta do endereço '{url}' não é um número válido")
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, port or 443, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port or 80, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    try:
        connection.request("GET", path, headers={"User-Agent": "pec-tui doctor", "Accept": "*/*"})
        response = connection.getresponse()
        body = response.read(max_body) if read_body else b""
        return HttpProbe(response.status, time.monotonic() - begin, None, body)
    except TimeoutError:
        return HttpProbe(None, time.monotonic() - begin, f"não respondeu em {timeout:g} s")
    except ConnectionRefusedError:
        return HttpProbe(None, time.monotonic() - begin, f"conexão recusada na porta {port or _default_port(parts)}")
    except socket.gaierror:
        return HttpProbe(None, time.monotonic() - begin, f"o nome '{parts.hostname}' não foi encontrado (DNS)")
    except ssl.SSLError as exc:
        return HttpProbe(None, time.monotonic() - begin, f"falha no TLS ({exc.reason or exc})")
    except OSError as exc:
        return HttpProbe(None, time.monotonic() - begin, exc.strerror or str(exc) or type(exc).__name__)
    except http.client.HTTPException as exc:
        return HttpProbe(None, time.monotonic() - begin, f"resposta HTTP inválida ({type(exc).__name__})")
    finally:
        connection.close()


def _default_port(parts) -> int:
    return 443 if parts.scheme == "https" else 80


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


def format_bytes(size: float) -> str:
    """``1536`` → ``1,5 KB``; binary multiples, decimal comma (as an administrator reads them)."""
    units = ("bytes", "KB", "MB", "GB", "TB")
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            if unit == "bytes":
                return f"{int(value)} bytes"
            return f"{value:.1f} {unit}".replace(".", ",")
        value /= 1024
    raise AssertionError("unreachable")


def format_duration(delta: dt.timedelta) -> str:
    """``1 d 2 h``, ``2 h 5 min``, ``30 min`` (rounded up to the minute)."""
    minutes = max(0, int((delta.total_seconds() + 59) // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def format_datetime(moment: dt.datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value
