"""Accounts and login: attempts, blocking, forced and periodic password change, session end.

Rules (manual 1.3, 3.1.2, 3.5.2): the login is the CPF; failed attempts count per user and
block the account at the configured maximum; a blocked account cannot log in until an
administrator unblocks it; a user without a password (created by the CNES import or by
"Cadastrar profissional") logs in with the CNS followed by ``esus`` (the CPF followed by
``esus`` when there is no CNS) and must change it; a password older than the renewal
period must be renewed. Every attempt, block, password change and session end is audited.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from peewee import fn

from pec_tui.core import clock
from pec_tui.core.errors import AuthError, PecError, ValidationError
from pec_tui.core.validators import format_cpf, require_cpf
from pec_tui.domain import audit, passwords, settings
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.passwords import check_policy, hash_password, verify_password
from pec_tui.storage.database import can_write, transaction
from pec_tui.storage.models import (
    AccessHistory,
    ActorRole,
    InstallationAdmin,
    Localidade,
    MunicipalAdmin,
    Professional,
    State,
    User,
)

COMPONENT = "pec-tui/login"

LOGIN_WAIT_SECONDS = 5.0
"""How long a login waits for another writer (SQLite: a CNES import) before saying what holds
the database: a person is waiting at the screen."""


@dataclass(frozen=True)
class MunicipalityRef:
    id: int
    name: str
    uf: str
    ibge: str

    @property
    def label(self) -> str:
        return f"{self.name}/{self.uf}"


@dataclass(frozen=True)
class LoggedUser:
    """Who is using the console, and which administration roles they hold."""

    user_id: int
    login: str
    name: str
    installation_admin: bool = False
    municipal_admin_of: tuple[MunicipalityRef, ...] = field(default_factory=tuple)
    #: The database user may only read (esus_leitura): screens show, no change is saved.
    read_only: bool = False

    @property
    def municipal_admin(self) -> bool:
        return bool(self.municipal_admin_of)

    @property
    def roles_label(self) -> str:
        roles = []
        if self.installation_admin:
            roles.append("Administrador da instalação")
        if self.municipal_admin:
            roles.append("Administrador municipal")
        return ", ".join(roles) or "Sem perfil de administração"


@dataclass(frozen=True)
class LoginResult:
    user: LoggedUser
    must_change_password: bool
    reason: str = ""  # why the change is required, in Portuguese


def default_password(professional: Professional | None, login: str) -> str:
    """PEC's first password: CNS + "esus", or CPF + "esus" without a CNS (3.5.1)."""
    if professional is not None and professional.cns:
        return f"{professional.cns}esus"
    return f"{login}esus"


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _audit_own(event: EventType, user_id: int, details: str | None = None, component: str = COMPONENT) -> None:
    """An event a user causes on their own account (login, block, password, session)."""
    audit.record(
        event, component=component, user_id=user_id, record_type=RecordType.USER, record_id=user_id, details=details
    )


def load_logged_user(user: User) -> LoggedUser:
    professional = Professional.get_or_none(Professional.user == user.id)
    if professional is None:
        return LoggedUser(user.id, user.login, format_cpf(user.login))
    kinds = {
        role.kind
        for role in ActorRole.select(ActorRole.kind).where(
            (ActorRole.professional == professional.id) & (ActorRole.active == True)
        )
    }
    installation_admin = (
        ActorRole.INSTALLATION_ADMIN in kinds
        and InstallationAdmin.select()
        .join(ActorRole)
        .where((ActorRole.professional == professional.id) & (ActorRole.active == True))
        .exists()
    )
    municipalities = tuple(
        MunicipalityRef(row.localidade.id, row.localidade.name, row.localidade.state.acronym, row.localidade.ibge)
        for row in MunicipalAdmin.select(MunicipalAdmin, ActorRole, Localidade, State)
        .join(ActorRole)
        .switch(MunicipalAdmin)
        .join(Localidade)
        .join(State)
        .where(
            (ActorRole.professional == professional.id)
            & (ActorRole.active == True)
            & MunicipalAdmin.deactivated_at.is_null()
        )
        .order_by(Localidade.name)
    )
    return LoggedUser(user.id, user.login, professional.name, installation_admin, municipalities)


