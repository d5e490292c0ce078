"""Conexão (3.1.1): internet on/off, CADSUS and Hórus timers, Agenda Online, the internet test.

Timers run on the fixed clock of ``conftest`` (``clock.advance``). The internet test only ever
reaches loopback: a pytest-httpserver, a closed port and a server that never answers."""

from __future__ import annotations

import datetime as dt
import socket
import threading

import pytest

from pec_tui.core.errors import PecError, ValidationError
from pec_tui.domain import settings
from pec_tui.domain.configuracoes import conexao
from pec_tui.domain.configuracoes.conexao import CADSUS, HORUS, INTERNET
from pec_tui.storage.database import transaction
from pec_tui.storage.models import AuditEvent, ServiceToggle, User
from tests.support.constants import FIXED_NOW


@pytest.fixture
def admin_id(installation) -> int:
    return User.get(User.login == installation.admin_login).id


def last_event() -> AuditEvent:
    return AuditEvent.select().order_by(AuditEvent.id.desc()).first()


def flag(key: str) -> str | None:
    return settings.get_text(key)


# --------------------------------------------------------------------------------------------
# Durations
# --------------------------------------------------------------------------------------------

CADSUS_OPTIONS = [
    ("30min", "30 minutos", dt.timedelta(minutes=30)),
    ("1h", "1 hora", dt.timedelta(hours=1)),
    ("2h", "2 horas", dt.timedelta(hours=2)),
    ("4h", "4 horas", dt.timedelta(hours=4)),
    ("8h", "8 horas", dt.timedelta(hours=8)),
    ("1sem", "1 semana", dt.timedelta(days=7)),
    ("1mes", "1 mês", dt.timedelta(days=30)),  # 20/11 → 20/12
]


def test_the_options_are_the_manuals():
    assert [d.label for d in conexao.DURATIONS[CADSUS]] == [
        "30 minutos",
        "1 hora",
        "2 horas",
        "4 horas",
        "8 horas",
        "1 semana",
        "1 mês",
    ]
    assert [d.label for d in conexao.DURATIONS[HORUS]] == [
        "30 minutos",
        "1 hora",
        "2 horas",
        "4 horas",
        "8 horas",
        "Tempo indeterminado",
    ]


def test_one_month_is_a_calendar_month():
    option = conexao.duration(CADSUS, "1mes")
    assert option.end(dt.datetime(2026, 1, 31, 10, 0)) == dt.datetime(2026, 2, 28, 10, 0)


@pytest.mark.parametrize(("key", "label", "delta"), CADSUS_OPTIONS, ids=[o[0] for o in CADSUS_OPTIONS])
def test_cadsus_disabled_during_each_option_ends_by_itself(db, admin_id, clock, key, label, delta):
    status = conexao.disable_service(CADSUS, key, admin_id)

    until = FIXED_NOW + delta
    assert status.cadsus.disabled_until == until
    assert not conexao.service_enabled(CADSUS)
    assert flag(settings.CADSUS_ENABLED) == "false"  # PEC's own flag
    event = last_event()
    assert (event.user_id, event.record_id) == (admin_id, settings.CADSUS_ENABLED)
    assert event.details == f"CADSUS desabilitado durante {label}, até {until:%d/%m/%Y %H:%M}."

    clock.advance(seconds=delta.total_seconds() - 1)
    assert not conexao.service_enabled(CADSUS)
    assert conexao.service_state(CADSUS).remaining(clock()) == dt.timedelta(seconds=1)
    clock.advance(seconds=1)
    # Nobody touched anything: the stored end moment alone makes it enabled again.
    assert conexao.service_enabled(CADSUS)
    state = conexao.service_state(CADSUS)
    assert state.ended_by_itself(clock()) and state.remaining(clock()) is None


@pytest.mark.parametrize("key", ["30min", "1h", "2h", "4h", "8h"])
def test_horus_timers_end_by_themselves(db, admin_id, clock, key):
    conexao.enable_service(HORUS, admin_id)
    option = conexao.duration(HORUS, key)
    conexao.disable_service(HORUS, key, admin_id)
    assert not conexao.service_enabled(HORUS)
    clock.advance(minutes=option.minutes)
    assert conexao.service_enabled(HORUS)


