"""A PEC-shaped PostgreSQL database for the tests (``pec_database`` fixture).

Built from ``pec_schema.sql`` (PEC's tables, types and constraints, from the public facts) with
the rows a PEC installation has, written as PEC writes them (keys from its ``seq_*`` sequences,
``*_filtro`` columns, integer flags): its settings (``VERSAOBANCODADOS``…), Brazil, a state, a
municipality, councils, the CBO catalogue, unit and team types, and its installation
administrator (password in PEC's PBKDF2 format) and the municipality's responsible. Registered in
``tests/conftest.py`` through ``pytest_plugins``.
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
INSERT INTO tb_complexidade (co_complexidade, no_complexidade, sg_complexidade)
VALUES (1, 'ATENÇÃO BÁSICA', 'AB'), (2, 'MÉDIA COMPLEXIDADE', 'MC'), (3, 'ALTA COMPLEXIDADE', 'AC');
INSERT INTO tb_conselho_classe (co_conselho_classe, sg_conselho_classe, no_conselho_classe, no_conselho_classe_filtro)
VALUES (71, 'CRM', 'Conselho Regional de Medicina', 'CONSELHO REGIONAL DE MEDICINA'),
       (69, 'COREN', 'Conselho Regional de Enfermagem', 'CONSELHO REGIONAL DE ENFERMAGEM');
"""

#: PEC's installation administrator and the municipality's responsible (CPF, name, password).
PEC_ADMIN = ("52998224725", "HELENA MARTINS DUARTE", "SenhaDoPec1")
PEC_MUNICIPAL_ADMIN = ("11144477735", "RAFAEL COSTA LIMA", "SenhaDoPec2")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def reference_data_sql() -> str:
    """PEC's reference data as a PEC installation ships it: the CBO catalogue, unit and team
    types (keys from PEC's sequences where the table has one)."""
    from pec_tui.storage.migrations import read_cbo_catalogue
    from pec_tui.storage.reference import TEAM_TYPES, UNIT_TYPES
    from pec_tui.storage.search import filter_form

    statements = []
    for key, row in enumerate(read_cbo_catalogue(), start=1):
        statements.append(
            "INSERT INTO tb_cbo (co_cbo, no_cbo, no_cbo_filtro, co_cbo_2002, st_disponivel_lotacao) VALUES "
            f"({key}, {_quote(row['name'])}, {_quote(filter_form(row['name']))}, {_quote(row['code'])}, 1);"
        )
    for code, name in UNIT_TYPES:
        statements.append(
            "INSERT INTO tb_tipo_unidade_saude (co_seq_tipo_unidade_saude, no_tipo_unidade_saude, co_tipo_unidade_cnes)"
            f" VALUES (nextval('seq_tb_tipo_unidade_saude'), {_quote(name)}, {code});"
        )
    for code, acronym, name in TEAM_TYPES:
        statements.append(
            "INSERT INTO tb_tipo_equipe (co_seq_tipo_equipe, sg_tipo_equipe, no_tipo_equipe, sg_tipo_equipe_filtro, "
            f"no_tipo_equipe_filtro, nu_ms) VALUES (nextval('seq_tb_tipo_equipe'), {_quote(acronym)}, {_quote(name)}, "
            f"{_quote(filter_form(acronym))}, {_quote(filter_form(name))}, '{code}');"
        )
    return "\n".join(statements)


def people_sql() -> str:
    """The installation administrator and the responsible of Chapecó, as PEC's installer and
    its "Adicionar responsável" write them."""
    from pec_tui.domain.passwords import hash_password
    from pec_tui.storage.search import filter_form

    statements = []
    for (cpf, name, password), kind in (
        (PEC_ADMIN, "ADMINISTRADOR_GERAL"),
        (PEC_MUNICIPAL_ADMIN, "ADMINISTRADOR_MUNICIPAL"),
    ):
        statements.append(
            "WITH u AS (INSERT INTO tb_usuario (co_seq_usuario, st_bloqueado, ds_senha, st_trocar_senha, "
            "dt_ultima_atualizacao_senha, st_forcar_troca_senha, nr_tentativas_acesso, ds_login) VALUES "
            f"(nextval('seq_tb_usuario'), 0, {_quote(hash_password(password))}, 0, current_date, 0, 0, {_quote(cpf)}) "
            "RETURNING co_seq_usuario), "
            "p AS (INSERT INTO tb_prof (co_seq_prof, nu_cpf, no_profissional, no_profissional_filtro, co_usuario) "
            f"SELECT nextval('seq_tb_prof'), {_quote(cpf)}, {_quote(name)}, {_quote(filter_form(name))}, "
            "co_seq_usuario FROM u RETURNING co_seq_prof), "
            "r AS (INSERT INTO tb_ator_papel (co_seq_ator_papel, no_tipo_ator_papel, co_prof, st_ativo) "
            f"SELECT nextval('seq_tb_ator_papel'), '{kind}', co_seq_prof, 1 FROM p RETURNING co_seq_ator_papel) "
            + (
                "INSERT INTO tb_adm_geral (co_ator_papel, st_instalacao_terminada) SELECT co_seq_ator_papel, 1 FROM r;"
                if kind == "ADMINISTRADOR_GERAL"
                else "INSERT INTO tb_adm_municipal (co_ator_papel, co_localidade, st_instalacao_terminada, dt_adicao) "
                "SELECT co_seq_ator_papel, 8318, 1, now() FROM r;"
            )
        )
    return "\n".join(statements)


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
            opened.db.execute_sql(reference_data_sql())
            opened.db.execute_sql(people_sql())
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
