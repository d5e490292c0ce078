"""Municípios e responsáveis (3.1.4): one responsible per municipality, who gets the municipal
administrator role; changing the responsible moves the role (and the login sees it)."""

from __future__ import annotations

import pytest

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import installation as inst
from pec_tui.domain.accounts import authenticate
from pec_tui.domain.configuracoes import municipios
from pec_tui.domain.passwords import hash_password
from pec_tui.storage.database import transaction
from pec_tui.storage.models import ActorRole, AuditEvent, MunicipalAdmin, Professional, User

PASSWORD = "Senha2024"
RAFAEL = ("11144477735", "Rafael Souza Lima")
CARLA = ("39053344705", "Carla Nunes Ferreira")


@pytest.fixture
def admin_id(installation) -> int:
    return User.get(User.login == installation.admin_login).id


def professional_with_user(cpf: str, name: str) -> Professional:
    with transaction():
        user = User.create(login=cpf, password_hash=hash_password(PASSWORD), password_changed_at=None)
        return Professional.create(cpf=cpf, name=name, user=user.id)


def last_change() -> AuditEvent:
    return (
        AuditEvent.select().where(AuditEvent.component == "pec-tui/instalacao").order_by(AuditEvent.id.desc()).first()
    )


def municipal_of(cpf: str) -> list[str]:
    return [m.label for m in authenticate(cpf, PASSWORD).user.municipal_admin_of]


def test_municipality_candidates_by_code_and_by_name():
    assert municipios.municipality_candidates("4204202") == [("4204202", "Chapecó/SC")]
    assert municipios.municipality_candidates("chapeco") == [
        ("4204202", "Chapecó/SC"),
        ("4200507", "Águas de Chapecó/SC"),
    ]
    assert municipios.municipality_candidates("sao jose sc")[0] == ("4216602", "São José/SC")
    assert municipios.municipality_candidates("Brasília")[0] == ("5300108", "Brasília/DF")
    assert municipios.municipality_candidates("") == []


def test_add_a_municipality_and_its_responsible(db, admin_id):
    rafael = professional_with_user(*RAFAEL)
    row = municipios.add_municipality("4205407", rafael.id, by_user_id=admin_id)

    assert (row.label, row.ibge, row.professional_name) == ("Florianópolis/SC", "4205407", "Rafael Souza Lima")
    assert [r.label for r in municipios.responsibles()] == ["Chapecó/SC", "Florianópolis/SC"]
    assert municipal_of(RAFAEL[0]) == ["Florianópolis/SC"]
    event = last_change()
    assert event.user_id == admin_id and f"co_prof={rafael.id}" in event.details


@pytest.mark.parametrize(("code", "message"), [("42042", "7 dígitos"), ("9999999", "Não existe município")])
def test_ibge_code_is_checked_against_the_shipped_table(db, admin_id, code, message):
    rafael = professional_with_user(*RAFAEL)
    with pytest.raises(ValidationError, match=message) as refused:
        municipios.add_municipality(code, rafael.id, by_user_id=admin_id)
    assert refused.value.field == "municipio"


def test_responsible_must_be_chosen(db, admin_id):
    with pytest.raises(ValidationError) as refused:
        municipios.add_municipality("4205407", None, by_user_id=admin_id)
    assert refused.value.field == "responsavel"
    with pytest.raises(ValidationError):
        municipios.add_municipality("4205407", 999_999, by_user_id=admin_id)


def test_a_second_responsible_for_the_same_municipality_is_refused(db, admin_id):
    rafael = professional_with_user(*RAFAEL)
    carla = professional_with_user(*CARLA)
    municipios.add_municipality("4205407", rafael.id, by_user_id=admin_id)
    with pytest.raises(PecError) as refused:
        municipios.add_municipality("4205407", carla.id, by_user_id=admin_id)
    assert refused.value.message == "Florianópolis já tem um responsável municipal; só é possível um por município."
    assert municipal_of(CARLA[0]) == []


