"""Cópias fora do servidor on the Cópias de segurança tab, by keyboard, against a real loopback sshd:
configure, refuse then confirm the host key's fingerprint (the dialog starts on «Cancelar»), make
a copy and see it uploaded; a key the server refuses and an empty field stay on the dialog. Then
snapshots of the tab's SFTP line, the settings dialog and the fingerprint dialog (fixed values)."""

from __future__ import annotations

import subprocess

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from textual.widgets import Button, Input, Static

from pec_tui.domain import settings
from pec_tui.domain.tarefas import backup, offsite
from pec_tui.screens.tarefas import SftpDialog, SftpSaved, TarefasScreen
from pec_tui.storage.database import transaction
from pec_tui.widgets.dialogs import ConfirmDialog
from tests.support.console import INSTALLATION_ADMIN, logged_in, settle, wait_until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def line(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_tab(pilot) -> TarefasScreen:
    screen = pilot.app.screen
    assert isinstance(screen, TarefasScreen)
    await wait_until(pilot, lambda: screen.overview is not None)
    await pilot.press("s")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SftpDialog))
    return screen


def fill(dialog: SftpDialog, server, key) -> None:
    values = {
        "#sftp-servidor": server.host,
        "#sftp-porta": str(server.port),
        "#sftp-usuario": server.user,
        "#sftp-chave": str(key),
        "#sftp-pasta": str(server.remote),
    }
    for selector, value in values.items():
        dialog.query_one(selector, Input).value = value


async def test_configure_confirm_the_fingerprint_and_see_a_copy_uploaded(console_on, sshd, tmp_path):
    backup.keygen(tmp_path / "identidade.txt")
    fingerprint = subprocess.run(["ssh-keygen", "-lf", str(sshd.host_key)], capture_output=True, text=True).stdout
    fingerprint = fingerprint.split()[1]
    async with console_on("tarefas", as_=INSTALLATION_ADMIN, notifications=True) as pilot:
        screen = await open_tab(pilot)
        assert line(screen, "#copias-sftp").startswith("Fora do servidor: não configurado; S configura")
        fill(pilot.app.screen, sshd, sshd.client_key)
        await pilot.press("enter")  # on the first field: saves and connects
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), timeout=20)
        confirm = pilot.app.screen
        await settle(pilot)
        assert confirm.query_one("#confirm-no", Button).has_focus  # starts on «Cancelar»
        assert fingerprint in str(confirm.query_one(".dialog-message", Static).render())
        await pilot.press("enter")  # Cancelar: nothing accepted
        await settle(pilot)
        assert not offsite.known_hosts_path().exists()
        not_accepted = "Chave do servidor ainda não aceita"
        await wait_until(pilot, lambda: not_accepted in line(screen, "#copias-sftp"), timeout=20)

        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SftpDialog))
        assert pilot.app.screen.query_one("#sftp-porta", Input).value == str(sshd.port)  # what is stored
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), timeout=20)
        await settle(pilot)
        await pilot.press("left", "enter")  # Aceitar a chave
        await wait_until(pilot, lambda: "E envia a cópia escolhida" in line(screen, "#copias-sftp"), timeout=20)
        assert offsite.known_hosts_path().exists()
        assert any(n.message.startswith("Chave aceita; conectado a sftp://") for n in pilot.app._notifications)

        await pilot.press("c")  # the backup job: the copy, then the upload
        copies = screen.copies_table
        uploaded = lambda: copies.row_count == 1 and str(copies.get_row_at(0)[5]) == "sim"  # noqa: E731
        await wait_until(pilot, uploaded, timeout=20)
        [(path, _manifest)] = backup.list_copies()
        assert (sshd.remote / path.name).read_bytes() == path.read_bytes()

        sshd.stop()
        await pilot.press("e")  # send it again: the server is down
        await wait_until(pilot, lambda: str(copies.get_row_at(0)[5]) == "FALHOU", timeout=20)
        assert any(n.message.startswith("Não foi possível conectar") for n in pilot.app._notifications)


