"""The host doctor against a prepared database with each problem present, on SQLite and
PostgreSQL; its host checks against a fake installation folder; ``pec-tui doctor`` itself."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
from collections import namedtuple
from pathlib import Path

import pytest

from pec_tui.domain import diagnostico, settings
from pec_tui.domain.diagnostico import ERROR, OK, WARNING, DoctorConfig
from pec_tui.storage import diagnostics
from pec_tui.storage.database import current_database, is_postgres, transaction
from pec_tui.storage.models import Professional, ProfessionalCnsHistory, ServiceToggle, User
from tests.support.constants import FIXED_NOW
from tests.support.host_data import PEC_VERSION, closed_port, make_pec_home

DiskUsage = namedtuple("DiskUsage", "total used free")
GIB = 1024**3


# --------------------------------------------------------------------------------------------
# The host: a fake PEC installation folder, the PEC application, a closed port
# --------------------------------------------------------------------------------------------


@pytest.fixture
def pec_app(httpserver):
    """PEC answering ``/api/public/info`` on loopback, and its root (the installation link)."""
    httpserver.expect_request("/api/public/info").respond_with_json({"versao": PEC_VERSION, "tipo": "PRONTUARIO"})
    httpserver.expect_request("/").respond_with_data("PEC")
    return httpserver


@pytest.fixture
def plenty_of_disk(monkeypatch):
    monkeypatch.setattr(diagnostico.shutil, "disk_usage", lambda path: DiskUsage(500 * GIB, 100 * GIB, 400 * GIB))


@pytest.fixture
def liquibase_table(db):
    """``databasechangeloglock`` as Liquibase creates it (dropped afterwards, so the PostgreSQL
    test database need not be cloned again)."""
    database = current_database()
    database.execute_sql(
        "CREATE TABLE databasechangeloglock (id INTEGER NOT NULL PRIMARY KEY, locked BOOLEAN NOT NULL, "
        "lockgranted TIMESTAMP, lockedby VARCHAR(255))"
    )
    yield database
    database.execute_sql("DROP TABLE IF EXISTS databasechangeloglock")


def lock(database, locked: bool, granted: dt.datetime | None, by: str | None) -> None:
    database.execute_sql("DELETE FROM databasechangeloglock")
    database.execute_sql(
        "INSERT INTO databasechangeloglock (id, locked, lockgranted, lockedby) VALUES (1, %s, %s, %s)"
        if is_postgres(database)
        else "INSERT INTO databasechangeloglock (id, locked, lockgranted, lockedby) VALUES (1, ?, ?, ?)",
        (locked, granted, by),
    )


def professional(cpf: str, name: str, *, cns: str | None = None, blocked: bool = False) -> Professional:
    user = User.create(login=cpf, blocked=blocked)
    return Professional.create(cpf=cpf, name=name, cns=cns, user=user.id)


def clean_setup(installation, pec_app) -> None:
    """What a healthy installation has in tb_config_sistema."""
    with transaction():
        settings.put(settings.DATABASE_VERSION, text=PEC_VERSION)
        settings.put(settings.INSTALLATION_LINK, text=pec_app.url_for("/"))


def run(db, home: Path | None, url: str, **config) -> dict[str, diagnostico.Check]:
    report = diagnostico.run(db, DoctorConfig(pec_home=home, pec_url=url, http_timeout=2, **config))
    assert [check.key for check in report.checks] == list(diagnostico.TITLES)
    return {check.key: check for check in report.checks}


# --------------------------------------------------------------------------------------------
# The clean installation
# --------------------------------------------------------------------------------------------


def test_clean_installation_is_all_ok(db, installation, pec_app, plenty_of_disk, tmp_path):
    clean_setup(installation, pec_app)
    home = make_pec_home(tmp_path, version=PEC_VERSION)
    report = diagnostico.run(db, DoctorConfig(pec_home=home, pec_url=pec_app.url_for("/api/public/info")))
    problems = {check.key: (check.status, check.found) for check in report.checks if check.status != OK}
    assert problems == {}
    assert not report.has_errors and report.status == OK
    checks = {check.key: check for check in report.checks}
    assert "acessível; tamanho" in checks["banco"].found
    assert checks["banco"].details["tamanho_bytes"] > 0
    assert checks["versao_banco"].found == f"VERSAOBANCODADOS = {PEC_VERSION}, a mesma do programa do PEC."
    assert checks["aplicacao_pec"].details["versao"] == PEC_VERSION
    assert checks["pasta_chaves"].details["certificados"] == ["municipio.pfx"]
    assert report.seconds < 5


def test_doctor_is_quick_when_the_network_checks_wait(db, installation, plenty_of_disk, tmp_path):
    """The network checks run together: two that each wait for their timeout take one timeout."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts the connection, never answers
    port = silent.getsockname()[1]
    try:
        with transaction():
            settings.put(settings.INSTALLATION_LINK, text=f"http://127.0.0.1:{port}/")
        report = diagnostico.run(
            db, DoctorConfig(pec_home=tmp_path, pec_url=f"http://127.0.0.1:{port}/api/public/info", http_timeout=1)
        )
    finally:
        silent.close()
    checks = {check.key: check for check in report.checks}
    assert "não respondeu em 1 s" in checks["aplicacao_pec"].found
    assert "não respondeu em 1 s" in checks["link_instalacao"].found
    assert report.seconds < 1.8


