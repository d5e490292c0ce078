"""Versioned migrations of pec-tui's own schema, for SQLite and PostgreSQL alike.

What is pec-tui's: the schema ``pectui`` on PostgreSQL (``pectui_*`` tables on SQLite) holds its
own state, and its version (``versao_esquema``). On a PEC installation's database that is all a
migration creates or changes: PEC's schema is PEC's — no table, column, index, trigger or
sequence of it is created, altered or dropped, and no reference row is seeded into it.

On a database pec-tui makes itself (``init``, ``demo``, or ``migrate`` on an empty database) the
first migration also creates PEC's tables as PEC defines them (the models), PEC's key sequences,
and the reference data a PEC installation ships (UFs, municipalities, CBO, unit and team types),
and marks the database as pec-tui's own (:data:`~.introspection.OWN_DATABASE_KEY`).

Versions 1 to 4 were development versions whose tables carried PEC's names with other columns,
in PEC's own schema; such a database cannot be upgraded (it is recreated).

Rule for later versions: a migration adds to the own schema (or, only on pec-tui's own database,
to PEC's tables). Each migration runs in its own transaction and records itself.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from peewee import fn

from pec_tui.core import clock
from pec_tui.core.errors import PecError

from . import reference
from .database import current_database, is_postgres, transaction
from .introspection import OWN_DATABASE_KEY, read_catalogue
from .models import (
    OWN_MODELS,
    OWN_SCHEMA,
    PEC_MODELS,
    AgendaConfigDetail,
    Cbo,
    CboMunicipal,
    ConsoleSetting,
    DayOfWeek,
    ExamGroup,
    ExamGroupProcedure,
    JobLease,
    Period,
    Procedure,
    RndsConfig,
    SchemaVersion,
)
from .search import filter_form
from .sequences import create_sequences, create_sqlite_table, next_ids


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[bool], None]  # called with whether this database is pec-tui's own


def create_own_schema() -> None:
    """The schema ``pectui`` and pec-tui's own tables (idempotent)."""
    db = current_database()
    if is_postgres(db):
        db.execute_sql(f'CREATE SCHEMA IF NOT EXISTS "{OWN_SCHEMA}"')
    else:
        create_sqlite_table(db)
    db.create_tables(OWN_MODELS, safe=True)


def create_pec_tables() -> None:
    """PEC's tables, their key sequences and the reference data, on pec-tui's own database."""
    db = current_database()
    db.create_tables(PEC_MODELS, safe=True)
    create_sequences(db, PEC_MODELS)
    reference.seed_geography()
    reference.seed_unit_and_team_types()
    reference.seed_municipal_reference()
    seed_cbo_catalogue()
    ConsoleSetting.insert(key=OWN_DATABASE_KEY, text="true").on_conflict_ignore().execute()


def _first_schema(own: bool) -> None:
    create_own_schema()
    if own:
        create_pec_tables()


def _rnds_table(own: bool) -> None:
    """``tb_cfg_rnds`` (Configuração RNDS) on pec-tui's own database made before it was modelled."""
    if own:
        db = current_database()
        db.create_tables([RndsConfig], safe=True)
        create_sequences(db, [RndsConfig])


def _municipal_tables(own: bool) -> None:
    """Gestão municipal's tables of PEC (agenda periods, exam groups, SIGTAP procedures) with their
    sequences and reference rows, on pec-tui's own database made before they were modelled."""
    if own:
        db = current_database()
        models = [DayOfWeek, Period, AgendaConfigDetail, Procedure, ExamGroup, ExamGroupProcedure]
        db.create_tables(models, safe=True)
        create_sequences(db, models)
        reference.seed_municipal_reference()


