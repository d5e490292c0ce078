"""Snapshots of Certificados at 80x24 and 120x40 (review the SVG report before updating:
``pytest tests/tui/certificados/test_certificados_snapshots.py --snapshot-update``).

The folder's path is on screen, so each snapshot uses a fixed path of its own under /tmp; the
certificates are signed with a fixed key (same sizes on every run) and dated from the tests' clock."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from pec_tui.storage.database import transaction
from pec_tui.storage.models import MunicipalAdmin, RndsConfig
from tests.support import certificates as make
from tests.support.console import INSTALLATION_ADMIN, logged_in, settle
from tests.support.constants import FIXED_NOW

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def home(request) -> Path:
    """``/tmp/pec-tui-snapshots/<test>/e-SUS`` with an empty ``webserver``."""
    root = Path("/tmp/pec-tui-snapshots") / request.node.name.replace("[", "-").rstrip("]")
    shutil.rmtree(root, ignore_errors=True)
    (root / "e-SUS" / "webserver").mkdir(parents=True)
    yield root / "e-SUS"
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def filled(home: Path, demo_db) -> Path:
    """Every kind of file, and the first one used by the demo municipality's Configuração RNDS."""
    chaves = home / "webserver" / "chaves"
    chaves.mkdir(mode=0o700)
    make.pfx(chaves / "municipio-2026.pfx", password="")
    make.pfx(chaves / "quase-vencendo.p12", password="", not_after=FIXED_NOW + dt.timedelta(days=12))
    make.pfx(chaves / "responsavel.p12", cnpj=None, cpf=make.CPF, name="HELENA MARTINS DUARTE:52998224725")
    make.pfx(
        chaves / "vencido.pfx",
        password="",
        not_before=FIXED_NOW - dt.timedelta(days=400),
        not_after=FIXED_NOW - dt.timedelta(days=40),
    )
    make.pfx(chaves / "sem-chave.pfx", password="", with_key=False)
    make.cer(chaves / "portal.cer")
    admin = MunicipalAdmin.select().first()
    with transaction():
        RndsConfig.create(
            localidade=admin.localidade_id,
            municipal_admin=admin.role_id,
            certificate_name="municipio-2026.pfx",
            certificate_password="cifrada",
            included_at=FIXED_NOW,
            enabled_at=FIXED_NOW,
            certificate_valid_until=FIXED_NOW + dt.timedelta(days=335),
            requester_id="123456",
        )
    return chaves


@pytest.mark.parametrize("size", SIZES)
def test_certificados_list(snap_compare, make_app, filled, home, size):
    async def ready(pilot):
        await logged_in(pilot, "certificados", as_=INSTALLATION_ADMIN)
        await settle(pilot)

    assert snap_compare(make_app(pec_home=home), terminal_size=size, run_before=ready)


def test_certificados_missing_folder(snap_compare, make_app, home):
    async def ready(pilot):
        await logged_in(pilot, "certificados", as_=INSTALLATION_ADMIN)
        await settle(pilot)

    assert snap_compare(make_app(pec_home=home), terminal_size=(80, 24), run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_certificados_verify_wrong_password(snap_compare, make_app, filled, home, size):
    async def ready(pilot):
        await logged_in(pilot, "certificados", as_=INSTALLATION_ADMIN)
        await settle(pilot)
        await pilot.press("down", "down", "v")
        await settle(pilot)
        await pilot.press(*"errada", "enter")
        await settle(pilot)

    assert snap_compare(make_app(pec_home=home), terminal_size=size, run_before=ready)
