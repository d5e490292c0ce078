"""Streaming reader of the CNES export for e-SUS (``ImportarXMLCNES``, layouts 2.1, 3.0, 3.1).

The file carries its data in attributes::

    ImportarXMLCNES
      IDENTIFICACAO  CO_IBGE_MUN DATA ORIGEM DESTINO VERSAO_XSD
        ESTABELECIMENTOS
          DADOS_GERAIS_ESTABELECIMENTOS  CNES NM_FANTA CNPJ TP_UNID_ID DS_TP_UNID ...
            ENDERECO/DADOS_ENDERECO, COMPLEXIDADE/DADOS_COMPLEXIDADE, EQUIPES/DADOS_EQUIPES
        PROFISSIONAIS
          DADOS_PROFISSIONAIS  CO_CNS NM_PROF CPF_PROF DT_NASC SEXO CONSELHO_ID ...
            ENDERECO, LOTACOES/DADOS_LOTACOES (CNES CO_CBO CO_INE MICROAREA)

:func:`iter_cnes` yields the header, then each unit (with its teams) and each professional
(with their lotações) in document order, clearing what it has read so memory stays flat on a
file of hundreds of megabytes. Unknown elements and attributes are ignored. Problems that
concern one field of one record (a date that is not a date) are collected in the record's
``problems``; problems with the file itself raise :class:`CnesFileError`. Check digits and
catalogue lookups are left to the importer (see :mod:`pec_tui.cnes.checks`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Self

from lxml import etree

from pec_tui.cnes.errors import CnesFileError

SUPPORTED_VERSIONS = ("2.1", "3.0", "3.1")

ROOT_TAG = "ImportarXMLCNES"
HEADER_TAG = "IDENTIFICACAO"
UNITS_TAG = "ESTABELECIMENTOS"
UNIT_TAG = "DADOS_GERAIS_ESTABELECIMENTOS"
PROFESSIONALS_TAG = "PROFISSIONAIS"
PROFESSIONAL_TAG = "DADOS_PROFISSIONAIS"

_BR_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})", re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]*)?", re.ASCII)
_IBGE = re.compile(r"\d{6,7}", re.ASCII)
_LXML_POSITION = re.compile(r",? line \d+, column \d+$")

# Element depths, the root being 1.
_HEADER_DEPTH = 2
_LIST_DEPTH = 3
_RECORD_DEPTH = 4


@dataclass(slots=True)
class CnesHeader:
    """``IDENTIFICACAO``: whose file this is and in which layout."""

    ibge: str
    date: dt.date | None
    origin: str | None
    destination: str | None
    layout_version: str
    line: int
    problems: list[str] = field(default_factory=list)

    @property
    def ibge6(self) -> str:
        """The municipality's IBGE code without its check digit, as in the file name."""
        return self.ibge[:6]


@dataclass(slots=True)
class CnesAddress:
    """``ENDERECO/DADOS_ENDERECO`` of a unit."""

    cep: str | None
    uf: str | None
    ibge: str | None
    district: str | None
    street: str | None
    number: str | None
    complement: str | None
    reference: str | None


@dataclass(slots=True)
class CnesTeam:
    """``EQUIPES/DADOS_EQUIPES``: one team (INE) of a unit; deactivated when ``deactivated_on`` is set."""

    ine: str | None
    team_type: str | None
    acronym: str | None
    reference_name: str | None
    description: str | None
    area_code: str | None
    area_desc: str | None
    deactivated_on: dt.date | None
    line: int
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CnesUnit:
    """``DADOS_GERAIS_ESTABELECIMENTOS``: one health unit with its teams."""

    cnes: str | None
    name: str | None
    cnpj: str | None
    unit_type_code: str | None
    unit_type_desc: str | None
    subtype_code: str | None
    subtype_desc: str | None
    phone: str | None
    phone2: str | None
    fax: str | None
    email: str | None
    address: CnesAddress | None
    complexities: list[str]
    teams: list[CnesTeam]
    line: int
    problems: list[str] = field(default_factory=list)

    @property
    def all_problems(self) -> list[str]:
        """The unit's problems followed by its teams'."""
        return self.problems + [problem for team in self.teams for problem in team.problems]


@dataclass(slots=True)
class CnesLotacao:
    """``LOTACOES/DADOS_LOTACOES``: the professional works at ``cnes`` as ``cbo``, in team ``ine``."""

    cnes: str | None
    cbo: str | None
    ine: str | None
    microarea: str | None
    line: int


