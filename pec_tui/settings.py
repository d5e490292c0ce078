"""Installation settings kept in ``tb_config_sistema`` (PEC's keys and ours)."""

from __future__ import annotations

from dataclasses import dataclass

from pec_tui.storage.models import SystemConfig

# PEC's own keys.
INSTALLATION_NAME = "NOMEINSTALACAO"
INSTALLATION_LINK = "LINKINSTALACAO"
INSTALLATION_TYPE = "TIPOINSTALACAO"  # PRONTUARIO | CENTRALIZADORA
DATABASE_VERSION = "VERSAOBANCODADOS"
TRAINING = "TREINAMENTO"
CADSUS_ENABLED = "CADSUSHABILITADO"
HORUS_ENABLED = "HORUSHABILITADO"

# Security (3.1.2). Keys of ours; defaults are PEC's documented options.
PASSWORD_RENEWAL_MONTHS = "PECTUI_PERIODO_REDEFINICAO_SENHA_MESES"
INACTIVITY_MINUTES = "PECTUI_TEMPO_MAXIMO_INATIVIDADE_MIN"
MAX_LOGIN_ATTEMPTS = "PECTUI_MAXIMO_TENTATIVAS_LOGIN"
DEMO = "PECTUI_DEMO"

PASSWORD_RENEWAL_CHOICES = (1, 2, 3, 4, 5, 6)
INACTIVITY_CHOICES = (30, 60, 120, 180, 240)
MAX_ATTEMPTS_CHOICES = tuple(range(1, 11))


def get_text(key: str, default: str | None = None) -> str | None:
    row = SystemConfig.get_or_none(SystemConfig.key == key)
    return row.text if row is not None and row.text is not None else default


def get_int(key: str, default: int | None = None) -> int | None:
    row = SystemConfig.get_or_none(SystemConfig.key == key)
    return row.integer if row is not None and row.integer is not None else default


def get_flag(key: str) -> bool:
    row = SystemConfig.get_or_none(SystemConfig.key == key)
    if row is None:
        return False
    if row.integer is not None:
        return row.integer != 0
    return (row.text or "").strip().lower() in {"1", "true", "s", "sim", "t"}


def put(key: str, *, text: str | None = None, integer: int | None = None) -> None:
    """Upsert one key; call inside the transaction of the change."""
    (
        SystemConfig.insert(key=key, text=text, integer=integer)
        .on_conflict(
            conflict_target=[SystemConfig.key],
            update={SystemConfig.text: text, SystemConfig.integer: integer},
        )
        .execute()
    )


@dataclass(frozen=True)
class SecuritySettings:
    password_renewal_months: int = 6
    inactivity_minutes: int = 30
    max_login_attempts: int = 5


def security() -> SecuritySettings:
    defaults = SecuritySettings()
    return SecuritySettings(
        password_renewal_months=get_int(PASSWORD_RENEWAL_MONTHS, defaults.password_renewal_months),
        inactivity_minutes=get_int(INACTIVITY_MINUTES, defaults.inactivity_minutes),
        max_login_attempts=get_int(MAX_LOGIN_ATTEMPTS, defaults.max_login_attempts),
    )
