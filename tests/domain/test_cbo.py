"""CBO (manual 3.2): the shipped catalogue, migration 2, the paged list and the two edits."""

from __future__ import annotations

import re

import pytest

from pec_tui.core.errors import ValidationError
from pec_tui.domain import audit, cbo
from pec_tui.storage.database import transaction
from pec_tui.storage.migrations import FIRST_VERSION, read_cbo_catalogue, seed_cbo_catalogue
from pec_tui.storage.models import AuditEvent, Cbo, CboMunicipal, Localidade, SchemaVersion
from tests.support.cbo_fixture import cbo_catalogue  # noqa: F401

#: The professions of PEC's default profiles, with their CBO 2002 titles.
DEFAULT_PROFILE_OCCUPATIONS = {
    "225142": "MÉDICO DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "225125": "MÉDICO CLÍNICO",
    "225130": "MÉDICO DE FAMÍLIA E COMUNIDADE",
    "225124": "MÉDICO PEDIATRA",
    "225250": "MÉDICO GINECOLOGISTA E OBSTETRA",
    "225133": "MÉDICO PSIQUIATRA",
    "225170": "MÉDICO GENERALISTA",
    "223505": "ENFERMEIRO",
    "223565": "ENFERMEIRO DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "322205": "TÉCNICO DE ENFERMAGEM",
    "322245": "TÉCNICO DE ENFERMAGEM DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "322230": "AUXILIAR DE ENFERMAGEM",
    "322250": "AUXILIAR DE ENFERMAGEM DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "515105": "AGENTE COMUNITÁRIO DE SAÚDE",
    "515140": "AGENTE DE COMBATE ÀS ENDEMIAS",
    "223208": "CIRURGIÃO DENTISTA - CLÍNICO GERAL",
    "223293": "CIRURGIÃO-DENTISTA DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "322405": "TÉCNICO EM SAÚDE BUCAL",
    "322415": "AUXILIAR EM SAÚDE BUCAL",
    "322425": "TÉCNICO EM SAÚDE BUCAL DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "322430": "AUXILIAR EM SAÚDE BUCAL DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "223405": "FARMACÊUTICO",
    "223415": "FARMACÊUTICO ANALISTA CLÍNICO",
    "251510": "PSICÓLOGO CLÍNICO",
    "251605": "ASSISTENTE SOCIAL",
    "223710": "NUTRICIONISTA",
    "223605": "FISIOTERAPEUTA GERAL",
    "223810": "FONOAUDIÓLOGO GERAL",
    "223905": "TERAPEUTA OCUPACIONAL",
    "224140": "PROFISSIONAL DE EDUCAÇÃO FÍSICA NA SAÚDE",
    "131210": "GERENTE DE SERVIÇOS DE SAÚDE",
    "131205": "DIRETOR DE SERVIÇOS DE SAÚDE",
    "422105": "RECEPCIONISTA, EM GERAL",
    "422110": "RECEPCIONISTA DE CONSULTÓRIO MÉDICO OU DENTÁRIO",
    "411010": "ASSISTENTE ADMINISTRATIVO",
}


# --------------------------------------------------------------------------------------------
# The shipped catalogue and migration 2
# --------------------------------------------------------------------------------------------


def test_shipped_catalogue_is_well_formed():
    rows = read_cbo_catalogue()
    codes = [row["code"] for row in rows]
    assert 80 <= len(rows) <= 150
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert all(row["name"] and row["name"] == row["name"].upper() for row in rows)
    by_code = {row["code"]: row["name"] for row in rows}
    assert {code: by_code.get(code) for code in DEFAULT_PROFILE_OCCUPATIONS} == DEFAULT_PROFILE_OCCUPATIONS


