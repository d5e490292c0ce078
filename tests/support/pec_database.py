"""A PEC-shaped PostgreSQL database for the tests (``pec_database`` fixture).

Built from ``pec_schema.sql`` (PEC's tables, types and constraints, from the public facts) with
the few rows a PEC installation always has: its settings (``VERSAOBANCODADOS``…), Brazil, a
state, a municipality. Registered in ``tests/conftest.py`` through ``pytest_plugins``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pec_tui.storage.database import DatabaseTarget, OpenedDatabase, open_database
from tests.support.postgres import PgServer, worker_name

SCHEMA = Path(__file__).with_name("pec_schema.sql")
PEC_VERSION = "5.2.38"

REFERENCE_ROWS = f"""
INSERT INTO tb_config_sistema (co_config_sistema, ds_config_sistema, st_disponivel_sistema, ds_texto)
VALUES ('VERSAOBANCODADOS', 'Versão do banco de dados', 1, '{PEC_VERSION}'),
       ('NOMEINSTALACAO', 'Nome da instalação', 1, 'Secretaria Municipal de Saúde'),
       ('TIPOINSTALACAO', 'Tipo da instalação', 1, 'PRONTUARIO');
INSERT INTO tb_pais (co_pais, sg_pais_2, no_pais_portugues) VALUES (31, 'BR', 'BRASIL');
INSERT INTO tb_uf (co_uf, co_pais, sg_uf, nu_dne, no_uf, no_identificador)
VALUES (24, 31, 'SC', '24', 'SANTA CATARINA', 'SC');
INSERT INTO tb_tipo_localidade (co_tipo_localidade, no_tipo_localidade, sg_tipo_localidade)
VALUES (1, 'MUNICÍPIO', 'M');
INSERT INTO tb_situacao_localidade (co_situacao_localidade, no_situacao_localidade, sg_situacao_localidade)
VALUES (1, 'CODIFICADA', 'C');
INSERT INTO tb_localidade (co_localidade, co_uf, nu_dne, no_localidade, tp_localidade, co_situacao_localidade,
                           co_ibge, no_localidade_filtro, st_ativo)
VALUES (8318, 24, '8318', 'Chapecó', 1, 1, '4204202', 'CHAPECO', 1);
"""


FINGERPRINT_QUERIES = (
    # every column with its type, length, nullability and default
    "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default "
    "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
    "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2",
    "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
    "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' ORDER BY 1, 2",
    # triggers, PostgreSQL's own foreign-key triggers included, with whether they are enabled
    "SELECT t.tgrelid::regclass::text, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid) FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public' ORDER BY 1, 2",
    "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public' ORDER BY 1",
    "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = 'public' ORDER BY 1",
)


def schema_fingerprint(url: str) -> list[list[tuple]]:
    """PEC's schema as the catalogue describes it: columns, indexes, constraints, triggers (and
    whether they are enabled), relations and functions of ``public``. Equal lists, same schema."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            result = []
            for query in FINGERPRINT_QUERIES:
                cursor.execute(query)
                result.append(cursor.fetchall())
            return result
    finally:
        connection.close()


def create_pec_database(server: PgServer, name: str) -> None:
    """Create database ``name`` with PEC's schema and reference rows."""
    server.recreate(name)
    opened = open_database(DatabaseTarget(server.url(name), "--database"))
    try:
        with opened.db.atomic():
            opened.db.execute_sql(SCHEMA.read_text(encoding="utf-8"))
            opened.db.execute_sql(REFERENCE_ROWS)
    finally:
        opened.close()


@pytest.fixture
def pec_database(pg_server: PgServer) -> Iterator[OpenedDatabase]:
    """A fresh PEC-shaped database, opened; dropped afterwards."""
    name = f"pectui_test_{worker_name()}_pec"
    create_pec_database(pg_server, name)
    opened = open_database(DatabaseTarget(pg_server.url(name), "--database"))
    try:
        yield opened
    finally:
        opened.close()
        pg_server.drop(name)
