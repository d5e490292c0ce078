"""Snapshots of Configurações da instalação, every tab at 80x24 and 120x40 (review the SVG report
before updating: ``pytest tests/tui/configuracoes/test_configuracoes_snapshots.py --snapshot-update``).

The countdowns depend on the clock: the fixtures stop it at 2026-11-20 09:00 (ManualClock), so
"faltam 02:00:00" is the same on every run."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from pec_tui.domain.configuracoes import conexao
from pec_tui.domain.configuracoes.conexao import CADSUS, HORUS
from tests.support.console import INSTALLATION_ADMIN, logged_in, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def timers(demo_db):
    """CADSUS off for 2 hours, Hórus off indefinitely: the Conexão tab shows both kinds."""
    conexao.enable_service(HORUS, None)
    conexao.disable_service(CADSUS, "2h", None)
    conexao.disable_service(HORUS, "indeterminado", None)


async def open_tab(pilot, key: str) -> None:
    await logged_in(pilot, "configuracoes", as_=INSTALLATION_ADMIN)
    await pilot.press(key)
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_conexao_with_timers(snap_compare, make_app, timers, size):
    async def ready(pilot):
        await open_tab(pilot, "1")

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


def test_conexao_without_internet(snap_compare, make_app, demo_db):
    conexao.disable_internet(None)

    async def ready(pilot):
        await open_tab(pilot, "1")

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=ready)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("tab", ["2", "3", "4", "5"], ids=["seguranca", "servidores", "municipios", "avancadas"])
def test_tab(snap_compare, make_app, demo_db, tab, size):
    async def ready(pilot):
        await open_tab(pilot, tab)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


def test_servidores_invalid_link_error(snap_compare, make_app, demo_db):
    async def ready(pilot):
        await open_tab(pilot, "3")
        screen = pilot.app.screen
        link = screen.query_one("#server-link", Input)
        link.value = "ftp://pec.chapeco"
        link.focus()
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_add_municipality_dialog(snap_compare, make_app, demo_db, size):
    async def ready(pilot):
        await open_tab(pilot, "4")
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"florianopolis", "enter")
        await settle(pilot)
        await pilot.press(*"paulo henrique alves", "enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)
