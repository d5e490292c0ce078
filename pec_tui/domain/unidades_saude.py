"""Unidades de saúde (manual 3.4): units, their service types, teams and professionals.

Everything here comes from the CNES import and is read-only in PEC, so this module only reads.
Lists are paged in the database (:class:`~pec_tui.core.paging.Page`); a municipal administrator sees
only the units of the municipalities they administer (``localidade_ids``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from peewee import JOIN, SQL, Case, fn

from pec_tui.core.errors import PecError
from pec_tui.core.paging import Page, clamp_paging
from pec_tui.core.validators import digits, format_cpf
from pec_tui.storage.models import (
    Cbo,
    Complexity,
    HealthUnit,
    Localidade,
    Lotacao,
    Professional,
    ServiceType,
    State,
    Team,
    TeamType,
    UnitComplexity,
    UnitServiceType,
    UnitType,
)
from pec_tui.storage.search import all_terms_match, contains, search_text

#: A team's member list is small (a few dozen); this bounds a malformed import.
TEAM_MEMBERS_LIMIT = 1_000


class UnitNotFound(PecError):
    """The unit (or team) does not exist, or is outside the administrator's municipalities."""


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    cnes: str
    type_name: str
    active: bool


@dataclass(frozen=True)
class UnitDetail:
    """Informações (3.4.1): the establishment's data and contact, as imported from CNES."""

    id: int
    name: str
    cnes: str
    cnpj: str | None
    active: bool
    type_name: str
    municipality: str
    complexity: str | None
    address: str | None
    address_number: str | None
    address_complement: str | None
    district: str | None
    cep: str | None
    phone: str | None
    email: str | None
    phone2: str | None = None
    fax: str | None = None

    @property
    def cnpj_label(self) -> str:
        return format_cnpj(self.cnpj) if self.cnpj else "—"

    @property
    def address_label(self) -> str:
        street = ", ".join(part for part in (self.address, self.address_number, self.address_complement) if part)
        parts = [street, self.district or "", f"CEP {format_cep(self.cep)}" if self.cep else ""]
        return " — ".join(part for part in parts if part) or "—"


@dataclass(frozen=True)
class ServiceTypeRow:
    id: int
    name: str


@dataclass(frozen=True)
class TeamRow:
    id: int
    type_acronym: str
    type_name: str
    ine: str
    area: str | None
    name: str
    active: bool


@dataclass(frozen=True)
class TeamMember:
    lotacao_id: int
    professional_id: int
    name: str
    cns: str | None
    cpf: str
    cbo_code: str
    cbo_name: str
    active: bool


@dataclass(frozen=True)
class TeamDetail:
    team: TeamRow
    unit_id: int
    unit_name: str
    unit_cnes: str
    members: list[TeamMember] = field(default_factory=list)
    members_total: int = 0


@dataclass(frozen=True)
class UnitProfessionalRow:
    """One professional placed in the unit (one row even with several lotações there)."""

    id: int
    name: str
    cns: str | None
    cpf: str
    cbos: tuple[tuple[str, str], ...]  # (code, name) of the CBOs of their lotações here
    active_lotacao: bool

    @property
    def cpf_label(self) -> str:
        return format_cpf(self.cpf)

    @property
    def cbo_label(self) -> str:
        """The CBO names, as PEC lists them ("Médico da estratégia de saúde da família")."""
        return "; ".join(name for _, name in self.cbos) or "—"


# --------------------------------------------------------------------------------------------
# Formatting helpers (also used by the screens)
# --------------------------------------------------------------------------------------------


def format_cnpj(number: str) -> str:
    n = digits(number)
    if len(n) != 14:
        return number
    return f"{n[:2]}.{n[2:5]}.{n[5:8]}/{n[8:12]}-{n[12:]}"


def format_cep(number: str) -> str:
    n = digits(number)
    return f"{n[:5]}-{n[5:]}" if len(n) == 8 else number


