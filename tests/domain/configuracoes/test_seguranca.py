"""Segurança (3.1.2): the values saved are the ones the login obeys; every password reset."""

from __future__ import annotations

import pytest

from pec_tui.core.errors import AuthError, PecError, ValidationError
from pec_tui.domain import settings
from pec_tui.domain.accounts import authenticate, change_password
from pec_tui.domain.configuracoes import seguranca
from pec_tui.domain.passwords import hash_password
from pec_tui.domain.settings import SecuritySettings
from pec_tui.storage.database import transaction
from pec_tui.storage.models import AuditEvent, Professional, User
from tests.support.constants import ADMIN_CPF, ADMIN_PASSWORD

USER_CPF = "11144477735"
USER_PASSWORD = "Senha2024"


@pytest.fixture
def admin_id(installation) -> int:
    return User.get(User.login == installation.admin_login).id


@pytest.fixture
def user(installation, clock) -> User:
    with transaction():
        created = User.create(login=USER_CPF, password_hash=hash_password(USER_PASSWORD), password_changed_at=clock())
        Professional.create(cpf=USER_CPF, name="Rafael Souza Lima", user=created.id)
    return created


def events() -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.component == "pec-tui/configuracoes").order_by(AuditEvent.id))


def test_the_options_are_the_manuals():
    assert [label for label, _ in seguranca.RENEWAL_OPTIONS] == [
        "1 Mês",
        "2 Meses",
        "3 Meses",
        "4 Meses",
        "5 Meses",
        "6 Meses",
    ]
    assert [label for label, _ in seguranca.INACTIVITY_OPTIONS] == [
        "30 minutos",
        "1 hora",
        "2 horas",
        "3 horas",
        "4 horas",
    ]
    assert [label for label, _ in seguranca.ATTEMPTS_OPTIONS] == [
        "1 Tentativa",
        *(f"{n} Tentativas" for n in range(2, 11)),
    ]


def test_save_writes_what_the_login_reads_and_audits_each_change(db, admin_id):
    saved = seguranca.save(3, 120, 4, by_user_id=admin_id)
    assert saved == SecuritySettings(3, 120, 4)
    assert settings.security() == SecuritySettings(3, 120, 4)
    assert [e.details for e in events()] == [
        "Período para redefinição de senha: 6 Meses → 3 Meses.",
        "Período máximo de inatividade: 30 minutos → 2 horas.",
        "Máximo de tentativas consecutivas de login com autenticação inválida: 5 Tentativas → 4 Tentativas.",
    ]
    assert {e.user_id for e in events()} == {admin_id}


def test_saving_the_same_values_changes_nothing(db, admin_id):
    seguranca.save(3, 120, 4, by_user_id=admin_id)
    count = len(events())
    seguranca.save(3, 120, 4, by_user_id=admin_id)
    assert len(events()) == count


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ((0, 30, 5), "renovacao"),
        ((7, 30, 5), "renovacao"),
        ((6, 45, 5), "inatividade"),
        ((6, 30, 0), "tentativas"),
        ((6, 30, 11), "tentativas"),
        ((6, 30, True), "tentativas"),
    ],
)
def test_values_outside_the_options_are_refused(db, admin_id, values, field):
    with pytest.raises(ValidationError) as refused:
        seguranca.save(*values, by_user_id=admin_id)
    assert refused.value.field == field
    assert events() == []


def test_the_login_blocks_at_the_saved_maximum(db, admin_id, user):
    seguranca.save(6, 30, 2, by_user_id=admin_id)
    with pytest.raises(AuthError, match="Após 2 tentativas sem sucesso"):
        authenticate(USER_CPF, "errada")
    assert not User.get_by_id(user.id).blocked
    with pytest.raises(AuthError, match="Após 2 tentativas sem sucesso"):
        authenticate(USER_CPF, "errada")
    assert User.get_by_id(user.id).blocked


def test_the_login_asks_renewal_after_the_saved_period(db, admin_id, user, clock):
    seguranca.save(1, 30, 5, by_user_id=admin_id)
    clock.advance(days=29)
    assert not authenticate(USER_CPF, USER_PASSWORD).must_change_password
    clock.advance(days=2)
    result = authenticate(USER_CPF, USER_PASSWORD)
    assert result.must_change_password and "mais de 1 mês" in result.reason


def test_reset_all_passwords_makes_everyone_change_at_next_login(db, admin_id, user):
    count = seguranca.reset_all_passwords(by_user_id=admin_id)
    assert count == 2
    assert events()[-1].details == (
        "Redefinição de senha de todos os usuários: 2 usuários deverão definir nova senha no próximo acesso."
    )
    for cpf, password in [(ADMIN_CPF, ADMIN_PASSWORD), (USER_CPF, USER_PASSWORD)]:
        result = authenticate(cpf, password)
        assert result.must_change_password
        assert result.reason == "A sua senha foi redefinida: defina uma nova senha."
    change_password(user.id, USER_PASSWORD, "Nova12345", "Nova12345")
    assert not authenticate(USER_CPF, "Nova12345").must_change_password


def test_only_the_installation_admin_changes_security(db, user):
    with pytest.raises(PecError, match="Só o administrador da instalação"):
        seguranca.save(1, 30, 5, by_user_id=user.id)
    with pytest.raises(PecError):
        seguranca.reset_all_passwords(by_user_id=user.id)
    assert not User.get_by_id(user.id).must_change_password
