"""Synthetic CNES exports for tests, benchmarks and the demo.

:func:`write_cnes_file` streams a large, layout-valid ``XmlParaESUS`` file (valid CPF, CNS and
CNPJ check digits, primary-care CBOs, teams with 10-digit INEs, lotações that point at units
and teams of the file), reproducible from a seed. :func:`build_small_cnes` writes exactly the
records a test spells out, attribute by attribute, so fixtures can carry a bad CPF, an
unknown CBO or a deactivated team on purpose; :func:`sample_unit` and
:func:`sample_professional` give valid records to start from.

Nothing here is real data: names are drawn from common Brazilian names, numbers are random.
"""

from __future__ import annotations

import itertools
import random
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from lxml import etree
from validate_docbr import CNPJ, CNS, CPF

PRIMARY_CARE_CBOS: dict[str, str] = {
    "225142": "MÉDICO DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "223565": "ENFERMEIRO DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "322245": "TÉCNICO DE ENFERMAGEM DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "515105": "AGENTE COMUNITÁRIO DE SAÚDE",
    "223293": "CIRURGIÃO-DENTISTA DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "322430": "AUXILIAR EM SAÚDE BUCAL DA ESTRATÉGIA DE SAÚDE DA FAMÍLIA",
    "251605": "ASSISTENTE SOCIAL",
    "223405": "FARMACÊUTICO",
    "422110": "RECEPCIONISTA EM GERAL",
    "131210": "GERENTE DE SERVIÇOS DE SAÚDE",
    "225125": "MÉDICO CLÍNICO",
    "223505": "ENFERMEIRO",
    "322205": "TÉCNICO DE ENFERMAGEM",
    "251510": "PSICÓLOGO CLÍNICO",
    "223710": "NUTRICIONISTA",
    "223605": "FISIOTERAPEUTA GERAL",
}
"""CBO 2002 codes used by the generator, with their occupation names."""

TEAM_TYPES: dict[str, tuple[str, str]] = {
    "70": ("ESF", "EQUIPE DE SAUDE DA FAMILIA"),
    "71": ("ESB", "EQUIPE DE SAUDE BUCAL"),
    "72": ("EMULTI", "EQUIPE MULTIPROFISSIONAL NA APS"),
}
"""``TP_EQUIPE`` codes the generator uses: acronym and description."""

# How many professionals of each CBO, roughly, in a municipal primary-care workforce.
_CBO_WEIGHTS: dict[str, int] = {
    "515105": 30,
    "322245": 10,
    "223565": 8,
    "225142": 7,
    "322205": 6,
    "422110": 6,
    "223293": 4,
    "322430": 4,
    "223505": 4,
    "225125": 4,
    "131210": 2,
    "251605": 2,
    "223405": 2,
    "251510": 2,
    "223605": 2,
    "223710": 1,
}
# Which team type each CBO joins; the others work at the unit without an INE.
_CBO_TEAM_TYPE: dict[str, str] = {
    "225142": "70",
    "223565": "70",
    "322245": "70",
    "515105": "70",
    "223293": "71",
    "322430": "71",
    "251605": "72",
    "223405": "72",
    "251510": "72",
    "223710": "72",
    "223605": "72",
}
# Professional council by CBO family: (CONSELHO_ID as seen in CNES exports, unconfirmed).
_COUNCIL_BY_CBO_PREFIX: dict[str, str] = {
    "2251": "71",
    "2235": "73",
    "3222": "73",
    "2232": "72",
    "3224": "72",
    "2516": "79",
    "2234": "74",
    "2515": "77",
    "2237": "75",
    "2236": "76",
}
_TEAM_TYPE_CYCLE = ("70", "71", "72", "70", "70", "71")
_UNIT_KINDS = (
    ("02", "CENTRO DE SAUDE/UNIDADE BASICA", "UBS"),
    ("02", "CENTRO DE SAUDE/UNIDADE BASICA", "ESF"),
    ("01", "POSTO DE SAUDE", "POSTO DE SAUDE"),
)
_UFS = {
    "11": "RO",
    "12": "AC",
    "13": "AM",
    "14": "RR",
    "15": "PA",
    "16": "AP",
    "17": "TO",
    "21": "MA",
    "22": "PI",
    "23": "CE",
    "24": "RN",
    "25": "PB",
    "26": "PE",
    "27": "AL",
    "28": "SE",
    "29": "BA",
    "31": "MG",
    "32": "ES",
    "33": "RJ",
    "35": "SP",
    "41": "PR",
    "42": "SC",
    "43": "RS",
    "50": "MS",
    "51": "MT",
    "52": "GO",
    "53": "DF",
}