def test_horus_indefinitely_disabled_stays_disabled(db, admin_id, clock):
    conexao.enable_service(HORUS, admin_id)
    status = conexao.disable_service(HORUS, "indeterminado", admin_id)
    assert status.horus.indefinite
    assert last_event().details == "Hórus desabilitado por tempo indeterminado."
    clock.advance(days=400)
    assert not conexao.service_enabled(HORUS)
    assert conexao.describe(conexao.service_state(HORUS), clock()) == "Desabilitado por tempo indeterminado"


def test_the_one_week_option_is_cadsus_only(db, admin_id):
    with pytest.raises(ValidationError) as refused:
        conexao.disable_service(HORUS, "1sem", admin_id)
    assert refused.value.field == "duracao"
    with pytest.raises(ValidationError):
        conexao.disable_service(CADSUS, "indeterminado", admin_id)


def test_habilitar_ends_the_timer_early(db, admin_id, clock):
    conexao.disable_service(CADSUS, "8h", admin_id)
    clock.advance(hours=1)
    status = conexao.enable_service(CADSUS, admin_id)
    assert status.cadsus.enabled_at(clock()) and not status.cadsus.timer
    assert ServiceToggle.select().count() == 0
    assert flag(settings.CADSUS_ENABLED) == "true"
    assert last_event().details == ("CADSUS habilitado antes do fim da desabilitação prevista para 20/11/2026 17:00.")


def test_describe_shows_the_end_and_a_countdown(db, admin_id, clock):
    conexao.disable_service(CADSUS, "2h", admin_id)
    state = conexao.service_state(CADSUS)
    assert conexao.describe(state, clock()) == "Desabilitado até 20/11/2026 11:00 · faltam 02:00:00"
    clock.advance(minutes=61, seconds=30)
    assert conexao.describe(state, clock()) == "Desabilitado até 20/11/2026 11:00 · faltam 00:58:30"
    clock.advance(hours=1)
    assert conexao.describe(state, clock()) == "Habilitado (a desabilitação terminou em 20/11/2026 11:00)"


def test_countdown_beyond_a_day():
    assert conexao.format_remaining(dt.timedelta(days=6, hours=23, seconds=59)) == "6 d 23:00:59"
    assert conexao.format_remaining(dt.timedelta(seconds=0.2)) == "00:00:01"


def test_disabling_a_disabled_service_is_refused(db, admin_id):
    conexao.disable_service(CADSUS, "1h", admin_id)
    with pytest.raises(PecError, match="já está desabilitado"):
        conexao.disable_service(CADSUS, "2h", admin_id)


def test_enabling_an_enabled_service_is_refused(db, admin_id):
    with pytest.raises(PecError, match="já está habilitado"):
        conexao.enable_service(CADSUS, admin_id)


def test_horus_is_off_until_enabled_and_cadsus_on(db, installation):
    status = conexao.status()
    now = status.read_at
    assert status.cadsus.enabled_at(now) and not status.horus.enabled_at(now)


def test_expired_timers_are_recorded_for_the_job(db, admin_id, clock):
    conexao.enable_service(HORUS, admin_id)
    conexao.disable_service(CADSUS, "30min", admin_id)
    conexao.disable_service(HORUS, "2h", admin_id)
    clock.advance(minutes=30)
    assert conexao.end_expired_timers() == [CADSUS]
    assert flag(settings.CADSUS_ENABLED) == "true"
    assert last_event().details == "CADSUS habilitado automaticamente: a desabilitação terminou em 20/11/2026 09:30."
    assert [row.service for row in ServiceToggle.select()] == [HORUS]


# --------------------------------------------------------------------------------------------
# The internet connection
# --------------------------------------------------------------------------------------------


def test_internet_off_and_on(db, admin_id):
    assert conexao.internet_enabled()
    status = conexao.disable_internet(admin_id)
    assert not status.internet_enabled()
    assert not conexao.internet_enabled()
    assert ServiceToggle.get(ServiceToggle.service == INTERNET).disabled_until is None
    assert "Conexão com a internet desabilitada" in last_event().details
    status = conexao.enable_internet(admin_id)
    assert status.internet_enabled()
    assert last_event().details == "Conexão com a internet habilitada."


