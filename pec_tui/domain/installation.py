"""Creating an installation (``pec-tui init``) and reading what it is."""

from __future__ import annotations

from dataclasses import dataclass

from pec_tui.core import clock
from pec_tui.core.errors import PecError, ValidationError
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
from pec_tui.storage.introspection import OWN_DATABASE_KEY
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


def is_own_database() -> bool:
    """A database pec-tui made (embedded, demo, ``init``): PEC's reference data there is
    pec-tui's to add to; on a PEC installation it is PEC's."""
    return settings.has(OWN_DATABASE_KEY)


def is_initialized() -> bool:
    return InstallationAdmin.select().exists()


@dataclass(frozen=True)
class InitResult:
    municipality: str
    admin_login: str
    schema_version: int


def check_init_arguments(*, municipio: str, admin_cpf: str, admin_name: str, admin_password: str) -> None:
    """What :func:`init_installation` checks before touching the schema, without a database:
    ``pec-tui init`` calls it before the database file is created, so a refusal leaves nothing."""
    require_cpf(admin_cpf, "admin_cpf")
    if len(" ".join((admin_name or "").split())) < 3:
        raise ValidationError("Informe o nome completo do administrador da instalação.", "admin_name")
    check_policy(admin_password, field="admin_password")
    check_ibge(municipio)


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
    migrations.refuse_pec_installation("'pec-tui init'")
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
            password_changed_at=now.date(),
            must_change_password=False,
            change_password=False,
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
        if (
            MunicipalAdmin.select()
            .where((MunicipalAdmin.localidade == localidade_id) & MunicipalAdmin.deactivated_at.is_null())
            .exists()
        ):
            locality = Localidade.get_by_id(localidade_id)
            raise PecError(f"{locality.name} já tem um responsável municipal; só é possível um por município.")
        professional = find_professional(professional_id)
        role = ActorRole.create(professional=professional.id, kind=ActorRole.MUNICIPAL_ADMIN)
        MunicipalAdmin.create(role=role.id, localidade=localidade_id, added_at=clock.now())
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


def find_professional(professional_id: int) -> Professional:
    """A professional of the local base, or the refusal the responsible pickers show."""
    professional = Professional.get_or_none(Professional.id == professional_id)
    if professional is None:
        raise ValidationError("Escolha o responsável entre os profissionais da base local.", "responsavel")
    return professional
