"""What the database really has: PEC's tables and columns, PEC's version, and how a model differs.

Read once at open (two catalogue queries), so the console and the CLI can say, before anything is
written, whether this is a PEC installation, which version, and what pec-tui may read or write
there. A column set pec-tui does not know degrades a module to read-only (or unavailable), never
to a crash: :func:`differences` names each gap in Portuguese.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peewee import CharField, Database, Model, PostgresqlDatabase

from .models import OWN_SCHEMA, ConsoleSetting

#: The setting that holds PEC's database version; PEC refuses to start when it differs from the
#: application's.
VERSION_KEY = "VERSAOBANCODADOS"
SETTINGS_TABLE = "tb_config_sistema"
#: The console setting that marks a database pec-tui made itself (``init``, ``demo``, or
#: ``migrate`` on an empty database): PEC's tables there are pec-tui's to create and seed.
OWN_DATABASE_KEY = "PECTUI_BANCO_PROPRIO"


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str  # as the catalogue says it: "integer", "character varying", "INTEGER"…
    max_length: int | None
    nullable: bool
    has_default: bool


@dataclass(frozen=True)
class Catalogue:
    """PEC's schema as this database has it (``public`` on PostgreSQL, the main file on SQLite)."""

    tables: dict[str, dict[str, Column]] = field(default_factory=dict)
    pec_version: str | None = None
    own_database: bool = False

    @property
    def is_pec(self) -> bool:
        """PEC's settings table with PEC's database version in it."""
        return self.pec_version is not None

    @property
    def is_pec_installation(self) -> bool:
        """A PEC installation's own database: PEC's version is set, and the database is not one
        pec-tui made (the embedded SQLite, the demo, a database made by ``pec-tui init``)."""
        return self.is_pec and not self.own_database

    @property
    def has_pec_tables(self) -> bool:
        """PEC's tables are here (a PEC installation's, or ones pec-tui made)."""
        return "tb_usuario" in self.tables

    def columns(self, table: str) -> dict[str, Column] | None:
        return self.tables.get(table)


def read_catalogue(db: Database) -> Catalogue:
    """The tables and columns of PEC's schema and ``VERSAOBANCODADOS``, read-only."""
    tables: dict[str, dict[str, Column]] = {}
    if isinstance(db, PostgresqlDatabase):
        rows = db.execute_sql(
            "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable = 'YES', "
            "column_default IS NOT NULL FROM information_schema.columns WHERE table_schema = 'public' "
            "ORDER BY table_name, ordinal_position"
        ).fetchall()
        for table, name, data_type, length, nullable, has_default in rows:
            tables.setdefault(table, {})[name] = Column(name, data_type, length, nullable, has_default)
    else:
        names = [
            row[0]
            for row in db.execute_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
        ]
        for table in names:
            for _cid, name, declared, notnull, default, pk in db.execute_sql(
                f'PRAGMA table_info("{table}")'
            ).fetchall():
                length = _declared_length(declared)
                tables.setdefault(table, {})[name] = Column(
                    name, declared.upper(), length, not notnull and not pk, default is not None
                )
    version = None
    settings = tables.get(SETTINGS_TABLE, {})
    if "co_config_sistema" in settings and "ds_texto" in settings:
        row = db.execute_sql(
            f"SELECT ds_texto FROM {SETTINGS_TABLE} WHERE co_config_sistema = {db.param}", (VERSION_KEY,)
        ).fetchone()
        version = row[0] if row else None
    return Catalogue(tables, version, _own_database(db))


def _own_database(db: Database) -> bool:
    if isinstance(db, PostgresqlDatabase):
        (exists,) = db.execute_sql("SELECT to_regclass(%s) IS NOT NULL", (f"{OWN_SCHEMA}.configuracao",)).fetchone()
        if not exists:
            return False
        table = f'"{OWN_SCHEMA}"."configuracao"'
    else:
        if not db.table_exists(f"{OWN_SCHEMA}_configuracao"):
            return False
        table = f'"{OWN_SCHEMA}_configuracao"'
    key = ConsoleSetting.key.column_name
    row = db.execute_sql(f"SELECT 1 FROM {table} WHERE {key} = {db.param}", (OWN_DATABASE_KEY,)).fetchone()
    return row is not None


def _declared_length(declared: str) -> int | None:
    if "(" in declared and declared.endswith(")"):
        inside = declared[declared.index("(") + 1 : -1]
        if inside.isdigit():
            return int(inside)
    return None


def differences(catalogue: Catalogue, model: type[Model]) -> list[str]:
    """How ``model`` differs from the table the database has, in Portuguese; empty when it fits.

    A missing table or column, a column shorter than the model writes, and a NOT NULL column
    without default that the model does not fill (an insert would fail) are differences."""
    table = model._meta.table_name
    columns = catalogue.columns(table)
    if columns is None:
        return [f"a tabela {table} não existe neste banco"]
    problems: list[str] = []
    known = set()
    for model_field in model._meta.sorted_fields:
        name = model_field.column_name
        known.add(name)
        column = columns.get(name)
        if column is None:
            problems.append(f"{table}.{name} não existe neste banco")
            continue
        if (
            isinstance(model_field, CharField)
            and column.max_length is not None
            and model_field.max_length > column.max_length
        ):
            problems.append(
                f"{table}.{name} guarda até {column.max_length} caracteres; o pec-tui escreveria até "
                f"{model_field.max_length}"
            )
    for name, column in columns.items():
        if name not in known and not column.nullable and not column.has_default:
            problems.append(f"{table}.{name} é obrigatória e o pec-tui não a preenche")
    return problems
