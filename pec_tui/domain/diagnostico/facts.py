"""What the host checks need from the database, read first in the caller's thread (the one
that owns the connection), so the checks in the thread pool never touch the database."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pec_tui.domain.diagnostico.report import one_sentence


@dataclass
class Facts:
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


def read_facts(opened, open_error: str | None) -> Facts:
    from pec_tui.domain import settings

    facts = Facts()
    if opened is None:
        facts.db_error = open_error or "Nenhum banco de dados aberto."
        facts.link_error = facts.db_version_error = facts.db_dir_problem = "o banco de dados não pôde ser usado"
        return facts
    facts.kind = opened.kind
    facts.display = opened.display
    try:
        opened.db.execute_sql("SELECT 1").fetchone()
    except Exception as exc:
        facts.db_error = one_sentence(exc)
        facts.link_error = facts.db_version_error = facts.db_dir_problem = "o banco de dados não respondeu"
        return facts
    try:
        facts.link = (settings.get_text(settings.INSTALLATION_LINK) or "").strip() or None
    except Exception as exc:
        facts.link_error = one_sentence(exc)
    try:
        facts.db_version = (settings.get_text(settings.DATABASE_VERSION) or "").strip() or None
    except Exception as exc:
        facts.db_version_error = one_sentence(exc)
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
            f"não foi possível ler a pasta de dados do PostgreSQL (SHOW data_directory): {one_sentence(exc)}"
        )
    return facts


def _is_local(host: str) -> bool:
    return host in {"127.0.0.1", "localhost", "::1", ""} or host.startswith("/") or host == socket.gethostname()
