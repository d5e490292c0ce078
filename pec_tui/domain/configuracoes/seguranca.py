"""Segurança (manual 3.1.2): password renewal, inactivity, failed logins, reset of every password.

The values written here are the ones the login reads (:func:`pec_tui.domain.settings.security`):
:mod:`pec_tui.domain.accounts` blocks an account at the maximum of consecutive failed logins and asks
for a new password once the renewal period has passed; the console locks the session after the
maximum inactivity. "Redefinir senha de todos os usuários" makes every user define a new password
at the next login (``st_forcar_troca_senha``).
"""

from __future__ import annotations

from pec_tui.core.errors import ValidationError
from pec_tui.domain import audit, settings
from pec_tui.domain.audit import EventType, RecordType
from pec_tui.domain.configuracoes import COMPONENT
from pec_tui.domain.installation import require_installation_admin
from pec_tui.domain.settings import SecuritySettings
from pec_tui.storage.database import transaction
from pec_tui.storage.models import User

RENEWAL_LABEL = "Período para redefinição de senha"
INACTIVITY_LABEL = "Período máximo de inatividade"
ATTEMPTS_LABEL = "Máximo de tentativas consecutivas de login com autenticação inválida"


def renewal_label(months: int) -> str:
    return "1 Mês" if months == 1 else f"{months} Meses"


def inactivity_label(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} minutos"
    hours = minutes // 60
    return "1 hora" if hours == 1 else f"{hours} horas"


def attempts_label(attempts: int) -> str:
    return "1 Tentativa" if attempts == 1 else f"{attempts} Tentativas"


RENEWAL_OPTIONS = tuple((renewal_label(m), m) for m in settings.PASSWORD_RENEWAL_CHOICES)
INACTIVITY_OPTIONS = tuple((inactivity_label(m), m) for m in settings.INACTIVITY_CHOICES)
ATTEMPTS_OPTIONS = tuple((attempts_label(n), n) for n in settings.MAX_ATTEMPTS_CHOICES)


def current() -> SecuritySettings:
    return settings.security()


def _check(value: object, choices: tuple[int, ...], label: str, field: str, describe) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in choices:
        options = ", ".join(describe(choice) for choice in choices)
        raise ValidationError(f"{label}: escolha uma das opções ({options}).", field)
    return value


def save(
    password_renewal_months: int, inactivity_minutes: int, max_login_attempts: int, *, by_user_id: int | None
) -> SecuritySettings:
    """ "Salvar" of the Segurança tab. Only what changed is written and audited."""
    months = _check(
        password_renewal_months, settings.PASSWORD_RENEWAL_CHOICES, RENEWAL_LABEL, "renovacao", renewal_label
    )
    minutes = _check(inactivity_minutes, settings.INACTIVITY_CHOICES, INACTIVITY_LABEL, "inatividade", inactivity_label)
    attempts = _check(max_login_attempts, settings.MAX_ATTEMPTS_CHOICES, ATTEMPTS_LABEL, "tentativas", attempts_label)
    require_installation_admin(by_user_id)
    with transaction():
        before = settings.security()
        changes = [
            (settings.PASSWORD_RENEWAL_MONTHS, RENEWAL_LABEL, before.password_renewal_months, months, renewal_label),
            (settings.INACTIVITY_MINUTES, INACTIVITY_LABEL, before.inactivity_minutes, minutes, inactivity_label),
            (settings.MAX_LOGIN_ATTEMPTS, ATTEMPTS_LABEL, before.max_login_attempts, attempts, attempts_label),
        ]
        for key, label, old, new, describe in changes:
            if old == new:
                continue
            settings.put(key, integer=new)
            audit.record_setting_change(
                by_user_id, key, f"{label}: {describe(old)} → {describe(new)}.", component=COMPONENT
            )
    return settings.security()


def reset_all_passwords(*, by_user_id: int | None) -> int:
    """Every user must define a new password at the next login; returns how many users."""
    require_installation_admin(by_user_id)
    with transaction():
        count = User.update(must_change_password=True, change_password=True).execute()
        audit.record(
            EventType.DATABASE_OPERATION,
            component=COMPONENT,
            user_id=by_user_id,
            record_type=RecordType.USER,
            details=(
                f"Redefinição de senha de todos os usuários: {count} "
                f"{'usuário deverá' if count == 1 else 'usuários deverão'} definir nova senha no próximo acesso."
            ),
        )
    return count