@dataclass(slots=True)
class CnesProfessional:
    """``DADOS_PROFISSIONAIS``: one professional with their lotações."""

    cns: str | None
    name: str | None
    cpf: str | None
    birth_date: dt.date | None
    sex: str | None
    council_id: str | None
    council_uf: str | None
    registry: str | None
    email: str | None
    phone: str | None
    lotacoes: list[CnesLotacao]
    line: int
    problems: list[str] = field(default_factory=list)


CnesRecord = CnesUnit | CnesProfessional
CnesItem = CnesHeader | CnesUnit | CnesProfessional


class CnesParse:
    """An export being read: ``header`` at once, then iterate it (once) for the records."""

    def __init__(self, stream: IO[bytes], source_name: str) -> None:
        self.source_name = source_name
        self._items = iter_cnes(stream, source_name)
        header = next(self._items)
        assert isinstance(header, CnesHeader)
        self.header: CnesHeader = header
        self._iterated = False

    def __iter__(self) -> Iterator[CnesRecord]:
        if self._iterated:
            raise RuntimeError("CnesParse can be iterated only once")
        self._iterated = True
        for item in self._items:
            assert not isinstance(item, CnesHeader)
            yield item

    def close(self) -> None:
        """Stop reading; the stream itself belongs to the caller."""
        self._items.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def parse_cnes(stream: IO[bytes], *, source_name: str) -> CnesParse:
    """Read up to the header and check it; iterate the result for units and professionals."""
    return CnesParse(stream, source_name)


def iter_cnes(stream: IO[bytes], source_name: str) -> Iterator[CnesItem]:
    """Yield the :class:`CnesHeader` first, then units and professionals in document order.

    Raises :class:`CnesFileError` for a malformed or truncated XML, a file that is not a CNES
    export, a missing ``IDENTIFICACAO``/``CO_IBGE_MUN`` or an unsupported layout version.
    """
    for item in iter_cnes_rows(stream, source_name):
        yield professional_from_row(item) if type(item) is tuple else item


ProfessionalRow = tuple
"""A professional as :func:`iter_cnes_rows` yields it: the fields of :class:`CnesProfessional` in
its order, with the birth date as ISO text (``aaaa-mm-dd``) and the lotações as tuples of the
fields of :class:`CnesLotacao`. Plain tuples cost a fraction of objects to build and to pickle."""


def professional_from_row(row: ProfessionalRow) -> CnesProfessional:
    """The :class:`CnesProfessional` of a row of :func:`iter_cnes_rows`."""
    birth = row[3]
    return CnesProfessional(
        *row[:3],
        dt.date.fromisoformat(birth) if birth else None,
        *row[4:10],
        [CnesLotacao(*item) for item in row[10]],
        *row[11:],
    )


def iter_cnes_rows(stream: IO[bytes], source_name: str) -> Iterator[CnesHeader | CnesUnit | ProfessionalRow]:
    """:func:`iter_cnes`, with each professional as a plain :data:`ProfessionalRow` (the importer's
    path: a file of 100,000 professionals is read in a child process and pickled to the writer)."""
    events = etree.iterparse(
        stream,
        events=("start", "end"),
        huge_tree=True,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
    )
    depth = 0
    root_seen = False
    in_header = False
    header_seen = False
    list_tag = ""
    try:
        for event, elem in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    root_seen = True
                    _check_root(elem, source_name)
                if depth == _HEADER_DEPTH and elem.tag == HEADER_TAG and not header_seen:
                    in_header = header_seen = True
                    yield _read_header(elem, source_name)
                elif depth == _LIST_DEPTH:
                    list_tag = elem.tag if in_header else ""
                continue

            if depth == _RECORD_DEPTH:
                if list_tag == UNITS_TAG and elem.tag == UNIT_TAG:
                    yield _read_unit(elem)
                elif list_tag == PROFESSIONALS_TAG and elem.tag == PROFESSIONAL_TAG:
                    yield _professional_row(elem)
            elif depth == _LIST_DEPTH:
                list_tag = ""
            elif depth == _HEADER_DEPTH:
                in_header = False
            if depth <= _RECORD_DEPTH:
                _discard(elem)
            depth -= 1
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(source_name, exc, started=root_seen) from None
    except OSError as exc:
        raise CnesFileError(
            f"Não foi possível ler o arquivo {source_name}: {exc.strerror or exc}.", file_name=source_name
        ) from None
    if not header_seen:
        raise CnesFileError(
            f"O arquivo {source_name} não tem o bloco IDENTIFICACAO; não é uma exportação do CNES "
            "para o e-SUS. Gere o arquivo novamente no CNES.",
            file_name=source_name,
        )


