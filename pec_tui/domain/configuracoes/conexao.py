"""Conexão (manual 3.1.1): the internet connection, CADSUS, Hórus and Agenda Online.

Rules:

* The internet connection can be disabled and enabled by the installation administrator. While
  it is disabled, everything that needs the internet is unavailable: :func:`internet_enabled`
  is the one rule other modules ask (:func:`require_internet` refuses with a message).
* CADSUS can be disabled during 30 minutos, 1 hora, 2 horas, 4 horas, 8 horas, 1 semana or
  1 mês; Hórus during 30 minutos to 8 horas or for "Tempo indeterminado". "Habilitar" ends the
  disabling early. Enabling Hórus (and CADSUS) requires the internet connection enabled.
* A timer ends by itself: the state is computed from the stored end moment with
  :func:`pec_tui.core.clock.now`, so nobody needs to have the console open. PEC's flags
  (``CADSUSHABILITADO``, ``HORUSHABILITADO``) are written when the administrator acts;
  :func:`end_expired_timers` writes them back when a timer has ended (for the scheduled job).
* Agenda Online is enabled only with the contra-chave generated at e-Gestor AB for
  "Agendamento"; it is stored, and the audit trail shows only its last characters.
* "Testar conexão com a internet" is an HTTP GET to a configurable probe URL with a timeout:
  "Conexão bem sucedida", or why it failed (refused, timeout, DNS, HTTP status, TLS).

Every change runs in one transaction with its audit event.
"""

from __future__ import annotations

import datetime as dt
import http.client
import re
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pec_tui.core import clock
from pec_tui.core.errors import PecError, ValidationError, os_reason
from pec_tui.core.formatting import format_moment
from pec_tui.domain import audit, settings
from pec_tui.domain.accounts import add_months
from pec_tui.domain.installation import require_installation_admin
from pec_tui.storage.database import transaction
from pec_tui.storage.models import ServiceToggle

COMPONENT = "pec-tui/configuracoes"

INTERNET = "INTERNET"
CADSUS = "CADSUS"
HORUS = "HORUS"

SERVICE_LABELS = {INTERNET: "Conexão com a internet", CADSUS: "CADSUS", HORUS: "Hórus"}
SERVICE_FLAGS = {CADSUS: settings.CADSUS_ENABLED, HORUS: settings.HORUS_ENABLED}
#: A flag PEC never wrote: CADSUS is used by default; Hórus is an integration one activates.
SERVICE_DEFAULTS = {CADSUS: True, HORUS: False}

DEFAULT_TIMEOUT_SECONDS = 10.0
SUCCESS_MESSAGE = "Conexão bem sucedida"
INTERNET_DISABLED_MESSAGE = "A conexão com a internet está desabilitada nesta instalação; habilite-a na aba Conexão."


@dataclass(frozen=True)
class Duration:
    """An option of "Desabilitar durante"; ``minutes``/``months`` None both: indefinite."""

    key: str
    label: str
    minutes: int | None = None
    months: int | None = None

    @property
    def indefinite(self) -> bool:
        return self.minutes is None and self.months is None

    def end(self, start: dt.datetime) -> dt.datetime | None:
        if self.months is not None:
            return add_months(start, self.months)
        if self.minutes is not None:
            return start + dt.timedelta(minutes=self.minutes)
        return None


_HOURS = (
    Duration("30min", "30 minutos", minutes=30),
    Duration("1h", "1 hora", minutes=60),
    Duration("2h", "2 horas", minutes=120),
    Duration("4h", "4 horas", minutes=240),
    Duration("8h", "8 horas", minutes=480),
)
DURATIONS: dict[str, tuple[Duration, ...]] = {
    CADSUS: (*_HOURS, Duration("1sem", "1 semana", minutes=7 * 24 * 60), Duration("1mes", "1 mês", months=1)),
    HORUS: (*_HOURS, Duration("indeterminado", "Tempo indeterminado")),
}


def duration(service: str, key: str) -> Duration:
    for option in DURATIONS.get(service, ()):
        if option.key == key:
            return option
    choices = ", ".join(option.label for option in DURATIONS.get(service, ()))
    raise ValidationError(f"Escolha por quanto tempo desabilitar: {choices}.", "duracao")