def test_changing_the_responsible_moves_the_role(db, admin_id):
    rafael = professional_with_user(*RAFAEL)
    carla = professional_with_user(*CARLA)
    chapeco = inst.find_municipality("4204202")
    inst.add_municipal_admin(chapeco.id, rafael.id, by_user_id=admin_id)
    assert municipal_of(RAFAEL[0]) == ["Chapecó/SC"]

    row = municipios.change_responsible(chapeco.id, carla.id, by_user_id=admin_id)

    assert row.professional_name == "Carla Nunes Ferreira"
    assert municipal_of(CARLA[0]) == ["Chapecó/SC"]
    assert municipal_of(RAFAEL[0]) == []  # the login no longer gives Rafael the role
    # As PEC keeps it: the old responsible's row stays, inactivated.
    assert MunicipalAdmin.select().where(MunicipalAdmin.deactivated_at.is_null()).count() == 1
    assert MunicipalAdmin.select().count() == 2
    old = ActorRole.get((ActorRole.professional == rafael.id) & (ActorRole.kind == ActorRole.MUNICIPAL_ADMIN))
    assert not old.active  # kept, inactive: the history stays in tb_ator_papel
    event = last_change()
    assert event.details.startswith("Troca de responsável de Chapecó:") and f"co_prof={carla.id}" in event.details


def test_changing_to_the_same_professional_is_refused(db, admin_id):
    rafael = professional_with_user(*RAFAEL)
    chapeco = inst.find_municipality("4204202")
    inst.add_municipal_admin(chapeco.id, rafael.id, by_user_id=admin_id)
    with pytest.raises(ValidationError, match="já é o responsável"):
        municipios.change_responsible(chapeco.id, rafael.id, by_user_id=admin_id)


def test_changing_where_there_is_none_says_to_add(db, admin_id):
    carla = professional_with_user(*CARLA)
    chapeco = inst.find_municipality("4204202")
    with pytest.raises(PecError, match="ainda não tem responsável"):
        municipios.change_responsible(chapeco.id, carla.id, by_user_id=admin_id)


def test_a_responsible_can_be_given_to_a_municipality_of_the_installation_without_one(db, admin_id):
    rafael = professional_with_user(*RAFAEL)
    row = municipios.add_municipality("4204202", rafael.id, by_user_id=admin_id)  # Chapecó, from init
    assert row.professional_name == "Rafael Souza Lima"


def test_search_professionals_by_name_cpf_and_cns(db, installation):
    professional_with_user(*RAFAEL)
    professional_with_user(*CARLA)
    names = lambda text: [p.name for p in municipios.search_professionals(text, 0, 10).rows]  # noqa: E731
    assert names("") == ["Carla Nunes Ferreira", "Helena Martins Duarte", "Rafael Souza Lima"]
    assert names("rafael lima") == ["Rafael Souza Lima"]
    assert names("111.444") == ["Rafael Souza Lima"]
    assert names("HÉLENA") == ["Helena Martins Duarte"]
    page = municipios.search_professionals("", 1, 1)
    assert (page.total, [p.name for p in page.rows]) == (3, ["Helena Martins Duarte"])


def test_only_the_installation_admin_chooses_responsibles(db, installation):
    rafael = professional_with_user(*RAFAEL)
    with pytest.raises(PecError, match="Só o administrador da instalação"):
        municipios.add_municipality("4205407", rafael.id, by_user_id=rafael.user_id)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("4204202", "4204202"),
        ("chapeco", "4204202"),
        ("Chapecó/SC", "4204202"),
        ("águas de chapecó", "4200507"),
        ("bom jesus", None),
        ("bom jesus rs", "4302303"),
        ("42042", None),
        ("xyz", None),
        ("", None),
    ],
)
def test_resolve_municipality_only_without_doubt(typed, code):
    assert municipios.resolve_municipality(typed) == code
