"""Compatibilidade com o PEC: per module, read and write / read-only / unavailable, and why."""

from __future__ import annotations

import dataclasses
import json

import pytest

from pec_tui.domain import compatibilidade as compat
from pec_tui.domain import diagnostico, settings
from pec_tui.domain.diagnostico.compatibility import (
    KEY,
    OWN_DATABASE,
    check_compatibility,
    compatibility_check,
)
from pec_tui.modules import MODULES
from pec_tui.storage.database import transaction
from pec_tui.storage.introspection import Catalogue, Column, read_catalogue
from tests.support.host_data import closed_port
from tests.support.pec_database import PEC_VERSION

#: A newer PEC (5.5) has it in tb_usuario; pec-tui does not know it.
NEW_REQUIRED = "tb_usuario.st_termo_teleinterconsulta é obrigatória e o pec-tui não a preenche"


def as_pec(catalogue: Catalogue, version: str = "5.5.0", **changes: dict[str, Column | None]) -> Catalogue:
    """pec-tui's own catalogue as if PEC had made it (without pec-tui's own tables, not marked as
    pec-tui's), with ``changes`` per table: a column added, or removed (``None``)."""
    tables = {name: dict(columns) for name, columns in catalogue.tables.items() if not name.startswith("pectui_")}
    for table, columns in changes.items():
        for name, column in columns.items():
            if column is None:
                del tables[table][name]
            else:
                tables[table][name] = column
    return Catalogue(tables, version, own_database=False)


def required(name: str) -> Column:
    return Column(name, "integer", None, nullable=False, has_default=False)


# --------------------------------------------------------------------------------------------
# The mapping
# --------------------------------------------------------------------------------------------


def test_every_built_module_says_what_it_reads_and_writes():
    built = {module.key: module.title for module in MODULES if module.screen is not None}
    mapped = {module.key: module.title for module in compat.MODULE_TABLES}
    assert {key: mapped.get(key) for key in built} == built
    assert set(mapped) - set(built) == {"entrada", "status"}
    for module in compat.MODULE_TABLES:
        # A module that writes records the audit event of each change.
        assert not module.writes or set(compat.AUDIT) <= set(module.writes), module.key


# --------------------------------------------------------------------------------------------
# On a PEC-shaped database (PostgreSQL)
# --------------------------------------------------------------------------------------------


def test_on_pec_every_built_module_reads_and_writes(pec_database):
    """The models are PEC's tables as PEC defines them: on a PEC-shaped database every module is
    whole, and pec-tui's own state (schema pectui) never counts against PEC."""
    result = compat.assess(read_catalogue(pec_database.db))
    assert not result.own_database and result.pec_version == PEC_VERSION
    assert {module.key: (module.state, module.reasons) for module in result.modules} == {
        module.key: (compat.FULL, ()) for module in compat.MODULE_TABLES
    }
    check = check_compatibility(pec_database)
    assert (check.status, check.found) == (
        diagnostico.OK,
        f"Banco do PEC {PEC_VERSION}: todos os 11 módulos funcionam por inteiro.",
    )


def test_on_pec_a_missing_column_makes_its_readers_unavailable(pec_database):
    pec_database.db.execute_sql("ALTER TABLE tb_cbo DROP COLUMN no_cbo_filtro")
    result = compat.assess(read_catalogue(pec_database.db))
    for key in ("cbo", "cnes", "unidades_saude"):  # each reads tb_cbo
        assert result.of(key).state == compat.UNAVAILABLE, key
        assert "tb_cbo.no_cbo_filtro não existe neste banco" in result.of(key).reasons
    assert result.of("entrada").state == compat.FULL
    check = check_compatibility(pec_database)
    assert check.status == diagnostico.ERROR
    assert check.found.startswith(f"Banco do PEC {PEC_VERSION}: dos 11 módulos, 3 indisponíveis e 8 disponíveis. ")
    assert "CBO: indisponível (tb_cbo.no_cbo_filtro não existe neste banco)." in check.found
    assert "pec-tui doctor --json" in check.action