# --------------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceState:
    """What is stored about a service; whether it is enabled depends on the moment asked."""

    service: str
    flag_enabled: bool  # the state when no timer is stored (PEC's flag; the internet: True)
    disabled_at: dt.datetime | None = None
    disabled_until: dt.datetime | None = None  # None with a timer: indefinite
    timer: bool = False  # a row in pectui_desabilitacao_servico

    @property
    def label(self) -> str:
        return SERVICE_LABELS[self.service]

    @property
    def indefinite(self) -> bool:
        return self.timer and self.disabled_until is None

    def enabled_at(self, now: dt.datetime) -> bool:
        if self.timer:
            return self.disabled_until is not None and self.disabled_until <= now
        return self.flag_enabled

    def remaining(self, now: dt.datetime) -> dt.timedelta | None:
        """Time left until the timer ends by itself; None without a running timer."""
        if not self.timer or self.disabled_until is None or self.disabled_until <= now:
            return None
        return self.disabled_until - now

    def ended_by_itself(self, now: dt.datetime) -> bool:
        """A timer that has ended and not yet been recorded (the job will write the flag back)."""
        return self.timer and self.disabled_until is not None and self.disabled_until <= now


@dataclass(frozen=True)
class AgendaOnlineState:
    enabled: bool
    counter_key_hint: str  # "…a1b2" or "" (never the whole contra-chave)


@dataclass(frozen=True)
class ConnectionStatus:
    """Everything the Conexão tab shows, read at one moment (``read_at``)."""

    internet: ServiceState
    cadsus: ServiceState
    horus: ServiceState
    agenda_online: AgendaOnlineState
    probe_url: str
    read_at: dt.datetime

    def internet_enabled(self, now: dt.datetime | None = None) -> bool:
        return self.internet.enabled_at(now or self.read_at)


def _state(service: str) -> ServiceState:
    # The internet has no flag of PEC's: only our timer table says it is off.
    flag = service == INTERNET or settings.get_flag_or(SERVICE_FLAGS[service], SERVICE_DEFAULTS[service])
    row = ServiceToggle.get_or_none(ServiceToggle.service == service)
    if row is None:
        return ServiceState(service, flag)
    return ServiceState(service, flag, row.disabled_at, row.disabled_until, timer=True)


def service_state(service: str) -> ServiceState:
    if service not in SERVICE_LABELS:
        raise PecError(f"Serviço desconhecido: {service}.")
    return _state(service)


def internet_enabled(now: dt.datetime | None = None) -> bool:
    """The rule every module that needs the internet asks first."""
    return _state(INTERNET).enabled_at(now or clock.now())


def require_internet(action: str = "") -> None:
    """Refuse ``action`` (a Portuguese phrase, e.g. "habilitar o Hórus") while the internet is off."""
    if not internet_enabled():
        if action:
            raise PecError(
                f"Não é possível {action}: a conexão com a internet está desabilitada nesta instalação; "
                "habilite-a na aba Conexão."
            )
        raise PecError(INTERNET_DISABLED_MESSAGE)


def service_enabled(service: str, now: dt.datetime | None = None) -> bool:
    """CADSUS or Hórus usable now: its own state and the internet connection."""
    moment = now or clock.now()
    return _state(service).enabled_at(moment) and internet_enabled(moment)


def counter_key_hint(counter_key: str | None) -> str:
    return f"…{counter_key[-4:]}" if counter_key else ""


def agenda_online_state() -> AgendaOnlineState:
    return AgendaOnlineState(
        settings.get_flag(settings.AGENDA_ONLINE_ENABLED),
        counter_key_hint(settings.get_text(settings.AGENDA_ONLINE_COUNTER_KEY)),
    )


def status() -> ConnectionStatus:
    return ConnectionStatus(
        _state(INTERNET),
        _state(CADSUS),
        _state(HORUS),
        agenda_online_state(),
        settings.internet_probe_url(),
        clock.now(),
    )


# --------------------------------------------------------------------------------------------
# Formatting (shared by the screen and the audit trail)
# --------------------------------------------------------------------------------------------


