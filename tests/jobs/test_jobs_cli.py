"""``pec-tui jobs list|run-now|history|install-service`` as installed commands."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from pec_tui.storage.database import sqlite_url


@pytest.fixture
def url(sqlite_template, tmp_path) -> str:
    path = tmp_path / "pec.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return sqlite_url(path)


def test_list_run_now_and_history(run_cli, url):
    listed = run_cli("--database", url, "jobs", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert data["agendador"] is None
    assert [job["nome"] for job in data["tarefas"]] == ["conexao", "certificados", "auditoria", "backup", "historico"]
    assert data["tarefas"][0]["agenda"] == "a cada minuto"
    assert data["tarefas"][2]["agenda"] == "todo dia às 03:00"
    assert all(job["ultima_execucao"] is None for job in data["tarefas"])

    ran = run_cli("--database", url, "jobs", "run-now", "auditoria")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "Cadeia da auditoria: sucesso. Trilha de auditoria íntegra: 0 eventos verificados.\n"
    ran = run_cli("--database", url, "jobs", "run-now", "conexao", "--json")
    assert json.loads(ran.stdout)["resultado"] == "sucesso"

    history = json.loads(run_cli("--database", url, "jobs", "history", "--json").stdout)
    assert [(run["tarefa"], run["disparo"]) for run in history] == [
        ("conexao", "linha de comando"),
        ("auditoria", "linha de comando"),
    ]
    only = run_cli("--database", url, "jobs", "history", "--job", "auditoria", "--limit", "5")
    assert only.returncode == 0 and "auditoria" in only.stdout and "conexao" not in only.stdout
    listed = json.loads(run_cli("--database", url, "jobs", "list", "--json").stdout)
    assert listed["tarefas"][2]["ultima_execucao"]["resultado"] == "sucesso"


def test_unknown_job_is_one_sentence(run_cli, url):
    result = run_cli("--database", url, "jobs", "run-now", "nada")
    assert result.returncode == 1
    assert result.stderr == (
        "pec-tui: Não há tarefa chamada 'nada'; as tarefas são: conexao, certificados, auditoria, backup, historico.\n"
    )


def test_install_service_writes_a_unit_systemd_accepts(run_cli, url, tmp_path):
    units = tmp_path / "units"
    units.mkdir()
    result = run_cli("--database", url, "jobs", "install-service", "--unit-dir", str(units), "--user", "root")
    assert result.returncode == 0, result.stderr
    unit = (units / "pec-tui-jobs.service").read_text()
    assert f"--database {url} jobs run" in unit and "User=root" in unit
    assert result.stdout.endswith("sudo systemctl daemon-reload\n  sudo systemctl enable --now pec-tui-jobs.service\n")
    if shutil.which("systemd-analyze"):  # what the command ran itself; here on its own, to be sure
        import subprocess

        checked = subprocess.run(["systemd-analyze", "verify", str(units / "pec-tui-jobs.service")], check=False)
        assert checked.returncode == 0


def test_a_password_never_goes_on_the_command_line(run_cli, tmp_path):
    units = tmp_path / "units"
    units.mkdir()
    secret = "postgresql://pec:s3gr3d0@127.0.0.1:5432/esus"
    result = run_cli("--database", secret, "jobs", "install-service", "--unit-dir", str(units))
    assert result.returncode == 0, result.stderr
    unit = (units / "pec-tui-jobs.service").read_text()
    assert "s3gr3d0" not in unit and "s3gr3d0" not in result.stdout
    assert f"EnvironmentFile={units / 'pec-tui-jobs.env'}" in unit
    env = units / "pec-tui-jobs.env"
    assert env.read_text() == f"PEC_TUI_DATABASE={secret}\n"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600


def test_a_missing_unit_folder_is_one_sentence(run_cli, url, tmp_path):
    result = run_cli("--database", url, "jobs", "install-service", "--unit-dir", str(tmp_path / "nada"))
    assert result.returncode == 1
    assert (
        result.stderr == f"pec-tui: A pasta {tmp_path / 'nada'} não existe; crie-a ou indique outra com --unit-dir.\n"
    )


def test_the_embedded_database_is_written_out(run_cli, hermetic_env, tmp_path):
    """Without --database the unit names the file this command would open (not the service user's)."""
    units = tmp_path / "units"
    units.mkdir()
    result = run_cli("jobs", "install-service", "--unit-dir", str(units))
    assert result.returncode == 0, result.stderr
    unit = (units / "pec-tui-jobs.service").read_text()
    assert f"--database sqlite:///{hermetic_env}/pec-tui.sqlite3 jobs run" in unit


def test_backup_now_list_and_verify_from_the_command_line(run_cli, url, tmp_path):
    copies = tmp_path / "copias"
    made = run_cli("--database", url, "backup", "now", "--dest", str(copies), "--json")
    assert made.returncode == 0, made.stderr
    path = json.loads(made.stdout)["caminho"]
    listed = run_cli("--database", url, "backup", "list", "--dest", str(copies))
    assert "SEM CIFRA" in listed.stdout
    verified = run_cli("--database", url, "backup", "verify", path)
    assert verified.returncode == 0 and verified.stdout.startswith("Cópia íntegra: restaurada num banco temporário")
    with open(path, "r+b") as handle:
        handle.truncate(100)
    broken = run_cli("--database", url, "backup", "verify", path)
    assert broken.returncode == 1
    assert broken.stderr.startswith("pec-tui: A cópia tem 100 bytes e o manifesto diz ")
    assert "\n" not in broken.stderr.rstrip("\n")


def test_the_backup_job_runs_like_the_others(run_cli, url):
    ran = run_cli("--database", url, "jobs", "run-now", "backup")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("Cópia de segurança: sucesso. Cópia pec-tui-")
    assert "Sem cifra" in ran.stdout


def test_backup_restore_and_retention_from_the_command_line(run_cli, url, tmp_path):
    copies = tmp_path / "copias"
    made = run_cli("--database", url, "backup", "now", "--dest", str(copies), "--json")
    path = json.loads(made.stdout)["caminho"]
    target = tmp_path / "restaurado.sqlite3"
    restored = run_cli("--database", url, "backup", "restore", path, "--database", sqlite_url(target))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"Cópia {Path(path).name} restaurada em {sqlite_url(target)} e conferida: ")
    again = run_cli("--database", url, "backup", "restore", path, "--database", sqlite_url(target), "--json")
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.startswith(f"pec-tui: O banco {target} não está vazio (tem ")
    live = run_cli("--database", url, "backup", "restore", path, "--database", url)
    assert live.returncode == 1 and "Esse é o banco que o console está usando" in live.stderr
    missing = run_cli("--database", url, "backup", "restore", path)
    assert missing.returncode == 2 and "--database" in missing.stderr

    shown = run_cli("--database", url, "backup", "retention")
    assert shown.stdout == "Retenção: mantém 7 cópias diárias e 12 mensais, e sempre a mais recente.\n"
    changed = run_cli("--database", url, "backup", "retention", "--daily", "3", "--json")
    assert json.loads(changed.stdout) == {"diarias": 3, "mensais": 12}
    refused = run_cli("--database", url, "backup", "retention", "--monthly", "0", "--daily", "0")
    assert (refused.returncode, refused.stderr) == (1, "pec-tui: Mantenha ao menos uma cópia diária ou mensal.\n")