def failure_message(maximum: int) -> str:
    """The one sentence for every refused login (unknown CPF, wrong password, blocked account):
    it never tells whether the account exists or how many attempts remain (PEC blocks anyway)."""
    return (
        f"CPF ou senha incorretos. Após {maximum} tentativas sem sucesso a conta é bloqueada "
        "e só o administrador pode desbloqueá-la."
    )


def authenticate(cpf: str, password: str, *, ip: str | None = None) -> LoginResult:
    """Check a login. Raises :class:`AuthError` (one sentence, the same for every refusal) or
    returns the session.

    The attempt is claimed before the password is checked, in the same transaction: one
    ``UPDATE`` adds 1 to ``nr_tentativas_acesso`` only while the account is not blocked and
    below the maximum. On PostgreSQL the row stays locked by that ``UPDATE`` until the commit,
    so parallel attempts on one account queue and each sees the count of the one before; on
    SQLite the transaction holds the only write lock from its start (``IMMEDIATE``). Either way
    at most the maximum number of passwords is ever checked, whatever the concurrency. The
    audit chain's lock is taken after the password check, so a login never holds it while
    hashing."""
    login = require_cpf(cpf)
    if not can_write():
        return _authenticate_read_only(login, password)
    maximum = settings.security().max_login_attempts
    failure: str | None = None
    checked = False  # whether an account's password was checked
    with transaction(wait=LOGIN_WAIT_SECONDS):
        user = User.get_or_none(User.login == login)
        if user is None:
            audit.record(
                EventType.LOGIN_FAILED,
                component=COMPONENT,
                record_type=RecordType.USER,
                details=f"Login ou senha incorretos. CPF: {format_cpf(login)}",
            )
            failure = failure_message(maximum)
        elif not _claim_attempt(user.id, maximum):
            # Blocked, or the attempts are used up by attempts running right now: the password
            # is not even checked.
            _history(user, ip, False)
            _audit_own(EventType.LOGIN_FAILED, user.id, f"Conta bloqueada. CPF: {format_cpf(login)}")
            _block(user)
            failure = failure_message(maximum)
        else:
            checked = bool(user.password_hash)  # a first access compares the default, unhashed
            professional = Professional.get_or_none(Professional.user == user.id)
            if user.password_hash:
                accepted = verify_password(password, user.password_hash)
            else:
                accepted = password == default_password(professional, login)
            if accepted and _reset_attempts(user.id):
                user.failed_attempts = 0
                _history(user, ip, True)
                _audit_own(EventType.LOGIN_SUCCEEDED, user.id)
                reason = _change_reason(user)
                result = LoginResult(load_logged_user(user), bool(reason), reason)
            else:
                _count_failure(user, ip, maximum)
                failure = failure_message(maximum)
    if failure is not None:
        if not checked:  # after the transaction: no lock is held while it hashes
            _as_long_as_a_check(password)
        raise AuthError(failure)
    return result


def _authenticate_read_only(login: str, password: str) -> LoginResult:
    """With a database user that may only read (esus_leitura), the console can only show: the
    password is checked, but nothing can be written — no attempt counted, no access history, no
    audit event, no password change. The lockout is PEC's own (its login counts the attempts);
    whoever holds this database user can read the password hashes anyway."""
    user = User.get_or_none(User.login == login)
    professional = Professional.get_or_none(Professional.user == user.id) if user is not None else None
    if user is None or user.blocked:
        accepted = False
        _as_long_as_a_check(password)
    elif user.password_hash:
        accepted = verify_password(password, user.password_hash)
    else:
        accepted = password == default_password(professional, login)
    if not accepted:
        raise AuthError(failure_message(settings.security().max_login_attempts))
    if _change_reason(user):
        raise AuthError(
            "A sua senha precisa ser trocada, e o usuário do banco de dados só tem permissão de leitura: "
            "troque a senha no PEC ou abra o pec-tui com um usuário do banco que possa escrever."
        )
    logged = dataclasses.replace(load_logged_user(user), read_only=True)
    return LoginResult(logged, False, "")