def _words(name: str) -> tuple[str, ...]:
    """A word list from ``pec_tui/demo/data``: one entry a line, UTF-8. The entries and their
    order are part of what a seed generates: change a list and the generated files change."""
    text = resources.files("pec_tui.demo").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line)


# Names, districts and streets the generator draws from.
_FEMALE_NAMES = _words("female_names.txt")
_MALE_NAMES = _words("male_names.txt")
_FEMALE_MIDDLE_NAMES = _words("female_middle_names.txt")
_MALE_MIDDLE_NAMES = _words("male_middle_names.txt")
_SURNAMES = _words("surnames.txt")
_CONNECTORS = _words("name_connectors.txt")
_PLACES = _words("places.txt")
_STREETS = _words("streets.txt")

DEFAULT_GENERATED_ON = date(2024, 6, 3)
_ZIP_TIMESTAMP = (2024, 6, 3, 8, 0, 0)
_ENCODING = "ISO-8859-1"


def cnes_file_name(ibge: str, version: str = "3.1", *, zip: bool = False) -> str:
    """The name the CNES gives the export: ``XmlParaESUS31_420540.zip``."""
    return f"XmlParaESUS{version.replace('.', '')}_{ibge[:6]}.{'zip' if zip else 'xml'}"


# ---------------------------------------------------------------------------------------------
# Hand-written fixtures


def sample_unit(index: int = 0, *, team_count: int = 1, **attrs: Any) -> dict[str, Any]:
    """A valid unit dict for :func:`build_small_cnes`; keyword arguments override attributes.

    Keys are layout attribute names; ``address`` (dict), ``complexities`` (list of
    ``SG_COMPLEXIDADE``) and ``teams`` (list of ``DADOS_EQUIPES`` dicts, by default
    ``team_count`` eSF teams from :func:`sample_team`) hold the children.
    """
    unit: dict[str, Any] = {
        "NM_FANTA": f"UBS {_PLACES[index % len(_PLACES)]}",
        "CNPJ": _fixed_cnpj(index),
        "CNES": f"{2000001 + index:07d}",
        "TP_UNID_ID": "02",
        "DS_TP_UNID": "CENTRO DE SAUDE/UNIDADE BASICA",
        "TELEFONE1": f"(48)3333{index % 10000:04d}",
        "E_MAIL": f"ubs{index + 1}@saude.exemplo.gov.br",
        "address": {"CO_CEP": "88000000", "SG_UF": "SC", "LOGRADOURO": "RUA SÃO JOÃO", "NUMERO": str(100 + index)},
        "complexities": ["AB"],
        "teams": [sample_team(index * 10 + number) for number in range(team_count)],
    }
    unit.update(attrs)
    return unit


def sample_team(index: int = 0, **attrs: Any) -> dict[str, Any]:
    """A valid, active eSF team dict (``DADOS_EQUIPES``); keyword arguments override attributes."""
    team: dict[str, Any] = {
        "ID_TP_EQUIPE": "1",
        "TP_EQUIPE": "70",
        "SG_EQUIPE": "ESF",
        "DS_EQUIPE": TEAM_TYPES["70"][1],
        "CO_INE": f"{1000001 + index:010d}",
        "CO_AREA": f"{index + 1:04d}",
        "DS_AREA": f"AREA {index + 1:04d}",
        "NM_REFERENCIA": f"ESF {_PLACES[index % len(_PLACES)]}",
        "DT_DESATIVACAO": "",
    }
    team.update(attrs)
    return team


