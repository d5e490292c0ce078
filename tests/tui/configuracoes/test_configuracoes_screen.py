"""Configurações da instalação by keyboard: every tab, as the installation administrator.

Network only on loopback: a pytest-httpserver for the internet test, aiosmtpd for SMTP."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Static, TabbedContent

from pec_tui.domain import accounts, settings
from pec_tui.domain.configuracoes import conexao
from pec_tui.domain.configuracoes.conexao import CADSUS, HORUS
from pec_tui.screens.configuracoes import ConfigurationScreen, ResponsibleDialog
from pec_tui.storage.database import transaction
from pec_tui.storage.models import AuditEvent, Professional, ServiceToggle, SystemConfig, User
from pec_tui.widgets.dialogs import ConfirmDialog
from tests.support.console import INSTALLATION_ADMIN, MUNICIPAL_ADMIN, settle
from tests.support.smtp import LOGIN, PASSWORD, free_port


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def config_screen(pilot) -> ConfigurationScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ConfigurationScreen)
    return screen


async def focus(pilot, screen, selector: str) -> None:
    """Tab from the tab bar until ``selector`` has the focus (keyboard only)."""
    for _ in range(30):
        if pilot.app.focused is screen.query_one(selector):
            return
        await pilot.press("tab")
    raise AssertionError(f"{selector} never got the focus with Tab")


async def choose(pilot, screen, selector: str, label: str) -> None:
    """Open a Select with Enter and go down to ``label``."""
    await focus(pilot, screen, selector)
    select = screen.query_one(selector, Select)
    labels = [str(prompt) for prompt, _ in select._options]
    current = labels.index(
        next(lbl for lbl, (_, value) in zip(labels, select._options, strict=True) if value == select.value)
    )
    await pilot.press("enter")
    await settle(pilot)
    steps = labels.index(label) - current
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await settle(pilot)
    assert labels[[v for _, v in select._options].index(select.value)] == label


async def confirm(pilot) -> None:
    assert isinstance(pilot.app.screen, ConfirmDialog)
    assert pilot.app.focused.id == "confirm-no"  # starts on «Cancelar»
    await pilot.press("left", "enter")
    await settle(pilot)


async def test_the_module_has_the_manuals_five_tabs(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        tabs = screen.query_one("#config-tabs", TabbedContent)
        labels = [str(tab.label) for tab in tabs.query("ContentTab")]
        assert labels == ["Conexão", "Segurança", "Servidores", "Municípios e responsáveis", "Configurações avançadas"]
        for key, pane in zip(
            "12345", ["tab-conexao", "tab-seguranca", "tab-servidores", "tab-municipios", "tab-avancadas"], strict=True
        ):
            await pilot.press(key)
            await settle(pilot)
            assert tabs.active == pane
        await pilot.press("1", "right")
        await settle(pilot)
        assert tabs.active == "tab-seguranca"
        await pilot.press("tab")  # into the tab: a field has the focus
        assert app.focused is screen.query_one("#security-renewal")
        await pilot.press("escape")  # Esc in a field: back to the tab bar, still in the module
        await settle(pilot)
        assert app.screen is screen and app.focused is screen.query_one("#config-tabs Tabs")
        await pilot.press("escape")  # Esc on the tab bar: back to the home
        await settle(pilot)
        assert screen is not app.screen


async def test_the_municipal_admin_cannot_open_it(console_on):
    async with console_on(as_=MUNICIPAL_ADMIN) as pilot:
        app = pilot.app
        app.open_module("configuracoes")
        await settle(pilot)
        assert not isinstance(app.screen, ConfigurationScreen)


# --------------------------------------------------------------------------------------------
# Conexão
# --------------------------------------------------------------------------------------------


async def test_cadsus_disabled_during_two_hours_counts_down_and_habilitar_ends_it(console_on, tui_clock):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        assert text(screen, "#cadsus-status") == "CADSUS  Habilitado"
        await choose(pilot, screen, "#cadsus-duration", "2 horas")
        await pilot.press("tab", "enter")  # Desabilitar
        await settle(pilot)
        assert text(screen, "#cadsus-status") == "CADSUS  Desabilitado até 20/11/2026 11:00 · faltam 02:00:00"
        assert ServiceToggle.get(ServiceToggle.service == CADSUS).disabled_until.hour == 11
        assert app.focused is screen.query_one("#cadsus-enable")  # the button shown now
        assert not screen.query_one("#cadsus-duration").display

        tui_clock.advance(minutes=30, seconds=15)
        screen._tick()  # the screen's 1-second timer, without waiting a second
        assert text(screen, "#cadsus-status").endswith("faltam 01:29:45")

        await pilot.press("enter")  # Habilitar
        await settle(pilot)
        assert text(screen, "#cadsus-status") == "CADSUS  Habilitado"
        assert ServiceToggle.select().count() == 0
        assert settings.get_text(settings.CADSUS_ENABLED) == "true"


async def test_a_timer_ends_by_itself_on_screen(console_on, tui_clock):
    conexao.disable_service(CADSUS, "30min", None)
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = config_screen(pilot)
        assert "faltam 00:30:00" in text(screen, "#cadsus-status")
        tui_clock.advance(minutes=30)
        screen._tick()
        await pilot.pause()
        assert text(screen, "#cadsus-status") == "CADSUS  Habilitado (a desabilitação terminou em 20/11/2026 09:30)"
        assert screen.query_one("#cadsus-duration").display
        assert screen.query_one("#cadsus-disable").display and not screen.query_one("#cadsus-enable").display


async def test_a_change_made_elsewhere_shows_within_the_reload_period(console_on):
    """The scheduler (or another console) enables CADSUS again: the tab reads the state again every
    RELOAD_SECONDS and redraws, instead of counting down a timer that no longer exists."""
    from pec_tui.screens.configuracoes.conexao import RELOAD_SECONDS

    conexao.disable_service(CADSUS, "30min", None)
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = config_screen(pilot)
        assert "faltam" in text(screen, "#cadsus-status")
        conexao.enable_service(CADSUS, None)  # as another process would
        for _ in range(RELOAD_SECONDS - 1):
            screen._tick()
        await settle(pilot)
        assert "faltam" in text(screen, "#cadsus-status")  # not read again yet
        screen._tick()
        await settle(pilot)
        assert text(screen, "#cadsus-status") == "CADSUS  Habilitado"
        assert screen.query_one("#cadsus-disable").display and not screen.query_one("#cadsus-enable").display


def working_internet(httpserver) -> None:
    """The internet test answers (a loopback server): enabling Hórus or the Agenda Online tests it first."""
    httpserver.expect_request("/").respond_with_data("", status=204)
    with transaction():
        settings.put(settings.INTERNET_PROBE_URL, text=httpserver.url_for("/"))


async def test_horus_indefinitely(console_on, httpserver):
    working_internet(httpserver)
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = config_screen(pilot)
        await focus(pilot, screen, "#horus-enable")
        await pilot.press("enter")
        await settle(pilot)
        assert text(screen, "#horus-status") == "Hórus  Habilitado"
        await choose(pilot, screen, "#horus-duration", "Tempo indeterminado")
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert text(screen, "#horus-status") == "Hórus  Desabilitado por tempo indeterminado"


async def test_without_internet_what_needs_it_is_disabled_and_the_test_says_why(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        await focus(pilot, screen, "#internet-disable")
        await pilot.press("enter")
        await confirm(pilot)
        assert text(screen, "#internet-status") == "Internet  Desabilitada"
        assert not conexao.internet_enabled()
        for selector in [
            "#internet-test",
            "#cadsus-disable",
            "#cadsus-duration",
            "#horus-enable",
            "#agenda-key",
            "#agenda-enable",
            "#smtp-enable",
        ]:
            assert screen.query_one(selector).disabled, selector
        assert "desabilitada" in text(screen, "#internet-result")
        assert text(screen, "#connection-note").startswith("Sem conexão com a internet")
        assert "precisa da conexão com a internet" in text(screen, "#smtp-result")
        assert app.focused is screen.query_one("#internet-enable")
        await pilot.press("enter")
        await settle(pilot)
        assert conexao.internet_enabled()
        assert not screen.query_one("#horus-enable").disabled


async def test_internet_test_against_a_loopback_server(console_on, httpserver):
    httpserver.expect_request("/").respond_with_data("", status=204)
    with transaction():
        settings.put(settings.INTERNET_PROBE_URL, text=httpserver.url_for("/"))
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = config_screen(pilot)
        await focus(pilot, screen, "#internet-test")
        await pilot.press("enter")
        await settle(pilot)
        assert text(screen, "#internet-result") == "Conexão bem sucedida"
        assert screen.query_one("#internet-result").has_class("-ok")


async def test_internet_test_against_a_closed_port(console_on):
    port = free_port()
    with transaction():
        settings.put(settings.INTERNET_PROBE_URL, text=f"http://127.0.0.1:{port}/")
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = config_screen(pilot)
        await focus(pilot, screen, "#internet-test")
        await pilot.press("enter")
        await settle(pilot)
        refused = f"Conexão recusada por 127.0.0.1:{port}: nada atende nesse endereço e porta."
        assert text(screen, "#internet-result") == refused
        assert screen.query_one("#internet-result").has_class("-error")


async def test_horus_is_not_enabled_when_the_internet_test_fails(console_on):
    with transaction():
        settings.put(settings.INTERNET_PROBE_URL, text=f"http://127.0.0.1:{free_port()}/")
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24), notifications=True) as pilot:
        screen = config_screen(pilot)
        await focus(pilot, screen, "#horus-enable")
        await pilot.press("enter")
        await settle(pilot)
        assert text(screen, "#horus-status") != "Hórus  Habilitado"
        assert not conexao.service_enabled(HORUS)
        notices = [n.message for n in pilot.app._notifications]
        assert any("Não é possível habilitar o Hórus: o teste de conexão com a internet falhou" in n for n in notices)


async def test_agenda_online_offline_refuses_any_counter_key(console_on):
    with transaction():
        settings.put(settings.INTERNET_PROBE_URL, text=f"http://127.0.0.1:{free_port()}/")
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24), notifications=True) as pilot:
        screen = config_screen(pilot)
        await focus(pilot, screen, "#agenda-key")
        await pilot.press(*"AbCdEf0123456789-eGestor", "enter")
        await settle(pilot)
        assert not settings.get_flag(settings.AGENDA_ONLINE_ENABLED)
        assert "Habilitada" not in text(screen, "#agenda-status")
        assert any("habilitar a Agenda Online" in n.message for n in pilot.app._notifications)


async def test_agenda_online_with_a_counter_key(console_on, httpserver):
    working_internet(httpserver)
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        await focus(pilot, screen, "#agenda-key")
        await pilot.press(*"curta", "enter")
        await settle(pilot)
        error = screen.query_one("#agenda-key-error", Static)
        assert error.display and "tem 5 caracteres" in str(error.render())
        assert app.focused is screen.query_one("#agenda-key")
        screen.query_one("#agenda-key", Input).value = ""
        await pilot.press(*"AbCdEf0123456789-eGestor", "enter")
        await settle(pilot)
        assert text(screen, "#agenda-status") == "Agenda Online  Habilitada (contrachave terminada em …stor)"
        assert not error.display
        assert settings.get_text(settings.AGENDA_ONLINE_COUNTER_KEY) == "AbCdEf0123456789-eGestor"
        assert app.focused is screen.query_one("#agenda-disable")
        await pilot.press("enter")
        await confirm(pilot)
        assert text(screen, "#agenda-status") == "Agenda Online  Desabilitada"


# --------------------------------------------------------------------------------------------
# Segurança
# --------------------------------------------------------------------------------------------


async def test_security_is_saved_with_f2_and_the_session_obeys(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        await pilot.press("2")
        await choose(pilot, screen, "#security-renewal", "3 Meses")
        await choose(pilot, screen, "#security-inactivity", "2 horas")
        await choose(pilot, screen, "#security-attempts", "3 Tentativas")
        await pilot.press("f2")
        await settle(pilot)
        assert settings.security() == settings.SecuritySettings(3, 120, 3)
        assert app.security.inactivity_minutes == 120  # the lock of this session too
        assert any("Configurações de segurança salvas" in n.message for n in app._notifications)


async def test_reset_every_password_after_confirmation(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        await pilot.press("2")
        await focus(pilot, screen, "#security-reset")
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # Cancelar first: nothing happens
        await settle(pilot)
        assert not User.select().where(User.must_change_password == True, User.password_hash.is_null(False)).exists()
        await pilot.press("enter")
        await confirm(pilot)
        assert User.select().where(User.must_change_password == False).count() == 0
        result = accounts.authenticate(*INSTALLATION_ADMIN)
        assert result.must_change_password


# --------------------------------------------------------------------------------------------
# Servidores
# --------------------------------------------------------------------------------------------


async def test_invalid_link_shows_the_error_next_to_the_field(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        await pilot.press("3")
        await focus(pilot, screen, "#server-link")
        link = screen.query_one("#server-link", Input)
        link.value = ""
        await pilot.press(*"ftp://pec.chapeco", "enter")
        await settle(pilot)
        error = screen.query_one("#server-link-error", Static)
        assert error.display and "http:// ou https://" in str(error.render())
        assert app.focused is link and link.has_class("-invalid")
        link.value = ""
        await pilot.press(*"pec.chapeco.sc.gov.br", "enter")
        await settle(pilot)
        assert not error.display
        assert link.value == "http://pec.chapeco.sc.gov.br:80"
        assert settings.get_text("LINKINSTALACAO") == "http://pec.chapeco.sc.gov.br:80"


async def test_installation_name_reaches_the_header(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        await pilot.press("3")
        await focus(pilot, screen, "#server-name")
        screen.query_one("#server-name", Input).value = ""
        await pilot.press(*"PEC Chapecó", "f2")
        await settle(pilot)
        assert settings.get_text("NOMEINSTALACAO") == "PEC Chapecó"
        assert app.installation.name == "PEC Chapecó"


async def fill_smtp(pilot, screen, port: int, password: str) -> None:
    await pilot.press("3")
    for selector, value in [("#smtp-host", "127.0.0.1"), ("#smtp-port", str(port)), ("#smtp-login", LOGIN)]:
        await focus(pilot, screen, selector)
        screen.query_one(selector, Input).value = ""
        await pilot.press(*value)
    await focus(pilot, screen, "#smtp-password")
    screen.query_one("#smtp-password", Input).value = password  # typing "Ç" is the terminal's job
    await pilot.press("enter")
    await settle(pilot)


async def test_smtp_bad_password_does_not_enable(console_on, smtp_server):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = config_screen(pilot)
        await fill_smtp(pilot, screen, smtp_server.port, "errada")
        assert "recusou o login ou a senha" in text(screen, "#smtp-result")
        assert not settings.get_flag(settings.SMTP_ENABLED)
        assert text(screen, "#smtp-status").startswith("Desabilitado")


async def test_smtp_good_password_enables_and_is_never_shown_again(console_on, smtp_server):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = config_screen(pilot)
        await fill_smtp(pilot, screen, smtp_server.port, PASSWORD)
        assert text(screen, "#smtp-result") == "Conexão bem sucedida: servidor SMTP habilitado."
        assert text(screen, "#smtp-status") == f"Habilitado · remetente {LOGIN}"
        password = screen.query_one("#smtp-password", Input)
        assert password.value == "" and "senha gravada" in password.placeholder
        assert settings.get_flag(settings.SMTP_ENABLED)
        stored = " ".join(f"{row.text}" for row in SystemConfig.select())
        assert PASSWORD not in stored
        assert not any(PASSWORD in (e.details or "") for e in AuditEvent.select())
        # Desabilitar, after confirmation.
        await focus(pilot, screen, "#smtp-disable")
        await pilot.press("enter")
        await confirm(pilot)
        assert not settings.get_flag(settings.SMTP_ENABLED)
        assert text(screen, "#smtp-status").startswith("Desabilitado")


async def test_smtp_another_sender_is_checked(console_on, smtp_server):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        await pilot.press("3")
        await focus(pilot, screen, "#smtp-use-login")
        await pilot.press("space")  # unticks "Usar como e-mail remetente"
        await settle(pilot)
        sender = screen.query_one("#smtp-sender", Input)
        assert not sender.disabled
        await fill_smtp(pilot, screen, smtp_server.port, PASSWORD)
        error = screen.query_one("#smtp-sender-error", Static)
        assert error.display and "e-mail remetente válido" in str(error.render())
        assert app.focused is sender


# --------------------------------------------------------------------------------------------
# Municípios e responsáveis
# --------------------------------------------------------------------------------------------


def responsibles_table(screen) -> list[tuple[str, ...]]:
    table = screen.query_one("#responsibles", DataTable)
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def pick_professional(pilot, name: str) -> None:
    dialog = pilot.app.screen
    assert isinstance(dialog, ResponsibleDialog)
    await pilot.press(*name, "enter")  # search, then the list
    await settle(pilot)
    await pilot.press("enter")  # Escolher: the focus goes to Salvar
    await settle(pilot)


async def test_add_a_municipality_with_its_responsible(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert responsibles_table(screen) == [("Chapecó/SC", "4204202", "Rafael Souza Lima", "111.444.777-35")]
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ResponsibleDialog)
        await pilot.press(*"florianopolis")
        await settle(pilot)
        assert "Florianópolis/SC · IBGE 4205407" in text(dialog, "#responsible-municipality-found")
        await pilot.press("enter")  # to the professional search
        await pick_professional(pilot, "paulo henrique alves")
        assert "Paulo Henrique Alves" in text(dialog, "#responsible-chosen")
        await pilot.press("enter")  # Salvar
        await settle(pilot)
        assert app.screen is screen
        assert ("Florianópolis/SC", "4205407", "Paulo Henrique Alves", "168.995.350-09") in responsibles_table(screen)
        paulo = User.get(User.login == "16899535009")
        assert [m.label for m in accounts.load_logged_user(paulo).municipal_admin_of] == ["Florianópolis/SC"]


async def test_a_second_responsible_is_refused_with_a_message(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        await pilot.press(*"4204202")  # already in the installation, with its responsible: said at once
        await settle(pilot)
        error = dialog.query_one("#responsible-municipality-error", Static)
        assert error.display
        assert str(error.render()).startswith(
            "Chapecó/SC já está na instalação, com o responsável Rafael Souza Lima; só é possível um"
        )
        assert "✓" not in str(dialog.query_one("#responsible-municipality-found", Static).render())
        await pilot.press("enter")  # nothing to choose: the cursor stays on the municipality
        await settle(pilot)
        assert app.focused is dialog.query_one("#responsible-municipality")
        await pilot.press(*["backspace"] * 7, *"4205407")  # another municipality: the error goes
        await settle(pilot)
        assert "✓ Florianópolis/SC" in str(dialog.query_one("#responsible-municipality-found", Static).render())
        assert not error.display
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert len(responsibles_table(screen)) == 1


async def test_changing_the_responsible_moves_the_role(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = config_screen(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen.query_one("#responsibles", DataTable).focus()
        await pilot.press("t")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ResponsibleDialog) and dialog.changing
        await pick_professional(pilot, "paulo henrique alves")
        await pilot.press("enter")  # Salvar → confirmation
        await settle(pilot)
        question = app.screen
        assert isinstance(question, ConfirmDialog)
        assert "Rafael Souza Lima deixa de ser o administrador municipal de Chapecó/SC" in question.message
        await confirm(pilot)
        assert app.screen is screen
        assert responsibles_table(screen) == [("Chapecó/SC", "4204202", "Paulo Henrique Alves", "168.995.350-09")]
        rafael = accounts.authenticate(*MUNICIPAL_ADMIN).user
        assert not rafael.municipal_admin
        paulo = Professional.get(Professional.cpf == "16899535009")
        assert accounts.load_logged_user(User.get_by_id(paulo.user_id)).municipal_admin


# --------------------------------------------------------------------------------------------
# Configurações avançadas
# --------------------------------------------------------------------------------------------


async def test_simultaneous_requests(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = config_screen(pilot)
        await pilot.press("5")
        await focus(pilot, screen, "#advanced-requests")
        field = screen.query_one("#advanced-requests", Input)
        field.value = ""
        await pilot.press("0", "enter")
        await settle(pilot)
        error = screen.query_one("#advanced-requests-error", Static)
        assert error.display and "de 1 a 100" in str(error.render())
        field.value = ""
        await pilot.press("2", "0", "f2")
        await settle(pilot)
        assert not error.display
        assert settings.simultaneous_requests() == 20
        assert "prejudicar o desempenho" in text(screen, ".config-warning")


async def test_help_lists_the_keys(console_on):
    async with console_on("configuracoes", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        config_screen(pilot)
        await pilot.press("f1")
        await settle(pilot)
        help_text = str(app.screen.query_one("#help-text", Static).render())
        assert "Desabilitar durante" in help_text and "porta padrão 80" in help_text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfigurationScreen)