# --------------------------------------------------------------------------------------------
# Each problem
# --------------------------------------------------------------------------------------------


def test_missing_versaobancodados_is_an_error(db, installation, pec_app, plenty_of_disk):
    checks = run(db, None, pec_app.url_for("/api/public/info"))
    assert checks["versao_banco"].status == ERROR
    assert "não tem VERSAOBANCODADOS" in checks["versao_banco"].found


def test_version_of_the_program_different_from_the_database_is_an_error(db, installation, pec_app, tmp_path):
    with transaction():
        settings.put(settings.DATABASE_VERSION, text="5.3.19")
    home = make_pec_home(tmp_path, version=PEC_VERSION)
    check = run(db, home, pec_app.url_for("/api/public/info"))["versao_banco"]
    assert check.status == ERROR
    assert "VERSAOBANCODADOS = 5.3.19" in check.found and PEC_VERSION in check.found
    assert "não inicia" in check.found


def test_version_not_readable_from_the_host_is_not_verified_rather_than_ok(db, installation, pec_app, tmp_path):
    with transaction():
        settings.put(settings.DATABASE_VERSION, text=PEC_VERSION)
    check = run(db, make_pec_home(tmp_path), pec_app.url_for("/api/public/info"))["versao_banco"]
    assert check.status == WARNING
    assert check.found.startswith("Não verificado: a versão do programa do PEC não pôde ser lida")


def test_link_pointing_at_a_closed_port(db, installation, pec_app):
    port = closed_port()
    with transaction():
        settings.put(settings.INSTALLATION_LINK, text=f"http://127.0.0.1:{port}")
    check = run(db, None, pec_app.url_for("/api/public/info"))["link_instalacao"]
    assert check.status == WARNING
    assert f"conexão recusada na porta {port}" in check.found
    assert "Servidores" in check.action


def test_link_answering_404_is_not_ok(db, installation, pec_app, httpserver):
    httpserver.expect_request("/outro-servico").respond_with_data("não encontrado", status=404)
    with transaction():
        settings.put(settings.INSTALLATION_LINK, text=httpserver.url_for("/outro-servico"))
    check = run(db, None, pec_app.url_for("/api/public/info"))["link_instalacao"]
    assert check.status == WARNING, check.found
    assert "respondeu HTTP 404: o endereço não abre o PEC" in check.found