def _page_rows(select, order: tuple, offset: int, limit: int) -> tuple[list[tuple], int]:
    """One page of ``select`` (as tuples) and how many rows match in all, in one query: the
    total rides along as ``COUNT(*) OVER ()``, so a search pass runs once per keystroke, not
    twice. Only a page past the end needs a separate count."""
    counted = select.select_extend(fn.COUNT(SQL("*")).over().alias("total_rows"))
    rows = list(counted.order_by(*order).offset(offset).limit(limit).tuples())
    if rows:
        return [row[:-1] for row in rows], rows[0][-1]
    return [], (select.count() if offset else 0)


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------


def list_units(
    query: str, offset: int, limit: int, localidade_ids: Iterable[int], *, include_inactive: bool = True
) -> Page[UnitRow]:
    """Units of the given municipalities whose name (any case, any accents) or CNES matches
    ``query``, ordered by name; one page of them and the total. ``include_inactive=False`` leaves
    out the units a CNES import deactivated (the list's default, like the teams')."""
    offset, limit = clamp_paging(offset, limit)
    ids = list(localidade_ids)
    if not ids:
        return Page([], 0, offset, limit)
    select = (
        HealthUnit.select(HealthUnit.id, HealthUnit.name, HealthUnit.cnes, HealthUnit.active, UnitType.name)
        .join(UnitType, JOIN.LEFT_OUTER, on=(HealthUnit.unit_type == UnitType.id))
        .where(HealthUnit.localidade.in_(ids))
    )
    condition = _unit_search(query)
    if condition is not None:
        select = select.where(condition)
    if not include_inactive:
        select = select.where(HealthUnit.active == True)
    found, total = _page_rows(select, (HealthUnit.name, HealthUnit.id), offset, limit)
    rows = [UnitRow(id=row[0], name=row[1], cnes=row[2], active=bool(row[3]), type_name=row[4] or "—") for row in found]
    return Page(rows, total, offset, limit)


def _unit_search(query: str):
    text = search_text(query)
    if not text:
        return None
    number = digits(text)
    by_name = all_terms_match([HealthUnit.name], text)
    if number and len(number) == len(text.replace(" ", "")):
        return by_name | contains(HealthUnit.cnes, number)  # "2345" may be a CNES or part of a name
    return by_name


def unit_detail(unit_id: int, localidade_ids: Iterable[int] | None = None) -> UnitDetail:
    """The unit's Informações; refused when it is not in ``localidade_ids`` (when given)."""
    row = (
        HealthUnit.select(
            HealthUnit, UnitType.name.alias("type_name"), Localidade.name.alias("city"), State.acronym.alias("uf")
        )
        .join(UnitType, JOIN.LEFT_OUTER, on=(HealthUnit.unit_type == UnitType.id))
        .switch(HealthUnit)
        .join(Localidade, JOIN.LEFT_OUTER, on=(HealthUnit.localidade == Localidade.id))
        .join(State, JOIN.LEFT_OUTER, on=(Localidade.state == State.id))
        .where(HealthUnit.id == unit_id)
        .objects()
        .first()
    )
    _require_in(
        row, localidade_ids, "A unidade de saúde pedida não existe ou não é de um município que você administra."
    )
    return UnitDetail(
        id=row.id,
        name=row.name,
        cnes=row.cnes,
        cnpj=row.cnpj,
        active=bool(row.active),
        type_name=row.type_name or "—",
        municipality=f"{row.city}/{row.uf}" if row.city else "—",
        complexity=", ".join(
            name
            for (name,) in Complexity.select(Complexity.name)
            .join(UnitComplexity, on=(UnitComplexity.complexity == Complexity.id))
            .where(UnitComplexity.unit == row.id)
            .order_by(Complexity.name)
            .tuples()
        )
        or None,
        address=row.address,
        address_number=row.address_number,
        address_complement=row.address_complement,
        district=row.district,
        cep=row.cep,
        phone=row.phone,
        email=row.email,
        phone2=row.phone2,
        fax=row.fax,
    )


