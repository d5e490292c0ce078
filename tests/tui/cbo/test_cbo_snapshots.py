"""Snapshots of CBO at 80x24 and 120x40 (review the SVG report before updating:
``pytest tests/tui/cbo/test_cbo_snapshots.py --snapshot-update``).

The data is the demo's own catalogue, so these snapshots change with the demo: regenerate them,
and look at them, when it changes."""

from __future__ import annotations

import pytest

from pec_tui.domain import cbo
from pec_tui.storage.database import transaction
from pec_tui.storage.models import Cbo, Localidade
from tests.support.console import MUNICIPAL_ADMIN, logged_in, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def network(demo_db):
    """The demo, with one CBO's duração da consulta set and another one unavailable."""
    chapeco = Localidade.get(Localidade.ibge == "4204202").id  # the demo's municipal administrator's
    with transaction():
        cbo.set_appointment_minutes(Cbo.get(Cbo.code == "225142").id, 30, None, chapeco)
        cbo.set_available(Cbo.get(Cbo.code == "515105").id, False, None, chapeco)


@pytest.mark.parametrize("size", SIZES)
def test_cbo_list_with_unavailable(snap_compare, make_app, network, size):
    async def ready(pilot):
        await logged_in(pilot, "cbo", as_=MUNICIPAL_ADMIN)
        await pilot.press("shift+tab", "shift+tab", "space")
        await settle(pilot)
        pilot.app.screen.query_one("#cbo-list").focus_table()
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_cbo_edit_refused(snap_compare, make_app, network, size):
    async def ready(pilot):
        await logged_in(pilot, "cbo", as_=MUNICIPAL_ADMIN)
        await pilot.press("slash", *"225142", "enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        pilot.app.screen.query_one("#cbo-minutes").value = ""
        await pilot.press(*"999", "enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


def test_cbo_unavailable_confirmation(snap_compare, make_app, network):
    async def ready(pilot):
        await logged_in(pilot, "cbo", as_=MUNICIPAL_ADMIN)
        await pilot.press("d")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=ready)