def test_the_first_migration_seeds_tb_cbo_as_pec_keeps_it(db, cbo_catalogue):  # noqa: F811
    assert len(cbo_catalogue) == len(read_cbo_catalogue())
    medico = Cbo.get(Cbo.code == "225142")
    assert medico.name == "MÉDICO DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA"
    assert medico.name_filter == "MEDICO DA ESTRATEGIA DE SAUDE DA FAMILIA"  # PEC's *_filtro form
    assert medico.available_for_lotacao and cbo.get(medico.id).appointment_minutes is None
    # A shipped duration is the installation-wide default in tb_cbo_atend (no municipality).
    timed = [row for row in read_cbo_catalogue() if row["appointment_minutes"]]
    assert CboMunicipal.select().count() == len(timed)
    for row in timed:
        setting = CboMunicipal.get(CboMunicipal.cbo == cbo_catalogue[row["code"]])
        assert (setting.localidade_id, setting.minutes) == (None, row["appointment_minutes"])
    assert "catálogo de CBO" in SchemaVersion.get(SchemaVersion.version == FIRST_VERSION).description


def test_seeding_again_adds_nothing_and_keeps_the_municipality_settings(db, cbo_catalogue):  # noqa: F811
    nurse = cbo_catalogue["223505"]
    cbo.set_available(nurse, False, None)
    cbo.set_appointment_minutes(nurse, 30, None)
    with transaction():
        CboMunicipal.delete().where(CboMunicipal.cbo == cbo_catalogue["515140"]).execute()
        Cbo.delete().where(Cbo.code == "515140").execute()

    with transaction():
        added = seed_cbo_catalogue()

    assert added == 1  # only the one that was missing
    again = cbo.get_by_code("223505")
    assert (again.available, again.appointment_minutes) == (False, 30)
    assert Cbo.select().count() == len(read_cbo_catalogue())


def test_settings_are_per_municipality_with_the_installation_as_fallback(db, cbo_catalogue):  # noqa: F811
    chapeco = Localidade.get(Localidade.ibge == "4204202").id
    xanxere = Localidade.get(Localidade.ibge == "4219507").id
    nurse = cbo_catalogue["223565"]
    cbo.set_appointment_minutes(nurse, 25, None)  # the whole installation
    cbo.set_appointment_minutes(nurse, 40, None, chapeco)
    cbo.set_available(nurse, False, None, chapeco)

    assert (cbo.get(nurse, chapeco).appointment_minutes, cbo.get(nurse, chapeco).available) == (40, False)
    assert (cbo.get(nurse, xanxere).appointment_minutes, cbo.get(nurse, xanxere).available) == (25, True)
    listed = cbo.list_cbos("enfermeiro da estrategia", False, 0, 50, localidade_id=chapeco)
    assert nurse not in [row.id for row in listed.rows]  # unavailable there
    assert nurse in [row.id for row in cbo.list_cbos("enfermeiro da estrategia", False, 0, 50, xanxere).rows]
    rows = CboMunicipal.select().where(CboMunicipal.cbo == nurse).order_by(CboMunicipal.id)
    assert [(row.localidade_id, row.minutes, row.available_for_lotacao) for row in rows] == [
        (None, 25, None),
        (chapeco, 40, False),
    ]


# --------------------------------------------------------------------------------------------
# Lookups
# --------------------------------------------------------------------------------------------


def test_lookup_by_code(db, cbo_catalogue):  # noqa: F811
    assert cbo.get_by_code("2251-42").label == "225142 - MÉDICO DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA"
    assert cbo.get_by_code("999999") is None and cbo.get_by_code("") is None
    catalogue = cbo.catalogue_by_code()
    assert catalogue["515105"].name == "AGENTE COMUNITÁRIO DE SAÚDE" and len(catalogue) == len(cbo_catalogue)
    assert cbo.get(cbo_catalogue["223565"]).status_label == "Disponível para lotação"


def test_require_available_for_a_new_lotacao(db, cbo_catalogue):  # noqa: F811
    assert cbo.require_available("225142").code == "225142"
    with pytest.raises(ValidationError, match="não existe no catálogo de CBO"):
        cbo.require_available("999999")
    cbo.set_available(cbo_catalogue["225142"], False, None)
    with pytest.raises(ValidationError) as caught:
        cbo.require_available("225142")
    assert caught.value.message == (
        "O CBO 225142 - MÉDICO DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA está indisponível para lotação; "
        "disponibilize-o no módulo CBO."
    )


# --------------------------------------------------------------------------------------------
# The list (Figura 3.2.1)
# --------------------------------------------------------------------------------------------


