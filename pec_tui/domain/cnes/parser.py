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
catalogue lookups are left to the importer (see :mod:`pec_tui.core.checks`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Self

from lxml import etree

from pec_tui.core.errors import os_reason
from pec_tui.domain.cnes.errors import CnesFileError
from pec_tui.domain.cnes.guard import ByteGuard
from pec_tui.domain.cnes.lengths import team_too_long, unit_too_long

log = logging.getLogger(__name__)

SUPPORTED_VERSIONS = ("2.1", "3.0", "3.1")

ROOT_TAG = "ImportarXMLCNES"
HEADER_TAG = "IDENTIFICACAO"
UNITS_TAG = "ESTABELECIMENTOS"
UNIT_TAG = "DADOS_GERAIS_ESTABELECIMENTOS"
PROFESSIONALS_TAG = "PROFISSIONAIS"
PROFESSIONAL_TAG = "DADOS_PROFISSIONAIS"

_BR_DATE = re.compile(r"\d{2}/\d{2}/\d{4}", re.ASCII)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]*)?", re.ASCII)
_IBGE = re.compile(r"\d{6,7}", re.ASCII)
_LXML_POSITION = re.compile(r",? line \d+, column \d+$")

_EVENT_TAGS = (ROOT_TAG, HEADER_TAG, UNITS_TAG, PROFESSIONALS_TAG, UNIT_TAG, PROFESSIONAL_TAG)
"""The only elements lxml reports to :func:`iter_cnes_rows`; all others are skipped in C."""

_CHUNK_SIZE = 32 * 1024
"""Bytes fed to the parser at a time (as ``iterparse`` does); the tree is pruned between chunks."""

MAX_RECORD = 1024 * 1024
"""Most bytes of XML in one record (a unit with its teams, a professional with their lotações):
a record is kept whole in the tree until its end, so its size bounds the tree. A unit with 300
teams has about 150 KB."""

