"""The installed ``pec-tui`` command: exit codes 0/1/2, one Portuguese sentence on refusal."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
from pathlib import Path

import pytest

from pec_tui.core.errors import AuthError
from pec_tui.domain import accounts
from pec_tui.domain.installation import init_installation
from pec_tui.storage.database import DatabaseTarget, open_database, sqlite_url
from pec_tui.storage.migrations import LATEST_VERSION

ADMIN_CPF = "52998224725"
PASSWORD = "Senha1234"
STATUS_KEYS = {"instalacao", "banco", "municipios", "contagens", "cnes_ultima_importacao", "tarefas"}


def init_args(url: str, password_file: Path) -> list[str]:
    return [
        "--database",
        url,
        "init",
        "--municipio",
        "4204202",
        "--admin-cpf",
        ADMIN_CPF,
        "--admin-name",
        "Helena Martins Duarte",
        "--admin-password-file",
        str(password_file),
    ]


def assert_refused_in_one_line(result, *words: str) -> str:
    """Exit 1, and stderr is one line ``pec-tui: ...`` with no traceback."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pec-tui: ")
    for word in words:
        assert word in lines[0]
    return lines[0]


@pytest.fixture
def password_file(tmp_path) -> Path:
    path = tmp_path / "senha.txt"
    path.write_text(f"{PASSWORD}\n", encoding="utf-8")
    return path


@pytest.fixture
def sqlite_installation(sqlite_template, tmp_path) -> str:
    """A SQLite installation, created in this process (``init`` itself is tested through the
    command below) to keep the suite quick; returns its URL."""
    path = tmp_path / "pec.sqlite3"
    shutil.copyfile(sqlite_template, path)
    url = sqlite_url(path)
    opened = open_database(DatabaseTarget(url, "--database"))
    try:
        init_installation(
            municipio="4204202", admin_cpf=ADMIN_CPF, admin_name="Helena Martins Duarte", admin_password=PASSWORD
        )
    finally:
        opened.close()
    return url


def add_audit_events(url: str, failures: int) -> None:
    """Wrong-password logins in this process: each one appends an audit event."""
    opened = open_database(DatabaseTarget(url, "--database"))
    try:
        for _ in range(failures):
            with pytest.raises(AuthError):
                accounts.authenticate(ADMIN_CPF, "Errada123")
    finally:
        opened.close()


def sqlite_path(url: str) -> str:
    return url.split(":///", 1)[1]


# --------------------------------------------------------------------------------------------
# init, status, audit verify on SQLite
# --------------------------------------------------------------------------------------------


