"""Log do PEC by keyboard: the end of pec.log, following appends, truncation, the filter, the
level filter, a missing file and another path typed in."""

from __future__ import annotations

import os

import pytest
from textual.widgets import Input, Static

from pec_tui.domain.log import line_level
from pec_tui.screens.log import LogScreen, PecLogView
from tests.support.console import INSTALLATION_ADMIN, settle, wait_until
from tests.support.host_data import append, make_log_home, pec_log_lines


@pytest.fixture(autouse=True)
def fast_follow(monkeypatch):
    monkeypatch.setattr(LogScreen, "POLL_SECONDS", 0.05)


def log_screen(pilot) -> LogScreen:
    screen = pilot.app.screen
    assert isinstance(screen, LogScreen)
    return screen


def shown(screen: LogScreen) -> list[str]:
    return list(screen.query_one(PecLogView).lines)


def status(screen: LogScreen) -> str:
    return str(screen.query_one("#log-status", Static).render())


async def test_shows_the_end_and_follows_appends(console_on, tmp_path):
    home = make_log_home(tmp_path, pec_log_lines(3000))
    async with console_on("log", as_=INSTALLATION_ADMIN, size=(100, 30), pec_home=home) as pilot:
        screen = log_screen(pilot)
        lines = shown(screen)
        assert len(lines) == LogScreen.TAIL_LINES
        assert lines[-1] == pec_log_lines(3000)[-1]
        assert status(screen).startswith(f"{home}/webserver/logs/pec.log · ")
        assert "acompanhando" in status(screen)
        append(home / "webserver/logs/pec.log", ["2026-11-20 09:00:00.000  INFO 1 --- [main] x : linha nova"])
        await wait_until(pilot, lambda: shown(screen)[-1].endswith("linha nova"))


async def test_truncation_is_said_and_reading_starts_over(console_on, tmp_path):
    home = make_log_home(tmp_path, pec_log_lines(50))
    path = home / "webserver/logs/pec.log"
    async with console_on("log", as_=INSTALLATION_ADMIN, size=(100, 30), notifications=True, pec_home=home) as pilot:
        app = pilot.app
        screen = log_screen(pilot)
        with open(path, "r+b") as handle:
            handle.truncate(0)
        append(path, ["2026-11-20 10:00:00.000 ERROR 1 --- [main] x : depois da rotação"])
        await wait_until(pilot, lambda: shown(screen)[-1].endswith("depois da rotação"))
        assert "── o arquivo foi truncado; lendo de novo do início ──" in shown(screen)
        await pilot.pause()  # the notification is a message of its own
        assert any("truncado" in n.message for n in app._notifications)


async def test_rotation_by_rename_is_followed(console_on, tmp_path):
    home = make_log_home(tmp_path, pec_log_lines(50))
    path = home / "webserver/logs/pec.log"
    async with console_on("log", as_=INSTALLATION_ADMIN, size=(100, 30), pec_home=home) as pilot:
        screen = log_screen(pilot)
        os.rename(path, path.with_name("pec.2026-11-19.log"))
        path.write_text("2026-11-20 00:00:00.000  INFO 1 --- [main] x : arquivo novo\n", encoding="utf-8")
        await wait_until(pilot, lambda: shown(screen)[-1].endswith("arquivo novo"))
        assert any(line.startswith("── o arquivo") for line in shown(screen))


async def test_filter_by_text_then_by_level(console_on, tmp_path):
    home = make_log_home(tmp_path, pec_log_lines(400))
    path = home / "webserver/logs/pec.log"
    async with console_on("log", as_=INSTALLATION_ADMIN, size=(100, 30), pec_home=home) as pilot:
        screen = log_screen(pilot)
        await pilot.press("slash")
        assert screen.query_one("#log-filter", Input).has_focus
        await pilot.press(*"MENSAGEM", "space", "3", "9", "enter")
        await settle(pilot)
        lines = shown(screen)
        assert lines and all("mensagem 39" in line for line in lines)
        assert lines[-1].endswith("mensagem 399")
        assert 'filtro: "MENSAGEM 39"' in status(screen)
        # Appended lines pass through the same filter.
        append(path, pec_log_lines(2, start=390))
        append(path, ["2026-11-20 09:00:00.000  INFO 1 --- [main] x : outra coisa"])
        await wait_until(pilot, lambda: shown(screen)[-1].endswith("mensagem 391"))
        assert not any("outra coisa" in line for line in shown(screen))
        # Empty filter, then N: only ERROR lines and their stack traces.
        await pilot.press("slash")
        screen.query_one("#log-filter", Input).value = ""
        await pilot.press("enter", "n")
        await settle(pilot)
        lines = shown(screen)
        assert lines and {line_level(line) for line in lines} == {"ERROR"}
        assert "java.net.ConnectException: Connection refused" in lines  # the stack trace comes along
        assert "só ERROR" in status(screen)
        await pilot.press("n")
        await settle(pilot)
        assert any(" WARN " in line for line in shown(screen))
        assert "WARN e ERROR" in status(screen)
        await pilot.press("n")
        await settle(pilot)
        assert any(" INFO " in line for line in shown(screen))


