"""Municípios e responsáveis (manual 3.1.4): the installation's municipalities and their one
responsible each (the municipal administrator).

"Adicionar" takes a municipality (IBGE code or name, checked against the shipped table) and a
professional of the local base, who gets the municipal administrator role; "Trocar responsável"
moves that role to another professional. Only one responsible per municipality.
"""

from __future__ import annotations

from dataclasses import dataclass

from pec_tui.core import clock
from pec_tui.core.errors import PecError, ValidationError
from pec_tui.core.paging import Page, clamp_paging
from pec_tui.core.validators import digits, format_cpf
from pec_tui.domain import audit
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.installation import (
    COMPONENT,
    add_municipal_admin,
    check_ibge,
    find_municipality,
    find_professional,
    require_installation_admin,
)
from pec_tui.domain.installation_info import installation_municipalities
from pec_tui.storage.database import transaction
from pec_tui.storage.models import ActorRole, Localidade, MunicipalAdmin, Professional
from pec_tui.storage.reference import municipalities_by_ibge
from pec_tui.storage.search import all_terms_match, fold, search_text


@dataclass(frozen=True)
class ResponsibleRow:
    """A municipality of the installation and its responsible (municipal administrator), if any."""

    localidade_id: int
    municipality: str
    uf: str
    ibge: str
    professional_id: int | None = None
    professional_name: str | None = None
    professional_cpf: str | None = None

    @property
    def id(self) -> int:
        return self.localidade_id

    @property
    def label(self) -> str:
        return f"{self.municipality}/{self.uf}"


@dataclass(frozen=True)
class ProfessionalChoice:
    """A professional of the local base, as the responsible picker lists them."""

    id: int
    name: str
    cpf: str
    cns: str | None
    has_user: bool

    @property
    def cpf_label(self) -> str:
        return format_cpf(self.cpf)


def responsibles() -> list[ResponsibleRow]:
    """Every municipality of the installation, with its responsible, by name."""
    current = {
        row.localidade_id: row
        for row in MunicipalAdmin.select(MunicipalAdmin, ActorRole, Professional)
        .join(ActorRole)
        .join(Professional)
        .where((ActorRole.active == True) & MunicipalAdmin.deactivated_at.is_null())
    }
    rows = []
    for locality in installation_municipalities():
        admin = current.get(locality.id)
        professional = admin.role.professional if admin is not None else None
        rows.append(
            ResponsibleRow(
                locality.id,
                locality.name,
                locality.state.acronym,
                locality.ibge,
                professional.id if professional else None,
                professional.name if professional else None,
                professional.cpf if professional else None,
            )
        )
    return rows


def municipality_candidates(text: str, limit: int = 5) -> list[tuple[str, str]]:
    """(IBGE code, "Name/UF") of the shipped table matching a code or a name, best first.

    A full 7-digit code gives that municipality; digits give codes starting with them; words
    give names containing them (accents and case ignored). No database needed."""
    table = municipalities_by_ibge()
    value = (text or "").strip()
    if not value:
        return []
    code = digits(value)
    if code and code == value.replace(".", "").replace("-", "").replace(" ", ""):
        found = sorted(key for key in table if key.startswith(code))
    else:
        words = fold(value).replace("/", " ").split()

        def matches(key: str) -> bool:
            name, uf = table[key]
            folded = f"{fold(name)} {uf.lower()}"
            return all(word in folded for word in words)

        found = [key for key in table if matches(key)]
        exact = fold(value)
        found.sort(
            key=lambda key: (
                fold(table[key][0]) != exact,
                not fold(table[key][0]).startswith(exact),
                fold(table[key][0]),
                table[key][1],
            )
        )
    return [(key, f"{table[key][0]}/{table[key][1]}") for key in found[:limit]]


def resolve_municipality(text: str) -> str | None:
    """The IBGE code ``text`` designates without doubt: a full code, the only match, or the
    match whose name is exactly the text ("chapeco" → Chapecó, not Águas de Chapecó)."""
    candidates = municipality_candidates(text, limit=50)
    if not candidates:
        return None
    code = digits(text)
    if len(code) == 7 and candidates[0][0] == code:
        return code
    if len(candidates) == 1:
        return candidates[0][0]
    wanted = " ".join(fold(text).replace("/", " ").split())
    exact = []
    for ibge, label in candidates:
        name, uf = label.rsplit("/", 1)
        if wanted in (fold(name), f"{fold(name)} {uf.lower()}"):
            exact.append(ibge)
    return exact[0] if len(exact) == 1 else None