def _require_in(row, localidade_ids: Iterable[int] | None, message: str) -> None:
    if row is None:
        raise UnitNotFound(message)
    if localidade_ids is not None and row.localidade_id not in set(localidade_ids):
        raise UnitNotFound(message)


def unit_service_types(unit_id: int) -> list[ServiceTypeRow]:
    """Tipos de serviço (3.4.2) the unit offers, by name."""
    select = (
        ServiceType.select(ServiceType.id, ServiceType.name)
        .join(UnitServiceType, on=(UnitServiceType.service_type == ServiceType.id))
        .where(UnitServiceType.unit == unit_id)
        .order_by(ServiceType.name, ServiceType.id)
    )
    return [ServiceTypeRow(id=row[0], name=row[1]) for row in select.tuples()]


# --------------------------------------------------------------------------------------------
# Teams
# --------------------------------------------------------------------------------------------

_TEAM_COLUMNS = (
    Team.id,
    TeamType.acronym,
    TeamType.name,
    Team.ine,
    Team.area,
    Team.name,
    Team.active,
)


def _team_row(row: tuple) -> TeamRow:
    return TeamRow(
        id=row[0],
        type_acronym=row[1] or "—",
        type_name=row[2] or "—",
        ine=row[3],
        area=row[4],
        name=row[5],
        active=bool(row[6]),
    )


def list_teams(unit_id: int, include_inactive: bool, offset: int, limit: int) -> Page[TeamRow]:
    """Equipes (3.4.3) of the unit: type, INE, area and name; active only unless asked."""
    offset, limit = clamp_paging(offset, limit)
    select = (
        Team.select(*_TEAM_COLUMNS)
        .join(TeamType, JOIN.LEFT_OUTER, on=(Team.team_type == TeamType.id))
        .where(Team.unit == unit_id)
    )
    if not include_inactive:
        select = select.where(Team.active == True)
    rows, total = _page_rows(select, (Team.name, Team.ine), offset, limit)
    return Page([_team_row(row) for row in rows], total, offset, limit)


def team_detail(team_id: int, localidade_ids: Iterable[int] | None = None, *, with_members: bool = True) -> TeamDetail:
    """A team ("Visualizar") with the professionals placed in it, active lotações first (up to
    ``TEAM_MEMBERS_LIMIT``; :func:`list_team_members` pages them)."""
    row = (
        Team.select(*_TEAM_COLUMNS, HealthUnit.id, HealthUnit.name, HealthUnit.cnes, HealthUnit.localidade)
        .join(TeamType, JOIN.LEFT_OUTER, on=(Team.team_type == TeamType.id))
        .switch(Team)
        .join(HealthUnit, on=(Team.unit == HealthUnit.id))
        .where(Team.id == team_id)
        .tuples()
        .first()
    )
    width = len(_TEAM_COLUMNS)
    if row is None or (localidade_ids is not None and row[width + 3] not in set(localidade_ids)):
        raise UnitNotFound("A equipe pedida não existe ou não é de um município que você administra.")
    members = list_team_members(team_id, 0, TEAM_MEMBERS_LIMIT) if with_members else Page([], 0)
    return TeamDetail(
        team=_team_row(row[:width]),
        unit_id=row[width],
        unit_name=row[width + 1],
        unit_cnes=row[width + 2],
        members=members.rows,
        members_total=members.total,
    )


