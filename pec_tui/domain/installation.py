"""Creating an installation (``pec-tui init``) and reading what it is."""

from __future__ import annotations

from dataclasses import dataclass

from pec_tui.core import clock
from pec_tui.core.errors import PecError, ValidationError
from pec_tui.core.paging import Page, clamp_paging
from pec_tui.core.validators import digits, format_cpf, require_cpf
from pec_tui.domain import audit, settings
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.installation_info import (  # noqa: F401  (re-exported: the read side lives there)
    ConsoleStart,
    InstallationSummary,
    console_start,
    installation_municipalities,
    summary,
)
from pec_tui.domain.passwords import check_policy, hash_password
from pec_tui.storage import migrations
from pec_tui.storage.database import transaction
from pec_tui.storage.models import (
    ActorRole,
    InstallationAdmin,
    InstallationMunicipality,
    Localidade,
    MunicipalAdmin,
    Professional,
    State,
    User,
)
from pec_tui.storage.reference import municipalities_by_ibge
from pec_tui.storage.search import all_terms_match, fold

COMPONENT = "pec-tui/instalacao"


def check_ibge(ibge: str, field: str = "municipio") -> str:
    """The 7-digit IBGE code, checked against the shipped table (no database needed)."""
    code = digits(ibge)
    if len(code) != 7:
        raise ValidationError(f"O código IBGE do município deve ter 7 dígitos (informado: '{ibge}').", field)
    if code not in municipalities_by_ibge():
        raise ValidationError(f"Não existe município com o código IBGE {code}.", field)
    return code


def find_municipality(ibge: str, field: str = "municipio") -> Localidade:
    """The municipality with this 7-digit IBGE code, checked against the shipped table."""
    code = digits(ibge)
    if len(code) != 7:
        raise ValidationError(f"O código IBGE do município deve ter 7 dígitos (informado: '{ibge}').", field)
    found = Localidade.select(Localidade, State).join(State).where(Localidade.ibge == code).first()
    if found is None:
        raise ValidationError(f"Não existe município com o código IBGE {code}.", field)
    return found


def is_initialized() -> bool:
    return InstallationAdmin.select().exists()


@dataclass(frozen=True)
class InitResult:
    municipality: str
    admin_login: str
    schema_version: int


def init_installation(
    *,
    municipio: str,
    admin_cpf: str,
    admin_name: str,
    admin_password: str,
    installation_name: str | None = None,
    training: bool = False,
) -> InitResult:
    """Create the schema (if needed), the first municipality and the installation administrator.

    Everything that can be checked is checked before the schema is touched."""
    cpf = require_cpf(admin_cpf, "admin_cpf")
    name = " ".join((admin_name or "").split())
    if len(name) < 3:
        raise ValidationError("Informe o nome completo do administrador da instalação.", "admin_name")
    check_policy(admin_password, field="admin_password")
    check_ibge(municipio)
    migrations.migrate()
    municipality = find_municipality(municipio)
    if is_initialized():
        raise PecError("Esta instalação já foi iniciada: o administrador da instalação já existe.")
    with transaction():
        now = clock.now()
        settings.put(settings.INSTALLATION_NAME, text=installation_name or f"PEC {municipality.name}")
        settings.put(settings.INSTALLATION_TYPE, text="PRONTUARIO")
        settings.put(settings.TRAINING, text="true" if training else "false")
        InstallationMunicipality.create(localidade=municipality.id, activated_at=now, active=True)
        user = User.create(
            login=cpf,
            password_hash=hash_password(admin_password),
            password_changed_at=now,
            must_change_password=False,
        )
        existing = Professional.get_or_none(Professional.cpf == cpf)
        if existing is None:
            professional = Professional.create(cpf=cpf, name=name, user=user.id)
        else:
            existing.user = user.id
            existing.save()
            professional = existing
        role = ActorRole.create(professional=professional.id, kind=ActorRole.INSTALLATION_ADMIN)
        InstallationAdmin.create(role=role.id)
        audit.record(
            EventType.DATABASE_OPERATION,
            component=COMPONENT,
            record_type=RecordType.MUNICIPALITY,
            record_id=municipality.id,
            details=f"Criação da instalação com o município {municipality.label} "
            f"({municipality.ibge}); administrador da instalação: {format_cpf(cpf)}",
        )
    return InitResult(municipality.label, cpf, migrations.schema_version() or 0)


def add_municipal_admin(localidade_id: int, professional_id: int, *, by_user_id: int | None) -> None:
    """Make a professional the one responsible (municipal administrator) of a municipality.

    Only one responsible per municipality (3.1.4)."""
    require_installation_admin(by_user_id)
    with transaction():
        if MunicipalAdmin.select().where(MunicipalAdmin.localidade == localidade_id).exists():
            locality = Localidade.get_by_id(localidade_id)
            raise PecError(f"{locality.name} já tem um responsável municipal; só é possível um por município.")
        professional = _professional(professional_id)
        role = ActorRole.create(professional=professional.id, kind=ActorRole.MUNICIPAL_ADMIN)
        MunicipalAdmin.create(role=role.id, localidade=localidade_id)
        InstallationMunicipality.insert(
            localidade=localidade_id, activated_at=clock.now(), active=True
        ).on_conflict_ignore().execute()
        audit.record(
            EventType.DATABASE_OPERATION,
            component=COMPONENT,
            user_id=by_user_id,
            record_type=RecordType.MUNICIPALITY,
            record_id=localidade_id,
            details=f"Criação tb_adm_municipal atributos: co_ator_papel={role.id}, co_prof={professional_id}",
        )


def require_installation_admin(user_id: int | None) -> None:
    """Refuse a change asked by a user who is not the installation administrator.

    ``None`` is the installation itself (``pec-tui init``, the demo, a scheduled job)."""
    if user_id is None:
        return
    is_admin = (
        InstallationAdmin.select()
        .join(ActorRole)
        .join(Professional)
        .where((Professional.user == user_id) & (ActorRole.active == True))
        .exists()
    )
    if not is_admin:
        raise PecError("Só o administrador da instalação pode alterar as configurações da instalação.")


def _professional(professional_id: int) -> Professional:
    professional = Professional.get_or_none(Professional.id == professional_id)
    if professional is None:
        raise ValidationError("Escolha o responsável entre os profissionais da base local.", "responsavel")
    return professional


# --------------------------------------------------------------------------------------------
# Municípios e responsáveis (3.1.4)
# --------------------------------------------------------------------------------------------


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
        .where(ActorRole.active == True)
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
    text = (query or "").strip()
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
            .where(MunicipalAdmin.localidade == localidade_id)
            .first()
        )
        professional = _professional(professional_id)
        if current is None:
            raise PecError(f"{locality.name} ainda não tem responsável; use Adicionar.")
        if current.role.professional_id == professional.id and current.role.active:
            raise ValidationError(f"{professional.name} já é o responsável de {locality.name}.", "responsavel")
        old_role = current.role
        MunicipalAdmin.delete().where(MunicipalAdmin.role == old_role.id).execute()
        ActorRole.update(active=False).where(ActorRole.id == old_role.id).execute()
        role = ActorRole.create(professional=professional.id, kind=ActorRole.MUNICIPAL_ADMIN)
        MunicipalAdmin.create(role=role.id, localidade=localidade_id)
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
