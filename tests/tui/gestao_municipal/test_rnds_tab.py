"""Gestão municipal › Configuração RNDS: keys and fields, on the demo with a real chaves folder."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, Select, TabbedContent

from pec_tui.domain.audit import EventType
from pec_tui.storage.models import AuditEvent, RndsConfig
from tests.support import certificates as make
from tests.support.console import MUNICIPAL_ADMIN, logged_in, settle
from tests.support.constants import FIXED_NOW

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def fill(home: Path) -> Path:
    chaves = home / "webserver" / "chaves"
    chaves.mkdir(parents=True, mode=0o700)
    make.pfx(chaves / "municipio.pfx")
    make.pfx(
        chaves / "vencido.pfx",
        not_before=FIXED_NOW - dt.timedelta(days=400),
        not_after=FIXED_NOW - dt.timedelta(days=1),
    )
    make.cer(chaves / "portal.cer")
    return chaves


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_enable_refused_then_enabled_then_disabled(console_on, tmp_path: Path):
    fill(tmp_path / "e-SUS")
    async with console_on(
        "gestao_municipal", as_=MUNICIPAL_ADMIN, pec_home=tmp_path / "e-SUS", size=(100, 40)
    ) as pilot:
        screen = pilot.app.screen
        select = screen.query_one("#rnds-certificado", Select)
        # only the .pfx/.p12 are offered
        assert [value for _, value in select._options if isinstance(value, str)] == ["municipio.pfx", "vencido.pfx"]
        assert len(text(screen, "#rnds-contrachave")) == 64
        # the expired one: the reason on the certificate's field
        select.value = "vencido.pfx"
        screen.query_one("#rnds-senha", Input).value = make.PASSWORD
        screen.query_one("#rnds-identificador", Input).value = "SOL-1"
        screen.query_one("#rnds-enable").press()
        await settle(pilot)
        assert "vencido.pfx recusado: o certificado venceu em" in text(screen, "#rnds-certificado-error")
        assert pilot.app.focused is select
        # a wrong password: on the password's field
        select.value = "municipio.pfx"
        screen.query_one("#rnds-senha", Input).value = "errada"
        screen.query_one("#rnds-enable").press()
        await settle(pilot)
        assert "A senha não abre o certificado municipio.pfx" in text(screen, "#rnds-senha-error")
        assert RndsConfig.select().count() == 0
        # right: enabled, the password field emptied
        screen.query_one("#rnds-senha", Input).value = make.PASSWORD
        screen.query_one("#rnds-enable").press()
        await settle(pilot)
        assert text(screen, "#rnds-senha-error") == ""
        assert "Habilitada com o certificado municipio.pfx" in text(screen, "#rnds-status")
        assert screen.query_one("#rnds-senha", Input).value == ""
        assert RndsConfig.get().certificate_name == "municipio.pfx"
        # Desabilitar asks first, on «Cancelar»
        screen.query_one("#rnds-disable").press()
        await settle(pilot)
        assert pilot.app.focused.id == "confirm-no"
        await pilot.press("left", "enter")
        await settle(pilot)
        assert "Desabilitada" in text(screen, "#rnds-status")
        assert RndsConfig.select().count() == 0
    kinds = [e.event_type for e in AuditEvent.select().where(AuditEvent.component == "pec-tui/gestao_municipal/rnds")]
    assert kinds == [EventType.RNDS_ENABLED.value, EventType.RNDS_DISABLED.value]


async def test_copy_sends_the_counter_key_to_the_clipboard(console_on, tmp_path: Path):
    async with console_on("gestao_municipal", as_=MUNICIPAL_ADMIN, pec_home=tmp_path) as pilot:
        screen = pilot.app.screen
        screen.query_one("#rnds-copy").press()
        await settle(pilot)
        assert pilot.app.clipboard == text(screen, "#rnds-contrachave")


@pytest.fixture
def fixed_home(request) -> Path:
    root = Path("/tmp/pec-tui-snapshots") / request.node.name.replace("[", "-").rstrip("]")
    shutil.rmtree(root, ignore_errors=True)
    fill(root / "e-SUS")
    yield root / "e-SUS"
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("size", SIZES)
def test_rnds_tab_refused(snap_compare, make_app, fixed_home, size, monkeypatch):
    from pec_tui.domain.gestao_municipal import rnds

    monkeypatch.setattr(rnds.secrets, "token_hex", lambda n: "AB" * n)  # a contra-chave the snapshot can hold

    async def ready(pilot):
        await logged_in(pilot, "gestao_municipal", as_=MUNICIPAL_ADMIN)
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#gestao-tabs", TabbedContent).active = "rnds"
        await settle(pilot)
        screen.query_one("#rnds-certificado", Select).value = "vencido.pfx"
        screen.query_one("#rnds-senha", Input).value = make.PASSWORD
        screen.query_one("#rnds-identificador", Input).value = "SOL-1"
        screen.query_one("#rnds-enable").press()
        await settle(pilot)

    assert snap_compare(make_app(pec_home=fixed_home), terminal_size=size, run_before=ready)
