"""Snapshots of the login at 80x24 and 120x40 (review the SVG report before updating:
``pytest tests/tui/console/test_login_snapshots.py --snapshot-update``)."""

from __future__ import annotations

import pytest

from tests.support.console import INSTALLATION_ADMIN, login, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_login_screen(snap_compare, make_app, size):
    async def ready(pilot):
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_login_refused(snap_compare, make_app, size):
    async def refused(pilot):
        await login(pilot, INSTALLATION_ADMIN[0], "errada123")

    assert snap_compare(make_app(), terminal_size=size, run_before=refused)
