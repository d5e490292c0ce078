"""Which database is opened, from where, and the one sentence said when it cannot be opened."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import unquote

import pytest

from pec_tui.core.errors import DatabaseOpenError
from pec_tui.storage import database
from pec_tui.storage.database import (
    DatabaseTarget,
    build_database,
    describe_connect_error,
    open_database,
    resolve_target,
    sqlite_url,
    url_from_pec_home,
)

PROPERTIES = """\
# Configurações do e-SUS APS PEC
! comentário no estilo antigo
server.port = 8080
server.ssl.key-store=config/esusaps.p12
spring.datasource.url=jdbc:postgresql://10.0.0.5:5433/esus?ssl=false
spring.datasource.username : leitor@esus
# a senha tem dois-pontos, igual, arroba, espaço, cerquilha, um caractere escapado (\\u00e7),
# um caractere latino escrito direto (o arquivo é ISO-8859-1, como o Spring Boot o lê)
# e continua na linha seguinte
spring.datasource.password=p@ss\\:w\\=rd\\u00e7ã \\
    continua#1
spring.jpa.open-in-view=false
"""

PROPERTIES_PASSWORD = "p@ss:w=rdçã continua#1"


def write_pec_home(root: Path, text: str = PROPERTIES) -> Path:
    config = root / "webserver" / "config"
    config.mkdir(parents=True)
    (config / "application.properties").write_text(text, encoding="latin-1")
    return root


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def open_error(url: str, *, must_exist: bool = True) -> DatabaseOpenError:
    with pytest.raises(DatabaseOpenError) as raised:
        open_database(DatabaseTarget(url, "--database"), must_exist=must_exist)
    return raised.value


def assert_one_sentence(error: DatabaseOpenError) -> None:
    """The message is one line of Portuguese, and no driver traceback is chained to it."""
    assert "\n" not in error.message
    assert error.message.endswith(".")
    assert "Traceback" not in error.message
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


# --------------------------------------------------------------------------------------------
# Order of precedence
# --------------------------------------------------------------------------------------------


def test_database_option_wins_over_environment_and_pec_home(monkeypatch, tmp_path):
    monkeypatch.setenv("PEC_TUI_DATABASE", "sqlite:///do-ambiente.sqlite3")
    home = write_pec_home(tmp_path / "e-SUS")
    target = resolve_target("sqlite:///da-opcao.sqlite3", home)
    assert (target.url, target.source) == ("sqlite:///da-opcao.sqlite3", "--database")


def test_environment_wins_over_pec_home_without_reading_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PEC_TUI_DATABASE", "sqlite:///do-ambiente.sqlite3")
    target = resolve_target(None, tmp_path / "pasta-que-nao-existe")
    assert (target.url, target.source) == ("sqlite:///do-ambiente.sqlite3", "PEC_TUI_DATABASE")


def test_pec_home_option_wins_over_embedded(tmp_path):
    target = resolve_target(None, write_pec_home(tmp_path / "e-SUS"))
    assert target.source == "pec-home"
    assert target.kind == "postgresql"


def test_default_pec_home_is_used_when_it_exists(monkeypatch, tmp_path):
    monkeypatch.setattr(database, "DEFAULT_PEC_HOME", write_pec_home(tmp_path / "opt-e-SUS"))
    target = resolve_target(None, None)
    assert target.source == "pec-home"
    assert target.url.endswith("@10.0.0.5:5433/esus")


def test_embedded_file_in_data_dir_is_the_last_resort(hermetic_env):
    target = resolve_target(None, None)
    assert target.source == "embutido"
    assert target.url == sqlite_url(hermetic_env / "pec-tui.sqlite3")
    assert target.kind == "sqlite"


# --------------------------------------------------------------------------------------------
# application.properties
# --------------------------------------------------------------------------------------------


def test_properties_file_is_parsed_like_java_does(tmp_path):
    home = write_pec_home(tmp_path / "e-SUS")
    props = database.read_properties(home / "webserver/config/application.properties")
    assert props["server.port"] == "8080"
    assert props["server.ssl.key-store"] == "config/esusaps.p12"
    assert props["spring.datasource.username"] == "leitor@esus"
    assert props["spring.datasource.password"] == PROPERTIES_PASSWORD
    assert props["spring.jpa.open-in-view"] == "false"
    assert not any(key.startswith(("#", "!")) for key in props)


def test_pec_datasource_becomes_a_postgresql_url_with_user_and_password_percent_encoded(tmp_path):
    url = url_from_pec_home(write_pec_home(tmp_path / "e-SUS"))
    assert url == "postgresql://leitor%40esus:p%40ss%3Aw%3Drd%C3%A7%C3%A3%20continua%231@10.0.0.5:5433/esus"
    # The URL reads back to the very same credentials.
    params = build_database(url).connect_params
    assert (params["user"], params["password"]) == ("leitor@esus", PROPERTIES_PASSWORD)
    assert (params["host"], params["port"]) == ("10.0.0.5", 5433)
    assert build_database(url).database == "esus"


def test_datasource_without_port_or_password_uses_pec_defaults(tmp_path):
    home = write_pec_home(tmp_path / "e-SUS", "spring.datasource.url=jdbc:postgresql://localhost/esus\n")
    assert url_from_pec_home(home) == "postgresql://postgres@localhost:5432/esus"


def test_missing_properties_file_is_refused_naming_it(tmp_path):
    home = tmp_path / "e-SUS"
    home.mkdir()
    with pytest.raises(DatabaseOpenError) as raised:
        resolve_target(None, home)
    assert "application.properties não existe" in raised.value.message
    assert "--pec-home" in raised.value.message
    assert_one_sentence(raised.value)


def test_properties_without_datasource_is_refused(tmp_path):
    home = write_pec_home(tmp_path / "e-SUS", "server.port=8080\n")
    with pytest.raises(DatabaseOpenError) as raised:
        url_from_pec_home(home)
    assert "não tem um spring.datasource.url do PostgreSQL" in raised.value.message
    assert "encontrado: nada" in raised.value.message


def test_non_postgresql_datasource_is_refused_showing_what_was_found(tmp_path):
    home = write_pec_home(tmp_path / "e-SUS", "spring.datasource.url=jdbc:h2:mem:esus\n")
    with pytest.raises(DatabaseOpenError) as raised:
        url_from_pec_home(home)
    assert "jdbc:h2:mem:esus" in raised.value.message


# --------------------------------------------------------------------------------------------
# Opening: one sentence per failure
# --------------------------------------------------------------------------------------------


def test_unknown_url_scheme_is_refused_with_the_accepted_forms():
    error = open_error("mysql://root:segredo@localhost/esus")
    assert "não é reconhecido" in error.message
    assert "sqlite:///" in error.message and "postgresql://" in error.message
    assert "segredo" not in error.message
    assert_one_sentence(error)


def test_sqlite_url_without_file_is_refused():
    error = open_error("sqlite://")
    assert "não diz o arquivo" in error.message
    assert_one_sentence(error)


def test_postgresql_url_without_database_or_with_bad_port_is_refused():
    assert "não diz o banco" in open_error("postgresql://postgres@127.0.0.1:5432/").message
    error = open_error("postgresql://postgres@127.0.0.1:porta/esus")
    assert "porta" in error.message and "não é um número válido" in error.message
    assert_one_sentence(error)


def test_missing_sqlite_file_is_refused_pointing_to_init_and_demo(tmp_path):
    path = tmp_path / "nao-existe.sqlite3"
    error = open_error(sqlite_url(path))
    assert str(path) in error.message
    assert "não existe" in error.message and "pec-tui init" in error.message
    assert not path.exists()
    assert_one_sentence(error)


def test_missing_sqlite_folder_is_refused(tmp_path):
    error = open_error(sqlite_url(tmp_path / "pasta" / "pec.sqlite3"))
    assert "A pasta" in error.message and "não existe" in error.message
    assert not (tmp_path / "pasta").exists()


def test_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "lixo.sqlite3"
    path.write_bytes(b"isto nao e um banco de dados SQLite " * 200)
    error = open_error(sqlite_url(path))
    assert error.message == f"O arquivo {path} não é um banco SQLite válido."
    assert_one_sentence(error)


def test_new_sqlite_file_and_folder_are_created_only_when_allowed(tmp_path):
    path = tmp_path / "nova" / "pec.sqlite3"
    opened = open_database(DatabaseTarget(sqlite_url(path), "--database"), must_exist=False)
    try:
        assert opened.kind == "sqlite"
        assert path.exists()
    finally:
        opened.close()


@pytest.mark.postgres
def test_postgresql_refused_port_says_so_without_the_password(pg_server):
    port = closed_port()
    error = open_error(f"postgresql://postgres:segredo123@127.0.0.1:{port}/esus")
    assert error.message == (
        f"Não foi possível conectar ao PostgreSQL em 127.0.0.1:{port}: conexão recusada (o serviço está no ar?)."
    )
    assert "segredo123" not in error.message


@pytest.mark.postgres
def test_postgresql_missing_database_is_named(pg_server):
    error = open_error(pg_server.url("pectui_banco_que_nao_existe"))
    assert error.message == (
        f"O banco 'pectui_banco_que_nao_existe' não existe no PostgreSQL em {pg_server.host}:{pg_server.port}."
    )
    assert_one_sentence(error)


@pytest.mark.postgres
def test_postgresql_missing_role_is_named(pg_server):
    url = f"postgresql://pectui_ninguem@{pg_server.host}:{pg_server.port}/postgres"
    error = open_error(url)
    assert error.message == (
        f"O usuário 'pectui_ninguem' não existe no PostgreSQL em {pg_server.host}:{pg_server.port}."
    )


def test_password_authentication_failure_is_explained_without_the_password():
    # The local server trusts every connection, so it never refuses a password: the driver's
    # message for that case is built here, as psycopg2 reports it.
    target = DatabaseTarget("postgresql://esus_leitura:senhaerrada@10.0.0.5:5433/esus", "pec-home")
    exc = Exception(
        'connection to server at "10.0.0.5", port 5433 failed: '
        'FATAL:  password authentication failed for user "esus_leitura"\n'
    )
    message = describe_connect_error(target, exc)
    assert message == "O PostgreSQL em 10.0.0.5:5433 recusou a senha do usuário 'esus_leitura'."
    assert "senhaerrada" not in message


def test_unknown_host_is_explained():
    target = DatabaseTarget("postgresql://postgres@servidor-inexistente:5433/esus", "--database")
    exc = Exception('could not translate host name "servidor-inexistente" to address: Name or service not known\n')
    assert describe_connect_error(target, exc) == (
        "A máquina 'servidor-inexistente' do endereço do banco não foi encontrada."
    )


# --------------------------------------------------------------------------------------------
# The masked display
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("postgresql://postgres:s3gr3d0@127.0.0.1:5432/esus", "s3gr3d0"),
        ("postgresql://leitor%40esus:p%40ss%3Aw@10.0.0.5:5433/esus", "p%40ss%3Aw"),
        ("postgres://esus:p@ss@host/esus", "p@ss"),  # an unencoded @ in the password
    ],
)
def test_display_masks_the_password(url, password):
    display = DatabaseTarget(url, "--database").display
    assert password not in display
    assert unquote(password) not in display
    assert ":***@" in display


def test_display_of_url_without_password_is_the_url():
    assert DatabaseTarget("sqlite:////tmp/pec.sqlite3", "--database").display == "sqlite:////tmp/pec.sqlite3"


@pytest.mark.postgres
def test_opened_postgresql_display_never_shows_the_password(pg_server):
    # Trust authentication accepts any password, so a real connection can carry one.
    opened = open_database(DatabaseTarget(pg_server.url("postgres", password="s3gr3d0"), "--database"))
    try:
        assert opened.kind == "postgresql"
        assert "s3gr3d0" not in opened.display
        assert opened.display == f"postgresql://postgres:***@{pg_server.host}:{pg_server.port}/postgres"
    finally:
        opened.close()


def test_portuguese_server_messages_are_understood():
    """PEC hosts often run PostgreSQL with lc_messages=pt_BR; the sentence must still be specific."""
    from pec_tui.storage.database import DatabaseTarget, describe_connect_error

    target = DatabaseTarget("postgresql://esus:segredo@10.0.0.5:5433/esus", "--database")
    cases = {
        'FATAL:  autenticação do tipo senha falhou para o usuário "esus"': "recusou a senha",
        'FATAL:  banco de dados "esus" não existe': "não existe no PostgreSQL",
        'FATAL:  role "esus" não existe': "O usuário 'esus' não existe",
    }
    for server_text, expected in cases.items():
        message = describe_connect_error(target, Exception(server_text))
        assert expected in message and "segredo" not in message
