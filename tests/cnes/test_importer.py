"""CNES import (manual 3.3) on SQLite and PostgreSQL: each test checks the database before and after."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from validate_docbr import CNS, CPF

from pec_tui.core.checks import is_valid_cns, is_valid_cpf
from pec_tui.core.errors import PecError
from pec_tui.demo.cnes_export import build_small_cnes, sample_professional, sample_unit
from pec_tui.domain import audit
from pec_tui.domain.accounts import authenticate, load_logged_user
from pec_tui.domain.cnes import importer, large_load
from pec_tui.domain.cnes import professionals as cnes_professionals
from pec_tui.domain.cnes import run as cnes_run
from pec_tui.domain.cnes.importer import (
    CnesImportError,
    ImportCancelled,
    ImportProgress,
    check_import_permission,
    import_cnes,
)
from pec_tui.domain.cnes.lotacoes import Lotacoes
from pec_tui.domain.cnes.report import ImportReport, get_report, list_imports, report_to_csv
from pec_tui.domain.installation import add_municipal_admin
from pec_tui.storage.bulk.writer import BulkWriter
from pec_tui.storage.database import current_database, is_postgres, transaction
from pec_tui.storage.models import (
    ActorRole,
    AgendaConfig,
    AuditEvent,
    Cbo,
    CnesImport,
    CnesImportReport,
    HealthUnit,
    InstallationMunicipality,
    Localidade,
    Lotacao,
    Professional,
    ProfessionalCnsHistory,
    Team,
    TeamType,
    User,
)
from pec_tui.storage.search import filter_form
from tests.support.cbo_fixture import cbo_catalogue  # noqa: F401
from tests.support.constants import ADMIN_CPF

CHAPECO = "4204202"
XANXERE = "4219507"
NAME = "XmlParaESUS31_420420.xml"
MEDICO, ENFERMEIRO, ACS, TECNICO = "225142", "223565", "515105", "322245"
UNIT0, UNIT1 = "2000001", "2000002"
TEAM0, TEAM1 = "0001000001", "0001000002"  # the two teams of unit 0 (sample_team(0), sample_team(1))
TEAM10 = "0001000011"  # the first team of unit 1 (sample_team(10))


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture
def network(db, installation, cbo_catalogue):  # noqa: F811
    """An installation of Chapecó/SC with the CBO catalogue; returns the administrator's user id."""
    return User.get(User.login == ADMIN_CPF).id


def _spy_on_bulk(monkeypatch, method: str, note: Callable[[object, tuple, object], object]) -> list:
    """Every call of ``BulkWriter.<method>`` from now on, as ``note(bulk, arguments, result)``."""
    calls: list = []
    original = getattr(BulkWriter, method)

    def spy(self, *arguments):
        result = original(self, *arguments)
        calls.append(note(self, arguments, result))
        return result

    monkeypatch.setattr(BulkWriter, method, spy)
    return calls


@pytest.fixture(params=["lidos no início", "procurados por lote"])
def known_rows(request, monkeypatch) -> list[str]:
    """Both ways an import finds the professionals and users the installation already has: read
    whole at the start (few, as in these tests) or looked up batch by batch (many). Returns the
    SQL of every lookup made, to show which way was taken."""
    if request.param == "procurados por lote":
        monkeypatch.setattr(cnes_professionals, "_PRELOAD_AT_MOST", 0)  # the administrator alone is too many
    return _spy_on_bulk(monkeypatch, "lookup", lambda _bulk, arguments, _rows: arguments[0])


def _by_cpf_or_login(lookups: list[str]) -> list[str]:
    return [
        sql
        for sql in lookups
        if sql in (cnes_professionals._SQL_PROFESSIONALS_BY_CPF, cnes_professionals._SQL_USERS_BY_LOGIN)
    ]


def chapeco_id() -> int:
    return Localidade.get(Localidade.ibge == CHAPECO).id


def lot(cnes: str = UNIT0, cbo: str = MEDICO, ine: str = TEAM0, microarea: str = "") -> dict[str, str]:
    return {"CNES": cnes, "CO_CBO": cbo, "CO_INE": ine, "MICROAREA": microarea}


def units_0_1() -> list[dict]:
    """Unit 0 with teams TEAM0 and TEAM1; unit 1 with TEAM10."""
    return [sample_unit(0, team_count=2), sample_unit(1, team_count=1)]


def professionals(count: int = 3) -> list[dict]:
    """Professional 0: médico in TEAM0; 1: enfermeiro in TEAM1; 2: ACS in TEAM0 and médico in unit 1."""
    chosen = [
        sample_professional(0, lotacoes=[lot()]),
        sample_professional(1, lotacoes=[lot(cbo=ENFERMEIRO, ine=TEAM1)]),
        sample_professional(2, lotacoes=[lot(cbo=ACS, microarea="03"), lot(cnes=UNIT1, ine=TEAM10)]),
    ]
    return chosen[:count]


def cnes_file(tmp_path: Path, units, profs, *, name: str = NAME, ibge: str = CHAPECO, **kwargs) -> Path:
    path = tmp_path / name
    path.write_bytes(build_small_cnes(units, profs, ibge=ibge, **kwargs))
    return path


def zip_file(tmp_path: Path, entries: dict[str, bytes], name: str = "XmlParaESUS31_420420.zip") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
    return path


def run(path: Path, user_id: int | None = None, **kwargs) -> ImportReport:
    return import_cnes(path, localidade_id=chapeco_id(), user_id=user_id, **kwargs)


def cpf_of(index: int) -> str:
    return sample_professional(index)["CPF_PROF"]


def cns_of(index: int) -> str:
    return sample_professional(index)["CO_CNS"]