def _discard(elem: etree._Element) -> None:
    """Free what has been read: the element's content and the siblings before it."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _read_header(elem: etree._Element, source_name: str) -> CnesHeader:
    attrs = elem.attrib
    line = elem.sourceline or 0
    ibge = _text(attrs.get("CO_IBGE_MUN"))
    if ibge is None:
        raise CnesFileError(
            f"O arquivo {source_name} não informa o município (CO_IBGE_MUN em IDENTIFICACAO, linha {line}).",
            file_name=source_name,
            line=line,
        )
    if not _IBGE.fullmatch(ibge):
        raise CnesFileError(
            f"O arquivo {source_name} traz um código de município inválido (CO_IBGE_MUN={ibge!r}, linha {line}).",
            file_name=source_name,
            line=line,
        )
    version = _text(attrs.get("VERSAO_XSD")) or _text(attrs.get("VERSION_XSD"))
    if version is None:
        raise CnesFileError(
            f"O arquivo {source_name} não informa a versão do layout (VERSAO_XSD em IDENTIFICACAO, linha {line}).",
            file_name=source_name,
            line=line,
        )
    if version not in SUPPORTED_VERSIONS:
        raise CnesFileError(
            f"O arquivo {source_name} usa o layout {version}, que não é aceito "
            f"(aceitos: {', '.join(SUPPORTED_VERSIONS[:-1])} e {SUPPORTED_VERSIONS[-1]}).",
            file_name=source_name,
            line=line,
        )
    problems: list[str] = []
    return CnesHeader(
        ibge=ibge,
        date=_date(attrs.get("DATA"), "DATA", "Data de geração", problems),
        origin=_text(attrs.get("ORIGEM")),
        destination=_text(attrs.get("DESTINO")),
        layout_version=version,
        line=line,
        problems=problems,
    )


def _read_unit(elem: etree._Element) -> CnesUnit:
    attrs = elem.attrib
    address: CnesAddress | None = None
    complexities: list[str] = []
    teams: list[CnesTeam] = []
    for child in elem.iterchildren("ENDERECO", "COMPLEXIDADE", "EQUIPES"):
        if child.tag == "ENDERECO":
            for item in child.iterchildren("DADOS_ENDERECO"):
                address = _read_address(item)
                break
        elif child.tag == "COMPLEXIDADE":
            for item in child.iterchildren("DADOS_COMPLEXIDADE"):
                level = _text(item.get("SG_COMPLEXIDADE"))
                if level:
                    complexities.append(level)
        else:
            teams.extend(_read_team(item) for item in child.iterchildren("DADOS_EQUIPES"))
    return CnesUnit(
        cnes=_text(attrs.get("CNES")),
        name=_text(attrs.get("NM_FANTA")),
        cnpj=_text(attrs.get("CNPJ")),
        unit_type_code=_text(attrs.get("TP_UNID_ID")),
        unit_type_desc=_text(attrs.get("DS_TP_UNID")),
        subtype_code=_text(attrs.get("CO_SUBTIPO_UNID")),
        subtype_desc=_text(attrs.get("DS_SUBTIPO_UNID")),
        phone=_text(attrs.get("TELEFONE1")),
        phone2=_text(attrs.get("TELEFONE2")),
        fax=_text(attrs.get("FAX")),
        email=_text(attrs.get("E_MAIL")),
        address=address,
        complexities=complexities,
        teams=teams,
        line=elem.sourceline or 0,
    )


def _read_address(elem: etree._Element) -> CnesAddress:
    attrs = elem.attrib
    return CnesAddress(
        cep=_text(attrs.get("CO_CEP")),
        uf=_text(attrs.get("SG_UF")),
        ibge=_text(attrs.get("CO_IBGE_MUN")),
        district=_text(attrs.get("BAIRRO")),
        street=_text(attrs.get("LOGRADOURO")),
        number=_text(attrs.get("NUMERO")),
        complement=_text(attrs.get("COMPLEMENT")),
        reference=_text(attrs.get("PONTO_REF")),
    )


def _read_team(elem: etree._Element) -> CnesTeam:
    attrs = elem.attrib
    problems: list[str] = []
    ine = _text(attrs.get("CO_INE"))
    label = f"Data de desativação da equipe {ine}" if ine else "Data de desativação da equipe"
    return CnesTeam(
        ine=ine,
        team_type=_text(attrs.get("TP_EQUIPE")),
        acronym=_text(attrs.get("SG_EQUIPE")),
        reference_name=_text(attrs.get("NM_REFERENCIA")),
        description=_text(attrs.get("DS_EQUIPE")),
        area_code=_text(attrs.get("CO_AREA")),
        area_desc=_text(attrs.get("DS_AREA")),
        deactivated_on=_date(attrs.get("DT_DESATIVACAO"), "DT_DESATIVACAO", label, problems),
        line=elem.sourceline or 0,
        problems=problems,
    )


def _professional_row(elem: etree._Element) -> ProfessionalRow:
    """The professional as a :data:`ProfessionalRow`; values read and stripped inline (this runs
    for every professional and every lotação of the file)."""
    get = elem.get
    problems: list[str] = []
    lotacoes = [
        (
            (item.get("CNES") or "").strip() or None,
            (item.get("CO_CBO") or "").strip().upper() or None,
            (item.get("CO_INE") or "").strip() or None,
            (item.get("MICROAREA") or "").strip() or None,
            item.sourceline or 0,
        )
        for group in elem.iterchildren("LOTACOES")
        for item in group.iterchildren("DADOS_LOTACOES")
    ]
    birth = (get("DT_NASC") or "").strip()
    return (
        (get("CO_CNS") or "").strip() or None,
        (get("NM_PROF") or "").strip() or None,
        (get("CPF_PROF") or "").strip() or None,
        _iso_date(birth, "DT_NASC", "Data de nascimento", problems) if birth else None,
        (get("SEXO") or "").strip().upper() or None,
        (get("CONSELHO_ID") or "").strip() or None,
        (get("SG_UF_EMIS") or "").strip().upper() or None,
        (get("NU_REGISTRO") or "").strip() or None,
        (get("E_MAIL") or "").strip() or None,
        (get("TELEFONE") or "").strip() or None,
        lotacoes,
        elem.sourceline or 0,
        problems,
    )


def _text(value: str | None) -> str | None:
    """The value without surrounding spaces; None when absent or blank."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _upper(value: str | None) -> str | None:
    text = _text(value)
    return text.upper() if text else None