_PARSER_OPTIONS = {
    # libxml2's own limits (10 MB per text node, depth 256) stay on; the bytes are bounded
    # before the parser by guard.ByteGuard, since the push parser buffers a token whole first.
    "huge_tree": False,
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "remove_comments": True,
    "remove_pis": True,
}


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
    path: a file of 100,000 professionals is read in a child process and pickled to the writer).

    lxml's pull parser is fed :data:`_CHUNK_SIZE` bytes at a time and, through its C-level tag
    filter, reports only the elements of :data:`_EVENT_TAGS`: a professional costs two events
    instead of about nine (its ``ENDERECO``, ``LOTACOES`` and lotações are read from the tree at its
    end), which was most of the Python work of a walk over every element. Where an element counts
    is checked on the tree, with parent identity: the header is the first ``IDENTIFICACAO`` child of
    the root (read at its start, before any record), a list is a child of that header and a
    record a child of its list; anything else is ignored, as are unknown elements. The root
    itself is checked by :class:`_RootCheck`, which sees it whatever its tag.

    Events free nothing, since unknown elements have none: after each chunk :func:`_prune`
    deletes what the document no longer needs, so memory stays flat whatever the file holds.
    Before lxml sees a chunk, :class:`~pec_tui.domain.cnes.guard.ByteGuard` bounds what libxml2
    would buffer (a value, a text, a comment: 64 KB) and refuses DOCTYPEs and lying encodings;
    a record still open after :data:`MAX_RECORD` bytes is refused.
    """
    parser = etree.XMLPullParser(events=("start", "end"), tag=_EVENT_TAGS, **_PARSER_OPTIONS)
    root_check = _RootCheck(source_name)
    guard = ByteGuard(source_name, ROOT_TAG)
    read = stream.read
    root: etree._Element | None = None
    header: etree._Element | None = None
    units: etree._Element | None = None
    professionals: etree._Element | None = None
    record: etree._Element | None = None  # the record open at the end of the last chunk
    record_start = 0  # guard.offset when it started
    try:
        while True:
            data = read(_CHUNK_SIZE)
            chunk = guard.feed(data)
            if data and not chunk:
                continue  # all held back by the guard (a split "<!--")
            damage: etree.XMLSyntaxError | None = None
            try:
                if chunk:
                    root_check.feed(chunk)
                    parser.feed(chunk)
                if not data:
                    root_check.feed(b"")
                    parser.close()
            except etree.XMLSyntaxError as exc:
                damage = exc  # the records before the damage are still yielded
            for event, elem in parser.read_events():
                if event == "end":
                    # Records are read at their end, with their content; nothing else is.
                    record = None
                    parent = elem.getparent()
                    if parent is None:
                        continue
                    if parent is professionals:
                        if elem.tag == PROFESSIONAL_TAG:
                            yield _professional_row(elem)
                    elif parent is units and elem.tag == UNIT_TAG:
                        yield _read_unit(elem)
                    continue
                tag = elem.tag
                if tag in (PROFESSIONAL_TAG, UNIT_TAG):
                    record, record_start = elem, guard.offset
                    continue
                parent = elem.getparent()
                if parent is None:
                    root = elem  # ImportarXMLCNES: _RootCheck has already seen it
                elif tag == HEADER_TAG:
                    if header is None and parent is root:
                        header = elem
                        yield _read_header(elem, source_name)
                elif parent is header:
                    if tag == UNITS_TAG:
                        units = elem
                    elif tag == PROFESSIONALS_TAG:
                        professionals = elem
            if damage is not None:
                raise damage
            if not data:
                break
            if record is not None and guard.offset - record_start > MAX_RECORD:
                line = record.sourceline or 0
                raise CnesFileError(
                    f"O arquivo {source_name} foi recusado: o registro {record.tag} da linha {line} passa de "
                    f"{MAX_RECORD // 1024**2} MB, o que nenhuma exportação do CNES tem.",
                    file_name=source_name,
                    line=line,
                )
            _prune(root, units, professionals)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(source_name, exc, started=root_check.started) from None
    except OSError as exc:
        raise CnesFileError(
            f"Não foi possível ler o arquivo {source_name}: {os_reason(exc)}.", file_name=source_name
        ) from None
    if header is None:
        raise CnesFileError(
            f"O arquivo {source_name} não tem o bloco IDENTIFICACAO; não é uma exportação do CNES "
            "para o e-SUS. Gere o arquivo novamente no CNES.",
            file_name=source_name,
        )


class _RootCheck:
    """:func:`_check_root` on the root element as soon as it starts, whatever its tag.

    The tag filter of :func:`iter_cnes_rows` hides a root that is not ``ImportarXMLCNES``, and a
    document that breaks before its first reported element would leave no trace of the root. So
    the first chunks also go to a second, unfiltered parser, dropped at the root's start event:
    another kind of XML is named as such even when it is malformed further on, and ``started``
    tells a truncated export from a file that is not XML at all. Both parsers see the same bytes
    in the same chunks, so they reach the root, or fail before it, together.
    """

    def __init__(self, source_name: str) -> None:
        self._source_name = source_name
        self._parser: etree.XMLPullParser | None = etree.XMLPullParser(events=("start",), **_PARSER_OPTIONS)
        self.started = False

    def feed(self, data: bytes) -> None:
        """Give the chunk to the unfiltered parser until the root starts; empty data is the end."""
        parser = self._parser
        if parser is None:
            return
        try:
            if data:
                parser.feed(data)
            else:
                parser.close()
        except etree.XMLSyntaxError:
            self._parser = None  # the main parser fails on the same bytes and reports it
        for _event, root in parser.read_events():
            self._parser = None
            self.started = True
            _check_root(root, self._source_name)
            return


def _prune(root: etree._Element | None, units: etree._Element | None, professionals: etree._Element | None) -> None:
    """Delete, between two chunks, the elements that are complete and no longer needed.

    The open elements form a path from the root, each the last child of the one before; every
    other child along it is complete and its events (if any) have been handled, so it goes, with
    its subtree and its text, known or not. The walk stops at a record (the last child of a list
    being read): it may still be open, and its content is read at its end. So the tree holds the
    open path and at most one chunk of records, whatever the size of the file or of its unknown
    sections (only a single record is kept whole, however large).
    """
    node = root
    while node is not None and len(node):
        if len(node) > 1:
            del node[:-1]
        last = node[-1]
        if (node is units and last.tag == UNIT_TAG) or (node is professionals and last.tag == PROFESSIONAL_TAG):
            return
        node = last


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
    unit = CnesUnit(
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
    too_long = unit_too_long(
        {
            "CNES": unit.cnes,
            "NM_FANTA": unit.name,
            "CNPJ": unit.cnpj,
            "DS_TP_UNID": unit.unit_type_desc,
            "TELEFONE1": unit.phone,
            "TELEFONE2": unit.phone2,
            "E_MAIL": unit.email,
            "LOGRADOURO": address.street if address else None,
            "NUMERO": address.number if address else None,
            "COMPLEMENT": address.complement if address else None,
            "BAIRRO": address.district if address else None,
            "CO_CEP": address.cep if address else None,
            "SG_COMPLEXIDADE": ", ".join(complexities) or None,
        }
    )
    if too_long:
        unit.problems.append(too_long)
    return unit


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
    team = CnesTeam(
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
    too_long = team_too_long(
        {
            "CO_INE": team.ine,
            "NM_REFERENCIA": team.reference_name,
            "DS_EQUIPE": team.description,
            "SG_EQUIPE": team.acronym,
            "CO_AREA": team.area_code,
            "DS_AREA": team.area_desc,
        }
    )
    if too_long:
        problems.append(too_long)
    return team


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
        # Plain iteration and a tag test: about 1 µs per professional less than iterchildren(tag),
        # which builds a tag matcher on each call.
        for group in elem
        if group.tag == "LOTACOES"
        for item in group
        if item.tag == "DADOS_LOTACOES"
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
    # Both patterns start with fixed-width digits, so the ISO text is the value's digits
    # rearranged, and date.fromisoformat checks the calendar (year 0, 31/02) in one call.
    if _BR_DATE.fullmatch(text):
        iso = f"{text[6:]}-{text[3:5]}-{text[:2]}"
    elif _ISO_DATE.fullmatch(text):
        iso = text[:10]
    else:
        problems.append(f"{label} ({attribute}) não é uma data: {text!r}; o formato esperado é dd/mm/aaaa.")
        return None
    try:
        dt.date.fromisoformat(iso)
    except ValueError:
        problems.append(f"{label} ({attribute}) não existe no calendário: {text!r}.")
        return None
    return iso


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


_SYNTAX_REASONS = {
    "ERR_ATTRIBUTE_WITHOUT_VALUE": "há um atributo sem valor",
    "ERR_ATTRIBUTE_REDEFINED": "um atributo aparece duas vezes no mesmo elemento",
    "ERR_ATTRIBUTE_NOT_STARTED": "o valor de um atributo não está entre aspas",
    "ERR_ATTRIBUTE_NOT_FINISHED": "o valor de um atributo não termina",
    "ERR_LT_IN_ATTRIBUTE": "há um '<' dentro do valor de um atributo",
    "ERR_INVALID_ENCODING": (
        "há bytes que não valem na codificação declarada (UTF-8, quando o arquivo não declara outra); "
        "o arquivo provavelmente está em ISO-8859-1 sem declarar"
    ),
    "ERR_UNSUPPORTED_ENCODING": "o arquivo declara uma codificação desconhecida",
    "ERR_INVALID_CHAR": "há um caractere que o XML não permite",
    "ERR_TAG_NAME_MISMATCH": "um elemento é fechado com outro nome",
    "ERR_TAG_NOT_FINISHED": "o arquivo termina no meio de um elemento",
    "ERR_DOCUMENT_END": "há conteúdo depois do fim do documento",
    "ERR_DOCUMENT_EMPTY": "o documento está vazio",
    "ERR_GT_REQUIRED": "a marcação de um elemento não termina",
    "ERR_SPACE_REQUIRED": "a marcação de um elemento está incompleta",
    "ERR_NAME_REQUIRED": "há um nome de elemento inválido",
    "ERR_ENTITYREF_SEMICOL_MISSING": "há uma referência (&...;) incompleta",
    "ERR_UNDECLARED_ENTITY": "há uma referência (&...;) a uma entidade que não existe",
    "ERR_RESOURCE_LIMIT": "um valor ou texto passa do tamanho que o leitor aceita",
}
_ERROR_NAMES = {code: name for name, code in vars(etree.ErrorTypes).items() if isinstance(code, int)}


_NAMED_REASONS = {
    "ERR_TAG_NAME_MISMATCH": (
        re.compile(r"mismatch: ([\w.:-]+) line \d+ and ([\w.:-]+)"),
        "o elemento {0} é fechado como {1}",
    ),
    "ERR_ATTRIBUTE_WITHOUT_VALUE": (re.compile(r"for attribute ([\w.:-]+)"), "o atributo {0} não tem valor"),
    "ERR_ATTRIBUTE_REDEFINED": (re.compile(r"Attribute ([\w.:-]+) redefined"), "o atributo {0} aparece duas vezes"),
    "ERR_GT_REQUIRED": (re.compile(r"Start Tag ([\w.:-]+)"), "a marcação do elemento {0} não termina"),
    "ERR_TAG_NOT_FINISHED": (re.compile(r"in tag ([\w.:-]+)"), "o arquivo termina dentro do elemento {0}"),
}
"""Reasons that name what libxml2 names (an element or attribute), taken from its message."""


def syntax_reason(exc: etree.XMLSyntaxError) -> str:
    """lxml's English message as a Portuguese phrase (the English one goes to the log)."""
    name = _ERROR_NAMES.get(exc.code, "")
    named = _NAMED_REASONS.get(name)
    if named is not None:
        found = named[0].search(exc.msg or "")
        if found is not None:
            return named[1].format(*(_printable(group)[:80] for group in found.groups()))
    return _SYNTAX_REASONS.get(name, "a marcação XML está incorreta")


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else "?" for char in text)


def _syntax_error(source_name: str, exc: etree.XMLSyntaxError, *, started: bool) -> CnesFileError:
    line = exc.lineno or 0
    detail = _LXML_POSITION.sub("", (exc.msg or "").strip()).rstrip(".")
    log.info("XML recusado (%s, linha %s): %s", source_name, line, detail)
    if not started or line <= 0:
        return CnesFileError(
            f"O arquivo {source_name} está vazio ou não é um XML.", file_name=source_name, detail=detail
        )
    return CnesFileError(
        f"O arquivo {source_name} está truncado ou malformado na linha {line}: {syntax_reason(exc)}.",
        file_name=source_name,
        line=line,
        detail=detail,
    )
