"""``pec-tui certs list|check|add|remove``: the installed command, on a real folder and database.

The command runs with the real clock, so its certificates are valid around the real now."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import stat
from pathlib import Path

import pytest

from pec_tui.domain.installation import init_installation
from pec_tui.storage.database import DatabaseTarget, open_database, sqlite_url
from pec_tui.storage.models import AuditEvent
from tests.support import certificates as make
from tests.support.constants import ADMIN_CPF

NOW = dt.datetime.now().replace(microsecond=0)
VALID = {"not_before": NOW - dt.timedelta(days=10), "not_after": NOW + dt.timedelta(days=200, hours=1)}


@pytest.fixture
def database(sqlite_template, tmp_path) -> str:
    path = tmp_path / "pec.sqlite3"
    shutil.copyfile(sqlite_template, path)
    url = sqlite_url(path)
    opened = open_database(DatabaseTarget(url, "--database"))
    try:
        init_installation(
            municipio="4204202", admin_cpf=ADMIN_CPF, admin_name="Helena Martins", admin_password="Senha1234"
        )
    finally:
        opened.close()
    return url


@pytest.fixture
def chaves(tmp_path: Path) -> Path:
    folder = tmp_path / "chaves"
    folder.mkdir(mode=0o700)
    return folder


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "senha-cert.txt"
    path.write_text(make.PASSWORD + "\n", encoding="utf-8")
    return path


def audit_details(url: str) -> list[str]:
    opened = open_database(DatabaseTarget(url, "--database"))
    try:
        return [e.details for e in AuditEvent.select().where(AuditEvent.component == "pec-tui/certificados")]
    finally:
        opened.close()


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_add_then_list_json_then_remove(run_cli, database, chaves, tmp_path, password_file):
    source = make.pfx(tmp_path / "municipio.pfx", **VALID)
    added = run_cli("--database", database, "certs", "add", str(source), "--password-file", str(password_file),
                    "--chaves", str(chaves), "--json")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["certificado"]["cnpj"] == make.CNPJ
    assert stat.S_IMODE((chaves / "municipio.pfx").stat().st_mode) == 0o600

    listed = run_cli("--database", database, "certs", "list", "--chaves", str(chaves), "--json")
    assert listed.returncode == 0, listed.stderr
    (entry,) = json.loads(listed.stdout)["arquivos"]
    # the listing has no password: the file is named, its size given, and the password asked for
    assert entry["nome"] == "municipio.pfx" and entry["certificado"] is None
    assert entry["aviso"] == "senha necessária para ler" and entry["tamanho"] > 0

    removed = run_cli("--database", database, "certs", "remove", "municipio.pfx", "--chaves", str(chaves))
    assert removed.returncode == 0, removed.stderr
    assert list(chaves.iterdir()) == []
    details = audit_details(database)
    assert details[0].startswith("Certificado adicionado na pasta chaves: municipio.pfx")
    assert details[1] == "Arquivo removido da pasta chaves: municipio.pfx."


def test_check_json_prints_the_certificate(run_cli, tmp_path, password_file):
    source = make.pfx(tmp_path / "pessoa.p12", cnpj=None, cpf=make.CPF, **VALID)
    result = run_cli("certs", "check", str(source), "--password-file", str(password_file), "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["cpf"] == make.CPF and found["cnpj"] is None
    assert found["emissor"] == make.ISSUER and found["tem_chave"] is True
    assert found["valido_ate"] == VALID["not_after"].isoformat(sep=" ")
    assert found["dias_restantes"] == 200


def test_check_openssl_made_certificate(run_cli, tmp_path, password_file):
    source = make.pfx_by_openssl(tmp_path)
    result = run_cli("certs", "check", str(source), "--password-file", str(password_file))
    assert result.returncode == 0, result.stderr
    assert "CNPJ 83.102.335/0001-13" in result.stdout and "Chave privada: sim" in result.stdout


def test_check_wrong_password_exits_1_with_a_sentence(run_cli, tmp_path):
    source = make.pfx(tmp_path / "municipio.pfx", **VALID)
    wrong = tmp_path / "errada.txt"
    wrong.write_text("errada")
    result = run_cli("certs", "check", str(source), "--password-file", str(wrong), "--json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "pec-tui: A senha não abre o certificado municipio.pfx: confira a senha.\n"


def test_check_without_password_file_and_no_terminal_is_refused(run_cli, tmp_path):
    source = make.pfx(tmp_path / "municipio.pfx", **VALID)
    result = run_cli("certs", "check", str(source))
    assert result.returncode == 1
    assert "--password-file" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "kwargs", "reason"),
    [
        ("portal.cer", None, ".cer não é aceito pelo PEC"),
        ("vencido.pfx", {"not_before": NOW - dt.timedelta(days=400), "not_after": NOW - dt.timedelta(days=1)},
         "recusado: o certificado venceu em"),
        ("semchave.pfx", {"with_key": False, **VALID}, "não tem a chave privada"),
    ],
)  # fmt: skip
def test_add_refusals_write_nothing(run_cli, database, chaves, tmp_path, password_file, name, kwargs, reason):
    make.pfx(chaves / "existente.pfx", **VALID)
    before = digest(chaves)
    source = make.cer(tmp_path / name, **VALID) if kwargs is None else make.pfx(tmp_path / name, **kwargs)
    result = run_cli("--database", database, "certs", "add", str(source), "--password-file", str(password_file),
                     "--chaves", str(chaves))  # fmt: skip
    assert result.returncode == 1
    assert reason in result.stderr and "Nada foi gravado na pasta." in result.stderr
    assert digest(chaves) == before
    assert audit_details(database) == []


def test_add_existing_name_needs_substituir(run_cli, database, chaves, tmp_path, password_file):
    make.pfx(chaves / "municipio.pfx", name="ANTIGO", **VALID)
    source = make.pfx(tmp_path / "municipio.pfx", name="NOVO", **VALID)
    args = ["--database", database, "certs", "add", str(source), "--password-file", str(password_file),
            "--chaves", str(chaves)]  # fmt: skip
    refused = run_cli(*args)
    assert refused.returncode == 1 and "Já existe municipio.pfx" in refused.stderr
    replaced = run_cli(*args, "--substituir")
    assert replaced.returncode == 0, replaced.stderr
    assert "Assunto: NOVO" in replaced.stdout


def test_list_text_and_missing_folder(run_cli, database, chaves, tmp_path):
    make.pfx(chaves / "aberto.p12", password="", **VALID)
    make.cer(chaves / "portal.cer", **VALID)
    result = run_cli("--database", database, "certs", "list", "--chaves", str(chaves))
    assert result.returncode == 0, result.stderr
    assert (
        "- aberto.p12: PREFEITURA MUNICIPAL DE TESTE:83102335000113; CNPJ 83.102.335/0001-13; vence em" in result.stdout
    )
    assert "- portal.cer (" in result.stdout and "não é aceito pelo PEC" in result.stdout
    missing = run_cli("--database", database, "certs", "list", "--chaves", str(tmp_path / "nao-ha"))
    assert missing.returncode == 1 and "não existe" in missing.stderr


def test_without_folder_or_pec_home_says_how(run_cli, database):
    result = run_cli("--database", database, "certs", "list")
    assert result.returncode == 1
    assert "--chaves PASTA" in result.stderr and "--pec-home" in result.stderr


def test_chaves_under_pec_home(run_cli, database, tmp_path):
    home = tmp_path / "e-SUS"
    (home / "webserver" / "chaves").mkdir(parents=True)
    make.pfx(home / "webserver" / "chaves" / "aberto.pfx", password="", **VALID)
    result = run_cli("--database", database, "--pec-home", str(home), "certs", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pasta"] == str(home / "webserver" / "chaves")