def _date(value: str | None, attribute: str, label: str, problems: list[str]) -> dt.date | None:
    """Parse ``dd/mm/aaaa`` (or ``aaaa-mm-dd``); note a problem and return None otherwise."""
    text = _iso_date(_text(value), attribute, label, problems)
    return dt.date.fromisoformat(text) if text else None


def _iso_date(text: str | None, attribute: str, label: str, problems: list[str]) -> str | None:
    """:func:`_date` of a stripped value, as ISO text (``aaaa-mm-dd``)."""
    if not text:
        return None
    if match := _BR_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        problems.append(f"{label} ({attribute}) não é uma data: {text!r}; o formato esperado é dd/mm/aaaa.")
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        problems.append(f"{label} ({attribute}) não existe no calendário: {text!r}.")
        return None


def _check_root(root: etree._Element, source_name: str) -> None:
    """Refuse another kind of XML, and entity declarations (a CNES export has none)."""
    if root.tag != ROOT_TAG:
        raise CnesFileError(
            f"O arquivo {source_name} não é uma exportação do CNES para o e-SUS "
            f"(começa com <{root.tag}>, esperado <{ROOT_TAG}>).",
            file_name=source_name,
            line=root.sourceline,
        )
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise CnesFileError(
            f"O arquivo {source_name} declara entidades XML (DOCTYPE), o que uma exportação do CNES "
            "não faz; o arquivo foi recusado.",
            file_name=source_name,
            line=root.sourceline,
        )


def _syntax_error(source_name: str, exc: etree.XMLSyntaxError, *, started: bool) -> CnesFileError:
    line = exc.lineno or 0
    if not started or line <= 0:
        return CnesFileError(f"O arquivo {source_name} está vazio ou não é um XML.", file_name=source_name)
    detail = _LXML_POSITION.sub("", (exc.msg or "").strip()).rstrip(".")
    return CnesFileError(
        f"O arquivo {source_name} está truncado ou malformado na linha {line}: {detail}.",
        file_name=source_name,
        line=line,
    )