async def test_search_bound_and_going_further_back(console_on, tmp_path, monkeypatch):
    monkeypatch.setattr(LogScreen, "SEARCH_BYTES", 4096)
    lines = ["2026-11-20 07:00:00.000 ERROR 1 --- [main] x : agulha antiga", *pec_log_lines(300)]
    lines = [line.replace("ERROR", "INFO ") if "agulha" not in line else line for line in lines]
    home = make_log_home(tmp_path, lines)
    async with console_on("log", as_=INSTALLATION_ADMIN, size=(100, 30), pec_home=home) as pilot:
        screen = log_screen(pilot)
        await pilot.press("slash", *"agulha", "enter")
        await settle(pilot)
        assert shown(screen) == ["── nenhuma linha com o filtro ──"]
        assert "nada nos últimos 4,0 KB; M procura mais para trás" in status(screen)
        for _ in range(20):
            if shown(screen)[0].endswith("agulha antiga"):
                break
            await pilot.press("m")
            await settle(pilot)
        assert shown(screen)[0].endswith("agulha antiga")


async def test_missing_file_names_the_path_and_another_can_be_typed(console_on, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "outro.log"
    other.write_text("2026-11-20 09:00:00.000 ERROR 1 --- [main] x : de outro arquivo\n", encoding="utf-8")
    home = tmp_path / "e-SUS"
    home.mkdir()
    async with console_on("log", as_=INSTALLATION_ADMIN, size=(100, 30), pec_home=home) as pilot:
        screen = log_screen(pilot)
        message = str(screen.query_one("#log-message", Static).render())
        assert f"O arquivo {home}/webserver/logs/pec.log não existe." in message
        field = screen.query_one("#log-path", Input)
        assert field.has_focus and field.value == f"{home}/webserver/logs/pec.log"
        field.value = ""
        await pilot.press(*"./outro.log", "enter")  # a slash is typed, not taken as the filter key
        await settle(pilot)
        assert shown(screen) == ["2026-11-20 09:00:00.000 ERROR 1 --- [main] x : de outro arquivo"]
        assert screen.query_one("#log-message", Static).has_class("-hidden")


async def test_without_pec_home_it_asks_for_the_path(console_on):
    async with console_on("log", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = log_screen(pilot)
        message = str(screen.query_one("#log-message", Static).render())
        assert "A pasta de instalação do PEC não foi encontrada" in message
        assert "--pec-home" in message
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, LogScreen)


async def test_a_directory_is_refused_with_a_sentence(console_on, tmp_path):
    home = make_log_home(tmp_path, pec_log_lines(5))
    async with console_on("log", as_=INSTALLATION_ADMIN, size=(100, 30), pec_home=home) as pilot:
        screen = log_screen(pilot)
        await pilot.press("o")
        field = screen.query_one("#log-path", Input)
        field.value = str(tmp_path)
        await pilot.press("enter")
        await settle(pilot)
        message = str(screen.query_one("#log-message", Static).render())
        assert message.startswith(f"{tmp_path} é uma pasta, não um arquivo de log.")


async def test_a_binary_file_is_said_not_text_and_the_last_file_is_remembered(console_on, tmp_path):
    home = make_log_home(tmp_path, pec_log_lines(5))
    binary = tmp_path / "pec.log.gz"
    binary.write_bytes(bytes(range(256)) * 40)
    other = tmp_path / "outro.log"
    other.write_text("2026-11-20 09:00:00.000 INFO 1 --- [main] x : de outro arquivo\n", encoding="utf-8")
    async with console_on("log", as_=INSTALLATION_ADMIN, size=(100, 30), pec_home=home) as pilot:
        app = pilot.app
        screen = log_screen(pilot)
        await pilot.press("o")
        field = screen.query_one("#log-path", Input)
        field.value = str(binary)
        await pilot.press("enter")
        await settle(pilot)
        message = str(screen.query_one("#log-message", Static).render())
        assert message.startswith(f"{binary} não é um arquivo de texto (parece binário)")
        assert shown(screen) == []  # no garbage on screen
        field.value = str(other)
        await pilot.press("enter")
        await settle(pilot)
        assert shown(screen) == ["2026-11-20 09:00:00.000 INFO 1 --- [main] x : de outro arquivo"]
        await pilot.press("escape")
        await settle(pilot)
        app.open_module("log")  # again in the same session: the file opened last
        await settle(pilot)
        assert log_screen(pilot).path == other
