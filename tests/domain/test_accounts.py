"""Login rules: attempts, blocking, unblocking, first access, password change and renewal."""

from __future__ import annotations

import pytest

from pec_tui.core.clock import now
from pec_tui.core.errors import AuthError, PecError, ValidationError
from pec_tui.domain import accounts, settings
from pec_tui.domain.accounts import authenticate, change_password, end_session, unblock_user
from pec_tui.domain.audit import EventType
from pec_tui.domain.passwords import hash_password, verify_password
from pec_tui.storage.database import transaction
from pec_tui.storage.models import AccessHistory, AuditEvent, Professional, User

PASSWORD = "Senha1234"
NEW_PASSWORD = "Outra5678"

# Valid CPFs (check digits) for users other than the installation administrator.
USER_CPF = "11144477735"
USER_CPF_FORMATTED = "111.444.777-35"
USER_CNS = "700000000000005"


def events(event_type: EventType | None = None) -> list[AuditEvent]:
    query = AuditEvent.select().order_by(AuditEvent.id)
    if event_type is not None:
        query = query.where(AuditEvent.event_type == event_type.value)
    return list(query)


def make_user(cpf: str = USER_CPF, *, password: str | None = PASSWORD, cns: str | None = None) -> User:
    """A professional with a user, as the CNES import or "Cadastrar profissional" leaves them."""
    with transaction():
        user = User.create(
            login=cpf,
            password_hash=hash_password(password) if password else None,
            password_changed_at=now() if password else None,
            must_change_password=password is None,
        )
        Professional.create(cpf=cpf, name="Rafael Souza Lima", cns=cns, user=user.id)
    return user


def refused(cpf: str, password: str) -> str:
    with pytest.raises(AuthError) as raised:
        authenticate(cpf, password)
    return raised.value.message


# --------------------------------------------------------------------------------------------
# Success and plain refusals
# --------------------------------------------------------------------------------------------


def test_right_password_logs_the_installation_admin_in(db, installation, clock):
    result = authenticate("529.982.247-25", "Senha1234", ip="10.0.0.9")
    assert result.user.installation_admin is True
    assert result.user.municipal_admin is False
    assert result.user.name == "Helena Martins Duarte"
    assert result.user.login == installation.admin_login
    assert result.must_change_password is False and result.reason == ""

    succeeded = events(EventType.LOGIN_SUCCEEDED)
    assert len(succeeded) == 1
    assert succeeded[0].user_id == result.user.user_id
    history = AccessHistory.get()
    assert (history.user_id, history.ip, history.succeeded, history.at) == (
        result.user.user_id,
        "10.0.0.9",
        True,
        clock.current,
    )


def test_invalid_cpf_is_a_validation_error_and_counts_nothing(db, installation):
    events_before = len(events())
    with pytest.raises(ValidationError) as raised:
        authenticate("529.982.247-26", "Senha1234")
    assert raised.value.field == "cpf"
    assert "inválido" in raised.value.message
    assert len(events()) == events_before
    assert AccessHistory.select().count() == 0
    assert User.get(User.login == installation.admin_login).failed_attempts == 0


REFUSED = (
    "CPF ou senha incorretos. Após 5 tentativas sem sucesso a conta é bloqueada "
    "e só o administrador pode desbloqueá-la."
)


def test_unknown_cpf_is_refused_without_saying_which_part_is_wrong(db, installation):
    assert refused(USER_CPF, "Senha1234") == REFUSED
    failed = events(EventType.LOGIN_FAILED)
    assert len(failed) == 1
    assert failed[0].user_id is None
    assert USER_CPF_FORMATTED in failed[0].details


def test_wrong_password_counts_the_attempt_and_says_what_an_unknown_cpf_says(db, installation):
    # The same sentence for a real account and an unknown CPF: it tells nobody which CPFs exist.
    assert refused(installation.admin_login, "Errada123") == REFUSED == refused(USER_CPF, "Errada123")
    admin = User.get(User.login == installation.admin_login)
    assert (admin.failed_attempts, admin.blocked) == (1, False)
    assert len(events(EventType.LOGIN_FAILED)) == 2
    assert AccessHistory.get().succeeded is False


def test_successful_login_resets_the_failed_counter(db, installation):
    for _ in range(3):
        refused(installation.admin_login, "Errada123")
    assert User.get(User.login == installation.admin_login).failed_attempts == 3
    authenticate(installation.admin_login, "Senha1234")
    assert User.get(User.login == installation.admin_login).failed_attempts == 0
    # The count starts over: one more failure counts one, not four.
    refused(installation.admin_login, "Errada123")
    assert User.get(User.login == installation.admin_login).failed_attempts == 1


# --------------------------------------------------------------------------------------------
# Blocking and unblocking
# --------------------------------------------------------------------------------------------


