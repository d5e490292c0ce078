"""Accent- and case-insensitive text search that works the same on SQLite and PostgreSQL.

``folded(field)`` is a SQL expression of the column with accents removed and lower-cased;
``fold(text)`` does the same to the search term in Python, with the same table, so "sao jose"
finds "SÃO JOSÉ" on both databases without PostgreSQL's ``unaccent`` extension:

* PostgreSQL: ``lower(translate(col, 'ÁÀ…', 'aa…'))``;
* SQLite: a deterministic function ``pectui_fold`` registered on the connection (SQLite's own
  ``lower()`` only folds ASCII).

Neither form can use an ordinary index; callers narrow the rows first (by municipality, unit…)
and search the few that remain.

Every list's filter text goes through :func:`search_text` first: what a user can type or paste
(a NUL, a lone surrogate, a 100,000-character line, 500 words) reaches SQL bounded and clean,
since the drivers fail on it in English ("parser stack overflow", "LIKE or GLOB pattern too
complex", ``RecursionError``, ``ValueError``, ``UnicodeEncodeError``). :func:`contains` and
:func:`all_terms_match` apply the same bounds, for a caller that forgets.
"""

from __future__ import annotations

import unicodedata

from peewee import SQL, Node, NodeList, fn

from pec_tui.storage.database import current_database, is_postgres

ACCENTED = "ÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑÝáàâãäåéèêëíìîïóòôõöúùûüçñýÿ"
PLAIN = "aaaaaaeeeeiiiiooooouuuucnyaaaaaaeeeeiiiiooooouuuucnyy"
_TABLE = str.maketrans(ACCENTED, PLAIN)
SQLITE_FUNCTION = "pectui_fold"


MAX_SEARCH_CHARS = 100
"""Characters of a list's filter text that reach SQL (a name has a few dozen)."""

MAX_SEARCH_WORDS = 8
"""Words of a list's filter text that reach SQL, each a condition on every searched column."""


def search_text(query: str | None) -> str:
    """A list's filter text as it may reach SQL: control characters (NUL…) and lone surrogates
    become spaces, invisible format characters go, runs of spaces become one, and at most
    :data:`MAX_SEARCH_WORDS` words and :data:`MAX_SEARCH_CHARS` characters are kept."""
    if not query:
        return ""
    text = str(query)[: MAX_SEARCH_CHARS * 4]  # bounded before any work on it
    cleaned = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs"):
            cleaned.append(" ")
        elif category != "Cf":
            cleaned.append(char)
    words = "".join(cleaned).split()[:MAX_SEARCH_WORDS]
    return " ".join(words)[:MAX_SEARCH_CHARS].strip()


def fold(text: str | None) -> str:
    """``text`` without the accents of ``ACCENTED``, lower-cased (None → "")."""
    if text is None:
        return ""
    return str(text).translate(_TABLE).lower()


def filter_form(text: str | None) -> str | None:
    """PEC's ``*_filtro`` form of a name: upper case, without accents, single spaces
    ("São José" → "SAO JOSE"). PEC keeps it beside every searchable name."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.upper().split())


def folded(column: Node) -> Node:
    """SQL expression: ``column`` folded like :func:`fold`."""
    db = current_database()
    if is_postgres(db):
        return fn.lower(fn.translate(column, ACCENTED, PLAIN))
    if SQLITE_FUNCTION not in db._functions:
        db.register_function(fold, SQLITE_FUNCTION, 1, deterministic=True)  # future connections
    else:
        # This thread's connection may predate the registration: (re)define it there; cheap.
        db.connection().create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)
    return fn.pectui_fold(column)


def like_escaped(term: str) -> str:
    """``%term%`` for LIKE, with ``\\``, ``%`` and ``_`` of ``term`` taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(column: Node, term: str) -> NodeList:
    """``column LIKE '%term%'``, case-sensitive on PostgreSQL: plain LIKE, not ILIKE, which is
    much slower under a non-C collation. For columns already folded, or digits (CNES, CPF)."""
    if len(term) > MAX_SEARCH_CHARS or not term.isprintable():
        term = search_text(term)
    return NodeList((column, SQL("LIKE"), like_escaped(term), SQL("ESCAPE '\\'")), parens=True)


def folded_contains(column: Node, term: str) -> NodeList:
    """``column`` contains ``term``, ignoring case and accents (LIKE wildcards in ``term`` are literal)."""
    return contains(folded(column), fold(term))


def all_terms_match(columns: list[Node], text: str) -> Node | None:
    """Each word of ``text`` appears in at least one of ``columns`` (None when ``text`` is blank)."""
    condition: Node | None = None
    for word in search_text(text).split():
        any_column = None
        for column in columns:
            match = folded_contains(column, word)
            any_column = match if any_column is None else (any_column | match)
        condition = any_column if condition is None else (condition & any_column)
    return condition
