"""``pec-tui backup sftp configure|check|push|remove`` and the remote copies in ``backup list``, as
installed commands against a real loopback sshd."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from pec_tui.storage.database import sqlite_url


@pytest.fixture
def url(sqlite_template, tmp_path) -> str:
    path = tmp_path / "pec.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return sqlite_url(path)


def test_configure_accept_the_host_key_push_and_list(run_cli, url, sshd, tmp_path):
    def cli(*args):
        return run_cli("--database", url, "backup", *args)

    assert cli("keygen", str(tmp_path / "identidade.txt")).returncode == 0
    configured = cli(
        "sftp", "configure", "--host", sshd.host, "--port", str(sshd.port), "--user", sshd.user,
        "--key-file", str(sshd.client_key), "--folder", str(sshd.remote),
    )  # fmt: skip
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.startswith(f"Cópias fora do servidor: sftp://{sshd.user}@127.0.0.1:{sshd.port}/")

    unknown = cli("sftp", "check", "--json")
    assert unknown.returncode == 1
    data = json.loads(unknown.stdout)
    expected = subprocess.run(["ssh-keygen", "-lf", str(sshd.host_key)], capture_output=True, text=True).stdout
    assert data == {
        "conhecido": False,
        "servidor": f"[127.0.0.1]:{sshd.port}",
        "impressao_digital": expected.split()[1],
        "tipo": "ssh-ed25519",
    }
    assert f"--accept-host-key {data['impressao_digital']}" in unknown.stderr

    accepted = cli("sftp", "check", "--accept-host-key", data["impressao_digital"])
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.startswith(f"Chave do servidor [127.0.0.1]:{sshd.port} aceita: ssh-ed25519 SHA256:")

    made = json.loads(cli("now", "--json").stdout)
    pushed = cli("sftp", "push", made["caminho"], "--json")
    assert pushed.returncode == 0, pushed.stderr
    sent = json.loads(pushed.stdout)
    assert sent["enviados"] == sent["tamanho"] == made["tamanho"] and not sent["ja_estava"]
    assert (sshd.remote / made["arquivo"]).stat().st_size == made["tamanho"]

    listed = json.loads(cli("list", "--json").stdout)
    assert [entry.get("onde", "local") for entry in listed] == ["local", "sftp"]
    assert listed[1]["arquivo"].endswith(f"/{made['arquivo']}") and listed[1]["manifesto"]["sha256"] == made["sha256"]
    text = cli("list").stdout
    assert f"No servidor sftp://{sshd.user}@127.0.0.1:{sshd.port}" in text and made["arquivo"] in text

    sshd.stop()
    down = cli("list")
    assert down.returncode == 1 and made["arquivo"] in down.stdout  # the local copies still listed
    assert down.stderr.startswith("pec-tui: as cópias do servidor SFTP não foram listadas: Não foi possível conectar")
    assert cli("list", "--local").returncode == 0

    removed = cli("sftp", "remove")
    assert removed.returncode == 0 and "desligado" in removed.stdout
    assert cli("list").returncode == 0
    refused = cli("sftp", "push", made["caminho"])
    assert refused.returncode == 1 and "não está configurado" in refused.stderr


def test_a_bad_option_is_a_sentence(run_cli, url, tmp_path):
    result = run_cli(
        "--database", url, "backup", "sftp", "configure", "--host", "h", "--port", "0", "--user", "u",
        "--key-file", "/k", "--folder", "/p",
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == "pec-tui: A porta do servidor SFTP deve ser um número de 1 a 65535.\n"


def test_a_key_with_a_passphrase_takes_it_from_stdin_never_from_the_command_line(run_cli, url, sshd, hermetic_env):
    import os

    from tests.conftest import pec_tui_command
    from tests.support.sshd import PASSPHRASE

    options = [
        "--database", url, "backup", "sftp", "configure", "--host", sshd.host, "--port", str(sshd.port),
        "--user", sshd.user, "--key-file", str(sshd.locked_key), "--folder", str(sshd.remote),
    ]  # fmt: skip
    needed = run_cli(*options)
    assert needed.returncode == 1
    assert needed.stderr.endswith("está protegida por frase-senha; informe a frase-senha (opção --passphrase).\n")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PEC_TUI_")}
    environment["PEC_TUI_DATA_DIR"] = str(hermetic_env)
    given = subprocess.run(
        [*pec_tui_command(), *options, "--passphrase"], input=PASSPHRASE + "\n", env=environment,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert given.returncode == 0, given.stderr
    assert "(com frase-senha, guardada cifrada)" in given.stdout and PASSPHRASE not in given.stdout
    fingerprint = subprocess.run(["ssh-keygen", "-lf", str(sshd.host_key)], capture_output=True, text=True)
    checked = run_cli("--database", url, "backup", "sftp", "check", "--accept-host-key", fingerprint.stdout.split()[1])
    assert checked.returncode == 0, checked.stderr  # the stored passphrase opens the key
