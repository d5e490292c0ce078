"""Database drivers' English texts as Portuguese sentences; the driver's own text goes to the log.

SQLite and psycopg2 answer in English ("database is locked", "attempt to write a readonly
database", "parser stack overflow", "deadlock detected"…). :func:`describe` turns a driver error
(``sqlite3.Error``, ``psycopg2.Error``, peewee's wrappers of them) into one sentence for the
screen and logs the original under ``pec_tui.storage``; it returns None for anything else.
"""

from __future__ import annotations

import logging
import re
import sqlite3

from peewee import Database, PeeweeException

from pec_tui.storage import busy

log = logging.getLogger("pec_tui.storage")

#: What a write says when the database user may only read (the manual's esus_leitura).
READ_ONLY_SENTENCE = (
    "O usuário do banco de dados só tem permissão de leitura (como o esus_leitura do PEC): para gravar, "
    "abra o pec-tui com um usuário do banco que possa escrever."
)

_SENTENCES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), sentence)
    for pattern, sentence in (
        (
            r"readonly database|read-only|somente leitura",
            "O banco de dados não pode ser gravado: o arquivo ou a pasta dele é somente leitura para este "
            "usuário do sistema.",
        ),
        (
            r"permission denied|must be owner|insufficient privilege",
            READ_ONLY_SENTENCE,
        ),
        (r"database or disk is full|No space left|disk full", "O disco do banco de dados está cheio."),
        (r"disk I/O error", "O sistema não conseguiu ler ou gravar o arquivo do banco (erro de disco)."),
        (
            r"malformed|not a database|file is encrypted",
            "O arquivo do banco SQLite está corrompido; restaure uma cópia de segurança.",
        ),
        (
            r"parser stack overflow|pattern too complex|Expression tree is too large|too many terms|"
            r"stack depth limit|too many SQL variables",
            "A busca ficou complexa demais para o banco; use menos palavras.",
        ),
        (r"deadlock detected", "A gravação conflitou com outra ao mesmo tempo e foi desfeita; tente de novo."),
        (
            r"statement timeout|lock timeout|canceling statement",
            "O banco demorou demais para responder; tente de novo.",
        ),
        (
            r"server closed the connection|connection already closed|terminating connection|could not connect|"
            r"connection refused|SSL connection",
            "A conexão com o banco de dados caiu; tente de novo.",
        ),
        (
            r"no such table|no such column|does not exist|não existe",
            "O banco de dados não tem o esquema que o pec-tui espera; rode 'pec-tui migrate'.",
        ),
        (
            r"UNIQUE constraint|duplicate key|unique",
            "Já existe um registro com esses dados.",
        ),
        (
            r"FOREIGN KEY constraint|foreign key",
            "A gravação deixaria um registro sem correspondência no banco.",
        ),
    )
)


def is_driver_error(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.Error | PeeweeException):
        return True
    try:
        import psycopg2
    except ImportError:  # pragma: no cover - psycopg2 is a dependency
        return False
    return isinstance(exc, psycopg2.Error)


def is_busy(exc: BaseException) -> bool:
    """SQLite gave up waiting for another writer."""
    text = str(exc).lower()
    return is_driver_error(exc) and ("database is locked" in text or "database is busy" in text)


def busy_sentence(db: Database | None) -> str:
    """What holds the database, when a writer said so, and what to do."""
    who = busy.holder(db) if db is not None else None
    if who:
        return f"O banco de dados está ocupado com {who}; tente de novo quando terminar."
    return "O banco de dados está ocupado com outra gravação demorada; tente de novo em alguns instantes."


def describe(exc: BaseException, db: Database | None = None) -> str | None:
    """The Portuguese sentence for a driver error (logged with its English text), else None."""
    if isinstance(exc, RecursionError):
        log.warning("busca recusada pelo interpretador: %s", exc)
        return "A busca ficou complexa demais para o banco; use menos palavras."
    if not is_driver_error(exc):
        return None
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    log.warning("erro do banco de dados (%s): %s", type(exc).__name__, text)
    if is_busy(exc):
        return busy_sentence(db)
    for pattern, sentence in _SENTENCES:
        if pattern.search(text):
            return sentence
    return f"O banco de dados recusou a operação ({type(exc).__name__}); os detalhes estão no registro do pec-tui."