def test_link_not_set(db, installation, pec_app):
    check = run(db, None, pec_app.url_for("/api/public/info"))["link_instalacao"]
    assert check.status == WARNING and "não está definido" in check.found


def test_pec_application_answering_and_not(db, installation, pec_app):
    good = run(db, None, pec_app.url_for("/api/public/info"))["aplicacao_pec"]
    assert good.status == OK and f"versão {PEC_VERSION}" in good.found
    port = closed_port()
    bad = run(db, None, f"http://127.0.0.1:{port}/api/public/info")["aplicacao_pec"]
    assert bad.status == ERROR
    assert "conexão recusada" in bad.found and "systemctl status e-SUS-PEC" in bad.action


def test_pec_application_starting_answers_503(db, installation, httpserver):
    httpserver.expect_request("/api/public/info").respond_with_data("iniciando", status=503)
    check = run(db, None, httpserver.url_for("/api/public/info"))["aplicacao_pec"]
    assert check.status == WARNING and "HTTP 503" in check.found


def test_stale_liquibase_lock_says_since_when_and_by_whom(db, installation, pec_app, liquibase_table):
    lock(liquibase_table, True, FIXED_NOW - dt.timedelta(hours=3), "pec-servidor (10.0.0.5)")
    check = run(db, None, pec_app.url_for("/api/public/info"))["trava_liquibase"]
    assert check.status == ERROR
    assert "desde 20/11/2026 06:00" in check.found
    assert "por pec-servidor (10.0.0.5)" in check.found
    assert "UPDATE databasechangeloglock SET locked = false" in check.action
    assert check.details["por"] == "pec-servidor (10.0.0.5)"


def test_recent_liquibase_lock_may_be_an_update_in_progress(db, installation, pec_app, liquibase_table, clock):
    lock(liquibase_table, True, FIXED_NOW - dt.timedelta(minutes=2), "pec-servidor")
    assert run(db, None, pec_app.url_for("/api/public/info"))["trava_liquibase"].status == WARNING
    clock.advance(minutes=20)
    assert run(db, None, pec_app.url_for("/api/public/info"))["trava_liquibase"].status == ERROR


def test_free_liquibase_lock_and_no_table(db, installation, pec_app, liquibase_table):
    lock(liquibase_table, False, None, None)
    assert run(db, None, pec_app.url_for("/api/public/info"))["trava_liquibase"].status == OK


def test_cns_shared_by_two_professionals_names_them(db, installation, pec_app):
    cns = "898001160660006"
    with transaction():
        ana = professional("11144477735", "Ana Beatriz Souza", cns=cns)
        bruno = professional("16899535009", "Bruno Carvalho Lima", cns="700000000000005")
        ProfessionalCnsHistory.create(professional=ana.id, cns=cns)
        ProfessionalCnsHistory.create(professional=bruno.id, cns=cns)  # the known field problem
        ProfessionalCnsHistory.create(professional=bruno.id, cns="700000000000005")
    check = run(db, None, pec_app.url_for("/api/public/info"))["cns_compartilhado"]
    assert check.status == ERROR
    assert f"{cns} (Ana Beatriz Souza e Bruno Carvalho Lima)" in check.found
    assert check.details["cns"] == [
        {
            "cns": cns,
            "profissionais": [
                {"id": ana.id, "nome": "Ana Beatriz Souza"},
                {"id": bruno.id, "nome": "Bruno Carvalho Lima"},
            ],
        }
    ]


def test_cns_only_in_tb_prof_of_two_professionals(db, installation, pec_app):
    with transaction():
        professional("11144477735", "Ana Beatriz Souza", cns="898001160660006")
        professional("16899535009", "Bruno Carvalho Lima", cns="898001160660006")
    assert run(db, None, pec_app.url_for("/api/public/info"))["cns_compartilhado"].status == ERROR