_UNUSED_HASH: list[str] = []


def _as_long_as_a_check(password: str) -> None:
    """Take the time of a password check without checking any account's password: an unknown
    CPF or a blocked account answers as late as a wrong password, so the time tells nothing."""
    if not _UNUSED_HASH:
        _UNUSED_HASH.append(hash_password("conta-inexistente"))
    passwords.verify_password(password, _UNUSED_HASH[0])


def _claim_attempt(user_id: int, maximum: int) -> bool:
    """Count one attempt before the password is checked; False when the account is blocked or
    its attempts are used up (then nothing is counted and no password may be checked)."""
    attempts = fn.COALESCE(User.failed_attempts, 0)
    claimed = (
        User.update(failed_attempts=attempts + 1)
        .where((User.id == user_id) & (User.blocked == False) & (attempts < maximum))
        .execute()
    )
    return claimed == 1


def _reset_attempts(user_id: int) -> bool:
    """The password was right: the count starts over, unless the account was blocked meanwhile."""
    return User.update(failed_attempts=0).where((User.id == user_id) & (User.blocked == False)).execute() == 1


def _count_failure(user: User, ip: str | None, maximum: int) -> None:
    """A wrong password: the attempt was already counted; block the account at the maximum."""
    _history(user, ip, False)
    _audit_own(EventType.LOGIN_FAILED, user.id, f"Login ou senha incorretos. CPF: {format_cpf(user.login)}")
    attempts = User.select(User.failed_attempts).where(User.id == user.id).scalar() or 0
    if attempts >= maximum:
        _block(user)


def _block(user: User) -> None:
    """Block the account (once: a second attempt that finds it blocked writes nothing)."""
    if User.update(blocked=True).where((User.id == user.id) & (User.blocked == False)).execute() == 1:
        _audit_own(EventType.ACCOUNT_BLOCKED, user.id, f"Login bloqueado: {format_cpf(user.login)}")


def _change_reason(user: User) -> str:
    if not user.password_hash:
        if user.password_changed_at is not None:  # had a password: an administrator reset it
            return "A sua senha foi redefinida: defina uma nova senha."
        return "Primeiro acesso: defina a sua senha."
    if user.must_change:
        return "A sua senha foi redefinida: defina uma nova senha."
    months = settings.security().password_renewal_months
    changed = user.password_changed_at
    if isinstance(changed, dt.datetime):
        changed = changed.date()
    if changed is not None and add_months(changed, months) <= clock.now().date():
        return f"A sua senha tem mais de {months} {'mês' if months == 1 else 'meses'}: defina uma nova senha."
    return ""


def _history(user: User, ip: str | None, succeeded: bool) -> None:
    AccessHistory.create(user=user.id, at=clock.now(), ip=ip, succeeded=succeeded)


def change_password(user_id: int, current: str, new: str, confirmation: str | None = None) -> None:
    """The user changes their own password (also the forced change at login)."""
    if confirmation is not None and new != confirmation:
        raise ValidationError("A confirmação não é igual à nova senha.", "confirmacao")
    check_policy(new, field="nova_senha")
    with transaction():
        user = User.get_by_id(user_id)
        professional = Professional.get_or_none(Professional.user == user.id)
        if user.password_hash:
            current_ok = verify_password(current, user.password_hash)
        else:
            current_ok = current == default_password(professional, user.login)
        if not current_ok:
            raise ValidationError("A senha atual não confere.", "senha_atual")
        if new == current:
            raise ValidationError("A nova senha deve ser diferente da atual.", "nova_senha")
        user.password_hash = hash_password(new)
        user.must_change_password = user.change_password = False
        user.password_changed_at = clock.now().date()
        user.save(only=[User.password_hash, User.must_change_password, User.change_password, User.password_changed_at])
        _audit_own(EventType.PASSWORD_CHANGED, user.id)


