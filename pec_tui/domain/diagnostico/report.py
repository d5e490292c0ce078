"""What the doctor reports: the statuses, one :class:`Check` per check (in the order of
:data:`TITLES`), the whole :class:`Report`, and where to look (:class:`DoctorConfig`)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    "compatibilidade_pec": "Compatibilidade com o PEC",
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


def make_check(key: str, status: str, found: str, action: str = "", **details: Any) -> Check:
    return Check(key, TITLES[key], status, found, action, details)


def one_sentence(exc: BaseException) -> str:
    """One line about ``exc``: a PecError's message, else the first line of its text."""
    message = getattr(exc, "message", None) or next(iter(str(exc).strip().splitlines()), "")
    return f"{(message or type(exc).__name__).rstrip('.')}."


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
