"""Creating the installation (``pec-tui init``) and the municipality's responsible."""

from __future__ import annotations

import pytest

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import settings
from pec_tui.domain.audit import EventType
from pec_tui.domain.installation import (
    add_municipal_admin,
    find_municipality,
    init_installation,
    installation_municipalities,
    is_initialized,
)
from pec_tui.domain.passwords import verify_password
from pec_tui.storage.database import transaction
from pec_tui.storage.migrations import LATEST_VERSION
from pec_tui.storage.models import (
    ActorRole,
    AuditEvent,
    InstallationAdmin,
    InstallationMunicipality,
    MunicipalAdmin,
    Professional,
    SystemConfig,
    User,
)

GOOD = dict(
    municipio="4204202",
    admin_cpf="529.982.247-25",
    admin_name="  Helena   Martins Duarte ",
    admin_password="Senha1234",
)

INSTALLATION_TABLES = (
    SystemConfig,
    InstallationMunicipality,
    User,
    Professional,
    ActorRole,
    InstallationAdmin,
    MunicipalAdmin,
    AuditEvent,
)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.select().count() for model in INSTALLATION_TABLES}


def test_init_creates_municipality_admin_settings_and_one_audit_event(db, clock):
    assert not is_initialized()

    result = init_installation(**GOOD)

    assert (result.municipality, result.admin_login, result.schema_version) == (
        "Chapecó/SC",
        "52998224725",
        LATEST_VERSION,
    )
    assert is_initialized()
    assert [(m.ibge, m.name) for m in installation_municipalities()] == [("4204202", "Chapecó")]
    assert InstallationMunicipality.get().activated_at == clock.current

    user = User.get()
    assert user.login == "52998224725"
    assert verify_password("Senha1234", user.password_hash)
    assert (user.blocked, user.failed_attempts, user.must_change_password) == (False, 0, False)
    assert user.password_changed_at == clock.current.date()  # a DATE in PEC
    assert user.change_password is False

    professional = Professional.get()
    assert (professional.cpf, professional.name, professional.user_id) == (
        "52998224725",
        "Helena Martins Duarte",
        user.id,
    )
    role = ActorRole.get()
    assert (role.professional_id, role.kind, role.active) == (professional.id, "ADMINISTRADOR_GERAL", True)
    assert InstallationAdmin.get().role_id == role.id

    assert settings.get_text(settings.INSTALLATION_NAME) == "PEC Chapecó"
    assert settings.get_text(settings.INSTALLATION_TYPE) == "PRONTUARIO"
    assert settings.get_flag(settings.TRAINING) is False

    event = AuditEvent.get()
    assert AuditEvent.select().count() == 1
    assert event.event_type == EventType.DATABASE_OPERATION.value
    assert "Chapecó/SC (4204202)" in event.details
    assert "529.982.247-25" in event.details
    assert "Senha1234" not in event.details


def test_init_keeps_the_given_installation_name_and_training_flag(db):
    init_installation(**GOOD, installation_name="PEC Treinamento Chapecó", training=True)
    assert settings.get_text(settings.INSTALLATION_NAME) == "PEC Treinamento Chapecó"
    assert settings.get_flag(settings.TRAINING) is True


def test_second_init_is_refused_and_writes_nothing(db, installation):
    before = row_counts()
    with pytest.raises(PecError) as raised:
        init_installation(
            municipio="4205407",  # Florianópolis
            admin_cpf="11144477735",
            admin_name="Rafael Souza Lima",
            admin_password="Outra5678",
        )
    assert "já foi iniciada" in raised.value.message
    assert row_counts() == before


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"municipio": "420420"}, "municipio", "7 dígitos"),
        ({"municipio": "9999999"}, "municipio", "Não existe município com o código IBGE 9999999"),
        ({"admin_cpf": "529.982.247-26"}, "admin_cpf", "inválido"),
        ({"admin_cpf": "5299822472"}, "admin_cpf", "11 dígitos"),
        ({"admin_name": " H "}, "admin_name", "nome completo"),
        ({"admin_password": "senhafraca"}, "admin_password", "letras e números"),
        ({"admin_password": "abc12"}, "admin_password", "mínimo 8 caracteres"),
    ],
    ids=[
        "ibge-6-digitos",
        "ibge-desconhecido",
        "cpf-invalido",
        "cpf-curto",
        "nome-curto",
        "senha-sem-numero",
        "senha-curta",
    ],
)
def test_invalid_init_argument_is_refused_naming_the_field_and_writes_nothing(db, change, field, words):
    before = row_counts()
    assert before == {model.__name__: 0 for model in INSTALLATION_TABLES}

    with pytest.raises(ValidationError) as raised:
        init_installation(**{**GOOD, **change})

    assert raised.value.field == field
    assert words in raised.value.message
    assert row_counts() == before
    assert not is_initialized()


def test_find_municipality_accepts_a_formatted_code(db):
    assert find_municipality("42.04202").name == "Chapecó"


# --------------------------------------------------------------------------------------------
# The municipality's responsible (3.1.4)
# --------------------------------------------------------------------------------------------


def professional(cpf: str, name: str) -> Professional:
    with transaction():
        return Professional.create(cpf=cpf, name=name)


def test_municipal_admin_is_added_and_audited(db, installation):
    chapeco = find_municipality("4204202")
    rafael = professional("11144477735", "Rafael Souza Lima")
    admin_user = User.get(User.login == installation.admin_login)

    add_municipal_admin(chapeco.id, rafael.id, by_user_id=admin_user.id)

    responsible = MunicipalAdmin.get()
    assert responsible.localidade_id == chapeco.id
    assert (responsible.role.professional_id, responsible.role.kind) == (rafael.id, "ADMINISTRADOR_MUNICIPAL")
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.user_id, event.record_id) == (admin_user.id, str(chapeco.id))
    assert f"co_prof={rafael.id}" in event.details


def test_municipal_admin_of_a_new_municipality_activates_it(db, installation):
    florianopolis = find_municipality("4205407")
    rafael = professional("11144477735", "Rafael Souza Lima")
    add_municipal_admin(florianopolis.id, rafael.id, by_user_id=None)
    assert [m.name for m in installation_municipalities()] == ["Chapecó", "Florianópolis"]


def test_second_responsible_for_the_same_municipality_is_refused(db, installation):
    chapeco = find_municipality("4204202")
    add_municipal_admin(chapeco.id, professional("11144477735", "Rafael Souza Lima").id, by_user_id=None)
    carla = professional("39053344705", "Carla Nunes Ferreira")
    before = row_counts()

    with pytest.raises(PecError) as raised:
        add_municipal_admin(chapeco.id, carla.id, by_user_id=None)

    assert raised.value.message == "Chapecó já tem um responsável municipal; só é possível um por município."
    assert row_counts() == before
    assert not ActorRole.select().where(ActorRole.professional == carla.id).exists()


def test_bad_ibge_is_refused_before_the_schema_is_created(empty_db):
    """`pec-tui init` with a wrong code must leave no half-made database behind."""
    import pytest

    from pec_tui.core.errors import ValidationError
    from pec_tui.domain.installation import init_installation
    from pec_tui.storage.migrations import schema_version

    with pytest.raises(ValidationError) as refused:
        init_installation(
            municipio="9999999", admin_cpf="52998224725", admin_name="Helena Duarte", admin_password="Senha1234"
        )
    assert refused.value.field == "municipio"
    assert schema_version() is None