def sample_professional(
    index: int = 0, *, lotacoes: list[dict[str, Any]] | None = None, **attrs: Any
) -> dict[str, Any]:
    """A valid professional dict (valid CPF and CNS); keyword arguments override attributes.

    ``lotacoes`` is a list of ``DADOS_LOTACOES`` dicts (``CNES``, ``CO_CBO``, ``CO_INE``,
    ``MICROAREA``); by default one lotação as médico da ESF in :func:`sample_unit`'s first team.
    """
    rng = random.Random(f"professional-{index}")
    with _seeded_docbr(rng.getrandbits(64)):
        cpf, cns = CPF().generate(), CNS().generate()
    female = index % 2 == 0
    professional: dict[str, Any] = {
        "NM_PROF": _person_name(rng, female),
        "CPF_PROF": cpf,
        "CO_CNS": cns,
        "DT_NASC": f"{1 + index % 28:02d}/{1 + index % 12:02d}/{1970 + index % 30}",
        "SEXO": "F" if female else "M",
        "CONSELHO_ID": "71",
        "SG_UF_EMIS": "SC",
        "NU_REGISTRO": f"{10000 + index}",
        "E_MAIL": "",
        "TELEFONE": "",
        "lotacoes": lotacoes
        if lotacoes is not None
        else [{"CNES": "2000001", "CO_CBO": "225142", "CO_INE": "0001000001", "MICROAREA": ""}],
    }
    professional.update(attrs)
    return professional


def build_small_cnes(
    units: Iterable[Mapping[str, Any]],
    professionals: Iterable[Mapping[str, Any]],
    ibge: str | None = "4205407",
    version: str | None = "3.1",
    *,
    generated_on: str | None = "2024-06-03",
    header: Mapping[str, str] | None = None,
) -> bytes:
    """An export holding exactly these records, written as given (ISO-8859-1, like the CNES).

    Attribute values are written verbatim, so invalid ones stay invalid; None omits the
    attribute (``ibge=None`` gives a header without ``CO_IBGE_MUN``). ``header`` adds or
    overrides ``IDENTIFICACAO`` attributes.
    """
    header_attrs = {
        "DATA": generated_on,
        "ORIGEM": "PORTAL",
        "DESTINO": "ESUS_AB",
        "CO_IBGE_MUN": ibge,
        "VERSAO_XSD": version,
    }
    header_attrs.update(header or {})
    buffer = BytesIO()
    _write_document(
        buffer,
        header_attrs,
        (_unit_element(unit) for unit in units),
        (_professional_element(professional) for professional in professionals),
    )
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Large generated files