def test_account_is_blocked_at_the_default_maximum_of_five(db, installation):
    make_user()
    messages = [refused(USER_CPF, "Errada123") for _ in range(4)]
    assert User.get(User.login == USER_CPF).blocked is False
    messages.append(refused(USER_CPF, "Errada123"))
    assert set(messages) == {REFUSED}
    user = User.get(User.login == USER_CPF)
    assert (user.blocked, user.failed_attempts) == (True, 5)
    blocks = events(EventType.ACCOUNT_BLOCKED)
    assert len(blocks) == 1
    assert blocks[0].details == f"Login bloqueado: {USER_CPF_FORMATTED}"
    assert blocks[0].record_id == str(user.id)
    assert accounts.blocked_count() == 1


def test_configured_maximum_of_three_attempts_blocks_at_the_third(db, installation):
    with transaction():
        settings.put(settings.MAX_LOGIN_ATTEMPTS, integer=3)
    make_user()
    for _ in range(2):
        assert "Após 3 tentativas sem sucesso" in refused(USER_CPF, "Errada123")
    assert User.get(User.login == USER_CPF).blocked is False
    refused(USER_CPF, "Errada123")
    assert User.get(User.login == USER_CPF).blocked is True


def test_blocked_account_is_refused_even_with_the_right_password(db, installation):
    user = make_user()
    User.update(blocked=True, failed_attempts=5).where(User.id == user.id).execute()
    succeeded_before = len(events(EventType.LOGIN_SUCCEEDED))

    message = refused(USER_CPF, PASSWORD)

    assert message == REFUSED  # nothing that tells a blocked account from an unknown CPF
    assert len(events(EventType.LOGIN_SUCCEEDED)) == succeeded_before
    assert events(EventType.LOGIN_FAILED)[-1].details == f"Conta bloqueada. CPF: {USER_CPF_FORMATTED}"
    assert User.get_by_id(user.id).failed_attempts == 5


@pytest.mark.parametrize(
    ("cns", "default"),
    [(USER_CNS, f"{USER_CNS}esus"), (None, f"{USER_CPF}esus")],
    ids=["cns+esus", "cpf+esus"],
)
def test_unblocked_user_logs_in_with_the_default_password_and_must_change_it(db, installation, cns, default):
    admin = User.get(User.login == installation.admin_login)
    user = make_user(cns=cns)
    for _ in range(5):
        refused(USER_CPF, "Errada123")
    assert User.get_by_id(user.id).blocked

    unblock_user(admin.id, user.id)

    stored = User.get_by_id(user.id)
    assert (stored.blocked, stored.failed_attempts, stored.password_hash, stored.must_change_password) == (
        False,
        0,
        None,
        True,
    )
    unblocked = events(EventType.ACCOUNT_UNBLOCKED)
    assert len(unblocked) == 1
    assert (unblocked[0].user_id, unblocked[0].record_id) == (admin.id, str(user.id))
    assert refused(USER_CPF, PASSWORD).startswith("CPF ou senha incorretos.")  # the old one is gone
    result = authenticate(USER_CPF, default)
    assert result.must_change_password is True
    # Not a first access: the user had a password, which the administrator reset.
    assert result.reason == "A sua senha foi redefinida: defina uma nova senha."


def test_user_without_password_logs_in_with_the_default_and_must_change(db, installation):
    make_user(password=None, cns=USER_CNS)
    assert refused(USER_CPF, f"{USER_CPF}esus").startswith("CPF ou senha incorretos.")  # CNS exists: CNS+esus
    result = authenticate(USER_CPF, f"{USER_CNS}esus")
    assert result.must_change_password is True
    assert result.reason == "Primeiro acesso: defina a sua senha."
    assert result.user.installation_admin is False


# --------------------------------------------------------------------------------------------
# Changing the password
# --------------------------------------------------------------------------------------------


def test_change_password_sets_the_new_one_and_clears_the_forced_change(db, installation, clock):
    user = make_user(password=None, cns=USER_CNS)
    clock.advance(minutes=5)

    change_password(user.id, f"{USER_CNS}esus", NEW_PASSWORD, NEW_PASSWORD)

    stored = User.get_by_id(user.id)
    assert verify_password(NEW_PASSWORD, stored.password_hash)
    assert stored.must_change_password is False and stored.change_password is False
    assert stored.password_changed_at == clock.current.date()  # a DATE in PEC
    changed = events(EventType.PASSWORD_CHANGED)
    assert len(changed) == 1 and changed[0].user_id == user.id
    result = authenticate(USER_CPF, NEW_PASSWORD)
    assert (result.must_change_password, result.reason) == (False, "")


