"""Unidades de saúde (3.4): lists paged in the database, search, teams and professionals."""

from __future__ import annotations

import pytest

from pec_tui.domain import unidades_saude
from pec_tui.domain.unidades_saude import UnitNotFound
from tests.support.units_data import build_network


@pytest.fixture
def net(db):
    return build_network(extra_units=25)


def names(page) -> list[str]:
    return [row.name for row in page.rows]


# --------------------------------------------------------------------------------------------
# Unit list
# --------------------------------------------------------------------------------------------


def test_units_are_paged_by_name_with_the_total(net):
    first = unidades_saude.list_units("", 0, 10, [net.chapeco_id])
    assert first.total == 29  # 4 named + 25 extra, Chapecó only
    assert len(first.rows) == 10
    assert (first.page_number, first.page_count) == (1, 3)
    assert names(first)[:2] == ["CAPS II Chapecó", "UBS Efapi"]
    last = unidades_saude.list_units("", 20, 10, [net.chapeco_id])
    assert len(last.rows) == 9 and (last.page_number, last.page_count) == (3, 3)
    everything = names(first) + names(unidades_saude.list_units("", 10, 10, [net.chapeco_id])) + names(last)
    assert len(set(everything)) == 29
    assert "UBS Xanxerê Centro" not in everything


def test_only_the_administered_municipalities_are_listed(net):
    assert names(unidades_saude.list_units("", 0, 50, [net.xanxere_id])) == ["UBS Xanxerê Centro"]
    assert unidades_saude.list_units("", 0, 50, []).total == 0
    both = unidades_saude.list_units("ubs", 0, 50, [net.chapeco_id, net.xanxere_id])
    assert names(both) == ["UBS Efapi", "UBS SÃO CRISTÓVÃO", "UBS Xanxerê Centro"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("são cristóvão", ["UBS SÃO CRISTÓVÃO"]),
        ("SAO CRISTOVAO", ["UBS SÃO CRISTÓVÃO"]),  # accents and case ignored
        ("cristov ubs", ["UBS SÃO CRISTÓVÃO"]),  # every word, any order
        ("efapi", ["UBS Efapi"]),
        ("2345671", ["UBS SÃO CRISTÓVÃO"]),  # CNES
        ("234568", ["UBS Efapi"]),  # part of a CNES
        ("caps", ["CAPS II Chapecó"]),
        ("chapeco", ["CAPS II Chapecó"]),
        ("100%", []),  # LIKE wildcards are literal
        ("nada assim", []),
    ],
)
def test_search_by_name_or_cnes(net, query, expected):
    page = unidades_saude.list_units(query, 0, 50, [net.chapeco_id])
    assert names(page) == expected
    assert page.total == len(expected)


def test_inactive_unit_is_listed_as_such(net):
    (row,) = unidades_saude.list_units("desativada", 0, 10, [net.chapeco_id]).rows
    assert row.active is False and row.type_name == "Centro de saúde / Unidade básica"


def test_a_page_past_the_end_is_empty_but_keeps_the_total(net):
    page = unidades_saude.list_units("", 500, 10, [net.chapeco_id])
    assert page.rows == [] and page.total == 29


# --------------------------------------------------------------------------------------------
# Informações and Tipos de serviço
# --------------------------------------------------------------------------------------------


def test_unit_detail_has_data_and_contact(net):
    detail = unidades_saude.unit_detail(net.units["UBS SÃO CRISTÓVÃO"], [net.chapeco_id])
    assert detail.cnes == "2345671"
    assert detail.cnpj_label == "11.222.333/0001-81"
    assert detail.municipality == "Chapecó/SC"
    assert detail.address_label == "Rua Marechal Deodoro, 450 — Centro — CEP 89802-140"
    assert (detail.phone, detail.email, detail.complexity) == (
        "4933211234",
        "ubs.saocristovao@saude.demo",
        "Atenção básica",
    )


def test_unit_of_another_municipality_is_refused(net):
    with pytest.raises(UnitNotFound):
        unidades_saude.unit_detail(net.units["UBS Xanxerê Centro"], [net.chapeco_id])
    with pytest.raises(UnitNotFound):
        unidades_saude.unit_detail(999_999)


def test_service_types_of_the_unit(net):
    rows = unidades_saude.unit_service_types(net.units["UBS SÃO CRISTÓVÃO"])
    assert [row.name for row in rows] == ["Consulta médica", "Odontologia", "Vacinação"]
    assert unidades_saude.unit_service_types(net.units["UBS Efapi"]) == []


