"""Installation settings: PEC's keys in PEC's ``tb_config_sistema``, the console's own
(``PECTUI_*``) in ``pectui.configuracao``."""

from __future__ import annotations

from dataclasses import dataclass

from pec_tui.storage.models import ConsoleSetting, SystemConfig

OWN_PREFIX = "PECTUI_"

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

# Conexão (3.1.1). Keys of ours: the internet probe and the Agenda Online synchronisation.
INTERNET_PROBE_URL = "PECTUI_URL_TESTE_INTERNET"
DEFAULT_INTERNET_PROBE_URL = "https://www.google.com/generate_204"
AGENDA_ONLINE_ENABLED = "PECTUI_AGENDA_ONLINE_HABILITADA"
AGENDA_ONLINE_COUNTER_KEY = "PECTUI_AGENDA_ONLINE_CONTRACHAVE"

# Servidores (3.1.3): the SMTP server for "Esqueci minha senha". The password is stored
# encrypted (pec_tui.domain.secret_store), never in clear.
SMTP_HOST = "PECTUI_SMTP_SERVIDOR"
SMTP_PORT = "PECTUI_SMTP_PORTA"
SMTP_LOGIN = "PECTUI_SMTP_LOGIN"
SMTP_SENDER = "PECTUI_SMTP_REMETENTE"  # empty: the login is the sender
SMTP_PASSWORD_ENCRYPTED = "PECTUI_SMTP_SENHA_CIFRADA"
SMTP_ENABLED = "PECTUI_SMTP_HABILITADO"

# Configurações avançadas (3.1.5).
SIMULTANEOUS_REQUESTS = "PECTUI_REQUISICOES_SIMULTANEAS"
DEFAULT_SIMULTANEOUS_REQUESTS = 10
MAX_SIMULTANEOUS_REQUESTS = 100

PASSWORD_RENEWAL_CHOICES = (1, 2, 3, 4, 5, 6)
INACTIVITY_CHOICES = (30, 60, 120, 180, 240)
MAX_ATTEMPTS_CHOICES = tuple(range(1, 11))


#: PEC's own keys pec-tui may write, with the description PEC's row carries
#: (``ds_config_sistema`` is NOT NULL). On a PEC installation the rows exist and only their
#: values change; on pec-tui's own database they are created with these descriptions.
PEC_KEYS: dict[str, str] = {
    INSTALLATION_NAME: "Nome da instalação",
    INSTALLATION_LINK: "Link da instalação",
    INSTALLATION_TYPE: "Tipo da instalação",
    DATABASE_VERSION: "Versão do banco de dados",
    TRAINING: "Instalação de treinamento",
    CADSUS_ENABLED: "Integração com o CADSUS habilitada",
    HORUS_ENABLED: "Integração com o Hórus habilitada",
}


def _model(key: str):
    """Where ``key`` lives: pec-tui's own settings (``PECTUI_*``) or PEC's ``tb_config_sistema``."""
    return ConsoleSetting if key.startswith(OWN_PREFIX) else SystemConfig


def _row(key: str):
    model = _model(key)
    return model.get_or_none(model.key == key)


def get_text(key: str, default: str | None = None) -> str | None:
    row = _row(key)
    return row.text if row is not None and row.text is not None else default


def get_int(key: str, default: int | None = None) -> int | None:
    row = _row(key)
    return row.integer if row is not None and row.integer is not None else default


def get_flag(key: str) -> bool:
    row = _row(key)
    if row is None:
        return False
    if row.integer is not None:
        return row.integer != 0
    return (row.text or "").strip().lower() in {"1", "true", "s", "sim", "t"}


def put(key: str, *, text: str | None = None, integer: int | None = None) -> None:
    """Upsert one key; call inside the transaction of the change.

    A PEC key gets PEC's description when its row is created; one pec-tui does not know is
    refused (it would be a row PEC never writes)."""
    model = _model(key)
    values = {"key": key, "text": text, "integer": integer}
    if model is SystemConfig:
        if key not in PEC_KEYS:
            raise ValueError(f"chave do PEC desconhecida: {key}")
        if SystemConfig.update(text=text, integer=integer).where(SystemConfig.key == key).execute():
            return
        values.update(description=PEC_KEYS[key], available=True)
    model.insert(**values).on_conflict(
        conflict_target=[model.key], update={model.text: text, model.integer: integer}
    ).execute()


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


def has(key: str) -> bool:
    """Whether the key exists at all (a flag never written keeps its default)."""
    model = _model(key)
    return model.select().where(model.key == key).exists()


def get_flag_or(key: str, default: bool) -> bool:
    """The flag, or ``default`` when the key was never written."""
    return get_flag(key) if has(key) else default


def put_flag(key: str, value: bool) -> None:
    """A yes/no key, written the way PEC writes its own (``true``/``false``)."""
    put(key, text="true" if value else "false")


def internet_probe_url() -> str:
    return get_text(INTERNET_PROBE_URL) or DEFAULT_INTERNET_PROBE_URL


def simultaneous_requests() -> int:
    return get_int(SIMULTANEOUS_REQUESTS, DEFAULT_SIMULTANEOUS_REQUESTS) or DEFAULT_SIMULTANEOUS_REQUESTS