@pytest.mark.parametrize(
    ("current", "new", "confirmation", "field", "message"),
    [
        (PASSWORD, NEW_PASSWORD, "Outra56789", "confirmacao", "A confirmação não é igual à nova senha."),
        (PASSWORD, "curta1", "curta1", "nova_senha", "A senha deve ter no mínimo 8 caracteres."),
        (PASSWORD, "sodeletras", "sodeletras", "nova_senha", "A senha deve ter letras e números."),
        ("Errada123", NEW_PASSWORD, NEW_PASSWORD, "senha_atual", "A senha atual não confere."),
        (PASSWORD, PASSWORD, PASSWORD, "nova_senha", "A nova senha deve ser diferente da atual."),
    ],
    ids=["confirmacao", "curta", "sem-numeros", "senha-atual", "igual-a-atual"],
)
def test_change_password_is_refused_and_nothing_changes(db, installation, current, new, confirmation, field, message):
    user = make_user()
    hash_before = User.get_by_id(user.id).password_hash
    events_before = len(events())

    with pytest.raises(ValidationError) as raised:
        change_password(user.id, current, new, confirmation)

    assert (raised.value.field, raised.value.message) == (field, message)
    assert User.get_by_id(user.id).password_hash == hash_before
    assert len(events()) == events_before


def test_password_older_than_the_renewal_period_must_be_changed(db, installation, clock):
    clock.advance(days=180)  # still under six months (2026-11-20 → 2027-05-19)
    assert authenticate(installation.admin_login, "Senha1234").must_change_password is False

    clock.advance(days=33)  # about seven months after the password was set
    result = authenticate(installation.admin_login, "Senha1234")
    assert result.must_change_password is True
    assert result.reason == "A sua senha tem mais de 6 meses: defina uma nova senha."


def test_renewal_period_follows_the_setting(db, installation, clock):
    with transaction():
        settings.put(settings.PASSWORD_RENEWAL_MONTHS, integer=1)
    clock.advance(days=31)
    result = authenticate(installation.admin_login, "Senha1234")
    assert result.reason == "A sua senha tem mais de 1 mês: defina uma nova senha."


# --------------------------------------------------------------------------------------------
# Session end
# --------------------------------------------------------------------------------------------


def test_session_end_by_inactivity_is_audited_with_the_minutes(db, installation, clock):
    admin = User.get(User.login == installation.admin_login)
    authenticate(installation.admin_login, "Senha1234")
    clock.advance(minutes=31)

    end_session(admin.id, inactivity_minutes=31)

    ended = events(EventType.SESSION_ENDED)
    assert len(ended) == 1
    assert ended[0].details == "Sessão encerrada por inatividade (31 min)."
    assert (ended[0].user_id, ended[0].at) == (admin.id, clock.current)


def test_plain_logout_is_audited_as_such(db, installation):
    admin = User.get(User.login == installation.admin_login)
    end_session(admin.id)
    assert events(EventType.SESSION_ENDED)[0].details == "Saída do sistema."


@pytest.mark.parametrize(
    ("cns", "default", "hint"),
    [(USER_CNS, f"{USER_CNS}esus", "o CNS seguido de esus"), (None, f"{USER_CPF}esus", "o CPF seguido de esus")],
    ids=["cns+esus", "cpf+esus"],
)
def test_blocked_users_are_listed_and_unblocked_by_cpf(db, installation, cns, default, hint):
    admin = User.get(User.login == installation.admin_login)
    user = make_user(cns=cns)
    assert accounts.blocked_users() == []
    for _ in range(5):
        refused(USER_CPF, "Errada123")
    [blocked] = accounts.blocked_users()
    assert (blocked.user_id, blocked.cpf, blocked.failed_attempts) == (user.id, USER_CPF_FORMATTED, 5)
    assert blocked.name == Professional.get(Professional.user == user.id).name

    done = accounts.unblock(USER_CPF_FORMATTED, by_user_id=admin.id)

    assert (done.cpf, done.first_password) == (USER_CPF_FORMATTED, hint)
    assert accounts.blocked_users() == []
    stored = User.get_by_id(user.id)
    assert (stored.blocked, stored.failed_attempts, stored.password_hash, stored.must_change_password) == (
        False,
        0,
        None,
        True,
    )
    [event] = events(EventType.ACCOUNT_UNBLOCKED)
    assert (event.user_id, event.record_id, event.component) == (admin.id, str(user.id), accounts.UNBLOCK_COMPONENT)
    assert event.details == f"Desbloqueio e redefinição de senha: {USER_CPF_FORMATTED}"
    result = authenticate(USER_CPF, default)
    assert result.must_change_password


def test_unblock_refuses_an_unknown_or_unblocked_account_and_changes_nothing(db, installation):
    make_user()
    before = len(events())
    with pytest.raises(ValidationError, match="Nenhum usuário com o CPF 390.533.447-05"):
        accounts.unblock("39053344705", by_user_id=None)
    with pytest.raises(PecError, match="não está bloqueada"):
        accounts.unblock(USER_CPF, by_user_id=None)
    with pytest.raises(ValidationError, match="inválido"):
        accounts.unblock("11144477700", by_user_id=None)
    assert len(events()) == before
    assert User.get(User.login == USER_CPF).password_hash is not None
