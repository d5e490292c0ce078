"""Diagnóstico do servidor by keyboard: rows per check updated in place, the detail of the
highlighted check, R, the periodic refresh paused behind a dialog, and a UI that never waits."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Static

from pec_tui.domain import diagnostico
from pec_tui.domain.diagnostico import OK
from pec_tui.screens.diagnostico import DoctorScreen
from pec_tui.screens.help import HelpScreen
from tests.support.console import INSTALLATION_ADMIN, settle, wait_until
from tests.support.host_data import FakeRunner, fake_report, make_pec_home


@pytest.fixture
def runner(monkeypatch):
    fake = FakeRunner(fake_report())
    monkeypatch.setattr(diagnostico, "run", fake)
    return fake


def doctor_screen(pilot) -> DoctorScreen:
    screen = pilot.app.screen
    assert isinstance(screen, DoctorScreen)
    return screen


def cell(screen: DoctorScreen, key: str, column: str) -> str:
    return str(screen.table.get_cell(key, column))


def detail(screen: DoctorScreen) -> str:
    return str(screen.query_one("#doctor-detail", Static).render())


async def test_real_checks_on_the_demo_with_a_fake_installation(console_on, tmp_path, httpserver, monkeypatch):
    httpserver.expect_request("/api/public/info").respond_with_json({"versao": "5.4.21"})
    monkeypatch.setenv(diagnostico.ENV_PEC_URL, httpserver.url_for("/api/public/info"))
    home = make_pec_home(tmp_path, version="5.4.21")
    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(120, 40), pec_home=home) as pilot:
        screen = doctor_screen(pilot)
        table = screen.table
        assert [row.value for row in table.rows] == list(diagnostico.TITLES)
        assert cell(screen, "aplicacao_pec", "status") == "OK"
        # The demo base says 5.3.28 and this fake installation's program is 5.4.21: PEC would not start.
        assert cell(screen, "versao_banco", "status") == "ERRO"
        assert cell(screen, "usuarios_bloqueados", "status") == "AVISO"  # the demo's blocked user
        assert cell(screen, "pasta_chaves", "status") == "OK"
        summary = str(screen.query_one("#doctor-summary", Static).render())
        assert summary.startswith("13 verificações: ")


async def test_detail_follows_the_highlighted_check(console_on, runner):
    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = doctor_screen(pilot)
        assert detail(screen).startswith("OK  Banco de dados")
        await pilot.press("down", "down")
        text = detail(screen)
        assert text.startswith("ERRO  Versão do banco do PEC")
        assert "VERSAOBANCODADOS = 5.3.19" in text
        assert "O que fazer: Instale o PEC da mesma versão" in text
        # The table cell is cut with an ellipsis; the detail has it whole.
        assert cell(screen, "versao_banco", "found").endswith("…")


async def test_status_words_are_readable_without_colour(console_on, runner):
    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = doctor_screen(pilot)
        statuses = {row.value: cell(screen, row.value, "status") for row in screen.table.rows}
        assert set(statuses.values()) == {"OK", "AVISO", "ERRO"}
        assert statuses["trava_liquibase"] == "ERRO"


async def test_refresh_updates_the_rows_in_place(console_on, monkeypatch):
    fixed = fake_report(OK, link_found="LINKINSTALACAO = http://10.0.0.9:8080 respondeu (HTTP 200).")
    fake = FakeRunner(fake_report(), fixed)
    monkeypatch.setattr(diagnostico, "run", fake)
    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = doctor_screen(pilot)
        table = screen.table
        await pilot.press("down", "down", "down")
        assert cell(screen, "link_instalacao", "status") == "AVISO"
        rows_before = list(table.rows)
        await pilot.press("r")
        await settle(pilot)
        assert fake.calls == 2
        assert list(table.rows) == rows_before  # the same keyed rows, updated
        assert cell(screen, "link_instalacao", "status") == "OK"
        assert table.cursor_row == 3  # the cursor stayed on the check
        assert "respondeu (HTTP 200)" in detail(screen)


async def test_the_ui_answers_while_the_checks_run(console_on, monkeypatch):
    gate = threading.Event()
    fake = FakeRunner(fake_report(), gate=gate)
    monkeypatch.setattr(diagnostico, "run", fake)
    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(80, 24), notifications=True) as pilot:
        app = pilot.app
        screen = doctor_screen(pilot)
        await pilot.press("r")  # the second run waits for the gate in its thread
        await wait_until(pilot, lambda: fake.calls == 2)
        await pilot.press("down")
        await pilot.pause()
        assert screen.table.cursor_row == 1 and detail(screen).startswith("OK  Esquema")
        await pilot.press("r")  # a second R while running does not start another run
        await pilot.pause()
        assert fake.calls == 2
        assert any("já está rodando" in n.message for n in app._notifications)
        gate.set()
        await settle(pilot)
        assert "R atualiza agora" in str(screen.query_one("#doctor-summary", Static).render())


async def test_periodic_refresh_pauses_behind_a_dialog(console_on, runner, monkeypatch):
    monkeypatch.setattr(DoctorScreen, "REFRESH_SECONDS", 0.05)
    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        doctor_screen(pilot)
        await wait_until(pilot, lambda: runner.calls >= 3)  # it refreshes by itself
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.pause(0.1)
        await settle(pilot)
        paused_at = runner.calls
        await pilot.pause(0.3)
        assert runner.calls == paused_at  # nothing runs behind the help
        await pilot.press("escape")
        await wait_until(pilot, lambda: runner.calls > paused_at)  # back in front: runs again


async def test_a_failing_runner_is_one_sentence(console_on, monkeypatch):
    def broken(opened, config):
        raise RuntimeError("falha inesperada")

    monkeypatch.setattr(diagnostico, "run", broken)
    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        screen = doctor_screen(pilot)
        summary = str(screen.query_one("#doctor-summary", Static).render())
        assert summary == "Não foi possível rodar o diagnóstico: falha inesperada."
        assert screen.table.row_count == 0


async def test_l_opens_the_log_and_escape_comes_back(console_on, runner):
    from pec_tui.screens.log import LogScreen

    async with console_on("diagnostico", as_=INSTALLATION_ADMIN, size=(80, 24)) as pilot:
        app = pilot.app
        screen = doctor_screen(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
        await pilot.press("escape")  # no file open: Esc leaves, even from the path field
        await settle(pilot)
        assert app.screen is screen