# --------------------------------------------------------------------------------------------
# Equipes
# --------------------------------------------------------------------------------------------


def test_inactive_teams_are_hidden_unless_asked(net):
    unit = net.units["UBS SÃO CRISTÓVÃO"]
    active = unidades_saude.list_teams(unit, False, 0, 10)
    assert [(t.type_acronym, t.ine, t.area) for t in active.rows] == [
        ("eSB", "0000123464", "Área 002"),
        ("eSF", "0000123456", "Área 001"),
    ]
    assert active.total == 2
    every = unidades_saude.list_teams(unit, True, 0, 10)
    assert every.total == 3
    inactive = [t for t in every.rows if not t.active]
    assert [t.name for t in inactive] == ["ESF São Cristóvão II (antiga)"]
    assert unidades_saude.list_teams(unit, True, 2, 2).rows == every.rows[2:]


def test_team_detail_lists_its_professionals_active_first(net):
    detail = unidades_saude.team_detail(net.teams["ESF São Cristóvão I"], [net.chapeco_id])
    assert detail.team.type_name == "Equipe de Saúde da Família"
    assert detail.unit_name == "UBS SÃO CRISTÓVÃO"
    assert [(m.name, m.cbo_code, m.active) for m in detail.members] == [
        ("Ana Beatriz Conceição", "225142", True),
        ("Davi Ícaro Melo", "515105", True),
        ("Bruno Araújo", "223565", False),
    ]
    assert detail.members_total == 3
    with pytest.raises(UnitNotFound):
        unidades_saude.team_detail(net.teams["ESF São Cristóvão I"], [net.xanxere_id])


def test_team_members_are_paged(net):
    team = net.teams["ESF São Cristóvão I"]
    first, rest = unidades_saude.list_team_members(team, 0, 2), unidades_saude.list_team_members(team, 2, 2)
    assert (first.total, rest.total) == (3, 3)
    assert [m.name for m in first.rows + rest.rows] == ["Ana Beatriz Conceição", "Davi Ícaro Melo", "Bruno Araújo"]
    assert unidades_saude.team_detail(team, with_members=False).members == []


# --------------------------------------------------------------------------------------------
# Profissionais
# --------------------------------------------------------------------------------------------


def test_professionals_without_active_lotacao_are_hidden_unless_asked(net):
    unit = net.units["UBS SÃO CRISTÓVÃO"]
    page = unidades_saude.list_unit_professionals(unit, False, "", 0, 10)
    assert names(page) == ["Ana Beatriz Conceição", "Davi Ícaro Melo"]
    davi = page.rows[1]
    assert [code for code, _ in davi.cbos] == ["515105"]  # the inactive CBO (223565) is not shown
    assert davi.cbo_label.lower() == "agente comunitário de saúde"  # the catalogue may spell it in capitals
    assert davi.active_lotacao is True
    every = unidades_saude.list_unit_professionals(unit, True, "", 0, 10)
    assert names(every) == ["Ana Beatriz Conceição", "Bruno Araújo", "Davi Ícaro Melo"]
    bruno = every.rows[1]
    assert bruno.active_lotacao is False
    assert [code for code, _ in bruno.cbos] == ["223565"]
    assert every.total == 3  # Davi once, with two lotações


def test_professionals_of_another_unit_are_not_listed(net):
    page = unidades_saude.list_unit_professionals(net.units["UBS Efapi"], True, "", 0, 10)
    assert names(page) == ["Carla Efapi Souza"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ana", ["Ana Beatriz Conceição"]),
        ("CONCEICAO", ["Ana Beatriz Conceição"]),
        ("icaro", ["Davi Ícaro Melo"]),
        ("700000000000013", ["Ana Beatriz Conceição"]),  # CNS
        ("423.456", ["Davi Ícaro Melo"]),  # CPF, formatted or not
        ("bruno", []),  # no active lotação here
    ],
)
def test_professionals_search_by_name_cpf_or_cns(net, query, expected):
    page = unidades_saude.list_unit_professionals(net.units["UBS SÃO CRISTÓVÃO"], False, query, 0, 10)
    assert names(page) == expected


def test_professionals_are_paged(net):
    unit = net.units["UBS SÃO CRISTÓVÃO"]
    first = unidades_saude.list_unit_professionals(unit, True, "", 0, 2)
    second = unidades_saude.list_unit_professionals(unit, True, "", 2, 2)
    assert (first.total, second.total) == (3, 3)
    assert names(first) + names(second) == ["Ana Beatriz Conceição", "Bruno Araújo", "Davi Ícaro Melo"]