def end_session(user_id: int, *, inactivity_minutes: int | None = None) -> None:
    """Audit the end of a session: logout, or lock by inactivity."""
    details = (
        f"Sessão encerrada por inatividade ({inactivity_minutes} min)." if inactivity_minutes else "Saída do sistema."
    )
    with transaction():
        _audit_own(EventType.SESSION_ENDED, user_id, details, component="pec-tui/sessao")


def unblock_user(admin_user_id: int, user_id: int) -> None:
    """Unblock an account and reset its password to PEC's default (3.5.2)."""
    with transaction():
        user = User.get_or_none(User.id == user_id)
        if user is None:
            raise PecError("Usuário não encontrado.")
        _unblock_and_reset(user, by_user_id=admin_user_id, component="pec-tui/profissionais")


def _unblock_and_reset(user: User, *, by_user_id: int | None, component: str) -> None:
    """The row PEC's "Desbloquear e redefinir senha" leaves (both must-change flags, no password:
    the first access's default), and its audit event; inside the caller's transaction."""
    user.blocked = False
    user.failed_attempts = 0
    user.password_hash = None
    user.must_change_password = user.change_password = True
    user.save(
        only=[
            User.blocked,
            User.failed_attempts,
            User.password_hash,
            User.must_change_password,
            User.change_password,
        ]
    )
    audit.record(
        EventType.ACCOUNT_UNBLOCKED,
        component=component,
        user_id=by_user_id,
        record_type=RecordType.USER,
        record_id=user.id,
        details=f"Desbloqueio e redefinição de senha: {format_cpf(user.login)}",
    )


def blocked_count() -> int:
    return User.select().where(User.blocked == True).count()


# ---------------------------------------------------------------- blocked accounts (3.5.2)

UNBLOCK_COMPONENT = "pec-tui/usuarios-bloqueados"


@dataclass(frozen=True)
class BlockedUser:
    """An account blocked by failed logins, as the administrator finds it."""

    user_id: int
    login: str
    name: str
    failed_attempts: int

    @property
    def cpf(self) -> str:
        return format_cpf(self.login)


def blocked_users() -> list[BlockedUser]:
    """Every blocked account, by name (the professional's, or the CPF when there is none)."""
    users = list(User.select(User.id, User.login, User.failed_attempts).where(User.blocked == True))
    names = {
        professional.user_id: professional.name
        for professional in Professional.select(Professional.user, Professional.name).where(
            Professional.user.in_([user.id for user in users])
        )
    }
    found = [
        BlockedUser(user.id, user.login, names.get(user.id) or format_cpf(user.login), user.failed_attempts or 0)
        for user in users
    ]
    return sorted(found, key=lambda user: (user.name.casefold(), user.login))


@dataclass(frozen=True)
class Unblocked:
    """An account just unblocked: whose, and how its next login goes (never the password itself)."""

    name: str
    cpf: str
    first_password: str  # "o CNS seguido de esus" / "o CPF seguido de esus"


def unblock(cpf: str, *, by_user_id: int | None, component: str = UNBLOCK_COMPONENT) -> Unblocked:
    """ "Desbloquear e redefinir senha" (manual 3.5.2): the account logs in again, its attempts
    start over and its password goes back to PEC's first password (the CNS followed by ``esus``,
    or the CPF followed by ``esus`` without a CNS), to be changed at the first access. Audited
    ("Desbloqueio de conta do usuário") in the same transaction. ``by_user_id`` is the
    administrator (``None`` on the host's command line)."""
    login = require_cpf(cpf, field="cpf")
    with transaction():
        user = User.get_or_none(User.login == login)
        if user is None:
            raise ValidationError(f"Nenhum usuário com o CPF {format_cpf(login)}.", "cpf")
        if not user.blocked:
            raise PecError(f"A conta do CPF {format_cpf(login)} não está bloqueada; nada foi alterado.")
        professional = Professional.get_or_none(Professional.user == user.id)
        name = professional.name if professional is not None else format_cpf(login)
        first = "o CNS seguido de esus" if professional is not None and professional.cns else "o CPF seguido de esus"
        _unblock_and_reset(user, by_user_id=by_user_id, component=component)
    return Unblocked(name, format_cpf(login), first)