def masked(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


def code(cpf: str, cnes: str = UNIT0, ine: str = TEAM0, cbo: str = MEDICO) -> str:
    return f"{cpf}-{cnes}-{ine}-{cbo}"


def _plain(rows) -> list[tuple]:
    return sorted(tuple("" if value is None else str(value) for value in row) for row in rows)


def snapshot() -> dict[str, object]:
    """Everything an import may touch, comparable before/after."""
    return {
        "unidades": _plain(HealthUnit.select(HealthUnit.cnes, HealthUnit.name, HealthUnit.active).tuples()),
        "equipes": _plain(Team.select(Team.ine, Team.name, Team.active, Team.area).tuples()),
        "profissionais": _plain(Professional.select(Professional.cpf, Professional.cns, Professional.name).tuples()),
        "usuarios": _plain(User.select(User.login, User.password_hash, User.must_change_password).tuples()),
        "historico_cns": _plain(
            ProfessionalCnsHistory.select(ProfessionalCnsHistory.professional, ProfessionalCnsHistory.cns).tuples()
        ),
        "papeis": _plain(ActorRole.select(ActorRole.id, ActorRole.kind, ActorRole.active).tuples()),
        "lotacoes": _plain(Lotacao.select(Lotacao.role, Lotacao.unique_code, Lotacao.deactivated_at).tuples()),
        "importacoes": CnesImport.select().count(),
        "auditoria": AuditEvent.select().count(),
        "cbo": Cbo.select().count(),
        "tipos_equipe": TeamType.select().count(),
    }


def codes_of_professionals() -> set[str]:
    """The unique codes of the four lotações of :func:`professionals`."""
    return {
        code(cpf_of(0)),
        code(cpf_of(1), cbo=ENFERMEIRO, ine=TEAM1),
        code(cpf_of(2), cbo=ACS),
        code(cpf_of(2), cnes=UNIT1, ine=TEAM10),
    }


def active_codes() -> set[str]:
    return {
        row.unique_code
        for row in Lotacao.select().where(Lotacao.deactivated_at.is_null() & Lotacao.unique_code.is_null(False))
    }


def professional(index: int) -> Professional:
    return Professional.get(Professional.cpf == cpf_of(index))


def hand_made_lotacao(professional_id: int, cnes: str, cbo: str, ine: str | None = None, *, flagged: bool) -> int:
    with transaction():
        role = ActorRole.create(professional=professional_id, kind=ActorRole.LOTACAO, active=True)
        Lotacao.create(
            role=role.id,
            professional=professional_id,
            cbo=Cbo.get(Cbo.code == cbo).id,
            unit=HealthUnit.get(HealthUnit.cnes == cnes).id,
            team=Team.get(Team.ine == ine).id if ine else None,
            imported=False,
            update_on_import=flagged,
        )
    return role.id


def refused(path: Path, **kwargs) -> CnesImportError:
    with pytest.raises(CnesImportError) as caught:
        run(path, **kwargs)
    assert "Traceback" not in caught.value.message
    return caught.value


# --------------------------------------------------------------------------------------------
# A valid file
# --------------------------------------------------------------------------------------------


def test_valid_3_1_file_creates_units_teams_professionals_users_and_lotacoes(network, tmp_path):
    assert (HealthUnit.select().count(), Team.select().count(), Lotacao.select().count()) == (0, 0, 0)
    assert Professional.select().count() == 1  # the installation administrator
    path = cnes_file(tmp_path, units_0_1(), professionals())

    report = run(path, user_id=network)

    assert (report.unidades.novos, report.equipes.novos, report.profissionais.novos, report.lotacoes.novos) == (
        2,
        3,
        3,
        4,
    )
    assert report.registros_nao_importados == [] and report.avisos == []
    unit = HealthUnit.get(HealthUnit.cnes == UNIT0)
    assert unit.active and unit.name == "UBS CENTRO" and unit.localidade_id == chapeco_id()
    assert unit.unit_type.cnes_code == 2 and unit.cnpj == sample_unit(0)["CNPJ"]
    assert unit.address == "RUA SÃO JOÃO" and unit.email == "ubs1@saude.exemplo.gov.br"
    team = Team.get(Team.ine == TEAM0)
    assert team.active and team.unit_id == unit.id and team.team_type.ms_code == "70" and team.name == "ESF CENTRO"
    assert Professional.select().count() == 4
    nurse = professional(1)
    assert nurse.cns == cns_of(1) and nurse.sex == "MASCULINO"
    assert nurse.name_filter == filter_form(nurse.name) and nurse.council_id == 71 and nurse.council_state_id == 24
    assert unit.name_filter == "UBS CENTRO" and unit.state_id == 24 and unit.phone == sample_unit(0)["TELEFONE1"]
    assert nurse.birth_date == dt.date(1971, 2, 2)
    assert [row.cns for row in nurse.cns_history] == [cns_of(1)]
    user = User.get(User.id == nurse.user_id)
    assert user.login == cpf_of(1) and user.password_hash is None and user.must_change_password
    placed = Lotacao.get(Lotacao.unique_code == code(cpf_of(1), ine=TEAM1, cbo=ENFERMEIRO))
    assert placed.imported and not placed.update_on_import and placed.deactivated_at is None
    assert placed.professional_id == nurse.id and placed.team.ine == TEAM1 and placed.cbo.code == ENFERMEIRO
    role = ActorRole.get_by_id(placed.role_id)
    assert role.kind == ActorRole.LOTACAO and role.active and role.professional_id == nurse.id
    assert active_codes() == {
        code(cpf_of(0)),
        code(cpf_of(1), ine=TEAM1, cbo=ENFERMEIRO),
        code(cpf_of(2), cbo=ACS),
        code(cpf_of(2), cnes=UNIT1, ine=TEAM10),
    }
    assert audit.verify().ok


def test_the_same_file_inside_a_zip_gives_the_same_result(network, tmp_path):
    data = build_small_cnes(units_0_1(), professionals(), ibge=CHAPECO)
    path = zip_file(tmp_path, {NAME: data})

    report = run(path)

    assert report.arquivo == "XmlParaESUS31_420420.zip"
    assert (report.unidades.novos, report.equipes.novos, report.profissionais.novos, report.lotacoes.novos) == (
        2,
        3,
        3,
        4,
    )
    assert CnesImportReport.get().file_name == "XmlParaESUS31_420420.zip"
    assert len(active_codes()) == 4


def test_reimporting_the_same_file_changes_nothing(network, tmp_path, known_rows):
    path = cnes_file(tmp_path, units_0_1(), professionals())
    run(path)
    before = snapshot()

    report = run(path)

    assert (report.unidades.inalterados, report.equipes.inalterados) == (2, 3)
    assert (report.profissionais.inalterados, report.lotacoes.inalterados) == (3, 4)
    assert all(counts.novos == counts.atualizados == counts.desativados == 0 for _label, counts in report.counts())
    after = snapshot()
    assert after["importacoes"] == before["importacoes"] + 1 and after["auditoria"] == before["auditoria"] + 1
    assert {k: v for k, v in after.items() if k not in ("importacoes", "auditoria")} == {
        k: v for k, v in before.items() if k not in ("importacoes", "auditoria")
    }


def test_changed_data_updates_the_records(network, tmp_path, known_rows):
    run(cnes_file(tmp_path, units_0_1(), professionals()))
    units = units_0_1()
    units[0]["NM_FANTA"] = "UBS CENTRO NOVO"
    units[0]["teams"][0]["NM_REFERENCIA"] = "ESF CENTRO AZUL"
    profs = professionals()
    profs[0]["NM_PROF"] = "NOME CORRIGIDO NO CNES"
    profs[2]["lotacoes"][0]["MICROAREA"] = "07"

    report = run(cnes_file(tmp_path, units, profs))

    assert (report.unidades.atualizados, report.equipes.atualizados) == (1, 1)
    # A changed microárea changes nothing: PEC's tb_lotacao has no column for it.
    assert (report.profissionais.atualizados, report.lotacoes.atualizados) == (1, 0)
    assert HealthUnit.get(HealthUnit.cnes == UNIT0).name == "UBS CENTRO NOVO"
    assert HealthUnit.get(HealthUnit.cnes == UNIT0).name_filter == "UBS CENTRO NOVO"
    assert Team.get(Team.ine == TEAM0).name == "ESF CENTRO AZUL"
    assert professional(0).name == "NOME CORRIGIDO NO CNES"
    assert professional(0).name_filter == "NOME CORRIGIDO NO CNES"


# --------------------------------------------------------------------------------------------
# Files refused as a whole: nothing changes
# --------------------------------------------------------------------------------------------


def test_zip_with_two_xml_files_is_refused(network, tmp_path):
    data = build_small_cnes(units_0_1(), professionals(), ibge=CHAPECO)
    path = zip_file(tmp_path, {NAME: data, "outro.xml": data})
    before = snapshot()

    error = refused(path)

    assert error.message == ("O arquivo XmlParaESUS31_420420.zip contém 2 arquivos XML; envie um ZIP com apenas um.")
    assert snapshot() == before


def test_zip_with_a_path_traversal_name_is_refused(network, tmp_path):
    data = build_small_cnes(units_0_1(), professionals(), ibge=CHAPECO)
    path = zip_file(tmp_path, {f"../../{NAME}": data})
    before = snapshot()

    error = refused(path)

    assert "caminho inseguro" in error.message and "XmlParaESUS31_420420.zip" in error.message
    assert snapshot() == before
    assert not (tmp_path.parent / NAME).exists()


def test_zip_bomb_is_refused_before_inflating(network, tmp_path):
    bomb = b'<?xml version="1.0"?><ImportarXMLCNES>' + b" " * (8 * 1024**2) + b"</ImportarXMLCNES>"
    path = zip_file(tmp_path, {NAME: bomb})
    assert path.stat().st_size < 100 * 1024
    before = snapshot()

    error = refused(path)

    assert "taxa de compressão suspeita" in error.message
    assert snapshot() == before


def test_truncated_xml_changes_nothing_and_names_file_and_line(network, tmp_path):
    run(cnes_file(tmp_path, units_0_1(), professionals(1)))
    before = snapshot()
    many = [sample_professional(index, lotacoes=[lot()]) for index in range(10, 40)]
    data = build_small_cnes(units_0_1(), many, ibge=CHAPECO)
    path = tmp_path / "XmlParaESUS31_420420.xml"
    path.write_bytes(data[: int(len(data) * 0.9)])

    error = refused(path)

    assert error.message.startswith(f"O arquivo {NAME} está truncado ou malformado na linha {error.line}: ")
    assert error.line and error.line > 100
    assert snapshot() == before


def test_file_of_another_municipality_is_refused_naming_both(network, tmp_path):
    path = cnes_file(tmp_path, units_0_1(), professionals(), name="XmlParaESUS31_420540.xml", ibge="4205407")
    before = snapshot()

    error = refused(path)

    assert "Florianópolis/SC (IBGE 4205407)" in error.message and "Chapecó/SC (IBGE 4204202)" in error.message
    assert error.message.startswith("O arquivo XmlParaESUS31_420540.xml é do município")
    assert snapshot() == before


def test_lower_layout_version_than_the_last_import_is_refused(network, tmp_path):
    run(cnes_file(tmp_path, units_0_1(), professionals(1), version="3.1"))
    before = snapshot()

    error = refused(cnes_file(tmp_path, units_0_1(), professionals(), version="2.1"))

    assert "usa o layout 2.1, mais antigo que o layout 3.1 da última importação de Chapecó/SC" in error.message
    assert snapshot() == before
    assert refused(cnes_file(tmp_path, units_0_1(), professionals(), version="3.0"))
    report = run(cnes_file(tmp_path, units_0_1(), professionals(), version="3.1"))
    assert report.profissionais.novos == 2


def test_municipality_not_active_on_the_installation_is_refused(network, tmp_path):
    xanxere = Localidade.get(Localidade.ibge == XANXERE)
    with pytest.raises(PecError) as caught:
        import_cnes(cnes_file(tmp_path, [], []), localidade_id=xanxere.id, user_id=None)
    assert caught.value.message == "O município Xanxerê/SC não está ativo nesta instalação."


def test_several_municipalities_need_the_choice(network, tmp_path):
    with transaction():
        InstallationMunicipality.create(
            localidade=Localidade.get(Localidade.ibge == XANXERE).id, activated_at=dt.datetime(2026, 1, 1)
        )
    with pytest.raises(PecError) as caught:
        import_cnes(cnes_file(tmp_path, [], []), localidade_id=None, user_id=None)
    assert "atende 2 municípios" in caught.value.message


# --------------------------------------------------------------------------------------------
# Records refused one by one: the rest is imported
# --------------------------------------------------------------------------------------------


def test_invalid_cpf_and_cns_reject_the_record_with_reason_element_and_line(network, tmp_path):
    profs = [
        sample_professional(0, lotacoes=[lot()]),
        sample_professional(1, CPF_PROF="12345678900", lotacoes=[lot()]),
        sample_professional(2, CO_CNS="123456789012345", lotacoes=[lot(cbo=ACS)]),
        sample_professional(3, lotacoes=[lot(cbo=ENFERMEIRO)]),
    ]
    path = cnes_file(tmp_path, units_0_1(), profs)
    lines = path.read_text(encoding="iso-8859-1").splitlines()

    report = run(path)

    assert report.profissionais.novos == 2 and report.lotacoes.novos == 2
    bad_cpf, bad_cns = report.registros_nao_importados
    assert (bad_cpf.tipo, bad_cpf.chave, bad_cpf.elemento) == ("profissional", "12345678900", "DADOS_PROFISSIONAIS")
    assert bad_cpf.motivo.startswith("CPF 12345678900 inválido")
    assert 'CPF_PROF="12345678900"' in lines[bad_cpf.linha - 1]
    assert bad_cns.chave == cpf_of(2) and bad_cns.motivo.startswith("CNS 123456789012345 inválido")
    assert f'CPF_PROF="{cpf_of(2)}"' in lines[bad_cns.linha - 1]
    assert {p.cpf for p in Professional.select()} == {ADMIN_CPF, cpf_of(0), cpf_of(3)}
    assert User.select().where(User.login.in_(["12345678900", cpf_of(2)])).count() == 0
    assert CnesImportReport.get().rejected == 2


def test_unknown_cbo_is_reported_not_invented(network, tmp_path):
    catalogue = Cbo.select().count()
    profs = [sample_professional(0, lotacoes=[lot(), lot(cbo="999999", ine=TEAM1)])]

    report = run(cnes_file(tmp_path, units_0_1(), profs))

    assert Cbo.select().count() == catalogue and not Cbo.select().where(Cbo.code == "999999").exists()
    [rejected] = report.registros_nao_importados
    assert rejected.tipo == "lotação" and rejected.elemento == "DADOS_LOTACOES"
    assert rejected.motivo == "O CBO 999999 não existe no catálogo de CBO do sistema."
    assert report.profissionais.novos == 1 and active_codes() == {code(cpf_of(0))}


def test_unavailable_cbo_refuses_a_new_lotacao_but_keeps_an_existing_one(network, tmp_path):
    path = cnes_file(tmp_path, units_0_1(), professionals(2))
    run(path)
    with transaction():
        Cbo.update(available_for_lotacao=False).where(Cbo.code.in_([MEDICO, ACS])).execute()
    profs = professionals(2) + [sample_professional(5, lotacoes=[lot(cbo=ACS)])]

    report = run(cnes_file(tmp_path, units_0_1(), profs))

    assert code(cpf_of(0)) in active_codes()  # existing, kept
    [rejected] = report.registros_nao_importados
    assert rejected.motivo == "O CBO 515105 está indisponível para lotação (módulo CBO)."
    assert professional(5).lotacoes.count() == 0


def test_cnes_ine_pair_is_checked(network, tmp_path):
    profs = [
        sample_professional(
            0,
            lotacoes=[
                lot(ine=TEAM10),  # a team of unit 1, not of unit 0
                lot(cnes="2999999", ine=""),  # a unit not in the file
                lot(ine="0009999999"),  # a team not in the file
                lot(cnes=UNIT1, ine=TEAM10),  # right
            ],
        )
    ]

    report = run(cnes_file(tmp_path, units_0_1(), profs))

    reasons = [item.motivo for item in report.registros_nao_importados]
    assert reasons == [
        f"A equipe INE {TEAM10} não pertence à unidade CNES {UNIT0} (é da unidade CNES {UNIT1}).",
        "A unidade CNES 2999999 não está no arquivo.",
        "A equipe INE 0009999999 não está no arquivo.",
    ]
    assert active_codes() == {code(cpf_of(0), cnes=UNIT1, ine=TEAM10)}


def test_invalid_cnpj_or_cnes_rejects_the_unit_and_what_depends_on_it(network, tmp_path):
    units = [sample_unit(0, team_count=2), sample_unit(1, CNPJ="11111111111112"), sample_unit(2, CNES="123")]
    profs = [sample_professional(0, lotacoes=[lot(), lot(cnes=UNIT1, ine=TEAM10)])]

    report = run(cnes_file(tmp_path, units, profs))

    assert [(item.tipo, item.chave) for item in report.registros_nao_importados] == [
        ("unidade", UNIT1),
        ("unidade", "123"),
        ("lotação", f"{masked(cpf_of(0))} / {UNIT1} / {TEAM10} / {MEDICO}"),
    ]
    cnpj, cnes = report.registros_nao_importados[:2]
    assert cnpj.motivo == "CNPJ 11111111111112 inválido (dígitos verificadores não conferem)."
    assert cnes.motivo == "CNES 123 inválido: o código do CNES tem 7 dígitos."
    assert [unit.cnes for unit in HealthUnit.select()] == [UNIT0]
    assert active_codes() == {code(cpf_of(0))}


def test_unit_already_registered_in_another_municipality_is_refused(network, tmp_path):
    with transaction():
        other = HealthUnit.create(
            cnes=UNIT1, name="UBS DE XANXERÊ", localidade=Localidade.get(Localidade.ibge == XANXERE).id
        )

    report = run(cnes_file(tmp_path, units_0_1(), professionals(1)))

    assert report.registros_nao_importados[0].motivo == f"A unidade CNES {UNIT1} já está cadastrada em Xanxerê/SC."
    assert HealthUnit.get_by_id(other.id).name == "UBS DE XANXERÊ"
    assert report.unidades.novos == 1


# --------------------------------------------------------------------------------------------
# What the file no longer holds
# --------------------------------------------------------------------------------------------


def test_team_deactivated_in_the_file(network, tmp_path):
    run(cnes_file(tmp_path, units_0_1(), professionals(2)))
    assert Team.get(Team.ine == TEAM1).active and code(cpf_of(1), ine=TEAM1, cbo=ENFERMEIRO) in active_codes()
    units = units_0_1()
    units[0]["teams"][1]["DT_DESATIVACAO"] = "15/03/2026"

    report = run(cnes_file(tmp_path, units, professionals(2)))

    team = Team.get(Team.ine == TEAM1)
    assert not team.active  # PEC keeps no deactivation date for a team
    assert report.equipes.desativados == 1 and report.equipes.inalterados == 2
    assert report.registros_nao_importados[0].motivo == f"A equipe INE {TEAM1} está desativada no arquivo."
    placed = Lotacao.get(Lotacao.unique_code == code(cpf_of(1), ine=TEAM1, cbo=ENFERMEIRO))
    assert placed.deactivated_at == dt.datetime(2026, 11, 20, 9, 0) and not ActorRole.get_by_id(placed.role_id).active
    assert report.lotacoes.desativados == 1

    units[0]["teams"][1]["DT_DESATIVACAO"] = ""
    again = run(cnes_file(tmp_path, units, professionals(2)))
    assert Team.get(Team.ine == TEAM1).active
    assert again.equipes.reativados == 1 and again.lotacoes.reativados == 1


def test_reimport_without_a_professional_deactivates_their_lotacoes(network, tmp_path):
    run(cnes_file(tmp_path, units_0_1(), professionals(3)))
    third = professional(2)
    assert {row.unique_code for row in third.lotacoes if row.deactivated_at is None} == {
        code(cpf_of(2), cbo=ACS),
        code(cpf_of(2), cnes=UNIT1, ine=TEAM10),
    }

    report = run(cnes_file(tmp_path, units_0_1(), professionals(2)))

    assert report.lotacoes.desativados == 2 and report.lotacoes.inalterados == 2
    assert report.profissionais.inalterados == 2
    assert all(row.deactivated_at is not None for row in professional(2).lotacoes)
    assert not ActorRole.select().where((ActorRole.professional == third.id) & (ActorRole.active == True)).exists()
    assert User.get_by_id(third.user_id).login == cpf_of(2)  # the professional and the user stay

    back = run(cnes_file(tmp_path, units_0_1(), professionals(3)))
    assert back.lotacoes.reativados == 2
    assert ActorRole.select().where((ActorRole.professional == third.id) & (ActorRole.active == True)).count() == 2
    assert Lotacao.select().where(Lotacao.professional == third.id).count() == 2  # the same rows, not new ones


def test_units_and_teams_not_in_the_file_are_deactivated_and_come_back(network, tmp_path):
    run(cnes_file(tmp_path, units_0_1(), professionals(3)))

    report = run(cnes_file(tmp_path, units_0_1()[:1], professionals(2)))

    assert not HealthUnit.get(HealthUnit.cnes == UNIT1).active and not Team.get(Team.ine == TEAM10).active
    assert (report.unidades.desativados, report.equipes.desativados) == (1, 1)
    back = run(cnes_file(tmp_path, units_0_1(), professionals(3)))
    assert HealthUnit.get(HealthUnit.cnes == UNIT1).active and Team.get(Team.ine == TEAM10).active
    assert (back.unidades.reativados, back.equipes.reativados) == (1, 1)


def test_hand_made_lotacao_is_left_alone_and_a_flagged_one_is_deactivated(network, tmp_path):
    path = cnes_file(tmp_path, units_0_1(), professionals(2))
    run(path)
    doctor = professional(0)
    manual = hand_made_lotacao(doctor.id, UNIT1, ENFERMEIRO, flagged=False)
    flagged = hand_made_lotacao(doctor.id, UNIT1, TECNICO, TEAM10, flagged=True)
    before_manual = Lotacao.get_by_id(manual)

    report = run(path)

    kept = Lotacao.get_by_id(manual)
    assert kept.deactivated_at is None and ActorRole.get_by_id(manual).active
    assert (kept.imported, kept.update_on_import, kept.unique_code) == (False, False, None)
    assert kept.cbo_id == before_manual.cbo_id and kept.unit_id == before_manual.unit_id
    gone = Lotacao.get_by_id(flagged)
    assert gone.deactivated_at is not None and not ActorRole.get_by_id(flagged).active
    assert report.lotacoes.desativados == 1


def test_flagged_hand_made_lotacao_found_in_the_file_is_taken_over_not_duplicated(network, tmp_path, known_rows):
    run(cnes_file(tmp_path, units_0_1(), professionals(1)))
    with transaction():
        user = User.create(login=cpf_of(1), must_change_password=True)
        nurse = Professional.create(cpf=cpf_of(1), name="ENFERMEIRA CADASTRADA NO PEC", user=user.id)
    flagged = hand_made_lotacao(nurse.id, UNIT0, ENFERMEIRO, TEAM1, flagged=True)
    manual = hand_made_lotacao(nurse.id, UNIT1, ACS, TEAM10, flagged=False)
    profs = professionals(2)
    profs[1]["lotacoes"].append(lot(cnes=UNIT1, cbo=ACS, ine=TEAM10))

    report = run(cnes_file(tmp_path, units_0_1(), profs))

    assert Lotacao.select().where(Lotacao.professional == nurse.id).count() == 2  # none added
    taken = Lotacao.get_by_id(flagged)
    assert taken.unique_code == code(cpf_of(1), ine=TEAM1, cbo=ENFERMEIRO) and taken.deactivated_at is None
    assert Lotacao.get_by_id(manual).unique_code is None
    [warning] = report.avisos
    assert "cadastrada manualmente" in warning.motivo and warning.tipo == "lotação"
    assert report.profissionais.atualizados == 1 and professional(1).name == sample_professional(1)["NM_PROF"]
    assert Professional.get_by_id(nurse.id).user_id == user.id
    assert bool(_by_cpf_or_login(known_rows)) == (cnes_professionals._PRELOAD_AT_MOST == 0)


def test_existing_logins_are_linked_when_free_and_never_taken_from_another_professional(network, tmp_path, known_rows):
    with transaction():
        free = User.create(login=cpf_of(0), must_change_password=True)  # a user without professional
        taken = User.create(login=cpf_of(1))
        Professional.create(cpf="16899535009", name="DONO DO LOGIN", user=taken.id)
    users_before = User.select().count()

    report = run(cnes_file(tmp_path, units_0_1(), professionals(2)))

    assert report.profissionais.novos == 2 and User.select().count() == users_before  # no user created
    assert professional(0).user_id == free.id
    assert professional(1).user_id is None
    [warning] = report.avisos
    assert warning.chave == cpf_of(1) and warning.motivo == (
        f"O login {masked(cpf_of(1))} já pertence a outro profissional; o profissional ficou sem usuário."
    )
    assert bool(_by_cpf_or_login(known_rows)) == (cnes_professionals._PRELOAD_AT_MOST == 0)


# --------------------------------------------------------------------------------------------
# All or nothing
# --------------------------------------------------------------------------------------------


def test_an_error_midway_leaves_nothing(network, tmp_path, monkeypatch):
    run(cnes_file(tmp_path, units_0_1(), professionals(1)))
    before = snapshot()
    monkeypatch.setattr(importer, "CHUNK", 2)
    calls = {"n": 0}
    original = Lotacoes.save

    def failing(self, work):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("falha simulada no meio da importação")
        return original(self, work)

    monkeypatch.setattr(Lotacoes, "save", failing)
    many = [sample_professional(index, lotacoes=[lot()]) for index in range(10, 20)]

    with pytest.raises(RuntimeError):
        run(cnes_file(tmp_path, units_0_1(), many))

    assert calls["n"] == 3  # two chunks were written before the failure
    assert snapshot() == before


def test_a_constraint_failure_on_the_last_record_leaves_nothing(network, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 3)
    many = [sample_professional(index, lotacoes=[lot()]) for index in range(10, 18)]
    last_code = code(cpf_of(17))
    with transaction():
        xanxere = Localidade.get(Localidade.ibge == XANXERE).id
        unit = HealthUnit.create(cnes="3000001", name="UBS XANXERÊ", localidade=xanxere)
        user = User.create(login="16899535009")
        someone = Professional.create(cpf="16899535009", name="OUTRA PESSOA", user=user.id)
        role = ActorRole.create(professional=someone.id, kind=ActorRole.LOTACAO)
        Lotacao.create(
            role=role.id,
            professional=someone.id,
            cbo=Cbo.get(Cbo.code == MEDICO).id,
            unit=unit.id,
            imported=True,
            unique_code=last_code,
        )
    before = snapshot()

    error = refused(cnes_file(tmp_path, units_0_1(), many))

    assert error.message.startswith(f"A importação de {NAME} falhou ao gravar no banco; nada foi alterado. ")
    assert "constraint" not in error.message and "duplicate" not in error.message  # no driver text
    assert snapshot() == before
    assert CnesImport.select().count() == 0


ONLY_POSTGRES = pytest.mark.parametrize("db", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


def _check_triggers_enabled() -> list[tuple[str, str]]:
    """The foreign-key check triggers of the tables the import writes, and their state."""
    from pec_tui.storage.database import current_database

    cursor = current_database().cursor()
    cursor.execute(
        "SELECT c.relname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname IN ('RI_FKey_check_ins', 'RI_FKey_check_upd') "
        "AND c.relname IN ('tb_prof', 'tb_ator_papel', 'tb_lotacao')"
    )
    return cursor.fetchall()


ONLY_SQLITE = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def _sqlite_foreign_keys_enforced() -> bool:
    """Whether this thread's connection enforces foreign keys again (the import turns it off)."""
    return current_database().execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def _sqlite_indexes() -> list[tuple]:
    return (
        current_database()
        .execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        .fetchall()
    )


def _spy_on_index_drops(monkeypatch) -> list[list[str]]:
    """The names of the indexes each ``BulkWriter.drop_indexes`` call dropped."""
    return _spy_on_bulk(monkeypatch, "drop_indexes", lambda _bulk, _models, dropped: [name for name, _sql in dropped])


@ONLY_SQLITE
def test_sqlite_bulk_import_builds_the_indexes_once_and_checks_the_keys_once(network, tmp_path, monkeypatch):
    monkeypatch.setattr(large_load, "SUSPEND_AT", 1)
    drops = _spy_on_index_drops(monkeypatch)
    indexes = _sqlite_indexes()
    checked = _spy_on_bulk(
        monkeypatch,
        "foreign_key_violations",
        lambda _bulk, arguments, _found: [model._meta.table_name for model in arguments[0]],
    )

    report = run(cnes_file(tmp_path, units_0_1(), professionals()))

    [dropped] = drops
    assert {"tb_prof_nu_cpf", "tb_usuario_ds_login", "tb_lotacao_co_unico_lotacao"} <= set(dropped)
    assert _sqlite_indexes() == indexes  # every one built again, as it was
    [tables] = checked
    assert {"tb_lotacao", "tb_prof", "tb_usuario", "tb_importacao_cnes", "pectui_evento_auditoria"} <= set(tables)
    assert _sqlite_foreign_keys_enforced()
    assert report.lotacoes.novos == 4 and report.profissionais.novos == 3
    assert active_codes() == codes_of_professionals()
    assert professional(2).user.login == cpf_of(2)


@ONLY_SQLITE
def test_sqlite_many_known_professionals_keep_the_indexes(network, tmp_path, monkeypatch):
    monkeypatch.setattr(large_load, "SUSPEND_AT", 1)
    monkeypatch.setattr(cnes_professionals, "_PRELOAD_AT_MOST", 0)  # looked up batch by batch: indexes needed
    drops = _spy_on_index_drops(monkeypatch)

    report = run(cnes_file(tmp_path, units_0_1(), professionals()))

    assert drops == [] and report.lotacoes.novos == 4
    assert _sqlite_foreign_keys_enforced()


@ONLY_SQLITE
def test_sqlite_a_repeated_unique_key_found_when_the_indexes_are_built_leaves_nothing(
    network, tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(large_load, "SUSPEND_AT", 1)
    drops = _spy_on_index_drops(monkeypatch)
    indexes = _sqlite_indexes()
    original = Lotacoes.save

    def with_a_repeated_code(self, work):
        original(self, work)
        # A second user with the login of the first professional: only the rebuilt index sees it.
        self.bulk.insert(User, ("id", "login"), [(self.bulk.ids(User, 1)[0], cpf_of(0))], cnes_professionals._NEW_USER)

    monkeypatch.setattr(Lotacoes, "save", with_a_repeated_code)
    before = snapshot()

    error = refused(cnes_file(tmp_path, units_0_1(), professionals()))

    assert len(drops) == 1
    assert error.message == (
        f"A importação de {NAME} falhou ao gravar no banco; nada foi alterado. Já existe um registro com esses dados."
    )
    assert "UNIQUE constraint failed: tb_usuario.ds_login" in caplog.text  # the driver's text, in the log
    assert snapshot() == before
    assert _sqlite_indexes() == indexes and _sqlite_foreign_keys_enforced()


def _spy_on_suspensions(monkeypatch) -> list[tuple[object, str]]:
    """Every call of ``BulkWriter.suspend_checks`` from now on: what it returned (the suspended checks,
    or None) and the transaction's ``lock_timeout`` right after it (its short wait is over)."""

    def note(bulk, _models, result):
        [(lock_timeout,)] = bulk.query("SELECT current_setting('lock_timeout')")
        return result, lock_timeout

    return _spy_on_bulk(monkeypatch, "suspend_checks", note)


@ONLY_POSTGRES
def test_postgres_bulk_import_suspends_the_foreign_key_checks_and_validates_them(network, tmp_path, monkeypatch):
    monkeypatch.setattr(large_load, "SUSPEND_AT", 1)
    suspended = _spy_on_suspensions(monkeypatch)
    interval = sys.getswitchinterval()

    report = run(cnes_file(tmp_path, units_0_1(), professionals()))

    assert sys.getswitchinterval() == interval  # shortened for the writer thread, then given back
    [(checks, lock_timeout)] = suspended
    assert checks is not None  # the test server's user is a superuser
    assert lock_timeout == "0"
    assert "tb_lotacao_co_unidade_saude_fkey" in checks.constraints
    assert report.lotacoes.novos == 4 and report.profissionais.novos == 3
    assert active_codes() == codes_of_professionals()
    states = _check_triggers_enabled()
    assert len(states) >= 8 and {state for _table, state in states} == {"O"}


@ONLY_POSTGRES
def test_postgres_a_table_held_by_another_session_keeps_the_per_row_checks(network, tmp_path, monkeypatch):
    import psycopg2

    from pec_tui.storage.database import current_database

    monkeypatch.setattr(large_load, "SUSPEND_AT", 1)
    monkeypatch.setattr(BulkWriter, "SUSPEND_LOCK_WAIT", 0.2)
    suspended = _spy_on_suspensions(monkeypatch)
    database = current_database()
    other = psycopg2.connect(dbname=database.database, **database.connect_params)
    try:
        with other.cursor() as cursor:  # a PEC transaction left open with a write lock on tb_lotacao
            cursor.execute("LOCK TABLE tb_lotacao IN ROW EXCLUSIVE MODE")
        started = time.monotonic()
        report = run(cnes_file(tmp_path, units_0_1(), professionals()))
        waited = time.monotonic() - started
    finally:
        other.rollback()
        other.close()

    # Gave up the suspension after 0.2 s instead of waiting, and put lock_timeout back as it was.
    assert suspended == [(None, "0")]
    assert waited < 10
    assert report.lotacoes.novos == 4 and len(active_codes()) == 4
    assert {state for _table, state in _check_triggers_enabled()} == {"O"}


def test_a_dangling_reference_found_by_the_validation_leaves_nothing(network, tmp_path, monkeypatch):
    run(cnes_file(tmp_path, units_0_1(), professionals(1)))
    before = snapshot()
    monkeypatch.setattr(large_load, "SUSPEND_AT", 1)
    original = cnes_run.ImportRun._finish

    def finish_with_a_dangling_lotacao(self):
        original(self)
        # peewee first: once a write is queued, the writer thread may be using the connection.
        professional_id = Professional.get(Professional.cpf == cpf_of(1)).id
        cbo_id = Cbo.get(Cbo.code == MEDICO).id
        [role_id] = self.bulk.ids(ActorRole, 1)
        role = (role_id, professional_id, ActorRole.LOTACAO, True)
        self.bulk.insert(ActorRole, ("id", "professional", "kind", "active"), [role])
        self.bulk.insert(
            Lotacao,
            ("role", "professional", "cbo", "unit", "imported", "update_on_import"),
            [(role_id, professional_id, cbo_id, 987_654_321, True, False)],  # no such unit
        )

    monkeypatch.setattr(cnes_run.ImportRun, "_finish", finish_with_a_dangling_lotacao)
    interval = sys.getswitchinterval()

    error = refused(cnes_file(tmp_path, units_0_1(), professionals()))

    assert sys.getswitchinterval() == interval
    assert error.message.startswith(f"A importação de {NAME} deixaria registros sem correspondência no banco (")
    assert "tb_lotacao_co_unidade_saude_fkey" in error.message and "987654321" in error.message
    assert error.message.endswith("; nada foi alterado.")
    assert snapshot() == before
    if is_postgres():
        assert {state for _table, state in _check_triggers_enabled()} == {"O"}
    else:
        assert _sqlite_foreign_keys_enforced()


def test_cancel_midway_during_a_bulk_load_changes_nothing(network, tmp_path, monkeypatch):
    """Cancelled with the PostgreSQL checks suspended, or with the SQLite indexes dropped."""
    run(cnes_file(tmp_path, units_0_1(), professionals(1)))
    before = snapshot()
    indexes = None if is_postgres() else _sqlite_indexes()
    monkeypatch.setattr(large_load, "SUSPEND_AT", 1)
    monkeypatch.setattr(importer, "CHUNK", 2)
    monkeypatch.setattr(cnes_run, "PROGRESS_INTERVAL", 0.0)
    bulk_mode = _spy_on_suspensions(monkeypatch) if is_postgres() else _spy_on_index_drops(monkeypatch)
    cancel = threading.Event()

    def cancel_after_two_batches(progress: ImportProgress) -> None:
        # The callback must not use the database: the writer thread may be using the connection.
        if progress.records >= 6:  # units and two batches of professionals read, and written
            cancel.set()

    many = [sample_professional(index, lotacoes=[lot()]) for index in range(10, 20)]
    with pytest.raises(ImportCancelled):
        run(cnes_file(tmp_path, units_0_1(), many), progress=cancel_after_two_batches, cancel=cancel)

    assert len(bulk_mode) == 1  # cancelled with the checks suspended / the indexes dropped
    assert snapshot() == before
    if is_postgres():
        assert bulk_mode[0][0] is not None
        assert {state for _table, state in _check_triggers_enabled()} == {"O"}
    else:
        assert _sqlite_indexes() == indexes and _sqlite_foreign_keys_enforced()


def test_cancel_changes_nothing(network, tmp_path):
    before = snapshot()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ImportCancelled) as caught:
        run(cnes_file(tmp_path, units_0_1(), professionals()), cancel=cancel)
    assert caught.value.message == "Importação do CNES cancelada; nada foi alterado."
    assert snapshot() == before


def test_progress_reports_records_time_and_bytes(network, tmp_path, monkeypatch):
    monkeypatch.setattr(cnes_run, "PROGRESS_INTERVAL", 0.0)
    seen: list[ImportProgress] = []
    many = [sample_professional(index, lotacoes=[lot()]) for index in range(10, 610)]
    path = cnes_file(tmp_path, units_0_1(), many)

    run(path, progress=seen.append)

    assert seen[0].records == 0 and seen[-1].phase == "Concluído" and seen[-1].records == 602
    reading = [p for p in seen if p.phase == "Lendo profissionais e lotações"]
    assert [p.records for p in reading] == sorted(p.records for p in reading) and reading
    assert all(p.bytes_total == path.stat().st_size for p in seen)
    assert 0 < reading[0].bytes_read <= path.stat().st_size and seen[-1].fraction == 1.0
    assert seen[-1].label.startswith("Concluído: 602 registros (100%) em ")


# --------------------------------------------------------------------------------------------
# History, report, users, CNS, audit
# --------------------------------------------------------------------------------------------


def test_history_row_report_and_csv_export(network, tmp_path):
    profs = professionals() + [sample_professional(4, CO_CNS="123", lotacoes=[lot()])]
    report = run(cnes_file(tmp_path, units_0_1(), profs), user_id=network)

    row = CnesImport.get()  # PEC's history row
    assert (row.localidade_id, row.imported_at) == (chapeco_id(), dt.datetime(2026, 11, 20, 9, 0))
    assert (row.units_new, row.teams_new, row.professionals_new, row.lotacoes_new) == (2, 3, 3, 4)
    assert row.professional_id == Professional.get(Professional.user == network).id
    extra = CnesImportReport.get_by_id(row.id)  # what PEC has no column for
    assert (extra.file_name, extra.user_id, extra.layout_version) == (NAME, network, "3.1")
    assert extra.file_date == dt.date(2024, 6, 3)
    assert (extra.units, extra.teams, extra.professionals, extra.lotacoes, extra.rejected) == (2, 3, 3, 4, 1)
    stored = ImportReport.from_json(extra.report)
    assert report.importacao_id == row.id and stored.to_dict() == report.to_dict()
    assert get_report(row.id).to_dict() == report.to_dict()
    page = list_imports()
    assert page.total == 1 and page.rows[0].user_label == "Helena Martins Duarte" and page.rows[0].rejected == 1
    assert list_imports([Localidade.get(Localidade.ibge == XANXERE).id]).total == 0

    target = report_to_csv(report, tmp_path / "saida" / "relatorio.csv")

    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["secao", "tipo", "chave", "nome", "motivo", "elemento", "linha", "quantidade"]
    assert ["registros importados", "Lotações", "novos", "", "", "", "", "4"] in rows
    [not_imported] = [r for r in rows if r[0] == "registros não importados"]
    assert not_imported[1:3] == ["profissional", cpf_of(4)] and not_imported[4].startswith("CNS 123 inválido")
    assert [r[2] for r in rows if r[0].startswith("profissionais com mais de uma lotação")] == [masked(cpf_of(2))]
    assert not list((tmp_path / "saida").glob(".*.tmp"))


def test_professionals_with_several_lotacoes_and_no_agenda_are_listed(network, tmp_path):
    path = cnes_file(tmp_path, units_0_1(), professionals())
    report = run(path)
    assert [(p.cpf, p.lotacoes) for p in report.profissionais_sem_agenda] == [(cpf_of(2), 2)]
    with transaction():
        placed = Lotacao.get(Lotacao.unique_code == code(cpf_of(2), cbo=ACS))
        AgendaConfig.create(entity=placed.role_id, kind=1)

    assert run(path).profissionais_sem_agenda == []


def test_new_professional_user_has_no_password_and_must_change_it(network, tmp_path):
    run(cnes_file(tmp_path, units_0_1(), professionals(1)))
    user = User.get(User.login == cpf_of(0))
    assert user.password_hash is None and user.must_change_password and not user.blocked

    result = authenticate(cpf_of(0), f"{cns_of(0)}esus")

    assert result.must_change_password and result.reason == "Primeiro acesso: defina a sua senha."


def test_cns_of_another_professional_is_reported_not_shared(network, tmp_path):
    with transaction():
        other = Professional.create(cpf="16899535009", name="PROFISSIONAL ANTIGO", cns=cns_of(5))
        ProfessionalCnsHistory.create(professional=other.id, cns=cns_of(5))
    profs = [
        sample_professional(5, lotacoes=[lot()]),  # CNS of "PROFISSIONAL ANTIGO"
        sample_professional(6, CO_CNS=cns_of(7), lotacoes=[lot()]),  # takes the CNS of the next one
        sample_professional(7, lotacoes=[lot()]),
    ]

    report = run(cnes_file(tmp_path, units_0_1(), profs))

    assert report.profissionais.novos == 3 and report.lotacoes.novos == 3
    first, second = report.avisos
    assert first.chave == cpf_of(5) and first.motivo == (
        f"O CNS {cns_of(5)} já pertence a outro profissional já cadastrado e não foi compartilhado; importado sem CNS."
    )
    assert second.chave == cpf_of(7) and f"ao profissional de CPF {cpf_of(6)[:3]}." in second.motivo
    assert professional(5).cns is None and professional(6).cns == cns_of(7) and professional(7).cns is None
    owners = ProfessionalCnsHistory.select().where(ProfessionalCnsHistory.cns == cns_of(5))
    assert [row.professional_id for row in owners] == [other.id]
    assert ProfessionalCnsHistory.select().where(ProfessionalCnsHistory.cns == cns_of(7)).count() == 1


def test_a_new_cns_of_a_known_professional_goes_to_the_history(network, tmp_path, known_rows):
    run(cnes_file(tmp_path, units_0_1(), professionals(1)))
    new_cns = cns_of(9)
    profs = professionals(1)
    profs[0]["CO_CNS"] = new_cns

    report = run(cnes_file(tmp_path, units_0_1(), profs))

    assert report.profissionais.atualizados == 1 and professional(0).cns == new_cns
    assert sorted(row.cns for row in professional(0).cns_history) == sorted([cns_of(0), new_cns])


def test_import_is_audited_in_its_own_transaction(network, tmp_path):
    events = AuditEvent.select().count()

    report = run(cnes_file(tmp_path, units_0_1(), professionals()), user_id=network)

    assert AuditEvent.select().count() == events + 1
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).get()
    assert (event.event_type, event.record_type, event.record_id) == (
        "OPERACAO_BANCO_DADOS",
        "IMPORTACAO_CNES",
        str(report.importacao_id),
    )
    assert event.user_id == network and event.component == "pec-tui/cnes"
    assert event.details.startswith(f"Importação do CNES {NAME} (Chapecó/SC, layout 3.1). Unidades de saúde: 2 novas")
    assert audit.verify().ok


# --------------------------------------------------------------------------------------------
# Who may import
# --------------------------------------------------------------------------------------------


def test_who_may_import(network):
    chapeco = chapeco_id()
    xanxere = Localidade.get(Localidade.ibge == XANXERE).id
    admin = load_logged_user(User.get(User.login == ADMIN_CPF))
    assert check_import_permission(admin, chapeco).ibge == CHAPECO
    with pytest.raises(PecError, match="não está ativo nesta instalação"):
        check_import_permission(admin, xanxere)

    with transaction():
        user = User.create(login="11144477735")
        rafael = Professional.create(cpf="11144477735", name="Rafael Souza Lima", user=user.id)
    add_municipal_admin(chapeco, rafael.id, by_user_id=network)
    municipal = load_logged_user(user)
    assert check_import_permission(municipal, chapeco).id == chapeco
    with transaction():
        InstallationMunicipality.create(localidade=xanxere, activated_at=dt.datetime(2026, 1, 1))
    with pytest.raises(PecError) as caught:
        check_import_permission(municipal, xanxere)
    assert caught.value.message == (
        "Você é administrador municipal de Chapecó/SC; só pode importar o CNES desse município, não de Xanxerê/SC."
    )

    with transaction():
        plain_user = User.create(login="39053344705")
        Professional.create(cpf="39053344705", name="Carla Nunes Ferreira", user=plain_user.id)
    with pytest.raises(PecError, match="Somente o administrador da instalação ou o administrador municipal"):
        check_import_permission(load_logged_user(plain_user), chapeco)


# --------------------------------------------------------------------------------------------
# Check digits: the fast arithmetic agrees with validate_docbr
# --------------------------------------------------------------------------------------------


def _mutations(values: list[str], rng: random.Random) -> list[str]:
    out = []
    for value in values:
        position = rng.randrange(len(value))
        digit = str((int(value[position]) + rng.randint(1, 9)) % 10)
        out.append(value[:position] + digit + value[position + 1 :])
    return out


def test_cpf_and_cns_checks_agree_with_validate_docbr():
    rng = random.Random(20261120)
    cpf, cns = CPF(), CNS()
    state = random.getstate()
    random.seed(7)
    try:
        cpfs = [cpf.generate() for _ in range(3_000)]
        cnss = [cns.generate() for _ in range(3_000)]
    finally:
        random.setstate(state)
    cpfs += _mutations(cpfs, rng) + [f"{rng.randrange(10**11):011d}" for _ in range(3_000)]
    cpfs += [digit * 11 for digit in "0123456789"]
    cnss += _mutations(cnss, rng) + [f"{rng.randrange(10**15):015d}" for _ in range(10_000)]
    cnss += [f"{first}{rng.randrange(10**14):014d}" for first in "0123456789" for _ in range(300)]
    assert [is_valid_cpf(value) for value in cpfs] == [cpf.validate(value) for value in cpfs]
    assert [is_valid_cns(value) for value in cnss] == [cns.validate(value) for value in cnss]
    assert sum(map(is_valid_cns, cnss)) > 3_000  # valid ones of every kind were really tested
    assert not is_valid_cpf("529.982.247-25") and not is_valid_cns("7000 0000 0000 005")


# --------------------------------------------------------------------------------------------
# Command line (SQLite, the embedded database)
# --------------------------------------------------------------------------------------------


def _init_cli(run_cli, tmp_path: Path) -> None:
    password = tmp_path / "senha.txt"
    password.write_text("Senha1234\n", encoding="utf-8")
    result = run_cli(
        "init",
        "--municipio",
        CHAPECO,
        "--admin-cpf",
        ADMIN_CPF,
        "--admin-name",
        "Helena Martins Duarte",
        "--admin-password-file",
        str(password),
    )
    assert result.returncode == 0, result.stderr


def test_cli_imports_a_file_and_lists_the_history(run_cli, tmp_path):
    _init_cli(run_cli, tmp_path)
    path = cnes_file(tmp_path, units_0_1(), professionals() + [sample_professional(4, CPF_PROF="1", lotacoes=[])])

    result = run_cli("cnes", "import", str(path), "--json", "--csv", str(tmp_path / "r.csv"))

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["lotacoes"]["novos"] == 4 and data["municipio"] == "Chapecó/SC"
    assert (
        data["registros_nao_importados"][0]["motivo"]
        == "CPF 1 inválido (deve ter 11 dígitos e dígitos verificadores válidos)."
    )
    assert (tmp_path / "r.csv").exists()
    assert result.stderr == ""  # no progress line when stderr is not a terminal

    text = run_cli("cnes", "import", str(path))
    assert text.returncode == 0
    assert text.stdout.startswith(
        f"Importação do CNES concluída: {NAME} (Chapecó/SC, layout 3.1, arquivo de 03/06/2024)"
    )
    assert "Lotações" in text.stdout and "Registros não importados: 1" in text.stdout

    history = run_cli("cnes", "historico", "--json")
    assert history.returncode == 0
    rows = json.loads(history.stdout)
    assert [row["lotacoes"] for row in rows] == [4, 4] and rows[0]["usuario"] == "Sistema (linha de comando)"


def test_cli_refusal_is_one_sentence_and_exit_1(run_cli, tmp_path):
    _init_cli(run_cli, tmp_path)
    path = cnes_file(tmp_path, [], [], name="XmlParaESUS31_420540.xml", ibge="4205407")

    result = run_cli("cnes", "import", str(path))

    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    # the full path, as the console says it (issue 15)
    assert result.stderr.startswith(f"pec-tui: O arquivo {path} é do município Florianópolis/SC")

    unknown = run_cli("cnes", "import", str(path), "--municipio", "4219507")
    assert unknown.returncode == 1
    assert unknown.stderr == "pec-tui: O município Xanxerê/SC não está ativo nesta instalação.\n"