def write_cnes_file(
    path: str | Path,
    *,
    units: int,
    professionals: int,
    teams: int | None = None,
    lotacoes: int | None = None,
    ibge: str = "4205407",
    version: str = "3.1",
    seed: int = 1,
    zip: bool = False,
    generated_on: date = DEFAULT_GENERATED_ON,
) -> Path:
    """Write a synthetic export and return its path; the same arguments give the same bytes.

    ``path`` may be a directory, then the file gets the CNES name (:func:`cnes_file_name`).
    The file appears complete or not at all (it is written under ``.part`` first).
    Defaults: three teams per unit and 1.5 lotações per professional (fewer when a
    professional cannot get that many distinct lotações, e.g. a single unit).
    """
    if units < 1:
        raise ValueError("units must be at least 1")
    if professionals < 0:
        raise ValueError("professionals must not be negative")
    teams = 3 * units if teams is None else teams
    lotacoes = round(1.5 * professionals) if lotacoes is None else lotacoes
    target = Path(path)
    if target.is_dir():
        target = target / cnes_file_name(ibge, version, zip=zip)
    plan = _Plan(random.Random(seed), ibge, units, teams, professionals, lotacoes, generated_on)
    header = {
        "DATA": generated_on.isoformat(),
        "ORIGEM": "PORTAL",
        "DESTINO": "ESUS_AB",
        "CO_IBGE_MUN": ibge,
        "VERSAO_XSD": version,
    }
    partial = target.with_name(target.name + ".part")
    try:
        with _seeded_docbr(seed):
            if zip:
                entry = zipfile.ZipInfo(cnes_file_name(ibge, version), date_time=_ZIP_TIMESTAMP)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with zipfile.ZipFile(partial, "w") as archive, archive.open(entry, "w", force_zip64=True) as out:
                    _write_document(out, header, plan.unit_elements(), plan.professional_elements())
            else:
                with partial.open("wb") as out:
                    _write_document(out, header, plan.unit_elements(), plan.professional_elements())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


@dataclass(slots=True)
class _Team:
    ine: str
    team_type: str
    active: bool


@dataclass(slots=True)
class _Unit:
    cnes: str
    teams: list[_Team] = field(default_factory=list)
    active_ines: dict[str, list[str]] = field(default_factory=dict)


