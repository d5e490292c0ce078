"""Certificados (pasta chaves): the screen driven by keys, on a real folder, with the demo database."""

from __future__ import annotations

import datetime as dt
import hashlib
import stat
from pathlib import Path

import pytest

from pec_tui.storage.models import AuditEvent
from tests.support import certificates as make
from tests.support.console import INSTALLATION_ADMIN, settle, wait_until
from tests.support.constants import FIXED_NOW


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A PEC home with ``webserver`` and no ``chaves`` yet."""
    path = tmp_path / "e-SUS"
    (path / "webserver").mkdir(parents=True)
    return path


@pytest.fixture
def incoming(tmp_path: Path, monkeypatch) -> Path:
    """Where the administrator stands (the file picker opens here) with the files to add."""
    folder = tmp_path / "recebidos"
    folder.mkdir()
    make.pfx(folder / "a-municipio.pfx")
    make.cer(folder / "b-portal.cer")
    make.pfx(folder / "c-vencido.pfx", not_after=FIXED_NOW - dt.timedelta(days=3))
    monkeypatch.chdir(folder)
    return folder


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def certificate_events() -> list[str]:
    return [e.details for e in AuditEvent.select().where(AuditEvent.component == "pec-tui/certificados")]


async def pick(pilot, downs: int) -> None:
    """A opens the file picker (whose tree loads in a worker that never ends while it is open, so
    no ``settle`` there); choose the ``downs``-th file below the folder."""
    await pilot.press("a")
    await wait_until(
        pilot,
        lambda: bool(
            getattr(pilot.app.screen.query("#picker-tree").first(None), "root", None)
            and pilot.app.screen.query_one("#picker-tree").root.children
        ),
    )
    await pilot.press(*["down"] * downs, "enter")
    await pilot.pause()
    await settle(pilot)


def cell(screen, row: int, column: str) -> str:
    table = screen.table
    return str(table.get_cell_at((row, table.get_column_index(column))))


async def test_create_folder_add_refuse_verify_and_remove(console_on, home: Path, incoming: Path):
    chaves = home / "webserver" / "chaves"
    async with console_on("certificados", as_=INSTALLATION_ADMIN, pec_home=home, size=(100, 32)) as pilot:
        screen = pilot.app.screen
        assert "não existe" in str(screen.query_one("#certs-folder").render())
        # C, then Enter on the confirmation: focus starts on «Cancelar», so nothing is created
        await pilot.press("c")
        await settle(pilot)
        assert pilot.app.focused.id == "confirm-no"
        await pilot.press("enter")
        await settle(pilot)
        assert not chaves.exists()
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("left", "enter")
        await settle(pilot)
        assert chaves.is_dir() and stat.S_IMODE(chaves.stat().st_mode) == 0o700

        # a .cer is refused at once, with the manual's reason; nothing is written
        await pick(pilot, 2)
        assert list(chaves.iterdir()) == []

        # the .pfx: a wrong password is said on the dialog, then the right one adds it
        await pick(pilot, 1)
        await pilot.press(*"errada", "enter")
        await settle(pilot)
        dialog = pilot.app.screen
        assert "A senha não abre o certificado a-municipio.pfx" in str(
            dialog.query_one("#cert-password-error").render()
        )
        assert list(chaves.iterdir()) == []
        dialog.query_one("#cert-password").value = ""
        await pilot.press(*make.PASSWORD, "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert stat.S_IMODE((chaves / "a-municipio.pfx").stat().st_mode) == 0o600
        assert cell(screen, 0, "document") == "83.102.335/0001-13"
        assert cell(screen, 0, "validity") == f"{FIXED_NOW + dt.timedelta(days=335):%d/%m/%Y} (335 dias)"
        assert cell(screen, 0, "key") == "sim"
        assert "Emissor: AC Teste do pec-tui v5" in str(screen.query_one("#certs-detail").render())

        # an expired file is refused on the dialog, naming the reason; the folder is unchanged
        before = digest(chaves)
        await pick(pilot, 3)
        await pilot.press(*make.PASSWORD, "enter")
        await settle(pilot)
        error = str(pilot.app.screen.query_one("#cert-password-error").render())
        assert "c-vencido.pfx recusado: o certificado venceu em" in error
        await pilot.press("escape")
        await settle(pilot)
        assert digest(chaves) == before

        # Remover: focus on «Cancelar» first; then confirmed
        await pilot.press("delete")
        await settle(pilot)
        assert pilot.app.focused.id == "confirm-no"
        await pilot.press("left", "enter")
        await settle(pilot)
        assert list(chaves.iterdir()) == []
        assert screen.table.row_count == 0

    events = certificate_events()
    assert events[0].startswith("Pasta de certificados criada:")
    assert events[1].startswith("Certificado adicionado na pasta chaves: a-municipio.pfx")
    assert events[2] == "Arquivo removido da pasta chaves: a-municipio.pfx."
    assert len(events) == 3


async def test_password_needed_until_verified(console_on, home: Path):
    chaves = home / "webserver" / "chaves"
    chaves.mkdir(mode=0o700)
    make.pfx(chaves / "municipio.pfx", cnpj=None, cpf=make.CPF, not_after=FIXED_NOW + dt.timedelta(days=12))
    async with console_on("certificados", as_=INSTALLATION_ADMIN, pec_home=home) as pilot:
        screen = pilot.app.screen
        assert cell(screen, 0, "document") == "senha necessária"
        assert "Senha necessária para ler." in str(screen.query_one("#certs-detail").render())
        await pilot.press("enter")  # Enter verifies too
        await settle(pilot)
        await pilot.press(*make.PASSWORD, "enter")
        await settle(pilot)
        assert cell(screen, 0, "document") == "529.982.247-25"
        assert cell(screen, 0, "validity") == f"{FIXED_NOW + dt.timedelta(days=12):%d/%m/%Y} (12 dias)"
    assert certificate_events()[0].startswith("Certificado verificado: municipio.pfx")


async def test_demo_without_pec_home_uses_its_own_folder(console_on, hermetic_env):
    async with console_on("certificados", as_=INSTALLATION_ADMIN) as pilot:
        text = str(pilot.app.screen.query_one("#certs-folder").render()).replace("\n", " ")
        assert "demonstracao-pec/webserver/chaves não existe" in text