def test_init_creates_the_installation(run_cli, tmp_path, password_file):
    url = sqlite_url(tmp_path / "pec.sqlite3")
    result = run_cli(*init_args(url, password_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Instalação criada: município Chapecó/SC; administrador da instalação 52998224725")
    assert (tmp_path / "pec.sqlite3").exists()


def test_init_twice_is_refused(run_cli, sqlite_installation, password_file):
    result = run_cli(*init_args(sqlite_installation, password_file))
    assert_refused_in_one_line(result, "já foi iniciada")


def test_init_with_weak_password_is_refused_before_creating_the_file(run_cli, tmp_path):
    weak = tmp_path / "fraca.txt"
    weak.write_text("fraca\n", encoding="utf-8")
    result = run_cli(*init_args(sqlite_url(tmp_path / "pec.sqlite3"), weak))
    assert_refused_in_one_line(result, "mínimo 8 caracteres")
    assert not (tmp_path / "pec.sqlite3").exists()


@pytest.mark.parametrize(
    ("replace", "words"),
    [
        (("4204202", "9999999"), "Não existe município com o código IBGE 9999999"),
        (("4204202", "42042"), "7 dígitos"),
        ((ADMIN_CPF, "52998224700"), "inválido"),
        (("Helena Martins Duarte", "H"), "nome completo"),
    ],
    ids=["ibge-inexistente", "ibge-curto", "cpf-invalido", "nome-curto"],
)
def test_init_with_a_bad_argument_leaves_no_database_file(run_cli, tmp_path, password_file, replace, words):
    old, new = replace
    args = [new if arg == old else arg for arg in init_args(sqlite_url(tmp_path / "pec.sqlite3"), password_file)]
    result = run_cli(*args)
    assert_refused_in_one_line(result, words)
    assert not (tmp_path / "pec.sqlite3").exists()


def test_init_with_a_missing_password_file_leaves_no_database_file(run_cli, tmp_path):
    result = run_cli(*init_args(sqlite_url(tmp_path / "pec.sqlite3"), tmp_path / "nao-existe.txt"))
    assert_refused_in_one_line(result, "arquivo ou pasta não encontrado")
    assert not (tmp_path / "pec.sqlite3").exists()


def test_init_without_password_file_and_without_terminal_is_refused(run_cli, tmp_path):
    args = init_args(sqlite_url(tmp_path / "pec.sqlite3"), tmp_path / "x")[:-2]
    result = run_cli(*args)
    assert_refused_in_one_line(result, "--admin-password-file")
    assert not (tmp_path / "pec.sqlite3").exists()


def test_status_json_has_the_expected_keys(run_cli, sqlite_installation):
    result = run_cli("--database", sqlite_installation, "status", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == STATUS_KEYS
    assert data["banco"]["tipo"] == "sqlite"
    assert data["banco"]["origem"] == "--database"
    assert data["municipios"] == [{"ibge": "4204202", "nome": "Chapecó", "uf": "SC"}]
    assert data["contagens"]["usuarios"] == 1
    assert data["contagens"]["usuarios_bloqueados"] == 0


def test_status_text_names_the_installation(run_cli, sqlite_installation):
    result = run_cli("--database", sqlite_installation, "status")
    assert result.returncode == 0, result.stderr
    assert "PEC Chapecó" in result.stdout
    assert "(0 bloqueados)" in result.stdout


def test_database_from_the_environment_is_used_without_the_option(run_cli, sqlite_installation):
    result = run_cli("status", "--json", env={"PEC_TUI_DATABASE": sqlite_installation})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["banco"]["origem"] == "PEC_TUI_DATABASE"


def test_audit_verify_reports_an_intact_trail_with_its_count(run_cli, sqlite_installation):
    add_audit_events(sqlite_installation, 2)
    result = run_cli("--database", sqlite_installation, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Trilha de auditoria íntegra: 3 eventos verificados."

    as_json = run_cli("--database", sqlite_installation, "audit", "verify", "--json")
    assert json.loads(as_json.stdout) == {
        "integra": True,
        "eventos": 3,
        "linha_quebrada": None,
        "verificacao_falha": None,
        "mensagem": "Trilha de auditoria íntegra: 3 eventos verificados.",
    }


def test_audit_verify_names_the_row_changed_by_hand(run_cli, sqlite_installation):
    add_audit_events(sqlite_installation, 3)
    with sqlite3.connect(sqlite_path(sqlite_installation)) as connection:
        connection.execute(
            "UPDATE pectui_evento_auditoria SET ds_detalhes = 'apagado' WHERE co_seq_evento_auditoria = 2"
        )
    result = run_cli("--database", sqlite_installation, "audit", "verify")
    assert result.returncode == 1
    assert "A linha 2 da trilha de auditoria do pec-tui (pectui.evento_auditoria) não confere" in result.stderr
    assert result.stdout == ""


def test_audit_verify_names_the_row_after_a_deleted_one(run_cli, sqlite_installation):
    add_audit_events(sqlite_installation, 3)
    with sqlite3.connect(sqlite_path(sqlite_installation)) as connection:
        connection.execute("DELETE FROM pectui_evento_auditoria WHERE co_seq_evento_auditoria = 2")
    result = run_cli("--database", sqlite_installation, "audit", "verify", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert (data["integra"], data["linha_quebrada"], data["verificacao_falha"]) == (False, 3, "cadeia")
    assert "A linha 3" in data["mensagem"]


def test_audit_verify_catches_the_newest_row_deleted(run_cli, sqlite_installation):
    add_audit_events(sqlite_installation, 2)
    with sqlite3.connect(sqlite_path(sqlite_installation)) as connection:
        connection.execute("DELETE FROM pectui_evento_auditoria WHERE co_seq_evento_auditoria = 3")
    result = run_cli("--database", sqlite_installation, "audit", "verify")
    assert result.returncode == 1
    assert "eventos mais recentes foram removidos" in result.stderr


def forge_append_unkeyed(url: str) -> int:
    """A row appended with the public algorithm and no key, its head recomputed; returns its id."""
    from pec_tui.domain import audit
    from pec_tui.storage.models import AuditEvent, ConsoleSetting

    opened = open_database(DatabaseTarget(url, "--database"))
    try:
        head = ConsoleSetting.get(ConsoleSetting.key == audit.HEAD_KEY)
        event = AuditEvent(at=audit.clock.now(), event_type="ACAO_USUARIO", component="forjado")
        event.chain_hash = audit.chain_hash(head.text, event)
        event.save(force_insert=True)
        ConsoleSetting.update(integer=head.integer + 1, text=event.chain_hash).where(
            ConsoleSetting.key == audit.HEAD_KEY
        ).execute()
        return event.id
    finally:
        opened.close()


def test_audit_verify_catches_a_row_appended_without_the_key(run_cli, sqlite_installation):
    add_audit_events(sqlite_installation, 1)
    forged = forge_append_unkeyed(sqlite_installation)
    result = run_cli("--database", sqlite_installation, "audit", "verify")
    assert result.returncode == 1
    assert f"A linha {forged} da trilha de auditoria do pec-tui (pectui.evento_auditoria) não confere" in result.stderr
    as_json = json.loads(run_cli("--database", sqlite_installation, "audit", "verify", "--json").stdout)
    assert (as_json["integra"], as_json["linha_quebrada"], as_json["verificacao_falha"]) == (False, forged, "cadeia")


def test_audit_verify_anchors_the_head_and_catches_a_trail_cut_short(run_cli, sqlite_installation, hermetic_env):
    add_audit_events(sqlite_installation, 3)
    assert run_cli("--database", sqlite_installation, "audit", "verify").returncode == 0
    anchors = (hermetic_env / "pec-tui-auditoria-ancoras.txt").read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[2] for line in anchors] == ["0", "4"]  # keyed from its first event; 4 verified
    with sqlite3.connect(sqlite_path(sqlite_installation)) as connection:
        connection.execute("DELETE FROM pectui_evento_auditoria WHERE co_seq_evento_auditoria > 2")
        connection.execute(
            "UPDATE pectui_configuracao SET ds_inteiro = 2, ds_texto = (SELECT ds_hash FROM pectui_evento_auditoria "
            "WHERE co_seq_evento_auditoria = 2) WHERE co_configuracao = 'PECTUI_AUDITORIA_CABECA'"
        )
    result = run_cli("--database", sqlite_installation, "audit", "verify")
    assert result.returncode == 1
    assert result.stdout == ""
    # The command runs with the real clock: the anchor's date is today's.
    assert re.fullmatch(
        r"A trilha de auditoria tem 2 eventos, mas em \d\d/\d\d/\d{4} \d\d:\d\d tinha 4 \(registrado fora do banco em "
        + re.escape(str(hermetic_env / "pec-tui-auditoria-ancoras.txt"))
        + r"\): eventos foram removidos e a cabeça da trilha refeita no banco\.",
        result.stderr.strip(),
    )
    as_json = json.loads(run_cli("--database", sqlite_installation, "audit", "verify", "--json").stdout)
    assert (as_json["integra"], as_json["eventos"], as_json["verificacao_falha"]) == (False, 2, "ancora")


def test_audit_verify_without_the_key_says_where_it_should_be(run_cli, sqlite_installation, hermetic_env):
    key = hermetic_env / "pec-tui-auditoria.key"
    key.unlink()
    result = run_cli("--database", sqlite_installation, "audit", "verify")
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"A trilha de auditoria tem 1 evento, mas a chave que a assina não está em {key}: sem ela a trilha não "
        "pode ser verificada nem continuada."
    )
    as_json = json.loads(run_cli("--database", sqlite_installation, "audit", "verify", "--json").stdout)
    assert (as_json["integra"], as_json["verificacao_falha"]) == (False, "chave")
    assert not key.exists()


def test_audit_verify_refuses_a_key_others_can_read(run_cli, sqlite_installation, hermetic_env):
    key = hermetic_env / "pec-tui-auditoria.key"
    key.chmod(0o640)
    result = run_cli("--database", sqlite_installation, "audit", "verify", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["verificacao_falha"] == "chave"
    assert data["mensagem"] == (
        f"O arquivo de chave {key} pode ser lido por outros usuários; deixe-o só para o dono com: chmod 600 {key}"
    )


def test_migrate_on_an_up_to_date_database_applies_nothing(run_cli, sqlite_installation):
    result = run_cli("--database", sqlite_installation, "migrate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Esquema já está atualizado."


# --------------------------------------------------------------------------------------------
# Refusals: exit 1 with one sentence; usage: exit 2
# --------------------------------------------------------------------------------------------


def test_unknown_database_scheme_is_refused(run_cli):
    result = run_cli("--database", "mysql://root:segredo@localhost/esus", "status")
    line = assert_refused_in_one_line(result, "não é reconhecido")
    assert "segredo" not in line


def test_missing_sqlite_file_is_refused(run_cli, tmp_path):
    missing = tmp_path / "nao-existe.sqlite3"
    result = run_cli("--database", sqlite_url(missing), "status")
    assert_refused_in_one_line(result, str(missing), "não existe")
    assert not missing.exists()


def test_database_without_the_schema_is_refused(run_cli, tmp_path):
    path = tmp_path / "vazio.sqlite3"
    sqlite3.connect(path).close()
    result = run_cli("--database", sqlite_url(path), "status")
    assert_refused_in_one_line(result, "pec-tui init")


def test_console_without_any_installation_says_what_to_do(run_cli):
    result = run_cli("status")  # no --database: the embedded file, which does not exist
    assert_refused_in_one_line(result, "não existe")
    result = run_cli()
    assert_refused_in_one_line(result, "Nenhuma instalação encontrada", "pec-tui demo")


def test_after_the_demo_status_uses_it_and_says_so(run_cli, hermetic_env, sqlite_installation):
    # the demonstration's file, as 'pec-tui demo' leaves it (an installation copied there)
    shutil.copyfile(sqlite_path(sqlite_installation), Path(hermetic_env) / "demo.sqlite3")
    result = run_cli("status", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["banco"]["origem"] == "demo"  # stdout stays JSON
    assert "usando a instalação de demonstração" in result.stderr
    assert str(Path(hermetic_env) / "demo.sqlite3") in result.stderr


def test_cnes_import_names_the_file_by_its_full_path(run_cli, sqlite_installation, tmp_path):
    missing = tmp_path / "XmlParaESUS31_420420.zip"
    result = run_cli("--database", sqlite_installation, "cnes", "import", str(missing))
    assert_refused_in_one_line(result, f"O arquivo {missing} não foi encontrado.")


@pytest.mark.postgres
def test_refused_postgresql_port_is_one_sentence(run_cli, pg_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_cli("--database", f"postgresql://postgres:segredo@127.0.0.1:{port}/esus", "status")
    line = assert_refused_in_one_line(result, "conexão recusada", f"127.0.0.1:{port}")
    assert "segredo" not in line


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["init", "--municipio", "4204202"], "faltam os argumentos obrigatórios"),
        (["comando-que-nao-existe"], "opção inválida"),
        (["status", "--formato", "xml"], "argumentos não reconhecidos"),
        (["audit"], "faltam os argumentos obrigatórios"),
        (["users", "unlock"], "faltam os argumentos obrigatórios"),
    ],
    ids=["init-incompleto", "comando-desconhecido", "opcao-desconhecida", "audit-sem-acao", "users-sem-cpf"],
)
def test_usage_error_exits_2_in_portuguese(run_cli, args, words):
    result = run_cli(*args)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert "--help' para ver as opções" in result.stderr


# --------------------------------------------------------------------------------------------
# users blocked / users unlock
# --------------------------------------------------------------------------------------------


def test_a_blocked_administrator_is_unblocked_on_the_host(run_cli, sqlite_installation):
    add_audit_events(sqlite_installation, 5)  # five wrong passwords: blocked
    listed = run_cli("--database", sqlite_installation, "users", "blocked", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [{"cpf": "529.982.247-25", "nome": "Helena Martins Duarte", "tentativas": 5}]

    result = run_cli("--database", sqlite_installation, "users", "unlock", "529.982.247-25")

    assert result.returncode == 0, result.stderr
    assert "Conta de Helena Martins Duarte (529.982.247-25) desbloqueada" in result.stdout
    assert "CPF seguido de esus" in result.stdout and PASSWORD not in result.stdout
    assert run_cli("--database", sqlite_installation, "users", "blocked").stdout.strip() == "Nenhum usuário bloqueado."
    opened = open_database(DatabaseTarget(sqlite_installation, "--database"))
    try:
        from pec_tui.storage.models import AuditEvent

        event = AuditEvent.select().order_by(AuditEvent.id.desc()).get()
        assert (event.component, event.user_id) == ("pec-tui/cli", None)
        assert accounts.authenticate(ADMIN_CPF, f"{ADMIN_CPF}esus").must_change_password
    finally:
        opened.close()


def test_unlock_of_an_account_that_is_not_blocked_is_refused(run_cli, sqlite_installation):
    result = run_cli("--database", sqlite_installation, "users", "unlock", ADMIN_CPF)
    assert_refused_in_one_line(result, "não está bloqueada")


# --------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------


@pytest.fixture
def pg_cli_database(pg_server):
    """An empty PostgreSQL database for the command line (this worker's own)."""
    name = f"pectui_cli_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    pg_server.recreate(name)
    yield name
    pg_server.drop(name)


@pytest.mark.postgres
def test_init_and_status_on_postgresql(run_cli, pg_server, pg_cli_database, password_file):
    # The local server trusts connections, so the password only shows how the URL is displayed.
    url = pg_server.url(pg_cli_database, password="s3gr3d0")
    created = run_cli(*init_args(url, password_file))
    assert created.returncode == 0, created.stderr

    result = run_cli("--database", url, "status", "--json")

    assert result.returncode == 0, result.stderr
    assert "s3gr3d0" not in result.stdout
    data = json.loads(result.stdout)
    assert set(data) == STATUS_KEYS
    assert data["banco"]["tipo"] == "postgresql"
    assert data["banco"]["endereco"] == f"postgresql://postgres:***@{pg_server.host}:{pg_server.port}/{pg_cli_database}"
    assert data["contagens"]["usuarios"] == 1
    assert data["municipios"] == [{"ibge": "4204202", "nome": "Chapecó", "uf": "SC"}]

    verified = run_cli("--database", url, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.strip() == "Trilha de auditoria íntegra: 1 evento verificado."


@pytest.mark.postgres
def test_audit_verify_catches_a_wiped_trail_on_postgresql(run_cli, pg_server, pg_cli_database, password_file):
    url = pg_server.url(pg_cli_database)
    assert run_cli(*init_args(url, password_file)).returncode == 0
    assert run_cli("--database", url, "audit", "verify").returncode == 0  # anchors 1 event
    opened = open_database(DatabaseTarget(url, "--database"))
    try:
        opened.db.execute_sql("DELETE FROM pectui.evento_auditoria")
        opened.db.execute_sql("DELETE FROM pectui.configuracao WHERE co_configuracao = 'PECTUI_AUDITORIA_CABECA'")
    finally:
        opened.close()
    result = run_cli("--database", url, "audit", "verify", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert (data["integra"], data["eventos"], data["verificacao_falha"]) == (False, 0, "ancora")
    assert re.search(r"tem 0 eventos, mas em \d\d/\d\d/\d{4} \d\d:\d\d tinha 1 ", data["mensagem"])


def test_closed_pipe_ends_quietly(tmp_path, monkeypatch, capsys):
    """`pec-tui status | head -1`: when the reader has gone, stop quietly (exit 0), no 'erro inesperado'."""
    import os

    from pec_tui import cli
    from pec_tui.demo import installation as demo

    path = tmp_path / "demo.sqlite3"
    demo.create(path)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone: the first write raises BrokenPipeError
    closed = os.fdopen(write_end, "w", buffering=1)  # line-buffered, like a terminal pipe in practice
    monkeypatch.setattr("sys.stdout", closed)
    assert cli.main(["--database", f"sqlite:///{path}", "status", "--json"]) == 0
    err = capsys.readouterr().err
    assert "erro inesperado" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["status", "--json"],
        ["audit", "verify"],
        ["cnes", "historico"],
        ["migrate"],
        ["cnes", "import", "x.zip"],
    ],
    ids=" ".join,
)
def test_every_command_refuses_a_newer_schema(run_cli, sqlite_installation, command):
    """A database of a newer pec-tui (issue 11, item 5): one sentence, nothing read or written."""
    with sqlite3.connect(sqlite_path(sqlite_installation)) as connection:
        connection.execute("INSERT INTO pectui_versao_esquema VALUES (99, '2026-11-20 09:00:00', 'futura')")
    result = run_cli("--database", sqlite_installation, *command)
    assert result.returncode == 1
    assert result.stderr.strip().endswith(f"mais nova que a deste programa ({LATEST_VERSION}); atualize o pec-tui.")
    assert "Traceback" not in result.stderr