class _Plan:
    """Draws the municipality: units and teams up front, professionals one at a time."""

    def __init__(
        self,
        rng: random.Random,
        ibge: str,
        units: int,
        teams: int,
        professionals: int,
        lotacoes: int,
        generated_on: date,
    ) -> None:
        self.rng = rng
        self.ibge = ibge
        self.uf = _UFS.get(ibge[:2], "SC")
        self.area_code = rng.randint(11, 99)
        self.generated_on = generated_on
        self.professionals = professionals
        cnes_codes = rng.sample(range(2_000_000, 9_999_999), units)
        ine_start = rng.randrange(1, 9_000_000 - teams)
        self.units = [_Unit(f"{code:07d}") for code in cnes_codes]
        for number in range(teams):
            unit = self.units[number % units]
            team = _Team(
                ine=f"{ine_start + number:010d}",
                team_type=_TEAM_TYPE_CYCLE[len(unit.teams) % len(_TEAM_TYPE_CYCLE)],
                active=rng.random() >= 0.05,
            )
            unit.teams.append(team)
            if team.active:
                unit.active_ines.setdefault(team.team_type, []).append(team.ine)
        self.lotacao_counts = self._spread(lotacoes)
        self.cpfs: set[str] = set()
        self.cnss: set[str] = set()
        self.cbo_codes = list(_CBO_WEIGHTS)
        self.cbo_cum_weights = list(itertools.accumulate(_CBO_WEIGHTS.values()))

    def _spread(self, lotacoes: int) -> list[int]:
        """How many lotações each professional gets: one each, the rest at random."""
        count = self.professionals
        if count == 0:
            return []
        counts = [1 if index < lotacoes else 0 for index in range(count)]
        for _ in range(max(lotacoes - count, 0)):
            counts[self.rng.randrange(count)] += 1
        return counts

    def unit_elements(self) -> Iterator[etree._Element]:
        cnpj = CNPJ()
        for index, unit in enumerate(self.units):
            type_code, type_desc, prefix = _UNIT_KINDS[index % len(_UNIT_KINDS)]
            place = _place_name(index)
            teams = []
            for number, team in enumerate(unit.teams):
                acronym, description = TEAM_TYPES[team.team_type]
                deactivated = (
                    "" if team.active else _br_date(self.generated_on - timedelta(days=self.rng.randint(30, 900)))
                )
                teams.append(
                    {
                        "ID_TP_EQUIPE": "1",
                        "TP_EQUIPE": team.team_type,
                        "SG_EQUIPE": acronym,
                        "DS_EQUIPE": description,
                        "CO_INE": team.ine,
                        "CO_AREA": f"{index * 10 + number + 1:04d}",
                        "DS_AREA": f"AREA {index * 10 + number + 1:04d}",
                        "NM_REFERENCIA": f"{acronym} {place} {number + 1}",
                        "DT_DESATIVACAO": deactivated,
                    }
                )
            yield _unit_element(
                {
                    "NM_FANTA": f"{prefix} {place}",
                    "CNPJ": cnpj.generate(),
                    "CNES": unit.cnes,
                    "TP_UNID_ID": type_code,
                    "DS_TP_UNID": type_desc,
                    "CO_SUBTIPO_UNID": "",
                    "DS_SUBTIPO_UNID": "",
                    "TELEFONE1": f"({self.area_code})3{self.rng.randint(0, 9_999_999):07d}",
                    "TELEFONE2": "",
                    "FAX": "",
                    "E_MAIL": f"ubs.{unit.cnes}@saude.exemplo.gov.br",
                    "address": {
                        "CO_CEP": f"{self.rng.randint(10_000_000, 99_999_999)}",
                        "SG_UF": self.uf,
                        "CO_IBGE_MUN": self.ibge[:6],
                        "BAIRRO": place,
                        "LOGRADOURO": self.rng.choice(_STREETS),
                        "NUMERO": str(self.rng.randint(1, 3000)),
                        "COMPLEMENT": "",
                        "PONTO_REF": "",
                    },
                    "complexities": ["AB"],
                    "teams": teams,
                }
            )

    def professional_elements(self) -> Iterator[etree._Element]:
        cpf, cns = CPF(), CNS()
        rng = self.rng
        for index in range(self.professionals):
            cbo = rng.choices(self.cbo_codes, cum_weights=self.cbo_cum_weights)[0]
            female = rng.random() < 0.7
            birth = date(1960, 1, 1) + timedelta(days=rng.randrange(42 * 365))
            council = _COUNCIL_BY_CBO_PREFIX.get(cbo[:4], "")
            yield _professional_element(
                {
                    "NM_PROF": _person_name(rng, female),
                    "CPF_PROF": _unique(cpf.generate, self.cpfs),
                    "CO_CNS": _unique(cns.generate, self.cnss),
                    "DT_NASC": _br_date(birth),
                    "SEXO": "F" if female else "M",
                    "CONSELHO_ID": council,
                    "SG_UF_EMIS": self.uf if council else "",
                    "NU_REGISTRO": str(rng.randint(1000, 999_999)) if council else "",
                    "E_MAIL": "",
                    "TELEFONE": "",
                    "lotacoes": self._lotacoes(cbo, self.lotacao_counts[index]),
                }
            )

    def _lotacoes(self, cbo: str, count: int) -> list[dict[str, str]]:
        """``count`` distinct lotações with this CBO, in the matching team when there is one."""
        team_type = _CBO_TEAM_TYPE.get(cbo)
        chosen: dict[tuple[str, str], dict[str, str]] = {}
        for _ in range(count * 4):
            if len(chosen) == count:
                break
            unit = self.rng.choice(self.units)
            fitting = unit.active_ines.get(team_type, ()) if team_type else ()
            ine = self.rng.choice(fitting) if fitting else ""
            if (unit.cnes, ine) in chosen:
                continue
            micro = f"{self.rng.randint(1, 12):02d}" if cbo == "515105" and ine else ""
            chosen[(unit.cnes, ine)] = {"CNES": unit.cnes, "CO_CBO": cbo, "CO_INE": ine, "MICROAREA": micro}
        return list(chosen.values())


# ---------------------------------------------------------------------------------------------
# Writing