def format_remaining(delta: dt.timedelta) -> str:
    """``01:59:59``, or ``6 d 23:59:59`` beyond a day (rounded up to the second)."""
    seconds = max(0, int(-(-delta.total_seconds() // 1)))
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    clock_part = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{days} d {clock_part}" if days else clock_part


def describe(state: ServiceState, now: dt.datetime) -> str:
    """One line: "Habilitado", "Desabilitado até 20/11/2026 11:00 · faltam 01:59:59", …"""
    female = state.service == INTERNET
    enabled_word = "Habilitada" if female else "Habilitado"
    disabled_word = "Desabilitada" if female else "Desabilitado"
    if state.enabled_at(now):
        if state.ended_by_itself(now):
            return f"{enabled_word} (a desabilitação terminou em {format_moment(state.disabled_until)})"
        return enabled_word
    if state.timer and state.disabled_until is not None:
        left = state.remaining(now) or dt.timedelta(0)
        return f"{disabled_word} até {format_moment(state.disabled_until)} · faltam {format_remaining(left)}"
    if state.timer and state.service != INTERNET:  # the internet is only ever off until enabled
        return f"{disabled_word} por tempo indeterminado"
    return disabled_word


# --------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------


def _record(by_user_id: int | None, key: str, details: str) -> None:
    audit.record_setting_change(by_user_id, key, details, component=COMPONENT)


def disable_internet(by_user_id: int | None) -> ConnectionStatus:
    require_installation_admin(by_user_id)
    with transaction():
        if not internet_enabled():
            raise PecError("A conexão com a internet já está desabilitada.")
        now = clock.now()
        ServiceToggle.delete().where(ServiceToggle.service == INTERNET).execute()
        ServiceToggle.create(service=INTERNET, disabled_at=now, disabled_until=None, disabled_by=by_user_id)
        _record(
            by_user_id,
            INTERNET,
            "Conexão com a internet desabilitada: CADSUS, Hórus, Agenda Online e o servidor SMTP "
            "ficam indisponíveis até ser habilitada.",
        )
    return status()


def enable_internet(by_user_id: int | None) -> ConnectionStatus:
    require_installation_admin(by_user_id)
    with transaction():
        if internet_enabled():
            raise PecError("A conexão com a internet já está habilitada.")
        ServiceToggle.delete().where(ServiceToggle.service == INTERNET).execute()
        _record(by_user_id, INTERNET, "Conexão com a internet habilitada.")
    return status()


def disable_service(service: str, duration_key: str, by_user_id: int | None) -> ConnectionStatus:
    """ "Desabilitar durante": CADSUS or Hórus disabled until now + the chosen duration."""
    if service not in SERVICE_FLAGS:
        raise PecError(f"Serviço desconhecido: {service}.")
    option = duration(service, duration_key)
    require_installation_admin(by_user_id)
    with transaction():
        now = clock.now()
        current = _state(service)
        if not current.enabled_at(now):
            raise PecError(f"O {current.label} já está desabilitado; habilite-o antes de escolher outro tempo.")
        until = option.end(now)
        ServiceToggle.delete().where(ServiceToggle.service == service).execute()
        ServiceToggle.create(service=service, disabled_at=now, disabled_until=until, disabled_by=by_user_id)
        settings.put_flag(SERVICE_FLAGS[service], False)
        when = "por tempo indeterminado" if until is None else f"durante {option.label}, até {format_moment(until)}"
        _record(by_user_id, SERVICE_FLAGS[service], f"{current.label} desabilitado {when}.")
    return status()


def enable_service(service: str, by_user_id: int | None) -> ConnectionStatus:
    """ "Habilitar": ends a disabling early (or enables a service that was off)."""
    if service not in SERVICE_FLAGS:
        raise PecError(f"Serviço desconhecido: {service}.")
    label = SERVICE_LABELS[service]
    require_installation_admin(by_user_id)
    require_internet(f"habilitar o {label}")
    with transaction():
        now = clock.now()
        current = _state(service)
        if current.enabled_at(now) and not current.ended_by_itself(now):
            raise PecError(f"O {label} já está habilitado.")
        ServiceToggle.delete().where(ServiceToggle.service == service).execute()
        settings.put_flag(SERVICE_FLAGS[service], True)
        if current.ended_by_itself(now):
            details = f"{label} habilitado (a desabilitação terminou em {format_moment(current.disabled_until)})."
        elif current.timer and current.disabled_until is not None:
            planned = format_moment(current.disabled_until)
            details = f"{label} habilitado antes do fim da desabilitação prevista para {planned}."
        else:
            details = f"{label} habilitado."
        _record(by_user_id, SERVICE_FLAGS[service], details)
    return status()


def end_expired_timers(by_user_id: int | None = None) -> list[str]:
    """Record the timers that ended by themselves: PEC's flag back on, the timer removed, one
    audit event each. For the scheduled job; the console's state never depends on it."""
    ended: list[str] = []
    with transaction():
        now = clock.now()
        rows = ServiceToggle.select().where(
            ServiceToggle.disabled_until.is_null(False) & (ServiceToggle.disabled_until <= now)
        )
        for row in list(rows):
            if row.service in SERVICE_FLAGS:
                settings.put_flag(SERVICE_FLAGS[row.service], True)
            ServiceToggle.delete().where(ServiceToggle.service == row.service).execute()
            label = SERVICE_LABELS.get(row.service, row.service)
            _record(
                by_user_id,
                SERVICE_FLAGS.get(row.service, row.service),
                f"{label} habilitado automaticamente: a desabilitação terminou em {format_moment(row.disabled_until)}.",
            )
            ended.append(row.service)
    return ended


# --------------------------------------------------------------------------------------------
# Agenda Online
# --------------------------------------------------------------------------------------------

COUNTER_KEY_MIN = 16
COUNTER_KEY_MAX = 4096
_COUNTER_KEY_RE = re.compile(r"^[A-Za-z0-9+/=_.\-]+$")


def normalize_counter_key(text: str | None) -> str:
    """The contra-chave as e-Gestor AB shows it, without the spaces and line breaks a copy adds."""
    value = re.sub(r"\s+", "", text or "")
    if not value:
        raise ValidationError('Informe a contrachave gerada no e-Gestor AB para "Agendamento".', "contrachave")
    if not _COUNTER_KEY_RE.match(value):
        raise ValidationError(
            "A contrachave tem caracteres que o e-Gestor AB não gera; copie-a de novo "
            "(letras, números e os sinais + / = - _ .).",
            "contrachave",
        )
    if not COUNTER_KEY_MIN <= len(value) <= COUNTER_KEY_MAX:
        raise ValidationError(
            f"A contrachave tem {len(value)} caracteres; a gerada pelo e-Gestor AB tem entre "
            f"{COUNTER_KEY_MIN} e {COUNTER_KEY_MAX}. Copie-a inteira.",
            "contrachave",
        )
    return value


def enable_agenda_online(counter_key: str, by_user_id: int | None) -> ConnectionStatus:
    value = normalize_counter_key(counter_key)
    require_installation_admin(by_user_id)
    require_internet("habilitar a Agenda Online")
    with transaction():
        settings.put(settings.AGENDA_ONLINE_COUNTER_KEY, text=value)
        settings.put_flag(settings.AGENDA_ONLINE_ENABLED, True)
        _record(
            by_user_id,
            settings.AGENDA_ONLINE_ENABLED,
            f"Agenda Online habilitada com a contrachave terminada em {counter_key_hint(value)} "
            f"({len(value)} caracteres).",
        )
    return status()


def disable_agenda_online(by_user_id: int | None) -> ConnectionStatus:
    require_installation_admin(by_user_id)
    with transaction():
        if not settings.get_flag(settings.AGENDA_ONLINE_ENABLED):
            raise PecError("A Agenda Online já está desabilitada.")
        settings.put_flag(settings.AGENDA_ONLINE_ENABLED, False)
        _record(by_user_id, settings.AGENDA_ONLINE_ENABLED, "Agenda Online desabilitada.")
    return status()


# --------------------------------------------------------------------------------------------
# Testar conexão com a internet
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestResult:
    ok: bool
    message: str
    url: str = ""

    __test__ = False  # not a pytest test class


def check_probe_url(url: str | None) -> str:
    value = (url or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise ValidationError(
            "Informe um endereço http:// ou https:// completo para o teste de conexão "
            "(por exemplo, https://www.google.com/generate_204).",
            "url_teste",
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValidationError(f"A porta do endereço {value} não é válida.", "url_teste") from None
    return value


def probe(url: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> TestResult:
    """One HTTP GET; success is any answer below 400 (after redirects). No database."""
    parts = urlsplit(url)
    host = parts.hostname or url
    where = f"{host}:{parts.port}" if parts.port else host
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": "pec-tui (teste de conexão)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(1024)
            code = response.status
    except urllib.error.HTTPError as exc:
        return TestResult(False, f"{where} respondeu com o código HTTP {exc.code} ({exc.reason}).", url)
    except urllib.error.URLError as exc:
        return TestResult(False, _reason(exc.reason, where, timeout), url)
    except TimeoutError:
        return TestResult(False, f"{where} não respondeu em {timeout:g} s (tempo esgotado).", url)
    except (http.client.HTTPException, ConnectionError, OSError) as exc:
        return TestResult(False, f"A conexão com {where} foi interrompida: {exc or type(exc).__name__}.", url)
    except ValueError:
        return TestResult(False, f"O endereço de teste {url} não é válido.", url)
    if code >= 400:  # pragma: no cover - urllib raises HTTPError for these
        return TestResult(False, f"{where} respondeu com o código HTTP {code}.", url)
    return TestResult(True, SUCCESS_MESSAGE, url)


def _reason(reason: object, where: str, timeout: float) -> str:
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"{where} não respondeu em {timeout:g} s (tempo esgotado)."
    if isinstance(reason, socket.gaierror):
        return f"Não foi possível encontrar o endereço {where.split(':')[0]} (falha de DNS)."
    if isinstance(reason, ConnectionRefusedError):
        return f"Conexão recusada por {where}: nada atende nesse endereço e porta."
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"O certificado TLS de {where} não foi aceito: {reason.verify_message or reason}."
    if isinstance(reason, ssl.SSLError):
        return f"Falha na negociação TLS com {where}: {reason.reason or reason}."
    if isinstance(reason, OSError):
        return f"Não foi possível conectar a {where}: {os_reason(reason)}."
    return f"Não foi possível conectar a {where}: {reason}."


def test_internet(timeout: float = DEFAULT_TIMEOUT_SECONDS) -> TestResult:
    """ "Testar conexão com a internet" with the configured probe URL (reads the database, then
    the network; call it from a worker, outside any transaction)."""
    url = settings.internet_probe_url()
    if not internet_enabled():
        return TestResult(False, INTERNET_DISABLED_MESSAGE, url)
    return probe(url, timeout)


test_internet.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


# --------------------------------------------------------------------------------------------
# Enabling what needs the internet: the connection is tested first
# --------------------------------------------------------------------------------------------


def require_working_connection(action: str, tester: Callable[[], TestResult] | None = None) -> None:
    """Refuse ``action`` ("habilitar o Hórus") unless "Testar conexão com a internet" succeeds now:
    the manual ties Hórus (3.1.1.2: "a instalação precisa estar conectada à internet") and the
    Agenda Online (3.1.1.3: sincronização com o servidor do DATASUS) to a working connection, and
    offers no way around it. Network only: call it from a worker, outside any transaction."""
    require_internet(action)
    result = (tester or test_internet)()
    if not result.ok:
        reason = result.message.rstrip(".")
        reason = reason[:1].lower() + reason[1:]
        raise PecError(
            f"Não é possível {action}: o teste de conexão com a internet falhou — {reason}. "
            "Verifique a conexão e tente de novo."
        )


def enable_horus_connected(by_user_id: int | None, tester: Callable[[], TestResult] | None = None) -> ConnectionStatus:
    """ "Habilitar" of Hórus: only after the internet test succeeds (then :func:`enable_service`)."""
    require_installation_admin(by_user_id)
    require_working_connection("habilitar o Hórus", tester)
    return enable_service(HORUS, by_user_id)


def enable_agenda_online_connected(
    counter_key: str, by_user_id: int | None, tester: Callable[[], TestResult] | None = None
) -> ConnectionStatus:
    """ "Habilitar" of the Agenda Online: the counter key checked, then the internet test, then
    :func:`enable_agenda_online`."""
    normalize_counter_key(counter_key)
    require_installation_admin(by_user_id)
    require_working_connection("habilitar a Agenda Online", tester)
    return enable_agenda_online(counter_key, by_user_id)