def test_list_searches_name_without_accents_or_case(db, cbo_catalogue):  # noqa: F811
    page = cbo.list_cbos("medico da estrategia", False, 0, 20)
    assert [row.code for row in page.rows] == ["225142"] and page.total == 1
    dentists = cbo.list_cbos("cirurgiao dentista", False, 0, 50)
    assert {"223208", "223293"} <= {row.code for row in dentists.rows}
    assert all("CIRURGIÃO" in row.name for row in dentists.rows)


def test_list_searches_code(db, cbo_catalogue):  # noqa: F811
    assert [row.code for row in cbo.list_cbos("2251-42", False, 0, 20).rows] == ["225142"]
    family = cbo.list_cbos("3224", False, 0, 20)
    assert {row.code for row in family.rows} == {"322405", "322410", "322415", "322425", "322430"}


def test_list_is_paged_in_the_database_and_ordered_by_name(db, cbo_catalogue):  # noqa: F811
    first = cbo.list_cbos("", False, 0, 10)
    second = cbo.list_cbos("", False, 10, 10)
    assert first.total == second.total == len(cbo_catalogue)
    assert len(first.rows) == len(second.rows) == 10 and first.page_count == (first.total + 9) // 10
    names = [row.name for row in first.rows + second.rows]
    assert names == sorted(names) and not {r.id for r in first.rows} & {r.id for r in second.rows}


def test_unavailable_cbos_are_shown_only_when_asked(db, cbo_catalogue):  # noqa: F811
    cbo.set_available(cbo_catalogue["515140"], False, None)

    assert cbo.list_cbos("endemias", False, 0, 10).rows == []
    [row] = cbo.list_cbos("endemias", True, 0, 10).rows
    assert (row.code, row.available, row.status_label) == ("515140", False, "Indisponível para lotação")
    assert cbo.list_cbos("", False, 0, 500).total == len(cbo_catalogue) - 1


# --------------------------------------------------------------------------------------------
# Editing (3.2.1)
# --------------------------------------------------------------------------------------------


def _cbo_events() -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.record_type == "CBO").order_by(AuditEvent.id))


def test_set_available_is_audited_once_per_change(db, cbo_catalogue):  # noqa: F811
    medico = cbo_catalogue["225142"]

    assert cbo.set_available(medico, False, None).available is False
    assert cbo.set_available(medico, False, None).available is False  # no change, no event
    assert cbo.set_available(medico, True, None).available is True

    events = _cbo_events()
    assert [(e.event_type, e.record_id, e.details) for e in events] == [
        ("ACAO_USUARIO", "225142", "Indisponível para lotação"),
        ("ACAO_USUARIO", "225142", "Disponibilizado para lotação"),
    ]
    assert audit.verify().ok


def test_set_appointment_minutes_validates_and_audits(db, cbo_catalogue):  # noqa: F811
    nurse = cbo_catalogue["223565"]

    assert cbo.set_appointment_minutes(nurse, 20, None).appointment_minutes == 20
    assert cbo.set_appointment_minutes(nurse, None, None).appointment_minutes is None
    for wrong in (4, 241, 0, -5):
        with pytest.raises(ValidationError) as caught:
            cbo.set_appointment_minutes(nurse, wrong, None)
        assert caught.value.message.startswith("Duração da consulta: informe de 5 a 240 minutos")
        assert caught.value.field == "appointment_minutes"
    for wrong in (True, "20", 20.5):
        with pytest.raises(ValidationError, match="número inteiro de minutos"):
            cbo.set_appointment_minutes(nurse, wrong, None)  # type: ignore[arg-type]

    assert cbo.get(nurse).appointment_minutes is None
    assert [e.details for e in _cbo_events()] == [
        "CBO 223565 - ENFERMEIRO DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA: duração da consulta padrão → 20 minutos",
        "CBO 223565 - ENFERMEIRO DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA: duração da consulta 20 minutos → padrão",
    ]


def test_editing_an_unknown_cbo_is_refused(db, cbo_catalogue):  # noqa: F811
    with pytest.raises(cbo.CboNotFound, match="O CBO pedido não existe."):
        cbo.set_available(999_999, True, None)
    with pytest.raises(cbo.CboNotFound):
        cbo.set_appointment_minutes(999_999, 20, None)
