"""Snapshots of the home at 80x24 and 120x40 (review the SVG report before updating:
``pytest tests/tui/console/test_home_snapshots.py --snapshot-update``)."""

from __future__ import annotations

import pytest

from tests.support.console import INSTALLATION_ADMIN, MUNICIPAL_ADMIN, logged_in, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_home_installation_admin(snap_compare, make_app, size):
    async def on_home(pilot):
        await logged_in(pilot, as_=INSTALLATION_ADMIN)

    assert snap_compare(make_app(), terminal_size=size, run_before=on_home)


@pytest.mark.parametrize("size", SIZES)
def test_home_municipal_admin(snap_compare, make_app, size):
    async def on_home(pilot):
        await logged_in(pilot, as_=MUNICIPAL_ADMIN)

    assert snap_compare(make_app(), terminal_size=size, run_before=on_home)


def test_help_on_home(snap_compare, make_app):
    async def help_open(pilot):
        await logged_in(pilot, as_=INSTALLATION_ADMIN)
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=help_open)
