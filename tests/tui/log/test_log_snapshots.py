"""Snapshots of Log do PEC at 80x24 and 120x40 (review the SVG report before updating:
``pytest tests/tui/log/test_log_snapshots.py --snapshot-update``).

Deterministic: the log is a known file in a folder named relatively (the status line shows its path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pec_tui.screens.log import LogScreen
from tests.support.console import INSTALLATION_ADMIN, logged_in, settle
from tests.support.host_data import make_log_home, pec_log_lines

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def known_log(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(LogScreen, "POLL_SECONDS", 3600)  # nothing is appended here
    return make_log_home(Path("."), pec_log_lines(60))


@pytest.mark.parametrize("size", SIZES)
def test_log(snap_compare, make_app, known_log, size):
    async def ready(pilot):
        await logged_in(pilot, "log", as_=INSTALLATION_ADMIN)

    assert snap_compare(make_app(pec_home=known_log), terminal_size=size, run_before=ready)


def test_log_filtered_by_text_and_level(snap_compare, make_app, known_log):
    async def ready(pilot):
        await logged_in(pilot, "log", as_=INSTALLATION_ADMIN)
        await pilot.press("slash", *"mensagem", "space", "4", "enter", "n")
        await settle(pilot)

    assert snap_compare(make_app(pec_home=known_log), terminal_size=(80, 24), run_before=ready)


def test_log_missing_file(snap_compare, make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("e-SUS").mkdir()

    async def ready(pilot):
        await logged_in(pilot, "log", as_=INSTALLATION_ADMIN)

    assert snap_compare(make_app(pec_home=Path("e-SUS")), terminal_size=(80, 24), run_before=ready)
