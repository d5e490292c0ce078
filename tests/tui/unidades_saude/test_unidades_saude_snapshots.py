"""Snapshots of Unidades de saúde at 80x24 and 120x40 (review the SVG report before updating:
``pytest tests/tui/unidades_saude/test_unidades_saude_snapshots.py --snapshot-update``).

The data is the demo's own (its units, teams and professionals come from a CNES import), so
these snapshots change with the demo: regenerate them, and look at them, when it changes."""

from __future__ import annotations

import pytest

from pec_tui.domain import cbo
from pec_tui.storage.database import transaction
from pec_tui.storage.models import Cbo, Localidade
from tests.support.console import MUNICIPAL_ADMIN, logged_in, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


UNIT = "progresso"  # UBS PROGRESSO: teams, one of them inactive, and a page and more of professionals


@pytest.fixture
def network(demo_db):
    """The demo, with one CBO's duração da consulta set and another one unavailable."""
    chapeco = Localidade.get(Localidade.ibge == "4204202").id
    with transaction():
        cbo.set_appointment_minutes(Cbo.get(Cbo.code == "225142").id, 30, None, chapeco)
        cbo.set_available(Cbo.get(Cbo.code == "515105").id, False, None, chapeco)


async def open_unit(pilot) -> None:
    await logged_in(pilot, "unidades_saude", as_=MUNICIPAL_ADMIN)
    await pilot.press("slash", *UNIT, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_units_list(snap_compare, make_app, network, size):
    async def ready(pilot):
        await logged_in(pilot, "unidades_saude", as_=MUNICIPAL_ADMIN)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_unit_informacoes(snap_compare, make_app, network, size):
    async def ready(pilot):
        await open_unit(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_unit_equipes_with_inactive(snap_compare, make_app, network, size):
    async def ready(pilot):
        await open_unit(pilot)
        await pilot.press("3", "shift+tab", "space")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_unit_profissionais_all(snap_compare, make_app, network, size):
    async def ready(pilot):
        await open_unit(pilot)
        await pilot.press("4", "shift+tab", "shift+tab", "space")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_team_detail(snap_compare, make_app, network, size):
    async def ready(pilot):
        await open_unit(pilot)
        await pilot.press("3", "down", "enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)