def test_blocked_users_counted_and_named(db, installation, pec_app):
    with transaction():
        for cpf, name in [
            ("11144477735", "Carla Nunes Ferreira"),
            ("16899535009", "Daniel Rocha Pinto"),
            ("39053344705", "Elisa Moura Campos"),
            ("74682489098", "Fábio Teixeira Reis"),
        ]:
            professional(cpf, name, blocked=True)
    check = run(db, None, pec_app.url_for("/api/public/info"))["usuarios_bloqueados"]
    assert check.status == WARNING
    assert (
        check.found == "4 usuários bloqueados: Carla Nunes Ferreira, Daniel Rocha Pinto, Elisa Moura Campos e mais 1."
    )
    assert check.details["quantidade"] == 4


def test_timers_in_force_with_their_end(db, installation, pec_app, clock):
    with transaction():
        ServiceToggle.create(service="CADSUS", disabled_at=FIXED_NOW, disabled_until=FIXED_NOW + dt.timedelta(hours=2))
        ServiceToggle.create(service="HORUS", disabled_at=FIXED_NOW, disabled_until=None)
        ServiceToggle.create(
            service="INTERNET", disabled_at=FIXED_NOW - dt.timedelta(hours=1), disabled_until=FIXED_NOW
        )  # ended now: not in force
    check = run(db, None, pec_app.url_for("/api/public/info"))["temporizadores"]
    assert check.status == WARNING
    assert check.found == "Desabilitado: CADSUS até 20/11/2026 11:00 (faltam 2 h); Hórus por tempo indeterminado."
    clock.advance(hours=2)
    check = run(db, None, pec_app.url_for("/api/public/info"))["temporizadores"]
    assert check.found == "Desabilitado: Hórus por tempo indeterminado."


def test_chaves_world_readable_with_a_cer(db, installation, pec_app, tmp_path):
    home = make_pec_home(tmp_path)
    chaves = home / "webserver" / "chaves"
    (chaves / "municipio.cer").write_bytes(b"certificado sem chave")
    (chaves / "municipio.pfx").chmod(0o644)
    chaves.chmod(0o755)
    check = run(db, home, pec_app.url_for("/api/public/info"))["pasta_chaves"]
    assert check.status == ERROR
    assert "a pasta pode ser lida por qualquer usuário" in check.found
    assert "municipio.pfx pode ser lido por qualquer usuário" in check.found
    assert "municipio.cer: arquivo .cer não é aceito pelo PEC" in check.found
    assert f"chmod 700 {chaves}" in check.action and "chmod 600" in check.action
    assert check.details["arquivos_cer"] == ["municipio.cer"]


def test_chaves_folder_writable_by_anyone_is_an_error_readable_a_warning(db, installation, pec_app, tmp_path):
    home = make_pec_home(tmp_path)
    chaves = home / "webserver" / "chaves"
    chaves.chmod(0o755)
    check = run(db, home, pec_app.url_for("/api/public/info"))["pasta_chaves"]
    assert check.status == WARNING
    assert check.found.startswith(f"{chaves}: a pasta pode ser lida por qualquer usuário da máquina.")
    chaves.chmod(0o777)
    check = run(db, home, pec_app.url_for("/api/public/info"))["pasta_chaves"]
    assert check.status == ERROR and "lida e alterada por qualquer usuário" in check.found
    assert check.action == f"Rode: chmod 700 {chaves}."


def test_chaves_with_only_a_cer_is_a_warning(db, installation, pec_app, tmp_path):
    home = make_pec_home(tmp_path)
    chaves = home / "webserver" / "chaves"
    (chaves / "municipio.pfx").unlink()
    (chaves / "municipio.cer").write_bytes(b"x")
    check = run(db, home, pec_app.url_for("/api/public/info"))["pasta_chaves"]
    assert check.status == WARNING
    assert "nenhum certificado .pfx ou .p12" in check.found and ".cer não é aceito" in check.found