def test_on_pec_a_new_required_column_makes_its_writers_read_only(pec_database):
    pec_database.db.execute_sql("ALTER TABLE tb_cbo_atend ADD COLUMN nu_novo integer NOT NULL")
    cbo = compat.assess(read_catalogue(pec_database.db)).of("cbo")
    assert cbo.state == compat.READ_ONLY and cbo.label == "somente leitura"
    assert cbo.read_gaps == ()
    assert cbo.reasons == ("tb_cbo_atend.nu_novo é obrigatória e o pec-tui não a preenche",)


def test_doctor_json_on_pec_lists_the_check(run_cli, pec_database):
    pec_database.db.execute_sql("ALTER TABLE tb_cbo DROP COLUMN no_cbo_filtro")
    result = run_cli(
        "--database",
        pec_database.target.url,
        "doctor",
        "--json",
        "--pec-url",
        f"http://127.0.0.1:{closed_port()}/api/public/info",
    )
    assert result.stderr == ""
    checks = {item["chave"]: item for item in json.loads(result.stdout)["verificacoes"]}
    item = checks[KEY]
    assert item["titulo"] == "Compatibilidade com o PEC" and item["situacao"] == "erro"
    assert item["detalhes"]["versao_pec"] == PEC_VERSION
    modules = {module["chave"]: module["situacao"] for module in item["detalhes"]["modulos"]}
    assert (modules["cbo"], modules["entrada"]) == ("indisponível", "leitura e escrita")


def test_doctor_text_on_pec_shows_the_check(run_cli, pec_database):
    pec_database.db.execute_sql("ALTER TABLE tb_cbo DROP COLUMN no_cbo_filtro")
    result = run_cli(
        "--database", pec_database.target.url, "doctor", "--pec-url", f"http://127.0.0.1:{closed_port()}/x"
    )
    assert "ERRO   Compatibilidade com o PEC" in result.stdout
    assert "CBO: indisponível" in " ".join(result.stdout.split())  # wrapped


# --------------------------------------------------------------------------------------------
# On pec-tui's own database (both backends)
# --------------------------------------------------------------------------------------------


def test_pec_tuis_own_database_is_one_ok_line(db):
    check = check_compatibility(db)
    assert (check.status, check.found) == (diagnostico.OK, OWN_DATABASE)
    assert check.found == "Banco próprio do pec-tui (não é um banco do PEC): todos os módulos com leitura e escrita."
    assert check.details["banco_proprio"] is True


def test_the_demo_with_a_pec_version_is_still_pec_tuis_own_database(db):
    with transaction():
        settings.put(settings.DATABASE_VERSION, text="5.3.28")
    catalogue = read_catalogue(db.db)
    assert catalogue.is_pec  # VERSAOBANCODADOS is there, as in the demo
    assert compat.is_own_database(catalogue)
    assert check_compatibility(db).found == OWN_DATABASE


def test_pec_tuis_models_fit_pec_tuis_own_tables(db):
    """Compared as if it were PEC, pec-tui's own schema fits every model: every module is whole."""
    result = compat.assess(as_pec(read_catalogue(db.db)))
    assert {module.key: module.state for module in result.modules} == {
        module.key: compat.FULL for module in compat.MODULE_TABLES
    }
    check = compatibility_check(as_pec(read_catalogue(db.db)))
    assert (check.status, check.found) == (
        diagnostico.OK,
        "Banco do PEC 5.5.0: todos os 11 módulos funcionam por inteiro.",
    )


# --------------------------------------------------------------------------------------------
# A newer PEC: unknown columns degrade, never crash
# --------------------------------------------------------------------------------------------


