"""Versioned schema migrations, for SQLite and PostgreSQL alike.

Rule for later versions: a migration that adds a column also adds the field to the model and
registers it with :func:`add_column`, which skips a column that already exists (a database
created fresh at version N gets it from ``create_tables``). Data migrations are plain functions.
Each migration runs in its own transaction and records itself in ``pectui_versao_esquema``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from peewee import Field

from pec_tui.core import clock
from pec_tui.core.errors import PecError

from . import reference
from .database import current_database, is_postgres, transaction
from .fields import FlagField
from .introspection import read_catalogue
from .models import ALL_MODELS, Cbo, SchemaVersion


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[], None]


def _initial_schema() -> None:
    current_database().create_tables(ALL_MODELS, safe=True)
    reference.seed_geography()
    reference.seed_unit_and_team_types()


def read_cbo_catalogue() -> list[dict[str, object]]:
    """The CBO 2002 occupations primary care uses, as shipped in ``pec_tui/data/cbo.csv``
    (``codigo;nome;duracao_consulta_minutos``, the duration optional)."""
    text = resources.files("pec_tui").joinpath("data/cbo.csv").read_text(encoding="utf-8")
    rows = []
    for record in csv.DictReader(text.splitlines(), delimiter=";"):
        minutes = (record.get("duracao_consulta_minutos") or "").strip()
        rows.append(
            {
                "code": record["codigo"].strip(),
                "name": record["nome"].strip(),
                "appointment_minutes": int(minutes) if minutes else None,
            }
        )
    return rows


def seed_cbo_catalogue() -> int:
    """Insert the shipped CBOs that ``tb_cbo`` lacks; existing rows (and their settings) stay.

    Returns how many rows were inserted. Safe to run again."""
    before = Cbo.select().count()
    rows = read_cbo_catalogue()
    for start in range(0, len(rows), 200):
        Cbo.insert_many(rows[start : start + 200]).on_conflict_ignore().execute()
    return Cbo.select().count() - before


#: Indexes no query uses, dropped by migration 3: each cost every row the CNES import writes
#: (150,000 lotações and roles, 100,000 professionals in a large municipality).
UNUSED_INDEXES = ("tb_ator_papel_no_tipo_ator_papel", "tb_lotacao_co_cbo", "tb_prof_co_localidade_endereco")


def drop_unused_indexes() -> None:
    """Drop :data:`UNUSED_INDEXES` (a database created at version 3 never had them)."""
    db = current_database()
    for name in UNUSED_INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')


def flags_as_integers() -> None:
    """PEC keeps every ``st_*`` flag as an integer 0/1: a PostgreSQL database created before
    version 4 had them as ``boolean``. SQLite already stores 0/1 and needs nothing."""
    db = current_database()
    if not is_postgres(db):
        return
    for model in ALL_MODELS:
        table = model._meta.table_name
        flags = [f.column_name for f in model._meta.sorted_fields if isinstance(f, FlagField)]
        if not flags:
            continue
        booleans = {
            row[0]
            for row in db.execute_sql(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = %s AND data_type = 'boolean'",
                (table,),
            ).fetchall()
        }
        for column in flags:
            if column in booleans:
                db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE integer USING "{column}"::integer')


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "Esquema inicial: tabelas do PEC e do pec-tui, UFs e municípios do IBGE", _initial_schema),
    Migration(2, "Catálogo de CBO da atenção primária (tb_cbo)", seed_cbo_catalogue),
    Migration(
        3,
        "Sem índices que nenhuma consulta usa (tipo do papel, CBO da lotação, município do endereço)",
        drop_unused_indexes,
    ),
    Migration(4, "Indicadores (st_*) como inteiros 0/1, como no PEC", flags_as_integers),
)

LATEST_VERSION = MIGRATIONS[-1].version


def add_column(model, field_name: str) -> None:
    """Add ``model.<field_name>`` to its table unless the column is already there."""
    db = current_database()
    field: Field = model._meta.fields[field_name]
    table = model._meta.table_name
    columns = {column.name for column in db.get_columns(table)}
    if field.column_name in columns:
        return
    # Imported here: the console checks the schema version at every start, and adds a column
    # only on an upgrade.
    from playhouse.migrate import PostgresqlMigrator, SqliteMigrator
    from playhouse.migrate import migrate as run_operations

    migrator = PostgresqlMigrator(db) if is_postgres(db) else SqliteMigrator(db)
    run_operations(migrator.add_column(table, field.column_name, field))


def schema_version() -> int | None:
    """The version of this database's schema, or ``None`` when it has none of ours."""
    db = current_database()
    if not db.table_exists(SchemaVersion._meta.table_name):
        return None
    row = SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).first()
    return row.version if row else None


def refuse_pec_installation(action: str | None = None) -> None:
    """Refuse on a PEC installation's database (``action`` names what was asked, if anything).

    This version's tables still carry PEC's names inside PEC's own schema; creating them there
    would alter a running PEC (and build indexes that block its writes meanwhile). Until pec-tui
    keeps its state in a schema of its own, it creates and changes nothing on such a database."""
    catalogue = read_catalogue(current_database())
    if catalogue.is_pec_installation:
        sentence = (
            f"banco é de uma instalação do PEC (versão {catalogue.pec_version}), e esta versão do pec-tui ainda "
            "não abre bancos do PEC: o esquema dela criaria tabelas e índices no esquema do próprio PEC, que o "
            "pec-tui não altera. 'pec-tui doctor' mostra o que falta, módulo a módulo."
        )
        raise PecError(f"{action} recusado: este {sentence}" if action else f"Este {sentence}")


def migrate() -> list[int]:
    """Apply every pending migration; return the versions applied."""
    db = current_database()
    current = schema_version() or 0
    if current == 0:
        refuse_pec_installation("'pec-tui migrate'")
    if current > LATEST_VERSION:
        raise PecError(
            f"O banco está na versão {current} do esquema do pec-tui, mais nova que a deste programa "
            f"({LATEST_VERSION}); atualize o pec-tui."
        )
    applied = []
    for migration in MIGRATIONS:
        if migration.version <= current:
            continue
        with transaction():
            if not db.table_exists(SchemaVersion._meta.table_name):
                db.create_tables([SchemaVersion])
            migration.apply()
            SchemaVersion.create(version=migration.version, applied_at=clock.now(), description=migration.description)
        applied.append(migration.version)
    return applied


def require_schema() -> int:
    """Refuse to go on when the database has no pec-tui schema or an older one."""
    version = schema_version()
    if version is None:
        refuse_pec_installation()
        raise PecError("Este banco não tem o esquema do pec-tui; crie-o com 'pec-tui init'.")
    if version < LATEST_VERSION:
        raise PecError(
            f"O esquema do banco está na versão {version} e este pec-tui usa a {LATEST_VERSION}; "
            "rode 'pec-tui migrate'."
        )
    return version