def test_chaves_missing(db, installation, pec_app, tmp_path):
    home = make_pec_home(tmp_path)
    shutil.rmtree(home / "webserver" / "chaves")
    check = run(db, home, pec_app.url_for("/api/public/info"))["pasta_chaves"]
    assert check.status == WARNING and "não existe" in check.found and "mkdir" in check.action


def test_without_the_installation_folder_host_checks_warn(db, installation, pec_app, tmp_path):
    checks = run(db, tmp_path / "nao-existe", pec_app.url_for("/api/public/info"))
    for key in ("disco_instalacao", "pasta_chaves"):
        assert checks[key].status == WARNING
        assert checks[key].found.startswith("Pasta de instalação do PEC não encontrada")
    checks = run(db, None, pec_app.url_for("/api/public/info"))
    assert checks["pasta_chaves"].found == "Pasta de instalação do PEC não encontrada."


@pytest.mark.parametrize(
    ("free_gib", "status"),
    [(400, OK), (40, WARNING), (4, WARNING), (12, OK), (0.5, ERROR)],
)
def test_disk_thresholds(db, installation, pec_app, tmp_path, monkeypatch, free_gib, status):
    total = 500 if free_gib != 12 else 100  # 12 of 100 GiB: above 10% and 5 GiB
    if free_gib == 4:
        total = 20  # 20%, but under 5 GiB
    monkeypatch.setattr(
        diagnostico.shutil, "disk_usage", lambda path: DiskUsage(int(total * GIB), 0, int(free_gib * GIB))
    )
    home = make_pec_home(tmp_path)
    checks = run(db, home, pec_app.url_for("/api/public/info"))
    assert checks["disco_instalacao"].status == status
    assert checks["disco_banco"].status == status
    assert str(home) in checks["disco_instalacao"].found


def test_disk_error_under_three_percent(db, installation, pec_app, tmp_path, monkeypatch):
    monkeypatch.setattr(diagnostico.shutil, "disk_usage", lambda path: DiskUsage(2000 * GIB, 0, 50 * GIB))
    check = run(db, make_pec_home(tmp_path), pec_app.url_for("/api/public/info"))["disco_instalacao"]
    assert check.status == ERROR
    assert check.found.startswith("50,0 GB livres de 2,0 TB (2%)")
    assert "Libere espaço" in check.action


def test_database_folder_is_measured(db, installation, pec_app, plenty_of_disk):
    check = run(db, None, pec_app.url_for("/api/public/info"))["disco_banco"]
    assert check.status == OK
    if is_postgres():  # the tests connect as postgres on 127.0.0.1: SHOW data_directory works
        assert check.details["pasta"] == diagnostics.data_directory()
    else:
        assert check.details["pasta"] == str(Path(db.db.database).resolve().parent)