def test_an_unknown_required_column_degrades_to_read_only(db):
    catalogue = as_pec(
        read_catalogue(db.db), tb_usuario={"st_termo_teleinterconsulta": required("st_termo_teleinterconsulta")}
    )
    result = compat.assess(catalogue)
    states = {module.key: module.state for module in result.modules}
    assert states == {
        "entrada": compat.READ_ONLY,
        "cbo": compat.FULL,
        "cnes": compat.READ_ONLY,
        "configuracoes": compat.READ_ONLY,
        "unidades_saude": compat.FULL,
        "diagnostico": compat.FULL,
        "certificados": compat.FULL,
        "gestao_municipal": compat.FULL,
        "tarefas": compat.FULL,
        "log": compat.FULL,
        "status": compat.FULL,
    }
    assert result.of("entrada").reasons == (NEW_REQUIRED,)
    assert result.of("unidades_saude").label == "disponível (só consulta)"
    check = compatibility_check(catalogue)
    assert check.status == diagnostico.WARNING
    assert check.found.startswith("Banco do PEC 5.5.0: dos 11 módulos, 3 somente leitura e 8 disponíveis. ")
    assert f"Entrada no console: somente leitura ({NEW_REQUIRED})." in check.found
    assert "CBO: leitura e escrita." in check.found
    assert "Unidades de saúde: disponível (só consulta)." in check.found


def test_an_unknown_nullable_or_defaulted_column_changes_nothing(db):
    optional = Column("ds_novo", "text", None, nullable=True, has_default=False)
    defaulted = Column("st_outro", "integer", None, nullable=False, has_default=True)
    catalogue = as_pec(read_catalogue(db.db), tb_usuario={"ds_novo": optional, "st_outro": defaulted})
    assert compatibility_check(catalogue).status == diagnostico.OK


def test_one_module_read_only_and_one_unavailable_agree_in_number(db):
    own = read_catalogue(db.db)
    one_read_only = compatibility_check(as_pec(own, tb_cbo_atend={"nu_novo": required("nu_novo")}))
    assert one_read_only.found.startswith("Banco do PEC 5.5.0: dos 11 módulos, 1 somente leitura e 10 disponíveis. ")
    without = as_pec(own, tb_cbo={"no_cbo_filtro": None}, tb_prof={"ds_cep": None, "co_conselho_classe": None})
    check = compatibility_check(without)
    assert check.status == diagnostico.ERROR
    # CBO, CNES and Unidades de saúde read tb_cbo.
    assert "CBO: indisponível (tb_cbo.no_cbo_filtro não existe neste banco)." in check.found
    assert (
        "Diagnóstico do servidor: indisponível (tb_prof.co_conselho_classe não existe neste banco; "
        "e mais 1 diferença)." in check.found
    )
    # Unidades de saúde and Gestão municipal (Tipos de serviço) read tb_tipo_servico.
    service_types = compatibility_check(as_pec(own, tb_tipo_servico={"st_interno": None}))
    assert service_types.found.startswith("Banco do PEC 5.5.0: dos 11 módulos, 2 indisponíveis e 9 disponíveis. ")
    assert "Unidades de saúde: indisponível (tb_tipo_servico.st_interno não existe neste banco)." in service_types.found
    assert "Gestão municipal: indisponível (tb_tipo_servico.st_interno não existe neste banco)." in service_types.found


def test_a_catalogue_that_cannot_be_read_is_the_checks_error():
    class Broken:
        def execute_sql(self, *args, **kwargs):
            raise RuntimeError("permission denied for table tb_config_sistema\nDETAIL: ...")

    opened = dataclasses.make_dataclass("Opened", [("db", object)])(Broken())
    check = check_compatibility(opened)
    assert check.status == diagnostico.ERROR
    assert check.found == (
        "Não foi possível ler as tabelas e colunas do banco: permission denied for table tb_config_sistema."
    )


@pytest.mark.parametrize("version", ["5.5.0", None])
def test_assess_never_needs_the_database(version):
    """Only the catalogue: an empty one (no table at all) makes every module with tables unavailable."""
    catalogue = Catalogue({}, version, own_database=False)
    result = compat.assess(catalogue)
    if version is None:
        assert result.own_database
    else:
        assert result.of("cbo").reasons == (
            "a tabela tb_cbo não existe neste banco",
            "a tabela tb_cbo_atend não existe neste banco",
        )
        assert result.of("log").state == compat.FULL