def read_cbo_catalogue() -> list[dict[str, object]]:
    """The CBO 2002 occupations shipped in ``pec_tui/data/cbo.csv``
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
    """Insert the shipped CBOs that ``tb_cbo`` lacks (on pec-tui's own database; a PEC
    installation has PEC's catalogue); a shipped duration becomes the national default in
    ``tb_cbo_atend`` (no municipality). Returns how many CBOs were inserted."""
    db = current_database()
    have = {code for (code,) in Cbo.select(Cbo.code).tuples()}
    rows = [row for row in read_cbo_catalogue() if row["code"] not in have]
    if not rows:
        return 0
    first = (Cbo.select(fn.max(Cbo.id)).scalar() or 0) + 1
    cbos = [
        {"id": key, "code": row["code"], "name": row["name"], "name_filter": filter_form(row["name"]),
         "available_for_lotacao": True}
        for key, row in enumerate(rows, start=first)
    ]  # fmt: skip
    timed = [(cbo["id"], row["appointment_minutes"]) for cbo, row in zip(cbos, rows, strict=True)]
    timed = [(key, minutes) for key, minutes in timed if minutes]
    ids = next_ids(db, CboMunicipal, len(timed))
    for start in range(0, len(cbos), 200):
        Cbo.insert_many(cbos[start : start + 200]).execute()
    defaults = [{"id": key, "cbo": cbo, "minutes": minutes} for key, (cbo, minutes) in zip(ids, timed, strict=True)]
    for start in range(0, len(defaults), 200):
        CboMunicipal.insert_many(defaults[start : start + 200]).execute()
    return len(cbos)


def _create_job_leases() -> None:
    current_database().create_tables([JobLease], safe=True)


#: The first version with PEC's columns and pec-tui's own schema.
FIRST_VERSION = 5

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        5,
        "Esquema próprio do pec-tui (pectui); no banco do próprio pec-tui, as tabelas do PEC com as colunas "
        "do PEC, suas sequências, UFs, municípios, tipos de unidade e de equipe e o catálogo de CBO",
        _first_schema,
    ),
    Migration(6, "No banco do próprio pec-tui, a tabela tb_cfg_rnds do PEC (Configuração RNDS)", _rnds_table),
    Migration(7, "Travas do agendador de tarefas (uma instância por banco)", lambda own: _create_job_leases()),
    Migration(
        8,
        "No banco do próprio pec-tui, as tabelas do PEC da Gestão municipal (períodos da agenda, grupos de "
        "exames, procedimentos SIGTAP) e os tipos de serviço padrão",
        _municipal_tables,
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def schema_version() -> int | None:
    """The version of pec-tui's schema in this database, or ``None`` when it has none."""
    if not SchemaVersion.table_exists():
        return _legacy_version()
    row = SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).first()
    return row.version if row else None


def _legacy_version() -> int | None:
    """A development version's schema (1 to 4), kept in PEC's own schema on PostgreSQL."""
    db = current_database()
    if not is_postgres(db) or not db.table_exists("pectui_versao_esquema"):
        return None
    row = db.execute_sql("SELECT max(nu_versao) FROM pectui_versao_esquema").fetchone()
    return row[0] if row and row[0] is not None else None


def _refuse_legacy(version: int) -> None:
    if version < FIRST_VERSION:
        raise PecError(
            f"Este banco foi criado por uma versão de desenvolvimento do pec-tui (esquema {version}), cujas "
            "tabelas não tinham as colunas do PEC; ele não pode ser atualizado. Crie outro com 'pec-tui init' "
            "(ou 'pec-tui demo --recriar', se for o de demonstração)."
        )


def _refuse_newer(version: int) -> None:
    if version > LATEST_VERSION:
        raise PecError(
            f"O banco está na versão {version} do esquema do pec-tui, mais nova que a deste programa "
            f"({LATEST_VERSION}); atualize o pec-tui."
        )


def refuse_pec_installation(action: str) -> None:
    """Refuse ``action`` (``init``) on a PEC installation's database: it has its installation."""
    catalogue = read_catalogue(current_database())
    if catalogue.has_pec_tables and not catalogue.own_database:
        version = f" (versão {catalogue.pec_version})" if catalogue.pec_version else ""
        raise PecError(
            f"{action} recusado: este banco é de uma instalação do PEC{version}, que já tem sua instalação, "
            "municípios e administrador. Para usá-lo com o pec-tui, rode 'pec-tui migrate' (cria só o esquema "
            "pectui) e entre com a senha do PEC."
        )


def migrate() -> list[int]:
    """Apply every pending migration; return the versions applied.

    On a PEC installation only pec-tui's own schema is created or changed."""
    db = current_database()
    current = schema_version() or 0
    if current:
        _refuse_legacy(current)
        _refuse_newer(current)
    catalogue = read_catalogue(db)
    own = catalogue.own_database or not catalogue.has_pec_tables
    applied = []
    for migration in MIGRATIONS:
        if migration.version <= current:
            continue
        with transaction():
            if migration is MIGRATIONS[0]:
                create_own_schema()
            migration.apply(own)
            SchemaVersion.create(version=migration.version, applied_at=clock.now(), description=migration.description)
        applied.append(migration.version)
    return applied


def require_schema() -> int:
    """Refuse to go on when the database has no pec-tui schema, an older or a newer one."""
    version = schema_version()
    if version is None:
        catalogue = read_catalogue(current_database())
        if catalogue.has_pec_tables:
            version_text = f" (versão {catalogue.pec_version})" if catalogue.pec_version else ""
            raise PecError(
                f"Este banco é de uma instalação do PEC{version_text} e ainda não tem o esquema do pec-tui; "
                "crie-o com 'pec-tui migrate' (cria só o esquema pectui; nada do PEC é alterado)."
            )
        raise PecError("Este banco não tem o esquema do pec-tui; crie-o com 'pec-tui init'.")
    _refuse_legacy(version)
    _refuse_newer(version)
    if version < LATEST_VERSION:
        raise PecError(
            f"O esquema do banco está na versão {version} e este pec-tui usa a {LATEST_VERSION}; "
            "rode 'pec-tui migrate'."
        )
    return version