@pytest.mark.parametrize("db", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_database_folder_not_readable_is_said(db, installation, pec_app, monkeypatch):
    """Only PostgreSQL has a data_directory to be refused (to a user without pg_read_all_settings)."""

    def refused():
        return current_database().execute_sql("SELECT current_setting('nao_existe.configuracao')").fetchone()[0]

    monkeypatch.setattr(diagnostics, "data_directory", refused)
    checks = run(db, None, pec_app.url_for("/api/public/info"))
    assert checks["disco_banco"].status == WARNING
    assert "não foi possível ler a pasta de dados do PostgreSQL" in checks["disco_banco"].found
    # The failed query did not spoil the connection for the checks after it.
    assert checks["banco"].status == OK and checks["usuarios_bloqueados"].status == OK


def test_schema_behind_the_program(db, installation, pec_app, monkeypatch):
    from pec_tui.storage import migrations

    monkeypatch.setattr(migrations, "LATEST_VERSION", migrations.LATEST_VERSION + 1)
    check = run(db, None, pec_app.url_for("/api/public/info"))["esquema"]
    assert check.status == ERROR and "pec-tui migrate" in check.action


def test_one_failing_check_does_not_stop_the_others(db, installation, pec_app, monkeypatch):
    def broken(limit: int = 50):
        current_database().execute_sql("SELECT * FROM tabela_que_nao_existe")

    monkeypatch.setattr(diagnostics, "shared_cns", broken)
    checks = run(db, None, pec_app.url_for("/api/public/info"))
    assert checks["cns_compartilhado"].status == ERROR
    assert checks["cns_compartilhado"].found.startswith("A verificação falhou: ")
    assert "tabela_que_nao_existe" in checks["cns_compartilhado"].found
    after = ("usuarios_bloqueados", "temporizadores", "aplicacao_pec", "banco")
    assert all(checks[key].status == OK for key in after), {key: checks[key].found for key in after}


def test_database_that_cannot_be_opened_still_runs_the_host_checks(pec_app, tmp_path, plenty_of_disk):
    home = make_pec_home(tmp_path)
    report = diagnostico.run(
        None,
        DoctorConfig(pec_home=home, pec_url=pec_app.url_for("/api/public/info")),
        open_error="Não foi possível conectar ao PostgreSQL em 127.0.0.1:5433: conexão recusada.",
    )
    checks = {check.key: check for check in report.checks}
    assert checks["banco"].status == ERROR and "5433" in checks["banco"].found
    assert checks["esquema"].found == "Não verificado: o banco de dados não pôde ser usado."
    assert checks["aplicacao_pec"].status == OK and checks["pasta_chaves"].status == OK
    assert report.has_errors


def test_text_report_is_a_table_with_what_to_do(db, installation, pec_app):
    report = diagnostico.run(db, DoctorConfig(pec_home=None, pec_url=pec_app.url_for("/api/public/info")))
    text = diagnostico.render_text(report, width=100)
    lines = text.splitlines()
    assert lines[0].split() == ["VERIFICAÇÃO", "ENCONTRADO", "/", "O", "QUE", "FAZER"]
    assert any(line.startswith("ERRO   Versão do banco do PEC") for line in lines)
    assert any(line.strip().startswith("→ O PEC compara essa chave") for line in lines)
    assert all(len(line) <= 100 for line in lines)
    assert lines[-1].startswith("13 verificações: ")


def test_format_bytes():
    assert diagnostico.format_bytes(0) == "0 bytes"
    assert diagnostico.format_bytes(1536) == "1,5 KB"
    assert diagnostico.format_bytes(5 * GIB) == "5,0 GB"


# --------------------------------------------------------------------------------------------
# pec-tui doctor
# --------------------------------------------------------------------------------------------


def seed_every_problem(database, home: Path) -> None:
    """Every problem the doctor knows, at once."""
    database.execute_sql(
        "CREATE TABLE databasechangeloglock (id INTEGER NOT NULL PRIMARY KEY, locked BOOLEAN NOT NULL, "
        "lockgranted TIMESTAMP, lockedby VARCHAR(255))"
    )
    lock(database, True, FIXED_NOW - dt.timedelta(days=1), "servidor-antigo")
    with transaction():
        settings.put(settings.INSTALLATION_LINK, text=f"http://127.0.0.1:{closed_port()}")
        ana = professional("11144477735", "Ana Beatriz Souza", cns="898001160660006", blocked=True)
        bruno = professional("16899535009", "Bruno Carvalho Lima")
        ProfessionalCnsHistory.create(professional=bruno.id, cns=ana.cns)
        ServiceToggle.create(service="HORUS", disabled_at=FIXED_NOW, disabled_until=None)
    chaves = home / "webserver" / "chaves"
    (chaves / "municipio.cer").write_bytes(b"x")
    chaves.chmod(0o777)


def doctor_json(run_cli, db, home: Path, url: str):
    result = run_cli("--database", db.target.url, "--pec-home", str(home), "doctor", "--json", "--pec-url", url)
    assert result.stderr == ""
    return result.returncode, json.loads(result.stdout)


def test_cli_json_reports_each_seeded_problem(run_cli, db, installation, pec_app, tmp_path):
    home = make_pec_home(tmp_path)
    seed_every_problem(current_database(), home)
    try:
        code, data = doctor_json(run_cli, db, home, f"http://127.0.0.1:{closed_port()}/api/public/info")
    finally:
        current_database().execute_sql("DROP TABLE IF EXISTS databasechangeloglock")
    assert code == 1
    assert data["situacao"] == "erro"
    by_key = {item["chave"]: item for item in data["verificacoes"]}
    assert list(by_key) == list(diagnostico.TITLES)
    expected = {
        "versao_banco": "erro",
        "link_instalacao": "aviso",
        "aplicacao_pec": "erro",
        "trava_liquibase": "erro",
        "cns_compartilhado": "erro",
        "usuarios_bloqueados": "aviso",
        "pasta_chaves": "erro",
        "temporizadores": "aviso",
        "banco": "ok",
        "esquema": "ok",
    }
    assert {key: by_key[key]["situacao"] for key in expected} == expected
    assert "servidor-antigo" in by_key["trava_liquibase"]["encontrado"]
    assert "Ana Beatriz Souza e Bruno Carvalho Lima" in by_key["cns_compartilhado"]["encontrado"]
    assert "Ana Beatriz Souza" in by_key["usuarios_bloqueados"]["encontrado"]
    assert "municipio.cer" in by_key["pasta_chaves"]["encontrado"]
    assert "Hórus por tempo indeterminado" in by_key["temporizadores"]["encontrado"]
    assert data["erros"] == sum(1 for item in data["verificacoes"] if item["situacao"] == "erro")


def test_cli_clean_installation_exits_0(run_cli, db, installation, pec_app, tmp_path):
    clean_setup(installation, pec_app)
    home = make_pec_home(tmp_path, version=PEC_VERSION)
    code, data = doctor_json(run_cli, db, home, pec_app.url_for("/api/public/info"))
    not_ok = {item["chave"]: item["encontrado"] for item in data["verificacoes"] if item["situacao"] != "ok"}
    # The disks are the machine's own: only a nearly full disk may spoil this test.
    assert set(not_ok) <= {"disco_instalacao", "disco_banco"}, not_ok
    assert code == (1 if data["erros"] else 0)
    assert data["erros"] == 0, not_ok


def test_cli_text_and_a_database_that_cannot_be_opened(run_cli, tmp_path):
    result = run_cli(
        "--database",
        f"sqlite:///{tmp_path / 'nao-existe.sqlite3'}",
        "doctor",
        "--pec-url",
        f"http://127.0.0.1:{closed_port()}/api/public/info",
    )
    assert result.returncode == 1
    assert result.stderr == ""
    assert "ERRO   Banco de dados" in result.stdout
    assert "não existe; crie-o com 'pec-tui init'" in " ".join(result.stdout.split())  # wrapped
    assert "Traceback" not in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("13 verificações: ")


def test_cli_pec_url_from_the_environment(run_cli, db, installation, pec_app, tmp_path):
    result = run_cli(
        "--database", db.target.url, "doctor", "--json", env={"PEC_TUI_PEC_URL": pec_app.url_for("/api/public/info")}
    )
    checks = {item["chave"]: item for item in json.loads(result.stdout)["verificacoes"]}
    assert checks["aplicacao_pec"]["situacao"] == "ok"


def test_cli_doctor_does_not_import_textual(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from pec_tui import cli; "
        "sys.argv=['pec-tui','--database','sqlite:///" + str(tmp_path / "x.sqlite3") + "','doctor','--json',"
        "'--pec-url','http://127.0.0.1:9/x']; "
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()): cli.main(sys.argv[1:])\n"
        "print('textual' in sys.modules)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("PEC_TUI_")}
    env["PEC_TUI_DATA_DIR"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
