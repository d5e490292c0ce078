"""Snapshots of Diagnóstico do servidor at 80x24 and 120x40 (review the SVG report before
updating: ``pytest tests/tui/diagnostico/test_diagnostico_snapshots.py --snapshot-update``).

Deterministic: the doctor's checks are a fixed report (the real ones depend on the machine)."""

from __future__ import annotations

import pytest

from pec_tui.domain import diagnostico
from tests.support.console import INSTALLATION_ADMIN, logged_in, settle
from tests.support.host_data import FakeRunner, fake_report

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def fixed_checks(monkeypatch):
    monkeypatch.setattr(diagnostico, "run", FakeRunner(fake_report()))


@pytest.mark.parametrize("size", SIZES)
def test_doctor(snap_compare, make_app, fixed_checks, size):
    async def ready(pilot):
        await logged_in(pilot, "diagnostico", as_=INSTALLATION_ADMIN)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


def test_doctor_detail_of_an_error(snap_compare, make_app, fixed_checks):
    async def ready(pilot):
        await logged_in(pilot, "diagnostico", as_=INSTALLATION_ADMIN)
        await pilot.press(*["down"] * 5)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=ready)