def test_without_internet_every_internet_service_is_off(db, admin_id):
    conexao.enable_service(HORUS, admin_id)
    conexao.disable_internet(admin_id)
    assert not conexao.service_enabled(CADSUS)
    assert not conexao.service_enabled(HORUS)
    with pytest.raises(PecError) as refused:
        conexao.require_internet("enviar lotes")
    assert "Não é possível enviar lotes: a conexão com a internet está desabilitada" in refused.value.message


def test_horus_cannot_be_enabled_without_internet(db, admin_id):
    conexao.disable_internet(admin_id)
    before = AuditEvent.select().count()
    with pytest.raises(PecError) as refused:
        conexao.enable_service(HORUS, admin_id)
    assert refused.value.message.startswith(
        "Não é possível habilitar o Hórus: a conexão com a internet está desabilitada"
    )
    assert AuditEvent.select().count() == before
    assert not conexao.service_state(HORUS).flag_enabled
    conexao.enable_internet(admin_id)
    conexao.enable_service(HORUS, admin_id)
    assert conexao.service_enabled(HORUS)


def test_disabling_twice_is_refused(db, admin_id):
    conexao.disable_internet(admin_id)
    with pytest.raises(PecError, match="já está desabilitada"):
        conexao.disable_internet(admin_id)


def test_only_the_installation_admin_changes_the_connection(db, installation):
    with transaction():
        other = User.create(login="11144477735")
    with pytest.raises(PecError, match="Só o administrador da instalação"):
        conexao.disable_internet(other.id)
    assert conexao.internet_enabled()


# --------------------------------------------------------------------------------------------
# Agenda Online
# --------------------------------------------------------------------------------------------

COUNTER_KEY = "QWxhZGRpbjpvcGVuIHNlc2FtZQ-eGestorAB_2026+x/y=="


def test_agenda_online_needs_a_counter_key(db, admin_id):
    for wrong, message in [
        ("", "Informe a contrachave"),
        ("abc", "tem 3 caracteres"),
        ("chave com ç acentuada e mais texto", "caracteres que o e-Gestor AB não gera"),
    ]:
        with pytest.raises(ValidationError, match=message) as refused:
            conexao.enable_agenda_online(wrong, admin_id)
        assert refused.value.field == "contrachave"
    assert not conexao.agenda_online_state().enabled


def test_agenda_online_stores_the_key_and_audits_only_its_end(db, admin_id):
    pasted = COUNTER_KEY[:20] + "\n  " + COUNTER_KEY[20:]  # a copy from a web page breaks lines
    status = conexao.enable_agenda_online(pasted, admin_id)
    assert status.agenda_online.enabled
    assert status.agenda_online.counter_key_hint == "…/y=="
    assert settings.get_text(settings.AGENDA_ONLINE_COUNTER_KEY) == COUNTER_KEY
    details = last_event().details
    assert COUNTER_KEY not in details and COUNTER_KEY[:10] not in details and "…/y==" in details
    status = conexao.disable_agenda_online(admin_id)
    assert not status.agenda_online.enabled
    assert last_event().details == "Agenda Online desabilitada."


def test_agenda_online_needs_the_internet(db, admin_id):
    conexao.disable_internet(admin_id)
    with pytest.raises(PecError, match="Não é possível habilitar a Agenda Online"):
        conexao.enable_agenda_online(COUNTER_KEY, admin_id)


# --------------------------------------------------------------------------------------------
# Testar conexão com a internet (loopback only)
# --------------------------------------------------------------------------------------------


def use_probe(url: str) -> None:
    with transaction():
        settings.put(settings.INTERNET_PROBE_URL, text=url)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_internet_test_succeeds_against_a_loopback_server(db, installation, httpserver):
    httpserver.expect_request("/generate_204", method="GET").respond_with_data("", status=204)
    use_probe(httpserver.url_for("/generate_204"))
    result = conexao.test_internet(timeout=5)
    assert (result.ok, result.message) == (True, "Conexão bem sucedida")
    httpserver.check_assertions()


def test_internet_test_reports_the_http_status(db, installation, httpserver):
    httpserver.expect_request("/").respond_with_data("fora do ar", status=503)
    use_probe(httpserver.url_for("/"))
    result = conexao.test_internet(timeout=5)
    assert not result.ok
    assert "respondeu com o código HTTP 503" in result.message


def test_internet_test_reports_a_refused_connection(db, installation):
    port = free_port()
    use_probe(f"http://127.0.0.1:{port}/")
    result = conexao.test_internet(timeout=5)
    assert not result.ok
    assert result.message == f"Conexão recusada por 127.0.0.1:{port}: nada atende nesse endereço e porta."