def search_professionals(query: str, offset: int, limit: int) -> Page[ProfessionalChoice]:
    """Professionals of the local base by name, CPF or CNS, paged in the database."""
    offset, limit = clamp_paging(offset, limit)
    select = Professional.select(
        Professional.id, Professional.name, Professional.cpf, Professional.cns, Professional.user
    )
    text = search_text(query)
    number = digits(text)
    if number and len(number) == len(text.replace(".", "").replace("-", "").replace(" ", "")):
        select = select.where(Professional.cpf.startswith(number) | Professional.cns.startswith(number))
    else:
        condition = all_terms_match([Professional.name], text)
        if condition is not None:
            select = select.where(condition)
    total = select.count()
    rows = [
        ProfessionalChoice(p.id, p.name, p.cpf, p.cns, p.user_id is not None)
        for p in select.order_by(Professional.name, Professional.id).offset(offset).limit(limit)
    ]
    return Page(rows, total, offset, limit)


def add_municipality(ibge: str, professional_id: int | None, *, by_user_id: int | None) -> ResponsibleRow:
    """ "Adicionar": a municipality (IBGE code, checked against the shipped table) and its one
    responsible, who gets the municipal administrator role."""
    check_ibge(ibge)
    if professional_id is None:
        raise ValidationError("Escolha o responsável entre os profissionais da base local.", "responsavel")
    municipality = find_municipality(ibge)
    add_municipal_admin(municipality.id, professional_id, by_user_id=by_user_id)
    return _responsible_of(municipality.id)


def change_responsible(localidade_id: int, professional_id: int | None, *, by_user_id: int | None) -> ResponsibleRow:
    """Move the municipal administrator role of a municipality to another professional."""
    if professional_id is None:
        raise ValidationError("Escolha o novo responsável entre os profissionais da base local.", "responsavel")
    require_installation_admin(by_user_id)
    with transaction():
        locality = Localidade.get_or_none(Localidade.id == localidade_id)
        if locality is None:
            raise PecError("Município não encontrado.")
        current = (
            MunicipalAdmin.select(MunicipalAdmin, ActorRole)
            .join(ActorRole)
            .where((MunicipalAdmin.localidade == localidade_id) & MunicipalAdmin.deactivated_at.is_null())
            .first()
        )
        professional = find_professional(professional_id)
        if current is None:
            raise PecError(f"{locality.name} ainda não tem responsável; use Adicionar.")
        if current.role.professional_id == professional.id and current.role.active:
            raise ValidationError(f"{professional.name} já é o responsável de {locality.name}.", "responsavel")
        old_role = current.role
        now = clock.now()
        # As PEC keeps it: the old responsible's row stays, inactivated (dt_inativacao).
        MunicipalAdmin.update(deactivated_at=now).where(MunicipalAdmin.role == old_role.id).execute()
        ActorRole.update(active=False).where(ActorRole.id == old_role.id).execute()
        role = ActorRole.create(professional=professional.id, kind=ActorRole.MUNICIPAL_ADMIN)
        MunicipalAdmin.create(role=role.id, localidade=localidade_id, added_at=now)
        audit.record(
            EventType.DATABASE_OPERATION,
            component=COMPONENT,
            user_id=by_user_id,
            record_type=RecordType.MUNICIPALITY,
            record_id=localidade_id,
            details=(
                f"Troca de responsável de {locality.name}: tb_adm_municipal co_ator_papel={old_role.id} "
                f"(co_prof={old_role.professional_id}) inativado; co_ator_papel={role.id}, co_prof={professional.id}"
            ),
        )
    return _responsible_of(localidade_id)


def _responsible_of(localidade_id: int) -> ResponsibleRow:
    for row in responsibles():
        if row.localidade_id == localidade_id:
            return row
    raise PecError("Município não encontrado na instalação.")  # pragma: no cover - just added