def _write_document(
    out: IO[bytes],
    header: Mapping[str, str | None],
    units: Iterable[etree._Element],
    professionals: Iterable[etree._Element],
) -> None:
    """Stream the document: header, then units and professionals one element at a time."""
    with etree.xmlfile(out, encoding=_ENCODING) as xf:
        xf.write_declaration()
        with xf.element("ImportarXMLCNES"):
            xf.write("\n")
            with xf.element("IDENTIFICACAO", _attributes(header)):
                xf.write("\n")
                with xf.element("ESTABELECIMENTOS"):
                    xf.write("\n")
                    for unit in units:
                        xf.write(unit, pretty_print=True)
                xf.write("\n")
                with xf.element("PROFISSIONAIS"):
                    xf.write("\n")
                    for professional in professionals:
                        xf.write(professional, pretty_print=True)
                xf.write("\n")
            xf.write("\n")


def _unit_element(unit: Mapping[str, Any]) -> etree._Element:
    element = etree.Element("DADOS_GERAIS_ESTABELECIMENTOS", _attributes(unit))
    address = unit.get("address")
    if address is not None:
        etree.SubElement(etree.SubElement(element, "ENDERECO"), "DADOS_ENDERECO", _attributes(address))
    complexities = etree.SubElement(element, "COMPLEXIDADE")
    for level in unit.get("complexities", ()):
        etree.SubElement(complexities, "DADOS_COMPLEXIDADE", SG_COMPLEXIDADE=level)
    teams = etree.SubElement(element, "EQUIPES")
    for team in unit.get("teams", ()):
        etree.SubElement(teams, "DADOS_EQUIPES", _attributes(team))
    return element


def _professional_element(professional: Mapping[str, Any]) -> etree._Element:
    element = etree.Element("DADOS_PROFISSIONAIS", _attributes(professional))
    etree.SubElement(element, "ENDERECO")
    lotacoes = etree.SubElement(element, "LOTACOES")
    for lotacao in professional.get("lotacoes", ()):
        etree.SubElement(lotacoes, "DADOS_LOTACOES", _attributes(lotacao))
    return element


def _attributes(values: Mapping[str, Any]) -> dict[str, str]:
    """The layout attributes of a record dict: upper-case string keys, None dropped."""
    return {key: str(value) for key, value in values.items() if key.isupper() and value is not None}


# ---------------------------------------------------------------------------------------------
# Small helpers


@contextmanager
def _seeded_docbr(seed: int) -> Iterator[None]:
    """Make ``validate_docbr``'s generators reproducible, restoring the global RNG afterwards.

    The library draws from the module-level ``random`` functions and takes no generator, so
    its output follows the global state; do not generate from several threads at once.
    """
    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)


def _unique(generate: Any, seen: set[str]) -> str:
    """A number from ``generate`` that has not been handed out before."""
    while True:
        value = generate()
        if value not in seen:
            seen.add(value)
            return value


def _person_name(rng: random.Random, female: bool) -> str:
    first = rng.choice(_FEMALE_NAMES if female else _MALE_NAMES)
    parts = [first]
    if rng.random() < 0.5:
        parts.append(rng.choice(_FEMALE_MIDDLE_NAMES if female else _MALE_MIDDLE_NAMES))
    if rng.random() < 0.4:
        parts.append(rng.choice(_CONNECTORS))
    parts.append(rng.choice(_SURNAMES))
    if rng.random() < 0.6:
        parts.append(rng.choice(_SURNAMES))
    return " ".join(parts)


def _place_name(index: int) -> str:
    """A district name, distinct per unit: ``VILA NOVA``, then ``VILA NOVA 2`` when names run out."""
    place = _PLACES[index % len(_PLACES)]
    round_ = index // len(_PLACES)
    return place if round_ == 0 else f"{place} {round_ + 1}"


def _fixed_cnpj(index: int) -> str:
    rng = random.Random(f"unit-{index}")
    with _seeded_docbr(rng.getrandbits(64)):
        return CNPJ().generate()


def _br_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")