async def test_a_refused_key_and_an_empty_field_stay_on_the_dialog(console_on, sshd, tmp_path):
    async with console_on("tarefas", as_=INSTALLATION_ADMIN, notifications=True) as pilot:
        await open_tab(pilot)
        dialog = pilot.app.screen
        await pilot.press("enter")
        await settle(pilot)
        assert line(dialog, "#sftp-error") == "Informe o servidor SFTP (nome ou IP)."
        assert dialog.query_one("#sftp-servidor", Input).has_focus
        fill(dialog, sshd, sshd.stranger_key)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), timeout=20)
        await settle(pilot)
        await pilot.press("left", "enter")  # the key is accepted; the login is refused
        await settle(pilot)
        assert offsite.known_hosts_path().exists()
        assert any("recusou a chave" in n.message for n in pilot.app._notifications)
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SftpDialog))
        dialog = pilot.app.screen
        await pilot.press("enter")
        await wait_until(pilot, lambda: line(dialog, "#sftp-error") != "", timeout=20)
        refused = "Configuração salva, mas a conexão falhou: O servidor 127.0.0.1 recusou a chave"
        assert line(dialog, "#sftp-error").replace("\n", " ").startswith(refused)
        assert not dialog.query_one("#sftp-salvar", Button).disabled


# --------------------------------------------------------------------------------------------
# Snapshots (fixed server, key and fingerprint: no live server on screen)
# --------------------------------------------------------------------------------------------

FIXED = offsite.SftpConfig("backup.exemplo.gov.br", 2222, "copias", "/root/.ssh/id_ed25519", "/srv/copias")


def fixed_host_key() -> paramiko.PKey:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    message = paramiko.Message()
    message.add_string("ssh-ed25519")
    message.add_string(public)
    return paramiko.Ed25519Key(data=bytes(message))


@pytest.fixture
def fixed_sftp(demo_db, tmp_path, monkeypatch):
    import os
    import shutil

    # The copies' folder is on screen: relative, the same every run (as test_tarefas_copies_tab).
    shutil.copytree(os.environ["PEC_TUI_DATA_DIR"], tmp_path / "dados", dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PEC_TUI_DATA_DIR", "dados")
    with transaction():
        settings.put(backup.RECIPIENT_KEY, text="age1c07l5xagshchtm4w6c0rr95rln764krhlnl44e0t5xg0zhknu5hsm0haw0")
        settings.put(offsite.HOST_KEY, text=FIXED.host)
        settings.put(offsite.PORT_KEY, integer=FIXED.port)
        settings.put(offsite.USER_KEY, text=FIXED.user)
        settings.put(offsite.KEY_FILE_KEY, text=FIXED.key_file)
        settings.put(offsite.FOLDER_KEY, text=FIXED.folder)


async def on_copies_tab(pilot) -> TarefasScreen:
    await logged_in(pilot, "tarefas", as_=INSTALLATION_ADMIN)
    screen = pilot.app.screen
    await wait_until(pilot, lambda: screen.overview is not None)
    await pilot.press("v")  # no copy: only moves to the tab
    await wait_until(pilot, lambda: screen.copies_table.has_focus)
    return screen


@pytest.mark.parametrize("size", SIZES)
def test_copies_tab_with_sftp_configured(snap_compare, make_app, fixed_sftp, size):
    offsite._remember(FIXED.host_id, fixed_host_key())

    async def ready(pilot):
        screen = await on_copies_tab(pilot)
        await wait_until(pilot, lambda: "E envia" in line(screen, "#copias-sftp"))
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_sftp_dialog(snap_compare, make_app, fixed_sftp, size):
    async def ready(pilot):
        await on_copies_tab(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SftpDialog))
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_fingerprint_dialog(snap_compare, make_app, fixed_sftp, size):
    async def ready(pilot):
        screen = await on_copies_tab(pilot)
        unknown = offsite.UnknownHostKey(FIXED, fixed_host_key())
        screen._sftp_saved(SftpSaved(FIXED, None, unknown))
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=ready)