def list_team_members(team_id: int, offset: int, limit: int) -> Page[TeamMember]:
    """Professionals placed in the team (one row per lotação): active lotações first, by name."""
    offset, limit = clamp_paging(offset, limit, max_limit=TEAM_MEMBERS_LIMIT)
    active_first = Case(None, [(Lotacao.deactivated_at.is_null(), 0)], 1)
    select = (
        Lotacao.select(
            Lotacao.role,
            Professional.id,
            Professional.name,
            Professional.cns,
            Professional.cpf,
            Cbo.code,
            Cbo.name,
            Lotacao.deactivated_at,
        )
        .join(Professional, on=(Lotacao.professional == Professional.id))
        .switch(Lotacao)
        .join(Cbo, on=(Lotacao.cbo == Cbo.id))
        .where(Lotacao.team == team_id)
    )
    found, total = _page_rows(select, (active_first, Professional.name, Professional.id, Lotacao.role), offset, limit)
    rows = [
        TeamMember(
            lotacao_id=m[0],
            professional_id=m[1],
            name=m[2],
            cns=m[3],
            cpf=m[4],
            cbo_code=m[5],
            cbo_name=m[6],
            active=m[7] is None,
        )
        for m in found
    ]
    return Page(rows, total, offset, limit)


# --------------------------------------------------------------------------------------------
# Professionals of a unit
# --------------------------------------------------------------------------------------------


def list_unit_professionals(
    unit_id: int,
    include_without_active_lotacao: bool,
    query: str,
    offset: int,
    limit: int,
) -> Page[UnitProfessionalRow]:
    """Profissionais (3.4.4): name, CNS, CPF and CBO of those placed in the unit.

    By default only professionals with an active lotação in this unit; with
    ``include_without_active_lotacao`` also those whose lotações here are all deactivated.
    ``query`` matches the name (any case, any accents), the CPF or the CNS.
    """
    offset, limit = clamp_paging(offset, limit)
    has_active = fn.MAX(Case(None, [(Lotacao.deactivated_at.is_null(), 1)], 0))
    select = (
        Lotacao.select(
            Professional.id, Professional.name, Professional.cns, Professional.cpf, has_active.alias("has_active")
        )
        .join(Professional, on=(Lotacao.professional == Professional.id))
        .where(Lotacao.unit == unit_id)
    )
    if not include_without_active_lotacao:
        select = select.where(Lotacao.deactivated_at.is_null())
    condition = _professional_search(query)
    if condition is not None:
        select = select.where(condition)
    select = select.group_by(Professional.id, Professional.name, Professional.cns, Professional.cpf)
    found, total = _page_rows(select, (Professional.name, Professional.id), offset, limit)
    cbos = _cbos_in_unit(unit_id, [row[0] for row in found])
    rows = [
        UnitProfessionalRow(
            id=row[0],
            name=row[1],
            cns=row[2],
            cpf=row[3],
            active_lotacao=bool(row[4]),
            cbos=tuple(cbos.get((row[0], bool(row[4])), ())),
        )
        for row in found
    ]
    return Page(rows, total, offset, limit)


def _professional_search(query: str):
    text = search_text(query)
    if not text:
        return None
    number = digits(text)
    if number and not any(ch.isalpha() for ch in text):
        return contains(Professional.cpf, number) | contains(Professional.cns, number)
    return all_terms_match([Professional.name], text)


def _cbos_in_unit(unit_id: int, professional_ids: list[int]) -> dict[tuple[int, bool], list[tuple[str, str]]]:
    """For each (professional, shows active lotações?) the CBOs of their lotações in the unit:
    the active ones for a professional with an active lotação, else the deactivated ones."""
    if not professional_ids:
        return {}
    select = (
        Lotacao.select(Lotacao.professional, Cbo.code, Cbo.name, Lotacao.deactivated_at)
        .join(Cbo, on=(Lotacao.cbo == Cbo.id))
        .where((Lotacao.unit == unit_id) & Lotacao.professional.in_(professional_ids))
        .order_by(Cbo.code)
        .tuples()
    )
    found: dict[tuple[int, bool], list[tuple[str, str]]] = {}
    for professional_id, code, name, deactivated_at in select:
        cbos = found.setdefault((professional_id, deactivated_at is None), [])
        if (code, name) not in cbos:
            cbos.append((code, name))
    return found