def test_internet_test_reports_a_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)  # accepts connections (the kernel does) and never answers
    port = listener.getsockname()[1]
    try:
        result = conexao.probe(f"http://127.0.0.1:{port}/", timeout=0.3)
    finally:
        listener.close()
    assert not result.ok
    assert result.message == f"127.0.0.1:{port} não respondeu em 0.3 s (tempo esgotado)."


def test_internet_test_reports_a_dns_failure():
    # The resolver itself is not asked: the failure urllib wraps is what we translate.
    message = conexao._reason(socket.gaierror(-2, "Name or service not known"), "nao-existe.invalid", 5)
    assert message == "Não foi possível encontrar o endereço nao-existe.invalid (falha de DNS)."


def test_internet_test_says_why_when_the_internet_is_disabled(db, admin_id, httpserver):
    use_probe(httpserver.url_for("/"))
    conexao.disable_internet(admin_id)
    result = conexao.test_internet(timeout=5)
    assert not result.ok and "desabilitada nesta instalação" in result.message
    assert httpserver.log == []  # nothing was sent


def test_probe_url_is_checked():
    assert conexao.check_probe_url(" https://example.org/x ") == "https://example.org/x"
    for wrong in ["", "ftp://x.org", "www.google.com", "http://", "http://a b.org"]:
        with pytest.raises(ValidationError):
            conexao.check_probe_url(wrong)


def test_the_probe_runs_off_the_database(db, installation, httpserver):
    """The GET happens after the settings were read: no transaction is held during it."""
    seen = threading.Event()

    def handler(request):
        from werkzeug import Response

        seen.set()
        return Response("ok")

    httpserver.expect_request("/").respond_with_handler(handler)
    use_probe(httpserver.url_for("/"))
    assert conexao.test_internet(timeout=5).ok and seen.is_set()


# --------------------------------------------------------------------------------------------
# Enabling Hórus and the Agenda Online tests the connection first (3.1.1.2, 3.1.1.3)
# --------------------------------------------------------------------------------------------

OFFLINE_COUNTER_KEY = "AbCdEf0123456789-eGestor"


def test_horus_is_not_enabled_when_the_internet_test_fails(db, admin_id):
    use_probe(f"http://127.0.0.1:{free_port()}/")
    before = AuditEvent.select().count()
    with pytest.raises(
        PecError, match=r"Não é possível habilitar o Hórus: o teste de conexão .* falhou — conexão recusada"
    ):
        conexao.enable_horus_connected(admin_id)
    assert not conexao.service_enabled(HORUS)
    assert AuditEvent.select().count() == before


def test_horus_is_enabled_after_the_internet_test_succeeds(db, admin_id, httpserver):
    httpserver.expect_request("/").respond_with_data("", status=204)
    use_probe(httpserver.url_for("/"))
    conexao.enable_horus_connected(admin_id)
    assert conexao.service_enabled(HORUS)
    httpserver.check_assertions()


def test_agenda_online_is_not_enabled_offline_with_any_counter_key(db, admin_id):
    use_probe(f"http://127.0.0.1:{free_port()}/")
    with pytest.raises(PecError, match="Não é possível habilitar a Agenda Online: o teste de conexão"):
        conexao.enable_agenda_online_connected(OFFLINE_COUNTER_KEY, admin_id)
    assert not settings.get_flag(settings.AGENDA_ONLINE_ENABLED)
    assert settings.get_text(settings.AGENDA_ONLINE_COUNTER_KEY) is None


def test_agenda_online_bad_key_is_refused_before_any_network(db, admin_id):
    use_probe("http://192.0.2.1:9/")  # would hang if reached: TEST-NET-1
    with pytest.raises(ValidationError):
        conexao.enable_agenda_online_connected("curta", admin_id)


def test_agenda_online_is_enabled_after_the_internet_test_succeeds(db, admin_id, httpserver):
    httpserver.expect_request("/").respond_with_data("", status=204)
    use_probe(httpserver.url_for("/"))
    conexao.enable_agenda_online_connected(OFFLINE_COUNTER_KEY, admin_id)
    assert settings.get_flag(settings.AGENDA_ONLINE_ENABLED)
